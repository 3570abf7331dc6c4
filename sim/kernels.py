"""The compiled monthly core: the tick's and the signals' loops over the book, in numba.

At 2,000 loans a month of numpy is mostly per-call overhead: a few hundred small calls
on 2,000-element arrays, each costing more to dispatch than its arithmetic (issue 13,
"Speed"). Each kernel here does one Python step of the engine in one pass over the
loans: sim.credit.step_health; sim.loanbook.reprice, step and default_loans;
sim.classification.classify and reclassify; sim.signals.offsite_sightings (with the
latent warnings), onsite_sightings and recent_alerts; sim.checks.run_due, do_checks and
a policy's check demand. Those steps gather the arrays, call one kernel and keep what
must stay in Python: the event log (sim.recorder), sums, the random draws, the barrier
and the annuity factor.

Every kernel gives numpy's result to the last bit, so a run is the same run:
- elementwise arithmetic in numpy's order of operations, without fastmath (no
  reassociation, no fused multiply-add);
- no float reductions: numpy sums pairwise, a loop sums in order, so sums stay in numpy
  (np.bincount with weights adds in index order, as a loop does);
- no transcendental functions (exp, pow, ndtr): numpy's SIMD versions differ from the
  C library's in the last bit, so those are computed in numpy and passed in.
tests/test_kernels.py checks each kernel against the numpy it replaces.

Kernels are functions of arrays alone (no Simulation inside; they update the columns
they are given in place, as the numpy did): model parameters come in as arguments (the
NamedTuples below, filled from sim.defaults by the callers), never from a module here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.compiled import compiled


def kernel(fn):
    """sim.compiled.compiled (cached on disk where a cache can be written) with numpy's
    error model: a division by zero gives inf or nan, as numpy's does, rather than
    raising. The first run on a machine compiles (seconds); later processes load the
    cache."""
    return compiled(fn, error_model="numpy")


class HealthRules(NamedTuple):
    """Parameters of sim.credit.step_health."""

    phi: float  # idiosyncratic AR(1) coefficient per month
    scale: float  # sqrt(1 - phi^2), as sim.credit.factor_step works it out
    burden_per_rate: float  # health change per unit of rate rise (negative: a burden)
    divert_onset_health: float  # a diverter starts below this health
    divert_drain: float  # health a diverting borrower loses each month


class BookRules(NamedTuple):
    """Parameters of sim.loanbook.step, and the status codes it moves loans between."""

    active: int
    defaulted: int
    closed: int
    on_books: int  # statuses up to this one are on the books
    substandard: int  # the class from which a defaulted loan cannot cure on its own
    months_per_year: float  # an annual rate over this is the monthly rate
    draw_months: float  # a staged loan draws its line over this many months
    drawdown_health: float  # a borrower below this health draws its whole line
    paid_off_cny: float  # a balance up to this counts as repaid
    days_per_month: int
    misses_to_default: int
    collection_cure: float  # monthly chance a defaulted loan under collection cures
    self_cure: float  # the same without collection
    cure_health: float  # a defaulted borrower cures only above this health
    condition_kept: float  # share of collateral condition a month of distress leaves


class ClassRules(NamedTuple):
    """Parameters of sim.classification.classify."""

    special_mention: int
    substandard: int
    trigger_days: np.ndarray  # days past due that must be exceeded, ascending
    trigger_classes: np.ndarray  # the class each of trigger_days gives
    contagion_share: float  # a borrower's non-performing share above this infects it


@kernel
def _maximum(a, b):
    """np.maximum on two numbers (NaN propagates)."""
    if a != a or a >= b:
        return a
    return b


@kernel
def _minimum(a, b):
    """np.minimum on two numbers (NaN propagates)."""
    if a != a or a <= b:
        return a
    return b


@kernel
def _indices(mask):
    """np.flatnonzero(mask) (a loop: numba compiles np.flatnonzero slowly)."""
    count = 0
    for i in range(len(mask)):
        count += mask[i]
    out = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(len(mask)):
        if mask[i]:
            out[k] = i
            k += 1
    return out


# --- sim.credit.step_health -----------------------------------------------------------
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


# --- sim.loanbook.step ----------------------------------------------------------------
@kernel
def reprice(reset_due, mob, reset_months, base_5y, spread, rate0, lpr_1y, lpr_5y,
            start_1y, start_5y, rate):
    """sim.loanbook.reprice after an LPR change: each loan due a reset that is at one of
    its reset months takes the new LPR plus its spread and keeps the concession it had
    from the starting LPR (never below 0). Updates rate and reset_due in place; returns
    the loans whose rate moved. Compiled: the numpy version is a dozen passes for the
    few loans at a reset."""
    n = len(rate)
    moved = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if reset_due[i] and mob[i] % reset_months[i] == 0:
            new = (lpr_5y if base_5y[i] else lpr_1y) + spread[i]
            concession = rate0[i] - ((start_5y if base_5y[i] else start_1y) + spread[i])
            old = rate[i]
            rate[i] = _maximum(0.0, new + concession)
            moved[i] = old != rate[i]
            reset_due[i] = False
    return _indices(moved)


@kernel
def annuity_inputs(rate, term, mob, equal_instalment, months_per_year):
    """(1 + r, -remaining months) of the equal-instalment loans (r: the monthly rate), for
    the annuity factor (1 + r) ** -remaining that sim.loanbook.step works out in numpy
    (a power). Compiled to gather both in one pass."""
    m = len(equal_instalment)
    base = np.empty(m)
    power = np.empty(m)
    for k in range(m):
        i = equal_instalment[k]
        base[k] = 1 + rate[i] / months_per_year
        power[k] = -max(term[i] - mob[i], 1)
    return base, power


@kernel
def book_step(rules, t, d, status, frozen, defaulted, staged, undrawn, undrawn0, balance,
              disbursed, rate, term, mob, equal_principal, equal_instalment, annuity_factor,
              deferral_until, arrears_interest, interest, repaid, misses, dpd,
              lawsuit_month, u_cure, floor, preserved, distress_months, condition):
    """sim.loanbook.step for health d, all but the Python bookkeeping: drawdowns,
    scheduled payments (annuity_factor: (1 + r) ** -remaining of each equal-instalment
    loan), misses and arrears, repayment at maturity, days past due, and the distress
    lines; and which loans default this month and which defaulted loans cure.

    Updates undrawn, balance, disbursed, interest, repaid, misses, mob, status,
    distress_months and condition in place. Returns (arrears_interest, dpd, last_due,
    last_paid) as new columns (numpy made new ones) and the loans that (cured of
    arrears, missed a first payment, were repaid, default, cure of default), in
    ascending order. default_loans and the cures are left to the caller, in that order.

    Compiled because the numpy version is about a hundred calls a month on the book."""
    n = len(d)
    annuity_at = np.full(n, -1, dtype=np.int64)  # each loan's place in equal_instalment
    for k in range(len(equal_instalment)):
        annuity_at[equal_instalment[k]] = k
    arrears_new = np.empty(n)
    dpd_new = np.empty(n, dtype=dpd.dtype)
    last_due = np.empty(n)
    last_paid = np.empty(n)
    # the loans of each list, in ascending order, and how many there are
    found = np.empty((5, n), dtype=np.int64)
    counts = np.zeros(5, dtype=np.int64)
    cured, missed, matured, new_default, cure = 0, 1, 2, 3, 4
    for i in range(n):
        # drawdowns: staged tranches while healthy, the whole line when distressed
        live = status[i] <= rules.on_books
        can_draw = live and not frozen[i] and undrawn[i] > 0 and not defaulted[i]
        tranche = undrawn0[i] / rules.draw_months if staged[i] and d[i] > 0 else 0.0
        if d[i] < rules.drawdown_health:
            tranche = undrawn[i]
        draw = _minimum(tranche, undrawn[i]) if can_draw else 0.0
        undrawn[i] -= draw
        balance[i] += draw
        disbursed[i] += draw
        # the schedule: interest, and the principal by repayment type
        r = rate[i] / rules.months_per_year
        remaining = max(term[i] - mob[i], 1)
        interest_due = balance[i] * r
        level = balance[i] / remaining
        if annuity_at[i] >= 0:
            annuity = interest_due / (1 - annuity_factor[annuity_at[i]]) if r > 0 else level
            principal = annuity - interest_due
        elif equal_principal[i]:
            principal = level
        else:
            principal = balance[i] if remaining <= 1 else 0.0
        principal = _minimum(_maximum(principal, 0.0), balance[i])
        # payments: a borrower with health below zero misses; the rest pay, with arrears
        performing = status[i] == rules.active and not defaulted[i]
        deferred = deferral_until[i] >= t
        due = performing and not deferred and balance[i] > 0
        miss = due and d[i] < 0
        pay = due and not miss
        paid_principal = principal if pay else 0.0
        scheduled = principal + interest_due
        last_due[i] = scheduled if due else 0.0
        last_paid[i] = scheduled + arrears_interest[i] if pay else 0.0
        if pay and misses[i] > 0:
            found[cured, counts[cured]] = i
            counts[cured] += 1
        interest[i] += interest_due + arrears_interest[i] if pay else 0.0
        arrears_new[i] = 0.0 if pay else arrears_interest[i] + (interest_due if miss else 0.0)
        balance[i] -= paid_principal
        repaid[i] += paid_principal
        arrears_new[i] += interest_due if deferred and performing else 0.0
        misses[i] += miss
        if pay:
            misses[i] = 0
        if miss and misses[i] == 1:
            found[missed, counts[missed]] = i
            counts[missed] += 1
        mob[i] += performing
        if performing and balance[i] <= rules.paid_off_cny and (
                undrawn[i] <= rules.paid_off_cny or mob[i] >= term[i]):
            found[matured, counts[matured]] = i
            counts[matured] += 1
            balance[i] = 0.0
            undrawn[i] = 0.0
            status[i] = rules.closed
        # days past due, and default at misses_to_default consecutive misses
        if defaulted[i] and status[i] == rules.defaulted:
            dpd_new[i] = dpd[i] + rules.days_per_month
        else:
            dpd_new[i] = misses[i] * rules.days_per_month
        defaults_now = (not defaulted[i] and status[i] == rules.active
                        and misses[i] >= rules.misses_to_default)
        if defaults_now:
            found[new_default, counts[new_default]] = i
            counts[new_default] += 1
        # a defaulted loan's rare cure (collection helps), on the status after this
        # month's defaults
        if status[i] == rules.defaulted or defaults_now:
            chance = rules.collection_cure if lawsuit_month[i] >= 0 else rules.self_cure
            if (u_cure[i] < chance and d[i] > rules.cure_health
                    and floor[i] < rules.substandard):
                found[cure, counts[cure]] = i
                counts[cure] += 1
        # distress wears down free assets and collateral
        distressed = live and d[i] < 0
        distress_months[i] += 1.0 if distressed and not preserved[i] else 0.0
        if distressed:
            condition[i] *= rules.condition_kept
    return (arrears_new, dpd_new, last_due, last_paid, found[cured, :counts[cured]].copy(),
            found[missed, :counts[missed]].copy(), found[matured, :counts[matured]].copy(),
            found[new_default, :counts[new_default]].copy(), found[cure, :counts[cure]].copy())


@kernel
def default_loans(t, idx, discount, defaulted_code, default_dpd, contagion, defaulted, status,
                  default_month, ead, ead_pv, balance, dpd, chain_hit, guarantor, shift):
    """sim.loanbook.default_loans without its sum and log: loans idx default in month t
    (status, first default month, exposure at default and its value discounted by
    `discount`, days past due at least default_dpd), and the borrowers they guaranteed
    lose `contagion` of health, once per guarantor. Every loan is judged before any is
    written, as numpy's fancy indexing does. Compiled: most months see a few defaults,
    and numpy's version was a dozen calls and a pass over the guarantors for them."""
    m = len(idx)
    first = np.empty(m, dtype=np.bool_)
    fresh = np.empty(m, dtype=np.bool_)
    pv = np.empty(m)
    for k in range(m):
        i = idx[k]
        first[k] = default_month[i] < 0
        fresh[k] = not chain_hit[i]
        pv[k] = ead_pv[i] + balance[i] * discount
    gone = np.zeros(len(balance) + 1, dtype=np.bool_)  # the last place: no guarantor (-1)
    for k in range(m):
        i = idx[k]
        defaulted[i] = True
        status[i] = defaulted_code
        if first[k]:
            default_month[i] = t
        ead[i] = balance[i]
        ead_pv[i] = pv[k]
        dpd[i] = max(dpd[i], default_dpd)
        if fresh[k]:
            chain_hit[i] = True
            gone[i] = True
    for j in range(len(guarantor)):
        if gone[guarantor[j]]:  # its guarantor is among the fresh defaults
            shift[j] -= contagion


