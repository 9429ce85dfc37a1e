"""Allocations, caseloads and unallocated children for systems (BI tools, the council's portal).

Reading allocations needs case records and returns only children the caller may see; allocating
and ending need `core.manage_allocations`. A lead allocation that would take the worker past
their team's caseload threshold is refused with 409 and the warning, unless the request carries
`over_threshold_reason`, as the web page asks the manager to confirm.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.core.api.common import MethodPermissions, ServiceErrorsMixin, error_responses
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError
from hearth.people.policies import person_for

from . import policies, selectors, services
from .codes import CaseRole, ChangeReason, EndReason
from .models import Allocation

VIEW = policies.VIEW
MANAGE = policies.MANAGE


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class AllocationSerializer(serializers.ModelSerializer[Allocation]):
    worker_name = serializers.CharField(source="worker.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default="")

    class Meta:
        model = Allocation
        fields = [
            "id",
            "person",
            "role",
            "worker",
            "worker_name",
            "team",
            "team_name",
            "start_date",
            "end_date",
            "reason",
            "end_reason",
            "over_threshold_reason",
            "version",
        ]
        read_only_fields = fields


class AllocateSerializer(serializers.Serializer[Any]):
    person_ids = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=1,
        max_length=10,
        help_text="The child, or brothers and sisters allocated together.",
    )
    worker = serializers.IntegerField()
    role = serializers.ChoiceField(choices=CaseRole.choices, default=CaseRole.LEAD_SOCIAL_WORKER)
    start_date = serializers.DateField(required=False)
    reason = serializers.ChoiceField(choices=ChangeReason.choices)
    team = serializers.IntegerField(required=False)
    over_threshold_reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EndSerializer(serializers.Serializer[Any]):
    end_date = serializers.DateField()
    end_reason = serializers.ChoiceField(
        choices=[c for c in EndReason.choices if c[0] != EndReason.REALLOCATED]
    )
    version = serializers.IntegerField(required=False)


class AllocationListView(ServiceErrorsMixin, generics.GenericAPIView[Allocation]):
    """List allocations (GET) and allocate (POST)."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    required_perms = {"GET": (VIEW,), "POST": (MANAGE,)}
    access_rule = (
        "permission: core.view_case_records to list (only children the caller may see), "
        "core.manage_allocations to allocate"
    )
    serializer_class = AllocationSerializer
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Allocation]:
        rows = policies.allocations_visible_to(_viewer(self.request)).select_related(
            "worker", "team"
        )
        params = self.request.query_params
        if params.get("person", "").isdigit():
            rows = rows.filter(person_id=int(params["person"]))
        if params.get("worker", "").isdigit():
            rows = rows.filter(worker_id=int(params["worker"]))
        if params.get("current") in ("true", "1"):
            rows = rows.filter(end_date__isnull=True)
        return rows.order_by("-start_date", "-id")

    @extend_schema(
        summary="List allocations",
        parameters=[
            OpenApiParameter("person", int, description="Only this child's."),
            OpenApiParameter("worker", int, description="Only this worker's."),
            OpenApiParameter("current", bool, description="Only current ones."),
        ],
        responses={200: AllocationSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AllocationSerializer(page, many=True).data)

    @extend_schema(
        summary="Allocate children to a worker",
        request=AllocateSerializer,
        responses={
            201: AllocationSerializer(many=True),
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def post(self, request: Request) -> Response:
        viewer = _viewer(request)
        data = AllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        people = [person_for(viewer, pk, "edit") for pk in d["person_ids"]]
        worker = get_object_or_404(User, pk=d["worker"])
        team = get_object_or_404(Team, pk=d["team"]) if d.get("team") else None
        try:
            created = services.allocate(
                actor=viewer,
                people=people,
                worker=worker,
                role=d["role"],
                start_date=d.get("start_date") or timezone.localdate(),
                reason=d["reason"],
                team=team,
                over_threshold_reason=d["over_threshold_reason"],
                note=d["note"],
            )
        except services.ThresholdWarning as exc:
            return Response(
                {
                    "detail": "Allocating would take the worker above their caseload threshold: "
                    "send again with over_threshold_reason (at least 5 words) to confirm.",
                    "warnings": exc.warnings,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            AllocationSerializer(created, many=True).data, status=status.HTTP_201_CREATED
        )


class AllocationDetailView(ServiceErrorsMixin, generics.GenericAPIView[Allocation]):
    """One allocation (GET); end it (POST to .../end/ is the web form's job; here PATCH)."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    required_perms = {"GET": (VIEW,), "PATCH": (MANAGE,)}
    access_rule = "permission: core.view_case_records to read, core.manage_allocations to end"
    serializer_class = AllocationSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        summary="One allocation",
        responses={200: AllocationSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(AllocationSerializer(policies.allocation_for(_viewer(request), pk)).data)

    @extend_schema(
        summary="End an allocation",
        request=EndSerializer,
        responses={200: AllocationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        allocation = policies.allocation_for(viewer, pk, "edit")
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.allocation_end(
                actor=viewer,
                allocation=allocation,
                end_date=data.validated_data["end_date"],
                end_reason=data.validated_data["end_reason"],
                expected_version=data.validated_data.get("version"),
            )
        except ConcurrentEditError:
            return Response(
                {"detail": ConcurrentEditError.message}, status=status.HTTP_409_CONFLICT
            )
        allocation.refresh_from_db()
        return Response(AllocationSerializer(allocation).data)


class CaseloadSerializer(serializers.Serializer[Any]):
    worker = serializers.IntegerField(source="worker.pk")
    worker_name = serializers.CharField(source="worker.full_name")
    team = serializers.IntegerField(source="team.pk", allow_null=True)
    employment_type = serializers.CharField(source="worker.employment_type")
    fte = serializers.DecimalField(max_digits=3, decimal_places=2)
    children = serializers.IntegerField()
    by_type = serializers.DictField(child=serializers.IntegerField())
    units = serializers.DecimalField(max_digits=8, decimal_places=2)
    units_per_fte = serializers.DecimalField(max_digits=8, decimal_places=1)
    amber_units = serializers.DecimalField(max_digits=8, decimal_places=2)
    red_units = serializers.DecimalField(max_digits=8, decimal_places=2)
    status = serializers.CharField()


class CaseloadListView(generics.GenericAPIView[Any]):
    """Caseloads of every case-holding worker in the teams the caller oversees."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    required_perms = {"GET": (MANAGE, policies.PERFORMANCE)}
    access_rule = (
        "permission: core.manage_allocations (teams the caller oversees) or "
        "core.view_performance (every team)"
    )
    serializer_class = CaseloadSerializer

    @extend_schema(
        summary="Caseloads by worker",
        parameters=[OpenApiParameter("team", int, description="Only this team.")],
        responses={200: CaseloadSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        teams = policies.teams_for_caseloads(_viewer(request))
        team = request.query_params.get("team", "")
        if team.isdigit():
            teams = teams.filter(pk=get_object_or_404(teams, pk=int(team)).pk)
        loads = selectors.caseloads(teams=teams)
        return Response(CaseloadSerializer(loads, many=True).data)


class UnallocatedSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(source="person_id")
    child_id = serializers.CharField()
    episode_type = serializers.CharField()
    opened_on = serializers.DateField()
    unallocated_since = serializers.DateField()
    days_unallocated = serializers.SerializerMethodField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    rating = serializers.CharField()
    markers = serializers.ListField(child=serializers.CharField())

    def get_days_unallocated(self, obj: selectors.UnallocatedChild) -> int:
        today: dt.date = self.context["today"]
        return obj.days(today)


class UnallocatedListView(generics.GenericAPIView[Any]):
    """Children with an open episode and no lead social worker, in the caller's teams."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    required_perms = {"GET": (MANAGE,)}
    access_rule = "permission: core.manage_allocations (teams the caller oversees)"
    serializer_class = UnallocatedSerializer

    @extend_schema(
        summary="Unallocated children",
        responses={200: UnallocatedSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        children = selectors.unallocated_children(
            teams=policies.teams_for_caseloads(_viewer(request))
        )
        context = {"today": timezone.localdate()}
        return Response(UnallocatedSerializer(children, many=True, context=context).data)
