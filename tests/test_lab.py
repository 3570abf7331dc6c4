"""Tests for training.lab and training.lab_report: inputs checked like the CLI, paired
comparisons and the staffing sweep on hand-made results, the frontier, and a report
whose embedded inputs reproduce its figures and which needs no network."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.policy import Staff
from sim.run_summary import FIGURES, SERIES
from sim.scenario import parse_scenario
from sim.strategies import load_rules
from sim.study import StudyResult, StudySpec, builtin, from_rules
from training import lab
from training.i18n import t
from training.lab_report import (
    FIGURES_ID,
    INPUTS_ID,
    paired_display,
    read_block,
    report_html,
    request_from_inputs,
    strategies_display,
)

CASE = """
id: lab
title: {zh: 实验室, en: Lab}
briefing: {zh: 实验室, en: Lab}
horizon_months: 6
staff: {officers: 1}
segments:
  - id: sb
    name: {zh: 小微, en: Small business}
    product: small_business
    count: 30
    amount: {median_cny: 800000, sigma: 0.5}
    term_months: 24
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.25
    industry: retail
    region: zhejiang
    collateral: {type: property, ltv: 0.6}
"""


@pytest.fixture(scope="module")
def case():
    return parse_scenario(CASE, "lab.yaml")


def made_up(case, losses: dict[str, list[float]], **figures) -> StudyResult:
    """A StudyResult with given losses per strategy (other figures zero)."""
    labels = tuple(k for k in losses if k not in ("late-collection", "oracle"))
    spec = StudySpec(scenario=case, strategies=tuple(builtin(k) for k in labels),
                     reps=len(next(iter(losses.values()))), seed=1)
    n = spec.reps
    figs = {}
    for lab_, vals in losses.items():
        figs[lab_] = {k: np.zeros(n) for k in FIGURES}
        figs[lab_]["loss_cny"] = np.array(vals, dtype=float)
        for k, per in figures.items():
            figs[lab_][k] = np.array(per[lab_], dtype=float)
    series = {k: {s: np.zeros((n, 6)) for s in SERIES} for k in losses}
    return StudyResult(spec=spec, seeds=spec.seeds(), figures=figs, series=series)


def test_the_wait_counts_every_run_the_study_makes(case):
    # the references are run whether asked for or not: two strategies make four runs
    assert lab.runs_per_future(["early-warning", "tuned"]) == 4
    assert lab.runs_per_future(["early-warning", "late-collection", "oracle"]) == 3
    one = lab.estimated_seconds(case, 4, 100)
    assert one > 0
    assert lab.estimated_seconds(case, 4, 200) == pytest.approx(2 * one)
    # a sweep of 3 officer counts runs the swept strategy once more per future for each
    assert lab.estimated_seconds(case, 4, 100, sweep_officers=3) == pytest.approx(one * 7 / 4)
    # two local workers share it (not quite twice as fast); fewer months take less
    assert one / 2 < lab.estimated_seconds(case, 4, 100, workers=2) < one
    assert lab.estimated_seconds(case, 4, 100, months=3) < one
    bigger = parse_scenario(CASE.replace("count: 30", "count: 3000"), "lab.yaml")
    assert lab.estimated_seconds(bigger, 4, 100) > one


# --- inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(Path("scenarios/rules").glob("*.yaml")))
def test_a_table_downloaded_from_the_lab_reads_back_as_the_same_table(path):
    table = load_rules(path)
    text = lab.rules_yaml(table)
    assert lab.rules_from_upload(f"{table.name}.yaml", text.encode("utf-8")) == table
    assert f"name: {table.name}" in text and "interval_months: {normal:" in text


def test_an_uploaded_rule_table_is_checked_like_a_file_on_the_command_line():
    from sim.strategies import RulesError

    good = lab.rules_from_upload("mine.yaml", "\ufeffname: mine\nrules: []\n".encode())
    assert good.name == "mine"  # a byte-order mark (Windows editors) is no problem
    for data, en, zh in (
            (b"\xff\xfe\x00", "not UTF-8 text", "UTF-8"),
            (b"name: x\nrules:\n  - when: {min_alerts: 2}\n    do: [restructur]\n",
             "unknown action 'restructur'", "restructur"),
            ("name： x\n".encode(), "full-width colon", "全角冒号"),
            (b"name: x\n" + b"#" * (lab_max_bytes() + 1), "larger than", "上限")):
        with pytest.raises(RulesError) as err:
            lab.rules_from_upload("bad.yaml", data)
        assert en in str(err.value)
        assert any(zh in m for m in err.value.problems_zh)
        assert "bad.yaml" in lab.form_problems(err.value, "en") or err.value.source == "bad.yaml"


def lab_max_bytes() -> int:
    from sim.inputs import MAX_FILE_BYTES

    return MAX_FILE_BYTES


def test_strategies_parse_names_and_rule_files():
    out = lab.parse_strategies(["early-warning", "scenarios/rules/tuned.yaml"])
    assert [s.label for s in out] == ["early-warning", "tuned"]
    assert out[1].rules == load_rules("scenarios/rules/tuned.yaml")
    for bad, word in ((["nothing-at-all"], "unknown strategy"), (["missing.yaml"], "no such"),
                      (["oracle", "oracle"], "named twice"), ([""], "empty name")):
        with pytest.raises(lab.LabInputError, match=word):
            lab.parse_strategies(bad)


def test_staff_ranges():
    assert lab.parse_staff_range("2..8") == [2, 3, 4, 5, 6, 7, 8]
    assert lab.parse_staff_range("3-4") == [3, 4]
    assert lab.parse_staff_range("6, 2,4") == [2, 4, 6]
    for bad in ("8..2", "two", "0..3", "5"):
        with pytest.raises(lab.LabInputError, match="--staff"):
            lab.parse_staff_range(bad)


def test_rule_table_from_the_form_is_checked_like_a_file():
    intervals = {"normal": 6, "special_mention": 2, "substandard": 1, "doubtful": 3, "loss": 0}
    rows = [{"min_dpd": 30, "max_dpd": 60, "actions": "restructure"},
            {"known_diversion": True, "defaulted": False, "actions": "entrusted_payment"},
            {"min_alerts": 3, "max_dpd": 0, "actions": "freeze_line, add_collateral, "
             "restructure"},
            {"min_alerts": 2, "max_dpd": 0, "actions": "onsite_check"},
            {"min_alerts": None, "actions": ""}]  # the editor's empty last row
    table = lab.rule_table_from_form("mine", intervals, 30, 0.4, rows)
    tuned = load_rules("scenarios/rules/tuned.yaml")
    assert table.monitoring == tuned.monitoring and table.reserve_share == tuned.reserve_share
    assert [r.do for r in table.rules][:2] == [r.do for r in tuned.rules][:2]
    assert table.checks_beyond_reserve == "rush"
    # the app's editor gives each row's actions as the list its multiselect holds
    listed = [{**r, "actions": [a.strip() for a in r["actions"].split(",") if a.strip()]}
              for r in rows]
    assert lab.rule_table_from_form("mine", intervals, 30, 0.4, listed) == table
    slip = lab.rule_table_from_form("mine", intervals, 30, 0.4, rows, "slip")
    assert slip.checks_beyond_reserve == "slip"
    assert slip.model_copy(update={"checks_beyond_reserve": "rush"}) == table
    with pytest.raises(lab.LabInputError, match="checks_beyond_reserve"):
        lab.rule_table_from_form("x", intervals, 30, 0.4, [], "later")
    with pytest.raises(lab.LabInputError, match=r"rules\[0\]\.do: unknown action 'phone_call'"):
        lab.rule_table_from_form("x", intervals, 30, 0.4, [{"actions": "phone_call"}])
    with pytest.raises(lab.LabInputError, match="interval_months.normal"):
        lab.rule_table_from_form("x", {**intervals, "normal": 99}, 30, 0.4, [])
    with pytest.raises(lab.LabInputError, match=r"rules\[0\]\.do: .*at least 1"):
        lab.rule_table_from_form("x", intervals, 30, 0.4, [{"min_alerts": 2}])


def test_the_editor_holds_every_shipped_rule_table_whole():
    """Opened in the app's editor and run unchanged, a shipped table is the same table:
    every condition has its column (tuned's third rule asks for a check within a month and
    no action for six; the editor used to drop both and ran another policy)."""
    for path in sorted(Path("scenarios/rules").glob("*.yaml")):
        table = load_rules(path)
        mon = table.monitoring
        rows = lab.form_rows(table)
        again = lab.rule_table_from_form(
            table.name, mon.interval_months.model_dump(), mon.first_check_days,
            table.reserve_share, rows, table.checks_beyond_reserve)
        assert again.rules == table.rules, path
    tuned = lab.form_rows(load_rules("scenarios/rules/tuned.yaml"))
    assert tuned[2]["checked_within_months"] == 1 and tuned[2]["not_acted_within_months"] == 6
    assert tuned[0]["min_alerts"] is None  # no condition: a blank cell


def test_the_editors_problems_name_the_row_and_column_as_shown():
    intervals = {"normal": 6, "special_mention": 2, "substandard": 1, "doubtful": 3, "loss": 0}
    rows = [{"min_dpd": 30, "max_dpd": 60, "actions": ["restructure"]},
            {"min_dpd": 70, "max_dpd": 60, "actions": ["restructure"]},
            {"min_alerts": 2, "actions": ["onsite_check", "onsite_check"]}]
    with pytest.raises(lab.LabInputError) as got:
        lab.rule_table_from_form("x", intervals, 30, 0.4, rows)
    en = lab.form_problems(got.value, "en")
    assert "row 2, column 'days past due to'" in en and "swap" in en
    assert "row 3, column 'then do'" in en and "more than once" in en
    zh = lab.form_problems(got.value, "zh")
    assert "第 2 行“逾期天数至”列" in zh and "第 3 行“采取措施”列" in zh
    # the check's own words in Chinese too (they were English in the Chinese page)
    assert "请对调两者或放宽范围" in zh and "请只列一次" in zh and "swap" not in zh


def test_the_editors_problems_count_the_empty_rows_left_out():
    """A row emptied in the middle of the editor is no rule, but it is still a row on the
    screen: the problem of the row under it was said to be in the row above (row 2 for
    the third row)."""
    intervals = {"normal": 6, "special_mention": 2, "substandard": 1, "doubtful": 3, "loss": 0}
    rows = [{"min_alerts": 2, "actions": ["onsite_check"]},
            {"min_alerts": None, "actions": []},  # emptied, left in place
            {"min_dpd": 90, "max_dpd": 30, "actions": ["onsite_check"]},
            {"min_alerts": 1, "actions": []}]
    with pytest.raises(lab.LabInputError) as got:
        lab.rule_table_from_form("x", intervals, 30, 0.4, rows)
    en = lab.form_problems(got.value, "en")
    assert "row 3, column 'days past due to'" in en and "row 4, column 'then do'" in en, en
    assert "row 2" not in en
    zh = lab.form_problems(got.value, "zh")
    assert "第 3 行“逾期天数至”列" in zh and "第 4 行“采取措施”列" in zh, zh
    # one problem from the next as a Chinese sentence parts them, not with "; "
    assert "；第 4 行" in zh and "; " not in zh, zh


def test_a_request_checks_reps_months_and_the_sweep_strategy(case):
    ok = dict(scenario=case, strategies=(builtin("early-warning"),), seed=1)
    with pytest.raises(lab.LabInputError, match="reps"):
        lab.LabRequest(reps=1, **ok)
    with pytest.raises(lab.LabInputError, match="horizon"):
        lab.LabRequest(reps=2, months=7, **ok)
    with pytest.raises(lab.LabInputError, match="staffing sweep"):
        lab.LabRequest(reps=2, staff=(1, 2), sweep_strategy="oracle", **ok)
    req = lab.LabRequest(reps=3, staff=(1, 2, 3), **ok)
    assert [s.officers for s in req.specs()] == [None, 1, 2, 3]


# --- comparisons on hand-made results ----------------------------------------------------


def test_paired_table_by_hand(case):
    res = made_up(case, {"early-warning": [8, 11, 9, 10], "do-nothing": [10, 12, 9, 14],
                         "late-collection": [9, 12, 10, 11], "oracle": [1, 2, 1, 2]})
    df = lab.paired_table(res, ("loss_cny",)).set_index("strategy")
    assert df.loc["do-nothing", "mean"] == pytest.approx(1.75)  # 2, 1, 0, 4
    assert df.loc["do-nothing", "verdict"] == "within_noise"
    assert df.loc["late-collection", "mean"] == pytest.approx(1.0)  # 1, 1, 1, 1
    assert df.loc["late-collection", "lo"] == df.loc["late-collection", "hi"] == 1.0
    assert df.loc["late-collection", "verdict"] == "worse"
    assert df.loc["oracle", "verdict"] == "better" and df.loc["oracle", "reference"]
    text = lab.verdict_text(df.reset_index().iloc[1], "en")
    assert "Late collection against Early warning" in text and "clearly worse" in text
    assert "明显更差" in lab.verdict_text(df.reset_index().iloc[1], "zh")
    means = lab.strategy_table(res, ("loss_cny",)).set_index("strategy")["mean"]
    assert means["do-nothing"] == pytest.approx(11.25)



def test_a_difference_reads_as_a_difference_not_a_level(case):
    # late collection loses 1 more on every future than the champion: "+", not "1 loss"
    res = made_up(case, {"early-warning": [8e4, 11e4, 9e4, 10e4],
                         "late-collection": [9e4, 12e4, 10e4, 11e4], "oracle": [0, 1, 0, 1]})
    row = lab.paired_table(res, ("loss_cny",)).iloc[0]
    assert "+1.0\u00a0万元（95% 区间 1.0\u00a0万元 至 1.0\u00a0万元）" in lab.verdict_text(row, "zh")
    assert ": loss +CNY\u00a010.0k (95% interval CNY\u00a010.0k to CNY\u00a010.0k)" in lab.verdict_text(row, "en")
    assert lab.fmt_figure("loss_cny", -1e4, "zh", signed=True) == "-1.0\u00a0万元"
    assert lab.fmt_figure("loss_cny", 1.0, "en", signed=True) == "CNY\u00a00k"  # nothing to sign

def test_a_loss_interval_stops_at_zero_but_a_net_value_may_go_below(case):
    # four futures, one big loss: the t interval of the mean reaches below 0
    res = made_up(case, {"early-warning": [0, 0, 0, 8e5], "late-collection": [1, 2, 3, 4],
                         "oracle": [0, 0, 0, 0]},
                  net_value_cny={"early-warning": [-9e5, 1e5, 1e5, 1e5],
                                 "late-collection": [0, 0, 0, 0], "oracle": [0, 0, 0, 0]})
    table = lab.strategy_table(res).set_index(["strategy", "figure"])
    loss = table.loc[("early-warning", "loss_cny")]
    assert loss["lo"] == 0.0 and loss["hi"] > loss["mean"] == 2e5
    net = table.loc[("early-warning", "net_value_cny")]
    assert net["lo"] < 0  # a net value can be negative: its interval is the t interval


def test_a_compliance_interval_stops_at_100_percent(case):
    # two futures far apart: the t interval of the mean reaches past 100% (and below 0)
    res = made_up(case, {"early-warning": [1, 2], "late-collection": [1, 2], "oracle": [0, 0]},
                  policy_compliance={"early-warning": [0.6, 1.0], "late-collection": [0.2, 0.2],
                                     "oracle": [1.0, 1.0]})
    comp = lab.strategy_table(res).set_index(["strategy", "figure"]).loc[
        ("early-warning", "policy_compliance")]
    assert comp["lo"] == 0.0 and comp["hi"] == 1.0 and comp["mean"] == pytest.approx(0.8)


def test_headline_names_the_clear_winner(case):
    res = made_up(case, {"early-warning": [1, 2, 1, 2], "do-nothing": [10, 12, 9, 14],
                         "late-collection": [9, 12, 10, 11], "oracle": [0, 1, 0, 1]})
    assert lab.headline(res, "en").startswith("Early warning loses least")
    assert "clearly less" in lab.headline(res, "en")


def made_up_with_oracle(case, losses: dict[str, list[float]]) -> StudyResult:
    """`made_up` with the oracle among the strategies asked for (after the others)."""
    res = made_up(case, losses)
    labels = tuple(k for k in losses if k != "late-collection")
    res.spec = StudySpec(scenario=case, strategies=tuple(builtin(k) for k in labels),
                         reps=res.spec.reps, seed=1)
    return res


def test_headline_never_names_the_oracle_the_winner(case):
    # a manager who adds the oracle asks which policy to run: the oracle is the bound
    k = 100_000.0
    losses = {"early-warning": [1 * k, 2 * k, 1 * k, 2 * k],
              "do-nothing": [10 * k, 12 * k, 9 * k, 14 * k],
              "late-collection": [9 * k, 12 * k, 10 * k, 11 * k], "oracle": [0, k, 0, k]}
    text = lab.headline(made_up_with_oracle(case, losses), "en")
    assert text.startswith("Early warning loses least (CNY\u00a0150.0k")
    assert "clearly less" in text  # than do-nothing; the oracle is not counted against it
    assert text.endswith("The oracle (perfect information, a bound no officer can reach) "
                         "loses CNY\u00a050.0k on average: CNY\u00a0100.0k less.")
    # the oracle as the champion: the winner is still a policy a bank can run
    oracle_first = made_up_with_oracle(case, {"oracle": [0, 1, 0, 1], **{
        k: v for k, v in losses.items() if k != "oracle"}})
    text = lab.headline(oracle_first, "zh")
    assert text.startswith("在银行实际可执行的策略中，早期预警 损失最小")
    assert "全知策略" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_headline_does_not_call_an_oracle_that_lost_more_a_bound(case, lang):
    """On intro's 3 futures early warning lost 225.9k and the oracle 319.5k, and the
    headline read "...a bound no officer can reach) loses CNY 319.5k on average:
    -CNY 93.6k less": a negative "less" about a bound the winner had just passed."""
    k = 100_000.0
    losses = {"early-warning": [1 * k, 2 * k, 1 * k, 2 * k],
              "do-nothing": [10 * k, 12 * k, 9 * k, 14 * k],
              "late-collection": [9 * k, 12 * k, 10 * k, 11 * k],
              "oracle": [2 * k, 3 * k, 2 * k, 3 * k]}
    text = lab.headline(made_up_with_oracle(case, losses), lang)
    more = lab.fmt_figure("loss_cny", k, lang)
    assert lab.fmt_figure("loss_cny", 2.5 * k, lang) in text and more in text, text
    assert "-" not in text and "\u2212" not in text, text  # no negative gap
    assert {"en": "more", "zh": "多"}[lang] in text
    assert {"en": "a bound no officer can reach", "zh": "达不到的上限"}[lang] not in text


