"""The classroom services on SQLite and PostgreSQL: every forbidden path is refused, cases
publish as frozen versions, rosters import with their bad rows reported, assignments
keep their window, and the dashboard's frames agree with what the trainees did."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sim.scenario import ScenarioError, load_scenario
from training import classroom as cr
from training import dashboard as dash
from training.accounts import create_user
from training.attempts import AttemptError, AttemptStore, LiveGames
from training.authz import Action, Forbidden, can, require_role
from training.db import now, session_scope
from training.lessons import load_lesson
from training.models import AttemptRow, CohortRole, QuizPhase, Role
from training.publishing import list_case_versions, publish_case

ROOT = Path(__file__).resolve().parents[2]
INTRO_TEXT = (ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8")
PW = "a-long-password-1"


class Class:
    """A small training centre: admin, two instructors, a manager, three trainees, a cohort
    taught by the first instructor with two of the trainees, and intro assigned to it."""

    def __init__(self, db):
        self.db = db
        self.admin = create_user(db, "admin", PW, Role.ADMIN)
        self.teacher = create_user(db, "teacher", PW, Role.INSTRUCTOR)
        self.other_teacher = create_user(db, "other-teacher", PW, Role.INSTRUCTOR)
        self.manager = create_user(db, "manager", PW, Role.MANAGER)
        self.ann = create_user(db, "ann", PW, display_name="Ann")
        self.ben = create_user(db, "ben", PW, display_name="Ben")
        self.outsider = create_user(db, "outsider", PW)
        self.cohort = cr.create_cohort(db, self.teacher, "Post-loan class 1")
        cr.enrol(db, self.teacher, self.cohort.id, "ann")
        cr.enrol(db, self.teacher, self.cohort.id, "ben")
        self.other_cohort = cr.create_cohort(db, self.other_teacher, "Another class")
        cr.enrol(db, self.other_teacher, self.other_cohort.id, "outsider")
        self.version = publish_case(db, self.teacher, INTRO_TEXT)
        self.assignment = cr.assign_case(
            db, self.teacher, self.cohort.id, self.version.id, now() - timedelta(hours=1),
            now() + timedelta(days=7),
            pre_test=[cr.TestQuestion("early-warning", q) for q in self.question_ids()[:2]],
            post_test=[cr.TestQuestion("early-warning", q) for q in self.question_ids()[:2]])
        intro = load_scenario(ROOT / "scenarios" / "intro.yaml")
        self.games = LiveGames(AttemptStore(db=db), lambda _id: intro)
        self.intro = intro

    @staticmethod
    def question_ids() -> list[str]:
        return [q.id for q in load_lesson("early-warning", "en").questions]


@pytest.fixture
def klass(database):
    return Class(database)


def test_only_instructors_and_admins_publish_and_see_versions(klass):
    db = klass.db
    for user in (klass.ann, klass.manager, None):
        with pytest.raises(Forbidden):
            publish_case(db, user, INTRO_TEXT)
        with pytest.raises(Forbidden):
            list_case_versions(db, user)
    assert publish_case(db, klass.admin, INTRO_TEXT).id == klass.version.id  # same content


def test_publishing_changed_text_makes_a_new_version_and_old_attempts_keep_theirs(klass):
    db = klass.db
    live = cr.start_assignment(db, klass.ann, klass.games, klass.assignment.id)
    assert live.attempt.case_version_id == klass.version.id
    klass.games.end_month(live.attempt.id, 0)
    changed = INTRO_TEXT.replace("horizon_months: 12", "horizon_months: 11")
    assert changed != INTRO_TEXT
    v2 = publish_case(db, klass.teacher, changed)
    assert (v2.scenario_id, v2.version) == ("intro", 2) and v2.content_hash != klass.version.content_hash
    assert [v.version for v in list_case_versions(db, klass.teacher, "intro")] == [2, 1]
    fresh = LiveGames(AttemptStore(db=db), lambda _id: v2.scenario())  # a restarted server
    assert fresh.open(live.attempt.id).game.horizon == 12  # replays on version 1


def test_a_broken_case_is_not_published(klass):
    with pytest.raises(ScenarioError):
        publish_case(klass.db, klass.teacher, "id: x\nsegments: nope\n")


def test_attempts_open_for_owner_their_instructors_and_admins_only(klass):
    db = klass.db
    live = cr.start_assignment(db, klass.ann, klass.games, klass.assignment.id)
    aid = live.attempt.id
    assert cr.open_attempt(db, klass.ann, aid, Action.PLAY_ATTEMPT).id == aid
    assert cr.open_attempt(db, klass.teacher, aid).id == aid  # her instructor: read-only
    assert cr.open_attempt(db, klass.admin, aid).id == aid
    for intruder in (klass.ben, klass.outsider, klass.other_teacher, klass.manager, None):
        with pytest.raises(Forbidden) as err:
            cr.open_attempt(db, intruder, aid)
        assert err.value.key == "authz.not_your_attempt"
    for not_owner in (klass.teacher, klass.admin):  # reading is not playing
        with pytest.raises(Forbidden):
            cr.open_attempt(db, not_owner, aid, Action.PLAY_ATTEMPT)
    with pytest.raises(AttemptError):
        cr.open_attempt(db, klass.ann, "doesnotexist")


def test_anonymous_self_study_is_kept_apart_from_accounts(klass, monkeypatch):
    db = klass.db
    # accounts exist, so self-study is off unless the operator turns it on
    with pytest.raises(Forbidden):
        cr.start_practice(db, None, klass.games, klass.intro)
    monkeypatch.setenv("BIANQUE_SELF_STUDY", "on")
    anon = cr.start_practice(db, None, klass.games, klass.intro).attempt
    assert anon.user_id is None and anon.assignment_id is None
    assert cr.open_attempt(db, None, anon.id, Action.PLAY_ATTEMPT).id == anon.id
    for user in (klass.ann, klass.teacher):
        with pytest.raises(Forbidden):
            cr.open_attempt(db, user, anon.id)
    assert [a.id for a in cr.my_attempts(db, None)] == [anon.id]
    assert cr.my_attempts(db, klass.ann) == []
    own = cr.start_practice(db, klass.ann, klass.games, klass.intro).attempt
    with pytest.raises(Forbidden):
        cr.open_attempt(db, None, own.id)
    assert [a.id for a in cr.my_attempts(db, klass.ann)] == [own.id]


def test_two_open_cohorts_may_not_share_a_name(klass):
    """Cohorts are picked by name: a second 'Post-loan class 1' (in any letter case) is
    refused with the fix, so the dashboard never offers two entries it cannot tell apart."""
    for name in ("Post-loan class 1", "  post-loan CLASS 1 "):
        with pytest.raises(cr.ClassroomError) as err:
            cr.create_cohort(klass.db, klass.other_teacher, name)
        assert err.value.key == "classroom.cohort_name_taken"
    assert cr.create_cohort(klass.db, klass.other_teacher, "Post-loan class 2").id


def test_cohorts_are_run_only_by_their_instructors_and_admins(klass):
    db, cid = klass.db, klass.cohort.id
    for user in (klass.ann, klass.manager, None):
        with pytest.raises(Forbidden):
            cr.create_cohort(db, user, "mine")
    for user in (klass.ann, klass.other_teacher, klass.manager, klass.outsider, None):
        with pytest.raises(Forbidden):
            cr.enrol(db, user, cid, "outsider")
        with pytest.raises(Forbidden):
            cr.import_roster(db, user, cid, "username\nzed\n")
        with pytest.raises(Forbidden):
            cr.assign_lesson(db, user, cid, "early-warning", now(), now() + timedelta(days=1))
        with pytest.raises(Forbidden):
            dash.cohort_results(db, user, cid)
        with pytest.raises(Forbidden):
            cr.members(db, user, cid)
    assert {m.username for m in cr.members(db, klass.admin, cid)} == {"teacher", "ann", "ben"}
    assert [c.id for c in cr.teaching_cohorts(db, klass.teacher)] == [cid]
    assert cr.teaching_cohorts(db, klass.ann) == []


def test_strategy_lab_and_roles(klass):
    assert can(klass.manager, Action.STRATEGY_LAB) and can(klass.admin, Action.STRATEGY_LAB)
    for user in (klass.ann, klass.teacher, None):
        assert not can(user, Action.STRATEGY_LAB)
    with pytest.raises(Forbidden):
        require_role(klass.ann, Role.MANAGER, Role.ADMIN)
    with pytest.raises(Forbidden):
        require_role(None, Role.TRAINEE)
    assert require_role(klass.manager, Role.MANAGER) == klass.manager


def test_assignments_start_only_inside_their_window_and_for_the_cohorts_trainees(klass):
    db = klass.db
    with pytest.raises(Forbidden):
        cr.start_assignment(db, klass.outsider, klass.games, klass.assignment.id)
    with pytest.raises(Forbidden):
        cr.start_assignment(db, klass.teacher, klass.games, klass.assignment.id)
    later = cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id,
                           now() + timedelta(days=1), now() + timedelta(days=2))
    with pytest.raises(cr.ClassroomError, match="window_closed"):
        cr.start_assignment(db, klass.ann, klass.games, later.id)
    with pytest.raises(cr.ClassroomError, match="bad_window"):
        cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id, now(),
                       now() - timedelta(days=1))
    with pytest.raises(cr.ClassroomError, match="no_such_question"):
        cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id, now(),
                       now() + timedelta(days=1),
                       pre_test=[cr.TestQuestion("early-warning", "no-such-question")])
    assert [a.id for _, a in cr.my_assignments(db, klass.ann)] == [klass.assignment.id, later.id]
    assert cr.my_assignments(db, klass.outsider) == []


def test_a_test_of_every_question_is_refused_with_the_limit(klass):
    """The question picker's 'select all' gave a pre-test of every question of every
    lesson (77); a test holds at most MAX_TEST_QUESTIONS, and the refusal says how many
    were picked, in the page's language, and nothing is assigned."""
    from training.i18n import t
    from training.lessons import list_lessons

    every = [cr.TestQuestion(lesson.id, q.id) for lesson in list_lessons("en")
             for q in lesson.questions]
    assert len(every) > cr.MAX_TEST_QUESTIONS
    before = cr.my_assignments(klass.db, klass.ann)
    for which in ("pre_test", "post_test"):
        with pytest.raises(cr.ClassroomError, match=f"{which}_too_long") as err:
            cr.assign_case(klass.db, klass.teacher, klass.cohort.id, klass.version.id,
                           now(), now() + timedelta(days=3), **{which: every})
        for lang in ("en", "zh"):
            words = t(err.value.key, lang, **err.value.detail)
            assert str(len(every)) in words and str(cr.MAX_TEST_QUESTIONS) in words
    assert cr.my_assignments(klass.db, klass.ann) == before
    most = every[:cr.MAX_TEST_QUESTIONS]
    assert cr.assign_case(klass.db, klass.teacher, klass.cohort.id, klass.version.id,
                          now(), now() + timedelta(days=3), pre_test=most).pre_test


