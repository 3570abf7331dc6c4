"""The key of a class's test stays out of sight until the trainee has taken it: the lesson
reader holds back the questions of a pre- or post-test still to take (``held_questions``),
and a test is answered once (a second sending is refused and changes nothing), so the
learning gain the dashboard reports is not the recall of a key. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.classroom.test_classroom import Class, _play_to_end
from training import classroom as cr
from training import dashboard as dash
from training.db import now
from training.lessons import load_lesson, without_questions
from training.models import QuizPhase
from training.publishing import unpublish_case

LESSON = "early-warning"


@pytest.fixture
def klass(database):
    return Class(database)


def answers(ids: list[str], right: bool) -> dict:
    """Answers to these questions of the lesson, all right or all wrong."""
    qs = {q.id: q for q in load_lesson(LESSON, "en").questions}
    out = {}
    for i in ids:
        q = qs[i]
        if q.type.value == "truefalse":
            out[i] = q.answer if right else not q.answer
        elif q.type.value == "multi":
            out[i] = list(q.answer) if right else [x for x in range(len(q.choices))
                                                   if x not in q.answer][:1]
        else:
            out[i] = q.answer if right else (q.answer + 1) % len(q.choices)
    return out


def test_a_pending_test_holds_its_questions_from_its_trainees_only(klass):
    db, tested = klass.db, klass.question_ids()[:2]
    assert cr.held_questions(db, klass.ann) == {LESSON: frozenset(tested)}
    assert cr.held_questions(db, klass.ben) == {LESSON: frozenset(tested)}
    # the instructor, an admin and a trainee of another class: nothing
    for who in (klass.teacher, klass.admin, klass.outsider, klass.manager):
        assert cr.held_questions(db, who) == {}
    # the reader's view leaves out exactly those, in the lesson's order
    lesson = load_lesson(LESSON, "en")
    shown = without_questions(lesson, cr.held_questions(db, klass.ann)[LESSON])
    assert [q.id for q in shown.questions] == [q.id for q in lesson.questions[2:]]
    assert without_questions(lesson, []) is lesson


def test_the_questions_come_back_once_the_trainee_has_taken_the_test_that_asks_them(klass):
    """The same questions before and after (as the form advises): taking the pre-test does
    not free them, the post-test still asks them; taking the post-test does."""
    db, a, tested = klass.db, klass.assignment, klass.question_ids()[:2]
    lesson = load_lesson(LESSON, "en")
    cr.record_quiz(db, klass.ann, lesson, answers(tested, False), QuizPhase.PRE, a.id)
    assert cr.held_questions(db, klass.ann) == {LESSON: frozenset(tested)}
    live = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, live.attempt.id)
    cr.record_quiz(db, klass.ann, lesson, answers(tested, True), QuizPhase.POST, a.id)
    assert cr.held_questions(db, klass.ann) == {}
    assert cr.held_questions(db, klass.ben) == {LESSON: frozenset(tested)}  # not Ben's test


def test_a_reader_not_signed_in_is_held_back_what_any_trainee_still_has_to_take(klass):
    """The lesson reader is open to anyone: Ann, with her tests to take, signed out (or
    opened a private window) and read both questions with their key and explanations."""
    db, a, tested = klass.db, klass.assignment, klass.question_ids()[:2]
    lesson = load_lesson(LESSON, "en")
    assert cr.held_questions(db, None) == {LESSON: frozenset(tested)}
    for who in (klass.ann, klass.ben):  # both take the pre-test: the post-test asks the same
        cr.record_quiz(db, who, lesson, answers(tested, True), QuizPhase.PRE, a.id)
    assert cr.held_questions(db, None) == {LESSON: frozenset(tested)}
    live = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, live.attempt.id)
    cr.record_quiz(db, klass.ann, lesson, answers(tested, True), QuizPhase.POST, a.id)
    assert cr.held_questions(db, None) == {LESSON: frozenset(tested)}  # Ben has it to take
    # once no trainee can take it any more (the window closed, Ben with no attempt), or
    # everyone has, the questions are the lesson's again for every reader
    assert cr.held_questions(db, None, at=a.closes_at + timedelta(minutes=1)) == {}
    live = cr.start_assignment(db, klass.ben, klass.games, a.id)
    _play_to_end(klass.games, live.attempt.id)
    cr.record_quiz(db, klass.ben, lesson, answers(tested, False), QuizPhase.POST, a.id)
    assert cr.held_questions(db, None) == {}


def test_a_pre_test_question_the_post_test_does_not_ask_comes_back_after_the_pre_test(klass):
    db, ids = klass.db, klass.question_ids()
    a = cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id,
                       now() - timedelta(hours=1), now() + timedelta(days=2),
                       pre_test=[cr.TestQuestion(LESSON, ids[2])],
                       post_test=[cr.TestQuestion(LESSON, ids[3])])
    cr.withdraw_assignment(db, klass.teacher, klass.assignment.id)  # only `a` is set
    assert cr.held_questions(db, klass.ann) == {LESSON: frozenset(ids[2:4])}
    cr.record_quiz(db, klass.ann, load_lesson(LESSON, "en"), answers([ids[2]], True),
                   QuizPhase.PRE, a.id)
    assert cr.held_questions(db, klass.ann) == {LESSON: frozenset([ids[3]])}


def test_nothing_is_held_for_a_test_that_can_no_longer_be_taken(klass):
    """Withdrawn, or its window closed with no attempt of the trainee's under it (they can
    neither start the case nor reach its post-test): the questions are the lesson's again.
    With an attempt under it, the post-test is still theirs to take after the window."""
    db, a, tested = klass.db, klass.assignment, klass.question_ids()[:2]
    after = a.closes_at + timedelta(minutes=1)
    assert cr.held_questions(db, klass.ann, at=after) == {}
    cr.record_quiz(db, klass.ann, load_lesson(LESSON, "en"), answers(tested, True),
                   QuizPhase.PRE, a.id)
    cr.start_assignment(db, klass.ann, klass.games, a.id)
    assert cr.held_questions(db, klass.ann, at=after) == {LESSON: frozenset(tested)}
    assert cr.held_questions(db, klass.ben, at=after) == {}
    unpublish_case(db, klass.teacher, klass.version.id)  # Ben can no longer start it
    assert cr.held_questions(db, klass.ben) == {}
    assert cr.held_questions(db, klass.ann) == {LESSON: frozenset(tested)}  # Ann can finish
    cr.withdraw_assignment(db, klass.teacher, a.id)
    assert cr.held_questions(db, klass.ann) == {}


@pytest.mark.parametrize("phase", [QuizPhase.PRE, QuizPhase.POST])
def test_a_test_is_answered_once_and_a_second_sending_changes_nothing(klass, phase):
    """The test left open in a second tab and sent again, once the score of the first was
    seen, replaced the first answers in the learning gain (the latest answer counted)."""
    db, a, tested = klass.db, klass.assignment, klass.question_ids()[:2]
    lesson = load_lesson(LESSON, "en")
    if phase is QuizPhase.POST:  # the post-test comes after the case
        for who in (klass.ann, klass.ben):
            _play_to_end(klass.games, cr.start_assignment(db, who, klass.games, a.id).attempt.id)
    first = cr.record_quiz(db, klass.ann, lesson, answers(tested, False), phase, a.id)
    assert first.score == 0
    with pytest.raises(cr.ClassroomError, match=f"classroom.{phase.value}_test_taken"):
        cr.record_quiz(db, klass.ann, lesson, answers(tested, True), phase, a.id)
    with pytest.raises(cr.ClassroomError, match=f"classroom.{phase.value}_test_taken"):
        cr.record_quiz(db, klass.ann, lesson, answers(tested[1:], True), phase, a.id)
    gain = dash.cohort_results(db, klass.teacher, klass.cohort.id).gain
    mine = gain[gain["user_id"] == klass.ann.id]
    assert mine[f"{phase.value}_share"].tolist() == [0.0]
    # Ben's test is his own; the lesson's own quiz may still be tried again and again
    assert cr.record_quiz(db, klass.ben, lesson, answers(tested, True), phase, a.id).score == 2
    cr.record_quiz(db, klass.ann, lesson, answers(tested, True))
    cr.record_quiz(db, klass.ann, lesson, answers(tested, True))


def two_lesson_pre_test(klass) -> tuple[cr.Assignment, list, object, str]:
    """The class's case assigned with a pre-test of one question of LESSON and one of
    five-categories: (the assignment, the test's parts answered, five-categories, its
    question's id)."""
    other = load_lesson("five-categories", "en")
    q0, q_other = klass.question_ids()[0], other.questions[0].id
    a = cr.assign_case(klass.db, klass.teacher, klass.cohort.id, klass.version.id,
                       now() - timedelta(hours=1), now() + timedelta(days=2),
                       pre_test=[cr.TestQuestion(LESSON, q0),
                                 cr.TestQuestion("five-categories", q_other)])
    parts = [(load_lesson(LESSON, "en"), answers([q0], True)), (other, {q_other: 0})]
    return a, parts, other, q_other


def test_a_test_over_two_lessons_is_kept_whole_and_taken_once(klass):
    """My work keeps a test over two lessons in one go (``record_test``): both lessons'
    parts are its answers, and a second sending of either part is a retake."""
    db = klass.db
    a, parts, other, q_other = two_lesson_pre_test(klass)
    results = cr.record_test(db, klass.ann, a.id, QuizPhase.PRE, parts)
    assert [r.lesson_id for r in results] == [LESSON, "five-categories"]
    assert cr.quiz_done(db, klass.ann, a.id, QuizPhase.PRE)
    with pytest.raises(cr.ClassroomError, match="classroom.pre_test_taken"):
        cr.record_quiz(db, klass.ann, other, {q_other: 1}, QuizPhase.PRE, a.id)
