"""The storyline schema: what happens in a case beyond the base credit model.

Macro events on the timeline (LPR changes, policy shocks, recessions, disasters; run by
`sim.macro`), the collateral price index, and the named borrowers the story needs, with
their scripted events (run by `sim.scripted`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.defaults import LOAN_AMOUNT_UNIT_CNY
from sim.field_types import Bool, Int, Month, Share, Slug, Text
from sim.inputs import Strict


class LprChange(Strict):
    type: Literal["lpr_change"]
    month: Month
    delta_bp: Int = Field(ge=-300, le=300)
    base: Literal["lpr_1y", "lpr_5y", "both"] = "both"
    name: Text | None = None


class PolicyShock(Strict):
    """A policy change that hits named segments (for example property tightening)."""

    type: Literal["policy_shock"]
    month: Month
    segments: list[Slug] = Field(min_length=1)
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: Int = Field(default=12, ge=1, le=240)
    name: Text | None = None


class Recession(Strict):
    type: Literal["recession"]
    month: Month
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: Int = Field(default=12, ge=1, le=240)
    name: Text | None = None


class Disaster(Strict):
    """A regional disaster; permanent_share of the damage does not heal."""

    type: Literal["disaster"]
    month: Month
    region: str = Field(min_length=1, max_length=40)
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: Int = Field(default=4, ge=1, le=60)
    permanent_share: Share = 0.3
    name: Text | None = None


MacroEvent = Annotated[
    LprChange | PolicyShock | Recession | Disaster, Field(discriminator="type")
]


class IndexPoint(Strict):
    month: Month
    value: float = Field(gt=0.0, le=5.0)


ScriptedKind = Literal[
    "health_shock", "diversion_start", "key_person_leaves", "lawsuit_filed",
    "collateral_damage", "sales_drop", "tax_arrears", "recovery",
]


class ScriptedEvent(Strict):
    """An authored event for a named borrower, fired at the given month."""

    month: Month
    kind: ScriptedKind
    severity: float = Field(default=1.0, ge=0.0, le=5.0)
    note: Text | None = None


class BorrowerLoan(Strict):
    """A further loan of a named borrower, in any segment of the case."""

    segment: Slug
    amount_cny: float | None = Field(default=None, ge=LOAN_AMOUNT_UNIT_CNY, le=1e11)


class NamedBorrower(Strict):
    """A borrower the story needs by name; takes the place of one generated borrower.

    `segment` and `amount_cny` describe its first loan; `other_loans` lists any further
    loans it holds (a working-capital line and a fixed-asset loan, say), each taking the
    place of one generated loan of its segment.
    """

    id: Slug
    segment: Slug
    company: Text
    legal_rep: Text
    amount_cny: float | None = Field(default=None, ge=LOAN_AMOUNT_UNIT_CNY, le=1e11)
    guarantor: Slug | None = None
    diverts: Bool = False
    events: list[ScriptedEvent] = Field(default_factory=list, max_length=50)
    other_loans: list[BorrowerLoan] = Field(default_factory=list, max_length=20)

