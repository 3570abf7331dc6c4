"""The strategies' compiled loops give what the numpy code they replaced gave, to the bit."""

from __future__ import annotations

import numpy as np

from sim.observation import HOURS_TOLERANCE
from sim.strategies.kernels_decide import take_in_order


def _take_in_blocks(pair, size, hours, hours_left, tolerance):
    """The greedy pass in blocks as sim.strategies.triage ran it in numpy."""
    n = len(pair)
    take = np.zeros(n, dtype=bool)
    if not n:
        return take
    _, first = np.unique(pair, return_index=True)
    open_ = np.zeros(n, dtype=bool)
    open_[first] = True
    left = hours_left
    while left > 0 and open_.any():
        pos = np.flatnonzero(open_)
        cum = np.cumsum(hours[pos])
        fits = cum <= left + tolerance
        if fits.all():
            take[pos] = True
            break
        k = int(np.argmin(fits))
        take[pos[:k]] = True
        left -= float(cum[k - 1]) if k else 0.0
        open_[pos[:k + 1]] = False
        open_ &= hours <= left + tolerance
    return take


def test_take_in_order_is_the_greedy_pass_in_blocks():
    rng = np.random.default_rng(11)
    for n in (0, 1, 2, 7, 60, 400):
        for repeats in (3, 50, 10**6):
            for left in (0.0, 0.5, 3.0, 40.0, 1e4):
                pair = rng.integers(0, repeats, n)
                hours = rng.choice([0.0, 0.1, 0.25, 0.5, 1.0, 2.5, 4.0, 8.0], n) \
                    * rng.uniform(0.9, 1.1, n)
                got = take_in_order(pair, repeats, hours, left, HOURS_TOLERANCE)
                want = _take_in_blocks(pair, repeats, hours, left, HOURS_TOLERANCE)
                assert np.array_equal(got, want)


def test_what_is_taken_fits_the_hours_and_takes_each_pair_once():
    rng = np.random.default_rng(12)
    pair = rng.integers(0, 40, 300)
    hours = rng.uniform(0.1, 6.0, 300)
    for left in (1.0, 25.0, 300.0):
        take = take_in_order(pair, 40, hours, left, HOURS_TOLERANCE)
        assert hours[take].sum() <= left + 1e-6
        assert len(np.unique(pair[take])) == int(take.sum())
    # with hours for everything, every pair's first place is taken and no later one
    take = take_in_order(pair, 40, hours, 1e9, HOURS_TOLERANCE)
    _, first = np.unique(pair, return_index=True)
    assert np.array_equal(np.flatnonzero(take), np.sort(first))


def _book(n, seed):
    rng = np.random.default_rng(seed)
    return dict(
        alerts=rng.integers(0, 4, n), dpd=rng.choice([0, 0, 0, 15, 30, 45, 60, 90], n),
        known_diversion=rng.random(n) < 0.1, cls=rng.integers(0, 5, n),
        live=rng.random(n) < 0.9, restructured=rng.random(n) < 0.2,
        disaster=rng.random(n) < 0.15, acted=rng.choice([-99, 1, 5, 9], n),
        entrusted=rng.random(n) < 0.3, frozen=rng.random(n) < 0.2,
        undrawn=np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 1e6, n)),
        pledged=rng.random(n) < 0.2, topped=rng.choice([-99, 2, 8], n),
        diverting=rng.random(n) < 0.1, suspects=rng.random(n) < 0.3,
        confirmed=rng.random(n) < 0.2, securable=rng.random(n) < 0.2,
        can_secure=rng.random(n) < 0.7, grounds=rng.random(n) < 0.6)


