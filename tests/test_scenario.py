"""Tests for sim.scenario: the minimal case loads, defaults are filled, each rule is enforced
and every error names the field an instructor has to fix."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest
import yaml

from sim.defaults import INTERVENTIONS, SIGNALS
from sim.inputs import MAX_FILE_BYTES
from sim.policy import MonitoringPolicy
from sim.scenario import (
    Scenario,
    ScenarioError,
    explain,
    json_schema,
    load_scenario,
    parse_scenario,
    scenario_paths,
)
from sim.segments import shared_loans

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"


def minimal_data() -> dict:
    return yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))


def parse(data: dict) -> Scenario:
    return parse_scenario(yaml.safe_dump(data, allow_unicode=True), "case.yaml")


def problems(data: dict | str) -> list[tuple[str, str]]:
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "case.yaml")
    assert info.value.source == "case.yaml"
    assert info.value.problems, "a ScenarioError must list at least one problem"
    return info.value.problems


def paths(data: dict | str) -> list[str]:
    return [p for p, _ in problems(data)]


def named(i: int, segment: str = "wc", **extra) -> dict:
    return {
        "id": f"firm_{i}",
        "segment": segment,
        "company": {"zh": f"企业{i}", "en": f"Firm {i}"},
        "legal_rep": {"zh": "张三", "en": "Zhang San"},
        **extra,
    }


# --- the minimal case ------------------------------------------------------------------


def test_minimal_loads():
    s = load_scenario(MINIMAL)
    assert s.id == "minimal"
    assert s.n_loans == 20
    assert s.horizon_months == 12
    assert [seg.id for seg in s.segments] == ["wc"]
    assert s.title.get("zh") == "最小案例"
    assert s.title.get("en") == "Minimal case"


def test_defaults_are_filled():
    s = load_scenario(MINIMAL)
    assert (s.version, s.start, s.seed, s.difficulty, s.published) == (1, "2024-01", 1, 2, True)
    assert (s.lpr_1y, s.lpr_5y, s.discount_rate_annual) == (0.0345, 0.0395, 0.04)
    assert s.staff.hours_per_officer_month == 60.0
    assert s.monitoring.interval_months.normal == 3
    assert s.monitoring.interval_months.special_mention == 1
    assert s.monitoring.interval_months.loss == 0
    assert s.monitoring.first_check_days == 30
    assert s.macro == [] and s.borrowers == [] and s.collateral_index == []
    assert s.interventions_available is None
    assert s.intervention_overrides == {} and s.signal_overrides == {}
    p = s.provision_rates
    assert (p.normal, p.special_mention, p.substandard, p.doubtful, p.loss) == (
        0.01, 0.02, 0.25, 0.50, 1.00)
    seg = s.segments[0]
    assert seg.rho == 0.12
    assert seg.amount.sigma == 0.5 and seg.amount.min_cny is None
    assert (seg.rate.base, seg.rate.reset_months) == ("lpr_1y", 12)
    assert (seg.collateral.type, seg.collateral.ltv) == ("none", 0.6)
    assert seg.guarantee.structure == "none" and seg.guarantee.share == 0.0
    assert (seg.payment_mode, seg.diversion_share, seg.seasoning_months) == ("self", 0.0, 0)


def test_models_are_frozen():
    s = load_scenario(MINIMAL)
    with pytest.raises(pydantic.ValidationError):
        s.horizon_months = 24


def test_a_fuller_case_is_accepted():
    d = minimal_data()
    d["segments"].append({**copy.deepcopy(d["segments"][0]), "id": "dev", "count": 5,
                          "product": "real_estate_dev",
                          "rate": {"kind": "floating", "spread": 0.01, "base": "lpr_5y"},
                          "collateral": {"type": "land", "ltv": 0.5},
                          "guarantee": {"structure": "chain", "share": 0.4, "group_size": 4}})
    d["macro"] = [
        {"type": "lpr_change", "month": 3, "delta_bp": 25},
        {"type": "policy_shock", "month": 6, "segments": ["dev"], "severity": 1.5},
        {"type": "recession", "month": 12, "severity": 1.0},  # at the horizon is allowed
        {"type": "disaster", "month": 8, "region": "jiangsu", "severity": 2.0},
    ]
    d["collateral_index"] = [{"month": 0, "value": 1.0}, {"month": 6, "value": 0.9}]
    d["borrowers"] = [named(1), named(2, "dev", guarantor="firm_1", diverts=True,
                                     events=[{"month": 12, "kind": "diversion_start"}])]
    d["interventions_available"] = list(INTERVENTIONS)[:3]
    d["intervention_overrides"] = {next(iter(INTERVENTIONS)): {"hours": 2.0}}
    d["signal_overrides"] = {next(iter(SIGNALS)): {"lag_months": 1}}
    s = parse(d)
    assert s.n_loans == 25
    assert [type(e).__name__ for e in s.macro] == ["LprChange", "PolicyShock", "Recession",
                                                   "Disaster"]
    assert s.macro[3].permanent_share == 0.3


def test_named_borrowers_may_fill_the_segment():
    d = minimal_data()
    d["segments"][0]["count"] = 2
    d["borrowers"] = [named(1), named(2)]
    assert parse(d).n_loans == 2


# --- field rules: each error names the field -------------------------------------------


def _set(d: dict, path: str, value) -> None:
    keys = path.split(".")
    for k in keys[:-1]:
        d = d[int(k)] if isinstance(d, list) else d[k]
    if value is _DELETE:
        del d[keys[-1]]
    else:
        d[keys[-1]] = value


class _Delete:
    def __repr__(self) -> str:  # a stable test id across pytest-xdist workers
        return "<deleted>"


_DELETE = _Delete()

FIELD_CASES = [
    # (dotted key to change, new value, field path in the error)
    ("segments.0.pd_annual", 0, "segments[0].pd_annual"),
    ("segments.0.pd_annual", 1.2, "segments[0].pd_annual"),
    ("segments.0.pd_annual", "3%", "segments[0].pd_annual"),
    ("segments.0.rho", 2, "segments[0].rho"),
    ("segments.0.term_months", 0, "segments[0].term_months"),
    ("segments.0.count", "many", "segments[0].count"),
    ("segments.0.count", 0, "segments[0].count"),
    ("segments.0.count", 2.5, "segments[0].count"),
    ("segments.0.amount.median_cny", -2_000_000, "segments[0].amount.median_cny"),
    ("segments.0.amount.sigma", 3, "segments[0].amount.sigma"),
    ("segments.0.product", "mortgage", "segments[0].product"),
    ("segments.0.repayment", "balloon", "segments[0].repayment"),
    ("segments.0.id", "WC Loans", "segments[0].id"),
    ("segments.0.industry", "", "segments[0].industry"),
    ("segments.0.rate.kind", "variable", "segments[0].rate.kind"),
    ("segments.0.rate.annual", 0.5, "segments[0].rate.annual"),
    ("segments.0.collateral", {"type": "gold"}, "segments[0].collateral.type"),
    ("segments.0.guarantee", {"share": 1.5}, "segments[0].guarantee.share"),
    ("segments.0.colateral", {"type": "property"}, "segments[0].colateral"),
    ("segments.0.name", "Working capital", "segments[0].name"),
    ("segments.0.name", {"zh": "流动资金"}, "segments[0].name.en"),
    ("horizon_months", 0, "horizon_months"),
    ("horizon_months", 121, "horizon_months"),
    ("horizon_months", _DELETE, "horizon_months"),
    ("horizon_month", 12, "horizon_month"),
    ("staff", _DELETE, "staff"),
    ("staff.officers", 0, "staff.officers"),
    ("segments", [], "segments"),
    ("segments", {"id": "wc"}, "segments"),
    ("id", "Minimal Case", "id"),
    ("title", "Minimal case", "title"),
    ("start", "2024/1", "start"),
    ("start", "2024-13", "start"),
    ("seed", -1, "seed"),
    ("difficulty", 6, "difficulty"),
    ("monitoring", {"interval_months": {"normal": 30}}, "monitoring.interval_months.normal"),
    ("provision_rates", {"loss": 1.5}, "provision_rates.loss"),
    ("macro", [{"type": "recession", "month": 3, "severity": 0}], "macro[0].severity"),
    ("macro", [{"type": "lpr_change", "month": 3, "delta_bp": 500}], "macro[0].delta_bp"),
    ("macro", [{"type": "rate_hike", "month": 3}], "macro[0]"),
    ("macro", [{"month": 3, "severity": 1}], "macro[0]"),
    ("collateral_index", [{"month": 6, "value": 0.9}, {"month": 3, "value": 0.9}],
     "collateral_index"),
    ("collateral_index", [{"month": 3, "value": 0.9}, {"month": 3, "value": 0.8}],
     "collateral_index"),
    ("borrowers", [named(1, events=[{"month": 2, "kind": "alien_invasion"}])],
     "borrowers[0].events[0].kind"),
]


@pytest.mark.parametrize(("key", "value", "path"), FIELD_CASES,
                         ids=[f"{k}={v!r}"[:60] for k, v, _ in FIELD_CASES])
def test_field_error_names_the_field(key, value, path):
    d = minimal_data()
    _set(d, key, value)
    found = problems(d)
    assert path in [p for p, _ in found], found
    assert all(msg.strip() for _, msg in found)


def test_duplicate_segment_ids():
    d = minimal_data()
    d["segments"].append(copy.deepcopy(d["segments"][0]))
    [(path, msg)] = problems(d)
    assert path == "segments"
    assert "repeated: wc" in msg


def test_every_field_problem_is_reported_at_once():
    d = minimal_data()
    d["segments"][0].update(pd_annual=0, rho=2, term_months=0)
    d["horizon_months"] = 0
    found = set(paths(d))
    assert {"segments[0].pd_annual", "segments[0].rho", "segments[0].term_months",
            "horizon_months"} <= found


def test_messages_say_how_to_fix():
    d = minimal_data()
    d["horizon_month"] = d.pop("horizon_months")
    d["segments"][0]["count"] = "many"
    d["segments"][0]["pd_annual"] = 0
    msgs = dict(problems(d))
    assert "add this field" in msgs["horizon_months"]
    assert "check its spelling" in msgs["horizon_month"]
    assert "whole number" in msgs["segments[0].count"]
    assert "larger number" in msgs["segments[0].pd_annual"]


# --- cross-references (model validator) ----------------------------------------------


def _messages(d: dict) -> str:
    return "\n".join(f"{p}: {m}" for p, m in problems(d))


def test_macro_event_after_horizon():
    d = minimal_data()
    d["macro"] = [{"type": "recession", "month": 13, "severity": 1.0}]
    assert "macro[0] is at month 13, after the horizon (12)" in _messages(d)


def test_policy_shock_needs_a_defined_segment():
    d = minimal_data()
    d["macro"] = [{"type": "policy_shock", "month": 3, "segments": ["dev"], "severity": 1}]
    assert "macro[0] names segment 'dev', which is not defined; use one of: wc" in _messages(d)


def test_a_disaster_strikes_a_region_the_book_lends_in():
    """A disaster in a region no segment lends in strikes nobody: a typo (or another
    case's spelling) is refused with the regions there are, not run as no disaster."""
    d = minimal_data()
    region = d["segments"][0]["region"]
    d["macro"] = [{"type": "disaster", "month": 3, "region": region.upper(), "severity": 1}]
    msg = _messages(d)
    assert f"macro[0].region: macro[0] strikes region '{region.upper()}', where no segment " \
           f"lends; use one of the segments' regions: {region}" in msg
    assert f"did you mean '{region}'" in msg
    d["macro"][0]["region"] = region
    assert parse_scenario(yaml.safe_dump(d, allow_unicode=True), "case.yaml").macro


def test_borrower_ids_are_unique():
    d = minimal_data()
    d["borrowers"] = [named(1), named(1)]
    assert "ids must be unique" in _messages(d)


def test_borrower_needs_a_defined_segment():
    d = minimal_data()
    d["borrowers"] = [named(1, "machinery")]
    assert "segment 'machinery', which is not defined" in _messages(d)


def test_guarantor_must_be_a_named_borrower():
    d = minimal_data()
    d["borrowers"] = [named(1, guarantor="huadong")]
    assert "guarantor 'huadong', which is not a named borrower" in _messages(d)


def test_borrower_cannot_guarantee_itself():
    d = minimal_data()
    d["borrowers"] = [named(1, guarantor="firm_1")]
    assert "cannot guarantee itself" in _messages(d)


def test_borrower_event_after_horizon():
    d = minimal_data()
    d["borrowers"] = [named(1, events=[{"month": 13, "kind": "health_shock"}])]
    assert "event at month 13, after the horizon" in _messages(d)


def test_more_named_borrowers_than_loans():
    d = minimal_data()
    d["segments"][0]["count"] = 2
    d["borrowers"] = [named(i) for i in range(3)]
    assert "has 2 loans but 3 named borrowers" in _messages(d)


def _with_fixed_asset() -> dict:
    d = minimal_data()
    d["segments"].append({**copy.deepcopy(d["segments"][0]), "id": "fa", "count": 10,
                          "product": "fixed_asset"})
    return d


def test_a_named_borrower_may_hold_loans_in_several_segments():
    d = _with_fixed_asset()
    d["borrowers"] = [{**named(1), "other_loans": [{"segment": "fa", "amount_cny": 5e6},
                                                    {"segment": "wc"}]}]
    s = parse(d)
    assert [loan.segment for loan in s.borrowers[0].other_loans] == ["fa", "wc"]
    assert parse(minimal_data()).borrowers == []  # files without the key are unchanged


def test_a_named_borrowers_other_loan_needs_a_defined_segment():
    d = _with_fixed_asset()
    d["borrowers"] = [{**named(1), "other_loans": [{"segment": "fixed"}]}]
    assert tuple(
        p for p, _ in problems(d) if "other_loans" in p) == ("borrowers[0].other_loans[0].segment", )
    assert "loan in segment 'fixed', which is not defined" in _messages(d)


def test_other_loans_count_against_the_segment():
    d = _with_fixed_asset()
    d["segments"][-1]["count"] = 1
    d["borrowers"] = [{**named(1), "other_loans": [{"segment": "fa"}]},
                      {**named(2), "other_loans": [{"segment": "fa"}]}]
    assert "segment 'fa' has 1 loans but 2 named borrowers' loans" in _messages(d)


def test_a_segment_may_share_borrowers_with_another():
    d = _with_fixed_asset()
    d["segments"][-1]["shared_borrowers"] = {"with_segment": "wc", "share": 0.5}
    assert parse(d).segments[-1].shared_borrowers.share == 0.5


@pytest.mark.parametrize("shared,message", [
    ({"with_segment": "fa", "share": 0.5}, "cannot share borrowers with itself"),
    ({"with_segment": "w", "share": 0.5}, "shares borrowers with 'w', which is not defined"),
    ({"with_segment": "wc", "share": 1.0}, "lower the share to at most"),
])
def test_shared_borrowers_errors(shared, message):
    d = _with_fixed_asset()
    d["segments"][0]["count"] = 5
    d["segments"][-1]["shared_borrowers"] = shared
    assert message in _messages(d)


def _taken(d: dict, named_in_wc: int = 0, named_in_fa: int = 0) -> dict:
    """The fixed-asset case with named borrowers holding the first loans of each segment."""
    d["borrowers"] = ([named(i) for i in range(named_in_wc)]
                      + [named(100 + i, "fa") for i in range(named_in_fa)])
    return d


def test_a_share_counts_the_named_borrowers_loans_of_the_other_segment():
    """wc has 5 loans, 3 of them named borrowers': fa's 3 shared loans (0.3 of 10) cannot all
    find a working-capital borrower of their own (the portfolio gave the rest to the next
    segment's loans, and a borrower to a loan that was not one)."""
    d = _taken(_with_fixed_asset(), named_in_wc=3)
    d["segments"][0]["count"] = 5
    d["segments"][-1]["shared_borrowers"] = {"with_segment": "wc", "share": 0.3}
    with pytest.raises(ScenarioError) as info:
        parse(d)
    [(where, said)] = [p for p in info.value.problems if "shared_borrowers" in p[0]]
    assert where == "segments[1].shared_borrowers.share"
    assert "'wc', which has 2 of its 5 loans free" in said and "at most 0.20" in said
    assert any("只有 2 笔可用" in m and "0.20" in m for m in info.value.problems_zh)
    d["segments"][-1]["shared_borrowers"]["share"] = 0.2  # the fix the message names
    assert shared_loans(parse(d).segments[-1]) == 2


def test_two_segments_sharing_with_one_count_each_others_loans():
    d = _with_fixed_asset()
    d["segments"][0]["count"] = 5
    d["segments"].append({**copy.deepcopy(d["segments"][-1]), "id": "fa2"})
    for seg in d["segments"][1:]:
        seg["shared_borrowers"] = {"with_segment": "wc", "share": 0.3}  # 3 + 3 of 5
    assert "'wc', which has 2 of its 5 loans free" in _messages(d)


def test_a_share_counts_the_named_borrowers_loans_of_its_own_segment():
    d = _taken(_with_fixed_asset(), named_in_fa=9)
    d["segments"][-1]["shared_borrowers"] = {"with_segment": "wc", "share": 0.2}
    said = _messages(d)
    assert "segment 'fa' shares 2 of its loans but has only 1 of its 10 loans free" in said
    assert "lower the share to at most 0.10" in said


@pytest.mark.parametrize("where", ["available", "overrides"])
def test_unknown_intervention(where):
    d = minimal_data()
    if where == "available":
        d["interventions_available"] = ["onsite_check", "call_the_boss"]
    else:
        d["intervention_overrides"] = {"call_the_boss": {"hours": 1}}
    msg = _messages(d)
    assert "unknown intervention(s): call_the_boss" in msg
    assert "onsite_check" in msg  # the known ones are listed


def test_unknown_signal():
    d = minimal_data()
    d["signal_overrides"] = {"stock_price_drop": {"lag_months": 1}}
    assert "unknown signal(s): stock_price_drop" in _messages(d)


def test_reference_error_names_the_field():
    d = minimal_data()
    d["macro"] = [{"type": "policy_shock", "month": 3, "segments": ["dev"], "severity": 1}]
    assert paths(d) == ["macro[0].segments[0]"]


def _two_segments() -> dict:
    d = minimal_data()
    d["segments"].append({**copy.deepcopy(d["segments"][0]), "id": "dev", "count": 1})
    return d


REFERENCE_CASES = [
    # (what to add to two segments wc (20 loans) and dev (1 loan), path, words of the message)
    ({"macro": [{"type": "lpr_change", "month": 1, "delta_bp": 25},
                {"type": "recession", "month": 13, "severity": 1}]},
     "macro[1].month", "lengthen horizon_months"),
    ({"macro": [{"type": "policy_shock", "month": 3, "segments": ["wc", "wcc"],
                 "severity": 1}]},
     "macro[0].segments[1]", "use one of: dev, wc; did you mean 'wc'?"),
    ({"borrowers": [named(1), named(2), named(1)]}, "borrowers[2].id",
     "also used by borrowers[0]; ids must be unique"),
    ({"borrowers": [named(1), named(2, "machinery")]}, "borrowers[1].segment",
     "use one of: dev, wc"),
    ({"borrowers": [named(1), named(2, guarantor="firm_3")]}, "borrowers[1].guarantor",
     "use one of: firm_1; did you mean 'firm_1'?"),
    ({"borrowers": [named(1, guarantor="firm_1")]}, "borrowers[0].guarantor",
     "cannot guarantee itself"),
    ({"borrowers": [named(1, events=[{"month": 2, "kind": "recovery"},
                                     {"month": 13, "kind": "health_shock"}])]},
     "borrowers[0].events[1].month", "after the horizon (12)"),
    ({"borrowers": [named(1, "dev"), named(2, "dev")]}, "segments[1].count",
     "raise its count to at least 2"),
    ({"interventions_available": ["onsite_check", "onsite_chek"]},
     "interventions_available[1]", "did you mean 'onsite_check'?"),
    ({"intervention_overrides": {"onsite_check": {"hours": 1}, "call_the_boss": {"hours": 1}}},
     "intervention_overrides.call_the_boss", "use one of: "),
    ({"signal_overrides": {"stock_price_drop": {"lag_months": 1}}},
     "signal_overrides.stock_price_drop", "use one of: "),
]


@pytest.mark.parametrize(("extra", "path", "words"), REFERENCE_CASES,
                         ids=[p for _, p, _ in REFERENCE_CASES])
def test_each_reference_error_names_its_field(extra, path, words):
    d = _two_segments()
    d.update(copy.deepcopy(extra))
    [(where, msg)] = problems(d)
    assert where == path
    assert words in msg, msg


def test_every_reference_error_is_reported_at_once():
    d = _two_segments()
    d["macro"] = [{"type": "recession", "month": 30, "severity": 1},
                  {"type": "policy_shock", "month": 40, "segments": ["dev", "x"], "severity": 1}]
    d["borrowers"] = [named(1, "dev", guarantor="firm_1"),
                      named(1, "xx", guarantor="zz", events=[{"month": 99, "kind": "recovery"}]),
                      named(2, "dev")]
    d["interventions_available"] = ["onsite_check", "nope"]
    d["intervention_overrides"] = {"nope": {"hours": 1}}
    d["signal_overrides"] = {"nah": {"lag_months": 1}}
    assert paths(d) == [
        "macro[0].month", "macro[1].month", "macro[1].segments[1]",
        "borrowers[0].guarantor", "borrowers[1].id", "borrowers[1].segment",
        "borrowers[1].guarantor", "borrowers[1].events[0].month", "segments[1].count",
        "interventions_available[1]", "intervention_overrides.nope", "signal_overrides.nah",
    ]


def test_explain_gives_reference_paths_for_a_direct_validation():
    d = minimal_data()
    d["borrowers"] = [named(1, "machinery")]
    d["signal_overrides"] = {"recession": {"lag_months": 1}}  # a macro tag as a key is kept
    with pytest.raises(pydantic.ValidationError) as info:
        Scenario.model_validate(d)
    found = explain(info.value)
    assert [p for p, _ in found] == ["borrowers[0].segment", "signal_overrides.recession"]
    assert "use one of: wc" in found[0][1]
    assert {e["type"] for e in info.value.errors()} == {"reference"}


# --- reading files ---------------------------------------------------------------------


def test_yaml_syntax_error_gives_line_and_column():
    text = MINIMAL.read_text(encoding="utf-8").replace("  officers: 1", "\tofficers: 1")
    [(where, msg)] = problems(text)
    assert where.startswith("line ") and ", column " in where
    assert "not valid YAML" in msg


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "- a\n- b\n", "just words\n", "42\n"])
def test_file_must_be_a_mapping(text):
    [(where, msg)] = problems(text)
    assert where == "(file)"
    assert "must be a YAML mapping" in msg


