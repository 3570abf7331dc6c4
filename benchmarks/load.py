"""Bounded load test of the classroom (issue 12): trainees sign in, start intro and end
12 months at once, against ``streamlit run`` servers on loopback.

Most trainees are light clients that speak Streamlit's own browser protocol (the
protobuf BackMsg/ForwardMsg messages over the ``/_stcore/stream`` websocket), so each
costs the server what a browser tab costs, while 30 of them fit on 2 cores. The first
``--browsers`` trainees (default 2) play in a real browser instead (Debian's chromium
through Playwright): they sign in on the sign-in form, start intro from the case list
and end each month with the desk's own button, on their first server throughout.
Each signs in with its own account, starts intro from the case list, opens the desk
and, every month, queues one action when the desk offers it and ends the month. With
``--servers 2`` the servers share one PostgreSQL (``--pg-url``, or a throwaway cluster
from .ci/pg.sh when run by ``--start-pg``) and every trainee moves to the other server
half-way through: a new connection, a new sign-in, the same attempt.

Figures printed: p50 and p95 of the turn time (End month clicked -> the desk drawn
again) and of the action time, the last turn (which opens the debrief) and the wall
time. Checks, each reported as OK or FAIL (exit 1 on any FAIL):
- isolation: every attempt a trainee saw is theirs, and no two trainees saw the same;
- no decision lost: the stored decision log has every month and every action sent;
- names on replay: the borrower names on the desk equal those of a fresh replay.

Bounded: at most ``--sessions`` trainees (default 30, max 60) and ``--max-seconds``
of wall time (default 900), loopback only.

    .venv/bin/python benchmarks/load.py [--sessions 30] [--browsers 2] [--servers 1|2]
                                        [--start-pg] [--think-seconds S] [--max-seconds S]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "load-test-password-1"
CASE = "intro"
ACTION = "closer_monitoring"
MAX_SESSIONS = 60
MAX_BROWSERS = 6  # a chromium tab costs far more than the server's share of it
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    fh = open(log, "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise TimeoutError(f"server on {port} not healthy:\n{log.read_text()}")


# --- one trainee, speaking Streamlit's protocol ----------------------------------------
@dataclass
class Run:
    """What one script run drew: widgets by key, elements in order, the pages offered."""

    widgets: dict = field(default_factory=dict)  # user key -> (element type, proto)
    frames: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    texts: list = field(default_factory=list)


class Trainee:
    def __init__(self, name: str):
        self.name = name
        self.ws = None
        self.pages: dict[str, str] = {}
        self.query = "lang=en"
        self.page_hash = ""
        self.turns: list[float] = []
        self.action_times: list[float] = []
        self.last_turn: float | None = None
        self.actions_sent = 0
        self.attempts_seen: set[str] = set()
        self.names_seen: list[str] = []
        self.problems: list[str] = []
        self.sticky: dict[str, object] = {}  # widget states a browser keeps sending

    async def connect(self, port: int) -> None:
        import websockets

        if self.ws is not None:
            await self.ws.close()
        self.ws = await websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream",
                                           subprotocols=["streamlit"], max_size=2**26,
                                           open_timeout=60, ping_interval=None)

    async def rerun(self, states: list | None = None, page: str | None = None) -> Run:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = page if page is not None else self.page_hash
        msg.rerun_script.context_info.timezone = "Asia/Shanghai"
        given = {st.id for st in states or []}
        for st in [*(states or []), *(v for k, v in self.sticky.items() if k not in given)]:
            msg.rerun_script.widget_states.widgets.append(st)
        await self.ws.send(msg.SerializeToString())
        run = Run()
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(self.ws.recv(), timeout=300))
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                run = Run()
                self.page_hash = fm.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                # the default page has no url_pathname (for a trainee it is the case list)
                self.pages = {(p.url_pathname or "(default)"): p.page_script_hash
                              for p in fm.navigation.app_pages}
                self.page_hash = fm.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
                for part in self.query.split("&"):
                    if part.startswith("attempt="):
                        self.attempts_seen.add(part.split("=", 1)[1])
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                et = el.WhichOneof("type")
                obj = getattr(el, et)
                wid = getattr(obj, "id", "")
                if wid and "-" in wid:
                    run.widgets[wid.split("-", 2)[2]] = (et, obj)
                if et == "dataframe":
                    run.frames.append(obj)
                elif et == "exception":
                    run.errors.append(obj.message)
                elif et in ("markdown", "alert"):
                    run.texts.append(obj.body)
            elif kind == "script_finished":
                if fm.script_finished != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                    if run.errors:
                        self.problems.append(f"{self.name}: app error: {run.errors[0][:200]}")
                    return run

    @staticmethod
    def trigger(obj) -> object:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        return WidgetState(id=obj.id, trigger_value=True)

    @staticmethod
    def text(obj, value: str) -> object:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        return WidgetState(id=obj.id, string_value=value)

    def choose(self, obj, label: str) -> object:
        """A selectbox choice, kept for the following reruns as a browser keeps it."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState(id=obj.id, string_value=label)
        self.sticky[obj.id] = state
        return state

    async def sign_in(self, port: int) -> Run:
        await self.connect(port)
        self.page_hash = ""
        self.sticky = {}
        run = await self.rerun()
        user = run.widgets["signin_username"][1]
        pw = run.widgets["signin_password"][1]
        submit = next(o for k, (et, o) in run.widgets.items()
                      if et == "button" and k.startswith("FormSubmitter:signin_form"))
        return await self.rerun([self.text(user, self.name), self.text(pw, PASSWORD),
                                 self.trigger(submit)])

    async def play(self, ports: list[int], months: int, switch_at: int | None,
                   think_s: float = 0.0) -> None:
        await self.sign_in(ports[0])
        run = await self.rerun(page=self.pages.get("cases") or self.pages["(default)"])
        run = await self.rerun([self.trigger(run.widgets[f"start_{CASE}"][1])])
        run = await self.rerun(page=self.pages["desk"])
        self.read_names(run)
        for m in range(months):
            if switch_at is not None and m == switch_at:
                await self.sign_in(ports[1])  # the other server: a new session, same attempt
                run = await self.rerun(page=self.pages["desk"])
            picker = run.widgets.get("loan_pick")
            if picker is not None and picker[1].options:
                t0 = time.perf_counter()
                labels = list(picker[1].options)
                run = await self.rerun([self.choose(picker[1], labels[m % len(labels)])])
                option = run.widgets.get(f"queue_{ACTION}")
                if option is not None and not option[1].disabled:
                    run = await self.rerun([self.trigger(option[1])])
                    self.actions_sent += 1
                self.action_times.append(time.perf_counter() - t0)
            if think_s:
                await asyncio.sleep(think_s)  # reading the desk before ending the month
            end = run.widgets.get(f"end_month_{m}")
            if end is None:
                self.problems.append(f"{self.name}: no End month button for month {m + 1}")
                return
            t0 = time.perf_counter()
            run = await self.rerun([self.trigger(end[1])])
            elapsed = time.perf_counter() - t0
            if m == months - 1:
                self.last_turn = elapsed
            else:
                self.turns.append(elapsed)
        await self.ws.close()

    def read_names(self, run: Run) -> None:
        """The borrower column of the desk's loan table, as the browser receives it."""
        import pyarrow as pa

        for frame in run.frames:
            data = frame.arrow_data.data if frame.HasField("arrow_data") else b""
            if not data:
                continue
            table = pa.ipc.open_stream(io.BytesIO(data)).read_all().to_pandas()
            if "Borrower" in table.columns:
                self.names_seen = [str(x) for x in table["Borrower"]]
                return


