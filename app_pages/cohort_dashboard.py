"""The cohort dashboard (班级看板), for the cohort's instructors and admins: completion,
scores per case against the baselines, the loans the class missed, quiz results,
learning gain and progress over repeated attempts; any attempt opens read-only, those
under a withdrawn assignment too (marked, and counted in no figure); CSV and Excel
export. Each chart has its table beside it."""

import pandas as pd
import streamlit as st

from app_pages import cohort_charts as charts
from app_pages import common
from training import dashboard as dash
from training import report, units
from training.authz import Action, Forbidden
from training.i18n import get_lang, t

lang = get_lang()
st.title(t("dash.title"))
user = common.current_user()
db = common.db()
if not common.allowed(Action.CREATE_COHORT):
    common.forbidden(Forbidden("authz.role_needed", roles="instructor, admin"))
    st.stop()

cid = common.teaching_cohort("dash_cohort", t("cohort.none"), link_admin=True)
try:
    res = dash.cohort_results(db, user, cid)
except Forbidden as err:
    common.forbidden(err)
    st.stop()

gone = dash.withdrawn_attempts(db, user, cid)  # to review; counted in nothing below


def attempt_picker() -> None:
    """Any attempt, the cohort's live ones first, then those under a withdrawn
    assignment, marked so, opened read-only on the review page."""
    st.header(t("dash.open_attempt"))
    if res.attempts.empty and gone.empty:
        st.caption(t("dash.no_attempts"))
        return
    labels = {}
    for rows, key in ((res.attempts, "dash.attempt_label"),
                      (gone, "dash.attempt_label_withdrawn")):
        for r in rows.sort_values(["trainee", "subject", "attempt_no"]).itertuples():
            labels[r.attempt_id] = t(key, trainee=r.trainee, case=r.subject, n=r.attempt_no,
                                     month=r.month, horizon=r.horizon)
    chosen = st.selectbox(t("dash.pick_attempt"), list(labels), key="dash_attempt",
                          format_func=labels.__getitem__)
    if not gone.empty:
        st.caption(t("dash.withdrawn_listed"))
    st.page_link(common.PAGES["review"], label=t("review.open"), icon=":material/history:",
                 query_params={"review": chosen})


if res.completion.empty:
    st.info(t("dash.nothing_yet"))
    if not gone.empty:  # what was done under a withdrawn assignment still opens
        attempt_picker()
    st.stop()

# a CSV holds one table: the attempts, or any other sheet of the workbook (the lessons'
# quiz, the learning gain...), named as the workbook names it
# the attempts first (set here, not as the widget's index: a language switch sets the
# pick again through the session state, common.RELABELLED, and Streamlit warns of both)
st.session_state.setdefault("export_table", "attempts")
table = st.selectbox(t("dash.export_table"), dash.SHEETS, key="export_table", format_func=lambda s: t(f"dash.sheet.{s}", lang),
                     help=t("dash.export_table_help"))
# the buttons as wide as their labels, side by side, wrapping onto a second line when
# the row does not fit: in three equal columns at 1366 px the Excel button read
# "Everything (Excel, English sheets and h…"
exports = st.container(horizontal=True, wrap=True, gap="small", key="dash_exports")
exports.download_button(t("dash.export_csv_readable"), dash.results_csv_readable(res, lang, table),
                   file_name=f"cohort-{cid}-{table}-{lang}.csv", mime="text/csv",
                   key="export_csv_readable", icon=":material/download:")
exports.download_button(t("dash.export_csv"), dash.results_csv(res, table),
                   file_name=f"cohort-{cid}-{table}.csv",
                   mime="text/csv", key="export_csv", icon=":material/data_object:")
exports.download_button(t("dash.export_xlsx"), dash.results_excel(res, lang),
                   file_name=f"cohort-{cid}-{lang}.xlsx", key="export_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/table_view:")
st.caption(t("dash.export_help"))


