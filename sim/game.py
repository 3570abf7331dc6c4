"""The step-by-step API a person plays through: observe, queue actions, end the month.

Every decision is recorded; `Game.replay` applies the same record to the same
scenario and seed and reproduces the attempt exactly. `end_month` takes the
month the player was looking at, so a double click cannot advance two months.

Game holds codes, not text: whether an action can be queued and why not
(sim.observation.admissible, the engine's own rule), what it costs and what
happened. The training layer's desk (training/desk.py) subclasses it with the
views a trainee reads, in both languages, through `text`.

The month's action queue is sim.game_actions (`ActionQueue`), meetings with named
borrowers sim.game_meetings (`Meetings`); `Game` holds the turn: its state, the
judgements and resolutions of the month, `end_month` and `replay`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from sim import checks, judgement
from sim.codes import CLASS_KEYS
from sim.conversation import Talk
from sim.engine import RunResult, Simulation
from sim.game_actions import ActionError, ActionQueue
from sim.game_meetings import Meetings
from sim.observation import Decision, Observation
from sim.policy import MonitoringPolicy
from sim.roleplay import Roleplay, meeting_action_of
from sim.scenario import Scenario
from sim.standing_order import StandingOrder, standing_actions, team_hours
from sim.tail import finish_workouts


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
    """(loan index, action id, reason code) of what the engine refused this month: queued
    actions whose conditions failed or whose hours ran out, classifications it did not
    accept."""


class Game(ActionQueue, Meetings):
    """A trainee's attempt at a case, one month per turn."""

    def __init__(self, scenario: Scenario, seed: int | None = None,
                 roleplays: dict[str, Roleplay] | None = None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        self._queue: list[tuple[int, str]] = []
        self._classify: dict[int, tuple[int, str]] = {}  # loan -> (class, reason) this month
        self.resolutions: list[dict] = []  # the review meeting's ledger (training.ledger)
        self._new_resolutions: list[dict] = []
        self._roleplays = roleplays
        self._talks: list[dict] = []  # meetings this month: loan_id, roleplay, path, actions
        self.talk_history: list[dict] = []  # meetings held, with what they established
        self._policy = scenario.monitoring
        self._routine_hours: float | None = None
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
    def routine_hours(self) -> float | None:
        """The hours the player gives the checks due each month (None: all they need,
        rushed when the month is short). Checks beyond them are not rushed: the oldest
        that fit are done in full and the rest slip to next month (sim.checks.run_due), as
        early warning does to catch up a backlog. It stays until changed, like the policy."""
        return self._routine_hours

    def set_routine_hours(self, hours: float | None) -> None:
        """Set or clear (None) the hours for the checks due; raises ValueError below 0."""
        if hours is not None:
            hours = float(hours)
            if not hours >= 0.0:  # NaN too
                raise ValueError(f"routine_hours: {hours} is not a number of hours at least 0")
        self._routine_hours = hours

    @property
    def standing_order(self) -> StandingOrder:
        return self._standing

    def set_standing_order(self, order: StandingOrder) -> None:
        self._standing = order

    def policy_hours(self, policy: MonitoringPolicy | None = None) -> float:
        """The hours the checks due this month need under a policy (default: the player's)."""
        return self.sim.policy_hours(policy or self._policy, self.month + 1)

    def check_hours(self) -> float:
        """The hours the checks due this month will take: what they need; with the
        player's `routine_hours`, at most those and at most the month's hours (checks
        given a set number of hours are never rushed: the rest slip)."""
        need = self.policy_hours()
        if self._routine_hours is None:
            return need
        return min(need, checks.routine_budget(self.hours_available, self._routine_hours))
    # ------------------------------------------------------ judgement (sim.judgement)
    def classify(self, loan_id: int, cls: int, reason: str) -> None:
        """Queue a judgement for the month to come; raises ActionError with the refusal code.

        A second judgement on the same loan this month replaces the first."""
        why = judgement.refusal(self.sim, int(loan_id), int(cls), reason)
        if why is not None:
            raise ActionError(why)
        self._classify[int(loan_id)] = (int(cls), reason)

    def unclassify(self, loan_id: int) -> None:
        self._classify.pop(int(loan_id), None)

    @property
    def classify_queued(self) -> list[tuple[int, int, str]]:
        """(loan id, class, reason) of the judgements queued this month."""
        return [(i, c, r) for i, (c, r) in self._classify.items()]

    def add_resolution(self, record: dict) -> None:
        """Keep a review-meeting resolution (a JSON record, see training.ledger) with the
        decisions: it is logged with the month to come, so a replay restores it."""
        self._new_resolutions.append(dict(record))

    @property
    def resolutions_pending(self) -> list[dict]:
        """Resolutions made since the last month ended (not yet in the decision log)."""
        return list(self._new_resolutions)

    @property
    def ledger(self) -> list[dict]:
        """Every resolution so far, the unlogged ones of this month last."""
        return [*self.resolutions, *self._new_resolutions]

    def _decide(self, obs: Observation) -> Decision:
        mine = self._pending or Decision()
        extra = standing_actions(obs, self._standing, team_hours(self.sim.catalogue),
                                 {tuple(a) for a in mine.actions})
        self.standing_log += [(int(obs.month), i, a) for i, a in extra]
        # replace() keeps every other part of the decision (judgements, talks)
        return replace(mine, actions=[*mine.actions, *extra]) if extra else mine

    def end_month(self, expected_month: int) -> MonthReport | None:
        """Advance one month if the player saw month `expected_month`; otherwise do nothing."""
        if expected_month != self.month or self.finished:
            return None
        entry = {
            "month": self.month + 1,
            "policy": self._policy.model_dump(mode="json"),
            "actions": [[int(i), a] for i, a in self._queue],
            "standing_order": self._standing.to_log(),
        }
        if self._routine_hours is not None:
            entry["routine_hours"] = self._routine_hours
        if self._talks:
            entry["talks"] = self.pending_talks
        if self._classify:
            entry["classify"] = [[i, CLASS_KEYS[c], r] for i, c, r in self.classify_queued]
        if self._new_resolutions:
            entry["resolutions"] = list(self._new_resolutions)
        self.decision_log.append(entry)
        talks = [self._talk_record(t) for t in self._talks]
        self._pending = Decision(policy=self._policy, actions=self._all_queued(),
                                 talks=[Talk(t["loan_id"], tuple(t["facts"]),
                                             t["relationship_delta"],
                                             meeting_action_of(t["actions"]))
                                        for t in talks],
                                 classify=self.classify_queued,
                                 routine_hours=self._routine_hours)
        self._queue = []
        self._talks = []
        self._classify = {}
        self.resolutions.extend(self._new_resolutions)
        self._new_resolutions = []
        self.sim.advance_to(self.month + 1)
        self._pending = None
        rep = self.sim.reports[-1]
        refused = {(int(i), a) for i, a, _ in rep.rejected}
        self.talk_history += [t for t in talks
                              if (t["loan_id"], meeting_action_of(t["actions"])) not in refused]
        self._last_report = MonthReport(
            month=self.month, new_defaults=int(rep.new_defaults),
            new_alerts=int(rep.new_alerts), checks_done=int(rep.checks_done),
            checks_slipped=int(rep.checks_slipped),
            check_quality=float(rep.check_quality),
            hours_used=float(rep.hours_used), events=self.events(self.month),
            rejected=[(int(i), a, w) for i, a, w in rep.rejected])
        return self._last_report
    @property
    def last_report(self) -> MonthReport | None:
        return self._last_report

    @classmethod
    def replay(cls, scenario: Scenario, seed: int | None, log: list[dict],
               roleplays: dict[str, Roleplay] | None = None) -> Game:
        g = cls(scenario, seed, roleplays=roleplays)
        for entry in log:
            g.set_policy(MonitoringPolicy.model_validate(entry["policy"]))
            g.set_standing_order(StandingOrder.from_log(entry.get("standing_order")))
            g.set_routine_hours(entry.get("routine_hours"))
            g._queue = [(int(i), a) for i, a in entry["actions"]]
            g._classify = {int(i): (CLASS_KEYS.index(k), r) for i, k, r in entry.get("classify", [])}
            g._new_resolutions = [dict(r) for r in entry.get("resolutions", [])]
            for talk in entry.get("talks", []):
                g.meet(int(talk["loan_id"]), talk["roleplay"], talk["path"], talk["actions"],
                       logged=talk, lines=talk.get("lines"), left=bool(talk.get("left")))
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


__all__ = ["Game", "MonthReport"]
