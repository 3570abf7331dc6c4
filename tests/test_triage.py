"""The early-warning officer's triage: large exposures are seen on site, small ones off site.

A competent officer with few hours does not spread them evenly: it keeps its largest
exposures under on-site visits at least quarterly (domain: routine checks quarterly),
whatever the routine policy can afford for the whole book, and leaves small retail loans
to off-site monitoring (issue 9).
"""

from __future__ import annotations

import numpy as np

from sim.engine import Simulation
from sim.scenario import parse_scenario
from sim.strategies import EarlyWarning
from sim.strategies.triage import DEFAULT_TRIAGE

BOOK = """
id: triage
title: {zh: 分诊, en: Triage}
briefing: {zh: 分诊, en: Triage}
horizon_months: 12
staff: {officers: 1, hours_per_officer_month: 40}
segments:
  - id: developers
    name: {zh: 开发贷, en: Developers}
    product: real_estate_dev
    count: 3
    amount: {median_cny: 200000000, sigma: 0.1}
    term_months: 24
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.02
    industry: real_estate
    region: guangdong
    collateral: {type: land, ltv: 0.5}
  - id: households
    name: {zh: 消费贷, en: Households}
    product: consumer
    count: 120
    amount: {median_cny: 50000, sigma: 0.3}
    term_months: 36
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.02
    industry: households
    region: guangdong
"""


def _observe_month_3(unvisited):
    seen = {}

    def decide(obs):
        decision = EarlyWarning().decide(obs)
        if obs.month == 3:
            seen["obs"], seen["decision"] = obs, decision
        return decision

    sim = Simulation(parse_scenario(BOOK, "triage.yaml"), seed=2, decider=decide)
    sim.advance_to(2)
    sim.last_check[:] = 2  # everyone seen lately ...
    sim.last_check[unvisited] = 3 - DEFAULT_TRIAGE.visit_after_months - 1  # ... but these
    sim.last_seen[:] = -99  # no signal anywhere
    sim.advance_to(3)
    return sim, seen


def test_a_large_exposure_not_seen_for_a_quarter_gets_a_visit():
    sim, _ = _observe_month_3(unvisited=[])
    developers = np.flatnonzero(sim.pf.product == sim.pf.product[0])
    households = np.flatnonzero(sim.pf.product != sim.pf.product[0])
    sim, seen = _observe_month_3(unvisited=np.r_[developers[:1], households])
    visits = [i for i, a in seen["decision"].actions if a == "onsite_check"]
    assert int(developers[0]) in visits
    # a household is worth less than a developer's visit, hour for hour: it gets one only
    # with the hours left over, and most stay with off-site monitoring
    assert visits[0] == int(developers[0])
    assert len(set(visits) & set(households.tolist())) < len(households) / 4


def test_loans_seen_lately_and_without_signals_are_not_visited():
    _, seen = _observe_month_3(unvisited=[])
    assert not [a for _, a in seen["decision"].actions if a == "onsite_check"]


def test_early_warning_keeps_the_case_policy_when_the_team_can_and_triages_when_it_cannot():
    """The bank's rules first: with the hours to keep the case's policy on average, early
    warning books it, catching up a first month's backlog unrushed, and keeps nearly every
    loan-month up to it. A case whose policy needs twice the team's hours (review_meeting)
    makes it triage to a lighter policy instead of rushing checks into formalities."""
    from sim.engine import simulate
    from sim.scenario import load_scenario, scenario_paths

    paths = {p.stem: p for p in scenario_paths()}
    intro = load_scenario(paths["intro"])
    kept = [simulate(intro, seed=s, strategy="early-warning") for s in (101, 102, 103)]
    assert min(r.policy_compliance for r in kept) > 0.95
    review = load_scenario(paths["review_meeting"])
    sim = Simulation(review, seed=101, decider=EarlyWarning().decide)
    sim.advance_to(3)
    assert sim.policy != review.monitoring
    assert sim.rec.checks.policy_share() < 0.5
