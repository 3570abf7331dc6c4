"""The oracle's compiled value of relief (sim.kernels.h1_relief) is the array code it
replaced, to the last bit."""

from __future__ import annotations

import numpy as np

from sim.kernels.h1_relief import relief_margins, relief_net


def test_relief_margins_and_net_are_the_array_operations():
    rng = np.random.default_rng(7)
    n = 500
    margin_fresh = rng.normal(0.3, 1.0, n)
    margin_fresh[rng.random(n) < 0.1] = np.inf  # loans not performing
    region = rng.random(n) < 0.2
    chance = rng.random(n)
    idx = np.sort(rng.choice(n, 120, replace=False)).astype(np.int64)
    relief = rng.random(len(idx)) * 0.8
    for stage in (rng.random(len(idx)), np.full(len(idx), 1.0)):
        after, in_region = relief_margins(idx, margin_fresh, relief, stage, region)
        expected = margin_fresh[idx] + relief * stage
        assert np.array_equal(after, expected)
        assert in_region == region[idx].any()
        chance_after = rng.random(len(idx))
        gain = relief_net(idx, chance, chance_after, after, region)
        spent = ~region[idx] & (after < 0.0)
        assert np.array_equal(gain, np.where(spent, 0.0, chance[idx] - chance_after))


def test_no_loans_no_relief():
    none = np.zeros(0, dtype=np.int64)
    after, in_region = relief_margins(none, np.ones(3), np.zeros(0), np.zeros(0),
                                      np.ones(3, dtype=bool))
    assert after.shape == (0,) and not in_region
    assert relief_net(none, np.ones(3), np.zeros(0), after, np.ones(3, dtype=bool)).shape == (0,)
