"""My work: the cases my cohorts assigned me (with their pre- and post-tests and the
class's anonymised ranking) and every attempt of mine, to continue or to read the debrief."""

import pandas as pd
import streamlit as st

from app_pages import common
from training import classroom as cr
from training import units
from training.authz import Forbidden
from training.i18n import get_lang, question_numbers, t
from training.lessons import QuestionType, paper_orders, unanswered
from training.models import QuizPhase

lang = get_lang()
tz = st.context.timezone  # the browser's zone, written as the case list writes it


def local_time(when) -> str:
    return units.local_time(when, tz) if when is not None else "—"


st.title(t("mine.title"))
common.show_flash()
user = common.current_user()
db = common.db()


def quiz_form(assignment: cr.Assignment, phase: QuizPhase) -> None:
    """One form for the test; answers are graded and kept when every question has one."""
    parts = cr.test_questions(assignment, phase, lang)
    # options in an order of this trainee's own (the file's order was the same for the whole
    # class, so a key of letters could be passed round); widgets hold file indices
    orders = paper_orders(parts, assignment_id=assignment.id, trainee=str(user.id),
                          phase=phase.value)

    def key(lesson, q) -> str:
        return f"t_{phase.value}_{assignment.id}_{lesson.id}_{q.id}"

    # numbered through the whole test, so a refusal can name the questions left blank
    numbered = {(lesson.id, q.id): n for n, (lesson, q) in enumerate(
        ((lesson, q) for lesson, questions in parts for q in questions), start=1)}
    # a bordered container, not a form: a form keeps its answers in the browser until it is
    # sent, and a switch of language redrew it empty; here each answer reaches the session
    # at once and the switch keeps it (common.RELABELLED)
    with st.container(border=True, key=f"test_{phase.value}_{assignment.id}"):
        for lesson, questions in parts:
            st.markdown(f"**{lesson.title}**")
            for q in questions:
                key_q = key(lesson, q)
                prompt = f"{numbered[lesson.id, q.id]}. {q.question}"
                if q.case:  # "What is wrong with that statement?" means nothing without it
                    st.info(f"**{numbered[lesson.id, q.id]}. {t('lessons.case')}** {q.case}")
                if q.type is QuestionType.MULTI:
                    st.multiselect(f"{prompt} {t('lessons.pick_all')}",
                                   orders[lesson.id, q.id], key=key_q,
                                   format_func=lambda i, q=q: q.choices[i],
                                   select_all=False, placeholder=t("lessons.pick_placeholder"))
                elif q.type is QuestionType.TRUE_FALSE:
                    st.radio(f"{prompt} {t('lessons.true_or_false')}", [True, False],
                             index=None, key=key_q, horizontal=True,
                             format_func=lambda v: t("lessons.tf_true" if v else "lessons.tf_false",
                                                     lang))
                else:
                    st.radio(prompt, orders[lesson.id, q.id], index=None, key=key_q,
                             format_func=lambda i, q=q: q.choices[i])
        sent = st.button(t(f"mine.submit_{phase.value}"), type="primary",
                         key=f"send_{phase.value}_{assignment.id}")
    if not sent:
        return
    answers = {lesson.id: {q.id: st.session_state.get(key(lesson, q)) for q in questions}
               for lesson, questions in parts}
    missing, before = [], 0
    for lesson, questions in parts:
        missing += [before + n for n in unanswered(questions, answers[lesson.id])]
        before += len(questions)
    if missing:
        # a test is kept once: graded half-filled, its blanks would count as wrong for good
        st.warning(t("mine.answer_all", numbers=question_numbers(missing, lang)),
                   icon=":material/edit_note:")
        return
    try:  # the whole test in one transaction: kept whole, or not at all
        results = common.keep_test(assignment.id, phase.value,
                                   [(lesson, answers[lesson.id]) for lesson, _qs in parts])
    except (Forbidden, cr.ClassroomError) as err:  # taken in another tab, withdrawn since...
        common.flash("error", t(err.key, **err.detail))
        st.rerun()
    except Exception as exc:
        if not common.unreachable(exc):
            raise
        # nothing was kept: said under the form, which keeps the answers to send again
        st.error(t("common.db_lost_said"), icon=":material/database:")
        return
    right = sum(r.correct for (lesson, _qs), result in zip(parts, results, strict=True)
                for r in result.results if r.question_id in answers[lesson.id])
    total = sum(len(questions) for _lesson, questions in parts)
    common.flash("success", t("mine.test_kept", right=right, total=total))
    st.rerun()


@common.db_guarded
def start(assignment_id: int) -> None:
    try:
        live = cr.start_assignment(db, user, common.games(), assignment_id)
    except (Forbidden, cr.ClassroomError) as err:
        common.flash("error", t(err.key, **err.detail))
        return
    common.set_attempt(live.attempt.id)
    st.session_state["go_briefing"] = True


