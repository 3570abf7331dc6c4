"""Role-play conversations (角色扮演) as data: a graph of borrower lines and trainee choices.

A conversation is a YAML file in ``roleplays/`` with ``kind: roleplay``. It is tied to a
named borrower of a case (``case`` + ``borrower``) or stands alone for practice. Each node
holds the borrower's lines, the first whose ``when`` matches the loan's hidden state being
said, so an honest and an evasive borrower play differently from one graph; and the
trainee's choices, each of which may reveal hidden state into the loan file, change the
relationship, agree terms that become engine actions, or breach a conduct rule.

This module is the schema and its vocabulary (what may be revealed, agreed or breached).
The rest of the concept lives beside it: reading conversation files with their graph
checks in sim.roleplay_files, the loan's hidden state as a talk reads it in
sim.borrower_state, walking a talk and what it does in the engine in sim.conversation.
Playing a conversation at the desk lives in training/roleplay.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema, field_validator

from sim import defaults
from sim.field_types import Bool, Int, Slug, Text
from sim.inputs import Strict, did_you_mean, near_zh, refusal
from sim.segments import Product

PracticeProfile = Literal["honest_sound", "struggling", "evasive", "distressed"]
PRACTICE_PROFILE_NAMES: tuple[str, ...] = ("honest_sound", "struggling", "evasive", "distressed")
"""The practice borrowers (their hidden states are sim.borrower_state.PRACTICE_PROFILES)."""

HealthBand = Literal["strong", "weak", "distressed"]
HEALTH_BANDS: tuple[str, ...] = ("strong", "weak", "distressed")

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
    # months, within the extension limit of 贷款通则 Art. 12, and trims the rate, so the
    # instalment really falls (little, once the limit is used up)
    "restructure": "restructure",
    "additional_collateral": "add_collateral",
    "new_guarantor": "add_collateral",  # the engine's action covers collateral or guarantor
    "entrusted_payment": "entrusted_payment",
    # a plan for the arrears is agreed in the talk itself (the meeting's hours, or the call
    # the conversation is): what the bank then books is the follow-up call on the plan,
    # with its cure boost and its half hour, not a second trip out (a visit, 4 h) nor a
    # demand letter (律师函, adversarial) to a borrower who has just agreed
    "repayment_plan": "collect_call",
    "emergency_deferral": "emergency_deferral",
    "freeze_line": "freeze_line",
    "closer_monitoring": "closer_monitoring",
}
"""Which engine action each kind of agreed term becomes (its hours and cost are the engine's)."""

Premise = Literal["overdue", "disaster_hit"]
"""A public fact a conversation's setting takes as known (the desk can see it too)."""

ConductRule = Literal["no_false_promise", "no_threats", "no_third_party_disclosure",
                      "contact_hours", "no_claim_beyond_guarantee",
                      "no_disguised_restructuring"]
CONDUCT_RULES: tuple[str, ...] = ("no_false_promise", "no_threats", "no_third_party_disclosure",
                                  "contact_hours", "no_claim_beyond_guarantee",
                                  "no_disguised_restructuring")
"""What a choice may break; each has its title, text and source in the locale catalogues
(``roleplay.rule.<name>``). ``no_claim_beyond_guarantee``: pressing a guarantor for more
than the guarantee covers (amount, period or a debt outside it); ``no_disguised_restructuring``:
new terms for a borrower in difficulty presented as no restructuring (正常 kept, no
observation period)."""

_RULE_SCHEMA = {"type": "string", "enum": list(CONDUCT_RULES)}
ConductRules = Annotated[list[ConductRule], WithJsonSchema({"anyOf": [
    _RULE_SCHEMA, {"type": "array", "items": _RULE_SCHEMA,
                   "maxItems": len(CONDUCT_RULES), "uniqueItems": True}]})]
"""The conduct rules a choice breaks: one rule (as files have always written it) or a list
("freeze your accounts and tell your homebuyers" is a threat and a disclosure)."""

PERMITTED_CONTACT_FROM_HOUR = defaults.PERMITTED_CONTACT_FROM_HOUR
PERMITTED_CONTACT_UNTIL_HOUR = defaults.PERMITTED_CONTACT_UNTIL_HOUR

MeetingFormat = Literal["visit", "call", "branch"]
MEETING_FORMATS: tuple[str, ...] = tuple(defaults.MEETING_ACTIONS)
"""How a talk is held (a file's ``held``): an on-site visit (the default, as every file
before the field meant), a phone or video call, or at the branch, the borrower coming in."""
MEETING_ACTIONS: dict[str, str] = defaults.MEETING_ACTIONS
"""The engine action each way of holding the talk takes, with its own hours and cost."""
MEET_ACTION = MEETING_ACTIONS["visit"]
"""The engine action of a conversation held on a visit (the default; see defaults)."""
MEETING_ACTION_IDS = frozenset(MEETING_ACTIONS.values())


HELD_WORDS = {
    "phone": "call", "phone_call": "call", "telephone": "call", "video": "call",
    "video_call": "call", "电话": "call", "视频": "call", "onsite": "visit", "on_site": "visit",
    "site_visit": "visit", "onsite_visit": "visit", "上门": "visit", "走访": "visit",
    "bank": "branch", "office": "branch", "at_branch": "branch", "网点": "branch",
    "柜台": "branch"}
"""Words an author may write for a way of holding a talk, for the refusal to point at."""


def meeting_held(actions) -> str:
    """How a held talk was held, from its actions as logged (its meeting action; a log
    written before talks were held any other way has the visit's)."""
    by_action = {a: held for held, a in MEETING_ACTIONS.items()}
    return next((by_action[a] for a in actions if a in by_action), "visit")


def meeting_action_of(actions) -> str:
    """The meeting action among a held talk's actions (the visit's if none is logged)."""
    return MEETING_ACTIONS[meeting_held(actions)]

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
    # whether the borrower can in fact pay (its health less a disaster's passing loss)
    able_to_pay: Bool | None = None


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
    breach: ConductRules = Field(default_factory=list, max_length=len(CONDUCT_RULES))
    contact_hour: Int | None = Field(default=None, ge=0, le=23)
    feedback: Text | None = None  # shown in the debrief when this choice was made

    @field_validator("breach", mode="before")
    @classmethod
    def _one_rule_or_a_list(cls, value: Any) -> Any:
        """``breach: no_threats`` or ``breach: [no_threats, no_third_party_disclosure]``,
        each rule once; the list is what the rest of the code reads."""
        rules = ", ".join(CONDUCT_RULES)
        if value is None:
            return []
        if isinstance(value, str):
            if value not in CONDUCT_RULES:
                near = did_you_mean(value, CONDUCT_RULES)
                raise refusal(
                    f"'{value}' is not a conduct rule{near} (use one of {rules}, or a list "
                    "of them in [ ] when the choice breaks several)",
                    f"'{value}' 不是行为规范{near_zh(value, CONDUCT_RULES)}（请写 "
                    f"{'、'.join(CONDUCT_RULES)} "
                    "之一；一个选项违反多条时，用 [ ] 列出）")
            return [value]
        if isinstance(value, list):  # [] is no rule, as a saved conversation writes it
            twice = sorted({str(r) for r in value if value.count(r) > 1})
            if twice:
                raise refusal(f"conduct rule {', '.join(twice)} is listed twice: name each "
                              "rule once",
                              f"行为规范 {', '.join(twice)} 列了两次：每条规范只写一次")
        return value


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
    # how the talk is held: a visit (default), a phone or video call, at the branch; each
    # takes its own staff hours (sim.defaults.MEETING_ACTIONS)
    held: MeetingFormat = "visit"
    # the practice borrowers the practice page offers (default: every one that fits the
    # borrower's kind, sim.borrower_state.profiles_for)
    profiles: list[PracticeProfile] | None = Field(default=None, min_length=1, max_length=4)
    start: Slug
    nodes: dict[Slug, Node] = Field(min_length=1, max_length=MAX_NODES)
    strong_questions: list[Text] = Field(default_factory=list, max_length=10)

    @field_validator("held", mode="before")
    @classmethod
    def _a_way_to_hold_it(cls, value: Any) -> Any:
        """'phone' or 'on-site' are near misses: name the three ways and what each means."""
        if isinstance(value, str) and value in MEETING_FORMATS:
            return value
        word = "" if value is None else str(value)
        meant = HELD_WORDS.get("".join(word.lower().replace("-", "_").split()))
        near = f"; did you mean '{meant}'?" if meant else did_you_mean(word, MEETING_FORMATS)
        near_cn = f"；是不是 '{meant}'？" if meant else near_zh(word, MEETING_FORMATS)
        raise refusal(
            f"'{word}' is not a way to hold the meeting{near + ' Write' if near else ': write'}"
            " visit (on site, the "
            "default), call (by phone or video) or branch (the borrower comes to the branch)",
            f"'{word}' 不是会谈方式{near_cn or '：'}请写 visit（上门走访，默认）、call（电话或视频）"
            "或 branch（借款人到网点面谈）")

    @property
    def meeting_action(self) -> str:
        """The engine action holding this talk takes (its hours and cost are the case's)."""
        return MEETING_ACTIONS[self.held]

    def choice(self, node_id: str, choice_id: str) -> Choice | None:
        node = self.nodes.get(node_id)
        return next((c for c in node.choices if c.id == choice_id), None) if node else None
