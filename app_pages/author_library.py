"""Taking a published case back (撤下发布): the box the author page and the cohort page's
Publish tab both show. A pick, what it touches (the cohorts it is assigned in, the attempts
started on it), a tick that says what happens to them, and a button: one click cannot do
it. Below, the versions taken back, each to publish again."""

import pandas as pd
import streamlit as st

from app_pages import common
from sim.scenario import ScenarioError
from training import authoring, publishing
from training.authz import Forbidden
from training.i18n import get_lang, t
from training.models import Role


def _label(v: publishing.CaseVersion, lang: str) -> str:
    try:
        title = v.scenario().title.get(lang)
    except Exception:  # noqa: BLE001 - a label: the id stands in for a title it cannot read
        title = v.scenario_id
    return t("cohort.version_label", case=title, version=v.version,
             at=common.local_time(v.published_at))


@common.db_guarded
def publish_text(text_key: str) -> None:
    """The Publish button's callback: freezes the case text (under ``text_key``, as the
    editor last sent it) as its next version, and says how it went under the button. The
    classroom checks the role again and validates with the same loader. A database that
    did not answer is said there too (``db_guarded``); the text stays in the editor."""
    common.init_lang()
    publish_case = authoring.publisher()
    if publish_case is None:
        return
    try:
        published = publish_case(common.db(), common.current_user(),
                                 st.session_state.get(text_key) or "")
    except ScenarioError as err:
        common.flash("error", t("author.publish_failed", detail=len(err.problems)))
    except Forbidden as err:
        common.flash("error", common.forbidden_text(err))
    else:
        common.flash("success", t("author.published", case=published.scenario_id,
                                  version=published.version, hash=published.content_hash))


@common.db_guarded
def _unpublish(version: publishing.CaseVersion, what: str, confirm_key: str,
               pick_key: str) -> None:
    """The Unpublish button's callback: runs before the page, so the rest keeps its input."""
    common.init_lang()
    confirmed = st.session_state.get(confirm_key)
    st.session_state[confirm_key] = False  # the next one needs its own tick
    if not confirmed:
        return
    try:
        publishing.unpublish_case(common.db(), common.current_user(), version.id)
    except (Forbidden, publishing.PublishingError) as err:
        common.flash("error", t(err.key, **{k: str(v) for k, v in err.detail.items()}))
        return
    st.session_state.pop(pick_key, None)
    common.flash("success", t("cohort.unpublished", what=what))


@common.db_guarded
def _republish(version: publishing.CaseVersion) -> None:
    common.init_lang()
    try:
        again = publishing.publish_case(common.db(), common.current_user(), version.content)
    except (Forbidden, publishing.PublishingError) as err:
        common.flash("error", t(err.key, **{k: str(v) for k, v in err.detail.items()}))
        return
    common.flash("success", t("cohort.republished", case=again.scenario_id,
                              version=again.version))


def unpublish_box(key: str) -> None:
    """The unpublish box; ``key`` keeps its widgets apart from another page's."""
    lang, db, user = get_lang(), common.db(), common.current_user()
    mine = [v for v in publishing.list_case_versions(db, user)
            if user.role is Role.ADMIN or v.published_by == user.id]
    live = {v.id: v for v in mine if not v.withdrawn}
    gone = [v for v in mine if v.withdrawn]
    with st.expander(t("cohort.unpublish_title"), icon=":material/unpublished:"):
        st.caption(t("cohort.unpublish_help"))
        if not live:
            st.caption(t("cohort.unpublish_none"))
        else:
            labels = {i: _label(v, lang) for i, v in live.items()}
            pick_key = f"{key}_unpublish_pick"
            pick = st.selectbox(t("cohort.unpublish_pick"), list(live), index=None,
                                key=pick_key, format_func=labels.__getitem__)
            if pick is not None:
                impact = publishing.unpublish_impact(db, user, pick)
                if impact.cohorts or impact.playing or impact.finished:
                    st.info(t("cohort.unpublish_impact", playing=impact.playing,
                              finished=impact.finished,
                              cohorts=("、" if lang == "zh" else ", ").join(impact.cohorts)
                              or t("cohort.nobody")), icon=":material/groups:")
                else:
                    st.caption(t("cohort.unpublish_impact_none"))
                confirm_key = f"{key}_unpublish_confirm_{pick}"
                st.checkbox(t("cohort.unpublish_confirm", what=labels[pick]), key=confirm_key)
                st.button(t("cohort.unpublish"), key=f"{key}_unpublish",
                          disabled=not st.session_state.get(confirm_key),
                          on_click=_unpublish,
                          args=(live[pick], labels[pick], confirm_key, pick_key))
        if gone:
            st.markdown(f"**{t('cohort.unpublished_list', n=len(gone))}**")
            st.dataframe(pd.DataFrame({
                t("cohort.col_version"): [_label(v, lang) for v in gone],
                t("cohort.col_unpublished"): [common.local_time(v.withdrawn_at) for v in gone],
            }), hide_index=True, key=f"{key}_unpublished_table")
            for v in gone:
                st.button(t("cohort.republish", what=f"{v.scenario_id} v{v.version}"),
                          key=f"{key}_republish_{v.id}", on_click=_republish, args=(v,),
                          icon=":material/publish:")
