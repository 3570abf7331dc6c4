"""Read-only replay of an attempt month by month (回放), for its owner, their instructors
and admins. It rebuilds a separate game from the stored decision log, so reading an
attempt never touches the live game its owner may be playing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    actions: list[tuple[int, str]]  # (loan id, action id) taken in that month: those of
    # the meetings held (the meeting and the terms agreed at it) first, as the engine takes
    # them, then those queued at the desk
    policy: dict | None
    player: str | None = None  # whose attempt: the owner's name, when someone else reads it
    judgements: list[tuple[int, str, str]] = ()  # (loan id, class key, reason code)
    policy_changed: bool = False  # the monitoring policy differs from the month before's
    files: dict[int, Any] = field(default_factory=dict)
    """The loan files (training.desk.LoanFile) of the loans acted on in the month (actions,
    meetings, judgements), in that order, as the desk showed them when the trainee took
    the month's decisions: nothing of the month's own payments, signals or results."""

    @property
    def acted_on(self) -> list[int]:
        """The loans acted on in the month, in the order the decisions name them."""
        return list(self.files)


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
    log = attempt.decision_log
    entry = next((e for e in log if int(e.get("month", -1)) == month), None)
    if entry is None:
        return MonthView(attempt, scenario, game, month, [], None, _player(db, user, attempt))
    talks = [(int(talk["loan_id"]), str(a)) for talk in entry.get("talks", [])
             for a in talk.get("actions", [])]
    actions = talks + [(int(i), str(a)) for i, a in entry["actions"]]
    judgements = [(int(i), str(k), str(r)) for i, k, r in entry.get("classify", [])]
    before = (log[month - 2].get("policy") if month >= 2
              else scenario.monitoring.model_dump(mode="json"))
    acted = list(dict.fromkeys([i for i, _ in actions] + [i for i, _, _ in judgements]))
    # the desk as the trainee read it: the book after the months before this one
    seen = Game.replay(scenario, attempt.seed, log[:month - 1]) if acted else None
    return MonthView(attempt, scenario, game, month, actions, entry.get("policy"),
                     _player(db, user, attempt), judgements,
                     entry.get("policy") is not None and entry.get("policy") != before,
                     {i: seen.loan_file(i) for i in acted} if seen is not None else {})


def _player(db: DB, user: User | None, attempt: Attempt) -> str | None:
    """The attempt's player by name for an instructor or admin reading it (the replay did
    not say whose it was); None for the player themself and for self-study."""
    if attempt.user_id is None or (user is not None and user.id == attempt.user_id):
        return None
    from training.accounts import get_user

    owner = get_user(db, attempt.user_id)
    return owner.label if owner is not None else None
