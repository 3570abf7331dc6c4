"""Early-warning signals (预警信号): what the bank sees of the hidden state.

Off-site signals are looked for every month over the whole book; on-site ones
only on the loans a check visits (sim.checks calls `onsite_sightings`). Each
signal fires when its hidden condition holds, missed with the signal's miss
rate, and fires falsely with its false-positive rate; a case may override the
rates. A signal is about the borrower kinds its table entry names (`kinds`): a
household shows no plant idle or weak statements, true or false. The loan file's
turnover and statement series are drawn from the same lagged health that drives
the signals (statements for firms only).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from sim import defaults
from sim.codes import BORROWER_KIND_KEYS, ON_BOOKS, SignalSource
from sim.kernels import signals as kernels

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
        return collateral_fell(sim, idx)
    if sig.driver == "guarantor":
        return kernels.guarantor_trouble(np.asarray(sim.pf.guarantor[idx]), sim.d, sim.defaulted,
                                         defaults.GUARANTOR_TROUBLE_HEALTH)
    if sig.driver == "payment":
        return sim.dpd[idx] > 0
    # checks run before this month's tick, so they read health up to last month
    now = sim.t - (0 if sim._ticked else 1)
    lag_d = sim.d_hist[(now - override(sim.sc, sig, "lag_months")) % defaults.HEALTH_HISTORY_MONTHS][idx]
    return lag_d < defaults.SIGNAL_LEAD_TO_HEALTH * override(sim.sc, sig, "lead_months")


def collateral_fell(sim, idx: np.ndarray | slice, value_cny: np.ndarray | None = None,
                    has: np.ndarray | None = None) -> np.ndarray:
    """Whether loans idx hold security (an unsecured loan has none to fall) worth less than
    COLLATERAL_SIGNAL_SHARE of its last appraisal; value_cny: its true value now
    (collateral_value), and has: whether they hold security (has_security), when the
    caller has worked them out. An array of loan numbers is worked out in compiled code
    (sim.kernels.signals.collateral_fell), the same figures."""
    from sim.interventions.workouts import collateral_value, has_security

    if value_cny is None:
        value_cny = collateral_value(sim, idx)
    if has is None:
        has = has_security(sim, idx)
    if isinstance(idx, np.ndarray) and idx.dtype == np.int64:  # a check's loans: one pass
        return kernels.collateral_fell(idx, value_cny, has, sim.appraised,
                                       defaults.COLLATERAL_SIGNAL_SHARE)
    return has & (
        value_cny < defaults.COLLATERAL_SIGNAL_SHARE * np.maximum(sim.appraised[idx], 1.0))


@functools.cache
def _kind_fits(kinds: tuple[str, ...]) -> np.ndarray | None:
    """Per sim.codes.BorrowerKind code, whether a signal about `kinds` can describe that
    kind of borrower (None: every kind)."""
    fits = np.array([k in kinds for k in BORROWER_KIND_KEYS], dtype=bool)
    if fits.all():
        return None
    fits.flags.writeable = False
    return fits


def _book_mask(sim, key: tuple, make) -> np.ndarray | None:
    """`make()`: a read-only mask over the whole book that holds for the run (the loans'
    kinds and guarantors do not change), worked out once per run under `key`."""
    masks = sim.__dict__.setdefault("_signal_masks", {})
    if key not in masks:
        got = masks[key] = make()
        if got is not None:
            got.flags.writeable = False
    return masks[key]


def describes(sim, sig, idx: np.ndarray | slice) -> np.ndarray | None:
    """Loans idx whose borrower is of a kind the signal can describe (None: every loan):
    a firm's signals (plant idle, weak statements...) say nothing of a household."""
    fits = _kind_fits(sig.kinds)
    if fits is None:
        return None
    return _book_mask(sim, ("kinds", sig.kinds), lambda: fits[sim.pf.kind])[idx]


