"""Reads: the unallocated rule, caseloads and their thresholds, suggestions, leavers and the
workforce figures, each a fixed number of queries whatever the number of children."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.core.choices import EmploymentType, RoleCode, ServiceArea
from hearth.core.models import Team, TeamMembership, User
from hearth.people.models import Person
from hearth.people.services import relationship_add, relationship_end
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.timescales.services import set_responsibility
from hearth.workforce import selectors, services
from hearth.workforce.codes import CaseRole, CaseType, ChangeReason, EndReason
from hearth.workforce.models import Allocation

from .factories import (
    days_ago,
    episode_of,
    hold,
    make_manager,
    make_team,
    make_worker,
    on_cp_plan,
    open_deadline,
    open_s47,
    today,
    waiting_child,
)

pytestmark = pytest.mark.django_db
LEAD = CaseRole.LEAD_SOCIAL_WORKER


def allocate(actor: User, people: list[Person], worker: User, on: dt.date) -> list[Allocation]:
    return services.allocate(
        actor=actor, people=people, worker=worker, start_date=on, reason=ChangeReason.FCONTA
    )


def end(actor: User, allocation: Allocation, on: dt.date, why: str = EndReason.WORKER_LEFT) -> None:
    services.allocation_end(actor=actor, allocation=allocation, end_date=on, end_reason=why)


def waiting_ids(**kw: object) -> list[int]:
    return [c.person_id for c in selectors.unallocated_children(**kw)]  # type: ignore[arg-type]


# --- the unallocated rule ------------------------------------------------------------------------


def test_a_child_whose_episode_opened_today_is_unallocated_at_once(team: Team) -> None:
    child = waiting_child(team, referral_date=today())
    [waiting] = selectors.unallocated_children()
    assert waiting.person_id == child.pk
    assert waiting.unallocated_since == today() and waiting.days(today()) == 0


def test_the_queue_row_says_who_what_since_when_and_the_risks(team: Team) -> None:
    child = waiting_child(team, referral_date=days_ago(12), forename="Ivy")
    open_s47(child)
    on_cp_plan(child)
    [waiting] = selectors.unallocated_children()
    assert waiting.name == "Ivy Testchild" and waiting.child_id == child.child_id
    assert waiting.date_of_birth == child.date_of_birth
    assert waiting.episode_type == "Child in need"
    assert waiting.opened_on == waiting.unallocated_since == days_ago(12)
    assert waiting.days(today()) == 12
    assert waiting.team_id == team.pk and waiting.team_name == team.name
    assert waiting.markers == ["Section 47 enquiry open", "Child protection plan"]
    assert waiting.previous_worker == ""


def test_closed_episodes_and_children_without_one_are_never_on_the_queue(team: Team) -> None:
    closed = make_child()
    episode = open_cin_episode(closed, referral_date=days_ago(40), referral_team=team)
    episode.closure_date, episode.closure_reason = days_ago(10), "RC1"
    episode.save()
    make_child()  # never referred
    assert selectors.unallocated_children() == []


def test_other_roles_do_not_make_a_child_allocated(manager: User, team: Team, worker: User) -> None:
    child = waiting_child(team, referral_date=days_ago(3))
    services.allocate(
        actor=manager,
        people=[child],
        worker=make_worker(None, RoleCode.IRO),
        role=CaseRole.IRO,
        start_date=days_ago(2),
        reason=ChangeReason.OTHERS,
    )
    assert waiting_ids() == [child.pk]
    allocate(manager, [child], worker, days_ago(1))
    assert waiting_ids() == []


def test_the_wait_restarts_from_the_last_lead_ending_in_this_episode(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team, referral_date=days_ago(50))
    [first] = allocate(manager, [child], worker, days_ago(45))
    end(manager, first, days_ago(30))
    [second] = allocate(manager, [child], make_worker(team), days_ago(20))
    end(manager, second, days_ago(8))
    [waiting] = selectors.unallocated_children()
    assert waiting.unallocated_since == days_ago(8)
    assert waiting.previous_worker == second.worker.full_name


def test_a_lead_from_an_earlier_episode_does_not_shorten_the_wait(
    manager: User, worker: User, team: Team
) -> None:
    child = make_child()
    old = open_cin_episode(child, referral_date=days_ago(300), referral_team=team)
    [allocation] = allocate(manager, [child], worker, days_ago(290))
    end(manager, allocation, days_ago(200), EndReason.EPISODE_CLOSED)
    old.closure_date, old.closure_reason = days_ago(200), "RC1"
    old.save()
    open_cin_episode(child, referral_date=days_ago(6), referral_team=team)
    [waiting] = selectors.unallocated_children()
    assert waiting.unallocated_since == days_ago(6)
    assert waiting.previous_worker == ""


def test_an_allocation_entered_in_error_does_not_restart_the_wait(
    manager: User, worker: User, team: Team
) -> None:
    child = waiting_child(team, referral_date=days_ago(20))
    [wrong] = allocate(manager, [child], worker, days_ago(5))
    end(manager, wrong, days_ago(4), EndReason.ENTERED_IN_ERROR)
    [waiting] = selectors.unallocated_children()
    assert waiting.unallocated_since == days_ago(20)  # still waiting since the referral
    assert waiting.previous_worker == ""


def test_the_queue_team_follows_the_deadlines_else_the_referral(team: Team) -> None:
    other = make_team(name="Disabled Children Team", service_area=ServiceArea.DISABLED_CHILDREN)
    stays, moved, nowhere = waiting_child(team), waiting_child(team), waiting_child(None)
    set_responsibility(subject_type="child", subject_id=moved.pk, worker=None, team=other)
    assert waiting_ids(teams=Team.objects.filter(pk=team.pk)) == [stays.pk]
    assert waiting_ids(teams=Team.objects.filter(pk=other.pk)) == [moved.pk]
    assert waiting_ids(service_area=ServiceArea.DISABLED_CHILDREN) == [moved.pk]
    assert set(waiting_ids()) == {stays.pk, moved.pk, nowhere.pk}  # nobody is hidden
    assert waiting_ids(person_ids=[nowhere.pk]) == [nowhere.pk]


def test_the_longest_wait_comes_first(team: Team) -> None:
    recent = waiting_child(team, referral_date=days_ago(2))
    oldest = waiting_child(team, referral_date=days_ago(30))
    middle = waiting_child(team, referral_date=days_ago(9))
    assert waiting_ids() == [oldest.pk, middle.pk, recent.pk]
    assert waiting_ids(teams=Team.objects.none()) == []


def queries(function: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_the_queue_costs_the_same_queries_for_5_or_50_children(
    manager: User, worker: User, team: Team
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            child = waiting_child(team, referral_date=days_ago(i % 20 + 1))
            open_s47(child)
            if i % 3 == 0:  # some lost their worker
                [a] = allocate(manager, [child], worker, days_ago(i % 20 + 1))
                end(manager, a, today())

    add(5)
    few = queries(lambda: selectors.unallocated_children(teams=Team.objects.all()))
    add(45)
    assert len(selectors.unallocated_children()) == 50
    assert queries(lambda: selectors.unallocated_children(teams=Team.objects.all())) == few


# The property: for any sequence of allocations and endings, the queue is exactly the children with
# an open episode and no current lead, waiting since the referral or the last real lead ending.

CHILDREN = 4  # three with open episodes (one opened today), one whose episode has closed
REFERRED_DAYS_AGO = (30, 10, 0, 60)
WORKERS = 3  # the third has no Social Work England registration: always refused
# Days after the referral: few values, so the same day, earlier and later come up often; 12 and
# 31 are in the future for some children.
OFFSETS = st.sampled_from([0, 3, 7, 12, 31])


def child_operations(index: int) -> st.SearchStrategy[list[tuple]]:
    """Allocations and endings on one child (children are independent, so each gets its own
    sequence: allocate, end, allocate again earlier... come up often)."""
    return st.lists(
        st.one_of(
            st.tuples(st.just("allocate"), st.just(index), st.integers(0, WORKERS - 1), OFFSETS),
            st.tuples(
                st.just("end"),
                st.just(index),
                OFFSETS,
                st.sampled_from(
                    [EndReason.WORKER_LEFT, EndReason.ROLE_ENDED, EndReason.ENTERED_IN_ERROR]
                ),
            ),
        ),
        max_size=6,
    )


def interleave(per_child: tuple[list[tuple], ...]) -> list[tuple]:
    """One child's first operation, the next child's first, ... then everyone's second."""
    longest = max((len(ops) for ops in per_child), default=0)
    return [ops[i] for i in range(longest) for ops in per_child if i < len(ops)]


