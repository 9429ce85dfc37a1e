"""This app's section of `manage.py council_stats`: child protection in the 12 months to the
reference date (as the CIN census counts a year), and the plans open at it.

National comparisons (domain.md §2.1, 2025): section 47 enquiries per referral about 0.36, initial
conferences per enquiry 0.31, plans per initial conference 0.86, 81% of initial conferences within
15 working days of the enquiry's start, initial category neglect about 50% and emotional abuse
about 35%, plans at 31 March 41 per 10,000 children, duration of plans ending (up to 3 months
15.9%, 3-6 months 11.0%, 6-12 months 43.5%, 1-2 years 25.2%, 2 years or more 4.4%), second or
subsequent plans in the low 20s %. Deterministic for a seed: no primary keys, rates rounded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan
from hearth.timescales import calendar as cal
from hearth.timescales.models import Deadline, DeadlineState
from hearth.timescales.selectors import working_calendar

from .codes import INITIAL_KINDS, CategoryOfAbuse, ConferenceKind, ConferenceStatus
from .models import Conference, CoreGroup, ProtectionPlan, Section47Enquiry, StrategyDiscussion

ICPC_BANDS = (("0-10", 10), ("11-15", 15), ("16-20", 20), ("21+", None))
DURATION_BANDS = (
    ("under_3_months", 3),
    ("3_to_6_months", 6),
    ("6_to_12_months", 12),
    ("1_to_2_years", 24),
    ("2_years_or_more", None),
)


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _shares(counter: Counter[str], keys: list[str]) -> dict[str, float]:
    total = sum(counter.values())
    return {key: _ratio(counter[key], total) for key in keys}


def duration_band(start: dt.date, end: dt.date) -> str:
    for name, months in DURATION_BANDS:
        if months is None or end < cal.add_months(start, months):
            return name
    return DURATION_BANDS[-1][0]  # pragma: no cover


@register_stats("child_protection")
def child_protection_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    since = years_before(day, 1)
    per_10k = 10_000 / council.population_0_17 if council and council.population_0_17 else 0
    calendar = working_calendar()

    def in_year(value: dt.date | None) -> bool:
        return value is not None and since < value <= day

    referrals = ChildInNeedEpisode.objects.filter(
        referral_date__gt=since, referral_date__lte=day
    ).count()
    discussions = [
        (held_at.astimezone(cal.LONDON).date(), missing)
        for held_at, missing in StrategyDiscussion.objects.values_list(
            "held_at", "missing_agencies"
        )
    ]
    discussions_in_year = [(d, m) for d, m in discussions if in_year(d)]
    flagged = sum(bool(m) for _, m in discussions_in_year)
    strategy_deadlines = Deadline.objects.filter(
        rule_code="strategy-discussion", state=DeadlineState.MET, met_on__gt=since, met_on__lte=day
    )
    met = strategy_deadlines.count()
    met_late = strategy_deadlines.filter(met_late=True).count()

    enquiry_starts = dict(Section47Enquiry.objects.values_list("pk", "start_date"))
    enquiries = sum(in_year(start) for start in enquiry_starts.values())
    held_initial = [
        (held_on, s47)
        for held_on, s47 in Conference.objects.filter(
            kind__in=INITIAL_KINDS, status=ConferenceStatus.HELD
        ).values_list("held_on", "section_47_id")
        if in_year(held_on)
    ]
    bands: Counter[str] = Counter()
    for held_on, s47 in held_initial:
        if s47 is None or held_on is None:
            continue
        days = calendar.working_days_between(enquiry_starts[s47], held_on)
        bands[next(name for name, top in ICPC_BANDS if top is None or days <= top)] += 1
    within_15 = bands["0-10"] + bands["11-15"]

    plans = list(
        Plan.objects.filter(kind=PlanKind.CP)
        .order_by("person_id", "start_date", "pk")
        .values_list("pk", "person_id", "start_date", "end_date")
    )
    categories = dict(ProtectionPlan.objects.values_list("plan_id", "initial_category"))
    started = [p for p in plans if in_year(p[2])]
    earlier: dict[int, int] = defaultdict(int)
    repeat = 0
    for _pk, person, start, _end in plans:
        if in_year(start) and earlier[person]:
            repeat += 1
        earlier[person] += 1
    ended = [p for p in plans if in_year(p[3])]
    durations: Counter[str] = Counter(duration_band(p[2], p[3]) for p in ended if p[3])
    category_counts: Counter[str] = Counter(categories.get(p[0], "") for p in started)
    open_at = [p for p in plans if p[2] <= day and (p[3] is None or p[3] > day)]

    # First core group within 10 working days of the plan's start (plans started in the year
    # that were open 10 working days or more, or had a core group).
    first_groups: dict[int, dt.date] = {}
    for plan_id, held_on in CoreGroup.objects.order_by("plan_id", "held_on").values_list(
        "plan_id", "held_on"
    ):
        first_groups.setdefault(plan_id, held_on)
    due_groups = on_time_groups = 0
    for pk, _person, start, end in started:
        deadline = calendar.add_working_days(start, 10)
        first = first_groups.get(pk)
        if first is None and (deadline >= day or (end is not None and end <= deadline)):
            continue  # not yet due, or ended before it was
        due_groups += 1
        on_time_groups += first is not None and first <= deadline

    # Review conferences held in the year: the first within 3 months of the start, the next
    # within 6 months of the last.
    starts = {p[0]: p[2] for p in plans}
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    for plan_id, held_on in (
        Conference.objects.filter(kind=ConferenceKind.REVIEW, status=ConferenceStatus.HELD)
        .order_by("plan_id", "held_on")
        .values_list("plan_id", "held_on")
    ):
        if plan_id is not None and held_on is not None:
            reviews[plan_id].append(held_on)
    review_count = reviews_on_time = 0
    for plan_id, dates in reviews.items():
        previous, months = starts[plan_id], 3
        for held_on in dates:
            if in_year(held_on):
                review_count += 1
                reviews_on_time += held_on <= cal.add_months(previous, months)
            previous, months = held_on, 6

    open_enquiries = Section47Enquiry.objects.filter(start_date__lte=day).filter(
        Q(concluded_on__isnull=True) | Q(concluded_on__gt=day)
    )
    return {
        "strategy_discussions": len(discussions),
        "section_47_enquiries": len(enquiry_starts),
        "cp_plans": len(plans),
        "last_12_months": {
            "referrals": referrals,
            "strategy_discussions": len(discussions_in_year),
            "strategy_discussions_flagged": flagged,
            "strategy_discussions_flagged_rate": _ratio(flagged, len(discussions_in_year)),
            "strategy_discussions_within_1_working_day_rate": _ratio(met - met_late, met),
            "section_47_enquiries": enquiries,
            "section_47_per_10k": round(enquiries * per_10k, 1),
            "section_47_per_referral": _ratio(enquiries, referrals),
            "initial_conferences": len(held_initial),
            "initial_conferences_per_10k": round(len(held_initial) * per_10k, 1),
            "initial_conferences_per_section_47": _ratio(len(held_initial), enquiries),
            "initial_conference_working_days": {name: bands[name] for name, _ in ICPC_BANDS},
            "initial_conferences_within_15_working_days_rate": _ratio(
                within_15, sum(bands.values())
            ),
            "cp_plans_started": len(started),
            "cp_plans_started_per_10k": round(len(started) * per_10k, 1),
            "cp_plans_per_initial_conference": _ratio(len(started), len(held_initial)),
            "initial_category": _shares(category_counts, list(CategoryOfAbuse.values)),
            "second_or_subsequent_plan_rate": _ratio(repeat, len(started)),
            "cp_plans_ended": len(ended),
            "duration_of_ended_plans": _shares(durations, [name for name, _ in DURATION_BANDS]),
            "first_core_group_within_10_working_days_rate": _ratio(on_time_groups, due_groups),
            "review_conferences": review_count,
            "review_conferences_on_time_rate": _ratio(reviews_on_time, review_count),
        },
        "at_reference_date": {
            "cp_plans_open": len(open_at),
            "cp_plans_open_per_10k": round(len(open_at) * per_10k, 1),
            "cp_plans_open_15_months_or_more": sum(
                day >= cal.add_months(p[2], 15) for p in open_at
            ),
            "section_47_enquiries_open": open_enquiries.count(),
        },
    }
