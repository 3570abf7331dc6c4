"""The strategy lab's form as its manager left it: kept per user, given back after a reload.

A reload, a closed tab or a dropped connection starts a new Streamlit session, whose
widgets start from their defaults: ten minutes spent on a rule table were lost. The page
keeps what the form holds after every change (``save``, one row per user, as the author's
case text is kept as a draft: training.publishing.save_draft), and a new session puts it
back (``load``, then ``restore``). The files the manager uploaded and chose (a case, rule
tables) are kept with it (``LabForm.uploads``), so the page offers them again. What no
longer fits is left at its default and named, never raised, so the page still opens: a
case or a rule-table file no longer offered, an uploaded file that could not be kept or no
longer checks out, a rule that no longer makes a valid table, a figure outside what its
box takes.

No Streamlit here: the form is read from and written to the page's widget keys as a plain
mapping (``from_state``, ``Restored.values``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sim.codes import CLASS_KEYS
from sim.scenario import Scenario
from training import lab
from training.accounts import User
from training.authz import Action, require
from training.db import Database, keep_for_user, load_for_user, session_scope
from training.i18n import t
from training.lab_jobs import Where
from training.models import LabFormRow

# The options of the page's pickers that are not a plain name (a shipped case's id, a
# built-in strategy, a shipped rule table's name).
EDITED = "__edited__"  # the rule table edited in the form
UPLOADED = "__uploaded__:"  # an uploaded table's option: this, then its file name
PUBLISHED = "__published__:"  # a published case's option: this, then the version's id
CASE_FILE = "__case_file__:"  # an uploaded case's option: this, then its file name

BEYOND = ("rush", "slip")

# What each box of the form takes (the page draws its widgets with these bounds).
MIN_REPS, DEFAULT_REPS = 2, 30
MAX_SEED = 2**31 - 1
MAX_INTERVAL_MONTHS = 24
MAX_FIRST_CHECK_DAYS = 365
MAX_OFFICER_COST_CNY = 1e7
DEFAULT_TABLE_NAME = "my-rules"
MAX_CELL = 10**9  # a rule's figure beyond this is not a figure the editor gave
MAX_FORM_CHARS = 512 * 1024
"""A form larger than a case draft may be is not kept (publishing.MAX_DRAFT_CHARS); the
uploaded files kept with it are counted apart."""
MAX_UPLOADS_CHARS = 2 * 1024 * 1024
"""The uploaded files kept with a form, all together: those past it (in the order chosen,
the case first) are not kept, and the page asks for them again."""

# The page's widget keys.
CASE, STRATEGIES, NAME, FIRST_DAYS, RESERVE, BEYOND_KEY = (
    "lab_case", "lab_strategies_pick", "lab_rule_name", "lab_first_days", "lab_reserve",
    "lab_beyond")
CASE_UPLOAD = "lab_upload_case"
"""The case file uploader. Not "lab_case_...": the language switch sets again every
picker whose key starts with "lab_case" (app_pages.common.RELABELLED), and an uploader's
value cannot be set, so a switch after an upload stopped the page with an error."""
REPS, SEED, SWEEP, STAFF, SWEEP_STRATEGY, OFFICER_COST, WHERE, ADDRESS = (
    "lab_reps", "lab_seed", "lab_sweep", "lab_staff", "lab_sweep_strategy",
    "lab_officer_cost", "lab_where", "lab_address")
CASE_SEEN = "lab_case_seen"  # the case whose seed and staffing the form holds


def interval_key(cls: str) -> str:
    return f"lab_iv_{cls}"


@dataclass(frozen=True)
class TableForm:
    """The rule table as the editor holds it: the policy's fields and the rule rows
    (lab.form_rows), and whether they made a valid table when kept."""

    name: str
    intervals: dict[str, int]
    first_check_days: int
    reserve_share: float
    checks_beyond_reserve: str
    rows: list[dict]
    valid: bool = True

    @classmethod
    def of(cls, table, name: str = DEFAULT_TABLE_NAME) -> TableForm:
        """A rule table as the editor starts from it (the page starts from tuned.yaml)."""
        return cls(name=name,
                   intervals={k: int(getattr(table.monitoring.interval_months, k))
                              for k in CLASS_KEYS},
                   first_check_days=int(table.monitoring.first_check_days),
                   reserve_share=float(table.reserve_share),
                   checks_beyond_reserve=table.checks_beyond_reserve,
                   rows=lab.form_rows(table))

    def check(self, rows: list[dict] | None = None):
        """The rule table these fields make (LabInputError if none)."""
        return lab.rule_table_from_form(self.name, self.intervals, self.first_check_days,
                                        self.reserve_share,
                                        self.rows if rows is None else rows,
                                        self.checks_beyond_reserve)


@dataclass(frozen=True)
class LabForm:
    """Everything the manager set on the lab's form (``None``: the case's own default)."""

    case: str
    strategies: list[str]
    table: TableForm
    case_title: dict[str, str] = field(default_factory=dict)  # for a message if it is gone
    reps: int = DEFAULT_REPS
    seed: int | None = None
    sweep: bool = False
    staff: tuple[int, int] | None = None
    sweep_strategy: str | None = None
    officer_cost_cny_per_month: float | None = None
    where: str = Where.LOCAL.value
    address: str = ""
    uploads: dict[str, str] = field(default_factory=dict)
    """The text of each uploaded file the form chose, by its option (CASE_FILE or UPLOADED
    and the file's name)."""

    def to_json(self) -> dict:
        out = asdict(self)
        out["staff"] = None if self.staff is None else list(self.staff)
        out["table"]["rows"] = [{k: _plain(v) for k, v in r.items()} for r in self.table.rows]
        return out


def _plain(value: Any) -> Any:
    """A cell of the editor as JSON: numpy numbers as numbers, an empty cell as None."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return None
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "b":
        return bool(value)
    return int(number) if float(number).is_integer() else number


def from_state(state: Mapping[str, Any], case: Scenario, rows: Sequence[dict],
               valid: bool, uploads: Mapping[str, str] | None = None) -> LabForm:
    """The form from the page's widget values; ``rows``: the rule editor's rows as shown,
    ``valid``: whether they made a table; ``uploads``: the text of the uploaded files
    among the choices, by option. A box not drawn (the sweep's, with the sweep off) is left
    to its default."""
    table = TableForm(
        name=str(state.get(NAME, DEFAULT_TABLE_NAME)),
        intervals={k: int(state.get(interval_key(k), 0)) for k in CLASS_KEYS},
        first_check_days=int(state.get(FIRST_DAYS, 0)),
        reserve_share=float(state.get(RESERVE, 0.0)),
        checks_beyond_reserve=str(state.get(BEYOND_KEY, BEYOND[0])),
        rows=[dict(r) for r in rows], valid=valid)
    staff = state.get(STAFF)
    cost = state.get(OFFICER_COST)
    seed = state.get(SEED)
    return LabForm(
        case=str(state.get(CASE, "")), strategies=[str(x) for x in state.get(STRATEGIES, [])],
        table=table, case_title=dict(case.title.model_dump(mode="json")),
        reps=int(state.get(REPS, DEFAULT_REPS)), seed=None if seed is None else int(seed),
        sweep=bool(state.get(SWEEP, False)),
        staff=None if staff is None else (int(staff[0]), int(staff[1])),
        sweep_strategy=state.get(SWEEP_STRATEGY) or None,
        officer_cost_cny_per_month=None if cost is None else float(cost),
        where=str(Where(state.get(WHERE, Where.LOCAL)).value),
        address=str(state.get(ADDRESS) or ""), uploads=dict(uploads or {}))


def is_upload(option: object) -> bool:
    """Whether a case's or a strategy's option is a file the manager uploaded."""
    return isinstance(option, str) and option.startswith((CASE_FILE, UPLOADED))


def uploads_of(kept: Any) -> dict[str, str]:
    """The uploaded files kept with a form as ``load`` gives it (by option, their text);
    nothing from a form kept before files were, or from anything unreadable."""
    got = kept.get("uploads") if isinstance(kept, dict) else None
    if not isinstance(got, dict):
        return {}
    return {k: v for k, v in got.items() if is_upload(k) and isinstance(v, str)}


# --- keeping it ------------------------------------------------------------------------
def save(db: Database | None, user: User | None, form: LabForm) -> bool:
    """Keep ``form`` as the user's lab form (one per user, replaced each time); whether it
    was kept (not without a user, nor past the size limit)."""
    if user is None:
        return False
    data = form.to_json()
    uploads, data["uploads"] = data.pop("uploads"), {}
    if len(json.dumps(data)) > MAX_FORM_CHARS:
        return False
    room = MAX_UPLOADS_CHARS
    for option, text in uploads.items():  # the case first, then the tables as chosen
        if len(text) <= room:
            data["uploads"][option] = text
            room -= len(text)
    require(user, Action.STRATEGY_LAB, db=db)
    with session_scope(db) as s:
        keep_for_user(s, LabFormRow, user.id, form=data)
    return True


def load(db: Database | None, user: User | None) -> tuple[dict, datetime] | None:
    """The user's kept form as stored, and when it was last changed; None if none."""
    if user is None:
        return None
    require(user, Action.STRATEGY_LAB, db=db)
    with session_scope(db) as s:
        return load_for_user(s, LabFormRow, user.id, "form")


# --- giving it back --------------------------------------------------------------------
@dataclass(frozen=True)
class RestoreProblem:
    """Something of the kept form that could not be given back, as the page says it:
    ``key`` in lab.form.*, with its values; ``fields``: catalogue keys of the boxes."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    fields: tuple[str, ...] = ()

    def text(self, lang: str | None = None) -> str:
        sep = t("lab.form.list_sep", lang)
        params = {k: sep.join(str(x) for x in v) if isinstance(v, list) else v
                  for k, v in self.params.items()}
        if self.fields:
            params["fields"] = sep.join(t(f, lang) for f in self.fields)
        if "detail_err" in params:  # a rule table's check, in the reader's terms
            params["detail"] = lab.form_problems(params.pop("detail_err"), lang)
        if isinstance(params.get("title"), dict):  # a case's title in both languages
            params["title"] = params["title"].get(lang) or params.get("case", "")
        return t(f"lab.form.{self.key}", lang, **params)


@dataclass(frozen=True)
class Restored:
    """What goes back on the form: widget values by key, the rule editor's rows (None:
    the default table) and what could not be given back."""

    values: dict[str, Any]
    rows: list[dict] | None
    problems: list[RestoreProblem]

    def _with(self, problem: RestoreProblem) -> Restored:
        return Restored(self.values, self.rows, [*self.problems, problem])


def _int(value: Any, lo: int, hi: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or not float(value).is_integer() or not lo <= value <= hi:
        return None
    return int(value)


def _float(value: Any, lo: float, hi: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and lo <= value <= hi else None


def _row(raw: Any) -> dict | None:
    """An editor row as kept, or None if a cell no longer reads as its column (a cell
    set blank would widen the rule, so the row goes whole)."""
    from sim.defaults import INTERVENTIONS

    if not isinstance(raw, dict) or set(raw) - {*lab.RULE_CONDITIONS, "actions"}:
        return None
    row: dict[str, Any] = {}
    for k in lab.RULE_CONDITIONS:
        v = raw.get(k)
        if v is None:
            row[k] = None
        elif k in lab.FLAG_CONDITIONS:
            if not isinstance(v, bool):
                return None
            row[k] = v
        else:  # the range is the table's check, below
            row[k] = _int(v, -MAX_CELL, MAX_CELL)
            if row[k] is None:
                return None
    actions = raw.get("actions") or []
    if not isinstance(actions, list) or not all(isinstance(a, str) and a in INTERVENTIONS
                                                for a in actions):
        return None
    row["actions"] = list(actions)
    return row


def _table(data: Any, default: TableForm) -> tuple[TableForm | None, list[RestoreProblem]]:
    """The kept rule table, as much of it as still makes sense; None: the default."""
    if not isinstance(data, dict):
        return None, [RestoreProblem("table_unreadable")]
    bad: list[str] = []
    intervals = {}
    for k in CLASS_KEYS:
        v = _int((data.get("intervals") or {}).get(k) if isinstance(data.get("intervals"), dict)
                 else None, 0, MAX_INTERVAL_MONTHS)
        if v is None:
            bad.append(f"cls.{k}")
        intervals[k] = default.intervals[k] if v is None else v
    first = _int(data.get("first_check_days"), 0, MAX_FIRST_CHECK_DAYS)
    reserve = _float(data.get("reserve_share"), 0.0, 1.0)
    beyond = data.get("checks_beyond_reserve")
    name = data.get("name")
    for ok, label in ((first is not None, "lab.page.first_check_days"),
                      (reserve is not None, "lab.page.reserve_share"),
                      (beyond in BEYOND, "lab.page.checks_beyond_reserve"),
                      (isinstance(name, str), "lab.page.table_name")):
        if not ok:
            bad.append(label)
    raw_rows = data.get("rows") if isinstance(data.get("rows"), list) else []
    rows: list[dict] = []
    numbers: list[int] = []  # each read row's number on screen, from 1
    dropped: list[int] = []
    for number, raw in enumerate(raw_rows, start=1):
        row = _row(raw)
        if row is None:
            dropped.append(number)
        else:
            rows.append(row)
            numbers.append(number)
    table = TableForm(
        name=name if isinstance(name, str) else default.name, intervals=intervals,
        first_check_days=default.first_check_days if first is None else first,
        reserve_share=default.reserve_share if reserve is None else reserve,
        checks_beyond_reserve=beyond if beyond in BEYOND else default.checks_beyond_reserve,
        rows=rows, valid=data.get("valid") is not False)
    problems = [RestoreProblem("table_fields", fields=tuple(bad))] if bad else []
    if table.valid:  # it made a table when kept: it must make one now
        try:
            table.check()
        except lab.LabInputError:
            kept_rows = []  # the rules that still check out on their own
            for number, row in zip(numbers, rows, strict=True):
                try:
                    table.check([row])
                except lab.LabInputError:
                    dropped.append(number)
                else:
                    kept_rows.append(row)
            table = TableForm(**{**asdict(table), "rows": kept_rows})
            try:
                table.check()
            except lab.LabInputError as err:
                return None, [*problems, RestoreProblem("table_gone", {"detail_err": err})]
    if dropped:
        problems.append(RestoreProblem("table_rows", {"rows": sorted(dropped)}))
    return table, problems


def restore(kept: Any, cases: Mapping[str, Scenario], strategies: Sequence[str],
            default_table: TableForm) -> Restored:
    """The kept form (as ``load`` gives it) fitted to what the page offers now: ``cases``
    and ``strategies`` by their options, the editor's ``default_table``. Never raises."""
    if kept is None:
        kept = {}  # nothing kept: the form's defaults
    if not isinstance(kept, dict):
        return _restore({}, cases, strategies, default_table)._with(RestoreProblem("unreadable"))
    try:
        return _restore(kept, cases, strategies, default_table)
    except Exception as err:  # noqa: BLE001 - a form the page cannot read starts afresh
        return _restore({}, cases, strategies, default_table)._with(
            RestoreProblem("unreadable", {"detail": str(err)[:200]}))


def _restore(kept: dict, cases: Mapping[str, Scenario], strategies: Sequence[str],
             default_table: TableForm) -> Restored:
    values: dict[str, Any] = {}
    problems: list[RestoreProblem] = []
    bad: list[str] = []

    case_key = kept.get("case")
    case = cases.get(case_key) if isinstance(case_key, str) else None
    if case is not None:
        values[CASE] = case_key
        values[CASE_SEEN] = case.id
        seed = kept.get("seed")
        if seed is not None:
            if (s := _int(seed, 0, MAX_SEED)) is None:
                bad.append("lab.page.seed")
            else:
                values[SEED] = s
        staff = kept.get("staff")
        if staff is not None:
            top = lab.staff_slider_top(case.staff.officers)
            lo, hi = ((_int(staff[0], 1, top), _int(staff[1], 1, top))
                      if isinstance(staff, list) and len(staff) == 2 else (None, None))
            if lo is None or hi is None or lo > hi:
                bad.append("lab.page.staff_range")
            else:
                values[STAFF] = (lo, hi)
        cost = kept.get("officer_cost_cny_per_month")
        if cost is not None:
            if (c := _float(cost, 0.0, MAX_OFFICER_COST_CNY)) is None:
                bad.append("lab.page.officer_cost")
            else:
                values[OFFICER_COST] = c
    elif isinstance(case_key, str) and case_key.startswith(CASE_FILE):
        problems.append(RestoreProblem("case_file", {"file": case_key.removeprefix(CASE_FILE)}))
    elif case_key:
        problems.append(RestoreProblem("case_gone", {"case": str(case_key),
                                                     "title": kept.get("case_title") or {}}))

    picked = kept.get("strategies")
    picked = [x for x in picked if isinstance(x, str)] if isinstance(picked, list) else []
    if "strategies" in kept:
        values[STRATEGIES] = [x for x in picked if x in strategies]
    files = [x.removeprefix(UPLOADED) for x in picked if x.startswith(UPLOADED)
             and x not in strategies]
    gone = [x for x in picked if x not in strategies and not x.startswith(UPLOADED)]
    if files:
        problems.append(RestoreProblem("tables_upload", {"files": files}))
    if gone:
        problems.append(RestoreProblem("strategies_gone", {"names": gone}))

    table, table_problems = (_table(kept["table"], default_table) if "table" in kept
                             else (None, []))
    problems += table_problems
    table = table or default_table
    values[NAME] = table.name
    values.update({interval_key(k): v for k, v in table.intervals.items()})
    values[FIRST_DAYS] = table.first_check_days
    values[RESERVE] = table.reserve_share
    values[BEYOND_KEY] = table.checks_beyond_reserve

    reps = kept.get("reps", DEFAULT_REPS)
    if (r := _int(reps, MIN_REPS, lab.MAX_REPS)) is None:
        bad.append("lab.page.reps")
    values[REPS] = DEFAULT_REPS if r is None else r
    if "sweep" in kept:
        values[SWEEP] = kept["sweep"] is True
    if kept.get("sweep_strategy") in values.get(STRATEGIES, ()):
        values[SWEEP_STRATEGY] = kept["sweep_strategy"]
    if "where" in kept:
        try:
            values[WHERE] = Where(kept["where"])
        except ValueError:
            bad.append("lab.page.where")
    if isinstance(kept.get("address"), str):
        values[ADDRESS] = kept["address"]
    if bad:
        problems.append(RestoreProblem("fields", fields=tuple(bad)))
    rows = None if table is default_table else table.rows
    return Restored(values, rows, problems)
