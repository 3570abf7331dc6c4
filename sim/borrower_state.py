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
from sim.codes import borrower_kind
from sim.roleplay import PRACTICE_PROFILE_NAMES, Roleplay, When

HEALTH_STRONG_ABOVE = defaults.HEALTHY_BORROWER
"""A borrower is strong in a conversation above the health the engine calls healthy."""
HEALTH_DISTRESSED_BELOW = defaults.GUARANTOR_TROUBLE_HEALTH
"""A borrower is distressed below the health at which the engine shows guarantor trouble."""
PAYS_FROM_HEALTH = 0.0
"""The engine's own payment rule (sim.kernels.book): an instalment is missed when the health
index is below 0, so a borrower whose lasting health is at least this can pay."""


@dataclass(frozen=True)
class BorrowerState:
    """The hidden state of one loan a conversation reads; never shown to the trainee."""

    health: str = "strong"
    diverting: bool = False
    other_creditors: bool = False
    guarantor_trouble: bool = False
    overdue: bool = False
    disaster_hit: bool = False
    # whether the borrower can in fact pay: its health less what a disaster took for a while
    # (sim.macro.fading_shock) meets the engine's payment rule. None (a practice profile, a
    # state kept before this field): every borrower above the distressed band, whose health
    # is well above the payment rule
    able_to_pay: bool | None = None

    @property
    def pays(self) -> bool:
        """Whether the borrower can pay (what the fact ``ability_to_pay`` files)."""
        return self.health != "distressed" if self.able_to_pay is None else self.able_to_pay

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
        return when.able_to_pay is None or when.able_to_pay == self.pays

    def fact(self, kind: str) -> bool:
        """Whether the adverse fact behind a reveal kind is true for this borrower."""
        return {
            "diversion": self.diverting,
            "related_party_transfer": self.diverting,
            "true_turnover": self.health != "strong",
            "other_creditors": self.other_creditors,
            "guarantor_trouble": self.guarantor_trouble,
            "ability_to_pay": self.pays,
        }[kind]


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
"""Hidden states for practice without a case (keys: sim.roleplay.PRACTICE_PROFILE_NAMES)."""

COMPANY_ONLY_STATE: tuple[str, ...] = ("diverting",)
"""Hidden state that describes a firm only: loan money passed on to an affiliate or another
project. The engine's own diversion signals (funds_to_affiliates, collection_bypass) describe
firms only (sim.defaults.SIGNALS); a household borrower has no affiliate to divert to."""
COMPANY_ONLY_REVEALS: tuple[str, ...] = ("diversion", "related_party_transfer")
"""The reveal kinds of that state."""


def kind_of(rp: Roleplay) -> str | None:
    """The borrower kind a conversation is written for (sim.codes.BorrowerKind key: company,
    household), from its product; None when it names no product."""
    return None if rp.product is None else borrower_kind(rp.product).name.lower()


def fits(state: BorrowerState, kind: str | None) -> bool:
    """Whether a hidden state can describe a borrower of this kind (None: any kind)."""
    return kind != "household" or not any(getattr(state, f) for f in COMPANY_ONLY_STATE)


def profiles_for(rp: Roleplay) -> list[str]:
    """The practice borrowers a conversation offers: those it names, else every one that
    fits its borrower's kind (a household is never the borrower diverting to a business)."""
    names = rp.profiles or [p for p in PRACTICE_PROFILE_NAMES
                            if fits(PRACTICE_PROFILES[p], kind_of(rp))]
    return list(names)


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
    in guarantor trouble too. Whether it can pay is its health as the engine's payment rule
    reads it, less the part of a disaster's loss that passes (an insured shop reopens): a
    weak borrower pays, and so does a flood victim whose loss is only for a while."""
    from sim.macro import fading_shock
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
        # sim.d is the health of the month sim.t ticked, with that month's shock in it
        able_to_pay=bool(float(sim.d[i]) - float(fading_shock(sim, sim.t)[i])
                         >= PAYS_FROM_HEALTH),
    )
