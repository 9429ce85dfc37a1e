"""People pages: search, add (checking for existing records first), the person page with its
relationship map, changes to details, names, addresses and relationships, restriction and merge.

Every page showing one person fetches them through `policies.person_for` (404 when the user may
not see them) and every view of a record is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hearth.core import audit
from hearth.core.access import requires
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError
from hearth.core.templatetags.govuk import govuk_date
from hearth.core.views.submit import apply_errors, posted, posted_int, submitted
from hearth.timescales.models import ClockSubject, DeadlineState
from hearth.timescales.selectors import deadlines_for_subject

from . import genogram, selectors, services
from .chronology import chronology_for, registered_sources
from .forms import (
    ADDRESS_FIELDS,
    AddressForm,
    FamilyJoinForm,
    MatchConfirmForm,
    MergeForm,
    NameForm,
    PersonCreateForm,
    PersonEditForm,
    RelationshipEndForm,
    RelationshipForm,
    RestrictionForm,
    UndoMergeForm,
)
from .matching import Candidate, Match, find_matches
from .merging import merge_people, undo_merge
from .models import FamilyGroup, FamilyMembership, Person, Relationship
from .panels import render_panels
from .panels import tabs as person_tabs
from .policies import EDIT, VIEW, person_for, persons_visible_to
from .tags import banner_warnings, tags_for
from .validators import normalise_nhs_number

MANAGE = "core.manage_allocations"
PAGE_SIZE = 25
# Fields the add-a-person form posts that are not the person's details.
_NOT_DETAILS = {"csrfmiddlewaretoken", "step", "none_match", "shown_matches"}


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _results_caption(page: Any) -> str:
    count = page.paginator.count if page is not None else 0
    return f"{count} matching record{'' if count == 1 else 's'}"


def _pk(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


# --- search --------------------------------------------------------------------------------------


@requires(VIEW)
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = None
    if query:
        results = selectors.person_search(viewer=_viewer(request), query=query)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/search.html",
        {
            "q": query,
            "page_obj": page,
            "caption": _results_caption(page),
            "may_add": _viewer(request).has_perm(EDIT),
        },
    )


# --- add a person --------------------------------------------------------------------------------


def _candidate(data: dict[str, Any]) -> Candidate:
    return Candidate(
        forename=data.get("forename") or "",
        surname=data.get("surname") or "",
        date_of_birth=data.get("date_of_birth") or data.get("expected_date_of_birth"),
        nhs_number=normalise_nhs_number(data.get("nhs_number") or ""),
        postcode=data.get("address_postcode") or "",
    )


def _details_checked(form: PersonCreateForm) -> bool:
    """The form's own checks, then the service's date and identifier checks (nothing saved)."""
    if not form.is_valid():
        return False
    try:
        services.clean_person_data(
            {k: v for k, v in form.cleaned_data.items() if k in services.PERSON_FIELDS}
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    return True


@transaction.atomic
def _create(actor: User, data: dict[str, Any]) -> Person:
    """The person and their first address together: a refused address saves neither."""
    address = {ADDRESS_FIELDS[name]: data.pop(name) for name in ADDRESS_FIELDS}
    disabilities = data.pop("disabilities", [])
    person = services.person_create(actor=actor, data=data, disabilities=disabilities)
    if address["line_1"]:
        try:
            services.address_add(
                actor=actor,
                person=person,
                line_1=address["line_1"],
                town=address["town"] or "",
                postcode=address["postcode"],
                start_date=address["start_date"],
            )
        except ValidationError as exc:
            to_form = {service: form for form, service in ADDRESS_FIELDS.items()}
            raise ValidationError(
                {to_form.get(k, k): v for k, v in exc.message_dict.items()}
            ) from None
    return person


def _details_page(request: HttpRequest, form: PersonCreateForm) -> HttpResponse:
    return render(request, "people/person_form.html", {"form": form, "creating": True})


def _matches_page(
    request: HttpRequest,
    matches: list[Match],
    form: MatchConfirmForm | None = None,
    *,
    changed: bool = False,
) -> HttpResponse:
    """The matching records, and the details so far carried in hidden fields."""
    shown = ",".join(str(m.person.pk) for m in matches)
    details = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_DETAILS
        for value in values
    ]
    return render(
        request,
        "people/person_matches.html",
        {
            "form": form or MatchConfirmForm(initial={"shown_matches": shown}),
            "matches": matches,
            "details": details,
            "changed": changed,
        },
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """Details first; when they match existing records, the worker must open one of those or
    say that none of them is this person before a new record is made."""
    viewer = _viewer(request)
    form = PersonCreateForm(posted(request))
    step = request.POST.get("step", "details")
    if request.method != "POST" or step == "change" or not _details_checked(form):
        if step == "change":
            form.errors.clear()  # coming back to change the details is not an error
        return _details_page(request, form)

    matches = find_matches(viewer, _candidate(form.cleaned_data))
    if matches:
        if step != "confirm":
            return _matches_page(request, matches)
        confirm = MatchConfirmForm(request.POST)
        if {m.person.pk for m in matches} - confirm.shown_ids():
            # The details changed (or new records arrived) since the list was shown.
            return _matches_page(request, matches, changed=True)
        if not confirm.is_valid():
            return _matches_page(request, matches, confirm)

    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        person = _create(viewer, data)
    except (ValidationError, ConcurrentEditError) as exc:
        apply_errors(form, exc)
        return _details_page(request, form)
    messages.success(request, f"{person.full_name}’s record has been created ({person.child_id})")
    return redirect("people:detail", pk=person.pk)


# --- the person page -----------------------------------------------------------------------------


def _age_text(person: Person) -> str:
    if person.is_unborn:
        return f"Unborn, due {govuk_date(person.expected_date_of_birth)}"
    if person.date_of_birth is None:
        return "Not known"
    years = selectors.age(person)
    at = "at death" if person.date_of_death else "age"
    return f"{govuk_date(person.date_of_birth)} ({at} {years})"


def _summary_rows(record: selectors.PersonRecord, may_edit: bool) -> list[dict[str, Any]]:
    person = record.person
    change = reverse("people:edit", args=[person.pk]) if may_edit else ""
    upn = person.upn or (
        f"Not known: {person.get_upn_unknown_display()}" if person.upn_unknown else "Not recorded"
    )
    if person.former_upn:
        upn += f"\nFormer UPN {person.former_upn}"
    names = "\n".join(
        f"{n.forename} {n.surname}".strip() + f" ({n.get_kind_display().lower()})"
        for n in record.other_names
    )
    immigration = person.get_immigration_status_display() if person.immigration_status else ""
    if person.is_uasc:
        immigration = ", ".join(x for x in (immigration, "Unaccompanied asylum-seeking child") if x)
    rows = [
        {"key": "Child ID", "value": person.child_id},
        {"key": "Name", "value": person.full_name, "action_url": change},
        {"key": "Other names", "value": names or "None recorded"},
        {
            "key": "Date of birth" if not person.is_unborn else "Expected date of birth",
            "value": _age_text(person),
            "action_url": change,
        },
        {"key": "Sex", "value": person.get_sex_display(), "action_url": change},
        {"key": "Gender identity", "value": person.get_gender_identity_display()},
        {"key": "Ethnicity", "value": person.get_ethnicity_display(), "action_url": change},
        {
            "key": "Disabilities",
            "value": "\n".join(record.disabilities) or "Not recorded",
            "action_url": change,
        },
        {"key": "First language", "value": person.first_language or "Not recorded"},
        {"key": "Religion", "value": person.religion or "Not recorded"},
        {"key": "Nationality", "value": person.nationality or "Not recorded"},
        {"key": "NHS number", "value": person.nhs_number or "Not recorded", "action_url": change},
        {"key": "UPN", "value": upn, "action_url": change},
        {"key": "Immigration status", "value": immigration or "Not applicable"},
    ]
    if person.date_of_death:
        rows.append({"key": "Date of death", "value": govuk_date(person.date_of_death)})
    return rows


def _banner(person: Person) -> dict[str, Any]:
    """The identity banner on every tab: who the child is, who holds the case, what applies."""
    responsible = (
        ClockSubject.objects.filter(subject_type="child", subject_id=person.pk)
        .select_related("worker", "team")
        .first()
    )
    own = [("Restricted", "red")] if person.is_restricted else []
    if person.is_uasc:
        own.append(("UASC", "purple"))
    return {
        "age": _age_text(person),
        "worker": responsible.worker if responsible else None,
        "team": responsible.team if responsible else None,
        "tags": [(t.label, t.colour) for t in tags_for(person)] + own,
        "warnings": banner_warnings(person),
    }


def _due(person: Person) -> list[Any]:
    """The child's open deadlines, overdue and soonest first, with the engine's explanation."""
    open_ones = deadlines_for_subject("child", person.pk).filter(state=DeadlineState.OPEN)
    return sorted(open_ones, key=lambda d: (d.due_on, d.rule_code))


@requires(VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    target = selectors.merged_target(pk)
    if target is not None:
        person_for(viewer, target.pk)  # 404 (and logged) unless they may see where it went
        messages.info(request, "The record you opened was merged into this one")
        return redirect("people:detail", pk=target.pk)
    person = person_for(viewer, pk)
    tabs = person_tabs()
    tab = request.GET.get("tab", "summary")
    if tab not in dict(tabs):
        tab = "summary"
    audit.record_view(
        actor=viewer, obj=person, person_id=person.pk, detail=f"Record: {dict(tabs)[tab]}"
    )
    may_edit = viewer.has_perm(EDIT)
    context: dict[str, Any] = {
        "person": person,
        "banner": _banner(person),
        "tabs": tabs,
        "tab": tab,
        "tab_title": dict(tabs)[tab],
        "may_edit": may_edit,
        "may_manage": viewer.has_perm(MANAGE),
        "named_staff": selectors.named_staff(person) if person.is_restricted else [],
        "panels": render_panels(request, person, tab),
    }
    if tab == "summary":
        context["due"] = _due(person)
    if tab == "details":
        record = selectors.person_record(viewer=viewer, person=person)
        context.update(
            record=record,
            rows=_summary_rows(record, may_edit),
            genogram_svg=genogram.render_svg(record.genogram),
        )
    return render(request, "people/person_detail.html", context)


def _date_param(request: HttpRequest, name: str, errors: dict[str, str]) -> dt.date | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = "Enter a date in the form YYYY-MM-DD, like 2026-03-31"
        return None


@requires(VIEW)
def chronology(request: HttpRequest, pk: int) -> HttpResponse:
    """The child's timeline from every area of the record, filterable; prints as a document."""
    viewer = _viewer(request)
    person = person_for(viewer, pk)
    audit.record_view(actor=viewer, obj=person, person_id=person.pk, detail="Chronology")
    sources = registered_sources()
    known = {s.kind for s in sources}
    kinds = [k for k in request.GET.getlist("kind") if k in known]
    errors: dict[str, str] = {}
    since = _date_param(request, "since", errors)
    until = _date_param(request, "until", errors)
    if since and until and until < since:
        errors["until"] = "The end date must be the same as or after the start date"
    significant = request.GET.get("significant") == "1"
    entries = (
        []
        if errors
        else chronology_for(
            person, viewer, kinds=kinds, since=since, until=until, significant_only=significant
        )
    )
    return render(
        request,
        "people/chronology.html",
        {
            "person": person,
            "entries": entries,
            "sources": sources,
            "labels": {s.kind: s.label for s in sources},
            "chosen": set(kinds),
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "significant": significant,
            "errors": errors,
        },
    )


