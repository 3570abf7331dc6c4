"""The cohort dashboard's data (班级看板): documented frames built from stored attempts and
quiz answers, and their CSV and Excel export. For the cohort's instructors and admins.

Frames (one row per ...):
- ``completion``: assignment × trainee; ``status`` is not_started | in_progress | finished
  (a lesson is finished as ``classroom.lessons_done`` says: its quiz answered in the
  reader inside the assignment's window, or every question of it answered in a test).
- ``attempts``: attempt of an assigned case; ``attempt_no`` counts a trainee's attempts
  at that assignment from 1; ``index_share`` is the headline index (share of the
  avoidable loss avoided), ``loss_cny`` the attempt's credit loss.
- ``baselines``: assignment × baseline strategy, with its index and loss on the case's seed.
- ``missed``: assignment × loan whose warning trainees missed: how many and which warning.
- ``quiz``: assignment × phase × question: answers, share correct (pre/post tests, and the
  lesson reader's quiz for an assigned lesson), each trainee's first answer only; ``lesson``
  and ``question`` are the lesson's title and the question's text in the current language
  (the ids when the lesson file is gone).
- ``gain``: assignment × trainee with a pre- and/or post-test: shares correct and the gain.

Derived tables: ``best_scores`` (assignment × trainee with a finished attempt that has an
index: the best index, and the attempts started and finished there) and ``cohort_gain``.

The exports: the Excel workbook has every table (``SHEETS``: these frames and the class's
mean gain) as a sheet; a CSV has one table, the attempts unless another is named.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, fields

import pandas as pd
from sqlalchemy import select

from training.accounts import User
from training.attempts import STATUS_FINISHED
from training.authz import Action, require
from training.classroom import (
    DB,
    Assignment,
    assignment_of,
    assignments_query,
    cohort_members,
    lesson_answers_query,
    lessons_done,
)
from training.db import aware, session_scope
from training.models import AssignmentKind, AttemptRow, CohortRole, QuizAnswerRow

STATUS_NOT_STARTED = "not_started"
STATUS_IN_PROGRESS = "in_progress"
STATUS_DONE = "finished"
YOU = "you"


@dataclass
class CohortResults:
    completion: pd.DataFrame
    attempts: pd.DataFrame
    baselines: pd.DataFrame
    missed: pd.DataFrame
    quiz: pd.DataFrame
    gain: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


ATTEMPT_COLUMNS = ["assignment_id", "subject", "user_id", "trainee", "attempt_id", "attempt_no",
                   "status", "month", "horizon", "index_share", "loss_cny", "started_at",
                   "finished_at"]


def cohort_results(db: DB, user: User | None, cohort_id: int) -> CohortResults:
    """Every frame of one cohort's dashboard (Forbidden unless the user runs the cohort)."""
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    trainees = [m for m in cohort_members(db, cohort_id) if m.cohort_role is CohortRole.TRAINEE]
    names = {m.user_id: m.label for m in trainees}
    with session_scope(db) as s:
        assignments = [assignment_of(a, v) for a, v in s.execute(assignments_query([cohort_id]))]
        ids = [a.id for a in assignments]
        attempt_records = _attempt_records(s, ids, names)
        answers = [_answer(a, a.assignment_id) for a in s.scalars(select(QuizAnswerRow).where(
            QuizAnswerRow.assignment_id.in_(ids)))] if ids else []
        # a lesson assignment counts the reader's quiz answers given inside its window
        done: dict[int, set[int]] = {}
        for a in assignments:
            if a.kind is AssignmentKind.LESSON and names:
                answers += [_answer(r, a.id)
                            for r in s.scalars(lesson_answers_query(a, list(names)))]
                done[a.id] = lessons_done(s, a, list(names))
    by_id = {a.id: a for a in assignments}
    attempts = _attempts(attempt_records, by_id, names)
    return CohortResults(
        completion=_completion(assignments, trainees, attempts, done),
        attempts=attempts,
        baselines=_baselines(attempt_records, by_id),
        missed=_missed(attempt_records, by_id),
        quiz=_quiz(answers, by_id, names),
        gain=_gain(answers, by_id, names),
    )


