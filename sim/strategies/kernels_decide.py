"""Compiled loops for the strategies' decisions (numba): each does what the numpy code it
replaced did, in the same operations and the same order, so every figure is the same to
the last bit (`tests/test_kernels_decide.py` holds them to plain-numpy references).

A month's decision is a few hundred small steps on 2,000-element columns; in numpy each
step costs more in calling than in work. These loops run the chain in one call.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import compiled


@compiled
def take_in_order(pair: np.ndarray, size: int, hours: np.ndarray, hours_left: float,
                  tolerance: float) -> np.ndarray:
    """Which of the ordered candidates to take: each pair code (a (loan, action) in
    [0, size)) at its first place only, every one that still fits in the hours.

    The greedy pass in blocks of sim.strategies.triage: the open candidates' hours summed
    in order; all that fit up to the first that does not are taken and their sum charged
    at once; the one that did not fit, and every one longer than the hours now left, are
    closed; again while hours and open candidates remain."""
    n = len(pair)
    take = np.zeros(n, dtype=np.bool_)
    open_ = np.empty(n, dtype=np.bool_)
    seen = np.zeros(size, dtype=np.bool_)
    for k in range(n):
        open_[k] = not seen[pair[k]]
        seen[pair[k]] = True
    left = hours_left
    while left > 0:
        cum = 0.0
        before = 0.0  # the sum up to the first that does not fit
        stop = -1
        any_open = False
        for k in range(n):
            if open_[k]:
                any_open = True
                before = cum
                cum += hours[k]
                if not cum <= left + tolerance:
                    stop = k
                    break
        if not any_open:
            break
        if stop < 0:  # every open one fits
            for k in range(n):
                if open_[k]:
                    take[k] = True
            break
        for k in range(stop):
            if open_[k]:
                take[k] = True
                open_[k] = False
        open_[stop] = False
        left -= before
        for k in range(n):
            if open_[k] and not hours[k] <= left + tolerance:
                open_[k] = False
    return take
