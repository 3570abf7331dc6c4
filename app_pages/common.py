"""What every page shares: language, the signed-in user, the current attempt, cached
loaders and services.

Loaders are small cached functions (``st.cache_data`` for files, keyed by path and
modification time; ``st.cache_resource`` for the attempt store and live games).
The attempt id lives in the session and in the URL (``?attempt=``), so a browser
refresh reopens the same attempt; it is not a key: the attempt opens only for a user
``training.authz`` allows (its owner, or anonymous self-study for its own attempts).
The sign-in token lives in the session state and in an HttpOnly cookie
(``app_pages.browser_session``), never in the URL.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_paths
from training import accounts, classroom, i18n, scenario_home
from training.accounts import User
from training.attempts import AttemptError, AttemptStore, Live, LiveGames, database_url
from training.authz import Action, Forbidden, can
from training.db import Database, get_database
from training.i18n import t

PAGES = {
    "cases": "app_pages/cases.py",
    "briefing": "app_pages/briefing.py",
    "desk": "app_pages/desk.py",
    "debrief": "app_pages/debrief.py",
    "lessons": "app_pages/lessons.py",
    "lab": "app_pages/lab.py",
    "roleplay": "app_pages/roleplay.py",
    "author": "app_pages/author.py",
    "signin": "app_pages/signin.py",
    "my_attempts": "app_pages/my_attempts.py",
    "cohort_admin": "app_pages/cohort_admin.py",
    "cohort_dashboard": "app_pages/cohort_dashboard.py",
    "review": "app_pages/attempt_review.py",
    "users": "app_pages/users_admin.py",
    "pairs": "app_pages/pairs.py",
    "cohort_pairs": "app_pages/cohort_pairs.py",
}
LANG_NAMES = {"zh": "中文", "en": "English"}


# --- language -----------------------------------------------------------------
def _session_lang() -> str | None:
    """The session's language, for text made where the page has not set it yet (a
    widget's callback); None outside a session's run (a background thread)."""
    if get_script_run_ctx() is None:
        return None
    return st.session_state.get("lang")


i18n.set_fallback(_session_lang)


_LANG_SAID = "_lang_said"  # who said this tab's language: SAID_BY_ADDRESS, SAID_BY_SWITCH
_LANG_ACCOUNT = "_lang_account"  # the user whose kept language this tab has looked up
SAID_BY_ADDRESS = "address"
"""The tab opened with ``?lang=``: a link, a bookmark, or the address the app itself keeps
(every page writes it), so not necessarily the user's own pick."""
SAID_BY_SWITCH = "switch"
"""The user picked the language with the switch in this tab: their own word."""


def init_lang() -> str:
    """Set this run's language from the session (first run: ``?lang=``, else the signed-in
    user's kept language, else zh).

    The choice lives under a plain key, not the widget's: Streamlit drops a widget's
    state when a page switch interrupts a run, and the language must survive that. A
    language the tab was not told (no ``?lang=`` when it opened, the switch untouched)
    is the signed-in user's own, once they are known: a new tab, a new day. Signing in
    in this tab settles it again (``sign_in``).
    """
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang")
        st.session_state[_LANG_SAID] = SAID_BY_ADDRESS if wanted in i18n.LANGS else None
        st.session_state["lang"] = wanted if wanted in i18n.LANGS else i18n.DEFAULT_LANG
    if not st.session_state.get(_LANG_SAID):
        _account_lang()
    lang = st.session_state["lang"]
    if st.query_params.get("lang") != lang:
        # kept in the address on every page (a page switch drops it), so a reload or a
        # bookmark opens in the language chosen
        st.query_params["lang"] = lang
    return i18n.set_lang(lang)


def _account_lang() -> None:
    """Take the signed-in user's kept language, once per user in this tab (a signed-out
    visitor keeps the default)."""
    if database_problem() is not None:
        return  # said by the frame, in the default language
    user = current_user()
    if user is None or st.session_state.get(_LANG_ACCOUNT) == user.id:
        return
    st.session_state[_LANG_ACCOUNT] = user.id
    kept = accounts.language_of(db(), user.id)
    if kept is not None:
        st.session_state["lang"] = kept


