"""Scoring: a run against its baselines on the same seed (common random numbers).

Late collection and the oracle face the same borrowers and the same draws, so
every difference in outcome is caused by decisions. Saves are loans that
default under late collection but not under the strategy; missed warnings are
defaults whose trouble was visible (or would have been, with a check) at least
MISSED_WARNING_MONTHS before default, on a loan nobody acted on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import defaults
from sim.engine import RunResult, simulate
from sim.intervals import something_avoidable
from sim.results import net_value
from sim.scenario import Scenario

BASELINES = ("late-collection", "early-warning", "oracle")


@dataclass
class Score:
    """A strategy's result against late collection and the oracle on one seed."""

    strategy: str
    index: float | None  # (loss_late - loss) / (loss_late - loss_oracle)
    loss: float  # credit loss net of recoveries, discounted, CNY
    interest: float  # interest income kept, CNY
    funding: float  # cost of funding the performing balance, CNY
    hours: float
    cost: float  # money spent on actions, CNY
    npl_ratio_peak: float
    provisions_end: float
    compliance: float | None  # share of required checks done on time; None: none required
    relationship: float  # mean relationship, 1 = untouched
    saves: int
    missed_warnings: int
    loss_late: float
    loss_oracle: float
    net_value: float  # interest - funding - loss - money spent, CNY (sim.results.net_value)
    save_list: list[int] = field(default_factory=list)
    missed_list: pd.DataFrame | None = None

    def to_dict(self) -> dict:
        return {
            "strategy": self.strategy, "index": self.index, "loss": self.loss,
            "interest": self.interest, "funding": self.funding, "hours": self.hours,
            "cost": self.cost,
            "npl_ratio_peak": self.npl_ratio_peak, "provisions": self.provisions_end,
            "compliance": self.compliance, "relationship": self.relationship,
            "saves": self.saves, "missed_warnings": self.missed_warnings,
            "loss_late": self.loss_late, "loss_oracle": self.loss_oracle,
            "net_value": self.net_value,
        }


MATERIAL_AVOIDABLE_SHARE = 0.05
"""Oracle headroom under 5% of late collection's loss: no decision could change much."""
MATERIAL_AVOIDABLE_BOOK_SHARE = 0.001
"""...or under 0.1% of the amount lent: the stakes are too small to read in a debrief."""


def avoidable_stakes(loss_late: float, disbursed_cny: float) -> float:
    """The least loss the oracle must avoid against late collection for a future (or a
    case, on mean losses) to have something worth scoring: the larger of the two shares."""
    return max(MATERIAL_AVOIDABLE_SHARE * max(loss_late, 0.0),
               MATERIAL_AVOIDABLE_BOOK_SHARE * disbursed_cny)


def headline_index(loss: float, loss_late: float, loss_oracle: float) -> float | None:
    """Share of the avoidable loss that was avoided; None when nothing was avoidable."""
    if not something_avoidable(loss_late, loss_oracle):
        return None
    return (loss_late - loss) / (loss_late - loss_oracle)


def saves(run: RunResult, late: RunResult) -> np.ndarray:
    """Loan ids that defaulted under late collection and not under this run."""
    return np.flatnonzero(late.loans["defaulted"].to_numpy() & ~run.loans["defaulted"].to_numpy())


PREVENTIVE_EVENTS = frozenset(
    "action_" + k for k, it in defaults.INTERVENTIONS.items()
    if it.stage in ("prevent", "restructure") or k == "accelerate")
"""Actions that change a borrower's course; looking (checks, closer monitoring) is not acting."""
VIA_ORDER = {"offsite": 0, "onsite": 1, "latent": 2}


