"""Digests of many complete runs, to show that a speed change moved no number.

    python benchmarks/run_digests.py > after.txt
    git archive main | tar -x -C /tmp/before            # the code to compare with
    python /tmp/before/benchmarks/run_digests.py > before.txt   (or --root /tmp/before)
    diff before.txt after.txt                            # no output: bit-identical

One line per run: every shipped case under the four baselines and two rule tables, on
two seeds, with frames and warnings (and, on the first seed, the desk's history and the
statements) and as a study's brief run; six generated cases under the four baselines;
a 3,000-loan benchmark book; and, as the strategy lab runs them, replications of every
shipped case and of a 2,000-loan book (all strategies of a seed replaying one draw tape,
sim.study.run_replication, with and without missed warnings). Each line holds sha-256
digests of the run's event log, metrics, signals, warnings and loans frames (or its
brief, or a replication's summaries), its history and statements, and every column and
scalar of the Simulation at the end. About 25 s on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _digest(obj) -> str:
    import numpy as np
    import pandas as pd

    h = hashlib.sha256()
    if isinstance(obj, pd.DataFrame):
        h.update(pd.util.hash_pandas_object(obj, index=True).values.tobytes())
        h.update(",".join(map(str, obj.columns)).encode())
    elif isinstance(obj, np.ndarray):
        h.update(np.ascontiguousarray(obj).tobytes())
        h.update(str(obj.dtype).encode())
    else:
        h.update(repr(obj).encode())
    return h.hexdigest()[:12]


def _state(sim) -> str:
    """Every column and scalar the Simulation holds at the end."""
    import numpy as np

    parts = []
    for k, v in sorted(vars(sim).items()):
        if isinstance(v, np.ndarray):
            parts.append((k, _digest(v)))
        elif isinstance(v, (int, float, bool)):
            parts.append((k, repr(v)))
    return _digest(repr(parts))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=HERE, help="the code to run (default: this one)")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    sys.path[:0] = [str(root), str(root / "benchmarks")]
    import numpy as np
    from engine import make_scenario

    from sim.engine import Simulation
    from sim.generate import generate
    from sim.scenario import load_scenario
    from sim.strategies import load_rules, make_strategy

    baselines = ["do-nothing", "late-collection", "early-warning", "oracle"]
    rules = sorted((root / "scenarios" / "rules").glob("*.yaml"))[:2]
    for path in sorted((root / "scenarios").glob("*.yaml")):
        sc = load_scenario(path)
        runs = [(s, None) for s in baselines] + [("rules", r) for r in rules]
        for seed in (1, 2):
            for name, rule_file in runs:
                strat = make_strategy(name, rules=load_rules(rule_file) if rule_file else None)
                for warnings, history in ((True, seed == 1), (False, False)):
                    sim = Simulation(sc, seed=seed, decider=strat.decide,
                                     oracle=getattr(strat, "needs_hidden", False),
                                     keep_history=history, warnings=warnings)
                    if warnings:
                        res = sim.run()
                        frames = [_digest(getattr(res, f)) for f in
                                  ("events", "metrics", "signals", "warnings", "loans")]
                    else:
                        frames = [_digest(repr(sim.run_brief()))]
                    kept = _digest(repr([(k, _digest(v) if isinstance(v, np.ndarray) else repr(v))
                                         for month in sim.history for k, v in sorted(month.items())
                                         ])) if history else "-"
                    statements = _digest(repr([(a, _digest(b), _digest(c), _digest(d))
                                               for a, b, c, d in sim.statement_log])) \
                        if history else "-"
                    print(path.stem, seed, name, rule_file.stem if rule_file else "", warnings,
                          *frames, kept, statements, _state(sim), flush=True)
    for case_seed in range(6):
        sc = generate(case_seed)
        for name in baselines:
            sim = Simulation(sc, seed=3, decider=make_strategy(name).decide,
                             oracle=name == "oracle")
            res = sim.run()
            print("generated", case_seed, name, _digest(res.events), _digest(res.metrics),
                  _digest(res.signals), _state(sim), flush=True)
    sc = make_scenario(3000, 36)
    for name in baselines:
        sim = Simulation(sc, seed=5, decider=make_strategy(name).decide, oracle=name == "oracle")
        res = sim.run()
        print("benchmark-3000", name, _digest(res.events), _digest(res.metrics),
              _digest(res.signals), _state(sim), flush=True)
    _replications(root, baselines, rules)
    return 0


def _replications(root: Path, baselines: list[str], rules: list[Path]) -> None:
    """The study path: a seed's strategies replaying one draw tape, summarised."""
    from engine import make_scenario

    from sim.scenario import load_scenario
    from sim.strategies import load_rules
    from sim.study import builtin, from_rules, run_replication

    runs = tuple(builtin(s) for s in baselines) + tuple(from_rules(load_rules(r))
                                                           for r in rules)
    cases = [(p.stem, load_scenario(p)) for p in sorted((root / "scenarios").glob("*.yaml"))]
    cases.append(("benchmark-2000", make_scenario(2000, 60)))
    for stem, sc in cases:
        for missed in (False, True):
            summaries = run_replication(sc, 7, None, runs, missed)
            print("replication", stem, missed, *(
                _digest(repr([(k, _digest(v)) for k, v in sorted(vars(s).items())]))
                for s in summaries), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
