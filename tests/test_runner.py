"""Tests for sim.runner: child seeds, replications on any executor (none, a process pool,
Dask when installed) giving identical results in seed order, and the summaries."""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor

import pytest

from sim.engine import simulate
from sim.runner import child_seeds, mean_interval, replicate, replication, summarise
from sim.scenario import parse_scenario

CASE = """
id: runner
title: {zh: 重复, en: Replications}
briefing: {zh: 重复, en: Replications}
horizon_months: 8
staff: {officers: 1}
segments:
  - id: sb
    name: {zh: 小微, en: Small business}
    product: small_business
    count: 40
    amount: {median_cny: 800000, sigma: 0.5}
    term_months: 24
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.05}
    pd_annual: 0.2
    industry: retail
    region: zhejiang
    collateral: {type: property, ltv: 0.6}
"""


@pytest.fixture(scope="module")
def case():
    return parse_scenario(CASE, "runner.yaml")


def test_child_seeds_are_deterministic_and_distinct():
    a = child_seeds(7, 50)
    assert a == child_seeds(7, 50)
    assert len(a) == 50 and len(set(a)) == 50
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in a)
    assert child_seeds(7, 10) == a[:10]  # a longer run extends, never reshuffles
    assert set(child_seeds(8, 50)).isdisjoint(a)
    assert child_seeds(7, 0) == []


def test_replication_is_the_run_summary(case):
    out = replication(case, 5, None, None, None)
    assert "score" not in out
    assert out == simulate(case, seed=5).summary()
    scored = replication(case, 5, 4, "early-warning", None)
    assert scored["months"] == 4
    assert {"index", "loss", "saves", "missed_warnings", "hours", "compliance",
            "npl_ratio_peak"} <= set(scored["score"])


def test_replicate_in_seed_order_with_progress(case):
    seeds = child_seeds(3, 4)
    ticks = []
    out = replicate(case, seeds, strategy="early-warning", progress=ticks.append)
    assert [r["seed"] for r in out] == seeds
    assert sum(ticks) == 4
    for s, r in zip(seeds, out, strict=True):
        assert r == replication(case, s, None, "early-warning", None)


def test_process_pool_gives_identical_results(case):
    seeds = child_seeds(11, 6)
    local = replicate(case, seeds, strategy="early-warning")
    ticks = []
    with ProcessPoolExecutor(2) as pool:
        pooled = replicate(case, seeds, strategy="early-warning", executor=pool,
                           progress=ticks.append)
    assert pooled == local
    assert [r["seed"] for r in pooled] == seeds
    assert sum(ticks) == 6


def test_dask_executor_gives_identical_results(case):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    seeds = child_seeds(12, 3)
    local = replicate(case, seeds, strategy="late-collection")
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = replicate(case, seeds, strategy="late-collection",
                           executor=client.get_executor())
    assert remote == local


def test_mean_interval():
    iv = mean_interval([1.0, 2.0, 3.0, 4.0])
    assert iv["mean"] == pytest.approx(2.5) and iv["n"] == 4
    half = 1.96 * math.sqrt(sum((x - 2.5) ** 2 for x in (1, 2, 3, 4)) / 3) / 2
    assert iv["lo"] == pytest.approx(2.5 - half) and iv["hi"] == pytest.approx(2.5 + half)
    one = mean_interval([7.0])
    assert one == {"mean": 7.0, "lo": 7.0, "hi": 7.0, "n": 1}
    # None and NaN (an index with no avoidable loss) are left out, not counted as zero
    assert mean_interval([None, float("nan"), 2.0, 4.0])["mean"] == pytest.approx(3.0)
    assert mean_interval([None, None]) == {"mean": None, "lo": None, "hi": None, "n": 0}


def test_summarise(case):
    results = replicate(case, child_seeds(4, 3), strategy="early-warning")
    s = summarise(results)
    assert "seed" not in s and "scenario" not in s
    assert s["loss"]["n"] == 3
    assert s["loss"]["mean"] == pytest.approx(sum(r["loss"] for r in results) / 3)
    assert s["score"]["saves"]["mean"] == pytest.approx(
        sum(r["score"]["saves"] for r in results) / 3)
    assert set(s["score"]) >= {"index", "loss", "saves", "missed_warnings"}


def test_cli_replications_are_the_same_on_a_process_pool(capsys):
    from training.cli import main

    args = ["run", "scenarios/intro.yaml", "--reps", "3", "--seed", "5", "--json"]
    assert main(args) == 0
    serial = capsys.readouterr().out
    assert main([*args, "--workers", "2"]) == 0
    assert capsys.readouterr().out == serial
