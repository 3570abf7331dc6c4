"""One careful input path for every file a person writes: scenarios, rule tables, lessons.

As in Ciw: raw text, then YAML (syntax errors, duplicate keys and stray characters
reported at their line and column, with the fix), then pydantic fills defaults and
validates, every problem reported at its field path with a fix. Files are read
with a size limit and as UTF-8. Nothing here writes a file.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import types
import unicodedata
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

MAX_FILE_BYTES = 512 * 1024
"""Largest input file accepted; a case study or a rule table is a few kilobytes."""


def _unwrap(tp: Any) -> Any:
    """Strip Annotated[...] and '| None' from a field type."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


class Strict(BaseModel):
    """Base of every scenario model: unknown keys, NaN and infinity are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, data: Any) -> Any:
        """YAML reads yes/no/on/off as true/false, which pydantic would take as 1.0 and 0.0.

        A boolean in a float field is swapped for a _YamlBool, which float parsing refuses
        like any other text; explain() then names the cause. (A field validator cannot do
        this: pydantic refuses one on the 'type' discriminator of the macro events.)
        """
        if isinstance(data, dict):
            floats = _float_fields(cls)
            if any(isinstance(data.get(k), bool) for k in floats):
                data = {k: _YamlBool(str(v).lower()) if k in floats and isinstance(v, bool)
                        else v for k, v in data.items()}
        return data


class _YamlBool(str):
    """A true/false found where a number belongs (see Strict._no_bool_for_numbers)."""


@functools.cache
def _float_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(k for k, f in model.model_fields.items() if _unwrap(f.annotation) is float)


class InputError(Exception):
    """A file could not be loaded; `problems` lists (field path, message) pairs, and
    `problems_zh` the same messages in Chinese, in the same order (a message with no
    Chinese text, such as a file that cannot be read, is repeated as it is)."""

    def __init__(self, source: str, problems: list[tuple[str, str]],
                 problems_zh: list[str] | None = None):
        self.source = source
        self.problems = problems
        self.problems_zh = problems_zh if problems_zh is not None else [m for _, m in problems]
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
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "float_type": "write a number",
    "float_parsing": "write a number",
    "finite_number": "write an ordinary number: .nan and .inf are not allowed",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "list_type": "write a list (YAML '- item' lines)",
    "dict_type": "write a mapping (YAML 'key: value' lines)",
    "model_type": "write a mapping (YAML 'key: value' lines)",
    "string_type": "write text",
    "string_too_short": "fill in this text",
    "string_too_long": "shorten it",
    "too_short": "add at least one entry",
    "too_long": "remove entries",
}

_YAML_BOOL = "YAML reads yes/no/on/off/true/false as true or false"

# What pydantic says in its own terms (tags, a discriminator, a regular expression, "after
# validation"), said as the mistake is, as _MESSAGES_ZH says it; the fix follows as before.
_MESSAGES_EN = {
    "string_pattern_mismatch": "'{input}' is not a valid id",
    "union_tag_invalid": "Unknown type '{tag}'",
    "union_tag_not_found": "The 'type' key is missing",
    "too_short": "Too few entries (at least {min_length})",
}

# The same in Chinese: what pydantic says by error type (its ctx fills the figures), and the fix.
_MESSAGES_ZH = {
    "missing": "缺少此字段",
    "extra_forbidden": "无法识别的键",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "string_pattern_mismatch": "格式不符",
    "literal_error": "不是允许的取值，应为 {expected} 之一",
    "union_tag_invalid": "无法识别的类型 '{tag}'",
    "union_tag_not_found": "缺少 'type' 键",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能带小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为普通数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "model_type": "应为映射",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_too_long": "文本太长（最多 {max_length} 个字符）",
    "too_short": "条目太少（至少 {min_length} 条）",
    "too_long": "条目太多（最多 {max_length} 条）",
}
_FIXES_ZH = {
    "missing": "请补上这个字段",
    "extra_forbidden": "请删除这个键，或检查拼写",
    "greater_than": "请改用更大的数",
    "greater_than_equal": "请改用更大的数",
    "less_than": "请改用更小的数",
    "less_than_equal": "请改用更小的数",
    "string_pattern_mismatch": "只能用小写字母、数字、'_' 或 '-'，例如 'wc_loans'",
    "literal_error": "请从允许的取值中选一个",
    "union_tag_invalid": "请把 'type' 设为 lpr_change、policy_shock、recession 或 disaster",
    "union_tag_not_found": "请加上 'type' 键：lpr_change、policy_shock、recession 或 disaster",
    "int_type": "请写整数",
    "int_parsing": "请写整数",
    "int_from_float": "请写整数",
    "float_type": "请写数字",
    "float_parsing": "请写数字",
    "finite_number": "请写普通数字，不能用 .nan 或 .inf",
    "bool_type": "请写 true 或 false",
    "bool_parsing": "请写 true 或 false",
    "list_type": "请写成列表，即 YAML 的 '- 条目' 行",
    "dict_type": "请写成映射，即 YAML 的 '键: 值' 行",
    "model_type": "请写成映射，即 YAML 的 '键: 值' 行",
    "string_type": "请写文本",
    "string_too_short": "请填写这段文字",
    "string_too_long": "请删减",
    "too_short": "请至少加一条",
    "too_long": "请删去一些条目",
}
_YAML_BOOL_ZH = "YAML 会把 yes/no/on/off/true/false 读成 true 或 false"


def did_you_mean(word: Any, options: Any) -> str:
    """'; did you mean 'x'?' for the closest option to word, or '' if none is close."""
    if not isinstance(word, str):
        return ""
    by_lower = {str(o).lower(): str(o) for o in options}  # 'Jiangsu' is close to 'jiangsu'
    best = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"; did you mean '{by_lower[best[0]]}'?" if best else ""


def refusal(en: str, zh: str) -> PydanticCustomError:
    """A validator's refusal said in both languages (raise it where a ValueError would go):
    the English is the message, the Chinese rides in its context (`_message_zh`)."""
    return PydanticCustomError("value_error", en, {"zh": zh})


def near_zh(word: Any, options: Any) -> str:
    """`did_you_mean` in Chinese: '；是不是 'x'？', or ''."""
    near = did_you_mean(word, options)
    return f"；是不是 '{near.split(chr(39))[1]}'？" if near else ""


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that validated the value at loc (a pydantic error location), if any."""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        origin = get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            tp = field.annotation
        elif origin is list and isinstance(part, int):
            tp = get_args(tp)[0]
        elif origin is dict:
            tp = get_args(tp)[1]
        elif origin in (Union, types.UnionType):  # a tagged union: the tag is in the loc
            for member in get_args(tp):
                tag = getattr(member, "model_fields", {}).get("type")
                if tag is not None and part in get_args(_unwrap(tag.annotation)):
                    tp = member
                    break
            else:
                return None
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


