"""Tests for sim.conversation: walking a conversation (the borrower's line follows the
hidden state, a borrower player may evade but never reveal what is not so, a path replays
exactly) and what a held talk does in the engine (the facts it uncovered, each agreed
term as its engine action)."""

from __future__ import annotations

import pytest

from sim.borrower_state import BorrowerState
from sim.conversation import Conversation, LineError, PathError, Talk, apply_talk
from sim.roleplay import MEET_ACTION, TERM_ACTIONS, Roleplay
from sim.roleplay_files import load_all
from tests.roleplay_games import game, single_term_roleplay, until


@pytest.fixture(scope="module")
def shipped() -> dict[str, Roleplay]:
    return load_all()


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


def text(en: str) -> dict:
    return {"zh": en, "en": en}


def talk(**nodes) -> Roleplay:
    """A small conversation from node specs: open is the start."""
    return Roleplay.model_validate({
        "kind": "roleplay", "id": "t", "title": text("t"), "summary": text("t"),
        "setting": text("t"), "borrower_brief": text("t"), "start": "open", "nodes": nodes})


OPEN = {
    "lines": [
        {"when": {"health": ["weak"]}, "text": text("Business is fine.")},
        {"when": {"diverting": True}, "text": text("We lent some to our sister firm."),
         "reveals": ["diversion"]},
        {"text": text("Please have a look.")},
    ],
    "choices": [
        {"id": "collateral", "text": text("More collateral"), "next": "close",
         "relationship": -0.7, "terms": [{"kind": "additional_collateral"}],
         "reveals": ["other_creditors"]},
        {"id": "leave", "text": text("Thank you"), "relationship": 0.1},
    ],
}
CLOSE = {
    "lines": [{"text": text("All right.")}],
    "choices": [{"id": "guarantor", "text": text("And a guarantor"), "relationship": -0.7,
                 "terms": [{"kind": "new_guarantor"}, {"kind": "closer_monitoring"}]}],
}


def test_the_borrower_says_the_first_line_the_hidden_state_meets():
    rp = talk(open=OPEN, close=CLOSE)
    assert Conversation(rp, BorrowerState()).line().text.en == "Please have a look."
    assert Conversation(rp, BorrowerState(diverting=True)).line().text.en == (
        "We lent some to our sister firm.")
    assert Conversation(rp, BorrowerState(health="weak", diverting=True)).line().text.en == (
        "Business is fine.")


def test_a_borrower_player_may_evade_but_never_reveal_what_is_not_candid():
    rp = talk(open=OPEN, close=CLOSE)
    # weak and diverting: the candid line evades; the revealing line is not open to them
    both = Conversation(rp, BorrowerState(health="weak", diverting=True))
    assert both.permitted_lines() == [0, 2]
    # diverting only: the candid line reveals, and a plain line is an allowed evasion
    diverting = Conversation(rp, BorrowerState(diverting=True))
    assert diverting.permitted_lines() == [1, 2]
    # sound: nothing to hide, one line only
    assert Conversation(rp, BorrowerState()).permitted_lines() == [2]
    with pytest.raises(LineError):
        Conversation.replay(rp, BorrowerState(), ["collateral"], lines=[1])
    evaded = Conversation.replay(rp, BorrowerState(diverting=True), ["leave"], lines=[2])
    assert evaded.steps[0].line.text.en == "Please have a look."
    assert evaded.effects().facts == ()


def test_effects_take_each_engine_action_once_and_bound_the_relationship():
    rp = talk(open=OPEN, close=CLOSE)
    conv = Conversation.replay(rp, BorrowerState(diverting=True), ["collateral", "guarantor"])
    assert conv.done and conv.path == ["collateral", "guarantor"]
    eff = conv.effects()
    # additional collateral and a new guarantor are the same engine action
    assert eff.actions == (TERM_ACTIONS["additional_collateral"], "closer_monitoring")
    assert eff.relationship_delta == -1.0  # -1.4 said, bounded
    assert dict(eff.facts) == {"diversion": True, "other_creditors": False}


def test_a_path_that_does_not_fit_is_refused():
    rp = talk(open=OPEN, close=CLOSE)
    with pytest.raises(PathError):
        Conversation.replay(rp, BorrowerState(), ["no_such_choice"])
    with pytest.raises(PathError):
        Conversation.replay(rp, BorrowerState(), ["leave", "collateral"])  # the talk has ended


def test_discoverable_lists_only_adverse_facts_some_path_uncovers():
    rp = talk(open=OPEN, close=CLOSE)
    assert Conversation(rp, BorrowerState(diverting=True, other_creditors=True)).discoverable() == [
        "diversion", "other_creditors"]
    assert Conversation(rp, BorrowerState()).discoverable() == []


def test_a_talk_is_applied_only_if_the_meeting_happened():
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    rel0 = float(g.sim.relationship[i])
    assert not apply_talk(g.sim, Talk(i, (("diversion", True),), -0.2))
    assert not g.sim.known_diversion[i] and float(g.sim.relationship[i]) == rel0


def test_leaving_before_the_borrower_player_answers_files_no_answer(shipped) -> None:
    """A person plays the borrower: left after the officer's question and before the
    answer, the talk holds the question and nothing from the line not said; left after
    the answer, the answer counts. Without a borrower player the line is said at once."""
    rp, strong = shipped["jiahe_extension"], BorrowerState(health="strong")
    asked = Conversation.replay(rp, strong, ["ask_flows"], [0], left=True)
    assert asked.done and [s.node for s in asked.steps] == ["opening"]
    assert asked.effects().facts == ()
    answered = Conversation.replay(rp, strong, ["ask_flows"], [0, 0], left=True)
    assert [s.node for s in answered.steps] == ["opening", "flows"]
    assert answered.effects().facts == (("ability_to_pay", True),)
    solo = Conversation.replay(rp, strong, ["ask_flows"], left=True)
    assert solo.effects().facts == answered.effects().facts