RELABELLED = ("loan_pick", "alert_pick", "lesson_pick", "classify_cls_", "classify_reason_",
              "lab_case", "lab_strategies_pick", "lab_where", "lab_sweep_strategy",
              # the instructor's and the admin's pickers, and the role-play and desk ones
              # (the dashboard's table read "Attempts" on the Chinese page after a switch)
              "export_table", "dash_attempt", "review_pick", "publish_pick", "assign_kind",
              "assign_version", "assign_lesson", "assign_pre", "assign_post", "cp_assignment",
              "cp_roleplay", "new_role", "role_value", "ledger_what", "desk_view", "rp_pick",
              "rp_profile", "author_start",
              # the case author's forms (a picker in a form shows the label it was sent too)
              "seg_pick", "seg_product", "seg_repayment", "seg_rate_kind", "seg_collateral",
              "seg_guarantee", "macro_type", "bor_guarantor", "ev_kind", "rm_section", "rm_item",
              "review_loan_",
              # the answers of a lesson's self-check and of a pre- or post-test: a switch of
              # language mid-quiz emptied every answer given
              "q_", "t_")
"""Pickers (keys, or their prefixes) whose options are labelled in the reader's language."""


def db_guarded(callback):
    """A widget's callback that says a database that did not answer (nothing was changed;
    do it again once it answers) instead of Streamlit's traceback; the page run after it
    then says the database is not answering, and waits (``show_database_lost``). Other
    errors go on as before."""
    import functools

    from training.db import unreachable

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except Exception as exc:
            if not unreachable(exc):
                raise
            i18n.set_lang(st.session_state.get("lang") or i18n.DEFAULT_LANG)
            flash("error", t("common.db_lost_said"))
    return run


@db_guarded
def _lang_changed() -> None:
    # a picker shows the label it last sent; set again through the session state, its
    # value is drawn anew with the new language's label (it kept the old one until the
    # reader picked again, and a label it can no longer match would be lost)
    for key in [k for k in st.session_state if str(k).startswith(RELABELLED)]:
        if st.session_state[key] is not None:
            st.session_state[key] = st.session_state[key]
    st.session_state["lang"] = st.session_state["lang_switch"]
    st.session_state[_LANG_SAID] = SAID_BY_SWITCH  # the user's own word: no kept language
    # overrides it, and one picked while signed out is kept for the account at sign-in
    i18n.set_lang(st.session_state["lang"])
    user = current_user()
    if user is not None:  # kept for the account: their next tab, their next day
        accounts.set_language(db(), user.id, st.session_state["lang"])
    # in the address too, so a reload or a bookmark opens in the language chosen
    st.query_params["lang"] = st.session_state["lang"]


def language_switch() -> None:
    st.session_state["lang_switch"] = st.session_state["lang"]
    st.radio(
        t("frame.language"), i18n.LANGS, key="lang_switch", horizontal=True,
        format_func=LANG_NAMES.__getitem__, on_change=_lang_changed,
    )


# --- the current attempt -----------------------------------------------------------
def sync_attempt_id() -> str | None:
    """The attempt of this session; the URL wins (a refresh or a shared link)."""
    from_url = st.query_params.get("attempt")
    if from_url:
        st.session_state["attempt_id"] = from_url
    aid = st.session_state.get("attempt_id")
    if aid and st.query_params.get("attempt") != aid:
        st.query_params["attempt"] = aid
    return aid


def set_attempt(aid: str | None) -> None:
    st.session_state["attempt_id"] = aid
    if aid:
        st.query_params["attempt"] = aid
    elif "attempt" in st.query_params:
        del st.query_params["attempt"]


def go(page: str) -> None:
    """Switch page, keeping the attempt in the URL."""
    aid = st.session_state.get("attempt_id")
    st.switch_page(PAGES[page], query_params={"attempt": aid} if aid else None)


# --- scenarios -------------------------------------------------------------------
def scenario_dir() -> Path:
    return scenario_home.scenario_dir()


@st.cache_data(show_spinner=False, max_entries=64)
def _load_case(path: str, mtime_ns: int) -> tuple[Scenario | None, list[tuple[str, str]]]:
    # An exception does not survive the cache's pickling, so problems travel as a list.
    try:
        return load_scenario(path), []
    except ScenarioError as err:
        return None, list(err.problems)


