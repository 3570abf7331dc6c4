"""The shaping below the pages: key figures, filters, tables in both languages, the HTML report,
and the live-game registry (pending decisions survive a restart, stale months do nothing)."""

import math
import re
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path
from types import SimpleNamespace

import pytest

from sim.scenario import load_scenario
from training import report
from training.attempts import AttemptStore, LiveGames
from training.desk import Desk as Game

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def intro():
    return load_scenario(ROOT / "scenarios" / "intro.yaml")


@pytest.fixture(scope="module")
def finished_game(intro):
    g = Game(intro)
    while not g.finished:
        g.end_month(g.month)
    return g


def test_training_layer_does_not_import_streamlit():
    code = ("import sys, training.attempts, training.report, training.i18n; "
            "sys.exit(1 if 'streamlit' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_key_figures_at_the_start_and_later(intro):
    g = Game(intro)
    fig = report.key_figures(g)
    assert fig.month == 1 and fig.horizon == intro.horizon_months
    assert fig.outstanding_cny == pytest.approx(g.loans()["balance_cny"].sum())
    assert fig.hours_left == pytest.approx(g.hours_available - g.hours_planned)
    # provisions are shown from the start (they were "—" until a month had ended), worked
    # out as every month's are: month 1's figure, with nothing defaulted yet, is close
    assert fig.provisions_cny > 0
    opening = fig.provisions_cny
    g.end_month(0)
    assert report.key_figures(g).provisions_cny == pytest.approx(opening, rel=0.1)
    g.end_month(1)
    fig = report.key_figures(g)
    assert fig.month == 3 and fig.npl_delta is not None
    assert fig.outstanding_cny == pytest.approx(g.metrics()["outstanding_cny"].iloc[-1])


def test_filter_loans(finished_game):
    loans = finished_game.loans()
    live = report.filter_loans(loans)
    assert set(live["status"]) <= {"active", "defaulted"}  # on the books, defaulted included
    assert set(live["loan_id"]) == set(loans.loc[loans["status"].isin(["active", "defaulted"]), "loan_id"])
    sm = report.filter_loans(loans, classes=[1])
    assert (sm["cls"] == 1).all()
    late = report.filter_loans(loans, dpd_min=30, live_only=False)
    assert (late["dpd"] >= 30).all()
    alerted = report.filter_loans(loans, alerts_only=True)
    assert (alerted["alerts"] > 0).all()
    wc = report.filter_loans(loans, products=["working_capital"])
    assert set(wc["product"]) <= {"working_capital"}


@pytest.mark.parametrize("lang,header,cls", [("zh", "五级分类", "正常"), ("en", "Class", "Normal")])
def test_tables_speak_the_language(finished_game, lang, header, cls):
    table = report.loan_table(finished_game.loans(), lang)
    assert header in table.columns and cls in set(table[header])
    lf = finished_game.loan_file(0)
    for frame in (report.kv_table(lf.profile, lang), report.kv_table(lf.terms, lang),
                  report.frame_for_display(lf.payments, lang), report.alerts_table(finished_game.alerts(0), lang)):
        assert not [c for c in frame.columns if "_" in str(c)], frame.columns  # no raw engine names
    # a loan file's money is written with its unit once: in the value, not the label too
    terms = report.kv_table(lf.terms, lang)
    unit = "万元" if lang == "zh" else "CNY"
    labels, values = terms.iloc[:, 0].tolist(), terms.iloc[:, 1].tolist()
    assert any(unit in v for v in values) and not any(unit in x for x in labels)


def test_class_mix_is_in_class_order(finished_game):
    long = report.class_mix(finished_game.metrics(), "en")
    assert list(long.sort_values("order")["cls"].drop_duplicates()) == [
        "Normal", "Special mention", "Substandard", "Doubtful", "Loss"]
    assert long.groupby("month")["balance_cny"].sum().iloc[0] > 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_debrief_report_is_self_contained(intro, finished_game, lang):
    d = finished_game.debrief()
    html = report.debrief_html(intro, d, lang, "a1b2c3", {"why-post-loan": "WHY"})
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert html.count("<svg") == 2 and "<table>" in html and "<style>" in html
    for forbidden in ("<script", "<link", "src=", "https://", "@import"):
        assert forbidden not in html
    assert intro.title.get(lang) in html and "WHY" in html
    table = report.comparison_table(d, lang)
    assert len(table) == 4
    # the note on a plan that took every hour goes where the page puts it, after what you did
    note = report.plan_overrun_note(SimpleNamespace(sim=SimpleNamespace(rec=SimpleNamespace(
        months=[SimpleNamespace(checks_done=9, check_quality=0.67)])), horizon=12), lang)
    with_note = report.debrief_html(intro, d, lang, "a1b2c3", overrun_note=note)
    assert html_escape(note) in with_note and html_escape(note) not in html


def test_live_games_keep_pending_decisions_across_a_restart(intro, fresh_db):
    store = AttemptStore()
    games = LiveGames(store, lambda _id: intro)
    live = games.start(intro)
    aid = live.attempt.id
    assert games.end_month(aid, 0) is not None
    loan_id = int(live.game.loans()["loan_id"].iloc[0])
    action = next(o.id for o in live.game.options(loan_id) if o.available)
    games.queue(aid, loan_id, action)
    policy = live.game.policy.model_copy(
        update={"interval_months": live.game.policy.interval_months.model_copy(update={"normal": 1})})
    games.set_policy(aid, policy)
    restarted = LiveGames(AttemptStore(), lambda _id: intro)  # a new server process
    g2 = restarted.open(aid).game
    assert g2.month == 1
    assert [(q.loan_id, q.action_id) for q in g2.queued] == [(loan_id, action)]
    assert g2.policy.interval_months.normal == 1
    assert g2.loans().equals(live.game.loans())


def test_the_hours_given_to_checks_survive_a_restart_in_the_month_and_the_log(intro, fresh_db):
    games = LiveGames(AttemptStore(), lambda _id: intro)
    aid = games.start(intro).attempt.id
    games.set_routine_hours(aid, 12.0)
    assert LiveGames(AttemptStore(), lambda _id: intro).open(aid).game.routine_hours == 12.0
    assert games.end_month(aid, 0) is not None
    restarted = LiveGames(AttemptStore(), lambda _id: intro).open(aid).game
    assert restarted.month == 1 and restarted.routine_hours == 12.0  # from the log
    games.set_routine_hours(aid, None)
    assert LiveGames(AttemptStore(), lambda _id: intro).open(aid).game.routine_hours is None


def test_live_games_end_month_is_idempotent(intro, fresh_db):
    games = LiveGames(AttemptStore(), lambda _id: intro)
    aid = games.start(intro).attempt.id
    assert games.end_month(aid, 0) is not None
    assert games.end_month(aid, 0) is None  # the second click of a double click
    assert games.open(aid).game.month == 1
    assert AttemptStore().get(aid).month == 1


def test_a_second_tab_cannot_queue_into_or_unqueue_from_a_month_it_does_not_show(intro, fresh_db):
    """Two tabs on one attempt: one ends the month, the other still shows the month before.
    A Queue click there queued the action into the new month, chosen on last month's file;
    an Unqueue click there dropped the queue's index-th action, whatever it now is (the
    other tab's). Both are refused, naming what happened, and the queue stays as it was."""
    from training.attempts import AttemptError

    games = LiveGames(AttemptStore(), lambda _id: intro)
    live = games.start(intro)
    aid = live.attempt.id
    games.set_routine_hours(aid, 0.0)  # hours for two actions
    loan_id = int(live.game.loans()["loan_id"].iloc[0])
    first, second = [o.id for o in live.game.options(loan_id) if o.available][:2]
    games.queue(aid, loan_id, first, expected_month=0)
    assert games.end_month(aid, 0) is not None  # the other tab ends month 1
    with pytest.raises(AttemptError) as err:
        games.queue(aid, loan_id, second, expected_month=0)  # this tab still shows month 1
    assert err.value.key == "attempt.month_moved"
    assert games.open(aid).game.queued == []
    # month 2: this tab shows [first, second]; the other tab drops first
    games.queue(aid, loan_id, first, expected_month=1)
    games.queue(aid, loan_id, second, expected_month=1)
    games.unqueue(aid, 0, expected_month=1, expected=(loan_id, first))
    with pytest.raises(AttemptError) as err:  # this tab's Unqueue of first, at index 0
        games.unqueue(aid, 0, expected_month=1, expected=(loan_id, first))
    assert err.value.key == "attempt.queue_moved"
    assert [(q.loan_id, q.action_id) for q in games.open(aid).game.queued] == [(loan_id, second)]
    assert AttemptStore().get(aid).month == 1


def test_a_missing_case_is_an_attempt_error(intro, fresh_db):
    from training.attempts import AttemptError

    games = LiveGames(AttemptStore(), lambda _id: intro)
    aid = games.start(intro).attempt.id

    def gone(_id):
        raise LookupError("no such case")

    with pytest.raises(AttemptError) as err:
        LiveGames(AttemptStore(), gone).open(aid)
    assert err.value.key == "attempt.scenario_missing"
    with pytest.raises(AttemptError):
        games.open("nope")


def test_month_text():
    assert report.month_text(-1, "en") == "—"
    assert report.month_text(0, "en") == "before start"
    assert report.month_text(3, "zh") == "第 3 月"
    assert report.month_text(5, "en") == "month 5"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_borrower_names_follow_the_language(finished_game, lang):
    loans = finished_game.loans()
    want = "company_en" if lang == "en" else "company"
    names = set(loans[want])
    assert all(n.isascii() for n in loans["company_en"]) and not any(n.isascii() for n in loans["company"])

    local = report.localise_names(loans, lang)
    assert "company_en" not in local.columns and set(local["company"]) == names
    assert "company_en" in loans.columns  # a copy: the engine's frame is untouched
    assert report.localise_names(local, lang).equals(local)  # twice changes nothing

    header = report._col("company", lang)
    assert set(report.loan_table(loans, lang)[header]) == names
    assert {v.split(" · ")[1] for v in report.loan_labels(loans, lang).values()} == names
    alerts = finished_game.alerts(0)
    assert set(report.alerts_table(alerts, lang)[header]) == set(alerts[want])

    profile = finished_game.loan_file(0).profile
    values = set(report.kv_table(profile, lang)[report.t("col.value", lang)])
    assert profile[want] in values and profile["legal_rep_en" if lang == "en" else "legal_rep"] in values
    row = report.localise_names(loans.iloc[0], lang)
    assert row["company"] == loans.iloc[0][want] and "company_en" not in row.index

    d = finished_game.debrief()
    for frame, table in ((d.saves, report.saves_table(d, lang)), (d.missed_warnings, report.missed_table(d, lang))):
        if len(frame):
            assert set(table[header]) == set(frame[want])


@pytest.mark.parametrize("lang,expected", [("en", ("Fish farming", "Hainan south")),
                                           ("zh", ("fish_farming", "hainan-south"))])
def test_ids_missing_from_the_catalogues_read_well(finished_game, lang, expected):
    assert report.term("industry", "fish_farming", lang) == expected[0]
    assert report.term("region", "hainan-south", lang) == expected[1]
    assert report.term("industry", "real_estate", lang) == ("Real estate" if lang == "en" else "房地产")
    loans = finished_game.loans().assign(industry="fish_farming", region="hainan-south")
    table = report.loan_table(loans, lang)
    assert set(table[report._col("industry", lang)]) == {expected[0]}
    assert set(table[report._col("region", lang)]) == {expected[1]}
    profile = {"industry": "fish_farming", "region": "hainan-south"}
    assert list(report.kv_table(profile, lang)[report.t("col.value", lang)]) == list(expected)
    shown = report.frame_for_display(loans[["label", "industry", "region"]].head(2), lang)
    assert set(shown[report._col("region", lang)]) == {expected[1]}


def test_a_loan_keeps_its_picker_label_when_its_class_changes(finished_game):
    """The browser matches the loan-file picker's choice by its label: a label that
    changed at a month's end closed the file the trainee had open."""
    loans = finished_game.loans()
    moved = loans.assign(cls=(loans["cls"] + 1) % 5)
    for lang in ("zh", "en"):
        assert report.loan_labels(moved, lang) == report.loan_labels(loans, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_months_news_is_read_in_full_not_cut_at_the_tables_edge(intro, lang):
    """A named borrower's news (重大事项) and an LPR change carried their text only in the
    events table's last column, cut at the edge ("一家染料供应商就约二…"). The month's news
    is given whole, each line with its loan, borrower and event; LPR changes in Chinese are
    joined with Chinese punctuation."""
    g = Game(intro)
    news_by_month = {}
    for m in range(4):
        g.end_month(m)
        news_by_month[m + 1] = report.month_news(g.last_report.events, lang, intro)
    events = g.last_report.events
    scripted = events[events["event"].astype(str).str.startswith("scripted")]
    assert len(scripted)  # month 4 of intro: the LPR rises and a named borrower's news
    details = scripted.iloc[0]["details_zh" if lang == "zh" else "details_en"]
    label = scripted.iloc[0]["label"]
    news = news_by_month[4]
    assert any(label in line and details in line.replace("\\", "") for line in news), news
    lpr = next(line for line in news if "LPR" in line and "L0" not in line)
    assert ("；" in lpr and "; " not in lpr) if lang == "zh" else "; " in lpr
    table = report.events_table(events, lang, intro)
    assert len(table) == len(events)  # the table keeps every event, news or not


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_region_and_industry_a_generated_case_draws_has_a_word(lang):
    """A generated case in Sichuan showed 地区 'sichuan' and 行业 'electronics' on the Chinese
    desk: the generator draws regions and industries the catalogues did not name."""
    from sim.generate_tables import INDUSTRY_NAMES, REGIONS
    from training.i18n import catalogue

    words = catalogue(lang)
    assert not [r for r in REGIONS if f"region.{r}" not in words]
    assert not [i for i in INDUSTRY_NAMES if f"industry.{i}" not in words]
    if lang == "zh":  # the desk's word is the one the generator wrote into the case's own texts
        assert all(report.term("region", r, lang) == zh for r, (zh, *_) in REGIONS.items())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_comparison_tables_hours_read_alike_down_the_column(finished_game, lang):
    """review_meeting's debrief showed "4,146.5 小时" above "230 小时" and "4,311 小时": one
    column, two precisions. With one half hour in the column, every row has its decimal."""
    from types import SimpleNamespace

    d = finished_game.debrief()
    table = d.table.copy()
    hours = [4146.5, 230.0, 4465.5, 4311.0][:len(table)]
    table["hours"] = hours
    shown = report.comparison_table(SimpleNamespace(table=table), lang)
    column = next(c for c in shown.columns if shown[c].astype(str).str.contains("4,146.5").any())
    assert all(re.search(r"\d\.\d", text) for text in shown[column]), list(shown[column])


def _svg_charts(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, flags=re.S)


def _round_step(values: list[float]) -> bool:
    """Whether evenly spaced axis values go in a step of 1, 2 or 5 times a power of ten."""
    step = values[1] - values[0]
    if step <= 0:
        return False
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(abs(mantissa - m) < 1e-6 for m in (1, 2, 5, 10))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reports_charts_read_like_the_pages(intro, finished_game, lang):
    """The downloaded report is what a trainee hands in: its two charts must say what the
    page's say. A trainee who did nothing lost what late collection lost, so the two lines
    lie on one another; the page says so in words and draws late collection dashed over the
    trainee's pale line, and the report drew one solid line on the other with no word, its
    legend naming a strategy nobody could see. Its axes read 10.6, 21.2, 31.8: steps of a
    round size, as the page's, read at a glance."""
    from training import debrief_detail

    d = finished_game.debrief()
    html = report.debrief_html(intro, d, lang, "a1b2c3")
    traj = report.trajectories(d, lang)
    for y in ("npl_ratio", "cum_loss_cny"):
        said = debrief_detail.same_lines_text(traj, y, report.STRATEGIES, lang)
        assert said, f"a do-nothing play should lie on late collection ({y})"
        assert html_escape(said) in html
    assert html_escape(report.t("chart.runoff_note", lang)) in html
    for svg in _svg_charts(html):
        late = re.search(r'<polyline[^>]*stroke="{}"[^>]*>'.format(
            report.STRATEGY_COLOURS["late-collection"]), svg).group(0)
        assert "stroke-dasharray" in late
        ticks = [units_value(v) for v in re.findall(r'text-anchor="end">([^<]+)</text>', svg)]
        assert len(ticks) >= 3 and _round_step(ticks), ticks


def units_value(text: str) -> float:
    """A tick label as a number ("2.5%" -> 2.5, "1,200" -> 1200)."""
    return float(text.replace(",", "").replace("%", ""))
