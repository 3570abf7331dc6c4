"""Who may do what (权限): one rule per action, used by every service and page.

``can(user, action, obj, db)`` answers; ``require(...)`` raises ``Forbidden`` with a
catalogue key the page shows as it is. ``user`` None is an anonymous visitor.

- an attempt opens for its owner, the instructors of a cohort the owner is enrolled in
  as a trainee, and admins; an anonymous self-study attempt only for anonymous play
  while self-study is on (and admins); it is played by its owner only, and not at all
  once the assignment it was played under was withdrawn (it stays open to read);
- only instructors and admins author or publish cases and run cohorts;
- a cohort's dashboard is for its instructors and admins; its anonymised ranking also
  for its trainees;
- only managers and admins see the strategy lab; only admins manage accounts;
- a paired role play (training.pairs) opens for its two players, the instructors of its
  cohort and admins; each side's moves only for that side's player; each side's hidden
  brief card only for that side's player, the cohort's instructors and admins.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from training.accounts import User, self_study_enabled
from training.attempts import Withdrawal, withdrawal
from training.db import Database, session_scope
from training.models import CohortRole, EnrolmentRow, Role


class Action(enum.StrEnum):
    OPEN_ATTEMPT = "open_attempt"
    PLAY_ATTEMPT = "play_attempt"  # make moves in it: the owner only
    SELF_STUDY = "self_study"
    AUTHOR_CASE = "author_case"
    PUBLISH_CASE = "publish_case"
    CREATE_COHORT = "create_cohort"
    MANAGE_COHORT = "manage_cohort"  # enrol, assign, read the dashboard and export
    VIEW_RANKING = "view_ranking"
    STRATEGY_LAB = "strategy_lab"
    MANAGE_USERS = "manage_users"
    VIEW_PAIR = "view_pair"  # read a paired role play's transcript
    PLAY_PAIR_OFFICER = "play_pair_officer"
    PLAY_PAIR_BORROWER = "play_pair_borrower"
    OFFICER_BRIEF = "officer_brief"  # the officer's card (the setting)
    BORROWER_BRIEF = "borrower_brief"  # the borrower's hidden card and hidden state


ROLES_FOR = {
    Action.AUTHOR_CASE: {Role.INSTRUCTOR, Role.ADMIN},
    Action.PUBLISH_CASE: {Role.INSTRUCTOR, Role.ADMIN},
    Action.CREATE_COHORT: {Role.INSTRUCTOR, Role.ADMIN},
    Action.STRATEGY_LAB: {Role.MANAGER, Role.ADMIN},
    Action.MANAGE_USERS: {Role.ADMIN},
}


class Forbidden(PermissionError):
    """Not allowed; ``key`` names the catalogue message that says so plainly."""

    def __init__(self, key: str = "authz.forbidden", **detail: object):
        self.key = key
        self.detail = detail
        super().__init__(key)


def has_role(user: User | None, *roles: Role) -> bool:
    return user is not None and user.role in roles


def require_role(user: User | None, *roles: Role) -> User:
    """The user, if signed in with one of ``roles``; Forbidden otherwise."""
    if user is None:
        raise Forbidden("authz.sign_in_first")
    if user.role not in roles:
        raise Forbidden("authz.role_needed", roles=", ".join(r.value for r in roles))
    return user


def cohort_role(s: Session, user_id: int, cohort_id: int) -> CohortRole | None:
    value = s.scalar(select(EnrolmentRow.cohort_role).where(
        EnrolmentRow.user_id == user_id, EnrolmentRow.cohort_id == cohort_id))
    return CohortRole(value) if value else None


def instructs(s: Session, instructor_id: int, trainee_id: int) -> bool:
    """Whether the instructor teaches a cohort in which the trainee is enrolled as a trainee."""
    teacher, learner = aliased(EnrolmentRow), aliased(EnrolmentRow)
    q = (select(teacher.id)
         .join(learner, learner.cohort_id == teacher.cohort_id)
         .where(teacher.user_id == instructor_id,
                teacher.cohort_role == CohortRole.INSTRUCTOR.value,
                learner.user_id == trainee_id,
                learner.cohort_role == CohortRole.TRAINEE.value)
         .limit(1))
    return s.scalar(q) is not None


def can(user: User | None, action: Action, obj: Any = None,
        db: Session | Database | None = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``obj``: an Attempt, or a cohort id)."""
    action = Action(action)
    if action in ROLES_FOR:
        return has_role(user, *ROLES_FOR[action])
    if action is Action.SELF_STUDY:
        return user is None and self_study_enabled(db)
    if action in (Action.OPEN_ATTEMPT, Action.PLAY_ATTEMPT):
        return _attempt_allowed(user, action, obj, db)
    if action in PAIR_ACTIONS:
        return _pair_allowed(user, action, obj, db)
    if action in (Action.MANAGE_COHORT, Action.VIEW_RANKING):
        if user is None or obj is None:
            return False
        if user.role is Role.ADMIN:
            return True
        with session_scope(db) as s:
            role = cohort_role(s, user.id, int(obj))
        if action is Action.MANAGE_COHORT:
            return role is CohortRole.INSTRUCTOR and user.role is Role.INSTRUCTOR
        return role is not None
    return False


