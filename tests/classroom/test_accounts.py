"""Accounts: hashed passwords, no default account, rate-limited sign-in, expiring sessions,
single sign-on users; and the operator's ``bianque admin create``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from training import accounts
from training import db as dbmod
from training.accounts import AccountError, authenticate, create_user, set_password
from training.cli import main
from training.models import Role, UserRow

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-password-1"


def test_a_new_database_has_no_account_and_so_no_default_password(database):
    assert accounts.count_users(database) == 0
    with pytest.raises(AccountError):
        authenticate(database, "admin", "admin")


def test_passwords_are_stored_as_argon2_hashes(database):
    create_user(database, "Alice", PASSWORD, Role.INSTRUCTOR, display_name="Alice Wang")
    with database.session() as s:
        row = s.scalar(select(UserRow).where(UserRow.username == "alice"))
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    user = authenticate(database, " ALICE ", PASSWORD)
    assert user.username == "alice" and user.role is Role.INSTRUCTOR


@pytest.mark.parametrize("name, password, key", [
    ("a", PASSWORD, "accounts.bad_username"),
    ("  ", PASSWORD, "accounts.username_empty"),
    ("bob smith", PASSWORD, "accounts.bad_username_spaces"),
    ("张伟", PASSWORD, "accounts.bad_username_not_latin"),
    ("bob", "short", "accounts.short_password"),
    ("bob", "x" * 257, "accounts.long_password"),
    ("bob", " padded-password ", "accounts.password_spaces"),
])
def test_bad_account_input_names_the_problem(database, name, password, key):
    with pytest.raises(AccountError) as err:
        create_user(database, name, password)
    assert err.value.key == key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_username_with_spaces_or_in_chinese_says_what_to_write(database, lang):
    """A class list's 'zhao lei' or '张伟' was "not valid: use 2-64 lower-case letters...":
    now a name with spaces is given the dotted name that fits, and a Chinese name is told
    to be written in Latin letters (pinyin) with the Chinese name in the name column."""
    from training.i18n import t

    with pytest.raises(AccountError) as spaced:
        create_user(database, "Zhao  Lei", PASSWORD)
    assert spaced.value.detail["suggestion"] == "zhao.lei"
    assert "zhao.lei" in t(spaced.value.key, lang, **spaced.value.detail)
    with pytest.raises(AccountError) as chinese:
        create_user(database, "张伟", PASSWORD)
    assert "zhang.wei" in t(chinese.value.key, lang, **chinese.value.detail)


def test_a_password_the_sign_in_form_cannot_take_is_refused(database):
    """An administrator could set a password of 300 characters, which the sign-in form
    (256 at most) could never take again: the account was locked out at once."""
    from training.accounts import MAX_PASSWORD_CHARS

    create_user(database, "bob", "p" * MAX_PASSWORD_CHARS)  # the most the form takes
    with pytest.raises(AccountError) as err:
        set_password(database, "bob", "p" * (MAX_PASSWORD_CHARS + 1))
    assert err.value.key == "accounts.long_password"
    assert authenticate(database, "bob", "p" * MAX_PASSWORD_CHARS).username == "bob"


def test_duplicate_names_and_unknown_roles_are_refused(database):
    create_user(database, "bob", PASSWORD)
    with pytest.raises(AccountError, match="accounts.exists"):
        create_user(database, "BOB", PASSWORD)
    with pytest.raises(AccountError, match="accounts.bad_role"):
        create_user(database, "carol", PASSWORD, role="superuser")
    with pytest.raises(AccountError, match="accounts.username_empty"):  # not 'no account “ ”'
        accounts.set_role(database, " ", Role.MANAGER)
    assert accounts.set_role(database, "ＢＯＢ", Role.MANAGER).role is Role.MANAGER


def test_the_last_admin_is_not_demoted(database):
    """An admin who set their own role to trainee on the Accounts page (or the only admin's
    from the command line) left the app with nobody to manage accounts. The last admin
    keeps the role, with the fix named; with a second admin either may step down."""
    create_user(database, "root", PASSWORD, Role.ADMIN)
    with pytest.raises(AccountError) as err:
        accounts.set_role(database, "root", Role.INSTRUCTOR)
    assert err.value.key == "accounts.last_admin" and err.value.detail == {"username": "root"}
    assert accounts.user_by_name(database, "root").role is Role.ADMIN
    assert accounts.set_role(database, "root", Role.ADMIN).role is Role.ADMIN  # no change
    create_user(database, "ada", PASSWORD, Role.ADMIN)
    assert accounts.set_role(database, "root", Role.INSTRUCTOR).role is Role.INSTRUCTOR
    with pytest.raises(AccountError, match="accounts.last_admin"):
        accounts.set_role(database, "ADA", Role.TRAINEE)


def test_sign_in_is_refused_after_repeated_failures_even_with_the_right_password(database):
    create_user(database, "dave", PASSWORD)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError, match="accounts.bad_credentials"):
            authenticate(database, "dave", "wrong-password")
    with pytest.raises(AccountError) as err:
        authenticate(database, "dave", PASSWORD)
    assert err.value.key == "accounts.rate_limited" and err.value.detail["minutes"] >= 1
    # unknown names are limited the same way, so guessing names gains nothing
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError, match="accounts.bad_credentials"):
            authenticate(database, "nobody-here", "x")
    with pytest.raises(AccountError, match="accounts.rate_limited"):
        authenticate(database, "nobody-here", "x")


def test_an_empty_box_is_named_and_not_counted_as_a_failed_sign_in(database):
    """Sign in pressed with a box empty said "Wrong username or password" and counted a
    failure; a name typed in full-width letters (a Chinese keyboard's mode) was unknown."""
    create_user(database, "fay", PASSWORD)
    for name, password, key in [("", PASSWORD, "accounts.username_missing"),
                                ("\u3000 ", PASSWORD, "accounts.username_missing"),
                                ("fay", "", "accounts.password_missing")]:
        for _ in range(accounts.MAX_FAILURES + 1):
            with pytest.raises(AccountError) as err:
                authenticate(database, name, password)
            assert err.value.key == key
    assert authenticate(database, "ＦＡＹ", PASSWORD).username == "fay"  # not rate-limited


def test_the_limit_lifts_when_the_failures_leave_the_window(database, monkeypatch):
    create_user(database, "erin", PASSWORD)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AccountError):
            authenticate(database, "erin", "wrong-password")
    later = accounts.now() + accounts.FAILURE_WINDOW + timedelta(minutes=1)
    monkeypatch.setattr(accounts, "now", lambda: later)
    assert authenticate(database, "erin", PASSWORD).username == "erin"


