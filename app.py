"""Bianque (扁鹊) trainee app: the router and the frame around every page.

Run with ``streamlit run app.py``. Pages live in app_pages/; this file sets the
language, keeps the attempt id in the URL and draws the sidebar.
"""

import streamlit as st

from app_pages import common
from training.i18n import t

st.set_page_config(page_title="扁鹊 Bianque", page_icon="🩺", layout="wide")
common.init_lang()
common.sync_attempt_id()

pages = [
    st.Page(common.PAGES["cases"], title=t("nav.cases"), icon=":material/folder_open:",
            url_path="cases", default=True),
    st.Page(common.PAGES["briefing"], title=t("nav.briefing"), icon=":material/description:",
            url_path="briefing"),
    st.Page(common.PAGES["desk"], title=t("nav.desk"), icon=":material/desk:", url_path="desk"),
    st.Page(common.PAGES["debrief"], title=t("nav.debrief"), icon=":material/insights:",
            url_path="debrief"),
    st.Page(common.PAGES["lessons"], title=t("nav.lessons"), icon=":material/school:",
            url_path="lessons"),
    st.Page(common.PAGES["lab"], title=t("nav.lab"), icon=":material/science:", url_path="lab"),
]
page = st.navigation(pages)

with st.sidebar:
    st.markdown(f"### {t('app.title')}")
    st.caption(t("app.tagline"))
    common.language_switch()

page.run()
