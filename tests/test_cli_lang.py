"""`bianque ... --lang zh`: a Chinese-speaking instructor or manager reads every message the
command itself writes in Chinese, bad options and files still exit 2, and the English
messages a script may match on stay as they were. (argparse's usage line stays as argparse
writes it.) The operator's db, admin and user commands: tests/test_cli_admin_lang.py."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from training.cli import main

ROOT = Path(__file__).resolve().parent.parent
INTRO = str(ROOT / "scenarios" / "intro.yaml")
TUNED = ROOT / "scenarios" / "rules" / "tuned.yaml"
BAD_CASE = str(ROOT / "tests" / "badinput" / "pd_zero.yaml")
EMPTY = str(ROOT / "tests" / "badinput" / "empty.yaml")
CJK = re.compile(r"[\u4e00-\u9fff]")


def said(capsys, *argv: str) -> tuple[int, list[str]]:
    """The exit code and the lines written, without argparse's usage block."""
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines, usage = [], False
    for line in (err + out).splitlines():
        usage = line.startswith("usage: ") or (usage and line.startswith(" "))
        if line.strip() and not usage:
            lines.append(line)
    return rc, lines


def assert_chinese(lines: list[str], words: str) -> None:
    assert lines, "a message must be written"
    assert all(CJK.search(line) for line in lines), lines
    assert not any(" error: " in line or "argument --" in line for line in lines), lines
    assert any(words in line for line in lines), lines


