"""Intervals, paired differences and verdicts over a study's replications.

Every figure a study reports is a mean with its two-sided Student t interval over the
seeds; strategies are compared with the champion seed by seed (common random numbers),
and a difference is called better or worse only when its interval excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.special import stdtrit

CONFIDENCE = 0.95
"""Two-sided level of every interval a study reports."""


@dataclass(frozen=True)
class Interval:
    """A mean with its two-sided CONFIDENCE interval (Student t) over n values."""

    mean: float
    lo: float
    hi: float
    n: int

    def as_dict(self) -> dict:
        def plain(x):
            return None if x is None or not math.isfinite(x) else float(x)

        return {"mean": plain(self.mean), "lo": plain(self.lo), "hi": plain(self.hi),
                "n": self.n}


def mean_interval(values: Iterable[float | None]) -> Interval:
    """Mean and t interval of the finite values (None and NaN are left out, not zero)."""
    v = np.array([x for x in values if x is not None], dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    m = float(v.mean())
    if n == 1:
        return Interval(m, m, m, 1)
    half = float(stdtrit(n - 1, 0.5 + CONFIDENCE / 2)) * float(v.std(ddof=1)) / math.sqrt(n)
    return Interval(m, m - half, m + half, n)


def floored_interval(values: Iterable[float | None]) -> Interval:
    """mean_interval, except that a quantity never negative in the values (a loss, hours,
    a share) keeps its interval at or above 0."""
    finite = [float(x) for x in values if x is not None and math.isfinite(x)]
    m = mean_interval(finite)
    if m.n and min(finite) >= 0 and m.lo < 0:
        return Interval(m.mean, 0.0, m.hi, m.n)
    return m


def share_interval(values: Iterable[float | None]) -> Interval:
    """floored_interval of a share (a compliance, a ratio): its interval also stops at 1,
    as a t interval on a few futures can reach past it ("98% [77% to 120%]")."""
    m = floored_interval(values)
    if m.n and m.hi > 1.0 >= m.mean:
        return Interval(m.mean, m.lo, 1.0, m.n)
    return m


def paired_difference(a: np.ndarray, b: np.ndarray) -> Interval:
    """Mean of a - b over the seeds where both are finite, with its interval."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return mean_interval(a - b)


class Better(StrEnum):
    """Which way a figure is better."""

    LOWER = "lower"
    HIGHER = "higher"


DIRECTION = {"loss_cny": Better.LOWER, "hours": Better.LOWER, "cost_cny": Better.LOWER,
             "missed_warnings": Better.LOWER, "npl_ratio_peak": Better.LOWER,
             "provisions_end_cny": Better.LOWER, "defaults": Better.LOWER,
             "index": Better.HIGHER, "net_value_cny": Better.HIGHER,
             "interest_cny": Better.HIGHER, "compliance": Better.HIGHER,
             "policy_compliance": Better.HIGHER,
             "saves": Better.HIGHER, "relationship": Better.HIGHER}


class Verdict(StrEnum):
    """A paired difference against the champion, in words a manager reads."""

    BETTER = "better"  # clearly better: the interval excludes zero on the good side
    WORSE = "worse"
    WITHIN_NOISE = "within_noise"
    SAME = "same"  # identical on every seed
    UNKNOWN = "unknown"  # fewer than two comparable seeds


def verdict(diff: Interval, figure: str) -> Verdict:
    """Clear when the interval of (strategy - champion) excludes zero, else within noise."""
    if diff.n == 0 or not math.isfinite(diff.mean):
        return Verdict.UNKNOWN
    if diff.lo == 0 == diff.hi:
        return Verdict.SAME
    if diff.n < 2:
        return Verdict.UNKNOWN
    higher_better = DIRECTION.get(figure, Better.LOWER) is Better.HIGHER
    if diff.lo > 0:
        return Verdict.BETTER if higher_better else Verdict.WORSE
    if diff.hi < 0:
        return Verdict.WORSE if higher_better else Verdict.BETTER
    return Verdict.WITHIN_NOISE
