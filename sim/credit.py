"""Credit model: a one-factor Gaussian (Vasicek) core with gradual latent health.

Each borrower's idiosyncratic health e follows a stationary AR(1). It misses a
payment in a month when e falls below a barrier c that depends on the
systematic factor X; three misses in a row (90 days past due) are a default.
The barrier is chosen so that the 12-month default probability conditional on
X equals Vasicek's N((G(p) - sqrt(rho) X) / sqrt(1 - rho)); see docs/model.md.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.special import ndtr, ndtri

from sim import defaults
from sim.codes import ON_BOOKS
from sim.kernels import health as kernels


@lru_cache(maxsize=8)
def run_statistic_table(phi: float = defaults.IDIO_PHI_MONTHLY,
                        misses: int = defaults.MISSES_TO_DEFAULT,
                        months: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Barrier grid c and the 12-month default probability F(c) of a loan that starts
    performing (health above c) and defaults at `misses` consecutive months below c.

    With M = min over the year of the max of `misses` consecutive healths, F(c) =
    P(M < c | e_0 > c). Estimated once by a fixed-seed Monte Carlo, so deterministic.
    """
    rng = np.random.default_rng(defaults.CALIBRATION_SEED)
    n = defaults.CALIBRATION_PATHS
    e0 = rng.standard_normal(n)
    e = e0.copy()
    scale = np.sqrt(1.0 - phi * phi)
    window = np.full((misses, n), -np.inf)
    m = np.full(n, np.inf)
    for t in range(months):
        e = phi * e + scale * rng.standard_normal(n)
        window[t % misses] = e
        if t >= misses - 1:
            np.minimum(m, window.max(axis=0), out=m)
    grid = np.linspace(-4.5, 1.5, 1201)
    order = np.argsort(e0)
    e0s, ms = e0[order], m[order]
    # for each c: among paths with e0 > c, the share with M < c
    start = np.searchsorted(e0s, grid, side="right")
    pd_grid = np.array([(ms[k:] < c).mean() if k < n else 1.0 for k, c in zip(start, grid, strict=True)])
    pd_grid = np.maximum.accumulate(pd_grid)
    keep = np.concatenate(([True], np.diff(pd_grid) > 0))
    return grid[keep], pd_grid[keep]


