"""`bianque compare`: what a manager's script relies on: JSON figures, the report, the
same figures on a process pool, and bad options and files exiting 2 with a message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.cli import main
from training.lab_report import FIGURES_ID, read_block

ROOT = Path(__file__).resolve().parent.parent
INTRO = str(ROOT / "scenarios" / "intro.yaml")
TUNED = str(ROOT / "scenarios" / "rules" / "tuned.yaml")
BASE = ["compare", INTRO, "--strategies", f"early-warning,late-collection,{TUNED}",
        "--reps", "3", "--seed", "5", "--months", "6"]


def compare_json(capsys, *extra) -> dict:
    assert main([*BASE, *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_means_intervals_and_paired_differences(capsys):
    out = compare_json(capsys)
    assert out["champion"] == "early-warning"
    assert list(out["strategies"]) == ["early-warning", "late-collection", "tuned", "oracle"]
    for name in ("early-warning", "tuned"):
        for fig in ("loss_cny", "index", "hours", "net_value_cny"):
            assert set(out["strategies"][name][fig]) == {"mean", "lo", "hi", "n"}
    assert set(out["paired"]) == {"late-collection", "tuned", "oracle"}
    assert out["paired"]["tuned"]["loss_cny"]["verdict"] in {"better", "worse", "within_noise",
                                                            "same"}
    # the oracle's index is 1 by definition, late collection's 0, on the same futures
    assert out["strategies"]["oracle"]["index"]["mean"] == pytest.approx(1.0)
    assert out["strategies"]["late-collection"]["index"]["mean"] == pytest.approx(0.0)


def test_workers_do_not_change_the_figures(capsys):
    assert compare_json(capsys, "--workers", "2") == compare_json(capsys)


def test_staffing_sweep_and_report(capsys, tmp_path):
    report = tmp_path / "lab.html"
    assert main([*BASE, "--staff", "1..3", "--out", str(report)]) == 0
    text = capsys.readouterr().out
    # the text names a built-in strategy in the language asked (English by default)
    assert "Early warning" in text and str(report) in text
    page = report.read_text(encoding="utf-8")
    figures = read_block(page, FIGURES_ID)
    assert [r["officers"] for r in figures["staffing"]["rows"]] == [1, 2, 3]
    assert figures["staffing"]["stop_paying_after_officers"] in (1, 2, 3)
    assert figures == compare_json(capsys, "--staff", "1..3")
    # the report carries its inputs: compare runs them again to the same figures
    assert main(["compare", str(report), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == figures
    # it says how to run it again by the name it was written under (it named the app's
    # download, bianque-lab-intro.html, a file the manager of the CLI never had)
    assert f"bianque compare {report} --json</pre>" in page
    assert main(["compare", str(report), "--reps", "5"]) == 2
    assert "carries its own inputs" in capsys.readouterr().err


def test_a_dask_scheduler_gives_the_same_figures(capsys):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        remote = compare_json(capsys, "--scheduler", cluster.scheduler_address)
    assert remote == compare_json(capsys)


def test_an_unreachable_scheduler_exits_2(capsys):
    assert main([*BASE, "--scheduler", "tcp://127.0.0.1:9", "--json"]) == 2
    assert "cannot connect" in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["--strategies", "wishful-thinking"], "unknown strategy 'wishful-thinking'"),
    (["--strategies", "early_warning"], "did you mean 'early-warning'?"),
    (["--strategies", "early-warning,early-warning"], "named twice"),
    (["--strategies", "missing.yaml"], "no such rule table"),
    (["--strategies", "early-warning", "--staff", "8..2"], "runs backwards"),
    (["--strategies", "early-warning", "--staff", "lots"], "--staff"),
    # a typo for 2..50 started 50,000 runs at the default 100 futures, with no word
    (["--strategies", "early-warning", "--staff", "2..500"], "a sweep takes at most 50"),
    (["--strategies", "early-warning", "--reps", "1"], "reps must be between"),
    (["--strategies", "early-warning", "--months", "99"], "horizon"),
    (["--strategies", "early-warning", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
     "not both"),
    (["--strategies", "early-warning", "--out", "/no/such/folder/r.html"], "does not exist"),
    (["--strategies", "early-warning", "--staff", "1..2", "--staff-strategy", "oracle"],
     "staffing sweep"),
    (["--strategies", str(ROOT / "tests" / "badinput" / "empty.yaml")], "YAML mapping"),
    (["--strategies", "early-warning", "--scheduler", "nonsense"], "tcp://HOST:PORT"),
    (["--strategies", "early-warning", "--scheduler", "tcp://127.0.0.1"], "--scheduler"),
    (["--strategies", "early-warning", "--out", str(ROOT / "tests")], "is a folder"),
    (["--strategies", "early-warning", "--staff-strategy", "early-warning"], "add --staff"),
    ([], "--strategies is required"),
    # each names its option: these said "officer cost: ...", "unknown strategy 'oracle' for
    # the staffing sweep" and "months: ...", and a report asked for as .pdf was HTML in it
    (["--strategies", "early-warning", "--staff", "1..2", "--staff-strategy", "oracle"],
     "--staff-strategy: "),
    (["--strategies", "early-warning", "--officer-cost", "-5"], "--officer-cost"),
    (["--strategies", "early-warning", "--officer-cost", "nan"], "--officer-cost"),
    (["--strategies", "early-warning", "--months", "13"], "--months 13 is beyond"),
    (["--strategies", "early-warning", "--out", "/tmp/report.pdf"], "name it .html"),
])
def test_bad_options_exit_2_with_a_message(capsys, args, words):
    assert main(["compare", INTRO, *args]) == 2
    err = capsys.readouterr()
    assert words in err.err
    assert "Traceback" not in err.err + err.out


def test_two_rule_tables_with_the_same_rules_are_refused(capsys, tmp_path):
    """A copy of tuned.yaml renamed would run to tuned's figures under a second name: the
    command says which two tables repeat each other and exits 2, in zh and en."""
    import yaml

    copy = yaml.safe_load(Path(TUNED).read_text(encoding="utf-8"))
    copy["name"] = "my-copy"
    path = tmp_path / "my_copy.yaml"
    path.write_text(yaml.safe_dump(copy, allow_unicode=True), encoding="utf-8")
    for lang, words in (("en", "have the same rules"), ("zh", "规则完全相同")):
        assert main(["compare", INTRO, "--strategies", f"{TUNED},{path}", "--reps", "3",
                     "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert words in err and "tuned" in err and "my-copy" in err


def test_strategies_typed_with_a_chinese_comma_are_read_as_a_list(capsys):
    """'early-warning，late-collection' (a Chinese keyboard's comma) was one unknown name."""
    assert main(["compare", INTRO, "--strategies", "early-warning，late-collection、oracle",
                 "--reps", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["strategies"]) == ["early-warning", "late-collection", "oracle"]


def test_a_file_that_is_not_a_report_exits_2(capsys, tmp_path):
    page = tmp_path / "other.html"
    page.write_text("<html><body>hello</body></html>", encoding="utf-8")
    assert main(["compare", str(page)]) == 2
    assert "not a strategy-lab report" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "missing.html")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_bad_case_file_exits_2(capsys):
    bad = str(ROOT / "tests" / "badinput" / "pd_zero.yaml")
    assert main(["compare", bad, "--strategies", "early-warning"]) == 2
    assert "pd" in capsys.readouterr().err


def test_a_case_file_and_a_rule_table_swapped_say_so_in_one_line(capsys):
    """A manager who passes the case as a strategy (or a rule table as the case) is told
    which file is which, not shown a score of 'Extra inputs are not permitted'."""
    assert main(["compare", INTRO, "--strategies", INTRO]) == 2
    err = capsys.readouterr().err
    assert "this is a case file (it has 'segments'), not a rule table" in err
    assert "1 problem(s)" in err and "Extra inputs" not in err
    assert main(["compare", TUNED, "--strategies", "early-warning"]) == 2
    err = capsys.readouterr().err
    assert "this is a rule table (it has 'rules'), not a case study" in err
    assert "Extra inputs" not in err


@pytest.mark.parametrize("command", ["compare", "preview", "run"])
def test_help_reads_as_written(capsys, command):
    """argparse formats help strings but not descriptions: a '95%%' there printed as is."""
    main([command, "--help"])
    out = capsys.readouterr().out
    assert "usage: bianque" in out
    assert "%%" not in out and "%(" not in out


def test_the_sweep_strategy_may_be_named_as_its_rule_table_file(capsys):
    """--strategies takes a rule table as its file, so --staff-strategy takes that too (it
    said "unknown strategy 'scenarios/rules/tuned.yaml'")."""
    out = compare_json(capsys, "--staff", "1..2", "--staff-strategy", TUNED)
    assert out["staffing"]["strategy"] == "tuned"


def test_the_line_naming_the_report_is_in_the_chosen_language(capsys, tmp_path):
    """With --lang zh every line was Chinese but the last, 'report: lab.html'."""
    report = tmp_path / "lab.html"
    assert main(["compare", INTRO, "--strategies", "early-warning", "--reps", "2",
                 "--months", "3", "--out", str(report), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert f"报告：{report}" in out and "report:" not in out
    assert report.exists()


def test_chinese_tables_line_up_in_a_terminal(capsys):
    """`--lang zh` counted a Chinese character as one column: every row with 全知（完全信息）
    or 万元 slid its figures out from under their headers."""
    import unicodedata

    def width(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    assert main([*BASE, "--staff", "1..3", "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(i for i, x in enumerate(lines) if "客户经理人数" in x)
    staffing = lines[head:head + 4]
    assert len({width(x) for x in staffing}) == 1, staffing
    strategies = next(i for i, x in enumerate(lines) if x.strip().startswith("策略"))
    table = lines[strategies:strategies + 5]
    assert len({width(x) for x in table}) == 1, table



@pytest.mark.parametrize("lang, words", [
    ("en", ("5 of 20 futures simulated", "about 1 min 20 s left at the pace so far")),
    ("zh", ("已模拟 5/20 个情景", "按目前速度约剩 1 分 20 秒"))])
def test_compare_bar_says_the_time_left_at_the_pace_so_far(lang, words, capsys):
    """`bianque compare`'s bar says what the lab page's does, on a fake clock: 5 of 20
    futures in 26.7 s, 15 to go at 5.34 s each."""
    from sim.study import builtin
    from training import lab
    from training.cli import _study_bar, load_case

    request = lab.LabRequest(scenario=load_case("intro"), reps=20, seed=1,
                             strategies=(builtin("early-warning"),))
    now = [0.0]
    with _study_bar(request, False, lang, clock=lambda: now[0]) as tick:
        now[0] = 26.7
        tick(5, 20)
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
