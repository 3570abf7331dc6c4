"""The desk's classify control and the review meeting's ledger through AppTest, and
their sections in the debrief."""

from __future__ import annotations

import numpy as np

from sim.codes import LoanClass
from tests.app.test_app_pages import end_month, live_game, no_exception, start, texts, to_desk
from training.ledger import ledger_frame


def frame_with(at, header: str):
    """The one dataframe on screen with this column header (AppTest does not expose keys)."""
    found = [d.value for d in at.dataframe if header in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def normal_loan(g) -> int:
    return int(np.argmax(np.where(g.sim.cls_objective == LoanClass.NORMAL, g.sim.d, -np.inf)))


def test_classify_control_needs_a_reason_and_offers_only_the_floor_and_worse():
    at = to_desk(start())
    end_month(at)
    g = live_game(at)
    i = normal_loan(g)
    at.selectbox(key="loan_pick").set_value(i).run()
    no_exception(at)
    cls_box = at.selectbox(key=f"classify_cls_{i}")
    assert cls_box.options[0] == "正常" and len(cls_box.options) == 5
    cls_box.set_value(int(LoanClass.SPECIAL_MENTION))
    at.button(key="classify_submit").click().run()  # no reason chosen
    no_exception(at)
    assert "请从列表中选择理由" in texts(at)
    assert g.classify_queued == []
    assert at.selectbox(key=f"classify_cls_{i}").value == LoanClass.SPECIAL_MENTION  # kept
    at.selectbox(key=f"classify_reason_{i}").set_value("warning_signals")
    at.button(key="classify_submit").click().run()
    no_exception(at)
    assert g.classify_queued == [(i, LoanClass.SPECIAL_MENTION, "warning_signals")]
    assert "下月生效" in texts(at)
    end_month(at)
    assert g.sim.cls[i] == LoanClass.SPECIAL_MENTION
    # a loan whose floor is special mention is not offered normal
    floored = np.flatnonzero((g.sim.cls_objective >= LoanClass.SPECIAL_MENTION)
                             & (g.sim.status <= 1))
    if len(floored):
        j = int(floored[0])
        at.selectbox(key="loan_pick").set_value(j).run()
        no_exception(at)
        assert "正常" not in at.selectbox(key=f"classify_cls_{j}").options


def test_booking_a_loan_in_the_class_it_already_has_queues_nothing_and_says_so():
    """Normal on a normal loan was accepted as "classification queued": a judgement that
    changes nothing, logged as one. Now it is said to be the class already booked; the
    floor on a loan with a judgement in force still lifts it."""
    at = to_desk(start())
    end_month(at)
    g = live_game(at)
    i = normal_loan(g)
    at.selectbox(key="loan_pick").set_value(i).run()
    at.selectbox(key=f"classify_cls_{i}").set_value(int(LoanClass.NORMAL))
    at.selectbox(key=f"classify_reason_{i}").set_value("warning_signals")
    at.button(key="classify_submit").click().run()
    no_exception(at)
    assert g.classify_queued == []
    assert any("目前已归为正常，无需调整" in w.value for w in at.warning)
    # a judgement of special mention, in force next month; then the floor lifts it
    at.selectbox(key=f"classify_cls_{i}").set_value(int(LoanClass.SPECIAL_MENTION))
    at.selectbox(key=f"classify_reason_{i}").set_value("warning_signals")
    at.button(key="classify_submit").click().run()
    end_month(at)
    assert g.sim.cls[i] == LoanClass.SPECIAL_MENTION
    at.selectbox(key=f"classify_cls_{i}").set_value(int(LoanClass.NORMAL))
    at.selectbox(key=f"classify_reason_{i}").set_value("conditions_improved")
    at.button(key="classify_submit").click().run()
    no_exception(at)
    assert g.classify_queued == [(i, LoanClass.NORMAL, "conditions_improved")]


def test_ledger_at_the_review_meeting_names_the_missing_field_and_tracks_follow_through():
    at = to_desk(start())
    for _ in range(3):
        end_month(at)
    g = live_game(at)
    assert any(b.key == "ledger_add" for b in at.button)
    i = normal_loan(g)
    at.selectbox(key="ledger_what").set_value("closer_monitoring")
    at.selectbox(key="ledger_loan").set_value(i)
    at.number_input(key="ledger_deadline_3").set_value(5)
    at.button(key="ledger_add").click().run()  # no owner
    no_exception(at)
    assert "责任人：请填写负责人" in texts(at)
    assert g.ledger == []
    at.text_input(key="ledger_owner").input("王经理")
    at.button(key="ledger_add").click().run()
    no_exception(at)
    assert [(r["what"], r["loan_id"], r["owner"], r["deadline_month"]) for r in g.ledger] == [
        ("closer_monitoring", i, "王经理", 5)]
    ledger = frame_with(at, "责任人")
    assert len(ledger) == 1 and ledger["状态"].tolist() == ["进行中"]
    end_month(at)  # month 4: between meetings, the open resolution is on the desk
    assert "待落实的例会决议（1 项）" in texts(at) and "王经理" in texts(at)
    at.selectbox(key="loan_pick").set_value(i).run()
    at.button(key="queue_closer_monitoring").click().run()
    end_month(at)  # taken in month 5, by the deadline
    assert ledger_frame(g)["status"].tolist() == ["done"]
    assert "待落实的例会决议" not in texts(at)


def test_debrief_shows_deviation_and_follow_through():
    at = to_desk(start())
    for _ in range(3):
        end_month(at)
    g = live_game(at)
    i = normal_loan(g)
    at.selectbox(key="ledger_what").set_value("classify")
    at.selectbox(key="ledger_loan").set_value(i)
    at.text_input(key="ledger_owner").input("李四")
    at.button(key="ledger_add").click().run()
    at.selectbox(key="loan_pick").set_value(i).run()
    at.selectbox(key=f"classify_cls_{i}").set_value(int(LoanClass.SPECIAL_MENTION))
    at.selectbox(key=f"classify_reason_{i}").set_value("review_meeting")
    at.button(key="classify_submit").click().run()
    no_exception(at)
    while not g.finished:
        end_month(at)
    no_exception(at)
    shown = texts(at)
    assert "分类偏离度" in shown and "例会决议落实情况" in shown
    labels = [m.label for m in at.metric]
    assert "认定优于应有分类的户月占比" in labels and "决议落实率" in labels
    assert "若只按客观底线分类" in shown
    rate = next(m.value for m in at.metric if m.label == "决议落实率")
    assert rate == "100%"
    judged = frame_with(at, "理由")
    assert len(judged) == 1 and "贷后管理例会决定" in judged.to_string()


def test_in_english_the_control_the_event_and_the_ledger_read_in_english():
    at = to_desk(start(lang="en"))
    end_month(at)
    g = live_game(at)
    i = normal_loan(g)
    at.selectbox(key="loan_pick").set_value(i).run()
    assert "Objective floor" in texts(at)
    assert at.selectbox(key=f"classify_cls_{i}").options[:2] == ["Normal", "Special mention"]
    at.selectbox(key=f"classify_cls_{i}").set_value(int(LoanClass.SUBSTANDARD))
    at.selectbox(key=f"classify_reason_{i}").set_value("guarantor_trouble")
    at.button(key="classify_submit").click().run()
    no_exception(at)
    assert "Queued for next month: Substandard" in texts(at)
    end_month(at)
    events = "\n".join(d.value.to_string() for d in at.dataframe)
    assert "Classified on judgement" in events and "guarantor or related party" in events
    end_month(at)
    assert "Resolutions (ledger)" in texts(at)


def test_what_a_button_says_is_in_the_trainees_language():
    """A desk button's message is made in its callback, before the page sets the language:
    in English it is English (it was Chinese whatever the trainee chose)."""
    at = to_desk(start(lang="en"))
    end_month(at)
    g = live_game(at)
    i = normal_loan(g)
    at.selectbox(key="loan_pick").set_value(i).run()
    at.selectbox(key=f"classify_cls_{i}").set_value(int(LoanClass.SPECIAL_MENTION))
    at.button(key="classify_submit").click().run()  # no reason chosen
    no_exception(at)
    shown = texts(at)
    assert "请从列表中选择理由" not in shown and "分类调整未被接受" not in shown
    assert "reason" in shown.lower()
    at.selectbox(key=f"classify_reason_{i}").set_value("warning_signals")
    at.button(key="classify_submit").click().run()
    no_exception(at)
    assert "已提交分类调整" not in texts(at)
    assert g.classify_queued == [(i, LoanClass.SPECIAL_MENTION, "warning_signals")]


def test_the_deviation_table_shows_the_worst_loans_and_keeps_the_rest_a_click_away():
    """A trainee who judged nothing has a deviation row for every loan that was ever booked
    better than warranted: 146 on rising_lpr, 259 on small_loan_company, a static table
    13,000 px tall at 1,024 px between the charts and the rest of the debrief. The page
    shows the loans with the most months better than warranted and says how many more
    there are; every row stays in a list that opens on a click."""
    from training.judgement_view import DEVIATION_ROWS_SHOWN, classification_deviation

    at = to_desk(start(lang="en"))
    g = live_game(at)
    while not g.finished:
        end_month(at)
    no_exception(at)
    at.switch_page("app_pages/debrief.py").run()
    no_exception(at)
    loans = classification_deviation(g).loans
    assert len(loans) > DEVIATION_ROWS_SHOWN, "intro played idle should deviate on more loans"
    static = [tb.value for tb in at.table if "Months better than warranted" in tb.value.columns]
    assert len(static) == 1 and len(static[0]) == DEVIATION_ROWS_SHOWN
    # the loans shown are those with the most months better than warranted
    assert static[0]["Months better than warranted"].astype(int).min() >= int(
        loans["months_better"].nlargest(DEVIATION_ROWS_SHOWN).min())
    more = len(loans) - DEVIATION_ROWS_SHOWN
    assert any(f"{more} more" in e.label for e in at.expander), [e.label for e in at.expander]
    full = frame_with(at, "Months better than warranted")
    assert len(full) == len(loans)
