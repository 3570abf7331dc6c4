"""Where this installation's cases and rule tables are: the folder a training centre names
in BIANQUE_SCENARIO_DIR, else the shipped ``scenarios/``. Every page that lists cases or
rule tables asks here (the lab once read its rule tables from the shipped folder while its
cases came from the centre's)."""

from __future__ import annotations

import os
from pathlib import Path

from sim.scenario import SCENARIO_DIR

SCENARIO_DIR_ENV = "BIANQUE_SCENARIO_DIR"
RULES = "rules"  # the rule tables' subfolder
DEFAULT_RULE_TABLE = "tuned.yaml"


def scenario_dir() -> Path:
    """The cases' folder: BIANQUE_SCENARIO_DIR when set, else the shipped one."""
    return Path(os.environ.get(SCENARIO_DIR_ENV) or SCENARIO_DIR)


def rule_table_paths() -> list[Path]:
    """The rule table files of the cases' folder (its ``rules/``), by file name."""
    return sorted((scenario_dir() / RULES).glob("*.y*ml"))


def default_rule_table_path() -> Path:
    """The table the lab's rule editor starts from: the folder's ``rules/tuned.yaml``, else
    the shipped one (a centre's folder need not have one)."""
    own = scenario_dir() / RULES / DEFAULT_RULE_TABLE
    return own if own.is_file() else SCENARIO_DIR / RULES / DEFAULT_RULE_TABLE
