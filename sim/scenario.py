"""Scenario schema: the case-study file format (YAML) as pydantic models.

One path for input, as in Ciw: raw YAML, then pydantic fills defaults and
validates, then the engine runs. Every field has a range; unknown keys are
errors, so a typo in an instructor's file is reported, not ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MAX_FILE_BYTES = 512 * 1024
"""Largest scenario file accepted; a case study is a few kilobytes."""

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Month = Annotated[int, Field(ge=0, le=600)]

PRODUCTS = ("working_capital", "fixed_asset", "real_estate_dev", "small_business", "consumer")
Product = Literal["working_capital", "fixed_asset", "real_estate_dev", "small_business", "consumer"]
Repayment = Literal["equal_instalment", "equal_principal", "interest_only_bullet"]
CollateralType = Literal[
    "none", "property", "land", "construction", "equipment", "receivables", "deposit"
]
CLASS_KEYS = ("normal", "special_mention", "substandard", "doubtful", "loss")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text shown to users, in Simplified Chinese and English."""

    zh: str = Field(min_length=1, max_length=20000)
    en: str = Field(min_length=1, max_length=20000)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class AmountDist(Strict):
    """Loan amount at disbursement: log-normal around a median, clipped to [min, max]."""

    median_cny: float = Field(gt=0, le=1e11)
    sigma: float = Field(default=0.5, ge=0.0, le=2.5)
    min_cny: float | None = Field(default=None, gt=0)
    max_cny: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _bounds(self) -> AmountDist:
        if self.min_cny is not None and self.max_cny is not None and self.min_cny > self.max_cny:
            raise ValueError("min_cny must not exceed max_cny")
        return self


class RateSpec(Strict):
    """Fixed rate, or floating at LPR plus a spread, repriced every reset_months."""

    kind: Literal["fixed", "floating"]
    annual: float | None = Field(default=None, ge=0.0, le=0.36)
    spread: float | None = Field(default=None, ge=-0.05, le=0.3)
    base: Literal["lpr_1y", "lpr_5y"] = "lpr_1y"
    reset_months: int = Field(default=12, ge=1, le=12)

    @model_validator(mode="after")
    def _kind_fields(self) -> RateSpec:
        if self.kind == "fixed" and self.annual is None:
            raise ValueError("a fixed rate needs 'annual' (for example annual: 0.045)")
        if self.kind == "floating" and self.spread is None:
            raise ValueError("a floating rate needs 'spread' over the LPR (for example spread: 0.01)")
        return self


class Collateral(Strict):
    """Security: type and loan-to-value at disbursement."""

    type: CollateralType = "none"
    ltv: float = Field(default=0.6, gt=0.0, le=1.5)


class Guarantee(Strict):
    """Guarantee links between borrowers of the segment (担保链 when they form a chain)."""

    structure: Literal["none", "single", "mutual", "chain"] = "none"
    share: Share = 0.0
    group_size: int = Field(default=3, ge=2, le=12)


class Segment(Strict):
    """A homogeneous group of loans in the portfolio."""

    id: Slug
    name: Text
    product: Product
    count: int = Field(ge=1, le=200_000)
    amount: AmountDist
    term_months: int = Field(ge=1, le=360)
    repayment: Repayment
    rate: RateSpec
    pd_annual: float = Field(gt=0.0, lt=1.0)
    rho: float = Field(default=0.12, ge=0.0, le=0.9)
    industry: str = Field(min_length=1, max_length=40)
    region: str = Field(min_length=1, max_length=40)
    collateral: Collateral = Collateral()
    guarantee: Guarantee = Guarantee()
    payment_mode: Literal["self", "entrusted"] = "self"
    diversion_share: Share = 0.0
    undrawn_share: Share = 0.0
    seasoning_months: int = Field(default=0, ge=0, le=120)


