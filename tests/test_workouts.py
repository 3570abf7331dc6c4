"""Tests for sim.interventions.workouts: judicial auctions, lawsuits and recovery value."""

from __future__ import annotations

import numpy as np
import pytest

from sim import defaults
from sim.codes import LoanStatus
from sim.engine import Simulation
from sim.interventions import workouts
from sim.interventions.catalogue import PRECONDITIONS
from sim.interventions.effects import EFFECTS
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
    assert sim.judgment[0] and sim.enforced[0]


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
    s.env.run(until=s.env.now + 2 + defaults.ENFORCEMENT_MONTHS)
    ev = s.rec.event_frame()
    ev = ev[ev["loan_id"] == 0]
    sold = ev["event"][ev["event"].str.startswith("auction_sold")].tolist()
    found = ev["event"][ev["event"].isin(["judgment_enforced", "enforcement"])].tolist()
    return (sold or ["unsold"])[0], found[0]


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


SHORT_DEPOSIT_BOOK = BOOK.replace("collateral: {type: property, ltv: 1.5}",
                                  "collateral: {type: deposit, ltv: 1.5}")
"""Deposits worth two thirds of each line: a default leaves a shortfall a top-up can cover."""


def _deposit_and_top_up(seed: int = 1) -> tuple[Simulation, int, float, float]:
    """Loan 0 of a short-deposit book, topped up with extra collateral while sound, then
    defaulted; returns the run, the loan, the deposit's face value and the top-up."""
    s = Simulation(parse_scenario(SHORT_DEPOSIT_BOOK, "wk-short-deposit.yaml"), seed=seed)
    s.advance_to(3)
    i = 0
    s.d[i] = 2.0  # sound: the borrower can still give security
    it = defaults.INTERVENTIONS["add_collateral"]
    assert workouts.set_off(s, i)
    assert EFFECTS["add_collateral"](s, i, it, s.t) == "obtained"
    s.status[i] = LoanStatus.DEFAULTED
    s.defaulted[i] = True
    return s, i, float(s.pf.appraised0[i]), float(s.extra_collateral[i])


def test_a_deposit_with_a_top_up_is_set_off_and_only_the_top_up_is_auctioned():
    """存单质押 plus extra collateral: the bank sets the deposit off at face value and puts
    only the top-up to auction, so the default recovers the deposit in full and the
    top-up at auction prices: more than an auction of both would."""
    s, i, face, extra = _deposit_and_top_up()
    claim = float(s.balance[i])
    assert face < claim < face + extra / defaults.AUCTION_PRICE_SHARE
    # the lot is the top-up alone, sold as easily as any top-up
    assert float(workouts.lot_value(s, i)) == extra
    assert float(workouts.liquidity(s, i)) == defaults.EXTRA_COLLATERAL_LIQUIDITY
    _run_rounds(workouts.auction(s, i), s, i, u=0.0)  # bidders buy in the first round
    sold = extra * defaults.AUCTION_PRICE_SHARE
    assert s.recovered[i] == pytest.approx(min(claim, face + sold), rel=1e-12)
    auction_of_both = (face + extra) * defaults.AUCTION_PRICE_SHARE
    assert s.recovered[i] > auction_of_both
    rows = [(m, e, cash) for m, j, e, cash, *_ in s.rec.event_rows() if j == i]
    events = [e for _, e, _ in rows]
    assert events.index("deposit_set_off") < events.index("auction_sold_round1")
    set_off_cash = [cash for _, e, cash in rows if e == "deposit_set_off"]
    assert set_off_cash == [pytest.approx(face)]
    assert not workouts.has_security(s, i) and not s.auction_open[i]


def test_an_unsold_top_up_stays_to_be_auctioned_again_after_the_set_off():
    """Nobody bids for the top-up: the deposit is still set off in full, and the top-up is
    still the bank's security, so the standing order can offer it again (and it sells)."""
    s, i, face, extra = _deposit_and_top_up()
    claim = float(s.balance[i])
    _run_rounds(workouts.auction(s, i), s, i, u=0.99)
    assert s.recovered[i] == pytest.approx(face)
    assert workouts.has_security(s, i)
    assert float(workouts.collateral_value(s, i)) == extra
    assert PRECONDITIONS["has_collateral"](s, i, None, s.t)  # the auction may run again
    _run_rounds_month_draws(workouts.auction(s, i), s, i, u=0.0)
    assert s.recovered[i] == pytest.approx(min(claim, face + extra * defaults.AUCTION_PRICE_SHARE))
    assert not workouts.has_security(s, i)


