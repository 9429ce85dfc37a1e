"""Scenario parameters for the synthetic council: one row per scenario.

Rates are per 10,000 children aged 0-17 (docs: domain.md §2). `typical` is the England average for
2025; `stressed` is modelled on the 2018-19 inadequate county in domain.md §2.6 (high vacancy and
agency use, too few social workers, caseloads of 25-35); `improving` sits between the two;
`struggling` is the same county at its 2019-20 monitoring visits: about 90 children unallocated
(86 in a county of about 170,000 children, so 5.3 per 10,000 here), some for weeks, an average
caseload of 26 with some workers above 35, about 40% agency, supervision often overdue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    # Demand (per 10,000 children). Later steps (children, referrals, placements...) read these too.
    cin_per_10k: (
        float  # children in need at the reference date, including CP and CLA (330 nationally)
    )
    cp_per_10k: float  # children on a child protection plan at the reference date (41)
    cla_per_10k: float  # children looked after at the reference date (67)
    # Care leavers the council supports (aged 18-21, some to 25). About 30 per 10,000 is our own
    # estimate from the national care-leaver cohorts, not a published rate.
    care_leavers_per_10k: float
    # Workforce.
    caseload: float  # children in need per case-holding social worker FTE (15.2 nationally)
    agency_rate: float  # share of social worker FTE that is agency (13.0% nationally)
    vacancy_rate: float  # vacancies / (vacancies + employed social worker FTE) (14.2% nationally)
    asye_share: float  # newly qualified (ASYE) share of permanent social workers
    part_time_share: float  # share of staff working 0.5-0.9 FTE
    children_per_iro: int  # children in care per independent reviewing officer
    care_leavers_per_pa: int  # care leavers per personal adviser
    permanent_tenure_years: float  # mean time in post, permanent staff
    agency_tenure_months: float  # mean time in post, agency staff
    # Oversight [our estimates]: share of supervision sessions held within the council's standard.
    supervision_on_time: float = 0.85
    # Allocation: children with an open episode and no social worker at the reference date beyond
    # the day or two a new referral waits (per 10,000 children), and the longest such wait; the
    # spread of caseloads between workers (sigma of a lognormal share of the team's cases).
    unallocated_per_10k: float = 0.0
    longest_unallocated_days: int = 3
    caseload_spread: float = 0.25


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            name="typical",
            description="England averages (2025): caseload about 15, 13% agency, 14% vacancies",
            cin_per_10k=330,
            cp_per_10k=41,
            cla_per_10k=67,
            care_leavers_per_10k=30,
            caseload=15.0,
            agency_rate=0.13,
            vacancy_rate=0.14,
            asye_share=0.12,
            part_time_share=0.15,
            children_per_iro=60,
            care_leavers_per_pa=20,
            permanent_tenure_years=7.0,
            agency_tenure_months=10,
        ),
        Scenario(
            name="improving",
            description="Recovering after an inadequate judgement: caseload about 21, 20% agency",
            cin_per_10k=330,
            cp_per_10k=41,
            cla_per_10k=66,
            care_leavers_per_10k=30,
            caseload=21.0,
            agency_rate=0.20,
            vacancy_rate=0.19,
            asye_share=0.14,
            part_time_share=0.15,
            children_per_iro=70,
            care_leavers_per_pa=22,
            permanent_tenure_years=5.0,
            agency_tenure_months=8,
            supervision_on_time=0.7,
            unallocated_per_10k=1.0,
            longest_unallocated_days=14,
        ),
        Scenario(
            name="stressed",
            description=(
                "Modelled on the 2018-19 inadequate county: caseloads 25-35, 30% agency,"
                " 25% vacancies"
            ),
            cin_per_10k=330,
            cp_per_10k=41,
            cla_per_10k=65,
            care_leavers_per_10k=30,
            caseload=30.0,
            agency_rate=0.30,
            vacancy_rate=0.25,
            asye_share=0.15,
            part_time_share=0.15,
            children_per_iro=80,
            care_leavers_per_pa=25,
            permanent_tenure_years=3.5,
            agency_tenure_months=6,
            supervision_on_time=0.45,  # Ofsted: supervision irregular
            unallocated_per_10k=3.0,
            longest_unallocated_days=60,
            caseload_spread=0.35,
        ),
        Scenario(
            name="struggling",
            description=(
                "The inadequate county at its 2019-20 monitoring visits: about 90 children"
                " unallocated (at 170,000 children), caseload 26 with some above 35, 40% agency"
            ),
            cin_per_10k=330,
            cp_per_10k=41,
            cla_per_10k=65,
            care_leavers_per_10k=30,
            caseload=26.0,
            agency_rate=0.40,
            vacancy_rate=0.30,
            asye_share=0.15,
            part_time_share=0.15,
            children_per_iro=80,
            care_leavers_per_pa=25,
            permanent_tenure_years=3.5,
            agency_tenure_months=6,
            supervision_on_time=0.4,
            unallocated_per_10k=5.3,
            longest_unallocated_days=42,
            caseload_spread=0.3,
        ),
    )
}
DEFAULT_SCENARIO = "typical"
