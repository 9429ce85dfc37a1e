"""Writes for child in need episodes and assessments. The CIN census rules that can be checked when
the data is entered are checked here, each with the rule's code in docs/casework.md and a message
that says what to do; every write is one transaction with its audit event and clock events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.core import audit
from hearth.core.choices import AuditAction
from hearth.core.models import Team, User
from hearth.core.services import model_update
from hearth.frontdoor.services import validate_rationale
from hearth.notifications.services import notify
from hearth.people.models import Person
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType

from .codes import (
    NO_FACTORS,
    AssessmentFactor,
    AssessmentOutcome,
    ClosureReason,
    PrimaryNeed,
    ReferralSource,
)
from .models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode

EDIT = "core.edit_case_records"
AUTHORISE = "core.manage_allocations"  # team managers and their deputies
RE_REFERRAL_WINDOW_DAYS = 365
# CIN census 8606: a referral may come up to 40 weeks before the (expected) birth.
PRE_BIRTH_DAYS = 280
AFTER_ASSESSMENT = (ClosureReason.RC8, ClosureReason.RC9)
_TIMESTAMP = "%-d %B %Y"


def _d(day: dt.date) -> str:
    return day.strftime(_TIMESTAMP)


def _require(actor: User, perm: str, what: str) -> None:
    if not actor.has_perm(perm):
        raise ValidationError(f"You do not have permission to {what}")


def _not_future(day: dt.date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


# --- closure checks other apps add ---------------------------------------------------------------

# A check gets the episode and the closure date and returns the reasons it cannot close (empty when
# it can). Child protection registers the open section 47 enquiry; plans end themselves.
ClosureCheck = Callable[[ChildInNeedEpisode, dt.date], list[str]]
_closure_checks: list[ClosureCheck] = []


def register_closure_check(check: ClosureCheck) -> ClosureCheck:
    if check not in _closure_checks:
        _closure_checks.append(check)
    return check


@register_closure_check
def _open_section_47(episode: ChildInNeedEpisode, on: dt.date) -> list[str]:
    """CIN census 8868: every section 47 enquiry of a closed episode is concluded, by its initial
    conference or by the decision that none is needed."""
    from hearth.protection.models import Section47Enquiry

    enquiry = (
        Section47Enquiry.objects.filter(episode=episode, concluded_on__isnull=True)
        .order_by("start_date", "pk")
        .first()
    )
    if enquiry is not None:
        return [
            f"The section 47 enquiry started on {_d(enquiry.start_date)} is open: record the "
            "initial child protection conference, or the enquiry's outcome that one is not "
            "required, before closing the episode (CIN census rule 8868)"
        ]
    return []


def _child_protection_on(episode: ChildInNeedEpisode) -> bool:
    """Whether the episode had a section 47 enquiry or a held initial conference (census
    rules 2990, 8832)."""
    from hearth.protection.codes import INITIAL_KINDS, ConferenceStatus
    from hearth.protection.models import Conference, Section47Enquiry

    return (
        Section47Enquiry.objects.filter(episode=episode).exists()
        or Conference.objects.filter(
            episode=episode, kind__in=INITIAL_KINDS, status=ConferenceStatus.HELD
        ).exists()
    )


# --- episodes ------------------------------------------------------------------------------------


def _check_referral(person: Person, referral_date: dt.date) -> None:
    _not_future(referral_date, "referral_date", "The referral date")
    born = person.date_of_birth or person.expected_date_of_birth
    if born and referral_date < born - dt.timedelta(days=PRE_BIRTH_DAYS):
        raise ValidationError(
            {
                "referral_date": "The referral date is more than 40 weeks before the child's "
                f"(expected) date of birth, {_d(born)} (CIN census rule 8606)"
            }
        )
    if person.date_of_death and referral_date > person.date_of_death:
        raise ValidationError(
            {
                "referral_date": "The referral date is after the child's date of death, "
                f"{_d(person.date_of_death)} (CIN census rule 8555Q)"
            }
        )
    episodes = list(person.cin_episodes.all())
    open_episode = next((e for e in episodes if e.closure_date is None), None)
    if open_episode is not None:
        raise ValidationError(
            {
                "referral_date": "The child already has an open child in need episode (referral "
                f"{_d(open_episode.referral_date)}): close it first or record the new "
                "information on it (CIN census rule 8815)"
            }
        )
    overlapping = [e for e in episodes if e.closure_date and e.closure_date > referral_date]
    if overlapping:
        latest = max(e.closure_date for e in overlapping if e.closure_date)
        raise ValidationError(
            {
                "referral_date": "Episodes must not overlap: an earlier episode closed on "
                f"{_d(latest)}, after this referral date (CIN census rule 8820)"
            }
        )


@transaction.atomic
def episode_open(
    *,
    actor: User | None,
    person: Person,
    referral_date: dt.date,
    referral_source: str,
    primary_need: str,
    team: Team | None = None,
    worker: User | None = None,
) -> ChildInNeedEpisode:
    """A referral: opens the child's child in need episode and starts the assessment clock.

    The front door calls this for a manager's referral decision; casework staff call it for a
    referral recorded directly (a child transferred in from another council, for example)."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one referral at a time
    if referral_source not in ReferralSource.values:
        raise ValidationError({"referral_source": "Select who made the referral (rule 8866)"})
    if primary_need not in PrimaryNeed.values:
        raise ValidationError(
            {"primary_need": "Select the child's primary need (CIN census rule 8610)"}
        )
    _check_referral(person, referral_date)
    earlier = ChildInNeedEpisode.objects.filter(
        person=person,
        referral_date__lt=referral_date,
        referral_date__gte=referral_date - dt.timedelta(days=RE_REFERRAL_WINDOW_DAYS),
    ).exists()
    episode = ChildInNeedEpisode.objects.create(
        person=person,
        referral_date=referral_date,
        referral_source=referral_source,
        primary_need=primary_need,
        referral_nfa=False,
        is_re_referral=earlier,
        referral_team=team,
        referral_worker=worker,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=episode,
        person_id=person.pk,
        changes={
            "referral_date": [None, referral_date.isoformat()],
            "referral_source": [None, referral_source],
            "primary_need": [None, primary_need],
            "is_re_referral": [None, earlier],
        },
    )
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=person.pk,
        name="referral",
        at=referral_date,
        key=f"episode:{episode.pk}",
        source=f"casework.episode:{episode.pk}",
    )
    return episode