@lru_cache(maxsize=4)
def default_table(phi: float = defaults.IDIO_PHI_MONTHLY,
                  misses: int = defaults.MISSES_TO_DEFAULT,
                  months: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(default within `months` | idiosyncratic health e now, barrier c), on a grid.

    The same law as the barrier's: e follows the AR(1) towards 0 and the loan defaults
    at `misses` consecutive months below c. Returns (e grid, c grid, table[e, c]).
    Estimated once by a fixed-seed Monte Carlo, so deterministic.
    """
    rng = np.random.default_rng(defaults.CALIBRATION_SEED + 1)
    n = defaults.AHEAD_TABLE_PATHS
    scale = np.sqrt(1.0 - phi * phi)
    noise = np.empty((months, n))
    x = np.zeros(n)
    for t in range(months):
        x = phi * x + scale * rng.standard_normal(n)
        noise[t] = x
    pull = phi ** np.arange(1, months + 1)[:, None]
    e_grid = np.linspace(*defaults.AHEAD_TABLE_E_RANGE)
    c_grid = np.linspace(*defaults.AHEAD_TABLE_C_RANGE)
    table = np.empty((len(e_grid), len(c_grid)))
    for a, e0 in enumerate(e_grid):
        path = pull * e0 + noise
        run_max = path[misses - 1:].copy()
        for k in range(1, misses):
            np.maximum(run_max, path[misses - 1 - k:months - k], out=run_max)
        worst = np.sort(run_max.min(axis=0))
        table[a] = np.searchsorted(worst, c_grid) / n
    return e_grid, c_grid, table


def default_ahead(e: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Chance that a performing loan with health e and barrier c defaults within 12 months,
    the systematic factors held where they are (bilinear in the table)."""
    eg, cg, tab = default_table()
    fe = np.interp(e, eg, _positions(len(eg)))
    fc = np.interp(c, cg, _positions(len(cg)))
    i0 = np.minimum(fe.astype(int), len(eg) - 2)
    j0 = np.minimum(fc.astype(int), len(cg) - 2)
    u, v = fe - i0, fc - j0
    if j0.size == 1:  # one barrier for all (default_chance): gather from its two columns
        col0, col1 = tab[:, int(j0.flat[0])], tab[:, int(j0.flat[0]) + 1]
        t00, t10, t01, t11 = col0[i0], col0[i0 + 1], col1[i0], col1[i0 + 1]
    else:
        t00, t10, t01, t11 = tab[i0, j0], tab[i0 + 1, j0], tab[i0, j0 + 1], tab[i0 + 1, j0 + 1]
    ou, ov = 1 - u, 1 - v
    return ou * ov * t00 + u * ov * t10 + ou * v * t01 + u * v * t11


def default_chance(distance: np.ndarray, barrier_level: float = defaults.REFERENCE_BARRIER
                   ) -> np.ndarray:
    """Chance of default within 12 months of a loan `distance` above its barrier (a loan
    whose barrier sits at the reference level). Ranks borrowers by their hidden health."""
    d = np.asarray(distance, dtype=float)
    if d.ndim == 0:
        return default_ahead(barrier_level + d, np.full(d.shape, barrier_level))
    # one barrier for all: its place in the table is worked out once per barrier level,
    # and the health's is interpolated as default_ahead does (the same operations)
    eg, _, _ = default_table()
    v, ov, col0, col1 = _barrier_columns(float(barrier_level))
    fe = np.interp(barrier_level + d, eg, _positions(len(eg)))
    i0 = np.minimum(fe.astype(int), len(eg) - 2)
    i1 = i0 + 1
    u = fe - i0
    ou = 1 - u
    return ou * ov * col0[i0] + u * ov * col0[i1] + ou * v * col1[i0] + u * v * col1[i1]


@lru_cache(maxsize=8)
def _barrier_columns(level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(v, 1 - v, column j0, column j0 + 1) of the default table for a barrier `level`, as
    default_ahead works them out for a one-element barrier array."""
    _, cg, tab = default_table()
    fc = np.interp(np.full(1, level), cg, _positions(len(cg)))
    j0 = np.minimum(fc.astype(int), len(cg) - 2)
    v = fc - j0
    k = int(j0[0])
    return v, 1 - v, tab[:, k], tab[:, k + 1]


@lru_cache(maxsize=8)
def _positions(n: int) -> np.ndarray:
    """0, 1, ..., n - 1: grid positions for np.interp (read-only, shared)."""
    out = np.arange(n)
    out.flags.writeable = False
    return out


def barrier(gp: np.ndarray, sqrt_rho: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Health barrier for each loan given its systematic factor value x.

    gp = G(p) (inverse normal of the annual PD); the conditional annual PD is
    mapped through the inverse of F, so the barrier is in health units.
    """
    grid, pd_grid = run_statistic_table()
    cond_pd = ndtr((gp - sqrt_rho * x) / np.sqrt(1.0 - sqrt_rho * sqrt_rho))
    return np.interp(cond_pd, pd_grid, grid)


def vasicek_quantile(p: float, rho: float, q: float) -> float:
    """Vasicek's q-quantile of the portfolio default rate."""
    return float(ndtr((ndtri(p) + np.sqrt(rho) * ndtri(q)) / np.sqrt(1.0 - rho)))


def factor_step(x: np.ndarray, z: np.ndarray, phi: float) -> np.ndarray:
    """One month of a stationary AR(1) with unit variance."""
    return phi * x + np.sqrt(1.0 - phi * phi) * z


# --- the credit model's columns and monthly step ---------------------------------
class HealthStart(NamedTuple):
    """What `init_health` draws and works out: the factors and each loan's health at the
    start, and the (segment, industry, region) groups the barrier depends on. The same in
    every run of a seed (its macro and idiosyncratic streams and its book), so the runs
    that replay a draw tape take the recording run's (sim.draws) instead of drawing it
    again. Shared: a run copies the health it moves."""

    f_econ: float
    f_ind: np.ndarray
    f_reg: np.ndarray
    e: np.ndarray  # idiosyncratic health (one per borrower: `_shared`)
    d: np.ndarray  # health at the first decision point
    shared: bool  # whether some borrower has several loans
    group_of: np.ndarray  # each loan's group
    groups: tuple[np.ndarray, np.ndarray, np.ndarray]  # each group's segment, industry, region
    group_gp: np.ndarray
    group_sqrt_rho: np.ndarray


def init_health(sim) -> None:
    """Systematic factors from their stationary law, and each borrower's health drawn
    from its stationary law above the barrier (loans start performing). A run that
    replays a draw tape takes them off it (`HealthStart`): its own macro and idiosyncratic
    streams then draw nothing here, and nothing else in such a run draws from them (its
    months, and the oracle's draws ahead, come off the tape too)."""
    n = sim.n
    w = defaults.FACTOR_WEIGHTS
    sim.w = (np.sqrt(w["economy"]), np.sqrt(w["industry"]), np.sqrt(w["region"]))
    if sim._tape_role == "replay":
        start = sim._tape.health_start
    else:
        start = _health_start(sim)
        if sim._tape_role == "record":
            sim._tape.health_start = start
    sim.f_econ, sim.f_ind, sim.f_reg = start.f_econ, start.f_ind.copy(), start.f_reg.copy()
    sim.e = start.e.copy()
    sim._health_shared = start.shared
    sim._health_rules = _health_rules()
    sim.shift = np.zeros(n)  # persistent health shifts (events, actions, guarantee chain)
    sim.boost = np.zeros(n)  # one-month boosts (collection)
    sim.d = start.d.copy()  # health at the first decision point
    sim.d_hist = np.zeros((defaults.HEALTH_HISTORY_MONTHS, n))
    sim.d_hist[:] = sim.d
    sim._group_of, sim._groups = start.group_of, start.groups
    sim._group_gp, sim._group_sqrt_rho = start.group_gp, start.group_sqrt_rho


def _health_start(sim) -> HealthStart:
    """`init_health`'s draws from the run's streams, and what it works out of them and
    of the book."""
    pf = sim.pf
    n = sim.n
    f_econ = sim.rng_macro.standard_normal()
    f_ind = sim.rng_macro.standard_normal(len(pf.industries))
    f_reg = sim.rng_macro.standard_normal(len(pf.regions))
    u0 = sim.rng_idio.random(n)
    x0 = sim.w[0] * f_econ + sim.w[1] * f_ind[pf.industry] + sim.w[2] * f_reg[pf.region]
    c0 = barrier(pf.gp, pf.sqrt_rho, x0)
    p_below = ndtr(c0)
    e = _shared(pf, ndtri(np.clip(p_below + u0 * (1.0 - p_below), 1e-12, 1 - 1e-12)))
    b = pf.borrower
    # the barrier depends on a loan only through (segment, industry, region)
    # (one key per triple, in the triples' order: a 1-D unique sorts far faster than columns)
    keys = np.stack([pf.segment, pf.industry, pf.region]).astype(np.int64)
    radix = keys.max(axis=1) + 1 if n else np.ones(3, dtype=np.int64)
    key = (keys[0] * radix[1] + keys[1]) * radix[2] + keys[2]
    group_key, group_of = np.unique(key, return_inverse=True)
    group_of = group_of.ravel()
    first = np.zeros(len(group_key), dtype=np.int64)
    first[group_of[::-1]] = np.arange(n)[::-1]
    return HealthStart(
        f_econ, f_ind, f_reg, e, e - c0, not (b is None or (b == np.arange(len(b))).all()),
        group_of, (group_key // (radix[1] * radix[2]), group_key // radix[2] % radix[1],
                   group_key % radix[2]), pf.gp[first], pf.sqrt_rho[first])


def _shared(pf, e: np.ndarray) -> np.ndarray:
    """A borrower with several loans has one idiosyncratic health: its first loan's."""
    b = pf.borrower
    return e if b is None or (b == np.arange(len(b))).all() else e[b]


def step_factors(sim, z_econ, z_ind, z_reg) -> np.ndarray:
    """Move the systematic factors one month; returns each group's factor value."""
    phi_s = defaults.SYSTEMATIC_PHI_MONTHLY
    sim.f_econ = factor_step(sim.f_econ, z_econ, phi_s)
    sim.f_ind = factor_step(sim.f_ind, z_ind, phi_s)
    sim.f_reg = factor_step(sim.f_reg, z_reg, phi_s)
    we, wi, wr = sim.w
    _, g_ind, g_reg = sim._groups
    return we * sim.f_econ + wi * sim.f_ind[g_ind] + wr * sim.f_reg[g_reg]


def group_barrier(sim, x: np.ndarray) -> np.ndarray:
    """Each (segment, industry, region) group's health barrier for its factor value x
    (ndtr stays in numpy)."""
    return barrier(sim._group_gp, sim._group_sqrt_rho, x)


def step_health(sim, t: int, c_group: np.ndarray, shock: np.ndarray, z_idio) -> np.ndarray:
    """Hidden health for month t from the groups' barriers (`group_barrier`) and the shock
    vector; returns it. One pass of sim.kernels.health.health_step."""
    pf = sim.pf
    # `_shared` (one health per borrower), decided once per run
    sim.e, d, started = kernels.health_step(
        sim._health_rules, t, sim.e, z_idio, sim.borrower_of_loan, sim._health_shared, c_group,
        sim._group_of, pf.floating, sim.rate, sim.rate0, PCT_PER_UNIT, sim.status, ON_BOOKS,
        pf.diverter, sim.entrusted, sim.diverting, sim.d, sim.shift, shock, sim.boost,
        sim.d_hist, t % defaults.HEALTH_HISTORY_MONTHS)
    sim.rec.log_many(t, started, "diversion_started")
    sim.d = d
    return d


PCT_PER_UNIT = 100.0
"""Percentage points in a rate of 1 (RATE_BURDEN_HEALTH_PER_PCT is per point)."""


def _health_rules() -> kernels.HealthRules:
    """step_health's parameters from sim.defaults (read once per run, by `init_health`:
    building them each month cost a few microseconds)."""
    phi = defaults.IDIO_PHI_MONTHLY
    return kernels.HealthRules(
        phi=phi, scale=float(np.sqrt(1.0 - phi * phi)),  # as factor_step works it out
        burden_per_rate=-defaults.RATE_BURDEN_HEALTH_PER_PCT,
        divert_onset_health=defaults.DIVERSION_ONSET_HEALTH,
        divert_drain=defaults.DIVERSION_DRAIN_PER_MONTH)
