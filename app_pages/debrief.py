"""Debrief: how much of the avoidable loss you avoided, against three reference
strategies on the same seed; your saves, the warnings you missed, compliance, the
case's notes and lessons, and the whole debrief as a downloadable HTML report."""

import streamlit as st

from app_pages import charts, common, debrief_judgement, roleplay_views
from training import (
    classroom,
    debrief_detail,
    debrief_freeze,
    judgement_view,
    report,
    roleplay,
)
from training.attempts import finished_recently
from training.i18n import get_lang, t

lang = get_lang()
if not st.session_state.get("attempt_id"):
    # a new tab, a new day: the debriefs of the cases finished lately, to read again
    common.no_attempt_open(t("nav.debrief"), finished_recently, t("debrief.reopen.intro"),
                           ("debrief.reopen.class", "debrief.reopen.practice"),
                           ":material/insights:", "reopen")
live = common.current_live(read_only=True)
if live is None:
    st.stop()
case, g, aid = live.scenario, live.game, live.attempt.id

st.title(t("debrief.title", case=case.title.get(lang)))
if not g.finished:
    st.info(t("debrief.not_finished", month=g.month, horizon=g.horizon))
    if st.button(t("debrief.back_to_desk"), key="back_to_desk"):
        common.go("desk")
    st.stop()

try:
    d = common.games().debrief(aid)
except Exception as exc:  # the engine could not score this attempt: say so, no traceback
    st.error(t("debrief.failed", detail=str(exc)))
    st.stop()
detail = live.month_memo(("debrief_detail",), lambda: debrief_detail.detail(g))
# an assigned case ends with its post-test: say where it is, at the top and beside the way out
post_test = classroom.post_test_waiting(common.db(), common.current_user(), live.attempt)


def post_test_notice() -> None:
    if post_test:
        st.info(t("debrief.post_test_waiting"), icon=":material/quiz:")
        st.page_link(common.PAGES["my_attempts"], label=t("debrief.to_post_test"),
                     icon=":material/assignment:")


post_test_notice()

with st.container(border=True, key="debrief_index"):
    # the metric as wide as its label, the explanation below it: nothing is cut at 1024 px
    st.metric(t("debrief.index"), report.index_text(d.index, lang), width="content")
    st.markdown(t("debrief.index_help"))
    st.markdown(report.verdict_text(d, lang))  # the score in words: what was lost, against what
    for line in report.conduct_lines(d, lang):  # what you did: only looked, or recalled too hard
        st.markdown(line)
    if overrun := report.plan_overrun_note(g, lang):  # why the Queue buttons were off
        st.markdown(overrun)
    # the lines you froze: the exposure kept off the books that no loss figure shows
    if frozen := debrief_freeze.freeze_lines(getattr(d, "frozen", None), lang):
        st.markdown(f"**{t('freeze.title')}**")
        st.markdown(" ".join(frozen))
    if not d.material:  # the index is not shown: say why, and what to read instead
        st.info(report.immaterial_text(d, lang), icon=":material/info:")

st.subheader(t("debrief.comparison"))
st.table(report.comparison_table(d, lang))

st.caption(report.standing_note_text(g, lang))
# what the hours count: a policy's checks beside late collection's few
st.caption(t("debrief.hours_note", policy=t("col.policy_compliance")))

st.subheader(t("loss.title"))


def loss_gaps(sources, base: str, intro: str, none: str) -> None:
    """Your loss against one reference, loan by loan, each loan's two timelines below."""
    st.caption(t(intro))
    if not sources.loans:
        st.caption(t(none))
        return
    # a static table: the lessons wrap instead of being cut at the column's edge
    st.table(report.as_text(report.loss_sources_table(sources, detail.names[lang], lang, base)))
    for gap in sources.loans:
        label, company = detail.names[lang][gap.loan_id]
        with st.expander(report.gap_title(label, company, gap, lang), key=f"loss_{base}_{gap.loan_id}"):
            st.markdown(report.lesson_text(gap.lesson, lang, base))
            st.table(report.loan_timelines(gap, lang, base))


loss_gaps(detail.sources, "late-collection", "loss.intro", "loss.none")
if detail.sources_ew is not None:  # where acting early would have paid, and what early warning did
    st.markdown(f"**{t('loss.ew_title')}**")
    loss_gaps(detail.sources_ew, "early-warning", "loss.ew_intro", "loss.ew_none")

st.subheader(t("debrief.trajectories"))
traj = report.trajectories(d, lang, detail.loans)
# one above the other, each the page's width: side by side at 1024 px each plot was too narrow to read
common.draw_chart(st, charts.trajectories(traj, "npl_ratio", t("chart.npl_ratio"),
                                          t("col.npl_ratio"), ".1%"), width="stretch")
# lines that lie on one another are said in words: a chart cannot show two equal lines apart
if same := debrief_detail.same_lines_text(traj, "npl_ratio", report.STRATEGIES, lang):
    st.markdown(same)
st.caption(t("chart.runoff_note"))
common.draw_chart(st, charts.trajectories(traj, "cum_loss_cny", t("chart.cum_loss"),
                                          report.column_title("cum_loss_cny"), ",.1f"),
                  width="stretch")
if same := debrief_detail.same_lines_text(traj, "cum_loss_cny", report.STRATEGIES, lang):
    st.markdown(same)

st.subheader(t("debrief.saves"))
saves = report.saves_table(d, lang)
if saves.empty:
    st.caption(t("debrief.no_saves"))
else:
    st.dataframe(saves, hide_index=True, key="saves")

st.subheader(t("debrief.missed"))
missed = report.missed_table(d, lang)
if missed.empty:
    st.caption(t("debrief.no_missed"))
else:
    # a static table: the advice column wraps instead of running off the right edge
    st.table(report.as_text(missed))

st.subheader(t("debrief.compliance"))
compliance = report.compliance_table(d, lang)
if compliance.empty:
    st.caption(t("debrief.none"))
else:
    st.table(compliance)
if policy_note := report.policy_compliance_note(d, lang):
    st.caption(policy_note)
if quality_note := report.check_quality_note(d, lang):
    st.caption(quality_note)

debrief_judgement.sections(g, lang)
roleplay_views.debrief_talks(g)  # the meetings held with borrowers, with feedback

with st.expander(t("debrief.score"), icon=":material/calculate:"):
    st.table(report.score_table(d, lang))

if case.debrief_notes:
    st.subheader(t("debrief.notes"))
    for note in case.debrief_notes:
        st.info(note.get(lang))

if case.lessons:
    st.subheader(t("debrief.lessons"))
    common.lesson_links(case.lessons, lang, "debrief_lesson")

st.divider()
titles = {lesson.id: lesson.title for lesson in common.lessons(lang)[0]}
st.download_button(
    t("debrief.download"), report.debrief_html(case, d, lang, aid, titles, tz_name=st.context.timezone,
                                             detail=detail, standing_note=report.standing_note_text(g, lang),
                                             talks=roleplay.talk_summaries(g, lang),
                                             overrun_note=report.plan_overrun_note(g, lang),
                                             extra=debrief_freeze.freeze_html(getattr(d, "frozen", None), lang)
                                             + judgement_view.debrief_html_sections(g, lang)),
    file_name=f"bianque-{case.id}-{aid}-{lang}.html", mime="text/html", key="download_report",
    on_click="ignore",
)
post_test_notice()
if st.button(t("debrief.to_cases"), key="debrief_to_cases"):
    common.go("cases")