def test_sessions_open_close_and_expire(database, monkeypatch):
    user = create_user(database, "fay", PASSWORD)
    token = accounts.open_session(database, user)
    assert accounts.user_for_session(database, token).id == user.id
    assert accounts.user_for_session(database, "forged-token") is None
    start = accounts.now()
    monkeypatch.setattr(accounts, "now", lambda: start + accounts.SESSION_IDLE
                        + timedelta(minutes=1))
    assert accounts.user_for_session(database, token) is None  # idle too long

    monkeypatch.setattr(accounts, "now", lambda: start)
    token = accounts.open_session(database, user)
    # kept busy, it still ends at the maximum age
    t = start
    while t < start + accounts.SESSION_MAX - accounts.SESSION_IDLE:
        t += accounts.SESSION_IDLE / 2
        monkeypatch.setattr(accounts, "now", lambda t=t: t)
        assert accounts.user_for_session(database, token) is not None
    monkeypatch.setattr(accounts, "now", lambda: start + accounts.SESSION_MAX)
    assert accounts.user_for_session(database, token) is None

    monkeypatch.setattr(accounts, "now", lambda: start)
    token = accounts.open_session(database, user)
    accounts.close_session(database, token)
    assert accounts.user_for_session(database, token) is None


def test_a_changed_password_ends_every_session(database):
    user = create_user(database, "gus", PASSWORD)
    token = accounts.open_session(database, user)
    accounts.set_password(database, "gus", "another-password-2")
    assert accounts.user_for_session(database, token) is None


