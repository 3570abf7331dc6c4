"""The parts of the desk, each drawing one block of the screen.

Kept out of the page file so the page reads like the screen, and because
Streamlit re-parses a page script for "magic" on every run in tests while
imported modules are compiled once.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import charts, common, desk_judgement
from app_pages import desk_actions as act
from app_pages.desk_policy import policy_editor
from app_pages.figures import Figure, row
from sim.codes import CLASS_KEYS
from training import policy_costs, report, units
from training.attempts import Live
from training.i18n import cls_name, get_lang, pick, t


def BALANCE_COLUMN() -> dict:  # noqa: N802 - reads as a constant, built per run for the language
    return {report.column_title("balance_cny"): st.column_config.NumberColumn(format="localized")}


def loan_grid(table: pd.DataFrame, lang: str) -> dict:
    """The column config of a ``report.loan_table``: balances as numbers, the loan pinned,
    short headings (``report.loan_table_columns``)."""
    return common.grid_config(report.loan_table_columns(lang), table, BALANCE_COLUMN())


def key_figures(fig: report.KeyFigures) -> None:
    delta = units.pct_delta(fig.npl_delta)  # None when nothing changed: no red "↑ 0.00%"
    row([
        Figure(t("fig.month"), t("desk.month_of", month=fig.month, horizon=fig.horizon)),
        Figure(t("fig.outstanding"), units.money(fig.outstanding_cny)),
        Figure(t("fig.npl_ratio"), units.pct(fig.npl_ratio),
               {"delta": delta, "delta_color": "inverse"} if delta else {}),
        Figure(t("fig.provisions"), units.money(fig.provisions_cny)),
        Figure(t("fig.hours_left"), units.hours_left(fig.hours_left),
               {"help": t("fig.hours_help", available=units.hours(fig.hours_available),
                          planned=units.hours(fig.hours_planned))}),
    ], key="key_figures")


def end_month_box(g: Any, fig: report.KeyFigures, aid: str) -> None:
    with st.container(border=True, key="end_month_box"):
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(t("desk.plan_summary", n=len(g.queued), planned=units.hours(fig.hours_planned),
                        available=units.hours(fig.hours_available)))
        load = policy_costs.plan_load(g)
        if fig.hours_left < 0:
            left.warning(t("desk.overloaded"))
        if g.queued and load.check_hours + load.queued_hours > load.available_hours:
            # queued while they fitted, then the plan grew: the engine gives the checks the
            # hours first, so say before the month ends that the actions may not be done
            left.warning(t("desk.queued_wont_fit", n=len(g.queued), queued=units.hours(load.queued_hours),
                           checks=units.hours(load.check_hours),
                           available=units.hours(load.available_hours)), icon=":material/block:")
        slipping = load.slipping_hours
        if slipping > 0:  # the trainee gave the checks set hours: say what waits
            left.caption(t("desk.checks_wait", hours=units.hours(slipping)))
        # The month is in the key: a second click on a button drawn for an earlier month
        # finds no such widget, and the engine refuses a stale month anyway.
        right.button(t("desk.end_month", month=fig.month), key=f"end_month_{g.month}", type="primary",
                     on_click=act.end_month, args=(aid, g.month), width="stretch")


def month_report(last: Any, lang: str, scenario: Any = None,
                 labels: dict[int, str] | None = None) -> None:
    """What happened in the month just ended."""
    with st.expander(t("desk.report_title", month=int(last.month)), expanded=True,
                     icon=":material/event_note:"):
        row([
            Figure(t("fig.new_defaults"), int(last.new_defaults)),
            Figure(t("fig.new_alerts"), int(last.new_alerts), {"help": t("fig.new_alerts_help")}),
            Figure(t("fig.checks_done"), int(last.checks_done)),
            Figure(t("fig.checks_slipped"), int(last.checks_slipped)),
            Figure(t("fig.check_quality"), units.pct(float(last.check_quality), 0)),
        ], key="month_figures")
        events = report.events_table(last.events, lang, scenario)
        if events.empty:
            st.caption(t("desk.no_events"))
        else:
            # the news in full above the table, whose last column cut it at the edge
            if news := report.month_news(last.events, lang, scenario):
                st.markdown("\n".join(f"- {line}" for line in news))
            st.dataframe(events, hide_index=True, key="month_events",
                         column_config=common.grid_config(report.events_columns(events, lang), events))
        if last.rejected:  # what was asked and not done: the trainee must not lose it unseen
            hours = sum(w == "hours" for _, _, w in last.rejected)
            st.warning(t("desk.refused.title", n=len(last.rejected))
                       + (" " + t("desk.refused.hours_fix", n=hours) if hours else ""),
                       icon=":material/block:")
            st.dataframe(report.month_refusals(last, labels or {}, lang),
                         hide_index=True, key="month_refused")


def review_meeting(live: Live, lang: str) -> None:
    """The quarterly post-loan review meeting (贷后管理例会)."""
    g = live.game
    review = live.month_memo(("review",), lambda: g.review(g.month))
    with st.expander(t("desk.review_title", quarter=g.month // 3, month=g.month), icon=":material/groups:"):
        st.caption(t("desk.review_intro"))
        row([
            Figure(t("fig.npl_ratio"), units.pct(review.npl_ratio)),
            Figure(t("fig.hours_used"), units.hours(review.hours_used)),
            Figure(t("fig.checks_slipped"), int(review.checks_slipped)),
        ], key="review_figures")
        st.markdown("\n".join(f"- {note}" for note in getattr(review, f"notes_{lang}")))
        st.markdown(f"**{t('desk.watch_list')}**")
        watch = report.loan_table(review.watch_list, lang)
        st.dataframe(watch, hide_index=True, key="watch_list", column_config=loan_grid(watch, lang))
        st.markdown(f"**{t('desk.class_changes')}**")
        st.dataframe(report.class_changes_table(review.class_changes, lang), hide_index=True,
                     key="class_changes")
        desk_judgement.ledger_panel(live, lang, [int(i) for i in review.watch_list["loan_id"]])


def portfolio_view(g: Any, lang: str) -> None:
    metrics = g.metrics()
    if metrics.empty:
        st.info(t("desk.charts_after_first_month"))
        return
    c1, c2 = st.columns(2)
    common.draw_chart(c1, charts.class_mix(report.class_mix(metrics, lang)), width="stretch")
    common.draw_chart(c2, charts.npl_and_loss(report.npl_and_loss(metrics, lang)), width="stretch")
    st.caption(t("chart.runoff_note"))


def alerts_view(g: Any, labels: dict[int, str], lang: str) -> None:
    recent = st.toggle(t("desk.alerts_recent"), key="alerts_recent")
    alerts = report.visible_alerts(g.alerts(since_month=max(0, g.month - 2)) if recent else g.alerts())
    st.caption(t("desk.alerts_count", n=len(alerts)))
    if alerts.empty:
        st.info(t("desk.no_alerts"))
        return
    st.dataframe(report.alerts_table(alerts, lang), hide_index=True, key="alerts_table",
                 column_config=BALANCE_COLUMN())
    ids = list(dict.fromkeys(int(i) for i in alerts["loan_id"]))
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox(t("desk.alert_loan"), ids, key="alert_pick", format_func=labels.get)
    # the callback reads the picker when clicked: a loan picked and opened before the page
    # redrew used to open the loan picked before (args are bound when the button is drawn)
    c2.button(t("desk.open_file"), key="open_alert_loan", on_click=act.open_picked_alert)


def policy_view(g: Any, fig: report.KeyFigures, aid: str, editor_shown: bool = False) -> None:
    st.subheader(t("desk.policy_title"))
    st.caption(t("desk.policy_intro", none=t("policy.interval_none")))
    if not editor_shown:  # the plan prompt above already holds the editor
        policy_editor(g, aid)
    standing_order_switch(g, aid)
    row([
        Figure(t("fig.policy_hours"), units.hours(g.policy_hours(g.policy))),
        Figure(t("fig.hours_planned"), units.hours(fig.hours_planned)),
        Figure(t("fig.hours_available"), units.hours(fig.hours_available)),
    ], key="policy_figures")
    st.caption(t("desk.policy_hint"))


def loans_view(live: Live, loans: pd.DataFrame, labels: dict[int, str], lang: str) -> None:
    """Filters, the loan table, and the file and actions of the loan picked."""
    f1, f2, f3, f4 = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    classes = f1.multiselect(t("desk.filter_cls"), list(range(len(CLASS_KEYS))), key="f_cls",
                             format_func=lambda c: cls_name(c, lang), select_all=False, placeholder=t("desk.filter_any"))
    products = f2.multiselect(t("desk.filter_product"), sorted(loans["product"].unique()),
                              key="f_product", format_func=lambda p: report.term("product", p, lang),
                              select_all=False, placeholder=t("desk.filter_any"))
    below = st.container()  # a box's range message, the page's width under the row
    dpd_min = common.number_field(f3, t("desk.filter_dpd"), "f_dpd", 0, 720, step=30,
                                  value=0, say=below) or 0  # out of range: no filter
    alerts_only = f4.checkbox(t("desk.filter_alerts"), key="f_alerts")
    shown = report.filter_loans(loans, classes, products, int(dpd_min), alerts_only)
    st.caption(t("desk.loans_shown", n=len(shown),
                 total=int(loans["status"].isin(report.ON_BOOKS_STATUSES).sum())))
    # the grid's own height: as tall as its rows, scrolling past ten (a fixed height drew a
    # small book's three loans over a block of empty rows)
    # 13 columns scroll sideways at 1,024 and 1,280 px: the loan stays in view (pinned)
    table = report.loan_table(shown, lang)
    st.dataframe(table, hide_index=True, key="loan_table", column_config=loan_grid(table, lang))

    act.restore_pick(loans, labels)
    options = act.loan_pick_options(shown, loans, st.session_state.get("loan_pick"))
    loan_id = st.selectbox(t("desk.pick_loan"), options, key="loan_pick", format_func=labels.get,
                           on_change=act.remember_pick, args=(labels,),
                           placeholder=t("desk.pick_loan_placeholder"), index=None)
    if loan_id is None:
        st.info(t("desk.pick_loan_hint"))
        return
    file_col, action_col = st.columns([3, 2])
    with file_col:
        loan_file(live, loans, int(loan_id), lang)
        desk_judgement.classify_control(live, int(loan_id))
    with action_col:
        action_panel(live, int(loan_id), str(act.loan_row(loans, int(loan_id))["status"]))


def loan_file(live: Live, loans: pd.DataFrame, loan_id: int, lang: str) -> None:
    """One borrower's file: what a real officer has on the desk."""
    g = live.game
    lf = live.month_memo(("file", loan_id), lambda: g.loan_file(loan_id))
    file_view(lf, report.localise_names(act.loan_row(loans, loan_id), lang), live.scenario, lang)


