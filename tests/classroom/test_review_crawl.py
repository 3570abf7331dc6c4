"""The instructor's review pages on a class with attempts of every kind (review_class.py):
every page an instructor and an admin can open, every pick of the cohort dashboard and of
Class pairs, and the attempt replay on every month of every attempt, in Chinese and
English. None may raise, show a raw catalogue key, or (in Chinese) English; the replay
names every decision the trainee took.

The cases and months are chosen to cover every action of the shipped catalogues while
keeping the run short: the introduction played to its end (its whole catalogue, a meeting,
a paired role play), the disaster case to its first claim sale (an emergency deferral,
entrusted payment; its assignment is then withdrawn) and the fund-diversion case to its
first frozen line (its case version is then unpublished)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.roleplay import MEET_ACTION
from sim.scenario import load_scenario
from tests.classroom import review_crawl as crawl
from tests.classroom.review_class import ReviewClass
from training import report
from training.db import get_database
from training.i18n import t

ROOT = Path(__file__).resolve().parents[2]
CASES = {"intro": 12, "disaster": 7, "fund_diversion": 3}
NAMES = {"Ms Teacher", "Ada Admin", "Ann", "Ben", "Cat", "Dan", "Class A",
         "username, name, email"}  # people's names, and the class-list CSV's column names


@pytest.fixture
def klass(db_url):
    k = ReviewClass(get_database(), CASES)
    k.pair_on("intro")
    k.withdraw("disaster")
    k.unpublish("fund_diversion")
    return k


def shipped_actions() -> set[str]:
    """Every action in the catalogue of a shipped case that trainees are given; of the ways
    of holding a meeting, those a shipped case's conversation is held in (the others are
    never offered on a desk: a practice conversation has no case)."""
    from sim.roleplay import MEETING_ACTION_IDS
    from sim.roleplay_files import shipped
    from training.desk import Desk

    held = {rp.meeting_action for rp in shipped().values() if rp.case}
    return set().union(*(Desk(sc).sim.catalogue for sc in (
        load_scenario(path) for path in sorted((ROOT / "scenarios").glob("*.yaml")))
        if sc.published)) - (MEETING_ACTION_IDS - held)


def test_every_review_page_opens_for_a_class_with_attempts_of_every_kind(klass):
    k = klass
    taken = set().union(*(p.taken for p in k.played))
    assert taken == shipped_actions(), "the class takes every action at least once"
    assert MEET_ACTION in taken
    assert all(p.refused and p.classified for p in k.played)
    logs = {p.attempt_id: k.games.store.get(p.attempt_id).decision_log for p in k.played}
    logs[k.unfinished] = k.games.store.get(k.unfinished).decision_log
    every_month = {aid: list(range(1, len(log))) for aid, log in logs.items()}
    first = {aid: [] for aid in logs}  # the page as it opens, on the last month
    picks = k.picks()
    for user, months in ((k.teacher, every_month), (k.admin, first)):
        for lang in ("zh", "en"):
            shown: dict[str, set[str]] = {}
            for where, at in crawl.visits(user, lang, months, picks):
                assert not at.exception, (user.username, lang, where,
                                          [e.value for e in at.exception])
                assert not crawl.leaks(at, lang, NAMES), (user.username, lang, where)
                if where.startswith("review "):
                    shown.setdefault(where.split()[1], set()).update(crawl.texts(at))
            if months is first:
                continue
            # every decision of every month is named on the replay, as the desk names it
            for aid, log in logs.items():
                for e in log:
                    said = {report.action_name(a, lang) for _, a in e["actions"]}
                    said |= {report.action_name(a, lang) for talk in e.get("talks", [])
                             for a in talk["actions"]}
                    said |= {t("review.judgement", lang, cls=t(f"cls.{c}", lang),
                               reason=t(f"judgement.reason.{r}", lang))
                             for _, c, r in e.get("classify", [])}
                    assert said <= shown[aid], (aid, e["month"], said - shown[aid])
