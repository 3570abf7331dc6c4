"""Tests for sim.strategies and the counterfactual machinery: common random numbers across
strategies, the built-in strategies' reach, and the YAML rule tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.engine import Decision, Observation, Simulation, simulate
from sim.scenario import parse_scenario
from sim.strategies import (
    BUILT_IN,
    NO_CHECKS,
    DoNothing,
    EarlyWarning,
    LateCollection,
    Oracle,
    Rules,
    RulesError,
    RuleTable,
    Strategy,
    load_rules,
    make_strategy,
    parse_rules,
)

# Mutual guarantees, collateral, diversion, an LPR path and a recession: plenty to differ on.
BOOK = """
id: crn
title: {zh: 共同随机数, en: Common random numbers}
briefing: {zh: 共同随机数, en: Common random numbers}
horizon_months: 24
staff: {officers: 3, hours_per_officer_month: 120}
segments:
  - id: secured
    name: {zh: 抵押, en: Secured}
    product: working_capital
    count: 80
    amount: {median_cny: 2000000, sigma: 0.5}
    term_months: 24
    repayment: equal_instalment
    rate: {kind: floating, spread: 0.01, reset_months: 3}
    pd_annual: 0.15
    rho: 0.15
    industry: manufacturing
    region: zhejiang
    collateral: {type: property, ltv: 0.6}
    diversion_share: 0.3
    guarantee: {structure: mutual, share: 0.5, group_size: 3}
  - id: unsecured
    name: {zh: 信用, en: Unsecured}
    product: small_business
    count: 60
    amount: {median_cny: 500000, sigma: 0.5}
    term_months: 18
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.2
    rho: 0.1
    industry: retail
    region: jiangsu
macro:
  - {type: lpr_change, month: 3, delta_bp: 50}
  - {type: lpr_change, month: 9, delta_bp: -25}
  - {type: recession, month: 6, severity: 0.6, duration_months: 6}
"""

# The same without guarantee links: late collection cannot reach a performing loan at all.
UNLINKED = BOOK.replace("guarantee: {structure: mutual, share: 0.5, group_size: 3}",
                        "guarantee: {structure: none}")


@pytest.fixture(scope="module")
def book():
    return parse_scenario(BOOK, "crn.yaml")


@pytest.fixture(scope="module")
def unlinked():
    return parse_scenario(UNLINKED, "unlinked.yaml")


class OnLoanZero(Strategy):
    """Does nothing, except one action on loan 0 at one month."""

    name = "one-action"

    def __init__(self, action: str, month: int):
        super().__init__()
        self.action = action
        self.month = month

    def decide(self, obs: Observation) -> Decision:
        acts = [(0, self.action)] if obs.month == self.month else []
        return Decision(policy=NO_CHECKS, actions=acts)


def downstream(guarantor: np.ndarray, root: int) -> set[int]:
    """Loans whose guarantee chain reaches `root` (they can feel what happens to it)."""
    out = {root}
    changed = True
    while changed:
        changed = False
        for i in np.flatnonzero(np.isin(guarantor, list(out))):
            if int(i) not in out:
                out.add(int(i))
                changed = True
    return out


def run_sim(sc, seed, strategy) -> Simulation:
    st = make_strategy(strategy)
    sim = Simulation(sc, seed=seed, decider=st.decide, oracle=st.needs_hidden)
    sim.run()
    return sim


# ------------------------------------------------------------- common random numbers
@pytest.mark.parametrize("other", ["late-collection", "early-warning", "oracle"])
def test_strategies_face_the_same_world(book, other):
    a = run_sim(book, 11, "do-nothing")
    b = run_sim(book, 11, other)
    ra, rb = a.result(), b.result()
    # the same macro path
    pd.testing.assert_series_equal(ra.metrics["lpr_1y"], rb.metrics["lpr_1y"])
    assert ra.metrics["lpr_1y"].nunique() == 3
    assert a.f_econ == b.f_econ
    np.testing.assert_array_equal(a.f_ind, b.f_ind)
    np.testing.assert_array_equal(a.f_reg, b.f_reg)
    # the same borrowers
    for col in ("amount", "drawn0", "guarantor", "diverter", "collateral_type", "appraised0",
                "condition0", "segment", "gp"):
        np.testing.assert_array_equal(getattr(a.pf, col), getattr(b.pf, col), err_msg=col)
    assert [a.pf.identity(i) for i in range(5)] == [b.pf.identity(i) for i in range(5)]
    # the same idiosyncratic draws: the AR(1) health is the same whatever was decided
    np.testing.assert_array_equal(a.e, b.e)


def test_strategies_face_the_same_world_on_shipped_intro():
    from sim.scenario import SCENARIO_DIR, load_scenario

    path = SCENARIO_DIR / "intro.yaml"
    if not path.exists():
        pytest.skip("scenarios/intro.yaml not written yet")
    sc = load_scenario(path)
    runs = {n: run_sim(sc, 3, n) for n in BUILT_IN}
    e = runs["do-nothing"].e
    for sim in runs.values():
        np.testing.assert_array_equal(sim.e, e)
        np.testing.assert_array_equal(sim.pf.amount, runs["do-nothing"].pf.amount)


def within_horizon(events, horizon: int):
    """The events of the case's months; after them only the standing order acts (sim.tail)."""
    return events[events["month"] <= horizon]


