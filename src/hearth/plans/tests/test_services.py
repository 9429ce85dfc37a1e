"""Plan services: the CIN census rules on plan dates (each with its message), the action rules,
the danger statement flag, ending plans when an episode closes, and the clock events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hearth.core.models import AuditEvent, Council
from hearth.core.services import ConcurrentEditError
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans import selectors, services
from hearth.plans.codes import ActionStatus, NeedKind, NeedStatus, PlanKind, ReviewDecision
from hearth.plans.models import Plan, PlanAction, PlanNeed
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState

from .conftest import DANGER, GOAL, REFERRED, TODAY, Setting, days_ago

pytestmark = pytest.mark.django_db


def refused(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def start(setting: Setting, on: dt.date, **kwargs: object) -> Plan:
    values: dict[str, object] = {
        "actor": setting.worker,
        "person": setting.child,
        "episode": setting.episode,
        "start_date": on,
    }
    values.update(kwargs)
    return services.plan_start(**values)  # type: ignore[arg-type]


# --- starting a plan: the census rules -----------------------------------------------------------


def test_a_plan_starts_with_the_lead_worker_and_records_its_clock(setting: Setting) -> None:
    plan = start(setting, days_ago(30))
    assert plan.worker == setting.worker and plan.team == setting.team
    event = ClockEvent.objects.get(source=f"plans.plan:{plan.pk}")
    assert (event.name, event.occurred_on, event.subject_id) == (
        "cin-plan-start",
        days_ago(30),
        setting.child.pk,
    )
    # The cin-review clock starts: first review due three months after the start.
    review = Deadline.objects.get(subject_id=setting.child.pk, rule_code="cin-review")
    assert review.state == DeadlineState.OPEN
    assert review.starts_on == days_ago(30)
    assert Deadline.objects.filter(subject_id=setting.child.pk, rule_code="cin-visit").exists()
    assert AuditEvent.objects.filter(object_type="plans.plan", object_id=str(plan.pk)).exists()


def test_4015_no_start_before_the_referral(setting: Setting) -> None:
    with pytest.raises(ValidationError) as exc:
        start(setting, REFERRED - dt.timedelta(days=1))
    assert "before the referral date" in refused(exc, "start_date")
    assert "4015" in refused(exc, "start_date")
    assert not Plan.objects.exists()


def test_4000_no_plan_on_a_referral_with_no_further_action(setting: Setting) -> None:
    child = make_child(forename="Noah")
    nfa = open_cin_episode(child, referral_date=days_ago(20), referral_nfa=True, primary_need="")
    with pytest.raises(ValidationError) as exc:
        services.plan_start(actor=None, person=child, episode=nfa, start_date=days_ago(10))
    assert "no further action" in refused(exc, "episode")
    assert "4000" in refused(exc, "episode") and "8831" in refused(exc, "episode")


def test_8565_no_plan_after_the_episode_closed(setting: Setting) -> None:
    setting.episode.closure_date = days_ago(50)
    setting.episode.closure_reason = "RC7"
    setting.episode.save()
    with pytest.raises(ValidationError) as exc:
        start(setting, days_ago(40))
    assert "8565" in refused(exc, "start_date")


def test_8565_a_plan_of_a_closed_episode_ends_by_the_closure(setting: Setting) -> None:
    plan = start(setting, days_ago(100))
    setting.episode.closure_date = days_ago(50)
    setting.episode.closure_reason = "RC7"
    setting.episode.save()
    with pytest.raises(ValidationError) as exc:
        services.plan_end(actor=None, plan=plan, end_date=days_ago(20), reason="Stepped down")
    assert "8565" in refused(exc, "end_date")


def test_4004_only_one_open_cin_plan(setting: Setting) -> None:
    start(setting, days_ago(100))
    with pytest.raises(ValidationError) as exc:
        start(setting, days_ago(10))
    assert "already has an open child in need plan" in refused(exc, "start_date")
    assert "4004" in refused(exc, "start_date")
    assert Plan.objects.count() == 1


def test_4014_no_overlap_with_an_earlier_cin_plan(setting: Setting) -> None:
    first = start(setting, days_ago(100))
    services.plan_end(actor=None, plan=first, end_date=days_ago(50), reason="Stepped down")
    with pytest.raises(ValidationError) as exc:
        start(setting, days_ago(60))
    assert "overlap" in refused(exc, "start_date") and "4014" in refused(exc, "start_date")
    # Starting on the day the earlier one ended is allowed.
    assert start(setting, days_ago(50)).start_date == days_ago(50)


def test_4011_end_not_before_start(setting: Setting) -> None:
    plan = start(setting, days_ago(100))
    with pytest.raises(ValidationError) as exc:
        services.plan_end(actor=None, plan=plan, end_date=days_ago(101), reason="Closed")
    assert "4011" in refused(exc, "end_date")
    plan.refresh_from_db()
    assert plan.end_date is None


def test_4008_no_plan_after_the_childs_death(setting: Setting) -> None:
    setting.child.date_of_death = days_ago(30)
    setting.child.save()
    with pytest.raises(ValidationError) as exc:
        start(setting, days_ago(20))
    assert "date of death" in refused(exc, "start_date") and "4008" in refused(exc, "start_date")


@pytest.mark.parametrize(
    ("cp_start", "cp_end", "cin_start", "allowed"),
    [
        (120, None, 30, False),  # a CP plan is open
        (120, 60, 90, False),  # starts inside the CP plan
        (120, 60, 60, True),  # starts on the CP plan's end date
        (120, 60, 130, False),  # open CIN plan from before the CP plan (4017)
    ],
)
def test_4001_4016_4017_cin_and_cp_plans_not_open_together(
    setting: Setting, cp_start: int, cp_end: int | None, cin_start: int, allowed: bool
) -> None:
    # Child protection plans are recorded by issue 7's process; a row stands in for one here.
    Plan.objects.create(
        kind=PlanKind.CP,
        person=setting.child,
        episode=setting.episode,
        start_date=days_ago(cp_start),
        end_date=days_ago(cp_end) if cp_end is not None else None,
    )
    if allowed:
        assert start(setting, days_ago(cin_start)).kind == PlanKind.CIN
        return
    with pytest.raises(ValidationError) as exc:
        start(setting, days_ago(cin_start))
    message = refused(exc, "start_date")
    assert "cannot be open at the same time" in message
    assert "4001" in message and "4016" in message and "4017" in message


def test_no_plan_start_in_the_future(setting: Setting) -> None:
    with pytest.raises(ValidationError) as exc:
        start(setting, TODAY + dt.timedelta(days=1))
    assert "cannot be in the future" in refused(exc, "start_date")


def test_a_cin_plan_needs_an_episode_of_the_same_child(setting: Setting) -> None:
    with pytest.raises(ValidationError) as exc:
        start(setting, days_ago(10), episode=None)
    assert "episode" in exc.value.message_dict
    other = make_child(forename="Leo")
    with pytest.raises(ValidationError) as exc:
        services.plan_start(
            actor=None, person=other, episode=setting.episode, start_date=days_ago(10)
        )
    assert "another child's" in refused(exc, "episode")


def test_correcting_the_start_date_records_it_again(setting: Setting, plan: Plan) -> None:
    services.plan_update(
        actor=setting.worker,
        plan=plan,
        data={"start_date": days_ago(140)},
        expected_version=plan.version,
    )
    events = ClockEvent.objects.filter(source=f"plans.plan:{plan.pk}", name="cin-plan-start")
    assert [e.occurred_on for e in events] == [days_ago(140)]
    with pytest.raises(ValidationError) as exc:
        services.plan_update(actor=None, plan=plan, data={"start_date": REFERRED - dt.timedelta(1)})
    assert "4015" in refused(exc, "start_date")


def test_a_stale_version_is_refused(setting: Setting, plan: Plan) -> None:
    services.plan_update(actor=None, plan=plan, data={"contingency": "New"}, expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.plan_update(actor=None, plan=plan, data={"contingency": "Old"}, expected_version=1)
    plan.refresh_from_db()
    assert plan.contingency == "New" and plan.version == 2


def test_ending_a_plan_records_the_end_and_closes_its_clocks(setting: Setting, plan: Plan) -> None:
    services.plan_end(actor=setting.worker, plan=plan, end_date=days_ago(10), reason="Stepped down")
    event = ClockEvent.objects.get(source=f"plans.plan:{plan.pk}:end")
    assert (event.name, event.occurred_on) == ("cin-plan-end", days_ago(10))
    assert not Deadline.objects.filter(
        subject_id=setting.child.pk, rule_code="cin-review", state=DeadlineState.OPEN
    ).exists()
    with pytest.raises(ValidationError, match="already ended"):
        services.plan_end(actor=None, plan=plan, end_date=days_ago(5), reason="Again")


def test_ending_needs_a_reason(setting: Setting, plan: Plan) -> None:
    with pytest.raises(ValidationError) as exc:
        services.plan_end(actor=None, plan=plan, end_date=days_ago(5), reason=" ")
    assert "end_reason" in exc.value.message_dict


def test_plans_end_for_closed_episode(setting: Setting, plan: Plan) -> None:
    assert (
        services.plans_end_for_closed_episode(
            actor=setting.manager, episode=setting.episode, on=days_ago(3)
        )
        == 1
    )
    plan.refresh_from_db()
    assert (plan.end_date, plan.end_reason) == (days_ago(3), "Case closed")
    assert ClockEvent.objects.filter(source=f"plans.plan:{plan.pk}:end").exists()
    # Nothing left open: a second call ends nothing.
    assert (
        services.plans_end_for_closed_episode(actor=None, episode=setting.episode, on=days_ago(3))
        == 0
    )


def test_plans_end_for_closed_episode_refuses_a_closure_before_the_plan(
    setting: Setting, plan: Plan
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.plans_end_for_closed_episode(actor=None, episode=setting.episode, on=days_ago(160))
    assert "8565" in refused(exc, "closure_date")


def test_open_plan_selector(setting: Setting, plan: Plan) -> None:
    assert selectors.open_plan(setting.child) == plan
    assert selectors.open_plan(setting.child, PlanKind.CP) is None


# --- needs, risks and the danger statement flag --------------------------------------------------


def test_a_risk_needs_a_safety_goal(setting: Setting, plan: Plan) -> None:
    with pytest.raises(ValidationError) as exc:
        services.plan_need_add(
            actor=None, plan=plan, kind=NeedKind.RISK, statement=DANGER, safety_goal=""
        )
    assert "safety goal" in refused(exc, "safety_goal")
    with pytest.raises(ValidationError) as exc:
        services.plan_need_add(actor=None, plan=plan, kind=NeedKind.RISK, statement=" ")
    assert "danger statement" in refused(exc, "statement")


def test_a_long_danger_statement_is_saved_and_flagged(setting: Setting, plan: Plan) -> None:
    long = " ".join(["worried"] * 61)
    need = services.plan_need_add(
        actor=None, plan=plan, kind=NeedKind.RISK, statement=long, safety_goal=GOAL
    )
    short = services.plan_need_add(
        actor=None, plan=plan, kind=NeedKind.RISK, statement=DANGER, safety_goal=GOAL
    )
    assert need.word_count == 61
    assert services.is_long_danger_statement(need) and not services.is_long_danger_statement(short)
    assert list(selectors.long_danger_statements(teams=[setting.team])) == [need]
    assert list(selectors.long_danger_statements(person_ids=[setting.child.pk])) == [need]
    assert list(selectors.long_danger_statements(viewer=setting.manager, teams=[setting.team])) == [
        need
    ]
    # The council raises its limit: no longer flagged. Lowers it: the short one is too.
    council = Council.objects.create(name="Testshire", population_0_17=1000)
    council.danger_statement_word_limit = 80
    council.save()
    assert not list(selectors.long_danger_statements(teams=[setting.team]))
    council.danger_statement_word_limit = 10
    council.save()
    assert set(selectors.long_danger_statements(person_ids=[setting.child.pk])) == {need, short}
    # A need (not a risk), a resolved risk and an ended plan's risk are not flagged.
    services.plan_need_update(actor=None, need=need, data={"status": NeedStatus.RESOLVED})
    assert list(selectors.long_danger_statements(person_ids=[setting.child.pk])) == [short]


def test_changing_a_need_keeps_the_old_wording_in_the_audit_log(
    setting: Setting, risk: PlanNeed
) -> None:
    services.plan_need_update(
        actor=setting.worker,
        need=risk,
        data={"statement": "We are worried Ava could be hurt."},
        expected_version=risk.version,
    )
    risk.refresh_from_db()
    assert risk.word_count == 7 and risk.version == 2
    event = AuditEvent.objects.filter(object_type="plans.planneed", action="update").get()
    assert event.changes["statement"] == [DANGER, "We are worried Ava could be hurt."]


def test_no_needs_added_to_an_ended_plan(setting: Setting, plan: Plan) -> None:
    services.plan_end(actor=None, plan=plan, end_date=days_ago(5), reason="Closed")
    with pytest.raises(ValidationError, match="ended"):
        services.plan_need_add(actor=None, plan=plan, kind=NeedKind.NEED, statement="A need")


# --- actions -------------------------------------------------------------------------------------


def add_action(setting: Setting, plan: Plan, **kwargs: object) -> PlanAction:
    values: dict[str, object] = {
        "actor": setting.worker,
        "plan": plan,
        "description": "Refer to the domestic abuse service",
        "needs": [],
        "owner_agency": "Domestic abuse service",
        "due_date": days_ago(10),
    }
    values.update(kwargs)
    return services.plan_action_add(**values)  # type: ignore[arg-type]


def test_an_action_with_no_linked_need_or_risk_is_refused(setting: Setting, plan: Plan) -> None:
    with pytest.raises(ValidationError) as exc:
        add_action(setting, plan, needs=[])
    assert "at least one of the plan's needs or risks" in refused(exc, "needs")
    assert not PlanAction.objects.exists()


def test_an_action_with_no_owner_is_refused(setting: Setting, plan: Plan, risk: PlanNeed) -> None:
    with pytest.raises(ValidationError) as exc:
        add_action(setting, plan, needs=[risk], owner_agency="")
    assert "a person or an agency" in refused(exc, "owner")
    with pytest.raises(ValidationError) as exc:
        add_action(setting, plan, needs=[risk], owner_user=setting.worker)
    assert "not both" in refused(exc, "owner")


def test_an_action_with_no_due_date_is_refused(
    setting: Setting, plan: Plan, risk: PlanNeed
) -> None:
    with pytest.raises(ValidationError) as exc:
        add_action(setting, plan, needs=[risk], due_date=None)
    assert "due by" in refused(exc, "due_date")
    with pytest.raises(ValidationError) as exc:
        add_action(setting, plan, needs=[risk], due_date=days_ago(151))
    assert "before the plan started" in refused(exc, "due_date")


def test_linked_needs_must_be_the_plans_own(setting: Setting, plan: Plan, risk: PlanNeed) -> None:
    other_child = make_child(forename="Isla")
    episode = open_cin_episode(other_child, referral_date=days_ago(100))
    other = services.plan_start(
        actor=None, person=other_child, episode=episode, start_date=days_ago(90)
    )
    foreign = services.plan_need_add(actor=None, plan=other, kind=NeedKind.NEED, statement="X")
    with pytest.raises(ValidationError) as exc:
        add_action(setting, plan, needs=[risk, foreign])
    assert "this plan's own needs and risks" in refused(exc, "needs")


def test_an_action_linked_to_two_needs(
    setting: Setting, plan: Plan, risk: PlanNeed, need: PlanNeed
) -> None:
    action = add_action(setting, plan, needs=[risk, need.pk])
    assert set(action.needs.all()) == {risk, need}
    event = AuditEvent.objects.get(object_type="plans.planaction", action="create")
    assert event.changes["needs"] == [None, sorted([risk.pk, need.pk])]


def test_changing_an_actions_links_is_audited(
    setting: Setting, action: PlanAction, risk: PlanNeed, need: PlanNeed
) -> None:
    services.plan_action_update(
        actor=setting.worker,
        action=action,
        data={"needs": [need]},
        expected_version=action.version,
    )
    assert list(action.needs.all()) == [need]
    event = AuditEvent.objects.get(object_type="plans.planaction", action="update")
    assert event.changes["needs"] == [[risk.pk], [need.pk]]
    with pytest.raises(ValidationError) as exc:
        services.plan_action_update(actor=None, action=action, data={"needs": []})
    assert "needs" in exc.value.message_dict
    # Giving it to an agency replaces the person.
    services.plan_action_update(actor=None, action=action, data={"owner_agency": "School"})
    action.refresh_from_db()
    assert (action.owner_user, action.owner_agency) == (None, "School")


def test_status_done_needs_a_date(setting: Setting, action: PlanAction) -> None:
    with pytest.raises(ValidationError) as exc:
        services.plan_action_status_set(actor=None, action=action, status=ActionStatus.DONE)
    assert "completed_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.plan_action_status_set(
            actor=None,
            action=action,
            status=ActionStatus.DONE,
            completed_on=TODAY + dt.timedelta(1),
        )
    assert "future" in refused(exc, "completed_on")
    done = services.plan_action_status_set(
        actor=None, action=action, status=ActionStatus.DONE, completed_on=days_ago(2)
    )
    assert (done.status, done.completed_on) == (ActionStatus.DONE, days_ago(2))
    again = services.plan_action_status_set(
        actor=None, action=action, status=ActionStatus.IN_PROGRESS, completed_on=days_ago(2)
    )
    assert again.completed_on is None


def test_overdue_actions_are_counted(setting: Setting, plan: Plan, action: PlanAction) -> None:
    [row] = selectors.plans_for_person(setting.worker, setting.child)
    assert (row.open_actions, row.overdue_actions) == (1, 1)
    services.plan_action_status_set(
        actor=None, action=action, status=ActionStatus.DONE, completed_on=days_ago(1)
    )
    [row] = selectors.plans_for_person(setting.worker, setting.child)
    assert (row.open_actions, row.overdue_actions) == (0, 0)


# --- reviews -------------------------------------------------------------------------------------


def test_a_review_meets_the_cin_review_clock(setting: Setting, plan: Plan) -> None:
    review = services.plan_review_record(
        actor=setting.worker,
        plan=plan,
        held_on=days_ago(70),
        decision=ReviewDecision.CONTINUE,
        progress_summary="Good progress.",
    )
    event = ClockEvent.objects.get(source=f"plans.review:{review.pk}")
    assert (event.name, event.occurred_on) == ("cin-review", days_ago(70))
    first = Deadline.objects.filter(
        subject_id=setting.child.pk, rule_code="cin-review", state=DeadlineState.MET
    ).get()
    assert first.met_on == days_ago(70)
    # Corrected, it is recorded again under the same source.
    services.plan_review_update(actor=None, review=review, data={"held_on": days_ago(65)})
    events = ClockEvent.objects.filter(source=f"plans.review:{review.pk}")
    assert [e.occurred_on for e in events] == [days_ago(65)]


def test_review_dates_are_checked(setting: Setting, plan: Plan) -> None:
    for held, words in [
        (days_ago(151), "8841"),
        (TODAY + dt.timedelta(days=1), "future"),
        (None, "Enter the date"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.plan_review_record(
                actor=None, plan=plan, held_on=held, decision="continue", progress_summary="x"
            )
        assert words in refused(exc, "held_on")
    with pytest.raises(ValidationError) as exc:
        services.plan_review_record(
            actor=None, plan=plan, held_on=days_ago(5), decision="maybe", progress_summary=""
        )
    assert {"decision", "progress_summary"} <= set(exc.value.message_dict)


def test_a_plan_of_another_kind_records_no_cin_events(setting: Setting) -> None:
    plan = services.plan_start(
        actor=None, person=setting.child, kind=PlanKind.CARE, start_date=days_ago(10)
    )
    assert plan.episode is None
    assert not ClockEvent.objects.filter(source=f"plans.plan:{plan.pk}").exists()
