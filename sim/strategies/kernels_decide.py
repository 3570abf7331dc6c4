"""Compiled loops for the strategies' decisions (numba): each does what the numpy code it
replaced did, in the same operations and the same order, so every figure is the same to
the last bit (`tests/test_kernels_decide.py` holds them to plain-numpy references).

A month's decision is a few hundred small steps on 2,000-element columns; in numpy each
step costs more in calling than in work. These loops run the chain in one call.
"""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.codes import LoanClass
from sim.compiled import compiled

ONE_MONTH_DPD = defaults.DAYS_PER_MONTH  # 30+ days past due: a month's payment missed
TWO_MONTHS_DPD = 2 * defaults.DAYS_PER_MONTH
SPECIAL_MENTION = LoanClass.SPECIAL_MENTION.value  # the watch list starts here (关注)


@compiled
def take_in_order(pair: np.ndarray, size: int, hours: np.ndarray, hours_left: float,
                  tolerance: float) -> np.ndarray:
    """Which of the ordered candidates to take: each pair code (a (loan, action) in
    [0, size)) at its first place only, every one that still fits in the hours.

    The greedy pass in blocks of sim.strategies.triage, in one sweep: the candidates'
    hours summed in order; all that fit up to the first that does not are taken and their
    sum charged at once (a block); the one that did not fit is passed over, and from then
    on so is every one longer than the hours left; the next block's sum starts after it;
    until the hours run out. (It swept the list once a block; the hours left only fall,
    so a candidate too long at one block's end is too long at every later one, and
    checking each when it comes up passes over the same ones.)"""
    n = len(pair)
    take = np.zeros(n, dtype=np.bool_)
    seen = np.zeros(size, dtype=np.bool_)
    left = hours_left
    cum = 0.0  # the block's sum so far
    trimmed = False  # a block has ended: candidates longer than the hours left are out
    if not left > 0:
        return take
    for k in range(n):
        if seen[pair[k]]:
            continue
        seen[pair[k]] = True
        if trimmed and not hours[k] <= left + tolerance:
            continue
        before = cum
        cum += hours[k]
        if cum <= left + tolerance:
            take[k] = True
            continue
        left -= before
        cum = 0.0
        trimmed = True
        if not left > 0:
            break
    return take


@compiled
def settle_ties(order, loans, codes, value) -> None:
    """Puts `order` (`np.argsort(-value)`: by value, highest first) in the order of
    `np.lexsort((codes, loans, -value))`: each run of equal values by loan, then action,
    then place. Values rarely tie, so the sort of all values stays numpy's (faster than a
    compiled one) and only the runs are sorted here, in place."""
    n = len(order)
    width = 0
    start = 0
    while start < n:
        end = start + 1
        while end < n and value[order[end]] == value[order[start]]:
            end += 1
        if end - start > 1:
            if width == 0:
                for j in range(n):
                    width = max(width, codes[j] + 1)
            run = order[start:end].copy()
            key = np.empty(end - start, dtype=np.int64)
            for j in range(end - start):
                i = run[j]
                key[j] = (loans[i] * width + codes[i]) * n + i
            order[start:end] = run[np.argsort(key)]
        start = end


