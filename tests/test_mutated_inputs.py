"""Files an author got wrong in ways no one listed: the shipped cases, conversations and
rule tables with values swapped, fields deleted and list items doubled at random (a fixed
seed, so a failure is found again). Each mutated file either loads or is refused with the
input error the author's pages and the CLI turn into a message naming the field; never
another exception. A case or rule table that loads runs its first months without one."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from sim.engine import simulate_brief
from sim.inputs import InputError
from sim.roleplay_files import parse_roleplay
from sim.scenario import load_scenario, parse_scenario
from sim.strategies import make_strategy
from sim.strategies.rules import parse_rules

ROOT = Path(__file__).resolve().parents[1]
VALUES = (-1, 0, 1, 0.5, 1e12, -1e-9, float("nan"), "abc", "", None, [], {}, True, "１２",
          "5%", "x" * 300, 2**63, "2026-13-01", [1, 2], {"a": 1}, "早期预警", 1e-300, 36, 999)
"""What a slip puts in a field: signs, zeros, huge and tiny numbers, text, full-width
digits, a percent, empty and wrong-shaped values, an impossible date."""
MUTATIONS = 120
"""Mutated files per kind (seconds each on these machines)."""


def _places(node, path=()) -> Iterator[tuple[tuple, object, object]]:
    """Every (path, container, key) of a parsed YAML document."""
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, value in items:
        yield path + (key,), node, key
        yield from _places(value, path + (key,))


def _mutated(docs: list, rng: random.Random) -> tuple[object, list]:
    """A copy of one of docs with one to three slips, and what they were."""
    doc = copy.deepcopy(rng.choice(docs))
    slips = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        path, container, key = rng.choice(list(_places(doc)))
        roll = rng.random()
        if roll < 0.15 and isinstance(container, dict):
            del container[key]
            slips.append(("deleted", path))
        elif roll < 0.25 and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
            slips.append(("doubled", path))
        else:
            container[key] = rng.choice(VALUES)
            slips.append(("set", path, container[key]))
    return doc, slips


@contextmanager
def _naming(slips: list) -> Iterator[None]:
    """Any other exception fails the test with the slips that caused it."""
    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        raise AssertionError(f"slips {slips!r} raised {type(exc).__name__}: {exc}") from exc


def _load_all(pattern: str) -> list:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(ROOT.glob(pattern))]


def test_a_mutated_case_loads_and_runs_or_is_refused_with_an_input_error():
    rng = random.Random(2026)
    docs = _load_all("scenarios/*.yaml")
    loaded = 0
    for _ in range(MUTATIONS):
        doc, slips = _mutated(docs, rng)
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        with _naming(slips):
            try:
                sc = parse_scenario(text, source="mutated.yaml")
            except InputError:
                continue
            loaded += 1
            simulate_brief(sc, seed=1, months=min(3, sc.horizon_months),
                           strategy=make_strategy("early-warning"))
    assert 0 < loaded < MUTATIONS  # some slips are harmless, most are refused


def test_a_mutated_conversation_loads_or_is_refused_with_an_input_error():
    rng = random.Random(2027)
    docs = _load_all("roleplays/*.yaml")
    refused = 0
    for _ in range(MUTATIONS):
        doc, slips = _mutated(docs, rng)
        with _naming(slips):
            try:
                parse_roleplay(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                               source="mutated.yaml")
            except InputError:
                refused += 1
    assert refused > MUTATIONS // 2


@pytest.fixture(scope="module")
def intro():
    return load_scenario(ROOT / "scenarios" / "intro.yaml")


def test_a_mutated_rule_table_runs_or_is_refused_with_an_input_error(intro):
    rng = random.Random(2028)
    docs = _load_all("scenarios/rules/*.yaml")
    loaded = 0
    for _ in range(MUTATIONS):
        doc, slips = _mutated(docs, rng)
        with _naming(slips):
            try:
                table = parse_rules(doc, source="mutated.yaml")
            except InputError:
                continue
            loaded += 1
            simulate_brief(intro, seed=1, months=3,
                           strategy=make_strategy("rules", rules=table))
    assert loaded > 0
