"""Synthetic people for the demo council: the families known to children's social care.

Step "people" (order 100) writes households: the children the front door hears about over the
history and their brothers and sisters, their parents and carers, a grandparent now and then; a
family group per household, relationships in reciprocal pairs, other names, addresses, identifiers
(synthetic NHS numbers, UPNs with their check letter), ethnicity, disability, a few unborn children
and a few restricted records. The front door step (`hearth.frontdoor.demo_steps`, order 110) then
gives these households their contacts, referrals and early help.

Who is a child: a person recorded as someone's child, step-child or grandchild, an unborn child,
or an unaccompanied asylum-seeking child. Adults are never recorded as anyone's child here (a
grandmother is the children's grandparent, not their mother's mother), so the front door step can
tell them apart from the relationships alone.

Speed: rows are written with `FastRows` (one `executemany` per chunk, primary keys assigned here)
rather than `ctx.bulk_create`. The ORM's bulk insert measured about 6,000 person rows a second on
SQLite (at most 999 parameters per statement, and every value compiled by the ORM); an 80,000-child
council writes about a million rows across the two steps. Database constraints still apply.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import nhs_number
from django.core.management.color import no_style
from django.db import connections, models, router
from django.db.models import Max
from django.utils import timezone

from hearth.core.choices import RoleCode
from hearth.demo.context import GenerationContext
from hearth.demo.steps import register_step

from .codes import (
    RECIPROCAL,
    AddressKind,
    Disability,
    Ethnicity,
    GenderIdentity,
    ImmigrationStatus,
    NameKind,
    RelationshipKind,
    Sex,
    UpnUnknown,
)
from .models import (
    Address,
    FamilyGroup,
    FamilyMembership,
    IdentifierSequence,
    Person,
    PersonDisability,
    PersonName,
    Relationship,
    RestrictedAccess,
)
from .services import name_key
from .validators import UPN_LETTERS, upn_check_letter

M = TypeVar("M", bound=models.Model)
RK = RelationshipKind

# --- writing rows fast ---------------------------------------------------------------------------


class FastRows(Generic[M]):
    """Rows of one model, inserted with one `executemany` per chunk.

    `add(**values)` takes attribute names (`person_id`, not `person`), fills the fields' defaults
    (and "now" for auto_now fields) and returns the primary key it assigned: the table's largest
    plus one, counting up. `write()` inserts, counts the rows in `ctx.counts` and, on databases
    with sequences, moves the sequence past the keys used. Character lengths are checked here,
    because SQLite does not check them.
    """

    CHUNK = 10_000

    def __init__(self, ctx: GenerationContext, model: type[M]) -> None:
        self.ctx = ctx
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        self.fields = list(model._meta.concrete_fields)
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.pk_index = next(i for i, f in enumerate(self.fields) if f.primary_key)
        now = timezone.now()
        defaults: list[Any] = []
        for f in self.fields:
            if f.primary_key:
                defaults.append(None)
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(now)
            else:
                defaults.append(f.get_default())
        self.defaults = defaults
        self.rows: list[list[Any]] = []
        self.next_pk: int | None = None

    def add(self, **values: Any) -> int:
        if self.next_pk is None:
            largest = self.model._default_manager.aggregate(m=Max("pk"))["m"]
            self.next_pk = (largest or 0) + 1
        pk = self.next_pk
        self.next_pk += 1
        row = list(self.defaults)
        row[self.pk_index] = pk
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        self.rows.append(row)
        return pk

    def set(self, pk: int, **values: Any) -> None:
        """Change a row added since the last write (to point two new rows at each other)."""
        row = self.rows[pk - self.rows[0][self.pk_index]]
        for name, value in values.items():
            row[self.index[name]] = value

    def __len__(self) -> int:
        return len(self.rows)

    def _converters(self) -> list[tuple[int, Any]]:
        """Database values for dates, times and JSON; dates and times are memoised, as the same
        ones recur (every row's `created_at`)."""
        ops = self.connection.ops

        def memoised(adapt: Any) -> Any:
            cache: dict[Any, Any] = {}

            def convert(value: Any) -> Any:
                found = cache.get(value)
                if found is None:
                    found = cache[value] = adapt(value)
                return found

            return convert

        out: list[tuple[int, Any]] = []
        for i, f in enumerate(self.fields):
            if isinstance(f, models.DateTimeField):
                out.append((i, memoised(ops.adapt_datetimefield_value)))
            elif isinstance(f, models.DateField):
                out.append((i, memoised(ops.adapt_datefield_value)))
            elif isinstance(f, models.JSONField):
                out.append((i, lambda v, f=f: f.get_db_prep_save(v, self.connection)))
        return out

    def write(self) -> int:
        if not self.rows:
            return 0
        converters = self._converters()
        lengths = [
            (i, f.max_length)
            for i, f in enumerate(self.fields)
            if isinstance(f, models.CharField) and f.max_length
        ]
        for row in self.rows:
            for i, limit in lengths:
                value = row[i]
                if value is not None and len(value) > limit:
                    name = self.fields[i].name
                    raise ValueError(f"{self.model.__name__}.{name} too long: {value!r}")
            for i, convert in converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        table = quote(self.model._meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names only)
        label = str(self.model._meta.verbose_name_plural).capitalize()
        chunks: Any = range(0, len(self.rows), self.CHUNK)
        if len(self.rows) > self.CHUNK:
            chunks = self.ctx.progress(
                chunks, desc=label, total=math.ceil(len(self.rows) / self.CHUNK), unit="batch"
            )
        with self.connection.cursor() as cursor:
            for start in chunks:
                cursor.executemany(sql, self.rows[start : start + self.CHUNK])
            for statement in self.connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(statement)
        written = len(self.rows)
        self.ctx.counts[self.model._meta.label_lower] += written
        self.rows = []
        return written


def set_sequence(name: str, last_value: int) -> None:
    """An identifier sequence now stands at the last value used, so no ID is issued twice."""
    sequence, _ = IdentifierSequence.objects.get_or_create(name=name)
    if sequence.last_value < last_value:
        sequence.last_value = last_value
        sequence.save(update_fields=["last_value"])


# --- sizing: how many families the front door knows ----------------------------------------------

# National rates per 10,000 children a year (domain.md §2.1, §2.5).
REFERRALS_PER_10K = 519
CONTACTS_PER_REFERRAL = 3.0  # contacts are "typically 2-4x referrals" [estimate]
CONTACTS_PER_10K = REFERRALS_PER_10K * CONTACTS_PER_REFERRAL
# Early help is not collected nationally: about 250 episodes per 10,000 children a year is our own
# estimate from published local early help reports [estimate, not a national statistic].
EARLY_HELP_PER_10K = 250

# Each household known to the front door has a first incident in the history; after each incident
# the family comes back with probability INCIDENT_CONTINUE, after a gap of about INCIDENT_GAP_DAYS
# on average (exponential) [our estimates]. Incidents are contacts, or early help opened directly
# by a school or family hub. After a child in need episode closes, the concerns come back for some
# children (`hearth.frontdoor.demo_steps`): those follow-ups give the national re-referral rate.
INCIDENT_CONTINUE = 0.6
INCIDENT_GAP_DAYS = 150.0
DIRECT_EARLY_HELP_SHARE = 0.07  # incidents that are early help opened without a contact
CONTACTS_PER_SUBMISSION = 1.45  # brothers and sisters often share a submission (measured)
# Shares of all incidents (measured once the history is under way): follow-ups after an episode
# closes, and the others (step-ups from early help, pre-birth and asylum contacts).
FOLLOW_UP_SHARE = 0.17
OTHER_INCIDENT_SHARE = 0.05


def first_incident_weights(window_days: float, cont: float, gap_days: float) -> tuple[float, float]:
    """For incidents to arrive at a steady rate through the history, first incidents (as seen in
    the window) must be more frequent at its start, where families already known before it show up:
    the renewal equation gives a density proportional to (1 - cont) + cont * exp(-t / gap). Returns
    the weights of its two parts (uniform, and exponential from the start) over the window."""
    uniform = (1 - cont) * window_days
    early = cont * gap_days * (1 - math.exp(-window_days / gap_days))
    return uniform, early


def incidents_per_household(window_days: float, cont: float, gap_days: float) -> float:
    """Expected incidents in the window per household with its first one in it (steady rate)."""
    if window_days <= 0:
        return 1.0
    return window_days / sum(first_incident_weights(window_days, cont, gap_days))


def incidents_needed(children: int, years: int) -> float:
    """All incidents over the history: contact submissions and early help opened directly."""
    contacts = children * CONTACTS_PER_10K / 10_000 * years
    return contacts / CONTACTS_PER_SUBMISSION / (1 - DIRECT_EARLY_HELP_SHARE)


def own_incidents_needed(children: int, years: int) -> float:
    """Incidents from the households' own course (not follow-ups, step-ups and the like)."""
    return incidents_needed(children, years) * (1 - FOLLOW_UP_SHARE - OTHER_INCIDENT_SHARE)


def known_households(children: int, years: int, window_days: float) -> int:
    per_household = incidents_per_household(window_days, INCIDENT_CONTINUE, INCIDENT_GAP_DAYS)
    return max(10, round(own_incidents_needed(children, years) / per_household))


# Unaccompanied asylum-seeking children arriving (5.4 per 10,000 in care at 31 March nationally,
# very uneven; about 2.5 arrivals per 10,000 a year here [estimate]).
UASC_PER_10K_PER_YEAR = 2.5
UNBORN_SHARE = 0.025  # households expecting a baby at the reference date (pre-birth referrals)
RESTRICTED_SHARE = 0.001  # children whose record is restricted to named staff (at least 2)

# --- code lists and names ------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Household ethnic groups, weights from the children in need population [rounded estimates].
ETHNIC_GROUPS: list[tuple[str, float]] = [
    ("white_british", 0.615),
    ("white_eastern_european", 0.06),
    ("white_other", 0.02),
    ("white_irish", 0.006),
    ("traveller", 0.004),
    ("roma", 0.007),
    ("mixed", 0.10),
    ("south_asian", 0.075),
    ("black_african", 0.05),
    ("black_caribbean", 0.02),
    ("chinese", 0.003),
    ("other", 0.025),
    ("not_obtained", 0.015),
]

BOYS = _words(
    "Oliver George Harry Noah Jack Leo Arthur Oscar Charlie Jacob Thomas Henry Freddie Alfie Theo"
    " William Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max Logan Ethan Mason"
    " Harrison Teddy Reggie Albie Riley Jayden Dylan Tyler Kai Ryan Liam Callum Lewis Kyle Connor"
    " Daniel Samuel Joseph Louie Bobby Jenson Frankie Ronnie Sonny Jake Luke Ben Jamie Owen Reece"
)
GIRLS = _words(
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily"
    " Ella Poppy Evie Elsie Charlotte Evelyn Sienna Daisy Phoebe Sophie Jessica Chloe Ruby Millie"
    " Erin Megan Lacey Holly Amber Ellie Maisie Leah Harper Layla Lola Scarlett Skye Paige Courtney"
    " Demi Kayla Jasmine Summer Eliza Imogen Hannah Lucy Katie Abigail Bethany Niamh Tilly"
)
NICKNAMES = {
    "Alexander": "Alex",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "Joseph": "Joe",
    "Daniel": "Danny",
    "William": "Billy",
    "Isabella": "Bella",
    "Charlotte": "Lottie",
    "Jessica": "Jess",
    "Elizabeth": "Lizzie",
    "Florence": "Flo",
    "Benjamin": "Ben",
    "Frederick": "Freddie",
    "Abigail": "Abi",
    "Rebecca": "Becky",
    "Jacob": "Jake",
    "Katherine": "Kate",
    "Theodore": "Teddy",
}

# Names for other heritages: forenames (male, female) and surnames.
NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "polish": (
        _words("Jakub Kacper Szymon Filip Mateusz Michal Bartosz Wiktor Piotr Tomasz Marek Pawel"),
        _words("Zuzanna Julia Maja Zofia Hanna Lena Alicja Oliwia Natalia Agnieszka Katarzyna"),
        _words(
            "Nowak Wojcik Mazur Krawczyk Kaczmarek Pawlak Michalak Sikora Baran Duda Wieczorek Krol"
            " Zajac Wrobel Walczak Stepien"
        ),
    ),
    "romanian": (
        _words("Andrei Alexandru Ionut Mihai Gabriel Florin Stefan Adrian Marius"),
        _words("Maria Elena Ioana Andreea Alexandra Denisa Bianca Roxana"),
        _words("Popescu Ionescu Popa Stan Dumitru Radu Stoica Munteanu Constantin Lungu"),
    ),
    "south_asian": (
        _words(
            "Muhammad Mohammed Ibrahim Yusuf Ayaan Zayn Hamza Ali Arjun Aarav Rohan Imran"
            " Tariq Abdul Rahim Harjit"
        ),
        _words(
            "Aisha Fatima Maryam Zara Amira Hafsa Inaya Priya Ananya Simran Noor Sana Nadia Ruksana"
            " Zainab"
        ),
        _words(
            "Khan Hussain Ahmed Ali Patel Sharma Singh Iqbal Mahmood Akhtar Rahman Chowdhury Islam"
            " Uddin Miah Shah"
        ),
    ),
    "african": (
        _words("Emmanuel David Samuel Daniel Joshua Chidi Kwame Tobi Abdi Mohamed Yonas Kofi"),
        _words("Grace Blessing Precious Favour Adaeze Amara Chioma Esther Faith Hodan Amina Ruth"),
        _words(
            "Okafor Adeyemi Mensah Owusu Okoro Adebayo Nwosu Osei Abdi Mohamed Hassan Tesfaye"
            " Kamara Bangura"
        ),
    ),
    "chinese": (
        _words("Wei Jun Hao Ming Kai Jian"),
        _words("Mei Li Xin Ying Hui Lan"),
        _words("Wang Li Zhang Chen Liu Wong Lam Chan"),
    ),
    "other": (
        _words("Omar Ahmad Karim Hassan Yousef Rawand Dilan Sami"),
        _words("Layla Huda Rania Shirin Noor Hana Dilnaz"),
        _words("Haddad Aziz Rahimi Karimi Ahmadi Hosseini Mustafa Saleh Abdullah"),
    ),
    "uasc": (
        _words("Ahmad Mohammad Ali Hamid Samir Jawad Yonas Abel Filmon Mohamed Adam Rawand Karwan"),
        [],
        _words(
            "Ahmadzai Popal Stanikzai Rahimi Sultani Noori Tesfay Gebremedhin Haile Abdalla Osman"
            " Mahmoud Aziz"
        ),
    ),
}

