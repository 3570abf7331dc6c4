"""Key figures as a row of compact cards that wrap instead of truncating.

``st.metric`` in equal narrow columns cuts long labels and values ("200,000 万…")
at 1024 px. Here each figure is a bordered metric as wide as its content, in a
horizontal container that wraps onto a second line when the row does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st


@dataclass(frozen=True)
class Figure:
    label: str
    value: Any
    options: dict = field(default_factory=dict)  # delta, delta_color, help for st.metric


def row(figures: list[Figure], key: str) -> None:
    """Draw ``figures`` side by side, wrapping as the width requires."""
    with st.container(horizontal=True, wrap=True, gap="small", key=key):
        for f in figures:
            st.metric(f.label, f.value, border=True, width="content", **f.options)