@compiled
def ranked_within_hours(order, loans, codes, value, extra_loans, extra_codes, action_hours,
                        check_code: int, check_hours, n_actions: int, n_loans: int,
                        hours_left: float, tolerance: float, topped, month: int,
                        collateral_code: int):
    """The triage's month in one call: the candidates by value, highest first (`order`,
    `np.argsort(-value)`, its ties settled here: `settle_ties`), then the extra (loan,
    action) pairs in their order, and of those `take_in_order`'s pick within `hours_left`
    (each action's hours from the catalogue, a check's from its loan), as columns (loans,
    action codes). Each loan asked for extra collateral (`collateral_code`) gets `month` in
    `topped` (in place: the month it was last asked)."""
    settle_ties(order, loans, codes, value)
    size = len(order) + len(extra_loans)
    all_loans = np.empty(size, dtype=np.int64)
    all_codes = np.empty(size, dtype=np.int64)
    for j in range(len(order)):
        all_loans[j] = loans[order[j]]
        all_codes[j] = codes[order[j]]
    for j in range(len(extra_loans)):
        all_loans[len(order) + j] = extra_loans[j]
        all_codes[len(order) + j] = extra_codes[j]
    pair = np.empty(size, dtype=np.int64)
    hours = np.empty(size)
    for j in range(size):
        c = all_codes[j]
        pair[j] = all_loans[j] * n_actions + c
        hours[j] = check_hours[all_loans[j]] if c == check_code else action_hours[c]
    take = take_in_order(pair, n_loans * n_actions, hours, hours_left, tolerance)
    for j in range(size):
        if take[j] and all_codes[j] == collateral_code:
            topped[all_loans[j]] = month
    return all_loans[take], all_codes[take]


@compiled
def triage_risk(alerts, dpd, known_diversion, cls, base: float, per_alert: float,
                max_alerts: int, overdue_1: float, overdue_30: float, overdue_60: float,
                diversion: float, watch: float, max_risk: float) -> np.ndarray:
    """The officer's belief (sim.strategies.triage.Triage.risk): the same sum, term by term
    in the same order (warnings counted up to max_alerts), clipped to [0, max_risk]."""
    n = len(alerts)
    out = np.empty(n)
    for i in range(n):
        d = dpd[i]
        r = base + per_alert * float(min(alerts[i], max_alerts))
        r = r + overdue_1 * (1.0 if d > 0 else 0.0)
        r = r + overdue_30 * (1.0 if d >= ONE_MONTH_DPD else 0.0)
        r = r + overdue_60 * (1.0 if d >= TWO_MONTHS_DPD else 0.0)
        r = r + diversion * (1.0 if known_diversion[i] else 0.0)
        r = r + watch * (1.0 if cls[i] >= SPECIAL_MENTION else 0.0)
        out[i] = min(max(r, 0.0), max_risk)
    return out


# the sets `candidate_sets` returns, rows of its index table
ENTRUSTED, LATE, DEFERRAL, EARLY, CALL, FREEZE, COLLATERAL = range(7)
N_SETS = 7


@compiled
def exposure_terms(status, balance, undrawn, has_collateral, security, active: int,
                   lgd_secured: float, lgd_unsecured: float):
    """The book as the triage reads it (sim.strategies.triage._exposure), loan by loan:
    live (`active`), the loss given default assumed (secured or not), the loss if the loan
    defaulted now (its exposure, balance and open line, times that), and the part of the
    exposure the security held leaves uncovered (np.maximum(exposure - security, 0.0),
    NaN and all; all of it where there is no appraisal: an empty `security`)."""
    n = len(status)
    live = np.empty(n, dtype=np.bool_)
    lgd = np.empty(n)
    lid = np.empty(n)
    uncovered = np.empty(n)
    appraised = len(security) > 0
    for i in range(n):
        live[i] = status[i] == active
        exposure = balance[i] + undrawn[i]
        lgd[i] = lgd_secured if has_collateral[i] else lgd_unsecured
        lid[i] = exposure * lgd[i]
        if appraised:
            gap = exposure - security[i]
            uncovered[i] = gap if gap > 0.0 or gap != gap else 0.0
        else:
            uncovered[i] = exposure
    return live, lgd, lid, uncovered


@compiled
def _put(table, counts, k: int, i: int) -> None:
    """Loan i joins set k of `candidate_sets`' table."""
    table[k, counts[k]] = i
    counts[k] += 1


