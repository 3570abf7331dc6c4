"""Accounts (账户): local users with argon2 password hashes, rate-limited sign-in, sessions
that expire, and users from single sign-on (OIDC).

There is no default account and no default password: the first administrator is made
by ``bianque admin create``. Only a SHA-256 of a session token is stored, so a copy of
the database opens no session. A sign-in opens a family of sessions: the browser tab's
own, and the one the browser keeps in its cookie (fetched with a one-time grant, so the
token itself never passes through page scripts or the URL); signing out ends the family. Sign-in failures are counted by the name typed, known
or not, in the database, so every app server sees the same count.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from training.db import Database, aware, now, session_scope
from training.i18n import LANGS
from training.models import Role, SessionGrantRow, SessionRow, SignInFailureRow, UserRow

MAX_FAILURES = 5  # failed sign-ins per name within the window before sign-in is refused
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_IDLE = timedelta(hours=2)  # a session unused this long ends
SESSION_MAX = timedelta(hours=12)  # and none outlives a working day
SEEN_RESOLUTION = timedelta(minutes=1)  # last-seen is written at most this often
GRANT_TTL = timedelta(seconds=60)  # a cookie grant is fetched by the page within seconds
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
"""The sign-in form takes at most this many characters: a longer password could be set
but never typed there again."""
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,63}$")
SELF_STUDY_ENV = "BIANQUE_SELF_STUDY"  # on | off | auto (on while no account exists)

_hasher = PasswordHasher()
"""argon2id with argon2-cffi's default parameters, RFC 9106's second recommended set
(t=3 passes, 64 MiB, 4 lanes: about 0.2-0.5 s a hash here): every password a person
chose, and every password once it has signed in (``authenticate`` hashes it again with
these when it was hashed with others)."""
_one_time_hasher = PasswordHasher(time_cost=3, memory_cost=12 * 1024, parallelism=1)
"""argon2id with one of OWASP's recommended sets (Password Storage Cheat Sheet: m=12 MiB,
t=3, p=1; about 0.02 s a hash here) for the one-time passwords of a class list, made by
the machine (``secrets``, 72 random bits) and never by a person: 2,000 of them at the
default set took about 7 minutes on two cores, at this one about half a minute. Still a
salted, memory-hard hash per account; the cost of the hash is not what keeps 72 random
bits from being guessed. At its first sign-in the account's hash is made again with
``_hasher``'s parameters."""
MAX_HASH_THREADS = 8
"""Hashes made at once at most (each holds its memory while it runs: 12 MiB for a one-time
password)."""
# verified against when the name is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    """A signed-in person, detached from the database."""

    id: int
    username: str
    display_name: str
    role: Role
    email: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username


class AccountError(ValueError):
    """Bad account input or a refused sign-in; ``key`` names the catalogue message."""

    def __init__(self, key: str, **detail: object):
        self.key = key
        self.detail = detail
        super().__init__(f"{key} {detail}" if detail else key)


def _user(row: UserRow) -> User:
    return User(id=row.id, username=row.username, display_name=row.display_name,
                role=Role(row.role), email=row.email)


def normalise_username(username: str) -> str:
    """A username as stored: trimmed, lower case, and typed full-width (ａｌｉｃｅ, a Chinese
    keyboard's full-width mode, with its ideographic spaces) read as the plain letters."""
    return unicodedata.normalize("NFKC", username or "").strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not name:  # "username “” is not valid" named nothing the admin could see
        raise AccountError("accounts.username_empty")
    if not USERNAME_PATTERN.match(name):
        dotted = re.sub(r"\s+", ".", name)
        if dotted != name and USERNAME_PATTERN.match(dotted):  # "zhao lei": say what fits
            raise AccountError("accounts.bad_username_spaces", username=username,
                               suggestion=dotted)
        if any(not c.isascii() and c.isalpha() for c in name):  # 张伟: a name, not a login
            raise AccountError("accounts.bad_username_not_latin", username=username)
        raise AccountError("accounts.bad_username", username=username)
    return name