def test_oversized_text_is_rejected():
    text = MINIMAL.read_text(encoding="utf-8") + "#" * MAX_FILE_BYTES
    [(where, msg)] = problems(text)
    assert where == "(file)" and "larger than" in msg


def test_oversized_file_is_rejected_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("#" * (MAX_FILE_BYTES + 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(big)
    assert info.value.source == str(big)
    assert "KB limit" in info.value.problems[0][1]


def test_non_utf8_file(tmp_path):
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(MINIMAL.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(gbk)
    [(field, said)] = info.value.problems
    # said as what it most likely is: GBK, as a Chinese Windows editor saves by default
    assert field == "(file)" and said.startswith("not UTF-8 text: it reads as GBK")
    assert "save it as UTF-8" in said and "GBK" in info.value.problems_zh[0]


@pytest.mark.parametrize("data, en, zh", [
    (b"PK\x03\x04" + bytes(range(256)), "Excel workbook", "Excel 工作簿"),
    ("id: x\n".encode("utf-16"), "it is UTF-16", "UTF-16"),
    (b"\x80\x00\xff", "not UTF-8 text; save it as UTF-8", "请另存为 UTF-8")])
def test_a_file_that_is_not_utf8_is_named_for_what_it_is(tmp_path, data, en, zh):
    """An Excel workbook renamed .yaml was only "not UTF-8 text; save it as UTF-8"."""
    path = tmp_path / "case.yaml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert en in info.value.problems[0][1] and zh in info.value.problems_zh[0]


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.yaml")
    assert "cannot read" in info.value.problems[0][1]


def test_deep_nesting_is_rejected():
    text = "id: deep\nobjectives: " + "[" * 5000 + "]" * 5000 + "\n"
    [(where, msg)] = problems(text)
    assert "nested too deeply" in msg


def test_utf8_bom_and_crlf_are_accepted():
    text = MINIMAL.read_text(encoding="utf-8")
    assert parse_scenario("\ufeff" + text.replace("\n", "\r\n")).id == "minimal"


def test_scenario_error_text_lists_every_problem():
    err = ScenarioError("a.yaml", [("id", "bad"), ("segments[0].rho", "too big")])
    assert str(err) == "a.yaml: 2 problem(s)\n  - id: bad\n  - segments[0].rho: too big"


# --- identity, schema, discovery ---------------------------------------------------------


def test_content_hash_is_stable_within_a_process():
    a, b = load_scenario(MINIMAL), load_scenario(MINIMAL)
    assert a.content_hash() == b.content_hash()
    assert len(a.content_hash()) == 16
    int(a.content_hash(), 16)


def test_content_hash_ignores_layout_and_explicit_defaults():
    d = minimal_data()
    reordered = dict(reversed(list(d.items())))
    reordered["seed"] = 1  # the default, written out
    reordered["segments"][0]["rho"] = 0.12
    text = "# a comment\n" + yaml.safe_dump(reordered, allow_unicode=True, default_flow_style=True)
    assert parse_scenario(text).content_hash() == load_scenario(MINIMAL).content_hash()


def test_content_hash_changes_with_content():
    d = minimal_data()
    d["segments"][0]["pd_annual"] = 0.031
    assert parse(d).content_hash() != load_scenario(MINIMAL).content_hash()


def test_content_hash_is_stable_across_processes():
    code = ("from sim.scenario import load_scenario; "
            f"print(load_scenario({str(MINIMAL)!r}).content_hash())")
    hashes = set()
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True, timeout=60)
        hashes.add(out.stdout.strip())
    assert hashes == {load_scenario(MINIMAL).content_hash()}


def test_json_schema_describes_the_model():
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Bianque scenario"
    assert set(schema["properties"]) == set(Scenario.model_fields)
    assert set(schema["required"]) == {"id", "title", "briefing", "horizon_months", "staff",
                                       "segments"}
    assert schema["additionalProperties"] is False


def test_scenario_paths_lists_only_plain_yaml_names(tmp_path):
    for name in ("b.yaml", "a-1.yaml", "Draft Copy.yaml", "notes.txt", "c.yml", "x_y.yaml"):
        (tmp_path / name).write_text("id: x\n", encoding="utf-8")
    assert [p.name for p in scenario_paths(tmp_path)] == ["a-1.yaml", "b.yaml", "x_y.yaml"]


# --- YAML traps ------------------------------------------------------------------------


def test_duplicate_key_is_an_error():
    text = MINIMAL.read_text(encoding="utf-8")
    first = text.splitlines().index("horizon_months: 12") + 1
    text += "horizon_months: 24\n"
    last = len(text.splitlines())
    [(where, msg)] = problems(text)
    assert where == f"line {last}, column 1"
    assert msg == (f"duplicate key 'horizon_months' at line {last}: keep one "
                   f"(it is also at line {first})")


def test_every_duplicate_key_is_reported_at_any_depth():
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "    pd_annual: 0.03\n", "    pd_annual: 0.03\n    pd_annual: 0.3\n")
    text += "staff: {officers: 2, officers: 3}\n"
    found = problems(text)
    assert [m.split(" at line")[0] for _, m in found] == [  # in the order of the file
        "duplicate key 'pd_annual'", "duplicate key 'staff'", "duplicate key 'officers'"]
    assert "(it is also earlier on this line)" in found[2][1]
    assert all(w.startswith("line ") for w, _ in found)


def test_a_key_that_overrides_a_yaml_merge_is_not_a_duplicate():
    text = MINIMAL.read_text(encoding="utf-8").replace("  - id: wc", "  - &wc\n    id: wc", 1)
    text += "  - <<: *wc\n    id: dev\n    count: 5\n"
    s = parse_scenario(text)
    assert [(seg.id, seg.count) for seg in s.segments] == [("wc", 20), ("dev", 5)]
    assert s.segments[1].pd_annual == s.segments[0].pd_annual


@pytest.mark.parametrize(("value", "extra"), [
    ("2024/1", ""), ("2024-13", ""), ("24-01", ""), ("2024年3月", ' (here "2024-03")'),
    ("2024-01-01", ""), ("2024-03-15", ' (here "2024-03")'), ("2024-01-01 09:30:00", ""),
    ("202401", ""), ("'2024-1'", ""),
])
def test_start_message_shows_the_format(value, extra):
    text = MINIMAL.read_text(encoding="utf-8") + f"start: {value}\n"
    [(where, msg)] = problems(text)
    assert where == "start"
    assert msg.endswith('write the month as "2024-01"' + extra), msg
    assert "lower-case" not in msg


def test_start_as_a_yaml_date_says_so():
    d = minimal_data()
    d["start"] = "2024/1"
    [(_, msg)] = problems(d)
    assert "2024-01" in msg and "lower-case" not in msg
    [(_, msg)] = problems(MINIMAL.read_text(encoding="utf-8") + "start: 2024-01-01\n")
    assert msg == ('start is read as the date 2024-01-01, but a month is wanted; '
                   'write the month as "2024-01"')


def test_unclosed_quote_points_where_it_opened():
    lines = MINIMAL.read_text(encoding="utf-8").splitlines()
    n = lines.index("  en: Minimal case")
    lines[n] = '  en: "Minimal case'
    [(where, msg)] = problems("\n".join(lines) + "\n")
    assert where == f"line {n + 1}, column 7"
    assert f"quote opened at line {n + 1} is never closed" in msg
    assert f"still open at line {len(lines) + 1}" in msg  # both lines are named


def test_full_width_colon_points_at_the_key():
    text = MINIMAL.read_text(encoding="utf-8").replace("horizon_months: 12", "horizon_months：12")
    line = text.splitlines().index("horizon_months：12") + 1
    [(where, msg)] = problems(text)
    assert where == f"line {line}, column 1"
    assert "full-width colon" in msg


def test_a_full_width_colon_with_a_space_after_it_is_named_too():
    # 'id： x' (a Chinese keyboard's colon, then a space) reads as plain text, so YAML fails
    # only on a later line, or the whole file is one line of text: both name the key's line
    text = MINIMAL.read_text(encoding="utf-8")
    line = text.splitlines().index("id: minimal") + 1
    [(where, msg)] = problems(text.replace("id: minimal", "id： minimal", 1))
    assert f"line {line} has a full-width colon" in msg
    [(where, msg)] = problems("id： minimal\n")
    assert where == "line 1" and "full-width colon" in msg


def zh_problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "case.yaml")
    return info.value.problems_zh