def load_case(path: Path) -> Scenario | ScenarioError:
    """The scenario in ``path``, or the ScenarioError listing its problems."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = 0
    scenario, problems = _load_case(str(path), mtime)
    return scenario if scenario is not None else ScenarioError(str(path), problems)


@st.cache_data(show_spinner=False, max_entries=64)
def _load_rule_table(path: str, mtime_ns: int):
    # a file that does not read is not kept: rule_table reads it again for its error
    from sim.strategies import RulesError, load_rules

    try:
        return load_rules(path)
    except RulesError:
        return None


def rule_table(path: str | Path):
    """The rule table in ``path`` (sim.strategies.RuleTable), read again only when the file
    changed (cached by path and modification time): the lab read every shipped table
    twice on each run of its page, at every click. A file that does not read raises its
    RulesError, as ``load_rules`` does; each caller gets its own copy."""
    from sim.strategies import load_rules

    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError:
        mtime = 0
    table = _load_rule_table(str(path), mtime)
    return table if table is not None else load_rules(path)


def case_file_label(path: Path, lang: str) -> str:
    """A case file as a picker shows it: its title in the page's language, then its file
    name ("入门：台州支行的一本小账 · intro"); a file that does not load, by its name."""
    case = load_case(path)
    return path.stem if isinstance(case, ScenarioError) else f"{case.title.get(lang)} · {path.stem}"


def all_cases() -> tuple[list[Scenario], list[ScenarioError]]:
    """Every case file in the scenario folder: those that load, and the problems of the others."""
    ok: list[Scenario] = []
    bad: list[ScenarioError] = []
    for p in scenario_paths(scenario_dir()):
        res = load_case(p)
        (bad if isinstance(res, ScenarioError) else ok).append(res)
    return ok, bad


def case_by_id(scenario_id: str) -> Scenario:
    ok, _ = all_cases()
    for sc in ok:
        if sc.id == scenario_id:
            return sc
    raise LookupError(t("attempt.no_such_case", id=scenario_id))


@st.cache_data(show_spinner=False, max_entries=256)
def _version_title(url: str, version_id: int, lang: str) -> str | None:
    # a published version is frozen: its title never changes
    from training.publishing import get_case_version

    version = get_case_version(get_database(url), version_id)
    return None if version is None else version.scenario().title.get(lang)


def attempt_case_title(attempt, lang: str) -> str:
    """The case of an attempt by its title in ``lang``: the published version's own (an
    instructor's case is in no shipped file, and read as its id, monday_wuxi), else the
    shipped case's, else its id."""
    if attempt.case_version_id is not None:
        title = _version_title(database_url(), attempt.case_version_id, lang)
        if title:
            return title
    titles = {c.id: c.title.get(lang) for c in all_cases()[0]}
    return titles.get(attempt.scenario_id, attempt.scenario_id)


# --- services --------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _services(url: str) -> LiveGames:
    return LiveGames(AttemptStore(url), case_by_id)


def games() -> LiveGames:
    return _services(database_url())


def db() -> Database:
    """The training database (migrated to head the first time this process opens it)."""
    return get_database(database_url())


def database_problem() -> tuple[str, str] | None:
    """Why the training database cannot be opened, as (the setting it came from, the
    reason), or None when it opens. A mistyped DATABASE_URL or BIANQUE_DB showed every
    visitor Streamlit's redacted error page, which names neither."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    try:
        db()
    except (ArgumentError, NoSuchModuleError, OperationalError, ImportError) as exc:
        # ImportError: a scheme SQLAlchemy knows whose driver is not installed (mysql://)
        setting = next((v for v in ("DATABASE_URL", "BIANQUE_DB") if os.environ.get(v)),
                       "BIANQUE_DB")
        return setting, str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return None


DB_RETRY_SECONDS = 5
"""How often a page that lost the training database tries it again by itself."""
DB_LOST_AT_KEY = "_db_lost_at"  # the page's address and query the database was lost on


def page_address() -> str | None:
    """The page's address in the browser (``desk``; empty for the root), less any base
    path; None without a browser (AppTest), where the page stays what it was."""
    from urllib.parse import unquote, urlparse

    if not st.context.url:
        return None
    name = unquote(urlparse(st.context.url).path).strip("/")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (name == base or name.startswith(base + "/")):
        name = name[len(base):].strip("/")
    return name


def database_where() -> str:
    """The training database as a trainee can pass it on: the server (PostgreSQL at
    host:port) or the SQLite file, never the user name or password of the URL."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url())
    if url.get_backend_name() == "sqlite":
        return url.database or "SQLite"
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()} {url.host or 'localhost'}{port}/{url.database or ''}"


def show_database_lost(exc: BaseException) -> None:
    """Say, in place of Streamlit's redacted traceback, that the training database stopped
    answering mid-session (a server stopped or restarting), that what was saved stays,
    and wait for it here: the page opens again by itself once it answers (the engine's
    pre-ping replaces the dead connections; no restart of the app)."""
    from training.db import unreachable_reason

    if (address := page_address()) is not None:
        st.session_state[DB_LOST_AT_KEY] = (address, st.query_params.to_dict())
    # the language of the session (said before the account's kept one could be read)
    i18n.set_lang(st.session_state.get("lang") or i18n.DEFAULT_LANG)
    st.error(t("common.db_lost", where=database_where(), reason=unreachable_reason(exc)),
             icon=":material/database:")
    _offer_case_text()
    _offer_study_report()
    _wait_for_database(i18n.get_lang())


