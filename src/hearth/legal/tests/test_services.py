"""Services: every refusal says what to fix and saves nothing; the clocks (police protection 72
hours, an emergency protection order 8 days plus its extension, proceedings 26 weeks plus the
court's extensions) are checked through the `Deadline` rows the engine derives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from hearth.core.models import AuditEvent
from hearth.core.services import ConcurrentEditError
from hearth.legal import services
from hearth.legal.codes import (
    EmergencyKind,
    EmergencyOutcome,
    FinalOrderKind,
    GatewayDecision,
    GatewayReason,
    HearingKind,
    InterimOrderKind,
    PreProceedingsOutcome,
)
from hearth.legal.models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
    ProceedingsExtension,
)
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans.models import Plan
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState

from .conftest import RATIONALE, TODAY, Setting, days_ago, hours_ago, make_gateway

pytestmark = pytest.mark.django_db


def refused(call: Callable[[], Any], field: str | None, text: str) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        call()
    error = raised.value
    if field is None:
        messages = error.messages
    else:
        assert hasattr(error, "error_dict"), error.messages
        assert field in error.message_dict, error.message_dict
        messages = error.message_dict[field]
    assert any(text in m for m in messages), messages
    return error


def deadlines(setting: Setting, rule: str) -> list[Deadline]:
    return list(
        Deadline.objects.filter(subject_id=setting.child.pk, rule_code=rule).order_by("starts_on")
    )


# --- emergency protection ------------------------------------------------------------------------


def test_police_protection_starts_the_72_hour_clock_and_its_end_meets_it(
    setting: Setting, police: EmergencyProtection
) -> None:
    [clock] = deadlines(setting, "police-protection")
    assert clock.state == DeadlineState.OPEN
    assert clock.due_at == police.started_at + dt.timedelta(hours=72)
    assert clock.clock.endswith(f"emergency:{police.pk}")
    ended = services.emergency_end(
        actor=setting.worker,
        record=police,
        ended_at=hours_ago(2),
        outcome=EmergencyOutcome.SECTION_20,
        expected_version=police.version,
    )
    [clock] = deadlines(setting, "police-protection")
    assert (clock.state, clock.met_late) == (DeadlineState.MET, False)
    assert clock.met_at == ended.ended_at
    assert AuditEvent.objects.filter(
        object_type="legal.emergencyprotection", object_id=str(police.pk), action="update"
    ).exists()


def test_an_order_runs_8_days_and_its_extension_7_more(
    setting: Setting, epo: EmergencyProtection
) -> None:
    start_day = epo.started_at.date()
    [clock] = deadlines(setting, "epo")
    assert clock.due_on == start_day + dt.timedelta(days=8)
    extended = services.epo_extend(
        actor=setting.worker,
        record=epo,
        extended_on=TODAY,
        days=5,
        reason="The medical examination is not complete.",
        expected_version=epo.version,
    )
    [clock] = deadlines(setting, "epo")
    assert clock.due_on == start_day + dt.timedelta(days=15)  # the clock counts the longest
    assert "extended by 7 days" in clock.explanation
    assert selectors_must_end_by(extended) == epo.started_at + dt.timedelta(days=13)


def selectors_must_end_by(record: EmergencyProtection) -> dt.datetime:
    from hearth.legal.selectors import emergency_must_end_by

    return emergency_must_end_by(record)


@pytest.mark.parametrize(
    ("kind", "started", "ended", "field", "text"),
    [
        ("police", 10, 12, "ended_at", "The end cannot be before the start"),
        ("police", 80, 2, "ended_at", "more than 72 hours (Children Act 1989, section 46(6))"),
        ("epo", 24 * 9, 1, "ended_at", "lasts at most 8 days (Children Act 1989, section 45(1))"),
        ("police", -3, None, "started_at", "The start cannot be in the future"),
    ],
    ids=["end-before-start", "police-over-72-hours", "epo-over-8-days", "future-start"],
)
def test_emergency_times_are_refused(
    setting: Setting, kind: str, started: float, ended: float | None, field: str, text: str
) -> None:
    refused(
        lambda: services.emergency_record(
            actor=setting.worker,
            person=setting.child,
            kind=kind,
            started_at=hours_ago(started),
            ended_at=hours_ago(ended) if ended is not None else None,
            outcome=EmergencyOutcome.RETURNED_HOME if ended is not None else "",
            reason="Reason",
            police_force="West Yorkshire Police" if kind == "police" else "",
            court="Family Court" if kind == "epo" else "",
        ),
        field,
        text,
    )
    assert not EmergencyProtection.objects.exists()
    assert not ClockEvent.objects.filter(source__startswith="legal.").exists()


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"kind": "police", "police_force": ""}, "police_force", "Enter the police force"),
        ({"kind": "epo", "court": ""}, "court", "Enter the court that made the order"),
        ({"kind": "police", "court": "Family Court"}, "court", "Police protection has no court"),
        ({"kind": "epo", "designated_officer": "PC Smith"}, "designated_officer", "only for"),
        ({"outcome": "s20"}, "outcome", "Record the outcome with the end"),
        ({"ended_at": "end"}, "outcome", "Choose what happened when it ended"),
        ({"kind": "epo", "ended_at": "end", "outcome": "epo"}, "outcome", "follows police"),
        ({"ended_at": "end", "outcome": "other"}, "outcome_notes", "Say what happened"),
        ({"reason": " "}, "reason", "Enter why the child was taken into police protection"),
    ],
    ids=[
        "police-force",
        "epo-court",
        "police-court",
        "epo-officer",
        "outcome-without-end",
        "end-without-outcome",
        "epo-made-on-an-epo",
        "other-without-notes",
        "reason",
    ],
)
def test_emergency_details_are_refused(
    setting: Setting, values: dict[str, Any], field: str, text: str
) -> None:
    data: dict[str, Any] = {
        "kind": "police",
        "started_at": hours_ago(20),
        "reason": "Found alone at home.",
        "police_force": "West Yorkshire Police",
        "court": "",
        **values,
    }
    if data["kind"] == "epo" and "court" not in values:
        data["court"] = "Family Court"
    if data.get("ended_at") == "end":
        data["ended_at"] = hours_ago(10)
    refused(
        lambda: services.emergency_record(actor=setting.worker, person=setting.child, **data),
        field,
        text,
    )
    assert not EmergencyProtection.objects.exists()


def test_a_child_cannot_be_in_emergency_protection_twice_at_once(
    setting: Setting, police: EmergencyProtection
) -> None:
    refused(
        lambda: services.emergency_record(
            actor=setting.worker,
            person=setting.child,
            kind=EmergencyKind.EPO,
            started_at=hours_ago(5),
            reason="Order sought",
            court="Family Court",
        ),
        "started_at",
        "already in police protection since",
    )
    assert EmergencyProtection.objects.count() == 1


def test_an_order_may_follow_police_protection_at_its_end(
    setting: Setting, police: EmergencyProtection
) -> None:
    ended = services.emergency_end(
        actor=None, record=police, ended_at=hours_ago(6), outcome=EmergencyOutcome.EPO_MADE
    )
    order = services.emergency_record(
        actor=setting.worker,
        person=setting.child,
        kind=EmergencyKind.EPO,
        started_at=ended.ended_at,
        reason="Order made on the police's information.",
        court="Family Court",
    )
    assert order.pk and len(deadlines(setting, "epo")) == 1


def test_extension_refusals(setting: Setting, epo: EmergencyProtection) -> None:
    refused(
        lambda: services.epo_extend(
            actor=None, record=epo, extended_on=TODAY, days=8, reason="More time"
        ),
        "extension_days",
        "extended by up to 7 days (Children Act 1989, section 45(5))",
    )
    refused(
        lambda: services.epo_extend(
            actor=None, record=epo, extended_on=days_ago(10), days=3, reason="More time"
        ),
        "extended_on",
        "cannot be extended before it was made",
    )
    refused(
        lambda: services.epo_extend(actor=None, record=epo, extended_on=TODAY, days=3, reason=""),
        "extension_reason",
        "Enter why the court extended the order",
    )
    epo.refresh_from_db()
    assert epo.extended_on is None
    services.epo_extend(actor=None, record=epo, extended_on=TODAY, days=3, reason="More time")
    refused(
        lambda: services.epo_extend(
            actor=None, record=epo, extended_on=TODAY, days=2, reason="Again"
        ),
        None,
        "may be extended only once (Children Act 1989, section 45(6))",
    )
    epo.refresh_from_db()
    assert epo.extension_days == 3


def test_police_protection_cannot_be_extended(
    setting: Setting, police: EmergencyProtection
) -> None:
    refused(
        lambda: services.epo_extend(
            actor=None, record=police, extended_on=TODAY, days=2, reason="More time"
        ),
        None,
        "Police protection cannot be extended",
    )
    police.refresh_from_db()
    assert police.extended_on is None


def test_an_extended_order_may_last_15_days_but_no_more(setting: Setting) -> None:
    order = services.emergency_record(
        actor=None,
        person=setting.child,
        kind=EmergencyKind.EPO,
        started_at=hours_ago(24 * 20),
        reason="Order made",
        court="Family Court",
    )
    order = services.epo_extend(
        actor=None, record=order, extended_on=days_ago(13), days=7, reason="More time"
    )
    refused(
        lambda: services.emergency_end(
            actor=None, record=order, ended_at=hours_ago(24 * 4), outcome="ico_sought"
        ),
        "ended_at",
        "15 with its one extension",
    )
    services.emergency_end(
        actor=None, record=order, ended_at=hours_ago(24 * 6), outcome="ico_sought"
    )
    [clock] = deadlines(setting, "epo")
    assert clock.state == DeadlineState.MET and clock.met_late is False


def test_correcting_the_start_records_it_again_and_a_stale_version_is_refused(
    setting: Setting, police: EmergencyProtection
) -> None:
    moved = hours_ago(40)
    updated = services.emergency_update(
        actor=None, record=police, data={"started_at": moved}, expected_version=police.version
    )
    event = ClockEvent.objects.get(source=f"legal.emergency:{police.pk}")
    assert event.occurred_at == moved and event.name == "police-protection-start"
    with pytest.raises(ConcurrentEditError):
        services.emergency_update(
            actor=None, record=updated, data={"reason": "Other"}, expected_version=police.version
        )


def test_changing_the_kind_moves_the_clock(setting: Setting, police: EmergencyProtection) -> None:
    services.emergency_update(
        actor=None,
        record=police,
        data={"kind": "epo", "court": "Family Court", "police_force": ""},
    )
    assert ClockEvent.objects.get(
        source=f"legal.emergency:{police.pk}", name="police-protection-start"
    ).withdrawn_at
    assert deadlines(setting, "police-protection") == []
    assert len(deadlines(setting, "epo")) == 1


def test_an_ended_record_cannot_be_ended_again(
    setting: Setting, police: EmergencyProtection
) -> None:
    services.emergency_end(actor=None, record=police, ended_at=hours_ago(1), outcome="s20")
    refused(
        lambda: services.emergency_end(
            actor=None, record=police, ended_at=hours_ago(1), outcome="s20"
        ),
        None,
        "This already ended",
    )


def test_the_database_refuses_an_end_before_the_start(police: EmergencyProtection) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EmergencyProtection.objects.filter(pk=police.pk).update(
            ended_at=police.started_at - dt.timedelta(hours=1), outcome="s20"
        )


# --- legal gateway meetings ----------------------------------------------------------------------


def test_a_gateway_meeting_is_recorded_with_its_plan(setting: Setting) -> None:
    meeting = make_gateway(setting)
    assert meeting.plan == setting.plan and meeting.decision == GatewayDecision.PRE_PROCEEDINGS
    assert AuditEvent.objects.filter(
        action="create", object_type="legal.legalgatewaymeeting", person_id=str(setting.child.pk)
    ).exists()


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"rationale": "Too risky at home now."}, "rationale", "at least 10 words (5 so far)"),
        ({"plan": None}, "plan", "Choose the child protection plan that has lasted over 15"),
        ({"held_on": days_ago(-1)}, "held_on", "cannot be in the future"),
        ({"attendees": ""}, "attendees", "Enter who attended"),
        ({"reason": "other"}, "reason_detail", "Say why the meeting was called"),
        ({"decision": "maybe"}, "decision", "Choose what the meeting decided"),
    ],
    ids=["short-rationale", "no-plan", "future", "attendees", "other-reason", "decision"],
)
def test_gateway_refusals(setting: Setting, values: dict[str, Any], field: str, text: str) -> None:
    data: dict[str, Any] = {
        "held_on": days_ago(10),
        "reason": GatewayReason.LONG_CP_PLAN,
        "plan": setting.plan,
        "decision": GatewayDecision.CONTINUE,
        "attendees": "Chair, social worker",
        "rationale": RATIONALE,
        **values,
    }
    refused(lambda: services.gateway_record(actor=None, person=setting.child, **data), field, text)
    assert not LegalGatewayMeeting.objects.exists()


def test_a_plan_under_15_months_or_another_childs_is_refused(setting: Setting) -> None:
    setting.plan.start_date = days_ago(200)
    setting.plan.save()
    refused(
        lambda: make_gateway(setting, held_on=days_ago(5)),
        "reason",
        "it had not lasted over 15 months by the meeting",
    )
    other = make_child(forename="Zed")
    other_plan = Plan.objects.create(
        kind="cp",
        person=other,
        episode=open_cin_episode(other, referral_date=days_ago(700)),
        start_date=days_ago(600),
    )
    refused(
        lambda: services.gateway_record(
            actor=None,
            person=setting.child,
            held_on=days_ago(5),
            reason=GatewayReason.LONG_CP_PLAN,
            plan=other_plan,
            decision=GatewayDecision.CONTINUE,
            attendees="Chair",
            rationale=RATIONALE,
        ),
        "plan",
        "That plan is another child's",
    )
    assert not LegalGatewayMeeting.objects.exists()


def test_a_gateway_followed_by_pre_proceedings_keeps_its_decision(
    setting: Setting, gateway: LegalGatewayMeeting, pp: PreProceedings
) -> None:
    refused(
        lambda: services.gateway_update(
            actor=None, meeting=gateway, data={"decision": GatewayDecision.CONTINUE}
        ),
        "decision",
        "followed this decision",
    )
    gateway.refresh_from_db()
    assert gateway.decision == GatewayDecision.PRE_PROCEEDINGS


# --- pre-proceedings -----------------------------------------------------------------------------


def test_pre_proceedings_start_after_the_decision(
    setting: Setting, gateway: LegalGatewayMeeting, pp: PreProceedings
) -> None:
    assert (pp.start_date, pp.letter_sent_on) == (days_ago(100), days_ago(95))
    assert pp.is_open and pp.episode == setting.episode


def test_pre_proceedings_need_a_decision_to_enter_them(setting: Setting) -> None:
    meeting = make_gateway(setting, decision=GatewayDecision.CONTINUE)
    refused(
        lambda: services.pre_proceedings_start(
            actor=None,
            person=setting.child,
            gateway=meeting,
            episode=setting.episode,
            start_date=days_ago(100),
        ),
        "gateway",
        "Pre-proceedings follow a decision to enter them",
    )
    assert not PreProceedings.objects.exists()


@pytest.mark.parametrize(
    ("start", "letter", "field", "text"),
    [
        (101, None, "start_date", "cannot start before the legal gateway meeting"),
        (100, 101, "letter_sent_on", "cannot be sent before pre-proceedings started"),
        (-2, None, "start_date", "cannot be in the future"),
    ],
    ids=["before-gateway", "letter-before-start", "future"],
)
def test_pre_proceedings_start_dates_are_refused(
    setting: Setting,
    gateway: LegalGatewayMeeting,
    start: int,
    letter: int | None,
    field: str,
    text: str,
) -> None:
    refused(
        lambda: services.pre_proceedings_start(
            actor=None,
            person=setting.child,
            gateway=gateway,
            episode=setting.episode,
            start_date=days_ago(start),
            letter_sent_on=days_ago(letter) if letter is not None else None,
        ),
        field,
        text,
    )
    assert not PreProceedings.objects.exists()


def test_one_period_of_pre_proceedings_at_a_time(setting: Setting, pp: PreProceedings) -> None:
    second = make_gateway(setting, held_on=days_ago(50))
    refused(
        lambda: services.pre_proceedings_start(
            actor=None,
            person=setting.child,
            gateway=second,
            episode=setting.episode,
            start_date=days_ago(50),
        ),
        "start_date",
        "is already in pre-proceedings",
    )
    assert PreProceedings.objects.count() == 1


def test_an_episode_closed_with_no_further_action_or_another_childs_is_refused(
    setting: Setting, gateway: LegalGatewayMeeting
) -> None:
    other = make_child(forename="Zed")
    refused(
        lambda: services.pre_proceedings_start(
            actor=None,
            person=setting.child,
            gateway=gateway,
            episode=open_cin_episode(other, referral_date=days_ago(300)),
            start_date=days_ago(100),
        ),
        "episode",
        "another child's",
    )
    assert not PreProceedings.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"initial_meeting_on": 96}, "initial_meeting_on", "before the letter before proceedings"),
        (
            {"letter_sent_on": None, "initial_meeting_on": 90},
            "initial_meeting_on",
            "Enter when the letter before proceedings was sent",
        ),
        (
            {"fgdm_offered": True, "fgdm_offered_on": 101},
            "fgdm_offered_on",
            "cannot be offered before pre-proceedings started",
        ),
        ({"fgdm_offered": True}, "fgdm_offered_on", "Enter when the family group meeting"),
        (
            {"fgdm_held": True, "fgdm_held_on": 80},
            "fgdm_held",
            "held after it is offered: say it was offered",
        ),
        (
            {"fgdm_offered": True, "fgdm_offered_on": 80, "fgdm_held": True, "fgdm_held_on": 85},
            "fgdm_held_on",
            "cannot be held before it was offered",
        ),
        ({"outcome": "step_down"}, "outcome_on", "Enter the date the decision was made"),
        (
            {"outcome": "step_down", "outcome_on": 101},
            "outcome_on",
            "cannot be before pre-proceedings started",
        ),
        (
            {"outcome": "step_down", "outcome_on": 10, "court_application_on": 5},
            "court_application_on",
            "follows a decision to issue care proceedings",
        ),
        (
            {"outcome": "issue", "outcome_on": 10, "court_application_on": 12},
            "court_application_on",
            "cannot be before the decision to issue",
        ),
        (
            {
                "outcome": "issue",
                "outcome_on": 10,
                "court_application_on": 8,
                "letter_of_intention_on": 5,
            },
            "letter_of_intention_on",
            "comes before the application to court",
        ),
        ({"letter_of_intention_on": 101}, "letter_of_intention_on", "cannot be sent before"),
        ({"initial_meeting_on": -1}, "initial_meeting_on", "cannot be in the future"),
    ],
    ids=[
        "meeting-before-letter",
        "meeting-without-letter",
        "fgdm-offered-before-start",
        "fgdm-offered-without-date",
        "fgdm-held-not-offered",
        "fgdm-held-before-offer",
        "outcome-without-date",
        "outcome-before-start",
        "court-without-issue",
        "court-before-decision",
        "intention-after-application",
        "intention-before-start",
        "future-meeting",
    ],
)
def test_pre_proceedings_dates_are_refused(
    pp: PreProceedings, data: dict[str, Any], field: str, text: str
) -> None:
    values = {
        k: (days_ago(v) if isinstance(v, int) and not isinstance(v, bool) else v)
        for k, v in data.items()
    }
    refused(
        lambda: services.pre_proceedings_update(actor=None, pre_proceedings=pp, data=values),
        field,
        text,
    )
    pp.refresh_from_db()
    assert pp.version == 1 and pp.initial_meeting_on is None and pp.outcome == ""


def test_the_database_holds_the_date_order(pp: PreProceedings) -> None:
    for values in (
        {"letter_sent_on": days_ago(101)},
        {"initial_meeting_on": days_ago(97)},
        {"outcome": "step_down", "outcome_on": days_ago(120)},
        {"court_application_on": days_ago(5)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            PreProceedings.objects.filter(pk=pp.pk).update(**values)


def test_review_meetings_follow_the_initial_meeting(setting: Setting, pp: PreProceedings) -> None:
    refused(
        lambda: services.pre_proceedings_review_add(
            actor=None, pre_proceedings=pp, held_on=days_ago(50), notes="Progress"
        ),
        None,
        "Record the initial pre-proceedings meeting first",
    )
    pp = services.pre_proceedings_update(
        actor=None, pre_proceedings=pp, data={"initial_meeting_on": days_ago(90)}
    )
    refused(
        lambda: services.pre_proceedings_review_add(
            actor=None, pre_proceedings=pp, held_on=days_ago(91), notes="Progress"
        ),
        "held_on",
        "cannot be before the initial meeting",
    )
    refused(
        lambda: services.pre_proceedings_review_add(
            actor=None, pre_proceedings=pp, held_on=days_ago(60), notes=""
        ),
        "notes",
        "Enter what the review meeting found",
    )
    assert not PreProceedingsReview.objects.exists()
    services.pre_proceedings_review_add(
        actor=setting.worker, pre_proceedings=pp, held_on=days_ago(60), notes="Progress"
    )
    pp = services.pre_proceedings_update(
        actor=None,
        pre_proceedings=pp,
        data={"outcome": PreProceedingsOutcome.STEP_DOWN, "outcome_on": days_ago(30)},
    )
    refused(
        lambda: services.pre_proceedings_review_add(
            actor=None, pre_proceedings=pp, held_on=days_ago(20), notes="Late"
        ),
        "held_on",
        "Pre-proceedings ended on",
    )
    refused(
        lambda: services.pre_proceedings_update(
            actor=None, pre_proceedings=pp, data={"initial_meeting_on": days_ago(59)}
        ),
        "initial_meeting_on",
        "A review meeting was held on",
    )
    refused(
        lambda: services.pre_proceedings_update(
            actor=None, pre_proceedings=pp, data={"outcome_on": days_ago(61)}
        ),
        "outcome_on",
        "A review meeting was held on",
    )
    assert PreProceedingsReview.objects.count() == 1


def test_an_ended_period_lets_another_start_but_not_overlap(
    setting: Setting, pp: PreProceedings
) -> None:
    services.pre_proceedings_update(
        actor=None,
        pre_proceedings=pp,
        data={"outcome": PreProceedingsOutcome.STEP_DOWN, "outcome_on": days_ago(40)},
    )
    overlapping = make_gateway(setting, held_on=days_ago(60))
    refused(
        lambda: services.pre_proceedings_start(
            actor=None,
            person=setting.child,
            gateway=overlapping,
            episode=setting.episode,
            start_date=days_ago(60),
        ),
        "start_date",
        "overlap the pre-proceedings from",
    )
    later = make_gateway(setting, held_on=days_ago(20))
    second = services.pre_proceedings_start(
        actor=None,
        person=setting.child,
        gateway=later,
        episode=setting.episode,
        start_date=days_ago(20),
    )
    from hearth.legal.selectors import previous_pre_proceedings

    assert previous_pre_proceedings(second) == 1 and previous_pre_proceedings(pp) == 0


# --- care proceedings ----------------------------------------------------------------------------


def test_proceedings_run_26_weeks_and_extensions_and_the_final_order_meet_the_clock(
    setting: Setting, proceedings: CareProceedings
) -> None:
    [clock] = deadlines(setting, "proceedings")
    assert clock.state == DeadlineState.OPEN
    assert clock.due_on == proceedings.issued_on + dt.timedelta(weeks=26)
    services.extension_add(
        actor=None,
        proceedings=proceedings,
        granted_on=days_ago(10),
        weeks=8,
        reason="Expert evidence outstanding.",
    )
    [clock] = deadlines(setting, "proceedings")
    assert clock.due_on == proceedings.issued_on + dt.timedelta(weeks=34)
    services.proceedings_conclude(
        actor=setting.worker,
        proceedings=proceedings,
        final_order=FinalOrderKind.SGO,
        final_order_on=days_ago(1),
    )
    [clock] = deadlines(setting, "proceedings")
    assert (clock.state, clock.met_late, clock.met_on) == (DeadlineState.MET, False, days_ago(1))


@pytest.mark.parametrize(
    ("weeks", "granted", "reason", "field", "text"),
    [
        (9, 10, "Expert evidence", "weeks", "up to 8 weeks at a time (Children Act 1989, section"),
        (0, 10, "Expert evidence", "weeks", "enter 1 to 8, not 0"),
        (4, 10, "", "reason", "Enter why the court extended the timetable"),
        (4, 71, "Expert evidence", "granted_on", "cannot be before the proceedings were issued"),
        (4, -1, "Expert evidence", "granted_on", "cannot be in the future"),
    ],
    ids=["over-8-weeks", "zero-weeks", "no-reason", "before-issue", "future"],
)
def test_extension_refusals_for_proceedings(
    proceedings: CareProceedings, weeks: int, granted: int, reason: str, field: str, text: str
) -> None:
    refused(
        lambda: services.extension_add(
            actor=None,
            proceedings=proceedings,
            granted_on=days_ago(granted),
            weeks=weeks,
            reason=reason,
        ),
        field,
        text,
    )
    assert not ProceedingsExtension.objects.exists()
    assert not ClockEvent.objects.filter(name="proceedings-extended").exists()


def test_hearings_are_within_the_proceedings(proceedings: CareProceedings) -> None:
    refused(
        lambda: services.hearing_add(
            actor=None, proceedings=proceedings, held_on=days_ago(71), kind=HearingKind.FIRST
        ),
        "held_on",
        "cannot be before the proceedings were issued",
    )
    refused(
        lambda: services.hearing_add(
            actor=None,
            proceedings=proceedings,
            held_on=days_ago(-14),
            kind=HearingKind.CASE_MANAGEMENT,
            outcome_notes="Went well",
        ),
        "outcome_notes",
        "The hearing has not happened yet",
    )
    listed = services.hearing_add(
        actor=None, proceedings=proceedings, held_on=days_ago(-14), kind=HearingKind.FINAL
    )
    services.hearing_add(
        actor=None, proceedings=proceedings, held_on=days_ago(60), kind=HearingKind.FIRST
    )
    refused(
        lambda: services.hearing_add(
            actor=None, proceedings=proceedings, held_on=days_ago(50), kind=HearingKind.FIRST
        ),
        "kind",
        "The first hearing is already recorded",
    )
    assert CourtHearing.objects.count() == 2
    refused(
        lambda: services.proceedings_conclude(
            actor=None,
            proceedings=proceedings,
            final_order=FinalOrderKind.CARE,
            final_order_on=days_ago(1),
        ),
        "final_order_on",
        "A hearing is recorded on",
    )
    assert listed.held_on > TODAY


def test_final_order_refusals(setting: Setting, proceedings: CareProceedings) -> None:
    refused(
        lambda: services.proceedings_conclude(
            actor=None,
            proceedings=proceedings,
            final_order=FinalOrderKind.CARE,
            final_order_on=days_ago(71),
        ),
        "final_order_on",
        "cannot be before the proceedings were issued",
    )
    services.interim_order_add(
        actor=None, proceedings=proceedings, kind=InterimOrderKind.ICO, made_on=days_ago(60)
    )
    refused(
        lambda: services.proceedings_update(
            actor=None, proceedings=proceedings, data={"issued_on": days_ago(50)}
        ),
        "issued_on",
        "An interim order is recorded on",
    )
    services.proceedings_conclude(
        actor=None,
        proceedings=proceedings,
        final_order=FinalOrderKind.CARE,
        final_order_on=days_ago(5),
    )
    refused(
        lambda: services.proceedings_conclude(
            actor=None,
            proceedings=proceedings,
            final_order=FinalOrderKind.CARE,
            final_order_on=days_ago(4),
        ),
        None,
        "The final order was already made",
    )
    refused(
        lambda: services.interim_order_add(
            actor=None, proceedings=proceedings, kind=InterimOrderKind.ISO, made_on=days_ago(2)
        ),
        "made_on",
        "The final order was made on",
    )


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"court": ""}, "court", "Enter the court"),
        ({"short_notice": True}, "short_notice_reason", "Say why the application was made"),
        ({"short_notice_reason": "Urgent"}, "short_notice_reason", "only for a short notice"),
        ({"issued_on": days_ago(-1)}, "issued_on", "cannot be in the future"),
    ],
    ids=["court", "short-notice-without-reason", "reason-without-short-notice", "future"],
)
def test_proceedings_refusals(
    setting: Setting, values: dict[str, Any], field: str, text: str
) -> None:
    data: dict[str, Any] = {"issued_on": days_ago(10), "court": "Family Court", **values}
    refused(
        lambda: services.proceedings_issue(actor=None, person=setting.child, **data), field, text
    )
    assert not CareProceedings.objects.exists()


def test_one_set_of_proceedings_at_a_time(setting: Setting, proceedings: CareProceedings) -> None:
    refused(
        lambda: services.proceedings_issue(
            actor=None, person=setting.child, issued_on=days_ago(5), court="Family Court"
        ),
        "issued_on",
        "is already in care proceedings",
    )
    assert CareProceedings.objects.count() == 1


def test_proceedings_follow_the_decision_to_issue(setting: Setting, pp: PreProceedings) -> None:
    refused(
        lambda: services.proceedings_issue(
            actor=None,
            person=setting.child,
            issued_on=days_ago(5),
            court="Family Court",
            pre_proceedings=pp,
        ),
        "pre_proceedings",
        "Record the pre-proceedings outcome (issue care proceedings) first",
    )
    pp = services.pre_proceedings_update(
        actor=None,
        pre_proceedings=pp,
        data={
            "outcome": PreProceedingsOutcome.ISSUE,
            "outcome_on": days_ago(20),
            "court_application_on": days_ago(15),
        },
    )
    refused(
        lambda: services.proceedings_issue(
            actor=None,
            person=setting.child,
            issued_on=days_ago(16),
            court="Family Court",
            pre_proceedings=pp,
        ),
        "issued_on",
        "cannot be issued before the application to court",
    )
    continuing = make_gateway(setting, decision=GatewayDecision.CONTINUE, held_on=days_ago(30))
    refused(
        lambda: services.proceedings_issue(
            actor=None,
            person=setting.child,
            issued_on=days_ago(10),
            court="Family Court",
            gateway=continuing,
        ),
        "gateway",
        "did not decide to issue care proceedings",
    )
    assert not CareProceedings.objects.exists()
    issued = services.proceedings_issue(
        actor=None,
        person=setting.child,
        issued_on=days_ago(14),
        court="Family Court",
        pre_proceedings=pp,
    )
    refused(
        lambda: services.pre_proceedings_update(
            actor=None,
            pre_proceedings=pp,
            data={"outcome": PreProceedingsOutcome.STEP_DOWN, "court_application_on": None},
        ),
        "outcome",
        "the outcome stays 'issue care proceedings'",
    )
    assert issued.pre_proceedings == pp


def test_the_database_refuses_a_long_extension_and_a_final_order_before_issue(
    proceedings: CareProceedings,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProceedingsExtension.objects.create(
            proceedings=proceedings, granted_on=days_ago(5), weeks=9, reason="Long"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CareProceedings.objects.filter(pk=proceedings.pk).update(
            final_order="care", final_order_on=days_ago(80)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CareProceedings.objects.filter(pk=proceedings.pk).update(short_notice=True)
