"""Reads for case audits: work lists, a programme's progress, the child's record and the summary.

Every function here costs a fixed number of queries, whatever the number of rows.

The home-page selectors (`audit_actions_overdue`, `audit_actions_for_owner`, `audits_due_for`)
are not scoped to a viewer: a page that shows children's names from them should also filter with
`policies.actions_visible_to` / `policies.audits_visible_to` (restricted records).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from hearth.core.models import Team, TeamMembership, User
from hearth.people.models import Person
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .models import (
    COMPLETED_STATUSES,
    GRADE_COLOURS,
    GRADE_ORDER,
    OPEN_STATUSES,
    AuditProgramme,
    AuditStatus,
    CaseAudit,
    Finding,
    FindingKind,
    Grade,
    Theme,
)
from .models import AuditAction as Action

LONDON = ZoneInfo("Europe/London")


# --- actions -------------------------------------------------------------------------------------


def open_actions() -> QuerySet[Action]:
    return Action.objects.filter(completed_on__isnull=True, cancelled_on__isnull=True)


def audit_actions_overdue(*, teams: QuerySet[Team] | None = None) -> QuerySet[Action]:
    """Open actions past their due date, oldest due first: for the audits of cases those teams
    held when they were audited, or owned by someone now in those teams (all when None)."""
    actions = open_actions().filter(due_on__lt=timezone.localdate())
    if teams is not None:
        actions = for_teams(actions, teams)
    return actions.select_related("person", "owner", "audit__team").order_by("due_on", "id")


def for_teams(actions: QuerySet[Action], teams: QuerySet[Team]) -> QuerySet[Action]:
    """Actions from audits of cases those teams held, or owned by someone now in them."""
    members = TeamMembership.objects.filter(team__in=teams, end_date__isnull=True).values("user_id")
    return actions.filter(Q(audit__team__in=teams) | Q(owner_id__in=members))


def audit_actions_for_owner(user: User) -> QuerySet[Action]:
    """The user's open actions, soonest due first."""
    return (
        open_actions()
        .filter(owner=user)
        .select_related("person", "audit__team")
        .order_by("due_on", "id")
    )


def audits_due_for(auditor: User) -> QuerySet[CaseAudit]:
    """Audits assigned to the auditor and not yet submitted, soonest due first."""
    return (
        CaseAudit.objects.filter(auditor=auditor, status__in=OPEN_STATUSES)
        .select_related("person", "programme", "team")
        .order_by("due_by", "id")
    )


def audits_awaiting_moderation(moderator: User) -> QuerySet[CaseAudit]:
    """Submitted audits someone other than their auditor may moderate, oldest first."""
    return (
        CaseAudit.objects.filter(status=AuditStatus.SUBMITTED)
        .exclude(auditor=moderator)
        .select_related("person", "auditor", "team", "programme")
        .order_by("submitted_at", "id")
    )


def with_final_grade(audits: QuerySet[CaseAudit]) -> QuerySet[CaseAudit]:
    """`final_grade`: the moderator's grade once moderated, else the auditor's."""
    return audits.annotate(
        final_grade=Coalesce("moderation__grade", "overall_grade", output_field=CharField())
    )


# --- cases ---------------------------------------------------------------------------------------


def open_cases_of_team(team: Team) -> QuerySet[Person]:
    """Children whose case the team holds now (a current lead allocation in the team)."""
    held = Allocation.objects.filter(
        person=OuterRef("pk"), role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True, team=team
    )
    return Person.objects.live().filter(Exists(held)).order_by("surname", "forename", "id")


