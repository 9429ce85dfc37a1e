"""Reads about who holds which child's case: unallocated children, caseloads, suggestions and the
workforce figures. Each list is a fixed number of queries whatever the size of the council."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hearth.core.choices import EmploymentType, RoleCode
from hearth.core.models import Team, TeamMembership, User
from hearth.frontdoor.models import Contact
from hearth.people.models import Person, Relationship
from hearth.timescales.models import ClockSubject

from . import cases
from .codes import CaseRole, CaseType, EndReason
from .models import DEFAULT_CASE_WEIGHTS, Allocation, CaseWeight, Establishment

LEAD = CaseRole.LEAD_SOCIAL_WORKER
# Roles that hold children's cases as lead social worker and count in caseloads.
CASE_HOLDING_ROLES = (RoleCode.SOCIAL_WORKER, RoleCode.SENIOR_PRACTITIONER)
# Staff counted in the DfE workforce census as children and family social workers.
SOCIAL_WORKER_ROLES = (
    RoleCode.SOCIAL_WORKER,
    RoleCode.SENIOR_PRACTITIONER,
    RoleCode.TEAM_MANAGER,
    RoleCode.SERVICE_MANAGER,
    RoleCode.HEAD_OF_SERVICE,
    RoleCode.IRO,
    RoleCode.CONFERENCE_CHAIR,
)
SIBLING_KINDS = ("sibling", "half_sibling")
LEAVING_SOON_DAYS = 56  # leavers whose children need reallocating: ending within 8 weeks


def plain(number: Decimal) -> str:
    """A decimal as people write it: 10, 18.5, 0.6 (``normalize()`` alone gives 1E+1 for 10)."""
    return format(number.normalize(), "f")


# --- one child ---------------------------------------------------------------------------------


def current_allocations(person: Person) -> QuerySet[Allocation]:
    """Everyone now holding a role on the child's case, lead social worker first."""
    lead_first = Case(When(role=LEAD, then=Value(0)), default=Value(1))
    return (
        Allocation.objects.filter(person=person, end_date__isnull=True)
        .select_related("worker", "team")
        .order_by(lead_first, "role", "start_date")
    )


def allocation_history(person: Person) -> QuerySet[Allocation]:
    return Allocation.objects.filter(person=person).select_related("worker", "team", "allocated_by")


def current_lead(person: Person | int) -> Allocation | None:
    """The child's lead social worker's allocation now, or None when the child is unallocated."""
    person_id = person if isinstance(person, int) else person.pk
    return (
        Allocation.objects.filter(person_id=person_id, role=LEAD, end_date__isnull=True)
        .select_related("worker", "team")
        .first()
    )


# --- scope: which teams a manager oversees -------------------------------------------------------


def teams_overseen_by(user: User) -> QuerySet[Team]:
    """Teams the user manages, or manages through the management line, or works in."""
    if user.has_role(RoleCode.DIRECTOR) or user.is_superuser:
        return Team.objects.filter(is_active=True)
    line = (
        Q(manager=user)
        | Q(manager__line_manager=user)
        | Q(manager__line_manager__line_manager=user)
        | Q(manager__line_manager__line_manager__line_manager=user)
    )
    member = Q(memberships__user=user, memberships__end_date__isnull=True)
    ids = Team.objects.filter(line | member, is_active=True).values("pk")
    return Team.objects.filter(pk__in=ids)


# --- unallocated children ------------------------------------------------------------------------


@dataclass
class UnallocatedChild:
    person_id: int
    name: str
    child_id: str
    date_of_birth: dt.date | None
    episode_type: str
    opened_on: dt.date
    unallocated_since: dt.date
    team_id: int | None
    team_name: str
    rating: str
    markers: list[str]
    previous_worker: str = ""

    def days(self, today: dt.date) -> int:
        return (today - self.unallocated_since).days


