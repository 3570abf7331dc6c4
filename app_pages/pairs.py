"""Paired role play (角色对练): a trainee plays the officer or the borrower of a
conversation with a classmate; an instructor or admin reads a pair read-only.

``?pair=<id>`` names the pair; it is not a key: the pair opens only for its two
players, its cohort's instructors and admins (training.pairs checks, through
training.authz). The conversation lives in the database, so the partner's browser sees
each turn; "Refresh" (or the automatic refresh) shows the partner's move.
"""

import streamlit as st

from app_pages import common
from app_pages import pairs_views as views
from sim.roleplay_files import shipped
from training import pairs
from training.authz import Forbidden
from training.i18n import get_lang, t

lang = get_lang()
st.title(t("pairs.title"))
st.caption(t("pairs.intro"))
user = common.current_user()
db = common.db()
if user is None:
    common.forbidden(Forbidden("authz.sign_in_first"))
    st.stop()
common.show_flash()


def _say(err: Exception) -> None:
    common.init_lang()  # a callback runs before the page sets the language
    key = getattr(err, "key", "authz.forbidden")
    detail = {k: str(v) for k, v in getattr(err, "detail", {}).items()}
    if key == "pairs.cannot_meet" and detail.get("code") == "hours":
        key, detail = "pairs.cannot_meet_hours", {}  # the usual block: say how to free hours
    elif key == "pairs.cannot_meet":
        from training.desk import engine_text

        zh, en = engine_text("reason", detail.get("code", ""))
        detail = {"reason": zh if lang == "zh" else en}
    common.flash("warning" if key in ("pairs.stale", "pairs.not_your_turn") else "error",
                 t(key, **detail))


def _say_silence(exc: Exception) -> None:
    """A press the database did not answer: said (nothing was changed; press again once it
    answers; the page itself says it is waiting), where it was Streamlit's traceback."""
    from training.db import unreachable

    if not unreachable(exc):
        raise exc
    common.init_lang()
    common.flash("error", t("common.db_lost_said"))


def _begin(pair_id: int) -> None:
    try:
        pairs.begin(db, user, common.games(), pair_id)
    except (pairs.PairError, Forbidden) as err:
        _say(err)
    except Exception as exc:
        _say_silence(exc)


def _move(pair_id: int, pick, seq: int) -> None:
    try:
        pairs.move(db, user, common.games(), pair_id, pick, seq)
    except (pairs.PairError, Forbidden) as err:
        _say(err)
    except Exception as exc:
        _say_silence(exc)


@st.fragment(run_every=views.AUTO_REFRESH_SECONDS)
def _watch(pair_id: int, seen_moves: int, seen_status) -> None:
    """Rerun the page when the partner has moved (or the meeting opened)."""
    try:
        now = pairs.get_pair(db, user, pair_id)
    except Exception as exc:
        from training.db import unreachable

        if not unreachable(exc):
            raise
        st.rerun(scope="app")  # the frame says the database is not answering, and waits
    if len(now.moves) != seen_moves or now.status is not seen_status:
        st.rerun(scope="app")


mine = pairs.my_pairs(db, user)
titles = {rp.id: rp.title.get(lang) for rp in shipped().values()}
from_url = st.query_params.get("pair")
wanted = from_url or st.session_state.get("pair_id")
if wanted is None and mine:
    wanted = mine[0].id
if wanted is None:
    st.info(t("pairs.none"))
    st.stop()
try:
    wanted = int(wanted)
except (TypeError, ValueError):
    st.error(t("pairs.no_such_pair", id=str(wanted)))
    st.stop()
ids = [p.id for p in mine]
if wanted in ids:
    by_id = {p.id: p for p in mine}
    if st.session_state.get("pair_pick") not in ids or (
            from_url and str(st.session_state.get("pair_id")) != from_url):
        st.session_state["pair_pick"] = wanted  # a link or a refresh names the pair
    labels = {i: views.label(p, titles.get(p.roleplay_id, p.roleplay_id)) for i, p in by_id.items()}
    wanted = st.selectbox(t("pairs.pick"), ids, key="pair_pick", format_func=labels.__getitem__)
st.session_state["pair_id"] = wanted
if st.query_params.get("pair") != str(wanted):
    st.query_params["pair"] = str(wanted)

try:
    view = pairs.view(db, user, wanted)
except Forbidden as err:
    common.forbidden(err)
    st.stop()
except pairs.PairError as err:
    st.error(t(err.key, **{k: str(v) for k, v in err.detail.items()}))
    st.stop()
views.panel(view, _begin, _move, _move, on_refresh=_watch)
