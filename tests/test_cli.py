"""Tests for the ``bianque`` command line: validate reports every bad file without a
traceback, schema matches the committed copy. (Tests of ``run`` against the engine live
with the engine.)"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sim.inputs import MAX_FILE_BYTES
from sim.scenario import scenario_paths
from training.cli import fmt_value, main, schema_text

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
BAD_DIR = ROOT / "tests" / "badinput"
SCHEMA_FILE = ROOT / "scenarios" / "scenario.schema.json"
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))

# What the report must point at for each committed bad file: a field path (broken references
# included), a line, or the words that say what to do.
EXPECTED = {
    "alias_bomb.yaml": "objectives[0]",
    "amount_in_wan.yaml": "segments[0].amount.median_cny: Input should be greater than or "
                          "equal to 100 (use a larger number)",
    "amount_thousands_commas.yaml": "segments[0].amount.median_cny: Input should be a valid "
                                    "number, unable to parse string as a number (write the "
                                    "number alone, in digits, with no commas or units: "
                                    "'2,000,000' is 2000000)",
    "bad_start_format.yaml": "start: '2024/1' is not a month in the form year-month; "
                             'write the month as "2024-01"',
    "borrower_missing_segment.yaml": "borrowers[0].segment: borrower 'jiangnan' is in segment "
                                     "'machinery', which is not defined; use one of: wc",
    "collateral_index_unsorted.yaml": "collateral_index:",
    "count_chinese_numeral.yaml": "segments[0].count: Input should be a valid integer (write "
                                  "the number alone, in digits, with no commas or units: "
                                  "'二十' is 20)",
    "comments_only.yaml": "this one is empty (or only comments): choose the file itself",
    "deeply_nested.yaml": "nested too deeply",
    "duplicate_segment_ids.yaml": "segments: segment ids must be unique",
    "empty.yaml": "this one is empty (or only comments): choose the file itself",
    "fixed_without_annual.yaml": "segments[0].rate:",
    "floating_without_spread.yaml": "segments[0].rate:",
    "guarantor_undefined.yaml": "borrowers[0].guarantor: borrower 'jiangnan' names guarantor "
                                "'huadong'",
    "list_not_mapping.yaml": "(file): the file must be a YAML mapping",
    "ltv_as_percent.yaml": "segments[0].collateral.ltv: Input should be less than or equal "
                           "to 1.5 (use a smaller number: it is a share, so write 60% as 0.6)",
    "macro_after_horizon.yaml": "macro[0].month: macro[0] is at month 18",
    "missing_staff.yaml": "staff: Field required",
    "negative_amount.yaml": "segments[0].amount.median_cny:",
    "no_collateral_ltv_zero.yaml": "segments[0].collateral.ltv: ltv is the loan's share of the "
                                   "collateral's appraised value (0.6 is 60%), so it cannot be "
                                   "0; for a loan without collateral write 'type: none' and "
                                   "leave ltv out",
    "officers_quoted.yaml": "staff.officers: Input should be a valid integer (write the whole "
                            "number without quotes, as 2: in quotes it is text)",
    "pd_above_one.yaml": "segments[0].pd_annual:",
    "pd_zero.yaml": "segments[0].pd_annual:",
    "policy_shock_missing_segment.yaml": "macro[0].segments[0]: macro[0] names segment "
                                         "'developers'",
    "rho_two.yaml": "segments[0].rho:",
    "segment_id_uppercase.yaml": "segments[0].id:",
    "start_as_date.yaml": "start: start is read as the date 2024-01-01, but a month is wanted; "
                          'write the month as "2024-01"',
    "start_impossible_day.yaml": "start: '2025-02-30' is not a month in the form year-month; "
                                 'write the month as "2024-01" (here "2025-02")',
    "start_month_13.yaml": "start: '2025-13' has no month 13: months run from 01 to 12",
    "term_zero.yaml": "segments[0].term_months:",
    "text_comma_unquoted.yaml": "segments[0].name.原材料采购: unknown key '原材料采购' (a comma "
                                "inside {zh: ..., en: ...} starts a new key: put the text in "
                                "quotes",
    "too_many_named_borrowers.yaml": "segments[0].count: segment 'wc' has 2 loans but 3 named "
                                     "borrowers",
    "unknown_intervention.yaml": "interventions_available[1]: unknown intervention(s): "
                                 "call_the_boss; use one of: closer_monitoring, onsite_check",
    "unknown_key_horizon_month.yaml": "horizon_month: unknown key 'horizon_month'; "
                                      "did you mean 'horizon_months'?",
    "unknown_macro_type.yaml": "macro[0]:",
    "unknown_product.yaml": "segments[0].product:",
    "unknown_signal.yaml": "signal_overrides.stock_price_drop: unknown signal(s): "
                           "stock_price_drop; use one of: payment_late",
    "wrong_type_amount_wan.yaml": "segments[0].amount.median_cny: Input should be a valid "
                                  "number, unable to parse string as a number (write the "
                                  "number alone, in digits, with no commas or units: '200万' "
                                  "is 2000000)",
    "wrong_type_count.yaml": "segments[0].count:",
    "wrong_type_pd_percent.yaml": "segments[0].pd_annual: Input should be a valid number, "
                                  "unable to parse string as a number (write it as a share: "
                                  "3% is 0.03)",
    "wrong_type_title_string.yaml": "title:",
    "yaml_bad_indent.yaml": ": line ",
    "yaml_colon_in_text.yaml": ": line 5, column 19: not valid YAML: the text of 'en' on line 5 "
                               "has ': ' in it, which YAML reads as the start of another key; "
                               "put the text in quotes: en: \"Monday class: minimal case\"",
    "yaml_fullwidth_colon.yaml": ": line 9, column 1: not valid YAML: could not find expected "
                                 "':' after the key on line 9",
    "yaml_pasted_twice.yaml": ": line ",
    "yaml_python_tag.yaml": ": line 2, column 5: not valid YAML here: "
                            "'!!python/object:builtins.str' on line 2 is a YAML tag",
    "yaml_tab_indent.yaml": ": line ",
    "yaml_two_documents.yaml": ": line 32, column 1: not valid YAML: the file holds more than "
                               "one YAML document: the '---' at line 32 starts a second one",
    "yaml_unclosed_quote.yaml": ": line 5, column 7: not valid YAML: the quote opened at line 5 "
                                "is never closed (still open at line 29",
}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def run_subprocess(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "training.cli", *argv], cwd=ROOT,
                          capture_output=True, encoding="utf-8", timeout=timeout)


def assert_reported_bad(rc: int, out: str, err: str, name: str) -> None:
    assert rc == 2, out + err
    assert "Traceback" not in out + err
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, "a bad file must be reported"
    assert all(line.startswith(f"{name}: ") for line in lines), out


# --- validate: the bad-input corpus ---------------------------------------------------------


def test_bad_input_corpus_is_complete():
    assert len(BAD_FILES) >= 24
    assert sorted(p.name for p in BAD_FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.name for p in BAD_FILES])
def test_validate_reports_each_bad_file(capsys, path):
    name = str(path)
    rc, out, err = run_cli(capsys, "validate", name)
    assert_reported_bad(rc, out, err, name)
    assert EXPECTED[path.name] in out, out


def _generated_bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Bad files that cannot be committed as text: each with the words the report must hold."""
    text = MINIMAL.read_text(encoding="utf-8")
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, expect: str) -> None:
        p = tmp / name
        p.write_bytes(data)
        files[name] = (p, expect)

    put("binary.yaml", random.Random(7).randbytes(4096), "not UTF-8")
    put("png_renamed.yaml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "not UTF-8")
    put("control_chars.yaml", b"id: x\x00\x01\x02\nhorizon_months: 12\n", "not valid YAML")
    put("gbk.yaml", text.encode("gbk"), "not UTF-8")
    put("utf16.yaml", text.encode("utf-16"), "not UTF-8")
    # UTF-16 saved without its mark, of Latin text only, decodes as UTF-8 (zero bytes are
    # valid UTF-8): it was read and refused as 'unacceptable character #x0000'
    put("utf16_no_mark.yaml", "id: minimal\nhorizon_months: 12\n".encode("utf-16-le"),
        "it is UTF-16")
    # a workbook's first bytes are an archive header, which may well decode as UTF-8
    put("xlsx_renamed.yaml", b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" * 20,
        "this is an Excel workbook")
    put("oversized.yaml", text.encode() + b"#" * (MAX_FILE_BYTES + 1), "KB limit")
    big_list = "objectives:\n" + "  - {zh: 目标, en: goal}\n" * 30_000
    put("oversized_real.yaml", (text + big_list).encode(), "KB limit")
    return files


def test_validate_reports_generated_bad_files(capsys, tmp_path):
    for name, (path, expect) in _generated_bad_files(tmp_path).items():
        rc, out, err = run_cli(capsys, "validate", str(path))
        assert_reported_bad(rc, out, err, str(path))
        assert expect in out, (name, out)


def test_validate_missing_file_and_empty_directory(capsys, tmp_path):
    rc, out, err = run_cli(capsys, "validate", str(tmp_path / "nope.yaml"), str(tmp_path))
    assert rc == 2 and "Traceback" not in out + err
    assert f"{tmp_path / 'nope.yaml'}: (file): cannot read" in out
    assert f"{tmp_path}: (file): no scenario files" in out


def test_validate_reports_every_file_and_every_problem(capsys, tmp_path):
    d = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    d["segments"][0].update(pd_annual=0, rho=2)
    two = tmp_path / "two_problems.yaml"
    two.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    bad = BAD_DIR / "pd_zero.yaml"
    rc, out, _ = run_cli(capsys, "validate", str(MINIMAL), str(two), str(bad))
    assert rc == 2
    lines = out.splitlines()
    assert lines[0] == f"OK {MINIMAL}: minimal, 20 loans, 12 months"
    assert f"{two}: segments[0].pd_annual: " in out and f"{two}: segments[0].rho: " in out
    assert lines[-1].startswith(f"{bad}: segments[0].pd_annual: ")


def test_validate_reports_yaml_traps(capsys, tmp_path):
    """Mistakes YAML itself hides: a key given twice, .nan, yes for a number."""
    text = MINIMAL.read_text(encoding="utf-8")
    cases = {
        "twice.yaml": (text + "horizon_months: 24\n",
                       ": line 30, column 1: duplicate key 'horizon_months' at line 30: keep one "
                       "(it is also at line 10)"),
        "nan.yaml": (text.replace("pd_annual: 0.03", "pd_annual: .nan"),
                     ": segments[0].pd_annual: Input should be a finite number"),
        "inf.yaml": (text.replace("median_cny: 2000000", "median_cny: .inf"),
                     ": segments[0].amount.median_cny: Input should be a finite number"),
        "count_yes.yaml": (text.replace("count: 20", "count: yes"),
                           ": segments[0].count: Input should be a valid integer "
                           "(write a whole number; YAML reads yes/no"),
    }
    for name, (body, expect) in cases.items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        rc, out, err = run_cli(capsys, "validate", str(path))
        assert_reported_bad(rc, out, err, str(path))
        assert f"{path}{expect}" in out, out


def test_validate_reports_every_broken_reference(capsys, tmp_path):
    d = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    d["macro"] = [{"type": "recession", "month": 30, "severity": 1}]
    d["interventions_available"] = ["onsite_chek"]
    d["signal_overrides"] = {"nah": {"lag_months": 1}}
    path = tmp_path / "refs.yaml"
    path.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    rc, out, err = run_cli(capsys, "validate", str(path))
    assert_reported_bad(rc, out, err, str(path))
    assert [line.split(": ")[1] for line in out.splitlines()] == [
        "macro[0].month", "interventions_available[0]", "signal_overrides.nah"]
    assert "did you mean 'onsite_check'?" in out


def test_validate_guards_unexpected_errors(capsys, monkeypatch):
    def boom(path):
        raise RuntimeError("engine\nexploded")

    monkeypatch.setattr("training.cli.load_scenario", boom)
    rc, out, err = run_cli(capsys, "validate", "case.yaml")
    assert rc == 2
    assert out == "case.yaml: (file): cannot check this file: RuntimeError: engine exploded\n"


# --- validate: good files -------------------------------------------------------------------


def test_validate_minimal(capsys):
    rc, out, err = run_cli(capsys, "validate", str(MINIMAL))
    assert (rc, out, err) == (0, f"OK {MINIMAL}: minimal, 20 loans, 12 months\n", "")


def test_validate_directory(capsys, tmp_path):
    (tmp_path / "a.yaml").write_bytes(MINIMAL.read_bytes())
    rc, out, _ = run_cli(capsys, "validate", str(tmp_path))
    assert rc == 0
    assert out == f"OK {tmp_path / 'a.yaml'}: minimal, 20 loans, 12 months\n"


SHIPPED = scenario_paths()


@pytest.mark.skipif(not SHIPPED, reason="no scenarios/*.yaml yet")
def test_validate_every_shipped_scenario(capsys):
    rc, out, err = run_cli(capsys, "validate", *map(str, SHIPPED))
    assert rc == 0, out + err
    assert out.count("OK ") == len(SHIPPED)


# --- schema -----------------------------------------------------------------------------------


def test_schema_matches_committed_file(capsys):
    rc, out, _ = run_cli(capsys, "schema")
    assert rc == 0
    assert out == SCHEMA_FILE.read_text(encoding="utf-8"), (
        "scenarios/scenario.schema.json is stale: regenerate it with "
        "`.venv/bin/bianque schema > scenarios/scenario.schema.json`")
    assert out == schema_text()


def test_schema_file_agrees_with_the_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(yaml.safe_load(MINIMAL.read_text(encoding="utf-8")))) == []
    # Field-level mistakes are caught by editors that read the JSON Schema, too.
    for name in ("pd_zero", "rho_two", "unknown_product", "wrong_type_count",
                 "unknown_key_horizon_month", "negative_amount", "term_zero", "missing_staff"):
        data = yaml.safe_load((BAD_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        assert list(validator.iter_errors(data)), name


# --- arguments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    [],
    ["frobnicate"],
    ["validate"],
    ["run", str(MINIMAL), "--seed", "-1"],
    ["run", str(MINIMAL), "--seed", "abc"],
    ["run", str(MINIMAL), "--seed", "1.5"],
    ["run", str(MINIMAL), "--months", "-3"],
    ["run", str(MINIMAL), "--months", "0"],
    ["run", str(MINIMAL), "--months", "1.5"],
    ["run", str(MINIMAL), "--reps", "1"],
])
def test_bad_arguments_exit_2_with_a_usage_message(capsys, argv):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2
    assert "usage: bianque" in err and "error:" in err
    assert "Traceback" not in out + err


