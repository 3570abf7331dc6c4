"""The instructor's library and class set-up: taking a published case back (unpublish), and
a class list of many new accounts (its passwords hashed on every core, with progress)."""

from __future__ import annotations

import threading

import pytest

from tests.classroom.test_classroom import INTRO_TEXT, Class
from training import accounts, publishing
from training import classroom as cr
from training.accounts import authenticate
from training.attempts import AttemptStore, LiveGames
from training.authz import Forbidden
from training.i18n import t
from training.lessons import load_lesson
from training.models import QuizPhase
from training.publishing import publish_case


@pytest.fixture
def klass(database):
    return Class(database)


# --- a class list of many new accounts ---------------------------------------------------
def test_a_class_list_says_how_far_it_is_and_its_passwords_sign_in(klass):
    """A class list of new accounts froze the page for minutes (each argon2 hash about half
    a second, one after another): the import now reports each password as it is secured,
    for the page's progress bar, and every one-time password it hands out signs in."""
    names = [f"trainee{i:02d}" for i in range(7)]
    data = ("username,name\nann,Ann\n" + "".join(f"{n},{n.title()}\n" for n in names)).encode()
    said: list[tuple[int, int]] = []
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, data,
                              progress=lambda done, total: said.append((done, total)))
    assert sorted(report.created) == names and report.already == ["ann"]
    assert said == [(i, len(names)) for i in range(1, len(names) + 1)]  # one step a password
    for name, password in report.created.items():
        assert authenticate(klass.db, name, password).username == name
    members = {m.username for m in cr.members(klass.db, klass.teacher, klass.cohort.id)}
    assert set(names) <= members


def test_a_class_lists_passwords_are_hashed_at_once_not_one_after_another(klass, monkeypatch):
    """The hashes are made on a pool of the machine's cores. Two hashes must be under way at
    the same moment for either to finish: one after the other, the first would wait alone
    and the import fail."""
    both = threading.Barrier(2, timeout=20)
    real = accounts._one_time_hasher

    class Together:
        def hash(self, password):
            both.wait()  # returns only once another hash has started too
            return real.hash(password)

    monkeypatch.setattr(accounts, "_one_time_hasher", Together())
    monkeypatch.setattr(accounts, "hash_workers", lambda: 2)  # as on a two-core machine
    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id,
                              b"username\ncarl\ndora\n")
    assert sorted(report.created) == ["carl", "dora"] and not report.problems
    monkeypatch.setattr(accounts, "_one_time_hasher", real)
    assert authenticate(klass.db, "dora", report.created["dora"]).username == "dora"


def test_a_class_lists_one_time_passwords_get_a_proper_hash_made_strong_at_sign_in(klass):
    """2,000 new accounts took about 7 minutes at RFC 9106's set (0.2 s a hash, on two
    cores). A class list's machine-made one-time passwords are hashed with an OWASP set
    instead: still argon2id, salted per account, memory-hard (12 MiB, 3 passes), never a
    plain digest; and at the account's first sign-in its hash is made again with the
    default parameters, as every password a person chooses is."""
    from argon2 import Type, extract_parameters

    report = cr.import_roster(klass.db, klass.teacher, klass.cohort.id, b"username\ncarl\ndora\n")
    hashes = {}
    for name in ("carl", "dora"):
        hashes[name] = _stored_hash(klass.db, name)
        made = extract_parameters(hashes[name])
        assert made.type is Type.ID
        assert made.memory_cost >= 12 * 1024 and made.time_cost >= 3  # OWASP's floor
        assert made.salt_len >= 16
    assert hashes["carl"] != hashes["dora"]  # a salt per account

    assert authenticate(klass.db, "carl", report.created["carl"]).username == "carl"
    upgraded = _stored_hash(klass.db, "carl")
    assert upgraded != hashes["carl"] and not accounts._hasher.check_needs_rehash(upgraded)
    assert authenticate(klass.db, "carl", report.created["carl"]).username == "carl"
    assert _stored_hash(klass.db, "dora") == hashes["dora"]  # not signed in yet


