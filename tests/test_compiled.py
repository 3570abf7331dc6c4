"""sim.compiled: the engine's compiled parts start wherever the engine is installed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest

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


EXERCISE = """
import importlib, json
from pathlib import Path
from numba.core.registry import CPUDispatcher
from sim import judgement
from sim.engine import Simulation, simulate
from sim.scenario import load_scenario
from sim.strategies import BUILT_IN
from sim.strategies.rules import load_rules
from sim.study import builtin, from_rules, run_replication

root = Path("scenarios")
for path in sorted(root.glob("*.yaml")):
    case = load_scenario(path)
    desk = Simulation(case, seed=4, months=6, keep_history=True)  # a trainee's desk
    desk.advance_to(2)
    for i in range(min(desk.n, 6)):
        for action in desk.catalogue:
            desk.act(i, action)
        judgement.apply(desk, desk.t, i, 2, "test")
    desk.advance_to(6)
intro = load_scenario(root / "intro.yaml")
for name in BUILT_IN:
    simulate(intro, seed=2, months=12, strategy=name)
runs = [builtin("early-warning"), builtin("late-collection"), builtin("oracle"),
        from_rules(load_rules(root / "rules" / "tuned.yaml"))]
run_replication(load_scenario(root / "real_estate.yaml"), 3, 12, runs)
import pkgutil
import sim
misses = {}
for info in pkgutil.walk_packages(sim.__path__, "sim."):
    m = info.name
    for k, v in vars(importlib.import_module(m)).items():
        if isinstance(v, CPUDispatcher) and sum(v.stats.cache_misses.values()):
            misses[m + "." + k] = sum(v.stats.cache_misses.values())
print(json.dumps(misses))
"""


@pytest.mark.slow
def test_after_the_warm_up_no_trainee_or_study_waits_for_a_compile(tmp_path):
    """`make` warms numba's cache once after installing (python -m sim.compiled); then a
    trainee's desk on every shipped case, the baselines with their frames, a rule table
    and a study's replication compile nothing: every compiled part they call is in the
    cache (a compile costs seconds, a cache load milliseconds)."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-m", "sim.compiled"], cwd=root, env=env, check=True,
                   capture_output=True, timeout=600)
    out = subprocess.run([sys.executable, "-c", EXERCISE], cwd=root, env=env, check=True,
                         capture_output=True, text=True, timeout=600)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {}
