"""Open every page an instructor or an admin can open, through AppTest, and every value of
the review pages' pickers: each page must run without an exception, and show no raw
catalogue key and (in Chinese) no English sentence. Used by test_review_crawl.py (a few
cases, fast) and by hand on every shipped case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from training import accounts
from training.db import get_database
from training.i18n import catalogue

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "app_pages"
TIMEOUT = 120

KEYS = {k for lang in ("zh", "en") for k in catalogue(lang)}
"""Every catalogue key: one shown as it is is a text the page forgot to look up."""
KEY_SHAPE = re.compile(r"\b[a-z_]+(?:\.[a-z0-9_]+)+\b")
ENGLISH = re.compile(r"\b[A-Za-z][a-z]{2,}(?:[ ,'-]+[A-Za-z][a-z]+){2,}\b")
"""Three English words running (a sentence or a phrase): in a Chinese page, a leak."""


def texts(at: AppTest) -> list[str]:
    """Every text a reader sees on the page as run: headings, paragraphs, notes, labels,
    picker options, metrics, tab and expander labels, and the tables' headers and cells."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error", "toast"):
        out += [str(e.value) for e in getattr(at, kind)]
    for kind in ("button", "checkbox", "toggle", "text_input", "text_area", "number_input",
                 "slider", "date_input", "time_input", "multiselect"):
        out += [str(e.label) for e in getattr(at, kind)]
    for e in at.selectbox:
        out.append(str(e.label))
        out += [str(o) for o in e.options]
    for e in at.radio:
        out.append(str(e.label))
        out += [str(o) for o in e.options]
    for e in at.metric:
        out += [str(e.label), str(e.value)]
    for kind in ("tabs", "expander"):
        out += [str(e.label) for e in getattr(at, kind)]
    for e in at.get("page_link"):
        out.append(str(e.proto.label))
    for e in at.get("download_button"):
        out.append(str(e.proto.label))
    for e in at.dataframe:
        frame = e.value
        if isinstance(frame, pd.DataFrame):
            out += [str(c) for c in frame.columns]
            for col in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[col]):
                    out += list(dict.fromkeys(str(v) for v in frame[col] if v is not None))
    return out


def leaks(at: AppTest, lang: str, allowed: set[str] = frozenset()) -> list[str]:
    """Texts that are raw catalogue keys, and in Chinese, English phrases (less the
    ``allowed`` ones: people's names, case text the author wrote only in English...)."""
    found = []
    for text in texts(at):
        if any(m in KEYS for m in KEY_SHAPE.findall(text)):
            found.append(f"key: {text[:160]}")
        if lang == "zh":
            rest = text
            for a in allowed:
                rest = rest.replace(a, "")
            m = ENGLISH.search(rest)
            if m:
                found.append(f"english: {m.group(0)!r} in {text[:160]!r}")
    return found


def app(user, lang: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = str(v)
    at.session_state["auth_token"] = accounts.open_session(get_database(), user)
    return at.run()


def offered(at: AppTest) -> list[str]:
    """The page files the navigation offers this user."""
    out = []
    for path in sorted(PAGES.glob("*.py")):
        try:
            at.switch_page(f"app_pages/{path.name}")
        except ValueError:
            continue
        out.append(path.name)
    return out


def visits(user, lang: str, attempts: dict[str, list[int]],
           picks: dict[str, list]) -> Iterator[tuple[str, AppTest]]:
    """Every page the navigation offers ``user``, then every pick of the review pages:
    each (where, the AppTest after the run). ``attempts``: attempt id -> the months to
    replay in it (the page opens on the last played);
    ``picks``: a review page's select box key -> the values to pick in it (AppTest picks
    by value: an option's shown text may be formatted in another language)."""
    at = app(user, lang)
    yield "start", at
    pages = offered(at)
    for name in pages:  # each in a new session, as a link opens it (AppTest would carry
        # the last page's widgets into the next run)
        at = app(user, lang)
        at.switch_page(f"app_pages/{name}")
        yield name, at.run()
    if "cohort_dashboard.py" in pages:
        at = app(user, lang)
        at.switch_page("app_pages/cohort_dashboard.py")
        at.run()
        for box in ("dash_cohort", "export_table", "dash_attempt"):
            if not [s for s in at.selectbox if s.key == box]:
                continue
            for value in picks.get(box, []):
                at.selectbox(key=box).set_value(value)
                yield f"cohort_dashboard.py {box}={value}", at.run()
    if "cohort_pairs.py" in pages:
        at = app(user, lang)
        at.switch_page("app_pages/cohort_pairs.py")
        at.run()
        for box in ("cp_roleplay", "cp_open", "cp_assignment"):  # the conversations are
            # the first assignment's: picked before another assignment is
            if not [s for s in at.selectbox if s.key == box]:
                continue
            for value in picks.get(box, []):
                at.selectbox(key=box).set_value(value)
                yield f"cohort_pairs.py {box}={value}", at.run()
    for aid, months in attempts.items():
        at = app(user, lang, review=aid)
        at.switch_page("app_pages/attempt_review.py")
        at.run()
        yield f"review {aid} last", at
        for month in months:
            at.slider(key=f"review_month_{aid}").set_value(month)
            yield f"review {aid} month {month}", at.run()
