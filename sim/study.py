"""A study: several strategies over many common-random-number futures, on any Executor.

A study runs each replication (one child seed of one root ``SeedSequence``) once per
strategy, and reuses the runs as each other's references: late collection and the
oracle are runs of the study (added when the manager did not ask for them), and the
headline index of every strategy is computed from the runs of the same seed. So a
three-strategy study runs three simulations per seed, not twelve.

Workers return small typed summaries (:class:`RunSummary`: figures with units and
per-month NPL ratio and provisions as numpy arrays), never event logs, and the parent
files each by its replication number. Results therefore do not depend on the executor
(in process, a ``ProcessPoolExecutor``, or Dask through
``distributed.Client(address).get_executor()``), the number of workers or the order in
which replications finish. Progress is reported after each replication, and a
``threading.Event`` (or anything with ``is_set()``) cancels between replications.

A run's summary is sim.run_summary; the intervals and verdicts over the replications are
sim.intervals.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from sim.policy import Staff
from sim.run_summary import FIGURES, SERIES, RunSummary, summarise_run
from sim.scenario import Scenario

LATE = "late-collection"
ORACLE = "oracle"
REFERENCES = (LATE, ORACLE)
"""The runs every strategy's index is measured against on the same seed."""


# --- what a strategy is ------------------------------------------------------------


@dataclass(frozen=True)
class StrategySpec:
    """A strategy of a study: a built-in by name, or a rule table (``rules`` set).

    ``label`` names it in tables and charts; it is unique within a study.
    """

    label: str
    builtin: str | None = None
    rules: object | None = None  # sim.strategies.RuleTable

    def make(self):
        from sim.strategies import make_strategy

        return make_strategy(self.builtin or "rules", rules=self.rules)


def builtin(name: str) -> StrategySpec:
    """A built-in strategy; an unknown name raises ValueError with the known ones."""
    from sim.strategies import BUILT_IN

    if name not in BUILT_IN:
        from sim.inputs import did_you_mean

        raise ValueError(f"unknown strategy '{name}'; use one of: {', '.join(BUILT_IN)} "
                         f"or a rule table file (.yaml){did_you_mean(name, BUILT_IN)}")
    return StrategySpec(label=name, builtin=name)


def from_rules(table) -> StrategySpec:
    return StrategySpec(label=table.name, rules=table)


def run_replication(scenario: Scenario, seed: int, months: int | None,
                    runs: Sequence[StrategySpec], missed: bool = False) -> list[RunSummary]:
    """One seed: each strategy simulated once; late collection and the oracle (when among
    ``runs``) are the references of all. Runs in a worker; returns summaries only, and
    builds no frames unless missed warnings are counted."""
    from sim.draws import DrawTape
    from sim.engine import simulate, simulate_brief

    sim_run = simulate if missed else simulate_brief
    tape = DrawTape()  # the seed's months drawn once, for every strategy (sim.draws)
    results = [sim_run(scenario, seed=seed, months=months, strategy=s.make(), tape=tape)
               for s in runs]
    by_label = {s.label: r for s, r in zip(runs, results, strict=True)}
    late, oracle = by_label.get(LATE), by_label.get(ORACLE)
    summaries = [summarise_run(r, late, oracle, missed) for r in results]
    _freeze_worker_heap()
    return summaries


_heap_frozen = False  # whether this process froze its heap (`_freeze_worker_heap`)


def _freeze_worker_heap() -> None:
    """Once, in a worker process (a pool's or a cluster's), after its first replication:
    move what the worker holds for good (the modules, numba's compiled kernels, the
    calibration tables and caches the first runs filled) out of the garbage collector's
    reach (``gc.freeze``, after one full collection). The runs free their own objects
    (sim.engine's ``_released``), but every 10 to 40 replications the collector's full
    pass walked the 360,000 objects of the imports, about 100 ms each (1 to 2.5% of a
    worker's time at 2,000 loans x 60 months and 3 strategies; none in 39 replications
    once frozen). Not in the process that asked for the study (the app's server, a
    test): its heap is not the worker's to freeze."""
    global _heap_frozen
    if _heap_frozen or multiprocessing.parent_process() is None:
        return
    _heap_frozen = True
    gc.collect()
    gc.freeze()


# --- the study -------------------------------------------------------------------------


def child_seeds(root_seed: int, reps: int) -> list[int]:
    """One seed per replication, each from a child of ``SeedSequence(root_seed)``.

    A longer study extends a shorter one: its first seeds are the same.
    """
    ss = np.random.SeedSequence(root_seed)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> 1) for c in ss.spawn(reps)]


def with_officers(scenario: Scenario, officers: int) -> Scenario:
    """The same case with another number of post-loan officers (hours each unchanged)."""
    staff = Staff(officers=officers, hours_per_officer_month=scenario.staff.hours_per_officer_month)
    return scenario.model_copy(update={"staff": staff})