_TAGS = ("lpr_change", "policy_shock", "recession", "disaster")


def _path(loc: tuple) -> str:
    out = ""
    for n, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _TAGS and n and isinstance(loc[n - 1], int):
            continue  # the member of macro[i] pydantic tried; not a key in the file
        else:
            out += ("." if out else "") + str(part)
    return out or "(file)"


def _percent_written(value: Any, ctx: dict) -> bool:
    """Whether a number refused for being too large reads as a percentage of a field that
    takes shares (its limit at most 1): 3 for 3%, 4.5 for 4.5%."""
    limit = ctx.get("lt", ctx.get("le"))
    # a share may be allowed a little above 1 (a loan-to-value ratio up to 1.5): 60 for 60%
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and isinstance(limit, int | float) and 0 < limit <= 2
            and max(1, limit) < value <= 100)


def _share_over_all(value: Any, ctx: dict) -> bool:
    """Whether a number refused for being too large is a share written past 100 (120 for
    a share that cannot pass 1): no percentage to convert, but the scale to say."""
    limit = ctx.get("lt", ctx.get("le"))
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and isinstance(limit, int | float) and 0 < limit <= 2 and value > 100)


def _percent_text(value: Any) -> float | None:
    """The share a text such as '4.5%' (or '4.5％') means, or None: a rate or a share
    typed with a percent sign is text to YAML."""
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"\s*([-+]?\d+(?:\.\d+)?)\s*[%％]\s*", value)
    return None if m is None else round(float(m[1]) / 100, 10)


def _half_width_number(value: Any) -> str | None:
    """The number a text typed in full-width digits means ('３０' is 30), or None: YAML
    reads full-width digits as text."""
    if not isinstance(value, str):
        return None
    half = unicodedata.normalize("NFKC", value).strip()
    if half == value.strip() or re.fullmatch(r"[-+]?\d+(?:\.\d+)?", half, re.ASCII) is None:
        return None
    return half


_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}
_UNIT_WORDS = re.compile(
    r"^(?:[¥￥$]|cny|rmb)?\s*(.*?)\s*(?:元|人民币|cny|rmb|yuan|个月|月|months?|年|人|名|笔|户|"
    r"officers?|loans?|hours?|小时)?$", re.IGNORECASE)


def _zh_numeral(text: str) -> int | None:
    """The whole number Chinese numerals write ('三' 3, '十二' 12, '两百' 200), or None."""
    if not text or any(c not in _ZH_DIGITS and c not in _ZH_UNITS and c not in _ZH_BIG
                       for c in text):
        return None
    total = section = digit = 0
    for c in text:
        if c in _ZH_DIGITS:
            digit = _ZH_DIGITS[c]
        elif c in _ZH_UNITS:
            section += (digit or 1) * _ZH_UNITS[c]
            digit = 0
        else:
            total = (total + section + digit) * _ZH_BIG[c]
            section = digit = 0
    return total + section + digit


def _digits_meant(value: Any) -> str | None:
    """The number a text refused as no number most likely means, written as the file wants
    it, or None: thousands separators ('1,000,000'), a currency or a unit ('¥2000000',
    '12个月'), 万 or 亿 ('200万'), Chinese numerals ('三'). YAML reads all of them as text."""
    if not isinstance(value, str):
        return None
    m = _UNIT_WORDS.match(unicodedata.normalize("NFKC", value).strip())
    core = m[1].strip() if m else ""
    scale = 1
    if core[-1:] in _ZH_BIG and core[:-1].strip():
        scale, core = _ZH_BIG[core[-1]], core[:-1].strip()
    if re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", core, re.ASCII):
        core = core.replace(",", "")
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", core, re.ASCII):
        number = float(core) * scale
    elif (whole := _zh_numeral(core)) is not None:
        number = float(whole * scale)
    else:
        return None
    meant = _plain_number(round(number, 10))
    return None if meant == value.strip() else meant


def _clock_time(value: Any) -> int | None:
    """The hour of a time of day typed where a whole number belongs ('22:00' is 22)."""
    m = re.fullmatch(r"\s*(\d{1,2})\s*[:：]\s*\d{2}\s*", value) if isinstance(value, str) else None
    return int(m[1]) if m and int(m[1]) <= 24 else None


def _quoted_whole(value: Any) -> bool:
    """Whether a whole number was written in quotes ('count: "20"'): text to YAML, and a
    whole-number field takes no text."""
    return isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value, re.ASCII) is not None


_WIDE_SEPARATORS = "，、；"
"""Full-width commas and semicolons: a Chinese keyboard types them between list items, and
YAML reads '[a，b]' as one item 'a，b'."""