def test_assigning_the_same_thing_for_the_same_window_twice_is_refused(klass):
    """A second press of Assign made a twin assignment that the trainees saw twice and that
    nobody could withdraw; another window is another sitting and still allowed."""
    db = klass.db
    opens, closes = now() + timedelta(days=1), now() + timedelta(days=2)
    cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id, opens, closes)
    with pytest.raises(cr.ClassroomError, match="already_assigned"):
        cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id, opens, closes)
    cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id, opens,
                   closes + timedelta(days=1))
    cr.assign_lesson(db, klass.teacher, klass.cohort.id, "early-warning", opens, closes)
    with pytest.raises(cr.ClassroomError, match="already_assigned"):
        cr.assign_lesson(db, klass.teacher, klass.cohort.id, "early-warning", opens, closes)
    subjects = [a.subject for a in cr.list_assignments(db, klass.teacher, klass.cohort.id)]
    assert len(subjects) == 4  # the fixture's, two sittings of the case, the lesson


def test_roster_import_enrols_good_rows_and_reports_bad_ones_by_line(klass):
    db = klass.db
    create_user(db, "boss2", PW, Role.INSTRUCTOR)
    csv_text = ("username,name,email\n"
                "carl,Carl Li,carl@bank.example\n"   # line 2: new account
                "ann,,\n"                          # line 3: already enrolled
                ",No Name,\n"                      # line 4: no username
                "bad name,Bad,\n"                  # line 5: invalid username
                "carl,Carl again,\n"               # line 6: duplicate in the file
                "dora,Dora,not-an-email\n"         # line 7: bad e-mail
                "boss2,,\n"                        # line 8: not a trainee account
                "eve,Eve,,extra\n"                 # line 9: too many fields
                "\n"
                "outsider,,\n")                    # line 11: existing trainee, enrolled
    report = cr.import_roster(db, klass.teacher, klass.cohort.id, csv_text.encode("utf-8-sig"))
    assert report.enrolled == ["carl", "outsider"]
    assert set(report.created) == {"carl"} and len(report.created["carl"]) >= 12
    assert report.already == ["ann"]
    assert [(p.line, p.key) for p in report.problems] == [
        (4, "classroom.csv_no_username"), (5, "accounts.bad_username_spaces"),
        (6, "classroom.csv_duplicate"), (7, "classroom.csv_bad_email"),
        (8, "classroom.csv_not_trainee"), (9, "classroom.csv_extra_fields")]
    assert report.unread is None  # its rows were read: the problems are theirs
    names = {m.username for m in cr.members(db, klass.teacher, klass.cohort.id)}
    assert {"carl", "outsider"} <= names and "dora" not in names and "boss2" not in names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_roster_row_without_a_username_says_where_to_write_it(klass, lang):
    """A class list's row with a name but no username was reported as "no username", with
    nothing of what to do: the reason now names the username column and the fix, in the
    page's language."""
    from training.i18n import t

    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id,
                              b"username,name,email\n,Zhang Wei,\n")
    [problem] = report.problems
    said = t(problem.key, lang, **problem.detail)
    assert problem.line == 2 and "username" in said and "zhang.wei" in said
    assert ("删去这一行" if lang == "zh" else "delete the line") in said