def _activity_dates(episode: ChildInNeedEpisode) -> list[tuple[dt.date, str]]:
    dates: list[tuple[dt.date, str]] = []
    for a in episode.assessments.all():
        dates.append((a.start_date, "an assessment started"))
        if a.authorised_on:
            dates.append((a.authorised_on, "an assessment was authorised"))
    for p in episode.plans.all():
        dates.append((p.start_date, f"the {p.get_kind_display().lower()} started"))
    from hearth.protection.models import Section47Enquiry

    for e in Section47Enquiry.objects.filter(episode=episode):
        dates.append((e.start_date, "a section 47 enquiry started"))
        if e.completed_on:
            dates.append((e.completed_on, "a section 47 enquiry was completed"))
        if e.concluded_on:
            dates.append((e.concluded_on, "a section 47 enquiry concluded"))
    return dates


def _close_checks(episode: ChildInNeedEpisode, on: dt.date, reason: str) -> None:
    if episode.closure_date is not None:
        raise ValidationError("This episode is already closed")
    if reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": "Select the reason for closure (rule 8805)"})
    if on < episode.referral_date:
        raise ValidationError(
            {
                "closure_date": "The closure date must be on or after the referral date, "
                f"{_d(episode.referral_date)} (CIN census rule 8630)"
            }
        )
    _not_future(on, "closure_date", "The closure date")
    later = [(day, what) for day, what in _activity_dates(episode) if day > on]
    if later:
        day, what = max(later)
        raise ValidationError(
            {
                "closure_date": f"The closure date is before {what} on {_d(day)}: nothing may be "
                "dated after the closure (CIN census rule 8565)"
            }
        )
    assessments = list(episode.assessments.all())
    unfinished = [a for a in assessments if a.authorised_on is None]
    if unfinished:
        raise ValidationError(
            "The assessment started on "
            f"{_d(unfinished[0].start_date)} is not authorised: a manager authorises it before "
            "the episode closes (CIN census rule 8867)"
        )
    person = episode.person
    if reason == ClosureReason.RC2 and not person.date_of_death:
        raise ValidationError(
            {
                "closure_reason": "Record the child's date of death on their details before "
                "closing the episode because the child died (CIN census rule 8585Q)"
            }
        )
    if reason in AFTER_ASSESSMENT:
        if not assessments:
            raise ValidationError(
                {
                    "closure_reason": "RC8 and RC9 mean the case closed after an assessment, and "
                    "this episode has none (CIN census rule 8825Q)"
                }
            )
        protection = [p for p in episode.plans.all() if p.kind == "cp"]
        if protection or _child_protection_on(episode):
            raise ValidationError(
                {
                    "closure_reason": "This episode had a section 47 enquiry or a child "
                    "protection plan, so it did not close straight after the assessment: choose "
                    "another reason (CIN census rule 2990)"
                }
            )
    # Closing as "no longer in need" after one assessment that found nothing is the census's
    # "closed after assessment" (RC8/RC9); adoption, death or a transfer are their own reasons.
    if len(assessments) == 1 and reason == ClosureReason.RC7:
        codes = {f.code for f in assessments[0].factors.all()}
        if codes == {NO_FACTORS}:
            raise ValidationError(
                {
                    "closure_reason": "The only assessment found no factors (21), so the case "
                    "closed after assessment: choose RC8 (no further action) or RC9 (referred "
                    "to early help) rather than RC7 (CIN census rule 8873Q)"
                }
            )
    problems = [message for check in _closure_checks for message in check(episode, on)]
    if problems:
        raise ValidationError(problems)


