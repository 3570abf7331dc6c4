"""The step-by-step API a person plays through: observe, queue actions, end the month.

Every decision is recorded; `Game.replay` applies the same record to the same
scenario and seed and reproduces the attempt exactly. `end_month` takes the
month the player was looking at, so a double click cannot advance two months.

Game holds codes, not text: whether an action can be queued and why not
(sim.observation.admissible, the engine's own rule), what it costs and what
happened. The training layer's desk (training/desk.py) subclasses it with the
views a trainee reads, in both languages, through `text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.engine import RunResult, Simulation
from sim.observation import Decision, Observation, action_cost, action_hours, admissible
from sim.scenario import MonitoringPolicy, Scenario
from sim.standing_order import StandingOrder, standing_actions, team_hours
from sim.tail import finish_workouts


class ActionError(Exception):
    """An action that cannot be queued: `code` is the reason (sim.interventions.REASONS);
    zh and en carry its text when the desk supplies one."""

    def __init__(self, code: str, zh: str = "", en: str = ""):
        self.code = code
        self.zh = zh or code
        self.en = en or code
        super().__init__(self.en)


@dataclass
class ActionOption:
    id: str
    zh: str
    en: str
    hours: float
    cost_cny: float
    duration_months: float
    available: bool
    reason_zh: str = ""
    reason_en: str = ""
    stage: str = ""
    reason: str = ""
    """The reason code when not available (sim.interventions.REASONS), else ""."""


@dataclass
class QueuedAction:
    loan_id: int
    label: str
    action_id: str
    zh: str
    en: str
    hours: float
    cost_cny: float


@dataclass
class MonthReport:
    month: int
    new_defaults: int
    new_alerts: int
    checks_done: int
    checks_slipped: int
    check_quality: float
    hours_used: float
    events: pd.DataFrame
    rejected: list = field(default_factory=list)
    """(loan label, action id, reason text) of queued actions the engine refused."""


class Game:
    """A trainee's attempt at a case, one month per turn."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        self._queue: list[tuple[int, str]] = []
        self._policy = scenario.monitoring
        self.decision_log: list[dict] = []
        self._pending: Decision | None = None
        self._standing = StandingOrder()
        self.standing_log: list[tuple[int, int, str]] = []  # (month, loan, action) the order took
        self.sim = Simulation(scenario, seed=self.seed, decider=self._decide, keep_history=True)
        self.sim.advance_to(0)
        self._last_report: MonthReport | None = None

    def text(self, kind: str, code: str) -> tuple[str, str]:
        """(zh, en) text of an engine code of a kind ("action", "reason", "event"...).
        The engine has no text: this returns the code; the desk looks it up."""
        return code, code

    # ------------------------------------------------------------------ state
    @property
    def month(self) -> int:
        return self.sim.t

    @property
    def horizon(self) -> int:
        return self.sim.T

    @property
    def finished(self) -> bool:
        return self.sim.t >= self.sim.T

    @property
    def playing_month(self) -> int:
        """The month being played (1-based): its decision is the one the player prepares.
        What the bank learns at that month's start (a scripted event, an LPR change) is
        known at its decision, to the player as to every strategy; nothing later is."""
        return min(self.month + 1, self.horizon)

    @property
    def hours_available(self) -> float:
        return float(self.sim.staff_hours)

    @property
    def policy(self) -> MonitoringPolicy:
        return self._policy

    def set_policy(self, policy: MonitoringPolicy) -> None:
        self._policy = policy

    @property
    def standing_order(self) -> StandingOrder:
        return self._standing

    def set_standing_order(self, order: StandingOrder) -> None:
        self._standing = order

    def policy_hours(self, policy: MonitoringPolicy | None = None) -> float:
        return self.sim.policy_hours(policy or self._policy, self.month + 1)

    @property
    def queued(self) -> list[QueuedAction]:
        out = []
        for i, a in self._queue:
            zh, en = self.text("action", a)
            out.append(QueuedAction(i, self.sim.pf.label(i), a, zh, en,
                                    action_hours(self.sim, i, a), action_cost(self.sim, i, a)))
        return out

    @property
    def hours_queued(self) -> float:
        return float(sum(action_hours(self.sim, i, a) for i, a in self._queue
                         if not self.sim.by_legal_team(a)))

    @property
    def hours_planned(self) -> float:
        return self.hours_queued + self.policy_hours()

    # ---------------------------------------------------------------- actions
    def options(self, loan_id: int) -> list[ActionOption]:
        """Every action of the case on a loan, with its cost and whether it can be queued:
        the same rule (sim.observation.admissible) the engine applies at the decision."""
        s = self.sim
        # the checks the policy requires are done first; actions get what is left
        left = self.hours_available - self.policy_hours() - self.hours_queued
        taken = set(self._queue)
        decision_month = self.month + 1
        out = []
        for key, it in s.catalogue.items():
            why = admissible(s, loan_id, key, taken, left, month=decision_month)
            zh, en = self.text("action", key)
            why_zh, why_en = self.text("reason", why) if why else ("", "")
            out.append(ActionOption(
                key, zh, en, action_hours(s, loan_id, key), action_cost(s, loan_id, key),
                it.duration_months, why is None, why_zh, why_en, it.stage, why or ""))
        return out

    def queue(self, loan_id: int, action_id: str) -> None:
        if not 0 <= loan_id < self.sim.n:
            raise ActionError("active", *self.text("reason", "active"))
        opt = {o.id: o for o in self.options(loan_id)}.get(action_id)
        if opt is None:
            raise ActionError("available", *self.text("reason", "available"))
        if not opt.available:
            raise ActionError(opt.reason, opt.reason_zh, opt.reason_en)
        self._queue.append((int(loan_id), action_id))

    def unqueue(self, index: int) -> None:
        if 0 <= index < len(self._queue):
            self._queue.pop(index)

    def _decide(self, obs: Observation) -> Decision:
        mine = self._pending or Decision()
        extra = standing_actions(obs, self._standing, team_hours(self.sim.catalogue),
                                 {tuple(a) for a in mine.actions})
        self.standing_log += [(int(obs.month), i, a) for i, a in extra]
        return Decision(policy=mine.policy, actions=[*mine.actions, *extra]) if extra else mine

    def end_month(self, expected_month: int) -> MonthReport | None:
        """Advance one month if the player saw month `expected_month`; otherwise do nothing."""
        if expected_month != self.month or self.finished:
            return None
        self.decision_log.append({
            "month": self.month + 1,
            "policy": self._policy.model_dump(mode="json"),
            "actions": [[int(i), a] for i, a in self._queue],
            "standing_order": self._standing.to_log(),
        })
        self._pending = Decision(policy=self._policy, actions=list(self._queue))
        self._queue = []
        self.sim.advance_to(self.month + 1)
        self._pending = None
        rep = self.sim.reports[-1]
        self._last_report = MonthReport(
            month=self.month, new_defaults=int(rep.new_defaults),
            new_alerts=int(rep.new_alerts), checks_done=int(rep.checks_done),
            checks_slipped=int(rep.checks_slipped),
            check_quality=float(rep.check_quality),
            hours_used=float(rep.hours_used), events=self.events(self.month),
            rejected=[(self.sim.pf.label(i), a, self.text("reason", w)[1])
                      for i, a, w in rep.rejected])
        return self._last_report

    @property
    def last_report(self) -> MonthReport | None:
        return self._last_report

    @classmethod
    def replay(cls, scenario: Scenario, seed: int | None, log: list[dict]) -> Game:
        g = cls(scenario, seed)
        for entry in log:
            g.set_policy(MonitoringPolicy.model_validate(entry["policy"]))
            g.set_standing_order(StandingOrder.from_log(entry.get("standing_order")))
            g._queue = [(int(i), a) for i, a in entry["actions"]]
            g.end_month(g.month)
        return g

    # ------------------------------------------------------------- records
    def events(self, month: int | None = None) -> pd.DataFrame:
        """The event log so far (codes), or one month's."""
        ev = self.sim.rec.event_frame()
        return ev if month is None else ev[ev["month"] == month].reset_index(drop=True)

    def metrics(self) -> pd.DataFrame:
        return self.sim.rec.metric_frame()

    def result(self) -> RunResult:
        """The run's outcome; once the case is over, with open workouts run to their end (sim.tail)."""
        if self.finished:
            finish_workouts(self.sim)
        return RunResult.from_sim(self.sim)

    def observation(self) -> Observation:
        return self.sim.observe()


__all__ = ["ActionError", "ActionOption", "Game", "MonthReport", "QueuedAction"]
