"""Lessons: load the Markdown lessons in lessons/<lang>/<id>.md and grade their quizzes.

A lesson file is YAML front matter (id, title, order, minutes, cases), a Markdown
body, and, as the last thing in the file, a fenced block tagged ``quiz`` holding a
YAML list of questions. Every malformed file raises ``LessonFormatError`` naming
the file and the field, so an instructor can fix it without reading a traceback.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from sim.inputs import InputError, explain, load_yaml, read_text

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
LANGS = ("zh", "en")

MIN_QUESTIONS = 3
MAX_QUESTIONS = 6
MIN_CHOICES = 2
MIN_MULTI_CHOICES = 3
MAX_CHOICES = 6

_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.DOTALL | re.MULTILINE)
_QUIZ_OPEN = re.compile(r"^```quiz[ \t]*$", re.MULTILINE)
_QUIZ_BLOCK = re.compile(r"^```quiz[ \t]*\r?\n(.*?)^```[ \t]*\s*\Z", re.DOTALL | re.MULTILINE)


class LessonFormatError(InputError, ValueError):
    """A lesson file that cannot be read: says which file, which field and the fix.

    Raised by the careful input path every hand-written file goes through
    (sim.inputs: size limit, UTF-8, YAML errors and duplicate keys at their line).
    ``problems`` lists every (field, message) pair; ``field`` and ``message`` are the
    first."""

    def __init__(self, path: Path | str, field: str | list[tuple[str, str]],
                 message: str | None = None) -> None:
        problems = field if message is None else [(field, message)]
        super().__init__(str(path), list(problems))
        self.path = Path(path)
        self.field, self.message = self.problems[0]

    def __str__(self) -> str:
        return "\n".join(f"{self.path}: field '{f}': {m}" for f, m in self.problems)


class QuestionType(StrEnum):
    """How a self-check question is answered."""

    SINGLE = "single"  # one correct option (单选)
    MULTI = "multi"  # every correct option must be chosen, no wrong one (多选)
    TRUE_FALSE = "truefalse"  # a statement judged true or false (判断)


TRUE_INDEX = 0
"""A true/false question offers two options: index 0 is "true", index 1 is "false"."""
FALSE_INDEX = 1


class Question(BaseModel):
    """One self-check question.

    ``answer`` is a 0-based option index (single), a list of indices (multi) or a
    boolean (true/false, which has no ``choices`` in the file). ``case`` is an
    optional short case the question is about, shown before it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    type: QuestionType = QuestionType.SINGLE
    case: str | None = None
    question: str = Field(min_length=1)
    choices: list[str] = Field(default_factory=list)
    answer: StrictBool | StrictInt | list[StrictInt]
    explanation: str = Field(min_length=1)

    @field_validator("case")
    @classmethod
    def _case_not_blank(cls, case: str | None) -> str | None:
        if case is not None and not case.strip():
            raise ValueError("case must not be blank; leave it out instead")
        return case

    @field_validator("choices")
    @classmethod
    def _choices_fit_type(cls, choices: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("type", QuestionType.SINGLE)
        if kind is QuestionType.TRUE_FALSE:
            if choices:
                raise ValueError("a truefalse question takes no choices; its answer is true or false")
            return choices
        low = MIN_MULTI_CHOICES if kind is QuestionType.MULTI else MIN_CHOICES
        if not low <= len(choices) <= MAX_CHOICES:
            raise ValueError(f"a {kind.value} question needs {low} to {MAX_CHOICES} choices, not {len(choices)}")
        if any(not c.strip() for c in choices):
            raise ValueError("choices must not be blank")
        if len(set(choices)) != len(choices):
            raise ValueError("choices must be distinct")
        return choices

    @field_validator("answer")
    @classmethod
    def _answer_fits_type(cls, answer: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("type", QuestionType.SINGLE)
        choices = info.data.get("choices")
        if kind is QuestionType.TRUE_FALSE:
            if not isinstance(answer, bool):
                raise ValueError("a truefalse answer is true or false")
            return answer
        if kind is QuestionType.SINGLE and not (isinstance(answer, int) and not isinstance(answer, bool)):
            raise ValueError("a single-choice answer is one 0-based option index")
        if kind is QuestionType.MULTI:
            if not isinstance(answer, list) or not answer:
                raise ValueError("a multi answer is a non-empty list of 0-based option indices")
            if len(set(answer)) != len(answer):
                raise ValueError("a multi answer lists each option once")
        indices = answer if isinstance(answer, list) else [answer]
        for index in indices:
            if index < 0:
                raise ValueError(f"answer {index} is negative; options are counted from 0")
            if choices is not None and index >= len(choices):
                raise ValueError(
                    f"answer {index} is out of range for {len(choices)} choices (0-based index)"
                )
        return answer

    @property
    def option_count(self) -> int:
        """How many options the trainee sees (two for true/false)."""
        return 2 if self.type is QuestionType.TRUE_FALSE else len(self.choices)

    @property
    def correct(self) -> frozenset[int]:
        """The option indices that make a right answer."""
        if self.type is QuestionType.TRUE_FALSE:
            return frozenset({TRUE_INDEX if self.answer else FALSE_INDEX})
        if isinstance(self.answer, list):
            return frozenset(self.answer)
        return frozenset({self.answer})


class Lesson(BaseModel):
    """A lesson in one language: front matter, Markdown body and its quiz."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    lang: str
    title: str = Field(min_length=1)
    order: StrictInt
    minutes: StrictInt = Field(gt=0)
    cases: list[str] = Field(default_factory=list)
    body: str
    questions: list[Question] = Field(min_length=MIN_QUESTIONS, max_length=MAX_QUESTIONS)

    @field_validator("lang")
    @classmethod
    def _known_lang(cls, lang: str) -> str:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
        return lang

    @field_validator("questions")
    @classmethod
    def _unique_question_ids(cls, questions: list[Question]) -> list[Question]:
        ids = [q.id for q in questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate question ids: {duplicates}")
        return questions


class QuestionResult(BaseModel):
    """The outcome of one question: what was chosen, whether it was right, and why."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    chosen: tuple[int, ...] | None
    answer: tuple[int, ...]
    correct: bool
    explanation: str


class GradeResult(BaseModel):
    """A graded quiz; ``results`` follow the lesson's question order."""

    model_config = ConfigDict(frozen=True)

    lesson_id: str
    results: list[QuestionResult]
    score: int
    total: int

    @property
    def share(self) -> float:
        """Fraction of questions answered correctly, in [0, 1]."""
        return self.score / self.total if self.total else 0.0

    @property
    def passed_all(self) -> bool:
        return self.score == self.total


def _lessons_dir(lessons_dir: Path | str | None) -> Path:
    return Path(lessons_dir) if lessons_dir is not None else LESSONS_DIR


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")


def _yaml_block(text: str, start: int, block: str, path: Path | str) -> Any:
    """Parse a YAML block found at offset ``start`` of the file's text. Errors and
    duplicate keys are reported at the file's line: the block is parsed after as many
    empty lines as precede it."""
    return load_yaml("\n" * text.count("\n", 0, start) + block, str(path), LessonFormatError)


def parse_lesson(text: str, lang: str, path: Path | str = "<string>") -> Lesson:
    """Parse the text of one lesson file; ``path`` is used only in error messages."""
    _check_lang(lang)
    text = text.lstrip("\ufeff")

    match = _FRONT_MATTER.match(text)
    if match is None:
        raise LessonFormatError(
            path, "front matter", "the file must start with a '---' line and close it with '---'"
        )
    front = _yaml_block(text, match.start(1), match.group(1), path)
    if not isinstance(front, dict):
        raise LessonFormatError(path, "front matter", "must be a YAML mapping of fields")
    for reserved in ("lang", "body", "questions"):
        if reserved in front:
            raise LessonFormatError(
                path, reserved, "is set by the loader and must not appear in the front matter"
            )

    rest = text[match.end() :]
    opens = _QUIZ_OPEN.findall(rest)
    if not opens:
        raise LessonFormatError(path, "quiz", "no fenced block tagged 'quiz' found")
    if len(opens) > 1:
        raise LessonFormatError(path, "quiz", "more than one quiz block; keep exactly one")
    quiz = _QUIZ_BLOCK.search(rest)
    if quiz is None:
        raise LessonFormatError(
            path, "quiz", "the quiz block must be closed with ``` and be the last thing in the file"
        )
    questions = _yaml_block(text, len(text) - len(rest) + quiz.start(1), quiz.group(1), path)
    if not isinstance(questions, list):
        raise LessonFormatError(path, "quiz", "must be a YAML list of questions")

    body = rest[: quiz.start()].strip() + "\n"
    data = {**front, "lang": lang, "body": body, "questions": questions}
    try:
        return Lesson.model_validate(data)
    except ValidationError as exc:
        raise LessonFormatError(path, explain(exc, Lesson)) from None


def _read(path: Path, lesson_id: str, lang: str) -> Lesson:
    text = read_text(path, error=LessonFormatError)
    lesson = parse_lesson(text, lang, path)
    if lesson.id != lesson_id:
        raise LessonFormatError(
            path, "id", f"is {lesson.id!r} but the file name says {lesson_id!r}"
        )
    return lesson


def load_lesson(lesson_id: str, lang: str, lessons_dir: Path | str | None = None) -> Lesson:
    """Load lessons/<lang>/<lesson_id>.md; FileNotFoundError if there is no such lesson."""
    _check_lang(lang)
    if not re.fullmatch(_ID_PATTERN, lesson_id):
        raise ValueError(f"invalid lesson id {lesson_id!r}")
    path = _lessons_dir(lessons_dir) / lang / f"{lesson_id}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no lesson {lesson_id!r} in {lang}: {path} does not exist")
    return _read(path, lesson_id, lang)


def lesson_problems(scenario, lessons_dir: Path | str | None = None,
                    lang: str = "en") -> list[tuple[str, str]]:
    """(field path, message in `lang`) for each lesson a case links that is not there in
    both languages: the briefing would link a page that does not exist."""
    from sim.inputs import did_you_mean, near_zh

    known = sorted(set(lesson_ids("zh", lessons_dir)) & set(lesson_ids("en", lessons_dir)))
    if lang == "zh":
        return [(f"lessons[{k}]", f"lessons/zh 与 lessons/en 中没有课程 '{lid}'：请用 "
                 f"{', '.join(known)} 之一{near_zh(lid, known)}")
                for k, lid in enumerate(scenario.lessons) if lid not in known]
    return [(f"lessons[{k}]", f"no lesson '{lid}' in lessons/zh and lessons/en; use one of: "
             f"{', '.join(known)}{did_you_mean(lid, known)}")
            for k, lid in enumerate(scenario.lessons) if lid not in known]


def lesson_ids(lang: str, lessons_dir: Path | str | None = None) -> list[str]:
    """Ids of the lesson files present for one language, in file-name order."""
    _check_lang(lang)
    folder = _lessons_dir(lessons_dir) / lang
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.md") if p.is_file())


def list_lessons(lang: str, lessons_dir: Path | str | None = None) -> list[Lesson]:
    """All lessons of one language, sorted by ``order`` (then id)."""
    folder = _lessons_dir(lessons_dir) / lang
    lessons = [_read(folder / f"{i}.md", i, lang) for i in lesson_ids(lang, lessons_dir)]
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))