def test_run_reports_a_bad_scenario_before_running(capsys):
    bad = str(BAD_DIR / "pd_zero.yaml")
    rc, out, err = run_cli(capsys, "run", bad)
    assert rc == 2
    assert f"{bad}: segments[0].pd_annual: " in err


def test_a_shipped_case_can_be_named_instead_of_its_file(capsys, tmp_path, monkeypatch):
    # "bianque run intro" from any directory, as the case is called in the app
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_cli(capsys, "run", "intro", "--months", "2")
    assert rc == 0, err
    rc, named, _ = run_cli(capsys, "run", "intro", "--months", "2", "--json")
    rc, filed, _ = run_cli(capsys, "run", str(ROOT / "scenarios" / "intro.yaml"), "--months", "2",
                           "--json")
    assert json.loads(named) == json.loads(filed)
    # a name that is no file and no shipped case lists the shipped ones
    rc, out, err = run_cli(capsys, "run", "intr")
    assert rc == 2 and "Traceback" not in out + err
    assert "no shipped case of that name" in err and "intro, " in err
    # a file of that name here is the file, not the shipped case
    (tmp_path / "intro").write_text("id: [", encoding="utf-8")
    rc, out, err = run_cli(capsys, "run", "intro")
    assert rc == 2 and "intro: " in err and "shipped" not in err


