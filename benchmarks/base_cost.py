"""What one run costs per strategy, as a study pays it: `simulate_brief` on the engine
benchmark's case (2,000 loans x 60 months by default), timed run by run.

    python benchmarks/base_cost.py
    python benchmarks/base_cost.py --strategies do-nothing late-collection --runs 21

Each strategy runs once to warm up (numba's cache, the calibration table), then --runs
times on seeds 100, 101, ...; it prints the minimum and the median ms per run. The
do-nothing run is the base every strategy pays (issue 13). On a shared machine, compare
two versions by alternating them a few times and reading the minima.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from engine import make_scenario  # noqa: E402  (benchmarks/engine.py)

from sim.engine import simulate_brief  # noqa: E402
from sim.strategies import make_strategy  # noqa: E402

STRATEGIES = ("do-nothing", "late-collection", "early-warning", "oracle")


def per_run_ms(case, strategy: str, runs: int, months: int) -> list[float]:
    """Milliseconds of each of `runs` runs of `strategy` (after one warm-up run)."""
    simulate_brief(case, seed=1, months=months, strategy=make_strategy(strategy))
    out = []
    for k in range(runs):
        start = time.perf_counter()
        simulate_brief(case, seed=100 + k, months=months, strategy=make_strategy(strategy))
        out.append((time.perf_counter() - start) * 1e3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loans", type=int, default=2000)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--strategies", nargs="+", default=list(STRATEGIES))
    args = ap.parse_args(argv)
    if args.loans < 1 or args.months < 1 or args.runs < 1:
        print("--loans, --months and --runs must be at least 1", file=sys.stderr)
        return 2
    for name in args.strategies:
        try:
            make_strategy(name)
        except ValueError as err:
            print(f"--strategies: {err}", file=sys.stderr)
            return 2
    case = make_scenario(args.loans, args.months)
    print(f"{args.loans} loans x {args.months} months, {args.runs} runs each")
    print(f"{'strategy':<18}{'min ms':>9}{'median ms':>11}")
    for name in args.strategies:
        ms = sorted(per_run_ms(case, name, args.runs, args.months))
        print(f"{name:<18}{ms[0]:>9.1f}{ms[len(ms) // 2]:>11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
