"""Drawing a paired role play (training.pairs.PairView) for a player or an instructor.

The view decides nothing: which cards, lines and choices appear is what the service put
in the PairView for this user (training.authz decides). Moves go through callbacks the
page gives, so a click is handled before the next draw.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages import common
from app_pages import roleplay_views as rv
from training import units
from training.i18n import get_lang, t
from training.pairs import MeetingTerms, Pair, PairSide, PairStatus, PairView

AUTO_REFRESH_SECONDS = 3
"""How often a waiting player's page looks for the partner's move when asked to."""

STATE_FLAGS = ("diverting", "other_creditors", "guarantor_trouble", "overdue", "disaster_hit")


def side_name(side: PairSide) -> str:
    return t(f"pairs.side.{side.value}")


def status_label(pair: Pair) -> str:
    """Where the pair stands, in words; a talk ended with the officer's month says so."""
    ended = pair.status is PairStatus.DONE and (pair.result or {}).get("month_end")
    return t(f"pairs.status.{'month_end' if ended else pair.status.value}")


def label(pair: Pair, title: str) -> str:
    """A pair in a list: its conversation and players (its status changes, so it is not here:
    a select box keeps its choice by this text)."""
    return t("pairs.row", title=title, officer=pair.officer_name, borrower=pair.borrower_name)


def held(m: MeetingTerms, key: str, officer: str) -> str:
    """How the talk is held and what the meeting takes in the officer's case, in words
    (``pairs.held`` for the borrower and the instructors, ``pairs.begin_held`` at the
    officer's button)."""
    cost = t("pairs.held_cost", cost=units.cost(m.cost_cny)) if m.cost_cny else ""
    return t(key, how=t(f"roleplay.held_as.{m.held}"), hours=units.hours(m.hours),
             cost=cost, officer=officer)


def header(v: PairView) -> None:
    lang, p = get_lang(), v.pair
    st.subheader(v.roleplay.title.get(lang))
    if v.side is None:
        st.caption(t("pairs.watching", officer=p.officer_name, borrower=p.borrower_name))
    else:
        partner = p.borrower_name if v.side is PairSide.OFFICER else p.officer_name
        st.caption(t("pairs.you_play", side=side_name(v.side), partner=partner))
    # the officer reads it at the button that opens the meeting (moves)
    if v.meeting is not None and not (v.side is PairSide.OFFICER
                                      and p.status is PairStatus.PAIRED):
        st.caption(held(v.meeting, "pairs.held", p.officer_name))
    if p.month is not None:
        st.caption(t("pairs.meeting", month=p.month + 1, officer=p.officer_name) + " · "
                   + status_label(p))
    if v.side is None and p.attempt_id is not None:  # the instructor: the officer's case
        st.page_link(common.PAGES["review"], label=t("pairs.open_attempt", officer=p.officer_name),
                     icon=":material/history:", query_params={"review": p.attempt_id})
    if v.side is PairSide.OFFICER and p.attempt_id is not None:
        # the officer goes on with the month at the desk, in this attempt (a page opened by
        # a link or a reload holds no attempt of its own, and the desk asked for a case)
        st.page_link(common.PAGES["desk"], label=t("pairs.to_desk"), icon=":material/desk:",
                     query_params={"attempt": p.attempt_id})


def cards(v: PairView) -> None:
    """Each card only if the service gave it to this user: addressed to its player, and
    named as the officer's or the borrower's for an instructor reading the pair."""
    lang = get_lang()
    # "_other": the instructor (or admin) plays neither side; "Your brief" is not theirs
    own = "" if v.side is not None else "_other"
    if v.officer_card is not None:
        with st.expander(t(f"pairs.officer_card{own}"), expanded=v.side is PairSide.OFFICER
                         and not v.pair.moves):
            st.markdown(v.officer_card.get(lang))
    if v.borrower_card is not None:
        with st.container(border=True, key="pair_borrower_card"):
            st.markdown(f"**{t(f'pairs.borrower_card{own}')}**")
            st.markdown(v.borrower_card.get(lang))
            s = v.hidden_state
            if s is not None:
                st.markdown(f"**{t(f'pairs.hidden_state{own}')}**")
                yes, no = t("pairs.state.yes"), t("pairs.state.no")
                items = ["- " + t("pairs.state.item", label=t(f"pairs.state.health{own}"),
                                  value=t(f"pairs.state.health_{s.health}"))]
                items += ["- " + t("pairs.state.item", label=t(f"pairs.state.{k}"),
                                   value=yes if getattr(s, k) else no) for k in STATE_FLAGS]
                items.append("- " + t("pairs.state.item", label=t("pairs.state.able_to_pay"),
                                      value=yes if s.pays else no))
                st.markdown("\n".join(items))


