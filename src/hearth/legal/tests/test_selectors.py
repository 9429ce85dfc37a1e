"""Selectors: Annex A list 7's emergency protection in the last six months, the SSDA903 legal
status L1/L2 on a day, week counts against 26 weeks, the census block and the derived counts."""

from __future__ import annotations

import datetime as dt

import pytest

from hearth.legal import selectors, services
from hearth.legal.codes import EmergencyKind, EmergencyOutcome, PreProceedingsOutcome
from hearth.legal.models import CareProceedings, EmergencyProtection, PreProceedings
from hearth.people.tests.factories import make_child
from hearth.timescales import calendar as cal

from .conftest import TODAY, Setting, days_ago

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=cal.LONDON)


def police_then_order(setting: Setting) -> tuple[EmergencyProtection, EmergencyProtection]:
    """Police protection 40 days ago 22:00 to 38 days ago 10:00; then an order to 33 days ago."""
    police = services.emergency_record(
        actor=None,
        person=setting.child,
        kind=EmergencyKind.POLICE,
        started_at=at(days_ago(40), 22),
        ended_at=at(days_ago(38), 10),
        outcome=EmergencyOutcome.EPO_MADE,
        reason="Found alone at night.",
        police_force="West Yorkshire Police",
    )
    order = services.emergency_record(
        actor=None,
        person=setting.child,
        kind=EmergencyKind.EPO,
        started_at=at(days_ago(38), 10),
        ended_at=at(days_ago(33), 12),
        outcome=EmergencyOutcome.ICO_SOUGHT,
        reason="Order on the police's information.",
        court="Family Court",
    )
    return police, order


def test_emergency_protection_since(setting: Setting) -> None:
    police_then_order(setting)
    other = make_child(forename="Olly")
    services.emergency_record(
        actor=None,
        person=other,
        kind=EmergencyKind.POLICE,
        started_at=at(days_ago(300), 9),
        ended_at=at(days_ago(299), 9),
        outcome=EmergencyOutcome.RETURNED_HOME,
        reason="Found wandering.",
        police_force="West Yorkshire Police",
    )
    never = make_child(forename="Nia")
    ids = [setting.child.pk, other.pk, never.pk]
    six_months = days_ago(183)
    assert selectors.emergency_protection_since(ids, six_months) == {setting.child.pk}
    assert selectors.emergency_protection_since(ids, days_ago(400)) == {
        setting.child.pk,
        other.pk,
    }
    # Ended on the day the window opens: still within it.
    assert selectors.emergency_protection_since(ids, days_ago(33)) == {setting.child.pk}
    assert selectors.emergency_protection_since(ids, days_ago(32)) == set()
    assert selectors.emergency_protection_since([], six_months) == set()


def test_an_open_record_counts_whatever_the_window(setting: Setting) -> None:
    services.emergency_record(
        actor=None,
        person=setting.child,
        kind=EmergencyKind.POLICE,
        started_at=at(TODAY, 0),
        reason="Taken into police protection.",
        police_force="West Yorkshire Police",
    )
    assert selectors.emergency_protection_since([setting.child.pk], TODAY) == {setting.child.pk}


def test_legal_status_on_a_day(setting: Setting) -> None:
    police_then_order(setting)
    assert selectors.legal_status_on(setting.child, days_ago(41)) is None
    assert selectors.legal_status_on(setting.child, days_ago(40)) == "L1"
    assert selectors.legal_status_on(setting.child, days_ago(39)) == "L1"
    # Police protection ended and the order began that morning: the later one.
    assert selectors.legal_status_on(setting.child, days_ago(38)) == "L2"
    assert selectors.legal_status_on(setting.child.pk, days_ago(35)) == "L2"
    assert selectors.legal_status_on(setting.child, days_ago(33)) == "L2"
    assert selectors.legal_status_on(setting.child, days_ago(32)) is None


def test_week_counts(setting: Setting, proceedings: CareProceedings) -> None:
    weeks = selectors.proceedings_weeks(proceedings)
    assert (weeks.weeks, weeks.week_number, weeks.target_weeks) == (10, 11, 26)
    assert weeks.due_on == days_ago(70) + dt.timedelta(weeks=26)
    assert weeks.within_26 and not weeks.over and weeks.tag == ("On track", "blue")
    services.extension_add(
        actor=None, proceedings=proceedings, granted_on=days_ago(5), weeks=4, reason="Experts"
    )
    weeks = selectors.proceedings_weeks(proceedings)
    assert (weeks.extension_weeks, weeks.target_weeks) == (4, 30)
    late = selectors.proceedings_weeks(proceedings, on=days_ago(70) + dt.timedelta(weeks=31))
    assert late.over and late.tag == ("Past its timetable", "red")
    services.proceedings_conclude(
        actor=None, proceedings=proceedings, final_order="care", final_order_on=days_ago(1)
    )
    proceedings.refresh_from_db()
    done = selectors.proceedings_weeks(proceedings)
    assert done.concluded and done.weeks == 9 and done.tag[1] == "green"


def test_census_block_and_derived_counts(setting: Setting, pp: PreProceedings) -> None:
    pp = services.pre_proceedings_update(
        actor=None,
        pre_proceedings=pp,
        data={
            "initial_meeting_on": days_ago(90),
            "fgdm_offered": True,
            "fgdm_offered_on": days_ago(92),
            "fgdm_held": False,
        },
    )
    for n in (60, 30):
        services.pre_proceedings_review_add(
            actor=None, pre_proceedings=pp, held_on=days_ago(n), notes="Review"
        )
    pp = services.pre_proceedings_update(
        actor=None,
        pre_proceedings=pp,
        data={
            "outcome": PreProceedingsOutcome.ISSUE,
            "outcome_on": days_ago(20),
            "court_application_on": days_ago(15),
            "letter_of_intention_on": days_ago(18),
        },
    )
    block = selectors.census_block(pp)
    assert block == {
        "PPStartDate": days_ago(100),
        "LBPSentDate": days_ago(95),
        "FGDMMeetingOffer": 1,
        "FGDMMeetingFac": 0,
        "InitialPPMeetingDate": days_ago(90),
        "ReviewMeetingsCount": 2,
        "StepDecisionDate": days_ago(20),
        "PPOutcome": "issue",
        "CourtAppDate": days_ago(15),
        "LetterInitCPDate": days_ago(18),
    }
    assert selectors.census_blocks_for_episode(setting.episode) == [block]
    assert selectors.pre_proceedings_weeks(pp) == 11
    assert selectors.previous_pre_proceedings(pp) == 0
    assert selectors.previous_care_proceedings(setting.child, TODAY) == 0


def test_the_childs_legal_section_in_four_queries(
    setting: Setting,
    pp: PreProceedings,
    proceedings: CareProceedings,
    django_assert_max_num_queries: object,
) -> None:
    police_then_order(setting)
    setting.worker.has_perm("core.view_case_records")  # permissions cached
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        legal = selectors.legal_for_person(setting.worker, setting.child)
    assert len(legal.emergencies) == 2 and len(legal.gateways) == 1
    assert legal.pre_proceedings[0].weeks == 14  # type: ignore[attr-defined]
    assert legal.proceedings[0].timetable.week_number == 11  # type: ignore[attr-defined]