# --- changes -------------------------------------------------------------------------------------


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, pk, action="edit")
    form = PersonEditForm(posted(request), initial=PersonEditForm.initial_for(person))
    version = posted_int(request, "version")
    saved = submitted(
        request,
        form,
        lambda d: services.person_update(
            actor=viewer,
            person=person,
            data=d,
            disabilities=d.pop("disabilities"),
            expected_version=version,
        ),
    )
    if saved is not None:
        messages.success(request, f"{saved.full_name}’s details have been updated")
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def name_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, pk, action="edit")
    form = NameForm(posted(request))
    if submitted(request, form, lambda d: services.name_add(actor=viewer, person=person, **d)):
        messages.success(request, f"Another name has been added for {person.full_name}")
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/name_form.html", {"form": form, "person": person})


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, pk, action="edit")
    form = AddressForm(posted(request))
    if submitted(request, form, lambda d: services.address_add(actor=viewer, person=person, **d)):
        messages.success(request, f"{person.full_name}’s new address has been added")
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/address_form.html", {"form": form, "person": person})


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the other person (only records the user may see), then say how they are related."""
    viewer = _viewer(request)
    person = person_for(viewer, pk, action="edit")
    other_pk = _pk(request, "other")
    if other_pk is None or other_pk == person.pk:
        query = request.GET.get("q", "").strip()
        page = None
        if query:
            results = selectors.person_search(viewer=viewer, query=query, exclude=person.pk)
            page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "people/relationship_find.html",
            {"person": person, "q": query, "page_obj": page, "caption": _results_caption(page)},
        )
    other = person_for(viewer, other_pk)
    form = RelationshipForm(posted(request), person=person, other=other)
    saved = submitted(
        request,
        form,
        lambda d: services.relationship_add(actor=viewer, from_person=other, to_person=person, **d),
    )
    if saved is not None:
        kind = saved.get_kind_display().lower()
        messages.success(
            request, f"{other.full_name} is now recorded as {kind} of {person.full_name}"
        )
        return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/relationship_form.html",
        {"form": form, "person": person, "other": other},
    )


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def relationship_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a relationship from the person's side; the service ends both rows."""
    viewer = _viewer(request)
    relationship = (
        Relationship.objects.filter(pk=pk, end_date__isnull=True)
        .select_related("from_person", "to_person")
        .first()
    )
    if relationship is None:
        raise Http404
    person = person_for(viewer, relationship.from_person_id, action="edit")
    other_visible = persons_visible_to(viewer).filter(pk=relationship.to_person_id).exists()
    other_name = relationship.to_person.full_name if other_visible else "a restricted record"
    form = RelationshipEndForm(
        posted(request), initial={"version": relationship.version, "end_date": None}
    )
    if submitted(
        request,
        form,
        lambda d: services.relationship_end(
            actor=viewer,
            relationship=relationship,
            end_date=d["end_date"],
            expected_version=posted_int(request, "version"),
        ),
    ):
        messages.success(request, f"The relationship with {other_name} has been ended")
        return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/relationship_end.html",
        {"form": form, "person": person, "relationship": relationship, "other_name": other_name},
    )


