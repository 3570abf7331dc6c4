"""Judgement classification (主观分类): the officer's class above the objective floor.

The 2023 rules set minimum classes (the objective floor, sim.classification); an
officer may put a loan in a worse class on judgement, never a better one, and must
say why. The engine keeps the judgement in its own column; each month's class is
the worse of the objective class and the judgement, so provisions, the NPL ratio
and the review meeting follow it. A judgement at the floor lifts it: the loan's
class follows the floor again (it can never be lifted above the floor).

The class the hidden state warranted (for the deviation measure, sim.deviation)
applies the same objective triggers to the true state (diversion whether or not
the bank knows it) and adds health bands from sim.defaults.
"""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.classification import classify
from sim.codes import ON_BOOKS, LoanClass

JUDGEMENT_REASONS = (
    "warning_signals", "financial_weakness", "diversion_suspected", "guarantor_trouble",
    "collateral_weakened", "sector_outlook", "review_meeting", "conditions_improved",
)
"""Reason codes an officer gives for a judgement (text in training/locales/*/judgement.yaml)."""
JUDGEMENT_EVENT = "judgement"
"""Event-log name of a judgement: amount_cny holds the class (as class_change does),
details the reason code."""


def init_columns(sim) -> None:
    sim.judgement = np.zeros(sim.n, dtype=np.int8)  # officer's class, NORMAL = none
    sim.cls_objective = np.zeros(sim.n, dtype=np.int8)  # the floor the rules set


def refusal(sim, i: int, cls: int, reason: str) -> str | None:
    """The reason code a judgement cannot be recorded on loan i, or None.

    "active": no such loan on the books; "judgement_reason": an unknown reason;
    "judgement_class": not a class; "better_than_floor": better than the objective floor."""
    if not 0 <= i < sim.n or sim.status[i] > ON_BOOKS:
        return "active"
    if reason not in JUDGEMENT_REASONS:
        return "judgement_reason"
    if cls not in set(LoanClass):
        return "judgement_class"
    if cls < sim.cls_objective[i]:
        return "better_than_floor"
    return None


def apply(sim, t: int, i: int, cls: int, reason: str) -> str | None:
    """Record a judgement on loan i at month t; returns a refusal code, or None."""
    why = refusal(sim, i, cls, reason)
    if why is not None:
        sim.month_report.rejected.append((i, "classify", why))
        return why
    sim.judgement[i] = cls if cls > sim.cls_objective[i] else LoanClass.NORMAL
    # like class_change, the class rides in the amount column; details carry the reason
    sim.rec.log(t, i, JUDGEMENT_EVENT, float(cls), reason)
    return None


def warranted(sim, t: int) -> np.ndarray:
    """The class each loan's hidden state warrants at month t (after the month's tick).

    The objective triggers on the true state (days past due, diversion whether known
    or not, restructuring observation, event floors, a cured NPL not yet upgraded or a loan
    restructured again under observation, the
    borrower rule), then health
    bands: below WARRANTED_SPECIAL_MENTION_HEALTH special mention, below
    WARRANTED_SUBSTANDARD_HEALTH substandard. Defaulted loans keep their day triggers."""
    on_books = sim.status <= ON_BOOKS
    flagged = (sim.diverting | (sim.restructured_until >= t)) & on_books
    npl_floor = (sim.upgrade_from > t) | (sim.restructured_again & (sim.restructured_until >= t))
    floor = np.where(npl_floor & on_books,
                     np.maximum(sim.floor, LoanClass.SUBSTANDARD), sim.floor)
    cls = classify(sim.dpd, flagged, floor, sim.balance,
                   sim.npl_debtor if sim.npl_debtor_rule else None)
    band = np.where(sim.d < defaults.WARRANTED_SUBSTANDARD_HEALTH, LoanClass.SUBSTANDARD,
                    np.where(sim.d < defaults.WARRANTED_SPECIAL_MENTION_HEALTH,
                             LoanClass.SPECIAL_MENTION, LoanClass.NORMAL)).astype(np.int8)
    return np.maximum(cls, band)