def test_the_officers_risk_is_its_sum_of_beliefs_to_the_bit():
    from sim.strategies.kernels_decide import triage_risk
    from sim.strategies.triage import DEFAULT_TRIAGE as p

    b = _book(5000, 13)
    dpd, alerts = b["dpd"], b["alerts"]
    want = np.clip(p.risk_base + p.risk_per_alert * np.minimum(alerts, p.max_alerts)
                   + p.risk_overdue[0] * (dpd > 0)
                   + p.risk_overdue[1] * (dpd >= 30) + p.risk_overdue[2] * (dpd >= 60)
                   + p.risk_diversion * b["known_diversion"] + p.risk_watch * (b["cls"] >= 1),
                   0.0, p.max_risk)
    got = triage_risk(alerts, dpd, b["known_diversion"], b["cls"], p.risk_base,
                      p.risk_per_alert, p.max_alerts, *p.risk_overdue, p.risk_diversion,
                      p.risk_watch, p.max_risk)
    assert np.array_equal(got, want)
    # a belief past the cap is held at it
    capped = triage_risk(np.array([30]), np.array([90]), np.array([True]), np.array([3]),
                         p.risk_base, p.risk_per_alert, p.max_alerts, *p.risk_overdue,
                         p.risk_diversion, p.risk_watch, 0.5)
    assert capped[0] == 0.5


def test_candidate_sets_are_the_triages_masks_in_loan_order():
    from sim.strategies.kernels_decide import N_SETS, candidate_sets

    month, early_below, late_dpd, repeat = 12, 30, 30, 6
    b = _book(4000, 14)
    live, dpd = b["live"], b["dpd"]
    want = [
        live & b["diverting"] & ~b["entrusted"],
        live & (dpd >= late_dpd) & (~b["restructured"] | b["disaster"]),
        live & b["disaster"] & (b["alerts"] >= 1) & (dpd == 0) & (b["acted"] < month - repeat),
        live & (dpd < early_below) & ~b["restructured"] & ~b["disaster"] & b["confirmed"],
        live & (dpd > 0),
        live & ~b["frozen"] & (b["undrawn"] > 0) & b["grounds"] & ((dpd > 0) | b["suspects"]),
        live & b["securable"] & b["can_secure"] & ~b["pledged"] & (b["topped"] < month - repeat),
    ]
    table, counts = candidate_sets(
        month, live, dpd, b["restructured"], b["disaster"], b["acted"], b["entrusted"],
        b["frozen"], b["undrawn"], b["grounds"], b["pledged"], b["topped"], b["alerts"],
        b["diverting"],
        b["suspects"], b["confirmed"], b["securable"], b["can_secure"], early_below, late_dpd,
        repeat)
    assert len(counts) == N_SETS == len(want)
    for k, mask in enumerate(want):
        assert np.array_equal(table[k, :counts[k]], np.flatnonzero(mask))


