"""Is the horizon mark's workout value calibrated? What `expected_workout_recovery` expects
of a fresh default against what the run then recovers on it.

    python benchmarks/workout_mark.py                     # the engine benchmark's case
    python benchmarks/workout_mark.py --case real_estate --seeds 8
    python benchmarks/workout_mark.py --no-cures          # the mark without its cure term

For each loan that defaults at least --settle months before the end, the mark's value of its
claim is taken in its default month (the state of that month, the effective barrier of that
month for the cure term), and set against what the run then got back on it: recoveries
(auctions, judgments, claim sales) and cures, discounted to the start. Totals are shares of
the exposure at default, split into secured and unsecured claims, for late collection and
early warning. A calibrated mark reads close to the run's figure; the mark values a
performing loan's default still to come at the end the same way (sim.results.horizon_loss).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from sim import engine  # noqa: E402
from sim.interventions.workouts import expected_workout_recovery, has_security  # noqa: E402

STRATEGIES = ("late-collection", "early-warning")


class MarkAtDefault(engine.Simulation):
    """A run that values each claim by the horizon mark in the month it defaults."""

    cures = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_at_default = np.full(self.n, np.nan)
        self.ead_pv = np.full(self.n, np.nan)
        self.secured_at_default = np.zeros(self.n, dtype=bool)

    def _month(self, t: int) -> None:
        super()._month(t)
        new = np.flatnonzero(self.default_month == t)
        if not len(new):
            return
        horizon, self.T = self.T, t  # value the claim as if the run ended this month
        try:
            barrier = self.e[new] - self.d[new] if self.cures else None
            self.mark_at_default[new] = expected_workout_recovery(self, new, self.balance[new],
                                                                  barrier=barrier)
        finally:
            self.T = horizon
        self.ead_pv[new] = self.ead[new] * self.discount(t)
        self.secured_at_default[new] = has_security(self, new)


def one_run(case, seed: int, strategy: str, months: int | None, settle: int):
    from sim.strategies import make_strategy

    strat = make_strategy(strategy)
    s = MarkAtDefault(case, seed=seed, months=months, decider=strat.decide,
                      oracle=getattr(strat, "needs_hidden", False), warnings=False)
    s.run_brief()
    ok = ~np.isnan(s.mark_at_default) & (s.default_month <= s.T - settle)
    return (s.mark_at_default[ok], s._recovery_pv[ok], s._cure_pv[ok], s.ead_pv[ok],
            s.secured_at_default[ok])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="bench",
                    help="'bench' (benchmarks/engine.py, 2,000 loans x 60 months) or a case "
                         "in scenarios/ by name")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--settle", type=int, default=12,
                    help="only defaults at least this many months before the end")
    ap.add_argument("--no-cures", action="store_true", help="the mark without its cure term")
    args = ap.parse_args(argv)
    if args.case == "bench":
        from engine import make_scenario

        case, months = make_scenario(2000, 60), 60
    else:
        from sim.scenario import load_scenario

        path = ROOT / "scenarios" / f"{args.case}.yaml"
        if not path.exists():
            print(f"--case: no scenarios/{args.case}.yaml", file=sys.stderr)
            return 2
        case, months = load_scenario(path), None
    MarkAtDefault.cures = not args.no_cures
    print(f"{args.case}: {args.seeds} seeds, defaults >= {args.settle} months before the end; "
          f"shares of exposure at default (cure term {'off' if args.no_cures else 'on'})")
    print(f"{'strategy':<17}{'claims':<11}{'n':>6}{'EAD M':>10}{'mark':>8}{'run':>8}"
          f"{'of it cures':>13}")
    for strategy in STRATEGIES:
        parts = [one_run(case, seed, strategy, months, args.settle)
                 for seed in range(1, args.seeds + 1)]
        mark, rec, cure, ead, sec = (np.concatenate(p) for p in zip(*parts, strict=True))
        for label, m in (("secured", sec), ("unsecured", ~sec)):
            if not m.any():
                continue
            e = ead[m].sum()
            print(f"{strategy:<17}{label:<11}{m.sum():>6}{e / 1e6:>10.1f}"
                  f"{mark[m].sum() / e:>8.3f}{(rec[m].sum() + cure[m].sum()) / e:>8.3f}"
                  f"{cure[m].sum() / e:>13.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
