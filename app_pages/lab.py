"""Strategy lab (managers): which post-loan policy and staffing, and how sure are we.

Pick a case, strategies (the first is the champion), replications and a staffing range,
and where to run; the study runs in the background with a progress bar and a cancel
button; then the verdicts, the tables, the charts and the report to download. A study
that finishes is kept with its manager (training.lab_store) and opens again from the
saved studies, after a reload too; the form itself is kept at every change and comes back
after a reload (training.lab_form).
"""

from __future__ import annotations

import contextlib
import math
import os

import streamlit as st

from app_pages import common
from sim.inputs import MAX_FILE_BYTES
from sim.strategies import BUILT_IN, RulesError
from sim.study import builtin, from_rules
from training import (
    authoring,
    lab,
    lab_charts,
    lab_form,
    lab_report,
    lab_store,
    publishing,
    report,
    scenario_home,
)
from training.i18n import get_lang, t
from training.lab_form import CASE_FILE, CLASS_KEYS, EDITED, PUBLISHED, UPLOADED
from training.lab_jobs import (
    JobState,
    StudyJob,
    Where,
    latest_for,
    progress_text,
    sweep_count_text,
    wait_estimate,
)
from training.lab_jobs import wait_text as lab_wait_text

RULES_BASE = "lab_rules_base"  # the rows the rule editor starts from in this session
KEPT = "lab_form_kept"  # the form as last kept for this manager (no write when unchanged)


def lab_access_allowed() -> bool:
    """The guard of this page: only managers and admins may use the strategy lab (the
    classroom's role check, ``training.authz``, Action.STRATEGY_LAB)."""
    from training.authz import Action

    return common.allowed(Action.STRATEGY_LAB)


def rule_files() -> dict[str, str]:
    """Shipped rule tables by their name, path as value (broken files are left out)."""
    out = {}
    for path in scenario_home.rule_table_paths():  # the centre's own, as its cases are
        try:
            out[common.rule_table(path).name] = str(path)
        except RulesError:
            continue
    return out


_titles: dict | None = None  # this run's (the page's script runs afresh each rerun)


def rule_titles() -> dict:
    """The shipped rule tables' titles (a title in Chinese and English), by name; read once
    a run: every option a picker formats asks for them."""
    global _titles
    if _titles is None:
        _titles = {}
        for name, path in rule_files().items():
            with contextlib.suppress(RulesError):
                if (title := common.rule_table(path).title) is not None:
                    _titles[name] = title
    return _titles


def list_sep(lang: str) -> str:
    """Between the items of a list in a sentence: 、 in Chinese."""
    return "、" if lang == "zh" else ", "


def strategy_name(key: str) -> str:
    # the language is passed, not read: widgets may format options outside this session's run
    if key == EDITED:
        return t("lab.page.edited_table", lang)
    if key.startswith(UPLOADED):
        got = uploaded.get(key)
        name = key.removeprefix(UPLOADED) if got is None else \
            got.title.get(lang) if got.title is not None else got.name
        return t("lab.page.uploaded_table", lang, name=name, file=key.removeprefix(UPLOADED))
    return lab.strategy_label(key, lang, rule_titles())


def uploaded_tables() -> tuple[dict, list[str]]:
    """The rule table files uploaded below, read as on the command line: (tables by their
    option, a message per file that could not be used). Read from the uploader's state,
    so a table uploaded in the last run is a choice above it in this one."""
    tables, problems = {}, []
    for f in st.session_state.get("lab_rule_upload") or []:
        try:
            table = lab.rules_from_upload(f.name, f.getvalue())
        except RulesError as err:
            problems.append(t("lab.page.upload_bad", lang, file=f.name,
                              detail=lab.form_problems(err, lang)))
            continue
        if lab.builtin_named(table.name):  # "Early warning" too, not only early-warning
            problems.append(t("lab.page.upload_builtin_name", lang, file=f.name,
                              name=table.name))
            continue
        tables[UPLOADED + f.name] = table
    for option, text in kept_uploads().items():  # kept with the form, not re-uploaded
        if option.startswith(UPLOADED) and option not in tables:
            with contextlib.suppress(RulesError, ValueError):  # else: asked for again
                tables[option] = lab.rules_from_upload(option.removeprefix(UPLOADED),
                                                       text.encode("utf-8"))
    return tables, problems


# Session key: the uploaded files kept with the manager's form (training.lab_form), by
# option, put back with it in a new session. (A bare string here would be drawn on the
# page: Streamlit's magic writes every expression of a page's top level.)
KEPT_UPLOADS = "lab_kept_uploads"