def _after_closure(actor: User, episode: ChildInNeedEpisode, on: dt.date) -> None:
    # Plans of the episode end with it; the people on the case stop holding it.
    from hearth.plans.services import plans_end_for_closed_episode
    from hearth.workforce.services import allocations_end_for_closed_case

    plans_end_for_closed_episode(actor=actor, episode=episode, on=on)
    allocations_end_for_closed_case(actor=actor, person=episode.person, on=on)
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=episode.person_id,
        name="episode-closed",
        at=on,
        key=f"episode:{episode.pk}",
        source=f"casework.episode:{episode.pk}:closed",
    )


@transaction.atomic
def episode_close(
    *,
    actor: User,
    episode: ChildInNeedEpisode,
    closure_date: dt.date,
    closure_reason: str,
    summary: str,
    expected_version: int | None,
) -> ChildInNeedEpisode:
    """A manager closes the episode with the census reason and a closure summary."""
    _require(actor, AUTHORISE, "close a child in need episode")
    episode = ChildInNeedEpisode.objects.select_for_update().get(pk=episode.pk)
    _close_checks(episode, closure_date, closure_reason)
    summary = validate_rationale(
        summary,
        "closure_summary",
        what="closure",
        explain="why the case is closing, what has changed for the child and what support "
        "continues",
    )
    episode = model_update(
        actor=actor,
        instance=episode,
        data={
            "closure_date": closure_date,
            "closure_reason": closure_reason,
            "closure_summary": summary,
            "closed_by": actor,
        },
        expected_version=expected_version,
        person_id=episode.person_id,
        detail="Episode closed",
    )
    _after_closure(actor, episode, closure_date)
    return episode