# --- sim.classification.classify ------------------------------------------------------
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
               floor, judgement, balance, borrower, n_borrowers, old):
    """sim.classification.reclassify: the objective class, the booked class (the worse of
    it and the officer's judgement, counted for the borrower rule) and the loans on the
    books whose booked class changed from `old`. Returns (objective, whether a judgement
    stands, booked, changed); without a judgement the caller books the objective array
    itself, as the numpy version did. Compiled: every month, two classifications and
    the changes in one call."""
    n = len(dpd)
    flagged = np.empty(n, dtype=np.bool_)
    on = np.empty(n, dtype=np.bool_)
    raised = np.empty(n, dtype=np.int8)
    judged = False
    for i in range(n):
        on[i] = status[i] <= on_books_status
        flagged[i] = (known_diversion[i] or restructured_until[i] >= t) and on[i]
        j = judgement[i] if on[i] else 0
        judged = judged or j != 0
        raised[i] = max(floor[i], j)
    objective = classify(rules, dpd, flagged, floor, balance, borrower, n_borrowers)
    booked = classify(rules, dpd, flagged, raised, balance, borrower, n_borrowers) \
        if judged else objective
    changed = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        changed[i] = booked[i] != old[i] and on[i]
    return objective, judged, booked, _indices(changed)


