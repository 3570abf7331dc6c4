"""Single sign-on (OIDC through st.login): which local account an identity signs in to,
and the sign-in page with and without an [auth] section in secrets.toml (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from app_pages import browser_session
from training import accounts
from training.accounts import AccountError, create_user
from training.db import get_database
from training.i18n import t
from training.models import Role, SessionRow, UserRow

ROOT = Path(__file__).resolve().parents[2]
PW = "a-long-password-1"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-test-secret",
    "client_id": "bianque",
    "client_secret": "test-secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


# --- the identity's account --------------------------------------------------------------
def test_a_verified_email_links_the_existing_account_then_the_subject_decides(database):
    create_user(database, "hana", PW, Role.INSTRUCTOR, email="Hana@Bank.example")
    linked = accounts.user_for_oidc(database, "sub-1", "hana@bank.example", "Hana",
                                    email_verified=True)
    assert linked.username == "hana" and linked.role is Role.INSTRUCTOR
    moved = accounts.user_for_oidc(database, "sub-1", "hana.new@bank.example", "Hana")
    assert moved.id == linked.id  # the subject, not the e-mail, names the person


def test_an_unverified_email_never_takes_over_an_account(database):
    admin = create_user(database, "root", PW, Role.ADMIN, email="root@bank.example")
    user = accounts.user_for_oidc(database, "sub-x", "root@bank.example", "Mallory",
                                  email_verified=False)
    assert user.id != admin.id and user.role is Role.TRAINEE
    assert user.username == "root2"  # the name is taken, so the new account gets another


def test_an_email_already_linked_to_another_identity_gives_a_new_trainee(database):
    create_user(database, "ivan", PW, email="ivan@bank.example")
    first = accounts.user_for_oidc(database, "sub-1", "ivan@bank.example", "Ivan",
                                   email_verified=True)
    second = accounts.user_for_oidc(database, "sub-2", "ivan@bank.example", "Ivan",
                                    email_verified=True)
    assert second.id != first.id and second.role is Role.TRAINEE


def test_a_first_sign_on_makes_a_trainee_with_a_valid_name_and_no_password(database):
    user = accounts.user_for_oidc(database, "00u1!x", None, "  Jo  ")
    assert user.role is Role.TRAINEE and user.display_name == "Jo"
    assert accounts.USERNAME_PATTERN.match(user.username)
    assert accounts.user_for_oidc(database, "00u1!x", None, "Jo").id == user.id
    with pytest.raises(AccountError):
        accounts.authenticate(database, user.username, "")  # it signs in by SSO only


def test_a_deactivated_account_or_an_identity_without_subject_is_refused(database):
    accounts.user_for_oidc(database, "sub-k", "kim@bank.example", "Kim")
    with database.session() as s:
        s.scalar(select(UserRow).where(UserRow.oidc_subject == "sub-k")).active = False
    with pytest.raises(AccountError) as err:
        accounts.user_for_oidc(database, "sub-k", "kim@bank.example", "Kim")
    assert err.value.key == "accounts.bad_credentials"
    with pytest.raises(AccountError) as err:
        accounts.user_for_oidc(database, "  ", "x@bank.example", "X")
    assert err.value.key == "accounts.sso_no_subject"


# --- the sign-in page --------------------------------------------------------------------
def signin_page(auth: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["lang"] = "en"
    if auth is not None:
        at.secrets["auth"] = auth
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_the_page_offers_single_sign_on_only_when_the_operator_configured_it(db_url):
    create_user(get_database(), "ann", PW)
    assert t("signin.sso", "en") not in labels(signin_page())
    at = signin_page(AUTH)
    assert t("signin.sso", "en") in labels(at)
    assert t("signin.sso_caption", "en") in [c.value for c in at.caption]
    # named providers ([auth.NAME]) each get their button
    at = signin_page({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "s" * 32,
                      "corp": {k: AUTH[k] for k in ("client_id", "client_secret",
                                                    "server_metadata_url")}})
    assert t("signin.sso_with", "en", provider="corp") in labels(at)


def test_a_first_sign_on_opens_a_trainee_account_and_signs_in(db_url):
    db = get_database()
    create_user(db, "admin", PW, Role.ADMIN)
    at = signin_page(AUTH, {"is_logged_in": True, "sub": "idp|42", "email": "li@bank.example",
                            "email_verified": True, "name": "Li Wei"})
    user = accounts.user_by_name(db, "li")
    assert user is not None and user.role is Role.TRAINEE and user.display_name == "Li Wei"
    assert t("signin.as", "en", name="Li Wei", role="trainee") in [c.value for c in at.caption]
    assert accounts.user_for_session(db, at.session_state["auth_token"]).id == user.id
    # the sign-in asked the browser to keep it: a grant is waiting for the cookie route
    job = at.session_state[browser_session._JOB_KEY]
    assert job["method"] == "POST"
    assert accounts.redeem_grant(db, job["grant"]).token


def test_an_unusable_sign_on_says_why_and_signs_nobody_in(db_url):
    at = signin_page(AUTH, {"is_logged_in": True, "email": "nosub@bank.example"})
    assert "auth_token" not in at.session_state
    assert t("accounts.sso_no_subject", "en") in [e.value for e in at.error]


def test_signing_out_ends_the_sign_in_then_the_single_sign_on(db_url, monkeypatch):
    db = get_database()
    at = signin_page(AUTH, {"is_logged_in": True, "sub": "idp|7", "email": "mo@bank.example",
                            "name": "Mo"})
    token = at.session_state["auth_token"]
    at.switch_page("app_pages/signin.py").run()
    at.button(key="sign_out").click().run()
    assert "auth_token" not in at.session_state
    assert accounts.user_for_session(db, token) is None
    with db.session() as s:
        assert not s.scalars(select(SessionRow)).all()
    # the browser is asked to drop its cookie first; the sign-on stays until that is done,
    # and does not sign the user straight back in meanwhile
    assert at.session_state[browser_session._JOB_KEY]["method"] == "DELETE"
    at.run()
    assert "auth_token" not in at.session_state and at.user["is_logged_in"]

    class Done:  # what the component reports once the browser dropped the cookie
        done = {"id": at.session_state[browser_session._JOB_KEY]["id"], "status": 204}

    monkeypatch.setattr(browser_session, "_mount", lambda **_: Done())
    at.run()
    assert not at.user.get("is_logged_in")  # st.logout ran
    assert browser_session._JOB_KEY not in at.session_state