operations_strategy = st.tuples(*[child_operations(i) for i in range(CHILDREN)]).map(interleave)


@dataclass
class Case:
    referred: dt.date
    open: bool
    lead: tuple[int, dt.date] | None = None  # (worker index, start)
    ends: list[tuple[dt.date, str]] = field(default_factory=list)

    def allocate(self, worker: int, day: dt.date) -> bool:
        real_ends = [d for d, why in self.ends if why != EndReason.ENTERED_IN_ERROR]
        refused = (
            worker == WORKERS - 1
            or day > today()
            or (self.lead is not None and (self.lead[0] == worker or day < self.lead[1]))
            or any(day < d for d in real_ends)
        )
        if refused:
            return False
        if self.lead is not None:
            self.ends.append((day, EndReason.REALLOCATED))
        self.lead = (worker, day)
        return True

    def end(self, day: dt.date, why: str) -> bool:
        if self.lead is None or day > today() or day < self.lead[1]:
            return False
        self.ends.append((day, why))
        self.lead = None
        return True

    def since(self) -> dt.date:
        real = [d for d, why in self.ends if why != EndReason.ENTERED_IN_ERROR]
        return max([self.referred, *[d for d in real if d >= self.referred]])


@pytest.fixture
def cast(manager: User, team: Team) -> tuple[list[Person], list[User]]:
    children = []
    for i, ago in enumerate(REFERRED_DAYS_AGO):
        child = waiting_child(team, referral_date=days_ago(ago))
        if i == CHILDREN - 1:
            episode = episode_of(child)
            episode.closure_date, episode.closure_reason = days_ago(20), "RC1"
            episode.save()
        children.append(child)
    workers = [make_worker(team), make_worker(team), make_worker(team, registered=False)]
    return children, workers


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=operations_strategy)
def test_the_queue_is_exactly_the_open_episodes_without_a_lead(
    manager: User,
    cast: tuple[list[Person], list[User]],
    operations: list[tuple],
) -> None:
    children, workers = cast
    cases = [
        Case(referred=days_ago(ago), open=i < CHILDREN - 1)
        for i, ago in enumerate(REFERRED_DAYS_AGO)
    ]
    with transaction.atomic():
        for op in operations:
            index = op[1]
            case, child = cases[index], children[index]
            if op[0] == "allocate":
                day = case.referred + dt.timedelta(days=op[3])
                expected = case.allocate(op[2], day)
                try:
                    allocate(manager, [child], workers[op[2]], day)
                    done = True
                except ValidationError:
                    done = False
            else:
                day = case.referred + dt.timedelta(days=op[2])
                current = selectors.current_lead(child)
                expected = case.end(day, op[3])
                try:
                    if current is None:
                        raise ValidationError("no lead to end")
                    end(manager, current, day, op[3])
                    done = True
                except ValidationError:
                    done = False
            assert done == expected, (op, cases[index])
        waiting = {c.person_id: c for c in selectors.unallocated_children()}
        for case, child in zip(cases, children, strict=True):
            lead = selectors.current_lead(child)
            assert (lead is None) == (case.lead is None)
            assert (child.pk in waiting) == (case.open and case.lead is None)
            if child.pk in waiting:
                assert waiting[child.pk].unallocated_since == case.since()
            # The lead history never overlaps (allocations entered in error aside).
            spans = sorted(
                (a.start_date, a.end_date or dt.date.max)
                for a in Allocation.objects.filter(person=child, role=LEAD).exclude(
                    end_reason=EndReason.ENTERED_IN_ERROR
                )
            )
            for (_, earlier_end), (later_start, _) in pairwise(spans):
                assert later_start >= earlier_end
        transaction.set_rollback(True)


