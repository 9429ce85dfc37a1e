"""The front door in the child's chronology: contacts, referrals and closures, early help."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.core.models import User
from hearth.frontdoor import services
from hearth.people.tests.factories import make_child, open_cin_episode

pytestmark = pytest.mark.django_db


def test_contacts_referrals_and_early_help_appear_and_filter(
    social_worker: User, client_for: Callable[[User], Any]
) -> None:
    child = make_child(forename="Timeline", surname="Child")
    episode = open_cin_episode(child, referral_date=dt.date(2026, 3, 2))
    episode.closure_date, episode.closure_reason = dt.date(2026, 6, 1), "RC8"
    episode.save()
    services.early_help_open(
        actor=social_worker,
        person=child,
        start_date=dt.date(2026, 6, 2),
        reason="Family hub support with school attendance and routines.",
    )
    submission = services.contact_submit(
        actor=social_worker,
        new=services.NewContact(
            received_at=timezone.now() - dt.timedelta(hours=3),
            source="2A",
            concerns="School reports the child arrived hungry three days this week.",
            categories=["neglect"],
            children=[services.ChildDetails(forename="Timeline", surname="Child")],
            referrer=services.Referrer(name="Head teacher", organisation="Synthetic Primary"),
        ),
    )
    contact = submission.contacts.get()
    services.contact_link_person(
        actor=social_worker, contact=contact, person=child, expected_version=None
    )
    c = client_for(social_worker)
    url = reverse("people:chronology", args=[child.pk])
    page = c.get(url).content.decode()
    assert "Referral to children&#x27;s social care" in page
    assert "Case closed" in page
    assert "Early help began" in page
    assert submission.reference in page
    assert "arrived hungry" in page

    only_referrals = c.get(url, {"kind": "referral"}).content.decode()
    assert "Case closed" in only_referrals
    assert "Early help began" not in only_referrals
    significant = c.get(url, {"significant": "1"}).content.decode()
    assert "Case closed" in significant and submission.reference not in significant
