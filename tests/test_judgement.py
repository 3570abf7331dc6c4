"""Tests for sim.judgement: a trainee's judgement classification above the objective
floor. Never better than the floor; provisions and the NPL ratio follow the booked
class; a judgement at the floor lifts it; the decision log replays exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import defaults
from sim.codes import CLASS_KEYS, LoanClass
from sim.engine import Simulation
from sim.game import Game
from sim.game_actions import ActionError
from sim.judgement import JUDGEMENT_REASONS
from sim.observation import Decision
from sim.scenario import parse_scenario

CASE = """
id: judged
title: {zh: 判断, en: Judgement}
briefing: {zh: 判断, en: Judgement}
horizon_months: 8
staff: {officers: 2, hours_per_officer_month: 120}
segments:
  - id: wc
    name: {zh: 流贷, en: Working capital}
    product: working_capital
    count: 40
    amount: {median_cny: 2000000, sigma: 0.4}
    term_months: 36
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.05
    industry: manufacturing
    region: zhejiang
    collateral: {type: property, ltv: 0.6}
    undrawn_share: 0.0
"""


@pytest.fixture(scope="module")
def case():
    return parse_scenario(CASE)


def healthiest(g: Game) -> int:
    """A loan whose objective floor is normal and stays so for a while."""
    return int(np.argmax(np.where(g.sim.cls_objective == LoanClass.NORMAL, g.sim.d, -np.inf)))


def test_classify_worse_than_floor_books_the_class_and_its_provision(case):
    plain, judged = Game(case, seed=4), Game(case, seed=4)
    for g in (plain, judged):
        g.end_month(0)
    i = healthiest(judged)
    judged.classify(i, LoanClass.SUBSTANDARD, "financial_weakness")
    for g in (plain, judged):
        g.end_month(1)
    assert judged.sim.cls_objective[i] == LoanClass.NORMAL
    assert judged.sim.cls[i] == LoanClass.SUBSTANDARD
    m_plain, m_judged = plain.metrics().iloc[-1], judged.metrics().iloc[-1]
    rates = judged.sim.prov_rates
    extra = judged.sim.balance[i] * (rates[LoanClass.SUBSTANDARD] - rates[LoanClass.NORMAL])
    assert m_judged["provisions_cny"] == pytest.approx(m_plain["provisions_cny"] + extra)
    assert m_judged["bal_substandard"] == pytest.approx(
        m_plain["bal_substandard"] + judged.sim.balance[i])
    assert m_judged["npl_ratio"] > m_plain["npl_ratio"]
    # the rest of the book is untouched: same borrowers, same draws
    others = np.arange(case.n_loans) != i
    assert np.array_equal(plain.sim.cls[others], judged.sim.cls[others])


def test_never_better_than_the_floor(case):
    g = Game(case, seed=4)
    g.end_month(0)
    i = healthiest(g)
    g.classify(i, LoanClass.DOUBTFUL, "warning_signals")
    g.end_month(1)
    # lifting to special mention is allowed (still worse than the floor), normal is the floor
    g.classify(i, LoanClass.SPECIAL_MENTION, "conditions_improved")
    g.end_month(2)
    assert g.sim.cls[i] == LoanClass.SPECIAL_MENTION
    # a loan whose floor is special mention or worse cannot be booked normal
    floored = np.flatnonzero(g.sim.cls_objective >= LoanClass.SPECIAL_MENTION)
    for j in floored[:3]:
        with pytest.raises(ActionError) as err:
            g.classify(int(j), LoanClass.NORMAL, "conditions_improved")
        assert err.value.code == "better_than_floor"


def test_judgement_at_the_floor_lifts_it(case):
    g = Game(case, seed=4)
    g.end_month(0)
    i = healthiest(g)
    g.classify(i, LoanClass.SPECIAL_MENTION, "warning_signals")
    g.end_month(1)
    assert g.sim.cls[i] == LoanClass.SPECIAL_MENTION
    g.classify(i, LoanClass.NORMAL, "conditions_improved")
    g.end_month(2)
    assert g.sim.judgement[i] == LoanClass.NORMAL
    assert g.sim.cls[i] == g.sim.cls_objective[i]


def test_reason_is_required_and_from_the_list(case):
    g = Game(case, seed=4)
    g.end_month(0)
    with pytest.raises(ActionError) as err:
        g.classify(healthiest(g), LoanClass.SPECIAL_MENTION, "")
    assert err.value.code == "judgement_reason"
    assert not g.classify_queued


def test_the_engine_refuses_a_strategy_that_books_better_than_the_floor(case):
    """A strategy's Decision cannot do what the desk refuses: the engine clamps to the floor."""
    def decide(obs):
        floored = np.flatnonzero(obs.cls_objective >= LoanClass.SPECIAL_MENTION)
        return Decision(classify=[(int(j), LoanClass.NORMAL, "conditions_improved")
                                  for j in floored])

    sim = Simulation(case, seed=9, decider=decide)
    sim.run()
    assert (sim.cls >= sim.cls_objective).all()
    refused = [why for r in sim.reports for _, a, why in r.rejected if a == "classify"]
    assert refused and set(refused) == {"better_than_floor"}


