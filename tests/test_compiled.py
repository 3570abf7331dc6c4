"""sim.compiled: the engine's compiled parts start wherever the engine is installed."""

import numba
import numpy as np

import sim.compiled as compiled_module


def _scaled_sum(x, k):
    out = 0.0
    for v in x:
        out += v * k
    return out


def test_a_compiled_function_runs_in_nopython_mode_and_caches_on_disk():
    fn = compiled_module.compiled(_scaled_sum)
    assert fn(np.array([1.0, 2.0, 3.0]), 2.0) == 12.0
    assert fn._cache is not None and type(fn._cache).__name__ == "FunctionCache"


def test_without_a_writable_cache_it_compiles_in_the_process(monkeypatch):
    """numba refuses cache=True where no cache directory can be written (a read-only
    install, no home directory): the engine must still start, uncached."""
    asked = []

    def refusing_njit(*, cache):
        asked.append(cache)
        if cache:
            raise RuntimeError("cannot cache function '_scaled_sum': no locator available")
        return numba.njit(cache=False)

    monkeypatch.setattr(compiled_module, "njit", refusing_njit)
    fn = compiled_module.compiled(_scaled_sum)
    assert asked == [True, False]
    assert fn(np.array([0.5, 1.5]), 4.0) == 8.0