# --- sim.signals ----------------------------------------------------------------------
@kernel
def _health_conditions(cond, is_health, hist_rows, lines, d_hist, loans):
    """Rows of cond for health-driven signals: the lagged health (d_hist[hist_rows[r]])
    below the signal's line, for loans `loans` (one column each)."""
    for r in range(cond.shape[0]):
        if is_health[r]:
            h = hist_rows[r]
            for k in range(len(loans)):
                cond[r, k] = d_hist[h, loans[k]] < lines[r]


@kernel
def month_sightings(t, cond, is_health, hist_rows, lines, d_hist, on, bypass_row, diverting,
                    u, js, keep, fp, warn, last_seen, first_warning, first_warning_signal,
                    warnings):
    """sim.signals.offsite_sightings over the book: fills the health rows of cond (the
    other rows come filled by sim.signals.condition), keeps conditions to loans on the
    books (collection_bypass, row bypass_row, also holds for a diverting borrower), and
    sees each signal below its keep rate when the condition holds, below its
    false-positive rate when not (draw u[loan, js[row]]). Writes last_seen, and with
    `warnings` each loan's first warning (the first `warn` row seen). Returns (seen,
    loans, signals) in the order sim.recorder logs them: by signal, then by loan.

    Compiled because numpy makes a dozen passes over a (signals, loans) matrix."""
    k, n = cond.shape
    draws = np.empty((k, n))  # the signals' columns of u, one row each: read once
    for i in range(n):
        for r in range(k):
            draws[r, i] = u[i, js[r]]
    seen = np.empty((k, n), dtype=np.bool_)
    count = 0
    for r in range(k):  # row by row, without branches: the loops vectorise
        keep_r, fp_r, line = keep[r], fp[r], lines[r]
        lagged, cond_r, seen_r, draws_r = d_hist[hist_rows[r]], cond[r], seen[r], draws[r]
        if is_health[r]:
            for i in range(n):
                cond_r[i] = lagged[i] < line
        if r == bypass_row:
            for i in range(n):
                cond_r[i] = cond_r[i] | diverting[i]
        for i in range(n):
            c = cond_r[i] & on[i]
            cond_r[i] = c
            s = ((c & (draws_r[i] < keep_r)) | ((not c) & (draws_r[i] < fp_r))) & on[i]
            seen_r[i] = s
            count += s
    loans = np.empty(count, dtype=np.int64)
    signals = np.empty(count, dtype=np.int64)
    at = 0
    for r in range(k):  # by signal, then by loan
        seen_r, j = seen[r], js[r]
        for i in range(n):
            if seen_r[i]:
                loans[at] = i
                signals[at] = j
                last_seen[i, j] = t
                at += 1
    if warnings and count:
        _first_warnings(t, seen, js, warn, np.arange(n), first_warning, first_warning_signal)
    return seen, loans, signals


