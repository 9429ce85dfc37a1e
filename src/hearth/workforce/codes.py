"""Code lists for allocation: the roles someone holds on a child's case and why a worker changed."""

from django.db import models


class CaseRole(models.TextChoices):
    LEAD_SOCIAL_WORKER = "lead", "Lead social worker"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    IRO = "iro", "Independent reviewing officer"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    FAMILY_SUPPORT_WORKER = "family_support", "Family support worker"
    STUDENT = "student", "Student social worker"


class ChangeReason(models.TextChoices):
    """SSDA903 `SW_REASON` (rule SW13): why this worker took the case. statutory-returns.md §2."""

    FCONTA = "FCONTA", "First contact or re-referral"
    MANAGE = "MANAGE", "Managing caseloads"
    LEFTRL = "LEFTRL", "Previous social worker left the role"
    ORGRST = "ORGRST", "Organisational restructure"
    TSPROC = "TSPROC", "Transfer as standard process (for example to a long-term team)"
    ABSENC = "ABSENC", "Previous social worker absent"
    CHCHAN = "CHCHAN", "Child's circumstances changed"
    PCCHAN = "PCCHAN", "Parent or carer asked for a change"
    SWDIED = "SWDIED", "Previous social worker died"
    OTHERS = "OTHERS", "Other"


class EndReason(models.TextChoices):
    REALLOCATED = "reallocated", "Case passed to another worker"
    EPISODE_CLOSED = "episode_closed", "Case closed"
    WORKER_LEFT = "worker_left", "Worker left"
    ROLE_ENDED = "role_ended", "No longer needed in this role"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class CaseType(models.TextChoices):
    """What kind of work a case is, for weighting caseloads (the heaviest current type counts)."""

    ASSESSMENT = "assessment", "Assessment"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    CHILD_IN_CARE = "child_in_care", "Child in care"
    CARE_LEAVER = "care_leaver", "Care leaver"
