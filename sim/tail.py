"""After the horizon: every open workout runs to its end, so a loss is final.

The case ends at its horizon, but a lawsuit filed in its last months does not.
Cutting the count at the horizon punished whoever defaulted late: a secured loan
whose auction would fall a month after the end counted as lost, while the same
loan defaulting a month earlier was recovered in full. So after the last month
the asset-preservation team carries on for every strategy alike, under the same
standing order (``sim.standing_order``): no payments, no new defaults, no checks,
only the legal steps, month by month, with the action draws of each month as
before (common random numbers), until nothing is open or ``WORKOUT_TAIL_MONTHS``
have passed. Recoveries are discounted to the month they arrive. Whatever is
still open then keeps its mark at the horizon (``sim.results``).
"""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.interventions.effects import act
from sim.interventions.workouts import DEFAULTED, WRITTEN_OFF
from sim.observation import observe
from sim.recorder import MonthRecord
from sim.standing_order import StandingOrder, standing_actions, team_hours


def open_workouts(sim) -> np.ndarray:
    """Loans whose recovery is not settled: in default on the books, at auction, or in court."""
    # plain ints: comparing a column with an IntEnum member makes numpy probe the enum class
    in_court = (sim.lawsuit_month >= 0) & ~sim.enforced & (sim.status == WRITTEN_OFF)
    return (sim.status == DEFAULTED) | sim.auction_open | in_court


def finish_workouts(sim) -> None:
    """Run the open workouts past the horizon to their end (once per run)."""
    if getattr(sim, "_workouts_finished", False):
        return
    sim._workouts_finished = True
    if sim.env.now < sim.T + 0.5:
        sim.env.run(until=sim.T + 0.5)  # the horizon's month is complete
    sim.streams_at_horizon()
    horizon, last_report = sim.t, sim.month_report
    hours = team_hours(sim.catalogue)
    order = StandingOrder()
    for m in range(sim.T + 1, sim.T + defaults.WORKOUT_TAIL_MONTHS + 1):
        if not open_workouts(sim).any():
            break
        sim.t = m
        sim._u_act = sim.rng_actions.random(sim._u_act.shape)
        sim._done_this_month = set()
        sim._hours_left = 0.0  # the officers are done; the legal team's hours are its own
        sim.month_report = MonthRecord(month=m)
        for i, a in standing_actions(observe(sim), order, hours):
            act(sim, i, a)
        if sim.env.now < m + 0.5:
            sim.env.run(until=m + 0.5)
    sim.t, sim.month_report = horizon, last_report
