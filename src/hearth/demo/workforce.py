"""Built-in steps: roles, the council, and its workforce (teams, staff, memberships, demo accounts).

The workforce is planned first as plain data (`plan_workforce`, no database), then written with
`bulk_create`. Sizes follow domain.md §2.4-2.5: children in need (330 per 10,000 children)
divided by the scenario's caseload gives the case-holding social worker FTE, which is split
across service areas and into teams of about 7.5 FTE; managers, IROs, personal advisers and
support staff are added around them. Each post also gets the people who held it earlier in the
history window (leavers), so later steps can allocate historic work to staff in post at the time.

Two different relations are generated. Team membership means "works in this team": everyone below
service manager is a member of exactly one team (a team manager of the team they manage), while
service managers, heads of service and the director sit above teams and belong to none. The
management line (`User.line_manager`, which supervision and escalation follow) runs worker -> team
manager -> service manager -> head of service -> director.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils.text import slugify
from faker import Faker

from hearth.core.choices import EmploymentType, RoleCode, ServiceArea
from hearth.core.models import Council, Role, Team, TeamMembership, User
from hearth.core.roles import sync_roles

from .accounts import DEMO_PASSWORD, demo_email
from .context import GenerationContext, years_before
from .scenarios import Scenario
from .steps import register_step

SA = ServiceArea
R = RoleCode

# Share of case-holding social worker FTE by service area [our estimate of a typical structure].
CASE_HOLDING_SHARE: dict[str, float] = {
    SA.FRONT_DOOR: 0.08,
    SA.ASSESSMENT: 0.22,
    SA.CIN_CP: 0.30,
    SA.CHILDREN_IN_CARE: 0.18,
    SA.LEAVING_CARE: 0.03,
    SA.DISABLED_CHILDREN: 0.07,
    SA.ADOLESCENTS: 0.06,
    SA.ADOPTION: 0.03,
    SA.FOSTERING: 0.03,
}
TEAM_CASE_HOLDING_FTE = 7.5  # 1-2 senior practitioners and 5-8 social workers
LEAVING_CARE_TEAM_SIZE = 9  # social workers and personal advisers per leaving care team
IRO_TEAM_SIZE = 10
TEAMS_PER_SERVICE_MANAGER = 4
CP_CHILDREN_PER_CHAIR = 75  # children on CP plans per conference chair [estimate]
FAMILY_SUPPORT_WORKERS_PER_TEAM: dict[str, int] = {
    SA.CIN_CP: 2,
    SA.CHILDREN_IN_CARE: 1,
    SA.DISABLED_CHILDREN: 1,
    SA.ADOLESCENTS: 1,
}
PART_TIME_FTES = [Decimal("0.5"), Decimal("0.6"), Decimal("0.7"), Decimal("0.8"), Decimal("0.9")]
FULL_TIME = Decimal("1.00")
PERMANENT_TENURE_CAP_DAYS = 30 * 365
AGENCY_TENURE_CAP_DAYS = 3 * 365

TEAM_BASE_NAMES: dict[str, str] = {
    SA.FRONT_DOOR: "Front Door (MASH) Team",
    SA.ASSESSMENT: "Assessment Team",
    SA.CIN_CP: "Child in Need and Protection Team",
    SA.CHILDREN_IN_CARE: "Children in Care Team",
    SA.LEAVING_CARE: "Leaving Care Team",
    SA.DISABLED_CHILDREN: "Children with Disabilities Team",
    SA.ADOLESCENTS: "Adolescents and Exploitation Team",
    SA.ADOPTION: "Adoption and Permanence Team",
    SA.FOSTERING: "Fostering Team",
    SA.IRO: "IRO and Conference Chair Service",
    SA.QUALITY_ASSURANCE: "Quality Assurance Team",
    SA.PERFORMANCE: "Performance and Information Team",
}
LOCALITIES = ["North", "South", "East", "West", "Central", "North East", "North West", "South East"]
SOCIAL_WORKER_TITLES: dict[str, str] = {
    SA.FRONT_DOOR: "MASH Social Worker",
    SA.FOSTERING: "Supervising Social Worker",
    SA.ADOPTION: "Adoption Social Worker",
}

# Heads of service and the service areas they lead.
HEADS_OF_SERVICE: list[tuple[str, list[str]]] = [
    ("Front Door and Assessment", [SA.FRONT_DOOR, SA.ASSESSMENT]),
    ("Safeguarding and Family Support", [SA.CIN_CP, SA.DISABLED_CHILDREN, SA.ADOLESCENTS]),
    (
        "Children in Care and Permanence",
        [SA.CHILDREN_IN_CARE, SA.LEAVING_CARE, SA.ADOPTION, SA.FOSTERING],
    ),
    ("Quality Assurance and Safeguarding", [SA.IRO, SA.QUALITY_ASSURANCE, SA.PERFORMANCE]),
]

# Roles registered with Social Work England (given an SW number); others have none.
REGISTERED_ROLES = {
    R.SOCIAL_WORKER,
    R.SENIOR_PRACTITIONER,
    R.TEAM_MANAGER,
    R.SERVICE_MANAGER,
    R.HEAD_OF_SERVICE,
    R.IRO,
    R.CONFERENCE_CHAIR,
}
# The team the demo accounts sit in: the first child in need and protection team.
DEMO_SERVICE_AREA = SA.CIN_CP
PARTNER_JOB_TITLE = "Police Public Protection Officer"
PERFORMANCE_LEAD = "Performance and Information Manager"
COUNTY_PREFIXES = ["North ", "South ", "East ", "West ", "Mid ", "", "", "", "", "", "", ""]


# --- the plan ------------------------------------------------------------------------------------


@dataclass
class Post:
    """A job in the structure. Its current holder is active; earlier holders have left."""

    roles: tuple[str, ...]
    title: str
    team: str  # the one team the holder works in (is a member of); "" above teams
    agency_class: str = ""  # "practitioner", "manager" or "" (never agency)
    asye_eligible: bool = False
    part_time_eligible: bool = True
    manages: str = ""  # name of the team this post manages
    # Posts above teams: the teams in their area (not memberships). Business support: the teams
    # the officer serves (their own and the neighbouring one).
    oversees: tuple[str, ...] = ()
    reports_to: int | None = None  # index in `WorkforcePlan.posts` of the line manager's post
    demo_role: str = ""
    employment_type: str = EmploymentType.PERMANENT
    fte: Decimal = FULL_TIME

    @property
    def registered(self) -> bool:
        return bool(REGISTERED_ROLES.intersection(self.roles))


@dataclass(frozen=True)
class PersonPlan:
    first_name: str
    last_name: str
    email: str
    job_title: str
    roles: tuple[str, ...]
    employment_type: str
    fte: Decimal
    employment_start: dt.date
    employment_end: dt.date | None
    swe_registration: str
    team: str  # "" for service managers, heads of service and the director
    post: int  # index in `WorkforcePlan.posts`
    line_manager: int | None = None  # index in `WorkforcePlan.people`
    manages: str = ""
    demo_role: str = ""

    @property
    def is_active(self) -> bool:
        return self.employment_end is None


@dataclass
class WorkforcePlan:
    teams: list[tuple[str, str]] = field(default_factory=list)  # (name, service area)
    posts: list[Post] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def team_names(self, area: str) -> list[str]:
        return [name for name, a in self.teams if a == area]


def _team_names(area: str, n: int) -> list[str]:
    base = TEAM_BASE_NAMES[area]
    if n == 1:
        return [base]
    if n <= len(LOCALITIES):
        return [f"{base} {loc}" for loc in LOCALITIES[:n]]
    return [f"{base} {i}" for i in range(1, n + 1)]


def _split(total: int, parts: int) -> list[int]:
    """`total` shared as evenly as possible over `parts`, larger shares first."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _chunks(items: Sequence[str], size: int) -> list[list[str]]:
    n = max(1, math.ceil(len(items) / size))
    sizes = _split(len(items), n)
    out, start = [], 0
    for s in sizes:
        out.append(list(items[start : start + s]))
        start += s
    return out


