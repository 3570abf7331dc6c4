"""A trainee coming back (a new tab, the next day) through AppTest: the language they
picked is theirs, not the tab's; the Desk of a tab with no attempt open offers their
unfinished work first; the welcome after sign-in outlives the sign-in cookie's rerun.

AppTest sends no cookie and runs no component: the cookie reader and the component that
fetches the cookie are replaced, as a browser would answer them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import browser_session
from app_pages.common import TOKEN_KEY
from sim.scenario import load_scenario
from training import accounts
from training import classroom as cr
from training.attempts import AttemptStore, LiveGames, unfinished
from training.db import now
from training.i18n import t
from training.models import Role
from training.publishing import publish_case

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
INTRO = ROOT / "scenarios" / "intro.yaml"
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


def sign_in_here(at: AppTest, username: str) -> AppTest:
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(PW)
    return ok(at.button[0].click().run())


def test_a_signed_out_tabs_address_does_not_overrule_the_users_saved_language(monkeypatch,
                                                                             database, ann):
    """A signed-out tab's address holds ``?lang=zh`` (every page writes it there), and on
    signing in that stale word won over the English Ann had saved. The address is not her
    pick: her saved language opens, the welcome in it, and nothing is saved over it."""
    accounts.set_language(database, ann.id, "en")
    at = new_tab(monkeypatch, None, lang="zh")
    assert at.radio(key="lang_switch").value == "zh"
    sign_in_here(at, "ann")
    assert at.radio(key="lang_switch").value == "en"
    assert at.query_params["lang"] == "en"
    assert t("signin.welcome", "en", name="Ann") in [s.value for s in at.success]
    assert accounts.language_of(database, ann.id) == "en"


@pytest.mark.parametrize("saved", [None, "zh"])
def test_a_language_picked_before_signing_in_is_kept_for_the_account(monkeypatch, database,
                                                                      ann, saved):
    """A language picked with the switch while signed out was lost at sign-in: the next tab
    opened in another. It is the user's own word: it stays, and is saved to the account
    (over one saved before)."""
    if saved:
        accounts.set_language(database, ann.id, saved)
    at = new_tab(monkeypatch, None, lang="zh")
    ok(at.radio(key="lang_switch").set_value("en").run())
    sign_in_here(at, "ann")
    assert at.radio(key="lang_switch").value == "en"
    assert accounts.language_of(database, ann.id) == "en"
    at = new_tab(monkeypatch, cookie_of(database, ann))  # her next tab, at the bare address
    assert at.radio(key="lang_switch").value == "en"


def test_the_last_users_pick_is_not_saved_for_the_next_to_sign_in_in_that_tab(monkeypatch,
                                                                              database, ann):
    """On a shared computer: Ann picks English, signs out; Ben signs in in the same tab.
    Ben gets the Chinese he saved, and Ann's pick is not written to his account."""
    ben = accounts.create_user(database, "ben", PW, display_name="Ben")
    accounts.set_language(database, ben.id, "zh")
    at = new_tab(monkeypatch, None)
    sign_in_here(at, "ann")
    ok(at.radio(key="lang_switch").set_value("en").run())
    ok(at.switch_page("app_pages/signin.py").run())
    monkeypatch.setattr(browser_session, "cookie_token", lambda: None)  # the cookie is gone
    ok(at.button(key="sign_out").click().run())
    assert TOKEN_KEY not in at.session_state or not at.session_state[TOKEN_KEY]
    sign_in_here(at, "ben")
    assert at.radio(key="lang_switch").value == "zh"
    assert accounts.language_of(database, ben.id) == "zh"
    assert accounts.language_of(database, ann.id) == "en"


def test_a_language_is_kept_only_if_the_app_has_it(database, ann):
    with pytest.raises(accounts.AccountError) as err:
        accounts.set_language(database, ann.id, "fr")
    assert err.value.key == "accounts.no_such_language"
    assert "fr" in t(err.value.key, "en", **err.value.detail)
    assert accounts.language_of(database, ann.id) is None