# (language, nationality, religion choices) by heritage; English and British otherwise.
HERITAGE: dict[str, tuple[list[str], list[str], list[str]]] = {
    "polish": (["Polish"], ["Polish"], ["Christian"]),
    "romanian": (["Romanian"], ["Romanian"], ["Christian"]),
    "south_asian": (
        ["Urdu", "Punjabi", "Bengali", "Gujarati"],
        ["British", "British", "Pakistani", "Indian", "Bangladeshi"],
        ["Muslim", "Muslim", "Muslim", "Hindu", "Sikh"],
    ),
    "african": (
        ["Somali", "Yoruba", "Twi", "Tigrinya", "Arabic"],
        ["British", "Nigerian", "Ghanaian", "Somali", "Eritrean"],
        ["Christian", "Muslim"],
    ),
    "chinese": (["Cantonese", "Mandarin"], ["British", "Chinese"], ["No religion", "Buddhist"]),
    "other": (
        ["Arabic", "Kurdish", "Farsi"],
        ["British", "Iraqi", "Syrian", "Iranian"],
        ["Muslim"],
    ),
    "uasc": (
        ["Pashto", "Dari", "Tigrinya", "Arabic", "Kurdish"],
        ["Afghan", "Eritrean", "Sudanese", "Iraqi", "Iranian"],
        ["Muslim", "Christian"],
    ),
}

