"""Field types shared by the case-file schemas (scenarios, role plays).

Whole numbers and flags are strict, slugs and shares have their ranges, and every text a
user reads comes in Simplified Chinese and English (`Text`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, field_validator

from sim.inputs import Strict, refusal

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


class Text(Strict):
    """A text shown to users, in Simplified Chinese and English."""

    zh: str = Field(min_length=1, max_length=20000)
    en: str = Field(min_length=1, max_length=20000)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Title(Text):
    """A name shown to users in a legend, a picker or a table's column: one short line."""

    zh: str = Field(min_length=1, max_length=40)
    en: str = Field(min_length=1, max_length=60)

    @field_validator("zh", "en")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if not v.strip() or "\n" in v:
            raise refusal("a title is one line of text", "标题须为一行文字")
        return v.strip()
