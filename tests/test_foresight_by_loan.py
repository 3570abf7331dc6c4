"""The oracle's foresight projects loan by loan what the engine runs month by month.

sim.foresight._look_ahead walks each loan on the books through its months alone, then a
loan of a guarantee chain again whenever the month its guarantor or a loan it guarantees
defaults in moves, where the engine's tick moves the whole book a month at a time. The
two must agree to the last bit on the books where loans touch one another: guarantee
chains whose defaults strike within the window (a claim on the guarantor, a guarantee
lost for the guaranteed), and borrowers whose loans share one health (a named borrower's
further loans, a segment's loans shared with another's borrowers). Generated case 12 has
both.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import defaults
from sim.codes import LoanStatus
from sim.engine import Simulation
from sim.generate import generate
from sim.observation import Decision
from sim.strategies.base import NO_CHECKS

MONTHS = (1, 2, 5, 9, 13)


class Watching:
    """Does nothing; keeps the foresight of each month in MONTHS and, for each loan,
    whether it was on the books, whether its guarantor was foreseen to default with months
    of the window left after it (so the lost guarantee strikes within the window), and
    whether a loan it guarantees was (so the claim on it does)."""

    needs_hidden = True

    def __init__(self, guarantor: np.ndarray):
        self.guarantor = guarantor
        self.seen: dict[int, tuple] = {}

    def decide(self, obs):
        if obs.month in MONTHS:
            f = obs.hidden.foresight
            on = obs.status <= LoanStatus.DEFAULTED
            guaranteed = (self.guarantor >= 0) & on
            struck = np.zeros(len(on), dtype=bool)
            called = np.zeros(len(on), dtype=bool)
            if f.health.shape[0] > 2:
                struck[guaranteed] = f.margin[self.guarantor[guaranteed]] < 0
                called[self.guarantor[guaranteed & (f.margin < 0)]] = True
                called &= on
            self.seen[obs.month] = (f, on, struck, called)
        return Decision(policy=NO_CHECKS)


@pytest.fixture(scope="module")
def watched():
    sc = generate(12)
    sim = Simulation(sc, seed=1, decider=None, oracle=True, keep_history=True)
    watch = Watching(sim.pf.guarantor)
    sim.decider = watch.decide
    sim.run()
    return sc, sim, watch


def test_the_case_has_what_the_loan_by_loan_projection_must_get_right(watched):
    _, sim, watch = watched
    b = sim.pf.borrower
    assert sim._health_shared and (b != np.arange(len(b))).sum() > 100, \
        "borrowers holding several loans"
    assert any(struck.any() for _, _, struck, _ in watch.seen.values()), \
        "a guarantor foreseen to default within the window"
    assert any(called.any() for *_, called in watch.seen.values()), \
        "a guaranteed loan foreseen to default within the window, its guarantor on the books"


def test_the_foresight_is_the_runs_own_future_loan_by_loan(watched):
    """Each month's foresight of the loans on the books is the health the run then had;
    the loans off them have none (NaN)."""
    sc, sim, watch = watched
    assert set(watch.seen) == set(MONTHS)
    for month, (f, on, *_) in watch.seen.items():
        window = f.health.shape[0]
        assert window == min(defaults.FORESIGHT_MONTHS, sc.horizon_months - month + 1)
        real = np.array([h["health"] for h in sim.history[month - 1:month - 1 + window]])
        np.testing.assert_array_equal(f.health[:, on], real[:, on])
        assert np.isnan(f.health[:, ~on]).all()
        defaulted = (sim.default_month >= month) & (sim.default_month < month + window)
        np.testing.assert_array_equal(f.defaults(), defaulted & (f.margin < np.inf))
