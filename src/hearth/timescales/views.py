"""The timescales reference, deadline lists, the council's local standards and bank holidays."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hearth.core.access import requires, signed_in
from hearth.core.choices import ServiceArea
from hearth.core.models import User
from hearth.core.views.submit import posted, posted_int, submitted

from . import policies, selectors, services
from .forms import BankHolidayForm, BankHolidayWithdrawForm, LocalStandardForm
from .rules import RULES, Area


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@signed_in("every member of staff may read the timescales and where they come from")
def reference(request: HttpRequest) -> HttpResponse:
    rows = selectors.rule_reference()
    areas = [
        (area, list(items))
        for area, items in groupby(
            sorted(rows, key=lambda r: list(Area).index(r.rule.area)), key=lambda r: r.rule.area
        )
    ]
    return render(
        request,
        "timescales/reference.html",
        {
            "areas": areas,
            "may_manage": _viewer(request).has_perm(policies.MANAGE_STANDARDS),
        },
    )


@signed_in("anyone may list their own deadlines; team and service lists are checked by policy")
def deadline_list(request: HttpRequest) -> HttpResponse:
    """Due and overdue deadlines: the user's own, a team's or a service's."""
    viewer = _viewer(request)
    scope = request.GET.get("scope", "mine")
    overdue_only = request.GET.get("show") == "overdue"
    heading = "Your deadlines"
    f = selectors.DeadlineFilter(worker=viewer, overdue_only=overdue_only, due_within_days=28)
    if scope.startswith("team-"):
        pk = scope.removeprefix("team-")
        if not pk.isdigit():
            raise Http404
        team = policies.team_deadlines_for(viewer, int(pk))
        heading = f"{team.name}: deadlines"
        f = selectors.DeadlineFilter(team=team, overdue_only=overdue_only, due_within_days=28)
    elif scope.startswith("worker-"):
        pk = scope.removeprefix("worker-")
        if not pk.isdigit():
            raise Http404
        worker = policies.worker_deadlines_for(viewer, int(pk))
        heading = f"{worker.full_name}: deadlines"
        f = selectors.DeadlineFilter(worker=worker, overdue_only=overdue_only, due_within_days=28)
    elif scope.startswith("service-"):
        area = scope.removeprefix("service-")
        if area not in ServiceArea.values or not policies.may_view_service(viewer):
            raise Http404
        heading = f"{ServiceArea(area).label}: deadlines"
        f = selectors.DeadlineFilter(
            service_area=area, overdue_only=overdue_only, due_within_days=28
        )
    elif scope != "mine":
        raise Http404
    page = Paginator(selectors.deadlines_due(f), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "timescales/deadline_list.html",
        {
            "heading": heading,
            "page_obj": page,
            "scope": scope,
            "overdue_only": overdue_only,
            "rules": RULES,
        },
    )


# --- local standards ---------------------------------------------------------------------------


@requires(policies.MANAGE_STANDARDS)
def local_standard_list(request: HttpRequest) -> HttpResponse:
    standards = [
        (standard, RULES[standard.rule_code])
        for standard in selectors.local_standard_list()
        if standard.rule_code in RULES
    ]
    return render(request, "timescales/local_standard_list.html", {"standards": standards})


@requires(policies.MANAGE_STANDARDS)
@require_http_methods(["GET", "POST"])
def local_standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    standard = policies.local_standard_for(_viewer(request), pk)
    rule = RULES.get(standard.rule_code)
    if rule is None:
        raise Http404
    case = rule.case(standard.case_key)
    form = LocalStandardForm(
        posted(request),
        initial={"amount": standard.amount, "unit": standard.unit, "version": standard.version},
    )
    saved = submitted(
        request,
        form,
        lambda d: services.local_standard_update(
            actor=_viewer(request),
            standard=standard,
            amount=d["amount"],
            unit=d["unit"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"{rule.title}: the council's standard is now saved")
        return redirect("timescales:local-standard-list")
    return render(
        request,
        "timescales/local_standard_form.html",
        {"form": form, "standard": standard, "rule": rule, "case": case},
    )


# --- bank holidays -----------------------------------------------------------------------------


@signed_in("every member of staff may see which days are not working days")
def bank_holiday_list(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    year_text = request.GET.get("year", str(this_year))
    year = int(year_text) if year_text.isdigit() else this_year
    return render(
        request,
        "timescales/bank_holiday_list.html",
        {
            "holidays": selectors.bank_holiday_list(year=year),
            "year": year,
            "years": selectors.bank_holiday_years(),
            "may_manage": _viewer(request).has_perm(policies.MANAGE_HOLIDAYS),
        },
    )


@requires(policies.MANAGE_HOLIDAYS)
@require_http_methods(["GET", "POST"])
def bank_holiday_add(request: HttpRequest) -> HttpResponse:
    form = BankHolidayForm(posted(request))
    holiday = submitted(
        request,
        form,
        lambda d: services.bank_holiday_add(actor=_viewer(request), date=d["date"], name=d["name"]),
    )
    if holiday is not None:
        messages.success(
            request, f"{holiday.name} added; deadlines running over {holiday.date:%-d %B %Y} moved"
        )
        return redirect(f"{_list_url()}?year={holiday.date.year}")
    return render(request, "timescales/bank_holiday_form.html", {"form": form})


@requires(policies.MANAGE_HOLIDAYS)
@require_http_methods(["GET", "POST"])
def bank_holiday_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = policies.holiday_to_withdraw(_viewer(request), pk)
    form = BankHolidayWithdrawForm(posted(request), initial={"version": holiday.version})
    saved = submitted(
        request,
        form,
        lambda d: services.bank_holiday_withdraw(
            actor=_viewer(request),
            holiday=holiday,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"{holiday.name} withdrawn; deadlines re-derived")
        return redirect(f"{_list_url()}?year={holiday.date.year}")
    return render(
        request, "timescales/bank_holiday_withdraw.html", {"form": form, "holiday": holiday}
    )


def _list_url() -> str:
    return reverse("timescales:bank-holiday-list")
