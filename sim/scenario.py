"""Scenario schema: the case-study file format (YAML) as pydantic models.

One path for input, as in Ciw: raw YAML, then pydantic fills defaults and
validates, then the engine runs. Every field has a range; unknown keys are
errors, so a typo in an instructor's file is reported, not ignored.

This module holds the whole case (`Scenario`), the checks of what refers to what, and
reading a case file. Its parts live by concept: the loan segments in `sim.segments`,
macro events and named borrowers in `sim.storyline`, staff and the monitoring policy in
`sim.policy`, the shared field types in `sim.field_types`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim import defaults, inputs
from sim.field_types import MONTH_PATTERN, Bool, Int, Slug, Text
from sim.inputs import (
    MAX_FILE_BYTES,
    InputError,
    Strict,
    did_you_mean,
    load_yaml,
    near_zh,
    read_text,
    refusal,
    validate,
)
from sim.policy import (
    InterventionOverride,
    MonitoringPolicy,
    ProvisionRates,
    SignalOverride,
    Staff,
)
from sim.segments import Segment, shared_loans
from sim.storyline import Disaster, IndexPoint, MacroEvent, NamedBorrower, PolicyShock


class ScenarioError(InputError):
    """A scenario could not be loaded; `problems` lists (field path, message) pairs."""

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
    funding_rate_annual: float = Field(default=defaults.FUNDING_RATE_ANNUAL, ge=0.0, le=0.2)
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
            what_zh = f"start 被读成了日期 {v.isoformat()}，这里要的是月份"
            guess = f"{v.year:04d}-{v.month:02d}"
        elif isinstance(v, str):
            what = f"'{v}' is not a month in the form year-month"
            what_zh = f"'{v}' 不是“年-月”形式的月份"
            # a day after the month (2025-02-30, which YAML leaves as text) is dropped
            m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*"
                             r"(?:[-/.]?\s*\d{1,2}\s*[日号]?\s*)?", v)
            if m and 1 <= int(m.group(2)) <= 12:
                guess = f"{m.group(1)}-{int(m.group(2)):02d}"
            elif m:  # 2025-13: the form is right, the month is not one
                what = f"'{v}' has no month {int(m.group(2))}: months run from 01 to 12"
                what_zh = f"'{v}' 里的月份 {int(m.group(2))} 不存在：月份只能是 01 到 12"
        else:
            what = f"start must be a year and month, not {v!r}"
            what_zh = f"start 应为年和月，而不是 {v!r}"
        here = f' (here "{guess}")' if guess and guess != "2024-01" else ""
        here_zh = f'（这里是 "{guess}"）' if guess and guess != "2024-01" else ""
        raise PydanticCustomError("month_format", f'{what}; write the month as "2024-01"{here}',
                                  {"zh": f'{what_zh}；请把月份写成 "2024-01"{here_zh}'})

    @field_validator("segments")
    @classmethod
    def _unique_segments(cls, v: list[Segment]) -> list[Segment]:
        ids = [s.id for s in v]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise refusal(f"segment ids must be unique; repeated: {', '.join(dup)}",
                          f"细分标识不能重复；重复的是：{', '.join(dup)}")
        return v

    @field_validator("collateral_index")
    @classmethod
    def _index_sorted(cls, v: list[IndexPoint]) -> list[IndexPoint]:
        months = [p.month for p in v]
        if months != sorted(set(months)):
            raise refusal("collateral_index months must be strictly increasing",
                          "collateral_index 的月份必须严格递增")
        return v

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        """Check what refers to what; report every broken reference at its own field."""
        problems: list[InitErrorDetails] = []

        def bad(loc: tuple, value: Any, msg: str, zh: str = "") -> None:
            # the Chinese text rides in the error's context (sim.inputs._message_zh)
            problems.append(InitErrorDetails(
                type=PydanticCustomError("reference", msg, {"zh": zh} if zh else None),
                loc=loc, input=value))

        self._check_macro(bad)
        self._check_segments(bad, self._check_borrowers(bad))
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
                    "move it earlier or lengthen horizon_months",
                    f"macro[{i}] 在第 {ev.month} 个月，晚于案例期限（{horizon} 个月）："
                    "请提前，或延长 horizon_months")
            if isinstance(ev, PolicyShock):
                for j, s in enumerate(ev.segments):
                    if s not in seg_ids:
                        bad(("macro", i, "segments", j), s,
                            f"macro[{i}] names segment '{s}', which is not defined; "
                            f"use one of: {segs}{did_you_mean(s, seg_ids)}",
                            f"macro[{i}] 指定的细分 '{s}' 不存在：请用 {segs} 之一"
                            f"{near_zh(s, seg_ids)}")
            if isinstance(ev, Disaster):
                # a disaster strikes the borrowers of its region: a region no segment lends
                # in (a typo, another case's spelling) would strike nobody, silently
                regions = sorted({s.region for s in self.segments})
                if ev.region not in regions:
                    bad(("macro", i, "region"), ev.region,
                        f"macro[{i}] strikes region '{ev.region}', where no segment lends; "
                        f"use one of the segments' regions: {', '.join(regions)}"
                        f"{did_you_mean(ev.region, regions)}",
                        f"macro[{i}] 所在的地区 '{ev.region}' 没有任何细分放贷：请用各细分的地区之一："
                        f"{', '.join(regions)}{near_zh(ev.region, regions)}")

    def _check_borrowers(self, bad) -> dict[str, int]:
        """Check the named borrowers; return how many named loans each segment holds."""
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
                    "ids must be unique: rename one",
                    f"借款人标识 '{b.id}' 已被 borrowers[{first_at[b.id]}] 使用；标识不能重复："
                    "请改掉其中一个")
            else:
                first_at[b.id] = i
            if b.segment in seg_ids:
                per_segment[b.segment] = per_segment.get(b.segment, 0) + 1
            else:
                bad(("borrowers", i, "segment"), b.segment,
                    f"borrower '{b.id}' is in segment '{b.segment}', which is not defined; "
                    f"use one of: {segs}{did_you_mean(b.segment, seg_ids)}",
                    f"借款人 '{b.id}' 所在的细分 '{b.segment}' 不存在：请用 {segs} 之一"
                    f"{near_zh(b.segment, seg_ids)}")
            for k, loan in enumerate(b.other_loans):
                if loan.segment in seg_ids:
                    per_segment[loan.segment] = per_segment.get(loan.segment, 0) + 1
                else:
                    bad(("borrowers", i, "other_loans", k, "segment"), loan.segment,
                        f"borrower '{b.id}' has a loan in segment '{loan.segment}', which is "
                        f"not defined; use one of: {segs}{did_you_mean(loan.segment, seg_ids)}",
                        f"借款人 '{b.id}' 有一笔贷款在细分 '{loan.segment}'，该细分不存在："
                        f"请用 {segs} 之一{near_zh(loan.segment, seg_ids)}")
            if b.guarantor is not None and b.guarantor not in names:
                others = [n for n in names if n != b.id]
                fix = (f"use one of: {', '.join(others)}{did_you_mean(b.guarantor, others)}"
                       if others else "add that borrower to borrowers, or remove the guarantor")
                fix_zh = (f"请用 {', '.join(others)} 之一{near_zh(b.guarantor, others)}"
                          if others else "请把它加入 borrowers，或删去保证人")
                bad(("borrowers", i, "guarantor"), b.guarantor,
                    f"borrower '{b.id}' names guarantor '{b.guarantor}', which is not a named "
                    f"borrower; {fix}",
                    f"借款人 '{b.id}' 的保证人 '{b.guarantor}' 不是已列出的借款人：{fix_zh}")
            elif b.guarantor == b.id:
                bad(("borrowers", i, "guarantor"), b.guarantor,
                    f"borrower '{b.id}' cannot guarantee itself; name another borrower "
                    "or remove the guarantor",
                    f"借款人 '{b.id}' 不能为自己担保：请换一个借款人，或删去保证人")
            for k, ev in enumerate(b.events):
                if ev.month > horizon:
                    bad(("borrowers", i, "events", k, "month"), ev.month,
                        f"borrower '{b.id}' has an event at month {ev.month}, after the horizon "
                        f"({horizon}); move it earlier or lengthen horizon_months",
                        f"借款人 '{b.id}' 的事件在第 {ev.month} 个月，晚于案例期限（{horizon} 个月）："
                        "请提前，或延长 horizon_months")
        return per_segment

    def _check_segments(self, bad, per_segment: dict[str, int]) -> None:
        """Each segment holds its named loans, and shares borrowers with another one."""
        seg_ids = [s.id for s in self.segments]
        segs = ", ".join(sorted(seg_ids))
        by_id = {s.id: s for s in self.segments}
        # each segment's loans spoken for: its named borrowers' (and their further loans),
        # its own loans shared with another segment, and the loans segments sharing with
        # it take (sim.portfolio._borrowers gives each of these a slot of its own)
        taken = {s.id: per_segment.get(s.id, 0) + shared_loans(s) for s in self.segments}
        for s in self.segments:
            if s.shared_borrowers is not None and s.shared_borrowers.with_segment in taken \
                    and s.shared_borrowers.with_segment != s.id:
                taken[s.shared_borrowers.with_segment] += shared_loans(s)
        for k, seg in enumerate(self.segments):
            if per_segment.get(seg.id, 0) > seg.count:
                bad(("segments", k, "count"), seg.count,
                    f"segment '{seg.id}' has {seg.count} loans but {per_segment[seg.id]} named "
                    f"borrowers' loans in it; raise its count to at least {per_segment[seg.id]}",
                    f"细分 '{seg.id}' 只有 {seg.count} 笔贷款，却有 {per_segment[seg.id]} 笔属于重点借款人："
                    f"请把 count 至少提高到 {per_segment[seg.id]}")
            sh = seg.shared_borrowers
            if sh is None:
                continue
            loc = ("segments", k, "shared_borrowers", "with_segment")
            other = by_id.get(sh.with_segment)
            if sh.with_segment == seg.id:
                bad(loc, sh.with_segment,
                    f"segment '{seg.id}' cannot share borrowers with itself; name another "
                    "segment or remove shared_borrowers",
                    f"细分 '{seg.id}' 不能与自己共用借款人：请指定另一个细分，或删去 shared_borrowers")
            elif other is None:
                bad(loc, sh.with_segment,
                    f"segment '{seg.id}' shares borrowers with '{sh.with_segment}', which is "
                    f"not defined; use one of: {segs}{did_you_mean(sh.with_segment, seg_ids)}",
                    f"细分 '{seg.id}' 与之共用借款人的 '{sh.with_segment}' 不存在：请用 {segs} 之一"
                    f"{near_zh(sh.with_segment, seg_ids)}")
            elif taken[other.id] > other.count:
                # the other segment's loans not already someone's: its named borrowers',
                # its own shared ones, those other segments share (sim.portfolio._borrowers)
                free = other.count - (taken[other.id] - shared_loans(seg))
                bad(("segments", k, "shared_borrowers", "share"), sh.share,
                    f"segment '{seg.id}' puts {shared_loans(seg)} of its loans with borrowers of "
                    f"'{other.id}', which has {max(free, 0)} of its {other.count} loans free "
                    f"(the rest belong to named borrowers or are shared already); lower the "
                    f"share to at most {max(free, 0) / seg.count:.2f} or raise that segment's "
                    "count",
                    f"细分 '{seg.id}' 有 {shared_loans(seg)} 笔贷款要借给 '{other.id}' 的借款人，"
                    f"而后者 {other.count} 笔贷款中只有 {max(free, 0)} 笔可用（其余属于重点借款人或已共用）："
                    f"请把 share 降到 {max(free, 0) / seg.count:.2f} 以下，或提高那个细分的 count")
            elif taken[seg.id] > seg.count:
                own = seg.count - (taken[seg.id] - shared_loans(seg))
                # its own shared loans need slots of their own too
                bad(("segments", k, "shared_borrowers", "share"), sh.share,
                    f"segment '{seg.id}' shares {shared_loans(seg)} of its loans but has only "
                    f"{max(own, 0)} of its {seg.count} loans free (the rest belong to named "
                    f"borrowers or to segments sharing its borrowers); lower the share to at "
                    f"most {max(own, 0) / seg.count:.2f} or raise its count",
                    f"细分 '{seg.id}' 要共用 {shared_loans(seg)} 笔贷款，而它 {seg.count} 笔贷款中只有 "
                    f"{max(own, 0)} 笔可用（其余属于重点借款人或被其他细分共用）：请把 share 降到 "
                    f"{max(own, 0) / seg.count:.2f} 以下，或提高它的 count")

    def _check_catalogue(self, bad) -> None:
        from sim.defaults import INTERVENTIONS, SIGNALS

        known = ", ".join(INTERVENTIONS)
        for k, key in enumerate(self.interventions_available or []):
            if key not in INTERVENTIONS:
                bad(("interventions_available", k), key,
                    f"unknown intervention(s): {key}; use one of: {known}"
                    f"{did_you_mean(key, INTERVENTIONS)}",
                    f"无法识别的措施：{key}；请用 {known} 之一{near_zh(key, INTERVENTIONS)}")
        for key in self.intervention_overrides:
            if key not in INTERVENTIONS:
                bad(("intervention_overrides", key), key,
                    f"unknown intervention(s): {key}; use one of: {known}"
                    f"{did_you_mean(key, INTERVENTIONS)}",
                    f"无法识别的措施：{key}；请用 {known} 之一{near_zh(key, INTERVENTIONS)}")
        for key in self.signal_overrides:
            if key not in SIGNALS:
                bad(("signal_overrides", key), key,
                    f"unknown signal(s): {key}; use one of: {', '.join(SIGNALS)}"
                    f"{did_you_mean(key, SIGNALS)}",
                    f"无法识别的信号：{key}；请用 {', '.join(SIGNALS)} 之一{near_zh(key, SIGNALS)}")

    def content_hash(self) -> str:
        """A stable hash of the scenario's content, for attempts and golden files."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def n_loans(self) -> int:
        return sum(s.count for s in self.segments)

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
                      "a case study should be a few KB: split or trim it")],
            [f"文件超过 {MAX_FILE_BYTES // 1024} KB：一个案例只应有几 KB，请拆分或精简"])
    data = load_yaml(text, source, ScenarioError)
    if isinstance(data, dict) and "rules" in data and "segments" not in data:
        raise ScenarioError(source, [("(file)", "this is a rule table (it has 'rules'), not a "
                                      "case study: a case has keys such as id, title, "
                                      "segments (see scenarios/intro.yaml); a rule table "
                                      "goes to --strategies or the strategy lab")],
                            ["这是规则表（含 rules），不是案例：案例包含 id、title、segments 等键"
                             "（参见 scenarios/intro.yaml）；规则表请用于 --strategies 或策略实验室"])
    return validate(Scenario, data, source, ScenarioError,
                    "keys such as id, title, segments; see scenarios/intro.yaml",
                    "id、title、segments 等（参见 scenarios/intro.yaml）")


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
