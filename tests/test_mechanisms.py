"""The mechanisms that make early action pay (issue 9), each tested on its own.

Each is a property of the model, not of a case: free assets and collateral wear down
once distress begins, a restructuring helps in proportion to the real cut in the
payment, extra security taken while the borrower is sound raises recovery, and a
frozen line stops the exposure growing. docs/model.md gives each one's source.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import defaults
from sim.codes import Repayment
from sim.engine import Decision, Observation, Simulation
from sim.interventions.effects import (
    payment_cut,
    relief_health,
    restructure_inputs,
    restructure_terms,
)
from sim.interventions.workouts import expected_workout_recovery, residual_share
from sim.scenario import parse_scenario
from sim.strategies import NO_CHECKS, Strategy

BOOK = """
id: mechanisms
title: {zh: 机制, en: Mechanisms}
briefing: {zh: 机制测试, en: Mechanism tests}
horizon_months: 24
staff: {officers: 4, hours_per_officer_month: 120}
segments:
  - id: lines
    name: {zh: 额度, en: Lines}
    product: fixed_asset
    count: 60
    amount: {median_cny: 4000000, sigma: 0.4}
    term_months: 48
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.12
    rho: 0.15
    industry: manufacturing
    region: zhejiang
    collateral: {type: property, ltv: 0.6}
    undrawn_share: 0.5
