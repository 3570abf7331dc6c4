"""The macro timeline: LPR changes, policy shocks, recessions and disasters.

A SimPy process fires each event at its month. Active events become the month's
shock vector: a recession lowers the economy factor for every loan, a policy
shock lowers the health of the segments it names, a disaster the health of its
region's borrowers (fading over its duration, partly permanent for some). The
collateral price index is a piecewise-linear path given by the case.
"""

from __future__ import annotations

import functools

import numpy as np

from sim import defaults
from sim.storyline import Disaster, LprChange, PolicyShock, Recession


def init(sim) -> None:
    sc = sim.sc
    sim.lpr = {"lpr_1y": sc.lpr_1y, "lpr_5y": sc.lpr_5y}
    sim.active_shocks: list[tuple[int, int, object]] = []  # (start, end, event)
    sim.disaster_until = np.full(len(sim.pf.regions), -1, dtype=np.int32)
    sim.disaster_hit = np.zeros(sim.n, dtype=bool)
    sim.disaster_damage = np.zeros(sim.n)
    sim.index_points = [(p.month, p.value) for p in sc.collateral_index]
    sim._index_now = 1.0


def index_value(points: list[tuple[int, float]], month: float) -> float:
    """Collateral price index (1.0 at the start), piecewise linear between points."""
    return _index_value(tuple(points), month) if points else 1.0


@functools.lru_cache(maxsize=4096)
def _index_value(points: tuple[tuple[int, float], ...], month: float) -> float:
    """`index_value`, kept by points and month: every run of a case asks the same months,
    and np.interp on short lists costs far more to call than to look up."""
    ms = [0] + [m for m, _ in points]
    vs = [1.0 if points[0][0] != 0 else points[0][1]] + [v for _, v in points]
    return float(np.interp(month, ms, vs))


def timeline(sim):
    """Policy shocks, LPR changes, recessions and disasters at their months."""
    for ev in sorted(sim.sc.macro, key=lambda e: e.month):
        wait = max(ev.month - 1, 0) - sim.env.now
        if wait > 0:
            yield sim.env.timeout(wait)
        _fire(sim, ev, max(ev.month, 1))
    yield sim.env.timeout(0)


def _fire(sim, ev, m: int) -> None:
    pf = sim.pf
    if isinstance(ev, LprChange):
        keys = ("lpr_1y", "lpr_5y") if ev.base == "both" else (ev.base,)
        for k in keys:
            sim.lpr[k] = max(0.0, sim.lpr[k] + ev.delta_bp / 10_000)
        sim._rates_reset_due |= pf.floating
        sim.rec.log(m, -1, "lpr_change", ev.delta_bp, ",".join(keys))
    elif isinstance(ev, PolicyShock | Recession):
        sim.active_shocks.append((m, m + ev.duration_months, ev))
        sim.rec.log(m, -1, ev.type, ev.severity, ",".join(getattr(ev, "segments", [])))
    elif isinstance(ev, Disaster):
        if ev.region in pf.regions:
            r = pf.regions.index(ev.region)
            sim.disaster_until[r] = m + ev.duration_months
            hit = pf.region == r
            permanent = hit & (pf.disaster_u < ev.permanent_share)
            sim.disaster_hit |= hit
            sim.disaster_damage[hit] += ev.severity
            sim.shift[permanent] -= ev.severity * defaults.DISASTER_PERMANENT_HEALTH
            sim.active_shocks.append((m, m + ev.duration_months, ev))
        sim.rec.log(m, -1, "disaster", ev.severity, ev.region)


def shocks(sim, t: int, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group factor values after recessions, per-loan health shock) for month t."""
    drop_ended(sim, t)
    return shocks_from(sim, t, x, sim.active_shocks)


def drop_ended(sim, t: int) -> None:
    """Forget the shocks that ended before month t."""
    sim.active_shocks = [s for s in sim.active_shocks if s[1] > t]


def shocks_from(sim, t: int, x: np.ndarray, active) -> tuple[np.ndarray, np.ndarray]:
    """`shocks` for month t from a list of (start, end, event): reads nothing it changes,
    so the oracle's foresight (sim.foresight) can ask about months ahead."""
    pf = sim.pf
    shock = np.zeros(sim.n)
    for start, end, ev in active:
        if start > t or end <= t:
            continue
        if isinstance(ev, Recession):
            x = x - ev.severity
        elif isinstance(ev, PolicyShock):
            seg_hit = np.isin(pf.segment, [pf.segment_ids.index(s) for s in ev.segments])
            shock[seg_hit] -= ev.severity
        elif isinstance(ev, Disaster):
            r = pf.regions.index(ev.region)
            fade = 1.0 - (t - start) / max(end - start, 1)
            shock[pf.region == r] -= ev.severity * max(fade, 0.0)
    return x, shock


def fading_shock(sim, t: int) -> np.ndarray:
    """The part of the month-t health shock that fades away: a disaster's loss still to pass
    (insurance pays, the shop reopens, the next season comes); its permanent damage is in
    the shift, not here. Reads nothing it changes."""
    disasters = [(a, b, ev) for a, b, ev in sim.active_shocks if isinstance(ev, Disaster)]
    return shocks_from(sim, t, np.zeros(0), disasters)[1]


def scheduled_shocks(sim, after_month: int) -> list[tuple[int, int, object]]:
    """(start, end, event) of the case's policy shocks, recessions and disasters that fire
    after `after_month`, as `_fire` will list them (a disaster in a region the book does
    not lend in does nothing)."""
    out = []
    for ev in sim.sc.macro:
        m = max(ev.month, 1)
        if m <= after_month or isinstance(ev, LprChange):
            continue
        if isinstance(ev, Disaster) and ev.region not in sim.pf.regions:
            continue
        out.append((m, m + ev.duration_months, ev))
    return out
