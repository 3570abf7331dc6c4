"""Class pairs (班级对练), for a cohort's instructors and admins: pair two trainees on a
conversation of an assigned case (or the whole class two by two), and read each pair's
transcript of choices, read only."""

import pandas as pd
import streamlit as st

from app_pages import common
from app_pages import pairs_views as views
from training import classroom as cr
from training import pairs
from training.authz import Action, Forbidden
from training.i18n import get_lang, t
from training.models import AssignmentKind, CohortRole

lang = get_lang()
st.title(t("pairs.cohort.title"))
st.caption(t("pairs.cohort.intro"))
user = common.current_user()
db = common.db()
if not common.allowed(Action.CREATE_COHORT):
    common.forbidden(Forbidden("authz.role_needed", roles="instructor, admin"))
    st.stop()
common.show_flash()

cid = common.teaching_cohort("cp_cohort", t("pairs.cohort.none"))
try:
    cases = [a for a in cr.list_assignments(db, user, cid) if a.kind is AssignmentKind.CASE]
    trainees = {m.user_id: m for m in cr.members(db, user, cid)
                if m.cohort_role is CohortRole.TRAINEE}
    class_pairs = pairs.cohort_pairs(db, user, cid)
except Forbidden as err:
    common.forbidden(err)
    st.stop()
options = {a.id: (a, pairs.case_roleplays(a.scenario_id)) for a in cases}
options = {k: v for k, v in options.items() if v[1]}
# every conversation's title, for the pairs already made (on an unpublished case too)
titles = {rp.id: rp.title.get(lang) for _, rps_ in options.values() for rp in rps_}
# a case unpublished since it was assigned takes no new pair (training.pairs refuses it)
options = {k: v for k, v in options.items() if not v[0].case_withdrawn}


def _say(err: Exception) -> None:
    common.flash("error", t(err.key, **{k: str(v) for k, v in err.detail.items()}))


@common.db_guarded
def _create(assignment_id: int, rp_id: str) -> None:
    common.init_lang()  # a callback runs before the page sets the language
    officer, borrower = st.session_state.get("cp_officer"), st.session_state.get("cp_borrower")
    try:
        p = pairs.create_pair(db, user, assignment_id, rp_id, officer, borrower)
        common.flash("success", t("pairs.cohort.created", officer=p.officer_name,
                                  borrower=p.borrower_name))
    except (pairs.PairError, Forbidden) as err:
        _say(err)


@common.db_guarded
def _pair_all(assignment_id: int, rp_id: str) -> None:
    common.init_lang()
    try:
        made, left = pairs.pair_class(db, user, assignment_id, rp_id)
    except (pairs.PairError, Forbidden) as err:
        _say(err)
        return
    common.flash("success", t("pairs.cohort.paired_n", n=len(made)))
    if left:
        common.flash("info", t("pairs.cohort.left_over", names=", ".join(
            trainees[u].label for u in left if u in trainees)))


def why_no_conversation() -> None:
    """Why no assigned case has a conversation, truthfully: the conversations name their
    case by id, so a case copied from a shipped one (its own id) has none yet, though its
    named borrowers are there (the page said only "assign a case with a named borrower's
    conversation")."""
    from sim.scenario import scenario_paths
    from training.publishing import scenario_of_version

    titles = {}
    for path in scenario_paths(common.scenario_dir()):
        case = common.load_case(path)
        if not isinstance(case, Exception):
            titles[case.id] = case.title.get(lang)
    sep = "、" if lang == "zh" else ", "
    written = sep.join(f"“{titles.get(c, c)}”" for c in pairs.written_for())
    live = [a for a in cases if not a.case_withdrawn]
    if not live:
        st.info(t("pairs.cohort.written_for", cases=written))
    for a in live:
        scenario = scenario_of_version(db, a.case_version_id)
        sources = pairs.copied_from(scenario)
        if sources:
            st.info(t("pairs.cohort.copied_no_talk", case=a.subject_in(lang), source=sep.join(
                f"“{titles.get(c, c)}”" for c in sources)))
        elif scenario.borrowers:
            st.info(t("pairs.cohort.case_no_talk", case=a.subject_in(lang),
                      n=len(scenario.borrowers), cases=written))
        else:
            st.info(t("pairs.cohort.case_no_borrowers", case=a.subject_in(lang), cases=written))


if not options:
    st.info(t("pairs.cohort.no_case"))
    why_no_conversation()
elif len(trainees) >= 2:
    with st.container(border=True, key="cp_make"):
        aid = st.selectbox(t("pairs.cohort.assignment"), list(options), key="cp_assignment",
                           format_func=lambda i: options[i][0].subject_in(lang))
        rps = {rp.id: rp for rp in options[aid][1]}
        rp_id = st.selectbox(t("pairs.cohort.conversation"), list(rps), key="cp_roleplay",
                             format_func=lambda i: rps[i].title.get(lang))
        c1, c2 = st.columns(2)
        ids = list(trainees)
        c1.selectbox(t("pairs.cohort.officer"), ids, key="cp_officer",
                     format_func=lambda i: trainees[i].label)
        c2.selectbox(t("pairs.cohort.borrower"), ids, key="cp_borrower", index=1,
                     format_func=lambda i: trainees[i].label)
        b1, b2 = st.columns(2)
        b1.button(t("pairs.cohort.create"), key="cp_create", type="primary", on_click=_create,
                  args=(aid, rp_id))
        b2.button(t("pairs.cohort.pair_all"), key="cp_pair_all", on_click=_pair_all,
                  args=(aid, rp_id))

st.subheader(t("pairs.cohort.pairs"))
if not class_pairs:
    st.caption(t("pairs.cohort.no_pairs"))
    st.stop()
views_by_id = {}
for p in class_pairs:
    try:
        views_by_id[p.id] = pairs.view(db, user, p.id)
    except pairs.PairError as err:  # its conversation file no longer loads
        st.warning(f"{p.id}: " + t(err.key, **{k: str(v) for k, v in err.detail.items()}))
# a pair under a withdrawn assignment is named by its conversation too, not by its id
titles |= {v.pair.roleplay_id: v.roleplay.title.get(lang) for v in views_by_id.values()}
st.dataframe(pd.DataFrame({  # names and titles are shown as text, never as Markdown
    t("pairs.cohort.col_id"): [p.id for p in class_pairs],
    t("pairs.cohort.col_conversation"): [titles.get(p.roleplay_id, p.roleplay_id)
                                         for p in class_pairs],
    t("pairs.cohort.col_officer"): [p.officer_name for p in class_pairs],
    t("pairs.cohort.col_borrower"): [p.borrower_name for p in class_pairs],
    t("pairs.cohort.col_status"): [views.status_label(p) for p in class_pairs],
    t("pairs.cohort.col_turns"): [len(p.moves) for p in class_pairs],
    t("pairs.cohort.col_breaches"): [
        len(views_by_id[p.id].outcome.breaches)
        if p.id in views_by_id and views_by_id[p.id].outcome else 0 for p in class_pairs],
}), hide_index=True, key="cp_table")

ids = list(views_by_id)
if not ids:
    st.stop()
if st.session_state.get("cp_open") not in ids:
    st.session_state["cp_open"] = ids[0]
labels = {i: f"{i} · " + views.label(v.pair, titles.get(v.pair.roleplay_id, v.pair.roleplay_id))
          for i, v in views_by_id.items()}
open_id = st.selectbox(t("pairs.cohort.open"), ids, key="cp_open", format_func=labels.__getitem__)
with st.container(border=True, key="cp_transcript"):
    views.panel(views_by_id[open_id], None, None, None)