# Disability codes among children with a disability [estimate from the CIN census].
DISABILITY_WEIGHTS: list[tuple[str, float]] = [
    (Disability.LD, 0.22),
    (Disability.AUT, 0.24),
    (Disability.COMM, 0.14),
    (Disability.BEH, 0.12),
    (Disability.MOB, 0.06),
    (Disability.PC, 0.04),
    (Disability.HEAR, 0.03),
    (Disability.VIS, 0.03),
    (Disability.CON, 0.02),
    (Disability.HAND, 0.02),
    (Disability.INC, 0.02),
    (Disability.DDA, 0.06),
]
ADULT_DISABILITIES = [
    Disability.MOB,
    Disability.DDA,
    Disability.LD,
    Disability.HEAR,
    Disability.VIS,
]

# Age in whole years at the first contact (CIN referrals by age, rounded): under 1, 1-4, 5-9,
# 10-15, 16-17.
AGE_BANDS: list[tuple[tuple[float, float], float]] = [
    ((0.0, 1.0), 0.10),
    ((1.0, 5.0), 0.20),
    ((5.0, 10.0), 0.25),
    ((10.0, 16.0), 0.33),
    ((16.0, 17.9), 0.12),
]
CHILDREN_PER_HOUSEHOLD: list[tuple[int, float]] = [
    (1, 0.38),
    (2, 0.30),
    (3, 0.18),
    (4, 0.09),
    (5, 0.04),
    (6, 0.01),
]
HOUSEHOLD_TYPES: list[tuple[str, float]] = [
    ("lone_mother", 0.44),
    ("two_parents", 0.27),
    ("mother_and_partner", 0.17),
    ("lone_father", 0.07),
    ("kinship", 0.05),
]

