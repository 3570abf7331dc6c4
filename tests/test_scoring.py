"""Tests for sim.scoring: the headline index, saves, missed warnings, compliance and the
score of a run against its baselines on the same seed."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.engine import simulate
from sim.scenario import parse_scenario
from sim.scoring import (
    PREVENTIVE_EVENTS,
    Score,
    compliance_share,
    headline_index,
    missed_warnings,
    run_baselines,
    saves,
    score,
    score_run,
)
from sim.strategies import parse_rules

CASE = """
id: scoring
title: {zh: 评分, en: Scoring}
briefing: {zh: 评分, en: Scoring}
horizon_months: 18
staff: {officers: 2, hours_per_officer_month: 100}
segments:
  - id: secured
    name: {zh: 抵押, en: Secured}
    product: working_capital
    count: 60
    amount: {median_cny: 2000000, sigma: 0.5}
    term_months: 24
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.15
    rho: 0.15
    industry: manufacturing
    region: zhejiang
    collateral: {type: property, ltv: 0.6}
    diversion_share: 0.2
  - id: unsecured
    name: {zh: 信用, en: Unsecured}
    product: small_business
    count: 40
    amount: {median_cny: 500000, sigma: 0.5}
    term_months: 18
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.2
    industry: retail
    region: zhejiang