def withdrawn_attempts(db: DB, user: User | None, cohort_id: int) -> pd.DataFrame:
    """The attempts made under the cohort's withdrawn assignments (the columns of
    ``ATTEMPT_COLUMNS``, ``attempt_no`` counted within their assignment, and
    ``withdrawn_at``): they count in no figure of the dashboard, and open read-only for
    review. Forbidden unless the user runs the cohort."""
    require(user, Action.MANAGE_COHORT, cohort_id, db)
    names = {m.user_id: m.label for m in cohort_members(db, cohort_id)
             if m.cohort_role is CohortRole.TRAINEE}
    with session_scope(db) as s:
        gone = [assignment_of(a, v) for a, v in
                s.execute(assignments_query([cohort_id], withdrawn=True))]
        records = _attempt_records(s, [a.id for a in gone], names)
    by_id = {a.id: a for a in gone}
    frame = _attempts(records, by_id, names)
    frame["withdrawn_at"] = [by_id[i].withdrawn_at for i in frame["assignment_id"]]
    return frame


def _attempt_records(s, assignment_ids: list[int], names: dict[int, str]) -> list[dict]:
    """The attempts of the trainees in ``names`` under these assignments, oldest first."""
    if not assignment_ids:
        return []
    rows = s.scalars(select(AttemptRow).where(AttemptRow.assignment_id.in_(assignment_ids))
                     .order_by(AttemptRow.created))
    return [_attempt_record(r) for r in rows if r.user_id in names]


@dataclass(frozen=True)
class _Answer:
    assignment_id: int
    user_id: int
    phase: str
    lesson_id: str
    question_id: str
    correct: bool
    answered_at: object


def _answer(row: QuizAnswerRow, assignment_id: int) -> _Answer:
    return _Answer(assignment_id, row.user_id, row.phase, row.lesson_id, row.question_id,
                   bool(row.correct), aware(row.answered_at))


def _attempt_record(r: AttemptRow) -> dict:
    return {"assignment_id": r.assignment_id, "user_id": r.user_id, "attempt_id": r.id,
            "status": r.status, "month": r.month, "horizon": r.horizon,
            "index_share": r.index_share, "result": r.result or {},
            "started_at": aware(r.created), "finished_at": aware(r.finished_at)}


def _you_loss(result: dict) -> float | None:
    for row in result.get("table", []):
        if row.get("strategy") == YOU:
            return row.get("loss_cny")
    return None


def _attempts(records: list[dict], by_id: dict[int, Assignment], names: dict[int, str]
              ) -> pd.DataFrame:
    out, counter = [], {}
    for r in records:
        key = (r["assignment_id"], r["user_id"])
        counter[key] = counter.get(key, 0) + 1
        out.append({**{k: r[k] for k in ("assignment_id", "user_id", "attempt_id", "status",
                                         "month", "horizon", "index_share", "started_at",
                                         "finished_at")},
                    "subject": by_id[r["assignment_id"]].subject, "trainee": names[r["user_id"]],
                    "attempt_no": counter[key], "loss_cny": _you_loss(r["result"])})
    return pd.DataFrame(out, columns=ATTEMPT_COLUMNS)


def _completion(assignments: list[Assignment], trainees: list, attempts: pd.DataFrame,
                lessons_done: dict[int, set[int]]) -> pd.DataFrame:
    """A case is finished with a finished attempt; a lesson, as My work says it is done
    (``lessons_done``: assignment id -> the trainees who finished it)."""
    out = []
    for a in assignments:
        mine = attempts[attempts["assignment_id"] == a.id]
        read = lessons_done.get(a.id, set())
        for m in trainees:
            theirs = mine[mine["user_id"] == m.user_id]
            if a.kind is AssignmentKind.LESSON:
                status = STATUS_DONE if m.user_id in read else STATUS_NOT_STARTED
            elif (theirs["status"] == STATUS_FINISHED).any():
                status = STATUS_DONE
            elif len(theirs):
                status = STATUS_IN_PROGRESS
            else:
                status = STATUS_NOT_STARTED
            out.append({"assignment_id": a.id, "subject": a.subject, "user_id": m.user_id,
                        "trainee": m.label, "status": status})
    return pd.DataFrame(out, columns=["assignment_id", "subject", "user_id", "trainee",
                                      "status"])


def _baselines(records: list[dict], by_id: dict[int, Assignment]) -> pd.DataFrame:
    out, done = [], set()
    for r in records:
        aid = r["assignment_id"]
        if aid in done or not r["result"].get("table"):
            continue
        done.add(aid)
        for row in r["result"]["table"]:
            if row.get("strategy") == YOU:
                continue
            out.append({"assignment_id": aid, "subject": by_id[aid].subject,
                        "strategy": row.get("strategy"), "index_share": row.get("index"),
                        "loss_cny": row.get("loss_cny")})
    return pd.DataFrame(out, columns=["assignment_id", "subject", "strategy", "index_share",
                                      "loss_cny"])


