"""Reads: the summary's figures against a hand-built set, the home-page selectors, the child's
panel and chronology."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.utils import timezone

from hearth.case_audits import selectors, services
from hearth.case_audits.chronology import case_audit_entries
from hearth.case_audits.models import AuditAction as Action
from hearth.case_audits.models import (
    AuditProgramme,
    AuditStatus,
    AuditTemplate,
    CaseAudit,
    Finding,
    Grade,
    Moderation,
)
from hearth.case_audits.person_panels import case_audits_panel
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.people.models import Person
from hearth.people.tests.factories import make_child

from .conftest import TODAY, complete

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
G = Grade


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(11, 0), tzinfo=LONDON)


class Builder:
    """Audits made directly, with chosen dates, teams and grades."""

    def __init__(self, template: AuditTemplate, auditor: User, moderator: User) -> None:
        self.auditor = auditor
        self.moderator = moderator
        self.programme = AuditProgramme.objects.create(
            name="Hand-built",
            template=template,
            period_start=dt.date(2025, 11, 1),
            period_end=dt.date(2026, 3, 31),
            due_by=dt.date(2026, 4, 30),
        )

    def audit(
        self,
        team: Team | None,
        grade: str = "",
        submitted: dt.date | None = None,
        moderated: str = "",
        status: str = "",
        person: Person | None = None,
    ) -> CaseAudit:
        if not status:
            status = AuditStatus.MODERATED if moderated else AuditStatus.SUBMITTED
        audit = CaseAudit.objects.create(
            programme=self.programme,
            person=person or make_child(),
            auditor=self.auditor,
            assigned_on=dt.date(2025, 11, 1),
            due_by=dt.date(2026, 4, 30),
            status=status,
            team=team,
            overall_grade=grade,
            started_at=at(submitted) if submitted else None,
            submitted_at=at(submitted) if submitted else None,
            withdrawn_reason="Closed" if status == AuditStatus.WITHDRAWN else "",
        )
        if moderated:
            assert submitted is not None
            Moderation.objects.create(
                audit=audit,
                moderator=self.moderator,
                agreed=moderated == grade,
                grade=moderated,
                commentary="Checked.",
                moderated_at=at(submitted + dt.timedelta(days=5)),
            )
        return audit

    @staticmethod
    def finding(audit: CaseAudit, theme: str, kind: str, removed: bool = False) -> None:
        Finding.objects.create(
            audit=audit,
            theme=theme,
            kind=kind,
            text="A finding.",
            removed_at=timezone.now() if removed else None,
        )


@pytest.fixture
def built(template: AuditTemplate, auditor: User, moderator: User) -> dict[str, Any]:
    b = Builder(template, auditor, moderator)
    team_a = TeamFactory(name="Team A")
    team_b = TeamFactory(name="Team B")
    a1 = b.audit(team_a, G.GOOD, dt.date(2026, 1, 15), moderated=G.GOOD)
    a2 = b.audit(team_a, G.GOOD, dt.date(2026, 1, 20), moderated=G.REQUIRES_IMPROVEMENT)
    a3 = b.audit(team_b, G.INADEQUATE, dt.date(2026, 2, 3))
    b.audit(team_b, G.OUTSTANDING, dt.date(2026, 3, 31), moderated=G.OUTSTANDING)
    b.audit(team_a, status=AuditStatus.IN_PROGRESS)
    old = b.audit(team_b, G.GOOD, dt.date(2025, 12, 31))  # before the period
    b.audit(team_a, status=AuditStatus.WITHDRAWN)
    b.audit(None, G.GOOD, dt.date(2026, 4, 1))  # after the period
    b.finding(a1, "voice", "strength")
    b.finding(a2, "planning", "area_for_improvement")
    b.finding(a2, "planning", "area_for_improvement", removed=True)
    b.finding(a3, "planning", "area_for_improvement")
    b.finding(a3, "voice", "area_for_improvement")
    b.finding(old, "planning", "strength")
    return {"a": team_a, "b": team_b}


def test_summary_figures(built: dict[str, Any]) -> None:
    summary = selectors.audit_summary(
        selectors.SummaryFilter(since=dt.date(2026, 1, 1), until=dt.date(2026, 3, 31))
    )
    assert (summary.completed, summary.moderated, summary.changed_at_moderation) == (4, 3, 1)
    assert summary.moderated_percent == 75
    # Final grades: the moderator's where moderated (good -> requires improvement).
    assert summary.by_grade.counts == {
        G.GOOD: 1,
        G.REQUIRES_IMPROVEMENT: 1,
        G.INADEQUATE: 1,
        G.OUTSTANDING: 1,
    }
    teams = {row.label: row.counts for row in summary.by_team}
    assert teams == {
        "Team A": {G.GOOD: 1, G.REQUIRES_IMPROVEMENT: 1},
        "Team B": {G.INADEQUATE: 1, G.OUTSTANDING: 1},
    }
    assert [row.good_or_better for row in summary.by_team] == [50, 50]
    months = [(row.key, row.total) for row in summary.by_month]
    assert months == [("2026-01-01", 2), ("2026-02-01", 1), ("2026-03-01", 1)]
    themes = {row.theme: (row.strengths, row.areas) for row in summary.by_theme}
    assert themes == {"voice": (1, 1), "planning": (0, 2)}  # the removed finding is not counted


def test_summary_by_team_and_empty_months(built: dict[str, Any]) -> None:
    summary = selectors.audit_summary(
        selectors.SummaryFilter(
            since=dt.date(2025, 11, 1), until=dt.date(2026, 2, 28), team=built["b"]
        )
    )
    assert summary.completed == 2  # December's and February's
    assert summary.by_grade.counts == {G.GOOD: 1, G.INADEQUATE: 1}
    assert [(row.key, row.total) for row in summary.by_month] == [
        ("2025-11-01", 0),
        ("2025-12-01", 1),
        ("2026-01-01", 0),
        ("2026-02-01", 1),
    ]
    assert summary.moderated == 0 and summary.moderated_percent == 0


def test_summary_counts_an_audit_by_its_london_submission_date(
    template: AuditTemplate, auditor: User, moderator: User
) -> None:
    # 23:30 on 31 March in London is still March (and 22:30 UTC).
    b = Builder(template, auditor, moderator)
    audit = b.audit(None, G.GOOD, dt.date(2026, 3, 31))
    CaseAudit.objects.filter(pk=audit.pk).update(
        submitted_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=LONDON)
    )
    march = selectors.audit_summary(
        selectors.SummaryFilter(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))
    )
    assert march.completed == 1
    assert [row.key for row in march.by_month] == ["2026-03-01"]


def test_charts_scale_to_the_largest_bar(built: dict[str, Any]) -> None:
    summary = selectors.audit_summary(
        selectors.SummaryFilter(since=dt.date(2026, 1, 1), until=dt.date(2026, 3, 31))
    )
    chart = selectors.grade_chart("By month", summary.by_month)
    plot = chart.plot_width
    widths = [sum(s.width for s in bar.segments) for bar in chart.bars]
    assert max(widths) == pytest.approx(plot, abs=0.2)
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2)  # January had twice February's
    january = chart.bars[0].segments
    assert [s.fill for s in january] == [
        selectors.GRADE_FILLS[G.GOOD],
        selectors.GRADE_FILLS[G.REQUIRES_IMPROVEMENT],
    ]
    assert selectors.grade_chart("Empty", []).bars == []


# --- the home-page selectors ---------------------------------------------------------------------


def make_action(audit: CaseAudit, owner: User, due: dt.date, **fields: Any) -> Action:
    return Action.objects.create(
        audit=audit,
        person=audit.person,
        description="Do the thing.",
        owner=owner,
        raised_on=due - dt.timedelta(days=30),
        due_on=due,
        **fields,
    )


def test_home_page_selectors(
    template: AuditTemplate,
    auditor: User,
    moderator: User,
    make_user: Callable[..., User],
) -> None:
    b = Builder(template, auditor, moderator)
    team_a, team_b = TeamFactory(name="Team A"), TeamFactory(name="Team B")
    in_a = make_user("social_worker")
    TeamMembershipFactory(team=team_a, user=in_a)
    in_b = make_user("social_worker")
    TeamMembershipFactory(team=team_b, user=in_b)
    audit_a = b.audit(team_a, G.GOOD, dt.date(2026, 1, 15))
    audit_b = b.audit(team_b, G.GOOD, dt.date(2026, 1, 15))
    yesterday, tomorrow = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    late_a = make_action(audit_a, in_b, yesterday)  # team A's case, owned in team B
    late_b = make_action(audit_b, in_b, yesterday - dt.timedelta(days=3))
    make_action(audit_b, in_b, tomorrow)  # not yet due
    make_action(audit_b, in_b, yesterday, completed_on=yesterday, completion_note="Done")
    make_action(audit_b, in_b, yesterday, cancelled_on=yesterday, cancel_reason="Closed")
    late_owned_in_a = make_action(audit_b, in_a, yesterday)

    everything = list(selectors.audit_actions_overdue())
    assert everything == [late_b, late_a, late_owned_in_a]
    for_a = list(selectors.audit_actions_overdue(teams=Team.objects.filter(pk=team_a.pk)))
    assert for_a == [late_a, late_owned_in_a]
    mine = list(selectors.audit_actions_for_owner(in_b))
    assert [a.due_on for a in mine] == sorted(a.due_on for a in mine)
    assert len(mine) == 3  # the open ones only, soonest due first

    due = b.audit(team_a, status=AuditStatus.PLANNED)
    doing = b.audit(team_a, status=AuditStatus.IN_PROGRESS)
    assert set(selectors.audits_due_for(auditor)) == {due, doing}
    assert list(selectors.audits_due_for(moderator)) == []


def test_selectors_cost_a_fixed_number_of_queries(
    template: AuditTemplate,
    auditor: User,
    moderator: User,
    make_user: Callable[..., User],
    django_assert_num_queries: Any,
) -> None:
    b = Builder(template, auditor, moderator)
    owner = make_user("social_worker")
    team = TeamFactory()
    for _ in range(4):
        make_action(b.audit(team, G.GOOD, dt.date(2026, 1, 15)), owner, TODAY - dt.timedelta(1))
    with django_assert_num_queries(1):
        rows = list(selectors.audit_actions_overdue(teams=Team.objects.filter(pk=team.pk)))
        assert [r.person.full_name and r.owner.full_name and r.audit.team for r in rows]
    with django_assert_num_queries(1):
        assert [r.person.full_name for r in selectors.audit_actions_for_owner(owner)]
    with django_assert_num_queries(5):
        selectors.audit_summary(selectors.SummaryFilter())


# --- the child's record --------------------------------------------------------------------------


def test_the_panel_costs_three_queries_and_lists_open_actions_and_findings(
    case_audit: CaseAudit, worker: User, django_assert_num_queries: Any
) -> None:
    services.finding_add(
        actor=case_audit.auditor,
        audit=case_audit,
        theme="voice",
        kind="strength",
        text="The child's own words shape the plan.",
    )
    complete(case_audit, G.GOOD)
    for n in range(3):
        make_action(case_audit, worker, TODAY + dt.timedelta(days=n + 1))
    request = RequestFactory().get("/")
    request.user = worker
    with django_assert_num_queries(3):
        html = case_audits_panel(request, case_audit.person)
    assert html.count("Do the thing.") == 3
    assert "Good" in html
    assert "The child&#x27;s own words shape the plan." in html


def test_the_panel_shows_nothing_for_a_child_never_audited(worker: User) -> None:
    request = RequestFactory().get("/")
    request.user = worker
    assert case_audits_panel(request, make_child()) == ""


def test_chronology_entries(case_audit: CaseAudit, moderator: User, worker: User) -> None:
    submitted = complete(case_audit, G.GOOD)
    services.audit_moderate(
        actor=moderator,
        audit=submitted,
        agreed=False,
        grade=G.REQUIRES_IMPROVEMENT,
        commentary="No contingency plan.",
    )
    action = make_action(case_audit, worker, TODAY + dt.timedelta(days=7))
    Action.objects.filter(pk=action.pk).update(
        completed_on=TODAY, completion_note="Contingency plan agreed."
    )
    entries = list(case_audit_entries(case_audit.person, worker))
    titles = [e.title for e in entries]
    assert "Case audit: graded good by the auditor" in titles
    assert "Case audit moderated: grade changed from good to requires improvement" in titles
    assert "Audit action done" in titles
    assert any(t.startswith(f"Audit action for {worker.full_name}") for t in titles)
    assert all(e.kind == "case-audit" and e.url for e in entries)
