"""Case authoring for instructors: validate YAML text, edit a case through form helpers.

Validation goes through the same careful loader as ``bianque validate``
(``sim.scenario.parse_scenario``) and adds the line of each problem, found by
walking the YAML node tree along the problem's field path. The form helpers edit
the text as a ruamel.yaml round trip, so an instructor's comments, key order and
quoting survive; each piece they insert is first validated as its pydantic model
(a ``Segment``, a ``NamedBorrower``...), and parts of the file a helper did not
touch must read the same afterwards under the loader, or the edit is refused.
No Streamlit here: the page in ``app_pages/author.py`` draws, this module decides.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from sim.field_types import Text
from sim.inputs import MAX_FILE_BYTES, explain, explain_zh, plain_yaml
from sim.policy import Staff
from sim.scenario import SCENARIO_DIR, Scenario, ScenarioError, parse_scenario, scenario_paths
from sim.segments import Segment
from sim.storyline import Disaster, LprChange, NamedBorrower, PolicyShock, Recession, ScriptedEvent

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
"""Largest case file accepted from an upload: the loader's own limit, checked before decoding."""
TEMPLATE_DIR = SCENARIO_DIR / "templates"
BLANK_TEMPLATE = TEMPLATE_DIR / "blank.yaml"
FILE_PATH = "(file)"
"""The field path of a problem that belongs to the whole file (syntax, size, encoding)."""

MacroEvent = LprChange | PolicyShock | Recession | Disaster


class AuthoringError(Exception):
    """An edit or an upload that cannot be done; ``key`` names the catalogue message
    (author.error.*), ``detail`` carries the specifics (a line, a field, a size)."""

    def __init__(self, key: str, detail: str = ""):
        self.key = key
        self.detail = detail
        super().__init__(f"{key}: {detail}" if detail else key)


# --- validation with lines ---------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case: where (field path, line, column) and what to do."""

    path: str  # e.g. "segments[0].rate.annual", or FILE_PATH
    line: int | None  # 1-based; None when the problem has no place (file too large)
    column: int | None
    message: str
    message_zh: str = ""  # the same in Chinese (sim.inputs.InputError.problems_zh)

    def text(self, lang: str) -> str:
        return self.message_zh or self.message if lang == "zh" else self.message


@dataclass(frozen=True)
class Validation:
    """The outcome of validating a text: the scenario when it is valid, else the problems."""

    scenario: Scenario | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.scenario is not None


_AT = re.compile(r"^line (\d+), column (\d+)$")
_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    """'segments[0].rate.annual' -> ['segments', 0, 'rate', 'annual']."""
    return [int(idx) if idx else key for key, idx in _TOKEN.findall(path)]


