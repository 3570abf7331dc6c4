"""Paired role play in the app, through streamlit.testing.v1.AppTest: two sessions (the
officer's and the borrower's) take turns on one conversation kept in the database; each
sees only its own brief card; the instructor pairs the class and reads the transcript;
anyone else is refused, by the navigation and by the page file run on its own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim.roleplay_files import load_all
from sim.scenario import load_scenario
from training import accounts, pairs
from training import classroom as cr
from training.attempts import AttemptStore, LiveGames
from training.db import get_database, now
from training.i18n import t
from training.models import Role
from training.publishing import publish_case

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "app_pages"
TIMEOUT = 90
PW = "a-long-password-1"
INTRO = ROOT / "scenarios" / "intro.yaml"
RP = load_all()["jiahe_extension"]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning",
                 "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [b.label for b in at.button]
    return "\n".join(parts)


def on_page(user, page: str, lang: str = "en", **query) -> AppTest:
    """The app as ``user`` sees it, switched to one page (query parameters kept)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = str(v)
    if user is not None:
        at.session_state["auth_token"] = accounts.open_session(get_database(), user)
    ok(at.run())
    at.switch_page(f"app_pages/{page}")
    return ok(at.run())


def page_alone(page: str, user=None, **query) -> AppTest:
    """One page file run on its own, as a hand-typed URL would reach it (zh, the default)."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = str(v)
    if user is not None:
        at.session_state["auth_token"] = accounts.open_session(get_database(), user)
    return ok(at.run())


def keys(at: AppTest, prefix: str) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith(prefix)]


class Room:
    def __init__(self):
        db = get_database()
        self.db = db
        self.teacher = accounts.create_user(db, "teacher", PW, Role.INSTRUCTOR, "Ms Teacher")
        self.ann = accounts.create_user(db, "ann", PW, display_name="Ann")
        self.ben = accounts.create_user(db, "ben", PW, display_name="Ben")
        self.cat = accounts.create_user(db, "cat", PW, display_name="Cat")
        self.cohort = cr.create_cohort(db, self.teacher, "Class A")
        for name in ("ann", "ben", "cat"):
            cr.enrol(db, self.teacher, self.cohort.id, name)
        version = publish_case(db, self.teacher, INTRO.read_text(encoding="utf-8"))
        self.assignment = cr.assign_case(db, self.teacher, self.cohort.id, version.id,
                                         now() - timedelta(hours=1), now() + timedelta(days=3))
        sc = load_scenario(INTRO)
        self.games = LiveGames(AttemptStore(db=db), lambda _id: sc)

    def pair(self) -> pairs.Pair:
        return pairs.create_pair(self.db, self.teacher, self.assignment.id, RP.id, self.ann.id,
                                 self.ben.id)


@pytest.fixture
def room(db_url):
    return Room()


def _click(at: AppTest, key: str) -> AppTest:
    return ok(at.button(key=key).click().run())


def test_two_sessions_take_turns_on_one_conversation(room):
    p = room.pair()
    aid = cr.start_assignment(room.db, room.ann, room.games, room.assignment.id).attempt.id
    officer = on_page(room.ann, "pairs.py", pair=p.id)
    borrower = on_page(room.ben, "pairs.py", pair=p.id)
    # each side sees its own card only
    assert RP.setting.en in texts(officer) and RP.borrower_brief.en not in texts(officer)
    assert RP.borrower_brief.en in texts(borrower) and RP.setting.en not in texts(borrower)
    assert t("pairs.waiting_begin", "en", officer="Ann") in texts(borrower)
    assert "Your business" not in texts(borrower)  # the state is read when the meeting opens

    _click(officer, f"pair_begin_{p.id}")
    ok(borrower.button(key=f"pair_refresh_{p.id}").click().run())  # Ben refreshes
    assert "Your business: sound" in texts(borrower)  # his hidden situation, shown to him
    assert "Your business" not in texts(officer)
    assert RP.borrower_brief.en not in texts(officer)
    assert keys(officer, "pair_choice") == []  # the borrower speaks first

    # the line the hidden state calls for is tagged as fitting it, not as the truth: for a
    # borrower who diverts it is the cover story
    assert t("pairs.candid", "en") in [c.value for c in borrower.caption]
    _click(borrower, f"pair_line_{p.id}_0_0")
    desk = on_page(room.ann, "desk.py", attempt=aid)  # her desk warns her not to end the month
    assert t("pairs.desk_notice", "en", borrower="Ben") in [w.value for w in desk.warning]
    ok(officer.run())  # a rerun reads the new turn from the database
    assert RP.nodes["opening"].lines[0].text.en in texts(officer)
    _click(officer, f"pair_choice_{p.id}_1_ask_flows")
    ok(borrower.run())
    assert keys(borrower, "pair_line") == [f"pair_line_{p.id}_2_0"]  # only the truth here
    _click(borrower, f"pair_line_{p.id}_2_0")
    ok(officer.run())
    _click(officer, f"pair_choice_{p.id}_3_monitor")
    ok(borrower.run())
    _click(borrower, f"pair_line_{p.id}_4_1")  # a polite evasion to close
    ok(officer.run())

    for at in (officer, borrower):
        assert t("pairs.over", "en") in texts(at)
        assert t("pairs.queued", "en", officer="Ann", month=1) in texts(at)
    g = room.games.open(aid).game
    assert [q.action_id for q in g.queued] == ["meet_borrower", "closer_monitoring"]
    # missed facts and strong questions wait until Ann's case is over; Ben sees them now
    assert t("pairs.full_later", "en") in texts(officer)
    assert t("roleplay.strong", "en") in texts(borrower)
    # the feedback speaks to the officer, and of the officer by name to anyone else
    assert t("roleplay.learned", "en") in texts(officer)
    assert t("roleplay.learned_by", "en", officer="Ann") in texts(borrower)
    assert t("roleplay.missed_by", "en", officer="Ann") in texts(borrower)
    assert "What you " not in texts(borrower)


def test_the_officer_is_linked_back_to_the_desk_of_her_attempt(room):
    """A pair page opened from a link or after a reload holds no attempt, and the desk then
    said "no practice open: choose a case"; the officer's page links to her desk in the
    attempt the meeting is queued in, in either language. The borrower gets no such link."""
    p = room.pair()
    aid = cr.start_assignment(room.db, room.ann, room.games, room.assignment.id).attempt.id
    _click(on_page(room.ann, "pairs.py", pair=p.id), f"pair_begin_{p.id}")
    for lang in ("en", "zh"):
        officer = on_page(room.ann, "pairs.py", lang=lang, pair=p.id)
        (link,) = [k for k in officer.get("page_link") if k.label == t("pairs.to_desk", lang)]
        assert link.proto.page == "desk" and f"attempt={aid}" in (
            link.proto.query_string), link.proto
    borrower = on_page(room.ben, "pairs.py", pair=p.id)
    assert t("pairs.to_desk", "en") not in [k.label for k in borrower.get("page_link")]
    desk = on_page(room.ann, "desk.py", attempt=aid)  # where the link goes: her month
    assert t("pairs.desk_notice", "en", borrower="Ben") in [w.value for w in desk.warning]


def test_ending_the_month_mid_talk_holds_the_meeting_and_both_players_see_it(room):
    """Ann has read Ben's answer and ends the month from her desk: the meeting is held as
    it stood, her desk says so, and both pair pages show it ended with her month."""
    p = room.pair()
    aid = cr.start_assignment(room.db, room.ann, room.games, room.assignment.id).attempt.id
    officer = on_page(room.ann, "pairs.py", pair=p.id)
    borrower = on_page(room.ben, "pairs.py", pair=p.id)
    _click(officer, f"pair_begin_{p.id}")
    ok(borrower.run())
    _click(borrower, f"pair_line_{p.id}_0_0")
    ok(officer.run())
    _click(officer, f"pair_choice_{p.id}_1_ask_flows")
    ok(borrower.run())
    _click(borrower, f"pair_line_{p.id}_2_0")  # "takings have been steady": Ann reads it
    desk = on_page(room.ann, "desk.py", attempt=aid)
    assert t("pairs.desk_notice", "en", borrower="Ben") in [w.value for w in desk.warning]
    _click(desk, "end_month_0")
    assert t("pairs.closed_with_month", "en", borrower="Ben") in [i.value for i in desk.info]
    g = room.games.open(aid).game
    assert g.month == 1 and g.decision_log[-1]["talks"][0]["left"]
    for at in (officer, borrower):
        ok(at.run())
        assert t("pairs.month_end", "en", officer="Ann") in texts(at)
        assert t("pairs.queued", "en", officer="Ann", month=1) in texts(at)
        assert keys(at, "pair_choice") == [] and keys(at, "pair_line") == []
    assert t("pairs.status.month_end", "en") in texts(officer)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_withdrawal_mid_talk_stops_the_month_and_both_players_are_told_why(room, lang):
    """The instructor withdrew the assignment while Ann and Ben were talking, and Ann ends
    the month from a desk left open: her desk says who withdrew it, her month stays where
    it was, and both pair pages say the talk lapsed because of the withdrawal (they said
    her case had moved to the next month)."""
    from training.units import local_time

    p = room.pair()
    aid = cr.start_assignment(room.db, room.ann, room.games, room.assignment.id).attempt.id
    officer = on_page(room.ann, "pairs.py", lang, pair=p.id)
    borrower = on_page(room.ben, "pairs.py", lang, pair=p.id)
    _click(officer, f"pair_begin_{p.id}")
    ok(borrower.run())
    _click(borrower, f"pair_line_{p.id}_0_0")
    ok(officer.run())
    _click(officer, f"pair_choice_{p.id}_1_ask_flows")
    ok(borrower.run())
    _click(borrower, f"pair_line_{p.id}_2_0")
    desk = on_page(room.ann, "desk.py", lang, attempt=aid)
    cr.withdraw_assignment(room.db, room.teacher, room.assignment.id)
    when = cr.withdrawn_assignments(room.db, room.teacher, room.cohort.id)[0].withdrawn_at
    _click(desk, "end_month_0")
    said = t("attempt.withdrawn", lang, by="Ms Teacher", at=local_time(when, None, lang))
    assert said in [e.value for e in desk.error]
    assert room.games.store.get(aid).month == 0
    for at in (officer, borrower):
        ok(at.run())
        assert t("pairs.lapsed_withdrawn", lang) in [w.value for w in at.warning]
        assert t("pairs.lapsed", lang) not in texts(at)


def test_an_officer_short_of_hours_is_told_how_to_free_them(room):
    p = room.pair()
    aid = cr.start_assignment(room.db, room.ann, room.games, room.assignment.id).attempt.id
    g = room.games.open(aid).game
    i = g.sim.pf.named_index["jiahe"]
    for loan in (i, 0):  # the month's last free hours, taken (80 h, 75 for the checks)
        room.games.queue(aid, loan, "closer_monitoring")
    officer = on_page(room.ann, "pairs.py", pair=p.id)
    _click(officer, f"pair_begin_{p.id}")
    # "not enough staff hours left this month" said what, not what to do
    assert t("pairs.cannot_meet_hours", "en") in [e.value for e in officer.error]
    assert pairs.get_pair(room.db, room.ann, p.id).status is pairs.PairStatus.PAIRED



def test_an_officer_without_the_case_started_is_sent_to_the_page_that_starts_it(room):
    p = room.pair()
    officer = on_page(room.ann, "pairs.py", lang="zh", pair=p.id)
    _click(officer, f"pair_begin_{p.id}")
    (error,) = [e.value for e in officer.error]
    assert error == t("pairs.no_attempt", "zh")
    assert f"“{t('nav.my_attempts', 'zh')}”" in error  # the page as the menu names it


def test_a_stale_page_does_not_move_twice(room):
    p = room.pair()
    cr.start_assignment(room.db, room.ann, room.games, room.assignment.id)
    pairs.begin(room.db, room.ann, room.games, p.id)
    tab1 = on_page(room.ben, "pairs.py", pair=p.id)
    tab2 = on_page(room.ben, "pairs.py", pair=p.id)
    _click(tab1, f"pair_line_{p.id}_0_0")
    _click(tab2, f"pair_line_{p.id}_0_0")  # the same turn, from an older page
    assert t("pairs.stale", "en") in [w.value for w in tab2.warning]
    assert len(pairs.get_pair(room.db, room.teacher, p.id).moves) == 1
    zh = on_page(room.ben, "pairs.py", lang="zh", pair=p.id)  # and in Chinese
    assert "你的经营状况：良好" in texts(zh) and RP.borrower_brief.zh in texts(zh)
    assert t("pairs.waiting_for", "zh", side="客户经理", name="Ann") in texts(zh)


def test_the_pair_opens_for_no_one_else(room):
    p = room.pair()
    for intruder in (room.cat, None):
        at = page_alone("pairs.py", intruder, pair=p.id)
        assert at.error, f"opened for {intruder}"
        assert not keys(at, "pair_")
        assert RP.setting.zh not in texts(at) and RP.borrower_brief.zh not in texts(at)
    at = page_alone("pairs.py", room.cat, pair=p.id)
    assert t("pairs.not_yours", "zh") in [e.value for e in at.error]
    # the class page is for instructors
    for who in (room.ann, room.cat, None):
        at = page_alone("cohort_pairs.py", who)
        assert at.error and not at.dataframe


def test_the_navigation_offers_the_pages_by_role(room):
    at = on_page(room.ann, "pairs.py")
    assert t("pairs.none", "en") in texts(at)
    with pytest.raises(ValueError):  # not offered to a trainee
        at.switch_page("app_pages/cohort_pairs.py")
    at = on_page(room.teacher, "cohort_pairs.py")
    assert t("pairs.cohort.title", "en") in texts(at)


def test_the_instructor_pairs_two_trainees_and_reads_the_transcript(room):
    at = on_page(room.teacher, "cohort_pairs.py")
    at.selectbox(key="cp_officer").set_value(room.ann.id)
    at.selectbox(key="cp_borrower").set_value(room.ben.id)
    _click(at, "cp_create")
    assert t("pairs.cohort.created", "en", officer="Ann", borrower="Ben") in texts(at)
    (p,) = pairs.cohort_pairs(room.db, room.teacher, room.cohort.id)
    assert (p.officer_id, p.borrower_id) == (room.ann.id, room.ben.id)

    cr.start_assignment(room.db, room.ann, room.games, room.assignment.id)
    pairs.begin(room.db, room.ann, room.games, p.id)
    pairs.move(room.db, room.ben, room.games, p.id, 0, 0)
    # a promise not hers, and "it stays normal": two rules
    pairs.move(room.db, room.ann, room.games, p.id, "grant_now", 1)
    ok(at.run())
    table = next(e.value for e in at.dataframe if "Officer" in e.value.columns)
    assert table[["Officer", "Borrower", "Turns", "Rules broken"]].values.tolist() == [
        ["Ann", "Ben", 2, 2]]
    shown = texts(at)
    assert RP.nodes["opening"].choices[1].text.en in shown  # the transcript of choices
    assert RP.borrower_brief.en in shown and RP.setting.en in shown  # both cards, read only
    # named as the players', not as the instructor's own ("Your brief" was not hers)
    assert t("pairs.borrower_card_other", "en") in shown
    assert t("pairs.hidden_state_other", "en") in shown and "The business: sound" in shown
    assert "Your " not in shown
    assert t("pairs.officer_card_other", "en") in [e.label for e in at.expander]
    errors = [e.value.split("\n\n") for e in at.error]
    for rule in ("no_false_promise", "no_disguised_restructuring"):
        title = t(f"roleplay.rule.{rule}.title", "en")
        assert title in shown
        assert [t("roleplay.breach_at_by", "en", rule=title, officer="Ann",
                  choice=RP.nodes["opening"].choices[1].text.en),
                 t(f"roleplay.rule.{rule}.text", "en"),
                 t("roleplay.source", "en", source=t(f"roleplay.rule.{rule}.source", "en"))
                 ] in errors
    assert not keys(at, "pair_line") and not keys(at, "pair_choice")
    assert any(link.label == t("pairs.open_attempt", "en", officer="Ann")
               for link in at.get("page_link"))

    _click(at, "cp_pair_all")  # Cat is left over
    assert t("pairs.cohort.left_over", "en", names="Cat") in texts(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_class_pairs_offers_no_unpublished_case_and_names_old_pairs_by_conversation(room, lang):
    """The case was unpublished after a pair was made: the page offers nothing to pair on
    (as the service would refuse it) and still names the pair by its conversation's title;
    so does a pair under an assignment withdrawn since (it showed the file's id)."""
    from training.publishing import unpublish_case

    room.pair()
    unpublish_case(room.db, room.teacher, room.assignment.case_version_id)
    at = on_page(room.teacher, "cohort_pairs.py", lang)
    assert not [s for s in at.selectbox if s.key == "cp_assignment"]
    assert t("pairs.cohort.no_case", lang) in [e.value for e in at.info]
    table = at.dataframe[0].value
    assert list(table[t("pairs.cohort.col_conversation", lang)]) == [RP.title.get(lang)]
    cr.withdraw_assignment(room.db, room.teacher, room.assignment.id)
    ok(at.run())
    table = at.dataframe[0].value
    assert list(table[t("pairs.cohort.col_conversation", lang)]) == [RP.title.get(lang)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_term_the_case_refused_is_not_shown_as_queued_in_the_feedback(room, lang):
    """Ann grants Ben a restructuring on the spot; his loan shows no difficulty, so her case
    refuses it (the pair's result says so). The feedback's terms listed it all the same as
    "queued as 'Extension or restructuring': 16 h, CNY 5k" under the heading "queued as
    actions": it now says it was agreed but not taken, with the case's reason, and charges
    nothing."""
    from training.desk import engine_text

    p = room.pair()
    aid = cr.start_assignment(room.db, room.ann, room.games, room.assignment.id).attempt.id
    pairs.begin(room.db, room.ann, room.games, p.id)
    pairs.move(room.db, room.ben, room.games, p.id, 0, 0)
    pairs.move(room.db, room.ann, room.games, p.id, "grant_now", 1)
    pairs.end_month(room.db, room.ann, room.games, aid, 0)
    (done,) = [x for x in pairs.cohort_pairs(room.db, room.teacher, room.cohort.id)]
    refused = dict(done.result["refused"])
    assert "restructure" in refused  # the case's own refusal, with its reason
    action = engine_text("action", "restructure")[0 if lang == "zh" else 1]
    reason = engine_text("reason", refused["restructure"])[0 if lang == "zh" else 1]
    for user in (room.ann, room.ben):
        shown = texts(on_page(user, "pairs.py", lang=lang, pair=p.id))
        assert t("pairs.refused_line", lang, action=action, reason=reason) in shown
        term = next(line for line in shown.splitlines() if action in line
                    and line.startswith("- ") and t("pairs.refused_line", lang, action=action,
                                                   reason=reason) not in line)
        assert reason in term and ("not queued" in term or "未列入措施" in term), term


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_players_are_told_how_the_talk_is_held_and_its_hours(room, monkeypatch, lang):
    """The pair's conversation is held by phone (its file's ``held``): the meeting takes the
    call's hours in the officer's case, and the page checked them, but neither player was
    told. The officer reads it at the button that opens the meeting, the borrower in their
    view, both in the case's own hours (the engine's, for the same meeting)."""
    import sim.game_meetings
    import sim.roleplay_files
    from sim.roleplay import Roleplay
    from training import units

    talks = dict(load_all())
    talks[RP.id] = Roleplay.model_validate({**RP.model_dump(), "held": "call"})
    for module in (sim.game_meetings, sim.roleplay_files, pairs):
        monkeypatch.setattr(module, "shipped", lambda: talks)
    p = room.pair()
    live = cr.start_assignment(room.db, room.ann, room.games, room.assignment.id)
    g = live.game
    opt = g.meeting_option(g.sim.pf.named_index[RP.borrower], RP.id)
    assert opt.id == "meet_borrower_call"
    how = t("roleplay.held_as.call", lang)
    cost = t("pairs.held_cost", lang, cost=units.cost(opt.cost_cny, lang))
    said = {"officer": t("pairs.begin_held", lang, how=how, hours=units.hours(opt.hours, lang),
                         cost=cost),
            "borrower": t("pairs.held", lang, how=how, hours=units.hours(opt.hours, lang),
                          cost=cost, officer="Ann")}
    assert units.hours(0.5, lang) in said["officer"]

    officer = on_page(room.ann, "pairs.py", lang, pair=p.id)
    assert said["officer"] in [c.value for c in officer.caption]
    borrower = on_page(room.ben, "pairs.py", lang, pair=p.id)
    assert said["borrower"] in [c.value for c in borrower.caption]
    _click(officer, f"pair_begin_{p.id}")  # once it is open, the officer reads it above too
    assert said["borrower"] in [c.value for c in officer.caption]
    assert said["borrower"] in [c.value for c in ok(borrower.run()).caption]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_class_pairs_says_a_copied_case_has_no_conversation_yet_and_which_cases_do(room, lang):
    """A case started from a shipped one gets its own id; the conversations name their
    case by id, so it has none though its named borrowers are there. The page said only
    "assign a case with a named borrower's conversation"; it now says the conversations
    are written for the shipped case the copy came from, and to assign that one."""
    from training.publishing import latest_versions

    text = INTRO.read_text(encoding="utf-8").replace("\nid: intro\n", "\nid: intro_mine\n", 1)
    assert "id: intro_mine" in text
    cr.withdraw_assignment(room.db, room.teacher, room.assignment.id)
    at = on_page(room.teacher, "cohort_pairs.py", lang)  # nothing assigned: which cases have
    shown = [e.value for e in at.info]
    intro = f"“{load_scenario(INTRO).title.get(lang)}”"
    assert t("pairs.cohort.no_case", lang) in shown
    assert any(intro in s and s.startswith(t("pairs.cohort.written_for", lang, cases="")[:8])
               for s in shown), shown

    copy = publish_case(room.db, room.teacher, text)
    a = cr.assign_case(room.db, room.teacher, room.cohort.id, copy.id,
                       now() - timedelta(hours=1), now() + timedelta(days=3))
    ok(at.run())
    assert not [s for s in at.selectbox if s.key == "cp_assignment"]
    said = t("pairs.cohort.copied_no_talk", lang, case=a.subject_in(lang), source=intro)
    assert said in [e.value for e in at.info], [e.value for e in at.info]
    assert [v.scenario_id for v in latest_versions(room.db, room.teacher)
            if v.id == copy.id] == ["intro_mine"]
