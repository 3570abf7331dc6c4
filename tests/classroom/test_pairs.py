"""Paired role play through the service layer (training.pairs), on SQLite and PostgreSQL:
pairing, turn order, who sees which brief card, the borrower's permitted lines, the terms
flowing into the officer's attempt with their hours and costs, the decision log and an
exact replay, conduct breaches, a lapsed month, and every forbidden path."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from sim.conversation import Conversation, LineError
from sim.game_actions import ActionError
from sim.policy import ClassIntervals, MonitoringPolicy
from sim.roleplay import MEET_ACTION
from sim.roleplay_files import load_all
from sim.scenario import load_scenario
from training import accounts, pairs
from training import classroom as cr
from training.attempts import AttemptStore, LiveGames
from training.authz import Forbidden
from training.db import get_database, now
from training.desk import Desk as Game
from training.models import PairSide, PairStatus, Role
from training.publishing import publish_case

ROOT = Path(__file__).resolve().parents[2]
PW = "a-long-password-1"
LIGHT = MonitoringPolicy(interval_months=ClassIntervals(
    normal=12, special_mention=3, substandard=3, doubtful=3))
"""A light routine-check policy, so a short-staffed case leaves hours for a meeting."""


class Klass:
    """A cohort with an instructor, four trainees, an outsider, and an assigned case."""

    def __init__(self, case: str = "intro"):
        db = get_database()
        self.db = db
        self.admin = accounts.create_user(db, "admin", PW, Role.ADMIN)
        self.teacher = accounts.create_user(db, "teacher", PW, Role.INSTRUCTOR)
        self.other_teacher = accounts.create_user(db, "other", PW, Role.INSTRUCTOR)
        self.ann = accounts.create_user(db, "ann", PW, display_name="Ann")
        self.ben = accounts.create_user(db, "ben", PW, display_name="Ben")
        self.cat = accounts.create_user(db, "cat", PW, display_name="Cat")
        self.dan = accounts.create_user(db, "dan", PW, display_name="Dan")
        self.eve = accounts.create_user(db, "eve", PW, display_name="Eve")  # not enrolled
        self.cohort = cr.create_cohort(db, self.teacher, "Class A")
        cr.create_cohort(db, self.other_teacher, "Class B")
        for name in ("ann", "ben", "cat", "dan"):
            cr.enrol(db, self.teacher, self.cohort.id, name)
        path = ROOT / "scenarios" / f"{case}.yaml"
        self.scenario = load_scenario(path)
        version = publish_case(db, self.teacher, path.read_text(encoding="utf-8"))
        self.assignment = cr.assign_case(db, self.teacher, self.cohort.id, version.id,
                                         now() - timedelta(hours=1), now() + timedelta(days=3))
        sc = self.scenario
        self.games = LiveGames(AttemptStore(db=db), lambda _id: sc)

    def pair(self, rp_id: str, officer, borrower) -> pairs.Pair:
        return pairs.create_pair(self.db, self.teacher, self.assignment.id, rp_id, officer.id,
                                 borrower.id)

    def start(self, who, months: int = 0) -> str:
        live = cr.start_assignment(self.db, who, self.games, self.assignment.id)
        aid = live.attempt.id
        self.games.set_policy(aid, LIGHT)
        for m in range(months):
            self.games.end_month(aid, m)
        return aid


@pytest.fixture
def klass(db_url):
    return Klass()


def _say(k: Klass, user, pair_id: int, pick) -> pairs.Pair:
    v = pairs.view(k.db, user, pair_id)
    return pairs.move(k.db, user, k.games, pair_id, pick, v.turn.seq)


# --- pairing ---------------------------------------------------------------------------------
def test_an_instructor_pairs_two_trainees_of_the_cohort(klass):
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    assert (p.officer_name, p.borrower_name, p.status) == ("Ann", "Ben", PairStatus.PAIRED)
    assert [x.id for x in pairs.cohort_pairs(k.db, k.teacher, k.cohort.id)] == [p.id]
    assert [x.id for x in pairs.my_pairs(k.db, k.ben)] == [p.id]
    assert pairs.my_pairs(k.db, k.cat) == []
    # a trainee, an instructor of another cohort, a manager cannot pair
    for who in (k.ann, k.other_teacher, None):
        with pytest.raises(Forbidden):
            pairs.create_pair(k.db, who, k.assignment.id, "jiahe_extension", k.cat.id, k.dan.id)
    with pytest.raises(pairs.PairError) as err:  # Eve is not in the class
        k.pair("jiahe_extension", k.cat, k.eve)
    assert err.value.key == "pairs.not_a_trainee"
    with pytest.raises(pairs.PairError) as err:  # an instructor is not a trainee either
        k.pair("jiahe_extension", k.cat, k.teacher)
    assert err.value.key == "pairs.not_a_trainee"
    with pytest.raises(pairs.PairError) as err:
        k.pair("jiahe_extension", k.cat, k.cat)
    assert err.value.key == "pairs.same_person"
    with pytest.raises(pairs.PairError) as err:  # a conversation of another case
        k.pair("jinlan_diversion", k.cat, k.dan)
    assert err.value.key == "pairs.not_this_case"
    assert [rp.id for rp in pairs.case_roleplays("intro")] == ["jiahe_extension"]


def test_pairing_the_class_goes_two_by_two_and_names_the_odd_one(klass):
    k = klass
    k.pair("jiahe_extension", k.ann, k.ben)
    made, left = pairs.pair_class(k.db, k.teacher, k.assignment.id, "jiahe_extension")
    assert [(p.officer_id, p.borrower_id) for p in made] == [(k.cat.id, k.dan.id)]
    assert left == []
    cr.enrol(k.db, k.teacher, k.cohort.id, "eve")
    made, left = pairs.pair_class(k.db, k.teacher, k.assignment.id, "jiahe_extension")
    assert made == [] and left == [k.eve.id]
    with pytest.raises(Forbidden):
        pairs.pair_class(k.db, k.ann, k.assignment.id, "jiahe_extension")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unpublished_case_takes_no_new_pair_and_says_so_as_the_desk_does(klass, lang):
    """The case version of the assignment was unpublished (a mistake in it): as no new
    attempt starts on it, no new pair is made on it, one by one or the whole class; the
    message names the case; the pair already made stays and its talk still opens."""
    from training.i18n import set_lang, t
    from training.publishing import unpublish_case

    k = klass
    made = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann)
    unpublish_case(k.db, k.teacher, k.assignment.case_version_id)
    set_lang(lang)
    subject = cr.list_assignments(k.db, k.teacher, k.cohort.id)[0].subject
    for make in (lambda: k.pair("jiahe_extension", k.cat, k.dan),
                 lambda: pairs.pair_class(k.db, k.teacher, k.assignment.id, "jiahe_extension")):
        with pytest.raises(pairs.PairError) as err:
            make()
        assert err.value.key == "pairs.case_withdrawn"
        said = t(err.value.key, lang, **err.value.detail)
        assert subject in said and said != err.value.key
    assert [p.id for p in pairs.cohort_pairs(k.db, k.teacher, k.cohort.id)] == [made.id]
    # what was started goes on: Ann's attempt is hers to play, and the pair's meeting opens
    assert pairs.begin(k.db, k.ann, k.games, made.id).attempt_id == aid


# --- who sees what -----------------------------------------------------------------------------
def test_each_side_sees_only_its_own_brief_card(klass):
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    k.start(k.ann)
    pairs.begin(k.db, k.ann, k.games, p.id)
    officer = pairs.view(k.db, k.ann, p.id)
    assert officer.side is PairSide.OFFICER
    assert officer.officer_card is not None
    assert officer.borrower_card is None and officer.hidden_state is None
    borrower = pairs.view(k.db, k.ben, p.id)
    assert borrower.side is PairSide.BORROWER
    assert borrower.borrower_card is not None and borrower.hidden_state is not None
    assert borrower.officer_card is None
    assert borrower.hidden_state.health == "strong"  # Jiahe can pay at the start of the case
    for reader in (k.teacher, k.admin):  # the instructors and admins see both, play neither
        v = pairs.view(k.db, reader, p.id)
        assert v.side is None and v.officer_card and v.borrower_card
        assert not v.can_move
    for intruder in (k.cat, k.other_teacher, k.eve, None):  # classmates, others: nothing
        with pytest.raises(Forbidden):
            pairs.view(k.db, intruder, p.id)
        with pytest.raises(Forbidden):
            pairs.get_pair(k.db, intruder, p.id)


def test_the_forbidden_moves(klass):
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    with pytest.raises(pairs.PairError) as err:  # Ann has not started the case
        pairs.begin(k.db, k.ann, k.games, p.id)
    assert err.value.key == "pairs.no_attempt"
    k.start(k.ann)
    for who in (k.ben, k.teacher, k.cat):  # only the officer opens the meeting
        with pytest.raises(Forbidden):
            pairs.begin(k.db, who, k.games, p.id)
    pairs.begin(k.db, k.ann, k.games, p.id)
    with pytest.raises(pairs.PairError) as err:
        pairs.begin(k.db, k.ann, k.games, p.id)
    assert err.value.key == "pairs.already_begun"
    # the borrower speaks first
    with pytest.raises(pairs.PairError) as err:
        pairs.move(k.db, k.ann, k.games, p.id, "ask_flows", 0)
    assert err.value.key == "pairs.not_your_turn"
    for who in (k.teacher, k.admin, k.cat):
        with pytest.raises(Forbidden):
            pairs.move(k.db, who, k.games, p.id, 0, 0)
    pairs.move(k.db, k.ben, k.games, p.id, 0, 0)
    with pytest.raises(pairs.PairError) as err:  # a second tab still showing turn 0
        pairs.move(k.db, k.ben, k.games, p.id, 0, 0)
    assert err.value.key == "pairs.stale"
    with pytest.raises(pairs.PairError) as err:  # and now the officer's turn
        pairs.move(k.db, k.ben, k.games, p.id, "ask_flows", 1)
    assert err.value.key == "pairs.not_your_turn"
    with pytest.raises(pairs.PairError) as err:
        pairs.move(k.db, k.ann, k.games, p.id, "no_such_choice", 1)
    assert err.value.key == "pairs.bad_choice"
    pairs.move(k.db, k.ann, k.games, p.id, "ask_flows", 1)
    # Jiahe can pay: "the supermarket next door" would reveal what is not so; not open to her
    flows = pairs.view(k.db, k.ben, p.id)
    assert [i for i, _ in flows.line_options] == [0]
    with pytest.raises(pairs.PairError) as err:
        pairs.move(k.db, k.ben, k.games, p.id, 1, 2)
    assert err.value.key == "pairs.bad_line"
    assert len(pairs.get_pair(k.db, k.teacher, p.id).moves) == 2  # nothing was stored


# --- the talk and the case -----------------------------------------------------------------
def test_terms_go_into_the_officers_month_with_their_hours_and_the_log_replays(klass):
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann, months=1)
    pairs.begin(k.db, k.ann, k.games, p.id)
    for who, pick in ((k.ben, 0), (k.ann, "ask_flows"), (k.ben, 0), (k.ann, "monitor")):
        _say(k, who, p.id, pick)
    v = pairs.view(k.db, k.ben, p.id)
    assert v.turn.whose is PairSide.BORROWER and not v.turn.over  # the closing line
    assert [i for i, _ in v.line_options] == [0, 1]  # candid, or a polite evasion
    done = _say(k, k.ben, p.id, 1)
    assert done.status is PairStatus.DONE and done.result["held"]
    assert (done.path, done.lines) == (["ask_flows", "monitor"], [0, 0, 1])

    g = k.games.open(aid).game
    i = g.sim.pf.named_index["jiahe"]
    queued = [(q.loan_id, q.action_id, q.hours, q.cost_cny) for q in g.queued]
    assert queued == [(i, MEET_ACTION, *g.action_cost(i, MEET_ACTION)),
                      (i, "closer_monitoring", *g.action_cost(i, "closer_monitoring"))]
    assert done.result["queued"] == [[a, h, c] for _, a, h, c in queued]
    talk = g.pending_talks[0]
    assert (talk["roleplay"], talk["path"], talk["lines"]) == (
        "jiahe_extension", ["ask_flows", "monitor"], [0, 0, 1])
    assert talk["facts"] == [["ability_to_pay", True]]  # she told the truth about her takings

    k.games.end_month(aid, 1)
    log = k.games.store.get(aid).decision_log
    entry = json.loads(json.dumps(log[-1]))
    assert entry["talks"][0]["lines"] == [0, 0, 1]
    for m in range(2, 5):
        k.games.end_month(aid, m)
    live = k.games.open(aid).game
    again = Game.replay(k.scenario, live.seed, k.games.store.get(aid).decision_log)
    assert again.metrics().equals(live.metrics())
    assert again.events().equals(live.events())
    assert again.talk_history == live.talk_history
    assert again.talk_history[0]["lines"] == [0, 0, 1]


def test_a_breach_shows_to_both_sides_and_the_instructor(klass):
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    k.start(k.ann)
    pairs.begin(k.db, k.ann, k.games, p.id)
    _say(k, k.ben, p.id, 0)
    # "a one-year extension is no problem": not hers to give; "it stays normal": not hers
    # to promise either, and untrue of a borrower in difficulty
    _say(k, k.ann, p.id, "grant_now")
    for who in (k.ann, k.ben, k.teacher):
        v = pairs.view(k.db, who, p.id)
        assert [b.rule for b in v.outcome.breaches] == ["no_false_promise",
                                                        "no_disguised_restructuring"]
    _say(k, k.ben, p.id, 0)
    v = pairs.view(k.db, k.ann, p.id)
    # her case runs on: nothing that tells the hidden state (what she missed, the judged
    # session, the state itself) reaches the officer through the service
    assert v.turn.over and not v.full_feedback
    assert v.session is None and v.outcome.missed == [] and v.pair.state is None
    assert pairs.get_pair(k.db, k.ann, p.id).state is None
    assert all(x.state is None for x in pairs.my_pairs(k.db, k.ann))
    ben = pairs.view(k.db, k.ben, p.id)
    assert ben.full_feedback and ben.outcome.missed == ["ability_to_pay"]
    assert pairs.get_pair(k.db, k.ben, p.id).state.health == "strong"
    # the agreed restructuring goes to the engine's own rule: a performing loan is refused it
    assert [a for a, *_ in v.pair.result["queued"]] == [MEET_ACTION]
    assert [a for a, _ in v.pair.result["refused"]] == ["restructure"]
    # the debrief of the officer's case replays the talk with the borrower's lines
    from training.roleplay import talk_summaries

    aid = v.pair.attempt_id
    k.games.end_month(aid, 0)
    summaries = talk_summaries(k.games.open(aid).game, "en")
    assert len(summaries) == 1 and summaries[0].breaches[0].startswith("No promises")
    assert summaries[0].breaches[1] == (
        "No restructuring passed off as something else: Measures for the Risk Classification "
        "of Financial Assets of Commercial Banks (CBIRC and PBOC Order 2023 No. 1, in force 1 "
        "July 2023), on restructured assets.")
    for m in range(1, k.scenario.horizon_months):  # once her case is over, she sees it all
        k.games.end_month(aid, m)
    v = pairs.view(k.db, k.ann, p.id)
    assert v.full_feedback and v.outcome.missed == ["ability_to_pay"]


def test_the_talk_lapses_if_the_month_moves_on_some_other_way(klass):
    """The desk ends the month through pairs.end_month; a month moved on without it (another
    server, a script) still lapses the talk with nothing queued."""
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann)
    pairs.begin(k.db, k.ann, k.games, p.id)
    _say(k, k.ben, p.id, 0)
    assert [x.id for x in pairs.talking_on(k.db, k.ann, aid, 0)] == [p.id]  # the desk warns
    assert pairs.talking_on(k.db, k.ben, aid, 0) == []
    k.games.end_month(aid, 0)
    _say(k, k.ann, p.id, "grant_now")
    done = _say(k, k.ben, p.id, 0)
    assert done.status is PairStatus.LAPSED and not done.result["held"]
    g = k.games.open(aid).game
    assert g.month == 1 and g.queued == [] and "talks" not in g.decision_log[-1]


def test_ending_the_month_holds_the_talk_as_it_stood(klass):
    """The officer has read Jiahe's answer about her takings and ends the month: the meeting
    is held as it stood (its hours, what she said), not dropped; both players see it ended,
    no one can move on, and the officer's case replays exactly."""
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann, months=1)
    pairs.begin(k.db, k.ann, k.games, p.id)
    for who, pick in ((k.ben, 0), (k.ann, "ask_flows"), (k.ben, 0)):
        _say(k, who, p.id, pick)
    assert pairs.view(k.db, k.ann, p.id).turn.whose is PairSide.OFFICER
    g = k.games.open(aid).game
    i = g.sim.pf.named_index["jiahe"]
    hours = g.action_cost(i, MEET_ACTION)

    report, closed = pairs.end_month(k.db, k.ann, k.games, aid, 1)
    assert report is not None and [c.id for c in closed] == [p.id]
    assert closed[0].state is None  # the officer still may not see the hidden state
    done = pairs.get_pair(k.db, k.teacher, p.id)
    assert done.status is PairStatus.DONE
    assert done.result["held"] and done.result["left"] and done.result["month_end"]
    assert done.result["queued"] == [[MEET_ACTION, *map(float, hours)]]
    entry = json.loads(json.dumps(k.games.store.get(aid).decision_log[-1]))
    talk, = entry["talks"]
    assert (talk["path"], talk["lines"], talk["left"]) == (["ask_flows"], [0, 0], True)
    assert talk["facts"] == [["ability_to_pay", True]]  # what she said is in the file
    assert talk["actions"] == [MEET_ACTION]
    for who in (k.ann, k.ben, k.teacher):
        v = pairs.view(k.db, who, p.id)
        assert v.turn.over and not v.can_move and v.pair.result["month_end"]
        assert [f.kind for f in v.outcome.facts] == ["ability_to_pay"]
    with pytest.raises(pairs.PairError) as err:  # the talk does not go on into next month
        pairs.move(k.db, k.ann, k.games, p.id, "monitor", 3)
    assert err.value.key == "pairs.not_talking"
    assert pairs.talking_on(k.db, k.ann, aid, 1) == []

    for m in range(2, 5):
        k.games.end_month(aid, m)
    live = k.games.open(aid).game
    again = Game.replay(k.scenario, live.seed, k.games.store.get(aid).decision_log)
    assert again.metrics().equals(live.metrics())
    assert again.talk_history == live.talk_history
    assert again.talk_history[0]["left"] and again.talk_history[0]["month"] == 2


