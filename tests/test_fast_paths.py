"""Shortcuts taken for speed give what the plain formula gives, to the last bit."""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.credit import default_ahead, default_chance
from sim.loanbook import payment_burden, payment_burden_one


def test_default_chance_is_default_ahead_at_the_reference_barrier():
    d = np.random.default_rng(0).normal(0.0, 2.0, 3000)
    c = defaults.REFERENCE_BARRIER
    assert np.array_equal(default_chance(d), default_ahead(c + d, np.full(d.shape, c)))
    assert default_chance(0.4) == default_ahead(np.asarray(c + 0.4), np.full((), c))
    assert default_chance(d[:0]).shape == (0,)


def test_payment_burden_columns_match_the_formula_per_repayment_type():
    rng = np.random.default_rng(1)
    n = 400
    balance = rng.uniform(0, 1e6, n)
    rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.01, 0.12, n))
    months = rng.integers(1, 90, n)
    repayment = rng.integers(0, 3, n)
    got = payment_burden(balance, rate, months, repayment)
    want = [payment_burden_one(b, r, m, k) for b, r, m, k in
            zip(balance.tolist(), rate.tolist(), months.tolist(), repayment.tolist(), strict=True)]
    # numpy's and Python's power may differ in the last bit; everything else is the same
    assert np.allclose(got, want, rtol=1e-12, atol=0.0)


def test_recent_alerts_count_the_chosen_signals_seen_in_the_window():
    from sim.signals import _alert_columns, recent_alerts

    last_seen = np.random.default_rng(2).integers(-99, 60, (500, 15)).astype(np.int32)
    for groups in (None, ("financial",), ("account_flows", "public_record")):
        for include_payment in (False, True):
            for month in (4, 30, 61):
                cols = _alert_columns(groups, include_payment)
                want = (last_seen[:, cols] > month - 4).sum(axis=1)
                got = recent_alerts(last_seen, month, 3, groups, include_payment)
                assert got.dtype == want.dtype and np.array_equal(got, want)


def test_candidates_ranked_as_lexsort_ranks_them():
    """Triage ranks candidates by value, then loan, then action, then place (np.lexsort);
    its faster sort must give that order, ties and repeated pairs included."""
    from sim.strategies.kernels_decide import settle_ties

    rng = np.random.default_rng(4)
    for size in (0, 1, 2, 50, 3000):
        for distinct in (2, 40, 10**9):
            value = rng.integers(1, distinct, size) * 0.37
            loans = rng.integers(0, 30, size)
            codes = rng.integers(0, 4, size)
            want = np.lexsort((codes, loans, -value))
            order = np.argsort(-value)
            settle_ties(order, loans, codes, value)
            assert np.array_equal(order, want)


def test_barrier_groups_are_the_unique_segment_industry_region_triples():
    """The credit model groups loans by (segment, industry, region) through one integer key;
    the groups and each loan's group are those of np.unique over the triples."""
    from pathlib import Path

    from sim.engine import Simulation
    from sim.scenario import load_scenario

    root = Path(__file__).resolve().parent.parent / "scenarios"
    for path in sorted(root.glob("*.yaml")):
        sim = Simulation(load_scenario(path), seed=5)
        pf = sim.pf
        groups, group_of = np.unique(np.stack([pf.segment, pf.industry, pf.region]), axis=1,
                                     return_inverse=True)
        assert np.array_equal(group_of.ravel(), sim._group_of)
        for want, got in zip(groups, sim._groups, strict=True):
            assert np.array_equal(want, got)
