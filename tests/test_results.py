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


def test_a_shock_fading_after_the_end_is_not_held_for_a_year_in_the_mark():
    """A loan still performing at the end carries its chance of defaulting within a year.
    A disaster still fading at the end fades on schedule in that year: the mark uses its
    average over the year ahead, not its strength on the last day held for twelve months
    (which charged a strategy that carried flood-hit borrowers through more than the loans
    later cost)."""
    import numpy as np

    from sim.credit import default_ahead
    from sim.engine import _simulation
    from sim.results import horizon_loss, shock_relief_ahead
    from sim.storyline import Disaster

    sc = load_scenario(next(p for p in scenario_paths() if p.stem == "disaster"))
    late = [ev.model_copy(update={"month": sc.horizon_months - 1}) if isinstance(ev, Disaster)
            else ev for ev in sc.macro]
    sc = sc.model_copy(update={"macro": late})
    sim = _simulation(sc, 3, None, "do-nothing", None, warnings=False)
    sim.run_brief()
    relief = shock_relief_ahead(sim)
    hit = sim.pf.region == sim.pf.regions.index(late[[isinstance(e, Disaster)
                                                      for e in late].index(True)].region)
    assert (relief >= 0).all() and (relief[hit] > 0).all() and (relief[~hit] == 0).all()
    live = np.flatnonzero(hit & (sim.status == 0) & ~sim.defaulted)
    assert len(live)
    held = default_ahead(sim.e[live], sim.e[live] - sim.d[live])
    lifted = default_ahead(sim.e[live], sim.e[live] - sim.d[live] - relief[live])
    assert (lifted <= held).all() and (lifted < held).any()
    assert np.isfinite(horizon_loss(sim)).all()


def test_funding_charges_the_performing_balance_at_the_cases_rate():
    """Net value counts interest net of funding: the performing balance each month at the
    case's funding_rate_annual / 12, so a case funded at twice the rate pays twice, and a
    case funded at nothing pays nothing."""
    from sim.engine import simulate_brief

    (path,) = [p for p in scenario_paths() if p.stem == "intro"]
    sc = load_scenario(path)
    runs = {r: simulate_brief(sc.model_copy(update={"funding_rate_annual": r}), seed=3,
                              strategy="late-collection") for r in (0.0, 0.021, 0.042)}
    assert runs[0.0].funding_cny == 0.0
    assert runs[0.042].funding_cny == pytest.approx(2 * runs[0.021].funding_cny)
    assert runs[0.0].interest_cny == runs[0.042].interest_cny  # funding moves nothing else
    # a year of the whole book at most: the balance only falls as loans repay
    disbursed = runs[0.021].disbursed_cny
    assert 0 < runs[0.021].funding_cny < 0.021 * disbursed * sc.horizon_months / 12
