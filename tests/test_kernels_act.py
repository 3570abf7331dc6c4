"""The actions' compiled loops give what the one-loan formulas give, to the bit."""

from __future__ import annotations

import numpy as np

from sim.interventions.kernels_act import BURDEN_HORIZON_MONTHS, burden_one
from sim.loanbook import payment_burden_one


def test_burden_one_is_the_one_loan_burden_for_every_repayment_type():
    rng = np.random.default_rng(21)
    n = 20000
    balance = np.where(rng.random(n) < 0.03, 0.0, rng.uniform(1e3, 5e7, n))
    rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.0, 0.15, n))
    remaining = rng.integers(0, 400, n)  # 0: at maturity, counted as one month
    repayment = rng.integers(0, 4, n)
    for b, r, m, k in zip(balance.tolist(), rate.tolist(), remaining.tolist(),
                          repayment.tolist(), strict=True):
        assert burden_one(b, r, m, k, BURDEN_HORIZON_MONTHS) == payment_burden_one(b, r, m, k)


def test_payment_cut_is_the_numpy_burden_before_and_after_to_the_bit():
    """Strategies weigh relief with numpy's burden (its vectorised power); the compiled
    path around that power must give the very same cut."""
    from sim.defaults import INTERVENTIONS
    from sim.interventions.effects import payment_cut
    from sim.loanbook import payment_burden

    params = INTERVENTIONS["restructure"].params
    rng = np.random.default_rng(22)
    for n in (1, 5, 3000):
        balance = np.where(rng.random(n) < 0.03, 0.0, rng.uniform(1e3, 5e7, n))
        rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.0, 0.15, n))
        remaining = rng.integers(1, 400, n)
        repayment = rng.integers(0, 4, n)
        new_rate = np.maximum(0.0, rate - params["rate_concession"])
        new_remaining = np.ceil(remaining * params["term_stretch"]) + params["term_add_months"]
        before = payment_burden(balance, rate, remaining, repayment)
        after = payment_burden(balance, new_rate, new_remaining, repayment)
        with np.errstate(divide="ignore", invalid="ignore"):
            want = np.maximum(np.where(before > 0, 1.0 - after / before, 0.0), 0.0)
        got_rate, got_remaining, cut = payment_cut(balance, rate, remaining, repayment, params)
        assert np.array_equal(cut, want)
        assert np.array_equal(got_rate, new_rate) and np.array_equal(got_remaining, new_remaining)
