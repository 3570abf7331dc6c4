"""Tests for sim.engine: determinism, the accounting invariant every month under every
built-in strategy, rate resets, defaults at 90 days, the guarantee chain, scripted events,
policy shocks, metrics, and every shipped scenario running under every strategy."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim import defaults
from sim.classification import CLASS_KEYS, SPECIAL_MENTION
from sim.engine import (
    ACTIVE,
    CLOSED,
    DEFAULTED,
    METRIC_COLUMNS,
    Decision,
    Simulation,
    simulate,
)
from sim.scenario import load_scenario, parse_scenario, scenario_paths
from sim.strategies import BUILT_IN, NO_CHECKS, make_strategy

# A book built to make money move: defaults, lawsuits, auctions, write-offs, cures, staged
# drawdowns, diversion, mutual guarantees, a floating segment with an LPR change, a recession.
WORKOUT = """
id: workout
title: {zh: 处置, en: Workout}
briefing: {zh: 处置, en: Workout}
horizon_months: 30
staff: {officers: 3, hours_per_officer_month: 120}
segments:
  - id: secured
    name: {zh: 抵押, en: Secured}
    product: working_capital
    count: 60
    amount: {median_cny: 2000000, sigma: 0.5}
    term_months: 24
    repayment: equal_instalment
    rate: {kind: floating, spread: 0.01, reset_months: 3}
    pd_annual: 0.2
    rho: 0.15
    industry: manufacturing
    region: zhejiang
    collateral: {type: property, ltv: 0.6}
    diversion_share: 0.3
    guarantee: {structure: mutual, share: 0.4, group_size: 3}
  - id: project
    name: {zh: 项目, en: Project}
    product: fixed_asset
    count: 40
    amount: {median_cny: 5000000, sigma: 0.4}
    term_months: 36
    repayment: equal_principal
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.15
    rho: 0.2
    industry: construction
    region: jiangsu
    collateral: {type: construction, ltv: 0.5}
    undrawn_share: 0.4
  - id: unsecured
    name: {zh: 信用, en: Unsecured}
    product: small_business
    count: 60
    amount: {median_cny: 500000, sigma: 0.5}
    term_months: 12
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.25
    rho: 0.1
    industry: retail
    region: zhejiang
macro:
  - {type: lpr_change, month: 3, delta_bp: 50}
  - {type: recession, month: 6, severity: 0.8, duration_months: 6}
"""

RATES = """
id: rates
title: {{zh: 利率, en: Rates}}
briefing: {{zh: 利率, en: Rates}}
horizon_months: 16
staff: {{officers: 1}}
segments:
  - id: fixed
    name: {{zh: 固定, en: Fixed}}
    product: working_capital
    count: 30
    amount: {{median_cny: 1000000}}
    term_months: 36
    repayment: interest_only_bullet
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.001
    industry: a
    region: b
  - id: floating
    name: {{zh: 浮动, en: Floating}}
    product: working_capital
    count: 30
    amount: {{median_cny: 1000000}}
    term_months: 36
    repayment: interest_only_bullet
    rate: {{kind: floating, spread: 0.01, reset_months: 6, base: {base}}}
    pd_annual: 0.001
    industry: a
    region: b
macro:
  - {{type: lpr_change, month: 2, delta_bp: 50, base: {changed}}}
"""

# Named borrowers on a very safe book: alpha collapses at month 2 (two shocks of 5), beta is
# guaranteed by alpha, gamma has a string of authored events.
STORY = """
id: story
title: {zh: 故事, en: Story}
briefing: {zh: 故事, en: Story}
horizon_months: 12
staff: {officers: 1}
segments:
  - id: wc
    name: {zh: 流贷, en: Working capital}
    product: working_capital
    count: 20
    amount: {median_cny: 1000000}
    term_months: 24
    repayment: interest_only_bullet
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.002
    industry: manufacturing
    region: zhejiang
borrowers:
  - id: alpha
    segment: wc
    company: {zh: 甲公司, en: Alpha Co}
    legal_rep: {zh: 张三, en: Zhang San}
    events:
      - {month: 2, kind: health_shock, severity: 5}
      - {month: 2, kind: health_shock, severity: 5}
  - id: beta
    segment: wc
    company: {zh: 乙公司, en: Beta Co}
    legal_rep: {zh: 李四, en: Li Si}
    guarantor: alpha
  - id: gamma
    segment: wc
    company: {zh: 丙公司, en: Gamma Co}
    legal_rep: {zh: 王五, en: Wang Wu}
    events:
      - {month: 3, kind: key_person_leaves, severity: 0.2}
      - {month: 5, kind: lawsuit_filed, severity: 0.1}
      - {month: 5, kind: tax_arrears, severity: 0.1}
      - {month: 7, kind: recovery, severity: 0.3}
