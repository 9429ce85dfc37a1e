"""Escalations for systems: list and raise them, read one with its stages, and answer, resolve,
accept or dispute it.

Who sees which: staff see the escalations about children whose records they may open (restricted
children only for their named staff); a partner agency user sees only the escalations they raised,
and raises them only about children they referred. A record the caller may not see is 404. Every
change sends the `version` the caller read: a stale one is 409, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.core import audit
from hearth.core.api.common import MethodPermissions, ServiceErrorsMixin, error_responses
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError
from hearth.people.models import Person
from hearth.people.policies import person_for

from . import policies, selectors, services
from .models import Acceptance, Escalation, EscalationStage, RaiserReply, RaiserRole, Stage, Status

VIEW = policies.VIEW
PARTNER = policies.PARTNER
READERS = (VIEW, PARTNER)

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the escalation since the caller read it (the `version` "
        "sent is not the current one): read it again, then send the change again.",
    )
}


# --- serializers ---------------------------------------------------------------------------------


class StageSerializer(serializers.ModelSerializer[EscalationStage]):
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    owner = serializers.CharField(source="owner.full_name", read_only=True)
    responded_by = serializers.CharField(
        source="responded_by.full_name", read_only=True, allow_null=True, default=None
    )
    raiser_reply = serializers.ChoiceField(
        choices=RaiserReply.choices, allow_blank=True, read_only=True
    )
    rose_automatically = serializers.BooleanField(
        read_only=True, help_text="Reached because the stage before was not answered in time."
    )

    class Meta:
        model = EscalationStage
        fields = [
            "stage",
            "owner_id",
            "owner",
            "started_at",
            "due_on",
            "responded_at",
            "responded_by",
            "response",
            "rose_automatically",
            "resolution",
            "raiser_reply",
            "raiser_comment",
            "raiser_replied_at",
            "ended_at",
        ]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer[Escalation]):
    reference = serializers.CharField(read_only=True)
    raised_by = serializers.CharField(source="raised_by.full_name", read_only=True)
    raiser_role = serializers.ChoiceField(choices=RaiserRole.choices, read_only=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    owner = serializers.CharField(source="owner.full_name", read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    raiser_accepted = serializers.ChoiceField(choices=Acceptance.choices, read_only=True)
    due_on = serializers.DateField(read_only=True, help_text="The current stage's deadline.")
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Open, the current stage unanswered and past its deadline."
    )

    class Meta:
        model = Escalation
        fields = [
            "id",
            "reference",
            "version",
            "person_id",
            "contact_id",
            "raised_by_id",
            "raised_by",
            "raiser_role",
            "raised_at",
            "concern",
            "outcome_sought",
            "stage",
            "owner_id",
            "owner",
            "due_on",
            "is_overdue",
            "status",
            "resolution",
            "resolved_at",
            "resolved_by_id",
            "raiser_accepted",
            "raiser_comment",
            "withdrawn_at",
            "withdrawal_reason",
        ]
        read_only_fields = fields


class EscalationDetailSerializer(EscalationSerializer):
    stages = StageSerializer(many=True, read_only=True, help_text="Every stage so far, in order.")

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "stages"]
        read_only_fields = fields


class FilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only overdue ones (or not)."
    )
    person = serializers.IntegerField(required=False, help_text="Only this child's.")


class RaiseSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField(
        help_text="The child: one on whose case the caller holds a role, or (a partner agency) "
        "a child they referred."
    )
    concern = serializers.CharField(max_length=10_000)
    outcome_sought = serializers.CharField(max_length=5_000)
    raiser_role = serializers.ChoiceField(
        choices=RaiserRole.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="When the caller holds several roles on the case; by default the first of "
        "IRO, conference chair, lead social worker…",
    )


class VersionedSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The escalation's version the caller read.")


class RespondSerializer(VersionedSerializer):
    response = serializers.CharField(max_length=10_000, help_text="At least 10 words.")


class ResolveSerializer(VersionedSerializer):
    resolution = serializers.CharField(max_length=10_000, help_text="At least 10 words.")


class AcceptSerializer(VersionedSerializer):
    comment = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class DisputeSerializer(VersionedSerializer):
    comment = serializers.CharField(max_length=5_000, help_text="At least 10 words.")
    rise = serializers.BooleanField(
        help_text="Take it to the next stage (not past the director); false records the "
        "disagreement and closes it."
    )


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _scoped(user: User) -> QuerySet[selectors.AnnotatedEscalation]:
    return selectors.with_current_stage(policies.escalations_visible_to(user)).select_related(
        "raised_by", "owner"
    )


def _one(user: User, pk: int) -> Escalation:
    policies.escalation_for(user, pk)  # 404 (logged for a restricted child) unless visible
    services.escalations_rise_overdue(now=timezone.now(), among=[pk])
    return _scoped(user).prefetch_related("stages__owner", "stages__responded_by").get(pk=pk)


def _child_for(user: User, person_id: int) -> Person:
    """The child the caller raises about, or a 400 on `person_id`."""
    if policies.is_partner(user):
        contact = policies.referring_contact(user, person_id)
        if contact is None or contact.person is None:
            raise exceptions.ValidationError({"person_id": ["No child you referred has this id"]})
        return contact.person
    try:
        return person_for(user, person_id)
    except Http404:
        raise exceptions.ValidationError({"person_id": ["No child record with this id"]}) from None


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Escalation]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


# --- views ---------------------------------------------------------------------------------------


class EscalationListView(_Base):
    """List escalations (GET) and raise one (POST)."""

    required_perms = {"GET": READERS, "POST": READERS}
    access_rule = (
        "permission: core.view_case_records or core.submit_partner_contacts; staff see the "
        "children they may open, partners only what they raised; raising needs a role on the "
        "child's case (partners: a child they referred)"
    )
    serializer_class = EscalationSerializer

    @extend_schema(
        summary="List escalations",
        description="The escalations the caller may see, newest first. A partner agency user "
        "sees only the ones they raised.",
        parameters=[FilterSerializer],
        responses={200: EscalationSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = params.validated_data
        viewer = _viewer(request)
        escalations = policies.escalations_visible_to(viewer)
        if found.get("person"):
            escalations = escalations.filter(person_id=found["person"])
        if found.get("status"):
            escalations = escalations.filter(status=found["status"])
        services.escalations_rise_overdue(
            now=timezone.now(), among=escalations.filter(status=Status.OPEN)
        )
        listed = _scoped(viewer).filter(pk__in=escalations.values("pk"))
        if found.get("overdue") is not None:
            listed = listed.filter(is_overdue=found["overdue"])
        page = self.paginate_queryset(listed.order_by("-raised_at", "-pk"))
        return self.get_paginated_response(EscalationSerializer(page, many=True).data)

    @extend_schema(
        summary="Raise an escalation",
        description="About a child on whose case the caller holds a role (IRO, conference "
        "chair, lead social worker…), or, for a partner agency, a child they referred. The "
        "first stage goes to the manager of the team answerable for the child, who is told; it "
        "is due in the council's escalation-response timescale.",
        request=RaiseSerializer,
        responses={201: EscalationDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = RaiseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        viewer = _viewer(request)
        escalation = services.escalation_raise(
            actor=viewer,
            person=_child_for(viewer, data["person_id"]),
            concern=data["concern"],
            outcome_sought=data["outcome_sought"],
            raiser_role=data["raiser_role"],
        )
        created = _one(viewer, escalation.pk)
        return Response(
            EscalationDetailSerializer(created).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{escalation.pk}/"},
        )


class EscalationDetailView(_Base):
    """One escalation with its stages. Each read is written to the audit trail."""

    required_perms = {"GET": READERS}
    access_rule = (
        "permission: core.view_case_records or core.submit_partner_contacts; record through "
        "escalations.policies.escalation_for"
    )
    serializer_class = EscalationDetailSerializer

    @extend_schema(
        summary="One escalation and its stages",
        responses={200: EscalationDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        escalation = _one(viewer, pk)
        audit.record_view(actor=viewer, obj=escalation, person_id=escalation.person_id)
        return Response(EscalationDetailSerializer(escalation).data)


class _ActionView(_Base):
    """A change by the current owner or by the raiser, through its service."""

    required_perms = {"POST": READERS}
    serializer_class = EscalationDetailSerializer
    incoming_class: type[VersionedSerializer] = VersionedSerializer
    by_owner = True

    def act(self, actor: User, escalation: Escalation, data: dict[str, Any]) -> Escalation:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        escalation = policies.escalation_for(viewer, pk)
        allowed = (
            policies.may_answer(viewer, escalation)
            if self.by_owner
            else policies.is_raiser(viewer, escalation)
        )
        if not allowed:
            raise exceptions.PermissionDenied(
                "Only the current stage's owner can do this"
                if self.by_owner
                else "Only the person who raised the escalation can do this"
            )
        incoming = self.incoming_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.act(viewer, escalation, dict(incoming.validated_data))
        return Response(EscalationDetailSerializer(_one(viewer, pk)).data)


OWNER_RULE = (
    "permission: core.view_case_records or core.submit_partner_contacts; only the current "
    "stage's owner, on a record they may see"
)
RAISER_RULE = (
    "permission: core.view_case_records or core.submit_partner_contacts; only the raiser, on a "
    "record they may see"
)


class RespondView(_ActionView):
    access_rule = OWNER_RULE
    incoming_class = RespondSerializer

    @extend_schema(
        summary="Answer the current stage",
        description="By the current stage's owner: meets the stage's deadline; the raiser is told.",
        request=RespondSerializer,
        responses={
            200: EscalationDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, escalation: Escalation, data: dict[str, Any]) -> Escalation:
        return services.escalation_respond(
            actor=actor,
            escalation=escalation,
            response=data["response"],
            expected_version=data["version"],
        )


class ResolveView(_ActionView):
    access_rule = OWNER_RULE
    incoming_class = ResolveSerializer

    @extend_schema(
        summary="Resolve the escalation",
        description="By the current stage's owner: records how it was resolved (answering the "
        "stage if it was not yet answered); the raiser is asked whether they accept it.",
        request=ResolveSerializer,
        responses={
            200: EscalationDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, escalation: Escalation, data: dict[str, Any]) -> Escalation:
        return services.escalation_resolve(
            actor=actor,
            escalation=escalation,
            resolution=data["resolution"],
            expected_version=data["version"],
        )


class AcceptView(_ActionView):
    access_rule = RAISER_RULE
    incoming_class = AcceptSerializer
    by_owner = False

    @extend_schema(
        summary="Accept the answer or resolution",
        description="By the raiser: the escalation is resolved, accepted.",
        request=AcceptSerializer,
        responses={
            200: EscalationDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, escalation: Escalation, data: dict[str, Any]) -> Escalation:
        return services.escalation_accept(
            actor=actor,
            escalation=escalation,
            comment=data["comment"],
            expected_version=data["version"],
        )


class DisputeView(_ActionView):
    access_rule = RAISER_RULE
    incoming_class = DisputeSerializer
    by_owner = False

    @extend_schema(
        summary="Dispute the answer or resolution",
        description="By the raiser: with rise true it goes to the next stage (400 at the "
        "director stage, the last); with rise false the disagreement is recorded and it closes.",
        request=DisputeSerializer,
        responses={
            200: EscalationDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, escalation: Escalation, data: dict[str, Any]) -> Escalation:
        return services.escalation_dispute(
            actor=actor,
            escalation=escalation,
            comment=data["comment"],
            rise=data["rise"],
            expected_version=data["version"],
        )
