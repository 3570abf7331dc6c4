"""The month's action queue on the step API: what each action on a loan costs, whether
it can be queued now and why not, and the queue itself.

`ActionQueue` is a part of `sim.game.Game` (which supplies `sim`, `text`, the queue
`_queue` and the month's meetings `_talks`). Whether an action can be queued is the
engine's own rule (sim.observation.admissible) with the hours the policy's checks leave;
what it costs is the engine's one cost rule (sim.observation.action_cost), so an option,
the queued list and the engine's charge agree.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sim.conversation import found_misuse
from sim.interventions.effects import restructure_inputs, restructure_terms
from sim.loanbook import payment_burden_one
from sim.observation import action_cost, action_hours, admissible
from sim.roleplay import MEET_ACTION, MEETING_ACTION_IDS

RESTRUCTURE = "restructure"
RELIEF = frozenset({RESTRUCTURE, "emergency_deferral"})
CONTRADICTS = {"accelerate": RELIEF, **{a: frozenset({"accelerate"}) for a in RELIEF}}
"""Actions a trainee may not queue on one loan in one month: relief (a restructuring or a
deferral) gives the borrower time, an early recall (提前收回) demands the whole balance now.
The engine would take both, one after the other; a bank would do one or the other."""
COLLECTION = frozenset({"collect_call", "collect_letter", "collect_visit"})
CLEARS_ARREARS = {RESTRUCTURE: COLLECTION, **{a: frozenset({RESTRUCTURE}) for a in COLLECTION}}
"""Neither may follow the other on one loan in one month: a restructuring clears the
arrears (the loan is current after it), so a collection action queued beside it found the
loan not overdue and was refused at the month's end, though the desk had offered it."""


@contextmanager
def _known_misuse(sim, loan_id: int):
    """The engine's state as it will be once this month's meeting with the borrower is held:
    the misuse it found known (sim.conversation.learn_at_meeting). Restored on leaving, so
    the rule read is the engine's own (sim.observation.admissible) and nothing changes."""
    i = int(loan_id)
    before = bool(sim.known_diversion[i])
    sim.known_diversion[i] = True
    try:
        yield
    finally:
        sim.known_diversion[i] = before


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
    term_capped: bool = False
    """Whether the new term reaches the extension limit (贷款通则 Art. 12,
    sim.loanbook.extension_limit_months): no later restructuring can stretch it further."""
    again: bool = False
    """Whether the loan is still under an earlier restructuring's observation period at the
    decision: restructured again, it is at least 次级 (sim.classification.reclassify)."""


@dataclass
class QueuedAction:
    loan_id: int
    label: str
    action_id: str
    zh: str
    en: str
    hours: float
    cost_cny: float


PAST_RELIEF = ("active", "not_defaulted", "not_recalled")
"""Refusals that say a loan is past any relief (off the books, or in default): its
restructuring terms are not shown beside them (on a defaulted loan "a real cut: it eases the
borrower" read as advice). A loan refused for hours, or not yet in difficulty, still shows
what a restructuring would do to its payment."""


class ActionQueue:
    """The action queue of a Game: options, costs, queueing and unqueueing."""

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
        return self.hours_queued + self.check_hours()

    @property
    def hours_left(self) -> float:
        """Officers' hours still free for actions this month: the checks the policy requires
        are done first (the rule `_why_not` applies)."""
        return self.hours_available - self.check_hours() - self.hours_queued

    # ---------------------------------------------------------------- actions
    def _why_not(self, loan_id: int, key: str) -> str | None:
        """The reason code an action cannot be queued on this loan now, or None: the same
        rule (sim.observation.admissible) the engine applies at the decision."""
        # the checks the policy requires are done first; actions get what is left
        left = self.hours_left
        queued = set(self._all_queued())
        why = admissible(self.sim, loan_id, key, queued, left, month=self.month + 1)
        if why == "freeze_ground" and self._misuse_found(loan_id):
            # the engine learns it when the meeting is held, before the actions after it
            with _known_misuse(self.sim, loan_id):
                why = admissible(self.sim, loan_id, key, queued, left, month=self.month + 1)
        if why is None and any((loan_id, a) in queued for a in CONTRADICTS.get(key, ())):
            why = "contradicts"
        if why is None and any((loan_id, a) in queued for a in CLEARS_ARREARS.get(key, ())):
            why = "clears_arrears"
        return why

    def _misuse_found(self, loan_id: int) -> bool:
        """Whether a meeting held with this borrower this month established that loan money
        was misused (sim.conversation.found_misuse)."""
        return any(talk["loan_id"] == int(loan_id) and found_misuse(talk["facts"])
                   for talk in self._talks)

    def options(self, loan_id: int) -> list[ActionOption]:
        """Every action of the case on a loan, with its cost and whether it can be queued
        (a meeting is held through its conversation, not queued bare)."""
        s = self.sim
        out = []
        for key, it in s.catalogue.items():
            why = self._why_not(loan_id, key)
            if key in MEETING_ACTION_IDS:  # on a visit, by phone or at the branch
                convs = self.conversations(loan_id)
                if any(rp.meeting_action == key for rp in convs):
                    why = "conversation"
                elif key == MEET_ACTION and not convs:
                    why = "no_conversation"
                else:
                    continue  # a way of meeting that this borrower's talks do not take
            zh, en = self.text("action", key)
            why_zh, why_en = self.text("reason", why) if why else ("", "")
            out.append(ActionOption(
                key, zh, en, action_hours(s, loan_id, key), action_cost(s, loan_id, key),
                it.duration_months, why is None, why_zh, why_en, it.stage, why or "",
                self.relief_terms(loan_id) if key == RESTRUCTURE and why not in PAST_RELIEF else None))
        return out

    def relief_terms(self, loan_id: int) -> ReliefTerms | None:
        """What a restructuring of this loan would do to its payment now (None when the
        case has no restructuring); the same rule the engine applies
        (sim.interventions.effects.payment_cut)."""
        s = self.sim
        it = s.catalogue.get(RESTRUCTURE)
        if it is None:
            return None
        balance, rate, remaining, longest, repayment = restructure_inputs(s, int(loan_id))
        new_rate, new_remaining, cut = restructure_terms(balance, rate, remaining, longest,
                                                         repayment, it.params)
        return ReliefTerms(
            payment_burden_one(balance, rate, remaining, repayment),
            payment_burden_one(balance, new_rate, new_remaining, repayment),
            cut, new_rate, new_remaining, cut >= it.params["meaningful_cut"],
            new_remaining >= longest, bool(s.restructured_until[loan_id] >= self.month + 1))

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
                if talk["actions"][index] in MEETING_ACTION_IDS:
                    self._talks.pop(n)
                else:
                    talk["actions"].pop(index)
                return
            index -= len(talk["actions"])
        if 0 <= index < len(self._queue):
            self._queue.pop(index)

    def action_cost(self, loan_id: int, action_id: str) -> tuple[float, float]:
        """Hours and money an action on this loan takes now (the engine's one cost rule)."""
        return (action_hours(self.sim, int(loan_id), action_id),
                action_cost(self.sim, int(loan_id), action_id))

    def _refuse(self, code: str) -> ActionError:
        return ActionError(code, *self.text("reason", code))
