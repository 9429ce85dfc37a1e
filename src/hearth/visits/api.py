"""Visits for systems: list a child's visits and record one, read one, change it, withdraw it.

Who sees which: staff who may open the child's record (restricted children only for their named
staff); recording, changing and withdrawing also need the permission to edit case records. A visit
or child the caller may not see is 404. A change sends the `version` the caller read: a stale one
is 409, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
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
from hearth.plans.models import Plan, PlanAction

from . import policies, services
from .codes import VisitKind, VisitLocation
from .models import Visit

VIEW = policies.VIEW
EDIT = policies.EDIT

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the visit since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again.",
    )
}


class KindField(serializers.ChoiceField):
    """The type of visit (its enum is `VisitKindEnum` in the schema: ENUM_NAME_OVERRIDES)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=VisitKind.choices, **kwargs)


class LocationField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=VisitLocation.choices, allow_blank=True, **kwargs)


# --- serializers ---------------------------------------------------------------------------------


class VisitSerializer(serializers.ModelSerializer[Visit]):
    kind = KindField(read_only=True)
    location = LocationField(read_only=True)
    visit_date = serializers.SerializerMethodField(help_text="The visit's date in London.")
    worker = serializers.CharField(source="worker.full_name", read_only=True)
    action_ids: serializers.PrimaryKeyRelatedField[PlanAction] = serializers.PrimaryKeyRelatedField(
        source="actions", many=True, read_only=True, help_text="The plan actions it served."
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "version",
            "person_id",
            "kind",
            "visited_at",
            "visit_date",
            "location",
            "child_seen",
            "seen_alone",
            "bedroom_seen",
            "others_present",
            "child_views",
            "observations",
            "reason_not_seen",
            "worker_id",
            "worker",
            "recorded_by_id",
            "plan_id",
            "action_ids",
            "withdrawn_at",
            "withdrawn_reason",
        ]
        read_only_fields = fields

    def get_visit_date(self, visit: Visit) -> dt.date:
        return services.visit_date(visit.visited_at)


class _VisitFields(serializers.Serializer[Any]):
    kind = KindField()
    visited_at = serializers.DateTimeField(help_text="With its time zone; not in the future.")
    location = LocationField(required=False, default="")
    child_seen = serializers.BooleanField()
    seen_alone = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Required when seen."
    )
    bedroom_seen = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only when seen; null if not asked.",
    )
    reason_not_seen = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20_000,
        help_text="Required when the child was not seen.",
    )
    others_present = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )
    child_views = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20_000,
        help_text="The child's views, in their own words.",
    )
    observations = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )
    worker_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Who visited (default: caller)."
    )
    plan_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The child's plan it belongs to."
    )
    action_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Actions of the child's plans (open now or on the visit's day) it served.",
    )


class VisitCreateSerializer(_VisitFields):
    person_id = serializers.IntegerField(help_text="The child visited.")


class VisitPatchSerializer(_VisitFields):
    version = serializers.IntegerField(help_text="The visit's version the caller read.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class VisitWithdrawSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2_000, help_text="Why it was recorded in error.")
    version = serializers.IntegerField(help_text="The visit's version the caller read.")


class VisitFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's visits.")


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _scoped(user: User) -> QuerySet[Visit]:
    return (
        policies.visits_visible_to(user)
        .select_related("worker")
        .prefetch_related("actions")
        .order_by("-visited_at", "-pk")
    )


def _worker(worker_id: int | None) -> User | None:
    if worker_id is None:
        return None
    worker = User.objects.filter(pk=worker_id).first()
    if worker is None:
        raise exceptions.ValidationError({"worker_id": ["No member of staff has this id"]})
    return worker


def _plan(plan_id: int | None, person: Person) -> Plan | None:
    if plan_id is None:
        return None
    plan = Plan.objects.filter(pk=plan_id, person=person).first()
    if plan is None:
        raise exceptions.ValidationError({"plan_id": ["No plan of this child has this id"]})
    return plan


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Visit]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]
    service_error_fields = {
        "actions": "action_ids",
        "worker": "worker_id",
        "plan": "plan_id",
        "person": "person_id",
    }

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