# --- one child's allocations ---------------------------------------------------------------------


def test_current_allocations_list_the_lead_first(manager: User, worker: User, team: Team) -> None:
    child = waiting_child(team)
    for role, holder in (
        (CaseRole.CONFERENCE_CHAIR, RoleCode.CONFERENCE_CHAIR),
        (CaseRole.FAMILY_SUPPORT_WORKER, RoleCode.FAMILY_SUPPORT_WORKER),
        (CaseRole.IRO, RoleCode.IRO),
    ):
        services.allocate(
            actor=manager,
            people=[child],
            worker=make_worker(None, holder),
            role=role,
            start_date=days_ago(5),
            reason=ChangeReason.OTHERS,
        )
    allocate(manager, [child], worker, days_ago(1))
    roles = [a.role for a in selectors.current_allocations(child)]
    assert roles[0] == LEAD and len(roles) == 4


# --- who oversees which teams --------------------------------------------------------------------


def test_teams_overseen_follow_the_management_line_and_membership(
    make_user: Callable[..., User], manager: User, worker: User, team: Team
) -> None:
    other = make_team(name="Other team")
    make_manager(other)
    service_manager = make_user(RoleCode.SERVICE_MANAGER)
    manager.line_manager = service_manager
    manager.save()
    director = make_user(RoleCode.DIRECTOR)
    assert list(selectors.teams_overseen_by(manager)) == [team]
    assert list(selectors.teams_overseen_by(service_manager)) == [team]
    assert list(selectors.teams_overseen_by(worker)) == [team]  # works in it
    assert set(selectors.teams_overseen_by(director)) == {team, other}
    assert not selectors.teams_overseen_by(make_user(RoleCode.TEAM_MANAGER)).exists()


