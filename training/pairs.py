"""Paired role play (对练): two trainees of a cohort hold one conversation of an assigned case.

An instructor pairs two enrolled trainees on a conversation written for a named borrower
of an assigned case (``create_pair``, or ``pair_class`` for the whole class). One plays
the officer, the other the borrower. The officer opens the meeting from their attempt at
the case (``begin``): the borrower's hidden state is read from that attempt's engine at
that month and kept with the pair. Then the two take turns (``move``): the borrower
player says one of the lines the hidden state permits (the candid one, or an evasion
that reveals nothing: ``sim.conversation.Conversation.permitted_lines``), the officer picks
one of the trainee's choices. Every turn is a row in ``pair_moves``, so two browser
sessions, or two app servers, see the same conversation.

When the talk ends, the meeting and the terms agreed go into the officer's attempt as
that month's queued actions, with the engine's hours and costs, through the same
``LiveGames.meet`` the desk's "meet the borrower" uses; the path and the borrower's lines
go into the decision log with it, so a replay is exact. The officer who ends the month
while a talk is under way (``end_month``, the desk's End month) ends the meeting where it
stands, as the desk's "End the meeting here" does: it is held with its hours, what the
borrower had said and anything agreed so far (logged with ``left``), so nothing read is
free and nothing is lost; before the officer has asked anything, it lapses unheld. If the
month moved on some other way, nothing is queued and the pair says so (lapsed).

Who may see what is decided by ``training.authz`` (the pair actions): each side's brief
card only for that side's player, the cohort's instructors and admins; the transcript
for the two players, the instructors and admins; each side's moves only for its player.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DBSession

from sim.borrower_state import BorrowerState
from sim.roleplay import Choice, Line, Roleplay
from sim.roleplay_files import shipped
from training.accounts import User
from training.attempts import AttemptError, LiveGames
from training.authz import Action, Forbidden, can, cohort_role, require
from training.classroom import assignment_of
from training.db import Database, aware, now, session_scope
from training.models import (
    AssignmentKind,
    AssignmentRow,
    AttemptRow,
    CaseVersionRow,
    CohortRole,
    EnrolmentRow,
    PairMoveRow,
    PairSide,
    PairStatus,
    PairTalkRow,
    UserRow,
)
from training.roleplay import Outcome, PathError, Session

DB = DBSession | Database | None

__all__ = ["Entry", "MeetingTerms", "Move", "Pair", "PairError", "PairSide", "PairStatus", "PairView",
           "Turn", "begin", "case_roleplays", "cohort_pairs", "create_pair", "end_month",
           "get_pair", "meeting_terms",
           "move", "my_pairs", "pair_class", "talking_on", "view"]


class PairError(ValueError):
    """A paired role play cannot do that; ``key`` names the catalogue message."""

    def __init__(self, key: str, **detail: object):
        self.key = key
        self.detail = detail
        super().__init__(f"{key} {detail}" if detail else key)


@dataclass(frozen=True)
class Move:
    """One turn as stored: the borrower's line index or the officer's choice id."""

    seq: int
    side: PairSide
    node: str
    pick: str
    at: datetime


@dataclass(frozen=True)
class Pair:
    id: int
    cohort_id: int
    assignment_id: int
    roleplay_id: str
    officer_id: int
    borrower_id: int
    officer_name: str
    borrower_name: str
    status: PairStatus
    attempt_id: str | None
    month: int | None
    loan_id: int | None
    state: BorrowerState | None
    result: dict | None
    moves: tuple[Move, ...] = ()
    updated_at: datetime | None = None

    @property
    def path(self) -> list[str]:
        """The officer's choices in order (the conversation path of the decision log)."""
        return [m.pick for m in self.moves if m.side is PairSide.OFFICER]

    @property
    def lines(self) -> list[int]:
        """The borrower player's lines in order (indices into each node's lines)."""
        return [int(m.pick) for m in self.moves if m.side is PairSide.BORROWER]

    def side_of(self, user: User | None) -> PairSide | None:
        if user is None:
            return None
        if user.id == self.officer_id:
            return PairSide.OFFICER
        if user.id == self.borrower_id:
            return PairSide.BORROWER
        return None


