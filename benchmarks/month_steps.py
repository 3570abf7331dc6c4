"""Where a run's month goes: the tick, the off-site signals and the checks due, per strategy.

    python benchmarks/month_steps.py                              # 2,000 loans x 60 months
    python benchmarks/month_steps.py --loans 10000 --strategies do-nothing early-warning

Each strategy runs once to warm up (imports, numba's cache, lazily built tables), then
--repeat times on other seeds (`simulate_brief`, what a study runs). The time spent in
`Simulation._tick` (health, loan book, classification), `signals.offsite_sightings` and
`checks.run_due` (checks due and done, with their on-site signals) is summed over each
run; the fastest run's figures are printed, in ms per run. The rest of a run is the
month's draws, the decision (observe, the strategy, its actions), the metrics row and
the workout tail.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "benchmarks"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

STEPS = (("tick", "sim.engine", "Simulation._tick"),
         ("off-site signals", "sim.signals", "offsite_sightings"),
         ("checks due", "sim.checks", "run_due"))


def _timed(spent: dict[str, float]) -> None:
    """Wrap each step so its time adds up in spent[label]."""
    import importlib

    for label, module, name in STEPS:
        owner = importlib.import_module(module)
        *outer, attr = name.split(".")
        for part in outer:
            owner = getattr(owner, part)
        fn = getattr(owner, attr)

        def wrapped(*args, _fn=fn, _label=label, **kwargs):
            t0 = time.perf_counter()
            try:
                return _fn(*args, **kwargs)
            finally:
                spent[_label] += time.perf_counter() - t0

        setattr(owner, attr, wrapped)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loans", type=int, default=2000)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--strategies", nargs="+",
                    default=["do-nothing", "late-collection", "early-warning", "oracle"])
    args = ap.parse_args(argv)
    from engine import make_scenario

    from sim.engine import simulate_brief

    spent = {label: 0.0 for label, _, _ in STEPS}
    _timed(spent)
    sc = make_scenario(args.loans, args.months)
    print(f"{args.loans:,} loans x {args.months} months, best of {args.repeat}, ms per run")
    print(f"{'strategy':16s}" + "".join(f"{label:>18s}" for label, _, _ in STEPS)
          + f"{'whole run':>12s}")
    for strategy in args.strategies:
        simulate_brief(sc, seed=1, strategy=strategy)
        best: dict[str, float] | None = None
        for seed in range(100, 100 + args.repeat):
            for label in spent:
                spent[label] = 0.0
            t0 = time.perf_counter()
            simulate_brief(sc, seed=seed, strategy=strategy)
            got = {**spent, "run": time.perf_counter() - t0}
            if best is None or got["run"] < best["run"]:
                best = got
        print(f"{strategy:16s}" + "".join(f"{best[label] * 1e3:18.1f}" for label, _, _ in STEPS)
              + f"{best['run'] * 1e3:12.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
