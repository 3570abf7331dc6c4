"""Five-category loan classification (五级分类) by the 2023 rules, and provisions.

Objective triggers (商业银行金融资产风险分类办法, 2023): any amount overdue, an
unapproved change in the use of funds, or a restructuring puts a loan at least
in SPECIAL_MENTION (关注); more than 90 days overdue SUBSTANDARD (次级), more
than 270 DOUBTFUL (可疑), more than 360 LOSS (损失). If more than 10% of a
borrower's claims are non-performing, all its claims are non-performing.
"""

from __future__ import annotations

import numpy as np

from sim.codes import CLASS_KEYS, ON_BOOKS, LoanClass

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
    """
    sub = int(SUBSTANDARD)  # plain ints for numpy (an IntEnum member is slow to compare with)
    cls = np.zeros(dpd.shape, dtype=np.int8)
    cls[(dpd > 0) | flagged] = SPECIAL_MENTION
    for days, c in DAY_TRIGGERS:
        cls[dpd > days] = c
    np.maximum(cls, floor.astype(np.int8), out=cls)
    if borrower is not None and balance is not None and len(borrower):
        n = int(borrower.max()) + 1
        total = np.bincount(borrower, weights=balance, minlength=n)
        npl = np.bincount(borrower, weights=np.where(cls >= sub, balance, 0.0), minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, npl / total, 0.0)
        infected = share[borrower] > CONTAGION_SHARE
        cls[infected & (cls < sub)] = sub
    return cls


def provision_rates(rates) -> np.ndarray:
    """Rate per class, from a scenario's ProvisionRates (or any object with the five keys)."""
    return np.array([getattr(rates, k) for k in CLASS_KEYS], dtype=float)


def reclassify(sim, t: int) -> None:
    """Classify the book as the bank can see it at month t, and log the changes.

    The objective class (the floor the rules set) is kept in sim.cls_objective; the
    class booked is the worse of it and the officer's judgement (sim.judgement).

    A disaster deferral is relief, not a restructuring: it does not flag the loan."""
    flagged = sim.known_diversion | (sim.restructured_until >= t)
    old = sim.cls
    on_books = sim.status <= ON_BOOKS
    # with one loan per borrower the 10% rule cannot bite, so the borrower array is
    # passed only when some borrower has several loans
    borrower = sim.borrower_of_loan if sim.multi_loan else None
    sim.cls_objective = classify(sim.dpd, flagged & on_books, sim.floor, sim.balance, borrower)
    sim.cls = sim.cls_objective
    judged = np.where(on_books, sim.judgement, 0).astype(np.int8)
    if judged.any():
        # the officer's judgement (sim.judgement) raises the class above the floor, and
        # counts for the borrower rule like any other non-performing class
        sim.cls = classify(sim.dpd, flagged & on_books, np.maximum(sim.floor, judged),
                           sim.balance, borrower)
    changed = np.flatnonzero((sim.cls != old) & on_books)
    sim.rec.log_many(t, changed, "class_change", sim.cls[changed])
