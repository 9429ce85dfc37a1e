"""Escalation pages: an allow and a deny for each, partners' limits, the child's page panel and
chronology, and the lazy rise when a page shows an overdue escalation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.core.models import AuditEvent, User
from hearth.core.tests.factories import TeamFactory
from hearth.escalations import services
from hearth.escalations.models import Acceptance, Escalation, Stage, Status
from hearth.frontdoor import services as frontdoor
from hearth.frontdoor.models import Contact
from hearth.people.services import restriction_set
from hearth.people.tests.factories import make_child, open_cin_episode

from .conftest import ANSWER, CONCERN, DISPUTE, OUTCOME, Council, allocate

pytestmark = pytest.mark.django_db
Client = Callable[[User], Any]
Raise = Callable[..., Escalation]


def detail_url(escalation: Escalation) -> str:
    return reverse("escalations:detail", args=[escalation.pk])


@pytest.fixture
def partner(make_user: Callable[..., User]) -> User:
    return make_user("partner_agency", first_name="Pat", last_name="Police")


@pytest.fixture
def referral(partner: User, council: Council) -> Contact:
    """The partner's contact about the council's child, linked to the record."""
    submission = frontdoor.contact_submit(
        actor=partner,
        new=frontdoor.NewContact(
            received_at=timezone.now() - dt.timedelta(days=40),
            source="6",
            concerns="Police attended the home after neighbours reported shouting overnight.",
            children=[frontdoor.ChildDetails(forename="Ava", surname="Givenname")],
            channel="partner",
        ),
    )
    contact = submission.contacts.get()
    contact.person = council.child
    contact.save()
    return contact


def restrict(council: Council) -> None:
    restriction_set(
        actor=council.team_manager,
        person=council.child,
        restricted=True,
        reason="A member of staff's relative.",
        named_staff=[],
        expected_version=council.child.version,
    )


# --- my escalations ------------------------------------------------------------------------------


def test_awaiting_lists_what_the_owner_must_answer(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    page = client_for(council.team_manager).get(reverse("escalations:awaiting"))
    assert page.status_code == 200
    assert escalation.reference in page.content.decode()
    assert [e.pk for e in page.context["awaiting"]] == [escalation.pk]


def test_awaiting_shows_nobody_else_anything(
    council: Council, raise_one: Raise, client_for: Client, make_user: Callable[..., User]
) -> None:
    escalation = raise_one()
    page = client_for(make_user("team_manager")).get(reverse("escalations:awaiting"))
    assert page.status_code == 200
    assert escalation.reference not in page.content.decode()


def test_the_raiser_sees_what_they_raised(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    page = client_for(council.iro).get(reverse("escalations:awaiting"))
    assert escalation.reference in page.content.decode()
    assert page.context["awaiting"] == []


# --- open escalations for managers ---------------------------------------------------------------


def test_open_list_for_a_manager_with_team_and_service_filters(
    council: Council,
    raise_one: Raise,
    client_for: Client,
    make_user: Callable[..., User],
) -> None:
    escalation = raise_one()
    other_team = TeamFactory(manager=make_user("team_manager"))
    client = client_for(council.service_manager)
    page = client.get(reverse("escalations:open"))
    assert page.status_code == 200
    assert escalation.reference in page.content.decode()
    counts = {row.team.pk: (row.open, row.overdue) for row in page.context["board"].teams}
    assert counts[council.team.pk] == (1, 0)
    page = client.get(reverse("escalations:open"), {"team": other_team.pk})
    assert escalation.reference not in page.content.decode()
    page = client.get(reverse("escalations:open"), {"team": council.team.pk})
    assert escalation.reference in page.content.decode()
    page = client.get(reverse("escalations:open"), {"service": "fostering"})
    assert escalation.reference not in page.content.decode()
    page = client.get(reverse("escalations:open"), {"team": "all", "overdue": "1"})
    assert escalation.reference not in page.content.decode()  # not overdue yet


@pytest.mark.parametrize("role", ["social_worker", "iro", "partner_agency"])
def test_open_list_is_refused_to_those_who_do_not_manage(
    role: str, make_user: Callable[..., User], client_for: Client
) -> None:
    assert client_for(make_user(role)).get(reverse("escalations:open")).status_code == 403


# --- one escalation ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["team_manager", "iro", "social_worker", "director"])
def test_staff_who_may_see_the_child_see_the_escalation(
    who: str, council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    page = client_for(getattr(council, who)).get(detail_url(escalation))
    assert page.status_code == 200
    assert CONCERN in page.content.decode()
    assert AuditEvent.objects.filter(
        action="view", object_id=str(escalation.pk), person_id=str(council.child.pk)
    ).exists()


def test_a_restricted_childs_escalation_is_not_found_and_the_attempt_logged(
    council: Council, raise_one: Raise, client_for: Client, make_user: Callable[..., User]
) -> None:
    escalation = raise_one()
    restrict(council)
    other = make_user("team_manager")
    assert client_for(other).get(detail_url(escalation)).status_code == 404
    assert AuditEvent.objects.filter(
        action="access_denied", actor=other, person_id=str(council.child.pk)
    ).exists()


@pytest.mark.parametrize("role", ["performance_analyst", "partner_agency", "system_administrator"])
def test_those_who_may_not_see_case_records_get_not_found(
    role: str, raise_one: Raise, client_for: Client, make_user: Callable[..., User]
) -> None:
    escalation = raise_one()
    assert client_for(make_user(role)).get(detail_url(escalation)).status_code == 404


def test_opening_an_overdue_escalation_moves_it_up_first(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one(at=timezone.now() - dt.timedelta(days=14))
    page = client_for(council.iro).get(detail_url(escalation))
    assert page.status_code == 200
    escalation.refresh_from_db()
    assert escalation.stage == Stage.SERVICE_MANAGER
    assert "because the stage below was not answered in time" in page.content.decode()


# --- raising from the child's page ---------------------------------------------------------------


def test_the_childs_page_offers_raising_to_someone_with_a_role(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    page = client_for(council.chair).get(
        reverse("people:detail", args=[council.child.pk]) + "?tab=oversight"
    )
    html = page.content.decode()
    assert escalation.reference in html
    assert reverse("escalations:raise", args=[council.child.pk]) in html


def test_the_childs_page_does_not_offer_it_to_others(
    council: Council, raise_one: Raise, client_for: Client, make_user: Callable[..., User]
) -> None:
    escalation = raise_one()
    page = client_for(make_user("social_worker")).get(
        reverse("people:detail", args=[council.child.pk]) + "?tab=oversight"
    )
    html = page.content.decode()
    assert escalation.reference in html  # they may see the child, so the escalation
    assert reverse("escalations:raise", args=[council.child.pk]) not in html


def test_raising_from_the_childs_page(council: Council, client_for: Client) -> None:
    client = client_for(council.chair)
    url = reverse("escalations:raise", args=[council.child.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"concern": CONCERN, "outcome_sought": OUTCOME})
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(escalation)
    assert escalation.raised_by == council.chair and escalation.owner == council.team_manager


def test_raising_with_a_missing_outcome_shows_the_error(
    council: Council, client_for: Client
) -> None:
    url = reverse("escalations:raise", args=[council.child.pk])
    page = client_for(council.chair).post(url, {"concern": CONCERN, "outcome_sought": ""})
    assert page.status_code == 400
    assert "Enter what outcome are you seeking" in page.content.decode()
    assert not Escalation.objects.exists()


def test_raising_is_refused_without_a_role_and_not_found_for_a_restricted_child(
    council: Council, client_for: Client, make_user: Callable[..., User]
) -> None:
    url = reverse("escalations:raise", args=[council.child.pk])
    assert client_for(make_user("social_worker")).get(url).status_code == 403
    assert client_for(make_user("partner_agency")).get(url).status_code == 403
    restrict(council)
    assert client_for(make_user("social_worker")).get(url).status_code == 404


# --- partners ------------------------------------------------------------------------------------


def test_a_partner_raises_about_a_child_they_referred(
    council: Council, partner: User, referral: Contact, client_for: Client
) -> None:
    client = client_for(partner)
    url = reverse("escalations:partner-raise")
    form = client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    assert "Ava Givenname" in html and referral.submission.reference in html
    assert council.child.full_name not in html  # the name on the record is not theirs to see
    response = client.post(
        url, {"contact": referral.pk, "concern": CONCERN, "outcome_sought": OUTCOME}
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302
    assert escalation.contact == referral and escalation.raiser_role == "partner_agency"
    page = client.get(detail_url(escalation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ava Givenname" in html
    assert council.child.child_id not in html
    assert reverse("people:detail", args=[council.child.pk]) not in html


def test_a_partner_cannot_choose_another_partners_referral(
    council: Council, partner: User, referral: Contact, client_for: Client, make_user: Any
) -> None:
    other = make_user("partner_agency")
    page = client_for(other).post(
        reverse("escalations:partner-raise"),
        {"contact": referral.pk, "concern": CONCERN, "outcome_sought": OUTCOME},
    )
    assert page.status_code == 400
    assert not Escalation.objects.exists()


def test_the_partner_form_is_for_partners(council: Council, client_for: Client) -> None:
    assert client_for(council.iro).get(reverse("escalations:partner-raise")).status_code == 403


def test_a_partner_sees_only_their_own_and_never_the_childs_page(
    council: Council,
    partner: User,
    referral: Contact,
    raise_one: Raise,
    client_for: Client,
) -> None:
    mine = raise_one(actor=partner)
    theirs = raise_one()
    client = client_for(partner)
    page = client.get(reverse("escalations:awaiting"))
    html = page.content.decode()
    assert mine.reference in html and theirs.reference not in html
    assert client.get(detail_url(mine)).status_code == 200
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get(reverse("people:detail", args=[council.child.pk])).status_code in (403, 404)


# --- acting on it ------------------------------------------------------------------------------


def test_the_owner_answers_from_the_page(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    client = client_for(council.team_manager)
    page = client.get(detail_url(escalation))
    assert reverse("escalations:respond", args=[escalation.pk]) in page.content.decode()
    response = client.post(
        reverse("escalations:respond", args=[escalation.pk]),
        {"response": ANSWER, "version": escalation.version},
    )
    assert response.status_code == 302
    assert escalation.stages.get().response == ANSWER


def test_a_short_or_stale_answer_is_shown_as_an_error(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    client = client_for(council.team_manager)
    url = reverse("escalations:respond", args=[escalation.pk])
    page = client.post(url, {"response": "Noted.", "version": escalation.version})
    assert page.status_code == 400
    assert "at least 10 words" in page.content.decode()
    page = client.post(url, {"response": ANSWER, "version": escalation.version + 5})
    assert page.status_code == 400
    assert "Someone else changed this record" in page.content.decode()
    assert escalation.stages.get().responded_at is None


@pytest.mark.parametrize("who", ["iro", "service_manager"])
def test_only_the_owner_may_answer_or_resolve(
    who: str, council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    client = client_for(getattr(council, who))
    for name, field in (("respond", "response"), ("resolve", "resolution")):
        response = client.post(
            reverse(f"escalations:{name}", args=[escalation.pk]),
            {field: ANSWER, "version": escalation.version},
        )
        assert response.status_code == 403
    assert escalation.stages.get().responded_at is None


def test_acting_on_an_escalation_one_may_not_see_is_not_found(
    council: Council, raise_one: Raise, client_for: Client, make_user: Callable[..., User]
) -> None:
    escalation = raise_one()
    response = client_for(make_user("partner_agency")).post(
        reverse("escalations:accept", args=[escalation.pk]), {"version": escalation.version}
    )
    assert response.status_code == 404


def test_the_owner_resolves_and_the_raiser_accepts(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    client = client_for(council.team_manager)
    client.post(
        reverse("escalations:resolve", args=[escalation.pk]),
        {"resolution": ANSWER, "version": escalation.version},
    )
    escalation.refresh_from_db()
    assert escalation.status == Status.RESOLVED
    assert (
        client.post(
            reverse("escalations:accept", args=[escalation.pk]), {"version": escalation.version}
        ).status_code
        == 403
    )
    client = client_for(council.iro)
    page = client.get(detail_url(escalation))
    assert reverse("escalations:accept", args=[escalation.pk]) in page.content.decode()
    response = client.post(
        reverse("escalations:accept", args=[escalation.pk]),
        {"version": escalation.version, "comment": "Agreed."},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.raiser_accepted == Acceptance.YES


def test_the_raiser_disputes_and_asks_for_the_next_stage(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    escalation = services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    assert (
        client_for(council.team_manager)
        .post(
            reverse("escalations:dispute", args=[escalation.pk]),
            {"comment": DISPUTE, "rise": "yes", "version": escalation.version},
        )
        .status_code
        == 403
    )
    response = client_for(council.iro).post(
        reverse("escalations:dispute", args=[escalation.pk]),
        {"comment": DISPUTE, "rise": "yes", "version": escalation.version},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.stage == Stage.SERVICE_MANAGER


def test_the_raiser_withdraws_and_nobody_else_may(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    url = reverse("escalations:withdraw", args=[escalation.pk])
    data = {"reason": "Agreed with the manager by phone.", "version": escalation.version}
    assert client_for(council.team_manager).post(url, data).status_code == 403
    assert client_for(council.iro).post(url, data).status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Status.WITHDRAWN


# --- the chronology ------------------------------------------------------------------------------


def test_raising_and_resolution_are_significant_in_the_chronology(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    escalation = raise_one()
    services.escalations_rise_overdue(now=timezone.now() + dt.timedelta(days=10))
    escalation.refresh_from_db()
    services.escalation_resolve(
        actor=council.service_manager,
        escalation=escalation,
        resolution=ANSWER,
        expected_version=None,
        at=timezone.now() + dt.timedelta(days=11),
    )
    page = client_for(council.team_manager).get(
        reverse("people:chronology", args=[council.child.pk]),
        {"kind": "escalations", "significant": "1"},
    )
    titles = [e.title for e in page.context["entries"]]
    assert any("raised by Iris Reviewer" in t for t in titles)
    assert any(t == f"Escalation {escalation.reference} resolved" for t in titles)
    assert not any("went to" in t for t in titles)  # not significant
    page = client_for(council.team_manager).get(
        reverse("people:chronology", args=[council.child.pk]), {"kind": "escalations"}
    )
    titles = [e.title for e in page.context["entries"]]
    assert any("went to Sam Service, service manager" in t for t in titles)


def test_an_escalation_entered_in_error_is_not_in_the_chronology(
    council: Council, raise_one: Raise, make_user: Callable[..., User]
) -> None:
    from hearth.people.chronology import chronology_for

    escalation = raise_one()
    services.escalation_withdraw(
        actor=council.iro,
        escalation=escalation,
        reason="Wrong child.",
        entered_in_error=True,
        expected_version=None,
    )
    assert chronology_for(council.child, council.team_manager, kinds=["escalations"]) == []


def test_panel_queries_are_bounded(
    council: Council,
    raise_one: Raise,
    client_for: Client,
    django_assert_max_num_queries: Any,
    make_user: Callable[..., User],
) -> None:
    from django.test import RequestFactory

    from hearth.escalations.person_panels import escalations_panel

    for _ in range(3):
        raise_one()
    child = make_child()
    open_cin_episode(child, referral_team=council.team)
    allocate(child, council.iro, "iro")
    request = RequestFactory().get("/")
    request.user = council.iro
    with django_assert_max_num_queries(6):
        html = escalations_panel(request, council.child)
    assert html.count("ESC-") == 3


def test_the_escalation_page_works_without_javascript_and_ids_are_unique(
    council: Council, raise_one: Raise, client_for: Client
) -> None:
    import re

    escalation = raise_one()
    services.escalation_respond(
        actor=council.team_manager, escalation=escalation, response=ANSWER, expected_version=None
    )
    html = client_for(council.iro).get(detail_url(escalation)).content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # Plain forms posting to their own addresses: nothing needs a script.
    for name in ("accept", "dispute", "withdraw"):
        assert f'action="{reverse(f"escalations:{name}", args=[escalation.pk])}"' in html
    page = client_for(council.iro).post(
        reverse("escalations:dispute", args=[escalation.pk]),
        {"comment": "No.", "rise": "yes", "version": escalation.version + 1},
    )
    assert page.status_code == 400
    assert 'href="#dispute-comment"' in page.content.decode()  # the summary links to the field
