"""Lessons: a reader for the Markdown lessons, with the self-check questions graded here."""

import streamlit as st

from app_pages import common
from training.i18n import get_lang, t
from training.lessons import grade

lang = get_lang()
st.title(t("lessons.title"))
lessons, problems = common.lessons(lang)
for problem in problems:
    st.error(t("lessons.broken", detail=problem))
if not lessons:
    st.info(t("lessons.none"))
    st.stop()

by_id = {lesson.id: lesson for lesson in lessons}
link = st.session_state.pop("lesson_id", None)  # set by a lesson link on another page
if link in by_id:
    st.session_state["lesson_pick"] = link
elif st.session_state.get("lesson_pick") not in by_id:
    from_url = st.query_params.get("lesson")
    st.session_state["lesson_pick"] = from_url if from_url in by_id else lessons[0].id

lesson_id = st.selectbox(t("lessons.pick"), list(by_id), key="lesson_pick",
                         format_func=lambda i: t("lessons.option", order=by_id[i].order, title=by_id[i].title))
lesson = by_id[lesson_id]
st.caption(t("lessons.meta", minutes=lesson.minutes))
st.markdown(lesson.body)

st.divider()
st.subheader(t("lessons.quiz"))
with st.form(key=f"quiz_{lesson.id}"):
    for n, q in enumerate(lesson.questions, start=1):
        st.radio(f"{n}. {q.question}", range(len(q.choices)), index=None, key=f"q_{lesson.id}_{q.id}",
                 format_func=lambda i, q=q: q.choices[i])
    submitted = st.form_submit_button(t("lessons.check"), type="primary")

if submitted:
    answers = {q.id: st.session_state[f"q_{lesson.id}_{q.id}"] for q in lesson.questions
               if st.session_state.get(f"q_{lesson.id}_{q.id}") is not None}
    result = grade(lesson, answers)
    common.keep_quiz(lesson, answers)
    (st.success if result.passed_all else st.warning)(t("lessons.score", score=result.score, total=result.total))
    with st.container(key="quiz_results"):
        for n, (q, r) in enumerate(zip(lesson.questions, result.results, strict=True), start=1):
            mark = "✅" if r.correct else "❌"
            answer = q.choices[r.answer]
            st.markdown(f"{mark} **{n}.** {t('lessons.answer', answer=answer)}  \n{r.explanation}")
