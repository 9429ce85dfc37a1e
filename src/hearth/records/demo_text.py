"""Synthetic wording for the demo council's case notes: professional in tone, about no real person
(only the synthetic child's first name appears), varied by combining parts. Only the caller's
random generator chooses."""

from __future__ import annotations

import random

from .codes import NoteKind

# (kind, subject, opening) — {name} is the child's first name.
ROUTINE: dict[str, tuple[tuple[str, str], ...]] = {
    NoteKind.TELEPHONE: (
        ("Call with mother", "Spoke with {name}'s mother by phone about how the week has gone."),
        ("Call with the school", "Phoned the designated safeguarding lead at {name}'s school."),
        ("Call with the health visitor", "Spoke with the health visitor about {name}'s health."),
        ("Call with father", "{name}'s father rang to ask about the plan and the next meeting."),
        ("Call with the GP surgery", "Phoned the GP surgery to check {name}'s appointments."),
    ),
    NoteKind.MEETING: (
        ("Core group meeting", "Core group met to review progress on {name}'s plan."),
        ("Team around the family meeting", "Met the professionals working with {name}'s family."),
        ("Meeting with parents", "Met both parents at the office to go through the plan."),
        ("School meeting", "Attended a meeting at school about {name}'s attendance."),
    ),
    NoteKind.CORRESPONDENCE: (
        ("Letter to parents", "Wrote to {name}'s parents confirming what was agreed."),
        ("Email from the school", "Received an email from school with {name}'s attendance."),
        ("Referral letter sent", "Sent a referral letter for {name} to the local family hub."),
    ),
    NoteKind.DIRECT_WORK: (
        ("Direct work: three houses", "Completed a three houses exercise with {name}."),
        ("Direct work: wishes and feelings", "Spent time with {name} on wishes and feelings."),
        ("Direct work: my family", "Worked with {name} on a drawing of who is in the family."),
        ("Direct work: safety plan", "Went through {name}'s own safety plan with them."),
    ),
    NoteKind.MANAGEMENT_DECISION: (
        ("Management oversight", "Reviewed the case with the allocated worker."),
        ("Decision on next steps", "Discussed the assessment findings with the worker."),
    ),
    NoteKind.INFORMATION_RECEIVED: (
        ("Update from health", "Health shared an update about {name}'s appointments."),
        ("Update from the school", "The school shared an update on {name}'s progress."),
        ("Information from housing", "Housing confirmed the family's tenancy position."),
    ),
    NoteKind.OBSERVATION: (
        ("Observation at contact", "Observed {name}'s contact session with their father."),
        ("Observation at nursery", "Observed {name} at nursery during free play."),
        ("Observation at home", "Observed a mealtime at home with {name} and siblings."),
    ),
    NoteKind.OTHER: (
        ("Case summary updated", "Updated the case summary after recent events."),
        ("Transport arranged", "Arranged transport for {name} to get to appointments."),
    ),
}

SIGNIFICANT: dict[str, tuple[tuple[str, str], ...]] = {
    NoteKind.INFORMATION_RECEIVED: (
        (
            "Police notification: incident at home",
            "Police shared a notification of a "
            "domestic incident at the family home last night; {name} was present.",
        ),
        (
            "Missing episode reported",
            "{name} was reported missing overnight and returned "
            "the next morning; a return home interview has been offered.",
        ),
        (
            "Hospital attendance",
            "Health told us {name} attended A&E with an injury; the "
            "explanation given is being checked.",
        ),
    ),
    NoteKind.MANAGEMENT_DECISION: (
        (
            "Decision: strategy discussion",
            "Decided to hold a strategy discussion today given "
            "the new information about risk to {name}.",
        ),
        (
            "Decision: step down to early help",
            "Agreed that {name}'s case can step down to "
            "early help; the plan's goals have been met.",
        ),
        (
            "Decision: legal planning meeting",
            "Agreed to seek a legal planning meeting because "
            "progress for {name} has not been made within the child's timescales.",
        ),
    ),
    NoteKind.MEETING: (
        (
            "Family group conference",
            "A family group conference agreed a family plan for "
            "{name}, with grandparents offering regular respite.",
        ),
    ),
    NoteKind.OBSERVATION: (
        (
            "Disclosure during visit",
            "{name} said something during the visit that needs "
            "follow-up; it was recorded in their own words and shared with the manager.",
        ),
    ),
}

DETAIL = (
    "Things seem calmer than at the last contact and the routines agreed are mostly in place.",
    "Some worries remain about home conditions and how consistently the plan is followed.",
    "Parents engaged well and were open about what has been difficult.",
    "{name} appeared settled and was happy to talk about school and friends.",
    "{name} was quieter than usual and said they were tired.",
    "Attendance has improved over the last few weeks, which is positive.",
    "Mother said money has been tight and she is worried about the heating bills.",
    "Father was not present; his views will be sought at the next contact.",
    "The professionals agreed the current level of support is still needed.",
    "There are no new safeguarding concerns from this contact.",
)
NEXT = (
    "Next step: visit within the next two weeks as planned.",
    "Next step: share this update with the core group.",
    "Next step: follow up with the school at the end of the week.",
    "Next step: discuss in supervision.",
    "Next step: update the plan and send copies to the family.",
    "No further action needed from this contact.",
)
RESTRICTED_DETAIL = (
    "Sensitive information shared in confidence; see the restricted record for who may know.",
    "Information about a family member's health shared on a need-to-know basis.",
)


def _fill(text: str, name: str) -> str:
    return text.replace("{name}", name or "The child")


def note(
    rng: random.Random, kind: str, name: str, *, significant: bool, restricted: bool
) -> tuple[str, str]:
    """A (subject, text) pair for a synthetic note of this kind."""
    pool = SIGNIFICANT.get(kind) if significant else None
    subject, opening = rng.choice(pool or ROUTINE[kind])
    parts = [_fill(opening, name), _fill(rng.choice(DETAIL), name)]
    if restricted:
        parts.append(rng.choice(RESTRICTED_DETAIL))
    parts.append(rng.choice(NEXT))
    return _fill(subject, name)[:200], " ".join(parts)
