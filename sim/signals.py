"""Early-warning signals (预警信号): what the bank sees of the hidden state.

Off-site signals are looked for every month over the whole book; on-site ones
only on the loans a check visits (sim.checks calls `onsite_sightings`). Each
signal fires when its hidden condition holds, missed with the signal's miss
rate, and fires falsely with its false-positive rate; a case may override the
rates. The loan file's turnover and statement series are drawn from the same
lagged health that drives the signals.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from sim import defaults
from sim.codes import ON_BOOKS, SignalSource

SIGNAL_IDS = tuple(defaults.SIGNALS)
SIG_INDEX = {k: j for j, k in enumerate(SIGNAL_IDS)}
U_DIVERSION = len(SIGNAL_IDS)  # column of the monthly uniforms used to detect diversion
U_COLUMNS = len(SIGNAL_IDS) + 1
NEVER = -99
"""`last_seen` of a signal never seen on a loan."""


def init_columns(sim) -> None:
    n = sim.n
    sim.statement_log = []  # (received month, quarter month, loans, reported health)
    sim.last_seen = np.full((n, len(SIGNAL_IDS)), NEVER, dtype=np.int32)
    sim.first_warning = np.full(n, -1, dtype=np.int32)
    sim.first_warning_signal = np.full(n, -1, dtype=np.int16)
    sim.diverting = np.zeros(n, dtype=bool)
    sim.known_diversion = np.zeros(n, dtype=bool)


def override(sc, sig, name: str):
    """A signal parameter, from the scenario's overrides when it sets one."""
    ov = sc.signal_overrides.get(sig.id)
    value = None if ov is None else getattr(ov, name)
    return getattr(sig, name) if value is None else value


def condition(sim, sig, idx: np.ndarray | slice) -> np.ndarray:
    """Whether the hidden state behind a signal holds for loans idx."""
    if sig.driver == "diversion":
        return sim.diverting[idx]
    if sig.driver == "collateral":
        from sim.interventions.workouts import collateral_value

        v = collateral_value(sim, idx)
        return v < defaults.COLLATERAL_SIGNAL_SHARE * np.maximum(sim.appraised[idx], 1.0)
    if sig.driver == "guarantor":
        g = sim.pf.guarantor[idx]
        gg = np.maximum(g, 0)
        return (g >= 0) & ((sim.d[gg] < defaults.GUARANTOR_TROUBLE_HEALTH) | sim.defaulted[gg])
    if sig.driver == "payment":
        return sim.dpd[idx] > 0
    # checks run before this month's tick, so they read health up to last month
    now = sim.t - (0 if sim._ticked else 1)
    lag_d = sim.d_hist[(now - override(sim.sc, sig, "lag_months")) % defaults.HEALTH_HISTORY_MONTHS][idx]
    return lag_d < defaults.SIGNAL_LEAD_TO_HEALTH * override(sim.sc, sig, "lead_months")


def see(sim, t: int, idx: np.ndarray, signal: str, via: SignalSource) -> None:
    """Loans idx show `signal` to the bank in month t."""
    if not len(idx):
        return
    j = SIG_INDEX[signal]
    sim.last_seen[idx, j] = t
    if signal != "payment_late":
        fresh = idx[sim.first_warning[idx] < 0]
        sim.first_warning[fresh] = t
        sim.first_warning_signal[fresh] = j
    sim.rec.sighting(t, idx, j, via)


def onsite_sightings(sim, t: int, idx: np.ndarray, detect: float) -> None:
    """What a check on loans idx finds: on-site signals and fund diversion.

    All on-site signals at once on a (signals, loans) matrix, with the same draws, tests
    and order of effects as seeing them one by one (`see`)."""
    u = sim._u_sig[idx]
    plan = _plan(sim, "onsite")
    if plan and len(idx):
        js, keep, fp = _onsite_rates(sim, plan)
        cond = np.empty((len(plan), len(idx)), dtype=bool)
        now = sim.t - (0 if sim._ticked else 1)
        for row, p in enumerate(plan):
            if p.sig.driver == "health":  # `condition`, with the plan's lag and line
                lag_d = sim.d_hist[(now - p.lag) % defaults.HEALTH_HISTORY_MONTHS]
                np.less(lag_d[idx], p.line, out=cond[row])
            else:
                cond[row] = condition(sim, p.sig, idx)
        draws = u[:, js].T
        seen = (cond & (draws < keep * detect)) | (~cond & (draws < fp))
        rows, cols = np.divmod(np.flatnonzero(seen), len(idx))  # by signal, then as idx
        if len(rows):
            loans = idx[cols]
            sim.last_seen[loans, js[rows]] = t
            if sim.warnings:  # each loan's first warning, for the frames
                fresh = np.logical_or.reduce(seen, axis=0) & (sim.first_warning[idx] < 0)
                if fresh.any():
                    sim.first_warning[idx[fresh]] = t
                    sim.first_warning_signal[idx[fresh]] = js[seen[:, fresh].argmax(axis=0)]
            sim.rec.sightings(t, loans, js[rows], SignalSource.ONSITE)
    found = sim.diverting[idx] & (u[:, U_DIVERSION] < defaults.DIVERSION_DETECTION * detect)
    sim.known_diversion[idx[found]] = True