def test_an_action_on_one_loan_changes_nothing_else(book):
    """Accelerating loan 0 at month 2 may change loan 0 and the loans its guarantee chain
    reaches; every other loan must keep exactly the same fate."""
    for seed in (1, 2, 3):
        a = run_sim(book, seed, "do-nothing")
        b = run_sim(book, seed, OnLoanZero("accelerate", 2))
        ev = within_horizon(b.result().events, b.T)
        assert ev[ev["event"].str.startswith("action_")]["loan_id"].tolist() == [0]
        reach = downstream(b.pf.guarantor, 0)
        others = np.array([i for i in range(a.n) if i not in reach])
        np.testing.assert_array_equal(a.default_month[others], b.default_month[others])
        np.testing.assert_array_equal(a.status[others], b.status[others])
        np.testing.assert_array_equal(a.balance[others], b.balance[others])
        np.testing.assert_array_equal(a.interest[others], b.interest[others])
        np.testing.assert_array_equal(a.d[others], b.d[others])
        # and the action did change loan 0 (recalled early: less interest, or pushed to default)
        assert (a.interest[0], a.default_month[0]) != (b.interest[0], b.default_month[0])


def test_add_collateral_on_one_loan_changes_only_its_security(book):
    a = run_sim(book, 4, "do-nothing")
    b = run_sim(book, 4, OnLoanZero("add_collateral", 3))
    ev = within_horizon(b.result().events, b.T)
    acts = ev[ev["event"].str.startswith("action_")]
    assert acts[["month", "loan_id", "event"]].values.tolist() == [[3, 0, "action_add_collateral"]]
    np.testing.assert_array_equal(a.default_month, b.default_month)
    others = np.arange(a.n) != 0
    np.testing.assert_array_equal(a.extra_collateral[others], b.extra_collateral[others])
    np.testing.assert_array_equal(a.relationship[others], b.relationship[others])
    assert b.relationship[0] < a.relationship[0]
    if acts["details"].iloc[0] == "obtained":
        assert b.extra_collateral[0] > 0


def test_late_collection_and_do_nothing_default_alike(book, unlinked):
    """Late collection acts only after default, so it cannot prevent or cause a default."""
    for seed in (1, 2, 3, 4):
        a = simulate(unlinked, seed=seed, strategy="do-nothing").loans
        b = simulate(unlinked, seed=seed, strategy="late-collection").loans
        # no guarantees: the very same default months
        np.testing.assert_array_equal(a["default_month"], b["default_month"])
        c = simulate(book, seed=seed, strategy="do-nothing").loans
        d = simulate(book, seed=seed, strategy="late-collection").loans
        # guarantees: a guarantor cured by collection may default again and hit its chain a
        # second time, so months may shift, but the set of defaulted loans is the same
        assert set(c.index[c["defaulted"]]) == set(d.index[d["defaulted"]])
        assert c["defaulted"].sum() > 0


def test_late_collection_recovers_more_than_doing_nothing(book):
    losses = {n: [] for n in ("do-nothing", "late-collection")}
    for seed in (1, 2, 3):
        for n in losses:
            losses[n].append(simulate(book, seed=seed, strategy=n).loss_cny)
    assert np.mean(losses["late-collection"]) < np.mean(losses["do-nothing"])


def test_oracle_loses_less_than_late_collection_on_average(book):
    late, oracle = [], []
    for seed in (1, 2, 3, 4):
        late.append(simulate(book, seed=seed, strategy="late-collection").loss_cny)
        oracle.append(simulate(book, seed=seed, strategy="oracle").loss_cny)
    assert np.mean(oracle) < np.mean(late), (oracle, late)


