"""The lesson must emerge from the model: properties every shipped case must keep.

Over 200 seeds of each case: mean loss is ordered oracle < early-warning <
late-collection <= do-nothing, and the early-warning index is in [0.3, 0.9].
Trade-offs: checking everyone monthly scores worse than a tuned interval, and
recalling every loan at its first warning scores worse than targeted action.
If a parameter change breaks one of these, this file says which and by how much.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from sim.draws import DrawTape
from sim.engine import simulate, simulate_brief
from sim.scenario import load_scenario, scenario_paths
from sim.strategies import load_rules

SEEDS = 200
STRATEGIES = ("do-nothing", "late-collection", "early-warning", "oracle")
CASES = [p for p in scenario_paths() if load_scenario(p).published]
RULES = Path(__file__).resolve().parent.parent / "scenarios" / "rules"


@cache
def _case(path: str):
    """The case, read once per worker process (not once per seed)."""
    return load_scenario(path)


def _losses(args: tuple[str, int]) -> list[float]:
    """Each strategy's loss on one seed: the runs' figures only, the seed's months drawn once
    for all four (sim.draws): the same losses as four full `simulate` runs."""
    path, seed = args
    tape = DrawTape()
    return [simulate_brief(_case(path), seed=seed, strategy=s, tape=tape).loss_cny
            for s in STRATEGIES]


@cache
def mean_losses(path: str) -> dict[str, float]:
    with ProcessPoolExecutor(2) as ex:
        res = np.array(list(ex.map(_losses, [(path, s) for s in range(SEEDS)], chunksize=10)))
    return dict(zip(STRATEGIES, res.mean(axis=0), strict=True))


def test_every_case_is_checked():
    assert len(CASES) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_loss_ordering_and_headroom(path):
    m = mean_losses(str(path))
    figures = ", ".join(f"{k} {v / 1e6:.2f}M" for k, v in m.items())
    assert m["oracle"] < m["early-warning"], figures
    assert m["early-warning"] < m["late-collection"], figures
    assert m["late-collection"] <= m["do-nothing"], figures
    index = (m["late-collection"] - m["early-warning"]) / (m["late-collection"] - m["oracle"])
    assert 0.3 <= index <= 0.9, f"early-warning index {index:.2f}; {figures}"


def _net(args: tuple[str, int, str]) -> tuple[float, float]:
    path, seed, rules = args
    r = simulate(load_scenario(path), seed=seed, rules=load_rules(rules))
    return r.interest_cny - r.loss_cny - r.cost_cny, r.check_quality


def _mean_net(case: str, rules: str, seeds: int = 60) -> tuple[float, float]:
    path = str(Path(__file__).resolve().parent.parent / "scenarios" / f"{case}.yaml")
    with ProcessPoolExecutor(2) as ex:
        res = np.array(list(ex.map(_net, [(path, s, str(RULES / rules)) for s in range(seeds)])))
    return float(res[:, 0].mean()), float(res[:, 1].mean())


@pytest.mark.slow
def test_checking_everyone_monthly_is_worse_than_a_tuned_interval():
    monthly, q_monthly = _mean_net("small_loan_company", "monthly_all.yaml")
    tuned, q_tuned = _mean_net("small_loan_company", "tuned.yaml")
    assert q_monthly < q_tuned, "overload should turn checks into formalities"
    assert monthly < tuned, f"monthly {monthly / 1e6:.2f}M vs tuned {tuned / 1e6:.2f}M"


@pytest.mark.slow
@pytest.mark.parametrize("case", ["review_meeting", "small_loan_company"])
def test_recalling_at_the_first_warning_is_worse_than_targeted_action(case):
    recall, _ = _mean_net(case, "accelerate_first_warning.yaml", seeds=40)
    tuned, _ = _mean_net(case, "tuned.yaml", seeds=40)
    assert recall < tuned, f"recall {recall / 1e6:.2f}M vs targeted {tuned / 1e6:.2f}M"
