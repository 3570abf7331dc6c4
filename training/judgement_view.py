"""Tables and labels for judgement classification and the resolution ledger, in the
trainee's language (the desk and the debrief draw them; no Streamlit here)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from training.i18n import cls_name, get_lang, t
from training.ledger import CLASSIFY, classification_deviation, follow_through, judgements_frame


def action_text(game: Any, key: str, lang: str | None = None) -> str:
    """An action's name: the desk's text for it when it has one, else the catalogue's."""
    lang = lang or get_lang()
    if key == CLASSIFY:
        return t("ledger.what_classify", lang)
    text = getattr(game, "text", None)
    if callable(text):
        zh, en = text("action", key)
        name = zh if lang == "zh" else en
        if name and name != key:
            return name
    it = game.sim.catalogue.get(key)
    return str(getattr(it, lang, key)) if it is not None else key


def reason_text(code: str, lang: str) -> str:
    return t(f"judgement.reason.{code}", lang)


def refusal_text(code: str, lang: str) -> str:
    text = t(f"judgement.reject.{code}", lang)
    return code if text == f"judgement.reject.{code}" else text


def ledger_table(game: Any, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ledger (training.ledger.ledger_frame) with headers and values in ``lang``."""
    cols = ["what", "label", "owner", "made_month", "deadline_month", "status", "done_month"]
    df = frame[cols].copy()
    df["what"] = [action_text(game, w, lang) for w in df["what"]]
    df["status"] = [t(f"ledger.status.{s}", lang) for s in df["status"]]
    df["done_month"] = [int(m) if m >= 0 else "—" for m in df["done_month"]]
    df["done_month"] = df["done_month"].astype(str)
    return df.rename(columns={c: t(f"ledger.col.{c}", lang) for c in cols})


DEVIATION_ROWS_SHOWN = 15
"""How many loans the debrief page's deviation table shows (those booked better than
warranted for the most months: sim.deviation orders them so); the rest open on a click.
A trainee who judged nothing deviates on most of a large book (146 loans on rising_lpr)."""


def deviation_table(game: Any, loans: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per-loan deviation rows (sim.deviation LOAN_COLUMNS) in ``lang``."""
    cols = ["label", "months_on_books", "months_better", "months_worse", "months_judged",
            "worst_gap", "cls_end", "warranted_end"]
    df = loans.assign(label=[game.sim.pf.label(int(i)) for i in loans["loan_id"]])[cols].copy()
    for c in ("cls_end", "warranted_end"):
        df[c] = [cls_name(k, lang) for k in df[c]]
    df["worst_gap"] = [gap_text(int(g), lang) for g in df["worst_gap"]]
    return df.rename(columns={c: t(f"debrief_judgement.col.{c}", lang) for c in cols})


def gap_text(gap: int, lang: str) -> str:
    """A gap in classes (booked - warranted) in words: a bare -1 did not say which way
    was better than warranted."""
    if gap == 0:
        return "—"
    side = "better" if gap < 0 else "worse"
    one = "_one" if abs(gap) == 1 else ""
    return t(f"debrief_judgement.gap_{side}{one}", lang, n=abs(gap))


def judgements_table(game: Any, lang: str) -> pd.DataFrame:
    df = judgements_frame(game)
    cols = ["month", "label", "cls", "reason"]
    df = df[cols].copy()
    df["cls"] = [cls_name(k, lang) for k in df["cls"]]
    df["reason"] = [reason_text(r, lang) for r in df["reason"]]
    return df.rename(columns={c: t(f"debrief_judgement.col.{c}", lang) for c in cols})


def debrief_html_sections(game: Any, lang: str) -> list[str]:
    """The deviation and follow-through sections of the downloadable debrief (HTML)."""
    import html

    from training.i18n import fmt_pct
    from training.report import _html_table

    e = html.escape
    dev = classification_deviation(game)
    ft = follow_through(game)
    out = [f"<h2>{e(t('debrief_judgement.deviation_title', lang))}</h2>",
           f"<p>{e(t('debrief_judgement.deviation_intro', lang))}</p>",
           "<ul>" + "".join(
               f"<li>{e(t(f'debrief_judgement.{k}', lang))}: {e(fmt_pct(v, 1))}</li>"
               for k, v in (("better", dev.share_better), ("worse", dev.share_worse),
                            ("judged", dev.share_judged))) + "</ul>",
           f"<p>{e(t('debrief_judgement.floor_reference', lang, share=fmt_pct(dev.share_floor_better, 1)))}</p>",
           _html_table(deviation_table(game, dev.loans, lang), lang),
           f"<h3>{e(t('debrief_judgement.judgements_title', lang))}</h3>",
           _html_table(judgements_table(game, lang), lang),
           f"<h2>{e(t('debrief_judgement.followthrough_title', lang))}</h2>"]
    if not ft.made:
        return [*out, f"<p>{e(t('debrief_judgement.none_made', lang))}</p>"]
    return [*out, f"<p>{e(t('debrief_judgement.followthrough_line', lang, done=ft.done, due=ft.due, made=ft.made))}</p>",
            _html_table(ledger_table(game, ft.frame, lang), lang)]


__all__ = ["debrief_html_sections", "action_text", "classification_deviation", "deviation_table", "follow_through",
           "judgements_table", "ledger_table", "reason_text", "refusal_text"]
