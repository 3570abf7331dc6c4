"""The authoring page's form helpers and text callbacks.

Each form builds one piece of a case as its schema model (a Segment, a macro
event, a named borrower...), so a bad field is reported with its name before the
case is touched; training.authoring then writes the piece into the YAML text.
Callbacks run before the page script, so the editor shows the new text in the
same run. Whatever replaces the text keeps the previous text for undo (the last
UNDO_STEPS of them), and an undo can be redone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import BaseModel, ValidationError

from sim.codes import PRODUCTS
from sim.field_types import Text
from sim.policy import Staff
from sim.segments import Segment
from sim.storyline import Disaster, LprChange, NamedBorrower, PolicyShock, Recession, ScriptedEvent
from training import authoring
from training.authoring import AuthoringError, Section
from training.i18n import get_lang, t

TEXT_KEY = "author_text"
"""The case text: a plain key, so it survives a visit to another page (Streamlit drops a
widget's state when the widget is not drawn); the editor widget mirrors it."""
EDITOR_KEY = "author_yaml"
UNDO_KEY = "author_undo"  # the texts replaced, oldest first
REDO_KEY = "author_redo"  # the texts undone, the latest last
UNDO_STEPS = 20
"""How many replaced texts undo can bring back (two imports in a row lost the case being
written when it kept one)."""
MSG_KEY = "author_msg"
SENDER_KEY = "author_msg_sender"
"""The form whose callback is running: its message is drawn under it, where the author
pressed the button (drawn at the top of the page, a form's confirmation or refusal sat
a screen above the form, out of sight)."""

REPAYMENTS = ("equal_instalment", "equal_principal", "interest_only_bullet")
COLLATERALS = ("none", "property", "land", "construction", "equipment", "receivables", "deposit")
GUARANTEES = ("none", "single", "mutual", "chain")
MACRO_TYPES = ("lpr_change", "policy_shock", "recession", "disaster")
SCRIPTED_KINDS = ("health_shock", "diversion_start", "key_person_leaves", "lawsuit_filed",
                  "collateral_damage", "sales_drop", "tax_arrears", "recovery")
NEW = -1  # the segment picker's "new segment" entry
GEN_SEED_MAX = 2**31 - 1  # the generator's seed, as numpy takes it


FIELD_LABELS: dict[str, str] = {
    "id": "id", "name.zh": "name_zh", "name.en": "name_en", "product": "product",
    "count": "count", "amount.median_cny": "median_cny", "term_months": "term_months",
    "repayment": "repayment", "rate.kind": "rate_kind", "rate.annual": "rate",
    "rate.spread": "rate", "pd_annual": "pd_annual", "rho": "rho", "industry": "industry",
    "region": "region", "collateral.type": "collateral", "collateral.ltv": "ltv",
    "guarantee.structure": "guarantee", "guarantee.share": "guarantee_share",
    "type": "macro_type", "month": "month", "delta_bp": "delta_bp", "severity": "severity",
    "duration_months": "duration_months", "segments": "segments", "segment": "segment",
    "amount_cny": "amount_cny", "company.zh": "company_zh", "company.en": "company_en",
    "legal_rep.zh": "rep_zh", "legal_rep.en": "rep_en", "guarantor": "guarantor",
    "diverts": "diverts", "kind": "event_kind", "note.zh": "note_zh", "note.en": "note_en",
    "officers": "officers", "hours_per_officer_month": "hours_per_officer",
    "zh": "text_zh", "en": "text_en"}
"""A form's field by the path its problem names (author.f.<label>): the form shows the
label, not the YAML key, so a problem names the box the author typed in."""


def field_label(path: str, lang: str) -> str:
    """A form problem's field as the form labels it, with its YAML path ("Company
    (English) · company.en"); a path no form field carries (a list item) as it is."""
    if path == authoring.FILE_PATH:  # a YAML error: the file, in the page's language
        return t("author.whole_file", lang)
    # macro[1].month is the form's Month; segments[0] of a policy shock its Segments
    key = FIELD_LABELS.get(path) or FIELD_LABELS.get(path.rsplit(".", 1)[-1]) or \
        FIELD_LABELS.get(path.split("[")[0])
    return f"{t('author.f.' + key, lang)} · {path}" if key else path


# --- the text and its messages ------------------------------------------------------------
def message(kind: str, key: str, rows: tuple[authoring.Problem, ...] = (), **kw: Any) -> None:
    """A message for the page to draw: kind is success/error/info, key a catalogue key
    (translated when drawn: callbacks run before the page sets this run's language), rows
    the problems of a form's fields (said in the page's language when drawn)."""
    st.session_state[MSG_KEY] = (kind, key, kw, tuple(rows), st.session_state.get(SENDER_KEY))


def sent_from(form: str, callback: Callable[..., None]) -> Callable[..., None]:
    """``callback`` for the button of ``form``: the message it leaves is drawn under it."""
    def run(*args: Any) -> None:
        st.session_state[SENDER_KEY] = form
        try:
            callback(*args)
        finally:
            st.session_state.pop(SENDER_KEY, None)
    return run


def draw_message(form: str | None = None, *, any_form: bool = False) -> None:
    """The message left by the last callback, when ``form`` sent it (None: the top of the
    page, for loading, importing and undoing; ``any_form``: whichever form sent it, for a
    form not drawn this run)."""
    msg = st.session_state.get(MSG_KEY)
    if not msg or (msg[4] != form and not any_form):
        return
    del st.session_state[MSG_KEY]
    kind, key, kw, rows, _ = msg
    getattr(st, kind)(t(key, **kw))
    if rows:  # a static table, which wraps every message (see the page's problem table)
        lang = get_lang()
        st.table(pd.DataFrame([(field_label(p.path, lang), p.text(lang)) for p in rows],
                              columns=[t("author.col.field"), t("author.col.problem")]),
                 hide_index=True)


def keep_draft() -> bool:
    """Keep the case text as the signed-in author's draft (training.publishing), so a
    reload, a closed tab or an expired session does not lose it; whether it was kept.
    Keeping it must never cost the edit: a database problem leaves the text on the page
    as it is, and the page keeps it on its next run (``DRAFT_FAILED_KEY`` stays set until
    then)."""
    from app_pages import common
    from training import publishing

    try:
        publishing.save_draft(common.db(), common.current_user(), _v(TEXT_KEY) or "")
    except Exception:  # noqa: BLE001 - the edit stands; the draft is a convenience
        st.session_state[DRAFT_FAILED_KEY] = True
        return False
    st.session_state.pop(DRAFT_FAILED_KEY, None)
    return True


DRAFT_FAILED_KEY = "author_draft_failed"


def _set_text(new: str) -> None:
    """The case text is now `new`: kept as the author's draft too."""
    st.session_state[TEXT_KEY] = new
    keep_draft()


def editor_changed() -> None:
    """The author typed: the editor's text becomes the case text."""
    _set_text(st.session_state.get(EDITOR_KEY, ""))
    _repick_segment()


def _repick_segment() -> None:
    """After the text changed under the segment form (typed, undone): the same segment by
    its place, its form filled from the new text, so the picker's label and the form never
    show a segment the text no longer has."""
    index = _seg_index()
    if index != NEW and authoring.segment_at(_v(TEXT_KEY) or "", index) is None:
        index = NEW
    st.session_state["seg_pick"] = index
    fill_segment_form()


def replace_text(new: str) -> None:
    """Put new text in the editor, keeping the old for undo (the redo steps are dropped:
    they were undone from another text)."""
    old = st.session_state.get(TEXT_KEY, "")
    if new != old:
        kept = [*st.session_state.get(UNDO_KEY, []), old][-UNDO_STEPS:]
        st.session_state[UNDO_KEY] = kept
        st.session_state.pop(REDO_KEY, None)
    _set_text(new)


def _step(take: str, give: str, said: str) -> None:
    """Bring back the latest text of stack ``take``; the text it replaces goes on ``give``."""
    stack = list(st.session_state.get(take, []))
    if not stack:
        return
    back = stack.pop()
    if stack:
        st.session_state[take] = stack
    else:
        st.session_state.pop(take, None)
    st.session_state[give] = [*st.session_state.get(give, []),
                              st.session_state.get(TEXT_KEY, "")][-UNDO_STEPS:]
    _set_text(back)
    _repick_segment()
    message("info", said)


def undo() -> None:
    _step(UNDO_KEY, REDO_KEY, "author.undone")


def redo() -> None:
    _step(REDO_KEY, UNDO_KEY, "author.redone")


def _apply(edit: Callable[[str], str], done_key: str, check: bool = True) -> bool:
    """Run a helper on the editor text; a refusal becomes a message, the text is kept.
    ``check``: refuse an entry that would bring the case new problems, naming them (a
    removal is not checked: what it leaves dangling is listed under the editor).
    Whether the edit was made."""
    old = st.session_state.get(TEXT_KEY, "")
    try:
        new = edit(old)
        if check:
            new = authoring.checked_edit(old, new)
    except authoring.EditBreaksCase as err:
        message("error", "author.form_breaks_case", err.problems)
        return False
    except AuthoringError as err:
        message("error", f"author.error.{err.key}", detail=err.detail)
        return False
    replace_text(new)
    message("success", done_key)
    return True


def _build(model: type[BaseModel], data: dict[str, Any]) -> BaseModel | None:
    """The piece as its schema model; its problems become a message naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        message("error", "author.form_invalid", authoring.form_problems(err, model))
        return None


def _v(key: str) -> Any:
    return st.session_state.get(key)


def _text(prefix: str) -> dict[str, str]:
    return {"zh": (_v(f"{prefix}_zh") or "").strip(), "en": (_v(f"{prefix}_en") or "").strip()}


# --- where a case starts and imports -------------------------------------------------------
def load_start() -> None:
    source = _v("author_start")
    try:
        if source == authoring.Start.SHIPPED:
            new = authoring.shipped_text(_v("author_start_case"))
        elif source == authoring.Start.GENERATED:
            if not 0 <= int(_v("author_gen_seed") or 0) <= GEN_SEED_MAX:  # said under the box
                message("error", "common.fix_numbers")
                return
            new = authoring.generated_text(int(_v("author_gen_seed") or 0),
                                           _v("author_gen_products") or None,
                                           _v("author_gen_shocks") or None,
                                           _v("author_gen_staffing") or None)
        else:
            new = authoring.blank_text()
    except AuthoringError as err:
        message("error", f"author.error.{err.key}", detail=err.detail)
        return
    except Exception as exc:  # the generator is another team's code: report, never crash
        message("error", "author.error.generator_failed", detail=f"{type(exc).__name__}: {exc}")
        return
    replace_text(new)
    # a generated case is a draft (published: false, briefing to follow): say what is left
    message("success", "author.loaded_generated" if source == authoring.Start.GENERATED
            else "author.loaded")


def load_upload() -> None:
    uploaded = _v("author_upload")
    if uploaded is None:
        message("error", "author.error.no_upload")
        return
    if uploaded.size > authoring.MAX_UPLOAD_BYTES:  # refuse before reading it all
        message("error", "author.error.upload_too_large",
                detail=f"{uploaded.size // 1024} KB > {authoring.MAX_UPLOAD_BYTES // 1024} KB")
        return
    try:
        new = authoring.read_upload(uploaded.getvalue())
    except AuthoringError as err:
        message("error", f"author.error.{err.key}", detail=err.detail)
        return
    replace_text(new)
    # the file's name is not echoed: it is user text
    problems = len(authoring.validate_text(new).problems)
    if problems:  # in the editor to be fixed, said so (not a green "done")
        message("warning", f"author.imported_problems_{'one' if problems == 1 else 'other'}",
                n=problems)
    else:
        message("success", "author.imported")


# --- segments ----------------------------------------------------------------------------
SEGMENT_DEFAULTS: dict[str, Any] = {
    "seg_id": "", "seg_name_zh": "", "seg_name_en": "", "seg_product": "small_business",
    "seg_count": 30, "seg_median": 1_000_000.0, "seg_term": 24,
    "seg_repayment": "equal_instalment", "seg_rate_kind": "fixed", "seg_rate": 0.045,
    "seg_pd": 0.03, "seg_rho": 0.12, "seg_industry": "manufacturing", "seg_region": "zhejiang",
    "seg_collateral": "property", "seg_ltv": 0.6, "seg_guarantee": "none", "seg_share_guaranteed": 0.0,
}


def _seg_index() -> int:
    """The picked segment's index, or NEW. The picker keeps its choice by the label it
    showed, and a label names the segment's id: after a rename, an undo or a new text the
    old label matches nothing and the picker hands back text, which picks nothing."""
    index = _v("seg_pick")
    return index if isinstance(index, int) else NEW


def fill_segment_form() -> None:
    """Copy the picked segment into the form (or the defaults for a new one)."""
    index = _seg_index()
    seg = None if index == NEW else authoring.segment_at(_v(TEXT_KEY) or "", index)
    values = dict(SEGMENT_DEFAULTS)
    if seg is not None:
        values.update({
            "seg_id": seg.id, "seg_name_zh": seg.name.zh, "seg_name_en": seg.name.en,
            "seg_product": seg.product, "seg_count": seg.count,
            "seg_median": float(seg.amount.median_cny), "seg_term": seg.term_months,
            "seg_repayment": seg.repayment, "seg_rate_kind": seg.rate.kind,
            "seg_rate": float(seg.rate.annual if seg.rate.kind == "fixed" else seg.rate.spread),
            "seg_pd": seg.pd_annual, "seg_rho": seg.rho, "seg_industry": seg.industry,
            "seg_region": seg.region, "seg_collateral": seg.collateral.type,
            "seg_ltv": seg.collateral.ltv, "seg_guarantee": seg.guarantee.structure,
            "seg_share_guaranteed": seg.guarantee.share})
    st.session_state.update(values)


def save_segment() -> None:
    index = _seg_index()
    old = None if index == NEW else authoring.segment_at(_v(TEXT_KEY) or "", index)
    kind = _v("seg_rate_kind")
    rate = {"kind": kind, ("annual" if kind == "fixed" else "spread"): _v("seg_rate")}
    data = old.model_dump(exclude_defaults=True) if old is not None else {}
    data.update({
        "id": (_v("seg_id") or "").strip(), "name": _text("seg_name"),
        "product": _v("seg_product"), "count": int(_v("seg_count")),
        "amount": {**data.get("amount", {}), "median_cny": float(_v("seg_median"))},
        "term_months": int(_v("seg_term")), "repayment": _v("seg_repayment"),
        "rate": {**{k: v for k, v in data.get("rate", {}).items()
                    if k in ("base", "reset_months")}, **rate},
        "pd_annual": float(_v("seg_pd")), "rho": float(_v("seg_rho")),
        "industry": (_v("seg_industry") or "").strip(), "region": (_v("seg_region") or "").strip(),
        # an unsecured segment has no ltv (the form's field is left over from another type)
        "collateral": {"type": _v("seg_collateral")} if _v("seg_collateral") == "none"
        else {"type": _v("seg_collateral"), "ltv": float(_v("seg_ltv"))},
        "guarantee": {**data.get("guarantee", {}), "structure": _v("seg_guarantee"),
                      "share": float(_v("seg_share_guaranteed"))},
    })
    seg = _build(Segment, data)
    if seg is None:
        return
    if old is None:
        if _apply(lambda text: authoring.add_segment(text, seg), "author.segment_added"):
            # the new segment stays picked, by its index (its label is new)
            st.session_state["seg_pick"] = len(authoring.items(_v(TEXT_KEY) or "",
                                                               Section.SEGMENTS)) - 1
    elif _apply(lambda text: authoring.replace_segment(text, index, seg),
                "author.segment_saved"):
        st.session_state["seg_pick"] = index  # a renamed segment stays picked


def segment_form(text: str, lang: str) -> None:
    segs = authoring.items(text, Section.SEGMENTS)
    options = [NEW, *range(len(segs))]
    if _v("seg_pick") not in options:
        st.session_state["seg_pick"] = NEW
        fill_segment_form()
    st.selectbox(t("author.segment_pick"), options, key="seg_pick", on_change=fill_segment_form,
                 format_func=lambda i: t("author.segment_new", lang) if i == NEW else
                 authoring.item_label(Section.SEGMENTS, segs[i], lang))
    for k, v in SEGMENT_DEFAULTS.items():
        st.session_state.setdefault(k, v)
    with st.form("segment_form", border=False):
        c1, c2, c3 = st.columns(3)
        c1.text_input(t("author.f.id"), key="seg_id", help=t("author.f.id_help"))
        c2.text_input(t("author.f.name_zh"), key="seg_name_zh")
        c3.text_input(t("author.f.name_en"), key="seg_name_en")
        c1.selectbox(t("author.f.product"), PRODUCTS, key="seg_product",
                     format_func=lambda p: t(f"product.{p}", lang))
        c2.number_input(t("author.f.count", lang), step=1,
                        key="seg_count")
        c3.number_input(t("author.f.median_cny"), step=100_000.0,
                        format="%.0f", key="seg_median")
        c1.number_input(t("author.f.term_months"), step=1,
                        key="seg_term")
        c2.selectbox(t("author.f.repayment"), REPAYMENTS, key="seg_repayment",
                     format_func=lambda r: t(f"repayment.{r}", lang))
        c3.selectbox(t("author.f.rate_kind", lang), ("fixed", "floating"), key="seg_rate_kind",
                     format_func=lambda k: t(f"author.rate_kind.{k}", lang))
        c1.number_input(t("author.f.rate", lang), step=0.001,
                        format="%.4f", key="seg_rate", help=t("author.f.rate_help"))
        c2.number_input(t("author.f.pd_annual"), step=0.005, format="%.4f", key="seg_pd",
                        help=t("author.f.pd_help"))
        c3.number_input(t("author.f.rho"), step=0.01,
                        format="%.2f", key="seg_rho", help=t("author.f.rho_help"))
        c1.text_input(t("author.f.industry"), key="seg_industry")
        c2.text_input(t("author.f.region"), key="seg_region")
        c3.selectbox(t("author.f.collateral"), COLLATERALS, key="seg_collateral",
                     format_func=lambda c: t(f"collateral.{c}", lang))
        c1.number_input(t("author.f.ltv", lang), step=0.05,
                        format="%.2f", key="seg_ltv", help=t("author.f.ltv_help"))
        c2.selectbox(t("author.f.guarantee"), GUARANTEES, key="seg_guarantee",
                     format_func=lambda g: t(f"author.guarantee.{g}", lang))
        c3.number_input(t("author.f.guarantee_share", lang), step=0.05,
                        format="%.2f", key="seg_share_guaranteed",
                        help=t("author.f.guarantee_share_help"))
        label = t("author.segment_add") if _seg_index() == NEW else t("author.segment_save")
        st.form_submit_button(label, on_click=sent_from("segment", save_segment),
                              type="primary")
    draw_message("segment")


# --- macro events ----------------------------------------------------------------------
MACRO_MODELS: dict[str, type[BaseModel]] = {
    "lpr_change": LprChange, "policy_shock": PolicyShock, "recession": Recession,
    "disaster": Disaster}


def add_macro() -> None:
    kind = _v("macro_type")
    data: dict[str, Any] = {"type": kind, "month": int(_v("macro_month"))}
    if kind == "lpr_change":
        data["delta_bp"] = int(_v("macro_delta_bp"))
    else:
        data["severity"] = float(_v("macro_severity"))
        data["duration_months"] = int(_v("macro_duration"))
    if kind == "policy_shock":
        data["segments"] = list(_v("macro_segments") or [])
    if kind == "disaster":
        data["region"] = (_v("macro_region") or "").strip()
    name = _text("macro_name")
    if name["zh"] or name["en"]:
        data["name"] = name
    event = _build(MACRO_MODELS[kind], data)
    if event is not None:
        _apply(lambda text: authoring.add_macro_event(text, event), "author.macro_added")


def macro_form(text: str) -> None:
    lang = get_lang()
    seg_ids = [str(s.get("id", "")) for s in authoring.items(text, Section.SEGMENTS)]
    with st.form("macro_form", border=False):
        c1, c2, c3 = st.columns(3)
        c1.selectbox(t("author.f.macro_type"), MACRO_TYPES, key="macro_type",
                     format_func=lambda k: t(f"author.macro_type.{k}", lang))
        c2.number_input(t("author.f.month", lang), value=3, step=1,
                        key="macro_month")
        c3.number_input(t("author.f.delta_bp"), value=25,
                        step=5, key="macro_delta_bp", help=t("author.f.only_lpr"))
        c1.number_input(t("author.f.severity"), value=1.0,
                        step=0.1, key="macro_severity", help=t("author.f.not_lpr"))
        c2.number_input(t("author.f.duration_months"), value=12,
                        step=1, key="macro_duration", help=t("author.f.not_lpr"))
        c3.multiselect(t("author.f.segments"), seg_ids, key="macro_segments",
                       help=t("author.f.only_policy"), select_all=False, placeholder=t("common.pick_some"))
        c1.text_input(t("author.f.region"), key="macro_region", help=t("author.f.only_disaster"))
        c2.text_input(t("author.f.name_zh"), key="macro_name_zh")
        c3.text_input(t("author.f.name_en"), key="macro_name_en")
        st.form_submit_button(t("author.macro_add"), on_click=sent_from("macro", add_macro),
                              type="primary")
    draw_message("macro")


# --- named borrowers and their scripted events ---------------------------------------------
def add_named_borrower() -> None:
    data: dict[str, Any] = {
        "id": (_v("bor_id") or "").strip(), "segment": _v("bor_segment"),
        "company": _text("bor_company"), "legal_rep": _text("bor_rep"),
        "diverts": bool(_v("bor_diverts"))}
    if _v("bor_amount"):
        data["amount_cny"] = float(_v("bor_amount"))
    if _v("bor_guarantor"):
        data["guarantor"] = _v("bor_guarantor")
    borrower = _build(NamedBorrower, data)
    if borrower is not None:
        _apply(lambda text: authoring.add_borrower(text, borrower), "author.borrower_added")


def add_scripted_event() -> None:
    data: dict[str, Any] = {"month": int(_v("ev_month")), "kind": _v("ev_kind"),
                            "severity": float(_v("ev_severity"))}
    note = _text("ev_note")
    if note["zh"] or note["en"]:
        data["note"] = note
    event = _build(ScriptedEvent, data)
    who = _v("ev_borrower")
    if event is not None and who:
        _apply(lambda text: authoring.add_borrower_event(text, who, event), "author.event_added")
    elif event is not None:
        message("error", "author.error.no_borrower")


def borrower_forms(text: str) -> None:
    lang = get_lang()
    seg_ids = [str(s.get("id", "")) for s in authoring.items(text, Section.SEGMENTS)]
    bor_ids = [str(b.get("id", "")) for b in authoring.items(text, Section.BORROWERS)]
    st.markdown(f"**{t('author.borrower_new')}**")
    with st.form("borrower_form", border=False):
        c1, c2, c3 = st.columns(3)
        c1.text_input(t("author.f.id"), key="bor_id", help=t("author.f.id_help"))
        c2.selectbox(t("author.f.segment"), seg_ids, key="bor_segment")
        c3.number_input(t("author.f.amount_cny"), value=0.0, step=100_000.0,
                        format="%.0f", key="bor_amount", help=t("author.f.amount_help"))
        c1.text_input(t("author.f.company_zh"), key="bor_company_zh")
        c2.text_input(t("author.f.company_en"), key="bor_company_en")
        c3.selectbox(t("author.f.guarantor"), ["", *bor_ids], key="bor_guarantor",
                     format_func=lambda b: b or t("author.none", lang))
        c1.text_input(t("author.f.rep_zh", lang), key="bor_rep_zh")
        c2.text_input(t("author.f.rep_en"), key="bor_rep_en")
        c3.checkbox(t("author.f.diverts"), key="bor_diverts")
        st.form_submit_button(t("author.borrower_add"),
                              on_click=sent_from("borrower", add_named_borrower),
                              type="primary")
    draw_message("borrower")
    st.markdown(f"**{t('author.event_new')}**")
    if not bor_ids:
        st.caption(t("author.event_needs_borrower"))
        return
    with st.form("event_form", border=False):
        c1, c2, c3 = st.columns(3)
        c1.selectbox(t("author.f.borrower"), bor_ids, key="ev_borrower")
        c2.number_input(t("author.f.month"), value=3, step=1,
                        key="ev_month")
        c3.selectbox(t("author.f.event_kind"), SCRIPTED_KINDS, key="ev_kind",
                     format_func=lambda k: t(f"author.event_kind.{k}", lang))
        c1.number_input(t("author.f.severity", lang), value=1.0,
                        step=0.1, key="ev_severity")
        c2.text_input(t("author.f.note_zh"), key="ev_note_zh")
        c3.text_input(t("author.f.note_en"), key="ev_note_en")
        st.form_submit_button(t("author.event_add"),
                              on_click=sent_from("event", add_scripted_event), type="primary")
    draw_message("event")


# --- staff, objectives, debrief notes ------------------------------------------------------
def save_staff() -> None:
    staff = _build(Staff, {"officers": int(_v("staff_officers")),
                           "hours_per_officer_month": float(_v("staff_hours"))})
    if staff is not None:
        _apply(lambda text: authoring.set_staff(text, staff), "author.staff_saved")


def staff_form(scenario) -> None:
    """Officers and hours, filled from the case whenever the case's staff changes."""
    # the case's staff; when the case has a problem elsewhere, its staff block as written
    # (a default shown in its place would be saved over the author's figures)
    staff = scenario.staff if scenario is not None else \
        authoring.staff_in_text(_v(TEXT_KEY) or "")
    current = None if staff is None else (staff.officers, float(staff.hours_per_officer_month))
    if current is not None and st.session_state.get("staff_synced") != current:
        st.session_state["staff_officers"], st.session_state["staff_hours"] = current
        st.session_state["staff_synced"] = current
    st.session_state.setdefault("staff_officers", 1)
    st.session_state.setdefault("staff_hours", 60.0)
    with st.form("staff_form", border=False):
        c1, c2 = st.columns(2)
        c1.number_input(t("author.f.officers"), step=1,
                        key="staff_officers")
        c2.number_input(t("author.f.hours_per_officer"), step=5.0, key="staff_hours")
        st.form_submit_button(t("author.staff_save"), on_click=sent_from("staff", save_staff),
                              type="primary")
    draw_message("staff")


def add_text_item(section: Section) -> None:
    prefix = f"txt_{section}"
    item = _build(Text, _text(prefix))
    if item is None:
        return
    helper = authoring.add_objective if section is Section.OBJECTIVES \
        else authoring.add_debrief_note
    _apply(lambda text: helper(text, item), f"author.{section}_added")
    st.session_state[f"{prefix}_zh"] = st.session_state[f"{prefix}_en"] = ""


def text_item_form(section: Section) -> None:
    prefix = f"txt_{section}"
    with st.form(f"{prefix}_form", border=False):
        st.text_area(t("author.f.text_zh"), key=f"{prefix}_zh", height=80)
        st.text_area(t("author.f.text_en"), key=f"{prefix}_en", height=80)
        st.form_submit_button(t(f"author.{section}_add"),
                              on_click=sent_from(str(section), add_text_item),
                              args=(section,), type="primary")
    draw_message(str(section))


# --- removing an entry ---------------------------------------------------------------------
def remove_entry() -> None:
    section, index = Section(_v("rm_section")), _v("rm_item")
    if index is None:
        return
    _apply(lambda text: authoring.remove_item(text, section, int(index)), "author.removed",
           check=False)


def remove_form(text: str) -> None:
    lang = get_lang()
    c1, c2 = st.columns(2)
    section = c1.selectbox(t("author.f.section"), list(Section), key="rm_section",
                           format_func=lambda s: t(f"author.section.{s}", lang))
    entries = authoring.items(text, Section(section))
    c2.selectbox(t("author.f.entry"), list(range(len(entries))), key="rm_item",
                 format_func=lambda i: f"{i + 1}. "
                 f"{authoring.item_label(Section(section), entries[i], lang)}")
    st.button(t("author.remove"), key="rm_button", on_click=sent_from("remove", remove_entry),
              disabled=not entries)
    draw_message("remove")
