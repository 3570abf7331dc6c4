"""Classification (sim.classification.classify and reclassify), compiled."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.kernels.common import kernel


class ClassRules(NamedTuple):
    """Parameters of sim.classification.classify."""

    special_mention: int
    substandard: int
    # days past due that must be exceeded, ascending, and the class each gives: tuples, so
    # that the compiled loop over them is unrolled and the loop over loans vectorises
    trigger_days: tuple[int, ...]
    trigger_classes: tuple[int, ...]
    contagion_share: float  # a borrower's non-performing share above this infects it



@kernel
def _day_class(rules, dpd, flagged, floor):
    """One loan's class before the borrower rule: SPECIAL_MENTION when overdue or flagged,
    the day triggers, and at least `floor`."""
    c = rules.special_mention if (dpd > 0) | flagged else 0
    for k in range(len(rules.trigger_days)):  # without branches (the caller's loop vectorises)
        c = rules.trigger_classes[k] if dpd > rules.trigger_days[k] else c
    return max(c, floor)


@kernel
def _borrower_rule(rules, cls, balance, borrower, n_borrowers):
    """The 10% rule on cls in place: a borrower (n_borrowers of them, borrower[i] loan i's)
    whose non-performing share of balance is above contagion_share has all its loans at
    least SUBSTANDARD. The balances are added per borrower in loan order, as np.bincount
    adds them."""
    n = len(cls)
    total = np.zeros(n_borrowers)
    npl = np.zeros(n_borrowers)
    for i in range(n):
        total[borrower[i]] += balance[i]
        npl[borrower[i]] += balance[i] if cls[i] >= rules.substandard else 0.0
    for i in range(n):
        b = borrower[i]
        share = npl[b] / total[b] if total[b] > 0 else 0.0
        if share > rules.contagion_share and cls[i] < rules.substandard:
            cls[i] = rules.substandard


@kernel
def classify(rules, dpd, flagged, floor, balance, borrower, n_borrowers):
    """sim.classification.classify: the day triggers, the floor, and (when borrower has
    loans, n_borrowers borrowers) the 10% rule across one borrower's loans.

    Compiled because numpy makes several passes over the book per trigger."""
    n = len(dpd)
    cls = np.empty(n, dtype=np.int8)
    for i in range(n):
        cls[i] = _day_class(rules, dpd[i], flagged[i], floor[i])
    if len(borrower):
        _borrower_rule(rules, cls, balance, borrower, n_borrowers)
    return cls


@kernel
def reclassify(rules, t, on_books_status, status, dpd, known_diversion, restructured_until,
               restructured_again, floor, upgrade_from, judgement, balance, borrower,
               n_borrowers, old):
    """sim.classification.reclassify: the objective class, the booked class (the worse of
    it and the officer's judgement, counted for the borrower rule) and the loans on the
    books whose booked class changed from `old`. Returns (objective, whether a judgement
    stands, booked, changed); without a judgement the caller books the objective array
    itself, as the numpy version did. A cured non-performing loan before `upgrade_from`
    keeps the floor SUBSTANDARD (the upgrade rule), and so does a loan restructured again
    during an observation period, until its new observation period ends.

    Compiled: every month, both classifications in one pass over the book (before the
    borrower rule the booked class is the objective one raised to the judgement: the
    floor's maximum with it, taken after the triggers), the changes in a second."""
    n = len(dpd)
    objective = np.empty(n, dtype=np.int8)
    booked = np.empty(n, dtype=np.int8)
    judged = False
    for i in range(n):  # without branches: the loop vectorises
        on = status[i] <= on_books_status
        observed = restructured_until[i] >= t
        flagged = (known_diversion[i] | observed) & on
        npl_floor = ((upgrade_from[i] > t) | (restructured_again[i] & observed)) & on
        held = max(floor[i], rules.substandard) if npl_floor else floor[i]
        objective[i] = _day_class(rules, dpd[i], flagged, held)
        j = judgement[i] if on else 0
        judged |= j != 0
        booked[i] = max(objective[i], j)
    if len(borrower):
        _borrower_rule(rules, objective, balance, borrower, n_borrowers)
    if not judged:
        booked = objective
    elif len(borrower):
        _borrower_rule(rules, booked, balance, borrower, n_borrowers)
    changed = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        changed[count] = i
        count += booked[i] != old[i] and status[i] <= on_books_status
    return objective, judged, booked, changed[:count].copy()


@kernel
def balance_by_class(status, balance, cls, on_books: int, n_classes: int):
    """The balance on the books (0.0 off them) and its sum by loan class, as np.where and
    np.bincount with weights give them (bincount adds in index order, as this loop does);
    sim.recorder.record_metrics sums the balance itself in numpy (pairwise)."""
    n = len(status)
    bal = np.empty(n)
    by_cls = np.zeros(max(n_classes, cls.max() + 1 if n else 0))
    for i in range(n):
        b = balance[i] if status[i] <= on_books else 0.0
        bal[i] = b
        by_cls[cls[i]] += b
    return bal, by_cls
