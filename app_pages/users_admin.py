"""Accounts (账户管理), for admins: add an account with a role, change a role, set a new
password (a trainee who forgot theirs; the account's open sessions end)."""

import streamlit as st

from app_pages import common
from training import accounts
from training.authz import Action, Forbidden, require
from training.i18n import t
from training.models import Role

st.title(t("users.title"))
common.show_flash()
user = common.current_user()
try:
    require(user, Action.MANAGE_USERS, db=common.db())
except Forbidden as err:
    common.forbidden(err)
    st.stop()

ROLES = [r.value for r in Role]


@common.db_guarded
def _add_user() -> None:
    """Create the typed account (a submit callback: on success the boxes are emptied, so
    the password does not stay on the screen and a second press does not try the same
    name again; on a refusal they keep what was typed). The role stays chosen."""
    ss = st.session_state
    try:
        made = accounts.create_user(common.db(), ss.get("new_username", ""),
                                    ss.get("new_password", ""), ss.get("new_role", ROLES[0]),
                                    display_name=ss.get("new_display", ""))
    except accounts.AccountError as err:
        ss["add_problem"] = t(err.key, **err.detail)
    else:
        common.flash("success", t("users.created", name=made.username,
                                  role=t(f"role.{made.role.value}")))
        ss["new_username"] = ss["new_display"] = ss["new_password"] = ""


with st.form("add_user"):
    st.subheader(t("users.add"))
    st.text_input(t("signin.username"), max_chars=64, key="new_username")
    st.text_input(t("users.display_name"), max_chars=128, key="new_display")
    st.selectbox(t("users.role"), ROLES, key="new_role", format_func=lambda r: t(f"role.{r}"))
    st.text_input(t("signin.password"), type="password", key="new_password",
                  help=t("accounts.short_password", min=accounts.MIN_PASSWORD_CHARS))
    st.form_submit_button(t("users.create"), type="primary", on_click=_add_user)
    if "add_problem" in st.session_state:
        st.error(st.session_state.pop("add_problem"))

with st.form("change_role"):
    st.subheader(t("users.change_role"))
    who = st.text_input(t("signin.username"), max_chars=64, key="role_username")
    new_role = st.selectbox(t("users.role"), ROLES, key="role_value",
                            format_func=lambda r: t(f"role.{r}"))
    if st.form_submit_button(t("users.apply")):
        try:
            changed = accounts.set_role(common.db(), who, new_role)
        except accounts.AccountError as err:
            st.error(t(err.key, **err.detail))
        else:
            common.flash("success", t("users.role_changed", name=changed.username,
                                      role=t(f"role.{changed.role.value}")))
            st.rerun()


@common.db_guarded
def _reset_password() -> None:
    """Set the typed password (a submit callback: on success the boxes are emptied, so the
    new password does not stay on the screen; on a refusal both keep what was typed)."""
    ss = st.session_state
    try:
        accounts.set_password(common.db(), ss.get("reset_username", ""),
                              ss.get("reset_password", ""))
    except accounts.AccountError as err:
        ss["reset_problem"] = t(err.key, **err.detail)
    else:
        common.flash("success", t("users.password_set",
                                  name=accounts.normalise_username(ss["reset_username"])))
        ss["reset_username"] = ss["reset_password"] = ""


with st.form("reset_password_form"):
    st.subheader(t("users.reset_password"))
    st.caption(t("users.reset_help"))
    st.text_input(t("signin.username"), max_chars=64, key="reset_username")
    st.text_input(t("users.new_password"), type="password", key="reset_password",
                  help=t("accounts.short_password", min=accounts.MIN_PASSWORD_CHARS))
    st.form_submit_button(t("users.set_password"), on_click=_reset_password)
    if "reset_problem" in st.session_state:
        st.error(st.session_state.pop("reset_problem"))