def test_relief_sets_and_assemble_are_the_numpy_parts_in_order():
    """The triage's candidates as numpy built them: relief stages and kinds, then each
    part's values, concatenated in order and filtered to what is worth ranking."""
    from sim.strategies.kernels_decide import assemble, candidate_sets, relief_sets, triage_sets
    from sim.strategies.triage import ACTION_CODES, DEFAULT_TRIAGE, PART_CODES

    p = DEFAULT_TRIAGE
    rng = np.random.default_rng(17)
    n = 3000
    b = _book(n, 18)
    table, counts = candidate_sets(
        7, b["live"], b["dpd"], b["restructured"], b["disaster"], b["acted"], b["entrusted"],
        b["frozen"], b["undrawn"], b["grounds"], b["pledged"], b["topped"], b["alerts"],
        b["diverting"],
        b["suspects"], b["confirmed"], b["securable"], b["can_secure"], 1, 30, 6)
    entrusted, late, deferral, early, call, freeze, secure = (
        table[k, :counts[k]] for k in range(7))
    rs, ed = ACTION_CODES["restructure"], ACTION_CODES["emergency_deferral"]
    dpd, disaster = b["dpd"], b["disaster"]
    relief, stage, kind = relief_sets(table, counts, dpd, disaster, *p.relief_stage, 60, rs, ed)
    assert np.array_equal(relief, np.concatenate([late, deferral, early]))
    assert np.array_equal(stage, np.concatenate([
        np.where(dpd[late] < 60, p.relief_stage[0], p.relief_stage[1]), np.ones(len(deferral)),
        np.where(dpd[early] == 0, 1.0, p.relief_stage[0])]))
    assert np.array_equal(kind, np.where(disaster[late], ed, rs))
    # the two in one call (triage_sets): the same sets and relief columns
    got = triage_sets(
        7, b["live"], b["dpd"], b["restructured"], b["disaster"], b["acted"], b["entrusted"],
        b["frozen"], b["undrawn"], b["grounds"], b["pledged"], b["topped"], b["alerts"],
        b["diverting"], b["suspects"], b["confirmed"], b["securable"], b["can_secure"], 1, 30,
        6, *p.relief_stage, 60, rs, ed)
    assert np.array_equal(got[1], counts)
    assert all(np.array_equal(got[0][k, :counts[k]], table[k, :counts[k]]) for k in range(7))
    assert all(np.array_equal(g, w) for g, w in zip(got[2:], (relief, stage, kind), strict=True))

    risk, lid, lgd = rng.random(n), rng.uniform(0, 1e6, n), rng.choice([0.35, 0.75], n)
    balance = rng.uniform(0, 1e7, n)
    # what the security already held leaves uncovered: none, some, or the whole balance
    uncovered = balance * rng.choice([0.0, 0.1, 1.0], n)
    gain = rng.normal(0, 1e4, len(relief))
    check = np.sort(rng.choice(n, 400, replace=False))
    check_value = rng.normal(0, 1e3, 400)
    offered = rng.random(16) < 0.9
    per_action = rng.choice([0.0, 0.5, 2.0, 8.0], 16)
    # a strided column (as the observation's), some checks shorter than the 0.25 h floor
    check_hours = np.repeat(rng.uniform(0.1, 6.0, (n, 1)), 3, axis=1)[:, 1]
    cut1, cut2 = len(late), len(late) + len(deferral)
    r = risk[secure]
    parts = ((entrusted, (p.diversion_effect + risk[entrusted]) * lid[entrusted]),
             (late, gain[:cut1] * lid[late]), (call, risk[call] * p.call_effect * lid[call]),
             (freeze, risk[freeze] * b["undrawn"][freeze] * lgd[freeze]),
             (deferral, gain[cut1:cut2] * lid[deferral]),
             (secure, r * (1 - r) * np.minimum(balance[secure] * p.collateral_lgd_cut,
                                               uncovered[secure])),
             (early, gain[cut2:] * lid[early]), (check, check_value))
    loans = np.concatenate([i for i, _ in parts])
    codes = np.repeat(PART_CODES, [len(i) for i, _ in parts])
    codes[len(entrusted):cut1 + len(entrusted)] = kind
    value = np.concatenate([v for _, v in parts])
    # less each action's fee, a restructuring's forgone interest and a freeze's attrition
    money, money_share = rng.choice([0.0, 20.0, 5000.0], 16), rng.choice([0.0, 0.005], 16)
    fz, io = ACTION_CODES["freeze_line"], 2
    rate, remaining = rng.uniform(0.0, 0.08, n), rng.integers(-3, 120, n)
    repayment = rng.integers(0, 4, n)
    concession, attrition, funding = 0.01, 0.5, 0.021
    # the column rule: balance owed on average (all of it interest-only, else half) times
    # the years left, on a loan that goes on paying
    owed = np.where(repayment == io, balance, 0.5 * balance) * (
        np.maximum(remaining, 0) / 12.0) * (1.0 - risk)
    value = value - (money[codes] + money_share[codes] * balance[loans])
    value = value - np.where(codes == rs, concession * owed[loans], 0.0)
    value = value - np.where(codes == fz, attrition * np.maximum(rate - funding, 0.0)[loans]
                             * owed[loans], 0.0)
    keep = (value > 0) & offered[codes]
    hours = np.where(codes == ACTION_CODES["onsite_check"], check_hours[loans], per_action[codes])
    got = assemble(table, counts, kind, gain, check, check_value, risk, lid, lgd, b["undrawn"],
                   balance, uncovered, p.diversion_effect, p.call_effect, p.collateral_lgd_cut, PART_CODES,
                   offered, per_action, ACTION_CODES["onsite_check"], check_hours, 0.25,
                   money, money_share, rs, concession, fz, attrition, rate, funding,
                   remaining, repayment, io)
    assert np.array_equal(got[0], loans[keep]) and np.array_equal(got[1], codes[keep])
    assert np.array_equal(got[2], value[keep] / np.maximum(hours[keep], 0.25))