# --- caseloads -----------------------------------------------------------------------------------


def test_caseloads_count_children_by_case_type_with_weighted_units(
    manager: User, worker: User, team: Team
) -> None:
    hold(worker, 2, team=team)  # child in need
    protected = hold(worker, 1, team=team)[0]
    on_cp_plan(protected)
    assessed = hold(worker, 1, team=team)[0]
    open_deadline(assessed, "assessment")
    both = hold(worker, 1, team=team)[0]  # the heaviest kind of work counts
    open_deadline(both, "assessment")
    on_cp_plan(both)
    [ended] = hold(worker, 1, team=team)
    Allocation.objects.filter(person=ended).update(end_date=today(), end_reason="worker_left")
    hold(worker, 1, team=team, role=CaseRole.STUDENT)  # not a lead: not in the caseload
    hold(manager, 3, team=team)  # team managers do not carry a caseload here
    [load] = selectors.caseloads(teams=Team.objects.filter(pk=team.pk))
    assert load.worker == worker and load.team == team
    assert load.children == 5
    assert load.by_type == {
        CaseType.CHILD_IN_NEED: 2,
        CaseType.CHILD_PROTECTION: 2,
        CaseType.ASSESSMENT: 1,
    }
    assert load.units == Decimal("6")  # 1 + 1 + 1.5 + 1 + 1.5
    services.case_weight_update(
        actor=manager, case_type=CaseType.CHILD_PROTECTION, weight=Decimal("2.25")
    )
    [load] = selectors.caseloads(teams=Team.objects.filter(pk=team.pk))
    assert load.units == Decimal("7.5")
    assert selectors.caseload_for(worker).units == Decimal("7.5")


@pytest.mark.parametrize(
    ("fte", "held", "status"),
    [
        ("1", 18, "green"),
        ("1", 19, "amber"),
        ("1", 22, "amber"),
        ("1", 23, "red"),
        ("0.5", 9, "green"),
        ("0.5", 10, "amber"),
        ("0.5", 12, "red"),
    ],
)
def test_status_is_against_the_teams_thresholds_for_the_workers_hours(
    team: Team, fte: str, held: int, status: str
) -> None:
    w = make_worker(team, fte=fte)
    hold(w, held, team=team)
    [load] = selectors.caseloads(teams=Team.objects.filter(pk=team.pk))
    assert load.status == status
    assert load.amber_units == 18 * Decimal(fte) and load.red_units == 22 * Decimal(fte)
    assert load.units_per_fte == (Decimal(held) / Decimal(fte)).quantize(Decimal("0.1"))