@pytest.mark.parametrize("data, key", [
    (b"name,email\nx,y\n", "classroom.csv_bad_header"),
    (b"", "classroom.csv_no_header"),
    ("username\nann\n".encode("utf-16"), "classroom.csv_not_utf8_utf16"),
    ("用户名,姓名\nann,安\n".encode("gbk"), "classroom.csv_not_utf8_gbk"),  # Excel's CSV
    (b"PK\x03\x04" + bytes(range(256)), "classroom.csv_not_utf8_excel"),  # .xlsx renamed
    (b"\x80\x00\xff", "classroom.csv_not_utf8"),
    (b"username\n" + b"a" * (cr.MAX_ROSTER_BYTES + 1), "classroom.csv_too_big"),
])
def test_a_roster_file_that_cannot_be_read_says_why(klass, data, key):
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data)
    assert [p.key for p in report.problems] == [key] and not report.enrolled
    assert report.unread is report.problems[0]  # said as the file's, not as a row 0 of it
    from training.i18n import t

    assert all(t(key, lang) != key for lang in ("en", "zh"))  # said in both languages


@pytest.mark.parametrize("data", [
    b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" * 20,  # decodes as UTF-8
    "username\nann\n".encode("utf-16-le"),  # UTF-16 without its mark, too
])
def test_a_workbook_or_utf16_that_decodes_as_utf8_is_named_for_what_it_is(klass, data):
    """Their zero bytes and archive header are valid UTF-8: the file was read as a header
    of 'PK\x03\x04...' and refused as a bad heading, with the bytes shown as the columns."""
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data)
    assert report.unread is not None
    assert report.unread.key in ("classroom.csv_not_utf8_excel", "classroom.csv_not_utf8_utf16")


@pytest.mark.parametrize("data", [
    "username;name;email\nli_lei;李雷;\n",     # Excel where the list separator is ';'
    "sep=;\nusername;name\nli_lei;李雷\n",     # and its 'sep=' first line
    "用户名\t姓名\nli_lei\t李雷\n",            # tab-separated, as Excel's text export
])
def test_a_class_list_separated_by_semicolons_or_tabs_is_read(klass, data):
    """A class list saved with ';' or tabs was refused as a bad header ('found:
    username;name;email'): the separator is now taken from the header line."""
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data.encode())
    assert report.enrolled == ["li_lei"] and not report.problems


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_registrars_list_with_more_columns_names_those_to_delete(klass, lang):
    """A list with 学号 and 班级 besides was refused as 'the first line must name the columns
    (username, name, email)', which it did: now the columns not read are named, and nothing
    is enrolled."""
    from training.i18n import t

    data = "学号,username,name,班级\n2024001,li_lei,李雷,A\n".encode()
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data)
    assert report.unread is not None and not report.enrolled
    said = t(report.unread.key, lang, **report.unread.detail)
    assert "学号, 班级" in said and ("delete" in said if lang == "en" else "删去" in said)


def test_a_class_list_too_long_is_refused_whole(klass):
    """A list of 5,000 rows enrolled the first 2,000 (and made their accounts) and then said
    'more than 2000 rows; split the class list': splitting it would list the first 2,000
    again. Now nothing changes, and the count is said."""
    before = {m.username for m in cr.members(klass.db, klass.teacher, klass.cohort.id)}
    rows = "".join(f"s{i:05d},学生{i}\n" for i in range(cr.MAX_ROSTER_ROWS + 1))
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id,
                              ("username,name\n" + rows).encode())
    assert report.unread is not None and report.unread.key == "classroom.csv_too_many"
    assert report.unread.detail["n"] == cr.MAX_ROSTER_ROWS + 1
    assert not report.enrolled and not report.created
    assert {m.username for m in cr.members(klass.db, klass.teacher, klass.cohort.id)} == before


@pytest.mark.parametrize(("data", "line", "key"), [
    ("username,name\n", 1, "classroom.csv_no_rows"),  # was "0 enrolled", in green
    ('username,name\n"li_lei,李雷\nhan_mei,韩梅\n', 2, "classroom.csv_open_quote"),
    ("username,name\nli_lei," + "李" * 129 + "\n", 2, "classroom.csv_long_name"),  # was cut
])
def test_a_class_list_with_no_rows_an_open_quote_or_a_long_name_says_so(klass, data, line,
                                                                         key):
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data.encode())
    assert [(p.line, p.key) for p in report.problems] == [(line, key)]
    assert not report.enrolled


def test_a_class_list_headed_in_chinese_is_read(klass):
    """A Chinese instructor heads the columns 用户名,姓名,邮箱: the file was refused whole."""
    data = "用户名,姓名,邮箱\nli_lei,李雷,li@bank.example\n".encode("utf-8-sig")
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data)
    assert report.enrolled == ["li_lei"] and not report.problems


@pytest.mark.parametrize("data, line", [
    ("username，name，email\nli_lei，李雷，\n", 1),       # the header so typed
    ("username,name,email\nli_lei，李雷，li@bank.example\n", 2),  # one row so typed
])
def test_full_width_commas_in_a_class_list_are_named(klass, data, line):
    """Typed with a Chinese keyboard, the row read as one bad username or the header as
    an unknown column, and nothing said why."""
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data.encode())
    assert [(p.line, p.key) for p in report.problems] == [
        (line, "classroom.csv_full_width_comma")]
    assert not report.enrolled


def _play_to_end(games, aid, act_first_month=False):
    g = games.open(aid).game
    if act_first_month:
        games.queue(aid, 0, "closer_monitoring")
    for m in range(g.horizon):
        games.end_month(aid, m)