def test_run_rejects_months_beyond_the_horizon(capsys):
    rc, out, err = run_cli(capsys, "run", str(MINIMAL), "--months", "13")
    assert rc == 2
    assert "beyond the scenario's horizon (12 months)" in err


def test_help_exits_0(capsys):
    rc, out, _ = run_cli(capsys, "--help")
    assert rc == 0 and "validate" in out and "schema" in out and "run" in out


def test_version_names_the_installed_release(capsys):
    """An operator's bug report names the release: `bianque --version` said it was not an
    option."""
    from importlib.metadata import version

    rc, out, _ = run_cli(capsys, "--version")
    assert rc == 0 and out.strip() == f"bianque {version('bianque')}"


# --- figures for people ------------------------------------------------------


@pytest.mark.parametrize(("key", "value", "text"), [
    ("loss", 1234567.4, "CNY 1,234,567"),
    ("default_rate", 0.0523, "5.23%"),
    ("npl_ratio_peak", 0.1, "10.00%"),
    ("compliance", 1.0, "100.00%"),
    ("loss_rate", 0.0264, "2.64%"),
    ("defaults", 12, "12"),
    ("loans", 20000, "20,000"),
    ("hours", 12.5, "12.50"),
    ("index", None, "n/a"),
    ("loss_oracle", 83392.4, "CNY 83,392"),
    ("provisions_end", 2443358.0, "CNY 2,443,358"),
    ("strategy", "oracle", "oracle"),
])
def test_figures_are_formatted_for_people(key, value, text):
    assert fmt_value(key, value) == text