@dataclass(frozen=True)
class Turn:
    """Whose turn it is (None: not begun, or over), at which node, and the next seq."""

    whose: PairSide | None
    node: str | None
    seq: int
    over: bool


@dataclass(frozen=True)
class Entry:
    """One line of the transcript: who said it, the text, and (for the officer) the choice."""

    side: PairSide
    node: str
    text: Any  # sim.field_types.Text (zh, en)
    line: Line | None = None
    choice: Choice | None = None
    evaded: bool | None = None  # a borrower's line that kept back a fact the line the
    # hidden state calls for would have told (it tells the hidden state: set only for
    # those who may know it)


@dataclass(frozen=True)
class MeetingTerms:
    """How the pair's talk is held and what the meeting takes in the officer's case: the
    conversation file's ``held`` (visit, call, branch) and that meeting action's staff
    hours and cost in the assigned case's catalogue (its overrides applied)."""

    held: str
    hours: float
    cost_cny: float


@dataclass
class PairView:
    """A pair as one user may see it: the transcript, the cards and moves open to them."""

    pair: Pair
    roleplay: Roleplay
    side: PairSide | None  # the caller's part, None for an instructor or admin
    turn: Turn
    transcript: list[Entry]
    officer_card: Any | None = None  # Text: the setting, for those allowed
    borrower_card: Any | None = None  # Text: the hidden brief, for those allowed
    hidden_state: BorrowerState | None = None  # with the borrower card only
    line_options: list[tuple[int, Line]] = field(default_factory=list)  # borrower's move
    choice_options: list[Choice] = field(default_factory=list)  # officer's move
    session: Session | None = None  # the talk judged; holds the hidden state, so only for
    # those who may see it
    outcome: Outcome | None = None
    full_feedback: bool = False  # missed facts (they tell the hidden state)
    meeting: MeetingTerms | None = None  # how the talk is held, its hours (both players)

    @property
    def can_move(self) -> bool:
        return bool(self.line_options or self.choice_options)


# --- reading ----------------------------------------------------------------------------
def _state(value: dict | None) -> BorrowerState | None:
    return BorrowerState(**value) if value else None


def _pair(row: PairTalkRow, names: dict[int, str], moves: list[PairMoveRow]) -> Pair:
    return Pair(
        id=row.id, cohort_id=row.cohort_id, assignment_id=row.assignment_id,
        roleplay_id=row.roleplay_id, officer_id=row.officer_id, borrower_id=row.borrower_id,
        officer_name=names.get(row.officer_id, ""), borrower_name=names.get(row.borrower_id, ""),
        status=PairStatus(row.status), attempt_id=row.attempt_id, month=row.month,
        loan_id=row.loan_id, state=_state(row.state), result=row.result,
        moves=tuple(Move(m.seq, PairSide(m.side), m.node, m.pick, aware(m.at))
                    for m in sorted(moves, key=lambda m: m.seq)),
        updated_at=aware(row.updated_at))


def _load(s: DBSession, rows: list[PairTalkRow]) -> list[Pair]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    users = {u for r in rows for u in (r.officer_id, r.borrower_id)}
    names = {u.id: u.display_name or u.username
             for u in s.scalars(select(UserRow).where(UserRow.id.in_(users)))}
    moves: dict[int, list[PairMoveRow]] = {i: [] for i in ids}
    for m in s.scalars(select(PairMoveRow).where(PairMoveRow.talk_id.in_(ids))):
        moves[m.talk_id].append(m)
    return [_pair(r, names, moves[r.id]) for r in rows]


