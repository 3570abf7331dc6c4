"""Tests for sim.segments: a loan segment's fields, their defaults and their rules, each
error naming the field an instructor has to fix."""

from __future__ import annotations

import pydantic
import pytest

from sim import codes
from sim.inputs import explain
from sim.segments import AmountDist, RateSpec, Segment, shared_loans


def segment_data(**extra) -> dict:
    return {
        "id": "wc", "name": {"zh": "流动资金贷款", "en": "Working capital"},
        "product": "working_capital", "count": 20, "amount": {"median_cny": 2_000_000},
        "term_months": 12, "repayment": "equal_instalment",
        "rate": {"kind": "fixed", "annual": 0.045}, "pd_annual": 0.03,
        "industry": "manufacturing", "region": "jiangsu", **extra,
    }


def problems(model, data: dict) -> list[tuple[str, str]]:
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(data)
    return explain(info.value, model)


def test_a_segment_fills_its_defaults():
    seg = Segment.model_validate(segment_data())
    assert seg.rho == 0.12
    assert seg.amount.sigma == 0.5 and seg.amount.min_cny is None
    assert (seg.rate.base, seg.rate.reset_months) == ("lpr_1y", 12)
    assert (seg.collateral.type, seg.collateral.ltv) == ("none", 0.6)
    assert seg.guarantee.structure == "none" and seg.guarantee.share == 0.0
    assert (seg.payment_mode, seg.diversion_share, seg.seasoning_months) == ("self", 0.0, 0)
    assert seg.shared_borrowers is None


@pytest.mark.parametrize("product", codes.PRODUCTS)
def test_every_engine_product_is_a_segment_product(product):
    assert Segment.model_validate(segment_data(product=product)).product == product


def test_an_unknown_product_is_named():
    [(path, msg)] = problems(Segment, segment_data(product="mortgage"))
    assert path == "product"
    assert "working_capital" in msg


def test_amount_bounds_must_be_ordered():
    found = problems(AmountDist, {"median_cny": 2_000_000, "min_cny": 5_000_000,
                                  "max_cny": 1_000_000})
    assert "min_cny must not exceed max_cny" in found[0][1]
    ok = AmountDist(median_cny=2_000_000, min_cny=1_000_000, max_cny=5_000_000)
    assert (ok.min_cny, ok.max_cny) == (1_000_000, 5_000_000)


@pytest.mark.parametrize(("rate", "needs"), [({"kind": "fixed"}, "annual"),
                                             ({"kind": "floating"}, "spread")])
def test_rate_kind_needs_its_figure(rate, needs):
    [(_, msg)] = problems(RateSpec, rate)
    assert f"needs '{needs}'" in msg and "for example" in msg


def test_a_floating_rate_takes_a_spread_over_the_lpr():
    rate = RateSpec(kind="floating", spread=0.01, base="lpr_5y", reset_months=6)
    assert (rate.annual, rate.spread, rate.base, rate.reset_months) == (None, 0.01, "lpr_5y", 6)


@pytest.mark.parametrize(("share", "count", "expected"), [(0.5, 20, 10), (0.25, 10, 2),
                                                          (0.0, 20, 0), (1.0, 7, 7)])
def test_shared_loans_is_the_share_of_the_count_rounded(share, count, expected):
    seg = Segment.model_validate(segment_data(
        count=count, shared_borrowers={"with_segment": "fa", "share": share}))
    assert shared_loans(seg) == expected


def test_a_segment_without_shared_borrowers_shares_no_loans():
    assert shared_loans(Segment.model_validate(segment_data())) == 0
