"""The cohort dashboard (班级看板), for the cohort's instructors and admins: completion,
scores per case against the baselines, the loans the class missed, quiz results,
learning gain and progress over repeated attempts; any attempt opens read-only; CSV
and Excel export. Each chart has its table beside it."""

import pandas as pd
import streamlit as st

from app_pages import cohort_charts as charts
from app_pages import common
from training import classroom as cr
from training import dashboard as dash
from training.authz import Action, Forbidden
from training.i18n import get_lang, t

lang = get_lang()
st.title(t("dash.title"))
user = common.current_user()
db = common.db()
if not common.allowed(Action.CREATE_COHORT):
    common.forbidden(Forbidden("authz.role_needed", roles="instructor, admin"))
    st.stop()

cohorts = {c.id: c for c in cr.teaching_cohorts(db, user)}
if not cohorts:
    st.info(t("cohort.none"))
    st.page_link(common.PAGES["cohort_admin"], label=t("nav.cohort_admin"),
                 icon=":material/groups:")
    st.stop()
if st.session_state.get("dash_cohort") not in cohorts:
    st.session_state["dash_cohort"] = next(iter(cohorts))
cid = st.selectbox(t("cohort.pick"), list(cohorts), key="dash_cohort",
                   format_func=lambda i: cohorts[i].name)
try:
    res = dash.cohort_results(db, user, cid)
except Forbidden as err:
    common.forbidden(err)
    st.stop()

if res.completion.empty:
    st.info(t("dash.nothing_yet"))
    st.stop()

c1, c2 = st.columns(2)
c1.download_button(t("dash.export_csv"), dash.results_csv(res), file_name=f"cohort-{cid}.csv",
                   mime="text/csv", key="export_csv", icon=":material/download:")
c2.download_button(t("dash.export_xlsx"), dash.results_excel(res),
                   file_name=f"cohort-{cid}.xlsx", key="export_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/table_view:")


def pct(frame: pd.DataFrame, cols: list[str]) -> dict:
    return {c: st.column_config.NumberColumn(format="percent") for c in cols if c in frame}


st.header(t("dash.completion"))
left, right = st.columns([3, 2])
left.altair_chart(charts.completion(res.completion), width="stretch")
table = res.completion.assign(status=res.completion["status"].map(
    lambda s: t(f"dash.status_{s}")))[["subject", "trainee", "status"]]
right.dataframe(table, hide_index=True, key="completion_table")

done = res.attempts.dropna(subset=["index_share"])
if not done.empty:
    st.header(t("dash.scores"))
    left, right = st.columns(2)
    left.altair_chart(charts.score_distribution(done), width="stretch")
    right.altair_chart(charts.index_by_trainee(done, res.baselines), width="stretch")
    best = done.groupby(["subject", "trainee"], as_index=False).agg(
        best=("index_share", "max"), attempts=("attempt_no", "max"))
    st.dataframe(best, hide_index=True, key="best_table", column_config=pct(best, ["best"]))
    st.dataframe(res.baselines.assign(strategy=res.baselines["strategy"].map(
        lambda s: t(f"strategy.{s}")))[["subject", "strategy", "index_share", "loss_cny"]],
        hide_index=True, key="baselines_table", column_config=pct(res.baselines, ["index_share"]))
    if done["attempt_no"].max() > 1:
        st.altair_chart(charts.repeated(done), width="stretch")

st.header(t("dash.missed"))
if res.missed.empty:
    st.caption(t("dash.no_missed"))
else:
    missed = pd.DataFrame({
        t("dash.col_assignment"): res.missed["subject"],
        t("dash.col_loan"): res.missed["label"],
        t("dash.col_company"): [zh if lang == "zh" else en for zh, en in
                                zip(res.missed["company"], res.missed["company_en"], strict=True)],
        t("dash.col_warning"): [zh if lang == "zh" else en for zh, en in
                                zip(res.missed["warning_zh"], res.missed["warning_en"],
                                    strict=True)],
        t("dash.col_visible"): res.missed["visible_month"],
        t("dash.col_missed_by"): res.missed["trainees_missed"],
        t("dash.col_share"): res.missed["share_missed"],
    })
    st.dataframe(missed, hide_index=True, key="missed_table",
                 column_config={t("dash.col_share"):
                                st.column_config.NumberColumn(format="percent")})

st.header(t("dash.quiz"))
if res.quiz.empty:
    st.caption(t("dash.no_quiz"))
else:
    left, right = st.columns([3, 2])
    left.altair_chart(charts.quiz(res.quiz), width="stretch")
    right.dataframe(res.quiz[["phase", "lesson_id", "question_id", "answers", "share_correct"]],
                    hide_index=True, key="quiz_table",
                    column_config=pct(res.quiz, ["share_correct"]))

st.header(t("dash.gain"))
if res.gain.empty:
    st.caption(t("dash.no_gain"))
else:
    left, right = st.columns([3, 2])
    left.altair_chart(charts.gain(res.gain), width="stretch")
    right.dataframe(res.gain[["subject", "trainee", "pre_share", "post_share", "gain"]],
                    hide_index=True, key="gain_table",
                    column_config=pct(res.gain, ["pre_share", "post_share", "gain"]))
    overall = dash.cohort_gain(res.gain)
    st.dataframe(overall, hide_index=True, key="cohort_gain_table",
                 column_config=pct(overall, ["pre_share", "post_share", "gain"]))

st.header(t("dash.open_attempt"))
if res.attempts.empty:
    st.caption(t("dash.no_attempts"))
else:
    rows = res.attempts.sort_values(["trainee", "subject", "attempt_no"])
    labels = {r.attempt_id: t("dash.attempt_label", trainee=r.trainee, case=r.subject,
                              n=r.attempt_no, month=r.month, horizon=r.horizon)
              for r in rows.itertuples()}
    chosen = st.selectbox(t("dash.pick_attempt"), list(labels), key="dash_attempt",
                          format_func=labels.__getitem__)
    st.page_link(common.PAGES["review"], label=t("review.open"), icon=":material/history:",
                 query_params={"review": chosen})
