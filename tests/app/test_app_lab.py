"""The strategy lab page through AppTest: a small comparison with a staffing sweep shows
the verdicts, the tables and the charts, agreeing with the study's figures; a study can
be cancelled; the page reads in both languages."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from training import lab, units
from training.i18n import t

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 120


PW = "a-long-password-1"


def session_token(role: str) -> str:
    """A signed-in session of a new user with ``role``."""
    from training import accounts, db, models

    name = f"lab_{role}"
    user = accounts.user_by_name(db.get_database(), name) or accounts.create_user(
        db.get_database(), name, PW, models.Role(role))
    return accounts.open_session(db.get_database(), user)


TUNED_TITLE = {"en": "Risk-based monitoring", "zh": "按风险分级监控"}


def open_lab(lang: str = "en", where: str = "here", role: str = "manager",
             reload: bool = False) -> AppTest:
    """The lab page signed in as a manager; studies run in the test's process unless
    ``where`` says otherwise. ``reload``: a new session of an account that was here
    already, whose form comes back as it was left (where to run too)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.session_state["auth_token"] = session_token(role)
    at.run()
    at.switch_page("app_pages/lab.py").run()
    assert not at.exception, [e.value for e in at.exception]
    if reload:
        return at
    assert at.radio(key="lab_where").value == "local"  # the default: worker processes
    at.radio(key="lab_where").set_value(where).run()
    return at


