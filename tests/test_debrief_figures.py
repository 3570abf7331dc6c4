"""The debrief's figures read the same in its sentences and in its tables."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from training import report

ROOT = Path(__file__).resolve().parents[1]


def test_the_loss_in_the_table_is_the_loss_in_the_verdict():
    """A hurried play of guarantee_chain lost CNY 196,479,499: the verdict said
    "CNY 196,479k", the comparison table beside it "196,480" (rounded to a tenth of a
    thousand first, then to whole thousands). Both round once, to the same figure."""
    loss = {"you": 196_479_499.0, "late-collection": 196_479_499.0,
            "early-warning": 167_313_650.0, "oracle": 87_114_449.0}
    d = SimpleNamespace(table=pd.DataFrame({"strategy": list(loss), "loss_cny": list(loss.values())}))
    for lang, said, cell in (("en", "CNY\u00a0196,479k", "196,479"), ("zh", "19,648\u00a0万元", "19,648")):
        assert said in report.verdict_text(d, lang)
        table = report.comparison_table(d, lang)
        assert table.iloc[0, 1] == cell, table


def test_the_debrief_says_in_how_many_months_the_plan_left_no_hour_to_act():
    """A hurried trainee on guarantee_chain ended month after month with the case's plan,
    which needs 255-528 h of checks a month against 180 h: every Queue button said the
    hours had run out, and the debrief never said why so few steps were taken."""
    from sim.scenario import load_scenario
    from training.desk import Desk

    case = load_scenario(ROOT / "scenarios" / "guarantee_chain.yaml")
    desk = Desk(case, case.seed)
    for _ in range(3):
        desk.end_month(desk.month)
    assert report.overrun_months(desk) == 3
    en = report.plan_overrun_note(desk, "en")
    assert en.startswith("In 3 of the 24 months the checks your monitoring plan booked needed "
                         "more hours than your officers had")
    assert '"not enough staff hours left this month"' in en  # the words on the Queue buttons
    zh = report.plan_overrun_note(desk, "zh")
    assert zh.startswith("24 个月中有 3 个月") and "本月剩余工时不足" in zh
    # the words the note quotes are the desk's own: the figure, the button, its reason, the view
    from training.i18n import t
    for lang, note in (("en", en), ("zh", zh)):
        for key in ("fig.hours_left", "actions.queue", "engine.reason.hours", "desk.view_policy"):
            assert t(key, lang) in note, (lang, key)


def test_no_overrun_note_when_the_plan_fits_the_hours():
    """Intro's opening plan fits its hours: nothing to explain."""
    from sim.scenario import load_scenario
    from training.desk import Desk

    case = load_scenario(ROOT / "scenarios" / "intro.yaml")
    desk = Desk(case, case.seed)
    desk.end_month(desk.month)
    assert report.overrun_months(desk) == 0
    assert report.plan_overrun_note(desk, "en") is None