def scratch_database(base_url: str):
    """Create a fresh database on the cluster; yield its URL; drop it when resumed."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from training.db import forget_databases, normalise_url

    url = make_url(normalise_url(base_url))
    name = f"bq_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        forget_databases()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the driver --------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class BrowserTrainee(Trainee):
    """A trainee in a real browser tab: the same figures, taken from the page."""

    browser = True

    async def play(self, ports: list[int], months: int, switch_at: int | None,
                   think_s: float = 0.0) -> None:
        from urllib.parse import parse_qs, urlparse

        from playwright.async_api import TimeoutError as PlaywrightTimeout
        from playwright.async_api import async_playwright

        wait_ms = 120_000
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                               args=BROWSER_ARGS)
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(wait_ms)
            try:
                await page.goto(f"http://127.0.0.1:{ports[0]}/?lang=en")
                await page.locator(".st-key-signin_username input").fill(self.name)
                await page.locator(".st-key-signin_password input").fill(PASSWORD)
                await page.get_by_role("button", name="Sign in", exact=True).click()
                await page.get_by_text("Signed in as").first.wait_for()
                start = page.locator(f".st-key-start_{CASE} button")
                for attempt in range(5):  # a click during the sign-in's reruns can be lost
                    await page.get_by_role("link", name="Cases").click()
                    try:
                        await start.wait_for(timeout=wait_ms // 10)
                        break
                    except PlaywrightTimeout:
                        if attempt == 4:
                            raise
                await start.click()
                await page.locator(".st-key-to_desk button").click()
                for m in range(months):
                    end = page.locator(f".st-key-end_month_{m} button")
                    await end.wait_for()
                    aid = parse_qs(urlparse(page.url).query).get("attempt")
                    if aid:
                        self.attempts_seen.add(aid[0])
                    if think_s:
                        await asyncio.sleep(think_s)
                    t0 = time.perf_counter()
                    await end.click()
                    # the next month's desk, or the debrief after the case's last month
                    await page.locator(f".st-key-end_month_{m + 1} button, "
                                       ".st-key-debrief_index").first.wait_for()
                    elapsed = time.perf_counter() - t0
                    if m == months - 1:
                        self.last_turn = elapsed
                    else:
                        self.turns.append(elapsed)
            except Exception:
                shot = Path(tempfile.gettempdir()) / f"bianque-load-{self.name}.png"
                await page.screenshot(path=str(shot))
                self.problems.append(f"{self.name}: the page when it failed: {shot}")
                raise
            finally:
                await browser.close()


def check(db_url: str, trainees: list[Trainee], months: int) -> list[tuple[str, bool, str]]:
    from sim.scenario import load_scenario
    from training import report
    from training.accounts import user_by_name
    from training.classroom import my_attempts
    from training.db import Database
    from training.desk import Desk as Game

    db = Database(db_url)
    out = []
    owners: dict[str, str] = {}
    isolated, complete, names_ok = True, True, True
    detail = []
    scenario = load_scenario(ROOT / "scenarios" / f"{CASE}.yaml")
    for tr in trainees:
        user = user_by_name(db, tr.name)
        mine = {a.id: a for a in my_attempts(db, user)}
        for aid in tr.attempts_seen:
            if aid in owners and owners[aid] != tr.name:
                isolated = False
                detail.append(f"{aid} seen by {owners[aid]} and {tr.name}")
            owners[aid] = tr.name
            if aid not in mine:
                isolated = False
                detail.append(f"{tr.name} saw {aid}, not theirs")
        if len(mine) != 1:
            complete = False
            detail.append(f"{tr.name}: {len(mine)} attempts stored")
            continue
        att = next(iter(mine.values()))
        log = att.decision_log
        stored_actions = sum(len(e["actions"]) for e in log)
        if [e["month"] for e in log] != list(range(1, months + 1)) or \
                stored_actions != tr.actions_sent:
            complete = False
            detail.append(f"{tr.name}: months {[e['month'] for e in log]}, actions stored "
                          f"{stored_actions} of {tr.actions_sent} sent")
        replayed = Game.replay(scenario, att.seed, log[:0])
        fresh = list(report.localise_names(replayed.loans(), "en")["company"])
        if tr.names_seen and sorted(tr.names_seen) != sorted(fresh):
            names_ok = False
            detail.append(f"{tr.name}: borrower names differ on replay")
        elif not tr.names_seen and not getattr(tr, "browser", False):
            names_ok = False
            detail.append(f"{tr.name}: the desk's loan table was not read")
    out.append(("isolation: each trainee saw only their own attempt", isolated, ""))
    out.append(("no decision lost: every month and action stored", complete, ""))
    out.append(("borrower names identical on replay (protocol clients: a browser draws the "
                "loan table on a canvas)", names_ok, ""))
    if detail:
        out.append(("details", False, "; ".join(detail[:10])))
    db.engine.dispose()
    return out


async def drive(trainees: list[Trainee], ports: list[int], months: int, switch: bool,
                max_seconds: float, think_s: float) -> None:
    async def one(i: int, tr: Trainee) -> None:
        order = ports[i % len(ports):] + ports[:i % len(ports)]
        moves = switch and not getattr(tr, "browser", False)
        try:
            await tr.play(order, months, months // 2 if moves else None, think_s)
        except Exception as exc:  # a failed session is reported, not hidden
            tr.problems.append(f"{tr.name}: {type(exc).__name__}: {exc}")

    await asyncio.wait_for(asyncio.gather(*(one(i, tr) for i, tr in enumerate(trainees))),
                           timeout=max_seconds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--browsers", type=int, default=2,
                    help="how many of the sessions play in a real browser (chromium)")
    ap.add_argument("--servers", type=int, default=1, choices=[1, 2])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--pg-url", default=os.environ.get("BIANQUE_TEST_PG_URL"),
                    help="PostgreSQL for the servers (needed with --servers 2 unless --start-pg)")
    ap.add_argument("--start-pg", action="store_true",
                    help="start a throwaway cluster with .ci/pg.sh for this run")
    ap.add_argument("--max-seconds", type=float, default=900)
    ap.add_argument("--think-seconds", type=float, default=0.0,
                    help="pause before each End month, as a trainee reads the desk "
                    "(default 0: every trainee clicks at once, the worst case)")
    args = ap.parse_args()
    if not 1 <= args.sessions <= MAX_SESSIONS:
        print(f"--sessions must be between 1 and {MAX_SESSIONS}", file=sys.stderr)
        return 2
    if not 0 <= args.browsers <= min(args.sessions, MAX_BROWSERS):
        print(f"--browsers must be between 0 and {min(args.sessions, MAX_BROWSERS)}",
              file=sys.stderr)
        return 2
    if args.browsers and not Path(CHROMIUM).exists():
        print(f"--browsers needs {CHROMIUM} (bash tests/ensure_browser.sh installs it), "
              "or --browsers 0", file=sys.stderr)
        return 2

    from training.accounts import create_user
    from training.db import Database

    tmp = Path(tempfile.mkdtemp(prefix="bianque-load-"))
    pg_proc_env = None
    if args.start_pg:
        script = (f"source {ROOT}/.ci/pg.sh && pg_start >/dev/null && "
                  "echo $BIANQUE_TEST_PG_URL && echo $PG_TMP && echo $PG_BIN && echo $PG_OWNER")
        out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
        url, pg_tmp, pg_bin, pg_owner = out.stdout.split()
        args.pg_url = url
        pg_proc_env = {"PG_TMP": pg_tmp, "PG_BIN": pg_bin, "PG_OWNER": pg_owner}
    if args.servers == 2 and not args.pg_url:
        print("two servers need one PostgreSQL: --pg-url URL or --start-pg", file=sys.stderr)
        return 2
    procs = []
    scratch = None
    failed_run = True
    if args.pg_url:  # a database of its own on the cluster, dropped afterwards
        scratch = scratch_database(args.pg_url)
        db_url = next(scratch)
    else:
        db_url = f"sqlite:///{tmp / 'load.db'}"
    try:
        db = Database(db_url)
        trainees = [(BrowserTrainee if n < args.browsers else Trainee)(f"load{n:02d}")
                    for n in range(args.sessions)]
        from argon2 import PasswordHasher

        from training import accounts

        accounts._hasher = PasswordHasher()  # the app's own parameters
        for tr in trainees:
            if accounts.user_by_name(db, tr.name) is None:
                create_user(db, tr.name, PASSWORD)
        db.engine.dispose()
        env = {**os.environ, "DATABASE_URL": db_url, "BIANQUE_SELF_STUDY": "off"}
        env.pop("BIANQUE_DB", None)
        ports = []
        for i in range(args.servers):
            proc, port = start_server(env, tmp / f"server{i}.log")
            procs.append(proc)
            ports.append(port)
        t0 = time.perf_counter()
        asyncio.run(drive(trainees, ports, args.months, args.servers == 2, args.max_seconds,
                          args.think_seconds))
        wall = time.perf_counter() - t0

        in_browser = [x for tr in trainees if getattr(tr, "browser", False) for x in tr.turns]
        turns = [x for tr in trainees for x in tr.turns]
        actions = [x for tr in trainees for x in tr.action_times]
        lasts = [tr.last_turn for tr in trainees if tr.last_turn is not None]
        print(f"{args.sessions} trainees x {args.months} months of {CASE} on "
              f"{args.servers} server(s), {'PostgreSQL' if args.pg_url else 'SQLite'}, "
              f"{os.cpu_count()} cores, think time {args.think_seconds:g} s")
        print(f"turn (End month -> desk drawn): n={len(turns)} "
              f"p50 {pct(turns, .5) * 1000:.0f} ms, p95 {pct(turns, .95) * 1000:.0f} ms, "
              f"max {max(turns, default=float('nan')) * 1000:.0f} ms")
        if in_browser:
            print(f"  of which in a real browser ({args.browsers} tabs): n={len(in_browser)} "
                  f"p50 {pct(in_browser, .5) * 1000:.0f} ms, p95 {pct(in_browser, .95) * 1000:.0f} ms")
        print(f"open a loan file and queue an action: n={len(actions)} p50 {pct(actions, .5) * 1000:.0f} ms, "
              f"p95 {pct(actions, .95) * 1000:.0f} ms")
        if lasts:
            print(f"last turn (opens the debrief): p50 {statistics.median(lasts):.1f} s, "
                  f"max {max(lasts):.1f} s")
        print(f"actions queued through the desk: {sum(tr.actions_sent for tr in trainees)}; "
              f"wall time {wall:.0f} s")
        failed = False
        for tr in trainees:
            for p in tr.problems:
                print("PROBLEM", p)
                failed = True
        for name, ok, detail in check(db_url, trainees, args.months):
            print(("OK   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
            failed |= not ok
        failed_run = failed
        return 1 if failed else 0
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if scratch is not None:
            next(scratch, None)
        if failed_run is False:
            shutil.rmtree(tmp, ignore_errors=True)  # the server logs are kept when a run fails
        else:
            print(f"server logs: {tmp}")
        if pg_proc_env:
            subprocess.run(["bash", "-c", f"source {ROOT}/.ci/pg.sh && pg_stop"],
                           env={**os.environ, **pg_proc_env}, check=False)


if __name__ == "__main__":
    raise SystemExit(main())
