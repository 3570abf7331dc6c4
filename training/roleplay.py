"""Playing a role-play conversation: walk the graph, record the path, judge the talk.

A ``Session`` walks a conversation given the loan's hidden state (read from the engine
by ``sim.borrower_state.state_of``, or a practice profile; the trainee never sees it). It
records the path (the choice ids), so ``Session.replay`` reproduces the talk exactly,
and its ``outcome`` says what the talk produced: facts for the loan file, terms agreed
as engine actions with the engine's hours and costs, conduct rules broken, and feedback
(what was learned, what was missed, what a strong officer would have asked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.borrower_state import PRACTICE_PROFILES, BorrowerState, profiles_for, with_premise
from sim.conversation import Conversation, PathError, Step
from sim.defaults import INTERVENTIONS
from sim.field_types import Text
from sim.roleplay import MEETING_ACTIONS, TERM_ACTIONS, Roleplay, contact_breach, meeting_held

__all__ = ["AgreedTerm", "Breach", "Fact", "Outcome", "PathError", "Session", "Step",
           "practice_state", "profiles_for", "PRACTICE_PROFILES"]


@dataclass(frozen=True)
class Fact:
    """What the talk established about one kind of hidden state (true: the adverse fact)."""

    kind: str
    adverse: bool
    node: str


@dataclass(frozen=True)
class AgreedTerm:
    kind: str
    action_id: str
    hours: float
    cost_cny: float
    note: Text | None = None


@dataclass(frozen=True)
class Breach:
    rule: str
    node: str
    choice_id: str


@dataclass
class Outcome:
    facts: list[Fact]
    terms: list[AgreedTerm]
    breaches: list[Breach]
    relationship_delta: float
    learned: list[str]  # reveal kinds with an adverse truth uncovered
    missed: list[str]  # adverse facts the talk could have uncovered but did not
    notes: list[Text] = field(default_factory=list)  # feedback of the choices made
    strong_questions: list[Text] = field(default_factory=list)
    beyond: list[str] = field(default_factory=list)  # adverse facts no path of the talk uncovers

    @property
    def action_ids(self) -> list[str]:
        return [t.action_id for t in self.terms]

    @property
    def hours(self) -> float:
        return float(sum(t.hours for t in self.terms))

    @property
    def cost_cny(self) -> float:
        return float(sum(t.cost_cny for t in self.terms))


HIDDEN_PROBLEMS = ("diversion", "true_turnover", "other_creditors", "guarantor_trouble")
"""The adverse facts a borrower can hide, named once each: a related-party transfer is the
same hidden flag as diversion, and being able to pay is no problem."""


CostOf = Callable[[str], tuple[float, float]]
"""(action id) -> (hours, cost in CNY): the engine's cost function for one loan."""


def catalogue_cost(action_id: str) -> tuple[float, float]:
    """Hours and fixed cost from the default catalogue (practice without a case)."""
    it = INTERVENTIONS[action_id]
    return float(it.hours), float(it.cost_cny)


