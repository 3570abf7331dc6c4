"""Tests for sim.credit: the Vasicek anchors, the health barrier, the run-statistic table,
and the calibration property measured through the engine (do-nothing, no shocks)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.special import ndtr, ndtri

from sim import defaults
from sim.credit import barrier, factor_step, run_statistic_table, vasicek_quantile
from sim.engine import Simulation, simulate
from sim.scenario import parse_scenario
from sim.strategies import DoNothing

HOMOGENEOUS = """
id: calibration-test
title: {{zh: 校准, en: Calibration}}
briefing: {{zh: 同质组合, en: One homogeneous segment}}
horizon_months: 12
staff: {{officers: 1}}
segments:
  - id: homogeneous
    name: {{zh: 同质, en: Homogeneous}}
    product: working_capital
    count: 2000
    amount: {{median_cny: 1000000, sigma: 0.0}}
    term_months: 36
    repayment: interest_only_bullet
    rate: {{kind: fixed, annual: 0.045}}
    pd_annual: {p}
    rho: {rho}
    industry: generic
    region: generic
    collateral: {{type: none}}
"""

CALIBRATION_SEEDS = 600
"""Seeds per (p, rho) pair. One do-nothing run of 2,000 loans over 12 months takes about
35-45 ms without building the result frames, so a pair takes 20-27 s on a loaded
2-core machine. With 600 seeds the standard error of the 99% quantile is about 10%
(rho 0.12) to 15% (rho 0.24) of its value; the seeds are fixed, so the test is
deterministic."""


def homogeneous(p: float, rho: float):
    return parse_scenario(HOMOGENEOUS.format(p=p, rho=rho), "calibration-test.yaml")


# --------------------------------------------------------------------- Vasicek anchors
def test_vasicek_quantile_matches_domain_anchor():
    # domain.md: at p = 2%, rho = 12% the 99.9% worst-case default rate is about 14.7%
    assert vasicek_quantile(0.02, 0.12, 0.999) == pytest.approx(0.147, abs=0.0015)


@pytest.mark.parametrize("p,rho,q", [(0.02, 0.12, 0.9), (0.05, 0.2, 0.99), (0.01, 0.24, 0.5)])
def test_vasicek_quantile_formula(p, rho, q):
    expected = ndtr((ndtri(p) + np.sqrt(rho) * ndtri(q)) / np.sqrt(1 - rho))
    assert vasicek_quantile(p, rho, q) == pytest.approx(expected, rel=1e-12)


def test_vasicek_quantile_degenerate_and_monotone():
    # without correlation every quantile is the PD itself
    for q in (0.1, 0.5, 0.99):
        assert vasicek_quantile(0.03, 0.0, q) == pytest.approx(0.03, rel=1e-12)
    qs = [vasicek_quantile(0.02, 0.12, q) for q in (0.5, 0.9, 0.99, 0.999)]
    assert qs == sorted(qs) and len(set(qs)) == 4
    # more correlation, fatter tail
    assert vasicek_quantile(0.02, 0.24, 0.999) > vasicek_quantile(0.02, 0.12, 0.999)


# ------------------------------------------------------------------ run-statistic table
def test_run_statistic_table_is_deterministic():
    probs1, table1 = run_statistic_table.__wrapped__()
    probs2, table2 = run_statistic_table.__wrapped__()
    np.testing.assert_array_equal(probs1, probs2)
    np.testing.assert_array_equal(table1, table2)
    # and the cached copy the engine uses is the same table
    probs3, table3 = run_statistic_table()
    np.testing.assert_array_equal(table1, table3)


def test_run_statistic_table_shape():
    grid, pd_grid = run_statistic_table()
    assert grid.shape == pd_grid.shape
    assert np.all(np.diff(grid) > 0), "barriers increase"
    assert np.all(np.diff(pd_grid) > 0), "so does the default probability"
    assert 0.0 <= pd_grid[0] < 1e-3 and 0.5 < pd_grid[-1] <= 1.0
    assert np.all(np.isfinite(grid))


def test_run_statistic_table_single_iid_draw_is_standard_normal():
    # with phi = 0, one month and one miss to default, the next health is a fresh draw
    grid, pd_grid = run_statistic_table.__wrapped__(phi=0.0, misses=1, months=1)
    inner = (pd_grid > 0.01) & (pd_grid < 0.99)
    np.testing.assert_allclose(pd_grid[inner], ndtr(grid[inner]), atol=0.01)


def test_run_statistic_table_is_the_default_probability_law():
    """F(c) is the 12-month probability of three misses in a row for a loan that starts
    above the barrier: check it against an independent simulation of the AR(1) health."""
    grid, pd_grid = run_statistic_table()
    phi = defaults.IDIO_PHI_MONTHLY
    rng = np.random.default_rng(12345)
    n = 200_000
    c = float(np.interp(0.05, pd_grid, grid))  # the barrier for a 5% annual PD
    e = ndtri(ndtr(c) + rng.random(n) * (1 - ndtr(c)))  # stationary law above c
    misses = np.zeros(n, dtype=int)
    defaulted = np.zeros(n, dtype=bool)
    for _ in range(12):
        e = phi * e + np.sqrt(1 - phi * phi) * rng.standard_normal(n)
        misses = np.where(e < c, misses + 1, 0)
        defaulted |= misses >= defaults.MISSES_TO_DEFAULT
    assert defaulted.mean() == pytest.approx(0.05, rel=0.05)


# ----------------------------------------------------------------------------- barrier
def test_barrier_increases_with_pd():
    gp = ndtri(np.array([0.001, 0.01, 0.02, 0.05, 0.1, 0.3]))
    c = barrier(gp, np.full(6, np.sqrt(0.12)), np.zeros(6))
    assert np.all(np.diff(c) > 0)


def test_barrier_falls_as_the_economy_improves():
    x = np.linspace(-3, 2, 11)
    c = barrier(np.full(11, ndtri(0.02)), np.full(11, np.sqrt(0.2)), x)
    assert np.all(np.diff(c) < 0)
    # far in the good tail the conditional PD drops below the table's first probability
    # (1/4096) and the barrier stays at the table's end: never increasing
    far = barrier(np.full(3, ndtri(0.02)), np.full(3, np.sqrt(0.2)), np.array([2.0, 3.0, 4.0]))
    assert np.all(np.diff(far) <= 0)


def test_barrier_sensitivity_grows_with_rho():
    x = np.array([-2.0, 2.0])
    gp = np.full(2, ndtri(0.02))
    low = barrier(gp, np.full(2, np.sqrt(0.05)), x)
    high = barrier(gp, np.full(2, np.sqrt(0.24)), x)
    assert high[0] - high[1] > low[0] - low[1] > 0


def test_barrier_without_correlation_ignores_the_factor_and_hits_the_pd():
    x = np.array([-2.5, 0.0, 2.5])
    c = barrier(np.full(3, ndtri(0.04)), np.zeros(3), x)
    assert c[0] == c[1] == c[2]
    grid, pd_grid = run_statistic_table()
    assert np.interp(c[0], grid, pd_grid) == pytest.approx(0.04, rel=1e-3)


def test_factor_step_keeps_unit_variance():
    rng = np.random.default_rng(7)
    x = rng.standard_normal(100_000)
    for _ in range(24):
        x = factor_step(x, rng.standard_normal(x.size), 0.85)
    assert x.mean() == pytest.approx(0.0, abs=0.02)
    assert x.std() == pytest.approx(1.0, abs=0.02)


# ----------------------------------------------------------- calibration through the engine
def default_rate(sc, seed: int) -> float:
    """The 12-month default rate of one do-nothing run, without building result frames."""
    sim = Simulation(sc, seed=seed, decider=DoNothing().decide)
    sim.env.run()
    return float((sim.default_month >= 0).mean())


def test_fast_default_rate_is_the_summary_default_rate():
    sc = homogeneous(0.05, 0.2)
    for seed in (0, 1, 2):
        assert default_rate(sc, seed) == simulate(sc, seed=seed, strategy="do-nothing").summary()[
            "default_rate"]


@pytest.mark.slow
@pytest.mark.parametrize("p,rho", [(0.02, 0.12), (0.05, 0.2), (0.01, 0.24)])
def test_vasicek_calibration_through_the_engine(p, rho):
    sc = homogeneous(p, rho)
    start = time.perf_counter()
    rates = np.array([default_rate(sc, seed) for seed in range(CALIBRATION_SEEDS)])
    elapsed = time.perf_counter() - start
    report = {
        "mean": (rates.mean(), p),
        "q90": (np.quantile(rates, 0.9), vasicek_quantile(p, rho, 0.9)),
        "q99": (np.quantile(rates, 0.99), vasicek_quantile(p, rho, 0.99)),
    }
    text = ", ".join(f"{k} {got:.4f} vs {want:.4f} ({got / want - 1:+.1%})"
                     for k, (got, want) in report.items())
    print(f"p={p} rho={rho}: {text}; {CALIBRATION_SEEDS} seeds in {elapsed:.1f} s")
    assert report["mean"][0] == pytest.approx(p, rel=0.10), text
    assert report["q90"][0] == pytest.approx(report["q90"][1], rel=0.20), text
    assert report["q99"][0] == pytest.approx(report["q99"][1], rel=0.20), text