def _attempt_allowed(user: User | None, action: Action, attempt: Any,
                     db: Session | Database | None) -> bool:
    if attempt is None:
        return False
    owner = attempt.user_id
    if owner is None:  # anonymous self-study, apart from every class
        if user is None:
            return self_study_enabled(db)
        return action is Action.OPEN_ATTEMPT and user.role is Role.ADMIN
    if user is None:
        return False
    if user.id == owner:
        return action is Action.OPEN_ATTEMPT or _withdrawal(attempt, db) is None
    if action is Action.PLAY_ATTEMPT:
        return False
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.INSTRUCTOR:
        with session_scope(db) as s:
            return instructs(s, user.id, owner)
    return False


def _withdrawal(attempt: Any, db: Session | Database | None) -> Withdrawal | None:
    with session_scope(db) as s:
        return withdrawal(s, getattr(attempt, "assignment_id", None))


PAIR_ACTIONS = (Action.VIEW_PAIR, Action.PLAY_PAIR_OFFICER, Action.PLAY_PAIR_BORROWER,
                Action.OFFICER_BRIEF, Action.BORROWER_BRIEF)


def _pair_allowed(user: User | None, action: Action, pair: Any,
                  db: Session | Database | None) -> bool:
    """``pair``: anything with ``cohort_id``, ``officer_id`` and ``borrower_id``."""
    if pair is None or user is None:
        return False
    if action is Action.PLAY_PAIR_OFFICER:
        return user.id == pair.officer_id
    if action is Action.PLAY_PAIR_BORROWER:
        return user.id == pair.borrower_id
    side = {Action.OFFICER_BRIEF: pair.officer_id, Action.BORROWER_BRIEF: pair.borrower_id}
    if action in side and user.id == side[action]:
        return True
    if action is Action.VIEW_PAIR and user.id in (pair.officer_id, pair.borrower_id):
        return True
    if user.role is Role.ADMIN:
        return True
    return can(user, Action.MANAGE_COHORT, pair.cohort_id, db)


def require(user: User | None, action: Action, obj: Any = None,
            db: Session | Database | None = None) -> None:
    """Raise Forbidden, with the plain reason, unless ``can(user, action, obj)``."""
    if can(user, action, obj, db):
        return
    action = Action(action)
    if action is Action.PLAY_ATTEMPT and user is not None and obj is not None \
            and obj.user_id == user.id:
        taken_back = _withdrawal(obj, db)
        if taken_back is not None:  # theirs, but taken back: say who did it and when
            raise Forbidden("attempt.withdrawn", by=taken_back.by, at=taken_back.at)
    if action in (Action.OPEN_ATTEMPT, Action.PLAY_ATTEMPT):
        raise Forbidden("authz.not_your_attempt")
    if action in PAIR_ACTIONS:
        raise Forbidden("pairs.not_yours")
    if user is None:
        raise Forbidden("authz.sign_in_first")
    if action in ROLES_FOR:
        raise Forbidden("authz.role_needed",
                        roles=", ".join(sorted(r.value for r in ROLES_FOR[action])))
    raise Forbidden("authz.forbidden")
