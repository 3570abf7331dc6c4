"""Reading role-play conversation files: the careful loader (the scenario loader's, with
its size limit and duplicate-key check), the checks of the conversation as a graph, and
the shipped set in ``roleplays/``."""

from __future__ import annotations

import functools
import re
from collections import deque
from pathlib import Path

from sim.borrower_state import (
    COMPANY_ONLY_REVEALS,
    COMPANY_ONLY_STATE,
    PRACTICE_PROFILES,
    fits,
    kind_of,
)
from sim.inputs import MAX_FILE_BYTES, did_you_mean, load_yaml, near_zh, read_text, validate
from sim.roleplay import Roleplay
from sim.scenario import ScenarioError, load_scenario

ROLEPLAY_DIR = Path(__file__).resolve().parent.parent / "roleplays"
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"


class RoleplayError(ScenarioError):
    """A conversation file could not be loaded; `problems` lists (field path, message)."""


def graph_problems(rp: Roleplay, scenario_dir: Path | None = SCENARIO_DIR
                   ) -> list[tuple[str, str, str]]:
    """What is wrong with the conversation as a graph, as (field path, message with a fix,
    the same in Chinese)."""
    out: list[tuple[str, str, str]] = []
    ids = list(rp.nodes)
    dangling = False
    if rp.start not in rp.nodes:
        out.append(("start", f"no node '{rp.start}' (nodes are: {', '.join(ids[:8])}); "
                    "name one of the nodes",
                    f"没有节点 '{rp.start}'（现有节点：{', '.join(ids[:8])}）：请写其中一个节点"))
    for nid, node in rp.nodes.items():
        if node.lines[-1].when is not None:
            out.append((f"nodes.{nid}.lines[{len(node.lines) - 1}].when",
                        "the last line of a node must have no 'when', so every borrower has "
                        "something to say; remove 'when' from it or add a plain line after it",
                        "节点的最后一句不能带 'when'，这样每个借款人都有话可说：请删去它的 'when'，"
                        "或在其后加一句不带条件的话"))
        seen: set[str] = set()
        for k, ch in enumerate(node.choices):
            where = f"nodes.{nid}.choices[{k}]"
            if ch.id in seen:
                out.append((f"{where}.id", f"choice id '{ch.id}' is used twice in this node; "
                            "give each choice its own id",
                            f"选项标识 '{ch.id}' 在本节点用了两次：请给每个选项不同的标识"))
            seen.add(ch.id)
            if ch.next is not None and ch.next not in rp.nodes:
                dangling = True
                near = did_you_mean(ch.next, ids)  # "; did you mean 'answer'?"
                out.append((f"{where}.next", f"no node '{ch.next}'"
                            + (f"{near} Name" if near else "; name")
                            + " one of the nodes or remove 'next' to end the conversation",
                            f"没有节点 '{ch.next}'{near_zh(ch.next, ids) or '：'}"
                            "请写其中一个节点，或删去 'next' 让对话在此结束"))
    reach = _reachable(rp)
    for nid in ids:
        if rp.start in rp.nodes and nid not in reach:
            out.append((f"nodes.{nid}", "no choice leads to this node (unreachable); point a "
                        "choice's 'next' at it or delete it",
                        "没有任何选项通向这个节点（走不到）：请让某个选项的 'next' 指向它，或删去它"))
    # a dangling 'next' is already named; the ends are judged once every 'next' is a node
    if rp.start in rp.nodes and not dangling:
        out += _end_problems(rp, reach)
    out += _kind_problems(rp)
    if rp.borrower is not None and rp.case is None:
        out.append(("borrower", "a borrower belongs to a case: add 'case' or remove 'borrower'",
                    "借款人属于某个案例：请加上 'case'，或删去 'borrower'"))
    if rp.lesson is not None and scenario_dir is not None and LESSON_DIR.is_dir() and not (
            LESSON_DIR / "en" / f"{rp.lesson}.md").exists():
        out.append(("lesson", f"no lesson '{rp.lesson}' in lessons/en/; use a lesson's id or "
                    "remove 'lesson'",
                    f"lessons/en/ 中没有课程 '{rp.lesson}'：请写课程标识，或删去 'lesson'"))
    if rp.case is not None and scenario_dir is not None:
        path = scenario_dir / f"{rp.case}.yaml"
        if not path.exists():
            out.append(("case", f"no case '{rp.case}' in scenarios/; use the file name of a "
                        "case without .yaml",
                        f"scenarios/ 中没有案例 '{rp.case}'：请写案例的文件名（不带 .yaml）"))
        elif rp.borrower is not None:
            try:
                sc = load_scenario(path)
            except ScenarioError:
                out.append(("case", f"the case '{rp.case}' does not load; fix it first",
                            f"案例 '{rp.case}' 加载不了：请先修好它"))
            else:
                named = [b.id for b in sc.borrowers]
                if rp.borrower not in named:
                    out.append(("borrower", f"case '{rp.case}' has no named borrower "
                                f"'{rp.borrower}'; use one of: {', '.join(named)}",
                                f"案例 '{rp.case}' 没有重点借款人 '{rp.borrower}'：请用 "
                                f"{', '.join(named)} 之一"))
    return out


