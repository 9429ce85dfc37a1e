"""The front door's rules: one contact per child, the consent gate, rationales, outcomes, clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.casework.models import ChildInNeedEpisode
from hearth.core.models import AuditEvent, User
from hearth.frontdoor import services
from hearth.frontdoor.models import Contact, ContactStatus, EarlyHelpEpisode
from hearth.people.models import Person
from hearth.people.services import person_create
from hearth.timescales.models import Deadline

pytestmark = pytest.mark.django_db

REASONS = (
    "Police attended a domestic incident; the children were present and frightened; "
    "the mother agrees to support and checks show no previous concerns."
)


@pytest.fixture
def worker(make_user: Callable[..., User]) -> User:
    return make_user("social_worker")


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("team_manager")


@pytest.fixture
def child(worker: User) -> Person:
    return person_create(
        actor=worker,
        data={"forename": "Ava", "surname": "Testchild", "date_of_birth": dt.date(2016, 3, 4)},
    )


def submit(actor: User | None, *children: services.ChildDetails, **kwargs: object) -> Contact:
    new = services.NewContact(
        received_at=kwargs.pop("received_at", timezone.now() - dt.timedelta(hours=2)),  # type: ignore[arg-type]
        source="6",
        concerns="Police attended a domestic incident at the family home overnight.",
        categories=["domestic_abuse"],
        children=list(children),
        referrer=services.Referrer(name="PC Example", organisation="Police"),
    )
    submission = services.contact_submit(actor=actor, new=new)
    return submission.contacts.order_by("id").first()  # type: ignore[return-value]


def screened(contact: Contact, worker: User, rating: str = "amber") -> Contact:
    return services.contact_screen(
        actor=worker,
        contact=contact,
        consent="obtained",
        consent_reason="",
        consent_authorised_by=None,
        rating=rating,
        expected_version=contact.version,
    )


def recommended(contact: Contact, worker: User, outcome: str = "referral") -> Contact:
    return services.contact_recommend(
        actor=worker,
        contact=contact,
        outcome=outcome,
        rationale=REASONS,
        expected_version=contact.version,
    )


def test_a_contact_about_siblings_creates_one_linked_contact_each(worker: User) -> None:
    submission = services.contact_submit(
        actor=worker,
        new=services.NewContact(
            received_at=timezone.now(),
            source="2A",
            concerns="School reports the children arrive hungry and unkempt most days.",
            children=[
                services.ChildDetails(forename="Sam", surname="Testfamily"),
                services.ChildDetails(forename="Kit", surname="Testfamily"),
            ],
        ),
    )
    assert submission.reference.startswith(f"MASH-{timezone.now().year}-")
    contacts = list(submission.contacts.all())
    assert len(contacts) == 2
    assert {c.child_as_given["forename"] for c in contacts} == {"Sam", "Kit"}
    # The referral-decision clock runs from the time each contact was received.
    for contact in contacts:
        assert Deadline.objects.filter(
            subject_type="contact", subject_id=contact.pk, rule_code="referral-decision"
        ).exists()


def test_bad_contact_is_refused_and_saves_nothing(worker: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.contact_submit(
            actor=worker,
            new=services.NewContact(
                received_at=timezone.now() + dt.timedelta(days=1),
                source="99",
                concerns=" ",
                children=[],
            ),
        )
    assert set(refused.value.message_dict) == {"received_at", "source", "concerns", "children"}
    assert not Contact.objects.exists()


def test_the_consent_gate(worker: User, manager: User, child: Person) -> None:
    contact = submit(worker, services.ChildDetails(person=child))
    with pytest.raises(ValidationError) as refused:
        services.contact_screen(
            actor=worker,
            contact=contact,
            consent="",
            consent_reason="",
            consent_authorised_by=None,
            rating="amber",
            expected_version=None,
        )
    assert "consent" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.contact_screen(
            actor=worker,
            contact=contact,
            consent="overridden",
            consent_reason="Telling the parents would put the child at greater risk.",
            consent_authorised_by=worker,  # not a manager
            rating="red",
            expected_version=None,
        )
    assert "Only a manager" in refused.value.message_dict["consent_authorised_by"][0]
    with pytest.raises(ValidationError, match="not sought"):
        services.contact_screen(
            actor=worker,
            contact=contact,
            consent="not_sought",
            consent_reason="",
            consent_authorised_by=None,
            rating="green",
            expected_version=None,
        )
    contact.refresh_from_db()
    assert (contact.consent, contact.rating) == ("", "")
    contact = services.contact_screen(
        actor=worker,
        contact=contact,
        consent="overridden",
        consent_reason="Telling the parents would put the child at greater risk.",
        consent_authorised_by=manager,
        rating="red",
        expected_version=contact.version,
    )
    assert contact.consent_authorised_by == manager
    assert Deadline.objects.filter(
        subject_type="contact", subject_id=contact.pk, rule_code="contact-red"
    ).exists()


def test_an_unlinked_contact_cannot_be_screened(worker: User) -> None:
    contact = submit(worker, services.ChildDetails(forename="Unknown", surname="Child"))
    with pytest.raises(ValidationError) as refused:
        screened(contact, worker)
    assert "person" in refused.value.message_dict


def test_changing_the_rating_moves_the_response_clock(worker: User, child: Person) -> None:
    contact = screened(submit(worker, services.ChildDetails(person=child)), worker, "green")
    screened(contact, worker, "red")
    rules = set(
        Deadline.objects.filter(subject_type="contact", subject_id=contact.pk).values_list(
            "rule_code", flat=True
        )
    )
    assert rules == {"referral-decision", "contact-red"}


@pytest.mark.parametrize("rationale", ["", "   ", "Agreed.", "NFA as per discussion with police"])
def test_a_decision_without_a_written_rationale_is_refused(
    rationale: str, worker: User, manager: User, child: Person
) -> None:
    contact = recommended(
        screened(submit(worker, services.ChildDetails(person=child)), worker), worker
    )
    with pytest.raises(ValidationError) as refused:
        services.contact_decide(
            actor=manager,
            contact=contact,
            outcome="nfa",
            rationale=rationale,
            expected_version=contact.version,
        )
    assert "decision_rationale" in refused.value.message_dict
    contact.refresh_from_db()
    assert contact.decision == "" and contact.status == ContactStatus.AWAITING_DECISION


def test_a_recommendation_needs_a_rationale_too(worker: User, child: Person) -> None:
    contact = screened(submit(worker, services.ChildDetails(person=child)), worker)
    with pytest.raises(ValidationError) as refused:
        services.contact_recommend(
            actor=worker, contact=contact, outcome="nfa", rationale="ok", expected_version=None
        )
    assert "recommendation_rationale" in refused.value.message_dict


def test_only_a_manager_decides(worker: User, child: Person) -> None:
    contact = recommended(
        screened(submit(worker, services.ChildDetails(person=child)), worker), worker
    )
    with pytest.raises(ValidationError, match="Only a manager"):
        services.contact_decide(
            actor=worker, contact=contact, outcome="nfa", rationale=REASONS, expected_version=None
        )


def test_a_referral_opens_a_child_in_need_episode_and_the_assessment_clock(
    worker: User, manager: User, child: Person
) -> None:
    contact = recommended(
        screened(submit(worker, services.ChildDetails(person=child)), worker), worker
    )
    with pytest.raises(ValidationError) as refused:
        services.contact_decide(
            actor=manager, contact=contact, outcome="referral", rationale=REASONS,
            expected_version=contact.version,
        )  # fmt: skip
    assert "primary_need" in refused.value.message_dict
    contact = services.contact_decide(
        actor=manager,
        contact=contact,
        outcome="referral",
        rationale=REASONS,
        primary_need="N1",
        expected_version=contact.version,
    )
    episode = contact.cin_episode
    assert episode is not None
    assert (episode.referral_date, episode.referral_source, episode.primary_need) == (
        contact.received_at.date(),
        "6",
        "N1",
    )
    assert not episode.is_re_referral
    assert Deadline.objects.filter(
        subject_type="child", subject_id=child.pk, rule_code="assessment"
    ).exists()
    # The decision meets the referral-decision clock.
    decision_clock = Deadline.objects.get(
        subject_type="contact", subject_id=contact.pk, rule_code="referral-decision"
    )
    assert decision_clock.state == "met"
    assert AuditEvent.objects.filter(
        person_id=str(child.pk), object_type="casework.childinneedepisode"
    ).exists()


def test_a_second_referral_within_12_months_is_a_re_referral(
    worker: User, manager: User, child: Person
) -> None:
    ChildInNeedEpisode.objects.create(
        person=child,
        referral_date=timezone.localdate() - dt.timedelta(days=200),
        referral_source="2A",
        primary_need="N4",
        closure_date=timezone.localdate() - dt.timedelta(days=100),
        closure_reason="RC8",
    )
    contact = recommended(
        screened(submit(worker, services.ChildDetails(person=child)), worker), worker
    )
    history = services.history_before(child, contact.received_at, exclude=contact.pk)
    assert history.referral_count == 1
    contact = services.contact_decide(
        actor=manager,
        contact=contact,
        outcome="referral",
        rationale=REASONS,
        primary_need="N1",
        expected_version=contact.version,
    )
    assert contact.cin_episode is not None and contact.cin_episode.is_re_referral


def test_a_child_with_an_open_episode_cannot_be_referred_again(
    worker: User, manager: User, child: Person
) -> None:
    ChildInNeedEpisode.objects.create(
        person=child, referral_date=timezone.localdate(), referral_source="6", primary_need="N1"
    )
    contact = recommended(
        screened(submit(worker, services.ChildDetails(person=child)), worker), worker
    )
    with pytest.raises(ValidationError, match="already has an open child in need episode"):
        services.contact_decide(
            actor=manager, contact=contact, outcome="referral", rationale=REASONS,
            primary_need="N1", expected_version=contact.version,
        )  # fmt: skip
    assert ChildInNeedEpisode.objects.filter(person=child).count() == 1


def test_early_help_outcome_opens_an_episode(worker: User, manager: User, child: Person) -> None:
    contact = recommended(
        screened(submit(worker, services.ChildDetails(person=child)), worker), worker, "early_help"
    )
    contact = services.contact_decide(
        actor=manager,
        contact=contact,
        outcome="early_help",
        rationale=REASONS,
        expected_version=contact.version,
    )
    assert contact.early_help_episode is not None
    assert contact.early_help_episode.person == child


def test_stepping_up_from_early_help_creates_a_contact(worker: User, child: Person) -> None:
    episode = services.early_help_open(
        actor=worker,
        person=child,
        start_date=timezone.localdate() - dt.timedelta(days=60),
        reason="Family support after school attendance concerns.",
        organisation="Family Hub",
    )
    with pytest.raises(ValidationError) as refused:
        services.early_help_close(
            actor=worker, episode=episode, end_date=timezone.localdate(), outcome="stepped_up",
            expected_version=episode.version,
        )  # fmt: skip
    assert "step_up_concerns" in refused.value.message_dict
    services.early_help_close(
        actor=worker,
        episode=episode,
        end_date=timezone.localdate(),
        outcome="stepped_up",
        step_up_concerns="Neglect has worsened despite support; bruising seen at school.",
        expected_version=episode.version,
    )
    contact = Contact.objects.get(person=child)
    assert contact.source == "5D" and contact.status == ContactStatus.AWAITING_SCREENING


def test_early_help_dates_must_be_in_order(worker: User, child: Person) -> None:
    episode = services.early_help_open(
        actor=worker,
        person=child,
        start_date=timezone.localdate() - dt.timedelta(days=30),
        reason="Parenting support.",
    )
    with pytest.raises(ValidationError) as refused:
        services.early_help_update(
            actor=worker,
            episode=episode,
            data={
                "assessment_start": timezone.localdate() - dt.timedelta(days=10),
                "assessment_completed": timezone.localdate() - dt.timedelta(days=20),
                "organisation": "Family Hub",
            },
            expected_version=episode.version,
        )
    assert "assessment_completed" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.early_help_update(
            actor=worker,
            episode=episode,
            data={"assessment_start": timezone.localdate() - dt.timedelta(days=40)},
            expected_version=episode.version,
        )
    assert "assessment_start" in refused.value.message_dict
    episode.refresh_from_db()
    assert episode.assessment_start is None
    assert EarlyHelpEpisode.objects.count() == 1
