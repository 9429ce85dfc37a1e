"""The services' rules: each refusal with its message and nothing saved, the clock events they
record, and who is told about a missing child with no current risk assessment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hearth.core.services import ConcurrentEditError
from hearth.notifications.models import Notification
from hearth.safeguarding import services
from hearth.safeguarding.models import MissingEpisode, RiskAssessment
from hearth.timescales.models import ClockEvent, Deadline

from .conftest import Council, days_ago, hours_ago, record_missing, record_risk, today

pytestmark = pytest.mark.django_db


def messages(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return (
        error.value.message_dict
        if hasattr(error.value, "error_dict")
        else {"__all__": error.value.messages}
    )


def live_events(council: Council, name: str) -> list[ClockEvent]:
    return list(
        ClockEvent.objects.filter(
            subject_id=council.child.pk, name=name, withdrawn_at__isnull=True
        ).order_by("occurred_on", "pk")
    )


# --- risk assessments ----------------------------------------------------------------------------


def test_recording_a_risk_assessment_tells_the_engine(council: Council) -> None:
    assessment = record_risk(council, assessed_on=days_ago(10))
    [event] = live_events(council, "risk-assessment")
    assert event.source == f"safeguarding.risk:{assessment.pk}"
    assert event.occurred_on == days_ago(10)
    review = Deadline.objects.get(subject_id=council.child.pk, rule_code="risk-assessment-review")
    assert review.state == "open"
    assert review.due_on > today()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"assessed_on": dt.date(2099, 1, 1)}, "assessed_on", "cannot be in the future"),
        ({"assessed_on": dt.date(2000, 1, 1)}, "assessed_on", "before the child was born"),
        ({"summary": "  "}, "summary", "Enter a summary"),
        ({"kind": "gossip"}, "kind", "Choose the kind of risk"),
        ({"level": "extreme"}, "level", "Choose the level"),
        ({"assessor": None}, "assessor", "Choose who assessed"),
    ],
)
def test_a_risk_assessment_with_bad_details_is_refused(
    council: Council, overrides: dict, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as error:
        record_risk(council, **overrides)
    assert words in " ".join(messages(error)[field])
    assert not RiskAssessment.objects.exists()
    assert not live_events(council, "risk-assessment")


def test_a_review_cannot_be_dated_before_the_last_assessment_of_its_kind(council: Council) -> None:
    record_risk(council, assessed_on=days_ago(10))
    with pytest.raises(ValidationError) as error:
        record_risk(council, assessed_on=days_ago(20))
    assert "cannot be dated before the last child sexual exploitation" in str(error.value)
    # another kind may be older
    record_risk(council, kind="cce", assessed_on=days_ago(20))


def test_a_closed_assessment_cannot_be_changed_and_a_new_one_must_follow_the_closure(
    council: Council,
) -> None:
    first = record_risk(council, assessed_on=days_ago(30))
    closed = services.risk_assessment_close(
        actor=council.worker,
        assessment=first,
        closed_on=days_ago(5),
        reason="No concerns for months; settled.",
        expected_version=first.version,
    )
    with pytest.raises(ValidationError) as error:
        services.risk_assessment_update(
            actor=council.worker,
            assessment=closed,
            data={"level": "low"},
            expected_version=closed.version,
        )
    assert "was closed on" in str(error.value) and "record a new assessment" in str(error.value)
    with pytest.raises(ValidationError) as error:
        record_risk(council, assessed_on=days_ago(10))
    assert "must be dated on or after that" in str(error.value)
    again = record_risk(council, assessed_on=days_ago(2))
    assert again.closed_on is None


def test_only_the_latest_of_a_kind_is_corrected_and_stale_versions_are_refused(
    council: Council,
) -> None:
    first = record_risk(council, assessed_on=days_ago(100))
    second = record_risk(council, assessed_on=days_ago(10))
    with pytest.raises(ValidationError, match="reviewed since"):
        services.risk_assessment_update(
            actor=council.worker, assessment=first, data={"level": "low"}, expected_version=None
        )
    with pytest.raises(ConcurrentEditError):
        services.risk_assessment_update(
            actor=council.worker,
            assessment=second,
            data={"level": "low"},
            expected_version=second.version + 1,
        )
    with pytest.raises(ValidationError, match="kind of risk cannot be changed"):
        services.risk_assessment_update(
            actor=council.worker, assessment=second, data={"kind": "cce"}, expected_version=None
        )
    updated = services.risk_assessment_update(
        actor=council.worker,
        assessment=second,
        data={"level": "medium", "assessed_on": days_ago(8)},
        expected_version=second.version,
    )
    assert updated.level == "medium" and updated.version == second.version + 1
    event = ClockEvent.objects.get(source=f"safeguarding.risk:{second.pk}")
    assert event.occurred_on == days_ago(8)


@pytest.mark.parametrize(
    ("closed_on", "reason", "field", "words"),
    [
        (dt.date(2099, 1, 1), "Settled.", "closed_on", "cannot be in the future"),
        (None, "Settled.", "closed_on", "Enter the date"),
        ("before", "Settled.", "closed_on", "cannot be closed before it was assessed"),
        ("today", " ", "closed_reason", "Enter why the risk no longer applies"),
    ],
)
def test_closing_a_risk_checks_the_date_and_reason(
    council: Council, closed_on: object, reason: str, field: str, words: str
) -> None:
    assessment = record_risk(council, assessed_on=days_ago(10))
    day = {"before": days_ago(11), "today": today()}.get(closed_on, closed_on)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as error:
        services.risk_assessment_close(
            actor=council.worker,
            assessment=assessment,
            closed_on=day,  # type: ignore[arg-type]
            reason=reason,
            expected_version=None,
        )
    assert words in " ".join(messages(error)[field])
    assessment.refresh_from_db()
    assert assessment.closed_on is None


def test_the_review_window_closes_only_when_no_kind_is_left_open(council: Council) -> None:
    cse = record_risk(council, kind="cse", assessed_on=days_ago(40))
    cce = record_risk(council, kind="cce", assessed_on=days_ago(30))
    services.risk_assessment_close(
        actor=council.worker,
        assessment=cse,
        closed_on=days_ago(5),
        reason="No longer applies.",
        expected_version=None,
    )
    assert not live_events(council, "risk-closed")  # child criminal exploitation is still open
    services.risk_assessment_close(
        actor=council.worker,
        assessment=cce,
        closed_on=days_ago(2),
        reason="No longer applies.",
        expected_version=None,
    )
    [closed] = live_events(council, "risk-closed")
    assert closed.occurred_on == days_ago(2)
    assert not Deadline.objects.filter(
        subject_id=council.child.pk, rule_code="risk-assessment-review", state="open"
    ).exists()
    with pytest.raises(ValidationError, match="already closed"):
        services.risk_assessment_close(
            actor=council.worker,
            assessment=cce,
            closed_on=today(),
            reason="Again.",
            expected_version=None,
        )


def test_a_new_risk_after_everything_closed_reopens_the_review_clock(council: Council) -> None:
    first = record_risk(council, assessed_on=days_ago(60))
    services.risk_assessment_close(
        actor=council.worker,
        assessment=first,
        closed_on=days_ago(50),
        reason="No longer applies.",
        expected_version=None,
    )
    record_risk(council, kind="online", assessed_on=days_ago(3))
    open_reviews = Deadline.objects.filter(
        subject_id=council.child.pk, rule_code="risk-assessment-review", state="open"
    )
    assert [d.starts_on for d in open_reviews] == [days_ago(3)]


# --- missing episodes ----------------------------------------------------------------------------


def test_recording_a_return_starts_the_rhi_clock_keyed_to_the_episode(council: Council) -> None:
    episode = record_missing(council, started_at=hours_ago(30), ended_at=hours_ago(20))
    [event] = live_events(council, "missing-return")
    assert event.key == f"missing:{episode.pk}"
    assert event.source == f"safeguarding.missing:{episode.pk}:return"
    assert event.occurred_at == episode.ended_at
    deadline = Deadline.objects.get(subject_id=council.child.pk, rule_code="rhi")
    assert deadline.due_at == episode.ended_at + dt.timedelta(hours=72)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"started_at": hours_ago(-5), "ended_at": None}, "started_at", "cannot be in the future"),
        ({"ended_at": hours_ago(40)}, "ended_at", "cannot be before the child went missing"),
        ({"ended_at": hours_ago(-5)}, "ended_at", "cannot be in the future"),
        ({"kind": "A"}, "kind", "only for a child in care"),
        ({"missing_from": "school"}, "missing_from", "from home or from care"),
        (
            {"reported_to_police": False, "police_reference": "MP1"},
            "police_reference",
            "only for an episode reported",
        ),
        ({"started_at": dt.datetime(2026, 1, 1, 12)}, "started_at", "time zone"),
    ],
)
def test_a_missing_episode_with_bad_details_is_refused(
    council: Council, overrides: dict, field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as error:
        record_missing(council, **overrides)
    assert words in " ".join(messages(error)[field])
    assert not MissingEpisode.objects.exists()


def test_episodes_of_one_child_may_not_overlap(council: Council) -> None:
    record_missing(council, started_at=hours_ago(50), ended_at=hours_ago(40))
    with pytest.raises(ValidationError, match="overlaps the child's missing episode"):
        record_missing(council, started_at=hours_ago(45), ended_at=hours_ago(30))
    record_missing(council, started_at=hours_ago(20), ended_at=None)
    with pytest.raises(ValidationError, match="already recorded as missing"):
        record_missing(council, started_at=hours_ago(10), ended_at=None)


def test_the_return_recorded_later_starts_the_clock_and_cannot_follow_the_offer(
    council: Council,
) -> None:
    episode = record_missing(council, started_at=hours_ago(30), ended_at=None)
    assert not live_events(council, "missing-return")
    episode = services.missing_episode_update(
        actor=council.worker,
        episode=episode,
        data={"ended_at": hours_ago(25), "where_found": "At a friend's house."},
        expected_version=episode.version,
    )
    assert live_events(council, "missing-return")
    episode = services.return_interview_record(
        actor=council.worker, episode=episode, offered_at=hours_ago(20), expected_version=None
    )
    with pytest.raises(ValidationError, match="cannot be after the return interview was offered"):
        services.missing_episode_update(
            actor=council.worker,
            episode=episode,
            data={"ended_at": hours_ago(10)},
            expected_version=episode.version,
        )
    with pytest.raises(ConcurrentEditError):
        services.missing_episode_update(
            actor=council.worker, episode=episode, data={}, expected_version=episode.version - 1
        )


def test_return_interview_rules(council: Council) -> None:
    missing = record_missing(council, started_at=hours_ago(30), ended_at=None)
    with pytest.raises(ValidationError, match="Record the child's return before"):
        services.return_interview_record(
            actor=council.worker, episode=missing, offered_at=hours_ago(1), expected_version=None
        )
    episode = services.missing_episode_update(
        actor=council.worker,
        episode=missing,
        data={"ended_at": hours_ago(20)},
        expected_version=None,
    )

    def attempt(**kwargs: object) -> dict[str, list[str]]:
        values: dict = {"offered_at": hours_ago(10)}
        values.update(kwargs)
        with pytest.raises(ValidationError) as error:
            services.return_interview_record(
                actor=council.worker, episode=episode, expected_version=None, **values
            )
        return messages(error)

    assert "before the child returned" in attempt(offered_at=hours_ago(25))["rhi_offered_at"][0]
    assert "in the future" in attempt(offered_at=hours_ago(-3))["rhi_offered_at"][0]
    not_accepted = attempt(accepted=False, completed_on=today(), by=council.worker, findings="x")
    assert "Only an interview the child accepted" in not_accepted["rhi_accepted"][0]
    early = attempt(accepted=True, completed_on=days_ago(5), by=council.worker, findings="x")
    assert "before it was offered" in early["rhi_completed_on"][0]
    nobody = attempt(accepted=True, completed_on=today(), findings="")
    assert "Say who did" in nobody["rhi_by"][0]
    assert "Enter what the return interview found" in nobody["rhi_findings"][0]
    both = attempt(by=council.worker, by_agency="Return service")
    assert "not both" in both["rhi_by_agency"][0]
    done = services.return_interview_record(
        actor=council.worker,
        episode=episode,
        offered_at=hours_ago(10),
        accepted=True,
        completed_on=today(),
        by_agency="Return interview service",
        findings="Stayed with a friend after an argument; no harm disclosed.",
        expected_version=episode.version,
    )
    assert done.rhi_by_name == "Return interview service"
    [offer] = live_events(council, "rhi-offered")
    assert offer.key == f"missing:{episode.pk}"
    deadline = Deadline.objects.get(subject_id=council.child.pk, rule_code="rhi")
    assert deadline.state == "met" and deadline.met_late is False


# --- notifications -------------------------------------------------------------------------------


def test_a_missing_child_without_a_current_risk_assessment_is_flagged_to_worker_and_manager(
    council: Council,
) -> None:
    record_missing(council)
    sent = Notification.objects.order_by("recipient_id")
    assert {n.recipient_id for n in sent} == {council.worker.pk, council.manager.pk}
    for n in sent:
        assert n.subject == services.NOT_ASSESSED_SUBJECT
        assert council.child.forename not in n.subject + n.body
        assert council.child.surname not in n.subject + n.body
        assert n.url == f"/people/{council.child.pk}/?tab=risk"


def test_no_notification_when_a_current_missing_or_exploitation_assessment_exists(
    council: Council,
) -> None:
    record_risk(council, kind="missing", assessed_on=days_ago(20))
    record_missing(council)
    assert not Notification.objects.exists()


def test_an_out_of_date_assessment_does_not_stop_the_notification(council: Council) -> None:
    record_risk(council, kind="cce", assessed_on=days_ago(120))
    record_missing(council)
    assert Notification.objects.count() == 2