def _missed(records: list[dict], by_id: dict[int, Assignment]) -> pd.DataFrame:
    """Loans whose warning went unheeded, counted once per trainee (their latest finished try)."""
    latest: dict[tuple[int, int], dict] = {}
    for r in records:
        if r["status"] == STATUS_FINISHED and r["result"]:
            latest[(r["assignment_id"], r["user_id"])] = r
    counts: dict[tuple, dict] = {}
    finishers: dict[int, int] = {}
    for (aid, _uid), r in latest.items():
        finishers[aid] = finishers.get(aid, 0) + 1
        for m in r["result"].get("missed", []):
            key = (aid, m.get("loan_id"))
            entry = counts.setdefault(key, {
                "assignment_id": aid, "subject": by_id[aid].subject, "loan_id": m.get("loan_id"),
                "label": m.get("label"), "company": m.get("company"),
                "company_en": m.get("company_en"), "signal": m.get("signal"),
                "warning_zh": m.get("zh"), "warning_en": m.get("en"), "via": m.get("via"),
                "visible_month": m.get("visible_month"), "trainees_missed": 0})
            entry["trainees_missed"] += 1
    out = [{**e, "share_missed": e["trainees_missed"] / finishers[e["assignment_id"]]}
           for e in counts.values()]
    frame = pd.DataFrame(out, columns=[
        "assignment_id", "subject", "loan_id", "label", "company", "company_en", "signal",
        "warning_zh", "warning_en", "via", "visible_month", "trainees_missed", "share_missed"])
    return frame.sort_values(["trainees_missed", "assignment_id"], ascending=[False, True],
                             ignore_index=True)


def _quiz(answers: list[_Answer], by_id: dict[int, Assignment], names: dict[int, str]
          ) -> pd.DataFrame:
    # each trainee's first answer to a question counts: a lesson's quiz can be taken
    # again after its answers are shown, and the second try measures only the reading
    first: dict[tuple, _Answer] = {}
    for a in sorted(answers, key=lambda a: a.answered_at):
        if a.user_id in names:
            first.setdefault((a.assignment_id, a.user_id, a.phase, a.lesson_id,
                              a.question_id), a)
    rows = [{"assignment_id": a.assignment_id, "phase": a.phase, "lesson_id": a.lesson_id,
             "question_id": a.question_id, "correct": bool(a.correct)}
            for a in first.values()]
    cols = ["assignment_id", "subject", "phase", "lesson_id", "question_id", "lesson",
            "question", "answers", "share_correct"]
    if not rows:
        return pd.DataFrame(columns=cols)
    frame = (pd.DataFrame(rows)
             .groupby(["assignment_id", "phase", "lesson_id", "question_id"], as_index=False)
             .agg(answers=("correct", "size"), share_correct=("correct", "mean")))
    frame["subject"] = frame["assignment_id"].map(lambda i: by_id[i].subject)
    words = _question_words(sorted(set(frame["lesson_id"])))
    frame["lesson"] = [words.get(lid, (lid, {}))[0] for lid in frame["lesson_id"]]
    frame["question"] = [words.get(lid, (lid, {}))[1].get(qid, qid)
                         for lid, qid in zip(frame["lesson_id"], frame["question_id"], strict=True)]
    return frame[cols].sort_values("share_correct", ignore_index=True)


def _question_words(lesson_ids: list[str]) -> dict[str, tuple[str, dict[str, str]]]:
    """lesson id -> (its title, {question id: the question}) in the current language, for
    the instructor who reads which question the class got wrong (the ids said nothing)."""
    from training.i18n import get_lang
    from training.lessons import load_lesson

    out = {}
    for lesson_id in lesson_ids:
        try:
            lesson = load_lesson(lesson_id, get_lang())
        except (OSError, ValueError):  # a lesson removed since: its ids stand in
            continue
        out[lesson_id] = (lesson.title, {q.id: q.question for q in lesson.questions})
    return out


def _gain(answers: list[_Answer], by_id: dict[int, Assignment], names: dict[int, str]
          ) -> pd.DataFrame:
    """Share correct before and after, per trainee; the latest answer to each question counts."""
    cols = ["assignment_id", "subject", "user_id", "trainee", "pre_share", "post_share", "gain"]
    latest: dict[tuple, QuizAnswerRow] = {}
    for a in sorted(answers, key=lambda a: a.answered_at):
        if a.user_id in names and a.phase in ("pre", "post"):
            latest[(a.assignment_id, a.user_id, a.phase, a.lesson_id, a.question_id)] = a
    shares: dict[tuple, dict] = {}
    for (aid, uid, phase, _lid, _qid), a in latest.items():
        shares.setdefault((aid, uid), {}).setdefault(phase, []).append(bool(a.correct))
    out = []
    for (aid, uid), by_phase in sorted(shares.items()):
        assignment = by_id[aid]
        pre = _share(by_phase.get("pre"), len(assignment.pre_test))
        post = _share(by_phase.get("post"), len(assignment.post_test))
        out.append({"assignment_id": aid, "subject": assignment.subject, "user_id": uid,
                    "trainee": names[uid], "pre_share": pre, "post_share": post,
                    "gain": None if pre is None or post is None else post - pre})
    return pd.DataFrame(out, columns=cols)