def transcript(v: PairView) -> None:
    lang = get_lang()
    st.markdown(f"**{t('pairs.transcript')}**")
    if not v.transcript:
        st.caption(t("pairs.no_moves"))
    for e in v.transcript:
        borrower = e.side is PairSide.BORROWER
        with st.chat_message("assistant" if borrower else "user",
                             avatar=":material/person:" if borrower else ":material/badge:"):
            name = v.pair.borrower_name if borrower else v.pair.officer_name
            tag = f" · {t('pairs.evaded')}" if e.evaded else ""
            st.caption(f"{side_name(e.side)} · {name}{tag}")
            st.markdown(e.text.get(lang))


def _line_tag(k: int, line, candid: int) -> str:
    # the line the hidden state calls for may itself be a cover story (a borrower who is
    # diverting says all is well): the tag says it fits the situation, not that it is true
    tag = t("pairs.candid") if k == candid else t("pairs.evasive")
    if line.reveals:
        tag += " · " + t("pairs.reveals", facts=", ".join(
            t(f"roleplay.fact.{kind}") for kind in line.reveals))
    return tag


def moves(v: PairView, on_begin: Callable, on_line: Callable, on_choice: Callable,
          on_refresh: Callable | None = None) -> None:
    """The current move for this user, or what they wait for."""
    lang, p, turn = get_lang(), v.pair, v.turn
    if p.status is PairStatus.PAIRED:
        if v.side is PairSide.OFFICER:
            if v.meeting is not None:  # how it is held and its hours, before it opens
                st.caption(held(v.meeting, "pairs.begin_held", p.officer_name))
            st.caption(t("pairs.begin_hint"))
            st.button(t("pairs.begin"), key=f"pair_begin_{p.id}", type="primary",
                      on_click=on_begin, args=(p.id,))
        else:
            st.info(t("pairs.waiting_begin", officer=p.officer_name))
            _wait(v, on_refresh)
        return
    if turn.over:
        st.caption(t("pairs.over"))
        return
    if v.line_options:
        st.markdown(f"**{t('pairs.your_line')}**")
        candid = min(k for k, _ in v.line_options)
        for k, line in v.line_options:
            st.caption(_line_tag(k, line, candid))
            st.button(line.text.get(lang), key=f"pair_line_{p.id}_{turn.seq}_{k}",
                      on_click=on_line, args=(p.id, k, turn.seq), width="stretch")
        return
    if v.choice_options:
        st.markdown(f"**{t('pairs.your_choice')}**")
        for ch in v.choice_options:
            st.button(ch.text.get(lang), key=f"pair_choice_{p.id}_{turn.seq}_{ch.id}",
                      on_click=on_choice, args=(p.id, ch.id, turn.seq), width="stretch")
        return
    name = p.borrower_name if turn.whose is PairSide.BORROWER else p.officer_name
    st.info(t("pairs.waiting_for", side=side_name(turn.whose), name=name))
    _wait(v, on_refresh)


def _wait(v: PairView, on_refresh: Callable | None) -> None:
    """A refresh button, and on request a fragment that reruns the page when the partner moved."""
    if on_refresh is None:
        return
    c1, c2 = st.columns([1, 3])
    c1.button(t("pairs.refresh"), key=f"pair_refresh_{v.pair.id}", icon=":material/refresh:")
    if c2.toggle(t("pairs.auto_refresh"), key=f"pair_auto_{v.pair.id}"):
        on_refresh(v.pair.id, len(v.pair.moves), v.pair.status)