def test_a_question_not_yet_answered_counts_without_an_answer(klass):
    """The officer asked about the flows and ended the month before Jiahe answered: the
    meeting is held with the question (its hours), and nothing she did not say is filed."""
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann)
    pairs.begin(k.db, k.ann, k.games, p.id)
    _say(k, k.ben, p.id, 0)
    _say(k, k.ann, p.id, "ask_flows")
    _, closed = pairs.end_month(k.db, k.ann, k.games, aid, 0)
    assert closed[0].result["held"]
    talk = k.games.store.get(aid).decision_log[-1]["talks"][0]
    assert (talk["path"], talk["lines"], talk["facts"]) == (["ask_flows"], [0], [])
    v = pairs.view(k.db, k.ben, p.id)
    assert v.turn.over and v.line_options == [] and v.outcome.facts == []
    live = k.games.open(aid).game
    again = Game.replay(k.scenario, live.seed, k.games.store.get(aid).decision_log)
    assert again.talk_history == live.talk_history


def test_ending_the_month_after_a_withdrawal_moves_nothing_and_the_talk_lapses(klass):
    """The instructor withdrew the assignment while a paired talk was under way; the
    officer's stale desk ends the month. Nothing of the attempt moves (the withdrawal is
    said on the desk), and the talk lapses for both players, giving the reason."""
    from training.attempts import AttemptWithdrawn

    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann, months=1)
    pairs.begin(k.db, k.ann, k.games, p.id)
    for who, pick in ((k.ben, 0), (k.ann, "ask_flows"), (k.ben, 0)):
        _say(k, who, p.id, pick)
    saved = k.games.store.get(aid)
    cr.withdraw_assignment(k.db, k.teacher, k.assignment.id)
    with pytest.raises(AttemptWithdrawn):
        pairs.end_month(k.db, k.ann, k.games, aid, 1)
    after = k.games.store.get(aid)
    assert (after.month, after.decision_log) == (saved.month, saved.decision_log)
    for who in (k.ann, k.ben):
        v = pairs.view(k.db, who, p.id)
        assert v.pair.status is PairStatus.LAPSED and not v.can_move
        assert v.pair.result["reason"] == "attempt.withdrawn"


