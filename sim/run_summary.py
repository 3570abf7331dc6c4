"""What one run of a study gives back: a small typed summary (figures with units, and the
per-month NPL ratio and provisions), never an event log, so a worker returns little.

`summarise_run` reduces a RunResult or a RunBrief; the saves and the headline index need
the same seed's late-collection and oracle runs (sim.study.run_replication supplies them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np


@dataclass
class RunSummary:
    """One (seed, strategy) run, reduced to what a study compares. Money in CNY."""

    loss_cny: float
    interest_cny: float
    funding_cny: float  # cost of funding the performing balance
    hours: float
    cost_cny: float
    net_value_cny: float  # interest - funding - loss - money spent on actions (results.net_value)
    compliance: float  # share of required checks done on time; NaN when none was required
    policy_compliance: float  # loan-months up to the case's own check policy; NaN: none held
    saves: float  # loans late collection lost and this run kept (NaN without references)
    missed_warnings: float
    defaults: float
    npl_ratio_peak: float
    provisions_end_cny: float
    relationship: float
    disbursed_cny: float
    index: float  # (loss_late - loss) / (loss_late - loss_oracle); NaN when nothing avoidable
    refused_for_hours: float  # actions decided and refused as the month's hours ran out
    npl_ratio: np.ndarray = field(repr=False)  # per month
    provisions_cny: np.ndarray = field(repr=False)  # per month


FIGURES = tuple(f.name for f in fields(RunSummary) if f.name not in ("npl_ratio",
                                                                       "provisions_cny"))
SERIES = ("npl_ratio", "provisions_cny")


def _nan_if_none(x) -> float:
    return math.nan if x is None else float(x)


def summarise_run(run, late=None, oracle=None, missed: bool = True) -> RunSummary:
    """A run's figures, from a RunResult or a RunBrief; saves and index need the
    late-collection and oracle runs.

    Counting missed warnings joins the run's warnings with its events (about a tenth of
    a 2,000-loan run's cost) and needs a RunResult's frames: a study may leave it out
    (``missed=False``, or a RunBrief: NaN).
    """
    from sim.results import RunBrief, net_value
    from sim.scoring import material_index, missed_warnings

    n_missed = math.nan
    if missed and not isinstance(run, RunBrief):
        n_missed = float(len(missed_warnings(run)))
    run, late, oracle = (None if r is None else r if isinstance(r, RunBrief)
                         else RunBrief.from_result(r) for r in (run, late, oracle))
    npl, prov = run.npl_ratio, run.provisions_cny
    index = math.nan
    n_saves = math.nan
    if late is not None:  # loans late collection lost to default and this run kept
        n_saves = float(np.count_nonzero(late.defaulted & ~run.defaulted))
        if oracle is not None:
            # as a single run's score has it (sim.scoring.score): none when immaterial
            ix = material_index(run.loss_cny, late.loss_cny, oracle.loss_cny,
                                run.disbursed_cny)
            index = math.nan if ix is None else float(ix)
    return RunSummary(
        loss_cny=float(run.loss_cny), interest_cny=float(run.interest_cny),
        funding_cny=float(run.funding_cny),
        hours=float(run.hours), cost_cny=float(run.cost_cny),
        net_value_cny=float(net_value(run)),
        compliance=_nan_if_none(run.compliance),
        policy_compliance=_nan_if_none(run.policy_compliance), saves=n_saves, missed_warnings=n_missed,
        defaults=float(run.defaults),
        npl_ratio_peak=float(npl.max()) if len(npl) else 0.0,
        provisions_end_cny=float(prov[-1]) if len(prov) else 0.0,
        relationship=float(run.relationship), disbursed_cny=float(run.disbursed_cny),
        index=index, refused_for_hours=float(run.refused_for_hours),
        npl_ratio=npl, provisions_cny=prov,
    )