def _get(s: DBSession, pair_id: int) -> Pair:
    row = s.get(PairTalkRow, int(pair_id))
    if row is None:
        raise PairError("pairs.no_such_pair", id=pair_id)
    return _load(s, [row])[0]


def _for(user: User | None, pair: Pair, db: DB) -> Pair:
    """The pair as ``user`` may hold it: the borrower's hidden state only for those who may
    see the borrower's card."""
    if pair.state is None or can(user, Action.BORROWER_BRIEF, pair, db):
        return pair
    return replace(pair, state=None)


def get_pair(db: DB, user: User | None, pair_id: int) -> Pair:
    """The pair, if the user may read it (its players, its instructors, admins)."""
    with session_scope(db) as s:
        pair = _get(s, pair_id)
    require(user, Action.VIEW_PAIR, pair, db)
    return _for(user, pair, db)


def talking_on(db: DB, user: User | None, attempt_id: str, month: int) -> list[Pair]:
    """The user's meetings under way from this attempt in this month (the desk warns the
    officer not to end the month before they end)."""
    if user is None:
        return []
    with session_scope(db) as s:
        rows = list(s.scalars(select(PairTalkRow).where(
            PairTalkRow.officer_id == user.id, PairTalkRow.attempt_id == attempt_id,
            PairTalkRow.month == int(month),
            PairTalkRow.status == PairStatus.TALKING.value)))
        return [_for(user, p, db) for p in _load(s, rows)]


def my_pairs(db: DB, user: User | None) -> list[Pair]:
    """The pairs the user plays in, newest first."""
    if user is None:
        return []
    with session_scope(db) as s:
        rows = list(s.scalars(select(PairTalkRow).where(or_(
            PairTalkRow.officer_id == user.id, PairTalkRow.borrower_id == user.id))
            .order_by(PairTalkRow.id.desc())))
        return [_for(user, p, db) for p in _load(s, rows)]


def cohort_pairs(db: DB, user: User | None, cohort_id: int) -> list[Pair]:
    """Every pair of a cohort, for its instructors and admins."""
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    with session_scope(db) as s:
        rows = list(s.scalars(select(PairTalkRow).where(PairTalkRow.cohort_id == int(cohort_id))
                              .order_by(PairTalkRow.id)))
        return _load(s, rows)


def case_roleplays(scenario_id: str | None,
                   roleplays: dict[str, Roleplay] | None = None) -> list[Roleplay]:
    """The conversations written for a named borrower of this case (those a pair can hold)."""
    rps = shipped() if roleplays is None else roleplays
    return [rp for rp in rps.values()
            if scenario_id is not None and rp.case == scenario_id and rp.borrower is not None]


def written_for(roleplays: dict[str, Roleplay] | None = None) -> list[str]:
    """The ids of the cases the pairs' conversations are written for: a conversation names
    its case by id, so a copy of one of these cases (its own id) has none."""
    rps = shipped() if roleplays is None else roleplays
    return sorted({rp.case for rp in rps.values() if rp.case and rp.borrower})


def copied_from(scenario: Any, roleplays: dict[str, Roleplay] | None = None) -> list[str]:
    """The cases with conversations for a named borrower this case also has (by the
    borrower's id): the case is a copy of one of them, under its own id, and none of
    their conversations is held on it."""
    ids = {b.id for b in scenario.borrowers}
    rps = shipped() if roleplays is None else roleplays
    return sorted({rp.case for rp in rps.values()
                   if rp.case and rp.case != scenario.id and rp.borrower in ids})


# --- pairing ----------------------------------------------------------------------------
def _assignment(s: DBSession, assignment_id: int) -> tuple[AssignmentRow, CaseVersionRow]:
    row = s.get(AssignmentRow, int(assignment_id))
    if row is None:
        raise PairError("pairs.no_such_assignment", id=assignment_id)
    if row.kind != AssignmentKind.CASE.value or row.case_version_id is None:
        raise PairError("pairs.not_a_case")
    return row, s.get(CaseVersionRow, row.case_version_id)


