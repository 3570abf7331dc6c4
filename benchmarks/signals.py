"""How early, and how falsely, each early-warning signal fires: measured, not assumed.

    python benchmarks/signals.py                     # 20 seeds x 5,000 loans x 36 months
    python benchmarks/signals.py --seeds 5 --loans 2000 --strategy do-nothing

For every signal type it pools all seeds and prints

    lead p25/p50/p75   months from the signal's first sighting on a loan to that loan's
                       (first) default, over defaulted loans where it was seen at or
                       before default; the IQR is p75 - p25
    12m p50, IQR       the same, counting only sightings in the 12 months up to default
                       (a false alarm two years earlier is not the run-up to default)
    cover              share of defaulted loans on which the signal was seen at least
                       one month before default
    after              share of defaulted loans on which it was first seen only after
    FP rows            share of sightings on loans that never default within the horizon
    FP rows, 12m left  the same, counting only sightings with 12 or more months of the
                       horizon still to run (a loan flagged in the last months may
                       default just after the horizon, which FP rows counts as false)
    FP loans           share of loans the signal flagged that never default

beside the catalogue's configured lead, lag, miss and false-positive rates
(sim.defaults.SIGNALS, as overridden by the scenario).

The default strategy, `watch`, runs the scenario's monitoring policy (routine and first
checks, so on-site signals are seen) with enough officers that no check slips or is
rushed, and takes no action: checks reveal but do not change hidden state, so the
defaults are those of do-nothing on the same seed and the lead times are not cut short
by interventions. Any built-in strategy can be named instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim import defaults  # noqa: E402
from sim.engine import Decision, Observation, Simulation  # noqa: E402
from sim.strategies import Strategy, make_strategy  # noqa: E402


def _bench_engine():
    spec = importlib.util.spec_from_file_location("bench_engine", Path(__file__).with_name(
        "engine.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Watch(Strategy):
    """The scenario's monitoring policy (checks) and no action at all."""

    name = "watch"

    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    def decide(self, obs: Observation) -> Decision:
        return Decision(policy=self.policy)


def scenario(loans: int, months: int, officers_per_100: float):
    sc = _bench_engine().make_scenario(loans, months)
    officers = max(1, int(round(loans * officers_per_100 / 100)))
    return sc.model_copy(update={"staff": sc.staff.model_copy(update={"officers": officers})})


def one_seed(args: tuple) -> dict:
    loans, months, seed, strategy, officers_per_100 = args
    sc = scenario(loans, months, officers_per_100)
    strat = Watch(sc.monitoring) if strategy == "watch" else make_strategy(strategy)
    sim = Simulation(sc, seed=seed, decider=strat.decide, oracle=strat.needs_hidden)
    res = sim.run()
    lo = res.loans[["loan_id", "default_month"]]
    sg = res.signals[["month", "loan_id", "signal", "via"]]
    return {"seed": seed, "loans": lo, "signals": sg, "months": res.months,
            "slipped": res.checks_slipped, "quality": res.check_quality,
            "defaults": int(res.defaults)}