def _line_of(root: yaml.Node | None, path: str) -> tuple[int | None, int | None]:
    """The line and column of the field at ``path`` in the composed YAML, 1-based.

    A key that exists points at the key; a missing one at the mapping that lacks it,
    the nearest place the author can go to add it.
    """
    node = root
    mark = root.start_mark if root is not None else None
    for tok in _tokens(path):
        if isinstance(node, yaml.MappingNode) and isinstance(tok, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == tok:
                    node, mark = value_node, key_node.start_mark
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(tok, int) \
                and 0 <= tok < len(node.value):
            node = node.value[tok]
            mark = node.start_mark
        else:
            break
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def _compose(text: str) -> yaml.Node | None:
    """The node tree of text (no objects built, aliases not expanded), or None."""
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


def field_line(text: str, path: str) -> int | None:
    """The line (from 1) of the field at ``path`` in a YAML text (``bianque validate``
    names it beside the field), or None when the text does not parse or the path is no
    field ('(file)', a YAML error's 'line 3, column 5')."""
    if path.startswith("(") or _AT.match(path):
        return None
    root = _compose(text)
    return _line_of(root, path)[0] if root is not None else None


def validate_text(text: str, source: str = "<editor>") -> Validation:
    """Validate case text as ``bianque validate`` does; each problem gets its line."""
    from sim.roleplay_files import is_roleplay_text

    if is_roleplay_text(text):  # a conversation is no case: say so, not 'briefing missing'
        return Validation(None, (Problem(
            "kind", field_line(text, "kind"), 1,
            "this is a role-play conversation (kind: roleplay), not a case: conversations "
            "are files in roleplays/, checked with 'bianque validate roleplays/<file>.yaml'; "
            "this editor writes cases",
            "这是角色扮演对话文件（kind: roleplay），不是案例：对话文件放在 roleplays/ 目录，"
            "用 'bianque validate roleplays/<文件>.yaml' 检查；本编辑器只编写案例"),))
    try:
        scenario = parse_scenario(text, source)
    except ScenarioError as err:
        root = None
        problems: list[Problem] = []
        for (path, message), zh in zip(err.problems, err.problems_zh, strict=True):
            at = _AT.match(path)
            if at:  # YAML syntax or duplicate keys: the loader gives the place itself
                problems.append(Problem(FILE_PATH, int(at[1]), int(at[2]), message, zh))
            elif path == FILE_PATH:
                problems.append(Problem(FILE_PATH, None, None, message, zh))
            else:
                if root is None:
                    root = _compose(text)
                line, column = _line_of(root, path)
                problems.append(Problem(path, line, column, message, zh))
        problems.sort(key=lambda p: (p.line is None, p.line or 0, p.column or 0))
        return Validation(None, tuple(problems))
    from training.lessons import lesson_problems

    linked = lesson_problems(scenario)
    if linked:  # as `bianque validate` says it: a case that links a missing lesson
        root = _compose(text)
        return Validation(None, tuple(
            Problem(path, *_line_of(root, path), message, zh)
            for (path, message), (_, zh) in zip(linked, lesson_problems(scenario, lang="zh"),
                                                strict=True)))
    return Validation(scenario, ())


class EditBreaksCase(AuthoringError):
    """A form's entry that is fine on its own but would make the case invalid (an event
    after the horizon, a borrower id already taken): ``problems`` are the new ones."""

    def __init__(self, problems: tuple[Problem, ...]):
        super().__init__("breaks_case", "; ".join(p.message for p in problems))
        self.problems = problems


def checked_edit(before: str, after: str) -> str:
    """``after``, the text a form made of ``before``, unless it brings problems ``before``
    did not have in the part the form changed (an event after the horizon, a borrower id
    taken twice): then EditBreaksCase with them, and the case stays as it was. A form that
    said "added" and left a valid case invalid sent the author hunting for why. Problems
    elsewhere (a case still being written, without its id or title yet) do not stop it."""
    try:
        was, now = _plain(before), _plain(after)
        changed = {str(k) for k in set(was) | set(now) if was.get(k) != now.get(k)}
    except (yaml.YAMLError, AttributeError, TypeError):
        return after  # forms edit only text that parses; nothing to compare against
    old = {(p.path, p.message) for p in validate_text(before).problems}
    new = tuple(p for p in validate_text(after).problems
                if (p.path, p.message) not in old and re.match(r"[^.\[]*", p.path)[0] in changed)
    if new:
        raise EditBreaksCase(new)
    return after


def form_problems(err: ValidationError, model: type[BaseModel]) -> tuple[Problem, ...]:
    """The problems of one piece a form built (a segment, an event...): each field with its
    fix in both languages, so the page says them in its own (they have no line: the piece
    is not in the text yet)."""
    return tuple(Problem(path, None, None, message, zh) for (path, message), zh
                 in zip(explain(err, model), explain_zh(err, model), strict=True))


# --- uploads --------------------------------------------------------------------------------
def case_cautions(scenario: Scenario) -> list:
    """sim.plausibility.cautions with the places' and industries' names in both
    languages, so a region written once as its id and once by its name ("zhejiang",
    "浙江") is named as the slip it is; and the conversations a copy leaves behind."""
    from sim.plausibility import cautions
    from training.i18n import LANGS, catalogue

    names: dict[str, dict[str, list[str]]] = {"region": {}, "industry": {}}
    for lang in LANGS:
        for key, word in catalogue(lang).items():
            kind, _, item = key.partition(".")
            if kind in names and item and "." not in item:
                names[kind].setdefault(item, []).append(word)
    return cautions(scenario, names) + roleplays_left_behind(scenario)


def roleplays_left_behind(scenario: Scenario) -> list:
    """A named borrower whose conversations (roleplays/) were written for another case:
    a conversation names its case by id, so a shipped case copied under a new id offers
    its trainees none of them. The way to keep them is the original's id (publishing
    then makes a new version of that case)."""
    from sim.plausibility import Caution
    from sim.roleplay_files import shipped

    out = []
    written = [rp for rp in shipped().values() if rp.borrower is not None and rp.case]
    for i, b in enumerate(scenario.borrowers):
        mine = [rp for rp in written if rp.borrower == b.id]
        if not mine or any(rp.case == scenario.id for rp in mine):
            continue
        case = sorted({rp.case for rp in mine})[0]
        out.append(Caution(f"borrowers[{i}].id", "roleplays_left_behind", {
            "borrower": b.id, "case": case, "id": scenario.id,
            "roleplays": ", ".join(sorted(rp.id for rp in mine if rp.case == case))}))
    return out


def read_upload(data: bytes) -> str:
    """The text of an uploaded case file, checked for size, encoding and emptiness before
    parsing."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise AuthoringError("upload_too_large",
                             f"{len(data) // 1024} KB > {MAX_UPLOAD_BYTES // 1024} KB")
    from sim.inputs import binary_kind, not_utf8_kind

    kind = binary_kind(data)  # a workbook, or UTF-16 without its mark, may decode as UTF-8
    if kind is not None:
        raise AuthoringError(f"upload_not_utf8_{kind}", f"{len(data)} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        kind = not_utf8_kind(data)  # a workbook renamed, or GBK or UTF-16 text: said as such
        raise AuthoringError(f"upload_not_utf8_{kind}" if kind else "upload_not_utf8",
                             f"byte {exc.start}") from None
    if not text.strip():  # importing it would wipe the case in the editor for nothing
        raise AuthoringError("upload_empty", f"{len(data)} bytes")
    return text


def export_name(text: str) -> str:
    """A file name for downloading the case: its id when it has a usable one."""
    m = re.search(r"(?m)^id:\s*['\"]?([a-z0-9][a-z0-9_\-]{0,63})['\"]?\s*(#.*)?$", text)
    return f"{m[1] if m else 'case'}.yaml"


# --- where a case starts --------------------------------------------------------------------
class Start(StrEnum):
    SHIPPED = "shipped"
    BLANK = "blank"
    GENERATED = "generated"


def shipped_cases(directory: Path | None = None) -> dict[str, Path]:
    """The installation's case files by file stem (the templates folder is not a case):
    BIANQUE_SCENARIO_DIR's when set, as the other pages list them, else the shipped ones."""
    from training.scenario_home import scenario_dir

    return {p.stem: p for p in scenario_paths(directory or scenario_dir())}


def shipped_text(case: str, directory: Path | None = None) -> str:
    """The text of a shipped case as written, comments included."""
    path = shipped_cases(directory).get(case)
    if path is None:
        raise AuthoringError("no_such_case", case)
    return path.read_text(encoding="utf-8")


def blank_text() -> str:
    return BLANK_TEMPLATE.read_text(encoding="utf-8")


GENERATOR_MODULE = "sim.generate"


def generator_available() -> bool:
    """Whether the case generator (issue 9) is installed; imported only when used."""
    try:
        return importlib.util.find_spec(GENERATOR_MODULE) is not None
    except (ImportError, ValueError):
        return False


def generator_options() -> dict[str, tuple[str, ...]]:
    """What the generator can be asked for: products, shocks (kinds of macro event) and
    staffing bands; empty when the generator is not installed."""
    if not generator_available():
        return {}
    mod = importlib.import_module(GENERATOR_MODULE)
    out = {}
    for name, attrs in (("products", ("PRODUCTS",)), ("shocks", ("SHOCK_KINDS", "SHOCKS")),
                        ("staffing", ("STAFFING_BANDS",))):
        values = next((getattr(mod, a) for a in attrs if getattr(mod, a, None)), None)
        if values:
            out[name] = tuple(values)
    return out


def generator_max_shocks() -> int | None:
    """How many kinds of shock the generator takes at once (None: no limit it states), so
    the picker stops there rather than the generator refusing a fifth."""
    if not generator_available():
        return None
    return getattr(importlib.import_module(GENERATOR_MODULE), "MACRO_EVENTS_MAX", None)


def generated_text(seed: int, products: list[str] | None = None,
                   shocks: list[str] | None = None, staffing: str | None = None) -> str:
    """A case drawn by the generator (``sim.generate.generate``), as YAML text.

    The generator is imported only here; options it does not take are not passed. Empty
    products or shocks mean the generator's own random choice.
    """
    if not generator_available():
        raise AuthoringError("no_generator")
    mod = importlib.import_module(GENERATOR_MODULE)
    fn = getattr(mod, "generate", None)
    if fn is None:
        raise AuthoringError("no_generator")
    wanted = {"products": products or None, "shocks": shocks or None,
              "staffing": staffing or None}
    params = inspect.signature(fn).parameters
    kwargs = {k: v for k, v in wanted.items() if v is not None and k in params}
    try:
        drawn = fn(seed, **kwargs)
    except ValueError as err:
        if not getattr(err, "code", ""):
            raise
        raise AuthoringError("generator_failed", generate_error_text(err)) from err
    return scenario_text(drawn)


def generate_error_text(err: Exception, lang: str | None = None) -> str:
    """A generator option's error (sim.generate.GenerateError) in the reader's language:
    its code and values through the catalogue (author.generate.<code>), else its text."""
    from training.i18n import t

    code = getattr(err, "code", "")
    if not code:
        return str(err)
    return t(f"author.generate.{code}", lang, **getattr(err, "values", {}))


def scenario_text(scenario: Scenario) -> str:
    """A scenario as YAML text in the shipped files' style (defaults left out)."""
    return _dump(_block(scenario.model_dump(mode="json", exclude_defaults=True)))


# --- the round trip ---------------------------------------------------------------------------
class _RoundTrip(RoundTripConstructor):
    """ruamel's round trip, with a date that is no day of the calendar ('start: 2025-02-30')
    kept as text, as the loader keeps it (sim.inputs.TextLoader): it raised a bare
    ValueError and the page showed a traceback for a form's edit."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)  # written back in quotes, the text kept


_RoundTrip.add_constructor("tag:yaml.org,2002:timestamp", _RoundTrip.construct_yaml_timestamp)


def _rt() -> YAML:
    y = YAML()  # round trip: comments, key order and quoting are kept
    y.Constructor = _RoundTrip
    y.width = 4096  # never fold an instructor's long line
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)  # the shipped files' style
    return y


def _dump(doc: Any) -> str:
    out = io.StringIO()
    _rt().dump(doc, out)
    return out.getvalue()


_RESOLVER = yaml.resolver.Resolver()


def _scalar(value: str) -> Any:
    """A string as it must be written so the loader (YAML 1.1) reads it back as the same text.

    ruamel writes YAML 1.2, where 'no', 'on' or '2024-01-01' are plain text; the loader
    would read them as a boolean or a date, so such strings are quoted.
    """
    if "\n" in value:
        return LiteralScalarString(value)
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    return DoubleQuotedScalarString(value) if tag != "tag:yaml.org,2002:str" else value


def _block(value: Any) -> Any:
    """Plain data as ruamel nodes in block style, strings made safe for the loader."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            # an amount typed 800000 in a form comes back a float: written 800000, as a
            # person writes it, not 800000.0
            whole = str(k).endswith("_cny") and isinstance(v, float) and v.is_integer()
            out[k] = int(v) if whole else _block(v)
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_block(v) for v in value)
        return seq
    if isinstance(value, str):
        return _scalar(value)
    return value


