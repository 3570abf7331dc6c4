"""The authoring page's teaching preview: run it with a progress bar, then draw the result.

Every figure comes from training.preview.PreviewResult; the loss chart and the
table beside it read the same frame, so they always agree. The last preview is kept with
the author's draft (training.publishing.keep_preview): a reload gives it back as it ran,
and a run that a reload stopped runs again, on the same seeds, so to the same figures.
A run under way has a Cancel: it stops the run and keeps the draft and the last preview,
and a reload no longer runs it again.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.author_forms import DRAFT_FAILED_KEY
from sim.scenario import Scenario
from training import preview, publishing, units
from training.i18n import fmt_cny, fmt_hours, fmt_pct, t

RESULT_KEY = "author_preview"
PENDING_KEY = "author_preview_pending"  # a run a reload stopped: it runs again
BACK_KEY = "author_preview_back"  # the preview shown came back with the draft: say so
CANCEL_KEY = "author_preview_cancel"  # the author cancelled the run under way


def baseline_name(strategy: str) -> str:
    return t(f"author.baseline.{strategy}")


def restore(user) -> None:
    """A new session (a reload, a new tab, a sign-in again): the draft's last preview and
    a run that the reload stopped, as kept with the draft. A preview that cannot be read
    back is simply not shown: it can be run again."""
    try:
        kept = publishing.load_preview(common.db(), user)
    except Exception:  # noqa: BLE001 - the draft is back; the preview can be run again
        return
    result, pending = preview.from_kept(kept)
    if result is not None:
        st.session_state[RESULT_KEY] = result
        st.session_state[BACK_KEY] = True
        # the boxes as they were for it (the months' box is the case's own, by its key)
        st.session_state["pv_reps"] = result.reps
        st.session_state[f"pv_months_{result.scenario_id}_{result.horizon}"] = result.months
    if pending is not None:
        st.session_state[PENDING_KEY] = pending


def _keep(text: str, pending: preview.PreviewRequest | None = None) -> None:
    """Keep the preview shown (and a run under way) with the draft. Keeping it must never
    cost the preview: a database problem is said above the editor, the preview stays."""
    try:
        publishing.keep_preview(common.db(), common.current_user(), text,
                                preview.to_kept(st.session_state.get(RESULT_KEY), pending))
    except Exception:  # noqa: BLE001 - the preview is on the page all the same
        st.session_state[DRAFT_FAILED_KEY] = True


@common.db_guarded
def _cancel() -> None:
    """The Cancel button's callback: Streamlit stops the run under way to rerun the page,
    which then forgets the run (``cancelled``)."""
    st.session_state[CANCEL_KEY] = True


def cancelled(text: str) -> None:
    """After a Cancel: the run is no longer one to make again on a reload; the preview
    shown before it, if any, stays (kept with the draft as it was), and the page says so."""
    if not st.session_state.pop(CANCEL_KEY, False):
        return
    _keep(text)
    if st.session_state.get(RESULT_KEY) is not None:
        st.session_state[BACK_KEY] = True
    st.info(t("author.preview_cancelled"), icon=":material/cancel:")


def _start(key: str, value) -> dict:
    """A widget's first value, unless the session already holds one (a resumed run's)."""
    return {} if key in st.session_state else {"value": value}


def run_box(scenario: Scenario, text: str) -> None:
    """Replications and months, the expected wait, and the run button with its progress
    bar; a run of this text that a reload stopped runs again with what it asked for."""
    h = scenario.horizon_months
    months_key = f"pv_months_{scenario.id}_{h}"
    cancelled(text)
    resumed = st.session_state.pop(PENDING_KEY, None)
    if resumed is not None and resumed.content_hash == scenario.content_hash():
        st.session_state.update({"pv_reps": resumed.reps, months_key: min(resumed.months, h),
                                 "pv_two_cores": resumed.workers > 1})
    else:
        resumed = None
    c1, c2, c3 = st.columns([1, 1, 2])
    below = st.container()  # a box's range message, the editor's width under the row
    reps = common.number_field(c1, t("author.preview_reps"), "pv_reps", 2, preview.MAX_REPS,
                               step=1, say=below, **_start("pv_reps", preview.DEFAULT_REPS))
    suggested = preview.suggested_months(scenario, reps or preview.DEFAULT_REPS)
    months = common.number_field(c2, t("author.preview_months", horizon=h), months_key, 1, h,
                                 step=1, say=below, **_start(months_key, suggested))
    both = c3.checkbox(t("author.preview_two_cores"), key="pv_two_cores",
                       help=t("author.preview_two_cores_help"))
    workers = POOL_WORKERS if both else 1
    ready = reps is not None and months is not None  # else said under the row
    if ready:
        reps, months = int(reps), int(months)
        c3.caption(t("author.preview_estimate",
                     seconds=f"{preview.estimated_seconds(scenario, reps, months, workers):.0f}",
                     loans=scenario.n_loans))
    if st.button(t("author.preview_run"), key="pv_run", type="primary", disabled=not ready,
                 icon=":material/play_arrow:") or (resumed is not None and ready):
        if resumed is not None:
            st.info(t("author.preview_resumed"), icon=":material/replay:")
        st.session_state.pop(BACK_KEY, None)
        _keep(text, preview.PreviewRequest(scenario.content_hash(), reps, months, workers))
        stop = st.empty()  # gone when the run is over
        stop.button(t("author.preview_cancel"), key="pv_cancel", on_click=_cancel,
                    icon=":material/stop:", help=t("author.preview_cancel_help"))
        bar = st.progress(0.0, text=t("author.preview_progress", done=0, total=reps))

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=t("author.preview_progress", done=done, total=total))

        try:
            with _executor(workers) as executor:
                st.session_state[RESULT_KEY] = preview.run_preview(
                    scenario, reps=reps, months=months, executor=executor, progress=progress)
        except Exception as exc:  # a case the engine cannot run: say so, keep the text
            st.error(t("author.preview_failed", detail=f"{type(exc).__name__}: {exc}"))
        _keep(text)  # the run is over: what it gave, or the preview shown before it
        bar.empty()
        stop.empty()


POOL_WORKERS = 2


@contextlib.contextmanager
def _executor(workers: int):
    """None (this process) or a pool of fresh processes: spawned, not forked, since the
    server process runs threads that a fork would copy mid-flight."""
    if workers <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    except BaseException:
        # stopped (a Cancel, a reload, a click elsewhere): drop the replications not yet
        # begun rather than wait for them all, as leaving a ``with`` block would
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def loss_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Mean loss per baseline with its 95% interval."""
    order = [baseline_name(s) for s in preview.BASELINES]
    money = ("loss_cny", "loss_lo_cny", "loss_hi_cny")
    # in the money unit of the page (万元, CNY k), as every other money chart and table
    data = frame.assign(name=frame["strategy"].map(baseline_name),
                        **{c: [units.in_unit(v) for v in frame[c]] for c in money})
    title = units.money_header(t("author.col.loss_cny"))
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", title=None, sort=order, axis=alt.Axis(labelLimit=240)))
    bars = base.mark_bar(color="#5b8db8").encode(
        x=alt.X("loss_cny:Q", title=title, axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("name:N", title=t("author.col.baseline")),
                 alt.Tooltip("loss_cny:Q", title=title, format=",.1f"),
                 alt.Tooltip("loss_lo_cny:Q", title=t("author.col.lo"), format=",.1f"),
                 alt.Tooltip("loss_hi_cny:Q", title=t("author.col.hi"), format=",.1f")])
    # through the middle of each bar (a rule on a band scale is drawn at the band's edge)
    rules = base.mark_rule(color="#222", strokeWidth=2).encode(
        x="loss_lo_cny:Q", x2="loss_hi_cny:Q",
        y=alt.Y("name:N", title=None, sort=order, bandPosition=0.5))
    return (bars + rules).properties(title=t("author.chart_loss"), height=200)


