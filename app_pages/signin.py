"""Sign in and out: a local account (name and password) or the operator's single sign-on."""

import streamlit as st

from app_pages import common
from training import accounts
from training.i18n import t

st.title(t("signin.title"))
common.show_flash()
user = common.current_user()

if user is not None:
    st.success(t("signin.as", name=user.label, role=t(f"role.{user.role.value}")))
    if st.button(t("signin.sign_out"), key="sign_out", icon=":material/logout:"):
        common.sign_out()
        st.rerun()
    st.stop()

if common.allowed("self_study"):
    st.info(t("signin.self_study_on"))

with st.form("signin_form"):
    username = st.text_input(t("signin.username"), key="signin_username", max_chars=64)
    password = st.text_input(t("signin.password"), type="password", key="signin_password",
                             max_chars=256)
    submitted = st.form_submit_button(t("signin.submit"), type="primary")

if submitted:
    try:
        user = accounts.authenticate(common.db(), username, password)
    except accounts.AccountError as err:
        st.error(t(err.key, **err.detail))
    else:
        common.sign_in(user)
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
