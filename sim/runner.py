"""Replications of one strategy for ``bianque run --reps``, on the study runner.

A thin view of :mod:`sim.study`: one strategy over child seeds of one root seed, each
seed simulated once per strategy (the strategy, plus late collection and the oracle
when it is scored), on any ``concurrent.futures.Executor``. The figures come back as
means with 95% intervals under the keys ``bianque run`` has always printed.
"""

from __future__ import annotations

from concurrent.futures import Executor

import numpy as np

from sim.intervals import index_interval, mean_interval
from sim.scenario import Scenario
from sim.study import (
    LATE,
    ORACLE,
    CancelFlag,
    Progress,
    StrategySpec,
    StudyResult,
    StudySpec,
    child_seeds,
    run_study,
)

__all__ = ["child_seeds", "replicate", "run_summary_stats"]

SUMMARY_FIGURES = {"defaults": "defaults", "npl_ratio_peak": "npl_ratio_peak", "loss": "loss_cny",
                   "interest": "interest_cny", "funding": "funding_cny", "hours": "hours",
                   "cost": "cost_cny", "provisions_end": "provisions_end_cny"}
SCORE_FIGURES = {"index": "index", "loss": "loss_cny", "interest": "interest_cny",
                 "funding": "funding_cny",
                 "hours": "hours", "cost": "cost_cny", "npl_ratio_peak": "npl_ratio_peak",
                 "provisions": "provisions_end_cny", "compliance": "compliance",
                 "policy_compliance": "policy_compliance",
                 "relationship": "relationship", "saves": "saves",
                 "missed_warnings": "missed_warnings", "net_value": "net_value_cny",
                 "refused_for_hours": "refused_for_hours"}


def replicate(scenario: Scenario, strategy: StrategySpec, reps: int, seed: int,
              months: int | None = None, scored: bool = True, executor: Executor | None = None,
              progress: Progress | None = None, cancel: CancelFlag | None = None) -> StudyResult:
    """``reps`` replications of one strategy; scored runs also run the references."""
    spec = StudySpec(scenario=scenario, strategies=(strategy,), reps=reps, seed=seed,
                     months=months, references=scored, missed_warnings=scored)
    return run_study(spec, executor=executor, progress=progress, cancel=cancel)


def run_summary_stats(result: StudyResult) -> dict:
    """Per key: mean and 95% interval across replications; the score under 'score'."""
    spec = result.spec
    label = spec.labels[0]
    f = result.figures[label]
    s = result.series[label]
    n_loans = spec.scenario.n_loans
    out = {
        "loans": mean_interval(np.full(spec.reps, n_loans)).as_dict(),
        "months": mean_interval(np.full(spec.reps, spec.horizon)).as_dict(),
        "defaults": mean_interval(f["defaults"]).as_dict(),
        "default_rate": mean_interval(f["defaults"] / n_loans).as_dict(),
        "npl_ratio_end": mean_interval(s["npl_ratio"][:, -1]).as_dict(),
    }
    for key, name in SUMMARY_FIGURES.items():
        out[key] = mean_interval(f[name]).as_dict()
    out["loss_rate"] = mean_interval(f["loss_cny"] / f["disbursed_cny"]).as_dict()
    if spec.references:
        score = {k: mean_interval(f[name]).as_dict() for k, name in SCORE_FIGURES.items()}
        # the index on mean losses, as the lab and the teaching preview take it
        score["index"] = index_interval(result.figures[LATE]["loss_cny"], f["loss_cny"],
                                        result.figures[ORACLE]["loss_cny"]).as_dict()
        score["loss_late"] = mean_interval(result.figures[LATE]["loss_cny"]).as_dict()
        score["loss_oracle"] = mean_interval(result.figures[ORACLE]["loss_cny"]).as_dict()
        out["score"] = score
    return out
