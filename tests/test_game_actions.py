"""Tests for sim.game_actions: the month's action queue on the step API. Every action is
offered with its cost and, when it cannot be queued, the reason in both languages; an
accepted action is not refused by the engine later; a restructuring shows the terms the
engine then books."""

from __future__ import annotations

import pytest

from sim import defaults
from sim.game_actions import ActionError
from sim.interventions import REASONS
from sim.policy import ClassIntervals, MonitoringPolicy
from tests.step_cases import LIGHT, case
from training.desk import Desk as Game
from training.desk import engine_text


def assert_rejected(g: Game, loan: int, action: str, code: str) -> None:
    before = list(g._queue)
    with pytest.raises(ActionError) as info:
        g.queue(loan, action)
    err = info.value
    assert err.code == code
    assert (err.zh, err.en) == engine_text("reason", code)
    assert err.zh and err.en and str(err) == err.en
    assert g._queue == before


def test_queue_rejects_unavailable_actions_with_reasons_in_both_languages():
    g = Game(case(hours=12.0), seed=9)
    g.set_policy(LIGHT)
    assert_rejected(g, 0, "lawsuit", "defaulted")  # a performing loan cannot be sued
    assert_rejected(g, 0, "collect_call", "overdue")
    assert_rejected(g, 0, "emergency_deferral", "disaster_hit")
    assert_rejected(g, 0, "write_off", "defaulted")
    assert_rejected(g, 0, "panic_sell", "available")
    assert_rejected(g, 30, "onsite_check", "active")
    assert_rejected(g, -1, "onsite_check", "active")
    g.queue(0, "onsite_check")  # 10 of the 12 hours
    assert_rejected(g, 0, "onsite_check", "queued")
    assert_rejected(g, 1, "onsite_check", "hours")
    # a line is frozen on a ground: a sound borrower showing no difficulty gives none
    assert_rejected(g, 1, "freeze_line", "freeze_ground")
    g.queue(1, "closer_monitoring")  # 1 hour still fits
    assert [q.action_id for q in g.queued] == ["onsite_check", "closer_monitoring"]
    assert g.hours_queued == pytest.approx(11.0)
    g.unqueue(0)
    assert [q.action_id for q in g.queued] == ["closer_monitoring"]


def test_options_explain_every_unavailable_action():
    g = Game(case(), seed=9)
    # this book's first checks take every staff hour; a lighter policy leaves room to act
    assert not {o.id: o for o in g.options(0)}["onsite_check"].available
    g.set_policy(MonitoringPolicy(interval_months=ClassIntervals(
        normal=0, special_mention=0, substandard=0, doubtful=0, loss=0), first_check_days=0))
    opts = g.options(0)
    # a borrower with no conversation is offered the meeting once (why it cannot be held),
    # not once for each way a talk may be held (by phone, at the branch)
    assert {o.id for o in opts} == set(g.sim.catalogue) - {"meet_borrower_call",
                                                           "meet_borrower_branch"}
    assert {o.id: o for o in opts}["meet_borrower"].reason == "no_conversation"
    for o in opts:
        assert o.available == (o.reason_en == "") == (o.reason_zh == "")
    by_id = {o.id: o for o in opts}
    assert by_id["onsite_check"].available
    assert not by_id["lawsuit"].available and by_id["lawsuit"].reason_zh == engine_text("reason", "defaulted")[0]


def test_a_case_can_withhold_actions():
    g = Game(case(extra="interventions_available: [lawsuit, auction]"), seed=9)
    assert "add_collateral" not in g.sim.catalogue
    assert_rejected(g, 0, "add_collateral", "available")
    g.set_policy(LIGHT)
    g.queue(0, "onsite_check")  # checks are always offered


def test_an_accepted_action_is_not_rejected_for_hours():
    g = Game(case(hours=60.0), seed=9)  # the default policy: 30 first checks due in month 1
    assert g.policy_hours() > g.hours_available
    try:
        g.queue(0, "onsite_check")
    except ActionError as err:  # refusing at queue time is fine too
        assert err.code == "hours"
        return
    rep = g.end_month(0)
    assert rep.rejected == []