@compiled
def candidate_sets(month: int, live, dpd, restructured, disaster, acted, entrusted, frozen,
                   undrawn, grounds, pledged, topped, alerts, diverting, suspects, confirmed,
                   securable, can_secure, early_below_dpd: int, late_dpd: int,
                   repeat_after_months: int):
    """The loans each of the triage's actions is weighed for, in loan order (the masks of
    sim.strategies.triage.Triage.candidates, loan by loan): a table whose row k holds
    set k's loans in its first counts[k] places. `grounds`: the loans whose difficulty the
    bank can see, the ground a freeze needs (sim.interventions.catalogue.difficulty_and_alerts)."""
    n = len(live)
    table = np.empty((N_SETS, n), dtype=np.int64)
    counts = np.zeros(N_SETS, dtype=np.int64)
    not_since = month - repeat_after_months
    for i in range(n):
        if not live[i]:
            continue
        d = dpd[i]
        if diverting[i] and not entrusted[i]:
            _put(table, counts, ENTRUSTED, i)
        if d >= late_dpd and (not restructured[i] or disaster[i]):
            _put(table, counts, LATE, i)
        if disaster[i] and alerts[i] >= 1 and d == 0 and acted[i] < not_since:
            _put(table, counts, DEFERRAL, i)
        if d < early_below_dpd and not restructured[i] and not disaster[i] and confirmed[i]:
            _put(table, counts, EARLY, i)
        if d > 0:
            _put(table, counts, CALL, i)
        if not frozen[i] and undrawn[i] > 0 and grounds[i] and (d > 0 or suspects[i]):
            _put(table, counts, FREEZE, i)
        if securable[i] and can_secure[i] and not pledged[i] and topped[i] < not_since:
            _put(table, counts, COLLATERAL, i)
    return table, counts


@compiled
def relief_sets(table, counts, dpd, disaster, stage_30: float, stage_60: float,
                deep_dpd: int, restructure: int, deferral_code: int):
    """Relief weighed in three places, together (relief is valued loan by loan): the late
    loans, the disaster's deferrals and the early reliefs of `candidate_sets`, in that order,
    with the share of relief each would still get (late: stage_30, or stage_60 from deep_dpd
    days; a deferral in full; early: in full before arrears, else stage_30), and the action
    of each late loan (a disaster's deferral in a disaster's region, else a restructuring)."""
    n_late, n_def, n_early = counts[LATE], counts[DEFERRAL], counts[EARLY]
    size = n_late + n_def + n_early
    loans = np.empty(size, dtype=np.int64)
    stage = np.empty(size)
    kind = np.empty(n_late, dtype=np.int64)
    for j in range(n_late):
        i = table[LATE, j]
        loans[j] = i
        stage[j] = stage_30 if dpd[i] < deep_dpd else stage_60
        kind[j] = deferral_code if disaster[i] else restructure
    for j in range(n_def):
        loans[n_late + j] = table[DEFERRAL, j]
        stage[n_late + j] = 1.0
    for j in range(n_early):
        i = table[EARLY, j]
        loans[n_late + n_def + j] = i
        stage[n_late + n_def + j] = 1.0 if dpd[i] == 0 else stage_30
    return loans, stage, kind


@compiled
def triage_sets(month: int, live, dpd, restructured, disaster, acted, entrusted, frozen,
                undrawn, grounds, pledged, topped, alerts, diverting, suspects, confirmed,
                securable, can_secure, early_below_dpd: int, late_dpd: int,
                repeat_after_months: int, stage_30: float, stage_60: float, deep_dpd: int,
                restructure: int, deferral_code: int):
    """`candidate_sets` and then `relief_sets` on its table, in one call: (table, counts,
    relief loans, their stage, the late ones' action)."""
    table, counts = candidate_sets(
        month, live, dpd, restructured, disaster, acted, entrusted, frozen, undrawn, grounds,
        pledged, topped, alerts, diverting, suspects, confirmed, securable, can_secure,
        early_below_dpd, late_dpd, repeat_after_months)
    relief, stage, kind = relief_sets(table, counts, dpd, disaster, stage_30, stage_60,
                                      deep_dpd, restructure, deferral_code)
    return table, counts, relief, stage, kind


