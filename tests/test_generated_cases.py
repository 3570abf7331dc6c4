"""The lesson over the generated family (issue 9), not only over the shipped cases.

Study (make study): 40 generated cases x 30 common-random-number replications x the four
baselines. On every case: mean loss oracle <= early-warning <= late-collection <=
do-nothing; where the oracle's headroom exceeds 10% of late collection's loss, an
early-warning index between 0.2 and 0.95. The table (per case, and the index distribution
by staffing band) is printed; run with -s to see it, or use benchmarks/lesson_family.py.

Fast (default suite): a few cases and replications, asserting the ordering that must hold
on any book: late collection never loses more than doing nothing, early warning never
more than late collection, and the index is never negative.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from functools import cache

import pytest

from sim.family import format_cases, format_summary, run_family

CASES, REPS = 40, 30
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
    failing = [f"seed {r.seed} ({r.band}, staff {r.staffing_ratio:.2f}): "
               f"{', '.join(r.failures())}" for r in results if r.failures()]
    assert not failing, f"{len(failing)} of {len(results)} cases fail:\n" + "\n".join(failing)


def test_collection_and_early_warning_do_not_lose_more_than_doing_nothing():
    results = family(FAST_CASES, FAST_REPS)
    print()
    print(format_cases(results))
    for r in results:
        m = r.loss
        assert m["late-collection"] <= m["do-nothing"], format_cases([r])
        assert m["early-warning"] <= m["late-collection"], format_cases([r])
        assert r.index is None or r.index >= 0.0, format_cases([r])
