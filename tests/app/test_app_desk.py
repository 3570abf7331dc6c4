"""The trainee's desk as a trainee reads it (issue 10): one money unit, figures that
make sense, a view that stays selected, finished attempts that stay listed, events
and tables in words instead of ids, and charts that agree with the tables."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.engine import simulate
from sim.scenario import load_scenario
from training import policy_costs, report
from training.desk import Desk as Game

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def live_game(at: AppTest):
    from app_pages import common

    return common.games().open(at.session_state["attempt_id"]).game


def desk(case: str = "intro", lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.button(key=f"start_{case}").click().run()
    at.button(key="to_desk").click().run()
    no_exception(at)
    return at


def end_month(at: AppTest) -> AppTest:
    at.button(key=f"end_month_{live_game(at).month}").click().run()
    no_exception(at)
    return at


def frame_with(at: AppTest, column: str) -> pd.DataFrame | None:
    """The first table on the page with ``column`` (AppTest frames carry no widget key)."""
    frames = [e.value for e in at.dataframe] + [e.value for e in at.table]
    return next((f for f in frames if column in f.columns), None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_loan_table_keeps_the_loan_in_view_and_its_long_headers_short(lang):
    """The loan table's 13 columns scroll sideways at 1,024 and 1,280 px, and a trainee who
    scrolled right lost which loan a row was: the loan's label is pinned, and the long
    headers read short with their full words on hover (the browser test measures it)."""
    import json

    at = desk(lang=lang)
    balance = report.column_title("balance_cny", lang)
    grid = next(d for d in at.dataframe if balance in d.value.columns)
    config = json.loads(grid.proto.columns)
    assert config[report.column_title("label", lang)]["pinned"] is True
    for name in ("dpd", "alerts"):
        header = report.column_title(name, lang)
        assert header in grid.value.columns  # the frame keeps its names (tests, the CSV)
        shown = config[header]
        assert len(shown["label"]) < len(header) or lang == "zh" and shown["label"] == header
        assert shown["help"].startswith(header), shown


@pytest.mark.parametrize(("lang", "header", "scale"), [("zh", "余额(万元)", 1e4), ("en", "Balance (CNY k)", 1e3)])
def test_the_loan_table_shows_balances_in_the_languages_money_unit(lang, header, scale):
    at = desk(lang=lang)
    table = frame_with(at, header)
    assert table is not None
    g = live_game(at)
    loans = g.loans().set_index("label")
    for label, shown in zip(table.iloc[:, 0], table[header], strict=True):
        assert shown == pytest.approx(loans.loc[label, "balance_cny"] / scale, abs=0.051)
    # the key figure carries the same unit with the number
    outstanding = next(m.value for m in at.metric if m.label in ("贷款余额", "Outstanding"))
    assert ("万元" in outstanding) if lang == "zh" else outstanding.startswith("CNY\u00a0")


def test_no_delta_is_shown_when_the_npl_ratio_did_not_change():
    at = end_month(end_month(desk()))
    g = live_game(at)
    npl = g.metrics()["npl_ratio"].to_numpy()
    metric = next(m for m in at.metric if m.label == "不良率")
    delta = metric.proto.delta
    if round((npl[-1] - npl[-2]) * 100, 2) == 0:
        assert delta == ""
    else:
        assert delta not in ("", "+0.00%", "-0.00%")


@pytest.mark.parametrize("lang,unit", [("zh", "个百分点（较上月）"), ("en", "pp on last month")])
def test_the_npl_ratio_moves_in_points_against_last_month(lang, unit):
    """The NPL ratio's arrow read "+3.14%" under "3.14%": a relative change to a reader, and
    against nothing named. It is written in points, against last month."""
    at = desk(lang=lang)
    for _ in range(11):
        at = end_month(at)
        npl = live_game(at).metrics()["npl_ratio"].to_numpy()
        if len(npl) > 1 and round((npl[-1] - npl[-2]) * 100, 2) != 0:
            break
    else:
        pytest.skip("the NPL ratio of this play never moved")
    metric = next(m for m in at.metric if m.label in ("不良率", "NPL ratio"))
    change = (npl[-1] - npl[-2]) * 100
    assert metric.proto.delta == f"{change:+.2f} {unit}"


def test_an_overbooked_plan_says_by_how_much_instead_of_negative_hours_left():
    at = desk()
    at.segmented_control(key="desk_view").set_value("policy").run()
    for key in ("iv_normal", "iv_special_mention", "iv_substandard", "iv_doubtful"):
        at.selectbox(key=key).set_value(1).run()
    no_exception(at)
    g = live_game(at)
    left = next(m.value for m in at.metric if m.label == "本月剩余工时")
    if g.hours_planned > g.hours_available:
        assert left.startswith("超出") and "-" not in left
    else:
        assert not left.startswith("-")


def test_the_selected_view_stays_selected_and_a_missing_choice_shows_the_loans():
    at = desk()
    at.segmented_control(key="desk_view").set_value("alerts").run()
    at.run()  # any rerun (a click elsewhere) keeps the view
    no_exception(at)
    assert at.segmented_control(key="desk_view").value == "alerts"
    assert at.segmented_control(key="desk_view").proto.required  # a click on it cannot deselect it
    at.segmented_control(key="desk_view").set_value(None).run()
    no_exception(at)
    assert frame_with(at, "余额(万元)") is not None  # the loan table


def test_alerts_never_show_a_month_not_played_yet():
    at = desk()
    g = live_game(at)
    for _ in range(4):
        at.segmented_control(key="desk_view").set_value("alerts").run()
        no_exception(at)
        frame = frame_with(at, "已过月数")
        if frame is not None:
            assert (frame["已过月数"] >= 0).all()
        end_month(at)
    assert g.month == 4


def test_finished_attempts_stay_listed_with_their_debrief():
    at = desk()
    g = live_game(at)
    aid = at.session_state["attempt_id"]
    while not g.finished:
        end_month(at)
    at.switch_page("app_pages/cases.py").run()
    no_exception(at)
    assert f"debrief_{aid}" in {b.key for b in at.button}
    assert any("（UTC）" in c.value for c in at.caption if aid in c.value)  # no browser zone in tests
    assert any(f"编号 {aid}" in c.value and "指数" in c.value for c in at.caption)  # not a bare id
    at.button(key=f"debrief_{aid}").click().run()
    no_exception(at)
    assert "可避免损失中你避免的比例" in [m.label for m in at.metric]
    assert all("loan_id" not in e.value.columns for e in at.dataframe)  # loans by number and name
    # where the loss came from: the gaps against late collection add up to the table's difference
    assert "你的损失从哪里来" in [h.value for h in at.subheader]
    from app_pages import common
    from training import debrief_detail

    d = common.games().debrief(aid)
    detail = debrief_detail.detail(g)
    losses = d.table.set_index("strategy")["loss_cny"]
    assert detail.sources.total_gap_cny == pytest.approx(losses["you"] - losses["late-collection"])
    gaps = frame_with(at, "与逾期后催收的差额(万元)")
    if detail.sources.loans:
        assert gaps is not None and len(gaps) == len(detail.sources.loans) + 2
    # the cumulative loss of every strategy ends at its loss in the comparison table
    traj = report.trajectories(d, "zh", detail.loans)
    ends = traj.sort_values("month").groupby("strategy")["cum_loss_cny"].last()
    for strategy, loss in losses.items():
        assert ends[strategy] == pytest.approx(loss / 1e4, abs=0.051)
    html = report.debrief_html(live_game(at).scenario, d, "en", aid, detail=detail)
    assert "Where your loss came from" in html and "Gap to late collection (CNY k)" in html


# --- report level: words instead of ids, and a chart that ends at the table ---------------------
def test_lpr_changes_show_the_new_rates_not_ids():
    sc = load_scenario(ROOT / "scenarios" / "rising_lpr.yaml")
    change = next(e for e in sc.macro if e.type == "lpr_change")
    g = Game(sc)
    while g.month < change.month:
        g.end_month(expected_month=g.month)
    for lang, word in (("en", "1-year LPR"), ("zh", "1年期LPR")):
        table = report.events_table(g.events(change.month), lang, sc)
        details = " ".join(table.iloc[:, -1].astype(str))
        assert word in details and "lpr_1y" not in details
        new_rate = sc.lpr_1y + change.delta_bp / 10_000
        assert f"{new_rate * 100:.2f}%" in details


def test_a_months_events_name_the_borrower_in_the_pages_language():
    """The events table gave a loan by its label alone ('L0001'); it names the borrower
    as the alerts inbox does, in the page's language, and a market event names none."""
    sc = load_scenario(ROOT / "scenarios" / "rising_lpr.yaml")
    g = Game(sc)
    while True:
        ev = g.events(g.month)
        if (ev["loan_id"] >= 0).any() or g.finished:
            break
        g.end_month(expected_month=g.month)
    row = ev[ev["loan_id"] >= 0].iloc[0]
    i = int(row["loan_id"])
    for lang in ("zh", "en"):
        table = report.events_table(ev, lang, sc)
        names = set(table.iloc[:, 2])
        assert g.sim.pf.identity(i, lang)[0] in names
    macro = ev[ev["loan_id"] < 0]
    if len(macro):
        assert report.events_table(macro, "en", sc).iloc[:, 2].eq("").all()


