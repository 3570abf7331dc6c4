"""A class as an instructor reviews it, built through the service layer: an instructor, a
cohort, trainees, published cases assigned, and attempts played as the desk plays them
(every action of the case's catalogue the desk lets through queued once, refusals tried,
a judgement classification, a monitoring-policy change, a meeting held, a paired role
play, a lesson quiz), finished and unfinished, one assignment withdrawn and one case
version unpublished. Used by test_review_crawl.py and the browser check of the review
pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sim.codes import CLASS_KEYS
from sim.game_actions import ActionError
from sim.policy import ClassIntervals, MonitoringPolicy
from sim.roleplay import MEET_ACTION, MEETING_ACTION_IDS
from sim.scenario import load_scenario
from training import accounts, pairs
from training import classroom as cr
from training.attempts import AttemptStore, LiveGames
from training.db import Database, now
from training.lessons import load_lesson
from training.models import QuizPhase, Role
from training.publishing import publish_case, unpublish_case

ROOT = Path(__file__).resolve().parents[2]
PW = "a-long-password-1"
LIGHT = MonitoringPolicy(interval_months=ClassIntervals(
    normal=12, special_mention=3, substandard=3, doubtful=3))
"""A light routine-check policy: the short-staffed cases leave hours for the actions."""
REASON = "warning_signals"  # a reason code the desk offers (sim.judgement)


@dataclass
class Played:
    """What one attempt did: the actions queued (by id), those the desk refused (by
    reason code), the judgements, the meetings."""

    attempt_id: str
    case: str
    taken: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)
    classified: int = 0
    meetings: int = 0


def _meet(games: LiveGames, aid: str, played: Played) -> None:
    """Hold the first conversation the desk offers this month, along its first path that
    the borrower's state lets through."""
    from tests.roleplay_games import all_paths

    g = games.open(aid).game
    for i in g.sim.pf.named_index.values():
        if not g.meeting_option(i).available:
            continue
        for rp in g.conversations(i):
            for path in all_paths(rp):
                try:
                    games.meet(aid, i, rp.id, path)
                except ActionError:
                    continue
                played.meetings += 1
                played.taken.add(MEET_ACTION)
                return


def _act(games: LiveGames, aid: str, played: Played) -> None:
    """Queue, as the desk does, each action of the catalogue not yet taken on the first loan
    (riskiest first) that may take it now; try one the desk refuses."""
    g = games.open(aid).game
    order = sorted(range(g.sim.n), key=lambda i: (-int(g.sim.dpd[i]), -int(g.sim.cls[i]), i))
    for i in order:
        left = [o for o in g.options(i)
                if o.id not in MEETING_ACTION_IDS and o.id not in played.taken]
        for opt in left:
            if opt.available:
                try:
                    games.queue(aid, i, opt.id)
                except ActionError as err:  # the hours or the one queued before it
                    played.refused.add(err.code)
                else:
                    played.taken.add(opt.id)
            elif opt.reason not in played.refused and opt.reason not in ("conversation",
                                                                         "no_conversation"):
                try:
                    games.queue(aid, i, opt.id)
                except ActionError as err:  # the desk says why; nothing is queued
                    assert err.code == opt.reason
                    played.refused.add(err.code)
                else:
                    raise AssertionError(f"{opt.id} on {i} was queued though refused")
        if set(g.sim.catalogue) <= played.taken | MEETING_ACTION_IDS:
            return


def _classify(games: LiveGames, aid: str, played: Played) -> None:
    """A judgement: the first performing loan classified one class worse, with a reason."""
    g = games.open(aid).game
    for i in range(g.sim.n):
        cls = int(g.sim.cls[i])
        if g.sim.status[i] == 0 and cls + 1 < len(CLASS_KEYS):
            try:
                games.classify(aid, i, cls + 1, REASON)
            except ActionError:
                continue
            played.classified += 1
            return


def play(games: LiveGames, aid: str, case: str, months: int) -> Played:
    """Play ``months`` months of attempt ``aid`` as a careful trainee at the desk would."""
    played = Played(aid, case)
    games.set_policy(aid, LIGHT)  # the monitoring policy, changed before month 1
    for m in range(months):
        g = games.open(aid).game
        if g.finished:
            break
        if not played.meetings:
            _meet(games, aid, played)
        _act(games, aid, played)
        if m in (0, 2):
            _classify(games, aid, played)
        games.end_month(aid, m)
    return played


