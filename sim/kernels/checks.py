"""Checks due, done and their demand (sim.checks), compiled."""

from __future__ import annotations

import numpy as np

from sim.kernels.common import kernel


@kernel
def checks_due(t, on_books, intervals, first_on, first, routine, n_kinds, status,
               never_checked, closer_until, last_check, cls, due_since, due_kind, check_hours,
               balance):
    """sim.checks.run_due up to the queue: which first and routine checks fall due in
    month t (sim.checks.due_masks), marking the new ones in due_since and due_kind (in
    place) and dropping slipped checks of loans gone from the books. The policy's rules:
    statuses up to `on_books` are on the books; `intervals`, the routine interval in months
    per class (0: no routine checks); `first_on`, whether first checks fall due this month
    (the policy books them, and it is time); `first` and `routine`, the CheckKind codes, of
    `n_kinds`. Returns (checks newly required per kind, the queue: loans with a check
    pending, ascending, and each one's hours, -balance, -class and month due, the keys the
    queue is sorted on).

    Compiled because the numpy version is some thirty calls a month on the book. The rules
    come as plain arguments, not a NamedTuple: numba types a NamedTuple argument in Python
    at each call (about 20 us, most of the call)."""
    n = len(status)
    required = np.zeros(n_kinds, dtype=np.int64)
    pending = 0
    for i in range(n):
        on = status[i] <= on_books
        routine_due = False
        if on and not never_checked[i]:
            since = t - np.int64(last_check[i])
            if closer_until[i] >= t:  # closer monitoring: monthly
                routine_due = since >= 1
            else:
                interval = intervals[cls[i]]
                routine_due = interval > 0 and since >= interval
        first_due = first_on and on and never_checked[i]
        due = first_due or routine_due
        if due and due_since[i] < 0:
            due_since[i] = t
            due_kind[i] = first if first_due else routine
            required[due_kind[i]] += 1
        elif not due and due_since[i] >= 0 and not on:
            due_since[i] = -1
        pending += due_since[i] >= 0
    idx = np.empty(pending, dtype=np.int64)
    hours = np.empty(pending)
    neg_balance = np.empty(pending)
    neg_cls = np.empty(pending, dtype=np.int64)
    since_month = np.empty(pending, dtype=np.int64)
    k = 0
    for i in range(n):
        if due_since[i] >= 0:
            idx[k] = i
            hours[k] = check_hours[i, due_kind[i]]
            neg_balance[k] = -balance[i]
            neg_cls[k] = -cls[i]
            since_month[k] = due_since[i]
            k += 1
    return required, idx, hours, neg_balance, neg_cls, since_month


@kernel
def checks_done(t, done, due_since, due_kind, n_kinds):
    """sim.checks.run_due after the hours are shared out: the checks done (loans `done`)
    counted per kind, and those done on time (due this month); clears their due_since.
    Returns (on time per kind, done per kind). Compiled: one call for what numpy did in
    six."""
    on_time = np.zeros(n_kinds, dtype=np.int64)
    count = np.zeros(n_kinds, dtype=np.int64)
    for k in range(len(done)):
        i = done[k]
        on_time[due_kind[i]] += due_since[i] == t
        count[due_kind[i]] += 1
    for k in range(len(done)):
        due_since[done[k]] = -1
    return on_time, count


@kernel
def demand_table(t, on_books, status, never_checked, closer_until, last_check, cls, due_since,
                 check_hours, first, routine, n_classes):
    """sim.checks._demand_table with the due parts it reads (sim.checks.due_parts): the
    check hours due at month t under every policy (slipped checks and closer monitoring;
    without and with first checks), and table[class, m], the routine hours of the other
    checked loans last checked m or more months ago. Summed in loan order: valid where
    every check's hours add up exactly in any order (sim.checks._exact_hours), so the
    figures equal numpy's pairwise sums. Returns (always without first checks, always
    with them, table).

    Compiled because the strategies cost monitoring policies every month."""
    n = len(status)
    width = 1
    for i in range(n):  # the widest gap since a check among the other checked loans
        if (status[i] <= on_books and not never_checked[i] and closer_until[i] < t
                and due_since[i] < 0):
            width = max(width, t - np.int64(last_check[i]) + 1)
    flat = np.zeros((n_classes, width))
    always_without = 0.0
    always_with = 0.0
    for i in range(n):
        on = status[i] <= on_books
        pending = due_since[i] >= 0
        checked = on and not never_checked[i]
        closer = closer_until[i] >= t
        since = t - np.int64(last_check[i])
        base = (checked and closer and since >= 1) or pending
        hours = check_hours[i, routine]
        if base:
            always_without += hours
        if base or (on and never_checked[i]):
            always_with += check_hours[i, first] if on and never_checked[i] else hours
        if checked and not closer and not base:
            flat[cls[i], max(since, 0)] += hours
    table = np.empty((n_classes, width))
    for c in range(n_classes):
        acc = 0.0
        for m in range(width - 1, -1, -1):  # [c, m]: since >= m
            acc += flat[c, m]
            table[c, m] = acc
    return always_without, always_with, table


@kernel
def record_checks(t, idx, value_cny, appraisal_factor, last_check, never_checked, due_since,
                  appraised, appraisal_month):
    """sim.checks.do_checks's bookkeeping for the loans checked (idx) in month t: checked
    now, nothing due, and the security appraised at its true value times
    appraisal_factor (a rushed check overvalues it). Compiled: one call for five fancy
    assignments."""
    for k in range(len(idx)):
        i = idx[k]
        last_check[i] = t
        never_checked[i] = False
        due_since[i] = -1
        appraised[i] = value_cny[k] * appraisal_factor
        appraisal_month[i] = t


@kernel
def up_to_policy(t, on_books, status, never_checked, last_check, cls, intervals, first_on):
    """The bank's monitoring policy against the book after month t's checks: (loans it
    holds to a check, those whose check is up to date). A loan on the books is held to
    its class's routine interval once checked (0: no routine check), or to its first
    check once that is due (first_on); it is up to date when checked within the interval
    (a check due this month and not done is late). Closer monitoring asks more than the
    policy, so it does not enter."""
    held = 0
    current = 0
    for i in range(len(status)):
        if status[i] > on_books:
            continue
        if never_checked[i]:
            if first_on:
                held += 1  # its first check is due or past due, and not done
            continue
        interval = intervals[cls[i]]
        if interval <= 0:
            continue
        held += 1
        if t - np.int64(last_check[i]) < interval:
            current += 1
    return held, current


@kernel
def routine_load(t, on_books, status, closer_until, cls, intervals, check_hours, routine):
    """The terms of sim.checks.policy_load: each on-book loan's routine check hours over
    its class's interval in months (`intervals`, 0: no routine checks; monthly under
    closer monitoring), in loan order, for numpy to sum (so the sum is numpy's pairwise
    one, to the last bit). Compiled: one pass for what numpy did in six calls."""
    count = 0
    for i in range(len(status)):
        count += status[i] <= on_books
    out = np.empty(count)
    k = 0
    for i in range(len(status)):
        if status[i] > on_books:
            continue
        if closer_until[i] >= t:
            per_loan = 1.0
        else:
            interval = intervals[cls[i]]
            per_loan = 1.0 / np.float64(interval) if interval > 0 else 0.0
        out[k] = check_hours[i, routine] * per_loan
        k += 1
    return out
