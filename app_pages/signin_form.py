"""The sign-in form (a local account, or the operator's single sign-on), drawn by the
Sign-in page and by a page that needs a sign-in before it opens (app_pages.gate)."""

import streamlit as st

from app_pages import common
from training import accounts
from training.i18n import t


def draw(welcome: bool = True) -> None:
    """The form; a successful sign-in reruns the app, which then opens the page the URL
    asks for (the sign-in page, or the page the user followed a link to). ``welcome``:
    greet the user on the next page that shows messages (the sign-in page does)."""
    with st.form("signin_form"):
        username = st.text_input(t("signin.username"), key="signin_username", max_chars=64)
        password = st.text_input(t("signin.password"), type="password", key="signin_password",
                                 max_chars=accounts.MAX_PASSWORD_CHARS)
        submitted = st.form_submit_button(t("signin.submit"), type="primary")

    if submitted:
        try:
            user = accounts.authenticate(common.db(), username, password)
        except accounts.AccountError as err:
            st.error(t(err.key, **err.detail))
        else:
            common.sign_in(user)
            if welcome:
                common.flash("success", t("signin.welcome", name=user.label))
            st.rerun()

    providers = common.sso_providers()
    if providers:
        st.divider()
        for provider in providers:
            label = t("signin.sso") if provider is None else t("signin.sso_with", provider=provider)
            if st.button(label, key=f"sso_{provider or 'default'}", icon=":material/key:"):
                st.login() if provider is None else st.login(provider)
        st.caption(t("signin.sso_caption"))
    elif accounts.count_users(common.db()) == 0:
        st.caption(t("signin.first_admin"))


def signed_out_page() -> None:
    """The sign-in page as a signed-out user sees it: its title, whether anonymous practice
    is open, and the form (app_pages/signin.py; app.py's root page when there are accounts,
    also at the address ``signin``)."""
    st.title(t("signin.title"))
    if common.allowed("self_study"):
        st.info(t("signin.self_study_on"))
    draw()
