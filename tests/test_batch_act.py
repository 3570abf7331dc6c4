"""A month's actions taken in compiled code (sim.interventions.batch) leave the engine
exactly as taking them one by one through `act` does: the same state, event log, refusals,
hours and money, to the last bit. Checked on the strategies' own lists and on random lists made
to hit every path (a loan's several actions in one month, repeated pairs, legal work in
between, actions the hours cannot cover, loans off the books)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim.engine as engine_module
from sim.engine import Decision, Simulation
from sim.interventions.batch import _batchable, act_many
from sim.interventions.effects import act
from sim.observation import ActionColumns
from sim.scenario import load_scenario
from sim.strategies import make_strategy

ROOT = Path(__file__).resolve().parent.parent
STATE = ("status", "balance", "undrawn", "rate", "rate0", "term", "misses", "dpd", "shift",
         "boost", "d", "e", "extra_collateral", "appraised", "relationship", "entrusted",
         "diverting", "frozen", "closer_until", "restructured_until", "deferral_until",
         "last_check", "last_seen", "first_action", "acted", "costs", "cls", "written_off",
         "recovered", "lawsuit_month", "first_warning", "known_diversion")


def one_by_one(sim, actions) -> None:
    for i, a in actions:
        act(sim, int(i), a)


class RandomActions:
    """Random lists of actions: few loans (so a loan gets several), every kind, repeats."""

    def __init__(self, inner, n_loans: int, per_month: int):
        self.inner, self.n, self.k = inner, n_loans, per_month

    def __call__(self, obs):
        dec = self.inner(obs)
        rng = np.random.default_rng(obs.month)
        kinds = sorted(obs.actions)
        loans = rng.choice(self.n, size=max(self.n // 4, 1), replace=False)
        extra = [(int(rng.choice(loans)), str(rng.choice(kinds))) for _ in range(self.k)]
        cut = int(rng.integers(0, len(dec.actions) + 1))
        return Decision(policy=dec.policy,
                        actions=[*dec.actions[:cut], *extra, *dec.actions[cut:]])


class RandomColumns(RandomActions):
    """RandomActions' lists handed over as ActionColumns (as the triage hands its ranked
    actions): the first few as pairs, the rest as loans and codes into the names of every
    action the case offers, batchable or not."""

    def __call__(self, obs):
        dec = super().__call__(obs)
        listed = list(dec.actions)
        names = tuple(sorted(obs.actions))
        head = int(np.random.default_rng(obs.month + 100).integers(0, 4))
        rest = listed[head:]
        return Decision(policy=dec.policy, actions=ActionColumns(
            listed[:head], np.array([int(i) for i, _ in rest], dtype=np.int64),
            np.array([names.index(a) for _, a in rest], dtype=np.int64), names))


def _run(sc, seed, decider, oracle, batched: bool, monkeypatch):
    monkeypatch.setattr(engine_module, "act_many", act_many if batched else one_by_one)
    sim = Simulation(sc, seed=seed, decider=decider, oracle=oracle)
    sim.run()
    return sim


def _same(a, b) -> None:
    for name in STATE:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name
    assert a.money_spent == b.money_spent
    assert a.hours_log == b.hours_log
    assert a.workout_hours == b.workout_hours
    assert a.rec.event_rows() == b.rec.event_rows()
    assert [r.rejected for r in a.reports] == [r.rejected for r in b.reports]
    assert [r.checks_done for r in a.reports] == [r.checks_done for r in b.reports]
    assert len(a.rec.signals) == len(b.rec.signals)
    for (m1, i1, j1, v1), (m2, i2, j2, v2) in zip(a.rec.signals, b.rec.signals, strict=True):
        assert (m1, v1) == (m2, v2) and np.array_equal(i1, i2) and np.array_equal(j1, j2)


@pytest.mark.parametrize("case,strategy,seed", [
    ("fund_diversion", "early-warning", 3), ("disaster", "oracle", 2),
    ("guarantee_chain", "early-warning", 5), ("real_estate", "oracle", 1),
])
def test_batched_actions_equal_one_by_one_for_the_strategies(case, strategy, seed, monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
    runs = []
    for batched in (True, False):
        strat = make_strategy(strategy)
        runs.append(_run(sc, seed, strat.decide, strat.needs_hidden, batched, monkeypatch))
    _same(*runs)


@pytest.mark.parametrize("case,strategy,per_month", [
    ("disaster", "early-warning", 40), ("fund_diversion", "late-collection", 60),
    ("intro", "oracle", 25), ("small_loan_company", "early-warning", 200),
])
@pytest.mark.parametrize("held", [RandomActions, RandomColumns])
def test_batched_actions_equal_one_by_one_on_random_lists(case, strategy, per_month, held,
                                                         monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
    runs = []
    for batched in (True, False):
        strat = make_strategy(strategy)
        n = Simulation(sc, seed=4, months=1).n
        decider = held(strat.decide, n, per_month)
        runs.append(_run(sc, 4, decider, strat.needs_hidden, batched, monkeypatch))
    _same(*runs)
    assert any(r.rejected for r in runs[0].reports)  # the lists did meet refusals


def test_every_batchable_action_on_every_loan_is_refused_or_taken_as_act_does():
    """Each precondition the compiled loop tests, in each action's order, on every loan at
    several months of a case with a disaster: the same refusals and state as `act`."""
    sc = load_scenario(ROOT / "scenarios" / "disaster.yaml")
    sims = [Simulation(sc, seed=2, decider=make_strategy("early-warning").decide)
            for _ in range(2)]
    for month in (1, 8, 16, 24):
        for sim in sims:
            sim.advance_to(month)
            sim._hours_left = 1e9  # every action fits: only the preconditions refuse
        batched, single = sims
        actions = [(i, a) for a in _batchable(batched) for i in range(batched.n)]
        before = len(batched.month_report.rejected)
        act_many(batched, actions)
        one_by_one(single, actions)
        assert len(batched.month_report.rejected) > before  # some were refused
        assert batched.month_report.rejected == single.month_report.rejected, month
        for name in STATE:
            assert np.array_equal(getattr(batched, name), getattr(single, name)), name
        assert batched.money_spent == single.money_spent
        assert batched.rec.event_rows() == single.rec.event_rows()
