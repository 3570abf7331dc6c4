"""The baselines a run is scored against: do nothing, late collection, and the oracle."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from sim import defaults
from sim.codes import Repayment
from sim.foresight import default_margins
from sim.kernels.h1_relief import relief_margins, relief_net
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
from sim.strategies.kernels_decide import (
    COLLATERAL,
    quiet_suspects,
    recall_grounds,
    visit_values,
    with_extra,
)
from sim.strategies.triage import (
    ACTION_CODES,
    ACTIONS,
    ACTIVE,
    MIN_HOURS_FOR_RANKING,
    Triage,
    TriageParams,
    rate_concession,
    relief_health,
)

INTEREST_ONLY = Repayment.INTEREST_ONLY_BULLET.value

ORACLE_MARGIN_SPREAD = 0.1
"""How sure the oracle is of its foresight, in health units: its chance that a loan
defaults in the window is N(-margin / spread), the margin being how far above the line of
default its untreated path keeps (below zero: it defaults; sim.foresight). The projection is exact for a loan left
alone; what it cannot foresee is what the bank's own actions do to others (a saved
guarantor spares its chain) and an officer's work in months to come (assumption: a tenth
of a unit, against a month's idiosyncratic shock of about half a unit)."""
ORACLE_RECALL_GROUND_HEALTH = defaults.SIGNAL_LEAD_TO_HEALTH * max(
    s.lead_months for s in defaults.SIGNALS.values())
"""Health below which a bank has a ground to call a performing loan early: the level where
the signal with the longest lead, weak financial statements (6 months), fires, i.e. where
the borrower's accounts breach the loan's financial covenants or show a material adverse
change. A loan is recalled before its term only on a contractual ground (a breach, misuse
of the funds or such a change: Civil Code Art. 673 and the loan contract's acceleration
clause); a borrower whose business is still sound gives none, whatever the future holds.
So the oracle, which knows the future, may still recall only a borrower already weakening
(1.2 health units, with 0.2 per month of lead: sim.defaults.SIGNAL_LEAD_TO_HEALTH)."""
ORACLE_TRIAGE = TriageParams(early_relief_below_dpd=30, keeps_case_policy=False)
"""The oracle knows a first missed payment is trouble and offers relief at once; it books
routine checks only as hours allow (the lighter policies of sim.strategies.triage), never
the case's own policy at the cost of the work that avoids loss."""
ORACLE_OFFICER = TriageParams(keeps_case_policy=False)
"""The officer whose decision the oracle takes with hours to spare: early warning's,
without the case's policy (which the oracle does not answer to)."""
ORACLE_VISIT_SHARE = 0.8
"""Value of a visit that opens the way to relief, as a share of that relief's value."""


class DoNothing(Strategy):
    """No checks, no actions: the bank that lends and forgets (重贷轻管)."""

    name = "do-nothing"
    reads_signals = False  # it reads nothing and takes no action

    def decide(self, obs: Observation) -> Decision:
        return Decision(policy=NO_CHECKS)


class LateCollection(Strategy):
    """Nothing until 90+ days past due; then collection, lawsuit, auction."""

    name = "late-collection"
    reads_signals = False  # the workout's legal steps need no signal seen

    def decide(self, obs: Observation) -> Decision:
        budget = Budget(obs.hours_available)
        actions: list = []
        workout(obs, budget, actions, self.hours)
        return Decision(policy=NO_CHECKS, actions=actions)


