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


def test_wave_ranks_count_earlier_actions_of_the_same_chain_on_the_same_loan():
    from sim.interventions.kernels_act import wave_ranks

    rng = np.random.default_rng(23)
    for m in (2, 10, 500):
        loans = rng.integers(0, 40, m)
        chain = rng.integers(-1, 2, m)
        got = wave_ranks(loans, chain, 40, 2)
        want = [0 if chain[j] < 0 else int(np.sum((loans[:j] == loans[j]) & (chain[:j] == chain[j])))
                for j in range(m)]
        assert got.tolist() == want


def test_first_failed_is_the_first_precondition_in_order_that_does_not_hold():
    from sim.interventions.kernels_act import first_failed

    rng = np.random.default_rng(24)
    n_reqs, n_codes, depth, m = 6, 5, 3, 400
    table = np.full((depth, n_codes), -1, dtype=np.int64)
    for c in range(n_codes):
        reqs = rng.choice(n_reqs, rng.integers(0, depth + 1), replace=False)
        table[:len(reqs), c] = reqs
    holds = rng.random((n_reqs, m)) < 0.8
    codes = rng.integers(0, n_codes, m)
    want = []
    for j, c in enumerate(codes.tolist()):
        failed = [k for k in range(depth) if table[k, c] >= 0 and not holds[table[k, c], j]]
        want.append(failed[0] if failed else -1)
    assert first_failed(holds, table, codes).tolist() == want
