"""Tests for sim.runner: `bianque run --reps` on the study runner, with the keys it has
always printed, identical on a process pool."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import simulate
from sim.runner import child_seeds, replicate, run_summary_stats
from sim.study import builtin
from tests.small_book import small_book


@pytest.fixture(scope="module")
def case():
    return small_book("runner")


def test_child_seeds_are_deterministic_and_distinct():
    a = child_seeds(7, 50)
    assert a == child_seeds(7, 50)
    assert len(a) == 50 and len(set(a)) == 50
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in a)
    assert child_seeds(7, 10) == a[:10]  # a longer run extends, never reshuffles
    assert set(child_seeds(8, 50)).isdisjoint(a)
    assert child_seeds(7, 0) == []


def test_unscored_replications_are_the_run_summaries(case):
    res = replicate(case, builtin("do-nothing"), reps=3, seed=5, scored=False)
    stats = run_summary_stats(res)
    assert "score" not in stats
    runs = [simulate(case, seed=s).summary() for s in child_seeds(5, 3)]
    for key in ("loss", "defaults", "npl_ratio_peak", "hours", "default_rate", "npl_ratio_end",
                "loss_rate"):
        assert stats[key]["mean"] == pytest.approx(np.mean([r[key] for r in runs])), key
        assert stats[key]["n"] == 3


def test_scored_replications_carry_the_score(case):
    stats = run_summary_stats(replicate(case, builtin("early-warning"), reps=3, seed=4))
    assert {"index", "loss", "saves", "missed_warnings", "hours", "compliance",
            "npl_ratio_peak", "loss_late", "loss_oracle", "net_value"} <= set(stats["score"])
    assert stats["score"]["loss"] == stats["loss"]
    assert stats["score"]["saves"]["n"] == 3


def test_cli_replications_are_the_same_on_a_process_pool(capsys):
    from training.cli import main

    args = ["run", "scenarios/intro.yaml", "--reps", "3", "--seed", "5", "--json",
            "--strategy", "early-warning"]
    assert main(args) == 0
    serial = capsys.readouterr().out
    assert main([*args, "--workers", "2"]) == 0
    assert capsys.readouterr().out == serial
