"""A small child protection setting for tests, at model level so each area's tests can build on
the others' records without going through their services (synthetic people only).

Dates are relative to today, since the services refuse dates in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import ServiceArea
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.people.models import Person
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans import services as plan_services
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.protection.codes import (
    Agency,
    CategoryOfAbuse,
    ConferenceDecision,
    ConferenceKind,
    ConferenceStatus,
    StrategyDecision,
)
from hearth.protection.models import (
    Conference,
    ProtectionPlan,
    Section47Enquiry,
    StrategyAttendee,
    StrategyDiscussion,
)
from hearth.timescales.selectors import working_calendar
from hearth.workforce.models import Allocation

# At least ten words, as rationales must be.
RATIONALE = (
    "Police and health share a bruise on the cheek the child says was caused by an adult at home."
)
INFORMATION = "School saw a bruise on Ava's cheek on Monday; police hold two callouts this year."


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def at_ten(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@dataclass
class ProtectionSetting:
    """A team manager, a registered social worker in their team, a conference chair, and a child
    with an open episode referred `referred` days ago, allocated to the worker."""

    manager: User
    worker: User
    chair: User
    team: Team
    child: Person
    episode: ChildInNeedEpisode


def make_protection_setting(
    make_user: Callable[..., User], referred: int = 120, **child: Any
) -> ProtectionSetting:
    manager = make_user("team_manager", first_name="Tess", last_name="Teamlead")
    team = TeamFactory(manager=manager, service_area=ServiceArea.CIN_CP)
    worker = make_user(
        "social_worker",
        first_name="Will",
        last_name="Worker",
        line_manager=manager,
        swe_registration="SW123456",
    )
    chair = make_user("conference_chair", first_name="Chloe", last_name="Chair")
    TeamMembershipFactory(team=team, user=worker)
    TeamMembershipFactory(team=team, user=manager)
    values: dict[str, Any] = {"forename": "Ava", "surname": "Testchild"}
    values.update(child)
    person = make_child(**values)
    episode = open_cin_episode(person, referral_date=days_ago(referred))
    Allocation.objects.create(
        person=person,
        role="lead",
        worker=worker,
        team=team,
        start_date=days_ago(referred),
        reason="FCONTA",
    )
    return ProtectionSetting(
        manager=manager, worker=worker, chair=chair, team=team, child=person, episode=episode
    )


def make_enquiry(
    setting: ProtectionSetting, *, started: int = 20, **fields: Any
) -> Section47Enquiry:
    """A strategy discussion `started` days ago that decided a section 47 enquiry, and the
    enquiry (model level: no clock events)."""
    start = days_ago(started)
    enquiry = Section47Enquiry.objects.create(
        person=setting.child,
        episode=setting.episode,
        start_date=start,
        lead_worker=setting.worker,
        team=setting.team,
        icpc_target_date=working_calendar().add_working_days(start, 15),
        **fields,
    )
    discussion = StrategyDiscussion.objects.create(
        person=setting.child,
        episode=setting.episode,
        held_at=at_ten(start),
        chair=setting.manager,
        information_shared=INFORMATION,
        decision=StrategyDecision.SECTION_47,
        rationale=RATIONALE,
        section_47=enquiry,
    )
    for agency, name in (
        (Agency.SOCIAL_CARE, "Will Worker"),
        (Agency.POLICE, "DC Pat Constable"),
        (Agency.HEALTH, "Nurse Hana Health"),
    ):
        StrategyAttendee.objects.create(discussion=discussion, agency=agency, name=name)
    return enquiry


def make_cp_plan(
    setting: ProtectionSetting,
    *,
    started: int = 10,
    category: str = CategoryOfAbuse.NEGLECT,
    enquiry: Section47Enquiry | None = None,
) -> Plan:
    """A child protection plan started `started` days ago at a held initial conference (the
    plan through `plans.services.plan_start`, the conference and detail at model level)."""
    start = days_ago(started)
    conference = Conference.objects.create(
        person=setting.child,
        episode=setting.episode,
        kind=ConferenceKind.INITIAL,
        status=ConferenceStatus.HELD,
        section_47=enquiry,
        scheduled_on=start,
        held_on=start,
        chair=setting.chair,
        decision=ConferenceDecision.PLAN,
        initial_category=category,
        latest_category=category,
        chair_rationale=RATIONALE,
    )
    if enquiry is not None:
        Section47Enquiry.objects.filter(pk=enquiry.pk).update(concluded_on=start)
    plan = plan_services.plan_start(
        actor=setting.worker,
        person=setting.child,
        start_date=start,
        kind=PlanKind.CP,
        episode=setting.episode,
    )
    Conference.objects.filter(pk=conference.pk).update(plan=plan)
    ProtectionPlan.objects.create(
        plan=plan,
        initial_conference=conference,
        initial_category=category,
        latest_category=category,
    )
    return plan