def measure(results: list[dict], sc) -> pd.DataFrame:
    rows = []
    per_sig: dict[str, list[pd.DataFrame]] = {}
    n_defaulted = 0
    for r in results:
        dm = r["loans"]["default_month"].to_numpy()
        n_defaulted += int((dm >= 0).sum())
        sg = r["signals"].copy()
        sg["default_month"] = dm[sg["loan_id"].to_numpy()]
        sg["months_left"] = r["months"] - sg["month"]
        sg["seed"] = r["seed"]
        for k, g in sg.groupby("signal", sort=False):
            per_sig.setdefault(k, []).append(g)
    for k, sig in defaults.SIGNALS.items():
        ov = sc.signal_overrides.get(k)

        def conf(name, sig=sig, ov=ov):
            v = getattr(ov, name, None) if ov is not None else None
            return getattr(sig, name) if v is None else v

        g = pd.concat(per_sig[k], ignore_index=True) if k in per_sig else None
        row = {"signal": k, "group": sig.group, "source": sig.source,
               "lead_cfg": conf("lead_months"), "lag": conf("lag_months"),
               "miss": conf("miss_rate"), "fp_cfg": conf("false_positive_rate"),
               "sightings": 0 if g is None else len(g)}
        if g is None or not len(g):
            rows.append(row | {"loans": 0})
            continue
        first = g.groupby(["seed", "loan_id"], sort=False).agg(
            first=("month", "min"), default_month=("default_month", "first"))
        d = first[first["default_month"] >= 0]
        before = d[d["first"] <= d["default_month"]]
        lead = (before["default_month"] - before["first"]).to_numpy()
        # the same, counting only sightings in the 12 months up to default, so that a
        # false alarm years earlier does not stand in for the run-up to this default
        gw = g[(g["default_month"] >= 0) & (g["month"] <= g["default_month"])
               & (g["month"] > g["default_month"] - 12)]
        w = gw.groupby(["seed", "loan_id"], sort=False).agg(
            first=("month", "min"), default_month=("default_month", "first"))
        lead12 = (w["default_month"] - w["first"]).to_numpy()
        never = g["default_month"] < 0
        early = g["months_left"] >= 12
        row.update({
            "loans": len(first),
            "lead_p25": float(np.percentile(lead, 25)) if len(lead) else np.nan,
            "lead_p50": float(np.median(lead)) if len(lead) else np.nan,
            "lead_p75": float(np.percentile(lead, 75)) if len(lead) else np.nan,
            "lead_mean": float(lead.mean()) if len(lead) else np.nan,
            "w12_p25": float(np.percentile(lead12, 25)) if len(lead12) else np.nan,
            "w12_p50": float(np.median(lead12)) if len(lead12) else np.nan,
            "w12_p75": float(np.percentile(lead12, 75)) if len(lead12) else np.nan,
            "cover": float((lead >= 1).sum()) / n_defaulted if n_defaulted else np.nan,
            "after": float((d["first"] > d["default_month"]).sum()) / n_defaulted
            if n_defaulted else np.nan,
            "fp_rows": float(never.mean()),
            "fp_rows_12m": float(never[early].mean()) if early.any() else np.nan,
            "fp_loans": float((first["default_month"] < 0).mean()),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def print_table(t: pd.DataFrame) -> None:
    def f(x, spec):
        return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else format(x, spec)

    head = (f"{'signal':<22}{'source':<8}{'lead':>5}{'lag':>4}{'miss':>5}{'fp/mo':>6}"
            f"{'seen':>9}{'loans':>7}{'p25':>5}{'p50':>5}{'p75':>5}{'IQR':>5}"
            f"{'12m p50':>8}{'IQR':>5}{'cover':>7}"
            f"{'after':>7}{'FP rows':>8}{'FP 12m':>8}{'FP loans':>9}")
    print(head)
    print("-" * len(head))
    for _, r in t.iterrows():
        iqr = r.get("lead_p75", np.nan) - r.get("lead_p25", np.nan)
        iqr12 = r.get("w12_p75", np.nan) - r.get("w12_p25", np.nan)
        print(f"{r['signal']:<22}{r['source']:<8}{r['lead_cfg']:>5.1f}{r['lag']:>4d}"
              f"{r['miss']:>5.2f}{r['fp_cfg']:>6.3f}{r['sightings']:>9,}{r['loans']:>7,}"
              f"{f(r.get('lead_p25'), '.0f'):>5}{f(r.get('lead_p50'), '.0f'):>5}"
              f"{f(r.get('lead_p75'), '.0f'):>5}{f(iqr, '.0f'):>5}"
              f"{f(r.get('w12_p50'), '.0f'):>8}{f(iqr12, '.0f'):>5}"
              f"{f(r.get('cover'), '.0%'):>7}{f(r.get('after'), '.0%'):>7}"
              f"{f(r.get('fp_rows'), '.0%'):>8}{f(r.get('fp_rows_12m'), '.0%'):>8}"
              f"{f(r.get('fp_loans'), '.0%'):>9}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--loans", type=int, default=5_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--strategy", default="watch",
                    help="watch (checks, no actions) or a built-in strategy name")
    ap.add_argument("--officers-per-100", type=float, default=5.0,
                    help="officers per 100 loans (watch: enough that no check slips)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    args = ap.parse_args(argv)

    sc = scenario(args.loans, args.months, args.officers_per_100)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    jobs = [(args.loans, args.months, s, args.strategy, args.officers_per_100) for s in seeds]
    t0 = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            results = list(ex.map(one_seed, jobs))
    else:
        results = [one_seed(j) for j in jobs]
    wall = time.perf_counter() - t0
    table = measure(results, sc)
    n_def = sum(r["defaults"] for r in results)
    print(f"Signal lead times and false positives: {args.seeds} seeds x {args.loans:,} loans x "
          f"{args.months} months, strategy {args.strategy} (benchmarks/engine.py's book)")
    print(f"defaults: {n_def:,} ({n_def / (args.seeds * args.loans):.1%} of loans); "
          f"checks slipped: {sum(r['slipped'] for r in results):,}; mean check quality "
          f"{np.mean([r['quality'] for r in results]):.2f}; {wall:.1f} s on {args.jobs} "
          "process(es)")
    print()
    print_table(table)
    print()
    print("lead, lag, miss, fp/mo: configured (sim.defaults.SIGNALS); seen: sightings; loans: "
          "loans flagged at least once;")
    print("p25/p50/p75, IQR: months from first sighting to default (defaulted loans seen at or "
          "before default);")
    print("12m p50, IQR: the same counting only sightings in the 12 months up to default;")
    print("cover: defaulted loans seen >= 1 month ahead; after: first seen only after default; "
          "FP rows: sightings on")
    print("loans that never default; FP 12m: the same for sightings with >= 12 months left; "
          "FP loans: flagged loans never defaulting.")
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
