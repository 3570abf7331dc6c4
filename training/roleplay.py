"""Playing a role-play conversation: walk the graph, record the path, judge the talk.

A ``Session`` walks a conversation given the loan's hidden state (read from the engine
by ``sim.roleplay.state_of``, or a practice profile; the trainee never sees it). It
records the path (the choice ids), so ``Session.replay`` reproduces the talk exactly,
and its ``outcome`` says what the talk produced: facts for the loan file, terms agreed
as engine actions with the engine's hours and costs, conduct rules broken, and feedback
(what was learned, what was missed, what a strong officer would have asked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.defaults import INTERVENTIONS
from sim.roleplay import (
    TERM_ACTIONS,
    BorrowerState,
    Choice,
    Line,
    Roleplay,
    contact_breach,
)
from sim.scenario import Text

PRACTICE_PROFILES: dict[str, BorrowerState] = {
    # an honest borrower in good shape
    "honest_sound": BorrowerState(health="strong"),
    # honest but struggling: sales down, other lenders pressing, guarantor shaky
    "struggling": BorrowerState(health="weak", other_creditors=True, guarantor_trouble=True,
                                overdue=True, disaster_hit=True),
    # evasive: diverting the loan, in worse shape than it says
    "evasive": BorrowerState(health="weak", diverting=True, other_creditors=True),
    # in deep trouble
    "distressed": BorrowerState(health="distressed", other_creditors=True,
                                guarantor_trouble=True, overdue=True, disaster_hit=True),
}
"""Hidden states for practice without a case; the page draws one unless the trainee picks."""


class PathError(ValueError):
    """A choice that is not open at this point of the conversation."""

    def __init__(self, node: str, choice: str):
        self.node, self.choice = node, choice
        super().__init__(f"no choice '{choice}' at node '{node}'")


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


@dataclass(frozen=True)
class Step:
    """One turn as played: the node, the line the borrower said, the choice taken."""

    node: str
    line: Line
    choice: Choice | None


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

    @property
    def action_ids(self) -> list[str]:
        return [t.action_id for t in self.terms]

    @property
    def hours(self) -> float:
        return float(sum(t.hours for t in self.terms))

    @property
    def cost_cny(self) -> float:
        return float(sum(t.cost_cny for t in self.terms))


CostOf = Callable[[str], tuple[float, float]]
"""(action id) -> (hours, cost in CNY): the engine's cost function for one loan."""


def catalogue_cost(action_id: str) -> tuple[float, float]:
    """Hours and fixed cost from the default catalogue (practice without a case)."""
    it = INTERVENTIONS[action_id]
    return float(it.hours), float(it.cost_cny)


class Session:
    """One conversation being played with a borrower in a given hidden state."""

    def __init__(self, rp: Roleplay, state: BorrowerState):
        self.rp = rp
        self.state = state
        self.node_id: str | None = rp.start
        self.path: list[str] = []
        self.steps: list[Step] = []

    # ---------------------------------------------------------------- playing
    @property
    def done(self) -> bool:
        return self.node_id is None

    def line(self, node_id: str | None = None) -> Line:
        """The borrower's line at a node: the first whose condition the hidden state meets."""
        node = self.rp.nodes[node_id or self.node_id]
        return next(ln for ln in node.lines if self.state.matches(ln.when))

    def choices(self) -> list[Choice]:
        return [] if self.done else list(self.rp.nodes[self.node_id].choices)

    def choose(self, choice_id: str) -> None:
        if self.done:
            raise PathError("(end)", choice_id)
        ch = self.rp.choice(self.node_id, choice_id)
        if ch is None:
            raise PathError(self.node_id, choice_id)
        self.steps.append(Step(self.node_id, self.line(), ch))
        self.path.append(choice_id)
        self.node_id = ch.next
        if self.node_id is not None and not self.rp.nodes[self.node_id].choices:
            self.steps.append(Step(self.node_id, self.line(), None))
            self.node_id = None

    @classmethod
    def replay(cls, rp: Roleplay, state: BorrowerState, path: list[str]) -> Session:
        """The same talk again from its path; raises PathError if the path does not fit."""
        s = cls(rp, state)
        for cid in path:
            s.choose(cid)
        return s

    # ---------------------------------------------------------------- judging
    def outcome(self, cost_of: CostOf = catalogue_cost) -> Outcome:
        facts: dict[str, Fact] = {}
        terms: list[AgreedTerm] = []
        breaches: list[Breach] = []
        notes: list[Text] = []
        rel = 0.0
        for st in self.steps:
            for kind in st.line.reveals:
                facts.setdefault(kind, Fact(kind, self.state.fact(kind), st.node))
            ch = st.choice
            if ch is None:
                continue
            for kind in ch.reveals:
                facts.setdefault(kind, Fact(kind, self.state.fact(kind), st.node))
            rel += ch.relationship
            for term in ch.terms:
                action = TERM_ACTIONS[term.kind]
                if action not in (t.action_id for t in terms):  # the engine takes each once
                    hours, cost = cost_of(action)
                    terms.append(AgreedTerm(term.kind, action, hours, cost, term.note))
            rules = [ch.breach] if ch.breach else []
            if contact_breach(ch.contact_hour) and "contact_hours" not in rules:
                rules.append("contact_hours")
            breaches += [Breach(r, st.node, ch.id) for r in rules]
            if ch.feedback is not None:
                notes.append(ch.feedback)
        learned = [k for k, f in facts.items() if f.adverse]
        missed = [k for k in self.discoverable() if k not in facts]
        return Outcome(list(facts.values()), terms, breaches, float(np.clip(rel, -1.0, 1.0)),
                       learned, missed, notes, list(self.rp.strong_questions))

    def discoverable(self) -> list[str]:
        """Adverse facts about this borrower that some path through the talk would uncover."""
        kinds: list[str] = []
        for nid, node in self.rp.nodes.items():
            found = list(self.line(nid).reveals)
            for ch in node.choices:
                found += ch.reveals
            kinds += [k for k in found if self.state.fact(k) and k not in kinds]
        return kinds


def practice_state(profile: str | None, seed: int) -> tuple[str, BorrowerState]:
    """A practice borrower: the named profile, or one drawn from the seed."""
    if profile in PRACTICE_PROFILES:
        return profile, PRACTICE_PROFILES[profile]
    names = sorted(PRACTICE_PROFILES)
    name = names[int(np.random.default_rng(seed).integers(len(names)))]
    return name, PRACTICE_PROFILES[name]
