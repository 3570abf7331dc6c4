"""The training database stops answering mid-session (a PostgreSQL server stopped or
restarted) and comes back: the page says so in words, in place of Streamlit's redacted
OperationalError; what was saved stays; a move made meanwhile is said as not done; once
the database answers again the same app process goes on (pool pre-ping), with no restart,
and a tab opened meanwhile is still signed in.

PostgreSQL is reached through a small TCP relay that the test closes (its connections cut,
new ones refused) and opens again on the same port, as a server stops and starts."""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from app_pages import browser_session
from sim.scenario import load_scenario
from training import accounts
from training import db as dbmod
from training.attempts import AttemptStore, LiveGames
from training.i18n import t

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
INTRO = load_scenario(ROOT / "scenarios" / "intro.yaml")
PW = "a-long-password-1"


class Relay:
    """A TCP relay on a fixed local port to the PostgreSQL server: ``down()`` cuts every
    connection and refuses new ones; ``up()`` listens again on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._socks: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.up()

    def up(self) -> None:
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(16)
        self._listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def down(self) -> None:
        # wakes the accepting thread: a plain close leaves the port listening
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for s in self._socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._socks.clear()

    def _accept(self, ls: socket.socket) -> None:
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relayed(db_url, monkeypatch):
    """The test's PostgreSQL database behind a relay, as DATABASE_URL; SQLite is skipped
    (a file has no server to stop: a locked file is the same OperationalError)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("a database server that stops and starts: PostgreSQL only")
    url = make_url(db_url)
    dbmod.get_database(db_url)  # migrated directly, before the relay carries it
    relay = Relay(url.host, url.port or 5432)
    relayed_url = url.set(port=relay.port).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", relayed_url)
    yield relay, relayed_url
    relay.down()
    dbmod.forget_databases()


def desk_tab(monkeypatch, cookie: str, attempt_id: str) -> AppTest:
    monkeypatch.setattr(browser_session, "cookie_token", lambda: cookie)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    at.query_params["attempt"] = attempt_id
    return at.switch_page("app_pages/desk.py").run()


def has(at: AppTest, key: str) -> bool:
    return key in [b.key for b in at.button]


