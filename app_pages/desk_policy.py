"""The monitoring-policy editor, each choice with what it costs this month, and the
prompt that opens the desk when the plan needs more hours than the staff have."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages import desk_actions as act
from sim.codes import CLASS_KEYS
from training import policy_costs, units
from training.i18n import cls_name, t


def _choice_text(c: policy_costs.Choice) -> str:
    if c.field == "first_check_days":
        value = t("policy.first_none") if c.value == 0 else t("policy.days", n=c.value)
    else:
        value = t("policy.interval_none") if c.value == 0 else units.months(c.value)
    return t("policy.choice", value=value, hours=units.hours(c.hours))


def _select(g: Any, aid: str, field: str, key: str, label: str, container: Any) -> None:
    options = policy_costs.choices(g, field)
    text = {c.value: _choice_text(c) for c in options}
    container.selectbox(label, [c.value for c in options], key=key, format_func=text.__getitem__,
                        on_change=act.apply_policy, args=(aid,))


def policy_editor(g: Any, aid: str) -> None:
    """One picker per class and one for the first check; each option shows this month's
    hours. Then the hours the trainee gives the checks due."""
    act.sync_policy_widgets(g.policy, g.routine_hours)
    cols = st.columns(3)
    for i, k in enumerate(CLASS_KEYS):
        _select(g, aid, k, f"iv_{k}", t("desk.interval_for", cls=cls_name(k)), cols[i % 3])
    _select(g, aid, "first_check_days", "first_check_days", t("desk.first_check_days"), cols[len(CLASS_KEYS) % 3])
    routine_hours_input(g, aid)


def routine_hours_input(g: Any, aid: str) -> None:
    """The hours for this month's checks due: empty for all they need (rushed when the
    month is short), or a number, beyond which the oldest checks are done in full and the
    rest wait for next month."""
    box = st.columns(3)[0]
    box.number_input(t("policy.routine_hours"), value=None, step=10.0,
                     format="%.0f", key="routine_hours", placeholder=t("policy.routine_hours_all"),
                     help=t("policy.routine_hours_help"), on_change=act.apply_routine_hours,
                     args=(aid,))
    load = policy_costs.plan_load(g)
    if load.slipping_hours > 0:
        st.caption(t("policy.routine_hours_slip", given=units.hours(load.check_hours),
                     needed=units.hours(load.policy_hours)))


def plan_prompt(g: Any, aid: str) -> bool:
    """At the top of the desk when the checks alone need more hours than there are.

    Returns True when it was shown (with the editor, so the fix is right there).
    """
    load = policy_costs.plan_load(g)
    if load.fits or g.finished:
        return False
    with st.container(border=True, key="plan_prompt"):
        st.warning(t("policy.prompt", needed=units.hours(load.policy_hours),
                     available=units.hours(load.available_hours)), icon=":material/schedule:")
        st.caption(t("policy.prompt_help"))
        st.caption(t("policy.prompt_or_hours"))
        policy_editor(g, aid)
    return True