# --- the same, as a real process ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["yaml_tab_indent.yaml", "deeply_nested.yaml",
                                  "unknown_key_horizon_month.yaml"])
def test_subprocess_bad_file(name):
    path = str(BAD_DIR / name)
    proc = run_subprocess("validate", path)
    assert_reported_bad(proc.returncode, proc.stdout, proc.stderr, path)
    assert EXPECTED[name] in proc.stdout


def test_subprocess_alias_bomb_is_rejected_quickly():
    path = str(BAD_DIR / "alias_bomb.yaml")
    start = time.monotonic()
    proc = run_subprocess("validate", path, timeout=30)
    assert time.monotonic() - start < 15
    assert_reported_bad(proc.returncode, proc.stdout, proc.stderr, path)


def test_subprocess_generated_bad_files(tmp_path):
    files = _generated_bad_files(tmp_path)
    proc = run_subprocess("validate", *(str(p) for p, _ in files.values()))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    for path, expect in files.values():
        assert f"{path}: (file): " in proc.stdout or f"{path}: line " in proc.stdout
        assert any(line.startswith(f"{path}: ") and expect in line
                   for line in proc.stdout.splitlines()), (path, proc.stdout)


def test_subprocess_validate_ok_and_schema():
    proc = run_subprocess("validate", str(MINIMAL))
    assert (proc.returncode, proc.stdout) == (0, f"OK {MINIMAL}: minimal, 20 loans, 12 months\n")
    proc = run_subprocess("schema")
    assert proc.returncode == 0
    assert proc.stdout == SCHEMA_FILE.read_text(encoding="utf-8")


