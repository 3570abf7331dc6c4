"""The strategies' compiled loops give what the numpy code they replaced gave, to the bit."""

from __future__ import annotations

import numpy as np

from sim.observation import HOURS_TOLERANCE
from sim.strategies.kernels_decide import take_in_order


def _take_in_blocks(pair, size, hours, hours_left, tolerance):
    """The greedy pass in blocks as sim.strategies.triage ran it in numpy."""
    n = len(pair)
    take = np.zeros(n, dtype=bool)
    if not n:
        return take
    _, first = np.unique(pair, return_index=True)
    open_ = np.zeros(n, dtype=bool)
    open_[first] = True
    left = hours_left
    while left > 0 and open_.any():
        pos = np.flatnonzero(open_)
        cum = np.cumsum(hours[pos])
        fits = cum <= left + tolerance
        if fits.all():
            take[pos] = True
            break
        k = int(np.argmin(fits))
        take[pos[:k]] = True
        left -= float(cum[k - 1]) if k else 0.0
        open_[pos[:k + 1]] = False
        open_ &= hours <= left + tolerance
    return take


def test_take_in_order_is_the_greedy_pass_in_blocks():
    rng = np.random.default_rng(11)
    for n in (0, 1, 2, 7, 60, 400):
        for repeats in (3, 50, 10**6):
            for left in (0.0, 0.5, 3.0, 40.0, 1e4):
                pair = rng.integers(0, repeats, n)
                hours = rng.choice([0.0, 0.1, 0.25, 0.5, 1.0, 2.5, 4.0, 8.0], n) \
                    * rng.uniform(0.9, 1.1, n)
                got = take_in_order(pair, repeats, hours, left, HOURS_TOLERANCE)
                want = _take_in_blocks(pair, repeats, hours, left, HOURS_TOLERANCE)
                assert np.array_equal(got, want)


def test_what_is_taken_fits_the_hours_and_takes_each_pair_once():
    rng = np.random.default_rng(12)
    pair = rng.integers(0, 40, 300)
    hours = rng.uniform(0.1, 6.0, 300)
    for left in (1.0, 25.0, 300.0):
        take = take_in_order(pair, 40, hours, left, HOURS_TOLERANCE)
        assert hours[take].sum() <= left + 1e-6
        assert len(np.unique(pair[take])) == int(take.sum())
    # with hours for everything, every pair's first place is taken and no later one
    take = take_in_order(pair, 40, hours, 1e9, HOURS_TOLERANCE)
    _, first = np.unique(pair, return_index=True)
    assert np.array_equal(np.flatnonzero(take), np.sort(first))
