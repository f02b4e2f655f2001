"""Text from input cells made safe for where it is written (issue 19, items 11 and 22).

Input cells can hold control characters (``\\x01``, ``\\x1b[31m``: a terminal escape) and
line separators many JSON Lines readers split on (U+2028, U+2029, U+0085). Each output says
them its own way, so that what is shown is what was read and nothing is executed:

* :func:`visible` (text and Markdown): every control character except tab and newline is
  written as a visible escape ``\\x1b``; U+2028/U+2029 as ``\\u2028``; a byte of a file
  name that is not UTF-8 as ``\\xb2``;
* :func:`json_safe` (JSON, JSON Lines): the C1 controls and U+2028/U+2029 are written as
  ``\\uXXXX`` escapes (JSON escapes C0 itself), so a line is one record for every reader;
  so are the surrogates standing for the bytes of a file name that is not UTF-8 (the JSON
  decodes to the same name, which opens the same file);
* :func:`cell_safe` (XLSX cells): the characters a workbook cannot hold are removed.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = ["cell_safe", "json_safe", "visible"]

_CONTROL: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_JSON_UNSAFE: Final = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: What openpyxl (and the XML of a workbook) refuses in a cell.
_CELL_ILLEGAL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATES: Final = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with control characters (not tab, newline) as visible escapes."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def json_safe(text: str) -> str:
    """JSON text with C1 controls and line separators as ``\\uXXXX`` escapes."""
    if not _JSON_UNSAFE.search(text):
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def for_format(text: str, fmt: str | None) -> str:
    """``text`` rendered as ``fmt`` made safe: JSON formats by :func:`json_safe`, text and
    Markdown by :func:`visible`; CSV (data for a spreadsheet) as it is."""
    if fmt in ("json", "jsonl"):
        return json_safe(text)
    if fmt in (None, "text", "markdown", "yaml"):
        return visible(text)
    return text


def cell_safe(value: Any) -> Any:
    """A cell value without the characters a workbook cannot hold (strings only); the
    surrogates of a file name's non-UTF-8 bytes are shown as ``\\xb2``."""
    if isinstance(value, str) and _CELL_ILLEGAL.search(value):
        value = _CELL_ILLEGAL.sub("", value)
    if isinstance(value, str) and _SURROGATES.search(value):
        value = _SURROGATES.sub(_escape, value)
    return value