def _offer_study_report() -> None:
    """The report of a lab study that finished in this tab and was not saved (the database
    did not answer), to download while the page cannot show it: only this tab holds it."""
    from training import lab_report

    job = st.session_state.get("lab_job")
    if job is None or not job.unsaved:
        return
    lang, outcome = i18n.get_lang(), job.outcome
    st.info(t("common.db_lost_study_kept"), icon=":material/science:")
    st.download_button(t("lab.page.download"),
                       data=lambda: lab_report.report_html(outcome, lang),
                       file_name=lab_report.download_name(outcome.request), mime="text/html",
                       key="db_lost_study_download", icon=":material/download:",
                       on_click="ignore")  # no run while it does not answer


def _offer_case_text() -> None:
    """The case an author was writing in this tab, to download while the database does not
    answer: its last change may not be kept as a draft yet, and only this tab holds it."""
    from app_pages import author_forms
    from training import authoring

    text = st.session_state.get(author_forms.TEXT_KEY)
    if not text or text == authoring.blank_text():
        return
    st.info(t("common.db_lost_case_kept"), icon=":material/edit_document:")
    st.download_button(t("common.db_lost_case_download"), data=text.encode("utf-8"),
                       file_name=authoring.export_name(text), mime="application/x-yaml",
                       key="db_lost_case_download", icon=":material/download:",
                       on_click="ignore")  # no run while it does not answer


@st.fragment(run_every=DB_RETRY_SECONDS)
def _wait_for_database(lang: str) -> None:
    # a fragment's rerun skips the entry file, so the language is passed, not looked up
    st.caption(t("common.db_lost_waiting", lang, seconds=DB_RETRY_SECONDS))
    if db().answers():
        st.rerun(scope="app")


def said_failure(exc: BaseException, fallback: str) -> str:
    """What a refused move says: the database's silence in words (nothing was changed,
    do it again), else ``fallback`` (the engine's or the service's own reason)."""
    from training.db import unreachable

    return t("common.db_lost_move") if unreachable(exc) else fallback


# --- who is signed in ----------------------------------------------------------------
TOKEN_KEY = "auth_token"
_SSO_REFUSED_KEY = "_sso_refused"  # the reason an SSO identity cannot sign in was said
_SSO_LEAVING_KEY = "_sso_leaving"  # signed out; the single sign-on logout is under way


def sso_configured() -> bool:
    """Single sign-on is offered when the operator put an [auth] section in secrets.toml
    (and Authlib, which st.login needs, is installed)."""
    import importlib.util

    try:
        return "auth" in st.secrets and importlib.util.find_spec("authlib") is not None
    except Exception:  # no secrets file at all
        return False


def sso_providers() -> list[str | None]:
    """The sign-on providers in secrets.toml: None for the one set in [auth] itself, and
    the name of each [auth.NAME] section that has a client_id (st.login(NAME))."""
    if not sso_configured():
        return []
    auth = st.secrets["auth"]
    named = [name for name, value in auth.items()
             if hasattr(value, "get") and value.get("client_id")]
    return ([None] if auth.get("client_id") else []) + sorted(named)


def sso_logged_in() -> bool:
    try:
        return sso_configured() and bool(st.user.get("is_logged_in"))
    except Exception:
        return False


def _sso_user() -> User | None:
    """The local account of the single-sign-on identity of this browser, if any; the
    reason is said once when the account cannot be used (deactivated, no subject)."""
    if not sso_logged_in():
        st.session_state.pop(_SSO_LEAVING_KEY, None)
        return None
    if st.session_state.get(_SSO_LEAVING_KEY):
        return None  # not straight back in while the sign-out reaches the provider
    info = st.user
    try:
        return accounts.user_for_oidc(db(), str(info.get("sub") or ""), info.get("email"),
                                      info.get("name"),
                                      email_verified=info.get("email_verified") is True)
    except accounts.AccountError as err:
        if not st.session_state.get(_SSO_REFUSED_KEY):
            st.session_state[_SSO_REFUSED_KEY] = True
            flash("error", t(err.key, **err.detail))
        return None


