"""Write ``messy-hidden-sheet.xlsx``: the messy workbook with an older, hidden copy of its form.

Usage::

    python examples/review/make_hidden.py [output-folder]

The first sheet is hidden and holds an older version of the form (another reported total);
the visible, active sheet is ``messy-merged.xlsx``'s. ``perfscore review`` reads what a
person sees on opening the file (the active visible sheet) and says, as a ``sheet_read``
note, that the hidden sheet also looks like a form (issue 19, item 18).
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import load_workbook

HERE = Path(__file__).parent


def write_hidden(target: Path, source: Path = HERE / "messy-merged.xlsx") -> None:
    workbook = load_workbook(source)
    visible = workbook.worksheets[0]
    hidden = workbook.copy_worksheet(visible)
    hidden.title = "旧版"
    hidden.sheet_state = "hidden"
    workbook.move_sheet(hidden, offset=-len(workbook.worksheets) + 1)
    workbook.active = workbook.worksheets.index(visible)
    workbook.save(target)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    write_hidden(out / "messy-hidden-sheet.xlsx")
