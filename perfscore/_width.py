"""Terminal display width of text: CJK and full-width characters take two columns."""

from __future__ import annotations

import unicodedata

__all__ = ["display_width", "pad"]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian Wide/Fullwidth count 2)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, align: str = "left") -> str:
    """Pad ``text`` with spaces to ``width`` display columns (never truncates)."""
    gap = max(0, width - display_width(text))
    return " " * gap + text if align == "right" else text + " " * gap
