"""Compiled loops for the month's actions (numba): the one-loan formulas of
sim.interventions.effects run loan by loan over columns, in the same operations and the
same order, so each loan gets exactly the figures the one-loan effect gives it.

The power in an annuity is taken as Python takes it (the C library's `pow`, which numba
calls too); numpy's vectorised power may round the last bit differently, which is why the
column path does not use it. `tests/test_kernels_act.py` holds these to the one-loan
formulas on random loans.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.loanbook import _EQUAL_INSTALMENT, _EQUAL_PRINCIPAL

EQUAL_INSTALMENT = _EQUAL_INSTALMENT  # module globals numba takes as constants
EQUAL_PRINCIPAL = _EQUAL_PRINCIPAL
BURDEN_HORIZON_MONTHS = 12
"""The window the burden averages over: sim.loanbook.payment_burden_one's default."""


@njit(cache=True)
def burden_one(balance: float, rate_annual: float, remaining: float, repayment: int,
               horizon_months: int) -> float:
    """sim.loanbook.payment_burden_one, compiled: the same branches and operations."""
    r = rate_annual / 12.0
    n = max(float(remaining), 1.0)
    if repayment == EQUAL_INSTALMENT:
        if r > 0:
            return balance * r / (1 - (1 + r) ** (-n))
        return balance / n
    if repayment == EQUAL_PRINCIPAL:
        return balance / n + balance * r
    bullet_share = 1.0 / min(n, float(horizon_months)) if n <= horizon_months else 0.0
    return balance * r + balance * bullet_share


@njit(cache=True)
def restructure_terms_loans(balance, rate, remaining, repayment, rate_concession: float,
                            term_stretch: float, term_add_months: float,
                            horizon_months: int):
    """sim.interventions.effects.restructure_terms for each loan: (new rates, new remaining
    terms, cuts in the burden)."""
    k = len(balance)
    new_rate = np.empty(k)
    new_remaining = np.empty(k, dtype=np.int64)
    cut = np.empty(k)
    for j in range(k):
        nr = max(0.0, rate[j] - rate_concession)
        nm = int(np.ceil(remaining[j] * term_stretch) + term_add_months)
        before = burden_one(balance[j], rate[j], remaining[j], repayment[j], horizon_months)
        after = burden_one(balance[j], nr, nm, repayment[j], horizon_months)
        c = 1.0 - after / before if before > 0 else 0.0
        new_rate[j] = nr
        new_remaining[j] = nm
        cut[j] = max(c, 0.0)
    return new_rate, new_remaining, cut