def current_user() -> User | None:
    """The signed-in user of this session (None: anonymous).

    Looked for in this tab's session state, then in the browser's sign-in cookie (a
    reload or a new tab), then in the single sign-on; an ended session signs out and
    says so (unless the single sign-on signs the user straight back in).
    """
    from app_pages import browser_session

    ended = False
    token = st.session_state.get(TOKEN_KEY)
    if token:
        user = accounts.user_for_session(db(), token)
        if user is not None:
            return user
        st.session_state.pop(TOKEN_KEY, None)
        browser_session.forget()
        ended = True
    token, user, cookie_ended = browser_session.user_from_cookie(db())
    if user is not None:
        st.session_state[TOKEN_KEY] = token
        return user
    user = _sso_user()
    if user is not None:
        sign_in(user)
    elif ended or cookie_ended:
        flash("warning", t("signin.expired"))
    return user


def sign_in(user: User) -> None:
    """Open a sign-in for ``user`` in this tab and have the browser keep it (cookie)."""
    from app_pages import browser_session

    token = accounts.open_session(db(), user)
    st.session_state[TOKEN_KEY] = token
    browser_session.remember(db(), token)
    _settle_lang_at_sign_in(user)


def _settle_lang_at_sign_in(user: User) -> None:
    """The language from the sign-in on: one the user picked with the switch in this tab
    while signed out is theirs, and kept for the account (their next tab, their next day);
    otherwise the account's kept language wins over the tab's, which only the address or
    the default set (a signed-out tab keeps ``?lang=zh`` in its address; that stale word
    overrode the user's saved English). An account with no language kept keeps the tab's."""
    st.session_state[_LANG_ACCOUNT] = user.id
    if st.session_state.get(_LANG_SAID) == SAID_BY_SWITCH:
        accounts.set_language(db(), user.id, st.session_state["lang"])
    else:
        kept = accounts.language_of(db(), user.id)
        if kept is not None:
            st.session_state["lang"] = kept
        st.session_state[_LANG_SAID] = None  # the user's own from here on (init_lang)
    i18n.set_lang(st.session_state["lang"])  # the welcome too
    st.query_params["lang"] = st.session_state["lang"]


def sign_out() -> None:
    """End the sign-in everywhere it lives: every session of it on the server (this tab,
    the cookie, other tabs), then the browser's cookie, then the single sign-on."""
    from app_pages import browser_session

    accounts.close_session(db(), st.session_state.pop(TOKEN_KEY, None))
    accounts.close_session(db(), browser_session.cookie_token())
    set_attempt(None)
    # the tab keeps its language, but as no one's pick: the next to sign in here (on a
    # shared computer, someone else) gets their own, and no one's is saved over
    st.session_state[_LANG_SAID] = None
    st.session_state.pop(_LANG_ACCOUNT, None)
    sso = sso_logged_in()
    browser_session.forget(then_sso_logout=sso)
    if sso:
        st.session_state[_SSO_LEAVING_KEY] = True


def allowed(action: Action, obj: object = None) -> bool:
    return can(current_user(), action, obj, db())


def forbidden_text(err: Forbidden) -> str:
    """Why, said plainly, with no detail of what is behind it (a time in the browser's zone)."""
    return t(err.key, **{k: local_time(v) if isinstance(v, datetime) else str(v)
                         for k, v in err.detail.items()})


def forbidden(err: Forbidden) -> None:
    st.error(forbidden_text(err))


def teaching_cohort(key: str, none_text: str, link_admin: bool = False) -> int:
    """The instructor's cohort picker, its choice kept under ``key`` across reruns. If
    the user teaches no cohort yet, says ``none_text`` (with a link to the cohorts page
    when ``link_admin``) and stops the page."""
    cohorts = {c.id: c for c in classroom.teaching_cohorts(db(), current_user())}
    if not cohorts:
        st.info(none_text)
        if link_admin:
            st.page_link(PAGES["cohort_admin"], label=t("nav.cohort_admin"), icon=":material/groups:")
        st.stop()
    if st.session_state.get(key) not in cohorts:
        st.session_state[key] = next(iter(cohorts))
    names = [c.name for c in cohorts.values()]
    # a name two cohorts share (made before names had to differ) shows its number too
    return st.selectbox(t("cohort.pick"), list(cohorts), key=key,
                        format_func=lambda i: cohorts[i].name if names.count(cohorts[i].name) == 1
                        else f"{cohorts[i].name} · #{i}")


