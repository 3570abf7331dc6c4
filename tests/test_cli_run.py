"""`bianque run`: what an instructor's or manager's script relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from training.cli import main

ROOT = Path(__file__).resolve().parent.parent
INTRO = str(ROOT / "scenarios" / "intro.yaml")
RULES = str(ROOT / "scenarios" / "rules" / "tuned.yaml")
SUMMARY_KEYS = {"loans", "months", "defaults", "default_rate", "npl_ratio_end",
                "npl_ratio_peak", "loss", "loss_rate"}
SCORE_KEYS = {"index", "loss", "saves", "missed_warnings", "hours", "compliance",
              "npl_ratio_peak"}


def run_json(capsys, *args) -> dict:
    assert main(["run", INTRO, *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_run_json_has_the_summary_keys(capsys):
    out = run_json(capsys, "--seed", "3")
    assert set(out) >= SUMMARY_KEYS
    assert out["loans"] == 50 and out["months"] == 12
    assert 0 <= out["default_rate"] <= 1 and out["npl_ratio_peak"] >= out["npl_ratio_end"]
    assert out["loss"] > 0 and 0 < out["loss_rate"] < 1


def test_run_is_reproducible_and_seed_dependent(capsys):
    a = run_json(capsys, "--seed", "3")
    b = run_json(capsys, "--seed", "3")
    c = run_json(capsys, "--seed", "4")
    assert a == b
    assert a != c


def test_run_with_a_strategy_adds_a_score(capsys):
    out = run_json(capsys, "--seed", "3", "--strategy", "early-warning")
    assert set(out["score"]) >= SCORE_KEYS
    late = run_json(capsys, "--seed", "3", "--strategy", "late-collection")
    assert late["score"]["index"] == pytest.approx(0.0, abs=1e-9)
    oracle = run_json(capsys, "--seed", "3", "--strategy", "oracle")
    assert oracle["score"]["index"] == pytest.approx(1.0, abs=1e-9)


def test_run_with_a_rule_table(capsys):
    out = run_json(capsys, "--seed", "3", "--rules", RULES)
    assert out["score"]["strategy"] == "tuned"


def test_replications_print_means_with_intervals(capsys):
    out = run_json(capsys, "--seed", "3", "--reps", "3", "--strategy", "early-warning")
    for key in ("loss", "default_rate"):
        assert out[key]["lo"] <= out[key]["mean"] <= out[key]["hi"] and out[key]["n"] == 3
    assert out["score"]["saves"]["n"] == 3


def test_unknown_strategy_is_a_clear_error(capsys):
    assert main(["run", INTRO, "--strategy", "wishful-thinking"]) == 2
    err = capsys.readouterr()
    assert "wishful-thinking" in err.err + err.out
    assert "Traceback" not in err.err + err.out
    # an underscore for the dash is named with the name meant
    assert main(["run", INTRO, "--strategy", "early_warning"]) == 2
    assert "did you mean 'early-warning'?" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["", "scenarios"])
def test_a_folder_or_an_empty_name_is_named_as_such_with_the_cases_to_give(capsys, name):
    """`bianque run "$CASE"` with CASE unset said "(file): cannot read: Is a directory"."""
    assert main(["run", name]) == 2
    err = capsys.readouterr().err
    assert "names a folder, not a case" in err and "intro" in err and "Traceback" not in err


def test_the_installed_command_runs_a_shipped_case():
    proc = subprocess.run([sys.executable, "-m", "training.cli", "run", INTRO, "--json"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) >= SUMMARY_KEYS