def test_the_ranking_counts_each_trainees_first_finished_attempt(klass):
    """Every attempt at an assignment plays the case's own seed: ranked by the best, a
    trainee could click through once, learn who defaults, and top the class on a retry.
    The ranking takes each trainee's first finished attempt; the dashboard shows it beside
    the best."""
    db, a = klass.db, klass.assignment
    first = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, first.attempt.id)
    retry = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, retry.attempt.id)
    ben = cr.start_assignment(db, klass.ben, klass.games, a.id)
    _play_to_end(klass.games, ben.attempt.id)
    # the figures a retry with hindsight leaves: Ann's first try below Ben's, her retry above
    with session_scope(db) as s:
        for live, index in ((first, 0.2), (retry, 0.9), (ben, 0.5)):
            s.get(AttemptRow, live.attempt.id).index_share = index
    rank = cr.ranking(db, klass.ann, a.id)
    assert [(r.rank, r.index_share, r.attempts, r.is_you) for r in rank] == [
        (1, 0.5, 1, False), (2, 0.2, 2, True)]
    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)
    best = dash.best_scores(res.attempts).set_index("trainee")
    assert best.loc["Ann", ["first", "best"]].tolist() == pytest.approx([0.2, 0.9])
    assert best.loc["Ben", ["first", "best"]].tolist() == pytest.approx([0.5, 0.5])


def test_ranking_is_anonymised_and_dashboard_matches_the_attempts(klass):
    db, a = klass.db, klass.assignment
    ann_live = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, ann_live.attempt.id)
    second = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, second.attempt.id, act_first_month=True)
    ben_live = cr.start_assignment(db, klass.ben, klass.games, a.id)
    klass.games.end_month(ben_live.attempt.id, 0)  # Ben is still playing

    # quizzes: Ann gets the pre-test wrong and the post-test right
    lesson = load_lesson("early-warning", "en")
    qs = {q.id: q for q in lesson.questions}
    ids = [q.question_id for q in a.pre_test]
    wrong = {i: (qs[i].answer + 1) % len(qs[i].choices) for i in ids}
    right = {i: qs[i].answer for i in ids}
    cr.record_quiz(db, klass.ann, lesson, wrong, QuizPhase.PRE, a.id)
    cr.record_quiz(db, klass.ann, lesson, right, QuizPhase.POST, a.id)
    with pytest.raises(Forbidden):
        cr.record_quiz(db, klass.outsider, lesson, right, QuizPhase.POST, a.id)

    rank = cr.ranking(db, klass.ben, a.id)
    assert len(rank) == 1 and not rank[0].is_you and rank[0].attempts == 2
    assert cr.ranking(db, klass.ann, a.id)[0].is_you
    with pytest.raises(Forbidden):
        cr.ranking(db, klass.outsider, a.id)

    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)
    status = dict(zip(res.completion["trainee"], res.completion["status"], strict=True))
    assert status == {"Ann": dash.STATUS_DONE, "Ben": dash.STATUS_IN_PROGRESS}
    anns = res.attempts[res.attempts["trainee"] == "Ann"].sort_values("attempt_no")
    stored = [klass.games.store.get(x).index_share for x in
              (ann_live.attempt.id, second.attempt.id)]
    assert anns["attempt_no"].tolist() == [1, 2]
    assert anns["index_share"].tolist() == pytest.approx(stored)
    # ranked by her first finished attempt (a retry replays the same future with
    # hindsight); the dashboard shows it beside her best
    assert stored[0] == pytest.approx(rank[0].index_share)
    row = dash.best_scores(res.attempts).set_index("trainee").loc["Ann"]
    assert (row["first"], row["best"]) == pytest.approx((stored[0], max(stored)))
    assert set(res.baselines["strategy"]) >= {"late-collection", "oracle", "early-warning"}
    late = res.baselines.set_index("strategy").loc["late-collection", "index_share"]
    assert late == pytest.approx(0.0)
    # each missed loan is counted once per trainee who finished, from their latest attempt
    latest = klass.games.store.get(second.attempt.id).result["missed"]
    assert sorted(res.missed["label"]) == sorted(m["label"] for m in latest)
    assert (res.missed["trainees_missed"] == 1).all()
    gain = res.gain.set_index("trainee")
    assert gain.loc["Ann", "pre_share"] == 0 and gain.loc["Ann", "post_share"] == 1
    assert gain.loc["Ann", "gain"] == 1
    assert dash.cohort_gain(res.gain)["gain"].tolist() == [1]
    quiz = res.quiz
    assert set(quiz["phase"]) == {"pre", "post"} and (quiz["answers"] == 1).all()

    book = openpyxl.load_workbook(io.BytesIO(dash.results_excel(res, "en")))
    assert book.sheetnames == ["Completion", "Attempts", "Best index per trainee", "Baselines",
                               "Missed warnings", "Quiz per question", "Learning gain",
                               "Class average gain"]
    assert book["Attempts"].max_row == len(res.attempts) + 1
    csv_back = pd.read_csv(io.BytesIO(dash.results_csv(res)), encoding="utf-8-sig")
    assert csv_back["attempt_id"].tolist() == res.attempts["attempt_id"].tolist()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_results_export_reads_in_the_pages_language_and_keeps_the_ids_for_scripts(
        klass, lang):
    """The CSV export had only English column ids and stored values ("index_share",
    "finished"): an instructor opening it in Excel read code. A second CSV now has the
    headings and statuses in the page's language and the index in percent, as UTF-8 with
    a BOM (Excel then shows Chinese); the first keeps the ids for scripts."""
    from training.i18n import t

    db, games = klass.db, klass.games
    done = cr.start_assignment(db, klass.ann, games, klass.assignment.id).attempt.id
    _play_to_end(games, done, act_first_month=True)
    cr.start_assignment(db, klass.ben, games, klass.assignment.id)
    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)

    data = dash.results_csv_readable(res, lang)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == [t(f"dash.csv.{c}", lang) for c in dash.ATTEMPT_COLUMNS]
    assert not set(back.columns) & set(dash.ATTEMPT_COLUMNS)
    status = back[t("dash.csv.status", lang)].tolist()
    assert sorted(status) == sorted([t("dash.status_finished", lang),
                                     t("dash.status_in_progress", lang)])
    index = back.set_index(t("dash.csv.attempt_id", lang))[t("dash.csv.index_share", lang)]
    share = res.attempts.set_index("attempt_id")["index_share"]
    assert index[done] == pytest.approx(100 * share[done], abs=0.05)
    started = back.set_index(t("dash.csv.attempt_id", lang))[t("dash.csv.started_at", lang)]
    assert started[done] == f"{res.attempts.set_index('attempt_id').loc[done, 'started_at']:%Y-%m-%d %H:%M}"
    if lang == "zh":
        assert "学员" in data.decode("utf-8-sig") and "已完成" in data.decode("utf-8-sig")
    # the machine-readable one is as it was, whatever the language
    ids = pd.read_csv(io.BytesIO(dash.results_csv(res)), encoding="utf-8-sig")
    assert list(ids.columns) == dash.ATTEMPT_COLUMNS
    assert set(ids["status"]) == {"finished", "active"}



