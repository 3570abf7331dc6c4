"""training.units: one money unit per language, hours, shares, months and local times."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from training import units


def nb(text: str) -> str:
    """The text as the app writes it, on one line: a no-break space between a figure and
    its unit, a word joiner between a minus and the "CNY" after it (a line may break after
    "-" before a letter: a narrow cell read "[-" / "CNY 2,686k to")."""
    return text.replace(" ", "\u00a0").replace("-CNY", "-\u2060CNY")


@pytest.mark.parametrize(("cny", "zh", "en"), [
    (2_438_000, "243.8 万元", "CNY 2,438k"),
    (35_000, "3.5 万元", "CNY 35.0k"),
    (123_456_789, "12,346 万元", "CNY 123,457k"),
    (-22_000, "-2.2 万元", "-CNY 22.0k"),
    (float("nan"), "—", "—"),
    (None, "—", "—"),
])
def test_money_has_one_unit_per_language(cny, zh, en):
    assert units.money(cny, "zh") == nb(zh)
    assert units.money(cny, "en") == nb(en)


@pytest.mark.parametrize(("cny", "zh", "en"), [
    (20, "< 0.1 万元", "< CNY 0.1k"),  # a collection call: cheap, not free ("0 万元" read as free)
    (0, "—", "—"),
    (None, "—", "—"),
    (2_000, "0.2 万元", "CNY 2.0k"),
    (1_080_000, "108.0 万元", "CNY 1,080k"),
])
def test_an_action_cost_is_never_written_as_zero(cny, zh, en):
    assert units.cost(cny, "zh") == nb(zh)
    assert units.cost(cny, "en") == nb(en)


def test_tables_carry_numbers_in_the_unit_named_in_the_header():
    assert units.in_unit(2_438_000, "zh") == pytest.approx(243.8)
    assert units.in_unit(2_438_000, "en") == pytest.approx(2438.0)
    assert units.money_header("余额", "zh") == "余额(万元)"
    assert units.money_header("Balance", "en") == "Balance (CNY k)"


def test_no_delta_when_nothing_changed():
    assert units.pct_delta(0.0) is None
    assert units.pct_delta(0.00001) is None  # rounds to 0.00%
    assert units.pct_delta(None) is None
    assert units.pct_delta(0.0012, lang="en") == "+0.12 pp on last month"
    assert units.pct_delta(-0.0012, lang="en") == "-0.12 pp on last month"
    assert units.pct_delta(0.0314, lang="zh") == "+3.14 个百分点（较上月）"


def test_a_change_in_the_npl_ratio_reads_as_points_against_last_month_not_a_percent():
    """Under "NPL ratio 3.14%" the desk showed "↑ +3.14%": a relative change to a reader,
    and against nothing named. It is a change in points since last month, and says so;
    it starts with its sign, which sets the arrow's direction."""
    for lang in ("en", "zh"):
        up, down = units.pct_delta(0.0314, lang=lang), units.pct_delta(-0.005, lang=lang)
        assert up.startswith("+3.14") and "%" not in up
        assert down.startswith("-0.50") and "%" not in down


def test_hours_left_never_shows_a_negative_number():
    assert units.hours_left(12, "en") == "12\u00a0h"
    assert units.hours_left(-22, "en") == "over by 22\u00a0h"
    assert units.hours_left(-22, "zh") == "超出 22\u00a0小时"
    assert units.hours(7.25, "zh") == "7.2\u00a0小时" and units.hours(945.1, "en") == "945.1\u00a0h"


def test_hours_keep_their_unit_on_the_same_line():
    """'hours planned 216 h of 80 h' wrapped as '80' and a lone 'h' on the next line (and
    '4,803.5 h' in the debrief's table): the number and its unit are joined by a no-break
    space."""
    for lang, unit in (("en", "h"), ("zh", "小时")):
        text = units.hours(4803.5, lang)
        assert text == f"4,803.5\u00a0{unit}" and " " not in text
    assert "-" not in units.hours_left(-0.5, "en")


def test_months_agree_in_number():
    assert units.months(1, "en") == "1 month"
    assert units.months(2, "en") == "2 months"
    assert units.months(1.5, "en") == "1.5 months"
    assert units.months(1, "zh") == "1 个月"


def test_times_are_local_and_labelled():
    utc = datetime(2026, 12, 1, 21, 5, tzinfo=UTC)
    assert units.local_time(utc, "Asia/Shanghai", "en") == "2026-12-02 05:05 (Asia/Shanghai)"
    # a stored naive time is UTC; without a known zone it says UTC
    assert units.local_time(datetime(2026, 12, 1, 21, 5), None, "en") == "2026-12-01 21:05 (UTC)"
    assert units.local_time(utc, "Not/AZone", "zh") == "2026-12-01 21:05（UTC）"


def test_durations_read_as_a_clock_would():
    assert units.duration(44.6, "en") == "45 s"
    assert units.duration(185, "en") == "3 min 05 s"
    assert units.duration(185, "zh") == "3 分 05 秒"
    assert units.duration(4830, "en") == "1 h 20 min"
    assert units.duration(4830, "zh") == "1 小时 20 分"
    assert units.duration(-1, "en") == "0 s"