Answer = int | bool | Iterable[int]
"""What a trainee chose: an option index (single), indices (multi) or a boolean (true/false)."""


def _chosen(question: Question, value: Answer) -> frozenset[int]:
    """A trainee's answer as a set of option indices, checked against the question."""
    if question.type is QuestionType.TRUE_FALSE:
        if not isinstance(value, bool):
            raise ValueError(f"question {question.id!r} is true/false: answer True or False")
        return frozenset({TRUE_INDEX if value else FALSE_INDEX})
    if isinstance(value, bool):
        raise ValueError(f"question {question.id!r} takes option indices, not True/False")
    picked = frozenset({value}) if isinstance(value, int) else frozenset(value)
    if question.type is QuestionType.SINGLE and len(picked) > 1:
        raise ValueError(f"question {question.id!r} takes one option, got {sorted(picked)}")
    bad = sorted(i for i in picked if not 0 <= i < question.option_count)
    if bad:
        raise ValueError(f"question {question.id!r} has no option {bad} (0-based, {question.option_count} options)")
    return picked


def unanswered(questions: Iterable[Question], answers: dict[str, Answer | None]) -> list[int]:
    """The places (from 1, as the form numbers them) of the questions with no answer: none
    given, or an empty multi-select. A quiz or a test is graded only when this is empty,
    so a press of the button on a half-filled form costs nothing."""
    return [n for n, q in enumerate(questions, start=1)
            if answers.get(q.id) is None or answers.get(q.id) in ([], ())]


