"""The strategy lab's saved studies: a manager's finished study opens again, figure for
figure, after a reload; only its owner sees it; the list stays bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import load_scenario
from sim.study import builtin
from training import accounts, lab, lab_report, lab_store
from training.authz import Forbidden
from training.models import Role

ROOT = Path(__file__).resolve().parents[2]
PW = "a-long-password-1"


@pytest.fixture(scope="module")
def outcome():
    """A small comparison with a two-count staffing sweep on the intro case."""
    case = load_scenario(ROOT / "scenarios" / "intro.yaml")
    req = lab.LabRequest(scenario=case, strategies=(builtin("early-warning"),
                                                    builtin("do-nothing")),
                         reps=3, seed=11, months=6, staff=(1, 2))
    return lab.run_lab(req)


@pytest.fixture
def people(database):
    make = accounts.create_user
    return (make(database, "boss", PW, Role.MANAGER), make(database, "other", PW, Role.MANAGER),
            make(database, "ann", PW))


def test_a_saved_study_opens_again_figure_for_figure(database, people, outcome):
    boss = people[0]
    sid = lab_store.save(database, boss, outcome, seconds=4.2)
    back, seconds = lab_store.load(database, boss, sid)
    assert seconds == 4.2
    assert back.request == outcome.request
    assert back.study.same_figures(outcome.study)
    assert len(back.sweep) == 2
    assert all(a.same_figures(b) for a, b in zip(back.sweep, outcome.sweep, strict=True))
    # what the page and the report say of it is what they said when it ran
    assert lab.headline(back.study, "en") == lab.headline(outcome.study, "en")
    assert lab_report.stop_paying_text(back, "zh") == lab_report.stop_paying_text(outcome, "zh")
    listed = lab_store.listing(database, boss)
    assert [s.id for s in listed] == [sid]
    assert listed[0].labels == ["early-warning", "do-nothing"]
    assert listed[0].reps == 3 and listed[0].staff == [1, 2]
    assert listed[0].title["en"].startswith("Introduction")


def test_only_the_owner_lists_opens_or_deletes_a_study(database, people, outcome):
    boss, other, ann = people
    sid = lab_store.save(database, boss, outcome, seconds=1.0)
    assert lab_store.listing(database, other) == []
    for act in (lab_store.load, lab_store.delete):
        with pytest.raises(lab_store.StoredStudyError) as err:
            act(database, other, sid)
        assert err.value.key == "lab.saved.gone"
    with pytest.raises(Forbidden):  # a trainee has no strategy lab at all
        lab_store.listing(database, ann)
    with pytest.raises(Forbidden):
        lab_store.save(database, ann, outcome, seconds=1.0)
    lab_store.delete(database, boss, sid)
    assert lab_store.listing(database, boss) == []


def test_the_list_keeps_the_newest_studies(database, people, outcome, monkeypatch):
    monkeypatch.setattr(lab_store, "MAX_SAVED", 2)
    boss = people[0]
    ids = [lab_store.save(database, boss, outcome, seconds=float(k)) for k in range(3)]
    assert [s.id for s in lab_store.listing(database, boss)] == [ids[2], ids[1]]


def test_a_study_whose_inputs_no_longer_read_says_so(database, people, outcome):
    from training.db import session_scope
    from training.models import LabStudyRow

    boss = people[0]
    sid = lab_store.save(database, boss, outcome, seconds=1.0)
    with session_scope(database) as s:  # as if a later version renamed a field
        row = s.get(LabStudyRow, sid)
        row.inputs = {**row.inputs, "reps": None}
    with pytest.raises(lab_store.StoredStudyError) as err:
        lab_store.load(database, boss, sid)
    assert err.value.key == "lab.saved.unreadable"


def test_a_manager_reads_the_published_cases_a_trainee_does_not(database, people):
    from training import publishing

    boss, _other, ann = people
    teacher = accounts.create_user(database, "teacher", PW, Role.INSTRUCTOR)
    text = (ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8")
    publishing.publish_case(database, teacher, text)
    v2 = publishing.publish_case(database, teacher, text.replace("count: 30", "count: 31", 1))
    assert [(v.scenario_id, v.version) for v in publishing.cases_for_lab(database, boss)] == [
        ("intro", v2.version)]  # the newest version only
    with pytest.raises(Forbidden):
        publishing.cases_for_lab(database, ann)


def test_a_study_too_large_to_keep_says_so_and_keeps_nothing(database, people, outcome,
                                                              monkeypatch):
    monkeypatch.setattr(lab_store, "MAX_BYTES", 1000)
    with pytest.raises(lab_store.StoredStudyError) as err:
        lab_store.save(database, people[0], outcome, seconds=1.0)
    assert err.value.key == "lab.saved.too_large"
    from training.i18n import t

    assert "too large to keep" in t(err.value.key, "en", **err.value.params)
    assert lab_store.listing(database, people[0]) == []