def test_compliance_with_nothing_required_is_not_applicable():
    debrief = SimpleNamespace(compliance=pd.DataFrame({
        "check_kind": ["first", "routine"], "required": [0, 4], "on_time": [0, 3], "done": [0, 3],
        "share": [1.0, 0.75]}))
    table = report.compliance_table(debrief, "en")
    assert list(table.iloc[:, -1]) == ["n/a", "75%"]


@pytest.mark.parametrize("strategy", ["late-collection", "early-warning"])
def test_cumulative_loss_ends_at_the_tables_loss(strategy):
    sc = load_scenario(ROOT / "scenarios" / "intro.yaml")
    run = simulate(sc, seed=2, strategy=strategy)
    cum = report.cumulative_loss(run.loans, run.months)
    assert list(cum["month"]) == list(range(1, run.months + 1))
    assert cum["cum_loss_cny"].iloc[-1] == pytest.approx(run.loss_cny)
    # and the debrief's series is that one, in the money unit, when the runs' loans are given
    traj = pd.DataFrame({"month": range(1, run.months + 1), "npl_ratio": 0.0, "cum_loss_cny": 0.0,
                         "strategy": strategy})
    shown = report.trajectories(SimpleNamespace(trajectories=traj, loans={strategy: run.loans}), "zh")
    assert shown["cum_loss_cny"].iloc[-1] == pytest.approx(run.loss_cny / 1e4, abs=0.051)