def missed_warnings(run: RunResult, months: int = defaults.MISSED_WARNING_MONTHS,
                    window: int = 12) -> pd.DataFrame:
    """Defaults with a warning `months` to `window` months before default and no action.

    A warning is a signal the bank saw or, via "latent", one a check that month would have
    shown. The first warning in the window counts; the loan is missed when no preventive
    action was taken between that month and the default.
    """
    lo = run.loans
    cols = ["loan_id", "first_warning_signal", "first_warning_month", "default_month",
            "loss_cny", "months_ahead", "via"]
    d = lo.loc[lo["default_month"] >= 0, ["loan_id", "default_month", "loss_cny"]]
    w = run.warnings.merge(d, on="loan_id")
    w = w[(w["month"] >= w["default_month"] - window) & (w["month"] <= w["default_month"] - months)]
    if w.empty:
        return pd.DataFrame(columns=cols)
    w = w.assign(rank=w["via"].map(VIA_ORDER)).sort_values(["loan_id", "month", "rank"])
    w = w.drop_duplicates("loan_id")
    ev = run.events
    acts = ev.loc[ev["event"].isin(PREVENTIVE_EVENTS), ["loan_id", "month"]]
    m = w[["loan_id", "month", "default_month"]].merge(
        acts.rename(columns={"month": "action_month"}), on="loan_id")
    acted = m.loc[(m["action_month"] >= m["month"]) & (m["action_month"] < m["default_month"]),
                  "loan_id"].unique()
    out = w[~w["loan_id"].isin(acted)].rename(
        columns={"signal": "first_warning_signal", "month": "first_warning_month"})
    out["months_ahead"] = out["default_month"] - out["first_warning_month"]
    return out[cols].reset_index(drop=True)


def compliance_share(run: RunResult) -> float | None:
    """Share of the required checks done on time; None when none was required (not "100%")."""
    c = run.compliance
    req = float(c["required"].sum())
    return float(c["on_time"].sum()) / req if req else None


def material_index(loss: float, loss_late: float, loss_oracle: float,
                   disbursed_cny: float) -> float | None:
    """`headline_index` of one future, or None when the oracle avoided less than
    `avoidable_stakes` against late collection: a ratio of two small numbers (a few hundred
    yuan of headroom on a book of a hundred million) reads as hundreds of per cent either
    way and says nothing about the decisions. The debrief applies the same rule."""
    if loss_late - loss_oracle < avoidable_stakes(loss_late, disbursed_cny):
        return None
    return headline_index(loss, loss_late, loss_oracle)


def score(run: RunResult, late: RunResult, oracle: RunResult, name: str) -> Score:
    s = run.summary()
    sv = saves(run, late)
    mw = missed_warnings(run)
    return Score(
        strategy=name,
        index=material_index(run.loss_cny, late.loss_cny, oracle.loss_cny, run.disbursed_cny),
        loss=run.loss_cny, interest=run.interest_cny, funding=run.funding_cny, hours=run.hours,
        cost=run.cost_cny,
        npl_ratio_peak=s["npl_ratio_peak"], provisions_end=s["provisions_end"],
        compliance=compliance_share(run), relationship=run.relationship,
        saves=len(sv), missed_warnings=len(mw), loss_late=late.loss_cny,
        loss_oracle=oracle.loss_cny,
        net_value=net_value(run),
        save_list=[int(i) for i in sv], missed_list=mw,
    )


def run_baselines(scenario: Scenario, seed: int | None = None, months: int | None = None,
                  names=BASELINES) -> dict[str, RunResult]:
    return {n: simulate(scenario, seed=seed, months=months, strategy=n) for n in names}


def score_run(scenario: Scenario, seed: int | None = None, months: int | None = None,
              strategy="early-warning", rules=None) -> Score:
    """Run a strategy and its baselines on one seed and score it."""
    run = simulate(scenario, seed=seed, months=months, strategy=strategy, rules=rules)
    base = run_baselines(scenario, seed, months, ("late-collection", "oracle"))
    name = strategy if isinstance(strategy, str) else getattr(strategy, "name", "strategy")
    if rules is not None:
        name = getattr(rules, "name", "rules")
    return score(run, base["late-collection"], base["oracle"], name)