# Real UK postcode areas: an invented area must not be one of them.
REAL_POSTCODE_AREAS = set(
    _words(
        "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN"
        " DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY"
        " L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S"
        " SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR"
        " WS WV YO ZE"
    )
)
POSTCODE_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"
POSTCODE_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"
POSTCODE_UNIT = "ABDEFGHJLNPQRSTUWXYZ"
TOWN_STARTS = _words(
    "Ash Bram Chal Dun Elm Fen Gran Hal Kel Lang Mar Nor Oak Pen Rad Stan Thorn Wal Wick Brook"
)
TOWN_ENDS = _words("ford ley ton bury field wick ham by worth stead borough minster well")
STREET_TYPES = _words(
    "Road Road Road Street Street Close Avenue Lane Way Drive Crescent Gardens Grove Court Place"
    " Terrace View Walk Rise"
)
STREET_ROOTS = _words(
    "Oak Elm Beech Willow Church Mill Station Park Victoria Albert Queen's King's Meadow Orchard"
    " Chapel Bridge School Manor Green Hill Brook Forge Market Priory Abbey Cedar Hazel Rowan"
)
FLAT_BLOCKS = _words("Court House Heights Lodge Mews")


def weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    """One of the options, by weight (weights need not sum to 1)."""
    total = sum(w for _, w in options)
    x = rng.random() * total
    for value, w in options:
        x -= w
        if x < 0:
            return value
    return options[-1][0]


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def synthetic_nhs_number(rng: random.Random, used: set[str], wide: bool) -> str:
    """A valid NHS number that no real patient has: the 999 range (test numbers), or the package's
    whole synthetic region for very large councils. Not `nhs_number.generate`: it uses the global
    `random` state, which would make the council differ from run to run."""
    if wide:
        (span,) = nhs_number.REGION_SYNTHETIC.ranges[:1]
        low, high = span.start // 10, span.end // 10
    else:
        low, high = 999_000_000, 999_999_999
    while True:
        body = str(rng.randint(low, high))
        check = nhs_number.calculate_checksum(body)
        if check is None or check == 10:
            continue
        number = f"{body}{check}"
        if number not in used:
            used.add(number)
            return number


# --- the plan ------------------------------------------------------------------------------------


@dataclass(eq=False)
class PlannedPerson:
    forename: str
    surname: str
    sex: str
    dob: dt.date | None
    is_child: bool
    edd: dt.date | None = None
    ethnicity: str = Ethnicity.NOBT
    heritage: str = "english"
    gender_identity: str = GenderIdentity.NOT_KNOWN
    first_language: str = ""
    religion: str = ""
    nationality: str = ""
    nhs_number: str = ""
    upn: str = ""
    former_upn: str = ""
    upn_unknown: str = ""
    immigration_status: str = ""
    is_uasc: bool = False
    is_restricted: bool = False
    restriction_reason: str = ""
    other_names: list[tuple[str, str, str, dt.date | None, dt.date | None]] = field(
        default_factory=list
    )  # (kind, forename, surname, from, to)
    addresses: list[tuple[str, str, str, str, str, dt.date, dt.date | None]] = field(
        default_factory=list
    )  # (kind, line 1, line 2, town, postcode, start, end)
    disabilities: list[str] = field(default_factory=list)
    pk: int = 0


@dataclass
class PlannedRelationship:
    from_person: PlannedPerson
    to_person: PlannedPerson
    kind: str
    parental_responsibility: bool = False
    lives_with: bool = False
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass
class PlannedHousehold:
    name: str
    members: list[tuple[PlannedPerson, dt.date | None, dt.date | None]]  # person, start, end
    relationships: list[PlannedRelationship] = field(default_factory=list)


@dataclass
class PeoplePlan:
    persons: list[PlannedPerson] = field(default_factory=list)
    households: list[PlannedHousehold] = field(default_factory=list)
    relationships: list[PlannedRelationship] = field(default_factory=list)


class _Names:
    """Names drawn from pools: Faker fills the English pools once (it is slow per call)."""

    def __init__(self, ctx: GenerationContext) -> None:
        faker, self.rng = ctx.faker, ctx.rng
        self.surnames = [faker.last_name() for _ in range(1500)]
        self.men = [faker.first_name_male() for _ in range(400)]
        self.women = [faker.first_name_female() for _ in range(400)]

    def surname(self, heritage: str) -> str:
        if heritage in NAMES:
            return self.rng.choice(NAMES[heritage][2])
        return self.rng.choice(self.surnames)

    def forename(self, heritage: str, sex: str, child: bool) -> str:
        rng = self.rng
        if heritage in NAMES:
            male, female, _ = NAMES[heritage]
            pool = male if sex == Sex.MALE or not female else female
            # Children of families settled here for a generation often have English names.
            if child and rng.random() < 0.25:
                pool = BOYS if sex == Sex.MALE else GIRLS
            return rng.choice(pool)
        if child:
            return rng.choice(BOYS if sex == Sex.MALE else GIRLS)
        return rng.choice(self.men if sex == Sex.MALE else self.women)


@dataclass
class _Place:
    area: str
    towns: list[str]

    def postcode(self, rng: random.Random) -> tuple[str, str]:
        district = rng.randint(1, 2 * len(self.towns))
        town = self.towns[(district - 1) % len(self.towns)]
        inward = f"{rng.randint(1, 9)}{rng.choice(POSTCODE_UNIT)}{rng.choice(POSTCODE_UNIT)}"
        return f"{self.area}{district} {inward}", town

    def street(self, rng: random.Random, surnames: list[str]) -> tuple[str, str]:
        root = rng.choice(STREET_ROOTS) if rng.random() < 0.6 else rng.choice(surnames)
        street = f"{root} {rng.choice(STREET_TYPES)}"
        if rng.random() < 0.2:
            block = f"{rng.choice(surnames)} {rng.choice(FLAT_BLOCKS)}"
            return f"Flat {rng.randint(1, 40)}, {block}", street
        return f"{rng.randint(1, 180)} {street}", ""


def council_place(council_name: str, rng: random.Random) -> _Place:
    """An invented postcode area (never a real one) and a few invented towns for the council."""
    words = re.sub(r"[^A-Za-z ]", "", council_name.removesuffix(" Council")).split()
    root = (words[-1] if words else "Hearth").removesuffix("shire") or "Hearth"
    first = root[0].upper() if root[0].upper() in POSTCODE_FIRST else rng.choice(POSTCODE_FIRST)
    seconds = [c for c in root[1:].upper() if c in POSTCODE_SECOND]
    rest = list(POSTCODE_SECOND)
    rng.shuffle(rest)
    area = next(
        (first + c for c in [*seconds, *rest] if first + c not in REAL_POSTCODE_AREAS), "QZ"
    )
    towns = [f"{root}{rng.choice(['ford', 'bridge', 'ton', 'bury'])}"]
    while len(towns) < 6:
        town = f"{rng.choice(TOWN_STARTS)}{rng.choice(TOWN_ENDS)}"
        if town not in towns:
            towns.append(town)
    return _Place(area=area, towns=towns)


