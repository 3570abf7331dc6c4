"""Tests for sim.roleplay_files: reading conversation files. Every bad file is refused with
the field to fix (YAML, schema and graph problems alike), the shipped set loads, the CLI
validates conversations, and the committed JSON Schema is current."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.roleplay import Roleplay
from sim.roleplay_files import (
    RoleplayError,
    is_roleplay_path,
    is_roleplay_text,
    load_all,
    load_roleplay,
    parse_roleplay,
    roleplay_paths,
    shipped,
)
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "badinput" / "roleplay"
SAMPLE = ROOT / "tests" / "data" / "roleplay_sample.yaml"


@pytest.fixture(scope="module", name="shipped")
def shipped_set() -> dict[str, Roleplay]:
    return load_all()


BAD_CASES = {
    "dangling_next.yaml": "nodes.open.choices[0].next",
    "unknown_start.yaml": "start",
    "missing_english.yaml": "nodes.open.choices[0].text.en",
    "last_line_conditional.yaml": "nodes.open.lines[1].when",
    "unknown_term.yaml": "nodes.open.choices[0].terms[0].kind",
    "unknown_reveal.yaml": "nodes.open.choices[0].reveals[0]",
    "unknown_breach.yaml": "nodes.open.choices[0].breach",
    "breach_listed_twice.yaml": "nodes.open.choices[0].breach",
    "breach_unknown_in_list.yaml": "nodes.open.choices[0].breach[1]",
    "household_profile_diverts.yaml": "profiles[1]",
    "household_asks_diversion.yaml": "nodes.open.lines[0].when.diverting",
    "contact_hour_out_of_range.yaml": "nodes.open.choices[0].contact_hour",
    "contact_hour_as_time.yaml": "nodes.open.choices[0].contact_hour",
    "unknown_borrower.yaml": "borrower",
    "borrower_without_case.yaml": "borrower",
    "unknown_case.yaml": "case",
    "duplicate_key.yaml": "line 3",
    "unknown_key.yaml": "mood",
    "misspelt_choices.yaml": "nodes.open.choises",
    "unreachable_node.yaml": "nodes.orphan",
    "never_ends.yaml": "nodes",
    "trapped_loop.yaml": "nodes.round",
    "list_not_mapping.yaml": "(file)",
    "yaml_unclosed_quote.yaml": "line 3",
    "only_kind.yaml": "nodes",
    "unknown_premise.yaml": "premise[0]",
    "full_width_comma_list.yaml": "nodes.open.choices[0].reveals[0]",
    "text_in_one_language.yaml": "nodes.open.lines[1].text",
    "held_as_phone.yaml": "held",
}


def test_six_bilingual_conversations_ship(shipped) -> None:
    assert {"jinlan_diversion", "jinlun_guarantor_default", "huimin_flood", "jiahe_extension",
            "consumer_hardship", "guarantor_wants_out"} <= set(shipped)
    for rp in shipped.values():
        for node in rp.nodes.values():
            for ln in node.lines:
                assert ln.text.zh.strip() and ln.text.en.strip()
            for ch in node.choices:
                assert ch.text.zh.strip() and ch.text.en.strip()


def test_case_conversations_name_a_borrower_of_their_case(shipped) -> None:
    for rp in shipped.values():
        if rp.case is None:
            continue
        sc = load_scenario(ROOT / "scenarios" / f"{rp.case}.yaml")
        assert rp.borrower in {b.id for b in sc.borrowers}


def test_every_bad_file_is_listed() -> None:
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted(BAD_CASES)


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_file_names_the_field(name: str) -> None:
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / name)
    paths = [p for p, _ in err.value.problems]
    assert any(p == BAD_CASES[name] or p.startswith(BAD_CASES[name] + ",")
               for p in paths), err.value.problems
    assert all(msg.strip() for _, msg in err.value.problems)


@pytest.mark.parametrize(("name", "en", "zh"), [
    ("unknown_breach.yaml", "'rudeness' is not a conduct rule", "'rudeness' 不是行为规范"),
    ("breach_listed_twice.yaml", "conduct rule no_threats is listed twice",
     "行为规范 no_threats 列了两次"),
    ("breach_unknown_in_list.yaml", "did you mean 'no_threats'",
     "是不是 'no_threats'"),
])
def test_a_bad_list_of_conduct_rules_is_named_in_both_languages(name, en, zh) -> None:
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / name)
    ((_, msg_en),), (msg_zh,) = err.value.problems, err.value.problems_zh
    assert en in msg_en and zh in msg_zh, (msg_en, msg_zh)


def test_an_hour_typed_as_a_time_is_named_with_the_hour_to_write() -> None:
    """'contact_hour: 22:00' was read as the base-60 number 1320 and refused as 'at most
    23', the hour the author had written: now the time is named and the hour said."""
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "contact_hour_as_time.yaml")
    ((_, msg_en),), (msg_zh,) = err.value.problems, err.value.problems_zh
    assert "'22:00' is a time of day; an hour is written alone, as 22" in msg_en, msg_en
    assert "'22:00' 是时刻，钟点只写小时数，例如 22" in msg_zh, msg_zh


