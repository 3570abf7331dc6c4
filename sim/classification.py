"""Five-category loan classification (五级分类) by the 2023 rules, and provisions.

Objective triggers (商业银行金融资产风险分类办法, 2023): any amount overdue, an
unapproved change in the use of funds, or a restructuring puts a loan at least
in SPECIAL_MENTION (关注), a second restructuring during the first's observation
period at least in SUBSTANDARD; more than 90 days overdue SUBSTANDARD (次级), more
than 270 DOUBTFUL (可疑), more than 360 LOSS (损失). If more than 10% of a
non-retail borrower's claims are non-performing, all its claims are non-performing
(a household's loans, retail claims, are each classified on their own).
"""

from __future__ import annotations

import functools

import numpy as np

from sim.codes import CLASS_KEYS, ON_BOOKS, LoanClass
from sim.kernels import classes as kernels

NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS = LoanClass

DAY_TRIGGERS = ((90, SUBSTANDARD), (270, DOUBTFUL), (360, LOSS))
"""(days past due that must be exceeded, class) pairs."""
CONTAGION_SHARE = 0.10


def classify(dpd: np.ndarray, flagged: np.ndarray, floor: np.ndarray,
             balance: np.ndarray | None = None, borrower: np.ndarray | None = None) -> np.ndarray:
    """Class of each loan.

    dpd: days past due; flagged: a SPECIAL_MENTION trigger other than overdue
    (known change of use of funds, extension, restructuring observation);
    floor: a minimum class set by events (for example an accelerated loan);
    balance/borrower: for the 10% contagion rule across one borrower's loans.
    (sim.kernels.classes.classify does the work.)
    """
    dpd = np.asarray(dpd)
    if borrower is None or balance is None or not len(borrower):
        borrower, balance, n_borrowers = _NO_BORROWERS, np.zeros(0), 0
    else:
        n_borrowers = int(borrower.max()) + 1
    return kernels.classify(_class_rules(), dpd, np.asarray(flagged, dtype=bool),
                            np.asarray(floor).astype(np.int8, copy=False),
                            np.asarray(balance, dtype=float), borrower, n_borrowers)


_NO_BORROWERS = np.zeros(0, dtype=np.int64)
"""The borrower column when the 10% rule does not apply."""


@functools.cache
def _class_rules() -> kernels.ClassRules:
    """classify's rules: the day triggers and the borrower rule's share (constants of this
    module: built once, not at each month's reclassification)."""
    return kernels.ClassRules(
        special_mention=int(SPECIAL_MENTION), substandard=int(SUBSTANDARD),
        trigger_days=_TRIGGER_DAYS, trigger_classes=_TRIGGER_CLASSES,
        contagion_share=CONTAGION_SHARE)


_TRIGGER_DAYS = tuple(int(days) for days, _ in DAY_TRIGGERS)
_TRIGGER_CLASSES = tuple(int(c) for _, c in DAY_TRIGGERS)


def provision_rates(rates) -> np.ndarray:
    """Rate per class, from a scenario's ProvisionRates (or any object with the five keys)."""
    return np.array([getattr(rates, k) for k in CLASS_KEYS], dtype=float)


def reclassify(sim, t: int) -> None:
    """Classify the book as the bank can see it at month t, and log the changes.

    The objective class (the floor the rules set) is kept in sim.cls_objective; the
    class booked is the worse of it and the officer's judgement (sim.judgement).

    A disaster deferral is relief, not a restructuring: it does not flag the loan. A cured
    non-performing loan stays at least SUBSTANDARD until sim.upgrade_from
    (defaults.NPL_UPGRADE_MONTHS of payments on time). A loan restructured again while an
    earlier restructuring's observation period runs is at least SUBSTANDARD until the new
    observation period ends (restarted, like any, by a missed payment): the 2023 rules'
    treatment of a restructured asset that still cannot pay (BCBS's forborne exposures
    under probation that are forborne again become non-performing likewise)."""
    borrower = sim.npl_debtor if sim.npl_debtor_rule else _NO_BORROWERS
    n_borrowers = int(borrower.max()) + 1 if len(borrower) else 0
    sim.cls_objective, judged, booked, changed = kernels.reclassify(
        _class_rules(), t, ON_BOOKS, sim.status, sim.dpd, sim.known_diversion,
        sim.restructured_until, sim.restructured_again, sim.floor, sim.upgrade_from,
        sim.judgement, sim.balance, borrower, n_borrowers, sim.cls)
    # the officer's judgement (sim.judgement) raises the class above the floor, and counts
    # for the borrower rule like any other non-performing class; with one loan per
    # borrower the 10% rule cannot bite, so the borrower column is passed only when some
    # non-retail borrower has several loans (sim.engine: npl_debtor)
    sim.cls = booked if judged else sim.cls_objective
    sim.rec.log_many(t, changed, "class_change", sim.cls[changed])