class LprChange(Strict):
    type: Literal["lpr_change"]
    month: Month
    delta_bp: int = Field(ge=-300, le=300)
    base: Literal["lpr_1y", "lpr_5y", "both"] = "both"
    name: Text | None = None


class PolicyShock(Strict):
    """A policy change that hits named segments (for example property tightening)."""

    type: Literal["policy_shock"]
    month: Month
    segments: list[Slug] = Field(min_length=1)
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: int = Field(default=12, ge=1, le=240)
    name: Text | None = None


class Recession(Strict):
    type: Literal["recession"]
    month: Month
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: int = Field(default=12, ge=1, le=240)
    name: Text | None = None


class Disaster(Strict):
    """A regional disaster; permanent_share of the damage does not heal."""

    type: Literal["disaster"]
    month: Month
    region: str = Field(min_length=1, max_length=40)
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: int = Field(default=4, ge=1, le=60)
    permanent_share: Share = 0.3
    name: Text | None = None


MacroEvent = Annotated[
    LprChange | PolicyShock | Recession | Disaster, Field(discriminator="type")
]


class IndexPoint(Strict):
    month: Month
    value: float = Field(gt=0.0, le=5.0)


ScriptedKind = Literal[
    "health_shock", "diversion_start", "key_person_leaves", "lawsuit_filed",
    "collateral_damage", "sales_drop", "tax_arrears", "recovery",
]


class ScriptedEvent(Strict):
    """An authored event for a named borrower, fired at the given month."""

    month: Month
    kind: ScriptedKind
    severity: float = Field(default=1.0, ge=0.0, le=5.0)
    note: Text | None = None


class NamedBorrower(Strict):
    """A borrower the story needs by name; takes the place of one generated borrower."""

    id: Slug
    segment: Slug
    company: Text
    legal_rep: Text
    amount_cny: float | None = Field(default=None, gt=0, le=1e11)
    guarantor: Slug | None = None
    diverts: bool = False
    events: list[ScriptedEvent] = Field(default_factory=list, max_length=50)


class Staff(Strict):
    officers: int = Field(ge=1, le=10_000)
    hours_per_officer_month: float = Field(default=60.0, gt=0.0, le=200.0)


class ClassIntervals(Strict):
    """Check interval in months for each of the five classes (0 = no routine check)."""

    normal: int = Field(default=3, ge=0, le=24)
    special_mention: int = Field(default=1, ge=0, le=24)
    substandard: int = Field(default=1, ge=0, le=24)
    doubtful: int = Field(default=1, ge=0, le=24)
    loss: int = Field(default=0, ge=0, le=24)


class MonitoringPolicy(Strict):
    interval_months: ClassIntervals = ClassIntervals()
    first_check_days: int = Field(default=30, ge=0, le=365)


class InterventionOverride(Strict):
    hours: float | None = Field(default=None, ge=0.0, le=500.0)
    cost_cny: float | None = Field(default=None, ge=0.0, le=1e9)
    duration_months: float | None = Field(default=None, ge=0.0, le=60.0)


class SignalOverride(Strict):
    lead_months: float | None = Field(default=None, ge=0.0, le=24.0)
    lag_months: int | None = Field(default=None, ge=0, le=12)
    miss_rate: Share | None = None
    false_positive_rate: Share | None = None


class ProvisionRates(Strict):
    """Provision rate per class; default is the 2002 guidance (1/2/25/50/100%)."""

    normal: Share = 0.01
    special_mention: Share = 0.02
    substandard: Share = 0.25
    doubtful: Share = 0.50
    loss: Share = 1.00