def _case_holding_team(
    plan: WorkforcePlan, area: str, name: str, heads: int, *, extra: Sequence[Post] = ()
) -> None:
    """A team manager, 1-2 senior practitioners, social workers and family support workers."""
    plan.teams.append((name, area))
    plan.posts.append(
        Post(
            roles=(R.TEAM_MANAGER,),
            title="Team Manager",
            team=name,
            agency_class="manager",
            manages=name,
        )
    )
    seniors = 2 if heads >= 9 else 1 if heads >= 3 else 0
    for _ in range(seniors):
        plan.posts.append(
            Post(
                roles=(R.SENIOR_PRACTITIONER,),
                title="Senior Practitioner",
                team=name,
                agency_class="practitioner",
            )
        )
    for _ in range(heads - seniors):
        plan.posts.append(
            Post(
                roles=(R.SOCIAL_WORKER,),
                title=SOCIAL_WORKER_TITLES.get(area, "Social Worker"),
                team=name,
                agency_class="practitioner",
                asye_eligible=area != SA.FRONT_DOOR,
            )
        )
    for _ in range(FAMILY_SUPPORT_WORKERS_PER_TEAM.get(area, 0)):
        plan.posts.append(
            Post(roles=(R.FAMILY_SUPPORT_WORKER,), title="Family Support Worker", team=name)
        )
    for post in extra:
        post.team = name
        plan.posts.append(post)


