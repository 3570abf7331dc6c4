"""The desk's callbacks: each trainee move goes to the live game, is saved, and any
refusal comes back as a message on the next draw. Callbacks run before the page
script, so the page draws the state after the move in the same run."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import common
from sim.codes import CLASS_KEYS
from sim.policy import ClassIntervals, MonitoringPolicy
from training import units
from training.attempts import AttemptError, AttemptWithdrawn
from training.i18n import get_lang, t

MOVED = ("attempt.month_moved", "attempt.queue_moved")
"""What a tab left open on an attempt that another tab changed meets (training.attempts)."""


def _error_text(exc: Exception) -> str:
    zh, en = getattr(exc, "zh", None), getattr(exc, "en", None)
    if zh or en:
        return (zh if get_lang() == "zh" else en) or str(exc)
    return common.said_failure(exc, str(exc))


@common.db_guarded
def end_month(aid: str, expected_month: int) -> None:
    """End the month. A meeting under way ends first, where it stands: the desk's own (as
    "End the meeting here" does) and a paired one (training.pairs.end_month); a meeting
    that cannot be held as it stands keeps the month from ending, with the reason."""
    from training import pairs

    talk = st.session_state.get("meet")
    if talk is not None and not talk["held"] and talk["path"] and talk["month"] == expected_month:
        meet_leave(aid)
        if not talk["held"]:  # refused: meet_leave said why; the month waits
            return
    try:
        # the last month also scores the play against the three reference strategies (their
        # whole runs): up to half a minute on a large case, which read as a frozen page
        last = expected_month + 1 >= common.games().open(aid).game.horizon
        with st.spinner(t("desk.ending_last_month" if last else "desk.ending_month",
                          month=expected_month + 1)):
            result, closed = pairs.end_month(common.db(), common.current_user(), common.games(),
                                             aid, expected_month)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except pairs.PairError as err:
        from training.desk import engine_text

        zh, en = engine_text("reason", str(err.detail.get("code", "")))
        common.flash("error", t(err.key, borrower=str(err.detail.get("borrower", "")),
                                reason=zh if get_lang() == "zh" else en))
        return
    except Exception as exc:  # the engine refused: say why instead of a traceback
        common.flash("error", t("desk.end_month_failed", detail=_error_text(exc)))
        return
    for p in closed:
        key = "pairs.closed_with_month" if (p.result or {}).get("held") else "pairs.lapsed_unsaid_desk"
        common.flash("info", t(key, borrower=p.borrower_name))
    if result is None:
        common.flash("info", t("desk.already_advanced"))
        return
    if common.games().open(aid).game.finished:
        st.session_state["just_finished"] = aid


def _moved(exc: AttemptError) -> None:
    """Say that another tab moved the attempt on (the month, or the queue) and nothing changed."""
    month = int(exc.detail) + 1 if exc.detail.isdigit() else None
    common.flash("warning", t(exc.key, month=month))


@common.db_guarded
def queue(aid: str, loan_id: int, action_id: str, month: int | None = None) -> None:
    try:
        common.games().queue(aid, loan_id, action_id, expected_month=month)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except AttemptError as exc:
        if exc.key not in MOVED:
            raise
        _moved(exc)
    except Exception as exc:
        common.flash("error", t("actions.refused", detail=_error_text(exc)))


@common.db_guarded
def unqueue(aid: str, index: int, month: int | None = None,
            expected: tuple[int, str] | None = None) -> None:
    try:
        common.games().unqueue(aid, index, expected_month=month, expected=expected)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except AttemptError as exc:
        if exc.key not in MOVED:
            raise
        _moved(exc)
    except Exception as exc:
        common.flash("error", t("actions.refused", detail=_error_text(exc)))


def sync_policy_widgets(policy: MonitoringPolicy, routine_hours: float | None = None) -> None:
    """Show the game's policy in the inputs (the game is the truth, not the widgets)."""
    for k in CLASS_KEYS:
        st.session_state[f"iv_{k}"] = int(getattr(policy.interval_months, k))
    st.session_state["first_check_days"] = int(policy.first_check_days)
    st.session_state["routine_hours"] = routine_hours


@common.db_guarded
def apply_policy(aid: str) -> None:
    try:
        intervals = ClassIntervals(**{k: int(st.session_state[f"iv_{k}"]) for k in CLASS_KEYS})
        policy = MonitoringPolicy(interval_months=intervals,
                                  first_check_days=int(st.session_state["first_check_days"]))
        common.games().set_policy(aid, policy)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except Exception as exc:
        common.flash("error", t("desk.policy_refused", detail=_error_text(exc)))