"""

SHOCK = """
id: shock
title: {{zh: 政策, en: Policy}}
briefing: {{zh: 政策, en: Policy}}
horizon_months: 12
staff: {{officers: 1}}
segments:
  - id: hit
    name: {{zh: 受冲击, en: Hit}}
    product: real_estate_dev
    count: 300
    amount: {{median_cny: 1000000}}
    term_months: 36
    repayment: interest_only_bullet
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.03
    industry: property
    region: zhejiang
  - id: control
    name: {{zh: 对照, en: Control}}
    product: real_estate_dev
    count: 300
    amount: {{median_cny: 1000000}}
    term_months: 36
    repayment: interest_only_bullet
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.03
    industry: property
    region: zhejiang
macro: {macro}
"""
SHOCK_EVENT = "[{type: policy_shock, month: 2, segments: [hit], severity: 1.0, duration_months: 10}]"


@pytest.fixture(scope="module")
def workout():
    return parse_scenario(WORKOUT, "workout.yaml")


@pytest.fixture(scope="module")
def story():
    return parse_scenario(STORY, "story.yaml")


def scripted(plan: dict[int, list[tuple[int, str]]], policy=NO_CHECKS):
    """A decider that takes the given actions at the given months and nothing else."""

    def decide(obs):
        return Decision(policy=policy, actions=list(plan.get(obs.month, [])))

    return decide


def check_accounts(sim: Simulation) -> None:
    """disbursed = balance + repaid + written off + recovered, per loan; nothing negative."""
    rhs = sim.balance + sim.repaid + sim.written_off + sim.recovered
    np.testing.assert_allclose(sim.disbursed, rhs, rtol=1e-6, atol=1e-6,
                               err_msg=f"accounting broken at month {sim.t}")
    for name in ("balance", "repaid", "written_off", "recovered", "undrawn", "disbursed"):
        arr = getattr(sim, name)
        assert (arr >= -1e-9).all(), f"negative {name} at month {sim.t}: {arr.min()}"
    off_books = sim.status > DEFAULTED  # closed, written off, sold
    assert (sim.balance[off_books] == 0).all(), f"off-book loan with a balance at month {sim.t}"


# --------------------------------------------------------------------------- determinism
def test_same_seed_same_outputs_bit_for_bit(workout):
    a = simulate(workout, seed=5, strategy="early-warning")
    b = simulate(workout, seed=5, strategy="early-warning")
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.loans, b.loans)
    pd.testing.assert_frame_equal(a.signals, b.signals)
    pd.testing.assert_frame_equal(a.compliance, b.compliance)
    assert a.summary() == b.summary()
    assert len(a.events) > 100 and len(a.signals) > 0


def test_different_seed_different_outputs(workout):
    a = simulate(workout, seed=5)
    b = simulate(workout, seed=6)
    assert not a.metrics["outstanding_cny"].equals(b.metrics["outstanding_cny"])
    assert not a.loans["disbursed_cny"].equals(b.loans["disbursed_cny"])
    assert a.loss_cny != b.loss_cny


def test_default_seed_is_the_scenario_seed(story):
    a = simulate(story)
    b = simulate(story, seed=story.seed)
    assert a.seed == story.seed
    pd.testing.assert_frame_equal(a.loans, b.loans)


def test_months_shortens_the_run(story):
    r = simulate(story, months=4)
    assert r.months == 4
    assert r.metrics["month"].tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        Simulation(story, months=0)


# ------------------------------------------------------------------ accounting invariant
@pytest.mark.parametrize("strategy", ["do-nothing", "late-collection", "early-warning", "oracle"])
def test_accounting_invariant_every_month(workout, strategy):
    moved = {"recovered": 0.0, "written_off": 0.0, "repaid": 0.0}
    for seed in (1, 2):
        st = make_strategy(strategy)
        sim = Simulation(workout, seed=seed, decider=st.decide, oracle=st.needs_hidden)
        check_accounts(sim)
        for m in range(1, sim.T + 1):
            sim.advance_to(m)
            assert sim.t == m
            check_accounts(sim)
        for k in moved:
            moved[k] += float(getattr(sim, k).sum())
        # the outputs report the same money
        r = sim.result()
        assert r.disbursed_cny == pytest.approx(float(sim.disbursed.sum()))
        np.testing.assert_array_equal(r.loans["balance_cny"].to_numpy(), sim.balance)
    assert moved["repaid"] > 0
    if strategy != "do-nothing":
        # workouts really moved money, so the invariant was tested on it
        assert moved["recovered"] > 0 and moved["written_off"] > 0


def test_staged_drawdowns_are_disbursed(workout):
    sim = Simulation(workout, seed=1, decider=scripted({}))
    start = sim.disbursed.copy()
    sim.run()
    project = sim.pf.segment == sim.pf.segment_ids.index("project")
    assert (sim.disbursed[project] > start[project]).any()
    assert (sim.disbursed <= sim.pf.amount + 1e-6).all()


# --------------------------------------------------------------------------- rate resets
def test_rate_resets_touch_only_floating_loans():
    sc = parse_scenario(RATES.format(base="lpr_1y", changed="both"), "rates.yaml")
    sim = Simulation(sc, seed=1, decider=scripted({}))
    floating = sim.pf.floating.copy()
    assert floating.sum() == 30 and (~floating).sum() == 30
    r0 = sim.rate.copy()
    np.testing.assert_allclose(r0[floating], sc.lpr_1y + 0.01)
    np.testing.assert_allclose(r0[~floating], 0.05)
    for m in range(1, sc.horizon_months + 1):
        sim.advance_to(m)
        np.testing.assert_array_equal(sim.rate[~floating], r0[~floating])
        if m < 7:
            # the LPR moved at month 2, but the loans reprice only at their 6-month reset
            np.testing.assert_array_equal(sim.rate[floating], r0[floating])
        else:
            np.testing.assert_allclose(sim.rate[floating], r0[floating] + 0.005, rtol=1e-12)
    r = sim.result()
    resets = r.events[r.events["event"] == "rate_reset"]
    assert set(resets["loan_id"]) == set(np.flatnonzero(floating))
    assert set(resets["month"]) == {7}
    lpr = r.metrics.set_index("month")["lpr_1y"]
    assert lpr[1] == pytest.approx(sc.lpr_1y)
    np.testing.assert_allclose(lpr.loc[2:], sc.lpr_1y + 0.005)


def test_rate_reset_follows_only_the_changed_base():
    sc = parse_scenario(RATES.format(base="lpr_1y", changed="lpr_5y"), "rates.yaml")
    r = simulate(sc, seed=1)
    assert not (r.events["event"] == "rate_reset").any()
    sc5 = parse_scenario(RATES.format(base="lpr_5y", changed="lpr_5y"), "rates.yaml")
    sim = Simulation(sc5, seed=1, decider=scripted({}))
    floating = sim.pf.floating.copy()
    r0 = sim.rate.copy()
    np.testing.assert_allclose(r0[floating], sc5.lpr_5y + 0.01)
    sim.run()
    np.testing.assert_allclose(sim.rate[floating], r0[floating] + 0.005, rtol=1e-12)
    np.testing.assert_array_equal(sim.rate[~floating], r0[~floating])


# ------------------------------------------------------------------ defaults at 90 days
def test_default_is_recorded_at_three_misses(story):
    sim = Simulation(story, seed=1, decider=scripted({}))
    alpha = sim.pf.named_index["alpha"]
    dpd = {}
    for m in range(1, 7):
        sim.advance_to(m)
        dpd[m] = int(sim.dpd[alpha])
        if m < 4:
            assert not sim.defaulted[alpha]
    assert [dpd[m] for m in range(1, 7)] == [0, 30, 60, 90, 120, 150]
    ev = sim.result().events
    mine = ev[ev["loan_id"] == alpha]
    assert mine[mine["event"] == "payment_missed"]["month"].tolist() == [2]
    assert mine[mine["event"] == "default"]["month"].tolist() == [4]
    assert sim.default_month[alpha] == 4
    assert sim.status[alpha] == DEFAULTED


def test_every_default_follows_60_days_past_due(workout):
    """Across a whole book: a default happens only after 30 and 60 days past due, at 90+,
    and no loan still counted as performing is 90+ days past due."""
    sim = Simulation(workout, seed=3, decider=scripted({}))
    hist = [np.zeros(sim.n, dtype=np.int32)]
    for m in range(1, sim.T + 1):
        sim.advance_to(m)
        hist.append(sim.dpd.copy())
        performing = (sim.status == ACTIVE) & ~sim.defaulted
        assert (sim.dpd[performing] < 90).all()
        assert (sim.misses[performing] < defaults.MISSES_TO_DEFAULT).all()
    first = sim.default_month
    assert (first >= 0).sum() > 10
    for i in np.flatnonzero(first >= 0):
        m = first[i]
        assert m >= 3
        assert hist[m][i] >= 90
        assert hist[m - 1][i] == 60 and hist[m - 2][i] == 30, f"loan {i} defaulted at {m}"
    ev = sim.result().events
    firsts = ev[ev["event"] == "default"].groupby("loan_id")["month"].min()
    assert firsts.to_dict() == {int(i): int(first[i]) for i in np.flatnonzero(first >= 0)}


# -------------------------------------------------------------------- guarantee chain
def _linked(story, links: dict[str, str | None]):
    """The story with these guarantors (borrower id: its guarantor's id, or None)."""
    return story.model_copy(update={"borrowers": [
        b.model_copy(update={"guarantor": links.get(b.id, b.guarantor)})
        for b in story.borrowers]})


def test_a_borrowers_default_calls_its_guarantor_to_pay(story):
    """Alpha falls in month 4; beta, its guarantor here, is called to pay (代偿) and loses
    the claim's health from then on; no other loan is touched."""
    sim = Simulation(_linked(story, {"alpha": "beta", "beta": None}), seed=1,
                     decider=scripted({}))
    alpha, beta, gamma = (sim.pf.named_index[k] for k in ("alpha", "beta", "gamma"))
    assert sim.pf.guarantor[alpha] == beta
    sim.advance_to(3)
    assert sim.shift[beta] == 0.0
    sim.advance_to(4)
    assert sim.default_month[alpha] == 4
    assert sim.shift[beta] == pytest.approx(-defaults.GUARANTEE_CLAIM_HEALTH)
    others = np.setdiff1d(np.arange(sim.n), [alpha, beta, gamma])
    assert (sim.shift[others] == 0).all()


def test_guarantor_default_hits_the_guaranteed_borrower_less_than_the_claim(story):
    """Alpha, beta's guarantor, falls in month 4: beta loses its guarantee (the secondary
    channel), a smaller hit than the claim its guarantor would have had to pay."""
    sim = Simulation(story, seed=1, decider=scripted({}))
    alpha, beta, gamma = (sim.pf.named_index[k] for k in ("alpha", "beta", "gamma"))
    assert sim.pf.guarantor[beta] == alpha
    assert sim.pf.guarantor[gamma] == -1
    sim.advance_to(3)
    assert sim.shift[beta] == 0.0
    sim.advance_to(4)
    assert sim.default_month[alpha] == 4
    assert sim.shift[beta] == pytest.approx(-defaults.GUARANTEE_LOST_HEALTH)
    assert 0 < defaults.GUARANTEE_LOST_HEALTH < defaults.GUARANTEE_CLAIM_HEALTH
    others = np.setdiff1d(np.arange(sim.n), [alpha, beta, gamma])
    assert (sim.shift[others] == 0).all()


@pytest.mark.parametrize("links,hit", [
    ({}, -defaults.GUARANTEE_LOST_HEALTH),  # alpha guarantees beta
    ({"alpha": "beta", "beta": None}, -defaults.GUARANTEE_CLAIM_HEALTH),  # beta guarantees alpha
    ({"alpha": "beta"}, -defaults.GUARANTEE_LOST_HEALTH - defaults.GUARANTEE_CLAIM_HEALTH),
], ids=["guaranteed", "guarantor", "mutual"])
def test_guarantee_chain_changes_beta_only_through_alpha(story, links, hit):
    """Without the guarantee link, beta's health path is the same up to what alpha's
    default does to it: its guarantee lost, the claim on it, or both when they guarantee
    each other."""
    unlinked = _linked(story, {"alpha": None, "beta": None})
    a = Simulation(_linked(story, links), seed=2, decider=scripted({}))
    b = Simulation(unlinked, seed=2, decider=scripted({}))
    beta = a.pf.named_index["beta"]
    a.advance_to(6)
    b.advance_to(6)
    assert a.shift[beta] - b.shift[beta] == pytest.approx(hit)
    others = np.arange(a.n) != beta
    np.testing.assert_array_equal(a.d[others], b.d[others])
    assert a.d[beta] < b.d[beta]


# -------------------------------------------------------------------- scripted events
def test_scripted_events_fire_at_the_authored_month(story):
    seen: dict[int, float] = {}
    sim = Simulation(story, seed=1)
    gamma = sim.pf.named_index["gamma"]

    def decide(obs):
        seen[obs.month] = float(sim.shift[gamma])
        return Decision(policy=NO_CHECKS)

    sim.decider = decide
    r = sim.run()
    ev = r.events
    got = ev[ev["event"].str.startswith("scripted_")][["month", "loan_id", "event"]]
    alpha = sim.pf.named_index["alpha"]
    expected = [(2, alpha, "scripted_health_shock"), (2, alpha, "scripted_health_shock"),
                (3, gamma, "scripted_key_person_leaves"), (5, gamma, "scripted_lawsuit_filed"),
                (5, gamma, "scripted_tax_arrears"), (7, gamma, "scripted_recovery")]
    assert sorted(map(tuple, got.itertuples(index=False))) == sorted(expected)
    # the effect is in place at the authored month's decision point, not before
    assert seen[1] == seen[2] == 0.0
    assert seen[3] < 0.0  # key person leaves
    assert seen[4] == seen[3]
    assert seen[5] < seen[4]  # lawsuit and tax arrears
    assert seen[6] == seen[5]
    assert seen[7] > seen[6]  # recovery
    # the visible part of an event is a signal in that month
    sig = r.signals[r.signals["loan_id"] == gamma]
    assert 3 in sig[sig["signal"] == "key_person"]["month"].tolist()
    assert 5 in sig[sig["signal"] == "lawsuit"]["month"].tolist()
    assert 5 in sig[sig["signal"] == "tax_arrears"]["month"].tolist()


# ------------------------------------------------------------------------ policy shock
def test_policy_shock_hits_only_the_named_segment():
    shocked = parse_scenario(SHOCK.format(macro=SHOCK_EVENT), "shock.yaml")
    calm = parse_scenario(SHOCK.format(macro="[]"), "shock.yaml")
    hit_rate, control_rate = [], []
    for seed in (1, 2, 3, 4):
        a = simulate(shocked, seed=seed).loans
        b = simulate(calm, seed=seed).loans
        hit, control = (a["segment"] == "hit").to_numpy(), (a["segment"] == "control").to_numpy()
        hit_rate.append(a.loc[hit, "defaulted"].mean())
        control_rate.append(a.loc[control, "defaulted"].mean())
        # common random numbers: the control segment's fate is untouched by the shock
        np.testing.assert_array_equal(a.loc[control, "default_month"].to_numpy(),
                                      b.loc[control, "default_month"].to_numpy())
        # the shock only makes the hit segment's defaults earlier or more numerous
        dm_a = a.loc[hit, "default_month"].to_numpy()
        dm_b = b.loc[hit, "default_month"].to_numpy()
        was = dm_b >= 0
        assert (dm_a[was] >= 0).all() and (dm_a[was] <= dm_b[was]).all()
        assert (dm_a >= 0).sum() > (dm_b >= 0).sum()
    assert np.mean(hit_rate) > 2 * np.mean(control_rate)


def test_recession_hits_every_segment():
    rec = parse_scenario(SHOCK.format(
        macro="[{type: recession, month: 2, severity: 1.0, duration_months: 10}]"), "rec.yaml")
    calm = parse_scenario(SHOCK.format(macro="[]"), "calm.yaml")
    more = {"hit": 0, "control": 0}
    for seed in (1, 2, 3):
        a = simulate(rec, seed=seed).loans
        b = simulate(calm, seed=seed).loans
        dm_a, dm_b = a["default_month"].to_numpy(), b["default_month"].to_numpy()
        was = dm_b >= 0
        assert (dm_a[was] >= 0).all() and (dm_a[was] <= dm_b[was]).all()
        for seg in more:
            m = (a["segment"] == seg).to_numpy()
            more[seg] += int((dm_a[m] >= 0).sum() - (dm_b[m] >= 0).sum())
    assert more["hit"] > 0 and more["control"] > 0


# ------------------------------------------------------------------------------ metrics
def test_metrics_columns_and_consistency(workout):
    r = simulate(workout, seed=2, strategy="late-collection")
    m = r.metrics
    assert list(m.columns) == list(METRIC_COLUMNS)
    assert m["month"].tolist() == list(range(1, workout.horizon_months + 1))
    cls = m[["bal_" + k for k in CLASS_KEYS]].sum(axis=1)
    np.testing.assert_allclose(cls, m["outstanding_cny"], rtol=1e-9)
    npl = m[["bal_substandard", "bal_doubtful", "bal_loss"]].sum(axis=1)
    np.testing.assert_allclose(m["npl_ratio"], npl / m["outstanding_cny"], rtol=1e-9)
    assert m["cum_defaults"].is_monotonic_increasing
    assert m["cum_defaults"].iloc[-1] == r.defaults
    assert m["defaults"].sum() == (r.events["event"] == "default").sum()
    assert m["interest_cny"].is_monotonic_increasing
    assert r.summary()["npl_ratio_peak"] == m["npl_ratio"].max()
    assert set(r.loans.columns) >= {"loan_id", "segment", "status", "defaulted", "default_month",
                                    "ead_cny", "loss_cny", "interest_cny", "disbursed_cny",
                                    "balance_cny", "first_warning_month", "first_action_month"}
    assert list(r.events.columns) == ["month", "loan_id", "event", "amount_cny", "details"]


CURED_LOSS_BUG = (
    "sim/engine.py _record_metrics subtracts getattr(self, '_cured_balance', 0.0), which is "
    "never assigned: cum_loss_cny keeps the exposure of loans that defaulted and then cured")


def test_cumulative_loss_metric_excludes_cured_defaults(workout):
    # under do-nothing nothing is recovered and nothing spent, so the loss so far is the
    # exposure of the loans still in default; a cured loan pays again and is not a loss
    sim = Simulation(workout, seed=2, decider=scripted({}))
    sim.advance_to(sim.T)  # the horizon only: after it the standing order works the defaults out
    r = sim.result()
    assert (r.events["event"] == "default_cured").any()
    assert sim.recovered.sum() == 0 and sim.costs.sum() == 0
    still = sim.status == DEFAULTED
    assert r.metrics["cum_loss_cny"].iloc[-1] == pytest.approx(sim.ead[still].sum(), rel=1e-9)


# ------------------------------------------------------------------------ interventions
def safe_book(count: int = 20, kind: str = "fixed", horizon: int = 18) -> str:
    rate = ("{kind: fixed, annual: 0.05}" if kind == "fixed"
            else "{kind: floating, spread: 0.01, reset_months: 6}")
    return f"""
id: safe
title: {{zh: 安全, en: Safe}}
briefing: {{zh: 安全, en: Safe}}
horizon_months: {horizon}
staff: {{officers: 2}}
segments:
  - id: wc
    name: {{zh: 流贷, en: Working capital}}
    product: working_capital
    count: {count}
    amount: {{median_cny: 1000000}}
    term_months: 36
    repayment: interest_only_bullet
    rate: {rate}
    pd_annual: 0.001
    industry: manufacturing
    region: zhejiang
macro:
  - {{type: lpr_change, month: 3, delta_bp: 50}}
borrowers:
  - id: weak
    segment: wc
    company: {{zh: 弱公司, en: Weak Co}}
    legal_rep: {{zh: 赵六, en: Zhao Liu}}
    events:
      - {{month: 1, kind: key_person_leaves, severity: 0.2}}
"""


def action_result(r, loan: int, action: str) -> list[str]:
    ev = r.events
    return ev[(ev["loan_id"] == loan) & (ev["event"] == "action_" + action)]["details"].tolist()


def test_accelerating_a_healthy_borrower_later_gets_repaid():
    sc = parse_scenario(safe_book(), "safe.yaml")
    probe = Simulation(sc, seed=4)
    k = int(np.argmax(probe.e))  # the healthiest borrower
    sim = Simulation(sc, seed=4, decider=scripted({2: [(k, "accelerate")]}))
    r = sim.run()
    assert action_result(r, k, "accelerate") == ["repaid"]
    assert sim.status[k] == CLOSED and sim.default_month[k] == -1


def test_a_loan_is_recalled_once():
    """A recall made a weak borrower's whole loan due and defaulted it; the desk then took a
    second recall of it each month, charged its hours and money, and it changed nothing.
    A loan already due in full (recalled, or defaulted by missed payments) is not recalled
    again: the engine refuses it with its reason and charges nothing."""
    sc = parse_scenario(safe_book(), "safe.yaml")
    sim = Simulation(sc, seed=4)
    weak = sim.pf.named_index["weak"]
    late = next(i for i in range(sim.n) if i != weak)
    sim.shift[[weak, late]] -= 10.0  # neither borrower can pay from the first month
    it = defaults.INTERVENTIONS["accelerate"]
    sim.decider = scripted({2: [(weak, "accelerate")], 3: [(weak, "accelerate")],
                            6: [(weak, "accelerate"), (late, "accelerate")]})
    sim.advance_to(2)
    assert sim.defaulted[weak] and sim.default_month[weak] == 2  # the recall defaulted it
    assert sim.default_month[late] < 0
    spent, costs = sim.money_spent, sim.costs[weak]
    sim.advance_to(6)
    assert sim.defaulted[late]  # three payments missed
    assert sim.money_spent == spent and sim.costs[weak] == costs == it.cost_cny
    r = sim.result()
    assert action_result(r, weak, "accelerate") == ["defaulted"]  # the first recall only
    assert action_result(r, late, "accelerate") == []
    month = {rep.month: rep for rep in sim.reports}
    assert month[2].hours_used == it.hours
    assert month[3].rejected == [(weak, "accelerate", "not_recalled")]
    assert month[6].rejected == [(weak, "accelerate", "not_recalled"),
                                 (late, "accelerate", "not_recalled")]
    assert month[3].hours_used == month[6].hours_used == 0  # nothing booked for them


FIRST_MONTH_HEALTH_BUG = (
    "sim/engine.py Simulation.__init__ sets self.d = np.zeros(n); the first decision point "
    "(month 1) runs before the first tick computes health, so actions and the oracle see "
    "health 0 for every borrower: accelerate defaults a healthy borrower, add_collateral "
    "is always refused")


def test_accelerating_a_healthy_borrower_at_month_one_gets_repaid():
    sc = parse_scenario(safe_book(), "safe.yaml")
    probe = Simulation(sc, seed=4)
    k = int(np.argmax(probe.e))
    sim = Simulation(sc, seed=4, decider=scripted({1: [(k, "accelerate")]}))
    r = sim.run()
    assert action_result(r, k, "accelerate") == ["repaid"]
    assert sim.default_month[k] == -1


def test_oracle_sees_health_at_the_first_decision():
    sc = parse_scenario(safe_book(), "safe.yaml")
    seen = {}

    def decide(obs):
        seen[obs.month] = obs.hidden.health.copy()
        return Decision(policy=NO_CHECKS)

    Simulation(sc, seed=4, decider=decide, oracle=True).run()
    # on a book with PD 0.1% every borrower starts far above its barrier
    assert (seen[2] > 1.0).mean() > 0.9
    assert (seen[1] > 1.0).mean() > 0.9


def test_restructured_loan_stays_special_mention_through_observation():
    sc = parse_scenario(safe_book(), "safe.yaml")
    sim = Simulation(sc, seed=1)
    weak = sim.pf.named_index["weak"]
    sim.decider = scripted({2: [(weak, "restructure")]})
    classes = {}
    for m in range(1, sc.horizon_months + 1):
        sim.advance_to(m)
        classes[m] = int(sim.cls[weak])
    r = sim.result()
    assert action_result(r, weak, "restructure") in (["payment_cut"], ["no_payment_cut"])
    assert classes[1] == 0
    obs_months = defaults.INTERVENTIONS["restructure"].params["observation_months"]
    for m in range(2, 2 + obs_months + 1):
        assert classes[m] >= SPECIAL_MENTION, f"month {m}: restructured loan back to 正常"
    assert sim.term[weak] > sc.segments[0].term_months
    concession = defaults.INTERVENTIONS["restructure"].params["rate_concession"]
    assert sim.rate[weak] == pytest.approx(0.05 - concession)


def test_a_payment_missed_under_observation_starts_the_observation_again():
    """The observation period restarts when a payment is missed (2023 classification
    measures): the loan stays out of 正常 for a full period counted from the miss."""
    sc = parse_scenario(safe_book(), "safe.yaml")
    sim = Simulation(sc, seed=1)
    weak = sim.pf.named_index["weak"]
    sim.decider = scripted({2: [(weak, "restructure")]})
    sim.advance_to(2)
    obs_months = defaults.INTERVENTIONS["restructure"].params["observation_months"]
    assert sim.restructured_until[weak] == 2 + obs_months
    sim.advance_to(6)
    sim.shift[weak] -= 10.0  # from now the borrower cannot pay
    sim.advance_to(7)
    assert sim.misses[weak] > 0
    assert sim.restructured_until[weak] == 7 + obs_months  # counted from the miss
    assert sim.cls[weak] >= SPECIAL_MENTION


RESET_CONCESSION_BUG = (
    "sim/engine.py _tick, rate reset: `new + conc * 0` drops a restructured loan's rate "
    "concession at its next reset (rate0 keeps it, so the loan is also charged a health "
    "burden as if the LPR had risen by the concession)")


def test_rate_reset_keeps_the_restructuring_concession():
    sc = parse_scenario(safe_book(kind="floating"), "safe.yaml")
    sim = Simulation(sc, seed=1)
    weak = sim.pf.named_index["weak"]
    sim.decider = scripted({2: [(weak, "restructure")]})
    sim.advance_to(2)
    conceded = float(sim.rate[weak])
    concession = defaults.INTERVENTIONS["restructure"].params["rate_concession"]
    assert conceded == pytest.approx(sc.lpr_1y + 0.01 - concession)
    sim.advance_to(6)
    assert sim.rate[weak] == conceded
    sim.advance_to(7)  # the 6-month reset after the LPR change at month 3
    others = np.arange(sim.n) != weak
    np.testing.assert_allclose(sim.rate[others], sc.lpr_1y + 0.01 + 0.005)
    assert sim.rate[weak] == pytest.approx(conceded + 0.005)


# --------------------------------------------------------------- every shipped scenario
SHIPPED = scenario_paths()


@pytest.mark.skipif(not SHIPPED, reason="no scenarios/*.yaml yet")
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_runs_under_every_strategy(path):
    sc = load_scenario(path)
    months = min(3, sc.horizon_months)
    for name in BUILT_IN:
        st = make_strategy(name)
        sim = Simulation(sc, months=months, decider=st.decide, oracle=st.needs_hidden)
        for m in range(1, months + 1):
            sim.advance_to(m)
            check_accounts(sim)
        r = sim.result()
        assert len(r.metrics) == months
        assert r.n_loans == sc.n_loans == len(r.loans)
        s = r.summary()
        assert 0.0 <= s["default_rate"] <= 1.0 and np.isfinite(s["loss"])


@pytest.mark.parametrize("strategy", ["late-collection", "early-warning", "oracle"])
def test_a_finished_run_is_freed_at_once_not_at_the_next_full_collection(strategy, monkeypatch):
    """Two things held a finished run in reference cycles that only a full garbage
    collection frees, rare in a study's worker, so the worker grew by a run's arrays a
    replication until one came: the strategy's last observation, whose look-ups hold the
    run, and a process still waiting on the clock when the run is done (in the intro case,
    lawsuits whose judgment lies past the tail, and the clock's next month). Once
    `simulate_brief` and `simulate` return, nothing holds the run: it is gone without a
    collection."""
    import gc
    import weakref

    import sim.engine as engine

    made = []
    real = engine._simulation

    def spy(*args, **kwargs):
        made.append(weakref.ref(sim := real(*args, **kwargs)))
        return sim

    monkeypatch.setattr(engine, "_simulation", spy)
    sc = load_scenario(next(p for p in scenario_paths() if p.stem == "intro"))
    gc.collect()
    gc.disable()
    try:
        engine.simulate_brief(sc, seed=3, strategy=strategy)
        engine.simulate(sc, seed=3, strategy=strategy)
        assert len(made) == 2 and all(w() is None for w in made)
    finally:
        gc.enable()


def test_a_brief_run_of_a_strategy_that_reads_no_signal_skips_the_offsite_pass(monkeypatch):
    """A study's brief run keeps no warnings; late collection reads no signal, and the
    legal steps it takes need none seen (no precondition reads `last_seen`). So its brief
    run skips the month's off-site monitoring and still gives every figure the full run
    gives."""
    from sim.defaults import INTERVENTIONS
    from sim.engine import _simulation
    from sim.kernels import signals as kernels
    from sim.results import RunBrief
    from sim.strategies.base import WORKOUT_STEPS

    assert not make_strategy("late-collection").reads_signals
    assert all(not {"in_difficulty", "freeze_ground"} & set(INTERVENTIONS[a].requires)
               for a in WORKOUT_STEPS)
    passes = []  # the off-site passes: whether each keeps warnings
    real = kernels.month_sightings
    monkeypatch.setattr(kernels, "month_sightings",
                        lambda *args: passes.append(args[-1]) or real(*args))
    for stem in ("intro", "fund_diversion"):
        sc = load_scenario(next(p for p in scenario_paths() if p.stem == stem))
        brief = _simulation(sc, 3, None, "late-collection", None, warnings=False).run_brief()
        assert not passes
        full = RunBrief.from_result(simulate(sc, seed=3, strategy="late-collection"))
        for f in dataclasses.fields(RunBrief):
            mine, theirs = getattr(brief, f.name), getattr(full, f.name)
            assert np.array_equal(mine, theirs) if isinstance(mine, np.ndarray) \
                else mine == theirs, f.name
        assert passes and all(passes)  # the full run looked: its warnings are kept
        passes.clear()


def test_a_run_kept_as_figures_only_logs_no_events_but_counts_the_sightings():
    """Only the frames read the event log and the sightings' loans: a brief run keeps
    neither (sim.recorder.FiguresRecorder), and its months count the same alerts."""
    from sim.recorder import FiguresRecorder

    sc = load_scenario(next(p for p in scenario_paths() if p.stem == "intro"))
    brief = Simulation(sc, seed=3, decider=make_strategy("early-warning").decide,
                       warnings=False)
    brief.run_brief()
    full = Simulation(sc, seed=3, decider=make_strategy("early-warning").decide)
    full.run()
    assert isinstance(brief.rec, FiguresRecorder) and not isinstance(full.rec, FiguresRecorder)
    assert not (brief.rec.events or brief.rec.chunks or brief.rec.blocks or brief.rec.signals)
    assert full.rec.events and full.rec.signals
    assert brief.rec.n_signals == full.rec.n_signals > 0
    assert [r.new_alerts for r in brief.reports] == [r.new_alerts for r in full.reports]
