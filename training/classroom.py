"""The classroom services (课堂): cohorts, enrolment, assignments, attempts and quiz answers.

Every function takes the caller (``user``, None for an anonymous visitor) and checks
the role and the owner through ``training.authz`` before it reads or writes; pages call
these, never the tables. Functions take a ``Session`` or a ``Database`` (None: the
process's default database).
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from training.accounts import (
    AccountError,
    User,
    check_username,
    create_user,
    hash_passwords,
    normalise_username,
)
from training.attempts import (
    STATUS_FINISHED,
    Attempt,
    AttemptError,
    LiveGames,
    Withdrawal,
    to_attempt,
    withdrawal,
)
from training.authz import Action, Forbidden, cohort_role, require
from training.db import Database, aware, now, session_scope
from training.models import (  # noqa: F401 - QuizPhase is part of this module's API
    AssignmentKind,
    AssignmentRow,
    AttemptRow,
    CaseVersionRow,
    CohortRole,
    CohortRow,
    EnrolmentRow,
    QuizAnswerRow,
    QuizPhase,
    Role,
    UserRow,
)

DB = Session | Database | None
MAX_ROSTER_BYTES = 512 * 1024  # a class list of a few thousand rows at most
MAX_ROSTER_ROWS = 2000
MAX_DISPLAY_NAME = 128  # what an account keeps of a display name
MAX_TEST_QUESTIONS = 20
"""Questions a pre- or post-test may hold: about a quarter of an hour of a class's time
(Streamlit's picker offers 'select all', which would give every question of every lesson)."""
ROSTER_COLUMNS = ("username", "name", "email")
ROSTER_HEADINGS = {"用户名": "username", "账号": "username", "账户": "username",
                   "姓名": "name", "名字": "name", "邮箱": "email", "电子邮箱": "email",
                   "e-mail": "email", "mail": "email"}
"""Other headings a class list is written with (a Chinese instructor heads the columns in
Chinese): each read as the column it names."""
TEMP_PASSWORD_BYTES = 9  # token_urlsafe(9): 12 characters


class ClassroomError(ValueError):
    """Bad input to a classroom service; ``key`` names the catalogue message."""

    def __init__(self, key: str, **detail: object):
        self.key = key
        self.detail = detail
        super().__init__(f"{key} {detail}" if detail else key)


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    description: str
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True)
class Member:
    user_id: int
    username: str
    display_name: str
    cohort_role: CohortRole

    @property
    def label(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class TestQuestion:
    """A lesson question used in a pre- or post-test."""

    lesson_id: str
    question_id: str


@dataclass(frozen=True)
class Assignment:
    id: int
    cohort_id: int
    kind: AssignmentKind
    case_version_id: int | None
    scenario_id: str | None
    case_version: int | None
    lesson_id: str | None
    opens_at: datetime
    closes_at: datetime
    pre_test: tuple[TestQuestion, ...] = ()
    post_test: tuple[TestQuestion, ...] = ()
    title_zh: str | None = None  # the case's (or lesson's) title, for people
    title_en: str | None = None
    withdrawn_at: datetime | None = None  # set: taken back by an instructor (kept on record)
    case_withdrawn_at: datetime | None = None  # set: its case version was unpublished

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def case_withdrawn(self) -> bool:
        """Its case version was unpublished: attempts started go on, no new one starts."""
        return self.case_withdrawn_at is not None

    def is_open(self, at: datetime | None = None) -> bool:
        """Whether a new attempt may start now (in its window, neither it nor its case
        taken back)."""
        at = at or now()
        return (not self.withdrawn and not self.case_withdrawn
                and self.opens_at <= at <= self.closes_at)

    def pre_test_open(self, at: datetime | None = None) -> bool:
        """Whether its pre-test may still be taken: while the case can still be started
        (before its window opens too). Once it cannot, a pre-test would measure nothing
        before the case, and no longer counts."""
        at = at or now()
        return not self.withdrawn and not self.case_withdrawn and at <= self.closes_at

    @property
    def subject(self) -> str:
        """What is assigned, for tables, in the current language (`subject_in`)."""
        from training.i18n import get_lang

        return self.subject_in(get_lang())

    def subject_in(self, lang: str) -> str:
        """What is assigned: the case's title and its version, or the lesson's title (the
        ids when no title could be read). A picker's labels pass their language: a widget
        may format its options outside the session's run."""
        title = self.title_en if lang == "en" else self.title_zh
        if self.kind is AssignmentKind.CASE:
            return f"{title or self.scenario_id} v{self.case_version}"
        return title or str(self.lesson_id)


@dataclass(frozen=True)
class RosterProblem:
    """A CSV row that was not imported: its line in the file and why. ``whole_file``: the
    file itself could not be read (too big, not UTF-8 text, no usable header), so no row
    was looked at."""

    line: int
    key: str
    detail: dict = field(default_factory=dict)
    whole_file: bool = False


@dataclass
class RosterReport:
    enrolled: list[str] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # new username -> one-time password
    already: list[str] = field(default_factory=list)
    problems: list[RosterProblem] = field(default_factory=list)

    @property
    def unread(self) -> RosterProblem | None:
        """Why the file was not read at all, or None when its rows were."""
        return next((p for p in self.problems if p.whole_file), None)


@dataclass(frozen=True)
class RankingRow:
    """One line of a cohort's anonymised ranking: only the caller's own line is named."""

    rank: int | None  # None: no index to rank by (its future left too little to avoid)
    index_share: float | None
    attempts: int
    is_you: bool


def _cohort(row: CohortRow) -> Cohort:
    return Cohort(id=row.id, name=row.name, description=row.description,
                  created_by=row.created_by, created_at=aware(row.created_at))


def _questions(value: Any) -> tuple[TestQuestion, ...]:
    return tuple(TestQuestion(str(q["lesson_id"]), str(q["question_id"])) for q in value or [])


@lru_cache(maxsize=256)
def _lesson_title(lesson_id: str, lang: str) -> str:
    """A shipped lesson's title, read once per process (not on every page's rerun)."""
    from training.lessons import load_lesson

    return load_lesson(lesson_id, lang).title


def _titles(row: AssignmentRow, version: CaseVersionRow | None) -> tuple[str | None, ...]:
    """(zh, en) title of what is assigned: the published case's, or the lesson's."""
    try:
        if version is not None:
            from training.publishing import published_scenario

            title = published_scenario(version.content).title
            return title.zh, title.en
        if row.lesson_id:
            return tuple(_lesson_title(row.lesson_id, lang) for lang in ("zh", "en"))
    except Exception:  # noqa: BLE001 - a title is for show: the id stands in for it
        pass
    return None, None


def assignment_of(row: AssignmentRow, version: CaseVersionRow | None) -> Assignment:
    title_zh, title_en = _titles(row, version)
    return Assignment(
        title_zh=title_zh, title_en=title_en,
        id=row.id, cohort_id=row.cohort_id, kind=AssignmentKind(row.kind),
        case_version_id=row.case_version_id,
        scenario_id=version.scenario_id if version is not None else None,
        case_version=version.version if version is not None else None,
        lesson_id=row.lesson_id, opens_at=aware(row.opens_at), closes_at=aware(row.closes_at),
        pre_test=_questions(row.pre_test), post_test=_questions(row.post_test),
        withdrawn_at=aware(row.withdrawn_at),
        case_withdrawn_at=aware(version.withdrawn_at) if version is not None else None)


# --- cohorts ---------------------------------------------------------------------------
def create_cohort(db: DB, user: User | None, name: str, description: str = "") -> Cohort:
    """A new cohort; its creator is enrolled as its instructor."""
    require(user, Action.CREATE_COHORT, db=db)
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise ClassroomError("classroom.bad_cohort_name")
    with session_scope(db) as s:
        # cohorts are picked by name: two open ones of one name cannot be told apart
        taken = s.scalars(select(CohortRow.name).where(CohortRow.archived.is_(False))).all()
        if name.casefold() in {n.casefold() for n in taken}:
            raise ClassroomError("classroom.cohort_name_taken", name=name)
        row = CohortRow(name=name, description=(description or "").strip(),
                        created_by=user.id, created_at=now(), archived=False)
        s.add(row)
        s.flush()
        s.add(EnrolmentRow(cohort_id=row.id, user_id=user.id,
                           cohort_role=CohortRole.INSTRUCTOR.value, enrolled_at=now()))
        return _cohort(row)


def list_cohorts(db: DB, user: User | None) -> list[Cohort]:
    """The cohorts the user belongs to (every cohort for an admin)."""
    if user is None:
        return []
    q = select(CohortRow).where(CohortRow.archived.is_(False)).order_by(CohortRow.created_at)
    if user.role is not Role.ADMIN:
        q = q.join(EnrolmentRow, EnrolmentRow.cohort_id == CohortRow.id).where(
            EnrolmentRow.user_id == user.id)
    with session_scope(db) as s:
        return [_cohort(r) for r in s.scalars(q)]


def teaching_cohorts(db: DB, user: User | None) -> list[Cohort]:
    """The cohorts the user may manage."""
    return [c for c in list_cohorts(db, user)
            if _can(user, Action.MANAGE_COHORT, c.id, db)]


def _can(user: User | None, action: Action, obj: Any, db: DB) -> bool:
    try:
        require(user, action, obj, db)
        return True
    except Forbidden:
        return False


def get_cohort(db: DB, user: User | None, cohort_id: int) -> Cohort:
    require(user, Action.VIEW_RANKING, cohort_id, db)
    with session_scope(db) as s:
        row = s.get(CohortRow, int(cohort_id))
        if row is None:
            raise ClassroomError("classroom.no_such_cohort", id=cohort_id)
        return _cohort(row)


def members(db: DB, user: User | None, cohort_id: int) -> list[Member]:
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    return cohort_members(db, cohort_id)


def cohort_members(db: DB, cohort_id: int) -> list[Member]:
    q = (select(UserRow, EnrolmentRow.cohort_role)
         .join(EnrolmentRow, EnrolmentRow.user_id == UserRow.id)
         .where(EnrolmentRow.cohort_id == int(cohort_id))
         .order_by(EnrolmentRow.cohort_role, UserRow.username))
    with session_scope(db) as s:
        return [Member(u.id, u.username, u.display_name, CohortRole(r))
                for u, r in s.execute(q)]


def enrol(db: DB, user: User | None, cohort_id: int, username: str,
          as_role: CohortRole = CohortRole.TRAINEE) -> Member:
    """Enrol an existing account; an instructor place needs an instructor or admin account."""
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    name = normalise_username(username)
    if not name:
        raise ClassroomError("classroom.enrol_username_missing")
    with session_scope(db) as s:
        row = s.scalar(select(UserRow).where(UserRow.username == name))
        if row is None:
            raise ClassroomError("classroom.enrol_no_such_user", username=username)
        if as_role is CohortRole.INSTRUCTOR and row.role not in (Role.INSTRUCTOR, Role.ADMIN):
            raise ClassroomError("classroom.not_an_instructor", username=row.username)
        existing = s.scalar(select(EnrolmentRow).where(EnrolmentRow.cohort_id == int(cohort_id),
                                                       EnrolmentRow.user_id == row.id))
        if existing is None:
            s.add(EnrolmentRow(cohort_id=int(cohort_id), user_id=row.id,
                               cohort_role=as_role.value, enrolled_at=now()))
        return Member(row.id, row.username, row.display_name,
                      CohortRole(existing.cohort_role) if existing else as_role)


def _enrolment(s: Session, cohort_id: int, user_id: int) -> tuple[EnrolmentRow, UserRow, Member]:
    """A member's enrolment row, account row and Member; not a member: ClassroomError."""
    found = s.execute(select(EnrolmentRow, UserRow)
                      .join(UserRow, UserRow.id == EnrolmentRow.user_id)
                      .where(EnrolmentRow.cohort_id == int(cohort_id),
                             EnrolmentRow.user_id == int(user_id))).first()
    if found is None:
        raise ClassroomError("classroom.not_a_member", id=user_id)
    enrolment, who = found
    return enrolment, who, Member(who.id, who.username, who.display_name,
                                  CohortRole(enrolment.cohort_role))


def remove_member(db: DB, user: User | None, cohort_id: int, user_id: int) -> Member:
    """Take a member out of a cohort (a trainee enrolled in the wrong one, an instructor who
    no longer teaches it). Their attempts and answers stay theirs; the cohort's lists,
    ranking and dashboard stop counting them, and its instructors stop seeing their work.
    A cohort always keeps an instructor: removing its last one is refused."""
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    with session_scope(db) as s:
        # PostgreSQL: removals in one cohort wait for each other, so two instructors
        # removing each other cannot both see the other one stay (SQLite: the whole database,
        # training.db._sqlite_lock_for_update)
        if s.get(CohortRow, int(cohort_id), with_for_update=True) is None:
            raise ClassroomError("classroom.no_such_cohort", id=cohort_id)
        enrolment, who, member = _enrolment(s, cohort_id, user_id)
        s.delete(enrolment)
        s.flush()
        left = s.scalar(select(EnrolmentRow.id).where(
            EnrolmentRow.cohort_id == int(cohort_id),
            EnrolmentRow.cohort_role == CohortRole.INSTRUCTOR.value).limit(1))
        if left is None:  # raised inside the session: the removal is rolled back
            raise ClassroomError("classroom.last_instructor", name=member.label)
        return member


def new_password(db: DB, user: User | None, cohort_id: int, user_id: int) -> tuple[Member, str]:
    """A new one-time password for a trainee of the cohort, for the instructor to hand over
    in person: a trainee who forgot theirs in class, or whose password from the class list
    was lost before it was handed out. Only a trainee account enrolled as a trainee: an
    instructor's, a manager's or an administrator's password is the administrator's to
    set. The trainee's open sessions end. Returns (the trainee, the password)."""
    from training.accounts import set_password

    require(user, Action.MANAGE_COHORT, cohort_id, db)
    with session_scope(db) as s:
        _enrolment_row, who, member = _enrolment(s, cohort_id, user_id)
        if member.cohort_role is not CohortRole.TRAINEE or who.role != Role.TRAINEE.value:
            raise ClassroomError("classroom.password_not_a_trainee", name=member.label)
    password = secrets.token_urlsafe(TEMP_PASSWORD_BYTES)
    set_password(db, member.username, password)
    return member, password


def import_roster(db: DB, user: User | None, cohort_id: int, data: bytes | str,
                  progress: Callable[[int, int], None] | None = None) -> RosterReport:
    """Enrol the trainees listed in a CSV file (columns: username, name, email).

    Good rows are enrolled; a name without an account gets a new trainee account with a
    one-time password (in the report, shown once). Bad rows are reported with their line
    in the file and the reason, and change nothing. Every row is checked first; then the
    new accounts' one-time passwords are hashed together on the machine's cores (argon2id
    with ``accounts._one_time_hasher``'s parameters, upgraded at their first sign-in:
    2,000 at the default set took about 7 minutes on two cores, about half a minute now),
    with ``progress(done, total)`` called as each is done, and then the rows are enrolled.
    """
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    report = RosterReport()
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_ROSTER_BYTES:
        report.problems.append(RosterProblem(0, "classroom.csv_too_big",
                                             {"kb": MAX_ROSTER_BYTES // 1024}, whole_file=True))
        return report
    from sim.inputs import binary_kind, not_utf8_kind

    kind = binary_kind(raw)  # a workbook renamed .csv, or UTF-16, may decode as UTF-8
    text = None
    try:
        text = raw.decode("utf-8-sig") if kind is None else None
    except UnicodeDecodeError:
        kind = not_utf8_kind(raw)  # GBK (Excel's CSV on a Chinese Windows), or binary
    if text is None or "\x00" in text:  # a zero byte: no text file holds one
        report.problems.append(RosterProblem(
            0, f"classroom.csv_not_utf8_{kind}" if kind else "classroom.csv_not_utf8",
            whole_file=True))
        return report
    delimiter = _roster_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        found = [h.strip() for h in next(reader)]
        if len(found) <= 2 and found[0].lower().startswith("sep="):  # Excel's 'sep=,' line
            found = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        report.problems.append(RosterProblem(1, "classroom.csv_no_header",
                                             {"columns": ", ".join(ROSTER_COLUMNS)},
                                             whole_file=True))
        return report
    header = [ROSTER_HEADINGS.get(h.lower(), h.lower()) for h in found]
    unknown = [f for f, h in zip(found, header, strict=True) if h and h not in ROSTER_COLUMNS]
    if "username" in header and unknown:  # a registrar's list: 学号, 班级, 手机...
        report.problems.append(RosterProblem(
            reader.line_num, "classroom.csv_unknown_columns",
            {"unknown": ", ".join(unknown), "columns": ", ".join(ROSTER_COLUMNS)},
            whole_file=True))
        return report
    if "username" not in header or unknown:
        wide = len(found) == 1 and "，" in found[0]  # typed with a Chinese keyboard's comma
        report.problems.append(RosterProblem(
            1, "classroom.csv_full_width_comma" if wide else "classroom.csv_bad_header",
            {"columns": ", ".join(ROSTER_COLUMNS), "found": ", ".join(found)}, whole_file=True))
        return report
    # every row is read before any is enrolled: a list too long is refused whole, not
    # enrolled up to the limit with the rest left out
    rows: list[tuple[int, int, list[str]]] = []  # first line, last line, values
    broken = None
    while True:
        first = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            broken = RosterProblem(reader.line_num, "classroom.csv_broken", {"error": str(err)})
            break
        if any(v.strip() for v in values):
            rows.append((first, reader.line_num, values))
    if len(rows) > MAX_ROSTER_ROWS:
        report.problems.append(RosterProblem(0, "classroom.csv_too_many",
                                             {"max": MAX_ROSTER_ROWS, "n": len(rows)},
                                             whole_file=True))
        return report
    if not rows and broken is None:  # a header alone: "0 enrolled" in green said nothing
        report.problems.append(RosterProblem(reader.line_num, "classroom.csv_no_rows",
                                             {"columns": ", ".join(found)}, whole_file=True))
        return report
    seen: set[str] = set()
    good: list[_RosterEntry] = []
    for line, last, values in rows:
        if last > line and any("\n" in v for v in values):  # a quote never closed
            report.problems.append(RosterProblem(line, "classroom.csv_open_quote",
                                                 {"last": last}))
            continue
        if len(values) > len(header):
            report.problems.append(RosterProblem(line, "classroom.csv_extra_fields",
                                                 {"n": len(values), "expected": len(header)}))
            continue
        rec = dict(zip(header, [v.strip() for v in values], strict=False))
        if len(header) > 1 and len(values) == 1 and "，" in values[0]:
            report.problems.append(RosterProblem(line, "classroom.csv_full_width_comma",
                                                 {"columns": ", ".join(ROSTER_COLUMNS),
                                                  "found": values[0]}))
            continue
        entry = _roster_row(db, cohort_id, line, rec, seen)
        if isinstance(entry, RosterProblem):
            report.problems.append(entry)
        elif entry.already:
            report.already.append(entry.username)
        else:
            good.append(entry)
    new = [e for e in good if e.new]
    passwords = [secrets.token_urlsafe(TEMP_PASSWORD_BYTES) for _ in new]
    for entry, password, hashed in zip(new, passwords, hash_passwords(passwords, progress),
                                       strict=True):
        entry.password, entry.password_hash = password, hashed
    for entry in good:
        problem = _enrol_entry(db, user, cohort_id, entry, report)
        if problem is not None:
            report.problems.append(problem)
    report.problems.sort(key=lambda p: p.line)
    if broken is not None:
        report.problems.append(broken)
    return report


def _roster_delimiter(text: str) -> str:
    """The column separator of a class list: a comma, or the semicolon or tab Excel saves
    with in some settings, when the header is written with it (and Excel's 'sep=;' line)."""
    lines = text.lstrip("\ufeff").splitlines()
    first = lines[0] if lines else ""
    if first.lower().startswith("sep=") and len(first) in (5, 6):
        return first[4] if first[4] in ",;\t|" else ","
    if "," in first:
        return ","
    for sep in (";", "\t"):
        names = [ROSTER_HEADINGS.get(h.strip().lower(), h.strip().lower())
                 for h in first.split(sep)]
        if len(names) > 1 and "username" in names:
            return sep
    return ","


@dataclass
class _RosterEntry:
    """A class-list row that passed its checks: to enrol, with an account made first when
    ``new`` (its one-time password and hash set once every new account's is made)."""

    line: int
    username: str
    display_name: str
    email: str | None
    new: bool = False
    already: bool = False
    password: str = ""
    password_hash: str = ""


def _roster_row(db: DB, cohort_id: int, line: int, rec: dict,
                seen: set[str]) -> _RosterEntry | RosterProblem:
    """A row checked (nothing written): what to do with it, or why it cannot be enrolled."""
    name = rec.get("username", "")
    if not name:
        return RosterProblem(line, "classroom.csv_no_username")
    try:
        name = check_username(name)
    except AccountError as err:
        return RosterProblem(line, err.key, err.detail)
    if name in seen:
        return RosterProblem(line, "classroom.csv_duplicate", {"username": name})
    seen.add(name)
    if len(rec.get("name", "")) > MAX_DISPLAY_NAME:  # was cut to fit, without a word
        return RosterProblem(line, "classroom.csv_long_name",
                             {"n": len(rec["name"]), "max": MAX_DISPLAY_NAME})
    email = rec.get("email") or None
    if email and ("@" not in email or len(email) > 254):
        return RosterProblem(line, "classroom.csv_bad_email", {"email": email})
    entry = _RosterEntry(line, name, rec.get("name", ""), email)
    with session_scope(db) as s:
        row = s.scalar(select(UserRow).where(UserRow.username == name))
        if row is not None and row.role != Role.TRAINEE.value:
            return RosterProblem(line, "classroom.csv_not_trainee",
                                 {"username": name, "role": row.role})
        entry.new = row is None
        entry.already = row is not None and s.scalar(select(EnrolmentRow.id).where(
            EnrolmentRow.cohort_id == int(cohort_id), EnrolmentRow.user_id == row.id)) is not None
    return entry


def _enrol_entry(db: DB, user: User, cohort_id: int, entry: _RosterEntry,
                 report: RosterReport) -> RosterProblem | None:
    """Make the row's account if it is new, and enrol it; a name taken meanwhile (another
    import of the same list) is that row's problem, not the list's."""
    if entry.new:
        try:
            with session_scope(db) as s:
                create_user(s, entry.username, None, Role.TRAINEE,
                            display_name=entry.display_name, email=entry.email,
                            password_hash=entry.password_hash)
        except AccountError as err:
            return RosterProblem(entry.line, err.key, err.detail)
        report.created[entry.username] = entry.password
    enrol(db, user, cohort_id, entry.username)
    report.enrolled.append(entry.username)
    return None


# --- assignments -----------------------------------------------------------------------
def _check_window(opens_at: datetime, closes_at: datetime) -> tuple[datetime, datetime]:
    opens_at, closes_at = aware(opens_at), aware(closes_at)
    if closes_at <= opens_at:
        raise ClassroomError("classroom.bad_window")
    return opens_at, closes_at


def _check_not_twice(s: Session, cohort_id: int, kind: AssignmentKind, subject: int | str,
                     opens_at: datetime, closes_at: datetime) -> None:
    """Refuse the same case version or lesson given to the same cohort for the same window
    again: a second press of Assign made a twin the trainees saw twice. Another window is
    another sitting, and allowed; a withdrawn assignment does not count, so what was taken
    back can be given again."""
    column = AssignmentRow.case_version_id if kind is AssignmentKind.CASE \
        else AssignmentRow.lesson_id
    for row in s.scalars(select(AssignmentRow).where(
            AssignmentRow.cohort_id == int(cohort_id), AssignmentRow.kind == kind.value,
            column == subject, AssignmentRow.withdrawn_at.is_(None))):
        if aware(row.opens_at) == opens_at and aware(row.closes_at) == closes_at:
            raise ClassroomError("classroom.already_assigned")


def _check_questions(questions: list[TestQuestion] | None, which: str) -> list[dict] | None:
    if not questions:
        return None
    if len(questions) > MAX_TEST_QUESTIONS:
        raise ClassroomError(f"classroom.{which}_too_long", n=len(questions),
                             max=MAX_TEST_QUESTIONS)
    from training.lessons import LESSONS_DIR, load_lesson

    out = []
    for q in questions:
        try:
            lesson = load_lesson(q.lesson_id, "en", LESSONS_DIR)
        except Exception:
            raise ClassroomError("classroom.no_such_lesson", id=q.lesson_id) from None
        if q.question_id not in {x.id for x in lesson.questions}:
            raise ClassroomError("classroom.no_such_question", lesson=q.lesson_id,
                                 question=q.question_id)
        out.append({"lesson_id": q.lesson_id, "question_id": q.question_id})
    return out


def assign_case(db: DB, user: User | None, cohort_id: int, case_version_id: int,
                opens_at: datetime, closes_at: datetime,
                pre_test: list[TestQuestion] | None = None,
                post_test: list[TestQuestion] | None = None) -> Assignment:
    """Give a published case version to a cohort within a window, with optional tests."""
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    opens_at, closes_at = _check_window(opens_at, closes_at)
    pre, post = _check_questions(pre_test, "pre_test"), _check_questions(post_test, "post_test")
    with session_scope(db) as s:
        version = s.get(CaseVersionRow, int(case_version_id))
        if version is None:
            raise ClassroomError("classroom.no_such_version", id=case_version_id)
        _check_not_twice(s, cohort_id, AssignmentKind.CASE, version.id, opens_at, closes_at)
        row = AssignmentRow(cohort_id=int(cohort_id), kind=AssignmentKind.CASE.value,
                            case_version_id=version.id, opens_at=opens_at, closes_at=closes_at,
                            pre_test=pre, post_test=post, created_by=user.id, created_at=now())
        s.add(row)
        s.flush()
        return assignment_of(row, version)


def assign_lesson(db: DB, user: User | None, cohort_id: int, lesson_id: str,
                  opens_at: datetime, closes_at: datetime) -> Assignment:
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    opens_at, closes_at = _check_window(opens_at, closes_at)
    from training.lessons import lesson_ids

    if lesson_id not in lesson_ids("en"):
        raise ClassroomError("classroom.no_such_lesson", id=lesson_id)
    with session_scope(db) as s:
        _check_not_twice(s, cohort_id, AssignmentKind.LESSON, lesson_id, opens_at, closes_at)
        row = AssignmentRow(cohort_id=int(cohort_id), kind=AssignmentKind.LESSON.value,
                            lesson_id=lesson_id, opens_at=opens_at, closes_at=closes_at,
                            created_by=user.id, created_at=now())
        s.add(row)
        s.flush()
        return assignment_of(row, None)


def assignments_query(cohort_ids: list[int], withdrawn: bool = False):
    """The cohorts' assignments with their case versions: the live ones, or (``withdrawn``)
    only the withdrawn ones. Every list of work to do, and every count, reads the live ones."""
    done = AssignmentRow.withdrawn_at.is_not(None) if withdrawn \
        else AssignmentRow.withdrawn_at.is_(None)
    return (select(AssignmentRow, CaseVersionRow)
            .outerjoin(CaseVersionRow, CaseVersionRow.id == AssignmentRow.case_version_id)
            .where(AssignmentRow.cohort_id.in_(cohort_ids), done)
            .order_by(AssignmentRow.opens_at, AssignmentRow.id))


def list_assignments(db: DB, user: User | None, cohort_id: int) -> list[Assignment]:
    """The cohort's assignments, withdrawn ones left out."""
    require(user, Action.VIEW_RANKING, cohort_id, db)
    with session_scope(db) as s:
        return [assignment_of(a, v) for a, v in s.execute(assignments_query([int(cohort_id)]))]


def withdrawn_assignments(db: DB, user: User | None, cohort_id: int) -> list[Assignment]:
    """The cohort's withdrawn assignments, for its instructors' record."""
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    with session_scope(db) as s:
        return [assignment_of(a, v) for a, v in s.execute(
            assignments_query([int(cohort_id)], withdrawn=True))]


def withdraw_assignment(db: DB, user: User | None, assignment_id: int) -> Assignment:
    """Take back an assignment given by mistake (wrong version, window or tests).

    It is marked withdrawn, not deleted: the attempts and test answers already made under
    it stay their trainees' and stay on record, but it is no longer work to do (off My
    work, the dashboard and the exports), cannot be started or paired on, and does not
    block giving the same thing again for the same window."""
    with session_scope(db) as s:
        row = s.get(AssignmentRow, int(assignment_id))
        if row is None:
            raise ClassroomError("classroom.no_such_assignment", id=assignment_id)
        cohort_id = row.cohort_id
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    with session_scope(db) as s:
        row = s.get(AssignmentRow, int(assignment_id), with_for_update=True)
        if row.withdrawn_at is not None:
            raise ClassroomError("classroom.already_withdrawn")
        row.withdrawn_at, row.withdrawn_by = now(), user.id
        s.flush()
        return assignment_of(row, s.get(CaseVersionRow, row.case_version_id)
                             if row.case_version_id is not None else None)


def my_assignments(db: DB, user: User | None) -> list[tuple[Cohort, Assignment]]:
    """The assignments of every cohort the user is a trainee in."""
    if user is None:
        return []
    with session_scope(db) as s:
        cohorts = {c.id: _cohort(c) for c in s.scalars(
            select(CohortRow).join(EnrolmentRow, EnrolmentRow.cohort_id == CohortRow.id)
            .where(EnrolmentRow.user_id == user.id,
                   EnrolmentRow.cohort_role == CohortRole.TRAINEE.value,
                   CohortRow.archived.is_(False)))}
        if not cohorts:
            return []
        return [(cohorts[a.cohort_id], assignment_of(a, v))
                for a, v in s.execute(assignments_query(list(cohorts)))]


def open_assigned_cases(db: DB, user: User | None) -> dict[str, list[str]]:
    """Shipped case id -> the names of the user's cohorts with that case assigned and open
    now. The case library says so on the case: started there, it is practice, outside the
    class (no pre-test, not in the class's results)."""
    out: dict[str, list[str]] = {}
    for cohort, a in my_assignments(db, user):
        if a.kind is AssignmentKind.CASE and a.scenario_id and a.is_open():
            out.setdefault(a.scenario_id, []).append(cohort.name)
    return out


def get_assignment(db: DB, user: User | None, assignment_id: int) -> Assignment:
    with session_scope(db) as s:
        pair = s.execute(select(AssignmentRow, CaseVersionRow)
                         .outerjoin(CaseVersionRow,
                                    CaseVersionRow.id == AssignmentRow.case_version_id)
                         .where(AssignmentRow.id == int(assignment_id))).first()
        if pair is None:
            raise ClassroomError("classroom.no_such_assignment", id=assignment_id)
        assignment = assignment_of(*pair)
    require(user, Action.VIEW_RANKING, assignment.cohort_id, db)
    return assignment


# --- attempts --------------------------------------------------------------------------
def open_attempt(db: DB, user: User | None, attempt_id: str,
                 action: Action = Action.OPEN_ATTEMPT) -> Attempt:
    """The attempt, if the user may open it (or play it, with ``Action.PLAY_ATTEMPT``).

    Raises AttemptError when there is no such attempt and Forbidden when it is not theirs.
    """
    with session_scope(db) as s:
        row = s.get(AttemptRow, attempt_id) if attempt_id and len(attempt_id) <= 32 else None
        attempt = to_attempt(row) if row is not None else None
    if attempt is None:
        raise AttemptError("attempt.not_found", attempt_id)
    require(user, action, attempt, db)
    return attempt


def start_practice(db: DB, user: User | None, games: LiveGames, scenario: Any) -> Any:
    """A practice attempt on a shipped case: the user's own, or anonymous self-study."""
    if user is None:
        require(None, Action.SELF_STUDY, db=db)
    return games.start(scenario, user_id=user.id if user is not None else None)


def start_assignment(db: DB, user: User | None, games: LiveGames, assignment_id: int) -> Any:
    """A trainee's attempt at an assigned case, on the frozen version, inside its window."""
    assignment = get_assignment(db, user, assignment_id)
    with session_scope(db) as s:
        if cohort_role(s, user.id, assignment.cohort_id) is not CohortRole.TRAINEE:
            raise Forbidden("classroom.not_a_trainee_here")
    if assignment.withdrawn:
        raise ClassroomError("classroom.withdrawn")
    if assignment.kind is not AssignmentKind.CASE:
        raise ClassroomError("classroom.not_a_case")
    if assignment.case_withdrawn:  # unpublished: what was started goes on, nothing new
        raise ClassroomError("classroom.case_withdrawn", case=assignment.subject)
    if not assignment.is_open():
        raise ClassroomError("classroom.window_closed",
                             opens=assignment.opens_at.isoformat(timespec="minutes"),
                             closes=assignment.closes_at.isoformat(timespec="minutes"))
    from training.publishing import scenario_of_version

    scenario = scenario_of_version(db, assignment.case_version_id)
    return games.start(scenario, user_id=user.id, assignment_id=assignment.id,
                       case_version_id=assignment.case_version_id)


def my_attempts(db: DB, user: User | None, limit: int = 200) -> list[Attempt]:
    """The user's own attempts, newest first (anonymous self-study: the anonymous ones)."""
    q = select(AttemptRow).order_by(AttemptRow.updated.desc()).limit(limit)
    if user is None:
        require(None, Action.SELF_STUDY, db=db)
        q = q.where(AttemptRow.user_id.is_(None))
    else:
        q = q.where(AttemptRow.user_id == user.id)
    with session_scope(db) as s:
        return [to_attempt(r) for r in s.scalars(q)]


def withdrawals(db: DB, user: User | None, attempts: list[Attempt]) -> dict[str, Withdrawal]:
    """attempt id -> the withdrawal of the assignment it was played under, for those of
    ``attempts`` the user may open whose assignment an instructor took back: a list of
    them shows these as withdrawn, to read, not to continue."""
    out: dict[str, Withdrawal] = {}
    with session_scope(db) as s:
        for assignment_id in {a.assignment_id for a in attempts if a.assignment_id is not None}:
            taken_back = withdrawal(s, assignment_id)
            if taken_back is None:
                continue
            for a in attempts:
                if a.assignment_id == assignment_id and _can(user, Action.OPEN_ATTEMPT, a, db):
                    out[a.id] = taken_back
    return out


def ranking(db: DB, user: User | None, assignment_id: int) -> list[RankingRow]:
    """The cohort's anonymised ranking on one assigned case: the index of the attempt each
    trainee finished first, by its finishing time (attempt ids are random, not in order).
    Every attempt at an assignment plays the case's own seed, so a second try replays the
    same borrowers with hindsight: ranked by the best, a trainee could click through once
    to see who defaults and then top the class; retries are for learning, and the
    instructor's dashboard shows the best beside the first. Equal
    indexes share a rank (1, 1, 3) and a trainee whose first finished attempt has no index
    is unranked (last, rank None): ranked 1 and 2 on no index at all, one read first for
    nothing; only the caller's own row is marked."""
    assignment = get_assignment(db, user, assignment_id)
    first: dict[int, tuple[float | None, int]] = {}
    with session_scope(db) as s:
        trainees = set(s.scalars(select(EnrolmentRow.user_id).where(
            EnrolmentRow.cohort_id == assignment.cohort_id,
            EnrolmentRow.cohort_role == CohortRole.TRAINEE.value)))
        for uid, index in s.execute(select(AttemptRow.user_id, AttemptRow.index_share).where(
                AttemptRow.assignment_id == assignment.id,
                AttemptRow.status == "finished").order_by(
                    AttemptRow.finished_at, AttemptRow.created, AttemptRow.id)):
            if uid not in trainees:
                continue
            kept, n = first.get(uid, (None if index is None else float(index), 0))
            first[uid] = (kept, n + 1)
    # best first; equal indexes (and no index) in the order the trainees joined the system,
    # not in the order the database returned them (PostgreSQL gives no order without one:
    # a classmate was numbered 1 or 2 from one load to the next)
    ordered = sorted(first.items(), key=lambda kv: (
        -(kv[1][0] if kv[1][0] is not None else float("-inf")), kv[0]))
    rows: list[RankingRow] = []
    for i, (uid, (index, n)) in enumerate(ordered):
        if index is None:
            rank = None
        elif rows and rows[-1].index_share == index:
            rank = rows[-1].rank
        else:
            rank = i + 1
        rows.append(RankingRow(rank=rank, index_share=index, attempts=n,
                               is_you=user is not None and uid == user.id))
    return rows


# --- quiz answers ----------------------------------------------------------------------
def record_quiz(db: DB, user: User | None, lesson: Any, answers: dict[str, Any],
                phase: QuizPhase = QuizPhase.LESSON, assignment_id: int | None = None) -> Any:
    """Grade and keep a trainee's answers to a lesson's questions (only those asked).

    A lesson's own quiz may be answered again and again; a question of a pre- or
    post-test is answered once (``record_test``, of which this is the one-lesson case)."""
    from training.lessons import grade

    if user is None:
        raise Forbidden("authz.sign_in_first")
    phase = QuizPhase(phase)
    if phase is not QuizPhase.LESSON:
        if assignment_id is None:
            raise ValueError("a pre- or post-test is answered under its assignment")
        return record_test(db, user, assignment_id, phase, [(lesson, answers)])[0]
    if assignment_id is not None and get_assignment(db, user, assignment_id).withdrawn:
        raise ClassroomError("classroom.withdrawn")  # a page left open since
    result = grade(lesson, {k: v for k, v in answers.items() if v is not None})
    with session_scope(db) as s:
        _add_answers(s, user, assignment_id, phase, lesson, result, set(answers))
    return result


def _add_answers(s: Session, user: User, assignment_id: int | None, phase: QuizPhase,
                 lesson: Any, result: Any, asked: set[str]) -> None:
    for r in result.results:
        if r.question_id not in asked:
            continue
        s.add(QuizAnswerRow(user_id=user.id, assignment_id=assignment_id,
                            lesson_id=lesson.id, question_id=r.question_id,
                            phase=phase.value,
                            chosen=None if r.chosen is None else [int(i) for i in r.chosen],
                            correct=bool(r.correct), answered_at=now()))


def check_test(db: DB, user: User | None, assignment_id: int, phase: QuizPhase,
               at: datetime | None = None) -> Assignment:
    """The assignment, if the user may take its pre- or post-test now; else why not
    (ClassroomError, Forbidden). Withdrawn: nothing is taken under it. The pre-test
    measures what a trainee knew before the case: once the case can no longer be started
    (window closed, case unpublished) it no longer counts. The post-test measures what
    they learned from the case: it waits for an attempt of theirs at it to be finished."""
    if user is None:
        raise Forbidden("authz.sign_in_first")
    phase = QuizPhase(phase)
    assignment = get_assignment(db, user, assignment_id)
    if assignment.withdrawn:
        raise ClassroomError("classroom.withdrawn")  # a test page left open since
    if phase is QuizPhase.PRE and not assignment.pre_test_open(aware(at) if at else None):
        raise ClassroomError("classroom.pre_test_closed")
    if phase is QuizPhase.POST and not case_finished(db, user, assignment.id):
        raise ClassroomError("classroom.post_test_before_case")
    return assignment


def case_finished(db: DB, user: User, assignment_id: int) -> bool:
    """Whether the user has finished an attempt at this assigned case."""
    with session_scope(db) as s:
        return s.scalar(select(AttemptRow.id).where(
            AttemptRow.user_id == user.id, AttemptRow.assignment_id == int(assignment_id),
            AttemptRow.status == STATUS_FINISHED).limit(1)) is not None


def record_test(db: DB, user: User | None, assignment_id: int, phase: QuizPhase,
                parts: list[tuple[Any, dict[str, Any]]]) -> list[Any]:
    """Grade and keep a pre- or post-test: ``parts`` is (lesson, answers) for each lesson
    it asks from. Kept in one transaction, all or nothing: a test over two lessons is not
    left half kept (a database that stopped between them kept the first lesson's answers,
    and the form, then taken, was gone). A test is answered once: a second sending (the
    test left open in another tab and sent again once the score was seen) is refused and
    nothing of it is kept. Returns each part's grade, in order."""
    from training.lessons import grade

    phase = QuizPhase(phase)
    if phase is QuizPhase.LESSON:
        raise ValueError("a lesson's own quiz is kept by record_quiz")
    check_test(db, user, assignment_id, phase)
    graded = [(lesson, grade(lesson, {k: v for k, v in answers.items() if v is not None}),
               set(answers)) for lesson, answers in parts]
    with session_scope(db) as s:
        # two sendings of one test wait for each other (SQLite: the whole database,
        # training.db._sqlite_lock_for_update), so both cannot see the test untaken
        s.get(AssignmentRow, int(assignment_id), with_for_update=True)
        for lesson, _result, asked in graded:
            if s.scalar(select(QuizAnswerRow.id).where(
                    QuizAnswerRow.user_id == user.id,
                    QuizAnswerRow.assignment_id == int(assignment_id),
                    QuizAnswerRow.phase == phase.value,
                    QuizAnswerRow.lesson_id == lesson.id,
                    QuizAnswerRow.question_id.in_(asked)).limit(1)) is not None:
                raise ClassroomError(f"classroom.{phase.value}_test_taken")
        for lesson, result, asked in graded:
            _add_answers(s, user, int(assignment_id), phase, lesson, result, asked)
    return [result for _lesson, result, _asked in graded]


def lesson_answers_query(assignment: Assignment, user_ids: list[int]):
    """The lesson reader's answers to an assigned lesson's quiz, by these users, inside the
    assignment's window: the cohort dashboard's quiz table counts them (and ``lessons_done``
    reads them)."""
    return select(QuizAnswerRow).where(
        QuizAnswerRow.lesson_id == assignment.lesson_id,
        QuizAnswerRow.phase == QuizPhase.LESSON.value,
        QuizAnswerRow.user_id.in_(list(user_ids)),
        QuizAnswerRow.answered_at >= assignment.opens_at,
        QuizAnswerRow.answered_at <= assignment.closes_at)


@lru_cache(maxsize=256)
def lesson_questions(lesson_id: str) -> frozenset[str]:
    """A shipped lesson's question ids (none when its file cannot be read)."""
    from training.lessons import load_lesson

    try:
        return frozenset(q.id for q in load_lesson(lesson_id, "en").questions)
    except Exception:  # noqa: BLE001 - a lesson gone: no question can finish it by tests
        return frozenset()


def lessons_done(s: Session, assignment: Assignment, user_ids: list[int]) -> set[int]:
    """Which of these users finished this lesson assignment; My work and the cohort
    dashboard both read it. Done is either of:

    - the reader's quiz answered inside the window. The reader grades only a whole
      sending, of the questions it shows: those held back for a test the trainee still has
      to take (``held_questions``) are not asked there, so they are not owed there;
    - every question of the lesson answered in a pre- or post-test of the cohort's: the
      held ones count once the test is taken. A lesson whose questions are all in a test
      left its trainee no quiz to answer in the reader; it is done by taking the test,
      whenever that is (the trainee could not answer them before)."""
    user_ids = [int(u) for u in user_ids]
    if assignment.lesson_id is None or not user_ids:
        return set()
    done = set(s.scalars(select(QuizAnswerRow.user_id).distinct().where(
        lesson_answers_query(assignment, user_ids).whereclause)))
    wanted = lesson_questions(assignment.lesson_id)
    if not wanted:
        return done
    tested: dict[int, set[str]] = {}
    for uid, qid in s.execute(
            select(QuizAnswerRow.user_id, QuizAnswerRow.question_id).distinct()
            .join(AssignmentRow, AssignmentRow.id == QuizAnswerRow.assignment_id)
            .where(QuizAnswerRow.lesson_id == assignment.lesson_id,
                   QuizAnswerRow.phase.in_([QuizPhase.PRE.value, QuizPhase.POST.value]),
                   QuizAnswerRow.user_id.in_(user_ids),
                   AssignmentRow.cohort_id == assignment.cohort_id)):
        tested.setdefault(uid, set()).add(qid)
    return done | {uid for uid, qs in tested.items() if wanted <= qs}


def lesson_read(db: DB, user: User, assignment: Assignment) -> bool:
    """Whether the user finished this lesson assignment (``lessons_done``)."""
    with session_scope(db) as s:
        return user.id in lessons_done(s, assignment, [user.id])


def quiz_done(db: DB, user: User, assignment_id: int, phase: QuizPhase) -> bool:
    with session_scope(db) as s:
        return s.scalar(select(QuizAnswerRow.id).where(
            QuizAnswerRow.user_id == user.id, QuizAnswerRow.assignment_id == assignment_id,
            QuizAnswerRow.phase == QuizPhase(phase).value).limit(1)) is not None


def post_test_waiting(db: DB, user: User | None, attempt: Attempt) -> bool:
    """Whether the user still owes the post-test of the assignment this finished attempt of
    theirs was played under: the debrief then says where to take it (My work), so finishing
    the case is not where the trainee stops."""
    if user is None or attempt.assignment_id is None or attempt.user_id != user.id:
        return False
    try:
        assignment = get_assignment(db, user, attempt.assignment_id)
    except (Forbidden, ClassroomError):
        return False
    return bool(assignment.post_test) and not assignment.withdrawn \
        and not quiz_done(db, user, assignment.id, QuizPhase.POST)


def held_questions(db: DB, user: User | None, at: datetime | None = None
                   ) -> dict[str, frozenset[str]]:
    """Lesson id -> the ids of its questions the lesson reader holds back from this user:
    those of a pre- or post-test the user still has to take. The reader shows a quiz's key
    with its explanations, and allows retries, so a trainee who read it first would answer
    the test from the key and the class's learning gain would be recall, not understanding.

    A test is still to take while its assignment (a case, in a cohort the user is a
    trainee of, not archived) is not withdrawn and the user has not answered it, and it
    can still be taken: the pre-test while the case can be started (window not closed,
    case still published); the post-test while the case can be started or the user has an
    attempt under it. Nothing is held from instructors, admins or trainees of other
    classes. An anonymous reader (``user`` None) is held back every question some trainee
    still has to take, by the same rule: the reader is open to anyone, so a trainee who
    signed out, or opened a private window, read the key of their own test there."""
    at = aware(at) if at is not None else now()
    with session_scope(db) as s:
        query = (
            select(AssignmentRow.id, AssignmentRow.pre_test, AssignmentRow.post_test,
                   AssignmentRow.closes_at, CaseVersionRow.withdrawn_at, EnrolmentRow.user_id)
            .join(EnrolmentRow, EnrolmentRow.cohort_id == AssignmentRow.cohort_id)
            .join(CohortRow, CohortRow.id == AssignmentRow.cohort_id)
            .outerjoin(CaseVersionRow, CaseVersionRow.id == AssignmentRow.case_version_id)
            .where(EnrolmentRow.cohort_role == CohortRole.TRAINEE.value,
                   CohortRow.archived.is_(False),
                   AssignmentRow.kind == AssignmentKind.CASE.value,
                   AssignmentRow.withdrawn_at.is_(None)))
        if user is not None:
            query = query.where(EnrolmentRow.user_id == user.id)
        tests = s.execute(query).all()
        if not tests:
            return {}
        ids = sorted({row.id for row in tests})
        whose = [] if user is None else [QuizAnswerRow.user_id == user.id]
        taken = set(s.execute(
            select(QuizAnswerRow.assignment_id, QuizAnswerRow.phase, QuizAnswerRow.user_id)
            .distinct().where(QuizAnswerRow.assignment_id.in_(ids), *whose)))
        whose = [] if user is None else [AttemptRow.user_id == user.id]
        played = set(s.execute(select(AttemptRow.assignment_id, AttemptRow.user_id).where(
            AttemptRow.assignment_id.in_(ids), *whose)))
    held: dict[str, set[str]] = {}
    for aid, pre, post, closes_at, case_withdrawn_at, uid in tests:
        can_start = case_withdrawn_at is None and at <= aware(closes_at)
        for phase, questions, pending in (
                (QuizPhase.PRE, pre, can_start),
                (QuizPhase.POST, post, can_start or (aid, uid) in played)):
            if pending and (aid, phase.value, uid) not in taken:
                for q in _questions(questions):
                    held.setdefault(q.lesson_id, set()).add(q.question_id)
    return {lesson_id: frozenset(qs) for lesson_id, qs in held.items()}


def held_part(held: dict[str, frozenset[str]], lesson_id: str | None) -> str | None:
    """How much of a lesson's quiz the reader holds back (``held``: ``held_questions``):
    "all" (nothing left to answer there: the lesson is done by taking the test, see
    ``lessons_done``), "some" (the rest is answered there), or None."""
    tested = held.get(lesson_id or "", frozenset())
    if not tested:
        return None
    wanted = lesson_questions(lesson_id)
    return "all" if wanted and tested >= wanted else "some"


def test_questions(assignment: Assignment, phase: QuizPhase, lang: str) -> list[tuple[Any, list]]:
    """The lessons and questions of an assignment's pre- or post-test, in the given language
    (English when a lesson has no such language)."""
    from training.lessons import load_lesson

    wanted = assignment.pre_test if QuizPhase(phase) is QuizPhase.PRE else assignment.post_test
    out: list[tuple[Any, list]] = []
    for lesson_id in dict.fromkeys(q.lesson_id for q in wanted):
        try:
            lesson = load_lesson(lesson_id, lang)
        except Exception:
            lesson = load_lesson(lesson_id, "en")
        ids = [q.question_id for q in wanted if q.lesson_id == lesson_id]
        out.append((lesson, [q for q in lesson.questions if q.id in ids]))
    return out