def applies(sim, sig, idx: np.ndarray | slice) -> np.ndarray | None:
    """Loans idx the signal can be about at all (None: every loan): its borrower of a kind
    the signal describes (`describes`); for a collateral signal, security; for a
    guarantor signal, a guarantor. Elsewhere it is neither seen nor falsely raised, and
    its condition does not hold: a check finds no fall in a pledge the loan does not
    have, nor a stopped plant at a household."""
    if sig.driver == "collateral":
        from sim.interventions.workouts import has_security

        return _described(sim, sig, idx, has_security(sim, idx))
    if sig.driver == "guarantor":
        fixed = _book_mask(sim, ("guarantor", sig.kinds), lambda: _described(
            sim, sig, slice(None), np.asarray(sim.pf.guarantor) >= 0))
        return fixed[idx]
    return describes(sim, sig, idx)


def _described(sim, sig, idx: np.ndarray | slice, has: np.ndarray) -> np.ndarray:
    """`has` (what a signal needs of loans idx: security, a guarantor) where the signal
    also describes the borrower's kind (`describes`)."""
    can = describes(sim, sig, idx)
    return has if can is None else has & can


def see(sim, t: int, idx: np.ndarray, signal: str, via: SignalSource) -> None:
    """Loans idx show `signal` to the bank in month t (those whose borrower's kind it
    describes: a scripted key person gone shows on a firm's loans, not on a consumer loan
    its owner also holds)."""
    fits = describes(sim, defaults.SIGNALS[signal], idx)
    if fits is not None:
        idx = idx[fits]
    if not len(idx):
        return
    j = SIG_INDEX[signal]
    sim.last_seen[idx, j] = t
    if signal != "payment_late":
        fresh = idx[sim.first_warning[idx] < 0]
        sim.first_warning[fresh] = t
        sim.first_warning_signal[fresh] = j
    sim.rec.sighting(t, idx, j, via)


def onsite_sightings(sim, t: int, idx: np.ndarray, detect: float,
                     collateral_cny: np.ndarray | None = None) -> None:
    """What a check on loans idx finds: on-site signals and fund diversion
    (collateral_cny: the true value of their security, when the caller has it).

    All on-site signals at once (sim.kernels.signals.check_sightings), with the same draws, tests
    and order of effects as seeing them one by one (`see`)."""
    idx = np.asarray(idx, dtype=np.int64)
    tab = _tables(sim, "onsite", _plan(sim, "onsite"))
    cond, can = _driver_conditions(sim, tab, idx, collateral_cny)
    loans, sigs = kernels.check_sightings(
        t, idx, cond, can, tab.is_health, _hist_rows(sim, tab), tab.lines, sim.d_hist, sim._u_sig,
        tab.js, tab.keep, tab.fp, detect, sim.last_seen, sim.first_warning,
        sim.first_warning_signal, sim.warnings, sim.diverting, sim.known_diversion,
        U_DIVERSION, defaults.DIVERSION_DETECTION * detect)
    if len(loans):
        sim.rec.sightings(t, loans, sigs, SignalSource.ONSITE)


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


class _Tables(NamedTuple):
    """A list of signals as the kernels take it (cached per run and list)."""

    plan: list[_Sighting]
    js: np.ndarray  # column of each signal in last_seen and in the month's uniforms
    keep: np.ndarray
    fp: np.ndarray
    is_health: np.ndarray  # health-driven: the kernel tests the lagged health
    lags: np.ndarray  # months of lag (health-driven signals)
    lines: np.ndarray  # health below which the condition holds (health-driven signals)
    warn: np.ndarray  # counts as a warning (all but payment status)
    bypass_row: int  # the row of collection_bypass (also held by diversion), or -1
    can: np.ndarray  # `applies` over the book, for the run (a collateral signal's row: ones)
    driven: tuple[tuple[int, object], ...]  # (row, signal) of those not driven by health
    collateral: bool  # some row is a collateral signal's (its `can` is worked out each pass)