# --- restriction ---------------------------------------------------------------------------------


@requires(EDIT)
@require_http_methods(["GET", "POST"])
def family_join(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, pk, action="edit")
    relatives = (
        persons_visible_to(viewer)
        .filter(relationships_to__from_person=person, relationships_to__end_date__isnull=True)
        .distinct()
    )
    families = (
        FamilyGroup.objects.filter(
            memberships__person__in=relatives, memberships__end_date__isnull=True
        )
        .exclude(memberships__person=person, memberships__end_date__isnull=True)
        .distinct()
        .order_by("name")
    )
    form = FamilyJoinForm(posted(request), families=families, relatives=relatives)
    family = submitted(
        request, form, lambda d: services.family_join(actor=viewer, person=person, **d)
    )
    if family is not None:
        messages.success(request, f"{person.full_name} is in {family.name}")
        return redirect(reverse("people:detail", args=[person.pk]) + "#families")
    return render(request, "people/family_form.html", {"form": form, "person": person})


@requires(EDIT)
@require_POST
def family_leave(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    membership = get_object_or_404(
        FamilyMembership.objects.select_related("family"),
        pk=pk,
        person__in=persons_visible_to(viewer),
    )
    try:
        services.family_leave(actor=viewer, membership=membership, end_date=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("people:detail", args=[membership.person_id]) + "#families")


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def restriction(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for(viewer, pk, action="edit")
    staff = selectors.staff_who_may_be_named()
    initial = {
        "version": person.version,
        "restricted": "yes" if person.is_restricted else "no",
        "reason": person.restriction_reason,
        "named_staff": selectors.named_staff(person),
    }
    form = RestrictionForm(posted(request), initial=initial, staff=staff)
    saved = submitted(
        request,
        form,
        lambda d: services.restriction_set(
            actor=viewer,
            person=person,
            restricted=d["restricted"] == "yes",
            reason=d["reason"] or "",
            named_staff=d["named_staff"],
            expected_version=posted_int(request, "version"),
        ),
    )
    if saved is not None:
        messages.success(
            request,
            f"{saved.full_name}’s record is now restricted to named staff"
            if saved.is_restricted
            else f"{saved.full_name}’s record is no longer restricted",
        )
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/restriction_form.html", {"form": form, "person": person})


# --- merge ---------------------------------------------------------------------------------------


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the duplicate (likely matches first, or search), then confirm with a reason.

    The record whose page this is is kept; the duplicate is merged into it.
    """
    viewer = _viewer(request)
    person = person_for(viewer, pk, action="edit")
    duplicate_pk = _pk(request, "duplicate")
    if duplicate_pk is None or duplicate_pk == person.pk:
        query = request.GET.get("q", "").strip()
        results = (
            list(selectors.person_search(viewer=viewer, query=query, exclude=person.pk)[:PAGE_SIZE])
            if query
            else []
        )
        matches = find_matches(viewer, selectors.candidate_for(person), exclude=person.pk)
        return render(
            request,
            "people/merge_choose.html",
            {"person": person, "matches": matches, "q": query, "results": results},
        )
    duplicate = person_for(viewer, duplicate_pk, action="edit")
    form = MergeForm(posted(request))
    done = submitted(
        request,
        form,
        lambda d: merge_people(actor=viewer, kept=person, merged=duplicate, reason=d["reason"]),
    )
    if done is not None:
        messages.success(
            request,
            f"{duplicate.full_name} ({duplicate.child_id}) has been merged into this record",
        )
        return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/merge_confirm.html",
        {
            "form": form,
            "person": person,
            "duplicate": duplicate,
            "compare": _comparison(person, duplicate),
        },
    )


def _comparison(kept: Person, merged: Person) -> list[tuple[str, str, str]]:
    def describe(p: Person) -> dict[str, str]:
        return {
            "Child ID": p.child_id,
            "Name": p.full_name,
            "Date of birth": _age_text(p),
            "Sex": p.get_sex_display(),
            "NHS number": p.nhs_number or "Not recorded",
            "UPN": p.upn or "Not recorded",
            "Postcode": selectors.current_postcode(p) or "Not recorded",
            "Record created": govuk_date(timezone.localtime(p.created_at)),
        }

    a, b = describe(kept), describe(merged)
    return [(key, a[key], b[key]) for key in a]


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    record = selectors.merge_for_undo(pk)
    if record is None:
        raise Http404
    person = person_for(viewer, record.kept_id, action="edit")
    form = UndoMergeForm(posted(request))
    if submitted(request, form, lambda d: undo_merge(actor=viewer, merge=record)) is not None:
        messages.success(
            request,
            f"The merge has been undone: {record.merged.full_name} ({record.merged.child_id}) "
            "has their own record again",
        )
        return redirect("people:detail", pk=person.pk)
    return render(
        request, "people/merge_undo.html", {"form": form, "person": person, "merge": record}
    )