def auditor_choices() -> QuerySet[User]:
    """Who is usually asked to audit: quality assurance staff and managers (peer audit)."""
    return (
        User.objects.filter(
            is_active=True,
            roles__permissions__codename__in=["manage_case_audits", "manage_allocations"],
            roles__permissions__content_type__app_label="core",
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


# --- programmes ----------------------------------------------------------------------------------


def programmes_with_progress() -> QuerySet[AuditProgramme]:
    today = timezone.localdate()
    live = ~Q(audits__status=AuditStatus.WITHDRAWN)
    return AuditProgramme.objects.select_related("template", "created_by").annotate(
        total=Count("audits", filter=live),
        completed=Count("audits", filter=Q(audits__status__in=COMPLETED_STATUSES)),
        moderated=Count("audits", filter=Q(audits__status=AuditStatus.MODERATED)),
        overdue=Count(
            "audits", filter=Q(audits__status__in=OPEN_STATUSES, audits__due_by__lt=today)
        ),
    )


@dataclass(frozen=True)
class Progress:
    by_status: dict[str, int]
    total: int
    overdue: int

    @property
    def completed(self) -> int:
        return self.by_status.get(AuditStatus.SUBMITTED, 0) + self.by_status.get(
            AuditStatus.MODERATED, 0
        )

    @property
    def percent_complete(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


def programme_progress(programme: AuditProgramme) -> Progress:
    today = timezone.localdate()
    rows = (
        CaseAudit.objects.filter(programme=programme)
        .order_by()
        .values("status")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(status__in=OPEN_STATUSES, due_by__lt=today)),
        )
    )
    by_status = {row["status"]: row["n"] for row in rows}
    overdue = sum(row["late"] for row in rows)
    total = sum(n for status, n in by_status.items() if status != AuditStatus.WITHDRAWN)
    return Progress(by_status=by_status, total=total, overdue=overdue)


# --- the child's record --------------------------------------------------------------------------


def audits_of(person: Person) -> QuerySet[CaseAudit]:
    return with_final_grade(
        CaseAudit.objects.filter(person=person)
        .exclude(status=AuditStatus.WITHDRAWN)
        .select_related("auditor", "moderation", "programme")
        .order_by("-due_by", "-id")
    )


def open_actions_of(person: Person) -> QuerySet[Action]:
    return open_actions().filter(person=person).select_related("owner").order_by("due_on", "id")


# --- the summary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryFilter:
    since: dt.date | None = None
    until: dt.date | None = None
    team: Team | None = None


@dataclass
class GradeRow:
    """A row of the summary: counts by final grade, best first."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)
    key: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def in_order(self) -> list[int]:
        return [self.counts.get(g, 0) for g in GRADE_ORDER]

    def share(self, *grades: str) -> int:
        """Percentage of the row's audits with one of these grades, rounded."""
        total = self.total
        return round(100 * sum(self.counts.get(g, 0) for g in grades) / total) if total else 0

    @property
    def good_or_better(self) -> int:
        return self.share(Grade.OUTSTANDING, Grade.GOOD)


@dataclass
class ThemeRow:
    theme: str
    label: str
    strengths: int = 0
    areas: int = 0

    @property
    def total(self) -> int:
        return self.strengths + self.areas


@dataclass
class Summary:
    completed: int
    moderated: int
    changed_at_moderation: int
    by_grade: GradeRow
    by_theme: list[ThemeRow]
    by_team: list[GradeRow]
    by_month: list[GradeRow]

    @property
    def moderated_percent(self) -> int:
        return round(100 * self.moderated / self.completed) if self.completed else 0


def completed_audits(f: SummaryFilter) -> QuerySet[CaseAudit]:
    """Audits submitted (and perhaps moderated) in the date range, by the submission date."""
    audits = CaseAudit.objects.filter(status__in=COMPLETED_STATUSES)
    if f.since:
        audits = audits.filter(
            submitted_at__gte=dt.datetime.combine(f.since, dt.time(0), tzinfo=LONDON)
        )
    if f.until:
        end = dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
        audits = audits.filter(submitted_at__lt=end)
    if f.team is not None:
        audits = audits.filter(team=f.team)
    return audits


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def audit_summary(f: SummaryFilter) -> Summary:
    """Counts of completed audits by final grade, team and month, and their findings by theme
    (five queries)."""
    audits = with_final_grade(completed_audits(f).order_by())
    totals = audits.aggregate(
        completed=Count("id"),
        moderated=Count("id", filter=Q(status=AuditStatus.MODERATED)),
        changed=Count("id", filter=Q(moderation__agreed=False)),
    )

    overall = GradeRow(label="All audits")
    for row in audits.values("final_grade").annotate(n=Count("id")):  # type: ignore[misc]
        overall.counts[row["final_grade"]] = row["n"]

    teams: dict[int | None, GradeRow] = {}
    by_team_rows = audits.values("team_id", "team__name", "final_grade")  # type: ignore[misc]
    for row in by_team_rows.annotate(n=Count("id")):
        team = teams.setdefault(
            row["team_id"],
            GradeRow(label=row["team__name"] or "No allocated team", key=str(row["team_id"] or "")),
        )
        team.counts[row["final_grade"]] = row["n"]
    by_team = sorted(teams.values(), key=lambda r: (r.key == "", r.label))

    months: dict[dt.date, GradeRow] = {}
    month_rows = (
        audits.annotate(month=TruncMonth("submitted_at", tzinfo=LONDON))
        .values("month", "final_grade")
        .annotate(n=Count("id"))
    )
    for row in month_rows:
        month = row["month"]
        day = month.astimezone(LONDON).date() if isinstance(month, dt.datetime) else month
        grade_row = months.setdefault(day, GradeRow(label=f"{day:%B %Y}", key=day.isoformat()))
        grade_row.counts[row["final_grade"]] = row["n"]
    if months:
        first = f.since or min(months)
        last = f.until or max(months)
        for day in _months(min(first, min(months)), max(last, max(months))):
            months.setdefault(day, GradeRow(label=f"{day:%B %Y}", key=day.isoformat()))
    by_month = [months[k] for k in sorted(months)]

    themes = {t.value: ThemeRow(theme=t.value, label=str(t.label)) for t in Theme}
    finding_rows = (
        Finding.objects.filter(audit__in=completed_audits(f), removed_at__isnull=True)
        .order_by()
        .values("theme", "kind")
        .annotate(n=Count("id"))
    )
    for row in finding_rows:
        theme = themes[row["theme"]]
        if row["kind"] == FindingKind.STRENGTH:
            theme.strengths += row["n"]
        else:
            theme.areas += row["n"]
    by_theme = [t for t in themes.values() if t.total]

    return Summary(
        completed=totals["completed"],
        moderated=totals["moderated"],
        changed_at_moderation=totals["changed"],
        by_grade=overall,
        by_theme=by_theme,
        by_team=by_team,
        by_month=by_month,
    )


# --- charts --------------------------------------------------------------------------------------

# GOV.UK colour palette, for SVG fill attributes (no inline styles under the CSP).
FILLS = {
    "green": "#00703c",
    "turquoise": "#28a197",
    "orange": "#f47738",
    "red": "#d4351c",
    "blue": "#1d70b8",
    "grey": "#505a5f",
}
GRADE_FILLS = {g: FILLS[GRADE_COLOURS[Grade(g)]] for g in GRADE_ORDER}


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: str
    title: str


@dataclass(frozen=True)
class Bar:
    label_y: float  # the label sits on its own line above the bar, so long names fit
    y: float
    total_y: float
    label: str
    total: int
    total_x: float
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    """A horizontal stacked bar chart, drawn as an inline SVG by `_chart.html`."""

    title: str
    width: int
    height: int
    bar_height: int
    bars: list[Bar]
    legend: list[tuple[str, str]]  # (fill, label)

    @property
    def plot_width(self) -> int:
        return self.width - TOTAL_WIDTH


TOTAL_WIDTH = 50  # room after the longest bar for its total
LABEL_HEIGHT = 20


def stacked_bars(
    title: str,
    rows: list[tuple[str, list[tuple[int, str, str]]]],
    legend: list[tuple[str, str]],
    *,
    width: int = 460,
    bar_height: int = 18,
    gap: int = 12,
) -> Chart:
    """`rows`: (label, [(value, fill, name), ...]); bars scale to the largest row's total.

    The viewBox is about as wide as half the page, so the 16-unit text shows at about 16px."""
    plot = width - TOTAL_WIDTH
    biggest = max((sum(v for v, _, _ in parts) for _, parts in rows), default=0) or 1
    row_height = LABEL_HEIGHT + bar_height + gap
    limit = width // 8  # characters of a label that fit on its line
    bars = []
    for i, (label, parts) in enumerate(rows):
        top = i * row_height
        y = top + LABEL_HEIGHT
        x = 0.0
        segments = []
        for value, fill, name in parts:
            if value <= 0:
                continue
            w = plot * value / biggest
            segments.append(
                Segment(x=round(x, 1), width=round(w, 1), fill=fill, title=f"{name}: {value}")
            )
            x += w
        bars.append(
            Bar(
                label_y=top + 15,
                y=y,
                total_y=y + bar_height - 4,
                label=label if len(label) <= limit else label[: limit - 1] + "…",
                total=sum(v for v, _, _ in parts),
                total_x=round(x + 6, 1),
                segments=segments,
            )
        )
    return Chart(
        title=title,
        width=width,
        height=max(len(rows) * row_height, row_height),
        bar_height=bar_height,
        bars=bars,
        legend=legend,
    )


def grade_legend() -> list[tuple[str, str]]:
    return [(GRADE_FILLS[g], str(Grade(g).label)) for g in GRADE_ORDER]


def grade_chart(title: str, rows: list[GradeRow]) -> Chart:
    return stacked_bars(
        title,
        [
            (
                row.label,
                [(row.counts.get(g, 0), GRADE_FILLS[g], str(Grade(g).label)) for g in GRADE_ORDER],
            )
            for row in rows
        ],
        grade_legend(),
    )


def single_grade_chart(row: GradeRow) -> Chart:
    """One bar per grade (the overall picture)."""
    return stacked_bars(
        "Audits by final grade",
        [
            (str(Grade(g).label), [(row.counts.get(g, 0), GRADE_FILLS[g], str(Grade(g).label))])
            for g in GRADE_ORDER
        ],
        [],
    )


def theme_chart(rows: list[ThemeRow]) -> Chart:
    legend = [(FILLS["green"], "Strengths"), (FILLS["orange"], "Areas for improvement")]
    return stacked_bars(
        "Findings by theme",
        [
            (
                row.label,
                [
                    (row.strengths, FILLS["green"], "Strengths"),
                    (row.areas, FILLS["orange"], "Areas for improvement"),
                ],
            )
            for row in rows
        ],
        legend,
    )