def _share(correct: list[bool] | None, asked: int) -> float | None:
    """Share right of the questions the test asked (unanswered ones count as wrong)."""
    if not correct:
        return None
    return sum(correct) / max(asked, len(correct))


def cohort_gain(gain: pd.DataFrame) -> pd.DataFrame:
    """The cohort's mean pre, post and gain per assignment (trainees with both tests)."""
    both = gain.dropna(subset=["pre_share", "post_share"])
    if both.empty:
        return pd.DataFrame(columns=["assignment_id", "subject", "trainees", "pre_share",
                                     "post_share", "gain"])
    return (both.groupby(["assignment_id", "subject"], as_index=False)
            .agg(trainees=("user_id", "nunique"), pre_share=("pre_share", "mean"),
                 post_share=("post_share", "mean"), gain=("gain", "mean")))


# --- export ----------------------------------------------------------------------------
def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Times as naive UTC (Excel keeps no time zone), everything else as is."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
        elif out[col].dtype == object and len(out[col]) and hasattr(
                out[col].dropna().iloc[0] if out[col].notna().any() else None, "tzinfo"):
            out[col] = pd.to_datetime(out[col], utc=True).dt.tz_localize(None)
    return out


BEST_COLUMNS = ["assignment_id", "subject", "user_id", "trainee", "first", "best",
                "attempts_started", "attempts_finished"]


def best_scores(attempts: pd.DataFrame) -> pd.DataFrame:
    """Each trainee's index at each assigned case on their first finished attempt (the one
    the class ranking counts) and their best (among their finished attempts that have
    one), with the attempts they started there and how many of those they finished:
    "2 (1 finished)" says a second try is under way, where the highest attempt number
    alone read as two attempts done. One row per trainee with such an attempt."""
    if attempts.empty:
        return pd.DataFrame(columns=BEST_COLUMNS)
    key = ["assignment_id", "subject", "user_id", "trainee"]
    finished = attempts["status"] == STATUS_FINISHED
    counts = attempts.assign(finished=finished).groupby(key, as_index=False).agg(
        attempts_started=("attempt_id", "size"), attempts_finished=("finished", "sum"))
    # the first finished attempt, as the class ranking counts it (classroom.ranking: a
    # retry replays the same future with hindsight), beside the best of them
    first = attempts[finished].sort_values(["finished_at", "attempt_no"]).drop_duplicates(key)[
        [*key, "index_share"]].rename(columns={"index_share": "first"})
    done = attempts[finished].dropna(subset=["index_share"])
    best = done.groupby(key, as_index=False).agg(best=("index_share", "max"))
    out = best.merge(first, on=key, how="left").merge(counts, on=key, how="left")
    return out.astype({"attempts_started": int, "attempts_finished": int})[BEST_COLUMNS]


def table(results: CohortResults, name: str) -> pd.DataFrame:
    """One of the exports' tables (``SHEETS``): a dashboard frame, each trainee's best
    index, or the class's mean gain. An unknown name is refused with the names there are."""
    if name == "cohort_gain":
        return cohort_gain(results.gain)
    if name == "best":
        return best_scores(results.attempts)
    frames = results.frames()
    if name not in frames:
        raise ValueError(f"no table {name!r}; use one of: {', '.join(SHEETS)}")
    return frames[name]


def results_csv(results: CohortResults, name: str = "attempts") -> bytes:
    """One table (by default the per-attempt results) as CSV for scripts: the frame's
    column ids (``ATTEMPT_COLUMNS`` for the attempts) and the stored statuses and phases,
    whatever the page's language (UTF-8 with a BOM, so Excel reads Chinese names)."""
    return _plain(table(results, name)).to_csv(index=False).encode("utf-8-sig")


HEADINGS = "dash.csv.{}"
"""The catalogue key of a column's heading in the readable exports (CSV and Excel)."""
ATTEMPT_HEADINGS = {col: HEADINGS.format(col) for col in ATTEMPT_COLUMNS}
STATUS_WORDS = {"active": "dash.status_in_progress", STATUS_FINISHED: "dash.status_finished",
                STATUS_IN_PROGRESS: "dash.status_in_progress",
                STATUS_NOT_STARTED: "dash.status_not_started"}
