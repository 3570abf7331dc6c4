"""Tests for sim.inputs: one careful path for every file a person writes. Scenarios and
rule tables get the same messages: line and column for YAML, field path and fix for values."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.inputs import InputError, load_yaml, read_text
from sim.scenario import ScenarioError, parse_scenario
from sim.strategies import RulesError, load_rules

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("error", [ScenarioError, RulesError])
def test_duplicate_keys_are_reported_at_their_line(error):
    with pytest.raises(error) as info:
        load_yaml("name: a\nreserve_share: 0.2\nreserve_share: 0.3\n", "x.yaml", error)
    assert info.value.problems[0][0] == "line 3, column 1"
    assert "duplicate key 'reserve_share'" in info.value.problems[0][1]


def test_a_rule_table_gets_the_scenarios_yaml_messages(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text('name: "watchful\nrules: []\n', encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(bad)
    assert "the quote opened at line 1 is never closed" in str(info.value)


def test_unknown_actions_suggest_the_nearest(tmp_path):
    f = tmp_path / "rules.yaml"
    f.write_text("rules:\n  - do: [lawsiut]\n", encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(f)
    assert info.value.problems == [
        ("rules[0].do", info.value.problems[0][1])]
    assert "did you mean 'lawsuit'" in info.value.problems[0][1]


def test_files_too_large_or_not_utf8_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("x: 1\n" * 10, encoding="utf-8")
    with pytest.raises(InputError, match="larger than"):
        read_text(big, max_bytes=10)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("名称: 案例".encode("gbk"))
    with pytest.raises(InputError, match="UTF-8"):
        read_text(latin)


def test_scenarios_still_report_every_problem_at_its_field():
    with pytest.raises(ScenarioError) as info:
        parse_scenario("id: x\nhorizon_months: yes\n", "x.yaml")
    paths = [p for p, _ in info.value.problems]
    assert "horizon_months" in paths and "title" in paths


MINIMAL = (ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "path", "said"), [
    # an unknown macro event type: pydantic spoke of "tags" "found using 'type'"
    ("segments:", "macro:\n  - type: earthquake\n    month: 3\nsegments:", "macro[0]",
     "unknown type 'earthquake'"),
    ("segments:", "macro:\n  - month: 3\nsegments:", "macro[0]", "the 'type' key is missing"),
    # an id with capitals and a space: pydantic showed the regular expression
    ("  - id: wc", "  - id: WC Loans", "segments[0].id", "'WC Loans' is not a valid id"),
    # a policy shock hitting no segment: "List should have at least 1 item after validation"
    ("segments:", "macro:\n  - type: policy_shock\n    month: 3\n    segments: []\n"
     "    severity: 1\n    duration_months: 3\nsegments:", "macro[0].segments",
     "too few entries (at least 1)"),
])
def test_english_messages_say_the_mistake_in_plain_words(old, new, path, said):
    """An instructor's case file read in English: the message names the mistake as the
    Chinese one does (unknown type, missing type key, an id not written as an id, too
    few entries), not in the validator's terms (tags, discriminators, a regular
    expression, "after validation"); the fix follows as before."""
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "case.yaml")
    (message,) = [m for p, m in info.value.problems if p == path]
    assert message.lower().startswith(said.lower()), message
    for jargon in ("tag", "discriminator", "pattern", "after validation", "^["):
        assert jargon not in message, message
    assert "(" in message  # the fix, as before


@pytest.mark.parametrize(("old", "new", "opened", "closer"), [
    # a policy shock's segments written as a flow list, its ']' forgotten
    ("segments:", "macro:\n  - type: policy_shock\n    month: 3\n    segments: [wc\n"
     "    severity: 1\n    duration_months: 3\nsegments:", 16, "]"),
    # a title written as {zh: ..., en: ...}, its '}' forgotten
    ("title:\n  zh: 最小案例\n  en: Minimal case", "title: {zh: 最小案例, en: Minimal case",
     4, "}"),
])
def test_a_bracket_left_open_is_named_at_its_line_with_the_fix(old, new, opened, closer):
    """A '[' or '{' not closed on its line: the parser's "expected ',' or ']', but got ':'
    while parsing a flow sequence" (in English inside the Chinese message too) becomes the
    line the bracket opens on and the bracket to add there, in both languages."""
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "case.yaml")
    ((where, message),) = info.value.problems
    (message_zh,) = info.value.problems_zh
    assert where.startswith(f"line {opened},")
    assert f"line {opened}" in message and f"'{closer}'" in message, message
    assert "flow" not in message and "expected" not in message, message
    assert f"第 {opened} 行" in message_zh and f"'{closer}'" in message_zh, message_zh
    assert "expected" not in message_zh and "flow" not in message_zh, message_zh