def kept_uploads() -> dict[str, str]:
    return st.session_state.get(KEPT_UPLOADS) or {}


def upload_text(option: str) -> str | None:
    """The text of an uploaded file by its option: from the uploaders, else as kept."""
    from sim.inputs import decode_text

    name = option.split(":", 1)[1]
    case_file = option.startswith(CASE_FILE)
    files = [st.session_state.get(lab_form.CASE_UPLOAD)] if case_file \
        else list(st.session_state.get("lab_rule_upload") or [])
    for f in files:
        if f is not None and f.name == name:
            try:  # read as the pickers read it (a file they refused is not kept)
                return authoring.read_upload(f.getvalue()) if case_file \
                    else decode_text(f.getvalue(), f.name, RulesError)
            except (authoring.AuthoringError, RulesError):
                return None
    return kept_uploads().get(option)


def chosen_uploads(case_key: str, strategies: list[str]) -> dict[str, str]:
    """The uploaded files the form chose (the case first, then the tables as chosen), by
    option, with their text: kept with the form so a reload offers them again."""
    out = {}
    for option in [case_key, *strategies]:
        if lab_form.is_upload(option) and (text := upload_text(option)) is not None:
            out[option] = text
    return out


def case_choices(user) -> tuple[dict, dict[str, str], list[str]]:
    """The cases a study can run on: (cases by option, a note on each case that is not a
    shipped file, problems of the uploaded file). The shipped cases (trainee cases first,
    easiest first; model checks at the end), then the newest version of each case the
    instructors published (unless it is a shipped case unchanged), then a case file
    uploaded below (read from the uploader's state, so it is a choice in this run)."""
    cases, _ = common.all_cases()
    by_key = {c.id: c for c in sorted(cases, key=lambda c: (not c.published, c.difficulty,
                                                            c.id))}
    notes: dict[str, str] = {}
    shipped = {c.content_hash() for c in cases}
    if user is not None:
        for v in publishing.cases_for_lab(common.db(), user):
            scenario = v.scenario()
            if scenario.content_hash() not in shipped:
                by_key[PUBLISHED + str(v.id)] = scenario
                notes[PUBLISHED + str(v.id)] = t("lab.page.case_published", lang,
                                                 version=v.version)
    problems = []
    f = st.session_state.get(lab_form.CASE_UPLOAD)
    if f is not None:
        try:
            checked = authoring.validate_text(authoring.read_upload(f.getvalue()), f.name)
        except authoring.AuthoringError as err:
            problems.append(t(f"author.error.{err.key}", lang, detail=err.detail))
        else:
            if checked.ok:
                by_key[CASE_FILE + f.name] = checked.scenario
                notes[CASE_FILE + f.name] = t("lab.page.case_uploaded", lang, file=f.name)
            else:
                problems += [lab.case_problem_text(p, lang) for p in checked.problems]
    for option, text in kept_uploads().items():  # kept with the form, not re-uploaded
        if option.startswith(CASE_FILE) and option not in by_key:
            name = option.removeprefix(CASE_FILE)
            with contextlib.suppress(authoring.AuthoringError):  # else: asked for again
                checked = authoring.validate_text(text, name)
                if checked.ok:
                    by_key[option] = checked.scenario
                    notes[option] = t("lab.page.case_kept", lang, file=name)
    return by_key, notes, problems