class ReviewClass:
    """An instructor (Ms Teacher), an admin, a cohort of four trainees (Ann, Ben, Cat, Dan)
    and the given published cases assigned to it, with attempts played through them."""

    def __init__(self, db: Database, cases: dict[str, int], lesson: str = "early-warning"):
        """``cases``: case id -> months the rich attempt plays (its horizon: finished)."""
        self.db = db
        self.admin = accounts.create_user(db, "admin", PW, Role.ADMIN, "Ada Admin")
        self.teacher = accounts.create_user(db, "teacher", PW, Role.INSTRUCTOR, "Ms Teacher")
        self.trainees = [accounts.create_user(db, n.lower(), PW, display_name=n)
                         for n in ("Ann", "Ben", "Cat", "Dan")]
        ann, ben, cat, dan = self.trainees
        self.cohort = cr.create_cohort(db, self.teacher, "Class A")
        for u in self.trainees:
            cr.enrol(db, self.teacher, self.cohort.id, u.username)
        self.scenarios = {c: load_scenario(ROOT / "scenarios" / f"{c}.yaml") for c in cases}
        self.assignments: dict[str, cr.Assignment] = {}
        self.lesson = load_lesson(lesson, "en")
        qs = [q.id for q in self.lesson.questions][:2]
        tests = [cr.TestQuestion(lesson, q) for q in qs]
        for n, c in enumerate(cases):
            v = publish_case(db, self.teacher,
                             (ROOT / "scenarios" / f"{c}.yaml").read_text(encoding="utf-8"))
            # the first case with a pre-test and a post-test, the others without
            self.assignments[c] = cr.assign_case(
                db, self.teacher, self.cohort.id, v.id, now() - timedelta(hours=1),
                now() + timedelta(days=3), pre_test=tests if n == 0 else [],
                post_test=tests if n == 0 else [])
        self.lesson_assignment = cr.assign_lesson(db, self.teacher, self.cohort.id, lesson,
                                                  now() - timedelta(hours=1),
                                                  now() + timedelta(days=3))
        self.games = LiveGames(AttemptStore(db=db), lambda sid: self.scenarios[sid])
        self.played: list[Played] = []
        first = next(iter(cases))
        quiz = {q: 0 for q in qs}
        for who in (ann, ben):  # the first case's pre-test
            cr.record_quiz(db, who, self.lesson, quiz, QuizPhase.PRE,
                           self.assignments[first].id)
        # the assigned lesson's quiz, read and answered by Ann (the whole quiz) and Cat
        for who in (ann, cat):
            cr.record_quiz(db, who, self.lesson, {q.id: 1 for q in self.lesson.questions})
        for c, months in cases.items():
            live = cr.start_assignment(db, ann, self.games, self.assignments[c].id)
            self.played.append(play(self.games, live.attempt.id, c, months))
        cr.record_quiz(db, ann, self.lesson, {q: 1 for q in qs}, QuizPhase.POST,
                       self.assignments[first].id)
        # Ben: the first case, two months, left unfinished; Cat and Dan: not started
        live = cr.start_assignment(db, ben, self.games, self.assignments[first].id)
        for m in range(2):
            self.games.end_month(live.attempt.id, m)
        self.unfinished = live.attempt.id

    def pair_on(self, case: str) -> pairs.Pair | None:
        """A paired role play on ``case``'s first conversation, held: Ben the officer (from
        his unfinished attempt), Dan the borrower; the month ends with the meeting held.
        None when the case has no conversation for a pair."""
        from tests.roleplay_games import all_paths

        rps = pairs.case_roleplays(case)
        if not rps:
            return None
        ben, dan = self.trainees[1], self.trainees[3]
        p = pairs.create_pair(self.db, self.teacher, self.assignments[case].id, rps[0].id,
                              ben.id, dan.id)
        pairs.begin(self.db, ben, self.games, p.id)
        path = all_paths(rps[0])[0]
        for turn in range(2 * len(path)):
            v = pairs.view(self.db, ben if turn % 2 else dan, p.id)
            if not v.can_move:
                break
            pick = path[turn // 2] if turn % 2 else v.line_options[0][0]
            pairs.move(self.db, ben if turn % 2 else dan, self.games, p.id, pick, turn)
        month = self.games.open(self.unfinished).game.month
        pairs.end_month(self.db, ben, self.games, self.unfinished, month)
        return pairs.get_pair(self.db, self.teacher, p.id)

    def picks(self) -> dict[str, list]:
        """The values of the review pages' select boxes (training.dashboard.SHEETS...)."""
        from training import dashboard as dash

        rps = {a.id: [rp.id for rp in pairs.case_roleplays(a.scenario_id)]
               for a in cr.list_assignments(self.db, self.teacher, self.cohort.id)
               if a.scenario_id}
        shown = dash.cohort_results(self.db, self.teacher, self.cohort.id).attempts
        gone = dash.withdrawn_attempts(self.db, self.teacher, self.cohort.id)
        return {
            "dash_cohort": [self.cohort.id], "export_table": list(dash.SHEETS),
            "dash_attempt": [*shown["attempt_id"], *gone["attempt_id"]],
            "cp_assignment": [a for a, ids in rps.items() if ids],
            "cp_roleplay": next((ids for ids in rps.values() if ids), []),
            "cp_open": [p.id for p in pairs.cohort_pairs(self.db, self.teacher, self.cohort.id)],
        }

    def withdraw(self, case: str) -> None:
        cr.withdraw_assignment(self.db, self.teacher, self.assignments[case].id)

    def unpublish(self, case: str) -> None:
        unpublish_case(self.db, self.teacher, self.assignments[case].case_version_id)