@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_names_its_sheets_and_headings_in_the_pages_language(klass, lang):
    """The Excel export named its sheets and columns with code ids ("cohort_gain",
    "index_share") on a Chinese page too. Its sheets, headings, statuses and test phases
    are now in the page's language, read as the readable CSV reads (index in percent);
    the CSV for scripts keeps the ids."""
    from training.i18n import t

    db, games, a = klass.db, klass.games, klass.assignment
    done = cr.start_assignment(db, klass.ann, games, a.id).attempt.id
    _play_to_end(games, done, act_first_month=True)
    cr.start_assignment(db, klass.ben, games, a.id)
    lesson = load_lesson("early-warning", "en")
    answers = {q.id: q.answer for q in lesson.questions}
    right = {q.question_id: answers[q.question_id] for q in a.pre_test}
    cr.record_quiz(db, klass.ann, lesson, right, QuizPhase.PRE, a.id)
    cr.record_quiz(db, klass.ann, lesson, right, QuizPhase.POST, a.id)
    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)

    book = openpyxl.load_workbook(io.BytesIO(dash.results_excel(res, lang)))
    assert book.sheetnames == [t(f"dash.sheet.{s}", lang) for s in dash.SHEETS]
    if lang == "zh":
        assert book.sheetnames[0] == "完成情况" and "全班平均增益" in book.sheetnames

    def sheet(sid):
        rows = list(book[t(f"dash.sheet.{sid}", lang)].values)
        return list(rows[0]), [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]

    def heading(col):
        return t(f"dash.csv.{col}", lang)

    ids = set(dash.ATTEMPT_COLUMNS) | {"cohort_gain", "share_correct", "pre_share"}
    for sid in dash.SHEETS:
        head, _ = sheet(sid)
        assert head and not set(head) & ids
        assert all(not h.startswith("dash.") for h in head)  # every heading is in the catalogue
    head, rows = sheet("attempts")
    assert head == [heading(c) for c in dash.ATTEMPT_COLUMNS]
    assert head == list(pd.read_csv(io.BytesIO(dash.results_csv_readable(res, lang)),
                                    encoding="utf-8-sig").columns)  # as the CSV to read
    by_id = {r[heading("attempt_id")]: r for r in rows}
    assert by_id[done][heading("status")] == t("dash.status_finished", lang)
    share = res.attempts.set_index("attempt_id").loc[done, "index_share"]
    assert by_id[done][heading("index_share")] == pytest.approx(100 * share, abs=0.05)
    _, rows = sheet("completion")
    assert {r[heading("status")] for r in rows} == {t("dash.status_finished", lang),
                                                    t("dash.status_in_progress", lang)}
    _, rows = sheet("quiz")
    assert {r[heading("phase")] for r in rows} == {t("dash.phase_pre", lang),
                                                   t("dash.phase_post", lang)}
    _, rows = sheet("baselines")
    assert t("strategy.late-collection", lang) in {r[heading("strategy")] for r in rows}
    head, rows = sheet("missed")
    assert head[:4] == [heading(c) for c in ("assignment_id", "subject", "label", "company")]
    assert {r[heading("label")] for r in rows} == set(res.missed["label"])
    _, rows = sheet("cohort_gain")
    assert rows[0][heading("gain")] == 0 and rows[0][heading("post_share")] == 100


@pytest.mark.parametrize("text, want", [
    ("Missed: loans [a/b]?", "Missed loans a b"),
    ("x" * 40, "x" * 31),
    ("'quoted'", "quoted"),
    ("*?", "Sheet"),
    ("学习增益", "学习增益 (2)"),  # taken already
])
def test_a_sheet_name_is_one_excel_accepts(text, want):
    """Excel refuses a sheet name over 31 characters or with []:*?/\\ in it, and one
    used twice: a catalogue wording that broke a rule would have broken the export."""
    from training.i18n import t

    name = dash.sheet_name(text, {"学习增益"})
    assert name == want and len(name) <= dash.SHEET_NAME_MAX
    assert not set(name) & set(dash.SHEET_NAME_FORBIDDEN)
    for lang in ("zh", "en"):
        names = [t(f"dash.sheet.{s}", lang) for s in dash.SHEETS]
        assert [dash.sheet_name(n) for n in names] == names  # the catalogue's need no change

def test_instructor_enrolment_needs_an_instructor_account(klass):
    with pytest.raises(cr.ClassroomError, match="not_an_instructor"):
        cr.enrol(klass.db, klass.teacher, klass.cohort.id, "ben", CohortRole.INSTRUCTOR)
    cr.enrol(klass.db, klass.teacher, klass.cohort.id, "other-teacher", CohortRole.INSTRUCTOR)
    # now the other instructor teaches Ann too, and may read her attempts
    live = cr.start_assignment(klass.db, klass.ann, klass.games, klass.assignment.id)
    assert cr.open_attempt(klass.db, klass.other_teacher, live.attempt.id).id == live.attempt.id


