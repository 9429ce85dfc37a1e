"""Writes for case audits. Each is one transaction with its audit-trail events; nothing is deleted.

Templates are created and superseded (never edited once they exist); programmes choose cases and
auditors; the auditor saves and submits; a second person moderates; findings and actions are
recorded; an action's owner marks it done.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from hearth.core import audit as trail
from hearth.core.choices import AuditAction as Event
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError, model_update
from hearth.notifications.services import notify
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation
from hearth.workforce.selectors import current_lead

from .models import (
    OPEN_STATUSES,
    Answer,
    AuditDomain,
    AuditProgramme,
    AuditQuestion,
    AuditStatus,
    AuditTemplate,
    CaseAudit,
    DomainGrade,
    Finding,
    FindingKind,
    Grade,
    Moderation,
    QuestionAnswer,
    Theme,
)
from .models import AuditAction as Action
from .policies import MANAGE
from .selectors import open_cases_of_team

MAX_SAMPLE = 200


def check_version(instance: Any, expected_version: int | None) -> None:
    """Refuse a change made from a page opened before someone else's change."""
    if expected_version is None:
        return
    current = (
        type(instance)
        ._default_manager.filter(pk=instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    if current != expected_version:
        raise ConcurrentEditError(ConcurrentEditError.message)


# --- templates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    guidance: str = ""


@dataclass(frozen=True)
class DomainSpec:
    title: str
    theme: str
    questions: Sequence[QuestionSpec] = field(default_factory=tuple)


def _validate_template(name: str, domains: Sequence[DomainSpec]) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter a name for the template"
    elif len(name.strip()) > 150:
        errors["name"] = "The name must be 150 characters or fewer"
    if not domains:
        errors["domains"] = "Add at least one domain to grade"
    for n, domain in enumerate(domains, start=1):
        if not domain.title.strip():
            errors.setdefault("domains", f"Enter a title for domain {n}")
        elif len(domain.title.strip()) > 200:
            errors.setdefault("domains", f"Domain {n}'s title must be 200 characters or fewer")
        if domain.theme not in Theme.values:
            errors.setdefault("domains", f"Select a theme for domain {n}")
        for question in domain.questions:
            if not question.text.strip():
                errors.setdefault("domains", f"A question in domain {n} has no text")
            elif len(question.text.strip()) > 300:
                errors.setdefault(
                    "domains", f"A question in domain {n} is longer than 300 characters"
                )
    if errors:
        raise ValidationError(errors)


def _write_domains(template: AuditTemplate, domains: Sequence[DomainSpec]) -> None:
    made = AuditDomain.objects.bulk_create(
        [
            AuditDomain(template=template, title=d.title.strip(), theme=d.theme, order=n)
            for n, d in enumerate(domains, start=1)
        ]
    )
    AuditQuestion.objects.bulk_create(
        [
            AuditQuestion(domain=domain, text=q.text.strip(), guidance=q.guidance.strip(), order=n)
            for domain, spec in zip(made, domains, strict=True)
            for n, q in enumerate(spec.questions, start=1)
        ]
    )


def _template_changes(template: AuditTemplate, domains: Sequence[DomainSpec]) -> trail.FieldChanges:
    return {
        "name": [None, template.name],
        "edition": [None, template.edition],
        "domains": [None, [d.title.strip() for d in domains]],
        "questions": [None, sum(len(d.questions) for d in domains)],
    }


@transaction.atomic
def template_create(
    *, actor: User, name: str, description: str, domains: Sequence[DomainSpec]
) -> AuditTemplate:
    _validate_template(name, domains)
    if AuditTemplate.objects.filter(name__iexact=name.strip(), active=True).exists():
        raise ValidationError(
            {"name": "An active template has this name: supersede it to change it"}
        )
    template = AuditTemplate.objects.create(
        name=name.strip(), description=description.strip(), created_by=actor
    )
    _write_domains(template, domains)
    trail.record(
        actor=actor,
        action=Event.CREATE,
        obj=template,
        changes=_template_changes(template, domains),
    )
    return template


def template_in_use(template: AuditTemplate) -> bool:
    return template.programmes.exists()


@transaction.atomic
def template_supersede(
    *,
    actor: User,
    template: AuditTemplate,
    name: str,
    description: str,
    domains: Sequence[DomainSpec],
    expected_version: int | None = None,
) -> AuditTemplate:
    """A new edition with the changes; the old one stops being offered for new programmes, and
    the audits already made against it keep its domains and questions."""
    check_version(template, expected_version)
    if AuditTemplate.objects.filter(supersedes=template).exists():
        raise ValidationError("This template has already been superseded: change the newest one")
    _validate_template(name, domains)
    clash = AuditTemplate.objects.filter(name__iexact=name.strip(), active=True).exclude(
        pk=template.pk
    )
    if clash.exists():
        raise ValidationError({"name": "Another active template has this name"})
    new = AuditTemplate.objects.create(
        name=name.strip(),
        description=description.strip(),
        created_by=actor,
        edition=template.edition + 1,
        supersedes=template,
    )
    _write_domains(new, domains)
    trail.record(
        actor=actor,
        action=Event.CREATE,
        obj=new,
        changes=_template_changes(new, domains),
        detail=f"Supersedes edition {template.edition}",
    )
    if template.active:
        model_update(
            actor=actor,
            instance=template,
            data={"active": False},
            detail=f"Superseded by edition {new.edition}",
        )
    return new


def template_retire(
    *, actor: User, template: AuditTemplate, expected_version: int | None = None
) -> AuditTemplate:
    """No longer offered for new programmes; audits under way carry on."""
    if not template.active:
        raise ValidationError("This template is already retired")
    return model_update(
        actor=actor,
        instance=template,
        data={"active": False},
        expected_version=expected_version,
        action=Event.ARCHIVE,
        detail="Retired",
    )


def template_as_specs(template: AuditTemplate) -> list[DomainSpec]:
    """The template's domains and questions, to start a new edition from (two queries)."""
    domains = list(template.domains.prefetch_related("questions").order_by("order"))
    return [
        DomainSpec(
            title=d.title,
            theme=d.theme,
            questions=[QuestionSpec(q.text, q.guidance) for q in d.questions.all()],
        )
        for d in domains
    ]


# --- programmes ----------------------------------------------------------------------------------


class Selection:
    TEAM = "team"
    SAMPLE = "sample"
    NAMED = "named"


def select_cases(
    *,
    actor: User,
    method: str,
    team: Team | None = None,
    sample_size: int | None = None,
    child_ids: Iterable[str] = (),
    rng: random.Random | None = None,
) -> list[Person]:
    """The children a programme audits, among those the actor may see: every open case of a
    team, a random sample of them, or children named by child ID."""
    visible = persons_visible_to(actor)
    if method in (Selection.TEAM, Selection.SAMPLE):
        if team is None:
            raise ValidationError({"team": "Select the team whose cases are audited"})
        cases = list(open_cases_of_team(team).filter(pk__in=visible.values("pk")))
        if not cases:
            raise ValidationError({"team": f"{team.name} holds no open cases you can see"})
        if method == Selection.TEAM:
            return cases
        if not sample_size or sample_size < 1:
            raise ValidationError({"sample_size": "Enter how many cases to sample"})
        if sample_size > MAX_SAMPLE:
            raise ValidationError(
                {"sample_size": f"Sample at most {MAX_SAMPLE} cases in one programme"}
            )
        chooser = rng or random.SystemRandom()
        return sorted(
            chooser.sample(cases, min(sample_size, len(cases))),
            key=lambda p: (p.surname, p.forename, p.pk),
        )
    if method == Selection.NAMED:
        wanted = [c.strip().upper() for c in child_ids if c.strip()]
        if not wanted:
            raise ValidationError({"child_ids": "Enter the child ID of at least one child"})
        found = {p.child_id.upper(): p for p in visible.filter(child_id__in=set(wanted))}
        missing = [c for c in dict.fromkeys(wanted) if c not in found]
        if missing:
            raise ValidationError(
                {"child_ids": f"No child you can see has the child ID {', '.join(missing)}"}
            )
        return [found[c] for c in dict.fromkeys(wanted)]
    raise ValidationError({"method": "Select how to choose the cases"})


@dataclass(frozen=True)
class Holder:
    worker_id: int | None
    team_id: int | None
    manager_id: int | None


def _holders(person_ids: Iterable[int]) -> dict[int, Holder]:
    """Each child's current lead worker and team (one query)."""
    rows = Allocation.objects.filter(
        person_id__in=list(person_ids), role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True
    ).values_list("person_id", "worker_id", "team_id", "team__manager_id")
    return {p: Holder(w, t, m) for p, w, t, m in rows}


def _assign(
    persons: Sequence[Person], auditors: Sequence[User], holders: Mapping[int, Holder]
) -> dict[int, User]:
    """Spread the cases evenly over the auditors. Nobody audits a case they hold; a team's own
    manager audits its case only when no one else chosen can."""
    ids = [p.pk for p in persons]
    may_see = {
        a.pk: set(persons_visible_to(a).filter(pk__in=ids).values_list("pk", flat=True))
        for a in auditors
    }
    load = {a.pk: 0 for a in auditors}
    chosen: dict[int, User] = {}
    problems: list[str] = []
    for person in persons:
        holder = holders.get(person.pk, Holder(None, None, None))
        eligible = [a for a in auditors if person.pk in may_see[a.pk] and a.pk != holder.worker_id]
        independent = [a for a in eligible if a.pk != holder.manager_id] or eligible
        if not independent:
            problems.append(f"{person.full_name} ({person.child_id})")
            continue
        auditor = min(independent, key=lambda a: load[a.pk])
        load[auditor.pk] += 1
        chosen[person.pk] = auditor
    if problems:
        raise ValidationError(
            {
                "auditors": "None of the auditors chosen can audit "
                + "; ".join(problems[:5])
                + (f" and {len(problems) - 5} more" if len(problems) > 5 else "")
                + ": they hold the case or may not see the child's record. Choose another auditor"
            }
        )
    return chosen


@transaction.atomic
def programme_create(
    *,
    actor: User,
    name: str,
    template: AuditTemplate,
    period_start: dt.date,
    period_end: dt.date,
    due_by: dt.date,
    persons: Sequence[Person],
    auditors: Sequence[User],
    notes: str = "",
) -> AuditProgramme:
    """The programme, an audit per child spread over the auditors, and a notification each."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not actor.has_perm(MANAGE):
        raise ValidationError("Only someone who runs case audits can create a programme")
    if not name.strip():
        errors["name"] = "Enter a name for the programme"
    if not template.active:
        errors["template"] = "This template has been superseded or retired: choose the current one"
    if period_end < period_start:
        errors["period_end"] = "The end of the period must be the same as or after its start"
    if due_by < today:
        errors["due_by"] = "The due date must be today or in the future"
    elif due_by < period_start:
        errors["due_by"] = "The due date must be on or after the start of the period"
    unique = list({p.pk: p for p in persons}.values())
    if not unique:
        errors["method"] = "Choose at least one case to audit"
    active_auditors = [a for a in dict.fromkeys(auditors) if a.is_active]
    if not active_auditors:
        errors["auditors"] = "Choose at least one auditor"
    if errors:
        raise ValidationError(errors)

    holders = _holders(p.pk for p in unique)
    assignment = _assign(unique, active_auditors, holders)
    programme = AuditProgramme.objects.create(
        name=name.strip(),
        template=template,
        period_start=period_start,
        period_end=period_end,
        due_by=due_by,
        created_by=actor,
        notes=notes.strip(),
    )
    trail.record(
        actor=actor,
        action=Event.CREATE,
        obj=programme,
        changes={
            "template": [None, template.pk],
            "period": [None, f"{period_start.isoformat()} to {period_end.isoformat()}"],
            "due_by": [None, due_by.isoformat()],
            "cases": [None, len(unique)],
        },
    )
    for person in unique:
        holder = holders.get(person.pk, Holder(None, None, None))
        auditor = assignment[person.pk]
        case_audit = CaseAudit.objects.create(
            programme=programme,
            person=person,
            auditor=auditor,
            assigned_on=today,
            due_by=due_by,
            team_id=holder.team_id,
            worker_id=holder.worker_id,
        )
        trail.record(
            actor=actor,
            action=Event.CREATE,
            obj=case_audit,
            person_id=person.pk,
            changes={"auditor": [None, auditor.pk], "due_by": [None, due_by.isoformat()]},
        )
    counts: dict[int, int] = {}
    for auditor in assignment.values():
        counts[auditor.pk] = counts.get(auditor.pk, 0) + 1
    for auditor in active_auditors:
        if counts.get(auditor.pk):
            n = counts[auditor.pk]
            notify(
                recipients=[auditor],
                subject=f"{n} case audit{'s' if n != 1 else ''} to complete by "
                f"{due_by.day} {due_by:%B %Y}",
                body=f"You are the auditor for {programme.name}.",
                url=reverse("case_audits:mine"),
            )
    return programme


# --- reassigning and withdrawing -----------------------------------------------------------------


def _require_open(case_audit: CaseAudit, what: str) -> None:
    if case_audit.status not in OPEN_STATUSES:
        raise ValidationError(
            f"This audit has been {case_audit.get_status_display().lower()}: it cannot be {what}"
        )


@transaction.atomic
def audit_reassign(
    *, actor: User, audit: CaseAudit, auditor: User, expected_version: int | None = None
) -> CaseAudit:
    if not actor.has_perm(MANAGE):
        raise ValidationError("Only someone who runs case audits can reassign an audit")
    _require_open(audit, "reassigned")
    if auditor.pk == audit.auditor_id:
        raise ValidationError({"auditor": f"{auditor} is already the auditor"})
    if not auditor.is_active:
        raise ValidationError({"auditor": "Choose someone whose account is open"})
    if not persons_visible_to(auditor).filter(pk=audit.person_id).exists():
        raise ValidationError({"auditor": f"{auditor} may not see this child's record"})
    lead = current_lead(audit.person_id)
    if auditor.pk in (audit.worker_id, lead.worker_id if lead else None):
        raise ValidationError({"auditor": f"{auditor} holds or held this child's case"})
    audit = model_update(
        actor=actor,
        instance=audit,
        data={"auditor": auditor},
        expected_version=expected_version,
        person_id=audit.person_id,
        detail="Reassigned",
    )
    notify(
        recipients=[auditor],
        subject=f"A case audit to complete by {audit.due_by.day} {audit.due_by:%B %Y}",
        url=reverse("case_audits:audit", args=[audit.pk]),
    )
    return audit


@transaction.atomic
def audit_withdraw(
    *, actor: User, audit: CaseAudit, reason: str, expected_version: int | None = None
) -> CaseAudit:
    """Not audited after all (the case closed, the child moved away); its open actions close."""
    if not actor.has_perm(MANAGE):
        raise ValidationError("Only someone who runs case audits can withdraw an audit")
    _require_open(audit, "withdrawn")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the audit is withdrawn"})
    audit = model_update(
        actor=actor,
        instance=audit,
        data={"status": AuditStatus.WITHDRAWN, "withdrawn_reason": reason.strip()},
        expected_version=expected_version,
        person_id=audit.person_id,
        action=Event.ARCHIVE,
        detail="Withdrawn",
    )
    for action in Action.objects.filter(
        audit=audit, completed_on__isnull=True, cancelled_on__isnull=True
    ):
        action_cancel(actor=actor, action=action, reason=f"Audit withdrawn: {reason.strip()}")
    return audit


# --- conducting an audit -------------------------------------------------------------------------


def _require_auditor(actor: User, audit: CaseAudit) -> None:
    if audit.auditor_id != actor.pk:
        raise ValidationError("Only the assigned auditor can record this audit")


@transaction.atomic
def audit_save(
    *,
    actor: User,
    audit: CaseAudit,
    grades: Mapping[int, tuple[str, str]],
    answers: Mapping[int, tuple[str, str]],
    overall_grade: str,
    summary: str,
    expected_version: int | None = None,
) -> CaseAudit:
    """The auditor's work so far: a grade and commentary per domain (by domain id), an answer
    and comment per question (by question id), the overall grade and a summary."""
    _require_auditor(actor, audit)
    _require_open(audit, "changed")
    check_version(audit, expected_version)
    domains = {d.pk: d for d in AuditDomain.objects.filter(template_id=audit.programme.template_id)}
    questions = set(
        AuditQuestion.objects.filter(domain__template_id=audit.programme.template_id).values_list(
            "pk", flat=True
        )
    )
    if set(grades) - set(domains) or set(answers) - questions:
        raise ValidationError("The audit form does not match the audit's template: reload it")
    for grade, _ in grades.values():
        if grade and grade not in Grade.values:
            raise ValidationError(f"Unknown grade {grade!r}")
    for answer, _ in answers.values():
        if answer and answer not in Answer.values:
            raise ValidationError(f"Unknown answer {answer!r}")
    if overall_grade and overall_grade not in Grade.values:
        raise ValidationError({"overall_grade": "Select a grade from the list"})

    before_graded = audit.domain_grades.exclude(grade="").count()
    existing = {g.domain_id: g for g in audit.domain_grades.all()}
    new_grades, changed_grades = [], []
    for domain_id, (grade, commentary) in grades.items():
        row = existing.get(domain_id)
        if row is None:
            if grade or commentary.strip():
                new_grades.append(
                    DomainGrade(
                        audit=audit, domain_id=domain_id, grade=grade, commentary=commentary.strip()
                    )
                )
        elif (row.grade, row.commentary) != (grade, commentary.strip()):
            row.grade, row.commentary = grade, commentary.strip()
            changed_grades.append(row)
    DomainGrade.objects.bulk_create(new_grades)
    DomainGrade.objects.bulk_update(changed_grades, ["grade", "commentary"])

    existing_answers = {a.question_id: a for a in audit.answers.all()}
    new_answers, changed_answers = [], []
    for question_id, (answer, comment) in answers.items():
        answer_row = existing_answers.get(question_id)
        if answer_row is None:
            if answer or comment.strip():
                new_answers.append(
                    QuestionAnswer(
                        audit=audit, question_id=question_id, answer=answer, comment=comment.strip()
                    )
                )
        elif (answer_row.answer, answer_row.comment) != (answer, comment.strip()):
            answer_row.answer, answer_row.comment = answer, comment.strip()
            changed_answers.append(answer_row)
    QuestionAnswer.objects.bulk_create(new_answers)
    QuestionAnswer.objects.bulk_update(changed_answers, ["answer", "comment"])

    after_graded = audit.domain_grades.exclude(grade="").count()
    before = trail.snapshot(audit, ["status", "overall_grade", "summary"])
    audit.status = AuditStatus.IN_PROGRESS
    audit.overall_grade = overall_grade
    audit.summary = summary.strip()
    audit.started_at = audit.started_at or timezone.now()
    changes = trail.diff(before, trail.snapshot(audit, ["status", "overall_grade", "summary"]))
    if before_graded != after_graded:
        changes["domains_graded"] = [before_graded, after_graded]
    if changed_grades or new_grades:
        changes["domain_grades_changed"] = [None, len(changed_grades) + len(new_grades)]
    if changed_answers or new_answers:
        changes["answers_changed"] = [None, len(changed_answers) + len(new_answers)]
    audit.version = F("version") + 1
    audit.save()
    audit.refresh_from_db()
    trail.record(
        actor=actor,
        action=Event.UPDATE,
        obj=audit,
        person_id=audit.person_id,
        changes=changes,
        detail=f"Draft saved: {after_graded} of {len(domains)} domains graded",
    )
    return audit


def missing_grades(audit: CaseAudit) -> dict[str, str]:
    """What stops the audit being submitted, keyed by the audit form's field names."""
    graded = set(audit.domain_grades.exclude(grade="").values_list("domain_id", flat=True))
    errors = {
        f"domain_{d.pk}_grade": f"Grade ‘{d.title}’"
        for d in AuditDomain.objects.filter(template_id=audit.programme.template_id).order_by(
            "order"
        )
        if d.pk not in graded
    }
    if not audit.overall_grade:
        errors["overall_grade"] = "Select the overall grade for the case"
    return errors


@transaction.atomic
def audit_submit(
    *, actor: User, audit: CaseAudit, expected_version: int | None = None
) -> CaseAudit:
    """Every domain graded and an overall grade: the audit goes for moderation. The team and
    worker holding the case now are recorded with it."""
    _require_auditor(actor, audit)
    _require_open(audit, "submitted again")
    check_version(audit, expected_version)
    errors = missing_grades(audit)
    if errors:
        raise ValidationError(errors)
    lead = current_lead(audit.person_id)
    if lead is not None and lead.worker_id == actor.pk:
        raise ValidationError(
            "You now hold this child's case, so you cannot audit it: ask for the audit to be "
            "reassigned"
        )
    now = timezone.now()
    audit = model_update(
        actor=actor,
        instance=audit,
        data={
            "status": AuditStatus.SUBMITTED,
            "submitted_at": now,
            "started_at": audit.started_at or now,
            "team": lead.team if lead else None,
            "worker": lead.worker if lead else None,
        },
        person_id=audit.person_id,
        detail="Submitted for moderation",
    )
    creator = audit.programme.created_by
    if creator is not None and creator.pk != actor.pk:
        notify(
            recipients=[creator],
            subject="A case audit is ready for moderation",
            url=reverse("case_audits:moderate", args=[audit.pk]),
        )
    return audit


@transaction.atomic
def audit_moderate(
    *,
    actor: User,
    audit: CaseAudit,
    agreed: bool,
    grade: str,
    commentary: str,
    expected_version: int | None = None,
) -> Moderation:
    """A second person checks the audit and agrees or changes the grade: theirs is final."""
    if not actor.has_perm(MANAGE):
        raise ValidationError("Only someone who runs case audits can moderate an audit")
    if audit.auditor_id == actor.pk:
        raise ValidationError(
            "An audit is moderated by a second person: you cannot moderate your own audit"
        )
    if audit.status != AuditStatus.SUBMITTED:
        raise ValidationError(
            "Only a submitted audit can be moderated; this one is "
            f"{audit.get_status_display().lower()}"
        )
    check_version(audit, expected_version)
    errors: dict[str, str] = {}
    if agreed:
        grade = audit.overall_grade
    elif grade not in Grade.values:
        errors["grade"] = "Select the grade the case should have"
    elif grade == audit.overall_grade:
        errors["grade"] = "That is the auditor's grade: answer ‘Yes’ to agree with it"
    if not commentary.strip():
        errors["commentary"] = "Enter your commentary on the audit"
    if errors:
        raise ValidationError(errors)
    moderation = Moderation.objects.create(
        audit=audit,
        moderator=actor,
        agreed=agreed,
        grade=grade,
        commentary=commentary.strip(),
        moderated_at=timezone.now(),
    )
    trail.record(
        actor=actor,
        action=Event.CREATE,
        obj=moderation,
        person_id=audit.person_id,
        changes={"grade": [audit.overall_grade, grade], "agreed": [None, agreed]},
    )
    model_update(
        actor=actor,
        instance=audit,
        data={"status": AuditStatus.MODERATED},
        person_id=audit.person_id,
        detail="Moderated: grade agreed" if agreed else "Moderated: grade changed",
    )
    notify(
        recipients=[audit.auditor],
        subject="Your case audit has been moderated",
        url=reverse("case_audits:audit", args=[audit.pk]),
    )
    return moderation


# --- findings ------------------------------------------------------------------------------------


def _may_record(actor: User, audit: CaseAudit) -> None:
    writing = audit.auditor_id == actor.pk and audit.status in OPEN_STATUSES
    moderating = (
        audit.status == AuditStatus.SUBMITTED
        and audit.auditor_id != actor.pk
        and actor.has_perm(MANAGE)
    )
    if not (writing or moderating):
        raise ValidationError(
            "Findings and actions are recorded by the auditor while writing the audit, or by the "
            "moderator while moderating it"
        )


@transaction.atomic
def finding_add(*, actor: User, audit: CaseAudit, theme: str, kind: str, text: str) -> Finding:
    _may_record(actor, audit)
    errors: dict[str, str] = {}
    if theme not in Theme.values:
        errors["theme"] = "Select the theme of the finding"
    if kind not in FindingKind.values:
        errors["kind"] = "Select whether this is a strength or an area for improvement"
    if not text.strip():
        errors["text"] = "Enter the finding"
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        audit=audit, theme=theme, kind=kind, text=text.strip(), recorded_by=actor
    )
    trail.record(
        actor=actor,
        action=Event.CREATE,
        obj=finding,
        person_id=audit.person_id,
        changes={"theme": [None, theme], "kind": [None, kind]},
    )
    return finding


@transaction.atomic
def finding_remove(*, actor: User, finding: Finding) -> Finding:
    """Taken out of the audit while it is being written (kept, marked removed)."""
    _may_record(actor, finding.audit)
    if finding.removed_at is not None:
        raise ValidationError("This finding has already been removed")
    return model_update(
        actor=actor,
        instance=finding,
        data={"removed_at": timezone.now()},
        person_id=finding.audit.person_id,
        action=Event.ARCHIVE,
        detail="Finding removed",
    )


# --- actions -------------------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    actor: User,
    audit: CaseAudit,
    description: str,
    owner: User,
    due_on: dt.date,
) -> Action:
    """An action on the child's case; the owner is told."""
    _may_record(actor, audit)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter what needs to be done"
    if not owner.is_active:
        errors["owner"] = "Choose someone whose account is open"
    elif not persons_visible_to(owner).filter(pk=audit.person_id).exists():
        errors["owner"] = f"{owner} may not see this child's record: choose someone who can"
    if due_on < today:
        errors["due_on"] = "The due date must be today or in the future"
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        audit=audit,
        person_id=audit.person_id,
        description=description.strip(),
        owner=owner,
        raised_on=today,
        raised_by=actor,
        due_on=due_on,
    )
    trail.record(
        actor=actor,
        action=Event.CREATE,
        obj=action,
        person_id=audit.person_id,
        changes={"owner": [None, owner.pk], "due_on": [None, due_on.isoformat()]},
    )
    notify(
        recipients=[owner],
        subject=f"A case audit action is yours to complete by {due_on.day} {due_on:%B %Y}",
        url=reverse("case_audits:action", args=[action.pk]),
    )
    return action


