"""Triage within the hours: the competent officer's way of choosing what to do.

Every month the officer (1) leaves defaulted loans to the asset-preservation team's
standing workout, (2) books the closest routine-check policy that fits a share of the
hours, so checks are never rushed into formalities, and (3) spends what is left on
the actions with the highest expected avoided loss per hour, across all loans and all
actions at once. What the officer believes about each loan (its chance of default)
is the one thing the early-warning officer and the oracle do differently: one reads
it from the signals it has seen, the other from the hidden health.

The value model is deliberately simple and the same for both: expected loss is
risk x exposure x loss given default; an action's value is the part of that expected
loss it removes. It only ranks actions; the engine decides what they really do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import LoanStatus
from sim.interventions.effects import relief_health as relief_health_for_cut
from sim.interventions.effects import restructure_terms
from sim.observation import Decision, Observation
from sim.scenario import ClassIntervals, MonitoringPolicy
from sim.strategies.base import Budget, Strategy, action_hours, offered, workout


@dataclass(frozen=True)
class TriageParams:
    """How the officer values actions (assumptions; none is tuned on a case)."""

    policy_share: float = 0.6
    """Routine checks may book at most this share of the month's hours."""
    alert_months: int = 3
    """Signals seen within this many months count as recent."""
    min_alerts: int = 2
    """Distinct recent signals that make a loan suspect."""
    recheck_months: int = 2
    """A suspect loan is checked again after this many months."""
    confirmed_within_months: int = 1
    """Warnings count as confirmed when a check this recent stands behind them."""
    repeat_after_months: int = 6
    """The same preventive action is not repeated on a loan within this many months."""
    lgd_secured: float = 0.35
    """Loss given default the officer assumes for a secured loan (domain: secured
    workouts 22%, plus the time and auction discounts of a late sale)."""
    lgd_unsecured: float = 0.75
    """Loss given default assumed for an unsecured loan (domain: 45% senior unsecured
    under foundation IRB; small borrowers' free assets are thinner)."""
    risk_base: float = 0.02
    """Chance of default the officer gives a loan with nothing against it."""
    risk_per_alert: float = 0.12
    """Added belief per distinct recent warning signal."""
    risk_overdue: tuple[float, float, float] = (0.25, 0.2, 0.2)
    """Added belief at 1+, 30+ and 60+ days past due (domain: roll rates fall with depth)."""
    risk_diversion: float = 0.3
    """Added belief when misuse of funds has been found."""
    risk_watch: float = 0.1
    """Added belief for a loan classified special mention or worse."""
    relief_effect: float = 0.6
    """Share of the default risk a restructuring or deferral before arrears removes."""
    relief_stage: tuple[float, float] = (0.5, 0.25)
    """The same at 30+ and at 60+ days past due (relief works less once arrears build up)."""
    call_effect: float = 0.08
    """Share of the risk of an overdue loan a collection call removes."""
    diversion_effect: float = 0.3
    """Share of the risk that stopping found misuse of funds removes."""
    collateral_lgd_cut: float = 0.18
    """Loss-given-default cut from extra collateral (top-up 30% of the balance sold at
    77% of value with 80% liquidity: domain auction figures)."""
    early_relief_below_dpd: int = 1
    """Relief on confirmed warnings is offered below this many days past due (before
    arrears, for an officer who reads signals; the 30+ dpd rule covers the rest)."""
    check_value_share: float = 0.08
    """Value of a targeted check as a share of the suspect loan's expected loss (what a
    check is worth is what it lets the officer do next)."""
    max_risk: float = 0.95


DEFAULT_TRIAGE = TriageParams()


def relief_health(obs: Observation, i: int) -> float:
    """Health a restructuring of loan i would give now, by the engine's own rule (the cut
    in the payment it brings), before any discount for arrears."""
    it = obs.actions.get("restructure") if obs.actions else None
    if it is None or obs.rate is None:
        return 0.0
    _, _, cut = restructure_terms(float(obs.balance[i]), float(obs.rate[i]),
                                  int(obs.remaining_months[i]), int(obs.repayment[i]), it.params)
    return relief_health_for_cut(it.params, cut, 0)

POLICIES = tuple(
    MonitoringPolicy(interval_months=ClassIntervals(
        normal=n, special_mention=sm, substandard=0, doubtful=0, loss=0), first_check_days=30)
    for n, sm in ((3, 1), (6, 2), (6, 3), (12, 3), (12, 6), (0, 3), (0, 6), (0, 12)))
"""Candidate routine policies from closest to lightest. The last ones rely on off-site
monitoring for performing loans and visit only the watch list."""


