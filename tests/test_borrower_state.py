"""Tests for sim.borrower_state: the hidden state a role-play conversation reads is the
engine's own (health band, diversion, other creditors, guarantor trouble, arrears, a
disaster), and a conversation's premises hold only when the public facts do."""

from __future__ import annotations

import pytest

from sim import defaults
from sim.borrower_state import (
    HEALTH_DISTRESSED_BELOW,
    HEALTH_STRONG_ABOVE,
    BorrowerState,
    health_band,
    premise_missing,
    state_of,
    with_premise,
)
from sim.conversation import Conversation
from sim.roleplay import Roleplay, When
from sim.roleplay_files import load_all
from tests.roleplay_games import game, until


@pytest.fixture(scope="module")
def shipped() -> dict[str, Roleplay]:
    return load_all()


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


def test_state_defaults_are_harmless() -> None:
    st = BorrowerState()
    assert st.health == "strong" and not st.fact("diversion") and st.fact("ability_to_pay")


@pytest.mark.parametrize(("health", "band"), [
    (HEALTH_STRONG_ABOVE + 0.01, "strong"), (HEALTH_STRONG_ABOVE, "weak"),
    (HEALTH_DISTRESSED_BELOW, "weak"), (HEALTH_DISTRESSED_BELOW - 0.01, "distressed")])
def test_health_bands_use_the_engine_thresholds(health, band):
    assert HEALTH_STRONG_ABOVE == defaults.HEALTHY_BORROWER
    assert HEALTH_DISTRESSED_BELOW == defaults.GUARANTOR_TROUBLE_HEALTH
    assert health_band(health) == band


def test_a_condition_holds_only_when_every_field_given_holds():
    st = BorrowerState(health="weak", diverting=True, overdue=True)
    assert st.matches(None)
    assert st.matches(When(health=["weak", "distressed"], diverting=True))
    assert not st.matches(When(health=["strong"]))
    assert not st.matches(When(diverting=True, overdue=False))


@pytest.mark.parametrize(("kind", "state", "adverse"), [
    ("diversion", BorrowerState(diverting=True), True),
    ("related_party_transfer", BorrowerState(diverting=True), True),
    ("true_turnover", BorrowerState(health="weak"), True),
    ("true_turnover", BorrowerState(health="strong"), False),
    ("other_creditors", BorrowerState(other_creditors=True), True),
    ("guarantor_trouble", BorrowerState(), False),
    ("ability_to_pay", BorrowerState(health="distressed"), False),
    # a weak borrower's health is above the engine's payment rule: it pays
    ("ability_to_pay", BorrowerState(health="weak", disaster_hit=True), True),
    # what the engine read wins over the band
    ("ability_to_pay", BorrowerState(health="distressed", able_to_pay=True), True),
    ("ability_to_pay", BorrowerState(health="weak", able_to_pay=False), False),
])
def test_each_reveal_kind_reads_its_fact(kind, state, adverse):
    assert state.fact(kind) is adverse


def test_a_practice_borrower_is_made_to_fit_the_premise(shipped):
    rp = shipped["consumer_hardship"]
    assert "overdue" in rp.premise
    assert with_premise(BorrowerState(), rp).overdue
    assert with_premise(BorrowerState(health="weak"), rp).health == "weak"


def test_a_premise_holds_only_when_the_public_fact_does(shipped):
    g = game("disaster")
    i = g.sim.pf.named_index["huimin"]
    rp = shipped["huimin_flood"]
    assert premise_missing(g.sim, i, rp) == "disaster_hit"
    until(g, lambda g: premise_missing(g.sim, i, rp) is None)
    assert g.sim.disaster_until[g.sim.pf.region[i]] >= g.sim.t
    assert state_of(g.sim, i).disaster_hit


def _flooded_huimin(seed: int, month: int):
    from sim.scenario import load_scenario
    from tests.roleplay_games import LIGHT, ROOT
    from training.desk import Desk as Game

    g = Game(load_scenario(ROOT / "scenarios" / "disaster.yaml"), seed=seed)
    g.set_policy(LIGHT)
    until(g, lambda g: g.month == month)
    return g, g.sim.pf.named_index["huimin"]


def test_an_insured_flood_victim_is_filed_as_able_to_pay(shipped):
    """Huimin, a week after the flood (seed 1, month 6): the flood's passing loss puts her
    health just below the payment rule (distressed), but the loss fades as the insurer pays
    and the shop reopens; her lasting health is sound, so she says so and the loan file
    learns she can pay, not that she cannot pay as scheduled."""
    from sim.macro import fading_shock

    g, i = _flooded_huimin(seed=1, month=6)
    d, passing = float(g.sim.d[i]), float(fading_shock(g.sim, g.sim.t)[i])
    assert d < 0 < d - passing  # the engine would miss this month's payment for the flood
    st = g.talk_state(i)
    assert st.health == "distressed" and st.disaster_hit and st.able_to_pay
    rp = shipped["huimin_flood"]
    talk = Conversation.replay(rp, st, ["ask_insurance"])
    assert talk.line().reveals == ["ability_to_pay"]  # "the insurer has accepted the claim"
    talk.choose("deferral_in_writing")
    assert dict(talk.effects().facts) == {"ability_to_pay": True}


def test_a_flood_victim_whose_loss_lasts_is_filed_as_unable_to_pay(shipped):
    """Seed 2, month 7: even without the flood's passing loss her health is below the
    payment rule: the stock is not covered, and the file says she cannot pay as scheduled."""
    from sim.macro import fading_shock

    g, i = _flooded_huimin(seed=2, month=7)
    assert float(g.sim.d[i]) - float(fading_shock(g.sim, g.sim.t)[i]) < 0
    st = g.talk_state(i)
    assert st.able_to_pay is False and not st.fact("ability_to_pay")
    talk = Conversation.replay(shipped["huimin_flood"], st, ["ask_insurance"])
    assert talk.line().reveals == ["true_turnover"]


def test_a_weak_flood_victim_is_able_to_pay_in_every_month_of_the_flood():
    """Every month of the flood on a few seeds: the file says "can pay" exactly when the
    borrower's health less the flood's passing loss meets the engine's payment rule, and
    never says "cannot pay" of a weak or strong borrower."""
    from sim.macro import fading_shock

    seen = set()
    for seed in (1, 2, 3, 5):
        g, i = _flooded_huimin(seed=seed, month=6)
        while g.month < 10:
            st = g.talk_state(i)
            lasting = float(g.sim.d[i]) - float(fading_shock(g.sim, g.sim.t)[i])
            assert st.fact("ability_to_pay") is (lasting >= 0)
            if st.health != "distressed":
                assert st.fact("ability_to_pay")
            seen.add(st.fact("ability_to_pay"))
            g.end_month(g.month)
    assert seen == {True, False}
