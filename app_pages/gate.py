"""A page the navigation does not offer this user, reached by its address (a link from a
colleague, a bookmark, a reload after the sign-in ended).

Streamlit would say "Page not found" over the sign-in page and then forget the address.
Instead every page keeps its address: a signed-out user sees what the page is and the
sign-in form, and after signing in the same address opens the page itself; a signed-in
user whose role does not open it is told so, with a way back."""

from collections.abc import Callable

import streamlit as st

from app_pages import common, signin_form
from training.i18n import t


def locked(key: str, title: str) -> Callable[[], None]:
    """The stand-in for page ``key`` (titled ``title``) while this user cannot open it."""

    def draw() -> None:
        st.title(title)
        common.show_flash()  # "your session has ended", when that is why the page is locked
        user = common.current_user()
        if user is None:
            st.info(t("gate.sign_in", page=title))
            signin_form.draw(welcome=False)  # the page itself opens: no greeting later
            return
        st.warning(t("gate.not_for_role", page=title, role=t(f"role.{user.role.value}")))
        st.page_link(common.PAGES["signin"], label=t("gate.account"), icon=":material/account_circle:")

    draw.__name__ = f"locked_{key}"
    return draw


def signin_here() -> None:
    """The sign-in page at its own address while it is the root page (app.py): a
    bookmark, a class's instructions or a reload after signing out open the form."""
    common.show_flash()
    signin_form.signed_out_page()