def unallocated_children(
    *,
    teams: QuerySet[Team] | None = None,
    service_area: str = "",
    person_ids: list[int] | None = None,
) -> list[UnallocatedChild]:
    """Every child with an open episode and no current lead social worker, longest waiting first.

    Unallocated from the episode's start, or from the end of the last lead allocation in it.
    The team is the one now answerable for the child's deadlines, else the referral's team.
    One query per kind of episode.
    """
    has_lead = Allocation.objects.filter(person_id=OuterRef("person_id"), role=LEAD, end_date=None)
    # An allocation entered in error never happened: it neither ends the wait nor names a worker.
    last_lead = (
        Allocation.objects.filter(
            person_id=OuterRef("person_id"), role=LEAD, end_date__gte=OuterRef("opened_on")
        )
        .exclude(end_reason=EndReason.ENTERED_IN_ERROR)
        .order_by("-end_date", "-id")
    )
    clock_team = ClockSubject.objects.filter(subject_type="child", subject_id=OuterRef("person_id"))
    rating = (
        Contact.objects.filter(person_id=OuterRef("person_id"))
        .exclude(rating="")
        .order_by("-received_at", "-id")
    )
    markers = cases.risk_markers()
    rows: list[UnallocatedChild] = []
    for source in cases.open_episode_sources():
        episodes = (
            source.open_episodes()
            .filter(~Exists(has_lead))
            .annotate(
                last_lead_end=Subquery(last_lead.values("end_date")[:1]),
                previous_worker_id=Subquery(last_lead.values("worker_id")[:1]),
                queue_team_id=Coalesce(
                    Subquery(clock_team.values("team_id")[:1]),
                    F("referral_team_id"),
                    output_field=BigIntegerField(),
                ),
                latest_rating=Subquery(rating.values("rating")[:1]),
                **{f"marker_{m.code}": m.matches(OuterRef("person_id")) for m in markers},
            )
        )
        if person_ids is not None:
            episodes = episodes.filter(person_id__in=person_ids)
        if teams is not None:
            episodes = episodes.filter(queue_team_id__in=teams.values("pk"))
        if service_area:
            team_ids = Team.objects.filter(service_area=service_area).values("pk")
            episodes = episodes.filter(queue_team_id__in=team_ids)
        values = episodes.values(
            "person_id",
            "person__child_id",
            "person__date_of_birth",
            "opened_on",
            "last_lead_end",
            "previous_worker_id",
            "queue_team_id",
            "latest_rating",
            *[f"marker_{m.code}" for m in markers],
        )
        found = list(values)
        names = _names([r["person_id"] for r in found])
        team_names = dict(
            Team.objects.filter(pk__in={r["queue_team_id"] for r in found}).values_list(
                "pk", "name"
            )
        )
        workers = {
            u.pk: u.full_name
            for u in User.objects.filter(pk__in={r["previous_worker_id"] for r in found})
        }
        for r in found:
            since = max(r["opened_on"], r["last_lead_end"] or r["opened_on"])
            rows.append(
                UnallocatedChild(
                    person_id=r["person_id"],
                    name=names.get(r["person_id"], ""),
                    child_id=r["person__child_id"],
                    date_of_birth=r["person__date_of_birth"],
                    episode_type=source.label,
                    opened_on=r["opened_on"],
                    unallocated_since=since,
                    team_id=r["queue_team_id"],
                    team_name=team_names.get(r["queue_team_id"], ""),
                    rating=r["latest_rating"] or "",
                    markers=[m.label for m in markers if r[f"marker_{m.code}"]],
                    previous_worker=workers.get(r["previous_worker_id"], ""),
                )
            )
    rows.sort(key=lambda c: (c.unallocated_since, c.person_id))
    return rows


def _names(person_ids: list[int]) -> dict[int, str]:
    return {
        p.pk: p.full_name
        for p in Person.objects.filter(pk__in=person_ids).only(
            "pk", "forename", "surname", "date_of_birth", "expected_date_of_birth"
        )
    }


# --- caseloads -----------------------------------------------------------------------------------


def case_weights() -> dict[str, Decimal]:
    weights = dict(DEFAULT_CASE_WEIGHTS)
    weights.update(dict(CaseWeight.objects.values_list("case_type", "weight")))
    return weights


def case_type_expression() -> Case:
    """The child's case type (the heaviest kind of work that applies), as a database expression."""
    return Case(
        *[
            When(rule.matches(OuterRef("person_id")), then=Value(str(rule.case_type)))
            for rule in cases.case_type_rules()
        ],
        default=Value(str(CaseType.CHILD_IN_NEED)),
        output_field=CharField(),
    )