def _stored_hash(db, username: str) -> str:
    from sqlalchemy import select

    from training.db import session_scope
    from training.models import UserRow

    with session_scope(db) as s:
        return s.scalar(select(UserRow.password_hash).where(UserRow.username == username))


# --- unpublishing a case ---------------------------------------------------------------------
def test_an_unpublished_case_starts_nothing_new_and_its_started_attempts_go_on(klass):
    """A case published with a mistake could not be taken back. Unpublished, it leaves the
    cases to assign and the lab; its assignment says so and starts no new attempt; an
    attempt already under way goes on to the end and keeps its result; publishing the same
    text again puts it back."""
    db, v = klass.db, klass.version
    started = cr.start_assignment(db, klass.ann, klass.games, klass.assignment.id)
    klass.games.end_month(started.attempt.id, 0)

    gone = publishing.unpublish_case(db, klass.teacher, v.id)
    assert gone.withdrawn and gone.id == v.id
    assert publishing.latest_versions(db, klass.teacher) == []
    assert publishing.cases_for_lab(db, klass.manager) == []
    assert [x.withdrawn for x in publishing.list_case_versions(db, klass.teacher)] == [True]
    [(_, a)] = cr.my_assignments(db, klass.ben)
    assert a.case_withdrawn and not a.withdrawn and not a.is_open()
    assert cr.open_assigned_cases(db, klass.ben) == {}
    with pytest.raises(cr.ClassroomError) as refused:
        cr.start_assignment(db, klass.ben, klass.games, klass.assignment.id)
    assert refused.value.key == "classroom.case_withdrawn"
    for lang in ("en", "zh"):  # said, not a key or a traceback
        assert t("classroom.case_withdrawn", lang, **refused.value.detail) != \
            "classroom.case_withdrawn"

    # Ann's attempt goes on, on the frozen text, to its end, and counts in the class
    fresh = LiveGames(AttemptStore(db=db), lambda _id: klass.intro)  # a restarted server
    live = fresh.open(started.attempt.id)
    for m in range(1, live.game.horizon):
        fresh.end_month(started.attempt.id, m)
    done = cr.open_attempt(db, klass.ann, started.attempt.id)
    assert done.finished and done.case_version_id == v.id
    assert [r.attempts for r in cr.ranking(db, klass.ann, klass.assignment.id)] == [1]

    again = publish_case(db, klass.teacher, INTRO_TEXT)  # the same text: the same version
    assert again.id == v.id and not again.withdrawn
    assert [x.id for x in publishing.latest_versions(db, klass.teacher)] == [v.id]
    assert cr.start_assignment(db, klass.ben, klass.games, klass.assignment.id).attempt


def test_unpublishing_the_newest_version_offers_the_one_before(klass):
    db = klass.db
    v2 = publish_case(db, klass.teacher, INTRO_TEXT.replace("horizon_months: 12",
                                                            "horizon_months: 11"))
    assert [x.id for x in publishing.latest_versions(db, klass.teacher)] == [v2.id]
    publishing.unpublish_case(db, klass.teacher, v2.id)
    assert [x.id for x in publishing.latest_versions(db, klass.teacher)] == [klass.version.id]
    assert cr.start_assignment(db, klass.ann, klass.games, klass.assignment.id).attempt  # v1


