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
from sim.credit import default_ahead
from sim.interventions.workouts import expected_workout_recovery
from sim.macro import shocks_from
from sim.recorder import EVENT_COLUMNS, METRIC_COLUMNS, str_column
from sim.signals import SIGNAL_IDS

__all__ = ["EVENT_COLUMNS", "METRIC_COLUMNS", "RunBrief", "RunResult", "RunSummary",
           "loss_per_loan"]


@dataclass(frozen=True)
class RunSummary:
    """A run in a few figures, each with its unit in its name."""

    scenario_id: str
    seed: int
    loans: int
    months: int
    defaults: int
    default_rate: float  # share of loans
    npl_ratio_end: float  # share of outstanding
    npl_ratio_peak: float
    loss_cny: float  # discounted credit loss
    loss_rate: float  # loss as a share of the amount disbursed
    interest_cny: float
    hours: float  # officers' and the legal team's
    cost_cny: float  # money spent on actions
    provisions_end_cny: float
    funding_cny: float = 0.0  # cost of funding the performing balance

    def as_dict(self) -> dict:
        """The legacy summary keys (loss, cost, interest, provisions_end, scenario)."""
        return {
            "scenario": self.scenario_id, "seed": self.seed, "loans": self.loans,
            "months": self.months, "defaults": self.defaults, "default_rate": self.default_rate,
            "npl_ratio_end": self.npl_ratio_end, "npl_ratio_peak": self.npl_ratio_peak,
            "loss": self.loss_cny, "loss_rate": self.loss_rate, "interest": self.interest_cny,
            "funding": self.funding_cny, "hours": self.hours, "cost": self.cost_cny,
            "provisions_end": self.provisions_end_cny,
        }


def net_value(run) -> float:
    """What a run earned the bank, CNY: interest less the cost of funding the performing
    balance, less the credit loss and the money spent on actions (a RunResult or RunBrief)."""
    return run.interest_cny - run.funding_cny - run.loss_cny - run.cost_cny


def loss_per_loan(s) -> np.ndarray:
    """Discounted credit loss of each loan, final rather than cut off by the calendar (CNY).

    Realised: exposure at default, less recoveries and cures. Then, the same way for
    every strategy: claims still being worked out at the end are valued at what the
    standing workout is expected to recover (sim.interventions.workouts), and loans
    still performing carry the model's own chance of defaulting within a year
    (sim.credit.default_ahead; for loans already in arrears, at least the roll rate)
    times what such a default would lose. Delaying a default past the end therefore
    neither hides it nor turns a secured claim into a total loss."""
    return realised_loss(s) + horizon_loss(s)


def realised_loss(s) -> np.ndarray:
    """Discounted exposure at default, less recoveries and cures, so far (CNY)."""
    return s._ead_pv - s._recovery_pv - s._cure_pv


def shock_relief_ahead(s, months: int = 12) -> np.ndarray:
    """Per loan, how much of the health shock in force at the end of the run the schedule
    lifts over the next `months` on average: today's shock less its scheduled average (a
    disaster fades to nothing over its duration; a policy shock stops at its end). Zero
    where no shock is under way. (sim.macro.shocks_from, which changes nothing.)"""
    active = [a for a in getattr(s, "active_shocks", []) if a[1] > s.T]
    if not active:
        return np.zeros(s.n)
    x0 = np.zeros(0)
    now = shocks_from(s, s.T, x0, active)[1]
    ahead = np.mean([shocks_from(s, s.T + k, x0, active)[1] for k in range(1, months + 1)],
                    axis=0)
    return ahead - now  # >= 0: the shock that lifts (shocks are negative)


def horizon_loss(s) -> np.ndarray:
    """Expected loss still to come at the end of the run, discounted to its start (CNY)."""
    out = np.zeros(s.n)
    unresolved = np.flatnonzero(s.status == LoanStatus.DEFAULTED)
    if len(unresolved):
        out[unresolved] = -expected_workout_recovery(s, unresolved, s.balance[unresolved])
    # a written-off claim stays alive (账销案存): the workout goes on against it
    alive = np.flatnonzero((s.status == LoanStatus.WRITTEN_OFF) & (s.written_off > 0))
    if len(alive):
        out[alive] = -expected_workout_recovery(s, alive, s.written_off[alive])
    live = np.flatnonzero((s.status == LoanStatus.ACTIVE) & ~s.defaulted)
    if len(live):
        # the barrier the loan faces over the year ahead: today's, with the shocks still
        # under way at the end (a disaster fading, a policy shock that ends) at their
        # scheduled average over that year instead of at today's strength held for a year
        barrier = s.e[live] - s.d[live] - shock_relief_ahead(s)[live]
        chance = default_ahead(s.e[live], barrier)
        dpd = s.dpd[live]
        roll_at = defaults.ROLL_TO_DEFAULT_AT_HORIZON
        roll = np.where(dpd >= max(roll_at), roll_at[max(roll_at)],
                        np.where(dpd >= min(roll_at), roll_at[min(roll_at)], 0.0))
        chance = np.maximum(chance, roll)
        undrawn = np.where(s.frozen[live], 0.0, s.undrawn[live])
        exposure = s.balance[live] + undrawn
        # such a default is worked out by the standing order, and may cure meanwhile
        at_default = exposure * s.discount(s.T) - expected_workout_recovery(
            s, live, exposure, barrier=barrier)
        out[live] = chance * np.maximum(at_default, 0.0)
    return out