def test_frontier_by_hand():
    hours = np.array([0, 100, 200, 150, 300])
    avoided = np.array([0, 50, 80, 40, 80])
    assert lab.efficient(hours, avoided).tolist() == [True, True, True, False, False]


def test_staffing_sweep_and_where_another_officer_stops_paying(case):
    # net value by officers 1..4 on three futures; an officer over 6 months costs 120k
    nets = {1: [1e6, 1.1e6, 0.9e6], 2: [1.3e6, 1.4e6, 1.2e6], 3: [1.45e6, 1.55e6, 1.35e6],
            4: [1.5e6, 1.6e6, 1.4e6]}
    spec = StudySpec(scenario=case, strategies=(builtin("early-warning"),), reps=3, seed=1)
    req = lab.LabRequest(scenario=case, strategies=spec.strategies, reps=3, seed=1,
                         staff=(1, 2, 3, 4), officer_cost_cny_per_month=20_000)
    sweep = []
    for k, nv in nets.items():
        r = made_up(case, {"early-warning": [1.0, 2.0, 3.0]},
                    net_value_cny={"early-warning": nv}, compliance={"early-warning": [1] * 3})
        r.spec = StudySpec(scenario=case, strategies=spec.strategies, reps=3, seed=1,
                           officers=k, references=False)
        sweep.append(r)
    out = lab.LabOutcome(request=req, study=sweep[0], sweep=sweep)
    table = lab.staffing_table(out)
    assert table["gain_cny"].iloc[1:].tolist() == pytest.approx([300_000, 150_000, 50_000])
    assert table["step_cost_cny"].iloc[1] == 120_000
    assert table["pays"].iloc[1:].tolist() == [True, True, False]
    assert lab.stop_paying_point(table) == 3
    assert table["net_after_staff_cny"].iloc[0] == pytest.approx(1e6 - 120_000)
    # how sure: every future gains the same here, so each step's answer is clear
    from training import lab_report

    shown = lab_report.staffing_display(out, "en")
    # each step weighed against what the added officer costs over the case
    cost = lab.fmt_figure("gain_cny", 120_000, "en")
    assert shown["Pays?"].tolist() == ["", f"yes: it costs {cost} (clear)",
                                       f"yes: it costs {cost} (clear)",
                                       f"no: it costs {cost} (clear)"]
    assert "to" in shown["Gain from the added officer(s)"].iloc[1]
    # one future where the third officer gains little makes that step within noise
    sweep[2].figures["early-warning"]["net_value_cny"] = np.array([1.45e6, 1.55e6, 1.21e6])
    shown = lab_report.staffing_display(out, "zh")
    cost = lab.fmt_figure("gain_cny", 120_000, "zh")
    assert shown.iloc[2, -1] in (f"是：成本 {cost}（在波动之内）", f"否：成本 {cost}（在波动之内）")
    # a figure keeps its unit on its line in the table's narrow columns
    assert all(("\u00a0万元" in v and " 万元" not in v) for v in shown.iloc[:, 1])