def _live(row: AssignmentRow, version: CaseVersionRow) -> None:
    """No new pair on a withdrawn assignment, nor on one whose case version was unpublished
    (as no new attempt starts on it: classroom.start_assignment); the pairs already made
    stay on record and a talk already paired goes on with its attempt."""
    if row.withdrawn_at is not None:
        raise PairError("pairs.withdrawn")
    if version.withdrawn_at is not None:  # named as start_assignment names it
        raise PairError("pairs.case_withdrawn", case=assignment_of(row, version).subject)


def _roleplay(rp_id: str, scenario_id: str, roleplays: dict[str, Roleplay] | None) -> Roleplay:
    rp = {r.id: r for r in case_roleplays(scenario_id, roleplays)}.get(rp_id)
    if rp is None:
        raise PairError("pairs.not_this_case", roleplay=rp_id, case=scenario_id)
    return rp


def _trainee(s: DBSession, cohort_id: int, user_id: int) -> None:
    if cohort_role(s, int(user_id), cohort_id) is not CohortRole.TRAINEE:
        raise PairError("pairs.not_a_trainee", id=user_id)


def create_pair(db: DB, user: User | None, assignment_id: int, roleplay_id: str,
                officer_id: int, borrower_id: int,
                roleplays: dict[str, Roleplay] | None = None) -> Pair:
    """Pair two trainees of the assignment's cohort on one of its case's conversations."""
    with session_scope(db) as s:
        row, version = _assignment(s, assignment_id)
    require(user, Action.MANAGE_COHORT, row.cohort_id, db)
    _live(row, version)
    _roleplay(roleplay_id, version.scenario_id, roleplays)
    if int(officer_id) == int(borrower_id):
        raise PairError("pairs.same_person")
    with session_scope(db) as s:
        _trainee(s, row.cohort_id, officer_id)
        _trainee(s, row.cohort_id, borrower_id)
        at = now()
        talk = PairTalkRow(cohort_id=row.cohort_id, assignment_id=row.id,
                           roleplay_id=roleplay_id, officer_id=int(officer_id),
                           borrower_id=int(borrower_id), status=PairStatus.PAIRED.value,
                           created_by=user.id, created_at=at, updated_at=at)
        s.add(talk)
        s.flush()
        return _get(s, talk.id)


def pair_class(db: DB, user: User | None, assignment_id: int, roleplay_id: str,
               roleplays: dict[str, Roleplay] | None = None) -> tuple[list[Pair], list[int]]:
    """Pair the trainees of the assignment's cohort who have no pair on this conversation
    yet, two by two in roster order (the first of each two plays the officer). Returns the
    new pairs and the trainee left over, if the count is odd."""
    with session_scope(db) as s:
        row, version = _assignment(s, assignment_id)
    require(user, Action.MANAGE_COHORT, row.cohort_id, db)
    _live(row, version)
    with session_scope(db) as s:
        trainees = list(s.scalars(
            select(EnrolmentRow.user_id).join(UserRow, UserRow.id == EnrolmentRow.user_id)
            .where(EnrolmentRow.cohort_id == row.cohort_id,
                   EnrolmentRow.cohort_role == CohortRole.TRAINEE.value)
            .order_by(UserRow.username)))
        paired = set()
        for a, b in s.execute(select(PairTalkRow.officer_id, PairTalkRow.borrower_id).where(
                PairTalkRow.assignment_id == row.id, PairTalkRow.roleplay_id == roleplay_id)):
            paired |= {a, b}
    free = [u for u in trainees if u not in paired]
    made = [create_pair(db, user, assignment_id, roleplay_id, free[k], free[k + 1], roleplays)
            for k in range(0, len(free) - 1, 2)]
    return made, free[len(made) * 2:]


