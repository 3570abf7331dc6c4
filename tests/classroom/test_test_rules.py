"""What the classroom service itself holds a class's tests and lessons to, whatever page
calls it (SQLite and PostgreSQL):

- a lesson assignment can always be finished: the questions the reader holds back for a
  test are not owed there, and a lesson all of whose questions are in a test is done once
  the test is taken; My work and the dashboard say the same;
- the post-test is taken after the case, not before;
- the pre-test is not taken once the case can no longer be started;
- a test over two lessons is kept whole or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from tests.classroom.test_classroom import Class, _play_to_end
from tests.classroom.test_test_keys import answers, two_lesson_pre_test
from training import classroom as cr
from training import dashboard as dash
from training.db import now, session_scope
from training.i18n import t
from training.lessons import load_lesson, without_questions
from training.models import QuizAnswerRow, QuizPhase

LESSON = "early-warning"


@pytest.fixture
def klass(database):
    return Class(database)


def assign_lesson(klass) -> cr.Assignment:
    return cr.assign_lesson(klass.db, klass.teacher, klass.cohort.id, LESSON,
                            now() - timedelta(hours=1), now() + timedelta(days=2))


def statuses(klass, assignment: cr.Assignment) -> dict[str, str]:
    """The dashboard's completion status of each trainee on this assignment."""
    c = dash.cohort_results(klass.db, klass.teacher, klass.cohort.id).completion
    c = c[c["assignment_id"] == assignment.id]
    return dict(zip(c["trainee"], c["status"], strict=True))


def test_a_lesson_whose_quiz_is_partly_held_is_done_with_the_rest_answered(klass):
    """Two of its questions are in the class's pending tests: the reader asks the others;
    answering those finishes the lesson, on My work and on the dashboard alike."""
    db, lesson = klass.db, load_lesson(LESSON, "en")
    a = assign_lesson(klass)
    held = cr.held_questions(db, klass.ann)
    assert cr.held_part(held, LESSON) == "some"
    shown = without_questions(lesson, held[LESSON])
    cr.record_quiz(db, klass.ann, shown, answers([q.id for q in shown.questions], True))
    assert cr.lesson_read(db, klass.ann, a) and not cr.lesson_read(db, klass.ben, a)
    assert statuses(klass, a) == {"Ann": dash.STATUS_DONE, "Ben": dash.STATUS_NOT_STARTED}


def test_a_lesson_whose_every_question_is_in_a_test_is_done_once_the_test_is_taken(klass):
    """The reader had nothing to ask (every question held for the pre- and post-test), so
    the lesson showed "not done" until the post-test, after the case, on My work and the
    dashboard. Taking the test that asks them finishes it."""
    db, ids = klass.db, klass.question_ids()
    cr.withdraw_assignment(db, klass.teacher, klass.assignment.id)
    every = [cr.TestQuestion(LESSON, q) for q in ids]
    case = cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id,
                          now() - timedelta(hours=1), now() + timedelta(days=2),
                          pre_test=every, post_test=every)
    a = assign_lesson(klass)
    assert cr.held_part(cr.held_questions(db, klass.ann), LESSON) == "all"
    assert not cr.lesson_read(db, klass.ann, a)
    assert statuses(klass, a) == {"Ann": dash.STATUS_NOT_STARTED, "Ben": dash.STATUS_NOT_STARTED}

    cr.record_quiz(db, klass.ann, load_lesson(LESSON, "en"), answers(ids, False),
                   QuizPhase.PRE, case.id)
    assert cr.lesson_read(db, klass.ann, a) and not cr.lesson_read(db, klass.ben, a)
    assert statuses(klass, a) == {"Ann": dash.STATUS_DONE, "Ben": dash.STATUS_NOT_STARTED}