def _wide_list(value: Any) -> list[str] | None:
    """The items a text such as 'true_turnover，other_creditors' was meant to list, or None."""
    if not isinstance(value, str) or not any(c in value for c in _WIDE_SEPARATORS):
        return None
    parts = [p.strip() for p in re.split(f"[{_WIDE_SEPARATORS}]", value)]
    return parts if len(parts) > 1 and all(parts) else None


def _bilingual_text_wanted(e: dict, value: Any) -> bool:
    """Whether a plain line of text stands where a {zh, en} text is wanted (the commonest
    slip in a conversation's lines and choices): 'text: Great, thank you.'"""
    return (e["type"] in ("model_type", "dict_type") and isinstance(value, str)
            and (e.get("ctx") or {}).get("class_name") == "Text")


def _full_width_spaced(e: dict) -> bool:
    """Whether an unknown key is a key indented with full-width spaces ('\u3000\u3000officers'):
    YAML takes them for part of the key, which then lands a level up."""
    key = e["loc"][-1] if e["loc"] else None
    return isinstance(key, str) and key.startswith("\u3000") and bool(key.strip("\u3000 "))


def _plain_number(value: float) -> str:
    """A number as an author types it: 3000000, not 3e+06."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _no_collateral_ltv(e: dict) -> bool:
    """Whether `collateral.ltv` was written 0, as if 0 meant 'no collateral'. The loan-to-value
    is the loan over the security's appraised value (the engine appraises it at amount / ltv),
    so 0 would be security worth infinitely more than the loan; a loan without security is
    `type: none`, where ltv means nothing and is left out."""
    value = e.get("input")
    return (e["type"] == "greater_than" and tuple(e["loc"][-2:]) == ("collateral", "ltv")
            and isinstance(value, int | float) and not isinstance(value, bool) and value == 0)


def _minus_typed(kind: str, value: Any, ctx: dict) -> bool:
    """Whether a negative number below its floor would pass without its minus sign (an
    amount typed -3000000, against a floor of 0 or of CNY 100): a stray minus, said so,
    rather than 'use a larger number'."""
    floor = ctx.get("gt", ctx.get("ge"))
    if (kind not in ("greater_than", "greater_than_equal") or not isinstance(value, int | float)
            or isinstance(value, bool) or not value < 0 or floor is None
            or float(floor) < 0 or not math.isfinite(value)):
        return False
    return -value > float(floor) if kind == "greater_than" else -value >= float(floor)


def _message(e: dict, root: type[BaseModel] | None) -> str:
    kind, msg, value = e["type"], e["msg"].removeprefix("Value error, "), e.get("input")
    fix = _FIXES.get(kind)
    ctx = e.get("ctx") or {}
    if kind in _MESSAGES_EN:  # on a template that does not fit, pydantic's own words
        with suppress(KeyError, IndexError, ValueError):
            msg = _MESSAGES_EN[kind].format(**{"input": value, **ctx})
    if kind == "extra_forbidden" and _full_width_spaced(e):
        return (f"unknown key '{e['loc'][-1]}': it starts with full-width spaces '\u3000', "
                "which YAML does not read as indentation: indent with ordinary spaces")
    if _bilingual_text_wanted(e, value):
        return ("Input should be the text in both languages, not one line of text (write "
                "it as two lines under the key, 'zh: ...' and 'en: ...', or as "
                "{zh: ..., en: ...})")
    if kind == "extra_forbidden":
        key = e["loc"][-1] if e["loc"] else None
        model = _model_at(root, e["loc"][:-1]) if root is not None else None
        hint = did_you_mean(key, model.model_fields) if model is not None else ""
        if hint:
            return f"unknown key '{key}'{hint} ({fix})"
        if model is not None and set(model.model_fields) == {"zh", "en"}:
            # {zh: 研发, 生产, en: ...}: a comma inside a flow mapping starts a new key
            return (f"unknown key '{key}' (a comma inside {{zh: ..., en: ...}} starts a new "
                    "key: put the text in quotes, e.g. {zh: \"研发, 生产\", en: \"R&D, "
                    "production\"})")
    elif kind == "literal_error" and _wide_list(value) is not None:
        fix = (f"'{value}' is one item: a full-width comma does not separate list items in "
               f"YAML; write [{', '.join(_wide_list(value))}] with ',' and a space")
    elif kind == "literal_error":
        hint = did_you_mean(value, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        if hint:
            fix = hint.removeprefix("; ")
    elif kind == "union_tag_invalid":
        hint = did_you_mean(ctx.get("tag"), _TAGS)
        if hint:
            fix = f"{fix}{hint}"
    elif kind in ("less_than", "less_than_equal") and _percent_written(value, ctx):
        # a share or a rate written as a percentage: 3 for 3%
        fix = f"{fix}: it is a share, so write {value:g}% as {value / 100:g}"
    elif kind in ("less_than", "less_than_equal") and _share_over_all(value, ctx):
        fix = f"{fix}: it is a share, where 1 is 100%"
    elif _no_collateral_ltv(e):
        return ("ltv is the loan's share of the collateral's appraised value (0.6 is 60%), "
                "so it cannot be 0; for a loan without collateral write 'type: none' and "
                "leave ltv out")
    elif _minus_typed(kind, value, ctx):
        fix = f"{fix}: {_plain_number(value)} has a minus sign; write {_plain_number(-value)}"
    elif kind == "float_parsing" and _percent_text(value) is not None:
        fix = f"write it as a share: {value.strip()} is {_percent_text(value):g}"
    elif kind in ("int_parsing", "int_type", "float_parsing") and _half_width_number(value) is not None:
        fix = f"type the digits half-width: {value.strip()} is {_half_width_number(value)}"
    elif kind in ("int_type", "int_parsing") and _clock_time(value) is not None:
        fix = (f"write a whole number: '{value.strip()}' is a time of day; an hour is written "
               f"alone, as {_clock_time(value)}")
    elif kind == "int_type" and _quoted_whole(value):
        fix = f"write the whole number without quotes, as {value.strip()}: in quotes it is text"
    elif kind in ("int_parsing", "int_type", "float_parsing") and _digits_meant(value) is not None:
        fix = (f"write the number alone, in digits, with no commas or units: "
               f"'{value.strip()}' is {_digits_meant(value)}")
    if isinstance(value, _YamlBool):
        msg, fix = "Input should be a number, not true/false", f"write a number; {_YAML_BOOL}"
    elif isinstance(value, bool) and kind in ("int_type", "string_type"):
        fix = f"{fix}; {_YAML_BOOL}" + ("; put the text in quotes" if kind == "string_type"
                                        else "")
    return msg + (f" ({fix})" if fix else "")


def _message_zh(e: dict, root: type[BaseModel] | None) -> str:
    """`_message` in Chinese. A case's own cross-checks (value errors: unknown segment, an
    event after the horizon, ...) have no Chinese text: they are said as in English."""
    kind, value = e["type"], e.get("input")
    ctx = {k: v for k, v in (e.get("ctx") or {}).items()}
    if ctx.get("zh"):  # a cross-check that said itself in Chinese too (sim.scenario)
        return str(ctx["zh"])
    if "expected" in ctx:  # "'a', 'b' or 'c'": the list the Chinese way
        ctx["expected"] = re.sub(r",\s*|\s+or\s+", "、", str(ctx["expected"]))
    template = _MESSAGES_ZH.get(kind)
    if template is None:
        return _message(e, root)
    try:
        msg = template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        msg = template.split("{")[0].rstrip("，（ ")
    fix = _FIXES_ZH.get(kind, "")
    if kind == "extra_forbidden" and _full_width_spaced(e):
        return (f"无法识别的键 '{e['loc'][-1]}'：它以全角空格'\u3000'开头，YAML 不把它当作缩进："
                "请改用半角空格缩进")
    if _bilingual_text_wanted(e, value):
        return ("这里应是中英两种语言的文本，而不是一行文字（请在这个键下写两行 'zh: ...' 和 "
                "'en: ...'，或写成 {zh: ..., en: ...}）")
    if kind == "extra_forbidden":
        key = e["loc"][-1] if e["loc"] else None
        model = _model_at(root, e["loc"][:-1]) if root is not None else None
        if model is not None:
            near = near_zh(key, model.model_fields)
            if near:
                return f"无法识别的键 '{key}'{near}（{fix}）"
            if set(model.model_fields) == {"zh", "en"}:
                return (f"无法识别的键 '{key}'（在 {{zh: ..., en: ...}} 里，逗号会开始一个新键："
                        "请给文本加引号，例如 {zh: \"研发, 生产\", en: \"R&D, production\"}）")
    elif kind == "literal_error" and _wide_list(value) is not None:
        fix = (f"'{value}' 被读成了一项：YAML 不把全角逗号当作列表分隔符，"
               f"请写成 [{', '.join(_wide_list(value))}]，用半角逗号加空格")
    elif kind == "literal_error":
        near = near_zh(value, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        if near:
            fix = near.removeprefix("；")
    elif kind == "union_tag_invalid":
        fix = f"{fix}{near_zh(ctx.get('tag'), _TAGS)}"
    elif kind in ("less_than", "less_than_equal") and _percent_written(value, ctx):
        fix = f"{fix}：这是比例，{value:g}% 请写成 {value / 100:g}"
    elif kind in ("less_than", "less_than_equal") and _share_over_all(value, ctx):
        fix = f"{fix}：这是比例，1 即 100%"
    elif _no_collateral_ltv(e):
        return ("ltv 是贷款金额占押品评估价值的比例（0.6 即 60%），不能为 0；没有押品的贷款"
                "请写 'type: none'，并删去 ltv 这一行")
    elif _minus_typed(kind, value, ctx):
        fix = f"{fix}：{_plain_number(value)} 带了负号，请写成 {_plain_number(-value)}"
    elif kind == "float_parsing" and _percent_text(value) is not None:
        fix = f"请写成比例：{value.strip()} 应写成 {_percent_text(value):g}"
    elif kind in ("int_parsing", "int_type", "float_parsing") and _half_width_number(value) is not None:
        fix = f"请用半角数字：{value.strip()} 应写成 {_half_width_number(value)}"
    elif kind in ("int_type", "int_parsing") and _clock_time(value) is not None:
        fix = f"请写整数：'{value.strip()}' 是时刻，钟点只写小时数，例如 {_clock_time(value)}"
    elif kind == "int_type" and _quoted_whole(value):
        fix = f"请去掉引号，写成 {value.strip()}：加了引号就是文本"
    elif kind in ("int_parsing", "int_type", "float_parsing") and _digits_meant(value) is not None:
        fix = f"请只写阿拉伯数字，不加逗号和单位：'{value.strip()}' 应写成 {_digits_meant(value)}"
    if isinstance(value, _YamlBool):
        msg, fix = "应为数字，不能是 true/false", f"请写数字；{_YAML_BOOL_ZH}"
    elif isinstance(value, bool) and kind in ("int_type", "string_type"):
        fix = f"{fix}；{_YAML_BOOL_ZH}" + ("；请给文本加引号" if kind == "string_type" else "")
    return msg + (f"（{fix}）" if fix else "")


def explain_zh(err: ValidationError, model: type[BaseModel] | None = None) -> list[str]:
    """`explain`'s messages in Chinese, in the same order."""
    return [_message_zh(e, model) for e in err.errors(include_url=False)]


