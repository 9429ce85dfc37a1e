"""Synthetic wording for the demo council's supervision records: professional in tone, about no
real person, and varied by combining parts. Only the generator's `rng` chooses."""

from __future__ import annotations

import random

from .models import CancellationReason

CANCELLATION_WEIGHTS = {
    CancellationReason.WORKER_UNAVAILABLE: 30,
    CancellationReason.SUPERVISOR_UNAVAILABLE: 25,
    CancellationReason.URGENT_CASEWORK: 25,
    CancellationReason.COURT: 10,
    CancellationReason.TRAINING: 5,
    CancellationReason.OTHER: 5,
}
CANCELLATION_NOTES = (
    "Office closed after a power cut; rearranged for the following week.",
    "Team meeting on the restructure took the afternoon.",
    "Room double-booked and no private space was free.",
    "Supervisor covering the duty desk for the day.",
)

REFLECTION_TOPICS = (
    "the balance between the family's strengths and the risks to the children",
    "how the worker's own values shaped a difficult home visit",
    "keeping the child in focus while a parent was hostile",
    "using direct work tools with younger children who find it hard to talk",
    "learning from a recent local case review",
    "how to show the child's lived experience in assessments",
    "managing time with several court deadlines close together",
    "working with partner agencies when information sharing is slow",
    "professional curiosity where a family presents as compliant",
    "the emotional impact of a recent child protection enquiry",
    "cumulative harm in long-standing neglect cases",
    "the worker's confidence in giving evidence in court",
)
REFLECTION_AGREED = (
    "Agreed to book a place on the court skills training.",
    "Agreed to shadow a senior practitioner at the next initial conference.",
    "Agreed to bring the neglect cases to the team's reflective group.",
    "Agreed to read the practice guidance on cumulative harm before the next session.",
    "Agreed to try the three houses tool in the next direct work session.",
    "Agreed to protect half a day each week for recording.",
    "Agreed to ask the principal social worker about the practice development programme.",
    "No new development actions this time.",
)
CASELOAD_NOTES = (
    "Caseload reviewed: manageable at present.",
    "Caseload reviewed: two cases to transfer to the long-term team after their reviews.",
    "Caseload reviewed: high, so no new allocations this month.",
    "Caseload reviewed: court work is heavy this month and visits were reprioritised.",
    "Caseload reviewed: recording is up to date.",
)
WELLBEING_NOTES = {
    1: (
        "Feeling overwhelmed by the caseload and not sleeping well; workload reduced and an "
        "occupational health referral offered.",
        "Finding a recent case very distressing; employee assistance details shared and a "
        "debrief arranged.",
    ),
    2: (
        "Tired after several late visits; agreed time off in lieu next week.",
        "Workload feels heavy with two sets of proceedings; priorities reviewed together.",
        "Anxious about an upcoming final hearing; practice run arranged with legal.",
    ),
    3: (
        "Managing, though busy; no concerns raised.",
        "Some pressure with recording; protected time agreed.",
        "Settling into the team; would like more joint visits.",
    ),
    4: (
        "Feeling well supported by the team.",
        "Enjoying the work and settled in the team.",
        "Workload manageable and leave booked.",
    ),
    5: (
        "Feeling confident and positive about the work.",
        "Thriving; interested in becoming a practice educator.",
    ),
}

