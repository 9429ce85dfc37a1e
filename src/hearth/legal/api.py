"""Legal records for systems: emergency protection (and an order's extension), legal gateway
meetings, pre-proceedings (and their review meetings), care proceedings (and their hearings,
extensions and interim orders).

The same rules as the pages (they call the same services): a refusal is a 400 with the reason
under the field. A record of a child the caller may not see is 404. Changes to an existing record
send the `version` the caller read: a stale one is 409, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.casework.models import ChildInNeedEpisode
from hearth.core import audit
from hearth.core.api.common import MethodPermissions, ServiceErrorsMixin, error_responses
from hearth.core.models import User
from hearth.core.services import ConcurrentEditError
from hearth.people.models import Person
from hearth.people.policies import person_for
from hearth.plans.models import Plan

from . import policies, selectors, services
from .codes import (
    EPO_EXTENSION_DAYS,
    EXTENSION_MAX_WEEKS,
    CarePlanKind,
    EmergencyKind,
    EmergencyOutcome,
    FinalOrderKind,
    GatewayDecision,
    GatewayReason,
    HearingKind,
    InterimOrderKind,
    PreProceedingsOutcome,
    Representation,
)
from .models import (
    CareProceedings,
    CourtHearing,
    EmergencyProtection,
    InterimOrder,
    LegalGatewayMeeting,
    PreProceedings,
    PreProceedingsReview,
    ProceedingsExtension,
)

VIEW = policies.VIEW
EDIT = policies.EDIT
RULE = (
    "permission: core.view_case_records to read, core.edit_case_records to change; records "
    "through legal.policies (children the caller may see; others 404)"
)
CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the record since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again.",
    )
}


def _choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, **kwargs)


def _blank_choice(choices: Any, **kwargs: Any) -> serializers.ChoiceField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("default", "")
    return serializers.ChoiceField(choices=choices, allow_blank=True, **kwargs)


def _text(**kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("default", "")
    return serializers.CharField(max_length=10_000, **kwargs)


class LegalVersionedSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")


class LegalFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's records.")


# --- serializers: reading ------------------------------------------------------------------------


class EmergencyProtectionSerializer(serializers.ModelSerializer[EmergencyProtection]):
    kind = _choice(EmergencyKind.choices, read_only=True)
    outcome = _choice(EmergencyOutcome.choices, read_only=True, allow_blank=True)
    legal_status = serializers.SerializerMethodField(help_text="SSDA903: L1 or L2.")
    must_end_by = serializers.SerializerMethodField(
        help_text="The latest the law allows: 72 hours, or 8 days plus any extension."
    )

    class Meta:
        model = EmergencyProtection
        fields = [
            "id",
            "version",
            "person_id",
            "kind",
            "legal_status",
            "started_at",
            "ended_at",
            "must_end_by",
            "reason",
            "police_force",
            "police_reference",
            "designated_officer",
            "court",
            "court_reference",
            "extended_on",
            "extension_days",
            "extension_reason",
            "outcome",
            "outcome_notes",
        ]
        read_only_fields = fields

    def get_legal_status(self, record: EmergencyProtection) -> str:
        return "L1" if record.is_police else "L2"

    def get_must_end_by(self, record: EmergencyProtection) -> dt.datetime:
        return selectors.emergency_must_end_by(record)


class LegalGatewayMeetingSerializer(serializers.ModelSerializer[LegalGatewayMeeting]):
    reason = _choice(GatewayReason.choices, read_only=True)
    decision = _choice(GatewayDecision.choices, read_only=True)

    class Meta:
        model = LegalGatewayMeeting
        fields = [
            "id",
            "version",
            "person_id",
            "held_on",
            "reason",
            "reason_detail",
            "plan_id",
            "chair",
            "attendees",
            "decision",
            "rationale",
        ]
        read_only_fields = fields


class PreProceedingsReviewSerializer(serializers.ModelSerializer[PreProceedingsReview]):
    class Meta:
        model = PreProceedingsReview
        fields = ["id", "held_on", "notes"]
        read_only_fields = fields


class PreProceedingsSerializer(serializers.ModelSerializer[PreProceedings]):
    parents_represented = _choice(Representation.choices, read_only=True, allow_blank=True)
    outcome = _choice(
        PreProceedingsOutcome.choices,
        read_only=True,
        allow_blank=True,
        help_text="The census PPOutcome code list is not yet confirmed: Hearth's own values.",
    )
    review_meetings_count = serializers.SerializerMethodField(
        help_text="Census ReviewMeetingsCount."
    )
    weeks = serializers.SerializerMethodField(
        help_text="Whole weeks from the start to the outcome that ended it, or to today."
    )

    class Meta:
        model = PreProceedings
        fields = [
            "id",
            "version",
            "person_id",
            "episode_id",
            "gateway_id",
            "start_date",
            "letter_sent_on",
            "fgdm_offered",
            "fgdm_offered_on",
            "fgdm_held",
            "fgdm_held_on",
            "initial_meeting_on",
            "parents_represented",
            "outcome",
            "outcome_on",
            "court_application_on",
            "letter_of_intention_on",
            "review_meetings_count",
            "weeks",
        ]
        read_only_fields = fields

    def get_review_meetings_count(self, pp: PreProceedings) -> int:
        count = getattr(pp, "review_count", None)
        return int(count) if count is not None else pp.reviews.count()

    def get_weeks(self, pp: PreProceedings) -> int:
        return selectors.pre_proceedings_weeks(pp)


class PreProceedingsDetailSerializer(PreProceedingsSerializer):
    reviews = PreProceedingsReviewSerializer(many=True, read_only=True)
    previous_periods = serializers.SerializerMethodField(
        help_text="Periods of pre-proceedings in the child's lifetime before this one."
    )

    class Meta(PreProceedingsSerializer.Meta):
        fields = [*PreProceedingsSerializer.Meta.fields, "previous_periods", "reviews"]
        read_only_fields = fields

    def get_previous_periods(self, pp: PreProceedings) -> int:
        return selectors.previous_pre_proceedings(pp)


class CourtHearingSerializer(serializers.ModelSerializer[CourtHearing]):
    kind = _choice(HearingKind.choices, read_only=True)

    class Meta:
        model = CourtHearing
        fields = ["id", "version", "held_on", "kind", "outcome_notes"]
        read_only_fields = fields


class ProceedingsExtensionSerializer(serializers.ModelSerializer[ProceedingsExtension]):
    class Meta:
        model = ProceedingsExtension
        fields = ["id", "granted_on", "weeks", "reason"]
        read_only_fields = fields


class InterimOrderSerializer(serializers.ModelSerializer[InterimOrder]):
    kind = _choice(InterimOrderKind.choices, read_only=True)

    class Meta:
        model = InterimOrder
        fields = ["id", "kind", "made_on", "notes"]
        read_only_fields = fields


class ProceedingsTimetableSerializer(serializers.Serializer[Any]):
    week_number = serializers.IntegerField(help_text="The week the proceedings are in (1 = first).")
    weeks = serializers.IntegerField(help_text="Whole weeks since issue (to the final order).")
    extension_weeks = serializers.IntegerField()
    target_weeks = serializers.IntegerField(help_text="26 plus the extensions granted.")
    due_on = serializers.DateField()
    within_26 = serializers.BooleanField()
    over = serializers.BooleanField(help_text="Past the timetable with its extensions.")


class CareProceedingsSerializer(serializers.ModelSerializer[CareProceedings]):
    parents_represented = _choice(Representation.choices, read_only=True, allow_blank=True)
    initial_care_plan = _choice(CarePlanKind.choices, read_only=True, allow_blank=True)
    final_care_plan = _choice(CarePlanKind.choices, read_only=True, allow_blank=True)
    final_order = _choice(FinalOrderKind.choices, read_only=True, allow_blank=True)
    timetable = serializers.SerializerMethodField()

    class Meta:
        model = CareProceedings
        fields = [
            "id",
            "version",
            "person_id",
            "pre_proceedings_id",
            "gateway_id",
            "issued_on",
            "court",
            "court_reference",
            "short_notice",
            "short_notice_reason",
            "parents_represented",
            "initial_care_plan",
            "initial_plan_approved",
            "final_care_plan",
            "final_plan_approved",
            "final_order",
            "final_order_on",
            "timetable",
        ]
        read_only_fields = fields

    @extend_schema_field(ProceedingsTimetableSerializer)
    def get_timetable(self, p: CareProceedings) -> dict[str, Any]:
        weeks = selectors.proceedings_weeks(p)
        return {
            "week_number": weeks.week_number,
            "weeks": weeks.weeks,
            "extension_weeks": weeks.extension_weeks,
            "target_weeks": weeks.target_weeks,
            "due_on": weeks.due_on,
            "within_26": weeks.within_26,
            "over": weeks.over,
        }


class CareProceedingsDetailSerializer(CareProceedingsSerializer):
    hearings = CourtHearingSerializer(many=True, read_only=True)
    extensions = ProceedingsExtensionSerializer(many=True, read_only=True)
    interim_orders = InterimOrderSerializer(many=True, read_only=True)

    class Meta(CareProceedingsSerializer.Meta):
        fields = [
            *CareProceedingsSerializer.Meta.fields,
            "hearings",
            "extensions",
            "interim_orders",
        ]
        read_only_fields = fields


# --- serializers: writing ------------------------------------------------------------------------


class EmergencyProtectionCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    kind = _choice(EmergencyKind.choices)
    started_at = serializers.DateTimeField(
        help_text="For police protection, when the child was taken into it; with its time zone."
    )
    reason = serializers.CharField(max_length=10_000)
    police_force = _text()
    police_reference = _text()
    designated_officer = _text()
    court = _text()
    court_reference = _text()
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    outcome = _blank_choice(EmergencyOutcome.choices)
    outcome_notes = _text()


class EmergencyProtectionChangeSerializer(LegalVersionedSerializer):
    kind = _choice(EmergencyKind.choices, required=False)
    started_at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(max_length=10_000, required=False)
    police_force = serializers.CharField(max_length=100, required=False, allow_blank=True)
    police_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    designated_officer = serializers.CharField(max_length=150, required=False, allow_blank=True)
    court = serializers.CharField(max_length=150, required=False, allow_blank=True)
    court_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    ended_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The end: with `outcome`."
    )
    outcome = serializers.ChoiceField(
        choices=EmergencyOutcome.choices, required=False, allow_blank=True
    )
    outcome_notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class EpoExtensionSerializer(LegalVersionedSerializer):
    extended_on = serializers.DateField()
    extension_days = serializers.IntegerField(help_text=f"1 to {EPO_EXTENSION_DAYS}.")
    extension_reason = serializers.CharField(max_length=10_000)


class LegalGatewayMeetingCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    held_on = serializers.DateField()
    reason = _choice(GatewayReason.choices)
    reason_detail = _text()
    plan_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The child's plan that led to it (required for a long child protection plan).",
    )
    chair = _text()
    attendees = serializers.CharField(max_length=10_000)
    decision = _choice(GatewayDecision.choices)
    rationale = serializers.CharField(max_length=10_000, help_text="At least 10 words.")


class LegalGatewayMeetingChangeSerializer(LegalVersionedSerializer):
    held_on = serializers.DateField(required=False)
    reason = _choice(GatewayReason.choices, required=False)
    reason_detail = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    plan_id = serializers.IntegerField(required=False, allow_null=True)
    chair = serializers.CharField(max_length=150, required=False, allow_blank=True)
    attendees = serializers.CharField(max_length=10_000, required=False)
    decision = _choice(GatewayDecision.choices, required=False)
    rationale = serializers.CharField(max_length=10_000, required=False)


class PreProceedingsCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    gateway_id = serializers.IntegerField(
        help_text="The legal gateway meeting that decided to enter pre-proceedings."
    )
    episode_id = serializers.IntegerField(help_text="The child in need episode it belongs to.")
    start_date = serializers.DateField(help_text="Census PPStartDate.")
    letter_sent_on = serializers.DateField(required=False, allow_null=True, default=None)
    parents_represented = _blank_choice(Representation.choices)


class PreProceedingsChangeSerializer(LegalVersionedSerializer):
    start_date = serializers.DateField(required=False)
    letter_sent_on = serializers.DateField(required=False, allow_null=True)
    fgdm_offered = serializers.BooleanField(required=False, allow_null=True)
    fgdm_offered_on = serializers.DateField(required=False, allow_null=True)
    fgdm_held = serializers.BooleanField(required=False, allow_null=True)
    fgdm_held_on = serializers.DateField(required=False, allow_null=True)
    initial_meeting_on = serializers.DateField(required=False, allow_null=True)
    parents_represented = serializers.ChoiceField(
        choices=Representation.choices, required=False, allow_blank=True
    )
    outcome = serializers.ChoiceField(
        choices=PreProceedingsOutcome.choices, required=False, allow_blank=True
    )
    outcome_on = serializers.DateField(required=False, allow_null=True)
    court_application_on = serializers.DateField(required=False, allow_null=True)
    letter_of_intention_on = serializers.DateField(required=False, allow_null=True)


class PreProceedingsReviewCreateSerializer(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    notes = serializers.CharField(max_length=10_000)


class CareProceedingsCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    issued_on = serializers.DateField()
    court = serializers.CharField(max_length=150)
    court_reference = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    short_notice = serializers.BooleanField(required=False, default=False)
    short_notice_reason = _text()
    parents_represented = _blank_choice(Representation.choices)
    initial_care_plan = _blank_choice(CarePlanKind.choices)
    pre_proceedings_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    gateway_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class CareProceedingsChangeSerializer(LegalVersionedSerializer):
    issued_on = serializers.DateField(required=False)
    court = serializers.CharField(max_length=150, required=False)
    court_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    short_notice = serializers.BooleanField(required=False)
    short_notice_reason = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    parents_represented = serializers.ChoiceField(
        choices=Representation.choices, required=False, allow_blank=True
    )
    initial_care_plan = serializers.ChoiceField(
        choices=CarePlanKind.choices, required=False, allow_blank=True
    )
    initial_plan_approved = serializers.BooleanField(required=False, allow_null=True)
    final_care_plan = serializers.ChoiceField(
        choices=CarePlanKind.choices, required=False, allow_blank=True
    )
    final_plan_approved = serializers.BooleanField(required=False, allow_null=True)
    final_order = serializers.ChoiceField(
        choices=FinalOrderKind.choices,
        required=False,
        allow_blank=True,
        help_text="With `final_order_on`: meets the 26-week clock.",
    )
    final_order_on = serializers.DateField(required=False, allow_null=True)


class CourtHearingCreateSerializer(serializers.Serializer[Any]):
    held_on = serializers.DateField(help_text="A hearing listed for a later date may be sent.")
    kind = _choice(HearingKind.choices)
    outcome_notes = _text(help_text="What happened (only once it has).")


class ProceedingsExtensionCreateSerializer(serializers.Serializer[Any]):
    granted_on = serializers.DateField()
    weeks = serializers.IntegerField(help_text=f"1 to {EXTENSION_MAX_WEEKS}.")
    reason = serializers.CharField(max_length=10_000)


class InterimOrderCreateSerializer(serializers.Serializer[Any]):
    kind = _choice(InterimOrderKind.choices)
    made_on = serializers.DateField()
    notes = _text()


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _child(viewer: User, person_id: int) -> Person:
    try:
        return person_for(viewer, person_id, action="edit")
    except Http404:
        raise exceptions.ValidationError({"person_id": ["No child record with this id"]}) from None


def _own(model: Any, pk: int | None, person: Person, field: str, what: str) -> Any:
    """The child's own record of `model` with this id (None for none); 400 otherwise."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, person=person).first()
    if found is None:
        raise exceptions.ValidationError({field: [f"This child has no {what} with this id"]})
    return found


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]
    access_rule = RULE

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)

    def filtered(self, request: Request, rows: QuerySet[Any]) -> QuerySet[Any]:
        params = LegalFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        person = params.validated_data.get("person")
        return rows.filter(person_id=person) if person else rows