def test_a_talk_where_nothing_was_asked_lapses_with_the_month(klass):
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann)
    pairs.begin(k.db, k.ann, k.games, p.id)
    _say(k, k.ben, p.id, 0)  # only the borrower's opening
    _, closed = pairs.end_month(k.db, k.ann, k.games, aid, 0)
    assert closed[0].status is PairStatus.LAPSED
    assert closed[0].result == {"month_end": True, "held": False, "reason": "month_end_unsaid",
                                "queued": [], "refused": []}
    g = k.games.open(aid).game
    assert g.month == 1 and "talks" not in g.decision_log[-1]


def test_a_meeting_the_hours_cannot_carry_keeps_the_month_from_ending(klass):
    """Hours queued since the meeting opened leave none for it: the month does not end, the
    officer is told why, the talk goes on; freed hours let the month end with it held."""
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    aid = k.start(k.ann)
    pairs.begin(k.db, k.ann, k.games, p.id)
    _say(k, k.ben, p.id, 0)
    _say(k, k.ann, p.id, "ask_flows")
    g = k.games.open(aid).game
    i = g.sim.pf.named_index["jiahe"]
    for loan in range(g.sim.n):  # spend the month's hours on other loans
        for action in ("add_collateral", "closer_monitoring", "freeze_line"):
            if loan != i and k.games.open(aid).game.meeting_option(i).available:
                try:
                    k.games.queue(aid, loan, action)
                except ActionError:  # not every loan takes every action
                    continue
    assert not k.games.open(aid).game.meeting_option(i).available
    with pytest.raises(pairs.PairError) as err:
        pairs.end_month(k.db, k.ann, k.games, aid, 0)
    assert err.value.key == "pairs.month_end_refused"
    assert err.value.detail == {"borrower": "Ben", "code": "hours"}
    assert k.games.open(aid).game.month == 0
    assert pairs.get_pair(k.db, k.teacher, p.id).status is PairStatus.TALKING
    _say(k, k.ben, p.id, 0)  # the talk goes on
    while not k.games.open(aid).game.meeting_option(i).available:
        k.games.unqueue(aid, 0)
    _, closed = pairs.end_month(k.db, k.ann, k.games, aid, 0)
    assert closed[0].result["held"] and k.games.open(aid).game.month == 1


