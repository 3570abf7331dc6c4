"""Credit model: a one-factor Gaussian (Vasicek) core with gradual latent health.

Each borrower's idiosyncratic health e follows a stationary AR(1). It misses a
payment in a month when e falls below a barrier c that depends on the
systematic factor X; three misses in a row (90 days past due) are a default.
The barrier is chosen so that the 12-month default probability conditional on
X equals Vasicek's N((G(p) - sqrt(rho) X) / sqrt(1 - rho)); see docs/model.md.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import ndtr, ndtri

from sim import defaults


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