def test_replay_is_exact_and_the_log_names_the_class(case):
    g = Game(case, seed=6)
    g.end_month(0)
    i = healthiest(g)
    g.classify(i, LoanClass.SPECIAL_MENTION, JUDGEMENT_REASONS[0])
    g.end_month(1)
    entry = g.decision_log[-1]
    assert entry["classify"] == [[i, "special_mention", JUDGEMENT_REASONS[0]]]
    g.classify(i, LoanClass.NORMAL, "conditions_improved")
    while not g.finished:
        g.end_month(g.month)
    r = Game.replay(case, 6, g.decision_log)
    pd.testing.assert_frame_equal(r.metrics(), g.metrics())
    pd.testing.assert_frame_equal(r.sim.rec.event_frame(), g.sim.rec.event_frame())
    ev = g.sim.rec.event_frame()
    ev = ev[ev["event"] == "judgement"]
    assert [(CLASS_KEYS[int(c)], d) for c, d in zip(ev["amount_cny"], ev["details"], strict=True)] \
        == [("special_mention", JUDGEMENT_REASONS[0]), ("normal", "conditions_improved")]


def test_warranted_class_follows_hidden_health(case):
    sim = Simulation(case, seed=4, keep_history=True)
    sim.run()
    for h in sim.history:
        w = h["cls_warranted"]
        on = h["on_books"]
        assert (w[on] >= h["cls_objective"][on]).all()
        assert (w[on & (h["health"] < defaults.WARRANTED_SUBSTANDARD_HEALTH)]
                >= LoanClass.SUBSTANDARD).all()
        assert (w[on & (h["health"] < defaults.WARRANTED_SPECIAL_MENTION_HEALTH)]
                >= LoanClass.SPECIAL_MENTION).all()
    assert CLASS_KEYS[LoanClass.SPECIAL_MENTION] == "special_mention"


def test_the_review_meeting_follows_the_booked_class(case):
    """A loan judged special mention is on the meeting's watch list with that class, and
    the routine checks of its class apply to it."""
    from training.desk import Desk

    d = Desk(case, seed=4)
    d.end_month(0)
    i = healthiest(d)
    d.classify(i, LoanClass.SPECIAL_MENTION, "review_meeting")
    for m in range(1, 3):
        d.end_month(m)
    assert d.sim.cls_objective[i] == LoanClass.NORMAL  # nothing objective put it there
    watch = d.review(3).watch_list.set_index("loan_id")
    assert i in watch.index and watch.loc[i, "cls"] == LoanClass.SPECIAL_MENTION


def test_a_judgement_holds_in_a_month_the_standing_order_also_acts():
    """The desk's decider adds the standing order's legal actions to the trainee's; the
    judgements must ride along (intro, seed 2: the team acts in month 4)."""
    from sim.scenario import load_scenario
    from training.desk import Desk

    d = Desk(load_scenario("scenarios/intro.yaml"), seed=2)
    for m in range(3):
        d.end_month(m)
    i = healthiest(d)
    d.classify(i, LoanClass.SPECIAL_MENTION, "warning_signals")
    d.end_month(3)
    assert [m for m, _, _ in d.standing_log if m == 4], "the standing order acted this month"
    assert d.sim.cls[i] == LoanClass.SPECIAL_MENTION