@compiled
def owed_years(balance: float, remaining: int, risk: float, interest_only: bool) -> float:
    """The balance still owed on average over the remaining term (all of it for an
    interest-only loan, about half for one that amortises) times the years left, on a loan
    that goes on paying (one that defaults pays no interest either way): what a change in
    the loan's yield is multiplied by (sim.strategies.triage: the interest a restructuring's
    concession or a freeze's attrition gives up)."""
    owed = balance if interest_only else 0.5 * balance
    return owed * (max(remaining, 0) / 12.0) * (1.0 - risk)


@compiled
def due_checks(live, suspects, last_check, month: int, recheck_months: int,
               visit_after_months: int, risk, loss_if_default, value_share: float):
    """The triage's targeted checks (sim.strategies.triage.Triage.check_values), in loan
    order: live suspects not checked for recheck_months and any live loan not checked for
    visit_after_months, each worth value_share of its expected loss (risk x loss if it
    defaulted). The loans are picked without a branch (each written, kept by counting it):
    about half the book is due, and a branch that guesses wrong half the time cost more
    than the loop's work."""
    n = len(live)
    idx = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(n):
        since = month - last_check[i]
        due = (since >= visit_after_months) | (suspects[i] & (since >= recheck_months))
        idx[k] = i
        k += live[i] & due
    value = np.empty(k)
    for j in range(k):
        i = idx[j]
        value[j] = risk[i] * loss_if_default[i] * value_share
    return idx[:k], value


@compiled
def quiet_suspects(live, grounds, restructured, suspects, last_check, month: int,
                   recheck_months: int):
    """The loans the oracle would visit (sim.strategies.baselines.Oracle.check_values), in
    loan order: live, not under a restructuring, ones it knows will default (`suspects`)
    whose difficulty the bank cannot yet see (not `grounds`), not checked for
    recheck_months."""
    idx = np.empty(len(live), dtype=np.int64)
    k = 0
    for i in range(len(live)):
        if live[i] and not grounds[i] and not restructured[i] and suspects[i] \
                and month - last_check[i] >= recheck_months:
            idx[k] = i
            k += 1
    return idx[:k]


@compiled
def visit_values(idx, gain, loss_if_default, balance, remaining, risk, repayment,
                 interest_only: int, disaster, check_hours, offered, action_hours, money,
                 money_share, restructure: int, concession: float, deferral: int,
                 visit_share: float):
    """What a visit to each of loans idx is worth to the oracle (sim.strategies.baselines.
    Oracle.check_values): visit_share of the net value of the relief it opens (its drop in
    the chance of default, `gain`, times the loss if the loan defaulted, less the relief's
    price: a restructuring's fee and the interest its rate concession gives up over
    `owed_years`; in a disaster's region a deferral's fee), never below nothing, times the
    visit's share of the hours of visit and relief together (none where the case does not
    offer the relief). Each action's offer, hours and fee by code, as `assemble` reads them."""
    out = np.empty(len(idx))
    for k in range(len(idx)):
        i = idx[k]
        b = balance[i]
        c = deferral if disaster[i] else restructure
        price = money[c] + money_share[c] * b
        if c == restructure:
            price = price + concession * owed_years(b, remaining[i], risk[i],
                                                    repayment[i] == interest_only)
        net = gain[k] * loss_if_default[i] - price
        visit = check_hours[i]
        share = visit / (visit + action_hours[c]) if offered[c] else 0.0
        kept = net if net > 0.0 or net != net else 0.0  # np.maximum(net, 0.0), NaN and all
        out[k] = visit_share * kept * share
    return out


