"""A trainee coming back (a new tab, the next day) through AppTest: the language they
picked is theirs, not the tab's; the Desk of a tab with no attempt open offers their
unfinished work first; the welcome after sign-in outlives the sign-in cookie's rerun.

AppTest sends no cookie and runs no component: the cookie reader and the component that
fetches the cookie are replaced, as a browser would answer them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import browser_session
from app_pages.common import TOKEN_KEY
from training import accounts
from training.i18n import t

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PW = "a-long-password-1"


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def cookie_of(db, user) -> str:
    """The token a browser keeps in its cookie after ``user`` signed in."""
    tab = accounts.open_session(db, user)
    return accounts.redeem_grant(db, accounts.issue_grant(db, tab)).token


def new_tab(monkeypatch, cookie: str | None, **query) -> AppTest:
    """The app's address opened in a new tab of a browser holding ``cookie``."""
    monkeypatch.setattr(browser_session, "cookie_token", lambda: cookie)
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    return ok(at.run())


@pytest.fixture
def ann(database):
    return accounts.create_user(database, "ann", PW, display_name="Ann")


# --- 1. the language is the user's -------------------------------------------------------
def test_the_language_a_user_picked_opens_their_next_tab_and_not_a_visitors(monkeypatch,
                                                                            database, ann):
    at = new_tab(monkeypatch, cookie_of(database, ann))
    assert at.session_state[TOKEN_KEY] and at.radio(key="lang_switch").value == "zh"
    ok(at.radio(key="lang_switch").set_value("en").run())
    assert accounts.language_of(database, ann.id) == "en"

    # closed, and opened again at the bare address: English, and said in the address
    at = new_tab(monkeypatch, cookie_of(database, ann))
    assert at.radio(key="lang_switch").value == "en"
    assert at.query_params["lang"] == "en"
    assert at.title[0].value == t("cases.title", "en")
    # a link that says the language wins, and is not kept as the user's choice
    at = new_tab(monkeypatch, cookie_of(database, ann), lang="zh")
    assert at.radio(key="lang_switch").value == "zh"
    assert accounts.language_of(database, ann.id) == "en"
    # a signed-out visitor keeps today's default
    at = new_tab(monkeypatch, None)
    assert at.radio(key="lang_switch").value == "zh"


def test_signing_in_in_a_tab_opened_at_the_bare_address_turns_to_the_users_language(
        monkeypatch, database, ann):
    accounts.set_language(database, ann.id, "en")
    at = new_tab(monkeypatch, None)
    assert at.radio(key="lang_switch").value == "zh"
    at.text_input(key="signin_username").input("ann")
    at.text_input(key="signin_password").input(PW)
    ok(at.button[0].click().run())
    assert at.radio(key="lang_switch").value == "en"
    assert t("signin.welcome", "en", name="Ann") in [s.value for s in at.success]


def test_a_language_is_kept_only_if_the_app_has_it(database, ann):
    with pytest.raises(accounts.AccountError) as err:
        accounts.set_language(database, ann.id, "fr")
    assert err.value.key == "accounts.no_such_language"
    assert "fr" in t(err.value.key, "en", **err.value.detail)
    assert accounts.language_of(database, ann.id) is None
