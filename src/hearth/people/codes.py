"""DfE code lists for people (statutory-returns.md §1.4) and Hearth's own lists."""

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Unknown or not recorded"


class GenderIdentity(models.TextChoices):
    NOT_KNOWN = "00", "Not known or not asked"
    MAN_BOY = "01", "Man or boy"
    WOMAN_GIRL = "02", "Woman or girl"
    NON_BINARY = "03", "Non-binary"
    OTHER = "09", "Described in another way"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism"
    DDA = "DDA", "Other (as defined by the Disability Discrimination Act)"


class UpnUnknown(models.TextChoices):
    UN1 = "UN1", "Not of school age, no UPN yet"
    UN2 = "UN2", "Never attended a maintained school in England"
    UN3 = "UN3", "Educated outside England"
    UN4 = "UN4", "Newly referred, UPN not yet known"
    UN5 = "UN5", "UPN sources show discrepancies"
    UN6 = "UN6", "Other reason UPN not known"
    UN7 = "UN7", "Referral with no further action"


class ImmigrationStatus(models.TextChoices):
    NOT_APPLICABLE = "", "British or settled (not applicable)"
    ASYLUM_SEEKER = "asylum_seeker", "Asylum seeker"
    REFUGEE = "refugee", "Refugee status"
    HUMANITARIAN = "humanitarian", "Humanitarian protection"
    DISCRETIONARY = "discretionary", "Discretionary or limited leave to remain"
    NO_RECOURSE = "no_recourse", "No recourse to public funds"
    UNDOCUMENTED = "undocumented", "Undocumented"
    OTHER = "other", "Other"


class NameKind(models.TextChoices):
    LEGAL = "legal", "Legal name"
    PREFERRED = "preferred", "Preferred name"
    PREVIOUS = "previous", "Previous name"
    ALIAS = "alias", "Alias or also known as"


class AddressKind(models.TextChoices):
    HOME = "home", "Home"
    TEMPORARY = "temporary", "Temporary"
    PLACEMENT = "placement", "Placement"
    CORRESPONDENCE = "correspondence", "Correspondence"


class RelationshipKind(models.TextChoices):
    """What the first person is to the second ("A is the mother of B")."""

    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    CHILD = "child", "Child"
    STEP_CHILD = "step_child", "Step-child"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    GRANDCHILD = "grandchild", "Grandchild"
    OTHER_RELATIVE = "other_relative", "Other relative"
    CARER = "carer", "Carer"
    CARED_FOR = "cared_for", "Cared for by"
    PARTNER = "partner", "Partner"
    FORMER_PARTNER = "former_partner", "Former partner"
    HOUSEHOLD_MEMBER = "household_member", "Household member"
    FRIEND = "friend", "Friend"
    PROFESSIONAL = "professional", "Professional"
    CLIENT = "client", "Supported by (professional)"


# The same relationship seen from the other person. Parents' reciprocal is "child".
RECIPROCAL: dict[str, str] = {
    RelationshipKind.MOTHER: RelationshipKind.CHILD,
    RelationshipKind.FATHER: RelationshipKind.CHILD,
    RelationshipKind.STEP_PARENT: RelationshipKind.STEP_CHILD,
    RelationshipKind.CHILD: RelationshipKind.CHILD,  # resolved by the other person's sex (service)
    RelationshipKind.STEP_CHILD: RelationshipKind.STEP_PARENT,
    RelationshipKind.SIBLING: RelationshipKind.SIBLING,
    RelationshipKind.HALF_SIBLING: RelationshipKind.HALF_SIBLING,
    RelationshipKind.GRANDPARENT: RelationshipKind.GRANDCHILD,
    RelationshipKind.GRANDCHILD: RelationshipKind.GRANDPARENT,
    RelationshipKind.OTHER_RELATIVE: RelationshipKind.OTHER_RELATIVE,
    RelationshipKind.CARER: RelationshipKind.CARED_FOR,
    RelationshipKind.CARED_FOR: RelationshipKind.CARER,
    RelationshipKind.PARTNER: RelationshipKind.PARTNER,
    RelationshipKind.FORMER_PARTNER: RelationshipKind.FORMER_PARTNER,
    RelationshipKind.HOUSEHOLD_MEMBER: RelationshipKind.HOUSEHOLD_MEMBER,
    RelationshipKind.FRIEND: RelationshipKind.FRIEND,
    RelationshipKind.PROFESSIONAL: RelationshipKind.CLIENT,
    RelationshipKind.CLIENT: RelationshipKind.PROFESSIONAL,
}
PARENT_KINDS = {RelationshipKind.MOTHER, RelationshipKind.FATHER, RelationshipKind.STEP_PARENT}
