"""An attempt, read-only, month by month: what the portfolio looked like, what the
trainee decided and what happened. Opens only for the attempt's owner, their
instructors and admins (``?review=`` names the attempt; it is not a key)."""

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages.desk_views import file_view
from app_pages.figures import Figure, row
from training import classroom, report, units
from training.attempts import AttemptError
from training.authz import Action, Forbidden
from training.i18n import get_lang, t
from training.review import month_view

lang = get_lang()
st.title(t("review.title"))
user = common.current_user()
aid = st.query_params.get("review") or st.session_state.get("review_id")
if not aid:
    # opened from the menu: the player's own attempts to choose from (My work links none)
    try:
        mine = classroom.my_attempts(common.db(), user)
    except Forbidden:
        mine = []
    titles = {c.id: c.title.get(lang) for c in common.all_cases()[0]}
    labels = {a.id: t("review.own_label", case=titles.get(a.scenario_id, a.scenario_id),
                      kind=t("mine.kind_class" if a.assignment_id else "mine.kind_practice"),
                      month=a.month, horizon=a.horizon, updated=common.local_time(a.updated))
              for a in mine}
    if labels:
        aid = st.selectbox(t("review.own_pick"), list(labels), index=None, key="review_pick",
                           format_func=labels.get, placeholder=t("review.own_placeholder"))
    if not aid:
        st.info(t("review.none_yours" if labels else "review.none"))
        # where attempts are picked, a click away (the words alone left the reader to find it)
        if common.allowed(Action.CREATE_COHORT):
            st.page_link(common.PAGES["cohort_dashboard"], label=t("nav.cohort_dashboard"),
                         icon=":material/monitoring:")
        st.page_link(common.PAGES["my_attempts"], label=t("nav.my_attempts"),
                     icon=":material/assignment:")
        st.stop()
else:
    st.session_state["review_id"] = aid
try:
    first = month_view(common.db(), user, aid, 0, common.case_by_id)
except Forbidden as err:
    common.forbidden(err)
    st.stop()
except (AttemptError, LookupError) as err:
    st.error(t("attempt.not_found", detail=str(getattr(err, "detail", err))))
    st.stop()

att = first.attempt
if first.player is not None:  # an instructor reading a trainee's attempt: whose it is
    st.subheader(t("review.player", name=first.player))
st.caption(t("review.meta", case=first.scenario.title.get(lang), month=att.month,
             horizon=att.horizon, updated=common.local_time(att.updated)))
gone = classroom.withdrawals(common.db(), user, [att]).get(att.id)
if gone is not None:  # its assignment was taken back: to read, no longer counted
    st.warning(t("review.withdrawn", by=gone.by, at=common.local_time(gone.at)),
               icon=":material/undo:")
if att.finished and att.result:
    st.metric(t("debrief.index" if first.player is None else "review.index"),
              common.index_text(att.index_share))
    score = att.result.get("score") or {}
    if common.index_text(att.index_share) == "—" and score.get("loss") is not None:
        # a dash alone left the instructor guessing: say why, with the losses to compare
        st.caption(t("review.no_index", loss=units.money(score.get("loss"), lang),
                     late=units.money(score.get("loss_late"), lang),
                     oracle=units.money(score.get("loss_oracle"), lang)))

if att.month == 0:
    st.info(t("review.not_started"))
    st.stop()
month = st.slider(t("review.month"), 1, att.month, att.month, key=f"review_month_{aid}")
view = month_view(common.db(), user, aid, month, common.case_by_id)
g = view.game
loans = report.localise_names(g.loans(), lang)
labels = report.loan_labels(loans, lang)
# the book as month `month` left it: the desk's own row would say the month after it
# ("5 / 18" under a slider at 4) and the hours of a month not yet played
fig = report.key_figures(g, loans)
delta = units.pct_delta(fig.npl_delta)
row([
    Figure(t("review.fig_month"), t("review.end_of_month", month=month, horizon=att.horizon)),
    Figure(t("fig.outstanding"), units.money(fig.outstanding_cny)),
    Figure(t("fig.npl_ratio"), units.pct(fig.npl_ratio),
           {"delta": delta, "delta_color": "inverse"} if delta else {}),
    Figure(t("fig.provisions"), units.money(fig.provisions_cny)),
], key="review_figures")

st.subheader(t("review.decisions", month=month))
if view.policy_changed:  # set on the desk's monitoring-policy panel before the month
    st.caption(t("review.policy_changed"))
# the actions (a meeting's agreed terms among them), then the classifications on judgement
rows = [(labels.get(i, str(i)), report.action_name(a, lang)) for i, a in view.actions]
rows += [(labels.get(i, str(i)), t("review.judgement", cls=t(f"cls.{k}"),
                                   reason=t(f"judgement.reason.{r}")))
         for i, k, r in view.judgements]
if rows:
    st.dataframe(pd.DataFrame({  # case text is shown as text, never as Markdown or HTML
        t("review.col_loan"): [loan for loan, _ in rows],
        # named as the desk names it (the catalogue's entries carry no text of their own)
        t("review.col_action"): [what for _, what in rows],
    }), hide_index=True, key="review_actions")
else:
    st.caption(t("review.no_actions"))

refused = g.last_report.rejected if g.last_report is not None else []
if refused:  # asked for and not done (no hours left, the loan no longer took it)
    st.warning(t("review.refused", n=len(refused)), icon=":material/block:")
    st.dataframe(report.month_refusals(g.last_report, labels, lang), hide_index=True,
                 key="review_refused")

st.subheader(t("review.events", month=month))
# the loans acted on first, each event in full: in the table below they sat among the
# month's repricings and missed payments (a judgement read as if it were not there)
if story := report.loan_story(g.events(month), view.acted_on, lang, view.scenario):
    st.markdown(t("review.story"))
    st.markdown("\n".join(f"- {line}" for line in story))
# with the case: an LPR change reads the rates then in force, not "now —"
events = report.events_table(g.events(month), lang, view.scenario)
if events.empty:
    st.caption(t("review.no_events"))
else:
    st.dataframe(events, hide_index=True, key="review_events",
                 column_config=common.grid_config(report.events_columns(events, lang), events))

if view.files:  # what the trainee had in front of them when deciding, loan by loan
    st.subheader(t("review.files", month=month))
    st.caption(t("review.files_intro"))
    files = {i: report.localise_names({**lf.profile, **lf.terms}, lang)
             for i, lf in view.files.items()}
    shown = st.selectbox(t("review.file_pick"), list(files), key=f"review_loan_{aid}_{month}",
                         format_func=lambda i: f"{files[i]['label']} · {files[i]['company']}")
    file_view(view.files[shown], files[shown], view.scenario, lang, key="review_file")
