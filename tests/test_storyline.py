"""Tests for sim.storyline: macro events are told apart by their type, named borrowers and
their scripted events take their defaults, and a wrong word names the field."""

from __future__ import annotations

import pydantic
import pytest
from pydantic import TypeAdapter

from sim.inputs import explain
from sim.storyline import (
    BorrowerLoan,
    Disaster,
    IndexPoint,
    LprChange,
    MacroEvent,
    NamedBorrower,
    PolicyShock,
    Recession,
    ScriptedEvent,
)

EVENTS = TypeAdapter(list[MacroEvent])


def borrower(**extra) -> dict:
    return {"id": "firm_1", "segment": "wc", "company": {"zh": "企业1", "en": "Firm 1"},
            "legal_rep": {"zh": "张三", "en": "Zhang San"}, **extra}


def test_each_macro_event_is_read_by_its_type():
    events = EVENTS.validate_python([
        {"type": "lpr_change", "month": 3, "delta_bp": 25},
        {"type": "policy_shock", "month": 6, "segments": ["dev"], "severity": 1.5},
        {"type": "recession", "month": 12, "severity": 1.0},
        {"type": "disaster", "month": 8, "region": "jiangsu", "severity": 2.0},
    ])
    assert [type(e) for e in events] == [LprChange, PolicyShock, Recession, Disaster]


def test_macro_events_fill_their_defaults():
    lpr, shock, recession, disaster = EVENTS.validate_python([
        {"type": "lpr_change", "month": 3, "delta_bp": -10},
        {"type": "policy_shock", "month": 6, "segments": ["dev"], "severity": 1.5},
        {"type": "recession", "month": 12, "severity": 1.0},
        {"type": "disaster", "month": 8, "region": "jiangsu", "severity": 2.0},
    ])
    assert lpr.base == "both" and lpr.name is None
    assert shock.duration_months == 12 and recession.duration_months == 12
    assert (disaster.duration_months, disaster.permanent_share) == (4, 0.3)


@pytest.mark.parametrize(("event", "path"), [
    ({"type": "rate_hike", "month": 3}, "0"),
    ({"month": 3, "severity": 1}, "0"),
    ({"type": "recession", "month": 3, "severity": 0}, "0.recession.severity"),
    ({"type": "lpr_change", "month": 3, "delta_bp": 500}, "0.lpr_change.delta_bp"),
    ({"type": "policy_shock", "month": 3, "segments": [], "severity": 1}, "0.policy_shock.segments"),
])
def test_a_bad_macro_event_is_refused(event, path):
    with pytest.raises(pydantic.ValidationError) as info:
        EVENTS.validate_python([event])
    assert path in [str(".".join(map(str, e["loc"]))) for e in info.value.errors()]


def test_an_index_point_is_a_positive_level():
    assert IndexPoint(month=6, value=0.9).value == 0.9
    with pytest.raises(pydantic.ValidationError):
        IndexPoint(month=6, value=0)


def test_a_named_borrower_fills_its_defaults():
    b = NamedBorrower.model_validate(borrower())
    assert (b.amount_cny, b.guarantor, b.diverts) == (None, None, False)
    assert b.events == [] and b.other_loans == []
    assert b.company.get("en") == "Firm 1" and b.legal_rep.get("zh") == "张三"


def test_a_named_borrower_may_hold_further_loans_and_scripted_events():
    b = NamedBorrower.model_validate(borrower(
        diverts=True, guarantor="firm_2",
        other_loans=[{"segment": "fa", "amount_cny": 5_000_000}, {"segment": "wc"}],
        events=[{"month": 4, "kind": "sales_drop", "severity": 2.0},
                {"month": 9, "kind": "recovery"}]))
    assert b.other_loans == [BorrowerLoan(segment="fa", amount_cny=5_000_000),
                             BorrowerLoan(segment="wc")]
    assert [(e.month, e.kind, e.severity) for e in b.events] == [
        (4, "sales_drop", 2.0), (9, "recovery", 1.0)]


def test_an_unknown_scripted_kind_names_the_field_and_the_choices():
    with pytest.raises(pydantic.ValidationError) as info:
        ScriptedEvent.model_validate({"month": 2, "kind": "alien_invasion"})
    [(path, msg)] = explain(info.value, ScriptedEvent)
    assert path == "kind"
    assert "health_shock" in msg


def test_diverts_takes_only_true_or_false():
    with pytest.raises(pydantic.ValidationError) as info:
        NamedBorrower.model_validate(borrower(diverts="yes"))
    assert [p for p, _ in explain(info.value, NamedBorrower)] == ["diverts"]