class Triage(Strategy):
    """Routine checks within a share of the hours, then actions by value per hour."""

    def __init__(self, params: TriageParams | None = None):
        super().__init__()
        self.params = params or DEFAULT_TRIAGE
        self.topped_up: dict[int, int] = {}

    # --- what differs between the officer and the oracle --------------------------
    def risk(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        """Believed chance of default of each loan, from what the officer has seen."""
        p = self.params
        r = p.risk_base + p.risk_per_alert * alerts \
            + p.risk_overdue[0] * (obs.dpd > 0) + p.risk_overdue[1] * (obs.dpd >= 30) \
            + p.risk_overdue[2] * (obs.dpd >= 60) + p.risk_diversion * obs.known_diversion \
            + p.risk_watch * (obs.cls >= 1)
        return np.clip(r, 0.0, p.max_risk)

    def suspects(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        """Loans the officer believes are weakening."""
        return alerts >= self.params.min_alerts

    def confirmed(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        """Suspects whose warnings a recent check stands behind."""
        return self.suspects(obs, alerts) & \
            (obs.month - obs.last_check <= self.params.confirmed_within_months)

    def securable(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        """Loans worth asking for extra security: confirmed warnings, before arrears."""
        return (obs.dpd == 0) & self.confirmed(obs, alerts)

    def relief_gain(self, obs: Observation, risk: np.ndarray, i: int, stage: float) -> float:
        """Drop in the chance of default that relief on loan i would bring: more when the
        restructuring really cuts the payment (the officer knows the loan's terms)."""
        full = obs.actions["restructure"].params["max_health_boost"] \
            if obs.actions and "restructure" in obs.actions else 1.0
        weight = min(1.0, relief_health(obs, i) / full) if full > 0 else 0.0
        return float(risk[i] * self.params.relief_effect * stage * max(weight, 0.25))

    def diverting(self, obs: Observation) -> np.ndarray:
        return obs.known_diversion

    def can_secure(self, obs: Observation, i: int) -> bool:
        """Whether asking for extra collateral is worth trying on loan i."""
        return True

    def check_values(self, obs: Observation, live, alerts, risk, loss_if_default) -> list:
        """(loan, value) of targeted checks: suspects not checked lately."""
        p = self.params
        due = live & self.suspects(obs, alerts) & (obs.month - obs.last_check >= p.recheck_months)
        idx = np.flatnonzero(due)
        return [(int(i), risk[i] * loss_if_default[i] * p.check_value_share) for i in idx]

    def choose_policy(self, obs: Observation) -> MonitoringPolicy:
        """The closest candidate whose checks fit the routine share of the hours."""
        cap = obs.hours_available * self.params.policy_share
        for pol in POLICIES:
            if obs.check_demand is None or obs.check_demand(pol) <= cap:
                return pol
        return POLICIES[-1]

    # --- the month ------------------------------------------------------------------
    def decide(self, obs: Observation) -> Decision:
        p = self.params
        t = obs.month
        actions: list = []
        workout(obs, Budget(obs.hours_available), actions)
        policy = self.choose_policy(obs)
        demand = obs.check_demand(policy) if obs.check_demand else 0.0
        budget = Budget(max(obs.hours_available - demand, 0.0))
        alerts = obs.recent_alerts(p.alert_months)
        risk = self.risk(obs, alerts)
        live = obs.status == LoanStatus.ACTIVE
        exposure = obs.balance + obs.undrawn
        lgd = np.where(obs.has_collateral, p.lgd_secured, p.lgd_unsecured)
        loss_if_default = exposure * lgd
        cand: list[tuple[float, int, str]] = []

        def add(value: float, i: int, action: str) -> None:
            if value > 0 and offered(obs, action):
                cand.append((value / max(action_hours(obs, int(i), action), 0.25), int(i), action))

        for i in np.flatnonzero(live & self.diverting(obs) & ~obs.entrusted):
            add(p.diversion_effect * loss_if_default[i] + risk[i] * loss_if_default[i], i,
                "entrusted_payment")
        for i in np.flatnonzero(live & (obs.dpd >= 30) & ~obs.restructured):
            kind = "emergency_deferral" if obs.disaster_region[i] else "restructure"
            stage = p.relief_stage[0] if obs.dpd[i] < 60 else p.relief_stage[1]
            add(self.relief_gain(obs, risk, i, stage) * loss_if_default[i], i, kind)
        for i in np.flatnonzero(live & (obs.dpd > 0)):
            add(risk[i] * p.call_effect * loss_if_default[i], i, "collect_call")
        weakening = live & ~obs.frozen & (obs.undrawn > 0) & \
            ((obs.dpd > 0) | self.suspects(obs, alerts))
        for i in np.flatnonzero(weakening):
            add(risk[i] * obs.undrawn[i] * lgd[i], i, "freeze_line")
        fresh = obs.acted < t - p.repeat_after_months
        for i in np.flatnonzero(live & obs.disaster_region & (alerts >= 1) & (obs.dpd == 0) & fresh):
            add(self.relief_gain(obs, risk, i, 1.0) * loss_if_default[i], i, "emergency_deferral")
        for i in np.flatnonzero(live & self.securable(obs, alerts)):
            if self.topped_up.get(int(i), -99) < t - p.repeat_after_months and self.can_secure(obs, i):
                add(risk[i] * (1 - risk[i]) * obs.balance[i] * p.collateral_lgd_cut, i,
                    "add_collateral")
        for i in np.flatnonzero(live & (obs.dpd < p.early_relief_below_dpd)
                                & self.confirmed(obs, alerts)):
            if not obs.restructured[i] and not obs.disaster_region[i]:
                stage = 1.0 if obs.dpd[i] == 0 else p.relief_stage[0]
                add(self.relief_gain(obs, risk, i, stage) * loss_if_default[i], i, "restructure")
        for i, value in self.check_values(obs, live, alerts, risk, loss_if_default):
            add(value, i, "onsite_check")
        cand.sort(key=lambda c: (-c[0], c[1], c[2]))
        ordered = [(i, action) for _, i, action in cand] + self.afterwards(obs)
        taken = {tuple(a) for a in actions}
        for i, action in ordered:
            if (i, action) in taken or not budget.take(action_hours(obs, i, action)):
                continue
            taken.add((i, action))
            actions.append((i, action))
            if action == "add_collateral":
                self.topped_up[i] = t
        return Decision(policy=policy, actions=actions)

    def afterwards(self, obs: Observation) -> list[tuple[int, str]]:
        """Further actions for hours left over once the ranked ones are taken."""
        return []