DISCUSSION_SUMMARIES = (
    "Reviewed progress against the plan since the last visit.",
    "Discussed the latest home visit, the child's views and the school's update.",
    "Considered the health visitor's concerns about home conditions.",
    "Reviewed the core group's progress and the actions still outstanding.",
    "Discussed family time arrangements and the child's wishes about them.",
    "Considered new information from the police about an incident at the home.",
    "Reviewed the assessment's findings before it is authorised.",
    "Discussed the child's attendance and the school's concerns about lateness.",
    "Reviewed the outcome of the child's health assessment.",
)
# A decision with the reasons that lead to it (openings vary; each ending fits its decision).
PROGRESS = (
    "The child is seen regularly and says home is calmer,",
    "School attendance and home conditions have improved over three months,",
    "The parents are engaging with services and the child's needs are being met,",
)
WORRY = (
    "New information suggests the risk of significant harm may have increased,",
    "The latest visit found worries about the home at weekends,",
    "Concerns persist despite six months of support,",
)
DECISIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "Continue the current plan; visits stay at the current frequency.",
        PROGRESS,
        "so the plan meets the child's needs and should continue as agreed.",
    ),
    (
        "Step down to early help at the next review if progress holds.",
        PROGRESS,
        "and the family agree, so a lower level of support is proportionate.",
    ),
    (
        "Close the case, with a letter to the family and the school.",
        PROGRESS,
        "and universal services know the family, so statutory involvement is no longer needed.",
    ),
    (
        "Hold a strategy discussion about the new information.",
        WORRY,
        "so partners need to share what they know and agree the next steps together.",
    ),
    (
        "Increase visits to weekly until the next review.",
        WORRY,
        "so we need to see the child more often to understand their daily life.",
    ),
    (
        "Seek legal advice on whether the threshold for pre-proceedings is met.",
        WORRY,
        "so the current plan is not enough and a firmer response is needed.",
    ),
    (
        "Refer the parents to the parenting programme.",
        WORRY,
        "and the parents have asked for help with routines and boundaries at home.",
    ),
    (
        "Complete the assessment and recommend a child in need plan.",
        WORRY,
        "so the child needs a plan with clear support and regular review.",
    ),
)
ACTIONS = (
    "Visit the child alone at home and record their views.",
    "Update the chronology with the latest police information.",
    "Send the assessment for authorisation.",
    "Arrange the core group meeting.",
    "Speak with the school's designated safeguarding lead.",
    "Complete the referral to the parenting programme.",
    "Request a legal planning meeting.",
    "Write to the family explaining the decision.",
    "Update the plan with the agreed visit frequency.",
)
OVERSIGHT_FIRST = (
    "Case allocated; first visit within five working days.",
    "Allocated to the worker; assessment to start this week.",
    "Allocation agreed; the worker to read the history and visit with the previous worker.",
)
OVERSIGHT_FIRST_REASONS = (
    "The history, the presenting concerns and the child's age mean the family needs a prompt "
    "response from an experienced worker.",
    "The worker knows the area's services and has capacity; the child's needs call for an early "
    "visit to hear from them directly.",
)
OVERSIGHT_REVIEWS: tuple[tuple[str, str], ...] = (
    (
        "Agree the assessment's recommendation for a child in need plan.",
        "The assessment shows needs that universal services alone cannot meet, and the family "
        "agree to the plan.",
    ),
    (
        "Continue under the current plan; review in three months.",
        "The plan is working: the child is safe, the family is engaging and the child's views "
        "support the decision.",
    ),
    (
        "Agree step-down to early help at the next review.",
        "The child's needs are now met without statutory involvement and early help know the "
        "family well.",
    ),
    (
        "Proceed to an initial child protection conference.",
        "The section 47 enquiry found that the child is at risk of significant harm, so a "
        "multi-agency plan is needed.",
    ),
    (
        "Agree case closure with a letter to the family.",
        "The plan's outcomes are met, the family has support in place and the child says things "
        "are better at home.",
    ),
    (
        "Transfer to the long-term team after the next review.",
        "The child will need support for some time, and a long-term worker gives them continuity "
        "of relationship.",
    ),
)


def cancellation_reason(rng: random.Random) -> str:
    reasons, weights = zip(*CANCELLATION_WEIGHTS.items(), strict=True)
    return str(rng.choices(reasons, weights=weights)[0])


def cancellation_note(rng: random.Random) -> str:
    return rng.choice(CANCELLATION_NOTES)


def reflection(rng: random.Random) -> str:
    topic = rng.choice(REFLECTION_TOPICS)
    return " ".join(
        [f"We reflected on {topic}.", rng.choice(REFLECTION_AGREED), rng.choice(CASELOAD_NOTES)]
    )


def wellbeing_note(rng: random.Random, rating: int) -> str:
    return rng.choice(WELLBEING_NOTES[rating])


def case_discussion(rng: random.Random) -> tuple[str, str, str]:
    """What was discussed, the decision, and its reasons."""
    decision, openings, ending = rng.choice(DECISIONS)
    return rng.choice(DISCUSSION_SUMMARIES), decision, f"{rng.choice(openings)} {ending}"


def action(rng: random.Random) -> str:
    return rng.choice(ACTIONS)


def oversight(rng: random.Random, *, first: bool) -> tuple[str, str]:
    """A manager's decision and its reasons: on allocation, or on reviewing the case later."""
    if first:
        return rng.choice(OVERSIGHT_FIRST), rng.choice(OVERSIGHT_FIRST_REASONS)
    return rng.choice(OVERSIGHT_REVIEWS)
