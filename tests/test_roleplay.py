"""Role-play conversations: the schema's vocabulary as the shipped files use it, and
playing a talk at the desk (training.roleplay.Session: facts learned and missed, agreed
terms, conduct breaches, practice borrowers).

The rest of the concept has its own tests: reading files tests/test_roleplay_files.py, the
hidden state a talk reads tests/test_borrower_state.py, walking a talk and its effect in
the engine tests/test_conversation.py, meetings on the step API tests/test_game_meetings.py.
"""

from __future__ import annotations

import pytest

from sim.conversation import PathError
from sim.defaults import INTERVENTIONS
from sim.roleplay import TERM_ACTIONS, Roleplay
from sim.roleplay_files import load_all
from tests.roleplay_games import all_paths
from training.roleplay import PRACTICE_PROFILES, Session, practice_state, profiles_for


@pytest.fixture(scope="module")
def shipped() -> dict[str, Roleplay]:
    return load_all()


# ------------------------------------------------------------------ the file format
def test_every_term_kind_and_conduct_rule_is_used_somewhere(shipped) -> None:
    kinds, rules = set(), set()
    for rp in shipped.values():
        for node in rp.nodes.values():
            for ch in node.choices:
                kinds |= {t.kind for t in ch.terms}
                rules |= set(ch.breach)
                rules |= {"contact_hours"} if ch.contact_hour is not None else set()
    assert {"restructure", "additional_collateral", "new_guarantor", "entrusted_payment",
            "repayment_plan"} <= kinds
    assert rules == {"no_false_promise", "no_threats", "no_third_party_disclosure",
                     "contact_hours", "no_claim_beyond_guarantee", "no_disguised_restructuring"}


def test_every_relief_offered_and_every_rule_broken_is_explained(shipped) -> None:
    """A choice that grants relief (a restructuring, a disaster deferral) or breaks a conduct
    rule carries feedback: the debrief says what it does and does not do (huimin_flood's
    offer_deferral said nothing)."""
    silent = [(rp.id, ch.id) for rp in shipped.values() for node in rp.nodes.values()
              for ch in node.choices if ch.feedback is None and (ch.breach or any(
                  t.kind in ("restructure", "emergency_deferral") for t in ch.terms))]
    assert silent == []


def test_the_officer_calls_a_loan_late_only_where_the_talk_takes_it_as_late(shipped) -> None:
    """A choice's words are the same in every variant of the talk: in one that does not
    take the loan as overdue (premise), the officer cannot say the borrower is late
    (guarantor_wants_out had the officer tell Mr Zhou Chen was "forty days late" to a
    sound Chen too)."""
    import re

    late = re.compile(r"\b(overdue|arrears|days? late|behind on)\b|逾期|拖欠|欠款")
    said = [(rp.id, ch.id) for rp in shipped.values() if "overdue" not in rp.premise
            for node in rp.nodes.values() for ch in node.choices
            if late.search(ch.text.en.lower()) or late.search(ch.text.zh)]
    assert said == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_conduct_rule_is_named_explained_and_sourced(lang) -> None:
    """The feedback page, the debrief and the review show a broken rule by its title, its
    text and its source from the catalogues: a rule without them would show a bare key."""
    from sim.roleplay import CONDUCT_RULES
    from training.i18n import t

    for rule in CONDUCT_RULES:
        for part in ("title", "text", "source"):
            key = f"roleplay.rule.{rule}.{part}"
            assert t(key, lang) != key and t(key, lang).strip(), (lang, key)


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


@pytest.mark.parametrize(("rp_id", "profile", "path", "not_said"), [
    # the officer notes "on track" or promises a rollover: nothing to sign
    ("jinlan_diversion", "evasive", ["accept_report"], "sign"),
    ("jinlan_diversion", "evasive", ["ask_onward_flows", "promise_rollover"], "sign"),
    ("jinlan_diversion", "honest_sound", ["accept_report"], "papers"),
    ("jinlan_diversion", "evasive", ["ask_onward_flows", "ask_other_debt", "monitor_only"],
     "sign"),
    # the officer grants the extension on the spot: the borrower does not "pay as planned"
    ("jiahe_extension", "honest_sound", ["grant_now"], "as planned"),
    # ... or puts it to the committee
    ("jiahe_extension", "honest_sound", ["ask_flows", "extension_for_committee"],
     "as planned"),
    # a restructuring offered, or a promise to hold off the other bank: no guarantor asked
    ("jinlun_guarantor_default", "struggling", ["ask_exposure", "offer_restructure"],
     "guarantor"),
    ("jinlun_guarantor_default", "honest_sound", ["ask_exposure", "promise_shield"],
     "guarantor"),
    # the officer releases the guarantor on the spot: he does not wait to "hear what happens"
    ("guarantor_wants_out", "honest_sound", ["release_now"], "let me know"),
])
def test_the_borrowers_last_word_answers_what_the_officer_said(
        shipped, rp_id, profile, path, not_said) -> None:
    s = Session.replay(shipped[rp_id], practice_state(profile, 0, shipped[rp_id])[1], path)
    assert s.done
    last = s.steps[-1].line.text
    assert not_said not in last.en.lower(), last.en


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


