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
from sim.kernels.classes import balance_by_class
from sim.kernels.metrics import month_tallies

EVENT_COLUMNS = ("month", "loan_id", "event", "amount_cny", "details")
METRIC_COLUMNS = ("month", "outstanding_cny", "npl_ratio", *("bal_" + k for k in CLASS_KEYS),
                  "provisions_cny", "defaults", "cum_defaults", "cum_loss_cny", "interest_cny",
                  "hours_used", "lpr_1y")
"""The month's figures (`Recorder.record_metrics`): the balance on the books by class
(bal_normal ... bal_loss) in sim.codes.CLASS_KEYS order."""
_SUBSTANDARD = int(LoanClass.SUBSTANDARD)  # a plain int: an IntEnum member slices slower
SIGNAL_COLUMNS = ("month", "loan_id", "signal", "via")
VIA = ("offsite", "onsite", "latent")
"""How a warning was seen: off-site monitoring, a check, or hidden (what a check would show)."""


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
    policy_held: int = 0  # loan-months the case's own policy held to a check (sim.checks)
    policy_current: int = 0  # of those, loan-months whose check was up to date

    def quality(self) -> float:
        return self.quality_sum / self.quality_n if self.quality_n else 1.0

    def policy_share(self) -> float | None:
        """Share of the loan-months the bank's policy held to a check that were up to date
        (None: it held none)."""
        return self.policy_current / self.policy_held if self.policy_held else None


