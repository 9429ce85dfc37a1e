"""Child protection conferences, child protection plans and core groups for systems.

Conferences: list (a child's with `?person=`), book, read, rebook (PATCH), record as held (a
conference chair or IRO: `core.chair_reviews`), cancel. A child protection plan: the plan with its
categories of abuse, the number of previous plans and its review conferences. Core groups: list (a
plan's with `?plan=`), record, read, correct.

The same rules as the pages (they call the same services): the CIN census rules on conferences
and plans are a 400 with the reason (and rule number) under the field. A record of a child the
caller may not see is 404. Changes to an existing record send the `version` the caller read: a
stale one is 409, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
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
from hearth.people.policies import person_for
from hearth.plans import policies as plan_policies
from hearth.plans.codes import ActionStatus, PlanKind
from hearth.plans.models import Plan

from .. import policies
from ..codes import (
    Agency,
    CategoryOfAbuse,
    ChildParticipation,
    ConferenceDecision,
    ConferenceKind,
    ConferenceStatus,
    ParentParticipation,
)
from ..models import (
    Conference,
    ConferenceAgency,
    CoreGroup,
    CoreGroupActionProgress,
    CoreGroupAttendee,
)
from ..selectors import conferences as selectors
from ..services import conferences as services
from ..services import core_groups as core_group_services

VIEW = policies.VIEW
EDIT = policies.EDIT
CHAIR = policies.CHAIR

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the record since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again.",
    )
}
RULE = (
    "permission: core.view_case_records to read, core.edit_case_records to change, "
    "core.chair_reviews to record a conference as held; records through protection.policies "
    "(children the caller may see; others 404)"
)


# --- serializers: what is read -------------------------------------------------------------------


class ConferenceAgencySerializer(serializers.ModelSerializer[ConferenceAgency]):
    agency = serializers.ChoiceField(choices=Agency.choices, read_only=True)

    class Meta:
        model = ConferenceAgency
        fields = ["id", "agency", "name", "attended", "report_on_time"]
        read_only_fields = fields


class ConferenceSerializer(serializers.ModelSerializer[Conference]):
    kind = serializers.ChoiceField(choices=ConferenceKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=ConferenceStatus.choices, read_only=True)
    decision = serializers.ChoiceField(
        choices=ConferenceDecision.choices, read_only=True, allow_blank=True
    )
    initial_category = serializers.ChoiceField(
        choices=CategoryOfAbuse.choices, read_only=True, allow_blank=True
    )
    latest_category = serializers.ChoiceField(
        choices=CategoryOfAbuse.choices, read_only=True, allow_blank=True
    )
    parent_participation = serializers.ChoiceField(
        choices=ParentParticipation.choices, read_only=True, allow_blank=True
    )
    child_participation = serializers.ChoiceField(
        choices=ChildParticipation.choices, read_only=True, allow_blank=True
    )
    chair = serializers.CharField(
        source="chair.full_name", read_only=True, allow_null=True, default=None
    )
    agencies = ConferenceAgencySerializer(many=True, read_only=True)

    class Meta:
        model = Conference
        fields = [
            "id",
            "version",
            "person_id",
            "episode_id",
            "kind",
            "status",
            "section_47_id",
            "plan_id",
            "scheduled_on",
            "held_on",
            "chair_id",
            "chair",
            "parent_participation",
            "parents_views",
            "child_participation",
            "child_views",
            "decision",
            "initial_category",
            "latest_category",
            "chair_rationale",
            "dissent",
            "is_quorate",
            "cancelled_reason",
            "agencies",
        ]
        read_only_fields = fields


class ReviewConferenceSerializer(serializers.ModelSerializer[Conference]):
    """A held review conference of a child protection plan (census `CPPreviewDate`)."""

    decision = serializers.ChoiceField(choices=ConferenceDecision.choices, read_only=True)
    latest_category = serializers.ChoiceField(
        choices=CategoryOfAbuse.choices, read_only=True, allow_blank=True
    )

    class Meta:
        model = Conference
        fields = ["id", "held_on", "decision", "latest_category", "is_quorate"]
        read_only_fields = fields


class ChildProtectionPlanSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="plan.pk")
    version = serializers.IntegerField(source="plan.version")
    person_id = serializers.IntegerField(source="plan.person_id")
    episode_id = serializers.IntegerField(source="plan.episode_id", allow_null=True)
    start_date = serializers.DateField(source="plan.start_date")
    end_date = serializers.DateField(source="plan.end_date", allow_null=True)
    end_reason = serializers.CharField(source="plan.end_reason")
    initial_category = serializers.ChoiceField(
        choices=CategoryOfAbuse.choices,
        source="protection.initial_category",
        allow_null=True,
        default=None,
        help_text="Census InitialCategoryOfAbuse.",
    )
    latest_category = serializers.ChoiceField(
        choices=CategoryOfAbuse.choices,
        source="protection.latest_category",
        allow_null=True,
        default=None,
        help_text="Census LatestCategoryOfAbuse.",
    )
    initial_conference_id = serializers.IntegerField(
        source="protection.initial_conference_id", allow_null=True, default=None
    )
    previous_plans = serializers.IntegerField(
        help_text="The child's child protection plans that started before this one (census "
        "NumberOfPreviousCPP)."
    )
    over_legal_gateway = serializers.BooleanField(
        source="over_gateway",
        help_text="An open plan that has lasted over 15 months: discuss it at a legal gateway "
        "meeting.",
    )
    next_review_due = serializers.DateField(
        source="next_review.due_on", allow_null=True, default=None
    )
    next_core_group_due = serializers.DateField(
        source="next_core_group.due_on", allow_null=True, default=None
    )
    reviews = ReviewConferenceSerializer(many=True, help_text="Held review conferences.")
    conference_ids = serializers.SerializerMethodField()
    core_group_ids = serializers.SerializerMethodField()

    def get_conference_ids(self, section: selectors.ProtectionSection) -> list[int]:
        return [c.pk for c in section.conferences]

    def get_core_group_ids(self, section: selectors.ProtectionSection) -> list[int]:
        return [g.pk for g in section.core_groups]


class CoreGroupAttendeeSerializer(serializers.ModelSerializer[CoreGroupAttendee]):
    agency = serializers.ChoiceField(choices=Agency.choices, read_only=True)

    class Meta:
        model = CoreGroupAttendee
        fields = ["agency", "name", "attended"]
        read_only_fields = fields


class CoreGroupProgressSerializer(serializers.ModelSerializer[CoreGroupActionProgress]):
    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)

    class Meta:
        model = CoreGroupActionProgress
        fields = ["action_id", "status", "note"]
        read_only_fields = fields


class CoreGroupSerializer(serializers.ModelSerializer[CoreGroup]):
    recorded_by = serializers.CharField(
        source="recorded_by.full_name", read_only=True, allow_null=True, default=None
    )
    attendees = CoreGroupAttendeeSerializer(many=True, read_only=True)
    progress = CoreGroupProgressSerializer(many=True, read_only=True)

    class Meta:
        model = CoreGroup
        fields = [
            "id",
            "version",
            "plan_id",
            "held_on",
            "summary",
            "child_views",
            "next_meeting_on",
            "recorded_by",
            "attendees",
            "progress",
        ]
        read_only_fields = fields


# --- serializers: what is sent -------------------------------------------------------------------


class ConferenceFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's conferences.")


class InvitedAgencySerializer(serializers.Serializer[Any]):
    agency = serializers.ChoiceField(choices=Agency.choices)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ConferenceBookSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    episode_id = serializers.IntegerField(help_text="The child in need episode it belongs to.")
    kind = serializers.ChoiceField(choices=ConferenceKind.choices)
    scheduled_on = serializers.DateField()
    chair_id = serializers.IntegerField(help_text="A conference chair or IRO.")
    section_47_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The enquiry an initial or pre-birth conference follows.",
    )
    plan_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The child protection plan a review conference reviews (the open one if left "
        "out).",
    )
    agencies = InvitedAgencySerializer(many=True, required=False, default=list)


class VersionedSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")


class ConferenceRebookSerializer(VersionedSerializer):
    scheduled_on = serializers.DateField(required=False)
    chair_id = serializers.IntegerField(required=False)
    add_agencies = InvitedAgencySerializer(
        many=True,
        required=False,
        default=list,
        help_text="More agencies to invite (invitations are never taken back).",
    )


class AttendanceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An invited agency's id; leave out for an agency that came uninvited.",
    )
    agency = serializers.ChoiceField(choices=Agency.choices, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    attended = serializers.BooleanField()
    report_on_time = serializers.BooleanField(
        allow_null=True, default=None, help_text="Null: no report was asked for."
    )


class ConferenceHeldSerializer(VersionedSerializer):
    held_on = serializers.DateField()
    agencies = AttendanceSerializer(
        many=True, help_text="Every invited agency's attendance, and any that came uninvited."
    )
    parent_participation = serializers.ChoiceField(choices=ParentParticipation.choices)
    parents_views = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=""
    )
    child_participation = serializers.ChoiceField(
        choices=ChildParticipation.choices, help_text="PN0 if and only if the child is under 4."
    )
    child_views = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=""
    )
    decision = serializers.ChoiceField(choices=ConferenceDecision.choices)
    initial_category = serializers.ChoiceField(
        choices=CategoryOfAbuse.choices, required=False, allow_blank=True, default=""
    )
    latest_category = serializers.ChoiceField(
        choices=CategoryOfAbuse.choices, required=False, allow_blank=True, default=""
    )
    chair_rationale = serializers.CharField(max_length=20_000, help_text="At least 10 words.")
    dissent = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class ConferenceCancelSerializer(VersionedSerializer):
    reason = serializers.CharField(max_length=20_000)


class CoreGroupFilterSerializer(serializers.Serializer[Any]):
    plan = serializers.IntegerField(required=False, help_text="Only this plan's core groups.")


class CoreGroupMemberSerializer(serializers.Serializer[Any]):
    agency = serializers.ChoiceField(choices=Agency.choices)
    name = serializers.CharField(max_length=200)
    attended = serializers.BooleanField(default=True, help_text="False: sent apologies.")


class CoreGroupProgressInputSerializer(serializers.Serializer[Any]):
    action = serializers.IntegerField(help_text="An action of this plan.")
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class CoreGroupCreateSerializer(serializers.Serializer[Any]):
    plan_id = serializers.IntegerField(help_text="An open child protection plan.")
    held_on = serializers.DateField()
    summary = serializers.CharField(max_length=20_000)
    child_views = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=""
    )
    next_meeting_on = serializers.DateField(required=False, allow_null=True, default=None)
    attendees = CoreGroupMemberSerializer(many=True)
    progress = CoreGroupProgressInputSerializer(many=True, required=False, default=list)


class CoreGroupChangeSerializer(VersionedSerializer):
    held_on = serializers.DateField(required=False)
    summary = serializers.CharField(max_length=20_000, required=False)
    child_views = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    next_meeting_on = serializers.DateField(required=False, allow_null=True)


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _chair(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    chair = User.objects.filter(pk=user_id, is_active=True).first()
    if chair is None:
        raise exceptions.ValidationError({"chair_id": ["No active member of staff has this id"]})
    return chair


def _conferences() -> QuerySet[Conference]:
    return Conference.objects.select_related("chair").prefetch_related(
        Prefetch("agencies", queryset=ConferenceAgency.objects.order_by("agency", "pk"))
    )


def _conference_data(pk: int) -> dict[str, Any]:
    return ConferenceSerializer(_conferences().get(pk=pk)).data


def _core_groups() -> QuerySet[CoreGroup]:
    return CoreGroup.objects.select_related("recorded_by").prefetch_related("attendees", "progress")


def _core_group_data(pk: int) -> dict[str, Any]:
    return CoreGroupSerializer(_core_groups().get(pk=pk)).data


def _cp_plan(user: User, pk: int, action: str = "view") -> Plan:
    plan = plan_policies.plan_for(user, pk, action=action)
    if plan.kind != PlanKind.CP:
        raise Http404("Not a child protection plan")
    return plan


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


# --- conferences ---------------------------------------------------------------------------------


class ConferenceListView(_Base):
    """Conferences of children the caller may see (GET ?person=), and booking one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = RULE
    serializer_class = ConferenceSerializer

    @extend_schema(
        summary="List conferences",
        description="Latest first.",
        parameters=[ConferenceFilterSerializer],
        responses={200: ConferenceSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = ConferenceFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = policies.visible(_viewer(request), Conference)
        if params.validated_data.get("person"):
            found = found.filter(person_id=params.validated_data["person"])
        listed = _conferences().filter(pk__in=found.values("pk")).order_by("-scheduled_on", "-pk")
        page = self.paginate_queryset(listed)
        return self.get_paginated_response(ConferenceSerializer(page, many=True).data)

    @extend_schema(
        summary="Book a conference",
        description="An initial conference follows a section 47 enquiry (the child's, in that "
        "episode, not concluded); a review needs the child's open child protection plan; a "
        "transfer-in has no enquiry; a pre-birth one is for an unborn child. The chair (a "
        "conference chair or IRO) is given a conference chair role on the child's case.",
        request=ConferenceBookSerializer,
        responses={201: ConferenceSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = ConferenceBookSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        viewer = _viewer(request)
        try:
            person = person_for(viewer, data["person_id"], action="edit")
        except Http404:
            raise exceptions.ValidationError(
                {"person_id": ["No child record with this id"]}
            ) from None
        episode = ChildInNeedEpisode.objects.filter(pk=data["episode_id"], person=person).first()
        if episode is None:
            raise exceptions.ValidationError(
                {"episode_id": ["This child has no child in need episode with this id"]}
            )
        enquiry = plan = None
        if data["section_47_id"] is not None:
            try:
                enquiry = policies.enquiry_for(viewer, data["section_47_id"], action="edit")
            except Http404:
                raise exceptions.ValidationError(
                    {"section_47_id": ["No section 47 enquiry with this id"]}
                ) from None
        if data["plan_id"] is not None:
            try:
                plan = _cp_plan(viewer, data["plan_id"])
            except Http404:
                raise exceptions.ValidationError(
                    {"plan_id": ["No child protection plan with this id"]}
                ) from None
        conference = services.conference_book(
            actor=viewer,
            person=person,
            episode=episode,
            kind=data["kind"],
            scheduled_on=data["scheduled_on"],
            chair=_chair(data["chair_id"]),
            section_47=enquiry,
            plan=plan,
            agencies=data["agencies"],
        )
        return Response(
            _conference_data(conference.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{conference.pk}/"},
        )


class ConferenceDetailView(_Base):
    """One conference (each read is logged), and rebooking it (PATCH)."""

    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = RULE
    serializer_class = ConferenceSerializer
    service_error_fields = {"chair": "chair_id", "agencies": "add_agencies"}

    @extend_schema(
        summary="One conference",
        responses={200: ConferenceSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        conference = policies.conference_for(viewer, pk)
        audit.record_view(
            actor=viewer, obj=conference, person_id=conference.person_id, detail="Conference (API)"
        )
        return Response(_conference_data(pk))

    @extend_schema(
        summary="Rebook a conference",
        description="Another date or chair, or more agencies invited; only while it is booked.",
        request=ConferenceRebookSerializer,
        responses={200: ConferenceSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        conference = policies.conference_for(viewer, pk, action="edit")
        incoming = ConferenceRebookSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.conference_rebook(
            actor=viewer,
            conference=conference,
            scheduled_on=data.get("scheduled_on"),
            chair=_chair(data.get("chair_id")),
            add_agencies=data["add_agencies"],
            expected_version=data["version"],
        )
        return Response(_conference_data(pk))


class ConferenceHeldView(_Base):
    required_perms = {"POST": (CHAIR,)}
    access_rule = RULE
    serializer_class = ConferenceSerializer

    @extend_schema(
        summary="Record a conference as held",
        description="A conference chair or IRO only. Checks the census rules (8615, 8875, 2884, "
        "1104, 8565, 8915, 8841, 4003, 8935). An initial conference records `icpc` and concludes "
        "its enquiry; deciding a plan ends any open child in need plan and starts the child "
        "protection plan on the conference date. A review records `rcpc` and may end the plan.",
        request=ConferenceHeldSerializer,
        responses={200: ConferenceSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        conference = policies.conference_for(viewer, pk, action="chair")
        incoming = ConferenceHeldSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        services.conference_record(
            actor=viewer, conference=conference, expected_version=version, **data
        )
        return Response(_conference_data(pk))


class ConferenceCancelView(_Base):
    required_perms = {"POST": (EDIT,)}
    access_rule = RULE
    serializer_class = ConferenceSerializer

    @extend_schema(
        summary="Cancel a conference",
        description="Only while it is booked; the reason is kept and nothing is deleted.",
        request=ConferenceCancelSerializer,
        responses={200: ConferenceSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        conference = policies.conference_for(viewer, pk, action="edit")
        incoming = ConferenceCancelSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.conference_cancel(
            actor=viewer,
            conference=conference,
            reason=data["reason"],
            expected_version=data["version"],
        )
        return Response(_conference_data(pk))


# --- child protection plans ----------------------------------------------------------------------


class ChildProtectionPlanView(_Base):
    required_perms = {"GET": (VIEW,)}
    access_rule = RULE
    serializer_class = ChildProtectionPlanSerializer

    @extend_schema(
        summary="One child protection plan",
        description="The plan (a `plans` plan of kind `cp`: its needs, risks and actions are at "
        "`/api/plans/<id>/`) with its categories of abuse, the number of previous plans, its "
        "held review conferences and what is due next.",
        responses={200: ChildProtectionPlanSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, plan_pk: int) -> Response:
        viewer = _viewer(request)
        plan = _cp_plan(viewer, plan_pk)
        audit.record_view(
            actor=viewer, obj=plan, person_id=plan.person_id, detail="Child protection plan (API)"
        )
        return Response(ChildProtectionPlanSerializer(selectors.protection_section(plan)).data)


# --- core groups ---------------------------------------------------------------------------------


class CoreGroupListView(_Base):
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = RULE
    serializer_class = CoreGroupSerializer

    @extend_schema(
        summary="List core groups",
        description="Latest first.",
        parameters=[CoreGroupFilterSerializer],
        responses={200: CoreGroupSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = CoreGroupFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = policies.visible(_viewer(request), CoreGroup, "plan__person")
        if params.validated_data.get("plan"):
            found = found.filter(plan_id=params.validated_data["plan"])
        listed = _core_groups().filter(pk__in=found.values("pk")).order_by("-held_on", "-pk")
        page = self.paginate_queryset(listed)
        return self.get_paginated_response(CoreGroupSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a core group",
        description="Of an open child protection plan, held within its dates and not in the "
        "future. Progress is for this plan's actions only, and each status is also set on the "
        "action. Records `core-group` on the child's clocks.",
        request=CoreGroupCreateSerializer,
        responses={201: CoreGroupSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = CoreGroupCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        try:
            plan = _cp_plan(viewer, data.pop("plan_id"), action="edit")
        except Http404:
            raise exceptions.ValidationError(
                {"plan_id": ["No child protection plan with this id"]}
            ) from None
        core_group = core_group_services.core_group_record(actor=viewer, plan=plan, **data)
        return Response(
            _core_group_data(core_group.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{core_group.pk}/"},
        )


class CoreGroupDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = RULE
    serializer_class = CoreGroupSerializer

    @extend_schema(
        summary="One core group",
        responses={200: CoreGroupSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        core_group = policies.core_group_for(viewer, pk)
        audit.record_view(
            actor=viewer,
            obj=core_group,
            person_id=core_group.plan.person_id,
            detail="Core group (API)",
        )
        return Response(_core_group_data(pk))

    @extend_schema(
        summary="Correct a core group",
        description="Its date, summary, the child's views or the next meeting.",
        request=CoreGroupChangeSerializer,
        responses={200: CoreGroupSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        core_group = policies.core_group_for(viewer, pk, action="edit")
        incoming = CoreGroupChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        core_group_services.core_group_update(
            actor=viewer, core_group=core_group, data=data, expected_version=version
        )
        return Response(_core_group_data(pk))


urlpatterns: list[URLPattern] = [
    path("conferences/", ConferenceListView.as_view(), name="conference-list"),
    path("conferences/<int:pk>/", ConferenceDetailView.as_view(), name="conference-detail"),
    path("conferences/<int:pk>/held/", ConferenceHeldView.as_view(), name="conference-held"),
    path("conferences/<int:pk>/cancel/", ConferenceCancelView.as_view(), name="conference-cancel"),
    path(
        "child-protection-plans/<int:plan_pk>/",
        ChildProtectionPlanView.as_view(),
        name="cp-plan-detail",
    ),
    path("core-groups/", CoreGroupListView.as_view(), name="core-group-list"),
    path("core-groups/<int:pk>/", CoreGroupDetailView.as_view(), name="core-group-detail"),
]
