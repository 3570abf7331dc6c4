"""What each choice of the monitoring policy costs this month, and whether the plan fits.

The desk's policy editor shows every choice with the staff hours the checks due
this month would take under it (the rest of the policy unchanged), so a trainee
whose plan is over the hours available sees which change brings it back:

    "3 months · 62 h"   "6 months · 31 h"

The hours come from the game (``game.policy_hours(policy)``), the same figure the
engine books, so the editor and the month agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.codes import CLASS_KEYS
from sim.policy import MonitoringPolicy

#: Intervals offered per class, in months (0 = no routine check).
INTERVAL_CHOICES_MONTHS = (0, 1, 2, 3, 4, 6, 12)
#: First-check choices, in days after disbursement (0 = no first check).
FIRST_CHECK_CHOICES_DAYS = (0, 15, 30, 60, 90, 180)
#: Classes whose interval the trainee sets (the loss class is worked out by the legal team).
EDITABLE_CLASSES = tuple(k for k in CLASS_KEYS if k != "loss")


@dataclass(frozen=True)
class Choice:
    """One value of one policy field and the check hours this month with it."""

    field: str  # a class key ("normal" ...) or "first_check_days"
    value: int
    hours: float
    current: bool


@dataclass(frozen=True)
class PlanLoad:
    """The monitoring plan's hours against the staff's this month."""

    policy_hours: float
    queued_hours: float
    available_hours: float
    check_hours: float
    """The hours the checks will take (game.check_hours): what they need, or the hours the
    player gave them (never rushed, the rest slipping)."""

    @property
    def slipping_hours(self) -> float:
        """Hours of checks due that the player's hours leave to next month (unrushed)."""
        return self.policy_hours - self.check_hours

    @property
    def over_hours(self) -> float:
        """By how much the checks alone exceed the hours available (0 when they fit)."""
        return max(0.0, self.check_hours - self.available_hours)

    @property
    def fits(self) -> bool:
        return self.over_hours == 0.0


def plan_load(game: Any) -> PlanLoad:
    return PlanLoad(float(game.policy_hours()), float(game.hours_queued),
                    float(game.hours_available), float(game.check_hours()))


def with_value(policy: MonitoringPolicy, field: str, value: int) -> MonitoringPolicy:
    """The policy with one field changed (a class interval or the first-check days)."""
    if field == "first_check_days":
        return policy.model_copy(update={"first_check_days": int(value)})
    intervals = policy.interval_months.model_copy(update={field: int(value)})
    return policy.model_copy(update={"interval_months": intervals})


def current_value(policy: MonitoringPolicy, field: str) -> int:
    if field == "first_check_days":
        return int(policy.first_check_days)
    return int(getattr(policy.interval_months, field))


def choices(game: Any, field: str) -> list[Choice]:
    """Every offered value of ``field`` (and the current one) with this month's check hours."""
    policy = game.policy
    now = current_value(policy, field)
    offered = FIRST_CHECK_CHOICES_DAYS if field == "first_check_days" else INTERVAL_CHOICES_MONTHS
    values = sorted(set(offered) | {now})
    return [Choice(field, v, float(game.policy_hours(with_value(policy, field, v))), v == now)
            for v in values]
