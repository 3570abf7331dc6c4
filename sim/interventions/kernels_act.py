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
from sim.kernels.common import _maximum
from sim.loanbook import _EQUAL_INSTALMENT, _EQUAL_PRINCIPAL

EQUAL_INSTALMENT = _EQUAL_INSTALMENT  # module globals numba takes as constants
EQUAL_PRINCIPAL = _EQUAL_PRINCIPAL
ACTIVE, DEFAULTED = LoanStatus.ACTIVE.value, LoanStatus.DEFAULTED.value
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
        new_rate, new_remaining = _stretched(rate[i], remaining[i], longest[i],
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
        new_rate, new_remaining = _stretched(rate[i], remaining[i], longest[i],
                                             rate_concession, term_stretch, term_add_months)
        before = _burden_columns(balance[i], rate[i], float(remaining[i]), repayment[i],
                                 power[j], horizon_months)
        after = _burden_columns(balance[i], new_rate, new_remaining, repayment[i],
                                power[k + j], horizon_months)
        c = 1.0 - after / before if before > 0 else 0.0
        cut[j] = max(c, 0.0)
    return cut


@compiled
def wave_ranks(loans, chain, n_loans: int, n_chains: int) -> np.ndarray:
    """Each action's place among the earlier actions of its chain on its loan (0: the
    first; an action in no chain, chain -1, is always 0): the wave it is applied in."""
    m = len(loans)
    rank = np.zeros(m, dtype=np.int64)
    seen = np.zeros(n_loans * n_chains, dtype=np.int64)
    for j in range(m):
        if chain[j] >= 0:
            key = loans[j] * n_chains + chain[j]
            rank[j] = seen[key]
            seen[key] += 1
    return rank


@compiled
def wave_groups(loans, codes, code_chain, n_loans: int, n_chains: int, n_codes: int):
    """A run's actions grouped as `_columns` applies them: by wave (`wave_ranks`, the chain
    of code c being code_chain[c]), and within a wave by action code, each group in list
    order. Returns (order, bounds): the positions of the actions in the run, so grouped,
    and bounds[w, c]:bounds[w, c + 1], the slice of `order` holding wave w's actions of
    code c."""
    m = len(loans)
    rank = wave_ranks(loans, code_chain[codes], n_loans, n_chains)
    waves = 1
    for j in range(m):
        waves = max(waves, rank[j] + 1)
    bounds = np.zeros((waves, n_codes + 1), dtype=np.int64)
    for j in range(m):
        bounds[rank[j], codes[j] + 1] += 1
    at = 0
    for w in range(waves):
        for c in range(n_codes + 1):
            at += bounds[w, c]
            bounds[w, c] = at
    fill = bounds[:, :n_codes].copy()
    order = np.empty(m, dtype=np.int64)
    for j in range(m):
        order[fill[rank[j], codes[j]]] = j
        fill[rank[j], codes[j]] += 1
    return order, bounds


PRECONDITION_TESTS = ("active", "not_defaulted", "self_payment", "in_difficulty",
                      "disaster_hit", "overdue", "unpledged_assets")
"""The preconditions `failed_preconditions` tests, each by its place here: those of the
actions that go column-wise (sim.interventions.batch). An action that requires another
one goes through `act`."""


@compiled
def failed_preconditions(idx, codes, table, month: int, alerted, status, defaulted, dpd, cls,
                         entrusted, disaster_until, region, extra_collateral) -> np.ndarray:
    """For each action of a wave (on loan idx[j], of action code codes[j]), the index in its
    `requires` of the first precondition that does not hold (-1: all hold), tested in
    order as sim.interventions.catalogue.precondition tests them. table[k, code]: the
    code's k-th precondition, as its place in PRECONDITION_TESTS (-1: it has fewer);
    alerted[j]: a signal seen lately on the j-th loan. The tests are written out here,
    not called, because a call passing the columns costs more than the test."""
    m = len(idx)
    why = np.full(m, -1, dtype=np.int64)
    for j in range(m):
        i = idx[j]
        for k in range(table.shape[0]):
            test = table[k, codes[j]]
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
            else:  # unpledged_assets
                holds = not extra_collateral[i] > 0
            if not holds:
                why[j] = k
                break
    return why


@compiled
def charge_block(hours_left: float, money_spent: float, loans, codes, hours, fixed, share,
                 preventive, status, balance, written_off, costs, first_action, acted,
                 month: int, taken, width: int):
    """Book a run of routine actions taken on `loans` (action `codes`), in list order as
    `act` books each: the officers' hours they take, their cost (the fixed cost plus a
    share of what is owed) on each loan and in all, the month of a preventive action, and
    the (loan, action) marks in `taken` (loan * width + code). Returns (hours left, money
    spent, each action's cost)."""
    m = len(loans)
    cost = np.empty(m)
    for j in range(m):
        i = loans[j]
        c = codes[j]
        if hours[j] > 0:
            hours_left = hours_left - hours[j]
        st = status[i]
        owed = balance[i] if st in (ACTIVE, DEFAULTED) else written_off[i]
        cost[j] = fixed[c] + share[c] * max(owed, 0.0)
        costs[i] += cost[j]
        money_spent = money_spent + cost[j]
        if preventive[c]:
            if first_action[i] < 0:
                first_action[i] = month
            acted[i] = month
        taken[i * width + c] = True
    return hours_left, money_spent, cost


@compiled
def restructure_loans(idx, balance, rate, rate0, term, latest_term, mob, repayment, dpd, shift,
                      restructured_again, restructured_until, misses, rate_concession: float,
                      term_stretch: float, term_add_months: float,
                      health_per_payment_cut: float, max_health_boost: float, stage_days,
                      stage_factors, days_per_month: int, month: int, until: int,
                      meaningful_cut: float) -> np.ndarray:
    """Restructure loans idx (distinct) at `month` in place, loan by loan as the one-loan
    effect (sim.interventions.effects._restructure) does: the new terms (the term stretched
    up to the extension limit, `latest_term` months on book), the relief in health
    (less once arrears have built up: stage_factors by stage_days), the rate concession
    carried into the reference rate, whether it is restructured again while still under
    observation, the observation period to `until`, arrears cleared. Returns for each loan
    whether the payment was cut meaningfully (1) or not (0)."""
    k = len(idx)
    meaningful = np.empty(k, dtype=np.intp)
    top = stage_days[-1]
    for j in range(k):
        i = idx[j]
        r = rate[i]
        remaining = max(term[i] - mob[i], 1)
        new_rate = max(0.0, r - rate_concession)
        longest = max(latest_term[i] - mob[i], remaining)
        new_remaining = int(min(np.ceil(remaining * term_stretch) + term_add_months, longest))
        before = burden_one(balance[i], r, remaining, repayment[i], BURDEN_HORIZON_MONTHS)
        after = burden_one(balance[i], new_rate, new_remaining, repayment[i],
                           BURDEN_HORIZON_MONTHS)
        cut = max(1.0 - after / before if before > 0 else 0.0, 0.0)
        stage = min(dpd[i] // days_per_month * days_per_month, top)
        at = -1
        for s in range(len(stage_days)):
            if stage_days[s] == stage:
                at = s
        if at < 0:
            raise KeyError("restructure: no stage factor for these days past due")
        shift[i] += min(health_per_payment_cut * cut, max_health_boost) * stage_factors[at]
        rate[i] = new_rate
        rate0[i] = max(0.0, rate0[i] - (r - new_rate))
        term[i] = min(mob[i] + new_remaining, max(latest_term[i], term[i]))
        restructured_again[i] = restructured_until[i] >= month
        restructured_until[i] = until
        misses[i] = 0
        dpd[i] = 0
        meaningful[j] = 1 if cut >= meaningful_cut else 0
    return meaningful


@compiled
def run_plan(loans, codes, width: int, taken, check_code: int, check_hours, action_hours,
             hours_left: float, tolerance: float):
    """What a run of routine actions needs before it goes column-wise: whether every
    (loan, action) in it is new (not taken this month, not twice in the run), each action's
    hours (a check's by its loan), and how many of them surely fit: the first k whose
    hours fit even with every earlier one charged."""
    m = len(loans)
    hours = np.empty(m)
    seen = np.zeros(len(taken), dtype=np.bool_)
    fresh = True
    for j in range(m):
        pair = loans[j] * width + codes[j]
        if taken[pair] or seen[pair]:
            fresh = False
        seen[pair] = True
        hours[j] = check_hours[loans[j]] if codes[j] == check_code else action_hours[codes[j]]
    fit = m
    left = hours_left
    for j in range(m):
        if hours[j] > left + tolerance:
            fit = j
            break
        left = left - hours[j]
    return fresh, hours, fit


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