def grade(lesson: Lesson, answers: dict[str, Answer]) -> GradeResult:
    """Grade answers keyed by question id; an unanswered question counts as wrong.

    Indices refer to the options as written in the lesson file, whatever order the
    trainee saw them in (see ``choice_order``). A multi-select question is right only
    when exactly the correct options are chosen.
    """
    known = {q.id for q in lesson.questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValueError(f"answers for unknown question ids in lesson {lesson.id!r}: {unknown}")
    results = []
    for q in lesson.questions:
        value = answers.get(q.id)
        chosen = None if value is None else _chosen(q, value)
        if chosen is not None and not chosen and q.type is QuestionType.MULTI:
            chosen = None  # an empty multi-select is an unanswered question
        results.append(
            QuestionResult(
                question_id=q.id,
                chosen=None if chosen is None else tuple(sorted(chosen)),
                answer=tuple(sorted(q.correct)),
                correct=chosen == q.correct,
                explanation=q.explanation,
            )
        )
    return GradeResult(
        lesson_id=lesson.id,
        results=results,
        score=sum(r.correct for r in results),
        total=len(results),
    )


def without_questions(lesson: Lesson, held: Iterable[str]) -> Lesson:
    """The lesson with the questions whose ids are ``held`` left out of its quiz (those a
    trainee's pending test asks: ``training.classroom.held_questions``). Its quiz may then
    hold fewer than ``MIN_QUESTIONS``, or none: it is a view of a valid lesson, not a file."""
    held = frozenset(held)
    if not held & {q.id for q in lesson.questions}:
        return lesson
    return lesson.model_copy(update={"questions": [q for q in lesson.questions
                                                   if q.id not in held]})


def choice_order(
    lesson_id: str, question: Question, *, seed: int, trainee: str = "", attempt: int = 0
) -> tuple[int, ...]:
    """The order in which one trainee sees a question's options on one attempt.

    Returns file option indices in display order. The order is a pure function of
    (seed, trainee, attempt, lesson, question), so a saved answer can be replayed
    and checked later; answers are always stored as file indices. True/false
    options are never shuffled.
    """
    count = question.option_count
    if question.type is QuestionType.TRUE_FALSE:
        return tuple(range(count))
    key = f"{seed}|{trainee}|{attempt}|{lesson_id}|{question.id}".encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
    order = list(range(count))
    rng.shuffle(order)
    return tuple(order)


def quiz_orders(
    lesson: Lesson, *, seed: int, trainee: str = "", attempt: int = 0
) -> dict[str, tuple[int, ...]]:
    """``choice_order`` for every question of a lesson, keyed by question id."""
    return {
        q.id: choice_order(lesson.id, q, seed=seed, trainee=trainee, attempt=attempt)
        for q in lesson.questions
    }


def paper_orders(
    parts: Iterable[tuple[Lesson, Iterable[Question]]], *, assignment_id: int, trainee: str,
    phase: str,
) -> dict[tuple[str, str], tuple[int, ...]]:
    """The option order of every question of one trainee's pre- or post-test, keyed by
    (lesson id, question id): ``choice_order`` seeded by the assignment, the trainee and the
    phase. Each trainee sees the options in an order of their own (a key of letters passed
    round the class gives nothing away), the same order on every rerun of the page, and the
    post-test in another order than the pre-test. Answers stay file indices."""
    attempt = {"pre": 0, "post": 1}[phase]
    return {(lesson.id, q.id): choice_order(lesson.id, q, seed=assignment_id, trainee=trainee,
                                            attempt=attempt)
            for lesson, questions in parts for q in questions}


class QuizBalance(BaseModel):
    """How guessable a set of quizzes is by test-taking tricks rather than knowledge.

    ``longest_correct_share``: among option questions, the share where a correct
    option is longer than every wrong one (a tie gives nothing away). ``position_shares``: of all correct options,
    the share at each file position (0 = A). ``true_share``: of true/false questions,
    the share whose answer is "true".
    """

    model_config = ConfigDict(frozen=True)

    questions: int
    type_counts: dict[str, int]
    case_based: int
    longest_correct_share: float
    position_shares: dict[str, float]
    true_share: float | None


def quiz_balance(lessons: Iterable[Lesson]) -> QuizBalance:
    """Balance figures over every question of the given lessons."""
    questions = [q for lesson in lessons for q in lesson.questions]
    option_qs = [q for q in questions if q.type is not QuestionType.TRUE_FALSE]
    longest = 0
    positions: dict[str, int] = {}
    for q in option_qs:
        longest_wrong = max(len(c) for i, c in enumerate(q.choices) if i not in q.correct)
        longest += any(len(q.choices[i]) > longest_wrong for i in q.correct)
        for i in q.correct:
            letter = "ABCDEF"[i]
            positions[letter] = positions.get(letter, 0) + 1
    placed = sum(positions.values())
    tf = [q for q in questions if q.type is QuestionType.TRUE_FALSE]
    return QuizBalance(
        questions=len(questions),
        type_counts={kind.value: sum(q.type is kind for q in questions) for kind in QuestionType},
        case_based=sum(q.case is not None for q in questions),
        longest_correct_share=longest / len(option_qs) if option_qs else 0.0,
        position_shares={k: positions[k] / placed for k in sorted(positions)},
        true_share=sum(q.answer is True for q in tf) / len(tf) if tf else None,
    )


if __name__ == "__main__":  # python -m training.lessons: print the quiz balance per language
    for _lang in LANGS:
        print(_lang, quiz_balance(list_lessons(_lang)).model_dump_json())
