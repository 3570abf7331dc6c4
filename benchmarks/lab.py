"""Speed and memory of the strategy lab's study runner.

    python benchmarks/lab.py                         # everything below (about 25 min on 2 cores)
    python benchmarks/lab.py --only profile scaling  # the quick parts
    python benchmarks/lab.py --reps 100 1000 --small-reps 40 --json out.json

The study: 3 strategies (early-warning, late-collection, oracle: three distinct runs per
seed, the last two also the references of the index) on a 2,000-loan, 60-month book
(``make_scenario`` of benchmarks/engine.py: five products, an LPR rise, a recession, a
falling collateral index, 20 officers). Parts:

    profile   one process, cProfile of a few replications: where the time goes
    scaling   --small-reps replications on a local process pool of 1 and of 2 workers
    cluster   the same on a 2-worker dask.distributed LocalCluster (processes), against
              the 2-worker pool; the cluster's start-up is reported apart
    memory    --reps replications (100 and 1,000) on the 2-worker pool: wall time and the
              peak resident memory of the whole process tree (parent, fork server, workers)

Each measured configuration runs in its own subprocess, so one does not warm or bloat
the next. The target (issue 13): 1,000 replications x 3 strategies in under 60 s with
the local pool on a 2-core machine. The machine is shared: the load average is printed
before and after each part, and figures under load are slower than the code. So is a
yardstick (`yardstick`: a fixed Python and numpy workload): the same code runs up to 1.7
times slower on some days with the machine idle, so compare days by study time over
yardstick.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(ROOT / "benchmarks")):
    if p not in sys.path:
        sys.path.insert(0, p)

LOANS = 2000
MONTHS = 60
STRATEGIES = ("early-warning", "late-collection", "oracle")
SEED = 2026


def study_spec(reps: int):
    from engine import make_scenario

    from sim.study import StudySpec, builtin

    return StudySpec(scenario=make_scenario(LOANS, MONTHS),
                     strategies=tuple(builtin(s) for s in STRATEGIES), reps=reps, seed=SEED)


def digest(result) -> str:
    """A hash of every figure and series: equal digests, bit-identical results."""
    h = hashlib.sha256()
    for lab in sorted(result.figures):
        for part in (result.figures[lab], result.series[lab]):
            for k in sorted(part):
                h.update(part[k].tobytes())
    return h.hexdigest()[:16]


class TreePeak:
    """Peak resident memory and CPU time of this process and all its descendants,
    sampled every 50 ms (CPU time is kept per process, so workers that have exited
    still count with their last sample)."""

    def __init__(self):
        import psutil

        self.proc = psutil.Process()
        self.peak = 0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self):
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
                t = p.cpu_times()
                self.cpu[p.pid] = t.user + t.system
        self.peak = max(self.peak, total)

    def _loop(self):
        while not self.stop.is_set():
            self._sample()
            time.sleep(0.05)

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu.values())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


# --- one configuration (runs in a subprocess) ----------------------------------------------


def measure(kind: str, workers: int, reps: int) -> dict:
    from sim.study import process_pool, run_study

    spec = study_spec(reps)
    out = {"kind": kind, "workers": workers, "reps": reps}
    with TreePeak() as mem:
        if kind == "pool":
            t0 = time.perf_counter()
            with process_pool(workers) as pool:
                # start every worker (fork server, imports) before the clock, as for the cluster
                list(pool.map(time.sleep, [0.0] * (4 * workers)))
                out["startup_s"] = time.perf_counter() - t0
                mem._sample()
                cpu0, t1 = mem.cpu_s, time.perf_counter()
                result = run_study(spec, executor=pool)
                out["wall_s"] = time.perf_counter() - t1
                mem._sample()
                out["cpu_s"] = mem.cpu_s - cpu0
        elif kind == "cluster":
            from distributed import Client, LocalCluster

            t0 = time.perf_counter()
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                out["startup_s"] = time.perf_counter() - t0
                mem._sample()
                cpu0, t1 = mem.cpu_s, time.perf_counter()
                result = run_study(spec, executor=client.get_executor())
                out["wall_s"] = time.perf_counter() - t1
                mem._sample()
                out["cpu_s"] = mem.cpu_s - cpu0
        else:
            mem._sample()
            cpu0, t0 = mem.cpu_s, time.perf_counter()
            result = run_study(spec)
            out["wall_s"] = time.perf_counter() - t0
            mem._sample()
            out["cpu_s"] = mem.cpu_s - cpu0
    out["peak_rss_mb"] = mem.peak / 2**20
    out["digest"] = digest(result)
    runs = reps * len(spec.runs)
    out["runs"] = runs
    out["s_per_replication"] = out["wall_s"] / reps
    out["loan_months_per_s"] = runs * LOANS * MONTHS / out["wall_s"]
    out["cpu_s_per_replication"] = out["cpu_s"] / reps
    out["load_average_1m"] = os.getloadavg()[0]
    return out


def in_subprocess(kind: str, workers: int, reps: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[v] = "1"
    proc = subprocess.run([sys.executable, __file__, "--one", kind, str(workers), str(reps)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- profile ---------------------------------------------------------------------------------


CATEGORIES = {
    # name: (file suffix, function) pairs whose cumulative time is the category's
    "build (Simulation.__init__)": (("sim/engine.py", "__init__"),),
    "run (env.run: ticks, decisions, checks, signals)": (("simpy/core.py", "run"),),
    "  strategies' decide()": (("sim/strategies/early_warning.py", "decide"),
                               ("sim/strategies/triage.py", "decide"),
                               ("sim/strategies/baselines.py", "decide"),
                               ("sim/strategies/rules.py", "decide"),
                               ("sim/strategies.py", "decide")),
    "  observe() for the strategy": (("sim/observation.py", "observe"),
                                     ("sim/engine.py", "observe")),
    "  the month's actions (act_many; act inside it)": (
        ("sim/interventions/batch.py", "act_many"),),
    "  monthly tick (health, payments, defaults)": (("sim/engine.py", "_tick"),),
    "  checks due": (("sim/checks.py", "run_due"), ("sim/engine.py", "_checks_due")),
    "  off-site signals": (("sim/signals.py", "offsite_sightings"),
                           ("sim/engine.py", "_offsite_signals")),
    "frames (RunResult.from_sim)": (("sim/results.py", "from_sim"), ("sim/engine.py", "from_sim")),
    "summaries (run_summary.summarise_run)": (("sim/run_summary.py", "summarise_run"),),
}


def _group(file: str) -> str:
    """Own time by place: a module of sim/, or the library it is spent in."""
    f = file.replace("\\", "/")
    if "/sim/" in f:
        return "sim/" + f.split("/sim/", 1)[1]
    for lib in ("pandas", "numpy", "simpy", "scipy", "pyarrow", "pydantic"):
        if f"/{lib}/" in f:
            return lib
    if f.startswith("~") or f.startswith("<"):
        return "builtins (numpy ufuncs, list and dict methods)"
    return "other"


def profile(reps: int) -> dict:
    import cProfile
    import pstats

    from sim.study import run_study

    spec = study_spec(reps)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    run_study(spec)
    prof.disable()
    wall = time.perf_counter() - t0
    st = pstats.Stats(prof)
    cum: dict[str, float] = {}
    own: dict[str, float] = {}
    for (file, _line, func), (_cc, _nc, tt, ct, _callers) in st.stats.items():
        for name, places in CATEGORIES.items():
            if any(file.endswith(f) and func == fn for f, fn in places):
                cum[name] = cum.get(name, 0.0) + ct
        own[_group(file)] = own.get(_group(file), 0.0) + tt
    calls = sum(nc for (_cc, nc, *_rest) in st.stats.values())
    top = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:15]
    total = st.total_tt
    return {"reps": reps, "wall_s": wall, "profiled_s": total,
            "per_run_s": wall / (reps * len(spec.runs)),
            "function_calls_per_run": calls / (reps * len(spec.runs)),
            "categories": {k: cum.get(k, 0.0) / total for k in CATEGORIES},
            "own_time_by_place": dict(sorted(((k, v / total) for k, v in own.items()),
                                             key=lambda kv: -kv[1])[:14]),
            "top_tottime": [(f"{Path(f).name}:{ln} {fn}", tt / total)
                            for (f, ln, fn), (_cc, _nc, tt, _ct, _c) in top]}


# --- report ----------------------------------------------------------------------------------


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.1f} {b:.1f} {c:.1f} on {os.cpu_count()} cores" \
        f"; yardstick {yardstick():.1f} ms"


def yardstick(repeat: int = 5) -> float:
    """ms (best of `repeat`) of a fixed workload that does not depend on the project: a pure
    Python loop and small numpy calls on 2,000-element arrays, the mix a run of the engine is
    made of. The same code measures slower on some days than on others while the load
    average says the machine is idle; a figure is comparable to another day's in proportion
    to this yardstick (study time / yardstick), not as it stands."""
    import timeit

    import numpy as np

    a = np.arange(2000.0)
    b = a[::-1].copy()

    def work():
        total = 0
        for i in range(100_000):
            total += i
        for _ in range(1_000):
            np.where(a > b, a, b).sum()

    return 1000 * min(timeit.repeat(work, number=1, repeat=repeat))


def row(r: dict) -> str:
    extra = f", start-up {r['startup_s']:.1f} s" if "startup_s" in r else ""
    return (f"  {r['kind']:<8} workers {r['workers']}  reps {r['reps']:>5}  wall {r['wall_s']:8.1f} s"
            f"  {r['s_per_replication'] * 1000:7.0f} ms/rep  "
            f"{r['loan_months_per_s'] / 1e6:5.2f} M loan-months/s  peak {r['peak_rss_mb']:6.0f} MB"
            f"  cpu {r['cpu_s']:7.1f} s ({r['cpu_s_per_replication'] * 1000:.0f} ms/rep)"
            f"  digest {r['digest']}{extra}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=("profile", "scaling", "cluster", "memory"),
                    default=("profile", "scaling", "cluster", "memory"))
    ap.add_argument("--profile-reps", type=int, default=3)
    ap.add_argument("--small-reps", type=int, default=40)
    ap.add_argument("--reps", type=int, nargs="+", default=(100, 1000))
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        kind, workers, reps = args.one[0], int(args.one[1]), int(args.one[2])
        print(json.dumps(measure(kind, workers, reps)))
        return 0

    out: dict = {"loans": LOANS, "months": MONTHS, "strategies": STRATEGIES,
                 "yardstick_ms": yardstick()}
    print(f"Study: {len(STRATEGIES)} strategies x {LOANS:,} loans x {MONTHS} months; {load()}")
    if "profile" in args.only:
        p = out["profile"] = profile(args.profile_reps)
        print(f"\nProfile of {p['reps']} replications in one process: {p['wall_s']:.1f} s, "
              f"{p['per_run_s'] * 1000:.0f} ms per run, {p['function_calls_per_run']:,.0f} "
              "Python function calls per run")
        for k, share in p["categories"].items():
            print(f"  {k:<56} {share:6.1%}")
        print("  own time by place:")
        for name, share in p["own_time_by_place"].items():
            print(f"    {share:6.1%}  {name}")
        print("  top functions by own time:")
        for name, share in p["top_tottime"]:
            print(f"    {share:6.1%}  {name}")
        print(f"  ({load()})")
    if "scaling" in args.only:
        rows = [in_subprocess("pool", w, args.small_reps) for w in (1, 2)]
        out["scaling"] = rows
        print(f"\nLocal process pool, {args.small_reps} replications:")
        for r in rows:
            print(row(r))
        print(f"  speed-up from 1 to 2 workers: {rows[0]['wall_s'] / rows[1]['wall_s']:.2f}x"
              f"  ({load()})")
    if "cluster" in args.only:
        pool = next((r for r in out.get("scaling", []) if r["workers"] == 2), None) or \
            in_subprocess("pool", 2, args.small_reps)
        cl = in_subprocess("cluster", 2, args.small_reps)
        out["cluster"] = {"pool": pool, "cluster": cl}
        print(f"\n2-worker LocalCluster against the 2-worker pool, {args.small_reps} replications:")
        print(row(pool))
        print(row(cl))
        print(f"  cluster overhead: {cl['wall_s'] / pool['wall_s'] - 1:+.1%} of the pool's wall "
              f"time; identical figures: {cl['digest'] == pool['digest']}  ({load()})")
    if "memory" in args.only:
        rows = [in_subprocess("pool", 2, r) for r in args.reps]
        out["memory"] = rows
        print("\nMemory and the target, 2-worker local pool:")
        for r in rows:
            print(row(r))
        big = rows[-1]
        cores = min(2, os.cpu_count() or 1)
        from training.lab import estimated_seconds

        guess = estimated_seconds(study_spec(1).scenario, len(STRATEGIES), big["reps"],
                                  workers=2)
        print(f"  the lab's estimate of this study's wait on 2 local processes: {guess:.0f} s")
        print(f"  {big['reps']} replications x {len(STRATEGIES)} strategies: {big['wall_s']:.0f} s "
              f"wall (target 60 s); {big['cpu_s']:.0f} CPU-s, so about "
              f"{big['cpu_s'] / cores:.0f} s on {cores} idle cores  ({load()})")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