def explain(err: ValidationError, model: type[BaseModel] | None = None) -> list[tuple[str, str]]:
    """Turn a pydantic error into (field path, message with a fix) pairs.

    model is the class that was validated; it lets an unknown key suggest the nearest
    field name.
    """
    return [(_path(e["loc"]), _message(e, model)) for e in err.errors(include_url=False)]


class TextLoader(yaml.SafeLoader):
    """SafeLoader whose dates that are no day of the calendar stay text: 'start: 2025-02-30'
    made PyYAML raise a bare ValueError ('day is out of range for month') naming no field;
    as text it reaches the field's own check, which names it and says what to write."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


    def construct_yaml_int(self, node: yaml.Node) -> Any:
        # YAML 1.1 reads 22:00 as the base-60 number 1320: an hour typed as a time was
        # refused as "at most 23", which the author had written. Kept as text, it is named.
        if ":" in str(node.value):
            return self.construct_scalar(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.Node) -> Any:
        if ":" in str(node.value):
            return self.construct_scalar(node)
        return super().construct_yaml_float(node)


TextLoader.add_constructor("tag:yaml.org,2002:timestamp", TextLoader.construct_yaml_timestamp)
TextLoader.add_constructor("tag:yaml.org,2002:int", TextLoader.construct_yaml_int)
TextLoader.add_constructor("tag:yaml.org,2002:float", TextLoader.construct_yaml_float)


def plain_yaml(text: str) -> Any:
    """Parsed YAML with no checks beyond TextLoader's (for helpers that read a text the
    author may still be writing); a text nested too deeply raises yaml.YAMLError like a
    syntax error, not a RecursionError."""
    try:
        return yaml.load(text, Loader=TextLoader)  # noqa: S506 - a SafeLoader
    except RecursionError:
        raise yaml.YAMLError("YAML is nested too deeply") from None


class _Loader(TextLoader):
    """TextLoader that records keys given twice in one mapping (PyYAML keeps the last)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int, int, int]] = []  # key, line, column, first line

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # Runs on every mapping before '<<' merges are spliced in, so a key that overrides
        # a merged one is not a duplicate; each node is checked once.
        if not getattr(node, "_dup_checked", False):
            node._dup_checked = True
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if (not isinstance(key_node, yaml.ScalarNode)
                        or key_node.tag == "tag:yaml.org,2002:merge"):
                    continue
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:  # unhashable: reported by PyYAML itself
                    continue
                if first is None:
                    seen[key] = line
                else:
                    self.duplicates.append(
                        (str(key), line, key_node.start_mark.column + 1, first))
        super().flatten_mapping(node)


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_problem(exc: yaml.YAMLError, text: str) -> tuple[str, str, str]:
    """Where a YAML syntax error is and what to do about it, in English and in Chinese
    (the parser's own words stay as it says them)."""
    mark = getattr(exc, "problem_mark", None)
    ctx_mark = getattr(exc, "context_mark", None)
    context = getattr(exc, "context", None) or ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: no mark, a position
        before = text[:exc.position].removeprefix("\ufeff")
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        return f"line {line}, column {column}", (
            f"not valid YAML: {problem}; delete it (was the file saved as plain text?)"), (
            f"不是有效的 YAML：{problem}；请删去它（文件是否存成了纯文本？）")
    if mark is not None and context == "expected a single document in the stream":
        line = mark.line + 1  # where the second document starts: a '---' line, mostly
        return _at(mark), (
            f"not valid YAML: the file holds more than one YAML document: the '---' at line "
            f"{line} starts a second one, and a file holds one (one case, conversation or rule "
            "set); delete that line and everything after it (a second case goes in a file of "
            "its own)"), (
            f"不是有效的 YAML：文件里有不止一个 YAML 文档：第 {line} 行的 '---' 开始了第二个"
            "文档，而一个文件只能放一个（一个案例、一段对话或一套规则）；请删去这一行及其后的"
            "全部内容（另一个案例请存为单独的文件）")
    tag = re.match(r"could not determine a constructor for the tag '([^']*)'", problem)
    if mark is not None and tag is not None:  # !!python/object...: asks to build an object
        line = mark.line + 1
        written = re.sub(r"^tag:yaml\.org,2002:", "!!", tag[1])
        return _at(mark), (
            f"not valid YAML here: '{written}' on line {line} is a YAML tag, which asks the "
            "reader to build a program object; these files hold only plain values and never "
            f"run code; delete '{written}' and write the value alone"), (
            f"此处不接受的 YAML：第 {line} 行的 '{written}' 是 YAML 标签，要求读取程序创建程序"
            f"对象；这类文件只写普通的值，绝不执行代码：请删去 '{written}'，只写值本身")
    if mark is None:
        mark, ctx_mark = ctx_mark, None
    if mark is None:
        return ("(file)", f"not valid YAML: {problem} (check indentation and quotes)",
                f"不是有效的 YAML：{problem}（请检查缩进和引号）")
    line = mark.line + 1
    if ctx_mark is not None and "quoted scalar" in context and (
            "end of stream" in problem or "document separator" in problem):
        opened = ctx_mark.line + 1
        return _at(ctx_mark), (
            f"not valid YAML: the quote opened at line {opened} is never closed (still open "
            f"at line {line}: {problem}); add the closing quote on line {opened}"), (
            f"不是有效的 YAML：第 {opened} 行开始的引号一直没有闭合（到第 {line} 行仍未闭合）："
            f"请在第 {opened} 行补上闭合的引号")
    if ctx_mark is not None and "simple key" in context:
        key_line = ctx_mark.line + 1
        lines = text.splitlines()
        full_width = key_line <= len(lines) and "：" in lines[key_line - 1]
        hint = ("a full-width colon '：' is not a YAML colon: type ':' followed by a space"
                if full_width else "write 'key: value' with a space after the colon")
        hint_zh = ("全角冒号'：'不是 YAML 的冒号：请输入半角 ':' 再加一个空格" if full_width
                   else "请写成 '键: 值'，冒号后加一个空格")
        return _at(ctx_mark), (
            f"not valid YAML: {problem} after the key on line {key_line} (found by line "
            f"{line}); {hint}"), (
            f"不是有效的 YAML：第 {key_line} 行的键后面没有找到 ':'（在第 {line} 行发现）；{hint_zh}")
    left_open = _flow_left_open(text, context, ctx_mark, mark)
    if left_open is not None:  # "segments: [wc" or "title: {zh: ..., en: ...": no closer
        opened, opener, closer = left_open
        what, what_zh = ("list", "列表") if opener == "[" else ("mapping", "映射")
        return _at(ctx_mark), (
            f"not valid YAML: the '{opener}' on line {opened} is never closed (the parser "
            f"reached line {line} still inside it); add '{closer}' at the end of the {what} "
            f"on line {opened}"), (
            f"不是有效的 YAML：第 {opened} 行的 '{opener}' 一直没有闭合（读到第 {line} 行仍在其中）："
            f"请在第 {opened} 行这个{what_zh}的末尾补上 '{closer}'")
    colon = _colon_in_text(text, mark) if problem == "mapping values are not allowed here" \
        else None
    if colon is not None:  # "en: Monday class: farm loans": the second ': ' starts a key
        key, value = colon
        return _at(mark), (
            f"not valid YAML: the text of '{key}' on line {line} has ': ' in it, which YAML "
            f"reads as the start of another key; put the text in quotes: {key}: \"{value}\""), (
            f"不是有效的 YAML：第 {line} 行 '{key}' 的文本里有 ': '，YAML 会把它读成另一个键的开始；"
            f"请给文本加引号：{key}: \"{value}\"")
    indent = _bad_indent_line(text, line, tab="'\\t'" in problem)
    if indent is not None:  # a tab or a Chinese keyboard's space: YAML indents with spaces
        bad_line, full_width = indent
        what, what_zh = (("full-width spaces '\u3000' (as a Chinese keyboard types them)",
                          "全角空格'\u3000'") if full_width else ("a tab", "制表符（Tab）"))
        return f"line {bad_line}, column 1", (
            f"not valid YAML: line {bad_line} is indented with {what}, which YAML does not "
            "read as indentation: indent with ordinary spaces"), (
            f"不是有效的 YAML：第 {bad_line} 行用{what_zh}缩进，YAML 不把它当作缩进："
            "请改用半角空格缩进")
    shifted = _indent_problem(text, line)
    if shifted is not None:  # a key indented too deep, or between two levels
        return (_at(mark),) + shifted
    where_else = where_else_zh = ""
    if ctx_mark is not None and ctx_mark.line != mark.line:
        where_else = f"; {context} that starts at line {ctx_mark.line + 1}"
        where_else_zh = f"；相关结构从第 {ctx_mark.line + 1} 行开始"
    wide = _full_width_key_line(text, line)
    if wide is not None:  # a key typed with a full-width colon is no key: what follows fails
        return _at(mark), (
            f"not valid YAML: {problem}{where_else}; line {wide} has a full-width colon '：' "
            "after its key, which YAML does not read as a colon: type ':' followed by a space"), (
            f"不是有效的 YAML：第 {wide} 行的键后面是全角冒号'：'，"
            "YAML 不把它当作冒号：请输入半角 ':' 再加一个空格")
    return _at(mark), (
        f"not valid YAML: {problem}{where_else} (check indentation and quotes)"), (
        f"不是有效的 YAML：{problem}{where_else_zh}（请检查缩进和引号）")


