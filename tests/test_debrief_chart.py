"""A trainee whose result equals late collection sees both lines, and reads that they are equal.

The debrief's trajectory charts drew the trainee's thick line over late collection's thin
one, so a trainee who did nothing that changed a borrower's course saw three lines and no
late collection at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app_pages import charts
from sim.scenario import load_scenario
from training import report
from training.debrief_detail import same_lines, same_lines_text
from training.desk import Desk
from training.i18n import t

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def idle_trainee():
    """The intro case played to the end without a single action: only the policy's checks,
    which reveal and change nothing, so the result is late collection's."""
    g = Desk(load_scenario(ROOT / "scenarios" / "intro.yaml"))
    while not g.finished:
        g.end_month(g.month)
    d = g.debrief()
    return d, {lang: report.trajectories(d, lang) for lang in ("en", "zh")}


def test_equal_lines_are_said_in_words(idle_trainee):
    d, traj = idle_trainee
    table = d.table.set_index("strategy")
    assert table.at["you", "loss_cny"] == table.at["late-collection", "loss_cny"]
    assert table.at["early-warning", "loss_cny"] != table.at["you", "loss_cny"]
    for y in ("npl_ratio", "cum_loss_cny"):
        groups = same_lines(traj["en"], y, report.STRATEGIES)
        assert ["you", "late-collection"] in groups
        assert not any("early-warning" in g and "you" in g for g in groups)
    en = same_lines_text(traj["en"], "cum_loss_cny", report.STRATEGIES, "en")
    assert en.startswith("You and late collection: the same cumulative loss in every month")
    assert "avoided no loss" in en
    zh = same_lines_text(traj["zh"], "cum_loss_cny", report.STRATEGIES, "zh")
    assert zh.startswith("你与逾期后催收的累计损失每个月都相同") and "线条重合" in zh


def test_lines_apart_are_not_called_equal(idle_trainee):
    _, traj = idle_trainee
    moved = traj["en"].copy()
    late = moved["strategy"] == "late-collection"
    moved.loc[late & (moved["month"] == moved["month"].max()), "cum_loss_cny"] += 1.0
    assert same_lines(moved, "cum_loss_cny", report.STRATEGIES) == [] or all(
        "you" not in g for g in same_lines(moved, "cum_loss_cny", report.STRATEGIES))
    assert "You and late collection" not in same_lines_text(moved, "cum_loss_cny", report.STRATEGIES, "en")


def test_the_reference_line_is_drawn_over_yours_and_dashed(idle_trainee):
    _, traj = idle_trainee
    spec = charts.trajectories(traj["en"], "cum_loss_cny", "t", "y", ",.1f").to_dict()
    first, second = spec["layer"]
    # your line first (underneath), thick and pale; the references after it, on top
    assert first["transform"] == [{"filter": "(datum.strategy === 'you')"}]
    assert first["mark"]["strokeWidth"] > second["mark"]["strokeWidth"] and first["mark"]["opacity"] < 1
    dash = second["encoding"]["strokeDash"]["scale"]
    late = dash["domain"].index(t("strategy.late-collection"))  # in the page's language
    assert dash["range"][late]  # dashed: it shows on a line it lies on


def test_the_trajectories_start_at_month_1_and_count_money_in_whole_units(idle_trainee):
    """The axis began at an empty month 0 and read "200,000.0" in thousands of CNY (seen
    playing guarantee_chain): it spans the months played and a money axis has no decimal,
    which the tooltip keeps."""
    _, traj = idle_trainee
    spec = charts.trajectories(traj["en"], "cum_loss_cny", "t", "y", ",.1f").to_dict()
    enc = spec["layer"][0]["encoding"]
    months = traj["en"]["month"]
    assert enc["x"]["scale"]["domain"] == [months.min(), months.max()] and months.min() == 1
    assert enc["y"]["axis"]["format"] == ",.0f"
    assert next(x for x in enc["tooltip"] if x["field"] == "cum_loss_cny")["format"] == ",.1f"
    ratio = charts.trajectories(traj["en"], "npl_ratio", "t", "y", ".1%").to_dict()
    assert ratio["layer"][0]["encoding"]["y"]["axis"]["format"] == ".1%"
