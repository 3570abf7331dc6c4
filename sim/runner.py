"""Replications: many seeds of one strategy, on any concurrent.futures Executor.

Each replication is independent and carries its own seed, so results do not
depend on the executor (a local process pool, or a Dask cluster through
`distributed.Client(address).get_executor()`) or on the order of completion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from concurrent.futures import Executor

import numpy as np

from sim.scenario import Scenario


def replication(scenario: Scenario, seed: int, months: int | None, strategy, rules) -> dict:
    """One seed: the run's summary, plus its score when a strategy is named."""
    from sim.engine import simulate
    from sim.scoring import score_run

    out = simulate(scenario, seed=seed, months=months, strategy=strategy, rules=rules).summary()
    if strategy is not None or rules is not None:
        out["score"] = score_run(scenario, seed=seed, months=months,
                                 strategy=strategy or "rules", rules=rules).to_dict()
    return out


def child_seeds(base_seed: int, reps: int) -> list[int]:
    """Independent seeds for replications, derived from one base seed."""
    ss = np.random.SeedSequence(base_seed)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> 1) for c in ss.spawn(reps)]


def replicate(scenario: Scenario, seeds: Iterable[int], months: int | None = None,
              strategy=None, rules=None, executor: Executor | None = None,
              progress: Callable[[int], None] | None = None) -> list[dict]:
    """Run each seed; results come back in seed order whatever the executor."""
    seeds = list(seeds)
    if executor is None:
        out = []
        for s in seeds:
            out.append(replication(scenario, s, months, strategy, rules))
            if progress:
                progress(1)
        return out
    futures = [executor.submit(replication, scenario, s, months, strategy, rules) for s in seeds]
    out = []
    for f in futures:
        out.append(f.result())
        if progress:
            progress(1)
    return out


def mean_interval(values: Iterable[float]) -> dict:
    """Mean with a normal-approximation 95% interval."""
    v = np.array([x for x in values if x is not None and not math.isnan(x)], dtype=float)
    if not len(v):
        return {"mean": None, "lo": None, "hi": None, "n": 0}
    m = float(v.mean())
    half = 1.96 * float(v.std(ddof=1)) / math.sqrt(len(v)) if len(v) > 1 else 0.0
    return {"mean": m, "lo": m - half, "hi": m + half, "n": int(len(v))}


def summarise(results: list[dict]) -> dict:
    """Per key: mean and 95% interval across replications (score keys under 'score')."""
    keys = [k for k, v in results[0].items() if isinstance(v, int | float) and k != "seed"]
    out = {k: mean_interval(r[k] for r in results) for k in keys}
    if "score" in results[0]:
        sk = [k for k, v in results[0]["score"].items() if isinstance(v, int | float)
              or v is None]
        out["score"] = {k: mean_interval(r["score"][k] for r in results) for k in sk}
    return out
