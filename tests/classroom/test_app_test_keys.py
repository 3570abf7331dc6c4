"""The lesson reader and the class's tests, through AppTest with a signed-in user: a
trainee with a test still to take does not get its questions' key in the reader (they are
held back, with a note saying why and until when), and gets them once the test is taken;
another trainee and the instructor read the quiz whole. The test form is sent once."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.classroom.test_app_classroom import School, app_as, ok
from training import classroom as cr
from training.i18n import t
from training.lessons import QuestionType, load_lesson
from training.models import QuizPhase

LESSON = "early-warning"


@pytest.fixture
def school(db_url):
    return School()


def reader(user, lang: str = "en") -> AppTest:
    at = app_as(user, lang=lang)
    at.switch_page("app_pages/lessons.py")
    ok(at.run())
    ok(at.selectbox(key="lesson_pick").set_value(LESSON).run())
    return at


def quiz_ids(at: AppTest) -> list[str]:
    """The question ids the reader's quiz asks, in its order."""
    prefix = f"q_{LESSON}_"
    keys = [w.key for w in [*at.radio, *at.multiselect] if (w.key or "").startswith(prefix)]
    ids = [k[len(prefix):] for k in keys]
    order = [q.id for q in load_lesson(LESSON, "en").questions]
    return sorted(ids, key=order.index)


def answer_and_check(at: AppTest, lang: str = "en") -> str:
    """Answer every question the reader shows, rightly, press Check: the page's text."""
    qs = {q.id: q for q in load_lesson(LESSON, lang).questions}
    for qid in quiz_ids(at):
        q, key = qs[qid], f"q_{LESSON}_{qid}"
        if q.type is QuestionType.MULTI:
            at.multiselect(key=key).set_value(list(q.answer))
        else:
            at.radio(key=key).set_value(q.answer)
    ok(next(b for b in at.button if b.label == t("lessons.check", lang)).click().run())
    return "\n".join(str(m.value) for m in at.markdown)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_trainee_with_a_post_test_to_take_gets_no_key_of_its_questions(school, lang):
    a, lesson = school.assignment, load_lesson(LESSON, lang)
    tested = [q.question_id for q in a.post_test]
    everything = [q.id for q in lesson.questions]
    # Ann took the pre-test and played the case through: the post-test (same questions) is
    # to take
    cr.record_quiz(school.db, school.ann, lesson, {q: 0 for q in tested}, QuizPhase.PRE, a.id)
    school.ann_attempt(months=12)
    at = reader(school.ann, lang)
    assert quiz_ids(at) == [q for q in everything if q not in tested]
    assert t("lessons.held_other", lang, n=len(tested)) in [i.value for i in at.info]
    text = answer_and_check(at, lang)
    assert t("lessons.score", lang, score=len(everything) - len(tested),
             total=len(everything) - len(tested)) in [s.value for s in at.success]
    for q in lesson.questions:  # the key (answer and explanation) of the tested ones: not shown
        assert (q.explanation in text) is (q.id not in tested), q.id

    # the post-test taken, the reader gives the whole quiz and its key
    cr.record_quiz(school.db, school.ann, lesson, {q: 0 for q in tested}, QuizPhase.POST, a.id)
    at = reader(school.ann, lang)
    assert quiz_ids(at) == everything
    held_notes = {t(f"lessons.held_{k}", lang, n=len(tested)) for k in ("one", "other", "all")}
    assert not held_notes & {i.value for i in at.info}
    text = answer_and_check(at, lang)
    assert all(q.explanation in text for q in lesson.questions)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_signing_out_does_not_show_a_trainee_the_key_of_their_test(school, lang):
    """The reader is open to anyone: Ann, with her post-test to take, signed out (or opened
    a private window) and checked the quiz to read its key and explanations."""
    a, lesson = school.assignment, load_lesson(LESSON, lang)
    tested = [q.question_id for q in a.post_test]
    at = reader(None, lang)
    assert quiz_ids(at) == [q.id for q in lesson.questions if q.id not in tested]
    assert t("lessons.held_anon_other", lang, n=len(tested)) in [i.value for i in at.info]
    text = answer_and_check(at, lang)
    for q in lesson.questions:
        assert (q.explanation in text) is (q.id not in tested), q.id


@pytest.mark.parametrize("who", ["ben", "teacher"])
def test_another_trainee_and_the_instructor_read_the_whole_quiz(school, who):
    """Ben is in no class with a test; the teacher set the test."""
    user = school.teacher if who == "teacher" else school.ben
    everything = [q.id for q in load_lesson(LESSON, "en").questions]
    at = reader(user)
    assert quiz_ids(at) == everything
    assert t("lessons.held_other", "en", n=2) not in [i.value for i in at.info]


def test_a_trainee_whose_every_question_is_in_a_test_is_told_so_and_given_no_form(school):
    from datetime import timedelta

    from training.db import now

    everything = [q.id for q in load_lesson(LESSON, "en").questions]
    cr.assign_case(school.db, school.teacher, school.cohort.id, school.version.id,
                   now() - timedelta(hours=1), now() + timedelta(days=1),
                   post_test=[cr.TestQuestion(LESSON, q) for q in everything])
    at = reader(school.ann)
    assert quiz_ids(at) == []
    assert t("lessons.held_all", "en") in [i.value for i in at.info]
    assert not [b for b in at.button if b.label == t("lessons.check", "en")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_test_form_says_where_its_questions_go_in_the_reader(school, lang):
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    assert t("cohort.tests_held", lang) in [c.value for c in at.caption]


def test_a_pre_test_sent_again_from_a_second_tab_keeps_the_first(school):
    """Two tabs of My work, the pre-test filled in both: the second sending, made once the
    first's score was seen, is not kept (the service refuses it too: test_test_keys), the
    form is gone and the case can be started."""
    from training import dashboard as dash

    a = school.assignment
    lesson = load_lesson(LESSON, "en")
    tabs = []
    for _ in range(2):
        at = app_as(school.ann)
        at.switch_page("app_pages/my_attempts.py")
        tabs.append(ok(at.run()))
    for at, right in zip(tabs, (False, True), strict=True):
        for q in lesson.questions[:2]:
            at.radio(key=f"t_pre_{a.id}_{LESSON}_{q.id}").set_value(
                q.answer if right else (q.answer + 1) % len(q.choices))
    submit = t("mine.submit_pre", "en")
    ok(next(b for b in tabs[0].button if b.label == submit).click().run())
    ok(next(b for b in tabs[1].button if b.label == submit).click().run())
    assert not [b for b in tabs[1].button if b.label == submit]
    assert any(b.key == f"start_a{a.id}" for b in tabs[1].button)
    gain = dash.cohort_results(school.db, school.teacher, school.cohort.id).gain
    assert gain.loc[gain["user_id"] == school.ann.id, "pre_share"].tolist() == [0.0]