def test_single_sign_on_links_by_email_or_makes_a_trainee(database):
    create_user(database, "hana", PASSWORD, Role.INSTRUCTOR, email="hana@bank.example")
    linked = accounts.user_for_oidc(database, "sub-1", "hana@bank.example", "Hana",
                                    email_verified=True)
    assert linked.username == "hana" and linked.role is Role.INSTRUCTOR
    again = accounts.user_for_oidc(database, "sub-1", "other@bank.example", "Hana")
    assert again.id == linked.id
    new = accounts.user_for_oidc(database, "sub-2", "ivan@bank.example", "Ivan")
    assert new.role is Role.TRAINEE and new.username == "ivan"
    with pytest.raises(AccountError):
        authenticate(database, "ivan", "")


def test_self_study_is_on_until_the_first_account_unless_the_operator_says(database,
                                                                          monkeypatch):
    assert accounts.self_study_enabled(database)
    create_user(database, "jo", PASSWORD)
    assert not accounts.self_study_enabled(database)
    monkeypatch.setenv("BIANQUE_SELF_STUDY", "on")
    assert accounts.self_study_enabled(database)
    monkeypatch.setenv("BIANQUE_SELF_STUDY", "off")
    assert not accounts.self_study_enabled(database)


def test_admin_create_reads_the_password_from_the_environment(db_url, monkeypatch, capsys):
    monkeypatch.setenv("BIANQUE_ADMIN_PASSWORD", PASSWORD)
    assert main(["admin", "create", "root-admin", "--name", "Operator"]) == 0
    assert "created admin root-admin" in capsys.readouterr().out
    assert authenticate(None, "root-admin", PASSWORD).role is Role.ADMIN
    assert main(["admin", "create", "root-admin"]) == 2  # exists: said, not a traceback
    assert "already exists" in capsys.readouterr().err


def test_admin_create_without_a_password_source_exits_2(db_url):
    env = {k: v for k, v in os.environ.items() if k != "BIANQUE_ADMIN_PASSWORD"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-m", "training.cli", "admin", "create", "boss"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 2
    assert "BIANQUE_ADMIN_PASSWORD" in out.stderr and "Traceback" not in out.stderr


def test_admin_create_with_a_short_password_exits_2(db_url, monkeypatch, capsys):
    monkeypatch.setenv("BIANQUE_ADMIN_PASSWORD", "short")
    assert main(["admin", "create", "boss"]) == 2
    assert "too short" in capsys.readouterr().err


def test_db_upgrade_reports_head(db_url, capsys):
    assert main(["db", "upgrade"]) == 0
    head = dbmod.head_revision()
    assert f"at revision {head} (head {head})" in capsys.readouterr().out


def test_user_add_and_role_change_from_the_command_line(db_url, monkeypatch, capsys):
    monkeypatch.setenv("TEACHER_PW", PASSWORD)
    assert main(["user", "add", "wang", "--role", "instructor", "--password-env",
                 "TEACHER_PW"]) == 0
    assert authenticate(None, "wang", PASSWORD).role is Role.INSTRUCTOR
    assert main(["user", "role", "wang", "manager"]) == 0
    assert "wang is now manager" in capsys.readouterr().out
    assert main(["user", "role", "wang", "emperor"]) == 2
    assert main(["user", "role", "nobody", "admin"]) == 2
    err = capsys.readouterr().err
    assert "Unknown role" in err and "no account named" in err
    create_user(None, "root", PASSWORD, Role.ADMIN)
    assert main(["user", "role", "root", "trainee"]) == 2
    assert "the only admin" in capsys.readouterr().err
    assert main(["user", "role", "root", "trainee", "--lang", "zh"]) == 2
    assert "唯一的管理员" in capsys.readouterr().err


def test_user_password_from_the_command_line_sets_a_new_one_and_ends_sessions(
        db_url, monkeypatch, capsys):
    monkeypatch.setenv("NEW_PW", "another-password-3")
    user = create_user(None, "lin", PASSWORD)
    token = accounts.open_session(None, user)
    assert main(["user", "password", "lin", "--password-env", "NEW_PW"]) == 0
    assert "new password set for lin" in capsys.readouterr().out
    assert accounts.user_for_session(None, token) is None
    assert authenticate(None, "lin", "another-password-3").username == "lin"
    assert main(["user", "password", "nobody", "--password-env", "NEW_PW"]) == 2
    assert "no account named" in capsys.readouterr().err
    assert main(["user", "password", " ", "--password-env", "NEW_PW"]) == 2
    assert capsys.readouterr().err.strip()
    monkeypatch.setenv("NEW_PW", "short")
    assert main(["user", "password", "lin", "--password-env", "NEW_PW"]) == 2
    assert "too short" in capsys.readouterr().err
    assert authenticate(None, "lin", "another-password-3").username == "lin"  # unchanged


@pytest.mark.parametrize("argv, source", [
    (["db", "upgrade", "--url", "nonsense://x"], "--url"),
    (["db", "current", "--url", "sqlite:////no/such/folder/b.db"], "--url"),
    (["user", "role", "ann", "manager", "--url", "garbage"], "--url"),
    # a scheme SQLAlchemy knows but whose driver is not installed: it printed the traceback
    # of "ModuleNotFoundError: No module named 'MySQLdb'"
    (["db", "upgrade", "--url", "mysql://bianque@db.example/bianque"], "--url"),
])
def test_a_database_that_cannot_be_opened_is_named_not_a_traceback(capsys, argv, source):
    """A mistyped --url (or DATABASE_URL, BIANQUE_DB) printed SQLAlchemy's traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{source}: cannot open the database at" in err and "sqlite:////" in err
    assert "Traceback" not in err


@pytest.mark.skipif(not os.environ.get("BIANQUE_TEST_PG_URL"),
                    reason="BIANQUE_TEST_PG_URL is not set (.ci/pg.sh sets it)")
def test_a_postgresql_database_that_does_not_exist_is_named_with_its_setting(capsys, monkeypatch):
    """A training centre's DATABASE_URL naming a database not created yet: the setting, the
    server's own reason and a URL to give, not a traceback."""
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["BIANQUE_TEST_PG_URL"]).set(database="no_such_bianque_db")
    monkeypatch.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "DATABASE_URL: cannot open the database at" in err
    assert '"no_such_bianque_db" does not exist' in err and "Traceback" not in err


