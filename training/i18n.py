"""Translation catalogues (zh, en) for every string the app shows.

The catalogues live in ``training/locales/<lang>.yaml`` and, one file per area of
the app, ``training/locales/<lang>/*.yaml``, as nested mappings; a key is the
dotted path to a leaf (``desk.end_month``) and is defined in one file only. ``t(key, **kw)`` looks the key
up in the current language and fills ``{placeholders}`` with ``str.format``.

The current language is a ``ContextVar``: Streamlit runs each session's script in
its own thread, so one session's switch never leaks into another's run. The app's
entry file calls ``set_lang`` at the top of every run; code outside Streamlit
(reports, the CLI) passes ``lang=`` explicitly.
"""

from __future__ import annotations

import contextvars
import math
from functools import cache
from pathlib import Path

import yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("bianque_lang", default=DEFAULT_LANG)


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in tree.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = str(v)
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flattened catalogue of one language (loaded once per process)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    files = [LOCALES_DIR / f"{lang}.yaml", *sorted((LOCALES_DIR / lang).glob("*.yaml"))]
    out: dict[str, str] = {}
    for path in files:
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            part = _flatten(yaml.safe_load(fh) or {})
        clash = sorted(set(part) & set(out))
        if clash:
            raise ValueError(f"{path.name}: keys already defined in another catalogue: {clash[:5]}")
        out.update(part)
    return out


def set_lang(lang: str) -> str:
    """Make ``lang`` the current language of this thread; unknown values fall back to zh."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    _current.set(lang)
    return lang


def get_lang() -> str:
    return _current.get()


def t(key: str, lang: str | None = None, **kw: object) -> str:
    """The text of ``key`` in the current (or given) language; the key itself when missing."""
    text = catalogue(lang or _current.get()).get(key)
    if text is None:
        return key
    return text.format(**kw) if kw else text


def readable_id(value: object, lang: str | None = None) -> str:
    """An engine or scenario id for people when no catalogue has a word for it.

    English gets the id as a phrase (``real_estate`` -> ``Real estate``); Chinese keeps
    the raw id (there is no sensible automatic rendering). Missing values show "—".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = str(value).strip()
    if (lang or _current.get()) != "en" or not text:
        return text or "—"
    words = " ".join(text.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:]


def term(group: str, value: object, lang: str | None = None) -> str:
    """The catalogue word for an engine value (``industry.real_estate``), else ``readable_id``."""
    key = f"{group}.{value}"
    text = catalogue(lang or _current.get()).get(key)
    return readable_id(value, lang) if text is None else text


def pick(row: object, lang: str | None = None) -> str:
    """The zh or en field of an engine record (a dict, a Series or an object with .zh/.en)."""
    lang = lang or _current.get()
    if hasattr(row, "get") and not hasattr(row, "zh"):
        return str(row.get(lang, ""))  # type: ignore[union-attr]
    return str(getattr(row, lang, ""))


def cls_name(cls: int | str, lang: str | None = None) -> str:
    """Name of a five-category class given its index (0-4) or key ("normal", ...)."""
    from sim.scenario import CLASS_KEYS

    key = CLASS_KEYS[int(cls)] if not isinstance(cls, str) else cls
    return t(f"cls.{key}", lang)


def fmt_cny(amount: float | None, lang: str | None = None) -> str:
    """Money for people: 万/亿 in Chinese, k/m/bn in English."""
    lang = lang or _current.get()
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "—"
    a = float(amount)
    sign = "-" if a < 0 else ""
    a = abs(a)
    if lang == "zh":
        if a >= 1e8:
            return f"{sign}{a / 1e8:,.2f} 亿元"
        if a >= 1e7:
            return f"{sign}{a / 1e4:,.0f} 万元"
        if a >= 1e4:
            return f"{sign}{a / 1e4:,.1f} 万元"
        return f"{sign}{a:,.0f} 元"
    if a >= 1e9:
        return f"{sign}CNY {a / 1e9:,.2f}bn"
    if a >= 1e6:
        return f"{sign}CNY {a / 1e6:,.2f}m"
    if a >= 1e3:
        return f"{sign}CNY {a / 1e3:,.1f}k"
    return f"{sign}CNY {a:,.0f}"


def fmt_pct(share: float | None, digits: int = 2) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.{digits}f}%"


def fmt_hours(hours: float | None) -> str:
    if hours is None:
        return "—"
    return f"{hours:,.1f} h" if hours % 1 else f"{hours:,.0f} h"
