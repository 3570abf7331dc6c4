"""The loan book's month (sim.loanbook: reprice, step, default_loans), compiled."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.kernels.common import _indices, _maximum, _minimum, kernel


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
        # months on book and reset months are never negative: an unsigned remainder (numba's
        # signed one, under numpy's error model, costs several times more)
        if reset_due[i] and np.uint32(mob[i]) % np.uint32(reset_months[i]) == 0:
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
    equal_instalment: the equal-instalment loans in ascending order (np.flatnonzero's),
    annuity_factor's rows; walked alongside the book, without a map from loan to row.

    Updates undrawn, balance, disbursed, interest, repaid, misses, mob, status,
    distress_months and condition in place. Returns (arrears_interest, dpd, last_due,
    last_paid) as new columns (numpy made new ones) and the loans that (cured of
    arrears, missed a first payment, were repaid, default, cure of default), in
    ascending order. default_loans and the cures are left to the caller, in that order.

    Compiled because the numpy version is about a hundred calls a month on the book."""
    n = len(d)
    next_annuity = 0  # the place in equal_instalment (ascending) of the next such loan
    arrears_new = np.empty(n)
    dpd_new = np.empty(n, dtype=dpd.dtype)
    last_due = np.empty(n)
    last_paid = np.empty(n)
    # the loans of each list, in ascending order, and how many there are
    found = np.empty((5, n), dtype=np.int64)
    counts = np.zeros(5, dtype=np.int64)
    cured, missed, matured, new_default, cure = 0, 1, 2, 3, 4
    for i in range(n):
        row = next_annuity if (next_annuity < len(equal_instalment)
                               and equal_instalment[next_annuity] == i) else -1
        next_annuity += row >= 0
        live = status[i] <= rules.on_books
        if not live:
            # off the books (repaid, written off, sold: by the end of a run most of the
            # book) nothing is drawn, due or paid: what the lines below leave, adding the
            # same zeros (x + 0.0 turns -0.0 into 0.0)
            balance[i] += 0.0
            disbursed[i] += 0.0
            interest[i] += 0.0
            repaid[i] += 0.0
            distress_months[i] += 0.0
            last_due[i] = 0.0
            last_paid[i] = 0.0
            arrears_new[i] = arrears_interest[i] + 0.0
            dpd_new[i] = misses[i] * rules.days_per_month
            continue
        # drawdowns: staged tranches while healthy, the whole line when distressed
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
        if row >= 0:
            # a rate too small to discount ((1 + r) ** -n rounds to 1) pays level, as at 0
            gone = 1 - annuity_factor[row]
            annuity = interest_due / gone if gone > 0 else level
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
def count_again(until, after, misses, status, active, restart):
    """sim.loanbook._count_again_on_miss in one pass: the loans held (`until` past month
    `after`) that missed this month's payment and are active have `until` set to
    `restart`; returns whether any loan is held."""
    held = False
    for i in range(len(until)):
        if until[i] > after:
            held = True
            if misses[i] > 0 and status[i] == active:
                until[i] = restart
    return held


@kernel
def default_loans(t, idx, discount, defaulted_code, default_dpd, claim, lost, defaulted, status,
                  default_month, ead, ead_pv, balance, dpd, chain_hit, guarantor, shift):
    """sim.loanbook.default_loans without its sum and log: loans idx default in month t
    (status, first default month, exposure at default and its value discounted by
    `discount`, days past due at least default_dpd), and the guarantee chain feels the
    fresh ones: each one's guarantor is called to pay and loses `claim` of health (one
    claim per loan it guaranteed that fell), and the borrowers it guaranteed lose `lost`,
    once per guarantor. The lost guarantees are taken before the claims, the order
    sim.foresight._look_ahead follows. Every loan is judged before any is written, as
    numpy's fancy indexing does. Compiled: most months see a few defaults, and numpy's
    version was a dozen calls and a pass over the guarantors for them."""
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
            shift[j] -= lost
    for j in range(len(guarantor)):
        if gone[j] and guarantor[j] >= 0:  # a fresh default: its guarantor pays
            shift[guarantor[j]] -= claim
