"""Role-play conversations: the file format, playing a talk, and what a talk does to a case.

The engine tests go through the step API (sim.game.Game, with the desk's views from
training.desk.Desk): what a talk reads from the borrower's hidden state and what its terms
do to the loan. Holding a meeting on the step API, its queue and its replay are
tests/test_game_meetings.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.roleplay import (
    MEET_ACTION,
    TERM_ACTIONS,
    BorrowerState,
    Conversation,
    PathError,
    Roleplay,
    RoleplayError,
    load_all,
    load_roleplay,
    parse_roleplay,
    roleplay_paths,
)
from sim.scenario import load_scenario
from tests.roleplay_games import game, single_term_roleplay, until
from training.roleplay import PRACTICE_PROFILES, Session, practice_state

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "badinput" / "roleplay"
SAMPLE = ROOT / "tests" / "data" / "roleplay_sample.yaml"


@pytest.fixture(scope="module")
def shipped() -> dict[str, Roleplay]:
    return load_all()


# ------------------------------------------------------------------ the file format
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


def test_every_term_kind_and_conduct_rule_is_used_somewhere(shipped) -> None:
    kinds, rules = set(), set()
    for rp in shipped.values():
        for node in rp.nodes.values():
            for ch in node.choices:
                kinds |= {t.kind for t in ch.terms}
                rules |= {ch.breach} if ch.breach else set()
                rules |= {"contact_hours"} if ch.contact_hour is not None else set()
    assert {"restructure", "additional_collateral", "new_guarantor", "entrusted_payment",
            "repayment_plan"} <= kinds
    assert rules == {"no_false_promise", "no_threats", "no_third_party_disclosure",
                     "contact_hours"}


BAD_CASES = {
    "dangling_next.yaml": "nodes.open.choices[0].next",
    "unknown_start.yaml": "start",
    "missing_english.yaml": "nodes.open.choices[0].text.en",
    "last_line_conditional.yaml": "nodes.open.lines[1].when",
    "unknown_term.yaml": "nodes.open.choices[0].terms[0].kind",
    "unknown_reveal.yaml": "nodes.open.choices[0].reveals[0]",
    "unknown_breach.yaml": "nodes.open.choices[0].breach",
    "contact_hour_out_of_range.yaml": "nodes.open.choices[0].contact_hour",
    "unknown_borrower.yaml": "borrower",
    "borrower_without_case.yaml": "borrower",
    "unknown_case.yaml": "case",
    "duplicate_key.yaml": "line 3",
    "unknown_key.yaml": "mood",
    "misspelt_choices.yaml": "nodes.open.choises",
    "unreachable_node.yaml": "nodes.orphan",
    "never_ends.yaml": "nodes",
    "list_not_mapping.yaml": "(file)",
    "yaml_unclosed_quote.yaml": "line 3",
    "only_kind.yaml": "nodes",
    "unknown_premise.yaml": "premise[0]",
}


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


def test_suggestions_for_misspellings() -> None:
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "unknown_term.yaml")
    assert "did you mean 'entrusted_payment'" in str(err.value)
    with pytest.raises(RoleplayError) as err:
        load_roleplay(BAD / "misspelt_choices.yaml")
    assert "did you mean 'choices'" in str(err.value)


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
    assert "nodes.open.choices[0].next: no node 'answr'" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


# ------------------------------------------------------------------ playing a talk
def test_honest_and_evasive_borrowers_play_differently(shipped) -> None:
    rp = shipped["jinlan_diversion"]
    path = ["ask_onward_flows", "agree_entrusted"]
    honest = Session.replay(rp, PRACTICE_PROFILES["honest_sound"], path)
    evasive = Session.replay(rp, PRACTICE_PROFILES["evasive"], path)
    assert honest.steps[0].line.text.en != evasive.steps[0].line.text.en
    assert honest.outcome().learned == []
    assert evasive.outcome().learned == ["diversion"]
    # both agreed the same terms; the engine decides whether they work
    assert honest.outcome().action_ids == evasive.outcome().action_ids == ["entrusted_payment"]


def test_outcome_prices_terms_with_the_cost_function(shipped) -> None:
    s = Session.replay(shipped["jinlan_diversion"], PRACTICE_PROFILES["evasive"],
                       ["ask_onward_flows", "ask_other_debt", "agree_entrusted_and_collateral"])
    out = s.outcome(lambda a: ({"add_collateral": 8.0, "entrusted_payment": 4.0}[a], 10.0))
    assert [(t.kind, t.action_id, t.hours) for t in out.terms] == [
        ("additional_collateral", "add_collateral", 8.0),
        ("entrusted_payment", "entrusted_payment", 4.0)]
    assert out.hours == 12.0 and out.cost_cny == 20.0
    assert set(out.learned) == {"diversion", "other_creditors"}
    assert out.missed == []


def test_missed_facts_and_strong_questions(shipped) -> None:
    s = Session.replay(shipped["jinlan_diversion"], PRACTICE_PROFILES["evasive"],
                       ["accept_report"])
    out = s.outcome()
    assert s.done
    assert out.learned == [] and set(out.missed) == {"diversion", "other_creditors"}
    assert len(out.strong_questions) >= 3
    assert out.notes  # the choice's own feedback says what went wrong


@pytest.mark.parametrize("rp_id,path,rule", [
    ("jinlan_diversion", ["threaten_freeze", "promise_rollover"], "no_threats"),
    ("jinlan_diversion", ["ask_onward_flows", "promise_rollover"], "no_false_promise"),
    ("consumer_hardship", ["call_employer", "repayment_plan"], "no_third_party_disclosure"),
    ("huimin_flood", ["call_tonight", "deferral_in_writing"], "contact_hours"),
])
def test_conduct_breaches_are_detected(shipped, rp_id, path, rule) -> None:
    out = Session.replay(shipped[rp_id], PRACTICE_PROFILES["struggling"], path).outcome()
    assert rule in {b.rule for b in out.breaches}


def test_late_call_breaks_two_rules(shipped) -> None:
    out = Session.replay(shipped["consumer_hardship"], PRACTICE_PROFILES["distressed"],
                         ["call_every_night", "repayment_plan"]).outcome()
    assert {b.rule for b in out.breaches} == {"no_threats", "contact_hours"}
    assert out.relationship_delta < 0


def test_a_clean_talk_breaks_no_rule(shipped) -> None:
    out = Session.replay(shipped["consumer_hardship"], PRACTICE_PROFILES["distressed"],
                         ["ask_situation", "repayment_plan"]).outcome()
    assert out.breaches == []
    assert [t.action_id for t in out.terms] == [TERM_ACTIONS["repayment_plan"]]


def test_replay_is_exact_and_bad_paths_are_refused(shipped) -> None:
    rp = shipped["jinlun_guarantor_default"]
    state = PRACTICE_PROFILES["distressed"]
    live = Session(rp, state)
    for cid in ["ask_exposure", "new_guarantor"]:
        live.choose(cid)
    again = Session.replay(rp, state, live.path)
    assert again.steps == live.steps and again.done
    with pytest.raises(PathError):
        Session.replay(rp, state, ["no_such_choice"])
    with pytest.raises(PathError):
        Session.replay(rp, state, ["ask_exposure", "new_guarantor", "one_more"])


def test_practice_state_is_drawn_from_the_seed() -> None:
    assert practice_state(None, 7) == practice_state(None, 7)
    assert practice_state("evasive", 1) == ("evasive", PRACTICE_PROFILES["evasive"])
    assert len({practice_state(None, s)[0] for s in range(40)}) > 1


# ------------------------------------------------------------------ in the engine
def test_the_talk_reads_the_engine_hidden_state(shipped) -> None:
    """Jinlan starts diverting in month 4: the same graph plays honest, then evasive."""
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    rp = shipped["jinlan_diversion"]
    before = Conversation(rp, g.talk_state(i)).line().text.en
    until(g, lambda g: g.sim.diverting[i])
    after = Conversation(rp, g.talk_state(i)).line().text.en
    assert before != after
    assert [r.id for r in g.conversations(i)] == ["jinlan_diversion"]
    assert g.conversations(g.sim.pf.named_index["anhe"]) == []


def test_uncovering_diversion_and_entrusted_payment_change_the_loan(shipped) -> None:
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    until(g, lambda g: g.sim.diverting[i])
    assert not g.loans()["known_diversion"].iat[i]
    refused = g.meet(i, "jinlan_diversion", ["ask_onward_flows", "agree_entrusted"])
    assert refused == []
    hours = {q.action_id: q.hours for q in g.queued}
    assert hours == {MEET_ACTION: g.sim.action_hours(i, MEET_ACTION),
                     "entrusted_payment": g.sim.action_hours(i, "entrusted_payment")}
    g.end_month(g.month)
    lo = g.loans().iloc[i]
    assert lo["known_diversion"] and lo["cls"] >= 1  # an unapproved use of funds is 关注
    assert g.loan_file(i).terms["payment_mode"] == "entrusted"
    assert not g.sim.diverting[i]
    talks = g.loan_file(i).talks
    assert talks and talks[0]["facts"] == [("diversion", True)]
    assert set(g.events(g.month)["event"]) >= {"action_meet_borrower", "action_entrusted_payment"}


@pytest.mark.parametrize("kind", sorted(TERM_ACTIONS))
def test_each_kind_of_term_becomes_its_engine_action(kind: str) -> None:
    case, borrower = {"emergency_deferral": ("disaster", "huimin"),
                      "entrusted_payment": ("real_estate", "jinlan"),
                      "freeze_line": ("real_estate", "jinlan")}.get(kind, ("intro", "mingtai"))
    rp = single_term_roleplay(kind, case, borrower)
    g = game(case, roleplays={rp.id: rp})
    i = g.sim.pf.named_index[borrower]
    action = TERM_ACTIONS[kind]
    until(g, lambda g: g.sim.precondition(i, action) is None
           and g.sim.precondition(i, MEET_ACTION) is None
           and g.hours_available - g.hours_planned
           >= g.sim.action_hours(i, action) + g.sim.action_hours(i, MEET_ACTION))
    rel0 = float(g.sim.relationship[i])
    assert g.meet(i, rp.id, ["agree"]) == []
    g.end_month(g.month)
    ev = g.events(g.month)
    assert f"action_{action}" in set(ev[ev["loan_id"] == i]["event"])
    # the talk moved the relationship by what was said (and the action's own effect)
    assert float(g.sim.relationship[i]) < rel0


def test_restructure_really_cuts_the_payment() -> None:
    rp = single_term_roleplay("restructure", "intro", "mingtai")
    g = game("intro", roleplays={rp.id: rp})
    i = g.sim.pf.named_index["mingtai"]
    until(g, lambda g: g.sim.precondition(i, "restructure") is None)
    term0 = g.loan_file(i).terms["term_months"]
    due0 = g.loan_file(i).payments["due_cny"].iloc[-1]
    g.meet(i, rp.id, ["agree"])
    g.end_month(g.month)
    g.end_month(g.month)
    lf = g.loan_file(i)
    assert lf.terms["term_months"] > term0
    assert g.loans()["restructured"].iat[i]
    assert 0 < lf.payments["due_cny"].iloc[-1] < due0  # the instalment really falls


def test_state_defaults_are_harmless() -> None:
    st = BorrowerState()
    assert st.health == "strong" and not st.fact("diversion") and st.fact("ability_to_pay")


def _all_paths(rp: Roleplay) -> list[list[str]]:
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


def test_every_path_of_every_conversation_plays_with_every_borrower(shipped) -> None:
    for rp in shipped.values():
        for path in _all_paths(rp):
            for state in PRACTICE_PROFILES.values():
                s = Session.replay(rp, state, path)
                assert s.done, (rp.id, path)
                out = s.outcome()
                assert set(out.missed).isdisjoint(out.learned)


@pytest.mark.parametrize("rp_id", ["jinlan_diversion", "jinlun_guarantor_default",
                                   "huimin_flood", "jiahe_extension"])
def test_every_case_conversation_can_be_held_in_its_case(shipped, rp_id) -> None:
    rp = shipped[rp_id]
    g = game(rp.case)
    i = g.sim.pf.named_index[rp.borrower]
    until(g, lambda g: g.meeting_option(i).available)
    path = _all_paths(rp)[0]
    g.meet(i, rp.id, path)
    g.end_month(g.month)
    assert [t["roleplay"] for t in g.loan_file(i).talks] == [rp.id]


def test_committed_json_schema_is_current() -> None:
    import json

    from sim.roleplay import json_schema

    committed = json.loads((ROOT / "roleplays" / "roleplay.schema.json").read_text("utf-8"))
    assert committed == json_schema(), (
        "roleplays/roleplay.schema.json is stale: regenerate it with python -c \"import json; "
        "from sim.roleplay import json_schema; print(json.dumps(json_schema(), indent=2, "
        "ensure_ascii=False))\" > roleplays/roleplay.schema.json")


def test_practice_borrowers_fit_the_setting(shipped) -> None:
    rp = shipped["consumer_hardship"]
    for name in PRACTICE_PROFILES:
        _, state = practice_state(name, 0, rp)
        assert state.overdue
        assert Session(rp, state).line().text.en.startswith("I know I'm late")