class _PeoplePlanner:
    def __init__(self, ctx: GenerationContext, la_code: str, place: _Place) -> None:
        self.ctx, self.rng = ctx, ctx.rng
        self.ref = ctx.reference_date
        self.window_days = (ctx.reference_date - ctx.history_start).days
        self.la_code = la_code if re.fullmatch(r"\d{3}", la_code or "") else "999"
        self.place = place
        self.names = _Names(ctx)
        self.plan = PeoplePlan()
        self.nhs_used: set[str] = set()
        self.upn_serials: dict[tuple[str, str], int] = {}
        self.schools = {
            "primary": [f"{n:04d}" for n in rng_sample(self.rng, range(2000, 3999), 30)],
            "secondary": [f"{n:04d}" for n in rng_sample(self.rng, range(4000, 4999), 10)],
            "special": [f"{n:04d}" for n in rng_sample(self.rng, range(7000, 7099), 3)],
        }
        self.wide_nhs = ctx.children > 400_000

    # people ---------------------------------------------------------------------------------

    def person(
        self,
        *,
        sex: str,
        dob: dt.date | None,
        heritage: str,
        ethnicity: str,
        child: bool,
        surname: str = "",
        edd: dt.date | None = None,
    ) -> PlannedPerson:
        rng = self.rng
        forename = "" if dob is None else self.names.forename(heritage, sex, child)
        p = PlannedPerson(
            forename=forename,
            surname=surname or self.names.surname(heritage),
            sex=sex,
            dob=dob,
            edd=edd,
            is_child=child,
            ethnicity=ethnicity,
            heritage=heritage,
        )
        languages, nationalities, religions = HERITAGE.get(heritage, ([], [], []))
        if languages and rng.random() < (0.3 if child else 0.65):
            p.first_language = rng.choice(languages)
        elif dob is not None:
            p.first_language = "English"
        if nationalities:
            p.nationality = rng.choice(nationalities)
        elif rng.random() < 0.8:
            p.nationality = "British"
        if religions and rng.random() < 0.7:
            p.religion = rng.choice(religions)
        elif rng.random() < 0.45:
            p.religion = rng.choice(["No religion", "No religion", "Christian"])
        age = self.age(dob) if dob else -1
        if dob is not None:
            if (child and age >= 12) or (not child and rng.random() < 0.4):
                matching = GenderIdentity.MAN_BOY if sex == Sex.MALE else GenderIdentity.WOMAN_GIRL
                x = rng.random()
                p.gender_identity = (
                    matching if x < 0.92 else GenderIdentity.NON_BINARY if x < 0.93 else "00"
                )
            if rng.random() < (0.97 if child else 0.88):
                p.nhs_number = synthetic_nhs_number(rng, self.nhs_used, self.wide_nhs)
        if child:
            self.child_disability(p)
            self.school_identifiers(p)
        elif rng.random() < 0.06:
            p.disabilities = [rng.choice(ADULT_DISABILITIES)]
        if child and p.forename in NICKNAMES and rng.random() < 0.35:
            p.other_names.append((NameKind.PREFERRED, NICKNAMES[p.forename], p.surname, None, None))
        elif not child and rng.random() < 0.06:
            alias = self.names.forename(heritage, sex, False) if rng.random() < 0.5 else p.forename
            p.other_names.append((NameKind.ALIAS, alias, self.names.surname(heritage), None, None))
        self.plan.persons.append(p)
        return p

    def age(self, dob: dt.date) -> float:
        return (self.ref - dob).days / 365.25

    def school_identifiers(self, p: PlannedPerson) -> None:
        """A UPN for children of school age (4 and over at the reference date, or who were); a
        reason it is unknown otherwise (UN1 for the under-4s)."""
        rng = self.rng
        if p.dob is None:
            return
        age = self.age(p.dob)
        if age < 4:
            p.upn_unknown = UpnUnknown.UN1
            return
        if rng.random() < 0.06:
            p.upn_unknown = rng.choice(
                [UpnUnknown.UN2, UpnUnknown.UN3, UpnUnknown.UN4, UpnUnknown.UN5, UpnUnknown.UN6]
            )
            return
        kind = "special" if p.disabilities and rng.random() < 0.3 else "primary"
        school = rng.choice(self.schools[kind])
        year = f"{(p.dob.year + 4 + (p.dob.month >= 9)) % 100:02d}"
        p.upn = self.upn(school, year)
        if rng.random() < 0.01:
            p.former_upn = self.upn(rng.choice(self.schools["secondary"]), year, temporary=True)

    def upn(self, school: str, year: str, *, temporary: bool = False) -> str:
        """Check letter, LA code, school (DfE establishment number), year of allocation and a
        serial; a temporary UPN ends with a letter."""
        key = (school, year)
        serial = self.upn_serials.get(key, 0) + 1
        self.upn_serials[key] = serial
        tail = f"{serial:03d}"
        if temporary:
            tail = f"{serial % 100:02d}{self.rng.choice(UPN_LETTERS)}"
        last_twelve = f"{self.la_code}{school}{year}{tail}"
        return upn_check_letter(last_twelve) + last_twelve

    def child_disability(self, p: PlannedPerson) -> None:
        rng = self.rng
        x = rng.random()
        if x < 0.10:
            codes = [weighted(rng, DISABILITY_WEIGHTS)]
            if rng.random() < 0.3:
                other = weighted(rng, DISABILITY_WEIGHTS)
                if other not in codes:
                    codes.append(other)
            p.disabilities = codes
        elif x < 0.45:
            p.disabilities = [Disability.NONE]

    # households -----------------------------------------------------------------------------

    def ethnicity_of(self, group: str) -> tuple[str, str, str]:
        """(heritage for names, adults' code, children's code)."""
        rng = self.rng
        E = Ethnicity
        match group:
            case "white_british":
                return "english", E.WBRI, E.WBRI
            case "white_eastern_european":
                heritage = "polish" if rng.random() < 0.65 else "romanian"
                return heritage, E.WOTH, E.WOTH
            case "white_other":
                return "english", E.WOTH, E.WOTH
            case "white_irish":
                return "english", E.WIRI, E.WIRI
            case "traveller":
                return "english", E.WIRT, E.WIRT
            case "roma":
                return "romanian", E.WROM, E.WROM
            case "mixed":
                code = weighted(rng, [(E.MWBC, 0.35), (E.MWBA, 0.15), (E.MWAS, 0.2), (E.MOTH, 0.3)])
                return "english", E.WBRI, code
            case "south_asian":
                code = weighted(rng, [(E.APKN, 0.4), (E.AIND, 0.25), (E.ABAN, 0.15), (E.AOTH, 0.2)])
                return "south_asian", code, code
            case "black_african":
                code = E.BAFR if rng.random() < 0.85 else E.BOTH
                return "african", code, code
            case "black_caribbean":
                return "english", E.BCRB, E.BCRB
            case "chinese":
                return "chinese", E.CHNE, E.CHNE
            case "other":
                return "other", E.OOTH, E.OOTH
        code = E.NOBT if rng.random() < 0.7 else E.REFU
        return "english", code, code

    def household(self) -> None:
        rng, ref = self.rng, self.ref
        kind = weighted(rng, HOUSEHOLD_TYPES)
        heritage, adult_code, child_code = self.ethnicity_of(weighted(rng, ETHNIC_GROUPS))
        n = weighted(rng, CHILDREN_PER_HOUSEHOLD)
        # The index child's age at its first contact, which falls somewhere in the history.
        low, high = weighted(rng, AGE_BANDS)
        ages = [rng.uniform(low, high) + rng.uniform(0, self.window_days) / 365.25]
        oldest_allowed = 17 + self.window_days / 365.25 + 2
        while len(ages) < n:
            gap = rng.uniform(1.2, 5.0)
            older = rng.random() < 0.5 or min(ages) - gap < 0
            candidate = max(ages) + gap if older else min(ages) - gap
            if candidate > oldest_allowed:
                break
            ages.append(candidate)
        ages.sort(reverse=True)  # oldest first
        dobs = [ref - dt.timedelta(days=round(a * 365.25) + 1) for a in ages]
        oldest = dobs[0]
        mother_age_at_first = max(18.0, min(rng.gauss(24, 4.5), 38.0))
        mother_dob = oldest - dt.timedelta(days=round(mother_age_at_first * 365.25))
        father_dob = mother_dob - dt.timedelta(days=round(rng.uniform(-2, 9) * 365.25))
        unborn = (
            kind in ("lone_mother", "two_parents", "mother_and_partner")
            and rng.random() < UNBORN_SHARE
            and self.age(mother_dob) < 43
        )
        move_in = ref - dt.timedelta(days=rng.randint(120, 3600))
        partner_since = max(oldest, move_in) - dt.timedelta(days=rng.randint(0, 700))

        # The family's shape. The "main" father is the resident father or partner (or the
        # children's absent father); older children may have an earlier father, and are then
        # half-siblings of the younger ones (and step-children of a resident partner).
        mother_resident = kind in ("lone_mother", "two_parents", "mother_and_partner")
        main_resident = kind in ("two_parents", "mother_and_partner", "lone_father")
        mother_known = mother_resident or rng.random() < (0.7 if kind == "lone_father" else 0.85)
        main_known = main_resident or rng.random() < (0.7 if kind == "lone_mother" else 0.4)
        split = 0  # how many of the (born) older children have the earlier father
        if kind == "mother_and_partner":
            split = len(dobs) - 1 if len(dobs) >= 2 and rng.random() < 0.4 else len(dobs)
        elif (
            len(dobs) >= 2
            and kind in ("lone_mother", "two_parents")
            and rng.random() < (0.35 if kind == "lone_mother" else 0.15)
        ):
            split = rng.randint(1, len(dobs) - 1)
        earlier_known = split > 0 and rng.random() < 0.6
        grandmother_known = kind == "kinship" or rng.random() < 0.2
        married = kind == "two_parents" and rng.random() < 0.45

        def adult(sex: str, dob: dt.date, surname: str = "") -> PlannedPerson:
            return self.person(
                sex=sex,
                dob=dob,
                heritage=heritage,
                ethnicity=adult_code,
                child=False,
                surname=surname,
            )

        family_surname = self.names.surname(heritage)
        mother_surname = self.names.surname(heritage)
        mother = main = earlier = grandmother = None
        if mother_known:
            mother = adult(Sex.FEMALE, mother_dob, family_surname if married else mother_surname)
            if married:
                wedding = oldest - dt.timedelta(days=rng.randint(100, 1500))
                mother.other_names.append(
                    (
                        NameKind.PREVIOUS,
                        mother.forename,
                        mother_surname,
                        None,
                        wedding - dt.timedelta(days=1),
                    )
                )
        if main_known:
            main = adult(Sex.MALE, father_dob, family_surname)
            if heritage == "english" and child_code != adult_code and rng.random() < 0.7:
                # A mixed-heritage family: the father is of the other heritage.
                other_heritage: dict[str, str] = {
                    Ethnicity.MWBC: Ethnicity.BCRB,
                    Ethnicity.MWBA: Ethnicity.BAFR,
                    Ethnicity.MWAS: rng.choice([Ethnicity.APKN, Ethnicity.AIND]),
                }
                main.ethnicity = other_heritage.get(child_code, Ethnicity.OOTH)
        earlier_surname = self.names.surname(heritage)
        if earlier_known:
            earlier = adult(
                Sex.MALE,
                father_dob + dt.timedelta(days=rng.randint(-1500, 1500)),
                earlier_surname,
            )
        if grandmother_known:
            grandmother = adult(
                Sex.FEMALE, mother_dob - dt.timedelta(days=round(rng.uniform(18, 34) * 365.25))
            )

        child_surname = family_surname if rng.random() < 0.6 else mother_surname
        if kind == "lone_father":
            child_surname = family_surname
        children: list[PlannedPerson] = []
        from_earlier: list[bool] = []
        for i, dob in enumerate(dobs):
            by_earlier = i < split
            surname = earlier_surname if by_earlier and rng.random() < 0.5 else child_surname
            children.append(
                self.person(
                    sex=Sex.MALE if rng.random() < 0.52 else Sex.FEMALE,
                    dob=dob,
                    heritage=heritage,
                    ethnicity=child_code,
                    child=True,
                    surname=surname,
                )
            )
            from_earlier.append(by_earlier)
        if unborn:
            children.append(
                self.person(
                    sex=Sex.UNKNOWN,
                    dob=None,
                    edd=ref + dt.timedelta(days=rng.randint(20, 200)),
                    heritage=heritage,
                    ethnicity=child_code,
                    child=True,
                    surname=mother.surname if mother else child_surname,
                )
            )
            from_earlier.append(False)

        rels: list[PlannedRelationship] = []

        def link(
            who: PlannedPerson,
            child: PlannedPerson,
            kind: str,
            *,
            pr: bool,
            lives: bool,
            start: dt.date | None = None,
        ) -> None:
            rels.append(PlannedRelationship(who, child, kind, pr, lives, start or child.dob))

        for c, by_earlier in zip(children, from_earlier, strict=True):
            if mother is not None:
                link(mother, c, RK.MOTHER, pr=True, lives=mother_resident)
            if main is not None:
                if not by_earlier:
                    link(
                        main,
                        c,
                        RK.FATHER,
                        pr=rng.random() < (0.95 if main_resident else 0.7),
                        lives=main_resident,
                    )
                elif main_resident:
                    link(
                        main,
                        c,
                        RK.STEP_PARENT,
                        pr=False,
                        lives=True,
                        start=max(partner_since, c.dob or partner_since),
                    )
            if earlier is not None and by_earlier:
                link(earlier, c, RK.FATHER, pr=rng.random() < 0.6, lives=False)
            if grandmother is not None:
                caring = kind == "kinship"
                link(grandmother, c, RK.GRANDPARENT, pr=caring and rng.random() < 0.6, lives=caring)
        # Brothers and sisters: full siblings share both parents, half-siblings one.
        for i, a in enumerate(children):
            for j in range(i + 1, len(children)):
                b = children[j]
                kind_ab = RK.SIBLING if from_earlier[i] == from_earlier[j] else RK.HALF_SIBLING
                start = max((d for d in (a.dob, b.dob) if d is not None), default=None)
                rels.append(PlannedRelationship(a, b, kind_ab, False, True, start))
        residents = [
            p
            for p, lives in (
                (mother, mother_resident),
                (main, main_resident),
                (grandmother, kind == "kinship"),
            )
            if p is not None and lives
        ]
        if mother is not None and main is not None and mother_resident and main_resident:
            since = partner_since if kind == "mother_and_partner" else oldest
            rels.append(PlannedRelationship(mother, main, RK.PARTNER, False, True, since))

        # The family group: the people living together, the children from birth; a father who
        # lived with them earlier has an ended membership.
        members: list[tuple[PlannedPerson, dt.date | None, dt.date | None]] = [
            (r, None, None) for r in residents
        ]
        members.extend((c, c.dob, None) for c in children)
        if kind == "lone_mother" and main is not None and rng.random() < 0.5:
            youngest = max(d for d in dobs)
            left = min(youngest + dt.timedelta(days=rng.randint(30, 2500)), ref)
            members.append((main, oldest, max(left, oldest)))

        self.addresses(residents, children, move_in)
        for other in (mother, main, earlier, grandmother):
            if other is not None and other not in residents:
                self.own_address(other)
        lead = residents[0] if residents else children[0]
        self.plan.households.append(
            PlannedHousehold(name=f"{lead.surname} family", members=members, relationships=rels)
        )
        self.plan.relationships.extend(rels)

    def addresses(
        self, residents: list[PlannedPerson], children: list[PlannedPerson], move_in: dt.date
    ) -> None:
        rng = self.rng
        postcode, town = self.place.postcode(rng)
        line_1, line_2 = self.place.street(rng, self.names.surnames)
        previous: tuple[str, str, str, str, dt.date] | None = None
        if rng.random() < 0.3:
            old_postcode, old_town = self.place.postcode(rng)
            old_1, old_2 = self.place.street(rng, self.names.surnames)
            previous = (old_1, old_2, old_town, old_postcode, move_in - dt.timedelta(days=1))
        for p in [*residents, *children]:
            if p.dob is None:
                continue
            start = max(move_in, p.dob)
            p.addresses.append((AddressKind.HOME, line_1, line_2, town, postcode, start, None))
            if previous is not None and p.dob < move_in:
                old_start = max(p.dob, move_in - dt.timedelta(days=rng.randint(300, 2500)))
                end = previous[4]
                if old_start <= end:
                    p.addresses.append(
                        (
                            AddressKind.HOME,
                            previous[0],
                            previous[1],
                            previous[2],
                            previous[3],
                            old_start,
                            end,
                        )
                    )

    def own_address(self, p: PlannedPerson) -> None:
        rng = self.rng
        assert p.dob is not None
        postcode, town = self.place.postcode(rng)
        line_1, line_2 = self.place.street(rng, self.names.surnames)
        start = max(p.dob, self.ref - dt.timedelta(days=rng.randint(60, 3000)))
        p.addresses.append((AddressKind.HOME, line_1, line_2, town, postcode, start, None))

    def uasc(self) -> None:
        """An unaccompanied asylum-seeking child: no family here, a temporary address."""
        rng = self.rng
        age_now = rng.uniform(14.5, 17.9) + rng.uniform(0, self.window_days) / 365.25
        dob = self.ref - dt.timedelta(days=round(age_now * 365.25))
        p = self.person(
            sex=Sex.MALE if rng.random() < 0.95 else Sex.FEMALE,
            dob=dob,
            heritage="uasc",
            ethnicity=rng.choice([Ethnicity.AOTH, Ethnicity.BAFR, Ethnicity.OOTH]),
            child=True,
        )
        p.is_uasc = True
        p.immigration_status = ImmigrationStatus.ASYLUM_SEEKER
        p.upn, p.former_upn = "", ""
        p.upn_unknown = UpnUnknown.UN3
        if rng.random() < 0.4:
            p.nhs_number = ""  # not yet registered with a GP
        postcode, town = self.place.postcode(rng)
        start = max(dob, self.ref - dt.timedelta(days=rng.randint(20, self.window_days)))
        p.addresses.append(
            (
                AddressKind.TEMPORARY,
                f"{rng.randint(1, 30)} Station Road",
                "Supported lodgings",
                town,
                postcode,
                start,
                None,
            )
        )

    def restrict(self) -> None:
        rng = self.rng
        children = [p for p in self.plan.persons if p.is_child and p.dob is not None]
        count = min(len(children), max(2, round(len(children) * RESTRICTED_SHARE)))
        chosen = rng_sample(rng, children, count)
        reasons = [
            "A close relative of the child works in children's services at the council.",
            "The child's parent is a member of council staff: access limited to named staff.",
            "High-profile case with press interest: restricted on the head of service's advice.",
            "The family is at risk from a person who may seek their address: address protected.",
        ]
        for p in chosen:
            p.is_restricted = True
            p.restriction_reason = rng.choice(reasons)