def _kind_problems(rp: Roleplay) -> list[tuple[str, str, str]]:
    """A household conversation (product consumer) that offers a practice borrower, asks
    about a hidden state or reveals a fact that describes a firm only (a diversion of the
    loan to an affiliate or another project: sim.borrower_state.COMPANY_ONLY_STATE)."""
    kind = kind_of(rp)
    if kind != "household":
        return []
    out: list[tuple[str, str, str]] = []
    why_en = (f"a household borrower (product {rp.product}) has no affiliate or business to "
              "divert the loan to")
    why_zh = f"个人/家庭借款人（产品 {rp.product}）没有可供挪用贷款的关联企业或生意"
    for k, name in enumerate(rp.profiles or []):
        if not fits(PRACTICE_PROFILES[name], kind):
            out.append((f"profiles[{k}]", f"the practice borrower '{name}' diverts the loan, "
                        f"but {why_en}: remove it, or give the conversation a firm's product",
                        f"练习借款人 '{name}' 会挪用贷款，但{why_zh}：请删去它，或把对话的产品"
                        "改为企业类产品"))
    for nid, node in rp.nodes.items():
        said = [(f"nodes.{nid}.lines[{k}]", ln.when, ln.reveals) for k, ln in enumerate(node.lines)]
        said += [(f"nodes.{nid}.choices[{k}]", None, ch.reveals)
                 for k, ch in enumerate(node.choices)]
        for where, when, reveals in said:
            for flag in COMPANY_ONLY_STATE:
                if when is not None and getattr(when, flag) is not None:
                    out.append((f"{where}.when.{flag}", f"'{flag}' describes a firm, but "
                                f"{why_en}: remove it from 'when'",
                                f"'{flag}' 只适用于企业，但{why_zh}：请从 'when' 中删去它"))
            for j, fact in enumerate(reveals):
                if fact in COMPANY_ONLY_REVEALS:
                    out.append((f"{where}.reveals[{j}]", f"'{fact}' describes a firm, but "
                                f"{why_en}: remove it from 'reveals'",
                                f"'{fact}' 只适用于企业，但{why_zh}：请从 'reveals' 中删去它"))
    return out


def _end_problems(rp: Roleplay, reach: set[str]) -> list[tuple[str, str, str]]:
    """A conversation that never ends, or a node from which no way leads to an end (its
    choices only go round a loop): a trainee who gets there can never finish the talk."""
    ends = {n for n in reach if not rp.nodes[n].choices
            or any(c.next is None for c in rp.nodes[n].choices)}
    if not ends:
        return [("nodes", "the conversation never ends: give one node no choices or one "
                 "choice no 'next'",
                 "对话永远不会结束：请让某个节点没有选项，或让某个选项没有 'next'")]
    can_end, grew = set(ends), True
    while grew:  # nodes with a choice into a node that can end, until nothing is added
        more = {n for n in reach - can_end
                if any(c.next in can_end for c in rp.nodes[n].choices)}
        can_end |= more
        grew = bool(more)
    return [(f"nodes.{nid}", "no way from this node leads to the end of the conversation "
             "(its choices only go round a loop); give one of its choices no 'next', or point "
             "one at a node that leads to the end",
             "从这个节点出发，怎么选都走不到对话的结尾（选项只在几个节点之间打转）：请让它的某个"
             "选项没有 'next'，或指向能走到结尾的节点")
            for nid in rp.nodes if nid in reach and nid not in can_end]


