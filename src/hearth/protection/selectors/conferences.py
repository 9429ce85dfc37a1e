"""Reads for conferences, child protection plans and core groups: what each page shows, scoped to
the viewer, in a bounded number of queries whatever the data size.

Facts are derived, never stored: the number of previous child protection plans (CIN census
NumberOfPreviousCPP) counts the child's plans that started before this one; the next review
conference, core group and visit due come from the timescale engine's deadlines; whether an
initial conference was within 15 working days is worked out from the strategy discussion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from hearth.core.choices import RoleCode
from hearth.core.models import User
from hearth.escalations.policies import case_roles, may_raise
from hearth.people.models import Person
from hearth.plans.codes import OPEN_ACTION_STATUSES, PlanKind
from hearth.plans.models import Plan, PlanAction
from hearth.timescales import calendar as cal
from hearth.timescales.models import Deadline
from hearth.timescales.selectors import DeadlineFilter, deadlines_due, working_calendar
from hearth.visits.codes import VisitKind
from hearth.visits.models import Visit
from hearth.workforce.codes import CaseRole

from .. import policies
from ..codes import (
    INITIAL_KINDS,
    ConferenceDecision,
    ConferenceKind,
    ConferenceStatus,
)
from ..models import (
    Conference,
    ConferenceAgency,
    CoreGroup,
    CoreGroupActionProgress,
    ProtectionPlan,
    StrategyDiscussion,
)
from . import history

ICPC_WORKING_DAYS = 15
REVIEW_RULES = ("rcpc-first", "rcpc-next")
CORE_GROUP_RULES = ("core-group-first", "core-group")
VISIT_RULES = ("cp-visit",)
PLAN_VISITS = 20


def today() -> dt.date:
    return timezone.localdate()


# --- lists ---------------------------------------------------------------------------------------


def chairs() -> QuerySet[User]:
    """Who may chair a conference: active conference chairs and IROs."""
    return (
        User.objects.filter(
            is_active=True, roles__code__in=(RoleCode.CONFERENCE_CHAIR, RoleCode.IRO)
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def conferences_for(viewer: User) -> QuerySet[Conference]:
    return policies.visible(viewer, Conference).select_related("chair", "plan", "section_47")


def conferences_for_person(viewer: User, person: Person | int) -> QuerySet[Conference]:
    person_id = person if isinstance(person, int) else person.pk
    return conferences_for(viewer).filter(person_id=person_id).order_by("-scheduled_on", "-pk")


def core_groups_for(viewer: User) -> QuerySet[CoreGroup]:
    return policies.visible(viewer, CoreGroup, "plan__person").select_related("recorded_by")


def open_actions(plan: Plan) -> list[PlanAction]:
    """The plan's actions still expected (not started or in progress), for a core group to
    report on."""
    return list(
        plan.actions.filter(status__in=OPEN_ACTION_STATUSES)
        .select_related("owner_user")
        .order_by("due_date", "pk")
    )


# --- a conference --------------------------------------------------------------------------------


@dataclass
class IcpcTiming:
    """An initial conference against the 15-working-day standard from the strategy discussion
    that started the enquiry (the last one, if several)."""

    strategy_on: dt.date
    target: dt.date
    held_on: dt.date | None

    @property
    def within(self) -> bool | None:
        return None if self.held_on is None else self.held_on <= self.target

    @property
    def working_days(self) -> int | None:
        if self.held_on is None:
            return None
        return working_calendar().working_days_between(self.strategy_on, self.held_on)


def icpc_timing(conference: Conference) -> IcpcTiming | None:
    """For an initial or pre-birth conference that follows an enquiry; None otherwise."""
    enquiry = conference.section_47
    if enquiry is None or conference.kind not in INITIAL_KINDS:
        return None
    last = (
        StrategyDiscussion.objects.filter(section_47=enquiry)
        .order_by("-held_at")
        .values_list("held_at", flat=True)
        .first()
    )
    strategy_on = last.astimezone(cal.LONDON).date() if last else enquiry.start_date
    target = working_calendar().add_working_days(strategy_on, ICPC_WORKING_DAYS)
    return IcpcTiming(strategy_on=strategy_on, target=target, held_on=conference.held_on)


@dataclass
class ConferencePage:
    conference: Conference
    agencies: list[ConferenceAgency]
    timing: IcpcTiming | None
    protection: ProtectionPlan | None
    offer_step_down: bool
    may_escalate: bool
    is_chair: bool

    @property
    def attended(self) -> list[ConferenceAgency]:
        return [a for a in self.agencies if a.attended]

    @property
    def apologies(self) -> list[ConferenceAgency]:
        return [a for a in self.agencies if a.attended is False]


def conference_page(conference: Conference, viewer: User) -> ConferencePage:
    """Everything the conference page shows. About eight queries."""
    agencies = list(conference.agencies.order_by("agency", "pk"))
    protection = None
    if conference.plan_id is not None:
        protection = ProtectionPlan.objects.filter(plan_id=conference.plan_id).first()
    offer = (
        conference.status == ConferenceStatus.HELD
        and conference.decision == ConferenceDecision.END_PLAN
        and conference.held_on is not None
        and conference.episode.closure_date is None
        and not Plan.objects.filter(
            person_id=conference.person_id,
            kind=PlanKind.CIN,
            start_date__gte=conference.held_on,
        ).exists()
        and not Plan.objects.filter(
            person_id=conference.person_id, kind__in=(PlanKind.CIN, PlanKind.CP), end_date=None
        ).exists()
    )
    roles = case_roles(viewer, conference.person_id)
    is_chair = viewer.pk == conference.chair_id or CaseRole.CONFERENCE_CHAIR in roles
    return ConferencePage(
        conference=conference,
        agencies=agencies,
        timing=icpc_timing(conference),
        protection=protection,
        offer_step_down=offer,
        may_escalate=is_chair and bool(roles) and may_raise(viewer, conference.person_id),
        is_chair=is_chair,
    )


# --- a child protection plan ---------------------------------------------------------------------


def over_legal_gateway(plan: Plan, on: dt.date | None = None) -> bool:
    """An open plan that has lasted beyond `LEGAL_GATEWAY_MONTHS` months: discuss it at a legal
    gateway meeting."""
    return plan.end_date is None and history.over_legal_gateway_threshold(plan, on or today())


def _next_due(person_id: int, rules: tuple[str, ...]) -> Deadline | None:
    return deadlines_due(DeadlineFilter(subject=("child", person_id), rule_codes=rules)).first()


def plan_visits(plan: Plan) -> QuerySet[Visit]:
    """Visits to the child during the plan: those recorded against it, and the child protection
    visits made while it was open (withdrawn ones left out)."""
    since = timezone.make_aware(dt.datetime.combine(plan.start_date, dt.time.min), cal.LONDON)
    during = Q(kind=VisitKind.CP, visited_at__gte=since)
    if plan.end_date is not None:
        until = timezone.make_aware(
            dt.datetime.combine(plan.end_date + dt.timedelta(days=1), dt.time.min), cal.LONDON
        )
        during &= Q(visited_at__lt=until)
    return (
        Visit.objects.filter(person_id=plan.person_id, withdrawn_at__isnull=True)
        .filter(Q(plan=plan) | during)
        .select_related("worker")
        .order_by("-visited_at", "-pk")
    )


@dataclass
class ProtectionSection:
    """What a child protection plan's page shows besides the plan itself."""

    plan: Plan
    protection: ProtectionPlan | None
    previous_plans: int
    conferences: list[Conference]
    core_groups: list[CoreGroup]
    visits: list[Visit]
    visit_count: int
    next_review: Deadline | None
    next_core_group: Deadline | None
    next_visit: Deadline | None
    gateway_on: dt.date
    over_gateway: bool
    booked_review: Conference | None = None
    reviews: list[Conference] = field(default_factory=list)

    @property
    def seen_alone_count(self) -> int:
        return sum(1 for v in self.visits if v.child_seen and v.seen_alone)


