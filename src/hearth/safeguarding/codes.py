"""Code lists for risk assessments and missing episodes. Missing episodes hold the SSDA903 MISSING
codes (M missing, A away from placement without authorisation), which Annex A and the SSD's
`ssd_missing` use too."""

from django.db import models


class RiskKind(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Child criminal exploitation"
    MISSING = "missing", "Missing"
    ONLINE = "online", "Online harm"
    SELF_HARM = "self_harm", "Self-harm"
    RADICALISATION = "radicalisation", "Radicalisation"
    TRAFFICKING = "trafficking", "Trafficking"


# Kinds that answer an exploitation concern: one of these current clears the flag.
EXPLOITATION_KINDS = (RiskKind.CSE.value, RiskKind.CCE.value, RiskKind.MISSING.value)


class RiskLevel(models.TextChoices):
    NONE = "none", "No apparent risk"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class MissingKind(models.TextChoices):
    """SSDA903 MISSING."""

    MISSING = "M", "Missing (whereabouts unknown)"
    AWAY = "A", "Away without authorisation (whereabouts known)"


class MissingFrom(models.TextChoices):
    HOME = "home", "From home"
    CARE = "care", "From care"


# Front door concern categories that mean a child may be exploited or goes missing.
EXPLOITATION_CONTACT_CATEGORIES = ("exploitation", "missing")