def test_an_officer_of_the_sweep_costs_the_share_of_a_month_their_post_loan_hours_take(case):
    # an officer of a case is its hours_per_officer_month of post-loan work: 45 of a
    # full-time 174-hour month cost 45/174 of CNY 20,000, not a whole salary
    part_time = case.model_copy(update={"staff": Staff(officers=2,
                                                       hours_per_officer_month=45.0)})
    assert lab.officer_cost_default(part_time) == 5_200.0
    full = part_time.model_copy(update={"staff": Staff(officers=2,
                                                       hours_per_officer_month=200.0)})
    assert lab.officer_cost_default(full) == 20_000.0  # never more than a whole salary
    req = lab.LabRequest(scenario=part_time, strategies=(builtin("early-warning"),), reps=2,
                         seed=1, staff=(1, 2))
    assert req.officer_cost_cny_per_month == 5_200.0
    given = lab.LabRequest(scenario=part_time, strategies=(builtin("early-warning"),), reps=2,
                           seed=1, staff=(1, 2), officer_cost_cny_per_month=0.0)
    assert given.officer_cost_cny_per_month == 0.0  # a cost the manager gives is kept


# --- a real study and its report ---------------------------------------------------------


@pytest.fixture(scope="module")
def outcome(case):
    req = lab.LabRequest(scenario=case, strategies=(
        builtin("early-warning"), lab.parse_strategies(["scenarios/rules/tuned.yaml"])[0]),
        reps=3, seed=7, staff=(1, 2))
    return lab.run_lab(req)


def test_figures_json_has_means_intervals_and_paired_differences(outcome):
    out = lab.figures_json(outcome)
    assert out["champion"] == "early-warning"
    assert set(out["strategies"]) == {"early-warning", "tuned", "late-collection", "oracle"}
    for fig in lab.KEY_FIGURES:
        s = out["strategies"]["tuned"][fig]
        assert s["lo"] <= s["mean"] <= s["hi"]
        assert s["n"] == 3  # the index too: taken on the futures' mean losses
        assert out["paired"]["tuned"][fig]["verdict"] in {
            "better", "worse", "within_noise", "same", "unknown"}
    assert out["strategies"]["oracle"]["reference"] is True
    assert [r["officers"] for r in out["staffing"]["rows"]] == [1, 2]
    # the parts of net value are there too, so a script can tell where it comes from
    tuned = out["strategies"]["tuned"]
    for fig in ("interest_cny", "funding_cny", "cost_cny", "saves", "npl_ratio_peak"):
        assert set(tuned[fig]) == {"mean", "lo", "hi", "n"}
    assert tuned["net_value_cny"]["mean"] == pytest.approx(
        tuned["interest_cny"]["mean"] - tuned["funding_cny"]["mean"]
        - tuned["loss_cny"]["mean"] - tuned["cost_cny"]["mean"])


def test_the_report_reproduces_its_figures_and_works_offline(outcome):
    page = report_html(outcome, "en", "bianque compare lab.yaml --strategies ...")
    inputs = read_block(page, INPUTS_ID)
    again = lab.run_lab(request_from_inputs(inputs))
    assert lab.figures_json(again) == read_block(page, FIGURES_ID)
    assert inputs["versions"]["numpy"] == np.__version__
    assert inputs["content_hash"] == outcome.request.scenario.content_hash()
    # no script, style or image is fetched from anywhere: the libraries are inline
    markup = re.sub(r"<script[^>]*>.*?</script>", "<script></script>", page, flags=re.S)
    assert markup.count("<script></script>") >= 3  # the libraries, the charts, the inputs
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", markup)
    assert "vegaEmbed('#chart-staffing'" in page and "vegaEmbed('#chart-frontier'" in page
    # the charts in the page's order; the command that made it, under its heading
    at = [page.index(f"id='chart-{k}'") for k in ("loss", "frontier", "npl_fan",
                                                  "provisions_fan", "staffing")]
    assert at == sorted(at)
    assert "bianque compare lab.yaml" in page
    assert "<p>Or run this report" in page  # after the command, as its alternative
    # the table beside the chart says the same mean loss as the figures
    tuned_loss = lab.figures_json(outcome)["strategies"]["tuned"]["loss_cny"]["mean"]
    assert lab.fmt_figure("loss_cny", tuned_loss, "en") in page


def test_the_report_in_chinese(outcome):
    page = report_html(outcome, "zh")
    assert t("lab.report.command", "zh") not in page  # made in the app: no command to show
    # ... so the way to run it again is not an alternative ("或直接…" followed nothing)
    assert t("lab.report.replay_only", "zh") in page and t("lab.report.replay", "zh") not in page
    assert t("lab.report.replay", "en").startswith("Or ")
    assert not t("lab.report.replay_only", "en").startswith("Or ")
    assert "策略实验室报告" in page and "配对差异" in page
    assert "<th>客户经理人数</th>" in page and "明显" in page or "波动" in page
    assert "与基准策略（早期预警）的配对差异" in page  # the champion by its name, not its id
    assert "资产保全团队" in page  # what the staff hours count
    assert "<th>软件包</th>" in page and "<th>package</th>" not in page
    # a narrow cell breaks between words: "37.0 万" / "元" was seen in Chromium
    assert "td, td * {word-break: keep-all" in page


def test_intervals_in_the_tables_read_as_words_not_a_dash(outcome):
    # "-CNY 2,455k – -CNY 1,231k" read as a subtraction: the tables say "to" / "至"
    for lang, word in (("en", " to "), ("zh", " 至 ")):
        paired = paired_display(outcome, lang)
        intervals = paired.iloc[:, 3].tolist() + strategies_display(outcome, lang).iloc[:, 1].tolist()
        assert intervals and all(word in x and " – " not in x for x in intervals)
    # a figure no future defines (here: a book the case's policy never held to a check)
    # is a dash, alone
    figures = {k: dict(v) for k, v in outcome.study.figures.items()}
    figures["late-collection"]["policy_compliance"] = np.full(3, np.nan)
    blank = replace(outcome, study=replace(outcome.study, figures=figures))
    zh = strategies_display(blank, "zh").set_index("策略")
    assert zh.loc["逾期后催收 *", "贷后检查制度执行率"] == "—"  # a reference run the study added


def test_compliance_is_held_to_the_case_policy_not_the_officer_own(outcome):
    """Late collection books no routine check, so against its own (empty) policy it has
    no compliance at all; against the bank's rules it falls far behind the officer who
    checks, and one officer keeps fewer checks up to the rules than two."""
    f = outcome.study.figures
    late, ew = f["late-collection"]["policy_compliance"], f["early-warning"]["policy_compliance"]
    assert np.isnan(f["late-collection"]["compliance"]).all()
    assert np.isfinite(late).all() and (late < ew).all()
    sweep = lab.staffing_table(outcome)
    assert list(sweep["officers"]) == [1, 2]
    assert sweep["compliance"].iloc[0] < sweep["compliance"].iloc[1] <= 1.0
    en = strategies_display(outcome, "en")
    assert "checks up to the case's policy" in en.columns


def test_the_report_says_what_staff_hours_count(outcome):
    page = report_html(outcome, "en")
    assert "Paired differences against the champion (Early warning)" in page
    assert "asset-preservation team" in page