def _reachable(rp: Roleplay) -> set[str]:
    if rp.start not in rp.nodes:
        return set()
    seen, todo = {rp.start}, deque([rp.start])
    while todo:
        for ch in rp.nodes[todo.popleft()].choices:
            if ch.next is not None and ch.next in rp.nodes and ch.next not in seen:
                seen.add(ch.next)
                todo.append(ch.next)
    return seen


# ---------------------------------------------------------------------------- loading
def is_roleplay_text(text: str) -> bool:
    """Whether a YAML text declares itself a conversation (a top-level 'kind: roleplay')."""
    return re.search(r"^kind:\s*['\"]?roleplay['\"]?\s*(#.*)?$", text, re.MULTILINE) is not None


def is_roleplay_path(path: str | Path) -> bool:
    """A file in a roleplays/ folder, or one that says kind: roleplay, is a conversation."""
    p = Path(path)
    if p.parent.name in ("roleplays", "roleplay"):
        return True
    try:
        with open(p, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return is_roleplay_text(head)


def parse_roleplay(text: str, source: str = "<text>",
                   scenario_dir: Path | None = SCENARIO_DIR) -> Roleplay:
    """Parse and validate a conversation; raise RoleplayError with every problem found.

    The careful input path of sim.inputs (YAML errors and duplicate keys at their line,
    field errors at their path with a fix), then the checks of the graph."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        err = RoleplayError(source, [("(file)", f"file is larger than {MAX_FILE_BYTES // 1024} "
                                     "KB; a conversation should be a few KB: split it")])
        err.problems_zh = [f"文件超过 {MAX_FILE_BYTES // 1024} KB；一段对话应只有几 KB：请拆分"]
        raise err
    data = load_yaml(text, source, RoleplayError)
    rp = validate(Roleplay, data, source, RoleplayError,
                  what="kind: roleplay, id, title, start, nodes; see roleplays/",
                  what_zh="kind: roleplay、id、title、start、nodes（参见 roleplays/ 中的示例）")
    problems = graph_problems(rp, scenario_dir)
    if problems:
        err = RoleplayError(source, [(path, en) for path, en, _ in problems])
        err.problems_zh = [zh for _, _, zh in problems]
        raise err
    return rp


def load_roleplay(path: str | Path, scenario_dir: Path | None = SCENARIO_DIR) -> Roleplay:
    """Read a conversation file; every failure is a RoleplayError naming the file."""
    return parse_roleplay(read_text(path, RoleplayError), str(path), scenario_dir)


def json_schema() -> dict:
    """The JSON Schema of a conversation file (committed as roleplays/roleplay.schema.json)."""
    schema = Roleplay.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Bianque role-play conversation"
    return schema


def roleplay_paths(directory: Path = ROLEPLAY_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if re.match(r"^[a-z0-9_\-]+\.yaml$", p.name))


def shipped(directory: Path = ROLEPLAY_DIR) -> dict[str, Roleplay]:
    """The loadable conversations of a folder, read again only when a file changes."""
    paths = roleplay_paths(directory)
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in paths)
    return dict(_shipped(str(directory), stamp))


@functools.lru_cache(maxsize=4)
def _shipped(directory: str, stamp: tuple) -> dict[str, Roleplay]:
    return load_all(Path(directory), skip_broken=True)


def load_all(directory: Path = ROLEPLAY_DIR, skip_broken: bool = False) -> dict[str, Roleplay]:
    """Every conversation in a folder by id; a broken file raises, or is left out if asked
    (a case in play must not stop because someone is editing a conversation)."""
    out: dict[str, Roleplay] = {}
    for p in roleplay_paths(directory):
        try:
            rp = load_roleplay(p)
        except RoleplayError:
            if skip_broken:
                continue
            raise
        out[rp.id] = rp
    return out
