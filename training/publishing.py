"""Publishing a case (发布案例): freeze a version of its YAML text with its content hash.

Attempts on an assigned case refer to the version they were played on and replay on
its frozen text, so an edit never changes a finished attempt. Only instructors and
admins publish. Publishing text whose content is unchanged returns the latest version
instead of making a copy.

A version published by mistake can be unpublished (撤下): it is marked, not deleted. It
leaves the list of cases to assign and the strategy lab, its assignments say it was taken
back and start no new attempt, and the attempts already started on it go on and keep
their results (they replay on its frozen text). Publishing the same text again puts the
same version back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sim.scenario import Scenario, parse_scenario
from training.accounts import User
from training.authz import Action, require
from training.db import Database, aware, keep_for_user, load_for_user, now, session_scope
from training.models import AssignmentRow, AttemptRow, CaseDraftRow, CaseVersionRow, CohortRow, Role


@dataclass(frozen=True)
class CaseVersion:
    """One published version of a case; ``content`` is the YAML text as published."""

    id: int
    scenario_id: str
    version: int
    content_hash: str
    content: str
    published_by: int | None
    published_at: datetime
    withdrawn_at: datetime | None = None  # set: unpublished (kept for its attempts)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def scenario(self) -> Scenario:
        return _parse(self.content)


class PublishingError(ValueError):
    """A refused publishing step; ``key`` names the catalogue message."""

    def __init__(self, key: str, **detail: object):
        self.key = key
        self.detail = detail
        super().__init__(f"{key} {detail}" if detail else key)


@dataclass(frozen=True)
class UnpublishImpact:
    """What unpublishing a version touches, said before it is done: the cohorts with a live
    assignment of it, and the attempts started on it (still playing, and finished)."""

    cohorts: tuple[str, ...]
    playing: int
    finished: int


def _version(row: CaseVersionRow) -> CaseVersion:
    return CaseVersion(id=row.id, scenario_id=row.scenario_id, version=row.version,
                       content_hash=row.content_hash, content=row.content,
                       published_by=row.published_by, published_at=aware(row.published_at),
                       withdrawn_at=aware(row.withdrawn_at))


@lru_cache(maxsize=64)
def _parse(content: str) -> Scenario:
    return parse_scenario(content, "<published case>")


def published_scenario(content: str) -> Scenario:
    """The scenario of a published text (parsed once per process)."""
    return _parse(content)


def publish_case(session_or_db: Session | Database | None, user: User | None,
                 yaml_text: str) -> CaseVersion:
    """Validate ``yaml_text`` and freeze it as the case's next version.

    Raises ``Forbidden`` unless the user may publish, and ``ScenarioError`` (every
    problem with its field path) when the text is not a valid case.
    """
    require(user, Action.PUBLISH_CASE, db=session_or_db)
    scenario = parse_scenario(yaml_text, "<published case>")
    digest = scenario.content_hash()
    with session_scope(session_or_db) as s:
        latest = s.scalar(select(CaseVersionRow).where(CaseVersionRow.scenario_id == scenario.id)
                          .order_by(CaseVersionRow.version.desc()).limit(1))
        if latest is not None and latest.content_hash == digest:
            if latest.withdrawn_at is not None:  # taken back, now published again
                latest.withdrawn_at, latest.withdrawn_by = None, None
                s.flush()
            return _version(latest)
        number = (latest.version if latest is not None else 0) + 1
        row = CaseVersionRow(scenario_id=scenario.id, version=number, content_hash=digest,
                             content=yaml_text, published_by=user.id, published_at=now())
        s.add(row)
        s.flush()
        return _version(row)


def _withdrawable(s: Session, user: User, version_id: int) -> CaseVersionRow:
    """The version's row, if ``user`` may take it back: the instructor who published it,
    or an admin (it reaches other instructors' classes)."""
    row = s.get(CaseVersionRow, int(version_id))
    if row is None:
        raise PublishingError("publishing.no_such_version", id=version_id)
    if user.role is not Role.ADMIN and row.published_by != user.id:
        raise PublishingError("publishing.not_yours", case=row.scenario_id, version=row.version)
    return row


def unpublish_impact(session_or_db: Session | Database | None, user: User | None,
                     version_id: int) -> UnpublishImpact:
    """What unpublishing the version would touch, for its confirmation."""
    require(user, Action.PUBLISH_CASE, db=session_or_db)
    with session_scope(session_or_db) as s:
        _withdrawable(s, user, version_id)
        cohorts = s.scalars(select(CohortRow.name).join(
            AssignmentRow, AssignmentRow.cohort_id == CohortRow.id).where(
            AssignmentRow.case_version_id == int(version_id),
            AssignmentRow.withdrawn_at.is_(None)).distinct().order_by(CohortRow.name)).all()
        counts = dict(s.execute(select(AttemptRow.status, func.count()).where(
            AttemptRow.case_version_id == int(version_id)).group_by(AttemptRow.status)).all())
    from training.attempts import STATUS_ACTIVE, STATUS_FINISHED

    return UnpublishImpact(tuple(cohorts), counts.get(STATUS_ACTIVE, 0),
                           counts.get(STATUS_FINISHED, 0))


def unpublish_case(session_or_db: Session | Database | None, user: User | None,
                   version_id: int) -> CaseVersion:
    """Take a published version back (a mistake in it): no longer offered to assign or in
    the strategy lab, and no new attempt starts on it; its attempts already started go on
    and keep their results, and its assignments say it was taken back. Marked, not
    deleted: publishing the same text again puts it back."""
    require(user, Action.PUBLISH_CASE, db=session_or_db)
    with session_scope(session_or_db) as s:
        row = _withdrawable(s, user, version_id)
        if row.withdrawn_at is not None:
            raise PublishingError("publishing.already_unpublished", case=row.scenario_id,
                                  version=row.version)
        row.withdrawn_at, row.withdrawn_by = now(), user.id
        s.flush()
        return _version(row)


def list_case_versions(session_or_db: Session | Database | None, user: User | None,
                       scenario_id: str | None = None) -> list[CaseVersion]:
    """Published versions, newest first (of one case, or of all), unpublished ones too
    (marked); for instructors and admins."""
    require(user, Action.AUTHOR_CASE, db=session_or_db)
    q = select(CaseVersionRow).order_by(CaseVersionRow.scenario_id,
                                        CaseVersionRow.version.desc())
    if scenario_id is not None:
        q = q.where(CaseVersionRow.scenario_id == scenario_id)
    with session_scope(session_or_db) as s:
        return [_version(r) for r in s.scalars(q)]


def latest_versions(session_or_db: Session | Database | None, user: User | None
                    ) -> list[CaseVersion]:
    """The newest version of each published case (for assigning); an unpublished version
    is left out, so its case offers the version before it, if any."""
    require(user, Action.AUTHOR_CASE, db=session_or_db)
    return _latest(session_or_db)


def cases_for_lab(session_or_db: Session | Database | None, user: User | None
                  ) -> list[CaseVersion]:
    """The newest version of each published case, for a manager to compare policies on
    the cases the bank's instructors wrote (the strategy lab)."""
    require(user, Action.STRATEGY_LAB, db=session_or_db)
    return _latest(session_or_db)


def _latest(session_or_db: Session | Database | None) -> list[CaseVersion]:
    with session_scope(session_or_db) as s:
        newest = (select(CaseVersionRow.scenario_id, func.max(CaseVersionRow.version).label("v"))
                  .where(CaseVersionRow.withdrawn_at.is_(None))
                  .group_by(CaseVersionRow.scenario_id).subquery())
        q = (select(CaseVersionRow)
             .join(newest, (newest.c.scenario_id == CaseVersionRow.scenario_id)
                   & (newest.c.v == CaseVersionRow.version))
             .order_by(CaseVersionRow.scenario_id))
        return [_version(r) for r in s.scalars(q)]


def get_case_version(session_or_db: Session | Database | None, version_id: int
                     ) -> CaseVersion | None:
    """A version by id, for the layers that already checked the caller's right to it."""
    with session_scope(session_or_db) as s:
        row = s.get(CaseVersionRow, int(version_id))
        return _version(row) if row is not None else None


def scenario_of_version(session_or_db: Session | Database | None, version_id: int) -> Scenario:
    """The frozen scenario of a version (what its attempts replay on)."""
    version = get_case_version(session_or_db, version_id)
    if version is None:
        raise LookupError(f"case version {version_id} does not exist")
    return version.scenario()


MAX_DRAFT_CHARS = 512 * 1024
"""A draft larger than an uploaded case may be is not kept (the upload limit)."""


def save_draft(session_or_db: Session | Database | None, user: User | None, text: str) -> bool:
    """Keep ``text`` as the author's draft (one per user, replaced each time); whether it
    was kept (not for a visitor without the right to author, nor past the size limit)."""
    if user is None or len(text) > MAX_DRAFT_CHARS:
        return False
    require(user, Action.AUTHOR_CASE, db=session_or_db)
    with session_scope(session_or_db) as s:
        keep_for_user(s, CaseDraftRow, user.id, content=text)
    return True


def keep_preview(session_or_db: Session | Database | None, user: User | None, text: str,
                 kept: dict) -> bool:
    """Keep the draft's last teaching preview (training.preview.to_kept) beside it, so a
    reload gives the preview back too; ``text`` is the draft it ran on, kept as the draft
    if there was none. Whether it was kept (as save_draft)."""
    if user is None or len(text) > MAX_DRAFT_CHARS:
        return False
    require(user, Action.AUTHOR_CASE, db=session_or_db)
    with session_scope(session_or_db) as s:
        row = s.get(CaseDraftRow, user.id)
        if row is None:
            s.add(CaseDraftRow(user_id=user.id, content=text, updated_at=now(), preview=kept))
        else:
            row.preview = kept
    return True


def load_preview(session_or_db: Session | Database | None, user: User | None) -> dict | None:
    """The draft's kept preview as stored (training.preview.from_kept reads it), or None."""
    if user is None:
        return None
    require(user, Action.AUTHOR_CASE, db=session_or_db)
    with session_scope(session_or_db) as s:
        row = s.get(CaseDraftRow, user.id)
        return None if row is None else row.preview


def load_draft(session_or_db: Session | Database | None, user: User | None
               ) -> tuple[str, datetime] | None:
    """The author's draft and when it was last changed, or None."""
    if user is None:
        return None
    require(user, Action.AUTHOR_CASE, db=session_or_db)
    with session_scope(session_or_db) as s:
        return load_for_user(s, CaseDraftRow, user.id, "content")