# --- the turn ------------------------------------------------------------------------------
def turn_of(rp: Roleplay, pair: Pair) -> Turn:
    """Whose move it is: the borrower speaks at each node, then the officer chooses; the
    talk is over after the closing line of a node without choices, or after a choice
    that ends it."""
    seq = len(pair.moves)
    if pair.status is PairStatus.PAIRED or pair.state is None:
        return Turn(None, None, seq, False)
    if pair.status is not PairStatus.TALKING:  # settled, or ended with the officer's month
        return Turn(None, None, seq, True)
    node: str | None = rp.start
    for cid in pair.path:
        ch = rp.choice(node, cid)
        node = ch.next if ch is not None else None
    n_lines = len(pair.lines)
    if node is None:
        return Turn(None, None, seq, True)
    if n_lines == len(pair.path):
        return Turn(PairSide.BORROWER, node, seq, False)
    if rp.nodes[node].choices:
        return Turn(PairSide.OFFICER, node, seq, False)
    return Turn(None, None, seq, True)


def transcript(rp: Roleplay, pair: Pair) -> list[Entry]:
    out: list[Entry] = []
    for m in pair.moves:
        node = rp.nodes.get(m.node)
        if node is None:
            continue
        if m.side is PairSide.BORROWER:
            line = node.lines[int(m.pick)] if int(m.pick) < len(node.lines) else None
            if line is not None:
                out.append(Entry(m.side, m.node, line.text, line=line))
        else:
            ch = rp.choice(m.node, m.pick)
            if ch is not None:
                out.append(Entry(m.side, m.node, ch.text, choice=ch))
    return out


def _roleplays(roleplays: dict[str, Roleplay] | None) -> dict[str, Roleplay]:
    return shipped() if roleplays is None else roleplays


def view(db: DB, user: User | None, pair_id: int,
         roleplays: dict[str, Roleplay] | None = None) -> PairView:
    """The pair as this user may see it; Forbidden for anyone outside the pair, its
    instructors and admins."""
    with session_scope(db) as s:
        pair = _get(s, pair_id)
    require(user, Action.VIEW_PAIR, pair, db)
    rp = _roleplays(roleplays).get(pair.roleplay_id)
    if rp is None:
        raise PairError("pairs.roleplay_gone", roleplay=pair.roleplay_id)
    side = pair.side_of(user)
    turn = turn_of(rp, pair)
    v = PairView(_for(user, pair, db), rp, side, turn, transcript(rp, pair),
                 meeting=meeting_terms(db, pair, rp))
    if can(user, Action.OFFICER_BRIEF, pair, db):
        v.officer_card = rp.setting
    if can(user, Action.BORROWER_BRIEF, pair, db):
        v.borrower_card = rp.borrower_brief
        v.hidden_state = pair.state
    if pair.state is not None and pair.moves:
        try:
            v.session = Session.replay(rp, pair.state, pair.path, pair.lines,
                                       left=bool((pair.result or {}).get("left")))
            v.outcome = v.session.outcome()
        except PathError:  # the conversation file changed under the talk: the moves only
            v.session = v.outcome = None
    # what was missed tells the hidden state (so does the judged session, which holds it):
    # the borrower knows it and the instructors may see it; the officer gets them once
    # their attempt at the case is over, as the case's debrief shows them
    secret_ok = v.borrower_card is not None or (
        turn.over and _attempt_finished(db, pair.attempt_id))
    v.full_feedback = turn.over and secret_ok and v.session is not None
    if not secret_ok:
        v.session = None
        if v.outcome is not None:
            v.outcome.missed = []
            v.outcome.beyond = []
    elif pair.state is not None:  # which of the borrower's lines were evasions
        v.transcript = _mark_evasions(rp, pair.state, v.transcript)
    if side is PairSide.BORROWER and turn.whose is PairSide.BORROWER:
        from sim.conversation import Conversation

        conv = Conversation(rp, pair.state)
        v.line_options = [(k, rp.nodes[turn.node].lines[k])
                          for k in conv.permitted_lines(turn.node)]
    if side is PairSide.OFFICER and turn.whose is PairSide.OFFICER:
        v.choice_options = list(rp.nodes[turn.node].choices)
    return v


