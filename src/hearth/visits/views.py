"""Visit pages: record a visit to a child, the visit, change it, withdraw it (recorded in error),
and a worker's children with visits due.

Recording and changing need the permission to edit case records; everything is scoped to the
children the user may see (a restricted child's visit is 404 for staff not named on it). Every
view of a visit is written to the access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import User
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.models import Person
from hearth.people.policies import person_for
from hearth.workforce.models import Allocation

from . import policies, selectors, services
from .forms import VisitForm, WithdrawForm
from .models import Visit
from .policies import EDIT, VIEW


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _workers(person: Person, *also: User) -> list[User]:
    """Who may be named as the visitor: the user, the child's current workers, and whoever is
    recorded already. One query."""
    found: dict[int, User] = {u.pk: u for u in also}
    for allocation in Allocation.objects.filter(
        person=person, end_date__isnull=True, worker__is_active=True
    ).select_related("worker"):
        found.setdefault(allocation.worker_id, allocation.worker)
    return list(found.values())


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, person_pk, action="edit")
    plans = selectors.plans_for_visit(person)
    kind = selectors.default_kind(plans)
    form = VisitForm(
        posted(request),
        plans=plans,
        workers=_workers(person, viewer),
        initial={"kind": kind, "worker": viewer.pk},
    )

    def save(_: dict[str, Any]) -> Visit:
        values = form.service_values()
        # Ticked actions name their plan (the service takes it from them); else the open plan
        # of the visit's kind.
        plan = None if values["actions"] else selectors.default_plan(plans, values["kind"])
        return services.visit_record(actor=viewer, person=person, plan=plan, **values)

    visit = submitted(request, form, save)
    if visit is not None:
        messages.success(request, f"{visit.get_kind_display()} recorded")
        return redirect("visits:detail", pk=visit.pk)
    return render(
        request,
        "visits/form.html",
        {"form": form, "person": person, "heading": "Record a visit", "visit": None},
        status=400 if request.method == "POST" else 200,
    )


@requires(VIEW)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    visit = policies.visit_for(viewer, pk)
    audit.record_view(actor=viewer, obj=visit, person_id=visit.person_id)
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "person": visit.person,
            "actions": list(visit.actions.select_related("plan").order_by("due_date", "pk")),
            "may_edit": viewer.has_perm(EDIT) and visit.withdrawn_at is None,
        },
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def visit_change(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    visit = policies.visit_for(viewer, pk, action="edit")
    if visit.withdrawn_at is not None:
        messages.error(request, "This visit was withdrawn: it cannot be changed")
        return redirect("visits:detail", pk=visit.pk)
    person = visit.person
    plans = selectors.plans_for_visit(person, services.visit_date(visit.visited_at))
    form = VisitForm(
        posted(request),
        plans=plans,
        workers=_workers(person, viewer, visit.worker),
        initial=VisitForm.initial_for(visit),
    )
    saved = submitted(
        request,
        form,
        lambda _: services.visit_update(
            actor=viewer,
            visit=visit,
            data=form.service_values(),
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "The visit has been changed")
        return redirect("visits:detail", pk=saved.pk)
    return render(
        request,
        "visits/form.html",
        {"form": form, "person": person, "heading": "Change the visit", "visit": visit},
        status=400 if request.method == "POST" else 200,
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def visit_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    visit = policies.visit_for(viewer, pk, action="edit")
    if visit.withdrawn_at is not None:
        messages.error(request, "This visit has already been withdrawn")
        return redirect("visits:detail", pk=visit.pk)
    form = WithdrawForm(posted(request), initial={"version": visit.version})
    saved = submitted(
        request,
        form,
        lambda d: services.visit_withdraw(
            actor=viewer,
            visit=visit,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "The visit has been withdrawn")
        return redirect("visits:detail", pk=saved.pk)
    return render(
        request,
        "visits/withdraw.html",
        {"form": form, "visit": visit, "person": visit.person},
        status=400 if request.method == "POST" else 200,
    )


@requires(VIEW)
def visits_mine(request: HttpRequest) -> HttpResponse:
    """The user's children with a visit due: overdue first, then soonest."""
    viewer = _viewer(request)
    rows = selectors.visits_due_for(viewer, viewer)
    return render(
        request,
        "visits/mine.html",
        {"rows": rows, "overdue": sum(r.deadline.status == "overdue" for r in rows)},  # type: ignore[attr-defined]
    )
