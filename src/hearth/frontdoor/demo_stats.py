"""This app's section of `manage.py council_stats`: contacts, referrals and early help.

Rates are for the 12 months up to the reference date (referral dates and decisions after the same
day a year earlier), as the CIN census counts a year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import Council
from hearth.demo.context import years_before
from hearth.demo.stats import register_stats
from hearth.timescales.selectors import working_calendar

from .models import Contact, ContactSubmission, EarlyHelpEpisode

LONDON = ZoneInfo("Europe/London")


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _by(queryset: QuerySet[Any], field: str) -> dict[str, int]:
    rows = queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
    return dict(sorted((str(k), n) for k, n in rows))


def decisions_within_one_working_day(contacts: QuerySet[Contact]) -> tuple[int, int]:
    """(decided within one working day of receipt, decided): by London dates, so a contact
    received on a Friday and decided on the Monday was in time."""
    calendar = working_calendar()
    in_time = total = 0
    for received, decided in contacts.exclude(decided_at=None).values_list(
        "received_at", "decided_at"
    ):
        if decided is None:  # pragma: no cover (excluded above)
            continue
        total += 1
        due = calendar.add_working_days(received.astimezone(LONDON).date(), 1)
        in_time += decided.astimezone(LONDON).date() <= due
    return in_time, total


@register_stats("front_door")
def front_door_figures(council: Council | None) -> dict[str, Any]:
    day = council.reference_date if council and council.reference_date else timezone.localdate()
    since = years_before(day, 1)
    start = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    per_10k = 10_000 / council.population_0_17 if council and council.population_0_17 else 0

    contacts = Contact.objects.all()
    recent_contacts = contacts.filter(received_at__gte=start, received_at__lt=end)
    decided = contacts.filter(decided_at__gte=start, decided_at__lt=end)
    in_time, decided_count = decisions_within_one_working_day(decided)
    waiting = contacts.filter(decision="")
    queue = {"awaiting_screening": 0, "awaiting_checks": 0, "awaiting_decision": 0}
    for contact in waiting.only("decision", "recommendation", "consent", "rating", "person_id"):
        queue[str(contact.status)] += 1

    episodes = ChildInNeedEpisode.objects.all()
    referrals = episodes.filter(referral_date__gt=since, referral_date__lte=day)
    referral_count = referrals.count()
    re_referrals = referrals.filter(is_re_referral=True).count()
    open_episodes = episodes.filter(closure_date__isnull=True).count()

    early_help = EarlyHelpEpisode.objects.all()
    recent_early_help = early_help.filter(start_date__gt=since, start_date__lte=day)
    recent_contact_count = recent_contacts.count()
    return {
        "contacts": contacts.count(),
        "contact_submissions": ContactSubmission.objects.count(),
        "referrals": episodes.count(),
        "early_help_episodes": early_help.count(),
        "contacts_awaiting": queue,
        "open_cin_episodes": open_episodes,
        "open_cin_episodes_per_10k": round(open_episodes * per_10k, 1),
        "open_early_help_episodes": early_help.filter(end_date__isnull=True).count(),
        "last_12_months": {
            "contacts": recent_contact_count,
            "contacts_per_10k": round(recent_contact_count * per_10k, 1),
            "contacts_per_referral": round(recent_contact_count / referral_count, 2)
            if referral_count
            else 0.0,
            "referrals": referral_count,
            "referrals_per_10k": round(referral_count * per_10k, 1),
            "re_referrals": re_referrals,
            "re_referral_rate": _ratio(re_referrals, referral_count),
            "referral_nfa_rate": _ratio(
                referrals.filter(referral_nfa=True).count(), referral_count
            ),
            "referrals_by_source": _by(referrals, "referral_source"),
            "referrals_by_primary_need": _by(referrals, "primary_need"),
            "decisions": decided_count,
            "decisions_within_one_working_day": in_time,
            "decisions_within_one_working_day_rate": _ratio(in_time, decided_count),
            "decisions_by_outcome": _by(decided, "decision"),
            "contacts_by_rating": _by(recent_contacts.exclude(rating=""), "rating"),
            "contacts_by_consent": _by(recent_contacts.exclude(consent=""), "consent"),
            "early_help_episodes": recent_early_help.count(),
            "early_help_episodes_per_10k": round(recent_early_help.count() * per_10k, 1),
        },
    }