@kernel
def _first_warnings(t, hit, js, rows, loans, first_warning, first_warning_signal):
    """Each loan in `loans` (column k of hit) without a warning yet takes its first:
    the first row r (with rows[r]) that holds. All loans are judged before any is
    written, as numpy's fancy indexing does (the last of a repeated loan wins)."""
    m = len(loans)
    first = np.full(m, -1, dtype=np.int64)
    for k in range(m):
        if first_warning[loans[k]] < 0:
            for r in range(hit.shape[0]):
                if rows[r] and hit[r, k]:
                    first[k] = r
                    break
    for k in range(m):
        if first[k] >= 0:
            first_warning[loans[k]] = t
            first_warning_signal[loans[k]] = js[first[k]]


@kernel
def latent_conditions(t, cond, is_health, hist_rows, lines, d_hist, on, js, first_warning,
                      first_warning_signal):
    """sim.signals._latent: the hidden conditions a check would show (cond's health rows
    filled here, the others by sim.signals.condition), kept to loans on the books; the
    first warnings they make. Returns (row_ends, loans): the loans of row r, ascending,
    are loans[row_ends[r - 1]:row_ends[r]]. Compiled for the same reason as
    month_sightings."""
    k, n = cond.shape
    _health_conditions(cond, is_health, hist_rows, lines, d_hist, np.arange(n))
    count = 0
    for r in range(k):
        for i in range(n):
            cond[r, i] = cond[r, i] and on[i]
            count += cond[r, i]
    loans = np.empty(count, dtype=np.int64)
    row_ends = np.empty(k, dtype=np.int64)
    at = 0
    for r in range(k):
        for i in range(n):
            if cond[r, i]:
                loans[at] = i
                at += 1
        row_ends[r] = at
    if count:
        _first_warnings(t, cond, js, np.ones(k, dtype=np.bool_), np.arange(n), first_warning,
                        first_warning_signal)
    return row_ends, loans


