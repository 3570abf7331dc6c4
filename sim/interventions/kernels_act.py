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

from sim import defaults
from sim.codes import LoanClass, LoanStatus
from sim.compiled import compiled
from sim.kernels.common import _maximum, _minimum
from sim.loanbook import _EQUAL_INSTALMENT, _EQUAL_PRINCIPAL

EQUAL_INSTALMENT = _EQUAL_INSTALMENT  # module globals numba takes as constants
EQUAL_PRINCIPAL = _EQUAL_PRINCIPAL
ACTIVE, DEFAULTED = LoanStatus.ACTIVE.value, LoanStatus.DEFAULTED.value
WRITTEN_OFF = LoanStatus.WRITTEN_OFF.value
SPECIAL_MENTION = LoanClass.SPECIAL_MENTION.value
MONTHS_PER_YEAR = float(defaults.MONTHS_PER_YEAR)  # a monthly rate: the annual one over this
BURDEN_HORIZON_MONTHS = 12
"""The window the burden averages over: sim.loanbook.payment_burden_one's default."""


@compiled
def burden_one(balance: float, rate_annual: float, remaining: float, repayment: int,
               horizon_months: int) -> float:
    """sim.loanbook.payment_burden_one, compiled: the same branches and operations."""
    r = rate_annual / MONTHS_PER_YEAR
    n = max(float(remaining), 1.0)
    if repayment == EQUAL_INSTALMENT:
        gone = 1 - (1 + r) ** (-n)  # 0 at a rate too small to discount: a level payment
        if gone > 0:
            return balance * r / gone
        return balance / n
    if repayment == EQUAL_PRINCIPAL:
        return balance / n + balance * r
    bullet_share = 1.0 / min(n, float(horizon_months)) if n <= horizon_months else 0.0
    return balance * r + balance * bullet_share


@compiled
def _stretched(rate: float, remaining: float, longest: float, rate_concession: float,
               term_stretch: float, term_add_months: float) -> tuple[float, float]:
    """A restructuring's new rate and remaining term, as sim.interventions.effects.payment_cut
    works them out (the term as a float): stretched, but not past `longest`, the months to
    the latest maturity the extension limit allows (sim.loanbook.longest_remaining)."""
    return max(0.0, rate - rate_concession), \
        min(np.ceil(remaining * term_stretch) + term_add_months, longest)


@compiled
def cut_power_inputs(idx, rate, remaining, longest, rate_concession: float,
                     term_stretch: float, term_add_months: float):
    """(1 + monthly rate, minus the months) of loans idx before (first half) and after a
    restructuring (second half): what sim.loanbook.payment_burden raises to a power. The
    power itself is left to numpy, as there (its vectorised power may round the last bit
    unlike `pow`)."""
    k = len(idx)
    base = np.empty(2 * k)
    expo = np.empty(2 * k)
    for j in range(k):
        i = idx[j]
        new_rate, new_remaining = _stretched(rate[i], remaining[i], float(longest[i]),
                                             rate_concession, term_stretch, term_add_months)
        base[j] = 1 + rate[i] / MONTHS_PER_YEAR
        expo[j] = -max(float(remaining[i]), 1.0)
        base[k + j] = 1 + new_rate / MONTHS_PER_YEAR
        expo[k + j] = -max(new_remaining, 1.0)
    return base, expo


@compiled
def _burden_columns(balance: float, rate: float, remaining: float, repayment: int,
                    power: float, horizon_months: int) -> float:
    """sim.loanbook.payment_burden for one element, given its power."""
    r = rate / MONTHS_PER_YEAR
    n = max(remaining, 1.0)
    br = balance * r
    bn = balance / n
    if repayment == EQUAL_INSTALMENT:
        return br / (1 - power) if 1 - power > 0 else bn
    if repayment == EQUAL_PRINCIPAL:
        return bn + br
    share = 1.0 / min(n, float(horizon_months)) if n <= horizon_months else 0.0
    return br + balance * share