@transaction.atomic
def episode_no_further_action(
    *,
    actor: User,
    episode: ChildInNeedEpisode,
    on: dt.date,
    reason: str,
    expected_version: int | None,
) -> ChildInNeedEpisode:
    """No further action on the referral before any assessment: the census's ReferralNFA. The
    episode closes the same day (RC7) and the assessment clock stops."""
    _require(actor, AUTHORISE, "decide no further action on a referral")
    episode = ChildInNeedEpisode.objects.select_for_update().get(pk=episode.pk)
    if episode.closure_date is not None:
        raise ValidationError("This episode is already closed")
    if episode.assessments.exists() or episode.plans.exists():
        raise ValidationError(
            "An assessment or plan is recorded on this referral, so it was not a referral with no "
            "further action: close the episode with a reason instead (CIN census rules 8831, 4000)"
        )
    if _child_protection_on(episode):
        raise ValidationError(
            "A section 47 enquiry was started on this referral, so it was not a referral with no "
            "further action: close the episode with a reason instead (CIN census rules 8832, 8831)"
        )
    if on < episode.referral_date:
        raise ValidationError(
            {"on": f"The decision cannot be before the referral, {_d(episode.referral_date)}"}
        )
    _not_future(on, "on", "The date of the decision")
    reason = validate_rationale(
        reason,
        "reason",
        what="decision",
        explain="what the referral said, what was checked and why no further action is needed",
    )
    episode = model_update(
        actor=actor,
        instance=episode,
        data={
            "referral_nfa": True,
            "closure_date": on,
            "closure_reason": ClosureReason.RC7,
            "closure_summary": reason,
            "closed_by": actor,
        },
        expected_version=expected_version,
        person_id=episode.person_id,
        detail="No further action on the referral",
    )
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=episode.person_id,
        name="referral-nfa",
        at=on,
        key=f"episode:{episode.pk}",
        source=f"casework.episode:{episode.pk}:nfa",
    )
    _after_closure(actor, episode, on)
    return episode


# --- assessments ---------------------------------------------------------------------------------


def _open_episode_for_work(episode: ChildInNeedEpisode) -> None:
    if episode.referral_nfa:
        raise ValidationError(
            "This referral was closed with no further action, so it has no assessment "
            "(CIN census rule 8831)"
        )
    if episode.closure_date is not None:
        raise ValidationError(
            f"This episode closed on {_d(episode.closure_date)}: open a new referral instead "
            "(CIN census rule 8565)"
        )


@transaction.atomic
def assessment_start(
    *,
    actor: User,
    episode: ChildInNeedEpisode,
    start_date: dt.date,
    worker: User | None = None,
    team: Team | None = None,
) -> Assessment:
    _require(actor, EDIT, "record assessments")
    episode = ChildInNeedEpisode.objects.select_for_update().get(pk=episode.pk)
    _open_episode_for_work(episode)
    if start_date < episode.referral_date:
        raise ValidationError(
            {
                "start_date": "The assessment cannot start before the referral, "
                f"{_d(episode.referral_date)} (CIN census rule 1103)"
            }
        )
    _not_future(start_date, "start_date", "The start date")
    earlier = list(episode.assessments.all())
    unfinished = [a for a in earlier if a.authorised_on is None]
    if unfinished:
        raise ValidationError(
            "An assessment started on "
            f"{_d(unfinished[0].start_date)} is not yet authorised: finish it first (one open "
            "assessment per episode, CIN census rule 8896)"
        )
    overlapping = [a for a in earlier if a.authorised_on and a.authorised_on > start_date]
    if overlapping:
        raise ValidationError(
            {
                "start_date": "A further assessment starts after the last one was authorised, on "
                f"{_d(max(a.authorised_on for a in overlapping if a.authorised_on))} "
                "(CIN census rule 8863Q)"
            }
        )
    worker = worker or actor
    if team is None:
        membership = worker.memberships.filter(end_date__isnull=True).select_related("team")
        team = next((m.team for m in membership[:1]), None)
    assessment = Assessment.objects.create(
        episode=episode,
        person_id=episode.person_id,
        start_date=start_date,
        worker=worker,
        team=team,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assessment,
        person_id=episode.person_id,
        changes={"start_date": [None, start_date.isoformat()], "worker": [None, str(worker)]},
    )
    return assessment


def validate_factors(codes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(codes))  # no code twice (CIN census rule 8898)
    unknown = [c for c in chosen if c not in AssessmentFactor.values]
    if unknown:
        raise ValidationError({"factors": f"Unknown factor code {unknown[0]}"})
    if NO_FACTORS in chosen and len(chosen) > 1:
        raise ValidationError(
            {
                "factors": "“No factors identified” (21) cannot be chosen with other factors "
                "(CIN census rule 8869)"
            }
        )
    return chosen


