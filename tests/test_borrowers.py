"""Borrowers with several loans: one health, one classification (the 10% rule)."""

from __future__ import annotations

import numpy as np

from sim.codes import LoanClass
from sim.engine import Simulation
from sim.scenario import parse_scenario

BOOK = """
id: several
title: {zh: 一户多贷, en: Several loans per borrower}
briefing: {zh: 一户多贷, en: Several loans per borrower}
horizon_months: 18
staff: {officers: 2, hours_per_officer_month: 100}
segments:
  - id: wc
    name: {zh: 流贷, en: Working capital}
    product: working_capital
    count: 20
    amount: {median_cny: 2000000, sigma: 0.3}
    term_months: 24
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.3
    rho: 0.1
    industry: manufacturing
    region: zhejiang
  - id: fa
    name: {zh: 固贷, en: Fixed asset}
    product: fixed_asset
    count: 10
    amount: {median_cny: 5000000, sigma: 0.3}
    term_months: 48
    repayment: equal_principal
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.3
    rho: 0.1
    industry: manufacturing
    region: zhejiang
    shared_borrowers: {with_segment: wc, share: 0.5}
borrowers:
  - id: hengda
    segment: wc
    company: {zh: 恒达机械, en: Hengda Machinery}
    legal_rep: {zh: 李明, en: Li Ming}
    other_loans:
      - {segment: fa, amount_cny: 8000000}
"""


def _sim(seed: int = 3) -> Simulation:
    return Simulation(parse_scenario(BOOK, "several.yaml"), seed=seed)


def test_named_and_shared_borrowers_hold_several_loans():
    s = _sim()
    b = s.borrower_of_loan
    assert s.multi_loan
    assert b[20] == 0  # the named borrower's fixed-asset loan is the first slot after wc
    assert s.pf.amount[20] == 8_000_000
    shared = np.flatnonzero(b[20:] != np.arange(20, 30)) + 20
    assert len(shared) == 1 + 5  # the named one, and half of fa shared with wc's borrowers
    assert (b[shared] < 20).all()  # each shared loan belongs to a working-capital borrower


def test_a_borrower_has_one_health_across_its_loans():
    s = _sim()
    for month in (1, 6, 12):
        s.advance_to(month)
        b = s.borrower_of_loan
        assert np.array_equal(s.e, s.e[b])


def test_a_non_performing_borrower_makes_all_its_loans_non_performing():
    for seed in range(20):
        s = _sim(seed)
        s.advance_to(s.T)  # the book at the horizon, before workouts run to their end
        b = s.borrower_of_loan
        for i in np.flatnonzero(b != np.arange(s.n)):
            lead = b[i]
            loans = np.flatnonzero(b == lead)
            on_books = s.status[loans] <= 1
            if on_books.sum() < 2:
                continue
            cls = s.cls[loans][on_books]
            if (cls >= LoanClass.SUBSTANDARD).any():
                assert (cls >= LoanClass.SUBSTANDARD).all(), (seed, loans, cls)
                return
    raise AssertionError("no borrower with several loans became non-performing in 20 seeds")


HOUSEHOLDS = """
id: households
title: {zh: 一户多贷的家庭, en: Households with several loans}
briefing: {zh: 家庭, en: Households}
horizon_months: 18
staff: {officers: 2, hours_per_officer_month: 100}
segments:
  - id: car
    name: {zh: 购车贷款, en: Car loans}
    product: consumer
    count: 40
    amount: {median_cny: 150000, sigma: 0.3}
    term_months: 36
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.4
    rho: 0.1
    industry: household
    region: zhejiang
  - id: reno
    name: {zh: 装修贷款, en: Home improvement loans}
    product: consumer
    count: 40
    amount: {median_cny: 2000000, sigma: 0.3}
    term_months: 36
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.4
    rho: 0.1
    industry: household
    region: zhejiang
    shared_borrowers: {with_segment: car, share: 1.0}
"""


def _one_loan_past_90_days(text: str, name: str) -> tuple[Simulation, int, int]:
    """A book at month 2 whose first borrower with several loans has its first loan 120
    days overdue, reclassified: (run, that loan, the borrower's other loan)."""
    from sim.classification import reclassify

    s = Simulation(parse_scenario(text, name), seed=1)
    s.advance_to(2)
    b = s.borrower_of_loan
    other = int(np.flatnonzero(b != np.arange(s.n))[0])
    first = int(b[other])
    s.dpd[first] = 120
    s.balance[first] = s.balance[other]  # the overdue loan is half the borrower's debt
    reclassify(s, s.t)
    return s, first, other


def test_a_household_s_loans_are_classified_each_on_its_own():
    """The 10% rule binds a non-retail debtor's claims (2023 classification rules, the
    five-categories lesson): a household whose car loan is 120 days overdue keeps its
    home-improvement loan in the class its own payments give it; a firm's other loan goes
    non-performing with it."""
    s, first, other = _one_loan_past_90_days(HOUSEHOLDS, "households.yaml")
    assert s.multi_loan and not s.npl_debtor_rule  # several loans, no debtor rule
    assert s.cls[first] >= LoanClass.SUBSTANDARD
    assert s.dpd[other] == 0 and s.cls[other] < LoanClass.SUBSTANDARD
    s, first, other = _one_loan_past_90_days(BOOK, "several.yaml")
    assert s.npl_debtor_rule
    assert s.dpd[other] == 0 and s.cls[other] >= LoanClass.SUBSTANDARD
