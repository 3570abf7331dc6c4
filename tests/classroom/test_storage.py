"""Storage on SQLite and PostgreSQL: migrations to head, the schema the models describe,
an attempt saved before migrations existed, and a restart in the middle of an attempt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, inspect

from sim.scenario import load_scenario
from training import db as dbmod
from training.attempts import STATUS_FINISHED, AttemptStore, LiveGames
from training.models import Base

ROOT = Path(__file__).resolve().parents[2]

OLD_DB = ROOT / "tests" / "data" / "attempts_before_migrations.db"
TABLES = {"users", "sign_in_failures", "sessions", "cohorts", "enrolments", "case_versions",
          "case_drafts", "lab_forms",
          "assignments", "attempts", "quiz_answers", "session_grants", "pair_talks", "pair_moves",
          "alembic_version"}


def intro():
    return load_scenario(ROOT / "scenarios" / "intro.yaml")


def games(url: str | None = None) -> LiveGames:
    sc = intro()
    return LiveGames(AttemptStore(url), lambda _id: sc)


def test_empty_database_upgrades_to_head_with_every_table(db_url):
    db = dbmod.Database(db_url)
    assert dbmod.current_revision(db.engine) == dbmod.head_revision()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    dbmod.upgrade(db.engine)  # a second upgrade is a no-op, not an error
    assert dbmod.current_revision(db.engine) == dbmod.head_revision()


def test_models_and_migrations_describe_the_same_schema(database):
    with database.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []


def _todays_attempts_table(metadata: MetaData) -> Table:
    """The attempts table exactly as the app created it before migrations (create_all)."""
    return Table(
        "attempts", metadata,
        Column("id", String(32), primary_key=True),
        Column("scenario_id", String(64), nullable=False, index=True),
        Column("scenario_hash", String(64), nullable=False),
        Column("seed", Integer, nullable=False),
        Column("decision_log", JSON, nullable=False),
        Column("pending", JSON, nullable=True),
        Column("status", String(16), nullable=False, index=True),
        Column("month", Integer, nullable=False),
        Column("horizon", Integer, nullable=False),
        Column("version", Integer, nullable=False),
        Column("created", DateTime(timezone=True), nullable=False),
        Column("updated", DateTime(timezone=True), nullable=False),
    )


def test_todays_schema_with_a_saved_attempt_upgrades_and_the_attempt_still_plays(db_url):
    """A database from before migrations keeps its attempt: same log, same month, playable."""
    sc = intro()
    legacy = dbmod.make_engine(db_url)
    table = _todays_attempts_table(MetaData())
    table.metadata.create_all(legacy)
    game_log = games_log_of_two_months()
    ts = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with legacy.begin() as c:
        c.execute(table.insert().values(
            id="abc123def456", scenario_id="intro", scenario_hash=sc.content_hash(),
            seed=sc.seed, decision_log=game_log, pending=None, status="active", month=2,
            horizon=sc.horizon_months, version=3, created=ts, updated=ts))
    legacy.dispose()

    lg = games(db_url)
    att = lg.store.get("abc123def456")
    assert att is not None and att.month == 2 and att.decision_log == game_log
    assert att.user_id is None  # old attempts are anonymous self-study
    live = lg.open("abc123def456")
    assert live.game.month == 2
    lg.end_month("abc123def456", 2)
    assert lg.store.get("abc123def456").month == 3


def games_log_of_two_months() -> list[dict]:
    from training.desk import Desk as Game

    g = Game(intro())
    g.queue(0, "closer_monitoring")
    g.end_month(expected_month=0)
    g.end_month(expected_month=1)
    return json.loads(json.dumps(g.decision_log))


def test_sqlite_file_written_by_the_app_before_migrations_upgrades(tmp_path, monkeypatch):
    """The real file the previous app version wrote (two months played, one action pending)."""
    path = tmp_path / "old.db"
    shutil.copy(OLD_DB, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    lg = games(url)
    att = lg.store.get("f517715ca96f")
    assert att.month == 2 and len(att.decision_log) == 2
    live = lg.open(att.id)
    assert live.game.month == 2
    assert [(q.loan_id, q.action_id) for q in live.game.queued] == [(3, "closer_monitoring")]
    assert dbmod.current_revision(lg.store.engine) == dbmod.head_revision()
    dbmod.forget_databases()


def _play(lg: LiveGames, aid: str, months: range) -> None:
    for m in months:
        g = lg.open(aid).game
        loan = next(i for i in range(len(g.loans())) if any(
            o.id == "closer_monitoring" and o.available for o in g.options(i)))
        lg.queue(aid, loan, "closer_monitoring")
        lg.end_month(aid, m)


RESUME = """
import json, sys
from sim.scenario import load_scenario
from training.attempts import AttemptStore, LiveGames
sc = load_scenario(sys.argv[1])
lg = LiveGames(AttemptStore(), lambda _id: sc)
live = lg.open(sys.argv[2])
print(json.dumps({"month": live.game.month, "log": live.game.decision_log,
                  "queued": [[q.loan_id, q.action_id] for q in live.game.queued]}))