class Scenario(Strict):
    """A complete case study."""

    id: Slug
    version: int = Field(default=1, ge=1)
    title: Text
    briefing: Text
    objectives: list[Text] = Field(default_factory=list, max_length=20)
    debrief_notes: list[Text] = Field(default_factory=list, max_length=40)
    lessons: list[Slug] = Field(default_factory=list)
    difficulty: int = Field(default=2, ge=1, le=5)
    expected_minutes: int = Field(default=20, ge=1, le=600)
    published: bool = True
    start: str = Field(default="2024-01", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    horizon_months: int = Field(ge=1, le=120)
    seed: int = Field(default=1, ge=0, le=2**63 - 1)
    lpr_1y: float = Field(default=0.0345, ge=0.0, le=0.2)
    lpr_5y: float = Field(default=0.0395, ge=0.0, le=0.2)
    discount_rate_annual: float = Field(default=0.04, ge=0.0, le=0.3)
    staff: Staff
    monitoring: MonitoringPolicy = MonitoringPolicy()
    segments: list[Segment] = Field(min_length=1, max_length=50)
    macro: list[MacroEvent] = Field(default_factory=list, max_length=200)
    collateral_index: list[IndexPoint] = Field(default_factory=list, max_length=240)
    borrowers: list[NamedBorrower] = Field(default_factory=list, max_length=200)
    interventions_available: list[Slug] | None = None
    intervention_overrides: dict[Slug, InterventionOverride] = Field(default_factory=dict)
    signal_overrides: dict[Slug, SignalOverride] = Field(default_factory=dict)
    provision_rates: ProvisionRates = ProvisionRates()

    @field_validator("segments")
    @classmethod
    def _unique_segments(cls, v: list[Segment]) -> list[Segment]:
        ids = [s.id for s in v]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"segment ids must be unique; repeated: {', '.join(dup)}")
        return v

    @field_validator("collateral_index")
    @classmethod
    def _index_sorted(cls, v: list[IndexPoint]) -> list[IndexPoint]:
        months = [p.month for p in v]
        if months != sorted(set(months)):
            raise ValueError("collateral_index months must be strictly increasing")
        return v

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        seg_ids = {s.id for s in self.segments}
        for i, ev in enumerate(self.macro):
            if ev.month > self.horizon_months:
                raise ValueError(
                    f"macro[{i}] is at month {ev.month}, after the horizon "
                    f"({self.horizon_months}); move it earlier or lengthen horizon_months"
                )
            if isinstance(ev, PolicyShock):
                for s in ev.segments:
                    if s not in seg_ids:
                        raise ValueError(
                            f"macro[{i}] names segment '{s}', which is not defined; "
                            f"use one of: {', '.join(sorted(seg_ids))}"
                        )
        names = [b.id for b in self.borrowers]
        if len(names) != len(set(names)):
            raise ValueError("borrowers: ids must be unique")
        per_segment: dict[str, int] = {}
        for b in self.borrowers:
            if b.segment not in seg_ids:
                raise ValueError(
                    f"borrower '{b.id}' is in segment '{b.segment}', which is not defined; "
                    f"use one of: {', '.join(sorted(seg_ids))}"
                )
            per_segment[b.segment] = per_segment.get(b.segment, 0) + 1
            if b.guarantor is not None and b.guarantor not in names:
                raise ValueError(
                    f"borrower '{b.id}' names guarantor '{b.guarantor}', which is not a named borrower"
                )
            if b.guarantor == b.id:
                raise ValueError(f"borrower '{b.id}' cannot guarantee itself")
            for ev in b.events:
                if ev.month > self.horizon_months:
                    raise ValueError(
                        f"borrower '{b.id}' has an event at month {ev.month}, after the horizon"
                    )
        for seg in self.segments:
            if per_segment.get(seg.id, 0) > seg.count:
                raise ValueError(
                    f"segment '{seg.id}' has {seg.count} loans but {per_segment[seg.id]} named "
                    "borrowers; raise its count"
                )
        if self.interventions_available is not None or self.intervention_overrides:
            from sim.defaults import INTERVENTIONS

            unknown = [
                k for k in [*(self.interventions_available or []), *self.intervention_overrides]
                if k not in INTERVENTIONS
            ]
            if unknown:
                raise ValueError(
                    f"unknown intervention(s): {', '.join(unknown)}; "
                    f"known: {', '.join(INTERVENTIONS)}"
                )
        if self.signal_overrides:
            from sim.defaults import SIGNALS

            unknown = [k for k in self.signal_overrides if k not in SIGNALS]
            if unknown:
                raise ValueError(
                    f"unknown signal(s): {', '.join(unknown)}; known: {', '.join(SIGNALS)}"
                )
        return self

    def content_hash(self) -> str:
        """A stable hash of the scenario's content, for attempts and golden files."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def n_loans(self) -> int:
        return sum(s.count for s in self.segments)


class ScenarioError(Exception):
    """A scenario could not be loaded; `problems` lists (field path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: {len(problems)} problem(s)"]
        lines += [f"  - {path}: {msg}" for path, msg in problems]
        super().__init__("\n".join(lines))


_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove this key or check its spelling",
    "greater_than": "use a larger number",
    "greater_than_equal": "use a larger number",
    "less_than": "use a smaller number",
    "less_than_equal": "use a smaller number",
    "string_pattern_mismatch": "use lower-case letters, digits, '_' or '-' (e.g. 'wc_loans')",
    "literal_error": "use one of the allowed values",
    "union_tag_invalid": "set 'type' to one of: lpr_change, policy_shock, recession, disaster",
    "union_tag_not_found": "add a 'type' key: lpr_change, policy_shock, recession or disaster",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "float_parsing": "write a number",
    "bool_parsing": "write true or false",
    "list_type": "write a list (YAML '- item' lines)",
    "dict_type": "write a mapping (YAML 'key: value' lines)",
    "model_type": "write a mapping (YAML 'key: value' lines)",
    "string_type": "write text",
    "too_short": "add at least one entry",
    "too_long": "remove entries",
}


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("lpr_change", "policy_shock", "recession", "disaster"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(file)"


def explain(err: ValidationError) -> list[tuple[str, str]]:
    """Turn a pydantic error into (field path, message with a fix) pairs."""
    problems = []
    for e in err.errors(include_url=False):
        path = _path(e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        fix = _FIXES.get(e["type"])
        if e["type"] == "literal_error" and "expected" in msg:
            fix = None
        problems.append((path, f"{msg}" + (f" ({fix})" if fix else "")))
    return problems


def parse_scenario(text: str, source: str = "<text>") -> Scenario:
    """Parse and validate YAML text; raise ScenarioError with every problem found."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise ScenarioError(
            source, [("(file)", f"file is larger than {MAX_FILE_BYTES // 1024} KB; "
                      "a case study should be a few KB: split or trim it")]
        )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            source, [(where, f"not valid YAML: {problem} (check indentation and quotes)")]
        ) from None
    except RecursionError:
        raise ScenarioError(source, [("(file)", "YAML is nested too deeply")]) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            source, [("(file)", "the file must be a YAML mapping of keys such as id, title, "
                      "segments; see scenarios/intro.yaml")]
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(source, explain(err)) from None
    except RecursionError:
        raise ScenarioError(source, [("(file)", "YAML is nested too deeply")]) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; every failure is a ScenarioError naming the file."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ScenarioError(str(p), [("(file)", f"cannot read: {exc.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            str(p), [("(file)", f"file is {size // 1024} KB, larger than the "
                      f"{MAX_FILE_BYTES // 1024} KB limit; trim it")]
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(str(p), [("(file)", "not UTF-8 text; save it as UTF-8")]) from None
    except OSError as exc:
        raise ScenarioError(str(p), [("(file)", f"cannot read: {exc.strerror}")]) from None
    return parse_scenario(text, str(p))


SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def scenario_paths(directory: Path = SCENARIO_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if re.match(r"^[a-z0-9_\-]+\.yaml$", p.name))


def json_schema() -> dict:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Bianque scenario"
    return schema