if user is None and not common.allowed("self_study"):
    st.info(t("authz.sign_in_first"))
    st.page_link(common.PAGES["signin"], label=t("nav.signin"), icon=":material/login:")
    st.stop()

attempts = cr.my_attempts(db, user)
if st.session_state.pop("go_briefing", False):
    common.go("briefing")

# --- assigned work ---------------------------------------------------------------------
assigned = cr.my_assignments(db, user) if user is not None else []
held = cr.held_questions(db, user) if assigned else {}
if assigned:
    st.header(t("mine.assigned"))
for cohort, a in assigned:
    if a.kind.value != "case":
        with st.container(border=True, key=f"assignment_{a.id}"):
            st.markdown(t("mine.lesson_assigned", cohort=cohort.name, lesson=a.subject,
                          closes=local_time(a.closes_at)))
            # done as the cohort dashboard counts it (classroom.lessons_done); questions the
            # reader holds back for a test of theirs are said, so none is owed there
            if cr.lesson_read(db, user, a):
                st.success(t("mine.lesson_done"), icon=":material/check_circle:")
            else:
                hold = cr.held_part(held, a.lesson_id)
                if hold != "all":  # all held: no quiz is left to answer in the reader
                    st.caption(t("mine.lesson_todo"))
                if hold is not None:
                    st.caption(t(f"mine.lesson_held_{hold}"))
            common.lesson_links([a.lesson_id], lang, f"al_{a.id}")
        continue
    mine = [x for x in attempts if x.assignment_id == a.id]
    finished = [x for x in mine if x.finished]
    with st.container(border=True, key=f"assignment_{a.id}"):
        st.subheader(t("mine.case_assigned", cohort=cohort.name, case=a.subject))
        st.caption(t("mine.window", opens=local_time(a.opens_at),
                     closes=local_time(a.closes_at)))
        pre_needed = bool(a.pre_test) and not cr.quiz_done(db, user, a.id, QuizPhase.PRE)
        if a.case_withdrawn:  # unpublished: nothing new starts; what was started goes on
            st.warning(t("mine.case_withdrawn"), icon=":material/unpublished:")
        elif pre_needed and a.pre_test_open():
            st.markdown(t("mine.pre_first"))
            quiz_form(a, QuizPhase.PRE)
        elif a.is_open():
            st.button(t("mine.start" if not mine else "mine.start_again"), key=f"start_a{a.id}",
                      type="primary", on_click=start, args=(a.id,))
        else:
            st.info(t("mine.closed"))
            if pre_needed:  # not offered: taken now, it would measure nothing before the case
                st.caption(t("mine.pre_closed"))
        if finished and a.post_test and not cr.quiz_done(db, user, a.id, QuizPhase.POST):
            st.markdown(t("mine.post_now"))
            quiz_form(a, QuizPhase.POST)
        rank = cr.ranking(db, user, a.id)
        if rank:
            st.markdown(f"**{t('mine.ranking')}**")
            st.caption(t("mine.ranking_rule"))
            st.dataframe(pd.DataFrame({
                t("mine.col_rank"): pd.array([r.rank for r in rank], dtype="Int64"),
                t("mine.col_who"): [t("mine.you") if r.is_you else t("mine.classmate", n=i)
                                    for i, r in enumerate(rank, start=1)],
                t("mine.col_index"): [common.index_text(r.index_share) for r in rank],
                t("mine.col_attempts"): [r.attempts for r in rank],
            }), hide_index=True, key=f"ranking_{a.id}", placeholder="—")

# --- every attempt ---------------------------------------------------------------------
st.header(t("mine.attempts"))
if not attempts:
    st.info(t("mine.none"))
taken_back = cr.withdrawals(db, user, attempts)
for att in attempts:
    with st.container(border=True, key=f"mine_{att.id}"):
        left, right = st.columns([4, 1], vertical_alignment="center")
        gone = taken_back.get(att.id)
        kind = (t("attempt.withdrawn_kind") if gone else t("mine.kind_class")) \
            if att.assignment_id else t("mine.kind_practice")
        left.markdown(t("mine.line", case=common.attempt_case_title(att, lang), kind=kind,
                        month=att.month, horizon=att.horizon,
                        updated=local_time(att.updated),
                        index=common.index_text(att.index_share) if att.finished else "—"))
        if gone is not None:  # to read, not to continue: the instructor took it back
            left.warning(t("attempt.withdrawn", by=gone.by, at=local_time(gone.at)),
                         icon=":material/undo:")
            if not att.finished:
                right.page_link(common.PAGES["review"], label=t("mine.replay"),
                                icon=":material/history:", query_params={"review": att.id})
                continue
        label = t("mine.debrief") if att.finished else t("mine.continue")
        if right.button(label, key=f"open_{att.id}"):
            common.set_attempt(att.id)
            common.go("debrief" if att.finished else "desk")
