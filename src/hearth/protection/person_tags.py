"""Banner tags for child protection: on a child protection plan, or a section 47 enquiry open.
The banner warns of a plan over the legal gateway threshold and of an initial conference late."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from hearth.people.models import Person
from hearth.people.tags import PersonTag, register_banner_warning, register_person_tag
from hearth.plans.codes import PlanKind
from hearth.plans.models import Plan

from .codes import LEGAL_GATEWAY_MONTHS
from .models import Section47Enquiry
from .selectors.history import started_before_threshold


def on_cp_plan(person_ref: OuterRef) -> Exists:
    return Exists(
        Plan.objects.filter(person_id=person_ref, kind=PlanKind.CP, end_date__isnull=True)
    )


def s47_open(person_ref: OuterRef) -> Exists:
    return Exists(Section47Enquiry.objects.filter(person_id=person_ref, concluded_on__isnull=True))


register_person_tag(PersonTag("cp", "Child protection plan", "red", order=20, matches=on_cp_plan))
register_person_tag(PersonTag("s47", "Section 47 enquiry", "orange", order=21, matches=s47_open))


@register_banner_warning("protection")
def protection_warnings(person: Person) -> list[str]:
    """A plan over the legal gateway threshold; an enquiry past its initial conference target."""
    today = timezone.localdate()
    warnings: list[str] = []
    if Plan.objects.filter(
        person=person,
        kind=PlanKind.CP,
        end_date__isnull=True,
        start_date__lt=started_before_threshold(today),
    ).exists():
        warnings.append(
            f"Child protection plan over {LEGAL_GATEWAY_MONTHS} months: discuss it at a legal "
            "gateway meeting"
        )
    late = (
        Section47Enquiry.objects.filter(
            person=person,
            concluded_on__isnull=True,
            icpc_not_required=False,
            icpc_target_date__lt=today,
        )
        .order_by("icpc_target_date")
        .first()
    )
    if late is not None:
        warnings.append(
            f"Initial child protection conference overdue: it was due by "
            f"{late.icpc_target_date.day} {late.icpc_target_date:%B %Y}"
        )
    return warnings
