"""Formula cells an XLSX sheet stores without a cached value.

A cell typed as ``=8个`` in Excel (or written by a tool) is saved as a *formula* ``8个`` with
no computed value; reading the workbook's values (what the reader does) sees an empty cell.
:func:`uncached_formulas` finds such cells in one sheet, so the reader can keep their text
(``=8个``: a target written with ``=``) and review can say what happened instead of reporting
a missing target. It reads only the sheet's XML part, streaming, and gives up quietly (an
empty result) on anything unexpected: the values reader has already reported a broken file.

Stage: read.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Final
from xml.etree import ElementTree

__all__ = ["MAX_PART_BYTES", "uncached_formulas"]

#: A sheet part larger than this (uncompressed) is not searched for formulas.
MAX_PART_BYTES: Final = 50_000_000

_MAIN: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF: Final = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _small(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        return None
    return zf.read(info)


def _sheet_part(zf: zipfile.ZipFile, title: str) -> str | None:
    book, rels = _small(zf, "xl/workbook.xml"), _small(zf, "xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return None
    rid = None
    for el in ElementTree.fromstring(book).iter(f"{_MAIN}sheet"):
        if el.get("name") == title:
            rid = el.get(f"{_REL}id")
    for el in ElementTree.fromstring(rels).iter(f"{_PKG_REL}Relationship"):
        if rid is not None and el.get("Id") == rid:
            target = el.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return None


def uncached_formulas(raw: bytes, title: str) -> dict[tuple[int, int], str]:
    """(row, column) (1-based) → ``=formula`` of sheet ``title``'s formula cells with no value."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            part = _sheet_part(zf, title)
            data = None if part is None else _small(zf, posixpath.normpath(part))
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        return {}
    if data is None:
        return {}
    out: dict[tuple[int, int], str] = {}
    try:
        for _event, el in ElementTree.iterparse(io.BytesIO(data)):
            if el.tag != f"{_MAIN}c":
                continue
            formula = el.find(f"{_MAIN}f")
            value = el.find(f"{_MAIN}v")
            m = _REF.fullmatch(el.get("r") or "")
            if formula is not None and formula.text and (value is None or not value.text) and m:
                out[(int(m.group(2)), _column(m.group(1)))] = "=" + formula.text
            el.clear()
    except ElementTree.ParseError:
        return {}
    return out
