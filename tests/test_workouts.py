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
    sim.lot_luck[i, :] = u
    sim.assets_luck[i] = u
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


def _workout_outcome(start_month: int) -> tuple[str, str]:
    """Loan 0 defaulted, sued and auctioned from `start_month` on, run to its end: in which
    round its collateral sold and whether the judgment found assets."""
    s = Simulation(parse_scenario(BOOK, "wk.yaml"), seed=7)
    s.advance_to(start_month)
    s.status[0] = LoanStatus.DEFAULTED
    s.defaulted[0] = True
    s.env.process(workouts.lawsuit(s, 0, 1))
    s.env.process(workouts.auction(s, 0))
    s.env.run(until=s.env.now + 6)
    ev = s.rec.event_frame()
    ev = ev[ev["loan_id"] == 0]
    sold = ev["event"][ev["event"].str.startswith("auction_sold")].tolist()
    judged = ev["event"][ev["event"].str.startswith("judgment")].tolist()
    return (sold or ["unsold"])[0], judged[0]


def test_the_same_lot_meets_the_same_bidders_whenever_it_is_auctioned():
    """Common random numbers for the workout: how keen bidders are on a lot in each round,
    and whether the debtor has assets a court can find, belong to the lot and the debtor,
    not to the month. The same loan taken to auction in month 3 or month 7 sells in the
    same round and its judgment finds the same; only prices and values differ."""
    seen = {_workout_outcome(m) for m in (3, 5, 7)}
    assert len(seen) == 1


def test_every_lot_has_its_own_luck_and_a_reoffered_lot_meets_new_bidders(sim):
    """The first auction reads the lot's own draws (different lots differ); a second
    auction of an unsold lot reads the month's draws, so it can still sell."""
    assert len(np.unique(sim.lot_luck[:, 0])) == sim.n
    sim.lot_luck[0, :] = 1.0  # nobody bids at the first auction
    gen = workouts.auction(sim, 0)
    next(gen)
    with pytest.raises(StopIteration):
        while True:
            next(gen)
    assert not sim.collateral_sold[0]
    _run_rounds_month_draws(workouts.auction(sim, 0), sim, 0, u=0.0)
    assert sim.collateral_sold[0]


def _run_rounds_month_draws(gen, sim, i, u: float):
    next(gen)
    with pytest.raises(StopIteration):
        while True:
            sim._u_act[i, :] = u
            next(gen)


def test_one_loans_collateral_liquidity_and_sale_chance_are_its_column_figures(sim):
    """An auction round reads one loan on scalars; it must get the very figures the
    columns give that loan (sold, topped up or neither)."""
    sim.collateral_sold[1] = True
    sim.extra_collateral[2] = 1e5
    sim.extra_collateral[3] = 2e5
    sim.collateral_sold[3] = True
    value, liq = workouts.collateral_value(sim), workouts.liquidity(sim)
    for i in range(sim.n):
        assert workouts.collateral_value(sim, i) == value[i]
        assert workouts.collateral_value(sim, np.int64(i)) == value[i]
        assert workouts.liquidity(sim, i) == liq[i]
        for name, _, _, _ in workouts.AUCTION_ROUNDS:
            assert workouts.sale_chance(name, float(liq[i])) == \
                workouts.sale_chance(name, liq)[i]


DEPOSIT_BOOK = BOOK.replace("collateral: {type: property, ltv: 1.5}",
                            "collateral: {type: deposit, ltv: 0.8}") + """
collateral_index:
  - {month: 0, value: 1.0}
  - {month: 6, value: 0.6}
"""


def test_a_pledged_deposit_keeps_its_face_value_and_is_set_off_in_full():
    """存单质押: a deposit is cash the bank holds. A falling property index and the
    borrower's distress do not touch it, and enforcement sets it off against the claim at
    face value in the first round, where property would sell at auction prices or not at
    all (an ordinary instructor's deposit-secured case lost up to 90% of a default)."""
    s = Simulation(parse_scenario(DEPOSIT_BOOK, "wk-deposit.yaml"), seed=1)
    s.advance_to(8)  # the index has fallen to 0.6
    i = 0
    s.condition[i] = 0.5  # distress has worn down what a property would be worth
    face = float(s.pf.appraised0[i])
    assert float(workouts.collateral_value(s, i)) == face
    assert workouts.collateral_value(s, np.array([i], dtype=np.int64))[0] == face
    s.status[i] = LoanStatus.DEFAULTED
    s.defaulted[i] = True
    claim = float(s.balance[i])
    assert face > claim  # LTV 0.8: the deposit covers the claim
    _run_rounds(workouts.auction(s, i), s, i, u=0.99)  # bidders that would buy nothing
    assert s.balance[i] == pytest.approx(0.0, abs=defaults.PAID_OFF_TOLERANCE_CNY)
    assert s.recovered[i] == pytest.approx(claim)
    events = [e for m, j, e, *_ in s.rec.event_rows() if j == i]
    assert "deposit_set_off" in events and not any(e.startswith("auction_") for e in events)


def test_the_mark_expects_a_pledged_deposit_to_cover_its_claim():
    """The horizon mark values a deposit-secured claim as the set-off pays it: in full,
    less only the months to enforcement."""
    s = Simulation(parse_scenario(DEPOSIT_BOOK, "wk-deposit.yaml"), seed=1)
    s.advance_to(8)
    idx = np.array([0, 1], dtype=np.int64)
    claim = s.balance[idx]
    got = workouts.expected_workout_recovery(s, idx, claim)
    months = 1 + defaults.SECURITY_ENFORCEMENT_MONTHS + workouts.AUCTION_ROUNDS[0][3]
    assert got == pytest.approx(claim * workouts._discount(s, s.T + months))
