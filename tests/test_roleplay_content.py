"""The shipped conversations read right for every practice borrower they can meet.

A choice and its feedback are one text for every hidden borrower: a choice must not
answer what only one borrower said, and feedback that holds for one borrower only must
say which. Walked through sim's Session, in both languages.
"""

from __future__ import annotations

import pytest

from sim.roleplay_files import load_all
from training.roleplay import Session, practice_state, profiles_for

SHIPPED = load_all()


def talk(rp_id: str, profile: str, path: list[str]) -> Session:
    rp = SHIPPED[rp_id]
    return Session.replay(rp, practice_state(profile, 0, rp)[1], path)


@pytest.mark.parametrize("rp_id", sorted(SHIPPED))
def test_every_choice_that_agrees_terms_or_breaks_a_rule_explains_itself(rp_id) -> None:
    """The debrief's "On the choices you made" is where the trainee learns why; a choice
    that queues actions or breaks a rule and says nothing there leaves the outcome
    unexplained (Jiahe's monthly account review said nothing)."""
    silent = [(nid, ch.id) for nid, node in SHIPPED[rp_id].nodes.items()
              for ch in node.choices if (ch.terms or ch.breach) and ch.feedback is None]
    assert not silent


@pytest.mark.parametrize("profile", profiles_for(SHIPPED["jiahe_extension"]))
def test_declining_jiahes_extension_answers_what_she_said(profile) -> None:
    """Declining spoke of "financing the new shop" and told her "you can pay" to a
    borrower who had just said a supermarket took a third of her takings; and she then
    said she would wait for news the officer had just given."""
    s = talk("jiahe_extension", profile, ["ask_flows", "keep_schedule"])
    said, answer, reply = s.steps[1].line.text, s.steps[1].choice.text, s.steps[2].line.text
    for lang, shop in (("zh", "新店"), ("en", "new shop")):
        assert shop not in answer.get(lang) or shop in said.get(lang)
    assert "wait" not in reply.en and "等您消息" not in reply.zh


def test_a_deferral_for_a_borrower_whose_loss_is_lasting_is_not_praised_as_enough() -> None:
    """For the flood victim whose stock was not insured, the feedback called a deferral
    "temporary relief for temporary damage" and stopped there."""
    s = talk("huimin_flood", "distressed", ["ask_insurance", "deferral_in_writing"])
    assert not s.state.pays
    note = s.outcome().notes[-1]
    assert "重组" in note.zh and "restructuring" in note.en
    assert "不在保险范围" in note.zh and "not insured" in note.en


@pytest.mark.parametrize("profile", ["struggling", "distressed"])
def test_a_three_month_plan_for_a_borrower_who_cannot_keep_it_is_not_praised_as_enough(
        profile) -> None:
    """Li Na with two cards and an online loan overdue heard only that a written plan
    brings a borrower back to paying."""
    s = talk("consumer_hardship", profile, ["ask_situation", "repayment_plan"])
    note = s.outcome().notes[-1]
    assert "重组" in note.zh and "restructuring" in note.en


def test_entrusted_payment_at_jinlan_says_the_rule_required_it_from_the_start() -> None:
    """A development loan's drawdowns above the 2024 fixed-asset thresholds go by entrusted
    payment; the feedback presented the switch as a remedy the bank was free to choose."""
    s = talk("jinlan_diversion", "evasive", ["ask_onward_flows", "agree_entrusted"])
    note = s.outcome().notes[-1]
    assert "2024" in note.zh and "固定资产贷款管理办法" in note.zh and "5%" in note.zh
    assert "2024 Fixed-Asset Loan Measures" in note.en and "5%" in note.en


def test_offering_jinlun_a_restructuring_when_nobody_has_claimed_is_not_about_a_fallen_guarantor(
        ) -> None:
    """To a Jinlun whose Huafang pays on time the feedback spoke only of "a guarantor in
    trouble" beside a debrief that said the guarantee holds."""
    s = talk("jinlun_guarantor_default", "honest_sound", ["ask_exposure", "offer_restructure"])
    assert not s.state.guarantor_trouble
    note = s.outcome().notes[-1]
    assert "needs no concession" in note.en and "不需要任何让步" in note.zh


@pytest.mark.parametrize(("lang", "word", "not_said"), [("zh", "保证人", "担保链"),
                                                       ("en", "guarantor", "chain")])
def test_the_hidden_guarantor_flag_is_named_as_the_engine_means_it(lang, word, not_said) -> None:
    """The flag is a guarantor in trouble or a borrower this one guarantees, for any
    borrower (sim.borrower_state.state_of); the debrief and the borrower player's card
    called it a guarantee chain, for a shop and a laid-off consumer alike."""
    from training.i18n import t

    for key in ("roleplay.fact.guarantor_trouble", "pairs.state.guarantor_trouble"):
        said = t(key, lang=lang)
        assert word in said.lower() and not_said not in said, (key, said)


def _paths(rp, state, path=()):
    s = Session.replay(rp, state, list(path))
    if s.done:
        yield list(path)
        return
    for ch in s.choices():
        yield from _paths(rp, state, (*path, ch.id))


@pytest.mark.parametrize("rp_id", sorted(SHIPPED))
def test_every_talk_ends_on_the_borrowers_word(rp_id) -> None:
    """Li Na was asked "What monthly amount works for you?" and the talk was over, her
    answer never came; the flood victim likewise never answered a threat to her flat."""
    rp = SHIPPED[rp_id]
    for profile in profiles_for(rp):
        state = practice_state(profile, 0, rp)[1]
        for path in _paths(rp, state):
            last = Session.replay(rp, state, path).steps[-1]
            assert last.choice is None, (profile, path)