"""


@pytest.fixture(scope="module")
def case():
    return parse_scenario(CASE, "scoring.yaml")


# ------------------------------------------------------------------------ headline index
def test_headline_index_math():
    assert headline_index(40.0, 100.0, 0.0) == pytest.approx(0.6)
    assert headline_index(100.0, 100.0, 20.0) == pytest.approx(0.0)  # no better than late
    assert headline_index(20.0, 100.0, 20.0) == pytest.approx(1.0)  # as good as the oracle
    assert headline_index(140.0, 100.0, 20.0) == pytest.approx(-0.5)  # worse than late
    assert headline_index(10.0, 100.0, 20.0) == pytest.approx(1.125)  # beat the oracle
    assert headline_index(5e6, 1e7, 0.0) == pytest.approx(0.5)


def test_headline_index_is_none_when_nothing_was_avoidable():
    assert headline_index(50.0, 100.0, 100.0) is None  # oracle no better than late
    assert headline_index(50.0, 100.0, 150.0) is None  # oracle worse than late
    assert headline_index(50.0, 100.0, 99.5) is None  # gap under one yuan
    assert headline_index(0.0, 1e9, 1e9 - 500.0) is None  # gap under 1e-6 of the late loss
    assert headline_index(0.0, 0.0, 0.0) is None
    assert headline_index(0.0, 1e9, 1e9 - 5000.0) == pytest.approx(1e9 / 5000.0)


# ------------------------------------------------------------------ saves and warnings
def fake_run(defaulted, **cols) -> SimpleNamespace:
    n = len(defaulted)
    loans = pd.DataFrame({"loan_id": np.arange(n), "defaulted": np.array(defaulted, bool)})
    for k, v in cols.items():
        loans[k] = v
    return SimpleNamespace(loans=loans)


def test_saves_are_late_defaults_that_did_not_happen():
    late = fake_run([True, True, False, False, True])
    run = fake_run([False, True, True, False, False])
    # loan 2 defaulted only under the strategy: that is not a negative save, just not a save
    assert saves(run, late).tolist() == [0, 4]
    assert saves(late, late).tolist() == []
    assert saves(fake_run([False] * 5), late).tolist() == [0, 1, 4]


def warning_frame() -> SimpleNamespace:
    rows = [  # default_month, warning months (via), action months
        ("a_missed", 10, [(6, "offsite")], []),  # seen 4 months ahead, nobody acted
        ("b_too_late", 10, [(8, "offsite")], []),  # seen only 2 months ahead
        ("c_acted", 10, [(5, "offsite")], [6]),  # seen and acted before default
        ("d_acted_at_default", 10, [(5, "onsite")], [10]),  # acting in the default month is late
        ("e_no_default", -1, [(2, "offsite")], []),
        ("f_boundary", 10, [(7, "latent")], []),  # a check would have shown it, 3 months ahead
        ("g_never_seen", 10, [], []),
        ("h_acted_after", 8, [(1, "offsite")], [12]),
        ("i_stale", 20, [(2, "offsite")], []),  # 18 months before default: outside the window
        ("j_acted_in_between", 12, [(3, "offsite"), (8, "offsite")], [5]),
    ]
    names = [r[0] for r in rows]
    loans = pd.DataFrame({"loan_id": np.arange(len(rows)),
                          "default_month": [r[1] for r in rows],
                          "loss_cny": np.arange(len(rows), dtype=float) * 1000.0})
    loans["defaulted"] = loans["default_month"] >= 0
    warnings = pd.DataFrame(
        [(m, i, "turnover_drop", via) for i, r in enumerate(rows) for m, via in r[2]],
        columns=["month", "loan_id", "signal", "via"])
    events = pd.DataFrame(
        [(m, i, "action_add_collateral") for i, r in enumerate(rows) for m in r[3]],
        columns=["month", "loan_id", "event"])
    run = SimpleNamespace(loans=loans, warnings=warnings, events=events, names=names)
    return run


def test_missed_warnings_logic():
    run = warning_frame()
    mw = missed_warnings(run, months=3)
    got = [run.names[i] for i in mw["loan_id"]]
    assert got == ["a_missed", "d_acted_at_default", "f_boundary", "h_acted_after"]
    assert mw["months_ahead"].tolist() == [4, 5, 3, 7]
    assert mw["via"].tolist() == ["offsite", "onsite", "latent", "offsite"]
    assert mw["loss_cny"].tolist() == [0.0, 3000.0, 5000.0, 7000.0]


def test_missed_warnings_horizon_parameter():
    run = warning_frame()
    assert "b_too_late" in [run.names[i] for i in missed_warnings(run, months=1)["loan_id"]]
    assert [run.names[i] for i in missed_warnings(run, months=5)["loan_id"]] == [
        "d_acted_at_default", "h_acted_after"]
    assert "i_stale" in [run.names[i] for i in missed_warnings(run, window=24)["loan_id"]]


def test_checks_and_monitoring_are_not_acting():
    assert "action_onsite_check" not in PREVENTIVE_EVENTS
    assert "action_closer_monitoring" not in PREVENTIVE_EVENTS
    assert {"action_restructure", "action_add_collateral", "action_accelerate"} <= PREVENTIVE_EVENTS


def test_compliance_share():
    def comp(required, on_time):
        return SimpleNamespace(compliance=pd.DataFrame({
            "kind": ["first", "routine", "targeted"], "required": required, "on_time": on_time}))

    assert compliance_share(comp([4.0, 6.0, 0.0], [4.0, 3.0, 0.0])) == pytest.approx(0.7)
    assert compliance_share(comp([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])) is None  # nothing asked: n/a


# ------------------------------------------------------------------------ score_run
SCORE_KEYS = {"index", "loss", "saves", "missed_warnings", "hours", "compliance",
              "npl_ratio_peak"}


def test_score_run_keys_and_baselines(case):
    s = score_run(case, seed=3, strategy="early-warning")
    assert isinstance(s, Score)
    d = s.to_dict()
    assert set(d) >= SCORE_KEYS
    assert d["strategy"] == "early-warning"
    run = simulate(case, seed=3, strategy="early-warning")
    late = simulate(case, seed=3, strategy="late-collection")
    oracle = simulate(case, seed=3, strategy="oracle")
    # the score is built from runs on the same seed: same numbers, bit for bit
    assert d["loss"] == run.loss_cny
    assert d["loss_late"] == late.loss_cny and d["loss_oracle"] == oracle.loss_cny
    assert d["hours"] == run.hours
    assert d["npl_ratio_peak"] == run.summary()["npl_ratio_peak"]
    assert d["index"] == headline_index(run.loss_cny, late.loss_cny, oracle.loss_cny)
    assert d["saves"] == len(saves(run, late)) == len(s.save_list)
    assert d["missed_warnings"] == len(missed_warnings(run))
    assert d["compliance"] == compliance_share(run)
    assert d["net_value"] == pytest.approx(
        run.interest_cny - run.funding_cny - run.loss_cny - run.cost_cny)
    assert 0 < d["funding"] == run.funding_cny < d["interest"]  # a margin over funding
    assert 0.0 <= d["compliance"] <= 1.0 and d["hours"] > 0


def test_score_of_the_baselines_themselves(case):
    runs = run_baselines(case, seed=4, months=None)
    assert set(runs) == {"late-collection", "early-warning", "oracle"}
    late, oracle = runs["late-collection"], runs["oracle"]
    assert oracle.loss_cny < late.loss_cny, "the case needs avoidable loss"
    s_late = score(late, late, oracle, "late-collection")
    s_oracle = score(oracle, late, oracle, "oracle")
    assert s_late.index == pytest.approx(0.0) and s_late.saves == 0
    assert s_oracle.index == pytest.approx(1.0)
    assert s_oracle.saves == len(saves(oracle, late)) > 0


def test_score_run_names_rules_by_table(case):
    table = parse_rules({"name": "my-table", "rules": [
        {"when": {"min_dpd": 30}, "do": ["collect_visit"]}]})
    s = score_run(case, seed=3, months=6, rules=table, strategy="rules")
    assert s.strategy == "my-table"
    assert set(s.to_dict()) >= SCORE_KEYS