# --- views ---------------------------------------------------------------------------------------


class VisitListView(_Base):
    """List visits (GET) and record one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to list (the children the caller may open), "
        "core.edit_case_records to record; a child the caller may not see is 404"
    )
    serializer_class = VisitSerializer

    @extend_schema(
        summary="List visits",
        description="Visits to the children the caller may open, newest first (withdrawn ones "
        "too, with `withdrawn_at`). With `person`, one child's: 404 if the caller may not see "
        "the child.",
        parameters=[VisitFilterSerializer],
        responses={200: VisitSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = VisitFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        viewer = _viewer(request)
        visits = _scoped(viewer)
        person_id = params.validated_data.get("person")
        if person_id is not None:
            person_for(viewer, person_id)
            visits = visits.filter(person_id=person_id)
        page = self.paginate_queryset(visits)
        return self.get_paginated_response(VisitSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a visit",
        description="A visit to a child the caller may see. Only a visit where the child was seen "
        "meets the child's visit timescale (cin, cp, cla visits and personal adviser contacts).",
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        incoming = VisitCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        viewer = _viewer(request)
        person = person_for(viewer, data.pop("person_id"), action="edit")
        worker = _worker(data.pop("worker_id"))
        plan = _plan(data.pop("plan_id"), person)
        visit = services.visit_record(
            actor=viewer,
            person=person,
            worker=worker,
            plan=plan,
            actions=data.pop("action_ids"),
            **data,
        )
        return Response(
            VisitSerializer(_scoped(viewer).get(pk=visit.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{visit.pk}/"},
        )


class VisitDetailView(_Base):
    """One visit (GET), or a change to it (PATCH). Each read is written to the access log."""

    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to read, core.edit_case_records to change; record "
        "through visits.policies.visit_for"
    )
    serializer_class = VisitSerializer

    @extend_schema(
        summary="One visit",
        responses={200: VisitSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        visit = policies.visit_for(viewer, pk)
        audit.record_view(actor=viewer, obj=visit, person_id=visit.person_id)
        return Response(VisitSerializer(_scoped(viewer).get(pk=pk)).data)

    @extend_schema(
        summary="Change a visit",
        description="Send the fields to change and the `version` read. The previous values are "
        "kept in the audit trail; the visit's clock event follows (withdrawn if the child is "
        "now recorded as not seen). A withdrawn visit cannot be changed (400).",
        request=VisitPatchSerializer,
        responses={200: VisitSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        visit = policies.visit_for(viewer, pk, action="edit")
        incoming = VisitPatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        given = {k: v for k, v in incoming.validated_data.items() if k in request.data}
        version = incoming.validated_data["version"]
        given.pop("version", None)
        data: dict[str, Any] = {}
        for name, value in given.items():
            if name == "worker_id":
                data["worker"] = _worker(value)
            elif name == "plan_id":
                data["plan"] = _plan(value, visit.person)
            elif name == "action_ids":
                data["actions"] = value
            else:
                data[name] = value
        services.visit_update(actor=viewer, visit=visit, data=data, expected_version=version)
        return Response(VisitSerializer(_scoped(viewer).get(pk=pk)).data)


class VisitWithdrawView(_Base):
    """Withdraw a visit recorded in error: it stays, marked, and no longer counts."""

    required_perms = {"POST": (EDIT,)}
    access_rule = "permission: core.edit_case_records; record through visits.policies.visit_for"
    serializer_class = VisitSerializer

    @extend_schema(
        summary="Withdraw a visit (recorded in error)",
        description="The visit stays on record, marked withdrawn with the reason; its clock "
        "event is withdrawn, so the deadline it met is due again.",
        request=VisitWithdrawSerializer,
        responses={200: VisitSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        visit = policies.visit_for(viewer, pk, action="edit")
        incoming = VisitWithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.visit_withdraw(
            actor=viewer,
            visit=visit,
            reason=incoming.validated_data["reason"],
            expected_version=incoming.validated_data["version"],
        )
        return Response(VisitSerializer(_scoped(viewer).get(pk=pk)).data)