def protection_section(plan: Plan, on: dt.date | None = None) -> ProtectionSection:
    """The child protection detail of a plan's page: categories, previous plans, conferences,
    core groups, visits, what is due next and the legal gateway flag. About ten queries."""
    on = on or today()
    protection = (
        ProtectionPlan.objects.filter(plan=plan).select_related("initial_conference").first()
    )
    conferences = list(
        Conference.objects.filter(plan=plan)
        .select_related("chair")
        .order_by("-scheduled_on", "-pk")
    )
    core_groups = list(
        CoreGroup.objects.filter(plan=plan)
        .select_related("recorded_by")
        .prefetch_related(
            "attendees",
            Prefetch("progress", queryset=CoreGroupActionProgress.objects.select_related("action")),
        )
        .order_by("-held_on", "-pk")
    )
    visits_qs = plan_visits(plan)
    visits = list(visits_qs[:PLAN_VISITS])
    count = len(visits) if len(visits) < PLAN_VISITS else visits_qs.count()
    is_open = plan.end_date is None
    return ProtectionSection(
        plan=plan,
        protection=protection,
        previous_plans=history.previous_plan_count(plan),
        conferences=conferences,
        core_groups=core_groups,
        visits=visits,
        visit_count=count,
        next_review=_next_due(plan.person_id, REVIEW_RULES) if is_open else None,
        next_core_group=_next_due(plan.person_id, CORE_GROUP_RULES) if is_open else None,
        next_visit=_next_due(plan.person_id, VISIT_RULES) if is_open else None,
        gateway_on=history.legal_gateway_date(plan.start_date),
        over_gateway=over_legal_gateway(plan, on),
        booked_review=next(
            (
                c
                for c in conferences
                if c.kind == ConferenceKind.REVIEW and c.status == ConferenceStatus.BOOKED
            ),
            None,
        ),
        reviews=[
            c
            for c in conferences
            if c.kind == ConferenceKind.REVIEW and c.status == ConferenceStatus.HELD
        ],
    )


# --- a core group --------------------------------------------------------------------------------


@dataclass
class CoreGroupPage:
    core_group: CoreGroup
    attendees: list
    progress: list[CoreGroupActionProgress]


def core_group_page(core_group: CoreGroup) -> CoreGroupPage:
    return CoreGroupPage(
        core_group=core_group,
        attendees=list(core_group.attendees.order_by("-attended", "agency", "name", "pk")),
        progress=list(
            core_group.progress.select_related("action__owner_user").order_by(
                "action__due_date", "pk"
            )
        ),
    )
