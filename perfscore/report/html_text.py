"""Text as HTML: control and bidi characters removed, then escaped (issue 15).

Every text that came from a form goes through :func:`esc` before it is written into a page;
the pages, the charts and the report share this one module.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean", "esc"]

_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def clean(text: object) -> str:
    """``text`` without control characters (C0 but tab and newline, C1, bidi overrides)."""
    s = _CONTROL.sub("", str(text))
    return "".join(ch for ch in s if ch in "\t\n" or unicodedata.category(ch) != "Cc")


def esc(text: object) -> str:
    """Text for HTML content or a quoted attribute."""
    return html.escape(clean(text), quote=True)