def result(v: PairView) -> None:
    """What the officer's case took from the talk."""
    from training.desk import engine_text

    p, lang = v.pair, get_lang()
    if not v.turn.over or p.result is None:
        return
    res = p.result
    if p.status is PairStatus.LAPSED:
        why = res.get("reason")
        st.warning(t("pairs.lapsed_unsaid", officer=p.officer_name) if why == "month_end_unsaid"
                   else t("pairs.lapsed_withdrawn") if why == "attempt.withdrawn"
                   else t("pairs.lapsed"))
        return
    if not res.get("held"):
        zh, en = engine_text("reason", res.get("reason", "available"))
        st.warning(t("pairs.not_held", reason=zh if lang == "zh" else en))
        return
    if res.get("month_end"):  # the officer ended the month: both players are told
        st.info(t("pairs.month_end", officer=p.officer_name), icon=":material/event_busy:")
    st.markdown(t("pairs.queued", officer=p.officer_name, month=(p.month or 0) + 1))
    lines = []
    for action, hours, cost in res.get("queued", []):
        zh, en = engine_text("action", action)
        lines.append("- " + t("pairs.queued_line", action=zh if lang == "zh" else en,
                              hours=units.hours(hours), cost=units.cost(cost)))
    for action, code in res.get("refused", []):
        zh, en = engine_text("action", action)
        rzh, ren = engine_text("reason", code)
        lines.append("- " + t("pairs.refused_line", action=zh if lang == "zh" else en,
                              reason=rzh if lang == "zh" else ren))
    st.markdown("\n".join(lines))


def _taken(v: PairView) -> tuple[set[str] | None, dict[str, str]]:
    """(the actions the officer's case took from the meeting, the reason code of each it
    refused) once the meeting was held; (None, {}) before, or when it was not held."""
    res = v.pair.result
    if not res or not res.get("held"):
        return None, {}
    return ({a for a, *_ in res.get("queued", [])},
            {a: code for a, code in res.get("refused", [])})


def _officer(v: PairView) -> str | None:
    """The officer's name for a reader who is not the officer (feedback speaks of them by
    name: 'What Ann missed'); None for the officer (it speaks to them: 'What you missed')."""
    return None if v.side is PairSide.OFFICER else v.pair.officer_name


def breaches(v: PairView) -> None:
    """The conduct rules broken, each with the choice, the rule and its source (as the
    practice page explains them); drawn from the conversation, not the judged session."""
    lang, officer = get_lang(), _officer(v)
    head = ("pairs.breaches_so_far" if not v.turn.over else
            "roleplay.broken_rules_by" if officer else "roleplay.broken_rules")
    st.markdown(f"**{t(head, officer=officer)}**")
    if not v.outcome.breaches:
        st.success(t("roleplay.broken_none"))
    for b in v.outcome.breaches:
        ch = v.roleplay.choice(b.node, b.choice_id)
        st.error(t("roleplay.breach_at_by" if officer else "roleplay.breach_at",
                   rule=t(f"roleplay.rule.{b.rule}.title"), officer=officer,
                   choice=ch.text.get(lang) if ch else "")
                 + "\n\n" + t(f"roleplay.rule.{b.rule}.text") + "\n\n"
                 + t("roleplay.source", source=t(f"roleplay.rule.{b.rule}.source")))


def feedback(v: PairView) -> None:
    """Conduct rules as they are broken (to both sides and the instructors); when the
    talk is over, what it found and agreed, and the full feedback to those allowed."""
    if v.outcome is None:
        return
    if not v.turn.over:
        breaches(v)
        return
    taken, reasons = _taken(v)
    if v.full_feedback and v.session is not None:
        rv.feedback(v.session, v.outcome, officer=_officer(v), taken=taken, reasons=reasons)
        return
    st.subheader(t("roleplay.feedback"))
    left, right = st.columns(2)
    with left:
        rv.facts(v.outcome, _officer(v))
        rv.terms(v.outcome, taken=taken, reasons=reasons)
    with right:
        breaches(v)
    st.caption(t("pairs.full_later"))


def desk_notice(meetings: list[Pair]) -> None:
    """On the officer's desk: a meeting under way this month, with a link to it."""
    for p in meetings:
        st.warning(t("pairs.desk_notice", borrower=p.borrower_name))
        st.page_link(common.PAGES["pairs"], label=t("pairs.desk_open"), icon=":material/group:",
                     query_params={"pair": str(p.id)})


def panel(v: PairView, on_begin: Callable, on_line: Callable, on_choice: Callable,
          on_refresh: Callable | None = None) -> None:
    """The whole pair on one screen, top to bottom."""
    header(v)
    cards(v)
    transcript(v)
    moves(v, on_begin, on_line, on_choice, on_refresh)
    result(v)
    feedback(v)
