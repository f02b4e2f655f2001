"""Terminal display width of text: CJK and full-width characters take two columns, zero-width
characters none."""

from __future__ import annotations

import unicodedata

__all__ = ["cut_left", "display_width", "pad"]

# Format characters that take no column although they are not "combining": zero width space,
# non-joiner, joiner, word joiner, BOM, soft hyphen, direction marks and the like (category Cf).
_ZERO_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc"})


def _char_width(ch: str) -> int:
    if unicodedata.category(ch) in _ZERO_CATEGORIES and ch != "\t":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian Wide/Fullwidth count 2; combining
    marks, format characters such as U+200B and control characters count 0)."""
    return sum(_char_width(ch) for ch in text)


def pad(text: str, width: int, *, align: str = "left") -> str:
    """Pad ``text`` with spaces to ``width`` display columns (never truncates)."""
    gap = max(0, width - display_width(text))
    return " " * gap + text if align == "right" else text + " " * gap


def cut_left(text: str, width: int) -> str:
    """``text`` in at most ``width`` columns, keeping its end (``…`` marks the cut)."""
    if display_width(text) <= width:
        return text
    if width <= 0:
        return ""
    kept: list[str] = []
    used = 1  # the ellipsis
    for ch in reversed(text):
        w = _char_width(ch)
        if used + w > width:
            break
        kept.append(ch)
        used += w
    return "…" + "".join(reversed(kept))