def staff_chart(result: preview.PreviewResult) -> alt.LayerChart:
    """Hours the case's policy asks each month (bars) against the officers' hours (rule)."""
    frame = result.staff.frame()
    month = alt.X("month:O", title=t("author.col.month"))
    bars = alt.Chart(frame).mark_bar(color="#5b8db8").encode(
        x=month, y=alt.Y("demanded_hours:Q", title=t("author.col.hours_month"),
                         axis=alt.Axis(format=",.0f")),
        tooltip=[alt.Tooltip("month:O", title=t("author.col.month")),
                 alt.Tooltip("demanded_hours:Q", title=t("author.staff_demand"), format=",.0f"),
                 alt.Tooltip("available_hours:Q", title=t("author.staff_available"),
                             format=",.0f")])
    available = alt.Chart(frame).mark_rule(color="#c0392b", strokeWidth=2).encode(
        y="mean(available_hours):Q")
    return (bars + available).properties(title=t("author.chart_staff"), height=200)


def _interval(lo: float | None, hi: float | None, fmt) -> str:
    if lo is None or hi is None:
        return "—"
    return t("lab.range", lo=fmt(lo), hi=fmt(hi))  # "a to b": a dash between two
    # amounts reads as a subtraction when the lower one is negative


def show(result: preview.PreviewResult, current_hash: str | None, lang: str) -> None:
    if st.session_state.get(BACK_KEY):
        st.info(t("author.preview_back"), icon=":material/history:")
    if current_hash != result.content_hash:
        st.info(t("author.preview_stale"))
    st.caption(t("author.preview_done", reps=result.reps, months=result.months,
                 seconds=f"{result.seconds:.1f}"))
    for w in result.warnings:
        st.warning(w.text(lang), icon=":material/warning:")
    if not result.warnings:
        triage = any(n.code == preview.WarningCode.TIGHT_POLICY for n in result.notes)
        st.success(t("author.teaches_triage" if triage else "author.teaches"),
                   icon=":material/check_circle:")
    for n in result.notes:
        st.info(n.text(lang), icon=":material/info:")

    d = result.difficulty
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("author.m.index"), "—" if result.ew_index is None else f"{result.ew_index:.2f}",
              help=t("author.m.index_help"))
    c1.caption(t("author.interval", range=_interval(result.ew_index_lo, result.ew_index_hi,
                                                      lambda x: f"{x:.2f}")))
    c2.metric(t("author.m.headroom"), preview.headroom_text(result.headroom_cny.mean, lang),
              help=t("author.m.headroom_help"))
    c2.caption(t("author.headroom_share", share=fmt_pct(result.headroom_share, 0)))
    c3.metric(t("author.m.staff_load"), fmt_pct(result.staff.load_share, 0),
              help=t("author.m.staff_load_help"))
    ew = result.baselines["early-warning"]
    c3.caption(t("author.compliance", ew=fmt_pct(ew.compliance.mean, 0),
                 policy=fmt_pct(ew.policy_compliance.mean, 0) if ew.policy_compliance else "—"))
    c4.metric(t("author.m.difficulty"), common.stars(d.level),
              help=t("author.m.difficulty_help"))
    c4.caption(t("author.difficulty_declared", declared=d.declared))

    frame = result.loss_frame()
    common.draw_chart(st, loss_chart(frame), width="stretch")
    table = pd.DataFrame({
        t("author.col.baseline"): frame["strategy"].map(baseline_name),
        t("author.col.loss_cny"): frame["loss_cny"].map(lambda v: fmt_cny(v, lang)),
        t("author.col.interval"): [_interval(lo, hi, lambda v: fmt_cny(v, lang))
                                   for lo, hi in zip(frame["loss_lo_cny"], frame["loss_hi_cny"],
                                                     strict=True)],
        t("author.col.defaults"): frame["defaults"].map(lambda v: f"{v:.1f}"),
        t("author.col.hours"): frame["hours"].map(lambda v: fmt_hours(round(v), lang)),
        t("author.col.compliance"): frame["compliance"].map(lambda v: fmt_pct(v, 0)),
        t("author.col.policy_compliance"): frame["policy_compliance"].map(lambda v: fmt_pct(v, 0)),
    })
    st.dataframe(table, hide_index=True, width="stretch")
    common.draw_chart(st, staff_chart(result), width="stretch")