def case_type_of(person: Person | int) -> str:
    person_id = person if isinstance(person, int) else person.pk
    row = (
        Person.objects.filter(pk=person_id)
        .annotate(person_id=F("pk"))
        .annotate(case_type=case_type_expression())
        .values_list("case_type", flat=True)
        .first()
    )
    return row or str(CaseType.CHILD_IN_NEED)


@dataclass
class WorkerCaseload:
    worker: User
    team: Team | None
    fte: Decimal
    children: int = 0
    units: Decimal = Decimal(0)
    by_type: dict[str, int] = field(default_factory=dict)
    leaving_on: dt.date | None = None

    @property
    def amber_units(self) -> Decimal:
        return Decimal(self.team.caseload_amber if self.team else 18) * self.fte

    @property
    def red_units(self) -> Decimal:
        return Decimal(self.team.caseload_red if self.team else 22) * self.fte

    @property
    def units_per_fte(self) -> Decimal:
        return (self.units / self.fte).quantize(Decimal("0.1")) if self.fte else Decimal(0)

    @property
    def status(self) -> str:
        return status_for(self.units, self.amber_units, self.red_units)

    @property
    def headroom(self) -> Decimal:
        return self.amber_units - self.units


def status_for(units: Decimal, amber: Decimal, red: Decimal) -> str:
    if units > red:
        return "red"
    if units > amber:
        return "amber"
    return "green"


def _in_team_on(today: dt.date) -> Q:
    """Memberships that cover the day (one ending later, when someone moves team, still counts)."""
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))


def current_membership(worker: User, today: dt.date | None = None) -> TeamMembership | None:
    """The worker's team now (the longest-standing, if they work in more than one)."""
    today = today or timezone.localdate()
    return (
        TeamMembership.objects.filter(_in_team_on(today), user=worker)
        .select_related("team")
        .order_by("start_date", "pk")
        .first()
    )


def case_holders(teams: QuerySet[Team], today: dt.date | None = None) -> list[TeamMembership]:
    """Current members of the teams who hold cases (social workers and senior practitioners)."""
    today = today or timezone.localdate()
    return list(
        TeamMembership.objects.filter(
            _in_team_on(today),
            team__in=teams,
            user__is_active=True,
            user__roles__code__in=CASE_HOLDING_ROLES,
        )
        .select_related("team", "user")
        .distinct()
        .order_by("team__name", "user__last_name", "user__first_name")
    )


def caseloads(*, teams: QuerySet[Team], today: dt.date | None = None) -> list[WorkerCaseload]:
    """Each case-holding worker in the teams: children held, by case type, and weighted units.

    Three queries: the members, the counts by worker and case type, the weights.
    """
    today = today or timezone.localdate()
    members = case_holders(teams, today)
    loads: dict[int, WorkerCaseload] = {}
    for m in members:
        if m.user_id in loads:
            continue
        leaving = [d for d in (m.user.employment_end, m.end_date) if d is not None]
        loads[m.user_id] = WorkerCaseload(
            worker=m.user, team=m.team, fte=m.user.fte, leaving_on=min(leaving, default=None)
        )
    _fill(loads)
    return list(loads.values())


