"""The hidden state of a loan as a role-play conversation reads it (never shown to the
trainee): the health band, diversion, other creditors, guarantor trouble, arrears and a
disaster under way; and the public premises a conversation's setting takes as known.

The health bands reuse the engine's thresholds, and other creditors and guarantor trouble
are the hidden conditions behind the engine's signals, so a talk and a check read the same
truth.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim import defaults
from sim.roleplay import Roleplay, When

HEALTH_STRONG_ABOVE = defaults.HEALTHY_BORROWER
"""A borrower is strong in a conversation above the health the engine calls healthy."""
HEALTH_DISTRESSED_BELOW = defaults.GUARANTOR_TROUBLE_HEALTH
"""A borrower is distressed below the health at which the engine shows guarantor trouble."""


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
