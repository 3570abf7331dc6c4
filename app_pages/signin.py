"""Sign in and out: a local account (name and password) or the operator's single sign-on.

Signed in, this is the account's page: who is signed in, and where that role's work
starts (the pages the role opens, its own first, each with what it is for)."""

import streamlit as st

from app_pages import common, signin_form
from training import accounts
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


PASSWORD_BOXES = ("pw_current", "pw_new", "pw_again")


@common.db_guarded
def _change_password() -> None:
    """The form's submit: change the password, then empty the boxes either way (a password
    is not left typed on a page); the outcome is said under the form."""
    ss = st.session_state
    current, new, again = (ss.get(k, "") for k in PASSWORD_BOXES)
    try:
        if new != again:
            raise accounts.AccountError("accounts.new_passwords_differ")
        accounts.change_password(common.db(), ss.get(common.TOKEN_KEY), current, new)
    except accounts.AccountError as err:  # said when drawn, in the page's language
        ss["pw_said"] = ("error", err.key, err.detail)
    else:
        ss["pw_said"] = ("success", "signin.password_change.done", {})
    for k in PASSWORD_BOXES:
        ss[k] = ""


def change_password(user) -> None:
    """The user's own new password, for an account with one (a class list's one-time
    password is changed here by its trainee); a refusal names the box and the fix."""
    if not accounts.has_password(common.db(), user.id):
        return
    said = st.session_state.pop("pw_said", None)
    with st.expander(t("signin.password_change.title"), icon=":material/password:",
                     expanded=said is not None):
        with st.form("password_change", border=False):
            st.caption(t("signin.password_change.help", min=accounts.MIN_PASSWORD_CHARS))
            for key, label, fill in zip(PASSWORD_BOXES, ("current", "new", "again"),
                                        ("current-password", "new-password", "new-password"),
                                        strict=True):
                st.text_input(t(f"signin.password_change.{label}"), type="password", key=key,
                              autocomplete=fill)
            st.form_submit_button(t("signin.password_change.submit"), icon=":material/key:",
                                  on_click=_change_password)
        if said is not None:
            kind, key, detail = said
            getattr(st, kind)(t(key, **detail))


common.show_flash()
user = common.current_user()

if user is not None:
    st.title(t("nav.account"))
    st.success(t("signin.as", name=user.label, role=t(f"role.{user.role.value}")))
    where_to_start(user)
    change_password(user)
    if st.button(t("signin.sign_out"), key="sign_out", icon=":material/logout:"):
        common.sign_out()
        st.rerun()
    st.stop()

signin_form.signed_out_page()