@dataclass(frozen=True)
class StudySpec:
    """Everything a study's figures depend on. The first strategy is the champion."""

    scenario: Scenario
    strategies: tuple[StrategySpec, ...]
    reps: int
    seed: int
    months: int | None = None
    officers: int | None = None  # None: the case's own staff
    references: bool = True  # run late collection and the oracle for the index and saves
    missed_warnings: bool = False  # count missed warnings (costs about 10% more per run)

    def __post_init__(self):
        labels = [s.label for s in self.strategies]
        if not labels:
            raise ValueError("a study needs at least one strategy")
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise ValueError(f"strategy names must differ; used twice: {', '.join(dup)}")
        # a table named like a built-in would be read as it (the references) and shown
        # under its name (any built-in)
        from sim.strategies import BUILT_IN

        taken = sorted(s.label for s in self.strategies
                       if s.rules is not None and s.label in BUILT_IN)
        if taken:
            raise ValueError(f"a rule table may not be named '{taken[0]}': that name is a "
                             "built-in strategy's; change its 'name' field")
        if self.reps < 1:
            raise ValueError("reps must be at least 1")

    @property
    def runs(self) -> tuple[StrategySpec, ...]:
        """The strategies simulated per seed: the study's, then any missing reference."""
        have = {s.label for s in self.strategies}
        extra = tuple(builtin(n) for n in REFERENCES if self.references and n not in have)
        return self.strategies + extra

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.strategies)

    def case(self) -> Scenario:
        return self.scenario if self.officers is None else with_officers(self.scenario,
                                                                            self.officers)

    def seeds(self) -> list[int]:
        return child_seeds(self.seed, self.reps)

    @property
    def horizon(self) -> int:
        return self.scenario.horizon_months if self.months is None else self.months


@dataclass
class StudyResult:
    """Per strategy (reference runs included): each figure and series over replications,
    in replication order. ``figures[label][name]`` has shape (reps,), ``series[label][name]``
    (reps, months)."""

    spec: StudySpec
    seeds: list[int]
    figures: dict[str, dict[str, np.ndarray]]
    series: dict[str, dict[str, np.ndarray]]

    def same_figures(self, other: StudyResult) -> bool:
        """Bit for bit the same figures and series (NaN equal to NaN)."""
        if self.seeds != other.seeds or self.figures.keys() != other.figures.keys():
            return False
        for lab in self.figures:
            for part, theirs in ((self.figures, other.figures), (self.series, other.series)):
                for k, v in part[lab].items():
                    if not np.array_equal(v, theirs[lab][k], equal_nan=True):
                        return False
        return True


class Cancelled(Exception):
    """The study was cancelled; ``done`` replications had finished."""

    def __init__(self, done: int, total: int):
        super().__init__(f"cancelled after {done} of {total} replications")
        self.done = done
        self.total = total


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


Progress = Callable[[int, int], None]
"""Called with (replications done, replications in all) after each one finishes."""


def _empty(spec: StudySpec) -> StudyResult:
    n, t = spec.reps, spec.horizon
    figs = {s.label: {k: np.full(n, np.nan) for k in FIGURES} for s in spec.runs}
    ser = {s.label: {k: np.full((n, t), np.nan) for k in SERIES} for s in spec.runs}
    return StudyResult(spec=spec, seeds=spec.seeds(), figures=figs, series=ser)


def _file(result: StudyResult, rep: int, summaries: list[RunSummary]) -> None:
    for s, summary in zip(result.spec.runs, summaries, strict=True):
        for k in FIGURES:
            result.figures[s.label][k][rep] = getattr(summary, k)
        for k in SERIES:
            v = getattr(summary, k)
            result.series[s.label][k][rep, : len(v)] = v


def run_studies(specs: Sequence[StudySpec], executor: Executor | None = None,
                progress: Progress | None = None, cancel: CancelFlag | None = None,
                max_in_flight: int | None = None) -> list[StudyResult]:
    """Run several studies' replications as one stream of tasks (for one progress bar).

    Without an executor, replications run here, one after another. With one, at most
    ``max_in_flight`` (default: 4 per worker the executor reports, else 16) are submitted
    at a time, so memory stays flat however many replications there are; each result is
    filed by its replication number as it arrives.
    """
    results = [_empty(s) for s in specs]
    cases = [s.case() for s in specs]
    tasks = [(k, rep) for k, s in enumerate(specs) for rep in range(s.reps)]
    total = len(tasks)
    done = 0

    def args(task):
        k, rep = task
        return (cases[k], results[k].seeds[rep], specs[k].months, specs[k].runs,
                specs[k].missed_warnings)

    def tick():
        if progress is not None:
            progress(done, total)

    if executor is None:
        for task in tasks:
            if cancel is not None and cancel.is_set():
                raise Cancelled(done, total)
            _file(results[task[0]], task[1], run_replication(*args(task)))
            done += 1
            tick()
        return results

    limit = max_in_flight or 4 * max(1, int(getattr(executor, "_max_workers", 0) or 4))
    pending: dict[Future, tuple[int, int]] = {}
    queue = iter(tasks)
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled(done, total)
            for task in queue:
                pending[executor.submit(run_replication, *args(task))] = task
                if len(pending) >= limit:
                    break
            if not pending:
                return results
            finished, _ = wait(list(pending), timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in finished:
                k, rep = pending.pop(fut)
                _file(results[k], rep, fut.result())
                done += 1
                tick()
    finally:
        for fut in pending:
            fut.cancel()


def process_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A local process pool, one worker per core by default.

    Workers start from a fork server, not by forking the caller: the app's server is
    multi-threaded, and forking a threaded process can copy a held lock into the child.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.study", "sim.engine", "sim.strategies", "sim.scoring"])
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=ctx)


def run_study(spec: StudySpec, executor: Executor | None = None,
              progress: Progress | None = None, cancel: CancelFlag | None = None) -> StudyResult:
    return run_studies([spec], executor, progress, cancel)[0]


def sweep_specs(spec: StudySpec, officers: Iterable[int], label: str | None = None
                ) -> list[StudySpec]:
    """One study per officer count for one strategy (default: the champion), on the same
    seeds, without reference runs: a sweep compares staffing, not strategies."""
    chosen = next((s for s in spec.strategies if s.label == (label or spec.labels[0])), None)
    if chosen is None:
        raise ValueError(f"unknown strategy '{label}' for the staffing sweep; use one of: "
                         f"{', '.join(spec.labels)}")
    return [replace(spec, strategies=(chosen,), officers=int(k), references=False)
            for k in officers]
