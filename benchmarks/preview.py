"""How long an instructor waits for the teaching preview (training/preview.py).

Times the preview (four baselines plus the policy run, per replication) on the intro
case and on 2,000-loan cases: calibration (one segment, 12 months) and the review
meeting scaled up to 2,000 loans with its officers (five segments, named borrowers,
events, 24 months),
run in this process and on a process pool. Prints seconds, the engine runs per
second, the page's estimate and the months the page suggests by default.

    .venv/bin/python benchmarks/preview.py [--reps 30] [--workers 1 2] [--cases ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.scenario import Scenario, load_scenario  # noqa: E402
from training import preview  # noqa: E402


def scaled(case: Scenario, loans: int) -> Scenario:
    """The case with its segment counts, and its officers, scaled to about `loans` loans."""
    factor = loans / case.n_loans
    segs = [s.model_copy(update={"count": max(1, round(s.count * factor))})
            for s in case.segments]
    staff = case.staff.model_copy(update={"officers": max(1, round(case.staff.officers
                                                                   * factor))})
    return case.model_copy(update={"segments": segs, "staff": staff,
                                   "id": f"{case.id}_x{loans}"})


def cases(names: list[str]) -> list[Scenario]:
    out = []
    for name in names:
        stem, _, size = name.partition("@")
        sc = load_scenario(ROOT / "scenarios" / f"{stem}.yaml")
        out.append(scaled(sc, int(size)) if size else sc)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=preview.DEFAULT_REPS)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                    help="1 runs in this process; more uses a process pool of that size")
    ap.add_argument("--cases", nargs="+",
                    default=["intro", "calibration", "review_meeting@2000"],
                    help="scenario stems; stem@N scales the book to about N loans")
    args = ap.parse_args()

    print(f"teaching preview: {args.reps} replications x {preview.RUNS_PER_REPLICATION} runs; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("seconds: wall clock (pool start included); cpu: this process's CPU seconds "
          "(workers=1 only), what an idle machine would take")
    print(f"{'case':<24}{'loans':>7}{'months':>7}{'workers':>8}{'seconds':>9}{'cpu':>7}"
          f"{'runs/s':>8}{'estimate':>10}{'suggested':>10}")
    for sc in cases(args.cases):
        for workers in args.workers:
            t0, c0 = time.perf_counter(), time.process_time()
            if workers > 1:
                with ProcessPoolExecutor(workers) as pool:
                    r = preview.run_preview(sc, reps=args.reps, executor=pool)
            else:
                r = preview.run_preview(sc, reps=args.reps)
            wall = time.perf_counter() - t0  # includes starting the pool
            cpu = f"{time.process_time() - c0:7.1f}" if workers == 1 else f"{'—':>7}"
            runs = args.reps * preview.RUNS_PER_REPLICATION
            est = preview.estimated_seconds(sc, args.reps, workers=workers)
            print(f"{sc.id:<24}{sc.n_loans:>7}{r.months:>7}{workers:>8}{wall:>9.1f}{cpu}"
                  f"{runs / wall:>8.0f}{est:>10.1f}"
                  f"{preview.suggested_months(sc, args.reps):>10}")
            codes = ", ".join(w.code for w in r.warnings) or "teaches"
            idx = "—" if r.ew_index is None else f"{r.ew_index:.2f}"
            print(f"{'':<24}index {idx}, headroom {r.headroom_share:.0%}, "
                  f"staff load {r.staff.load_share:.2f}, difficulty {r.difficulty.level}: {codes}")


if __name__ == "__main__":
    main()
