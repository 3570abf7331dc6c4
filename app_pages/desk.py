"""The desk: one month per turn. Key figures and End month at the top, then what
happened last month, the review meeting at each quarter's end, and one of four
views: loans (table, loan file, actions), alerts inbox, portfolio charts and the
monitoring policy. Queued actions close the page."""

import streamlit as st

from app_pages import common, desk_judgement, pairs_views, roleplay_views
from app_pages import desk_views as views
from app_pages.desk_policy import plan_prompt
from training import report
from training.attempts import unfinished
from training.i18n import get_lang, t
from training.pairs import talking_on

lang = get_lang()
if not st.session_state.get("attempt_id"):
    # a new tab, a new day: the work left unfinished first (the most recent on top), and
    # only then where new work starts
    common.no_attempt_open(t("nav.desk"), unfinished, t("resume.intro"),
                           ("resume.class", "resume.practice"), ":material/play_arrow:", "resume")
live = common.current_live()
if live is None:
    st.stop()
g, case, aid = live.game, live.scenario, live.attempt.id
roleplay_views.resume_talk(live)  # a meeting under way before a reload, where it stood

if g.finished:
    if st.session_state.pop("just_finished", None) == aid:
        common.go("debrief")
    st.success(t("desk.finished"))
    if st.button(t("desk.to_debrief"), key="to_debrief", type="primary"):
        common.go("debrief")

st.title(case.title.get(lang))
if live.hash_changed:
    st.warning(t("attempt.hash_changed"))
loans = report.localise_names(g.loans(), lang)  # borrower names in the UI language
labels = report.loan_labels(loans, lang)
fig = report.key_figures(g, loans)
views.key_figures(fig)
common.show_flash()

if not g.finished:
    views.end_month_box(g, fig, aid)
    pairs_views.desk_notice(talking_on(common.db(), common.current_user(), aid, g.month))
    roleplay_views.talk_notice(g)  # a meeting opened here and not yet ended
# a plan that needs more hours than the staff have blocks every action: say so, with the fix
prompt_shown = plan_prompt(g, aid)
if g.last_report is not None and g.month > 0 and int(g.last_report.month) == g.month:
    views.month_report(g.last_report, lang, case, labels)
if g.month > 0 and g.month % 3 == 0:
    views.review_meeting(live, lang)
else:
    desk_judgement.open_resolutions(live, lang)

VIEWS = ("loans", "alerts", "portfolio", "policy")
if st.session_state.get("desk_view") not in VIEWS:
    st.session_state["desk_view"] = "loans"
# required: a click on the selected view keeps it (it used to deselect and fall back to loans)
view = st.segmented_control(t("desk.view"), VIEWS, key="desk_view", label_visibility="collapsed",
                            required=True, format_func=lambda v: t(f"desk.view_{v}", lang)) or "loans"
if view == "portfolio":
    views.portfolio_view(g, lang)
elif view == "alerts":
    views.alerts_view(g, labels, lang)
elif view == "policy":
    views.policy_view(g, fig, aid, editor_shown=prompt_shown)
else:
    views.loans_view(live, loans, labels, lang)

views.queued_list(g, aid)
