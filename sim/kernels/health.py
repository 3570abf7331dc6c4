"""The health step (sim.credit.step_health), compiled."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.kernels.common import _indices, kernel


class HealthRules(NamedTuple):
    """Parameters of sim.credit.step_health."""

    phi: float  # idiosyncratic AR(1) coefficient per month
    scale: float  # sqrt(1 - phi^2), as sim.credit.factor_step works it out
    burden_per_rate: float  # health change per unit of rate rise (negative: a burden)
    divert_onset_health: float  # a diverter starts below this health
    divert_drain: float  # health a diverting borrower loses each month



@kernel
def health_step(rules, t, e_prev, z_idio, borrower, shared, c_group, group_of, floating,
                rate, rate0, pct_per_unit, status, on_books, diverter, entrusted, diverting,
                d_prev, shift, shock, boost, d_hist, hist_row):
    """sim.credit.step_health after the barrier: the idiosyncratic AR(1) (one health per
    borrower when `shared`), the rate burden, the onset and drain of fund diversion,
    and the month's health d (written into d_hist[hist_row]). Updates diverting, shift
    and boost (cleared) in place; returns (e, d, loans that start diverting).

    Compiled because the numpy version is a dozen passes over the book for one formula."""
    n = len(e_prev)
    e_all = np.empty(n)
    for i in range(n):
        e_all[i] = rules.phi * e_prev[i] + rules.scale * z_idio[i]
    e = e_all
    if shared:
        e = np.empty(n)
        for i in range(n):
            e[i] = e_all[borrower[i]]
    d = np.empty(n)
    started = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        live = status[i] <= on_books
        if (diverter[i] and not entrusted[i] and not diverting[i] and live
                and d_prev[i] < rules.divert_onset_health and t > 1):
            started[i] = True
            diverting[i] = True
        if diverting[i] and live:
            shift[i] -= rules.divert_drain
        burden = rules.burden_per_rate * (rate[i] - rate0[i]) * pct_per_unit if floating[i] \
            else 0.0
        d[i] = e[i] - c_group[group_of[i]] + shift[i] + shock[i] + burden + boost[i]
        boost[i] = 0.0
        d_hist[hist_row, i] = d[i]
    return e, d, _indices(started)
