"""The role-play page and 'Meet the borrower' on the desk, through AppTest.

The practice page plays a conversation with a chosen hidden borrower and shows the
feedback; on the desk, a meeting with a named borrower queues the agreed terms and
they change the loan when the month ends.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim.policy import ClassIntervals, MonitoringPolicy
from sim.roleplay_files import load_all
from training.i18n import t
from training.lessons import load_lesson

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60
LIGHT = MonitoringPolicy(interval_months=ClassIntervals(
    normal=12, special_mention=3, substandard=3, doubtful=3))


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def practice(conversation: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if conversation:
        at.query_params["conversation"] = conversation
    at.run()
    at.switch_page("app_pages/roleplay.py").run()
    no_exception(at)
    return at


def play(at: AppTest, conversation: str, profile: str, path: list[str]) -> AppTest:
    at.session_state["rp_pick"] = conversation
    at.run()  # the conversation first: it decides which borrowers are offered
    at.session_state["rp_profile"] = profile
    at.run()
    at.button(key="rp_start").click().run()
    no_exception(at)
    for n, cid in enumerate(path):
        at.button(key=f"rp_choice_{n}_{cid}").click().run()
        no_exception(at)
    return at


def test_practice_uncovers_diversion_and_gives_feedback() -> None:
    at = play(practice(), "jinlan_diversion", "evasive", ["ask_onward_flows", "agree_entrusted"])
    shown = texts(at)
    assert "贷款资金被挪作他用" in shown  # learned: the diversion
    assert "其他银行或债权人正在催收" in shown  # missed: the other creditors
    assert "受托支付" in shown  # the term agreed, with its hours
    assert "在案例中会列入当月措施" in shown  # practice has no case to queue them in
    assert [s.value for s in at.success] == ["没有违反行为规范。"]
    assert "闪烁其词，挪用资金" in shown  # the hidden borrower, told after the talk
    assert "溧阳新地块的出让金是用什么钱交的？" in shown  # a strong officer's question


def test_a_diverting_borrower_the_talk_cannot_reach_is_not_called_clean() -> None:
    """The flood talk never asks about the use of funds: beside "evasive, diverting funds"
    the feedback said the borrower had no adverse fact; it now names what lies beyond it."""
    at = play(practice("huimin_flood"), "huimin_flood", "evasive",
              ["ask_insurance", "deferral_in_writing"])
    shown = texts(at)
    assert t("roleplay.missed_none") in shown
    prefix = t("roleplay.beyond").split("{facts}")[0]
    beyond = [c.value for c in at.caption if c.value.startswith(prefix)]
    assert beyond and t("roleplay.fact.diversion") in beyond[0], shown


def test_the_same_path_with_an_honest_borrower_learns_nothing_hidden() -> None:
    at = play(practice(), "jinlan_diversion", "honest_sound",
              ["ask_onward_flows", "agree_entrusted"])
    shown = texts(at)
    assert "贷款资金被挪作他用" not in shown
    assert "这次面谈没有揭示出隐藏的问题。" in shown
    assert t("roleplay.missed_none") in shown


def test_practice_shows_the_rules_broken_with_their_source() -> None:
    at = play(practice(), "consumer_hardship", "struggling", ["call_every_night", "repayment_plan"])
    errors = "\n".join(e.value for e in at.error)
    assert "不威胁、不骚扰" in errors and "只在允许的时间联系" in errors
    # the plan agreed on the phone is booked as the engine's collection call that follows it
    # up (half an hour), not as a collection visit of four hours
    assert re.search(r"欠款还款计划，按“电话催收”列入措施：0\.5\s小时", texts(at))
    assert "中国银行业协会" in errors
    # the relationship's change is read against its scale, not as a bare "-0.30"
    assert "与借款人关系的变化：-0.30（关系从 0 到 1" in texts(at)


def test_a_household_borrowers_feedback_names_no_firms_sales_or_guarantee_chain() -> None:
    """Li Na, laid off from her job, was told that beyond the talk her "sales and
    receipts" were weaker than reported and her "guarantee chain" was in trouble: the
    facts' words were a firm's, and the practice borrowers a household meets carry them."""
    at = play(practice(), "consumer_hardship", "distressed", ["ask_situation", "repayment_plan"])
    shown = texts(at)
    assert "这段对话问不出来的" in shown  # the facts beyond the talk are named
    assert "担保链" not in shown and "销售和回款" not in shown
    assert "销售或收入" in shown and "保证人出事" in shown


def test_try_again_starts_a_new_talk() -> None:
    at = play(practice(), "guarantor_wants_out", "surprise", ["release_now"])
    assert "不作银行无法兑现的承诺" in "\n".join(e.value for e in at.error)
    at.button(key="rp_restart").click().run()
    no_exception(at)
    assert at.button(key="rp_choice_0_ask_why") is not None
    assert at.session_state["rp_play"]["path"] == []


def test_surprise_me_does_not_give_every_trainee_the_same_borrower() -> None:
    # each trainee's first "Surprise me" was the evasive borrower, the second the
    # struggling one...: a class comparing notes learned the order, not the conversation
    met = set()
    for _ in range(8):  # eight trainees, each in a session of their own
        at = practice()
        at.session_state["rp_profile"] = "surprise"
        at.run()
        at.button(key="rp_start").click().run()
        no_exception(at)
        met.add(at.session_state["rp_play"]["profile"])
    assert len(met) > 1, met


def test_the_consumer_conversation_offers_no_diverting_borrower() -> None:
    at = practice("consumer_hardship")
    assert at.selectbox(key="rp_profile").options == [
        "随机", "诚实，财务正常", "诚实，财务困难", "深陷困境"]
    at = practice("jinlan_diversion")
    assert "闪烁其词，挪用资金" in at.selectbox(key="rp_profile").options
    at.selectbox(key="rp_profile").select("evasive").run()
    at.selectbox(key="rp_pick").select("consumer_hardship").run()  # the pick does not carry over
    no_exception(at)
    assert at.selectbox(key="rp_profile").value == "surprise"
    at.button(key="rp_start").click().run()
    assert at.session_state["rp_play"]["profile"] != "evasive"


@pytest.mark.parametrize("talk", ["\u00b2", "1" * 5000, "-3"])
def test_a_garbled_talk_in_the_address_opens_the_conversation_afresh(talk) -> None:
    """A talk the address cannot hold (a superscript digit, a number far past any seed)
    stopped the page with an error; it is dropped like any other hand-edited address."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(conversation="huimin_flood", talk=talk, said="")
    at.run()
    at.switch_page("app_pages/roleplay.py").run()
    no_exception(at)
    assert at.session_state["rp_pick"] == "huimin_flood"
    assert at.button(key="rp_start")