def rule_editor():
    """The rule table edited here: intervals per class, then threshold-to-action rules.
    Its fields start from the manager's kept form, else from tuned.yaml (restore_form);
    returns the table (None while it does not check out) and the rows as shown."""
    from sim.defaults import INTERVENTIONS

    name = st.text_input(t("lab.page.table_name"), key=lab_form.NAME)
    # the five figures below are months between routine checks: said once, above them
    st.caption(t("lab.page.intervals_caption"))
    cols = st.columns(5)
    below = st.container()  # a box's range message, the editor's width under the row
    intervals = {k: common.number_field(cols[i], t(f"cls.{k}"), lab_form.interval_key(k), 0,
                                        lab_form.MAX_INTERVAL_MONTHS, step=1, say=below,
                                        help=t("lab.page.interval_help"))
                 for i, k in enumerate(CLASS_KEYS)}
    c1, c2, c3 = st.columns(3)
    below = st.container()
    first = common.number_field(c1, t("lab.page.first_check_days"), lab_form.FIRST_DAYS, 0,
                                lab_form.MAX_FIRST_CHECK_DAYS, step=1, say=below)
    reserve = c2.slider(t("lab.page.reserve_share"), 0.0, 1.0, step=0.05, key=lab_form.RESERVE)
    beyond = c3.radio(t("lab.page.checks_beyond_reserve"), lab_form.BEYOND,
                      key=lab_form.BEYOND_KEY,
                      format_func=lambda v: t(f"lab.page.beyond_{v}", lang),
                      help=t("lab.page.beyond_help"))
    # every condition a rule table can hold has its column, so a table is edited whole:
    # tuned's 'checked within a month, no action for six' is shown and kept (lab.form_rows)
    rows = st.session_state[RULES_BASE]
    cc = st.column_config
    months = {"min_value": 0, "max_value": 60, "step": 1}
    classes = list(range(len(CLASS_KEYS)))
    edited = st.data_editor(
        rows, num_rows="dynamic", key="lab_rules", width="stretch",
        placeholder=t("lab.page.no_condition"),  # an empty cell sets no condition
        column_config={
            "min_alerts": cc.NumberColumn(t("lab.page.min_alerts"), min_value=0, max_value=20,
                                          step=1),
            "alert_months": cc.NumberColumn(t("lab.page.alert_months"), min_value=1,
                                            max_value=24, step=1,
                                            help=t("lab.page.alert_months_help")),
            "min_dpd": cc.NumberColumn(t("lab.page.min_dpd"), min_value=0, max_value=3650,
                                       step=1),
            "max_dpd": cc.NumberColumn(t("lab.page.max_dpd"), min_value=0, max_value=3650,
                                       step=1),
            "min_class": cc.SelectboxColumn(t("lab.page.min_class"), options=classes,
                                            format_func=lambda c: t(f"cls.{CLASS_KEYS[c]}", lang)),
            "max_class": cc.SelectboxColumn(t("lab.page.max_class"), options=classes,
                                            format_func=lambda c: t(f"cls.{CLASS_KEYS[c]}", lang)),
            # yes, no or blank (no condition): as checkboxes, "no" and "no condition" both
            # drew an unticked box (tuned's 'defaulted: false' among rules asking nothing)
            "known_diversion": cc.SelectboxColumn(t("lab.page.known_diversion"),
                                                  options=[True, False], format_func=yes_no),
            "defaulted": cc.SelectboxColumn(t("lab.page.defaulted"), options=[True, False],
                                            format_func=yes_no),
            "checked_within_months": cc.NumberColumn(t("lab.page.checked_within"), **months,
                                                     help=t("lab.page.checked_within_help")),
            "not_acted_within_months": cc.NumberColumn(t("lab.page.not_acted_within"), **months,
                                                       help=t("lab.page.not_acted_help")),
            # picked by name in the reader's language, kept as the engine's ids
            "actions": cc.MultiselectColumn(t("lab.page.actions"), options=list(INTERVENTIONS),
                                            format_func=lambda a: report.action_name(a, lang),
                                            help=t("lab.page.actions_help"), width="large",
                                            pinned=True),  # in view: the row's point
        })
    shown = list(edited)
    if first is None or None in intervals.values():  # said under the box
        return None, shown
    try:
        table = lab.rule_table_from_form(name, intervals, first, reserve, shown, beyond)
    except lab.LabInputError as err:
        st.error(t("lab.page.table_invalid", detail=lab.form_problems(err, lang)))
        return None, shown
    st.caption(t("lab.page.table_ok", n=len(table.rules)))
    st.download_button(t("lab.page.table_download"), data=lab.rules_yaml(table),
                       file_name=f"{table.name}.yaml", mime="application/x-yaml",
                       icon=":material/download:", on_click="ignore", key="lab_rule_download",
                       help=t("lab.page.table_download_help"))
    return table, shown


def yes_no(flag: bool) -> str:
    """A rule's yes-or-no condition as the editor shows it (the language is passed: the
    grid formats its options outside this session's run)."""
    return t("lab.page.flag_yes" if flag else "lab.page.flag_no", lang)


def same_rules_notes(chosen: list[str], edited, files: dict[str, str],
                     uploaded: dict) -> dict[str, str]:
    """Say which chosen rule tables repeat another's rules (lab.same_rules); the options
    left out of the study, each with the option whose rules it repeats."""
    shipped = {}
    for name, path in files.items():
        with contextlib.suppress(RulesError):
            shipped[name] = common.rule_table(path)
    tables = [(k, edited if k == EDITED else shipped.get(k) if k in files else uploaded.get(k))
              for k in chosen]
    out = {}
    for same in lab.same_rules(tables, shipped):
        label = strategy_name(same.option)
        if same.option == EDITED and edited is not None:
            label = f"{label}（{edited.name}）" if lang == "zh" else f"{label} ({edited.name})"
        if same.chosen:
            out[same.option] = same.twin
            st.warning(t("lab.page.same_rules_dropped", lang, label=label,
                         twin=strategy_name(same.twin)), icon=":material/content_copy:")
        else:
            st.warning(t("lab.page.same_rules_shipped", lang, label=label,
                         twin=strategy_name(same.twin)), icon=":material/content_copy:")
    return out


