"""The small case the step-API tests play (test_game.py, test_game_actions.py): 30
working-capital loans with a high PD, one officer, and a light check policy."""

from __future__ import annotations

from sim.policy import ClassIntervals, MonitoringPolicy
from sim.scenario import parse_scenario

CASE = """
id: game
title: {{zh: 游戏, en: Game}}
briefing: {{zh: 游戏, en: Game}}
horizon_months: {horizon}
staff: {{officers: 1, hours_per_officer_month: {hours}}}
{extra}
segments:
  - id: wc
    name: {{zh: 流贷, en: Working capital}}
    product: working_capital
    count: 30
    amount: {{median_cny: 2000000, sigma: 0.4}}
    term_months: 24
    repayment: equal_instalment
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.2
    industry: manufacturing
    region: zhejiang
    collateral: {{type: property, ltv: 0.6}}
    undrawn_share: 0.2
"""


LIGHT = MonitoringPolicy(interval_months=ClassIntervals(
    normal=0, special_mention=1, substandard=1, doubtful=0, loss=0), first_check_days=0)


def case(horizon: int = 6, hours: float = 60.0, extra: str = ""):
    return parse_scenario(CASE.format(horizon=horizon, hours=hours, extra=extra), "game.yaml")