class Recorder:
    """Events, sightings, latent warnings and monthly metrics of one run."""

    def __init__(self, signal_ids: tuple[str, ...]):
        self.signal_ids = signal_ids
        self.events: list[tuple] = []
        self.blocks: list[tuple] = []  # several loans' events logged at once (log_block)
        self.chunks: list[tuple[int, np.ndarray, str, np.ndarray]] = []
        self.signals: list[tuple[int, np.ndarray, np.ndarray, int]] = []
        self.latent: list[tuple[int, np.ndarray, int]] = []  # conditions a check would show
        self.metrics: list[dict] = []
        self.checks = CheckTally()
        self.months: list[MonthRecord] = []
        self.n_signals = 0
        self.signals_in: dict[int, int] = {}
        """Sightings per month they are dated, whenever logged: a workout's or a check's
        sighting dated month t may be logged before month t's decision point."""

    def refused_for_hours(self) -> int:
        """Actions the run decided and the engine refused because the month's hours had run
        out (reason "hours"), over the months to the horizon."""
        return sum(why == "hours" for rep in self.months for _, _, why in rep.rejected)

    def log(self, month: int, loan: int, event: str, amount: float = 0.0,
            details: str = "") -> None:
        self.events.append((month, loan, event, float(amount), details))

    def log_block(self, month: int, idx: np.ndarray, events: list[str], event_codes: np.ndarray,
                  amounts: np.ndarray, details: list[str], detail_codes: np.ndarray) -> None:
        """Events of loans idx logged at once, as `log` on each in turn would log them here:
        loan idx[k] had event events[event_codes[k]] with amounts[k] and
        details[detail_codes[k]]."""
        if len(idx):
            self.blocks.append((len(self.events), month, idx.astype(np.int64), list(events),
                                np.asarray(event_codes, dtype=np.intp), amounts.astype(float),
                                list(details), np.asarray(detail_codes, dtype=np.intp)))

    def event_rows(self) -> list[tuple]:
        """The events logged one by one and in blocks, as (month, loan, event, amount,
        details) in the order they were logged (the chunks of `log_many` apart)."""
        rows: list[tuple] = []
        at = 0
        for pos, month, idx, events, ev, amounts, details, dt in self.blocks:
            rows += self.events[at:pos]
            at = pos
            rows += [(month, i, events[e], a, details[d]) for i, e, a, d in zip(
                idx.tolist(), ev.tolist(), amounts.tolist(), dt.tolist(), strict=True)]
        return rows + self.events[at:]

    def log_many(self, month: int, idx: np.ndarray, event: str,
                 amount: np.ndarray | None = None) -> None:
        if len(idx):
            self.chunks.append((month, idx.astype(np.int64), event,
                                np.zeros(len(idx)) if amount is None else amount.astype(float)))

    def sighting(self, month: int, idx: np.ndarray, signal: int, via: SignalSource) -> None:
        self.sightings(month, idx, np.full(len(idx), signal, dtype=np.int16), via)

    def sightings(self, month: int, idx: np.ndarray, signals: np.ndarray,
                  via: SignalSource) -> None:
        """Loans idx saw signals (indices into signal_ids, one per loan) in `month`."""
        self.signals.append((month, idx.astype(np.int64), signals.astype(np.int16), int(via)))
        self._count_sightings(month, len(idx))

    def _count_sightings(self, month: int, seen: int) -> None:
        self.n_signals += seen
        self.signals_in[month] = self.signals_in.get(month, 0) + seen

    def record_metrics(self, sim, t: int, used: float, new_defaults: int) -> None:
        """One row of METRIC_COLUMNS for month t, from the loan book as it stands (the row's
        values in the columns' order, zipped with them: a monthly cost kept small)."""
        bal, by_cls = balance_by_class(sim.status, sim.balance, sim.cls, ON_BOOKS,
                                       len(LoanClass))  # np.where and np.bincount in one pass
        out = float(bal.sum())
        npl, provisions, defaulted = month_tallies(by_cls, sim.prov_rates, _SUBSTANDARD,
                                                   sim.default_month)
        # undiscounted running loss: exposure at each default less recoveries and cures
        cum_loss = sim._ead_total - float(sim.recovered.sum()) - sim._cured_balance
        self.metrics.append(dict(zip(METRIC_COLUMNS, (
            t, out, npl / out if out > 0 else 0.0, *by_cls.tolist(), provisions,
            int(new_defaults), defaulted, cum_loss, float(sim.interest.sum()), used,
            sim.lpr["lpr_1y"]), strict=True)))

    # ------------------------------------------------------------------ frames
    def event_frame(self) -> pd.DataFrame:
        return event_frame(self.events, self.chunks, self.blocks)

    def _signal_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Sightings as columns: month, loan, signal index, SignalSource."""
        s = self.signals
        lens = np.array([len(x[1]) for x in s], dtype=np.int64)
        return (np.repeat(np.array([x[0] for x in s], dtype=np.int64), lens),
                np.concatenate([x[1] for x in s]), np.concatenate([x[2] for x in s]),
                np.repeat(np.array([x[3] for x in s], dtype=np.int64), lens))

    def signal_frame(self) -> pd.DataFrame:
        """Sightings: month, loan_id, signal, via ("offsite"/"onsite")."""
        if not self.signals:
            return pd.DataFrame({
                "month": np.zeros(0, dtype=np.int32), "loan_id": np.zeros(0, dtype=np.int64),
                "signal": np.zeros(0, dtype=object),
                "via": np.where(np.zeros(0, dtype=bool), "onsite", "offsite")})
        sm, si, sj, sv = self._signal_columns()
        return pd.DataFrame({
            "month": sm.astype(np.int32), "loan_id": si.astype(np.int64),
            "signal": str_column(self.signal_ids, sj.astype(np.intp)),
            "via": str_column(VIA, (sv == SignalSource.ONSITE).astype(np.intp))})

    def warning_frame(self, signals: pd.DataFrame | None = None) -> pd.DataFrame:
        """Early warnings per loan and month: signals seen (payment status excluded, it is
        not early) and, as via "latent", on-site conditions that a check that month would
        have shown. Columns month, loan_id, signal, via, in that order of rows.

        `signals`: this run's `signal_frame()`, when the caller has it already."""
        late = self.signal_ids.index("payment_late") if "payment_late" in self.signal_ids else -1
        lat = self.latent
        n_seen = sum(int(np.count_nonzero(x[2] != late)) for x in self.signals)
        if not n_seen and not lat:  # an empty frame, typed as the signals' frame
            signals = self.signal_frame() if signals is None else signals
            return warning_frame(signals, lat, self.signal_ids)
        month, loan, sig, via = [], [], [], []
        if self.signals:
            sm, si, sj, sv = self._signal_columns()
            keep = sj != late
            month.append(sm[keep].astype(np.int32))
            loan.append(si[keep].astype(np.int64))
            sig.append(sj[keep].astype(np.intp))
            via.append((sv[keep] == SignalSource.ONSITE).astype(np.intp))
        if lat:
            lens = np.array([len(x[1]) for x in lat], dtype=np.int64)
            month.append(np.repeat(np.array([x[0] for x in lat], dtype=np.int32), lens))
            loan.append(np.concatenate([x[1] for x in lat]))
            sig.append(np.repeat(np.array([x[2] for x in lat], dtype=np.intp), lens))
            via.append(np.full(int(lens.sum()), VIA.index("latent"), dtype=np.intp))
        return pd.DataFrame({
            "month": np.concatenate(month), "loan_id": np.concatenate(loan),
            "signal": str_column(self.signal_ids, np.concatenate(sig)),
            "via": str_column(VIA, np.concatenate(via))})

    def metric_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.metrics, columns=list(METRIC_COLUMNS))


class FiguresRecorder(Recorder):
    """The recorder of a run kept for its figures only (warnings=False: a study's runs,
    summarised as a sim.results.RunBrief): the metrics, the checks' tally, the months and
    the sightings counted by month, without the event log and the sightings' loans,
    which only the frames read (a RunResult, the desk), and which cost 1 to 8 us an
    event logged, about 2% of a study's replication."""

    def log(self, month: int, loan: int, event: str, amount: float = 0.0,
            details: str = "") -> None:
        pass

    def log_block(self, month: int, idx: np.ndarray, events: list[str],
                  event_codes: np.ndarray, amounts: np.ndarray, details: list[str],
                  detail_codes: np.ndarray) -> None:
        pass

    def log_many(self, month: int, idx: np.ndarray, event: str,
                 amount: np.ndarray | None = None) -> None:
        pass

    def sightings(self, month: int, idx: np.ndarray, signals: np.ndarray,
                  via: SignalSource) -> None:
        self._count_sightings(month, len(idx))


