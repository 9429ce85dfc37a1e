"""Case audit pages: templates, programmes, my audits, the audit form, moderation, actions and the
summary. Server-rendered; every form works without JavaScript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hearth.core import audit as trail
from hearth.core.access import requires, requires_any
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError
from hearth.core.views.submit import apply_errors, posted, posted_int, submitted
from hearth.workforce.selectors import current_allocations

from . import policies, selectors, services
from .forms import (
    ActionForm,
    AuditForm,
    CancelActionForm,
    CompleteActionForm,
    FindingForm,
    ModerationForm,
    ProgrammeForm,
    ReassignForm,
    SummaryFilterForm,
    TemplateForm,
    WithdrawForm,
    default_programme_dates,
)
from .models import (
    COMPLETED_STATUSES,
    AuditDomain,
    AuditProgramme,
    AuditQuestion,
    AuditStatus,
    AuditTemplate,
    CaseAudit,
    Finding,
    Grade,
)
from .models import AuditAction as Action

V = TypeVar("V", bound=Callable[..., Any])


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refusal(request: HttpRequest, error: ValidationError | ConcurrentEditError) -> None:
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


# --- my audits -----------------------------------------------------------------------------------


@requires(policies.VIEW)
def mine(request: HttpRequest) -> HttpResponse:
    """The auditor's work: audits to do, audits to moderate, and the actions they own."""
    viewer = _viewer(request)
    visible = policies.audits_visible_to(viewer)
    due = selectors.audits_due_for(viewer).filter(pk__in=visible.values("pk"))
    done = selectors.with_final_grade(
        visible.filter(auditor=viewer, status__in=COMPLETED_STATUSES)
        .select_related("person")
        .order_by("-submitted_at")
    )[:10]
    moderation = (
        selectors.audits_awaiting_moderation(viewer).filter(pk__in=visible.values("pk"))[:50]
        if viewer.has_perm(policies.MANAGE)
        else []
    )
    actions = selectors.audit_actions_for_owner(viewer).filter(
        pk__in=policies.actions_visible_to(viewer).values("pk")
    )
    return render(
        request,
        "case_audits/mine.html",
        {
            "due": due,
            "done": done,
            "moderation": moderation,
            "actions": actions,
            "today": timezone.localdate(),
            "may_manage": viewer.has_perm(policies.MANAGE),
        },
    )


# --- templates -----------------------------------------------------------------------------------


@requires(policies.MANAGE)
def template_list(request: HttpRequest) -> HttpResponse:
    templates = (
        AuditTemplate.objects.annotate(
            domain_count=Count("domains", distinct=True),
            programme_count=Count("programmes", distinct=True),
        )
        .select_related("supersedes")
        .order_by("-active", "name", "-edition")
    )
    return render(request, "case_audits/template_list.html", {"templates": templates})