def test_an_assigned_lesson_counts_the_quiz_answered_in_its_window(klass):
    db = klass.db
    lesson = load_lesson("early-warning", "en")
    before = cr.record_quiz(db, klass.ben, lesson, {lesson.questions[0].id: 0})  # too early
    assert before.total == len(lesson.questions)
    assigned = cr.assign_lesson(db, klass.teacher, klass.cohort.id, "early-warning",
                                now(), now() + timedelta(days=1))
    right = {q.id: q.answer for q in lesson.questions}
    cr.record_quiz(db, klass.ann, lesson, right)  # in the reader, inside the window
    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)
    done = res.completion[res.completion["assignment_id"] == assigned.id]
    assert dict(zip(done["trainee"], done["status"], strict=True)) == {
        "Ann": dash.STATUS_DONE, "Ben": dash.STATUS_NOT_STARTED}
    quiz = res.quiz[res.quiz["assignment_id"] == assigned.id]
    assert set(quiz["phase"]) == {"lesson"} and (quiz["share_correct"] == 1).all()
    assert (quiz["answers"] == 1).all()  # Ben's answer before the window does not count


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_csv_export_holds_any_table_of_the_workbook(klass, lang):
    """The results CSV listed the case attempts only, while the Excel workbook also had
    the lessons' quiz and the learning gain: an instructor who wanted the quiz as CSV (for
    the training centre's own system) could not get it. A CSV now holds the table the
    instructor picks: to read, the same headings and values as its sheet of the workbook;
    for scripts, the frame's column ids and stored values; the attempts by default."""
    from training.i18n import t

    db, games, a = klass.db, klass.games, klass.assignment
    _play_to_end(games, cr.start_assignment(db, klass.ann, games, a.id).attempt.id, True)
    lesson = load_lesson("early-warning", "en")
    cr.assign_lesson(db, klass.teacher, klass.cohort.id, "early-warning",
                     now(), now() + timedelta(days=1))
    right = {q.id: q.answer for q in lesson.questions}
    cr.record_quiz(db, klass.ann, lesson, right)  # the lesson's own quiz
    pre = {q.question_id: right[q.question_id] for q in a.pre_test}
    cr.record_quiz(db, klass.ann, lesson, pre, QuizPhase.PRE, a.id)
    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)
    book = openpyxl.load_workbook(io.BytesIO(dash.results_excel(res, lang)))

    def read(data: bytes) -> pd.DataFrame:
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)

    for name in dash.SHEETS:
        rows = list(book[t(f"dash.sheet.{name}", lang)].values)
        sheet = pd.DataFrame([["" if v is None else str(v) for v in r] for r in rows[1:]],
                             columns=list(rows[0]), dtype=str)
        to_read = read(dash.results_csv_readable(res, lang, name))
        assert list(to_read.columns) == list(sheet.columns), name
        # the same rows as the sheet (a number as Excel stores it: 100.0 in the CSV is 100)
        assert len(to_read) == len(sheet), name
        for col in sheet.columns:
            for mine, theirs in zip(to_read[col], sheet[col], strict=True):
                try:
                    assert float(mine) == pytest.approx(float(theirs)), (name, col)
                except ValueError:
                    assert mine == theirs, (name, col)
        ids = read(dash.results_csv(res, name))
        assert list(ids.columns) == list(dash.table(res, name).columns), name
    quiz = read(dash.results_csv(res, "quiz"))
    assert set(quiz["phase"]) == {"lesson", "pre"}  # the lessons' quiz, with its stored ids
    assert set(quiz["question_id"]) == set(right)
    gain = read(dash.results_csv_readable(res, lang, "gain"))
    assert gain[t("dash.csv.trainee", lang)].tolist() == ["Ann"]
    assert float(gain[t("dash.csv.pre_share", lang)].iloc[0]) == 100.0  # in percent
    # the attempts unless another table is named: as it was
    assert dash.results_csv(res) == dash.results_csv(res, "attempts")
    assert dash.results_csv_readable(res, lang) == dash.results_csv_readable(res, lang, "attempts")
    with pytest.raises(ValueError, match="use one of: completion"):
        dash.results_csv(res, "grades")


def test_the_quiz_results_count_each_trainees_first_answer(klass):
    """A trainee who answers wrong, reads the answers and tries again does not show as
    right in the instructor's quiz table: the first answer to each question counts."""
    db = klass.db
    lesson = load_lesson("early-warning", "en")
    assigned = cr.assign_lesson(db, klass.teacher, klass.cohort.id, "early-warning",
                                now(), now() + timedelta(days=1))
    q = next(q for q in lesson.questions if q.type.value == "single")
    wrong = (q.answer + 1) % len(q.choices)
    cr.record_quiz(db, klass.ann, lesson, {q.id: wrong})
    cr.record_quiz(db, klass.ann, lesson, {q.id: q.answer})  # the second try, answers seen
    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)
    row = res.quiz[(res.quiz["assignment_id"] == assigned.id)
                   & (res.quiz["question_id"] == q.id)]
    assert row["answers"].tolist() == [1] and row["share_correct"].tolist() == [0.0]


def test_an_assignment_is_named_by_its_title_in_the_readers_language(klass):
    """Tables, pickers and messages name a case by its title and version, a lesson by its
    title (they showed the file's id, 'intro v1')."""
    a = klass.assignment
    title = a.title_en
    assert title and title != a.scenario_id
    assert a.subject_in("en") == f"{title} v{a.case_version}"
    assert a.subject_in("zh").startswith(a.title_zh) and a.title_zh != title
    lesson = cr.assign_lesson(klass.db, klass.teacher, klass.cohort.id, "early-warning",
                              now(), now() + timedelta(days=1))
    assert lesson.subject_in("en") == load_lesson("early-warning", "en").title


# --- taking back: withdrawing an assignment, removing a member ------------------------------
def test_a_withdrawn_assignment_is_no_longer_work_to_do_but_what_was_done_stays(klass):
    """An assignment given by mistake could not be taken back: trainees kept seeing it
    and the dashboard kept counting it. Withdrawn, it leaves every list of work and every
    count, while the attempts and answers made under it stay their trainees'."""
    from training import pairs

    db, a = klass.db, klass.assignment
    live = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, live.attempt.id)
    lesson = load_lesson("early-warning", "en")
    cr.record_quiz(db, klass.ann, lesson, {q.question_id: 0 for q in a.pre_test},
                   QuizPhase.PRE, a.id)

    gone = cr.withdraw_assignment(db, klass.teacher, a.id)
    assert gone.withdrawn and gone.withdrawn_at is not None and not gone.is_open()
    assert cr.list_assignments(db, klass.teacher, klass.cohort.id) == []
    assert cr.my_assignments(db, klass.ann) == []
    assert [x.id for x in cr.withdrawn_assignments(db, klass.teacher, klass.cohort.id)] == [a.id]
    with pytest.raises(cr.ClassroomError, match="classroom.withdrawn"):
        cr.start_assignment(db, klass.ben, klass.games, a.id)
    with pytest.raises(cr.ClassroomError, match="classroom.withdrawn"):
        cr.record_quiz(db, klass.ann, lesson, {q.question_id: 0 for q in a.post_test},
                       QuizPhase.POST, a.id)
    with pytest.raises(pairs.PairError, match="pairs.withdrawn"):
        pairs.create_pair(db, klass.teacher, a.id, "jiahe_extension", klass.ann.id, klass.ben.id)
    with pytest.raises(cr.ClassroomError, match="already_withdrawn"):
        cr.withdraw_assignment(db, klass.teacher, a.id)

    # what Ann did is still hers, and still opens for her and her instructor
    mine = cr.my_attempts(db, klass.ann)
    assert [x.id for x in mine] == [live.attempt.id] and mine[0].finished
    assert cr.open_attempt(db, klass.teacher, live.attempt.id).assignment_id == a.id
    assert cr.quiz_done(db, klass.ann, a.id, QuizPhase.PRE)
    # the dashboard and its exports count only what is still assigned
    res = dash.cohort_results(db, klass.teacher, klass.cohort.id)
    assert res.completion.empty and res.attempts.empty and res.gain.empty and res.quiz.empty
    book = openpyxl.load_workbook(io.BytesIO(dash.results_excel(res, "en")))
    assert book["Attempts"].max_row == 1  # the header only
    assert pd.read_csv(io.BytesIO(dash.results_csv(res)), encoding="utf-8-sig").empty
    # and its instructors can still pick them to review, apart from the counted ones
    kept = dash.withdrawn_attempts(db, klass.teacher, klass.cohort.id)
    assert kept["attempt_id"].tolist() == [live.attempt.id]
    assert kept["attempt_no"].tolist() == [1] and kept["withdrawn_at"].notna().all()
    with pytest.raises(Forbidden):
        dash.withdrawn_attempts(db, klass.ann, klass.cohort.id)