# ----------------------------------------------------------------- built-in strategies
def test_built_in_strategies_by_name():
    assert set(BUILT_IN) == {"do-nothing", "late-collection", "early-warning", "oracle"}
    assert isinstance(make_strategy("do-nothing"), DoNothing)
    assert isinstance(make_strategy("late-collection"), LateCollection)
    assert isinstance(make_strategy("early-warning"), EarlyWarning)
    assert isinstance(make_strategy("oracle"), Oracle)
    assert make_strategy("oracle").needs_hidden and not make_strategy("early-warning").needs_hidden
    inst = EarlyWarning()
    assert make_strategy(inst) is inst
    with pytest.raises(ValueError, match="unknown strategy"):
        make_strategy("panic")
    with pytest.raises(ValueError, match="rule table"):
        make_strategy("rules")


def test_do_nothing_takes_no_action_and_no_checks(book):
    r = simulate(book, seed=2, strategy="do-nothing")
    ev = within_horizon(r.events, r.months)
    assert not ev["event"].str.startswith("action_").any()
    assert not (r.events["event"] == "check").any()
    # after the horizon the standing order works out the defaults, for every strategy alike
    after = r.events[(r.events["month"] > r.months) & r.events["event"].str.startswith("action_")]
    assert set(after["event"]) <= {"action_lawsuit", "action_auction", "action_claim_sale", "action_write_off"}


def test_late_collection_acts_only_on_defaulted_loans(book):
    r = simulate(book, seed=2, strategy="late-collection")
    acts = r.events[r.events["event"].str.startswith("action_")]
    assert len(acts) > 0
    dm = r.loans.set_index("loan_id")["default_month"]
    for loan, month in acts[["loan_id", "month"]].itertuples(index=False):
        assert 0 <= dm[loan] <= month, f"late collection acted on loan {loan} before default"
    assert set(acts["event"]) <= {"action_lawsuit", "action_auction", "action_claim_sale",
                                  "action_write_off"}


def test_oracle_is_only_one_that_sees_hidden_state(book):
    seen = {}

    class Spy(Strategy):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner
            self.needs_hidden = inner.needs_hidden

        def decide(self, obs):
            seen.setdefault(self.inner.name, obs.hidden)
            return self.inner.decide(obs)

    for name in ("early-warning", "oracle"):
        simulate(book, seed=1, months=2, strategy=Spy(make_strategy(name)))
    assert seen["early-warning"] is None
    hidden = seen["oracle"]
    assert len(hidden.health) == book.n_loans and len(hidden.diverting) == book.n_loans


def test_strategies_stay_within_staff_hours(book):
    staff = book.staff.officers * book.staff.hours_per_officer_month
    for name in ("early-warning", "oracle"):
        sim = run_sim(book, 5, name)
        assert max(sim.hours_log) <= staff + 1e-6
        assert sim.hours_used > 0


# ------------------------------------------------------------------------- rule tables
VALID_RULES = {
    "name": "watchful",
    "monitoring": {"interval_months": {"normal": 6, "special_mention": 1}, "first_check_days": 30},
    "reserve_share": 0.3,
    "rules": [
        {"when": {"min_dpd": 30, "max_dpd": 60}, "do": ["collect_call"]},
        {"when": {"min_alerts": 2, "not_acted_within_months": 6}, "do": ["onsite_check"]},
    ],
}


def test_parse_rules_accepts_a_valid_table():
    t = parse_rules(VALID_RULES)
    assert isinstance(t, RuleTable)
    assert t.name == "watchful" and t.reserve_share == 0.3 and t.workout == "late"
    assert t.monitoring.interval_months.normal == 6
    assert t.monitoring.interval_months.doubtful == 1  # default kept
    assert t.rules[0].when.min_dpd == 30 and t.rules[0].when.min_alerts == 0
    assert t.rules[1].do == ["onsite_check"]


def test_checks_beyond_the_reserve_slip_unrushed_or_are_rushed_as_the_table_says(book):
    """A table asking more checks than its reserve: "rush" does them all, rushed, and the
    rules' actions get what is left; "slip" does the oldest in full within the reserve."""
    heavy = with_rule(monitoring={"interval_months": {"normal": 1, "special_mention": 1,
                                                      "substandard": 1, "doubtful": 1},
                                  "first_check_days": 15},
                      reserve_share=0.1)
    assert parse_rules(heavy).checks_beyond_reserve == "rush"  # the default: as before
    quality, slipped = {}, {}
    for mode in ("rush", "slip"):
        table = parse_rules({**heavy, "checks_beyond_reserve": mode})
        sim = Simulation(book, seed=3, months=6, decider=Rules(table).decide)
        sim.advance_to(6)
        reports = sim.reports
        quality[mode] = min(r.check_quality for r in reports if r.checks_done)
        slipped[mode] = sum(r.checks_slipped for r in reports)
    assert quality["rush"] < 1.0 and quality["slip"] == 1.0
    assert slipped["slip"] > slipped["rush"]


