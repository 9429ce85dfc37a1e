"""Golden due dates, worked out by hand on a calendar and checked through `timescales due`.

Every expected date below was counted by hand (never by calling the engine or the calendar module):
the trigger day is day 0, a working day is Monday to Friday and not a bank holiday in England,
months are calendar months clamped to the month's end, hours are elapsed hours shown in London
time. The comment on each case says how it was counted. All data is synthetic.
"""

from __future__ import annotations

import io
from typing import NamedTuple

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hearth.timescales.rules import RULES_IN_ORDER

pytestmark = pytest.mark.django_db


class Golden(NamedTuple):
    rule: str
    start: str
    args: tuple[str, ...]
    expected: str
    id: str


def ev(name: str, day: str) -> tuple[str, str]:
    return ("--event", f"{name}={day}")


def attr(key: str, value: str) -> tuple[str, str]:
    return ("--attribute", f"{key}={value}")


def G(rule: str, start: str, expected: str, id: str, *args: tuple[str, str]) -> Golden:
    return Golden(rule, start, tuple(part for pair in args for part in pair), expected, id)


GOLDEN: list[Golden] = [
    # --- referral-decision: 1 working day ---------------------------------------------------
    # Friday 6 Jun 2025 + 1 WD: Sat/Sun skipped → Monday 9 Jun.
    G("referral-decision", "2025-06-06", "2025-06-09", "referral-decision-friday"),
    # Saturday 4 Jan 2025 (weekend trigger) + 1 WD → Monday 6 Jan.
    G("referral-decision", "2025-01-04", "2025-01-06", "referral-decision-saturday"),
    # Good Friday 18 Apr 2025 (bank holiday trigger); Easter Monday 21 Apr skipped → Tue 22 Apr.
    G("referral-decision", "2025-04-18", "2025-04-22", "referral-decision-good-friday"),
    # Thu 24 Dec 2020: Fri 25 Christmas, weekend, Mon 28 Boxing Day substitute → Tue 29 Dec.
    G("referral-decision", "2020-12-24", "2020-12-29", "referral-decision-boxing-sub-2020"),
    # Thu 7 May 2020: Fri 8 May (early May holiday moved for VE Day) skipped → Mon 11 May.
    G("referral-decision", "2020-05-07", "2020-05-11", "referral-decision-ve-day-2020"),
    # Sun 1 Jan 2023: Mon 2 Jan (New Year's Day substitute) skipped → Tue 3 Jan.
    G("referral-decision", "2023-01-01", "2023-01-03", "referral-decision-new-year-sub-2023"),
    # --- contact-red / amber / green: 0, 1 and 3 working days (local defaults) ---------------
    # Red is the same day, whatever day the contact arrives.
    G("contact-red", "2025-06-06", "2025-06-06", "contact-red-friday"),
    G("contact-red", "2025-12-25", "2025-12-25", "contact-red-christmas-day"),
    # Thu 17 Apr 2025: Good Friday 18, weekend, Easter Monday 21 → Tue 22 Apr.
    G("contact-amber", "2025-04-17", "2025-04-22", "contact-amber-easter"),
    G("contact-amber", "2025-06-06", "2025-06-09", "contact-amber-friday"),
    # Fri 2 May 2025: weekend, Mon 5 May bank holiday; Tue 6 (1), Wed 7 (2), Thu 8 (3).
    G("contact-green", "2025-05-02", "2025-05-08", "contact-green-early-may"),
    # Wed 1 Jun 2022: Thu 2 and Fri 3 Jun holidays (Jubilee), weekend; Mon 6, Tue 7, Wed 8.
    G("contact-green", "2022-06-01", "2022-06-08", "contact-green-jubilee-2022"),
    # --- strategy-discussion: 1 working day (local default) ---------------------------------
    # Fri 24 Dec 2021: weekend, Mon 27 (Christmas sub), Tue 28 (Boxing Day sub) → Wed 29 Dec.
    G("strategy-discussion", "2021-12-24", "2021-12-29", "strategy-christmas-subs-2021"),
    # Fri 31 Dec 2021: weekend, Mon 3 Jan 2022 (New Year's Day sub) skipped → Tue 4 Jan.
    G("strategy-discussion", "2021-12-31", "2022-01-04", "strategy-new-year-sub-2022"),
    # Wed 1 Jun 2022: Thu 2 Jun (spring holiday moved), Fri 3 Jun (Jubilee), weekend → Mon 6 Jun.
    G("strategy-discussion", "2022-06-01", "2022-06-06", "strategy-jubilee-2022"),
    # Fri 16 Sep 2022: weekend, Mon 19 Sep (State Funeral) skipped → Tue 20 Sep.
    G("strategy-discussion", "2022-09-16", "2022-09-20", "strategy-state-funeral-2022"),
    # --- assessment: 45 working days --------------------------------------------------------
    # Mon 6 Jan 2025: no holidays to March, 45 WD = 9 whole weeks → Mon 10 Mar.
    G("assessment", "2025-01-06", "2025-03-10", "assessment-plain"),
    # Thu 1 Dec 2022: 9 weeks → Thu 2 Feb 2023, plus 3 for Mon 26 Dec (Boxing Day),
    # Tue 27 Dec (Christmas sub) and Mon 2 Jan (New Year sub) → Tue 7 Feb 2023.
    G("assessment", "2022-12-01", "2023-02-07", "assessment-christmas-2022"),
    # Mon 3 Apr 2023: 9 weeks → Mon 5 Jun, plus 5 for Good Friday 7 Apr, Easter Monday 10 Apr,
    # 1 May, 8 May (Coronation) and 29 May → Mon 12 Jun 2023.
    G("assessment", "2023-04-03", "2023-06-12", "assessment-coronation-2023"),
    # Met early by the assessment: a non-repeating clock still shows its due date.
    G(
        "assessment",
        "2025-01-06",
        "2025-03-10",
        "assessment-met-keeps-due-date",
        ev("assessment-completed", "2025-02-14"),
    ),
    # --- icpc: 15 working days from the strategy discussion ---------------------------------
    # Tue 15 Apr 2025: Good Friday 18, Easter Monday 21 Apr and 5 May skipped → Fri 9 May.
    G("icpc", "2025-04-15", "2025-05-09", "icpc-easter-2025"),
    # Thu 19 May 2022: 20,23-27,30,31 May, 1 Jun (9); Thu 2 (spring holiday moved) and Fri 3 Jun
    # (Jubilee) skipped; 6-10 Jun (14), Mon 13 Jun (15). Mon 30 May was a working day.
    G("icpc", "2022-05-19", "2022-06-13", "icpc-jubilee-2022"),
    # Tue 13 Dec 2022: 14-16, 19-23 Dec (8); Mon 26 (Boxing Day) and Tue 27 (Christmas sub)
    # skipped; 28-30 Dec (11); Mon 2 Jan (New Year sub) skipped; 3-6 Jan (15) → Fri 6 Jan 2023.
    G("icpc", "2022-12-13", "2023-01-06", "icpc-christmas-sub-2022"),
    # --- core-group-first: 10 working days from the ICPC ------------------------------------
    # Fri 18 Dec 2020: 21-24 Dec (4); Fri 25 and Mon 28 (Boxing Day sub) skipped; 29-31 Dec (7);
    # Fri 1 Jan skipped; 4-6 Jan (10) → Wed 6 Jan 2021.
    G("core-group-first", "2020-12-18", "2021-01-06", "core-group-first-christmas-2020"),
    # Mon 12 Sep 2022: 13-16 (4); Mon 19 (State Funeral) skipped; 20-23 (8), 26, 27 → Tue 27 Sep.
    G("core-group-first", "2022-09-12", "2022-09-27", "core-group-first-state-funeral"),
    # Wed 27 Mar 2024: Thu 28 (1); Good Friday 29 Mar and Easter Monday 1 Apr skipped;
    # 2-5 Apr (5); 8-12 Apr (10) → Fri 12 Apr 2024.
    G("core-group-first", "2024-03-27", "2024-04-12", "core-group-first-easter-2024"),
    # --- core-group: every 6 weeks after the first core group (local default) ---------------
    # Wed 8 Jan 2025 + 42 days → Wed 19 Feb 2025.
    G("core-group", "2025-01-08", "2025-02-19", "core-group-first-interval"),
    # Meetings 12 Feb and Thu 20 Mar 2025 move the clock on: 20 Mar + 42 days → Thu 1 May.
    G(
        "core-group",
        "2025-01-08",
        "2025-05-01",
        "core-group-moved-on",
        ev("core-group", "2025-02-12"),
        ev("core-group", "2025-03-20"),
    ),
    # --- rcpc-first: 3 months from the ICPC ------------------------------------------------
    # 30 Nov 2023 + 3 months: no 30 Feb, clamped to 29 Feb 2024 (leap year).
    G("rcpc-first", "2023-11-30", "2024-02-29", "rcpc-first-clamp-leap"),
    # 30 Nov 2022 + 3 months: clamped to 28 Feb 2023.
    G("rcpc-first", "2022-11-30", "2023-02-28", "rcpc-first-clamp-common"),
    # --- rcpc-next: every 6 months after the first review conference -----------------------
    # 31 Aug 2023 + 6 months: clamped to 29 Feb 2024 (leap year).
    G("rcpc-next", "2023-08-31", "2024-02-29", "rcpc-next-clamp-leap"),
    # 31 Aug 2022 + 6 months: clamped to 28 Feb 2023.
    G("rcpc-next", "2022-08-31", "2023-02-28", "rcpc-next-clamp-common"),
    # Next conference 20 Feb 2024 moves the clock on: + 6 months → 20 Aug 2024.
    G("rcpc-next", "2023-08-31", "2024-08-20", "rcpc-next-moved-on", ev("rcpc", "2024-02-20")),
    # --- cp-visit: every 10 working days (local default) ------------------------------------
    # Mon 24 Apr 2023: 25-28 Apr (4); 1 May skipped; 2-5 May (8); Mon 8 May (Coronation)
    # skipped; 9, 10 May (10) → Wed 10 May 2023.
    G("cp-visit", "2023-04-24", "2023-05-10", "cp-visit-coronation"),
    # Plan from Mon 3 Apr 2023, visit Fri 14 Apr: from 14 Apr, 17-21 (5), 24-28 (10) → 28 Apr.
    G("cp-visit", "2023-04-03", "2023-04-28", "cp-visit-moved-on", ev("cp-visit", "2023-04-14")),
    # --- cin-review: every 3 months (local default) -----------------------------------------
    # 30 Nov 2023 + 3 months: clamped to 29 Feb 2024.
    G("cin-review", "2023-11-30", "2024-02-29", "cin-review-clamp-leap"),
    # Review 10 Apr 2025 moves the clock on: + 3 months → 10 Jul 2025.
    G(
        "cin-review",
        "2025-01-15",
        "2025-07-10",
        "cin-review-moved-on",
        ev("cin-review", "2025-04-10"),
    ),
    # --- cin-visit: every 20 working days (local default) -----------------------------------
    # Mon 2 Dec 2024: 3-6 (4), 9-13 (9), 16-20 (14), 23, 24 (16); 25, 26 Dec skipped; 27 (17);
    # 30, 31 (19); 1 Jan skipped; Thu 2 Jan 2025 (20).
    G("cin-visit", "2024-12-02", "2025-01-02", "cin-visit-christmas-2024"),
    # Visit Fri 10 Dec 2021: 13-17 (5), 20-24 (10); Mon 27 and Tue 28 (Christmas and Boxing Day
    # subs) skipped; 29-31 (13); Mon 3 Jan 2022 (New Year sub) skipped; 4-7 (17); 10-12 (20).
    G(
        "cin-visit",
        "2021-12-01",
        "2022-01-12",
        "cin-visit-moved-on-christmas-2021",
        ev("cin-visit", "2021-12-10"),
    ),
    # --- care-plan: 10 working days from the first placement --------------------------------
    # Fri 11 Apr 2025: 14-17 (4); Good Friday 18, Easter Monday 21 skipped; 22-25 (8); 28, 29.
    G("care-plan", "2025-04-11", "2025-04-29", "care-plan-easter-2025"),
    # Sat 20 Dec 2025 (weekend trigger): 22-24 (3); Thu 25, Fri 26 skipped; 29-31 (6);
    # Thu 1 Jan 2026 skipped; Fri 2 (7); 5, 6, 7 Jan (10) → Wed 7 Jan 2026.
    G("care-plan", "2025-12-20", "2026-01-07", "care-plan-weekend-christmas-2025"),
    # --- placement-plan: 5 working days -----------------------------------------------------
    # Christmas Day Fri 25 Dec 2020 (bank holiday trigger): Mon 28 (Boxing Day sub) skipped;
    # 29-31 (3); Fri 1 Jan skipped; Mon 4 (4), Tue 5 Jan 2021 (5).
    G("placement-plan", "2020-12-25", "2021-01-05", "placement-plan-christmas-day-2020"),
    # Wed 27 Dec 2023: 28, 29 (2); Mon 1 Jan 2024 skipped; 2, 3, 4 Jan (5) → Thu 4 Jan.
    G("placement-plan", "2023-12-27", "2024-01-04", "placement-plan-new-year-2024"),
    # --- cla-review-first: 20 working days from becoming looked after -----------------------
    # Tue 17 May 2022: 18-20 (3), 23-27 (8), 30, 31 (10), 1 Jun (11); 2 and 3 Jun skipped;
    # 6-10 (16), 13-16 (20) → Thu 16 Jun 2022.
    G("cla-review-first", "2022-05-17", "2022-06-16", "cla-review-first-jubilee"),
    # Fri 17 Apr 2020: 20-24 (5), 27-30 (9), 1 May (10), Mon 4 May (a working day in 2020) to
    # Thu 7 (14); Fri 8 May (VE Day) skipped; 11-15 (19), Mon 18 May (20).
    G("cla-review-first", "2020-04-17", "2020-05-18", "cla-review-first-ve-day"),
    # --- cla-review-second: 3 months after the first review ---------------------------------
    # 30 Nov 2024 + 3 months: clamped to 28 Feb 2025.
    G("cla-review-second", "2024-11-30", "2025-02-28", "cla-review-second-clamp"),
    # 15 Jul 2025 + 3 months → 15 Oct 2025.
    G("cla-review-second", "2025-07-15", "2025-10-15", "cla-review-second-plain"),
    # --- cla-review-next: every 6 months after the second review ----------------------------
    # 31 Aug 2023 + 6 months: clamped to 29 Feb 2024 (leap year).
    G("cla-review-next", "2023-08-31", "2024-02-29", "cla-review-next-clamp-leap"),
    # 31 Aug 2022 + 6 months: clamped to 28 Feb 2023.
    G("cla-review-next", "2022-08-31", "2023-02-28", "cla-review-next-clamp-common"),
    # Review held 29 Feb 2024 moves the clock on: + 6 months → 29 Aug 2024.
    G(
        "cla-review-next",
        "2023-08-31",
        "2024-08-29",
        "cla-review-next-moved-on-leap-day",
        ev("cla-review", "2024-02-29"),
    ),
    # --- cla-visit-first-week: 7 calendar days ----------------------------------------------
    # Fri 3 Jan 2025 + 7 days → Fri 10 Jan.
    G("cla-visit-first-week", "2025-01-03", "2025-01-10", "cla-visit-first-week-plain"),
    # Christmas Day 2025 + 7 calendar days (bank holidays count) → Thu 1 Jan 2026.
    G("cla-visit-first-week", "2025-12-25", "2026-01-01", "cla-visit-first-week-calendar-days"),
    # --- cla-visit --------------------------------------------------------------------------
    # Placement Wed 10 Jan 2024, first year: 6 weeks → Wed 21 Feb 2024.
    G("cla-visit", "2024-01-10", "2024-02-21", "cla-visit-six-weekly"),
    # Meant to last until 18; visit 20 Jan 2025 is after the first year (10 Jan 2025), so
    # 3 months → 20 Apr 2025.
    G(
        "cla-visit",
        "2024-01-10",
        "2025-04-20",
        "cla-visit-long-term-after-first-year",
        attr("long_term", "yes"),
        ev("cla-visit", "2024-02-01"),
        ev("cla-visit", "2025-01-20"),
    ),
    # Same placement, last visit Wed 8 Jan 2025 is still in the first year: 6 weeks → 19 Feb.
    G(
        "cla-visit",
        "2024-01-10",
        "2025-02-19",
        "cla-visit-long-term-first-year",
        attr("long_term", "yes"),
        ev("cla-visit", "2024-02-01"),
        ev("cla-visit", "2025-01-08"),
    ),
    # Visit on the first anniversary itself (Fri 10 Jan 2025) is no longer in the first year:
    # 3 months → 10 Apr 2025.
    G(
        "cla-visit",
        "2024-01-10",
        "2025-04-10",
        "cla-visit-long-term-on-anniversary",
        attr("long_term", "yes"),
        ev("cla-visit", "2024-02-01"),
        ev("cla-visit", "2025-01-10"),
    ),
    # Not meant to last until 18: visit Mon 20 Jan 2025 + 6 weeks → Mon 3 Mar 2025.
    G(
        "cla-visit",
        "2024-01-10",
        "2025-03-03",
        "cla-visit-not-long-term-after-first-year",
        ev("cla-visit", "2024-02-01"),
        ev("cla-visit", "2025-01-20"),
    ),
    # Long-term foster placement over a year old, child agreed 1 Feb 2025: visit 3 Feb 2025
    # + 6 months → 3 Aug 2025.
    G(
        "cla-visit",
        "2024-01-10",
        "2025-08-03",
        "cla-visit-long-term-foster-agreed",
        attr("long_term_foster", "yes"),
        ev("visit-frequency-agreed", "2025-02-01"),
        ev("cla-visit", "2025-02-03"),
    ),
    # Long-term foster placement but no agreement recorded: Mon 3 Feb 2025 + 6 weeks → 17 Mar.
    G(
        "cla-visit",
        "2024-01-10",
        "2025-03-17",
        "cla-visit-long-term-foster-not-agreed",
        attr("long_term_foster", "yes"),
        ev("cla-visit", "2025-02-03"),
    ),
    # With a parent under an interim care order, before the first review: weekly, Mon 6 Jan 2025
    # + 7 days → Mon 13 Jan.
    G(
        "cla-visit",
        "2025-01-06",
        "2025-01-13",
        "cla-visit-interim-parent-weekly",
        attr("arrangement", "interim-parent-or-connected"),
    ),
    # Same, after the first review on 3 Feb 2025: visit 5 Feb + 4 weeks → 5 Mar 2025.
    G(
        "cla-visit",
        "2025-01-06",
        "2025-03-05",
        "cla-visit-interim-parent-after-review",
        attr("arrangement", "interim-parent-or-connected"),
        ev("cla-review", "2025-02-03"),
        ev("cla-visit", "2025-02-05"),
    ),
    # --- health-assessment-initial: 20 working days -----------------------------------------
    # Mon 5 Dec 2022: 6-9 (4), 12-16 (9), 19-23 (14); Mon 26 (Boxing Day) and Tue 27 (Christmas
    # sub) skipped; 28-30 (17); Mon 2 Jan 2023 (New Year sub) skipped; 3, 4, 5 Jan (20).
    G("health-assessment-initial", "2022-12-05", "2023-01-05", "health-initial-christmas-2022"),
    # Fri 9 Sep 2022: 12-16 (5); Mon 19 (State Funeral) skipped; 20-23 (9), 26-30 (14),
    # 3-7 Oct (19), Mon 10 Oct (20).
    G("health-assessment-initial", "2022-09-09", "2022-10-10", "health-initial-state-funeral"),
    # --- health-assessment-review: 6 months under 5, 12 months from 5 ----------------------
    # Born 30 Jun 2021, aged 2 at the assessment on 15 Mar 2024: + 6 months → 15 Sep 2024.
    G(
        "health-assessment-review",
        "2024-03-15",
        "2024-09-15",
        "health-review-under-5",
        ev("birth", "2021-06-30"),
    ),
    # Born 30 Jun 2015, aged 8: + 12 months → 15 Mar 2025.
    G(
        "health-assessment-review",
        "2024-03-15",
        "2025-03-15",
        "health-review-over-5",
        ev("birth", "2015-06-30"),
    ),
    # Assessed on the 5th birthday (born 15 Mar 2019): aged 5, so 12 months → 15 Mar 2025.
    G(
        "health-assessment-review",
        "2024-03-15",
        "2025-03-15",
        "health-review-on-5th-birthday",
        ev("birth", "2019-03-15"),
    ),
    # Born 1 Apr 2019: 4 at the first assessment (15 Mar 2024, 6 months → 15 Sep 2024), 5 at the
    # next on 10 Sep 2024, so 12 months → 10 Sep 2025.
    G(
        "health-assessment-review",
        "2024-03-15",
        "2025-09-10",
        "health-review-turned-5",
        ev("birth", "2019-04-01"),
        ev("health-assessment", "2024-09-10"),
    ),
    # Leap-day assessment 29 Feb 2024, aged 12: + 12 months → 28 Feb 2025 (no 29 Feb in 2025).
    G(
        "health-assessment-review",
        "2024-02-29",
        "2025-02-28",
        "health-review-leap-day",
        ev("birth", "2012-01-01"),
    ),
    # --- pep-initial: 10 working days -------------------------------------------------------
    # Mon 14 Apr 2025: 15-17 (3); Good Friday and Easter Monday skipped; 22-25 (7); 28-30 (10).
    G("pep-initial", "2025-04-14", "2025-04-30", "pep-initial-easter-2025"),
    # Fri 26 May 2023: Mon 29 May skipped; 30, 31 May (2), 1, 2 Jun (4), 5-9 (9), Mon 12 Jun.
    G("pep-initial", "2023-05-26", "2023-06-12", "pep-initial-spring-bank-holiday"),
    # --- pep-review: by the end of the term after the last PEP's ----------------------------
    # PEP 15 Oct 2024 is in the autumn term; next term is spring 2025 → 31 Mar 2025.
    G("pep-review", "2024-10-15", "2025-03-31", "pep-review-autumn"),
    # PEP 10 Feb 2025 (spring) → end of summer term (Apr-Aug) → 31 Aug 2025.
    G("pep-review", "2025-02-10", "2025-08-31", "pep-review-spring"),
    # PEP 10 May 2025 (summer) → end of autumn term → 31 Dec 2025.
    G("pep-review", "2025-05-10", "2025-12-31", "pep-review-summer"),
    # PEP 31 Aug 2025, the last day of the summer term → end of autumn, 31 Dec 2025.
    G("pep-review", "2025-08-31", "2025-12-31", "pep-review-last-day-of-summer"),
    # PEP 1 Sep 2025, the first day of the autumn term → end of spring, 31 Mar 2026.
    G("pep-review", "2025-09-01", "2026-03-31", "pep-review-first-day-of-autumn"),
    # PEPs 20 Mar 2025 (spring) and 1 Jun 2025 (summer) move it on → end of autumn, 31 Dec 2025.
    G(
        "pep-review",
        "2024-10-15",
        "2025-12-31",
        "pep-review-moved-on",
        ev("pep", "2025-03-20"),
        ev("pep", "2025-06-01"),
    ),
    # --- permanence-plan: 20 working days then 3 months, or the 2nd review if earlier -------
    # Mon 6 Jan 2025 + 20 WD (4 whole weeks, no holidays) = Mon 3 Feb; + 3 months → 3 May 2025.
    G("permanence-plan", "2025-01-06", "2025-05-03", "permanence-plain"),
    # Tue 1 Apr 2025 + 20 WD: 2-4 (3), 7-11 (8), 14-17 (12); 18 and 21 Apr skipped; 22-25 (16),
    # 28-30 (19), Thu 1 May (20); + 3 months → 1 Aug 2025.
    G("permanence-plan", "2025-04-01", "2025-08-01", "permanence-easter"),
    # Fri 1 Nov 2024 + 20 WD = Fri 29 Nov; + 3 months clamped → 28 Feb 2025.
    G("permanence-plan", "2024-11-01", "2025-02-28", "permanence-clamped"),
    # Second review 28 Apr 2025 is before 3 May 2025, so due on 28 Apr.
    G(
        "permanence-plan",
        "2025-01-06",
        "2025-04-28",
        "permanence-second-review-earlier",
        ev("cla-review", "2025-01-30"),
        ev("cla-review", "2025-04-28"),
    ),
    # Second review 20 May 2025 is after 3 May 2025: 3 May stands.
    G(
        "permanence-plan",
        "2025-01-06",
        "2025-05-03",
        "permanence-second-review-later",
        ev("cla-review", "2025-01-30"),
        ev("cla-review", "2025-05-20"),
    ),
    # --- rhi: 72 elapsed hours, shown in London time ----------------------------------------
    # Sat 29 Mar 2025 14:00 GMT (= 14:00 UTC) + 72 h = Tue 1 Apr 14:00 UTC; clocks went forward
    # on Sun 30 Mar, so that is 15:00 BST.
    G("rhi", "2025-03-29T14:00", "2025-04-01T15:00+01:00", "rhi-clocks-forward-2025"),
    # The same instant given with its offset.
    G("rhi", "2025-03-29T14:00+00:00", "2025-04-01T15:00+01:00", "rhi-explicit-offset"),
    # Sat 25 Oct 2025 10:00 BST (= 09:00 UTC) + 72 h = Tue 28 Oct 09:00 UTC; clocks went back on
    # Sun 26 Oct, so that is 09:00 GMT.
    G("rhi", "2025-10-25T10:00", "2025-10-28T09:00+00:00", "rhi-clocks-back-2025"),
    # Sat 26 Oct 2024 23:30 BST (= 22:30 UTC) + 72 h = Tue 29 Oct 22:30 UTC = 22:30 GMT
    # (clocks went back Sun 27 Oct 2024).
    G("rhi", "2024-10-26T23:30+01:00", "2024-10-29T22:30+00:00", "rhi-clocks-back-2024"),
    # Sat 30 Mar 2024 23:00 GMT + 72 h = Tue 2 Apr 23:00 UTC = Wed 3 Apr 00:00 BST (clocks went
    # forward Sun 31 Mar 2024): the due date is the next calendar day in London.
    G("rhi", "2024-03-30T23:00", "2024-04-03T00:00+01:00", "rhi-clocks-forward-midnight"),
    # Tue 10 Jun 2025 09:30 BST + 72 h, no clock change → Fri 13 Jun 09:30 BST.
    G("rhi", "2025-06-10T09:30", "2025-06-13T09:30+01:00", "rhi-summer"),
    # --- risk-assessment-review: every 3 months (local default) -----------------------------
    # 30 Nov 2023 + 3 months: clamped to 29 Feb 2024.
    G("risk-assessment-review", "2023-11-30", "2024-02-29", "risk-review-clamp-leap"),
    # Reassessed 2 Apr 2025: + 3 months → 2 Jul 2025.
    G(
        "risk-assessment-review",
        "2025-01-15",
        "2025-07-02",
        "risk-review-moved-on",
        ev("risk-assessment", "2025-04-02"),
    ),
    # --- pathway-needs-assessment: 3 months from eligibility --------------------------------
    # 16th birthday 31 May 2025 + 3 months → 31 Aug 2025.
    G("pathway-needs-assessment", "2025-05-31", "2025-08-31", "pathway-needs-plain"),
    # 30 Nov 2022 + 3 months: clamped to 28 Feb 2023.
    G("pathway-needs-assessment", "2022-11-30", "2023-02-28", "pathway-needs-clamp"),
    # Leap-day start 29 Feb 2024 + 3 months → 29 May 2024.
    G("pathway-needs-assessment", "2024-02-29", "2024-05-29", "pathway-needs-leap-day"),
    # --- pathway-plan-review: every 6 months ------------------------------------------------
    # 31 Aug 2023 + 6 months: clamped to 29 Feb 2024.
    G("pathway-plan-review", "2023-08-31", "2024-02-29", "pathway-review-clamp-leap"),
    # Review 20 Aug 2025 moves the clock on: + 6 months → 20 Feb 2026.
    G(
        "pathway-plan-review",
        "2025-03-10",
        "2026-02-20",
        "pathway-review-moved-on",
        ev("pathway-plan-review", "2025-08-20"),
    ),
    # --- pa-contact: every 8 weeks ----------------------------------------------------------
    # Mon 3 Feb 2025 + 56 days → Mon 31 Mar 2025.
    G("pa-contact", "2025-02-03", "2025-03-31", "pa-contact-plain"),
    # Contacts 14 Mar and Thu 1 May 2025: 1 May + 56 days → Thu 26 Jun 2025.
    G(
        "pa-contact",
        "2025-02-03",
        "2025-06-26",
        "pa-contact-moved-on",
        ev("pa-contact", "2025-03-14"),
        ev("pa-contact", "2025-05-01"),
    ),
    # --- police-protection: 72 elapsed hours ------------------------------------------------
    # Tue 10 Jun 2025 09:30 BST + 72 h, no clock change → Fri 13 Jun 09:30 BST.
    G(
        "police-protection",
        "2025-06-10T09:30",
        "2025-06-13T09:30+01:00",
        "police-protection-summer",
    ),
    # Sat 29 Mar 2025 14:00 GMT + 72 h = Tue 1 Apr 14:00 UTC = 15:00 BST (clocks went forward
    # Sun 30 Mar 2025).
    G(
        "police-protection",
        "2025-03-29T14:00",
        "2025-04-01T15:00+01:00",
        "police-protection-clocks-forward",
    ),
    # --- epo: 8 days, + 7 days for its one extension ----------------------------------------
    # Order made Mon 6 Jan 2025 at 16:00: + 8 days → Tue 14 Jan 2025.
    G("epo", "2025-01-06T16:00", "2025-01-14", "epo-plain"),
    # Extended on Mon 13 Jan: 14 Jan + 7 days → Tue 21 Jan 2025.
    G("epo", "2025-01-06T16:00", "2025-01-21", "epo-extended", ev("epo-extended", "2025-01-13")),
    # An extension recorded after the order ended (Sun 12 Jan) does not move the date: 14 Jan.
    G(
        "epo",
        "2025-01-06",
        "2025-01-14",
        "epo-extension-after-the-end",
        ev("epo-end", "2025-01-12"),
        ev("epo-extended", "2025-01-13"),
    ),
    # --- proceedings: 26 weeks, + 8 weeks per extension -------------------------------------
    # Mon 8 Jan 2024 + 182 days → Mon 8 Jul 2024.
    G("proceedings", "2024-01-08", "2024-07-08", "proceedings-plain"),
    # Extended once: 8 Jul + 56 days → Mon 2 Sep 2024.
    G(
        "proceedings",
        "2024-01-08",
        "2024-09-02",
        "proceedings-extended-once",
        ev("proceedings-extended", "2024-06-20"),
    ),
    # Extended twice: 2 Sep + 56 days → Mon 28 Oct 2024.
    G(
        "proceedings",
        "2024-01-08",
        "2024-10-28",
        "proceedings-extended-twice",
        ev("proceedings-extended", "2024-06-20"),
        ev("proceedings-extended", "2024-08-22"),
    ),
    # An extension recorded after the final order (1 Jul 2024) does not move the date: 8 Jul.
    G(
        "proceedings",
        "2024-01-08",
        "2024-07-08",
        "proceedings-extension-after-final-order",
        ev("proceedings-concluded", "2024-07-01"),
        ev("proceedings-extended", "2024-08-01"),
    ),
    # --- supervision: 2 weeks in the ASYE, 4 weeks otherwise (local defaults) ---------------
    # Joined Mon 6 Jan 2025 starting the ASYE: + 14 days → Mon 20 Jan.
    G(
        "supervision",
        "2025-01-06",
        "2025-01-20",
        "supervision-newly-qualified",
        ev("asye-start", "2025-01-06"),
    ),
    # Experienced worker joined Mon 6 Jan 2025: + 28 days → Mon 3 Feb.
    G("supervision", "2025-01-06", "2025-02-03", "supervision-experienced"),
    # In the ASYE, supervised Fri 17 Jan 2025: + 14 days → Fri 31 Jan.
    G(
        "supervision",
        "2025-01-06",
        "2025-01-31",
        "supervision-newly-qualified-moved-on",
        ev("asye-start", "2025-01-06"),
        ev("supervision", "2025-01-17"),
    ),
    # ASYE ended 1 Mar 2025; supervised Mon 3 Mar: + 28 days → Mon 31 Mar.
    G(
        "supervision",
        "2025-01-06",
        "2025-03-31",
        "supervision-after-asye",
        ev("asye-start", "2025-01-06"),
        ev("asye-end", "2025-03-01"),
        ev("supervision", "2025-03-03"),
    ),
    # Long leave 13 Jan to 10 Feb 2025 (28 days) pauses the clock: 3 Feb + 28 days → 3 Mar.
    G(
        "supervision",
        "2025-01-06",
        "2025-03-03",
        "supervision-paused-by-leave",
        ev("leave-start", "2025-01-13"),
        ev("leave-end", "2025-02-10"),
    ),
    # --- escalation-response: 5 working days (local default) --------------------------------
    # Thu 1 May 2025: Fri 2 (1); Mon 5 May skipped; 6-9 May (5) → Fri 9 May.
    G("escalation-response", "2025-05-01", "2025-05-09", "escalation-early-may-2025"),
    # Tue 2 May 2023: 3-5 (3); Mon 8 May (Coronation) skipped; 9, 10 (5) → Wed 10 May.
    G("escalation-response", "2023-05-02", "2023-05-10", "escalation-coronation"),
    # Fri 22 Dec 2023: 25, 26 Dec skipped; 27-29 (3); Mon 1 Jan skipped; 2, 3 Jan (5).
    G("escalation-response", "2023-12-22", "2024-01-03", "escalation-christmas-2023"),
    # Wed 6 May 2020: Thu 7 (1); Fri 8 May (VE Day) skipped; 11-14 May (5) → Thu 14 May.
    G("escalation-response", "2020-05-06", "2020-05-14", "escalation-ve-day"),
]


