"""Risk assessments and missing episodes for systems: list a child's, record one, read one, change
one (with the `version` read: a stale one is 409), close a risk, record a return and a return
interview.

Same policies as the pages: staff who may open the child's record read them (restricted children
only for their named staff); staff who may edit case records write them. A record or child the
caller may not see is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404
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
from .codes import MissingFrom, MissingKind, RiskKind, RiskLevel
from .models import MissingEpisode, RiskAssessment

VIEW, EDIT = policies.VIEW, policies.EDIT

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the record since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again.",
    )
}


# --- serializers ---------------------------------------------------------------------------------


class RiskAssessmentSerializer(serializers.ModelSerializer[RiskAssessment]):
    risk_kind = serializers.ChoiceField(source="kind", choices=RiskKind.choices, read_only=True)
    risk_level = serializers.ChoiceField(source="level", choices=RiskLevel.choices, read_only=True)
    assessor = serializers.CharField(source="assessor.full_name", read_only=True)
    next_review_due = serializers.SerializerMethodField(
        help_text="Worked out from the date assessed and the council's review period; null when "
        "closed."
    )
    review_overdue = serializers.SerializerMethodField()

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "version",
            "person_id",
            "risk_kind",
            "risk_level",
            "assessed_on",
            "assessor_id",
            "assessor",
            "summary",
            "indicators",
            "protective_factors",
            "actions",
            "next_review_due",
            "review_overdue",
            "closed_on",
            "closed_reason",
            "closed_by_id",
            "created_at",
        ]
        read_only_fields = fields

    def _clock(self) -> selectors.ReviewClock:
        clock = self.context.get("clock")
        if clock is None:
            clock = self.context["clock"] = selectors.ReviewClock.now()
        return clock

    def get_next_review_due(self, obj: RiskAssessment) -> str | None:
        if obj.closed_on is not None:
            return None
        return self._clock().due(obj.assessed_on).isoformat()

    def get_review_overdue(self, obj: RiskAssessment) -> bool:
        clock = self._clock()
        return obj.closed_on is None and clock.due(obj.assessed_on) < clock.today


class RiskCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    risk_kind = serializers.ChoiceField(choices=RiskKind.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    assessed_on = serializers.DateField()
    assessor_id = serializers.IntegerField(
        required=False, help_text="Who assessed the risk; by default the caller."
    )
    summary = serializers.CharField(max_length=10_000)
    indicators = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    protective_factors = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    actions = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class RiskPatchSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version the caller read.")
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    assessed_on = serializers.DateField(required=False)
    assessor_id = serializers.IntegerField(required=False)
    summary = serializers.CharField(max_length=10_000, required=False)
    indicators = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    protective_factors = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    actions = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class RiskCloseSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version the caller read.")
    closed_on = serializers.DateField()
    closed_reason = serializers.CharField(max_length=10_000)


class MissingEpisodeSerializer(serializers.ModelSerializer[MissingEpisode]):
    missing_from = serializers.ChoiceField(choices=MissingFrom.choices, read_only=True)
    missing_or_away = serializers.ChoiceField(
        source="kind",
        choices=MissingKind.choices,
        read_only=True,
        help_text="SSDA903 MISSING: M missing, A away without authorisation.",
    )
    rhi_due_at = serializers.SerializerMethodField(
        help_text="72 hours after the return; null while the child is missing."
    )
    rhi_offered_in_time = serializers.SerializerMethodField()

    class Meta:
        model = MissingEpisode
        fields = [
            "id",
            "version",
            "person_id",
            "missing_from",
            "missing_or_away",
            "started_at",
            "ended_at",
            "where_found",
            "reported_to_police",
            "police_reference",
            "rhi_offered_at",
            "rhi_accepted",
            "rhi_completed_on",
            "rhi_by_id",
            "rhi_by_agency",
            "rhi_findings",
            "rhi_due_at",
            "rhi_offered_in_time",
            "created_at",
        ]
        read_only_fields = fields

    def get_rhi_due_at(self, obj: MissingEpisode) -> str | None:
        if obj.ended_at is None:
            return None
        return (obj.ended_at + _rhi_delta()).isoformat()

    def get_rhi_offered_in_time(self, obj: MissingEpisode) -> bool | None:
        if obj.ended_at is None or obj.rhi_offered_at is None:
            return None
        return obj.rhi_offered_at <= obj.ended_at + _rhi_delta()


def _rhi_delta() -> dt.timedelta:
    return dt.timedelta(hours=selectors.rhi_hours())


class MissingCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    missing_from = serializers.ChoiceField(choices=MissingFrom.choices)
    missing_or_away = serializers.ChoiceField(choices=MissingKind.choices, default="M")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    where_found = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    reported_to_police = serializers.BooleanField(default=False)
    police_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)


class MissingPatchSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version the caller read.")
    missing_from = serializers.ChoiceField(choices=MissingFrom.choices, required=False)
    missing_or_away = serializers.ChoiceField(choices=MissingKind.choices, required=False)
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    where_found = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    reported_to_police = serializers.BooleanField(required=False)
    police_reference = serializers.CharField(max_length=40, required=False, allow_blank=True)
    rhi_offered_at = serializers.DateTimeField(required=False, allow_null=True)
    rhi_accepted = serializers.BooleanField(required=False, allow_null=True)
    rhi_completed_on = serializers.DateField(required=False, allow_null=True)
    rhi_by_id = serializers.IntegerField(required=False, allow_null=True)
    rhi_by_agency = serializers.CharField(max_length=150, required=False, allow_blank=True)
    rhi_findings = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class PersonFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's.")


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _child(user: User, person_id: int) -> Person:
    try:
        return person_for(user, person_id, "edit")
    except Http404:
        raise exceptions.ValidationError({"person_id": ["No child record with this id"]}) from None


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    found = User.objects.filter(pk=pk).first()
    if found is None:
        raise exceptions.ValidationError({field: ["No member of staff with this id"]})
    return found


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]
    service_error_fields = {
        "kind": "risk_kind",
        "level": "risk_level",
        "assessor": "assessor_id",
        "rhi_by": "rhi_by_id",
    }

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


# --- risk assessments ----------------------------------------------------------------------------


class RiskAssessmentListView(_Base):
    """List risk assessments (GET, ?person=) and record one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to list (children the caller may open), "
        "core.edit_case_records to record"
    )
    serializer_class = RiskAssessmentSerializer

    @extend_schema(
        summary="List risk assessments",
        parameters=[PersonFilterSerializer],
        responses={200: RiskAssessmentSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = PersonFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = policies.risk_assessments_visible_to(_viewer(request)).select_related("assessor")
        if params.validated_data.get("person"):
            rows = rows.filter(person_id=params.validated_data["person"])
        page = self.paginate_queryset(rows.order_by("-assessed_on", "-pk"))
        context = {"clock": selectors.ReviewClock.now()}
        return self.get_paginated_response(
            RiskAssessmentSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        summary="Record a risk assessment",
        description="The first of its kind for the child, a review of the last one, or a new one "
        "after the risk was closed. Its review falls due on the council's risk-assessment-review "
        "period.",
        request=RiskCreateSerializer,
        responses={201: RiskAssessmentSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = RiskCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        viewer = _viewer(request)
        assessor = _user(data.get("assessor_id"), "assessor_id") or viewer
        created = services.risk_assessment_record(
            actor=viewer,
            person=_child(viewer, data["person_id"]),
            kind=data["risk_kind"],
            level=data["risk_level"],
            assessed_on=data["assessed_on"],
            assessor=assessor,
            summary=data["summary"],
            indicators=data.get("indicators", ""),
            protective_factors=data.get("protective_factors", ""),
            actions=data.get("actions", ""),
        )
        return Response(
            RiskAssessmentSerializer(created).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{created.pk}/"},
        )


class RiskAssessmentDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to read, core.edit_case_records to change; record "
        "through safeguarding.policies.risk_assessment_for"
    )
    serializer_class = RiskAssessmentSerializer

    @extend_schema(
        summary="One risk assessment",
        responses={200: RiskAssessmentSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        assessment = policies.risk_assessment_for(viewer, pk)
        audit.record_view(actor=viewer, obj=assessment, person_id=assessment.person_id)
        return Response(RiskAssessmentSerializer(assessment).data)

    @extend_schema(
        summary="Correct a risk assessment",
        description="Only the latest of its kind, and not a closed one. The kind cannot change.",
        request=RiskPatchSerializer,
        responses={
            200: RiskAssessmentSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        assessment = policies.risk_assessment_for(viewer, pk, "edit")
        incoming = RiskPatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        changes: dict[str, Any] = {}
        renames = {"risk_level": "level"}
        for name, value in data.items():
            if name == "assessor_id":
                changes["assessor"] = _user(value, "assessor_id")
            else:
                changes[renames.get(str(name), str(name))] = value
        updated = services.risk_assessment_update(
            actor=viewer, assessment=assessment, data=changes, expected_version=version
        )
        return Response(RiskAssessmentSerializer(updated).data)


class RiskAssessmentCloseView(_Base):
    required_perms = {"POST": (EDIT,)}
    access_rule = (
        "permission: core.edit_case_records; record through "
        "safeguarding.policies.risk_assessment_for"
    )
    serializer_class = RiskAssessmentSerializer

    @extend_schema(
        summary="Close a risk: it no longer applies",
        request=RiskCloseSerializer,
        responses={
            200: RiskAssessmentSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        assessment = policies.risk_assessment_for(viewer, pk, "edit")
        incoming = RiskCloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        closed = services.risk_assessment_close(
            actor=viewer,
            assessment=assessment,
            closed_on=data["closed_on"],
            reason=data["closed_reason"],
            expected_version=data["version"],
        )
        return Response(RiskAssessmentSerializer(closed).data)


# --- missing episodes ----------------------------------------------------------------------------


class MissingEpisodeListView(_Base):
    """List missing episodes (GET, ?person=) and record one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to list (children the caller may open), "
        "core.edit_case_records to record"
    )
    serializer_class = MissingEpisodeSerializer
    service_error_fields = {**_Base.service_error_fields, "kind": "missing_or_away"}

    @extend_schema(
        summary="List missing episodes",
        parameters=[PersonFilterSerializer],
        responses={200: MissingEpisodeSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = PersonFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = policies.missing_episodes_visible_to(_viewer(request))
        if params.validated_data.get("person"):
            rows = rows.filter(person_id=params.validated_data["person"])
        page = self.paginate_queryset(rows.order_by("-started_at", "-pk"))
        return self.get_paginated_response(MissingEpisodeSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a missing episode",
        description="With `ended_at`, the return: the 72-hour return interview clock starts. The "
        "child's lead worker and their manager are told if the child has no current "
        "exploitation or missing risk assessment.",
        request=MissingCreateSerializer,
        responses={201: MissingEpisodeSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = MissingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        viewer = _viewer(request)
        created = services.missing_episode_record(
            actor=viewer,
            person=_child(viewer, data["person_id"]),
            missing_from=data["missing_from"],
            kind=data["missing_or_away"],
            started_at=data["started_at"],
            ended_at=data.get("ended_at"),
            where_found=data.get("where_found", ""),
            reported_to_police=data["reported_to_police"],
            police_reference=data.get("police_reference", ""),
        )
        return Response(
            MissingEpisodeSerializer(created).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{created.pk}/"},
        )


RHI_NAMES = {
    "rhi_offered_at": "offered_at",
    "rhi_accepted": "accepted",
    "rhi_completed_on": "completed_on",
    "rhi_by_id": "by",
    "rhi_by_agency": "by_agency",
    "rhi_findings": "findings",
}


class MissingEpisodeDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to read, core.edit_case_records to change; record "
        "through safeguarding.policies.missing_episode_for"
    )
    serializer_class = MissingEpisodeSerializer
    service_error_fields = {**_Base.service_error_fields, "kind": "missing_or_away"}

    @extend_schema(
        summary="One missing episode",
        responses={200: MissingEpisodeSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        episode = policies.missing_episode_for(viewer, pk)
        audit.record_view(actor=viewer, obj=episode, person_id=episode.person_id)
        return Response(MissingEpisodeSerializer(episode).data)

    @extend_schema(
        summary="Change a missing episode: its details, the return, the return interview",
        description="Send only what changes. `ended_at` records the return (the 72-hour clock "
        "starts); the `rhi_` fields record the return interview (the offer meets the clock). "
        "Both in one request are saved together or not at all.",
        request=MissingPatchSerializer,
        responses={
            200: MissingEpisodeSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        episode = policies.missing_episode_for(viewer, pk, "edit")
        incoming = MissingPatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        details = {
            ("kind" if name == "missing_or_away" else name): value
            for name, value in data.items()
            if name not in RHI_NAMES
        }
        interview = {name: value for name, value in data.items() if name in RHI_NAMES}
        with transaction.atomic():
            if details:
                episode = services.missing_episode_update(
                    actor=viewer, episode=episode, data=details, expected_version=version
                )
                version = episode.version
            if interview:
                current: dict[str, Any] = {
                    "offered_at": episode.rhi_offered_at,
                    "accepted": episode.rhi_accepted,
                    "completed_on": episode.rhi_completed_on,
                    "by": episode.rhi_by,
                    "by_agency": episode.rhi_by_agency,
                    "findings": episode.rhi_findings,
                }
                for name, value in interview.items():
                    key = RHI_NAMES[name]
                    current[key] = _user(value, "rhi_by_id") if key == "by" else value
                episode = services.return_interview_record(
                    actor=viewer, episode=episode, expected_version=version, **current
                )
        return Response(MissingEpisodeSerializer(episode).data)
