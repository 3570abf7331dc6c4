"""How the app writes money, hours, shares, months and times: one module, one unit.

Money has one unit per language, everywhere (tables, charts, key figures, the
HTML report): 万元 (CNY 10,000) in Chinese, CNY thousands in English. A table or a
chart carries plain numbers in that unit and names the unit in its header or
axis (``money_header``); a key figure or a sentence carries the unit with the
number (``money``).

    money(2_438_000, "zh") == "243.8 万元"      money(2_438_000, "en") == "CNY 2,438k"
    (the space a no-break space, NBSP)
    money_header("Balance", "en") == "Balance (CNY k)"

Hours never show a negative "left": ``hours_left`` says by how much the plan is
over. A change in a share is written in percentage points against last month, and one
that rounds to nothing has no delta (``pct_delta`` gives None), so the UI shows no red
arrow for "↑ 0.00". Counts of months agree in number
("1 month", "2 months"). Times are shown in the viewer's time zone, with its
name, or in UTC labelled as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from training.i18n import get_lang, t


@dataclass(frozen=True)
class MoneyUnit:
    """A display unit for amounts in CNY: ``label`` for headers, ``scale`` CNY per unit."""

    label: str
    scale_cny: float
    suffix: str  # after the number in running text ("万元", "k")
    prefix: str = ""  # before it ("CNY ")
    zero: str = "0"  # nothing at all, where a unit would read as a rounded amount ("0 元")


NBSP = "\u00a0"
"""Between a figure and its unit: a no-break space, so a narrow cell or a wrapped line never
reads "790.8" / "万元" or "CNY" / "2,438k". Money takes it from MONEY_UNITS (``money``),
hours from HOUR_SUFFIX: no page or report adds its own."""

MONEY_UNITS = {
    "zh": MoneyUnit(label="万元", scale_cny=1e4, suffix=NBSP + "万元", zero="0" + NBSP + "元"),
    "en": MoneyUnit(label="CNY k", scale_cny=1e3, suffix="k", prefix="CNY" + NBSP,
                    zero="CNY" + NBSP + "0"),
}
#: Decimals shown in the unit: one below this many units, none above (243.8 万元, 2,438 万元).
WHOLE_UNITS_FROM = 1_000.0
#: The least cost written in the unit: a smaller one (not zero) reads "< 0.1 万元".
SMALLEST_COST = 0.1


def _lang(lang: str | None) -> str:
    lang = lang or get_lang()
    return lang if lang in MONEY_UNITS else "zh"


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def money_unit(lang: str | None = None) -> MoneyUnit:
    return MONEY_UNITS[_lang(lang)]


def in_unit(amount_cny: float | None, lang: str | None = None) -> float:
    """An amount in CNY expressed in the display unit, rounded to one decimal (NaN stays)."""
    if _missing(amount_cny):
        return float("nan")
    return round(float(amount_cny) / money_unit(lang).scale_cny, 1)


def number(v: float | None, digits: int | None = None) -> str:
    """A number in the display unit: thousands separators, one decimal for small values."""
    if _missing(v):
        return "—"
    v = float(v)
    if digits is None:
        digits = 0 if abs(v) >= WHOLE_UNITS_FROM else 1
    text = f"{v:,.{digits}f}"
    return "0" if text.strip("-0.,") == "" else text


def money(amount_cny: float | None, lang: str | None = None) -> str:
    """An amount with its unit, for key figures and sentences: "243.8 万元", "CNY 2,438k"."""
    if _missing(amount_cny):
        return "—"
    u = money_unit(lang)
    v = float(amount_cny) / u.scale_cny
    text = number(v)
    return _with_unit(u, text.lstrip("-"), text != "0" and v < 0)


WORD_JOINER = "\u2060"
"""After a minus that a unit's prefix follows: a line may break after "-" before a letter,
and a narrow cell of the lab's tables read "[-" / "CNY 2,686k to"."""


def _with_unit(u: MoneyUnit, text: str, negative: bool) -> str:
    """A figure (unsigned text) with its unit and sign, all on one line."""
    sign = ("-" + (WORD_JOINER if u.prefix else "")) if negative else ""
    return f"{sign}{u.prefix}{text}{u.suffix}"


def money_as_typed(amount_cny: float, lang: str | None = None) -> str:
    """An amount a person typed, read back with the decimals it needs (up to two): a
    monthly officer cost of 6,300 yuan is "0.63 万元", where money() says "0.6 万元"."""
    u = money_unit(lang)
    v = float(amount_cny) / u.scale_cny
    if abs(v) >= WHOLE_UNITS_FROM or round(v, 1) == round(v, 2):
        return money(amount_cny, lang)
    text = number(abs(v), 2)
    return _with_unit(u, text, v < 0)


