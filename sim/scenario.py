"""Scenario schema: the case-study file format (YAML) as pydantic models.

One path for input, as in Ciw: raw YAML, then pydantic fills defaults and
validates, then the engine runs. Every field has a range; unknown keys are
errors, so a typo in an instructor's file is reported, not ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim import inputs
from sim.inputs import (  # noqa: F401  (MAX_FILE_BYTES: part of this module's API)
    MAX_FILE_BYTES,
    InputError,
    Strict,
    did_you_mean,
    load_yaml,
    read_text,
    validate,
)


class ScenarioError(InputError):
    """A scenario could not be loaded; `problems` lists (field path, message) pairs."""

# Whole numbers and flags are strict: YAML reads yes/no/on/off as booleans, and lax pydantic
# would take `count: yes` as 1. Floats stay lax (PyYAML reads 1.5e6 as text, which pydantic
# parses), but refuse booleans too: see Strict._no_bool_for_numbers.
Int = StrictInt
"""A whole number: no true/false, no 2.0, no text."""
Bool = StrictBool
"""true or false only: no 1/0, no text."""
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Month = Annotated[Int, Field(ge=0, le=600)]
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

PRODUCTS = ("working_capital", "fixed_asset", "real_estate_dev", "small_business", "consumer")
Product = Literal["working_capital", "fixed_asset", "real_estate_dev", "small_business", "consumer"]
Repayment = Literal["equal_instalment", "equal_principal", "interest_only_bullet"]
CollateralType = Literal[
    "none", "property", "land", "construction", "equipment", "receivables", "deposit"
]
CLASS_KEYS = ("normal", "special_mention", "substandard", "doubtful", "loss")


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
    reset_months: Int = Field(default=12, ge=1, le=12)

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
    group_size: Int = Field(default=3, ge=2, le=12)


class SharedBorrowers(Strict):
    """Borrowers who also hold a loan in another segment (one borrower, several loans).

    A share of this segment's loans go to borrowers who also hold one loan of segment
    `with_segment`: for example fixed-asset loans to firms that also draw a working-capital
    line. The 10% rule of the classification and guarantee contagion then act on the
    borrower, not on each loan alone.
    """

    with_segment: Slug
    share: Share


class Segment(Strict):
    """A homogeneous group of loans in the portfolio."""

    id: Slug
    name: Text
    product: Product
    count: Int = Field(ge=1, le=200_000)
    amount: AmountDist
    term_months: Int = Field(ge=1, le=360)
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
    seasoning_months: Int = Field(default=0, ge=0, le=120)
    shared_borrowers: SharedBorrowers | None = None


class LprChange(Strict):
    type: Literal["lpr_change"]
    month: Month
    delta_bp: Int = Field(ge=-300, le=300)
    base: Literal["lpr_1y", "lpr_5y", "both"] = "both"
    name: Text | None = None


class PolicyShock(Strict):
    """A policy change that hits named segments (for example property tightening)."""

    type: Literal["policy_shock"]
    month: Month
    segments: list[Slug] = Field(min_length=1)
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: Int = Field(default=12, ge=1, le=240)
    name: Text | None = None


class Recession(Strict):
    type: Literal["recession"]
    month: Month
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: Int = Field(default=12, ge=1, le=240)
    name: Text | None = None


class Disaster(Strict):
    """A regional disaster; permanent_share of the damage does not heal."""

    type: Literal["disaster"]
    month: Month
    region: str = Field(min_length=1, max_length=40)
    severity: float = Field(gt=0.0, le=5.0)
    duration_months: Int = Field(default=4, ge=1, le=60)
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


class BorrowerLoan(Strict):
    """A further loan of a named borrower, in any segment of the case."""

    segment: Slug
    amount_cny: float | None = Field(default=None, gt=0, le=1e11)


class NamedBorrower(Strict):
    """A borrower the story needs by name; takes the place of one generated borrower.

    `segment` and `amount_cny` describe its first loan; `other_loans` lists any further
    loans it holds (a working-capital line and a fixed-asset loan, say), each taking the
    place of one generated loan of its segment.
    """

    id: Slug
    segment: Slug
    company: Text
    legal_rep: Text
    amount_cny: float | None = Field(default=None, gt=0, le=1e11)
    guarantor: Slug | None = None
    diverts: Bool = False
    events: list[ScriptedEvent] = Field(default_factory=list, max_length=50)
    other_loans: list[BorrowerLoan] = Field(default_factory=list, max_length=20)


class Staff(Strict):
    officers: Int = Field(ge=1, le=10_000)
    hours_per_officer_month: float = Field(default=60.0, gt=0.0, le=200.0)


class ClassIntervals(Strict):
    """Check interval in months for each of the five classes (0 = no routine check)."""

    normal: Int = Field(default=3, ge=0, le=24)
    special_mention: Int = Field(default=1, ge=0, le=24)
    substandard: Int = Field(default=1, ge=0, le=24)
    doubtful: Int = Field(default=1, ge=0, le=24)
    loss: Int = Field(default=0, ge=0, le=24)


class MonitoringPolicy(Strict):
    interval_months: ClassIntervals = ClassIntervals()
    first_check_days: Int = Field(default=30, ge=0, le=365)


class InterventionOverride(Strict):
    hours: float | None = Field(default=None, ge=0.0, le=500.0)
    cost_cny: float | None = Field(default=None, ge=0.0, le=1e9)
    duration_months: float | None = Field(default=None, ge=0.0, le=60.0)


class SignalOverride(Strict):
    lead_months: float | None = Field(default=None, ge=0.0, le=24.0)
    lag_months: Int | None = Field(default=None, ge=0, le=12)
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
    version: Int = Field(default=1, ge=1)
    title: Text
    briefing: Text
    objectives: list[Text] = Field(default_factory=list, max_length=20)
    debrief_notes: list[Text] = Field(default_factory=list, max_length=40)
    lessons: list[Slug] = Field(default_factory=list)
    difficulty: Int = Field(default=2, ge=1, le=5)
    expected_minutes: Int = Field(default=20, ge=1, le=600)
    published: Bool = True
    start: str = Field(default="2024-01", pattern=MONTH_PATTERN)
    horizon_months: Int = Field(ge=1, le=120)
    seed: Int = Field(default=1, ge=0, le=2**63 - 1)
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

    @field_validator("start", mode="before")
    @classmethod
    def _start_month(cls, v: Any) -> Any:
        if isinstance(v, str) and re.fullmatch(MONTH_PATTERN, v):
            return v
        guess = None
        if isinstance(v, dt.date):  # YAML reads start: 2024-01-01 as a date
            what = f"start is read as the date {v.isoformat()}, but a month is wanted"
            guess = f"{v.year:04d}-{v.month:02d}"
        elif isinstance(v, str):
            what = f"'{v}' is not a month in the form year-month"
            m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*", v)
            if m and 1 <= int(m.group(2)) <= 12:
                guess = f"{m.group(1)}-{int(m.group(2)):02d}"
        else:
            what = f"start must be a year and month, not {v!r}"
        here = f' (here "{guess}")' if guess and guess != "2024-01" else ""
        raise PydanticCustomError("month_format", f'{what}; write the month as "2024-01"{here}')

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
        """Check what refers to what; report every broken reference at its own field."""
        problems: list[InitErrorDetails] = []

        def bad(loc: tuple, value: Any, msg: str) -> None:
            problems.append(InitErrorDetails(type=PydanticCustomError("reference", msg),
                                             loc=loc, input=value))

        self._check_macro(bad)
        self._check_borrowers(bad)
        self._check_catalogue(bad)
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def _check_macro(self, bad) -> None:
        horizon = self.horizon_months
        seg_ids = [s.id for s in self.segments]
        segs = ", ".join(sorted(seg_ids))
        for i, ev in enumerate(self.macro):
            if ev.month > horizon:
                bad(("macro", i, "month"), ev.month,
                    f"macro[{i}] is at month {ev.month}, after the horizon ({horizon}); "
                    "move it earlier or lengthen horizon_months")
            if isinstance(ev, PolicyShock):
                for j, s in enumerate(ev.segments):
                    if s not in seg_ids:
                        bad(("macro", i, "segments", j), s,
                            f"macro[{i}] names segment '{s}', which is not defined; "
                            f"use one of: {segs}{did_you_mean(s, seg_ids)}")

    def _check_borrowers(self, bad) -> None:
        horizon = self.horizon_months
        seg_ids = [s.id for s in self.segments]
        segs = ", ".join(sorted(seg_ids))
        names = [b.id for b in self.borrowers]
        first_at: dict[str, int] = {}
        per_segment: dict[str, int] = {}
        for i, b in enumerate(self.borrowers):
            if b.id in first_at:
                bad(("borrowers", i, "id"), b.id,
                    f"borrower id '{b.id}' is also used by borrowers[{first_at[b.id]}]; "
                    "ids must be unique: rename one")
            else:
                first_at[b.id] = i
            if b.segment in seg_ids:
                per_segment[b.segment] = per_segment.get(b.segment, 0) + 1
            else:
                bad(("borrowers", i, "segment"), b.segment,
                    f"borrower '{b.id}' is in segment '{b.segment}', which is not defined; "
                    f"use one of: {segs}{did_you_mean(b.segment, seg_ids)}")
            for k, loan in enumerate(b.other_loans):
                if loan.segment in seg_ids:
                    per_segment[loan.segment] = per_segment.get(loan.segment, 0) + 1
                else:
                    bad(("borrowers", i, "other_loans", k, "segment"), loan.segment,
                        f"borrower '{b.id}' has a loan in segment '{loan.segment}', which is "
                        f"not defined; use one of: {segs}{did_you_mean(loan.segment, seg_ids)}")
            if b.guarantor is not None and b.guarantor not in names:
                others = [n for n in names if n != b.id]
                fix = (f"use one of: {', '.join(others)}{did_you_mean(b.guarantor, others)}"
                       if others else "add that borrower to borrowers, or remove the guarantor")
                bad(("borrowers", i, "guarantor"), b.guarantor,
                    f"borrower '{b.id}' names guarantor '{b.guarantor}', which is not a named "
                    f"borrower; {fix}")
            elif b.guarantor == b.id:
                bad(("borrowers", i, "guarantor"), b.guarantor,
                    f"borrower '{b.id}' cannot guarantee itself; name another borrower "
                    "or remove the guarantor")
            for k, ev in enumerate(b.events):
                if ev.month > horizon:
                    bad(("borrowers", i, "events", k, "month"), ev.month,
                        f"borrower '{b.id}' has an event at month {ev.month}, after the horizon "
                        f"({horizon}); move it earlier or lengthen horizon_months")
        by_id = {s.id: s for s in self.segments}
        for k, seg in enumerate(self.segments):
            if per_segment.get(seg.id, 0) > seg.count:
                bad(("segments", k, "count"), seg.count,
                    f"segment '{seg.id}' has {seg.count} loans but {per_segment[seg.id]} named "
                    f"borrowers' loans in it; raise its count to at least {per_segment[seg.id]}")
            sh = seg.shared_borrowers
            if sh is None:
                continue
            loc = ("segments", k, "shared_borrowers", "with_segment")
            other = by_id.get(sh.with_segment)
            if sh.with_segment == seg.id:
                bad(loc, sh.with_segment,
                    f"segment '{seg.id}' cannot share borrowers with itself; name another "
                    "segment or remove shared_borrowers")
            elif other is None:
                bad(loc, sh.with_segment,
                    f"segment '{seg.id}' shares borrowers with '{sh.with_segment}', which is "
                    f"not defined; use one of: {segs}{did_you_mean(sh.with_segment, seg_ids)}")
            elif shared_loans(seg) > other.count:
                bad(("segments", k, "shared_borrowers", "share"), sh.share,
                    f"segment '{seg.id}' puts {shared_loans(seg)} of its loans with borrowers of "
                    f"'{other.id}', which has only {other.count} loans; lower the share to at "
                    f"most {other.count / seg.count:.2f} or raise that segment's count")

    def _check_catalogue(self, bad) -> None:
        from sim.defaults import INTERVENTIONS, SIGNALS

        known = ", ".join(INTERVENTIONS)
        for k, key in enumerate(self.interventions_available or []):
            if key not in INTERVENTIONS:
                bad(("interventions_available", k), key,
                    f"unknown intervention(s): {key}; use one of: {known}"
                    f"{did_you_mean(key, INTERVENTIONS)}")
        for key in self.intervention_overrides:
            if key not in INTERVENTIONS:
                bad(("intervention_overrides", key), key,
                    f"unknown intervention(s): {key}; use one of: {known}"
                    f"{did_you_mean(key, INTERVENTIONS)}")
        for key in self.signal_overrides:
            if key not in SIGNALS:
                bad(("signal_overrides", key), key,
                    f"unknown signal(s): {key}; use one of: {', '.join(SIGNALS)}"
                    f"{did_you_mean(key, SIGNALS)}")

    def content_hash(self) -> str:
        """A stable hash of the scenario's content, for attempts and golden files."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def n_loans(self) -> int:
        return sum(s.count for s in self.segments)


