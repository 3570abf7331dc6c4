"""Briefing: the story, the portfolio at a glance, the objectives and the lessons to read."""

import streamlit as st

from app_pages import common
from training import report
from training.i18n import fmt_cny, fmt_hours, get_lang, t

lang = get_lang()
live = common.current_live()
if live is None:
    st.stop()
case, game = live.scenario, live.game

st.title(case.title.get(lang))
st.caption(t("briefing.meta", stars="★" * case.difficulty, minutes=case.expected_minutes,
             months=case.horizon_months, start=case.start))
if live.hash_changed:
    st.warning(t("attempt.hash_changed"))

st.markdown(case.briefing.get(lang))

st.subheader(t("briefing.portfolio"))
glance = report.portfolio_glance(game.loans(), case, lang)
cols = st.columns(4)
cols[0].metric(t("fig.loans"), f"{glance.loans:,}")
cols[1].metric(t("fig.outstanding"), fmt_cny(glance.outstanding_cny))
cols[2].metric(t("fig.officers"), f"{case.staff.officers}")
cols[3].metric(t("fig.hours_month"), fmt_hours(game.hours_available))
st.dataframe(glance.segments, hide_index=True, key="briefing_segments")

if case.objectives:
    st.subheader(t("briefing.objectives"))
    st.markdown("\n".join(f"- {o.get(lang)}" for o in case.objectives))

if case.lessons:
    st.subheader(t("briefing.lessons"))
    common.lesson_links(case.lessons, lang, "brief_lesson")

st.divider()
label = t("briefing.to_desk") if game.month == 0 else t("briefing.back_to_desk", month=game.month + 1)
if st.button(label, key="to_desk", type="primary"):
    common.go("desk")