def _plan_structure(plan: WorkforcePlan, children: int, s: Scenario) -> None:
    def expected(rate: float) -> float:
        return children * rate / 10_000

    cin, cp, cla = expected(s.cin_per_10k), expected(s.cp_per_10k), expected(s.cla_per_10k)
    care_leavers = expected(s.care_leavers_per_10k)
    case_holding_fte = cin / s.caseload
    # Average FTE of a case-holding post (part-timers work 0.5-0.9, about 0.7 on average).
    average_fte = 1 - s.part_time_share * 0.3
    plan.figures.update(
        modelled_children_in_need=round(cin),
        modelled_cp_plans=round(cp),
        modelled_children_in_care=round(cla),
        modelled_care_leavers=round(care_leavers),
        case_holding_fte_target=round(case_holding_fte, 1),
    )

    for area, share in CASE_HOLDING_SHARE.items():
        fte = case_holding_fte * share
        if area == SA.LEAVING_CARE:
            social_workers = max(1, round(fte / average_fte))
            advisers = max(1, round(care_leavers / s.care_leavers_per_pa))
            n = max(1, round((social_workers + advisers) / LEAVING_CARE_TEAM_SIZE))
            for name, sw, pa in zip(
                _team_names(area, n), _split(social_workers, n), _split(advisers, n), strict=True
            ):
                _case_holding_team(
                    plan,
                    area,
                    name,
                    sw,
                    extra=[
                        Post(roles=(R.PERSONAL_ADVISER,), title="Personal Adviser", team="")
                        for _ in range(pa)
                    ],
                )
            continue
        n = max(1, round(fte / TEAM_CASE_HOLDING_FTE))
        heads = _split(max(n, round(fte / average_fte)), n)
        for i, name in enumerate(_team_names(area, n)):
            team_heads = heads[i]
            if area == DEMO_SERVICE_AREA and i == 0:
                team_heads = max(team_heads, 3)  # room for the demo senior practitioner and worker
            _case_holding_team(plan, area, name, team_heads)

    # IROs and conference chairs.
    iros = max(1, round(cla / s.children_per_iro))
    chairs = max(1, round(cp / CP_CHILDREN_PER_CHAIR))
    n = max(1, math.ceil((iros + chairs) / IRO_TEAM_SIZE))
    for name, iro_count, chair_count in zip(
        _team_names(SA.IRO, n), _split(iros, n), _split(chairs, n), strict=True
    ):
        plan.teams.append((name, SA.IRO))
        plan.posts.append(
            Post(
                roles=(R.TEAM_MANAGER,),
                title="IRO Team Manager",
                team=name,
                agency_class="manager",
                manages=name,
            )
        )
        plan.posts.extend(
            Post(
                roles=(R.IRO,),
                title="Independent Reviewing Officer",
                team=name,
                agency_class="manager",
            )
            for _ in range(iro_count)
        )
        plan.posts.extend(
            Post(
                roles=(R.CONFERENCE_CHAIR,),
                title="Child Protection Conference Chair",
                team=name,
                agency_class="manager",
            )
            for _ in range(chair_count)
        )

    # Quality assurance: a manager and 2-3 auditors.
    qa = TEAM_BASE_NAMES[SA.QUALITY_ASSURANCE]
    plan.teams.append((qa, SA.QUALITY_ASSURANCE))
    plan.posts.append(
        Post(roles=(R.TEAM_MANAGER,), title="Quality Assurance Manager", team=qa, manages=qa)
    )
    plan.posts.extend(
        Post(roles=(R.AUDITOR,), title="Quality Assurance Auditor", team=qa)
        for _ in range(2 if children < 100_000 else 3)
    )

    # Performance: 2-4 analysts (the lead manages the team) and 1-2 system administrators.
    perf = TEAM_BASE_NAMES[SA.PERFORMANCE]
    plan.teams.append((perf, SA.PERFORMANCE))
    analysts = 2 if children < 60_000 else 3 if children < 200_000 else 4
    # The lead is an analyst, not a team manager, so has no access to case records.
    plan.posts.append(
        Post(roles=(R.PERFORMANCE_ANALYST,), title=PERFORMANCE_LEAD, team=perf, manages=perf)
    )
    plan.posts.extend(
        Post(roles=(R.PERFORMANCE_ANALYST,), title="Performance Analyst", team=perf)
        for _ in range(analysts - 1)
    )
    plan.posts.extend(
        Post(roles=(R.SYSTEM_ADMINISTRATOR,), title="Systems Administrator", team=perf)
        for _ in range(1 if children < 150_000 else 2)
    )

    # Business support: one officer for every two teams. Each serves two neighbouring teams but
    # works in (is a member of) one: the first of the pair, or the demo team where the pair holds
    # it, so the demo business support officer is in the demo team.
    all_teams = [name for name, _ in plan.teams]
    demo_team = plan.team_names(DEMO_SERVICE_AREA)[0]
    for pair in (all_teams[i : i + 2] for i in range(0, len(all_teams), 2)):
        plan.posts.append(
            Post(
                roles=(R.BUSINESS_SUPPORT,),
                title="Business Support Officer",
                team=demo_team if demo_team in pair else pair[0],
                oversees=tuple(pair),
            )
        )

    # Service managers over groups of up to four teams; heads of service; the director. They are
    # above teams: no team of their own, only the teams in their area.
    head_posts: list[int] = []
    for label, areas in HEADS_OF_SERVICE:
        group = [name for name, area in plan.teams if area in areas]
        service_managers: list[int] = []
        for chunk in _chunks(group, TEAMS_PER_SERVICE_MANAGER):
            chunk_areas = {area for name, area in plan.teams if name in chunk}
            scope = SA(next(iter(chunk_areas))).label if len(chunk_areas) == 1 else label
            service_managers.append(len(plan.posts))
            plan.posts.append(
                Post(
                    roles=(R.SERVICE_MANAGER,),
                    title=f"Service Manager, {scope}",
                    team="",
                    oversees=tuple(chunk),
                    part_time_eligible=False,
                )
            )
        head = len(plan.posts)
        head_posts.append(head)
        plan.posts.append(
            Post(
                roles=(R.HEAD_OF_SERVICE,),
                title=f"Head of Service, {label}",
                team="",
                oversees=tuple(group),
                part_time_eligible=False,
            )
        )
        for i in service_managers:
            plan.posts[i].reports_to = head
    director = len(plan.posts)
    plan.posts.append(
        Post(
            roles=(R.DIRECTOR,),
            title="Director of Children's Services",
            team="",
            oversees=tuple(all_teams),
            part_time_eligible=False,
        )
    )
    for i in head_posts:
        plan.posts[i].reports_to = director
    _link_teams_to_management_line(plan)