def test_a_link_opens_the_conversation() -> None:
    at = practice("huimin_flood")
    assert at.selectbox(key="rp_pick").value == "huimin_flood"
    assert "新乡惠民生鲜超市" in texts(at)  # the case's borrower, by name


def test_the_lesson_links_every_conversation() -> None:
    ids = set(load_all())
    for lang in ("zh", "en"):
        body = load_lesson("negotiation", lang).body
        assert {i for i in ids if f"roleplay?conversation={i}" in body} == ids


def desk_at_jinlan(diverting: bool = True) -> tuple[AppTest, str, int]:
    """The real-estate desk with Jinlan Property's file open, hours freed for a meeting."""
    from app_pages import common

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.button(key="start_real_estate").click().run()
    at.button(key="to_desk").click().run()
    no_exception(at)
    aid = at.session_state["attempt_id"]
    common.games().set_policy(aid, LIGHT)  # this case's staff cannot meet anyone otherwise
    g = common.games().open(aid).game
    i = g.sim.pf.named_index["jinlan"]
    while diverting and not g.sim.diverting[i]:
        common.games().end_month(aid, g.month)
    at.run()
    at.selectbox(key="loan_pick").set_value(i).run()
    no_exception(at)
    return at, aid, i


def test_taking_the_meeting_off_the_queue_allows_another(fresh_db) -> None:
    from app_pages import common

    at, aid, i = desk_at_jinlan(diverting=False)
    at.button(key="meet_open").click().run()
    at.button(key="meet_choice_0_accept_report").click().run()
    no_exception(at)
    assert [q.action_id for q in common.games().open(aid).game.queued] == ["meet_borrower"]
    at.button(key="unqueue_0").click().run()
    no_exception(at)
    assert common.games().open(aid).game.queued == []
    assert at.button(key="meet_open") is not None