def test_workout_steps_are_the_first_rule_that_holds_largest_balance_first():
    from sim.codes import LoanClass, LoanStatus
    from sim.strategies.kernels_decide import workout_steps

    rng = np.random.default_rng(19)
    n, month, sell_after = 2000, 30, 12
    status = rng.choice([s.value for s in LoanStatus], n).astype(np.int8)
    balance = rng.choice([0.0, 1e5, 2e5, 5e5], n) * rng.choice([1.0, 1.0, 1.5], n)  # ties
    sued = rng.choice([-1, 5, 17, 29, 30], n).astype(np.int32)
    secured, judged, auction = rng.random(n) < 0.5, rng.random(n) < 0.4, rng.random(n) < 0.2
    enforced = judged & (rng.random(n) < 0.5)  # enforcement ends after the judgment
    cls = rng.integers(0, 5, n).astype(np.int8)
    defaulted, loss = LoanStatus.DEFAULTED.value, LoanClass.LOSS.value
    for write_off in (True, False):
        # the numpy rules: the first that holds wins
        dl = np.flatnonzero(status == defaulted)
        dl = dl[np.argsort(-balance[dl], kind="stable")]
        since = month - sued[dl]
        rules = (sued[dl] < 0,
                 secured[dl] & ~auction[dl] & (judged[dl] | (since >= 1)),
                 ~secured[dl] & enforced[dl] & (since >= sell_after),
                 (cls[dl] == loss) & ~secured[dl] & write_off)
        step = np.full(len(dl), -1)
        for k in range(3, -1, -1):
            step[rules[k]] = k
        loans, steps = workout_steps(status, balance, sued, secured, judged, enforced, auction,
                                     cls, month, sell_after, write_off, defaulted, loss)
        assert np.array_equal(loans, dl[step >= 0]) and np.array_equal(steps, step[step >= 0])


def test_ranked_within_hours_takes_the_ranked_candidates_then_the_extra_ones():
    """The triage's month in one call: the candidates by value (np.lexsort's order), the
    extra pairs after, and `take_in_order`'s pick of them, with a check's hours read from
    its loan."""
    from sim.strategies.kernels_decide import ranked_within_hours

    rng = np.random.default_rng(13)
    n_loans, n_actions, check = 30, 5, 4
    per_action = np.array([0.5, 1.0, 2.0, 4.0, 0.0])
    check_hours = rng.uniform(1.0, 6.0, n_loans)
    for size, extra, left in ((0, 0, 5.0), (40, 0, 10.0), (40, 12, 30.0), (300, 20, 1e4)):
        loans = rng.integers(0, n_loans, size)
        codes = rng.integers(0, n_actions, size)
        value = rng.integers(1, 20, size) * 0.5
        extra_loans = rng.integers(0, n_loans, extra)
        extra_codes = rng.integers(0, n_actions, extra)
        order = np.lexsort((codes, loans, -value))
        all_loans = np.concatenate([loans[order], extra_loans])
        all_codes = np.concatenate([codes[order], extra_codes])
        hours = np.where(all_codes == check, check_hours[all_loans], per_action[all_codes])
        take = take_in_order(all_loans * n_actions + all_codes, n_loans * n_actions, hours,
                             left, HOURS_TOLERANCE)
        topped = np.full(n_loans, -99, dtype=np.int64)
        got = ranked_within_hours(np.argsort(-value), loans, codes, value, extra_loans,
                                  extra_codes, per_action, check, check_hours, n_actions,
                                  n_loans, left, HOURS_TOLERANCE, topped, 7, 2)
        assert np.array_equal(got[0], all_loans[take])
        assert np.array_equal(got[1], all_codes[take])
        # the loans asked for extra collateral (code 2 here) are marked with the month
        want = np.full(n_loans, -99, dtype=np.int64)
        want[got[0][got[1] == 2]] = 7
        assert np.array_equal(topped, want)


