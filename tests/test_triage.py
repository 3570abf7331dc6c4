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


SECURED_BOOK = """
id: topups
title: {zh: 追加担保, en: Top-ups}
briefing: {zh: 追加担保, en: Top-ups}
horizon_months: 12
staff: {officers: 5, hours_per_officer_month: 200}
segments:
  - id: on_property
    name: {zh: 房产抵押, en: On property}
    product: small_business
    count: 20
    amount: {median_cny: 1000000, sigma: 0.2}
    term_months: 36
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.03
    industry: retail
    region: zhejiang
    collateral: {type: property, ltv: 0.4}
  - id: on_equipment
    name: {zh: 设备抵押, en: On equipment}
    product: small_business
    count: 20
    amount: {median_cny: 1000000, sigma: 0.2}
    term_months: 36
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.03
    industry: retail
    region: zhejiang
    collateral: {type: equipment, ltv: 0.6}
"""


def _top_ups_in_month_3(appraisal_share: float = 1.0) -> tuple[set, np.ndarray, np.ndarray]:
    """(loans asked for extra collateral in month 3, property loans, equipment loans) with
    every loan showing three recent warnings that a check last month stands behind, and the
    property loans' appraisal at `appraisal_share` of what it was at the start."""
    seen = {}

    def decide(obs):
        decision = EarlyWarning().decide(obs)
        if obs.month == 3:
            seen["decision"] = decision
        return decision

    sim = Simulation(parse_scenario(SECURED_BOOK, "topups.yaml"), seed=4, decider=decide)
    sim.advance_to(2)
    prop = np.flatnonzero(sim.pf.segment == sim.pf.segment[0])
    equip = np.flatnonzero(sim.pf.segment != sim.pf.segment[0])
    live = sim.status == 0
    sim.last_check[:] = 2
    sim.last_seen[:, :3] = 2
    sim.appraised[prop] = sim.pf.appraised0[prop] * appraisal_share
    sim.advance_to(3)
    asked = {i for i, a in seen["decision"].actions if a == "add_collateral"}
    return asked, prop[live[prop]], equip[live[equip]]


def test_extra_collateral_is_asked_where_the_security_held_leaves_a_gap():
    """A top-up cuts a loss by no more than the security already held leaves uncovered:
    with warnings on every loan, the officer asks for more security on equipment pledged at
    60% loan-to-value (it may fetch less than the loan at auction), not on property pledged
    at 40%, which covers the loan even at the auction's lowest price, until a check
    appraises the property at half its value."""
    asked, prop, equip = _top_ups_in_month_3()
    assert len(asked & set(equip.tolist())) >= len(equip) // 2
    assert not asked & set(prop.tolist())
    asked, prop, _ = _top_ups_in_month_3(appraisal_share=0.5)
    assert len(asked & set(prop.tolist())) >= len(prop) // 2


def test_a_disasters_deferral_is_weighed_as_a_full_relief():
    """A disaster's deferral stops the whole payment for its months, so the officer weighs
    it as a full relief, not by what a restructuring would cut: a household loan that a
    restructuring would barely relieve is worth deferring as much as any other."""
    from sim.strategies.triage import relief_health

    flood = BOOK + """macro:
  - type: disaster
    month: 2
    region: guangdong
    severity: 0.8
    duration_months: 4
"""
    seen = {}

    def decide(obs):
        if obs.month == 3:
            seen["obs"] = obs
        return EarlyWarning().decide(obs)

    sim = Simulation(parse_scenario(flood, "flood.yaml"), seed=2, decider=decide)
    sim.advance_to(3)
    obs = seen["obs"]
    officer = EarlyWarning()
    idx = np.flatnonzero(obs.status == 0)
    assert obs.disaster_region[idx].all()
    full = obs.actions["restructure"].params["max_health_boost"]
    assert (relief_health(obs, idx) < full).any()  # a restructuring would not relieve all
    risk = np.full(len(obs.status), 0.2)
    gain = officer.relief_gain(obs, risk, idx, np.ones(len(idx)))
    np.testing.assert_allclose(gain, 0.2 * officer.params.relief_effect)
