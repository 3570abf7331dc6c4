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
