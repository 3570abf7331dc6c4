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
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("bianque_lang", default=None)
_fallback: Callable[[], str | None] | None = None


def set_fallback(source: Callable[[], str | None] | None) -> None:
    """Where the language comes from when this thread has not set one: the app gives its
    session's choice, so a widget's callback (which Streamlit runs before the page, in a
    fresh context) speaks the trainee's language too. Else zh."""
    global _fallback
    _fallback = source


def _now() -> str:
    lang = _current.get()
    if lang is None and _fallback is not None:
        lang = _fallback()
    return lang if lang in LANGS else DEFAULT_LANG


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
    return _now()


def t(key: str, lang: str | None = None, **kw: object) -> str:
    """The text of ``key`` in the current (or given) language; the key itself when missing."""
    text = catalogue(lang or _now()).get(key)
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
    if (lang or _now()) != "en" or not text:
        return text or "—"
    words = " ".join(text.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:]


def term(group: str, value: object, lang: str | None = None) -> str:
    """The catalogue word for an engine value (``industry.real_estate``), else ``readable_id``."""
    key = f"{group}.{value}"
    text = catalogue(lang or _now()).get(key)
    return readable_id(value, lang) if text is None else text


def pick(row: object, lang: str | None = None) -> str:
    """The zh or en field of an engine record (a dict, a Series or an object with .zh/.en)."""
    lang = lang or _now()
    if hasattr(row, "get") and not hasattr(row, "zh"):
        return str(row.get(lang, ""))  # type: ignore[union-attr]
    return str(getattr(row, lang, ""))


def question_numbers(numbers: list[int], lang: str | None = None) -> str:
    """Numbers of quiz questions as a refusal names them: "1、2" (the Chinese sentence
    around them says 第…题), "question 2", "questions 1, 2 and 4"."""
    lang = lang or _now()
    shown = [str(n) for n in numbers]
    if len(shown) == 1:
        return t("quiz.question_one", lang, n=shown[0])
    return t("quiz.question_other", lang, n=("、" if lang == "zh" else ", ").join(shown[:-1]),
             last=shown[-1])


def cls_name(cls: int | str, lang: str | None = None) -> str:
    """Name of a five-category class given its index (0-4) or key ("normal", ...)."""
    from sim.codes import CLASS_KEYS

    key = CLASS_KEYS[int(cls)] if not isinstance(cls, str) else cls
    return t(f"cls.{key}", lang)


def fmt_cny(amount: float | None, lang: str | None = None) -> str:
    """Money for people, with its unit (万元 in Chinese, CNY thousands in English); see training.units."""
    from training.units import money

    return money(amount, lang)


def fmt_pct(share: float | None, digits: int = 2) -> str:
    from training.units import pct

    return pct(share, digits)


def fmt_hours(hours: float | None, lang: str | None = None) -> str:
    from training.units import hours as fmt

    return fmt(hours, lang)