def test_hours_given_to_the_checks_free_the_rest_for_actions_and_the_rest_slip_unrushed():
    """A plan too heavy for the month: rushed, it blocks every action; given 30 hours, the
    oldest checks are done in full, the rest slip, and the other hours can be queued."""
    rushed = Game(case(hours=60.0), seed=9)
    assert rushed.policy_hours() > rushed.hours_available
    assert_rejected(rushed, 0, "onsite_check", "hours")
    report_rushed = rushed.end_month(0)
    assert report_rushed.check_quality < 1.0

    g = Game(case(hours=60.0), seed=9)
    g.set_routine_hours(30.0)
    assert g.check_hours() == pytest.approx(30.0)
    assert g.hours_planned == pytest.approx(30.0)
    g.queue(0, "onsite_check")
    rep = g.end_month(0)
    assert rep.rejected == []
    assert rep.check_quality == 1.0  # done in full
    assert rep.checks_slipped > 0 and rep.checks_done < report_rushed.checks_done
    assert rep.hours_used <= g.hours_available + 1e-9
    assert g.decision_log[0]["routine_hours"] == 30.0
    assert g.routine_hours == 30.0  # it stays, like the policy
    again = Game.replay(case(hours=60.0), 9, g.decision_log)
    assert again.routine_hours == 30.0
    assert again.metrics().equals(g.metrics())
    # more hours than the month has: never rushed, at most the month's hours
    g.set_routine_hours(1e6)
    assert g.check_hours() == pytest.approx(min(g.policy_hours(), g.hours_available))
    with pytest.raises(ValueError, match="routine_hours"):
        g.set_routine_hours(-1.0)
    g.set_routine_hours(None)
    assert g.check_hours() == g.policy_hours()


def test_the_queued_list_shows_what_the_option_showed():
    g = Game(case(hours=200.0), seed=9)
    g.set_policy(LIGHT)
    shown = {o.id: o for o in g.options(2)}
    g.queue(2, "onsite_check")
    g.queue(3, "closer_monitoring")
    [q] = [q for q in g.queued if q.loan_id == 2]
    assert (q.label, q.hours, q.cost_cny) == (g.sim.pf.label(2), shown["onsite_check"].hours,
                                              shown["onsite_check"].cost_cny)
    assert (q.zh, q.en) == engine_text("action", "onsite_check")
    assert g.hours_queued == pytest.approx(sum(x.hours for x in g.queued))
    assert g.hours_planned == pytest.approx(g.hours_queued + g.policy_hours())


def first_restructurable() -> tuple[Game, int]:
    """A game played on until a loan may be restructured, and that loan."""
    g = Game(case(hours=200.0, horizon=12), seed=9)
    g.set_policy(LIGHT)
    while True:
        ready = [i for i in range(g.sim.n)
                 if {o.id: o for o in g.options(i)}["restructure"].available]
        if ready:
            return g, ready[0]
        assert not g.finished, "no loan ever became eligible for a restructuring"
        g.end_month(g.month)


def test_a_restructuring_shows_the_terms_the_engine_books():
    g, i = first_restructurable()
    relief = {o.id: o for o in g.options(i)}["restructure"].relief
    assert relief == g.relief_terms(i)
    assert relief.payment_after_cny < relief.payment_before_cny
    assert relief.meaningful == (
        relief.cut_share >= g.sim.catalogue["restructure"].params["meaningful_cut"])
    months_on_book = int(g.sim.mob[i])
    g.queue(i, "restructure")
    g.end_month(g.month)
    assert float(g.sim.rate[i]) == relief.rate_annual
    assert int(g.sim.term[i]) - months_on_book == relief.remaining_months


