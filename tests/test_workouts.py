"""Tests for sim.interventions.workouts: judicial auctions, lawsuits and recovery value."""

from __future__ import annotations

import numpy as np
import pytest

from sim import defaults
from sim.codes import LoanStatus
from sim.engine import Simulation
from sim.interventions import workouts
from sim.scenario import parse_scenario

BOOK = """
id: wk
title: {zh: 处置, en: Workout}
briefing: {zh: 处置, en: Workout}
horizon_months: 12
staff: {officers: 1, hours_per_officer_month: 100}
segments:
  - id: secured
    name: {zh: 抵押, en: Secured}
    product: working_capital
    count: 10
    amount: {median_cny: 2000000, sigma: 0.1}
    term_months: 36
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.02
    industry: manufacturing
    region: zhejiang
    collateral: {type: property, ltv: 1.5}
    guarantee: {structure: single, share: 1.0}
"""


@pytest.fixture()
def sim():
    s = Simulation(parse_scenario(BOOK, "wk.yaml"), seed=1)
    s.advance_to(2)
    i = 0
    s.status[i] = LoanStatus.DEFAULTED
    s.defaulted[i] = True
    return s


def _run_rounds(gen, sim, i, u: float):
    """Step an auction or lawsuit process by hand with a fixed outcome draw."""
    next(gen)
    with pytest.raises(StopIteration):
        while True:
            sim._u_act[i, :] = u
            next(gen)


def test_a_first_round_sale_fetches_the_average_auction_price(sim):
    """Sold in the first round: 77% of the collateral's value (domain: 2024 average)."""
    value = float(workouts.collateral_value(sim, 0))
    assert value * defaults.AUCTION_PRICE_SHARE < sim.balance[0]
    _run_rounds(workouts.auction(sim, 0), sim, 0, u=0.0)
    assert sim.recovered[0] == pytest.approx(value * defaults.AUCTION_PRICE_SHARE, rel=1e-12)
    assert sim.collateral_sold[0] and not sim.auction_open[0]


def test_the_sale_period_sells_at_the_second_rounds_reserve(sim):
    """Unsold in two rounds, sold in the sale period: the second round's start price,
    70% of value less the 20% cut, with no bidding on top."""
    value = float(workouts.collateral_value(sim, 0))
    p = defaults.AUCTION_SALE_PROBABILITY
    u = defaults.AUCTION_ROUND_CHANCES * (p["round2"] + p["sale_period"]) / 2  # only the last sells
    _run_rounds(workouts.auction(sim, 0), sim, 0, u=u)
    want = value * defaults.AUCTION_START_SHARE * (1 - defaults.AUCTION_SECOND_ROUND_CUT)
    assert sim.recovered[0] == pytest.approx(want, rel=1e-12)
    ev = sim.rec.event_frame()
    assert ev["event"].str.startswith("auction_unsold").sum() == 2


def test_enforcement_recovers_free_assets_and_a_sound_guarantor(sim):
    g = int(sim.pf.guarantor[0])
    assert g >= 0
    sim.d[g] = 1.0  # the guarantor is sound
    claim = float(sim.balance[0])
    want = claim * (workouts.residual_share(sim.distress_months[0])
                    + defaults.GUARANTEE_RECOVERY_SHARE)
    _run_rounds(workouts.lawsuit(sim, 0, 1), sim, 0, u=0.0)
    assert sim.recovered[0] == pytest.approx(want, rel=1e-12)
    assert sim.judgment[0]


def test_recovery_value_counts_what_a_workout_would_find(sim):
    """Collateral at auction prices, free assets and a sound guarantor, capped at the claim;
    a top-up sells at least as easily as EXTRA_COLLATERAL_LIQUIDITY."""
    sim.d[:] = -1.0  # no guarantor is sound
    v0 = workouts.recovery_value(sim)
    assert (v0 <= sim.balance + 1e-9).all()
    sim.pf.collateral_type[1] = 3  # construction: liquidity 0.6
    sim.extra_collateral[1] = 1.0
    assert float(workouts.liquidity(sim, 1)) == defaults.EXTRA_COLLATERAL_LIQUIDITY
    assert np.all(workouts.liquidity(sim) >= 0)
