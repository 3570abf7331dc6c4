"""Read-only replay of an attempt month by month (回放), for its owner, their instructors
and admins. It rebuilds a separate game from the stored decision log, so reading an
attempt never touches the live game its owner may be playing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from training.accounts import User
from training.attempts import Attempt
from training.authz import Action
from training.classroom import DB, open_attempt


@dataclass(frozen=True)
class MonthView:
    """The attempt as it stood after ``month`` months, and the decisions taken in that month."""

    attempt: Attempt
    scenario: Any
    game: Any
    month: int
    actions: list[tuple[int, str]]  # (loan id, action id) queued in that month
    policy: dict | None
    player: str | None = None  # whose attempt: the owner's name, when someone else reads it


def scenario_for(db: DB, attempt: Attempt, load_shipped: Callable[[str], Any]) -> Any:
    """The scenario the attempt was played on: its frozen published version, if any."""
    if attempt.case_version_id is not None:
        from training.publishing import scenario_of_version

        return scenario_of_version(db, attempt.case_version_id)
    return load_shipped(attempt.scenario_id)


def month_view(db: DB, user: User | None, attempt_id: str, month: int,
               load_shipped: Callable[[str], Any]) -> MonthView:
    """Replay ``attempt_id`` up to ``month`` (clamped to the months played), if allowed."""
    from training.desk import Desk as Game

    attempt = open_attempt(db, user, attempt_id, Action.OPEN_ATTEMPT)
    month = max(0, min(int(month), attempt.month))
    scenario = scenario_for(db, attempt, load_shipped)
    game = Game.replay(scenario, attempt.seed, attempt.decision_log[:month])
    entry = next((e for e in attempt.decision_log if int(e.get("month", -1)) == month), None)
    actions = [(int(i), str(a)) for i, a in entry["actions"]] if entry else []
    return MonthView(attempt, scenario, game, month, actions,
                     entry.get("policy") if entry else None, _player(db, user, attempt))


def _player(db: DB, user: User | None, attempt: Attempt) -> str | None:
    """The attempt's player by name for an instructor or admin reading it (the replay did
    not say whose it was); None for the player themself and for self-study."""
    if attempt.user_id is None or (user is not None and user.id == attempt.user_id):
        return None
    from training.accounts import get_user

    owner = get_user(db, attempt.user_id)
    return owner.label if owner is not None else None
