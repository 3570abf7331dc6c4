"""What one run costs per strategy, as a study pays it: `simulate_brief` on the engine
benchmark's case (2,000 loans x 60 months by default), timed run by run.

    python benchmarks/base_cost.py
    python benchmarks/base_cost.py --strategies do-nothing late-collection --runs 21
    python benchmarks/base_cost.py --sizes 250 2000 8000 --runs 5 \
        --strategies early-warning late-collection oracle

Each strategy runs once to warm up (numba's cache, the calibration table), then --runs
times on seeds 100, 101, ...; it prints the minimum and the median ms per run. The
do-nothing run is the base every strategy pays (issue 13). On a shared machine, compare
two versions by alternating them a few times and reading the minima.

With --sizes, the same at each book size, and a straight line fitted to each strategy's
minima: its fixed cost per run (what a run pays whatever the book's size: Python calls,
set-up, the month's bookkeeping) and its cost per loan. The sum over the strategies at
--loans is what a study's replication costs, split into the two.
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
    ap.add_argument("--sizes", type=int, nargs="+", metavar="LOANS",
                    help="book sizes to fit fixed and per-loan cost on (at least two)")
    args = ap.parse_args(argv)
    if args.loans < 1 or args.months < 1 or args.runs < 1:
        print("--loans, --months and --runs must be at least 1", file=sys.stderr)
        return 2
    if args.sizes is not None and (len(set(args.sizes)) < 2 or min(args.sizes) < 1):
        print("--sizes: give at least two different book sizes of 1 loan or more",
              file=sys.stderr)
        return 2
    for name in args.strategies:
        try:
            make_strategy(name)
        except ValueError as err:
            print(f"--strategies: {err}", file=sys.stderr)
            return 2
    if args.sizes:
        return by_size(args)
    case = make_scenario(args.loans, args.months)
    print(f"{args.loans} loans x {args.months} months, {args.runs} runs each")
    print(f"{'strategy':<18}{'min ms':>9}{'median ms':>11}")
    for name in args.strategies:
        ms = sorted(per_run_ms(case, name, args.runs, args.months))
        print(f"{name:<18}{ms[0]:>9.1f}{ms[len(ms) // 2]:>11.1f}")
    return 0


def by_size(args) -> int:
    """Minimum ms per run of each strategy at each size, and the fitted fixed and per-loan
    costs."""
    import numpy as np

    sizes = sorted(set(args.sizes))
    print(f"{args.months} months, {args.runs} runs each; minimum ms per run")
    print(f"{'strategy':<18}" + "".join(f"{n:>10,}" for n in sizes)
          + f"{'fixed ms':>10}{'us/loan':>9}{'at ' + format(args.loans, ','):>12}")
    fixed_sum = per_loan_sum = 0.0
    for name in args.strategies:
        mins = [min(per_run_ms(make_scenario(n, args.months), name, args.runs, args.months))
                for n in sizes]
        slope, fixed = np.polyfit(sizes, mins, 1)
        fixed_sum += fixed
        per_loan_sum += slope * args.loans
        print(f"{name:<18}" + "".join(f"{m:>10.1f}" for m in mins)
              + f"{fixed:>10.1f}{slope * 1e3:>9.2f}{fixed + slope * args.loans:>12.1f}")
    total = fixed_sum + per_loan_sum
    print(f"all at {args.loans:,} loans: {total:.0f} ms a replication, {fixed_sum:.0f} ms "
          f"({fixed_sum / total:.0%}) fixed and {per_loan_sum:.0f} ms by the loans")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
