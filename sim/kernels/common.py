"""What the compiled kernels share: the decorator and three small helpers."""

from __future__ import annotations

import numpy as np

from sim.compiled import compiled


def kernel(fn):
    """sim.compiled.compiled (cached on disk where a cache can be written) with numpy's
    error model: a division by zero gives inf or nan, as numpy's does, rather than
    raising. The first run on a machine compiles (seconds); later processes load the
    cache."""
    return compiled(fn, error_model="numpy")


@kernel
def _maximum(a, b):
    """np.maximum on two numbers (NaN propagates)."""
    if a != a or a >= b:
        return a
    return b


@kernel
def _minimum(a, b):
    """np.minimum on two numbers (NaN propagates)."""
    if a != a or a <= b:
        return a
    return b


@kernel
def _indices(mask):
    """np.flatnonzero(mask) (a loop: numba compiles np.flatnonzero slowly)."""
    count = 0
    for i in range(len(mask)):
        count += mask[i]
    out = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(len(mask)):
        if mask[i]:
            out[k] = i
            k += 1
    return out
