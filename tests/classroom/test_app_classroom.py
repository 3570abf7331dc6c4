"""The classroom in the app, through streamlit.testing.v1.AppTest: sign-in, navigation by
role, attempts in the URL that open only for their player, the cohort pages, the
trainee's work page and the read-only replay. Forbidden paths are tried twice: the
navigation must not offer the page, and the page file run on its own must refuse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.scenario import load_scenario, parse_scenario
from training import accounts, report, units
from training import classroom as cr
from training import dashboard as dash
from training.attempts import AttemptStore, LiveGames
from training.db import get_database, now
from training.i18n import t
from training.lessons import load_lesson
from training.models import QuizPhase, Role
from training.publishing import publish_case

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "app_pages"
TIMEOUT = 90
PW = "a-long-password-1"
INTRO = ROOT / "scenarios" / "intro.yaml"


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success",
                 "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [b.label for b in at.button]
    return "\n".join(parts)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def app_as(user=None, lang="en", **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = v
    if user is not None:
        at.session_state["auth_token"] = accounts.open_session(get_database(), user)
    return ok(at.run())


def page_as(name: str, user=None, **query) -> AppTest:
    """One page file run on its own, as a hand-typed URL would reach it (zh, the default)."""
    at = AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    if user is not None:
        at.session_state["auth_token"] = accounts.open_session(get_database(), user)
    return ok(at.run())


def frame_with(at: AppTest, column: str):
    """The first table shown (a grid, then a static table) that has ``column`` (AppTest
    does not keep a frame's key)."""
    return next(e.value for e in [*at.dataframe, *at.table] if column in e.value.columns)


def known_pages(at: AppTest, back: str) -> set[str]:
    """The page files the navigation offers after the last run (then back to ``back``)."""
    from tests.classroom.review_crawl import offered

    pages = set(offered(at))
    at.switch_page(f"app_pages/{back}")
    return pages


class School:
    def __init__(self):
        db = get_database()
        self.db = db
        self.admin = accounts.create_user(db, "admin", PW, Role.ADMIN)
        self.teacher = accounts.create_user(db, "teacher", PW, Role.INSTRUCTOR, "Ms Teacher")
        self.manager = accounts.create_user(db, "manager", PW, Role.MANAGER)
        self.ann = accounts.create_user(db, "ann", PW, display_name="Ann")
        self.ben = accounts.create_user(db, "ben", PW, display_name="Ben")
        self.cohort = cr.create_cohort(db, self.teacher, "Class A")
        cr.enrol(db, self.teacher, self.cohort.id, "ann")
        self.version = publish_case(db, self.teacher, INTRO.read_text(encoding="utf-8"))
        qs = [q.id for q in load_lesson("early-warning", "en").questions][:2]
        self.assignment = cr.assign_case(
            db, self.teacher, self.cohort.id, self.version.id, now() - timedelta(hours=1),
            now() + timedelta(days=3),
            pre_test=[cr.TestQuestion("early-warning", q) for q in qs],
            post_test=[cr.TestQuestion("early-warning", q) for q in qs])
        intro = load_scenario(INTRO)
        self.games = LiveGames(AttemptStore(db=db), lambda _id: intro)

    def ann_attempt(self, months: int) -> str:
        live = cr.start_assignment(self.db, self.ann, self.games, self.assignment.id)
        for m in range(months):
            self.games.end_month(live.attempt.id, m)
        return live.attempt.id


@pytest.fixture
def school(db_url):
    return School()


# --- signing in ------------------------------------------------------------------------
def test_sign_in_with_a_wrong_then_the_right_password(school):
    at = app_as()
    assert at.title[0].value == "Sign in"
    assert known_pages(at, "signin.py") == {"signin.py", "lessons.py", "roleplay.py"}  # public practice only
    at.text_input(key="signin_username").input("ann")
    at.text_input(key="signin_password").input("not-the-password")
    ok(at.button[0].click().run())
    assert "Wrong username or password." in [e.value for e in at.error]
    at.text_input(key="signin_password").input(PW)
    ok(at.button[0].click().run())
    assert at.session_state["auth_token"]
    assert "Signed in as Ann (trainee)" in texts(at)
    assert {"cases.py", "desk.py", "my_attempts.py"} <= known_pages(at, "signin.py")
    ok(at.run())
    ok(at.button(key="sign_out").click().run())
    assert "auth_token" not in at.session_state
    assert known_pages(at, "signin.py") == {"signin.py", "lessons.py", "roleplay.py"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sign_in_with_an_empty_box_names_the_box_and_keeps_the_other(school, lang):
    at = app_as(lang=lang)
    at.text_input(key="signin_username").input("ann")
    ok(at.button[0].click().run())
    assert [e.value for e in at.error] == [t("accounts.password_missing", lang)]
    assert at.text_input(key="signin_username").value == "ann"  # what was typed stays
    at.text_input(key="signin_username").input("  ")
    at.text_input(key="signin_password").input(PW)
    ok(at.button[0].click().run())
    assert [e.value for e in at.error] == [t("accounts.username_missing", lang)]


def test_an_expired_session_signs_out_and_says_so(school, monkeypatch):
    at = app_as(school.ann)
    later = accounts.now() + accounts.SESSION_MAX + timedelta(minutes=1)
    monkeypatch.setattr(accounts, "now", lambda: later)
    ok(at.run())
    assert "auth_token" not in at.session_state
    assert known_pages(at, "signin.py") == {"signin.py", "lessons.py", "roleplay.py"}
    assert t("signin.expired", "en") in texts(at)


@pytest.mark.parametrize("who, pages", [
    ("ann", {"cases.py", "my_attempts.py", "attempt_review.py"}),
    ("manager", {"cases.py", "my_attempts.py"}),
    ("teacher", {"cohort_admin.py", "cohort_dashboard.py", "attempt_review.py"}),
    ("admin", {"cohort_admin.py", "cohort_dashboard.py", "users_admin.py"}),
])
def test_navigation_offers_each_role_its_pages(school, who, pages):
    at = app_as(getattr(school, who))
    shown = known_pages(at, "signin.py")
    assert pages <= shown
    if who in ("ann", "manager"):
        assert not {"cohort_admin.py", "cohort_dashboard.py", "users_admin.py"} & shown
    if who == "teacher":
        assert "users_admin.py" not in shown


@pytest.mark.parametrize("who, first, absent", [
    ("manager", "lab", {"cohort_admin", "cohort_dashboard", "author", "users"}),
    ("teacher", "cohort_dashboard", {"lab", "users"}),
    ("admin", "users", set()),
    ("ann", "cases", {"lab", "cohort_admin", "cohort_dashboard", "author", "users"}),
])
def test_the_account_page_says_where_each_role_starts(school, who, first, absent):
    """Signed in, a manager or an instructor does not land on a bare sign-in page: the
    account page links the role's own pages first, each with what it is for."""
    at = app_as(getattr(school, who))
    at.switch_page("app_pages/signin.py")
    ok(at.run())
    assert at.title[0].value == "My account"
    links = [link.label for link in at.get("page_link")]
    assert links[0] == t(f"nav.{first}", "en")
    assert not {t(f"nav.{k}", "en") for k in absent} & set(links)
    assert t(f"signin.start.{first}", "en") in texts(at)
    assert {t("nav.cases", "en"), t("nav.my_attempts", "en")} <= set(links)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_admin_sets_a_new_password_for_a_trainee_who_forgot_theirs(school, lang):
    """A trainee who forgot a password could not be helped: no page or command set one.
    A refusal keeps what the admin typed; a new password signs the trainee's open
    sessions out, leaves the boxes empty, and the trainee signs in with it."""
    from training import i18n

    # AppTest formats the page's role pickers again here, in this process's language
    before = i18n.get_lang()
    i18n.set_lang(lang)
    try:
        _reset_ann_password(school, lang)
    finally:
        i18n.set_lang(before)


def _reset_ann_password(school, lang: str) -> None:
    token = accounts.open_session(get_database(), school.ann)
    at = app_as(school.admin, lang=lang)
    at.switch_page("app_pages/users_admin.py")
    ok(at.run())
    at.text_input(key="reset_username").input("ann")
    at.text_input(key="reset_password").input("short")
    ok(at.button(key="FormSubmitter:reset_password_form-" + t("users.set_password", lang))
       .click().run())
    assert t("accounts.short_password", lang, min=accounts.MIN_PASSWORD_CHARS) in \
        [e.value for e in at.error]
    assert at.text_input(key="reset_username").value == "ann"
    assert accounts.user_for_session(get_database(), token) is not None  # nothing changed
    at.text_input(key="reset_password").input("a-new-password-7")
    ok(at.button(key="FormSubmitter:reset_password_form-" + t("users.set_password", lang))
       .click().run())
    assert t("users.password_set", lang, name="ann") in [s.value for s in at.success]
    assert at.text_input(key="reset_password").value == ""
    assert accounts.user_for_session(get_database(), token) is None
    assert accounts.authenticate(get_database(), "ann", "a-new-password-7").username == "ann"


@contextmanager
def users_page(admin, lang: str) -> Iterator[AppTest]:
    """The Accounts page as ``admin`` in ``lang``, with this process's language set to it
    (AppTest formats the role picker in it) until the block ends."""
    from training import i18n

    before = i18n.get_lang()
    i18n.set_lang(lang)
    try:
        at = app_as(admin, lang=lang)
        at.switch_page("app_pages/users_admin.py")
        yield ok(at.run())
    finally:
        i18n.set_lang(before)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_admin_adds_an_account_and_the_form_is_emptied_for_the_next(school, lang):
    """After Create account the name and password stayed in the boxes: the password on the
    screen, and a second press tried the same name again. A refusal keeps what was typed
    and says why; a new account empties the boxes, keeps the role, and can sign in."""
    with users_page(school.admin, lang) as at:
        submit = "FormSubmitter:add_user-" + t("users.create", lang)
        at.text_input(key="new_username").input("dora")
        at.selectbox(key="new_role").set_value("instructor")
        at.text_input(key="new_password").input("short")
        ok(at.button(key=submit).click().run())
        assert t("accounts.short_password", lang, min=accounts.MIN_PASSWORD_CHARS) in \
            [e.value for e in at.error]
        assert at.text_input(key="new_username").value == "dora"  # kept to correct
        at.text_input(key="new_password").input("a-good-password-5")
        ok(at.button(key=submit).click().run())
        assert t("users.created", lang, name="dora", role=t("role.instructor", lang)) in \
            [s.value for s in at.success]
        assert at.text_input(key="new_username").value == ""
        assert at.text_input(key="new_password").value == ""
        assert at.selectbox(key="new_role").value == "instructor"
        made = accounts.authenticate(get_database(), "dora", "a-good-password-5")
        assert made.role.value == "instructor"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_only_admin_cannot_step_down_on_the_accounts_page(school, lang):
    """The only admin set their own role to trainee and lost the Accounts page, with no
    admin left to give it back. The page refuses, naming the fix, and the role stays."""
    with users_page(school.admin, lang) as at:
        at.text_input(key="role_username").input("admin")
        at.selectbox(key="role_value").set_value("trainee")
        ok(at.button(key="FormSubmitter:change_role-" + t("users.apply", lang)).click().run())
        assert t("accounts.last_admin", lang, username="admin") in [e.value for e in at.error]
        assert accounts.user_by_name(get_database(), "admin").role is Role.ADMIN


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_trainee_changes_the_class_list_password_on_the_account_page(school, lang):
    """A trainee given a one-time password on a class list could not change it: the
    account page offered only Sign out. Now it asks for the current password and the new
    one twice; each refusal names the box and the fix; a change keeps this sign-in, ends
    the others, and the new password signs in."""
    other = accounts.open_session(get_database(), school.ann)  # another browser
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/signin.py")
    ok(at.run())
    submit = "FormSubmitter:password_change-" + t("signin.password_change.submit", lang)

    def change(current: str, new: str, again: str) -> AppTest:
        at.text_input(key="pw_current").input(current)
        at.text_input(key="pw_new").input(new)
        at.text_input(key="pw_again").input(again)
        return ok(at.button(key=submit).click().run())

    for typed, key in (
            (("wrong-password-9", "a-new-password-7", "a-new-password-7"),
             "accounts.current_password_wrong"),
            ((PW, "a-new-password-7", "a-new-password-8"), "accounts.new_passwords_differ"),
            ((PW, "short", "short"), "accounts.short_password"),
            ((PW, PW, PW), "accounts.password_unchanged")):
        change(*typed)
        said = t(key, lang, min=accounts.MIN_PASSWORD_CHARS)
        assert said in [e.value for e in at.error], (key, [e.value for e in at.error])
        assert accounts.user_for_session(get_database(), other) is not None  # unchanged
    change(PW, "a-new-password-7", "a-new-password-7")
    assert t("signin.password_change.done", lang) in [s.value for s in at.success]
    assert at.text_input(key="pw_new").value == ""  # a password is not left in a box
    assert accounts.user_for_session(get_database(), other) is None
    assert accounts.user_for_session(get_database(), at.session_state["auth_token"]) is not None
    assert accounts.authenticate(get_database(), "ann", "a-new-password-7").username == "ann"
    with pytest.raises(accounts.AccountError):
        accounts.authenticate(get_database(), "ann", PW)


@pytest.mark.parametrize("page", ["cohort_admin.py", "cohort_dashboard.py", "users_admin.py"])
def test_teaching_and_admin_pages_refuse_trainees_and_anonymous_visitors(school, page):
    for user in (school.ann, school.manager, None):
        at = page_as(page, user)
        assert at.error, f"{page} opened for {user}"
        assert not at.dataframe and not at.get("download_button")


# --- attempts in the URL are not keys ----------------------------------------------------
def test_an_attempt_link_opens_only_for_its_player(school):
    aid = school.ann_attempt(2)
    at = app_as(school.ann, attempt=aid)
    at.switch_page("app_pages/desk.py")
    ok(at.run())
    assert any(b.key == "end_month_2" for b in at.button)  # Ann plays on at month 3

    for intruder in (school.ben, school.manager):
        at = app_as(intruder, attempt=aid)
        at.switch_page("app_pages/desk.py")
        ok(at.run())
        assert t("authz.not_your_attempt", "en") in [e.value for e in at.error]
        assert not any(b.key and b.key.startswith("end_month") for b in at.button)

    at = app_as(None, attempt=aid)  # anonymous, self-study off: no desk to go to
    assert "desk.py" not in known_pages(at, "signin.py")
    at = AppTest.from_file(str(PAGES / "desk.py"), default_timeout=TIMEOUT)
    at.session_state["attempt_id"] = aid  # and the page itself refuses
    ok(at.run())
    assert t("authz.not_your_attempt", "zh") in [e.value for e in at.error]
    assert not any(b.key and b.key.startswith("end_month") for b in at.button)

    at = app_as(school.teacher, attempt=aid)  # her instructor: a read-only replay instead
    at.switch_page("app_pages/desk.py")
    ok(at.run())
    assert t("review.read_only_instead", "en") in [e.value for e in at.info]
    assert not any(b.key and b.key.startswith("end_month") for b in at.button)


def test_the_replay_goes_month_by_month_and_only_for_those_allowed(school):
    aid = school.ann_attempt(3)
    at = app_as(school.teacher, review=aid)
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    slider = at.slider(key=f"review_month_{aid}")
    assert slider.value == 3 and slider.max == 3
    assert any(m.label for m in at.metric)
    ok(slider.set_value(1).run())
    assert "Decisions in month 1" in texts(at)
    # the figures are the book at the end of the month the slider names: they said
    # "Month 2 / 12" under a slider at 1, with the hours of a month not yet played
    values = {m.label: m.value for m in at.metric}
    assert values[t("review.fig_month", "en")] == "end of month 1 / 12"
    assert t("fig.hours_left", "en") not in values
    assert not any(b.key and b.key.startswith("end_month") for b in at.button)
    assert school.games.store.get(aid).month == 3  # reading changed nothing

    for intruder in (school.ben, None):
        at = page_as("attempt_review.py", intruder, review=aid)
        assert t("authz.not_your_attempt", "zh") in [e.value for e in at.error]
        assert not at.slider


def test_the_replay_names_the_decisions_of_a_month_that_had_some(school):
    """A month in which the trainee queued something: the replay lists the loan and the
    action by the desk's name for it, in the page's language (it stopped with an
    AttributeError, so an instructor could not read any month a trainee acted in)."""
    from training import report

    live = cr.start_assignment(school.db, school.ann, school.games, school.assignment.id)
    aid = live.attempt.id
    for m in range(2):  # a different loan each month: closer monitoring runs for months
        school.games.queue(aid, m, "closer_monitoring")
        school.games.end_month(aid, m)
    for lang in ("en", "zh"):
        at = app_as(school.teacher, lang, review=aid)
        at.switch_page("app_pages/attempt_review.py")
        ok(at.run())
        for month in (1, 2):
            ok(at.slider(key=f"review_month_{aid}").set_value(month).run())
            actions = frame_with(at, t("review.col_action", lang))
            assert list(actions[t("review.col_action", lang)]) == [
                report.action_name("closer_monitoring", lang)]
            assert actions[t("review.col_loan", lang)].iloc[0].startswith(f"L{month:04d}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_replay_shows_the_loan_files_the_trainee_decided_on_and_the_judgement(school,
                                                                                   lang):
    """The replay had no loan files, so an instructor could not see what the trainee saw
    of a loan when acting on it; and a judgement, listed under Decisions, sat in "What
    happened" among the month's repricings as if it were not there. The month now tells
    the story of the loans acted on first (the judgement in it), and opens each one's file
    as the desk showed it before the month was played."""
    from training import report
    from training.desk import event_text

    live = cr.start_assignment(school.db, school.ann, school.games, school.assignment.id)
    aid = live.attempt.id
    school.games.end_month(aid, 0)
    g = school.games.open(aid).game
    judged = next(i for i in range(g.sim.n) if g.sim.status[i] == 0 and g.sim.cls[i] == 0)
    school.games.classify(aid, judged, 1, "warning_signals")  # special mention, month 2
    school.games.queue(aid, judged + 1, "closer_monitoring")
    school.games.end_month(aid, 1)
    school.games.end_month(aid, 2)
    label = g.sim.pf.label(judged)

    at = app_as(school.teacher, lang, review=aid)
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    ok(at.slider(key=f"review_month_{aid}").set_value(2).run())
    judgement = event_text("judgement")[0 if lang == "zh" else 1]
    story = " ".join(m.value for m in at.markdown)
    assert f"{label} · " in story and f" · {judgement}**" in story
    # the files of the loans acted on, in the order Decisions lists them (the actions,
    # then the judgements), as they stood before month 2
    picker = at.selectbox(key=f"review_loan_{aid}_2")
    assert [o.split(" · ")[0] for o in picker.options] == [g.sim.pf.label(judged + 1), label]
    ok(picker.set_value(judged).run())
    company = report.localise_names(g.loan_file(judged).profile, lang)["company"]
    assert t("file.title", lang, label=label, company=company) in [h.value for h in at.subheader]
    payments = frame_with(at, report.column_title("due_cny", lang))
    assert list(payments[report.column_title("month", lang)]) == [report.month_text(1, lang)]
    # a month without decisions opens no file
    ok(at.slider(key=f"review_month_{aid}").set_value(3).run())
    assert not [s for s in at.selectbox if str(s.key).startswith("review_loan_")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_replay_says_why_an_action_was_refused_as_the_desk_did(school, lang):
    """An attempt saved before the desk refused a collection queued beside a restructuring
    of the same loan (its log holds both): the restructuring ran first and the visit was
    refused. The desk said why (the restructuring brought the loan current); the replay of
    that month said only "not overdue" about a loan shown overdue. Both now say the same."""
    case = load_scenario(ROOT / "scenarios" / "review_meeting.yaml")
    games = LiveGames(AttemptStore(db=school.db), lambda _id: case)
    aid = games.start(case, user_id=school.ann.id).attempt.id
    g = games.open(aid).game
    g.set_routine_hours(100.0)  # the checks leave hours for actions
    loan = None
    while loan is None:
        assert not g.finished, "no loan in the case could be restructured while overdue"
        games.end_month(aid, g.month)
        g = games.open(aid).game
        loans = g.loans()
        for i in loans.loc[(loans["dpd"] > 0) & (loans["status"] == "active"), "loan_id"]:
            if {"restructure", "collect_visit"} <= {o.id for o in g.options(int(i))
                                                    if o.available}:
                loan = int(i)
                break
    games.queue(aid, loan, "restructure")
    g._queue.append((loan, "collect_visit"))  # as the earlier version kept the pair
    games.end_month(aid, g.month)
    assert (loan, "collect_visit", "overdue") in games.open(aid).game.last_report.rejected
    why = t("desk.refused.why", lang)

    desk = app_as(school.ann, lang, attempt=aid)
    desk.switch_page("app_pages/desk.py")
    shown = frame_with(ok(desk.run()), why)
    replay = app_as(school.ann, lang, review=aid)
    replay.switch_page("app_pages/attempt_review.py")
    replayed = frame_with(ok(replay.run()), why)
    assert t("desk.refused.cured_by_restructure", lang) in set(shown[why])
    pd.testing.assert_frame_equal(replayed.reset_index(drop=True),
                                  shown.reset_index(drop=True))


def test_the_replay_says_whose_attempt_it_is(school):
    """An instructor's replay named the case but not the trainee, and called the trainee's
    index "the avoidable loss you avoided"."""
    aid = school.ann_attempt(load_scenario(INTRO).horizon_months)  # played to the end
    at = app_as(school.teacher, lang="zh", review=aid)
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    assert t("review.player", "zh", name="Ann") in [h.value for h in at.subheader]
    assert [m.label for m in at.metric][0] == t("review.index", "zh")
    at = app_as(school.ann, review=aid)  # her own replay: no name, and "you"
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    assert not any("Ann" in h.value for h in at.subheader)
    assert [m.label for m in at.metric][0] == t("debrief.index", "en")


QUIET = (ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8").replace(
    "pd_annual: 0.03", "pd_annual: 0.001")
"""A case whose future has nothing to avoid: no loan defaults, so no attempt has an index."""


def quiet_attempt(school) -> tuple[str, int]:
    """Ann plays QUIET to the end under a new assignment of Class A: (attempt id, cohort id)."""
    version = publish_case(school.db, school.teacher, QUIET)
    assignment = cr.assign_case(school.db, school.teacher, school.cohort.id, version.id,
                                now() - timedelta(hours=1), now() + timedelta(days=3))
    quiet = parse_scenario(QUIET)
    games = LiveGames(AttemptStore(db=school.db), lambda _id: quiet)
    live = cr.start_assignment(school.db, school.ann, games, assignment.id)
    for m in range(live.game.horizon):
        games.end_month(live.attempt.id, m)
    return live.attempt.id, school.cohort.id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_finished_attempt_without_an_index_still_shows_its_scores(school, lang):
    """A finished attempt whose future had nothing to avoid has no index, and the
    dashboard's Scores section (charts and tables all drawn from the index) vanished: the
    instructor saw the trainee finished and no result anywhere. Now the section says why
    there is no index and lists the attempt's credit loss beside the baselines'."""
    aid, cid = quiet_attempt(school)
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    assert t("dash.scores", lang) in [h.value for h in at.header]
    assert t("dash.no_index_one", lang, n=1) in [i.value for i in at.info]
    # money as every other table has it: numbers in the page's unit (万元, CNY k), the
    # unit in the header, so the grid sets them right-aligned (text read left-aligned)
    loss = units.money_header(t("dash.col_loss", lang), lang)
    losses = frame_with(at, t("dash.col_attempt_no", lang))
    assert losses[t("dash.col_trainee", lang)].tolist() == ["Ann"]
    assert losses[loss].tolist() == [0.0]
    baselines = frame_with(at, t("dash.col_baseline", lang))
    assert len(baselines) == 3  # the baselines to compare
    expected = dash.cohort_results(school.db, school.teacher, cid).baselines
    assert pd.api.types.is_float_dtype(baselines[loss])
    assert baselines[loss].tolist() == [units.in_unit(v, lang) for v in expected["loss_cny"]]
    # the index's heading short (the long one pushed the credit loss off a 1,024 px page),
    # its words on hover, its figures still percentages
    import json

    grid = next(d for d in at.dataframe if t("dash.col_baseline", lang) in d.value.columns)
    index = json.loads(grid.proto.columns)[t("dash.col_index_short", lang)]
    assert index["type_config"]["format"] == "percent", index
    assert index["help"] == t("dash.col_index", lang)

    at = app_as(school.teacher, lang=lang, review=aid)  # its replay says why it shows "—"
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    assert at.metric[0].value == "—"
    zero = units.money(0.0, lang)
    assert t("review.no_index", lang, loss=zero, late=zero, oracle=zero) in [
        c.value for c in at.caption]


# --- the trainee's work page ------------------------------------------------------------
def test_a_trainee_takes_the_pre_test_then_starts_the_assigned_case(school):
    at = app_as(school.ann)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    a = school.assignment
    assert not any(b.key == f"start_a{a.id}" for b in at.button)  # pre-test first
    lesson = load_lesson("early-warning", "en")
    for q in lesson.questions[:2]:
        at.radio(key=f"t_pre_{a.id}_early-warning_{q.id}").set_value(q.answer)
    form_button = next(b for b in at.button if b.label == "Submit the pre-test")
    ok(form_button.click().run())
    assert cr.quiz_done(school.db, school.ann, a.id, QuizPhase.PRE)
    ok(at.button(key=f"start_a{a.id}").click().run())
    ok(at.run())
    mine = cr.my_attempts(school.db, school.ann)
    assert len(mine) == 1 and mine[0].assignment_id == a.id
    assert mine[0].case_version_id == school.version.id


def test_a_switch_of_language_keeps_the_pre_test_answers_given(school):
    """Answers given to a pre-test in Chinese were gone once the trainee switched to
    English, and the test had to be answered again."""
    at = app_as(school.ann, lang="zh")
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    a = school.assignment
    q1, q2 = load_lesson("early-warning", "en").questions[:2]
    at.radio(key=f"t_pre_{a.id}_early-warning_{q1.id}").set_value(q1.answer)
    at.radio(key=f"t_pre_{a.id}_early-warning_{q2.id}").set_value(q2.answer)
    ok(at.run())
    ok(at.radio(key="lang_switch").set_value("en").run())
    assert at.radio(key=f"t_pre_{a.id}_early-warning_{q1.id}").value == q1.answer
    assert at.radio(key=f"t_pre_{a.id}_early-warning_{q2.id}").value == q2.answer
    ok(next(b for b in at.button if b.label == t("mine.submit_pre", "en")).click().run())
    assert cr.quiz_done(school.db, school.ann, a.id, QuizPhase.PRE)


@pytest.mark.parametrize("lang,words", [("en", "not answered yet: question 2."),
                                        ("zh", "第 2 题尚未作答")])
def test_a_half_filled_pre_test_is_refused_naming_the_blank_question_and_keeps_the_answers(
        school, lang, words):
    """A pre-test is kept once: submitted half-filled (a press of Enter, a double click), it
    was graded with the blank counted wrong for good, and the form was gone."""
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    a = school.assignment
    q1, q2 = load_lesson("early-warning", "en").questions[:2]
    first = at.radio(key=f"t_pre_{a.id}_early-warning_{q1.id}")
    assert first.label.startswith("1. ")  # numbered, as the refusal names them
    first.set_value(q1.answer)
    submit = t("mine.submit_pre", lang)
    ok(next(b for b in at.button if b.label == submit).click().run())
    assert any(words in w.value for w in at.warning), [w.value for w in at.warning]
    assert not cr.quiz_done(school.db, school.ann, a.id, QuizPhase.PRE)
    assert at.radio(key=f"t_pre_{a.id}_early-warning_{q1.id}").value == q1.answer  # kept
    at.radio(key=f"t_pre_{a.id}_early-warning_{q2.id}").set_value(q2.answer)
    ok(next(b for b in at.button if b.label == submit).click().run())
    assert cr.quiz_done(school.db, school.ann, a.id, QuizPhase.PRE)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_assigned_lesson_is_named_by_its_title_in_the_pages_language(school, lang):
    """My work named an assigned lesson by its file id ("read lesson bian-que")."""
    cr.assign_lesson(school.db, school.teacher, school.cohort.id, "early-warning",
                     now() - timedelta(hours=1), now() + timedelta(days=3))
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    title = load_lesson("early-warning", lang).title
    line = next(m.value for m in at.markdown if m.value.startswith(school.cohort.name))
    assert title in line and "early-warning" not in line


def test_the_ranking_names_only_the_trainee_themself(school):
    cr.enrol(school.db, school.teacher, school.cohort.id, "ben")
    for who in (school.ann, school.ben):
        live = cr.start_assignment(school.db, who, school.games, school.assignment.id)
        for m in range(live.game.horizon):
            school.games.end_month(live.attempt.id, m)
    at = app_as(school.ben)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    table = frame_with(at, "Rank")
    who = table.iloc[:, 1].tolist()
    assert who.count("You") == 1 and len(who) == 2
    assert not {"Ann", "ann"} & set(who)
    # every attempt is listed under its case's title, not the file's id
    title = load_scenario(INTRO).title
    assert title.en in texts(at) and "intro (" not in texts(at)


# --- the cohort pages ----------------------------------------------------------------------
def test_an_instructor_creates_a_cohort_enrols_and_assigns(school):
    at = app_as(school.teacher)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    at.text_input(key="new_cohort_name").input("Class B")
    ok(next(b for b in at.button if b.label == "Create cohort").click().run())
    made = [c for c in cr.teaching_cohorts(school.db, school.teacher) if c.name == "Class B"]
    assert len(made) == 1 and at.selectbox(key="cohort_pick").value == made[0].id
    at.text_input(key="enrol_username").input("ben")
    ok(next(b for b in at.button if b.label == "Enrol").click().run())
    at.text_input(key="enrol_username").input("nobody-at-all")
    ok(next(b for b in at.button if b.label == "Enrol").click().run())
    # the refusal says what to do: check the spelling, or a class list creates the account
    said = t("classroom.enrol_no_such_user", "en", username="nobody-at-all")
    assert said in [e.value for e in at.error] and "class list (CSV)" in said
    at.text_input(key="enrol_username").input("   ")  # spaces only: named, not "no “   ”"
    ok(next(b for b in at.button if b.label == "Enrol").click().run())
    assert t("classroom.enrol_username_missing", "en") in [e.value for e in at.error]
    ok(next(b for b in at.button if b.label == "Assign").click().run())
    assigned = cr.list_assignments(school.db, school.teacher, made[0].id)
    assert [a.case_version_id for a in assigned] == [school.version.id]
    assert {m.username for m in cr.members(school.db, school.teacher, made[0].id)} == {
        "teacher", "ben"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_instructor_makes_a_new_password_for_a_trainee_and_sees_it_once(school, lang):
    """A trainee who forgot a password in class: the cohort's instructor picks them under
    Members, makes a one-time password and reads it off the page once; it signs in."""
    cid = school.cohort.id
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    assert at.button(key="password_make").disabled  # nobody picked yet
    ok(at.selectbox(key=f"password_pick_{cid}").select(school.ann.id).run())
    ok(at.button(key="password_make").click().run())
    assert t("cohort.password_made", lang, name="Ann") in [m.value for m in at.success]
    password = at.code[0].value
    assert accounts.authenticate(get_database(), "ann", password).username == "ann"
    ok(at.run())  # another run of the page: the password is not shown again
    assert not at.code


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_instructor_withdraws_an_assignment_and_removes_a_member_once_confirmed(school, lang):
    """An assignment given by mistake could not be withdrawn, nor a trainee enrolled in the
    wrong cohort removed. Each now takes a pick, a tick naming what goes and a button; the
    page says what it did in its language and keeps what was set elsewhere on it (text
    half-typed into a form, which AppTest does not keep, is checked in a real browser:
    tests/e2e/test_take_back_browser.py)."""
    cid, a = school.cohort.id, school.assignment
    cr.enrol(school.db, school.teacher, cid, "ben")
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    ok(at.selectbox(key="publish_pick").set_value("disaster").run())  # set elsewhere

    # withdraw: a pick alone cannot do it (the button waits for the tick)
    ok(at.selectbox(key=f"withdraw_pick_{cid}").select(a.id).run())
    assert at.button(key="withdraw_assignment").disabled
    assert [x.id for x in cr.list_assignments(school.db, school.teacher, cid)] == [a.id]
    ok(at.checkbox(key=f"withdraw_confirm_{cid}_{a.id}").check().run())
    assert not at.button(key="withdraw_assignment").disabled
    ok(at.button(key="withdraw_assignment").click().run())
    assert t("cohort.withdrawn", lang, what=a.subject_in(lang)) in [m.value for m in at.success]
    assert cr.list_assignments(school.db, school.teacher, cid) == []
    assert t("cohort.no_assignments", lang) in [c.value for c in at.caption]
    assert t("cohort.col_withdrawn", lang) in frame_with(at, t("cohort.col_withdrawn", lang))

    # remove Ben, then try to remove the cohort's only instructor
    ok(at.selectbox(key=f"remove_pick_{cid}").select(school.ben.id).run())
    ok(at.checkbox(key=f"remove_confirm_{cid}_{school.ben.id}").check().run())
    ok(at.button(key="remove_member").click().run())
    assert t("cohort.removed", lang, name="Ben", cohort="Class A") in [
        m.value for m in at.success]
    names = frame_with(at, t("cohort.col_user", lang))[t("cohort.col_user", lang)].tolist()
    assert sorted(names) == ["ann", "teacher"]
    assert at.selectbox(key=f"remove_pick_{cid}").value is None  # the next one is picked anew
    ok(at.selectbox(key=f"remove_pick_{cid}").select(school.teacher.id).run())
    ok(at.checkbox(key=f"remove_confirm_{cid}_{school.teacher.id}").check().run())
    ok(at.button(key="remove_member").click().run())
    assert t("classroom.last_instructor", lang, name="Ms Teacher") in [e.value for e in at.error]
    assert not at.checkbox(key=f"remove_confirm_{cid}_{school.teacher.id}").value
    assert "teacher" in {m.username for m in cr.members(school.db, school.teacher, cid)}

    # what was set elsewhere is still set
    assert at.selectbox(key="publish_pick").value == "disaster"
    assert at.selectbox(key="cohort_pick").value == cid

    # Ann's work page no longer lists the withdrawn case
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    assert t("mine.assigned", lang) not in [h.value for h in at.header]
    assert not any(b.key == f"start_a{a.id}" for b in at.button)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_assign_and_enrol_empty_their_forms_after_a_success_and_a_twin_is_refused(school, lang):
    """After Assign the form kept the case, the window and the tests picked, so a second
    press gave the class the same case twice; the enrol box kept the last username. A
    success now puts both forms back as they first were; a refusal keeps what was typed;
    and Assign pressed again on the same case and window is refused, saying so."""
    cid = school.cohort.id
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    enrol = "FormSubmitter:enrol_one-" + t("cohort.enrol", lang)
    at.text_input(key="enrol_username").input("nobody-at-all")
    ok(at.button(key=enrol).click().run())
    assert at.text_input(key="enrol_username").value == "nobody-at-all"  # kept to correct
    accounts.create_user(school.db, "cleo", PW, Role.INSTRUCTOR, "Cleo")
    at.text_input(key="enrol_username").input("cleo")
    at.checkbox(key="enrol_instructor").check()
    ok(at.button(key=enrol).click().run())
    assert t("cohort.enrolled", lang, name="Cleo") in [m.value for m in at.success]
    assert at.text_input(key="enrol_username").value == ""
    assert at.checkbox(key="enrol_instructor").value is False

    assign = "FormSubmitter:assign_form-" + t("cohort.assign", lang)
    question = at.multiselect(key="assign_pre").options[0]
    at.multiselect(key="assign_pre").select(question)
    ok(at.button(key=assign).click().run())
    made = [a for a in cr.list_assignments(school.db, school.teacher, cid)
            if a.id != school.assignment.id]
    assert len(made) == 1 and len(made[0].pre_test) == 1
    assert t("cohort.assigned", lang, what=made[0].subject_in(lang)) in [
        m.value for m in at.success]
    assert at.multiselect(key="assign_pre").value == []
    assert at.multiselect(key="assign_post").value == []
    opens = at.date_input(key="assign_opens").value
    assert at.date_input(key="assign_closes").value == opens + timedelta(days=7)
    ok(at.button(key=assign).click().run())  # the same case and window again
    assert t("classroom.already_assigned", lang) in [e.value for e in at.error]
    assert len(cr.list_assignments(school.db, school.teacher, cid)) == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_quiz_results_name_each_question_in_the_pages_language(school, lang):
    """The quiz table and chart named questions by ids ("early-warning", "q1", "(pre)"):
    the instructor could not tell which question the class got wrong."""
    a = school.assignment
    ids = [q.question_id for q in a.pre_test]
    cr.record_quiz(school.db, school.ann, load_lesson("early-warning", "en"),
                   {i: 0 for i in ids}, QuizPhase.PRE, a.id)
    lesson = load_lesson("early-warning", lang)
    words = {q.id: q.question for q in lesson.questions}
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    table = frame_with(at, t("dash.col_question", lang))
    assert sorted(table[t("dash.col_question", lang)]) == sorted(words[i] for i in ids)
    assert set(table[t("dash.col_lesson", lang)]) == {lesson.title}
    # the chart beside it labels each bar with the test and the question's words
    from app_pages import cohort_charts
    from training import i18n

    before = i18n.get_lang()
    i18n.set_lang(lang)
    try:
        res = dash.cohort_results(school.db, school.teacher, school.cohort.id)
        bars = pd.DataFrame(cohort_charts.quiz(res.quiz).data)["question"]
    finally:
        i18n.set_lang(before)
    assert sorted(bars) == sorted(f"{t('dash.phase_pre', lang)} · {cohort_charts._short(words[i])}"
                                  for i in ids)


def test_a_post_test_not_yet_taken_reads_as_a_dash_not_none(school):
    """The learning-gain table showed the grid's English "None" for a trainee who had taken
    only the pre-test (on the Chinese page too)."""
    a = school.assignment
    cr.record_quiz(school.db, school.ann, load_lesson("early-warning", "en"),
                   {q.question_id: 0 for q in a.pre_test}, QuizPhase.PRE, a.id)
    at = app_as(school.teacher, lang="zh")
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    grid = next(d for d in at.dataframe if t("dash.col_gain", "zh") in d.value.columns)
    row = grid.value.iloc[0]
    assert pd.isna(row[t("dash.post", "zh")]) and pd.isna(row[t("dash.col_gain", "zh")])
    assert grid.proto.placeholder == "—"  # how the grid shows them
    assert 0 <= row[t("dash.pre", "zh")] <= 1  # the pre-test, taken, stays a number
    # no class average yet: said in words, not as an empty grid (which reads "empty")
    assert t("dash.no_cohort_gain", "zh") in [c.value for c in at.caption]
    assert sum(t("dash.col_gain", "zh") in d.value.columns for d in at.dataframe) == 1


def test_the_dashboard_shows_what_the_class_did(school):
    a = school.assignment
    live = cr.start_assignment(school.db, school.ann, school.games, a.id)
    for m in range(live.game.horizon):
        school.games.end_month(live.attempt.id, m)
    lesson = load_lesson("early-warning", "en")
    qs = {q.id: q for q in lesson.questions}
    ids = [q.question_id for q in a.pre_test]
    cr.record_quiz(school.db, school.ann, lesson, {i: (qs[i].answer + 1) % len(qs[i].choices)
                                                   for i in ids}, QuizPhase.PRE, a.id)
    cr.record_quiz(school.db, school.ann, lesson, {i: qs[i].answer for i in ids},
                   QuizPhase.POST, a.id)
    expected = dash.cohort_results(school.db, school.teacher, school.cohort.id)

    at = app_as(school.teacher)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    headers = [h.value for h in at.header]
    for key in ("dash.completion", "dash.scores", "dash.missed", "dash.quiz", "dash.gain"):
        assert t(key, "en") in headers
    assert len(at.get("arrow_vega_lite_chart")) >= 4 or len(at.get("vega_lite_chart")) >= 4
    completion = frame_with(at, "Status")
    assert completion["Status"].tolist() == ["finished"]
    missed = frame_with(at, "Warning that was visible")
    assert missed["Loan"].tolist() == expected.missed["label"].tolist()
    gain = frame_with(at, "Gain")
    assert gain["Gain"].tolist() == pytest.approx(expected.gain["gain"].tolist())
    best = frame_with(at, "Best index")
    assert best["Best index"].tolist() == pytest.approx(
        expected.attempts["index_share"].tolist())
    assert "late-collection" not in frame_with(at, "Baseline")["Baseline"].tolist()
    assert len(at.get("download_button")) == 3  # to read, for scripts, Excel
    assert at.selectbox(key="dash_attempt").value == live.attempt.id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_attempts_column_says_how_many_started_and_how_many_finished(school, lang):
    """The best-index table's "Attempts" showed the highest attempt number among the
    finished ones: a trainee who finished once and had a second try under way read as one
    attempt (two finished ones read as two, whether or not more were started). It now
    says both, "2 (1 finished)", its header says what it counts, and the export's
    best-index sheet has the same two numbers."""
    import io
    import json

    school.ann_attempt(12)  # finished
    school.ann_attempt(2)  # a second try, under way
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    col = t("dash.col_attempts", lang)
    grid = next(d for d in at.dataframe if col in d.value.columns)
    assert grid.value[col].tolist() == [t("dash.attempts_value", lang, started=2, finished=1)]
    config = json.loads(grid.proto.columns)  # the column's header says what it counts
    assert config[col]["help"] == t("dash.col_attempts_help", lang)
    res = dash.cohort_results(school.db, school.teacher, school.cohort.id)
    for_scripts = pd.read_csv(io.BytesIO(dash.results_csv(res, "best")), encoding="utf-8-sig")
    assert for_scripts[["trainee", "attempts_started", "attempts_finished"]].values.tolist() \
        == [["Ann", 2, 1]]
    to_read = pd.read_csv(io.BytesIO(dash.results_csv_readable(res, lang, "best")),
                          encoding="utf-8-sig")
    assert to_read[[t("dash.csv.attempts_started", lang),
                    t("dash.csv.attempts_finished", lang)]].values.tolist() == [[2, 1]]
    best = grid.value[t("dash.col_best", lang)].tolist()
    assert to_read[t("dash.csv.best", lang)].tolist() == pytest.approx(
        [round(100 * b, 1) for b in best])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_attempt_under_a_withdrawn_assignment_opens_from_the_dashboard_marked(school, lang):
    """The dashboard's attempt picker listed attempts of live assignments only: an attempt
    made under an assignment withdrawn since could not be reviewed from it (and with every
    assignment withdrawn the page stopped at "nothing to show"). It is now listed last,
    marked withdrawn and not counted, and opens on the review page; no figure counts it."""
    gone = school.ann_attempt(2)
    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    labels = {"withdrawn": t("dash.attempt_label_withdrawn", lang, trainee="Ann",
                             case=school.assignment.subject_in(lang), n=1, month=2,
                             horizon=12)}

    at = app_as(school.teacher, lang=lang)  # every assignment withdrawn
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    assert [i.value for i in at.info] == [t("dash.nothing_yet", lang)]
    picker = at.selectbox(key="dash_attempt")
    assert picker.options == [labels["withdrawn"]] and picker.value == gone
    assert t("dash.withdrawn_listed", lang) in [c.value for c in at.caption]

    again = cr.assign_case(school.db, school.teacher, school.cohort.id, school.version.id,
                           now() - timedelta(hours=1), now() + timedelta(days=3))
    live = cr.start_assignment(school.db, school.ann, school.games, again.id).attempt.id
    for m in range(12):
        school.games.end_month(live, m)
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    picker = at.selectbox(key="dash_attempt")
    assert picker.options == [
        t("dash.attempt_label", lang, trainee="Ann", case=again.subject_in(lang), n=1,
          month=12, horizon=12), labels["withdrawn"]]
    # the figures count the live attempt only
    best = frame_with(at, t("dash.col_attempts", lang))
    assert best[t("dash.col_attempts", lang)].tolist() == [
        t("dash.attempts_value", lang, started=1, finished=1)]
    assert frame_with(at, t("dash.col_status", lang))[t("dash.col_status", lang)].tolist() \
        == [t("dash.status_finished", lang)]
    res = dash.cohort_results(school.db, school.teacher, school.cohort.id)
    assert res.attempts["attempt_id"].tolist() == [live]
    ok(picker.set_value(gone).run())
    link = next(x for x in at.get("page_link") if x.proto.label == t("review.open", lang))
    assert link.proto.query_string == f"review={gone}"
    # and the review page it opens says the assignment was withdrawn
    at = app_as(school.teacher, lang=lang, review=gone)
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    assert len(at.warning) == 1 and at.slider

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_completion_table_says_how_far_each_trainee_has_played(school, lang):
    """During the session the instructor reads who is behind: a case under way says the
    months the trainee's newest attempt has played, a trainee who has not begun says so,
    and the figure follows the play (it said "in progress" whatever the month). The status
    and the months are two columns before the case title: as one, after the title, the
    months were cut off beside the chart ("进行中：已完成 …" at 1400 px)."""
    cr.enrol(school.db, school.teacher, school.cohort.id, "ben")
    aid = school.ann_attempt(3)
    trainee, status = t("dash.col_trainee", lang), t("dash.col_status", lang)
    months = t("dash.col_months_played", lang)

    def statuses() -> dict[str, tuple]:
        at = app_as(school.teacher, lang=lang)
        at.switch_page("app_pages/cohort_dashboard.py")
        ok(at.run())
        table = frame_with(at, status)
        assert list(table.columns) == [trainee, status, months,
                                       t("dash.col_assignment", lang)]
        return {r[trainee]: (r[status], None if pd.isna(r[months]) else r[months])
                for _, r in table.iterrows()}

    in_progress = t("dash.status_in_progress", lang)
    assert statuses() == {
        "Ann": (in_progress, t("dash.months_played_of", lang, month=3, horizon=12)),
        "Ben": (t("dash.status_not_started", lang), None)}
    assert "3" in t("dash.months_played_of", lang, month=3, horizon=12)
    for m in range(3, 5):
        school.games.end_month(aid, m)
    assert statuses()["Ann"] == (in_progress,
                                 t("dash.months_played_of", lang, month=5, horizon=12))
    for m in range(5, 12):
        school.games.end_month(aid, m)
    assert statuses()["Ann"] == (t("dash.status_finished", lang), None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_instructor_with_no_cohort_is_told_to_create_one_right_here(school, lang):
    """On the cohorts page itself the hint points at the form above, not at "the Cohorts
    page" the instructor is already on."""
    fresh = accounts.create_user(school.db, "newteacher", PW, Role.INSTRUCTOR)
    at = app_as(fresh, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    assert [i.value for i in at.info] == [t("cohort.none_here", lang)]
    assert t("cohort.create", lang) in t("cohort.none_here", lang)


@pytest.mark.parametrize(("lang", "played", "zone"), [("zh", "已完成 0 / ", "（UTC）"),
                                                      ("en", "0 of ", " (UTC)")])
def test_my_work_says_how_many_months_were_played_and_writes_the_time_as_the_case_list(
        school, lang, played, zone):
    """An attempt just started read "month 0 of 12" ("第 0 / 12 月": there is no month 0),
    and its time "(UTC)" with ASCII brackets on a Chinese page."""
    cr.start_assignment(school.db, school.ann, school.games, school.assignment.id)
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    line = next(m.value for m in at.markdown if played in m.value)
    assert zone in line


@pytest.mark.parametrize(("lang", "zone"), [("zh", "（UTC）"), ("en", " (UTC)")])
def test_the_cohort_page_writes_its_times_as_my_work_does(school, lang, zone):
    """The cohort page's times (an assignment's opening and closing) read "(UTC)" with
    ASCII brackets on a Chinese page, while My work and the case list wrote "（UTC）": the
    pages had a time format each."""
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    frame = frame_with(at, t("cohort.col_opens", lang))
    times = frame[t("cohort.col_opens", lang)].tolist() + frame[t("cohort.col_closes", lang)].tolist()
    assert times and all(x.endswith(zone) for x in times), times


def test_class_charts_show_an_assignments_name_whole_and_no_sideways_title():
    """The completion chart cut the class's case to 资金挪用：自主… and drew 作业 on its side
    beside it. The assignments' names now get room, and the chart's title says what the
    rows are."""
    from app_pages import cohort_charts

    frame = pd.DataFrame({"subject": ["资金挪用：自主支付的流动资金贷款去了哪里 v1"] * 2,
                          "status": ["in_progress", "finished"], "index_share": [0.4, 0.6]})
    for chart in (cohort_charts.completion(frame), cohort_charts.score_distribution(frame)):
        y = chart.to_dict()["encoding"]["y"]
        assert y.get("title") is None
        assert y["axis"]["labelLimit"] >= 240
    # the index charts say what the index is under their title, not on the axis's side,
    # and trainees' names and attempt numbers read across
    tries = pd.DataFrame({"trainee": ["Ann", "李雷"], "index_share": [0.1, 0.4],
                          "subject": ["s", "s"], "attempt_no": [1, 2]})
    rules = pd.DataFrame({"strategy": ["late-collection", "oracle"], "index_share": [0.0, 1.0]})
    for spec in (cohort_charts.index_by_trainee(tries, rules).to_dict()["layer"][0],
                 cohort_charts.repeated(tries).to_dict()):
        assert spec["encoding"]["y"].get("title") is None
        assert spec["title"]["subtitle"] in {t("dash.col_index", "en"), t("dash.col_index", "zh")}
        assert spec["encoding"]["x"]["axis"]["labelAngle"] == 0


def test_trainees_with_the_same_test_scores_are_drawn_side_by_side():
    """On the learning-gain chart, three trainees who went from 50% to 75% were one line:
    the instructor saw one trainee where there were three. Each trainee has a place of its
    own within each test."""
    import re

    import vl_convert as vlc

    from app_pages import cohort_charts

    frame = pd.DataFrame({"trainee": ["Ann", "Bo", "Chen"], "subject": ["s"] * 3,
                          "pre_share": [0.5] * 3, "post_share": [0.75] * 3})
    spec = cohort_charts.gain(frame).properties(width=300).to_json()
    svg = vlc.vegalite_to_svg(spec)
    # one dot per trainee and test, at as many distinct places as there are dots
    dots = re.findall(r'aria-roledescription="point" transform="translate\(([\d.]+),([\d.]+)\)"',
                      svg)
    assert len(dots) == 6
    assert len(set(dots)) == 6


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_desk_left_open_after_a_withdrawal_plays_no_further_and_says_who_and_when(school, lang):
    """A trainee whose assignment was withdrawn could go on playing it from a desk left
    open, or continue it from My work. The stale desk's End month now changes nothing and
    says who withdrew it and when; My work lists it as withdrawn, with the replay to read
    instead of Continue; the finished attempt's debrief still opens, marked."""
    from training.units import local_time

    done = school.ann_attempt(load_scenario(INTRO).horizon_months)
    aid = school.ann_attempt(2)
    at = app_as(school.ann, lang=lang, attempt=aid)
    at.switch_page("app_pages/desk.py")
    ok(at.run())
    assert any(b.key == "end_month_2" for b in at.button)

    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    when = cr.withdrawn_assignments(school.db, school.teacher, school.cohort.id)[0].withdrawn_at
    said = t("attempt.withdrawn", lang, by="Ms Teacher", at=local_time(when, None, lang))
    ok(at.button(key="end_month_2").click().run())
    assert said in [e.value for e in at.error]
    assert not any(b.key and b.key.startswith("end_month") for b in at.button)
    assert school.games.store.get(aid).month == 2  # nothing played, nothing lost
    assert not [e.value for e in at.error if e.value != said]  # no engine message besides

    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    assert [w.value for w in at.warning].count(said) == 2  # the finished one and this one
    assert not any(b.key == f"open_{aid}" for b in at.button)  # no Continue
    assert t("attempt.withdrawn_kind", lang) in texts(at)
    ok(at.button(key=f"open_{done}").click().run())  # the finished one's debrief still opens
    assert t("attempt.withdrawn_debrief", lang, by="Ms Teacher",
             at=local_time(when, None, lang)) in [
        w.value for w in at.warning]
    assert t("debrief.comparison", lang) in [s.value for s in at.subheader]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_replay_of_an_attempt_under_a_withdrawn_assignment_says_it_no_longer_counts(
        school, lang):
    """The read-only replay, where My work and the stale desk send a trainee after a
    withdrawal, said nothing of it: the trainee and the instructor now read who withdrew
    the assignment, when, and that the attempt no longer counts."""
    from training.units import local_time

    aid = school.ann_attempt(2)
    for who in (school.ann, school.teacher):
        at = app_as(who, lang=lang, review=aid)
        at.switch_page("app_pages/attempt_review.py")
        ok(at.run())
        assert not at.warning
    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    when = cr.withdrawn_assignments(school.db, school.teacher, school.cohort.id)[0].withdrawn_at
    said = t("review.withdrawn", lang, by="Ms Teacher", at=local_time(when, None, lang))
    for who in (school.ann, school.teacher):
        at = app_as(who, lang=lang, review=aid)
        at.switch_page("app_pages/attempt_review.py")
        ok(at.run())
        assert [w.value for w in at.warning] == [said]
        assert at.slider  # the months still replay


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_dashboard_offers_results_to_read_and_results_for_scripts(school, lang):
    """The dashboard's only CSV had English column ids: the instructor now gets a second
    one with headings in the page's language, and the page says which is which."""
    school.ann_attempt(1)
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [t("dash.export_csv_readable", lang), t("dash.export_csv", lang),
                      t("dash.export_xlsx", lang)]
    assert t("dash.export_help", lang) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_dashboard_exports_the_table_the_instructor_picks_as_csv(school, lang, monkeypatch):
    """The CSVs held the case attempts only; the lessons' quiz and the learning gain were
    in the Excel workbook alone. The page now asks which table the CSVs hold, named as the
    workbook's sheets in the page's language, the attempts first picked; another pick
    exports that table under its own file name."""
    # a workbook carries the second it was made and saved (openpyxl's created and modified
    # times, the zip's entry times): the clock is stopped, so the same tables give the same
    # file across a second (a run crossing one failed here)
    import datetime as dt
    import types
    import zipfile

    import openpyxl.packaging.core as xlcore
    import openpyxl.writer.excel as xlw

    class Stopped(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 12, 7, 9, 0, tzinfo=tz)

    for module in (xlw, xlcore):
        monkeypatch.setattr(module, "datetime", types.SimpleNamespace(datetime=Stopped,
                                                                      timezone=dt.timezone))
    stopped = __import__("time").localtime(1_796_634_000)  # entries written or from files
    monkeypatch.setattr(zipfile, "time", types.SimpleNamespace(
        time=lambda: 1_796_634_000.0, localtime=lambda secs=None: stopped))
    school.ann_attempt(1)
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    picker = at.selectbox(key="export_table")
    assert picker.label == t("dash.export_table", lang)
    assert picker.options == [t(f"dash.sheet.{s}", lang) for s in dash.SHEETS]
    assert picker.value == "attempts"

    def downloads():
        return [b.proto.url for b in at.get("download_button")]

    before = downloads()
    picker.set_value("quiz")
    ok(at.run())
    after = downloads()
    # the two CSVs change with the pick, the workbook (every table) does not
    assert after[0] != before[0] and after[1] != before[1] and after[2] == before[2]


def test_the_completion_table_keeps_room_for_the_status_beside_its_chart(school):
    """Beside the completion chart, a long case title took the table's width and cut the
    status column to "in prog" (an English page at 1400 px): a title now has a set width,
    read whole on hover, in every table that names the assignment."""
    import json

    school.ann_attempt(1)
    at = app_as(school.teacher, lang="en")
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    subject = t("dash.col_assignment", "en")
    tables = [e for e in at.dataframe if subject in e.value.columns]
    assert tables and any(t("dash.col_status", "en") in e.value.columns for e in tables)
    for table in tables:
        assert json.loads(table.proto.columns)[subject]["width"] == "medium"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_debrief_of_an_assigned_case_sends_the_trainee_to_the_post_test(school, lang):
    """A trainee who finished an assigned case landed on a debrief whose only way on was
    "Back to the case library": nothing said the assignment's post-test was waiting on My
    work, so the class's learning gain lost them. The debrief now says so, with a link,
    until the post-test is taken; it says nothing to the instructor reading it."""
    aid = school.ann_attempt(12)
    link_label = t("debrief.to_post_test", lang)

    def debrief(user) -> AppTest:
        at = app_as(user, lang=lang, attempt=aid)
        at.switch_page("app_pages/debrief.py")
        return ok(at.run())

    at = debrief(school.ann)
    assert t("debrief.post_test_waiting", lang) in [i.value for i in at.info]
    links = [x for x in at.get("page_link") if x.proto.label == link_label]
    assert links and all(x.proto.page.endswith("my_attempts") for x in links)

    a = school.assignment
    cr.record_quiz(school.db, school.ann, load_lesson("early-warning", "en"),
                   {q.question_id: 0 for q in a.post_test}, QuizPhase.POST, a.id)
    at = debrief(school.ann)
    assert t("debrief.post_test_waiting", lang) not in [i.value for i in at.info]
    assert not [x for x in at.get("page_link") if x.proto.label == link_label]
    assert not cr.post_test_waiting(school.db, school.teacher, cr.open_attempt(
        school.db, school.teacher, aid))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_case_library_sends_a_trainee_to_my_work_for_an_assigned_case(school, lang):
    """The case library offered the assigned case with a plain "Start a new attempt": a
    trainee told on Monday to play it would start it there, as practice, skipping the
    pre-test and missing from the class's results. The card now says it is assigned, links
    to My work, and names its own button as practice; other cases are as they were."""
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/cases.py")
    ok(at.run())
    note = t("cases2.assigned", lang, cohorts="Class A")
    assert note in [i.value for i in at.info]
    assert any(x.proto.label == t("cases2.to_my_work", lang) and x.proto.page.endswith("my_attempts")
               for x in at.get("page_link"))
    assert at.button(key="start_intro").label == t("cases2.start_practice", lang)
    assert at.button(key="start_rising_lpr").label == t("cases.start", lang)

    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    ok(at.run())
    assert note not in [i.value for i in at.info]
    assert at.button(key="start_intro").label == t("cases.start", lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_instructor_signed_in_on_the_case_library_is_shown_where_classes_are_run(school, lang):
    """An instructor's sign-in opens the trainees' case library, whose first screen held
    only cases and "Start a new attempt". It now says where a class is run, with links to
    Cohorts and the Cohort dashboard; a trainee's and a manager's library are as they were."""
    def library(user) -> AppTest:
        at = app_as(user, lang=lang)
        at.switch_page("app_pages/cases.py")
        return ok(at.run())

    def teaching_links(at: AppTest) -> set[str]:
        return {x.proto.page.rsplit("/", 1)[-1] for x in at.get("page_link")
                if x.proto.label in (t("nav.cohort_admin", lang), t("nav.cohort_dashboard", lang))}

    at = library(school.teacher)
    assert t("cases.teaching", lang) in [m.value for m in at.markdown]
    assert teaching_links(at) == {"cohort_admin", "cohort_dashboard"}
    assert at.button(key="start_intro")  # the cases are still there to try
    for user in (school.ann, school.manager):
        at = library(user)
        assert t("cases.teaching", lang) not in [m.value for m in at.markdown]
        assert not teaching_links(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_case_library_tells_a_class_attempt_from_practice(school, lang):
    """A trainee back in a new tab finds the class attempt under the case, below "Start as
    practice (not counted)": its button read "继续练习" (continue practice) like a practice
    attempt's. It now names the class assignment, and it continues the class attempt."""
    aid = school.ann_attempt(3)
    practice = cr.start_practice(school.db, school.ann, school.games,
                                 load_scenario(INTRO)).attempt.id
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/cases.py")
    ok(at.run())
    labels = {b.key: b.label for b in at.button}

    def saved(att_id: str) -> str:  # the page's own clock: AppTest's browser has no zone
        return units.local_time(school.games.store.get(att_id).updated, None, lang)

    assert labels[f"continue_{aid}"] == t("cases.continue_class", lang, month=3, horizon=12,
                                          updated=saved(aid), id=aid)
    assert labels[f"continue_{practice}"] == t("cases.continue", lang, month=0, horizon=12,
                                               updated=saved(practice), id=practice)
    ok(at.button(key=f"continue_{aid}").click().run())
    assert at.session_state["attempt_id"] == aid


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_trainee_opening_the_replay_from_the_menu_chooses_one_of_their_attempts(school, lang):
    """Attempt replay, opened from the trainee's menu, said only "open one from the cohort
    dashboard or My work": a trainee has no dashboard, and My work links no replay, so the
    page was a dead end. It now offers the trainee's own attempts."""
    aid = school.ann_attempt(3)
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    picker = at.selectbox(key="review_pick")
    assert picker.options and picker.value is None
    assert t("review.none_yours", lang) in [i.value for i in at.info]
    ok(picker.set_value(aid).run())
    assert at.slider(key=f"review_month_{aid}").value == 3

    at = app_as(school.teacher, lang=lang)  # no attempts of their own: as before
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    assert t("review.none", lang) in [i.value for i in at.info]
    assert not at.selectbox


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_my_work_says_whether_an_assigned_lesson_is_done_as_the_dashboard_counts_it(school, lang):
    """An assigned lesson read "read the lesson by ..." and nothing more: the dashboard
    counts it done only once its quiz is answered in the window, so a trainee who only
    read it showed as not started and could not tell. My work now says which it is."""
    a = cr.assign_lesson(school.db, school.teacher, school.cohort.id, "early-warning",
                         now() - timedelta(hours=1), now() + timedelta(days=3))

    def my_work() -> AppTest:
        at = app_as(school.ann, lang=lang)
        at.switch_page("app_pages/my_attempts.py")
        return ok(at.run())

    def status() -> str:
        done = dash.cohort_results(school.db, school.teacher, school.cohort.id).completion
        return done.loc[done["assignment_id"] == a.id, "status"].item()

    at = my_work()
    assert t("mine.lesson_todo", lang) in [c.value for c in at.caption]
    assert t("mine.lesson_done", lang) not in [s.value for s in at.success]
    assert status() == dash.STATUS_NOT_STARTED

    lesson = load_lesson("early-warning", "en")
    cr.record_quiz(school.db, school.ann, lesson, {q.id: 0 for q in lesson.questions})
    at = my_work()
    assert t("mine.lesson_done", lang) in [s.value for s in at.success]
    assert status() == dash.STATUS_DONE


def test_the_replay_gives_an_lpr_change_with_the_rates_then_in_force(school):
    """The replay's events table wrote an LPR change as "1-year LPR +50 bp, now —": it
    read the events without the case, whose LPR path gives the rates."""
    aid = school.ann_attempt(4)
    at = app_as(school.ann, review=aid)
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    ok(at.slider(key=f"review_month_{aid}").set_value(4).run())
    details = t("col.details", "en")
    lpr = [str(d) for d in frame_with(at, details)[details] if "LPR" in str(d)]
    assert lpr and all("—" not in d and "%" in d for d in lpr), lpr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_case_files_to_publish_are_offered_by_their_titles(school, lang):
    """The cohort page's 'Publish a case' picker listed file names only (calibration,
    disaster, intro...), English words on the Chinese page too."""
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    title = load_scenario(INTRO).title.get(lang)
    options = at.selectbox(key="publish_pick").options
    assert f"{title} · intro" in options
    # the model check (published: false, "not for trainees") is not the first offered
    assert not options[0].endswith("· calibration") and options[-1].endswith("· calibration")
    ok(at.selectbox(key="publish_pick").set_value("intro").run())
    ok(at.button(key="publish_shipped").click().run())
    # the same text as the school published: its version, not a new one
    assert t("cohort.published", lang, case="intro", version=1) in [m.value for m in at.success]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_my_work_names_an_instructors_case_by_its_title(school, lang):
    """My work listed an attempt at a case an instructor wrote and published by its id
    (monday_wuxi), in English on the Chinese page: only shipped cases had their titles."""
    quiet_attempt(school)  # the minimal case, published; no shipped file has its id
    at = app_as(school.ann, lang=lang)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    title = parse_scenario(QUIET).title.get(lang)
    lines = [m.value for m in at.markdown if m.value.startswith("**")]
    assert any(line.startswith(f"**{title}**") for line in lines), lines
    assert not any(line.startswith("**minimal**") for line in lines)


def test_the_ranking_ranks_no_one_on_no_index(school):
    """With no index in the case's future the ranking still read 1 (you) and 2 (a
    classmate), on '—' alike. Now a trainee without an index has no rank ('—'), and equal
    indexes share one."""
    aid, _ = quiet_attempt(school)
    quiet = school.games.store.get(aid).assignment_id
    cr.enrol(school.db, school.teacher, school.cohort.id, "ben")
    games = LiveGames(AttemptStore(db=school.db), lambda _id: parse_scenario(QUIET))
    live = cr.start_assignment(school.db, school.ben, games, quiet)
    for m in range(live.game.horizon):
        games.end_month(live.attempt.id, m)
    rows = cr.ranking(school.db, school.ann, quiet)
    assert [(r.rank, r.index_share) for r in rows] == [(None, None), (None, None)]
    at = app_as(school.ann)
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    grid = frame_with(at, t("mine.col_rank", "en"))
    assert grid[t("mine.col_rank", "en")].isna().all()
    # what the ranking counts is said under it: the first finished attempt, not a retry
    assert t("mine.ranking_rule", "en") in [c.value for c in at.caption]
    assert sorted(grid[t("mine.col_who", "en")]) == sorted([t("mine.you", "en"),
                                                            t("mine.classmate", "en", n=2)])
    # on the intro, Ann and Ben play alike: the same index, the same rank
    school.ann_attempt(load_scenario(INTRO).horizon_months)
    live = cr.start_assignment(school.db, school.ben, school.games, school.assignment.id)
    for m in range(live.game.horizon):
        school.games.end_month(live.attempt.id, m)
    intro = cr.ranking(school.db, school.ann, school.assignment.id)
    assert intro[0].index_share is not None
    assert [r.rank for r in intro] == [1, 1]


@pytest.mark.parametrize(("who", "links"), [("teacher", ["dash", "mine"]), ("ann", ["mine"])])
def test_the_replay_with_no_attempt_links_where_attempts_are_picked(school, who, links):
    """Attempt replay opened from the sidebar said 'open one from the cohort dashboard or My
    work' and stopped there: a dead end with no way on but the sidebar."""
    at = app_as(getattr(school, who), lang="zh")
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    assert t("review.none", "zh") in [i.value for i in at.info]
    labels = [p.proto.label for p in at.get("page_link")]
    wanted = {"dash": t("nav.cohort_dashboard", "zh"), "mine": t("nav.my_attempts", "zh")}
    assert [wanted[k] for k in links] == [x for x in labels if x in wanted.values()]


def test_the_dashboards_tables_fit_beside_their_charts_in_english(school):
    """In English the missed-loans table ran past the page (its share column off the edge,
    headed 'Trainees who missed it', 'Share of finishers') and the completion table beside
    its chart cut its statuses ('finishe', 'not sta'). The figures have short headings, and
    the missed loans are a static table whose text wraps within the page (the browser test
    measures it at 1,024 and 1,280 px)."""
    school.ann_attempt(load_scenario(INTRO).horizon_months)
    at = app_as(school.teacher)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    assert not [d for d in at.dataframe if t("dash.col_warning", "en") in d.value.columns]
    assert [d for d in at.table if t("dash.col_warning", "en") in d.value.columns]
    for col in ("dash.col_visible", "dash.col_missed_by", "dash.col_share"):
        assert len(t(col, "en")) <= 12, t(col, "en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_missed_loans_show_a_long_borrowers_name_whole_and_every_column(school, lang):
    """A long English borrower's name was cut in the missed-loans table ("...Industry &
    Trad"), and at 1,024 px the table ran past the page's edge. The table comes under its
    assignment's title, as a static table: every name and warning whole, wrapping within
    the page, every column there."""
    school.ann_attempt(load_scenario(INTRO).horizon_months)
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_dashboard.py")
    ok(at.run())
    expected = dash.cohort_results(school.db, school.teacher, school.cohort.id).missed
    tables = [d.value for d in at.table if t("dash.col_warning", lang) in d.value.columns]
    assert tables
    names = expected["company" if lang == "zh" else "company_en"].tolist()
    shown = [name for table in tables for name in table[t("dash.col_company", lang)]]
    assert shown == names  # whole, as the book names them
    for table in tables:
        assert t("dash.col_assignment", lang) not in table.columns
        assert list(table.columns) == [t(f"dash.col_{c}", lang) for c in (
            "loan", "company", "warning", "visible", "missed_by", "share")]
    title = load_scenario(INTRO).title.get(lang)
    assert any(title in m.value for m in at.markdown), "the table comes under its assignment"


def test_an_events_note_gets_the_width_to_be_read(school):
    """The month's events table (desk and replay) put the details, a scripted event's note
    written by the case's author, last and narrow: 'A US customer cancels two ord…'. The
    details column is now wide and the month and loan columns narrow."""
    import json

    aid = school.ann_attempt(3)
    at = app_as(school.teacher, review=aid)
    at.switch_page("app_pages/attempt_review.py")
    ok(at.run())
    ok(at.slider(key=f"review_month_{aid}").set_value(2).run())  # Mingtai's sales drop
    grid = next(d for d in at.dataframe if t("col.details", "en") in d.value.columns)
    config = json.loads(grid.proto.columns)
    widths = {c: config[c]["width"] for c in grid.value.columns}
    details, month = t("col.details", "en"), t("col.month", "en")
    assert widths[details] >= report.EVENTS_DETAILS_LEAST_PX
    assert widths[month] >= report.text_px([month, *grid.value[month]])  # narrow, and whole
    # within a 1,280 px page beside the sidebar (884 px in 818 with "large" details), and
    # the loan pinned: at 1,024 px the grid scrolls, and a row still says which loan it is
    assert sum(widths.values()) <= report.EVENTS_FIT_PX, widths
    assert config[t("col.label", "en")]["pinned"] is True