def meeting_terms(db: DB, pair: Pair, rp: Roleplay) -> MeetingTerms | None:
    """How the talk is held and its hours and cost, from the case version the pair's
    assignment plays (the catalogue the officer's attempt runs on: sim.interventions
    .catalogue, which the engine's hours come from); None if that version is gone.
    A meeting's cost is fixed (no share of the claim), so no loan is needed."""
    from sim.interventions.catalogue import catalogue
    from training.publishing import scenario_of_version

    with session_scope(db) as s:
        row = s.get(AssignmentRow, pair.assignment_id)
        version_id = row.case_version_id if row is not None else None
    if version_id is None:
        return None
    try:
        it = catalogue(scenario_of_version(db, version_id)).get(rp.meeting_action)
    except LookupError:
        return None
    if it is None:
        return None
    return MeetingTerms(rp.held, float(it.hours), float(it.cost_cny))


def _mark_evasions(rp: Roleplay, state: BorrowerState, entries: list[Entry]) -> list[Entry]:
    """The transcript with each borrower's line marked evaded or not: an instructor (and the
    officer, once the case is over) sees where the borrower held back what a question
    would have brought out."""
    from sim.conversation import Conversation

    conv = Conversation(rp, state)
    out = []
    for e in entries:
        if e.side is PairSide.BORROWER and e.line is not None and e.node in rp.nodes:
            candid = rp.nodes[e.node].lines[conv.candid_index(e.node)]
            # held back: the line the state calls for would have told a fact, this one not
            e = replace(e, evaded=e.line is not candid and bool(candid.reveals))
        out.append(e)
    return out


def _attempt_finished(db: DB, attempt_id: str | None) -> bool:
    if attempt_id is None:
        return False
    with session_scope(db) as s:
        row = s.get(AttemptRow, attempt_id)
        return row is not None and row.status == "finished"


# --- playing ------------------------------------------------------------------------------
def _officer_attempt(s: DBSession, pair: Pair) -> str | None:
    return s.scalar(select(AttemptRow.id).where(
        AttemptRow.user_id == pair.officer_id, AttemptRow.assignment_id == pair.assignment_id,
        AttemptRow.status != "finished").order_by(AttemptRow.updated.desc()).limit(1))


def begin(db: DB, user: User | None, games: LiveGames, pair_id: int,
          roleplays: dict[str, Roleplay] | None = None) -> Pair:
    """The officer opens the meeting from their attempt at the assigned case, this month.

    The borrower's hidden state is read from that attempt's engine now and kept with the
    pair (shown only to the borrower's side). Refused with a reason when the officer has
    no attempt under way, or the meeting cannot be held this month (no hours, the
    conversation's premise does not hold yet, a meeting already queued)."""
    with session_scope(db) as s:
        pair = _get(s, pair_id)
    require(user, Action.PLAY_PAIR_OFFICER, pair, db)
    if pair.status is not PairStatus.PAIRED:
        raise PairError("pairs.already_begun")
    rp = _roleplays(roleplays).get(pair.roleplay_id)
    if rp is None:
        raise PairError("pairs.roleplay_gone", roleplay=pair.roleplay_id)
    with session_scope(db) as s:
        attempt_id = _officer_attempt(s, pair)
    if attempt_id is None:
        raise PairError("pairs.no_attempt")
    try:
        live = games.open(attempt_id)
    except AttemptError as err:  # the case file is gone or does not replay
        raise PairError("pairs.case_unavailable", detail=err.detail or err.key) from None
    with live.lock:
        g = live.game
        loan_id = g.sim.pf.named_index.get(rp.borrower)
        if loan_id is None or rp.id not in {r.id for r in g.conversations(loan_id)}:
            raise PairError("pairs.not_this_case", roleplay=rp.id, case=g.scenario.id)
        opt = g.meeting_option(loan_id, rp.id)
        if not opt.available:
            raise PairError("pairs.cannot_meet", code=opt.reason)
        state, month = g.talk_state(loan_id), int(g.month)
    with session_scope(db) as s:
        row = s.get(PairTalkRow, pair.id, with_for_update=True)
        if row.status != PairStatus.PAIRED.value:
            raise PairError("pairs.already_begun")
        row.status = PairStatus.TALKING.value
        row.attempt_id, row.month, row.loan_id = attempt_id, month, int(loan_id)
        row.state = asdict(state)
        row.updated_at = now()
        s.flush()
        return _get(s, pair.id)