def _piece(model: BaseModel, written: Any = None) -> Any:
    """A validated model as the YAML a person would write: defaults left out, except the
    fields the author had written in the piece it replaces (`written`), which stay even
    when they hold the default (a segment saved from its form lost its `rho: 0.12`)."""
    short = model.model_dump(mode="json", exclude_defaults=True)
    if isinstance(written, dict):
        full = model.model_dump(mode="json")
        # a part (a segment's collateral) kept as the form set it: not with the defaults it
        # did not set (an unsecured segment's collateral took back the unused ltv: 0.6)
        kept = {k: (part.model_dump(mode="json", exclude_unset=True)
                    if isinstance(part := getattr(model, k, None), BaseModel) else full[k])
                for k in written if k in full and k not in short}
        short = {k: short[k] if k in short else kept[k] for k in full if k in short or k in kept}
    return _block(short)


def _load_doc(text: str) -> CommentedMap:
    """The round-trip document of text; a file that does not parse is refused with its line."""
    try:
        plain = plain_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise AuthoringError("fix_yaml_first",
                             f"line {mark.line + 1}" if mark else "") from None
    if plain is None:
        return CommentedMap()
    if not isinstance(plain, dict):
        raise AuthoringError("not_a_mapping")
    try:
        doc = _rt().load(text)
    except RecursionError:
        raise AuthoringError("fix_yaml_first", "YAML is nested too deeply") from None
    except RuamelError as exc:
        raise AuthoringError("fix_yaml_first", str(exc).splitlines()[0]) from None
    return doc if doc is not None else CommentedMap()


