"""training.policy_costs: every case is playable in month one, and the costs shown are the game's."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import load_scenario, scenario_paths
from training import policy_costs
from training.desk import Desk as Game

ROOT = Path(__file__).resolve().parents[1]
CASES = scenario_paths(ROOT / "scenarios")
FIELDS = (*policy_costs.EDITABLE_CLASSES, "first_check_days")


def some_action_available(game: Game) -> bool:
    return any(o.available for i in game.loans()["loan_id"] for o in game.options(int(i)))


def take_the_prompts_choices(g: Game) -> policy_costs.PlanLoad:
    """What a trainee does on the plan prompt: field by field, the cheapest choice it shows."""
    for _ in range(len(FIELDS)):
        if policy_costs.plan_load(g).fits:
            break
        field = max(FIELDS, key=lambda f: g.policy_hours() - min(c.hours for c in policy_costs.choices(g, f)))
        cheapest = min(policy_costs.choices(g, field), key=lambda c: c.hours)
        g.set_policy(policy_costs.with_value(g.policy, field, cheapest.value))
    return policy_costs.plan_load(g)


def test_each_choice_costs_what_the_game_would_book():
    g = Game(load_scenario(ROOT / "scenarios" / "rising_lpr.yaml"))
    for field in FIELDS:
        shown = policy_costs.choices(g, field)
        assert sum(c.current for c in shown) == 1
        for c in shown:
            assert c.hours == pytest.approx(g.policy_hours(policy_costs.with_value(g.policy, field, c.value)))
        assert next(c for c in shown if c.current).hours == pytest.approx(g.policy_hours())


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_case_is_playable_in_month_one(path):
    """The opening plan fits, or the prompt's own choices make it fit; then an action can be queued."""
    g = Game(load_scenario(path))
    load = take_the_prompts_choices(g)
    assert load.fits, f"{path.stem}: the plan needs {load.policy_hours} h of {load.available_hours} h"
    assert some_action_available(g), f"{path.stem}: nothing can be queued in month one"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_every_generated_case_is_playable_in_month_one(seed):
    """The same for the generator's cases, short-staffed ones included."""
    from sim.generate import generate

    g = Game(generate(seed, staffing="short"))
    assert take_the_prompts_choices(g).fits
    assert some_action_available(g)
