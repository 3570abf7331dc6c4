"""The layering contract (design.md): imports point down only.

sim/ never reaches Streamlit, SQLAlchemy or training/ (or the pages); training/
never reaches Streamlit or the pages. Every import counts, at module level or
inside a function (a lazy import), and so does every project module reached
through other project modules.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("sim", "training", "app_pages", "app")
FORBIDDEN = {
    "sim": {"streamlit", "sqlalchemy", "alembic", "training", "app_pages", "app"},
    "training": {"streamlit", "app_pages", "app"},
}


def _module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


@cache
def _imports(name: str) -> frozenset[str]:
    """Every module name module `name` imports, anywhere in its source."""
    path = _module_path(name)
    if path is None:
        return frozenset()
    out = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            out.add(mod)
            # `from pkg import sub` may import a submodule
            out |= {f"{mod}.{a.name}" for a in node.names if _module_path(f"{mod}.{a.name}")}
    return frozenset(out)


def _reached(name: str) -> dict[str, str]:
    """Every module reachable from `name` through project modules -> the module importing it."""
    seen: dict[str, str] = {}
    todo = [name]
    while todo:
        cur = todo.pop()
        for dep in _imports(cur):
            if dep in seen:
                continue
            seen[dep] = cur
            if dep.split(".")[0] in PROJECT and _module_path(dep):
                todo.append(dep)
    return seen


def _modules(package: str) -> list[str]:
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_reaches_the_layers_above_it(layer):
    bad = []
    for mod in _modules(layer):
        for dep, via in _reached(mod).items():
            if dep.split(".")[0] in FORBIDDEN[layer]:
                bad.append(f"{mod} reaches {dep} (imported by {via})")
    assert not bad, "\n".join(bad)


def test_the_scan_sees_lazy_imports(tmp_path, monkeypatch):
    """An import inside a function is found too."""
    pkg = tmp_path / "sim"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "lazy.py").write_text("def f():\n    import streamlit\n    return streamlit\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    _imports.cache_clear()
    try:
        assert "streamlit" in _reached("sim.lazy")
    finally:
        _imports.cache_clear()


def _drawn_strings(source: str) -> list[int]:
    """Lines of a script's top-level bare strings other than its docstring: Streamlit's
    magic writes each one on the page."""
    body = ast.parse(source).body
    return [node.lineno for node in body[1:] if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)]


def test_no_page_draws_a_note_meant_for_its_readers():
    """A note written as a string under a constant is a docstring in a module, but in a
    page script Streamlit's magic drew it at the top of the page (the lab showed 'Session
    key: the uploaded files kept with...'). Pages keep such notes as comments."""
    from app_pages.common import PAGES

    scripts = [ROOT / "app.py", *(ROOT / p for p in PAGES.values())]
    drawn = {str(p.relative_to(ROOT)): lines for p in scripts
             if (lines := _drawn_strings(p.read_text(encoding="utf-8")))}
    assert not drawn, drawn
    assert _drawn_strings('"""doc"""\nX = 1\n"""a note"""\n') == [3]
