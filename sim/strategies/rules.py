"""Rule tables: a post-loan policy written as data (YAML or the app's editor).

A table gives the monitoring policy, the share of hours kept in reserve for the checks
(and whether checks beyond it are rushed or slip to next month), whether the late-stage
workout runs, and rules from what the officer sees (alerts, days
past due, class, diversion, recent checks) to actions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sim.codes import ON_BOOKS, LoanStatus
from sim.defaults import INTERVENTIONS
from sim.field_types import Title
from sim.inputs import InputError, did_you_mean, load_yaml, near_zh, read_text, refusal, validate
from sim.observation import Decision, Observation
from sim.policy import MonitoringPolicy
from sim.strategies.base import Budget, Strategy, workout


class RulesError(InputError):
    """A rule table could not be read; `problems` lists (field path, message) pairs.
    RulesError("text") with a message alone is accepted too."""

    def __init__(self, source: str, problems: list[tuple[str, str]] | None = None,
                 problems_zh: list[str] | None = None):
        if problems is None:
            self.source, self.problems = "<rules>", [("(file)", source)]
            self.problems_zh = [source]
            Exception.__init__(self, source)
        else:
            super().__init__(source, problems, problems_zh)


class RuleWhen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_alerts: int = Field(default=0, ge=0, le=20)
    alert_months: int = Field(default=3, ge=1, le=24)
    min_dpd: int = Field(default=0, ge=0, le=3650)
    max_dpd: int = Field(default=3650, ge=0, le=3650)
    min_class: int = Field(default=0, ge=0, le=4)
    max_class: int = Field(default=4, ge=0, le=4)
    known_diversion: bool | None = None
    defaulted: bool | None = None
    checked_within_months: int | None = Field(default=None, ge=0, le=60)
    not_acted_within_months: int | None = Field(default=None, ge=0, le=60)

    @field_validator("max_dpd", "max_class")
    @classmethod
    def _a_range_can_hold(cls, top: int, info: ValidationInfo) -> int:
        """A range whose top is below its bottom selects no loan: a rule that never fires
        is a mistake, not a policy."""
        low_key = "min_" + info.field_name.removeprefix("max_")
        low = info.data.get(low_key)
        if low is not None and top < low:
            raise refusal(f"{info.field_name} ({top}) is below {low_key} ({low}), so the "
                          f"rule could never select a loan: swap the two or widen the range",
                          f"{info.field_name}（{top}）小于 {low_key}（{low}），这条规则永远选不到"
                          "贷款：请对调两者或放宽范围")
        return top


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    when: RuleWhen = RuleWhen()
    do: list[str] = Field(min_length=1)

    @field_validator("do")
    @classmethod
    def _each_action_once(cls, do: list[str]) -> list[str]:
        twice = sorted({a for a in do if do.count(a) > 1})
        if twice:
            raise refusal(f"{', '.join(twice)} listed more than once: an action is taken "
                          "once a month per loan, list it once",
                          f"{', '.join(twice)} 列了不止一次：同一措施每笔贷款每月只做一次，"
                          "请只列一次")
        return do


class RuleTable(BaseModel):
    """A post-loan policy as data: check intervals, then rules from signals to actions."""

    model_config = ConfigDict(extra="forbid")
    name: str = "rules"
    title: Title | None = None
    """The table's name as people read it, in Chinese and English (the picker, charts and
    report show it); ``name`` stays its identifier. Without one, the name is shown."""
    monitoring: MonitoringPolicy = MonitoringPolicy()
    reserve_share: float = Field(default=0.5, ge=0.0, le=1.0)
    checks_beyond_reserve: Literal["rush", "slip"] = "rush"
    """When the checks due need more than the reserve: "rush" does them all in whatever
    hours the month has, rushed when short (流于形式), and the rules' actions get what is
    left; "slip" does the oldest in full within the reserve and lets the rest wait for
    next month (Decision.routine_hours), so the rules keep their hours."""
    workout: Literal["late", "none"] = "late"
    rules: list[Rule] = Field(default_factory=list, max_length=50)


def load_rules(path: str | Path) -> RuleTable:
    """Read a rule table file through the same careful path as scenarios (sim.inputs)."""
    text = read_text(path, RulesError)
    return parse_rules(load_yaml(text, str(path), RulesError), str(path))


def parse_rules(data, source: str = "<rules>") -> RuleTable:
    """Validate a parsed rule table; every problem is reported at its field path. A case
    file given in its place is said to be one, not listed as a score of unknown keys."""
    if isinstance(data, dict) and "segments" in data and "rules" not in data:
        raise RulesError(source, [("(file)", "this is a case file (it has 'segments'), not a "
                                   "rule table: a rule table has 'name', 'monitoring' and "
                                   "'rules' (see scenarios/rules/tuned.yaml)")],
                         ["这是案例文件（含 segments），不是规则表：规则表包含 name、monitoring 和 "
                          "rules（参见 scenarios/rules/tuned.yaml）"])
    table = validate(RuleTable, data, source, RulesError, "monitoring and rules",
                     "monitoring 和 rules")
    bad = [(k, a) for k, r in enumerate(table.rules) for a in r.do if a not in INTERVENTIONS]
    if bad:
        # the Chinese page showed these in English: both languages, as the schema's are
        raise RulesError(
            source,
            [(f"rules[{k}].do", f"unknown action '{a}'; use one of: "
              f"{', '.join(INTERVENTIONS)}{did_you_mean(a, INTERVENTIONS)}") for k, a in bad],
            [f"未知措施 '{a}'；可用：{', '.join(INTERVENTIONS)}{near_zh(a, INTERVENTIONS)}"
             for _, a in bad])
    return table


class Rules(Strategy):
    """A strategy from a rule table: each rule's actions on the loans its condition selects."""

    name = "rules"

    def __init__(self, table: RuleTable, hours: dict | None = None):
        super().__init__(hours)
        self.table = table
        self.name = table.name

    def decide(self, obs: Observation) -> Decision:
        t = obs.month
        tb = self.table
        budget = Budget(obs.hours_available * (1 - tb.reserve_share))
        actions: list = []
        if tb.workout == "late":
            workout(obs, budget, actions, self.hours)
        for rule in tb.rules:
            w = rule.when
            alerts = obs.recent_alerts(w.alert_months)
            sel = (obs.status <= ON_BOOKS) & (alerts >= w.min_alerts) & (obs.dpd >= w.min_dpd) \
                & (obs.dpd <= w.max_dpd) & (obs.cls >= w.min_class) & (obs.cls <= w.max_class)
            if w.known_diversion is not None:
                sel &= obs.known_diversion == w.known_diversion
            if w.defaulted is not None:
                sel &= (obs.status == LoanStatus.DEFAULTED) == w.defaulted
            if w.checked_within_months is not None:
                sel &= t - obs.last_check <= w.checked_within_months
            if w.not_acted_within_months is not None:
                sel &= obs.acted < t - w.not_acted_within_months
            for i in np.flatnonzero(sel):
                for a in rule.do:
                    h = obs.check_hours[i] if a == "onsite_check" else self.hours[a]
                    if budget.take(h):
                        actions.append((i, a))
        reserve = obs.hours_available * tb.reserve_share \
            if tb.checks_beyond_reserve == "slip" else None
        return Decision(policy=tb.monitoring, actions=actions, routine_hours=reserve)
