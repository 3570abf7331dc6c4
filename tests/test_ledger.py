"""Tests for training.ledger: review-meeting resolutions, their follow-through read from
the event log, and their survival through a reload (the attempt's stored decisions)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.codes import LoanClass
from sim.game import Game
from sim.scenario import load_scenario, parse_scenario
from tests.test_judgement import CASE
from training.attempts import AttemptStore, LiveGames
from training.ledger import (
    CLASSIFY,
    LedgerError,
    follow_through,
    judgement_choice,
    ledger_frame,
    make_resolution,
)


@pytest.fixture(scope="module")
def case():
    return parse_scenario(CASE)


def game_at(case, month: int) -> Game:
    g = Game(case, seed=4)
    while g.month < month:
        g.end_month(g.month)
    return g


def add(g: Game, what: str, loan: int, deadline: int, owner: str = "王经理") -> None:
    g.add_resolution(make_resolution(g, what, loan, owner, deadline).model_dump())


def test_done_when_the_named_action_is_taken_by_the_deadline(case):
    g = game_at(case, 3)
    add(g, "closer_monitoring", 1, 5)       # done in month 5: on time
    add(g, "onsite_check", 2, 4)            # done in month 5: too late, missed
    add(g, CLASSIFY, 3, 6)                  # judgement in month 4: done
    add(g, "closer_monitoring", 4, 8)       # never done, deadline not reached: open
    assert ledger_frame(g)["status"].tolist() == ["open"] * 4
    g.classify(3, max(LoanClass.SPECIAL_MENTION, int(g.sim.cls_objective[3])), "review_meeting")
    g.end_month(3)  # the judgement is booked in month 4
    g.queue(1, "closer_monitoring")
    g.queue(2, "onsite_check")
    g.end_month(4)  # both taken in month 5
    f = ledger_frame(g).set_index("loan_id")
    assert f.loc[1, "status"] == "done" and f.loc[1, "done_month"] == 5
    assert f.loc[2, "status"] == "missed"
    assert f.loc[3, "status"] == "done" and f.loc[3, "done_month"] == 4
    assert f.loc[4, "status"] == "open"
    ft = follow_through(g)
    assert (ft.made, ft.due, ft.done) == (4, 3, 2)
    assert ft.share_done == pytest.approx(2 / 3)


def test_an_action_before_the_meeting_does_not_count(case):
    g = game_at(case, 2)
    g.queue(5, "closer_monitoring")
    g.end_month(2)  # done in month 3, before the meeting at the end of month 3
    add(g, "closer_monitoring", 5, 4)
    g.end_month(3)
    g.end_month(4)
    assert ledger_frame(g)["status"].tolist() == ["missed"]
    assert follow_through(g).share_done == 0.0


@pytest.mark.parametrize("what, loan, owner, deadline, field", [
    ("fly_to_the_moon", 1, "A", 5, "what"),
    ("onsite_check", None, "A", 5, "loan_id"),
    ("onsite_check", 10_000, "A", 5, "loan_id"),
    ("onsite_check", 1, "   ", 5, "owner"),
    ("onsite_check", 1, "x" * 41, 5, "owner"),
    ("onsite_check", 1, "A", 3, "deadline_month"),
    ("onsite_check", 1, "A", 99, "deadline_month"),
])
def test_bad_resolutions_name_the_field(case, what, loan, owner, deadline, field):
    g = game_at(case, 3)
    with pytest.raises(LedgerError) as err:
        make_resolution(g, what, loan, owner, deadline)
    assert err.value.field == field
    assert g.ledger == []


def test_nothing_due_is_no_share(case):
    g = game_at(case, 1)
    assert follow_through(g).share_done is None


def test_judgement_choice_offers_the_floor_and_worse(case):
    g = game_at(case, 2)
    for i in range(case.n_loans):
        ch = judgement_choice(g, i)
        assert ch.classes[0] == ch.floor
        assert all(c >= ch.floor for c in ch.classes)
        assert ch.booked >= ch.floor


def test_ledger_and_queued_judgement_survive_a_reload(tmp_path):
    sc = load_scenario("scenarios/intro.yaml")
    url = f"sqlite:///{tmp_path / 'attempts.db'}"
    games = LiveGames(AttemptStore(url), lambda _id: sc)
    live = games.start(sc, seed=2)
    aid = live.attempt.id
    for m in range(3):
        games.end_month(aid, m)
    i = int(np.argmax(live.game.sim.cls_objective == LoanClass.NORMAL))
    games.add_resolution(aid, "onsite_check", i, "Li", 5)
    games.classify(aid, i, LoanClass.SPECIAL_MENTION, "warning_signals")
    with pytest.raises(LedgerError):
        games.add_resolution(aid, "onsite_check", i, "", 5)
    # a server restart: a new process, the same database
    again = LiveGames(AttemptStore(url), lambda _id: sc).open(aid)
    assert ledger_frame(again.game)[["loan_id", "owner", "deadline_month"]].values.tolist() == [
        [i, "Li", 5]]
    assert again.game.classify_queued == [(i, LoanClass.SPECIAL_MENTION, "warning_signals")]
    # once the month ends they are in the decision log, and a replay keeps them
    LiveGames(AttemptStore(url), lambda _id: sc).end_month(aid, 3)
    third = LiveGames(AttemptStore(url), lambda _id: sc).open(aid)
    assert len(third.game.ledger) == 1
    assert third.game.sim.cls[i] >= LoanClass.SPECIAL_MENTION


def test_the_downloadable_debrief_carries_deviation_and_the_ledger(case):
    from training.desk import Desk
    from training.judgement_view import debrief_html_sections

    g = Desk(case, seed=4)
    for m in range(3):
        g.end_month(m)
    add(g, "closer_monitoring", 1, 5, owner="赵<科长>")
    html_zh = "".join(debrief_html_sections(g, "zh"))
    assert "分类偏离度" in html_zh and "例会决议落实情况" in html_zh
    assert "赵&lt;科长&gt;" in html_zh  # escaped
    assert "加强监控" in html_zh and "closer_monitoring" not in html_zh  # named, not the code
    html_en = "".join(debrief_html_sections(g, "en"))
    assert "Classification deviation" in html_en and "Review-meeting resolutions" in html_en