def move(db: DB, user: User | None, games: LiveGames, pair_id: int, pick: str | int,
         expected_seq: int, roleplays: dict[str, Roleplay] | None = None) -> Pair:
    """Take one turn: the borrower player's line (its index, among the permitted ones) or
    the officer's choice (its id). ``expected_seq`` is the turn the page showed: if the
    other side (or another tab) moved since, PairError ``pairs.stale`` and nothing changes.
    The move that ends the talk puts the meeting and its terms into the officer's attempt."""
    with session_scope(db) as s:
        pair = _get(s, pair_id)
    require(user, Action.VIEW_PAIR, pair, db)
    rp = _roleplays(roleplays).get(pair.roleplay_id)
    if rp is None:
        raise PairError("pairs.roleplay_gone", roleplay=pair.roleplay_id)
    turn = turn_of(rp, pair)
    if turn.over or turn.whose is None:
        raise PairError("pairs.not_talking")
    if int(expected_seq) != turn.seq:
        raise PairError("pairs.stale")
    action = (Action.PLAY_PAIR_BORROWER if turn.whose is PairSide.BORROWER
              else Action.PLAY_PAIR_OFFICER)
    if not can(user, action, pair, db):
        if pair.side_of(user) is not None:
            raise PairError("pairs.not_your_turn")
        raise Forbidden("pairs.not_yours")
    if turn.whose is PairSide.BORROWER:
        from sim.conversation import Conversation

        try:
            k = int(pick)
        except (TypeError, ValueError):
            raise PairError("pairs.bad_line") from None
        if k not in Conversation(rp, pair.state).permitted_lines(turn.node):
            raise PairError("pairs.bad_line")
        pick = str(k)
    elif rp.choice(turn.node, str(pick)) is None:
        raise PairError("pairs.bad_choice")
    try:
        with session_scope(db) as s:
            row = s.get(PairTalkRow, pair.id, with_for_update=True)
            if row.status != PairStatus.TALKING.value:  # ended with the month a moment ago
                raise PairError("pairs.not_talking")
            s.add(PairMoveRow(talk_id=pair.id, seq=turn.seq, side=turn.whose.value,
                              node=turn.node, pick=str(pick), user_id=user.id, at=now()))
            row.updated_at = now()
    except IntegrityError:  # the same turn was taken in another session a moment ago
        raise PairError("pairs.stale") from None
    with session_scope(db) as s:
        pair = _get(s, pair.id)
    if turn_of(rp, pair).over:
        pair = _settle(db, games, pair)
    return pair


def _settle(db: DB, games: LiveGames, pair: Pair) -> Pair:
    """Put the finished talk into the officer's attempt (the desk's own meet) and record
    what it took: the actions queued with their hours, and those the engine refused."""
    from sim.game_actions import ActionError

    result: dict[str, Any]
    status = PairStatus.DONE
    try:
        refused = games.meet(pair.attempt_id, pair.loan_id, pair.roleplay_id, pair.path,
                             lines=pair.lines, expected_month=pair.month)
        result = {"held": True, "queued": _queued(games, pair),
                  "refused": [[a, c] for a, c in refused]}
    except AttemptError as err:
        status = PairStatus.LAPSED
        result = {"held": False, "reason": "month_moved" if err.key == "attempt.month_moved"
                  else err.key, "queued": [], "refused": []}
    except ActionError as err:
        result = {"held": False, "reason": err.code, "queued": [], "refused": []}
    with session_scope(db) as s:
        row = s.get(PairTalkRow, pair.id)
        row.status = status.value
        row.result = result
        row.updated_at = now()
        s.flush()
        return _get(s, pair.id)