class Oracle(Triage):
    """Sees hidden health and the months ahead: the early-warning officer's triage with
    perfect information, the upper bound the headline index is measured against.

    Foresight (sim.foresight, docs/model.md §14): the engine's shocks are common random
    numbers, so each borrower's untreated health over the next FORESIGHT_MONTHS months is
    known to the oracle, and from it the margin by which the loan will or will not default
    (it defaults, left alone, exactly when the margin is below zero). The oracle believes
    a loan's chance of default is N(-margin / ORACLE_MARGIN_SPREAD): about one for the
    loans that will default, about nothing for those that will recover, so it spends no
    hours on the second. It values each action by what it really does to that margin: a
    restructuring's relief shifts health for good and clears the arrears (margin with
    arrears cleared, plus the relief); a disaster's deferral holds the count of misses over
    its months; a recall (提前收回) takes a loan that will default out while the borrower
    can still repay in full; extra collateral, asked while the borrower can still give it,
    covers part of the shortfall its default would leave. It visits a borrower that will
    default but whose difficulty the bank cannot yet see, so relief becomes possible, and
    needs no routine checks. With hours to spare it does what the early-warning officer
    would do too, so knowing more never leaves it doing less than a competent officer.
    """

    name = "oracle"
    needs_hidden = True

    def __init__(self, params: TriageParams | None = None):
        super().__init__(params or ORACLE_TRIAGE)
        self._officer = Triage(ORACLE_OFFICER)
        self._foreseen: tuple[object, dict] = (None, {})

    def _hidden_figure(self, obs: Observation, key: str, make):
        """`make()` once per decision point: figures read off the hidden state, kept by the
        oracle itself (the observation it shares with its officer holds only what is seen)."""
        hidden, memo = self._foreseen
        if hidden is not obs.hidden:
            self._foreseen = (obs.hidden, memo := {})
        got = memo.get(key)
        if got is None:
            got = memo[key] = make()
            got.flags.writeable = False
        return got

    def _chance_all(self, obs: Observation) -> np.ndarray:
        """`chance` of every loan's margin (loan by loan: a loan's figure does not depend on
        which others it is worked out with)."""
        return self._hidden_figure(obs, "chance",
                                   lambda: self.chance(obs.hidden.foresight.margin))

    # --- what the foresight says ---------------------------------------------------
    @staticmethod
    def chance(margin: np.ndarray) -> np.ndarray:
        """Chance of default in the window of a loan with this margin."""
        return ndtr(-np.asarray(margin, dtype=float) / ORACLE_MARGIN_SPREAD)

    def candidates(self, obs: Observation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The officer's candidates valued by the foresight, extra collateral by the cut in
        the loss given default it brings, and a recall of each loan that will default while
        its borrower can still repay."""
        loans, codes, value = super().candidates(obs)
        # the officer's value of extra collateral discounts a likely refusal; the oracle's
        # does not (it asks only a borrower able to give it): its own list replaces it
        secure = self.securing(obs) if offered(obs, "add_collateral") \
            else np.zeros(0, dtype=np.int64)
        collateral = ACTION_CODES["add_collateral"]
        loans, codes, value = with_extra(
            loans, codes, value, collateral, secure, self.collateral_values(obs, secure),
            collateral, self._ranked_hours(obs, "add_collateral"))
        if offered(obs, "accelerate"):
            recall, gain = self.recall_values(obs)
            if len(recall):
                loans, codes, value = with_extra(
                    loans, codes, value, -1, recall, gain, ACTION_CODES["accelerate"],
                    self._ranked_hours(obs, "accelerate"))
        return loans, codes, value

    @staticmethod
    def _ranked_hours(obs: Observation, action: str) -> float:
        """The hours an action's value is ranked per (never below MIN_HOURS_FOR_RANKING)."""
        return max(action_hours(obs, 0, action), MIN_HOURS_FOR_RANKING)

    def securing(self, obs: Observation) -> np.ndarray:
        """Loans to ask for extra collateral: those the triage would consider (sim.
        strategies.triage: securable, able to give it, not pledged, not asked lately)."""
        if self._sets is not None and self._sets[0] is obs:  # the set its candidates weighed
            _, table, counts = self._sets
            return table[COLLATERAL, :counts[COLLATERAL]]
        suspects = self.suspects(obs, obs.recent_alerts(self.params.alert_months))
        securable = self.securable(obs, suspects, self.confirmed(obs, suspects))
        return np.flatnonzero((obs.status == ACTIVE) & securable
                              & self.can_secure(obs) & ~obs.pledged
                              & (self._topped(obs) < obs.month - self.params.repeat_after_months))

    def shortfall(self, obs: Observation, idx: np.ndarray) -> np.ndarray:
        """What a default of loans idx now would leave unrecovered."""
        exposure = obs.balance[idx] + np.where(obs.frozen[idx], 0.0, obs.undrawn[idx])
        return np.maximum(exposure - obs.hidden.recoverable_of(idx), 0.0)

    def recall_values(self, obs: Observation) -> tuple[np.ndarray, np.ndarray]:
        """(loans, expected loss avoided less margin forgone) of recalling loans that will
        default while their borrowers can still repay in full and the bank has a ground to
        call them (ORACLE_RECALL_GROUND_HEALTH)."""
        it = obs.actions.get("accelerate") if obs.actions else None
        repay = it.params["repay_health"] if it is not None else defaults.HEALTHY_BORROWER
        idx = recall_grounds(obs.status, obs.dpd, obs.hidden.health, self._will_default(obs),
                             ACTIVE, float(repay), ORACLE_RECALL_GROUND_HEALTH)
        if not len(idx):  # most months: nothing to weigh
            return idx, np.zeros(0)
        months = np.minimum(obs.remaining_months[idx], defaults.MONTHS_PER_YEAR)
        margin = obs.balance[idx] * defaults.NET_INTEREST_MARGIN_ANNUAL * months / \
            defaults.MONTHS_PER_YEAR
        risk = self._chance_all(obs)[idx]
        return idx, risk * self.shortfall(obs, idx) - margin

    def collateral_values(self, obs: Observation, idx: np.ndarray) -> np.ndarray:
        """Expected loss avoided by a top-up of collateral on loans idx: the officer's cut
        in the loss given default, if the loan defaults. The oracle asks only a borrower
        still able to give it (`can_secure`), so unlike the officer it needs no discount
        for a refusal. (Not the shortfall over today's recoverable value: that is before
        the time, fees and wear of a workout, and a loan it covers today still loses.)"""
        risk = self._chance_all(obs)[idx]
        return risk * obs.balance[idx] * self.params.collateral_lgd_cut

    def afterwards(self, obs: Observation) -> list[tuple[int, str]]:
        """With hours to spare, whatever the early-warning officer would do too: knowing
        more never stops the oracle from doing what a competent officer does."""
        loans, codes = self._afterwards_columns(obs)
        return list(zip(loans.tolist(), map(ACTIONS.__getitem__, codes.tolist()), strict=True))

    def _afterwards_columns(self, obs: Observation) -> tuple[np.ndarray, np.ndarray]:
        """`afterwards` as columns (loans, action codes): the officer's decision on what it
        can see, less the legal work the standing order leaves to the asset-preservation
        team (the oracle books its own)."""
        head, _, _, loans, codes = self._officer.decide_columns(obs.seen_only())
        legal = self._legal_work(obs)
        keep = ~legal[codes]
        head_loans = [i for i, a in head if not legal[ACTION_CODES[a]]]
        head_codes = [ACTION_CODES[a] for _, a in head if not legal[ACTION_CODES[a]]]
        return (np.concatenate([np.array(head_loans, dtype=np.int64), loans[keep]]),
                np.concatenate([np.array(head_codes, dtype=np.int64), codes[keep]]))

    def _legal_work(self, obs: Observation) -> np.ndarray:
        """Whether each of ACTIONS is the legal team's in the case's catalogue, worked out
        again only when the catalogue changes (as `_actions_now`)."""
        key = tuple(obs.actions.items()) if obs.actions else ()
        got = getattr(self, "_legal_seen", None)
        if got is None or got[0] != key:
            legal = np.array([by_legal_team(obs.actions, a) for a in ACTIONS]) if key \
                else np.zeros(len(ACTIONS), dtype=bool)
            self._legal_seen = got = (key, legal)
        return got[1]

    def _will_default(self, obs: Observation) -> np.ndarray:
        return self._hidden_figure(obs, "defaults", lambda: obs.hidden.foresight.defaults())

    def risk(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        return self._chance_all(obs)

    def suspects(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        return self._will_default(obs)

    def confirmed(self, obs: Observation, suspects: np.ndarray) -> np.ndarray:
        return suspects & in_difficulty(obs)

    def diverting(self, obs: Observation) -> np.ndarray:
        return obs.hidden.diverting

    def securable(self, obs: Observation, suspects: np.ndarray,
                  confirmed: np.ndarray) -> np.ndarray:
        """Security can be asked of any borrower the oracle knows will default, before the
        bank could see why: the request needs no visible difficulty."""
        return (obs.dpd == 0) & suspects

    def can_secure(self, obs: Observation) -> np.ndarray:
        """Only a borrower still able to give security is asked for it."""
        it = obs.actions.get("add_collateral") if obs.actions else None
        if it is None:
            return np.zeros(len(obs.status), dtype=bool)
        return obs.hidden.health > it.params["health_margin"]

    def relief_gain(self, obs: Observation, risk: np.ndarray, idx: np.ndarray,
                    stage: np.ndarray | float) -> np.ndarray:
        """How much relief really lowers the chance of default in the window: a
        restructuring clears the arrears and shifts health by its relief for good; a
        disaster's deferral (a loan in a disaster's region) holds the count of misses while
        no payment is due."""
        f = obs.hidden.foresight
        stages = stage if isinstance(stage, np.ndarray) else np.full(len(idx), float(stage))
        after, in_region = relief_margins(idx, f.margin_fresh, relief_health(obs, idx), stages,
                                          obs.disaster_region)
        it = obs.actions.get("emergency_deferral") if obs.actions else None
        if in_region and it is not None:
            deferral = obs.disaster_region[idx]
            d_idx = idx[deferral]
            due = np.where(obs.status[d_idx] == ACTIVE, obs.remaining_months[d_idx], 0)
            months = np.full(len(d_idx), int(it.params["months"]))
            after[deferral], _ = default_margins(f.health[:, d_idx], np.zeros(len(d_idx)),
                                                 months, due)
        # a restructuring can stretch the term only up to its longest: one that leaves the
        # foreseen default in place (margin still below zero) uses that up for nothing the
        # window shows, and closer to maturity the same stretch cuts the payment more.
        # Compiled: sim.kernels.h1_relief
        return relief_net(idx, self._chance_all(obs), self.chance(after), after,
                          obs.disaster_region)

    def check_values(self, obs: Observation, live, suspects, risk, loss_if_default):
        """A visit to a borrower the oracle knows will default but whose difficulty the
        bank cannot yet see: it makes relief possible next month.

        Valued by the relief's net value (`relief_gain`), less the relief's own price as
        the triage charges it (kernels_decide.assemble): a restructuring's fee and the
        interest its rate concession gives up on a loan that goes on paying; in a
        disaster's region the deferral's, as `relief_gain` values it there. Ranked by value
        per hour, a visit carries the hours of the relief it opens too: valued per hour of
        both, or the oracle spends every hour on visits whose relief it then has no hours
        for (a restructuring takes 16 hours, a household's visit 2). Compiled:
        kernels_decide.quiet_suspects, visit_values."""
        idx = quiet_suspects(live, in_difficulty(obs), obs.restructured, suspects,
                             obs.last_check, obs.month, self.params.recheck_months)
        offered_now, per_action, money, money_share = self._actions_now(obs)
        return idx, visit_values(
            idx, self.relief_gain(obs, risk, idx, 1.0), loss_if_default, obs.balance,
            obs.remaining_months, np.asarray(risk, dtype=float), obs.repayment, INTEREST_ONLY,
            obs.disaster_region, obs.check_hours, offered_now, per_action, money, money_share,
            ACTION_CODES["restructure"], rate_concession(obs), ACTION_CODES["emergency_deferral"],
            ORACLE_VISIT_SHARE)