def test_a_meeting_that_found_nothing_says_so_in_the_loan_file(fresh_db) -> None:
    from app_pages import common

    at, aid, i = desk_at_jinlan(diverting=False)
    at.button(key="meet_open").click().run()
    at.button(key="meet_choice_0_accept_report").click().run()
    g = common.games().open(aid).game
    at.button(key=f"end_month_{g.month}").click().run()
    no_exception(at)
    shown = texts(at)
    # the entry under "Meetings" was a bare title, as if its notes were lost
    assert "第1月：锦澜置业：工程款去了哪里" in shown
    assert "这次面谈没有了解到隐藏的情况。" in shown
    assert "谈定：" not in shown  # the report agreed nothing


def test_meet_the_borrower_on_the_desk_changes_the_loan_next_month(fresh_db) -> None:
    from app_pages import common

    at, aid, i = desk_at_jinlan()
    at.button(key="meet_open").click().run()
    no_exception(at)
    assert "一部分是集团临时调用" not in texts(at)
    at.button(key="meet_choice_0_ask_onward_flows").click().run()
    assert "一部分是集团临时调用" in texts(at)  # the evasive borrower admits it when asked
    # mid-talk, the desk says the meeting is not yet held (ending the month would drop it)
    assert "你与周建华的面谈还没有结束" in "\n".join(w.value for w in at.warning)
    at.button(key="meet_choice_1_agree_entrusted").click().run()
    no_exception(at)
    assert "本月的面谈已安排" in "\n".join(s.value for s in at.success)
    assert "面谈还没有结束" not in "\n".join(w.value for w in at.warning)
    g = common.games().open(aid).game
    assert [q.action_id for q in g.queued] == ["meet_borrower", "entrusted_payment"]
    month = g.month
    at.button(key=f"end_month_{month}").click().run()
    no_exception(at)
    g = common.games().open(aid).game
    assert g.month == month + 1
    assert g.loan_file(i).terms["payment_mode"] == "entrusted"
    assert g.loans()["known_diversion"].iat[i]
    assert "贷款资金被挪作他用" in texts(at)  # the loan file lists what the meeting found
    assert "谈定：改为受托支付" in texts(at)  # and what it agreed
    assert any("talks" in e for e in g.decision_log)


def test_ending_a_meeting_early_keeps_what_the_borrower_said(fresh_db) -> None:
    from app_pages import common

    at, aid, i = desk_at_jinlan()
    at.button(key="meet_open").click().run()
    assert at.button(key="meet_close").label == "不谈了，离开"  # nothing said yet: free
    at.button(key="meet_choice_0_ask_onward_flows").click().run()
    assert "一部分是集团临时调用" in texts(at)
    assert at.button(key="meet_close").label == "到此结束面谈"
    assert "面谈仍然算数" in texts(at)
    at.button(key="meet_close").click().run()
    no_exception(at)
    g = common.games().open(aid).game
    assert [q.action_id for q in g.queued] == ["meet_borrower"]  # held, its hours taken
    assert "你结束了面谈" in "\n".join(s.value for s in at.success)
    at.button(key=f"end_month_{g.month}").click().run()
    no_exception(at)
    assert common.games().open(aid).game.loans()["known_diversion"].iat[i]
    assert "贷款资金被挪作他用" in texts(at)  # the admission is in the loan file


def test_ending_the_month_mid_meeting_holds_it_as_it_stood(fresh_db) -> None:
    """The officer has read Zhou's admission and ends the month without ending the meeting:
    the meeting is held as "End the meeting here" holds it, not dropped as a free probe."""
    from app_pages import common

    at, aid, i = desk_at_jinlan()
    at.button(key="meet_open").click().run()
    at.button(key="meet_choice_0_ask_onward_flows").click().run()
    assert "现在结束本月，面谈会像点“到此结束面谈”一样" in "\n".join(w.value for w in at.warning)
    month = common.games().open(aid).game.month
    at.button(key=f"end_month_{month}").click().run()
    no_exception(at)
    g = common.games().open(aid).game
    assert g.month == month + 1
    talk = g.decision_log[-1]["talks"][0]
    assert (talk["path"], talk.get("left")) == (["ask_onward_flows"], True)
    assert g.loans()["known_diversion"].iat[i]
    assert "贷款资金被挪作他用" in texts(at)