@kernel
def check_sightings(t, idx, cond, is_health, hist_rows, lines, d_hist, u, js, keep, fp,
                    detect, last_seen, first_warning, first_warning_signal, warnings,
                    diverting, known_diversion, u_diversion, diversion_line):
    """sim.signals.onsite_sightings on the loans a check visits (idx): fills the health
    rows of cond (one column per visited loan; the other rows come filled), sees each
    signal as the off-site pass does with the keep rate scaled by `detect`, writes
    last_seen and first warnings, and finds diversion below diversion_line in column
    u_diversion of the draws. Returns (loans, signals): by signal, then in idx's order.

    Compiled because a check's numpy pass costs a dozen calls for a few loans."""
    k, m = cond.shape
    _health_conditions(cond, is_health, hist_rows, lines, d_hist, idx)
    seen = np.empty((k, m), dtype=np.bool_)
    count = 0
    for r in range(k):
        line = keep[r] * detect
        for c in range(m):
            draw = u[idx[c], js[r]]
            seen[r, c] = (draw < line) if cond[r, c] else (draw < fp[r])
            count += seen[r, c]
    loans = np.empty(count, dtype=np.int64)
    signals = np.empty(count, dtype=np.int64)
    at = 0
    for r in range(k):
        for c in range(m):
            if seen[r, c]:
                loans[at] = idx[c]
                signals[at] = js[r]
                last_seen[idx[c], js[r]] = t
                at += 1
    if warnings and count:
        _first_warnings(t, seen, js, np.ones(k, dtype=np.bool_), idx, first_warning,
                        first_warning_signal)
    for c in range(m):
        i = idx[c]
        if diverting[i] and u[i, u_diversion] < diversion_line:
            known_diversion[i] = True
    return loans, signals


@kernel
def recent_alerts(last_seen, after, weights):
    """sim.signals.recent_alerts: per loan (row of last_seen), the number of signals with
    weight 1 seen after month `after`. Compiled because the strategies ask for it several
    times a month and numpy's version is a matrix product on a temporary."""
    n, k = last_seen.shape
    out = np.zeros(n, dtype=np.int64)
    for i in range(n):
        count = 0
        for j in range(k):
            count += (weights[j] != 0) & (last_seen[i, j] > after)
        out[i] = count
    return out


# --- sim.checks.run_due ---------------------------------------------------------------
class DueRules(NamedTuple):
    """What sim.checks.run_due asks of a monitoring policy in a month, and the codes."""

    on_books: int  # statuses up to this one are on the books
    intervals: np.ndarray  # routine interval in months per class (0: no routine checks)
    first_on: bool  # first checks fall due this month (the policy books them, and it is time)
    first: int  # CheckKind.FIRST
    routine: int  # CheckKind.ROUTINE
    n_kinds: int  # number of CheckKinds


@kernel
def checks_due(rules, t, status, never_checked, closer_until, last_check, cls, due_since,
               due_kind, check_hours, balance):
    """sim.checks.run_due up to the queue: which first and routine checks fall due in
    month t (sim.checks.due_masks), marking the new ones in due_since and due_kind (in
    place) and dropping slipped checks of loans gone from the books. Returns (checks
    newly required per kind, the queue: loans with a check pending, ascending, and each
    one's hours, -balance, -class and month due, the keys the queue is sorted on).

    Compiled because the numpy version is some thirty calls a month on the book."""
    n = len(status)
    required = np.zeros(rules.n_kinds, dtype=np.int64)
    pending = 0
    for i in range(n):
        on = status[i] <= rules.on_books
        routine_due = False
        if on and not never_checked[i]:
            since = t - np.int64(last_check[i])
            if closer_until[i] >= t:  # closer monitoring: monthly
                routine_due = since >= 1
            else:
                interval = rules.intervals[cls[i]]
                routine_due = interval > 0 and since >= interval
        first_due = rules.first_on and on and never_checked[i]
        due = first_due or routine_due
        if due and due_since[i] < 0:
            due_since[i] = t
            due_kind[i] = rules.first if first_due else rules.routine
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
