"""People for systems: search (likely matches or names), one record, and create.

Reads go through `policies`: a record the caller may not see does not exist for them (404), and
restricted records only exist for their named staff. Each read of one record is an audit view;
searches are not (they show no more than a list of names).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.core import audit
from hearth.core.api.common import MethodPermissions, ServiceErrorsMixin, error_responses
from hearth.core.models import User

from . import policies, selectors, services
from .codes import Disability, RelationshipKind
from .matching import Candidate, Match, find_matches
from .models import Address, Person, PersonName, Relationship
from .validators import normalise_nhs_number, validate_nhs_number, validate_postcode

VIEW = "core.view_case_records"
EDIT = "core.edit_case_records"
MATCH_LIMIT = 10
# Same name and date of birth, or the same NHS number, score well above this; a name alone does not.
LIKELY_DUPLICATE_SCORE = 50
SEARCH_TEXT = ("q", "nhs_number", "postcode")


# --- serializers ---------------------------------------------------------------------------------


class NameSerializer(serializers.ModelSerializer[PersonName]):
    class Meta:
        model = PersonName
        fields = ["kind", "forename", "surname", "from_date", "to_date"]


class AddressSerializer(serializers.ModelSerializer[Address]):
    class Meta:
        model = Address
        fields = ["id", "kind", "line_1", "line_2", "town", "postcode", "start_date", "end_date"]


class RelationshipSerializer(serializers.ModelSerializer[Relationship]):
    """Read from this person's side: `related_person_id` is their `kind` ("mother")."""

    related_person_id = serializers.IntegerField(source="from_person_id", read_only=True)
    kind = serializers.ChoiceField(
        choices=RelationshipKind.choices,
        read_only=True,
        help_text="What the related person is to this person.",
    )
    parental_responsibility = serializers.BooleanField(
        read_only=True, help_text="The related person holds parental responsibility for this one."
    )

    class Meta:
        model = Relationship
        fields = [
            "id",
            "related_person_id",
            "kind",
            "parental_responsibility",
            "lives_with",
            "start_date",
            "end_date",
        ]


class PersonSummarySerializer(serializers.ModelSerializer[Person]):
    names = NameSerializer(many=True, read_only=True, help_text="Every name, the legal one too.")

    class Meta:
        model = Person
        fields = [
            "id",
            "child_id",
            "forename",
            "surname",
            "names",
            "date_of_birth",
            "expected_date_of_birth",
            "sex",
        ]
        read_only_fields = fields


class PersonSearchResultSerializer(PersonSummarySerializer):
    score = serializers.SerializerMethodField(
        help_text="0–100, how likely this is the person described; null for a name search."
    )
    reasons = serializers.SerializerMethodField(help_text="The evidence behind the score.")

    class Meta(PersonSummarySerializer.Meta):
        fields = [*PersonSummarySerializer.Meta.fields, "score", "reasons"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_score(self, person: Person) -> int | None:
        match: Match | None = self.context.get("matches", {}).get(person.pk)
        return match.score if match else None

    def get_reasons(self, person: Person) -> list[str]:
        match: Match | None = self.context.get("matches", {}).get(person.pk)
        return list(match.reasons) if match else []


class PersonDetailSerializer(serializers.ModelSerializer[Person]):
    names = NameSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True, help_text="Current and past.")
    disabilities = serializers.SerializerMethodField()
    relationships = RelationshipSerializer(
        source="relationships_to", many=True, read_only=True, help_text="Current and ended."
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "child_id",
            "version",
            *services.PERSON_FIELDS,
            "is_restricted",
            "names",
            "addresses",
            "disabilities",
            "relationships",
        ]
        read_only_fields = fields

    def get_disabilities(self, person: Person) -> list[str]:
        return sorted(d.code for d in person.disabilities.all())


class PersonCreateSerializer(serializers.ModelSerializer[Person]):
    """Checked here for shape (types, codes, lengths); the service checks the rest."""

    nhs_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="10 digits; spaces allowed."
    )
    upn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    former_upn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    disabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=Disability.choices), required=False, default=list
    )
    not_a_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Set after checking the likely matches a first attempt returned (409).",
    )

    class Meta:
        model = Person
        fields = [*services.PERSON_FIELDS, "disabilities", "not_a_duplicate"]


