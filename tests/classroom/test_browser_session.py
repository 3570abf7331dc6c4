"""Sign-ins that outlive a browser tab (service layer): the grant a page exchanges for
the session its cookie keeps, expiry, and one sign-out ending every session of a
sign-in; and the /api/session route that sets and clears the HttpOnly cookie."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from app_pages import browser_session
from training import accounts
from training.accounts import create_user
from training.i18n import t

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-password-1"
HEADERS = {browser_session.HEADER: "1", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def fay(database):
    return create_user(database, "fay", PASSWORD)


def test_a_grant_gives_the_cookie_a_session_of_the_same_user_once(database, fay):
    tab = accounts.open_session(database, fay)
    grant = accounts.issue_grant(database, tab)
    granted = accounts.redeem_grant(database, grant)
    assert granted is not None and granted.token not in (tab, grant)
    assert accounts.user_for_session(database, granted.token).id == fay.id
    assert accounts.user_for_session(database, grant) is None  # a grant is no session
    assert accounts.redeem_grant(database, grant) is None  # used once only
    assert accounts.redeem_grant(database, "forged-grant") is None
    assert accounts.issue_grant(database, "forged-token") is None


def test_a_grant_left_unused_expires_within_a_minute(database, fay, monkeypatch):
    grant = accounts.issue_grant(database, accounts.open_session(database, fay))
    later = accounts.now() + accounts.GRANT_TTL + timedelta(seconds=1)
    monkeypatch.setattr(accounts, "now", lambda: later)
    assert accounts.redeem_grant(database, grant) is None


def test_the_cookie_session_ends_when_its_sign_in_would_have(database, fay, monkeypatch):
    start = accounts.now()
    monkeypatch.setattr(accounts, "now", lambda: start)
    tab = accounts.open_session(database, fay)
    grant = accounts.issue_grant(database, tab)
    monkeypatch.setattr(accounts, "now", lambda: start + timedelta(seconds=30))
    cookie = accounts.redeem_grant(database, grant)
    assert cookie.expires_at == start + accounts.SESSION_MAX  # no longer than the sign-in
    # unused for the idle time, the cookie's session ends like any other
    monkeypatch.setattr(accounts, "now", lambda: start + accounts.SESSION_IDLE
                        + timedelta(minutes=1))
    assert accounts.user_for_session(database, cookie.token) is None
    # kept busy, it still ends at the sign-in's maximum age
    monkeypatch.setattr(accounts, "now", lambda: start)
    cookie = accounts.redeem_grant(database, accounts.issue_grant(database, tab))
    t = start
    while t < start + accounts.SESSION_MAX - accounts.SESSION_IDLE:
        t += accounts.SESSION_IDLE / 2
        monkeypatch.setattr(accounts, "now", lambda t=t: t)
        assert accounts.user_for_session(database, cookie.token) is not None
    monkeypatch.setattr(accounts, "now", lambda: start + accounts.SESSION_MAX)
    assert accounts.user_for_session(database, cookie.token) is None


def test_a_tab_kept_busy_keeps_the_cookie_of_its_sign_in_alive(database, fay, monkeypatch):
    start = accounts.now()
    monkeypatch.setattr(accounts, "now", lambda: start)
    tab = accounts.open_session(database, fay)
    cookie = accounts.redeem_grant(database, accounts.issue_grant(database, tab)).token
    t = start
    while t < start + 2 * accounts.SESSION_IDLE:  # only the tab is used...
        t += accounts.SEEN_RESOLUTION * 10
        monkeypatch.setattr(accounts, "now", lambda t=t: t)
        assert accounts.user_for_session(database, tab) is not None
    assert accounts.user_for_session(database, cookie).id == fay.id  # ...the reload works


@pytest.mark.parametrize("sign_out_from", ["tab", "cookie"])
def test_signing_out_anywhere_ends_every_session_of_that_sign_in(database, fay,
                                                                 sign_out_from):
    tab = accounts.open_session(database, fay)
    cookie = accounts.redeem_grant(database, accounts.issue_grant(database, tab)).token
    pending = accounts.issue_grant(database, tab)
    elsewhere = accounts.open_session(database, fay)  # another computer: its own sign-in
    accounts.close_session(database, tab if sign_out_from == "tab" else cookie)
    assert accounts.user_for_session(database, tab) is None
    assert accounts.user_for_session(database, cookie) is None
    assert accounts.redeem_grant(database, pending) is None
    assert accounts.user_for_session(database, elsewhere).id == fay.id


def test_no_grant_for_an_ended_sign_in_and_none_for_a_deactivated_user(database, fay):
    tab = accounts.open_session(database, fay)
    grant = accounts.issue_grant(database, tab)
    accounts.set_password(database, "fay", "another-password-2")  # ends every session
    assert accounts.redeem_grant(database, grant) is None
    assert accounts.issue_grant(database, tab) is None


# --- the route ---------------------------------------------------------------------------
@pytest.fixture
def client(db_url):
    with TestClient(Starlette(routes=browser_session.routes()),
                    base_url="https://training.example") as c:
        yield c


def _cookie_header(response) -> str:
    return response.headers.get("set-cookie", "")


def test_the_route_sets_an_httponly_strict_cookie_for_a_grant_and_clears_it(client, database,
                                                                            fay):
    tab = accounts.open_session(database, fay)
    grant = accounts.issue_grant(database, tab)
    r = client.post(browser_session.ROUTE_PATH, content=grant, headers=HEADERS)
    assert r.status_code == 204
    header = _cookie_header(r).lower()
    assert header.startswith(f"{browser_session.COOKIE_NAME}=")
    for attribute in ("httponly", "samesite=strict", "secure", "path=/", "max-age="):
        assert attribute in header
    token = client.cookies.get(browser_session.COOKIE_NAME)
    assert token not in (tab, grant)
    assert accounts.user_for_session(database, token).id == fay.id
    assert grant not in r.text and token not in str(r.url)  # not in the body, not in a URL

    r = client.delete(browser_session.ROUTE_PATH, headers=HEADERS)
    assert r.status_code == 204
    assert "max-age=0" in _cookie_header(r).lower()
    assert accounts.user_for_session(database, token) is None
    assert accounts.user_for_session(database, tab) is None  # the whole sign-in ended


def test_the_route_refuses_other_sites_and_used_grants(client, database, fay):
    grant = accounts.issue_grant(database, accounts.open_session(database, fay))
    r = client.post(browser_session.ROUTE_PATH, content=grant)  # no header: a plain form
    assert r.status_code == 403 and not _cookie_header(r)
    r = client.post(browser_session.ROUTE_PATH, content=grant,
                    headers={**HEADERS, "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403 and not _cookie_header(r)
    assert client.post(browser_session.ROUTE_PATH, content=grant,
                       headers=HEADERS).status_code == 204
    r = client.post(browser_session.ROUTE_PATH, content=grant, headers=HEADERS)
    assert r.status_code == 410 and not _cookie_header(r)
    r = client.post(browser_session.ROUTE_PATH, content="x" * 1000, headers=HEADERS)
    assert r.status_code == 400
    assert client.get(browser_session.ROUTE_PATH).status_code == 405


# --- the app reading the cookie (AppTest cannot send cookies: the reader is replaced) -----
def app_with_cookie(monkeypatch, token: str | None):
    from streamlit.testing.v1 import AppTest

    from app_pages.common import TOKEN_KEY

    monkeypatch.setattr(browser_session, "cookie_token", lambda: token)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, TOKEN_KEY


def test_a_new_tab_with_the_cookie_is_signed_in(monkeypatch, database, fay):
    tab = accounts.open_session(database, fay)
    cookie = accounts.redeem_grant(database, accounts.issue_grant(database, tab)).token
    at, key = app_with_cookie(monkeypatch, cookie)
    assert at.session_state[key] == cookie
    assert "Signed in as fay (trainee)" in [c.value for c in at.caption]


def test_a_cookie_whose_sign_in_ended_signs_nobody_in_says_so_and_is_cleared(monkeypatch,
                                                                           database, fay):
    tab = accounts.open_session(database, fay)
    cookie = accounts.redeem_grant(database, accounts.issue_grant(database, tab)).token
    accounts.close_session(database, tab)  # signed out in another tab
    at, key = app_with_cookie(monkeypatch, cookie)
    assert key not in at.session_state
    assert t("signin.expired", "en") in [w.value for w in at.warning]
    assert at.session_state[browser_session._JOB_KEY]["method"] == "DELETE"
    at.run()  # said once: the tab does not judge the same cookie again
    assert t("signin.expired", "en") not in [w.value for w in at.warning]
