"""sim.standing_order: defaulted loans go to the asset-preservation team unless the player says no."""

from __future__ import annotations

from pathlib import Path

from sim.engine import simulate
from sim.game import Game
from sim.scenario import load_scenario
from sim.standing_order import StandingOrder

ROOT = Path(__file__).resolve().parents[1]
INTRO = load_scenario(ROOT / "scenarios" / "intro.yaml")


def play(order: StandingOrder | None = None, seed: int = 3) -> Game:
    g = Game(INTRO, seed=seed)
    if order is not None:
        g.set_standing_order(order)
    while not g.finished:
        g.end_month(g.month)
    return g


def lawsuits(events) -> set[int]:
    return set(events.loc[events["event"] == "action_lawsuit", "loan_id"])


def test_a_passive_player_is_worked_out_like_late_collection():
    """With the order kept and nothing else done, the player's defaults are sued as late collection's are."""
    g = play()
    late = simulate(INTRO, seed=3, strategy="late-collection")
    you = g.result()
    assert g.standing_log, "the team took the defaulted loans"
    assert lawsuits(you.events) == lawsuits(late.events)
    assert {i for _, i, a in g.standing_log if a == "lawsuit"} == lawsuits(you.events[you.events["month"] <= 12])


def test_held_loans_and_a_switched_off_order_are_left_alone():
    first = play()
    sued = sorted({i for _, i, a in first.standing_log if a == "lawsuit"})
    held = play(StandingOrder(active=True, held=frozenset(sued[:1])))
    assert sued[0] not in {i for _, i, _ in held.standing_log}
    off = play(StandingOrder(active=False))
    assert off.standing_log == []
    in_case = off.result().events
    assert not lawsuits(in_case[in_case["month"] <= off.horizon])


def test_the_order_is_logged_and_replays_exactly():
    g = play(StandingOrder(active=True, held=frozenset({0})))
    assert all(entry["standing_order"] == {"active": True, "held": [0]} for entry in g.decision_log)
    again = Game.replay(INTRO, 3, g.decision_log)
    assert again.standing_log == g.standing_log
    assert again.result().loss_cny == g.result().loss_cny


def test_a_log_from_before_the_order_replays_without_it():
    g = play(StandingOrder(active=False))
    old = [{k: v for k, v in e.items() if k != "standing_order"} for e in g.decision_log]
    assert Game.replay(INTRO, 3, old).result().loss_cny == g.result().loss_cny
