"""``bianque db ...``, ``bianque admin create`` and ``bianque user ...``: the operator's commands.

The first administrator is made here; there is no default account. The password is
prompted for twice (not echoed), or read from an environment variable
(BIANQUE_ADMIN_PASSWORD by default) for automated set-up; it is never an argument,
where it would be left in the shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from training import accounts
from training.db import (
    Database,
    current_revision,
    database_url,
    head_revision,
    normalise_url,
)
from training.i18n import t

EXIT_OK = 0
EXIT_BAD_INPUT = 2
PASSWORD_ENV = "BIANQUE_ADMIN_PASSWORD"


def _url(args: argparse.Namespace) -> str:
    return normalise_url(args.url or database_url())


def _db(args: argparse.Namespace, migrate: bool = True) -> Database:
    return Database(_url(args), migrate=migrate)


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL at all: shown as typed, less any password
        return url.split("@")[-1]


def _source(args: argparse.Namespace) -> str:
    """Where the database URL came from, as the operator set it."""
    if getattr(args, "url", None):
        return "--url"
    return next((v for v in ("DATABASE_URL", "BIANQUE_DB") if os.environ.get(v)),
                t("cli.admin.default_path", args.lang))


def _error(args: argparse.Namespace, key: str, **params: object) -> int:
    """One line on stderr as argparse writes its errors ('bianque: error: ...', or
    'bianque：错误：...'), in the command's --lang; returns the exit code of bad input."""
    print(t("cli.error", args.lang, prog="bianque",
            message=t(f"cli.admin.{key}", args.lang, **params)), file=sys.stderr)
    return EXIT_BAD_INPUT


def _guarded(cmd):
    """An operator command whose database cannot be opened (a mistyped URL, a folder that
    does not exist, a server that does not answer, a database without its driver) says so,
    naming where the URL came from, and exits 2: it printed SQLAlchemy's traceback."""
    import functools

    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    @functools.wraps(cmd)
    def run(args: argparse.Namespace) -> int:
        try:
            return cmd(args)
        except (ArgumentError, NoSuchModuleError, OperationalError, ImportError) as exc:
            # ImportError: a scheme SQLAlchemy knows whose driver is not installed (mysql://)
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            url = getattr(args, "url", None) or database_url()
            return _error(args, "cannot_open", source=_source(args), where=_where(url),
                          reason=reason)
    return run


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    db = _db(args)
    print(t("cli.admin.at_revision", args.lang, where=_where(db.url),
            rev=current_revision(db.engine), head=head_revision()))
    return EXIT_OK


def cmd_db_current(args: argparse.Namespace) -> int:
    db = _db(args, migrate=False)
    rev = current_revision(db.engine) or t("cli.admin.no_revision", args.lang)
    print(t("cli.admin.revision", args.lang, where=_where(db.url), rev=rev,
            head=head_revision()))
    return EXIT_OK


def cmd_db_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the SQLite database in FILE while the app runs (SQLite's online
    backup, which also takes what the write-ahead log holds: a plain file copy can miss
    it), checked after. PostgreSQL is backed up with its own pg_dump."""
    from sqlalchemy.engine import URL, make_url

    url = make_url(_url(args))
    if url.get_backend_name() != "sqlite":
        # without the password: pg_dump asks for it (or reads PGPASSWORD)
        target = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                            database=url.database, query=url.query).render_as_string()
        return _error(args, "backup_not_sqlite", source=_source(args), where=_where(str(url)),
                      backend=url.get_backend_name(), file=args.file, target=target)
    source = Path(url.database or "")
    if not url.database or url.database == ":memory:" or not source.is_file():
        return _error(args, "backup_no_file", source=_source(args), where=_where(str(url)))
    out = Path(args.file)
    if out.resolve() == source.resolve():
        return _error(args, "backup_is_database", out=out)
    if out.exists() and not args.force:
        return _error(args, "backup_exists", out=out)
    if not out.parent.is_dir():
        return _error(args, "backup_no_folder", out=out, folder=out.parent)
    import sqlite3

    try:
        summary = backup_sqlite(source, out, args.lang)
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        return _error(args, "backup_failed", source=source, out=out, reason=exc)
    print(t("cli.admin.backed_up", args.lang, source=source, out=out, summary=summary))
    return EXIT_OK


def backup_sqlite(source: Path, out: Path, lang: str = "en") -> str:
    """Copy the SQLite database ``source`` to ``out`` with SQLite's online backup (a
    snapshot of a database in use: readers and writers go on meanwhile), written to a
    temporary file first and moved into place once it checks out; returns what the copy
    holds (schema revision, accounts, attempts)."""
    import sqlite3
    import tempfile

    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise RuntimeError(t("cli.admin.copy_bad", lang, result=ok))
            summary = _holds(dst, lang)
        finally:
            dst.close()
            src.close()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return summary


def _holds(conn, lang: str = "en") -> str:
    """What a copy of the training database holds, in a line."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    rev = conn.execute("SELECT version_num FROM alembic_version").fetchone() \
        if "alembic_version" in tables else None
    counts = [t(f"cli.admin.holds_{name}", lang,
                n=conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0])
              for name in ("users", "attempts") if name in tables]
    revision = t("cli.admin.holds_revision", lang,
                 rev=rev[0] if rev else t("cli.admin.holds_none", lang))
    return t("cli.admin.list_sep", lang).join([revision, *counts])