@common.db_guarded
def apply_routine_hours(aid: str) -> None:
    """The hours the trainee gives the checks due (an empty box: all they need)."""
    hours = st.session_state.get("routine_hours")
    if hours is not None and not hours >= 0:  # the box has no bounds: Streamlit's are English
        common.flash("error", t("common.at_least", field=t("policy.routine_hours"),
                                value=f"{hours:g}", lo="0"))
        st.session_state["routine_hours"] = common.games().open(aid).game.routine_hours
        return
    try:
        common.games().set_routine_hours(aid, None if hours is None else float(hours))
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except Exception as exc:
        common.flash("error", t("desk.policy_refused", detail=_error_text(exc)))


OPEN_LOAN = "open_loan"
"""The loan whose file is open, kept apart from the picker's own state: Streamlit drops a
widget's value when a run that would draw it is cut short (a quick click during a
rerun), and the file must not close under the trainee."""


def open_loan(loan_id: int | None) -> None:
    if loan_id is not None:
        st.session_state["loan_pick"] = st.session_state[OPEN_LOAN] = int(loan_id)
        st.session_state["desk_view"] = "loans"


def picked_loan_id(value: Any, labels: dict[int, str]) -> int | None:
    """The loan a picker's value names: its id, or, when Streamlit hands back the label
    it could not match to the last run's options (a loan that left the books, a language
    switch), the loan with that label; None when nothing matches."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return next((i for i, label in labels.items() if label == value), None)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def remember_pick(labels: dict[int, str]) -> None:
    """The picker changed: the trainee opened another file or closed it. Kept as a loan id,
    never as a label: a label kept here broke the desk at the next run."""
    st.session_state[OPEN_LOAN] = picked_loan_id(st.session_state.get("loan_pick"), labels)


def restore_pick(loans: pd.DataFrame, labels: dict[int, str]) -> None:
    """Put the open file back in the picker if the picker lost it: dropped, or holding a
    label it can no longer match (a language switch relabels every loan)."""
    ids = {int(i) for i in loans["loan_id"]}
    now = st.session_state.get("loan_pick")
    picked = picked_loan_id(now, labels)
    if picked in ids:  # a label that still names a loan opens that loan's file
        if now != picked or isinstance(now, str):
            st.session_state["loan_pick"] = st.session_state[OPEN_LOAN] = picked
        return
    kept = picked_loan_id(st.session_state.get(OPEN_LOAN), labels)
    if kept is not None and kept in ids:
        st.session_state["loan_pick"] = st.session_state[OPEN_LOAN] = kept
    elif now is not None:
        st.session_state["loan_pick"] = None  # a label that names no loan picks none


def open_picked_alert() -> None:
    """Open the file of the loan the alerts inbox's picker shows now."""
    open_loan(st.session_state.get("alert_pick"))


def loan_pick_options(shown: pd.DataFrame, loans: pd.DataFrame, current: int | None) -> list[int]:
    """The filtered loans, plus the one whose file is open so it stays open."""
    ids = [int(i) for i in shown["loan_id"]]
    if current is not None and current not in ids and int(current) in set(loans["loan_id"]):
        ids.insert(0, int(current))
    return ids


def loan_row(loans: pd.DataFrame, loan_id: int) -> pd.Series:
    return loans.loc[loans["loan_id"] == loan_id].iloc[0]


def option_caption(o: Any) -> str:
    return t("actions.option_line", hours=units.hours(o.hours),
             cost=units.cost(o.cost_cny),
             duration=units.months(o.duration_months) if o.duration_months else "—")


def relief_caption(relief: Any) -> str:
    """A restructuring's terms: the payment before and after, the cut, and whether it is real."""
    line = t("relief.line", before=units.money(relief.payment_before_cny),
             after=units.money(relief.payment_after_cny), cut=units.pct(relief.cut_share, 0),
             rate=units.pct(relief.rate_annual), months=units.months(relief.remaining_months))
    text = f"{line} · {t('relief.real' if relief.meaningful else 'relief.weak')}"
    if relief.term_capped:
        text += f" · {t('relief.capped')}"
    if relief.again:
        text += f" · {t('relief.again')}"
    return text


