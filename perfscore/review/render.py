"""Review reports as text (terminal), Markdown and JSON; one form or a batch, same shape.

A batch held in memory (:class:`~perfscore.review.BatchReview`) is rendered at once by
:func:`render_review`; a streamed batch is rendered form by form (:func:`render_form`, in the
order read) and closed by :func:`render_summary` over a
:class:`~perfscore.review.ReviewSummary`, whose listing holds only the most serious forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ..core.findings import CATALOGUE, SEVERITY_NAMES
from ..core.result import Finding
from ..errors import format_path
from ..render.safe_cells import markdown_text, terminal_text
from ..text.display import fmt, fmt_fixed
from .reports import UNSCORED, FormReview
from .summary import BatchReview, ReviewEntry, ReviewSummary

__all__ = [
    "FORMATS",
    "STREAM_FORMATS",
    "location",
    "render_form",
    "render_review",
    "render_summary",
    "stream_header",
]

FORMATS = ("text", "markdown", "json")
#: Formats a streamed review is written in (``jsonl``: one JSON line per form, then the summary).
STREAM_FORMATS = ("jsonl", "text", "markdown")


def render_review(batch: BatchReview, fmt_name: str = "text") -> str:
    """The report of ``batch`` in one of :data:`FORMATS`."""
    if fmt_name == "json":
        return batch.to_json()
    if fmt_name == "markdown":
        return _markdown(batch)
    return terminal_text(_text(batch))


def location(review: FormReview, f: Finding) -> str:
    """``第 12 行`` for a spreadsheet row, ``行 12`` for a YAML line, else empty."""
    if f.row is not None:
        return f"第 {f.row} 行"
    if f.line is not None:
        return f"行 {f.line}"
    return ""


def _score(value: Decimal | None, review: FormReview) -> str:
    if value is None:
        return "—"
    places = review.evaluation.places if review.evaluation is not None else 2
    return fmt_fixed(value, places)


def _where(review: FormReview | ReviewEntry) -> str:
    return review.file if review.line is None else f"{review.file}:{review.line}"


def _values(f: Finding) -> str:
    return "；".join(f"{k} {v}" for k, v in f.values)


def _head(review: FormReview) -> list[str]:
    ev = review.evaluation
    lines = []
    who = " ".join(x for x in (review.unit, f"{review.year}年度" if review.year else None) if x)
    if ev is not None:
        lines.append(" · ".join(x for x in (who, f"{ev.template_name}（{ev.template_id}）") if x))
        total = f"计算总分 {_score(ev.total, review)}（{ev.grade}）"
    else:
        if who:
            lines.append(who)
        total = f"{UNSCORED}"
    reported = (
        f"　自评总分 {fmt(review.reported_total)}" if review.reported_total is not None else ""
    )
    c = review.counts
    lines.append(
        f"{total}{reported}　涉及分值 {fmt(review.points_at_stake)}　"
        f"错误 {c['error']}　警告 {c['warning']}　提示 {c['info']}"
    )
    extra = []
    if review.encoding:
        extra.append(f"文件编码 {review.encoding}")
    if review.rows:
        kinds: dict[str, int] = {}
        for r in review.rows:
            key = r.outcome if r.kind in ("indicator", "unreadable") else "recognised"
            kinds[key] = kinds.get(key, 0) + 1
        extra.append(
            f"共 {len(review.rows)} 行：已计分 {kinds.get('scored', 0) + kinds.get('scored+finding', 0)}"
            f"，未计分并列入发现 {kinds.get('finding', 0)}，其他（表头、资金、其中、小计、合计、空行、说明）"
            f"{kinds.get('recognised', 0)}"
            + (f"，遗漏 {kinds['lost']}" if kinds.get("lost") else "")
        )
    if extra:
        lines.append("　".join(extra))
    return lines


def _text_form(review: FormReview) -> Iterator[str]:
    yield f"■ {_where(review)}"
    for line in _head(review):
        yield f"  {line}"
    if not review.findings:
        yield "  没有发现问题。"
    for f in review.findings:
        where = " ".join(
            x for x in (location(review, f), format_path(f.path) if f.path else "") if x
        )
        yield f"  [{SEVERITY_NAMES.get(f.severity, f.severity)}] {f.code}　{where}"
        yield f"      {f.message}"
        if f.values:
            yield f"      （{_values(f)}）"


def _text(batch: BatchReview) -> str:
    lines: list[str] = []
    for review in batch.reviews:
        lines.extend(_text_form(review))
        lines.append("")
    if len(batch.reviews) != 1:
        lines.extend(_text_summary(batch))
    return "\n".join(lines).rstrip("\n") + "\n"


def _text_summary(batch: BatchReview) -> list[str]:
    return _text_summary_of(batch.summary(), [ReviewEntry.of(r) for r in batch.reviews])


def _text_summary_of(
    s: dict[str, object], entries: list[ReviewEntry], *, complete: bool = True
) -> list[str]:
    grades_map = s["grades"]
    found = s["findings"]
    assert isinstance(grades_map, dict) and isinstance(found, dict)
    grades = "，".join(f"{g} {n}" for g, n in grades_map.items()) or "—"
    stake = s["points_at_stake"]
    assert isinstance(stake, Decimal)
    heading = "按问题严重程度排序："
    if not complete:
        heading = f"按问题严重程度排序（只列出最严重的 {len(entries)} 份，共 {s['forms']} 份）："
    lines = [
        "== 汇总 ==",
        f"共 {s['forms']} 份表单　等级：{grades}",
        f"发现：错误 {found['error']}，警告 {found['warning']}，提示 {found['info']}　"
        f"涉及分值合计 {fmt(stake)}",
        heading,
    ]
    for i, entry in enumerate(entries, 1):
        c = dict(entry.counts)
        score = (
            f"计算 {fmt_fixed(entry.total, entry.places)}" if entry.total is not None else UNSCORED
        )
        if entry.reported_total is not None:
            score += f" / 自评 {fmt(entry.reported_total)}"
        lines.append(
            f"  {i}. {_where(entry)}　{entry.grade or UNSCORED}　{score}　"
            f"错误 {c['error']} 警告 {c['warning']} 提示 {c['info']}　"
            f"涉及 {fmt(entry.points_at_stake)} 分"
        )
    return lines


def _cell(text: object) -> str:
    return markdown_text(text)


def _markdown(batch: BatchReview) -> str:
    lines = ["# 复核报告", ""]
    if len(batch.reviews) != 1:
        lines += _markdown_summary(batch.summary(), [ReviewEntry.of(r) for r in batch.reviews])
    for review in batch.reviews:
        lines += _markdown_form(review)
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_summary(
    s: dict[str, object], entries: list[ReviewEntry], *, complete: bool = True
) -> list[str]:
    grades_map = s["grades"]
    found = s["findings"]
    stake = s["points_at_stake"]
    assert isinstance(grades_map, dict) and isinstance(found, dict)
    assert isinstance(stake, Decimal)
    lines = [
        "## 汇总",
        "",
        f"- 表单：{s['forms']} 份",
        "- 等级：" + ("，".join(f"{g} {n}" for g, n in grades_map.items()) or "—"),
        f"- 发现：错误 {found['error']}，警告 {found['warning']}，提示 {found['info']}",
        f"- 涉及分值合计：{fmt(stake)}",
        "",
    ]
    if not complete:
        lines += [f"按问题严重程度只列出最严重的 {len(entries)} 份（共 {s['forms']} 份）。", ""]
    lines += [
        "| 序号 | 文件 | 等级 | 计算总分 | 自评总分 | 错误 | 警告 | 提示 | 涉及分值 |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(entries, 1):
        c = dict(r.counts)
        total = fmt_fixed(r.total, r.places) if r.total is not None else "—"
        reported = fmt(r.reported_total) if r.reported_total is not None else "—"
        lines.append(
            f"| {i} | {_cell(_where(r))} | {r.grade or UNSCORED} | {total} | {reported} | "
            f"{c['error']} | {c['warning']} | {c['info']} | {fmt(r.points_at_stake)} |"
        )
    lines.append("")
    return lines


def _markdown_form(review: FormReview) -> list[str]:
    lines = [f"## {_cell(_where(review))}", ""]
    lines += [f"{_cell(line)}  " for line in _head(review)]
    lines.append("")
    if not review.findings:
        return [*lines, "没有发现问题。", ""]
    lines += [
        "| 严重程度 | 代码 | 说明 | 位置 | 指标 | 内容 | 数值 |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in review.findings:
        title = CATALOGUE[f.code].title if f.code in CATALOGUE else ""
        lines.append(
            f"| {SEVERITY_NAMES.get(f.severity, f.severity)} | `{f.code}` | {_cell(title)} | "
            f"{_cell(location(review, f))} | {_cell(format_path(f.path))} | {_cell(f.message)} | "
            f"{_cell(_values(f))} |"
        )
    lines.append("")
    return lines


# ---------------------------------------------------------------------- streamed batches


def stream_header(fmt_name: str) -> str:
    """What a streamed report starts with (the Markdown title; nothing otherwise)."""
    return "# 复核报告\n\n" if fmt_name == "markdown" else ""


def render_form(review: FormReview, fmt_name: str) -> str:
    """One form of a streamed report in one of :data:`STREAM_FORMATS`.

    ``jsonl``: the form's JSON (as in ``--format json``) on one line; ``text``: its block
    (separate blocks with a blank line); ``markdown``: its section.
    """
    if fmt_name == "jsonl":
        return review.to_json(indent=None)
    if fmt_name == "markdown":
        return "\n".join(_markdown_form(review)) + "\n"
    return terminal_text("\n".join(_text_form(review)) + "\n")


def render_summary(summary: ReviewSummary, fmt_name: str) -> str:
    """The closing summary of a streamed report (its listing: the most serious forms kept).

    ``jsonl``: one line ``{"summary": {...}}`` (see :meth:`ReviewSummary.summary`); text and
    Markdown: as a batch report's summary, saying how many forms are listed when not all are.
    """
    from ..core.result import _dumps

    data = summary.summary()
    if fmt_name == "jsonl":
        return _dumps({"summary": data}, indent=None) + "\n"
    entries = summary.most_serious()
    if fmt_name == "markdown":
        lines = _markdown_summary(data, entries, complete=summary.complete)
    else:
        lines = _text_summary_of(data, entries, complete=summary.complete)
    return "\n".join(lines).rstrip("\n") + "\n"
