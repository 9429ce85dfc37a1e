"""The MASH queue, a contact's screening-to-decision page, partner and public contact forms, and
early help episodes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.access import public, requires
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError
from hearth.core.views.submit import posted, posted_int, submitted
from hearth.people.matching import Candidate, find_matches
from hearth.people.policies import person_for
from hearth.people.services import person_create
from hearth.timescales.selectors import working_calendar

from . import policies, selectors, services
from .forms import (
    CheckReturnForm,
    ChecksForm,
    ContactForm,
    DecideForm,
    EarlyHelpAssessmentForm,
    EarlyHelpCloseForm,
    EarlyHelpForm,
    PublicContactForm,
    RecommendForm,
    ScreenForm,
    StepDownForm,
)
from .models import Channel, Contact, ContactStatus, Rating


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- queues -----------------------------------------------------------------------------------


@requires(policies.VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    f = selectors.QueueFilter(
        status=request.GET.get("status", "")
        if request.GET.get("status") in ContactStatus.values
        else "",
        rating=request.GET.get("rating", "") if request.GET.get("rating") in Rating.values else "",
        sort=request.GET.get("sort", "oldest")
        if request.GET.get("sort") in selectors.SORTS
        else "oldest",
    )
    return _queue_page(request, f, "MASH queue", "frontdoor/queue.html")


@requires(policies.DECIDE)
def decisions(request: HttpRequest) -> HttpResponse:
    f = selectors.QueueFilter(status=ContactStatus.AWAITING_DECISION, sort="due")
    return _queue_page(request, f, "Decisions awaiting you", "frontdoor/queue.html")


def _queue_page(
    request: HttpRequest, f: selectors.QueueFilter, heading: str, template: str
) -> HttpResponse:
    viewer = _viewer(request)
    page = Paginator(selectors.mash_queue(viewer, f), 50).get_page(request.GET.get("page"))
    now, calendar = timezone.now(), working_calendar()  # one calendar for every row
    rows = [(contact, selectors.age_of(contact, now, calendar)) for contact in page]
    return render(
        request,
        template,
        {
            "heading": heading,
            "page_obj": page,
            "rows": rows,
            "filter": f,
            "counts": selectors.queue_counts(viewer),
            "statuses": [s for s in ContactStatus if s != ContactStatus.DECIDED],
            "ratings": Rating,
            "today": timezone.localdate(),
            "is_decisions": f.status == ContactStatus.AWAITING_DECISION and heading != "MASH queue",
        },
    )


# --- recording a contact --------------------------------------------------------------------


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    form = ContactForm(posted(request))
    submission = submitted(
        request,
        form,
        lambda d: services.contact_submit(
            actor=_viewer(request), new=form.to_new_contact(Channel.STAFF)
        ),
    )
    if submission is not None:
        messages.success(request, f"Contact {submission.reference} recorded")
        first = submission.contacts.order_by("id").first()
        return redirect("frontdoor:contact", pk=first.pk) if first else redirect("frontdoor:queue")
    return render(request, "frontdoor/contact_form.html", {"form": form, "partner": False})


@requires(policies.PARTNER)
@require_http_methods(["GET", "POST"])
def partner_contact(request: HttpRequest) -> HttpResponse:
    """Police, health, schools: tell the front door about a child; get a reference."""
    form = ContactForm(posted(request), with_received=False)
    submission = submitted(
        request,
        form,
        lambda d: services.contact_submit(
            actor=_viewer(request), new=form.to_new_contact(Channel.PARTNER)
        ),
    )
    if submission is not None:
        request.session["contact_reference"] = submission.reference
        return redirect("frontdoor:contact-sent")
    return render(request, "frontdoor/contact_form.html", {"form": form, "partner": True})


@public("members of the public and professionals without an account may report a concern")
@ratelimit(key="ip", rate="5/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def public_contact(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return render(request, "frontdoor/public_limited.html", status=429)
    form = PublicContactForm(posted(request))
    submission = submitted(
        request,
        form,
        lambda d: services.contact_submit(actor=None, new=form.to_new_contact(Channel.PUBLIC_FORM)),
    )
    if submission is not None:
        request.session["contact_reference"] = submission.reference
        return redirect("frontdoor:contact-sent")
    return render(request, "frontdoor/contact_form.html", {"form": form, "public": True})


@public("the confirmation shows only the reference kept in the sender's own session")
def contact_sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get("contact_reference")
    if not reference:
        raise Http404
    return render(request, "frontdoor/contact_sent.html", {"reference": reference})


# --- a contact, from screening to decision --------------------------------------------------


def _detail(request: HttpRequest, contact: Contact, **bound: Form) -> HttpResponse:
    viewer = _viewer(request)
    audit.record_view(actor=viewer, obj=contact, person_id=contact.person_id)
    version = {"version": contact.version}
    history = (
        services.history_before(contact.person, contact.received_at, exclude=contact.pk)
        if contact.person
        else None
    )
    matches = []
    if contact.person is None:
        given = contact.child_as_given or {}
        dob = given.get("date_of_birth") or None
        matches = find_matches(
            viewer,
            Candidate(
                forename=given.get("forename", ""),
                surname=given.get("surname", ""),
                date_of_birth=dt.date.fromisoformat(dob) if dob else None,
            ),
            limit=5,
        )
    forms: dict[str, Any] = {
        "screen_form": ScreenForm(
            initial={
                **version,
                "consent": contact.consent,
                "consent_reason": contact.consent_reason,
                "rating": contact.rating,
                "consent_authorised_by": contact.consent_authorised_by_id,
            }
        ),
        "checks_form": ChecksForm(),
        "recommend_form": RecommendForm(
            initial={
                **version,
                "recommendation": contact.recommendation,
                "recommendation_rationale": contact.recommendation_rationale,
            }
        ),
        "decide_form": DecideForm(initial={**version, "decision": contact.recommendation}),
    }
    forms.update(bound)
    siblings = contact.submission.contacts.exclude(pk=contact.pk).select_related("person")
    return render(
        request,
        "frontdoor/contact_detail.html",
        {
            "contact": contact,
            "submission": contact.submission,
            "siblings": siblings,
            "checks": contact.checks.select_related("requested_by"),
            "history": history,
            "matches": matches,
            "age": selectors.age_of(contact),
            "deadlines": selectors.with_queue_fields(Contact.objects.filter(pk=contact.pk)).first(),
            "may_screen": viewer.has_perm(policies.EDIT) and not contact.decision,
            "may_decide": viewer.has_perm(policies.DECIDE) and not contact.decision,
            "has_errors": any(getattr(f, "errors", None) for f in bound.values()),
            **forms,
        },
        status=400 if bound else 200,
    )


@requires(policies.VIEW)
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, policies.contact_for(_viewer(request), pk))


@requires(policies.EDIT)
@require_POST
def contact_link(request: HttpRequest, pk: int) -> HttpResponse:
    contact = policies.contact_for(_viewer(request), pk, "screen")
    person_id = request.POST.get("person", "")
    if not person_id.isdigit():
        raise Http404
    person = person_for(_viewer(request), int(person_id))
    try:
        services.contact_link_person(
            actor=_viewer(request),
            contact=contact,
            person=person,
            expected_version=posted_int(request, "version"),
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("frontdoor:contact", pk=contact.pk)
    messages.success(request, f"Linked to {person.full_name}")
    return redirect("frontdoor:contact", pk=contact.pk)


@requires(policies.EDIT)
@require_POST
def contact_new_person(request: HttpRequest, pk: int) -> HttpResponse:
    """None of the offered records is this child: record them from the details given, and link.

    No double entry: the referrer's details become the person's record.
    """
    contact = policies.contact_for(_viewer(request), pk, "screen")
    if contact.person_id is not None:
        raise Http404
    given = contact.child_as_given or {}
    dob = given.get("date_of_birth") or None
    try:
        person = person_create(
            actor=_viewer(request),
            data={
                "forename": given.get("forename", ""),
                "surname": given.get("surname", "") or "Not known",
                "date_of_birth": dt.date.fromisoformat(dob) if dob else None,
            },
        )
        services.contact_link_person(
            actor=_viewer(request),
            contact=contact,
            person=person,
            expected_version=posted_int(request, "version"),
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("frontdoor:contact", pk=contact.pk)
    messages.success(request, f"Recorded {person.full_name} (child ID {person.child_id})")
    return redirect("frontdoor:contact", pk=contact.pk)


def _step(
    request: HttpRequest, pk: int, action: str, form_class: type[Form], name: str, save: Any
) -> HttpResponse:
    contact = policies.contact_for(_viewer(request), pk, action)
    form = form_class(posted(request))
    if submitted(request, form, lambda d: save(contact, d)) is not None:
        return redirect(reverse("frontdoor:contact", args=[contact.pk]) + f"#{name}")
    return _detail(request, contact, **{f"{name}_form": form})


@requires(policies.EDIT)
@require_POST
def contact_screen(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "screen",
        ScreenForm,
        "screen",
        lambda contact, d: services.contact_screen(
            actor=_viewer(request),
            contact=contact,
            consent=d["consent"],
            consent_reason=d.get("consent_reason", ""),
            consent_authorised_by=d.get("consent_authorised_by"),
            rating=d["rating"],
            expected_version=posted_int(request, "version"),
        ),
    )


@requires(policies.EDIT)
@require_POST
def contact_checks(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "screen",
        ChecksForm,
        "checks",
        lambda contact, d: services.checks_request(
            actor=_viewer(request), contact=contact, agencies=d["agencies"]
        ),
    )


@requires(policies.EDIT)
@require_POST
def check_return(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    contact = policies.contact_for(_viewer(request), pk, "screen")
    check = policies.check_for(_viewer(request), contact, check_pk)
    form = CheckReturnForm(posted(request))
    saved = submitted(
        request,
        form,
        lambda d: services.check_return(
            actor=_viewer(request),
            check=check,
            summary=d["summary"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        return redirect(reverse("frontdoor:contact", args=[contact.pk]) + "#checks")
    return _detail(request, contact, return_form=form, return_check=check)  # type: ignore[arg-type]


@requires(policies.EDIT)
@require_POST
def contact_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "screen",
        RecommendForm,
        "recommend",
        lambda contact, d: services.contact_recommend(
            actor=_viewer(request),
            contact=contact,
            outcome=d["recommendation"],
            rationale=d["recommendation_rationale"],
            expected_version=posted_int(request, "version"),
        ),
    )


@requires(policies.DECIDE)
@require_POST
def contact_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "decide",
        DecideForm,
        "decide",
        lambda contact, d: services.contact_decide(
            actor=_viewer(request),
            contact=contact,
            outcome=d["decision"],
            rationale=d["decision_rationale"],
            primary_need=d.get("primary_need", ""),
            expected_version=posted_int(request, "version"),
        ),
    )


# --- early help -------------------------------------------------------------------------------


@requires(policies.VIEW)
def early_help_list(request: HttpRequest) -> HttpResponse:
    episodes = (
        policies.early_help_visible_to(_viewer(request))
        .filter(end_date__isnull=True)
        .select_related("person")
        .order_by("start_date", "id")
    )
    page = Paginator(episodes, 50).get_page(request.GET.get("page"))
    return render(request, "frontdoor/early_help_list.html", {"page_obj": page})


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def early_help_new(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = person_for(_viewer(request), person_pk, "edit")
    form = EarlyHelpForm(posted(request), initial={"start_date": timezone.localdate()})
    episode = submitted(
        request,
        form,
        lambda d: services.early_help_open(actor=_viewer(request), person=person, **d),
    )
    if episode is not None:
        messages.success(request, "Early help episode opened")
        return redirect("frontdoor:early-help", pk=episode.pk)
    return render(request, "frontdoor/early_help_form.html", {"form": form, "person": person})


@requires(policies.VIEW)
@require_http_methods(["GET", "POST"])
def early_help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    episode = policies.early_help_for(viewer, pk)
    audit.record_view(actor=viewer, obj=episode, person_id=episode.person_id)
    version = {"version": episode.version}
    assessment_form = EarlyHelpAssessmentForm(
        request.POST if request.POST.get("form") == "assessment" else None,
        initial={
            **version,
            "assessment_start": episode.assessment_start,
            "assessment_completed": episode.assessment_completed,
            "organisation": episode.organisation,
            "lead_professional": episode.lead_professional,
        },
    )
    close_form = EarlyHelpCloseForm(
        request.POST if request.POST.get("form") == "close" else None, initial=version
    )
    if request.method == "POST":
        episode = policies.early_help_for(viewer, pk, "edit")
        if episode.end_date is not None:
            raise Http404
        form = assessment_form if request.POST.get("form") == "assessment" else close_form
        if form is assessment_form:
            saved = submitted(
                request,
                form,
                lambda d: services.early_help_update(
                    actor=viewer,
                    episode=episode,
                    data=d,
                    expected_version=posted_int(request, "version"),
                ),
            )
        else:
            saved = submitted(
                request,
                form,
                lambda d: services.early_help_close(
                    actor=viewer,
                    episode=episode,
                    end_date=d["end_date"],
                    outcome=d["outcome"],
                    step_up_concerns=d.get("step_up_concerns", ""),
                    expected_version=posted_int(request, "version"),
                ),
            )
        if saved is not None:
            messages.success(request, "Early help episode saved")
            return redirect("frontdoor:early-help", pk=episode.pk)
    return render(
        request,
        "frontdoor/early_help_detail.html",
        {
            "episode": episode,
            "assessment_form": assessment_form,
            "close_form": close_form,
            "may_edit": viewer.has_perm(policies.EDIT) and episode.end_date is None,
        },
        status=400 if request.method == "POST" else 200,
    )


@requires(policies.EDIT)
@require_http_methods(["GET", "POST"])
def step_down(request: HttpRequest, episode_pk: int) -> HttpResponse:
    """Close a child-in-need episode to early help (the episode's person is checked by policy)."""
    viewer = _viewer(request)
    episode = get_object_or_404(
        ChildInNeedEpisode.objects.select_related("person"),
        pk=episode_pk,
        closure_date__isnull=True,
    )
    person_for(viewer, episode.person_id, "edit")
    form = StepDownForm(
        posted(request), initial={"version": episode.version, "on": timezone.localdate()}
    )
    early_help = submitted(
        request,
        form,
        lambda d: services.step_down_to_early_help(
            actor=viewer,
            episode=episode,
            on=d["on"],
            reason=d["reason"],
            organisation=d.get("organisation", ""),
            expected_version=posted_int(request, "version"),
        ),
    )
    if early_help is not None:
        messages.success(request, "Stepped down: the early help episode is open")
        return redirect("frontdoor:early-help", pk=early_help.pk)
    return render(request, "frontdoor/step_down.html", {"form": form, "episode": episode})
