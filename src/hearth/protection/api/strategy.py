"""Strategy discussions and section 47 enquiries for systems: list a child's, record a discussion
(with who took part and the actions agreed), read and correct one; read an enquiry, record its
progress and its outcome.

The same rules as the pages (they call the same services): the CIN census rules (nothing on a
referral closed with no further action, nothing before the referral or after the case closed, no
overlapping enquiries), a lead practitioner who is a registered social worker, rationales of at
least 10 words, actions with a named owner and a due date: each refusal is a 400 with the reason
under the field. A discussion no one from children's social care, the police or health attended
is saved and flagged (`missing_agencies`). A record of a child the caller may not see is 404.
Changes to an existing record send the `version` the caller read: a stale one is 409, and
nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from hearth.core.models import Team, User
from hearth.core.services import ConcurrentEditError
from hearth.people.policies import person_for

from .. import policies
from ..codes import Agency, Section47Outcome, StrategyDecision
from ..models import Section47Enquiry, StrategyAction, StrategyAttendee, StrategyDiscussion
from ..services import strategy as services

VIEW = policies.VIEW
EDIT = policies.EDIT

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the record since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again.",
    )
}
RULE = (
    "permission: core.view_case_records to read, core.edit_case_records to change; records "
    "through protection.policies (children the caller may see; others 404)"
)


# --- serializers: what is read -------------------------------------------------------------------


class StrategyAttendeeSerializer(serializers.ModelSerializer[StrategyAttendee]):
    agency = serializers.ChoiceField(choices=Agency.choices, read_only=True)

    class Meta:
        model = StrategyAttendee
        fields = ["agency", "name", "role"]
        read_only_fields = fields


class StrategyActionSerializer(serializers.ModelSerializer[StrategyAction]):
    owner_agency = serializers.ChoiceField(choices=Agency.choices, read_only=True)

    class Meta:
        model = StrategyAction
        fields = [
            "id",
            "version",
            "description",
            "owner_name",
            "owner_agency",
            "due_date",
            "completed_on",
        ]
        read_only_fields = fields


class StrategyDiscussionSerializer(serializers.ModelSerializer[StrategyDiscussion]):
    decision = serializers.ChoiceField(choices=StrategyDecision.choices, read_only=True)
    chair = serializers.CharField(
        source="chair.full_name", read_only=True, allow_null=True, default=None
    )
    recorded_by = serializers.CharField(
        source="recorded_by.full_name", read_only=True, allow_null=True, default=None
    )
    missing_agencies = serializers.SerializerMethodField(
        help_text="Required agencies (children's social care, police, health) no one attended "
        "from: the discussion is flagged when any is missing."
    )
    flagged = serializers.SerializerMethodField()
    attendees = StrategyAttendeeSerializer(many=True, read_only=True)
    actions = StrategyActionSerializer(many=True, read_only=True)

    class Meta:
        model = StrategyDiscussion
        fields = [
            "id",
            "version",
            "person_id",
            "episode_id",
            "held_at",
            "chair_id",
            "chair",
            "information_shared",
            "decision",
            "rationale",
            "section_47_id",
            "missing_agencies",
            "flagged",
            "attendees",
            "actions",
            "recorded_by",
        ]
        read_only_fields = fields

    def get_missing_agencies(self, discussion: StrategyDiscussion) -> list[str]:
        return [c for c in discussion.missing_agencies.split(",") if c]

    def get_flagged(self, discussion: StrategyDiscussion) -> bool:
        return discussion.is_flagged


class Section47EnquirySerializer(serializers.ModelSerializer[Section47Enquiry]):
    outcome = serializers.ChoiceField(
        choices=Section47Outcome.choices, read_only=True, allow_blank=True
    )
    lead_worker = serializers.CharField(
        source="lead_worker.full_name", read_only=True, allow_null=True, default=None
    )
    is_open = serializers.BooleanField(
        read_only=True,
        help_text="Not yet concluded by an initial conference or the decision that none is needed.",
    )
    strategy_discussions = serializers.SerializerMethodField(
        help_text="The ids of its strategy discussions, the first (which started it) first."
    )

    class Meta:
        model = Section47Enquiry
        fields = [
            "id",
            "version",
            "person_id",
            "episode_id",
            "start_date",
            "icpc_target_date",
            "lead_worker_id",
            "lead_worker",
            "team_id",
            "child_seen_on",
            "seen_alone",
            "not_seen_reason",
            "outcome",
            "outcome_rationale",
            "completed_on",
            "icpc_not_required",
            "icpc_not_required_reason",
            "concluded_on",
            "is_open",
            "strategy_discussions",
        ]
        read_only_fields = fields

    def get_strategy_discussions(self, enquiry: Section47Enquiry) -> list[int]:
        ordered = sorted(enquiry.strategy_discussions.all(), key=lambda d: (d.held_at, d.pk))
        return [d.pk for d in ordered]


# --- serializers: what is sent -------------------------------------------------------------------


class StrategyFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's records.")


class StrategyAttendeeInputSerializer(serializers.Serializer[Any]):
    agency = serializers.ChoiceField(choices=Agency.choices)
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class StrategyActionInputSerializer(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=10_000)
    owner_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="A named person: required.",
    )
    owner_agency = serializers.ChoiceField(choices=Agency.choices)
    due_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required."
    )


class StrategyDiscussionCreateSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    episode_id = serializers.IntegerField(help_text="The child in need episode it belongs to.")
    held_at = serializers.DateTimeField(help_text="When it was held; not in the future.")
    chair_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Who led it."
    )
    information_shared = serializers.CharField(max_length=20_000)
    decision = serializers.ChoiceField(choices=StrategyDecision.choices)
    rationale = serializers.CharField(max_length=20_000, help_text="At least 10 words.")
    attendees = serializers.ListField(
        child=StrategyAttendeeInputSerializer(),
        allow_empty=True,
        help_text="Who took part: at least one.",
    )
    actions = serializers.ListField(
        child=StrategyActionInputSerializer(), required=False, default=list
    )
    lead_worker_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The lead practitioner (a registered social worker) of the section 47 enquiry "
        "a decision `s47` starts; not needed when the episode already has an open enquiry.",
    )


class StrategyDiscussionChangeSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")
    held_at = serializers.DateTimeField(required=False)
    chair_id = serializers.IntegerField(required=False, allow_null=True)
    information_shared = serializers.CharField(max_length=20_000, required=False)
    decision = serializers.ChoiceField(choices=StrategyDecision.choices, required=False)
    rationale = serializers.CharField(max_length=20_000, required=False)
    attendees = serializers.ListField(
        child=StrategyAttendeeInputSerializer(),
        required=False,
        allow_empty=True,
        help_text="The whole list, replacing the one recorded.",
    )
    lead_worker_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="When the decision becomes `s47`."
    )


class Section47ChangeSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")
    lead_worker_id = serializers.IntegerField(
        required=False, help_text="A registered social worker."
    )
    team_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="Default: the lead practitioner's team."
    )
    child_seen_on = serializers.DateField(required=False, allow_null=True)
    seen_alone = serializers.BooleanField(required=False, allow_null=True)
    not_seen_reason = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class Section47OutcomeSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")
    outcome = serializers.ChoiceField(choices=Section47Outcome.choices)
    outcome_rationale = serializers.CharField(max_length=20_000, help_text="At least 10 words.")
    completed_on = serializers.DateField()
    icpc_not_required = serializers.BooleanField(
        required=False,
        default=False,
        help_text="With `likely_harm`: no conference is needed all the same (give the reason).",
    )
    icpc_not_required_reason = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    found = User.objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise exceptions.ValidationError({field: ["No active member of staff has this id"]})
    return found


def _discussions() -> QuerySet[StrategyDiscussion]:
    return StrategyDiscussion.objects.select_related("chair", "recorded_by").prefetch_related(
        Prefetch("attendees", queryset=StrategyAttendee.objects.order_by("agency", "name", "pk")),
        Prefetch("actions", queryset=StrategyAction.objects.order_by("due_date", "pk")),
    )


def _enquiries() -> QuerySet[Section47Enquiry]:
    return Section47Enquiry.objects.select_related("lead_worker").prefetch_related(
        "strategy_discussions"
    )


def _record_views(
    viewer: User, rows: Iterable[StrategyDiscussion | Section47Enquiry], what: str
) -> None:
    """One access-log entry per child on the page."""
    seen: set[int] = set()
    for row in rows:
        if row.person_id not in seen:
            seen.add(row.person_id)
            audit.record_view(actor=viewer, obj=row, person_id=row.person_id, detail=what)


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]
    access_rule = RULE
    service_error_fields = {
        "chair": "chair_id",
        "lead_worker": "lead_worker_id",
        "team": "team_id",
        "episode": "episode_id",
    }

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


# --- strategy discussions ------------------------------------------------------------------------


class StrategyDiscussionListView(_Base):
    """A child's strategy discussions (GET ?person=) and recording one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    serializer_class = StrategyDiscussionSerializer

    @extend_schema(
        summary="List strategy discussions",
        description="Discussions of children the caller may see, latest first.",
        parameters=[StrategyFilterSerializer],
        responses={200: StrategyDiscussionSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = StrategyFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        viewer = _viewer(request)
        found = _discussions().filter(
            pk__in=policies.visible(viewer, StrategyDiscussion).values("pk")
        )
        if params.validated_data.get("person"):
            found = found.filter(person_id=params.validated_data["person"])
        page = self.paginate_queryset(found.order_by("-held_at", "-pk"))
        _record_views(viewer, page or [], "Strategy discussions (API)")
        return self.get_paginated_response(StrategyDiscussionSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a strategy discussion",
        description="A decision `s47` starts a section 47 enquiry on the discussion's date (its "
        "initial conference target 15 working days later) led by `lead_worker_id`, or continues "
        "the episode's open one; it records `strategy-discussion-s47` on the child's clocks "
        "(starting the `icpc` clock), any other decision `strategy-discussion`. Refused on a "
        "referral closed with no further action (census rules 8831, 8832), before the referral "
        "(2889), after the case closed (8565), overlapping an earlier enquiry (8890); with no "
        "attendees, an action without an owner or due date, or a rationale under 10 words.",
        request=StrategyDiscussionCreateSerializer,
        responses={201: StrategyDiscussionSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = StrategyDiscussionCreateSerializer(data=request.data)
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
        discussion = services.strategy_discussion_record(
            actor=viewer,
            person=person,
            episode=episode,
            held_at=data["held_at"],
            chair=_user(data["chair_id"], "chair_id"),
            information_shared=data["information_shared"],
            decision=data["decision"],
            rationale=data["rationale"],
            attendees=data["attendees"],
            actions=data["actions"],
            lead_worker=_user(data["lead_worker_id"], "lead_worker_id"),
        )
        return Response(
            StrategyDiscussionSerializer(_discussions().get(pk=discussion.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{discussion.pk}/"},
        )


class StrategyDiscussionDetailView(_Base):
    """One strategy discussion with who took part and its actions; each read is logged."""

    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    serializer_class = StrategyDiscussionSerializer

    @extend_schema(
        summary="One strategy discussion",
        responses={200: StrategyDiscussionSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        discussion = policies.discussion_for(viewer, pk)
        audit.record_view(
            actor=viewer,
            obj=discussion,
            person_id=discussion.person_id,
            detail="Strategy discussion (API)",
        )
        return Response(StrategyDiscussionSerializer(_discussions().get(pk=pk)).data)

    @extend_schema(
        summary="Correct a strategy discussion",
        description="Send any of the fields; `attendees` replaces the list. The missing agencies "
        "are worked out again and a corrected date or decision is recorded again on the child's "
        "clocks. The decision cannot change away from `s47` once the enquiry it started has "
        "records of its own.",
        request=StrategyDiscussionChangeSerializer,
        responses={
            200: StrategyDiscussionSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        discussion = policies.discussion_for(viewer, pk, action="edit")
        incoming = StrategyDiscussionChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        attendees = data.pop("attendees", None)
        lead_worker = _user(data.pop("lead_worker_id", None), "lead_worker_id")
        if "chair_id" in data:
            data["chair"] = _user(data.pop("chair_id"), "chair_id")
        services.strategy_discussion_update(
            actor=viewer,
            discussion=discussion,
            data=data,
            attendees=attendees,
            lead_worker=lead_worker,
            expected_version=version,
        )
        return Response(StrategyDiscussionSerializer(_discussions().get(pk=pk)).data)


# --- section 47 enquiries ------------------------------------------------------------------------


class Section47ListView(_Base):
    required_perms = {"GET": (VIEW,)}
    serializer_class = Section47EnquirySerializer

    @extend_schema(
        summary="List section 47 enquiries",
        description="Enquiries of children the caller may see, latest first.",
        parameters=[StrategyFilterSerializer],
        responses={200: Section47EnquirySerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        params = StrategyFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        viewer = _viewer(request)
        found = _enquiries().filter(pk__in=policies.visible(viewer, Section47Enquiry).values("pk"))
        if params.validated_data.get("person"):
            found = found.filter(person_id=params.validated_data["person"])
        page = self.paginate_queryset(found.order_by("-start_date", "-pk"))
        _record_views(viewer, page or [], "Section 47 enquiries (API)")
        return self.get_paginated_response(Section47EnquirySerializer(page, many=True).data)


class Section47DetailView(_Base):
    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    serializer_class = Section47EnquirySerializer

    @extend_schema(
        summary="One section 47 enquiry",
        responses={200: Section47EnquirySerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        enquiry = policies.enquiry_for(viewer, pk)
        audit.record_view(
            actor=viewer,
            obj=enquiry,
            person_id=enquiry.person_id,
            detail="Section 47 enquiry (API)",
        )
        return Response(Section47EnquirySerializer(_enquiries().get(pk=pk)).data)

    @extend_schema(
        summary="Record a section 47 enquiry's progress",
        description="Its lead practitioner (a registered social worker) and team, when the "
        "child was seen (not before the enquiry started, not in the future) and whether alone, "
        "or why not.",
        request=Section47ChangeSerializer,
        responses={
            200: Section47EnquirySerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        enquiry = policies.enquiry_for(viewer, pk, action="edit")
        incoming = Section47ChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        if "lead_worker_id" in data:
            data["lead_worker"] = _user(data.pop("lead_worker_id"), "lead_worker_id")
        if "team_id" in data:
            team_id = data.pop("team_id")
            team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
            if team_id is not None and team is None:
                raise exceptions.ValidationError({"team_id": ["No team has this id"]})
            data["team"] = team
        if "not_seen_reason" in data:
            data["not_seen_reason"] = data["not_seen_reason"] or ""
        services.section_47_update(
            actor=viewer, enquiry=enquiry, data=data, expected_version=version
        )
        return Response(Section47EnquirySerializer(_enquiries().get(pk=pk)).data)


class Section47OutcomeView(_Base):
    required_perms = {"POST": (EDIT,)}
    serializer_class = Section47EnquirySerializer

    @extend_schema(
        summary="Record a section 47 enquiry's outcome",
        description="`likely_harm` needs an initial child protection conference (book it; the "
        "conference concludes the enquiry) unless `icpc_not_required` is sent with a reason. "
        "Any other outcome concludes the enquiry with no conference needed and records "
        "`icpc-not-required`, which stops the `icpc` clock. The child must have been seen (or "
        "the reason why not recorded) first; not after the case closed (census rule 8565).",
        request=Section47OutcomeSerializer,
        responses={
            200: Section47EnquirySerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        enquiry = policies.enquiry_for(viewer, pk, action="edit")
        incoming = Section47OutcomeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        services.section_47_complete(
            actor=viewer,
            enquiry=enquiry,
            outcome=data["outcome"],
            outcome_rationale=data["outcome_rationale"],
            completed_on=data["completed_on"],
            icpc_not_required=data["icpc_not_required"],
            icpc_not_required_reason=data["icpc_not_required_reason"],
            expected_version=data["version"],
        )
        return Response(Section47EnquirySerializer(_enquiries().get(pk=pk)).data)


urlpatterns: list[URLPattern] = [
    path(
        "strategy-discussions/",
        StrategyDiscussionListView.as_view(),
        name="strategy-discussion-list",
    ),
    path(
        "strategy-discussions/<int:pk>/",
        StrategyDiscussionDetailView.as_view(),
        name="strategy-discussion-detail",
    ),
    path("section-47-enquiries/", Section47ListView.as_view(), name="section-47-list"),
    path("section-47-enquiries/<int:pk>/", Section47DetailView.as_view(), name="section-47-detail"),
    path(
        "section-47-enquiries/<int:pk>/outcome/",
        Section47OutcomeView.as_view(),
        name="section-47-outcome",
    ),
]
