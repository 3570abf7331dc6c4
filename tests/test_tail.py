"""sim.tail: after the horizon, open workouts run to their end under the standing order,
for every strategy alike, so the calendar does not decide a loss."""

from __future__ import annotations

import pytest

from sim import defaults
from sim.engine import Simulation, simulate
from sim.scenario import parse_scenario

HORIZON = 12


def book(shock_month: int) -> str:
    """Sound borrowers on ample property (LTV 0.3), one of them hit hard in ``shock_month``."""
    return f"""
id: tail
title: {{zh: 尾声, en: Tail}}
briefing: {{zh: 尾声, en: Tail}}
horizon_months: {HORIZON}
staff: {{officers: 2}}
segments:
  - id: wc
    name: {{zh: 流贷, en: Working capital}}
    product: working_capital
    count: 8
    amount: {{median_cny: 2000000, sigma: 0.0}}
    term_months: 36
    repayment: interest_only_bullet
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.001
    industry: manufacturing
    region: zhejiang
    collateral: {{type: property, ltv: 0.3}}
borrowers:
  - id: hit
    segment: wc
    company: {{zh: 受冲击公司, en: Hit Co}}
    legal_rep: {{zh: 赵六, en: Zhao Liu}}
    events:
      - {{month: {shock_month}, kind: health_shock, severity: 5.0}}
"""


def hit_loan(shock_month: int, strategy: str, seed: int = 3):
    sc = parse_scenario(book(shock_month), "tail.yaml")
    r = simulate(sc, seed=seed, strategy=strategy)
    return r, r.loans.iloc[0]


@pytest.mark.parametrize("strategy", ["late-collection", "do-nothing", "early-warning"])
def test_a_default_at_the_end_is_worked_out_not_written_off(strategy):
    """The last possible default still has its collateral sold: the loss is not the exposure."""
    r, loan = hit_loan(HORIZON - 3, strategy)
    assert loan["default_month"] >= HORIZON - 1
    assert loan["loss_cny"] < 0.1 * loan["ead_cny"], "ample collateral: most of the claim comes back"
    after = r.events[(r.events["month"] > HORIZON) & (r.events["loan_id"] == 0)]
    assert after["event"].str.startswith("auction_sold").any()


def test_moving_a_default_one_month_later_changes_its_loss_by_no_more_than_discounting():
    rate = parse_scenario(book(3), "tail.yaml").discount_rate_annual
    one_month = 1 - (1 + rate) ** (-1 / 12)  # what one month's discounting takes off
    losses = {}
    for shock in range(HORIZON - 6, HORIZON - 2):
        _, loan = hit_loan(shock, "late-collection")
        losses[int(loan["default_month"])] = (float(loan["loss_cny"]), float(loan["ead_cny"]))
    months = sorted(losses)
    assert len(months) >= 3 and months[-1] >= HORIZON - 1, months
    for d in months:
        if d + 1 in losses:
            (a, ead), (b, _) = losses[d], losses[d + 1]
            assert abs(b - a) <= one_month * ead + 1.0, (d, a, b)


def test_the_tail_is_the_same_for_every_strategy_and_runs_once():
    sc = parse_scenario(book(HORIZON - 3), "tail.yaml")
    sim = Simulation(sc, seed=3)
    first = sim.run()
    again = sim.result()
    assert again.loss_cny == first.loss_cny, "a second look does not run the tail again"
    assert sim.t == HORIZON, "the clock the desk reads stays at the horizon"
    assert defaults.WORKOUT_TAIL_MONTHS >= 12