def test_a_problem_no_question_reaches_is_not_reported_as_absent(shipped) -> None:
    """The flood talk has no question about the use of funds: with a diverting borrower
    nothing is missed that it could reach, and the diversion is named as beyond it (the
    feedback used to say the borrower had no adverse fact at all, beside "evasive,
    diverting funds")."""
    s = Session.replay(shipped["huimin_flood"], practice_state("evasive", 0, shipped["huimin_flood"])[1],
                       ["ask_insurance", "deferral_in_writing"])
    out = s.outcome()
    assert s.done and out.missed == []
    assert "diversion" in out.beyond  # named once: a related-party transfer is the same flag
    assert "related_party_transfer" not in out.beyond and "ability_to_pay" not in out.beyond
    honest = Session.replay(shipped["huimin_flood"],
                            practice_state("honest_sound", 0, shipped["huimin_flood"])[1],
                            ["ask_insurance", "deferral_in_writing"]).outcome()
    assert honest.beyond == []
    # where the talk can reach the diversion, it is missed, not beyond
    out = Session.replay(shipped["jinlan_diversion"], PRACTICE_PROFILES["evasive"],
                         ["accept_report"]).outcome()
    assert "diversion" in out.missed and "diversion" not in out.beyond


@pytest.mark.parametrize("rp_id,path,rule", [
    ("jinlan_diversion", ["threaten_freeze", "apologise_and_ask", "promise_rollover"],
     "no_threats"),
    ("jinlan_diversion", ["ask_onward_flows", "promise_rollover"], "no_false_promise"),
    ("consumer_hardship", ["call_employer", "repayment_plan"], "no_third_party_disclosure"),
    ("huimin_flood", ["call_tonight", "deferral_in_writing"], "contact_hours"),
    # pressing a guarantor for debts and a period the guarantee does not cover
    ("guarantor_wants_out", ["claim_everything"], "no_claim_beyond_guarantee"),
    # "only an extension, it stays normal" to a borrower who may be in difficulty
    ("jiahe_extension", ["grant_now"], "no_disguised_restructuring"),
])
def test_conduct_breaches_are_detected(shipped, rp_id, path, rule) -> None:
    out = Session.replay(shipped[rp_id], PRACTICE_PROFILES["struggling"], path).outcome()
    assert rule in {b.rule for b in out.breaches}


def test_a_guarantor_told_he_owes_everything_goes_to_his_lawyer(shipped) -> None:
    """Told the guarantee never expires and covers whatever Chen borrows, Mr Zhou stops
    talking: the officer breaks the rule and learns nothing of what he came to say."""
    rp = shipped["guarantor_wants_out"]
    pressed = Session.replay(rp, PRACTICE_PROFILES["distressed"], ["claim_everything"])
    asked = Session.replay(rp, PRACTICE_PROFILES["distressed"], ["ask_why", "watch_closer"])
    assert pressed.done and "lawyer" in pressed.steps[-1].line.text.en
    out = pressed.outcome()
    assert [(b.rule, b.choice_id) for b in out.breaches] == [
        ("no_claim_beyond_guarantee", "claim_everything")]
    assert out.learned == [] and "true_turnover" in out.missed
    assert asked.outcome().learned == ["true_turnover"]
    assert out.relationship_delta < asked.outcome().relationship_delta


def test_late_call_breaks_two_rules(shipped) -> None:
    out = Session.replay(shipped["consumer_hardship"], PRACTICE_PROFILES["distressed"],
                         ["call_every_night", "repayment_plan"]).outcome()
    assert {b.rule for b in out.breaches} == {"no_threats", "contact_hours"}
    assert out.relationship_delta < 0


def test_a_threat_to_tell_the_homebuyers_breaks_two_rules(shipped) -> None:
    """"Freeze your accounts and tell your homebuyers" is a threat and a disclosure of the
    borrower's affairs: both count, each with the choice that broke it."""
    out = Session.replay(shipped["jinlan_diversion"], PRACTICE_PROFILES["evasive"],
                         ["threaten_freeze", "apologise_and_ask", "promise_rollover"]).outcome()
    assert [(b.rule, b.choice_id) for b in out.breaches] == [
        ("no_threats", "threaten_freeze"), ("no_third_party_disclosure", "threaten_freeze"),
        ("no_false_promise", "promise_rollover")]