def test_an_evasive_borrower_keeps_the_diversion_from_the_loan_file(db_url):
    """Jinlan diverts from month 4: the borrower player may admit it or evade; only an
    admission puts it in the loan file, and a revealing line is never a lie."""
    k = Klass("real_estate")
    p1 = k.pair("jinlan_diversion", k.ann, k.ben)
    p2 = k.pair("jinlan_diversion", k.cat, k.dan)
    results = {}
    for officer, borrower, p, flows_line in ((k.ann, k.ben, p1, 2), (k.cat, k.dan, p2, 0)):
        aid = k.start(officer)
        g = k.games.open(aid).game
        i = g.sim.pf.named_index["jinlan"]
        while not g.sim.diverting[i]:
            k.games.end_month(aid, g.month)
            g = k.games.open(aid).game
        pairs.begin(k.db, officer, k.games, p.id)
        v = pairs.view(k.db, borrower, p.id)
        assert v.hidden_state.diverting
        _say(k, borrower, p.id, 0)
        _say(k, officer, p.id, "ask_onward_flows")
        options = [i for i, _ in pairs.view(k.db, borrower, p.id).line_options]
        assert options == [0, 2]  # admit it, or the plain answer; never "sales are down"
        _say(k, borrower, p.id, flows_line)
        _say(k, officer, p.id, "agree_entrusted")
        _say(k, borrower, p.id, 0)
        # the instructor and the borrower's player see where the borrower held back; the
        # officer does not while the case is under way (it would tell the hidden state)
        for who, told in ((k.teacher, True), (borrower, True), (officer, False)):
            marks = [e.evaded for e in pairs.view(k.db, who, p.id).transcript
                     if e.side is pairs.PairSide.BORROWER]
            # the opening's cover story is in character, not held back; the plain answer
            # to "where did the money go" is
            assert marks == ([False, flows_line == 2, False] if told else [None] * 3), who
        k.games.end_month(aid, g.month)
        results[flows_line] = bool(k.games.open(aid).game.loans()["known_diversion"].iat[i])
    assert results == {2: False, 0: True}