def _password(args: argparse.Namespace, nothing: str = "nothing_created") -> str | None:
    """The password from the environment variable, or asked twice in a terminal; None (said
    why) when there is none. ``nothing`` names what was then not done (cli.admin.<key>)."""
    env = args.password_env or PASSWORD_ENV
    value = os.environ.get(env)
    if value:
        return value
    lang = args.lang
    if not sys.stdin.isatty():
        print(t("cli.admin.no_password", lang, env=env), file=sys.stderr)
        return None
    first = getpass.getpass(t("cli.admin.prompt", lang))
    if first != getpass.getpass(t("cli.admin.prompt_again", lang)):
        print(t("cli.admin.passwords_differ", lang,
                nothing=t(f"cli.admin.{nothing}", lang)), file=sys.stderr)
        return None
    return first


def _create(args: argparse.Namespace, role: str) -> int:
    try:
        accounts.check_username(args.username)
        accounts.parse_role(role)
    except accounts.AccountError as err:
        print(_message(err, args.lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    password = _password(args)
    if password is None:
        return EXIT_BAD_INPUT
    try:
        user = accounts.create_user(_db(args), args.username, password, role,
                                    display_name=args.name or "", email=args.email)
    except accounts.AccountError as err:
        print(_message(err, args.lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(t("cli.admin.created", args.lang, role=_role(user.role.value, args.lang),
            username=user.username))
    return EXIT_OK


def _message(err: accounts.AccountError, lang: str) -> str:
    return t(err.key, lang, **err.detail)


def _role(role: str, lang: str) -> str:
    """A role as the command line names it (admin) in English, as the app does in Chinese."""
    return role if lang == "en" else t(f"role.{role}", lang)


def cmd_admin_create(args: argparse.Namespace) -> int:
    return _create(args, "admin")


def cmd_user_add(args: argparse.Namespace) -> int:
    return _create(args, args.role)


def cmd_user_role(args: argparse.Namespace) -> int:
    try:
        user = accounts.set_role(_db(args), args.username, args.role)
    except accounts.AccountError as err:
        print(_message(err, args.lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(t("cli.admin.role_now", args.lang, username=user.username,
            role=_role(user.role.value, args.lang)))
    return EXIT_OK


def cmd_user_password(args: argparse.Namespace) -> int:
    """A new password for an account; its open sessions end."""
    try:
        accounts.check_username(args.username)
    except accounts.AccountError as err:
        print(_message(err, args.lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    password = _password(args, "password_unchanged")
    if password is None:
        return EXIT_BAD_INPUT
    try:
        accounts.set_password(_db(args), args.username, password)
    except accounts.AccountError as err:
        print(_message(err, args.lang), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(t("cli.admin.password_set", args.lang,
            username=accounts.normalise_username(args.username)))
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction, lang: str = "en") -> None:
    """db, admin and user; ``lang`` is the language of their parse-time errors (the --lang
    that training.cli.main read from the line before parsing it)."""

    def url_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--url", default=None, metavar="URL",
                       help="database URL (default: DATABASE_URL, BIANQUE_DB or the user data "
                       "directory)")
        p.add_argument("--lang", choices=("en", "zh"), default="en",
                       help="language of the messages (default en)")

    def user_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("username", metavar="USERNAME")
        p.add_argument("--name", default=None, help="display name")
        p.add_argument("--email", default=None)
        p.add_argument("--password-env", default=None, metavar="VAR",
                       help=f"read the password from this environment variable "
                       f"(default {PASSWORD_ENV}); without it, you are asked")
        url_option(p)

    db = sub.add_parser("db", lang=lang,
                        help="the training database: upgrade to the current schema, back up")
    dbsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    p = dbsub.add_parser("upgrade", lang=lang,
                         help="bring the database to the newest schema (migrations)")
    url_option(p)
    p.set_defaults(func=_guarded(cmd_db_upgrade))
    p = dbsub.add_parser("current", lang=lang, help="print the database's schema revision")
    url_option(p)
    p.set_defaults(func=_guarded(cmd_db_current))
    p = dbsub.add_parser("backup", lang=lang,
                         help="copy the SQLite database to FILE, safely while the "
                         "app runs (PostgreSQL: use pg_dump)")
    p.add_argument("file", metavar="FILE", help="the copy to write (a new file)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    url_option(p)
    p.set_defaults(func=_guarded(cmd_db_backup))

    admin = sub.add_parser("admin", lang=lang, help="administrator accounts")
    asub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    p = asub.add_parser("create", lang=lang,
                        help="create an administrator (asks for the password)")
    user_options(p)
    p.set_defaults(func=_guarded(cmd_admin_create))

    user = sub.add_parser("user", lang=lang,
                          help="accounts: add one, change a role, set a new password")
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    p = usub.add_parser("add", lang=lang, help="create an account (asks for the password)")
    user_options(p)
    p.add_argument("--role", default="trainee",
                   help="trainee, instructor, manager or admin (default trainee)")
    p.set_defaults(func=_guarded(cmd_user_add))
    p = usub.add_parser("password", lang=lang,
                        help="set a new password for an account (asks for it); "
                        "its open sessions end")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--password-env", default=None, metavar="VAR",
                   help=f"read the password from this environment variable (default "
                   f"{PASSWORD_ENV}); without it, you are asked")
    url_option(p)
    p.set_defaults(func=_guarded(cmd_user_password))
    p = usub.add_parser("role", lang=lang, help="change an account's role")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("role", metavar="ROLE")
    url_option(p)
    p.set_defaults(func=_guarded(cmd_user_role))
