"""Every page of the trainee app through streamlit.testing.v1.AppTest.

Each test starts from the entry file as a browser would: the case list, a click on
"start", the briefing, the desk. The intro case is small (50 loans, 12 months),
so a whole attempt plays in seconds.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60


def texts(at: AppTest) -> str:
    """All the text an AppTest run shows, in one string, for loose assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [b.label for b in at.button]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def live_game(at: AppTest):
    from app_pages import common

    return common.games().open(at.session_state["attempt_id"]).game


def start(case: str = "intro", lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    no_exception(at)
    at.button(key=f"start_{case}").click().run()
    no_exception(at)
    return at


def to_desk(at: AppTest) -> AppTest:
    at.button(key="to_desk").click().run()
    no_exception(at)
    return at


def end_month(at: AppTest) -> AppTest:
    m = live_game(at).month
    at.button(key=f"end_month_{m}").click().run()
    no_exception(at)
    return at


# --- case list ---------------------------------------------------------------------------
def test_case_list_shows_published_cases_with_meta():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    no_exception(at)
    shown = texts(at)
    assert "案例库" in shown
    assert "难度" in shown and "预计" in shown
    keys = {b.key for b in at.button}
    assert "start_intro" in keys
    assert "start_rising_lpr" in keys


def test_a_broken_case_file_shows_its_problems_not_a_traceback(tmp_path, monkeypatch):
    shutil.copy(ROOT / "scenarios" / "intro.yaml", tmp_path / "intro.yaml")
    (tmp_path / "broken.yaml").write_text(
        "id: broken\ntitle: {zh: 坏, en: bad}\nhorizon_months: -3\nstaff: {officers: 1}\n",
        encoding="utf-8",
    )
    (tmp_path / "not_yaml.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("BIANQUE_SCENARIO_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    no_exception(at)
    errors = "\n".join(e.value for e in at.error)
    assert "broken.yaml" in errors and "horizon_months" in errors
    assert "not_yaml.yaml" in errors and "YAML" in errors
    assert "start_intro" in {b.key for b in at.button}  # the good case is still there


def test_continue_an_unfinished_attempt():
    at = to_desk(start())
    aid = at.session_state["attempt_id"]
    end_month(at)
    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    no_exception(fresh)
    fresh.button(key=f"continue_{aid}").click().run()
    no_exception(fresh)
    assert fresh.session_state["attempt_id"] == aid
    assert live_game(fresh).month == 1
    assert "end_month_1" in {b.key for b in fresh.button}


# --- briefing ----------------------------------------------------------------------------------
def test_start_opens_the_briefing_with_the_attempt_in_the_url():
    at = start()
    aid = at.session_state["attempt_id"]
    assert at.query_params["attempt"] in (aid, [aid])
    shown = texts(at)
    assert "入门" in shown or "贷款组合概览" in shown
    assert len(at.dataframe) >= 1  # the portfolio at a glance
    # its balances are written as the desk's loan table writes them (17,478.1, not 17478.1)
    import json

    glance = at.dataframe[0]
    config = json.loads(glance.proto.columns)
    assert config.get("余额(万元)", {}).get("type_config", {}).get("format") == "localized", config
    keys = {b.key for b in at.button}
    assert "to_desk" in keys
    assert any(k.startswith("brief_lesson_") for k in keys)


# --- desk -------------------------------------------------------------------------------------
def test_desk_shows_figures_end_month_and_loan_table():
    at = to_desk(start())
    labels = {m.label for m in at.metric}
    assert {"月份", "贷款余额", "不良率", "拨备", "本月剩余工时"} <= labels
    assert "end_month_0" in {b.key for b in at.button}
    for key in ("f_cls", "f_product"):
        assert at.multiselect(key=key) is not None
    assert at.number_input(key="f_dpd") is not None
    assert at.checkbox(key="f_alerts") is not None
    assert at.selectbox(key="loan_pick") is not None


def test_loan_file_and_action_queue():
    at = to_desk(start())
    g = live_game(at)
    loan_id = int(g.loans()["loan_id"].iloc[0])
    at.selectbox(key="loan_pick").set_value(loan_id).run()
    no_exception(at)
    shown = texts(at)
    assert "借款人" in shown and "贷款条款" in shown
    from app_pages.desk_views import MEETING_ELSEWHERE

    # every action has its card, but a meeting never queued here (held through its
    # conversation, or none written for this borrower): it showed greyed out on every file
    options = [o for o in g.options(loan_id) if o.reason not in MEETING_ELSEWHERE]
    hidden = {f"queue_{o.id}" for o in g.options(loan_id) if o.reason in MEETING_ELSEWHERE}
    assert "queue_meet_borrower" in hidden  # intro's first loan has no conversation
    available = [o for o in options if o.available]
    assert available, "some action must be possible on a fresh loan"
    assert {f"queue_{o.id}" for o in options} <= {b.key for b in at.button}
    assert not hidden & {b.key for b in at.button}
    for o in options:
        assert at.button(key=f"queue_{o.id}").disabled == (not o.available)
    at.button(key=f"queue_{available[0].id}").click().run()
    no_exception(at)
    assert len(g.queued) == 1 and g.queued[0].action_id == available[0].id
    assert "unqueue_0" in {b.key for b in at.button}
    from app_pages import common  # the decision is saved as soon as it is queued

    saved = common.games().store.get(at.session_state["attempt_id"])
    assert saved.version >= 1
    at.button(key="unqueue_0").click().run()
    no_exception(at)
    assert g.queued == []


def test_end_month_advances_exactly_one_month_and_stale_clicks_do_nothing():
    at = to_desk(start())
    g = live_game(at)
    assert g.month == 0
    end_month(at)
    assert g.month == 1
    keys = {b.key for b in at.button}
    assert "end_month_1" in keys and "end_month_0" not in keys
    at.run()  # a rerun without a click (a refresh) does not advance
    assert g.month == 1
    # the stale month, as a second click of a double click would send it
    from app_pages import common

    assert common.games().end_month(at.session_state["attempt_id"], 0) is None
    assert g.month == 1
    assert "第 1 月发生了什么" in texts(at)


def test_monitoring_policy_change_is_applied_and_saved():
    at = to_desk(start())
    at.segmented_control(key="desk_view").set_value("policy").run()
    no_exception(at)
    g = live_game(at)
    before = g.policy.interval_months.normal
    new = 1 if before != 1 else 2
    hours_before = g.policy_hours(g.policy)
    at.selectbox(key="iv_normal").set_value(new).run()
    no_exception(at)
    assert g.policy.interval_months.normal == new
    assert at.selectbox(key="iv_normal").value == new
    if new < before:
        assert g.policy_hours(g.policy) >= hours_before
    from app_pages import common

    assert common.games().store.get(at.session_state["attempt_id"]).version >= 1


def test_alerts_and_portfolio_views_render():
    at = to_desk(start())
    end_month(at)
    end_month(at)
    for view in ("alerts", "portfolio", "policy", "loans"):
        at.segmented_control(key="desk_view").set_value(view).run()
        no_exception(at)
    at.segmented_control(key="desk_view").set_value("portfolio").run()
    assert len(at.get("vega_lite_chart")) == 2


def test_a_refresh_after_a_server_restart_reopens_the_attempt():
    at = to_desk(start())
    end_month(at)
    aid = at.session_state["attempt_id"]
    g = live_game(at)
    loan_id = int(g.loans()["loan_id"].iloc[0])
    action = next(o.id for o in g.options(loan_id) if o.available)
    from app_pages import common

    common.games().queue(aid, loan_id, action)
    common._services.clear()  # a server restart: no live game in memory
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    again.query_params["attempt"] = aid
    again.run()
    again.switch_page("app_pages/desk.py").run()
    no_exception(again)
    g2 = live_game(again)
    assert g2 is not g and g2.month == 1
    assert [(q.loan_id, q.action_id) for q in g2.queued] == [(loan_id, action)]
    assert "end_month_1" in {b.key for b in again.button}


# --- debrief ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished_run():
    """One attempt of the intro case played to the end through the desk (shared by the debrief tests)."""
    mp = pytest.MonkeyPatch()
    import tempfile

    db = str(Path(tempfile.mkdtemp()) / "finished.db")
    mp.setenv("BIANQUE_DB", db)
    mp.delenv("DATABASE_URL", raising=False)
    at = to_desk(start())
    g = live_game(at)
    while not g.finished:
        end_month(at)
    mp.undo()
    return at, db


@pytest.fixture
def finished(finished_run, monkeypatch):
    """The finished attempt, with its database as this test's database."""
    at, db = finished_run
    monkeypatch.setenv("BIANQUE_DB", db)
    return at


def test_debrief_appears_at_the_end(finished):
    at = finished
    no_exception(at)
    shown = texts(at)
    assert "复盘" in shown
    labels = [m.label for m in at.metric]
    assert "可避免损失中你避免的比例" in labels
    table = at.table[0].value
    assert len(table) == 4  # you, late collection, early warning, oracle
    # hours a policy's checks take beside late collection's few: the table says why
    assert any("逾期后催收不做定期检查" in c.value and "贷后检查制度执行率" in c.value
               for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 2
    assert len(at.get("download_button")) == 1
    # each loan under the gap tables is headed with its gap in words, not a signed figure
    heads = [e.label for e in at.expander if e.label[:1] == "L"]
    assert heads and all(h.split(" · ")[-1].startswith(("你多损失 ", "你少损失 ", "损失大致相同"))
                         for h in heads), heads


def test_the_debrief_charts_put_each_y_label_level_with_its_value(finished):
    """Streamlit's chart theme sets the y labels' baseline to their bottom: "0.0%" stood
    above the line at zero, which then read as below it. Each chart the page draws puts
    them level (app_pages.common.draw_chart), with room above for the top one."""
    import json

    specs = [json.loads(c.proto.spec) for c in finished.get("vega_lite_chart")]
    assert len(specs) == 2
    for spec in specs:
        assert spec["config"]["axisY"]["labelBaseline"] == "middle"
        assert spec["padding"]["top"] > 5


def test_debrief_html_is_self_contained(finished):
    from app_pages import common
    from training import report

    aid = finished.session_state["attempt_id"]
    live = common.games().open(aid)
    html = report.debrief_html(live.scenario, common.games().debrief(aid), "en", aid)
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<table>" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script" not in html
    assert "Late collection" in html and "Oracle" in html


def test_desk_after_the_end_points_to_the_debrief(finished):
    at = finished
    at.switch_page("app_pages/desk.py").run()
    no_exception(at)
    assert "to_debrief" in {b.key for b in at.button}
    assert not any(b.key.startswith("end_month_") for b in at.button)


# --- language -----------------------------------------------------------------------------
def test_language_switch_changes_the_text():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert "案例库" in texts(at)
    at.radio(key="lang_switch").set_value("en").run()
    no_exception(at)
    shown = texts(at)
    assert "Case library" in shown and "案例库" not in shown
    at.button(key="start_intro").click().run()
    to_desk(at)
    assert {"Month", "Outstanding", "NPL ratio"} <= {m.label for m in at.metric}


def test_language_from_the_url():
    at = start(lang="en")
    assert "The portfolio at a glance" in texts(at)


# --- lessons ------------------------------------------------------------------------------
def test_a_lesson_tables_first_column_keeps_a_class_name_on_one_line():
    """In the five-category lesson the first column (正常, 关注…) broke each two-character
    name one character to a line (seen in Chromium); the lesson's tables now give their
    first cells a minimum width. Checked in Chromium in zh and en."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/lessons.py").run()
    at.selectbox(key="lesson_pick").set_value("five-categories").run()
    no_exception(at)
    styles = [h.proto.body for h in at.get("html")]
    assert any(".st-key-lesson_body table td:first-child" in b and "min-width" in b
               for b in styles), styles
    assert any("| 正常 |" in m.value or "正常" in m.value for m in at.markdown)


def test_lessons_reader_grades_the_self_check():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/lessons.py").run()
    no_exception(at)
    assert at.selectbox(key="lesson_pick") is not None
    from training.lessons import QuestionType, load_lesson

    lesson = load_lesson(at.selectbox(key="lesson_pick").value, "zh")
    for q in lesson.questions:
        if q.type is QuestionType.MULTI:
            at.multiselect(key=f"q_{lesson.id}_{q.id}").set_value(sorted(q.correct))
        else:
            at.radio(key=f"q_{lesson.id}_{q.id}").set_value(q.answer)
    at.button(key=f"check_{lesson.id}_0").click().run()
    no_exception(at)
    assert any(f"{len(lesson.questions)} / {len(lesson.questions)}" in s.value for s in at.success)


def test_the_self_check_is_graded_only_when_every_question_is_answered():
    """A blank or half-filled submission shows no answers (it showed them all, and the
    reshuffled second try then scored full marks): it names the questions left and keeps
    what was answered."""
    from training.lessons import QuestionType, load_lesson

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/lessons.py").run()
    lesson = load_lesson("five-categories", "zh")
    at.selectbox(key="lesson_pick").set_value(lesson.id).run()
    at.button(key=f"check_{lesson.id}_0").click().run()  # nothing answered
    no_exception(at)
    numbers = "、".join(str(n) for n in range(1, len(lesson.questions) + 1))
    assert any(f"第 {numbers} 题尚未作答" in w.value for w in at.warning)
    assert "正确答案" not in texts(at)
    first = lesson.questions[0]
    assert first.type is not QuestionType.MULTI
    at.radio(key=f"q_{lesson.id}_{first.id}").set_value(first.answer)
    at.button(key=f"check_{lesson.id}_0").click().run()
    no_exception(at)
    rest = "、".join(str(n) for n in range(2, len(lesson.questions) + 1))
    assert any(f"第 {rest} 题尚未作答" in w.value for w in at.warning)
    assert "正确答案" not in texts(at)
    assert at.radio(key=f"q_{lesson.id}_{first.id}").value == first.answer  # kept


def test_a_switch_of_language_keeps_the_quiz_answers_given():
    """Answers given in Chinese were all gone once the reader switched to English."""
    from training.i18n import t
    from training.lessons import QuestionType, load_lesson

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/lessons.py").run()
    lesson = load_lesson("five-categories", "zh")
    at.selectbox(key="lesson_pick").set_value(lesson.id).run()
    given = {}
    for q in lesson.questions:
        if q.type is QuestionType.MULTI:
            given[q.id] = list(q.correct)
            at.multiselect(key=f"q_{lesson.id}_{q.id}").set_value(given[q.id])
        else:
            given[q.id] = q.answer
            at.radio(key=f"q_{lesson.id}_{q.id}").set_value(q.answer)
    at.run()
    at.radio(key="lang_switch").set_value("en").run()
    no_exception(at)
    assert at.title[0].value == t("lessons.title", "en")
    for q in lesson.questions:
        widget = (at.multiselect if q.type is QuestionType.MULTI else at.radio)(
            key=f"q_{lesson.id}_{q.id}")
        assert widget.value == given[q.id], q.id
    at.button(key=f"check_{lesson.id}_0").click().run()
    assert at.success, [w.value for w in at.warning]  # all right, graded in English


def test_lessons_reader_shuffles_options_and_grades_every_question_type():
    """Options appear in a shuffled order; a wrong pick is marked wrong and the reshuffle button works."""
    from training.lessons import QuestionType, load_lesson

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/lessons.py").run()
    lesson = load_lesson("five-categories", "zh")
    at.selectbox(key="lesson_pick").set_value(lesson.id).run()
    no_exception(at)
    kinds = {q.type for q in lesson.questions}
    assert QuestionType.MULTI in kinds and QuestionType.TRUE_FALSE in kinds
    orders = []
    for q in lesson.questions:
        if q.type is QuestionType.MULTI:
            widget = at.multiselect(key=f"q_{lesson.id}_{q.id}")
            widget.set_value([i for i in range(len(q.choices)) if i not in q.correct][:1])
        elif q.type is QuestionType.TRUE_FALSE:
            widget = at.radio(key=f"q_{lesson.id}_{q.id}")
            widget.set_value(not q.answer)
        else:
            widget = at.radio(key=f"q_{lesson.id}_{q.id}")
            orders.append((list(widget.options), q.choices))
            widget.set_value(q.answer)
    at.button(key=f"check_{lesson.id}_0").click().run()
    no_exception(at)
    singles = sum(q.type is QuestionType.SINGLE for q in lesson.questions)
    assert any(f"{singles} / {len(lesson.questions)}" in w.value for w in at.warning)
    assert any(shown != in_file for shown, in_file in orders), "options were never shuffled"
    at.button(key=f"retry_{lesson.id}").click().run()
    no_exception(at)
    first = next(q for q in lesson.questions if q.type is not QuestionType.MULTI)
    assert at.radio(key=f"q_{lesson.id}_{first.id}_1").value is None  # a fresh, reshuffled attempt


def test_each_graded_answer_says_right_or_wrong_in_words():
    """The marks were the emoji ✅ and ❌ alone: on a machine without an emoji font (the
    classroom's Linux chromium) both were the same blank box, and nothing else on the line
    said which answers were wrong. Each line now says so in words, with an icon from
    Streamlit's own font. (In Chinese: AppTest formats a true/false choice in Chinese.)"""
    from training.i18n import t
    from training.lessons import QuestionType, load_lesson

    lang = "zh"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/lessons.py").run()
    lesson = load_lesson("five-categories", lang)
    at.selectbox(key="lesson_pick").set_value(lesson.id).run()
    for n, q in enumerate(lesson.questions):
        if q.type is QuestionType.MULTI:
            at.multiselect(key=f"q_{lesson.id}_{q.id}").set_value(sorted(q.correct))
        elif q.type is QuestionType.TRUE_FALSE:
            at.radio(key=f"q_{lesson.id}_{q.id}").set_value(q.answer if n else not q.answer)
        else:
            wrong = next(i for i in range(len(q.choices)) if i != q.answer)
            at.radio(key=f"q_{lesson.id}_{q.id}").set_value(q.answer if n else wrong)
    at.button(key=f"check_{lesson.id}_0").click().run()
    no_exception(at)
    lines = [m.value for m in at.markdown if t("lessons.answer", lang, answer="")[:4] in m.value]
    assert len(lines) == len(lesson.questions)
    assert lines[0].startswith(t("lessons.wrong", lang))
    assert all(line.startswith(t("lessons.right", lang)) for line in lines[1:])
    assert not any(mark in line for line in lines for mark in ("✅", "❌"))


def test_lesson_link_from_the_briefing_opens_that_lesson():
    at = start()
    at.button(key="brief_lesson_five-categories").click().run()
    no_exception(at)
    assert at.selectbox(key="lesson_pick").value == "five-categories"


def test_an_alert_opens_the_loan_file():
    at = to_desk(start())
    g = live_game(at)
    while g.alerts().empty and not g.finished:
        end_month(at)
    at.segmented_control(key="desk_view").set_value("alerts").run()
    no_exception(at)
    assert len(at.dataframe) >= 1
    pick = at.selectbox(key="alert_pick")
    loan_id = int(g.alerts()["loan_id"].iloc[-1])
    pick.set_value(loan_id).run()
    at.button(key="open_alert_loan").click().run()
    no_exception(at)
    assert at.segmented_control(key="desk_view").value == "loans"
    assert at.selectbox(key="loan_pick").value == loan_id
    assert any(b.key and b.key.startswith("queue_") for b in at.button)


# --- borrower names in the UI language -----------------------------------------------------------
def table_cells(at: AppTest) -> str:
    """Every cell and header of every dataframe and table shown, in one string."""
    parts = []
    for frame in [e.value for e in at.dataframe] + [e.value for e in at.table]:
        parts += [str(c) for c in frame.columns]
        parts += [str(v) for v in frame.to_numpy().ravel()]
    return "\n".join(parts)


def open_first_loan(at: AppTest) -> dict:
    """Pick the first loan on the desk; its engine row and profile, with both name forms."""
    g = live_game(at)
    row = g.loans().iloc[0]
    at.selectbox(key="loan_pick").set_value(int(row["loan_id"])).run()
    no_exception(at)
    return {**row.to_dict(), **g.loan_file(int(row["loan_id"])).profile}


def test_desk_and_loan_file_show_chinese_names_in_chinese_and_english_names_in_english():
    at = to_desk(start())
    loan = open_first_loan(at)
    zh_name, en_name = loan["company"], loan["company_en"]
    assert en_name.isascii() and "Co." in en_name and not zh_name.isascii()
    assert loan["legal_rep_en"].isascii()

    shown, cells = texts(at), table_cells(at)
    assert zh_name in cells  # the loan table and the profile
    assert loan["legal_rep"] in cells
    assert any(zh_name in s.value for s in at.subheader)  # the file's title
    assert any(zh_name in o for o in at.selectbox(key="loan_pick").options)
    assert en_name not in shown + cells

    at.radio(key="lang_switch").set_value("en").run()
    no_exception(at)
    shown, cells = texts(at), table_cells(at)
    assert at.selectbox(key="loan_pick").value == loan["loan_id"]  # the same file stays open
    assert en_name in cells and loan["legal_rep_en"] in cells
    assert any(en_name in s.value for s in at.subheader)
    assert any(en_name in o for o in at.selectbox(key="loan_pick").options)
    assert zh_name not in shown + cells and loan["legal_rep"] not in cells
    g = live_game(at)  # every borrower in the loan table is romanised
    table = next(e.value for e in at.dataframe if "Borrower" in e.value.columns)
    assert set(table["Borrower"]) <= set(g.loans()["company_en"])
    assert all(name.isascii() for name in table["Borrower"])


def test_english_desk_from_the_url_names_borrowers_in_english_in_alerts_too():
    from training.report import visible_alerts

    at = to_desk(start(lang="en"))
    g = live_game(at)
    while visible_alerts(g.alerts()).empty and not g.finished:
        end_month(at)
    at.segmented_control(key="desk_view").set_value("alerts").run()
    no_exception(at)
    alerts = visible_alerts(g.alerts())  # a signal of the month not played yet is not shown
    table = next(e.value for e in at.dataframe if {"Borrower", "Signal"} <= set(e.value.columns))
    assert set(table["Borrower"]) == set(alerts["company_en"])
    assert not set(table["Borrower"]) & set(alerts["company"])
    picked = {o.split(" · ")[1] for o in at.selectbox(key="alert_pick").options}  # "L0001 · name · class"
    assert picked == set(alerts["company_en"])


def test_english_debrief_and_report_name_borrowers_in_english(finished):
    from app_pages import common
    from training import report

    aid = finished.session_state["attempt_id"]
    d = common.games().debrief(aid)
    names = pd.concat([d.saves[["company", "company_en"]], d.missed_warnings[["company", "company_en"]]])
    assert len(names), "the intro case played without actions must leave missed warnings or saves"

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["attempt"] = aid
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("app_pages/debrief.py").run()
    no_exception(at)
    cells = table_cells(at)
    assert all(n in cells for n in names["company_en"])
    assert not any(n in cells for n in names["company"])

    live = common.games().open(aid)
    html_en = report.debrief_html(live.scenario, d, "en", aid)
    html_zh = report.debrief_html(live.scenario, d, "zh", aid)
    assert all(html.escape(n) in html_en for n in names["company_en"])
    assert not any(n in html_en for n in names["company"])
    assert all(n in html_zh for n in names["company"])
    assert not any(html.escape(n) in html_zh for n in names["company_en"])


def test_worker_processes_the_app_starts_do_not_run_the_app(fresh_db, monkeypatch):
    """The strategy lab and the case preview start worker processes from inside the app.
    Python re-imports the app's main script in each worker; there it must not open the
    database or draw pages (two workers migrating one new file at once used to fail)."""
    import multiprocessing
    import os
    import sys
    import types
    from concurrent.futures import ProcessPoolExecutor

    main = types.ModuleType("__main__")
    main.__file__ = APP  # what Streamlit leaves as __main__ while the app runs
    monkeypatch.setitem(sys.modules, "__main__", main)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(os.getpid).result(timeout=120) != os.getpid()
    assert not fresh_db.exists()


def test_no_page_draws_a_stray_string():
    """Streamlit's magic writes any bare expression of a page's script onto the page: a
    string meant as a constant's docstring appeared at the top of the strategy lab. Only
    the module's own docstring may stand alone."""
    import ast

    from app_pages.common import PAGES

    for path in sorted(set(PAGES.values()) | {"app.py"}):
        tree = ast.parse((Path(APP).parent / path).read_text(encoding="utf-8"))
        stray = [node.lineno for node in tree.body[1:]
                 if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)]
        assert not stray, f"{path}: bare constants on lines {stray}"


def test_the_language_chosen_stays_in_the_address():
    """A reload opens the page its address names: the language switch writes ?lang=, and
    every page keeps it (a reload brought Chinese back after English was chosen)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.radio(key="lang_switch").set_value("en").run()
    no_exception(at)
    assert at.query_params["lang"] in ("en", ["en"])
    at.switch_page("app_pages/lessons.py").run()
    assert at.query_params["lang"] in ("en", ["en"])
    assert at.title[0].value == "Lessons"


@pytest.mark.parametrize("lang, words", [("en", "The training database cannot be opened"),
                                         ("zh", "无法打开培训数据库")])
def test_a_database_that_cannot_be_opened_is_named_not_a_redacted_error(monkeypatch, lang,
                                                                        words):
    """A mistyped BIANQUE_DB (or DATABASE_URL) showed every visitor Streamlit's redacted
    "This app has encountered an error", which names neither the cause nor the setting."""
    monkeypatch.setenv("BIANQUE_DB", "/no/such/folder/bianque.db")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [said] = [e.value for e in at.error]
    assert words in said and "BIANQUE_DB" in said


def test_a_database_url_whose_driver_is_missing_is_named_not_a_redacted_error(monkeypatch):
    """DATABASE_URL=mysql://... (a scheme SQLAlchemy knows, its driver not installed) showed
    Streamlit's redacted error: ModuleNotFoundError was not among the errors caught."""
    monkeypatch.setenv("DATABASE_URL", "mysql://bianque@db.example/bianque")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [said] = [e.value for e in at.error]
    assert "The training database cannot be opened" in said and "DATABASE_URL" in said
