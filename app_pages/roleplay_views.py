"""Drawing a role-play conversation and its feedback, for the practice page and the desk.

A conversation on screen is (conversation id, path): the session is replayed from
them on every run, so a rerun or a refresh shows exactly the talk so far.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from sim.roleplay import MEETING_ACTION_IDS, Roleplay
from sim.roleplay_files import ROLEPLAY_DIR, RoleplayError, load_roleplay, roleplay_paths
from training import units
from training.i18n import get_lang, t
from training.roleplay import Outcome, PathError, Session, held_text


def _stamp(folder: Path) -> int:
    return max((p.stat().st_mtime_ns for p in folder.glob("*.yaml")), default=0)


@st.cache_data(show_spinner=False, max_entries=4)
def _load(folder: str, stamp: int) -> tuple[dict[str, Roleplay], list[str]]:
    ok, problems = {}, []
    for p in roleplay_paths(Path(folder)):
        try:
            rp = load_roleplay(p)
            ok[rp.id] = rp
        except RoleplayError as err:  # one broken file does not hide the others
            problems.append(str(err))
    return ok, problems


def roleplays(folder: Path = ROLEPLAY_DIR) -> tuple[dict[str, Roleplay], list[str]]:
    """Every conversation by id, and the problems of files that do not load."""
    return _load(str(folder), _stamp(folder))


def transcript(session: Session) -> None:
    """The talk so far: the borrower's lines and the trainee's choices, then the current line."""
    lang = get_lang()
    for st_ in session.steps:
        with st.chat_message("assistant", avatar=":material/person:"):
            st.markdown(st_.line.text.get(lang))
        if st_.choice is not None:
            with st.chat_message("user", avatar=":material/badge:"):
                st.markdown(st_.choice.text.get(lang))
    if not session.done:
        with st.chat_message("assistant", avatar=":material/person:"):
            st.markdown(session.line().text.get(lang))


def choices(session: Session, key: str, on_choose: Callable[..., None], args: tuple = ()) -> None:
    """One button per choice; on_choose(*args, choice_id) runs before the next draw."""
    if session.done:
        st.caption(t("roleplay.ended"))
        return
    st.markdown(f"**{t('roleplay.your_move')}**")
    lang = get_lang()
    for ch in session.choices():
        st.button(ch.text.get(lang), key=f"{key}_{len(session.path)}_{ch.id}",
                  on_click=on_choose, args=(*args, ch.id), width="stretch")


def _rule(rule: str) -> str:
    return t(f"roleplay.rule.{rule}.title")


def _say(key: str, officer: str | None = None, **values) -> str:
    """A feedback text addressed to the officer ('What you learned'), or about them by name
    ('What Ann learned') for someone who read the talk without playing the officer."""
    return t(f"roleplay.{key}_by", officer=officer, **values) if officer else t(
        f"roleplay.{key}", **values)


def facts(outcome: Outcome, officer: str | None = None) -> None:
    st.markdown(f"**{_say('learned', officer)}**")
    if not outcome.facts:
        st.caption(t("roleplay.learned_none"))
    for f in outcome.facts:
        key = "fact" if f.adverse else "fact_clear"
        st.markdown(f"- {t(f'roleplay.{key}.{f.kind}')}")


def terms(outcome: Outcome, practice: bool = False, taken: set[str] | None = None,
          reasons: dict[str, str] | None = None) -> None:
    """The terms agreed, each with the action it is queued as. ``taken``: the actions the
    case took from the meeting, once it was held (None: not held yet, or practice); a term
    it refused says so, with the reason code in ``reasons`` where there is one, instead of
    hours and a cost it never charged."""
    # in practice there is no case: the terms are what would be queued in one
    st.markdown(f"**{t('roleplay.terms_practice' if practice else 'roleplay.terms')}**")
    if not outcome.terms:
        st.caption(t("roleplay.terms_none"))
    from training.desk import engine_text

    lang = get_lang()
    for term in outcome.terms:
        zh, en = engine_text("action", term.action_id)
        said = {"term": t(f"roleplay.term.{term.kind}"), "action": zh if lang == "zh" else en}
        if taken is not None and term.action_id not in taken:
            code = (reasons or {}).get(term.action_id)
            if code:
                rzh, ren = engine_text("reason", code)
                st.markdown("- " + t("roleplay.term_refused", reason=rzh if lang == "zh" else ren,
                                     **said))
            else:
                st.markdown("- " + t("roleplay.term_not_taken", **said))
            continue
        st.markdown("- " + t("roleplay.term_line", hours=units.hours(term.hours),
                             cost=units.cost(term.cost_cny), **said))


def breaches(session: Session, outcome: Outcome, officer: str | None = None) -> None:
    st.markdown(f"**{_say('broken_rules', officer)}**")
    if not outcome.breaches:
        st.success(t("roleplay.broken_none"))
    lang = get_lang()
    for b in outcome.breaches:
        ch = session.rp.choice(b.node, b.choice_id)
        st.error(_say("breach_at", officer, rule=_rule(b.rule),
                      choice=ch.text.get(lang) if ch else "")
                 + "\n\n" + t(f"roleplay.rule.{b.rule}.text") + "\n\n"
                 + t("roleplay.source", source=t(f"roleplay.rule.{b.rule}.source")))


def feedback(session: Session, outcome: Outcome, profile: str | None = None,
             practice: bool = False, officer: str | None = None,
             taken: set[str] | None = None, reasons: dict[str, str] | None = None) -> None:
    """The full debrief of one conversation: learned, missed, rules, terms, strong questions.
    ``officer``: the officer's name, when the reader did not play the officer (the
    borrower's player or the instructor of a paired role play)."""
    lang = get_lang()
    st.subheader(t("roleplay.feedback"))
    if profile:
        st.info(t("roleplay.profile_was", profile=t(f"roleplay.profile_{profile}")))
    left, right = st.columns(2)
    with left:
        facts(outcome, officer)
        st.markdown(f"**{_say('missed', officer)}**")
        if not outcome.missed:
            st.caption(_say("missed_none", officer))
        for kind in outcome.missed:
            st.markdown(f"- {t(f'roleplay.fact.{kind}')}")
        if outcome.beyond:  # what no question of this talk reaches: not missed, not absent
            st.caption(t("roleplay.beyond", facts=t("roleplay.list_sep").join(
                t(f"roleplay.fact.{kind}") for kind in outcome.beyond)))
        terms(outcome, practice, taken, reasons)
        st.caption(t("roleplay.relationship", delta=f"{outcome.relationship_delta:+.2f}"))
    with right:
        breaches(session, outcome, officer)
        if outcome.notes:
            st.markdown(f"**{_say('notes', officer)}**")
            for note in outcome.notes:
                st.markdown(f"- {note.get(lang)}")
        st.markdown(f"**{t('roleplay.strong')}**")
        for q in outcome.strong_questions:
            st.markdown(f"- {q.get(lang)}")