def test_lines_outside_the_permitted_set_do_not_replay() -> None:
    rp = load_all()["jiahe_extension"]
    from sim.borrower_state import BorrowerState

    strong = BorrowerState(health="strong")
    with pytest.raises(LineError):
        Conversation.replay(rp, strong, ["ask_flows"], [0, 1])
    weak = Conversation.replay(rp, BorrowerState(health="weak"), ["ask_flows"], [0, 1])
    assert weak.line().reveals == ["true_turnover"]  # the truth, said by a struggling Jiahe


def test_two_sessions_racing_for_one_turn_store_one_move(klass, monkeypatch):
    """Two servers read the pair at the same moment and both take turn 0: the database's
    unique (talk, seq) keeps the first; the second is told the other moved."""
    k = klass
    p = k.pair("jiahe_extension", k.ann, k.ben)
    k.start(k.ann)
    pairs.begin(k.db, k.ann, k.games, p.id)
    with k.db.session() as s:
        before = pairs._get(s, p.id)  # what the slower server read
    pairs.move(k.db, k.ben, k.games, p.id, 0, 0)
    real = pairs._get
    monkeypatch.setattr(pairs, "_get", lambda s, pid: before if pid == p.id else real(s, pid))
    with pytest.raises(pairs.PairError) as err:
        pairs.move(k.db, k.ben, k.games, p.id, 0, 0)
    assert err.value.key == "pairs.stale"
    monkeypatch.setattr(pairs, "_get", real)
    assert [m.seq for m in pairs.get_pair(k.db, k.teacher, p.id).moves] == [0]