def test_leaving_before_a_word_is_said_holds_nothing(fresh_db) -> None:
    from app_pages import common

    at, aid, _ = desk_at_jinlan(diverting=False)
    at.button(key="meet_open").click().run()
    at.button(key="meet_close").click().run()
    no_exception(at)
    assert common.games().open(aid).game.queued == []
    assert at.button(key="meet_open") is not None


def test_a_term_the_case_cannot_take_is_named_not_coded(fresh_db) -> None:
    from app_pages import common

    at, aid, i = desk_at_jinlan()
    games = common.games()
    games.meet(aid, i, "jinlan_diversion", ["ask_onward_flows", "agree_entrusted"])
    games.end_month(aid, games.open(aid).game.month)  # payments are entrusted from now on
    at.run()
    at.button(key="meet_open").click().run()
    at.button(key="meet_choice_0_ask_onward_flows").click().run()
    at.button(key="meet_choice_1_agree_entrusted").click().run()
    no_exception(at)
    (warning,) = [w.value for w in at.warning if "未能列入措施" in w.value]
    assert "改为受托支付" in warning and "entrusted_payment" not in warning, warning


def test_the_debrief_shows_each_meeting_with_its_feedback(fresh_db) -> None:
    from app_pages import common

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.button(key="start_real_estate").click().run()
    aid = at.session_state["attempt_id"]
    games = common.games()
    games.set_policy(aid, LIGHT)
    g = games.open(aid).game
    i = g.sim.pf.named_index["jinlan"]
    while not g.sim.diverting[i]:
        games.end_month(aid, g.month)
    games.meet(aid, i, "jinlan_diversion", ["accept_report"])
    while not g.finished:
        games.end_month(aid, g.month)
    at.switch_page("app_pages/debrief.py").run()
    no_exception(at)
    shown = texts(at)
    assert "与借款人的面谈" in shown
    assert "贷款资金被挪作他用" in shown  # what was missed, now that the case is over
    assert "只看进度报告和发票，检查就流于形式" in shown


@pytest.mark.parametrize("restart", [False, True])
def test_a_reload_mid_meeting_resumes_it_where_it_stood(fresh_db, restart) -> None:
    """The meeting under way lived only in the browser session: a reload (or a new tab)
    dropped it with what the borrower had said, and the officer could open it again and
    choose differently, a free probe of the hidden state. It is kept with the attempt: a
    new session (and a restarted server, which replays the attempt) resumes it, and ending
    the month holds it as it stood."""
    from app_pages import common

    at, aid, i = desk_at_jinlan()
    at.button(key="meet_open").click().run()
    at.button(key="meet_choice_0_ask_onward_flows").click().run()
    no_exception(at)
    said = "一部分是集团临时调用"
    assert said in texts(at)
    if restart:  # the server restarted: the attempt is replayed from the store
        common.games()._live.pop(aid)

    again = AppTest.from_file(APP, default_timeout=TIMEOUT)  # the reload: a new session
    again.query_params["attempt"] = aid
    again.run()
    again.switch_page("app_pages/desk.py").run()
    no_exception(again)
    assert "现在结束本月，面谈会像点“到此结束面谈”一样" in "\n".join(w.value for w in again.warning)
    assert again.selectbox(key="loan_pick").value == i  # its file open again
    assert said in texts(again)  # the borrower's answer is still there
    assert again.button(key="meet_close") is not None
    assert not [b for b in again.button if b.key == "meet_open"]  # no fresh start
    month = common.games().open(aid).game.month
    again.button(key=f"end_month_{month}").click().run()
    no_exception(again)
    talk = common.games().open(aid).game.decision_log[-1]["talks"][0]
    assert (talk["path"], talk.get("left")) == (["ask_onward_flows"], True)


def reopened(at: AppTest) -> AppTest:
    """A new browser session at the address the first one shows (a reload, a new tab)."""
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in at.query_params.items():
        again.query_params[key] = value[0] if isinstance(value, list) else value
    again.run()
    again.switch_page("app_pages/roleplay.py").run()
    no_exception(again)
    return again


