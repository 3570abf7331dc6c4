"""sim.kernels.h2_metrics against the numpy it replaces, to the last bit."""

from __future__ import annotations

import numpy as np

from sim.codes import LoanClass
from sim.kernels.h2_metrics import month_tallies

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