def test_subprocess_bad_argument():
    proc = run_subprocess("run", str(MINIMAL), "--months", "-1")
    assert proc.returncode == 2
    assert "--months" in proc.stderr and "Traceback" not in proc.stderr


def test_validate_names_a_likely_slip_but_the_file_stays_valid(capsys, tmp_path):
    """pd_annual 0.5 loads (a crisis book is possible) but is most likely 0.5% written as
    0.5: the file is OK (exit 0) and the caution says what to write, in English or Chinese."""
    text = MINIMAL.read_text(encoding="utf-8")
    assert "pd_annual: 0.03" in text
    path = tmp_path / "slip.yaml"
    path.write_text(text.replace("pd_annual: 0.03", "pd_annual: 0.5"), encoding="utf-8")
    rc, out, _ = run_cli(capsys, "validate", str(path))
    assert rc == 0 and out.startswith("OK ")
    assert f"{path}: segments[0].pd_annual: check: " in out and "write 0.005" in out
    rc, out, _ = run_cli(capsys, "validate", "--lang", "zh", str(path))
    assert rc == 0 and "请核对" in out and "0.005" in out


@pytest.mark.parametrize("name, words", [
    ("ltv_as_percent.yaml", "segments[0].collateral.ltv: 应小于或等于 1.5（请改用更小的数：这是比例，"
                            "60% 请写成 0.6）"),
    ("unknown_key_horizon_month.yaml", "horizon_month: 无法识别的键 'horizon_month'；是不是 "
                                       "'horizon_months'？"),
    ("wrong_type_count.yaml", "segments[0].count: 应为整数（请写整数）"),
    ("missing_staff.yaml", "staff: 缺少此字段（请补上这个字段）"),
    ("text_comma_unquoted.yaml", "逗号会开始一个新键：请给文本加引号"),
    # a case's own cross-checks too
    ("macro_after_horizon.yaml", "macro[0].month: macro[0] 在第 18 个月，晚于案例期限（12 个月）"),
    ("guarantor_undefined.yaml", "借款人 'jiangnan' 的保证人 'huadong' 不是已列出的借款人"),
    ("too_many_named_borrowers.yaml", "请把 count 至少提高到 3"),
    ("yaml_fullwidth_colon.yaml", "全角冒号'：'不是 YAML 的冒号：请输入半角 ':' 再加一个空格"),
    ("yaml_colon_in_text.yaml", "第 5 行 'en' 的文本里有 ': '，YAML 会把它读成另一个键的开始；"
                                "请给文本加引号：en: \"Monday class: minimal case\""),
    ("wrong_type_pd_percent.yaml", "segments[0].pd_annual: 应为数字（请写成比例：3% 应写成 0.03）"),
    ("start_impossible_day.yaml", "start: '2025-02-30' 不是“年-月”形式的月份；请把月份写成 "
                                  '"2024-01"（这里是 "2025-02"）'),
    ("count_chinese_numeral.yaml", "segments[0].count: 应为整数（请只写阿拉伯数字，不加逗号和单位："
                                   "'二十' 应写成 20）"),
    ("amount_thousands_commas.yaml", "'2,000,000' 应写成 2000000"),
    ("officers_quoted.yaml", "请去掉引号，写成 2：加了引号就是文本"),
    ("start_as_date.yaml", 'start 被读成了日期 2024-01-01，这里要的是月份；请把月份写成 "2024-01"'),
    # the parser's English ("but found another document", "could not determine a
    # constructor") stayed inside the Chinese message, and ltv 0 got "应大于 0.0"
    ("yaml_two_documents.yaml", "第 32 行的 '---' 开始了第二个文档"),
    ("yaml_python_tag.yaml", "第 2 行的 '!!python/object:builtins.str' 是 YAML 标签"),
    ("no_collateral_ltv_zero.yaml", "没有押品的贷款请写 'type: none'，并删去 ltv 这一行"),
])
def test_validate_speaks_chinese_for_the_schema_checks(capsys, name, words):
    """Every problem a Chinese instructor meets is said in Chinese (the messages were
    English only); the whole bad-input corpus is checked below."""
    path = str(ROOT / "tests" / "badinput" / name)
    rc, out, err = run_cli(capsys, "validate", "--lang", "zh", path)
    assert_reported_bad(rc, out, err, path)
    assert words in out, out