def _link_teams_to_management_line(plan: WorkforcePlan) -> None:
    """Team posts report to their team's manager; team managers to the service manager over them.

    The performance team's lead ("Performance and Information Manager") manages that team, so is
    its members' line manager although not a team manager by role.
    """
    manager_of: dict[str, int] = {}
    service_manager_of: dict[str, int] = {}
    for i, post in enumerate(plan.posts):
        if post.manages:
            manager_of[post.manages] = i
        if R.SERVICE_MANAGER in post.roles:
            service_manager_of.update(dict.fromkeys(post.oversees, i))
    for post in plan.posts:
        if post.manages:
            post.reports_to = service_manager_of[post.manages]
        elif post.team:
            post.reports_to = manager_of[post.team]
    assert all(  # every post but the director's is in the line
        (post.reports_to is None) == (R.DIRECTOR in post.roles) for post in plan.posts
    )


def _choose_demo_posts(plan: WorkforcePlan) -> None:
    demo_team = plan.team_names(DEMO_SERVICE_AREA)[0]

    def first(role: str, *, team: str | None = None, exclude_title: str = "") -> Post:
        for post in plan.posts:
            if (
                role in post.roles
                and not post.demo_role
                and (team is None or team == post.team or team in post.oversees)
                and post.title != exclude_title
            ):
                return post
        raise LookupError(f"No post for the demo {role}")  # pragma: no cover - plan guarantees

    chosen = {
        R.TEAM_MANAGER: first(R.TEAM_MANAGER, team=demo_team),
        R.SENIOR_PRACTITIONER: first(R.SENIOR_PRACTITIONER, team=demo_team),
        R.SOCIAL_WORKER: first(R.SOCIAL_WORKER, team=demo_team),
        R.FAMILY_SUPPORT_WORKER: first(R.FAMILY_SUPPORT_WORKER, team=demo_team),
        R.BUSINESS_SUPPORT: first(R.BUSINESS_SUPPORT, team=demo_team),
        R.SERVICE_MANAGER: first(R.SERVICE_MANAGER, team=demo_team),
        R.HEAD_OF_SERVICE: first(R.HEAD_OF_SERVICE, team=demo_team),
        R.DIRECTOR: first(R.DIRECTOR),
        R.IRO: first(R.IRO),
        R.CONFERENCE_CHAIR: first(R.CONFERENCE_CHAIR),
        R.PERSONAL_ADVISER: first(R.PERSONAL_ADVISER),
        R.PERFORMANCE_ANALYST: first(R.PERFORMANCE_ANALYST, exclude_title=PERFORMANCE_LEAD),
        R.AUDITOR: first(R.AUDITOR),
        R.SYSTEM_ADMINISTRATOR: first(R.SYSTEM_ADMINISTRATOR),
    }
    for role, post in chosen.items():
        post.demo_role = role


