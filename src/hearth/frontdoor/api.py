"""Contacts for systems: a partner agency's system sends a contact to the front door, then follows
what became of it.

Who sees which contact: case-record staff see every contact, except one about a restricted child
whose record they may not open (404, and the attempt is logged). A partner agency user sees only
the contacts they sent themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.casework.codes import ReferralSource
from hearth.core import audit
from hearth.core.api.common import MethodPermissions, ServiceErrorsMixin, error_responses
from hearth.core.choices import AuditAction
from hearth.core.models import User
from hearth.people import policies as people_policies

from . import policies, services
from .models import Channel, ConcernCategory, Contact, ContactStatus, Outcome, Rating

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
SUBMIT = "core.submit_partner_contacts"


# --- who sees which contact ----------------------------------------------------------------------


def is_partner(user: User) -> bool:
    """A partner agency user: sends contacts, does not record casework."""
    return user.has_perm(SUBMIT) and not user.has_perm(EDIT)


def contacts_for_api(user: User) -> QuerySet[Contact]:
    """`policies.contacts_visible_to`, and for a partner agency user only what they sent (even
    when they have been given `core.view_case_records`)."""
    contacts = policies.contacts_visible_to(user)
    if is_partner(user):
        contacts = contacts.filter(submission__submitted_by=user)
    return contacts.select_related("submission")


def contact_for(user: User, pk: int) -> Contact:
    """The contact if the user may see it, else 404; refusals on a restricted child are logged
    with the child's id, as `people.policies.person_for` does."""
    contact = contacts_for_api(user).filter(pk=pk).first()
    if contact is None:
        person_id = (
            Contact.objects.filter(pk=pk, person__is_restricted=True)
            .values_list("person_id", flat=True)
            .first()
        )
        if person_id is not None:
            audit.record(
                actor=user,
                action=AuditAction.ACCESS_DENIED,
                object_type="frontdoor.contact",
                object_id=str(pk),
                person_id=person_id,
                detail="Contact about a restricted record: not one of the named staff",
            )
        raise Http404("No such contact")
    return contact


# --- serializers ---------------------------------------------------------------------------------


class ChildGivenSerializer(serializers.Serializer[Any]):
    """The child as the referrer described them."""

    forename = serializers.CharField(read_only=True)
    surname = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    address = serializers.CharField(read_only=True)


class ContactSerializer(serializers.ModelSerializer[Contact]):
    reference = serializers.CharField(source="submission.reference", read_only=True)
    channel = serializers.ChoiceField(
        source="submission.channel", choices=Channel.choices, read_only=True
    )
    status = serializers.ChoiceField(choices=ContactStatus.choices, read_only=True)
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True, read_only=True)
    decision = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, read_only=True, help_text="Empty until decided."
    )
    person_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The child's record, once linked."
    )
    child = ChildGivenSerializer(source="child_as_given", read_only=True)
    concerns = serializers.CharField(source="submission.concerns", read_only=True)
    categories = serializers.ListField(
        source="submission.concern_categories",
        child=serializers.ChoiceField(choices=ConcernCategory.choices),
        read_only=True,
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "reference",
            "received_at",
            "channel",
            "source",
            "status",
            "rating",
            "decision",
            "decision_rationale",
            "decided_at",
            "person_id",
            "child",
            "concerns",
            "categories",
        ]
        read_only_fields = fields


class ReferrerSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    role = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ChildInSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The child's record, when the caller may see it; otherwise leave it out.",
    )
    forename = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    surname = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["person_id"] is None and not (attrs["forename"] or attrs["surname"]):
            raise serializers.ValidationError(
                {"surname": "Enter the child's name, or the person_id of their record"}
            )
        return attrs


class ContactCreateSerializer(serializers.Serializer[Any]):
    received_at = serializers.DateTimeField(help_text="When the referrer made the contact.")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=ReferralSource.choices, help_text="Who the contact came from (CIN census code)."
    )
    referrer = ReferrerSerializer(required=False)
    concerns = serializers.CharField(max_length=20000)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=ConcernCategory.choices),
        required=False,
        default=list,
    )
    children: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=ChildInSerializer(), min_length=1, max_length=20
    )