def load_kept(user) -> tuple[dict, object] | None:
    """The manager's kept form (a new session: a reload, a dropped connection, a sign-in
    again; or back from another page, which drops the widgets' values), its uploaded
    files put where the pickers find them; None when there is none or it cannot be read
    (said, and the form opens at its defaults)."""
    kept = None
    try:
        kept = lab_form.load(common.db(), user)
    except Exception:  # noqa: BLE001 - the form opens at its defaults all the same
        st.warning(t("lab.form.unreadable"), icon=":material/cloud_off:")
    st.session_state[KEPT_UPLOADS] = lab_form.uploads_of(None if kept is None else kept[0])
    return kept


def restore_form(kept: tuple[dict, object] | None) -> None:
    """Put the kept form back on the page, fitted to the cases and strategies offered now;
    say what could not be."""
    default = lab_form.TableForm.of(common.rule_table(scenario_home.default_rule_table_path()))
    restored = lab_form.restore(None if kept is None else kept[0], by_id, options, default)
    st.session_state.update(restored.values)
    st.session_state[RULES_BASE] = default.rows if restored.rows is None else restored.rows
    if kept is None or st.session_state.get("lab_form_said"):
        return
    st.session_state["lab_form_said"] = True  # once a session, not on each page visit
    st.info(t("lab.form.back", when=common.local_time(kept[1])), icon=":material/history:")
    for problem in restored.problems:
        st.warning(problem.text(lang), icon=":material/report:")


def keep_form(user, case, rows: list[dict], valid: bool, uploads: dict[str, str]) -> None:
    """Keep the form as it now stands for the manager, with the uploaded files it chose, so
    a reload gives it back. Keeping it must never cost the edit: a database problem is
    said and the form stays."""
    if user is None:
        return
    form = lab_form.from_state(st.session_state, case, rows, valid, uploads)
    data = form.to_json()
    if st.session_state.get(KEPT) == data:
        return
    try:
        lab_form.save(common.db(), user, form)
    except Exception as err:  # noqa: BLE001 - the form stays on the page as it is
        st.warning(t("lab.form.keep_failed", detail=str(err)[:200]), icon=":material/cloud_off:")
    else:
        st.session_state[KEPT] = data


def show_results(outcome: lab.LabOutcome, seconds: float, lang: str, case,
                 saved: bool = False) -> None:
    res = outcome.study
    ran_on = outcome.request.scenario
    # the form has moved on since this study ran: say whose results these are (a saved
    # study was opened as such, whatever the form holds; its caption names its case)
    if ran_on.id != case.id and not saved:
        st.info(t("lab.page.other_case", title=ran_on.title.get(lang)),
                icon=":material/history:")
    st.success(lab.headline(res, lang))
    st.caption(t("lab.page.ran_case", title=ran_on.title.get(lang), reps=outcome.request.reps,
                 seconds=f"{seconds:.1f}", seed=outcome.request.seed))
    st.subheader(t("lab.page.verdicts"))
    for verdict, text in lab_report.verdict_lines(outcome, lang):
        icon = {"better": ":material/check_circle:", "worse": ":material/cancel:"}.get(
            verdict, ":material/help:")
        st.markdown(f"{icon} {text}")
    # tables that wrap their cells, as the report's: in a data grid each figure and its
    # interval took one line, and the verdict was past the grid's right edge at 1,024 px
    wrapped_table("lab_paired", lab_report.paired_display(outcome, lang))
    st.subheader(t("lab.report.strategies"))
    # a column per strategy: a row each was wider than the page column at 1,024 px
    wrapped_table("lab_strategies", lab_report.strategies_by_figure(outcome, lang))
    if (note := lab_report.index_note(outcome, lang)) is not None:
        st.info(note, icon=":material/info:")
    # the note begins with the tables' "*" marker: escaped, or it renders as a list bullet
    st.caption(t("lab.report.reference_note").replace("*", "\\*", 1))
    st.caption(t("lab.report.hours_note"))
    if (refused := lab_report.refused_text(outcome, lang)) is not None:
        st.warning(refused, icon=":material/schedule:")
    charts = lab_charts.page_charts(outcome, lang)
    for name in lab_report.CHART_ORDER[:-1]:  # staffing below, with its table
        draw_panels(name, charts[name])
    st.caption(t("chart.runoff_note"))
    if outcome.sweep:
        st.subheader(t("lab.report.staffing"))
        st.info(lab_report.stop_paying_text(outcome, lang))
        draw_panels("staffing", charts["staffing"])
        # a table that wraps its cells: in a data grid the last column, whether another
        # officer pays, was cut off on a Chinese page ("是（在波动之"); its cells break
        # between words, not inside 万元
        wrapped_table("lab_staffing", lab_report.staffing_display(outcome, lang))
    st.download_button(
        t("lab.page.download"), data=lambda: lab_report.report_html(outcome, lang),
        file_name=lab_report.download_name(outcome.request), mime="text/html",
        icon=":material/download:", on_click="ignore", key="lab_download")


