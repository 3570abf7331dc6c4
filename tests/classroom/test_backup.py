"""`bianque db backup`: a copy of the SQLite database taken while the app has it open,
that opens as the training database with what was in it; refusals that name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from training import accounts
from training import db as dbmod
from training.cli import main
from training.models import Role

PASSWORD = "a-long-password-1"


@pytest.fixture
def live_db(tmp_path, monkeypatch):
    """A SQLite training database in use: an account written and the engine still open
    (what it wrote may still sit in the write-ahead log, not yet in the file)."""
    path = tmp_path / "bianque.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    database = dbmod.get_database()
    accounts.create_user(database, "wang", PASSWORD, Role.INSTRUCTOR, display_name="Wang Li")
    yield path
    dbmod.forget_databases()


def test_a_backup_of_a_database_in_use_opens_with_its_accounts(live_db, tmp_path, capsys):
    copy = tmp_path / "copy.db"
    assert main(["db", "backup", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"to {copy}" in out and "1 accounts" in out and dbmod.head_revision() in out
    restored = dbmod.Database(f"sqlite:///{copy}", migrate=False)
    try:
        assert dbmod.current_revision(restored.engine) == dbmod.head_revision()
        assert accounts.authenticate(restored, "wang", PASSWORD).display_name == "Wang Li"
    finally:
        restored.engine.dispose()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no leftovers


def test_an_existing_file_is_replaced_only_when_asked(live_db, tmp_path, capsys):
    copy = tmp_path / "copy.db"
    copy.write_text("an older backup")
    assert main(["db", "backup", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "exists already" in err and "--force" in err
    assert copy.read_text() == "an older backup"
    assert main(["db", "backup", str(copy), "--force"]) == 0
    assert copy.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize("target, words", [
    ("missing-folder/copy.db", "does not exist"),
    ("bianque.db", "the database itself"),
])
def test_a_target_that_cannot_be_written_is_refused(live_db, tmp_path, monkeypatch, capsys,
                                                    target, words):
    monkeypatch.chdir(tmp_path)
    assert main(["db", "backup", target]) == 2
    assert words in capsys.readouterr().err


def test_no_database_file_is_said_not_created(tmp_path, capsys):
    gone = tmp_path / "nothing-here.db"
    assert main(["db", "backup", str(tmp_path / "copy.db"), "--url", f"sqlite:///{gone}"]) == 2
    assert "no database file" in capsys.readouterr().err
    assert not gone.exists() and not (tmp_path / "copy.db").exists()


def test_postgresql_is_sent_to_pg_dump_without_its_password(tmp_path, capsys):
    url = "postgresql://trainer:s3cret@db.example.com/bianque"
    assert main(["db", "backup", str(tmp_path / "b.dump"), "--url", url]) == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and "postgresql://trainer@db.example.com/bianque" in err
    assert "s3cret" not in err
    assert not Path(tmp_path / "b.dump").exists()
