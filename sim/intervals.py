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


BOOTSTRAP_DRAWS = 2000
"""Paired bootstrap resamples of the futures for the interval of the index (a ratio)."""
BOOTSTRAP_SEED = 20261201
"""A fixed generator: the same futures give the same interval, whatever runs them."""
BOOTSTRAP_BLOCK = 4_000_000
"""Resampled futures drawn at once (a study of up to 2,000 futures in one block)."""
BOOTSTRAP_QUANTILES = (0.025, 0.975)
"""The resamples' quantiles that bound the CONFIDENCE interval."""


def something_avoidable(late, oracle):
    """Whether losses (a future's, or means over futures) leave something to avoid: late
    collection loses more than the oracle by over 1 CNY and a millionth of its loss.
    Where it does not, the headline index is undefined (sim.scoring.headline_index)."""
    return (late - oracle) > np.maximum(1.0, 1e-6 * np.abs(late))


def index_interval(late, loss, oracle, champion=None) -> Interval:
    """The headline index of a strategy over a study's futures, on mean losses:
    (mean late-collection loss - mean loss) / (mean late - mean oracle), with a paired
    bootstrap 95% interval; with ``champion`` (its losses), the difference in that index
    against it: (mean champion - mean loss) / (mean late - mean oracle). NaN when the
    futures leave nothing to avoid.

    The mean of each future's index would let a future with little to avoid (the oracle
    within a few thousand yuan of late collection) swing the figure by many times its
    size; the index of the means weighs each future by what it had to avoid. The
    interval resamples whole futures, so the losses of a future stay together."""
    cols = [np.asarray(x, dtype=float) for x in (late, loss, oracle)] + (
        [] if champion is None else [np.asarray(champion, dtype=float)])
    keep = np.logical_and.reduce([np.isfinite(c) for c in cols])
    la, lo_, orc, *rest = (c[keep] for c in cols)
    base = rest[0] if rest else la
    n = len(la)
    if n == 0 or not something_avoidable(la.mean(), orc.mean()):
        return Interval(math.nan, math.nan, math.nan, n)
    point = float((base.mean() - lo_.mean()) / (la.mean() - orc.mean()))
    if champion is None and np.array_equal(lo_, orc):
        return Interval(1.0, 1.0, 1.0, n)  # the oracle's own: 1 in every future, by definition
    if n < 2:
        return Interval(point, point, point, n)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rows = max(1, min(BOOTSTRAP_DRAWS, BOOTSTRAP_BLOCK // n))  # memory stays flat in n
    parts = []
    for start in range(0, BOOTSTRAP_DRAWS, rows):
        idx = rng.integers(0, n, size=(min(rows, BOOTSTRAP_DRAWS - start), n))
        parts.append([c[idx].mean(axis=1) for c in (la, lo_, orc, base)])
    la_b, lo_b, orc_b, base_b = (np.concatenate(p) for p in zip(*parts, strict=True))
    ok = something_avoidable(la_b, orc_b)
    draws = (base_b[ok] - lo_b[ok]) / (la_b[ok] - orc_b[ok])
    if not len(draws):
        return Interval(point, math.nan, math.nan, n)
    q_lo, q_hi = np.quantile(draws, BOOTSTRAP_QUANTILES)
    # the percentile bootstrap covers too little on few futures (with five it called an
    # index 'clearly worse' while the loss difference behind it was within noise): the
    # interval is at least the Student-t interval of the paired loss difference (the
    # numerator, future by future) over the mean avoidable loss, so the index's verdict
    # never claims more than the losses it is made of
    num = mean_interval(base - lo_)
    scale = float(la.mean() - orc.mean())
    if math.isfinite(num.lo) and math.isfinite(num.hi):
        q_lo, q_hi = min(q_lo, num.lo / scale), max(q_hi, num.hi / scale)
    return Interval(point, float(q_lo), float(q_hi), n)


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
             "saves": Better.HIGHER, "relationship": Better.HIGHER,
             "refused_for_hours": Better.LOWER}


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
