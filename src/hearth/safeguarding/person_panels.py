"""The risk and missing section of a child's page (tab "risk"): the exploitation flag, each kind of
risk with its latest assessment and review date, and the missing episodes with their return
interviews. Six queries whatever the history's length."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.template.loader import render_to_string

from hearth.core.models import User
from hearth.people.models import Person
from hearth.people.panels import register_person_panel

from . import policies, selectors
from .models import MissingEpisode

EPISODES_SHOWN = 10


@register_person_panel("risk-and-missing", order=10, tab="risk")
def risk_panel(request: HttpRequest, person: Person) -> str:
    viewer: User = request.user  # type: ignore[assignment]
    clock = selectors.ReviewClock.now()
    reasons = selectors.flag_reasons(person, clock)
    kinds = selectors.kind_statuses(person, clock)
    episodes = list(selectors.episodes_for_person(person)[: EPISODES_SHOWN + 1])
    year_ago = clock.today - dt.timedelta(days=365)
    return render_to_string(
        "safeguarding/_person_panel.html",
        {
            "person": person,
            "flag": selectors.flag_message(reasons) if reasons.raised else "",
            "assessed": [k for k in kinds if k.latest is not None],
            "not_assessed": [k for k in kinds if k.latest is None],
            "episodes": [
                (e, *selectors.RHI_STATUS[e.rhi_status])  # type: ignore[attr-defined]
                for e in episodes[:EPISODES_SHOWN]
            ],
            "more_episodes": len(episodes) > EPISODES_SHOWN,
            "recent_count": MissingEpisode.objects.filter(
                person=person, started_at__gte=selectors.midnight(year_ago)
            ).count(),
            "may_edit": viewer.has_perm(policies.EDIT),
            "rhi_hours": selectors.rhi_hours(),
        },
        request=request,
    )