@pytest.mark.parametrize("args, words", [
    # checked while parsing, before --lang is read: said in Chinese wherever --lang stands
    (["--strategies", "early-warning", "--reps", "1"],
     "bianque compare：错误：--reps：重复次数须在 2 至 100000 之间，而给的是 1"),
    (["--strategies", "early-warning", "--reps", "x"], "--reps：重复次数须为整数"),
    (["--strategies", "early-warning", "--seed", "-1"], "--seed：随机种子须在 0 至"),
    (["--strategies", "early-warning", "--months", "700"], "--months：月数须在 1 至 600 之间"),
    (["--strategies", "early-warning", "--officer-cost", "-5"], "--officer-cost：客户经理月成本"),
    (["--strategies", "early-warning", "--officer-cost", "abc"], "须为数字"),
    (["--strategies", "early-warning", "--workers", "0"], "--workers：进程数须在 1 至 256 之间"),
    (["--strategies", "early-warning", "--reps"], "--reps：缺少取值"),
    (["--strategies", "early-warning", "--bogus"], "无法识别的参数：--bogus"),
    # checked by the command
    ([], "缺少 --strategies：请列出要比较的策略"),
    (["--strategies", "wishful-thinking"], "未知策略 'wishful-thinking'"),
    (["--strategies", "early_warning"], "是不是 'early-warning'？"),
    (["--strategies", "early-warning,early-warning"], "每个策略只能列一次"),
    (["--strategies", "missing.yaml"], "missing.yaml：没有这个规则表文件；请检查路径"),
    (["--strategies", EMPTY], f"{EMPTY}：1 处问题"),
    (["--strategies", INTRO], "这是案例文件（含 segments），不是规则表"),
    (["--strategies", "early-warning", "--staff", "8..2"], "写反了；请把较小的人数写在前面，例如 2..8"),
    (["--strategies", "early-warning", "--staff", "lots"], "不是人数范围"),
    (["--strategies", "early-warning", "--staff", "5"], "至少需要两个人数"),
    (["--strategies", "early-warning", "--staff", "2..500"], "一次测算最多 50 个"),
    (["--strategies", "early-warning", "--months", "13"], "--months 13 超出了案例期限（12 个月）；最多写 12"),
    (["--strategies", "early-warning", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
     "--workers 与 --scheduler 只能用一个"),
    (["--strategies", "early-warning", "--out", "/no/such/folder/r.html"],
     "文件夹 /no/such/folder 不存在"),
    (["--strategies", "early-warning", "--out", "/tmp/report.pdf"], "请以 .html 结尾命名，例如 report.html"),
    (["--strategies", "early-warning", "--out", str(ROOT / "tests")], "是文件夹；请给出文件名"),
    (["--strategies", "early-warning", "--staff", "1..2", "--staff-strategy", "oracle"],
     "--staff-strategy：人员测算只能运行参与比较的策略之一"),
    (["--strategies", "early-warning", "--staff-strategy", "early-warning"], "请加上 --staff"),
    (["--strategies", "early-warning", "--scheduler", "nonsense"], "tcp://主机:端口"),
])
def test_compare_says_its_errors_in_chinese(capsys, args, words):
    rc, lines = said(capsys, "compare", INTRO, "--lang", "zh", *args)
    assert rc == 2
    assert_chinese(lines, words)


def test_the_language_is_read_wherever_and_however_it_is_given(capsys):
    """A bad number is refused while the line is parsed, before the parsed --lang could
    choose: --lang after it, --lang=zh and argparse's abbreviation --la count too."""
    for lang in (["--lang", "zh"], ["--lang=zh"], ["--la", "zh"]):
        rc, lines = said(capsys, "compare", INTRO, "--strategies", "early-warning",
                         "--reps", "1", *lang)
        assert rc == 2
        assert_chinese(lines, "重复次数须在 2 至 100000 之间")
    rc, lines = said(capsys, "compare", INTRO, "--lang", "zh", "--lang", "xx")
    assert rc == 2
    assert_chinese(lines, "--lang：取值 'xx' 无效")


@pytest.mark.parametrize("command", ["compare", "preview"])
def test_a_case_that_does_not_load_is_said_in_chinese(capsys, command):
    extra = ["--strategies", "early-warning"] if command == "compare" else []
    rc, lines = said(capsys, command, "no_such_case", "--lang", "zh", *extra)
    assert rc == 2
    assert_chinese(lines, "no_such_case: （文件）: 没有这个文件，也没有这个名字的内置案例；内置案例有：")
    rc, lines = said(capsys, command, BAD_CASE, "--lang", "zh", *extra)
    assert rc == 2
    assert_chinese(lines, f"{BAD_CASE}: segments[0].pd_annual: 应大于")
    rc, lines = said(capsys, command, "", "--lang", "zh", *extra)
    assert rc == 2
    assert_chinese(lines, "这是文件夹，不是案例")


def test_a_rule_table_named_as_a_built_in_is_refused_in_chinese(capsys, tmp_path):
    table = yaml.safe_load(TUNED.read_text(encoding="utf-8"))
    table["name"] = "oracle"
    path = tmp_path / "oracle.yaml"
    path.write_text(yaml.safe_dump(table, allow_unicode=True), encoding="utf-8")
    rc, lines = said(capsys, "compare", INTRO, "--lang", "zh", "--strategies",
                     f"early-warning,{path}")
    assert rc == 2
    assert_chinese(lines, "规则表不能命名为 'oracle'：这是内置策略的名称；请修改其 name 字段")
    rc, lines = said(capsys, "compare", INTRO, "--strategies", f"early-warning,{path}")
    assert rc == 2 and "a rule table may not be named 'oracle'" in lines[-1]


def test_a_report_that_cannot_be_replayed_is_said_in_chinese(capsys, tmp_path):
    page = tmp_path / "other.html"
    page.write_text("<html><body>hello</body></html>", encoding="utf-8")
    rc, lines = said(capsys, "compare", str(page), "--lang", "zh")
    assert rc == 2
    assert_chinese(lines, f"{page}：不是带有输入数据的策略实验室报告")
    rc, lines = said(capsys, "compare", str(tmp_path / "missing.html"), "--lang", "zh")
    assert rc == 2
    assert_chinese(lines, "无法读取：No such file or directory；请检查路径")
    rc, lines = said(capsys, "compare", str(page), "--reps", "5", "--lang", "zh")
    assert rc == 2
    assert_chinese(lines, "报告自带全部输入；请去掉 --reps")


@pytest.mark.parametrize("args, words", [
    (["--months", "13"], "bianque preview：错误：--months 13 超出了案例期限（12 个月）；最多写 12"),
    (["--reps", "1"], "--reps：重复次数须在 2 至 200 之间，而给的是 1"),
    (["--workers", "0"], "--workers：进程数须在 1 至 256 之间"),
    (["--reps", "2", "--months", "1", "--scheduler", "nonsense", "--json"], "tcp://主机:端口"),
])
def test_preview_says_its_errors_in_chinese(capsys, args, words):
    rc, lines = said(capsys, "preview", INTRO, "--lang", "zh", *args)
    assert rc == 2
    assert_chinese(lines, words)


@pytest.mark.parametrize("args, words", [
    (["--seed", "-1"], "bianque generate：错误：--seed：随机种子须在 0 至"),
    (["--seed", "x"], "--seed：随机种子须为整数"),
    ([], "缺少必需的参数：--seed"),
])
def test_generate_says_its_option_errors_in_chinese(capsys, args, words):
    rc, lines = said(capsys, "generate", "--lang", "zh", *args)
    assert rc == 2
    assert_chinese(lines, words)


def test_validate_says_its_own_lines_in_chinese(capsys, tmp_path):
    """The OK line (kept as OK, which a script may look for) and an empty folder were
    English under --lang zh."""
    talk = ROOT / "roleplays" / "huimin_flood.yaml"
    rc, lines = said(capsys, "validate", "--lang", "zh", INTRO, str(talk))
    assert rc == 0
    assert lines[0] == f"OK {INTRO}: intro，50 笔贷款，12 个月"
    assert re.fullmatch(rf"OK {talk}: 对话 huimin_flood，\d+ 个节点", lines[1]), lines
    rc, lines = said(capsys, "validate", "--lang", "zh", str(tmp_path))
    assert rc == 2
    assert_chinese(lines, f"{tmp_path}: （文件）: 此文件夹中没有案例文件（*.yaml）")


@pytest.mark.parametrize("argv, line", [
    (["compare", INTRO, "--strategies", "early-warning", "--reps", "1"],
     "bianque compare: error: argument --reps: reps must be between 2 and 100000, got 1"),
    (["compare", INTRO, "--strategies", "early-warning", "--officer-cost", "-5"],
     "bianque compare: error: argument --officer-cost: officer cost must be between 0 and "
     "1,000,000,000, got -5"),
    (["compare", INTRO, "--strategies", "wishful"],
     "bianque compare: error: --strategies: unknown strategy 'wishful'; use one of: "
     "do-nothing, late-collection, early-warning, oracle or a rule table file (.yaml)"),
    (["compare", INTRO, "--strategies", "early-warning", "--staff", "8..2"],
     "bianque compare: error: --staff: '8..2' runs backwards; write the smaller count first, "
     "e.g. 2..8"),
    (["compare", INTRO, "--strategies", "early-warning", "--months", "13"],
     "bianque compare: error: --months 13 is beyond the scenario's horizon (12 months); use "
     "at most 12"),
    (["compare", "no_such_case", "--strategies", "early-warning"],
     "no_such_case: (file): no such file, and no shipped case of that name; shipped cases: "),
    (["preview", INTRO, "--months", "13"],
     "bianque preview: error: --months 13 is beyond the scenario's horizon (12 months); use "
     "at most 12"),
    (["generate", "--seed", "-1"],
     "bianque generate: error: argument --seed: seed must be between 0 and "
     "9223372036854775807, got -1"),
    # without --lang, run stays English
    (["run", INTRO, "--reps", "1"],
     "bianque run: error: argument --reps: reps must be between 2 and 100000, got 1"),
])
def test_english_stays_as_it_was(capsys, argv, line):
    rc, lines = said(capsys, *argv)
    assert rc == 2
    assert any(x.startswith(line) for x in lines), lines
    assert not any(CJK.search(x) for x in lines), lines


@pytest.mark.parametrize("args, words", [
    # checked while parsing
    (["--reps", "1"], "bianque run：错误：--reps：重复次数须在 2 至 100000 之间，而给的是 1"),
    (["--seed", "x"], "--seed：随机种子须为整数"),
    (["--months", "0"], "--months：月数须在 1 至 600 之间"),
    (["--workers", "0"], "--workers：进程数须在 1 至 256 之间"),
    (["--strategy"], "--strategy：缺少取值"),
    (["--bogus"], "无法识别的参数：--bogus"),
    (["--lang", "xx"], "--lang：取值 'xx' 无效"),
    # checked by the command, before anything runs
    (["--months", "13"], "bianque run：错误：--months 13 超出了案例期限（12 个月）；最多写 12"),
    (["--strategy", "wishful-thinking"], "--strategy：未知策略 'wishful-thinking'"),
    (["--strategy", "early_warning"], "是不是 'early-warning'？"),
    (["--strategy", "rules"], "--strategy rules 需要一张规则表"),
    (["--strategy", "early-warning", "--rules", str(TUNED)], "给了 --rules 就会运行规则表"),
    (["--rules", "missing.yaml"], "missing.yaml：1 处问题"),
    (["--rules", INTRO], "这是案例文件（含 segments），不是规则表"),
    (["--rules", EMPTY], "这个文件是空的"),
    (["--reps", "2", "--scheduler", ""], "--scheduler 为空"),
])
def test_run_says_its_errors_in_chinese(capsys, args, words):
    rc, lines = said(capsys, "run", INTRO, "--lang", "zh", *args)
    assert rc == 2
    assert_chinese(lines, words)


def test_run_says_a_case_that_does_not_load_in_chinese(capsys):
    rc, lines = said(capsys, "run", "no_such_case", "--lang", "zh")
    assert rc == 2
    assert_chinese(lines, "no_such_case: （文件）: 没有这个文件，也没有这个名字的内置案例")
    rc, lines = said(capsys, "run", BAD_CASE, "--lang", "zh")
    assert rc == 2
    assert_chinese(lines, f"{BAD_CASE}: segments[0].pd_annual: 应大于")


def test_a_rule_table_with_a_built_in_strategy_is_refused_not_run_under_its_name(capsys):
    """`run --strategy early-warning --rules t.yaml` ran the rule table and printed its
    figures under 'strategy early-warning'."""
    rc, lines = said(capsys, "run", INTRO, "--strategy", "early-warning", "--rules", str(TUNED))
    assert rc == 2
    assert lines == ["bianque run: error: --rules runs its rule table, not --strategy "
                     "early-warning: give --strategy rules (or no --strategy) with --rules, "
                     "or leave --rules out to run early-warning"]


def columns(text: str) -> int:
    """The columns a text takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def value_column(row: str, value: str) -> int:
    return columns(row[:row.rindex(value)])


def test_run_prints_its_table_in_chinese_with_the_values_in_one_column(capsys):
    """The same run in both languages: the same figures, named in Chinese, money in 元, and
    each block's values start in one terminal column however wide the names."""
    args = ("run", INTRO, "--seed", "7", "--strategy", "early-warning")
    assert main([*args]) == 0
    en = capsys.readouterr().out.splitlines()
    assert main([*args, "--lang", "zh"]) == 0
    zh = capsys.readouterr().out.splitlines()
    assert len(zh) == len(en)
    assert zh[0].startswith("案例 intro（") and "随机种子 7，策略 早期预警（early-warning）" in zh[0]
    score = zh.index("得分（与同一随机种子下的逾期后催收和全知策略比较）")
    assert en[score].startswith("Score (")
    for block in (range(1, score), range(score + 1, len(zh))):
        starts = set()
        for k in block:
            en_value = re.split(r"\s{2,}", en[k].strip())[-1]
            zh_value = re.split(r"\s{2,}", zh[k].strip())[-1]
            assert CJK.search(zh[k][:zh[k].rindex(zh_value)]), zh[k]  # named in Chinese
            if en_value.startswith("CNY "):
                assert zh_value == en_value[4:] + " 元"
            else:
                assert zh_value == en_value.replace("n/a", "—")
            starts.add(value_column(zh[k], zh_value))
        assert len(starts) == 1, [zh[k] for k in block]


def test_run_prints_its_intervals_in_chinese_lined_up(capsys):
    assert main(["run", INTRO, "--seed", "7", "--reps", "2", "--months", "3", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert main(["run", INTRO, "--seed", "7", "--reps", "2", "--months", "3", "--lang",
                 "zh"]) == 0
    zh = capsys.readouterr().out.splitlines()
    assert zh[0].endswith("；在随机种子 7 的子种子上重复 2 次")
    assert zh[1].strip() == "均值  [95% 区间]"
    rows = zh[2:]
    assert len(rows) == len(figures) and all(CJK.search(r) for r in rows)
    # names without spaces in Chinese: the first run of spaces after the name pads it
    starts = {columns(m[1]) + len(m[2]) for m in (re.match(r"^  (\S*)( +)", r) for r in zh[1:])}
    assert len(starts) == 1, zh


def test_schema_takes_the_language_too(capsys):
    """`schema --lang zh`, as a Chinese user adds to every command, was an English
    'unrecognized arguments' error; the schema printed is the same in both."""
    rc, lines = said(capsys, "schema", "--lang", "zh", "--bogus")
    assert rc == 2
    assert_chinese(lines, "bianque：错误：无法识别的参数：--bogus")
    assert main(["schema"]) == 0
    english = capsys.readouterr().out
    assert main(["schema", "--lang", "zh"]) == 0
    assert capsys.readouterr().out == english
