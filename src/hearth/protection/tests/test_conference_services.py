"""Conference services: booking (who and what may be booked, the chair's case role), rebooking and
cancelling, and recording a conference as held: each CIN census rule refused at entry with nothing
saved, the plan started, reviewed and ended, CIN/CP exclusivity and the clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hearth.core.models import AuditEvent, User
from hearth.core.services import ConcurrentEditError
from hearth.plans import services as plan_services
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.protection.codes import (
    Agency,
    CategoryOfAbuse,
    ChildParticipation,
    ConferenceDecision,
    ConferenceKind,
    ConferenceStatus,
)
from hearth.protection.models import Conference, ProtectionPlan, Section47Enquiry
from hearth.protection.selectors import conferences as selectors
from hearth.protection.services import conferences as services
from hearth.timescales.models import ClockEvent, Deadline
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from .factories import (
    ProtectionSetting,
    days_ago,
    make_cp_plan,
    make_enquiry,
    make_protection_setting,
    today,
)
from .test_conference_support import (
    attendance,
    book,
    other_childs_enquiry,
    record,
    saturday_ago,
    start_icpc_clock,
    weekday_ago,
)

pytestmark = pytest.mark.django_db
INVITED_SC = {"agency": Agency.SOCIAL_CARE, "name": "Will Worker"}


@pytest.fixture
def setting(make_user: Callable[..., User]) -> ProtectionSetting:
    return make_protection_setting(make_user)


@pytest.fixture
def enquiry(setting: ProtectionSetting) -> Section47Enquiry:
    return make_enquiry(setting, started=20)


def refused(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def nothing_held(conference: Conference, enquiry: Section47Enquiry | None = None) -> None:
    """A refused record left everything as it was."""
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED
    assert conference.held_on is None and conference.plan_id is None
    assert not Plan.objects.filter(person=conference.person, kind=PlanKind.CP).exists()
    assert not ClockEvent.objects.filter(source=services.clock_source(conference)).exists()
    assert all(a.attended is None for a in conference.agencies.all())
    if enquiry is not None:
        enquiry.refresh_from_db()
        assert enquiry.concluded_on is None


# --- booking -------------------------------------------------------------------------------------


def test_book_an_initial_conference_gives_the_chair_a_case_role(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    conference = book(setting, enquiry=enquiry)
    assert conference.status == ConferenceStatus.BOOKED
    assert conference.booked_by == setting.worker
    assert sorted(conference.agencies.values_list("agency", flat=True)) == sorted(
        [Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH, Agency.EDUCATION]
    )
    roles = Allocation.objects.filter(
        person=setting.child, worker=setting.chair, role=CaseRole.CONFERENCE_CHAIR
    )
    assert roles.count() == 1 and roles.get().end_date is None
    assert AuditEvent.objects.filter(
        action="create", object_type="protection.conference", object_id=str(conference.pk)
    ).exists()
    # A second conference with the same chair gives no second role.
    services.conference_cancel(actor=setting.worker, conference=conference, reason="Moved.")
    book(setting, enquiry=enquiry)
    assert roles.count() == 1


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ("no_enquiry", "section_47", "follows a section 47 enquiry"),
        ("other_child", "section_47", "another child's"),
        ("concluded", "section_47", "concluded"),
        ("pre_birth_born", "kind", "unborn child"),
        ("transfer_in_with_enquiry", "section_47", "Only an initial or pre-birth"),
        ("review_no_plan", "plan", "has none"),
        ("weekend", "scheduled_on", "census rule 8875"),
        ("before_enquiry", "scheduled_on", "census rule 8615"),
        ("chair_not_chair", "chair", "cannot chair a conference"),
        ("already_on_plan", "kind", "census rule 8935"),
        ("twice", "section_47", "already booked"),
    ],
)
def test_booking_refusals_save_nothing(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    make_user: Callable[..., User],
    case: str,
    field: str,
    words: str,
) -> None:
    kwargs: dict[str, object] = {"enquiry": enquiry}
    if case == "no_enquiry":
        kwargs["enquiry"] = None
    elif case == "other_child":
        kwargs["enquiry"] = other_childs_enquiry(setting)
    elif case == "concluded":
        Section47Enquiry.objects.filter(pk=enquiry.pk).update(concluded_on=days_ago(5))
        enquiry.refresh_from_db()
    elif case == "pre_birth_born":
        kwargs["kind"] = ConferenceKind.PRE_BIRTH
    elif case == "transfer_in_with_enquiry":
        kwargs["kind"] = ConferenceKind.TRANSFER_IN
    elif case == "review_no_plan":
        kwargs.update(kind=ConferenceKind.REVIEW, enquiry=None)
    elif case == "weekend":
        kwargs["scheduled_on"] = saturday_ago(2)
    elif case == "before_enquiry":
        kwargs["scheduled_on"] = weekday_ago(40)
    elif case == "chair_not_chair":
        kwargs["chair"] = setting.worker
    elif case == "already_on_plan":
        make_cp_plan(setting, started=30)
        kwargs.update(kind=ConferenceKind.TRANSFER_IN, enquiry=None)
    elif case == "twice":
        book(setting, enquiry=enquiry)
    before = Conference.objects.count()
    with pytest.raises(ValidationError) as exc:
        book(setting, **kwargs)  # type: ignore[arg-type]
    assert words in refused(exc, field)
    assert Conference.objects.count() == before
    if case != "twice":
        assert not Allocation.objects.filter(
            worker=setting.chair, role=CaseRole.CONFERENCE_CHAIR
        ).exists()


def test_a_pre_birth_conference_is_for_an_unborn_child(make_user: Callable[..., User]) -> None:
    unborn = make_protection_setting(
        make_user, date_of_birth=None, expected_date_of_birth=today() + dt.timedelta(days=60)
    )
    enquiry = make_enquiry(unborn)
    with pytest.raises(ValidationError) as exc:
        book(unborn, enquiry=enquiry)
    assert "pre-birth" in refused(exc, "kind")
    conference = book(unborn, kind=ConferenceKind.PRE_BIRTH, enquiry=enquiry)
    assert conference.kind == ConferenceKind.PRE_BIRTH
    # An unborn child is under 4: PN0 only.
    with pytest.raises(ValidationError) as exc:
        record(unborn, conference, child_participation=ChildParticipation.PN5)
    assert "PN0" in refused(exc, "child_participation")
    held = record(unborn, conference, child_participation=ChildParticipation.PN0)
    assert held.plan is not None and held.plan.kind == PlanKind.CP


def test_a_review_conference_belongs_to_the_open_plan(setting: ProtectionSetting) -> None:
    plan = make_cp_plan(setting, started=30)
    conference = book(setting, kind=ConferenceKind.REVIEW)
    assert conference.plan == plan
    with pytest.raises(ValidationError) as exc:
        book(setting, kind=ConferenceKind.REVIEW, scheduled_on=weekday_ago(2))
    assert "already booked" in refused(exc, "plan")


def test_rebook_and_cancel(setting: ProtectionSetting, enquiry: Section47Enquiry) -> None:
    conference = book(setting, enquiry=enquiry, scheduled_on=weekday_ago(5))
    moved = services.conference_rebook(
        actor=setting.worker,
        conference=conference,
        scheduled_on=weekday_ago(2),
        add_agencies=[{"agency": Agency.HOUSING, "name": "Housing officer"}],
        expected_version=conference.version,
    )
    assert moved.scheduled_on == weekday_ago(2)
    assert moved.version == conference.version + 1
    assert moved.agencies.filter(agency=Agency.HOUSING).exists()
    with pytest.raises(ConcurrentEditError):
        services.conference_rebook(
            actor=setting.worker,
            conference=moved,
            scheduled_on=weekday_ago(3),
            expected_version=conference.version,
        )
    with pytest.raises(ValidationError) as exc:
        services.conference_cancel(actor=setting.worker, conference=moved, reason=" ")
    assert "why" in refused(exc, "reason")
    cancelled = services.conference_cancel(
        actor=setting.worker, conference=moved, reason="The family moved away."
    )
    assert cancelled.status == ConferenceStatus.CANCELLED
    assert Conference.objects.filter(pk=conference.pk).exists()  # nothing deleted
    with pytest.raises(ValidationError, match="cancelled"):
        record(setting, cancelled)
    with pytest.raises(ValidationError, match="cancelled"):
        services.conference_rebook(
            actor=setting.worker, conference=cancelled, scheduled_on=weekday_ago(1)
        )


# --- recording: who, and the census rules ------------------------------------------------------


def test_only_a_chair_records_a_conference_as_held(
    setting: ProtectionSetting, enquiry: Section47Enquiry, make_user: Callable[..., User]
) -> None:
    conference = book(setting, enquiry=enquiry)
    with pytest.raises(PermissionDenied):
        record(setting, conference, actor=setting.worker)
    with pytest.raises(PermissionDenied):
        record(setting, conference, actor=setting.manager)
    nothing_held(conference, enquiry)
    iro = make_user("iro")
    assert record(setting, conference, actor=iro).status == ConferenceStatus.HELD


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ("before_enquiry", "held_on", "census rule 8615"),
        ("weekend", "held_on", "census rule 8875"),
        ("future", "held_on", "before it happens"),
        ("after_closure", "held_on", "census rule 8565"),
        ("after_death", "held_on", "census rule 8915"),
        ("short_rationale", "chair_rationale", "at least 10 words"),
        ("no_category", "initial_category", "census rule 8905"),
        ("pn0_over_four", "child_participation", "PN0 is for a child under 4"),
        ("attendance_missing", "agencies", "Say whether each invited agency attended"),
        ("review_decision", "decision", "Choose whether the child needs"),
    ],
)
def test_record_refusals_save_nothing(
    setting: ProtectionSetting,
    enquiry: Section47Enquiry,
    case: str,
    field: str,
    words: str,
) -> None:
    conference = book(setting, enquiry=enquiry, scheduled_on=weekday_ago(3))
    overrides: dict[str, object] = {}
    if case == "before_enquiry":
        overrides["held_on"] = weekday_ago(25)
    elif case == "weekend":
        overrides["held_on"] = saturday_ago(1)
    elif case == "future":
        overrides["held_on"] = today() + dt.timedelta(days=3)
    elif case == "after_closure":
        type(setting.episode).objects.filter(pk=setting.episode.pk).update(
            closure_date=days_ago(6), closure_reason="RC1"
        )
    elif case == "after_death":
        type(setting.child).objects.filter(pk=setting.child.pk).update(date_of_death=days_ago(6))
    elif case == "short_rationale":
        overrides["chair_rationale"] = "Too short to explain anything."
    elif case == "no_category":
        overrides["initial_category"] = ""
    elif case == "pn0_over_four":
        overrides["child_participation"] = ChildParticipation.PN0
    elif case == "attendance_missing":
        overrides["agencies"] = attendance(conference)[:2]
    elif case == "review_decision":
        overrides["decision"] = ConferenceDecision.END_PLAN
    with pytest.raises(ValidationError) as exc:
        record(setting, conference, **overrides)  # type: ignore[arg-type]
    assert words in refused(exc, field)
    nothing_held(conference, enquiry)


def test_1104_not_before_the_referral(setting: ProtectionSetting) -> None:
    conference = book(setting, kind=ConferenceKind.TRANSFER_IN)
    with pytest.raises(ValidationError) as exc:
        record(setting, conference, held_on=weekday_ago(130))
    assert "census rule 1104" in refused(exc, "held_on")
    nothing_held(conference)


def test_2884_one_held_conference_per_enquiry(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    first = book(setting, enquiry=enquiry, scheduled_on=weekday_ago(4))
    # A second booking for the same enquiry, as an import or an old record might have left it.
    second = Conference.objects.create(
        person=setting.child,
        episode=setting.episode,
        kind=ConferenceKind.INITIAL,
        section_47=enquiry,
        scheduled_on=weekday_ago(2),
        chair=setting.chair,
    )
    record(setting, first, decision=ConferenceDecision.NO_PLAN)
    with pytest.raises(ValidationError) as exc:
        record(setting, second, agencies=[], decision=ConferenceDecision.NO_PLAN)
    assert "census rule 2884" in refused(exc, "held_on")
    second.refresh_from_db()
    assert second.status == ConferenceStatus.BOOKED
    # Nor the same conference recorded again without its enquiry (both levels).
    transfer = book(setting, kind=ConferenceKind.TRANSFER_IN, scheduled_on=weekday_ago(4))
    with pytest.raises(ValidationError) as exc:
        record(setting, transfer, decision=ConferenceDecision.NO_PLAN)
    assert "census rule 2884" in refused(exc, "held_on")
    transfer.refresh_from_db()
    assert transfer.status == ConferenceStatus.BOOKED
    # On another day it is another conference.
    held = record(setting, transfer, held_on=weekday_ago(1), decision=ConferenceDecision.NO_PLAN)
    assert held.status == ConferenceStatus.HELD
    # An episode holds one initial conference without an enquiry.
    again = book(setting, kind=ConferenceKind.TRANSFER_IN, scheduled_on=weekday_ago(2))
    with pytest.raises(ValidationError) as exc:
        record(setting, again, decision=ConferenceDecision.NO_PLAN)
    assert "one for each episode" in refused(exc, "held_on")


def test_pn0_for_a_child_under_four(make_user: Callable[..., User]) -> None:
    toddler = make_protection_setting(make_user, date_of_birth=days_ago(500))
    conference = book(toddler, enquiry=make_enquiry(toddler))
    with pytest.raises(ValidationError) as exc:
        record(toddler, conference, child_participation=ChildParticipation.PN1)
    assert "choose PN0" in refused(exc, "child_participation")
    held = record(toddler, conference, child_participation=ChildParticipation.PN0)
    assert held.child_participation == ChildParticipation.PN0


# --- an initial conference that starts a plan ----------------------------------------------------


def test_an_initial_conference_starts_the_plan_on_its_date(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    start_icpc_clock(setting, enquiry)
    cin = plan_services.plan_start(
        actor=setting.worker,
        person=setting.child,
        episode=setting.episode,
        start_date=days_ago(60),
    )
    held_on = weekday_ago(5)
    conference = book(setting, enquiry=enquiry, scheduled_on=held_on)
    held = record(
        setting,
        conference,
        initial_category=CategoryOfAbuse.NEGLECT,
        latest_category=CategoryOfAbuse.EMOTIONAL,
    )
    assert held.status == ConferenceStatus.HELD and held.held_on == held_on
    assert held.recorded_by == setting.chair
    assert held.is_quorate is True
    # The enquiry is concluded by its conference; the icpc clock is met.
    enquiry.refresh_from_db()
    assert enquiry.concluded_on == held_on
    icpc = Deadline.objects.get(subject_id=setting.child.pk, rule_code="icpc")
    assert icpc.state == "met" and icpc.met_on == held_on
    assert selectors.icpc_timing(held).within is True  # type: ignore[union-attr]
    # The child in need plan ended that day; the child protection plan starts on it (2885).
    cin.refresh_from_db()
    assert cin.end_date == held_on and cin.end_reason == "Child protection plan started"
    plan = held.plan
    assert plan is not None and plan.kind == PlanKind.CP
    assert plan.start_date == held_on and plan.episode == setting.episode
    detail = ProtectionPlan.objects.get(plan=plan)
    assert detail.initial_conference == held
    assert (detail.initial_category, detail.latest_category) == ("NEG", "EMO")
    # The plan's clocks.
    open_rules = set(
        Deadline.objects.filter(subject_id=setting.child.pk, state="open").values_list(
            "rule_code", flat=True
        )
    )
    assert {"rcpc-first", "core-group-first", "cp-visit"} <= open_rules
    assert ClockEvent.objects.filter(
        source=services.clock_source(held), name="icpc", occurred_on=held_on
    ).exists()


def test_no_plan_concludes_the_enquiry_without_a_plan(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    conference = book(setting, enquiry=enquiry)
    held = record(setting, conference, decision=ConferenceDecision.NO_PLAN, initial_category="NEG")
    assert held.plan is None and held.initial_category == "" and held.latest_category == ""
    assert not Plan.objects.filter(person=setting.child, kind=PlanKind.CP).exists()
    enquiry.refresh_from_db()
    assert enquiry.concluded_on == held.held_on


def test_8935_a_second_open_plan_is_refused(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    conference = book(setting, enquiry=enquiry)
    make_cp_plan(setting, started=40)  # recorded elsewhere after the booking
    with pytest.raises(ValidationError) as exc:
        record(setting, conference)
    assert "census rule 8935" in refused(exc, "decision")
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED
    assert Plan.objects.filter(person=setting.child, kind=PlanKind.CP).count() == 1


def test_a_cin_plan_that_started_after_the_conference_blocks_the_plan(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    conference = book(setting, enquiry=enquiry, scheduled_on=weekday_ago(6))
    plan_services.plan_start(
        actor=setting.worker,
        person=setting.child,
        episode=setting.episode,
        start_date=days_ago(1),
    )
    with pytest.raises(ValidationError) as exc:
        record(setting, conference)
    assert "cannot end before it started" in refused(exc, "held_on")
    nothing_held(conference, enquiry)


def test_quorate_needs_social_care_and_two_other_agencies(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    conference = book(setting, enquiry=enquiry)
    rows = {a.agency: a.pk for a in conference.agencies.all()}
    agencies = [
        {"id": rows[Agency.SOCIAL_CARE], "attended": True, "report_on_time": None},
        {"id": rows[Agency.POLICE], "attended": True, "report_on_time": False},
        {"id": rows[Agency.HEALTH], "attended": False, "report_on_time": None},
        {"id": rows[Agency.EDUCATION], "attended": False, "report_on_time": True},
    ]
    held = record(setting, conference, agencies=agencies)
    assert held.is_quorate is False
    assert services.quorate([Agency.SOCIAL_CARE, Agency.POLICE, Agency.HOUSING]) is True
    assert services.quorate([Agency.POLICE, Agency.HEALTH, Agency.EDUCATION]) is False
    police = held.agencies.get(agency=Agency.POLICE)
    assert police.attended is True and police.report_on_time is False


def test_an_agency_that_came_uninvited_is_added(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    conference = book(setting, enquiry=enquiry, agencies=[INVITED_SC])
    held = record(
        setting,
        conference,
        agencies=[
            *attendance(conference),
            {"agency": Agency.POLICE, "name": "PC", "attended": True, "report_on_time": None},
            {"agency": Agency.HEALTH, "name": "GP", "attended": True, "report_on_time": None},
        ],
    )
    assert held.agencies.count() == 3 and held.is_quorate is True


# --- review conferences --------------------------------------------------------------------------


def test_a_review_conference_records_rcpc_and_the_latest_category(
    setting: ProtectionSetting,
) -> None:
    plan = make_cp_plan(setting, started=30)
    conference = book(setting, kind=ConferenceKind.REVIEW, scheduled_on=weekday_ago(2))
    held = record(
        setting,
        conference,
        initial_category="",
        latest_category=CategoryOfAbuse.PHYSICAL,
    )
    assert held.plan == plan and held.initial_category == ""
    detail = ProtectionPlan.objects.get(plan=plan)
    assert detail.latest_category == CategoryOfAbuse.PHYSICAL
    assert detail.initial_category == CategoryOfAbuse.NEGLECT
    assert AuditEvent.objects.filter(
        object_type="protection.protectionplan", action="update", changes__has_key="latest_category"
    ).exists()
    first = Deadline.objects.get(subject_id=setting.child.pk, rule_code="rcpc-first")
    assert first.state == "met" and first.met_on == held.held_on
    assert Deadline.objects.filter(
        subject_id=setting.child.pk, rule_code="rcpc-next", state="open"
    ).exists()
    plan.refresh_from_db()
    assert plan.end_date is None


def test_a_review_keeps_the_category_when_none_is_given(setting: ProtectionSetting) -> None:
    plan = make_cp_plan(setting, started=30, category=CategoryOfAbuse.SEXUAL)
    held = record(setting, book(setting, kind=ConferenceKind.REVIEW), initial_category="")
    assert held.latest_category == CategoryOfAbuse.SEXUAL
    assert ProtectionPlan.objects.get(plan=plan).latest_category == CategoryOfAbuse.SEXUAL


def test_a_review_conference_ends_the_plan_and_offers_a_step_down(
    setting: ProtectionSetting,
) -> None:
    plan = make_cp_plan(setting, started=30)
    conference = book(setting, kind=ConferenceKind.REVIEW)
    held = record(setting, conference, initial_category="", decision=ConferenceDecision.END_PLAN)
    plan.refresh_from_db()
    assert plan.end_date == held.held_on
    assert "review conference" in plan.end_reason
    assert ClockEvent.objects.filter(name="cp-plan-end", occurred_on=held.held_on).exists()
    assert selectors.conference_page(held, setting.chair).offer_step_down is True
    # A child in need plan may start that day (4001, 4016, 4017 allow it).
    cin = plan_services.plan_start(
        actor=setting.worker,
        person=setting.child,
        episode=setting.episode,
        start_date=held.held_on,  # type: ignore[arg-type]
    )
    assert cin.start_date == held.held_on
    assert selectors.conference_page(held, setting.chair).offer_step_down is False


def test_8841_a_review_is_after_the_plan_started(setting: ProtectionSetting) -> None:
    plan = make_cp_plan(setting, started=10)
    conference = book(setting, kind=ConferenceKind.REVIEW, scheduled_on=weekday_ago(1))
    with pytest.raises(ValidationError) as exc:
        record(setting, conference, initial_category="", held_on=plan.start_date)
    assert "census rule 8841" in refused(exc, "held_on")
    with pytest.raises(ValidationError) as exc:
        book(setting, kind=ConferenceKind.REVIEW, plan=plan, scheduled_on=plan.start_date)
    assert "census rule 8841" in refused(exc, "scheduled_on")
    nothing_held_review(conference)


def nothing_held_review(conference: Conference) -> None:
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.BOOKED
    assert not ClockEvent.objects.filter(source=services.clock_source(conference)).exists()


def test_4003_no_review_while_a_cin_plan_is_open(setting: ProtectionSetting) -> None:
    make_cp_plan(setting, started=30)
    conference = book(setting, kind=ConferenceKind.REVIEW, scheduled_on=weekday_ago(2))
    # A child in need plan left open alongside (as old data might have it).
    Plan.objects.create(
        kind=PlanKind.CIN, person=setting.child, episode=setting.episode, start_date=days_ago(20)
    )
    with pytest.raises(ValidationError) as exc:
        record(setting, conference, initial_category="")
    assert "census rule 4003" in refused(exc, "held_on")
    nothing_held_review(conference)


def test_a_review_cannot_decide_no_plan(setting: ProtectionSetting) -> None:
    make_cp_plan(setting, started=30)
    conference = book(setting, kind=ConferenceKind.REVIEW)
    with pytest.raises(ValidationError) as exc:
        record(setting, conference, initial_category="", decision=ConferenceDecision.NO_PLAN)
    assert "continues or ends" in refused(exc, "decision")


def test_a_conference_is_recorded_once(
    setting: ProtectionSetting, enquiry: Section47Enquiry
) -> None:
    held = record(setting, book(setting, enquiry=enquiry), decision=ConferenceDecision.NO_PLAN)
    with pytest.raises(ValidationError, match="was held on"):
        record(setting, held, decision=ConferenceDecision.NO_PLAN)
    with pytest.raises(ConcurrentEditError):
        services.conference_cancel(
            actor=setting.worker, conference=held, reason="x", expected_version=1
        )