def test_every_bad_file_is_reported_in_chinese(capsys):
    for path in BAD_FILES:
        rc, out, err = run_cli(capsys, "validate", "--lang", "zh", str(path))
        assert_reported_bad(rc, out, err, str(path))
        assert re.search(r"[\u4e00-\u9fff]", out.split(": ", 2)[-1]), out


def test_every_bad_conversation_is_reported_in_chinese(capsys):
    for path in sorted((ROOT / "tests" / "badinput" / "roleplay").glob("*.yaml")):
        rc, out, err = run_cli(capsys, "validate", "--lang", "zh", str(path))
        assert rc == 2 and "Traceback" not in out + err, out + err
        assert re.search(r"[\u4e00-\u9fff]", out.split(": ", 2)[-1]), out


def test_a_problems_place_is_said_in_chinese_too(capsys):
    """validate --lang zh said where a YAML slip was in English ("line 2, column 1:") and a
    whole-file problem as "(file):", before the Chinese message; a conversation's key list
    was English too. The place now reads 第 2 行第 1 列 and （文件）."""
    places = set()
    for path in BAD_FILES + sorted((ROOT / "tests" / "badinput" / "roleplay").glob("*.yaml")):
        _rc, out, _err = run_cli(capsys, "validate", "--lang", "zh", str(path))
        for line in out.splitlines():
            place = line.removeprefix(f"{path}: ").split(": ", 1)[0]
            assert not re.fullmatch(r"line \d+.*|\(file\)", place), line
            places.add(place)
    assert any(re.fullmatch(r"第 \d+ 行第 \d+ 列", p) for p in places)
    assert "（文件）" in places
    rc, out, _ = run_cli(capsys, "validate", "--lang", "zh",
                         str(ROOT / "tests" / "badinput" / "roleplay" / "list_not_mapping.yaml"))
    assert rc == 2 and "roleplays/ 中的示例" in out, out


