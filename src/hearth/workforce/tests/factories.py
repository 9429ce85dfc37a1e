"""Building blocks for the allocation tests: teams, case-holding workers, children waiting for a
social worker, open deadlines that change a case's type, and allocations written directly."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import EmploymentType, RoleCode, ServiceArea
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from hearth.people.models import Person
from hearth.people.tests.factories import make_child, open_cin_episode
from hearth.timescales.models import Deadline, DeadlineState
from hearth.workforce.codes import CaseRole, ChangeReason
from hearth.workforce.models import Allocation

_registrations = itertools.count(100001)
FIVE_WORDS = "Only worker who knows this family well"


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def make_team(**fields: Any) -> Team:
    fields.setdefault("service_area", ServiceArea.CIN_CP)
    return TeamFactory(**fields)


def make_worker(
    team: Team | None = None,
    *roles: str,
    fte: str | Decimal = "1",
    registered: bool = True,
    joined: dt.date | None = None,
    **fields: Any,
) -> User:
    """A member of staff (a registered social worker unless other roles are given), in the team
    from `joined` when a team is given."""
    roles = roles or (RoleCode.SOCIAL_WORKER,)
    if registered and not fields.get("swe_registration"):
        fields["swe_registration"] = f"SW{next(_registrations)}"
    fields.setdefault("employment_type", EmploymentType.PERMANENT)
    user = UserFactory(roles=list(roles), fte=Decimal(str(fte)), **fields)
    if team is not None:
        TeamMembershipFactory(team=team, user=user, start_date=joined or dt.date(2021, 4, 1))
    return user


def make_manager(team: Team, **fields: Any) -> User:
    """The team's manager: manages it and works in it."""
    manager = make_worker(team, RoleCode.TEAM_MANAGER, **fields)
    team.manager = manager
    team.save(update_fields=["manager"])
    return manager


def waiting_child(
    team: Team | None = None, referral_date: dt.date | None = None, **child: Any
) -> Person:
    """A child with an open child-in-need episode referred to the team (no worker yet)."""
    person = make_child(**child)
    open_cin_episode(person, referral_date=referral_date or days_ago(7), referral_team=team)
    return person


def episode_of(person: Person) -> ChildInNeedEpisode:
    return ChildInNeedEpisode.objects.get(person=person, closure_date__isnull=True)


def open_deadline(person: Person, rule_code: str, starts_on: dt.date | None = None) -> Deadline:
    """An open deadline on the child's timeline (what the timescale engine would derive)."""
    start = starts_on or days_ago(5)
    return Deadline.objects.create(
        subject_type="child",
        subject_id=person.pk,
        rule_code=rule_code,
        clock=rule_code,
        sequence=1,
        state=DeadlineState.OPEN,
        starts_on=start,
        due_on=start + dt.timedelta(days=30),
        explanation="Test deadline",
    )


def open_s47(person: Person, started: int = 5) -> None:
    """An open section 47 enquiry in the child's open episode (model level)."""
    from hearth.protection.models import Section47Enquiry

    episode = person.cin_episodes.filter(closure_date__isnull=True).first() or ChildInNeedEpisode(
        person=person, referral_date=days_ago(started), referral_source="6", primary_need="N1"
    )
    if episode.pk is None:
        episode.save()
    Section47Enquiry.objects.create(
        person=person,
        episode=episode,
        start_date=days_ago(started),
        icpc_target_date=days_ago(started) + dt.timedelta(days=21),
    )


def on_cp_plan(person: Person, started: int = 5) -> None:
    """An open child protection plan (model level)."""
    from hearth.plans.models import Plan

    episode = person.cin_episodes.filter(closure_date__isnull=True).first()
    Plan.objects.create(kind="cp", person=person, episode=episode, start_date=days_ago(started))


def hold(
    worker: User,
    n: int,
    *,
    team: Team | None = None,
    start: dt.date | None = None,
    role: str = CaseRole.LEAD_SOCIAL_WORKER,
) -> list[Person]:
    """The worker already holds `n` children (child in need cases: one unit each)."""
    children = [make_child(surname=f"Held{i}") for i in range(n)]
    Allocation.objects.bulk_create(
        [
            Allocation(
                person=p,
                role=role,
                worker=worker,
                team=team,
                start_date=start or days_ago(100),
                reason=ChangeReason.FCONTA,
            )
            for p in children
        ]
    )
    return children
