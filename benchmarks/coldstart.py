"""What the engine's compiled parts (numba: sim/kernels/, sim/foresight.py) cost a fresh
process: the compile on a machine's first run, and loading numba's on-disk cache after.

    python benchmarks/coldstart.py                     # 2,000 loans, early-warning and oracle
    python benchmarks/coldstart.py --loans 500 --strategies do-nothing

Three fresh processes in turn share one new, empty cache directory (NUMBA_CACHE_DIR, so
the cache beside the sources is left alone):

    cold    nothing cached: compiles every kernel it meets and writes the cache
    warm    loads what the cold process cached
    warm 2  the same again (a second look at the noise)

Each times its imports, a first run and a second run of each strategy (12 months); the
first run's overhead is first run - second run: numba's compile or cache load, plus the
lazily built tables every process pays (the calibration table, the strategies' tables).
A process pool's workers are fresh processes: each pays the warm figure once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def worker(loans: int, months: int, strategies: list[str]) -> dict:
    """One fresh process: import, then two runs of each strategy, timed."""
    t0 = time.perf_counter()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from engine import make_scenario

    from sim.engine import simulate_brief

    out: dict = {"import_s": time.perf_counter() - t0}
    sc = make_scenario(loans, months)
    for s in strategies:
        times = []
        for seed in (1, 2):
            t = time.perf_counter()
            simulate_brief(sc, seed=seed, strategy=s)
            times.append(time.perf_counter() - t)
        out[s] = times
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loans", type=int, default=2000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--strategies", nargs="+", default=["early-warning", "oracle"])
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.loans, args.months, args.strategies)))
        return 0
    print(f"Cold start: {args.loans:,} loans x {args.months} months, "
          f"{', '.join(args.strategies)}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bianque-numba-") as cache:
        path = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": os.pathsep.join(path)}
        cmd = [sys.executable, __file__, "--worker", "--loans", str(args.loans), "--months",
               str(args.months), "--strategies", *args.strategies]
        print(f"  {'process':8s} {'import s':>9s} " + " ".join(
            f"{s + ' first/second/overhead s':>40s}" for s in args.strategies))
        for label in ("cold", "warm", "warm 2"):
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 1
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            cols = [f"{got[s][0]:8.2f} {got[s][1]:8.2f} {got[s][0] - got[s][1]:8.2f}"
                    for s in args.strategies]
            print(f"  {label:8s} {got['import_s']:9.2f} " + " ".join(f"{c:>40s}" for c in cols))
    print("The first strategy's overhead includes what all share (imports of the strategy "
          "code, the calibration table); the others' is their own compile or cache load.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