@pytest.mark.parametrize("profile", ["evasive", "surprise"])
def test_a_reload_mid_conversation_goes_on_where_it_stood(profile) -> None:
    """A practice talk lived in the browser session only: a reload in a class (or a lost
    connection) started the page over, with a new borrower. The address keeps it now,
    without saying which borrower a surprise drew."""
    at = play(practice(), "jinlan_diversion", profile, ["ask_onward_flows"])
    met = at.session_state["rp_play"]["profile"]
    if profile == "surprise":
        assert met not in str(dict(at.query_params))  # the draw stays hidden
    again = reopened(at)
    assert again.session_state["rp_play"]["profile"] == met
    assert again.session_state["rp_play"]["path"] == ["ask_onward_flows"]
    said = [m.value for m in again.markdown]
    assert any("锦澜建设之后又付给了谁" in m for m in said)  # the question asked stays
    # and the talk goes on from there, to the same feedback
    again.button(key="rp_choice_1_agree_entrusted").click().run()
    no_exception(again)
    shown = texts(again)
    assert ("贷款资金被挪作他用" in shown) == (met == "evasive")
    assert "你面对的借款人" in shown


def test_picking_another_borrower_mid_talk_ends_the_talk_and_a_reload_keeps_the_pick() -> None:
    """The hidden-situation box changed mid-talk did nothing: the talk went on with the
    borrower picked before while the box named another, and a reload put the old one
    back in the box."""
    at = play(practice(), "jiahe_extension", "struggling", ["ask_flows"])
    at.selectbox(key="rp_profile").select("honest_sound").run()
    no_exception(at)
    assert "rp_play" not in at.session_state
    assert at.button(key="rp_start") is not None
    assert "talk" not in at.query_params and "said" not in at.query_params
    again = reopened(at)
    assert again.selectbox(key="rp_profile").value == "surprise"  # no talk kept to restore
    at.button(key="rp_start").click().run()
    no_exception(at)
    assert at.session_state["rp_play"] == {"id": "jiahe_extension", "profile": "honest_sound",
                                           "path": [], "talk": "honest_sound"}


def test_back_from_a_look_at_another_conversation_the_box_names_the_talks_borrower() -> None:
    """A look at the consumer conversation (which offers no diverting borrower) set the box
    to "Surprise me"; back on Jinlan the talk went on with the evasive borrower under it."""
    at = play(practice(), "jinlan_diversion", "evasive", ["ask_onward_flows"])
    at.selectbox(key="rp_pick").select("consumer_hardship").run()
    assert at.selectbox(key="rp_profile").value == "surprise"
    at.selectbox(key="rp_pick").select("jinlan_diversion").run()
    no_exception(at)
    assert at.session_state["rp_play"]["path"] == ["ask_onward_flows"]  # the talk goes on
    assert at.selectbox(key="rp_profile").value == "evasive"


def test_an_address_with_a_path_that_does_not_fit_starts_over_cleanly() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"conversation": "jinlan_diversion", "talk": "evasive",
                            "said": "ask_onward_flows.no_such_choice"})
    at.run()
    at.switch_page("app_pages/roleplay.py").run()
    no_exception(at)
    assert at.button(key="rp_start") is not None
    assert "said" not in at.query_params and "talk" not in at.query_params


def desk_at_jinlan_with(monkeypatch, lang: str, talks: dict):
    """The real-estate case's desk in ``lang`` with Jinlan's file open, the conversations
    ``talks`` standing for the shipped ones and a check plan light enough for a meeting:
    (the page, the attempt id, Jinlan's loan)."""
    import sim.game_meetings
    from app_pages import common

    monkeypatch.setattr(sim.game_meetings, "shipped", lambda: talks)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    at.button(key="start_real_estate").click().run()
    at.button(key="to_desk").click().run()
    aid = at.session_state["attempt_id"]
    common.games().set_policy(aid, LIGHT)
    i = common.games().open(aid).game.sim.pf.named_index["jinlan"]
    at.run()
    at.selectbox(key="loan_pick").set_value(i).run()
    no_exception(at)
    return at, aid, i


