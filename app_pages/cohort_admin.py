"""Cohorts (班级管理), for instructors and admins: create a cohort, enrol trainees one by
one or from a CSV class list (bad rows are listed by line), remove a member, assign a
published case or a lesson with a window and optional pre- and post-tests, and withdraw
an assignment given by mistake, and give a trainee who forgot a password a new one-time
password. Removing and withdrawing each take a pick, a tick that names what goes, and a
button: one click cannot do either."""

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from app_pages import author_library, common
from sim.scenario import scenario_paths
from training import classroom as cr
from training.accounts import hash_workers
from training.authz import Action, Forbidden
from training.i18n import get_lang, t
from training.models import CohortRole
from training.publishing import latest_versions, publish_case

lang = get_lang()
st.title(t("cohort.admin_title"))
common.show_flash()
user = common.current_user()
db = common.db()
if not common.allowed(Action.CREATE_COHORT):
    common.forbidden(Forbidden("authz.role_needed", roles="instructor, admin"))
    st.stop()


def errors(fn, *args, **kwargs):
    """Run a service call; show its refusal or bad-input message instead of a traceback."""
    try:
        return fn(*args, **kwargs)
    except (Forbidden, cr.ClassroomError) as err:
        st.error(t(err.key, **{k: str(v) for k, v in err.detail.items()}))
    return None


def say_refusal(err: Forbidden | cr.ClassroomError) -> None:
    common.flash("error", t(err.key, **{k: str(v) for k, v in err.detail.items()}))


@common.db_guarded
def remove(cohort: cr.Cohort, member: cr.Member, confirm_key: str, pick_key: str) -> None:
    """The Remove button's callback: runs before the page, so every other widget keeps
    what was typed in it."""
    common.init_lang()  # a callback runs before the page sets the language
    confirmed = st.session_state.get(confirm_key)
    st.session_state[confirm_key] = False  # the next removal needs its own tick
    if not confirmed:
        return
    try:
        cr.remove_member(db, user, cohort.id, member.user_id)
    except (Forbidden, cr.ClassroomError) as err:
        say_refusal(err)
        return
    st.session_state.pop(pick_key, None)
    common.flash("success", t("cohort.removed", name=member.label, cohort=cohort.name))


@common.db_guarded
def withdraw(assignment: cr.Assignment, confirm_key: str, pick_key: str) -> None:
    """The Withdraw button's callback (as ``remove``)."""
    common.init_lang()
    confirmed = st.session_state.get(confirm_key)
    st.session_state[confirm_key] = False
    if not confirmed:
        return
    try:
        cr.withdraw_assignment(db, user, assignment.id)
    except (Forbidden, cr.ClassroomError) as err:
        say_refusal(err)
        return
    st.session_state.pop(pick_key, None)
    common.flash("success", t("cohort.withdrawn", what=assignment.subject))


def refill(done_key: str, fresh: dict) -> None:
    """After a form's success (``done_key`` set before the rerun), put its widgets back to
    their fresh values before they are drawn: the Assign form kept the case, the window and
    the tests picked, so a second press gave the same case again, and the enrol box kept
    the last username. A refusal sets no key: what was typed stays to be corrected."""
    if st.session_state.pop(done_key, False):
        st.session_state.update(fresh)


def assignment_label(a: cr.Assignment) -> str:
    return t("cohort.assignment_label", what=a.subject, opens=common.local_time(a.opens_at),
             closes=common.local_time(a.closes_at))


with st.expander(t("cohort.new"), expanded=not cr.teaching_cohorts(db, user),
                 icon=":material/group_add:"), st.form("new_cohort"):
    name = st.text_input(t("cohort.name"), max_chars=128, key="new_cohort_name")
    about = st.text_area(t("cohort.description"), max_chars=2000, key="new_cohort_about")
    if st.form_submit_button(t("cohort.create"), type="primary"):
        made = errors(cr.create_cohort, db, user, name, about)
        if made is not None:
            st.session_state["cohort_pick"] = made.id
            common.flash("success", t("cohort.created", name=made.name))
            st.rerun()