@pytest.mark.parametrize(("indent", "named", "named_zh"), [
    ("\u3000\u3000", "full-width spaces", "全角空格"),  # a Chinese keyboard's space
    ("\t", "a tab", "制表符"),
])
def test_a_key_indented_with_full_width_spaces_or_a_tab_names_its_line(indent, named,
                                                                       named_zh):
    """The parser's own words ("mapping values are not allowed here", on the next line;
    "found character '\\t'") said neither what was wrong nor, on the Chinese page, in
    Chinese."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  officers: 1", "  officers: 1\n  hours_per_officer_month: 60", 1)
    line = text.splitlines().index("  officers: 1") + 1
    bad = text.replace("  officers: 1", indent + "officers: 1", 1)
    [(where, msg)] = problems(bad)
    assert where == f"line {line}, column 1"
    assert f"line {line} is indented with {named}" in msg and "ordinary spaces" in msg
    [msg_zh] = zh_problems(bad)
    assert f"第 {line} 行用{named_zh}" in msg_zh and "请改用半角空格" in msg_zh
    assert "mapping values" not in msg_zh and "found character" not in msg_zh


def test_a_last_key_indented_with_full_width_spaces_is_named_as_such():
    # staff's only key, indented so, is valid YAML: a top-level key with the spaces in it
    text = MINIMAL.read_text(encoding="utf-8").replace("  officers: 1", "\u3000\u3000officers: 1")
    found = dict(problems(text))
    assert "starts with full-width spaces" in found["\u3000\u3000officers"]
    assert "全角空格" in zh_problems(text)[list(found).index("\u3000\u3000officers")]


def test_a_chinese_paragraph_opening_with_full_width_spaces_is_not_blamed():
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  zh: 最小案例", "  zh: |\n    \u3000\u3000第一段。\n    \u3000\u3000第二段。", 1)
    parse_scenario(text, "case.yaml")  # a text may open a paragraph that way
    [(_, msg)] = problems(text.replace("horizon_months: 12", "horizon_months: 12: 1"))
    assert "full-width spaces" not in msg


def test_full_width_digits_say_to_type_them_half_width():
    text = MINIMAL.read_text(encoding="utf-8")
    [(_, msg)] = problems(text.replace("horizon_months: 12", "horizon_months: １２"))
    assert msg.endswith("(type the digits half-width: １２ is 12)")
    [msg_zh] = zh_problems(text.replace("horizon_months: 12", "horizon_months: １２"))
    assert msg_zh.endswith("（请用半角数字：１２ 应写成 12）")


def test_a_colon_inside_plain_text_says_to_quote_it():
    """'en: Monday class: farm loans' said only "mapping values are not allowed here"
    (the parser's words, English on the Chinese page too)."""
    text = MINIMAL.read_text(encoding="utf-8").replace("zh: 最小案例", "zh: 周一: 最小案例")
    line = text.splitlines().index("  zh: 周一: 最小案例") + 1
    [(where, msg)] = problems(text)
    assert where == f"line {line}, column 9"
    assert msg.endswith('put the text in quotes: zh: "周一: 最小案例"')
    # a colon that is not inside a key's text keeps the general advice
    [(_, msg)] = problems("id: x\nhorizon_months: 1: 2\n".replace("1: 2", "[1]: 2"))
    assert "put the text in quotes" not in msg


def test_other_yaml_errors_name_both_lines():
    # a '[' left open: where it opens (the line to fix) and where the parser gave up, and
    # the bracket to add (it was the parser's "expected ',' or ']'" and "check indentation")
    text = "id: x\nsegments:\n  - id: a\n    count: [1\n"
    [(where, msg)] = problems(text)
    assert where == "line 4, column 12"
    assert "'[' on line 4 is never closed" in msg and "line 5" in msg
    assert "add ']' at the end of the list on line 4" in msg


@pytest.mark.parametrize(("text", "line", "en", "zh"), [
    # one key too deep under a key that already has a value (the parser: "mapping values
    # are not allowed here", in English on the Chinese page, naming no key)
    ("id: x\nsegments:\n  - id: a\n    product: sme\n      count: 1\n", 5,
     "'count' on line 5 is indented 6 spaces, deeper than 'product' on line 4 (4), which "
     "already has a value: indent 'count' 4 spaces, as 'product'",
     "第 5 行的 'count' 缩进了 6 个空格，比第 4 行已经有值的 'product'（4 个空格）更深："
     "请把 'count' 缩进 4 个空格，与 'product' 对齐"),
    # one key a space short of its neighbours ("expected <block end>, but found ...")
    ("id: x\nsegments:\n  - id: a\n    count: 1\n   bad: 2\n", 5,
     "'bad' on line 5 is indented 3 spaces, which lines up with no key above it: indent it "
     "4 spaces, as 'count' on line 4, if it belongs with it",
     "第 5 行的 'bad' 缩进了 3 个空格，与上面任何一个键都对不齐：如果它与第 4 行的 'count' 同级，"
     "请缩进 4 个空格"),
])
def test_a_badly_indented_key_is_named_with_the_indentation_it_needs(text, line, en, zh):
    """A key indented one level too deep or between two levels was reported in the
    parser's words only ('mapping values are not allowed here (check indentation and
    quotes)', English on the Chinese page too): the instructor had no key and no fix."""
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text)
    [(where, msg)] = err.value.problems
    assert where.startswith(f"line {line}, ")
    assert msg == f"not valid YAML: {en}"
    assert err.value.problems_zh == [f"不是有效的 YAML：{zh}"]