def pick_conversation(g, loan_id: int, convs: list[Roleplay], borrower: str) -> Roleplay:
    """The conversation to hold this month: the only one, or the one the trainee picks when
    the case has several for this borrower (each named with how it is held and its hours);
    one meeting a month can be held with a borrower, so the others wait."""
    if len(convs) == 1:
        return convs[0]
    by_id = {rp.id: rp for rp in convs}
    st.caption(t("roleplay.desk.several", n=len(convs), borrower=borrower))
    lang = get_lang()
    labels = {rp.id: t("roleplay.desk.pick_line", title=rp.title.get(lang),
                       how=t(f"roleplay.held_as.{rp.held}"),
                       hours=units.hours(g.meeting_option(loan_id, rp.id).hours))
              for rp in convs}
    chosen = st.radio(t("roleplay.desk.pick"), list(labels), format_func=labels.__getitem__,
                      key=f"meet_pick_{loan_id}")
    return by_id.get(chosen, convs[0])


def desk_panel(live, loan_id: int) -> None:
    """'Meet the borrower' for a named borrower with a conversation, and the meetings held."""
    from app_pages import desk_actions as act

    g, aid = live.game, live.attempt.id
    convs = g.conversations(loan_id)
    if not convs:
        return
    lang = get_lang()
    talk = st.session_state.get("meet")
    if talk is not None and talk["held"] and not any(
            p["loan_id"] == loan_id for p in g.pending_talks) and talk["month"] == g.month:
        st.session_state.pop("meet")  # the meeting was taken off the queue
        talk = None
    open_here = talk is not None and talk["loan_id"] == loan_id and talk["month"] == g.month
    with st.container(border=True, key="meet_borrower"):
        st.subheader(t("roleplay.desk.title"))
        rep = g.sim.pf.identity(int(loan_id), lang)[1]
        if open_here:  # the talk under way (or just held) is the one shown
            rp = next((c for c in convs if c.id == talk["roleplay"]),
                      g.roleplays.get(talk["roleplay"], convs[0]))
        else:
            rp = pick_conversation(g, loan_id, convs, rep)
        opt = g.meeting_option(loan_id, rp.id)
        how = t(f"roleplay.held_as.{rp.held}")
        # how it is held and what it takes, before the trainee opens it
        st.caption(t("roleplay.desk.caption", borrower=rep, how=how,
                     hours=units.hours(opt.hours), cost=units.cost(opt.cost_cny)))
        if not open_here:
            if opt.reason == "hours":  # what it takes against what is left
                st.caption("✗ " + t("roleplay.desk.short_hours", how=how,
                                    need=units.hours(opt.hours),
                                    left=units.hours(max(g.hours_left, 0.0))))
            elif not opt.available:
                st.caption(f"✗ {opt.reason_zh if lang == 'zh' else opt.reason_en}")
            st.button(t("roleplay.desk.open"), key="meet_open", type="primary",
                      disabled=not opt.available or g.finished, on_click=act.meet_open,
                      args=(aid, loan_id, rp.id, g.month))
        else:
            with st.expander(t("roleplay.setting"), expanded=not talk["path"]):
                st.markdown(rp.setting.get(lang))
            session = Session.replay(rp, g.talk_state(loan_id), talk["path"],
                                     left=bool(talk.get("left")))
            transcript(session)
            if not talk["held"]:
                choices(session, "meet_choice", act.meet_choose, (aid,))
                # before a word is said the officer just closes the file; after, the
                # meeting counts as it stands
                st.button(t("roleplay.desk.close_unsaid" if not talk["path"] else
                            "roleplay.desk.close"), key="meet_close", on_click=act.meet_leave,
                          args=(aid,))
                if talk["path"]:
                    st.caption(t("roleplay.desk.close_hint"))
            else:
                out = session.outcome(lambda a: g.action_cost(loan_id, a))
                facts(out)
                terms(out)
                breaches(session, out)
        held = g.talk_history
        mine = [h for h in held if h["loan_id"] == int(loan_id)]
        if mine:
            st.markdown(f"**{t('roleplay.desk.talks')}**")
            from training.desk import engine_text

            for h in mine:
                rp_held = g.roleplays.get(h["roleplay"])
                title = rp_held.title.get(lang) if rp_held else h["roleplay"]
                h_how, h_hours = held_text(g, h, lang)
                st.markdown(t("roleplay.desk.talk_line", month=h["month"], title=title,
                              how=h_how, hours=h_hours))
                for kind, adverse in h["facts"]:
                    key = "fact" if adverse else "fact_clear"
                    st.markdown(f"- {t(f'roleplay.{key}.{kind}')}")
                if not h["facts"]:  # an empty entry read as a meeting whose notes were lost
                    st.caption(t("roleplay.desk.talk_nothing"))
                agreed = [zh if lang == "zh" else en for zh, en in (
                    engine_text("action", a) for a in h["actions"] if a not in MEETING_ACTION_IDS)]
                if agreed:
                    st.caption(t("roleplay.desk.talk_agreed", items=t("roleplay.list_sep")
                                 .join(agreed)))


