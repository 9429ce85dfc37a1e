"""Code lists for emergency protection, the legal gateway, pre-proceedings and care proceedings.

SSDA903 legal statuses L1 (police protection) and L2 (emergency protection order) are derived from
`EmergencyKind` (`selectors.legal_status_on`). The CIN census 2026-27 `PPOutcome` code list is
**unverified** (statutory-returns.md §1.7: the sample shows `A`; check the DfE 2026-27 CIN
specification before the return is built): `PreProceedingsOutcome` holds Hearth's own values and
`PP_OUTCOME_CENSUS` is left empty until the codes are confirmed.
"""

from __future__ import annotations

import datetime as dt

from django.db import models


class EmergencyKind(models.TextChoices):
    POLICE = "police", "Police protection (section 46)"
    EPO = "epo", "Emergency protection order (section 45)"


# SSDA903 legal status codes.
LEGAL_STATUS = {EmergencyKind.POLICE: "L1", EmergencyKind.EPO: "L2"}

# The law's limits (Children Act 1989 ss45 and 46).
POLICE_PROTECTION_LIMIT = dt.timedelta(hours=72)
EPO_LIMIT = dt.timedelta(days=8)
EPO_EXTENSION_DAYS = 7


class EmergencyOutcome(models.TextChoices):
    RETURNED_HOME = "returned_home", "Returned home"
    FAMILY_FRIENDS = "family_friends", "Went to stay with family or friends (not looked after)"
    SECTION_20 = "s20", "Accommodated under section 20"
    EPO_MADE = "epo", "Emergency protection order made"
    ICO_SOUGHT = "ico_sought", "Interim care order sought"
    OTHER = "other", "Other"


class GatewayReason(models.TextChoices):
    LONG_CP_PLAN = "long_cp_plan", "Child protection plan lasting over 15 months"
    NOT_PROGRESSING = "not_progressing", "Concerns not reducing under the current plan"
    SERIOUS_INCIDENT = "serious_incident", "A serious incident or new significant harm"
    EMERGENCY = "emergency", "After police protection or an emergency protection order"
    PRE_BIRTH = "pre_birth", "Pre-birth concerns"
    PRE_PROCEEDINGS_REVIEW = "pp_review", "Review of pre-proceedings"
    OTHER = "other", "Other"


# A child protection plan "lasting over 15 months" (domain.md row 10).
LONG_PLAN_MONTHS = 15


class GatewayDecision(models.TextChoices):
    PRE_PROCEEDINGS = "pre_proceedings", "Enter pre-proceedings (Public Law Outline)"
    ISSUE = "issue", "Issue care proceedings"
    CONTINUE = "continue", "No legal action: continue the current plan"
    ASSESS = "assess", "No legal action yet: seek further assessment"


class Representation(models.TextChoices):
    """Did the parents have legal representation (ssd_pre_proceedings Y/N, by parent)."""

    ALL = "all", "Yes, every parent"
    SOME = "some", "Some parents"
    NONE = "none", "No"


class PreProceedingsOutcome(models.TextChoices):
    """The outcome of pre-proceedings. NOTE: the census PPOutcome code list is unverified."""

    STEP_DOWN = "step_down", "Step down: no proceedings"
    ISSUE = "issue", "Issue care proceedings"
    CONTINUE = "continue", "Continue pre-proceedings"


# Outcomes that end pre-proceedings; "continue" is a decision to carry on.
ENDING_OUTCOMES = (PreProceedingsOutcome.STEP_DOWN.value, PreProceedingsOutcome.ISSUE.value)
# Hearth's outcome → the census PPOutcome code, once the DfE list is confirmed.
PP_OUTCOME_CENSUS: dict[str, str] = {}


class HearingKind(models.TextChoices):
    FIRST = "first", "First hearing"
    CASE_MANAGEMENT = "case_management", "Case management hearing"
    ISSUES_RESOLUTION = "issues_resolution", "Issues resolution hearing"
    FINAL = "final", "Final hearing"
    OTHER = "other", "Other hearing"


class InterimOrderKind(models.TextChoices):
    ICO = "ico", "Interim care order"
    ISO = "iso", "Interim supervision order"
    CAO = "cao", "Interim child arrangements order"
    OTHER = "other", "Other interim order"


class FinalOrderKind(models.TextChoices):
    CARE = "care", "Care order"
    SUPERVISION = "supervision", "Supervision order"
    SGO = "sgo", "Special guardianship order"
    CAO = "cao", "Child arrangements order"
    PLACEMENT = "placement", "Placement order"
    NO_ORDER = "no_order", "No order"
    WITHDRAWN = "withdrawn", "Application withdrawn"


class CarePlanKind(models.TextChoices):
    """The local authority's care plan for the child at a hearing."""

    HOME = "home", "Remain at or return home"
    FAMILY = "family", "Live with family or friends (special guardianship or child arrangements)"
    FOSTERING = "fostering", "Long-term foster care"
    ADOPTION = "adoption", "Adoption"
    RESIDENTIAL = "residential", "Residential care"
    OTHER = "other", "Other"


# Care or supervision proceedings: 26 weeks from issue (Children Act 1989 s32), extensions of up to
# 8 weeks at a time.
PROCEEDINGS_WEEKS = 26
EXTENSION_MAX_WEEKS = 8