def test_control_character_gives_its_line():
    [(where, msg)] = problems("id: x\nhorizon_months: 1\x002\n")
    assert where == "line 2, column 18"
    assert "unacceptable character #x0000" in msg


@pytest.mark.parametrize(("old", "new", "path"), [
    ("pd_annual: 0.03", "pd_annual: .nan", "segments[0].pd_annual"),
    ("pd_annual: 0.03", "pd_annual: .NaN", "segments[0].pd_annual"),
    ("median_cny: 2000000", "median_cny: .inf", "segments[0].amount.median_cny"),
    ("median_cny: 2000000", "median_cny: 2000000\n      max_cny: .inf",
     "segments[0].amount.max_cny"),  # no upper bound: only the finiteness check stops it
    ("annual: 0.045", "annual: -.inf", "segments[0].rate.annual"),
])
def test_nan_and_infinity_are_rejected(old, new, path):
    text = MINIMAL.read_text(encoding="utf-8").replace(old, new)
    [(where, msg)] = problems(text)
    assert where == path
    assert ".nan and .inf are not allowed" in msg


@pytest.mark.parametrize(("old", "new", "path", "words"), [
    ("count: 20", "count: yes", "segments[0].count", "YAML reads yes/no"),
    ("count: 20", "count: true", "segments[0].count", "whole number"),
    ("count: 20", "count: 20.0", "segments[0].count", "whole number"),
    ("count: 20", "count: '20'", "segments[0].count", "whole number"),
    ("officers: 1", "officers: on", "staff.officers", "YAML reads yes/no"),
    ("horizon_months: 12", "horizon_months: 12.0", "horizon_months", "whole number"),
    ("pd_annual: 0.03", "pd_annual: yes", "segments[0].pd_annual", "not true/false"),
    ("annual: 0.045", "annual: off", "segments[0].rate.annual", "YAML reads yes/no"),
    ("en: Minimal case", "en: no", "title.en", "put the text in quotes"),
    ("id: minimal", "id: minimal\npublished: 1", "published", "true or false"),
    ("id: minimal", "id: minimal\npublished: 'yes'", "published", "true or false"),
])
def test_yaml_booleans_and_loose_numbers_are_rejected(old, new, path, words):
    text = MINIMAL.read_text(encoding="utf-8").replace(old, new, 1)
    [(where, msg)] = problems(text)
    assert where == path
    assert words in msg, msg