def _locked(assessment: Assessment) -> None:
    if assessment.authorised_on is not None:
        raise ValidationError(
            f"This assessment was authorised on {_d(assessment.authorised_on)} and cannot be "
            "changed: start a further assessment if things have changed"
        )


ASSESSMENT_FIELDS = ("child_seen_on", "seen_alone", "child_views", "analysis", "outcome")


@transaction.atomic
def assessment_update(
    *,
    actor: User,
    assessment: Assessment,
    data: dict[str, object],
    factors: Iterable[str] | None,
    expected_version: int | None,
) -> Assessment:
    """The social worker's record of the assessment: when the child was seen, their words,
    factors, analysis and the proposed outcome."""
    _require(actor, EDIT, "record assessments")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _locked(assessment)
    if assessment.submitted_at is not None:
        raise ValidationError(
            "This assessment is waiting for authorisation: ask your manager to return it if it "
            "needs changing, so they authorise what they read"
        )
    unknown = set(data) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise ValueError(f"Not assessment fields: {sorted(unknown)}")
    seen = data.get("child_seen_on", assessment.child_seen_on)
    if isinstance(seen, dt.date):
        if seen < assessment.episode.referral_date:
            raise ValidationError(
                {
                    "child_seen_on": "The date the child was seen cannot be before the referral, "
                    f"{_d(assessment.episode.referral_date)}"
                }
            )
        _not_future(seen, "child_seen_on", "The date the child was seen")
    elif data.get("seen_alone") is not None:
        raise ValidationError(
            {"seen_alone": "Record the date the child was seen before whether they were alone"}
        )
    if not isinstance(seen, dt.date):
        data = {**data, "seen_alone": None}
    outcome = data.get("outcome", assessment.outcome)
    if outcome and outcome not in AssessmentOutcome.values:
        raise ValidationError({"outcome": "Select an outcome from the list"})
    related = None
    if factors is not None:
        chosen = validate_factors(factors)
        before = [f.code for f in assessment.factors.all()]
        if sorted(before) != sorted(chosen):
            assessment.factors.all().delete()  # the list is replaced; the audit keeps the old one
            AssessmentFactorIdentified.objects.bulk_create(
                AssessmentFactorIdentified(assessment=assessment, code=c) for c in chosen
            )
            related = {"factors": [before, chosen]}
    return model_update(
        actor=actor,
        instance=assessment,
        data=data,
        expected_version=expected_version,
        person_id=assessment.person_id,
        related_changes=related,
        detail="Assessment",
    )


def submission_problems(assessment: Assessment) -> list[str]:
    """What must be recorded before an assessment can go to a manager (also shown on its page)."""
    problems = []
    person = assessment.person
    if assessment.child_seen_on is None and not person.is_unborn:
        problems.append("Record the date the child was seen: every assessment sees the child")
    if assessment.child_seen_on is not None and not assessment.child_views.strip():
        problems.append("Record what the child said or showed you, in their own words")
    if not assessment.analysis.strip():
        problems.append("Write the analysis: the strengths, the worries and their impact")
    if not assessment.factors.exists():
        problems.append(
            "Choose the factors identified, or “No factors identified” (CIN census rule 8897Q)"
        )
    if not assessment.outcome:
        problems.append("Choose the outcome you propose")
    return problems


@transaction.atomic
def assessment_submit(
    *, actor: User, assessment: Assessment, expected_version: int | None
) -> Assessment:
    """The worker sends the assessment to their manager for authorisation."""
    _require(actor, EDIT, "record assessments")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _locked(assessment)
    if assessment.submitted_at is not None:
        raise ValidationError("This assessment is already waiting for authorisation")
    problems = submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    assessment = model_update(
        actor=actor,
        instance=assessment,
        data={"submitted_at": timezone.now(), "return_reason": ""},
        expected_version=expected_version,
        person_id=assessment.person_id,
        detail="Sent for authorisation",
    )
    managers = [m for m in _managers_of(assessment) if m.pk != actor.pk]
    if managers:
        url = f"/casework/assessments/{assessment.pk}/"
        transaction.on_commit(
            lambda: notify(
                recipients=managers,
                subject="An assessment is waiting for your authorisation",
                body="An assessment on a child in your team has been sent for authorisation.",
                url=url,
            )
        )
    return assessment


