"""The small book the study, runner and run-summary tests replicate: 40 small-business
loans with a high PD over 8 months, one officer. Cheap enough to run many futures."""

from __future__ import annotations

from sim.scenario import Scenario, parse_scenario

CASE = """
id: {case_id}
title: {{zh: 小组合, en: Small book}}
briefing: {{zh: 小组合, en: Small book}}
horizon_months: 8
staff: {{officers: 1}}
segments:
  - id: sb
    name: {{zh: 小微, en: Small business}}
    product: small_business
    count: 40
    amount: {{median_cny: 800000, sigma: 0.5}}
    term_months: 24
    repayment: equal_instalment
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.2
    industry: retail
    region: zhejiang
    collateral: {{type: property, ltv: 0.6}}
"""


def small_book(case_id: str) -> Scenario:
    """The book under the id ``case_id`` (each test module keeps its own)."""
    return parse_scenario(CASE.format(case_id=case_id), f"{case_id}.yaml")
