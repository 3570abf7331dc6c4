"""My work, through AppTest with a signed-in trainee, on what the classroom service holds
tests and lessons to (test_test_rules): a lesson whose every question is in a test says
it is done by taking the test, and is then done on My work and the dashboard alike; a
pre-test whose case can no longer be started is not offered; a test over two lessons the
database did not keep stays on screen, answered, with the reason, and is kept whole when
sent again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from tests.classroom.test_app_classroom import School, app_as, ok
from training import classroom as cr
from training import dashboard as dash
from training.db import now
from training.i18n import t
from training.lessons import QuestionType, load_lesson
from training.models import QuizPhase

LESSON = "early-warning"


@pytest.fixture
def school(db_url):
    return School()


def my_work(user, lang: str = "en") -> AppTest:
    at = app_as(user, lang=lang)
    at.switch_page("app_pages/my_attempts.py")
    return ok(at.run())


def answer(at: AppTest, a: cr.Assignment, phase: str, parts: dict[str, list[str]]) -> None:
    """Answer these questions (lesson id -> question ids) of the test form, rightly."""
    for lesson_id, ids in parts.items():
        qs = {q.id: q for q in load_lesson(lesson_id, "en").questions}
        for qid in ids:
            q, key = qs[qid], f"t_{phase}_{a.id}_{lesson_id}_{qid}"
            if q.type is QuestionType.MULTI:
                at.multiselect(key=key).set_value(list(q.answer))
            else:
                at.radio(key=key).set_value(q.answer)


def submit(at: AppTest, phase: str, lang: str = "en") -> AppTest:
    label = t(f"mine.submit_{phase}", lang)
    return ok(next(b for b in at.button if b.label == label).click().run())


def lesson_status(school, a: cr.Assignment) -> str:
    done = dash.cohort_results(school.db, school.teacher, school.cohort.id).completion
    return done.loc[done["assignment_id"] == a.id, "status"].item()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lesson_all_in_a_test_says_the_test_finishes_it_and_then_it_is_done(school, lang):
    """Every question of the assigned lesson in the case's pre- and post-test: the reader
    had none to ask, and My work and the dashboard kept it "not done" until the post-test."""
    ids = [q.id for q in load_lesson(LESSON, "en").questions]
    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    every = [cr.TestQuestion(LESSON, q) for q in ids]
    case = cr.assign_case(school.db, school.teacher, school.cohort.id, school.version.id,
                          now() - timedelta(hours=1), now() + timedelta(days=2),
                          pre_test=every, post_test=every)
    lesson = cr.assign_lesson(school.db, school.teacher, school.cohort.id, LESSON,
                              now() - timedelta(hours=1), now() + timedelta(days=2))
    at = my_work(school.ann, lang)
    captions = [c.value for c in at.caption]
    assert t("mine.lesson_held_all", lang) in captions
    assert t("mine.lesson_todo", lang) not in captions  # no quiz is left to answer there
    assert lesson_status(school, lesson) == dash.STATUS_NOT_STARTED

    answer(at, case, "pre", {LESSON: ids})
    submit(at, "pre", lang)
    at = my_work(school.ann, lang)
    assert t("mine.lesson_done", lang) in [s.value for s in at.success]
    assert t("mine.lesson_held_all", lang) not in [c.value for c in at.caption]
    assert lesson_status(school, lesson) == dash.STATUS_DONE


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lesson_partly_in_a_test_says_the_rest_is_enough(school, lang):
    cr.assign_lesson(school.db, school.teacher, school.cohort.id, LESSON,
                     now() - timedelta(hours=1), now() + timedelta(days=2))
    captions = [c.value for c in my_work(school.ann, lang).caption]
    assert t("mine.lesson_todo", lang) in captions
    assert t("mine.lesson_held_some", lang) in captions
    assert t("mine.lesson_held_all", lang) not in captions


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pre_test_whose_case_has_closed_is_not_offered(school, lang):
    """My work offered the pre-test after the window had closed, when it no longer counted
    (and the case could not be started after it)."""
    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    past = cr.assign_case(school.db, school.teacher, school.cohort.id, school.version.id,
                          now() - timedelta(days=2), now() - timedelta(minutes=1),
                          pre_test=list(school.assignment.pre_test))
    at = my_work(school.ann, lang)
    assert not [b for b in at.button if b.label == t("mine.submit_pre", lang)]
    assert not [r for r in at.radio if (r.key or "").startswith(f"t_pre_{past.id}_")]
    assert t("mine.closed", lang) in [i.value for i in at.info]
    assert t("mine.pre_closed", lang) in [c.value for c in at.caption]


def test_a_test_the_database_did_not_keep_stays_answered_on_screen(school, monkeypatch):
    """A test over two lessons was kept lesson by lesson: the database failing between them
    kept the first lesson's answers, and the form, counted as taken, was gone. Now nothing
    is kept, the form stays with the answers and says why; sent again, it is kept whole."""
    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    other = "five-categories"
    a = cr.assign_case(school.db, school.teacher, school.cohort.id, school.version.id,
                       now() - timedelta(hours=1), now() + timedelta(days=2),
                       pre_test=[cr.TestQuestion(LESSON, "q1"), cr.TestQuestion(other, "q1")])
    at = my_work(school.ann)
    answer(at, a, "pre", {LESSON: ["q1"], other: ["q1"]})
    real, calls = cr._add_answers, []

    def fails_at_the_second_lesson(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cr, "_add_answers", fails_at_the_second_lesson)
    submit(at, "pre")
    assert t("common.db_lost_said", "en") in [e.value for e in at.error]
    assert not cr.quiz_done(school.db, school.ann, a.id, QuizPhase.PRE)
    keys = {LESSON: load_lesson(LESSON, "en"), other: load_lesson(other, "en")}
    for lesson_id, lesson in keys.items():  # the answers are still in the form
        assert at.radio(key=f"t_pre_{a.id}_{lesson_id}_q1").value == lesson.questions[0].answer
    monkeypatch.setattr(cr, "_add_answers", real)
    submit(at, "pre")
    assert t("mine.test_kept", "en", right=2, total=2) in [s.value for s in at.success]
    gain = dash.cohort_results(school.db, school.teacher, school.cohort.id).gain
    assert gain.loc[gain["user_id"] == school.ann.id, "pre_share"].tolist() == [1.0]