def shared_loans(seg: Segment) -> int:
    """How many of a segment's loans go to borrowers shared with another segment."""
    sh = seg.shared_borrowers
    return 0 if sh is None else int(round(sh.share * seg.count))


def explain(err: ValidationError, model: type[BaseModel] | None = None) -> list[tuple[str, str]]:
    """(field path, message with a fix) pairs of a validation error (sim.inputs.explain);
    the model defaults to the Scenario when the error comes from it."""
    if model is None and err.title == Scenario.__name__:
        model = Scenario
    return inputs.explain(err, model)


def parse_scenario(text: str, source: str = "<text>") -> Scenario:
    """Parse and validate YAML text; raise ScenarioError with every problem found."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise ScenarioError(
            source, [("(file)", f"file is larger than {MAX_FILE_BYTES // 1024} KB; "
                      "a case study should be a few KB: split or trim it")]
        )
    return validate(Scenario, load_yaml(text, source, ScenarioError), source, ScenarioError,
                    "keys such as id, title, segments; see scenarios/intro.yaml")


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file; every failure is a ScenarioError naming the file."""
    return parse_scenario(read_text(path, ScenarioError), str(path))


SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


def scenario_paths(directory: Path = SCENARIO_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if re.match(r"^[a-z0-9_\-]+\.yaml$", p.name))


def json_schema() -> dict:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Bianque scenario"
    return schema