def hold_the_call_and_end_the_month(at, aid: str) -> None:
    """Open the meeting on the desk, accept the report, see the call queued at its 0.5 h,
    and end the month."""
    from app_pages import common

    at.button(key="meet_open").click().run()
    at.button(key="meet_choice_0_accept_report").click().run()
    no_exception(at)
    g = common.games().open(aid).game
    assert [(q.action_id, q.hours) for q in g.queued] == [("meet_borrower_call", 0.5)]
    at.button(key=f"end_month_{g.month}").click().run()
    no_exception(at)


@pytest.mark.parametrize("lang, how", [("zh", "（电话或视频）："), ("en", ", by phone or video: ")])
def test_the_desk_says_how_a_talk_is_held_and_its_hours_before_it_opens(fresh_db, monkeypatch,
                                                                       lang, how):
    """A conversation held by phone: the meeting panel says so, with the call's hours, before
    the trainee opens it; held, it is queued at those hours and the loan file's list of
    meetings says how it was held."""
    from sim.roleplay import Roleplay
    from training import units

    hours = units.hours(0.5, lang)
    how += hours

    talks = dict(load_all())
    talks["jinlan_diversion"] = Roleplay.model_validate(
        {**talks["jinlan_diversion"].model_dump(), "held": "call"})
    at, aid, i = desk_at_jinlan_with(monkeypatch, lang, talks)
    assert how in texts(at), texts(at)
    hold_the_call_and_end_the_month(at, aid)
    assert re.search(rf"(第1月|Month 1): .*{re.escape(hours)}", texts(at).replace("：", ": ")), \
        texts(at)


def test_with_too_few_hours_the_desk_says_what_the_meeting_takes_and_what_is_left(fresh_db):
    from app_pages import common

    at, aid, i = desk_at_jinlan(diverting=False)
    games = common.games()
    g = games.open(aid).game
    other = 0
    while g.hours_left >= 4.0:  # the month's hours queued down to under a visit's
        other += other + 1 == i
        games.queue(aid, other, "closer_monitoring")
        other += 1
    left = g.hours_left
    at.run()
    no_exception(at)
    assert at.button(key="meet_open").disabled
    from training import units

    assert (f"这次面谈（上门走访）需要 {units.hours(4, 'zh')}，只剩 {units.hours(left, 'zh')}"
            in texts(at)), texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_with_two_conversations_for_a_borrower_the_trainee_picks_which_to_hold(
        fresh_db, monkeypatch, lang):
    """A case may have several conversations for one borrower; the desk offered only the
    first. It now names each with how it is held and its hours, says that one meeting a
    month can be held with a borrower, and holds the one picked: queued at its hours,
    logged by its id, and replayed from the log as held."""
    from app_pages import common
    from sim.game import Game
    from sim.roleplay import Roleplay
    from training import units

    talks = dict(load_all())
    first = talks["jinlan_diversion"]
    second = Roleplay.model_validate({
        **first.model_dump(), "id": "jinlan_call", "held": "call",
        "title": {"zh": "金澜地产：电话回访", "en": "Jinlan Property: a follow-up call"}})
    talks[second.id] = second
    at, aid, i = desk_at_jinlan_with(monkeypatch, lang, talks)
    borrower = common.games().open(aid).game.sim.pf.identity(i, lang)[1]
    assert t("roleplay.desk.several", lang, n=2, borrower=borrower) in texts(at)
    pick = at.radio(key=f"meet_pick_{i}")
    assert pick.options == [
        t("roleplay.desk.pick_line", lang, title=rp.title.get(lang),
          how=t(f"roleplay.held_as.{rp.held}", lang), hours=units.hours(h, lang))
        for rp, h in ((first, 4), (second, 0.5))]
    pick.set_value(second.id).run()
    hold_the_call_and_end_the_month(at, aid)
    g = common.games().open(aid).game
    assert [t_["roleplay"] for t_ in g.decision_log[0]["talks"]] == ["jinlan_call"]
    again = Game.replay(g.scenario, g.seed, g.decision_log, roleplays=talks)
    assert [(h["roleplay"], h["actions"][0]) for h in again.talk_history] == [
        ("jinlan_call", "meet_borrower_call")]
    # the meeting list says which was held
    assert t("roleplay.desk.talk_line", lang, month=1, title=second.title.get(lang),
             how=t("roleplay.held_as.call", lang), hours=units.hours(0.5, lang)) in texts(at)
