"""The early-warning reference policy: risk-based checks, act on confirmed warnings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import LoanStatus
from sim.observation import Decision, Observation
from sim.scenario import ClassIntervals, MonitoringPolicy
from sim.strategies.base import Budget, Strategy, workout


@dataclass(frozen=True)
class EarlyWarningParams:
    """The thresholds of the early-warning policy (assumptions, tuned on no case)."""

    min_alerts: int = 2
    """Distinct recent signals that make a loan suspect (a targeted check, a line freeze)."""
    reserve_share: float = 0.4
    """Routine checks may take at most 1 - this share of the hours; the rest is for action."""
    alert_months: int = 3
    """Signals seen within this many months count as recent."""
    recheck_months: int = 2
    """A suspect loan is checked again after this many months."""
    confirmed_within_months: int = 1
    """Warnings count as confirmed when a check this recent stands behind them."""
    repeat_after_months: int = 6
    """The same preventive action is not repeated on a loan within this many months."""


POLICIES = tuple(
    MonitoringPolicy(interval_months=ClassIntervals(
        normal=n, special_mention=sm, substandard=0, doubtful=0, loss=0), first_check_days=30)
    for n, sm in ((3, 1), (6, 2), (6, 3), (12, 3), (12, 6)))
"""Candidate policies from closest to lightest; the first the staff can afford is used."""


class EarlyWarning(Strategy):
    """A sensible reference policy: risk-based checks, act on confirmed warnings."""

    name = "early-warning"
    policies = POLICIES

    def __init__(self, hours: dict | None = None, min_alerts: int = 2,
                 reserve_share: float = 0.4, params: EarlyWarningParams | None = None):
        super().__init__(hours)
        self.params = params or EarlyWarningParams(min_alerts=min_alerts,
                                                   reserve_share=reserve_share)
        self.min_alerts = self.params.min_alerts
        self.reserve_share = self.params.reserve_share
        self.topped_up: dict[int, int] = {}

    def choose_policy(self, obs: Observation) -> MonitoringPolicy:
        """The closest candidate policy whose checks leave the reserve free."""
        for p in self.policies:
            if obs.check_demand is None or \
                    obs.check_demand(p) <= obs.hours_available * self.reserve_share:
                return p
        return self.policies[-1]

    def decide(self, obs: Observation) -> Decision:
        policy = self.choose_policy(obs)
        demand = obs.check_demand(policy) if obs.check_demand else 0.0
        budget = Budget(max(obs.hours_available - demand, 0.0))
        actions: list = []
        alerts = obs.recent_alerts(self.params.alert_months)
        # recovery of what has defaulted comes first: free assets shrink every month
        workout(obs, budget, actions, self.hours)
        self._relieve(obs, alerts, budget, actions)
        self._secure(obs, alerts, budget, actions)
        self._check_suspects(obs, alerts, budget, actions)
        return Decision(policy=policy, actions=actions)

    def _take_all(self, idx, kind: str, budget: Budget, actions: list) -> None:
        for i in idx:
            if budget.take(self.hours[kind]):
                actions.append((i, kind))

    def _relieve(self, obs, alerts, budget: Budget, actions: list) -> None:
        """Relieve a borrower that has started to miss payments; stop drawdowns on a
        weakening line (2024 loan measures); defer payments of disaster-hit borrowers
        that show strain, before arrears."""
        t = obs.month
        live = obs.status == LoanStatus.ACTIVE
        for i in np.flatnonzero(live & (obs.dpd >= 30) & ~obs.restructured):
            kind = "emergency_deferral" if obs.disaster_region[i] else "restructure"
            if budget.take(self.hours[kind]):
                actions.append((i, kind))
        weakening = live & ~obs.frozen & (obs.undrawn > 0) & (
            (obs.dpd > 0) | (alerts >= self.min_alerts))
        self._take_all(np.flatnonzero(weakening), "freeze_line", budget, actions)
        strained = live & obs.disaster_region & (alerts >= 1) & (obs.dpd == 0) & (
            obs.acted < t - self.params.repeat_after_months)
        self._take_all(np.flatnonzero(strained), "emergency_deferral", budget, actions)
        # confirmed misuse of funds: stop it
        self._take_all(np.flatnonzero(live & obs.known_diversion & ~obs.entrusted),
                       "entrusted_payment", budget, actions)

    def _secure(self, obs, alerts, budget: Budget, actions: list) -> None:
        """Warnings confirmed by a recent check: secure the exposure while it can be done."""
        t = obs.month
        live = obs.status == LoanStatus.ACTIVE
        confirmed = live & (obs.dpd == 0) & (alerts >= self.min_alerts + 1) & \
            (t - obs.last_check <= self.params.confirmed_within_months)
        for i in np.flatnonzero(confirmed):
            if self.topped_up.get(i, -99) < t - self.params.repeat_after_months and \
                    budget.take(self.hours["add_collateral"]):
                actions.append((i, "add_collateral"))
                self.topped_up[i] = t
            if not obs.restructured[i] and budget.take(self.hours["restructure"]):
                actions.append((i, "restructure"))

    def _check_suspects(self, obs, alerts, budget: Budget, actions: list) -> None:
        """Targeted checks on loans with fresh warnings not checked lately, most alerts first."""
        live = obs.status == LoanStatus.ACTIVE
        suspect = live & (alerts >= self.min_alerts) & \
            (obs.month - obs.last_check >= self.params.recheck_months)
        order = np.flatnonzero(suspect)
        order = order[np.argsort(-(alerts[order] * 1e12 + obs.balance[order]), kind="stable")]
        for i in order:
            if budget.take(obs.check_hours[i]):
                actions.append((i, "onsite_check"))