def rng_sample(rng: random.Random, items: Sequence[Any] | range, k: int) -> list[Any]:
    return rng.sample(list(items), min(k, len(items)))


def plan_people(ctx: GenerationContext, la_code: str, council_name: str) -> PeoplePlan:
    rng = ctx.rng
    planner = _PeoplePlanner(ctx, la_code, council_place(council_name, rng))
    window_days = (ctx.reference_date - ctx.history_start).days
    households = known_households(ctx.children, ctx.years, window_days)
    for _ in ctx.progress(range(households), desc="Planning families", unit="families"):
        planner.household()
    for _ in range(round(ctx.expected(UASC_PER_10K_PER_YEAR) * ctx.years)):
        planner.uasc()
    if ctx.staff_by_role.get(RoleCode.TEAM_MANAGER):
        planner.restrict()
    return planner.plan


# --- the step ------------------------------------------------------------------------------------


@register_step("people", order=100)
def generate_people(ctx: GenerationContext) -> None:
    assert ctx.council is not None, "the council step runs first"
    plan = plan_people(ctx, ctx.council.la_code, ctx.council.name)
    la_code = ctx.council.la_code or "H"

    start = (
        IdentifierSequence.objects.filter(name="child_id")
        .values_list("last_value", flat=True)
        .first()
        or 0
    )
    persons = FastRows(ctx, Person)
    names = FastRows(ctx, PersonName)
    disabilities = FastRows(ctx, PersonDisability)
    addresses = FastRows(ctx, Address)
    sequence = start
    for p in plan.persons:
        sequence += 1
        p.pk = persons.add(
            child_id=f"{la_code}{sequence:08d}",
            forename=p.forename,
            surname=p.surname,
            date_of_birth=p.dob,
            expected_date_of_birth=p.edd,
            sex=p.sex,
            gender_identity=p.gender_identity,
            ethnicity=p.ethnicity,
            first_language=p.first_language,
            religion=p.religion,
            nationality=p.nationality,
            nhs_number=p.nhs_number,
            upn=p.upn,
            former_upn=p.former_upn,
            upn_unknown=p.upn_unknown,
            immigration_status=p.immigration_status,
            is_uasc=p.is_uasc,
            is_restricted=p.is_restricted,
            restriction_reason=p.restriction_reason,
        )
        names.add(
            person_id=p.pk,
            kind=NameKind.LEGAL,
            forename=p.forename,
            surname=p.surname,
            forename_key=name_key(p.forename),
            surname_key=name_key(p.surname),
        )
        for kind, forename, surname, since, until in p.other_names:
            names.add(
                person_id=p.pk,
                kind=kind,
                forename=forename,
                surname=surname,
                forename_key=name_key(forename),
                surname_key=name_key(surname),
                from_date=since,
                to_date=until,
            )
        for code in p.disabilities:
            disabilities.add(person_id=p.pk, code=code)
        for kind, line_1, line_2, town, postcode, since, until in p.addresses:
            addresses.add(
                person_id=p.pk,
                kind=kind,
                line_1=line_1,
                line_2=line_2,
                town=town,
                postcode=postcode,
                start_date=since,
                end_date=until,
            )
    persons.write()
    set_sequence("child_id", sequence)
    names.write()
    disabilities.write()
    addresses.write()

    # Relationships in reciprocal pairs: each row names the other as its inverse.
    relationships = FastRows(ctx, Relationship)
    for r in plan.relationships:
        forward = relationships.add(
            from_person_id=r.from_person.pk,
            to_person_id=r.to_person.pk,
            kind=r.kind,
            parental_responsibility=r.parental_responsibility,
            lives_with=r.lives_with,
            start_date=r.start,
            end_date=r.end,
        )
        backward = relationships.add(
            from_person_id=r.to_person.pk,
            to_person_id=r.from_person.pk,
            kind=RECIPROCAL[r.kind],
            lives_with=r.lives_with,
            start_date=r.start,
            end_date=r.end,
            inverse_id=forward,
        )
        relationships.set(forward, inverse_id=backward)
    relationships.write()

    families = FastRows(ctx, FamilyGroup)
    memberships = FastRows(ctx, FamilyMembership)
    for h in plan.households:
        family = families.add(name=h.name)
        for person, since, until in h.members:
            memberships.add(family_id=family, person_id=person.pk, start_date=since, end_date=until)
    families.write()
    memberships.write()

    # Restricted records: a team manager is named, granted by their own manager where known.
    managers = ctx.staff_by_role.get(RoleCode.TEAM_MANAGER, [])
    access = FastRows(ctx, RestrictedAccess)
    for p in plan.persons:
        if p.is_restricted and managers:
            manager = ctx.rng.choice(managers)
            access.add(person_id=p.pk, user_id=manager.pk, granted_by_id=manager.line_manager_id)
    access.write()

    children = [p for p in plan.persons if p.is_child]
    ctx.summary.update(
        people=len(plan.persons),
        children_known=len(children),
        families=len(plan.households),
    )