def _tables(sim, key, plan) -> _Tables:
    cache = sim.__dict__.setdefault("_signal_tables", {})
    got = cache.get(key)
    if got is None:
        keys = [p.key for p in plan]
        got = cache[key] = _Tables(
            list(plan), np.array([p.j for p in plan], dtype=np.int64),
            np.array([p.keep for p in plan], dtype=float),
            np.array([p.fp for p in plan], dtype=float),
            np.array([p.sig.driver == "health" for p in plan], dtype=bool),
            np.array([p.lag for p in plan], dtype=np.int64),
            np.array([p.line for p in plan], dtype=float),
            np.array([k != "payment_late" for k in keys], dtype=bool),
            keys.index("collection_bypass") if "collection_bypass" in keys else -1,
            _fixed_applies(sim, plan),
            tuple((row, p.sig) for row, p in enumerate(plan) if p.sig.driver != "health"),
            any(p.sig.driver == "collateral" for p in plan))
    return got


def _fixed_applies(sim, plan: list[_Sighting]) -> np.ndarray:
    """(signals, loans): `applies` over the whole book where it holds for the run (the
    borrower's kind, a guarantor); a collateral signal's row is left to each pass (the
    security changes)."""
    can = np.ones((len(plan), sim.n), dtype=bool)
    for row, p in enumerate(plan):
        got = None if p.sig.driver == "collateral" else applies(sim, p.sig, slice(None))
        if got is not None:
            can[row] = got
    return can


def _hist_rows(sim, tab: _Tables) -> np.ndarray:
    """Row of sim.d_hist each signal reads: health `lag` months before now (checks run
    before this month's tick, so they read health up to last month)."""
    now = sim.t - (0 if sim._ticked else 1)
    return (now - tab.lags) % defaults.HEALTH_HISTORY_MONTHS


