"""Terminal display width of text: CJK and full-width characters take two columns, zero-width
characters none."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["cut_left", "display_width", "pad", "wrap"]

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


# An ASCII word (kept whole), or one other character; closing punctuation sticks to the left.
_TOKEN = re.compile(r"[!-~]+|\s+|.", re.S)
_CLOSING = frozenset("，。、；：！？）】》」』”’,.;:!?)]}")
_OPENING = frozenset("（【《「『“‘")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns: broken at spaces or between
    any two Chinese characters, never before a closing or after an opening punctuation mark
    (unless that alone is wider than a line); an ASCII word wider than a line is split."""
    width = max(width, 2)
    tokens: list[str] = []
    for token in _TOKEN.findall(" ".join(text.split())):
        glued = token in _CLOSING or (tokens and tokens[-1][-1] in _OPENING)
        if tokens and glued and not tokens[-1].isspace():
            tokens[-1] += token
            continue
        tokens.append(token)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if display_width(line + token) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        if token.isspace():
            continue
        rest = token
        while display_width(rest) > width:  # too wide for any line: split it
            head = ""
            for ch in rest:
                if display_width(head + ch) > width:
                    break
                head += ch
            lines.append(head)
            rest = rest[len(head) :]
        line = rest
    if line.strip():
        lines.append(line.rstrip())
    return lines