def test_an_attempt_under_a_withdrawn_assignment_cannot_be_played_on_but_stays_readable(klass):
    """A trainee with an attempt under way could still open it from My work or a desk
    left open and play on, its result landing as if the assignment still counted. Once
    withdrawn, every move is refused (a stale tab, a restarted server) naming who withdrew
    it and when, nothing saved is lost, and the attempt and a finished one's debrief
    still open to read."""
    from sim.policy import MonitoringPolicy
    from training.attempts import AttemptWithdrawn
    from training.review import month_view

    db, a, games = klass.db, klass.assignment, klass.games
    done = cr.start_assignment(db, klass.ann, games, a.id).attempt.id
    _play_to_end(games, done)
    aid = cr.start_assignment(db, klass.ann, games, a.id).attempt.id
    games.end_month(aid, 0)
    games.queue(aid, 0, "closer_monitoring")
    practice = cr.start_practice(db, klass.ann, games, klass.intro).attempt.id
    saved = games.store.get(aid)

    cr.withdraw_assignment(db, klass.teacher, a.id)
    # the page's check: playing is refused with who withdrew it and when
    with pytest.raises(Forbidden) as err:
        cr.open_attempt(db, klass.ann, aid, Action.PLAY_ATTEMPT)
    assert err.value.key == "attempt.withdrawn" and err.value.detail["by"] == "teacher"
    gone = cr.withdrawn_assignments(db, klass.teacher, klass.cohort.id)[0]
    assert err.value.detail["at"] == gone.withdrawn_at
    assert not can(klass.ann, Action.PLAY_ATTEMPT, saved, db)
    # a desk left open since (its game still live in memory), and a restarted server
    restarted = LiveGames(AttemptStore(db=db), lambda _id: klass.intro)
    for live_games in (games, restarted):
        for move in (lambda g: g.end_month(aid, 1), lambda g: g.queue(aid, 1, "closer_monitoring"),
                     lambda g: g.unqueue(aid, 0), lambda g: g.set_routine_hours(aid, 1.0),
                     lambda g: g.set_policy(aid, MonitoringPolicy(first_check_days=60)),
                     lambda g: g.end_month(done, 12)):
            with pytest.raises(AttemptWithdrawn) as refused:
                move(live_games)
            assert refused.value.key == "attempt.withdrawn"
            assert refused.value.withdrawal.by == "teacher"
    # nothing saved was lost or changed
    after = games.store.get(aid)
    assert (after.month, after.version, after.decision_log, after.pending) == (
        saved.month, saved.version, saved.decision_log, saved.pending)
    assert after.pending["actions"] == [[0, "closer_monitoring"]]
    assert games.open(aid).game.month == 1
    # still there to read: the replay, the finished attempt's debrief, the instructor's view
    assert month_view(db, klass.ann, aid, 1, lambda _id: klass.intro).month == 1
    assert games.debrief(done).index == games.store.get(done).index_share
    assert cr.open_attempt(db, klass.teacher, aid).id == aid
    # listed as withdrawn for whoever may read them; practice is not touched
    mine = cr.my_attempts(db, klass.ann)
    marked = cr.withdrawals(db, klass.ann, mine)
    assert set(marked) == {aid, done} and marked[aid].by == "teacher"
    assert set(cr.withdrawals(db, klass.teacher, mine)) == {aid, done}
    assert cr.withdrawals(db, klass.ben, mine) == {}
    games.end_month(practice, 0)
    assert games.store.get(practice).month == 1


def test_a_move_that_races_the_withdrawal_is_not_saved(klass):
    """Withdrawn between the move's check and its save: the save refuses in the same
    transaction, and the game that ran ahead in memory is dropped, not kept as live."""
    from training.attempts import AttemptWithdrawn

    db, games = klass.db, klass.games
    aid = cr.start_assignment(db, klass.ann, games, klass.assignment.id).attempt.id
    games.end_month(aid, 0)
    checked = games.store.withdrawal
    games.store.withdrawal = lambda attempt: None  # the check ran before the withdrawal
    try:
        cr.withdraw_assignment(db, klass.teacher, klass.assignment.id)
        with pytest.raises(AttemptWithdrawn):
            games.end_month(aid, 1)
    finally:
        games.store.withdrawal = checked
    assert games.store.get(aid).month == 1
    assert games.open(aid).game.month == 1  # replayed from what was saved


def test_what_was_withdrawn_can_be_assigned_again_for_the_same_window(klass):
    db, a = klass.db, klass.assignment
    with pytest.raises(cr.ClassroomError, match="already_assigned"):
        cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id, a.opens_at,
                       a.closes_at)
    cr.withdraw_assignment(db, klass.teacher, a.id)
    again = cr.assign_case(db, klass.teacher, klass.cohort.id, klass.version.id, a.opens_at,
                           a.closes_at)
    assert [x.id for x in cr.list_assignments(db, klass.teacher, klass.cohort.id)] == [again.id]
    assert [x.id for _, x in cr.my_assignments(db, klass.ann)] == [again.id]
    live = cr.start_assignment(db, klass.ann, klass.games, again.id)
    assert live.attempt.assignment_id == again.id
    lesson = cr.assign_lesson(db, klass.teacher, klass.cohort.id, "early-warning", a.opens_at,
                              a.closes_at)
    cr.withdraw_assignment(db, klass.admin, lesson.id)  # an admin may, too
    cr.assign_lesson(db, klass.teacher, klass.cohort.id, "early-warning", a.opens_at,
                     a.closes_at)


