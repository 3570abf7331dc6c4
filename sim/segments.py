"""The loan segment schema: a homogeneous group of loans in a case's portfolio.

What the loans of a segment look like at disbursement (product, amount, term, repayment,
rate, collateral, guarantees, shared borrowers) and their credit parameters (PD, rho).
`sim.portfolio.build_portfolio` draws the loans from these.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.defaults import LOAN_AMOUNT_UNIT_CNY
from sim.field_types import Int, Share, Slug, Text
from sim.inputs import Strict, refusal

Product = Literal["working_capital", "fixed_asset", "real_estate_dev", "small_business", "consumer"]
Repayment = Literal["equal_instalment", "equal_principal", "interest_only_bullet"]
CollateralType = Literal[
    "none", "property", "land", "construction", "equipment", "receivables", "deposit"
]


class AmountDist(Strict):
    """Loan amount at disbursement: log-normal around a median, clipped to [min, max]; every
    figure at least the unit amounts are drawn to (CNY 100), the smallest loan there is."""

    median_cny: float = Field(ge=LOAN_AMOUNT_UNIT_CNY, le=1e11)
    sigma: float = Field(default=0.5, ge=0.0, le=2.5)
    min_cny: float | None = Field(default=None, ge=LOAN_AMOUNT_UNIT_CNY)
    max_cny: float | None = Field(default=None, ge=LOAN_AMOUNT_UNIT_CNY)

    @model_validator(mode="after")
    def _bounds(self) -> AmountDist:
        if self.min_cny is not None and self.max_cny is not None and self.min_cny > self.max_cny:
            raise refusal("min_cny must not exceed max_cny", "min_cny 不能大于 max_cny")
        return self


class RateSpec(Strict):
    """Fixed rate, or floating at LPR plus a spread, repriced every reset_months."""

    kind: Literal["fixed", "floating"]
    annual: float | None = Field(default=None, ge=0.0, le=0.36)
    spread: float | None = Field(default=None, ge=-0.05, le=0.3)
    base: Literal["lpr_1y", "lpr_5y"] = "lpr_1y"
    reset_months: Int = Field(default=12, ge=1, le=12)

    @model_validator(mode="after")
    def _kind_fields(self) -> RateSpec:
        if self.kind == "fixed" and self.annual is None:
            raise refusal("a fixed rate needs 'annual' (for example annual: 0.045)",
                          "固定利率需要 'annual'（例如 annual: 0.045）")
        if self.kind == "floating" and self.spread is None:
            raise refusal("a floating rate needs 'spread' over the LPR (for example spread: 0.01)",
                          "浮动利率需要在 LPR 之上的 'spread'（例如 spread: 0.01）")
        return self


class Collateral(Strict):
    """Security: type and loan-to-value at disbursement."""

    type: CollateralType = "none"
    ltv: float = Field(default=0.6, gt=0.0, le=1.5)


class Guarantee(Strict):
    """Guarantee links between borrowers of the segment (担保链 when they form a chain)."""

    structure: Literal["none", "single", "mutual", "chain"] = "none"
    share: Share = 0.0
    group_size: Int = Field(default=3, ge=2, le=12)


class SharedBorrowers(Strict):
    """Borrowers who also hold a loan in another segment (one borrower, several loans).

    A share of this segment's loans go to borrowers who also hold one loan of segment
    `with_segment`: for example fixed-asset loans to firms that also draw a working-capital
    line. The 10% rule of the classification and guarantee contagion then act on the
    borrower, not on each loan alone.
    """

    with_segment: Slug
    share: Share


class Segment(Strict):
    """A homogeneous group of loans in the portfolio."""

    id: Slug
    name: Text
    product: Product
    count: Int = Field(ge=1, le=200_000)
    amount: AmountDist
    term_months: Int = Field(ge=1, le=360)
    repayment: Repayment
    rate: RateSpec
    pd_annual: float = Field(gt=0.0, lt=1.0)
    rho: float = Field(default=0.12, ge=0.0, le=0.9)
    industry: str = Field(min_length=1, max_length=40)
    region: str = Field(min_length=1, max_length=40)
    collateral: Collateral = Collateral()
    guarantee: Guarantee = Guarantee()
    payment_mode: Literal["self", "entrusted"] = "self"
    diversion_share: Share = 0.0
    undrawn_share: Share = 0.0
    seasoning_months: Int = Field(default=0, ge=0, le=120)
    shared_borrowers: SharedBorrowers | None = None



def shared_loans(seg: Segment) -> int:
    """How many of a segment's loans go to borrowers shared with another segment."""
    sh = seg.shared_borrowers
    return 0 if sh is None else int(round(sh.share * seg.count))
