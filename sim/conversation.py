"""Walking a role-play conversation, and what a held talk does in the engine.

A `Conversation` is a talk with a borrower in a given hidden state (sim.borrower_state):
the path of choices is the record, so `Conversation.replay` plays the same talk again.
Its `effects` are the facts it uncovered, the engine actions its agreed terms become
(sim.roleplay.TERM_ACTIONS) and the change in the relationship; `apply_talk` puts them
into the engine at the month's decision point (`Decision.talks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.borrower_state import BorrowerState
from sim.roleplay import MEET_ACTION, TERM_ACTIONS, Choice, Line, Roleplay


class PathError(ValueError):
    """A choice that is not open at this point of the conversation."""

    def __init__(self, node: str, choice: str):
        self.node, self.choice = node, choice
        super().__init__(f"no choice '{choice}' at node '{node}'")


class LineError(PathError):
    """A borrower's line that this borrower may not say at this point (paired role play)."""

    def __init__(self, node: str, line: int):
        self.line_index = line
        ValueError.__init__(self, f"line {line} at node '{node}' is not open to this borrower")
        self.node, self.choice = node, f"line:{line}"


@dataclass(frozen=True)
class Step:
    """One turn as played: the node, the line the borrower said, the choice taken."""

    node: str
    line: Line
    choice: Choice | None


@dataclass(frozen=True)
class TalkEffects:
    """What a talk does to the loan in the engine: facts, agreed actions, relationship."""

    facts: tuple[tuple[str, bool], ...]  # (reveal kind, whether the adverse fact is true)
    actions: tuple[str, ...]  # engine action ids of the agreed terms, each once, in order
    relationship_delta: float


class Conversation:
    """A conversation walked with a borrower in a given hidden state; the path is the record.

    By default the borrower says the first line whose condition the hidden state meets
    (the candid answer). In paired role play a trainee plays the borrower and picks the
    line at each node visited (``lines``, indices into the node's lines, one per node in
    the order visited), among ``permitted_lines``: so honesty is a person's choice, and
    the hidden state bounds it (a borrower can evade, never reveal what is not so)."""

    def __init__(self, rp: Roleplay, state: BorrowerState, lines: list[int] | None = None):
        self.rp = rp
        self.state = state
        self.node_id: str | None = rp.start
        self.path: list[str] = []
        self.steps: list[Step] = []
        self.lines: list[int] | None = None if lines is None else [int(k) for k in lines]

    @property
    def done(self) -> bool:
        return self.node_id is None

    def candid_index(self, node_id: str | None = None) -> int:
        """The index of the candid line at a node: the first the hidden state meets."""
        node = self.rp.nodes[node_id or self.node_id]
        return next(k for k, ln in enumerate(node.lines) if self.state.matches(ln.when))

    def permitted_lines(self, node_id: str | None = None) -> list[int]:
        """The lines a borrower in this hidden state may say at a node: the candid one, and
        any other line whose condition the state meets that reveals nothing (an evasion).
        A line that reveals is said only when it is the candid one, so what the loan file
        learns is always true."""
        nid = node_id or self.node_id
        node = self.rp.nodes[nid]
        candid = self.candid_index(nid)
        return [k for k, ln in enumerate(node.lines) if k == candid or (
            self.state.matches(ln.when) and not ln.reveals)]

    def line_index(self, node_id: str | None = None) -> int:
        """The index of the line said at the current node (or the candid one elsewhere)."""
        nid = node_id or self.node_id
        if node_id is None and self.lines is not None and len(self.steps) < len(self.lines):
            k = self.lines[len(self.steps)]
            if k not in self.permitted_lines(nid):
                raise LineError(nid, k)
            return k
        return self.candid_index(nid)

    def line(self, node_id: str | None = None) -> Line:
        """The borrower's line at a node: the one the borrower player picked, else the first
        whose condition the hidden state meets."""
        return self.rp.nodes[node_id or self.node_id].lines[self.line_index(node_id)]

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

    def leave(self) -> None:
        """End the talk where it stands (the officer leaves the meeting): the borrower's line
        at the current node has been said, and nothing more is chosen. When a person plays
        the borrower and has not yet answered the officer's last choice, nothing was said
        at this node, so none of its lines counts."""
        if self.done:
            return
        if self.lines is None or len(self.lines) > len(self.steps):
            self.steps.append(Step(self.node_id, self.line(), None))
        self.node_id = None

    @classmethod
    def replay(cls, rp: Roleplay, state: BorrowerState, path: list[str],
               lines: list[int] | None = None, left: bool = False):
        """The same talk again from its path (and the borrower player's lines, if a person
        played the borrower; ``left``: the officer left after the path); raises PathError
        (LineError) if they do not fit."""
        conv = cls(rp, state, lines)
        for cid in path:
            conv.choose(cid)
        if conv.lines is not None and not conv.done and len(conv.lines) > len(conv.steps):
            conv.line()  # the line already said at the current node must be open too
        if left:
            conv.leave()
        return conv

    def effects(self) -> TalkEffects:
        facts: dict[str, bool] = {}
        actions: list[str] = []
        rel = 0.0
        for st in self.steps:
            kinds = list(st.line.reveals) + (list(st.choice.reveals) if st.choice else [])
            for kind in kinds:
                facts.setdefault(kind, self.state.fact(kind))
            if st.choice is None:
                continue
            rel += st.choice.relationship
            for term in st.choice.terms:
                if TERM_ACTIONS[term.kind] not in actions:  # the engine takes each once a month
                    actions.append(TERM_ACTIONS[term.kind])
        return TalkEffects(tuple(facts.items()), tuple(actions), max(-1.0, min(1.0, rel)))

    def discoverable(self) -> list[str]:
        """Adverse facts about this borrower that some path through the talk would uncover."""
        kinds: list[str] = []
        for nid, node in self.rp.nodes.items():
            found = list(self.line(nid).reveals)
            for ch in node.choices:
                found += ch.reveals
            kinds += [k for k in found if self.state.fact(k) and k not in kinds]
        return kinds