def _plain(text: str) -> dict:
    return plain_yaml(text) or {}


def _edit(text: str, key: str, change) -> str:
    """Apply ``change(doc)`` to the round trip of text; everything but ``key`` must be kept."""
    doc = _load_doc(text)
    change(doc)
    out = _dump(doc)
    before, after = _plain(text), _plain(out)
    for k in set(before) | set(after):
        if k != key and before.get(k) != after.get(k):
            raise AuthoringError("round_trip_changed", str(k))
    return out


def _section(doc: CommentedMap, key: str) -> CommentedSeq:
    """The list under key, created (in block style) when it is missing, empty or null."""
    key = str(key)  # a Section is a str subclass the YAML writer does not know
    seq = doc.get(key)
    if seq is None or (isinstance(seq, list) and not seq):
        seq = CommentedSeq()
        doc[key] = seq
    elif not isinstance(seq, list):
        raise AuthoringError("not_a_list", key)
    seq.fa.set_block_style()
    return seq


class Section(StrEnum):
    """The lists of a case the form helpers add to and remove from."""

    SEGMENTS = "segments"
    MACRO = "macro"
    BORROWERS = "borrowers"
    OBJECTIVES = "objectives"
    DEBRIEF_NOTES = "debrief_notes"


# --- form helpers ----------------------------------------------------------------------------
def _unique_segment_id(seq, segment: Segment, index: int | None = None) -> None:
    """A segment's id names it everywhere (borrowers, shocks): another segment's id is
    refused before the case is touched."""
    for k, other in enumerate(seq):
        if k != index and isinstance(other, dict) and other.get("id") == segment.id:
            raise AuthoringError("duplicate_id", f"{segment.id} (segments[{k}])")


