"""The actions' compiled loops give what the one-loan formulas give, to the bit."""

from __future__ import annotations

import numpy as np

from sim.interventions.kernels_act import BURDEN_HORIZON_MONTHS, burden_one
from sim.loanbook import payment_burden_one


def test_burden_one_is_the_one_loan_burden_for_every_repayment_type():
    rng = np.random.default_rng(21)
    n = 20000
    balance = np.where(rng.random(n) < 0.03, 0.0, rng.uniform(1e3, 5e7, n))
    rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.0, 0.15, n))
    remaining = rng.integers(0, 400, n)  # 0: at maturity, counted as one month
    repayment = rng.integers(0, 4, n)
    for b, r, m, k in zip(balance.tolist(), rate.tolist(), remaining.tolist(),
                          repayment.tolist(), strict=True):
        assert burden_one(b, r, m, k, BURDEN_HORIZON_MONTHS) == payment_burden_one(b, r, m, k)


def test_payment_cut_is_the_numpy_burden_before_and_after_to_the_bit():
    """Strategies weigh relief with numpy's burden (its vectorised power); the compiled
    path around that power must give the very same cut."""
    from sim.defaults import INTERVENTIONS
    from sim.interventions.effects import payment_cut
    from sim.loanbook import payment_burden

    params = INTERVENTIONS["restructure"].params
    rng = np.random.default_rng(22)
    for n in (1, 5, 3000):
        balance = np.where(rng.random(n) < 0.03, 0.0, rng.uniform(1e3, 5e7, n))
        rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.0, 0.15, n))
        remaining = rng.integers(1, 400, n)
        repayment = rng.integers(0, 4, n)
        longest = np.maximum(remaining, rng.integers(1, 500, n))  # the limit binds on some
        new_rate = np.maximum(0.0, rate - params["rate_concession"])
        new_remaining = np.minimum(
            np.ceil(remaining * params["term_stretch"]) + params["term_add_months"], longest)
        before = payment_burden(balance, rate, remaining, repayment)
        after = payment_burden(balance, new_rate, new_remaining, repayment)
        with np.errstate(divide="ignore", invalid="ignore"):
            want = np.maximum(np.where(before > 0, 1.0 - after / before, 0.0), 0.0)
        got_rate, got_remaining, cut = payment_cut(balance, rate, remaining, longest,
                                                   repayment, params)
        assert np.array_equal(cut, want)
        assert np.array_equal(got_rate, new_rate) and np.array_equal(got_remaining, new_remaining)


def test_wave_ranks_count_earlier_actions_of_the_same_chain_on_the_same_loan():
    from sim.interventions.kernels_act import wave_ranks

    rng = np.random.default_rng(23)
    for m in (2, 10, 500):
        loans = rng.integers(0, 40, m)
        chain = rng.integers(-1, 2, m)
        got = wave_ranks(loans, chain, 40, 2)
        want = [0 if chain[j] < 0 else int(np.sum((loans[:j] == loans[j]) & (chain[:j] == chain[j])))
                for j in range(m)]
        assert got.tolist() == want


def test_wave_groups_order_a_run_by_wave_then_code_then_list_order():
    from sim.interventions.kernels_act import wave_groups, wave_ranks

    rng = np.random.default_rng(25)
    for m in (1, 2, 10, 500):
        loans = rng.integers(0, 40, m)
        codes = rng.integers(0, 5, m)
        code_chain = rng.integers(-1, 2, 5)
        order, bounds = wave_groups(loans, codes, code_chain, 40, 2, 5)
        rank = wave_ranks(loans, code_chain[codes], 40, 2)
        assert order.tolist() == sorted(range(m), key=lambda j: (rank[j], codes[j], j))
        assert bounds.shape == (rank.max() + 1, 6) and bounds[0, 0] == 0
        assert bounds[-1, -1] == m
        for w in range(len(bounds)):
            for c in range(5):
                group = order[bounds[w, c]:bounds[w, c + 1]]
                assert (rank[group] == w).all() and (codes[group] == c).all()


