"""Closing a child in need episode while its pre-proceedings are open would leave the census's
pre-proceedings block without an outcome, and nothing may be dated after the closure (8565)."""

from __future__ import annotations

import datetime as dt

from hearth.casework.models import ChildInNeedEpisode
from hearth.casework.services import register_closure_check

from .codes import ENDING_OUTCOMES
from .models import PreProceedings


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@register_closure_check
def open_pre_proceedings(episode: ChildInNeedEpisode, on: dt.date) -> list[str]:
    problems = []
    for pp in PreProceedings.objects.filter(episode=episode).order_by("start_date"):
        if pp.outcome not in ENDING_OUTCOMES:
            problems.append(
                f"Pre-proceedings from {_d(pp.start_date)} have not ended: record whether the "
                "case stepped down or proceedings were issued before closing the case"
            )
        elif pp.start_date > on or (pp.outcome_on is not None and pp.outcome_on > on):
            problems.append(
                f"Pre-proceedings from {_d(pp.start_date)} are dated after that closure date: "
                "nothing may be dated after the case closed (census rule 8565)"
            )
    return problems
