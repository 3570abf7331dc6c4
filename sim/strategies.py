"""Post-loan strategies: what a bank does at each month's decision point.

A strategy sees an Observation (only what an officer can see; the oracle also
gets the hidden health) and returns a Decision: a monitoring policy and actions
within the hours available. Built in: do-nothing, late-collection,
early-warning, oracle, and rules (a YAML rule table).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.engine import ACTIVE, DEFAULTED, Decision, Observation
from sim.scenario import ClassIntervals, MonitoringPolicy, explain

NO_CHECKS = MonitoringPolicy(interval_months=ClassIntervals(
    normal=0, special_mention=0, substandard=0, doubtful=0, loss=0), first_check_days=0)


class Budget:
    """Hours a strategy may still commit this month."""

    def __init__(self, hours: float):
        self.left = hours

    def take(self, hours: float) -> bool:
        if hours <= self.left + 1e-9:
            self.left -= hours
            return True
        return False


def _workout(obs: Observation, budget: Budget, actions: list, hours: dict,
             sell_unsecured_after: int = 12, write_off_loss: bool = True) -> None:
    """Late-stage recovery: sue, auction the collateral, then sell or write off."""
    st = obs.status
    dl = np.flatnonzero(st == DEFAULTED)
    dl = dl[np.argsort(-obs.balance[dl], kind="stable")]
    for i in dl:
        if obs.lawsuit_month[i] < 0:
            if budget.take(hours["lawsuit"]):
                actions.append((i, "lawsuit"))
        elif obs.has_collateral[i] and not obs.auction_open[i] and (
                obs.judgment[i] or obs.month - obs.lawsuit_month[i] >= 1):
            if budget.take(hours["auction"]):
                actions.append((i, "auction"))
        elif (not obs.has_collateral[i] and obs.judgment[i]
              and obs.month - obs.lawsuit_month[i] >= sell_unsecured_after):
            if budget.take(hours["claim_sale"]):
                actions.append((i, "claim_sale"))
        elif write_off_loss and obs.cls[i] == 4 and not obs.has_collateral[i] \
                and budget.take(hours["write_off"]):
            actions.append((i, "write_off"))


class Strategy:
    name = "base"
    needs_hidden = False

    def __init__(self, hours: dict | None = None):
        from sim.defaults import INTERVENTIONS

        self.hours = hours or {k: v.hours for k, v in INTERVENTIONS.items()}

    def decide(self, obs: Observation) -> Decision:  # pragma: no cover - interface
        raise NotImplementedError


class DoNothing(Strategy):
    """No checks, no actions: the bank that lends and forgets (重贷轻管)."""

    name = "do-nothing"

    def decide(self, obs: Observation) -> Decision:
        return Decision(policy=NO_CHECKS)


class LateCollection(Strategy):
    """Nothing until 90+ days past due; then collection, lawsuit, auction."""

    name = "late-collection"

    def decide(self, obs: Observation) -> Decision:
        budget = Budget(obs.hours_available)
        actions: list = []
        _workout(obs, budget, actions, self.hours)
        return Decision(policy=NO_CHECKS, actions=actions)


class EarlyWarning(Strategy):
    """A sensible reference policy: risk-based checks, act on confirmed warnings."""

    name = "early-warning"
    policies = tuple(
        MonitoringPolicy(interval_months=ClassIntervals(
            normal=n, special_mention=sm, substandard=0, doubtful=0, loss=0), first_check_days=30)
        for n, sm in ((3, 1), (6, 2), (6, 3), (12, 3), (12, 6)))
    """Candidate policies from closest to lightest; the first the staff can afford is used."""

    def __init__(self, hours: dict | None = None, min_alerts: int = 2,
                 reserve_share: float = 0.4):
        super().__init__(hours)
        self.min_alerts = min_alerts
        self.reserve_share = reserve_share
        self.topped_up: dict[int, int] = {}

    def decide(self, obs: Observation) -> Decision:
        t = obs.month
        policy = self.policies[-1]
        for p in self.policies:
            if obs.check_demand is None or \
                    obs.check_demand(p) <= obs.hours_available * self.reserve_share:
                policy = p
                break
        demand = obs.check_demand(policy) if obs.check_demand else 0.0
        budget = Budget(max(obs.hours_available - demand, 0.0))
        actions: list = []
        live = obs.status == ACTIVE
        alerts = obs.recent_alerts(3)
        # 0. recovery of what has defaulted comes first: free assets shrink every month
        _workout(obs, budget, actions, self.hours)
        # 1. a borrower who has started to miss payments: relieve the burden now
        for i in np.flatnonzero(live & (obs.dpd >= 30) & ~obs.restructured):
            kind = "emergency_deferral" if obs.disaster_region[i] else "restructure"
            if budget.take(self.hours[kind]):
                actions.append((i, kind))
        # 1a. weakening credit: stop further drawdowns on the undrawn line (2024 loan measures)
        weakening = live & ~obs.frozen & (obs.undrawn > 0) & (
            (obs.dpd > 0) | (alerts >= self.min_alerts))
        for i in np.flatnonzero(weakening):
            if budget.take(self.hours["freeze_line"]):
                actions.append((i, "freeze_line"))
        # 1b. a disaster: defer the payments of hit borrowers that show strain, before arrears
        for i in np.flatnonzero(live & obs.disaster_region & (alerts >= 1) & (obs.dpd == 0)
                                & (obs.acted < t - 6)):
            if budget.take(self.hours["emergency_deferral"]):
                actions.append((i, "emergency_deferral"))
        # 2. confirmed misuse of funds: stop it
        for i in np.flatnonzero(live & obs.known_diversion & ~obs.entrusted):
            if budget.take(self.hours["entrusted_payment"]):
                actions.append((i, "entrusted_payment"))
        # 3. warnings confirmed by a recent check: secure the exposure while it can be done
        confirmed = live & (obs.dpd == 0) & (alerts >= self.min_alerts + 1) & \
            (t - obs.last_check <= 1)
        for i in np.flatnonzero(confirmed):
            if self.topped_up.get(i, -99) < t - 6 and budget.take(self.hours["add_collateral"]):
                actions.append((i, "add_collateral"))
                self.topped_up[i] = t
            if not obs.restructured[i] and budget.take(self.hours["restructure"]):
                actions.append((i, "restructure"))
        # 5. targeted checks on loans with fresh warnings not checked lately
        suspect = live & (alerts >= self.min_alerts) & (t - obs.last_check >= 2)
        order = np.flatnonzero(suspect)
        order = order[np.argsort(-(alerts[order] * 1e12 + obs.balance[order]), kind="stable")]
        for i in order:
            if budget.take(obs.check_hours[i]):
                actions.append((i, "onsite_check"))
        return Decision(policy=policy, actions=actions)


class Oracle(Strategy):
    """Sees hidden health: acts on every borrower heading for trouble, at the best time."""

    name = "oracle"
    needs_hidden = True
    policy = MonitoringPolicy(interval_months=ClassIntervals(
        normal=0, special_mention=0, substandard=0, doubtful=0, loss=0), first_check_days=0)

    def __init__(self, hours: dict | None = None, max_restructures: int = 2):
        super().__init__(hours)
        self.max_restructures = max_restructures
        self.restructures: dict[int, int] = {}
        self.topped_up: dict[int, int] = {}

    def decide(self, obs: Observation) -> Decision:
        h = obs.hidden
        t = obs.month
        budget = Budget(obs.hours_available)
        actions: list = []
        _workout(obs, budget, actions, self.hours)
        live = obs.status == ACTIVE
        health = h["health"]
        order = np.flatnonzero(live & (health < 1.2))
        order = order[np.argsort(-obs.balance[order], kind="stable")]  # biggest exposure first
        for i in order:
            hi = health[i]
            if h["diverting"][i] and not obs.entrusted[i] \
                    and budget.take(self.hours["entrusted_payment"]):
                actions.append((i, "entrusted_payment"))
            if obs.undrawn[i] > 0 and not obs.frozen[i] and hi <= 1.0 \
                    and budget.take(self.hours["freeze_line"]):
                actions.append((i, "freeze_line"))
            if hi > 0.5 and self.topped_up.get(i, -99) < t - 6 \
                    and budget.take(self.hours["add_collateral"]):
                actions.append((i, "add_collateral"))
                self.topped_up[i] = t
            if hi < 0.6 and obs.dpd[i] == 0:
                # relieve the burden before the first missed payment, when it works best
                if obs.disaster_region[i]:
                    if obs.acted[i] < t - 6 and budget.take(self.hours["emergency_deferral"]):
                        actions.append((i, "emergency_deferral"))
                elif self.restructures.get(i, 0) < self.max_restructures and (
                        not obs.restructured[i] or hi < 0.0) \
                        and budget.take(self.hours["restructure"]):
                    actions.append((i, "restructure"))
                    self.restructures[i] = self.restructures.get(i, 0) + 1
            elif obs.dpd[i] >= 30 and not obs.restructured[i]:
                kind = "emergency_deferral" if obs.disaster_region[i] else "restructure"
                if budget.take(self.hours[kind]):
                    actions.append((i, kind))
            elif hi < -0.8 and obs.restructured[i] and obs.dpd[i] >= 30 \
                    and budget.take(self.hours["accelerate"]):
                # beyond saving: recall now, while free assets and collateral still hold value
                actions.append((i, "accelerate"))
        return Decision(policy=self.policy, actions=actions)


# --- rule tables -----------------------------------------------------------------
class RulesError(Exception):
    """A rule table could not be read; the message names the field and the fix."""


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


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    when: RuleWhen = RuleWhen()
    do: list[str] = Field(min_length=1)


class RuleTable(BaseModel):
    """A post-loan policy as data: check intervals, then rules from signals to actions."""

    model_config = ConfigDict(extra="forbid")
    name: str = "rules"
    monitoring: MonitoringPolicy = MonitoringPolicy()
    reserve_share: float = Field(default=0.5, ge=0.0, le=1.0)
    workout: Literal["late", "none"] = "late"
    rules: list[Rule] = Field(default_factory=list, max_length=50)


def load_rules(path: str | Path) -> RuleTable:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{p}: cannot read: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RulesError(f"{p}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return parse_rules(data, str(p))


def parse_rules(data, source: str = "<rules>") -> RuleTable:
    from sim.defaults import INTERVENTIONS

    if not isinstance(data, dict):
        raise RulesError(f"{source}: a rule table is a YAML mapping with monitoring and rules")
    try:
        table = RuleTable.model_validate(data)
    except ValidationError as err:
        raise RulesError("\n".join(f"{source}: {p}: {m}" for p, m in explain(err))) from None
    for k, r in enumerate(table.rules):
        for a in r.do:
            if a not in INTERVENTIONS:
                raise RulesError(f"{source}: rules[{k}].do: unknown action '{a}'; "
                                 f"use one of: {', '.join(INTERVENTIONS)}")
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
            _workout(obs, budget, actions, self.hours)
        for rule in tb.rules:
            w = rule.when
            alerts = obs.recent_alerts(w.alert_months)
            sel = (obs.status <= DEFAULTED) & (alerts >= w.min_alerts) & (obs.dpd >= w.min_dpd) \
                & (obs.dpd <= w.max_dpd) & (obs.cls >= w.min_class) & (obs.cls <= w.max_class)
            if w.known_diversion is not None:
                sel &= obs.known_diversion == w.known_diversion
            if w.defaulted is not None:
                sel &= (obs.status == DEFAULTED) == w.defaulted
            if w.checked_within_months is not None:
                sel &= t - obs.last_check <= w.checked_within_months
            if w.not_acted_within_months is not None:
                sel &= obs.acted < t - w.not_acted_within_months
            for i in np.flatnonzero(sel):
                for a in rule.do:
                    h = obs.check_hours[i] if a == "onsite_check" else self.hours[a]
                    if budget.take(h):
                        actions.append((i, a))
        return Decision(policy=tb.monitoring, actions=actions)


BUILT_IN = {"do-nothing": DoNothing, "late-collection": LateCollection,
            "early-warning": EarlyWarning, "oracle": Oracle}


def make_strategy(name, rules: RuleTable | None = None) -> Strategy:
    """A strategy by name; 'rules' needs a rule table. A Strategy instance passes through."""
    if isinstance(name, Strategy):
        return name
    if name == "rules" or rules is not None:
        if rules is None:
            raise ValueError("the 'rules' strategy needs a rule table (--rules FILE)")
        return Rules(rules)
    try:
        return BUILT_IN[name]()
    except KeyError:
        raise ValueError(f"unknown strategy '{name}'; use one of: "
                         f"{', '.join([*BUILT_IN, 'rules'])}") from None