@pytest.mark.parametrize(("name", "en", "zh"), [
    ("household_profile_diverts.yaml", "the practice borrower 'evasive' diverts the loan, but a "
     "household borrower (product consumer)", "练习借款人 'evasive' 会挪用贷款，但个人/家庭借款人"),
    ("household_asks_diversion.yaml", "'diverting' describes a firm, but a household borrower",
     "'diverting' 只适用于企业"),
])
def test_a_household_conversation_with_a_firms_diversion_is_refused(name, en, zh) -> None:
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / name)
    ((_, msg_en),), (msg_zh,) = err.value.problems, err.value.problems_zh
    assert en in msg_en and zh in msg_zh, (msg_en, msg_zh)


def test_a_firms_conversation_may_offer_the_diverting_borrower() -> None:
    text = (BAD / "household_profile_diverts.yaml").read_text("utf-8")
    rp = parse_roleplay(text.replace("product: consumer", "product: small_business"))
    assert rp.profiles == ["honest_sound", "evasive"]


def test_a_choice_names_one_conduct_rule_or_several() -> None:
    """The older one-rule form still loads; a list is read as written."""
    text = (BAD / "unknown_breach.yaml").read_text("utf-8")
    one = parse_roleplay(text.replace("breach: rudeness", "breach: no_threats"))
    both = parse_roleplay(text.replace(
        "breach: rudeness", "breach: [no_threats, no_third_party_disclosure]"))
    none = parse_roleplay(text.replace("        breach: rudeness\n", ""))
    empty = parse_roleplay(text.replace("breach: rudeness", "breach: []"))
    assert one.choice("open", "ask").breach == ["no_threats"]
    assert both.choice("open", "ask").breach == ["no_threats", "no_third_party_disclosure"]
    assert none.choice("open", "ask").breach == empty.choice("open", "ask").breach == []
    # a conversation saved from its model reads back the same (no rule: [])
    for rp in (one, both, none):
        assert Roleplay.model_validate(rp.model_dump(mode="json")) == rp


def test_suggestions_for_misspellings() -> None:
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "unknown_term.yaml")
    assert "did you mean 'entrusted_payment'" in str(err.value)
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "misspelt_choices.yaml")
    assert "did you mean 'choices'" in str(err.value)


def test_a_dangling_next_suggests_the_node_meant_and_nothing_else_about_the_end() -> None:
    """'next: answr' beside a node 'answer' says which node was meant, in both languages; it
    is not also reported as "the conversation never ends" (an author told to give a node no
    choices, when the node they meant has none, looks for a second mistake)."""
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "dangling_next.yaml")
    en = dict(err.value.problems)["nodes.open.choices[0].next"]
    assert "no node 'answr'; did you mean 'answer'? Name one of the nodes" in en, en
    assert any("是不是 'answer'？请写其中一个节点" in zh for zh in err.value.problems_zh)
    assert not any("never ends" in msg for _, msg in err.value.problems)


def test_a_loop_with_no_way_out_is_refused_at_its_nodes() -> None:
    """A trainee who takes 'ask' goes round 'round' and 'again' for ever, though 'done'
    ends the talk from the start: each trapped node is named with the fix."""
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "trapped_loop.yaml")
    paths = [p for p, _ in err.value.problems]
    assert paths == ["nodes.round", "nodes.again"], err.value.problems
    assert all("give one of its choices no 'next'" in m for _, m in err.value.problems)
    assert all("走不到对话的结尾" in zh for zh in err.value.problems_zh)


def test_a_full_width_comma_in_a_list_is_named_with_the_list_to_write() -> None:
    # [diversion，other_creditors] typed on a Chinese keyboard is one unknown item to YAML;
    # "did you mean 'other_creditors'?" sent the author to the wrong fix
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "full_width_comma_list.yaml")
    (_, en), = err.value.problems
    (zh,) = err.value.problems_zh
    assert "full-width comma" in en and "write [diversion, other_creditors]" in en
    assert "did you mean" not in en
    assert "全角逗号" in zh and "[diversion, other_creditors]" in zh and "是不是" not in zh


def test_a_line_written_in_one_language_asks_for_both() -> None:
    # "text: Please have a look." used to be refused as "Input should be a valid
    # dictionary or instance of Text (write a mapping ...)"
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "text_in_one_language.yaml")
    (_, en), = err.value.problems
    (zh,) = err.value.problems_zh
    assert "both languages" in en and "'zh: ...' and 'en: ...'" in en and "instance" not in en
    assert "中英两种语言" in zh


def test_oversized_text_is_refused_before_parsing() -> None:
    with pytest.raises(RoleplayError, match="larger than"):
        parse_roleplay("kind: roleplay\n" + "#" * (600 * 1024))