class ContactCreatedSerializer(serializers.Serializer[Any]):
    class CreatedContact(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        person_id = serializers.IntegerField(allow_null=True)
        child = ChildGivenSerializer(source="child_as_given")

    reference = serializers.CharField(help_text="Shared by the contacts: quote it to the MASH.")
    received_at = serializers.DateTimeField()
    contacts = CreatedContact(many=True, help_text="One for each child, in the order sent.")


# --- views ---------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


class ContactListView(ServiceErrorsMixin, generics.GenericAPIView[Contact]):
    """List contacts (GET) and send one (POST)."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    # Partners read back what they sent (contacts_for_api keeps them to their own).
    required_perms = {"GET": (VIEW, SUBMIT), "POST": (SUBMIT, EDIT)}
    access_rule = (
        "permission: core.view_case_records to list (partners only the contacts they sent; "
        "none about a restricted child they may not open), core.submit_partner_contacts or "
        "core.edit_case_records to send"
    )
    serializer_class = ContactSerializer
    service_error_fields = {"referrer_email": "referrer.email"}
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Contact]:
        contacts = contacts_for_api(_viewer(self.request))
        reference = self.request.query_params.get("reference", "").strip()
        if reference:
            contacts = contacts.filter(submission__reference__iexact=reference)
        return contacts

    @extend_schema(
        summary="List contacts",
        description="The contacts the caller may see, newest first: a partner agency user sees "
        "only the ones they sent.",
        parameters=[
            OpenApiParameter("reference", str, description="Only contacts with this reference.")
        ],
        responses={200: ContactSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(
        summary="Send a contact to the front door",
        description="One contact for each child, all sharing one reference, each awaiting "
        "screening by the MASH. Give each child's name (and date of birth and address if "
        "known); `person_id` links a record the caller may open, so partner agencies leave it "
        "out and the MASH finds the record.",
        request=ContactCreateSerializer,
        responses={201: ContactCreatedSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = ContactCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        actor = _viewer(request)
        children: list[services.ChildDetails] = []
        errors: dict[str, dict[str, list[str]]] = {}
        for index, child in enumerate(data["children"]):
            person = None
            if child["person_id"] is not None:
                try:
                    person = people_policies.person_for(actor, child["person_id"])
                except Http404:
                    # As for any other error in a list: keyed by the child's position.
                    errors[str(index)] = {"person_id": ["No child record with this id"]}
            children.append(
                services.ChildDetails(
                    person=person,
                    forename=child["forename"],
                    surname=child["surname"],
                    date_of_birth=child["date_of_birth"],
                    address=child["address"],
                )
            )
        if errors:
            raise serializers.ValidationError({"children": errors})
        referrer = data.get("referrer") or {}
        submission = services.contact_submit(
            actor=actor,
            new=services.NewContact(
                received_at=data["received_at"],
                source=data["source"],
                concerns=data["concerns"],
                children=children,
                categories=data["categories"],
                referrer=services.Referrer(
                    name=referrer.get("name", ""),
                    role=referrer.get("role", ""),
                    organisation=referrer.get("organisation", ""),
                    phone=referrer.get("phone", ""),
                    email=referrer.get("email", ""),
                ),
                channel=Channel.API,
            ),
        )
        created = {
            "reference": submission.reference,
            "received_at": submission.received_at,
            "contacts": submission.contacts.order_by("pk"),
        }
        return Response(ContactCreatedSerializer(created).data, status=status.HTTP_201_CREATED)


class ContactDetailView(generics.RetrieveAPIView[Contact]):
    """Where a contact has got to: its status, rating, and the decision with its reasons."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    required_perms = {"GET": (VIEW, SUBMIT)}
    access_rule = (
        "permission: core.view_case_records; record through contact_for (partners only their "
        "own; restricted children only for named staff)"
    )
    serializer_class = ContactSerializer

    @extend_schema(
        summary="One contact: where it has got to",
        responses={200: ContactSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_object(self) -> Contact:
        viewer = _viewer(self.request)
        contact = contact_for(viewer, self.kwargs["pk"])
        audit.record_view(actor=viewer, obj=contact, person_id=contact.person_id)
        return contact
