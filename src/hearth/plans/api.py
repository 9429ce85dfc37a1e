"""Plans for systems: a child's plans, one plan with its needs and risks, actions and reviews;
start a child in need plan, add needs, risks, actions and reviews, set an action's status, change
the contingency plan and end a plan.

The same rules as the pages (they call the same services): an action with no linked need or risk,
no owner or no due date is a 400 with the reason under the field; so are the CIN census rules on a
plan's dates. A plan of a child the caller may not see is 404. Changes to an existing record send
the `version` the caller read: a stale one is 409, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
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

from . import policies, selectors, services
from .codes import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    NeedKind,
    NeedStatus,
    PlanKind,
    ReviewDecision,
)
from .models import Plan, PlanAction, PlanNeed, PlanReview

VIEW = policies.VIEW
EDIT = policies.EDIT

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the record since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again.",
    )
}


# --- serializers ---------------------------------------------------------------------------------


class NeedSerializer(serializers.ModelSerializer[PlanNeed]):
    kind = serializers.ChoiceField(choices=NeedKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=NeedStatus.choices, read_only=True)
    flagged = serializers.SerializerMethodField(
        help_text="A danger statement longer than the council's word limit, flagged for the "
        "manager."
    )

    class Meta:
        model = PlanNeed
        fields = [
            "id",
            "version",
            "kind",
            "statement",
            "safety_goal",
            "status",
            "order",
            "word_count",
            "flagged",
        ]
        read_only_fields = fields

    def get_flagged(self, need: PlanNeed) -> bool:
        limit = self.context.get("word_limit")
        return services.is_long_danger_statement(need, limit)


class ActionSerializer(serializers.ModelSerializer[PlanAction]):
    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)
    needs = serializers.SerializerMethodField(
        help_text="The ids of the needs and risks it addresses."
    )
    owner = serializers.SerializerMethodField(help_text="The owner's name, or the agency.")
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlanAction
        fields = [
            "id",
            "version",
            "plan_id",
            "description",
            "needs",
            "owner_user_id",
            "owner_agency",
            "owner",
            "due_date",
            "status",
            "completed_on",
            "progress",
            "is_overdue",
        ]
        read_only_fields = fields

    def get_needs(self, action: PlanAction) -> list[int]:
        return sorted(n.pk for n in action.needs.all())

    def get_owner(self, action: PlanAction) -> str:
        return action.owner_user.full_name if action.owner_user else action.owner_agency

    def get_is_overdue(self, action: PlanAction) -> bool:
        return action.status in OPEN_ACTION_STATUSES and action.due_date < services.today()


class ReviewSerializer(serializers.ModelSerializer[PlanReview]):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices, read_only=True)
    recorded_by = serializers.CharField(
        source="recorded_by.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PlanReview
        fields = [
            "id",
            "version",
            "held_on",
            "attendees",
            "child_views",
            "progress_summary",
            "decision",
            "recorded_by",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer[Plan]):
    kind = serializers.ChoiceField(choices=PlanKind.choices, read_only=True)
    worker = serializers.CharField(
        source="worker.full_name", read_only=True, allow_null=True, default=None
    )
    open_actions = serializers.IntegerField(read_only=True, default=0)
    overdue_actions = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Plan
        fields = [
            "id",
            "version",
            "kind",
            "person_id",
            "episode_id",
            "start_date",
            "end_date",
            "end_reason",
            "contingency",
            "worker_id",
            "worker",
            "team_id",
            "open_actions",
            "overdue_actions",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    needs = NeedSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "needs", "actions", "reviews"]
        read_only_fields = fields


class FilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's plans.")
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only open (or ended) plans."
    )


class StartSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    kind = serializers.ChoiceField(
        choices=[(PlanKind.CIN.value, PlanKind.CIN.label)],
        default=PlanKind.CIN,
        help_text="Only child in need plans start here; the other kinds from their own process.",
    )
    episode_id = serializers.IntegerField(help_text="The child in need episode it belongs to.")
    start_date = serializers.DateField()
    contingency = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )


class VersionedSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")


class PlanChangeSerializer(VersionedSerializer):
    contingency = serializers.CharField(max_length=10_000, allow_blank=True)


class EndSerializer(VersionedSerializer):
    end_date = serializers.DateField()
    end_reason = serializers.CharField(max_length=10_000)


class NeedCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=NeedKind.choices)
    statement = serializers.CharField(max_length=10_000)
    safety_goal = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for a risk: what the child's life looks like when safe.",
    )


class NeedChangeSerializer(VersionedSerializer):
    kind = serializers.ChoiceField(choices=NeedKind.choices, required=False)
    statement = serializers.CharField(max_length=10_000, required=False)
    safety_goal = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=NeedStatus.choices, required=False)


class ActionCreateSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=10_000)
    needs = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=True,
        help_text="Ids of this plan's needs and risks the action addresses: at least one.",
    )
    owner_user_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A person, or…"
    )
    owner_agency = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="…an agency."
    )
    due_date = serializers.DateField(allow_null=True)
    progress = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )


class ActionChangeSerializer(VersionedSerializer):
    description = serializers.CharField(max_length=10_000, required=False)
    needs = serializers.ListField(child=serializers.IntegerField(), required=False)
    owner_user_id = serializers.IntegerField(required=False, allow_null=True)
    owner_agency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    progress = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    completed_on = serializers.DateField(
        required=False, allow_null=True, help_text="Required when the status is done."
    )


class ReviewCreateSerializer(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    attendees = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    child_views = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    progress_summary = serializers.CharField(max_length=10_000)


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _detail(user: User, pk: int) -> Plan:
    policies.plan_for(user, pk)  # 404 (logged for a restricted child) unless visible
    return (
        selectors.with_action_counts(Plan.objects.filter(pk=pk))
        .select_related("worker")
        .prefetch_related(
            "needs",
            "actions__owner_user",
            "actions__needs",
            "reviews__recorded_by",
        )
        .get()
    )


def _detail_data(plan: Plan) -> dict[str, Any]:
    return PlanDetailSerializer(plan, context={"word_limit": services.word_limit()}).data


def _owner(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    owner = User.objects.filter(pk=user_id, is_active=True).first()
    if owner is None:
        raise exceptions.ValidationError(
            {"owner_user_id": ["No active member of staff has this id"]}
        )
    return owner


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


RULE = (
    "permission: core.view_case_records to read, core.edit_case_records to change; records "
    "through plans.policies (children the caller may see; others 404)"
)


# --- views ---------------------------------------------------------------------------------------


class PlanListView(_Base):
    """A child's plans (GET ?person=) and starting a child in need plan (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = RULE
    serializer_class = PlanSerializer

    @extend_schema(
        summary="List plans",
        description="Plans of children the caller may see, open first then the latest.",
        parameters=[FilterSerializer],
        responses={200: PlanSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = params.validated_data
        plans = policies.plans_visible_to(_viewer(request))
        if found.get("person"):
            plans = plans.filter(person_id=found["person"])
        if found.get("open") is not None:
            plans = plans.filter(end_date__isnull=found["open"])
        listed = selectors.with_action_counts(plans).select_related("worker")
        page = self.paginate_queryset(listed.order_by("-start_date", "-pk"))
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(
        summary="Start a child in need plan",
        description="Checks the CIN census rules on plans (start on or after the referral, not "
        "on a referral closed with no further action, not after the case closed, one open plan, "
        "no overlap with another child in need or child protection plan, not after the child's "
        "death) and records the start on the child's clocks.",
        request=StartSerializer,
        responses={201: PlanDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = StartSerializer(data=request.data)
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
        plan = services.plan_start(
            actor=viewer,
            person=person,
            kind=data["kind"],
            episode=episode,
            start_date=data["start_date"],
            contingency=data["contingency"],
        )
        return Response(
            _detail_data(_detail(viewer, plan.pk)),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{plan.pk}/"},
        )


class PlanDetailView(_Base):
    """One plan with its needs and risks, actions and reviews; each read is logged."""

    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = RULE
    serializer_class = PlanDetailSerializer

    @extend_schema(
        summary="One plan",
        responses={200: PlanDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        plan = _detail(viewer, pk)
        audit.record_view(actor=viewer, obj=plan, person_id=plan.person_id, detail="Plan (API)")
        return Response(_detail_data(plan))

    @extend_schema(
        summary="Change the contingency plan",
        request=PlanChangeSerializer,
        responses={200: PlanDetailSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        plan = policies.plan_for(viewer, pk, action="edit")
        incoming = PlanChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.plan_update(
            actor=viewer,
            plan=plan,
            data={"contingency": data["contingency"]},
            expected_version=data["version"],
        )
        return Response(_detail_data(_detail(viewer, pk)))


class PlanEndView(_Base):
    required_perms = {"POST": (EDIT,)}
    access_rule = RULE
    serializer_class = PlanDetailSerializer

    @extend_schema(
        summary="End a plan",
        request=EndSerializer,
        responses={200: PlanDetailSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        plan = policies.plan_for(viewer, pk, action="edit")
        incoming = EndSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.plan_end(
            actor=viewer,
            plan=plan,
            end_date=data["end_date"],
            reason=data["end_reason"],
            expected_version=data["version"],
        )
        return Response(_detail_data(_detail(viewer, pk)))


class NeedListView(_Base):
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = RULE
    serializer_class = NeedSerializer
    pagination_class = None

    @extend_schema(
        summary="A plan's needs and risks",
        responses={200: NeedSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = policies.plan_for(_viewer(request), pk)
        needs = plan.needs.order_by("order", "pk")
        context = {"word_limit": services.word_limit()}
        return Response(NeedSerializer(needs, many=True, context=context).data)

    @extend_schema(
        summary="Add a need or risk",
        description="A risk is a danger statement with a safety goal. One longer than the "
        "council's word limit is saved and flagged for the manager (`flagged`).",
        request=NeedCreateSerializer,
        responses={201: NeedSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        plan = policies.plan_for(viewer, pk, action="edit")
        incoming = NeedCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        need = services.plan_need_add(
            actor=viewer,
            plan=plan,
            kind=data["kind"],
            statement=data["statement"],
            safety_goal=data["safety_goal"],
        )
        context = {"word_limit": services.word_limit()}
        return Response(NeedSerializer(need, context=context).data, status=status.HTTP_201_CREATED)


class NeedDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = RULE
    serializer_class = NeedSerializer

    @extend_schema(
        summary="One need or risk",
        responses={200: NeedSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        need = policies.need_for(_viewer(request), pk)
        return Response(NeedSerializer(need, context={"word_limit": services.word_limit()}).data)

    @extend_schema(
        summary="Change a need or risk",
        description="The previous wording stays in the audit log.",
        request=NeedChangeSerializer,
        responses={200: NeedSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        need = policies.need_for(viewer, pk, action="edit")
        incoming = NeedChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        need = services.plan_need_update(
            actor=viewer, need=need, data=data, expected_version=version
        )
        return Response(NeedSerializer(need, context={"word_limit": services.word_limit()}).data)


def _action(pk: int) -> PlanAction:
    return PlanAction.objects.select_related("owner_user").prefetch_related("needs").get(pk=pk)


class ActionListView(_Base):
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = RULE
    serializer_class = ActionSerializer
    pagination_class = None
    service_error_fields = {"owner": "owner_user_id"}

    @extend_schema(
        summary="A plan's actions",
        responses={200: ActionSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = policies.plan_for(_viewer(request), pk)
        actions = plan.actions.select_related("owner_user").prefetch_related("needs")
        return Response(ActionSerializer(actions.order_by("due_date", "pk"), many=True).data)

    @extend_schema(
        summary="Add an action",
        description="Refused (400) with no linked need or risk of this plan, no owner (a person "
        "or an agency, not both) or no due date.",
        request=ActionCreateSerializer,
        responses={201: ActionSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        plan = policies.plan_for(viewer, pk, action="edit")
        incoming = ActionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        action = services.plan_action_add(
            actor=viewer,
            plan=plan,
            description=data["description"],
            needs=data["needs"],
            owner_user=_owner(data["owner_user_id"]),
            owner_agency=data["owner_agency"],
            due_date=data["due_date"],
            progress=data["progress"],
        )
        return Response(ActionSerializer(_action(action.pk)).data, status=status.HTTP_201_CREATED)


class ActionDetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = RULE
    serializer_class = ActionSerializer
    service_error_fields = {"owner": "owner_user_id"}

    @extend_schema(
        summary="One action",
        responses={200: ActionSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        found = policies.action_for(_viewer(request), pk)
        return Response(ActionSerializer(_action(found.pk)).data)

    @extend_schema(
        summary="Change an action or set its status",
        description="Send `status` (with `completed_on` when done) to set its status; any of "
        "the other fields to change it. The same rules as adding one.",
        request=ActionChangeSerializer,
        responses={200: ActionSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        action = policies.action_for(viewer, pk, action="edit")
        incoming = ActionChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        new_status = data.pop("status", None)
        completed_on = data.pop("completed_on", None)
        progress = data.pop("progress", None) if new_status is not None else None
        if "owner_user_id" in data:
            data["owner_user"] = _owner(data.pop("owner_user_id"))
        if data:
            action = services.plan_action_update(
                actor=viewer, action=action, data=data, expected_version=version
            )
            version = action.version
        if new_status is not None:
            services.plan_action_status_set(
                actor=viewer,
                action=action,
                status=new_status,
                completed_on=completed_on,
                progress=progress,
                expected_version=version,
            )
        return Response(ActionSerializer(_action(pk)).data)


class ReviewListView(_Base):
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = RULE
    serializer_class = ReviewSerializer
    pagination_class = None

    @extend_schema(
        summary="A plan's reviews",
        responses={200: ReviewSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = policies.plan_for(_viewer(request), pk)
        reviews = plan.reviews.select_related("recorded_by").order_by("-held_on", "-pk")
        return Response(ReviewSerializer(reviews, many=True).data)

    @extend_schema(
        summary="Record a review",
        description="For a child in need plan it meets the `cin-review` timescale.",
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        plan = policies.plan_for(viewer, pk, action="edit")
        incoming = ReviewCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        review = services.plan_review_record(
            actor=viewer,
            plan=plan,
            held_on=data["held_on"],
            decision=data["decision"],
            attendees=data["attendees"],
            child_views=data["child_views"],
            progress_summary=data["progress_summary"],
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
