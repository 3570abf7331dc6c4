"""The lesson over generated cases: mean losses of the four baselines, the early-warning
index by case and by staffing band, and what early-warning did where the lesson fails.

    python benchmarks/lesson_family.py                     # 40 cases x 100 replications
    python benchmarks/lesson_family.py --cases 10 --reps 5 --csv family.csv

Cases are `sim.generate.draw(seed)` for seeds 0..cases-1; each case's replications run on
child seeds of the case's seed, the same seeds for all four strategies (common random
numbers). Runs go to a process pool of at most 2 workers. Prints figures; asserts nothing
(tests/test_generated_cases.py asserts the property).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.family import as_records, format_cases, format_summary, run_family  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--first", type=int, default=0, help="first case seed")
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2, choices=(1, 2))
    ap.add_argument("--staffing", default=None, help="fix the staffing band (short, ...)")
    ap.add_argument("--csv", default=None, help="also write one row per case to this file")
    args = ap.parse_args()
    start = time.perf_counter()
    seeds = range(args.first, args.first + args.cases)
    opts = {"staffing": args.staffing} if args.staffing else {}
    with ProcessPoolExecutor(args.workers) as ex:
        results = run_family(seeds, args.reps, executor=ex, **opts)
    print(format_cases(results))
    print(format_summary(results))
    print(f"{args.cases} cases x {args.reps} replications x 4 strategies in "
          f"{time.perf_counter() - start:.0f} s on {args.workers} worker(s)")
    if args.csv:
        import pandas as pd

        pd.DataFrame(as_records(results)).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
