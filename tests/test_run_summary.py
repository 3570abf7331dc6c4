"""Tests for sim.run_summary: what one run of a study gives back. The figures are the
run's own (net value, peak NPL ratio, provisions at the end), the same from a brief run as
from a full result, and saves and the index need the same seed's reference runs."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest

from sim.engine import Simulation, simulate, simulate_brief
from sim.run_summary import FIGURES, SERIES, RunSummary, summarise_run
from sim.scoring import avoidable_stakes, headline_index
from tests.small_book import small_book


@pytest.fixture(scope="module")
def case():
    return small_book("study")


def test_a_replication_without_frames_gives_the_same_figures(case):
    """Studies run without the event, signal and loan frames: every figure and series a
    study reports is the same as from the full result of the same run."""
    names = ("early-warning", "late-collection", "oracle", "do-nothing")
    full = {n: simulate(case, seed=5, strategy=n) for n in names}
    brief = {n: simulate_brief(case, seed=5, strategy=n) for n in names}
    for n in names:
        a = summarise_run(full[n], full["late-collection"], full["oracle"], missed=False)
        b = summarise_run(brief[n], brief["late-collection"], brief["oracle"], missed=False)
        for f in fields(RunSummary):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y)
            elif not (math.isnan(x) and math.isnan(y)):
                assert x == y, (n, f.name)
    assert any(summarise_run(brief[n]).defaults for n in names)  # not an empty book


def test_a_summary_carries_the_runs_own_figures(case):
    run = simulate(case, seed=5, strategy="early-warning")
    s = summarise_run(run)
    assert s.loss_cny == run.loss_cny and s.hours == run.hours
    assert s.net_value_cny == pytest.approx(
        run.interest_cny - run.funding_cny - run.loss_cny - run.cost_cny)
    assert s.funding_cny == run.funding_cny > 0
    metrics = run.metrics
    np.testing.assert_array_equal(s.npl_ratio, metrics["npl_ratio"].to_numpy())
    assert s.npl_ratio_peak == metrics["npl_ratio"].max()
    assert s.provisions_end_cny == metrics["provisions_cny"].iloc[-1]
    assert len(s.npl_ratio) == len(s.provisions_cny) == case.horizon_months


def test_saves_and_the_index_need_the_reference_runs(case):
    runs = {n: simulate(case, seed=2, strategy=n)
            for n in ("early-warning", "late-collection", "oracle")}
    alone = summarise_run(runs["early-warning"])
    assert math.isnan(alone.saves) and math.isnan(alone.index)
    with_late = summarise_run(runs["early-warning"], runs["late-collection"])
    assert not math.isnan(with_late.saves) and math.isnan(with_late.index)
    full = summarise_run(runs["early-warning"], runs["late-collection"], runs["oracle"])
    expected = headline_index(runs["early-warning"].loss_cny, runs["late-collection"].loss_cny,
                              runs["oracle"].loss_cny)
    assert expected is not None and full.index == pytest.approx(expected)
    late = summarise_run(runs["late-collection"], runs["late-collection"])
    assert late.saves == 0  # a run saves nothing against itself


def test_a_futures_index_is_left_out_when_the_oracle_avoided_too_little(case):
    """As the debrief and a single run's score have it (sim.scoring.material_index): on
    seed 5 of this book the oracle avoids less than the stakes, and the ratio of two small
    numbers (0.54 here) is not a figure to keep."""
    runs = {n: simulate(case, seed=5, strategy=n)
            for n in ("early-warning", "late-collection", "oracle")}
    late, oracle = runs["late-collection"].loss_cny, runs["oracle"].loss_cny
    assert late - oracle < avoidable_stakes(late, runs["early-warning"].disbursed_cny)
    full = summarise_run(runs["early-warning"], runs["late-collection"], runs["oracle"])
    assert math.isnan(full.index)


def test_missed_warnings_are_counted_only_when_asked(case):
    run = simulate(case, seed=5, strategy="do-nothing")
    assert not math.isnan(summarise_run(run).missed_warnings)
    assert math.isnan(summarise_run(run, missed=False).missed_warnings)
    assert math.isnan(summarise_run(simulate_brief(case, seed=5, strategy="do-nothing"))
                      .missed_warnings)


def test_figures_and_series_split_the_summary():
    names = [f.name for f in fields(RunSummary)]
    assert set(FIGURES) | set(SERIES) == set(names)
    assert not set(FIGURES) & set(SERIES)


def test_a_run_kept_as_figures_only_refuses_to_build_frames(case):
    """A run without its warning bookkeeping (what simulate_brief runs) would give frames
    without first warnings; it says so instead."""
    run = Simulation(case, seed=5, warnings=False)
    assert run.run_brief().npl_ratio.shape == (case.horizon_months,)
    with pytest.raises(ValueError, match="warnings=True"):
        run.result()
