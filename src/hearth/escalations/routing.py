"""Who owns each stage of an escalation: the management line, worked out from a few facts about
each user. Pure functions over a `Directory`, so the services (one query per step up the line) and
the synthetic council (everything in memory) follow exactly the same rules.

- Stage 1 is the manager of the team answerable for the child (services find the team).
- Each higher stage is the previous owner's line manager, skipping anyone inactive (and the
  raiser: nobody answers their own escalation), up to a user holding the director role.
- Someone holding the director role owns the director stage, whichever stage the line reaches
  them at; a director stage cannot rise further.
- A line that ends before a director (no line manager recorded) goes to the council's director.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .models import Stage

MAX_STEPS = 50  # a line longer than this is a loop in the data


@dataclass(frozen=True)
class UserFacts:
    pk: int
    is_active: bool
    line_manager_id: int | None
    is_director: bool


class Directory(Protocol):
    def facts(self, user_id: int) -> UserFacts | None: ...

    def directors(self) -> list[int]:
        """Active users holding the director role, in a stable order."""
        ...


def first_active(directory: Directory, user_id: int | None, skip: set[int]) -> int | None:
    """`user_id` if active and not skipped, else the first such person above them."""
    seen: set[int] = set()
    current = user_id
    while current is not None and current not in seen and len(seen) < MAX_STEPS:
        seen.add(current)
        facts = directory.facts(current)
        if facts is None:
            return None
        if facts.is_active and current not in skip:
            return current
        current = facts.line_manager_id
    return None


def first_director(directory: Directory, user_id: int | None, skip: set[int]) -> int | None:
    """The first active director at or above `user_id` in the line."""
    seen: set[int] = set()
    current = user_id
    while current is not None and current not in seen and len(seen) < MAX_STEPS:
        seen.add(current)
        facts = directory.facts(current)
        if facts is None:
            return None
        if facts.is_active and facts.is_director and current not in skip:
            return current
        current = facts.line_manager_id
    return None


def _stage_of(directory: Directory, user_id: int, wanted: int) -> int:
    facts = directory.facts(user_id)
    return Stage.DIRECTOR if facts is not None and facts.is_director else wanted


def _fallback_director(directory: Directory, skip: set[int]) -> int | None:
    return next((pk for pk in directory.directors() if pk not in skip), None)


def first_stage(
    directory: Directory, team_manager_id: int | None, raiser_id: int
) -> tuple[int, int] | None:
    """(stage, owner) for a new escalation, from the answerable team's manager; None when the
    child has no answerable team with a manager."""
    owner = first_active(directory, team_manager_id, skip={raiser_id})
    if owner is None:
        return None
    return _stage_of(directory, owner, Stage.TEAM_MANAGER), owner


def next_stage(
    directory: Directory, stage: int, owner_id: int, raiser_id: int
) -> tuple[int, int] | None:
    """(stage, owner) one step up from the current stage; None at the director stage (or when
    the council has no director to go to)."""
    owner = directory.facts(owner_id)
    if stage >= Stage.DIRECTOR or owner is None or owner.is_director:
        return None
    skip = {raiser_id, owner_id}
    wanted = stage + 1
    if wanted == Stage.DIRECTOR:
        candidate = first_director(directory, owner.line_manager_id, skip)
    else:
        candidate = first_active(directory, owner.line_manager_id, skip)
    if candidate is None:
        candidate = _fallback_director(directory, skip)
    if candidate is None:
        return None
    return _stage_of(directory, candidate, wanted), candidate
