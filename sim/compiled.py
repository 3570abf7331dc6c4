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
    `options` go to numba's njit (sim.kernels asks for numpy's error model)."""
    try:
        return njit(cache=True, **options)(fn)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return njit(cache=False, **options)(fn)