# --- 2. the Desk of a new tab ------------------------------------------------------------
class Class:
    """Ann in Monday class, the intro case assigned to it; Ann's attempts under way."""

    def __init__(self, db, ann):
        self.db, self.ann = db, ann
        self.teacher = accounts.create_user(db, "teacher", PW, Role.INSTRUCTOR, "Ms Teacher")
        self.cohort = cr.create_cohort(db, self.teacher, "Monday class")
        cr.enrol(db, self.teacher, self.cohort.id, "ann")
        version = publish_case(db, self.teacher, INTRO.read_text(encoding="utf-8"))
        self.assignment = cr.assign_case(db, self.teacher, self.cohort.id, version.id,
                                         now() - timedelta(hours=1), now() + timedelta(days=3))
        intro = load_scenario(INTRO)
        self.games = LiveGames(AttemptStore(db=db), lambda _id: intro)
        self.intro = intro

    def class_attempt(self, months: int) -> str:
        live = cr.start_assignment(self.db, self.ann, self.games, self.assignment.id)
        for m in range(months):
            self.games.end_month(live.attempt.id, m)
        return live.attempt.id

    def practice(self, months: int) -> str:
        live = cr.start_practice(self.db, self.ann, self.games, self.intro)
        for m in range(months):
            self.games.end_month(live.attempt.id, m)
        return live.attempt.id


def desk_in_new_tab(monkeypatch, db, user, lang: str) -> AppTest:
    at = new_tab(monkeypatch, cookie_of(db, user), lang=lang)
    return ok(at.switch_page("app_pages/desk.py").run())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_desk_of_a_new_tab_offers_the_class_attempt_under_way_and_opens_it(
        monkeypatch, database, ann, lang):
    school = Class(database, ann)
    aid = school.class_attempt(4)
    at = desk_in_new_tab(monkeypatch, database, ann, lang)
    assert "attempt_id" not in at.session_state or not at.session_state["attempt_id"]
    [offer] = [b for b in at.button if b.key.startswith("resume_")]
    assert offer.key == f"resume_{aid}"
    assert t("resume.class", lang, cohort="Monday class", case=school.intro.title.get(lang),
             month=4, horizon=12, updated="", id=aid).split("（" if lang == "zh" else " (")[0] \
        in offer.label
    assert t("attempt.none", lang) not in [i.value for i in at.info]  # not "choose a case"
    ok(offer.click().run())
    assert at.session_state["attempt_id"] == aid
    assert at.button(key="end_month_4")  # the desk of that attempt, at month 4


PLAYED = {"en": "4 of 12 months played", "zh": "已完成 4 / 12 个月"}
"""How an attempt with 4 of its 12 months played reads, wherever it is listed."""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_desk_cases_and_my_work_count_the_same_months_played(monkeypatch, database, ann,
                                                                  lang):
    """The Desk offered "month 5/12" (the month to play next) and Cases "month 5/12" where
    My work said "4 of 12 months played" for the same attempt: one attempt, two counts.
    Each now says the months played, in words that say so."""
    school = Class(database, ann)
    aid = school.class_attempt(4)
    at = desk_in_new_tab(monkeypatch, database, ann, lang)
    assert PLAYED[lang] in at.button(key=f"resume_{aid}").label
    ok(at.switch_page("app_pages/cases.py").run())
    assert PLAYED[lang] in at.button(key=f"continue_{aid}").label
    ok(at.switch_page("app_pages/my_attempts.py").run())
    assert any(PLAYED[lang] in m.value for m in at.markdown)


def test_the_most_recent_unfinished_attempt_comes_first_and_finished_or_withdrawn_do_not(
        monkeypatch, database, ann):
    school = Class(database, ann)
    class_aid = school.class_attempt(4)
    practice_aid = school.practice(1)  # saved after the class attempt
    done = school.practice(0)
    for m in range(school.intro.horizon_months):
        school.games.end_month(done, m)
    at = desk_in_new_tab(monkeypatch, database, ann, "en")
    offers = [b for b in at.button if b.key.startswith("resume_")]
    assert [b.key for b in offers] == [f"resume_{practice_aid}", f"resume_{class_aid}"]
    assert offers[0].label.startswith("Continue practice:")
    assert offers[1].label.startswith("Continue the class assignment of Monday class:")

    cr.withdraw_assignment(database, school.teacher, school.assignment.id)
    assert [u.attempt.id for u in unfinished(database, ann.id)] == [practice_aid]


