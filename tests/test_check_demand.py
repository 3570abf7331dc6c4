"""A strategy's check demand (sim.checks.policy_demand, what Observation.check_demand
gives) equals `policy_hours` to the last bit, for every candidate policy, at every month,
first checks booked or not."""

from __future__ import annotations

from pathlib import Path

from sim import checks
from sim.engine import Simulation
from sim.scenario import MonitoringPolicy, load_scenario
from sim.strategies import make_strategy
from sim.strategies.triage import POLICIES

ROOT = Path(__file__).resolve().parent.parent
OTHERS = (MonitoringPolicy(),
          MonitoringPolicy.model_validate({"interval_months": {"normal": 6, "loss": 1},
                                           "first_check_days": 15}))


def test_check_demand_equals_policy_hours():
    sc = load_scenario(ROOT / "scenarios" / "small_loan_company.yaml")
    strat = make_strategy("early-warning")
    sim = Simulation(sc, seed=2, decider=strat.decide)
    for month in range(0, sc.horizon_months, 4):
        sim.advance_to(month)
        for t in (month + 1, 1):
            demand = checks.policy_demand(sim, t)
            for policy in (*POLICIES, *OTHERS):
                want = checks.policy_hours(sim, policy, t)
                assert demand(policy) == want
                assert demand(policy) == want  # asked again: the same figure


def test_check_demand_sums_alike_when_hours_do_not_add_up_exactly():
    """Hours that are no multiple of a power of two (0.3 h) cannot be summed from a table
    of partial sums to the same bit; the demand then sums the loans' hours as
    `policy_hours` does, and still equals it."""
    sc = load_scenario(ROOT / "scenarios" / "small_loan_company.yaml")
    sim = Simulation(sc, seed=3, decider=make_strategy("early-warning").decide)
    sim.advance_to(12)
    assert sim._check_hours_exact
    sim.check_hours = sim.check_hours * 0.3
    sim._check_hours_exact = None
    demand = checks.policy_demand(sim, 13)
    for policy in (*POLICIES, *OTHERS):
        assert demand(policy) == checks.policy_hours(sim, policy, 13)
    assert sim._check_hours_exact is False