def test_due_checks_are_the_triages_masks_and_values():
    """The triage's targeted checks as numpy picked and valued them."""
    from sim.strategies.kernels_decide import due_checks

    rng = np.random.default_rng(23)
    n, month = 3000, 20
    live, suspects = rng.random(n) < 0.9, rng.random(n) < 0.3
    last_check = rng.choice([-99, 5, 16, 17, 18, 19, 20], n).astype(np.int32)
    risk, lid = rng.random(n), rng.uniform(0, 1e6, n)
    since = month - last_check
    want = np.flatnonzero(live & ((suspects & (since >= 2)) | (since >= 3)))
    idx, value = due_checks(live, suspects, last_check, month, 2, 3, risk, lid, 0.08)
    assert np.array_equal(idx, want)
    assert np.array_equal(value, risk[want] * lid[want] * 0.08)


def test_the_oracles_visits_are_its_numpy_masks_and_values():
    """The oracle's visits as numpy picked and valued them: the relief's net value less
    its price (a restructuring's, or in a disaster's region a deferral's), never below
    nothing, times the visit's share of the hours of visit and relief."""
    from sim.strategies.kernels_decide import owed_years, quiet_suspects, visit_values

    rng = np.random.default_rng(29)
    n, month, rs, ed, io = 3000, 20, 3, 5, 2
    b = _book(n, 30)
    last_check = rng.choice([-99, 5, 18, 19, 20], n).astype(np.int32)
    idx = quiet_suspects(b["live"], b["grounds"], b["restructured"], b["suspects"],
                         last_check, month, 2)
    assert np.array_equal(idx, np.flatnonzero(
        b["live"] & ~b["grounds"] & ~b["restructured"] & b["suspects"]
        & (month - last_check >= 2)))
    risk, lid = rng.random(n), rng.uniform(0, 1e6, n)
    balance, remaining = rng.uniform(0, 1e7, n), rng.integers(-3, 120, n)
    repayment, check_hours = rng.integers(0, 4, n), rng.uniform(0.5, 6.0, n)
    gain = rng.normal(0, 0.05, len(idx))
    gain[:3] = (np.nan, 0.0, -0.0)
    money, money_share = rng.choice([0.0, 20.0, 5000.0], 8), rng.choice([0.0, 0.005], 8)
    per_action = rng.choice([0.5, 2.0, 16.0], 8)
    for offered in (np.ones(8, dtype=bool), np.arange(8) != ed):
        owed = np.array([owed_years(balance[i], remaining[i], risk[i], repayment[i] == io)
                         for i in idx])
        price = money[rs] + money_share[rs] * balance[idx] + 0.01 * owed
        hours = np.full(len(idx), per_action[rs])
        offer = np.full(len(idx), offered[rs])
        deferral = b["disaster"][idx]
        price = np.where(deferral, money[ed] + money_share[ed] * balance[idx], price)
        hours = np.where(deferral, per_action[ed], hours)
        offer = np.where(deferral, offered[ed], offer)
        net = gain * lid[idx] - price
        visit = check_hours[idx]
        want = 0.8 * np.maximum(net, 0.0) * np.where(offer, visit / (visit + hours), 0.0)
        got = visit_values(idx, gain, lid, balance, remaining, risk, repayment, io,
                           b["disaster"], check_hours, offered, per_action, money,
                           money_share, rs, 0.01, ed, 0.8)
        assert np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(want))


