"""Tests for sim.intervals: means and paired differences with their t intervals against
hand-computed values, and the verdicts a manager reads (better, worse, within noise)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.intervals import (
    DIRECTION,
    Better,
    Interval,
    Verdict,
    index_interval,
    mean_interval,
    paired_difference,
    verdict,
)
from sim.run_summary import FIGURES


def test_mean_interval_by_hand():
    # mean 2.5, sd sqrt(5/3), t(0.975, 3) = 3.182 (any t table)
    iv = mean_interval([1.0, 2.0, 3.0, 4.0])
    half = 3.182 * math.sqrt(5 / 3) / 2
    assert iv.mean == pytest.approx(2.5) and iv.n == 4
    assert iv.lo == pytest.approx(2.5 - half, rel=1e-3)
    assert iv.hi == pytest.approx(2.5 + half, rel=1e-3)
    # None and NaN (an index where nothing was avoidable) are left out, not counted as zero
    assert mean_interval([None, math.nan, 2.0, 4.0]).mean == pytest.approx(3.0)
    assert mean_interval([7.0]).as_dict() == {"mean": 7.0, "lo": 7.0, "hi": 7.0, "n": 1}
    assert mean_interval([None]).as_dict() == {"mean": None, "lo": None, "hi": None, "n": 0}


def test_paired_difference_by_hand():
    # losses on four common futures; differences 2, 1, 0, 4: mean 1.75, sd sqrt(8.75/3)
    challenger = np.array([10.0, 12.0, 9.0, 14.0])
    champion = np.array([8.0, 11.0, 9.0, 10.0])
    iv = paired_difference(challenger, champion)
    half = 3.182 * math.sqrt(8.75 / 3) / 2  # 2.718
    assert iv.mean == pytest.approx(1.75)
    assert (iv.lo, iv.hi) == (pytest.approx(1.75 - half, rel=1e-3),
                              pytest.approx(1.75 + half, rel=1e-3))
    assert verdict(iv, "loss_cny") is Verdict.WITHIN_NOISE  # the interval spans zero
    # the same means unpaired would be noisier: pairing is what makes a difference clear
    clear = paired_difference(champion + np.array([1.0, 1.2, 0.9, 1.1]), champion)
    # differences 1, 1.2, 0.9, 1.1: mean 1.05, sd sqrt(0.05/3), half 3.182 * 0.1291 / 2
    assert clear.lo == pytest.approx(1.05 - 3.182 * math.sqrt(0.05 / 3) / 2, rel=1e-3)
    assert verdict(clear, "loss_cny") is Verdict.WORSE  # more loss is worse
    assert verdict(clear, "net_value_cny") is Verdict.BETTER  # more net value is better
    assert verdict(paired_difference(champion, champion), "loss_cny") is Verdict.SAME


def test_paired_difference_skips_futures_where_either_is_undefined():
    a = np.array([1.0, np.nan, 3.0, 5.0])
    b = np.array([0.0, 2.0, np.nan, 1.0])
    iv = paired_difference(a, b)
    assert iv.n == 2 and iv.mean == pytest.approx(2.5)


def test_a_verdict_needs_two_comparable_seeds():
    assert verdict(mean_interval([]), "loss_cny") is Verdict.UNKNOWN
    assert verdict(mean_interval([1.0]), "loss_cny") is Verdict.UNKNOWN
    assert verdict(paired_difference(np.array([1.0, np.nan]), np.array([0.0, 1.0])),
                   "loss_cny") is Verdict.UNKNOWN


@pytest.mark.parametrize("figure", sorted(DIRECTION))
def test_a_clear_difference_reads_the_figures_direction(figure):
    up = Interval(mean=1.0, lo=0.5, hi=1.5, n=4)
    down = Interval(mean=-1.0, lo=-1.5, hi=-0.5, n=4)
    good, bad = ((Verdict.BETTER, Verdict.WORSE) if DIRECTION[figure] is Better.HIGHER
                 else (Verdict.WORSE, Verdict.BETTER))
    assert (verdict(up, figure), verdict(down, figure)) == (good, bad)


def test_directions_are_for_figures_a_study_reports():
    assert set(DIRECTION) <= set(FIGURES)
    assert DIRECTION["loss_cny"] is Better.LOWER and DIRECTION["index"] is Better.HIGHER


def test_a_quantity_never_negative_keeps_its_interval_at_or_above_zero():
    from sim.intervals import floored_interval, mean_interval

    losses = [0.0, 0.0, 0.0, 9.0]  # mostly nothing lost: the t interval dips below 0
    assert mean_interval(losses).lo < 0
    floored = floored_interval(losses)
    assert floored.lo == 0.0 and floored.mean == 2.25 and floored.n == 4
    assert floored.hi == mean_interval(losses).hi
    savings = [-3.0, 1.0, 2.0]  # a difference can be negative: left as it is
    assert floored_interval(savings) == mean_interval(savings)
    assert floored_interval([None, float("nan")]).n == 0


def test_the_index_is_taken_on_mean_losses_by_hand():
    late, oracle = np.array([100.0, 200.0, 300.0]), np.array([50.0, 50.0, 50.0])
    loss = np.array([75.0, 150.0, 225.0])
    iv = index_interval(late, loss, oracle)
    assert iv.mean == pytest.approx((200 - 150) / (200 - 50)) and iv.n == 3
    assert iv.lo <= iv.mean <= iv.hi
    assert index_interval(late, late, oracle).mean == 0.0
    # the references' own indices are 0 and 1 in every future, by definition: no interval
    # around them (the lab showed the oracle at 100% [63% to 137%])
    lc = index_interval(late, late, oracle)
    assert lc.lo == lc.hi == 0.0
    orc = index_interval(late, oracle, oracle)
    assert orc.mean == orc.lo == orc.hi == 1.0
    # against a champion: the difference of the two indices
    champion = np.array([90.0, 180.0, 270.0])
    diff = index_interval(late, loss, oracle, champion)
    assert diff.mean == pytest.approx((180 - 150) / 150)
    same = index_interval(late, champion, oracle, champion)
    assert same.mean == same.lo == same.hi == 0.0


def test_a_future_with_little_to_avoid_does_not_swing_the_index():
    """The oracle within 900 CNY of late collection in one future: that future's own index
    is 86 (a strategy that lost 3k there) and the mean of the futures' indices over 20;
    the index of the means weighs each future by what it had to avoid."""
    late = np.array([78_491.0, 452_920.0, 266_605.0, 669_841.0])
    oracle = np.array([77_613.0, 346_145.0, 155_794.0, 538_768.0])
    loss = np.array([3_066.0, 487_091.0, 85_324.0, 189_687.0])
    per_future = (late - loss) / (late - oracle)
    assert per_future.mean() > 20
    iv = index_interval(late, loss, oracle)
    assert iv.mean == pytest.approx((late.mean() - loss.mean()) / (late.mean() - oracle.mean()))
    assert iv.mean < per_future.mean() / 10
    assert math.isfinite(iv.lo) and math.isfinite(iv.hi)


def test_the_index_is_undefined_when_nothing_was_avoidable_or_a_future_is_missing():
    late = np.array([100.0, 100.0])
    assert math.isnan(index_interval(late, late, late).mean)
    some = index_interval(np.array([100.0, 300.0, np.nan]), np.array([80.0, 200.0, 5.0]),
                          np.array([50.0, 100.0, 1.0]))
    assert some.n == 2  # the future without a figure is left out


def test_a_long_study_bootstraps_its_index_in_blocks_with_the_same_answer_shape():
    """Over BOOTSTRAP_BLOCK resampled futures the draws come in blocks (memory stays flat);
    the interval still brackets the index and narrows as futures are added."""
    from sim.intervals import BOOTSTRAP_BLOCK, BOOTSTRAP_DRAWS

    rng = np.random.default_rng(3)
    n = BOOTSTRAP_BLOCK // BOOTSTRAP_DRAWS + 1000  # beyond one block
    late = rng.gamma(2, 1e5, n)
    loss, oracle = late * rng.uniform(0.2, 1.2, n), late * rng.uniform(0, 1, n)
    long_ = index_interval(late, loss, oracle)
    short = index_interval(late[:100], loss[:100], oracle[:100])
    assert long_.lo < long_.mean < long_.hi and long_.n == n
    assert long_.hi - long_.lo < (short.hi - short.lo) / 3


def test_on_few_futures_the_index_claims_no_more_than_its_losses():
    """Five futures where the challenger loses more in each, by amounts that vary widely:
    the paired loss difference is within noise (Student's t on 4 degrees of freedom), so
    the index difference built on it is too (the percentile bootstrap alone called it
    clearly worse: every resample of five negative differences is negative)."""
    late = np.array([2.0e6, 3.0e6, 9.0e6, 12.0e6, 4.0e6])
    oracle = late * 0.2
    champion = late * 0.5
    loss = champion + np.array([0.05e6, 0.1e6, 2.0e6, 3.5e6, 0.2e6])  # worse in each
    diff = paired_difference(loss, champion)
    assert diff.lo < 0 < diff.hi  # within noise
    idx = index_interval(late, loss, oracle, champion)
    assert idx.mean < 0 and idx.lo < 0 < idx.hi
    # with many such futures both are clear, and the index keeps its bootstrap interval
    many = np.tile(np.arange(5), 40)
    wide = index_interval(late[many], loss[many], oracle[many], champion[many])
    assert wide.hi < 0 and paired_difference(loss[many], champion[many]).lo > 0