def _assign_employment(plan: WorkforcePlan, s: Scenario, rng: random.Random) -> None:
    """Agency, ASYE and part-time posts by quota, so small councils still match the rates."""
    posts = plan.posts

    def indices(pred: Callable[[Post], bool]) -> list[int]:
        return [i for i, p in enumerate(posts) if pred(p)]

    # Agency staff work full time; pick enough that agency FTE / all FTE is the scenario's rate.
    average_permanent_fte = 1 - s.part_time_share * 0.3
    for agency_class, rate in (("practitioner", s.agency_rate), ("manager", s.agency_rate / 2)):
        all_posts = [i for i, p in enumerate(posts) if p.agency_class == agency_class]
        eligible = [i for i in all_posts if not posts[i].demo_role]
        share = rate * average_permanent_fte / (1 - rate + rate * average_permanent_fte)
        k = min(len(eligible), round(share * len(all_posts)))
        for i in rng.sample(eligible, k):
            posts[i].employment_type = EmploymentType.AGENCY

    # Newly qualified social workers (ASYE): a share of the permanent social workers. Agency work
    # is closed to early-career social workers.
    permanent_sws = indices(
        lambda p: R.SOCIAL_WORKER in p.roles and p.employment_type == EmploymentType.PERMANENT
    )
    eligible = [i for i in permanent_sws if posts[i].asye_eligible and not posts[i].demo_role]
    k = min(len(eligible), round(s.asye_share * len(permanent_sws)))
    for i in rng.sample(eligible, k):
        posts[i].employment_type = EmploymentType.ASYE

    # Part time (0.5-0.9 FTE): a share of all staff, among permanent staff.
    eligible = indices(
        lambda p: (
            p.part_time_eligible
            and not p.demo_role
            and p.employment_type == EmploymentType.PERMANENT
        )
    )
    k = min(len(eligible), round(s.part_time_share * len(posts)))
    for i in rng.sample(eligible, k):
        posts[i].fte = rng.choice(PART_TIME_FTES)


def _ascii_name(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z-]", "", value).strip("-")


