"""Role-play conversations (角色扮演) as data: a graph of borrower lines and trainee choices.

A conversation is a YAML file in ``roleplays/`` with ``kind: roleplay``. It is tied to a
named borrower of a case (``case`` + ``borrower``) or stands alone for practice. Each node
holds the borrower's lines, the first whose ``when`` matches the loan's hidden state being
said, so an honest and an evasive borrower play differently from one graph; and the
trainee's choices, each of which may reveal hidden state into the loan file, change the
relationship, agree terms that become engine actions, or breach a conduct rule.

This module is pure: the schema, the graph checks, the careful loader (the scenario
loader's, with its size limit and duplicate-key check) and the reading of a loan's
hidden state from a simulation. Playing a conversation lives in training/roleplay.py.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from sim import defaults
from sim.field_types import Bool, Int, Slug, Text
from sim.inputs import MAX_FILE_BYTES, Strict, load_yaml, read_text, validate
from sim.scenario import ScenarioError, load_scenario
from sim.segments import Product

ROLEPLAY_DIR = Path(__file__).resolve().parent.parent / "roleplays"
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"

HealthBand = Literal["strong", "weak", "distressed"]
HEALTH_BANDS: tuple[str, ...] = ("strong", "weak", "distressed")

HEALTH_STRONG_ABOVE = defaults.HEALTHY_BORROWER
"""A borrower is strong in a conversation above the health the engine calls healthy."""
HEALTH_DISTRESSED_BELOW = defaults.GUARANTOR_TROUBLE_HEALTH
"""A borrower is distressed below the health at which the engine shows guarantor trouble."""

RevealKind = Literal[
    "diversion",  # loan money went elsewhere (related party, another project)
    "true_turnover",  # the real state of sales and receipts (the health band)
    "other_creditors",  # debt at other banks or lenders pressing
    "related_party_transfer",  # money passed to an affiliate (same hidden flag as diversion)
    "guarantor_trouble",  # the guarantor (or the firm guaranteed) is in trouble
    "ability_to_pay",  # whether the borrower can in fact pay now
]
REVEAL_KINDS: tuple[str, ...] = (
    "diversion", "true_turnover", "other_creditors", "related_party_transfer",
    "guarantor_trouble", "ability_to_pay")

TermKind = Literal[
    "restructure", "additional_collateral", "new_guarantor", "entrusted_payment",
    "repayment_plan", "emergency_deferral", "freeze_line", "closer_monitoring",
]
TERM_ACTIONS: dict[str, str] = {
    # restructuring in the engine lengthens the term by half the remaining term plus six
    # months and trims the rate, so the instalment really falls
    "restructure": "restructure",
    "additional_collateral": "add_collateral",
    "new_guarantor": "add_collateral",  # the engine's action covers collateral or guarantor
    "entrusted_payment": "entrusted_payment",
    # a written plan for the arrears works as a collection visit's cure boost
    "repayment_plan": "collect_visit",
    "emergency_deferral": "emergency_deferral",
    "freeze_line": "freeze_line",
    "closer_monitoring": "closer_monitoring",
}
"""Which engine action each kind of agreed term becomes (its hours and cost are the engine's)."""

Premise = Literal["overdue", "disaster_hit"]
"""A public fact a conversation's setting takes as known (the desk can see it too)."""

ConductRule = Literal["no_false_promise", "no_threats", "no_third_party_disclosure",
                      "contact_hours"]
CONDUCT_RULES: tuple[str, ...] = ("no_false_promise", "no_threats", "no_third_party_disclosure",
                                  "contact_hours")

PERMITTED_CONTACT_FROM_HOUR = defaults.PERMITTED_CONTACT_FROM_HOUR
PERMITTED_CONTACT_UNTIL_HOUR = defaults.PERMITTED_CONTACT_UNTIL_HOUR

MEET_ACTION = "meet_borrower"
"""The engine action a conversation takes: a visit with its hours (see defaults)."""

MAX_NODES = 200
MAX_CHOICES = 8


def contact_breach(hour: int | None) -> bool:
    """Whether contact at this hour of the day falls outside the permitted hours."""
    return hour is not None and not (
        PERMITTED_CONTACT_FROM_HOUR <= hour < PERMITTED_CONTACT_UNTIL_HOUR)


class When(Strict):
    """A condition on the loan's hidden state; every field given must hold."""

    health: list[HealthBand] | None = Field(default=None, min_length=1, max_length=3)
    diverting: Bool | None = None
    other_creditors: Bool | None = None
    guarantor_trouble: Bool | None = None
    overdue: Bool | None = None
    disaster_hit: Bool | None = None


class Line(Strict):
    """What the borrower says, when the hidden state matches; may reveal a fact."""

    when: When | None = None
    text: Text
    reveals: list[RevealKind] = Field(default_factory=list, max_length=6)


class Term(Strict):
    """A term agreed in the conversation; becomes an engine action queued for the month."""

    kind: TermKind
    note: Text | None = None


class Choice(Strict):
    """What the trainee may say, and what saying it does."""

    id: Slug
    text: Text
    next: Slug | None = None  # None ends the conversation
    reveals: list[RevealKind] = Field(default_factory=list, max_length=6)
    relationship: float = Field(default=0.0, ge=-1.0, le=1.0)
    terms: list[Term] = Field(default_factory=list, max_length=4)
    breach: ConductRule | None = None
    contact_hour: Int | None = Field(default=None, ge=0, le=23)
    feedback: Text | None = None  # shown in the debrief when this choice was made


class Node(Strict):
    """One turn: the borrower speaks, the trainee chooses (no choices: the talk ends)."""

    lines: list[Line] = Field(min_length=1, max_length=10)
    choices: list[Choice] = Field(default_factory=list, max_length=MAX_CHOICES)


class Roleplay(Strict):
    """A conversation file (kind: roleplay)."""

    kind: Literal["roleplay"]
    id: Slug
    title: Text
    summary: Text
    setting: Text  # the brief the trainee reads before the meeting
    borrower_brief: Text  # the hidden brief card for a trainee who plays the borrower
    case: Slug | None = None
    borrower: Slug | None = None
    product: Product | None = None
    lesson: Slug | None = None
    # what the setting takes as known: in a case the meeting is offered only when it holds,
    # and practice assumes it
    premise: list[Premise] = Field(default_factory=list, max_length=2)
    start: Slug
    nodes: dict[Slug, Node] = Field(min_length=1, max_length=MAX_NODES)
    strong_questions: list[Text] = Field(default_factory=list, max_length=10)

    def choice(self, node_id: str, choice_id: str) -> Choice | None:
        node = self.nodes.get(node_id)
        return next((c for c in node.choices if c.id == choice_id), None) if node else None


class RoleplayError(ScenarioError):
    """A conversation file could not be loaded; `problems` lists (field path, message)."""


@dataclass(frozen=True)
class BorrowerState:
    """The hidden state of one loan a conversation reads; never shown to the trainee."""

    health: str = "strong"
    diverting: bool = False
    other_creditors: bool = False
    guarantor_trouble: bool = False
    overdue: bool = False
    disaster_hit: bool = False

    def matches(self, when: When | None) -> bool:
        if when is None:
            return True
        if when.health is not None and self.health not in when.health:
            return False
        for key in ("diverting", "other_creditors", "guarantor_trouble", "overdue",
                    "disaster_hit"):
            want = getattr(when, key)
            if want is not None and want != getattr(self, key):
                return False
        return True

    def fact(self, kind: str) -> bool:
        """Whether the adverse fact behind a reveal kind is true for this borrower."""
        return {
            "diversion": self.diverting,
            "related_party_transfer": self.diverting,
            "true_turnover": self.health != "strong",
            "other_creditors": self.other_creditors,
            "guarantor_trouble": self.guarantor_trouble,
            "ability_to_pay": self.health == "strong",
        }[kind]


def with_premise(state: BorrowerState, rp: Roleplay) -> BorrowerState:
    """A practice borrower made consistent with what the conversation's setting says."""
    return replace(state, **{p: True for p in rp.premise})


def premise_missing(sim: Any, loan_id: int, rp: Roleplay) -> str | None:
    """The first premise of the conversation that does not hold for this loan now (a reason
    code the desk can show), or None. Premises are public: overdue, a disaster under way."""
    i = int(loan_id)
    for p in rp.premise:
        if p == "overdue" and not sim.dpd[i] > 0:
            return "overdue"
        if p == "disaster_hit" and not sim.disaster_until[sim.pf.region[i]] >= sim.t:
            return "disaster_hit"
    return None


def health_band(health: float) -> str:
    if health > HEALTH_STRONG_ABOVE:
        return "strong"
    if health < HEALTH_DISTRESSED_BELOW:
        return "distressed"
    return "weak"


def state_of(sim: Any, loan_id: int) -> BorrowerState:
    """Read loan `loan_id`'s hidden state from a running simulation (for the conversation).

    Other creditors and guarantor trouble are the hidden conditions behind the engine's
    short-term-debt and guarantor signals (sim.signals.condition), so a talk and a check
    read the same truth; a firm whose guarantee for another borrower is being called is
    in guarantor trouble too."""
    from sim.signals import condition  # sim.signals is imported by the engine, as is this

    i = int(loan_id)
    idx = np.array([i])
    guaranteed = np.flatnonzero(sim.pf.guarantor == i)
    return BorrowerState(
        health=health_band(float(sim.d[i])),
        diverting=bool(sim.diverting[i]),
        other_creditors=bool(condition(sim, defaults.SIGNALS["short_debt_surge"], idx)[0]),
        guarantor_trouble=bool(condition(sim, defaults.SIGNALS["guarantor_trouble"], idx)[0]
                               or sim.defaulted[guaranteed].any()),
        overdue=bool(sim.dpd[i] > 0),
        disaster_hit=bool(sim.disaster_until[sim.pf.region[i]] >= sim.t),
    )


# ------------------------------------------------------------------------ walking
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

    @classmethod
    def replay(cls, rp: Roleplay, state: BorrowerState, path: list[str],
               lines: list[int] | None = None):
        """The same talk again from its path (and the borrower player's lines, if a person
        played the borrower); raises PathError (LineError) if they do not fit."""
        conv = cls(rp, state, lines)
        for cid in path:
            conv.choose(cid)
        if conv.lines is not None and not conv.done and len(conv.lines) > len(conv.steps):
            conv.line()  # the line already said at the current node must be open too
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


def apply_talk(sim: Any, talk: Talk) -> bool:
    """Put what a held meeting established into the engine; False if the meeting did not happen.

    A diversion the borrower admitted becomes known to the bank (as if a check had found
    it); the relationship moves by what was said.
    """
    i = int(talk.loan_id)
    if (i, MEET_ACTION) not in sim._done_this_month:
        return False
    for kind, adverse in talk.facts:
        if adverse and kind in ("diversion", "related_party_transfer"):
            sim.known_diversion[i] = True
    sim.relationship[i] = min(1.0, max(0.0, float(sim.relationship[i]) + talk.relationship_delta))
    return True


# ------------------------------------------------------------------------ graph checks
def graph_problems(rp: Roleplay, scenario_dir: Path | None = SCENARIO_DIR) -> list[tuple[str, str]]:
    """What is wrong with the conversation as a graph, as (field path, message with a fix)."""
    out: list[tuple[str, str]] = []
    ids = list(rp.nodes)
    if rp.start not in rp.nodes:
        out.append(("start", f"no node '{rp.start}' (nodes are: {', '.join(ids[:8])}); "
                    "name one of the nodes"))
    for nid, node in rp.nodes.items():
        if node.lines[-1].when is not None:
            out.append((f"nodes.{nid}.lines[{len(node.lines) - 1}].when",
                        "the last line of a node must have no 'when', so every borrower has "
                        "something to say; remove 'when' from it or add a plain line after it"))
        seen: set[str] = set()
        for k, ch in enumerate(node.choices):
            where = f"nodes.{nid}.choices[{k}]"
            if ch.id in seen:
                out.append((f"{where}.id", f"choice id '{ch.id}' is used twice in this node; "
                            "give each choice its own id"))
            seen.add(ch.id)
            if ch.next is not None and ch.next not in rp.nodes:
                out.append((f"{where}.next", f"no node '{ch.next}'; name one of the nodes "
                            "or remove 'next' to end the conversation"))
    reach = _reachable(rp)
    for nid in ids:
        if rp.start in rp.nodes and nid not in reach:
            out.append((f"nodes.{nid}", "no choice leads to this node (unreachable); point a "
                        "choice's 'next' at it or delete it"))
    if rp.start in rp.nodes and not any(not rp.nodes[n].choices or any(
            c.next is None for c in rp.nodes[n].choices) for n in reach):
        out.append(("nodes", "the conversation never ends: give one node no choices or one "
                    "choice no 'next'"))
    if rp.borrower is not None and rp.case is None:
        out.append(("borrower", "a borrower belongs to a case: add 'case' or remove 'borrower'"))
    if rp.lesson is not None and scenario_dir is not None and LESSON_DIR.is_dir() and not (
            LESSON_DIR / "en" / f"{rp.lesson}.md").exists():
        out.append(("lesson", f"no lesson '{rp.lesson}' in lessons/en/; use a lesson's id or "
                    "remove 'lesson'"))
    if rp.case is not None and scenario_dir is not None:
        path = scenario_dir / f"{rp.case}.yaml"
        if not path.exists():
            out.append(("case", f"no case '{rp.case}' in scenarios/; use the file name of a "
                        "case without .yaml"))
        elif rp.borrower is not None:
            try:
                sc = load_scenario(path)
            except ScenarioError:
                out.append(("case", f"the case '{rp.case}' does not load; fix it first"))
            else:
                named = [b.id for b in sc.borrowers]
                if rp.borrower not in named:
                    out.append(("borrower", f"case '{rp.case}' has no named borrower "
                                f"'{rp.borrower}'; use one of: {', '.join(named)}"))
    return out


def _reachable(rp: Roleplay) -> set[str]:
    if rp.start not in rp.nodes:
        return set()
    seen, todo = {rp.start}, deque([rp.start])
    while todo:
        for ch in rp.nodes[todo.popleft()].choices:
            if ch.next is not None and ch.next in rp.nodes and ch.next not in seen:
                seen.add(ch.next)
                todo.append(ch.next)
    return seen


# ---------------------------------------------------------------------------- loading
def is_roleplay_text(text: str) -> bool:
    """Whether a YAML text declares itself a conversation (a top-level 'kind: roleplay')."""
    return re.search(r"^kind:\s*['\"]?roleplay['\"]?\s*(#.*)?$", text, re.MULTILINE) is not None


def is_roleplay_path(path: str | Path) -> bool:
    """A file in a roleplays/ folder, or one that says kind: roleplay, is a conversation."""
    p = Path(path)
    if p.parent.name in ("roleplays", "roleplay"):
        return True
    try:
        with open(p, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return is_roleplay_text(head)


def parse_roleplay(text: str, source: str = "<text>",
                   scenario_dir: Path | None = SCENARIO_DIR) -> Roleplay:
    """Parse and validate a conversation; raise RoleplayError with every problem found.

    The careful input path of sim.inputs (YAML errors and duplicate keys at their line,
    field errors at their path with a fix), then the checks of the graph."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise RoleplayError(source, [("(file)", f"file is larger than {MAX_FILE_BYTES // 1024} "
                                      "KB; a conversation should be a few KB: split it")])
    data = load_yaml(text, source, RoleplayError)
    rp = validate(Roleplay, data, source, RoleplayError,
                  what="kind: roleplay, id, title, start, nodes; see roleplays/")
    problems = graph_problems(rp, scenario_dir)
    if problems:
        raise RoleplayError(source, problems)
    return rp


def load_roleplay(path: str | Path, scenario_dir: Path | None = SCENARIO_DIR) -> Roleplay:
    """Read a conversation file; every failure is a RoleplayError naming the file."""
    return parse_roleplay(read_text(path, RoleplayError), str(path), scenario_dir)


def json_schema() -> dict:
    """The JSON Schema of a conversation file (committed as roleplays/roleplay.schema.json)."""
    schema = Roleplay.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Bianque role-play conversation"
    return schema


def roleplay_paths(directory: Path = ROLEPLAY_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if re.match(r"^[a-z0-9_\-]+\.yaml$", p.name))


def shipped(directory: Path = ROLEPLAY_DIR) -> dict[str, Roleplay]:
    """The loadable conversations of a folder, read again only when a file changes."""
    paths = roleplay_paths(directory)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in paths)
    return dict(_shipped(str(directory), stamp))


@functools.lru_cache(maxsize=4)
def _shipped(directory: str, stamp: tuple) -> dict[str, Roleplay]:
    return load_all(Path(directory), skip_broken=True)


def load_all(directory: Path = ROLEPLAY_DIR, skip_broken: bool = False) -> dict[str, Roleplay]:
    """Every conversation in a folder by id; a broken file raises, or is left out if asked
    (a case in play must not stop because someone is editing a conversation)."""
    out: dict[str, Roleplay] = {}
    for p in roleplay_paths(directory):
        try:
            rp = load_roleplay(p)
        except RoleplayError:
            if skip_broken:
                continue
            raise
        out[rp.id] = rp
    return out