def test_charge_block_books_hours_money_and_months_as_act_does_in_order():
    from sim.codes import LoanStatus
    from sim.interventions.kernels_act import charge_block

    rng = np.random.default_rng(25)
    n, m, width = 300, 500, 7
    loans = rng.integers(0, n, m)
    codes = rng.integers(0, width, m)
    hours = rng.choice([0.0, 0.5, 1.5, 4.0], m) * rng.uniform(0.9, 1.1, m)
    fixed = rng.uniform(0, 500, width)
    share = rng.choice([0.0, 0.001], width)
    preventive = rng.random(width) < 0.5
    status = rng.choice([s.value for s in LoanStatus], n).astype(np.int8)
    balance = rng.uniform(-1.0, 1e6, n)
    written_off = rng.uniform(0, 1e6, n)
    costs = rng.uniform(0, 100, n)
    first = np.where(rng.random(n) < 0.5, -1, 3).astype(np.int32)
    acted = np.full(n, -99, dtype=np.int32)
    taken = np.zeros(n * width, dtype=bool)
    # the reference: `act`'s booking, one action after another
    left, money = 4000.0, 123.0
    want_costs, want_first, want_acted = costs.copy(), first.copy(), acted.copy()
    want_cost = []
    for i, c, h in zip(loans.tolist(), codes.tolist(), hours.tolist(), strict=True):
        if h > 0:
            left -= h
        on_books = status[i] in (LoanStatus.ACTIVE.value, LoanStatus.DEFAULTED.value)
        cost = fixed[c] + share[c] * max(float(balance[i] if on_books else written_off[i]), 0.0)
        want_costs[i] += cost
        money += cost
        want_cost.append(cost)
        if preventive[c]:
            if want_first[i] < 0:
                want_first[i] = 9
            want_acted[i] = 9
    got_left, got_money, got_cost = charge_block(
        4000.0, 123.0, loans, codes, hours, fixed, share, preventive, status, balance,
        written_off, costs, first, acted, 9, taken, width)
    assert (got_left, got_money) == (left, money)
    assert got_cost.tolist() == want_cost
    assert np.array_equal(costs, want_costs)
    assert np.array_equal(first, want_first) and np.array_equal(acted, want_acted)
    assert np.array_equal(np.flatnonzero(taken), np.unique(loans * width + codes))