def check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("accounts.short_password", min=MIN_PASSWORD_CHARS)
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError("accounts.long_password", max=MAX_PASSWORD_CHARS, n=len(password))
    if password.strip() != password or not password.strip():
        raise AccountError("accounts.password_spaces")
    return password


def parse_role(value: str) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        raise AccountError("accounts.bad_role", role=value,
                           roles=", ".join(r.value for r in Role)) from None


def hash_workers() -> int:
    """Threads to hash on: the cores this process may use, at most MAX_HASH_THREADS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_HASH_THREADS))


def hash_passwords(passwords: list[str],
                   progress: Callable[[int, int], None] | None = None) -> list[str]:
    """The argon2id hashes of machine-made one-time ``passwords`` (a class list's), in their
    order, with ``_one_time_hasher``'s parameters, made on a pool of threads, one per core
    (argon2-cffi lets go of the GIL while it hashes). ``progress(done, total)`` is called
    in the caller's thread each time one is done (a page's progress bar)."""
    for password in passwords:
        check_password(password)
    hasher, total = _one_time_hasher, len(passwords)
    hashed: list[str] = [""] * total
    if not total:
        return hashed
    with ThreadPoolExecutor(max_workers=min(hash_workers(), total),
                            thread_name_prefix="argon2") as pool:
        jobs = {pool.submit(hasher.hash, p): i for i, p in enumerate(passwords)}
        for done, job in enumerate(as_completed(jobs), start=1):
            hashed[jobs[job]] = job.result()
            if progress is not None:
                progress(done, total)
    return hashed


def create_user(session_or_db: Session | Database | None, username: str, password: str | None,
                role: Role | str = Role.TRAINEE, display_name: str = "",
                email: str | None = None, password_hash: str | None = None) -> User:
    """A new local account. ``password`` None makes an account that signs in only by SSO;
    ``password_hash`` (from ``hash_passwords``, with ``password`` None) gives it a password
    hashed beforehand, as a class list's accounts are, many at once."""
    name = check_username(username)
    role = parse_role(role)
    hashed = _hasher.hash(check_password(password)) if password is not None else password_hash
    with session_scope(session_or_db) as s:
        if s.scalar(select(UserRow.id).where(UserRow.username == name)) is not None:
            raise AccountError("accounts.exists", username=name)
        row = UserRow(username=name, display_name=(display_name or "").strip()[:128],
                      email=(email or None), role=role.value, password_hash=hashed,
                      active=True, created_at=now())
        s.add(row)
        s.flush()
        return _user(row)


def set_password(session_or_db: Session | Database | None, username: str, password: str) -> None:
    """A new password for an account (an operator's or an administrator's reset: a trainee
    who forgot theirs, a class list's one-time password lost before it was handed out).
    Every session the account has open ends."""
    if not normalise_username(username):
        raise AccountError("accounts.username_empty")
    hashed = _hasher.hash(check_password(password))
    with session_scope(session_or_db) as s:
        row = s.scalar(select(UserRow).where(UserRow.username == normalise_username(username)))
        if row is None:
            raise AccountError("accounts.no_such_user", username=username)
        row.password_hash = hashed
        s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))


def has_password(session_or_db: Session | Database | None, user_id: int) -> bool:
    """Whether the account signs in with a password of its own (not single sign-on only)."""
    with session_scope(session_or_db) as s:
        row = s.get(UserRow, user_id)
        return row is not None and bool(row.password_hash)


