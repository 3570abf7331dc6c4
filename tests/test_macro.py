"""Tests for sim.macro: the collateral index path and the shock vector."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import Simulation
from sim.macro import index_value, shocks
from sim.scenario import load_scenario, scenario_paths


def test_the_collateral_index_is_piecewise_linear_from_one():
    pts = [(6, 0.9), (12, 0.8)]
    assert index_value([], 7) == 1.0
    assert index_value(pts, 0) == 1.0
    assert index_value(pts, 3) == pytest.approx(0.95)
    assert index_value(pts, 9) == pytest.approx(0.85)
    assert index_value(pts, 30) == pytest.approx(0.8)


def test_a_disaster_hits_its_region_and_fades():
    sc = load_scenario(next(p for p in scenario_paths() if p.stem == "disaster"))
    ev = next(e for e in sc.macro if e.type == "disaster")
    sim = Simulation(sc, seed=1)
    sim.advance_to(ev.month)
    region = sim.pf.regions.index(ev.region)
    hit = sim.pf.region == region
    x0 = np.zeros(len(sim._group_of))
    _, at_start = shocks(sim, ev.month, x0)
    _, later = shocks(sim, ev.month + ev.duration_months - 1, x0)
    assert (at_start[hit] < 0).all() and (at_start[~hit] == 0).all()
    assert (later[hit] > at_start[hit]).all()