"""

RESTRUCTURE = defaults.INTERVENTIONS["restructure"].params


@pytest.fixture(scope="module")
def book():
    return parse_scenario(BOOK, "mechanisms.yaml")


class OnLoan(Strategy):
    """No checks; one action on one loan at one month."""

    name = "one-action"

    def __init__(self, loan: int, action: str, month: int):
        super().__init__()
        self.loan, self.action, self.month = loan, action, month

    def decide(self, obs: Observation) -> Decision:
        acts = [(self.loan, self.action)] if obs.month == self.month else []
        return Decision(policy=NO_CHECKS, actions=acts)


def _sim(book, strategy: Strategy | None = None, seed: int = 5) -> Simulation:
    decide = strategy.decide if strategy else (lambda obs: Decision(policy=NO_CHECKS))
    return Simulation(book, seed=seed, decider=decide)


# --- 1. free assets and collateral decay once distress begins ----------------------
def test_free_assets_halve_over_the_half_life():
    half = defaults.RESIDUAL_HALF_LIFE_MONTHS
    assert residual_share(half) == pytest.approx(residual_share(0) / 2)
    assert residual_share(2 * half) == pytest.approx(residual_share(0) / 4)


def test_a_workout_started_later_recovers_less(book):
    """The same defaulted claim is worth less to a workout after months of distress: other
    creditors and the owners have taken the free assets, the collateral has worn down."""
    sim = _sim(book)
    sim.advance_to(3)
    idx = np.arange(sim.n)
    claim = 3.0 * sim.balance  # a claim the security does not cover
    early = expected_workout_recovery(sim, idx, claim)
    sim.distress_months[:] += 12
    sim.condition[:] *= (1 - defaults.COLLATERAL_DECAY_PER_MONTH_DISTRESSED) ** 12
    late = expected_workout_recovery(sim, idx, claim)
    assert (late <= early + 1e-9).all()
    uncovered = early < claim * sim.discount(sim.T) - 1.0  # security does not cover all
    assert uncovered.any()
    assert (late[uncovered] < early[uncovered]).all()


# --- 2. relief in proportion to the real cut in the payment ------------------------
def test_a_longer_term_and_lower_rate_cut_an_amortising_payment():
    _, n, cut = restructure_terms(1e6, 0.05, 24, 99, Repayment.EQUAL_INSTALMENT, RESTRUCTURE)
    assert n > 24
    assert 0.3 < cut < 0.6


def test_a_bullet_due_soon_is_the_burden_a_restructuring_lifts():
    _, _, soon = restructure_terms(1e6, 0.05, 4, 99, Repayment.INTEREST_ONLY_BULLET, RESTRUCTURE)
    _, _, later = restructure_terms(1e6, 0.05, 30, 99, Repayment.INTEREST_ONLY_BULLET, RESTRUCTURE)
    assert soon > 0.5  # the principal due within the year moves out
    assert later < 0.3  # only the rate concession is felt


def test_one_loan_and_the_whole_book_get_the_same_restructuring_terms():
    """The engine restructures one loan in plain floats; strategies weigh relief over
    columns. Both must offer the borrower the same terms (numpy's vectorised power may
    round the last bit differently from the C library's)."""
    rng = np.random.default_rng(7)
    n = 400
    balance = rng.uniform(1e4, 5e7, n)
    rate = rng.choice([0.0, 0.0345, 0.049, 0.12], n)
    remaining = rng.integers(1, 120, n)
    repayment = rng.integers(0, len(Repayment), n)
    longest = np.maximum(remaining, rng.integers(1, 200, n))
    new_rate, new_remaining, cut = payment_cut(balance, rate, remaining, longest, repayment,
                                               RESTRUCTURE)
    for i in range(n):
        one = restructure_terms(float(balance[i]), float(rate[i]), int(remaining[i]),
                                int(longest[i]), int(repayment[i]), RESTRUCTURE)
        assert one[:2] == (new_rate[i], int(new_remaining[i]))
        assert one[2] == pytest.approx(cut[i], rel=1e-12, abs=1e-15)


def test_relief_without_a_payment_cut_barely_helps():
    same = dict(RESTRUCTURE, rate_concession=0.0, term_stretch=1.0, term_add_months=0)
    _, _, cut = restructure_terms(1e6, 0.05, 24, 99, Repayment.EQUAL_INSTALMENT, same)
    assert cut == pytest.approx(0.0, abs=1e-9)
    assert relief_health(same, cut, 0) == pytest.approx(0.0, abs=1e-9)
    assert relief_health(RESTRUCTURE, 0.4, 0) > 0.2


def test_relief_after_arrears_helps_less():
    assert relief_health(RESTRUCTURE, 0.4, 0) > relief_health(RESTRUCTURE, 0.4, 30) > \
        relief_health(RESTRUCTURE, 0.4, 60)


class OnLoans(Strategy):
    """No checks; one action on several loans at one month."""

    name = "several"

    def __init__(self, loans, action: str, month: int):
        super().__init__()
        self.loans, self.action, self.month = list(loans), action, month

    def decide(self, obs: Observation) -> Decision:
        acts = [(i, self.action) for i in self.loans] if obs.month == self.month else []
        return Decision(policy=NO_CHECKS, actions=acts)


def test_a_restructuring_that_cuts_the_payment_lowers_redefault(book):
    """Over several seeds, borrowers in arrears restructured with a real payment cut
    default less often afterwards than the same borrowers restructured with no cut."""
    def defaults_after(params: dict) -> tuple[int, int]:
        total = treated = 0
        original = dict(RESTRUCTURE)
        RESTRUCTURE.update(params)
        try:
            for seed in range(10):
                probe = _sim(book, seed=seed)
                probe.advance_to(6)
                late = np.flatnonzero((probe.status == 0) & ~probe.defaulted & (probe.dpd > 0))
                run = _sim(book, OnLoans(late, "restructure", 7), seed=seed).run()
                total += int(run.loans["defaulted"].iloc[late].sum())
                treated += len(late)
        finally:
            RESTRUCTURE.clear()
            RESTRUCTURE.update(original)
        return total, treated

    with_cut, n = defaults_after({})
    no_cut, _ = defaults_after({"rate_concession": 0.0, "term_stretch": 1.0, "term_add_months": 0})
    assert n >= 10
    assert with_cut < no_cut


def test_extension_limits_follow_the_general_lending_rules():
    """贷款通则 Art. 12: all extensions of a short-term loan together at most its original
    term, of a medium-term loan half of it, of a long-term loan three years."""
    from sim.loanbook import extension_limit_months

    terms = np.array([6, 12, 13, 36, 48, 60, 61, 120, 240], dtype=np.int32)
    assert extension_limit_months(terms).tolist() == [6, 12, 6, 18, 24, 30, 36, 36, 36]


def test_serial_restructurings_never_stretch_a_loan_past_its_extension_limit(book):
    """A restructuring stretches the remaining term; done again and again it once took a
    36-month loan to 456 months. Both paths (one loan, and a month's batch) stop at the
    limit, and a restructuring at the limit still lowers the rate, with little relief."""
    from sim.interventions.batch import act_many
    from sim.loanbook import extension_limit_months

    sim = _sim(book)
    limit = extension_limit_months(sim.pf.term)
    assert (limit == 24).all()  # the book's 48-month loans
    loans = np.flatnonzero((sim.status == 0) & ~sim.defaulted)[:12].tolist()
    rates = sim.rate[loans].copy()
    for month in (2, 8, 14, 20):
        sim.advance_to(month)
        alive = [i for i in loans if sim.status[i] == 0 and not sim.defaulted[i]]
        sim.dpd[alive] = 30  # in difficulty, so a restructuring is admissible
        sim._hours_left = 1e6
        act_many(sim, [(i, "restructure") for i in alive[1:]])  # the batch path
        assert sim.act(alive[0], "restructure") is None  # the one-loan path
    extended = sim.term[loans] - sim.pf.term[loans]
    assert (extended <= limit[loans]).all()
    assert (extended == limit[loans]).any()  # the limit bound
    assert (sim.rate[loans] < rates).all()  # the rate still came down
    at_limit = loans[int(np.argmax(extended == limit[loans]))]
    sim.dpd[at_limit] = 30
    terms = restructure_terms(*restructure_inputs(sim, at_limit), RESTRUCTURE)
    assert terms[1] == max(int(sim.term[at_limit] - sim.mob[at_limit]), 1)  # no longer
    assert terms[2] < RESTRUCTURE["meaningful_cut"]
    # at its latest maturity (the last month counts as one to go) the term stays put
    sim.mob[at_limit] = sim.term[at_limit]
    before = int(sim.term[at_limit])
    sim._done_this_month.discard((at_limit, "restructure"))
    assert sim.act(at_limit, "restructure") is None
    assert int(sim.term[at_limit]) == before


def test_a_loan_restructured_again_under_observation_is_non_performing(book):
    """A second restructuring while the first's observation period runs shows that the
    borrower still cannot pay: the loan is at least 次级 (not 关注, which serial
    restructurings kept it at, hiding the book's trouble) until the new observation period
    ends. A restructuring after the observation period is over is a first one again: 关注.
    Both paths (one loan, and a month's batch) mark it; the hidden state's class agrees."""
    from sim.codes import LoanClass
    from sim.interventions.batch import act_many
    from sim.judgement import warranted

    months = RESTRUCTURE["observation_months"]
    sim = _sim(book)
    sim.advance_to(1)
    sound = np.flatnonzero((sim.status == 0) & ~sim.defaulted)
    again, batch, later = (int(i) for i in sound[:3])
    sim.shift[[again, batch, later]] += 10.0  # they pay on time from now on

    def restructure(loans, one_by_one=True):
        sim.dpd[loans] = 30  # in difficulty, so a restructuring is admissible
        sim._hours_left = 1e6
        if one_by_one:
            for i in loans:
                assert sim.act(i, "restructure") is None
        else:
            act_many(sim, [(i, "restructure") for i in loans])

    restructure([again, batch, later])  # decided for month 2
    sim.advance_to(2)
    assert (sim.cls[[again, batch, later]] == LoanClass.SPECIAL_MENTION).all()
    assert not sim.restructured_again[[again, batch, later]].any()

    sim.advance_to(5)
    first_until = sim.restructured_until[[again, batch]].copy()
    restructure([again])  # month 6, inside the observation period of month 2's
    restructure([batch], one_by_one=False)
    sim.advance_to(6)
    assert (sim.restructured_until[[again, batch]] > first_until).all()  # counted anew
    for i in (again, batch):
        assert sim.restructured_again[i]
        assert sim.cls[i] == LoanClass.SUBSTANDARD
        assert warranted(sim, 6)[i] >= LoanClass.SUBSTANDARD
    assert sim.cls[later] == LoanClass.SPECIAL_MENTION

    sim.advance_to(2 + months)  # month 2's observation period is over
    restructure([later])
    sim.advance_to(3 + months)
    assert not sim.restructured_again[later]
    assert sim.cls[later] == LoanClass.SPECIAL_MENTION
    assert (sim.cls[[again, batch]] == LoanClass.SUBSTANDARD).all()  # still observed

    sim.advance_to(7 + months)  # the second observation period is over, paid on time
    assert (sim.cls[[again, batch]] == LoanClass.NORMAL).all()


# --- 3. extra security taken while the borrower is sound --------------------------
def test_extra_collateral_is_given_only_while_the_borrower_is_sound(book):
    sim = _sim(book)
    sim.advance_to(2)
    performing = np.flatnonzero((sim.status == 0) & ~sim.defaulted)
    sound = int(performing[np.argmax(sim.d[performing])])
    weak = int(performing[np.argmin(sim.d[performing])])
    sim.d[weak] = defaults.INTERVENTIONS["add_collateral"].params["health_margin"] - 1.0
    before = sim.recoverable().copy()
    assert sim.act(sound, "add_collateral") is None
    assert sim.act(weak, "add_collateral") is None
    after = sim.recoverable()
    assert sim.extra_collateral[sound] > 0 and after[sound] >= before[sound]
    assert sim.extra_collateral[weak] == 0


# --- 4. a frozen line stops the exposure growing -----------------------------------
def test_a_frozen_line_is_not_drawn_when_the_borrower_weakens(book):
    probe = _sim(book)
    probe.advance_to(1)
    i = int(np.argmax(probe.undrawn))
    assert probe.undrawn[i] > 0
    free = _sim(book)
    frozen = _sim(book, OnLoan(i, "freeze_line", 2))
    for s in (free, frozen):
        s.advance_to(2)
        s.d[i] = s.e[i] = -3.0  # distress: a weak borrower draws what it can
        s.shift[i] = -3.0
        s.advance_to(4)
    assert frozen.balance[i] + frozen.repaid[i] < free.balance[i] + free.repaid[i]
    assert frozen.disbursed[i] < free.disbursed[i]