def test_the_loss_chart_keeps_a_band_per_strategy_with_its_name(case):
    """Streamlit fits a chart without its own autosize into its height, axes and title
    included; the loss chart sizes its plot itself, a band of 40 px per strategy, named
    in the page's language."""
    from training.lab_charts import loss_distribution, with_names

    res = made_up(case, {"early-warning": [8, 11, 9, 10], "do-nothing": [10, 12, 9, 14],
                         "late-collection": [9, 12, 10, 11], "oracle": [1, 2, 1, 2]})
    spec = loss_distribution(with_names(lab.loss_frame(res), "zh"), "zh").to_dict()
    assert spec["autosize"]["type"] == "fit-x"
    assert spec["height"] >= 40 * 4
    assert "早期预警" in str(spec["datasets"]) and "全知（完全信息）" in str(spec["datasets"])



@pytest.mark.parametrize("lang, unit, scale", [("zh", "(万元)", 1e4), ("en", "(CNY k)", 1e3)])
def test_the_charts_show_money_in_the_unit_of_the_tables(case, lang, unit, scale):
    """Money has one unit per language across the app (万元, CNY thousands): the lab's charts
    drew raw yuan as "4M", beside tables in 万元."""
    import pandas as pd

    from training.lab_charts import fan, frontier, loss_distribution, staffing, with_names

    losses = {"early-warning": [8e6, 11e6, 9e6, 10e6], "late-collection": [9e6, 12e6, 10e6, 11e6],
              "oracle": [1e6, 2e6, 1e6, 2e6]}
    res = made_up(case, losses)
    charts = {"loss": loss_distribution(with_names(lab.loss_frame(res), lang), lang),
              "frontier": frontier(with_names(lab.frontier_frame(res), lang), lang),
              "provisions": fan(with_names(lab.fan_frame(res, "provisions_cny"), lang),
                                "provisions_cny", lang),
              "staffing": staffing(pd.DataFrame({
                  "officers": [1, 2], "strategy": ["x", "x"], "loss_cny": [9e6, 8e6],
                  "loss_lo": [8e6, 7e6], "loss_hi": [1e7, 9e6], "compliance": [0.5, 0.9],
                  "compliance_lo": [0.4, 0.8], "compliance_hi": [0.6, 1.0],
                  "net_after_staff_cny": [1e6, 2e6]}), 2, lang)}
    for name, chart in charts.items():
        spec = str(chart.to_dict())
        assert unit in spec, name
        assert "~s" not in spec and "(CNY)" not in spec, name
    rows = next(iter(charts["loss"].to_dict()["datasets"].values()))
    ew = sorted(r["loss_cny"] for r in rows if r["strategy"] == lab.strategy_label(
        "early-warning", lang))
    assert ew == pytest.approx([v / scale for v in sorted(losses["early-warning"])])

@pytest.mark.parametrize("lang, on, off, bound", [
    ("en", "on the frontier", "inside the frontier", "perfect information: a bound, not a policy"),
    ("zh", "位于有效前沿", "在前沿之内", "完全信息：上限参照，并非可执行的策略")])
def test_the_frontier_chart_says_in_words_which_strategies_are_efficient(case, lang, on, off,
                                                                         bound):
    """The legend of the frontier reads in the page's language (not true/false), and
    every strategy is named beside its point. The oracle, never on the frontier, is a
    bound of its own shape: a circle said "inside the frontier" of a point above it."""
    from training.lab_charts import frontier, with_names

    res = made_up(case, {"early-warning": [8, 11, 9, 10], "do-nothing": [10, 12, 9, 14],
                         "late-collection": [9, 12, 10, 11], "oracle": [1, 2, 1, 2]})
    frame = lab.frontier_frame(res)
    spec = frontier(with_names(frame, lang), lang).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert {r["frontier"] for r in rows} == {on, off, bound}
    assert {r["frontier"] for r in rows if r["strategy"] == lab.strategy_label("oracle", lang)} \
        == {bound}  # the oracle is never on the frontier
    shape = next(layer["encoding"]["shape"] for layer in spec["layer"]
                 if "shape" in layer.get("encoding", {}))
    assert shape["scale"]["domain"] == [on, off, bound]
    assert shape["scale"]["range"] == ["square", "circle", "diamond"]
    # each strategy named once (where: see the test of the names' places below)
    assert sorted(_label_boxes(spec)) == sorted(r["strategy"] for r in rows)


def test_every_chart_gives_a_strategy_the_same_colour_in_both_languages(case):
    """The fans were coloured by the sort order of the strategies' names, which differs
    between Chinese and English: early warning was blue in one and red in the other."""
    from training.lab_charts import fan, frontier, loss_distribution, with_names

    res = made_up(case, {"early-warning": [8, 11, 9, 10], "do-nothing": [10, 12, 9, 14],
                         "late-collection": [9, 12, 10, 11], "oracle": [1, 2, 1, 2]})

    def scales(spec):
        found = []

        def walk(node):
            if isinstance(node, dict):
                colour = node.get("color")
                if isinstance(colour, dict) and "scale" in colour:
                    found.append(colour["scale"])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(spec)
        return found

    colour_of = {}
    for lang in ("en", "zh"):
        id_of = {lab.strategy_label(k, lang): k
                 for k in ("early-warning", "do-nothing", "late-collection", "oracle")}
        charts = [loss_distribution(with_names(lab.loss_frame(res), lang), lang),
                  fan(with_names(lab.fan_frame(res, "npl_ratio"), lang), "npl_ratio", lang),
                  frontier(with_names(lab.frontier_frame(res), lang), lang)]
        for chart in charts:
            found = scales(chart.to_dict())
            assert found, "every chart colours its strategies through one scale"
            for scale in found:
                ids = [id_of[name] for name in scale["domain"]]
                colour_of.setdefault(lang, []).append(dict(zip(ids, scale["range"],
                                                               strict=True)))
    first = colour_of["en"][0]
    assert all(c == first for lang in colour_of for c in colour_of[lang])


def _small_sweep(case, officer_cost: float) -> lab.LabOutcome:
    """An early-warning sweep of 3, 4 and 5 officers over three made-up futures, each added
    officer 10k more net value, at `officer_cost` a month."""
    spec = StudySpec(scenario=case, strategies=(builtin("early-warning"),), reps=3, seed=1)
    req = lab.LabRequest(scenario=case, strategies=spec.strategies, reps=3, seed=1,
                         staff=(3, 4, 5), officer_cost_cny_per_month=officer_cost)
    sweep = []
    for k in (3, 4, 5):
        r = made_up(case, {"early-warning": [1.0, 2.0, 3.0]},
                    net_value_cny={"early-warning": [1e6 + 1e4 * k] * 3},
                    compliance={"early-warning": [1] * 3})
        r.spec = StudySpec(scenario=case, strategies=spec.strategies, reps=3, seed=1,
                           officers=k, references=False)
        sweep.append(r)
    return lab.LabOutcome(request=req, study=sweep[0], sweep=sweep)


@pytest.mark.parametrize("lang, words", [("en", "even the first added officer"),
                                         ("zh", "再增加一人已不划算")])
def test_a_sweep_whose_first_step_does_not_pay_says_to_try_fewer_officers(case, lang, words):
    """When the smallest count of the range is already the best, the manager is told that
    fewer officers may do and how to sweep for it, not only that another stops paying."""
    from training.lab_report import stop_paying_text

    # each officer adds 10k of net value and costs 120k over the case
    out = _small_sweep(case, officer_cost=20_000)
    assert lab.stop_paying_point(lab.staffing_table(out)) == 3
    text = stop_paying_text(out, lang)
    assert words in text and "1..3" in text


def test_the_sweep_says_the_officer_cost_as_typed_and_hours_with_one_decimal(case):
    """The app's Chinese sweep said an officer's 6,300 yuan a month as "0.6 万元"; the
    verdicts said "-4,297 h" beside "-4,262.1 h"."""
    from training.lab_report import stop_paying_text

    out = _small_sweep(case, officer_cost=6_300)
    assert "0.63\u00a0万元" in stop_paying_text(out, "zh")
    assert "CNY\u00a06.3k" in stop_paying_text(out, "en")
    assert lab.fmt_figure("hours", -4297.04, "en", difference=True).endswith("-4,297.0\xa0h")
    assert lab.fmt_figure("hours", -463.0, "zh").startswith("-463.0")


def test_the_sweep_says_from_how_many_officers_checks_keep_up_with_the_case_policy():
    """The money says when another officer stops paying; the sentence after it says from
    which count the checks keep up with the bank's rules, counting only a count beyond
    which no larger one falls back below the bar."""
    import pandas as pd

    from training.lab_report import keeps_up_text

    def table(shares):
        return pd.DataFrame({"officers": range(1, len(shares) + 1), "compliance": shares})

    assert lab.keeps_up_from(table([0.6, 0.96, 0.93, 0.97, 0.99])) == 4
    assert lab.keeps_up_from(table([0.6, 0.8])) is None
    assert "from 2 officers" in keeps_up_text(table([0.7, 0.95]), "en")
    assert "from 1 officer." in keeps_up_text(table([0.95, 0.97]), "en")  # not '1 officers'
    never = keeps_up_text(table([0.5, 0.8]), "zh")
    assert "2 人时只有 80.0%" in never and "95%" in never
    assert keeps_up_text(table([np.nan, np.nan]), "en") == ""  # the policy asks no check


def test_the_lab_says_which_strategies_had_actions_refused_for_lack_of_hours(case):
    """A rule table whose checks take the month's hours first decides actions nobody has the
    hours for: the lab counts them and says so, naming the strategy; none refused, no note."""
    from training.lab_report import refused_text

    zero = {"early-warning": [0, 0], "do-nothing": [0, 0], "late-collection": [0, 0],
            "oracle": [0, 0]}
    res = made_up(case, {k: [1.0, 2.0] for k in zero}, refused_for_hours=zero)
    out = lab.LabOutcome(request=None, study=res)
    assert refused_text(out, "en") is None
    some = dict(zero, **{"do-nothing": [30, 44]})
    res = made_up(case, {k: [1.0, 2.0] for k in zero}, refused_for_hours=some)
    out = lab.LabOutcome(request=None, study=res)
    en, zh = refused_text(out, "en"), refused_text(out, "zh")
    starved = {lang: lab.strategy_label("do-nothing", lang) for lang in ("en", "zh")}
    assert f"{starved['en']} 37.0" in en and "slip" in en
    assert lab.strategy_label("early-warning", "en") not in en
    assert f"{starved['zh']} 37.0 项" in zh and "顺延" in zh