def test_a_study_says_its_time_left_only_once_its_pace_is_known():
    from training.lab_jobs import Progress

    assert Progress(0, 100, 9.0).left_s is None  # nothing finished yet
    assert Progress(10, 100, 2.0).left_s is None  # too soon: the workers' start-up
    assert Progress(20, 100, 30.0).left_s == pytest.approx(120.0)  # 1.5 s a future, 80 to go
    assert Progress(100, 100, 150.0).left_s is None  # done


@pytest.mark.parametrize(("lang", "guess", "over", "paced"), [
    ("en", "3 s so far, about 9 s left by the first estimate",
     "longer than the estimated 12 s (the machine may be busy)",
     "30 s so far, about 2 min 00 s left at the pace so far"),
    ("zh", "已用 3 秒，按最初估算约剩 9 秒", "已超过预计的 12 秒（机器可能较忙）",
     "已用 30 秒，按目前速度约剩 2 分 00 秒")])
def test_a_running_study_says_its_time_left_from_the_futures_finished(lang, guess, over, paced):
    """Told about 4 s, a manager waited a minute on a busy machine and took the app for
    hung. The bar gives the up-front estimate's remainder, says when the study runs past
    it, and once a few futures are done the time left at their pace (a fake clock)."""
    from training.lab_jobs import Pace, progress_text

    now = [100.0]
    pace = Pace(100, estimate_s=12.0, clock=lambda: now[0])
    assert pace.progress.done == 0 and pace.progress.estimate_s == 12.0
    now[0] = 103.0
    pace.tick(1, 100)
    assert guess in progress_text(pace.progress, lang)
    now[0] = 115.0
    pace.tick(3, 100)  # past the estimate, too few futures for a pace
    assert over in progress_text(pace.progress, lang)
    now[0] = 130.0
    pace.tick(20, 100)  # 1.5 s a future, 80 to go: the pace replaces the guess
    text = progress_text(pace.progress, lang)
    assert paced in text and "20" in text and "100" in text, text
    now[0] = 250.0
    pace.tick(100, 100)
    assert "left" not in progress_text(pace.progress, lang) and "剩" not in progress_text(
        pace.progress, lang)


@pytest.mark.parametrize(("cny", "zh", "en"), [
    # a monthly officer cost the manager typed: 6,300 yuan read "0.6 万元" in the lab
    (6_300, "0.63 万元", "CNY 6.3k"),
    (5_200, "0.52 万元", "CNY 5.2k"),
    (6_000, "0.6 万元", "CNY 6.0k"),
    (20_000, "2.0 万元", "CNY 20.0k"),
])
def test_money_as_typed_reads_back_what_was_typed(cny, zh, en):
    assert units.money_as_typed(cny, "zh") == nb(zh)
    assert units.money_as_typed(cny, "en") == nb(en)


def test_hours_keep_their_decimal_when_asked():
    """A lab mean of -4,297.0 h read "-4,297 h" beside "-4,262.1 h", as if exact."""
    assert units.hours(-4297.0, "en").replace("\xa0", " ") == "-4,297 h"
    assert units.hours(-4297.0, "en", decimal=True).replace("\xa0", " ") == "-4,297.0 h"
    assert units.hours(12.5, "zh", decimal=True).replace("\xa0", " ") == "12.5 小时"


@pytest.mark.parametrize(("lang", "waiting", "between"), [
    ("en", "4 s so far, about 56 s left by the first estimate",
     "20 s so far, about 3 min 00 s left at the pace so far"),
    ("zh", "已用 4 秒，按最初估算约剩 56 秒", "已用 20 秒，按目前速度约剩 3 分 00 秒")])
def test_a_study_bar_keeps_time_while_no_future_finishes(lang, waiting, between):
    """On a loaded machine a large case's first futures took some 20 s: the bar read
    "0 of 200 futures simulated · 0 s so far, about 59 s left" the whole time, a clock
    that stood still, as if the app had hung. Between finished futures the time so far
    goes on and the time left counts down (a fake clock)."""
    from training.lab_jobs import Pace, progress_text

    now = [100.0]
    pace = Pace(100, estimate_s=60.0, clock=lambda: now[0])
    now[0] = 104.0  # nothing finished yet
    assert waiting in progress_text(pace.now(), lang)
    now[0] = 110.0
    pace.tick(5, 100)  # 2 s a future: the end at 200 s
    now[0] = 120.0  # ten seconds on, no future more
    assert between in progress_text(pace.now(), lang)


def test_a_running_jobs_progress_is_read_on_the_clock():
    from sim.scenario import load_scenario
    from sim.study import builtin
    from training import lab
    from training.lab_jobs import StudyJob

    intro = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "intro.yaml")
    request = lab.LabRequest(scenario=intro, strategies=(builtin("early-warning"),),
                             reps=2, seed=1)
    job = StudyJob(request, estimate_s=60.0)  # not started: it stays running
    now = [job._pace.started + 7.0]
    job._pace.clock = lambda: now[0]
    assert job.progress.elapsed_s == pytest.approx(7.0)
    now[0] += 5.0
    assert job.progress.elapsed_s == pytest.approx(12.0)