@common.db_guarded
def set_standing(aid: str) -> None:
    """The standing-order switch: on, defaulted loans go to the asset-preservation team."""
    from sim.standing_order import StandingOrder

    try:
        order = common.games().open(aid).game.standing_order
        common.games().set_standing_order(
            aid, StandingOrder(active=bool(st.session_state["standing_active"]), held=order.held))
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except Exception as exc:
        common.flash("error", t("standing.refused", detail=_error_text(exc)))


@common.db_guarded
def set_hold(aid: str, loan_id: int) -> None:
    """Hold one defaulted loan back from the standing order, or hand it over again."""
    from sim.standing_order import StandingOrder

    try:
        order = common.games().open(aid).game.standing_order
        hold = bool(st.session_state[f"hold_{loan_id}"])
        held = order.held | {int(loan_id)} if hold else order.held - {int(loan_id)}
        common.games().set_standing_order(aid, StandingOrder(active=order.active, held=frozenset(held)))
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except Exception as exc:
        common.flash("error", t("standing.refused", detail=_error_text(exc)))


# --- meeting a borrower (role play) ---------------------------------------------------
@common.db_guarded
def meet_open(aid: str, loan_id: int, roleplay_id: str, month: int) -> None:
    st.session_state["meet"] = {"loan_id": int(loan_id), "roleplay": roleplay_id,
                                "month": int(month), "path": [], "held": False}
    _keep_talk(aid, st.session_state["meet"])


def _keep_talk(aid: str, talk: dict | None) -> None:
    """The meeting under way kept with the attempt: a reload resumes it where it stood."""
    try:
        common.games().keep_talk(aid, talk)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return


@common.db_guarded
def meet_leave(aid: str) -> None:
    """End the meeting here. Before anything is said, the officer just closes it; once the
    borrower has answered, the meeting is held as it stood (its hours, what was learned,
    anything agreed): leaving must not undo an answer, or the talk is a free probe of the
    hidden state that can be run again every month."""
    talk = st.session_state.get("meet")
    if talk is None or talk["held"] or not talk["path"]:
        st.session_state.pop("meet", None)
        _keep_talk(aid, None)
        return
    try:
        refused = common.games().meet(aid, talk["loan_id"], talk["roleplay"], talk["path"],
                                      left=True)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except Exception as exc:  # the engine refused the meeting (no hours left): say why
        common.flash("error", t("actions.refused", detail=_error_text(exc)))
        return
    talk["held"] = talk["left"] = True
    common.flash("success", t("roleplay.desk.held_left"))
    _refused_terms(refused)


def meet_choose(aid: str, choice_id: str) -> None:
    """Add a choice to the talk; when the talk ends, hold the meeting (queue it and save)."""
    from training.roleplay import Session

    talk = st.session_state.get("meet")
    if talk is None or talk["held"]:
        return
    talk["path"].append(choice_id)
    live = common.games().open(aid)
    # the conversation the game holds the meeting with (Game.meet), not a fresh read of the
    # folder: with several for one borrower, the one the trainee picked
    rp = live.game.roleplays.get(talk["roleplay"])
    try:
        done = Session.replay(rp, live.game.talk_state(talk["loan_id"]), talk["path"]).done
        if done:
            refused = common.games().meet(aid, talk["loan_id"], talk["roleplay"], talk["path"])
            talk["held"] = True
            common.flash("success", t("roleplay.desk.held"))
            _refused_terms(refused)
        else:
            common.games().keep_talk(aid, talk)
    except AttemptWithdrawn:  # the desk, drawn next, says who withdrew it and when
        return
    except Exception as exc:  # the engine refused the meeting: say why, keep the desk
        talk["path"].pop()
        common.flash("error", t("actions.refused", detail=_error_text(exc)))


def _refused_terms(refused: list) -> None:
    """Terms the case could not take, each by its name in the page's language, and why."""
    if not refused:
        return
    from training.desk import engine_text

    names = {a: engine_text("action", a)[0 if get_lang() == "zh" else 1] for a, _ in refused}
    common.flash("warning", t("roleplay.desk.refused_terms", items=t("roleplay.list_sep").join(
        f"{names[a]}: {_error_text(_Refusal(code))}" for a, code in refused)))


class _Refusal(Exception):
    def __init__(self, code: str):
        from training.desk import engine_text

        self.zh, self.en = engine_text("reason", code)
        super().__init__(self.en)