def add_segment(text: str, segment: Segment) -> str:
    def change(doc):
        seq = _section(doc, Section.SEGMENTS)
        _unique_segment_id(seq, segment)
        seq.append(_piece(segment))
    return _edit(text, Section.SEGMENTS, change)


def replace_segment(text: str, index: int, segment: Segment) -> str:
    """Put ``segment`` in place of segments[index] (an edit of an existing segment)."""
    def change(doc):
        seq = _section(doc, Section.SEGMENTS)
        if not 0 <= index < len(seq):
            raise AuthoringError("no_such_item", f"segments[{index}]")
        _unique_segment_id(seq, segment, index)
        seq[index] = _piece(segment, seq[index])
    return _edit(text, Section.SEGMENTS, change)


def add_macro_event(text: str, event: MacroEvent) -> str:
    return _edit(text, Section.MACRO, lambda d: _section(d, Section.MACRO).append(_piece(event)))


def add_borrower(text: str, borrower: NamedBorrower) -> str:
    return _edit(text, Section.BORROWERS, lambda d: _section(d, Section.BORROWERS).append(
        _piece(borrower)))


def add_borrower_event(text: str, borrower_id: str, event: ScriptedEvent) -> str:
    """Add a scripted event to the named borrower ``borrower_id``."""
    def change(doc):
        for b in _section(doc, Section.BORROWERS):
            if isinstance(b, dict) and b.get("id") == borrower_id:
                events = _section(b, "events")
                events.append(_piece(event))
                return
        raise AuthoringError("no_such_item", f"borrowers: {borrower_id}")
    return _edit(text, Section.BORROWERS, change)