@compiled
def relief_gains(idx, health, disaster, full: float, min_weight: float, risk, effect: float,
                 stage):
    """The officer's drop in the chance of default from relief on loans idx (sim.strategies.
    triage.Triage.relief_gain): risk x effect x the share still to be had (`stage`, by
    place) x the relief's weight, its health (`full` in a disaster's region, where the
    relief is the disaster's deferral; no region where `disaster` is empty) over a full
    relief's, within [min_weight, 1] (np.clip's: NaN stays NaN)."""
    regions = len(disaster) > 0
    out = np.empty(len(idx))
    for k in range(len(idx)):
        i = idx[k]
        weight = (full if regions and disaster[i] else health[k]) / full
        if weight < min_weight:
            weight = min_weight
        if weight > 1.0:
            weight = 1.0
        out[k] = risk[i] * effect * stage[k] * weight
    return out


@compiled
def recall_grounds(status, dpd, health, will_default, active: int, repay_health: float,
                   ground_health: float):
    """The loans the oracle weighs recalling (sim.strategies.baselines.Oracle.recall_values),
    in loan order: active and current, known to default, with a borrower still able to
    repay in full (health above repay_health) and a ground to call the loan (health below
    ground_health)."""
    idx = np.empty(len(status), dtype=np.int64)
    k = 0
    for i in range(len(status)):
        h = health[i]
        if status[i] == active and dpd[i] == 0 and h > repay_health and h < ground_health \
                and will_default[i]:
            idx[k] = i
            k += 1
    return idx[:k]


@compiled
def with_extra(loans, codes, value, drop: int, idx, gain, code: int, hours: float):
    """The candidates (loans, action codes, value per hour) less those of action `drop`,
    then action `code` on each of loans idx whose gain is positive, at gain / hours, in
    order: the oracle's own lists replacing or joining the officer's (sim.strategies.
    baselines.Oracle.candidates)."""
    kept = 0
    for j in range(len(loans)):
        if codes[j] != drop:
            kept += 1
    added = 0
    for k in range(len(idx)):
        if gain[k] > 0:
            added += 1
    out_loans = np.empty(kept + added, dtype=np.int64)
    out_codes = np.empty(kept + added, dtype=np.int64)
    out_value = np.empty(kept + added)
    at = 0
    for j in range(len(loans)):
        if codes[j] != drop:
            out_loans[at] = loans[j]
            out_codes[at] = codes[j]
            out_value[at] = value[j]
            at += 1
    for k in range(len(idx)):
        if gain[k] > 0:
            out_loans[at] = idx[k]
            out_codes[at] = code
            out_value[at] = gain[k] / hours
            at += 1
    return out_loans, out_codes, out_value