class Session(Conversation):
    """One conversation being played (sim.conversation.Conversation), judged for the debrief."""

    # ---------------------------------------------------------------- judging
    def outcome(self, cost_of: CostOf = catalogue_cost) -> Outcome:
        facts: dict[str, Fact] = {}
        terms: list[AgreedTerm] = []
        breaches: list[Breach] = []
        notes: list[Text] = []
        for st in self.steps:
            for kind in st.line.reveals:
                facts.setdefault(kind, Fact(kind, self.state.fact(kind), st.node))
            ch = st.choice
            if ch is None:
                continue
            for kind in ch.reveals:
                facts.setdefault(kind, Fact(kind, self.state.fact(kind), st.node))
            for term in ch.terms:
                action = TERM_ACTIONS[term.kind]
                if action not in (t.action_id for t in terms):  # the engine takes each once
                    hours, cost = cost_of(action)
                    terms.append(AgreedTerm(term.kind, action, hours, cost, term.note))
            rules = list(ch.breach)  # each rule the choice breaks counts
            if contact_breach(ch.contact_hour) and "contact_hours" not in rules:
                rules.append("contact_hours")
            breaches += [Breach(r, st.node, ch.id) for r in rules]
            if ch.feedback is not None:
                notes.append(ch.feedback)
        learned = [k for k, f in facts.items() if f.adverse]
        reachable = self.discoverable()
        missed = [k for k in reachable if k not in facts]
        return Outcome(list(facts.values()), terms, breaches, self.effects().relationship_delta,
                       learned, missed, notes, list(self.rp.strong_questions),
                       beyond=self.beyond_talk(reachable))

    def beyond_talk(self, reachable: list[str]) -> list[str]:
        """Adverse facts true of this borrower that no path through this conversation
        uncovers: a check has to find them. Without them, "nothing missed" read as "nothing
        wrong" beside a borrower diverting funds that the talk never asks about."""
        found = set(reachable)
        if "related_party_transfer" in found:  # the same hidden flag as diversion
            found.add("diversion")
        return [k for k in HIDDEN_PROBLEMS if self.state.fact(k) and k not in found]


def practice_state(profile: str | None, seed: int,
                   rp: Roleplay | None = None) -> tuple[str, BorrowerState]:
    """A practice borrower: the named profile, or one drawn from the seed among those the
    conversation offers (sim.borrower_state.profiles_for: those that fit its borrower's
    kind); made consistent with what the conversation's setting takes as known (its
    premise). A profile the conversation does not offer is drawn again, never played."""
    names = sorted(PRACTICE_PROFILES if rp is None else profiles_for(rp))
    if profile not in names:
        profile = names[int(np.random.default_rng(seed).integers(len(names)))]
    state = PRACTICE_PROFILES[profile]
    return profile, (with_premise(state, rp) if rp is not None else state)


def held_text(game, talk: dict, lang: str | None = None) -> tuple[str, str]:
    """How a held talk (``game.talk_history``'s, or one queued) was held, and the staff
    hours that took, as text: ("by phone or video", "0.5 h"). From its logged actions."""
    from training import units
    from training.i18n import t

    held = meeting_held(talk["actions"])
    hours, _ = game.action_cost(int(talk["loan_id"]), MEETING_ACTIONS[held])
    return t(f"roleplay.held_as.{held}", lang), units.hours(hours, lang)


@dataclass(frozen=True)
class TalkSummary:
    """One meeting held in a case, as text in one language (for the debrief report)."""

    month: int
    label: str
    title: str
    how: str  # how it was held ("by phone or video")
    hours: str  # the staff hours the meeting itself took
    learned: list[str]
    missed: list[str]
    breaches: list[str]  # "rule: source"
    terms: list[str]
    strong_questions: list[str]


def talk_summaries(game, lang: str) -> list[TalkSummary]:
    """The meetings of a played case with what they found, missed, broke and agreed."""
    from training.i18n import t

    out = []
    for h in game.talk_history:
        rp = game.roleplays.get(h["roleplay"])
        if rp is None:
            continue
        try:
            s = Session.replay(rp, h["state"], h["path"], h.get("lines"), bool(h.get("left")))
        except PathError:  # the file was edited since; the logged facts still stand
            continue
        o = s.outcome(lambda a, i=h["loan_id"]: game.action_cost(i, a))
        how, hours = held_text(game, h, lang)
        out.append(TalkSummary(
            month=int(h["month"]), label=game.sim.pf.label(h["loan_id"]),
            title=rp.title.get(lang), how=how, hours=hours,
            learned=[t(f"roleplay.fact.{k}", lang) for k in o.learned],
            missed=[t(f"roleplay.fact.{k}", lang) for k in o.missed],
            breaches=[f"{t(f'roleplay.rule.{b.rule}.title', lang)}: "
                      f"{t(f'roleplay.rule.{b.rule}.source', lang)}" for b in o.breaches],
            terms=[t(f"roleplay.term.{x.kind}", lang) for x in o.terms],
            strong_questions=[q.get(lang) for q in o.strong_questions]))
    return out
