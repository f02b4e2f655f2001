"""Writing text that came from input into files people open: never as a formula, never as markup.

A unit may name itself ``=HYPERLINK("http://example.invalid","点此")``; a spreadsheet program
would make that a live formula (and older ones run ``=cmd|' /C calc'!A0`` as a DDE command).
Every output that is opened by another program goes through this module:

- **XLSX** (:func:`set_cell`, :func:`append_row`): a text is stored as a string cell (``t="s"``),
  never a formula, whatever it starts with; a text that would *look* like a formula when edited
  (leading ``=``, ``+``, ``-``, ``@``, tab, CR) also gets the cell's ``quotePrefix`` flag, so the
  spreadsheet keeps it text when someone edits the cell. Characters XML cannot hold (C0 controls
  other than tab/LF/CR) are removed instead of making the whole workbook fail.
  Numbers (``int``, :class:`~decimal.Decimal`) stay numeric cells.
- **CSV** (:func:`csv_text`, :func:`csv_row`): OWASP's advice — a field that starts with one of
  ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading apostrophe ``'`` — *except* a plain number
  (``-5``, ``+3.5``, ``-12.5%``, ``1e3``): such a field is read as a number, not a formula, so it
  is left alone and numbers stay numbers. ``-5次`` is not a plain number (a spreadsheet would try
  it as a formula and show ``#NAME?``), so it becomes ``'-5次``. The quoting of separators and
  quotes is the :mod:`csv` module's job.
- **Markdown** (:func:`markdown_text`): ASCII punctuation that Markdown gives a meaning to is
  backslash-escaped (CommonMark allows this for any ASCII punctuation), so ``[点此](http://…)``,
  ``![](http://…)``, ``<img …>`` or ``**`` show as typed instead of becoming a link, a tracking
  image, HTML or emphasis; ``|`` is escaped and line breaks become spaces, so a table row stays
  one row. Numbers (``5.00``, ``-0.5``) are unchanged. A bare ``http://`` address stays visible
  text (some renderers make it clickable, as they would in any text).
- **HTML** (:func:`html_text`): :func:`html.escape`, quotes included (for attribute values too).
- **Terminal** (:func:`terminal_text`): control characters (ESC, BEL, C1, …) are shown as ``\\x1b``
  escapes so a file cannot move the cursor, retitle the window or hide lines.

Who uses it: the score CSV and Markdown (:mod:`perfscore.render`), the review Markdown
(:mod:`perfscore.review.render`) and the review workbook (:mod:`perfscore.review.workbook`). A new
output (HTML, docx, …) should use it too; ``tests/test_safe_cells.py`` runs every output with
hostile names.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .safe_text import cell_safe

__all__ = [
    "FORMULA_LEADS",
    "append_row",
    "csv_row",
    "csv_text",
    "html_text",
    "is_plain_number",
    "looks_like_formula",
    "markdown_text",
    "set_cell",
    "terminal_text",
    "xml_safe",
]

#: Characters a spreadsheet may take as the start of a formula (OWASP "CSV Injection").
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")

# A number as a spreadsheet reads it from CSV: sign, digits with an optional fraction, an
# optional exponent, an optional percent sign. Nothing else (no spaces, no units, no operators).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
# XML 1.0 forbids C0 controls except tab, LF and CR (openpyxl refuses them, failing the save).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Markdown: the ASCII punctuation that has a meaning inside a line (emphasis, code, links and
# images, raw HTML and entities, strikethrough, table cells). Line-start markers (``#``, ``-``,
# ``1.``) are not escaped: every text is written after other text on its line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# Terminal controls: C0 (except tab and newline), DEL and C1.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def is_plain_number(text: str) -> bool:
    """``text`` is a number a spreadsheet reads as a number (``-5``, ``+3.5``, ``12%``)."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def looks_like_formula(text: str) -> bool:
    """``text`` starts like a formula and is not a plain number (see the module docstring)."""
    return text.startswith(FORMULA_LEADS) and not is_plain_number(text)


def csv_text(value: object) -> str:
    """One CSV field: ``None`` is empty, a formula-looking text gets a leading ``'``."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def csv_row(values: Iterable[object]) -> list[str]:
    """:func:`csv_text` of every field (write the list with :func:`csv.writer`)."""
    return [csv_text(v) for v in values]


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot hold (issue 19: removed from cells)."""
    return _XML_ILLEGAL.sub("", text)


def set_cell(cell: Any, value: object) -> None:
    """Put ``value`` in an openpyxl cell: a text as a string cell (never a formula), a number
    as a number, ``None`` empty. Anything else is written as its ``str``."""
    if value is None or isinstance(value, bool):
        cell.value = value
        return
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        cell.value = value
        return
    # cell_safe also shows a non-UTF-8 file name's surrogates as \xb2 (lxml cannot write them)
    text = cell_safe(xml_safe(str(value)))
    cell.value = text
    cell.data_type = "s"  # openpyxl makes a text starting with "=" a formula otherwise
    if text.startswith(FORMULA_LEADS):
        cell.quotePrefix = True


def append_row(ws: Any, values: Sequence[object]) -> int:
    """Append ``values`` as a new row of worksheet ``ws`` through :func:`set_cell`; the row's
    number."""
    # openpyxl's max_row scans every cell, so asking it once a row made a workbook of 21,000
    # rows quadratic (issue 19): rows are appended, so the last one appended is kept, as
    # Worksheet.append keeps it.
    last = int(getattr(ws, "_current_row", 0) or 0)
    if last:
        row = last + 1
    else:
        row = ws.max_row + 1
        if row == 2 and ws.max_column == 1 and ws.cell(1, 1).value is None:
            row = 1  # a fresh sheet reports one empty row
    for col, value in enumerate(values, 1):
        set_cell(ws.cell(row, col), value)
    ws._current_row = row
    return row


def markdown_text(value: object) -> str:
    """``value`` as literal Markdown text (inline, also inside a table cell)."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def html_text(value: object) -> str:
    """``value`` as HTML text or attribute value."""
    return html.escape("" if value is None else str(value), quote=True)


def terminal_text(value: object) -> str:
    """``value`` with control characters shown as ``\\xNN`` escapes."""
    text = "" if value is None else str(value)
    return _TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
