"""Case authoring (instructors): start a case, edit its YAML with validation on every
change, fill the common parts through forms, import and export the file, run the
teaching preview, and publish. Case text is shown as text (a text area, tables,
code), never as Markdown or HTML."""

import pandas as pd
import streamlit as st

from app_pages import author_forms as forms
from app_pages import author_library, author_preview, common
from training import authoring, publishing
from training.authoring import Section, Start
from training.authz import Action
from training.i18n import get_lang, t


def instructor_guard() -> bool:
    """The one place this page checks who may author: instructors and admins
    (training.authz, Action.AUTHOR_CASE). Publishing checks again in the service."""
    return common.allowed(Action.AUTHOR_CASE)


def counted(what: str, n: int) -> str:
    """n of a thing in words, for one and for many ("1 segment", "3 segments")."""
    return t(f"author.n.{what}_{'one' if n == 1 else 'other'}", n=n)


lang = get_lang()
st.title(t("author.title"))
if not instructor_guard():
    st.error(t("author.forbidden"))
    st.stop()
st.caption(t("author.intro"))

if forms.TEXT_KEY not in st.session_state:
    # a new session (a reload, a new tab, a sign-in again): the author's draft, if kept
    draft = publishing.load_draft(common.db(), common.current_user())
    if draft is not None:
        st.session_state[forms.TEXT_KEY] = draft[0]
        forms.message("info", "author.draft_back", when=common.local_time(draft[1]))
    else:
        st.session_state[forms.TEXT_KEY] = authoring.blank_text()
    author_preview.restore(common.current_user())  # and its last preview