def file_view(lf: Any, row: Any, scenario: Any, lang: str, key: str = "file") -> None:
    """A loan file (training.desk.LoanFile) under its title and status line (``row``: the
    loan's label, company, class, days past due, status and balance); ``key`` names its
    widgets, so the replay can draw one beside the desk's."""
    seg_names = {s.id: s.name.get(lang) for s in scenario.segments}
    st.subheader(t("file.title", label=row["label"], company=row["company"]))
    st.caption(t("file.status_line", cls=cls_name(int(row["cls"])), dpd=int(row["dpd"]),
                 status=report.term("status", row["status"], lang), balance=units.money(row["balance_cny"])))
    tabs = st.tabs([t("file.tab_profile"), t("file.tab_repayment"), t("file.tab_turnover"),
                    t("file.tab_collateral"), t("file.tab_signals")],
                   key=f"{key}_tab", on_change="rerun")  # the open tab outlives a queued action
    with tabs[0]:
        st.markdown(f"**{t('file.profile')}**")
        st.table(report.kv_table(lf.profile, lang, seg_names))
        st.markdown(f"**{t('file.terms')}**")
        st.table(report.kv_table(lf.terms, lang))
    with tabs[1]:
        st.dataframe(report.frame_for_display(lf.payments, lang), hide_index=True, key=f"{key}_payments")
    with tabs[2]:
        if lf.turnover.empty:
            st.caption(t("file.no_turnover"))
        else:
            common.draw_chart(st, charts.line(lf.turnover, "month", "turnover_index",
                                              t("chart.turnover"), t("col.turnover_index")),
                              width="stretch")
        st.markdown(f"**{t('file.statements')}**")
        if lf.statements.empty:
            st.caption(t("file.no_statements"))
        else:
            st.dataframe(report.frame_for_display(lf.statements, lang,
                                                  month_cols=("quarter_month", "received_month")),
                         hide_index=True, key=f"{key}_statements")
    with tabs[3]:
        st.markdown(f"**{t('file.collateral')}**")
        st.table(report.kv_table(lf.collateral, lang))
        st.markdown(f"**{t('file.guarantors')}**")
        st.markdown(", ".join(lf.guarantors) or t("file.none"))
        st.markdown(f"**{t('file.guarantees_given')}**")
        st.markdown(", ".join(lf.guarantees_given) or t("file.none"))
    with tabs[4]:
        st.markdown(f"**{t('file.signals')}**")
        if lf.signals.empty:
            st.caption(t("file.no_signals"))
        else:
            st.dataframe(report.frame_for_display(lf.signals, lang, drop=("loan_id", "signal", "via"),
                                                  text_as="signal_text"),
                         hide_index=True, key=f"{key}_signals")
        st.markdown(f"**{t('file.actions')}**")
        if lf.actions.empty:
            st.caption(t("file.no_actions"))
        else:
            st.dataframe(report.frame_for_display(lf.actions, lang, drop=("action",), text_as="action"),
                         hide_index=True, key=f"{key}_actions")


