"""The sign-in cookie: a signed-in session survives a reload and a new tab.

Streamlit's session state lives as long as one browser tab's connection, so a reload
would sign the user out. The session token is therefore also kept in a cookie that is
HttpOnly (page scripts, and so injected scripts, cannot read it) and SameSite=Strict
(another site cannot make the browser send it), Secure when the app is served over
HTTPS. Only a server response can set or clear such a cookie, so ``app.py`` serves one
small route beside the app, ``/api/session``:

- after a sign-in, the page gets a one-time grant that lives a minute
  (``accounts.issue_grant``); a tiny component POSTs it, and the route exchanges it
  for a new session of the same sign-in and sets the cookie. The token itself never
  reaches a page script, and nothing goes into the URL;
- at sign-out, every session of the sign-in ends on the server first; then the
  component DELETEs, and the route ends the cookie's session (again, harmlessly) and
  clears the cookie.

A later page load (a reload, a new tab) reads the cookie with ``st.context.cookies``.
A request to the route must carry the ``X-Bianque-Session`` header, which a page of
another site cannot send without the server's consent (CORS), and browsers that say
where a request came from (``Sec-Fetch-Site``) must say the same origin.

Without a browser (AppTest, the load test's light clients) nothing runs the
component: the tab stays signed in through its session state alone, as before.
"""

from __future__ import annotations

import secrets
from typing import Any

import streamlit as st

from training import accounts
from training.accounts import User

COOKIE_NAME = "bianque_session"
ROUTE_PATH = "/api/session"  # under server.baseUrlPath when the operator sets one
HEADER = "X-Bianque-Session"
MAX_GRANT_CHARS = 128
_JOB_KEY = "_session_cookie_job"  # the cookie work this tab still owes the browser
_SEEN_KEY = "_session_cookie_seen"  # the cookie value this tab's connection already judged
_HELD_KEY = "_session_cookie_held"  # (job id, messages) said while that job was under way
_AGAIN_KEY = "_session_cookie_again"  # the messages to say again in this run

_JS = """
const requests = new Map();  // one request per job, whichever mount reports it
export default function (component) {
  const { data, setTriggerValue } = component;
  if (!data || !data.id) return;
  let status = requests.get(data.id);
  if (status === undefined) {
    const request = {
      method: data.method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { [data.header]: "1", "Content-Type": "text/plain" },
    };
    if (data.method === "POST") request.body = data.grant;
    status = fetch(new URL(data.path, window.location.origin), request)
      .then((r) => r.status, () => 0);
    requests.set(data.id, status);
  }
  status.then((code) => setTriggerValue("done", { id: data.id, status: code }));
}
"""

_component = None  # registered on first use, inside a script run


def _mount(**kwargs):
    global _component
    if _component is None:
        _component = st.components.v2.component("bianque_session_cookie", js=_JS)
    return _component(**kwargs)


# --- what a page run reads and asks for ------------------------------------------------
def cookie_token() -> str | None:
    """The session token the browser sent when this tab connected (None: no cookie)."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser connection (a bare script run)
        return None
    # without a browser (AppTest) the cookies are a stand-in object, not text
    return value if isinstance(value, str) and value else None


def user_from_cookie(db) -> tuple[str | None, User | None, bool]:
    """The cookie's token and user, the first time this tab looks at that cookie value.

    Returns (token, user, ended): ``ended`` is True when the cookie held a session that
    has ended (expired, or signed out elsewhere); the cookie is then cleared. A value
    already judged in this tab is not looked at again (st.context keeps the value the
    tab connected with, even after sign-out cleared the cookie). A database that does not
    answer raises, and the cookie is looked at again on the next run.
    """
    token = cookie_token()
    if not token or st.session_state.get(_SEEN_KEY) == token:
        return None, None, False
    # judged only once the database has answered: a reload while it was down marked the
    # cookie seen first, and the tab stayed signed out once it was back
    user = accounts.user_for_session(db, token)
    st.session_state[_SEEN_KEY] = token
    if user is None:
        forget()
        return token, None, True
    return token, user, False


def remember(db, token: str) -> None:
    """After a sign-in in this tab: have the browser keep the sign-in in its cookie."""
    grant = accounts.issue_grant(db, token)
    if grant is not None:
        _queue({"method": "POST", "grant": grant})


def forget(then_sso_logout: bool = False) -> None:
    """Have the browser drop its cookie (the sessions end on the server before this).
    ``then_sso_logout``: sign out of the single sign-on too once the cookie is gone."""
    _queue({"method": "DELETE", "sso_logout": then_sso_logout})
    seen = cookie_token()
    if seen:
        st.session_state[_SEEN_KEY] = seen


def route_path() -> str:
    """Where the route is served: ``/api/session``, below the app's base path if any."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{ROUTE_PATH}" if base else ROUTE_PATH


