"""Lessons: a reader for the Markdown lessons, with the self-check questions graded here.

Options are shown in an order shuffled per session and attempt (``quiz_orders``);
widgets hold the options' file indices, so grading never depends on what was shown.
The questions of a test the signed-in trainee has still to take are held back, with a
note (``classroom.held_questions``): their key here would be the test's key. A reader not
signed in is held back those of every test a trainee still has to take.
"""

import secrets

import streamlit as st

from app_pages import common
from training import classroom
from training.i18n import get_lang, question_numbers, t
from training.lessons import QuestionType, grade, quiz_orders, unanswered, without_questions

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
    # lost (a language switch relabels the lessons): the lesson being read, else the
    # address's, else the first
    from_url = st.query_params.get("lesson")
    reading = st.session_state.get("lesson_reading")
    st.session_state["lesson_pick"] = reading if reading in by_id else (
        from_url if from_url in by_id else lessons[0].id)

LESSON_TABLE_STYLE = ("<style>.st-key-lesson_body table td:first-child, "
                      ".st-key-lesson_body table th:first-child {min-width: 4.5em;}</style>")
lesson_id = st.selectbox(t("lessons.pick"), list(by_id), key="lesson_pick",
                         format_func=lambda i: t("lessons.option", order=by_id[i].order, title=by_id[i].title))
lesson = by_id[lesson_id]
st.session_state["lesson_reading"] = lesson_id
st.caption(t("lessons.meta", minutes=lesson.minutes))
with st.container(key="lesson_body"):
    # a table's narrow first column (the five classes: 正常, 关注…) broke a two-character
    # name one character to a line; its cells now keep at least that width
    st.html(LESSON_TABLE_STYLE)
    st.markdown(lesson.body)

st.divider()
st.subheader(t("lessons.quiz"))
user = common.current_user()
# held from an anonymous reader too: a trainee who signed out read the key of their own test
held = classroom.held_questions(common.db(), user).get(lesson.id, ())
quiz = without_questions(lesson, held)
said = "lessons.held" if user else "lessons.held_anon"
if not quiz.questions:
    st.info(t(f"{said}_all"), icon=":material/lock_clock:")
    st.stop()
if quiz is not lesson:
    n_held = len(lesson.questions) - len(quiz.questions)
    st.info(t(f"{said}_one" if n_held == 1 else f"{said}_other", n=n_held),
            icon=":material/lock_clock:")
seed = st.session_state.setdefault("quiz_seed", secrets.randbelow(2**31))
attempt = st.session_state.setdefault("quiz_attempts", {}).get(lesson.id, 0)
orders = quiz_orders(quiz, seed=seed, attempt=attempt)
truth = {0: t("lessons.tf_true"), 1: t("lessons.tf_false")}


def key(question_id: str) -> str:
    return f"q_{lesson.id}_{question_id}_{attempt}" if attempt else f"q_{lesson.id}_{question_id}"


@common.db_guarded
def next_attempt() -> None:
    st.session_state["quiz_attempts"][lesson.id] = attempt + 1


def label(q, i: int) -> str:
    return truth[i] if q.type is QuestionType.TRUE_FALSE else q.choices[i]


# a bordered container, not a form: a form keeps its answers in the browser until it is
# sent, and a switch of language redrew it empty; here every answer reaches the session
# at once and the switch keeps it (common.RELABELLED)
with st.container(border=True, key=f"quiz_{lesson.id}_{attempt}"):
    for n, q in enumerate(quiz.questions, start=1):
        if q.case:
            st.info(f"**{n}. {t('lessons.case')}** {q.case}")
        prompt = f"{n}. {q.question}"
        if q.type is QuestionType.MULTI:
            st.multiselect(f"{prompt} {t('lessons.pick_all')}", orders[q.id], key=key(q.id),
                           format_func=lambda i, q=q: q.choices[i], select_all=False, placeholder=t("lessons.pick_placeholder"))
        elif q.type is QuestionType.TRUE_FALSE:
            st.radio(f"{prompt} {t('lessons.true_or_false')}", [True, False], index=None, key=key(q.id),
                     horizontal=True, format_func=lambda v: t("lessons.tf_true" if v else "lessons.tf_false", lang))
        else:
            st.radio(prompt, orders[q.id], index=None, key=key(q.id), format_func=lambda i, q=q: q.choices[i])
    submitted = st.button(t("lessons.check"), type="primary", key=f"check_{lesson.id}_{attempt}")

answers = {q.id: st.session_state[key(q.id)] for q in quiz.questions
           if st.session_state.get(key(q.id)) not in (None, [])}
missing = unanswered(quiz.questions, answers)
if submitted and missing:
    # graded only when complete: a blank submission would show every answer for nothing
    st.warning(t("lessons.answer_all", numbers=question_numbers(missing, lang)),
               icon=":material/edit_note:")
elif submitted:
    result = grade(quiz, answers)
    common.keep_quiz(quiz, answers)
    (st.success if result.passed_all else st.warning)(t("lessons.score", score=result.score, total=result.total))
    with st.container(key="quiz_results"):
        for n, (q, r) in enumerate(zip(quiz.questions, result.results, strict=True), start=1):
            # in words, with an icon from Streamlit's own font: the emoji marks it used were
            # blank boxes where the machine has no emoji font, and nothing else said which
            # answers were wrong
            mark = t("lessons.right") if r.correct else t("lessons.wrong")
            answer = "；".join(label(q, i) for i in r.answer) if lang == "zh" else "; ".join(
                label(q, i) for i in r.answer)
            st.markdown(f"{mark} **{n}.** {t('lessons.answer', answer=answer)}  \n{r.explanation}")

st.button(t("lessons.retry"), key=f"retry_{lesson.id}", on_click=next_attempt)