def set_staff(text: str, staff: Staff) -> str:
    def change(doc):
        doc["staff"] = _block(staff.model_dump(mode="json"))
    return _edit(text, "staff", change)


def add_objective(text: str, objective: Text) -> str:
    return _edit(text, Section.OBJECTIVES, lambda d: _section(d, Section.OBJECTIVES).append(
        _piece(objective)))


def add_debrief_note(text: str, note: Text) -> str:
    return _edit(text, Section.DEBRIEF_NOTES, lambda d: _section(
        d, Section.DEBRIEF_NOTES).append(_piece(note)))


def remove_item(text: str, section: Section, index: int) -> str:
    """Delete entry ``index`` of a list section."""
    def change(doc):
        seq = _section(doc, section)
        if not 0 <= index < len(seq):
            raise AuthoringError("no_such_item", f"{section}[{index}]")
        del seq[index]
    return _edit(text, section, change)


def items(text: str, section: Section) -> list[dict]:
    """The entries of a list section as plain data (for listing and pre-filling forms);
    empty when the text does not parse."""
    try:
        data = _plain(text)
    except yaml.YAMLError:
        return []
    seq = data.get(section) if isinstance(data, dict) else None
    return [x if isinstance(x, dict) else {} for x in seq] if isinstance(seq, list) else []


def staff_in_text(text: str) -> Staff | None:
    """The staff block of a case text that may fail elsewhere, when it is itself valid."""
    try:
        data = plain_yaml(text)
        return Staff.model_validate(data["staff"]) if isinstance(data, dict) else None
    except (yaml.YAMLError, KeyError, TypeError, ValueError):
        return None


def segment_at(text: str, index: int) -> Segment | None:
    """segments[index] as a Segment, for editing; None when it is missing or not valid."""
    segs = items(text, Section.SEGMENTS)
    if not isinstance(index, int) or not 0 <= index < len(segs):
        return None
    try:
        return Segment.model_validate(segs[index])
    except ValueError:
        return None


def item_label(section: Section, entry: dict, lang: str) -> str:
    """A short label of a list entry, as plain text."""
    if section in (Section.OBJECTIVES, Section.DEBRIEF_NOTES):
        text = str(entry.get(lang) or entry.get("en") or "")
        return text if len(text) <= 60 else text[:59] + "…"
    if section is Section.MACRO:
        return f"{entry.get('type', '?')} @ {entry.get('month', '?')}"
    if section is Section.BORROWERS:
        company = entry.get("company")
        name = company.get(lang, "") if isinstance(company, dict) else ""
        return f"{entry.get('id', '?')} {name}".strip()
    name = entry.get("name")
    label = name.get(lang, "") if isinstance(name, dict) else ""
    return f"{entry.get('id', '?')} {label}".strip()


# --- publishing (the classroom's service) ------------------------------------------------------
PUBLISH_MODULES = ("training.publishing",)
"""Where the classroom layer (issue 12: storage, roles, published versions) defines
``publish_case(session_or_db, user, yaml_text) -> CaseVersion``."""


def publisher():
    """The classroom's ``publish_case`` when it is installed, else None (the page then
    keeps its Publish button disabled and says why). Imported lazily: this module stays
    usable without the storage layer."""
    for name in PUBLISH_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except (ImportError, ValueError):
            continue
        fn = getattr(importlib.import_module(name), "publish_case", None)
        if callable(fn):
            return fn
    return None