def said(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_a_database_that_stops_answering_is_said_and_the_app_goes_on_once_it_is_back(
        monkeypatch, relayed):
    relay, url = relayed
    db = dbmod.get_database(url)
    ann = accounts.create_user(db, "ann", PW, display_name="Ann")
    games = LiveGames(AttemptStore(db=db), lambda _id: INTRO)
    aid = games.start(INTRO, user_id=ann.id).attempt.id
    games.end_month(aid, 0)
    cookie = accounts.redeem_grant(db, accounts.issue_grant(
        db, accounts.open_session(db, ann))).token
    at = desk_tab(monkeypatch, cookie, aid)
    assert not at.exception
    assert has(at, "end_month_1")

    relay.down()
    assert not db.answers()
    at.button(key="end_month_1").click().run()  # pressed while the server is down
    assert not at.exception, [e.value for e in at.exception]
    text = said(at)
    assert "is not answering" in text and f"127.0.0.1:{relay.port}" in text
    assert "Nothing you had saved is lost" in text
    assert not has(at, "end_month_1")  # nothing stale to press meanwhile
    other = desk_tab(monkeypatch, cookie, aid)  # a reload while it is down
    assert not other.exception and "is not answering" in said(other)

    relay.up()  # the same app process: the pool replaces its dead connections
    at.run()
    assert not at.exception
    assert t("common.db_lost_move", "en") in said(at)  # the press was not kept: said
    assert has(at, "end_month_1")  # the month it was, as saved
    at.button(key="end_month_1").click().run()
    assert not at.exception and has(at, "end_month_2")
    assert AttemptStore(db=db).get(aid).month == 2
    other.run()  # the tab reloaded while it was down is signed in, on its desk
    assert not other.exception
    assert has(other, "end_month_2")


def test_a_move_the_database_did_not_save_leaves_no_game_ahead_of_the_store(database):
    """The month ended in memory but its save failed: the next look replays what was
    saved, so the desk never shows a month that a restart would take away."""
    games = LiveGames(AttemptStore(db=database), lambda _id: INTRO)
    aid = games.start(INTRO).attempt.id
    saving = games.store.save

    def silent(*args, **kwargs):
        raise OperationalError("UPDATE attempts", {}, ConnectionRefusedError("refused"))

    games.store.save = silent
    with pytest.raises(OperationalError) as err:
        games.end_month(aid, 0)
    assert dbmod.unreachable(err.value)
    games.store.save = saving
    assert games.open(aid).game.month == 0
    games.end_month(aid, 0)  # made again once it answers
    assert games.open(aid).game.month == 1 and games.store.get(aid).month == 1


def test_a_refused_connection_is_unreachable_and_a_mistake_in_a_query_is_not(tmp_path):
    from sqlalchemy.exc import ProgrammingError

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there
    down = dbmod.Database(f"postgresql://nobody@127.0.0.1:{port}/none", migrate=False)
    assert down.answers() is False
    assert not dbmod.unreachable(ProgrammingError("SELECT x", {}, Exception("no column x")))
    assert dbmod.unreachable_reason(OperationalError(
        "SELECT secret FROM t", {"p": "trainee's data"}, Exception("connection refused\nmore")
    )) == "connection refused"



# --- the case author ------------------------------------------------------------------------
def page_as(monkeypatch, db, name: str, role, page: str, lang: str = "en",
            timeout: float = 90) -> tuple[AppTest, accounts.User]:
    """`page` opened by the user `name` of `role` (made if new), signed in by the browser's
    cookie."""
    user = accounts.user_by_name(db, name) or accounts.create_user(
        db, name, PW, role, display_name=name.title())
    cookie = accounts.redeem_grant(db, accounts.issue_grant(
        db, accounts.open_session(db, user))).token
    monkeypatch.setattr(browser_session, "cookie_token", lambda: cookie)
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params["lang"] = lang
    at = at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, user


def author_tab(monkeypatch, db, lang: str = "en") -> tuple[AppTest, accounts.User]:
    """An instructor's Author a case page, signed in by the browser's cookie."""
    from training.models import Role

    return page_as(monkeypatch, db, "ivy", Role.INSTRUCTOR, "app_pages/author.py", lang)


def case_text(note: str) -> str:
    from training import authoring

    return authoring.blank_text() + f"\n# {note}\n"


def test_an_author_whose_database_stops_answering_keeps_the_case_and_is_told(
        monkeypatch, relayed):
    """The server stops while an instructor writes a case: the edit and the Publish pressed
    after it are said as not done, the case stays in the tab (offered as a file while the
    database is down), and once it answers it is kept as the draft and can be published."""
    from training import publishing

    relay, url = relayed
    db = dbmod.get_database(url)
    at, ivy = author_tab(monkeypatch, db)
    at.text_area(key="author_yaml").input(case_text("first")).run()
    assert publishing.load_draft(db, ivy)[0] == case_text("first")

    relay.down()
    at.text_area(key="author_yaml").input(case_text("second"))
    at.button(key="author_publish").click().run()  # typed, then Publish, server down
    assert not at.exception, [e.value for e in at.exception]
    assert "is not answering" in said(at)
    assert t("common.db_lost_case_kept", "en") in [i.value for i in at.info]
    [download] = at.get("download_button")
    assert download.label == t("common.db_lost_case_download", "en")
    assert at.session_state["author_text"] == case_text("second")  # what it offers

    relay.up()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_area(key="author_yaml").value == case_text("second")
    assert publishing.load_draft(db, ivy)[0] == case_text("second")  # kept now
    assert t("author.draft_kept_again", "en") in [i.value for i in at.info]
    assert t("common.db_lost_said", "en") in said(at)  # the Publish: not done, said
    assert publishing.list_case_versions(db, ivy) == []
    at.button(key="author_publish").click().run()  # once it answers, done
    assert not at.exception
    [version] = publishing.list_case_versions(db, ivy)
    assert version.content == case_text("second")
    assert any(f"version {version.version}" in s.value for s in at.success)


def refused(*args, **kwargs):
    raise OperationalError("INSERT INTO case_versions", {}, ConnectionRefusedError("refused"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_author_whose_save_publish_or_unpublish_is_not_written_is_told_and_keeps_it(
        monkeypatch, database, lang):
    """The database reads but does not write (a locked file, a server failing over): the
    draft, the publish and the unpublish are each said as not done, in the page's language,
    with no traceback; the case stays in the editor, and each goes through once it writes."""
    from training import publishing

    at, ivy = author_tab(monkeypatch, database, lang)
    writes = {name: getattr(publishing, name)
              for name in ("save_draft", "publish_case", "unpublish_case")}
    for name in writes:
        monkeypatch.setattr(publishing, name, refused)

    at.text_area(key="author_yaml").input(case_text("mine")).run()  # saved as a draft
    assert not at.exception, [e.value for e in at.exception]
    assert t("author.draft_failed", lang) in [w.value for w in at.warning]
    at.button(key="author_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("common.db_lost_said", lang) in said(at)
    assert at.text_area(key="author_yaml").value == case_text("mine")
    assert publishing.load_draft(database, ivy) is None
    assert publishing.list_case_versions(database, ivy) == []

    monkeypatch.setattr(publishing, "save_draft", writes["save_draft"])
    monkeypatch.setattr(publishing, "publish_case", writes["publish_case"])
    at.run()  # the next run keeps the draft
    assert t("author.draft_kept_again", lang) in [i.value for i in at.info]
    assert publishing.load_draft(database, ivy)[0] == case_text("mine")
    at.button(key="author_publish").click().run()
    [version] = publishing.list_case_versions(database, ivy)

    at.selectbox(key="author_unpublish_pick").set_value(version.id).run()
    at.checkbox(key=f"author_unpublish_confirm_{version.id}").check().run()
    at.button(key="author_unpublish").click().run()  # taken back: not written
    assert not at.exception, [e.value for e in at.exception]
    assert t("common.db_lost_said", lang) in said(at)
    assert not publishing.list_case_versions(database, ivy)[0].withdrawn
    assert at.text_area(key="author_yaml").value == case_text("mine")
    monkeypatch.setattr(publishing, "unpublish_case", writes["unpublish_case"])
    at.selectbox(key="author_unpublish_pick").set_value(version.id).run()
    at.checkbox(key=f"author_unpublish_confirm_{version.id}").check().run()
    at.button(key="author_unpublish").click().run()
    assert not at.exception
    assert publishing.list_case_versions(database, ivy)[0].withdrawn


# --- the strategy lab -------------------------------------------------------------------------
def lab_tab(monkeypatch, db, lang: str = "en") -> tuple[AppTest, accounts.User]:
    """A manager's strategy lab, signed in by the browser's cookie, set to run a small study
    of the intro case in the app's own process."""
    from training.models import Role

    at, max_ = page_as(monkeypatch, db, "max", Role.MANAGER, "app_pages/lab.py", lang,
                       timeout=120)
    at.radio(key="lab_where").set_value("here").run()
    at.selectbox(key="lab_case").set_value("intro")
    at.number_input(key="lab_reps").set_value(2).run()
    return at, max_


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_a_study_the_database_did_not_save_stays_on_the_page_and_is_saved_once_it_answers(
        monkeypatch, relayed):
    """The server stops as a finished study is saved: while it is down the outage page
    offers the study's report; once it answers the results are on the lab page with why
    they were not saved, and Save the study keeps them."""
    from training import lab_store

    relay, url = relayed
    db = dbmod.get_database(url)
    at, max_ = lab_tab(monkeypatch, db)
    gate, saving = threading.Event(), lab_store.save

    def after_the_outage(*args, **kwargs):
        gate.wait(120)
        return saving(*args, **kwargs)

    monkeypatch.setattr(lab_store, "save", after_the_outage)
    at.button(key="lab_run").click().run()
    job = at.session_state["lab_job"]
    relay.down()
    gate.set()
    job.wait(120)
    assert job.outcome is not None and not job.kept and dbmod.unreachable(job.keep_failure)

    at.run()  # the page while the server is down
    assert not at.exception, [e.value for e in at.exception]
    assert "is not answering" in said(at)
    assert t("common.db_lost_study_kept", "en") in [i.value for i in at.info]
    assert [d.label for d in at.get("download_button")] == [t("lab.page.download", "en")]

    relay.up()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith(lab_headline(job))  # the results, on the page
    assert "This study was not saved" in warnings(at)
    assert f"127.0.0.1:{relay.port}" in warnings(at)
    assert lab_store.listing(db, max_) == []
    at.button(key="lab_save_again").click().run()
    assert not at.exception
    [study] = lab_store.listing(db, max_)
    assert study.reps == 2
    assert "not saved" not in warnings(at) and not has(at, "lab_save_again")


def lab_headline(job) -> str:
    from training import lab

    return lab.headline(job.outcome.study, "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_finished_study_whose_save_is_refused_keeps_its_results_and_says_why(
        monkeypatch, database, caplog, lang):
    """Saving the finished study fails (the database does not answer): the results and the
    report stay, the page says the study was not saved, which database did not answer and
    why, on every run until it is saved, and never a traceback, on the page or in the log."""
    import logging

    from training import lab, lab_store

    caplog.set_level(logging.WARNING)
    at, max_ = lab_tab(monkeypatch, database, lang)
    saving = lab_store.save
    monkeypatch.setattr(lab_store, "save", refused)
    at.button(key="lab_run").click().run()
    job = at.session_state["lab_job"]
    job.wait(120)
    for _ in range(2):  # said again on the next run, as long as it is not saved
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.success[0].value == lab.headline(job.outcome.study, lang)
        assert at.get("download_button")  # the report
        said_why = t("lab.saved.save_failed_db", lang, where=common_where(),
                     reason="refused")
        assert said_why in warnings(at)
        assert "INSERT" not in warnings(at)
    assert has(at, "lab_save_again")
    at.button(key="lab_save_again").click().run()  # still refused: said again, not lost
    assert said_why in warnings(at) and at.get("download_button")
    monkeypatch.setattr(lab_store, "save", saving)
    at.button(key="lab_save_again").click().run()
    assert not at.exception
    assert [s.reps for s in lab_store.listing(database, max_)] == [2]
    assert not has(at, "lab_save_again")
    assert at.success[0].value == lab.headline(job.outcome.study, lang)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def common_where() -> str:
    from app_pages import common

    return common.database_where()
