"""Code lists for child protection. Categories of abuse are the CIN census codes (N00113/N00114);
child participation is the SSDA903 review participation list (PN0-PN7)."""

from __future__ import annotations

from django.db import models


class Agency(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's social care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    EARLY_YEARS = "early_years", "Early years"
    PROBATION = "probation", "Probation"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    HOUSING = "housing", "Housing"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    MENTAL_HEALTH = "mental_health", "Adult mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse services"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse service"
    VOLUNTARY = "voluntary", "Voluntary sector"
    LEGAL = "legal", "Legal services"
    OTHER = "other", "Other"


# Working Together 2023: a strategy discussion involves at least children's social care, the
# police and health. One without any of them is flagged.
REQUIRED_STRATEGY_AGENCIES: tuple[str, ...] = (Agency.SOCIAL_CARE, Agency.POLICE, Agency.HEALTH)


# A child protection plan this old is flagged for a legal gateway (planning) discussion (domain.md
# timescale 10: plans of 15-18 months usually trigger legal gateway or PLO consideration).
LEGAL_GATEWAY_MONTHS = 15


class StrategyDecision(models.TextChoices):
    SECTION_47 = "s47", "Start a section 47 enquiry"
    SINGLE_AGENCY = "single_agency", "Single-agency response"
    NO_FURTHER_ACTION = "nfa", "No further action"
    RECONVENE = "reconvene", "Reconvene the strategy discussion"


class Section47Outcome(models.TextChoices):
    NOT_SUBSTANTIATED = "not_substantiated", "Concerns not substantiated"
    NOT_LIKELY_HARM = (
        "not_likely_harm",
        "Concerns substantiated, but the child is not judged likely to suffer significant harm",
    )
    LIKELY_HARM = (
        "likely_harm",
        "Concerns substantiated, and the child is likely to suffer significant harm: "
        "conference needed",
    )


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    PRE_BIRTH = "pre_birth", "Pre-birth conference"
    TRANSFER_IN = "transfer_in", "Transfer-in conference"
    REVIEW = "review", "Review child protection conference"


# Conferences that can start a plan: the CIN census's "initial" conferences (DateOfInitialCPC).
INITIAL_KINDS: tuple[str, ...] = (
    ConferenceKind.INITIAL,
    ConferenceKind.PRE_BIRTH,
    ConferenceKind.TRANSFER_IN,
)


class ConferenceStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class ConferenceDecision(models.TextChoices):
    PLAN = "plan", "Child protection plan (start, or continue)"
    NO_PLAN = "no_plan", "No child protection plan"
    END_PLAN = "end_plan", "End the child protection plan"


class CategoryOfAbuse(models.TextChoices):
    NEGLECT = "NEG", "Neglect"
    PHYSICAL = "PHY", "Physical abuse"
    SEXUAL = "SAB", "Sexual abuse"
    EMOTIONAL = "EMO", "Emotional abuse"
    MULTIPLE = "MUL", "Multiple or not recommended"


class ParentParticipation(models.TextChoices):
    ALL = "all", "All parents or carers attended"
    SOME = "some", "Some parents or carers attended"
    NONE = "none", "No parent or carer attended"
    EXCLUDED = "excluded", "Excluded by the chair (reason recorded)"


class ChildParticipation(models.TextChoices):
    PN0 = "PN0", "Child aged under 4 at the time of the conference"
    PN1 = "PN1", "Attends and speaks for themselves"
    PN2 = "PN2", "Attends; an advocate speaks for them"
    PN3 = "PN3", "Attends and conveys their views non-verbally"
    PN4 = "PN4", "Attends without contributing"
    PN5 = "PN5", "Does not attend; briefs an advocate"
    PN6 = "PN6", "Does not attend; views conveyed another way (written, text, phone, video)"
    PN7 = "PN7", "Does not attend and views not conveyed"