def test_the_desk_warns_that_a_restructuring_under_observation_makes_the_loan_npl():
    """Before a second restructuring inside the first's observation period, the action
    panel says the loan will be 次级 (non-performing); the engine then books it so."""
    from app_pages.desk_actions import relief_caption
    from sim.codes import LoanClass
    from training.i18n import get_lang, set_lang

    g, i = first_restructurable()
    assert not g.relief_terms(i).again  # a first restructuring: 关注 only
    g.queue(i, "restructure")
    g.end_month(g.month)
    relief = g.relief_terms(i)
    assert relief.again
    before = get_lang()
    try:
        for lang, word in (("en", "substandard"), ("zh", "次级")):
            set_lang(lang)
            assert word in relief_caption(relief)
    finally:
        set_lang(before)
    g.sim.dpd[i] = 30  # in difficulty again, so the restructuring is admissible
    g.queue(i, "restructure")
    g.end_month(g.month)
    assert g.sim.cls[i] >= LoanClass.SUBSTANDARD


def test_the_desk_says_when_the_extension_limit_holds_the_term():
    """A loan whose extensions have used up the limit of 贷款通则 Art. 12 can only get a
    lower rate: the desk shows the term unchanged and says why, as the engine books it."""
    from app_pages.desk_actions import relief_caption
    from training.i18n import get_lang, set_lang

    g = Game(case(hours=200.0, horizon=12), seed=9)
    g.set_policy(LIGHT)
    i = 0
    g.sim.term[i] = g.sim.latest_term[i]  # every month of extension already used
    relief = g.relief_terms(i)
    assert relief.term_capped
    assert relief.remaining_months == max(int(g.sim.term[i] - g.sim.mob[i]), 1)
    before = get_lang()
    try:
        for lang, word in (("en", "Art. 12"), ("zh", "第十二条")):
            set_lang(lang)
            assert word in relief_caption(relief)
    finally:
        set_lang(before)
    fresh = g.relief_terms(1)
    assert not fresh.term_capped or fresh.remaining_months == int(
        g.sim.latest_term[1] - g.sim.mob[1])


def test_other_actions_carry_no_relief_terms():
    g = Game(case(), seed=9)
    assert all(o.relief is None for o in g.options(0) if o.id != "restructure")


def test_the_loan_files_actions_say_what_came_of_them_in_words():
    """The loan file's action record gives each result in the reader's language, not the
    engine's code ('refused', 'payment_cut')."""
    import pandas as pd

    from sim.scenario import load_scenario
    from training import report
    from training.desk import Desk
    from training.i18n import t

    g = Desk(load_scenario("scenarios/intro.yaml"))
    g.end_month(0)
    for i in range(g.sim.n):
        try:
            g.queue(i, "add_collateral")
        except Exception:  # noqa: BLE001 - not offered for this loan, or no hours left
            continue
    g.end_month(1)
    files = [g.loan_file(i) for i in range(g.sim.n)]
    acted = [lf for lf in files if not lf.actions.empty]
    assert acted
    for lang, words in (("zh", {"已落实", "借款人无力提供"}),
                        ("en", {t("engine.result.obtained", "en"),
                                t("engine.result.refused", "en")})):
        shown = pd.concat([report.frame_for_display(lf.actions, lang, drop=("action",),
                                                    text_as="action") for lf in acted])
        result = shown.columns[-1]
        assert set(shown[result]) and set(shown[result]) <= words


def test_relief_and_an_early_recall_of_one_loan_in_one_month_contradict_each_other():
    """A trainee could queue a restructuring and an early recall of the same loan in the
    same month, and the engine took both. Either one now closes the other for that loan,
    with the reason, until it is unqueued; other loans are not affected."""
    g, i = first_restructurable()
    assert {o.id: o for o in g.options(i)}["accelerate"].available
    g.queue(i, "restructure")
    recall = {o.id: o for o in g.options(i)}["accelerate"]
    assert not recall.available and recall.reason == "contradicts"
    assert (recall.reason_zh, recall.reason_en) == engine_text("reason", "contradicts")
    assert_rejected(g, i, "accelerate", "contradicts")
    other = next(j for j in range(g.sim.n) if j != i
                 and {o.id: o for o in g.options(j)}["accelerate"].available)
    g.queue(other, "accelerate")  # another loan: no conflict
    g.unqueue(0)  # the restructuring
    g.queue(i, "accelerate")
    assert_rejected(g, i, "restructure", "contradicts")