def standing_order_switch(g: Any, aid: str) -> None:
    """The standing order: defaulted loans go to the asset-preservation team unless switched off."""
    st.session_state["standing_active"] = g.standing_order.active
    st.toggle(t("standing.switch"), key="standing_active", on_change=act.set_standing, args=(aid,),
              help=t("standing.help"), disabled=g.finished)


def standing_order_note(g: Any, aid: str, loan_id: int, status: str) -> None:
    """On a defaulted loan's file: who works it out, and the trainee's hold."""
    if status != "defaulted":
        return
    order = g.standing_order
    if not order.active:
        st.caption(t("standing.off_note"))
        return
    held = loan_id in order.held
    st.info(t("standing.held_note") if held else t("standing.loan_note"), icon=":material/gavel:")
    st.session_state[f"hold_{loan_id}"] = held
    st.checkbox(t("standing.hold"), key=f"hold_{loan_id}", on_change=act.set_hold, args=(aid, loan_id),
                disabled=g.finished)


MEETING_ELSEWHERE = frozenset({"conversation", "no_conversation"})
"""A meeting's cards that can never be queued here: it is held through its conversation
(the meeting panel above offers it), or no conversation is written for the borrower. The
card showed greyed out on every loan file."""


def action_panel(live: Live, loan_id: int, status: str = "active") -> None:
    """Every intervention with its hours, money, duration, and why it is not possible."""
    g, aid = live.game, live.attempt.id
    from app_pages import roleplay_views

    roleplay_views.desk_panel(live, loan_id)  # a named borrower with a conversation
    st.subheader(t("actions.title"))
    standing_order_note(g, aid, loan_id, status)
    options = g.options(loan_id)
    # once: where the hours went and how to free them. The slot is always there, filled or
    # not, so the options below keep their places on the page when it comes and goes (an
    # element put in above them moved every Queue button, and the browser held the old
    # button beside the new one)
    hint = st.empty()
    if any(o.reason == "hours" for o in options):
        load = policy_costs.plan_load(g)
        hint.caption(t("actions.hours_fix", checks=units.hours(load.check_hours),
                       queued=units.hours(load.queued_hours),
                       available=units.hours(load.available_hours)))
    for o in options:
        if o.reason in MEETING_ELSEWHERE:
            continue
        # text above, button below: side by side, a narrow column (1024 px) squeezed the button
        with st.container(border=True, key=f"option_{o.id}"):
            st.markdown(f"**{pick(o)}**  \n" + act.option_caption(o))
            if o.relief is not None:  # what it would do to the payment: the ground for choosing it
                st.caption(act.relief_caption(o.relief))
            if o.id == "closer_monitoring" and (note := report.closer_monitoring_note(g, loan_id, get_lang())):
                st.caption(note)  # already on: until when, and what queueing it again does
            if not o.available:
                st.caption(f"✗ {pick({'zh': o.reason_zh, 'en': o.reason_en})}")
            st.button(t("actions.queue"), key=f"queue_{o.id}", disabled=not o.available or g.finished,
                      on_click=act.queue, args=(aid, loan_id, o.id, g.month), width="content")


def queued_list(g: Any, aid: str) -> None:
    if not g.queued:
        return
    st.subheader(t("actions.queued_title", n=len(g.queued)))
    for i, q in enumerate(g.queued):
        a, b = st.columns([5, 1], vertical_alignment="center")
        a.markdown(t("actions.queued_line", label=q.label, action=pick(q), hours=units.hours(q.hours),
                     cost=units.cost(q.cost_cny)))
        b.button(t("actions.unqueue"), key=f"unqueue_{i}", on_click=act.unqueue,
                 args=(aid, i, g.month, (q.loan_id, q.action_id)))
