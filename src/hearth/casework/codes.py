"""CIN census code lists (statutory-returns.md §1.4): referral source, need, closure reason."""

from django.db import models


class ReferralSource(models.TextChoices):
    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance (including neighbours and child minders)"
    SELF = "1C", "Individual: self"
    INDIVIDUAL_OTHER = "1D", "Individual: other (including strangers)"
    SCHOOLS = "2A", "Schools"
    EDUCATION = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    PRIMARY_HEALTH = "3D", "Health: other primary health services"
    A_AND_E = "3E", "Health: A&E"
    HEALTH_OTHER = "3F", "Health: other (for example a hospice)"
    HOUSING = "4", "Housing (council housing or housing association)"
    LA_SOCIAL_CARE = "5A", "Council services: social care (for example adult social care)"
    LA_INTERNAL = "5B", "Council services: other internal (for example youth offending)"
    LA_EXTERNAL = "5C", "Council services: external (for example another council's services)"
    LA_EARLY_HELP = "5D", "Council services: early help"
    POLICE = "6", "Police"
    LEGAL = "7", "Other legal agency (courts, probation, immigration, Cafcass, prison)"
    OTHER = "8", "Other (children's centres, independent or voluntary providers)"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental disability or illness"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"
    N9 = "N9", "Cases other than children in need"
    N0 = "N0", "Not stated"


class ClosureReason(models.TextChoices):
    RC1 = "RC1", "Adopted"
    RC2 = "RC2", "Died"
    RC3 = "RC3", "Child arrangements order"
    RC4 = "RC4", "Special guardianship order"
    RC5 = "RC5", "Transferred to another council's services"
    RC6 = "RC6", "Transferred to adult social care"
    RC7 = "RC7", "Services ceased for any other reason, including no longer in need"
    RC8 = "RC8", "Closed after assessment: no further action"
    RC9 = "RC9", "Closed after assessment: referred to early help"


class AssessmentFactor(models.TextChoices):
    """Factors identified at assessment (N00181): number = factor, letter = whose concern (A the
    child, B a parent or carer, C another person in the household)."""

    F1A = "1A", "Alcohol misuse: the child"
    F1B = "1B", "Alcohol misuse: parent or carer"
    F1C = "1C", "Alcohol misuse: other person in the household"
    F2A = "2A", "Drug misuse: the child"
    F2B = "2B", "Drug misuse: parent or carer"
    F2C = "2C", "Drug misuse: other person in the household"
    F3A = "3A", "Domestic abuse: the child is subject"
    F3B = "3B", "Domestic abuse: parent or carer is subject"
    F3C = "3C", "Domestic abuse: other person in the household is subject"
    F4A = "4A", "Mental health: the child"
    F4B = "4B", "Mental health: parent or carer"
    F4C = "4C", "Mental health: other family or household member"
    F5A = "5A", "Learning disability: the child"
    F5B = "5B", "Learning disability: parent or carer"
    F5C = "5C", "Learning disability: other family or household member"
    F6A = "6A", "Physical disability or illness: the child"
    F6B = "6B", "Physical disability or illness: parent or carer"
    F6C = "6C", "Physical disability or illness: other family or household member"
    F7A = "7A", "Young carer"
    F8B = "8B", "Privately fostered: overseas child intending to return"
    F8C = "8C", "Privately fostered: overseas child intending to stay"
    F8D = "8D", "Privately fostered: UK child in an educational placement"
    F8E = "8E", "Privately fostered: UK child, alternative family arrangement"
    F8F = "8F", "Privately fostered: other"
    F9A = "9A", "Unaccompanied asylum-seeking child"
    F10A = "10A", "Going or being missing"
    F11A = "11A", "Child sexual exploitation"
    F12A = "12A", "Trafficking"
    F13A = "13A", "Gangs"
    F14A = "14A", "Socially unacceptable behaviour"
    F15A = "15A", "Self-harm"
    F16A = "16A", "Neglect"
    F17A = "17A", "Emotional abuse"
    F18B = "18B", "Physical abuse: by another child"
    F18C = "18C", "Physical abuse: by an adult"
    F19B = "19B", "Sexual abuse: by another child"
    F19C = "19C", "Sexual abuse: by an adult"
    F20 = "20", "Other"
    F21 = "21", "No factors identified"
    F22A = "22A", "Female genital mutilation"
    F23A = "23A", "Abuse linked to faith or belief"
    F24A = "24A", "Child criminal exploitation"


NO_FACTORS = AssessmentFactor.F21.value
# Factors that mean the child may be exploited: they need a current exploitation risk assessment.
EXPLOITATION_FACTORS = frozenset({"11A", "13A", "24A"})


class AssessmentOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    CHILD_IN_NEED_PLAN = "cin_plan", "Child in need plan"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion"
    EARLY_HELP = "early_help", "Early help"
    LOOKED_AFTER = "looked_after", "Becomes looked after"