# --- the officer's month ends -----------------------------------------------------------------
def end_month(db: DB, user: User | None, games: LiveGames, attempt_id: str,
              expected_month: int) -> tuple[Any, list[Pair]]:
    """The officer's End month: every paired meeting under way from this attempt in this
    month ends first, where it stands (the desk's "End the meeting here"), then the month
    ends (``LiveGames.end_month``). Returns the month's report (None if the month had
    already moved) and the pairs ended, as the officer may see them.

    A meeting the engine cannot hold as it stands (its hours are gone to actions queued
    since it opened) stops the month: PairError ``pairs.month_end_refused`` names the
    borrower and the reason, the talk stays under way, and nothing has moved."""
    closed = [_close_with_month(db, games, p.id, int(expected_month))
              for p in talking_on(db, user, attempt_id, int(expected_month))]
    report = games.end_month(attempt_id, int(expected_month))
    return report, [_for(user, p, db) for p in closed if p is not None]


def _close_with_month(db: DB, games: LiveGames, pair_id: int, month: int) -> Pair | None:
    """End one talk with the officer's month (see ``end_month``). The row is claimed first,
    so a move that arrives meanwhile is refused (``move`` checks the status under the same
    lock) and the meeting holds exactly the moves read here."""
    from sim.game_actions import ActionError

    with session_scope(db) as s:
        row = s.get(PairTalkRow, int(pair_id), with_for_update=True)
        if row is None or row.status != PairStatus.TALKING.value or row.month != month:
            return None
        row.status = PairStatus.DONE.value
        row.updated_at = now()
    with session_scope(db) as s:
        pair = _get(s, pair_id)
    base = {"month_end": True, "queued": [], "refused": []}
    status, result = PairStatus.DONE, None
    if not pair.path:  # nothing asked yet: closed unsaid, as the desk closes a meeting
        status, result = PairStatus.LAPSED, dict(base, held=False, reason="month_end_unsaid")
    else:
        try:
            refused = games.meet(pair.attempt_id, pair.loan_id, pair.roleplay_id, pair.path,
                                 lines=pair.lines, expected_month=month, left=True)
            result = dict(base, held=True, left=True, queued=_queued(games, pair),
                          refused=[[a, c] for a, c in refused])
        except AttemptError as err:
            status = PairStatus.LAPSED
            result = dict(base, held=False, reason="month_moved"
                          if err.key == "attempt.month_moved" else err.key)
        except ActionError as err:  # the meeting itself is refused: the month waits
            with session_scope(db) as s:
                row = s.get(PairTalkRow, pair.id, with_for_update=True)
                row.status = PairStatus.TALKING.value
                row.updated_at = now()
            raise PairError("pairs.month_end_refused", borrower=pair.borrower_name,
                            code=err.code) from None
    with session_scope(db) as s:
        row = s.get(PairTalkRow, pair.id)
        row.status, row.result, row.updated_at = status.value, result, now()
        s.flush()
        return _get(s, pair.id)


def _queued(games: LiveGames, pair: Pair) -> list[list]:
    """The actions the officer's month now holds for the pair's loan, with their hours and
    costs (what the meeting queued)."""
    g = games.open(pair.attempt_id).game
    talk = next((t for t in g.pending_talks if t["loan_id"] == pair.loan_id), None)
    out = []
    for action in (talk["actions"] if talk else []):
        hours, cost = g.action_cost(pair.loan_id, action)
        out.append([action, float(hours), float(cost)])
    return out