def money_not_zero(amount_cny: float | None, lang: str | None = None) -> str:
    """money(), except that an amount other than zero never reads 0: under the unit's last
    digit it is "< 0.1 万元" / "< CNY 0.1k", or "> -0.1 万元" below zero; and zero itself is
    "0 元" / "CNY 0" ("CNY 0k" read as a small amount rounded away)."""
    if _missing(amount_cny):
        return money(amount_cny, lang)
    u = money_unit(lang)
    if float(amount_cny) == 0:
        return u.zero
    if number(float(amount_cny) / u.scale_cny) != "0":
        return money(amount_cny, lang)
    bound = f"<{NBSP}" if amount_cny > 0 else f">{NBSP}-"
    return f"{bound}{u.prefix}{number(SMALLEST_COST)}{u.suffix}"


def cost(amount_cny: float | None, lang: str | None = None) -> str:
    """What an action costs: "—" when it costs nothing, "< 0.1 万元" when it costs less
    than the unit shows (a collection call's 20 yuan read "0 万元", as if free), else money."""
    if _missing(amount_cny) or float(amount_cny) == 0:
        return "—"
    return money_not_zero(amount_cny, lang)


def money_header(title: str, lang: str | None = None) -> str:
    """A header or axis title with the money unit: "余额(万元)", "Balance (CNY k)"."""
    u = money_unit(lang)
    return f"{title}({u.label})" if _lang(lang) == "zh" else f"{title} ({u.label})"


def pct(share: float | None, digits: int = 2) -> str:
    if _missing(share):
        return "—"
    text = f"{float(share) * 100:.{digits}f}%"
    return text[1:] if text.startswith("-") and text.strip("-0.%") == "" else text


def pct_delta(delta: float | None, digits: int = 2, lang: str | None = None) -> str | None:
    """A change in a share since last month as shown next to a key figure, in percentage
    points ("+3.14 pp on last month"): "+3.14%" under "3.14%" read as a relative change, and
    did not say against what. None when it rounds to nothing. It starts with its sign, which
    sets the arrow Streamlit draws."""
    if _missing(delta) or round(float(delta) * 100, digits) == 0:
        return None
    return t("units.pp_delta", _lang(lang), delta=f"{float(delta) * 100:+.{digits}f}")


HOUR_SUFFIX = {"zh": NBSP + "小时", "en": NBSP + "h"}
"""After the number with a no-break space: "80 h" wrapped as "80" and a lone "h" on the
next line, in the End month box and the debrief's table."""


def hours(h: float | None, lang: str | None = None, decimal: bool = False) -> str:
    """Staff hours with their unit: "12.5 小时", "12.5 h" (whole hours without a decimal,
    unless ``decimal``: a mean among means reads "-4,297.0 h", not "-4,297 h")."""
    if _missing(h):
        return "—"
    h = float(h)
    text = f"{h:,.1f}" if decimal or round(h, 1) % 1 else f"{h:,.0f}"
    return text + HOUR_SUFFIX[_lang(lang)]


def hours_left(left: float, lang: str | None = None) -> str:
    """Hours still free this month; when the plan is over the hours available, by how much."""
    if left < 0:
        return t("units.hours_over", _lang(lang), hours=hours(-left, lang))
    return hours(left, lang)


def months(n: float | int, lang: str | None = None) -> str:
    """A duration in months with the right number: "1 month", "2 months", "1.5 months", "3 个月"."""
    v = float(n)
    text = f"{v:g}"
    key = "units.month_one" if v == 1 else "units.month_other"
    return t(key, _lang(lang), n=text)


def duration(seconds: float, lang: str | None = None) -> str:
    """A wall-clock duration, rounded to the second: "45 s", "3 min 05 s", "1 h 20 min"
    ("45 秒", "3 分 05 秒", "1 小时 20 分")."""
    s = max(int(round(float(seconds))), 0)
    lang = _lang(lang)
    if s < 60:
        return t("units.seconds", lang, s=s)
    if s < 3600:
        return t("units.minutes", lang, m=s // 60, s=f"{s % 60:02d}")
    return t("units.hours_minutes", lang, h=s // 3600, m=f"{s // 60 % 60:02d}")


def local_time(when: datetime, tz_name: str | None = None, lang: str | None = None) -> str:
    """A stored (UTC) time in the viewer's zone, with the zone named: "2026-12-01 22:05 (Europe/Berlin)".

    Without a known zone the time is shown in UTC and says so.
    """
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    zone = None
    if tz_name:
        try:
            zone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
    shown = when.astimezone(zone or UTC)
    label = tz_name if zone is not None else "UTC"
    return t("units.time", _lang(lang), time=shown.strftime("%Y-%m-%d %H:%M"), zone=label)