def wrapped_table(key: str, frame) -> None:
    """A table whose cells wrap between words (never inside "37.0 万元"), a size smaller
    than Streamlit's, in a container of its own key."""
    with st.container(key=key):
        scope = f".st-key-{key} "
        st.html(lab_report.KEEP_WORDS_STYLE.format(scope=scope)
                + lab_report.PAGE_TABLE_STYLE.format(scope=scope))
        st.table(frame, hide_index=True)


def draw_panels(name: str, chart) -> None:
    """A chart of the lab: whole, or (a title and rows of panels) as columns of the page,
    each panel at its column's width, so no panel is past the page's right edge."""
    if not isinstance(chart, tuple):
        common.draw_chart(st, chart, key=f"lab_chart_{name}",
                          width=lab_charts.PAGE_WIDTH.get(name, "stretch"))
        return
    title, rows = chart
    st.markdown(f"**{title}**")
    width = max(map(len, rows))
    for k, row in enumerate(rows):
        for i, (col, panel) in enumerate(zip(st.columns(width), row, strict=False)):
            common.draw_chart(col, panel, key=f"lab_chart_{name}_{k}_{i}", width="stretch")


def saved_studies(user) -> None:
    """The manager's saved studies: open one (it shows below, as it ran) or delete it."""
    studies = lab_store.listing(common.db(), user)
    with st.expander(t("lab.saved.title", n=len(studies)), icon=":material/inventory_2:"):
        if not studies:
            st.caption(t("lab.saved.none"))
            return
        # labels made in this run, in its language: a picker may format its options outside
        # the run, where the language is not this page's
        labels = {s.id: saved_label(s) for s in studies}
        by_id = {s.id: s for s in studies}
        pick = st.selectbox(t("lab.saved.pick"), list(by_id), key="lab_saved_pick",
                            format_func=labels.__getitem__)
        c1, c2 = st.columns(2)
        if c1.button(t("lab.saved.open"), key="lab_saved_open", icon=":material/open_in_new:"):
            try:
                outcome, seconds = lab_store.load(common.db(), user, pick)
            except lab_store.StoredStudyError as err:
                st.error(t(err.key, **err.params))
            else:
                st.session_state["lab_opened"] = (by_id[pick], outcome, seconds)
        if c2.button(t("lab.saved.delete"), key="lab_saved_delete", icon=":material/delete:"):
            try:
                lab_store.delete(common.db(), user, pick)
            except lab_store.StoredStudyError as err:
                st.error(t(err.key, **err.params))
            opened = st.session_state.get("lab_opened")
            if opened is not None and opened[0].id == pick:
                st.session_state.pop("lab_opened")
            st.rerun()


def saved_label(s: lab_store.SavedStudy) -> str:
    # a saved study keeps its strategies' names: a shipped table's is shown by its title
    titles = rule_titles()
    names = list_sep(lang).join(lab.strategy_label(x, lang, titles) for x in s.labels)
    sweep = t("lab.saved.sweep", lang, lo=min(s.staff), hi=max(s.staff)) if s.staff else ""
    return t("lab.saved.option", lang, when=common.local_time(s.created_at),
             title=s.title.get(lang) or s.scenario_id, strategies=names, reps=s.reps) + sweep


def keeper(user):
    """What keeps a finished study for its manager: called by the job itself when the study
    ends, so a study still running when the page is reloaded or closed is kept all the
    same (it waited for this page to see it end, and was lost)."""
    if user is None:
        return None
    db = common.db()
    return lambda outcome, seconds: lab_store.save(db, user, outcome, seconds)