def test_an_unreachable_database_from_the_environment_is_named(capsys, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("BIANQUE_DB", "/no/such/folder/b.db")
    assert main(["db", "current"]) == 2
    assert "BIANQUE_DB: cannot open the database" in capsys.readouterr().err


def test_a_user_changes_their_own_password_and_their_other_sign_ins_end(database):
    """The account's own change: the current password is checked as a sign-in is (wrong
    tries count towards the lock-out), and the sign-in that asked goes on, with the
    browser cookie's session of the same sign-in; every other sign-in ends."""
    user = create_user(database, "ann", PASSWORD)
    mine = accounts.open_session(database, user)
    cookie = accounts.redeem_grant(database, accounts.issue_grant(database, mine)).token
    elsewhere = accounts.open_session(database, user)
    with pytest.raises(AccountError, match="accounts.current_password_wrong"):
        accounts.change_password(database, mine, "not-my-password", "a-new-password-7")
    with pytest.raises(AccountError, match="accounts.current_password_missing"):
        accounts.change_password(database, mine, "", "a-new-password-7")
    with pytest.raises(AccountError, match="accounts.short_password"):
        accounts.change_password(database, mine, PASSWORD, "short")
    with pytest.raises(AccountError, match="accounts.session_ended"):
        accounts.change_password(database, "no-such-token", PASSWORD, "a-new-password-7")
    assert accounts.user_for_session(database, elsewhere) is not None
    accounts.change_password(database, mine, PASSWORD, "a-new-password-7")
    assert accounts.user_for_session(database, mine) is not None
    assert accounts.user_for_session(database, cookie) is not None
    assert accounts.user_for_session(database, elsewhere) is None
    assert authenticate(database, "ann", "a-new-password-7").id == user.id
    for _ in range(accounts.MAX_FAILURES):  # wrong current passwords lock the name out
        with pytest.raises(AccountError):
            accounts.change_password(database, mine, "guess-password-0", "b-new-password-8")
    with pytest.raises(AccountError, match="accounts.rate_limited"):
        accounts.change_password(database, mine, "a-new-password-7", "b-new-password-8")


def test_a_single_sign_on_account_has_no_password_to_change(database):
    user = accounts.user_for_oidc(database, "sub-1", "ann@bank.example", "Ann")
    assert not accounts.has_password(database, user.id)
    token = accounts.open_session(database, user)
    with pytest.raises(AccountError, match="accounts.password_sso"):
        accounts.change_password(database, token, "anything-at-all", "a-new-password-7")