def test_a_threat_does_not_buy_the_confession_the_question_gets(shipped) -> None:
    """The diverting chairman admits the land premium when asked where the money went
    after the affiliate; threatened, he closes up (as the feedback says he will) and
    admits it only if the officer takes the threat back and asks the question."""
    rp, evasive = shipped["jinlan_diversion"], PRACTICE_PROFILES["evasive"]
    asked = Session.replay(rp, evasive, ["ask_onward_flows", "agree_entrusted"]).outcome()
    threatened = Session.replay(rp, evasive, ["threaten_freeze", "formal_letter"]).outcome()
    assert asked.learned == ["diversion"]
    assert threatened.learned == [] and "diversion" in threatened.missed
    back = Session.replay(rp, evasive, ["threaten_freeze", "apologise_and_ask",
                                        "agree_entrusted"]).outcome()
    assert back.learned == ["diversion"]
    assert back.relationship_delta < asked.relationship_delta  # the threat still cost
    assert {b.rule for b in back.breaches} == {"no_threats", "no_third_party_disclosure"}
    # an honest chairman is offended, not silenced: he still offers the statements
    honest = Session.replay(rp, PRACTICE_PROFILES["honest_sound"], ["threaten_freeze"])
    assert "statements" in honest.line().text.en


def test_what_the_borrower_volunteers_is_not_reported_as_missed(shipped) -> None:
    """Jinlun's manager opens with Huafang's lawsuit against him: the debrief listed "the
    guarantee chain is in trouble" as missed when the officer did not ask about it."""
    rp = shipped["jinlun_guarantor_default"]
    out = Session.replay(rp, PRACTICE_PROFILES["struggling"],
                         ["call_customers", "promise_shield"]).outcome()
    assert "guarantor_trouble" in out.learned and "guarantor_trouble" not in out.missed
    sound = Session.replay(rp, PRACTICE_PROFILES["honest_sound"], ["call_customers",
                                                                   "promise_shield"]).outcome()
    assert sound.learned == [] and sound.missed == []


def test_every_rule_broken_or_concession_made_is_explained(shipped) -> None:
    """The debrief's "On the choices you made" explains each route that breaks a conduct
    rule or gives a restructuring (an extension, a lower instalment): a trainee who gave
    in learned nothing from a debrief that said nothing about it."""
    for rp in shipped.values():
        for nid, node in rp.nodes.items():
            for ch in node.choices:
                concedes = any(t.kind == "restructure" for t in ch.terms)
                if ch.breach or ch.contact_hour is not None or concedes:
                    assert ch.feedback is not None, (rp.id, nid, ch.id)
                    assert ch.feedback.zh.strip() and ch.feedback.en.strip()


def test_a_clean_talk_breaks_no_rule(shipped) -> None:
    out = Session.replay(shipped["consumer_hardship"], PRACTICE_PROFILES["distressed"],
                         ["ask_situation", "repayment_plan"]).outcome()
    assert out.breaches == []
    assert [t.action_id for t in out.terms] == [TERM_ACTIONS["repayment_plan"]]


def test_a_plan_agreed_on_the_phone_is_booked_as_the_call_that_follows_it_up(shipped) -> None:
    """Li Na agrees a repayment plan on the phone: the bank books a collection call (its half
    hour and its cure boost), not a collection visit of four hours nobody made."""
    out = Session.replay(shipped["consumer_hardship"], PRACTICE_PROFILES["struggling"],
                         ["ask_situation", "repayment_plan"]).outcome()
    (term,) = out.terms
    call = INTERVENTIONS["collect_call"]
    assert (term.kind, term.action_id) == ("repayment_plan", "collect_call")
    assert (term.hours, term.cost_cny) == (call.hours, call.cost_cny)
    assert term.hours < INTERVENTIONS["collect_visit"].hours
    assert call.stage == "collect" and "overdue" in call.requires  # arrears to plan for


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


def test_a_household_is_never_the_borrower_diverting_to_a_business(shipped) -> None:
    """The consumer conversation offers no "evasive, diverting funds" borrower, neither
    by name nor in a surprise draw; a firm's conversation offers it."""
    from sim.borrower_state import PRACTICE_PROFILES as STATES
    from sim.borrower_state import fits, kind_of

    consumer = shipped["consumer_hardship"]
    assert kind_of(consumer) == "household"
    assert profiles_for(consumer) == ["honest_sound", "struggling", "distressed"]
    drawn = {practice_state(None, s, consumer)[0] for s in range(60)}
    assert drawn == {"honest_sound", "struggling", "distressed"}
    name, state = practice_state("evasive", 3, consumer)  # asked for by name: drawn again
    assert name != "evasive" and not state.diverting
    assert "evasive" in profiles_for(shipped["jinlan_diversion"])
    for rp in shipped.values():  # every shipped conversation offers only borrowers that fit
        assert all(fits(STATES[p], kind_of(rp)) for p in profiles_for(rp)), rp.id


# ------------------------------------------------------------------ in the engine
def test_every_path_of_every_conversation_plays_with_every_borrower(shipped) -> None:
    for rp in shipped.values():
        for path in all_paths(rp):
            for state in PRACTICE_PROFILES.values():
                s = Session.replay(rp, state, path)
                assert s.done, (rp.id, path)
                out = s.outcome()
                assert set(out.missed).isdisjoint(out.learned)


def test_practice_borrowers_fit_the_setting(shipped) -> None:
    rp = shipped["consumer_hardship"]
    for name in PRACTICE_PROFILES:
        _, state = practice_state(name, 0, rp)
        assert state.overdue
        assert Session(rp, state).line().text.en.startswith("I know I'm late")