def job_owner(user) -> tuple[str, int]:
    """Whose study a job is: the account, in this database (ids repeat across databases)."""
    return (common.db().url, user.id)


def kept(job: StudyJob) -> None:
    """Say whether the finished study was kept: once when it was; each time its results
    show while it was not, why, with a button that saves it once the database answers."""
    err = job.keep_failure
    if err is None:
        if job.kept and st.session_state.get("lab_saved_job") is not job:
            st.session_state["lab_saved_job"] = job
            st.toast(t("lab.saved.saved"), icon=":material/inventory_2:")
        return
    if isinstance(err, lab_store.StoredStudyError):  # too large: saving again cannot help
        st.warning(t(err.key, **err.params), icon=":material/cloud_off:")
        return
    # the results stay on the page and in the report download
    st.warning(save_failed_text(err), icon=":material/cloud_off:")
    st.button(t("lab.saved.save_again"), key="lab_save_again", on_click=save_again,
              args=(job,), icon=":material/save:")


def save_failed_text(err: Exception) -> str:
    """Why a finished study was not kept: the database's silence in words (which one, the
    driver's reason), else the first line of the error, never its SQL or parameters."""
    from training.db import unreachable, unreachable_reason

    if unreachable(err):
        return t("lab.saved.save_failed_db", where=common.database_where(),
                 reason=unreachable_reason(err))
    return t("lab.saved.save_failed", detail=unreachable_reason(err)[:200])


def save_again(job: StudyJob) -> None:
    """The Save the study button's callback: keeps the study now (said by ``kept``)."""
    job.keep_again()


def wait_text(case, chosen: list[str], reps: int, sweep_officers: int, where: Where) -> str:
    """About how long the study will take where it is to run (training.lab_jobs)."""
    load = lab.machine_load()
    seconds = wait_estimate(case, lab.runs_per_future(chosen), reps, sweep_officers, where, load)
    return lab_wait_text(seconds, where, lang, load)


@st.fragment(run_every=1.0)
def watch(job: StudyJob) -> None:
    """Progress while the study runs; the whole page redraws when it ends."""
    # a fragment's rerun skips the entry file, so the language is passed, not looked up
    st.progress(job.progress.share, text=progress_text(job.progress, lang, job.request))
    # pressed, the study stops once the futures already running finish: said, or the
    # press looked lost for as long as they took
    st.button(t("lab.page.cancel", lang), key="lab_cancel", icon=":material/stop_circle:",
              on_click=job.cancel, disabled=job.cancelling)
    if job.cancelling:
        st.caption(t("lab.page.cancelling", lang))
    if not job.running:
        st.rerun()


# --- the page ---------------------------------------------------------------------------
lang = get_lang()
st.title(t("lab.page.title"))
if not lab_access_allowed():
    st.error(t("lab.page.forbidden"))
    st.stop()
st.caption(t("lab.page.intro"))
user = common.current_user()
if user is not None:
    saved_studies(user)

fresh = lab_form.REPS not in st.session_state  # a new session, or back from another page
# the notes of a new session ("your form is back"), said once, in a place of their own: when
# they went, everything under them moved up a place and the browser drew the expanders
# below anew, closed (the rule editor a manager had just typed into among them)
notes = st.container()
with notes:
    kept_form = load_kept(user) if fresh and user is not None else None
by_id, case_notes, case_problems = case_choices(user)
if st.session_state.get("lab_case") not in by_id:  # its file was taken off the uploader
    st.session_state.pop("lab_case", None)
files = rule_files()
uploaded, upload_problems = uploaded_tables()
options = [*BUILT_IN, *files, *uploaded, EDITED]
if fresh:
    with notes:
        restore_form(kept_form)
# a choice whose file was taken off the uploader is no longer offered
if "lab_strategies_pick" in st.session_state:
    st.session_state["lab_strategies_pick"] = [
        k for k in st.session_state["lab_strategies_pick"] if k in options]
st.session_state.setdefault("lab_strategies_pick", [
    x for x in ("early-warning", "late-collection", "tuned") if x in options])
st.session_state.setdefault("lab_where", Where.LOCAL)
case_id = st.selectbox(t("lab.page.case"), list(by_id), key="lab_case",
                       format_func=lambda k: t("lab.page.case_option", lang,
                                               title=by_id[k].title.get(lang),
                                               loans=f"{by_id[k].n_loans:,}",
                                               months=by_id[k].horizon_months)
                       + case_notes.get(k, ""))