def _flow_left_open(text: str, context: str, ctx_mark: Any, mark: Any
                     ) -> tuple[int, str, str] | None:
    """(line from 1, the bracket, the one that closes it) when the parser failed inside a
    '[...]' or '{...}' opened on an earlier line that holds no closing bracket after it:
    the closer was forgotten, and the next line's 'key:' is where the parser stopped."""
    kind = re.match(r"while parsing a flow (sequence|mapping)", context)
    if kind is None or ctx_mark is None or ctx_mark.line == mark.line:
        return None
    opener, closer = ("[", "]") if kind[1] == "sequence" else ("{", "}")
    lines = text.splitlines()
    if ctx_mark.line >= len(lines) or closer in lines[ctx_mark.line][ctx_mark.column:]:
        return None
    return ctx_mark.line + 1, opener, closer


KEY_AND_TEXT = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):\s+(?=[^\s'\"\[{|>&*!])")
"""A line 'key: text' whose text is plain (not quoted, not a list or a mapping)."""


def _colon_in_text(text: str, mark: Any) -> tuple[str, str] | None:
    """(key, its text) when the parser stopped at a ': ' inside the plain text of a key
    on the same line, as in 'en: Monday class: farm loans'; None otherwise."""
    lines = text.splitlines()
    if mark.line >= len(lines):
        return None
    src = lines[mark.line]
    m = KEY_AND_TEXT.match(src)
    if m is None or mark.column < m.end() or src[mark.column:mark.column + 1] != ":":
        return None
    value = src[m.end():].split(" #")[0].strip()
    return m[2], value.replace("\\", "\\\\").replace('"', '\\"')


INDENTED_KEY = re.compile(r"^([ \t\u3000]*)(?:-[ \t\u3000]|[A-Za-z_][\w-]*[ \t\u3000]*[:：])")
"""A line that starts, after its indentation, with a key or a list item: not a line of a
text (a Chinese paragraph opens with two full-width spaces)."""


def _bad_indent_line(text: str, upto: int, tab: bool) -> tuple[int, bool] | None:
    """(line from 1, whether full-width) of the first line up to line `upto` that starts a
    key or a list item after indentation holding a full-width space (or a tab, when the
    parser stopped at one), or None. A full-width space before a key makes it plain text,
    so YAML fails on that line or the next one, and says nothing of the space."""
    for k, line in enumerate(text.splitlines()[:upto], start=1):
        m = INDENTED_KEY.match(line)
        if m is None:
            continue
        if "\u3000" in m[1]:
            return k, True
        if tab and "\t" in m[1]:
            return k, False
    return None


KEY_LINE = re.compile(r"^( *)((?:- +)*)([A-Za-z_][\w-]*) *:(?: +(.*))?$")
"""A line 'key: value' (or '- key: value', or 'key:'), indented with spaces."""


def _key_on(line: str) -> tuple[int, str, str] | None:
    """(column of the key, the key, its value as written) of a key line, else None."""
    m = KEY_LINE.match(line)
    if m is None:
        return None
    return len(m[1]) + len(m[2]), m[3], (m[4] or "").split(" #")[0].strip()


def _indent_problem(text: str, line: int) -> tuple[str, str] | None:
    """What is wrong with the indentation of the key on ``line`` (from 1), in English and
    in Chinese, when the parser stopped there because of it: the key is indented deeper
    than a key above it that already has a value, or to a column no key above it is at.
    None when the line holds no key or its indentation is not the cause."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines) or (here := _key_on(lines[line - 1])) is None:
        return None
    above = [(k, key) for k in range(line - 1, 0, -1)
             if lines[k - 1].strip() and not lines[k - 1].lstrip().startswith("#")
             and (key := _key_on(lines[k - 1])) is not None]
    if not above:
        return None
    col, key, _ = here
    (prev_line, (pcol, pkey, pvalue)) = above[0]
    if col > pcol and pvalue and pvalue[0] not in "|>&!":
        return (f"not valid YAML: '{key}' on line {line} is indented {col} spaces, deeper "
                f"than '{pkey}' on line {prev_line} ({pcol}), which already has a value: "
                f"indent '{key}' {pcol} spaces, as '{pkey}'"), (
                f"不是有效的 YAML：第 {line} 行的 '{key}' 缩进了 {col} 个空格，比第 {prev_line} 行"
                f"已经有值的 '{pkey}'（{pcol} 个空格）更深：请把 '{key}' 缩进 {pcol} 个空格，"
                f"与 '{pkey}' 对齐")
    if col >= pcol:
        return None
    levels: dict[int, tuple[int, str]] = {}  # the columns of the keys that enclose line
    lowest = pcol + 1
    for k, (c, name, _) in above:
        if c < lowest:
            levels[c], lowest = (k, name), c
    if col in levels:
        return None
    near = min(levels, key=lambda c: (abs(c - col), -c))
    at_line, name = levels[near]
    return (f"not valid YAML: '{key}' on line {line} is indented {col} spaces, which lines "
            f"up with no key above it: indent it {near} spaces, as '{name}' on line "
            f"{at_line}, if it belongs with it"), (
            f"不是有效的 YAML：第 {line} 行的 '{key}' 缩进了 {col} 个空格，与上面任何一个键都对不齐："
            f"如果它与第 {at_line} 行的 '{name}' 同级，请缩进 {near} 个空格")


FULL_WIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*\s*：")
"""A line whose key ends in a full-width colon ('name： x'), as a Chinese keyboard types it."""


def _full_width_key_line(text: str, upto: int | None = None) -> int | None:
    """The first line (from 1) up to line `upto` whose key ends in a full-width colon."""
    for k, line in enumerate(text.splitlines()[:upto], start=1):
        if FULL_WIDTH_KEY.match(line):
            return k
    return None


def _bilingual(error: type[InputError], source: str, problems: list[tuple[str, str]],
               problems_zh: list[str]) -> InputError:
    """`error(source, problems)` with the Chinese messages beside (every InputError
    subclass takes those two arguments; some take no third)."""
    exc = error(source, problems)
    exc.problems_zh = problems_zh
    return exc


def load_yaml(text: str, source: str, error: type[InputError] = InputError) -> Any:
    """Parse YAML text; syntax errors, nesting too deep and duplicate keys raise `error`
    with the line and column and what to do."""
    loader = None
    try:
        loader = _Loader(text)  # the reader checks for control characters here
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        where, en, zh = _yaml_problem(exc, text)
        raise _bilingual(error, source, [(where, en)], [zh]) from None
    except RecursionError:
        raise _bilingual(error, source, [("(file)", "YAML is nested too deeply")],
                         ["YAML 嵌套太深"]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if loader.duplicates:
        dups = sorted(loader.duplicates, key=lambda d: d[1:3])
        raise _bilingual(error, source, [
            (f"line {line}, column {col}",
             f"duplicate key '{key}' at line {line}: keep one (it is also "
             + (f"at line {first})" if first != line else "earlier on this line)"))
            for key, line, col, first in dups], [
            f"第 {line} 行的键 '{key}' 重复了：只保留一个（"
            + (f"第 {first} 行也有）" if first != line else "同一行前面也有）")
            for key, line, col, first in dups])
    return data


def read_text(path: str | Path, error: type[InputError] = InputError,
              max_bytes: int = MAX_FILE_BYTES) -> str:
    """A file's text; a missing, unreadable, oversized or non-UTF-8 file raises `error`."""
    p = Path(path)

    def unreadable(exc: OSError) -> InputError:
        return _bilingual(error, str(p), [("(file)", f"cannot read: {exc.strerror}")],
                          [f"无法读取：{exc.strerror}"])

    try:
        size = p.stat().st_size
    except OSError as exc:
        raise unreadable(exc) from None
    if size > max_bytes:
        raise _too_large(error, str(p), size, max_bytes)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise unreadable(exc) from None
    return decode_text(data, str(p), error, max_bytes)


def decode_text(data: bytes, source: str, error: type[InputError] = InputError,
                max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a file's bytes (a file read, or one uploaded in the app): an oversized
    or non-UTF-8 one raises `error`. A UTF-8 byte-order mark is dropped."""
    if len(data) > max_bytes:
        raise _too_large(error, source, len(data), max_bytes)
    kind = binary_kind(data)
    if kind is not None:  # these may decode as UTF-8 all the same (zeros are valid UTF-8)
        en, zh = _NOT_UTF8[kind]
        raise _bilingual(error, source, [("(file)", en)], [zh])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        en, zh = _not_utf8(data)
        raise _bilingual(error, source, [("(file)", en)], [zh]) from None


def binary_kind(data: bytes) -> str | None:
    """"excel" or "utf16" when bytes are no UTF-8 text even if they decode as UTF-8 (a
    workbook's header, the zero bytes of UTF-16 saved without its mark), else None."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "excel"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    # UTF-16 without its mark: a zero byte beside every Latin letter, on the same side of
    # each pair; a text file holds none
    if len(data) >= 8 and max(data[0::2].count(0), data[1::2].count(0)) * 4 >= len(data):
        return "utf16"
    return None


def not_utf8_kind(data: bytes) -> str | None:
    """What bytes that are not UTF-8 most likely are: "excel" (a workbook, or another
    archive, renamed), "utf16" or "gbk" (text a Windows editor saved so), or None."""
    kind = binary_kind(data)
    if kind is not None:
        return kind
    try:
        data.decode("gbk")
    except UnicodeDecodeError:
        return None
    return "gbk"


_NOT_UTF8 = {
    None: ("not UTF-8 text; save it as UTF-8", "不是 UTF-8 文本：请另存为 UTF-8"),
    "excel": ("not UTF-8 text: this is an Excel workbook (or another archive) renamed; a "
              "case or a rule table is YAML text: write it in a text editor, save it as UTF-8",
              "不是 UTF-8 文本：这是改了扩展名的 Excel 工作簿（或其他压缩文件）；案例和规则表是 "
              "YAML 文本：请用文本编辑器编写，另存为 UTF-8"),
    "utf16": ("not UTF-8 text: it is UTF-16 (what some Windows editors call 'Unicode'); "
              "save it as UTF-8",
              "不是 UTF-8 文本：这是 UTF-16 编码（部分 Windows 编辑器称之为“Unicode”）；请另存为 UTF-8"),
    "gbk": ("not UTF-8 text: it reads as GBK, as Chinese Windows editors save by default; "
            "save it as UTF-8 (in the editor's Save As, choose the encoding UTF-8)",
            "不是 UTF-8 文本：看起来是 GBK 编码（中文 Windows 编辑器的默认编码）；请另存为 UTF-8"
            "（在编辑器的“另存为”中把编码选为 UTF-8）"),
}


def _not_utf8(data: bytes) -> tuple[str, str]:
    """Why a file is not UTF-8 text and what to do (English, Chinese)."""
    return _NOT_UTF8[not_utf8_kind(data)]


def _too_large(error: type[InputError], source: str, size: int, max_bytes: int) -> InputError:
    return _bilingual(error, source, [("(file)", f"file is {size // 1024} KB, larger than the "
                                                 f"{max_bytes // 1024} KB limit; trim it")],
                      [f"文件有 {size // 1024} KB，超过 {max_bytes // 1024} KB 的上限：请精简"])


def validate(model: type[BaseModel], data: Any, source: str,
             error: type[InputError] = InputError, what: str = "keys",
             what_zh: str | None = None) -> Any:
    """Validate parsed YAML against a model; every problem raises `error` at its field.
    ``what``: the keys the file should hold, said in English and (``what_zh``) Chinese."""
    zh = what if what_zh is None else what_zh
    if not isinstance(data, dict):
        wide = _full_width_key_line(data) if isinstance(data, str) else None
        if wide is not None:  # 'name： x' alone reads as one line of text, not a mapping
            raise _bilingual(error, source, [(f"line {wide}", (
                f"the file must be a YAML mapping of {what}, and line {wide} has a full-width "
                "colon '：' after its key: type ':' followed by a space"))],
                [f"文件必须是 YAML 映射（'键: 值' 行），键为 {zh}；第 {wide} 行的键后面是"
                 "全角冒号'：'：请输入半角 ':' 再加一个空格"])
        if data is None:  # nothing but blank lines and comments: say so, not only what it lacks
            raise _bilingual(error, source, [("(file)", f"the file must be a YAML mapping of "
                                                        f"{what}; this one is empty (or only "
                                                        "comments): choose the file itself")],
                             [f"文件必须是 YAML 映射（'键: 值' 行），键为 {zh}；这个文件是空的"
                              "（或只有注释）：请选择文件本身"])
        raise _bilingual(error, source, [("(file)", f"the file must be a YAML mapping of {what}")],
                         [f"文件必须是 YAML 映射（'键: 值' 行），键为 {zh}"])
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise _bilingual(error, source, explain(err, model), explain_zh(err, model)) from None
    except RecursionError:
        raise _bilingual(error, source, [("(file)", "YAML is nested too deeply")],
                         ["YAML 嵌套太深"]) from None
