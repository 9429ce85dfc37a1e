"""What makes a child's case open, what kind of case it is, and its risk markers: each a database
expression, so queues and caseloads are one query whatever the data size.

Other apps extend these without changing this module: put a module named `workforce_cases.py`
beside their models and call the `register_*` functions there: the child protection app
registers "child protection" (an open plan) and the s47 and plan markers; children in care and care
leavers will do the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.module_loading import autodiscover_modules

from hearth.casework.models import ChildInNeedEpisode
from hearth.timescales.models import Deadline, DeadlineState

from .codes import CaseType

# A function given OuterRef("<person id column>") returns Exists(...) true for that child.
PersonCondition = Callable[[OuterRef], Exists]


@dataclass(frozen=True)
class OpenEpisodeSource:
    """Episodes that need a lead social worker while open (child in need, care, leaving care)."""

    code: str
    label: str
    # Open episodes, one row per child, with `person_id` and `opened_on` (a date) annotated.
    open_episodes: Callable[[], QuerySet]


@dataclass(frozen=True)
class CaseTypeRule:
    case_type: str
    priority: int  # the highest-priority type a child matches is their case type
    matches: PersonCondition


@dataclass(frozen=True)
class RiskMarker:
    code: str
    label: str
    matches: PersonCondition


_episodes: dict[str, OpenEpisodeSource] = {}
_case_types: dict[str, CaseTypeRule] = {}
_markers: dict[str, RiskMarker] = {}
_discovered = False


def register_open_episode_source(source: OpenEpisodeSource) -> None:
    _episodes[source.code] = source


def register_case_type(rule: CaseTypeRule) -> None:
    _case_types[rule.case_type] = rule


def register_risk_marker(marker: RiskMarker) -> None:
    _markers[marker.code] = marker


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("workforce_cases")
        _discovered = True


def open_episode_sources() -> list[OpenEpisodeSource]:
    _discover()
    return list(_episodes.values())


def case_type_rules() -> list[CaseTypeRule]:
    """Highest priority first."""
    _discover()
    return sorted(_case_types.values(), key=lambda r: -r.priority)


def risk_markers() -> list[RiskMarker]:
    _discover()
    return list(_markers.values())


def _open_deadline(*rule_codes: str) -> PersonCondition:
    def condition(person_ref: OuterRef) -> Exists:
        return Exists(
            Deadline.objects.filter(
                subject_type="child",
                subject_id=person_ref,
                rule_code__in=rule_codes,
                state=DeadlineState.OPEN,
            )
        )

    return condition


def _open_cin_episode(person_ref: OuterRef) -> Exists:
    return Exists(
        ChildInNeedEpisode.objects.filter(person_id=person_ref, closure_date__isnull=True)
    )


def _cin_open_episodes() -> QuerySet:
    return ChildInNeedEpisode.objects.filter(closure_date__isnull=True).annotate(
        opened_on=F("referral_date")
    )


register_open_episode_source(
    OpenEpisodeSource(code="cin", label="Child in need", open_episodes=_cin_open_episodes)
)
register_case_type(CaseTypeRule(CaseType.CHILD_IN_NEED, priority=10, matches=_open_cin_episode))
# The assessment clock runs from the referral until the assessment is completed.
register_case_type(
    CaseTypeRule(CaseType.ASSESSMENT, priority=20, matches=_open_deadline("assessment"))
)