def _split(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    values = dict(data)
    return values.pop("version"), values


# --- emergency protection ------------------------------------------------------------------------


class EmergencyListView(_Base):
    """A child's police protection and emergency protection orders (GET ?person=), and recording
    one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    serializer_class = EmergencyProtectionSerializer

    @extend_schema(
        summary="List emergency protection",
        parameters=[LegalFilterSerializer],
        responses={200: EmergencyProtectionSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        rows = self.filtered(request, policies.visible(_viewer(request), EmergencyProtection))
        page = self.paginate_queryset(rows.order_by("-started_at", "-pk"))
        return self.get_paginated_response(EmergencyProtectionSerializer(page, many=True).data)

    @extend_schema(
        summary="Record police protection or an emergency protection order",
        description="Refused (400): police protection over 72 hours, an order over 8 days, an "
        "end before the start, an outcome without an end, an overlap with another record. "
        "Starts the `police-protection` (72 hours) or `epo` (8 days) clock.",
        request=EmergencyProtectionCreateSerializer,
        responses={201: EmergencyProtectionSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = EmergencyProtectionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        person = _child(viewer, data.pop("person_id"))
        record = services.emergency_record(actor=viewer, person=person, **data)
        return Response(
            EmergencyProtectionSerializer(record).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{record.pk}/"},
        )


class EmergencyDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    serializer_class = EmergencyProtectionSerializer

    @extend_schema(
        summary="One police protection or emergency protection order",
        responses={200: EmergencyProtectionSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        record = policies.emergency_for(viewer, pk)
        audit.record_view(
            actor=viewer, obj=record, person_id=record.person_id, detail="Emergency (API)"
        )
        return Response(EmergencyProtectionSerializer(record).data)

    @extend_schema(
        summary="Change it, or record its end and outcome",
        request=EmergencyProtectionChangeSerializer,
        responses={
            200: EmergencyProtectionSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        record = policies.emergency_for(viewer, pk, "edit")
        incoming = EmergencyProtectionChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version, data = _split(incoming.validated_data)
        record = services.emergency_update(
            actor=viewer, record=record, data=data, expected_version=version
        )
        return Response(EmergencyProtectionSerializer(record).data)


class EmergencyExtensionView(_Base):
    required_perms = {"POST": (EDIT,)}
    serializer_class = EmergencyProtectionSerializer

    @extend_schema(
        summary="Record the extension of an emergency protection order",
        description="Once only, by up to 7 days; never for police protection (400).",
        request=EpoExtensionSerializer,
        responses={
            200: EmergencyProtectionSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        record = policies.emergency_for(viewer, pk, "edit")
        incoming = EpoExtensionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        record = services.epo_extend(
            actor=viewer,
            record=record,
            extended_on=data["extended_on"],
            days=data["extension_days"],
            reason=data["extension_reason"],
            expected_version=data["version"],
        )
        return Response(EmergencyProtectionSerializer(record).data)


# --- legal gateway meetings ----------------------------------------------------------------------


class GatewayListView(_Base):
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    serializer_class = LegalGatewayMeetingSerializer

    @extend_schema(
        summary="List legal gateway meetings",
        parameters=[LegalFilterSerializer],
        responses={200: LegalGatewayMeetingSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        rows = self.filtered(request, policies.visible(_viewer(request), LegalGatewayMeeting))
        page = self.paginate_queryset(rows.order_by("-held_on", "-pk"))
        return self.get_paginated_response(LegalGatewayMeetingSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a legal gateway meeting",
        description="The reasons for the decision in at least 10 words; a child protection plan "
        "lasting over 15 months names the plan.",
        request=LegalGatewayMeetingCreateSerializer,
        responses={201: LegalGatewayMeetingSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = LegalGatewayMeetingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        person = _child(viewer, data.pop("person_id"))
        plan = _own(Plan, data.pop("plan_id"), person, "plan_id", "plan")
        meeting = services.gateway_record(actor=viewer, person=person, plan=plan, **data)
        return Response(
            LegalGatewayMeetingSerializer(meeting).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{meeting.pk}/"},
        )


class GatewayDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    serializer_class = LegalGatewayMeetingSerializer
    service_error_fields = {"plan": "plan_id"}

    @extend_schema(
        summary="One legal gateway meeting",
        responses={200: LegalGatewayMeetingSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        meeting = policies.gateway_for(viewer, pk)
        audit.record_view(
            actor=viewer, obj=meeting, person_id=meeting.person_id, detail="Gateway (API)"
        )
        return Response(LegalGatewayMeetingSerializer(meeting).data)

    @extend_schema(
        summary="Correct a legal gateway meeting",
        request=LegalGatewayMeetingChangeSerializer,
        responses={
            200: LegalGatewayMeetingSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        meeting = policies.gateway_for(viewer, pk, "edit")
        incoming = LegalGatewayMeetingChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version, data = _split(incoming.validated_data)
        if "plan_id" in data:
            data["plan"] = _own(Plan, data.pop("plan_id"), meeting.person, "plan_id", "plan")
        meeting = services.gateway_update(
            actor=viewer, meeting=meeting, data=data, expected_version=version
        )
        return Response(LegalGatewayMeetingSerializer(meeting).data)


# --- pre-proceedings -----------------------------------------------------------------------------


def _pp_detail(pk: int) -> PreProceedings:
    return (
        PreProceedings.objects.annotate(review_count=Count("reviews"))
        .prefetch_related("reviews")
        .get(pk=pk)
    )


class PreProceedingsListView(_Base):
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    serializer_class = PreProceedingsSerializer
    service_error_fields = {"gateway": "gateway_id", "episode": "episode_id"}

    @extend_schema(
        summary="List pre-proceedings",
        parameters=[LegalFilterSerializer],
        responses={200: PreProceedingsSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        rows = self.filtered(request, policies.visible(_viewer(request), PreProceedings))
        rows = rows.annotate(review_count=Count("reviews")).order_by("-start_date", "-pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PreProceedingsSerializer(page, many=True).data)

    @extend_schema(
        summary="Start pre-proceedings",
        description="After a legal gateway meeting that decided to enter pre-proceedings, in the "
        "child's child in need episode; one period open at a time.",
        request=PreProceedingsCreateSerializer,
        responses={201: PreProceedingsDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = PreProceedingsCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        person = _child(viewer, data.pop("person_id"))
        gateway = _own(
            LegalGatewayMeeting,
            data.pop("gateway_id"),
            person,
            "gateway_id",
            "legal gateway meeting",
        )
        episode = _own(
            ChildInNeedEpisode,
            data.pop("episode_id"),
            person,
            "episode_id",
            "child in need episode",
        )
        pp = services.pre_proceedings_start(
            actor=viewer, person=person, gateway=gateway, episode=episode, **data
        )
        return Response(
            PreProceedingsDetailSerializer(_pp_detail(pp.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{pp.pk}/"},
        )


class PreProceedingsDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    serializer_class = PreProceedingsDetailSerializer

    @extend_schema(
        summary="One period of pre-proceedings",
        responses={200: PreProceedingsDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        pp = policies.pre_proceedings_for(viewer, pk)
        audit.record_view(
            actor=viewer, obj=pp, person_id=pp.person_id, detail="Pre-proceedings (API)"
        )
        return Response(PreProceedingsDetailSerializer(_pp_detail(pp.pk)).data)

    @extend_schema(
        summary="Record or correct the letter, meetings, outcome and dates",
        description="Dates are checked against the start and each other (400).",
        request=PreProceedingsChangeSerializer,
        responses={
            200: PreProceedingsDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        pp = policies.pre_proceedings_for(viewer, pk, "edit")
        incoming = PreProceedingsChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version, data = _split(incoming.validated_data)
        services.pre_proceedings_update(
            actor=viewer, pre_proceedings=pp, data=data, expected_version=version
        )
        return Response(PreProceedingsDetailSerializer(_pp_detail(pp.pk)).data)


class PreProceedingsReviewView(_Base):
    required_perms = {"POST": (EDIT,)}
    serializer_class = PreProceedingsReviewSerializer

    @extend_schema(
        summary="Record a pre-proceedings review meeting",
        request=PreProceedingsReviewCreateSerializer,
        responses={201: PreProceedingsReviewSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        pp = policies.pre_proceedings_for(viewer, pk, "edit")
        incoming = PreProceedingsReviewCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        review = services.pre_proceedings_review_add(
            actor=viewer, pre_proceedings=pp, **incoming.validated_data
        )
        return Response(PreProceedingsReviewSerializer(review).data, status=status.HTTP_201_CREATED)


# --- care proceedings ----------------------------------------------------------------------------


def _proceedings_detail(pk: int) -> CareProceedings:
    return (
        selectors.with_extension_weeks(CareProceedings.objects.filter(pk=pk))
        .prefetch_related("hearings", "extensions", "interim_orders")
        .get()
    )


class ProceedingsListView(_Base):
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    serializer_class = CareProceedingsSerializer
    service_error_fields = {"pre_proceedings": "pre_proceedings_id", "gateway": "gateway_id"}

    @extend_schema(
        summary="List care proceedings",
        parameters=[LegalFilterSerializer],
        responses={200: CareProceedingsSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        rows = self.filtered(request, policies.visible(_viewer(request), CareProceedings))
        page = self.paginate_queryset(
            selectors.with_extension_weeks(rows).order_by("-issued_on", "-pk")
        )
        return self.get_paginated_response(CareProceedingsSerializer(page, many=True).data)

    @extend_schema(
        summary="Record care proceedings",
        description="Starts the 26-week `proceedings` clock on the issue date. One open set of "
        "proceedings per child.",
        request=CareProceedingsCreateSerializer,
        responses={201: CareProceedingsDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = CareProceedingsCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        person = _child(viewer, data.pop("person_id"))
        pp = _own(
            PreProceedings,
            data.pop("pre_proceedings_id"),
            person,
            "pre_proceedings_id",
            "pre-proceedings",
        )
        gateway = _own(
            LegalGatewayMeeting,
            data.pop("gateway_id"),
            person,
            "gateway_id",
            "legal gateway meeting",
        )
        proceedings = services.proceedings_issue(
            actor=viewer, person=person, pre_proceedings=pp, gateway=gateway, **data
        )
        return Response(
            CareProceedingsDetailSerializer(_proceedings_detail(proceedings.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{proceedings.pk}/"},
        )


class ProceedingsDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    serializer_class = CareProceedingsDetailSerializer

    @extend_schema(
        summary="One set of care proceedings, with the week count",
        responses={200: CareProceedingsDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        proceedings = policies.proceedings_for(viewer, pk)
        audit.record_view(
            actor=viewer,
            obj=proceedings,
            person_id=proceedings.person_id,
            detail="Care proceedings (API)",
        )
        return Response(CareProceedingsDetailSerializer(_proceedings_detail(pk)).data)

    @extend_schema(
        summary="Change the details, or record or correct the final order",
        request=CareProceedingsChangeSerializer,
        responses={
            200: CareProceedingsDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        proceedings = policies.proceedings_for(viewer, pk, "edit")
        incoming = CareProceedingsChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        version, data = _split(incoming.validated_data)
        services.proceedings_update(
            actor=viewer, proceedings=proceedings, data=data, expected_version=version
        )
        return Response(CareProceedingsDetailSerializer(_proceedings_detail(pk)).data)


class HearingListView(_Base):
    required_perms = {"POST": (EDIT,)}
    serializer_class = CourtHearingSerializer

    @extend_schema(
        summary="Record a hearing",
        request=CourtHearingCreateSerializer,
        responses={201: CourtHearingSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        proceedings = policies.proceedings_for(viewer, pk, "edit")
        incoming = CourtHearingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        hearing = services.hearing_add(
            actor=viewer, proceedings=proceedings, **incoming.validated_data
        )
        return Response(CourtHearingSerializer(hearing).data, status=status.HTTP_201_CREATED)


class ExtensionListView(_Base):
    required_perms = {"POST": (EDIT,)}
    serializer_class = ProceedingsExtensionSerializer

    @extend_schema(
        summary="Record an extension of the 26-week timetable",
        description="Up to 8 weeks, with the reason; moves the `proceedings` clock on.",
        request=ProceedingsExtensionCreateSerializer,
        responses={201: ProceedingsExtensionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        proceedings = policies.proceedings_for(viewer, pk, "edit")
        incoming = ProceedingsExtensionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        extension = services.extension_add(
            actor=viewer, proceedings=proceedings, **incoming.validated_data
        )
        return Response(
            ProceedingsExtensionSerializer(extension).data, status=status.HTTP_201_CREATED
        )


class InterimOrderListView(_Base):
    required_perms = {"POST": (EDIT,)}
    serializer_class = InterimOrderSerializer

    @extend_schema(
        summary="Record an interim order",
        request=InterimOrderCreateSerializer,
        responses={201: InterimOrderSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        proceedings = policies.proceedings_for(viewer, pk, "edit")
        incoming = InterimOrderCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        order = services.interim_order_add(
            actor=viewer, proceedings=proceedings, **incoming.validated_data
        )
        return Response(InterimOrderSerializer(order).data, status=status.HTTP_201_CREATED)