def no_attempt_open(title: str, find, intro: str, lines: tuple[str, str], icon: str,
                    key: str) -> None:
    """A page of one attempt opened in a tab with none (a new tab, a new day): its owner's
    attempts that `find` (attempts.unfinished or finished_recently) gives, each a button
    (keyed `key`_ and the attempt's id) that opens it here (the most recent, first, is the
    primary one), under `intro`; the line of one played in a class, then of practice, is
    said by `lines`. With none, says that no attempt is open. Then the ways to new work,
    and stops the page."""
    st.title(title)
    user = current_user()
    found = (find(db(), user.id if user else None)
             if user is not None or allowed("self_study") else [])
    if found:
        lang = i18n.get_lang()
        st.info(intro)
        for n, (att, cohort) in enumerate((f.attempt, f.cohort) for f in found):
            st.button(t(lines[0] if cohort else lines[1], cohort=cohort,
                        case=attempt_case_title(att, lang), month=att.month,
                        horizon=att.horizon, updated=local_time(att.updated),
                        finished=local_time(att.finished_at or att.updated), id=att.id),
                      key=f"{key}_{att.id}", type="primary" if n == 0 else "secondary",
                      icon=icon, on_click=set_attempt, args=(att.id,))
        st.caption(t("resume.or_else"))
    else:
        st.info(t("attempt.none"))
    st.page_link(PAGES["cases"], label=t("nav.to_cases"), icon=":material/folder_open:")
    st.page_link(PAGES["my_attempts"], label=t("nav.my_attempts"), icon=":material/assignment:")
    st.stop()


def current_live(read_only: bool = False) -> Live | None:
    """The live game of this session's attempt, or None after telling the trainee why.

    Only the attempt's player may play it: its owner, or anonymous self-study for an
    anonymous attempt, and not once its assignment was withdrawn. An instructor or admin
    who may read it, or the owner of a withdrawn one, gets a link to the read-only replay
    instead. ``read_only`` (the debrief): a finished attempt under a withdrawn assignment
    still opens for its owner, under a note that it no longer counts.
    """
    aid = st.session_state.get("attempt_id")
    if not aid:
        st.info(t("attempt.none"))
        st.page_link(PAGES["cases"], label=t("nav.to_cases"), icon=":material/folder_open:")
        return None
    user = current_user()
    try:
        classroom.open_attempt(db(), user, aid, Action.PLAY_ATTEMPT)
        return games().open(aid)
    except Forbidden as err:
        attempt = _attempt_or_none(aid)
        if err.key == "attempt.withdrawn":
            if read_only and attempt is not None and attempt.finished:
                st.warning(t("attempt.withdrawn_debrief", by=err.detail["by"],
                             at=local_time(err.detail["at"])), icon=":material/undo:")
                return games().open(aid)
            forbidden(err)
            st.page_link(PAGES["review"], label=t("review.open"), icon=":material/history:",
                         query_params={"review": aid})
        elif can(user, Action.OPEN_ATTEMPT, attempt, db()):
            st.info(t("review.read_only_instead"))
            st.page_link(PAGES["review"], label=t("review.open"), icon=":material/history:",
                         query_params={"review": aid})
        else:
            forbidden(err)
        return None
    except AttemptError as err:
        st.error(t(err.key, detail=err.detail))
        st.page_link(PAGES["cases"], label=t("nav.to_cases"), icon=":material/folder_open:")
        return None


def keep_quiz(lesson, answers: dict, phase: str = "lesson", assignment_id: int | None = None):
    """Keep a signed-in trainee's answers (anonymous self-study keeps none)."""
    user = current_user()
    if user is None:
        return None
    return classroom.record_quiz(db(), user, lesson, answers, classroom.QuizPhase(phase),
                                 assignment_id)


