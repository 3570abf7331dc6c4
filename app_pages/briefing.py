"""Briefing: the story, the portfolio at a glance, the objectives and the lessons to read."""

import streamlit as st

from app_pages import common, figures
from app_pages.desk_views import BALANCE_COLUMN
from training import report, units
from training.i18n import get_lang, t

lang = get_lang()
live = common.current_live()
if live is None:
    st.stop()
case, game = live.scenario, live.game

st.title(case.title.get(lang))
st.caption(t("briefing.meta", stars=common.stars(case.difficulty), minutes=case.expected_minutes,
             months=case.horizon_months, start=case.start))
if live.hash_changed:
    st.warning(t("attempt.hash_changed"))

# the case at a glance first: the briefings refer to the staff and hours shown above them
glance = report.portfolio_glance(game.loans(), case, lang)
figures.row([
    figures.Figure(t("fig.loans"), f"{glance.loans:,}"),
    figures.Figure(t("fig.outstanding"), units.money(glance.outstanding_cny)),
    figures.Figure(t("fig.officers"), f"{case.staff.officers}"),
    figures.Figure(t("fig.hours_month"), units.hours(game.hours_available)),
], key="briefing_figures")

st.markdown(case.briefing.get(lang))

st.subheader(t("briefing.portfolio"))
# balances written as on the desk's loan table (thousands separators), not "17478.1"
st.dataframe(glance.segments, hide_index=True, key="briefing_segments", column_config=BALANCE_COLUMN())

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