SHARE_COLUMNS = ("index_share", "first", "best", "share_missed", "share_correct", "pre_share", "post_share",
                 "gain")
"""Shares in [0, 1] (a gain is a difference of two), shown in percent in the readable exports."""
SHEETS = ("completion", "attempts", "best", "baselines", "missed", "quiz", "gain",
          "cohort_gain")
"""The workbook's sheets in order; each is named by ``dash.sheet.<id>`` in the page's language."""
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
"""Excel refuses a sheet name longer than 31 characters or with one of these."""


def readable(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A dashboard frame for a person: headings, statuses, test phases, strategies and
    sources in ``lang``; shares in percent; money to the fen; times in UTC to the minute
    (the headings say so); a missed loan by its label, its borrower and warning in
    ``lang`` only."""
    from training.i18n import t, term

    out = _plain(frame)
    if "company_en" in out.columns:  # as the page shows them: one language
        out["company"] = out["company" if lang == "zh" else "company_en"]
        out.insert(out.columns.get_loc("signal") + 1, "warning", out[f"warning_{lang}"])
        # the loan by its label (L0001), not its position in the book (0), which read as
        # another number for the same loan
        out = out.drop(columns=["loan_id", "company_en", "warning_zh", "warning_en"])
    words = {"status": lambda v: t(STATUS_WORDS[v], lang) if v in STATUS_WORDS else v,
             "phase": lambda v: t(f"dash.phase_{v}", lang),
             "strategy": lambda v: t(f"strategy.{v}", lang),
             "via": lambda v: term("source", v, lang)}
    for col, word in words.items():
        if col in out.columns:
            out[col] = [v if pd.isna(v) else word(v) for v in out[col]]
    for col in SHARE_COLUMNS:
        if col in out.columns:
            out[col] = [None if pd.isna(v) else round(100 * float(v), 1) for v in out[col]]
    if "loss_cny" in out.columns:
        out["loss_cny"] = [None if pd.isna(v) else round(float(v), 2) for v in out["loss_cny"]]
    for col in ("started_at", "finished_at"):  # to the minute, as the page shows times
        if col in out.columns:
            out[col] = pd.to_datetime(out[col]).dt.strftime("%Y-%m-%d %H:%M")
    return out.rename(columns={c: t(HEADINGS.format(c), lang) for c in out.columns})


def results_csv_readable(results: CohortResults, lang: str, name: str = "attempts") -> bytes:
    """One table (by default the per-attempt results) for a person opening it in Excel:
    the same headings and values as its sheet of the workbook (``readable``: headings,
    statuses and phases in ``lang``, shares in percent, times in UTC); UTF-8 with a BOM,
    so Excel shows Chinese. ``results_csv`` keeps the column ids scripts read."""
    return readable(table(results, name), lang).to_csv(index=False).encode("utf-8-sig")


def sheet_name(text: str, taken: set[str] = frozenset()) -> str:
    """``text`` as a name Excel accepts: none of ``[]:*?/\\``, no apostrophe at either
    end, at most 31 characters, not blank, and not one of ``taken`` (any case)."""
    name = "".join(" " if c in SHEET_NAME_FORBIDDEN else c for c in text)
    name = " ".join(name.split()).strip("'").strip() or "Sheet"
    name = name[:SHEET_NAME_MAX].rstrip("' ")
    base, n = name, 1
    while name.casefold() in {x.casefold() for x in taken}:
        n += 1
        suffix = f" ({n})"
        name = base[:SHEET_NAME_MAX - len(suffix)].rstrip("' ") + suffix
    return name


def results_excel(results: CohortResults, lang: str) -> bytes:
    """Every frame of the dashboard, and the class's mean gain, as one sheet each of an
    .xlsx workbook (openpyxl), named and headed in ``lang`` and read as ``readable`` says.
    ``results_csv`` is the export that keeps the column ids for scripts."""
    from openpyxl.utils import get_column_letter

    from training.i18n import t

    buf, taken = io.BytesIO(), set()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for sheet in SHEETS:
            name = sheet_name(t(f"dash.sheet.{sheet}", lang), taken)
            taken.add(name)
            frame = readable(table(results, sheet), lang)
            frame.to_excel(xl, sheet_name=name, index=False)
            for i, col in enumerate(frame.columns, start=1):  # wide enough for the heading
                width = sum(2 if ord(c) > 0x2E7F else 1 for c in str(col))
                xl.sheets[name].column_dimensions[get_column_letter(i)].width = \
                    min(max(10, width + 2), 60)
    return buf.getvalue()