def finish(at: AppTest):
    job = at.session_state["lab_job"]
    job.wait(TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return job


@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_only_managers_and_admins_reach_the_lab(role):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.session_state["auth_token"] = session_token(role)
    at.run()
    assert not at.exception
    # the navigation does not offer the lab, so no URL reaches it
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("app_pages/lab.py")


def test_an_admin_reaches_the_lab():
    at = open_lab(role="admin")
    assert at.button(key="lab_run")


@pytest.mark.parametrize("lang, title", [("en", "Strategy lab"), ("zh", "策略实验室")])
def test_the_page_reads_in_both_languages(lang, title):
    at = open_lab(lang)
    assert at.title[0].value == title
    assert at.multiselect(key="lab_strategies_pick").value == [
        "early-warning", "late-collection", "tuned"]
    assert at.button(key="lab_run").label
    # the rule editor's five figures per class say they are months between checks (they
    # were labelled with the class alone: "Normal 6")
    months = {"en": "in months", "zh": "（月"}[lang]
    assert any(months in c.value for c in at.caption)
    assert at.number_input(key="lab_iv_normal").help


def test_a_comparison_with_a_staffing_sweep_shows_verdicts_tables_and_charts():
    at = open_lab("en")
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(3)
    at.toggle(key="lab_sweep").set_value(True).run()
    at.slider(key="lab_staff").set_value((1, 2))
    at.button(key="lab_run").click().run()
    job = finish(at)
    assert job.outcome is not None and job.outcome.request.staff == (1, 2)
    figures = lab.figures_json(job.outcome)
    # the headline and a verdict per asked-for challenger and key figure
    assert at.success[0].value == lab.headline(job.outcome.study, "en")
    verdicts = [m.value for m in at.markdown if "against Early warning" in m.value]
    assert len(verdicts) == 2 * len(lab.KEY_FIGURES)
    # the loss chart, the frontier, a panel per strategy in each fan (the references too)
    # and the staffing chart's three panels
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    names = list(dict.fromkeys(lab.fan_frame(job.outcome.study, "npl_ratio")["strategy"]))
    shown = len(names)  # the oracle too
    assert len(charts) == 2 + 2 * shown + 3
    # each panel is a chart of its own at its column's width: drawn side by side at fixed
    # widths, the fans' third panel was cut in half at 1,280 px and the staffing chart's
    # net value after staff cost (whether another officer pays) was not shown at 1,024 px
    specs = [json.loads(c.proto.spec) for c in charts]
    panels = specs[2:]
    assert not any("hconcat" in x or "vconcat" in x or "width" in x for x in panels)
    # and its plot as high as asked, whatever its axis titles (the theme squeezed a fan's
    # plot to about 80 px, less under a panel that named the month)
    assert all(x["autosize"]["type"] == "fit-x" for x in panels)
    titles = [x.get("title", {}).get("text") for x in panels[:shown]]
    shown_as = lab.strategy_titles(job.outcome.study.spec.strategies)  # tuned's title
    assert titles == [lab.strategy_label(s, "en", shown_as) for s in names]
    assert "Risk-based monitoring" in titles and "tuned" not in titles
    axes = [layer["encoding"]["y"]["field"] for x in panels[-3:] for layer in x["layer"]
            if layer["mark"]["type"] == "line"]
    assert axes == ["loss_cny", "compliance", "net_after_staff_cny"]
    assert t("lab.chart.staffing", "en", strategy="Early warning") in [m.value.strip("*")
                                                                      for m in at.markdown]
    # the staffing table and its sentence agree with the figures
    assert str(figures["staffing"]["stop_paying_after_officers"]) in at.info[0].value
    # the paired differences, strategies and staffing tables wrap their cells (tables, not
    # grids): no column is past the right edge (net value was, at 1,400 px; the paired
    # verdict at 1,024 px) and the verdict is never cut
    paired, strategies, staffing = (x.value for x in list(at.table)[-3:])
    assert paired.columns[-2] == t("lab.col.verdict", "en")
    # a column per strategy, a row per figure: eleven figures as columns were wider than
    # the page column at 1,024 px
    assert list(strategies.columns)[1:4] == ["Early warning", "Late collection",
                                            "Risk-based monitoring"]
    assert t("lab.figure.net_value_cny", "en") in list(strategies.iloc[:, 0])
    net = lab.strategy_table(job.outcome.study).query(
        "strategy == 'tuned' and figure == 'net_value_cny'")["mean"].iloc[0]
    assert strategies.set_index(strategies.columns[0]).loc[
        t("lab.figure.net_value_cny", "en"), "Risk-based monitoring"].startswith(
        lab.fmt_figure("net_value_cny", net, "en"))
    assert list(staffing["Officers"]) == [1, 2]
    # money as units.money writes it (its no-break space), as the report and the dashboard
    assert list(staffing[t("lab.col.loss", "en")]) == [
        units.money(v, "en") for v in lab.staffing_table(job.outcome)["loss_cny"]]
    assert staffing.columns[-1] == "Pays?"
    # beside it, what the added officer's gain is weighed against: its cost over the case
    rows = lab.staffing_table(job.outcome).to_dict("records")
    cells = list(staffing["Pays?"])[1:]
    assert [f"costs {lab.fmt_figure('gain_cny', r['step_cost_cny'], 'en')} (" in c
            for c, r in zip(cells, rows[1:], strict=True)] == [True] * len(cells)
    assert all(r["step_cost_cny"] > 0 for r in rows[1:])
    assert [p.startswith("yes") for p in staffing["Pays?"]][1:] == [
        r["gain_cny"] > r["step_cost_cny"] for r in rows[1:]]
    tuned_loss = figures["paired"]["tuned"]["loss_cny"]["mean"]
    assert lab.fmt_figure("loss_cny", tuned_loss, "en", signed=True) in set(paired.iloc[:, 2])
    assert at.get("download_button")
    # the note under the strategies table keeps the "*" that marks the reference runs
    # (unescaped, markdown drew it as a list bullet and the marker was gone)
    note = t("lab.report.reference_note", "en")
    assert note.startswith("* ")
    assert "\\" + note in [c.value for c in at.caption]


def test_a_running_study_can_be_cancelled():
    at = open_lab("en")
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(5000)
    at.button(key="lab_run").click().run()
    at.button(key="lab_cancel").click().run()
    job = finish(at)
    assert job.state.value == "cancelled" and job.outcome is None
    assert job.progress.done < job.progress.total
    assert "cancelled" in at.warning[0].value


@pytest.mark.parametrize("lang, words", [("en", ("About", "on this process")),
                                         ("zh", ("预计约", "当前进程"))])
def test_the_form_says_about_how_long_the_study_will_take(lang, words):
    at = open_lab(lang)
    at.selectbox(key="lab_case").set_value("intro").run()
    first = next(c.value for c in at.caption if words[0] in c.value)
    assert words[1] in first, first
    at.number_input(key="lab_reps").set_value(20_000).run()
    longer = next(c.value for c in at.caption if words[0] in c.value)
    assert longer != first  # more futures, a longer wait
    assert not at.exception


@pytest.mark.parametrize("lang, words", [("en", ("futures simulated", "so far")),
                                         ("zh", ("已模拟", "已用"))])
def test_a_running_study_says_how_far_it_is_and_how_long_it_has_taken(lang, words):
    at = open_lab(lang)
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(5000)
    at.button(key="lab_run").click().run()
    text = at.get("progress")[0].proto.text
    at.button(key="lab_cancel").click().run()
    finish(at)
    assert all(w in text for w in words), text
    assert "5,000" in text  # futures in all, with a thousands separator


class _ShownJob:
    """A running study stood still at a given progress, for the page to show."""

    running = True
    cancelling = False
    request = None

    def __init__(self, progress):
        self.progress = progress

    def cancel(self):
        self.running = False


@pytest.mark.parametrize("lang, left", [("en", "about 2 min 00 s left at the pace so far"),
                                        ("zh", "按目前速度约剩 2 分 00 秒")])
def test_the_bar_says_the_time_left_at_the_pace_of_the_futures_finished(lang, left):
    """A manager told 4 s waited a minute and took the app for hung: the bar says the time
    left from the futures finished (20 of 100 in 30 s: 2 min to go), not the first guess."""
    from training.lab_jobs import Progress

    at = open_lab(lang)
    at.session_state["lab_job"] = _ShownJob(Progress(20, 100, 30.0, estimate_s=4.0))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = at.get("progress")[0].proto.text
    assert left in text and "20" in text, text


class _StoppingJob(_ShownJob):
    """A running study whose Cancel was pressed and whose futures in flight still run."""

    def cancel(self):
        self.cancelling = True


@pytest.mark.parametrize("lang, words", [("en", "Stopping"), ("zh", "正在停止")])
def test_a_cancel_says_the_study_is_stopping_until_it_has(lang, words):
    """Cancel pressed on a large case with local processes: the bar and its Cancel button
    stayed as they were for 14 s while the futures already running finished, so the press
    looked lost. The page says the study is stopping, and Cancel is not offered again."""
    from training.lab_jobs import Progress

    at = open_lab(lang)
    at.session_state["lab_job"] = _StoppingJob(Progress(0, 200, 4.0, estimate_s=60.0))
    at.run()
    assert not at.button(key="lab_cancel").disabled
    at.button(key="lab_cancel").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(words in c.value for c in at.caption), [c.value for c in at.caption]
    assert at.button(key="lab_cancel").disabled


def with_edited_table(name: str, lang: str = "en"):
    """The lab on intro, 2 futures, early-warning against a table edited in the app."""
    at = open_lab(lang)
    at.selectbox(key="lab_case").set_value("intro")
    at.multiselect(key="lab_strategies_pick").set_value(["early-warning", "__edited__"])
    at.number_input(key="lab_reps").set_value(2)
    at.text_input(key="lab_rule_name").set_value(name)
    return at


def test_a_rule_table_edited_in_the_app_is_a_strategy_of_the_study():
    at = with_edited_table("monthly-normal")
    at.number_input(key="lab_iv_normal").set_value(1)
    at.radio(key="lab_beyond").set_value("slip").run()
    assert "Rule table valid" in " ".join(c.value for c in at.caption)
    at.button(key="lab_run").click().run()
    job = finish(at)
    edited = job.outcome.request.strategies[1]
    assert edited.label == "monthly-normal"
    assert edited.rules.monitoring.interval_months.normal == 1
    assert edited.rules.checks_beyond_reserve == "slip"
    assert "monthly-normal" in lab.figures_json(job.outcome)["strategies"]
    assert any("monthly-normal against Early warning" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang,name,words", [
    ("en", "Early warning", "is a built-in strategy's name"),
    ("zh", "早期预警", "与内置策略同名"),
    ("zh", "early-warning", "与内置策略同名"),
    ("zh", "tuned", "有两个策略都叫“tuned”"),
    ("en", "tuned", "Two strategies are both named “tuned”")])
