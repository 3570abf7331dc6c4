"""Tests for sim.game_meetings: holding a conversation with a named borrower on the step API,
the terms it agreed joining the month's queue, and meetings in the replay and the debrief."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.game_actions import ActionError
from sim.roleplay import MEET_ACTION, Roleplay
from sim.roleplay_files import load_all
from sim.scenario import load_scenario
from tests.roleplay_games import LIGHT, all_paths, game, single_term_roleplay, until
from training.desk import Desk as Game  # sim.game.Game with the loan file and the book

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Roleplay]:
    return load_all()


def test_terms_the_engine_cannot_take_are_returned_with_the_reason() -> None:
    rp = single_term_roleplay("repayment_plan", "intro", "mingtai")
    g = game("intro", roleplays={rp.id: rp})
    i = g.sim.pf.named_index["mingtai"]
    refused = g.meet(i, rp.id, ["agree"])  # month 0: not overdue
    assert refused == [("collect_call", "overdue")]
    assert [q.action_id for q in g.queued] == [MEET_ACTION]


def test_meetings_need_hours_and_a_conversation(shipped) -> None:
    g = Game(load_scenario(ROOT / "scenarios" / "real_estate.yaml"))  # its own heavy policy
    i = g.sim.pf.named_index["jinlan"]
    with pytest.raises(ActionError) as err:
        g.meet(i, "jinlan_diversion", ["accept_report"])
    assert err.value.code == "hours"
    g.set_policy(LIGHT)
    with pytest.raises(ActionError):
        g.meet(i, "consumer_hardship", ["ask_situation", "repayment_plan"])  # not this loan's
    with pytest.raises(ActionError):
        g.meet(i, "jinlan_diversion", ["ask_onward_flows"])  # the talk is not finished
    g.meet(i, "jinlan_diversion", ["accept_report"])
    with pytest.raises(ActionError):
        g.meet(i, "jinlan_diversion", ["accept_report"])  # one meeting a month


def test_unqueueing_the_meeting_drops_its_terms(shipped) -> None:
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    g.meet(i, "jinlan_diversion", ["ask_onward_flows", "agree_entrusted"])
    g.unqueue(1)
    assert [q.action_id for q in g.queued] == [MEET_ACTION]
    g.unqueue(0)
    assert g.queued == []
    g.end_month(g.month)
    assert "talks" not in g.decision_log[-1]


def _play_with_talk() -> Game:
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    until(g, lambda g: g.sim.diverting[i])
    g.meet(i, "jinlan_diversion", ["ask_onward_flows", "ask_other_debt",
                                   "agree_entrusted_and_collateral"])
    for _ in range(4):
        g.end_month(g.month)
    return g


def test_replay_with_conversations_is_exact() -> None:
    g = _play_with_talk()
    assert any("talks" in e for e in g.decision_log)
    again = Game.replay(g.scenario, g.seed, g.decision_log)
    assert again.metrics().equals(g.metrics())
    assert again.events().equals(g.events())
    assert again.talk_history == g.talk_history
    # without the conversation the loan takes another path
    bare = copy.deepcopy(g.decision_log)
    for e in bare:
        e.pop("talks", None)
    other = Game.replay(g.scenario, g.seed, bare)
    i = g.sim.pf.named_index["jinlan"]
    assert other.loan_file(i).terms["payment_mode"] != g.loan_file(i).terms["payment_mode"]


def test_leaving_after_the_answer_holds_the_meeting_as_it_stood() -> None:
    # the officer asks where the money went, hears the admission and leaves: the meeting
    # takes its hours and the admission reaches the loan file. Leaving used to undo the
    # talk, so the question was a free look at the hidden state, again every month
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    until(g, lambda g: g.sim.diverting[i])
    hours = g.hours_queued
    with pytest.raises(ActionError):
        g.meet(i, "jinlan_diversion", ["ask_onward_flows"])  # unfinished, not left
    assert g.meet(i, "jinlan_diversion", ["ask_onward_flows"], left=True) == []
    assert [q.action_id for q in g.queued] == [MEET_ACTION]  # nothing was agreed
    assert g.hours_queued > hours
    g.end_month(g.month)
    (held,) = g.talk_history
    assert held["left"] and ("diversion", True) in held["facts"]
    assert g.loans()["known_diversion"].iat[i]
    assert g.decision_log[-1]["talks"][0]["left"] is True
    again = Game.replay(g.scenario, g.seed, g.decision_log)
    assert again.talk_history == g.talk_history
    assert again.events().equals(g.events())


def test_replay_refuses_a_log_whose_terms_were_not_agreed() -> None:
    g = _play_with_talk()
    log = copy.deepcopy(g.decision_log)
    talk = next(e for e in log if "talks" in e)["talks"][0]
    talk["actions"].append("restructure")
    with pytest.raises(ActionError):
        Game.replay(g.scenario, g.seed, log)


def test_a_meeting_queued_this_month_survives_a_restart(tmp_path) -> None:
    from training.attempts import AttemptStore, LiveGames

    sc = load_scenario(ROOT / "scenarios" / "real_estate.yaml")
    url = f"sqlite:///{tmp_path / 'a.db'}"
    games = LiveGames(AttemptStore(url), lambda _id: sc)
    live = games.start(sc)
    games.set_policy(live.attempt.id, LIGHT)
    i = live.game.sim.pf.named_index["jinlan"]
    games.meet(live.attempt.id, i, "jinlan_diversion", ["ask_onward_flows", "agree_entrusted"])
    games.queue(live.attempt.id, i, "closer_monitoring")
    before = [(q.loan_id, q.action_id) for q in live.game.queued]
    again = LiveGames(AttemptStore(url), lambda _id: sc).open(live.attempt.id)  # a new server
    assert [(q.loan_id, q.action_id) for q in again.game.queued] == before
    assert again.game.pending_talks == live.game.pending_talks


def test_an_attempt_still_replays_after_its_conversation_is_edited(shipped) -> None:
    g = _play_with_talk()
    edited = dict(shipped)
    rp = shipped["jinlan_diversion"]
    data = rp.model_dump(mode="json")
    data["nodes"]["opening"]["choices"] = [
        c for c in data["nodes"]["opening"]["choices"] if c["id"] != "ask_onward_flows"]
    data["nodes"].pop("flows")
    data["nodes"].pop("debts")
    data["nodes"]["opening"]["choices"][0]["next"] = "close"
    edited["jinlan_diversion"] = Roleplay.model_validate(data)
    again = Game.replay(g.scenario, g.seed, g.decision_log, roleplays=edited)
    assert again.metrics().equals(g.metrics())
    assert [t["facts"] for t in again.talk_history] == [t["facts"] for t in g.talk_history]


def test_the_debrief_report_lists_the_meetings() -> None:
    from training.report import debrief_html
    from training.roleplay import talk_summaries

    g = _play_with_talk()
    while not g.finished:
        g.end_month(g.month)
    talks = talk_summaries(g, "en")
    assert [(x.label, x.learned, x.breaches) for x in talks] == [
        ("L0001", ["Loan money was diverted to another use"], [])]
    assert talks[0].terms == ["Additional collateral", "Entrusted payment"]
    page = debrief_html(g.scenario, g.debrief(), "en", talks=talks)
    assert "Meetings with borrowers" in page
    assert "Jinlan Property: where did the construction money go?" in page
    assert "Loan money was diverted to another use" in page


def test_a_meeting_is_offered_only_when_its_setting_holds(shipped) -> None:
    g = game("disaster")
    i = g.sim.pf.named_index["huimin"]
    opt = g.meeting_option(i)
    assert not opt.available and opt.reason == "disaster_hit"
    with pytest.raises(ActionError) as err:
        g.meet(i, "huimin_flood", ["offer_deferral", "deferral_in_writing"])
    assert err.value.code == "disaster_hit"
    until(g, lambda g: g.meeting_option(i).available)
    assert g.sim.disaster_until[g.sim.pf.region[i]] >= g.sim.t


def test_a_talk_survives_the_standing_order_adding_actions(monkeypatch) -> None:
    import sim.game as game_module
    from sim.conversation import Talk
    from sim.observation import Decision

    g = game("real_estate")
    talk = Talk(0, (("diversion", True),), -0.05)
    g._pending = Decision(policy=g.policy, actions=[(0, MEET_ACTION)], talks=[talk])
    monkeypatch.setattr(game_module, "standing_actions", lambda *a, **k: [(1, "lawsuit")])
    dec = g._decide(g.observation())
    assert dec.talks == [talk] and (1, "lawsuit") in dec.actions


@pytest.mark.parametrize("rp_id", ["jinlan_diversion", "jinlun_guarantor_default",
                                   "huimin_flood", "jiahe_extension"])
def test_every_case_conversation_can_be_held_in_its_case(shipped, rp_id) -> None:
    rp = shipped[rp_id]
    g = game(rp.case)
    i = g.sim.pf.named_index[rp.borrower]
    until(g, lambda g: g.meeting_option(i).available)
    path = all_paths(rp)[0]
    g.meet(i, rp.id, path)
    g.end_month(g.month)
    assert [t["roleplay"] for t in g.loan_file(i).talks] == [rp.id]


def test_a_meeting_that_finds_the_misuse_can_freeze_the_line_the_same_month() -> None:
    """Jinlan starts diverting before it shows any difficulty: a bare freeze has no ground
    (the watch list says 关注 only at the month's tick). The chairman admits the diversion in
    the meeting: that finding is a ground (Civil Code Art. 673), so the freeze agreed at the
    meeting is queued and taken the same month, and it stops the drawdowns."""
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    until(g, lambda g: bool(g.sim.diverting[i]))
    assert g.sim.dpd[i] == 0 and g.sim.undrawn[i] > 0
    with pytest.raises(ActionError) as err:
        g.queue(i, "freeze_line")
    assert err.value.code == "freeze_ground"
    assert g.meet(i, "jinlan_diversion", ["ask_onward_flows", "stop_drawdowns"]) == []
    assert [q.action_id for q in g.queued] == [MEET_ACTION, "freeze_line"]
    assert not g.sim.known_diversion[i] and not g.sim.frozen[i]  # queueing changed nothing
    undrawn = float(g.sim.undrawn[i])
    g.end_month(g.month)
    assert g.last_report.rejected == []
    ev = g.events(g.month)
    assert "action_freeze_line" in set(ev.loc[ev["loan_id"] == i, "event"])
    assert g.sim.frozen[i] and float(g.sim.undrawn[i]) == undrawn  # nothing more drawn
    # the replay takes the same freeze
    again = Game.replay(g.scenario, g.seed, g.decision_log)
    assert again.sim.frozen[i] and again.events().equals(g.events())


def test_a_meeting_that_found_no_misuse_gives_the_freeze_no_ground() -> None:
    """The same meeting a month before the diversion: the chairman has nothing to admit, so
    the freeze agreed at it is refused for want of a ground, as a bare one is."""
    g = game("real_estate")
    i = g.sim.pf.named_index["jinlan"]
    assert not g.sim.diverting[i]
    refused = g.meet(i, "jinlan_diversion", ["ask_onward_flows", "stop_drawdowns"])
    assert refused == [("freeze_line", "freeze_ground")]


def held_as(rp: Roleplay, held: str) -> Roleplay:
    """The same conversation held another way (a file's `held`)."""
    return Roleplay.model_validate({**rp.model_dump(), "held": held})


def test_a_talk_by_phone_takes_the_calls_hours_and_a_visit_the_visits(shipped) -> None:
    """The one conversation held on a visit and by phone: the desk offers each with its own
    hours and cost before it opens, the month charges them, and what the talk established
    (the relationship it moved) lands either way; a replay of the log holds it the same way."""
    path = ["threaten_freeze", "formal_letter"]  # agrees nothing; the relationship falls
    out = {}
    for held in ("visit", "call", "branch"):
        rp = held_as(shipped["jinlan_diversion"], held)
        g = game("real_estate", roleplays={rp.id: rp})
        i = g.sim.pf.named_index["jinlan"]
        opt = g.meeting_option(i, rp.id)
        assert opt.available and opt.id == rp.meeting_action
        assert (opt.hours, opt.cost_cny) == (g.sim.catalogue[rp.meeting_action].hours,
                                             g.sim.catalogue[rp.meeting_action].cost_cny)
        before = float(g.sim.relationship[i])
        g.meet(i, rp.id, path)
        assert [q.action_id for q in g.queued] == [rp.meeting_action]
        assert g.hours_queued == opt.hours
        g.end_month(g.month)
        assert f"action_{rp.meeting_action}" in set(g.events(g.month)["event"])
        assert float(g.sim.relationship[i]) == pytest.approx(max(0.0, before - 0.3))
        (h,) = g.talk_history
        assert h["actions"] == [rp.meeting_action]
        again = Game.replay(g.scenario, g.seed, g.decision_log, roleplays={rp.id: rp})
        assert again.talk_history[0]["actions"] == [rp.meeting_action]
        assert again.sim.reports[-1].hours_used == g.sim.reports[-1].hours_used
        out[held] = (opt.hours, opt.cost_cny, g.sim.reports[-1].hours_used)
    assert out["visit"][:2] == (4.0, 100) and out["call"][:2] == (0.5, 20)
    assert out["branch"][:2] == (2.0, 0)
    # the same month, the same book: only the meeting's hours differ
    assert out["visit"][2] - out["call"][2] == pytest.approx(3.5)
    assert out["visit"][2] - out["branch"][2] == pytest.approx(2.0)


def test_with_too_few_hours_for_a_visit_the_desk_refuses_it_and_a_call_still_fits(shipped):
    rp_visit = shipped["jinlan_diversion"]
    rp_call = held_as(rp_visit, "call")
    for rp, fits in ((rp_visit, False), (rp_call, True)):
        g = game("real_estate", roleplays={rp.id: rp})
        i = g.sim.pf.named_index["jinlan"]
        other = next(k for k in range(g.sim.n) if k != i)
        g.queue(other, "closer_monitoring")
        while g.hours_left >= 4.0:  # fill the month to under a visit's hours
            other = next(k for k in range(other + 1, g.sim.n) if k != i)
            g.queue(other, "closer_monitoring")
        assert 0.5 <= g.hours_left < 4.0
        opt = g.meeting_option(i, rp.id)
        assert opt.available is fits and opt.reason == ("" if fits else "hours")
        if fits:
            g.meet(i, rp.id, ["accept_report"])
        else:
            assert opt.reason_en == "not enough staff hours left this month"
            with pytest.raises(ActionError) as err:
                g.meet(i, rp.id, ["accept_report"])
            assert err.value.code == "hours"
            assert g.pending_talks == []


def test_a_case_sets_the_hours_of_a_call(shipped) -> None:
    """A case's `intervention_overrides` sets each way's hours like any action's."""
    text = (ROOT / "scenarios" / "real_estate.yaml").read_text("utf-8")
    assert "intervention_overrides" not in text
    from sim.scenario import parse_scenario

    sc = parse_scenario(text + "\nintervention_overrides:\n  meet_borrower_call: {hours: 1.5}\n",
                        "real_estate.yaml")
    rp = held_as(shipped["jinlan_diversion"], "call")
    g = Game(sc, roleplays={rp.id: rp})
    g.set_policy(LIGHT)
    assert g.meeting_option(g.sim.pf.named_index["jinlan"], rp.id).hours == 1.5


def test_the_debrief_and_report_say_how_each_meeting_was_held(shipped) -> None:
    from training.report import _talk_html
    from training.roleplay import talk_summaries

    rp = held_as(shipped["jinlan_diversion"], "call")
    g = game("real_estate", roleplays={rp.id: rp})
    g.meet(g.sim.pf.named_index["jinlan"], rp.id, ["accept_report"])
    g.end_month(g.month)
    (en,), (zh,) = talk_summaries(g, "en"), talk_summaries(g, "zh")
    assert (en.how, en.hours.replace("\xa0", " ")) == ("by phone or video", "0.5 h")
    assert (zh.how, zh.hours.replace("\xa0", " ")) == ("电话或视频", "0.5 小时")
    assert "(by phone or video, 0.5" in _talk_html(en, "en")
    assert "（电话或视频，0.5" in _talk_html(zh, "zh")