def test_only_its_publisher_or_an_admin_unpublishes_a_case_and_is_told_what_it_touches(klass):
    db, v = klass.db, klass.version
    for who in (klass.ann, klass.manager, None):
        with pytest.raises(Forbidden):
            publishing.unpublish_case(db, who, v.id)
    with pytest.raises(publishing.PublishingError) as refused:
        publishing.unpublish_case(db, klass.other_teacher, v.id)  # another's classes too
    assert refused.value.key == "publishing.not_yours"
    cr.start_assignment(db, klass.ann, klass.games, klass.assignment.id)
    impact = publishing.unpublish_impact(db, klass.teacher, v.id)
    assert impact == publishing.UnpublishImpact(("Post-loan class 1",), playing=1, finished=0)
    publishing.unpublish_case(db, klass.admin, v.id)
    with pytest.raises(publishing.PublishingError) as twice:
        publishing.unpublish_case(db, klass.teacher, v.id)
    assert twice.value.key == "publishing.already_unpublished"
    for key in ("publishing.not_yours", "publishing.already_unpublished",
                "publishing.no_such_version"):
        for lang in ("en", "zh"):
            assert t(key, lang, case="intro", version=1, id=9) != key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_instructor_unpublishes_a_case_on_the_page_once_confirmed(db_url, lang):
    """The Publish tab takes a case back: a pick, what it touches, a tick that says what
    happens to the attempts, then the button. The trainee's work page then says the case
    was taken back instead of offering Start, and the case can be published again."""
    from tests.classroom.test_app_classroom import School, app_as, frame_with, ok

    school = School()
    v, a = school.version, school.assignment
    cr.record_quiz(school.db, school.ann, load_lesson("early-warning", "en"),
                   {q.question_id: 0 for q in a.pre_test}, QuizPhase.PRE, a.id)
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    ok(at.selectbox(key="cohort_unpublish_pick").select(v.id).run())
    said = " ".join(i.value for i in at.info)
    assert "Class A" in said  # where it is assigned, before anything is done
    assert at.button(key="cohort_unpublish").disabled  # a pick alone cannot do it
    ok(at.checkbox(key=f"cohort_unpublish_confirm_{v.id}").check().run())
    ok(at.button(key="cohort_unpublish").click().run())
    before, after = t("cohort.unpublished", lang, what="|").split("|")
    assert any(m.value.startswith(before) and m.value.endswith(after) for m in at.success)
    assert publishing.latest_versions(school.db, school.teacher) == []
    assert t("cohort.case_taken_back", lang, what=a.subject_in(lang)) in \
        frame_with(at, t("cohort.col_what", lang))[t("cohort.col_what", lang)].tolist()

    mine = app_as(school.ann, lang=lang)
    mine.switch_page("app_pages/my_attempts.py")
    ok(mine.run())
    assert t("mine.case_withdrawn", lang) in [w.value for w in mine.warning]
    assert not any(b.key == f"start_a{a.id}" for b in mine.button)

    ok(at.button(key=f"cohort_republish_{v.id}").click().run())  # and back
    assert [x.id for x in publishing.latest_versions(school.db, school.teacher)] == [v.id]


def test_a_database_in_use_gains_unpublishing_and_keeps_its_cases_published(db_url):
    """Migration 0010 on a database at 0009 with a published case: the case is still
    published afterwards (offered to assign), and it can then be unpublished."""
    from datetime import UTC, datetime

    from sqlalchemy import inspect, text

    from sim.scenario import parse_scenario
    from training import db as dbmod
    from training.accounts import user_by_name
    from training.models import Role

    old = dbmod.Database(db_url, migrate=False)
    dbmod.upgrade(old.engine, "0009")
    ts = datetime(2026, 12, 1, tzinfo=UTC)
    with old.engine.begin() as c:  # as version 0009 of the app wrote them (create_user
        # is not the 0009 code: users gained a column since)
        teacher_id = c.execute(text(
            "INSERT INTO users (username, display_name, role, active, created_at) "
            "VALUES ('teacher', '', :r, :a, :o) RETURNING id"),
            {"r": Role.INSTRUCTOR.value, "a": True, "o": ts}).scalar_one()
        c.execute(text("INSERT INTO case_versions (scenario_id, version, content_hash, content, "
                       "published_by, published_at) VALUES ('intro', 1, :h, :t, :u, :o)"),
                  {"h": parse_scenario(INTRO_TEXT).content_hash(), "t": INTRO_TEXT,
                   "u": teacher_id, "o": ts})
    old.engine.dispose()

    db = dbmod.Database(db_url)
    teacher = user_by_name(db, "teacher")
    assert dbmod.current_revision(db.engine) == dbmod.head_revision()
    columns = {c["name"] for c in inspect(db.engine).get_columns("case_versions")}
    assert {"withdrawn_at", "withdrawn_by"} <= columns
    [kept] = publishing.latest_versions(db, teacher)
    assert not kept.withdrawn
    assert publishing.unpublish_case(db, teacher, kept.id).withdrawn
    assert publishing.latest_versions(db, teacher) == []
    db.engine.dispose()
