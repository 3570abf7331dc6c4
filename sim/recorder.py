"""The data collector: what happened in a run, gathered apart from the model.

The model components call `log`/`log_many` for events and `sighting` for
signals; the engine calls `record_metrics` once a month. Frames are built only
when asked for (`event_frame`, `signal_frame`, `warning_frame`), so a run that
is only summarised pays little for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.codes import CHECK_KINDS, CLASS_KEYS, ON_BOOKS, LoanClass, SignalSource

EVENT_COLUMNS = ("month", "loan_id", "event", "amount_cny", "details")
METRIC_COLUMNS = ("month", "outstanding_cny", "npl_ratio", "bal_normal", "bal_special_mention",
                  "bal_substandard", "bal_doubtful", "bal_loss", "provisions_cny", "defaults",
                  "cum_defaults", "cum_loss_cny", "interest_cny", "hours_used", "lpr_1y")
SIGNAL_COLUMNS = ("month", "loan_id", "signal", "via")


@dataclass
class MonthRecord:
    """What one month brought: the desk's month report reads this."""

    month: int
    checks_done: int = 0
    checks_slipped: int = 0
    check_quality: float = 1.0
    new_defaults: int = 0
    new_alerts: int = 0
    hours_used: float = 0.0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    """(loan, action, reason code) of queued actions the engine refused."""


@dataclass
class CheckTally:
    """Checks required, done on time and done, per CheckKind; rushed-check quality."""

    required: np.ndarray = field(default_factory=lambda: np.zeros(len(CHECK_KINDS)))
    on_time: np.ndarray = field(default_factory=lambda: np.zeros(len(CHECK_KINDS)))
    done: np.ndarray = field(default_factory=lambda: np.zeros(len(CHECK_KINDS)))
    slipped: int = 0
    quality_sum: float = 0.0
    quality_n: int = 0

    def quality(self) -> float:
        return self.quality_sum / self.quality_n if self.quality_n else 1.0


class Recorder:
    """Events, sightings, latent warnings and monthly metrics of one run."""

    def __init__(self, signal_ids: tuple[str, ...]):
        self.signal_ids = signal_ids
        self.events: list[tuple] = []
        self.chunks: list[tuple[int, np.ndarray, str, np.ndarray]] = []
        self.signals: list[tuple[int, np.ndarray, np.ndarray, int]] = []
        self.latent: list[tuple[int, np.ndarray, int]] = []  # conditions a check would show
        self.metrics: list[dict] = []
        self.checks = CheckTally()
        self.months: list[MonthRecord] = []
        self.n_signals = 0

    def log(self, month: int, loan: int, event: str, amount: float = 0.0,
            details: str = "") -> None:
        self.events.append((month, loan, event, float(amount), details))

    def log_many(self, month: int, idx: np.ndarray, event: str,
                 amount: np.ndarray | None = None) -> None:
        if len(idx):
            self.chunks.append((month, idx.astype(np.int64), event,
                                np.zeros(len(idx)) if amount is None else amount.astype(float)))

    def sighting(self, month: int, idx: np.ndarray, signal: int, via: SignalSource) -> None:
        self.signals.append((month, idx.astype(np.int64), np.full(len(idx), signal,
                                                                  dtype=np.int16), int(via)))
        self.n_signals += len(idx)

    def record_metrics(self, sim, t: int, used: float, new_defaults: int) -> None:
        """One row of METRIC_COLUMNS for month t, from the loan book as it stands."""
        on_books = sim.status <= ON_BOOKS
        bal = np.where(on_books, sim.balance, 0.0)
        by_cls = np.bincount(sim.cls, weights=bal, minlength=len(LoanClass))
        out = float(bal.sum())
        npl = float(by_cls[LoanClass.SUBSTANDARD:].sum())
        # undiscounted running loss: exposure at each default less recoveries and cures
        cum_loss = sim._ead_total - float(sim.recovered.sum()) - sim._cured_balance
        row = {"month": t, "outstanding_cny": out, "npl_ratio": npl / out if out > 0 else 0.0}
        for k, v in zip(CLASS_KEYS, by_cls, strict=True):
            row["bal_" + k] = float(v)
        row.update({
            "provisions_cny": float((by_cls * sim.prov_rates).sum()),
            "defaults": int(new_defaults),
            "cum_defaults": int((sim.default_month >= 0).sum()),
            "cum_loss_cny": cum_loss,
            "interest_cny": float(sim.interest.sum()),
            "hours_used": used,
            "lpr_1y": sim.lpr["lpr_1y"],
        })
        self.metrics.append(row)

    # ------------------------------------------------------------------ frames
    def event_frame(self) -> pd.DataFrame:
        return event_frame(self.events, self.chunks)

    def signal_frame(self) -> pd.DataFrame:
        """Sightings: month, loan_id, signal, via ("offsite"/"onsite")."""
        s = self.signals
        if s:
            sm = np.concatenate([np.full(len(x[1]), x[0]) for x in s])
            si = np.concatenate([x[1] for x in s])
            sj = np.concatenate([x[2] for x in s])
            sv = np.concatenate([np.full(len(x[1]), x[3]) for x in s])
        else:
            sm = si = sj = sv = np.zeros(0, dtype=np.int64)
        return pd.DataFrame({
            "month": sm.astype(np.int32), "loan_id": si.astype(np.int64),
            "signal": np.array(self.signal_ids, dtype=object)[sj.astype(int)]
            if len(sj) else np.zeros(0, dtype=object),
            "via": np.where(sv == SignalSource.ONSITE, "onsite", "offsite")})

    def metric_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.metrics, columns=list(METRIC_COLUMNS))


def warning_frame(signals: pd.DataFrame, latent: list[tuple],
                  signal_ids: tuple[str, ...]) -> pd.DataFrame:
    """Early warnings per loan and month: signals seen (payment status excluded, it is not
    early) and, as via "latent", on-site conditions that a check that month would have shown."""
    seen = signals[signals["signal"] != "payment_late"]
    parts = [seen[["month", "loan_id", "signal", "via"]]]
    if latent:
        parts.append(pd.DataFrame({
            "month": np.concatenate([np.full(len(x[1]), x[0]) for x in latent]).astype(np.int32),
            "loan_id": np.concatenate([x[1] for x in latent]),
            "signal": np.concatenate([np.full(len(x[1]), signal_ids[x[2]], dtype=object)
                                      for x in latent]),
            "via": "latent"}))
    return pd.concat(parts, ignore_index=True)


def event_frame(single: list[tuple], chunks: list[tuple]) -> pd.DataFrame:
    """The event log as one frame: single events plus vectorised chunks, by month."""
    months = [np.array([e[0] for e in single], dtype=np.int64)]
    loans = [np.array([e[1] for e in single], dtype=np.int64)]
    names = [np.array([e[2] for e in single], dtype=object)]
    amounts = [np.array([e[3] for e in single], dtype=float)]
    details = [np.array([e[4] for e in single], dtype=object)]
    for month, idx, name, amt in chunks:
        months.append(np.full(len(idx), month, dtype=np.int64))
        loans.append(idx)
        names.append(np.full(len(idx), name, dtype=object))
        amounts.append(amt)
        details.append(np.full(len(idx), "", dtype=object))
    m = np.concatenate(months)
    order = np.lexsort((np.concatenate(loans), m))
    return pd.DataFrame({
        "month": m[order], "loan_id": np.concatenate(loans)[order],
        "event": np.concatenate(names)[order], "amount_cny": np.concatenate(amounts)[order],
        "details": np.concatenate(details)[order],
    })