def test_sample_loads() -> None:
    rp = load_roleplay(SAMPLE)
    assert rp.start == "open" and set(rp.nodes) == {"open", "answer"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "training.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)})


def test_cli_validates_conversations() -> None:
    ok = _cli("validate", "roleplays/", "scenarios/intro.yaml")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count("conversation") == len(roleplay_paths())
    bad = _cli("validate", str(BAD / "dangling_next.yaml"))
    assert bad.returncode == 2
    # the field, the line to go to in the file, and the fix
    assert "nodes.open.choices[0].next (line 17): no node 'answr'" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
    lines = (BAD / "dangling_next.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[17 - 1].strip() == "next: answr"


def test_how_a_talk_is_held_defaults_to_a_visit_and_a_near_miss_is_named() -> None:
    """`held` is visit (the default: every file written before it keeps its meaning), call or
    branch; 'phone' is refused at its line, pointing at 'call' and naming the three ways, in
    English and Chinese, by the loader and by validate (exit code 2)."""
    assert parse_roleplay(SAMPLE.read_text("utf-8")).held == "visit"
    # the talks of a case are visits (the case's hours as they were); the practice talks
    # say how their setting has them held: a phone call, a guarantor at the branch
    talks = shipped()
    assert {rp.held for rp in talks.values() if rp.case} == {"visit"}
    assert (talks["consumer_hardship"].held, talks["guarantor_wants_out"].held) == \
        ("call", "branch")
    text = (BAD / "held_as_phone.yaml").read_text("utf-8")
    for held, action in (("call", "meet_borrower_call"), ("branch", "meet_borrower_branch"),
                         ("visit", "meet_borrower")):
        assert parse_roleplay(text.replace("held: phone", f"held: {held}")).meeting_action \
            == action
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "held_as_phone.yaml")
    ((field, msg_en),), (msg_zh,) = err.value.problems, err.value.problems_zh
    assert field == "held"
    assert "'phone' is not a way to hold the meeting; did you mean 'call'?" in msg_en
    assert "visit" in msg_en and "branch" in msg_en
    assert "'phone' 不是会谈方式；是不是 'call'？" in msg_zh and "branch（借款人到网点面谈）" in msg_zh
    for lang, where in (("en", "held (line 7): "), ("zh", "held（第 7 行）: ")):
        out = _cli("validate", "--lang", lang, str(BAD / "held_as_phone.yaml"))
        assert out.returncode == 2 and where in out.stdout, out.stdout
        assert "Traceback" not in out.stdout + out.stderr


def test_cli_names_the_line_of_each_field_in_both_languages() -> None:
    for lang, where in (("en", " (line 18)"), ("zh", "（第 18 行）")):
        out = _cli("validate", "--lang", lang, str(BAD / "full_width_comma_list.yaml")).stdout
        assert f"nodes.open.choices[0].reveals[0]{where}: " in out, out
    lines = (BAD / "full_width_comma_list.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[18 - 1].strip().startswith("reveals:")
    # a missing field points at the mapping that lacks it; a YAML error keeps its own place
    out = _cli("validate", str(BAD / "missing_english.yaml")).stdout
    assert "nodes.open.choices[0].text.en (line " in out, out
    out = _cli("validate", str(BAD / "yaml_unclosed_quote.yaml")).stdout
    assert "(line" not in out and "line 3" in out, out


def test_committed_json_schema_is_current() -> None:
    import json

    from sim.roleplay_files import json_schema

    committed = json.loads((ROOT / "roleplays" / "roleplay.schema.json").read_text("utf-8"))
    assert committed == json_schema(), (
        "roleplays/roleplay.schema.json is stale: regenerate it with python -c \"import json; "
        "from sim.roleplay_files import json_schema; print(json.dumps(json_schema(), indent=2, "
        "ensure_ascii=False))\" > roleplays/roleplay.schema.json")


@pytest.mark.parametrize(("text", "is_talk"), [
    ("kind: roleplay\nid: x\n", True), ("id: x\nkind: 'roleplay'  # a talk\n", True),
    ("id: intro\nsegments: []\n", False), ("  kind: roleplay\n", False),
    ("notes:\n  kind: roleplay\n", False)])
def test_a_conversation_says_so_at_the_top_level(text, is_talk):
    assert is_roleplay_text(text) is is_talk


def test_files_in_a_roleplays_folder_or_saying_so_are_conversations(tmp_path):
    assert is_roleplay_path(SAMPLE)
    (tmp_path / "roleplays").mkdir()
    assert is_roleplay_path(tmp_path / "roleplays" / "not_yet_written.yaml")
    case = tmp_path / "case.yaml"
    case.write_text("id: intro\n", encoding="utf-8")
    assert not is_roleplay_path(case)
    assert not is_roleplay_path(tmp_path / "missing.yaml")


def test_a_broken_file_is_left_out_of_play_but_not_out_of_a_check(tmp_path):
    (tmp_path / "sample.yaml").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("kind: roleplay\nid: broken\n", encoding="utf-8")
    assert set(shipped(tmp_path)) == {"sample"}
    with pytest.raises(RoleplayError):
        load_all(tmp_path)


def test_the_shipped_set_is_read_again_when_a_file_changes(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert shipped(tmp_path)["sample"].title.en == "Sample"
    changed = SAMPLE.read_text(encoding="utf-8").replace("en: Sample}", "en: Changed}", 1)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert shipped(tmp_path)["sample"].title.en == "Changed"
