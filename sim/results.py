"""The outputs of a run: `RunResult` (frames the scorer and the pages read) and its summary.

The credit loss per loan is discounted: exposure at default, less recoveries and
cures, less what an unresolved defaulted claim would still fetch at the horizon,
plus the expected loss on loans in arrears at the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim import defaults
from sim.codes import CHECK_KINDS, STATUS_KEYS, LoanStatus
from sim.interventions.workouts import recovery_value
from sim.recorder import EVENT_COLUMNS, METRIC_COLUMNS, warning_frame
from sim.signals import SIGNAL_IDS

__all__ = ["EVENT_COLUMNS", "METRIC_COLUMNS", "RunResult", "loss_per_loan"]


def loss_per_loan(s) -> np.ndarray:
    """Discounted credit loss of each loan at the end of run s (CNY)."""
    disc_T = s.discount(s.T)
    unresolved = s.status == LoanStatus.DEFAULTED
    recoverable = recovery_value(s)
    mark = np.where(unresolved, defaults.CLAIM_SALE_VALUE_FACTOR * recoverable, 0.0)
    # loans in arrears at the horizon: the share expected to roll into default
    late = (s.status == LoanStatus.ACTIVE) & ~s.defaulted & (s.dpd >= 30)
    roll = np.where(s.dpd >= 60, defaults.ROLL_TO_DEFAULT_AT_HORIZON[60],
                    defaults.ROLL_TO_DEFAULT_AT_HORIZON[30])
    expected = np.where(late, roll * (s.balance - recoverable), 0.0) * disc_T
    return s._ead_pv - s._recovery_pv - s._cure_pv - mark * disc_T + expected


def _loan_frame(s, loss_i: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "loan_id": np.arange(s.n), "segment": np.array(s.pf.segment_ids)[s.pf.segment],
        "status": np.array(STATUS_KEYS)[s.status], "defaulted": s.default_month >= 0,
        "default_month": s.default_month, "ead_cny": s.ead, "loss_cny": loss_i,
        "interest_cny": s.interest, "first_warning_month": s.first_warning,
        "first_warning_signal": np.where(
            s.first_warning_signal >= 0,
            np.array(SIGNAL_IDS, dtype=object)[np.maximum(s.first_warning_signal, 0)], ""),
        "first_action_month": s.first_action, "relationship": s.relationship,
        "disbursed_cny": s.disbursed, "balance_cny": s.balance,
    })


def _compliance_frame(tally) -> pd.DataFrame:
    comp = pd.DataFrame({"kind": list(CHECK_KINDS), "required": tally.required,
                         "on_time": tally.on_time, "done": tally.done})
    comp["share"] = np.where(comp["required"] > 0, comp["on_time"] / comp["required"].clip(1),
                             1.0)
    return comp


@dataclass
class RunResult:
    """Outputs of a run. events: month, loan_id (-1 for the whole book), event, amount_cny,
    details. metrics: one row per month with the columns in METRIC_COLUMNS."""

    scenario_id: str
    seed: int
    months: int
    n_loans: int
    disbursed_cny: float
    events: pd.DataFrame
    metrics: pd.DataFrame
    loans: pd.DataFrame  # per-loan outcome: defaulted, default_month, loss_cny, interest_cny...
    signals: pd.DataFrame  # month, loan_id, signal, via ("offsite"/"onsite")
    warnings: pd.DataFrame  # month, loan_id, signal, via: seen signals and what a check would show
    loss_cny: float
    interest_cny: float
    hours: float  # staff hours: officers plus the asset-preservation team
    cost_cny: float
    compliance: pd.DataFrame
    check_quality: float
    checks_slipped: int
    relationship: float

    @classmethod
    def from_sim(cls, s) -> RunResult:
        rec = s.rec
        loss_i = loss_per_loan(s)
        events = rec.event_frame()
        events = events.sort_values(["month", "loan_id"], kind="stable").reset_index(drop=True)
        signals = rec.signal_frame()
        return cls(
            scenario_id=s.sc.id, seed=s.seed, months=s.T, n_loans=s.n,
            disbursed_cny=float(s.disbursed.sum()), events=events, metrics=rec.metric_frame(),
            loans=_loan_frame(s, loss_i), signals=signals,
            warnings=warning_frame(signals, rec.latent, SIGNAL_IDS),
            loss_cny=float(loss_i.sum()), interest_cny=float(s.interest.sum()),
            hours=float(s.hours_used + s.workout_hours), cost_cny=float(s.money_spent),
            compliance=_compliance_frame(rec.checks), check_quality=rec.checks.quality(),
            checks_slipped=int(rec.checks.slipped), relationship=float(s.relationship.mean()),
        )

    @property
    def defaults(self) -> int:
        return int(self.loans["defaulted"].sum())

    def summary(self) -> dict:
        m = self.metrics
        return {
            "scenario": self.scenario_id, "seed": self.seed, "loans": self.n_loans,
            "months": self.months, "defaults": self.defaults,
            "default_rate": self.defaults / self.n_loans,
            "npl_ratio_end": float(m["npl_ratio"].iloc[-1]) if len(m) else 0.0,
            "npl_ratio_peak": float(m["npl_ratio"].max()) if len(m) else 0.0,
            "loss": self.loss_cny, "loss_rate": self.loss_cny / self.disbursed_cny
            if self.disbursed_cny else 0.0,
            "interest": self.interest_cny, "hours": self.hours, "cost": self.cost_cny,
            "provisions_end": float(m["provisions_cny"].iloc[-1]) if len(m) else 0.0,
        }
