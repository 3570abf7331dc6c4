"""Bianque (扁鹊) app: the router and the frame around every page.

Run with ``streamlit run app.py``. Pages live in app_pages/; this file sets the
language, finds who is signed in, offers each role its pages, keeps the attempt id
in the URL and draws the sidebar. The navigation only offers; every page and every
service checks the role and the owner again (training.authz).

The same file is also the server: ``streamlit run`` finds the ``st.App`` below,
imports this file once as the module ``app`` and serves it with the sign-in cookie's
route (``/api/session``, app_pages.browser_session) beside the pages; each browser
session then runs this file as ``__main__``.
"""

from collections.abc import Callable

import streamlit as st

from app_pages import browser_session, common, gate
from training.authz import Action, can
from training.i18n import t


def page(key: str, icon: str, default: bool = False, title: str | None = None,
         url_path: str | None = None) -> st.Page:
    """Page ``key`` in the menu, titled ``nav.<key>`` in the catalogue (or ``title``), at the
    address ``key`` (or ``url_path``)."""
    return st.Page(common.PAGES[key], title=t(title or f"nav.{key}"), icon=icon,
                   url_path=url_path or key, default=default)


# The sign-in page's own name while it is the root page: Streamlit names a page by its
# address, and the address ``signin`` then opens the same page as a hidden one.
SIGNIN_AT_ROOT = "welcome"


def locked_pages(sections: dict[str, list], default: str) -> list[st.Page]:
    """The pages this user is not offered, kept at their addresses but out of the menu:
    following a link to one asks for a sign-in (or says the role does not open it)
    instead of "Page not found" (app_pages.gate). ``default`` is the key of the default
    page, whose address is the app's root."""
    offered = {p.url_path or default for pages in sections.values() for p in pages}
    return [st.Page(gate.locked(key, t(f"nav.{key}")), title=t(f"nav.{key}"), url_path=key,
                    visibility="hidden")
            for key in common.PAGES if key not in offered]


def asked_address(sections: dict[str, list]) -> str | None:
    """The page address in the browser's URL when no page of this run has it (a mistyped
    or stale link), else None. Streamlit would run the default page under its own English
    "Page not found" dialog; a hidden page at that address says it in the user's language
    (``not_found``). A nested address (/desk/x) never reaches the script: Streamlit's server
    cannot load the app's files under it."""
    name = common.page_address()  # the address as the browser shows it, less the base path
    if name is None:
        return None
    known = {p.url_path for pages in sections.values() for p in pages}
    return name if name and "/" not in name and name not in known else None


def not_found(address: str, start: st.Page) -> Callable[[], None]:
    """The stand-in page at an address no page has: says so and links to the start page."""

    def draw() -> None:
        st.title(t("gate.not_found_title"))
        st.warning(t("gate.not_found", address=f"/{address}"))
        st.page_link(start, label=start.title, icon=start.icon)

    return draw


def main() -> None:
    """The frame, and in place of a traceback a database that stopped answering mid-session
    (a PostgreSQL server restarted, a connection dropped): said at the top of the page,
    which opens again by itself once the database answers."""
    from training.db import unreachable

    st.set_page_config(page_title="扁鹊 Bianque", page_icon="🩺", layout="wide")
    top = st.container()
    try:
        frame()
    except Exception as exc:
        if not unreachable(exc):
            raise
        with top:
            common.show_database_lost(exc)