@compiled
def cut_from_power(idx, balance, rate, remaining, longest, repayment, rate_concession: float,
                   term_stretch: float, term_add_months: float, power, horizon_months: int):
    """The cut in the burden a restructuring of loans idx brings, given the powers of
    `cut_power_inputs`: sim.interventions.effects.payment_cut, element by element."""
    k = len(idx)
    cut = np.empty(k)
    for j in range(k):
        i = idx[j]
        new_rate, new_remaining = _stretched(rate[i], remaining[i], float(longest[i]),
                                             rate_concession, term_stretch, term_add_months)
        before = _burden_columns(balance[i], rate[i], float(remaining[i]), repayment[i],
                                 power[j], horizon_months)
        after = _burden_columns(balance[i], new_rate, new_remaining, repayment[i],
                                power[k + j], horizon_months)
        c = 1.0 - after / before if before > 0 else 0.0
        cut[j] = max(c, 0.0)
    return cut


CLOSER_MONITORING, ONSITE_CHECK, ADD_COLLATERAL, ENTRUSTED_PAYMENT, RESTRUCTURE, \
    EMERGENCY_DEFERRAL, COLLECT, LAWSUIT, AUCTION, WRITE_OFF = range(10)
"""The effects `take_actions` applies, by kind: each the one-loan effect of that name in
sim.interventions.effects (collect: a collection call, letter or visit). A lawsuit's and
an auction's processes are started by the caller, in list order."""
TAKEN, QUEUED, NO_HOURS = -1, -2, -3
"""What `take_actions` says of an action: taken, refused as already taken this month, or
for want of hours (a failed precondition: its index in the action's `requires`)."""
PRECONDITION_TESTS = ("active", "not_defaulted", "self_payment", "in_difficulty",
                      "disaster_hit", "overdue", "unpledged_assets", "defaulted", "no_lawsuit",
                      "judgment_or_security", "has_collateral")
"""The preconditions `take_actions` tests, each by its place here: those of the actions it
takes. An action that requires another one goes through `act`."""
RESTRUCTURE_TERMS = ("rate_concession", "term_stretch", "term_add_months",
                     "health_per_payment_cut", "max_health_boost", "observation_months",
                     "meaningful_cut")
"""The restructuring's parameters `take_actions` reads (`terms`), in this order."""


@compiled
def court_fee(claim: float, first: float, lows, rates) -> float:
    """The case acceptance fee of a lawsuit for `claim` CNY (sim.observation.court_fee):
    `first` up to the first band, then each band's rate on the part of the claim in it
    (lows[k]: where band k starts, rates[k]: its rate); nothing for no claim."""
    if claim <= 0:
        return 0.0
    fee = first
    n = len(lows)
    for k in range(n):
        low = lows[k]
        if claim <= low:
            break
        high = lows[k + 1] if k + 1 < n else claim
        fee += rates[k] * (min(claim, high) - low)
    return fee