def test_load_rules_reads_a_file(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text(yaml.safe_dump(VALID_RULES, allow_unicode=True), encoding="utf-8")
    assert load_rules(p) == parse_rules(VALID_RULES)
    assert load_rules(str(p)).name == "watchful"


def with_rule(**changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(VALID_RULES))
    for key, value in changes.items():
        target = data
        *parents, last = key.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return data


@pytest.mark.parametrize("data,field", [
    (with_rule(rules__0__do=["panic_sell"]), "rules[0].do"),
    (with_rule(rules__1__do=[]), "rules[1].do"),
    (with_rule(rules__0__when__min_dpd=-5), "rules[0].when.min_dpd"),
    (with_rule(rules__0__when__min_class=7), "rules[0].when.min_class"),
    (with_rule(rules__0__when__min_alert=2), "rules[0].when.min_alert"),
    (with_rule(reserve_share=1.5), "reserve_share"),
    (with_rule(workout="early"), "workout"),
    (with_rule(checks_beyond_reserve="skip"), "checks_beyond_reserve"),
    (with_rule(monitoring__interval_months__normal=-1), "monitoring.interval_months.normal"),
    (with_rule(rulez=[]), "rulez"),
])
def test_parse_rules_rejects_bad_tables_naming_the_field(data, field):
    with pytest.raises(RulesError) as info:
        parse_rules(data, "my_rules.yaml")
    msg = str(info.value)
    assert "my_rules.yaml" in msg
    assert field in msg, msg
    assert "Traceback" not in msg


@pytest.mark.parametrize("data", [None, [], "rules", 3])
def test_parse_rules_rejects_non_mappings(data):
    with pytest.raises(RulesError, match="mapping"):
        parse_rules(data, "x.yaml")


def test_load_rules_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n  - when: {min_dpd: 30\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(bad)
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(RulesError):
        load_rules(binary)


def test_rules_strategy_acts_as_its_table_says(book):
    table = parse_rules({
        "name": "call-when-late",
        "monitoring": {"interval_months": {"normal": 0, "special_mention": 0, "substandard": 0,
                                           "doubtful": 0, "loss": 0}, "first_check_days": 0},
        "reserve_share": 0.0,
        "workout": "none",
        "rules": [{"when": {"min_dpd": 30, "max_dpd": 60}, "do": ["collect_call"]}],
    })
    assert isinstance(make_strategy("rules", rules=table), Rules)
    seen_dpd = {}

    class Recorder(Rules):
        def decide(self, obs):
            seen_dpd[obs.month] = obs.dpd.copy()
            return super().decide(obs)

    r = simulate(book, seed=2, strategy=Recorder(table))
    ev = within_horizon(r.events, r.months)
    acts = ev[ev["event"].str.startswith("action_")]
    assert len(acts) > 0
    assert set(acts["event"]) == {"action_collect_call"}
    for loan, month in acts[["loan_id", "month"]].itertuples(index=False):
        assert 30 <= seen_dpd[month][loan] <= 60
    # every loan that met the condition at a decision point was called
    called = set(map(tuple, acts[["month", "loan_id"]].values.tolist()))
    for month, dpd in seen_dpd.items():
        for loan in np.flatnonzero((dpd >= 30) & (dpd <= 60)):
            assert (month, int(loan)) in called
    assert not (r.events["event"] == "check").any()


def test_rules_by_name_through_simulate(book):
    table = parse_rules(VALID_RULES)
    r = simulate(book, seed=2, months=6, strategy="rules", rules=table)
    assert r.months == 6
    # the table's monitoring policy is applied: routine checks happen
    assert (r.events["event"] == "check").any()


RULE_FILES = sorted((Path(__file__).resolve().parent.parent / "scenarios" / "rules").glob("*.yaml"))


@pytest.mark.skipif(not RULE_FILES, reason="no scenarios/rules/*.yaml yet")
@pytest.mark.parametrize("path", RULE_FILES, ids=[p.stem for p in RULE_FILES])
def test_shipped_rule_tables_load_and_run(book, path):
    table = load_rules(path)
    sim = Simulation(book, seed=1, months=6, decider=Rules(table).decide)
    for m in range(1, 7):
        sim.advance_to(m)
        rhs = sim.balance + sim.repaid + sim.written_off + sim.recovered
        np.testing.assert_allclose(sim.disbursed, rhs, rtol=1e-6)
        assert (sim.balance >= 0).all()
    r = sim.result()
    assert r.events["event"].str.startswith("action_").any()