@transaction.atomic
def action_complete(
    *,
    actor: User,
    action: Action,
    completed_on: dt.date,
    note: str,
    expected_version: int | None = None,
) -> Action:
    """The owner says it is done, and what was done."""
    if action.owner_id != actor.pk:
        raise ValidationError("Only the action's owner can mark it done")
    if not action.is_open:
        raise ValidationError("This action is already closed")
    errors: dict[str, str] = {}
    if completed_on > timezone.localdate():
        errors["completed_on"] = "The date done must be today or in the past"
    elif completed_on < action.raised_on:
        errors["completed_on"] = "The date done must be on or after the day the action was raised"
    if not note.strip():
        errors["completion_note"] = "Enter what was done"
    if errors:
        raise ValidationError(errors)
    return model_update(
        actor=actor,
        instance=action,
        data={"completed_on": completed_on, "completion_note": note.strip(), "completed_by": actor},
        expected_version=expected_version,
        person_id=action.person_id,
        detail="Action done",
    )


@transaction.atomic
def action_cancel(
    *, actor: User, action: Action, reason: str, expected_version: int | None = None
) -> Action:
    """No longer needed (the case closed, the audit was withdrawn): closed with a reason."""
    if not actor.has_perm(MANAGE):
        raise ValidationError("Only someone who runs case audits can cancel an action")
    if not action.is_open:
        raise ValidationError("This action is already closed")
    if not reason.strip():
        raise ValidationError({"cancel_reason": "Enter why the action is no longer needed"})
    return model_update(
        actor=actor,
        instance=action,
        data={"cancelled_on": timezone.localdate(), "cancel_reason": reason.strip()},
        expected_version=expected_version,
        person_id=action.person_id,
        action=Event.ARCHIVE,
        detail="Action cancelled",
    )


def to_answers(data: Mapping[str, Any], question_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    return {
        q: (
            str(data.get(f"question_{q}_answer") or ""),
            str(data.get(f"question_{q}_comment") or ""),
        )
        for q in question_ids
    }


def to_grades(data: Mapping[str, Any], domain_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    return {
        d: (str(data.get(f"domain_{d}_grade") or ""), str(data.get(f"domain_{d}_commentary") or ""))
        for d in domain_ids
    }
