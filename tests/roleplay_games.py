"""Helpers of the tests that play role-play conversations in a case (test_roleplay.py,
test_game_meetings.py): a shipped case with a light check policy, play until a condition
holds, a one-term conversation."""

from __future__ import annotations

from pathlib import Path

from sim.policy import ClassIntervals, MonitoringPolicy
from sim.roleplay import Roleplay
from sim.scenario import load_scenario
from training.desk import Desk as Game  # sim.game.Game with the loan file and the book

ROOT = Path(__file__).resolve().parents[1]
LIGHT = MonitoringPolicy(interval_months=ClassIntervals(
    normal=12, special_mention=3, substandard=3, doubtful=3))
"""A light routine-check policy, so the short-staffed cases leave hours for a meeting."""


def game(case: str, roleplays=None) -> Game:
    g = Game(load_scenario(ROOT / "scenarios" / f"{case}.yaml"), roleplays=roleplays)
    g.set_policy(LIGHT)
    return g


def until(g: Game, cond, limit: int | None = None) -> None:
    while not cond(g):
        assert not g.finished and g.month < (limit or g.horizon), "condition never held"
        g.end_month(g.month)


def single_term_roleplay(kind: str, case: str, borrower: str) -> Roleplay:
    data = {
        "kind": "roleplay", "id": f"t_{kind}", "title": {"zh": "测", "en": "t"},
        "summary": {"zh": "测", "en": "t"}, "setting": {"zh": "测", "en": "t"},
        "borrower_brief": {"zh": "测", "en": "t"}, "case": case, "borrower": borrower,
        "start": "a",
        "nodes": {"a": {"lines": [{"text": {"zh": "好", "en": "ok"}}],
                        "choices": [{"id": "agree", "text": {"zh": "同意", "en": "agree"},
                                     "relationship": -0.2, "terms": [{"kind": kind}]}]}},
    }
    return Roleplay.model_validate(data)


def all_paths(rp: Roleplay) -> list[list[str]]:
    """Every path through a conversation's graph (at most ten choices long)."""
    out, todo = [], [(rp.start, [])]
    while todo:
        node, path = todo.pop()
        chs = rp.nodes[node].choices
        if not chs:
            out.append(path)
        for ch in chs:
            if ch.next is None:
                out.append([*path, ch.id])
            elif len(path) < 10:
                todo.append((ch.next, [*path, ch.id]))
    return out
