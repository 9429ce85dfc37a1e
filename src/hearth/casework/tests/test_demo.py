"""Assessments in the synthetic council: the casework step's invariants on a small generated
council (4,000 children, 2 years), generated once for the module and rolled back at the end.

The whole generation runs, so the later steps (child protection, plans, visits, records, risk)
must not break what this step wrote either.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from hearth.casework.codes import NO_FACTORS, AssessmentOutcome, ClosureReason
from hearth.casework.models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode
from hearth.demo.generator import generate_council
from hearth.protection.models import Section47Enquiry
from hearth.timescales.models import ClockEvent, Deadline, DeadlineState
from hearth.timescales.selectors import working_calendar

REFERENCE_DATE = dt.date(2025, 3, 31)
OPTIONS = {"seed": 5, "children": 4_000, "years": 2, "reference_date": REFERENCE_DATE}
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def council(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = generate_council(**OPTIONS)
        episodes = {e.pk: e for e in ChildInNeedEpisode.objects.all()}
        assessments = list(Assessment.objects.order_by("start_date", "pk"))
        by_episode: dict[int, list[Assessment]] = defaultdict(list)
        for a in assessments:
            by_episode[a.episode_id].append(a)
        enquired = set(Section47Enquiry.objects.values_list("episode_id", flat=True))
        factors: dict[int, list[str]] = defaultdict(list)
        for assessment_id, code in AssessmentFactorIdentified.objects.values_list(
            "assessment_id", "code"
        ):
            factors[assessment_id].append(code)
        yield {
            "result": result,
            "episodes": episodes,
            "assessments": assessments,
            "by_episode": by_episode,
            "factors": factors,
            "enquired": enquired,
        }
        transaction.set_rollback(True)


def test_the_council_has_assessments(council: dict[str, Any]) -> None:
    assessments = council["assessments"]
    assert len(assessments) > 100
    assert sum(a.authorised_on is not None for a in assessments) > 100
    assert any(a.authorised_on is None for a in assessments), "some still running at the end"


def test_every_episode_that_went_further_has_an_assessment(council: dict[str, Any]) -> None:
    missing = [
        e.pk
        for e in council["episodes"].values()
        if not e.referral_nfa and not council["by_episode"].get(e.pk)
    ]
    assert missing == []
    nfa = [e.pk for e in council["episodes"].values() if e.referral_nfa]
    assert nfa, "some referrals end with no further action"
    assert not [pk for pk in nfa if council["by_episode"].get(pk)]  # CIN census 8831


def test_assessments_sit_inside_their_episode(council: dict[str, Any]) -> None:
    episodes = council["episodes"]
    for a in council["assessments"]:
        episode = episodes[a.episode_id]
        assert a.person_id == episode.person_id
        assert a.start_date >= episode.referral_date  # 1103
        assert a.start_date < REFERENCE_DATE
        if a.authorised_on is not None:
            assert a.start_date <= a.authorised_on < REFERENCE_DATE  # 8608
            assert a.outcome and a.authorisation_rationale and a.authorised_by_id
            assert a.submitted_at is not None
        else:
            assert a.authorised_by_id is None and not a.outcome
        if a.child_seen_on is not None:
            assert a.child_seen_on >= a.start_date
        else:
            assert a.seen_alone is None
        if episode.closure_date is not None:
            assert a.authorised_on is not None, "a closed episode's assessments are finished (8867)"
            assert a.start_date <= episode.closure_date  # 8565
            assert a.authorised_on <= episode.closure_date  # 8565


def test_one_open_assessment_per_episode_and_no_overlap(council: dict[str, Any]) -> None:
    for assessments in council["by_episode"].values():
        assert sum(a.authorised_on is None for a in assessments) <= 1  # 8896
        for earlier, later in itertools.pairwise(assessments):
            assert earlier.authorised_on is not None
            assert earlier.authorised_on <= later.start_date  # 8863Q


def test_factors_only_on_authorised_assessments_and_21_alone(council: dict[str, Any]) -> None:
    factors = council["factors"]
    for a in council["assessments"]:
        codes = factors.get(a.pk, [])
        if a.authorised_on is None:
            assert codes == [], "factors only on authorised assessments (8614)"
            continue
        assert codes, "an authorised assessment has at least one factor (8897Q)"
        assert len(codes) == len(set(codes))  # 8898
        if NO_FACTORS in codes:
            assert codes == [NO_FACTORS]  # 8869


def test_most_assessments_are_authorised_within_45_working_days(council: dict[str, Any]) -> None:
    calendar = working_calendar()
    episodes = council["episodes"]
    first = [a for a in (v[0] for v in council["by_episode"].values()) if a.authorised_on]
    within = [
        calendar.working_days_between(episodes[a.episode_id].referral_date, a.authorised_on) <= 45
        for a in first
    ]
    rate = sum(within) / len(within)
    assert 0.75 <= rate <= 0.95, rate  # 85.7% nationally (C2 2025)


def test_outcomes_agree_with_how_the_episode_closed(council: dict[str, Any]) -> None:
    episodes = council["episodes"]
    after_assessment = {
        ClosureReason.RC8: AssessmentOutcome.NO_FURTHER_ACTION,
        ClosureReason.RC9: AssessmentOutcome.EARLY_HELP,
    }
    closed_after = [e for e in episodes.values() if e.closure_reason in after_assessment]
    assert closed_after, "some episodes close straight after the assessment"
    for e in closed_after:
        last = council["by_episode"][e.pk][-1]
        assert last.outcome == after_assessment[e.closure_reason], e.pk
    # An episode with a section 47 enquiry never closes RC8/RC9 (census rule 2990): one whose
    # assessment found no further action closes RC7 instead.
    assert not [e.pk for e in closed_after if e.pk in council["enquired"]]
    for a in council["assessments"]:
        if a.outcome in after_assessment.values():
            closure = episodes[a.episode_id].closure_reason
            if a.episode_id in council["enquired"]:
                assert a.outcome == AssessmentOutcome.NO_FURTHER_ACTION, a.pk
                assert closure in ("", ClosureReason.RC7), a.pk
            else:
                assert closure in after_assessment, a.pk
    for e in episodes.values():
        codes = [council["factors"].get(a.pk, []) for a in council["by_episode"].get(e.pk, [])]
        if len(codes) == 1 and codes[0] == [NO_FACTORS] and e.closure_date:
            assert e.closure_reason in after_assessment  # 8873Q


def test_authorised_assessments_meet_the_assessment_clock(council: dict[str, Any]) -> None:
    authorised = [a for a in council["assessments"] if a.authorised_on]
    events = {
        source: (subject_id, occurred_on, key)
        for source, subject_id, occurred_on, key in ClockEvent.objects.filter(
            name="assessment-completed", withdrawn_at__isnull=True
        ).values_list("source", "subject_id", "occurred_on", "key")
    }
    for a in authorised:
        assert events.get(f"casework.assessment:{a.pk}") == (
            a.person_id,
            a.authorised_on,
            f"episode:{a.episode_id}",
        )
    unfinished = {f"casework.assessment:{a.pk}" for a in council["assessments"]} - {
        f"casework.assessment:{a.pk}" for a in authorised
    }
    assert not unfinished & set(events)
    met = set(
        Deadline.objects.filter(rule_code="assessment", state=DeadlineState.MET).values_list(
            "subject_id", "met_on"
        )
    )
    first = [v[0] for v in council["by_episode"].values() if v[0].authorised_on]
    assert all((a.person_id, a.authorised_on) in met for a in first)