def test_a_rule_table_starved_of_hours_has_its_actions_counted_as_refused():
    """Checks every month on the intro book overbook the team: the rushed checks take all
    the hours and every action the table decides is refused; letting the checks slip gives
    the actions hours. The brief a study keeps counts the same as the full result."""
    from sim.engine import Simulation
    from sim.results import RunBrief
    from sim.scenario import load_scenario
    from sim.strategies import make_strategy

    intro = load_scenario("scenarios/intro.yaml")
    counts = {}
    for name in ("monthly_all", "monthly_all_slip"):
        rules = load_rules(f"scenarios/rules/{name}.yaml")
        full = Simulation(intro, seed=3, decider=make_strategy("rules", rules=rules).decide).run()
        brief = Simulation(intro, seed=3, decider=make_strategy("rules", rules=rules).decide,
                           warnings=False).run_brief()
        assert brief.refused_for_hours == full.refused_for_hours == \
            RunBrief.from_result(full).refused_for_hours
        counts[name] = full.refused_for_hours
    assert counts["monthly_all"] > 10 and counts["monthly_all_slip"] < counts["monthly_all"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_staffing_compliance_axis_reads_in_whole_percents_up_to_100(lang):
    """A sweep whose checks all keep up (99.6% to 100%) drew its compliance axis as 99.6%,
    99.7%, 99.7%, 99.8%... (labels repeated, a 0.4-point gap blown up to the panel's
    height), and its tooltip printed the share as 1.0: the axis now runs from 90% (lower
    when a figure is lower) to 100% in whole percents, and the tooltip shows a percent."""
    import pandas as pd

    from training.lab_charts import staffing

    def compliance_layers(lo):
        frame = pd.DataFrame({
            "officers": [1, 2, 3], "strategy": ["x"] * 3, "loss_cny": [9e6, 8e6, 8e6],
            "loss_lo": [8e6, 7e6, 7e6], "loss_hi": [1e7, 9e6, 9e6],
            "compliance": [0.998, 1.0, 1.0], "compliance_lo": [lo, 1.0, 1.0],
            "compliance_hi": [1.0, 1.0, 1.0], "net_after_staff_cny": [1e6, 2e6, 3e6]})
        panel = staffing(frame, 1, lang).to_dict()["hconcat"][1]
        return [layer for layer in panel["layer"] if layer["encoding"].get("y")]

    for lo, floor in ((0.996, 0.9), (0.53, 0.5)):
        layers = compliance_layers(lo)
        assert len(layers) == 2  # the interval and the line
        for layer in layers:
            assert layer["encoding"]["y"]["scale"]["domain"] == [floor, 1.0]
        line = next(layer for layer in layers if "tooltip" in layer["encoding"])
        axis = line["encoding"]["y"]["axis"]
        assert axis["format"] == ".0%" and axis["tickMinStep"] >= 0.01
        tip = next(x for x in line["encoding"]["tooltip"] if x["field"] == "compliance")
        assert tip["format"].endswith("%")


def test_the_frontier_is_tall_enough_for_both_its_legends(case):
    """With six strategies the frontier's legends (one row per strategy, then the
    frontier's square and circle) ran below the plot and the page cut the frontier's
    legend off: the plot grows with the strategies it names."""
    from training.lab_charts import LEGEND_EXTRA_ROWS, LEGEND_ROW_PX, frontier, with_names

    few = {"early-warning": [8, 11, 9, 10], "late-collection": [9, 12, 10, 11],
           "oracle": [1, 2, 1, 2]}
    many = {**few, "do-nothing": [10, 12, 9, 14]}
    small = frontier(with_names(lab.frontier_frame(made_up(case, few)), "en"), "en").to_dict()
    res = made_up(case, many)
    frame = lab.frontier_frame(res)
    for k in range(3):  # three more strategies: seven in all
        frame = pd.concat([frame, frame.iloc[[0]].assign(strategy=f"table-{k}")],
                          ignore_index=True)
    big = frontier(with_names(frame, "en"), "en").to_dict()
    assert big["height"] >= LEGEND_ROW_PX * (len(frame) + LEGEND_EXTRA_ROWS)
    assert big["height"] > small["height"]


def test_an_uploaded_table_with_an_unknown_action_is_refused_in_the_readers_language():
    """The Chinese page named the row and column in Chinese, then said "unknown action
    'restructur'; use one of..." in English: the check now says it in both languages."""
    from sim.strategies import RulesError

    text = b"name: x\nrules:\n  - when: {min_alerts: 2}\n    do: [restructur]\n"
    with pytest.raises(RulesError) as err:
        lab.rules_from_upload("bad.yaml", text)
    zh = lab.form_problems(err.value, "zh")
    assert "未知措施 'restructur'" in zh and "'restructure'" in zh and "unknown" not in zh
    en = lab.form_problems(err.value, "en")
    assert "unknown action 'restructur'" in en and "did you mean 'restructure'" in en


@pytest.mark.parametrize("lang, points", [("en", " pp"), ("zh", " 个百分点")])
def test_a_difference_in_the_index_is_in_percentage_points(case, lang, points):
    """The index is a share of the avoidable loss, so the difference of two indexes is in
    percentage points: "index -84.0% against the champion" read as a cut of 84% of its
    index. The levels in the strategies table stay in percent."""
    res = made_up(case, {"early-warning": [8, 11, 9, 10], "do-nothing": [10, 12, 9, 14],
                         "late-collection": [9, 12, 10, 11], "oracle": [1, 2, 1, 2]})
    df = lab.paired_table(res).reset_index(drop=True)
    row = df[(df["strategy"] == "do-nothing") & (df["figure"] == "index")].iloc[0]
    diff = lab.fmt_figure("index", row["mean"], lang, signed=True, difference=True)
    assert diff.endswith(points) and "%" not in diff
    text = lab.verdict_text(row, lang)
    assert diff in text and text.count(points) == 3  # the difference and both ends
    out = lab.LabOutcome(request=lab.LabRequest(scenario=case, strategies=res.spec.strategies,
                                                reps=4, seed=1), study=res)
    shown = paired_display(out, lang)
    index_rows = shown[shown.iloc[:, 1] == t("lab.figure.index", lang)]
    assert all(v.endswith(points) for v in index_rows.iloc[:, 2])
    assert all(v.count(points) == 2 for v in index_rows.iloc[:, 3])
    levels = strategies_display(out, lang)
    assert all("%" in v and points not in v for v in levels[t("lab.figure.index", lang)])


@pytest.mark.parametrize("lang, words", [("en", "once the team has 1 officer ("),
                                         ("zh", "客户经理超过 1 人后")])
def test_the_point_where_another_officer_stops_paying_names_officers(case, lang, words):
    """A sweep from one officer whose first step does not pay said "another officer
    stops paying once the team has 1 (an officer's 80 post-loan hours cost ...)": 1 what?
    The sentence names the officers, one or many."""
    from training.lab_report import stop_paying_text

    strategies = (builtin("early-warning"),)
    req = lab.LabRequest(scenario=case, strategies=strategies, reps=3, seed=1,
                         staff=(1, 2, 3), officer_cost_cny_per_month=20_000)
    sweep = []
    for k in (1, 2, 3):  # each officer adds 10k of net value and costs 120k over the case
        r = made_up(case, {"early-warning": [1.0, 2.0, 3.0]},
                    net_value_cny={"early-warning": [1e6 + 1e4 * k] * 3})
        r.spec = StudySpec(scenario=case, strategies=strategies, reps=3, seed=1, officers=k,
                           references=False)
        sweep.append(r)
    out = lab.LabOutcome(request=req, study=sweep[0], sweep=sweep)
    assert lab.stop_paying_point(lab.staffing_table(out)) == 1
    assert words in stop_paying_text(out, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_uploaded_case_problem_names_its_field_and_line(lang):
    """The lab listed an uploaded case's problem by its line alone ("line 26: Input should
    be greater than 0"), where `bianque validate` names the field: it now says both."""
    from training import authoring

    text = (Path("tests/badinput/pd_zero.yaml")).read_text(encoding="utf-8")
    problems = authoring.validate_text(text, "pd_zero.yaml").problems
    shown = [lab.case_problem_text(p, lang) for p in problems]
    assert any("segments[0].pd_annual" in s and "26" in s for s in shown)
    broken = authoring.validate_text("a: [", "x.yaml").problems
    assert all("(file)" not in lab.case_problem_text(p, lang) for p in broken)


def test_a_rule_table_named_like_a_built_in_in_either_language_is_told_apart():
    """A table named "Early warning" or "早期预警" was taken as a rule table of its own and
    shown under the built-in's name beside it."""
    assert all(lab.builtin_named(n) for n in ("early-warning", " Early Warning ", "早期预警",
                                              "Oracle (perfect information)", "不做贷后管理"))
    assert not any(lab.builtin_named(n) for n in ("tuned", "early warning plus", "我的规则"))


def test_an_uploaded_tables_file_problems_read_in_the_readers_words():
    """The Chinese page listed "line 2, column 1: ..." and "(file): ..." before the Chinese
    message: the place is now said as a case file's is, and a whole-file problem alone."""
    from sim.strategies import RulesError

    for data, zh, en in ((b"name: x\nname: y\n", "第 2 行：", "line 2: "),
                         (b"", "文件必须是 YAML 映射", "the file must be")):
        with pytest.raises(RulesError) as err:
            lab.rules_from_upload("t.yaml", data)
        said_zh, said_en = lab.form_problems(err.value, "zh"), lab.form_problems(err.value, "en")
        assert said_zh.startswith(zh) and said_en.startswith(en), (said_zh, said_en)
        assert "line" not in said_zh and "(file)" not in said_zh + said_en


@pytest.mark.parametrize("lang, words, wrong", [
    ("en", "But 4 officers give the most net value after staff cost", "best of this range"),
    ("zh", "但本范围内扣除人力成本后净收益最高的是 4 人", "本范围内最优的人数")])
def test_a_first_step_that_does_not_pay_before_one_that_does_names_the_better_team(
        case, lang, words, wrong):
    """Seen in the lab on 3 futures: the step from 2 to 3 officers did not pay, the step
    to 4 paid a lot, and the page said "2 officers is the best of this range" beside a
    table whose net value after staff cost was far higher at 4. The text now names the
    count with the most net value after staff cost and does not call the first the best."""
    from training.lab_report import stop_paying_text

    strategies = (builtin("early-warning"),)
    req = lab.LabRequest(scenario=case, strategies=strategies, reps=3, seed=1,
                         staff=(2, 3, 4), officer_cost_cny_per_month=20_000)
    sweep = []
    # a step costs 20k x the horizon; 2 -> 3 adds 10k (does not pay), 3 -> 4 adds 2m (pays)
    for k, nv in ((2, 1e6), (3, 1.01e6), (4, 3.01e6)):
        r = made_up(case, {"early-warning": [1.0, 2.0, 3.0]},
                    net_value_cny={"early-warning": [nv] * 3})
        r.spec = StudySpec(scenario=case, strategies=strategies, reps=3, seed=1, officers=k,
                           references=False)
        sweep.append(r)
    out = lab.LabOutcome(request=req, study=sweep[0], sweep=sweep)
    table = lab.staffing_table(out)
    assert lab.stop_paying_point(table) == 2  # the rule of the README is unchanged
    text = stop_paying_text(out, lang)
    assert words in text and wrong not in text


def _fan_panels(spec: dict) -> list[list[str]]:
    """The fan chart's grid as drawn: per row, the strategy each panel shows."""
    return [[p["transform"][0]["filter"]["equal"] for p in row["hconcat"]]
            for row in spec["vconcat"]]


@pytest.mark.parametrize("n", range(1, 9))
def test_a_fan_chart_has_a_panel_per_strategy_and_no_empty_one(case, n):
    """Five strategies in a facet of three columns drew an empty sixth panel, bare month
    axes, under the fourth (seen in Chromium on the page and in the report): the grid now
    has as many panels as strategies, each drawing its own, in rows of at most three that
    differ by one at most, the month named under every panel with none below it."""
    from sim.strategies import RuleTable
    from sim.study import from_rules
    from training.lab_charts import FAN_MAX_COLUMNS, fan, with_names

    names = ["early-warning", *[f"table-{k}" for k in range(max(0, n - 3))],
             "late-collection", "oracle"][:n]
    spec = StudySpec(scenario=case, strategies=tuple(
        from_rules(RuleTable(name=k)) if k.startswith("table-") else builtin(k)
        for k in names), reps=4, seed=1, references=False)
    res = StudyResult(spec=spec, seeds=spec.seeds(),
                      figures={k: {f: np.zeros(4) for f in FIGURES} for k in names},
                      series={k: {s: np.zeros((4, 6)) for s in SERIES} for k in names})
    for lang in ("en", "zh"):
        shown = with_names(lab.fan_frame(res, "npl_ratio"), lang)
        spec = fan(shown, "npl_ratio", lang).to_dict()
        grid = _fan_panels(spec)
        assert [s for row in grid for s in row] == list(dict.fromkeys(shown["strategy"]))
        assert len(grid) == -(-n // FAN_MAX_COLUMNS)  # as few rows as fit
        assert all(1 <= len(row) <= FAN_MAX_COLUMNS for row in grid)
        assert max(map(len, grid)) - min(map(len, grid)) <= 1
        month = t("lab.col.month", lang)
        for k, row in enumerate(spec["vconcat"]):
            for i, panel in enumerate(row["hconcat"]):
                below = k + 1 < len(grid) and i < len(grid[k + 1])
                title = panel["layer"][0]["encoding"]["x"].get("title")
                assert (title == month) != below, (n, k, i)


def test_a_strategys_name_is_not_cut_on_the_loss_axis_or_in_a_legend(case):
    """Chromium showed "Oracle (perfect in…" on the loss chart and "Oracle (perfect
    informati…" in the frontier's legend: Vega's default label limits."""
    from training.lab_charts import NAME_LIMIT_PX, frontier, loss_distribution, with_names

    res = made_up(case, {"early-warning": [8, 11, 9, 10], "late-collection": [9, 12, 10, 11],
                         "oracle": [1, 2, 1, 2]})
    loss = json.dumps(loss_distribution(with_names(lab.loss_frame(res), "en"), "en").to_dict())
    front = json.dumps(frontier(with_names(lab.frontier_frame(res), "en"), "en").to_dict())
    assert f'"labelLimit": {NAME_LIMIT_PX}' in loss and f'"labelLimit": {NAME_LIMIT_PX}' in front


def test_a_study_on_new_worker_processes_waits_for_them_to_start(case):
    """The form said about 2 s for a study on local processes that took 13: each new
    worker imports the engine and loads its compiled kernels before its first run (about a
    second, measured). The pool's workers start side by side: the wait counts it once."""
    here = lab.estimated_seconds(case, 4, 10, workers=2)
    pool = lab.estimated_seconds(case, 4, 10, workers=2, pool=True)
    assert pool == pytest.approx(here + lab.WORKER_START_S)
    assert lab.estimated_seconds(case, 4, 10, workers=8, pool=True) > lab.WORKER_START_S


def test_a_study_on_a_busy_machine_is_estimated_longer(case):
    """On a shared 2-core machine at load 8 the form said about 4 s for a study that took
    61 s: the estimate allows for the load now (two workers and 8 others on 2 cores: each
    worker has a fifth of a core), and says so; a quiet machine or one that does not say
    (Windows) is estimated as before."""
    from training.lab_jobs import Where, wait_text

    quiet = lab.estimated_seconds(case, 4, 10, workers=2, pool=True)
    busy = lab.estimated_seconds(case, 4, 10, workers=2, pool=True, load=8.0, cores=2)
    assert busy == pytest.approx(5 * quiet)
    assert lab.estimated_seconds(case, 4, 10, workers=2, pool=True, load=0.0, cores=2) == quiet
    assert lab.estimated_seconds(case, 4, 10, workers=2, pool=True, load=None) == quiet
    assert lab.busy_factor(0.5, 8, 2) == 1.0  # room to spare
    assert lab.machine_load() is None or lab.machine_load() >= 0
    said = wait_text(busy, Where.HERE, "en", load=8.0)
    assert "more if the machine gets busier" in said and "load 8.0" in said, said
    assert "机器更忙时会更久" in wait_text(busy, Where.HERE, "zh", load=8.0)
    assert "more if the machine is busy" in wait_text(quiet, Where.HERE, "en", load=0.0)
    assert "机器繁忙时会更久" in wait_text(quiet, Where.HERE, "zh", load=None)


def _label_boxes(spec: dict) -> dict[str, tuple]:
    """The frontier's names as drawn: each label layer's filter and offsets, per row."""
    from training.lab_charts import LABEL_PLACES

    rows = spec["datasets"][next(iter(spec["datasets"]))]
    placed = {}
    for layer in spec["layer"]:
        if layer.get("mark", {}).get("type") != "text":
            continue
        k = int(re.search(r"datum\.place === (\d+)", layer["transform"][0]["filter"])[1])
        assert (layer["mark"]["dx"], layer["mark"]["dy"], layer["mark"]["align"]) == \
            LABEL_PLACES[k]
        for r in rows:
            if r["place"] == k:
                placed[r["strategy"]] = k
    return placed


PAGE_COLUMN_AT_1024_PX = 564
"""The lab page's column in Chromium at a 1,024 px window with the sidebar open."""


@pytest.mark.parametrize("drawn", ["report", "page"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_frontier_names_stand_clear_of_each_other_the_points_and_the_line(case, lang,
                                                                             drawn):
    """qaK and earlier reviews: "Early warning" sat on the frontier line, and two tables
    with close figures printed their names over each other. Here late collection starts
    the frontier at the origin, two tables sit almost on one point and early warning is
    beside them: every name is drawn once, inside the plot, and no name's box meets
    another's, a point or the frontier line; in the report and as the page draws it
    (a narrower plot with its legends under it: beside it, at 824 px in all, they were
    cut off by a page below about 1,300 px)."""
    from training.lab_charts import (
        LABEL_FONT_PX,
        LABEL_PLACES,
        POINT_SIZE,
        WIDTH,
        _crossing,
        _overlap,
        frontier,
        text_width_px,
        with_names,
    )

    frame = pd.DataFrame({
        "strategy": ["early-warning", "late-collection", "tuned", "branch-rules", "oracle"],
        "reference": [False, False, False, False, True],
        "hours": [3515.0, 407.0, 3540.0, 3349.0, 3310.0],
        "loss_avoided_cny": [1.53e6, 0.0, 3.1e5, 1.50e6, 4.33e6],
        "lo": [1.27e6, 0.0, 1.7e5, 1.06e6, 3.57e6],
        "hi": [1.81e6, 0.0, 4.6e5, 1.94e6, 5.09e6]})
    frame["efficient"] = [True, True, False, True, False]
    from training.lab_charts import PAGE_FRONTIER, PAGE_WIDTH

    named = with_names(frame, lang)
    drawing = PAGE_FRONTIER if drawn == "page" else {}
    spec = frontier(named, lang, **drawing).to_dict()
    # the plot is drawn as wide as the names were placed for: on the page (not stretched
    # to it, nor squeezed with its legends into its box) and in the report
    WIDTH = drawing.get("width", WIDTH)  # noqa: N806 - the width the names were placed for
    assert spec["width"] == WIDTH and spec["autosize"] == {"type": "pad"}
    assert PAGE_WIDTH["frontier"] == "content"
    if drawn == "page":  # legends under the plot; the plot and its y axis (90 px) fit
        assert spec["config"]["legend"]["orient"] == "bottom"
        assert WIDTH + 90 <= PAGE_COLUMN_AT_1024_PX
    else:  # legends beside the plot (their labels' limit only: see the test below)
        assert "orient" not in spec.get("config", {}).get("legend", {})
    placed = _label_boxes(spec)
    assert sorted(placed) == sorted(named["strategy"])  # every strategy named, once
    xs, ys = spec["layer"][0]["encoding"]["x"]["scale"]["domain"], \
        spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    height = spec["height"]
    scale = 1e4 if lang == "zh" else 1e3  # the chart's money unit: 万元 or CNY k

    def px(h, a):
        return ((h - xs[0]) / (xs[1] - xs[0]) * WIDTH,
                height - (a / scale - ys[0]) / (ys[1] - ys[0]) * height)

    points = {r["strategy"]: px(r["hours"], r["loss_avoided_cny"]) for r in named.to_dict("records")}
    boxes = {}
    for name, k in placed.items():
        (x, y), (dx, dy, align) = points[name], LABEL_PLACES[k]
        w = text_width_px(name)
        x0 = x + dx - (w if align == "right" else w / 2 if align == "center" else 0)
        boxes[name] = (x0, y + dy - LABEL_FONT_PX / 2, x0 + w, y + dy + LABEL_FONT_PX / 2)
    chain = [points[s] for s in named.sort_values("hours")["strategy"][
        named.sort_values("hours")["efficient"]]]
    for name, b in boxes.items():
        assert b[0] >= 0 and b[2] <= WIDTH and b[1] >= 0 and b[3] <= height, name
        assert not any(_overlap(b, o) for n, o in boxes.items() if n != name), name
        r = math.sqrt(POINT_SIZE) / 2  # a point as drawn (its area in px²)
        assert not any(_overlap(b, (x - r, y - r, x + r, y + r)) for x, y in points.values()), name
        assert not any(_crossing(b, (*chain[i], *chain[i + 1])) for i in range(len(chain) - 1)), name


def test_a_frontier_hours_axis_says_its_unit():
    assert t("lab.chart.hours_axis", "en").endswith("(h)")
    assert t("lab.chart.hours_axis", "zh").endswith("(小时)")


@pytest.mark.parametrize("lang, words", [("en", ("not an error", "lost less than the oracle")),
                                         ("zh", ("并非出错", "全知策略"))])
def test_an_index_above_100_percent_is_explained_not_cut(case, lang, words):
    """With few futures a strategy can lose less than the oracle: its index reads above
    100%. The figure stays as it is, and the page and the report say in words what it
    means; a study where no index goes past 100% says nothing."""
    from training.lab_report import index_note

    res = made_up(case, {"early-warning": [3, 4, 3, 5], "late-collection": [10, 12, 9, 11],
                         "oracle": [4, 5, 4, 5]})
    outcome = lab.LabOutcome(request=lab.LabRequest(scenario=case, strategies=(
        builtin("early-warning"),), reps=4, seed=1), study=res)
    index = lab.strategy_table(res, ("index",)).set_index("strategy").loc["early-warning"]
    assert index["mean"] > 1  # the study's own figure, above 100%
    note = index_note(outcome, lang)
    shown = lab.fmt_figure("index", index["mean"], lang)
    assert all(w in note for w in words) and shown in note and "4" in note
    assert shown in strategies_display(outcome, lang).iloc[0].to_string()  # not cut to 100%
    page = report_html(outcome, lang)
    assert note in page.replace("&#x27;", "'")
    from training.cli import _compare_text

    assert note in _compare_text(outcome, lang)  # and the command line, as the page
    ordinary = made_up(case, {"early-warning": [7, 8, 7, 8], "late-collection": [10, 12, 9, 11],
                              "oracle": [4, 5, 4, 5]})
    assert index_note(replace(outcome, study=ordinary), lang) is None


def test_a_table_with_the_rules_of_another_is_found_whatever_its_name():
    """The editor starts from tuned.yaml: run as it opened, "my-rules" ran beside "tuned"
    with the same figures under two names, and nothing said so. A table that repeats a
    chosen one's rules is left out (the first chosen stays); one that repeats a shipped
    table not chosen runs and is said to; a changed figure makes a policy of its own."""
    from dataclasses import replace as copy_with

    from training.lab_form import TableForm

    rules = Path(__file__).resolve().parents[1] / "scenarios" / "rules"
    shipped = {p.stem.replace("_", "-"): load_rules(p) for p in rules.glob("*.yaml")}
    assert set(shipped) == {load_rules(p).name for p in rules.glob("*.yaml")}
    form = TableForm.of(shipped["tuned"])
    edited = form.check()  # the editor's table as it opens, named "my-rules"
    assert edited.name != "tuned"
    found = lab.same_rules([("early-warning", None), ("tuned", shipped["tuned"]),
                            ("__edited__", edited)], shipped)
    assert found == [lab.SameRules("__edited__", "tuned", chosen=True)]
    found = lab.same_rules([("early-warning", None), ("__edited__", edited)], shipped)
    assert found == [lab.SameRules("__edited__", "tuned", chosen=False)]
    # an uploaded copy of the edited table: the later of the two is left out
    found = lab.same_rules([("__edited__", edited), ("upload:mine.yaml", edited)], shipped)
    assert found == [lab.SameRules("__edited__", "tuned", chosen=False),
                     lab.SameRules("upload:mine.yaml", "__edited__", chosen=True)]
    changed = copy_with(form, intervals={**form.intervals, "normal": 1}).check()
    assert lab.same_rules([("tuned", shipped["tuned"]), ("__edited__", changed)], shipped) == []
    # the shipped tables themselves differ, and a built-in is never a table's twin
    assert lab.same_rules(list(shipped.items()), shipped) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_money_is_written_one_way_in_the_lab_tables_sentences_and_report(case, lang):
    """The no-break space between a figure and its unit came from the staffing table's own
    fix-up, so the strategies table, the verdicts and the sentences broke "790.8" / "万元"
    in a narrow cell. Every money figure the lab writes is units.money's, the report's the
    page's (the dashboard: tests/classroom/test_app_classroom.py)."""
    from training import units
    from training.lab_report import staffing_display, stop_paying_text

    out = _small_sweep(case, 6_300.0)
    out.study = made_up(case, {"early-warning": [7.908e6, 8e6, 9e6],  # with its references
                               "late-collection": [9e6, 1e7, 1.1e7], "oracle": [1e6] * 3})
    table = lab.staffing_table(out)
    want = [units.money(v, lang) for v in table["loss_cny"]]
    assert all(units.NBSP in w and " " not in w for w in want)
    shown = staffing_display(out, lang)  # the page draws this frame; the report renders it
    assert list(shown[t("lab.col.loss", lang)]) == want
    page = report_html(out, lang)
    assert all(w in page for w in want)
    mean = lab.strategy_table(out.study).set_index(["strategy", "figure"]).loc[
        ("early-warning", "loss_cny"), "mean"]
    assert units.money(mean, lang) in strategies_display(out, lang).iloc[0].to_string()
    cost = units.money_as_typed(6_300.0, lang)
    assert units.NBSP in cost and cost in stop_paying_text(out, lang) and cost in page


def test_the_pages_staffing_panels_fit_a_1024_px_window():
    """Three staffing panels in a row were 870 px: at a 1,024 px window (a column of 564
    px) the third, net value after staff cost, was cut off. The page draws each panel as a
    chart of its own at its column's width (no fixed width, autosize fit-x); the report
    keeps its row of three, 200 px each."""
    from training.lab_charts import STAFF_PANEL_WIDTH, staffing, staffing_panels, with_names

    frame = pd.DataFrame({"strategy": ["early-warning"] * 3, "officers": [1, 2, 3],
                          "loss_cny": [3e6, 2e6, 1.8e6], "loss_lo": [2.5e6, 1.6e6, 1.5e6],
                          "loss_hi": [3.5e6, 2.4e6, 2.1e6], "compliance": [0.7, 0.9, 1.0],
                          "compliance_lo": [0.6, 0.85, 0.98], "compliance_hi": [0.8, 0.95, 1.0],
                          "net_after_staff_cny": [-1e5, 2e5, 1e5]})
    named = with_names(frame, "en")
    title, panels = staffing_panels(named, 2, "en")
    assert "early" in title.lower() and len(panels) == 3
    for panel in panels:
        spec = panel.to_dict()
        assert "width" not in spec and spec["autosize"]["type"] == "fit-x"
    report = staffing(named, 2, "en").to_dict()
    assert [p["width"] for p in report["hconcat"]] == [STAFF_PANEL_WIDTH] * 3


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_net_after_staff_panel_shows_its_intervals_from_zero(case, lang):
    """The net-after-staff-cost panel drew each officer count's mean alone on an axis from
    about its lowest mean (6,650 in a sweep seen in the browser): a dip of a few percent,
    within noise, filled the panel and read as a cliff. Each count now has the 95% interval
    of its net after staff cost over the futures (the staffing table's, computed as the
    loss's), drawn as the loss panel draws its own, on an axis that takes in zero; the
    page's panel and the report's alike."""
    from sim.intervals import mean_interval
    from training import units
    from training.lab_charts import staffing, staffing_panels, with_names

    out = _small_sweep(case, 6_300.0)
    # the fifth officer's futures: net value a little lower on average, within noise
    nets = {3: [6.9e6, 7.3e6, 6.5e6], 4: [7.0e6, 7.5e6, 6.6e6], 5: [6.6e6, 7.6e6, 6.5e6]}
    for res in out.sweep:
        res.figures["early-warning"]["net_value_cny"] = np.array(nets[res.spec.officers])
    table = lab.staffing_table(out).set_index("officers")
    staff_cost = 6_300.0 * out.request.horizon
    for k, nv in nets.items():
        want = mean_interval(np.array(nv) - k * staff_cost)
        row = table.loc[k]
        assert (row["net_after_staff_lo"], row["net_after_staff_cny"],
                row["net_after_staff_hi"]) == pytest.approx((want.lo, want.mean, want.hi))
        assert row["net_after_staff_lo"] < row["net_after_staff_cny"] < row["net_after_staff_hi"]
    # the dip from 4 to 5 officers is within noise: the step's 'Pays?' says so, and the
    # two counts' intervals overlap on the chart
    assert table.loc[5, "net_after_staff_cny"] < table.loc[4, "net_after_staff_cny"]
    assert table.loc[5, "net_after_staff_hi"] > table.loc[4, "net_after_staff_lo"]
    from training.lab_report import staffing_display

    assert t("lab.verdict_word.within_noise", lang) in staffing_display(out, lang).iloc[2, -1]

    named = with_names(lab.staffing_table(out), lang)
    scale = units.money_unit(lang).scale_cny
    page = staffing_panels(named, 4, lang)[1][2].to_dict()
    report = staffing(named, 4, lang).to_dict()
    for spec, data in ((page, page["datasets"]), (report, report["datasets"])):
        panel = spec if "layer" in spec else spec["hconcat"][2]
        bars = [la for la in panel["layer"] if la["mark"]["type"] == "errorbar"]
        assert len(bars) == 1
        enc = bars[0]["encoding"]
        assert (enc["y"]["field"], enc["y2"]["field"]) == ("net_after_staff_lo",
                                                             "net_after_staff_hi")
        # every layer of the panel on an axis that takes in zero
        for layer in panel["layer"]:
            y = layer["encoding"].get("y")
            if y and y["field"].startswith("net_after_staff"):
                assert y["scale"]["zero"] is True
        rows = [r for rows in data.values() for r in rows if "net_after_staff_lo" in r]
        assert sorted(r["net_after_staff_lo"] for r in rows) == pytest.approx(
            sorted(table["net_after_staff_lo"] / scale))
    out.study = made_up(case, {"early-warning": [7.9e6, 8e6, 9e6],  # with its references
                               "late-collection": [9e6, 1e7, 1.1e7], "oracle": [1e6] * 3})
    assert "net_after_staff_hi" in report_html(out, lang)


@pytest.mark.parametrize("drawn", ["report", "page"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_label_of_the_frontiers_legends_is_drawn_whole(case, lang, drawn):
    """The report's frontier cut its legend's longest label at Vega's default 160 px ("a
    bound, not …", "并非可执行…": seen in Chromium at 1,024 px, en and zh); the page's set
    its own limit. Each legend's limit, on the page and in the report, is wider than every
    label it holds, strategies and the frontier's three kinds alike."""
    from training.lab_charts import PAGE_FRONTIER, frontier, text_width_px, with_names

    res = made_up(case, {"early-warning": [8, 11, 9, 10], "late-collection": [9, 12, 10, 11],
                         "do-nothing": [10, 12, 9, 14], "oracle": [1, 2, 1, 2]})
    frame = with_names(lab.frontier_frame(res), lang)
    spec = frontier(frame, lang, **(PAGE_FRONTIER if drawn == "page" else {})).to_dict()
    kinds = {t(k, lang) for k in ("lab.chart.on_frontier", "lab.chart.off_frontier",
                                  "lab.chart.bound")}
    shown = {r["frontier"] for rows in spec["datasets"].values() for r in rows if "frontier" in r}
    assert shown <= kinds and len(shown) >= 2
    config = spec["config"]["legend"]["labelLimit"]
    legends = {}
    for layer in spec["layer"]:
        for channel, labels in (("color", set(frame["strategy"])), ("shape", kinds)):
            enc = layer["encoding"].get(channel)
            if enc and "legend" in enc:
                legends[channel] = (enc["legend"] or {}).get("labelLimit", config), labels
            elif enc:
                legends.setdefault(channel, (config, labels))
    assert set(legends) == {"color", "shape"}
    for limit, labels in legends.values():
        assert all(text_width_px(x) < limit for x in labels), (limit, labels)
    if drawn == "page":
        assert spec["config"]["legend"]["orient"] == "bottom"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_references_own_index_is_shown_without_an_interval(outcome, lang):
    """Late collection's index is 0 and the oracle's 100% in every future, by definition
    (docs/lab.md); the table read "0.0% [0.0% to 0.0%]" and "100.0% [100.0% to 100.0%]",
    as if measured over the futures. A strategy's own index keeps its interval."""
    shown = strategies_display(outcome, lang).set_index(t("lab.col.strategy", lang))
    index = shown[t("lab.figure.index", lang)]
    late = next(v for k, v in index.items() if k.startswith(lab.strategy_label("late-collection", lang)))
    oracle = next(v for k, v in index.items() if k.startswith(lab.strategy_label("oracle", lang)))
    assert late == lab.fmt_figure("index", 0.0, lang), late
    assert oracle == lab.fmt_figure("index", 1.0, lang), oracle
    own = index[lab.strategy_label("early-warning", lang)]
    assert "[" in own, own


# --- rule tables' titles ----------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(Path("scenarios/rules").glob("*.yaml")))
def test_every_shipped_rule_table_has_a_title_in_both_languages(path):
    """The lab offered the shipped tables by their file's name ("tuned") on the Chinese
    page too; each has a title in Chinese and English, its name staying its identifier."""
    table = load_rules(path)
    assert table.title is not None, path
    for lang in ("zh", "en"):
        shown = lab.strategy_label(table.name, lang, lab.strategy_titles([from_rules(table)]))
        assert shown == table.title.get(lang) and shown != table.name
    assert re.search(r"[\u4e00-\u9fff]", table.title.zh) and table.title.zh != table.title.en
    text = lab.rules_yaml(table)  # downloaded and read back with its title
    assert lab.rules_from_upload(path.name, text.encode("utf-8")).title == table.title


@pytest.fixture(scope="module")
def titled(case):
    tuned = load_rules("scenarios/rules/tuned.yaml")
    mine = load_rules("scenarios/rules/monthly_all.yaml").model_copy(
        update={"name": "my-rules", "title": None})  # as a manager's upload without a title
    req = lab.LabRequest(scenario=case, strategies=(from_rules(mine), from_rules(tuned),
                                                    builtin("early-warning")),
                         reps=2, seed=3, staff=(1, 2), sweep_strategy="tuned")
    return lab.run_lab(req), tuned.title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_charts_and_report_show_a_tables_title_in_the_readers_language(titled, lang):
    """A titled table is shown by its title in the language read, in the headline, the
    tables, every chart and the report; a table without one by its name. Its name stays
    the key of the figures' JSON, which must be unique."""
    from training.lab_charts import all_charts

    out, title = titled
    shown, other = title.get(lang), title.get("en" if lang == "zh" else "zh")
    col = t("lab.col.strategy", lang)
    names = set(strategies_display(out, lang)[col].str.rstrip(" *"))
    assert shown in names and "my-rules" in names and "tuned" not in names, names
    names = set(paired_display(out, lang)[col])  # against the champion, my-rules
    assert shown in names and "tuned" not in names, names
    charts = json.dumps({k: c.to_dict() for k, c in all_charts(out, lang).items()},
                        ensure_ascii=False)
    assert charts.count(shown) >= 4 and '"tuned"' not in charts and other not in charts
    page = report_html(out, lang)
    assert shown in page and "my-rules" in page
    assert set(lab.figures_json(out)["strategies"]) >= {"tuned", "my-rules"}
    verdicts = [lab.verdict_text(r, lang, lab.strategy_titles(out.request.strategies))
                for r in lab.paired_table(out.study).to_dict("records")]
    assert any(shown in v for v in verdicts)


def test_two_tables_shown_under_one_title_are_refused(case):
    """Titles are what a legend tells apart: an upload titled as a shipped table is
    refused as two tables under one name are."""
    tuned = load_rules("scenarios/rules/tuned.yaml")
    twin = load_rules("scenarios/rules/monthly_all.yaml").model_copy(
        update={"title": tuned.title.model_copy(update={"en": "Something else"})})
    with pytest.raises(lab.LabInputError) as err:
        lab.LabRequest(scenario=case, strategies=(from_rules(tuned), from_rules(twin)),
                       reps=2, seed=1)
    assert err.value.key == "lab.page.same_title"
    assert err.value.params["name"] == tuned.title.zh


@pytest.mark.parametrize("lang, zero", [("en", "CNY\u00a00"), ("zh", "0\u00a0元")])
def test_a_loss_interval_floored_at_zero_says_zero_not_a_rounded_amount(case, lang, zero):
    """Seen in Chromium: "CNY 667.9k [CNY 0k to CNY 1,770k]": a loss interval stops at 0,
    and "0k" / "0 万元" reads as a small amount rounded away. Zero is "CNY 0" / "0 元"."""
    assert lab.fmt_figure("loss_cny", 0.0, lang) == zero
    assert lab.fmt_figure("loss_cny", 12_700.0, "en") == "CNY\u00a012.7k"
    assert lab.fmt_figure("loss_cny", -12_700.0, "en", signed=True).endswith("12.7k")
