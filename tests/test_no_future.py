"""No information from the future: nothing the desk or a strategy sees is dated after the
month being decided, and the next check is never in the past."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine import Simulation, simulate
from sim.scenario import load_scenario
from sim.strategies import BUILT_IN, EarlyWarning, make_strategy
from training.desk import Desk as Game

ROOT = Path(__file__).resolve().parents[1]
CASES = ("intro", "fund_diversion", "rising_lpr")
MONTH_COLUMNS = ("month", "received_month", "quarter_month", "last_appraisal_month")


def months_in(frame: pd.DataFrame) -> list[int]:
    return [int(m) for c in MONTH_COLUMNS if c in frame.columns for m in frame[c] if m == m]


@pytest.mark.parametrize("case", CASES)
def test_the_desk_shows_nothing_dated_after_the_month_being_played(case):
    sc = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
    g = Game(sc, seed=4)
    looked = 0
    while g.month < min(9, g.horizon - 1):
        now = g.playing_month
        alerts = g.alerts(since_month=0)
        assert (alerts["month"] <= now).all() and (alerts["age_months"] >= 0).all()
        assert (g.events()["month"] <= now).all()
        loans = g.loans()
        assert (loans["last_check_month"] <= g.month).all()
        nxt = loans["next_check_month"]
        assert ((nxt == -1) | (nxt >= now)).all(), "a next check in the past"
        for i in [*alerts["loan_id"].head(3), 0]:
            lf = g.loan_file(int(i))
            for frame in (lf.signals, lf.actions, lf.payments, lf.turnover, lf.statements):
                assert all(m <= now for m in months_in(frame)), (case, g.month, i)
            looked += 1
        # the trainee checks an alerted loan now and then, so checks and actions are dated too
        for i in alerts["loan_id"].head(1):
            if any(o.id == "onsite_check" and o.available for o in g.options(int(i))):
                g.queue(int(i), "onsite_check")
        g.end_month(g.month)
    assert looked


@pytest.mark.parametrize("case", CASES)
def test_a_strategys_observation_carries_no_later_month(case):
    sc = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
    seen: list[tuple[int, int]] = []

    class Watching(EarlyWarning):
        def decide(self, obs):
            seen.append((obs.month, int(np.max(obs.last_seen))))
            return super().decide(obs)

    simulate(sc, seed=4, strategy=Watching())
    assert seen and all(latest <= month for month, latest in seen)


def test_closer_monitoring_brings_the_next_check_to_next_month():
    sc = load_scenario(ROOT / "scenarios" / "intro.yaml")
    g = Game(sc, seed=4)
    for _ in range(3):
        g.end_month(g.month)
    loans = g.loans()
    later = loans[(loans["next_check_month"] > g.playing_month + 1) & (loans["status"] == "active")]
    i = int(later["loan_id"].iloc[0])
    g.queue(i, "closer_monitoring")
    g.end_month(g.month)
    assert int(g.loans().loc[i, "next_check_month"]) == g.playing_month, "monthly checks from now on"


def test_a_check_the_trainee_ordered_counts_in_the_months_report():
    sc = load_scenario(ROOT / "scenarios" / "intro.yaml")
    g = Game(sc, seed=4)
    g.queue(7, "onsite_check")
    rep = g.end_month(0)
    assert rep.checks_done >= 1


@pytest.mark.parametrize("name", [s for s in BUILT_IN if s != "oracle"])
def test_only_the_oracle_is_given_the_months_ahead(name):
    """The engine draws the months ahead (the oracle's foresight, sim.foresight) only for a
    strategy that needs the hidden state; every other one sees no hidden state at all."""
    sc = load_scenario(ROOT / "scenarios" / "intro.yaml")
    strategy = make_strategy(name)
    seen = []

    def decide(obs):
        seen.append(obs.hidden)
        return strategy.decide(obs)

    sim = Simulation(sc, seed=4, months=3, decider=decide, oracle=strategy.needs_hidden)
    sim.run()
    assert sim._ahead is None
    assert len(seen) == 3 and all(h is None for h in seen)
    oracle = make_strategy("oracle")
    assert oracle.needs_hidden and Simulation(sc, seed=4, oracle=True)._ahead is not None


def test_the_desk_shows_a_borrowers_hidden_story_only_through_its_traces():
    """The intro's Mingtai runs short of cash in month 8 (a health shock the bank cannot
    see) after a sales drop in month 2 (seen at once as falling turnover). The desk's month
    report used to print the hidden event's note ("Cash runs short; the firm stops paying
    its steel supplier") as it happened; now it shows only what leaves a trace, and the
    whole story once the case is over."""
    sc = load_scenario(ROOT / "scenarios" / "intro.yaml")
    g = Game(sc, seed=4)
    while g.month < 9:
        g.end_month(g.month)
    seen = set(g.events()["event"])
    assert "scripted_sales_drop" in seen and "scripted_tax_arrears" in seen
    assert "scripted_health_shock" not in seen
    assert "scripted_health_shock" not in set(g.last_report.events["event"]) | set(
        g.events(8)["event"])
    while not g.finished:
        g.end_month(g.month)
    assert "scripted_health_shock" in set(g.events()["event"])