def resume_talk(live) -> None:
    """A meeting under way that this browser session does not hold (a reload, a new tab)
    comes back from the attempt, where it stood."""
    kept, talk = live.talk, st.session_state.get("meet")
    if kept is None or kept["month"] != live.game.month or live.game.finished:
        return
    if talk is None or talk["month"] != live.game.month:
        from app_pages import desk_actions as act

        st.session_state["meet"] = {**kept, "path": list(kept["path"]), "held": False}
        if st.session_state.get(act.OPEN_LOAN) is None:  # its file open again, to go on
            act.open_loan(kept["loan_id"])


def talk_notice(g) -> None:
    """Above End month: a meeting opened on the desk this month and not yet ended. Its
    terms are queued only when the talk ends; ending the month first drops it unheld."""
    talk = st.session_state.get("meet")
    if talk is None or talk["held"] or talk["month"] != g.month or g.finished:
        return
    who = g.sim.pf.identity(int(talk["loan_id"]), get_lang())[1]
    st.warning(t("roleplay.desk.under_way", borrower=who), icon=":material/forum:")


def debrief_talks(g) -> None:
    """Each meeting held in the case, with the full feedback (the hidden state is out now)."""
    if not g.talk_history:
        return
    lang = get_lang()
    st.subheader(t("roleplay.debrief.title"))
    for n, h in enumerate(g.talk_history):
        rp = g.roleplays.get(h["roleplay"])
        if rp is None:
            continue
        label = g.sim.pf.label(h["loan_id"])
        how, hours = held_text(g, h, lang)
        with st.expander(t("roleplay.debrief.line", month=h["month"], label=label,
                           title=rp.title.get(lang), how=how, hours=hours), expanded=n == 0):
            try:
                session = Session.replay(rp, h["state"], h["path"], h.get("lines"),
                                         bool(h.get("left")))
            except PathError:  # the conversation was edited since: the path no longer fits
                st.caption(t("roleplay.debrief.changed"))
                continue
            feedback(session, session.outcome(lambda a, i=h["loan_id"]: g.action_cost(i, a)),
                     taken=set(h.get("actions", ())))
