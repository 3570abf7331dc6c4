"""Reading role-play conversation files: the careful loader (the scenario loader's, with
its size limit and duplicate-key check), the checks of the conversation as a graph, and
the shipped set in ``roleplays/``."""

from __future__ import annotations

import functools
import re
from collections import deque
from pathlib import Path

from sim.inputs import MAX_FILE_BYTES, load_yaml, read_text, validate
from sim.roleplay import Roleplay
from sim.scenario import ScenarioError, load_scenario

ROLEPLAY_DIR = Path(__file__).resolve().parent.parent / "roleplays"
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"


class RoleplayError(ScenarioError):
    """A conversation file could not be loaded; `problems` lists (field path, message)."""


def graph_problems(rp: Roleplay, scenario_dir: Path | None = SCENARIO_DIR) -> list[tuple[str, str]]:
    """What is wrong with the conversation as a graph, as (field path, message with a fix)."""
    out: list[tuple[str, str]] = []
    ids = list(rp.nodes)
    if rp.start not in rp.nodes:
        out.append(("start", f"no node '{rp.start}' (nodes are: {', '.join(ids[:8])}); "
                    "name one of the nodes"))
    for nid, node in rp.nodes.items():
        if node.lines[-1].when is not None:
            out.append((f"nodes.{nid}.lines[{len(node.lines) - 1}].when",
                        "the last line of a node must have no 'when', so every borrower has "
                        "something to say; remove 'when' from it or add a plain line after it"))
        seen: set[str] = set()
        for k, ch in enumerate(node.choices):
            where = f"nodes.{nid}.choices[{k}]"
            if ch.id in seen:
                out.append((f"{where}.id", f"choice id '{ch.id}' is used twice in this node; "
                            "give each choice its own id"))
            seen.add(ch.id)
            if ch.next is not None and ch.next not in rp.nodes:
                out.append((f"{where}.next", f"no node '{ch.next}'; name one of the nodes "
                            "or remove 'next' to end the conversation"))
    reach = _reachable(rp)
    for nid in ids:
        if rp.start in rp.nodes and nid not in reach:
            out.append((f"nodes.{nid}", "no choice leads to this node (unreachable); point a "
                        "choice's 'next' at it or delete it"))
    if rp.start in rp.nodes and not any(not rp.nodes[n].choices or any(
            c.next is None for c in rp.nodes[n].choices) for n in reach):
        out.append(("nodes", "the conversation never ends: give one node no choices or one "
                    "choice no 'next'"))
    if rp.borrower is not None and rp.case is None:
        out.append(("borrower", "a borrower belongs to a case: add 'case' or remove 'borrower'"))
    if rp.lesson is not None and scenario_dir is not None and LESSON_DIR.is_dir() and not (
            LESSON_DIR / "en" / f"{rp.lesson}.md").exists():
        out.append(("lesson", f"no lesson '{rp.lesson}' in lessons/en/; use a lesson's id or "
                    "remove 'lesson'"))
    if rp.case is not None and scenario_dir is not None:
        path = scenario_dir / f"{rp.case}.yaml"
        if not path.exists():
            out.append(("case", f"no case '{rp.case}' in scenarios/; use the file name of a "
                        "case without .yaml"))
        elif rp.borrower is not None:
            try:
                sc = load_scenario(path)
            except ScenarioError:
                out.append(("case", f"the case '{rp.case}' does not load; fix it first"))
            else:
                named = [b.id for b in sc.borrowers]
                if rp.borrower not in named:
                    out.append(("borrower", f"case '{rp.case}' has no named borrower "
                                f"'{rp.borrower}'; use one of: {', '.join(named)}"))
    return out


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
        raise RoleplayError(source, [("(file)", f"file is larger than {MAX_FILE_BYTES // 1024} "
                                      "KB; a conversation should be a few KB: split it")])
    data = load_yaml(text, source, RoleplayError)
    rp = validate(Roleplay, data, source, RoleplayError,
                  what="kind: roleplay, id, title, start, nodes; see roleplays/")
    problems = graph_problems(rp, scenario_dir)
    if problems:
        raise RoleplayError(source, problems)
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
