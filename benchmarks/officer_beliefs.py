"""What the early-warning officer believes against what the model does: the chance that a
loan defaults within a year, given what an officer sees of it at a decision point.

    python benchmarks/officer_beliefs.py                  # generated cases 100-159, 2 seeds each
    python benchmarks/officer_beliefs.py --first 0 --cases 40 --seeds 3

The officer's belief (sim.strategies.triage.Triage.risk, TriageParams) is a sum of terms:
a base, a term per distinct recent warning, terms at 30 and 60 days past due, the watch
list (special mention or worse) and found misuse of funds. Each ought to read what the
model makes of such a loan: a belief three times too high values every action three
times too high, so the officer restructures, freezes and asks for collateral where the
cost is more than the loss it avoids.

Measured on checks-only runs (the case's own monitoring policy, no action: what the book
does untreated, seen as an officer who keeps the bank's checks sees it) of generated cases
(sim.generate.draw) other than the 40 the lesson is tested on (seeds 0-39). Each live loan
at each decision point at least 12 months before the horizon is one observation: what the
officer sees of it (distinct recent warnings over 3 months, days past due, class, found
misuse) and whether it defaults within the next 12 months. Prints, per cell, the number
of observations, the measured share that defaults and the officer's mean belief; then the
current loans in a disaster's region (news the officer has; the belief has no term for
it) against those outside one. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WINDOW = 12
"""Months ahead a default is counted in (the officer's risk is a chance within a year)."""
MIN_CELL = 30
"""Cells with fewer observations are not printed."""


def observations(args: tuple[int, int]) -> np.ndarray:
    """Rows (alerts, dpd, watch list, misuse found, in a disaster's region, belief, defaulted
    within WINDOW) of one checks-only run of generated case `case` on seed `seed`."""
    from sim.codes import LoanStatus
    from sim.engine import Simulation
    from sim.generate import generate
    from sim.observation import Decision
    from sim.strategies.triage import Triage

    case, seed = args
    officer = Triage()
    seen: list[tuple[int, np.ndarray, np.ndarray]] = []

    def decide(obs):
        live = np.flatnonzero(obs.status == LoanStatus.ACTIVE)
        alerts = obs.recent_alerts(officer.params.alert_months)
        belief = officer.risk(obs, alerts)
        seen.append((obs.month, live, np.column_stack([
            alerts[live], obs.dpd[live], obs.cls[live] >= 1, obs.known_diversion[live],
            obs.disaster_region[live], belief[live]])))
        return Decision(policy=obs.case_policy)

    sim = Simulation(generate(case), seed=seed, decider=decide, warnings=False)
    sim.run_brief()
    rows = []
    for month, live, cols in seen:
        if month + WINDOW > sim.T:
            continue
        dm = sim.default_month[live]
        rows.append(np.column_stack([cols, (dm >= month) & (dm < month + WINDOW)]))
    return np.vstack(rows) if rows else np.zeros((0, 7))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=100, help="first generated case seed")
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seeds", type=int, default=2, help="runs per case")
    ap.add_argument("--workers", type=int, default=2, choices=(1, 2))
    args = ap.parse_args(argv)
    if args.cases < 1 or args.seeds < 1 or args.first < 0:
        print("--cases and --seeds must be at least 1, --first at least 0", file=sys.stderr)
        return 2
    start = time.perf_counter()
    jobs = [(c, s) for c in range(args.first, args.first + args.cases)
            for s in range(1, args.seeds + 1)]
    with ProcessPoolExecutor(args.workers) as ex:
        rows = np.vstack(list(ex.map(observations, jobs, chunksize=2)))
    alerts, dpd, watch, misuse, disaster, belief, defaulted = rows.T
    print(f"generated cases {args.first}-{args.first + args.cases - 1}, {args.seeds} run(s) "
          f"each, checks only: {len(rows):,} loan-months, {time.perf_counter() - start:.0f} s")
    print(f"{'what the officer sees':<44}{'n':>9}{'defaults in 12m':>17}{'believed':>10}")

    def line(label: str, mask: np.ndarray) -> None:
        if mask.sum() >= MIN_CELL:
            print(f"{label:<44}{int(mask.sum()):>9,}{defaulted[mask].mean():>17.3f}"
                  f"{belief[mask].mean():>10.3f}")

    current = (dpd == 0) & (watch == 0) & (misuse == 0)
    for k in range(7):
        line(f"not overdue, normal, {k} warning(s)", current & (alerts == k))
    line("not overdue, normal, 7 or more warnings", current & (alerts >= 7))
    on_list = (dpd == 0) & (watch == 1) & (misuse == 0)
    line("not overdue, watch list, 0-2 warnings", on_list & (alerts <= 2))
    line("not overdue, watch list, 3 or more warnings", on_list & (alerts >= 3))
    line("misuse of funds found, not overdue", (misuse == 1) & (dpd == 0))
    for lo, hi in ((30, 60), (60, 90)):
        line(f"{lo}-{hi - 1} days past due", (dpd >= lo) & (dpd < hi))
    line("all loans not overdue", dpd == 0)
    # a disaster is news the officer has, and the belief has no term for it
    for k in range(4):
        line(f"disaster region, current, normal, {k} warning(s)",
             current & (disaster == 1) & (alerts == k))
    line("disaster region, current, normal, 4+ warnings", current & (disaster == 1) & (alerts >= 4))
    line("no disaster, current, normal, 0 warnings", current & (disaster == 0) & (alerts == 0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
