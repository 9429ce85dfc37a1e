"""Helpers shared by the conference, core group and child protection plan tests (no tests here:
the fixtures each module needs are built from these). Synthetic people only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hearth.core.models import User
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.plans import services as plan_services
from hearth.plans.codes import NeedKind
from hearth.plans.models import Plan, PlanAction
from hearth.protection.codes import (
    Agency,
    CategoryOfAbuse,
    ChildParticipation,
    ConferenceDecision,
    ConferenceKind,
    ParentParticipation,
)
from hearth.protection.models import Conference, Section47Enquiry
from hearth.protection.services import conferences as services
from hearth.timescales import services as timescales
from hearth.timescales.rules import SubjectType

from .factories import RATIONALE, ProtectionSetting, at_ten, days_ago

INVITED = [
    {"agency": Agency.SOCIAL_CARE, "name": "Will Worker"},
    {"agency": Agency.POLICE, "name": "DC Pat Constable"},
    {"agency": Agency.HEALTH, "name": "Nurse Hana Health"},
    {"agency": Agency.EDUCATION, "name": "Ms Head Teacher"},
]
DANGER = (
    "Everyone is worried that if the adults at home drink and argue again, Ava could be hurt or "
    "left without food."
)
GOAL = "Ava will always have a sober adult to look after her, and food at every meal."


def weekday_ago(n: int) -> dt.date:
    """A Monday to Friday on or before `n` days ago."""
    day = days_ago(n)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def saturday_ago(n: int) -> dt.date:
    day = days_ago(n)
    while day.weekday() != 5:
        day -= dt.timedelta(days=1)
    return day


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def restrict(setting: ProtectionSetting, named: list[User] | None = None) -> None:
    """Restrict the child to the manager (and `named`)."""
    restriction_set(
        actor=setting.manager,
        person=setting.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=named or [],
        expected_version=setting.child.version,
    )


def other_childs_enquiry(setting: ProtectionSetting) -> Section47Enquiry:
    """An enquiry about another child (in their own episode)."""
    child = make_child(forename="Noah")
    episode = open_cin_episode(child, referral_date=days_ago(100))
    return Section47Enquiry.objects.create(
        person=child,
        episode=episode,
        start_date=days_ago(20),
        lead_worker=setting.worker,
        icpc_target_date=days_ago(1),
    )


def start_icpc_clock(setting: ProtectionSetting, enquiry: Section47Enquiry) -> None:
    """The strategy discussion's clock event, as the strategy service records it."""
    timescales.record_event(
        subject_type=SubjectType.CHILD,
        subject_id=setting.child.pk,
        name="strategy-discussion-s47",
        at=at_ten(enquiry.start_date),
        source=f"test.strategy:{enquiry.pk}",
    )


def book(
    setting: ProtectionSetting,
    *,
    kind: str = ConferenceKind.INITIAL,
    enquiry: Section47Enquiry | None = None,
    plan: Plan | None = None,
    scheduled_on: dt.date | None = None,
    actor: User | None = None,
    **extra: Any,
) -> Conference:
    return services.conference_book(
        actor=actor or setting.worker,
        person=setting.child,
        episode=setting.episode,
        kind=kind,
        scheduled_on=scheduled_on or weekday_ago(3),
        chair=extra.pop("chair", setting.chair),
        section_47=enquiry,
        plan=plan,
        agencies=extra.pop("agencies", INVITED),
        **extra,
    )


def attendance(conference: Conference, attended: bool = True) -> list[dict[str, Any]]:
    return [
        {"id": a.pk, "attended": attended, "report_on_time": True}
        for a in conference.agencies.all()
    ]


def record(
    setting: ProtectionSetting,
    conference: Conference,
    *,
    held_on: dt.date | None = None,
    actor: User | None = None,
    **overrides: Any,
) -> Conference:
    values: dict[str, Any] = {
        "held_on": held_on or conference.scheduled_on,
        "agencies": attendance(conference),
        "parent_participation": ParentParticipation.ALL,
        "parents_views": "Mum says she will stop drinking.",
        "child_participation": ChildParticipation.PN5,
        "child_views": "I want mum to be well.",
        "decision": ConferenceDecision.PLAN,
        "initial_category": CategoryOfAbuse.NEGLECT if conference.is_initial else "",
        "latest_category": "",
        "chair_rationale": RATIONALE,
        "dissent": "",
    }
    values.update(overrides)
    return services.conference_record(actor=actor or setting.chair, conference=conference, **values)


def plan_with_action(plan: Plan, worker: User) -> PlanAction:
    risk = plan_services.plan_need_add(
        actor=worker, plan=plan, kind=NeedKind.RISK, statement=DANGER, safety_goal=GOAL
    )
    return plan_services.plan_action_add(
        actor=worker,
        plan=plan,
        description="Mum attends the alcohol service every week",
        needs=[risk],
        owner_agency="Alcohol service",
        due_date=plan.start_date + dt.timedelta(days=60),
    )
