"""Debrief sections for judgement: classification deviation (分类偏离度), the judgements
taken, and the follow-through of the review meeting's resolutions."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages.figures import Figure, row
from training.i18n import fmt_pct, t
from training.judgement_view import (
    DEVIATION_ROWS_SHOWN,
    classification_deviation,
    deviation_table,
    follow_through,
    judgements_table,
    ledger_table,
)
from training.report import as_text


def sections(g: Any, lang: str) -> None:
    dev = classification_deviation(g)
    st.subheader(t("debrief_judgement.deviation_title"))
    st.caption(t("debrief_judgement.deviation_intro"))
    with st.container(key="debrief_deviation"):
        # cards that wrap: in three equal columns the labels were cut at 1024 px
        row([Figure(t("debrief_judgement.better"), fmt_pct(dev.share_better, 1)),
             Figure(t("debrief_judgement.worse"), fmt_pct(dev.share_worse, 1)),
             Figure(t("debrief_judgement.judged"), fmt_pct(dev.share_judged, 1))],
            key="deviation_figures")
        st.caption(t("debrief_judgement.floor_reference", share=fmt_pct(dev.share_floor_better, 1)))
        if dev.loans.empty:
            st.caption(t("debrief_judgement.no_deviation"))
        else:
            # a static table: its headers wrap, where the grid ran its last columns off the edge;
            # the worst loans only (the rest below, on a click), not a table of every loan
            table = deviation_table(g, dev.loans, lang)
            more = len(table) - DEVIATION_ROWS_SHOWN
            if more > 0:
                st.caption(t("debrief_judgement.deviation_top", shown=DEVIATION_ROWS_SHOWN,
                             total=len(table)))
            with st.container(key="deviation_loans"):
                st.table(as_text(table.head(DEVIATION_ROWS_SHOWN)))
            if more > 0:
                with st.expander(t("debrief_judgement.deviation_all", total=len(table), more=more)):
                    # the loan pinned: the grid scrolls sideways at 1,024 px
                    st.dataframe(table, hide_index=True, key="deviation_all", column_config={
                        table.columns[0]: st.column_config.Column(pinned=True)})
        st.markdown(f"**{t('debrief_judgement.judgements_title')}**")
        judged = judgements_table(g, lang)
        if judged.empty:
            st.caption(t("debrief_judgement.no_judgements"))
        else:
            st.dataframe(judged, hide_index=True, key="judgements")

    st.subheader(t("debrief_judgement.followthrough_title"))
    ft = follow_through(g)
    with st.container(key="debrief_followthrough"):
        if not ft.made:
            st.caption(t("debrief_judgement.none_made"))
            return
        st.metric(t("debrief_judgement.followthrough_metric"), fmt_pct(ft.share_done, 0))
        st.markdown(t("debrief_judgement.followthrough_line", done=ft.done, due=ft.due, made=ft.made))
        st.dataframe(ledger_table(g, ft.frame, lang), hide_index=True, key="ledger_debrief")
