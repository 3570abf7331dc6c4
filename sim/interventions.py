"""Interventions: the catalogue merged with a scenario's overrides, and preconditions.

Preconditions here use only what the bank can see, so the desk can say why an
action is not available. Whether an action works (a borrower still able to give
extra collateral, a weak borrower pushed into default by an acceleration) is
decided in the engine from hidden state.
"""

from __future__ import annotations

from dataclasses import replace

from sim.defaults import INTERVENTIONS, InterventionType
from sim.scenario import Scenario

REASONS: dict[str, tuple[str, str]] = {
    "active": ("该贷款已结清或已出表", "the loan is closed or off the books"),
    "not_defaulted": ("贷款已违约,此措施只能在违约前采取", "the loan has defaulted; this works only before default"),
    "has_undrawn": ("没有可冻结的未用额度", "there is no undrawn amount to freeze"),
    "self_payment": ("已经是受托支付", "payments are already entrusted"),
    "in_difficulty": ("借款人尚未出现困难迹象(逾期、预警或关注类)",
                      "the borrower shows no sign of difficulty yet (overdue, alerts or special mention)"),
    "disaster_hit": ("借款人所在地区没有正在发生的灾害", "no disaster is under way in the borrower's region"),
    "overdue": ("贷款没有逾期", "the loan is not overdue"),
    "defaulted": ("贷款尚未违约(逾期未满90天)", "the loan has not defaulted (under 90 days past due)"),
    "no_lawsuit": ("已经起诉", "a lawsuit is already under way"),
    "judgment_or_security": ("需要先取得判决或启动实现担保物权程序(起诉后一个月)",
                             "needs a judgment, or the security-enforcement procedure (a month after filing)"),
    "has_collateral": ("没有可处置的抵押物", "there is no collateral left to sell"),
    "available": ("本案例未提供此措施", "this case does not offer this action"),
    "hours": ("本月剩余工时不足", "not enough staff hours left this month"),
    "queued": ("本月已安排此措施", "this action is already queued this month"),
    "conversation": ("请在贷款档案中点“约见借款人”进行面谈", "hold it from the loan file: Meet the borrower"),
    "no_conversation": ("本案例没有为该借款人编写面谈对话", "no conversation is written for this borrower in this case"),
}


def catalogue(sc: Scenario) -> dict[str, InterventionType]:
    """The interventions a scenario offers, with its overrides applied."""
    out = {}
    for key, it in INTERVENTIONS.items():
        if sc.interventions_available is not None and key not in sc.interventions_available \
                and key not in ("onsite_check", "closer_monitoring", "meet_borrower"):
            continue
        ov = sc.intervention_overrides.get(key)
        if ov is not None:
            it = replace(
                it,
                hours=it.hours if ov.hours is None else ov.hours,
                cost_cny=it.cost_cny if ov.cost_cny is None else ov.cost_cny,
                duration_months=it.duration_months if ov.duration_months is None else ov.duration_months,
            )
        out[key] = it
    return out


def reason_text(code: str, lang: str) -> str:
    zh, en = REASONS.get(code, (code, code))
    return zh if lang == "zh" else en