@compiled
def restructured(balance: float, rate: float, term: int, latest_term: int, mob: int,
                 repayment: int, dpd: int, terms, stage_days, stage_factors,
                 days_per_month: int) -> tuple[float, int, float, float]:
    """A restructuring of one loan as the one-loan effect works it out
    (sim.interventions.effects.restructure_terms and relief_health): its new rate and
    months to go (the term stretched up to the extension limit, `latest_term` months on
    book), the relief in health (less once arrears have built up: stage_factors by
    stage_days) and the cut in the payment. `terms`: RESTRUCTURE_TERMS."""
    remaining = max(term - mob, 1)
    new_rate = max(0.0, rate - terms[0])
    longest = max(latest_term - mob, remaining)
    new_remaining = int(min(np.ceil(remaining * terms[1]) + terms[2], longest))
    before = burden_one(balance, rate, remaining, repayment, BURDEN_HORIZON_MONTHS)
    after = burden_one(balance, new_rate, new_remaining, repayment, BURDEN_HORIZON_MONTHS)
    cut = max(1.0 - after / before if before > 0 else 0.0, 0.0)
    stage = min(dpd // days_per_month * days_per_month, stage_days[-1])
    at = -1
    for s in range(len(stage_days)):
        if stage_days[s] == stage:
            at = s
    if at < 0:
        raise KeyError("restructure: no stage factor for these days past due")
    return new_rate, new_remaining, min(terms[3] * cut, terms[4]) * stage_factors[at], cut


@compiled
def take_actions(loans, codes, month: int, alerted, kind, table, action_hours,
                 check_code: int, fixed, share, preventive, legal, court, months, cure_boost,
                 hours_left: float, tolerance: float, money_spent: float,
                 workout_hours: float, observations_open: bool, check_hours, taken,
                 width: int, status, defaulted, dpd, cls, entrusted, disaster_until, region,
                 balance, written_off, costs, first_action, acted, closer_until, d,
                 extra_collateral, appraised, relationship, diverting, boost, deferral_until,
                 misses, rate, rate0, term, latest_term, mob, repayment, shift,
                 restructured_again, restructured_until, lawsuit_month, preserved, judgment,
                 auction_open, collateral_sold, collateral_type, no_collateral: int,
                 security_months: int, fee_first: float, fee_lows, fee_rates, terms,
                 stage_days, stage_factors, days_per_month: int, health_margin: float,
                 top_up_share: float, intrusive_hit: float):
    """Take routine actions (action `codes` on `loans`) in list order, each as
    sim.interventions.effects.act takes it: its preconditions in order (table[k, code]:
    the code's k-th, as its place in PRECONDITION_TESTS, -1: it has fewer; alerted[j]: a
    signal seen lately on the j-th loan), then whether the (loan, action) pair is taken
    already this month (the marks in `taken`, loan * width + code), then its hours (a
    check's by its loan) against the officers' hours left, unless the legal team does it
    (legal[code]); if taken, its hours (the legal team's or the officers'), its cost (the
    fixed cost plus a share of what is owed, and for a lawsuit (court[code]) the court's
    fee, `court_fee`) on the loan and in all, the month of a preventive action, and its
    effect on its own loan (kind[code]; months, cure_boost: by code). Returns (hours left,
    money spent, the legal team's hours, whether a restructuring is under observation,
    why, result, cost, written) with each action's TAKEN, QUEUED, NO_HOURS or failed
    precondition, its result (for a request for collateral 1: obtained, for a
    restructuring 1: a meaningful cut; else 0), its cost and the amount a write-off wrote
    off."""
    m = len(loans)
    why = np.full(m, TAKEN, dtype=np.int64)
    result = np.zeros(m, dtype=np.intp)
    cost = np.zeros(m)
    written = np.zeros(m)
    for j in range(m):
        i = loans[j]
        c = codes[j]
        for k in range(table.shape[0]):
            test = table[k, c]
            if test < 0:
                continue
            if test == 0:  # active: on the books
                holds = status[i] == ACTIVE or status[i] == DEFAULTED
            elif test == 1:  # not_defaulted: still performing
                holds = not defaulted[i] and status[i] == ACTIVE
            elif test == 2:  # self_payment
                holds = not entrusted[i]
            elif test == 3:  # in_difficulty: in arrears, on the watch list, a signal lately
                holds = dpd[i] > 0 or cls[i] >= SPECIAL_MENTION or alerted[j]
            elif test == 4:  # disaster_hit
                holds = disaster_until[region[i]] >= month
            elif test == 5:  # overdue
                holds = dpd[i] > 0
            elif test == 6:  # unpledged_assets
                holds = not extra_collateral[i] > 0
            elif test == 7:  # defaulted
                holds = defaulted[i] or status[i] == WRITTEN_OFF
            elif test == 8:  # no_lawsuit
                holds = lawsuit_month[i] < 0
            elif test == 9:  # judgment_or_security, and no auction open
                holds = (judgment[i] or (lawsuit_month[i] >= 0 and month - lawsuit_month[i]
                                         >= security_months)) and not auction_open[i]
            else:  # has_collateral: its own not sold or set off, or a top-up not sold
                holds = (not collateral_sold[i] and collateral_type[i] != no_collateral) \
                    or extra_collateral[i] > 0
            if not holds:
                why[j] = k
                break
        if why[j] != TAKEN:
            continue
        if taken[i * width + c]:
            why[j] = QUEUED
            continue
        hours = check_hours[i] if c == check_code else action_hours[c]
        if not legal[c] and hours > hours_left + tolerance:
            why[j] = NO_HOURS
            continue
        taken[i * width + c] = True
        if legal[c]:
            workout_hours = workout_hours + hours
        elif hours > 0:
            hours_left = hours_left - hours
        owed = balance[i] if status[i] in (ACTIVE, DEFAULTED) else written_off[i]
        claim = max(owed, 0.0)
        cost[j] = fixed[c] + share[c] * claim
        if court[c]:
            cost[j] = cost[j] + court_fee(claim, fee_first, fee_lows, fee_rates)
        costs[i] += cost[j]
        money_spent = money_spent + cost[j]
        if preventive[c]:
            if first_action[i] < 0:
                first_action[i] = month
            acted[i] = month
        effect = kind[c]
        if effect == CLOSER_MONITORING:
            closer_until[i] = month + months[c]
        elif effect == ADD_COLLATERAL:
            if d[i] > health_margin:
                top = top_up_share * balance[i]
                extra_collateral[i] += top
                appraised[i] += top
                result[j] = 1
            relationship[i] -= intrusive_hit
        elif effect == ENTRUSTED_PAYMENT:
            entrusted[i] = True
            diverting[i] = False
            relationship[i] -= intrusive_hit
        elif effect == RESTRUCTURE:
            r = rate[i]
            new_rate, new_remaining, relief, cut = restructured(
                balance[i], r, term[i], latest_term[i], mob[i], repayment[i], dpd[i], terms,
                stage_days, stage_factors, days_per_month)
            shift[i] += relief
            rate[i] = new_rate
            rate0[i] = max(0.0, rate0[i] - (r - new_rate))
            term[i] = min(mob[i] + new_remaining, max(latest_term[i], term[i]))
            restructured_again[i] = restructured_until[i] >= month  # still under observation
            restructured_until[i] = month + int(terms[5])
            observations_open = True
            misses[i] = 0
            dpd[i] = 0
            result[j] = 1 if cut >= terms[6] else 0
        elif effect == EMERGENCY_DEFERRAL:
            deferral_until[i] = month + months[c] - 1
            misses[i] = 0
            dpd[i] = 0
        elif effect == COLLECT:
            boost[i] += cure_boost[c]
        elif effect == LAWSUIT:
            lawsuit_month[i] = month
            preserved[i] = True
        elif effect == WRITE_OFF:
            written[j] = balance[i]
            written_off[i] += written[j]
            balance[i] = 0.0
            status[i] = WRITTEN_OFF
        # ONSITE_CHECK: the loan joins the month's targeted checks (by act_many); LAWSUIT
        # and AUCTION: their processes start (by act_many)
    return hours_left, money_spent, workout_hours, observations_open, why, result, cost, \
        written


@compiled
def collateral_of(idx, sold, appraised0, condition, index_now, extra, deposit):
    """sim.interventions.workouts.collateral_value of loans idx (an array of loan
    numbers), loan by loan in its operations and order: one call for the eight array
    operations a check's or an auction's loans took. A pledged deposit (deposit[i]) is
    worth its face value, whatever the price index and the borrower's distress."""
    out = np.empty(len(idx))
    for k in range(len(idx)):
        i = idx[k]
        if sold[i]:
            base = 0.0
        elif deposit[i]:
            base = appraised0[i]
        else:
            base = appraised0[i] * condition[i] * index_now
        out[k] = base + extra[i]
    return out


@compiled
def recovery_of(idx, residual, balance, sold, deposit_pledged, appraised0, condition,
                index_now: float, extra, collateral_type, liquidity_by_type,
                extra_liquidity: float, price_share: float, guarantor, d, defaulted,
                guarantee_share: float):
    """sim.interventions.workouts.recovery_value of loans idx (an array of loan numbers),
    loan by loan in its operations and order, given each one's balance and free assets
    (`residual`, worked out by numpy: its power stays numpy's): one call for the thirty
    array operations the oracle's costing of a few loans took."""
    value = collateral_of(idx, sold, appraised0, condition, index_now, extra, deposit_pledged)
    out = np.empty(len(idx))
    for k in range(len(idx)):
        i = idx[k]
        set_off = deposit_pledged[i] and not sold[i]
        deposit = appraised0[i] if set_off else 0.0
        lot = extra[i] if set_off else value[k]
        liq = liquidity_by_type[collateral_type[i]]
        if extra[i] > 0:
            liq = extra_liquidity if sold[i] or deposit_pledged[i] \
                else _maximum(liq, extra_liquidity)
        coll = deposit + lot * (price_share * liq)
        g = guarantor[i]
        sound = g >= 0 and d[max(g, 0)] > 0 and not defaulted[max(g, 0)]
        guarantee = balance[k] * guarantee_share if sound else 0.0
        out[k] = _minimum(balance[k], coll + residual[k] + guarantee)
    return out


@compiled
def security_held(idx, sold, collateral_type, no_collateral: int, extra):
    """sim.interventions.workouts.has_security of loans idx (an array of loan numbers): its
    own collateral not sold or set off, or a top-up not sold."""
    out = np.empty(len(idx), dtype=np.bool_)
    for k in range(len(idx)):
        i = idx[k]
        out[k] = (not sold[i] and collateral_type[i] != no_collateral) or extra[i] > 0
    return out


@compiled
def security_of(sold, deposit_pledged, collateral_type, no_collateral: int, extra, appraised,
                appraised0, liquidity_by_type, extra_liquidity: float, floor_share: float):
    """sim.interventions.workouts.appraised_security of the whole book, loan by loan in its
    operations and order (it is read at every decision point: as array operations, about
    twenty passes over the book, three quarters of an observation's cost)."""
    n = len(sold)
    out = np.empty(n)
    for i in range(n):
        set_off = deposit_pledged[i] and not sold[i]
        deposit = appraised0[i] if set_off else 0.0
        has = (not sold[i] and collateral_type[i] != no_collateral) or extra[i] > 0
        lot = _maximum(appraised[i] - deposit, 0.0) if has else 0.0
        liq = liquidity_by_type[collateral_type[i]]
        if extra[i] > 0:
            liq = extra_liquidity if sold[i] or deposit_pledged[i] \
                else _maximum(liq, extra_liquidity)
        out[i] = deposit + lot * (floor_share * liq)
    return out


@compiled
def workout_sales(ends, cash, deposit, claim, rest, value, chance, price, hazard, to_enforced,
                  discount):
    """The month-by-month loop of sim.interventions.workouts.expected_workout_recovery,
    loan by loan in its operations and order (it ran some ten array operations a round
    and a month over all the loans, a few thousand calls a run): in month k (1 to the
    width of `hazard`), each round r that ends then (ends[j, r] == k) sets off a deposit
    (the first round, `cash`) and sells the lot with chance[r, j] at price[r, j]; then the
    claim still open cures with hazard[j, k - 1]. discount[k - 1]: month k's discount.
    Returns (the discounted collateral recovered, the discounted chance of a cure of the
    whole claim, of a cure of what the set-off left owed, and the chance the claim has
    cured by its enforcement's end, to_enforced)."""
    n, span = hazard.shape
    coll = np.zeros(n)
    cures = np.zeros(n)
    cures_rest = np.zeros(n)
    cured_at_enforcement = np.zeros(n)
    for j in range(n):
        open_ = 1.0  # neither sold nor cured yet
        owed = claim[j]  # what a sale can still recover: the claim, less a deposit set off
        cured_by = 0.0
        sellable = 1.0 if value[j] > 0 else 0.0
        for k in range(1, span + 1):
            v = discount[k - 1]
            for r in range(ends.shape[1]):
                if ends[j, r] != k:
                    continue
                if r == 0:
                    # a deposit is set off when the first round falls due, with certainty;
                    # the claim stays open only for a top-up still to sell and money owed
                    off = open_ * (1.0 if cash[j] else 0.0)
                    coll[j] += off * min(deposit[j], claim[j]) * v
                    if cash[j]:
                        owed = rest[j]
                    open_ = open_ - off * (1.0 if value[j] <= 0 or rest[j] <= 0 else 0.0)
                sold = open_ * chance[r, j] * sellable
                coll[j] += sold * min(price[r, j], owed) * v  # the rest goes to the debtor
                open_ = open_ - sold
            cure = open_ * hazard[j, k - 1]
            if cash[j] and ends[j, 0] <= k:  # after the deposit's set-off
                cures_rest[j] += cure * v
            else:
                cures[j] += cure * v
            cured_by += cure
            open_ = open_ - cure
            if to_enforced[j] == k:
                cured_at_enforcement[j] = cured_by
    return coll, cures, cures_rest, cured_at_enforcement