def frame() -> None:
    lang = common.init_lang()
    hints = common.input_hints(lang)
    if hints:  # Streamlit's typing hints in the page's language
        st.html(hints)
    problem = common.database_problem()
    if problem is not None:  # the operator's setting, named, in place of a redacted error
        st.error(t("common.db_unavailable", setting=problem[0], reason=problem[1]),
                 icon=":material/database:")
        st.stop()
    common.sync_attempt_id()
    user = common.current_user()
    db = common.db()
    plays = user is not None or can(None, Action.SELF_STUDY, db=db)

    sections: dict[str, list] = {}
    if plays:
        sections[t("nav.section_play")] = [
            page("cases", ":material/folder_open:", default=True),
            page("briefing", ":material/description:"),
            page("desk", ":material/desk:"),
            page("debrief", ":material/insights:"),
            page("my_attempts", ":material/assignment:"),
            page("lessons", ":material/school:"),
        ]
    else:
        sections[t("nav.section_play")] = [page("lessons", ":material/school:")]
    # practising a conversation needs no case and no account, like reading a lesson
    sections[t("nav.section_play")].append(page("roleplay", ":material/forum:"))
    if user is not None:  # a paired role play is held by two signed-in classmates
        sections[t("nav.section_play")].append(page("pairs", ":material/group:"))
    if can(user, Action.CREATE_COHORT, db=db):
        sections[t("nav.section_teach")] = [
            page("cohort_admin", ":material/groups:"),
            page("cohort_dashboard", ":material/monitoring:"),
            page("review", ":material/history:"),
            page("cohort_pairs", ":material/diversity_3:"),
        ]
    if can(user, Action.AUTHOR_CASE, db=db):
        sections.setdefault(t("nav.section_teach"), []).append(
            page("author", ":material/edit_note:"))
    elif user is not None:
        sections[t("nav.section_play")].append(page("review", ":material/history:"))
    if can(user, Action.STRATEGY_LAB, db=db):
        sections[t("nav.section_manage")] = [page("lab", ":material/science:")]
    if can(user, Action.MANAGE_USERS, db=db):
        sections[t("nav.section_admin")] = [page("users", ":material/manage_accounts:")]
    account = sections[t("nav.section_account")] = [
        page("signin", ":material/account_circle:" if user else ":material/login:",
             default=not plays, title="nav.account" if user else "nav.signin",
             url_path=None if plays else SIGNIN_AT_ROOT)]
    if not plays:
        # the sign-in form is the root page; its own address (a bookmark, a link in a
        # class's instructions, a reload after signing out of "My account") opens it too,
        # instead of Streamlit's "Page not found"
        account.append(st.Page(gate.signin_here, title=t("nav.signin"), url_path="signin",
                               visibility="hidden"))
    account += locked_pages(sections, "cases" if plays else "signin")
    if (address := asked_address(sections)) is not None:
        start = next(p for pages in sections.values() for p in pages if p.url_path == "")
        account.append(st.Page(not_found(address, start), title=t("gate.not_found_title"),
                               url_path=address, visibility="hidden"))
    # every page in view: an instructor's or an administrator's own pages come last, and
    # Streamlit would otherwise fold them under "View n more" past twelve pages
    current = st.navigation(sections, expanded=True)
    back_to, query = st.session_state.pop(common.DB_LOST_AT_KEY, (None, None))
    if back_to is not None and (current.url_path or "") != back_to:
        # the database is back: open the page it was lost on, with its attempt and
        # language (a run that could not build the navigation left the default page)
        page_there = next((p for pages in sections.values() for p in pages
                           if (p.url_path or "") == back_to), None)
        if page_there is not None:
            st.switch_page(page_there, query_params=query)

    with st.sidebar:
        st.markdown(f"### {t('app.title')}")
        st.caption(t("app.tagline"))
        if user is not None:
            st.caption(t("signin.as", name=user.label, role=t(f"role.{user.role.value}")))
        common.language_switch()

    browser_session.sync()
    current.run()


# Streamlit runs this file as __main__ for every browser session (AppTest does too).
# `streamlit run app.py` first imports it as the module `app` to build the server. A
# worker process that the app starts (the strategy lab, the case preview) re-imports
# the main script as __mp_main__; there it must neither open the database nor draw.
if __name__ == "__main__":
    main()
elif __name__ == "app":
    app = st.App(__file__, routes=browser_session.routes())