def test_an_overbooked_case_opens_on_the_plan_prompt_with_the_editor_and_its_fix_works():
    at = desk("real_estate", lang="en")
    g = live_game(at)
    if g.policy_hours() <= g.hours_available:
        pytest.skip("real_estate's opening plan fits its staff now")
    prompt = next(w.value for w in at.warning if "monitoring plan needs" in w.value)
    assert f"{g.policy_hours():,.0f}\u00a0h" in prompt and f"{g.hours_available:,.0f}\u00a0h" in prompt
    for key in ("first_check_days", "iv_normal"):
        assert all("\u00a0h this month" in text for text in at.selectbox(key=key).options)
    # the trainee takes the cheapest interval for normal loans the editor shows; the prompt goes
    costs = {c.value: c.hours for c in policy_costs.choices(g, "normal") if c.value}
    cheapest = min(costs, key=lambda v: (costs[v], v))
    at.selectbox(key="iv_normal").set_value(cheapest).run()
    no_exception(at)
    assert g.policy.interval_months.normal == cheapest
    assert g.policy_hours() == pytest.approx(costs[cheapest])
    if g.policy_hours() <= g.hours_available:
        assert not any("monitoring plan needs" in w.value for w in at.warning)
    assert any(o.available for i in g.loans()["loan_id"] for o in g.options(int(i)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_overbooked_plan_can_keep_its_policy_by_giving_the_checks_set_hours(lang):
    at = desk("real_estate", lang=lang)
    g = live_game(at)
    if g.policy_hours() <= g.hours_available:
        pytest.skip("real_estate's opening plan fits its staff now")
    policy = g.policy
    box = at.number_input(key="routine_hours")
    assert box.value is None  # all the checks due need, until the trainee says otherwise
    given = round(g.hours_available / 2)
    box.set_value(float(given)).run()
    no_exception(at)
    assert g.routine_hours == given and g.policy == policy
    assert g.hours_planned == pytest.approx(given)
    assert not at.warning, [w.value for w in at.warning]  # the plan fits: the prompt goes
    slip = "slip to next month" if lang == "en" else "顺延到下月"
    at.segmented_control(key="desk_view").set_value("policy").run()
    assert any(slip in c.value for c in at.caption)
    assert at.number_input(key="routine_hours").value == given
    assert any(o.available for i in g.loans()["loan_id"] for o in g.options(int(i)))
    from app_pages import common

    saved = common.games().store.get(at.session_state["attempt_id"]).pending
    assert saved["routine_hours"] == given


def test_the_standing_order_is_on_can_be_switched_off_and_is_saved():
    at = desk(lang="en")
    g = live_game(at)
    assert g.standing_order.active
    at.segmented_control(key="desk_view").set_value("policy").run()
    toggle = at.toggle(key="standing_active")
    assert toggle.value is True and "asset-preservation team" in toggle.label
    toggle.set_value(False).run()
    no_exception(at)
    assert not g.standing_order.active
    from app_pages import common

    saved = common.games().store.get(at.session_state["attempt_id"]).pending
    assert saved["standing_order"] == {"active": False, "held": []}


def test_the_month_report_lists_what_was_asked_and_not_done():
    """Checks queued within the hours, then a heavier monitoring plan whose routine checks
    take the hours first: the engine refuses the checks, and the month's report says which,
    and why, with the fix (they vanished without a word)."""
    from sim.policy import ClassIntervals, MonitoringPolicy
    from tests.app.test_app_pages import end_month, live_game, no_exception, start, texts, to_desk

    at = to_desk(start(lang="en"))
    end_month(at)
    g = live_game(at)
    queued = []
    for i in range(g.sim.n):
        if len(queued) == 4:
            break
        try:
            g.queue(i, "onsite_check")
            queued.append(i)
        except Exception:  # noqa: BLE001 - a loan the check is not offered for
            continue
    g.set_policy(MonitoringPolicy(interval_months=ClassIntervals(
        normal=1, special_mention=1, substandard=1, doubtful=1, loss=1)))
    end_month(at)
    no_exception(at)
    refused = [d.value for d in at.dataframe if "Not done because" in d.value.columns]
    assert len(refused) == 1, texts(at)
    table = refused[0]
    assert len(table) >= 1
    assert set(table["Asked for"]) == {"On-site check"}
    assert set(table["Not done because"]) == {"not enough staff hours left this month"}
    shown = texts(at)
    assert "were not done" in shown and "lighten the monitoring plan" in shown


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_defaulted_loan_stays_in_the_loans_view_and_its_file_opens(lang):
    """A loan that defaults stays on the books (the outstanding counts it) until it is
    worked out: the loans view lists it and its file opens, where it can be held back
    from the standing order or sued. It used to vanish from the table and the picker,
    so the hold, the lawsuit and the write-off could not be reached."""
    at = desk(lang=lang)
    g = live_game(at)
    while not (g.loans()["status"] == "defaulted").any():
        g.end_month(g.month)
        assert not g.finished, "no loan defaulted in the case"
    at.run()
    no_exception(at)
    loans = g.loans()
    defaulted = int(loans.loc[loans["status"] == "defaulted", "loan_id"].iloc[0])
    label = str(loans.loc[loans["loan_id"] == defaulted, "label"].iloc[0])
    on_books = int(loans["status"].isin(["active", "defaulted"]).sum())
    assert any(f" {on_books} " in c.value for c in at.caption), [c.value for c in at.caption]
    picker = at.selectbox(key="loan_pick")
    assert any(o.startswith(label + " · ") for o in picker.options), picker.options
    picker.set_value(defaulted).run()
    no_exception(at)
    assert at.checkbox(key=f"hold_{defaulted}").value is False  # the standing order's hold
    assert at.button(key="queue_lawsuit") is not None


@pytest.mark.parametrize(("lang", "fix"), [("en", "in Monitoring policy, lengthen the interval"),
                                           ("zh", "在“检查制度”里拉长正常类贷款的检查间隔")])
def test_an_action_refused_for_hours_in_month_one_says_where_the_hours_went(lang, fix):
    """In the first month of the intro case the routine checks take 75 of the 80 hours, so
    an on-site check cannot be queued. The action said only "not enough staff hours" and
    a new trainee had no way to know the monitoring policy was where to free them."""
    at = desk(lang=lang)
    g = live_game(at)
    loan = int(g.loans().set_index("label").loc["L0001", "loan_id"])
    assert next(o for o in g.options(loan) if o.id == "onsite_check").reason == "hours"
    at.selectbox(key="loan_pick").set_value(loan).run()
    no_exception(at)
    shown = " ".join(c.value for c in at.caption)
    assert fix in shown
    load = policy_costs.plan_load(g)
    from training import units
    assert units.hours(load.check_hours, lang) in shown and units.hours(load.available_hours, lang) in shown


@pytest.mark.parametrize(("lang", "shown"), [("zh", "显示 2,030 笔 / 在册 2,030 笔"),
                                             ("en", "2,030 shown of 2,030 loans")])
def test_large_loan_counts_are_written_with_thousands_separators(tmp_path, monkeypatch, lang, shown):
    """A generated case of 2,487 loans read '2,487' on the briefing but '2487' on the case
    list and the desk."""
    import yaml

    case = yaml.safe_load((ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8"))
    case["segments"][0]["count"] = 2000
    (tmp_path / "intro.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("BIANQUE_SCENARIO_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.run()
    no_exception(at)
    assert any("2,030" in m.value for m in at.markdown)
    at.button(key="start_intro").click().run()
    at.button(key="to_desk").click().run()
    no_exception(at)
    assert any(shown in c.value for c in at.caption)


def test_the_month_report_gives_a_borrowers_news_in_full_above_the_events_table():
    """The news of a named borrower sat in the events table's last column, cut at its edge."""
    at = end_month(end_month(desk()))
    g = live_game(at)
    from training import report

    news = report.month_news(g.last_report.events, "zh", g.scenario)
    assert news, "intro's second month has a named borrower's news"
    shown = [m.value for m in at.markdown]
    assert any(all(f"- {line}" in text for line in news) for text in shown), shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_policy_view_explains_the_choice_its_pickers_offer(lang):
    """The policy view said "0 = no routine check" (0 表示不做定期检查) above pickers that
    offer no 0, only "no routine check" (不做定期检查)."""
    from training.i18n import t

    at = desk(lang=lang)
    at.segmented_control(key="desk_view").set_value("policy").run()
    no_exception(at)
    none = t("policy.interval_none", lang)
    assert none in at.selectbox(key="iv_loss").options[0]
    intro = next(c.value for c in at.caption if c.value.startswith(t("desk.policy_intro", lang, none=none)[:6]))
    assert none in intro and "0" not in intro


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_queued_actions_the_plan_no_longer_leaves_hours_for_are_named_before_the_month_ends(lang):
    """Actions queued while they fitted, then a denser check plan: End month said only that
    checks would be rushed, and the next month reported every action not done. The box now
    says before the month ends that the queued actions will not all be done, and why."""
    from training.i18n import t

    at = desk(lang=lang)
    g = live_game(at)
    loan = int(g.loans()["loan_id"].iloc[0])
    at.selectbox(key="loan_pick").set_value(loan).run()
    at.button(key="queue_closer_monitoring").click().run()
    no_exception(at)
    assert len(live_game(at).queued) == 1
    warning = t("desk.queued_wont_fit", lang).split("{")[0]
    assert not any(w.value.startswith(warning) for w in at.warning)  # it fits
    at.segmented_control(key="desk_view").set_value("policy").run()
    at.selectbox(key="iv_normal").set_value(1).run()
    no_exception(at)
    g = live_game(at)
    load = policy_costs.plan_load(g)
    assert load.check_hours + load.queued_hours > load.available_hours
    assert any(w.value.startswith(warning) for w in at.warning), [w.value for w in at.warning]
    at.button(key=f"end_month_{g.month}").click().run()
    no_exception(at)
    refused = live_game(at).last_report.rejected
    assert len(refused) == 1 and refused[0][2] == "hours"  # as the warning said



def test_a_loan_label_left_in_the_picker_opens_that_file_and_never_breaks_the_desk(monkeypatch):
    """Streamlit hands a picker's label back, not its loan id, when the label matches none
    of the last run's options. In a class on the desk (fund_diversion, month 15, a file
    open on a loan that had just left the books) the label was kept as the open file and
    the next run stopped on ValueError: invalid literal for int() ('L0019 · 东莞辉润…'),
    in place of the loan picker, until a reload. The label now opens its loan, and a
    label that names no loan (another language's) closes the file."""
    from app_pages import desk_actions as act

    state: dict = {}
    monkeypatch.setattr(act.st, "session_state", state)
    loans = pd.DataFrame({"loan_id": [17, 18, 19]})
    labels = {17: "L0018 · A", 18: "L0019 · 东莞辉润电子有限公司", 19: "L0020 · C"}
    state["loan_pick"] = labels[18]
    act.remember_pick(labels)
    assert state[act.OPEN_LOAN] == 18  # an id, never the label
    act.restore_pick(loans, labels)
    assert state["loan_pick"] == 18
    state["loan_pick"], state[act.OPEN_LOAN] = labels[19], labels[17]  # kept before the fix
    act.restore_pick(loans, labels)
    assert state["loan_pick"] == state[act.OPEN_LOAN] == 19
    state["loan_pick"] = "L0019 · Dongguan Huirun Electronics"  # a label of another language
    act.restore_pick(loans, labels)
    assert state["loan_pick"] == 19  # the file that was open stays open
    state["loan_pick"] = state[act.OPEN_LOAN] = "L9999 · nobody"
    act.restore_pick(loans, labels)
    assert state["loan_pick"] is None
    state["loan_pick"] = 17  # a plain pick leaves the open file as the picker says
    act.restore_pick(loans, labels)
    assert state["loan_pick"] == 17


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_alerts_inbox_leads_with_the_largest_exposures_and_shows_them(tmp_path, monkeypatch, lang):
    """On a generated book of 1,663 loans over 200 loans alerted a month, and the inbox listed
    them by loan number: four small consumer loans came first and a developer's loan a hundred
    times larger sat far down, with no balance in the inbox to tell them apart."""
    import yaml

    case = yaml.safe_load((ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8"))
    case["segments"][0]["count"] = 300
    (tmp_path / "intro.yaml").write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("BIANQUE_SCENARIO_DIR", str(tmp_path))
    at = desk(lang=lang)
    end_month(at)
    at.segmented_control(key="desk_view").set_value("alerts").run()
    no_exception(at)
    g = live_game(at)
    balance, cls = report.column_title("balance_cny", lang), report._col("cls", lang)
    frame = frame_with(at, balance)
    assert frame is not None and cls in frame.columns, "the inbox shows each loan's balance and class"
    picked = [o.split(" · ")[0] for o in at.selectbox(key="alert_pick").options]
    loans = g.loans().set_index("label")
    rows = report.visible_alerts(g.alerts())
    newest = rows.groupby("label")["month"].max()
    # the loans of the newest alerts first, and among the loans of one month the largest first
    expected = sorted(newest.index, key=lambda lab: (-newest[lab], -loans.loc[lab, "balance_cny"]))
    assert len(picked) > 10 and picked == expected
    first_month = [lab for lab in picked if newest[lab] == newest[picked[-1]]]
    assert len(first_month) > 10 and loans.loc[first_month[0], "balance_cny"] > 2 * loans.loc[
        first_month[-1], "balance_cny"]  # the order matters: exposures differ widely
    order = picked
    assert float(frame[balance].iloc[0]) == pytest.approx(
        float(loans.loc[order[0], "balance_cny"]) / (1e4 if lang == "zh" else 1e3), abs=0.1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_loan_table_puts_what_a_trainee_triages_on_before_the_descriptive_columns(lang):
    """At 1400 px in English the class and the alerts sat past the table's right edge, behind
    product, industry and region."""
    table = report.loan_table(Game(load_scenario(ROOT / "scenarios" / "intro.yaml")).loans(), lang)
    cols = list(table.columns)
    key = [cols.index(report._col(c, lang)) for c in ("dpd", "cls", "alerts")]
    rest = [cols.index(report._col(c, lang)) for c in ("product", "industry", "region")]
    assert max(key) < min(rest), cols
    assert cols.index(report.column_title("balance_cny", lang)) < min(rest)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_collection_beside_the_same_months_restructuring_is_refused_when_queued(lang):
    """An overdue loan: the desk offered both a restructuring and a collection visit, the
    trainee queued both, the restructuring ran first and brought the loan current, and the
    visit was refused at the month's end, "the loan is not overdue", about a loan the desk
    had shown overdue (seen playing review_meeting). With the restructuring queued, the
    visit's card now says at once why it cannot be queued (sim.game_actions.CLEARS_ARREARS)."""
    from sim.game_actions import ActionError
    from tests.app.test_app_pages import texts
    from training.i18n import t

    at = desk("review_meeting", lang=lang)
    g = live_game(at)
    g.set_routine_hours(100.0)  # the checks leave hours for actions
    loan = None
    while loan is None:
        assert not g.finished, "no loan in the case could be restructured while overdue"
        g.end_month(g.month)
        loans = g.loans()
        for i in loans.loc[(loans["dpd"] > 0) & (loans["status"] == "active"), "loan_id"]:
            can = {o.id for o in g.options(int(i)) if o.available}
            if {"restructure", "collect_visit"} <= can:
                loan = int(i)
                break
    g.queue(loan, "restructure")
    with pytest.raises(ActionError) as refused:
        g.queue(loan, "collect_visit")
    assert refused.value.code == "clears_arrears"
    at.run()
    at.selectbox(key="loan_pick").set_value(loan).run()
    assert t("engine.reason.clears_arrears", lang) in texts(at)


@pytest.mark.parametrize(("lang", "held"), [("en", "end of month 3"), ("zh", "第 3 月末")])
def test_the_review_meeting_says_which_month_it_closes(lang, held):
    """The quarter's review meeting opens on the desk once month 3 has ended, while the
    month figure already reads month 4; the case's notes and debrief speak of "the month-3
    meeting" (review_meeting: 第3个月的例会). The meeting's title names the month it
    closes, so the two agree (a trainee read it as a month-4 meeting)."""
    at = desk("review_meeting", lang=lang)
    for _ in range(3):
        end_month(at)
    titles = [e.label for e in at.expander]
    assert any(held in str(label) for label in titles), titles


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_month_report_counts_warning_signals_and_says_so(lang):
    """"New alerts 393" in a month on a book of 159 loans read as alerted loans (seen
    playing guarantee_chain): the figure counts signals, and its label and help say so."""
    from training.i18n import t

    at = desk("intro", lang=lang)
    end_month(at)
    shown = {m.label: m for m in at.metric}
    signals = shown[t("fig.new_alerts", lang)]
    assert signals.value == str(live_game(at).last_report.new_alerts)
    assert signals.help == t("fig.new_alerts_help", lang)


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "Already under closer monitoring (monthly checks) until month 7; queued again now, "
           "it runs 6 months from this month."),
    ("zh", "本笔贷款已在加强监控中（按月检查），至第 7 月；现在再安排，会从本月起重新计 6 个月。")])
def test_a_loan_under_closer_monitoring_says_until_when(lang, said):
    """Closer monitoring queued in month 1 runs to month 7, yet in month 4 its card read
    "takes 6 months" with the Queue button on, as on a loan never watched: a careful
    trainee could not tell it was still on (small_loan_company, zh, Xiangzhong)."""
    at = desk(lang=lang)
    g = live_game(at)
    loan = int(g.loans().set_index("label").loc["L0001", "loan_id"])
    assert report.closer_monitoring_note(g, loan, lang) is None  # never queued: nothing to say
    g.queue(loan, "closer_monitoring")
    for _ in range(3):
        g.end_month(g.month)
    at.run()
    at.selectbox(key="loan_pick").set_value(loan).run()
    no_exception(at)
    assert said in [c.value for c in at.caption]
    for _ in range(4):  # month 8: the months have run out, and the card says nothing more
        g.end_month(g.month)
    assert report.closer_monitoring_note(g, loan, lang) is None


def test_a_small_books_loan_table_is_as_tall_as_its_rows(tmp_path, monkeypatch):
    """A case of three loans showed its three rows over a fixed-height grid whose empty
    lower half read as blank loans: the table's height follows its rows (up to a limit)."""
    import streamlit as st

    from tests.small_book import CASE

    (tmp_path / "tiny.yaml").write_text(CASE.format(case_id="tiny").replace("count: 40", "count: 3"),
                                        encoding="utf-8")
    monkeypatch.setenv("BIANQUE_SCENARIO_DIR", str(tmp_path))
    heights: dict[str, object] = {}
    drawn = st.dataframe

    def dataframe(data=None, *args, **kwargs):
        heights[kwargs.get("key")] = kwargs.get("height", "auto")
        return drawn(data, *args, **kwargs)

    monkeypatch.setattr(st, "dataframe", dataframe)
    at = desk("tiny")
    for _ in range(3):  # to the first quarter's review meeting and its watch list
        end_month(at)
    # "auto" (and "content") size the grid to its rows; a number of pixels is the same for
    # three loans as for three hundred
    for key in ("loan_table", "watch_list"):
        assert heights[key] in ("auto", "content"), (key, heights[key])