def test_with_nothing_unfinished_the_desk_still_points_to_cases_and_my_work(monkeypatch,
                                                                           database, ann):
    at = desk_in_new_tab(monkeypatch, database, ann, "en")
    assert t("attempt.none", "en") in [i.value for i in at.info]
    assert not [b for b in at.button if b.key.startswith("resume_")]


def test_another_users_attempt_is_never_offered(monkeypatch, database, ann):
    school = Class(database, ann)
    school.class_attempt(2)
    ben = accounts.create_user(database, "ben", PW, display_name="Ben")
    at = desk_in_new_tab(monkeypatch, database, ben, "en")
    assert not [b for b in at.button if b.key.startswith("resume_")]


# --- 3. the welcome outlives the cookie's rerun -----------------------------------------
def browser_answering(monkeypatch) -> list[str]:
    """The cookie component as a browser runs it: its request ends after the run that
    mounted it, and that end starts one more run, which sees it done."""
    mounted: list[str] = []

    def mount(data, **_kw):
        seen = data["id"] in mounted
        mounted.append(data["id"])
        return SimpleNamespace(done={"id": data["id"], "status": 204} if seen else None)

    monkeypatch.setattr(browser_session, "_mount", mount)
    return mounted


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_welcome_stays_through_the_rerun_that_sets_the_cookie_then_goes(monkeypatch,
                                                                           database, ann, lang):
    mounted = browser_answering(monkeypatch)
    at = new_tab(monkeypatch, None, lang=lang)
    at.text_input(key="signin_username").input("ann")
    at.text_input(key="signin_password").input(PW)
    ok(at.button[0].click().run())
    welcome = t("signin.welcome", lang, name="Ann")
    assert welcome in [s.value for s in at.success]
    assert mounted and browser_session._JOB_KEY in at.session_state

    ok(at.run())  # the cookie is set: its end reruns the page
    assert browser_session._JOB_KEY not in at.session_state
    assert welcome in [s.value for s in at.success]
    ok(at.run())  # the user's next move: said, not repeated for ever
    assert welcome not in [s.value for s in at.success]


def test_without_a_browser_a_message_is_still_said_once(monkeypatch, database, ann):
    at = new_tab(monkeypatch, None, lang="en")
    at.text_input(key="signin_username").input("ann")
    at.text_input(key="signin_password").input(PW)
    ok(at.button[0].click().run())
    welcome = t("signin.welcome", "en", name="Ann")
    assert welcome in [s.value for s in at.success]
    ok(at.run())  # the cookie's work never ends here: nothing brings the message back
    assert welcome not in [s.value for s in at.success]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_debrief_of_a_new_tab_offers_the_finished_attempts_and_opens_one(
        monkeypatch, database, ann, lang):
    """The Debrief page of a tab with no attempt said only "choose a case", so a trainee
    back the next day could not find the debrief of the case they had finished. It now
    lists their finished attempts, the most recent first (an unfinished one is the Desk's),
    and a click opens that debrief."""
    school = Class(database, ann)
    older = school.practice(0)
    for m in range(school.intro.horizon_months):
        school.games.end_month(older, m)
    newer = school.class_attempt(school.intro.horizon_months)
    school.practice(3)  # under way: not offered here
    at = new_tab(monkeypatch, cookie_of(database, ann), lang=lang)
    ok(at.switch_page("app_pages/debrief.py").run())
    offers = [b for b in at.button if b.key.startswith("reopen_")]
    assert [b.key for b in offers] == [f"reopen_{newer}", f"reopen_{older}"]
    title = school.intro.title.get(lang)
    assert "Monday class" in offers[0].label and title in offers[0].label
    assert t("attempt.none", lang) not in [i.value for i in at.info]
    ok(offers[1].click().run())
    assert at.session_state["attempt_id"] == older
    assert at.title[0].value == t("debrief.title", lang, case=title)
    assert at.metric  # the debrief's figures, not its "not over yet" note


def test_with_nothing_finished_the_debrief_points_to_cases_and_my_work(monkeypatch, database,
                                                                       ann):
    Class(database, ann).practice(2)
    at = new_tab(monkeypatch, cookie_of(database, ann), lang="en")
    ok(at.switch_page("app_pages/debrief.py").run())
    assert t("attempt.none", "en") in [i.value for i in at.info]
    assert not [b for b in at.button if b.key.startswith("reopen_")]
