"""Synthetic front door history for the demo council: contacts, referrals and early help.

Step "front-door" (order 110) reads the households the people step wrote and lives through the
history household by household, in date order. Each household has a first incident somewhere in
the history and, with probability `c`, another after an exponential gap (see
`hearth.people.demo_steps`); `c` is solved here so that the council gets about 3 contacts per
referral at the national referral rate. An incident is a contact submission (one referrer, one or
more of the children: brothers and sisters often share one) or early help opened directly by a
school or family hub.

Each contact is screened (consent, a red/amber/green rating), checked with other agencies (many),
recommended by a MASH social worker and decided by a manager, with rationales of 10 words or more.
A referral (or a strategy discussion) opens a child in need episode dated the day the contact was
received; it closes after the assessment or months later with a closure reason, so a child has at
most one open episode; a child with an open episode gets advice or no further action (the
information goes to the allocated worker). After an episode closes the concerns come back for
some children (follow-ups: the re-referrals). Early help outcomes open early help episodes; some
close stepped up, and the step-up comes back to the front door as a contact from early help (5D).
Families already known before the history bring follow-ups in its first two years and some early
help episodes that began before it, so the front door is about as busy in its first year as in its
last. Contacts still being worked on at the reference date (its midnight is "now") form the queue.
With `--years 1` the re-referral rate is low: a year's referrals have no earlier year to look back
on.

National rates (domain.md §2.1, §2.5): 519 referrals per 10,000 children a year, 22.6% of them
re-referrals within 12 months, 6.5% no further action; about 3 contacts per referral [estimate];
referral sources police 28%, schools 21%, then health, council services, individuals; primary need
mostly N1 (about 55%), then N5 and N4. Early help is not collected nationally: about 250 episodes
per 10,000 children a year is our estimate. Decisions: about 95% within one working day.

Child protection: as each episode opens, `hearth.protection.demo_steps.PathPlanner` (on its own
random stream) plans its strategy discussion, section 47 enquiry, conferences and plan, if any:
every strategy discussion decision, and a concern raised later on about 4 in 10 other episodes.
The episode's closure moves to after them (a closed episode has every enquiry concluded and every
plan ended), and an episode with an enquiry never closes RC8 or RC9 (CIN census rule 2990: it
closes RC7, and its assessment outcome is handed to the casework step instead).

Timescales: clock events for the contacts ("contact", "contact-rated-<rating>",
"contact-decision") and the children ("referral" keyed to its episode, "referral-nfa",
"significant-harm-concern"), then `timescales.services.rederive`. Handed over: the planned
assessment dates ("frontdoor.assessment_dates") and the outcomes of those whose closure reason
does not say it ("frontdoor.assessment_outcomes") to the casework step (order 122), which records
the assessments; each episode's child protection path ("frontdoor.protection") to the child
protection step (order 123), which records the strategy discussions and what followed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from hearth.casework.codes import AssessmentOutcome, ClosureReason, PrimaryNeed, ReferralSource
from hearth.casework.models import ChildInNeedEpisode
from hearth.core.choices import RoleCode, ServiceArea
from hearth.core.models import User
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step
from hearth.people.codes import Disability, RelationshipKind
from hearth.people.demo_steps import (
    CONTACTS_PER_10K,
    DIRECT_EARLY_HELP_SHARE,
    EARLY_HELP_PER_10K,
    FOLLOW_UP_SHARE,
    INCIDENT_GAP_DAYS,
    FastRows,
    add_years,
    first_incident_weights,
    incidents_needed,
    incidents_per_household,
    own_incidents_needed,
    set_sequence,
    weighted,
)
from hearth.people.models import (
    Address,
    FamilyMembership,
    IdentifierSequence,
    Person,
    PersonDisability,
    Relationship,
)
from hearth.protection.demo_steps import PathPlanner, ProtectionPath
from hearth.timescales import services as timescales
from hearth.timescales.calendar import WorkingCalendar
from hearth.timescales.models import ClockEvent, ClockSubject
from hearth.timescales.rules import SubjectType
from hearth.timescales.selectors import working_calendar

from .models import (
    Agency,
    AgencyCheck,
    Channel,
    ConcernCategory,
    Consent,
    Contact,
    ContactSubmission,
    EarlyHelpEpisode,
    EarlyHelpOutcome,
    Outcome,
    Rating,
)
from .services import RATIONALE_MIN_WORDS

LONDON = ZoneInfo("Europe/London")
RS = ReferralSource
CC = ConcernCategory
O = Outcome  # noqa: E741
RE_REFERRAL_DAYS = 365
REDERIVE_BATCH = 1000

# --- rates and shares ----------------------------------------------------------------------------

# Who contacts the front door (CIN census referral sources, 2025: police 28%, schools 21%, then
# health, council services and individuals; the split inside each group is our estimate). These
# are weights, not shares: step-ups from early help (5D), pre-birth (3D) and asylum contacts come on
# top, and schools' contacts about children under 4 go to health visitors instead, so police and
# schools are weighted up to come out at about 28% and 21% of referrals.
SOURCES: list[tuple[str, float]] = [
    (RS.POLICE, 42),
    (RS.SCHOOLS, 37),
    (RS.EDUCATION, 2),
    (RS.GP, 3),
    (RS.HEALTH_VISITOR, 3.5),
    (RS.SCHOOL_NURSE, 1.5),
    (RS.PRIMARY_HEALTH, 2),
    (RS.A_AND_E, 3),
    (RS.HEALTH_OTHER, 2),
    (RS.LA_SOCIAL_CARE, 2.5),
    (RS.LA_INTERNAL, 4),
    (RS.LA_EXTERNAL, 2),
    (RS.LA_EARLY_HELP, 3.5),
    (RS.FAMILY, 5),
    (RS.ACQUAINTANCE, 1.5),
    (RS.SELF, 1.5),
    (RS.INDIVIDUAL_OTHER, 1),
    (RS.HOUSING, 2.5),
    (RS.LEGAL, 4),
    (RS.OTHER, 4),
    (RS.ANONYMOUS, 1.5),
    (RS.UNKNOWN, 1),
]
SOURCE_GROUP: dict[str, str] = {
    RS.POLICE: "police",
    RS.SCHOOLS: "school",
    RS.EDUCATION: "school",
    RS.GP: "health",
    RS.HEALTH_VISITOR: "health",
    RS.SCHOOL_NURSE: "health",
    RS.PRIMARY_HEALTH: "health",
    RS.A_AND_E: "health",
    RS.HEALTH_OTHER: "health",
    RS.LA_SOCIAL_CARE: "council",
    RS.LA_INTERNAL: "council",
    RS.LA_EXTERNAL: "council",
    RS.LA_EARLY_HELP: "council",
    RS.HOUSING: "council",
    RS.FAMILY: "individual",
    RS.ACQUAINTANCE: "individual",
    RS.SELF: "individual",
    RS.INDIVIDUAL_OTHER: "individual",
    RS.ANONYMOUS: "individual",
    RS.UNKNOWN: "individual",
    RS.LEGAL: "legal",
    RS.OTHER: "other",
}
# Sources that contact out of hours and at weekends; the rest in office hours on working days.
AROUND_THE_CLOCK = {RS.POLICE, RS.A_AND_E, RS.FAMILY, RS.ACQUAINTANCE, RS.SELF, RS.ANONYMOUS}

# Outcome of a contact about a child with no open episode [estimates, tuned so that a third of
# all contacts become referrals and about 22% of referrals are re-referrals].
OUTCOME_WEIGHTS: dict[str, float] = {
    O.REFERRAL: 0.31,
    O.STRATEGY_DISCUSSION: 0.03,
    O.EARLY_HELP: 0.12,
    O.ADVICE: 0.22,
    O.NFA: 0.285,
}
REFERRED_BEFORE_BOOST = 2.0  # a child referred in the last two years is more often referred again
SIBLINGS_SHARE_OUTCOME = 0.7
# Rating by outcome (about 10% red, 40% amber, 50% green overall).
RATING_BY_OUTCOME: dict[str, list[tuple[str, float]]] = {
    O.STRATEGY_DISCUSSION: [(Rating.RED, 0.9), (Rating.AMBER, 0.1)],
    O.REFERRAL: [(Rating.RED, 0.2), (Rating.AMBER, 0.68), (Rating.GREEN, 0.12)],
    O.EARLY_HELP: [(Rating.AMBER, 0.42), (Rating.GREEN, 0.58)],
    O.ADVICE: [(Rating.RED, 0.01), (Rating.AMBER, 0.3), (Rating.GREEN, 0.69)],
    O.NFA: [(Rating.RED, 0.01), (Rating.AMBER, 0.25), (Rating.GREEN, 0.74)],
}
LATE_DECISION = {Rating.RED: 0.01, Rating.AMBER: 0.04, Rating.GREEN: 0.065}
RECOMMENDATION_OVERRULED = 0.07
# Chance that concerns come back after an episode closes (a follow-up incident within a year).
FOLLOW_UP_AFTER_SHORT = 0.45  # after no further action or an assessment finding no need
FOLLOW_UP_AFTER_SUPPORT = 0.3
# Follow-ups build up over the first two years or so of a history (measured); families known
# before it bring follow-ups at a rate falling linearly over this many days from its start.
FOLLOW_UP_RAMP_DAYS = 800
# Early help open at any moment: about half a year of episodes (mean length about 6 months).
OPEN_EARLY_HELP_YEARS = 0.45

# Child in need episodes after a referral (domain.md §2.1: 6.5% no further action, 30.8% assessed
# and not in need; the rest supported for months or years).
REFERRAL_NFA = 0.071  # of referrals; strategy discussions are never NFA
ASSESSED_NOT_IN_NEED = 0.308 / (1 - REFERRAL_NFA)
STEP_DOWN_AFTER_ASSESSMENT = 0.12  # of those not in need: closed RC9, referred to early help
# Assessment length in working days (C2 2025 bands: p25 17, median 33, 85.7% within 45).
ASSESSMENT_BANDS: list[tuple[tuple[int, int], float]] = [
    ((0, 0), 1.8),
    ((1, 10), 11.6),
    ((11, 20), 17.3),
    ((21, 30), 15.8),
    ((31, 40), 20.2),
    ((41, 45), 18.9),
    ((46, 50), 5.8),
    ((51, 60), 4.3),
    ((61, 110), 4.2),
]
# Months of support after the assessment for children found in need [estimate].
SUPPORT_CLOSURES = {
    ClosureReason.RC1,
    ClosureReason.RC3,
    ClosureReason.RC4,
    ClosureReason.RC5,
    ClosureReason.RC6,
    ClosureReason.RC7,
}
SUPPORT_DAYS: list[tuple[tuple[int, int], float]] = [
    ((60, 180), 0.45),
    ((180, 450), 0.35),
    ((450, 1200), 0.20),
]
CLOSURE_REASONS: list[tuple[str, float]] = [
    (ClosureReason.RC7, 0.78),
    (ClosureReason.RC9, 0.06),
    (ClosureReason.RC5, 0.06),
    (ClosureReason.RC3, 0.04),
    (ClosureReason.RC4, 0.04),
    (ClosureReason.RC1, 0.02),
]
EARLY_HELP_OUTCOMES: list[tuple[str, float]] = [
    (EarlyHelpOutcome.NEEDS_MET, 0.60),
    (EarlyHelpOutcome.STEPPED_UP, 0.17),
    (EarlyHelpOutcome.DISENGAGED, 0.16),
    (EarlyHelpOutcome.MOVED_AWAY, 0.07),
]
CONSENT: dict[str, list[tuple[str, float]]] = {
    "urgent": [(Consent.OBTAINED, 0.25), (Consent.NOT_SOUGHT, 0.45), (Consent.OVERRIDDEN, 0.30)],
    "police": [(Consent.OBTAINED, 0.55), (Consent.NOT_SOUGHT, 0.4), (Consent.OVERRIDDEN, 0.05)],
    "other": [(Consent.OBTAINED, 0.86), (Consent.NOT_SOUGHT, 0.10), (Consent.OVERRIDDEN, 0.04)],
}
CHECK_AGENCIES: list[tuple[str, float]] = [
    (Agency.POLICE, 0.9),
    (Agency.HEALTH, 0.8),
    (Agency.EDUCATION, 0.7),
    (Agency.EARLY_HELP, 0.3),
    (Agency.HOUSING, 0.2),
    (Agency.PROBATION, 0.15),
    (Agency.OTHER_COUNCIL, 0.08),
]

# --- words ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concern:
    key: str
    categories: tuple[str, ...]
    needs: tuple[tuple[str, float], ...]
    groups: dict[str, float]  # affinity by source group
    phrase: str  # "domestic abuse between the adults", for rationales
    openings: tuple[str, ...]  # "police,school|text": only from those referrers
    details: tuple[str, ...]
    min_age: float = 0.0


N = PrimaryNeed
CONCERNS: tuple[Concern, ...] = (
    Concern(
        "domestic_abuse",
        (CC.DOMESTIC_ABUSE,),
        ((N.N1, 0.62), (N.N5, 0.25), (N.N4, 0.13)),
        {
            "police": 6,
            "health": 1,
            "school": 1,
            "individual": 1.5,
            "council": 1,
            "other": 2,
            "legal": 1.5,
        },
        "domestic abuse between the adults in the household",
        (
            "police|"
            "Police attended the home on {day} after a neighbour reported shouting and banging.",
            "The mother called police on {day} saying her partner had pushed her and would not"
            " leave the house.",
            "An argument between the parents on {day} ended with the father arrested for"
            " criminal damage.",
            "police|A domestic abuse incident was reported on {day}; the DASH risk assessment was"
            " graded {grade} risk.",
        ),
        (
            "{C} {was} in the house at the time and {was} heard crying upstairs.",
            "{C} {was} asleep upstairs; officers checked on {c} and found no injuries.",
            "This is the third incident reported at the address this year.",
            "The mother says the relationship has now ended, but he still has a key.",
        ),
    ),
    Concern(
        "neglect",
        (CC.NEGLECT,),
        ((N.N1, 0.88), (N.N4, 0.07), (N.N7, 0.05)),
        {"school": 4, "health": 3, "individual": 2, "council": 1, "police": 1, "other": 1.5},
        "neglect of the children's basic care",
        (
            "school|"
            "{C} {has} come to school hungry and in the same unwashed clothes most days this week.",
            "health|"
            "The health visitor found the home cold, with little food and dirty nappies on the"
            " floor.",
            "{C} {has} untreated head lice and tooth decay and {has} missed two dental"
            " appointments.",
            "individual,police,council,other|"
            "Neighbours say {c} {is} often left alone in the evenings while the mother goes out.",
        ),
        (
            "School attendance this term is below 80% and several absences are unexplained.",
            "The mother says money is very tight since her benefits were stopped.",
            "Staff have offered help before but the family did not take it up.",
            "There is no working heating or cooker in the flat.",
        ),
    ),
    Concern(
        "physical",
        (CC.PHYSICAL,),
        ((N.N1, 1.0),),
        {"school": 3, "health": 2.5, "police": 1.5, "individual": 1},
        "a possible non-accidental injury",
        (
            "school|A teacher noticed bruising to the child's upper arm on {day}.",
            "health,police|"
            "{C} {was} brought to A&E on {day} with a burn that does not match the explanation"
            " given.",
            "school|"
            "{C} told a teaching assistant that dad hits them with a belt when they are naughty.",
        ),
        (
            "The bruises look like finger marks and are at different stages of healing.",
            "The parents' accounts of how the injury happened have changed.",
            "{C} seemed frightened about going home at the end of the day.",
        ),
    ),
    Concern(
        "sexual",
        (CC.SEXUAL,),
        ((N.N1, 1.0),),
        {"police": 1.5, "school": 1, "health": 0.7, "individual": 0.5},
        "possible sexual harm",
        (
            "school|"
            "{C} made a disclosure to a trusted adult at school on {day} about an older relative.",
            "police,legal|"
            "Police received information on {day} that a registered sex offender is staying at"
            " the address.",
            "school,health|"
            "{C} {has} shown sexualised behaviour in class that worries the safeguarding lead.",
        ),
        (
            "The adult concerned has not been spoken to yet.",
            "The mother was told and says she will keep him away from the house.",
            "{C} asked staff not to tell anyone.",
        ),
        min_age=3,
    ),
    Concern(
        "emotional",
        (CC.EMOTIONAL,),
        ((N.N1, 0.72), (N.N5, 0.28)),
        {"school": 2.5, "health": 1, "individual": 1.5, "police": 1},
        "emotional harm from the parents' conflict",
        (
            "school|{C} {has} become withdrawn and tearful at school since the parents separated.",
            "A relative reports the father regularly belittles and shouts at {c}.",
            "{C} {was} caught up in the parents' dispute over contact arrangements on {day}.",
        ),
        (
            "{C} told staff that home is 'always shouting'.",
            "The parents have been in court over child arrangements for two years.",
            "{C} {has} begun to self-harm by scratching.",
        ),
    ),
    Concern(
        "mental_health",
        (CC.PARENTAL_MENTAL_HEALTH,),
        ((N.N3, 0.35), (N.N4, 0.25), (N.N1, 0.4)),
        {"health": 3, "police": 1.5, "council": 1.5, "school": 1, "individual": 1},
        "the mother's mental health and its effect on her care of the children",
        (
            "The mother was detained under the Mental Health Act on {day}.",
            "health,council|"
            "The community mental health team report the mother has stopped taking her medication.",
            "Police were called on {day} after the father threatened to take his own life.",
        ),
        (
            "There is no other adult at home to care for {c}.",
            "The maternal grandmother is helping for now but lives an hour away.",
            "{C} {has} been caring for the parent and missing school.",
        ),
    ),
    Concern(
        "substance",
        (CC.PARENTAL_SUBSTANCE_MISUSE,),
        ((N.N1, 0.7), (N.N5, 0.3)),
        {"police": 2, "health": 2, "council": 1, "individual": 1.5, "other": 1, "legal": 1},
        "the parents' use of drugs and alcohol",
        (
            "police|Police found cannabis and drug paraphernalia within reach of {c} on {day}.",
            "school,police|The father arrived drunk to collect {c} from school on {day}.",
            "health,council,other|"
            "The drug and alcohol service report the mother has relapsed into heroin use.",
        ),
        (
            "The home was chaotic and there were needles in the kitchen.",
            "Staff did not let {c} leave with him and called the mother.",
            "The parents say they are managing and do not want help.",
        ),
    ),
    Concern(
        "missing",
        (CC.MISSING, CC.EXPLOITATION),
        ((N.N1, 0.6), (N.N6, 0.4)),
        {"police": 5, "school": 1, "council": 1.5},
        "going missing and the risk of criminal exploitation",
        (
            "{C} {was} reported missing on {day} and found two days later in another city.",
            "police|"
            "{C} {was} stopped by police on {day} with cash, two phones and a small amount of"
            " cocaine.",
            "{C} {has} been seen getting into cars with older men outside the school gates.",
        ),
        (
            "This is the fourth missing episode in three months.",
            "{C} would not say where they had been or who they were with.",
            "The parents feel they can no longer keep {c} safe.",
        ),
        min_age=10,
    ),
    Concern(
        "behaviour",
        (CC.OTHER,),
        ((N.N6, 0.7), (N.N5, 0.3)),
        {"council": 3, "school": 2, "police": 2, "legal": 0.8},
        "the young person's behaviour and offending",
        (
            "police,council|"
            "{C} {was} arrested on {day} for assault after a fight in the town centre.",
            "school,council|"
            "{C} {has} been permanently excluded from school after repeated violent incidents.",
            "council|Youth justice report {c} {has} breached the conditions of a referral order.",
        ),
        (
            "The parents say they cannot manage {c} at home.",
            "There have been several reports of anti-social behaviour in the area.",
            "{C} {is} not in any education at present.",
        ),
        min_age=10,
    ),
    Concern(
        "disability",
        (CC.DISABILITY,),
        ((N.N2, 0.9), (N.N3, 0.1)),
        {"health": 3, "school": 2, "council": 1.5, "individual": 0.5},
        "the child's disability and the family's need for support",
        (
            "health|"
            "The paediatrician asks for support for the family of a child with complex needs.",
            "Professionals report the parents are exhausted and struggling to cope.",
            "The family asked for short breaks after the child's needs increased.",
        ),
        (
            "{C} needs care through the night and the parents are not sleeping.",
            "The equipment at home is no longer suitable.",
            "The family have no support from relatives.",
        ),
    ),
    Concern(
        "stress",
        (CC.OTHER,),
        ((N.N4, 0.6), (N.N7, 0.2), (N.N8, 0.2)),
        {"council": 3, "individual": 1, "school": 1, "health": 0.5},
        "the family's housing and money problems",
        (
            "The family are being evicted on {day} and have nowhere to go.",
            "The mother asked for help after the family's benefits were sanctioned.",
            "council|Housing report the family are living in one room in a hostel.",
        ),
        (
            "{C} {has} been sleeping on a sofa at a relative's house.",
            "The mother is worried about feeding {c} until the end of the month.",
            "The family were placed out of area and {c} cannot get to school.",
        ),
    ),
    Concern(
        "absent",
        (CC.OTHER,),
        ((N.N8, 1.0),),
        {"legal": 2.5, "police": 0.7, "council": 0.7, "individual": 0.4},
        "no parent able to care for the child",
        (
            "The mother was remanded in custody on {day} and {c} {is} staying with a neighbour.",
            "legal|Probation report the only parent is about to start a prison sentence.",
            "The father has been admitted to hospital and there is no one to look after {c}.",
        ),
        (
            "The neighbour can only help for a few days.",
            "No relatives have yet been identified.",
            "The other parent's whereabouts are unknown.",
        ),
    ),
)
PRE_BIRTH = Concern(
    "pre_birth",
    (CC.PARENTAL_SUBSTANCE_MISUSE, CC.DOMESTIC_ABUSE),
    ((N.N1, 1.0),),
    {},
    "risks to the unborn baby",
    (
        "The community midwife is concerned about the mother's drug use in pregnancy.",
        "The mother disclosed domestic abuse by the baby's father at her booking appointment.",
        "An older child was removed from the mother's care in another council.",
    ),
    (
        "The baby is due in the next few months and a pre-birth assessment is needed.",
        "The mother has missed three antenatal appointments.",
    ),
)
STEP_UP = Concern(
    "step_up",
    (CC.NEGLECT,),
    ((N.N1, 0.5), (N.N4, 0.25), (N.N5, 0.25)),
    {},
    "concerns that have grown despite early help",
    (
        "The family support worker is stepping the case up after the early help plan stalled.",
        "Early help report the family have stopped engaging and the concerns have increased.",
    ),
    (
        "Home conditions have got worse over the last month.",
        "{C} {has} missed more school since the plan started.",
    ),
)
ASYLUM = Concern(
    "asylum",
    (CC.OTHER,),
    ((N.N8, 0.7), (N.N9, 0.3)),
    {},
    "a young person alone in the country without a parent",
    (
        "Police found {c} at a lorry park on {day}, alone and asking for asylum.",
        "The Home Office referred {c} under the National Transfer Scheme on {day}.",
    ),
    (
        "{C} {has} no family in the UK and needs accommodation tonight.",
        "{C} speaks little English; an interpreter was used.",
    ),
)
CLOSINGS: dict[str, tuple[str, ...]] = {
    "police": (
        "Officers have shared this under the safeguarding exemption.",
        "A police notification has been completed.",
        "Officers spoke to the mother, who agreed to the referral.",
    ),
    "school": (
        "The designated safeguarding lead has spoken to the mother, who knows about this contact.",
        "The school will keep monitoring and asks for advice.",
        "The parents have not been told, as the school is worried this would increase the risk.",
    ),
    "health": (
        "The family are aware of this contact.",
        "The referrer asks for a multi-agency response.",
        "The GP has been informed.",
    ),
    "council": (
        "The family agreed to this referral.",
        "The worker asks for an assessment of the children's needs.",
    ),
    "individual": (
        "The caller did not want their name shared with the family.",
        "The caller is worried and asked for someone to visit.",
        "",
    ),
    "legal": ("The referrer asks for the children's care to be assessed urgently.",),
    "other": ("The worker has discussed this with the family.", ""),
}
RATIONALES: dict[str, tuple[str, ...]] = {
    O.REFERRAL: (
        "The concerns about {phrase} meet the threshold for a child and family assessment"
        " under section 17.",
        "{Phrase} is likely to be affecting the child's health and development: an assessment"
        " is needed.",
        "The risk from {phrase} cannot be managed by universal or early help services alone.",
        "Given {phrase} and the family's history, a social work assessment is proportionate.",
    ),
    O.STRATEGY_DISCUSSION: (
        "There is reasonable cause to suspect significant harm from {phrase}: a strategy"
        " discussion with police and health is needed today.",
        "The information about {phrase} suggests the child may be suffering significant harm;"
        " convene a strategy discussion.",
    ),
    O.EARLY_HELP: (
        "The concerns about {phrase} are below the threshold for statutory social work; the"
        " family agree to targeted early help.",
        "{Phrase} can be met through an early help assessment and a family support plan.",
        "The family would benefit from a family hub worker to address {phrase}.",
    ),
    O.ADVICE: (
        "Advice given to the referrer on responding to {phrase} within their own service; no"
        " role for children's social care now.",
        "The referrer has been advised how to support the family with {phrase} and to contact"
        " us again if things change.",
        "Information and advice: {phrase} does not need a social care response, and the"
        " family were signposted to local support.",
    ),
    O.NFA: (
        "No further action: {phrase} has been addressed and the child is safe with protective"
        " adults.",
        "The checks do not support the concern about {phrase}; no further action is needed"
        " by children's social care.",
        "No further action as the family are already getting the right help from universal"
        " services for {phrase}.",
    ),
    "open": (
        "The child is already open to children's social care; the information about {phrase}"
        " has been passed to the allocated social worker.",
        "Open case: the allocated worker has been told about {phrase} and will address it"
        " within the current plan.",
    ),
}
HISTORY = (
    "This is the first contact about the child.",
    "There has been one other contact about the child in the last twelve months.",
    "There have been {n} other contacts about the child in the last twelve months.",
)
CHECK_WORDS = (
    "Checks with {agencies} add to the picture.",
    "Checks with {agencies} were considered in this decision.",
    "No further checks were needed.",
)
CONSENT_NOT_SOUGHT: dict[str, tuple[str, ...]] = {
    "police": (
        "Police notification: information is shared under the safeguarding exemption without"
        " consent.",
        "Seeking consent could place the child at greater risk of harm.",
    ),
    "individual": (
        "The referrer is a member of the public who did not speak to the family.",
        "The caller asked to stay anonymous, so the family could not be asked.",
    ),
    "other": (
        "Seeking consent could place the child at greater risk of harm.",
        "The referrer could not reach the parents; consent will be sought at the first visit.",
        "Speaking to the parents first could lead them to put pressure on the child.",
    ),
}
CONSENT_OVERRIDDEN = (
    "The mother refused consent, but the concerns suggest possible significant harm, so"
    " consent was overridden.",
    "The parents declined checks; the risk to the child outweighs their wish for privacy.",
    "Consent was refused and the manager agreed to override it to protect the child.",
)
CHECK_RETURNS: dict[str, tuple[str, ...]] = {
    Agency.POLICE: (
        "Two domestic abuse incidents at the address in the last year, both graded standard risk.",
        "No trace of the family on police systems.",
        "The father has a conviction for assault in 2019; no recent incidents.",
    ),
    Agency.HEALTH: (
        "Health visitor: immunisations and developmental checks are up to date.",
        "GP notes missed appointments for the child and treatment for the mother's depression.",
        "No health concerns recorded.",
    ),
    Agency.EDUCATION: (
        "Attendance is 82% this year; the school has raised lateness and hunger before.",
        "Attendance is good and the school has no concerns.",
        "The child is on the special educational needs register with an EHC plan.",
    ),
    Agency.EARLY_HELP: (
        "The family had a family support worker last year; the plan closed with needs met.",
        "Not known to early help services.",
    ),
    Agency.HOUSING: (
        "The family have rent arrears and a notice seeking possession.",
        "No housing concerns; the tenancy is in the mother's name.",
    ),
    Agency.PROBATION: (
        "The father is on licence for a violent offence and has a probation officer.",
        "Not known to probation.",
    ),
    Agency.OTHER_COUNCIL: (
        "The family were known to another council's children's services in 2021.",
    ),
}
EARLY_HELP_REASONS = (
    "Support with school attendance and routines at home.",
    "Parenting support to help the parents manage the child's behaviour.",
    "Help with debt, housing and benefits after the parents separated.",
    "Emotional wellbeing support for the child after a bereavement in the family.",
    "Support for the family while a parent recovers from illness.",
)
LEAD_ROLES = (
    ("Family Support Worker", "Family Hub {town}"),
    ("Pastoral Lead", "{town} Primary School"),
    ("Pastoral Lead", "{town} Academy"),
    ("Health Visitor", "Health Visiting Team"),
    ("Youth Worker", "{town} Youth Service"),
    ("Parenting Practitioner", "Parenting Support Team"),
    ("Children's Centre Worker", "{town} Children's Centre"),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- the plan ------------------------------------------------------------------------------------


@dataclass(eq=False)
class Child:
    pk: int
    forename: str
    surname: str
    dob: dt.date | None
    edd: dt.date | None
    is_uasc: bool
    disabled: bool
    address: str
    # Timeline state while the history is lived through.
    episode_until: dt.date | None = None  # an episode is open before this day
    early_help: list[PlannedEarlyHelp] = field(default_factory=list)
    last_referral: dt.date | None = None
    contacts: list[dt.datetime] = field(default_factory=list)
    protection_plans: int = 0

    def age_on(self, day: dt.date) -> float:
        if self.dob is None:
            return -1.0
        return (day - self.dob).days / 365.25

    def eligible(self, day: dt.date) -> bool:
        return self.dob is not None and self.dob <= day and self.age_on(day) < 18

    def open_episode(self, day: dt.date) -> bool:
        return self.episode_until is not None and day < self.episode_until

    def open_early_help(self, day: dt.date) -> PlannedEarlyHelp | None:
        for eh in self.early_help:
            if eh.start <= day and (eh.planned_end is None or day < eh.planned_end):
                return eh
        return None


@dataclass(eq=False)
class PlannedEpisode:
    child: Child
    referral_date: dt.date
    source: str
    primary_need: str
    nfa: bool
    decided_on: dt.date
    closure: dt.date | None
    closure_reason: str
    assessment: dt.date | None
    team_id: int | None
    worker_id: int | None
    strategy: bool = False
    is_re_referral: bool = False
    protection: ProtectionPath | None = None
    pk: int = 0


@dataclass(eq=False)
class PlannedEarlyHelp:
    child: Child
    start: dt.date
    reason: str
    organisation: str
    lead_professional: str
    planned_end: dt.date | None  # None: still open at the reference date
    outcome: str
    assessment_start: dt.date | None
    assessment_completed: dt.date | None
    stepped_down_from: PlannedEpisode | None = None
    pk: int = 0


@dataclass(eq=False)
class PlannedCheck:
    agency: str
    requested_at: dt.datetime
    requested_by: int
    returned_at: dt.datetime | None
    summary: str


@dataclass(eq=False)
class PlannedContact:
    child: Child
    linked: bool
    as_given: dict[str, str]
    consent: str = ""
    consent_reason: str = ""
    consent_authorised_by: int | None = None
    rating: str = ""
    screened_by: int | None = None
    team_id: int | None = None
    recommendation: str = ""
    recommendation_rationale: str = ""
    recommended_by: int | None = None
    recommended_at: dt.datetime | None = None
    decision: str = ""
    decision_rationale: str = ""
    primary_need: str = ""
    decided_by: int | None = None
    decided_at: dt.datetime | None = None
    episode: PlannedEpisode | None = None
    early_help: PlannedEarlyHelp | None = None
    checks: list[PlannedCheck] = field(default_factory=list)
    pk: int = 0


@dataclass(eq=False)
class PlannedSubmission:
    received_at: dt.datetime
    source: str
    channel: str
    concerns: str
    categories: list[str]
    referrer: dict[str, str]
    submitted_by: int | None
    contacts: list[PlannedContact] = field(default_factory=list)
    reference: str = ""
    pk: int = 0


@dataclass
class FrontDoorPlan:
    submissions: list[PlannedSubmission] = field(default_factory=list)
    episodes: list[PlannedEpisode] = field(default_factory=list)
    early_help: list[PlannedEarlyHelp] = field(default_factory=list)
    continue_probability: float = 0.0


class Roster:
    """The front door's staff on a given day: MASH social workers screen and recommend; team
    managers (a senior practitioner now and then) decide and authorise overriding consent."""

    def __init__(self, ctx: GenerationContext) -> None:
        teams = {t.pk for t in ctx.teams if t.service_area == ServiceArea.FRONT_DOOR}
        members = [m for m in ctx.memberships if m.team_id in teams]
        through = User.roles.through
        roles: dict[int, set[str]] = defaultdict(set)
        for user_id, code in through.objects.filter(
            user_id__in=[m.user_id for m in members]
        ).values_list("user_id", "role__code"):
            roles[user_id].add(code)
        self.workers: list[tuple[int, int, dt.date, dt.date | None]] = []
        self.managers: list[tuple[int, int, dt.date, dt.date | None]] = []
        self.deputies: list[tuple[int, int, dt.date, dt.date | None]] = []
        for m in sorted(members, key=lambda m: (m.user_id, m.start_date)):
            row = (m.user_id, m.team_id, m.start_date, m.end_date)
            if RoleCode.TEAM_MANAGER in roles[m.user_id]:
                self.managers.append(row)
            elif RoleCode.SENIOR_PRACTITIONER in roles[m.user_id]:
                self.deputies.append(row)
                self.workers.append(row)
            elif RoleCode.SOCIAL_WORKER in roles[m.user_id]:
                self.workers.append(row)
        fallback: list[tuple[int, int, dt.date, dt.date | None]] = [
            (u.pk, 0, dt.date.min, None) for u in ctx.staff_by_role.get(RoleCode.TEAM_MANAGER, [])
        ]
        self.managers = self.managers or fallback
        self.workers = self.workers or self.managers
        self.front_door_team = min(teams) if teams else None
        self._cache: dict[tuple[str, dt.date], list[tuple[int, int]]] = {}

    def _on(self, name: str, rows: list[tuple[int, int, dt.date, dt.date | None]], day: dt.date):
        key = (name, day)
        found = self._cache.get(key)
        if found is None:
            found = [(u, t) for u, t, s, e in rows if s <= day and (e is None or day <= e)]
            if not found:  # nobody in post that day: whoever held the post nearest to it
                found = [(u, t) for u, t, _, _ in rows]
            self._cache[key] = found
        return found

    def worker(self, rng: Any, day: dt.date) -> tuple[int, int | None]:
        user, team = rng.choice(self._on("w", self.workers, day))
        return user, team or self.front_door_team

    def manager(self, rng: Any, day: dt.date, *, deputies: bool = True) -> tuple[int, int | None]:
        if deputies and self.deputies and rng.random() < 0.2:
            user, team = rng.choice(self._on("d", self.deputies, day))
        else:
            user, team = rng.choice(self._on("m", self.managers, day))
        return user, team or self.front_door_team


def solve_continue(window_days: float, incidents_per_household_needed: float) -> float:
    """The continuation probability giving this many incidents per household (bisection)."""
    low, high = 0.0, 0.97
    if incidents_per_household(window_days, high, INCIDENT_GAP_DAYS) < (
        incidents_per_household_needed
    ):
        return high
    for _ in range(60):
        mid = (low + high) / 2
        if incidents_per_household(window_days, mid, INCIDENT_GAP_DAYS) < (
            incidents_per_household_needed
        ):
            low = mid
        else:
            high = mid
    return (low + high) / 2


def at(day: dt.date, hours: float) -> dt.datetime:
    """A moment on a day in London, `hours` after midnight (wall clock)."""
    minutes = max(0, min(int(hours * 60), 24 * 60 - 1))
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LONDON)


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9']+", text))


class _FrontDoorPlanner:
    def __init__(
        self,
        ctx: GenerationContext,
        households: list[list[Child]],
        calendar: WorkingCalendar,
        roster: Roster,
        council_name: str,
        towns: list[str],
        partner_id: int | None,
    ) -> None:
        self.ctx, self.rng, self.calendar, self.roster = ctx, ctx.rng, calendar, roster
        self.households = households
        self.ref = ctx.reference_date
        self.start = ctx.history_start
        self.now = at(self.ref, 0)
        self.window_days = (self.ref - self.start).days
        self.plan = FrontDoorPlan()
        root = re.sub(r"[^A-Za-z ]", "", council_name.removesuffix(" Council")).strip()
        self.county = root or "Hearth"
        self.slug = slugify(self.county) or "council"
        self.towns = towns or [self.county]
        self.partner_id = partner_id
        self.faker_names = [(ctx.faker.first_name(), ctx.faker.last_name()) for _ in range(600)]
        self.sequence = 0
        self.protection = PathPlanner(ctx.seed, calendar, ctx.reference_date)

    # incidents --------------------------------------------------------------------------------

    def run(self) -> FrontDoorPlan:
        rng, w = self.rng, self.window_days
        regular = [i for i, h in enumerate(self.households) if not (len(h) == 1 and h[0].is_uasc)]
        own = own_incidents_needed(self.ctx.children, self.ctx.years)
        cont = solve_continue(w, own / max(1, len(regular)))
        self.plan.continue_probability = cont
        # Each household's first incident in the history. Families known before it (the early,
        # exponential part) also bring what their past would have: follow-ups after episodes that
        # closed before the history, and early help already open when it starts. Without them the
        # front door would get busier year by year as follow-ups build up.
        uniform, early = first_incident_weights(w, cont, INCIDENT_GAP_DAYS)
        firsts: dict[int, float] = {}
        known_before: list[int] = []
        for i in regular:
            if rng.random() < uniform / (uniform + early):
                firsts[i] = rng.uniform(0, w)
            else:  # exponential from the start of the history, truncated to it
                firsts[i] = -INCIDENT_GAP_DAYS * math.log(
                    1 - rng.random() * (1 - math.exp(-w / INCIDENT_GAP_DAYS))
                )
                known_before.append(i)
        known_before = known_before or regular
        seeds: dict[int, list[tuple[str, float]]] = defaultdict(list)
        if known_before:
            per_day = incidents_needed(self.ctx.children, self.ctx.years) / w
            horizon = min(w, FOLLOW_UP_RAMP_DAYS)
            area = horizon - horizon**2 / (2 * FOLLOW_UP_RAMP_DAYS)
            for _ in range(round(per_day * FOLLOW_UP_SHARE * area)):
                while True:  # density falling from the start: 1 - t / ramp
                    t = rng.uniform(0, horizon)
                    if rng.random() < 1 - t / FOLLOW_UP_RAMP_DAYS:
                        break
                seeds[rng.choice(known_before)].append(("seed_follow_up", t))
            for _ in range(round(self.ctx.expected(EARLY_HELP_PER_10K) * OPEN_EARLY_HELP_YEARS)):
                seeds[rng.choice(known_before)].append(("seed_early_help", 0.0))
        for i, household in enumerate(
            self.ctx.progress(self.households, desc="Contacts", unit="families")
        ):
            self.household(household, cont, firsts.get(i), seeds.get(i, []))
        return self.plan

    def household(
        self,
        children: list[Child],
        cont: float,
        first: float | None,
        seeds: list[tuple[str, float]],
    ) -> None:
        rng = self.rng
        queue: list[tuple[dt.datetime, int, str, Any]] = []

        def push(moment: dt.datetime, kind: str, payload: Any = None) -> None:
            self.sequence += 1
            heapq.heappush(queue, (moment, self.sequence, kind, payload))

        if first is None:  # an unaccompanied asylum-seeking child: one arrival
            child = children[0]
            assert child.dob is not None
            earliest = max(self.start, child.dob + dt.timedelta(days=round(14.5 * 365.25)))
            last = min(self.ref - dt.timedelta(days=1), child.dob + dt.timedelta(days=6530))
            if earliest <= last:
                day = earliest + dt.timedelta(days=rng.randint(0, (last - earliest).days))
                push(at(day, rng.uniform(0, 24)), "asylum", child)
        else:
            w, t = self.window_days, first
            while t < w:
                day = self.start + dt.timedelta(days=int(t))
                kind = "early_help" if rng.random() < DIRECT_EARLY_HELP_SHARE else "contact"
                push(at(day, (t % 1) * 24), kind)
                if rng.random() >= cont:
                    break
                t += rng.expovariate(1 / INCIDENT_GAP_DAYS)
            for child in children:
                if child.dob is None and child.edd is not None:
                    earliest = max(self.start, child.edd - dt.timedelta(days=250))
                    last = self.ref - dt.timedelta(days=1)
                    if earliest <= last:
                        day = earliest + dt.timedelta(days=rng.randint(0, (last - earliest).days))
                        push(at(day, rng.uniform(8.5, 17)), "pre_birth", child)
            for kind, t in seeds:
                if kind == "seed_follow_up":
                    day = self.start + dt.timedelta(days=int(t))
                    push(at(day, (t % 1) * 24), kind)
                else:
                    self.seed_early_help(children, push)
        while queue:
            moment, _, kind, payload = heapq.heappop(queue)
            if moment >= self.now:
                continue
            if kind == "contact":
                self.contact_incident(children, moment, push)
            elif kind == "early_help":
                self.direct_early_help(children, moment.date(), push)
            elif kind == "pre_birth":
                self.submission(moment, RS.PRIMARY_HEALTH, PRE_BIRTH, [payload], push)
            elif kind == "asylum":
                source = RS.POLICE if rng.random() < 0.5 else RS.LEGAL
                self.submission(moment, source, ASYLUM, [payload], push)
            elif kind == "seed_follow_up":
                # Concerns back after an episode that closed before the history began.
                eligible = [c for c in children if c.eligible(moment.date())]
                if eligible:
                    focus = rng.choice(eligible)
                    if focus.last_referral is None:
                        back = dt.timedelta(days=rng.randint(60, 330))
                        focus.last_referral = moment.date() - back
                    self.contact_incident(children, moment, push, focus=focus)
            elif kind == "follow_up":
                self.contact_incident(children, moment, push, focus=payload)
            elif kind == "step_up":
                eh: PlannedEarlyHelp = payload
                if eh.outcome == EarlyHelpOutcome.STEPPED_UP and eh.planned_end == moment.date():
                    group = [eh.child] + [
                        c
                        for c in children
                        if c is not eh.child and c.eligible(moment.date()) and rng.random() < 0.5
                    ]
                    self.submission(moment, RS.LA_EARLY_HELP, STEP_UP, group, push)

    def contact_incident(
        self, children: list[Child], moment: dt.datetime, push: Any, focus: Child | None = None
    ) -> None:
        rng = self.rng
        source = weighted(rng, SOURCES)
        if source == RS.LA_EARLY_HELP:
            source = RS.LA_INTERNAL  # early help contacts are step-ups (below), not random
        if source not in AROUND_THE_CLOCK:
            day = moment.date()
            while not self.calendar.is_working_day(day):
                day += dt.timedelta(days=1)
            moment = at(day, rng.uniform(8.5, 17.5))
        elif moment.date().weekday() >= 5 and rng.random() < 0.3:
            moment = at(moment.date(), rng.uniform(9, 23))
        if moment >= self.now:
            return
        day = moment.date()
        eligible = [c for c in children if c.eligible(day)]
        if not eligible:
            return
        if focus is None or focus not in eligible:
            focus = rng.choice(eligible)
        source = self.suited_source(source, focus.age_on(day))
        concern = self.concern_for(source, focus, day)
        group = [focus]
        others = [c for c in eligible if c is not focus and c.age_on(day) >= concern.min_age]
        if others:
            x = rng.random()
            if x < 0.4:
                group += others[:4]
            elif x < 0.55:
                group.append(rng.choice(others))
        self.submission(moment, source, concern, group, push)

    @staticmethod
    def suited_source(source: str, age: float) -> str:
        """Schools contact about school-age children, health visitors about the under-fives."""
        group = SOURCE_GROUP.get(source)
        if group == "school" and age < 4:
            return RS.HEALTH_VISITOR
        if source == RS.HEALTH_VISITOR and age >= 5:
            return RS.SCHOOL_NURSE
        if source == RS.SELF and age < 11:
            return RS.FAMILY
        if source == RS.LA_INTERNAL and age < 10:
            return RS.LA_SOCIAL_CARE
        return source

    def concern_for(self, source: str, child: Child, day: dt.date) -> Concern:
        group = SOURCE_GROUP.get(source, "other")
        age = child.age_on(day)
        options = [
            (c, c.groups.get(group, 0.2) * (4 if c.key == "disability" and child.disabled else 1))
            for c in CONCERNS
            if age >= c.min_age
        ]
        concern: Concern = weighted(self.rng, options)
        return concern

    def seed_early_help(self, children: list[Child], push: Any) -> None:
        """Early help that began before the history and is still open when it starts."""
        rng = self.rng
        free = [
            c for c in children if c.eligible(self.start) and c.open_early_help(self.start) is None
        ]
        if not free:
            return
        child = rng.choice(free)
        assert child.dob is not None
        start = max(child.dob, self.start - dt.timedelta(days=rng.randint(1, 300)))
        end = self.start + dt.timedelta(days=rng.randint(1, 250))
        self.open_early_help(child, start, rng.choice(EARLY_HELP_REASONS), push, end=end)

    def direct_early_help(self, children: list[Child], day: dt.date, push: Any) -> None:
        rng = self.rng
        free = [
            c
            for c in children
            if c.eligible(day) and not c.open_episode(day) and c.open_early_help(day) is None
        ]
        if not free:
            return
        chosen = free if rng.random() < 0.4 else [rng.choice(free)]
        reason = rng.choice(EARLY_HELP_REASONS)
        for child in chosen:
            self.open_early_help(child, day, reason, push)

    # a submission and its contacts ----------------------------------------------------------

    def submission(
        self,
        moment: dt.datetime,
        source: str,
        concern: Concern,
        children: list[Child],
        push: Any,
    ) -> None:
        rng = self.rng
        referrer, channel, submitted_by = self.referrer(source, moment.date(), children[0])
        many = len(children) > 1
        fill = {
            "c": "the children" if many else "the child",
            "C": "The children" if many else "The child",
            "was": "were" if many else "was",
            "is": "are" if many else "is",
            "has": "have" if many else "has",
            "day": WEEKDAYS[moment.weekday()],
            "grade": rng.choice(["standard", "medium", "high"]),
        }
        parts = [
            self.opening(concern, SOURCE_GROUP.get(source, "other")),
            rng.choice(concern.details),
        ]
        closing = rng.choice(CLOSINGS.get(SOURCE_GROUP.get(source, "other"), ("",)))
        if closing:
            parts.append(closing)
        text = " ".join(p.format(**fill) for p in parts)
        sub = PlannedSubmission(
            received_at=moment,
            source=source,
            channel=channel,
            concerns=text,
            categories=sorted(concern.categories),
            referrer=referrer,
            submitted_by=submitted_by,
        )
        self.plan.submissions.append(sub)
        first_outcome = ""
        shared: dict[Any, Any] = {}  # one worker, manager and timeline for the submission
        for child in children:
            contact = self.contact(sub, child, concern, first_outcome, push, shared)
            if not first_outcome:
                first_outcome = contact.decision or contact.recommendation or "pending"
            sub.contacts.append(contact)

    def opening(self, concern: Concern, group: str) -> str:
        """An opening sentence the referrer could have written: "police|..." openings come from
        the police, untagged ones from anyone."""
        fitting = []
        for text in concern.openings:
            tags, _, sentence = text.rpartition("|")
            if not tags or group in tags.split(","):
                fitting.append(sentence)
        if not fitting:
            fitting = [text.rpartition("|")[2] for text in concern.openings]
        return self.rng.choice(fitting)

    def referrer(
        self, source: str, day: dt.date, child: Child
    ) -> tuple[dict[str, str], str, int | None]:
        rng = self.rng
        first, last = rng.choice(self.faker_names)
        town = rng.choice(self.towns)
        age = child.age_on(day)
        school = "Primary School" if age < 11 else rng.choice(["Academy", "High School"])
        county = self.county
        roles: dict[str, tuple[str, str]] = {
            RS.POLICE: (
                rng.choice(["Police Constable", "Detective Constable"]),
                f"{county} Police",
            ),
            RS.SCHOOLS: ("Designated Safeguarding Lead", f"{town} {school}"),
            RS.EDUCATION: ("Education Welfare Officer", f"{county} Education Inclusion Service"),
            RS.GP: ("General Practitioner", f"{town} Medical Practice"),
            RS.HEALTH_VISITOR: ("Health Visitor", f"{county} Community Health NHS Trust"),
            RS.SCHOOL_NURSE: ("School Nurse", f"{county} Community Health NHS Trust"),
            RS.PRIMARY_HEALTH: ("Community Midwife", f"{town} General Hospital"),
            RS.A_AND_E: ("Paediatric Liaison Nurse", f"{town} General Hospital"),
            RS.HEALTH_OTHER: ("Community Psychiatric Nurse", f"{county} Mental Health Trust"),
            RS.LA_SOCIAL_CARE: ("Adult Social Care Practitioner", f"{county} Council"),
            RS.LA_INTERNAL: ("Youth Justice Worker", f"{county} Youth Justice Service"),
            RS.LA_EXTERNAL: ("Social Worker", "Neighbouring council children's services"),
            RS.LA_EARLY_HELP: ("Family Support Worker", f"Family Hub {town}"),
            RS.HOUSING: ("Housing Officer", f"{county} Council Housing"),
            RS.LEGAL: (rng.choice(["Probation Officer", "Family Court Adviser"]), "Probation"),
            RS.OTHER: ("Support Worker", f"{town} Women's Aid"),
            RS.FAMILY: (rng.choice(["Grandparent", "Relative", "Parent", "Older sibling"]), ""),
            RS.ACQUAINTANCE: (rng.choice(["Neighbour", "Family friend", "Childminder"]), ""),
            RS.SELF: ("Young person (self-referral)", ""),
            RS.INDIVIDUAL_OTHER: ("Member of the public", ""),
        }
        role, organisation = roles.get(source, ("", ""))
        if source == RS.LEGAL and role == "Family Court Adviser":
            organisation = "Cafcass"
        if source == RS.SELF:
            first, last = child.forename, child.surname
        name = f"{first} {last}"
        if source == RS.POLICE:
            name = f"{'PC' if role == 'Police Constable' else 'DC'} {first} {last}"
        elif source == RS.GP:
            name = f"Dr {first} {last}"
        if source in (RS.ANONYMOUS, RS.UNKNOWN):
            name, role, organisation = "", "", ""
        phone = ""
        email = ""
        if name:
            phone = (
                f"07700 900{rng.randint(0, 999):03d}"
                if organisation == "" or rng.random() < 0.5
                else f"01632 960{rng.randint(0, 999):03d}"
            )
            if organisation:
                local = slugify(f"{first}.{last}").replace("-", ".") or "referrer"
                email = f"{local}@{slugify(organisation) or 'agency'}.example.test"
        referrer = {
            "referrer_name": name[:150],
            "referrer_role": role,
            "referrer_organisation": organisation[:150],
            "referrer_phone": phone,
            "referrer_email": email,
        }
        group = SOURCE_GROUP.get(source, "other")
        x = rng.random()
        submitted_by: int | None = None
        if source == RS.POLICE and x < 0.45:
            channel = Channel.API
        elif source == RS.POLICE and x < 0.6 and self.partner_id:
            channel, submitted_by = Channel.PARTNER, self.partner_id
        elif (group == "individual" and x < 0.4 and name) or (
            group in ("school", "health") and x < 0.15
        ):
            channel = Channel.PUBLIC_FORM
        else:
            channel = Channel.STAFF
            submitted_by = self.roster.worker(rng, day)[0]
        return referrer, channel, submitted_by

    def outcome(self, child: Child, source: str, day: dt.date, first: str) -> tuple[str, bool]:
        """The decision for this child, and whether the child already has an open episode."""
        rng = self.rng
        if child.open_episode(day):
            return (O.ADVICE if rng.random() < 0.55 else O.NFA), True
        allowed = dict(OUTCOME_WEIGHTS)
        if child.last_referral is not None and (day - child.last_referral).days < 730:
            allowed[O.REFERRAL] *= REFERRED_BEFORE_BOOST
        if source == RS.LA_EARLY_HELP:
            allowed[O.REFERRAL] *= 2.5
            allowed[O.EARLY_HELP] = 0
        if child.is_uasc:
            return O.REFERRAL, False
        if child.dob is None or child.open_early_help(day) is not None:
            allowed[O.ADVICE] += allowed[O.EARLY_HELP]
            allowed[O.EARLY_HELP] = 0
        if first in allowed and allowed[first] > 0 and rng.random() < SIBLINGS_SHARE_OUTCOME:
            return first, False
        return weighted(rng, list(allowed.items())), False

    def contact(
        self,
        sub: PlannedSubmission,
        child: Child,
        concern: Concern,
        first_outcome: str,
        push: Any,
        shared: dict[Any, Any],
    ) -> PlannedContact:
        rng = self.rng
        received = sub.received_at
        day = received.date()
        given_dob = child.dob.isoformat() if child.dob else ""
        if given_dob and rng.random() < 0.05:
            given_dob = ""
        as_given = {
            "forename": child.forename,
            "surname": child.surname if rng.random() > 0.03 else "",
            "date_of_birth": given_dob,
            "address": child.address if rng.random() < 0.8 else "",
        }
        recent = [t for t in child.contacts if (received - t).days < 365]
        child.contacts.append(received)
        decision, open_case = self.outcome(child, sub.source, day, first_outcome)
        rating = weighted(rng, RATING_BY_OUTCOME[decision])
        contact = PlannedContact(child=child, linked=True, as_given=as_given)
        # Brothers and sisters in one submission are screened and decided together (a red
        # rating for one of them is dealt with faster).
        if rating not in shared:
            late = rng.random() < LATE_DECISION[rating]
            shared[rating] = self.timeline(received, rating, late)
        decided_at, screened_at, recommended_at = shared[rating]
        if self.now <= screened_at:
            contact.linked = bool(recent) or rng.random() < 0.5
            return contact  # awaiting screening
        # Screening: consent and the rating.
        if "worker" not in shared:
            shared["worker"] = self.roster.worker(rng, screened_at.date())
        worker, team = shared["worker"]
        contact.screened_by, contact.team_id, contact.rating = worker, team, rating
        kind = (
            "urgent" if rating == Rating.RED else "police" if sub.source == RS.POLICE else "other"
        )
        contact.consent = weighted(rng, CONSENT[kind])
        if contact.consent == Consent.NOT_SOUGHT:
            group = SOURCE_GROUP.get(sub.source, "other")
            reasons = CONSENT_NOT_SOUGHT.get(group, CONSENT_NOT_SOUGHT["other"])
            contact.consent_reason = rng.choice(reasons)
        elif contact.consent == Consent.OVERRIDDEN:
            contact.consent_reason = rng.choice(CONSENT_OVERRIDDEN)
            if "authoriser" not in shared:
                shared["authoriser"] = self.roster.manager(rng, day, deputies=False)[0]
            contact.consent_authorised_by = shared["authoriser"]
        # Checks with other agencies.
        checked: list[str] = []
        if rng.random() < (0.7 if rating != Rating.GREEN else 0.35):
            agencies = [a for a, w in CHECK_AGENCIES if rng.random() < w * 0.6] or [Agency.POLICE]
            requested = min(screened_at + dt.timedelta(minutes=rng.randint(5, 60)), recommended_at)
            for agency in agencies:
                returned: dt.datetime | None = self.office(
                    requested + (recommended_at - requested) * rng.uniform(0.2, 0.95),
                    recommended_at,
                )
                if returned is not None and (returned < requested or returned >= self.now):
                    returned = None
                contact.checks.append(
                    PlannedCheck(
                        agency=agency,
                        requested_at=min(requested, recommended_at),
                        requested_by=worker,
                        returned_at=returned,
                        summary=rng.choice(CHECK_RETURNS[agency]) if returned else "",
                    )
                )
                checked.append(Agency(agency).label.lower())
        if self.now <= recommended_at:
            return contact  # awaiting checks
        fill = {"phrase": concern.phrase, "Phrase": concern.phrase[:1].upper() + concern.phrase[1:]}
        recommendation = decision
        if not open_case and rng.random() < RECOMMENDATION_OVERRULED:
            recommendation = rng.choice([o for o in OUTCOME_WEIGHTS if o != decision])
            if decision in (O.REFERRAL, O.STRATEGY_DISCUSSION) and rng.random() < 0.5:
                recommendation = O.EARLY_HELP
        contact.recommendation = recommendation
        contact.recommendation_rationale = self.rationale(
            "open" if open_case else recommendation, fill, recent, checked, prefix="Recommend"
        )
        contact.recommended_by, contact.recommended_at = worker, recommended_at
        if self.now <= decided_at:
            return contact  # awaiting a decision
        key = ("manager", decided_at.date())
        if key not in shared:
            shared[key] = self.roster.manager(rng, decided_at.date())
        manager, manager_team = shared[key]
        contact.decision, contact.decided_by, contact.decided_at = decision, manager, decided_at
        contact.decision_rationale = self.rationale(
            "open" if open_case else decision, fill, recent, checked, prefix=""
        )
        if decision != recommendation:
            contact.decision_rationale += (
                f" The manager did not agree with the recommendation of"
                f" {Outcome(recommendation).label.lower()}."
            )
        if decision in (O.REFERRAL, O.STRATEGY_DISCUSSION):
            if "need" not in shared or rng.random() < 0.15:
                shared["need"] = weighted(rng, list(concern.needs))
            need = shared["need"]
            if child.disabled and rng.random() < 0.12:
                need = N.N2
            contact.primary_need = need
            contact.episode = self.open_episode(
                child,
                sub,
                need,
                decided_at,
                manager_team,
                worker,
                decision,
                push,
                family=shared.setdefault("protection", {}),
            )
        elif decision == O.EARLY_HELP:
            contact.early_help = self.open_early_help(
                child, decided_at.date(), sub.concerns[:2000], push
            )
        return contact

    def rationale(
        self,
        outcome: str,
        fill: dict[str, str],
        recent: Sequence[dt.datetime],
        checked: list[str],
        *,
        prefix: str,
    ) -> str:
        rng = self.rng
        parts = [rng.choice(RATIONALES[outcome]).format(**fill)]
        if prefix:
            label = (
                "pass to the allocated worker"
                if outcome == "open"
                else (Outcome(outcome).label.lower())
            )
            parts.insert(0, f"{prefix} {label}.")
        if len(recent) == 1:
            parts.append(HISTORY[1])
        elif recent:
            parts.append(HISTORY[2].format(n=len(recent)))
        elif rng.random() < 0.5:
            parts.append(HISTORY[0])
        if checked:
            names = ", ".join(checked[:-1]) + (" and " if len(checked) > 1 else "") + checked[-1]
            parts.append(rng.choice(CHECK_WORDS[:2]).format(agencies=names))
        text = " ".join(parts)
        assert words(text) >= RATIONALE_MIN_WORDS, text
        return text

    def timeline(
        self, received: dt.datetime, rating: str, late: bool
    ) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        """(decided, screened, recommended): screening starts when the MASH is open (the
        emergency duty team screens its own)."""
        rng = self.rng
        decided_at = self.decision_time(received, rating, late)
        begins = self.work_starts(received)
        if begins >= decided_at:
            begins = received
        span = decided_at - begins
        screened_at = self.office(begins + span * rng.uniform(0.05, 0.35), decided_at)
        recommended_at = self.office(begins + span * rng.uniform(0.55, 0.9), decided_at)
        recommended_at = min(max(recommended_at, screened_at + dt.timedelta(minutes=5)), decided_at)
        return decided_at, min(screened_at, recommended_at), recommended_at

    def office(self, moment: dt.datetime, limit: dt.datetime) -> dt.datetime:
        """The moment, moved into the next office hours (9am to 5.30pm on a working day) but
        before `limit`; left alone if the office does not open before it (the emergency duty
        team works through the night)."""
        cal = self.calendar
        day = moment.date()
        hour = moment.hour + moment.minute / 60
        if cal.is_working_day(day) and 9 <= hour < 17.5:
            return moment
        if not (cal.is_working_day(day) and hour < 9):
            day = cal.add_working_days(day, 1)
        opening = at(day, 9)
        if opening >= limit:
            return moment
        latest = min(limit, opening + dt.timedelta(hours=3))
        return opening + (latest - opening) * self.rng.uniform(0.05, 0.95)

    def work_starts(self, received: dt.datetime) -> dt.datetime:
        """When the MASH can start on a contact: at once in office hours, else 9am next working
        day."""
        cal = self.calendar
        day = received.date()
        hour = received.hour + received.minute / 60
        if cal.is_working_day(day) and 8 <= hour < 17:
            return received
        if cal.is_working_day(day) and hour < 8:
            return at(day, 9)
        return at(cal.add_working_days(day, 1), 9)

    def decision_time(self, received: dt.datetime, rating: str, late: bool) -> dt.datetime:
        """About 95% within one working day of receipt; red the same day (out of hours by the
        emergency duty team, mostly)."""
        rng, cal = self.rng, self.calendar
        day = received.date()
        hour = received.hour + received.minute / 60
        in_hours = cal.is_working_day(day) and 8 <= hour < 17
        if rating == Rating.RED and not late:
            if in_hours or rng.random() < 0.65:
                return received + dt.timedelta(hours=rng.uniform(0.5, 4))
            next_day = day if cal.is_working_day(day) and hour < 8 else cal.add_working_days(day, 1)
            return at(next_day, rng.uniform(9, 11))
        deadline = cal.add_working_days(day, 1)
        if late:
            return at(cal.add_working_days(deadline, rng.randint(1, 3)), rng.uniform(9, 17.5))
        same_day = cal.is_working_day(day) and hour < 15
        share = 0.55 if rating == Rating.AMBER else 0.35
        if same_day and rng.random() < share:
            return received + dt.timedelta(hours=rng.uniform(0.75, max(1.0, 17.5 - hour)))
        return at(deadline, rng.uniform(9, 17.5))

    # episodes -------------------------------------------------------------------------------

    def open_episode(
        self,
        child: Child,
        sub: PlannedSubmission,
        need: str,
        decided_at: dt.datetime,
        team: int | None,
        worker: int,
        decision: str,
        push: Any,
        family: dict[str, Any] | None = None,
    ) -> PlannedEpisode:
        rng, cal, ref = self.rng, self.calendar, self.ref
        decided = decided_at.astimezone(LONDON).date()
        referral = sub.received_at.date()
        strategy = decision == O.STRATEGY_DISCUSSION
        nfa = not strategy and not child.is_uasc and rng.random() < REFERRAL_NFA
        assessment: dt.date | None = None
        if nfa:
            # CIN census convention: a referral with no further action closes on its own date.
            closure: dt.date = referral
            reason = ClosureReason.RC7
        else:
            low, high = weighted(rng, ASSESSMENT_BANDS)
            assessment = cal.add_working_days(referral, rng.randint(low, high))
            not_in_need = ASSESSED_NOT_IN_NEED * (0.6 if strategy else 1)
            if child.is_uasc:
                not_in_need = 0
            if rng.random() < not_in_need:
                closure = assessment + dt.timedelta(days=rng.randint(0, 5))
                reason = (
                    ClosureReason.RC9
                    if rng.random() < STEP_DOWN_AFTER_ASSESSMENT
                    else ClosureReason.RC8
                )
            else:
                low, high = weighted(rng, SUPPORT_DAYS)
                closure = assessment + dt.timedelta(days=rng.randint(low, high))
                reason = weighted(rng, CLOSURE_REASONS)
                if reason == ClosureReason.RC1 and child.age_on(closure) > 8:
                    reason = ClosureReason.RC7
            if child.dob is not None:
                adult = add_years(child.dob, 18)
                if adult <= closure:
                    closure = max(adult, referral)
                    reason = ClosureReason.RC6 if child.disabled else ClosureReason.RC7
                    assessment = min(assessment, closure)
        path: ProtectionPath | None = None
        if not nfa:
            planned = self.protection.plan(
                referral=referral,
                concern_at=decided_at if strategy else None,
                assessment=assessment,
                closure=closure,
                reason=reason,
                dob=child.dob,
                earlier_plans=child.protection_plans,
                family=family if strategy else None,  # brothers and sisters together
            )
            if planned is not None:
                path, closure, fitted = planned
                reason = ClosureReason(fitted)
                child.protection_plans += path.plan
        episode = PlannedEpisode(
            child=child,
            referral_date=referral,
            source=sub.source,
            primary_need=need,
            nfa=nfa,
            decided_on=decided,
            closure=closure if closure < ref else None,
            closure_reason=reason if closure < ref else "",
            assessment=assessment,
            team_id=team,
            worker_id=worker,
            strategy=strategy,
            protection=path,
        )
        self.plan.episodes.append(episode)
        child.episode_until = closure if nfa else max(closure, referral + dt.timedelta(days=1))
        if closure >= ref:
            child.episode_until = dt.date.max
        child.last_referral = referral
        # For some children the concerns come back after the episode closes (re-referrals).
        follow_up = FOLLOW_UP_AFTER_SUPPORT if reason in SUPPORT_CLOSURES else FOLLOW_UP_AFTER_SHORT
        if closure < ref and not child.is_uasc and rng.random() < follow_up:
            when = closure + dt.timedelta(days=rng.randint(7, 330))
            push(at(when, rng.uniform(0, 24)), "follow_up", child)
        open_help = child.open_early_help(referral)
        if open_help is not None:
            # Stepped up: the early help episode ends with the referral.
            open_help.planned_end = max(referral, open_help.start)
            open_help.outcome = EarlyHelpOutcome.STEPPED_UP
            self.clamp_assessment(open_help)
        if reason == ClosureReason.RC9 and closure < ref:
            start = closure + dt.timedelta(days=rng.randint(0, 7))
            if start < ref and child.eligible(start) and child.open_early_help(start) is None:
                self.open_early_help(
                    child,
                    start,
                    "Stepped down from children's social care after assessment: "
                    + rng.choice(EARLY_HELP_REASONS).lower(),
                    push,
                    stepped_down_from=episode,
                )
        return episode

    def open_early_help(
        self,
        child: Child,
        start: dt.date,
        reason: str,
        push: Any,
        *,
        stepped_down_from: PlannedEpisode | None = None,
        end: dt.date | None = None,
    ) -> PlannedEarlyHelp:
        rng, ref = self.rng, self.ref
        role, organisation = rng.choice(LEAD_ROLES)
        town = rng.choice(self.towns)
        first, last = rng.choice(self.faker_names)
        end = end or start + dt.timedelta(days=rng.randint(45, 320))
        outcome = weighted(rng, EARLY_HELP_OUTCOMES)
        assessment_start = (
            start + dt.timedelta(days=rng.randint(0, 15)) if rng.random() < 0.9 else None
        )
        completed = (
            assessment_start + dt.timedelta(days=rng.randint(5, 40))
            if assessment_start and rng.random() < 0.9
            else None
        )
        eh = PlannedEarlyHelp(
            child=child,
            start=start,
            reason=reason,
            organisation=organisation.format(town=town),
            lead_professional=f"{first} {last} ({role})",
            planned_end=end if end < ref else None,
            outcome=outcome if end < ref else "",
            assessment_start=assessment_start,
            assessment_completed=completed,
            stepped_down_from=stepped_down_from,
        )
        self.clamp_assessment(eh)
        child.early_help.append(eh)
        self.plan.early_help.append(eh)
        if eh.outcome == EarlyHelpOutcome.STEPPED_UP and eh.planned_end is not None:
            push(at(eh.planned_end, rng.uniform(9, 16)), "step_up", eh)
        return eh

    def clamp_assessment(self, eh: PlannedEarlyHelp) -> None:
        """Assessment dates inside the episode and not after the reference date."""
        limit = self.ref - dt.timedelta(days=1)
        if eh.planned_end is not None:
            limit = min(limit, eh.planned_end)
        if eh.assessment_start is not None and eh.assessment_start > limit:
            eh.assessment_start = None
        if eh.assessment_start is None or (
            eh.assessment_completed is not None and eh.assessment_completed > limit
        ):
            eh.assessment_completed = None


def mark_re_referrals(episodes: list[PlannedEpisode]) -> None:
    """A referral within 365 days after an earlier referral of the same child is a re-referral."""
    by_child: dict[int, list[PlannedEpisode]] = defaultdict(list)
    for e in episodes:
        by_child[e.child.pk].append(e)
    for items in by_child.values():
        items.sort(key=lambda e: e.referral_date)
        for earlier, later in itertools.pairwise(items):
            gap = (later.referral_date - earlier.referral_date).days
            later.is_re_referral = 0 < gap <= RE_REFERRAL_DAYS


# --- reading the people --------------------------------------------------------------------------


def load_households(reference_date: dt.date) -> list[list[Child]]:
    """The households the people step wrote: children by current family group (see the people
    step for who counts as a child); children in no family (asylum seekers) on their own."""
    child_kinds = [RelationshipKind.CHILD, RelationshipKind.STEP_CHILD, RelationshipKind.GRANDCHILD]
    child_ids = set(
        Relationship.objects.filter(kind__in=child_kinds).values_list("from_person_id", flat=True)
    )
    disabled = set(
        PersonDisability.objects.exclude(code=Disability.NONE).values_list("person_id", flat=True)
    )
    addresses: dict[int, str] = {}
    for person_id, line_1, town, postcode in (
        Address.objects.filter(end_date__isnull=True)
        .order_by("person_id", "start_date", "id")
        .values_list("person_id", "line_1", "town", "postcode")
    ):
        addresses[person_id] = ", ".join(p for p in (line_1, town, postcode) if p)
    children: dict[int, Child] = {}
    for pk, forename, surname, dob, edd, uasc, died in (
        Person.objects.filter(merged_into__isnull=True)
        .order_by("pk")
        .values_list(
            "pk",
            "forename",
            "surname",
            "date_of_birth",
            "expected_date_of_birth",
            "is_uasc",
            "date_of_death",
        )
    ):
        if died is not None:
            continue
        if pk in child_ids or uasc or (dob is None and edd is not None):
            children[pk] = Child(
                pk=pk,
                forename=forename,
                surname=surname,
                dob=dob,
                edd=edd,
                is_uasc=uasc,
                disabled=pk in disabled,
                address=addresses.get(pk, ""),
            )
    family_of: dict[int, int] = {}
    for person_id, family_id in (
        FamilyMembership.objects.filter(end_date__isnull=True, person_id__in=list(children))
        .order_by("family_id")
        .values_list("person_id", "family_id")
    ):
        family_of.setdefault(person_id, family_id)
    grouped: dict[tuple[int, int], list[Child]] = defaultdict(list)
    for child in children.values():
        family = family_of.get(child.pk)
        key = (0, family) if family is not None else (1, child.pk)
        grouped[key].append(child)
    households = []
    for key in sorted(grouped):
        members = grouped[key]
        members.sort(key=lambda c: (c.dob or c.edd or reference_date, c.pk))
        households.append(members)
    return households


# --- the step ------------------------------------------------------------------------------------


@register_step("front-door", order=110)
def generate_front_door(ctx: GenerationContext) -> None:
    assert ctx.council is not None, "the council step runs first"
    households = load_households(ctx.reference_date)
    if not households:
        return
    calendar = working_calendar()
    roster = Roster(ctx)
    towns = sorted(set(Address.objects.values_list("town", flat=True)) - {""})[:8]
    partners = ctx.staff_by_role.get(RoleCode.PARTNER_AGENCY, [])
    planner = _FrontDoorPlanner(
        ctx,
        households,
        calendar,
        roster,
        ctx.council.name,
        towns,
        partners[0].pk if partners else None,
    )
    plan = planner.run()
    mark_re_referrals(plan.episodes)
    write_plan(ctx, plan, calendar, roster)


def write_plan(
    ctx: GenerationContext, plan: FrontDoorPlan, calendar: WorkingCalendar, roster: Roster
) -> None:
    ref = ctx.reference_date
    # References in the order contacts arrived, numbered within each year.
    plan.submissions.sort(key=lambda s: s.received_at)
    counters: Counter[int] = Counter()
    starts = dict(
        IdentifierSequence.objects.filter(name__startswith="contact-").values_list(
            "name", "last_value"
        )
    )
    for sub in plan.submissions:
        year = sub.received_at.year
        if year not in counters:
            counters[year] = starts.get(f"contact-{year}", 0)
        counters[year] += 1
        sub.reference = f"MASH-{year}-{counters[year]:06d}"

    episodes = FastRows(ctx, ChildInNeedEpisode)
    for e in sorted(plan.episodes, key=lambda e: (e.referral_date, e.child.pk)):
        e.pk = episodes.add(
            person_id=e.child.pk,
            referral_date=e.referral_date,
            referral_source=e.source,
            primary_need=e.primary_need,
            referral_nfa=e.nfa,
            is_re_referral=e.is_re_referral,
            closure_date=e.closure,
            closure_reason=e.closure_reason,
            referral_team_id=e.team_id,
            referral_worker_id=e.worker_id,
        )
    episodes.write()
    early_help = FastRows(ctx, EarlyHelpEpisode)
    for eh in sorted(plan.early_help, key=lambda e: (e.start, e.child.pk)):
        eh.pk = early_help.add(
            person_id=eh.child.pk,
            start_date=eh.start,
            reason=eh.reason,
            assessment_start=eh.assessment_start,
            assessment_completed=eh.assessment_completed,
            organisation=eh.organisation,
            lead_professional=eh.lead_professional,
            end_date=eh.planned_end,
            outcome=eh.outcome,
            stepped_down_from_id=eh.stepped_down_from.pk if eh.stepped_down_from else None,
        )
    early_help.write()

    submissions = FastRows(ctx, ContactSubmission)
    contacts = FastRows(ctx, Contact)
    checks = FastRows(ctx, AgencyCheck)
    events = FastRows(ctx, ClockEvent)
    subjects = FastRows(ctx, ClockSubject)

    def event(subject_type: str, subject_id: int, name: str, day: dt.date, **extra: Any) -> None:
        events.add(
            subject_type=subject_type, subject_id=subject_id, name=name, occurred_on=day, **extra
        )

    for sub in plan.submissions:
        sub.pk = submissions.add(
            reference=sub.reference,
            received_at=sub.received_at,
            channel=sub.channel,
            source=sub.source,
            concerns=sub.concerns,
            concern_categories=sub.categories,
            submitted_by_id=sub.submitted_by,
            **sub.referrer,
        )
        for c in sub.contacts:
            c.pk = contacts.add(
                submission_id=sub.pk,
                person_id=c.child.pk if c.linked else None,
                child_as_given=c.as_given,
                received_at=sub.received_at,
                source=sub.source,
                consent=c.consent,
                consent_reason=c.consent_reason,
                consent_authorised_by_id=c.consent_authorised_by,
                rating=c.rating,
                screened_by_id=c.screened_by,
                recommendation=c.recommendation,
                recommendation_rationale=c.recommendation_rationale,
                recommended_by_id=c.recommended_by,
                recommended_at=c.recommended_at,
                decision=c.decision,
                decision_rationale=c.decision_rationale,
                primary_need=c.primary_need,
                decided_by_id=c.decided_by,
                decided_at=c.decided_at,
                cin_episode_id=c.episode.pk if c.episode else None,
                early_help_episode_id=c.early_help.pk if c.early_help else None,
            )
            for check in c.checks:
                checks.add(
                    contact_id=c.pk,
                    agency=check.agency,
                    requested_at=check.requested_at,
                    requested_by_id=check.requested_by,
                    returned_at=check.returned_at,
                    summary=check.summary,
                )
            source = f"frontdoor.contact:{c.pk}"
            received_on = sub.received_at.date()
            event(SubjectType.CONTACT, c.pk, "contact", received_on, source=source)
            if c.rating:
                event(
                    SubjectType.CONTACT,
                    c.pk,
                    f"contact-rated-{c.rating}",
                    received_on,
                    source=f"{source}:rating",
                )
            if c.decided_at is not None:
                decided_on = c.decided_at.astimezone(LONDON).date()
                event(
                    SubjectType.CONTACT,
                    c.pk,
                    "contact-decision",
                    decided_on,
                    source=f"{source}:decision",
                )
                if c.decision == O.STRATEGY_DISCUSSION:
                    event(
                        SubjectType.CHILD,
                        c.child.pk,
                        "significant-harm-concern",
                        decided_on,
                        source=f"{source}:strategy",
                    )
            subjects.add(
                subject_type=SubjectType.CONTACT,
                subject_id=c.pk,
                worker_id=c.screened_by,
                team_id=c.team_id or roster.front_door_team,
                service_area=ServiceArea.FRONT_DOOR,
            )
    submissions.write()
    contacts.write()
    checks.write()
    for year, last in counters.items():
        set_sequence(f"contact-{year}", last)

    children_with_events: dict[int, None] = {}
    for e in plan.episodes:
        key = f"episode:{e.pk}"
        source = f"casework.episode:{e.pk}"
        event(SubjectType.CHILD, e.child.pk, "referral", e.referral_date, key=key, source=source)
        children_with_events[e.child.pk] = None
        if e.nfa:
            event(
                SubjectType.CHILD,
                e.child.pk,
                "referral-nfa",
                e.decided_on,
                key=key,
                source=f"{source}:nfa",
            )
    for e in plan.episodes:
        if e.strategy:
            children_with_events[e.child.pk] = None
    # The casework step (order 122) records the assessments on these dates.
    ctx.handover["frontdoor.assessment_dates"] = {
        e.pk: e.assessment for e in plan.episodes if e.assessment is not None
    }
    # The child protection step (order 123) records the strategy discussions, enquiries,
    # conferences and plans; the casework step gives an episode whose enquiry made it close RC7
    # instead of RC8/RC9 the assessment outcome its closure no longer says.
    ctx.handover["frontdoor.protection"] = {
        e.pk: e.protection for e in plan.episodes if e.protection is not None
    }
    ctx.handover["frontdoor.assessment_outcomes"] = {
        e.pk: AssessmentOutcome.NO_FURTHER_ACTION
        for e in plan.episodes
        if e.protection is not None and e.protection.not_in_need
    }

    # Disability is recorded for every born child referred on for further action (CIN rule 8540):
    # "no disability" where nothing else is known.
    recorded = set(PersonDisability.objects.values_list("person_id", flat=True))
    none_rows = FastRows(ctx, PersonDisability)
    for e in plan.episodes:
        pk = e.child.pk
        if not e.nfa and e.child.dob is not None and pk not in recorded:
            recorded.add(pk)
            none_rows.add(person_id=pk, code=Disability.NONE)
    none_rows.write()

    events.write()
    subjects.write()
    all_subjects = [(SubjectType.CONTACT.value, c.pk) for s in plan.submissions for c in s.contacts]
    all_subjects += [(SubjectType.CHILD.value, pk) for pk in children_with_events]
    written = 0
    batches = range(0, len(all_subjects), REDERIVE_BATCH)
    for start in ctx.progress(
        batches, desc="Deadlines", total=math.ceil(len(all_subjects) / REDERIVE_BATCH), unit="batch"
    ):
        written += timescales.rederive(
            all_subjects[start : start + REDERIVE_BATCH], calendar=calendar
        )
    ctx.counts["timescales.deadline"] += written

    year_ago = ref - dt.timedelta(days=RE_REFERRAL_DAYS)
    recent = [e for e in plan.episodes if year_ago < e.referral_date <= ref]
    contact_count = sum(len(s.contacts) for s in plan.submissions)
    ctx.summary.update(
        contacts=contact_count,
        referrals=len(plan.episodes),
        early_help_episodes=len(plan.early_help),
        re_referral_rate_last_12_months=round(
            sum(e.is_re_referral for e in recent) / len(recent), 3
        )
        if recent
        else 0.0,
        contacts_per_10k_per_year=round(contact_count / ctx.children * 10_000 / ctx.years, 1),
        modelled_contacts_per_10k=CONTACTS_PER_10K,
        incident_continue_probability=round(plan.continue_probability, 3),
    )