cid = common.teaching_cohort("cohort_pick", t("cohort.none_here"))
cohort = cr.get_cohort(db, user, cid)

# keyed, so the open tab survives the reruns its own widgets cause
members_tab, assign_tab, publish_tab = st.tabs(
    [t("cohort.tab_members"), t("cohort.tab_assign"), t("cohort.tab_publish")],
    key="cohort_tab", on_change="rerun")

with members_tab:
    people = cr.members(db, user, cid)
    st.dataframe(pd.DataFrame({
        t("cohort.col_user"): [m.username for m in people],
        t("cohort.col_name"): [m.display_name for m in people],
        t("cohort.col_role"): [t(f"role.{m.cohort_role.value}") for m in people],
    }), hide_index=True, key="members_table")
    with st.expander(t("cohort.remove_title"), icon=":material/person_remove:"):
        st.caption(t("cohort.remove_help"))
        by_id = {m.user_id: m for m in people}
        # labels made in this run: a picker may format its options outside it
        roles = {i: t(f"role.{m.cohort_role.value}") for i, m in by_id.items()}
        labels = {i: f"{m.label} · {roles[i]}" for i, m in by_id.items()}
        pick_key = f"remove_pick_{cid}"  # one picker per cohort: a pick never crosses over
        gone = st.selectbox(t("cohort.remove_pick"), list(by_id), index=None, key=pick_key,
                            format_func=labels.__getitem__)
        if gone is not None:
            confirm_key = f"remove_confirm_{cid}_{gone}"
            st.checkbox(t("cohort.remove_confirm", name=by_id[gone].label, cohort=cohort.name,
                          role=roles[gone]), key=confirm_key)
            st.button(t("cohort.remove"), key="remove_member",
                      disabled=not st.session_state.get(confirm_key),
                      on_click=remove, args=(cohort, by_id[gone], confirm_key, pick_key))
    trainees = {m.user_id: m for m in people if m.cohort_role is CohortRole.TRAINEE}
    with st.expander(t("cohort.password_title"), icon=":material/key:"):
        st.caption(t("cohort.password_help"))
        whose = st.selectbox(t("cohort.password_pick"), list(trainees), index=None,
                             key=f"password_pick_{cid}",
                             format_func=lambda i: trainees[i].label)
        if st.button(t("cohort.password_make"), key="password_make", disabled=whose is None):
            made = errors(cr.new_password, db, user, cid, whose)
            if made is not None:  # shown in this run only: a reload does not show it again
                member, password = made
                st.success(t("cohort.password_made", name=member.label))
                st.code(password, language=None)
    refill("enrol_done", {"enrol_username": "", "enrol_instructor": False})
    with st.form("enrol_one"):
        who = st.text_input(t("cohort.enrol_username"), max_chars=64, key="enrol_username")
        as_instructor = st.checkbox(t("cohort.as_instructor"), key="enrol_instructor")
        if st.form_submit_button(t("cohort.enrol")):
            role = CohortRole.INSTRUCTOR if as_instructor else CohortRole.TRAINEE
            member = errors(cr.enrol, db, user, cid, who, role)
            if member is not None:
                common.flash("success", t("cohort.enrolled", name=member.label))
                st.session_state["enrol_done"] = True
                st.rerun()
    st.markdown(f"**{t('cohort.csv_title')}**")
    st.caption(t("cohort.csv_help", columns=", ".join(cr.ROSTER_COLUMNS)))
    upload = common.file_upload(t("cohort.csv_file"), "roster_csv", ["csv"],
                                cr.MAX_ROSTER_BYTES)
    if upload is not None and st.button(t("cohort.csv_import"), key="roster_import",
                                        type="primary"):
        # a class list's new accounts take a while (each password's argon2 hash): the bar
        # says how far it is, where a frozen page looked broken
        bar = st.progress(0.0, text=t("cohort.csv_working"))

        def hashed(done: int, total: int) -> None:
            bar.progress(done / total, text=t("cohort.csv_hashing", done=done, total=total,
                                              threads=hash_workers()))

        report = errors(cr.import_roster, db, user, cid, upload.getvalue(), progress=hashed)
        bar.empty()
        if report is not None:
            st.session_state["roster_report"] = report
            st.rerun()  # the members table above shows the people just enrolled
    report = st.session_state.get("roster_report")
    if report is not None and report.unread is not None:  # not a row looked at: say why
        why = report.unread
        st.error(t("cohort.csv_unread", reason=t(why.key, **{k: str(v) for k, v in
                                                          why.detail.items()})))
    elif report is not None:
        st.success(t("cohort.csv_done", enrolled=len(report.enrolled), created=len(report.created),
                     already=len(report.already), bad=len(report.problems)))
        if report.problems:
            st.error(t("cohort.csv_bad_rows"))
            st.dataframe(pd.DataFrame({
                t("cohort.col_line"): [p.line for p in report.problems],
                t("cohort.col_reason"): [t(p.key, **{k: str(v) for k, v in p.detail.items()})
                                         for p in report.problems],
            }), hide_index=True, key="roster_problems", width="stretch", row_height=56,
                column_config={t("cohort.col_line"): st.column_config.NumberColumn(
                    width="small")})  # rows tall enough that a reason's fix, at its end, shows
        if report.created:
            st.warning(t("cohort.csv_passwords"))
            # headed in the page's language: the sheet is printed and handed out in class
            creds = pd.DataFrame({t("signin.username"): list(report.created),
                                  t("signin.password"): list(report.created.values())})
            st.download_button(t("cohort.csv_passwords_download"),
                               creds.to_csv(index=False).encode("utf-8-sig"),
                               file_name="new-accounts.csv", mime="text/csv", key="creds")

