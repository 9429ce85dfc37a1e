"""Reads for legal records: a child's legal section, week counts against the 26-week timetable,
the census block of a period of pre-proceedings, the service list of children in pre-proceedings
and proceedings, and the returns' questions (Annex A list 7's "subject to an emergency protection
order or protected under police powers in the last six months", SSDA903 legal status L1/L2).
Bounded queries whatever the history's length."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import Team, User
from hearth.people.models import Person
from hearth.people.policies import persons_visible_to
from hearth.timescales import calendar as cal
from hearth.workforce.codes import CaseRole
from hearth.workforce.models import Allocation

from . import policies
from .codes import (
    ENDING_OUTCOMES,
    LEGAL_STATUS,
    PP_OUTCOME_CENSUS,
    PROCEEDINGS_WEEKS,
    EmergencyKind,
)
from .models import (
    CareProceedings,
    EmergencyProtection,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
)
from .services import emergency_limit, today


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=cal.LONDON)


# --- the returns' questions ----------------------------------------------------------------------


def emergency_protection_since(person_ids: Iterable[int], since: dt.date) -> set[int]:
    """Which of these children were in police protection or under an emergency protection order
    at any time from `since` (Annex A list 7: "in the last six months"). One query."""
    ids = list(person_ids)
    if not ids:
        return set()
    rows = EmergencyProtection.objects.filter(person_id__in=ids).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=midnight(since))
    )
    return set(rows.values_list("person_id", flat=True).distinct())


def legal_status_on(person: Person | int, day: dt.date) -> Literal["L1", "L2"] | None:
    """The SSDA903 legal status from emergency protection on a day: "L1" (police protection) or
    "L2" (emergency protection order) in force at some time that day, the later one if both
    (police protection followed by an order); None otherwise. One query."""
    person_id = person if isinstance(person, int) else person.pk
    found = (
        EmergencyProtection.objects.filter(
            person_id=person_id, started_at__lt=midnight(day + dt.timedelta(days=1))
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=midnight(day)))
        .order_by("-started_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    if not found:
        return None
    return "L1" if LEGAL_STATUS[EmergencyKind(found)] == "L1" else "L2"


# --- week counts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weeks:
    """Care proceedings against the 26-week timetable (plus the extensions the court granted)."""

    issued_on: dt.date
    until: dt.date  # the final order, or today
    extension_weeks: int
    concluded: bool

    @property
    def days(self) -> int:
        return (self.until - self.issued_on).days

    @property
    def weeks(self) -> int:
        """Whole weeks since issue: week 0 is the first seven days."""
        return self.days // 7

    @property
    def week_number(self) -> int:
        """The week the proceedings are in (1 = the first week), as courts count it."""
        return self.days // 7 + 1

    @property
    def target_weeks(self) -> int:
        return PROCEEDINGS_WEEKS + self.extension_weeks

    @property
    def due_on(self) -> dt.date:
        return self.issued_on + dt.timedelta(weeks=self.target_weeks)

    @property
    def within_26(self) -> bool:
        return self.until <= self.issued_on + dt.timedelta(weeks=PROCEEDINGS_WEEKS)

    @property
    def over(self) -> bool:
        """Past the timetable (with its extensions)."""
        return self.until > self.due_on

    @property
    def tag(self) -> tuple[str, str]:
        """A label and a GOV.UK tag colour for lists."""
        if self.concluded:
            if self.within_26:
                return "Concluded within 26 weeks", "green"
            return f"Concluded in week {self.week_number}", "orange"
        if self.over:
            return "Past its timetable", "red"
        if not self.within_26:
            return "Extended", "orange"
        if self.weeks >= 20:
            return "Nearing 26 weeks", "yellow"
        return "On track", "blue"


def proceedings_weeks(
    proceedings: CareProceedings, *, extension_weeks: int | None = None, on: dt.date | None = None
) -> Weeks:
    if extension_weeks is None:
        extension_weeks = getattr(proceedings, "extension_weeks", None)
    if extension_weeks is None:
        extension_weeks = sum(proceedings.extensions.values_list("weeks", flat=True))
    until = proceedings.final_order_on or on or today()
    return Weeks(
        issued_on=proceedings.issued_on,
        until=until,
        extension_weeks=extension_weeks,
        concluded=proceedings.final_order_on is not None,
    )


def pre_proceedings_weeks(pp: PreProceedings, on: dt.date | None = None) -> int:
    """Whole weeks from the start to the outcome that ended it, or to today."""
    until = pp.outcome_on if pp.outcome in ENDING_OUTCOMES and pp.outcome_on else on or today()
    return max(0, (until - pp.start_date).days // 7)


def with_extension_weeks(rows: QuerySet[CareProceedings]) -> QuerySet[CareProceedings]:
    """Annotate `extension_weeks` (the court's extensions, summed in the database)."""
    return rows.annotate(
        extension_weeks=Coalesce(
            Subquery(
                CareProceedings.objects.filter(pk=OuterRef("pk"))
                .annotate(total=Sum("extensions__weeks"))
                .values("total")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
    )


# --- pre-proceedings: derived values and the census block ----------------------------------------


def previous_pre_proceedings(pp: PreProceedings) -> int:
    """Periods of pre-proceedings in the child's lifetime before this one (derived, not stored;
    ssd_pre_proceedings `prep_prev_pre_proc_child`)."""
    return (
        PreProceedings.objects.filter(person_id=pp.person_id)
        .filter(Q(start_date__lt=pp.start_date) | Q(start_date=pp.start_date, pk__lt=pp.pk))
        .count()
    )


def previous_care_proceedings(person: Person | int, before: dt.date) -> int:
    """Care proceedings issued for the child before a date (`prep_prev_care_proc_child`)."""
    person_id = person if isinstance(person, int) else person.pk
    return CareProceedings.objects.filter(person_id=person_id, issued_on__lt=before).count()


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def census_block(pp: PreProceedings, review_count: int | None = None) -> dict[str, Any]:
    """The CIN census 2026-27 `PreProceedingsandFGDM` values of a period of pre-proceedings
    (statutory-returns.md §1.7). `PPOutcome` is Hearth's outcome until the DfE's codes are
    confirmed (`codes.PP_OUTCOME_CENSUS`)."""
    if review_count is None:
        review_count = getattr(pp, "review_count", None)
    if review_count is None:
        review_count = pp.reviews.count()
    return {
        "PPStartDate": pp.start_date,
        "LBPSentDate": pp.letter_sent_on,
        "FGDMMeetingOffer": _flag(pp.fgdm_offered),
        "FGDMMeetingFac": _flag(pp.fgdm_held),
        "InitialPPMeetingDate": pp.initial_meeting_on,
        "ReviewMeetingsCount": review_count,
        "StepDecisionDate": pp.outcome_on,
        "PPOutcome": PP_OUTCOME_CENSUS.get(pp.outcome, pp.outcome) or None,
        "CourtAppDate": pp.court_application_on,
        "LetterInitCPDate": pp.letter_of_intention_on,
    }


def census_blocks_for_episode(episode: ChildInNeedEpisode | int) -> list[dict[str, Any]]:
    """Every `PreProceedingsandFGDM` block of a child in need episode (`CINdetails`), in date
    order. One query."""
    episode_id = episode if isinstance(episode, int) else episode.pk
    rows = (
        PreProceedings.objects.filter(episode_id=episode_id)
        .annotate(review_count=Count("reviews"))
        .order_by("start_date", "pk")
    )
    return [census_block(pp) for pp in rows]


# --- a record's page -----------------------------------------------------------------------------


@dataclass
class PreProceedingsPage:
    pp: PreProceedings
    reviews: list[PreProceedingsReview]
    proceedings: list[CareProceedings]
    previous: int
    weeks: int
    census: dict[str, Any]


def pre_proceedings_page(pp: PreProceedings) -> PreProceedingsPage:
    reviews = list(pp.reviews.select_related("recorded_by").order_by("held_on", "pk"))
    return PreProceedingsPage(
        pp=pp,
        reviews=reviews,
        proceedings=list(pp.care_proceedings.order_by("issued_on", "pk")),
        previous=previous_pre_proceedings(pp),
        weeks=pre_proceedings_weeks(pp),
        census=census_block(pp, review_count=len(reviews)),
    )


def emergency_must_end_by(record: EmergencyProtection) -> dt.datetime:
    return record.started_at + emergency_limit(record.kind, record.extension_days)


# --- the child's legal section -------------------------------------------------------------------


@dataclass
class PersonLegal:
    emergencies: list[EmergencyProtection] = field(default_factory=list)
    gateways: list[LegalGatewayMeeting] = field(default_factory=list)
    pre_proceedings: list[PreProceedings] = field(default_factory=list)
    proceedings: list[CareProceedings] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.emergencies or self.gateways or self.pre_proceedings or self.proceedings)


def legal_for_person(viewer: User, person: Person | int) -> PersonLegal:
    """The child's legal records the viewer may see, latest first. Four queries."""
    person_id = person if isinstance(person, int) else person.pk
    on = today()
    emergencies = list(
        policies.visible(viewer, EmergencyProtection)
        .filter(person_id=person_id)
        .order_by("-started_at", "-pk")
    )
    for record in emergencies:
        record.must_end_by = emergency_must_end_by(record)  # type: ignore[attr-defined]
    gateways = list(
        policies.visible(viewer, LegalGatewayMeeting)
        .filter(person_id=person_id)
        .select_related("plan")
        .order_by("-held_on", "-pk")
    )
    pps: list[PreProceedings] = list(
        policies.visible(viewer, PreProceedings)
        .filter(person_id=person_id)
        .annotate(review_count=Count("reviews"))
        .order_by("-start_date", "-pk")
    )
    for pp in pps:
        pp.weeks = pre_proceedings_weeks(pp, on)  # type: ignore[attr-defined]
    proceedings = list(
        with_extension_weeks(
            policies.visible(viewer, CareProceedings).filter(person_id=person_id)
        ).order_by("-issued_on", "-pk")
    )
    for p in proceedings:
        p.timetable = proceedings_weeks(p, on=on)  # type: ignore[attr-defined]
    return PersonLegal(
        emergencies=emergencies, gateways=gateways, pre_proceedings=pps, proceedings=proceedings
    )


# --- the service list ----------------------------------------------------------------------------


def _lead(column: str) -> Subquery:
    lead = Allocation.objects.filter(
        person_id=OuterRef("person_id"), role=CaseRole.LEAD_SOCIAL_WORKER, end_date__isnull=True
    ).order_by("-start_date", "-pk")
    return Subquery(lead.values(column)[:1])


def _in_teams(teams: QuerySet[Team]) -> Exists:
    return Exists(
        Allocation.objects.filter(
            person_id=OuterRef("person_id"),
            role=CaseRole.LEAD_SOCIAL_WORKER,
            end_date__isnull=True,
            team__in=teams,
        )
    )


def open_pre_proceedings(viewer: User, *, teams: QuerySet[Team] | None) -> QuerySet[PreProceedings]:
    """Children in pre-proceedings now, held by `teams` (None: all), longest first. One query."""
    rows = PreProceedings.objects.filter(person__in=persons_visible_to(viewer)).exclude(
        outcome__in=ENDING_OUTCOMES
    )
    if teams is not None:
        rows = rows.filter(_in_teams(teams))
    return (
        rows.select_related("person")
        .annotate(
            review_count=Count("reviews"),
            lead_first=_lead("worker__first_name"),
            lead_last=_lead("worker__last_name"),
            team_name=_lead("team__name"),
        )
        .order_by("start_date", "pk")
    )


def open_proceedings(viewer: User, *, teams: QuerySet[Team] | None) -> QuerySet[CareProceedings]:
    """Children in care proceedings now, held by `teams` (None: all), longest first. One
    query."""
    rows = CareProceedings.objects.filter(
        person__in=persons_visible_to(viewer), final_order_on__isnull=True
    )
    if teams is not None:
        rows = rows.filter(_in_teams(teams))
    return (
        with_extension_weeks(rows.select_related("person"))
        .annotate(
            hearing_count=Count("hearings"),
            lead_first=_lead("worker__first_name"),
            lead_last=_lead("worker__last_name"),
            team_name=_lead("team__name"),
        )
        .order_by("issued_on", "pk")
    )


@dataclass
class ServiceList:
    pre_proceedings: list[PreProceedings]
    proceedings: list[CareProceedings]
    today: dt.date

    @property
    def over_26(self) -> int:
        return len([p for p in self.proceedings if not p.timetable.within_26])  # type: ignore[attr-defined]


def service_list(viewer: User, *, teams: QuerySet[Team] | None) -> ServiceList:
    """Both lists with their week counts: two queries."""
    on = today()
    pps: list[PreProceedings] = list(open_pre_proceedings(viewer, teams=teams))
    for pp in pps:
        pp.weeks = pre_proceedings_weeks(pp, on)  # type: ignore[attr-defined]
    proceedings = list(open_proceedings(viewer, teams=teams))
    for p in proceedings:
        p.timetable = proceedings_weeks(p, on=on)  # type: ignore[attr-defined]
    return ServiceList(pre_proceedings=pps, proceedings=proceedings, today=on)
