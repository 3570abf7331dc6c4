"""Tests for sim.checks: which checks fall due, the schedule the desk shows, overload."""

from __future__ import annotations

import numpy as np
import pytest

from sim.checks import due_masks, next_check_month
from sim.engine import Decision, Simulation
from sim.policy import ClassIntervals, MonitoringPolicy
from sim.scenario import load_scenario, scenario_paths
from training.desk import Desk as Game

NO_CHECKS = MonitoringPolicy(interval_months=ClassIntervals(
    normal=0, special_mention=0, substandard=0, doubtful=0, loss=0), first_check_days=0)
LIGHT = MonitoringPolicy(interval_months=ClassIntervals(
    normal=0, special_mention=1, substandard=0, doubtful=0, loss=0), first_check_days=0)
QUARTERLY = MonitoringPolicy(interval_months=ClassIntervals(
    normal=3, special_mention=1, substandard=1, doubtful=0, loss=0), first_check_days=30)


@pytest.fixture(scope="module")
def intro():
    return load_scenario(next(p for p in scenario_paths() if p.stem == "intro"))


def test_the_next_check_shown_is_when_the_engine_requires_it(intro):
    """For every loan, the month the desk shows as the next check is the first month at
    which the engine finds that check due (closer monitoring included)."""
    g = Game(intro, seed=4)
    g.set_policy(LIGHT)
    g.queue(0, "closer_monitoring")
    rep = g.end_month(0)
    assert not rep.rejected
    s = g.sim
    t = g.month
    shown = next_check_month(s, QUARTERLY, t + 1)
    for m in range(t + 1, t + 8):
        first, routine = due_masks(s, QUARTERLY, m)
        due = first | routine
        hit = due & (shown >= m)
        assert (shown[hit] == m).all(), np.flatnonzero(hit & (shown != m))[:5]
        shown = np.where(due, -2, shown)  # found due: done with these loans
    # closer monitoring: loan 0 is checked monthly even where the policy checks no one
    assert next_check_month(s, LIGHT, t + 1)[0] == t + 1
    assert next_check_month(s, NO_CHECKS, t + 1)[0] == t + 1


def test_an_overdue_check_is_shown_as_due_now_never_in_the_past(intro):
    sim = Simulation(intro, seed=2, decider=lambda obs: Decision(policy=QUARTERLY))
    sim.advance_to(3)
    sim.last_check[:] = -10
    sim.never_checked[:] = False
    nxt = next_check_month(sim, QUARTERLY, 4)
    live = sim.status <= 1
    assert (nxt[live] == 4).all()


def test_the_bank_policy_holds_each_loan_to_its_class_interval_or_its_first_check():
    """up_to_policy after month 10's checks: off the books, an interval of 0 and a first
    check not yet due hold no loan; a check within the interval is up to date, one due
    this month and not done is late, and so is a first check past due."""
    from sim.kernels.checks import up_to_policy

    intervals = np.array([3, 1, 1, 1, 0])
    status = np.array([0, 0, 0, 1, 2, 0, 0])  # 4: off the books
    never = np.array([False, False, False, False, False, True, False])
    last = np.array([8, 7, 10, 9, 0, -1, 2], dtype=np.int32)
    cls = np.array([0, 0, 1, 2, 0, 0, 4], dtype=np.int8)  # 6: loss class, no routine check
    # 0 checked 2 months ago (3 allowed): current; 1: due this month, not done: late;
    # 2 checked this month; 3 defaulted, substandard, checked last month: late
    assert up_to_policy(10, 1, status, never, last, cls, intervals, False) == (4, 2)
    assert up_to_policy(10, 1, status, never, last, cls, intervals, True) == (5, 2)


def test_an_officer_who_books_no_checks_falls_behind_the_bank_policy(intro):
    """Against its own empty policy nothing was required of it; against the case's own
    policy it is far behind the officer who runs that policy."""
    own = Simulation(intro, seed=3, decider=lambda obs: Decision(policy=intro.monitoring))
    none = Simulation(intro, seed=3, decider=lambda obs: Decision(policy=NO_CHECKS))
    kept, skipped = own.run(), none.run()
    assert skipped.compliance["required"].sum() == 0
    assert skipped.policy_compliance is not None and kept.policy_compliance is not None
    assert skipped.policy_compliance < 0.5 < kept.policy_compliance


def test_checks_given_fewer_hours_than_they_need_are_done_oldest_first_unrushed():
    """Decision.routine_hours: checks beyond the hours given slip, first in next month's
    queue; those done are done in full (quality 1), and the hours left stay for other
    work. Without it the same overload rushes every check it can into a formality."""
    from sim.checks import _fit

    hours = np.array([4.0, 4.0, 4.0, 4.0])
    idx = np.array([7, 3, 9, 1])
    done, quality, spent = _fit(hours, idx, avail=40.0, cap=10.0)
    assert done.tolist() == [7, 3] and quality == 1.0 and spent == 8.0
    done, quality, spent = _fit(hours, idx, avail=10.0)
    assert len(done) > 2 and quality < 1.0 and spent == 10.0  # rushed
    assert _fit(hours, idx, avail=40.0, cap=16.0)[0].tolist() == idx.tolist()


def test_policy_load_is_each_loans_routine_check_over_its_interval():
    from sim.checks import ROUTINE, policy_load

    sim = Simulation(load_scenario(next(p for p in scenario_paths() if p.stem == "intro")), seed=1)
    sim.cls[:] = 0
    sim.cls[:5] = 1  # five on the watch list: monthly under QUARTERLY
    on = sim.status <= 1
    h = sim.check_hours[:, ROUTINE]
    want = h[on][5:].sum() / 3 + h[on][:5].sum()
    assert policy_load(sim, QUARTERLY, 1) == pytest.approx(want)
    assert policy_load(sim, NO_CHECKS, 1) == 0.0
