"""Strategy discussion and section 47 enquiry services: the CIN census rules refused at entry
(each with nothing saved), the flag for a missing agency, the section 47 enquiry a decision
starts or continues, the `icpc` clock started, restarted and cancelled, corrections, actions,
the enquiry's progress and outcome.

The helpers and fixtures here are shared by the view and API tests of this area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import AuditEvent, User
from hearth.core.services import ConcurrentEditError
from hearth.people.models import Person
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.protection.codes import Agency, Section47Outcome, StrategyDecision
from hearth.protection.models import (
    Section47Enquiry,
    StrategyAction,
    StrategyAttendee,
    StrategyDiscussion,
)
from hearth.protection.selectors import strategy as selectors
from hearth.protection.services import strategy as services
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState
from hearth.timescales.selectors import working_calendar

from .factories import (
    INFORMATION,
    RATIONALE,
    ProtectionSetting,
    at_ten,
    days_ago,
    make_enquiry,
    make_protection_setting,
    today,
)

pytestmark = pytest.mark.django_db

ATTENDEES: list[dict[str, str]] = [
    {"agency": Agency.SOCIAL_CARE, "name": "Will Worker", "role": "Social worker"},
    {"agency": Agency.POLICE, "name": "DC Pat Constable", "role": "Child abuse investigation"},
    {"agency": Agency.HEALTH, "name": "Nurse Hana Health", "role": "Named nurse"},
]
POLICE_MISSING = (
    "No one from the police attended: Working Together expects children's social care, police "
    "and health"
)


@pytest.fixture
def setting(make_user: Callable[..., User]) -> ProtectionSetting:
    return make_protection_setting(make_user)


def an_action(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "description": "Police to check the home address for callouts",
        "owner_name": "DC Pat Constable",
        "owner_agency": Agency.POLICE,
        "due_date": today(),
    }
    values.update(overrides)
    return values


def record(setting: ProtectionSetting, **overrides: Any) -> StrategyDiscussion:
    """A strategy discussion 10 days ago that decided a section 47 enquiry, unless overridden."""
    values: dict[str, Any] = {
        "actor": setting.worker,
        "person": setting.child,
        "episode": setting.episode,
        "held_at": at_ten(days_ago(10)),
        "chair": setting.manager,
        "information_shared": INFORMATION,
        "decision": StrategyDecision.SECTION_47,
        "rationale": RATIONALE,
        "attendees": ATTENDEES,
        "actions": [an_action()],
        "lead_worker": setting.worker,
    }
    values.update(overrides)
    return services.strategy_discussion_record(**values)


def counts() -> tuple[int, ...]:
    return (
        StrategyDiscussion.objects.count(),
        Section47Enquiry.objects.count(),
        StrategyAttendee.objects.count(),
        StrategyAction.objects.count(),
        ClockEvent.objects.count(),
        AuditEvent.objects.exclude(action="view").count(),
    )


def refused(
    call: Callable[[], Any], message: str, *records: Model, field: str | None = None
) -> ValidationError:
    """`call` raises a ValidationError containing `message` (under `field` when given) and
    saves nothing: no new discussion, enquiry, attendee, action, clock event or audit event,
    and `records` as they were."""
    before = [type(r)._default_manager.filter(pk=r.pk).values().get() for r in records]
    was = counts()
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    messages = error.message_dict.get(field, []) if field else error.messages
    assert any(message in m for m in messages), (message, error.messages)
    assert counts() == was
    assert [type(r)._default_manager.filter(pk=r.pk).values().get() for r in records] == before
    return error


def icpc_deadlines(person: Person) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            subject_type="child", subject_id=person.pk, rule_code="icpc"
        ).order_by("starts_on", "sequence")
    )


def restrict(setting: ProtectionSetting) -> None:
    """Restricted to the manager alone: the worker and everyone else may no longer see it."""
    restriction_set(
        actor=setting.manager,
        person=setting.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=Person.objects.get(pk=setting.child.pk).version,
    )


def seen(enquiry: Section47Enquiry, on: dt.date) -> Section47Enquiry:
    return services.section_47_update(
        actor=None, enquiry=enquiry, data={"child_seen_on": on, "seen_alone": True}
    )


# --- recording a discussion ----------------------------------------------------------------------


def test_a_section_47_decision_starts_an_enquiry_and_the_icpc_clock(
    setting: ProtectionSetting,
) -> None:
    discussion = record(setting)
    enquiry = discussion.section_47
    assert enquiry is not None
    start = days_ago(10)
    target = working_calendar().add_working_days(start, 15)
    assert (enquiry.start_date, enquiry.icpc_target_date) == (start, target)
    assert enquiry.lead_worker == setting.worker and enquiry.team == setting.team
    assert enquiry.is_open and enquiry.recorded_by == setting.worker
    assert discussion.missing_agencies == "" and not discussion.is_flagged
    assert sorted(discussion.attendees.values_list("agency", flat=True)) == sorted(
        [Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH]
    )
    assert discussion.actions.get().owner_name == "DC Pat Constable"
    event = ClockEvent.objects.get(source=f"protection.strategy:{discussion.pk}")
    assert (event.name, event.occurred_on) == ("strategy-discussion-s47", start)
    (clock,) = icpc_deadlines(setting.child)
    assert (clock.state, clock.starts_on, clock.due_on) == (DeadlineState.OPEN, start, target)
    created = AuditEvent.objects.filter(action="create", person_id=str(setting.child.pk))
    assert {e.object_type for e in created} >= {
        "protection.strategydiscussion",
        "protection.section47enquiry",
    }
    audit = created.get(object_type="protection.strategydiscussion")
    assert audit.changes["decision"] == [None, "s47"]
    assert len(audit.changes["attendees"][1]) == 3
    assert selectors.open_enquiry(setting.episode) == enquiry


def test_any_other_decision_records_the_discussion_only(setting: ProtectionSetting) -> None:
    discussion = record(setting, decision=StrategyDecision.SINGLE_AGENCY, lead_worker=None)
    assert discussion.section_47 is None
    assert not Section47Enquiry.objects.exists()
    event = ClockEvent.objects.get(source=f"protection.strategy:{discussion.pk}")
    assert event.name == "strategy-discussion"
    assert icpc_deadlines(setting.child) == []
    assert selectors.open_enquiry(setting.episode) is None


def test_a_discussion_the_police_did_not_attend_is_saved_but_flagged(
    setting: ProtectionSetting,
) -> None:
    discussion = record(setting, attendees=[ATTENDEES[0], ATTENDEES[2]])
    assert discussion.missing_agencies == "police" and discussion.is_flagged
    assert services.missing_warning(discussion.missing_agencies) == POLICE_MISSING
    both = record(
        setting,
        held_at=at_ten(days_ago(5)),
        attendees=[ATTENDEES[0]],
        decision=StrategyDecision.NO_FURTHER_ACTION,
    )
    assert both.missing_agencies == "police,health"
    assert services.missing_warning(both.missing_agencies).startswith(
        "No one from the police or health attended"
    )
    # Only social care, police and health are required: others may come or not.
    assert services.missing_agencies([Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH]) == ""


def test_not_in_the_future(setting: ProtectionSetting) -> None:
    later = timezone.now() + dt.timedelta(hours=2)
    refused(lambda: record(setting, held_at=later), "cannot be in the future", field="held_at")


def test_not_on_another_childs_episode(setting: ProtectionSetting) -> None:
    other = make_child(forename="Evie")
    episode = open_cin_episode(other, referral_date=days_ago(50))
    refused(lambda: record(setting, episode=episode), "another child's", field="episode")


def test_no_strategy_discussion_or_section_47_on_a_no_further_action_referral_8831_8832(
    setting: ProtectionSetting,
) -> None:
    ChildInNeedEpisode.objects.filter(pk=setting.episode.pk).update(
        referral_nfa=True, closure_date=days_ago(100), closure_reason="RC7"
    )
    error = refused(lambda: record(setting), "8832", setting.episode, field="episode")
    assert "8831" in error.message_dict["episode"][0]


def test_not_after_the_episode_closed_8565(setting: ProtectionSetting) -> None:
    ChildInNeedEpisode.objects.filter(pk=setting.episode.pk).update(
        closure_date=days_ago(20), closure_reason="RC7"
    )
    refused(lambda: record(setting), "8565", setting.episode, field="held_at")
    # On the closure date itself it may still be recorded.
    record(setting, held_at=at_ten(days_ago(20)), decision=StrategyDecision.NO_FURTHER_ACTION)


def test_a_section_47_not_before_the_referral_2889(setting: ProtectionSetting) -> None:
    refused(lambda: record(setting, held_at=at_ten(days_ago(121))), "2889", field="held_at")
    assert record(setting, held_at=at_ten(days_ago(120))).section_47 is not None


def test_not_after_the_childs_death(setting: ProtectionSetting) -> None:
    Person.objects.filter(pk=setting.child.pk).update(date_of_death=days_ago(15))
    refused(lambda: record(setting), "date of death", field="held_at")


def test_information_shared_and_a_ten_word_rationale(setting: ProtectionSetting) -> None:
    refused(
        lambda: record(setting, information_shared="  "),
        "Enter the information shared",
        field="information_shared",
    )
    refused(
        lambda: record(setting, rationale="Police and health are worried."),
        "at least 10 words",
        field="rationale",
    )
    refused(lambda: record(setting, decision="maybe"), "Choose what", field="decision")


def test_actions_need_an_owner_and_a_due_date(setting: ProtectionSetting) -> None:
    refused(
        lambda: record(setting, actions=[an_action(owner_name="")]),
        "Action 1: say who will do it",
        field="actions",
    )
    refused(
        lambda: record(setting, actions=[an_action(), an_action(due_date=None)]),
        "Action 2: enter the date it is due by",
        field="actions",
    )
    refused(
        lambda: record(setting, actions=[an_action(due_date=days_ago(11))]),
        "cannot be due before the discussion",
        field="actions",
    )
    # A blank row is left out.
    blank = {"description": "", "owner_name": "", "owner_agency": "", "due_date": None}
    assert record(setting, actions=[blank, an_action()]).actions.count() == 1


def test_someone_must_have_attended(setting: ProtectionSetting) -> None:
    refused(lambda: record(setting, attendees=[]), "at least one attendee", field="attendees")
    refused(
        lambda: record(setting, attendees=[{"agency": "", "name": "", "role": ""}]),
        "at least one attendee",
        field="attendees",
    )
    refused(
        lambda: record(setting, attendees=[{"agency": "police", "name": "", "role": "DC"}]),
        "Attendee 1: enter their name",
        field="attendees",
    )


def test_the_lead_practitioner_is_a_registered_social_worker(
    setting: ProtectionSetting, make_user: Callable[..., User]
) -> None:
    refused(lambda: record(setting, lead_worker=None), "Choose the lead", field="lead_worker")
    unregistered = make_user("family_support_worker", swe_registration="")
    error = refused(
        lambda: record(setting, lead_worker=unregistered),
        "must be a registered social worker",
        field="lead_worker",
    )
    assert error.message_dict["lead_worker"][0].startswith(
        "The lead practitioner for a section 47 enquiry must be a registered social worker"
    )


def test_enquiries_of_an_episode_do_not_overlap_8890(setting: ProtectionSetting) -> None:
    earlier = make_enquiry(setting, started=60, concluded_on=days_ago(30))
    refused(lambda: record(setting, held_at=at_ten(days_ago(30))), "8890", earlier)
    refused(lambda: record(setting, held_at=at_ten(days_ago(45))), "8890", earlier)
    later = record(setting, held_at=at_ten(days_ago(29))).section_47
    assert later is not None and later != earlier and later.start_date == days_ago(29)


def test_a_reconvened_discussion_continues_the_open_enquiry(setting: ProtectionSetting) -> None:
    first = record(setting)
    enquiry = first.section_47
    assert enquiry is not None
    again = record(setting, held_at=at_ten(days_ago(4)), lead_worker=None)
    assert again.section_47 == enquiry
    assert Section47Enquiry.objects.count() == 1
    enquiry.refresh_from_db()
    assert enquiry.start_date == days_ago(10)  # the census start date stays the first
    # The icpc clock restarts from the last strategy discussion.
    open_clocks = [d for d in icpc_deadlines(setting.child) if d.state == DeadlineState.OPEN]
    assert [d.starts_on for d in open_clocks] == [days_ago(4)]
    assert open_clocks[0].due_on == working_calendar().add_working_days(days_ago(4), 15)
    refused(
        lambda: record(setting, held_at=at_ten(days_ago(12))),
        "cannot be earlier",
        enquiry,
        field="held_at",
    )


# --- correcting a discussion ---------------------------------------------------------------------


def test_correcting_the_date_moves_the_enquiry_and_the_clock(setting: ProtectionSetting) -> None:
    discussion = record(setting)
    with pytest.raises(ConcurrentEditError):
        services.strategy_discussion_update(
            actor=setting.worker,
            discussion=discussion,
            data={"rationale": RATIONALE + " More."},
            expected_version=discussion.version + 1,
        )
    moved = services.strategy_discussion_update(
        actor=setting.worker,
        discussion=discussion,
        data={"held_at": at_ten(days_ago(8))},
        expected_version=discussion.version,
    )
    assert moved.version == discussion.version + 1
    enquiry = Section47Enquiry.objects.get(pk=discussion.section_47_id)
    assert enquiry.start_date == days_ago(8)
    assert enquiry.icpc_target_date == working_calendar().add_working_days(days_ago(8), 15)
    events = ClockEvent.objects.filter(source=f"protection.strategy:{discussion.pk}")
    assert [(e.name, e.occurred_on) for e in events] == [("strategy-discussion-s47", days_ago(8))]
    assert [d.starts_on for d in icpc_deadlines(setting.child)] == [days_ago(8)]
    update = AuditEvent.objects.filter(
        action="update", object_type="protection.strategydiscussion"
    ).get()
    assert update.changes["held_at"][1].startswith(str(days_ago(8)))


def test_correcting_who_attended_works_out_the_flag_again(setting: ProtectionSetting) -> None:
    discussion = record(setting, attendees=[ATTENDEES[0], ATTENDEES[2]])
    assert discussion.missing_agencies == "police"
    fixed = services.strategy_discussion_update(
        actor=setting.worker, discussion=discussion, data={}, attendees=ATTENDEES
    )
    assert fixed.missing_agencies == "" and fixed.attendees.count() == 3
    # Nothing is deleted: the two earlier rows are withdrawn, not gone.
    kept = StrategyAttendee.all_objects.filter(discussion=fixed, withdrawn_at__isnull=False)
    assert kept.count() == 2
    change = AuditEvent.objects.filter(
        action="update", object_type="protection.strategydiscussion"
    ).get()
    assert len(change.changes["attendees"][0]) == 2 and len(change.changes["attendees"][1]) == 3
    refused(
        lambda: services.strategy_discussion_update(
            actor=setting.worker, discussion=fixed, data={}, attendees=[]
        ),
        "at least one attendee",
        fixed,
    )


def test_the_decision_cannot_change_once_the_enquiry_has_records(
    setting: ProtectionSetting,
) -> None:
    discussion = record(setting)
    assert discussion.section_47 is not None
    enquiry = seen(discussion.section_47, days_ago(9))
    refused(
        lambda: services.strategy_discussion_update(
            actor=setting.worker,
            discussion=discussion,
            data={"decision": StrategyDecision.SINGLE_AGENCY},
        ),
        "cannot be changed",
        discussion,
        enquiry,
        field="decision",
    )


def test_a_decision_that_started_an_enquiry_cannot_be_corrected_away_even_when_bare(
    setting: ProtectionSetting,
) -> None:
    """Nothing is deleted: an enquiry ends with its outcome, not by rewriting its discussion."""
    discussion = record(setting)
    enquiry = discussion.section_47
    refused(
        lambda: services.strategy_discussion_update(
            actor=setting.worker,
            discussion=discussion,
            data={"decision": StrategyDecision.SINGLE_AGENCY},
        ),
        "record its outcome on the enquiry instead",
        discussion,
        enquiry,
        field="decision",
    )
    assert Section47Enquiry.objects.filter(pk=discussion.section_47_id).exists()


# --- actions -------------------------------------------------------------------------------------


def test_adding_and_completing_actions(setting: ProtectionSetting) -> None:
    discussion = record(setting, actions=[])

    def add(**overrides: Any) -> StrategyAction:
        return services.strategy_action_add(
            actor=setting.worker, discussion=discussion, **an_action(**overrides)
        )

    refused(lambda: add(owner_name=""), "Say who will do it", field="owner_name")
    refused(lambda: add(due_date=None), "Enter the date it is due by", field="due_date")
    refused(lambda: add(owner_agency="nobody"), "Choose the agency", field="owner_agency")
    action = add()
    assert action.discussion == discussion and action.completed_on is None

    def complete(on: dt.date | None, **kwargs: Any) -> StrategyAction:
        return services.strategy_action_complete(
            actor=setting.worker, action=action, completed_on=on, **kwargs
        )

    refused(lambda: complete(today() + dt.timedelta(days=1)), "future", action)
    refused(lambda: complete(days_ago(11)), "before the discussion", action)
    with pytest.raises(ConcurrentEditError):
        complete(days_ago(1), expected_version=action.version + 1)
    done = complete(days_ago(1), expected_version=action.version)
    assert done.completed_on == days_ago(1)
    refused(lambda: complete(today()), "already marked done", done)


# --- the enquiry's progress and outcome ----------------------------------------------------------


@pytest.fixture
def enquiry(setting: ProtectionSetting) -> Section47Enquiry:
    found = record(setting).section_47
    assert found is not None
    return found


def test_recording_the_enquirys_progress(
    setting: ProtectionSetting, enquiry: Section47Enquiry, make_user: Callable[..., User]
) -> None:
    def update(**data: Any) -> Section47Enquiry:
        return services.section_47_update(actor=setting.worker, enquiry=enquiry, data=data)

    refused(lambda: update(child_seen_on=days_ago(11)), "before then", enquiry)
    refused(lambda: update(child_seen_on=today() + dt.timedelta(days=1)), "future", enquiry)
    refused(lambda: update(seen_alone=True), "Enter the date the child was seen", enquiry)
    refused(
        lambda: update(child_seen_on=days_ago(9), seen_alone=False),
        "Say why the child was not seen alone",
        enquiry,
        field="not_seen_reason",
    )
    unregistered = make_user("family_support_worker", swe_registration="")
    refused(lambda: update(lead_worker=unregistered), "registered social worker", enquiry)
    updated = update(child_seen_on=days_ago(9), seen_alone=True)
    assert (updated.child_seen_on, updated.seen_alone) == (days_ago(9), True)
    other = make_user("social_worker", swe_registration="SW654321")
    from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory

    team = TeamFactory(name="Child Protection Team West")
    TeamMembershipFactory(team=team, user=other)
    moved = update(lead_worker=other)
    assert moved.lead_worker == other and moved.team == team


def test_an_outcome_needing_no_conference_concludes_it_and_cancels_the_clock(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    def complete(**overrides: Any) -> Section47Enquiry:
        values: dict[str, Any] = {
            "actor": setting.worker,
            "enquiry": enquiry,
            "outcome": Section47Outcome.NOT_SUBSTANTIATED,
            "outcome_rationale": RATIONALE,
            "completed_on": days_ago(2),
        }
        values.update(overrides)
        return services.section_47_complete(**values)

    refused(lambda: complete(), "Record when the child was seen", enquiry)
    enquiry = seen(enquiry, days_ago(9))
    refused(lambda: complete(outcome_rationale="Not substantiated."), "10 words", enquiry)
    refused(lambda: complete(completed_on=days_ago(11)), "cannot be completed before", enquiry)
    refused(lambda: complete(completed_on=today() + dt.timedelta(days=1)), "future", enquiry)
    refused(lambda: complete(outcome=""), "Choose the outcome", enquiry, field="outcome")
    done = complete()
    assert done.outcome == Section47Outcome.NOT_SUBSTANTIATED and not done.is_open
    assert done.icpc_not_required and done.icpc_not_required_reason == RATIONALE
    assert done.concluded_on == done.completed_on == days_ago(2)
    event = ClockEvent.objects.get(source=f"protection.section_47:{enquiry.pk}")
    assert (event.name, event.occurred_on) == ("icpc-not-required", days_ago(2))
    assert not [d for d in icpc_deadlines(setting.child) if d.state == DeadlineState.OPEN]
    refused(lambda: complete(), "already recorded", done)


def test_not_completed_after_the_episode_closed_8565(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    enquiry = seen(enquiry, days_ago(9))
    ChildInNeedEpisode.objects.filter(pk=setting.episode.pk).update(
        closure_date=days_ago(5), closure_reason="RC7"
    )
    refused(
        lambda: services.section_47_complete(
            actor=setting.worker,
            enquiry=enquiry,
            outcome=Section47Outcome.NOT_LIKELY_HARM,
            outcome_rationale=RATIONALE,
            completed_on=days_ago(2),
        ),
        "8565",
        enquiry,
        field="completed_on",
    )


def test_likely_significant_harm_needs_a_conference(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    enquiry = seen(enquiry, days_ago(9))
    done = services.section_47_complete(
        actor=setting.worker,
        enquiry=enquiry,
        outcome=Section47Outcome.LIKELY_HARM,
        outcome_rationale=RATIONALE,
        completed_on=days_ago(3),
    )
    assert done.is_open and not done.icpc_not_required and done.concluded_on is None
    assert [d.state for d in icpc_deadlines(setting.child)] == [DeadlineState.OPEN]
    page = selectors.enquiry_page(done)
    assert page.needs_conference


def test_likely_significant_harm_without_a_conference_needs_a_reason(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    enquiry = seen(enquiry, days_ago(9))

    def complete(reason: str) -> Section47Enquiry:
        return services.section_47_complete(
            actor=setting.worker,
            enquiry=enquiry,
            outcome=Section47Outcome.LIKELY_HARM,
            outcome_rationale=RATIONALE,
            completed_on=days_ago(3),
            icpc_not_required=True,
            icpc_not_required_reason=reason,
        )

    refused(lambda: complete(""), "Say why no initial conference is needed", enquiry)
    done = complete("Ava became looked after under police protection on the same day.")
    assert done.icpc_not_required and done.concluded_on == days_ago(3)
    assert not [d for d in icpc_deadlines(setting.child) if d.state == DeadlineState.OPEN]


def test_the_enquiry_page_counts_working_days_to_the_target(setting: ProtectionSetting) -> None:
    calendar = working_calendar()
    enquiry = make_enquiry(setting, started=60)
    assert selectors.enquiry_page(enquiry, on=days_ago(60)).working_days_left == 15
    page = selectors.enquiry_page(enquiry)
    assert page.working_days_left is not None and page.working_days_left < 0
    assert page.days_late == calendar.working_days_between(enquiry.icpc_target_date, today())
    assert page.discussions[0].held_at == at_ten(days_ago(60)) and not page.needs_conference
    Section47Enquiry.objects.filter(pk=enquiry.pk).update(concluded_on=days_ago(30))
    enquiry.refresh_from_db()
    page = selectors.enquiry_page(enquiry)
    assert page.working_days_left is None
    assert page.concluded_after_target == calendar.working_days_between(
        enquiry.icpc_target_date, days_ago(30)
    )
