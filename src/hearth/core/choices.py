"""Code lists for staff, teams and roles."""

from django.db import models


class ServiceArea(models.TextChoices):
    FRONT_DOOR = "front_door", "Front door / MASH"
    ASSESSMENT = "assessment", "Assessment"
    CIN_CP = "cin_cp", "Child in need and protection"
    CHILDREN_IN_CARE = "children_in_care", "Children in care"
    LEAVING_CARE = "leaving_care", "Leaving care"
    DISABLED_CHILDREN = "disabled_children", "Disabled children"
    ADOLESCENTS = "adolescents", "Adolescents and exploitation"
    ADOPTION = "adoption", "Adoption and permanence"
    FOSTERING = "fostering", "Fostering"
    IRO = "iro", "IRO and conference chairs"
    QUALITY_ASSURANCE = "quality_assurance", "Quality assurance"
    PERFORMANCE = "performance", "Performance"


class RoleCode(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    SENIOR_PRACTITIONER = "senior_practitioner", "Senior practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SERVICE_MANAGER = "service_manager", "Service manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    DIRECTOR = "director", "Director"
    IRO = "iro", "Independent reviewing officer"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    FAMILY_SUPPORT_WORKER = "family_support_worker", "Family support worker"
    BUSINESS_SUPPORT = "business_support", "Business support"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance analyst"
    AUDITOR = "auditor", "Auditor"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"
    PARTNER_AGENCY = "partner_agency", "Partner agency user"


class EmploymentType(models.TextChoices):
    PERMANENT = "permanent", "Permanent"
    AGENCY = "agency", "Agency"
    ASYE = "asye", "Newly qualified (ASYE)"


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    ARCHIVE = "archive", "Archived"
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    ACCESS_DENIED = "access_denied", "Access refused"
    TOKEN_ISSUED = "token_issued", "API token issued"
    GENERATE = "generate", "Synthetic data generated"