def test_booleans_in_number_fields_are_all_reported():
    d = minimal_data()
    d["segments"][0].update(rho=True, pd_annual=0)
    d["macro"] = [{"type": "recession", "month": 3, "severity": True}]
    d["provision_rates"] = {"loss": False}
    assert paths(d) == ["segments[0].pd_annual", "segments[0].rho", "macro[0].severity",
                        "provision_rates.loss"]


def test_numbers_yaml_reads_as_text_still_work():
    text = MINIMAL.read_text(encoding="utf-8").replace("median_cny: 2000000", "median_cny: 2e6")
    assert parse_scenario(text).segments[0].amount.median_cny == 2_000_000.0
    d = minimal_data()
    d["segments"][0]["rho"] = 0  # an int where a float belongs is fine
    d["published"] = False
    s = parse(d)
    assert s.segments[0].rho == 0.0 and isinstance(s.segments[0].rho, float)
    assert s.published is False


# --- unknown keys and values: the nearest valid name ---------------------------------------


@pytest.mark.parametrize(("key", "value", "path", "meant"), [
    ("horizon_month", 12, "horizon_month", "horizon_months"),
    ("segments.0.pd_anual", 0.03, "segments[0].pd_anual", "pd_annual"),
    ("segments.0.colateral", {"type": "property"}, "segments[0].colateral", "collateral"),
    ("segments.0.rate.anual", 0.04, "segments[0].rate.anual", "annual"),
    ("staff.officer", 2, "staff.officer", "officers"),
    ("monitoring", {"interval_months": {"norml": 3}}, "monitoring.interval_months.norml",
     "normal"),
    ("macro", [{"type": "policy_shock", "month": 3, "segmnts": ["wc"], "severity": 1}],
     "macro[0].segmnts", "segments"),
    ("borrowers", [named(1, evnts=[])], "borrowers[0].evnts", "events"),
    ("signal_overrides", {"payment_late": {"lag_month": 1}},
     "signal_overrides.payment_late.lag_month", "lag_months"),
])
def test_unknown_key_suggests_the_nearest_field(key, value, path, meant):
    d = minimal_data()
    if key == "signal_overrides":
        d[key] = value
    else:
        _set(d, key, value)
    msgs = dict(problems(d))
    assert f"did you mean '{meant}'?" in msgs[path], msgs
    assert "check its spelling" in msgs[path]


