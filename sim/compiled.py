"""The engine's compiled parts: numba, with its on-disk cache where it can have one.

A few steps of the month run loan by loan in compiled code (sim.foresight), because at a
few thousand loans a chain of small array operations costs far more to call than to do.
They are the same operations in the same order as the array code they replace, element
by element and with no fast-math, so a run's numbers do not change.

numba keeps what it compiled next to the module (``__pycache__``), or in the user's cache
directory, or in ``NUMBA_CACHE_DIR``. Where none of these can be written (a read-only
install run by a user without a home directory), it refuses to cache; the engine then
compiles in each process instead of failing to start.
"""

from __future__ import annotations

from collections.abc import Callable

from numba import njit


def compiled(fn: Callable, **options) -> Callable:
    """`fn` compiled in nopython mode, cached on disk when a cache can be written;
    `options` go to numba's njit (sim.kernels.common asks for numpy's error model)."""
    try:
        return njit(cache=True, **options)(fn)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(cache=False, **options)(fn)


def warm(seeds: tuple[int, ...] = (1, 2, 3), months: int = 12) -> int:
    """Compile every compiled part once, so numba's cache holds them before the first
    trainee's month or the first test does (`make` runs it after installing): a short
    run of each built-in strategy on a few generated cases, with its frames or as a
    study runs it (the draws shared), and a desk's run that keeps its history, takes
    each action on a few loans and classifies them. Returns the runs made."""
    from sim import judgement
    from sim.draws import DrawTape
    from sim.engine import Simulation, simulate, simulate_brief
    from sim.generate import generate
    from sim.strategies import BUILT_IN

    runs = 0
    for seed in seeds:
        case = generate(seed)
        tape = DrawTape() if seed != seeds[0] else None  # a study's runs share the draws
        for name in BUILT_IN:
            if tape is None:
                simulate(case, seed=seed, months=months, strategy=name)
            else:
                simulate_brief(case, seed=seed, months=months, strategy=name, tape=tape)
            runs += 1
    desk = Simulation(generate(seeds[0]), seed=seeds[0], months=months, keep_history=True)
    desk.advance_to(2)
    for i in range(min(desk.n, DESK_LOANS)):
        for action in desk.catalogue:
            desk.act(i, action)
        judgement.apply(desk, desk.t, i, 1, "warm")
    desk.advance_to(months)
    return runs + 1


DESK_LOANS = 8
"""Loans the warm-up's desk acts on: enough for every action's one-loan path."""


if __name__ == "__main__":
    import time

    start = time.perf_counter()
    made = warm()
    print(f"compiled parts ready: {made} short runs in {time.perf_counter() - start:.1f} s")