def test_a_recalled_loan_is_not_offered_a_second_recall_and_the_workout_stays_open():
    """A trainee recalled a weak loan, and the desk offered the recall again each month
    (6 hours and CNY 1,000 for nothing: the whole loan was due already). The second recall
    is closed with its reason; what the reason points to instead is open."""
    g = Game(case(hours=200.0, horizon=12), seed=9)
    g.set_policy(LIGHT)
    repay = defaults.INTERVENTIONS["accelerate"].params["repay_health"]
    weak = [i for i in range(g.sim.n) if g.sim.d[i] < repay
            and {o.id: o for o in g.options(i)}["accelerate"].available]
    assert weak, "no borrower too weak to repay a recall"
    i = weak[0]
    g.queue(i, "accelerate")
    g.end_month(0)
    assert g.sim.defaulted[i]  # the recall made the loan due and the borrower could not pay
    by_id = {o.id: o for o in g.options(i)}
    recall = by_id["accelerate"]
    assert not recall.available and recall.reason == "not_recalled"
    assert (recall.reason_zh, recall.reason_en) == engine_text("reason", "not_recalled")
    assert_rejected(g, i, "accelerate", "not_recalled")
    assert by_id["lawsuit"].available and by_id["collect_call"].available
    # a restructuring of a loan in default is refused: its terms ("a real cut: it eases the
    # borrower") are not shown beside the refusal as if they were advice
    assert by_id["restructure"].reason == "not_defaulted" and by_id["restructure"].relief is None


def test_every_reason_an_action_can_be_refused_for_has_its_text_in_both_languages():
    codes = set(REASONS) | {r for it in defaults.INTERVENTIONS.values() for r in it.requires}
    for code in sorted(codes):
        zh, en = engine_text("reason", code)
        assert zh != code and en != code, f"engine.reason.{code} has no text"


def test_recoveries_and_write_offs_show_their_money_in_the_pages_unit():
    """A write-off showed its raw result ('1127363') and a recovery nothing: each now shows
    the amount as the rest of the page does (万元 / CNY k)."""
    from sim.scenario import load_scenario
    from training.desk import Desk

    g = Desk(load_scenario("scenarios/small_loan_company.yaml"), seed=3)
    while not g.finished:  # a judgment is enforced six months after it is given
        g.end_month(g.month)
    ev = g.events()
    money = ev[ev["event"].isin(["action_write_off", "judgment_enforced"])]
    assert set(money["event"]) == {"action_write_off", "judgment_enforced"}
    assert money["details_zh"].str.endswith("万元").all()
    assert money["details_en"].str.startswith("CNY\u00a0").all()
    first = money[money["event"] == "action_write_off"].iloc[0]
    assert first["details_en"] == f"CNY\u00a0{float(first['details']) / 1e3:,.1f}k"


def test_a_restructuring_and_a_collection_of_one_loan_in_one_month_exclude_each_other():
    """The desk let a trainee queue a restructuring and a collection visit on one overdue
    loan; the restructuring cleared the arrears first and the visit was refused at the
    month's end ("the loan is not overdue"). Either now closes the other for that loan,
    with the reason, until it is unqueued."""
    g = Game(case(hours=200.0, horizon=12), seed=9)
    g.set_policy(LIGHT)
    while True:
        both = [i for i in range(g.sim.n)
                if all({o.id: o for o in g.options(i)}[a].available
                       for a in ("restructure", "collect_visit"))]
        if both:
            break
        assert not g.finished, "no overdue loan could be restructured"
        g.end_month(g.month)
    i = both[0]
    g.queue(i, "restructure")
    visit = {o.id: o for o in g.options(i)}["collect_visit"]
    assert not visit.available and visit.reason == "clears_arrears"
    assert (visit.reason_zh, visit.reason_en) == engine_text("reason", "clears_arrears")
    for action in ("collect_call", "collect_letter", "collect_visit"):
        assert_rejected(g, i, action, "clears_arrears")
    g.unqueue(len(g.queued) - 1)  # the restructuring
    g.queue(i, "collect_visit")
    assert_rejected(g, i, "restructure", "clears_arrears")