def test_a_test_covering_part_of_a_lesson_does_not_finish_it(klass):
    db, ids = klass.db, klass.question_ids()
    a = assign_lesson(klass)
    cr.record_quiz(db, klass.ann, load_lesson(LESSON, "en"), answers(ids[:2], True),
                   QuizPhase.PRE, klass.assignment.id)
    assert not cr.lesson_read(db, klass.ann, a)
    assert statuses(klass, a)["Ann"] == dash.STATUS_NOT_STARTED


def test_the_post_test_waits_for_the_case_to_be_finished(klass):
    """Only My work kept the post-test from a trainee who had not finished the case."""
    db, a, ids = klass.db, klass.assignment, klass.question_ids()[:2]
    lesson = load_lesson(LESSON, "en")
    cr.record_quiz(db, klass.ann, lesson, answers(ids, False), QuizPhase.PRE, a.id)
    live = cr.start_assignment(db, klass.ann, klass.games, a.id)
    klass.games.end_month(live.attempt.id, 0)  # started, not finished
    for sending in (lambda: cr.record_quiz(db, klass.ann, lesson, answers(ids, True),
                                           QuizPhase.POST, a.id),
                    lambda: cr.record_test(db, klass.ann, a.id, QuizPhase.POST,
                                           [(lesson, answers(ids, True))])):
        with pytest.raises(cr.ClassroomError, match="classroom.post_test_before_case"):
            sending()
    assert not cr.quiz_done(db, klass.ann, a.id, QuizPhase.POST)
    _play_to_end(klass.games, live.attempt.id)
    assert cr.record_quiz(db, klass.ann, lesson, answers(ids, True), QuizPhase.POST,
                          a.id).score == 2
    # the message is said in both languages
    for lang in ("zh", "en"):
        assert t("classroom.post_test_before_case", lang) != "classroom.post_test_before_case"


def test_the_pre_test_is_not_taken_once_the_case_can_no_longer_be_started(klass):
    db, ids = klass.db, klass.question_ids()[:2]
    lesson = load_lesson(LESSON, "en")
    past = cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id,
                          now() - timedelta(days=2), now() - timedelta(minutes=1),
                          pre_test=[cr.TestQuestion(LESSON, q) for q in ids])
    assert not past.pre_test_open() and klass.assignment.pre_test_open()
    with pytest.raises(cr.ClassroomError, match="classroom.pre_test_closed"):
        cr.record_quiz(db, klass.ann, lesson, answers(ids, True), QuizPhase.PRE, past.id)
    assert not cr.quiz_done(db, klass.ann, past.id, QuizPhase.PRE)
    # a window not yet open: the pre-test may be taken ahead
    ahead = cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id,
                           now() + timedelta(days=1), now() + timedelta(days=2),
                           pre_test=[cr.TestQuestion(LESSON, q) for q in ids])
    cr.record_quiz(db, klass.ann, lesson, answers(ids, True), QuizPhase.PRE, ahead.id)
    assert cr.quiz_done(db, klass.ann, ahead.id, QuizPhase.PRE)


def test_a_test_over_two_lessons_is_kept_whole_or_not_at_all(klass, monkeypatch):
    """Kept lesson by lesson, a database failing between the two kept the first lesson's
    answers: the test counted as taken, half of it blank for good."""
    db = klass.db
    a, parts, _, _ = two_lesson_pre_test(klass)
    real, calls = cr._add_answers, []

    def failing_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(cr, "_add_answers", failing_second)
    with pytest.raises(OperationalError):
        cr.record_test(db, klass.ann, a.id, QuizPhase.PRE, parts)
    assert not cr.quiz_done(db, klass.ann, a.id, QuizPhase.PRE)
    monkeypatch.setattr(cr, "_add_answers", real)
    cr.record_test(db, klass.ann, a.id, QuizPhase.PRE, parts)  # sent again: all kept
    with session_scope(db) as s:
        kept = sorted(s.scalars(select(QuizAnswerRow.lesson_id).where(
            QuizAnswerRow.assignment_id == a.id)))
    assert kept == ["early-warning", "five-categories"]