def run_due(rule: str, start: str, *args: str) -> list[str]:
    out = io.StringIO()
    call_command("timescales", "due", rule, start, *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("case", GOLDEN, ids=[case.id for case in GOLDEN])
def test_golden_due_date(case: Golden) -> None:
    lines = run_due(case.rule, case.start, *case.args)
    assert lines[0] == case.expected, lines[1:2]


def test_golden_table_covers_every_rule_twice() -> None:
    counts = {rule.code: 0 for rule in RULES_IN_ORDER}
    for case in GOLDEN:
        counts[case.rule] += 1
    assert len(counts) >= 31  # the 31 codes of the issue, and the contact response times
    assert {code: n for code, n in counts.items() if n < 2} == {}
    assert len({case.id for case in GOLDEN}) == len(GOLDEN)


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        (
            "icpc",
            "2025-04-15",
            "ICPC due 9 May 2025: 15 working days after the strategy discussion on "
            "15 April 2025; Good Friday, Easter Monday and 5 May skipped.",
        ),
        (
            # The weekend days 25 and 26 Dec 2021 are not listed: only the substitutes were
            # skipped working days.
            "strategy-discussion",
            "2021-12-24",
            "Strategy discussion due 29 December 2021: 1 working day after the concern of "
            "significant harm on 24 December 2021; 27 December (substitute for Christmas Day) "
            "and 28 December (substitute for Boxing Day) skipped.",
        ),
        (
            "rhi",
            "2025-03-29T14:00",
            "Return home interview due 1 April 2025 at 15:00: 72 hours after the child's return "
            "on 29 March 2025 at 14:00.",
        ),
    ],
    ids=["icpc-easter", "strategy-substitutes", "rhi-clock-change"],
)
def test_explanation_line(rule: str, start: str, expected: str) -> None:
    lines = run_due(rule, start)
    assert lines[1] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-rule", "2025-04-15"), "Unknown rule 'no-such-rule'"),
        (("icpc", "2025-02-30"), "'2025-02-30' is not a date"),
        (("icpc", "15/04/2025"), "'15/04/2025' is not a date"),
        (("cla-visit", "2025-01-06", "--event", "cla-visit=next week"), "is not a date"),
        (("cla-visit", "2025-01-06", "--event", "party=2025-01-10"), "Unknown event 'party'"),
        (("cla-visit", "2025-01-06", "--event", "cla-visit"), "must look like NAME=VALUE"),
        (("health-assessment-review", "2024-03-15"), "--event birth=YYYY-MM-DD"),
        (("rhi", "2025-03-29"), "counted in hours"),
    ],
    ids=[
        "unknown-rule",
        "impossible-date",
        "malformed-date",
        "malformed-event-date",
        "unknown-event",
        "event-without-date",
        "missing-birth",
        "rhi-without-time",
    ],
)
def test_errors_exit_with_status_2(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as raised:
        run_due(*args)
    assert raised.value.returncode == 2
    assert message in str(raised.value)


def test_a_later_strategy_discussion_restarts_the_icpc_clock() -> None:
    # Working Together: 15 WD from the last strategy discussion that initiated the s47.
    # From Tue 29 Apr 2025: 30 Apr, 1-2 May (3), 6-9 May (7; 5 May bank holiday), 12-16 May (12),
    # 19-21 May (15).
    lines = run_due("icpc", "2025-04-15", "--event", "strategy-discussion-s47=2025-04-29")
    assert lines[0] == "2025-05-21"
    assert "replaces the one on 15 April 2025" in lines[2]


def test_list_prints_every_rule_with_status_period_and_source() -> None:
    out = io.StringIO()
    call_command("timescales", "list", stdout=out)
    rows = {line.split("\t")[0]: line.split("\t") for line in out.getvalue().splitlines()}
    assert set(rows) == {rule.code for rule in RULES_IN_ORDER}
    assert rows["icpc"][1:4] == [
        "Initial child protection conference",
        "Statutory guidance",
        "15 working days",
    ]
    assert "regulation 28" in rows["cla-visit"][4]
    assert rows["cp-visit"][2] == "Local practice standard"