class PersonSearchSerializer(serializers.Serializer[Any]):
    """Query parameters of the search. Any of date of birth, NHS number or postcode makes it a
    search for likely matches (scored, best first); otherwise `q` finds names and child IDs."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A name (forenames then surname; every name a person has counts) or a child "
        "ID. With other details, the name to match.",
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    nhs_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)

    def validate_nhs_number(self, value: str) -> str:
        value = normalise_nhs_number(value)
        if value:
            validate_nhs_number(value)
        return value

    def validate_postcode(self, value: str) -> str:
        if value.strip():
            validate_postcode(value)
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [attrs.get("date_of_birth"), *(attrs.get(k, "").strip() for k in SEARCH_TEXT)]
        if not any(given):
            raise serializers.ValidationError(
                {"q": "Enter a name or child ID, or a date of birth, NHS number or postcode"}
            )
        return attrs


# --- views ---------------------------------------------------------------------------------------


def _viewer(request: Request) -> User:
    return request.user  # type: ignore[return-value]  # the permission classes ensure a User


def _with_related(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.prefetch_related(
        "names",
        "addresses",
        "disabilities",
        Prefetch("relationships_to", queryset=Relationship.objects.order_by("kind", "pk")),
    )


def split_name(q: str) -> tuple[str, str]:
    """("Mary Ann", "Smith") from "Mary Ann Smith"; one word is a surname."""
    words = q.split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


class PersonListView(ServiceErrorsMixin, generics.GenericAPIView[Person]):
    """Search for people (GET) and record a new person (POST)."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    required_perms = {"GET": (VIEW,), "POST": (EDIT,)}
    access_rule = (
        "permission: core.view_case_records to search (records through "
        "people.policies.persons_visible_to), core.edit_case_records to create"
    )
    serializer_class = PersonSearchResultSerializer
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Search for people",
        description="With a date of birth, NHS number or postcode (and the name in `q`, if "
        f"known): the {MATCH_LIMIT} likeliest matches, best first, each with a score and the "
        "reasons for it. With only `q`: the search the people pages use (a child ID, NHS "
        "number or UPN; or names starting with or sounding like its words, with a date of "
        "birth if one is given), in name order. Records the caller may not open are left out. "
        "Searches are not written to the audit trail; reading a record is.",
        parameters=[PersonSearchSerializer],
        responses={
            200: PersonSearchResultSerializer(many=True),
            **error_responses(400, 401, 403),
        },
    )
    def get(self, request: Request) -> Response:
        params = PersonSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = params.validated_data
        viewer = _viewer(request)
        if found.get("date_of_birth") or found.get("nhs_number") or found.get("postcode"):
            forename, surname = split_name(found.get("q", ""))
            matches = find_matches(
                viewer,
                Candidate(
                    forename=forename,
                    surname=surname,
                    date_of_birth=found.get("date_of_birth"),
                    nhs_number=found.get("nhs_number", ""),
                    postcode=found.get("postcode", ""),
                ),
                limit=MATCH_LIMIT,
            )
            people: list[Person] = [m.person for m in matches]
            prefetch_related_objects(people, "names")
            page = self.paginate_queryset(people)  # type: ignore[arg-type]
            context = {
                **self.get_serializer_context(),
                "matches": {m.person.pk: m for m in matches},
            }
        else:
            people_named = selectors.person_search(viewer=viewer, query=found["q"])
            page = self.paginate_queryset(people_named.prefetch_related("names"))
            context = self.get_serializer_context()
        data = PersonSearchResultSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Create a person",
        description="Records a new person and gives them a child ID. Identifiers are checked "
        "(NHS number check digit, UPN check letter); dates must be in order and not in the "
        "future; an unborn child has an expected date of birth and sex unknown. When likely "
        "existing records are found the answer is 409 with them; send again with "
        "not_a_duplicate true if none is the same person.",
        request=PersonCreateSerializer,
        responses={201: PersonDetailSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request: Request) -> Response:
        incoming = PersonCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        disabilities = data.pop("disabilities", [])
        if not data.pop("not_a_duplicate", False):
            # As on the web: likely existing records are offered before a new one is made.
            likely = [
                m
                for m in find_matches(
                    _viewer(request),
                    Candidate(
                        forename=data.get("forename", ""),
                        surname=data.get("surname", ""),
                        date_of_birth=data.get("date_of_birth"),
                        nhs_number=normalise_nhs_number(data.get("nhs_number", "")),
                    ),
                    limit=MATCH_LIMIT,
                )
                if m.score >= LIKELY_DUPLICATE_SCORE
            ]
            if likely:
                found = PersonSearchResultSerializer(
                    [m.person for m in likely],
                    many=True,
                    context={
                        **self.get_serializer_context(),
                        "matches": {m.person.pk: m for m in likely},
                    },
                ).data
                return Response(
                    {
                        "detail": "This may be someone already recorded. Use one of these "
                        "records, or send again with not_a_duplicate set to true.",
                        "possible_matches": found,
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        person = services.person_create(
            actor=_viewer(request), data=data, disabilities=disabilities
        )
        person = _with_related(Person.objects.filter(pk=person.pk)).get()
        return Response(
            PersonDetailSerializer(person).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{person.pk}/"},
        )


class PersonDetailView(generics.RetrieveAPIView[Person]):
    """A person's record: names, addresses, disabilities and relationships (current and ended).
    Each read is written to the audit trail."""

    permission_classes = [IsAuthenticated, MethodPermissions]
    required_perms = {"GET": (VIEW,)}
    access_rule = "permission: core.view_case_records; record through people.policies.person_for"
    serializer_class = PersonDetailSerializer

    @extend_schema(
        summary="One person's record",
        responses={200: PersonDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_object(self) -> Person:
        viewer = _viewer(self.request)
        person = policies.person_for(viewer, self.kwargs["pk"])
        person = _with_related(Person.objects.filter(pk=person.pk)).get()
        audit.record_view(actor=viewer, obj=person, person_id=person.pk)
        return person
