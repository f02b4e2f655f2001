"""The drafted 自评报告 as a Word document (python-docx, optional extra ``perfscore[docx]``).

Styled as a government document (党政机关公文格式, GB/T 9704 in spirit): title in 小标宋 二号
centred, first-level headings in 黑体 三号, second-level in 楷体 三号, body in 仿宋_GB2312 三号
with a two-character first-line indent and fixed 28-point line spacing, A4 with 37/35/28/26 mm
margins. Each font names its Windows font for East Asian text. Placeholders the unit must
replace are highlighted in yellow and start with 【待单位填写】.
"""

from __future__ import annotations

import io
from typing import Any

from ..errors import InputTypeError
from .html import clean
from .report import Report

__all__ = ["report_docx_bytes"]

TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"


def _docx() -> Any:
    try:
        import docx
    except ImportError as exc:
        raise InputTypeError(
            "写 Word（.docx）报告需要 python-docx：pip install 'perfscore[docx]'",
            expected="已安装 python-docx",
        ) from exc
    return docx


def _font(run_or_style: Any, name: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = name
    font.size = Pt(size)
    font.bold = bold
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def report_docx_bytes(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    docx = _docx()
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    styles = document.styles
    normal = styles["Normal"]
    _font(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.first_line_indent = Pt(32)
    normal.paragraph_format.space_after = Pt(0)
    for name, font, size, bold in (
        ("Title", TITLE_FONT, 22, False),
        ("Heading 1", HEADING1_FONT, 16, False),
        ("Heading 2", HEADING2_FONT, 16, False),
        ("Heading 3", BODY_FONT, 16, True),
    ):
        style = styles[name]
        _font(style, font, size, bold=bold)
        style.font.color.rgb = None
        fmt = style.paragraph_format
        fmt.line_spacing = Pt(28 if name != "Title" else 36)
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        fmt.first_line_indent = Pt(0) if name == "Title" else Pt(32)
        if name == "Title":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for line in report.title:
        document.add_paragraph(clean(line), style="Title")
    document.add_paragraph("")
    for b in report.blocks:
        if b.kind == "heading":
            document.add_paragraph(clean(b.text), style=f"Heading {min(3, max(1, b.level))}")
        elif b.kind in ("placeholder", "prompt"):
            text = clean(f"【待单位填写】{b.text}" if b.kind == "placeholder" else f"· {b.text}")
            run = document.add_paragraph().add_run(text)
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        else:
            document.add_paragraph(clean(b.text))
    # XML cannot hold control characters: python-docx refuses them, so they are removed first
    document.core_properties.title = clean("".join(report.title))
    document.core_properties.author = clean(report.unit or "")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