"""


def test_restart_mid_attempt_continues_at_month_three_with_the_same_decisions(db_url):
    lg = games(db_url)
    live = lg.start(intro())
    aid = live.attempt.id
    _play(lg, aid, range(3))
    lg.queue(aid, 1, "closer_monitoring")  # queued in month 3, not yet ended
    log_before = json.loads(json.dumps(lg.open(aid).game.decision_log))
    dbmod.forget_databases()  # the server goes away

    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", RESUME, str(ROOT / "scenarios" / "intro.yaml"),
                          aid], capture_output=True, text=True, env=env, timeout=120, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["month"] == 3
    assert seen["log"] == log_before
    assert seen["queued"] == [[1, "closer_monitoring"]]

    # and a new engine in this process plays on from there, to the end
    lg2 = games(db_url)
    assert lg2.open(aid).game.month == 3
    for m in range(3, lg2.open(aid).game.horizon):
        lg2.end_month(aid, m)
    att = lg2.store.get(aid)
    assert att.status == STATUS_FINISHED and att.finished_at is not None
    assert att.result is not None and "index" in att.result
    assert att.decision_log[:3] == log_before


def test_attempts_are_listed_by_owner_only(database):
    from training.accounts import create_user

    alice = create_user(database, "alice", "alice-password-1")
    store = AttemptStore(db=database)
    sc = intro()
    mine = store.create(sc, user_id=alice.id)
    anon = store.create(sc)
    assert [a.id for a in store.recent("intro", user_id=alice.id)] == [mine.id]
    assert [a.id for a in store.recent("intro", user_id=None)] == [anon.id]


@pytest.mark.parametrize("given, expected", [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
])
def test_postgresql_urls_use_psycopg_3(given, expected, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", given)
    assert dbmod.database_url() == expected


def test_default_sqlite_file_is_in_the_user_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BIANQUE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path))
    url = dbmod.database_url()
    assert url.startswith("sqlite:///") and url.endswith("bianque.db")
    assert str(ROOT) not in url


MIGRATE = """
import sys
from training import db
db.upgrade(db.make_engine(sys.argv[1]))
print(db.current_revision(db.make_engine(sys.argv[1])))
"""


def test_processes_starting_together_on_a_new_sqlite_file_all_migrate_it(tmp_path):
    """Two app servers (or a server and its lab workers) opening a fresh SQLite file at
    the same moment: one migrates, the others wait and find the schema at head."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE, url], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
        assert out.strip() == dbmod.head_revision()
    engine = dbmod.make_engine(url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_a_database_with_assignments_gains_withdrawal_and_keeps_them_live(db_url):
    """Migration 0007 on a database in use (revision 0006, a cohort with an assignment):
    the assignment is still assigned afterwards, and it can then be withdrawn."""
    from sqlalchemy import text

    from sim.scenario import parse_scenario
    from training import accounts
    from training import classroom as cr
    from training.models import Role

    old = dbmod.Database(db_url, migrate=False)
    dbmod.upgrade(old.engine, "0006")
    intro = (ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8")
    ts = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with old.engine.begin() as c:  # as version 0006 of the app wrote them (a later model
        # has columns this schema lacks: create_user, create_cohort, enrol and
        # publish_case are not the 0006 code)
        user = ("INSERT INTO users (username, display_name, role, active, created_at) "
                "VALUES (:n, '', :r, :a, :o) RETURNING id")
        teacher_id = c.execute(text(user), {"n": "teacher", "r": Role.INSTRUCTOR.value,
                                            "a": True, "o": ts}).scalar_one()
        ann_id = c.execute(text(user), {"n": "ann", "r": Role.TRAINEE.value, "a": True,
                                        "o": ts}).scalar_one()
        cohort_id = c.execute(text(
            "INSERT INTO cohorts (name, description, created_by, created_at, archived) "
            "VALUES ('Class A', '', :u, :o, :a) RETURNING id"),
            {"u": teacher_id, "o": ts, "a": False}).scalar_one()
        for uid, role in ((teacher_id, "instructor"), (ann_id, "trainee")):
            c.execute(text("INSERT INTO enrolments (cohort_id, user_id, cohort_role, "
                           "enrolled_at) VALUES (:c, :u, :r, :o)"),
                      {"c": cohort_id, "u": uid, "r": role, "o": ts})
        version_id = c.execute(text(
            "INSERT INTO case_versions (scenario_id, version, content_hash, content, "
            "published_by, published_at) VALUES ('intro', 1, :h, :t, :u, :o) RETURNING id"),
            {"h": parse_scenario(intro).content_hash(), "t": intro, "u": teacher_id,
             "o": ts}).scalar_one()
        c.execute(text("INSERT INTO assignments (cohort_id, kind, case_version_id, opens_at, "
                       "closes_at, created_by, created_at) VALUES (:c, 'case', :v, :o, :e, :u, :o)"),
                  {"c": cohort_id, "v": version_id, "o": ts, "e": datetime(2027, 1, 1, tzinfo=UTC),
                   "u": teacher_id})
    old.engine.dispose()

    db = dbmod.Database(db_url)
    teacher = accounts.user_by_name(db, "teacher")
    assert dbmod.current_revision(db.engine) == dbmod.head_revision()
    columns = {c["name"] for c in inspect(db.engine).get_columns("assignments")}
    assert {"withdrawn_at", "withdrawn_by"} <= columns
    [kept] = cr.list_assignments(db, teacher, cohort_id)
    assert not kept.withdrawn and kept.opens_at == ts
    assert cr.withdraw_assignment(db, teacher, kept.id).withdrawn
    assert cr.list_assignments(db, teacher, cohort_id) == []
    db.engine.dispose()


def test_accounts_gain_a_kept_language_and_lose_it_again_on_downgrade(db_url):
    """Migration 0011 on a database in use (revision 0010, an account): the account is
    still there, with no language kept (it opens in the default, as before), and can keep
    one; downgraded to 0010 the column goes and the account stays."""
    from alembic import command
    from sqlalchemy import text

    from training import accounts

    old = dbmod.Database(db_url, migrate=False)
    dbmod.upgrade(old.engine, "0010")
    ts = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with old.engine.begin() as c:  # as version 0010 of the app wrote it
        c.execute(text("INSERT INTO users (username, display_name, role, active, created_at) "
                       "VALUES ('ann', 'Ann', 'trainee', :t, :o)"), {"t": True, "o": ts})
    old.engine.dispose()

    db = dbmod.Database(db_url)
    assert dbmod.current_revision(db.engine) == dbmod.head_revision()
    ann = accounts.user_by_name(db, "ann")
    assert ann is not None and accounts.language_of(db, ann.id) is None
    accounts.set_language(db, ann.id, "en")
    assert accounts.language_of(db, ann.id) == "en"

    with db.engine.begin() as conn:
        command.downgrade(dbmod.alembic_config(conn), "0010")
    assert "lang" not in {c["name"] for c in inspect(db.engine).get_columns("users")}
    with db.engine.connect() as c:
        assert c.execute(text("SELECT username FROM users")).scalars().all() == ["ann"]
    dbmod.upgrade(db.engine)
    assert accounts.language_of(db, ann.id) is None
    db.engine.dispose()


def test_a_row_read_for_update_is_not_changed_by_another_session_before_the_write(database):
    """Two instructors change one class at the same moment, each reading the row
    ``with_for_update`` and writing it back: the second waits for the first, so neither
    change is lost. On SQLite too: there the read takes the database's write lock (SQLite
    has no row locks), where pysqlite alone would read outside any transaction."""
    import threading
    import time

    from training.models import CohortRow

    with database.session() as s:
        row = CohortRow(name="Monday", description="", created_at=dbmod.now())
        s.add(row)
        s.flush()
        cohort_id = row.id
    both_read = threading.Barrier(2, timeout=5)
    errors: list[BaseException] = []

    def add_note(note: str, first: bool) -> None:
        try:
            if not first:
                both_read.wait()  # the first holds the row now
            with database.session() as s:
                got = s.get(CohortRow, cohort_id, with_for_update=True)
                if first:
                    both_read.wait()
                    time.sleep(0.3)  # the other tries to read it meanwhile
                got.description = got.description + note
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_note, args=(n, n == "a")) for n in ("a", "b")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    assert not errors, errors
    with database.session() as s:
        assert sorted(s.get(CohortRow, cohort_id).description) == ["a", "b"]
