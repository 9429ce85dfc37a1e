"""The casework services: every rule with its message (each CIN census rule refused with nothing
changed), the assessment workflow and its clocks, closure and what it ends, concurrent edits,
audit events and notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model

from hearth.casework import services
from hearth.casework.codes import AssessmentOutcome
from hearth.casework.models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode
from hearth.core.models import AuditEvent, User
from hearth.core.services import ConcurrentEditError
from hearth.notifications.models import Notification
from hearth.people.models import Person
from hearth.people.tests.factories import make_child
from hearth.protection.models import Section47Enquiry
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState
from hearth.workforce.models import Allocation

from .factories import (
    NFA_REASON,
    RATIONALE,
    REASON,
    SUMMARY,
    Setting,
    authorised_assessment,
    days_ago,
    make_assessment,
    make_setting,
    submitted_assessment,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(make_user: Callable[..., User]) -> Setting:
    return make_setting(make_user)


def refused(
    call: Callable[[], Any], message: str, *records: Model, field: str | None = None
) -> ValidationError:
    """`call` raises a ValidationError containing `message` (under `field` when given) and
    changes nothing: no audit event, no new episode or assessment, `records` as they were."""
    before = [(type(r).objects.filter(pk=r.pk).values().get()) for r in records]  # type: ignore[attr-defined]
    counts = (
        AuditEvent.objects.count(),
        ChildInNeedEpisode.objects.count(),
        Assessment.objects.count(),
        AssessmentFactorIdentified.objects.count(),
        ClockEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    messages = error.message_dict.get(field, []) if field else error.messages
    assert any(message in m for m in messages), (message, error.messages)
    assert [(type(r).objects.filter(pk=r.pk).values().get()) for r in records] == before  # type: ignore[attr-defined]
    assert (
        AuditEvent.objects.count(),
        ChildInNeedEpisode.objects.count(),
        Assessment.objects.count(),
        AssessmentFactorIdentified.objects.count(),
        ClockEvent.objects.count(),
    ) == counts
    return error


def deadline(person: Person, rule: str) -> Deadline:
    return Deadline.objects.filter(subject_type="child", subject_id=person.pk, rule_code=rule).get()


def section_47(setting: Setting, started: int, **fields: Any) -> Section47Enquiry:
    """A strategy discussion `started` days ago started a section 47 enquiry (built at model
    level, as the child protection tests build one)."""
    from hearth.protection.tests.factories import ProtectionSetting, make_enquiry

    protection = ProtectionSetting(
        manager=setting.manager,
        worker=setting.worker,
        chair=setting.manager,
        team=setting.team,
        child=setting.child,
        episode=setting.episode,
    )
    return make_enquiry(protection, started=started, **fields)


def open_referral(person: Person, on: dt.date, **overrides: Any) -> ChildInNeedEpisode:
    values: dict[str, Any] = {
        "actor": None,
        "person": person,
        "referral_date": on,
        "referral_source": "2A",
        "primary_need": "N4",
    }
    values.update(overrides)
    return services.episode_open(**values)


def close(setting: Setting, **overrides: Any) -> ChildInNeedEpisode:
    episode = ChildInNeedEpisode.objects.get(pk=setting.episode.pk)
    values: dict[str, Any] = {
        "actor": setting.manager,
        "episode": episode,
        "closure_date": today(),
        "closure_reason": "RC7",
        "summary": SUMMARY,
        "expected_version": episode.version,
    }
    values.update(overrides)
    return services.episode_close(**values)


def nfa(setting: Setting, **overrides: Any) -> ChildInNeedEpisode:
    episode = ChildInNeedEpisode.objects.get(pk=setting.episode.pk)
    values: dict[str, Any] = {
        "actor": setting.manager,
        "episode": episode,
        "on": days_ago(59),
        "reason": NFA_REASON,
        "expected_version": episode.version,
    }
    values.update(overrides)
    return services.episode_no_further_action(**values)


def authorise(setting: Setting, assessment: Assessment, **overrides: Any) -> Assessment:
    assessment = Assessment.objects.get(pk=assessment.pk)
    values: dict[str, Any] = {
        "actor": setting.manager,
        "assessment": assessment,
        "authorised_on": today(),
        "rationale": RATIONALE,
        "expected_version": assessment.version,
    }
    values.update(overrides)
    return services.assessment_authorise(**values)


# --- opening an episode --------------------------------------------------------------------------


def test_a_referral_opens_the_episode_and_starts_the_assessment_clock(
    setting: Setting,
) -> None:
    episode = setting.episode
    assert episode.is_open and not episode.referral_nfa and not episode.is_re_referral
    assert episode.referral_team == setting.team and episode.referral_worker == setting.worker
    event = AuditEvent.objects.get(
        action="create", object_type="casework.childinneedepisode", object_id=str(episode.pk)
    )
    assert event.person_id == str(setting.child.pk)
    assert event.changes["referral_source"] == [None, "6"]
    assert ClockEvent.objects.filter(
        name="referral", subject_id=setting.child.pk, source=f"casework.episode:{episode.pk}"
    ).exists()
    clock = deadline(setting.child, "assessment")
    assert clock.state == DeadlineState.OPEN and clock.starts_on == episode.referral_date


def test_a_referral_within_a_year_of_another_is_a_re_referral() -> None:
    child = make_child()
    first = open_referral(child, days_ago(300))
    ChildInNeedEpisode.objects.filter(pk=first.pk).update(
        closure_date=days_ago(250), closure_reason="RC7"
    )
    again = open_referral(child, days_ago(10))
    assert again.is_re_referral


def test_a_referral_needs_a_source_8866() -> None:
    child = make_child()
    refused(lambda: open_referral(child, days_ago(3), referral_source="99"), "8866")
    refused(lambda: open_referral(child, days_ago(3), referral_source=""), "8866")


def test_a_referral_needs_a_primary_need_8610() -> None:
    child = make_child()
    refused(
        lambda: open_referral(child, days_ago(3), primary_need=""),
        "8610",
        field="primary_need",
    )


def test_a_referral_is_not_in_the_future_8600() -> None:
    child = make_child()
    refused(
        lambda: open_referral(child, today() + dt.timedelta(days=1)),
        "must be today or in the past",
        field="referral_date",
    )


def test_a_referral_at_most_40_weeks_before_birth_8606() -> None:
    child = make_child(date_of_birth=days_ago(10))
    refused(lambda: open_referral(child, days_ago(291)), "8606", field="referral_date")
    assert open_referral(child, days_ago(290)).referral_date == days_ago(290)


def test_an_unborn_childs_referral_counts_from_the_expected_birth_8606() -> None:
    child = make_child(
        date_of_birth=None, expected_date_of_birth=today() + dt.timedelta(days=60), sex="U"
    )
    refused(lambda: open_referral(child, days_ago(221)), "8606", field="referral_date")
    assert open_referral(child, days_ago(220)).is_open


def test_no_referral_after_the_childs_death_8555q() -> None:
    child = make_child()
    Person.objects.filter(pk=child.pk).update(date_of_death=days_ago(30))
    child.refresh_from_db()
    # 8555Q: "Child cannot be referred after its recorded date of death" (4008 is about CIN plans).
    error = refused(lambda: open_referral(child, days_ago(29)), "date of death", child)
    assert "8555Q" in error.message_dict["referral_date"][0]


def test_one_open_episode_per_child_8815(setting: Setting) -> None:
    refused(
        lambda: open_referral(setting.child, days_ago(1)),
        "8815",
        setting.episode,
        field="referral_date",
    )


def test_episodes_do_not_overlap_8820() -> None:
    child = make_child()
    first = open_referral(child, days_ago(100))
    ChildInNeedEpisode.objects.filter(pk=first.pk).update(
        closure_date=days_ago(20), closure_reason="RC7"
    )
    refused(lambda: open_referral(child, days_ago(21)), "8820", first, field="referral_date")
    # A new referral may come the day the earlier episode closed.
    assert open_referral(child, days_ago(20)).is_open


# --- assessments: start --------------------------------------------------------------------------


def test_start_an_assessment(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    assert assessment.person == setting.child and assessment.worker == setting.worker
    assert assessment.status == "In progress"
    assert AuditEvent.objects.filter(
        action="create", object_type="casework.assessment", object_id=str(assessment.pk)
    ).exists()


def test_starting_an_assessment_needs_the_edit_permission(
    setting: Setting, make_user: Callable[..., User]
) -> None:
    clerk = make_user("business_support")
    refused(
        lambda: services.assessment_start(
            actor=clerk, episode=setting.episode, start_date=days_ago(1)
        ),
        "You do not have permission to record assessments",
    )


def test_an_assessment_cannot_start_before_the_referral_1103(setting: Setting) -> None:
    refused(
        lambda: services.assessment_start(
            actor=setting.worker, episode=setting.episode, start_date=days_ago(61)
        ),
        "1103",
        setting.episode,
        field="start_date",
    )


def test_an_assessment_cannot_start_in_the_future(setting: Setting) -> None:
    refused(
        lambda: services.assessment_start(
            actor=setting.worker, episode=setting.episode, start_date=today() + dt.timedelta(1)
        ),
        "must be today or in the past",
        field="start_date",
    )


def test_one_open_assessment_per_episode_8896(setting: Setting) -> None:
    make_assessment(setting.episode, setting.worker, recorded=False)
    refused(
        lambda: services.assessment_start(
            actor=setting.worker, episode=setting.episode, start_date=days_ago(1)
        ),
        "8896",
    )


def test_a_further_assessment_starts_after_the_last_was_authorised_8863q(
    setting: Setting,
) -> None:
    authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(10)
    )
    refused(
        lambda: services.assessment_start(
            actor=setting.worker, episode=setting.episode, start_date=days_ago(11)
        ),
        "8863Q",
        field="start_date",
    )
    further = services.assessment_start(
        actor=setting.worker, episode=setting.episode, start_date=days_ago(10)
    )
    assert further.start_date == days_ago(10)


def test_no_assessment_on_a_referral_with_no_further_action_8831(setting: Setting) -> None:
    episode = nfa(setting)
    refused(
        lambda: services.assessment_start(
            actor=setting.worker, episode=episode, start_date=days_ago(59)
        ),
        "8831",
    )


def test_no_assessment_on_a_closed_episode_8565(setting: Setting) -> None:
    authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(20)
    )
    episode = close(setting, closure_date=days_ago(10))
    refused(
        lambda: services.assessment_start(
            actor=setting.worker, episode=episode, start_date=days_ago(5)
        ),
        "8565",
    )


# --- assessments: the record ---------------------------------------------------------------------


def test_record_the_assessment_and_its_factors(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    updated = services.assessment_update(
        actor=setting.worker,
        assessment=assessment,
        data={"child_seen_on": days_ago(55), "seen_alone": True, "analysis": "Worries: neglect."},
        factors=["16A", "4B", "16A"],  # 8898: a code chosen twice is kept once
        expected_version=assessment.version,
    )
    assert updated.version == assessment.version + 1
    assert [f.code for f in updated.factors.all()] == ["16A", "4B"]
    event = AuditEvent.objects.filter(
        action="update", object_type="casework.assessment", object_id=str(assessment.pk)
    ).get()
    assert event.changes["factors"] == [[], ["16A", "4B"]]
    assert event.changes["analysis"] == ["", "Worries: neglect."]
    again = services.assessment_update(
        actor=setting.worker,
        assessment=updated,
        data={},
        factors=["3B"],
        expected_version=updated.version,
    )
    assert [f.code for f in again.factors.all()] == ["3B"]
    latest = AuditEvent.objects.filter(object_id=str(assessment.pk), action="update").first()
    assert latest is not None and latest.changes["factors"] == [["16A", "4B"], ["3B"]]


def test_no_factors_identified_stands_alone_8869(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, factors=["3B"])
    refused(
        lambda: services.assessment_update(
            actor=setting.worker,
            assessment=assessment,
            data={},
            factors=["21", "3B"],
            expected_version=assessment.version,
        ),
        "8869",
        assessment,
        field="factors",
    )
    assert [f.code for f in assessment.factors.all()] == ["3B"]


def test_an_unknown_factor_code_is_refused(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    refused(
        lambda: services.assessment_update(
            actor=setting.worker,
            assessment=assessment,
            data={},
            factors=["99Z"],
            expected_version=assessment.version,
        ),
        "Unknown factor code 99Z",
        assessment,
        field="factors",
    )


def test_the_child_is_seen_after_the_referral_and_not_in_the_future(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)

    def seen(day: dt.date) -> Callable[[], Any]:
        return lambda: services.assessment_update(
            actor=setting.worker,
            assessment=assessment,
            data={"child_seen_on": day},
            factors=None,
            expected_version=assessment.version,
        )

    refused(seen(days_ago(61)), "cannot be before the referral", assessment, field="child_seen_on")
    refused(
        seen(today() + dt.timedelta(days=1)),
        "must be today or in the past",
        assessment,
        field="child_seen_on",
    )


def test_seen_alone_only_once_the_child_is_seen(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    refused(
        lambda: services.assessment_update(
            actor=setting.worker,
            assessment=assessment,
            data={"seen_alone": True},
            factors=None,
            expected_version=assessment.version,
        ),
        "Record the date the child was seen",
        assessment,
        field="seen_alone",
    )
    # Clearing the date the child was seen clears whether they were alone.
    done = services.assessment_update(
        actor=setting.worker,
        assessment=assessment,
        data={"child_seen_on": days_ago(50), "seen_alone": False},
        factors=None,
        expected_version=assessment.version,
    )
    cleared = services.assessment_update(
        actor=setting.worker,
        assessment=done,
        data={"child_seen_on": None},
        factors=None,
        expected_version=done.version,
    )
    assert cleared.child_seen_on is None and cleared.seen_alone is None


def test_the_outcome_comes_from_the_list(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    refused(
        lambda: services.assessment_update(
            actor=setting.worker,
            assessment=assessment,
            data={"outcome": "adoption"},
            factors=None,
            expected_version=assessment.version,
        ),
        "Select an outcome from the list",
        assessment,
        field="outcome",
    )


def test_only_assessment_fields_are_changed(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    with pytest.raises(ValueError, match="authorised_on"):
        services.assessment_update(
            actor=setting.worker,
            assessment=assessment,
            data={"authorised_on": today()},
            factors=None,
            expected_version=assessment.version,
        )


def test_recording_needs_the_edit_permission(
    setting: Setting, make_user: Callable[..., User]
) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    refused(
        lambda: services.assessment_update(
            actor=make_user("business_support"),
            assessment=assessment,
            data={"analysis": "Something."},
            factors=None,
            expected_version=assessment.version,
        ),
        "permission",
        assessment,
    )


def test_a_stale_version_is_a_concurrent_edit_and_changes_nothing(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, factors=["3B"])
    audits = AuditEvent.objects.count()
    with pytest.raises(ConcurrentEditError):
        services.assessment_update(
            actor=setting.worker,
            assessment=assessment,
            data={"analysis": "A different analysis."},
            factors=["16A"],
            expected_version=assessment.version - 1,
        )
    assessment.refresh_from_db()
    assert [f.code for f in assessment.factors.all()] == ["3B"]
    assert assessment.analysis != "A different analysis."
    assert AuditEvent.objects.count() == audits


# --- sending for authorisation -------------------------------------------------------------------


def test_what_is_missing_before_it_can_be_sent(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker, recorded=False)
    problems = services.submission_problems(assessment)
    assert len(problems) == 4
    assert any("date the child was seen" in p for p in problems)
    assert any("8897Q" in p for p in problems)
    error = refused(
        lambda: services.assessment_submit(
            actor=setting.worker, assessment=assessment, expected_version=assessment.version
        ),
        "8897Q",
        assessment,
    )
    assert "Choose the outcome you propose" in error.messages
    seen = services.assessment_update(
        actor=setting.worker,
        assessment=assessment,
        data={"child_seen_on": days_ago(50)},
        factors=None,
        expected_version=assessment.version,
    )
    assert "Record what the child said or showed you, in their own words" in (
        services.submission_problems(seen)
    )


def test_an_unborn_child_is_not_seen(make_user: Callable[..., User]) -> None:
    child = make_child(
        date_of_birth=None, expected_date_of_birth=today() + dt.timedelta(days=60), sex="U"
    )
    episode = open_referral(child, days_ago(20))
    assessment = make_assessment(
        episode, make_user("social_worker"), child_seen_on=None, seen_alone=None, child_views=""
    )
    assert services.submission_problems(assessment) == []


def test_send_for_authorisation_tells_the_manager(
    setting: Setting, django_capture_on_commit_callbacks: Any
) -> None:
    assessment = make_assessment(setting.episode, setting.worker)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.assessment_submit(
            actor=setting.worker, assessment=assessment, expected_version=assessment.version
        )
    assert sent.submitted_at is not None and sent.status == "Awaiting authorisation"
    note = Notification.objects.get(recipient=setting.manager)
    assert note.url == f"/casework/assessments/{assessment.pk}/"
    refused(
        lambda: services.assessment_submit(
            actor=setting.worker, assessment=sent, expected_version=sent.version
        ),
        "already waiting for authorisation",
        sent,
    )


# --- authorisation -------------------------------------------------------------------------------


def test_start_record_send_authorise_meets_the_assessment_clock(
    setting: Setting, django_capture_on_commit_callbacks: Any
) -> None:
    assessment = submitted_assessment(setting.episode, setting.worker, start_date=days_ago(58))
    assert deadline(setting.child, "assessment").state == DeadlineState.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        done = authorise(setting, assessment, authorised_on=days_ago(2))
    assert done.status == "Authorised" and done.authorised_by == setting.manager
    assert done.authorisation_rationale == RATIONALE
    clock = deadline(setting.child, "assessment")
    assert clock.state == DeadlineState.MET and clock.met_on == days_ago(2)
    event = ClockEvent.objects.get(name="assessment-completed", subject_id=setting.child.pk)
    assert event.source == f"casework.assessment:{done.pk}"
    assert event.key == f"episode:{setting.episode.pk}"
    assert AuditEvent.objects.filter(
        object_id=str(done.pk), object_type="casework.assessment", detail="Assessment authorised"
    ).exists()
    assert Notification.objects.filter(
        recipient=setting.worker, subject="Your assessment has been authorised"
    ).exists()
    # Authorised is final: neither the record nor the authorisation changes again.
    refused(
        lambda: services.assessment_update(
            actor=setting.worker,
            assessment=done,
            data={"analysis": "Changed."},
            factors=None,
            expected_version=done.version,
        ),
        "cannot be changed",
        done,
    )
    refused(lambda: authorise(setting, done), "cannot be changed", done)


def test_a_strategy_discussion_outcome_starts_that_clock(setting: Setting) -> None:
    assessment = submitted_assessment(
        setting.episode, setting.worker, outcome=AssessmentOutcome.STRATEGY_DISCUSSION
    )
    authorise(setting, assessment, authorised_on=days_ago(1))
    clock = deadline(setting.child, "strategy-discussion")
    assert clock.state == DeadlineState.OPEN and clock.starts_on == days_ago(1)


def test_other_outcomes_start_no_strategy_discussion(setting: Setting) -> None:
    authorised_assessment(setting.episode, setting.worker, setting.manager)
    assert not Deadline.objects.filter(rule_code="strategy-discussion").exists()


def test_a_manager_does_not_authorise_their_own_assessment(
    setting: Setting, make_user: Callable[..., User]
) -> None:
    deputy = make_user("senior_practitioner", line_manager=setting.manager)
    assessment = submitted_assessment(setting.episode, deputy)
    refused(
        lambda: authorise(setting, assessment, actor=deputy),
        "You cannot authorise an assessment you completed",
        assessment,
    )


def test_authorising_needs_the_manager_permission(setting: Setting) -> None:
    assessment = submitted_assessment(setting.episode, setting.worker)
    refused(
        lambda: authorise(setting, assessment, actor=setting.worker),
        "You do not have permission to authorise assessments",
        assessment,
    )


def test_only_a_sent_assessment_is_authorised(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker)
    refused(lambda: authorise(setting, assessment), "has not sent this assessment", assessment)


def test_authorisation_not_before_the_start_8608(setting: Setting) -> None:
    assessment = submitted_assessment(setting.episode, setting.worker, start_date=days_ago(30))
    refused(
        lambda: authorise(setting, assessment, authorised_on=days_ago(31)),
        "8608",
        assessment,
        field="authorised_on",
    )
    refused(
        lambda: authorise(setting, assessment, authorised_on=today() + dt.timedelta(days=1)),
        "must be today or in the past",
        assessment,
        field="authorised_on",
    )


def test_authorisation_needs_a_rationale(setting: Setting) -> None:
    assessment = submitted_assessment(setting.episode, setting.worker)
    refused(
        lambda: authorise(setting, assessment, rationale="Agreed."),
        "at least 10 words",
        assessment,
        field="authorisation_rationale",
    )


def test_authorising_with_a_stale_version_changes_nothing(setting: Setting) -> None:
    assessment = submitted_assessment(setting.episode, setting.worker)
    with pytest.raises(ConcurrentEditError):
        authorise(setting, assessment, expected_version=assessment.version + 1)
    assessment.refresh_from_db()
    assert assessment.authorised_on is None
    assert not ClockEvent.objects.filter(name="assessment-completed").exists()


# --- returning -----------------------------------------------------------------------------------


def test_return_clears_the_submission_and_keeps_the_reason(
    setting: Setting, django_capture_on_commit_callbacks: Any
) -> None:
    assessment = submitted_assessment(setting.episode, setting.worker)
    with django_capture_on_commit_callbacks(execute=True):
        back = services.assessment_return(
            actor=setting.manager,
            assessment=assessment,
            reason=REASON,
            expected_version=assessment.version,
        )
    assert back.submitted_at is None and back.return_reason == REASON
    assert back.status == "In progress"
    assert Notification.objects.filter(
        recipient=setting.worker, subject="Your assessment has been returned"
    ).exists()
    assert AuditEvent.objects.filter(
        object_id=str(back.pk), detail="Returned to the worker"
    ).exists()
    resent = services.assessment_submit(
        actor=setting.worker, assessment=back, expected_version=back.version
    )
    assert resent.submitted_at is not None and resent.return_reason == ""


def test_return_rules(setting: Setting) -> None:
    assessment = make_assessment(setting.episode, setting.worker)

    def send_back(actor: User, reason: str = REASON) -> Callable[[], Any]:
        return lambda: services.assessment_return(
            actor=actor, assessment=assessment, reason=reason, expected_version=assessment.version
        )

    refused(send_back(setting.manager), "not waiting for authorisation", assessment)
    assessment = services.assessment_submit(
        actor=setting.worker, assessment=assessment, expected_version=assessment.version
    )
    refused(send_back(setting.worker), "permission to return assessments", assessment)
    refused(send_back(setting.manager, "Redo."), "at least 10 words", assessment, field="reason")


# --- no further action ---------------------------------------------------------------------------


def test_no_further_action_closes_rc7_and_cancels_the_assessment_clock(
    setting: Setting,
) -> None:
    episode = nfa(setting)
    assert episode.referral_nfa and episode.closure_reason == "RC7"
    assert episode.closure_date == days_ago(59) and episode.closed_by == setting.manager
    assert episode.closure_summary == NFA_REASON
    clock = deadline(setting.child, "assessment")
    assert clock.state not in (DeadlineState.OPEN, DeadlineState.MET) and clock.met_on is None
    allocation = Allocation.objects.get(person=setting.child)
    assert allocation.end_date == days_ago(59)
    assert ClockEvent.objects.filter(
        name="referral-nfa", source=f"casework.episode:{episode.pk}:nfa"
    ).exists()
    assert AuditEvent.objects.filter(
        object_id=str(episode.pk), detail="No further action on the referral"
    ).exists()


def test_no_further_action_needs_the_manager_permission(setting: Setting) -> None:
    refused(lambda: nfa(setting, actor=setting.worker), "permission", setting.episode)


def test_no_further_action_only_before_any_assessment_8831(setting: Setting) -> None:
    make_assessment(setting.episode, setting.worker, recorded=False)
    refused(lambda: nfa(setting), "8831", setting.episode)


def test_no_further_action_only_before_any_plan_4000(setting: Setting) -> None:
    from hearth.plans.services import plan_start

    plan_start(
        actor=setting.worker, person=setting.child, episode=setting.episode, start_date=days_ago(5)
    )
    refused(lambda: nfa(setting), "4000", setting.episode)


def test_no_further_action_not_on_a_section_47_8832(setting: Setting) -> None:
    enquiry = section_47(setting, 58, concluded_on=days_ago(40))
    # 8832/8831: a referral with a section 47 enquiry is not a referral with no further action.
    refused(lambda: nfa(setting), "8832", setting.episode, enquiry)


def test_no_further_action_dates_and_reason(setting: Setting) -> None:
    refused(lambda: nfa(setting, on=days_ago(61)), "before the referral", setting.episode)
    refused(
        lambda: nfa(setting, on=today() + dt.timedelta(days=1)),
        "must be today or in the past",
        setting.episode,
        field="on",
    )
    refused(lambda: nfa(setting, reason="No."), "at least 10 words", setting.episode)
    with pytest.raises(ConcurrentEditError):
        nfa(setting, expected_version=setting.episode.version + 1)
    closed = nfa(setting)
    refused(lambda: nfa(setting, expected_version=closed.version), "already closed", closed)


# --- closure -------------------------------------------------------------------------------------


def test_closure_ends_allocations_plans_and_the_episode(setting: Setting) -> None:
    from hearth.plans.models import Plan
    from hearth.plans.services import plan_start

    authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(30)
    )
    plan = plan_start(
        actor=setting.worker, person=setting.child, episode=setting.episode, start_date=days_ago(29)
    )
    episode = close(setting, closure_date=days_ago(1))
    assert not episode.is_open and episode.closure_reason == "RC7"
    assert episode.closed_by == setting.manager and episode.closure_summary == SUMMARY
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.end_date == days_ago(1) and plan.end_reason == "Case closed"
    assert Allocation.objects.get(person=setting.child).end_date == days_ago(1)
    assert ClockEvent.objects.filter(
        name="episode-closed", source=f"casework.episode:{episode.pk}:closed"
    ).exists()
    event = AuditEvent.objects.get(object_id=str(episode.pk), detail="Episode closed")
    assert event.changes["closure_reason"] == ["", "RC7"]


def test_closing_needs_the_manager_permission(setting: Setting) -> None:
    refused(
        lambda: close(setting, actor=setting.worker),
        "You do not have permission to close a child in need episode",
        setting.episode,
    )


def test_a_closure_needs_a_reason_8805(setting: Setting) -> None:
    authorised_assessment(setting.episode, setting.worker, setting.manager)
    refused(lambda: close(setting, closure_reason=""), "8805", setting.episode)
    refused(lambda: close(setting, closure_reason="RC10"), "8805", setting.episode)


def test_closure_not_before_the_referral_8630(setting: Setting) -> None:
    refused(
        lambda: close(setting, closure_date=days_ago(61)),
        "8630",
        setting.episode,
        field="closure_date",
    )
    refused(
        lambda: close(setting, closure_date=today() + dt.timedelta(days=1)),
        "must be today or in the past",
        setting.episode,
        field="closure_date",
    )


def test_nothing_after_the_closure_8565(setting: Setting) -> None:
    authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(20)
    )
    refused(
        lambda: close(setting, closure_date=days_ago(21)),
        "an assessment was authorised",
        setting.episode,
        field="closure_date",
    )


def test_no_closure_before_a_plan_started_8565(setting: Setting) -> None:
    from hearth.plans.services import plan_start

    authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(40)
    )
    plan_start(
        actor=setting.worker, person=setting.child, episode=setting.episode, start_date=days_ago(5)
    )
    refused(lambda: close(setting, closure_date=days_ago(10)), "8565", setting.episode)


def test_every_assessment_is_authorised_before_closure_8867(setting: Setting) -> None:
    submitted_assessment(setting.episode, setting.worker, start_date=days_ago(30))
    refused(lambda: close(setting), "8867", setting.episode)


def test_died_needs_the_date_of_death_8585q(setting: Setting) -> None:
    authorised_assessment(setting.episode, setting.worker, setting.manager)
    # 8585Q: closure reason "died" but no date of death (8920 is a CP plan ending after death).
    error = refused(lambda: close(setting, closure_reason="RC2"), "date of death", setting.episode)
    assert "8585Q" in error.message_dict["closure_reason"][0]
    Person.objects.filter(pk=setting.child.pk).update(date_of_death=days_ago(1))
    assert close(setting, closure_reason="RC2").closure_reason == "RC2"


def test_closed_after_assessment_needs_an_assessment_8825q(setting: Setting) -> None:
    refused(lambda: close(setting, closure_reason="RC8"), "8825Q", setting.episode)


def test_no_rc8_or_rc9_after_a_section_47_2990(setting: Setting) -> None:
    authorised_assessment(
        setting.episode,
        setting.worker,
        setting.manager,
        authorised_on=days_ago(30),
        outcome=AssessmentOutcome.NO_FURTHER_ACTION,
    )
    # Concluded (its initial conference was held), so only the closure reason is wrong.
    section_47(setting, 20, concluded_on=days_ago(10))
    refused(lambda: close(setting, closure_reason="RC9"), "2990", setting.episode)
    assert close(setting, closure_reason="RC7").closure_reason == "RC7"


def test_a_single_assessment_with_no_factors_closes_rc8_or_rc9_8873q(setting: Setting) -> None:
    authorised_assessment(
        setting.episode,
        setting.worker,
        setting.manager,
        factors=["21"],
        outcome=AssessmentOutcome.NO_FURTHER_ACTION,
    )
    refused(lambda: close(setting, closure_reason="RC7"), "8873Q", setting.episode)
    assert close(setting, closure_reason="RC8").closure_reason == "RC8"


def test_no_closure_while_a_section_47_is_open_8868(setting: Setting) -> None:
    from hearth.protection.services.strategy import section_47_complete

    authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(30)
    )
    enquiry = section_47(setting, 20, child_seen_on=days_ago(19))
    error = refused(lambda: close(setting), "8868", setting.episode, enquiry)
    assert f"started on {days_ago(20):%-d %B %Y}" in error.messages[0]
    section_47_complete(
        actor=setting.worker,
        enquiry=enquiry,
        outcome="not_substantiated",
        outcome_rationale=RATIONALE,
        completed_on=days_ago(5),
    )
    assert close(setting).closure_date == today()


def test_no_closure_before_a_section_47_started_8565(setting: Setting) -> None:
    authorised_assessment(
        setting.episode, setting.worker, setting.manager, authorised_on=days_ago(30)
    )
    enquiry = section_47(setting, 20)
    refused(
        lambda: close(setting, closure_date=days_ago(25)),
        "a section 47 enquiry started",
        setting.episode,
        field="closure_date",
    )
    Section47Enquiry.objects.filter(pk=enquiry.pk).update(concluded_on=days_ago(10))
    refused(
        lambda: close(setting, closure_date=days_ago(15)),
        "a section 47 enquiry concluded",
        setting.episode,
        field="closure_date",
    )
    assert close(setting, closure_date=days_ago(10)).closure_date == days_ago(10)


@pytest.fixture
def extra_check() -> Iterator[services.ClosureCheck]:
    def check(episode: ChildInNeedEpisode, on: dt.date) -> list[str]:
        return ["The family group conference is still to be held"] if on.day else []

    services.register_closure_check(check)
    services.register_closure_check(check)  # registering twice keeps one
    yield check
    services._closure_checks.remove(check)


def test_registered_closure_checks_refuse_a_closure(
    setting: Setting, extra_check: services.ClosureCheck
) -> None:
    assert services._closure_checks.count(extra_check) == 1
    authorised_assessment(setting.episode, setting.worker, setting.manager)
    refused(lambda: close(setting), "The family group conference is still to be held")


def test_closure_needs_a_summary_and_the_current_version(setting: Setting) -> None:
    authorised_assessment(setting.episode, setting.worker, setting.manager)
    refused(
        lambda: close(setting, summary="Closed."),
        "at least 10 words",
        setting.episode,
        field="closure_summary",
    )
    with pytest.raises(ConcurrentEditError):
        close(setting, expected_version=setting.episode.version + 1)
    episode = ChildInNeedEpisode.objects.get(pk=setting.episode.pk)
    assert episode.is_open
    assert Allocation.objects.get(person=setting.child).end_date is None
    closed = close(setting)
    refused(lambda: close(setting, expected_version=closed.version), "already closed", closed)