def _fill(loads: dict[int, WorkerCaseload]) -> None:
    if not loads:
        return
    weights = case_weights()
    rows = (
        Allocation.objects.filter(role=LEAD, end_date__isnull=True, worker_id__in=list(loads))
        .annotate(case_type=case_type_expression())
        .values("worker_id", "case_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        load = loads[r["worker_id"]]
        load.children += r["n"]
        load.by_type[r["case_type"]] = load.by_type.get(r["case_type"], 0) + r["n"]
        load.units += weights.get(r["case_type"], Decimal(1)) * r["n"]


def caseload_for(worker: User) -> WorkerCaseload:
    membership = current_membership(worker)
    load = WorkerCaseload(
        worker=worker, team=membership.team if membership else None, fte=worker.fte
    )
    _fill({worker.pk: load})
    return load


# --- allocation suggestions ----------------------------------------------------------------------

SIBLING_BONUS = Decimal(4)  # units of headroom a sibling's worker is worth: one worker per family
PREVIOUS_WORKER_BONUS = Decimal(3)


@dataclass
class Suggestion:
    load: WorkerCaseload
    score: Decimal
    reasons: list[str]
    units_after: Decimal
    status_after: str


def suggestions(*, person: Person, team: Team, adding_units: Decimal) -> list[Suggestion]:
    """The team's case holders ranked: headroom against the amber threshold (per FTE, so a
    part-time worker is not overloaded), then continuity (a brother's or sister's worker, the
    child's previous worker), each with the reasons shown to the manager."""
    loads = caseloads(teams=Team.objects.filter(pk=team.pk))
    sibling_ids = Relationship.objects.filter(
        from_person=person, kind__in=SIBLING_KINDS, end_date__isnull=True
    ).values("to_person_id")
    sibling_workers = defaultdict(list)
    for worker_id, name in Allocation.objects.filter(
        person_id__in=sibling_ids, role=LEAD, end_date__isnull=True
    ).values_list("worker_id", "person__forename"):
        sibling_workers[worker_id].append(name)
    previous = set(
        Allocation.objects.filter(person=person, role=LEAD, end_date__isnull=False)
        .exclude(end_reason=EndReason.ENTERED_IN_ERROR)
        .values_list("worker_id", flat=True)
    )
    ranked = []
    today = timezone.localdate()
    for load in loads:
        after = load.units + adding_units
        reasons = [
            f"{load.children} children, {plain(load.units)} weighted units against amber at"
            f" {plain(load.amber_units)} ({plain(load.fte)} FTE)"
        ]
        score = load.headroom
        if load.worker.pk in sibling_workers:
            score += SIBLING_BONUS
            reasons.append(
                "Holds " + ", ".join(sorted(sibling_workers[load.worker.pk])) + ": a sibling"
            )
        if load.worker.pk in previous:
            score += PREVIOUS_WORKER_BONUS
            reasons.append("Was this child's social worker before")
        if load.leaving_on and (load.leaving_on - today).days <= LEAVING_SOON_DAYS:
            score -= Decimal(100)
            reasons.append(f"Leaving on {load.leaving_on:%-d %B %Y}")
        if load.worker.employment_type == EmploymentType.ASYE:
            reasons.append("Newly qualified: protected caseload")
            score -= Decimal(2)
        status = status_for(after, load.amber_units, load.red_units)
        if status != "green":
            reasons.append(f"Would be {status} after this allocation")
        ranked.append(Suggestion(load, score, reasons, after, status))
    ranked.sort(key=lambda s: (-s.score, s.load.worker.last_name, s.load.worker.pk))
    return ranked


def unallocated_siblings(person: Person) -> list[Person]:
    """Brothers and sisters who also have an open episode and no lead worker: allocate together."""
    sibling_ids = list(
        Relationship.objects.filter(
            from_person=person, kind__in=SIBLING_KINDS, end_date__isnull=True
        ).values_list("to_person_id", flat=True)
    )
    if not sibling_ids:
        return []
    waiting = {c.person_id for c in unallocated_children(person_ids=sibling_ids)}
    return list(Person.objects.filter(pk__in=waiting).order_by("date_of_birth", "pk"))


# --- leavers -------------------------------------------------------------------------------------


def leavers_with_children(*, teams: QuerySet[Team], today: dt.date | None = None) -> list[dict]:
    """Case holders leaving within 8 weeks, with the children to reallocate before they go."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=LEAVING_SOON_DAYS)
    leaving = [
        load
        for load in caseloads(teams=teams, today=today)
        if load.leaving_on and load.leaving_on <= horizon
    ]
    if not leaving:
        return []
    held = defaultdict(list)
    for a in Allocation.objects.filter(
        role=LEAD, end_date__isnull=True, worker_id__in=[x.worker.pk for x in leaving]
    ).select_related("person"):
        held[a.worker_id].append(a.person)
    return [
        {"load": load, "children": held.get(load.worker.pk, [])}
        for load in sorted(leaving, key=lambda x: x.leaving_on or today)
    ]


# --- workforce figures (DfE children's social work workforce census) ------------------------------


@dataclass
class TeamFigures:
    team: Team | None  # None: the whole council
    establishment_fte: Decimal = Decimal(0)
    social_worker_fte: Decimal = Decimal(0)
    headcount: int = 0
    agency_fte: Decimal = Decimal(0)
    case_holding_fte: Decimal = Decimal(0)
    cases: int = 0

    @property
    def filled_fte(self) -> Decimal:
        return self.social_worker_fte

    @property
    def vacancy_fte(self) -> Decimal:
        return max(self.establishment_fte - self.social_worker_fte + self.agency_fte, Decimal(0))

    @property
    def vacancy_rate(self) -> Decimal | None:
        # DfE: vacancies / (vacancies + employed FTE); agency staff fill vacant posts.
        employed = self.social_worker_fte - self.agency_fte
        denominator = self.vacancy_fte + employed
        return (self.vacancy_fte / denominator).quantize(Decimal("0.001")) if denominator else None

    @property
    def agency_rate(self) -> Decimal | None:
        if not self.social_worker_fte:
            return None
        return (self.agency_fte / self.social_worker_fte).quantize(Decimal("0.001"))

    @property
    def average_caseload(self) -> Decimal | None:
        if not self.case_holding_fte:
            return None
        return (Decimal(self.cases) / self.case_holding_fte).quantize(Decimal("0.1"))


def workforce_figures(*, on: dt.date, teams: QuerySet[Team] | None = None) -> list[TeamFigures]:
    """Per team and in total on a date: establishment, social worker FTE in post, agency FTE and
    rate, vacancies, case-holding FTE and cases held (lead allocations open that day). 4 queries."""
    team_list = list((teams if teams is not None else Team.objects.all()).order_by("name"))
    team_ids = [t.pk for t in team_list]
    figures = {t.pk: TeamFigures(team=t) for t in team_list}
    establishment = Establishment.objects.filter(
        team_id__in=team_ids, effective_from__lte=on
    ).order_by("team_id", "-effective_from")
    seen: set[int] = set()
    for row in establishment:
        if row.team_id not in seen:
            seen.add(row.team_id)
            figures[row.team_id].establishment_fte = row.social_worker_posts_fte
    in_post = Q(user__employment_start__isnull=True) | Q(user__employment_start__lte=on)
    not_left = Q(user__employment_end__isnull=True) | Q(user__employment_end__gte=on)
    members = (
        TeamMembership.objects.filter(team_id__in=team_ids, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .filter(in_post, not_left, user__roles__code__in=SOCIAL_WORKER_ROLES)
        .annotate(
            case_holder=Exists(
                User.roles.through.objects.filter(
                    user_id=OuterRef("user_id"), role__code__in=CASE_HOLDING_ROLES
                )
            )
        )
        .values("team_id", "user_id", "user__fte", "user__employment_type", "case_holder")
        .distinct()
    )
    counted: set[tuple[int, int]] = set()
    holder_team: dict[int, int] = {}
    for m in members:
        key = (m["team_id"], m["user_id"])
        if key in counted:
            continue
        counted.add(key)
        f = figures[m["team_id"]]
        f.headcount += 1
        f.social_worker_fte += m["user__fte"]
        if m["user__employment_type"] == EmploymentType.AGENCY:
            f.agency_fte += m["user__fte"]
        if m["case_holder"]:
            f.case_holding_fte += m["user__fte"]
            holder_team[m["user_id"]] = m["team_id"]
    held = (
        Allocation.objects.filter(role=LEAD, start_date__lte=on, worker_id__in=list(holder_team))
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .exclude(end_reason=EndReason.ENTERED_IN_ERROR)
        .values("worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in held:
        figures[holder_team[r["worker_id"]]].cases += r["n"]
    total = TeamFigures(team=None)
    for f in figures.values():
        total.establishment_fte += f.establishment_fte
        total.social_worker_fte += f.social_worker_fte
        total.headcount += f.headcount
        total.agency_fte += f.agency_fte
        total.case_holding_fte += f.case_holding_fte
        total.cases += f.cases
    return [*figures.values(), total]