def test_the_mark_sets_off_the_deposit_then_values_the_top_up_by_the_auction_law():
    """The horizon mark values a deposit with a top-up as the workout runs it: the deposit
    at face value when the first round falls due, plus the top-up alone by the auction
    law on what the deposit left owed, exactly as a claim of that size secured by the
    top-up alone."""
    s, i, face, extra = _deposit_and_top_up()
    s.judgment[i] = s.enforced[i] = True  # enforcement has ended: the mark is the security alone
    idx = np.array([i], dtype=np.int64)
    claim = s.balance[idx].copy()
    got = workouts.expected_workout_recovery(s, idx, claim)[0]
    first_round = 1 + defaults.SECURITY_ENFORCEMENT_MONTHS + workouts.AUCTION_ROUNDS[0][3]
    deposit_part = face * workouts._discount(s, s.T + first_round)
    s.collateral_sold[i] = True  # the same claim once the deposit is set off: the top-up alone
    top_up_alone = workouts.expected_workout_recovery(s, idx, claim - face)[0]
    assert top_up_alone > 0
    assert got == pytest.approx(deposit_part + top_up_alone, rel=1e-12)
    # and more than the deposit alone, less than the deposit and the top-up at full value
    assert deposit_part < got < (face + extra) * workouts._discount(s, s.T + first_round)


@pytest.mark.parametrize(("claim", "fee"), [
    (8_000.0, 50.0),  # the first CNY 10,000: a flat 50
    (100_000.0, 50.0 + 0.025 * 90_000),  # 2,300
    (200_000.0, 2_300.0 + 0.02 * 100_000),  # 4,300
    (5_000_000.0, 46_800.0),  # the lesson's worked figure (interventions: about 47,000)
    (30_000_000.0, 46_800.0 + 0.007 * 5e6 + 0.006 * 1e7 + 0.005 * 1e7),
])
def test_the_court_fee_is_tiered_by_the_litigation_fee_measures(claim, fee):
    """The case acceptance fee is charged band by band (诉讼费用交纳办法 Art. 13), so a
    household's CNY 100,000 claim pays 2.3% and a 30 million claim about 0.64%: a flat 0.8%
    (the 2-5 million band's rate) undercharged every small claim."""
    from sim.observation import court_fee

    assert court_fee(claim) == pytest.approx(fee, rel=1e-12)


def test_a_lawsuit_costs_the_tiered_court_fee_and_the_legal_costs_of_its_claim(sim):
    from sim.observation import action_cost, court_fee

    claim = float(workouts.balance_or_claim(sim, 0))
    want = defaults.LEGAL_COST_SHARE * claim + court_fee(claim)
    assert action_cost(sim, 0, "lawsuit") == pytest.approx(want, rel=1e-12)
    assert court_fee(claim) / claim > 0.008  # a CNY 2 million claim pays more than 0.8%


def test_free_assets_are_found_by_the_enforcement_six_months_after_the_judgment(sim):
    """Judgment after the lawsuit's months (first instance and appeal), then the
    enforcement's months (domain: about 6) before free assets come back: the judgment
    alone recovers nothing."""
    sim.assets_luck[0] = 0.0  # the debtor has assets a court can find
    sim.pf.collateral_type[0] = workouts.NO_COLLATERAL
    start = sim.env.now
    sim.env.process(workouts.lawsuit(sim, 0, defaults.LAWSUIT_MONTHS))
    sim.env.run(until=start + defaults.LAWSUIT_MONTHS + 0.5)
    assert sim.judgment[0] and not sim.enforced[0] and sim.recovered[0] == 0.0
    sim.env.run(until=start + defaults.LAWSUIT_MONTHS + defaults.ENFORCEMENT_MONTHS + 0.5)
    assert sim.enforced[0] and sim.recovered[0] > 0.0
    ev = sim.rec.event_frame()
    ev = ev[ev["loan_id"] == 0].set_index("event")["month"]
    assert ev["judgment_enforced"] - ev["judgment"] == defaults.ENFORCEMENT_MONTHS