def warning_frame(signals: pd.DataFrame, latent: list[tuple],
                  signal_ids: tuple[str, ...]) -> pd.DataFrame:
    """Early warnings per loan and month: signals seen (payment status excluded, it is not
    early) and, as via "latent", on-site conditions that a check that month would have shown."""
    seen = signals[signals["signal"] != "payment_late"]
    parts = [seen[["month", "loan_id", "signal", "via"]]]
    if latent:
        lens = np.array([len(x[1]) for x in latent], dtype=np.int64)
        parts.append(pd.DataFrame({
            "month": np.repeat(np.array([x[0] for x in latent], dtype=np.int32), lens),
            "loan_id": np.concatenate([x[1] for x in latent]),
            "signal": str_column(signal_ids, np.repeat(
                np.array([x[2] for x in latent], dtype=np.intp), lens)),
            "via": "latent"}))
    return pd.concat(parts, ignore_index=True)


def event_frame(single: list[tuple], chunks: list[tuple], blocks: list[tuple] = ()
                ) -> pd.DataFrame:
    """The event log as one frame: single events (with the blocks logged among them, at
    their place) and vectorised chunks, by month and loan, ties in the order logged."""
    m_s, l_s, n_s, a_s, d_s = zip(*single, strict=True) if single else ((), (), (), (), ())
    names: dict[str, int] = {}
    details: dict[str, int] = {"": 0}
    parts_m = [np.array(m_s, dtype=np.int64)]
    parts_l = [np.array(l_s, dtype=np.int64)]
    parts_a = [np.array(a_s, dtype=float)]
    parts_e = [np.array([names.setdefault(x, len(names)) for x in n_s], dtype=np.intp)]
    parts_d = [np.array([details.setdefault(x, len(details)) for x in d_s], dtype=np.intp)]
    if blocks:
        place = [2 * np.arange(len(single), dtype=np.int64) + 1]  # a block logged at
        for pos, month, idx, events, ev, amounts, dets, dt in blocks:  # pos: before single pos
            place.append(np.full(len(idx), 2 * pos, dtype=np.int64))
            parts_m.append(np.full(len(idx), month, dtype=np.int64))
            parts_l.append(idx)
            parts_a.append(amounts)
            parts_e.append(np.array([names.setdefault(x, len(names)) for x in events],
                                    dtype=np.intp)[ev])
            parts_d.append(np.array([details.setdefault(x, len(details)) for x in dets],
                                    dtype=np.intp)[dt])
        logged = np.argsort(np.concatenate(place), kind="stable")
        parts_m, parts_l, parts_a, parts_e, parts_d = (
            [np.concatenate(p)[logged]] for p in (parts_m, parts_l, parts_a, parts_e, parts_d))
    lens = np.array([len(c[1]) for c in chunks], dtype=np.int64)
    chunk_names = np.array([names.setdefault(c[2], len(names)) for c in chunks], dtype=np.intp)
    m = np.concatenate([*parts_m, np.repeat(np.array([c[0] for c in chunks], dtype=np.int64),
                                            lens)])
    loans = np.concatenate([*parts_l, *(c[1] for c in chunks)])
    amounts = np.concatenate([*parts_a, *(c[3] for c in chunks)])
    event = np.concatenate([*parts_e, np.repeat(chunk_names, lens)])
    detail = np.concatenate([*parts_d, np.zeros(int(lens.sum()), dtype=np.intp)])
    order = _by_month_and_loan(m, loans)
    return pd.DataFrame({
        "month": m[order], "loan_id": loans[order],
        "event": str_column(list(names), event[order]), "amount_cny": amounts[order],
        "details": str_column(list(details), detail[order]),
    })


def _by_month_and_loan(month: np.ndarray, loan: np.ndarray) -> np.ndarray:
    """`np.lexsort((loan, month))`: rows by month, then loan, ties in their order. One
    stable sort of a combined key when the ids allow it (loan -1 is the whole book),
    several times faster than lexsort on a long, mostly sorted log."""
    if not len(month) or month.min() < 0 or loan.min() < -1:
        return np.lexsort((loan, month))
    span = int(loan.max()) + 2
    return np.argsort(month * span + (loan + 1), kind="stable")


def str_column(values, codes: np.ndarray):
    """The text column `values[codes]`, in the dtype pandas gives an object column of those
    strings. With pandas' Arrow strings the column is built by Arrow from the distinct
    values (several times faster than pandas converting the Python strings one by one)."""
    obj = np.array(list(values), dtype=object)
    dtype = pd.Series(obj[:1]).dtype if len(obj) else None
    if not len(codes) or not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return obj[codes] if len(obj) else np.zeros(0, dtype=object)
    import pyarrow as pa

    arrow = pa.array(obj, type=pa.large_string()).take(pa.array(codes))
    return pd.arrays.ArrowStringArray(arrow, dtype=dtype)
