"""The lesson over the generated family (issue 9), not only over the shipped cases.

Study (make study): 40 generated cases x 100 common-random-number replications x the four
baselines (the issue asks for at least 30; at 30 a small, well-secured book whose whole loss
is a few borrowers' reads within noise of the cap: generated case 37, index 1.04, se 0.09,
is 0.78 at 100 and 0.72 at 300; a case failing only by an index within two standard errors
of a bound is measured again on 300). On every case where something material is avoidable (the
oracle's headroom over late collection above 10% of its loss and above the stakes the
preview and the debrief read an index from): mean loss oracle <= early-warning <=
late-collection <= do-nothing and an early-warning index between 0.2 and 0.95. A case with
nothing material to avoid is one the preview says does not teach; there the ordering must
hold within two standard errors (generated case 30: a consumer book losing a few thousand
yuan). The table (per case, and the index distribution by staffing band) is printed; run
with -s to see it, or use benchmarks/lesson_family.py.

Fast (default suite): a few cases and replications, asserting the ordering that must hold
on any book, within the noise of three replications (two standard errors): late collection
does not lose more than doing nothing, early warning not more than late collection, and
the index is not negative.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from functools import cache

import numpy as np
import pytest

from sim.family import format_cases, format_summary, index_standard_error, run_family

CASES, REPS = 40, 100
FAST_CASES, FAST_REPS = (0, 1, 2), 3


@cache
def family(cases: tuple[int, ...], reps: int):
    with ProcessPoolExecutor(2) as ex:
        return run_family(cases, reps, executor=ex)


@pytest.mark.study
def test_the_lesson_holds_over_the_generated_family():
    results = family(tuple(range(CASES)), REPS)
    print()
    print(format_cases(results))
    print(format_summary(results))
    # a case that fails only by an index within two standard errors of a bound is measured
    # again on three times the replications (new seeds included) and judged on that: on a
    # small book whose loss is a few large loans the index at 100 replications can sit on
    # either side (generated case 16 before the shared-borrowers fix of 6 December 2026:
    # 0.96, se 0.06, at 100; 0.91, se 0.04, at 300)
    again = [r.seed for r in results if r.failures() and r.index_near_bounds()
             and all(f.startswith("index") for f in r.failures())]
    if again:
        remeasured = {r.seed: r for r in family(tuple(again), 3 * REPS)}
        print(f"measured again on {3 * REPS} replications:")
        print(format_cases(list(remeasured.values())))
        results = [remeasured.get(r.seed, r) for r in results]
    failing = [f"seed {r.seed} ({r.band}, staff {r.staffing_ratio:.2f}): "
               f"{', '.join(r.failures())}" for r in results if r.failures()]
    assert not failing, f"{len(failing)} of {len(results)} cases fail:\n" + "\n".join(failing)


def test_collection_and_early_warning_do_not_lose_more_than_doing_nothing():
    results = family(FAST_CASES, FAST_REPS)
    print()
    print(format_cases(results))
    for r in results:
        assert within_noise(r, "do-nothing", "late-collection"), format_cases([r])
        assert within_noise(r, "late-collection", "early-warning"), format_cases([r])
        assert r.index is None or r.index >= -2 * (r.index_se or 0.0), format_cases([r])


def within_noise(r, worse: str, better: str) -> bool:
    """The ordering holds in expectation on any book; three replications estimate it, and a
    small book whose loss is a few large loans (generated case 2: six development loans in
    a flood) reads within noise of it: a strategy may lose more than the one before it by
    at most two standard errors of the two means."""
    m, se = r.loss, r.loss_se
    return m[better] <= m[worse] + 2 * math.hypot(se[better], se[worse])


def test_the_index_standard_error_measures_the_noise_of_the_replications():
    """The index is a ratio of two means; its standard error comes from the paired
    replications. Replications that all give the same index leave no doubt about it;
    replications that disagree do."""
    # columns: do-nothing, late-collection, early-warning, oracle
    steady = np.array([[10.0, 8.0, 5.0, 2.0], [20.0, 16.0, 10.0, 4.0], [5.0, 4.0, 2.5, 1.0]])
    assert index_standard_error(steady) == pytest.approx(0.0, abs=1e-12)
    noisy = np.array([[10.0, 8.0, 2.0, 2.0], [20.0, 16.0, 16.0, 4.0], [5.0, 4.0, 1.0, 1.0]])
    assert index_standard_error(noisy) > 0.1
    assert index_standard_error(noisy[:1]) is None
    no_room = np.array([[10.0, 8.0, 8.0, 8.0], [10.0, 8.0, 8.0, 8.0]])
    assert index_standard_error(no_room) is None