def _driver_conditions(sim, tab: _Tables, idx: np.ndarray | None,
                       collateral_cny: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(cond, can): (signals, loans) matrices. cond has the rows of signals not driven by
    health filled by `condition` (for loans idx, or the whole book; collateral_cny: the
    security's value there, when known); the kernels fill the health rows. can is
    `applies`: where it is false, the kernels hold the condition false and the signal can
    be neither seen nor falsely raised."""
    cond = np.empty((len(tab.plan), sim.n if idx is None else len(idx)), dtype=bool)
    # the rows fixed for the run (`take` keeps C order: the kernels are compiled for it);
    # over the whole book, the run's own (the kernels only read it) unless a collateral
    # row is to be written
    if idx is None:
        can = tab.can.copy() if tab.collateral else tab.can
    else:
        can = tab.can.take(idx, axis=1)
    at = slice(None) if idx is None else idx
    for row, sig in tab.driven:  # the health rows are the kernels'
        if sig.driver == "collateral":  # `condition` and `applies`, the security read once
            from sim.interventions.workouts import has_security

            has = has_security(sim, at)
            cond[row] = collateral_fell(sim, at, collateral_cny, has)
            can[row] = _described(sim, sig, at, has)
        else:
            cond[row] = condition(sim, sig, at)
    return cond, can


def offsite_sightings(sim, t: int) -> None:
    """The month's off-site monitoring over the book, and the latent on-site conditions.

    All signals at once (sim.kernels.signals.month_sightings), with the same draws, tests and
    order of effects as seeing them one by one (`see`)."""
    on = sim.status <= ON_BOOKS
    tab = _month_plan(sim, t)
    if tab.plan:
        cond, can = _driver_conditions(sim, tab, None)
        seen, loans, sigs = kernels.month_sightings(
            t, cond, can, tab.is_health, _hist_rows(sim, tab), tab.lines, sim.d_hist, on,
            tab.bypass_row, sim.diverting, sim._u_sig, tab.js, tab.keep, tab.fp, tab.warn,
            sim.last_seen, sim.first_warning, sim.first_warning_signal, sim.warnings)
        if sim.keep_history:  # the statements the desk's loan file shows
            for row, p in enumerate(tab.plan):
                if p.key == "statement_weak":
                    live = np.flatnonzero(on & can[row])  # the firms: households file none
                    _keep_statements(sim, t, t - p.lag, live, cond[row][live],
                                     seen[row][live], p.sig)
        if len(loans):  # by signal, then by loan: the order `see` logs in
            sim.rec.sightings(t, loans, sigs, SignalSource.OFFSITE)
    if sim.warnings:
        _latent(sim, t, on)


def _month_plan(sim, t: int) -> _Tables:
    """The off-site signals looked for in month t (periodic reports only in their
    months); cached per run by which periodic reports arrive, and the tables by the set
    of signals."""
    periodic, plans = sim.__dict__.get("_offsite_plans") or _offsite_plans(sim)
    due = tuple(is_report_month(t, p.sig.every_months, p.lag) for p in periodic)
    got = plans.get(due)
    if got is None:
        plan = [p for p in _plan(sim, "offsite")
                if p.sig.every_months <= 1 or is_report_month(t, p.sig.every_months, p.lag)]
        got = plans[due] = _tables(sim, ("offsite", *(p.j for p in plan)), plan)
    return got


def _offsite_plans(sim) -> tuple[list[_Sighting], dict]:
    """The run's periodic off-site signals, and its month plans by the reports due (empty
    at first), kept on the run for `_month_plan`."""
    got = sim._offsite_plans = ([p for p in _plan(sim, "offsite") if p.sig.every_months > 1], {})
    return got


def _latent(sim, t: int, on: np.ndarray) -> None:
    """Hidden conditions that a check would have shown, for the missed-warning score."""
    plan = [p for p in _plan(sim, "onsite") if p.sig.driver in ("health", "diversion")]
    if not plan:
        return
    tab = _tables(sim, "latent", plan)
    cond, can = _driver_conditions(sim, tab, None)
    row_ends, loans = kernels.latent_conditions(
        t, cond, can, tab.is_health, _hist_rows(sim, tab), tab.lines, sim.d_hist, on, tab.js,
        sim.first_warning, sim.first_warning_signal)
    start = 0
    for p, end in zip(tab.plan, row_ends.tolist(), strict=True):
        if end > start:
            sim.rec.latent.append((t, loans[start:end], p.j))
        start = end


def recent_alerts(last_seen: np.ndarray, month: int, months: int = defaults.ALERT_WINDOW_MONTHS,
                  groups: tuple[str, ...] | None = None,
                  include_payment: bool = False) -> np.ndarray:
    """Number of distinct signals seen per loan in the `months` months before decision
    month `month` (payment status left out unless include_payment). The one alert
    count the strategies, the preconditions and the desk all use."""
    weights = alert_weights(None if groups is None else tuple(groups), include_payment)
    if last_seen.ndim != 2 or last_seen.shape[1] != len(weights):
        cols = _alert_columns(None if groups is None else tuple(groups), include_payment)
        return (last_seen[:, cols] > month - 1 - months).sum(axis=1)
    if last_seen.flags.writeable:  # one compiled version: strategies pass read-only views
        last_seen = last_seen.view()
        last_seen.flags.writeable = False
    return kernels.recent_alerts(last_seen, month - 1 - months, weights)


def alerted_of(last_seen: np.ndarray, idx: np.ndarray, month: int,
               months: int = defaults.ALERT_WINDOW_MONTHS,
               include_payment: bool = False) -> np.ndarray:
    """`recent_alerts(last_seen[idx], ...) > 0`: whether each of loans idx (int64) has any
    signal in the window, read in place (sim.kernels.signals.any_alert)."""
    return kernels.any_alert(last_seen, idx, month - 1 - months,
                             alert_weights(None, include_payment))


def alerted(last_seen_row: np.ndarray, month: int,
            months: int = defaults.ALERT_WINDOW_MONTHS, include_payment: bool = False) -> bool:
    """Whether one loan (its row of last_seen) has any signal in `recent_alerts`'s window."""
    cols = _alert_columns(None, include_payment)
    return bool((last_seen_row[cols] > month - 1 - months).any())


@functools.cache
def alert_weights(groups: tuple[str, ...] | None, include_payment: bool) -> np.ndarray:
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