def test_unknown_key_without_a_near_name_just_says_remove_it():
    d = minimal_data()
    d["zzz_notes"] = "x"
    msgs = dict(problems(d))
    assert msgs["zzz_notes"] == ("Extra inputs are not permitted "
                                 "(remove this key or check its spelling)")


@pytest.mark.parametrize(("key", "value", "path", "meant"), [
    ("segments.0.product", "working-capital", "segments[0].product", "working_capital"),
    ("segments.0.repayment", "equal_installment", "segments[0].repayment", "equal_instalment"),
    ("macro", [{"type": "recesion", "month": 3, "severity": 1}], "macro[0]", "recession"),
])
def test_misspelt_value_suggests_the_nearest_choice(key, value, path, meant):
    d = minimal_data()
    _set(d, key, value)
    msgs = dict(problems(d))
    assert f"did you mean '{meant}'?" in msgs[path], msgs


def test_explain_works_for_other_models():
    with pytest.raises(pydantic.ValidationError) as info:
        MonitoringPolicy.model_validate({"interval_months": {"norml": 3}, "first_check_day": 1})
    found = dict(explain(info.value))
    assert "check its spelling" in found["interval_months.norml"]
    found = dict(explain(info.value, MonitoringPolicy))
    assert "did you mean 'normal'?" in found["interval_months.norml"]
    assert "did you mean 'first_check_days'?" in found["first_check_day"]