def test_only_the_cohorts_instructors_and_admins_withdraw(klass):
    db, cid, a = klass.db, klass.cohort.id, klass.assignment
    for user in (klass.ann, klass.ben, klass.outsider, klass.other_teacher, klass.manager, None):
        with pytest.raises(Forbidden):
            cr.withdraw_assignment(db, user, a.id)
        with pytest.raises(Forbidden):
            cr.withdrawn_assignments(db, user, cid)
    assert [x.id for x in cr.list_assignments(db, klass.teacher, cid)] == [a.id]
    with pytest.raises(cr.ClassroomError, match="no_such_assignment"):
        cr.withdraw_assignment(db, klass.teacher, 999_999)


def test_only_the_cohorts_instructors_and_admins_remove_members(klass):
    db, cid = klass.db, klass.cohort.id
    for user in (klass.ann, klass.ben, klass.outsider, klass.other_teacher, klass.manager, None):
        for member in (klass.ann, klass.ben, klass.teacher):
            with pytest.raises(Forbidden):
                cr.remove_member(db, user, cid, member.id)
    assert {m.username for m in cr.members(db, klass.teacher, cid)} == {"teacher", "ann", "ben"}
    cr.remove_member(db, klass.admin, cid, klass.ben.id)
    assert {m.username for m in cr.members(db, klass.teacher, cid)} == {"teacher", "ann"}


def test_a_removed_trainee_keeps_their_attempts_and_leaves_the_cohorts_lists(klass):
    """A trainee enrolled in the wrong cohort could not be taken out: they saw its work,
    its ranking counted them and its instructor read their attempts."""
    db, cid, a = klass.db, klass.cohort.id, klass.assignment
    ann_live = cr.start_assignment(db, klass.ann, klass.games, a.id)
    _play_to_end(klass.games, ann_live.attempt.id)
    ben_live = cr.start_assignment(db, klass.ben, klass.games, a.id)
    _play_to_end(klass.games, ben_live.attempt.id)

    removed = cr.remove_member(db, klass.teacher, cid, klass.ann.id)
    assert (removed.username, removed.cohort_role) == ("ann", CohortRole.TRAINEE)
    assert {m.username for m in cr.members(db, klass.teacher, cid)} == {"teacher", "ben"}
    assert cr.my_assignments(db, klass.ann) == []
    assert cid not in [c.id for c in cr.list_cohorts(db, klass.ann)]
    with pytest.raises(Forbidden):
        cr.start_assignment(db, klass.ann, klass.games, a.id)
    # her attempt is still hers; the cohort's instructor no longer reads it, an admin does
    assert [x.id for x in cr.my_attempts(db, klass.ann)] == [ann_live.attempt.id]
    assert cr.open_attempt(db, klass.ann, ann_live.attempt.id, Action.PLAY_ATTEMPT)
    with pytest.raises(Forbidden):
        cr.open_attempt(db, klass.teacher, ann_live.attempt.id)
    assert cr.open_attempt(db, klass.admin, ann_live.attempt.id)
    # the ranking and the dashboard count the cohort's members only
    assert [r.is_you for r in cr.ranking(db, klass.ben, a.id)] == [True]
    res = dash.cohort_results(db, klass.teacher, cid)
    assert set(res.completion["trainee"]) == set(res.attempts["trainee"]) == {"Ben"}
    with pytest.raises(cr.ClassroomError, match="not_a_member"):
        cr.remove_member(db, klass.teacher, cid, klass.ann.id)
    # enrolled again (the mistake was the removal), her work counts again
    cr.enrol(db, klass.teacher, cid, "ann")
    res = dash.cohort_results(db, klass.teacher, cid)
    assert set(res.attempts["trainee"]) == {"Ann", "Ben"}


def test_a_cohort_always_keeps_an_instructor(klass):
    db, cid = klass.db, klass.cohort.id
    for who in (klass.teacher, klass.admin):
        with pytest.raises(cr.ClassroomError, match="last_instructor") as err:
            cr.remove_member(db, who, cid, klass.teacher.id)
        assert err.value.detail == {"name": "teacher"}
    assert "teacher" in {m.username for m in cr.members(db, klass.teacher, cid)}  # rolled back
    cr.enrol(db, klass.teacher, cid, "other-teacher", CohortRole.INSTRUCTOR)
    cr.remove_member(db, klass.teacher, cid, klass.teacher.id)  # leaves it to a colleague
    with pytest.raises(Forbidden):
        cr.members(db, klass.teacher, cid)
    assert cr.teaching_cohorts(db, klass.teacher) == []
    with pytest.raises(cr.ClassroomError, match="last_instructor"):
        cr.remove_member(db, klass.other_teacher, cid, klass.other_teacher.id)
    assert {m.username for m in cr.members(db, klass.other_teacher, cid)} == {
        "other-teacher", "ann", "ben"}


def test_an_instructor_gives_a_trainee_of_the_cohort_a_new_password(klass):
    """A trainee who forgot a password in class could be helped only by an administrator.
    The cohort's instructor makes a one-time password for a trainee of the cohort; the
    trainee's sessions end and the new password signs in. Nobody else's password, and
    nobody outside the cohort's instructors and admins, can do it."""
    from training import accounts

    db, cid = klass.db, klass.cohort.id
    token = accounts.open_session(db, klass.ann)
    member, password = cr.new_password(db, klass.teacher, cid, klass.ann.id)
    assert member.username == "ann" and len(password) >= accounts.MIN_PASSWORD_CHARS
    assert accounts.user_for_session(db, token) is None
    assert accounts.authenticate(db, "ann", password).username == "ann"
    with pytest.raises(accounts.AccountError):
        accounts.authenticate(db, "ann", PW)
    # the instructor's own place in the cohort, and a person outside it: refused
    with pytest.raises(cr.ClassroomError) as err:
        cr.new_password(db, klass.teacher, cid, klass.teacher.id)
    assert err.value.key == "classroom.password_not_a_trainee"
    with pytest.raises(cr.ClassroomError):
        cr.new_password(db, klass.teacher, cid, klass.outsider.id)
    for user in (klass.ben, klass.other_teacher, klass.manager, None):
        with pytest.raises(Forbidden):
            cr.new_password(db, user, cid, klass.ben.id)
    assert accounts.authenticate(db, "ben", PW).username == "ben"  # untouched
    assert cr.new_password(db, klass.admin, cid, klass.ben.id)[0].username == "ben"