def change_password(session_or_db: Session | Database | None, token: str | None,
                    current: str, new: str) -> None:
    """The signed-in user's own new password: the sign-in of ``token`` asks with its
    current password (checked as a sign-in is, wrong tries counted towards the lock-out).
    The new one must be long enough and differ from the current. Every other sign-in of
    the account ends (a class list's one-time password someone else has seen); this one,
    with its browser cookie, goes on."""
    if not new:
        raise AccountError("accounts.new_password_missing")
    with session_scope(session_or_db) as s:
        found = _live_session(s, token)
        if found is None:
            raise AccountError("accounts.session_ended")
        row, user = found
        if not user.password_hash:  # a single-sign-on account: its provider keeps it
            raise AccountError("accounts.password_sso")
        username, family = user.username, row.family_hash or row.token_hash
    if not current:
        raise AccountError("accounts.current_password_missing")
    try:  # checked as a sign-in is: a wrong try counts towards the lock-out
        authenticate(session_or_db, username, current)
    except AccountError as err:
        if err.key == "accounts.bad_credentials":
            raise AccountError("accounts.current_password_wrong") from None
        raise
    if new == current:
        raise AccountError("accounts.password_unchanged")
    hashed = _hasher.hash(check_password(new))
    with session_scope(session_or_db) as s:
        user = s.scalar(select(UserRow).where(UserRow.username == username))
        user.password_hash = hashed
        s.execute(delete(SessionRow).where(
            SessionRow.user_id == user.id,
            func.coalesce(SessionRow.family_hash, SessionRow.token_hash) != family))


def set_role(session_or_db: Session | Database | None, username: str, role: Role | str) -> User:
    role = parse_role(role)
    if not normalise_username(username):
        raise AccountError("accounts.username_empty")
    with session_scope(session_or_db) as s:
        row = s.scalar(select(UserRow).where(UserRow.username == normalise_username(username)))
        if row is None:
            raise AccountError("accounts.no_such_user", username=username)
        if row.role == Role.ADMIN.value and role is not Role.ADMIN and s.scalar(
                select(func.count()).select_from(UserRow)
                .where(UserRow.role == Role.ADMIN.value)) == 1:
            # nobody would be left to manage accounts in the app
            raise AccountError("accounts.last_admin", username=row.username)
        row.role = role.value
        return _user(row)


def language_of(session_or_db: Session | Database | None, user_id: int) -> str | None:
    """The language the user last picked in the app (None: never picked one)."""
    with session_scope(session_or_db) as s:
        lang = s.scalar(select(UserRow.lang).where(UserRow.id == int(user_id)))
    return lang if lang in LANGS else None


def set_language(session_or_db: Session | Database | None, user_id: int, lang: str) -> None:
    """Keep ``lang`` as the user's language (for their next tab, their next day)."""
    if lang not in LANGS:
        raise AccountError("accounts.no_such_language", given=lang, langs=", ".join(LANGS))
    with session_scope(session_or_db) as s:
        s.execute(update(UserRow).where(UserRow.id == int(user_id)).values(lang=lang))


def get_user(session_or_db: Session | Database | None, user_id: int) -> User | None:
    with session_scope(session_or_db) as s:
        row = s.get(UserRow, user_id)
        return _user(row) if row is not None and row.active else None


def user_by_name(session_or_db: Session | Database | None, username: str) -> User | None:
    with session_scope(session_or_db) as s:
        row = s.scalar(select(UserRow).where(UserRow.username == normalise_username(username)))
        return _user(row) if row is not None and row.active else None


def count_users(session_or_db: Session | Database | None) -> int:
    with session_scope(session_or_db) as s:
        return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)


def self_study_enabled(session_or_db: Session | Database | None) -> bool:
    """Anonymous single-player play: on a local install with no accounts, or when the
    operator sets BIANQUE_SELF_STUDY=on; never when it is off."""
    setting = os.environ.get(SELF_STUDY_ENV, "auto").strip().lower()
    if setting in ("on", "1", "true", "yes"):
        return True
    if setting in ("off", "0", "false", "no"):
        return False
    return count_users(session_or_db) == 0


# --- signing in ------------------------------------------------------------------------
def _recent_failures(s: Session, name: str) -> list:
    since = now() - FAILURE_WINDOW
    return [aware(t) for t in s.scalars(
        select(SignInFailureRow.at).where(SignInFailureRow.username == name,
                                          SignInFailureRow.at >= since))]


