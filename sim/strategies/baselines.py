"""The baselines a run is scored against: do nothing, late collection, and the oracle."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim import defaults
from sim.codes import LoanStatus
from sim.credit import default_chance
from sim.observation import Decision, Observation
from sim.staff import by_legal_team
from sim.strategies.base import (
    NO_CHECKS,
    Budget,
    Strategy,
    action_hours,
    in_difficulty,
    offered,
    workout,
)
from sim.strategies.triage import (
    ACTION_CODES,
    MIN_HOURS_FOR_RANKING,
    Triage,
    TriageParams,
    relief_health,
)

ORACLE_WATCH_HEALTH = 1.2
"""Below this hidden health the oracle treats a borrower as weakening: a 12-month chance
of default of about 4% (sim.credit.default_chance), where the signals fire only at 0.6
to 1.2 (SIGNAL_LEAD_TO_HEALTH x leads of 3 to 6 months). Perfect information lets it act
before any signal can; at 0.8, the signals' own level, an early-warning officer with
ample staff matched it on small books (index above 0.95 on 5 of 40 generated cases)."""
ORACLE_TRIAGE = TriageParams(early_relief_below_dpd=30)
"""The oracle knows a first missed payment is trouble and offers relief at once."""
ORACLE_VISIT_SHARE = 0.8
"""Value of a visit that opens the way to relief, as a share of that relief's value."""


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


class Oracle(Triage):
    """Sees hidden health: the early-warning officer's triage with perfect information.

    It believes each loan's true chance of default (from its hidden health, through the
    same barrier-crossing law the model uses), needs no routine checks to know it, and
    visits only to make a weakening borrower's difficulty visible so relief can be
    granted. It values relief by how much it really lowers the chance of default. It
    is the upper bound the headline index is measured against.
    """

    name = "oracle"
    needs_hidden = True

    def __init__(self, params: TriageParams | None = None):
        super().__init__(params or ORACLE_TRIAGE)
        self._officer = Triage()

    def candidates(self, obs: Observation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The officer's candidates, and a recall (提前收回) of a borrower the oracle knows
        is slipping while it can still repay: worth it when the loss a default would bring,
        at its true chance, exceeds the margin the bank gives up by ending the loan."""
        loans, codes, value = super().candidates(obs)
        if not offered(obs, "accelerate"):
            return loans, codes, value
        idx, gain = self.recall_values(obs)
        keep = gain > 0
        hours = action_hours(obs, 0, "accelerate")
        return (np.concatenate([loans, idx[keep]]),
                np.concatenate([codes, np.full(int(keep.sum()), ACTION_CODES["accelerate"])]),
                np.concatenate([value, gain[keep] / max(hours, MIN_HOURS_FOR_RANKING)]))

    def recall_values(self, obs: Observation) -> tuple[np.ndarray, np.ndarray]:
        """(loans, expected loss avoided less margin forgone) of recalling slipping borrowers
        still able to repay in full."""
        it = obs.actions.get("accelerate") if obs.actions else None
        repay = it.params["repay_health"] if it is not None else defaults.HEALTHY_BORROWER
        h = obs.hidden.health
        live = (obs.status == LoanStatus.ACTIVE) & (obs.dpd == 0)
        idx = np.flatnonzero(live & (h > repay) & (h < ORACLE_WATCH_HEALTH))
        exposure = obs.balance[idx] + np.where(obs.frozen[idx], 0.0, obs.undrawn[idx])
        shortfall = np.maximum(exposure - obs.hidden.recoverable[idx], 0.0)
        months = np.minimum(obs.remaining_months[idx], defaults.MONTHS_PER_YEAR)
        margin = obs.balance[idx] * defaults.NET_INTEREST_MARGIN_ANNUAL * months / \
            defaults.MONTHS_PER_YEAR
        return idx, default_chance(h[idx]) * shortfall - margin

    def afterwards(self, obs: Observation) -> list[tuple[int, str]]:
        """With hours to spare, whatever the early-warning officer would do too: knowing
        more never stops the oracle from doing what a competent officer does."""
        seen = replace(obs, hidden=None)
        return [tuple(a) for a in self._officer.decide(seen).actions
                if not by_legal_team(obs.actions, a[1])]

    def risk(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        return default_chance(obs.hidden.health)

    def suspects(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        return obs.hidden.health < ORACLE_WATCH_HEALTH

    def confirmed(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        return self.suspects(obs, alerts) & in_difficulty(obs)

    def diverting(self, obs: Observation) -> np.ndarray:
        return obs.hidden.diverting

    def securable(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        """Security can be asked of any borrower the oracle knows is slipping, before the
        bank could see why: the request needs no visible difficulty."""
        return (obs.dpd == 0) & self.suspects(obs, alerts)

    def can_secure(self, obs: Observation) -> np.ndarray:
        """Only a borrower still able to give security is asked for it."""
        it = obs.actions.get("add_collateral") if obs.actions else None
        if it is None:
            return np.zeros(len(obs.status), dtype=bool)
        return obs.hidden.health > it.params["health_margin"]

    def relief_gain(self, obs: Observation, risk: np.ndarray, idx: np.ndarray,
                    stage: np.ndarray | float) -> np.ndarray:
        """How much relief really lowers the chance of default, from the hidden health."""
        h = obs.hidden.health[idx]
        return default_chance(h) - default_chance(h + relief_health(obs, idx) * stage)

    def check_values(self, obs: Observation, live, alerts, risk, loss_if_default):
        """A visit to a borrower the oracle knows is slipping but whose difficulty the
        bank cannot yet see: it makes relief possible next month."""
        quiet = live & ~in_difficulty(obs) & ~obs.restructured & \
            (obs.hidden.health < ORACLE_WATCH_HEALTH) & \
            (obs.month - obs.last_check >= self.params.recheck_months)
        idx = np.flatnonzero(quiet)
        return idx, ORACLE_VISIT_SHARE * self.relief_gain(obs, risk, idx, 1.0) * loss_if_default[idx]
