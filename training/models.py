"""The database schema of the training layer (SQLAlchemy 2 declarative models).

Tables: users (用户), sign-in failures and sessions (for rate limiting and expiry),
cohorts (班级), enrolments, published case versions (案例版本), assignments (作业, a
case or a lesson with a window and optional pre/post tests), attempts (练习记录: the
decision log, the score and the case version played) and quiz answers.

The schema is changed only through the Alembic migrations in
``training/migrations/versions``; ``training.db.upgrade`` brings a database to head.
A test checks that these models and the migrations agree.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Role(enum.StrEnum):
    """An account's role: trainee 学员, instructor 讲师, manager 管理者, admin 管理员."""

    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    MANAGER = "manager"
    ADMIN = "admin"


class CohortRole(enum.StrEnum):
    """What a member does in one cohort."""

    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"


class AssignmentKind(enum.StrEnum):
    CASE = "case"
    LESSON = "lesson"


class QuizPhase(enum.StrEnum):
    """When a question was answered: before the case (pre), after it (post), or in the reader."""

    PRE = "pre"
    POST = "post"
    LESSON = "lesson"


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.TRAINEE.value)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # the language last picked with the app's switch; a new tab opened without ?lang= uses it
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)


class SignInFailureRow(Base):
    """One failed sign-in, by the name typed (known or not), for rate limiting."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SessionRow(Base):
    """A signed-in session; only the SHA-256 of its token is stored.

    The sessions of one sign-in (the browser tab's own and the one kept in the browser's
    cookie) share a ``family_hash``: signing out ends them together.
    """

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    family_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class SessionGrantRow(Base):
    """A one-time, short-lived grant that the browser exchanges for a session of the same
    sign-in in its cookie; only the SHA-256 of the grant is stored."""

    __tablename__ = "session_grants"

    grant_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    session_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CohortRow(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class EnrolmentRow(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id", name="uq_enrolment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_role: Mapped[str] = mapped_column(String(16), default=CohortRole.TRAINEE.value)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CaseVersionRow(Base):
    """A published, frozen case: its YAML text and the scenario's content hash."""

    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "version", name="uq_case_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # set: unpublished (taken back) by an instructor; kept, so its attempts still replay
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class CaseDraftRow(Base):
    """An author's case text as last edited in the app, one per user: a reload, a closed
    tab or an expired session gives it back (publishing freezes a version; this does not)."""

    __tablename__ = "case_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # added by migration 0009: the last teaching preview of the draft, and a run asked
    # for that a reload stopped (training.preview.to_kept)
    preview: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class AssignmentRow(Base):
    """A case version or a lesson given to a cohort, open from ``opens_at`` to ``closes_at``.

    ``pre_test`` and ``post_test`` are lists of ``{"lesson_id", "question_id"}``. A
    withdrawn assignment (撤回) keeps its row, its attempts and its answers for the record;
    ``withdrawn_at`` set means it is no longer work to do and no longer counted.
    """

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(String(16))
    case_version_id: Mapped[int | None] = mapped_column(ForeignKey("case_versions.id"),
                                                        nullable=True)
    lesson_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pre_test: Mapped[list | None] = mapped_column(JSON, nullable=True)
    post_test: Mapped[list | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # added by migration 0007 (withdrawing an assignment)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class AttemptRow(Base):
    """An attempt. ``user_id`` is empty for anonymous self-study on a local install;
    ``assignment_id`` is empty for practice outside a class."""

    __tablename__ = "attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    scenario_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(Integer)
    decision_log: Mapped[list] = mapped_column(JSON, default=list)
    pending: Mapped[dict | None] = mapped_column(JSON, nullable=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    month: Mapped[int] = mapped_column(Integer, default=0)
    horizon: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # added by migration 0002 (the classroom)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"),
                                                      nullable=True, index=True)
    case_version_id: Mapped[int | None] = mapped_column(ForeignKey("case_versions.id"),
                                                        nullable=True)
    index_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class QuizAnswerRow(Base):
    __tablename__ = "quiz_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), nullable=True, index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    phase: Mapped[str] = mapped_column(String(8), default=QuizPhase.LESSON.value)
    chosen: Mapped[list | None] = mapped_column(JSON, nullable=True)  # option indices chosen
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PairStatus(enum.StrEnum):
    """Where a paired role play (对练) stands: paired, talking, over (terms kept), or lapsed
    (the officer's month moved on before the talk ended, so nothing was queued)."""

    PAIRED = "paired"
    TALKING = "talking"
    DONE = "done"
    LAPSED = "lapsed"


class PairSide(enum.StrEnum):
    """Which part a trainee plays in a paired role play."""

    OFFICER = "officer"
    BORROWER = "borrower"


class PairTalkRow(Base):
    """A paired role play: two trainees of a cohort hold one conversation of an assigned
    case, one as the officer (whose attempt the agreed terms go into), one as the borrower.

    ``attempt_id``, ``month``, ``loan_id`` and ``state`` (the borrower's hidden state, as
    the engine held it) are set when the officer opens the meeting; ``result`` keeps what
    the officer's attempt took (queued actions, refusals) when the talk ends."""

    __tablename__ = "pair_talks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"),
                                               index=True)
    roleplay_id: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                             index=True)
    status: Mapped[str] = mapped_column(String(16), default=PairStatus.PAIRED.value)
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("attempts.id"), nullable=True)
    month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    loan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PairMoveRow(Base):
    """One turn of a paired role play: the borrower's line (its index in the node) or the
    officer's choice (its id). ``seq`` numbers the turns; the unique (talk, seq) pair means
    two sessions cannot both take the same turn."""

    __tablename__ = "pair_moves"
    __table_args__ = (UniqueConstraint("talk_id", "seq", name="uq_pair_move"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("pair_talks.id", ondelete="CASCADE"),
                                         index=True)
    seq: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(16))
    node: Mapped[str] = mapped_column(String(64))
    pick: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LabStudyRow(Base):
    """A strategy-lab study as its manager ran it: the inputs that reproduce it (the
    report's ``bianque-inputs``) and every replication's figures and series, so it opens
    again after a reload or a sign-out without running again (training.lab_store)."""

    __tablename__ = "lab_studies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scenario_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict] = mapped_column(JSON)  # the case's title, {"zh": ..., "en": ...}
    labels: Mapped[list] = mapped_column(JSON)  # the strategies asked for, champion first
    reps: Mapped[int] = mapped_column(Integer)
    staff: Mapped[list] = mapped_column(JSON)  # the officer counts swept (empty: none)
    seconds: Mapped[float] = mapped_column(Float)
    inputs: Mapped[dict] = mapped_column(JSON)
    results: Mapped[bytes] = mapped_column(LargeBinary)  # numpy .npz (training.lab_store)


class LabFormRow(Base):
    """A manager's strategy-lab form as last left, one per user (the case, the strategies,
    the rule table edited in the app, replications, seed, staffing, where to run): a
    reload, a closed tab or a sign-out gives it back (training.lab_form)."""

    __tablename__ = "lab_forms"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    form: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
