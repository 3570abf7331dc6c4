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

from dataclasses import dataclass, field, replace

import pandas as pd

from sim import judgement
from sim.codes import CLASS_KEYS
from sim.engine import RunResult, Simulation
from sim.interventions.effects import restructure_inputs, restructure_terms
from sim.loanbook import payment_burden_one
from sim.observation import Decision, Observation, action_cost, action_hours, admissible
from sim.policy import MonitoringPolicy
from sim.roleplay import (
    MEET_ACTION,
    BorrowerState,
    Conversation,
    PathError,
    Roleplay,
    Talk,
    premise_missing,
    shipped,
    state_of,
)
from sim.scenario import Scenario
from sim.standing_order import StandingOrder, standing_actions, team_hours
from sim.tail import finish_workouts

RESTRUCTURE = "restructure"


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
    relief: ReliefTerms | None = None
    """For a restructuring: what it would do to the payment (the ground for choosing it)."""


@dataclass(frozen=True)
class ReliefTerms:
    """What a restructuring of one loan would change, as the engine would apply it now.

    The payments are the average due a month over the next year (an instalment, or the
    interest plus a bullet that falls within the year: sim.loanbook.payment_burden_one);
    the relief a restructuring gives the borrower grows with `cut_share` only."""

    payment_before_cny: float
    payment_after_cny: float
    cut_share: float
    rate_annual: float
    remaining_months: int
    meaningful: bool
    """Whether the cut reaches the catalogue's `meaningful_cut` (the re-default evidence)."""


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

    def _all_queued(self) -> list[tuple[int, str]]:
        """The month's actions in the order the engine takes them: meetings first."""
        return [(t["loan_id"], a) for t in self._talks for a in t["actions"]] + self._queue

    @property
    def queued(self) -> list[QueuedAction]:
        out = []
        for i, a in self._all_queued():
            zh, en = self.text("action", a)
            out.append(QueuedAction(i, self.sim.pf.label(i), a, zh, en,
                                    action_hours(self.sim, i, a), action_cost(self.sim, i, a)))
        return out

    @property
    def hours_queued(self) -> float:
        return float(sum(action_hours(self.sim, i, a) for i, a in self._all_queued()
                         if not self.sim.by_legal_team(a)))

    @property
    def hours_planned(self) -> float:
        return self.hours_queued + self.policy_hours()

    # ---------------------------------------------------------------- actions
    def _why_not(self, loan_id: int, key: str) -> str | None:
        """The reason code an action cannot be queued on this loan now, or None: the same
        rule (sim.observation.admissible) the engine applies at the decision."""
        # the checks the policy requires are done first; actions get what is left
        left = self.hours_available - self.policy_hours() - self.hours_queued
        return admissible(self.sim, loan_id, key, set(self._all_queued()), left,
                          month=self.month + 1)

    def options(self, loan_id: int) -> list[ActionOption]:
        """Every action of the case on a loan, with its cost and whether it can be queued
        (a meeting is held through its conversation, not queued bare)."""
        s = self.sim
        out = []
        for key, it in s.catalogue.items():
            why = self._why_not(loan_id, key)
            if key == MEET_ACTION:
                why = "conversation" if self.conversations(loan_id) else "no_conversation"
            zh, en = self.text("action", key)
            why_zh, why_en = self.text("reason", why) if why else ("", "")
            out.append(ActionOption(
                key, zh, en, action_hours(s, loan_id, key), action_cost(s, loan_id, key),
                it.duration_months, why is None, why_zh, why_en, it.stage, why or "",
                self.relief_terms(loan_id) if key == RESTRUCTURE else None))
        return out

    def relief_terms(self, loan_id: int) -> ReliefTerms | None:
        """What a restructuring of this loan would do to its payment now (None when the
        case has no restructuring); the same rule the engine applies
        (sim.interventions.effects.payment_cut)."""
        s = self.sim
        it = s.catalogue.get(RESTRUCTURE)
        if it is None:
            return None
        balance, rate, remaining, repayment = restructure_inputs(s, int(loan_id))
        new_rate, new_remaining, cut = restructure_terms(balance, rate, remaining, repayment,
                                                         it.params)
        return ReliefTerms(
            payment_burden_one(balance, rate, remaining, repayment),
            payment_burden_one(balance, new_rate, new_remaining, repayment),
            cut, new_rate, new_remaining, cut >= it.params["meaningful_cut"])

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
        """Drop the index-th of `queued`; dropping a meeting drops what it agreed too."""
        for n, talk in enumerate(self._talks):
            if index < len(talk["actions"]):
                if talk["actions"][index] == MEET_ACTION:
                    self._talks.pop(n)
                else:
                    talk["actions"].pop(index)
                return
            index -= len(talk["actions"])
        if 0 <= index < len(self._queue):
            self._queue.pop(index)

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
    # ------------------------------------------------------------ conversations
    @property
    def pending_talks(self) -> list[dict]:
        """Meetings held this month and not yet taken: loan_id, roleplay, path, actions."""
        return [dict(t, path=list(t["path"]), actions=list(t["actions"]),
                     facts=[list(f) for f in t["facts"]],
                     **({"lines": list(t["lines"])} if "lines" in t else {}))
                for t in self._talks]

    @property
    def roleplays(self) -> dict[str, Roleplay]:
        if self._roleplays is None:
            self._roleplays = shipped()
        return self._roleplays

    def conversations(self, loan_id: int) -> list[Roleplay]:
        """The conversations written for this loan's named borrower in this case."""
        names = {v: k for k, v in self.sim.pf.named_index.items()}
        bid = names.get(int(loan_id))
        if bid is None:
            return []
        return [rp for rp in self.roleplays.values()
                if rp.case == self.scenario.id and rp.borrower == bid]

    def talk_state(self, loan_id: int) -> BorrowerState:
        """The borrower's hidden state, for the conversation walker only: never display it."""
        return state_of(self.sim, int(loan_id))

    def meeting_option(self, loan_id: int) -> ActionOption:
        """'Meet the borrower' on this loan: its hours, cost, and why it cannot be held now."""
        it = self.sim.catalogue[MEET_ACTION]
        hours, cost = self.action_cost(loan_id, MEET_ACTION)
        why = self._why_not(int(loan_id), MEET_ACTION)
        if why is None and any(t["loan_id"] == int(loan_id) for t in self._talks):
            why = "queued"
        convs = self.conversations(loan_id)
        if why is None and convs:
            why = premise_missing(self.sim, loan_id, convs[0])
        zh, en = self.text("action", MEET_ACTION)
        why_zh, why_en = self.text("reason", why) if why else ("", "")
        return ActionOption(MEET_ACTION, zh, en, hours, cost, it.duration_months, why is None,
                            why_zh, why_en, it.stage, why or "")

    def action_cost(self, loan_id: int, action_id: str) -> tuple[float, float]:
        """Hours and money an action on this loan takes now (the engine's one cost rule)."""
        return (action_hours(self.sim, int(loan_id), action_id),
                action_cost(self.sim, int(loan_id), action_id))

    def _refuse(self, code: str) -> ActionError:
        return ActionError(code, *self.text("reason", code))

    def meet(self, loan_id: int, roleplay_id: str, path: list[str],
             actions: list[str] | None = None,
             logged: dict | None = None,
             lines: list[int] | None = None) -> list[tuple[str, str]]:
        """Hold a conversation this month: the meeting and the terms agreed are queued.

        The path is replayed against the borrower's hidden state now. Terms the engine
        cannot take (not available, no hours left) are left out and returned as
        (action id, reason code). For a replay, `actions` are the actions the log recorded
        and `logged` the logged talk: its facts are used as they were, and if the
        conversation file has changed since so that the path no longer fits, the logged
        talk is taken as it was, so an attempt still opens. `lines` are the borrower's
        lines when a trainee played the borrower (paired role play; see
        sim.roleplay.Conversation); they are logged with the path.
        """
        i = int(loan_id)
        if any(t["loan_id"] == i for t in self._talks):
            raise self._refuse("queued")
        rp = self.roleplays.get(roleplay_id)
        conv = None
        if rp is not None and rp in self.conversations(i):
            premise = premise_missing(self.sim, i, rp)
            if premise is not None and logged is None:
                raise self._refuse(premise)
            try:
                conv = Conversation.replay(rp, self.talk_state(i), list(path), lines)
            except PathError:
                conv = None
        if conv is None or not conv.done:
            if logged is None or "facts" not in logged or actions is None:
                raise self._refuse("available")
            wanted = [a for a in actions if a in self.sim.catalogue]
            facts, delta = logged["facts"], float(logged["relationship_delta"])
        else:
            eff = conv.effects()
            wanted = [MEET_ACTION, *eff.actions]
            if actions is not None:
                if not set(actions) <= set(wanted) or MEET_ACTION not in actions:
                    raise self._refuse("available")
                wanted = [a for a in wanted if a in actions]
            facts, delta = eff.facts, eff.relationship_delta
            if logged is not None and "facts" in logged:
                facts, delta = logged["facts"], float(logged["relationship_delta"])
        talk = {"loan_id": i, "roleplay": roleplay_id, "path": list(path), "actions": [],
                "facts": [[str(k), bool(v)] for k, v in facts], "relationship_delta": delta}
        if lines is not None:
            talk["lines"] = [int(k) for k in lines]
        refused: list[tuple[str, str]] = []
        for a in wanted:
            code = self._why_not(i, a) if a in self.sim.catalogue else "available"
            if a == MEET_ACTION and code is not None:
                raise self._refuse(code)
            if code is None:
                talk["actions"].append(a)
                if a == MEET_ACTION:
                    self._talks.append(talk)
            else:
                refused.append((a, code))
        return refused

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
                                             t["relationship_delta"]) for t in talks],
                                 classify=self.classify_queued)
        self._queue = []
        self._talks = []
        self._classify = {}
        self.resolutions.extend(self._new_resolutions)
        self._new_resolutions = []
        self.sim.advance_to(self.month + 1)
        self._pending = None
        rep = self.sim.reports[-1]
        refused = {(int(i), a) for i, a, _ in rep.rejected}
        self.talk_history += [t for t in talks if (t["loan_id"], MEET_ACTION) not in refused]
        self._last_report = MonthReport(
            month=self.month, new_defaults=int(rep.new_defaults),
            new_alerts=int(rep.new_alerts), checks_done=int(rep.checks_done),
            checks_slipped=int(rep.checks_slipped),
            check_quality=float(rep.check_quality),
            hours_used=float(rep.hours_used), events=self.events(self.month),
            rejected=[(self.sim.pf.label(i), a, self.text("reason", w)[1])
                      for i, a, w in rep.rejected])
        return self._last_report

    def _talk_record(self, talk: dict) -> dict:
        return {"month": self.month + 1, "loan_id": talk["loan_id"], "roleplay": talk["roleplay"],
                "path": list(talk["path"]), "actions": list(talk["actions"]),
                "facts": [(k, v) for k, v in talk["facts"]],
                "relationship_delta": talk["relationship_delta"],
                **({"lines": list(talk["lines"])} if "lines" in talk else {}),
                # hidden at the time; the debrief may show it
                "state": self.talk_state(talk["loan_id"])}

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
            g._queue = [(int(i), a) for i, a in entry["actions"]]
            g._classify = {int(i): (CLASS_KEYS.index(k), r) for i, k, r in entry.get("classify", [])}
            g._new_resolutions = [dict(r) for r in entry.get("resolutions", [])]
            for talk in entry.get("talks", []):
                g.meet(int(talk["loan_id"]), talk["roleplay"], talk["path"], talk["actions"],
                       logged=talk, lines=talk.get("lines"))
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


__all__ = ["ActionError", "ActionOption", "Game", "MonthReport", "QueuedAction", "ReliefTerms"]