def authenticate(session_or_db: Session | Database | None, username: str, password: str) -> User:
    """The user whose name and password these are; AccountError otherwise.

    After MAX_FAILURES wrong tries for one name within FAILURE_WINDOW, sign-in for that
    name is refused, right password or not, until the oldest failure leaves the window.
    """
    name = normalise_username(username)[:64]
    if not name:  # a press of Sign in with a box empty is no guess: not counted as one
        raise AccountError("accounts.username_missing")
    if not password:
        raise AccountError("accounts.password_missing")
    # The failure is committed before the error is raised (an error rolls a scope back), so
    # the failure count outlives the refusal even inside a caller's session.
    with session_scope(session_or_db) as s:
        failures = _recent_failures(s, name)
        if len(failures) >= MAX_FAILURES:
            wait = min(failures) + FAILURE_WINDOW - now()
            refused = AccountError("accounts.rate_limited",
                                   minutes=max(1, int(wait.total_seconds() // 60) + 1))
        else:
            refused = None
            row = s.scalar(select(UserRow).where(UserRow.username == name))
            try:
                ok = _hasher.verify(row.password_hash if row is not None and row.password_hash
                                    else _DUMMY_HASH, password or "")
            except (VerificationError, InvalidHashError):
                ok = False
            if not ok or row is None or not row.active or not row.password_hash:
                s.add(SignInFailureRow(username=name, at=now()))
                refused = AccountError("accounts.bad_credentials")
            else:
                if _hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = _hasher.hash(password)
                s.execute(delete(SignInFailureRow).where(SignInFailureRow.username == name))
                row.last_login_at = now()
                user = _user(row)
    if refused is not None:
        raise refused
    return user


def user_for_oidc(session_or_db: Session | Database | None, subject: str, email: str | None,
                  name: str | None, email_verified: bool = False) -> User:
    """The account of a single-sign-on identity (OIDC ``sub``).

    Linked by subject; else, when the provider says the e-mail is verified, to the
    local account with that e-mail and no identity yet; else a new trainee account (an
    admin raises the role). An unverified e-mail never links: anyone can type an
    address into some providers' profiles, and a link would hand them that account.
    """
    subject = (subject or "").strip()
    if not subject:
        raise AccountError("accounts.sso_no_subject")
    email = (email or "").strip()[:254] or None
    with session_scope(session_or_db) as s:
        row = s.scalar(select(UserRow).where(UserRow.oidc_subject == subject))
        if row is None and email and email_verified:
            row = s.scalar(select(UserRow).where(func.lower(UserRow.email) == email.lower(),
                                                 UserRow.oidc_subject.is_(None))
                           .order_by(UserRow.id).limit(1))
            if row is not None:
                row.oidc_subject = subject
        if row is None:
            base = re.sub(r"[^a-z0-9_.\-]", "", (email or subject).split("@")[0].lower())[:48]
            base = base if USERNAME_PATTERN.match(base) else "user"
            candidate, n = base, 1
            while s.scalar(select(UserRow.id).where(UserRow.username == candidate)) is not None:
                n += 1
                candidate = f"{base}{n}"
            row = UserRow(username=candidate, display_name=(name or "").strip()[:128],
                          email=email, role=Role.TRAINEE.value, password_hash=None,
                          oidc_subject=subject, active=True, created_at=now())
            s.add(row)
            s.flush()
        if not row.active:
            raise AccountError("accounts.bad_credentials")
        row.last_login_at = now()
        return _user(row)


# --- sessions --------------------------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session_or_db: Session | Database | None, user: User) -> str:
    """A new sign-in for ``user``: the token of its first session (kept by the app in the
    browser tab's session)."""
    token = secrets.token_urlsafe(32)
    ts = now()
    with session_scope(session_or_db) as s:
        s.add(SessionRow(token_hash=_token_hash(token), user_id=user.id, created_at=ts,
                         last_seen_at=ts, expires_at=ts + SESSION_MAX,
                         family_hash=_token_hash(token)))
    return token


def _live_session(s: Session, token: str | None) -> tuple[SessionRow, UserRow] | None:
    """The session row of ``token`` and its user, when both are live (a dead one is removed)."""
    if not token:
        return None
    row = s.get(SessionRow, _token_hash(token))
    if row is None:
        return None
    ts = now()
    if aware(row.expires_at) <= ts or aware(row.last_seen_at) + SESSION_IDLE <= ts:
        s.delete(row)
        return None
    user = s.get(UserRow, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def user_for_session(session_or_db: Session | Database | None, token: str | None) -> User | None:
    """The user of a live session, or None when it is unknown, idle too long or expired."""
    with session_scope(session_or_db) as s:
        live = _live_session(s, token)
        if live is None:
            return None
        row, user = live
        ts = now()
        if ts - aware(row.last_seen_at) >= SEEN_RESOLUTION:
            # not on every click: one write a minute is enough. The whole sign-in is in
            # use, so a tab kept busy keeps the browser's cookie alive too.
            if row.family_hash:
                s.execute(update(SessionRow).where(SessionRow.family_hash == row.family_hash)
                          .values(last_seen_at=ts))
            else:
                row.last_seen_at = ts
        return _user(user)


def issue_grant(session_or_db: Session | Database | None, token: str | None) -> str | None:
    """A one-time grant, good for GRANT_TTL, that the browser exchanges (``redeem_grant``)
    for a session of the same sign-in as ``token``; None when that session is not live."""
    grant = secrets.token_urlsafe(32)
    ts = now()
    with session_scope(session_or_db) as s:
        live = _live_session(s, token)
        if live is None:
            return None
        row, user = live
        s.execute(delete(SessionGrantRow).where(SessionGrantRow.expires_at <= ts))
        s.add(SessionGrantRow(grant_hash=_token_hash(grant), user_id=user.id,
                              family_hash=row.family_hash or row.token_hash,
                              expires_at=ts + GRANT_TTL,
                              session_expires_at=aware(row.expires_at)))
    return grant


@dataclass(frozen=True)
class GrantedSession:
    """The session a grant was exchanged for: its token and when it ends at the latest."""

    token: str
    expires_at: datetime


def redeem_grant(session_or_db: Session | Database | None,
                 grant: str | None) -> GrantedSession | None:
    """Exchange a grant, once, for a new session of its sign-in. None when the grant is
    unknown, used, expired, or its sign-in has ended meanwhile. The new session ends
    when its sign-in would have: a grant never lengthens a sign-in."""
    if not grant:
        return None
    ts = now()
    with session_scope(session_or_db) as s:
        row = s.get(SessionGrantRow, _token_hash(grant))
        if row is None:
            return None
        s.delete(row)
        family_live = s.scalar(select(func.count()).select_from(SessionRow).where(
            SessionRow.family_hash == row.family_hash, SessionRow.expires_at > ts))
        user = s.get(UserRow, row.user_id)
        if (aware(row.expires_at) <= ts or not family_live or user is None
                or not user.active):
            return None
        token = secrets.token_urlsafe(32)
        expires_at = aware(row.session_expires_at)
        s.add(SessionRow(token_hash=_token_hash(token), user_id=user.id, created_at=ts,
                         last_seen_at=ts, expires_at=expires_at, family_hash=row.family_hash))
    return GrantedSession(token, expires_at)


def close_session(session_or_db: Session | Database | None, token: str | None) -> None:
    """Sign out: end the session of ``token`` and every other session of its sign-in
    (the browser's cookie, other tabs), with any grant not yet fetched."""
    if not token:
        return
    with session_scope(session_or_db) as s:
        row = s.get(SessionRow, _token_hash(token))
        if row is None:
            return
        if row.family_hash:
            s.execute(delete(SessionGrantRow).where(SessionGrantRow.family_hash == row.family_hash))
            s.execute(delete(SessionRow).where(SessionRow.family_hash == row.family_hash))
        s.execute(delete(SessionRow).where(SessionRow.token_hash == row.token_hash))