def test_a_share_written_as_a_percentage_gets_the_fix():
    """pd_annual: 3 reads as 3%: the message says to write 0.03 (it only said 'use a
    smaller number')."""
    d = minimal_data()
    d["segments"][0]["pd_annual"] = 3
    assert "write 3% as 0.03" in _messages(d)
    d["segments"][0]["pd_annual"] = 300  # not a percentage either: no such hint
    assert "write" not in _messages(d).split("pd_annual", 1)[1]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a list\n"])
def test_a_file_that_is_no_mapping_is_said_in_chinese_without_english_words(text):
    """The Chinese message read "键为 keys such as id, title, segments; see ..."."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    [zh] = info.value.problems_zh
    assert "id、title、segments 等" in zh and "keys such as" not in zh and "see " not in zh


def test_a_negative_amount_says_to_drop_the_minus_sign():
    """A negative amount read 'Input should be greater than 0 (use a larger number)', as
    if the figure were too small rather than typed with a stray minus."""
    text = MINIMAL.read_text(encoding="utf-8").replace("median_cny: 2000000",
                                                       "median_cny: -2000000")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text)
    [(where, msg)] = err.value.problems
    assert where == "segments[0].amount.median_cny"
    assert msg.endswith("(use a larger number: -2000000 has a minus sign; write 2000000)")
    assert err.value.problems_zh[0].endswith("（请改用更大的数：-2000000 带了负号，请写成 2000000）")
    [(_, msg)] = problems(MINIMAL.read_text(encoding="utf-8").replace(
        "pd_annual: 0.03", "pd_annual: -0.03"))
    assert msg.endswith("-0.03 has a minus sign; write 0.03)")
    [(_, msg)] = problems(MINIMAL.read_text(encoding="utf-8").replace("count: 20", "count: 0"))
    assert "minus sign" not in msg  # zero: no minus to drop, the plain advice


def test_a_share_written_past_100_says_what_1_means():
    """diversion_share: 120 (meant as 120%) read only 'Input should be less than or equal
    to 1 (use a smaller number)'; 1.2 already said 'write 1.2% as 0.012'."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "    pd_annual: 0.03", "    pd_annual: 0.03\n    diversion_share: 120")
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text)
    [(where, msg)] = err.value.problems
    assert where == "segments[0].diversion_share"
    assert msg.endswith("(use a smaller number: it is a share, where 1 is 100%)")
    assert err.value.problems_zh[0].endswith("（请改用更小的数：这是比例，1 即 100%）")
    [(_, msg)] = problems(text.replace("diversion_share: 120", "diversion_share: 12"))
    assert msg.endswith("write 12% as 0.12)")


def test_a_development_loan_diverted_on_self_payment_is_called_a_gap_in_its_debrief():
    """A fixed-asset (development) loan that a case diverts on self-payment is there to
    teach the gap: the 2024 fixed-asset loan rules want entrusted payment above set
    amounts, so the debrief says, in both languages, that the loan should have been on it
    (real_estate's Jinlan read as if self-payment were normal for CNY 180 million)."""
    checked = []
    for path in scenario_paths():
        sc = load_scenario(path)
        segments = {s.id: s for s in sc.segments}
        if not any(b.diverts and segments[b.segment].product == "real_estate_dev"
                   and segments[b.segment].payment_mode == "self" for b in sc.borrowers):
            continue
        notes_en = " ".join(n.en for n in sc.debrief_notes)
        notes_zh = " ".join(n.zh for n in sc.debrief_notes)
        assert "self-payment" in notes_en and "2024" in notes_en, (sc.id, "en")
        assert "should have been on entrusted payment" in notes_en, (sc.id, "en")
        assert "自主支付" in notes_zh and "2024" in notes_zh, (sc.id, "zh")
        assert "本应从第一次提款起就是受托支付" in notes_zh, (sc.id, "zh")
        checked.append(sc.id)
    assert "real_estate" in checked
