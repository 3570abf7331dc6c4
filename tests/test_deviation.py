"""Tests for sim.deviation: classification deviation (分类偏离度) on a small constructed
history, where every share can be counted by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim.codes import LoanClass
from sim.deviation import deviation

N, SM, SS = LoanClass.NORMAL, LoanClass.SPECIAL_MENTION, LoanClass.SUBSTANDARD


def month(cls, objective, warranted, on_books):
    return {"cls": np.array(cls, dtype=np.int8), "cls_objective": np.array(objective, dtype=np.int8),
            "cls_warranted": np.array(warranted, dtype=np.int8),
            "on_books": np.array(on_books, dtype=bool)}


def test_shares_and_per_loan_rows_on_a_constructed_case():
    # loan 0: booked normal while warranted special mention for two months (hidden risk)
    # loan 1: judged substandard while warranted special mention, one month (over-classified)
    # loan 2: always right; loan 3: repaid after month 1 (its later months do not count)
    history = [
        month([N, SM, N, N], [N, SM, N, N], [N, SM, N, N], [1, 1, 1, 1]),
        month([N, SS, N, N], [N, N, N, N], [SM, SM, N, N], [1, 1, 1, 0]),
        month([N, SM, N, N], [N, N, N, N], [SM, SM, N, SS], [1, 1, 1, 0]),
    ]
    d = deviation(history)
    assert d.loan_months == 10
    assert d.share_better == pytest.approx(2 / 10)
    assert d.share_worse == pytest.approx(1 / 10)
    assert d.share_matched == pytest.approx(7 / 10)
    assert d.share_judged == pytest.approx(2 / 10)  # loan 1 above its floor in months 2 and 3
    # the floor alone: loan 0 twice and loan 1 twice below warranted
    assert d.share_floor_better == pytest.approx(4 / 10)
    rows = d.loans.set_index("loan_id")
    assert sorted(rows.index) == [0, 1]
    assert rows.loc[0, "months_better"] == 2 and rows.loc[0, "worst_gap"] == -1
    assert rows.loc[1, "months_worse"] == 1 and rows.loc[1, "worst_gap"] == 1
    assert rows.loc[1, "months_judged"] == 2
    assert rows.index[0] == 0  # the loans booked better than warranted come first


def test_nothing_played_is_no_deviation():
    d = deviation([])
    assert d.loan_months == 0 and d.share_better == 0.0 and d.loans.empty


@pytest.mark.parametrize("lang, gap, words", [
    ("en", -1, "1 class better than warranted"), ("en", 2, "2 classes worse than warranted"),
    ("zh", -2, "优于应有分类 2 档"), ("zh", 1, "差于应有分类 1 档"), ("en", 0, "—")])
def test_the_debrief_says_which_way_a_loan_was_misclassed(lang, gap, words):
    """The debrief's largest gap reads as words: a bare -1 did not say better or worse."""
    from training.judgement_view import gap_text

    assert gap_text(gap, lang) == words
