"""Scripted borrower events: what a case's author makes happen to named borrowers.

Each event hits the borrower's health (or its collateral, or starts a diversion
of loan money) at its month; some leave an off-site trace the bank sees at once
(a lawsuit on the public record, a key person gone, a sales drop in turnover).
"""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.codes import SignalSource
from sim.signals import see

HEALTH_HIT = defaults.SCRIPTED_HEALTH_HIT
SEEN = {"key_person_leaves": "key_person", "lawsuit_filed": "lawsuit",
        "tax_arrears": "tax_arrears", "sales_drop": "turnover_drop"}
"""The off-site signal an event shows at once."""
COLLATERAL_DAMAGE_PER_SEVERITY = defaults.SCRIPTED_COLLATERAL_DAMAGE


def timeline(sim):
    """Authored events of named borrowers, at the months the case gives."""
    items = [(ev.month, sim.pf.named_index[b.id], ev)
             for b in sim.sc.borrowers for ev in b.events]
    for month, i, ev in sorted(items, key=lambda x: (x[0], x[1])):
        wait = max(month - 1, 0) - sim.env.now
        if wait > 0:
            yield sim.env.timeout(wait)
        apply(sim, i, ev, max(month, 1))
    yield sim.env.timeout(0)


def borrower_loans(sim, i: int) -> np.ndarray:
    """Every loan of loan i's borrower (loan i alone when no borrower holds two)."""
    if not sim.multi_loan:
        return np.array([i])
    return np.flatnonzero(sim.borrower_of_loan == sim.borrower_of_loan[i])


def apply(sim, i: int, ev, m: int) -> None:
    """An event hits the borrower: its health and what the bank sees on the public record
    move for every loan it holds. Diversion and collateral damage concern the loan the
    event names (its drawdowns, its pledge)."""
    s = ev.severity
    k = ev.kind
    if k in HEALTH_HIT:
        sim.shift[borrower_loans(sim, i)] -= HEALTH_HIT[k] * s
    elif k == "diversion_start":
        if not sim.entrusted[i]:
            sim.diverting[i] = True
    elif k == "collateral_damage":
        sim.condition[i] *= max(0.0, 1.0 - COLLATERAL_DAMAGE_PER_SEVERITY * s)
    if k in SEEN:
        see(sim, m, borrower_loans(sim, i), SEEN[k], SignalSource.OFFSITE)
    sim.rec.log(m, i, "scripted_" + k, s)