class _People:
    """Names, unique email addresses and unique Social Work England numbers."""

    def __init__(self, faker: Faker, rng: random.Random, domain: str) -> None:
        self.faker, self.rng, self.domain = faker, rng, domain
        self.emails: Counter[str] = Counter()
        self.swe_numbers: set[int] = set()

    def name(self) -> tuple[str, str]:
        return self.faker.first_name(), self.faker.last_name()

    def email(self, first: str, last: str) -> str:
        base = f"{_ascii_name(first) or 'staff'}.{_ascii_name(last) or 'member'}"
        self.emails[base] += 1
        n = self.emails[base]
        return f"{base}{n if n > 1 else ''}@{self.domain}"

    def swe_registration(self) -> str:
        while True:
            number = self.rng.randrange(100_000, 1_000_000)
            if number not in self.swe_numbers:
                self.swe_numbers.add(number)
                return f"SW{number}"


def _job_title(post: Post, employment_type: str) -> str:
    if employment_type == EmploymentType.ASYE:
        return "Newly Qualified Social Worker (ASYE)"
    if employment_type == EmploymentType.AGENCY and post.manages:
        return f"Interim {post.title}"
    return post.title


def _tenure_days(rng: random.Random, s: Scenario, employment_type: str) -> int:
    if employment_type == EmploymentType.AGENCY:
        mean, cap = s.agency_tenure_months * 30.44, AGENCY_TENURE_CAP_DAYS
    else:
        mean, cap = s.permanent_tenure_years * 365.25, PERMANENT_TENURE_CAP_DAYS
    return min(int(rng.expovariate(1 / mean)), cap)


def _fill_posts(
    plan: WorkforcePlan,
    *,
    s: Scenario,
    rng: random.Random,
    people: _People,
    reference_date: dt.date,
    history_start: dt.date,
) -> None:
    """The current holder of each post, then the earlier holders back to the history start."""
    one_day = dt.timedelta(days=1)
    for index, post in enumerate(plan.posts):
        employment_type = post.employment_type
        if employment_type == EmploymentType.ASYE:
            elapsed = rng.randrange(0, 365)  # the ASYE is the first year in practice
        else:
            elapsed = _tenure_days(rng, s, employment_type)
        start = reference_date - dt.timedelta(days=elapsed)
        first, last = people.name()
        plan.people.append(
            PersonPlan(
                first_name=first,
                last_name=last,
                email=demo_email(post.demo_role) if post.demo_role else people.email(first, last),
                job_title=_job_title(post, employment_type),
                roles=post.roles,
                employment_type=employment_type,
                fte=post.fte,
                employment_start=start,
                employment_end=None,
                swe_registration=people.swe_registration() if post.registered else "",
                team=post.team,
                post=index,
                manages=post.manages,
                demo_role=post.demo_role,
            )
        )
        # Earlier holders (leavers), each leaving a gap of up to six weeks before the next started.
        agency_rate = {"practitioner": s.agency_rate, "manager": s.agency_rate / 2}.get(
            post.agency_class, 0.0
        )
        while start > history_start:
            end = start - one_day - dt.timedelta(days=rng.randrange(0, 43))
            if end < history_start:
                break
            employment_type = (
                EmploymentType.AGENCY if rng.random() < agency_rate else EmploymentType.PERMANENT
            )
            fte = FULL_TIME
            if (
                employment_type == EmploymentType.PERMANENT
                and post.part_time_eligible
                and rng.random() < s.part_time_share
            ):
                fte = rng.choice(PART_TIME_FTES)
            start = end - dt.timedelta(days=max(30, _tenure_days(rng, s, employment_type)))
            first, last = people.name()
            plan.people.append(
                PersonPlan(
                    first_name=first,
                    last_name=last,
                    email=people.email(first, last),
                    job_title=_job_title(post, employment_type),
                    roles=post.roles,
                    employment_type=employment_type,
                    fte=fte,
                    employment_start=start,
                    employment_end=end,
                    swe_registration=people.swe_registration() if post.registered else "",
                    team=post.team,
                    post=index,
                )
            )


