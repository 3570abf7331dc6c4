"""Lessons: load the Markdown lessons in lessons/<lang>/<id>.md and grade their quizzes.

A lesson file is YAML front matter (id, title, order, minutes, cases), a Markdown
body, and, as the last thing in the file, a fenced block tagged ``quiz`` holding a
YAML list of questions. Every malformed file raises ``LessonFormatError`` naming
the file and the field, so an instructor can fix it without reading a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
)

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
LANGS = ("zh", "en")

MIN_QUESTIONS = 3
MAX_QUESTIONS = 5
MIN_CHOICES = 2
MAX_CHOICES = 6

_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.DOTALL | re.MULTILINE)
_QUIZ_OPEN = re.compile(r"^```quiz[ \t]*$", re.MULTILINE)
_QUIZ_BLOCK = re.compile(r"^```quiz[ \t]*\r?\n(.*?)^```[ \t]*\s*\Z", re.DOTALL | re.MULTILINE)


class LessonFormatError(ValueError):
    """A lesson file that cannot be read: says which file and which field."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        self.path = Path(path)
        self.field = field
        self.message = message
        super().__init__(f"{self.path}: field '{field}': {message}")


class Question(BaseModel):
    """One multiple-choice self-check question; ``answer`` is a 0-based index."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    question: str = Field(min_length=1)
    choices: list[str] = Field(min_length=MIN_CHOICES, max_length=MAX_CHOICES)
    answer: StrictInt = Field(ge=0)
    explanation: str = Field(min_length=1)

    @field_validator("choices")
    @classmethod
    def _choices_not_blank(cls, choices: list[str]) -> list[str]:
        if any(not c.strip() for c in choices):
            raise ValueError("choices must not be blank")
        if len(set(choices)) != len(choices):
            raise ValueError("choices must be distinct")
        return choices

    @field_validator("answer")
    @classmethod
    def _answer_in_range(cls, answer: int, info: ValidationInfo) -> int:
        choices = info.data.get("choices")
        if choices is not None and answer >= len(choices):
            raise ValueError(
                f"answer {answer} is out of range for {len(choices)} choices (0-based index)"
            )
        return answer


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
    chosen: int | None
    answer: int
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


def _field_name(loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location such as ('questions', 1, 'answer') into 'questions[1].answer'."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "(lesson)"


def parse_lesson(text: str, lang: str, path: Path | str = "<string>") -> Lesson:
    """Parse the text of one lesson file; ``path`` is used only in error messages."""
    _check_lang(lang)
    text = text.lstrip("\ufeff")

    match = _FRONT_MATTER.match(text)
    if match is None:
        raise LessonFormatError(
            path, "front matter", "the file must start with a '---' line and close it with '---'"
        )
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise LessonFormatError(path, "front matter", f"invalid YAML: {exc}") from exc
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
    try:
        questions = yaml.safe_load(quiz.group(1))
    except yaml.YAMLError as exc:
        raise LessonFormatError(path, "quiz", f"invalid YAML: {exc}") from exc
    if not isinstance(questions, list):
        raise LessonFormatError(path, "quiz", "must be a YAML list of questions")

    body = rest[: quiz.start()].strip() + "\n"
    data = {**front, "lang": lang, "body": body, "questions": questions}
    try:
        return Lesson.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise LessonFormatError(path, _field_name(first["loc"]), first["msg"]) from exc


def _read(path: Path, lesson_id: str, lang: str) -> Lesson:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LessonFormatError(path, "(file)", f"not valid UTF-8: {exc}") from exc
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


def grade(lesson: Lesson, answers: dict[str, int]) -> GradeResult:
    """Grade answers keyed by question id; an unanswered question counts as wrong."""
    known = {q.id for q in lesson.questions}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValueError(f"answers for unknown question ids in lesson {lesson.id!r}: {unknown}")
    results = []
    for q in lesson.questions:
        chosen = answers.get(q.id)
        results.append(
            QuestionResult(
                question_id=q.id,
                chosen=chosen,
                answer=q.answer,
                correct=chosen == q.answer,
                explanation=q.explanation,
            )
        )
    return GradeResult(
        lesson_id=lesson.id,
        results=results,
        score=sum(r.correct for r in results),
        total=len(results),
    )
