"""The baselines a run is scored against: do nothing, late collection, and the oracle."""

from __future__ import annotations

import numpy as np

from sim.codes import LoanStatus
from sim.observation import Decision, Observation
from sim.strategies.base import NO_CHECKS, Budget, Strategy, workout


class DoNothing(Strategy):
    """No checks, no actions: the bank that lends and forgets (重贷轻管)."""

    name = "do-nothing"

    def decide(self, obs: Observation) -> Decision:
        return Decision(policy=NO_CHECKS)


class LateCollection(Strategy):
    """Nothing until 90+ days past due; then collection, lawsuit, auction."""

    name = "late-collection"

    def decide(self, obs: Observation) -> Decision:
        budget = Budget(obs.hours_available)
        actions: list = []
        workout(obs, budget, actions, self.hours)
        return Decision(policy=NO_CHECKS, actions=actions)


class Oracle(Strategy):
    """Sees hidden health: acts on every borrower heading for trouble, at the best time."""

    name = "oracle"
    needs_hidden = True
    policy = NO_CHECKS
    watch_health = 1.2
    """Borrowers below this health are worth the oracle's attention."""

    def __init__(self, hours: dict | None = None, max_restructures: int = 2):
        super().__init__(hours)
        self.max_restructures = max_restructures
        self.restructures: dict[int, int] = {}
        self.topped_up: dict[int, int] = {}

    def decide(self, obs: Observation) -> Decision:
        budget = Budget(obs.hours_available)
        actions: list = []
        workout(obs, budget, actions, self.hours)
        health = obs.hidden.health
        order = np.flatnonzero((obs.status == LoanStatus.ACTIVE) & (health < self.watch_health))
        order = order[np.argsort(-obs.balance[order], kind="stable")]  # biggest exposure first
        for i in order:
            self._act_on(obs, int(i), float(health[i]), budget, actions)
        return Decision(policy=self.policy, actions=actions)

    def _act_on(self, obs: Observation, i: int, hi: float, budget: Budget, actions: list) -> None:
        t = obs.month
        take = budget.take
        h = self.hours
        if obs.hidden.diverting[i] and not obs.entrusted[i] and take(h["entrusted_payment"]):
            actions.append((i, "entrusted_payment"))
        if obs.undrawn[i] > 0 and not obs.frozen[i] and hi <= 1.0 and take(h["freeze_line"]):
            actions.append((i, "freeze_line"))
        if hi > 0.5 and self.topped_up.get(i, -99) < t - 6 and take(h["add_collateral"]):
            actions.append((i, "add_collateral"))
            self.topped_up[i] = t
        if hi < 0.6 and obs.dpd[i] == 0:
            # relieve the burden before the first missed payment, when it works best
            if obs.disaster_region[i]:
                if obs.acted[i] < t - 6 and take(h["emergency_deferral"]):
                    actions.append((i, "emergency_deferral"))
            elif self.restructures.get(i, 0) < self.max_restructures and (
                    not obs.restructured[i] or hi < 0.0) and take(h["restructure"]):
                actions.append((i, "restructure"))
                self.restructures[i] = self.restructures.get(i, 0) + 1
        elif obs.dpd[i] >= 30 and not obs.restructured[i]:
            kind = "emergency_deferral" if obs.disaster_region[i] else "restructure"
            if take(h[kind]):
                actions.append((i, kind))
        elif hi < -0.8 and obs.restructured[i] and obs.dpd[i] >= 30 and take(h["accelerate"]):
            # beyond saving: recall now, while free assets and collateral still hold value
            actions.append((i, "accelerate"))