def test_relief_gains_are_the_officers_numpy_product():
    from sim.strategies.kernels_decide import relief_gains

    rng = np.random.default_rng(31)
    n = 2000
    risk = rng.random(n)
    idx = np.sort(rng.choice(n, 300, replace=False))
    health = rng.choice([0.0, 0.05, 0.3, 0.6, 0.9, 1.2], 300) * rng.uniform(0.9, 1.1, 300)
    health[:2] = (np.nan, -0.1)
    stage = rng.choice([1.0, 0.5, 0.25], 300)
    want = risk[idx] * 0.6 * stage * np.clip(health / 0.8, 0.25, 1.0)
    assert np.array_equal(relief_gains(idx, health, np.zeros(0, dtype=bool), 0.8, 0.25, risk,
                                       0.6, stage), want, equal_nan=True)
    # in a disaster's region the relief is a full one, as np.where put it
    disaster = rng.random(n) < 0.3
    want = risk[idx] * 0.6 * stage * np.clip(np.where(disaster[idx], 0.8, health) / 0.8,
                                             0.25, 1.0)
    assert np.array_equal(relief_gains(idx, health, disaster, 0.8, 0.25, risk, 0.6, stage),
                          want, equal_nan=True)


def test_recall_grounds_and_with_extra_are_the_oracles_numpy_steps():
    from sim.strategies.kernels_decide import recall_grounds, with_extra

    rng = np.random.default_rng(37)
    n = 3000
    status = rng.integers(0, 4, n).astype(np.int8)
    dpd = rng.choice([0, 0, 0, 30, 60], n)
    health = rng.normal(0.5, 0.6, n)
    health[:5] = np.nan
    will_default = rng.random(n) < 0.3
    want = np.flatnonzero((status == 0) & (dpd == 0) & (health > 0.2) & (health < 0.9)
                          & will_default)
    assert np.array_equal(recall_grounds(status, dpd, health, will_default, 0, 0.2, 0.9), want)

    loans, codes = rng.integers(0, n, 500), rng.integers(0, 8, 500)
    value = rng.normal(0, 1e3, 500)
    idx, gain = np.sort(rng.choice(n, 60, replace=False)), rng.normal(0, 1e3, 60)
    for drop in (3, -1):
        keep, ok = codes != drop, gain > 0
        got = with_extra(loans, codes, value, drop, idx, gain, 5, 2.5)
        assert np.array_equal(got[0], np.concatenate([loans[keep], idx[ok]]))
        assert np.array_equal(got[1], np.concatenate([codes[keep], np.full(ok.sum(), 5)]))
        assert np.array_equal(got[2], np.concatenate([value[keep], gain[ok] / 2.5]))


def test_exposure_terms_are_the_triages_numpy_columns():
    from sim.strategies.kernels_decide import exposure_terms

    rng = np.random.default_rng(41)
    n = 3000
    status = rng.integers(0, 4, n).astype(np.int8)
    balance = rng.choice([0.0, 1e4, 3e5], n) * rng.uniform(0.5, 1.5, n)
    undrawn = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 1e5, n))
    secured = rng.random(n) < 0.6
    security = rng.choice([0.0, 1e4, 1e6], n)
    exposure = balance + undrawn
    security[:3] = (np.nan, exposure[1], -0.0)  # no appraisal figure, a gap of nothing
    lgd = np.where(secured, 0.35, 0.75)
    for appraisal, uncovered in ((security, np.maximum(exposure - security, 0.0)),
                                 (np.zeros(0), exposure)):
        got = exposure_terms(status, balance, undrawn, secured, appraisal, 0, 0.35, 0.75)
        for a, b in zip(got, (status == 0, lgd, exposure * lgd, uncovered), strict=True):
            assert np.array_equal(a, b, equal_nan=True)
        assert np.array_equal(np.signbit(got[3]), np.signbit(uncovered))