def _assign_line_managers(plan: WorkforcePlan) -> None:
    """Everyone's line manager: whoever held their post's `reports_to` post.

    For staff in post that is the manager post's current holder (every post has one). Leavers keep
    the line manager they had on their last day, so historic supervision and escalation can follow
    the line as it was; if the manager post was vacant that day (between holders, or before its
    earliest generated holder), the line passes up to the next post held that day, and a leaver
    whose whole line was vacant has none.
    """
    holders: list[list[int]] = [[] for _ in plan.posts]  # current holder first, then back in time
    for i, person in enumerate(plan.people):
        holders[person.post].append(i)

    def held_on(post: int | None, day: dt.date) -> int | None:
        while post is not None:
            for i in holders[post]:
                holder = plan.people[i]
                if holder.employment_start <= day and (
                    holder.employment_end is None or day <= holder.employment_end
                ):
                    return i
            post = plan.posts[post].reports_to
        return None

    for i, person in enumerate(plan.people):
        reports_to = plan.posts[person.post].reports_to
        if reports_to is None:
            continue
        if person.is_active:
            manager: int | None = holders[reports_to][0]
        else:
            assert person.employment_end is not None
            manager = held_on(reports_to, person.employment_end)
        plan.people[i] = replace(person, line_manager=manager)


def management_depth(plan: WorkforcePlan) -> list[int]:
    """Each post's distance from the director's post (0), down the management line."""
    depth: list[int] = []
    for post in plan.posts:  # managers' posts can come after their reports' posts, so walk up
        d, up = 0, post.reports_to
        while up is not None:
            d, up = d + 1, plan.posts[up].reports_to
        depth.append(d)
    return depth


def plan_workforce(
    *,
    children: int,
    scenario: Scenario,
    rng: random.Random,
    faker: Faker,
    email_domain: str,
    reference_date: dt.date,
    years: int,
) -> WorkforcePlan:
    """The whole workforce as plain data. Deterministic for the same inputs and random state."""
    plan = WorkforcePlan()
    _plan_structure(plan, children, scenario)
    _choose_demo_posts(plan)
    _assign_employment(plan, scenario, rng)
    _fill_posts(
        plan,
        s=scenario,
        rng=rng,
        people=_People(faker, rng, email_domain),
        reference_date=reference_date,
        history_start=years_before(reference_date, years),
    )
    _assign_line_managers(plan)
    return plan


def email_domain(council_name: str) -> str:
    slug = slugify(council_name.removesuffix(" Council")) or "council"
    return f"{slug}.gov.uk.test"


def generated_council_name(faker: Faker, rng: random.Random) -> str:
    """A fictional county-ish name, like "West Edwardshire Council".

    Faker's `county()` returns real counties, which would pass synthetic data off as a real council.
    """
    root = re.sub(r"[^A-Za-z]", "", faker.last_name()) or "Hearth"
    if root.endswith("s") and len(root) > 4:
        root = root[:-1]
    return f"{rng.choice(COUNTY_PREFIXES)}{root}shire Council"


# --- the steps -----------------------------------------------------------------------------------


@register_step("roles", order=0)
def roles_step(ctx: GenerationContext) -> None:
    sync_roles()


@register_step("council", order=10)
def council_step(ctx: GenerationContext) -> None:
    name = ctx.council_name or generated_council_name(ctx.faker, ctx.rng)
    # DfE has allocated LA codes 201-938; 940-999 cannot be mistaken for a real authority.
    council = Council.objects.create(
        name=name,
        la_code=str(ctx.rng.randint(940, 999)),
        population_0_17=ctx.children,
        generator_seed=ctx.seed,
        generator_scenario=ctx.scenario.name,
        reference_date=ctx.reference_date,
    )
    ctx.council = council
    ctx.counts[Council._meta.label_lower] += 1


