"""Small inline SVG bar charts for the HTML reports: no library, no script, no network.

Every label is escaped with :func:`perfscore.report.html.esc`; numbers are Decimals, scaled to
pixels with a rounding half up (the pixel is the only place a number is cut). Each chart is an
``<svg role="img">`` with a ``<title>`` and, for screen readers and print, the same numbers in
a visually hidden table next to it (see ``_html.page``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from .html_text import esc

__all__ = ["Bar", "bar_chart", "pair_chart"]

#: Colours with at least 4.5:1 contrast against white for text, 3:1 for bars.
SCORE_COLOUR = "#1f5fa8"
WEIGHT_COLOUR = "#c9d3df"
TEXT_COLOUR = "#222"

_ROW = 26
_LABEL = 220
_WIDTH = 720


class Bar:
    """One bar: its label, its value, a shown text, an optional link and colour."""

    __slots__ = ("colour", "href", "label", "shown", "value")

    def __init__(
        self,
        label: str,
        value: Decimal,
        shown: str,
        *,
        href: str | None = None,
        colour: str = SCORE_COLOUR,
    ) -> None:
        self.label, self.value, self.shown, self.href, self.colour = (
            label,
            value,
            shown,
            href,
            colour,
        )


def _px(value: Decimal, top: Decimal, width: int) -> int:
    if top <= 0 or value <= 0:
        return 0
    return int((value / top * width).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cut(label: str, limit: int = 30) -> str:
    """``label`` cut to ``limit`` columns (a Chinese character takes two), with an ellipsis."""
    from ..text.width import display_width

    if display_width(label) <= limit:
        return label
    out = ""
    for ch in label:
        if display_width(out + ch) > limit - 2:
            break
        out += ch
    return out + "…"


def bar_chart(
    title: str, bars: Sequence[Bar], *, unit: str = "", width: int = _WIDTH, label: int = _LABEL
) -> str:
    """A horizontal bar chart: one labelled bar a row, value written at its end.

    ``width`` is the drawing's width in pixels and ``label`` the part of it kept for labels.
    """
    top = max((b.value for b in bars), default=Decimal(0))
    span = width - label - 90
    height = _ROW * max(1, len(bars)) + 10
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>'
    ]
    for i, b in enumerate(bars):
        y = 5 + i * _ROW
        w = _px(b.value, top, span)
        text = f'<text x="{label - 8}" y="{y + 17}" text-anchor="end">{esc(_cut(b.label, label // 7))}</text>'
        if b.href:  # only ever an in-page anchor made by perfscore
            text = f'<a href="#{esc(b.href)}">{text}</a>'
        out.append(
            f"<g><title>{esc(b.label)}：{esc(b.shown)}{esc(unit)}</title>{text}"
            f'<rect x="{label}" y="{y + 4}" width="{w}" height="{_ROW - 8}" fill="{b.colour}"/>'
            f'<text x="{label + w + 6}" y="{y + 17}">{esc(b.shown)}{esc(unit)}</text></g>'
        )
    if not bars:
        out.append(f'<text x="{label}" y="20">无</text>')
    out.append("</svg>")
    return "".join(out)


def pair_chart(title: str, rows: Sequence[tuple[str, Decimal, Decimal, str, str]]) -> str:
    """Score against weight per row: the weight as a light bar, the score as a dark one on it.

    ``rows`` are (label, score, weight, shown score, shown weight).
    """
    top = max((w for _l, _s, w, _ss, _sw in rows), default=Decimal(0))
    span = _WIDTH - _LABEL - 130
    height = _ROW * max(1, len(rows)) + 40
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>'
    ]
    for i, (label, score, weight, shown_score, shown_weight) in enumerate(rows):
        y = 5 + i * _ROW
        ww, sw = _px(weight, top, span), _px(min(score, weight), top, span)
        out.append(
            f"<g><title>{esc(label)}：得分 {esc(shown_score)}，分值 {esc(shown_weight)}</title>"
            f'<text x="{_LABEL - 8}" y="{y + 17}" text-anchor="end">{esc(_cut(label))}</text>'
            f'<rect x="{_LABEL}" y="{y + 4}" width="{ww}" height="{_ROW - 8}" fill="{WEIGHT_COLOUR}"/>'
            f'<rect x="{_LABEL}" y="{y + 4}" width="{sw}" height="{_ROW - 8}" fill="{SCORE_COLOUR}"/>'
            f'<text x="{_LABEL + ww + 6}" y="{y + 17}">{esc(shown_score)} / {esc(shown_weight)}</text></g>'
        )
    y = 10 + len(rows) * _ROW
    out.append(
        f'<rect x="{_LABEL}" y="{y}" width="14" height="12" fill="{SCORE_COLOUR}"/>'
        f'<text x="{_LABEL + 20}" y="{y + 11}">得分</text>'
        f'<rect x="{_LABEL + 70}" y="{y}" width="14" height="12" fill="{WEIGHT_COLOUR}"/>'
        f'<text x="{_LABEL + 90}" y="{y + 11}">分值</text></svg>'
    )
    return "".join(out)