def show(frame: pd.DataFrame, columns: dict[str, str], key: str, shares: tuple = (),
         money: tuple = (), into=st, helps: dict[str, str] | None = None) -> None:
    """A frame with its columns named for people: shares as percentages, money as numbers
    in the language's unit named in the header (the chart beside it draws the same
    numbers), right-aligned as every other table's figures."""
    view = frame[list(columns)].copy()
    columns = dict(columns)
    for col in money:
        view[col] = view[col].map(lambda v: units.in_unit(v, lang))
        columns[col] = units.money_header(columns[col], lang)
    helps = helps or {}  # what a column counts, on its header
    formats = {c: "percent" for c in shares} | {c: "localized" for c in money}
    config = {columns[c]: st.column_config.NumberColumn(format=f, help=helps.get(c))
              for c, f in formats.items()}
    config |= {columns[c]: st.column_config.Column(help=text)
               for c, text in helps.items() if c not in formats}
    if "subject" in columns:  # a long case title at a set width, so the columns after it
        # (a trainee's status, beside the completion chart) show; the title reads whole on hover
        config[columns["subject"]] = st.column_config.TextColumn(width="medium")
    # a figure not there (a post-test not yet taken) reads "—", not the grid's "None"
    into.dataframe(view.rename(columns=columns), hide_index=True, key=key, column_config=config,
                   placeholder=MISSING)


def show_static(frame: pd.DataFrame, columns: dict[str, str], shares: tuple = ()) -> None:
    """A frame as a static table whose long text (a question, a warning, a borrower's name)
    wraps within the page: as a grid, each column as wide as its text, the quiz and the
    missed loans ran past the page's edge at 1,024 px and a question was cut at 1,280."""
    view = frame[list(columns)].copy()
    for col in shares:
        view[col] = view[col].map(lambda v: units.pct(v, 0))
    st.table(report.as_text(view.rename(columns=columns)))


MISSING = "—"  # how a table shows a figure that is not there
COL = {"subject": t("dash.col_assignment"), "trainee": t("dash.col_trainee")}


def status_words(completion: pd.DataFrame, attempts: pd.DataFrame) -> tuple[list, list]:
    """Each completion row's status in words, and beside it, for a case under way, the
    months the trainee's newest attempt has played of the case's ("3 / 12"), so the class's
    pace reads during the session (who is behind), not only once attempts finish. Two
    columns: as one ("进行中：已完成 3/12 个月") the months were cut off beside the chart."""
    newest = attempts.sort_values("attempt_no").groupby(["assignment_id", "user_id"]).last()
    words, months = [], []
    for r in completion.itertuples():
        key = (r.assignment_id, r.user_id)
        words.append(t(f"dash.status_{r.status}"))
        if r.status == dash.STATUS_IN_PROGRESS and key in newest.index:
            played = newest.loc[key]
            months.append(t("dash.months_played_of", month=int(played["month"]),
                            horizon=int(played["horizon"])))
        else:
            months.append(None)  # read as the table's "—"
    return words, months


st.header(t("dash.completion"))
# the chart, then the table under it, each the page's width: side by side, at 1,024 and
# 1,280 px the table's assignment column was cut and the chart's bars and axis title too
common.draw_chart(st, charts.completion(res.completion), width="stretch")
status, months = status_words(res.completion, res.attempts)
# the trainee, the status and the months first, the long case title last (whole on
# hover): a 16-character title took the room and cut the months off at 1400 px
show(res.completion.assign(status=status, months=months),
     {"trainee": COL["trainee"], "status": t("dash.col_status"),
      "months": t("dash.col_months_played"), "subject": COL["subject"]},
     "completion_table")

finished = res.attempts[res.attempts["status"] == dash.STATUS_FINISHED]
done = finished.dropna(subset=["index_share"])
if not finished.empty:
    st.header(t("dash.scores"))