with assign_tab:
    current = cr.list_assignments(db, user, cid)
    if current:
        st.dataframe(pd.DataFrame({
            t("cohort.col_what"): [t("cohort.case_taken_back", what=a.subject)
                                   if a.case_withdrawn else a.subject for a in current],
            t("cohort.col_opens"): [common.local_time(a.opens_at) for a in current],
            t("cohort.col_closes"): [common.local_time(a.closes_at) for a in current],
            t("cohort.col_tests"): [f"{len(a.pre_test)} / {len(a.post_test)}" for a in current],
        }), hide_index=True, key="assignments_table")
        with st.expander(t("cohort.withdraw_title"), icon=":material/undo:"):
            st.caption(t("cohort.withdraw_help"))
            by_id = {a.id: a for a in current}
            labels = {i: assignment_label(a) for i, a in by_id.items()}
            pick_key = f"withdraw_pick_{cid}"
            taken = st.selectbox(t("cohort.withdraw_pick"), list(by_id), index=None,
                                 key=pick_key, format_func=labels.__getitem__)
            if taken is not None:
                confirm_key = f"withdraw_confirm_{cid}_{taken}"
                st.checkbox(t("cohort.withdraw_confirm", what=labels[taken]), key=confirm_key)
                st.button(t("cohort.withdraw"), key="withdraw_assignment",
                          disabled=not st.session_state.get(confirm_key),
                          on_click=withdraw, args=(by_id[taken], confirm_key, pick_key))
    else:
        st.caption(t("cohort.no_assignments"))
    withdrawn = cr.withdrawn_assignments(db, user, cid)
    if withdrawn:
        with st.expander(t("cohort.withdrawn_list", n=len(withdrawn)),
                         icon=":material/history:"):
            st.dataframe(pd.DataFrame({
                t("cohort.col_what"): [a.subject for a in withdrawn],
                t("cohort.col_opens"): [common.local_time(a.opens_at) for a in withdrawn],
                t("cohort.col_closes"): [common.local_time(a.closes_at) for a in withdrawn],
                t("cohort.col_withdrawn"): [common.local_time(a.withdrawn_at)
                                            for a in withdrawn],
            }), hide_index=True, key="withdrawn_table")
    zone = common.browser_zone()
    today = datetime.now(zone).date()
    versions = {v.id: v for v in latest_versions(db, user)}
    lessons, _ = common.lessons(lang)
    question_options = {f"{lesson.id}/{q.id}": f"{lesson.title} · {q.question[:60]}"
                        for lesson in lessons for q in lesson.questions}
    refill("assign_done", {"assign_pre": [], "assign_post": [], "assign_opens": today,
                           "assign_closes": today + timedelta(days=7)}
           | ({"assign_version": next(iter(versions))} if versions else {})
           | ({"assign_lesson": lessons[0].id} if lessons else {}))
    kind = st.segmented_control(t("cohort.assign_kind"), ["case", "lesson"], default="case",
                                key="assign_kind", format_func=lambda k: t(f"cohort.kind_{k}"))
    with st.form("assign_form"):
        if kind == "lesson":
            lesson_pick = st.selectbox(t("cohort.lesson"), [x.id for x in lessons],
                                       key="assign_lesson",
                                       format_func=lambda i: next(x.title for x in lessons
                                                                  if x.id == i))
        elif versions:
            version_pick = st.selectbox(t("cohort.case_version"), list(versions),
                                        key="assign_version",
                                        format_func=lambda i: f"{versions[i].scenario().title.get(lang)} "
                                        f"v{versions[i].version}")
            test_help = t("cohort.test_help", max=cr.MAX_TEST_QUESTIONS)
            pre = st.multiselect(t("cohort.pre_test"), list(question_options), key="assign_pre",
                                 format_func=question_options.__getitem__,
                                 select_all=False, placeholder=t("common.pick_none_means_no_test"),
                                 help=test_help)
            post = st.multiselect(t("cohort.post_test"), list(question_options),
                                  key="assign_post", format_func=question_options.__getitem__,
                                  select_all=False, placeholder=t("common.pick_none_means_no_test"),
                                  help=test_help)
            st.caption(t("cohort.tests_held"))
        else:
            st.info(t("cohort.publish_first"))
        c1, c2 = st.columns(2)
        opens = c1.date_input(t("cohort.opens"), value=today, key="assign_opens")
        closes = c2.date_input(t("cohort.closes"), value=today + timedelta(days=7),
                               key="assign_closes")
        go = st.form_submit_button(t("cohort.assign"), type="primary")
    if go:
        start = datetime.combine(opens, time.min, zone)
        end = datetime.combine(closes, time.max, zone)
        if kind == "lesson":
            made = errors(cr.assign_lesson, db, user, cid, lesson_pick, start, end)
        elif versions:
            def questions(keys):
                return [cr.TestQuestion(*k.split("/", 1)) for k in keys]
            made = errors(cr.assign_case, db, user, cid, version_pick, start, end,
                          questions(pre), questions(post))
        else:
            made = None
        if made is not None:
            common.flash("success", t("cohort.assigned", what=made.subject))
            st.session_state["assign_done"] = True
            st.rerun()

with publish_tab:
    st.caption(t("cohort.publish_help"))
    # the cases written for trainees first; a file marked `published: false` (a model check,
    # a draft) last, as the case list keeps it from trainees
    shipped = {p.stem: p for p in sorted(scenario_paths(common.scenario_dir()),
                                         key=lambda p: not getattr(common.load_case(p), "published", True))}
    pick = st.selectbox(t("cohort.shipped_case"), list(shipped), key="publish_pick",
                        format_func=lambda stem: common.case_file_label(shipped[stem], lang))
    if st.button(t("cohort.publish"), key="publish_shipped", disabled=pick is None):
        from sim.scenario import ScenarioError

        try:
            version = publish_case(db, user, shipped[pick].read_text(encoding="utf-8"))
        except ScenarioError as err:
            common.show_scenario_error(err)
        except Forbidden as err:
            common.forbidden(err)
        else:
            common.flash("success", t("cohort.published", case=version.scenario_id,
                                      version=version.version))
            st.rerun()
    author_library.unpublish_box("cohort")
