"""Sign in and out: a local account (name and password) or the operator's single sign-on."""

import streamlit as st

from app_pages import common, signin_form
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

signin_form.draw()