if len(done) < len(finished):
    # a future with almost nothing to avoid has no index (the debrief says why): the
    # finished attempts' losses, to read against the baselines' below
    missing = len(finished) - len(done)
    st.info(t(f"dash.no_index_{'one' if missing == 1 else 'other'}", n=missing))
    show(finished[finished["index_share"].isna()],
         {**COL, "attempt_no": t("dash.col_attempt_no"), "loss_cny": t("dash.col_loss")},
         "no_index_table", money=("loss_cny",))
if not done.empty:
    common.draw_chart(st, charts.score_distribution(done), width="stretch")
    common.draw_chart(st, charts.index_by_trainee(done, res.baselines), width="stretch")
    # the attempts started and how many finished, as the export's best-index sheet has
    # them: the highest attempt number alone read as that many tries done
    best = dash.best_scores(res.attempts)
    best["attempts"] = [t("dash.attempts_value", started=n, finished=k) for n, k in
                        zip(best["attempts_started"], best["attempts_finished"], strict=True)]
    show(best, {**COL, "first": t("dash.col_first"), "best": t("dash.col_best"),
                "attempts": t("dash.col_attempts")},
         "best_table", shares=("first", "best"),
         helps={"first": t("dash.col_first_help"), "attempts": t("dash.col_attempts_help")})
if not finished.empty:
    show(res.baselines.assign(strategy=res.baselines["strategy"].map(lambda s: t(f"strategy.{s}"))),
         {"subject": COL["subject"], "strategy": t("dash.col_baseline"),
          "index_share": t("dash.col_index_short"), "loss_cny": t("dash.col_loss")},
         "baselines_table", shares=("index_share",), money=("loss_cny",),
         # the whole heading on hover: as the heading it pushed the credit loss off the page
         helps={"index_share": t("dash.col_index")})
if not done.empty and done["attempt_no"].max() > 1:
    common.draw_chart(st, charts.repeated(done), width="stretch")

st.header(t("dash.missed"))
if res.missed.empty:
    st.caption(t("dash.no_missed"))
else:
    # one table per assignment, under its title: the title repeated in a column of its own
    # took the width that a long borrower's name needed ("...Industry & Trad")
    for subject, rows in res.missed.groupby("subject", sort=False):
        st.markdown(f"**{subject}**")
        show_static(rows.assign(
            company=[zh if lang == "zh" else en for zh, en in
                     zip(rows["company"], rows["company_en"], strict=True)],
            warning=[zh if lang == "zh" else en for zh, en in
                     zip(rows["warning_zh"], rows["warning_en"], strict=True)]),
            {"label": t("dash.col_loan"), "company": t("dash.col_company"),
             "warning": t("dash.col_warning"), "visible_month": t("dash.col_visible"),
             "trainees_missed": t("dash.col_missed_by"), "share_missed": t("dash.col_share")},
            shares=("share_missed",))

st.header(t("dash.quiz"))
if res.quiz.empty:
    st.caption(t("dash.no_quiz"))
else:
    common.draw_chart(st, charts.quiz(res.quiz), width="stretch")
    show_static(res.quiz.assign(phase=res.quiz["phase"].map(lambda p: t(f"dash.phase_{p}"))),
                {"phase": t("dash.col_phase"), "lesson": t("dash.col_lesson"),
                 "question": t("dash.col_question"), "answers": t("dash.col_answers"),
                 "share_correct": t("dash.col_correct")}, shares=("share_correct",))

st.header(t("dash.gain"))
if res.gain.empty:
    st.caption(t("dash.no_gain"))
else:
    common.draw_chart(st, charts.gain(res.gain), width="stretch")
    tests = {"pre_share": t("dash.pre"), "post_share": t("dash.post"), "gain": t("dash.col_gain")}
    show(res.gain, {**COL, **tests}, "gain_table", shares=tuple(tests))
    both = dash.cohort_gain(res.gain)
    if both.empty:  # the grid's English "empty" was all it said
        st.caption(t("dash.no_cohort_gain"))
    else:
        show(both, {"subject": COL["subject"], "trainees": t("dash.col_trainees"), **tests},
             "cohort_gain_table", shares=tuple(tests))

attempt_picker()
