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


def test_a_restructuring_in_compiled_code_gives_the_one_loan_terms_to_the_last_bit():
    """The compiled loop restructures a loan with `restructured`: exactly the new rate,
    months to go, relief and cut the one-loan effect gives it."""
    from sim import defaults
    from sim.interventions.effects import relief_health, restructure_terms
    from sim.interventions.kernels_act import RESTRUCTURE_TERMS, restructured

    p = defaults.INTERVENTIONS["restructure"].params
    terms = np.array([p[t] for t in RESTRUCTURE_TERMS], dtype=float)
    stages = sorted(p["stage_factor"])
    days, factors = np.array(stages), np.array([p["stage_factor"][s] for s in stages])
    rng = np.random.default_rng(26)
    n = 3000
    balance = np.where(rng.random(n) < 0.05, 0.0, rng.uniform(1e3, 5e7, n))
    rate = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.0, 0.15, n))
    mob = rng.integers(0, 60, n).astype(np.int32)
    term = (mob + rng.integers(-3, 120, n)).astype(np.int32)  # some past maturity
    latest = (term + rng.integers(-20, 80, n)).astype(np.int32)  # some extended already
    repayment = rng.integers(0, 3, n).astype(np.int8)
    dpd = rng.choice([0, 30, 60, 90, 120], n).astype(np.int32)
    for i in range(n):
        remaining = max(int(term[i] - mob[i]), 1)
        new_rate, new_remaining, cut = restructure_terms(
            float(balance[i]), float(rate[i]), remaining,
            max(int(latest[i] - mob[i]), remaining), int(repayment[i]), p)
        assert restructured(balance[i], rate[i], term[i], latest[i], mob[i], repayment[i],
                            dpd[i], terms, days, factors, 30) == (
            new_rate, new_remaining, relief_health(p, cut, int(dpd[i])), cut)


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


def test_what_a_workout_recovers_of_some_loans_is_the_numpy_figure_to_the_last_bit():
    """The oracle costs a few loans' recovery (`recovery_value` of an array of loan numbers)
    in one compiled pass; each must get exactly the figure the array code gives the whole
    book: sold, set-off deposits, top-ups alone and beside, sound and failed guarantors."""
    from types import SimpleNamespace

    from sim.interventions import workouts
    from sim.portfolio import COLLATERAL_TYPES

    rng = np.random.default_rng(43)
    n = 4000
    ctype = rng.integers(0, len(COLLATERAL_TYPES), n)
    sim = SimpleNamespace(
        pf=SimpleNamespace(collateral_type=ctype, appraised0=rng.uniform(0.0, 8e6, n),
                           guarantor=np.where(rng.random(n) < 0.4, rng.integers(0, n, n), -1)),
        collateral_sold=rng.random(n) < 0.2,
        deposit_pledged=(ctype == workouts.DEPOSIT) & (rng.random(n) < 0.9),
        extra_collateral=np.where(rng.random(n) < 0.3, rng.uniform(0.0, 2e6, n), 0.0),
        condition=rng.uniform(0.5, 1.2, n), _index_now=0.93,
        balance=rng.uniform(0.0, 9e6, n), distress_months=rng.integers(0, 30, n) * 1.0,
        d=rng.normal(0.0, 1.0, n), defaulted=rng.random(n) < 0.2)
    whole = workouts.recovery_value(sim)  # the array code
    some = rng.integers(0, n, 500)
    assert workouts.recovery_value(sim, some).tobytes() == whole[some].tobytes()
    assert workouts.recovery_value(sim, np.arange(n)).tobytes() == whole.tobytes()
    # each kind of loan is there, so each branch was compared
    assert (sim.collateral_sold & (sim.extra_collateral > 0)).any()
    assert (sim.deposit_pledged & ~sim.collateral_sold & (sim.extra_collateral > 0)).any()
    assert (sim.pf.guarantor >= 0).any() and (whole == sim.balance).any()
