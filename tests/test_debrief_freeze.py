"""The debrief says what the lines you froze kept off the books, and counts it once.

A freeze (冻结额度) stops a borrower in difficulty from drawing the rest of its line: the
exposure it prevents never appears as a loss. Late collection never freezes, so on the same
seed what its borrower drew beyond yours is what the freeze kept off; the loss that saved
is already inside your credit loss and is said, not added.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.game_actions import ActionError
from sim.scenario import load_scenario
from training import report, units
from training.debrief_freeze import freeze_lines, frozen_lines
from training.desk import Desk
from training.i18n import t

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def froze():
    """Real estate with the routine checks given 30 hours a month, every line frozen as soon
    as the engine allows it (a ground: arrears, the watch list or a recent signal)."""
    g = Desk(load_scenario(ROOT / "scenarios" / "real_estate.yaml"))
    g.set_routine_hours(30.0)
    while not g.finished:
        for i in range(g.sim.n):
            with suppress(ActionError):  # no ground yet, or no hours left
                g.queue(i, "freeze_line")
        g.end_month(g.month)
    return g, g.debrief()


def test_the_debrief_counts_what_your_frozen_lines_kept_off_the_books(froze):
    g, d = froze
    ev = g.result().events
    ids = sorted(set(ev.loc[ev["event"] == "action_freeze_line", "loan_id"].astype(int)))
    assert ids and not (ev["event"] == "action_accelerate").any()
    you = d.loans["you"].set_index("loan_id").loc[ids]
    late = d.loans["late-collection"].set_index("loan_id").loc[ids]
    drew_more = (late["disbursed_cny"] - you["disbursed_cny"]).clip(lower=0)
    assert drew_more.sum() > 0  # the frozen borrowers drew more where nobody froze them
    assert d.frozen.kept_off_cny == pytest.approx(drew_more.sum())
    assert d.frozen.reached_default_cny == pytest.approx(drew_more[late["default_month"] >= 0].sum())
    # the loss it saved is the engine's loss on these loans, already in your total
    assert d.frozen.loss_gap_cny == pytest.approx((late["loss_cny"] - you["loss_cny"]).sum())
    for lang, kept in (("en", "kept off the books"), ("zh", "挡在账外")):
        text = " ".join(freeze_lines(d.frozen, lang))
        assert kept in text and units.money(d.frozen.kept_off_cny, lang) in text
        assert units.money(abs(d.frozen.loss_gap_cny), lang) in text
        # a freeze ends no loan: the recall's story is not told of it
        conduct = " ".join(report.conduct_lines(d, lang))
        assert t("conduct.heavy_advice", lang) not in conduct
    assert "not counted again" in " ".join(freeze_lines(d.frozen, "en"))


def test_a_frozen_loan_names_the_exposure_its_borrower_drew_under_late_collection(froze):
    g, d = froze
    named = [gap for gap in d.sources.loans if gap.lesson.key == "froze_kept_off"]
    assert named
    for gap in named:
        extra = gap.base.disbursed_cny - gap.you.disbursed_cny
        assert gap.lesson.values["amount_cny"] == pytest.approx(extra) and extra > 0
        assert gap.base.default_month is not None and gap.gap_cny <= 0
        for lang in ("en", "zh"):
            assert units.money(extra, lang) in report.lesson_text(gap.lesson, lang)


def test_a_freeze_that_kept_nothing_off_says_so():
    """Late collection's borrower drew no more: nothing is claimed for the freeze."""
    frame = pd.DataFrame({"loan_id": [0, 1], "disbursed_cny": [80_000.0, 50_000.0],
                          "default_month": [-1, -1], "loss_cny": [0.0, 0.0],
                          "interest_cny": [4_000.0, 3_000.0]})
    you = SimpleNamespace(loans=frame, events=pd.DataFrame(
        {"month": [3], "loan_id": [0], "event": ["action_freeze_line"]}))
    late = SimpleNamespace(loans=frame)
    fl = frozen_lines(you, late)
    assert fl.kept_off_cny == 0 and fl.undrawn_anyway == 1
    en = freeze_lines(fl, "en")
    assert "kept nothing off the books" in en[0] and "lost what late collection lost" in en[1]
    zh = freeze_lines(fl, "zh")
    assert "冻结没有挡住任何敞口" in zh[0]
    # one loan frozen: one loan and its borrower, not "these loans"
    assert "1 loan," in en[0] and "its borrower" in en[0] and en[1].startswith("On this loan")
    assert "these" not in " ".join(en) and "这些" not in " ".join(zh)
    assert zh[1].startswith("在这笔贷款上") and "该借款人" in zh[0]
    assert frozen_lines(SimpleNamespace(loans=frame, events=you.events.iloc[:0]), late) is None