def test_caseloads_cost_the_same_queries_for_5_or_50_children(team: Team) -> None:
    workers = [make_worker(team) for _ in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            [child] = hold(workers[i % 3], 1, team=team)
            if i % 2:
                on_cp_plan(child)

    teams = Team.objects.filter(pk=team.pk)
    add(5)
    few = queries(lambda: selectors.caseloads(teams=teams))
    add(45)
    assert sum(x.children for x in selectors.caseloads(teams=teams)) == 50
    assert queries(lambda: selectors.caseloads(teams=teams)) == few


def test_someone_moving_team_still_counts_until_they_go(team: Team) -> None:
    mover = make_worker(team, first_name="Mo")
    TeamMembership.objects.filter(user=mover).update(end_date=today() + dt.timedelta(days=10))
    later = make_worker(team, first_name="Nat", joined=today() + dt.timedelta(days=3))
    hold(mover, 4, team=team)
    loads = selectors.caseloads(teams=Team.objects.filter(pk=team.pk))
    assert [x.worker for x in loads] == [mover]  # not yet started: not counted
    assert loads[0].children == 4 and loads[0].leaving_on == today() + dt.timedelta(days=10)
    assert later not in [x.worker for x in loads]
    # Their thresholds are still their team's.
    team.caseload_amber, team.caseload_red = 3, 5
    team.save()
    assert selectors.caseload_for(mover).status == "amber"


# --- suggestions ---------------------------------------------------------------------------------


def test_suggestions_rank_by_headroom_then_continuity_and_say_why(
    manager: User, team: Team
) -> None:
    child = waiting_child(team, forename="Theo")
    sibling = waiting_child(team, forename="Ava")
    relationship_add(actor=None, from_person=child, to_person=sibling, kind="sibling")
    a = make_worker(team, first_name="Ann", last_name="Able")
    b = make_worker(team, first_name="Bea", last_name="Bright")
    c = make_worker(team, first_name="Cal", last_name="Cole", employment_type=EmploymentType.ASYE)
    d = make_worker(
        team,
        first_name="Dee",
        last_name="Dunn",
        employment_end=today() + dt.timedelta(days=20),
    )
    e = make_worker(team, first_name="Eve", last_name="Earl")
    f = make_worker(team, first_name="Fay", last_name="Ford")
    g = make_worker(team, first_name="Gus", last_name="Gray")
    hold(a, 10, team=team)  # headroom 8
    hold(b, 2, team=team)  # 16
    hold(c, 5, team=team)  # 13, less 2 for a newly qualified worker: 11
    # d: 18, less 100 for leaving within 8 weeks
    hold(e, 12, team=team)  # 6, plus 4 for holding the sibling: 10 (13 children)
    allocate(manager, [sibling], e, days_ago(2))
    hold(f, 14, team=team)  # 4, plus 3 for having been the child's worker: 7
    [before] = allocate(manager, [child], f, days_ago(9))
    end(manager, before, days_ago(4))
    hold(g, 18, team=team)  # 0: would be amber
    ranked = selectors.suggestions(person=child, team=team, adding_units=Decimal(1))
    assert [s.load.worker for s in ranked] == [b, c, e, a, f, g, d]
    reasons = {s.load.worker.first_name: s.reasons for s in ranked}
    assert reasons["Bea"] == ["2 children, 2 weighted units against amber at 18 (1 FTE)"]
    assert "Newly qualified: protected caseload" in reasons["Cal"]
    assert "Holds Ava: a sibling" in reasons["Eve"]
    assert "Was this child's social worker before" in reasons["Fay"]
    assert "Would be amber after this allocation" in reasons["Gus"]
    leaving = today() + dt.timedelta(days=20)
    assert f"Leaving on {leaving:%-d %B %Y}" in reasons["Dee"]
    by_worker = {s.load.worker: s for s in ranked}
    assert by_worker[g].units_after == Decimal(19) and by_worker[g].status_after == "amber"
    assert by_worker[b].status_after == "green"


def test_a_part_time_worker_has_less_headroom(team: Team) -> None:
    child = waiting_child(team)
    part = make_worker(team, fte="0.5", last_name="Part")
    full = make_worker(team, last_name="Full")
    hold(part, 4, team=team)  # 9 - 4 = 5
    hold(full, 10, team=team)  # 18 - 10 = 8
    ranked = selectors.suggestions(person=child, team=team, adding_units=Decimal("1.5"))
    assert [s.load.worker for s in ranked] == [full, part]
    assert ranked[1].reasons[0] == "4 children, 4 weighted units against amber at 9 (0.5 FTE)"


def test_unallocated_siblings_are_offered_together(manager: User, worker: User, team: Team) -> None:
    child = waiting_child(team)
    waiting_sister, waiting_half_brother = waiting_child(team), waiting_child(team)
    allocated_brother, no_episode, former = waiting_child(team), make_child(), waiting_child(team)
    allocate(manager, [allocated_brother], worker, today())
    relationship_add(actor=None, from_person=child, to_person=waiting_sister, kind="sibling")
    relationship_add(
        actor=None, from_person=child, to_person=waiting_half_brother, kind="half_sibling"
    )
    relationship_add(actor=None, from_person=child, to_person=allocated_brother, kind="sibling")
    relationship_add(actor=None, from_person=child, to_person=no_episode, kind="sibling")
    ended = relationship_add(actor=None, from_person=child, to_person=former, kind="sibling")
    relationship_end(actor=manager, relationship=ended, end_date=today(), expected_version=None)
    assert set(selectors.unallocated_siblings(child)) == {waiting_sister, waiting_half_brother}
    assert selectors.unallocated_siblings(no_episode) == [child]  # the other way round too


# --- leavers -------------------------------------------------------------------------------------


def test_leavers_within_eight_weeks_are_listed_with_their_children(team: Team) -> None:
    soon = make_worker(team, first_name="Sue", employment_end=today() + dt.timedelta(days=20))
    moving = make_worker(team, first_name="Moe")
    TeamMembership.objects.filter(user=moving).update(end_date=today() + dt.timedelta(days=10))
    later = make_worker(team, first_name="Lou", employment_end=today() + dt.timedelta(days=90))
    staying = make_worker(team, first_name="Stan")
    kids = hold(soon, 2, team=team)
    hold(moving, 1, team=team)
    hold(later, 3, team=team)
    hold(staying, 3, team=team)
    leavers = selectors.leavers_with_children(teams=Team.objects.filter(pk=team.pk))
    assert [x["load"].worker for x in leavers] == [moving, soon]  # soonest first
    assert set(leavers[1]["children"]) == set(kids)
    assert len(leavers[0]["children"]) == 1
    # Eight weeks from a later day brings in the next leaver.
    on = today() + dt.timedelta(days=40)
    leavers = selectors.leavers_with_children(teams=Team.objects.filter(pk=team.pk), today=on)
    assert later in [x["load"].worker for x in leavers]


def test_a_leaver_with_no_children_is_still_listed(team: Team) -> None:
    w = make_worker(team, employment_end=today() + dt.timedelta(days=5))
    [row] = selectors.leavers_with_children(teams=Team.objects.filter(pk=team.pk))
    assert row["load"].worker == w and row["children"] == []


# --- the workforce figures -----------------------------------------------------------------------


@pytest.fixture
def census(manager: User, team: Team) -> dict[str, User]:
    """Establishment 10, then 12 from 30 days ago; a permanent full-timer; an agency half-timer
    who started 20 days ago; a 0.8 senior practitioner who left 60 days ago; the team manager."""
    services.establishment_set(
        actor=manager, team=team, effective_from=days_ago(400), posts_fte=Decimal(10)
    )
    services.establishment_set(
        actor=manager, team=team, effective_from=days_ago(30), posts_fte=Decimal(12)
    )
    permanent = make_worker(team, first_name="Pat")
    agency = make_worker(
        team,
        first_name="Ash",
        fte="0.5",
        employment_type=EmploymentType.AGENCY,
        employment_start=days_ago(20),
        joined=days_ago(20),
    )
    leaver = make_worker(
        team,
        RoleCode.SENIOR_PRACTITIONER,
        first_name="Lee",
        fte="0.8",
        employment_end=days_ago(60),
    )
    make_worker(team, RoleCode.FAMILY_SUPPORT_WORKER, registered=False)  # not a social worker
    hold(permanent, 3, team=team, start=days_ago(100))
    [old] = hold(permanent, 1, team=team, start=days_ago(200))
    Allocation.objects.filter(person=old).update(end_date=days_ago(50), end_reason="reallocated")
    hold(agency, 2, team=team, start=days_ago(10))
    left = hold(leaver, 3, team=team, start=days_ago(300))
    Allocation.objects.filter(person__in=left).update(
        end_date=days_ago(60), end_reason="worker_left"
    )
    return {"permanent": permanent, "agency": agency, "leaver": leaver}


def test_workforce_figures_today(census: dict[str, User], team: Team) -> None:
    figures, total = selectors.workforce_figures(on=today(), teams=Team.objects.filter(pk=team.pk))
    assert figures.team == team
    assert figures.establishment_fte == 12
    assert figures.social_worker_fte == Decimal("2.5")  # 1 + 0.5 + the manager's 1
    assert figures.filled_fte == Decimal("2.5")
    assert figures.headcount == 3
    assert figures.agency_fte == Decimal("0.5")
    assert figures.agency_rate == Decimal("0.200")
    assert figures.vacancy_fte == 10  # 12 posts less 2 FTE employed
    assert figures.vacancy_rate == Decimal("0.833")  # 10 / (10 + 2)
    assert figures.case_holding_fte == Decimal("1.5")
    assert figures.cases == 5
    assert figures.average_caseload == Decimal("3.3")
    assert total.team is None and total.cases == 5 and total.establishment_fte == 12


def test_workforce_figures_on_a_past_date(census: dict[str, User], team: Team) -> None:
    figures, _ = selectors.workforce_figures(on=days_ago(90), teams=Team.objects.filter(pk=team.pk))
    assert figures.establishment_fte == 10
    assert figures.social_worker_fte == Decimal("2.8")  # 1 + the leaver's 0.8 + the manager's 1
    assert figures.agency_fte == 0 and figures.agency_rate == 0
    assert figures.vacancy_fte == Decimal("7.2")
    assert figures.case_holding_fte == Decimal("1.8")
    assert figures.cases == 7  # 3 + the one since reallocated + the leaver's 3
    assert figures.average_caseload == Decimal("3.9")


def test_workforce_figures_before_any_establishment_or_staff(census: dict[str, User]) -> None:
    figures, _ = selectors.workforce_figures(on=dt.date(2000, 1, 1))
    assert figures.establishment_fte == 0 and figures.headcount == 0
    assert figures.agency_rate is None and figures.average_caseload is None
    assert figures.vacancy_rate is None


def test_the_total_adds_up_the_teams(census: dict[str, User], manager: User, team: Team) -> None:
    second = make_team(name="Zeta team")
    services.establishment_set(
        actor=manager, team=second, effective_from=days_ago(5), posts_fte=Decimal(4)
    )
    w = make_worker(second, fte="0.6", employment_type=EmploymentType.AGENCY)
    hold(w, 6, team=second)
    *teams, total = selectors.workforce_figures(on=today())
    assert [f.team for f in teams] == [team, second]
    assert total.establishment_fte == 16
    assert total.social_worker_fte == Decimal("3.1")
    assert total.agency_fte == Decimal("1.1")
    assert total.cases == 11
    assert total.average_caseload == Decimal("5.2")  # 11 / 2.1
    assert total.agency_rate == Decimal("0.355")


def test_workforce_figures_cost_the_same_queries_for_5_or_50_children(
    census: dict[str, User], team: Team
) -> None:
    extra = [make_worker(team) for _ in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            hold(extra[i % 3], 1, team=team)

    add(5)
    few = queries(lambda: selectors.workforce_figures(on=today()))
    add(45)
    assert selectors.workforce_figures(on=today())[-1].cases == 55
    assert queries(lambda: selectors.workforce_figures(on=today())) == few
