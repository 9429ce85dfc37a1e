"""Episodes and assessments for tests, made through the real services (synthetic people only).

Dates are relative to today, since the services refuse dates in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hearth.casework import services
from hearth.casework.codes import AssessmentOutcome
from hearth.casework.models import Assessment, ChildInNeedEpisode
from hearth.core.models import Team, User
from hearth.core.tests.factories import TeamFactory, TeamMembershipFactory
from hearth.people.models import Person
from hearth.people.tests.factories import make_child
from hearth.workforce.models import Allocation

# At least ten words, as every rationale must be.
RATIONALE = (
    "The analysis is evidenced, the child's voice is clear and the outcome meets their needs."
)
REASON = "Please add what the school said and how the parents responded to the worries raised."
SUMMARY = (
    "The family have engaged well, the worries have reduced and school will keep supporting Ava."
)
NFA_REASON = (
    "The referral was about one incident; checks with school and health show no further worries."
)
VIEWS = "I like it at home. I don't like it when they shout at night."
ANALYSIS = "Strengths: a warm grandparent. Worries: shouting at night. Impact: moderate."


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


@dataclass
class Setting:
    """A team manager, a social worker they manage in their team, and a child referred 60 days
    ago (through `episode_open`, so the assessment clock runs), allocated to the worker."""

    manager: User
    worker: User
    team: Team
    child: Person
    episode: ChildInNeedEpisode


def make_setting(make_user: Callable[..., User], referred: int = 60) -> Setting:
    manager = make_user("team_manager", first_name="Tess", last_name="Teamlead")
    team = TeamFactory(name="Child in Need Team North", manager=manager)
    worker = make_user("social_worker", first_name="Will", last_name="Worker", line_manager=manager)
    TeamMembershipFactory(team=team, user=worker)
    TeamMembershipFactory(team=team, user=manager)
    child = make_child(forename="Ava", surname="Testchild", date_of_birth=dt.date(2016, 3, 4))
    episode = services.episode_open(
        actor=manager,
        person=child,
        referral_date=days_ago(referred),
        referral_source="6",
        primary_need="N1",
        team=team,
        worker=worker,
    )
    Allocation.objects.create(
        person=child,
        role="lead",
        worker=worker,
        team=team,
        start_date=days_ago(referred),
        reason="FCONTA",
    )
    return Setting(manager=manager, worker=worker, team=team, child=child, episode=episode)


def make_assessment(
    episode: ChildInNeedEpisode,
    worker: User,
    *,
    start_date: dt.date | None = None,
    recorded: bool = True,
    factors: Iterable[str] = ("3B", "4B"),
    outcome: str = AssessmentOutcome.CHILD_IN_NEED_PLAN,
    **data: Any,
) -> Assessment:
    """An assessment started by `worker` (on the referral date unless given); `recorded` fills
    in everything needed to send it for authorisation."""
    assessment = services.assessment_start(
        actor=worker, episode=episode, start_date=start_date or episode.referral_date
    )
    if not recorded:
        return assessment
    values: dict[str, Any] = {
        "child_seen_on": assessment.start_date,
        "seen_alone": True,
        "child_views": VIEWS,
        "analysis": ANALYSIS,
        "outcome": outcome,
    }
    values.update(data)
    return services.assessment_update(
        actor=worker,
        assessment=assessment,
        data=values,
        factors=list(factors),
        expected_version=assessment.version,
    )


def submitted_assessment(episode: ChildInNeedEpisode, worker: User, **kwargs: Any) -> Assessment:
    assessment = make_assessment(episode, worker, **kwargs)
    return services.assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )


def authorised_assessment(
    episode: ChildInNeedEpisode,
    worker: User,
    manager: User,
    *,
    authorised_on: dt.date | None = None,
    **kwargs: Any,
) -> Assessment:
    """An assessment recorded by `worker`, sent and authorised by `manager` (today unless given)."""
    assessment = submitted_assessment(episode, worker, **kwargs)
    return services.assessment_authorise(
        actor=manager,
        assessment=assessment,
        authorised_on=authorised_on or today(),
        rationale=RATIONALE,
        expected_version=assessment.version,
    )
