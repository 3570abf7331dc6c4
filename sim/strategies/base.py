"""What every strategy shares: the interface, an hours budget, and the late-stage workout.

A strategy sees an Observation (only what an officer can see; the oracle also
gets the hidden state) and returns a Decision: a monitoring policy and actions
within the hours available.
"""

from __future__ import annotations

import numpy as np

from sim.codes import LoanClass, LoanStatus
from sim.observation import HOURS_TOLERANCE, Decision, Observation
from sim.scenario import ClassIntervals, MonitoringPolicy

NO_CHECKS = MonitoringPolicy(interval_months=ClassIntervals(
    normal=0, special_mention=0, substandard=0, doubtful=0, loss=0), first_check_days=0)
"""A policy with no routine or first checks."""


class Budget:
    """Hours a strategy may still commit this month."""

    def __init__(self, hours: float):
        self.left = hours

    def take(self, hours: float) -> bool:
        if hours <= self.left + HOURS_TOLERANCE:
            self.left -= hours
            return True
        return False


def workout(obs: Observation, budget: Budget, actions: list, hours: dict,
            sell_unsecured_after: int = 12, write_off_loss: bool = True) -> None:
    """Late-stage recovery: sue, auction the collateral, then sell or write off."""
    dl = np.flatnonzero(obs.status == LoanStatus.DEFAULTED)
    dl = dl[np.argsort(-obs.balance[dl], kind="stable")]
    for i in dl:
        if obs.lawsuit_month[i] < 0:
            if budget.take(hours["lawsuit"]):
                actions.append((i, "lawsuit"))
        elif obs.has_collateral[i] and not obs.auction_open[i] and (
                obs.judgment[i] or obs.month - obs.lawsuit_month[i] >= 1):
            if budget.take(hours["auction"]):
                actions.append((i, "auction"))
        elif (not obs.has_collateral[i] and obs.judgment[i]
              and obs.month - obs.lawsuit_month[i] >= sell_unsecured_after):
            if budget.take(hours["claim_sale"]):
                actions.append((i, "claim_sale"))
        elif write_off_loss and obs.cls[i] == LoanClass.LOSS and not obs.has_collateral[i] \
                and budget.take(hours["write_off"]):
            actions.append((i, "write_off"))


class Strategy:
    """A post-loan policy: `decide` maps an Observation to a Decision."""

    name = "base"
    needs_hidden = False

    def __init__(self, hours: dict | None = None):
        from sim.defaults import INTERVENTIONS

        self.hours = hours or {k: v.hours for k, v in INTERVENTIONS.items()}

    def decide(self, obs: Observation) -> Decision:  # pragma: no cover - interface
        raise NotImplementedError
