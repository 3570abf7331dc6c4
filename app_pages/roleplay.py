"""Role play: practise a conversation with a borrower, without a case, with feedback after it.

The borrower's hidden situation is drawn (or picked) when the talk starts and shown
only in the feedback. ``?conversation=<id>`` opens a conversation (lesson links). The talk
under way is kept in the address too (``talk``: the borrower picked, or the draw's seed,
which does not say who was drawn; ``said``: the choices so far), so a reload or a
reopened tab goes on where it stood.
"""

import secrets

import streamlit as st

from app_pages import common
from app_pages import roleplay_views as views
from training.i18n import get_lang, t
from training.roleplay import PathError, Session, practice_state, profiles_for

lang = get_lang()
st.title(t("roleplay.title"))
st.caption(t("roleplay.intro"))
rps, problems = views.roleplays()
for problem in problems:
    st.error(t("roleplay.broken", detail=problem))
if not rps:
    st.info(t("roleplay.none"))
    st.stop()


def _tag(rp) -> str:
    if rp.case is None:
        return t("roleplay.standalone")
    try:
        case = common.case_by_id(rp.case)
    except LookupError:
        return t("roleplay.case_tag", case=rp.case, borrower=rp.borrower)
    who = next((b.company.get(lang) for b in case.borrowers if b.id == rp.borrower), rp.borrower)
    return t("roleplay.case_tag", case=case.title.get(lang), borrower=who)


@common.db_guarded
def _start() -> None:
    rp_id, profile = st.session_state["rp_pick"], st.session_state["rp_profile"]
    # a fresh draw for each talk: a seed counted from 1 gave every trainee the same
    # "surprise" borrowers in the same order; the talk keeps the profile drawn, so a
    # rerun or a refresh still replays it
    seed = secrets.randbits(64)
    name, _ = practice_state(None if profile == "surprise" else profile, seed=seed,
                             rp=rps[rp_id])
    talk = str(seed) if profile == "surprise" else name
    st.session_state["rp_play"] = {"id": rp_id, "profile": name, "path": [], "talk": talk}


def _drop_talk() -> None:
    """Another hidden borrower picked: the talk under way was with the one picked before,
    so it ends and the new borrower is met from the start (the box named one borrower while
    the talk went on with another, and a reload put the old one back in the box)."""
    st.session_state.pop("rp_play", None)
    for key in ("talk", "said"):  # else the address would bring the old talk back
        if key in st.query_params:
            del st.query_params[key]


def _choose(choice_id: str) -> None:
    play = st.session_state.get("rp_play")
    if play is not None:
        play["path"].append(choice_id)


SEED_DIGITS = 20  # the most digits a talk's seed has in the address (secrets.randbits(64))


def _from_url() -> dict | None:
    """The talk the address holds (a reload, a reopened tab), or None."""
    rp_id, talk = st.query_params.get("conversation"), st.query_params.get("talk")
    if rp_id not in rps or not talk:
        return None
    if talk.isascii() and talk.isdigit() and len(talk) <= SEED_DIGITS:
        # a surprise: drawn again from its seed, as it was drawn ("²" is a digit to
        # isdigit, not to int, and thousands of digits are past int's limit: both stopped
        # the page, where a hand-edited talk starts afresh)
        name = practice_state(None, seed=int(talk), rp=rps[rp_id])[0]
    elif talk in profiles_for(rps[rp_id]):
        name = talk
    else:
        return None
    said = st.query_params.get("said", "")
    return {"id": rp_id, "profile": name, "talk": talk,
            "path": [c for c in said.split(".") if c]}


def _to_url(rp_id: str, play: dict | None) -> None:
    """Keep the conversation and the talk under way in the address (none: no talk)."""
    wanted = {"conversation": rp_id} if play is None else {
        "conversation": play["id"], "talk": play.get("talk", play["profile"]),
        "said": ".".join(play["path"])}
    for key in ("talk", "said"):
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


if st.session_state.get("rp_play") is None and (kept := _from_url()) is not None:
    st.session_state["rp_play"] = kept
    st.session_state["rp_pick"] = kept["id"]
    st.session_state["rp_profile"] = "surprise" if kept["talk"].isdigit() else kept["talk"]

from_url = st.query_params.get("conversation")
if st.session_state.get("rp_pick") not in rps:
    st.session_state["rp_pick"] = from_url if from_url in rps else next(iter(rps))
c1, c2 = st.columns([3, 2])
rp_id = c1.selectbox(t("roleplay.pick"), list(rps), key="rp_pick",
                     format_func=lambda i: rps[i].title.get(lang))
rp = rps[rp_id]
# only the borrowers that fit this conversation's borrower (a household diverts no loan)
profiles = ["surprise", *profiles_for(rp)]
under_way = st.session_state.get("rp_play")
if under_way is not None and under_way["id"] == rp_id:
    # back on a conversation whose talk goes on: the box names the borrower of that talk
    # (a look at another conversation had set it to "surprise", the talk kept its own)
    talk = str(under_way.get("talk", under_way["profile"]))
    st.session_state["rp_profile"] = "surprise" if talk.isdigit() else under_way["profile"]
if st.session_state.get("rp_profile") not in profiles:
    st.session_state["rp_profile"] = "surprise"
c2.selectbox(t("roleplay.profile"), profiles, key="rp_profile",
             format_func=lambda p: t(f"roleplay.profile_{p}"), on_change=_drop_talk)
st.caption(" · ".join((_tag(rp), t("roleplay.held_tag", how=t(f"roleplay.held_as.{rp.held}")),
                       rp.summary.get(lang))))
if rp.lesson:
    common.lesson_links([rp.lesson], lang, key_prefix="rp_lesson")

play = st.session_state.get("rp_play")
if play is None or play["id"] != rp_id:
    _to_url(rp_id, None)
    st.button(t("roleplay.start"), key="rp_start", type="primary", on_click=_start)
    st.stop()

with st.expander(t("roleplay.setting"), expanded=not play["path"]):
    st.markdown(rp.setting.get(lang))
try:
    session = Session.replay(rp, practice_state(play["profile"], 0, rp)[1], play["path"])
except PathError:  # the conversation file changed under the talk (or the address was
    st.session_state.pop("rp_play", None)  # edited by hand): start it again
    _to_url(rp_id, None)
    st.rerun()
_to_url(rp_id, play)
views.transcript(session)
views.choices(session, "rp_choice", _choose)
if session.done:
    views.feedback(session, session.outcome(), profile=play["profile"], practice=True)
    st.button(t("roleplay.restart"), key="rp_restart", on_click=_start)