@requires(policies.MANAGE)
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(AuditTemplate.objects.select_related("supersedes"), pk=pk)
    domains = template.domains.prefetch_related("questions").order_by("order")
    return render(
        request,
        "case_audits/template_detail.html",
        {
            "template": template,
            "domains": domains,
            "successor": AuditTemplate.objects.filter(supersedes=template).first(),
            "programmes": template.programmes.order_by("-period_start")[:20],
        },
    )


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(posted(request))
    template = submitted(
        request,
        form,
        lambda d: services.template_create(
            actor=_viewer(request),
            name=d["name"],
            description=d.get("description", ""),
            domains=d["domains"],
        ),
    )
    if template is not None:
        messages.success(request, f"Template ‘{template.name}’ created")
        return redirect("case_audits:template", pk=template.pk)
    return render(
        request,
        "case_audits/template_form.html",
        {"form": form, "heading": "Create an audit template", "template": None},
        status=400 if request.method == "POST" else 200,
    )


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def template_supersede(request: HttpRequest, pk: int) -> HttpResponse:
    """A changed template is a new edition; audits made against this one keep it."""
    template = get_object_or_404(AuditTemplate, pk=pk)
    if AuditTemplate.objects.filter(supersedes=template).exists():
        messages.error(request, "This template has already been superseded: change the newest one")
        return redirect("case_audits:template", pk=template.pk)
    initial = TemplateForm.initial_for(template, services.template_as_specs(template))
    form = TemplateForm(posted(request), initial=initial)
    new = submitted(
        request,
        form,
        lambda d: services.template_supersede(
            actor=_viewer(request),
            template=template,
            name=d["name"],
            description=d.get("description", ""),
            domains=d["domains"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if new is not None:
        messages.success(
            request,
            f"Edition {new.edition} of ‘{new.name}’ now replaces edition {template.edition}",
        )
        return redirect("case_audits:template", pk=new.pk)
    return render(
        request,
        "case_audits/template_form.html",
        {
            "form": form,
            "heading": f"Supersede ‘{template.name}’ (edition {template.edition})",
            "template": template,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(policies.MANAGE)
@require_POST
def template_retire(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(AuditTemplate, pk=pk)
    try:
        services.template_retire(
            actor=_viewer(request),
            template=template,
            expected_version=posted_int(request, "version"),
        )
    except (ValidationError, ConcurrentEditError) as error:
        _refusal(request, error)
    else:
        messages.success(request, f"‘{template.name}’ is retired: it is no longer offered")
    return redirect("case_audits:template", pk=template.pk)


# --- programmes ----------------------------------------------------------------------------------


@requires(policies.MANAGE)
def programme_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.programmes_with_progress().order_by("-period_start", "-id"), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "case_audits/programme_list.html",
        {"page_obj": page, "today": timezone.localdate()},
    )


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    today = timezone.localdate()
    form = ProgrammeForm(
        posted(request),
        initial={**default_programme_dates(today), "method": "sample", "sample_size": 4},
    )

    def create(d: dict[str, Any]) -> AuditProgramme:
        persons = services.select_cases(
            actor=viewer,
            method=d["method"],
            team=d.get("team"),
            sample_size=d.get("sample_size"),
            child_ids=(d.get("child_ids") or "").splitlines(),
        )
        return services.programme_create(
            actor=viewer,
            name=d["name"],
            template=d["template"],
            period_start=d["period_start"],
            period_end=d["period_end"],
            due_by=d["due_by"],
            persons=persons,
            auditors=list(d["auditors"]),
            notes=d.get("notes", ""),
        )

    programme = submitted(request, form, create)
    if programme is not None:
        n = programme.audits.count()
        messages.success(request, f"{programme.name}: {n} audit{'s' if n != 1 else ''} assigned")
        return redirect("case_audits:programme", pk=programme.pk)
    return render(
        request,
        "case_audits/programme_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@requires(policies.MANAGE)
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    programme = get_object_or_404(
        AuditProgramme.objects.select_related("template", "created_by"), pk=pk
    )
    visible = set(
        policies.audits_visible_to(viewer).filter(programme=programme).values_list("pk", flat=True)
    )
    audits = selectors.with_final_grade(
        programme.audits.select_related("person", "auditor", "team").order_by(
            "status", "due_by", "person__surname", "id"
        )
    )
    rows = [(a, a.pk in visible) for a in audits]
    return render(
        request,
        "case_audits/programme_detail.html",
        {
            "programme": programme,
            "rows": rows,
            "progress": selectors.programme_progress(programme),
            "today": timezone.localdate(),
        },
    )


# --- the audit -----------------------------------------------------------------------------------


def _domains(audit: CaseAudit) -> list[AuditDomain]:
    return list(
        AuditDomain.objects.filter(template_id=audit.programme.template_id)
        .prefetch_related(Prefetch("questions", queryset=AuditQuestion.objects.order_by("order")))
        .order_by("order")
    )


def _owner_choices(audit: CaseAudit) -> list[tuple[str, list[tuple[int, str]]]]:
    """The people working with the child first, then everyone who records casework."""
    close: dict[int, str] = {}
    for allocation in current_allocations(audit.person):
        close[allocation.worker_id] = (
            f"{allocation.worker.full_name} ({allocation.get_role_display().lower()})"
        )
        manager = allocation.team.manager if allocation.team else None
        if manager is not None and manager.pk not in close:
            close[manager.pk] = f"{manager.full_name} (team manager)"
    everyone = (
        User.objects.filter(is_active=True, roles__permissions__codename="edit_case_records")
        .exclude(pk__in=list(close))
        .distinct()
        .order_by("last_name", "first_name")
        .values_list("pk", "first_name", "last_name", "job_title")
    )
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    if close:
        groups.append(("Working with this child", list(close.items())))
    groups.append(
        (
            "Everyone else",
            [
                (pk, f"{first} {last}, {t}" if t else f"{first} {last}")
                for pk, first, last, t in everyone
            ],
        )
    )
    return groups


def _audit_page(
    request: HttpRequest, audit: CaseAudit, status: int = 200, **bound: Form | None
) -> HttpResponse:
    viewer = _viewer(request)
    trail.record_view(actor=viewer, obj=audit, person_id=audit.person_id)
    domains = _domains(audit)
    conducting = policies.may_conduct(viewer, audit)
    recording = policies.may_record_findings(viewer, audit)
    managing = policies.may_manage(viewer, audit)
    forms: dict[str, Any] = {}
    if conducting:
        forms["audit_form"] = AuditForm(initial=AuditForm.initial_for(audit), domains=domains)
    if recording:
        forms["finding_form"] = FindingForm()
        forms["action_form"] = ActionForm(
            owners=_owner_choices(audit),
            initial={"due_on": timezone.localdate() + dt.timedelta(days=28)},
        )
    if managing:
        forms["reassign_form"] = ReassignForm(initial={"version": audit.version})
    forms.update({k: v for k, v in bound.items() if v is not None})
    grades = {g.domain_id: g for g in audit.domain_grades.all()}
    answers = {a.question_id: a for a in audit.answers.all()}
    moderation = (
        getattr(audit, "moderation", None) if audit.status == AuditStatus.MODERATED else None
    )
    return render(
        request,
        "case_audits/audit_detail.html",
        {
            "audit": audit,
            "person": audit.person,
            "domains": domains,
            "grades": grades,
            "answers": answers,
            "findings": audit.findings.filter(removed_at__isnull=True).select_related(
                "recorded_by"
            ),
            "actions": audit.actions.select_related("owner").order_by("due_on", "id"),
            "moderation": moderation,
            "final_grade": moderation.grade if moderation else audit.overall_grade,
            "conducting": conducting,
            "recording": recording,
            "managing": managing,
            "may_moderate": policies.may_moderate(viewer, audit),
            "today": timezone.localdate(),
            "has_errors": any(getattr(f, "errors", None) for f in bound.values() if f),
            **forms,
        },
        status=status,
    )


@requires(policies.VIEW)
@require_http_methods(["GET", "POST"])
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit: read by anyone who may see the child; written by its auditor (POST)."""
    viewer = _viewer(request)
    if request.method != "POST":
        return _audit_page(request, policies.audit_for(viewer, pk))
    audit = policies.audit_for(viewer, pk, "conduct")
    if not policies.may_conduct(viewer, audit):
        messages.error(request, "This audit has been submitted: it can no longer be changed")
        return redirect("case_audits:audit", pk=audit.pk)
    domains = _domains(audit)
    form = AuditForm(request.POST, domains=domains)
    if not form.is_valid():
        return _audit_page(request, audit, 400, audit_form=form)
    data = form.cleaned_data
    try:
        saved = services.audit_save(
            actor=viewer,
            audit=audit,
            grades=services.to_grades(data, [d.pk for d in domains]),
            answers=services.to_answers(data, [q.pk for d in domains for q in d.questions.all()]),
            overall_grade=data.get("overall_grade") or "",
            summary=data.get("summary") or "",
            expected_version=posted_int(request, "version"),
        )
    except (ValidationError, ConcurrentEditError) as error:
        apply_errors(form, error)
        return _audit_page(request, audit, 400, audit_form=form)
    if request.POST.get("action") != "submit":
        messages.success(request, "Your audit has been saved as a draft")
        return redirect("case_audits:audit", pk=saved.pk)
    try:
        services.audit_submit(actor=viewer, audit=saved, expected_version=saved.version)
    except ValidationError as error:
        # The draft is saved; show what is missing on a form carrying the new version.
        again = request.POST.copy()
        again["version"] = str(saved.version)
        form = AuditForm(again, domains=domains)
        form.is_valid()
        apply_errors(form, error)
        messages.info(request, "Your answers have been saved as a draft, but not submitted")
        return _audit_page(request, saved, 400, audit_form=form)
    messages.success(request, "Audit submitted for moderation")
    return redirect("case_audits:audit", pk=saved.pk)


@requires(policies.VIEW)
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    audit = policies.audit_for(viewer, pk)
    if not policies.may_record_findings(viewer, audit):
        raise PermissionDenied
    form = FindingForm(request.POST)
    saved = submitted(
        request,
        form,
        lambda d: services.finding_add(
            actor=viewer, audit=audit, theme=d["theme"], kind=d["kind"], text=d["text"]
        ),
    )
    if saved is None:
        return _audit_page(request, audit, 400, finding_form=form)
    messages.success(request, "Finding added")
    return redirect(reverse("case_audits:audit", args=[audit.pk]) + "#findings")


@requires(policies.VIEW)
@require_POST
def finding_remove(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    audit = policies.audit_for(viewer, pk)
    finding = get_object_or_404(Finding.objects.select_related("audit"), pk=finding_pk, audit=audit)
    try:
        services.finding_remove(actor=viewer, finding=finding)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, "Finding removed")
    return redirect(reverse("case_audits:audit", args=[audit.pk]) + "#findings")


@requires(policies.VIEW)
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    audit = policies.audit_for(viewer, pk)
    if not policies.may_record_findings(viewer, audit):
        raise PermissionDenied
    form = ActionForm(request.POST, owners=_owner_choices(audit))

    def add(d: dict[str, Any]) -> Action:
        owner = User.objects.filter(pk=d["owner"]).first()
        if owner is None:
            raise ValidationError({"owner": "Choose who will do it"})
        return services.action_add(
            actor=viewer, audit=audit, description=d["description"], owner=owner, due_on=d["due_on"]
        )

    saved = submitted(request, form, add)
    if saved is None:
        return _audit_page(request, audit, 400, action_form=form)
    messages.success(request, f"Action added for {saved.owner}")
    return redirect(reverse("case_audits:audit", args=[audit.pk]) + "#actions")


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person agrees the auditor's grade or changes it, with their commentary."""
    viewer = _viewer(request)
    audit = policies.audit_for(viewer, pk, "moderate")
    trail.record_view(actor=viewer, obj=audit, person_id=audit.person_id)
    if audit.status != AuditStatus.SUBMITTED:
        messages.info(request, "This audit is not waiting for moderation")
        return redirect("case_audits:audit", pk=audit.pk)
    form = ModerationForm(posted(request), initial={"version": audit.version})
    saved = submitted(
        request,
        form,
        lambda d: services.audit_moderate(
            actor=viewer,
            audit=audit,
            agreed=d["agreed"] == "yes",
            grade=d.get("grade") or "",
            commentary=d["commentary"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, f"Audit moderated: final grade {saved.get_grade_display()}")
        return redirect("case_audits:audit", pk=audit.pk)
    domains = _domains(audit)
    return render(
        request,
        "case_audits/moderate.html",
        {
            "audit": audit,
            "person": audit.person,
            "form": form,
            "own_audit": audit.auditor_id == viewer.pk,
            "domains": domains,
            "grades": {g.domain_id: g for g in audit.domain_grades.all()},
            "answers": {a.question_id: a for a in audit.answers.all()},
            "findings": audit.findings.filter(removed_at__isnull=True),
            "actions": audit.actions.select_related("owner").order_by("due_on", "id"),
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(policies.MANAGE)
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    audit = policies.audit_for(viewer, pk, "manage")
    form = ReassignForm(request.POST)
    saved = submitted(
        request,
        form,
        lambda d: services.audit_reassign(
            actor=viewer,
            audit=audit,
            auditor=d["auditor"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is None:
        return _audit_page(request, audit, 400, reassign_form=form)
    messages.success(request, f"Audit reassigned to {saved.auditor}")
    return redirect("case_audits:audit", pk=audit.pk)


@requires(policies.MANAGE)
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    audit = policies.audit_for(viewer, pk, "manage")
    if not policies.may_manage(viewer, audit):
        messages.error(request, "Only an audit not yet submitted can be withdrawn")
        return redirect("case_audits:audit", pk=audit.pk)
    form = WithdrawForm(posted(request), initial={"version": audit.version})
    saved = submitted(
        request,
        form,
        lambda d: services.audit_withdraw(
            actor=viewer,
            audit=audit,
            reason=d["reason"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(request, "Audit withdrawn")
        return redirect("case_audits:programme", pk=audit.programme_id)
    return render(
        request,
        "case_audits/withdraw.html",
        {"audit": audit, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- actions -------------------------------------------------------------------------------------


@requires(policies.VIEW)
def action_list(request: HttpRequest) -> HttpResponse:
    """Open actions from audits: ?overdue=1 for those past due, ?team=<pk> for a team's,
    ?mine=1 for the viewer's own."""
    viewer = _viewer(request)
    today = timezone.localdate()
    actions = selectors.open_actions().filter(
        pk__in=policies.actions_visible_to(viewer).values("pk")
    )
    overdue = request.GET.get("overdue") == "1"
    mine_only = request.GET.get("mine") == "1"
    team_param = request.GET.get("team", "")
    team = Team.objects.filter(pk=int(team_param)).first() if team_param.isdigit() else None
    if overdue:
        actions = actions.filter(due_on__lt=today)
    if team is not None:
        actions = selectors.for_teams(actions, Team.objects.filter(pk=team.pk))
    if mine_only:
        actions = actions.filter(owner=viewer)
    actions = actions.select_related("person", "owner", "audit__team").order_by("due_on", "id")
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "case_audits/action_list.html",
        {
            "page_obj": page,
            "today": today,
            "overdue": overdue,
            "mine_only": mine_only,
            "team": team,
            "teams": Team.objects.filter(is_active=True).order_by("name"),
        },
    )


@requires(policies.VIEW)
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The action; its owner marks it done here, and the audit team may cancel it."""
    viewer = _viewer(request)
    action = policies.action_for(viewer, pk)
    version = {"version": action.version}
    which = request.POST.get("form") if request.method == "POST" else None
    complete_form = CompleteActionForm(
        request.POST if which == "complete" else None,
        initial={**version, "completed_on": timezone.localdate()},
    )
    cancel_form = CancelActionForm(request.POST if which == "cancel" else None, initial=version)
    if which == "complete":
        if not policies.may_complete(viewer, action):
            raise PermissionDenied
        done = submitted(
            request,
            complete_form,
            lambda d: services.action_complete(
                actor=viewer,
                action=action,
                completed_on=d["completed_on"],
                note=d["completion_note"],
                expected_version=posted_int(request, "version"),
            ),
        )
        if done is not None:
            messages.success(request, "Action marked as done")
            return redirect("case_audits:action", pk=action.pk)
    elif which == "cancel":
        if not policies.may_cancel(viewer, action):
            raise PermissionDenied
        cancelled = submitted(
            request,
            cancel_form,
            lambda d: services.action_cancel(
                actor=viewer,
                action=action,
                reason=d["cancel_reason"],
                expected_version=posted_int(request, "version"),
            ),
        )
        if cancelled is not None:
            messages.success(request, "Action cancelled")
            return redirect("case_audits:action", pk=action.pk)
    elif request.method == "POST":
        raise Http404
    else:
        trail.record_view(actor=viewer, obj=action, person_id=action.person_id)
    return render(
        request,
        "case_audits/action_detail.html",
        {
            "action": action,
            "complete_form": complete_form,
            "cancel_form": cancel_form,
            "may_complete": policies.may_complete(viewer, action),
            "may_cancel": policies.may_cancel(viewer, action),
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the summary ---------------------------------------------------------------------------------


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months, from the first day of the month eleven months ago."""
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), today


@requires_any(*policies.SUMMARY)
def summary(request: HttpRequest) -> HttpResponse:
    """Completed audits by final grade, theme, team and month, each as a chart and a table."""
    today = timezone.localdate()
    since, until = default_period(today)
    form = SummaryFilterForm(request.GET or None, initial={"date_from": since, "date_to": until})
    team = None
    if form.is_bound and form.is_valid():
        since = form.cleaned_data.get("date_from") or since
        until = form.cleaned_data.get("date_to") or until
        team = form.cleaned_data.get("team")
    result = selectors.audit_summary(selectors.SummaryFilter(since=since, until=until, team=team))
    return render(
        request,
        "case_audits/summary.html",
        {
            "form": form,
            "since": since,
            "until": until,
            "team": team,
            "summary": result,
            "grades": list(Grade),
            "grade_chart": selectors.single_grade_chart(result.by_grade),
            "theme_chart": selectors.theme_chart(result.by_theme),
            "team_chart": selectors.grade_chart("Audits by team", result.by_team),
            "month_chart": selectors.grade_chart("Audits by month", result.by_month),
            "legend": selectors.grade_legend(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
