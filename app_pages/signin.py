"""Sign in and out: a local account (name and password) or the operator's single sign-on.

Signed in, this is the account's page: who is signed in, and where that role's work
starts (the pages the role opens, its own first, each with what it is for)."""

import streamlit as st

from app_pages import common, signin_form
from training.authz import Action, can
from training.i18n import t

# Pages worth starting from, by the action that opens them (None: every signed-in user)
# and in the order a role meets them: a manager's lab before the cases every role plays.
START = (
    ("users", Action.MANAGE_USERS, ":material/manage_accounts:"),
    ("lab", Action.STRATEGY_LAB, ":material/science:"),
    ("cohort_dashboard", Action.CREATE_COHORT, ":material/monitoring:"),
    ("cohort_admin", Action.CREATE_COHORT, ":material/groups:"),
    ("author", Action.AUTHOR_CASE, ":material/edit_note:"),
    ("cases", None, ":material/folder_open:"),
    ("my_attempts", None, ":material/assignment:"),
    ("lessons", None, ":material/school:"),
)


def where_to_start(user) -> None:
    """Links to the pages this account opens, each with a line on what it is for."""
    st.subheader(t("signin.start.title"))
    db = common.db()
    for key, action, icon in START:
        if action is None or can(user, action, db=db):
            st.page_link(common.PAGES[key], label=t(f"nav.{key}"), icon=icon)
            st.caption(t(f"signin.start.{key}"))


common.show_flash()
user = common.current_user()

if user is not None:
    st.title(t("nav.account"))
    st.success(t("signin.as", name=user.label, role=t(f"role.{user.role.value}")))
    where_to_start(user)
    if st.button(t("signin.sign_out"), key="sign_out", icon=":material/logout:"):
        common.sign_out()
        st.rerun()
    st.stop()

signin_form.signed_out_page()