case = by_id[case_id]
with st.expander(t("lab.page.case_upload_title"), expanded=bool(case_problems)):
    common.file_upload(t("lab.page.case_upload"), lab_form.CASE_UPLOAD, ["yaml", "yml"],
                       MAX_FILE_BYTES, help=t("lab.page.case_upload_help"))
    if case_problems:
        st.error("\n".join([t("lab.page.case_upload_bad", lang)]
                           + [f"- {x}" for x in case_problems[:8]]))
if st.session_state.get("lab_case_seen") != case.id:
    # another case: its own seed (as `bianque compare` takes it) and a staffing range
    # around its own team
    st.session_state["lab_case_seen"] = case.id
    st.session_state["lab_seed"] = case.seed
    st.session_state["lab_staff"] = lab.default_staff_range(case.staff.officers)
    st.session_state["lab_officer_cost"] = lab.officer_cost_default(case)

chosen = st.multiselect(t("lab.page.strategies"), options, key="lab_strategies_pick",
                        format_func=strategy_name, help=t("lab.page.strategies_help"),
                        select_all=False, placeholder=t("common.pick_some"))
# open as the manager left it: a language switch relabels it, and a new label was a new
# expander, drawn closed with the table half edited
with st.expander(t("lab.page.edit_table"), key="lab_editor_open", on_change="rerun",
                 expanded=EDITED in chosen or bool(st.session_state.get("lab_editor_open"))):
    table, table_rows = rule_editor()
# a copy of an example that kept the example's name: said below, open so it is seen
example_named = {k: x for k, x in uploaded.items() if x.name in files}
with st.expander(t("lab.page.upload_tables", n=len(uploaded)),
                 expanded=bool(upload_problems or example_named)):
    common.file_upload(t("lab.page.upload_label"), "lab_rule_upload", ["yaml", "yml"],
                       MAX_FILE_BYTES, multiple=True, help=t("lab.page.upload_help"))
    for problem in upload_problems:
        st.error(problem)
    if uploaded:
        st.caption(t("lab.page.upload_ok", names=list_sep(lang).join(
            strategy_name(k) for k in uploaded)))
    for key, named in example_named.items():  # not `table`: that is the edited table's
        st.warning(t("lab.page.upload_example_name", lang, file=key.removeprefix(UPLOADED),
                     name=named.name, shown=strategy_name(named.name),
                     label=strategy_name(key)))
    held = {f.name for f in st.session_state.get("lab_rule_upload") or []}
    kept_names = [k.removeprefix(UPLOADED) for k in uploaded
                  if k in kept_uploads() and k.removeprefix(UPLOADED) not in held]
    if kept_names:
        st.caption(t("lab.page.upload_kept", lang, files=list_sep(lang).join(kept_names)))

# a table whose rules repeat another's: the manager is told, and a repeat of a table also
# chosen is left out of the run (it ran as a second name for the same figures)
left_out = same_rules_notes(chosen, table, files, uploaded)

c1, c2 = st.columns(2)
reps = common.number_field(c1, t("lab.page.reps"), lab_form.REPS, lab_form.MIN_REPS,
                           lab.MAX_REPS, step=1, help=t("lab.page.reps_help"))
seed = common.number_field(c2, t("lab.page.seed"), "lab_seed", 0, lab_form.MAX_SEED,
                           step=1)  # a whole number

sweep = st.toggle(t("lab.page.sweep"), key="lab_sweep")
staff: tuple[int, ...] = ()
sweep_strategy = None
officer_cost = lab.officer_cost_default(case)
if sweep:
    # Streamlit drops a widget's state in a run that does not draw it: after a run with
    # the sweep off, its fields start again from the case's own figures
    st.session_state.setdefault("lab_staff", lab.default_staff_range(case.staff.officers))
    st.session_state.setdefault("lab_officer_cost", lab.officer_cost_default(case))
    s1, s2, s3 = st.columns(3)
    below = st.container()  # the cost box's range message, under the row
    lo, hi = s1.slider(t("lab.page.staff_range"), 1, lab.staff_slider_top(case.staff.officers),
                       key="lab_staff", help=t("lab.page.staff_range_help"))
    staff = tuple(range(lo, hi + 1))
    sweep_strategy = s2.selectbox(t("lab.page.sweep_strategy"), chosen or [""],
                                  key="lab_sweep_strategy",
                                  format_func=lambda k: strategy_name(k) if k else "")
    officer_cost = common.number_field(
        s3, t("lab.page.officer_cost"), "lab_officer_cost", 0.0, lab_form.MAX_OFFICER_COST_CNY,
        step=1000.0, format="%.0f", say=below,
        help=t("lab.page.officer_cost_help", lang, hours=f"{case.staff.hours_per_officer_month:g}",
               full=f"{lab.defaults.FULL_TIME_HOURS_PER_MONTH:g}",
               cost=lab.fmt_figure("cost_cny", lab.defaults.OFFICER_COST_CNY_PER_MONTH, lang)))

