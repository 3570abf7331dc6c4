"""Compiled paths against the numpy they replace, to the last bit: the recorder's month
tallies (sim.kernels.metrics) and a check's collateral fall
(sim.kernels.signals.collateral_fell)."""

from __future__ import annotations

import numpy as np

from sim.codes import LoanClass
from sim.kernels.metrics import month_tallies

SUBSTANDARD = int(LoanClass.SUBSTANDARD)


def test_the_month_tallies_are_numpys_to_the_last_bit():
    rng = np.random.default_rng(13)
    for _ in range(2000):
        by_cls = rng.random(len(LoanClass)) * 10.0 ** rng.integers(0, 12, len(LoanClass))
        by_cls[rng.random(len(LoanClass)) < 0.3] = 0.0
        rates = rng.random(len(LoanClass))
        default_month = np.where(rng.random(300) < 0.2, rng.integers(1, 60, 300), -1).astype(
            np.int32)
        npl, provisions, defaulted = month_tallies(by_cls, rates, SUBSTANDARD, default_month)
        assert npl == float(by_cls[SUBSTANDARD:].sum())
        assert provisions == float((by_cls * rates).sum())
        assert defaulted == int(np.count_nonzero(default_month >= 0))
        assert isinstance(defaulted, int) and isinstance(npl, float)


def test_a_checks_collateral_fall_in_one_pass_is_numpys_to_the_last_bit():
    """sim.signals.collateral_fell works out an array of loan numbers in compiled code
    (sim.kernels.signals.collateral_fell): the numpy figures, NaN and zero appraisals
    included."""
    from sim.kernels.signals import collateral_fell

    rng = np.random.default_rng(17)
    share = 0.7
    for _ in range(500):
        n = int(rng.integers(1, 400))
        appraised = rng.random(n) * 10.0 ** rng.integers(0, 8, n)
        appraised[rng.random(n) < 0.1] = 0.0
        appraised[rng.random(n) < 0.02] = np.nan
        idx = rng.choice(n, int(rng.integers(0, n + 1)), replace=False).astype(np.int64)
        value = appraised[idx] * rng.random(len(idx)) * 1.5
        has = rng.random(len(idx)) < 0.8
        want = has & (value < share * np.maximum(appraised[idx], 1.0))
        assert np.array_equal(collateral_fell(idx, value, has, appraised, share), want)