def _onsite_rates(sim, plan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns, keep rates and false-positive rates ((signals, 1) columns) of the on-site
    signals (cached per run)."""
    cache = sim.__dict__.setdefault("_signal_tables", {})
    if "onsite_rates" not in cache:
        cache["onsite_rates"] = (np.array([p.j for p in plan], dtype=np.int64),
                                 np.array([p.keep for p in plan], dtype=float)[:, None],
                                 np.array([p.fp for p in plan], dtype=float)[:, None])
    return cache["onsite_rates"]


class _Sighting(NamedTuple):
    """One signal's parameters in a case (its overrides applied), for the monthly pass."""

    key: str
    sig: object  # defaults.SignalType
    j: int  # column in last_seen and in the month's uniforms
    lag: int
    keep: float  # 1 - miss rate: a true condition is seen when the draw is below this
    fp: float  # false-positive rate
    line: float  # health below which the condition holds (health-driven signals)


def _plan(sim, source: str) -> list[_Sighting]:
    """The case's signals from one source, in catalogue order (cached per run)."""
    cache = sim.__dict__.setdefault("_signal_plan", {})
    if source not in cache:
        cache[source] = [
            _Sighting(k, sig, SIG_INDEX[k], override(sim.sc, sig, "lag_months"),
                      1 - override(sim.sc, sig, "miss_rate"),
                      override(sim.sc, sig, "false_positive_rate"),
                      defaults.SIGNAL_LEAD_TO_HEALTH * override(sim.sc, sig, "lead_months"))
            for k, sig in defaults.SIGNALS.items() if sig.source == source]
    return cache[source]


def _conditions(sim, plan: list[_Sighting], on: np.ndarray) -> np.ndarray:
    """(signals, loans) matrix of `condition` over the whole book, False off the books
    (`on`: the loans on the books); health is read once per lag."""
    cond = np.empty((len(plan), sim.n), dtype=bool)
    now = sim.t - (0 if sim._ticked else 1)
    for row, p in enumerate(plan):
        if p.sig.driver == "health":
            lag_d = sim.d_hist[(now - p.lag) % defaults.HEALTH_HISTORY_MONTHS]
            np.less(lag_d, p.line, out=cond[row])
        else:
            cond[row] = condition(sim, p.sig, slice(None))
    cond &= on
    return cond


def _first_warnings(sim, t: int, hit: np.ndarray, js: np.ndarray) -> None:
    """Loans seeing their first warning: the first signal in catalogue order that holds
    (`hit`: signals x loans)."""
    if not len(hit):
        return
    fresh = np.logical_or.reduce(hit, axis=0) & (sim.first_warning < 0)
    if fresh.any():
        loans = np.flatnonzero(fresh)
        sim.first_warning[loans] = t
        sim.first_warning_signal[loans] = js[hit[:, loans].argmax(axis=0)]


def offsite_sightings(sim, t: int) -> None:
    """The month's off-site monitoring over the book, and the latent on-site conditions.

    All signals at once on a (signals, loans) matrix, with the same draws, tests and
    order of effects as seeing them one by one (`see`)."""
    on = sim.status <= ON_BOOKS
    plan, js, keep, fp, warn = _month_plan(sim, t)
    if plan:
        draws = sim._u_sig.T[js]
        cond = _conditions(sim, plan, on)
        for row, p in enumerate(plan):
            if p.key == "collection_bypass":
                cond[row] |= sim.diverting & on
        # a true condition is seen below its keep rate, a false one below its false-positive
        # rate (on booleans: a float matrix of thresholds costs more on a large book)
        seen = (cond & (draws < keep)) | (~cond & (draws < fp))
        seen &= on
        for row, p in enumerate(plan):
            if p.key == "statement_weak" and sim.keep_history:
                live = np.flatnonzero(on)
                _keep_statements(sim, t, t - p.lag, live, cond[row][live], seen[row][live],
                                 p.sig)
        # by signal, then by loan: the order `see` logs in
        rows, loans = np.divmod(np.flatnonzero(seen), sim.n)  # 2-D np.nonzero is slower
        if len(rows):
            sim.last_seen[loans, js[rows]] = t
            if sim.warnings:
                _first_warnings(sim, t, seen[warn], js[warn])
            sim.rec.sightings(t, loans, js[rows], SignalSource.OFFSITE)
    if sim.warnings:
        _latent(sim, t, on)


def _month_plan(sim, t: int):
    """The off-site signals looked for in month t (periodic reports only in their months),
    with their columns, keep and false-positive rates as (signals, 1) columns, and which
    are warnings (all but payment status); cached per run by the set of signals."""
    plan = tuple(p for p in _plan(sim, "offsite")
                 if p.sig.every_months <= 1 or is_report_month(t, p.sig.every_months, p.lag))
    cache = sim.__dict__.setdefault("_signal_tables", {})
    key = ("offsite", *(p.j for p in plan))
    got = cache.get(key)
    if got is None:
        got = cache[key] = (
            list(plan), np.array(key[1:], dtype=np.int64),
            np.array([p.keep for p in plan], dtype=float)[:, None],
            np.array([p.fp for p in plan], dtype=float)[:, None],
            np.array([p.key != "payment_late" for p in plan], dtype=bool))
    return got


def _latent(sim, t: int, on: np.ndarray) -> None:
    """Hidden conditions that a check would have shown, for the missed-warning score."""
    cache = sim.__dict__.setdefault("_signal_tables", {})
    if "latent" not in cache:
        plan = [p for p in _plan(sim, "onsite") if p.sig.driver in ("health", "diversion")]
        cache["latent"] = (plan, np.array([p.j for p in plan], dtype=np.int64))
    plan, js = cache["latent"]
    if not plan:
        return
    cond = _conditions(sim, plan, on)
    _first_warnings(sim, t, cond, js)
    for row, p in enumerate(plan):
        held = np.flatnonzero(cond[row])
        if len(held):
            sim.rec.latent.append((t, held, p.j))


def recent_alerts(last_seen: np.ndarray, month: int, months: int = defaults.ALERT_WINDOW_MONTHS,
                  groups: tuple[str, ...] | None = None,
                  include_payment: bool = False) -> np.ndarray:
    """Number of distinct signals seen per loan in the `months` months before decision
    month `month` (payment status left out unless include_payment). The one alert
    count the strategies, the preconditions and the desk all use."""
    weights = _alert_weights(None if groups is None else tuple(groups), include_payment)
    if last_seen.ndim != 2 or last_seen.shape[1] != len(weights):
        cols = _alert_columns(None if groups is None else tuple(groups), include_payment)
        return (last_seen[:, cols] > month - 1 - months).sum(axis=1)
    # counted as a product with 0/1 weights (exact in uint8: at most one per signal),
    # about twice as fast as gathering the columns and summing along the rows
    recent = (last_seen > month - 1 - months).view(np.uint8)
    return (recent @ weights).astype(np.int64)


def alerted(last_seen_row: np.ndarray, month: int,
            months: int = defaults.ALERT_WINDOW_MONTHS, include_payment: bool = False) -> bool:
    """Whether one loan (its row of last_seen) has any signal in `recent_alerts`'s window."""
    cols = _alert_columns(None, include_payment)
    return bool((last_seen_row[cols] > month - 1 - months).any())


@functools.cache
def _alert_weights(groups: tuple[str, ...] | None, include_payment: bool) -> np.ndarray:
    """1 for each signal `recent_alerts` counts, 0 for the others (read-only)."""
    w = np.zeros(len(SIGNAL_IDS), dtype=np.uint8)
    w[_alert_columns(groups, include_payment)] = 1
    w.flags.writeable = False
    return w


@functools.cache
def _alert_columns(groups: tuple[str, ...] | None, include_payment: bool) -> list[int]:
    return [j for j, k in enumerate(SIGNAL_IDS) if (include_payment or k != "payment_late")
            and (groups is None or defaults.SIGNALS[k].group in groups)]


def turnover_index(health: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Account turnover (100 = normal) the loan file shows, from health and a noise draw."""
    noise = 1.0 + defaults.TURNOVER_NOISE * (u - 0.5)
    return 100.0 * np.exp(defaults.TURNOVER_HEALTH_ELASTICITY * np.clip(health, -3, 3)) * noise


# --- financial statements ---------------------------------------------------------
STATEMENT_DRESSING_MARGIN = 0.1
"""How far past the weak line a misread statement lands, in health units (assumption)."""


def is_report_month(t: int, every_months: int, lag_months: int) -> bool:
    """Whether a periodic report (quarterly statements) arrives in month t: a period
    ended lag_months ago."""
    q = t - lag_months
    return q >= every_months and q % every_months == 0


def statement_figures(health: np.ndarray) -> dict[str, np.ndarray]:
    """The figures a statement shows for a borrower of the given (reported) health h,
    clipped to +-3: sales index 100 exp(0.1 h), receivables days 60 - 12 h, debt ratio
    0.55 - 0.05 h (assumption: a sound firm sells more, collects faster, borrows less)."""
    h = np.clip(health, -3, 3)
    return {"sales_index": np.round(100 * np.exp(0.1 * h), 1),
            "receivables_days": np.round(60 - 12 * h, 0),
            "debt_ratio": np.round(0.55 - 0.05 * h, 3)}


def _keep_statements(sim, t: int, quarter: int, live, cond, seen, sig) -> None:
    """The statements received in month t, as the bank reads them. They agree with the
    statement_weak alert: a weak statement the alert missed was window-dressed to look
    just sound; a false alarm came with figures just past the weak line."""
    weak_line = defaults.SIGNAL_LEAD_TO_HEALTH * override(sim.sc, sig, "lead_months")
    h = sim.d_hist[quarter % defaults.HEALTH_HISTORY_MONTHS][live]
    reported = np.where(cond & ~seen, weak_line + STATEMENT_DRESSING_MARGIN,
                        np.where(~cond & seen, weak_line - STATEMENT_DRESSING_MARGIN, h))
    sim.statement_log.append((t, quarter, live, reported))
