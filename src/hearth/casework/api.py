"""Child in need episodes and assessments for systems: record a referral, list and read episodes
and assessments, record an assessment, send it for authorisation, authorise or return it, close an
episode or decide no further action on the referral.

Same rules as the pages, through the same services: reading needs `core.view_case_records`,
recording `core.edit_case_records`; authorising, returning, closing and deciding no further
action need `core.manage_allocations` (403 without). A child the caller may not see (a restricted
record they are not named on) is 404, as a missing one. Every read of a child's record is written
to the audit trail. A refused change is 400 with the messages by field (the CIN census rule in
the message); every change sends the `version` the caller read, and a stale one is 409.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
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

from . import policies, services
from .codes import (
    AssessmentFactor,
    AssessmentOutcome,
    ClosureReason,
    PrimaryNeed,
    ReferralSource,
)
from .models import Assessment, AssessmentFactorIdentified, ChildInNeedEpisode

VIEW = policies.VIEW
EDIT = policies.EDIT
AUTHORISE = policies.AUTHORISE

CONFLICT = {
    409: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Someone changed the record since the caller read it (the `version` sent is "
        "not the current one): read it again, then send the change again. Nothing was saved.",
    )
}
# The assessment's stage in its workflow, as a code (the web pages show the label).
ASSESSMENT_STATUSES = {
    "in_progress": "In progress",
    "awaiting_authorisation": "Awaiting authorisation",
    "authorised": "Authorised",
}


def _enum(choices: list[tuple[str, str]]) -> type[serializers.ChoiceField]:
    """A choice field with its enum given explicitly, for choice sets another app's schema also
    uses (the referral source is a contact's `source`): without it drf-spectacular warns that one
    choice set has two names."""

    @extend_schema_field({"type": "string", "enum": [value for value, _ in choices]})
    class EnumField(serializers.ChoiceField):
        pass

    return EnumField


ReferralSourceField = _enum(ReferralSource.choices)
FactorCodeField = _enum(AssessmentFactor.choices)


def assessment_status(assessment: Assessment) -> str:
    if assessment.authorised_on:
        return "authorised"
    if assessment.submitted_at:
        return "awaiting_authorisation"
    return "in_progress"


# --- serializers ---------------------------------------------------------------------------------


class FactorSerializer(serializers.ModelSerializer[AssessmentFactorIdentified]):
    code = FactorCodeField(choices=AssessmentFactor.choices, read_only=True)
    # The metaclass takes declared fields off the class, so `label` does not shadow Field.label.
    label = serializers.CharField(source="get_code_display", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = AssessmentFactorIdentified
        fields = ["code", "label"]
        read_only_fields = fields


class _StatusMixin(serializers.Serializer[Any]):
    status = serializers.SerializerMethodField(
        help_text="in_progress (the worker's), awaiting_authorisation (sent to a manager) or "
        "authorised (final: the CIN census completion date is `authorised_on`)."
    )

    # A plain string in the schema: an enum here would be hoisted as one more "StatusEnum".
    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, assessment: Assessment) -> str:
        return assessment_status(assessment)


class AssessmentSummarySerializer(_StatusMixin, serializers.ModelSerializer[Assessment]):
    worker_name = serializers.CharField(source="worker.full_name", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "start_date", "status", "outcome", "authorised_on", "worker_name"]
        read_only_fields = fields


class EpisodeSerializer(serializers.ModelSerializer[ChildInNeedEpisode]):
    referral_source = ReferralSourceField(choices=ReferralSource.choices, read_only=True)
    primary_need = serializers.ChoiceField(
        choices=PrimaryNeed.choices, allow_blank=True, read_only=True
    )
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, allow_blank=True, read_only=True
    )
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChildInNeedEpisode
        fields = [
            "id",
            "version",
            "person_id",
            "referral_date",
            "referral_source",
            "primary_need",
            "referral_nfa",
            "is_re_referral",
            "is_open",
            "closure_date",
            "closure_reason",
            "closure_summary",
            "referral_team_id",
            "referral_worker_id",
            "closed_by_id",
        ]
        read_only_fields = fields


class EpisodeDetailSerializer(EpisodeSerializer):
    assessments = AssessmentSummarySerializer(
        many=True, read_only=True, help_text="The episode's assessments, newest first."
    )

    class Meta(EpisodeSerializer.Meta):
        fields = [*EpisodeSerializer.Meta.fields, "assessments"]
        read_only_fields = fields


class AssessmentSerializer(_StatusMixin, serializers.ModelSerializer[Assessment]):
    outcome = serializers.ChoiceField(
        choices=AssessmentOutcome.choices, allow_blank=True, read_only=True
    )
    factors = FactorSerializer(
        many=True, read_only=True, help_text="The factors identified (CIN census codes)."
    )
    worker_name = serializers.CharField(source="worker.full_name", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "version",
            "episode_id",
            "person_id",
            "start_date",
            "status",
            "child_seen_on",
            "seen_alone",
            "child_views",
            "analysis",
            "factors",
            "outcome",
            "worker_id",
            "worker_name",
            "team_id",
            "submitted_at",
            "return_reason",
            "authorised_on",
            "authorised_by_id",
            "authorisation_rationale",
        ]
        read_only_fields = fields


class AssessmentDetailSerializer(AssessmentSerializer):
    submission_problems = serializers.SerializerMethodField(
        help_text="What must be recorded before it can be sent for authorisation (empty when "
        "it can be sent)."
    )

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "submission_problems"]
        read_only_fields = fields

    def get_submission_problems(self, assessment: Assessment) -> list[str]:
        if assessment.authorised_on:
            return []
        return services.submission_problems(assessment)


class EpisodeFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's.")
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only open ones (or closed)."
    )


class AssessmentFilterSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(required=False, help_text="Only this child's.")
    episode = serializers.IntegerField(required=False, help_text="Only this episode's.")
    status = serializers.ChoiceField(
        choices=list(ASSESSMENT_STATUSES.items()),
        required=False,
        help_text="Only those at this stage.",
    )


class EpisodeCreateSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(help_text="The child's id.")
    referral_date = serializers.DateField()
    referral_source = ReferralSourceField(choices=ReferralSource.choices)
    primary_need = serializers.ChoiceField(choices=PrimaryNeed.choices)


class VersionedSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The record's version the caller read.")


class EpisodeCloseSerializer(VersionedSerializer):
    closure_date = serializers.DateField()
    closure_reason = serializers.ChoiceField(choices=ClosureReason.choices)
    summary = serializers.CharField(
        max_length=10_000,
        help_text="Why the case is closing and what support continues (at least 10 words).",
    )


class EpisodeNfaSerializer(VersionedSerializer):
    on = serializers.DateField(help_text="The date of the decision.")
    reason = serializers.CharField(max_length=10_000, help_text="At least 10 words.")


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    episode = serializers.IntegerField(help_text="The child in need episode's id.")
    start_date = serializers.DateField()


class AssessmentUpdateSerializer(VersionedSerializer):
    """Only the fields sent change; `factors`, when sent, replaces the list."""

    child_seen_on = serializers.DateField(required=False, allow_null=True)
    seen_alone = serializers.BooleanField(required=False, allow_null=True)
    child_views = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    analysis = serializers.CharField(required=False, allow_blank=True, max_length=50_000)
    outcome = serializers.ChoiceField(
        choices=AssessmentOutcome.choices, required=False, allow_blank=True
    )
    factors = serializers.ListField(
        child=serializers.ChoiceField(choices=AssessmentFactor.choices),
        required=False,
        max_length=len(AssessmentFactor.values),
        help_text="CIN census factor codes; 21 (no factors identified) stands alone.",
    )


class AuthoriseSerializer(VersionedSerializer):
    authorised_on = serializers.DateField()
    rationale = serializers.CharField(
        max_length=10_000,
        help_text="Whether the analysis is evidenced, the child's voice heard and the outcome "
        "right (at least 10 words).",
    )


class ReturnSerializer(VersionedSerializer):
    reason = serializers.CharField(
        max_length=10_000, help_text="What it needs before authorisation (at least 10 words)."
    )


# --- helpers -------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _assessments() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("worker").prefetch_related(
        Prefetch("factors", queryset=AssessmentFactorIdentified.objects.order_by("pk"))
    )


def _episode(user: User, pk: int) -> ChildInNeedEpisode:
    policies.episode_for(user, pk)  # 404 unless the caller may see the child
    summaries = Assessment.objects.select_related("worker").order_by("-start_date", "-pk")
    return ChildInNeedEpisode.objects.prefetch_related(
        Prefetch("assessments", queryset=summaries)
    ).get(pk=pk)


def _assessment(user: User, pk: int) -> Assessment:
    policies.assessment_for(user, pk)
    return _assessments().select_related("person").get(pk=pk)


def _child(user: User, pk: int, action: str = "view") -> Person:
    """The child named in a request body, or a 400 on `person`."""
    try:
        return person_for(user, pk, action)
    except Http404:
        raise exceptions.ValidationError({"person": ["No child record with this id"]}) from None


def _record_views(viewer: User, rows: Iterable[ChildInNeedEpisode | Assessment], what: str) -> None:
    """One access-log entry per child on the page."""
    seen: set[int] = set()
    for row in rows:
        if row.person_id not in seen:
            seen.add(row.person_id)
            audit.record_view(actor=viewer, obj=row, person_id=row.person_id, detail=what)


class _Base(ServiceErrorsMixin, generics.GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, MethodPermissions]
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ConcurrentEditError):
            return Response({"detail": ConcurrentEditError.message}, status=409)
        return super().handle_exception(exc)


# --- episodes ------------------------------------------------------------------------------------


class EpisodeListView(_Base):
    """List child in need episodes (GET) and record a referral (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to list (only children the caller may see), "
        "core.edit_case_records to record a referral"
    )
    serializer_class = EpisodeSerializer

    @extend_schema(
        summary="List child in need episodes",
        description="Newest referral first. With `person`, that child's (404 if the caller may "
        "not see the child); without, every episode of the children the caller may see.",
        parameters=[EpisodeFilterSerializer],
        responses={200: EpisodeSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = EpisodeFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = params.validated_data
        viewer = _viewer(request)
        episodes = policies.episodes_visible_to(viewer)
        if found.get("person") is not None:
            episodes = episodes.filter(person=person_for(viewer, found["person"]))
        if found.get("open") is not None:
            episodes = episodes.filter(closure_date__isnull=found["open"])
        page = self.paginate_queryset(episodes.order_by("-referral_date", "-pk"))
        _record_views(viewer, page or [], "Child in need episodes (API)")
        return self.get_paginated_response(EpisodeSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a referral",
        description="Opens the child's child in need episode and starts the 45 working day "
        "assessment clock. The CIN census rules on referrals are checked (one open episode, "
        "no overlap, source and primary need given, not long before birth or after death).",
        request=EpisodeCreateSerializer,
        responses={201: EpisodeDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = EpisodeCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        viewer = _viewer(request)
        episode = services.episode_open(
            actor=viewer,
            person=_child(viewer, data["person"], "edit"),
            referral_date=data["referral_date"],
            referral_source=data["referral_source"],
            primary_need=data["primary_need"],
        )
        return Response(
            EpisodeDetailSerializer(_episode(viewer, episode.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{episode.pk}/"},
        )


class EpisodeDetailView(_Base):
    """One episode with a summary of its assessments. Each read is written to the audit trail."""

    required_perms = {"GET": (VIEW,)}
    access_rule = "permission: core.view_case_records; record through casework.policies.episode_for"
    serializer_class = EpisodeDetailSerializer

    @extend_schema(
        summary="One child in need episode",
        responses={200: EpisodeDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        episode = _episode(viewer, pk)
        audit.record_view(
            actor=viewer, obj=episode, person_id=episode.person_id, detail="Episode (API)"
        )
        return Response(EpisodeDetailSerializer(episode).data)


class _EpisodeAction(_Base):
    required_perms = {"POST": (AUTHORISE,)}
    access_rule = (
        "permission: core.manage_allocations; record through casework.policies.episode_for"
    )
    serializer_class = EpisodeDetailSerializer
    incoming_class: type[VersionedSerializer] = VersionedSerializer

    def act(self, actor: User, episode: ChildInNeedEpisode, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        episode = policies.episode_for(viewer, pk, "authorise")
        incoming = self.incoming_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.act(viewer, episode, dict(incoming.validated_data))
        return Response(EpisodeDetailSerializer(_episode(viewer, pk)).data)


class EpisodeCloseView(_EpisodeAction):
    incoming_class = EpisodeCloseSerializer
    service_error_fields = {"closure_summary": "summary"}

    @extend_schema(
        summary="Close the episode",
        description="By a manager, with the CIN census reason and a summary: every assessment "
        "must be authorised and any section 47 enquiry concluded; the episode's plans and the "
        "allocations on the child's case end on the closure date.",
        request=EpisodeCloseSerializer,
        responses={
            200: EpisodeDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, episode: ChildInNeedEpisode, data: dict[str, Any]) -> None:
        services.episode_close(
            actor=actor,
            episode=episode,
            closure_date=data["closure_date"],
            closure_reason=data["closure_reason"],
            summary=data["summary"],
            expected_version=data["version"],
        )


class EpisodeNoFurtherActionView(_EpisodeAction):
    incoming_class = EpisodeNfaSerializer

    @extend_schema(
        summary="No further action on the referral",
        description="By a manager, before any assessment or plan: the episode closes that day "
        "(RC7) as a referral with no further action and the assessment clock stops.",
        request=EpisodeNfaSerializer,
        responses={
            200: EpisodeDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, episode: ChildInNeedEpisode, data: dict[str, Any]) -> None:
        services.episode_no_further_action(
            actor=actor,
            episode=episode,
            on=data["on"],
            reason=data["reason"],
            expected_version=data["version"],
        )


# --- assessments ---------------------------------------------------------------------------------


class AssessmentListView(_Base):
    """List assessments (GET) and start one (POST)."""

    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to list (only children the caller may see), "
        "core.edit_case_records to start one"
    )
    serializer_class = AssessmentSerializer

    @extend_schema(
        summary="List assessments",
        description="Newest first. With `person` or `episode`, that child's or episode's (404 if "
        "the caller may not see the child); without, those of every child the caller may see.",
        parameters=[
            OpenApiParameter("person", int, description="Only this child's."),
            OpenApiParameter("episode", int, description="Only this episode's."),
            OpenApiParameter(
                "status",
                str,
                enum=list(ASSESSMENT_STATUSES),
                description="Only those at this stage.",
            ),
        ],
        responses={200: AssessmentSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = AssessmentFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = params.validated_data
        viewer = _viewer(request)
        rows = policies.assessments_visible_to(viewer)
        if found.get("person") is not None:
            rows = rows.filter(person=person_for(viewer, found["person"]))
        if found.get("episode") is not None:
            rows = rows.filter(episode=policies.episode_for(viewer, found["episode"]))
        state = found.get("status")
        if state == "authorised":
            rows = rows.filter(authorised_on__isnull=False)
        elif state == "awaiting_authorisation":
            rows = rows.filter(authorised_on__isnull=True, submitted_at__isnull=False)
        elif state == "in_progress":
            rows = rows.filter(authorised_on__isnull=True, submitted_at__isnull=True)
        listed = _assessments().filter(pk__in=rows.values("pk")).order_by("-start_date", "-pk")
        page = self.paginate_queryset(listed)
        _record_views(viewer, page or [], "Assessments (API)")
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(
        summary="Start an assessment",
        description="On an open episode that went further than the referral, by the caller as "
        "the worker: one unfinished assessment per episode, starting on or after the referral "
        "and after the last one was authorised.",
        request=AssessmentCreateSerializer,
        responses={201: AssessmentDetailSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        incoming = AssessmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        viewer = _viewer(request)
        try:
            episode = policies.episode_for(viewer, data["episode"], "edit")
        except Http404:
            raise exceptions.ValidationError(
                {"episode": ["No child in need episode with this id"]}
            ) from None
        assessment = services.assessment_start(
            actor=viewer, episode=episode, start_date=data["start_date"]
        )
        return Response(
            AssessmentDetailSerializer(_assessment(viewer, assessment.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{assessment.pk}/"},
        )


class AssessmentDetailView(_Base):
    """One assessment (GET, written to the audit trail); record it (PATCH)."""

    required_perms = {"GET": (VIEW,), "PATCH": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to read, core.edit_case_records to record; record "
        "through casework.policies.assessment_for"
    )
    serializer_class = AssessmentDetailSerializer

    @extend_schema(
        summary="One assessment",
        responses={200: AssessmentDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        assessment = _assessment(viewer, pk)
        audit.record_view(
            actor=viewer, obj=assessment, person_id=assessment.person_id, detail="Assessment (API)"
        )
        return Response(AssessmentDetailSerializer(assessment).data)

    @extend_schema(
        summary="Record the assessment",
        description="The worker's record: when the child was seen (and whether alone), their "
        "words, the analysis, the factors identified and the proposed outcome. Only the fields "
        "sent change; an authorised assessment cannot change.",
        request=AssessmentUpdateSerializer,
        responses={
            200: AssessmentDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        assessment = policies.assessment_for(viewer, pk, "edit")
        incoming = AssessmentUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = data.pop("version")
        factors = data.pop("factors", None)
        services.assessment_update(
            actor=viewer,
            assessment=assessment,
            data=data,
            factors=factors,
            expected_version=version,
        )
        return Response(AssessmentDetailSerializer(_assessment(viewer, pk)).data)


class _AssessmentAction(_Base):
    required_perms: dict[str, tuple[str, ...]] = {"POST": (AUTHORISE,)}
    access_rule = (
        "permission: core.manage_allocations; record through casework.policies.assessment_for"
    )
    serializer_class = AssessmentDetailSerializer
    incoming_class: type[VersionedSerializer] = VersionedSerializer
    policy_action = "authorise"

    def act(self, actor: User, assessment: Assessment, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        viewer = _viewer(request)
        assessment = policies.assessment_for(viewer, pk, self.policy_action)
        incoming = self.incoming_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.act(viewer, assessment, dict(incoming.validated_data))
        return Response(AssessmentDetailSerializer(_assessment(viewer, pk)).data)


class AssessmentSubmitView(_AssessmentAction):
    required_perms = {"POST": (EDIT,)}
    access_rule = (
        "permission: core.edit_case_records; record through casework.policies.assessment_for"
    )
    policy_action = "edit"

    @extend_schema(
        summary="Send the assessment for authorisation",
        description="By the worker once everything is recorded (see `submission_problems`); "
        "their line manager is told.",
        request=VersionedSerializer,
        responses={
            200: AssessmentDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, assessment: Assessment, data: dict[str, Any]) -> None:
        services.assessment_submit(
            actor=actor, assessment=assessment, expected_version=data["version"]
        )


class AssessmentAuthoriseView(_AssessmentAction):
    incoming_class = AuthoriseSerializer
    service_error_fields = {"authorisation_rationale": "rationale"}

    @extend_schema(
        summary="Authorise the assessment",
        description="By a manager other than the worker: the CIN census completion date. It "
        "meets the assessment clock; an outcome of a strategy discussion starts that clock. "
        "The worker is told.",
        request=AuthoriseSerializer,
        responses={
            200: AssessmentDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, assessment: Assessment, data: dict[str, Any]) -> None:
        services.assessment_authorise(
            actor=actor,
            assessment=assessment,
            authorised_on=data["authorised_on"],
            rationale=data["rationale"],
            expected_version=data["version"],
        )


class AssessmentReturnView(_AssessmentAction):
    incoming_class = ReturnSerializer

    @extend_schema(
        summary="Return the assessment to the worker",
        description="By a manager, with what it needs: it is the worker's again, with the "
        "reason shown until they send it again. The worker is told.",
        request=ReturnSerializer,
        responses={
            200: AssessmentDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, actor: User, assessment: Assessment, data: dict[str, Any]) -> None:
        services.assessment_return(
            actor=actor,
            assessment=assessment,
            reason=data["reason"],
            expected_version=data["version"],
        )
