"""Case list: the published cases with difficulty, time and objectives; start or continue."""

import streamlit as st

from app_pages import common
from training import classroom, units
from training.attempts import STATUS_ACTIVE, STATUS_FINISHED
from training.authz import Action, Forbidden
from training.i18n import get_lang, t

lang = get_lang()
st.title(t("cases.title"))
st.caption(t("cases.intro"))
common.show_flash()
user = common.current_user()
if user is None and not common.allowed("self_study"):
    common.forbidden(Forbidden("authz.sign_in_first"))
    st.stop()
if user is None:
    st.caption(t("cases.self_study"))
elif common.allowed(Action.CREATE_COHORT):  # an instructor signs in here, on the trainees'
    # page: say where the class is run, so the first screen is not only "Start a new attempt"
    with st.container(border=True, key="teaching_start"):
        st.markdown(t("cases.teaching"))
        left, right = st.columns(2)
        left.page_link(common.PAGES["cohort_admin"], label=t("nav.cohort_admin"),
                       icon=":material/groups:")
        right.page_link(common.PAGES["cohort_dashboard"], label=t("nav.cohort_dashboard"),
                        icon=":material/monitoring:")

cases, broken = common.all_cases()
published = [c for c in cases if c.published]
if not published:
    st.info(t("cases.none"))

store = common.games().store
assigned = classroom.open_assigned_cases(common.db(), user)  # case id -> cohort names
owner = user.id if user else None  # only this user's attempts (None: anonymous self-study)
tz = st.context.timezone  # the browser's zone: saved times are shown in local time, labelled
for case in sorted(published, key=lambda c: (c.difficulty, c.id)):
    with st.container(border=True, key=f"case_{case.id}"):
        st.subheader(case.title.get(lang))
        st.markdown(
            t("cases.meta", stars=common.stars(case.difficulty),
              minutes=case.expected_minutes, months=case.horizon_months, loans=case.n_loans)
        )
        if case.objectives:
            st.markdown(f"**{t('cases.objectives')}**")
            st.markdown("\n".join(f"- {o.get(lang)}" for o in case.objectives))
        if case.id in assigned:  # a class attempt starts from My work, with its tests
            st.info(t("cases2.assigned", cohorts="、".join(assigned[case.id]) if lang == "zh"
                      else ", ".join(assigned[case.id])), icon=":material/assignment:")
            st.page_link(common.PAGES["my_attempts"], label=t("cases2.to_my_work"),
                         icon=":material/assignment:")
        start_label = t("cases2.start_practice" if case.id in assigned else "cases.start")
        if st.button(start_label, key=f"start_{case.id}", type="primary"):
            live = classroom.start_practice(common.db(), user, common.games(), case)
            common.set_attempt(live.attempt.id)
            common.go("briefing")
        active = store.recent(case.id, status=STATUS_ACTIVE, user_id=owner)
        taken_back = classroom.withdrawals(common.db(), user, active)
        for att in active:
            gone = taken_back.get(att.id)
            if gone is not None:  # its assignment was withdrawn: to read, not to continue
                st.page_link(common.PAGES["review"], icon=":material/history:",
                             query_params={"review": att.id},
                             label=t("cases2.withdrawn_line", month=att.month, horizon=att.horizon,
                                     id=att.id, by=gone.by, at=units.local_time(gone.at, tz)))
                continue
            # a class attempt says so: under "Start as practice (not counted)" a bare
            # "continue" (zh 继续练习, "continue practice") read as practice too
            label = t("cases.continue_class" if att.assignment_id else "cases.continue",
                      month=att.month, horizon=att.horizon,
                      updated=units.local_time(att.updated, tz), id=att.id)
            if st.button(label, key=f"continue_{att.id}"):
                common.set_attempt(att.id)
                common.go("desk")
        # finished attempts stay here with their debrief: a closed tab loses nothing
        for att in store.recent(case.id, status=STATUS_FINISHED, user_id=owner):
            line, button = st.columns([3, 1], vertical_alignment="center")
            # the index it scored and its number, named: a bare id read as a code
            line.caption(t("cases2.finished_line", horizon=att.horizon, id=att.id,
                           index=common.index_text(att.index_share),
                           updated=units.local_time(att.updated, tz)))
            if button.button(t("cases2.open_debrief"), key=f"debrief_{att.id}", width="stretch"):
                common.set_attempt(att.id)
                common.go("debrief")

if broken:
    with st.expander(t("cases.broken", n=len(broken)), expanded=True):
        for err in broken:
            common.show_scenario_error(err)