def test_restructuring_loans_in_one_pass_gives_each_the_one_loan_terms_to_the_last_bit():
    """The batch path restructures many loans at once; each must get exactly the terms,
    relief and result the one-loan effect gives it, and the others nothing."""
    from sim import defaults
    from sim.interventions.effects import relief_health, restructure_terms
    from sim.interventions.kernels_act import restructure_loans

    p = defaults.INTERVENTIONS["restructure"].params
    rng = np.random.default_rng(26)
    n = 3000
    balance = np.where(rng.random(n) < 0.05, 0.0, rng.uniform(1e3, 5e7, n))
    rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.0, 0.15, n))
    rate0 = rate + rng.choice([0.0, 0.005], n)
    mob = rng.integers(0, 60, n).astype(np.int32)
    term = (mob + rng.integers(-3, 120, n)).astype(np.int32)  # some past maturity
    latest = (term + rng.integers(-20, 80, n)).astype(np.int32)  # some extended already
    repayment = rng.integers(0, 3, n).astype(np.int8)
    dpd = rng.choice([0, 30, 60, 90, 120], n).astype(np.int32)
    shift = rng.normal(0, 0.1, n)
    until = rng.choice([-1, 10, 20], n).astype(np.int32)  # some still under observation
    again = np.zeros(n, dtype=bool)
    misses = (dpd // 30).astype(np.int32)
    idx = np.sort(rng.choice(n, 1200, replace=False))
    before = {k: v.copy() for k, v in dict(rate=rate, rate0=rate0, term=term, shift=shift,
                                          dpd=dpd, misses=misses, until=until).items()}
    stages = sorted(p["stage_factor"])
    meaningful = restructure_loans(
        idx, balance, rate, rate0, term, latest, mob, repayment, dpd, shift, again, until,
        misses, p["rate_concession"], p["term_stretch"], float(p["term_add_months"]),
        p["health_per_payment_cut"], p["max_health_boost"], np.array(stages),
        np.array([p["stage_factor"][s] for s in stages]), 30, 15, 17, p["meaningful_cut"])
    for j, i in enumerate(idx.tolist()):
        b = before
        new_rate, new_remaining, cut = restructure_terms(
            float(balance[i]), float(b["rate"][i]), max(int(b["term"][i] - mob[i]), 1),
            max(int(latest[i] - mob[i]), max(int(b["term"][i] - mob[i]), 1)),
            int(repayment[i]), p)
        assert rate[i] == new_rate
        assert term[i] == min(mob[i] + new_remaining, max(latest[i], b["term"][i]))
        assert rate0[i] == max(0.0, b["rate0"][i] - (b["rate"][i] - new_rate))
        assert shift[i] == b["shift"][i] + relief_health(p, cut, int(b["dpd"][i]))
        assert (dpd[i], misses[i], until[i]) == (0, 0, 17)
        assert again[i] == (b["until"][i] >= 15)
        assert meaningful[j] == (cut >= p["meaningful_cut"])
    rest = np.setdiff1d(np.arange(n), idx)
    for name, now in dict(rate=rate, rate0=rate0, term=term, shift=shift, dpd=dpd,
                          misses=misses, until=until).items():
        assert np.array_equal(now[rest], before[name][rest])
    assert not again[rest].any()


def test_the_cut_of_some_loans_is_their_cut_among_the_whole_book():
    from sim.defaults import INTERVENTIONS
    from sim.interventions.effects import cut_of, payment_cut

    params = INTERVENTIONS["restructure"].params
    rng = np.random.default_rng(27)
    n = 2000
    balance = rng.uniform(1e3, 5e7, n)
    rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.0, 0.15, n))
    remaining = rng.integers(1, 400, n).astype(np.int32)
    repayment = rng.integers(0, 3, n).astype(np.int8)
    longest = np.maximum(remaining, rng.integers(1, 500, n))
    whole = payment_cut(balance, rate, remaining, longest, repayment, params)[2]
    for size in (0, 1, 37, 900):
        idx = np.sort(rng.choice(n, size, replace=False))
        assert np.array_equal(cut_of(idx, balance, rate, remaining, longest, repayment, params),
                              whole[idx])


def test_run_plan_finds_repeated_or_taken_pairs_hours_and_what_surely_fits():
    from sim.interventions.kernels_act import run_plan
    from sim.observation import HOURS_TOLERANCE

    rng = np.random.default_rng(28)
    n, width, check = 200, 6, 2
    check_hours = np.repeat(rng.uniform(0.5, 6.0, (n, 1)), 3, axis=1)[:, 1]  # strided
    action_hours = rng.choice([0.0, 0.5, 2.0], width)
    for m in (2, 5, 60):
        for left in (1.0, 20.0, 1e4):
            loans = rng.integers(0, n, m)
            codes = rng.integers(0, width, m)
            taken = np.zeros(n * width, dtype=bool)
            if left == 20.0:
                taken[rng.integers(0, n * width, 30)] = True
            pair = loans * width + codes
            want_fresh = not taken[pair].any() and len(np.unique(pair)) == m
            hours = np.where(codes == check, check_hours[loans], action_hours[codes])
            before = np.subtract.accumulate(np.concatenate(([left], hours)))[:-1]
            short = np.flatnonzero(hours > before + HOURS_TOLERANCE)
            fresh, got, fit = run_plan(loans, codes, width, taken, check, check_hours,
                                       action_hours, left, HOURS_TOLERANCE)
            assert fresh == want_fresh and np.array_equal(got, hours)
            assert fit == (int(short[0]) if len(short) else m)