def test_a_table_named_like_another_strategy_is_refused_in_the_pages_language(lang, name, words):
    """A table edited here and named "Early warning" ran beside the built-in, and the
    verdicts read "Early warning against Early warning"; one named like the shipped "tuned"
    was refused in English on the Chinese page, naming no box."""
    at = with_edited_table(name, lang)
    at.multiselect(key="lab_strategies_pick").set_value(["early-warning", "tuned", "__edited__"])
    at.number_input(key="lab_iv_normal").set_value(1)  # not tuned's rules: its own table
    at.run()
    at.button(key="lab_run").click().run()
    assert not at.exception
    assert any(words in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state["lab_job"] is None if "lab_job" in at.session_state else True
    assert at.text_input(key="lab_rule_name").value == name  # what was typed stays


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_table_edited_to_the_rules_of_another_is_said_and_not_run_twice(lang):
    """The editor opens on tuned's rules: chosen beside tuned it ran as "my-rules", the same
    figures under a second name, and nothing said so. The page says so in its language
    before the run; the study runs tuned once (and a sweep of the copy runs tuned)."""
    at = with_edited_table("my-rules", lang)
    mine = t("lab.page.edited_table", lang) + ("（my-rules）" if lang == "zh" else " (my-rules)")
    at.multiselect(key="lab_strategies_pick").set_value(["early-warning", "__edited__"]).run()
    tuned = TUNED_TITLE[lang]  # the shipped table, by its title
    shipped = t("lab.page.same_rules_shipped", lang, label=mine, twin=tuned)
    assert shipped in [w.value for w in at.warning]  # runs, under its own name, said
    at.multiselect(key="lab_strategies_pick").set_value(
        ["early-warning", "tuned", "__edited__"]).run()
    dropped = t("lab.page.same_rules_dropped", lang, label=mine, twin=tuned)
    assert [w.value for w in at.warning] == [dropped]
    at.toggle(key="lab_sweep").set_value(True).run()
    at.slider(key="lab_staff").set_value((1, 2))
    at.selectbox(key="lab_sweep_strategy").set_value("__edited__")
    at.button(key="lab_run").click().run()
    job = finish(at)
    assert not at.error, [e.value for e in at.error]
    assert [s.label for s in job.outcome.request.strategies] == ["early-warning", "tuned"]
    assert job.outcome.request.sweep_strategy == "tuned"
    assert at.multiselect(key="lab_strategies_pick").value == [
        "early-warning", "tuned", "__edited__"]  # the manager's choice stays as made


def test_the_staffing_sweep_can_run_the_table_edited_in_the_app():
    at = with_edited_table("quarterly-all")
    at.toggle(key="lab_sweep").set_value(True).run()
    at.slider(key="lab_staff").set_value((1, 2))
    at.selectbox(key="lab_sweep_strategy").set_value("__edited__")
    at.button(key="lab_run").click().run()
    job = finish(at)
    # the sweep runs the edited table, by the name it was given, not the editor's caption
    assert not at.error, [e.value for e in at.error]
    assert job.outcome is not None and job.outcome.request.sweep_strategy == "quarterly-all"
    assert "quarterly-all" in at.info[0].value


@pytest.mark.parametrize("lang, words", [("en", "Scheduler address is empty"),
                                         ("zh", "调度器地址为空")])
def test_a_dask_run_without_an_address_names_the_field_and_keeps_the_form(lang, words):
    at = open_lab(lang, where="dask")
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(3)
    at.button(key="lab_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert words in at.error[0].value and "tcp://" in at.error[0].value
    assert "lab_job" not in at.session_state  # nothing started
    assert at.number_input(key="lab_reps").value == 3  # what the manager set is kept


def test_an_unreachable_scheduler_says_so_in_the_pages_language():
    at = open_lab("zh", where="dask")
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(2)
    at.text_input(key="lab_address").set_value("tcp://127.0.0.1:9")  # nothing listens there
    at.button(key="lab_run").click().run()
    job = finish(at)
    assert job.state.value == "failed" and job.failure is not None
    message = at.error[0].value
    assert "tcp://127.0.0.1:9" in message and "秒内没有响应" in message
    assert "Traceback" not in message and "Timed out" not in message  # no English in zh


def test_a_language_switch_keeps_the_study_as_chosen():
    """Switching language relabels every picker; the case, the strategies and where to run
    stay as chosen (they were dropped: a manager then ran another study unknowingly)."""
    at = open_lab("en", where="here")
    at.selectbox(key="lab_case").set_value("guarantee_chain").run()
    at.multiselect(key="lab_strategies_pick").set_value(["oracle", "early-warning"]).run()
    for lang in ("zh", "en"):
        at.radio(key="lang_switch").set_value(lang).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox(key="lab_case").value == "guarantee_chain"
        assert at.multiselect(key="lab_strategies_pick").value == ["oracle", "early-warning"]
        assert at.radio(key="lab_where").value == "here"
    assert at.title[0].value == "Strategy lab"


def test_another_case_brings_its_own_seed_and_staffing_range():
    """The seed is the case's own, as `bianque compare` takes it, and the sweep's range sits
    around the case's own team; a sweep of one count is refused with the fix."""
    from sim.scenario import load_scenario

    at = open_lab("en", where="here")
    for cid in ("small_loan_company", "intro"):
        case = load_scenario(ROOT / "scenarios" / f"{cid}.yaml")
        at.selectbox(key="lab_case").set_value(cid).run()
        at.toggle(key="lab_sweep").set_value(True).run()
        assert at.number_input(key="lab_seed").value == case.seed
        assert at.slider(key="lab_staff").value == lab.default_staff_range(case.staff.officers)
    at.slider(key="lab_staff").set_value((3, 3))
    at.button(key="lab_run").click().run()
    assert "at least two counts" in " ".join(e.value for e in at.error)
    assert "lab_job" not in at.session_state


def test_a_finished_study_is_saved_and_opens_again_after_a_reload():
    at = open_lab("en", role="admin")
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(2)
    at.number_input(key="lab_seed").set_value(4242)
    at.button(key="lab_run").click().run()
    job = finish(at)
    headline = lab.headline(job.outcome.study, "en")
    # a reload: a new session of the same account, nothing run in it
    again = open_lab("zh", role="admin", reload=True)
    assert "lab_job" not in again.session_state
    saved = again.selectbox(key="lab_saved_pick")
    assert "入门" in saved.options[0] and "2 个情景" in saved.options[0]  # newest first
    # the form on another case: the study opens as saved, not as "run before the form
    # changed: run it again" (which it said of every saved study of another case)
    again.selectbox(key="lab_case").set_value("rising_lpr").run()
    again.button(key="lab_saved_open").click().run()
    stale = t("lab.page.other_case", "zh", title=job.outcome.request.scenario.title.zh)
    assert stale not in [i.value for i in again.info]
    assert not again.exception, [e.value for e in again.exception]
    assert again.success[0].value == lab.headline(job.outcome.study, "zh")
    opened = again.session_state["lab_opened"]
    assert opened[1].study.same_figures(job.outcome.study)
    assert any("保存的研究" in i.value for i in again.info)
    assert again.get("download_button")
    # the English page said the same when it ran
    assert headline == lab.headline(opened[1].study, "en")
    again.button(key="lab_saved_delete").click().run()
    assert not again.exception
    assert "lab_opened" not in again.session_state


def test_a_study_running_when_the_page_is_reloaded_is_picked_up_and_kept(monkeypatch):
    """A reload (or a dropped connection) while a study ran lost it: the study went on in
    the background, but only the page that started it could save it, and the new page
    knew nothing of it. Now the new page shows its progress, and the job keeps it."""
    from sim import study

    # the study's first replication waits until the new session has opened, so it is
    # surely still running then (however fast the machine), and a few futures suffice
    opened = threading.Event()
    replicate = study.run_replication

    def held(*args, **kwargs):
        opened.wait(TIMEOUT)
        return replicate(*args, **kwargs)

    monkeypatch.setattr(study, "run_replication", held)
    at = open_lab("en", where="here")
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(4)
    at.button(key="lab_run").click().run()
    job = at.session_state["lab_job"]
    assert job.running
    again = open_lab("zh", reload=True)  # the same account, a new session
    assert again.session_state["lab_job"] is job
    assert job.running
    assert any("取消" in b.label for b in again.button)  # its progress and Cancel button
    opened.set()
    job.wait(TIMEOUT)
    assert job.kept and job.keep_failure is None
    again.run()
    assert not again.exception, [e.value for e in again.exception]
    assert again.success[0].value == lab.headline(job.outcome.study, "zh")
    saved = again.selectbox(key="lab_saved_pick")
    assert len(saved.options) == 1 and "4 个情景" in saved.options[0]  # kept by the job


def test_a_case_the_instructors_published_is_a_case_of_the_lab():
    from training import accounts, db, models, publishing

    database = db.get_database()
    teacher = accounts.create_user(database, "teacher", PW, models.Role.INSTRUCTOR)
    text = (ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8")
    # the intro as shipped is offered once; the bank's own version of it is a case too
    publishing.publish_case(database, teacher, text)
    ours = text.replace("id: intro", "id: our_branch", 1).replace("count: 30", "count: 35", 1)
    assert ours != text
    version = publishing.publish_case(database, teacher, ours)
    at = open_lab("en", where="here")
    cases = at.selectbox(key="lab_case")
    key = f"__published__:{version.id}"
    # listed once, with its version: the shipped intro published unchanged is not repeated
    assert sum("published v1" in o for o in cases.options) == 1
    at.selectbox(key="lab_case").set_value(key).run()
    at.number_input(key="lab_reps").set_value(2)
    at.button(key="lab_run").click().run()
    job = finish(at)
    assert job.outcome.request.scenario.id == "our_branch"
    assert at.success[0].value == lab.headline(job.outcome.study, "en")


@pytest.mark.parametrize("lang, back", [("en", "Your form is back"), ("zh", "表单已恢复")])
def test_a_reload_gives_the_manager_the_form_back(lang, back):
    """A reload (or a dropped connection) started the form again from its defaults: the
    case, the strategies, the rule table being edited, the futures, the seed, the staffing
    sweep and where to run were lost. Each change is now kept for the manager, and a new
    session of the same account opens on the form as it was left, and says so."""
    at = open_lab(lang, where="here")
    at.selectbox(key="lab_case").set_value("small_loan_company").run()
    at.multiselect(key="lab_strategies_pick").set_value(["late-collection", "__edited__"])
    at.text_input(key="lab_rule_name").set_value("branch-rules")
    at.number_input(key="lab_iv_normal").set_value(4)
    at.number_input(key="lab_first_days").set_value(45)
    at.slider(key="lab_reserve").set_value(0.3)
    at.radio(key="lab_beyond").set_value("slip")
    at.number_input(key="lab_reps").set_value(7)
    at.number_input(key="lab_seed").set_value(4242)
    at.toggle(key="lab_sweep").set_value(True).run()
    at.slider(key="lab_staff").set_value((2, 6))
    at.selectbox(key="lab_sweep_strategy").set_value("__edited__")
    at.number_input(key="lab_officer_cost").set_value(12000.0)
    at.radio(key="lab_where").set_value("dask").run()
    at.text_input(key="lab_address").set_value("tcp://127.0.0.1:8786").run()
    assert not at.exception, [e.value for e in at.exception]

    again = open_lab(lang, reload=True)  # the same manager, a new browser session
    assert again.selectbox(key="lab_case").value == "small_loan_company"
    assert again.multiselect(key="lab_strategies_pick").value == ["late-collection",
                                                                  "__edited__"]
    assert again.text_input(key="lab_rule_name").value == "branch-rules"
    assert again.number_input(key="lab_iv_normal").value == 4
    assert again.number_input(key="lab_first_days").value == 45
    assert again.slider(key="lab_reserve").value == 0.3
    assert again.radio(key="lab_beyond").value == "slip"
    assert again.number_input(key="lab_reps").value == 7
    assert again.number_input(key="lab_seed").value == 4242  # not the case's own
    assert again.toggle(key="lab_sweep").value is True
    assert again.slider(key="lab_staff").value == (2, 6)
    assert again.selectbox(key="lab_sweep_strategy").value == "__edited__"
    assert again.number_input(key="lab_officer_cost").value == 12000.0
    assert again.radio(key="lab_where").value == "dask"
    assert again.text_input(key="lab_address").value == "tcp://127.0.0.1:8786"
    assert any(i.value.startswith(back) for i in again.info), [i.value for i in again.info]
    assert not again.warning, [w.value for w in again.warning]
    # and it still runs what it shows: the edited table is a strategy of the study
    assert t("lab.page.table_ok", lang, n=4) in [c.value for c in again.caption]


def kept_form(data: dict) -> None:
    """Put ``data`` as the lab manager's kept form, as an older version or another day
    may have left it."""
    from training import accounts, db, models

    database = db.get_database()
    session_token("manager")
    user = accounts.user_by_name(database, "lab_manager")
    with db.session_scope(database) as s:
        s.merge(models.LabFormRow(user_id=user.id, form=data, updated_at=db.now()))


@pytest.mark.parametrize("lang, words", [
    ("en", ("A withdrawn case", "no longer offered", "old-table", "mine.yaml", "Row(s) 2",
            "Futures")),
    ("zh", ("已下架的案例", "已不再提供", "old-table", "mine.yaml", "第 2 行", "未来情景数"))])
def test_a_kept_form_that_no_longer_fits_opens_with_what_still_does(lang, words):
    """A case taken away, a rule table no longer offered, an uploaded file not kept with
    the form, a rule whose action no longer exists, a figure out of range: the page opens
    with the rest of the form as it was, and says in its language what did not come back."""
    from sim.strategies import load_rules
    from training import lab_form

    tuned = lab_form.TableForm.of(load_rules(ROOT / "scenarios" / "rules" / "tuned.yaml"))
    mine = dict(tuned.rows[0], min_dpd=15)
    table = {**tuned.__dict__, "name": "branch-rules",
             "rows": [mine, {**mine, "actions": ["teleport"]}], "valid": True}
    kept_form({"case": "withdrawn", "case_title": {"en": "A withdrawn case",
                                                   "zh": "已下架的案例"},
               "strategies": ["early-warning", "old-table", "__uploaded__:mine.yaml",
                              "__edited__"],
               "table": table, "reps": 0, "seed": 5, "where": "here"})
    at = open_lab(lang, reload=True)
    said = " ".join(w.value for w in at.warning)
    for w in words:
        assert w in said, (w, said)
    assert at.selectbox(key="lab_case").value == "intro"  # the first case, its own seed
    assert at.number_input(key="lab_seed").value == 101
    assert at.multiselect(key="lab_strategies_pick").value == ["early-warning", "__edited__"]
    assert at.text_input(key="lab_rule_name").value == "branch-rules"
    assert at.session_state["lab_rules_base"] == [mine]
    assert any(t("lab.page.table_ok", lang, n=1) == c.value for c in at.caption)
    assert at.number_input(key="lab_reps").value == 30  # the default, as said
    assert at.radio(key="lab_where").value == "here"
    # said once: the next run of the page is the form as it now is, kept as such
    at.number_input(key="lab_reps").set_value(3).run()
    assert not at.exception and not at.warning
    assert not open_lab(lang, reload=True).warning


WATCHFUL = """name: watchful
rules:
  - when: {min_alerts: 2, max_dpd: 0}
    do: [onsite_check]
"""


@pytest.mark.parametrize("lang, words", [("en", ("kept from your last visit", "watchful.yaml")),
                                         ("zh", ("已保留", "watchful.yaml"))])
def test_a_reload_gives_back_the_files_the_form_had_uploaded(lang, words):
    """A manager's own case file and rule table were 'not kept after a reload: upload it
    again'. Kept with the form, they are offered and chosen again, and said to be kept."""
    from training import lab_form

    case_key, table_key = lab_form.CASE_FILE + "branch.yaml", lab_form.UPLOADED + "watchful.yaml"
    branch = (ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8").replace(
        "id: intro", "id: branch", 1)
    kept_form({"case": case_key, "strategies": ["early-warning", table_key], "reps": 4,
               "where": "here", "uploads": {case_key: branch, table_key: WATCHFUL}})
    at = open_lab(lang, reload=True)
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.selectbox(key="lab_case").value == case_key
    assert at.multiselect(key="lab_strategies_pick").value == ["early-warning", table_key]
    said = " ".join(c.value for c in at.caption) + " ".join(
        at.selectbox(key="lab_case").options)
    assert all(w in said for w in words), said
    # it runs on them, and the next reload still has them (kept again with the form)
    at.button(key="lab_run").click().run()
    job = finish(at)
    assert job.outcome.request.scenario.id == "branch"
    assert "watchful" in job.outcome.study.figures
    again = open_lab(lang, reload=True)
    assert again.selectbox(key="lab_case").value == case_key
    assert table_key in again.multiselect(key="lab_strategies_pick").value


@pytest.mark.parametrize("lang, words", [
    ("en", ("Risk-based monitoring (uploaded: tuned.yaml)",
            "named 'tuned', as the shipped example is, so the 'Risk-based monitoring' chosen "
            "above by default is the example")),
    ("zh", ("按风险分级监控（上传：tuned.yaml）",
            "规则表名为“tuned”，与自带的示例同名，因此上方默认选中的“按风险分级监控”是示例"))])
def test_an_uploaded_copy_of_an_example_that_kept_its_name_is_told_apart(lang, words):
    """A manager copied tuned.yaml, changed it and uploaded it without renaming it: the page
    said 'Ready to choose above: tuned' while the 'tuned' chip already there was the shipped
    example, so the study would run the example. The page names the upload by its file and
    says the default chip is the example."""
    from training import lab_form

    key = lab_form.UPLOADED + "tuned.yaml"
    mine = (ROOT / "scenarios" / "rules" / "tuned.yaml").read_text(encoding="utf-8")
    kept_form({"strategies": ["early-warning", "tuned"], "reps": 4, "where": "here",
               "uploads": {key: mine}})
    at = open_lab(lang, reload=True)
    assert not at.exception
    said = " ".join(c.value for c in at.caption) + " ".join(w.value for w in at.warning)
    assert words[0] in said, said
    assert words[1] in said, said
    assert "tuned.yaml" in " ".join(w.value for w in at.warning)


@pytest.mark.parametrize("lang, words", [
    ("en", ("of 4,000 futures simulated", "1,000 futures × 4 studies", "3 officer counts",
            "of 4,000 futures (", "Study cancelled")),
    ("zh", ("/4,000 个情景", "1,000 个情景 × 4 项", "3 个人员配置", "/4,000 个情景（", "后取消"))])
def test_a_study_with_a_staffing_sweep_says_what_its_count_of_futures_is_made_of(lang, words):
    """A manager asked for 200 futures with a sweep of 7 officer counts and the bar said
    '23 of 1,600 futures'; the cancel note said '30/1600'. Both now say the total is the
    futures asked for times the studies (the comparison and each officer count)."""
    at = open_lab(lang)
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(1000)
    at.toggle(key="lab_sweep").set_value(True).run()
    at.slider(key="lab_staff").set_value((1, 3))
    at.button(key="lab_run").click().run()
    at.session_state["lab_job"].cancel()
    text = at.get("progress")[0].proto.text
    finish(at)
    assert all(w in text for w in words[:3]), text
    note = at.warning[0].value
    assert words[3] in note and words[4] in note and words[1] in note, note


def test_no_uploader_of_the_lab_is_set_again_by_the_language_switch():
    """After a case file was uploaded, a switch to 中文 stopped the page with
    StreamlitValueAssignmentNotAllowedError: the switch sets again every picker whose key
    starts with "lab_case" (to relabel it), and the case uploader's key did. An uploader's
    value cannot be set."""
    import re

    from app_pages.common import RELABELLED
    from training import lab_form

    page = (ROOT / "app_pages" / "lab.py").read_text(encoding="utf-8")
    keys = re.findall(r"common\.file_upload\([^,]+,\s*([^,]+),", page)
    assert len(keys) == 2
    for key in keys:
        key = key.strip()
        value = getattr(lab_form, key.split(".")[1]) if key.startswith("lab_form.") \
            else key.strip("\"'")
        assert not value.startswith(RELABELLED), value


def test_a_rule_file_is_read_once_and_again_when_it_is_edited(tmp_path, monkeypatch):
    """The lab reads the shipped rule tables at every run of its page (each click): read
    once per version of the file, and an edited file is read again, its new rules in
    use."""
    import os

    from app_pages import common
    from sim import strategies

    path = tmp_path / "mine.yaml"
    text = (ROOT / "scenarios" / "rules" / "tuned.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("name: ", "name: first-", 1), encoding="utf-8")
    reads = []
    loading = strategies.load_rules
    monkeypatch.setattr(strategies, "load_rules", lambda p: reads.append(p) or loading(p))
    first = common.rule_table(path)
    assert first.name.startswith("first-")
    assert common.rule_table(path) == first and len(reads) == 1  # not read again
    path.write_text(text.replace("name: ", "name: second-", 1), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later save
    assert common.rule_table(path).name.startswith("second-")
    assert len(reads) == 2
    path.write_text("name: broken\nrules: [1]\n", encoding="utf-8")  # a mistake: its error
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000))
    with pytest.raises(strategies.RulesError):
        common.rule_table(path)


def test_a_centres_scenario_folder_gives_the_lab_its_own_rule_tables(tmp_path, monkeypatch):
    """A training centre that names its folder in BIANQUE_SCENARIO_DIR saw its own cases in
    the lab but the shipped rule tables (read from scenarios/rules directly): its tables
    are the lab's now, the shipped ones not offered; the rule editor starts from the
    shipped tuned table when the centre has none of that name."""
    import shutil

    from training import authoring

    shutil.copy(ROOT / "scenarios" / "intro.yaml", tmp_path / "intro.yaml")
    (tmp_path / "rules").mkdir()
    text = (ROOT / "scenarios" / "rules" / "tuned.yaml").read_text(encoding="utf-8")
    text = "\n".join(x for x in text.splitlines() if not x.startswith("title:"))
    (tmp_path / "rules" / "centre.yaml").write_text(  # no title: shown by its name
        text.replace("name: tuned", "name: centre-weekly", 1), encoding="utf-8")
    monkeypatch.setenv("BIANQUE_SCENARIO_DIR", str(tmp_path))
    at = open_lab("en")
    options = at.multiselect(key="lab_strategies_pick").options
    labels = " | ".join(options)
    assert "centre-weekly" in labels
    for shipped in ("tuned", "monthly-all", "accelerate-first-warning", "Risk-based"):
        assert shipped not in labels, labels
    [case] = at.selectbox(key="lab_case").options  # its one case
    assert case.startswith("Introduction")
    assert at.session_state["lab_rules_base"]  # the editor has a table to start from
    assert set(authoring.shipped_cases()) == {"intro"}  # Author a case starts from them too


def test_the_rule_editor_keeps_its_place_when_the_form_back_note_goes():
    """A manager back in a new session opened Edit a rule table and typed an interval: the
    note "Your form is back as you left it" went, every element under it moved up one
    place, and the browser drew the editor's expander anew, closed, with the value just
    typed (and any problem with it) out of sight. The note has a place of its own."""
    at = open_lab("en", role="admin")
    at.number_input(key="lab_reps").set_value(5).run()  # kept for the account
    again = open_lab("en", role="admin", reload=True)
    back = t("lab.form.back", "en", when="").split(",")[0]  # "Your form is back as you left it"
    assert any(back in i.value for i in again.info)

    def editor_place(app) -> list[int]:
        """The path of the rule editor's expander in the page's tree."""
        label = t("lab.page.edit_table", "en")

        def walk(block, path):
            for k, child in block.children.items():
                if getattr(child, "type", None) == "expander" and \
                        getattr(child, "label", None) == label:
                    return [*path, k]
                if hasattr(child, "children"):
                    found = walk(child, [*path, k])
                    if found:
                        return found
            return None

        return walk(app.main, [])

    first = editor_place(again)
    assert first is not None
    again.number_input(key="lab_iv_normal").set_value(4).run()
    assert not any(back in i.value for i in again.info)  # said once
    assert editor_place(again) == first


@pytest.mark.parametrize("lang, words", [("en", "outside the range"), ("zh", "超出")])
def test_an_interval_out_of_range_is_said_across_the_editor_not_in_its_column(lang, words):
    """99 typed for Normal's interval: the message was drawn in the fifth of the editor
    that the box has, about 90 px at a 1,024 px window, and ran down the page a syllable a
    line ("Nor / mal: / 99 is / outs / ide..."). It is said under the five boxes, the
    editor's width, naming the box and the range."""
    at = open_lab(lang)
    at.number_input(key="lab_iv_normal").set_value(99).run()
    assert not at.exception, [e.value for e in at.exception]
    said = [e.value for e in at.error if words in e.value]
    assert said and t("cls.normal", lang) in said[0] and "24" in said[0], said
    in_columns = [e.value for c in at.columns for e in c.error]
    assert not any(words in v for v in in_columns), in_columns


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_editor_tells_a_flag_set_to_no_from_no_condition(lang):
    """tuned.yaml's fourth rule asks 'defaulted: false' (only loans not in default); its
    other rules ask nothing about default. As checkboxes, both drew an unchecked box, and a
    box ticked and unticked again set 'defaulted: false' on a rule unseen. The flags are
    picked as yes or no, a blank cell asking nothing."""
    at = open_lab(lang)
    grid = at.get("dataframe")[0]
    columns = json.loads(grid.proto.columns)
    for flag in ("known_diversion", "defaulted"):
        config = columns[flag]["type_config"]
        assert config["type"] == "selectbox", config
        labels = {o["value"]: o["label"] for o in config["options"]}
        assert set(labels) == {True, False} and labels[True] != labels[False], labels
        assert all(labels.values()), labels


def test_the_rule_editor_opened_stays_open_across_a_language_switch():
    """A manager opened Edit a rule table and switched to Chinese: the editor came back
    closed (its new label drew a new expander, closed unless the edited table was chosen).
    Its open state is kept under its key, and it is drawn open in either language."""
    at = open_lab("en", where="here")

    def editor():
        label = t("lab.page.edit_table", at.radio(key="lang_switch").value)
        return next(e for e in at.expander if e.label == label)

    assert not editor().proto.expanded
    at.session_state["lab_editor_open"] = True  # as the browser reports it opened
    at.run()
    for lang in ("zh", "en"):
        at.radio(key="lang_switch").set_value(lang).run()
        assert not at.exception, [e.value for e in at.exception]
        assert editor().proto.expanded, lang


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_shipped_rule_tables_are_offered_by_their_title_in_the_pages_language(lang):
    """The Chinese page offered "tuned", "monthly-all" ...: the tables' file names. Each
    shipped table is offered by its title in the page's language; its name stays the
    option (a saved form, a study's figures)."""
    from sim.strategies import load_rules

    at = open_lab(lang)
    picker = at.multiselect(key="lab_strategies_pick")
    shown = list(picker.options)
    for path in sorted(Path("scenarios/rules").glob("*.yaml")):
        table = load_rules(path)
        assert table.title.get(lang) in shown and table.name not in shown, shown
    assert "tuned" in picker.value  # the option is still the table's name
    assert picker.format_func("tuned") == load_rules("scenarios/rules/tuned.yaml").title.get(lang)