def keep_test(assignment_id: int, phase: str, parts: list) -> list:
    """Keep the signed-in trainee's pre- or post-test, all its lessons together."""
    return classroom.record_test(db(), current_user(), assignment_id,
                                 classroom.QuizPhase(phase), parts)


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` is the training database not answering (``training.db.unreachable``):
    nothing was written, and the same move can be made again once it answers."""
    from training.db import unreachable as said

    return said(exc)


def _attempt_or_none(aid: str):
    return games().store.get(aid)


# --- formatting ------------------------------------------------------------------------
def browser_zone():
    """The browser's time zone (UTC when the browser did not say)."""
    from zoneinfo import ZoneInfo

    try:
        name = st.context.timezone
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except Exception:
        return ZoneInfo("UTC")


def stars(level: int, of: int = 5) -> str:
    """A difficulty as filled and open stars: ★★☆☆☆."""
    level = max(0, min(int(level), of))
    return "★" * level + "☆" * (of - level)


def local_time(value) -> str:
    """A stored (UTC) time in the browser's zone, with the zone named."""
    if value is None:
        return "—"
    from training.units import local_time as in_zone

    return in_zone(value, browser_zone().key, i18n.get_lang())


def index_text(value: float | None) -> str:
    from training.report import index_text as text

    return text(value, i18n.get_lang())


# --- messages across a rerun -------------------------------------------------------------
def flash(kind: str, text: str) -> None:
    st.session_state.setdefault("_flash", []).append((kind, text))


def show_flash() -> None:
    """Say the messages left for this page. Said once; and once more on the rerun that
    ends the browser's sign-in cookie work a moment later (``browser_session.keep_said``):
    that rerun wiped a welcome after sign-in within about 2.5 s."""
    from app_pages import browser_session

    said = browser_session.said_again() + st.session_state.pop("_flash", [])
    for kind, text in said:
        getattr(st, kind)(text)
    browser_session.keep_said(said)


def show_scenario_error(err: ScenarioError) -> None:
    lines = "\n".join(f"- `{path}`: {msg}" for path, msg in err.problems)
    st.error(f"**{t('cases.load_error', source=Path(err.source).name)}**\n\n{lines}")


# --- file uploads ----------------------------------------------------------------------
def size_text(n_bytes: int) -> str:
    """A file size limit as people write it: 512 KB, 1 MB."""
    if n_bytes < 2**20 or n_bytes % 2**20:
        return f"{n_bytes // 1024:,} KB"
    return f"{n_bytes // 2**20:,} MB"


def upload_texts(key: str, types: list[str], max_bytes: int, lang: str) -> str:
    """The style sheet that puts the page's words on one uploader's own text.

    Streamlit draws its uploader's button ("Upload") and the line under it ("10MB per
    file • YAML, YML", the server's limit rounded to MB, not the one the app checks) in
    English whatever the page's language. This replaces both, for the uploader with
    ``key`` only, with the page's words and the app's own limit."""
    button = t("common.upload_button", lang)
    limit = t("common.upload_limit", lang, size=size_text(max_bytes),
              types=t("common.upload_types_sep", lang).join(x.upper() for x in types))
    scope = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    label = f"{scope} button [data-testid='stMarkdownContainer'] p"
    line = f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] span"
    return (f"<style>{label}, {line} {{font-size: 0}} "
            f"{label}::after {{content: {_css_string(button)}; font-size: 1rem}} "
            f"{line}::after {{content: {_css_string(limit)}; font-size: 0.875rem}}</style>")


def _css_string(text: str) -> str:
    """``text`` as a CSS string: quotes and backslashes escaped, no line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return '"' + escaped.replace("\n", " ") + '"'


def input_hints(lang: str) -> str:
    """The style sheet that puts the page's words on Streamlit's typing hints.

    Under a text or number field Streamlit writes "Press Enter to apply" ("... to submit
    form" in a form; "Press Ctrl+Enter ..." under a text area) in English whatever the
    page's language. On a Chinese page this says it in Chinese; an English page keeps
    Streamlit's own words (empty style sheet)."""
    if lang == "en":
        return ""
    hint = "[data-testid='InputInstructions'] > span:first-child"
    rules = [f"{hint} {{font-size: 0}}"]
    for field, key in (("stTextInput", "enter"), ("stNumberInput", "enter"),
                       ("stTextArea", "ctrl_enter")):
        for scope, then in (("", "apply"), ("[data-testid='stForm'] ", "submit")):
            text = t(f"common.input_{key}_{then}", lang)
            rules.append(f"{scope}[data-testid='{field}'] {hint}::after "
                         f"{{content: {_css_string(text)}; font-size: 0.75rem}}")
    return "<style>" + " ".join(rules) + "</style>"


def number_field(box: Any, label: str, key: str, lo: float, hi: float, *, say: Any = None,
                 **kw: Any) -> Any:
    """``st.number_input`` (drawn in ``box``) that takes whatever is typed, and says in the
    page's language when it is outside [lo, hi]: the field, what was typed and the range
    to use (in ``say``, default ``box``: a box in a narrow column says it below the row,
    else it runs down the page a syllable a line). Returns None then, so the caller does
    not act on it.

    Streamlit's own ``min_value``/``max_value`` refuse such an entry with an English
    tooltip on an icon, keep the number shown in the box and use the old value (a form's
    submit then sends the old one, or nothing), so these boxes leave them out."""
    value = box.number_input(label, key=key, **kw)
    if value is None or lo <= value <= hi:
        return value
    shown = kw.get("format")

    def text(x: float) -> str:
        return shown % x if shown else f"{x:,}" if isinstance(x, int) else f"{x:g}"

    (box if say is None else say).error(
        t("common.out_of_range", field=label, value=text(value), lo=text(lo), hi=text(hi)),
        icon=":material/error:")
    return None


def file_upload(label: str, key: str, types: list[str], max_bytes: int, *,
                multiple: bool = False, help: str | None = None):
    """``st.file_uploader`` in the page's language, telling the limit the app checks
    (``max_bytes``; the browser refuses a file over it rounded up to whole MB)."""
    st.html(upload_texts(key, types, max_bytes, i18n.get_lang()))
    return st.file_uploader(label, type=types, key=key, accept_multiple_files=multiple,
                            help=help, max_upload_size=-(-max_bytes // 2**20))


# --- lessons ---------------------------------------------------------------------
def _lessons_stamp(lang: str) -> int:
    from training.lessons import LESSONS_DIR

    folder = LESSONS_DIR / lang
    return max((p.stat().st_mtime_ns for p in folder.glob("*.md")), default=0)


@st.cache_data(show_spinner=False, max_entries=8)
def _lessons(lang: str, stamp: int) -> tuple[list, list[str]]:
    # Each file loads on its own, so one broken lesson does not hide the others.
    from training.lessons import LessonFormatError, lesson_ids, load_lesson

    ok, problems = [], []
    for lesson_id in lesson_ids(lang):
        try:
            ok.append(load_lesson(lesson_id, lang))
        except (LessonFormatError, ValueError, OSError) as err:
            problems.append(str(err))
    ok.sort(key=lambda lesson: (lesson.order, lesson.id))
    return ok, problems


def lessons(lang: str) -> tuple[list, list[str]]:
    """The lessons of one language in reading order, and the problems of broken files."""
    return _lessons(lang, _lessons_stamp(lang))


def lesson_links(lesson_ids: list[str], lang: str, key_prefix: str) -> None:
    """Buttons that open the named lessons in the reader."""
    titles = {lesson.id: lesson.title for lesson in lessons(lang)[0]}
    for lesson_id in lesson_ids:
        title = titles.get(lesson_id)
        if title is None:
            st.caption(t("lessons.missing", id=lesson_id))
            continue
        if st.button(title, key=f"{key_prefix}_{lesson_id}", icon=":material/menu_book:"):
            st.session_state["lesson_id"] = lesson_id
            st.switch_page(PAGES["lessons"], query_params={"lesson": lesson_id})


CHART_PADDING = {"top": 8, "left": 5, "right": 5, "bottom": 5}
"""Room around a chart drawn by `draw_chart`: at the top for the highest y-axis label,
which now stands half above the plot (Vega's default is 5 pixels all round)."""


def draw_chart(where: Any, chart: Any, **kwargs: Any) -> Any:
    """``where.altair_chart(chart, **kwargs)`` with each y-axis label level with its value.

    Streamlit's chart theme sets the labels' baseline to their bottom, so each one sat a
    few pixels above its gridline: "0.0%" stood above a line at zero, which then read as
    a little below it (the lab's fans, the debrief's NPL ratio). The middle baseline,
    Vega's own, puts the label level with its value; the padding keeps the top label whole.
    Only the Streamlit drawing changes: the HTML reports embed the charts without the
    theme, where the labels were level already."""
    import altair as alt

    chart = chart.configure_axisY(labelBaseline="middle")
    if chart.padding is alt.Undefined:
        chart = chart.properties(padding=CHART_PADDING)
    return where.altair_chart(chart, **kwargs)


def grid_config(columns: dict[str, Any], frame: Any, base: dict | None = None) -> dict:
    """Streamlit's column config for ``frame`` from ``training.report.GridColumn`` specs
    (width, pinned, a short heading, words on hover), on top of ``base`` (a number format
    kept where a spec says nothing of it); specs of columns the frame lacks are left out."""
    config = dict(base or {})
    for name, spec in columns.items():
        if name not in frame.columns:
            continue
        extra = {k: v for k, v in (("width", spec.width), ("label", spec.label),
                                   ("help", spec.help)) if v is not None}
        if spec.pinned:
            extra["pinned"] = True
        kept = config.get(name)
        config[name] = {**kept, **extra} if isinstance(kept, dict) else st.column_config.Column(**extra)
    return config
