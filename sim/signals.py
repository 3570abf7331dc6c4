"""Early-warning signals (预警信号): what the bank sees of the hidden state.

Off-site signals are looked for every month over the whole book; on-site ones
only on the loans a check visits (sim.checks calls `onsite_sightings`). Each
signal fires when its hidden condition holds, missed with the signal's miss
rate, and fires falsely with its false-positive rate; a case may override the
rates. The loan file's turnover and statement series are drawn from the same
lagged health that drives the signals.
"""

from __future__ import annotations

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
        return v < 0.85 * np.maximum(sim.appraised[idx], 1.0)
    if sig.driver == "guarantor":
        g = sim.pf.guarantor[idx]
        gg = np.maximum(g, 0)
        return (g >= 0) & ((sim.d[gg] < 0.3) | sim.defaulted[gg])
    if sig.driver == "payment":
        return sim.dpd[idx] > 0
    # checks run before this month's tick, so they read health up to last month
    now = sim.t - (0 if sim._ticked else 1)
    lag_d = sim.d_hist[(now - override(sim.sc, sig, "lag_months")) % 13][idx]
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
    """What a check on loans idx finds: on-site signals and fund diversion."""
    u = sim._u_sig[idx]
    for k, sig in defaults.SIGNALS.items():
        if sig.source != "onsite":
            continue
        j = SIG_INDEX[k]
        cond = condition(sim, sig, idx)
        miss = override(sim.sc, sig, "miss_rate")
        fp = override(sim.sc, sig, "false_positive_rate")
        seen = (cond & (u[:, j] < (1 - miss) * detect)) | (~cond & (u[:, j] < fp))
        see(sim, t, idx[seen], k, SignalSource.ONSITE)
    found = sim.diverting[idx] & (u[:, U_DIVERSION] < 0.85 * detect)
    sim.known_diversion[idx[found]] = True


def offsite_sightings(sim, t: int) -> None:
    """The month's off-site monitoring over the book, and the latent on-site conditions."""
    live = np.flatnonzero(sim.status <= ON_BOOKS)
    u = sim._u_sig[live]
    for k, sig in defaults.SIGNALS.items():
        if sig.source != "offsite":
            continue
        if sig.every_months > 1 and t % sig.every_months != 0:
            continue
        j = SIG_INDEX[k]
        miss = override(sim.sc, sig, "miss_rate")
        fp = override(sim.sc, sig, "false_positive_rate")
        cond = condition(sim, sig, live)
        if k == "collection_bypass":
            cond = cond | sim.diverting[live]
        seen = (cond & (u[:, j] < 1 - miss)) | (~cond & (u[:, j] < fp))
        see(sim, t, live[seen], k, SignalSource.OFFSITE)
    _latent(sim, t, live)


def _latent(sim, t: int, live: np.ndarray) -> None:
    """Hidden conditions that a check would have shown, for the missed-warning score."""
    for k, sig in defaults.SIGNALS.items():
        if sig.source == "onsite" and sig.driver in ("health", "diversion"):
            cond = condition(sim, sig, live)
            fresh = live[cond & (sim.first_warning[live] < 0)]
            sim.first_warning[fresh] = t
            sim.first_warning_signal[fresh] = SIG_INDEX[k]
            held = live[cond]
            if len(held):
                sim.rec.latent.append((t, held.astype(np.int64), SIG_INDEX[k]))


def recent_alerts(last_seen: np.ndarray, month: int, months: int = 3,
                  groups: tuple[str, ...] | None = None) -> np.ndarray:
    """Number of distinct non-payment signals seen per loan in the last `months` months."""
    cols = [j for j, k in enumerate(SIGNAL_IDS) if k != "payment_late"
            and (groups is None or defaults.SIGNALS[k].group in groups)]
    return (last_seen[:, cols] > month - 1 - months).sum(axis=1)


def turnover_index(health: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Account turnover (100 = normal) the loan file shows, from health and a noise draw."""
    noise = 1.0 + 0.06 * (u - 0.5)
    return 100.0 * np.exp(0.12 * np.clip(health, -3, 3)) * noise