# local processes by default: a study in the server's own process competes with the
# server for the interpreter lock, which on a busy machine slows both badly
where = st.radio(t("lab.page.where"), list(Where), key="lab_where", horizontal=True,
                 format_func=lambda w: t(f"lab.page.where_{w}", lang, n=os.cpu_count() or 1))
address = None
if where is Where.DASK or where == Where.DASK.value:
    address = st.text_input(t("lab.page.address"), placeholder="tcp://10.0.0.5:8786",
                            key="lab_address")
keep_form(user, case, table_rows, table is not None, chosen_uploads(case_id, chosen))
if reps is not None and chosen:
    runs = [k for k in chosen if k not in left_out]
    st.caption(wait_text(case, runs, int(reps), len(staff) if sweep else 0, Where(where)),
               help=t("lab.page.estimate_help", lang))

if "lab_job" not in st.session_state and user is not None:
    # a new session (a reload, a dropped connection): a study this manager started and
    # that still runs is picked up again, with its progress and its Cancel button
    running = latest_for(job_owner(user))
    if running is not None and running.running:
        st.session_state["lab_job"] = running
job: StudyJob | None = st.session_state.get("lab_job")
busy = job is not None and job.running
if st.button(t("lab.page.run"), type="primary", key="lab_run", disabled=busy,
             icon=":material/play_arrow:"):
    try:
        if None in (reps, seed, officer_cost):  # each said under its box
            raise lab.LabInputError(t("common.fix_numbers"))
        specs, spec_of = [], {}
        for key in chosen:
            if key in left_out:  # said above the form's figures
                continue
            spec_of[key] = len(specs)
            if key == EDITED:
                if table is None:
                    raise lab.LabInputError(t("lab.page.fix_table"))
                specs.append(from_rules(table))
            elif key in files:
                specs.append(from_rules(common.rule_table(files[key])))
            elif key in uploaded:
                specs.append(from_rules(uploaded[key]))
            else:
                specs.append(builtin(key))
        if not specs:
            raise lab.LabInputError(t("lab.page.none_chosen"))
        if sweep and len(staff) < 2:
            raise lab.LabInputError(t("lab.page.staff_two"))
        if Where(where) is Where.DASK and not (address or "").strip():
            raise lab.LabInputError(t("lab.page.address_missing"))
        # the sweep's strategy by its label in the study (the edited table's is its name)
        sweep_key = left_out.get(sweep_strategy, sweep_strategy)
        swept = specs[spec_of[sweep_key]].label if sweep_key in spec_of else None
        request = lab.LabRequest(
            scenario=case, strategies=tuple(specs), reps=int(reps), seed=int(seed),
            staff=staff, sweep_strategy=swept,
            officer_cost_cny_per_month=float(officer_cost))
    except lab.LabInputError as err:
        st.error(err.text(lang))
    except (RulesError, ValueError) as err:
        st.error(str(err))
    else:
        runs = lab.runs_per_future([s.label for s in request.strategies])
        estimate = wait_estimate(case, runs, request.reps, len(request.staff), Where(where),
                                 lab.machine_load())
        job = st.session_state["lab_job"] = StudyJob(
            request, Where(where), address, keep=keeper(user),
            owner=None if user is None else job_owner(user), estimate_s=estimate).start()
        st.session_state.pop("lab_opened", None)  # the new study's results take the page
        busy = True

opened = st.session_state.get("lab_opened")
if opened is not None and not busy:
    study, outcome, seconds = opened
    st.info(t("lab.saved.showing", when=common.local_time(study.created_at)),
            icon=":material/inventory_2:")
    show_results(outcome, seconds, lang, case, saved=True)
elif job is not None:
    if job.running:
        watch(job)
    elif job.state is JobState.CANCELLED:
        st.warning(t("lab.page.cancelled", done=f"{job.progress.done:,}",
                     total=f"{job.progress.total:,}", sweep=sweep_count_text(job.request, lang)))
    elif job.state is JobState.FAILED and job.failure is not None:
        st.error(t(job.failure.key, **job.failure.params))
    elif job.state is JobState.FAILED:
        st.error(t("lab.page.failed", detail=job.error))
    elif job.outcome is not None and not math.isnan(job.elapsed_s):
        kept(job)
        show_results(job.outcome, job.elapsed_s, lang, case)