def test_a_rate_too_small_to_discount_pays_level_everywhere_instead_of_dividing_by_zero():
    """Restructurings lower a rate by a concession; a rate just above it leaves a residue
    such as 9e-18 a year, at which (1 + r) ** -n rounds to 1. Every burden and the book's
    schedule then pay level, as at a rate of 0 (a rule table restructuring a loan every
    six months on rising_lpr, seed 30, stopped a study with ZeroDivisionError)."""
    from sim.defaults import INTERVENTIONS
    from sim.interventions.effects import payment_cut, restructure_terms
    from sim.loanbook import payment_burden

    tiny, balance, months = 9e-18, 2_822_391.58, 443
    level = balance / months
    eq = 0  # Repayment.EQUAL_INSTALMENT
    assert burden_one(balance, tiny, months, eq, BURDEN_HORIZON_MONTHS) == level
    assert payment_burden_one(balance, tiny, months, eq) == level
    assert payment_burden(np.array([balance]), np.array([tiny]), np.array([months]),
                          np.array([eq]))[0] == level
    params = INTERVENTIONS["restructure"].params
    rate = params["rate_concession"] + 9e-18 * 2  # what the concession leaves tiny
    for r in (rate, params["rate_concession"] + 1e-17):
        _, _, cut = restructure_terms(balance, r, months, 10 * months, eq, params)
        _, _, cuts = payment_cut(np.array([balance]), np.array([r]), np.array([months]),
                                 np.array([10 * months]), np.array([eq]), params)
        assert np.isfinite(cut) and np.isfinite(cuts).all()


def test_a_loan_at_a_residue_rate_is_restructured_and_paid_without_dividing_by_zero():
    from pathlib import Path

    from sim.engine import Simulation
    from sim.interventions.effects import act
    from sim.scenario import load_scenario

    sim = Simulation(load_scenario(Path(__file__).resolve().parents[1] / "scenarios" /
                                   "rising_lpr.yaml"), seed=30, warnings=False)
    sim.advance_to(1)
    concession = sim.catalogue["restructure"].params["rate_concession"]
    eq = np.flatnonzero((sim.pf.repayment == 0) & (sim.status == 0))
    i = int(eq[0])
    sim.rate[i] = concession + 9e-18  # the residue of earlier concessions
    sim.dpd[i] = 30
    sim.misses[i] = 1
    sim._hours_left = 1e6
    act(sim, i, "restructure")
    assert 0.0 <= sim.rate[i] < 1e-16
    sim.advance_to(3)
    assert np.isfinite(sim.balance).all() and sim.balance[i] >= 0


def test_the_book_security_in_one_pass_is_the_numpy_figure_to_the_last_bit():
    """What the officer counts its security to fetch (an observation's `security_cny`) is
    worked out for the whole book in one compiled pass; every loan must get exactly the
    array code's figure: sold, set-off deposits, top-ups alone and beside, no security."""
    from types import SimpleNamespace

    from sim.interventions import workouts
    from sim.portfolio import COLLATERAL_TYPES

    rng = np.random.default_rng(41)
    n = 4000
    ctype = rng.integers(0, len(COLLATERAL_TYPES), n)
    appraised0 = rng.uniform(0.0, 8e6, n)
    sim = SimpleNamespace(
        pf=SimpleNamespace(collateral_type=ctype, appraised0=appraised0),
        collateral_sold=rng.random(n) < 0.2,
        deposit_pledged=(ctype == workouts.DEPOSIT) & (rng.random(n) < 0.9),
        extra_collateral=np.where(rng.random(n) < 0.3, rng.uniform(0.0, 2e6, n), 0.0),
        appraised=np.where(rng.random(n) < 0.1, 0.5 * appraised0, appraised0 * 1.1))
    whole = workouts.appraised_security(sim)
    every = np.arange(n)
    some = workouts.appraised_security(sim, every)  # the array path, loan numbers
    assert whole.tobytes() == some.tobytes()
    # each kind of loan is there, so each branch was compared
    assert (sim.collateral_sold & (sim.extra_collateral > 0)).any()
    assert (sim.deposit_pledged & ~sim.collateral_sold).any()
    assert (ctype == workouts.NO_COLLATERAL).any() and (whole == 0).any()