def _queue(job: dict[str, Any]) -> None:
    st.session_state[_JOB_KEY] = {"id": secrets.token_hex(8), "path": route_path(),
                                   "header": HEADER, **job}


def keep_said(messages: list) -> None:
    """A page has just said ``messages`` (a welcome after sign-in, a sign-in that ended)
    while the browser still owes this tab its cookie work: the end of that work reruns
    the page a moment later, and they are said once more then, or they were gone before
    anyone read them."""
    job = st.session_state.get(_JOB_KEY)
    if job and messages:
        st.session_state[_HELD_KEY] = (job["id"], list(messages))


def said_again() -> list:
    """The messages to say once more in this run (``keep_said``)."""
    return st.session_state.pop(_AGAIN_KEY, [])


def sync() -> None:
    """Run once per page run, from the frame, before the page: hand the browser the cookie
    work it owes; on the run its end started, the messages said meanwhile come back."""
    held = st.session_state.pop(_HELD_KEY, None)  # from an earlier run: for this job's end only
    st.session_state.pop(_AGAIN_KEY, None)  # not said by the page they were for: not later
    job = st.session_state.get(_JOB_KEY)
    if not job:
        return
    data = {k: v for k, v in job.items() if k != "sso_logout"}
    result = _mount(data=data, key="session_cookie", on_done_change=lambda: None)
    done = getattr(result, "done", None)
    if isinstance(done, dict) and done.get("id") == job["id"]:
        st.session_state.pop(_JOB_KEY, None)
        if held is not None and held[0] == job["id"]:
            st.session_state[_AGAIN_KEY] = held[1]
        if job.get("sso_logout"):
            st.logout()


# --- the route beside the app (Starlette, served by `streamlit run app.py`) --------------
def routes() -> list:
    """The ``/api/session`` route for ``st.App(routes=...)``."""
    from starlette.routing import Route

    return [Route(route_path(), _endpoint, methods=["POST", "DELETE"])]


async def _endpoint(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    from training.attempts import database_url
    from training.db import get_database, now

    def reply(status: int) -> Response:
        return Response(status_code=status, headers={"Cache-Control": "no-store"})

    if (request.headers.get(HEADER) != "1"
            or request.headers.get("sec-fetch-site", "same-origin") != "same-origin"):
        return reply(403)
    secure = request.url.scheme == "https"
    db = await run_in_threadpool(get_database, database_url())
    if request.method == "POST":
        if not (request.headers.get("content-length") or "0").isdigit() or int(
                request.headers.get("content-length") or 0) > MAX_GRANT_CHARS:
            return reply(400)  # a grant is short: nothing longer is read
        body = await request.body()
        if not body or len(body) > MAX_GRANT_CHARS:
            return reply(400)
        granted = await run_in_threadpool(accounts.redeem_grant, db,
                                          body.decode("ascii", errors="replace").strip())
        if granted is None:
            return reply(410)  # unknown, used or expired: the tab stays signed in anyway
        response = reply(204)
        max_age = max(1, int((granted.expires_at - now()).total_seconds()))
        response.set_cookie(COOKIE_NAME, granted.token, max_age=max_age, path="/",
                            secure=secure, httponly=True, samesite="strict")
        return response
    await run_in_threadpool(accounts.close_session, db, request.cookies.get(COOKIE_NAME))
    response = reply(204)
    response.delete_cookie(COOKIE_NAME, path="/", secure=secure, httponly=True,
                           samesite="strict")
    return response
