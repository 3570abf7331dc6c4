"""Tests for sim.results: the typed summary and the discounted loss per loan."""

from __future__ import annotations

import pytest

from sim.engine import simulate
from sim.scenario import load_scenario, scenario_paths


@pytest.fixture(scope="module")
def run():
    sc = load_scenario(next(p for p in scenario_paths() if p.stem == "intro"))
    return simulate(sc, seed=3, strategy="late-collection")


def test_the_summary_names_its_units_and_matches_the_frames(run):
    s = run.summary_record()
    assert s.loss_cny == pytest.approx(run.loans["loss_cny"].sum())
    assert s.npl_ratio_peak == pytest.approx(run.metrics["npl_ratio"].max())
    assert s.provisions_end_cny == run.metrics["provisions_cny"].iloc[-1]
    assert run.summary()["loss"] == s.loss_cny and run.summary()["cost"] == s.cost_cny