# --- start, import, export ------------------------------------------------------------
with st.expander(t("author.start_title"), expanded=False):
    generator = authoring.generator_available()
    sources = [Start.SHIPPED, Start.BLANK] + ([Start.GENERATED] if generator else [])
    source = st.radio(t("author.start_from"), sources, key="author_start", horizontal=True,
                      format_func=lambda s: t(f"author.start.{s}", lang))
    if not generator:
        st.caption(t("author.no_generator"))
    if source == Start.SHIPPED:
        shipped = authoring.shipped_cases()
        st.selectbox(t("author.start_case"), list(shipped), key="author_start_case",
                     format_func=lambda stem: common.case_file_label(shipped[stem], lang))
    elif source == Start.GENERATED:
        options = authoring.generator_options()
        common.number_field(st, t("author.gen_seed"), "author_gen_seed", 0, forms.GEN_SEED_MAX,
                            value=1, step=1)
        if options.get("products"):
            st.multiselect(t("author.gen_products"), options["products"],
                           key="author_gen_products", select_all=False, placeholder=t("common.pick_none_means_any"),
                           format_func=lambda p: t(f"product.{p}", lang))
        if options.get("shocks"):
            most = authoring.generator_max_shocks()
            st.multiselect(t("author.gen_shocks"), options["shocks"], key="author_gen_shocks",
                           select_all=False, placeholder=t("common.pick_none_means_any"), max_selections=most,
                           format_func=lambda k: t(f"author.shock.{k}", lang),
                           help=t("author.gen_shocks_help") if most is None
                           else t("author.gen_shocks_help_most", most=most))
        if options.get("staffing"):
            st.selectbox(t("author.gen_staffing"), ["", *options["staffing"]],
                         key="author_gen_staffing",
                         format_func=lambda b: t(f"author.staffing.{b or 'any'}", lang))
    st.caption(t("author.start_replaces"))
    st.button(t("author.start_load"), key="author_load", on_click=forms.load_start)

    st.divider()
    common.file_upload(t("author.upload", kb=authoring.MAX_UPLOAD_BYTES // 1024),
                       "author_upload", ["yaml", "yml"], authoring.MAX_UPLOAD_BYTES)
    st.button(t("author.upload_load"), key="author_upload_load", on_click=forms.load_upload)

forms.draw_message()  # loading, importing, undoing: a form's own message is drawn under it

if st.session_state.get(forms.DRAFT_FAILED_KEY):  # kept now that the database answers
    if forms.keep_draft():
        st.info(t("author.draft_kept_again"), icon=":material/cloud_done:")
    else:
        st.warning(t("author.draft_failed"), icon=":material/cloud_off:")

# --- the editor and its validation -------------------------------------------------------
editor, checks = st.columns([3, 2])
with editor:
    st.session_state[forms.EDITOR_KEY] = st.session_state[forms.TEXT_KEY]
    st.text_area(t("author.editor"), key=forms.EDITOR_KEY, height=560,
                 help=t("author.editor_help"), on_change=forms.editor_changed)
    text = st.session_state[forms.TEXT_KEY]
    # as wide as their labels, wrapping when the row does not fit: in three equal columns
    # the export's label was cut ("Export (download ....") at every width
    b1 = b2 = b3 = st.container(horizontal=True, wrap=True, gap="small", key="author_buttons")
    b1.download_button(t("author.export"), data=text.encode("utf-8"),
                       file_name=authoring.export_name(text), mime="application/x-yaml",
                       key="author_export", icon=":material/download:")
    undo_steps = len(st.session_state.get(forms.UNDO_KEY, []))
    b2.button(t("author.undo"), key="author_undo_button", on_click=forms.undo,
              disabled=not undo_steps, icon=":material/undo:",
              help=t("author.undo_help", n=undo_steps) if undo_steps else None)
    b3.button(t("author.redo"), key="author_redo_button", on_click=forms.redo,
              disabled=not st.session_state.get(forms.REDO_KEY), icon=":material/redo:")

result = authoring.validate_text(text)
scenario = result.scenario
with checks:
    st.subheader(t("author.check_title"))
    if scenario is not None:
        st.success(t("author.valid", loans=counted("loans", scenario.n_loans),
                     months=counted("months", scenario.horizon_months),
                     segments=counted("segments", len(scenario.segments))))
        st.text(f"{scenario.id} · {scenario.title.get(lang)}")
        st.text("\n".join(f"- {s.id}: {s.name.get(lang)} ({s.count})" for s in scenario.segments))
        st.caption(t("author.summary", macro=counted("macro", len(scenario.macro)),
                     borrowers=counted("borrowers", len(scenario.borrowers)),
                     objectives=counted("objectives", len(scenario.objectives)),
                     notes=counted("notes", len(scenario.debrief_notes)),
                     officers=counted("officers", scenario.staff.officers),
                     hours=f"{scenario.staff.hours_per_officer_month:g}"))
        slips = authoring.case_cautions(scenario)  # valid, but most likely not what was meant
        if slips:
            st.warning("\n".join([t("author.caution_title")] + [
                f"- `{c.path}`: {t('author.caution.' + c.code, **c.values)}" for c in slips]),
                icon=":material/rule:")
    else:
        n = len(result.problems)
        st.error(t(f"author.invalid_{'one' if n == 1 else 'other'}", n=n))
if scenario is None:  # the problems, full width so each message reads whole
    lines = text.splitlines()
    # a static table, which wraps every message: the data grid wraps a cell only by its
    # own estimate of the width, and cut long Chinese messages before their fix
    st.table(pd.DataFrame(
        [("—" if p.line is None else str(p.line),
          t("author.whole_file") if p.path == authoring.FILE_PATH else p.path, p.text(lang),
          lines[p.line - 1].strip() if p.line and p.line <= len(lines) else "")
         for p in result.problems],
        columns=[t("author.col.line"), t("author.col.field"), t("author.col.problem"),
                 t("author.col.text")]), hide_index=True)

# --- form helpers ----------------------------------------------------------------------
st.subheader(t("author.forms_title"))
# keyed, so a form's tab stays open with its message after the form is sent (the reruns
# it causes opened the first tab again)
tabs = st.tabs([t("author.tab.segments"), t("author.tab.macro"), t("author.tab.borrowers"),
                t("author.tab.staff"), t("author.tab.objectives"), t("author.tab.debrief"),
                t("author.tab.remove")], key="author_tab", on_change="rerun")
with tabs[0]:
    forms.segment_form(text, lang)
with tabs[1]:
    forms.macro_form(text)
with tabs[2]:
    forms.borrower_forms(text)
with tabs[3]:
    forms.staff_form(scenario)
with tabs[4]:
    forms.text_item_form(Section.OBJECTIVES)
with tabs[5]:
    forms.text_item_form(Section.DEBRIEF_NOTES)
with tabs[6]:
    forms.remove_form(text)
forms.draw_message(any_form=True)  # from a form not drawn this run: said, not lost

# --- teaching preview --------------------------------------------------------------------
st.subheader(t("author.preview_title"))
st.caption(t("author.preview_intro"))
if scenario is None:
    st.info(t("author.preview_needs_valid"))
else:
    author_preview.run_box(scenario, text)
shown = st.session_state.get(author_preview.RESULT_KEY)
if shown is not None:
    author_preview.show(shown, scenario.content_hash() if scenario else None, lang)

# --- publish -----------------------------------------------------------------------------
st.subheader(t("author.publish_title"))
publish_case = authoring.publisher()
if publish_case is None:
    st.caption(t("author.publish_unavailable"))
elif scenario is None:
    st.caption(t("author.publish_needs_valid"))
else:
    st.caption(t("author.publish_help"))
st.button(t("author.publish"), key="author_publish", type="primary",
          disabled=publish_case is None or scenario is None, icon=":material/publish:",
          on_click=author_library.publish_text, args=(forms.TEXT_KEY,))
if publish_case is not None:  # a version published with a mistake can be taken back
    common.show_flash()
    author_library.unpublish_box("author")