def _loan_frame(s, loss_i: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({
        "loan_id": np.arange(s.n), "segment": str_column(s.pf.segment_ids, s.pf.segment),
        "status": str_column(STATUS_KEYS, s.status), "defaulted": s.default_month >= 0,
        "default_month": s.default_month, "ead_cny": s.ead, "loss_cny": loss_i,
        "interest_cny": s.interest, "first_warning_month": s.first_warning,
        "first_warning_signal": str_column((*SIGNAL_IDS, ""), np.where(
            s.first_warning_signal >= 0, s.first_warning_signal, len(SIGNAL_IDS))),
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
    policy_compliance: float | None = None  # sim.checks.against_bank_policy; None: none held
    refused_for_hours: int = 0  # actions refused as the hours ran out (Recorder)
    funding_cny: float = 0.0  # cost of funding the performing balance to the horizon

    @classmethod
    def from_sim(cls, s) -> RunResult:
        rec = s.rec
        loss_i = loss_per_loan(s)
        events = rec.event_frame()  # already in (month, loan_id) order, stably sorted
        signals = rec.signal_frame()
        return cls(
            scenario_id=s.sc.id, seed=s.seed, months=s.T, n_loans=s.n,
            disbursed_cny=float(s.disbursed.sum()), events=events, metrics=rec.metric_frame(),
            loans=_loan_frame(s, loss_i), signals=signals,
            warnings=rec.warning_frame(signals),
            loss_cny=float(loss_i.sum()), interest_cny=float(s.interest.sum()),
            hours=float(s.hours_used + s.workout_hours), cost_cny=float(s.money_spent),
            compliance=_compliance_frame(rec.checks), check_quality=rec.checks.quality(),
            checks_slipped=int(rec.checks.slipped), relationship=float(s.relationship.mean()),
            policy_compliance=rec.checks.policy_share(),
            refused_for_hours=rec.refused_for_hours(), funding_cny=float(s.funding_cny),
        )

    @property
    def defaults(self) -> int:
        return int(self.loans["defaulted"].sum())

    def summary_record(self) -> RunSummary:
        m = self.metrics
        return RunSummary(
            scenario_id=self.scenario_id, seed=self.seed, loans=self.n_loans,
            months=self.months, defaults=self.defaults,
            default_rate=self.defaults / self.n_loans,
            npl_ratio_end=float(m["npl_ratio"].iloc[-1]) if len(m) else 0.0,
            npl_ratio_peak=float(m["npl_ratio"].max()) if len(m) else 0.0,
            loss_cny=self.loss_cny,
            loss_rate=self.loss_cny / self.disbursed_cny if self.disbursed_cny else 0.0,
            interest_cny=self.interest_cny, hours=self.hours, cost_cny=self.cost_cny,
            provisions_end_cny=float(m["provisions_cny"].iloc[-1]) if len(m) else 0.0,
            funding_cny=self.funding_cny)

    def summary(self) -> dict:
        """The summary as a dict with the keys the CLI and the runner print."""
        return self.summary_record().as_dict()


@dataclass(frozen=True)
class RunBrief:
    """What a study keeps of a run: its figures and two monthly series, without the
    event, signal, warning and loan frames (a replication only summarises a run, and
    building those frames cost more than a tenth of it). The same numbers a RunResult
    of the same run gives; `from_result` makes one from a RunResult."""

    loss_cny: float
    interest_cny: float
    hours: float
    cost_cny: float
    checks_required: float
    checks_on_time: float
    defaulted: np.ndarray  # per loan
    npl_ratio: np.ndarray  # per month
    provisions_cny: np.ndarray  # per month
    relationship: float
    disbursed_cny: float
    policy_compliance: float | None = None  # sim.checks.against_bank_policy; None: none held
    refused_for_hours: int = 0  # actions refused as the hours ran out (Recorder)
    funding_cny: float = 0.0  # cost of funding the performing balance to the horizon

    @property
    def defaults(self) -> int:
        return int(self.defaulted.sum())

    @property
    def compliance(self) -> float | None:
        """Share of the required checks done on time; None when none was required."""
        return self.checks_on_time / self.checks_required if self.checks_required else None

    @classmethod
    def from_sim(cls, s) -> RunBrief:
        rows = s.rec.metrics
        return cls(
            loss_cny=float(loss_per_loan(s).sum()), interest_cny=float(s.interest.sum()),
            hours=float(s.hours_used + s.workout_hours), cost_cny=float(s.money_spent),
            checks_required=float(s.rec.checks.required.sum()),
            checks_on_time=float(s.rec.checks.on_time.sum()),
            defaulted=s.default_month >= 0,
            npl_ratio=np.array([r["npl_ratio"] for r in rows], dtype=float),
            provisions_cny=np.array([r["provisions_cny"] for r in rows], dtype=float),
            relationship=float(s.relationship.mean()), disbursed_cny=float(s.disbursed.sum()),
            policy_compliance=s.rec.checks.policy_share(),
            refused_for_hours=s.rec.refused_for_hours(), funding_cny=float(s.funding_cny))

    @classmethod
    def from_result(cls, r: RunResult) -> RunBrief:
        c = r.compliance
        return cls(
            loss_cny=r.loss_cny, interest_cny=r.interest_cny, hours=r.hours,
            cost_cny=r.cost_cny, checks_required=float(c["required"].sum()),
            checks_on_time=float(c["on_time"].sum()),
            defaulted=r.loans["defaulted"].to_numpy(dtype=bool),
            npl_ratio=r.metrics["npl_ratio"].to_numpy(dtype=float, copy=True),
            provisions_cny=r.metrics["provisions_cny"].to_numpy(dtype=float, copy=True),
            relationship=r.relationship, disbursed_cny=r.disbursed_cny,
            policy_compliance=r.policy_compliance, refused_for_hours=r.refused_for_hours,
            funding_cny=r.funding_cny)
