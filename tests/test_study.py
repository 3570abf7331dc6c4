"""Tests for sim.study: one simulation per (seed, strategy), the index from the same seed's
runs, identical figures on every executor (a real Dask LocalCluster included) and in any
completion order, progress and cancellation. The intervals are tests/test_intervals.py,
a run's summary tests/test_run_summary.py."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import Executor, Future

import numpy as np
import pytest

import sim.engine
from sim.scoring import score_run
from sim.study import (
    LATE,
    ORACLE,
    Cancelled,
    StudySpec,
    builtin,
    child_seeds,
    process_pool,
    run_studies,
    run_study,
    sweep_specs,
    with_officers,
)
from tests.small_book import small_book


@pytest.fixture(scope="module")
def case():
    return small_book("study")


def spec_of(case, names=("early-warning", "late-collection"), reps=4, seed=11, **kw):
    return StudySpec(scenario=case, strategies=tuple(builtin(n) for n in names), reps=reps,
                     seed=seed, **kw)


# --- one simulation per (seed, strategy) ------------------------------------------------


def test_each_seed_and_strategy_is_simulated_once(case, monkeypatch):
    calls = []

    def counting(real):
        def run(scenario, seed=None, months=None, strategy=None, rules=None, tape=None):
            calls.append((seed, getattr(strategy, "name", strategy)))
            return real(scenario, seed=seed, months=months, strategy=strategy, rules=rules,
                        tape=tape)
        return run

    for name in ("simulate", "simulate_brief"):  # with frames or figures only
        monkeypatch.setattr(sim.engine, name, counting(getattr(sim.engine, name)))
    spec = spec_of(case, ("early-warning", "late-collection", "oracle"), reps=3)
    run_study(spec)
    assert len(calls) == 9 and len(set(calls)) == 9  # 3 seeds x 3 strategies, none twice
    calls.clear()
    run_study(spec_of(case, ("early-warning",), reps=2))
    assert sorted(n for _, n in calls) == sorted(["early-warning", LATE, ORACLE] * 2)


def test_figures_agree_with_scoring_each_run_on_its_own(case):
    spec = spec_of(case, ("early-warning", "late-collection"), reps=2, missed_warnings=True)
    res = run_study(spec)
    assert res.spec.labels == ("early-warning", "late-collection")
    assert [s.label for s in spec.runs] == ["early-warning", LATE, ORACLE]
    for rep, seed in enumerate(res.seeds):
        alone = score_run(case, seed=seed, strategy="early-warning")
        f = res.figures["early-warning"]
        assert f["loss_cny"][rep] == alone.loss
        assert f["saves"][rep] == alone.saves
        if alone.compliance is None:  # no check was required: left out, not 100%
            assert math.isnan(f["compliance"][rep])
        else:
            assert f["compliance"][rep] == alone.compliance
        assert f["missed_warnings"][rep] == alone.missed_warnings
        assert f["net_value_cny"][rep] == pytest.approx(alone.net_value)
        if alone.index is None:
            assert math.isnan(f["index"][rep])
        else:
            assert f["index"][rep] == pytest.approx(alone.index)
        late = res.figures[LATE]["index"][rep]
        oracle = res.figures[ORACLE]["index"][rep]
        assert math.isnan(late) or (late == 0.0 and oracle == pytest.approx(1.0))
    assert res.series["early-warning"]["npl_ratio"].shape == (2, case.horizon_months)
    # by default a study leaves the (costly) missed-warning count out, as NaN, never 0
    assert np.isnan(run_study(spec_of(case, reps=1)).figures[LATE]["missed_warnings"]).all()


def test_a_longer_study_extends_a_shorter_one(case):
    short = run_study(spec_of(case, reps=2))
    long = run_study(spec_of(case, reps=3))
    assert long.seeds[:2] == short.seeds == child_seeds(11, 2)
    for lab in short.figures:
        assert np.array_equal(long.figures[lab]["loss_cny"][:2], short.figures[lab]["loss_cny"])


# --- executors, order, progress, cancellation --------------------------------------------


class LastInFirstOut(Executor):
    """Runs submitted tasks on one thread, newest first: completion order is reversed."""

    def __init__(self):
        self.jobs: list = []
        self.finished: list = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def submit(self, fn, *args, **kwargs):
        fut: Future = Future()
        with self.lock:
            self.jobs.append((fut, fn, args))
        return fut

    def _loop(self):
        time.sleep(0.2)  # let every task be submitted first
        while not self.stop.is_set():
            with self.lock:
                job = self.jobs.pop() if self.jobs else None
            if job is None:
                time.sleep(0.01)
                continue
            fut, fn, args = job
            if fut.set_running_or_notify_cancel():
                fut.set_result(fn(*args))
                self.finished.append(args[1])

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.stop.set()


def test_completion_order_does_not_change_the_figures(case):
    spec = spec_of(case, reps=4)
    serial = run_study(spec)
    ex = LastInFirstOut()
    try:
        reversed_order = run_studies([spec], executor=ex, max_in_flight=10)[0]
    finally:
        ex.shutdown()
    assert ex.finished == serial.seeds[::-1]
    assert reversed_order.same_figures(serial)


def test_process_pool_gives_identical_figures_with_progress(case):
    spec = spec_of(case, reps=4)
    serial = run_study(spec)
    ticks = []
    with process_pool(2) as pool:
        pooled = run_study(spec, executor=pool, progress=lambda d, n: ticks.append((d, n)))
    assert pooled.same_figures(serial)
    assert ticks == [(k, 4) for k in range(1, 5)]



def _replication_then_frozen(case, seed, months, runs) -> tuple[int, int]:
    """In a worker: the objects the collector keeps out of reach before and after a
    replication (gc.get_freeze_count)."""
    import gc

    from sim.study import run_replication

    before = gc.get_freeze_count()
    run_replication(case, seed, months, runs)
    return before, gc.get_freeze_count()


def test_a_worker_freezes_its_heap_after_its_first_replication_not_the_caller(case):
    import gc

    spec = spec_of(case, reps=1)
    caller = gc.get_freeze_count()
    run_study(spec)  # in this process: its heap is not frozen
    assert gc.get_freeze_count() == caller
    with process_pool(1) as pool:
        first = pool.submit(_replication_then_frozen, case, 5, spec.months, spec.runs).result()
        second = pool.submit(_replication_then_frozen, case, 6, spec.months, spec.runs).result()
    assert first[0] == 0 and first[1] > 0  # the imports and caches, out of reach
    # once per worker: the next replication freezes nothing more (a frozen object may
    # still be freed)
    assert second[1] <= second[0] <= first[1]

def test_dask_local_cluster_gives_identical_figures(case):
    distributed = pytest.importorskip("distributed")
    spec = spec_of(case, reps=4)
    serial = run_study(spec)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = run_study(spec, executor=client.get_executor())
    assert remote.same_figures(serial)


def test_cancel_stops_between_replications(case):
    stop = threading.Event()

    def progress(done, total):
        if done == 2:
            stop.set()

    with pytest.raises(Cancelled) as err:
        run_study(spec_of(case, reps=6), progress=progress, cancel=stop)
    assert (err.value.done, err.value.total) == (2, 6)


def test_cancel_on_a_pool_returns_without_finishing(case):
    stop = threading.Event()
    stop.set()
    with process_pool(2) as pool, pytest.raises(Cancelled) as err:
        run_study(spec_of(case, reps=20), executor=pool, cancel=stop)
    assert err.value.done == 0


# --- staffing ---------------------------------------------------------------------------


def test_sweep_runs_one_strategy_per_officer_count_on_the_same_seeds(case):
    base = spec_of(case, ("early-warning", "late-collection"), reps=2)
    sweep = sweep_specs(base, [1, 3], "late-collection")
    assert [s.officers for s in sweep] == [1, 3]
    assert all(s.labels == ("late-collection",) and not s.references for s in sweep)
    assert all(s.seeds() == base.seeds() for s in sweep)
    assert sweep[1].case().staff.officers == 3 and case.staff.officers == 1
    assert with_officers(case, 5).staff.hours_per_officer_month == \
        case.staff.hours_per_officer_month
    res = run_studies(sweep)
    assert list(res[0].figures) == ["late-collection"]  # no reference runs in a sweep
    assert np.isnan(res[0].figures["late-collection"]["index"]).all()
    with pytest.raises(ValueError, match="unknown strategy 'oracle'"):
        sweep_specs(base, [1, 2], "oracle")


def test_a_study_refuses_duplicate_names(case):
    with pytest.raises(ValueError, match="used twice: oracle"):
        spec_of(case, ("oracle", "oracle"))
    with pytest.raises(ValueError, match="unknown strategy"):
        builtin("wishful-thinking")
    from sim.strategies import RuleTable
    from sim.study import from_rules

    # any built-in's name: the references would be read from the table, and the table
    # shown as the built-in it is not
    for name in ("oracle", "early-warning", "do-nothing"):
        with pytest.raises(ValueError, match=f"may not be named '{name}'"):
            StudySpec(scenario=case, strategies=(from_rules(RuleTable(name=name)),), reps=2,
                      seed=1)

