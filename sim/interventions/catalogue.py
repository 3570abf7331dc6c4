"""The intervention catalogue merged with a scenario's overrides, and the precondition table.

Preconditions use only what the bank can see, so the desk can say why an
action is not available. Whether an action works (a borrower still able to give
extra collateral, a weak borrower pushed into default by an acceleration) is
decided in sim.interventions.effects from hidden state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sim import defaults
from sim.codes import LoanClass, LoanStatus
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
}


def catalogue(sc: Scenario) -> dict[str, InterventionType]:
    """The interventions a scenario offers, with its overrides applied."""
    out = {}
    for key, it in INTERVENTIONS.items():
        if sc.interventions_available is not None and key not in sc.interventions_available \
                and key not in ("onsite_check", "closer_monitoring"):
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


def _on_books(sim, i: int, action: str, t: int) -> bool:
    st = sim.status[i]
    return st in (LoanStatus.ACTIVE, LoanStatus.DEFAULTED) or (
        action == "claim_sale" and st == LoanStatus.WRITTEN_OFF)


def _in_difficulty(sim, i: int, action: str, t: int) -> bool:
    return bool(sim.dpd[i] > 0 or sim.cls[i] >= LoanClass.SPECIAL_MENTION
                or (sim.last_seen[i] >= t - 3).any())


def _judgment_or_security(sim, i: int, action: str, t: int) -> bool:
    return bool(sim.judgment[i] or (
        sim.lawsuit_month[i] >= 0 and t - sim.lawsuit_month[i]
        >= defaults.SECURITY_ENFORCEMENT_MONTHS)) and not sim.auction_open[i]


PRECONDITIONS: dict[str, Callable[[object, int, str, int], bool]] = {
    "active": _on_books,
    "not_defaulted": lambda sim, i, a, t: not sim.defaulted[i] and sim.status[i] == LoanStatus.ACTIVE,
    "has_undrawn": lambda sim, i, a, t: sim.undrawn[i] > 0 and not sim.frozen[i],
    "self_payment": lambda sim, i, a, t: not sim.entrusted[i],
    "in_difficulty": _in_difficulty,
    "disaster_hit": lambda sim, i, a, t: bool(sim.disaster_until[sim.pf.region[i]] >= t),
    "overdue": lambda sim, i, a, t: bool(sim.dpd[i] > 0),
    "defaulted": lambda sim, i, a, t: bool(sim.defaulted[i]) or sim.status[i] == LoanStatus.WRITTEN_OFF,
    "no_lawsuit": lambda sim, i, a, t: sim.lawsuit_month[i] < 0,
    "judgment_or_security": _judgment_or_security,
    "has_collateral": lambda sim, i, a, t: (not sim.collateral_sold[i]) and (
        sim.pf.collateral_type[i] > 0 or sim.extra_collateral[i] > 0),
}
"""Precondition code -> whether it holds for loan i (what the bank can see only)."""


def precondition(sim, i: int, action: str, month: int | None = None) -> str | None:
    """The reason code an action cannot be taken on loan i at decision month `month`
    (default: the engine's current month), or None."""
    it = sim.catalogue.get(action)
    if it is None:
        return "available"
    t = sim.t if month is None else month
    for req in it.requires:
        if not PRECONDITIONS[req](sim, i, action, t):
            return req
    return None