@compiled
def assemble(table, counts, kind, gain, check, check_value, risk, lid, lgd, undrawn, balance,
             uncovered, diversion_effect: float, call_effect: float, collateral_cut: float,
             part_codes,
             offered, action_hours, check_code: int, check_hours, min_hours: float,
             money, money_share, restructure: int, concession: float, freeze: int,
             attrition: float, rate, funding: float, remaining, repayment, interest_only: int):
    """The triage's candidates in order (entrusted payment, late relief, collection calls,
    freezes, deferrals, extra collateral, early relief, checks), each valued as
    sim.strategies.triage.Triage.candidates values it, less what it costs the bank (the
    action's fee, money[code] + money_share[code] x balance, and what it gives up of the
    loan's interest over `owed_years`: a restructuring its rate `concession`, a freeze the
    margin over `funding` of a sound customer it drives away, with chance `attrition`),
    kept where that is above nothing and the case offers the action, at its value per hour
    (each action's hours from the catalogue, a check's from its loan, never counted below
    min_hours): in one pass, each candidate valued, priced and kept or not in turn.
    `gain`: each relief's drop in the chance of default, in `relief_sets`' order (its value
    is that times the loss if the loan defaulted, `lid`). Without terms (no `remaining`) no
    interest is charged, without rates no attrition; without repayment codes the whole
    balance counts as owed. Worked out for the candidates only, in this order of
    operations, so that the values are those of the column-wise rule to the bit."""
    n_late, n_def = counts[LATE], counts[DEFERRAL]
    size = 0
    for k in range(N_SETS):
        size += counts[k]
    size += len(check)
    loans = np.empty(size, dtype=np.int64)
    codes = np.empty(size, dtype=np.int64)
    value = np.empty(size)
    at = 0  # the candidates kept so far
    # (set, part) in the order of the parts, the checks last; relief values come from `gain`
    order = (ENTRUSTED, LATE, CALL, FREEZE, DEFERRAL, COLLATERAL, EARLY)
    for part in range(8):
        k = order[part] if part < 7 else -1
        for j in range(counts[k] if part < 7 else len(check)):
            c = part_codes[part]
            if part == 7:
                i = check[j]
                v = check_value[j]
            else:
                i = table[k, j]
                if k == ENTRUSTED:
                    v = (diversion_effect + risk[i]) * lid[i]
                elif k == LATE:
                    c = kind[j]
                    v = gain[j] * lid[i]
                elif k == CALL:
                    v = risk[i] * call_effect * lid[i]
                elif k == FREEZE:
                    v = risk[i] * undrawn[i] * lgd[i]
                elif k == DEFERRAL:
                    v = gain[n_late + j] * lid[i]
                elif k == COLLATERAL:
                    r = risk[i]
                    # a top-up cuts the loss by its own recovery, but by no more than the
                    # part of the exposure the security already held leaves uncovered
                    v = r * (1 - r) * min(balance[i] * collateral_cut, uncovered[i])
                else:
                    v = gain[n_late + n_def + j] * lid[i]
            # less what the action costs the bank
            v -= money[c] + money_share[c] * balance[i]
            if (c == restructure or (c == freeze and len(rate))) and len(remaining):
                years = owed_years(balance[i], remaining[i], risk[i],
                                   len(repayment) == 0 or repayment[i] == interest_only)
                if c == restructure:
                    v -= concession * years
                else:
                    v -= attrition * max(rate[i] - funding, 0.0) * years
            if v > 0 and offered[c]:  # worth ranking: by its value per hour
                h = check_hours[i] if c == check_code else action_hours[c]
                loans[at] = i
                codes[at] = c
                value[at] = v / max(h, min_hours)
                at += 1
    return loans[:at], codes[:at], value[:at]


@compiled
def workout_steps(status, balance, lawsuit_month, secured, judgment, enforced, auction_open,
                  cls, month: int, sell_unsecured_after: int, write_off_loss: bool,
                  defaulted: int, loss: int):
    """The defaulted loans with a next step in the standing workout, largest balance first
    (ties in loan order), and that step (an index in sim.strategies.base.WORKOUT_STEPS): the
    first rule that holds of sue; auction the security once judged or a month after
    filing; sell an unsecured claim once the judgment's enforcement has ended (what it did
    not find) and `sell_unsecured_after` months have passed since filing; write off a loss."""
    count = 0
    for i in range(len(status)):
        if status[i] == defaulted:
            count += 1
    dl = np.empty(count, dtype=np.int64)
    at = 0
    for i in range(len(status)):
        if status[i] == defaulted:
            dl[at] = i
            at += 1
    dl = dl[np.argsort(-balance[dl], kind="mergesort")]
    loans = np.empty(count, dtype=np.int64)
    steps = np.empty(count, dtype=np.int64)
    k = 0
    for i in dl:
        sued = lawsuit_month[i]
        since = month - sued
        if sued < 0:
            step = 0
        elif secured[i] and not auction_open[i] and (judgment[i] or since >= 1):
            step = 1
        elif not secured[i] and enforced[i] and since >= sell_unsecured_after:
            step = 2
        elif cls[i] == loss and not secured[i] and write_off_loss:
            step = 3
        else:
            continue
        loans[k] = i
        steps[k] = step
        k += 1
    return loans[:k], steps[:k]
