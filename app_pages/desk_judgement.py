"""The desk's judgement parts: the classify control in the loan file and the resolution
ledger at the review meeting. Logic lives in training.ledger; this only draws and calls."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from training import report
from training.attempts import AttemptWithdrawn, Live
from training.i18n import cls_name, get_lang, t
from training.judgement_view import action_text, ledger_table, reason_text, refusal_text
from training.ledger import LedgerError, judgement_choice, ledger_frame, what_options

MSG = "_judgement_msg"


def _say(where: str, kind: str, text: str) -> None:
    st.session_state[MSG] = (where, kind, text)


def _show(where: str) -> None:
    msg = st.session_state.get(MSG)
    if msg and msg[0] == where:
        st.session_state.pop(MSG)
        getattr(st, msg[1])(msg[2])


@common.db_guarded
def _classify(aid: str, loan_id: int) -> None:
    cls = st.session_state.get(f"classify_cls_{loan_id}")
    reason = st.session_state.get(f"classify_reason_{loan_id}")
    lang = get_lang()
    if reason is None:
        _say("classify", "error", t("judgement.refused", detail=refusal_text("judgement_reason", lang)))
        return
    live = common.games().open(aid)
    ch = judgement_choice(live.game, loan_id)
    if ch.queued is None and cls is not None and int(cls) == int(ch.booked):
        # the class it already has: no judgement to record (the floor, with a judgement
        # in force, lifts it and is not this: then the booked class is the judgement's)
        _say("classify", "warning", t("judgement.unchanged", label=live.game.sim.pf.label(loan_id),
                                      cls=cls_name(int(cls))))
        return
    try:
        common.games().classify(aid, loan_id, int(cls), reason)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except Exception as exc:  # refused by the engine's rule: say why, keep the choice
        _say("classify", "error", t("judgement.refused",
                                    detail=refusal_text(getattr(exc, "code", str(exc)), lang)))
        return
    _say("classify", "success", t("judgement.done", label=live.game.sim.pf.label(loan_id),
                                  cls=cls_name(int(cls))))


@common.db_guarded
def _unclassify(aid: str, loan_id: int) -> None:
    try:
        common.games().unclassify(aid, loan_id)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return


def classify_control(live: Live, loan_id: int) -> None:
    """Book the loan at the floor or worse, with a reason; shows what is in force and queued."""
    g, aid = live.game, live.attempt.id
    lang = get_lang()  # bound into the pickers' labels (they may be formatted elsewhere)
    ch = judgement_choice(g, loan_id)
    with st.container(border=True, key="classify_box"):
        st.markdown(f"**{t('judgement.title')}**", help=t("judgement.help"))
        st.markdown(t("judgement.floor_line", floor=cls_name(int(ch.floor)),
                      booked=cls_name(int(ch.booked))))
        if ch.judgement is not None:
            st.caption(t("judgement.in_force", cls=cls_name(int(ch.judgement))))
        if ch.queued is not None:
            a, b = st.columns([3, 1], vertical_alignment="center")
            a.info(t("judgement.queued", cls=cls_name(int(ch.queued[0])),
                     reason=reason_text(ch.queued[1], lang)))
            b.button(t("judgement.cancel"), key="classify_cancel", on_click=_unclassify,
                     args=(aid, loan_id))
        if not ch.open:
            st.caption(t("judgement.closed"))
            return
        with st.form(f"classify_form_{loan_id}", border=False):
            st.selectbox(t("judgement.class_label"), [int(c) for c in ch.classes],
                         key=f"classify_cls_{loan_id}", format_func=lambda c: cls_name(c, lang))
            st.selectbox(t("judgement.reason_label"), list(ch.reasons), index=None,
                         placeholder=t("judgement.reason_placeholder"),
                         key=f"classify_reason_{loan_id}", format_func=lambda r: reason_text(r, lang))
            st.form_submit_button(t("judgement.submit"), on_click=_classify, args=(aid, loan_id),
                                 key="classify_submit")
        _show("classify")


@common.db_guarded
def _add_resolution(aid: str, month: int) -> None:
    ss = st.session_state
    try:
        common.games().add_resolution(aid, ss.get("ledger_what"), ss.get("ledger_loan"),
                                      ss.get("ledger_owner", ""), ss.get(f"ledger_deadline_{month}"))
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except LedgerError as exc:  # name the field and the fix; the form keeps what was typed
        _say("ledger", "error", t(f"ledger.error.{exc.key}", **exc.kw))
        return
    live = common.games().open(aid)
    res = live.game.ledger[-1]
    _say("ledger", "success", t("ledger.added", what=action_text(live.game, res["what"], None),
                                label=live.game.sim.pf.label(res["loan_id"]), owner=res["owner"],
                                deadline=res["deadline_month"]))
    ss["ledger_owner"] = ""


def ledger_panel(live: Live, lang: str, first_ids: list[int] | None = None) -> None:
    """The review meeting's resolutions with their status, and a form to add one.

    first_ids: loans offered first in the picker (the meeting's watch list)."""
    g, aid = live.game, live.attempt.id
    st.markdown(f"**{t('ledger.title')}**")
    st.caption(t("ledger.intro"))
    frame = ledger_frame(g)
    if frame.empty:
        st.caption(t("ledger.empty"))
    else:
        st.dataframe(ledger_table(g, frame, lang), hide_index=True, key="ledger_table")
    if g.finished:
        return
    labels = live.month_memo(("labels", lang), lambda: report.loan_labels(
        report.localise_names(g.loans(), lang), lang))
    ids = list(dict.fromkeys([*(first_ids or []), *labels]))
    with st.form("ledger_form"):
        c1, c2 = st.columns(2)
        c1.selectbox(t("ledger.what"), what_options(g), key="ledger_what",
                     format_func=lambda k: action_text(g, k, lang))
        c2.selectbox(t("ledger.loan"), ids, index=None, key="ledger_loan", format_func=labels.get,
                     placeholder=t("desk.pick_loan_placeholder"))
        c3, c4 = st.columns(2)
        c3.text_input(t("ledger.owner"), key="ledger_owner", placeholder=t("ledger.owner_placeholder"))
        # no bounds here: make_resolution refuses a month outside them, naming the range
        c4.number_input(t("ledger.deadline"), value=min(g.month + 3, g.horizon), step=1,
                        key=f"ledger_deadline_{g.month}")
        st.form_submit_button(t("ledger.add"), on_click=_add_resolution, args=(aid, g.month),
                              key="ledger_add")
    _show("ledger")


def open_resolutions(live: Live, lang: str) -> None:
    """Between meetings: the resolutions still open, so the owner can follow them through."""
    g = live.game
    frame = ledger_frame(g)
    frame = frame[frame["status"] == "open"]
    if frame.empty or g.finished:
        return
    lines = [t("ledger.open_line", label=r.label, what=action_text(g, r.what, lang), owner=r.owner,
               deadline=int(r.deadline_month)) for r in frame.itertuples()]
    with st.container(border=True, key="open_resolutions"):
        st.markdown(f"**{t('ledger.open_title', n=len(lines))}**")
        st.markdown("\n".join(f"- {line}" for line in lines))