def _managers_of(assessment: Assessment) -> list[User]:
    worker = assessment.worker
    return [worker.line_manager] if worker.line_manager_id and worker.line_manager else []


@transaction.atomic
def assessment_authorise(
    *,
    actor: User,
    assessment: Assessment,
    authorised_on: dt.date,
    rationale: str,
    expected_version: int | None,
) -> Assessment:
    """The manager authorises the assessment: the CIN census's completion date. It meets the
    assessment clock; an outcome of a strategy discussion starts that clock."""
    _require(actor, AUTHORISE, "authorise assessments")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _locked(assessment)
    if assessment.submitted_at is None:
        raise ValidationError("The social worker has not sent this assessment for authorisation")
    if assessment.worker_id == actor.pk:
        raise ValidationError(
            "You cannot authorise an assessment you completed: another manager authorises it"
        )
    problems = submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    if authorised_on < assessment.start_date:
        raise ValidationError(
            {
                "authorised_on": "Authorisation cannot be before the assessment started, "
                f"{_d(assessment.start_date)} (CIN census rule 8608)"
            }
        )
    _not_future(authorised_on, "authorised_on", "The authorisation date")
    episode = assessment.episode
    if episode.closure_date is not None:
        raise ValidationError("The episode is closed")
    rationale = validate_rationale(
        rationale,
        "authorisation_rationale",
        what="authorisation",
        explain="whether the analysis is evidenced, whether the child's voice is heard and why "
        "the outcome meets the child's needs",
    )
    assessment = model_update(
        actor=actor,
        instance=assessment,
        data={
            "authorised_on": authorised_on,
            "authorised_by": actor,
            "authorisation_rationale": rationale,
            "return_reason": "",
        },
        expected_version=expected_version,
        person_id=assessment.person_id,
        detail="Assessment authorised",
    )
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=assessment.person_id,
        name="assessment-completed",
        at=authorised_on,
        key=f"episode:{episode.pk}",
        source=f"casework.assessment:{assessment.pk}",
    )
    if assessment.outcome == AssessmentOutcome.STRATEGY_DISCUSSION:
        timescales.record_event(
            subject_type=SubjectType.CHILD,
            subject_id=assessment.person_id,
            name="significant-harm-concern",
            at=authorised_on,
            source=f"casework.assessment:{assessment.pk}:strategy",
        )
    worker = assessment.worker
    if worker.pk != actor.pk:
        url = f"/casework/assessments/{assessment.pk}/"
        transaction.on_commit(
            lambda: notify(
                recipients=[worker],
                subject="Your assessment has been authorised",
                body="A manager authorised an assessment you completed. Its next steps are on it.",
                url=url,
            )
        )
    return assessment


@transaction.atomic
def assessment_return(
    *, actor: User, assessment: Assessment, reason: str, expected_version: int | None
) -> Assessment:
    """The manager sends the assessment back to the worker with what needs doing."""
    _require(actor, AUTHORISE, "return assessments")
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _locked(assessment)
    if assessment.submitted_at is None:
        raise ValidationError("This assessment is not waiting for authorisation")
    reason = validate_rationale(
        reason,
        "reason",
        what="return",
        explain="what is missing or needs more analysis before you can authorise it",
    )
    assessment = model_update(
        actor=actor,
        instance=assessment,
        data={"submitted_at": None, "return_reason": reason},
        expected_version=expected_version,
        person_id=assessment.person_id,
        detail="Returned to the worker",
    )
    worker = assessment.worker
    url = f"/casework/assessments/{assessment.pk}/"
    transaction.on_commit(
        lambda: notify(
            recipients=[worker],
            subject="Your assessment has been returned",
            body="A manager returned an assessment to you with what it needs before "
            "authorisation. Their reasons are in the record's history.",
            url=url,
        )
    )
    return assessment
