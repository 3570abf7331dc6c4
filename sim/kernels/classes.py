"""Classification (sim.classification.classify and reclassify), compiled."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.kernels.common import _indices, kernel


class ClassRules(NamedTuple):
    """Parameters of sim.classification.classify."""

    special_mention: int
    substandard: int
    trigger_days: np.ndarray  # days past due that must be exceeded, ascending
    trigger_classes: np.ndarray  # the class each of trigger_days gives
    contagion_share: float  # a borrower's non-performing share above this infects it



@kernel
def classify(rules, dpd, flagged, floor, balance, borrower, n_borrowers):
    """sim.classification.classify: the day triggers, the floor, and (when borrower has
    loans, n_borrowers borrowers) the 10% rule across one borrower's loans. The balances
    are added per borrower in loan order, as np.bincount adds them.

    Compiled because numpy makes several passes over the book per trigger."""
    n = len(dpd)
    cls = np.empty(n, dtype=np.int8)
    for i in range(n):
        c = rules.special_mention if dpd[i] > 0 or flagged[i] else 0
        for k in range(len(rules.trigger_days)):
            if dpd[i] > rules.trigger_days[k]:
                c = rules.trigger_classes[k]
        cls[i] = max(c, floor[i])
    if len(borrower):
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
    return cls


@kernel
def reclassify(rules, t, on_books_status, status, dpd, known_diversion, restructured_until,
               restructured_again, floor, upgrade_from, judgement, balance, borrower,
               n_borrowers, old):
    """sim.classification.reclassify: the objective class, the booked class (the worse of
    it and the officer's judgement, counted for the borrower rule) and the loans on the
    books whose booked class changed from `old`. Returns (objective, whether a judgement
    stands, booked, changed); without a judgement the caller books the objective array
    itself, as the numpy version did. Compiled: every month, two classifications and
    the changes in one call. A cured non-performing loan before `upgrade_from` keeps the
    floor SUBSTANDARD (the upgrade rule), and so does a loan restructured again during an
    observation period, until its new observation period ends."""
    n = len(dpd)
    flagged = np.empty(n, dtype=np.bool_)
    on = np.empty(n, dtype=np.bool_)
    raised = np.empty(n, dtype=np.int8)
    held = np.empty(n, dtype=np.int8)
    judged = False
    for i in range(n):
        on[i] = status[i] <= on_books_status
        flagged[i] = (known_diversion[i] or restructured_until[i] >= t) and on[i]
        npl_floor = upgrade_from[i] > t or (restructured_again[i]
                                            and restructured_until[i] >= t)
        held[i] = max(floor[i], rules.substandard) if npl_floor and on[i] else floor[i]
        j = judgement[i] if on[i] else 0
        judged = judged or j != 0
        raised[i] = max(held[i], j)
    objective = classify(rules, dpd, flagged, held, balance, borrower, n_borrowers)
    booked = classify(rules, dpd, flagged, raised, balance, borrower, n_borrowers) \
        if judged else objective
    changed = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        changed[i] = booked[i] != old[i] and on[i]
    return objective, judged, booked, _indices(changed)


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
