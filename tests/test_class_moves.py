"""A classification change says from which class to which (正常 → 关注), wherever the desk
and the attempt replay list it: the month's events table, the story of the loans acted on,
the quarterly review's class changes. The engine logs the class after a change; the class
before it comes from the log (training.desk.class_before) and must be the class the
engine had booked the month before."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.codes import LoanClass
from sim.scenario import load_scenario
from training import report
from training.desk import Desk
from training.i18n import cls_name, t

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def played():
    """The real-estate case played to its end, with a judgement that books a loan worse
    than its floor: changes into and out of every kind of class."""
    g = Desk(load_scenario(ROOT / "scenarios" / "real_estate.yaml"), seed=3)
    g.end_month(0)
    g.classify(0, int(LoanClass.SUBSTANDARD), "warning_signals")
    while not g.finished:
        g.end_month(g.month)
    return g


def test_each_change_moves_from_the_class_booked_the_month_before(played):
    ev = played.events()
    moves = ev[ev["event"] == "class_change"]
    assert len(moves) > 20
    history = played.sim.history  # history[k]: the book after month k + 1
    for m, i, before, after in zip(moves["month"], moves["loan_id"], moves["cls_before"],
                                   moves["amount_cny"], strict=True):
        booked_before = history[m - 2]["cls"][i] if m >= 2 else LoanClass.NORMAL
        assert (before, after) == (booked_before, history[m - 1]["cls"][i])
        assert before != after
    # not only into and out of special mention: the judgement's substandard among them
    assert {int(LoanClass.SUBSTANDARD), int(LoanClass.SPECIAL_MENTION)} <= set(moves["cls_before"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_replay_and_the_desk_say_from_and_to_in_the_five_category_names(played, lang):
    ev = played.events()
    first = ev[ev["event"] == "class_change"].iloc[0]
    month, loan = int(first["month"]), int(first["loan_id"])
    said = f"{cls_name(int(first['cls_before']), lang)} → {cls_name(int(first['amount_cny']), lang)}"
    assert said in (("正常 → 关注",) if lang == "zh" else ("Normal → Special mention",))

    table = report.events_table(played.events(month), lang)
    details = report._col("details", lang)
    event = report._col("event_text", lang)
    row = table[(table[report._col("label", lang)] == first["label"])
                & (table[event] == t("engine.event.class_change", lang))]
    assert row[details].tolist() == [said]
    story = report.loan_story(played.events(month), [loan], lang)
    assert any(line.endswith(said) for line in story), story

    review = played.review(month)  # the quarter's changes end with this month's
    changes = report.class_changes_table(review.class_changes, lang)
    col = {c: report._col(c, lang) for c in ("month", "label", "from_cls", "to_cls")}
    mine = changes[(changes[col["label"]] == first["label"])
                   & (changes[col["month"]] == report.month_text(month, lang))]
    assert mine[[col["from_cls"], col["to_cls"]]].values.tolist() == [said.split(" → ")]