@register_step("workforce", order=20)
def workforce_step(ctx: GenerationContext) -> None:
    assert ctx.council is not None, "the council step runs first"
    plan = plan_workforce(
        children=ctx.children,
        scenario=ctx.scenario,
        rng=ctx.rng,
        faker=ctx.faker,
        email_domain=email_domain(ctx.council.name),
        reference_date=ctx.reference_date,
        years=ctx.years,
    )
    role_ids = dict(Role.objects.values_list("code", "pk"))
    demo_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by the demo accounts

    # Created down the management line (the director, heads of service, service managers, team
    # managers, then everyone else), one insert per level, so each line manager has a primary key
    # before their reports are inserted: no second pass of updates.
    depth = management_depth(plan)
    by_level: dict[int, list[int]] = {}
    for i, p in enumerate(plan.people):
        by_level.setdefault(depth[p.post], []).append(i)
    users: list[User | None] = [None] * len(plan.people)
    for level in sorted(by_level):
        batch = []
        for i in by_level[level]:
            p = plan.people[i]
            user = User(
                email=p.email,
                first_name=p.first_name,
                last_name=p.last_name,
                job_title=p.job_title,
                is_active=p.is_active,
                employment_type=p.employment_type,
                fte=p.fte,
                employment_start=p.employment_start,
                employment_end=p.employment_end,
                swe_registration=p.swe_registration,
                password=demo_hash if p.demo_role else make_password(None),
                line_manager=None if p.line_manager is None else users[p.line_manager],
            )
            users[i] = user
            batch.append(user)
        ctx.bulk_create(batch, desc="Staff")
    staff = [u for u in users if u is not None]
    assert len(staff) == len(plan.people)
    first, last = ctx.faker.first_name(), ctx.faker.last_name()
    (partner,) = ctx.bulk_create(
        [
            User(
                email=demo_email(R.PARTNER_AGENCY),
                first_name=first,
                last_name=last,
                job_title=PARTNER_JOB_TITLE,
                password=demo_hash,
            )
        ]
    )

    through = User.roles.through
    role_rows = [
        through(user_id=user.pk, role_id=role_ids[code])
        for user, person in zip(staff, plan.people, strict=True)
        for code in person.roles
    ]
    role_rows.append(through(user_id=partner.pk, role_id=role_ids[R.PARTNER_AGENCY]))
    ctx.bulk_create(role_rows, desc="Roles")

    managers = {
        p.manages: u for u, p in zip(staff, plan.people, strict=True) if p.manages and p.is_active
    }
    teams = ctx.bulk_create(
        [Team(name=name, service_area=area, manager=managers[name]) for name, area in plan.teams],
        desc="Teams",
    )
    by_name = {t.name: t for t in teams}
    # One team per person (its membership spans their employment); none above teams.
    memberships = [
        TeamMembership(
            team=by_name[p.team],
            user=user,
            start_date=p.employment_start,
            end_date=p.employment_end,
        )
        for user, p in zip(staff, plan.people, strict=True)
        if p.team
    ]
    ctx.memberships.extend(ctx.bulk_create(memberships, desc="Team memberships"))

    ctx.teams.extend(teams)
    for user, p in zip(staff, plan.people, strict=True):
        if not p.is_active:
            ctx.former_staff.append(user)
            continue
        for code in p.roles:
            ctx.staff_by_role[code].append(user)
        if p.team:
            ctx.staff_by_team[by_name[p.team].pk].append(user)
        if p.demo_role:
            ctx.demo_accounts[p.demo_role] = user
    ctx.staff_by_role[R.PARTNER_AGENCY].append(partner)
    ctx.demo_accounts[R.PARTNER_AGENCY] = partner

    # Vacancies: vacancies / (vacancies + employed social worker FTE) is the scenario's rate, with
    # "social worker" meaning every registered social work post, as in DfE's workforce statistics.
    employed_fte = sum(
        (
            p.fte
            for p in plan.people
            if p.is_active and p.swe_registration and p.employment_type != EmploymentType.AGENCY
        ),
        Decimal(0),
    )
    rate = Decimal(str(ctx.scenario.vacancy_rate))
    vacancies = (employed_fte * rate / (1 - rate)).quantize(Decimal("0.01"))
    ctx.council.social_worker_vacancies_fte = vacancies
    ctx.council.save(update_fields=["social_worker_vacancies_fte", "updated_at"])

    case_holding_fte = sum(
        (
            p.fte
            for p in plan.people
            if p.is_active and {R.SOCIAL_WORKER, R.SENIOR_PRACTITIONER}.intersection(p.roles)
        ),
        Decimal(0),
    )
    ctx.summary.update(plan.figures)
    ctx.summary.update(
        case_holding_fte=float(case_holding_fte),
        modelled_caseload=round(
            plan.figures["modelled_children_in_need"] / float(case_holding_fte), 1
        ),
        social_worker_vacancies_fte=float(vacancies),
        former_staff=len(ctx.former_staff),
    )
