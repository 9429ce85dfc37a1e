"""People (children and the adults around them), their names, addresses, relationships and families.

Shaped on the Standard Safeguarding Dataset: ssd_person, ssd_address, ssd_disability,
ssd_immigration_status and ssd_family are each a simple query on these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hearth.core.models import BaseModel

from .codes import (
    AddressKind,
    Disability,
    Ethnicity,
    GenderIdentity,
    ImmigrationStatus,
    NameKind,
    RelationshipKind,
    Sex,
    UpnUnknown,
)
from .validators import validate_child_id


class IdentifierSequence(models.Model):
    """Issues the council's child IDs: only ever counts up, so an ID is never reused."""

    name = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class PersonQuerySet(models.QuerySet["Person"]):
    def live(self) -> PersonQuerySet:
        """Not merged into another record."""
        return self.filter(merged_into__isnull=True)


class Person(BaseModel):
    child_id = models.CharField(
        "Child ID", max_length=20, unique=True, validators=[validate_child_id], editable=False
    )
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(
        null=True, blank=True, help_text="For an unborn child."
    )
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(
        max_length=2, choices=GenderIdentity.choices, default=GenderIdentity.NOT_KNOWN
    )
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=60, blank=True)
    religion = models.CharField(max_length=60, blank=True)
    nationality = models.CharField(max_length=60, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    former_upn = models.CharField("Former UPN", max_length=13, blank=True)
    upn_unknown = models.CharField(
        "UPN unknown reason", max_length=3, choices=UpnUnknown.choices, blank=True
    )
    date_of_death = models.DateField(null=True, blank=True)
    immigration_status = models.CharField(
        max_length=20, choices=ImmigrationStatus.choices, blank=True
    )
    is_uasc = models.BooleanField("Unaccompanied asylum-seeking child", default=False)
    is_restricted = models.BooleanField(
        default=False,
        help_text="Only named staff may open the record (a staff member's relative, "
        "a high-profile case).",
    )
    restriction_reason = models.CharField(max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "forename", "id"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="person_dob"),
            models.Index(fields=["surname", "forename"], name="person_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_death__isnull=True)
                | Q(date_of_birth__isnull=True)
                | Q(date_of_death__gte=F("date_of_birth")),
                name="person_death_after_birth",
            ),
            models.CheckConstraint(
                condition=Q(is_restricted=False) | ~Q(restriction_reason=""),
                name="person_restriction_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="person_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(upn="") | Q(upn_unknown=""), name="person_upn_or_unknown_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.is_unborn and not self.forename:
            return f"Unborn child of the {self.surname} family"
        return f"{self.forename} {self.surname}".strip()

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None


class PersonName(models.Model):
    """Every name a person is or was known by, with phonetic keys for matching. The legal name is
    kept here too (by the services), so one indexed table answers "anyone called this"."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=20, choices=NameKind.choices)
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    forename_key = models.CharField(max_length=40, blank=True, db_index=True)
    surname_key = models.CharField(max_length=40, blank=True, db_index=True)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "surname", "forename"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_date__isnull=True)
                | Q(from_date__isnull=True)
                | Q(to_date__gte=F("from_date")),
                name="person_name_dates_in_order",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(kind="legal"), name="one_legal_name_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname} ({self.get_kind_display()})"


class PersonDisability(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disabilities")
    code = models.CharField(max_length=4, choices=Disability.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "code"], name="disability_code_once"),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class Address(BaseModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=AddressKind.choices, default=AddressKind.HOME)
    line_1 = models.CharField(max_length=150)
    line_2 = models.CharField(max_length=150, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, db_index=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="address_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)


class Relationship(BaseModel):
    """`from_person` is the `kind` of `to_person` ("A is the mother of B"). Always stored in
    pairs: `inverse` is the same relationship seen from B."""

    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    parental_responsibility = models.BooleanField(
        default=False, help_text="The first person holds parental responsibility for the second."
    )
    lives_with = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    inverse = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")), name="relationship_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="relationship_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person} is {self.get_kind_display().lower()} of {self.to_person}"


class FamilyGroup(BaseModel):
    name = models.CharField(max_length=150)

    def __str__(self) -> str:
        return self.name


class FamilyMembership(models.Model):
    family = models.ForeignKey(FamilyGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family_memberships")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["family", "person"],
                condition=Q(end_date__isnull=True),
                name="one_current_family_membership",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="family_membership_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.family}"


class RestrictedAccess(models.Model):
    """A member of staff named to open a restricted record."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="named_staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_current_named_access",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} may open {self.person_id}"


class PersonMerge(models.Model):
    """Two records found to be one person. `moved` lists every row re-pointed, so undo is exact."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_merged")
    reason = models.CharField(max_length=500)
    moved = models.JSONField(default=dict)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-performed_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(kept=F("merged")), name="merge_two_records"),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} merged into {self.kept_id}"
