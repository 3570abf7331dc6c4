"""The oracle uses what only it knows, and a disaster's relief reaches every borrower it hit.

The oracle is the upper bound of the early-warning index: with perfect information it
must do what no officer can, not merely what a good officer does. Recalling a loan
(提前收回) is the strongest of those: a borrower still able to repay leaves whole, one that
cannot is pushed into default (sim.interventions.effects). Only the oracle knows which, so
only it recalls, and only where the loss a default would bring, at its true chance, is
larger than the margin the bank gives up (docs/model.md §14).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import defaults
from sim.codes import LoanStatus
from sim.engine import Simulation
from sim.scenario import parse_scenario
from sim.strategies import EarlyWarning, Oracle

BOOK = """
id: oracle
title: {zh: 先知, en: Oracle}
briefing: {zh: 先知, en: Oracle}
horizon_months: 12
staff: {officers: 4, hours_per_officer_month: 120}
segments:
  - id: firms
    name: {zh: 小微, en: Small firms}
    product: small_business
    count: 40
    amount: {median_cny: 500000, sigma: 0.3}
    term_months: 36
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.03
    industry: manufacturing
    region: zhejiang
    collateral: {type: COLLATERAL, ltv: LTV}
"""
UNSECURED = BOOK.replace("COLLATERAL", "none").replace("LTV", "0.6")
SECURED = BOOK.replace("COLLATERAL", "property").replace("LTV", "0.3")
DISASTER = UNSECURED + """macro:
  - type: disaster
    month: 1
    region: zhejiang
    severity: 0.5
    duration_months: 8
    permanent_share: 0.0
"""


class Watching:
    """A strategy that keeps the observation and decision of one month."""

    def __init__(self, inner, month: int):
        self.inner, self.month = inner, month
        self.obs = self.decision = None

    def decide(self, obs):
        decision = self.inner.decide(obs)
        if obs.month == self.month:
            self.obs, self.decision = obs, decision
        return decision


def _decide_at_month_3(text: str, strategy, set_up) -> tuple[Simulation, Watching]:
    watch = Watching(strategy, 3)
    sim = Simulation(parse_scenario(text, "oracle.yaml"), seed=3, decider=watch.decide,
                     oracle=strategy.needs_hidden)
    sim.advance_to(2)
    set_up(sim)
    sim.advance_to(3)
    return sim, watch


def _performing(sim) -> np.ndarray:
    return np.flatnonzero((sim.status == LoanStatus.ACTIVE) & ~sim.defaulted & (sim.dpd == 0))


@pytest.fixture(scope="module")
def recall_run():
    chosen = {}

    def set_up(sim):
        live = _performing(sim)
        chosen.update(slipping=int(live[0]), sinking=int(live[1]), sound=int(live[2]))
        repay = defaults.INTERVENTIONS["accelerate"].params["repay_health"]
        sim.d[chosen["slipping"]] = repay + 0.1  # slipping, still able to repay in full
        sim.d[chosen["sinking"]] = repay - 0.3  # a recall would push it into default
        sim.d[chosen["sound"]] = repay + 1.5

    sim, watch = _decide_at_month_3(UNSECURED, Oracle(), set_up)
    return sim, watch, chosen


def test_the_oracle_recalls_a_slipping_borrower_that_can_still_repay(recall_run):
    sim, watch, chosen = recall_run
    recalled = {i for i, a in watch.decision.actions if a == "accelerate"}
    assert chosen["slipping"] in recalled
    assert chosen["sinking"] not in recalled and chosen["sound"] not in recalled
    # it repaid in full and left: nothing of it can default any more
    assert sim.status[chosen["slipping"]] == LoanStatus.CLOSED
    assert not sim.defaulted[chosen["slipping"]]


def test_a_recall_is_weighed_against_the_margin_given_up():
    """Where a default would cost little (the collateral covers the claim), the margin the
    bank would give up is larger than the loss avoided: no recall."""
    def set_up(sim):
        sim.d[_performing(sim)] = defaults.INTERVENTIONS["accelerate"].params["repay_health"] + 0.1

    _, watch = _decide_at_month_3(SECURED, Oracle(), set_up)
    idx, gain = Oracle().recall_values(watch.obs)
    assert len(idx) > 0 and (gain <= 0).all()
    assert not [a for _, a in watch.decision.actions if a == "accelerate"]


def test_the_early_warning_officer_never_recalls():
    """An officer cannot tell a borrower that can still repay from one that cannot."""
    def set_up(sim):
        sim.d[_performing(sim)[:5]] = 1.1

    _, watch = _decide_at_month_3(UNSECURED, EarlyWarning(), set_up)
    assert not [a for _, a in watch.decision.actions if a == "accelerate"]


@pytest.mark.parametrize("strategy", [EarlyWarning(), Oracle()], ids=["early-warning", "oracle"])
def test_a_restructured_borrower_hit_by_a_disaster_gets_its_deferral(strategy):
    """A disaster's deferral is relief for every borrower it hit: a loan restructured
    before the disaster, now in arrears, gets it too (a second restructuring it cannot)."""
    chosen = {}

    def set_up(sim):
        i = int(_performing(sim)[0])
        chosen["loan"] = i
        sim.restructured_until[i] = 12
        sim.misses[i] = 1
        sim.dpd[i] = defaults.DAYS_PER_MONTH
        sim.d[i] = sim.e[i] = -0.5

    _, watch = _decide_at_month_3(DISASTER, strategy, set_up)
    assert watch.obs.restructured[chosen["loan"]] and watch.obs.disaster_region[chosen["loan"]]
    assert (chosen["loan"], "emergency_deferral") in watch.decision.actions
