"""How long the desk's first view of a large case takes to name its borrowers.

The first view of the desk lists every loan with its borrower, so every
identity is made at once (``Desk.loans()``). Target: under 0.3 s for the
2,000-loan calibration case. Prints the figures; it asserts nothing.

    .venv/bin/python benchmarks/names.py                   # calibration case, 5 repeats
    .venv/bin/python benchmarks/names.py --case scenarios/small_loan_company.yaml --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from sim.portfolio import build_portfolio
from sim.scenario import load_scenario
from training.desk import Desk

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default=str(ROOT / "scenarios" / "calibration.yaml"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sc = load_scenario(args.case)

    first_view, naming = [], []
    for r in range(args.repeat):
        game = Desk(sc, seed=sc.seed + r)  # a fresh game: no names made yet
        t0 = time.perf_counter()
        game.loans()
        first_view.append(time.perf_counter() - t0)

        pf = build_portfolio(sc, np.random.default_rng(r), 1000 + r)
        t0 = time.perf_counter()
        for i in range(pf.n):
            pf.identity(i)
            pf.identity(i, "en")
        naming.append(time.perf_counter() - t0)

    print(f"case {sc.id}: {sc.n_loans:,} loans, {args.repeat} repeats")
    print(f"first view (Desk.loans, names every loan): median {statistics.median(first_view):.3f} s, "
          f"max {max(first_view):.3f} s (target < 0.3 s)")
    per_loan_us = statistics.median(naming) / sc.n_loans * 1e6
    print(f"naming alone, zh and en: median {statistics.median(naming):.3f} s ({per_loan_us:.0f} µs per loan)")


if __name__ == "__main__":
    main()