@dataclass(frozen=True)
class Talk:
    """A talk as the engine applies it at the month's decision point (after the meeting)."""

    loan_id: int
    facts: tuple[tuple[str, bool], ...]
    relationship_delta: float
    action: str = MEET_ACTION  # the meeting's engine action: how it was held (on a visit)


MISUSE_FACTS = ("diversion", "related_party_transfer")
"""What a borrower can admit that makes the misuse of loan money known to the bank."""


def found_misuse(facts) -> bool:
    """Whether a talk's facts ((kind, adverse) pairs) establish that loan money was misused."""
    return any(bool(adverse) and kind in MISUSE_FACTS for kind, adverse in facts)


def learn_at_meeting(sim: Any, i: int) -> None:
    """The moment a meeting is held (its hours charged), what the borrower admitted in it is
    known: a misuse of funds the talk established becomes known to the bank at once, so the
    terms agreed at the meeting, taken after it, can rest on it (the freeze_ground
    precondition, sim.interventions.catalogue). The relationship moves at the decision's
    end (apply_talk). ``sim._talks_now``: this month's talks by loan (sim.engine)."""
    talk = sim._talks_now.get(int(i))
    if talk is not None and found_misuse(talk.facts):
        sim.known_diversion[int(i)] = True


def apply_talk(sim: Any, talk: Talk) -> bool:
    """Put what a held meeting established into the engine; False if the meeting did not happen.

    A diversion the borrower admitted becomes known to the bank (as if a check had found
    it); the relationship moves by what was said.
    """
    i = int(talk.loan_id)
    if (i, talk.action) not in sim._done_this_month:
        return False
    if found_misuse(talk.facts):
        sim.known_diversion[i] = True
    sim.relationship[i] = min(1.0, max(0.0, float(sim.relationship[i]) + talk.relationship_delta))
    return True
