"""Code lists for visits, and which clock event each kind of visit meets."""

from __future__ import annotations

from django.db import models


class VisitKind(models.TextChoices):
    CIN = "cin", "Child in need visit"
    CP = "cp", "Child protection visit"
    CLA = "cla", "Child in care statutory visit"
    PA = "pa", "Personal adviser contact"
    OTHER = "other", "Other visit"


class VisitLocation(models.TextChoices):
    HOME = "home", "At home"
    SCHOOL = "school", "At school or nursery"
    PLACEMENT = "placement", "At the placement"
    OFFICE = "office", "At the office"
    OTHER = "other", "Somewhere else"


# The clock event (timescales.rules.EVENTS) a visit of each kind meets, when the child was seen.
# A statutory visit must see the child: a visit where they were not seen meets no clock.
CLOCK_EVENTS: dict[str, str] = {
    VisitKind.CIN: "cin-visit",
    VisitKind.CP: "cp-visit",
    VisitKind.CLA: "cla-visit",
    VisitKind.PA: "pa-contact",
}

# The timescale rules visits meet (a child's next visit due is the soonest open one of these).
VISIT_RULES = ("cin-visit", "cp-visit", "cla-visit-first-week", "cla-visit", "pa-contact")

# The visit kind a child's open plan suggests (plans.codes.PlanKind values).
KIND_FOR_PLAN: dict[str, str] = {
    "cin": VisitKind.CIN,
    "cp": VisitKind.CP,
    "care": VisitKind.CLA,
    "pathway": VisitKind.PA,
}