def test_validate_names_an_ltv_on_a_segment_without_collateral(capsys, tmp_path):
    """`collateral: {type: none, ltv: 0.7}` loads (a case saved that way still opens) but the
    ltv is ignored: validate says OK (exit 0) and names the field and the fix, in English and
    Chinese; with the ltv line deleted, nothing is said."""
    text = MINIMAL.read_text(encoding="utf-8")
    assert "collateral" not in text and "    region: " in text
    at = text.index("\n", text.index("    region: ")) + 1  # the first segment's last line
    path = tmp_path / "unsecured.yaml"
    path.write_text(text[:at] + "    collateral:\n      type: none\n      ltv: 0.7\n" + text[at:],
                    encoding="utf-8")
    rc, out, err = run_cli(capsys, "validate", str(path))
    assert rc == 0 and out.startswith("OK ") and err == ""
    assert f"{path}: segments[0].collateral.ltv: check: " in out
    assert "collateral type is none" in out and "delete the ltv line" in out
    rc, out, _ = run_cli(capsys, "validate", "--lang", "zh", str(path))
    assert rc == 0 and out.startswith("OK ")
    assert f"{path}: segments[0].collateral.ltv: 请核对: " in out and "删去 ltv" in out
    path.write_text(text[:at] + "    collateral:\n      type: none\n" + text[at:], encoding="utf-8")
    rc, out, _ = run_cli(capsys, "validate", str(path))
    assert rc == 0 and "collateral" not in out


def test_a_generated_unsecured_segment_is_written_without_an_ltv(capsys, tmp_path):
    """The generator draws no ltv for an unsecured segment, and its file says none either,
    so a generated case validates without a caution about it."""
    found = 0
    for seed in range(1, 12):
        path = tmp_path / f"g{seed}.yaml"
        assert run_cli(capsys, "generate", "--seed", str(seed), "--out", str(path))[0] == 0
        segs = yaml.safe_load(path.read_text(encoding="utf-8"))["segments"]
        unsecured = [s for s in segs if s["collateral"]["type"] == "none"]
        found += len(unsecured)
        assert all("ltv" not in s["collateral"] for s in unsecured), seed
        rc, out, _ = run_cli(capsys, "validate", str(path))
        assert rc == 0 and "collateral.ltv" not in out, seed
    assert found  # the seeds drew some unsecured segments to check
