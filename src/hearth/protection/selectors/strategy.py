"""Reads for strategy discussions and section 47 enquiries: a child's discussions and enquiries,
one discussion's page, one enquiry's page (its initial conference target and how many working
days remain), the managers' list of discussions a required agency did not attend, and the staff
who may lead an enquiry. Bounded queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import User
from hearth.timescales import calendar as cal
from hearth.timescales.selectors import working_calendar

from .. import policies
from ..codes import ConferenceStatus, Section47Outcome
from ..models import (
    Conference,
    Section47Enquiry,
    StrategyAction,
    StrategyAttendee,
    StrategyDiscussion,
)
from ..services.strategy import missing_names, missing_warning, today

FLAGGED_MONTHS = 3


def open_enquiry(episode: ChildInNeedEpisode | int) -> Section47Enquiry | None:
    """The episode's open section 47 enquiry (not yet concluded by an initial conference or the
    decision that none is needed), if any: at most one (census rule 8839, a database
    constraint)."""
    episode_id = episode if isinstance(episode, int) else episode.pk
    return (
        Section47Enquiry.objects.filter(episode_id=episode_id, concluded_on__isnull=True)
        .select_related("person", "episode", "lead_worker", "team")
        .first()
    )


def discussions_for_person(viewer: User, person_id: int) -> list[StrategyDiscussion]:
    """The child's strategy discussions the viewer may see, latest first; one query."""
    return list(
        policies.visible(viewer, StrategyDiscussion)
        .filter(person_id=person_id)
        .select_related("chair", "section_47", "episode")
        .order_by("-held_at", "-pk")
    )


def enquiries_for_person(viewer: User, person_id: int) -> list[Section47Enquiry]:
    """The child's section 47 enquiries the viewer may see, latest first; one query."""
    return list(
        policies.visible(viewer, Section47Enquiry)
        .filter(person_id=person_id)
        .select_related("lead_worker", "team", "episode")
        .order_by("-start_date", "-pk")
    )


@dataclass
class DiscussionPage:
    discussion: StrategyDiscussion
    attendees: list[StrategyAttendee]
    actions: list[StrategyAction]
    warning: str
    today: dt.date
    continues_enquiry: bool = False

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.actions if getattr(a, "is_overdue", False))


def discussion_page(discussion: StrategyDiscussion, on: dt.date | None = None) -> DiscussionPage:
    """Everything the discussion's page shows: who took part, the actions (overdue marked) and
    the flag for a missing agency. Three queries."""
    on = on or today()
    attendees = list(discussion.attendees.order_by("agency", "name", "pk"))
    actions = list(discussion.actions.order_by("due_date", "pk"))
    for action in actions:
        action.is_overdue = (  # type: ignore[attr-defined]
            action.completed_on is None and action.due_date < on
        )
    continues = False
    if discussion.section_47_id is not None:
        first = (
            StrategyDiscussion.objects.filter(section_47_id=discussion.section_47_id)
            .order_by("held_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        continues = first != discussion.pk
    return DiscussionPage(
        discussion=discussion,
        attendees=attendees,
        actions=actions,
        warning=missing_warning(discussion.missing_agencies),
        today=on,
        continues_enquiry=continues,
    )


@dataclass
class EnquiryPage:
    enquiry: Section47Enquiry
    discussions: list[StrategyDiscussion]
    conferences: list[Conference]
    today: dt.date
    working_days_left: int | None = None  # while open: negative when the target has passed
    concluded_after_target: int | None = None  # working days after the target it concluded
    book_url: str = ""
    warnings: dict[int, str] = field(default_factory=dict)

    @property
    def held_conference(self) -> Conference | None:
        return next((c for c in self.conferences if c.status == ConferenceStatus.HELD), None)

    @property
    def booked_conference(self) -> Conference | None:
        return next((c for c in self.conferences if c.status == ConferenceStatus.BOOKED), None)

    @property
    def needs_conference(self) -> bool:
        """The outcome says a conference is needed and none has been held."""
        return (
            self.enquiry.outcome == Section47Outcome.LIKELY_HARM
            and not self.enquiry.icpc_not_required
            and self.held_conference is None
        )

    @property
    def days_late(self) -> int:
        return -(self.working_days_left or 0)


def book_conference_url(enquiry: Section47Enquiry) -> str:
    """The page that books the initial conference for this enquiry ("" until it exists)."""
    try:
        url = reverse("protection:conference-book", args=[enquiry.person_id])
    except NoReverseMatch:
        return ""
    return f"{url}?enquiry={enquiry.pk}"


def enquiry_page(enquiry: Section47Enquiry, on: dt.date | None = None) -> EnquiryPage:
    """Everything the enquiry's page shows: its strategy discussions, conferences, and how many
    working days remain to the initial conference target (or how late it is). A few queries."""
    on = on or today()
    discussions = list(
        enquiry.strategy_discussions.select_related("chair").order_by("held_at", "pk")
    )
    conferences = list(Conference.objects.filter(section_47=enquiry).order_by("scheduled_on", "pk"))
    calendar: cal.WorkingCalendar = working_calendar()
    page = EnquiryPage(
        enquiry=enquiry,
        discussions=discussions,
        conferences=conferences,
        today=on,
        book_url=book_conference_url(enquiry),
        warnings={d.pk: missing_warning(d.missing_agencies) for d in discussions},
    )
    if enquiry.concluded_on is None:
        page.working_days_left = calendar.working_days_between(on, enquiry.icpc_target_date)
    elif enquiry.concluded_on > enquiry.icpc_target_date:
        page.concluded_after_target = calendar.working_days_between(
            enquiry.icpc_target_date, enquiry.concluded_on
        )
    return page


def flagged_discussions(
    viewer: User, *, on: dt.date | None = None, months: int = FLAGGED_MONTHS
) -> QuerySet[StrategyDiscussion]:
    """Discussions held in the last `months` months that a required agency (children's social
    care, police, health) did not attend, latest first, of children the viewer may see. One
    query (the attendees are not needed: the missing agencies are kept on the discussion)."""
    on = on or today()
    since = cal.add_months(on, -months)
    return (
        policies.visible(viewer, StrategyDiscussion)
        .exclude(missing_agencies="")
        .filter(held_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=cal.LONDON))
        .select_related("person", "chair", "recorded_by", "section_47")
        .order_by("-held_at", "-pk")
    )


def with_warnings(discussions: list[StrategyDiscussion]) -> list[StrategyDiscussion]:
    for discussion in discussions:
        discussion.warning = missing_warning(discussion.missing_agencies)  # type: ignore[attr-defined]
        discussion.missing_names = ", ".join(missing_names(discussion.missing_agencies))  # type: ignore[attr-defined]
    return discussions


def lead_worker_choices(current: User | None = None) -> list[User]:
    """Staff who may lead a section 47 enquiry: active, registered social workers (and the
    current lead, so a form can show them). One query."""
    registered = Q(is_active=True) & ~Q(swe_registration="")
    if current is not None:
        registered |= Q(pk=current.pk)
    return list(User.objects.filter(registered).order_by("last_name", "first_name", "pk"))


def chair_choices(current: User | None = None) -> list[User]:
    """Staff who may lead a strategy discussion: active staff who record casework. One query."""
    who = Q(is_active=True, roles__permissions__codename="edit_case_records")
    if current is not None:
        who |= Q(pk=current.pk)
    return list(User.objects.filter(who).distinct().order_by("last_name", "first_name", "pk"))
