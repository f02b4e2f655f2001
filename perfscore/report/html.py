"""Self-contained HTML pages: a scored form, a batch review, a drafted report.

One file, opened by double-click: inline CSS, inline SVG charts (:mod:`perfscore.report.html_charts`),
no script, no font or image fetched (a Content-Security-Policy forbids it), ``<details>`` for
the explanations. Every text that comes from the input goes through :func:`esc`
(``html.escape`` after removing control characters), and the only links are in-page anchors
made by perfscore, so a hostile unit or indicator name (``<script>``, ``"><img onerror=…>``,
``javascript:…``) is shown as text. Numbers the tests compare with the JSON carry
``data-key`` attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from ..core.findings import SEVERITY_NAMES
from ..text.display import fmt, fmt_fixed

if TYPE_CHECKING:
    from ..core.result import Evaluation, NodeResult
    from ..review.reports import FormReview
    from ..review.summary import BatchReview
    from .report import Report

from .html_text import clean, esc

__all__ = ["clean", "esc", "render_report_html", "render_review_html", "render_score_html"]

CSS = """
:root{--ink:#1a1a1a;--muted:#555;--line:#c8cdd3;--head:#eef2f6;--link:#0b4f9c;
--err:#a3000f;--err-bg:#fde8ea;--warn:#7a4a00;--warn-bg:#fff3d4;--info:#0b4f7a;--info-bg:#e6f1fa}
html{font-family:"Microsoft YaHei","微软雅黑","PingFang SC","Hiragino Sans GB","Noto Sans CJK SC",
"Source Han Sans SC","WenQuanYi Micro Hei",SimSun,"宋体",sans-serif;color:var(--ink);
font-size:15px;line-height:1.6;background:#fff}
body{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:.2em 0 .4em}h2{font-size:1.3em;margin:1.4em 0 .5em;
border-bottom:2px solid var(--line);padding-bottom:.2em}h3{font-size:1.1em;margin:1.2em 0 .4em}
a{color:var(--link)}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
th,td{border:1px solid var(--line);padding:4px 8px;vertical-align:top;text-align:left}
th{background:var(--head);font-weight:600;white-space:nowrap}
table.counts{width:auto;min-width:45%}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.group td{background:#f6f8fa;font-weight:600}tr.level1 td{background:var(--head)}
tr.total td{font-weight:700;border-top:2px solid var(--ink)}
.summary{display:flex;flex-wrap:wrap;gap:12px;margin:.5em 0 1em;padding:0;list-style:none}
.summary li{border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:7em}
.summary b{display:block;font-size:1.4em}
.meta{color:var(--muted)}
.sev{display:inline-block;padding:0 6px;border-radius:3px;font-size:.9em;white-space:nowrap}
.sev-error{color:var(--err);background:var(--err-bg)}tr.sev-error td:first-child{border-left:4px solid var(--err)}
.sev-warning{color:var(--warn);background:var(--warn-bg)}tr.sev-warning td:first-child{border-left:4px solid var(--warn)}
.sev-info{color:var(--info);background:var(--info-bg)}tr.sev-info td:first-child{border-left:4px solid var(--info)}
details summary{cursor:pointer;color:var(--link)}details p{margin:.3em 0}
.chart{max-width:100%;height:auto;font-size:13px;fill:#222}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;align-items:start}
.legend{margin:0 0 .5em;font-size:.9em}.key{margin-right:1.2em}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.pair table.counts{width:100%;min-width:0}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.placeholder{border:2px dashed var(--warn);background:var(--warn-bg);padding:6px 10px}
.prompt{color:var(--warn);margin-left:1.5em}
.note{color:var(--err)}
.report h1{text-align:center;font-family:"FangSong","仿宋",SimSun,"宋体",serif}
.report p{text-indent:2em;margin:.4em 0}
.report h2{border:0;font-family:"SimHei","黑体","Microsoft YaHei",sans-serif}
.report h3{font-family:"KaiTi","楷体",SimSun,serif}
@page{size:A4;margin:18mm 15mm}
@media print{html{font-size:10.5pt}body{max-width:none;padding:0}
a{color:inherit;text-decoration:none}h2{break-after:avoid}tr,.chart{break-inside:avoid}
section.form{break-before:page}.noprint{display:none}
th{background:#eee!important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.sev{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"


def page(title: str, body: str, *, css_class: str = "") -> str:
    """A whole document: UTF-8, zh-CN, no script, nothing loaded from elsewhere."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="perfscore">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f'<body class="{css_class}">{body}</body></html>\n'
    )


def _sev(severity: str) -> str:
    name = SEVERITY_NAMES.get(severity, severity)
    return f'<span class="sev sev-{esc(severity)}">{esc(name)}</span>'


def _num(value: Decimal | None, places: int) -> str:
    return "—" if value is None else fmt_fixed(value, places)


# ====================================================================== scoring


def render_score_html(ev: Evaluation) -> str:
    """One scored form: summary, score-vs-weight chart, indicator table with explanations."""
    from ..core.result import GroupResult
    from .html_charts import pair_chart

    p = ev.places
    who = " ".join(x for x in (ev.unit, f"{ev.year}年度" if ev.year else None) if x)
    title = f"{who} {ev.template_name} 计分结果".strip()
    items = [
        f'<li>总分<b data-key="total">{esc(fmt_fixed(ev.total, p))}</b></li>',
        f'<li>等级<b data-key="grade">{esc(ev.grade)}</b></li>',
        f'<li>满分<b data-key="weight">{esc(fmt(ev.total_weight))}</b></li>',
    ]
    if ev.reported_total is not None:
        items.append(
            f'<li>自评总分<b data-key="reported_total">{esc(fmt(ev.reported_total))}</b></li>'
        )
    if ev.not_applicable_weight:
        items.append(f"<li>不适用分值<b>{esc(fmt(ev.not_applicable_weight))}</b></li>")
    rows = [
        (
            n.name,
            n.score,
            n.weight if isinstance(n, GroupResult) else n.effective_weight,
            fmt_fixed(n.score, p),
            fmt(n.weight if isinstance(n, GroupResult) else n.effective_weight),
        )
        for n in ev.items
    ]
    body = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">模板：{esc(ev.template_name)}（{esc(ev.template_id)}'
        f"{'，版本 ' + esc(ev.template_version) if ev.template_version else ''}）"
        f"{'　文件：' + esc(ev.file) if ev.file else ''}</p>",
        f'<ul class="summary">{"".join(items)}</ul>',
        "<h2>一级指标得分与分值</h2>",
        pair_chart("各一级指标的得分与分值", rows),
        _pair_table(rows),
        "<h2>逐项得分</h2>",
        '<table class="tree"><thead><tr><th>指标</th><th class="n">分值</th><th>指标值</th>'
        '<th>完成值</th><th>状态</th><th class="n">得分</th><th class="n">自评</th>'
        "<th>计分说明</th></tr></thead><tbody>",
        *_tree_rows(ev.items, 0, p),
        f'<tr class="total"><td>合计</td><td class="n">{esc(fmt(ev.total_weight))}</td>'
        f'<td></td><td></td><td>{esc(ev.grade)}</td><td class="n">{esc(fmt_fixed(ev.total, p))}</td>'
        f'<td class="n">{"" if ev.reported_total is None else esc(fmt(ev.reported_total))}</td><td></td></tr>',
        "</tbody></table>",
    ]
    if ev.findings:
        body.append("<h2>计分提示</h2>")
        body.append(_findings_table(ev.findings))
    body.append(f'<p class="meta">内容摘要 {esc(ev.digest)}　由 perfscore 生成</p>')
    return page(title, "".join(body))


def _pair_table(rows: list[tuple[str, Decimal, Decimal, str, str]]) -> str:
    cells = "".join(
        f"<tr><td>{esc(r[0])}</td><td>{esc(r[3])}</td><td>{esc(r[4])}</td></tr>" for r in rows
    )
    return f'<table class="sr"><tr><th>指标</th><th>得分</th><th>分值</th></tr>{cells}</table>'


def _tree_rows(nodes: tuple[NodeResult, ...], depth: int, p: int) -> Iterator[str]:
    from ..core.result import GroupResult

    for node in nodes:
        pad = f' style="padding-left:{8 + depth * 20}px"'
        if isinstance(node, GroupResult):
            cls = "group level1" if depth == 0 else "group"
            yield (
                f'<tr class="{cls}"><td{pad}>{esc(node.name)}</td><td class="n">{esc(fmt(node.weight))}</td>'
                f'<td></td><td></td><td>小计</td><td class="n">{esc(fmt_fixed(node.score, p))}</td>'
                f'<td class="n">{"" if node.reported is None else esc(fmt(node.reported))}</td><td></td></tr>'
            )
            yield from _tree_rows(node.children, depth + 1, p)
            continue
        flags = "、".join(node.flags)
        detail = f"<p>{esc(node.explanation)}</p>"
        if node.note:
            detail += f"<p>偏差原因：{esc(node.note)}</p>"
        if flags:
            detail += f"<p>标记：{esc(flags)}</p>"
        detail += f"<p>规则：{esc(node.rule_name)}（{esc(node.rule_kind)}）</p>"
        yield (
            f'<tr><td{pad}>{esc(node.name)}</td><td class="n">{esc(fmt(node.weight))}</td>'
            f"<td>{esc(node.target_text or '')}</td><td>{esc(node.actual_text or '')}</td>"
            f'<td>{esc(node.status)}</td><td class="n">{esc(fmt_fixed(node.score, p))}</td>'
            f'<td class="n">{"" if node.reported is None else esc(fmt(node.reported))}</td>'
            f"<td><details><summary>展开</summary>{detail}</details></td></tr>"
        )


def _findings_table(findings: tuple[object, ...], review: FormReview | None = None) -> str:
    from ..core.result import Finding
    from ..errors import format_path
    from ..review.render import location

    rows = []
    for f in findings:
        assert isinstance(f, Finding)
        where = " ".join(
            x
            for x in (
                location(review, f) if review is not None else "",
                format_path(f.path) if f.path else "",
            )
            if x
        )
        values = "；".join(f"{k} {v}" for k, v in f.values)
        rows.append(
            f'<tr class="sev-{esc(f.severity)}"><td>{_sev(f.severity)}</td><td><code>{esc(f.code)}</code></td>'
            f"<td>{esc(where)}</td><td>{esc(f.message)}"
            + (f'<br><span class="meta">{esc(values)}</span>' if values else "")
            + "</td></tr>"
        )
    return (
        '<table class="findings"><thead><tr><th>严重程度</th><th>复核项</th><th>位置</th>'
        f"<th>说明</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


# ====================================================================== review


def render_review_html(batch: BatchReview) -> str:
    """A batch review: summary with charts, the forms ranked, then each form's findings."""
    from ..core.findings import CATALOGUE
    from ..review.reports import UNSCORED
    from .html_charts import Bar, bar_chart

    s = batch.summary()
    worst = _worst_by_code(batch)
    anchors = {id(r): f"form-{i + 1}" for i, r in enumerate(batch.reviews)}
    f = s["findings"]
    body = [
        '<h1 id="top">复核报告</h1>',
        '<ul class="summary">'
        f'<li>表单<b data-key="forms">{s["forms"]}</b></li>'
        f'<li>错误<b data-key="error">{f["error"]}</b></li>'
        f'<li>警告<b data-key="warning">{f["warning"]}</b></li>'
        f'<li>提示<b data-key="info">{f["info"]}</b></li>'
        f'<li>涉及分值<b data-key="points_at_stake">{esc(fmt(s["points_at_stake"]))}</b></li></ul>',
        "<h2>等级分布</h2>",
        '<div class="pair">',
        bar_chart(
            "各等级的表单数",
            [Bar(g, Decimal(n), str(n)) for g, n in s["grades"].items()],
            unit=" 份",
            width=440,
            label=90,
        ),
        _count_table("等级", "表单数", s["grades"], "grades"),
        "</div>",
        f"<h2>发现（按复核项{'，图中为最多的 ' + str(CODES_SHOWN) + ' 项' if len(s['codes']) > CODES_SHOWN else ''}）</h2>",
        bar_chart(
            "各复核项的发现数（颜色为本批中该复核项最严重的程度）",
            [
                Bar(
                    c,
                    Decimal(n),
                    str(n),
                    colour=SEVERITY_COLOURS.get(worst.get(c, "info"), SEVERITY_COLOURS["info"]),
                )
                for c, n in list(s["codes"].items())[:CODES_SHOWN]
            ],
            unit=" 条",
        ),
        _legend(),
        _codes_table(s["codes"], CATALOGUE),
        "<h2>涉及分值（按表单）</h2>",
    ]
    ranked = sorted(batch.reviews, key=lambda r: (-r.points_at_stake, r.file, r.line or 0))
    body.append(
        bar_chart(
            "各表单的涉及分值（自评与规则计分之差）",
            [
                Bar(
                    r.unit or _where(r),
                    r.points_at_stake,
                    fmt(r.points_at_stake),
                    href=anchors[id(r)],
                )
                for r in ranked[:30]
            ],
            unit=" 分",
        )
    )
    body.append(
        '<h2>表单一览</h2><table class="forms"><thead><tr><th>#</th><th>文件</th><th>单位</th>'
        '<th class="n">计算总分</th><th class="n">自评总分</th><th>等级</th><th>最严重</th>'
        '<th class="n">错误</th><th class="n">警告</th><th class="n">提示</th><th class="n">涉及分值</th>'
        "</tr></thead><tbody>"
    )
    for i, r in enumerate(batch.reviews):
        ev = r.evaluation
        p = 2 if ev is None else ev.places
        c = r.counts
        body.append(
            f'<tr class="sev-{esc(r.max_severity or "none")}"><td>{i + 1}</td>'
            f'<td><a href="#{anchors[id(r)]}">{esc(_where(r))}</a></td><td>{esc(r.unit or "")}</td>'
            f'<td class="n">{_num(None if ev is None else ev.total, p)}</td>'
            f'<td class="n">{"—" if r.reported_total is None else esc(fmt(r.reported_total))}</td>'
            f"<td>{esc(r.grade or UNSCORED)}</td>"
            f"<td>{_sev(r.max_severity) if r.max_severity else '无'}</td>"
            f'<td class="n">{c["error"]}</td><td class="n">{c["warning"]}</td><td class="n">{c["info"]}</td>'
            f'<td class="n">{esc(fmt(r.points_at_stake))}</td></tr>'
        )
    body.append("</tbody></table>")
    for r in batch.reviews:
        body.append(_form_section(r, anchors[id(r)]))
    return page("复核报告", "".join(body))


#: How many finding codes the chart shows (the table below it lists all).
CODES_SHOWN = 12
#: Bar colours by severity, each at least 3:1 against white (WCAG non-text contrast).
SEVERITY_COLOURS = {"error": "#b3261e", "warning": "#b26a00", "info": "#1f5fa8"}


def _worst_by_code(batch: BatchReview) -> dict[str, str]:
    """The most serious severity each finding code has in the batch (templates may change it)."""
    from ..core.findings import SEVERITY_RANK

    worst: dict[str, str] = {}
    for review in batch.reviews:
        for f in review.findings:
            if SEVERITY_RANK.get(f.severity, 0) > SEVERITY_RANK.get(worst.get(f.code, ""), 0):
                worst[f.code] = f.severity
    return worst


def _legend() -> str:
    items = "".join(
        f'<span class="key"><i style="background:{colour}"></i>{esc(SEVERITY_NAMES.get(sev, sev))}</span>'
        for sev, colour in SEVERITY_COLOURS.items()
    )
    return f'<p class="legend">{items}</p>'


def _where(r: FormReview) -> str:
    return r.file if r.line is None else f"{r.file}:{r.line}"


def _count_table(label: str, what: str, counts: dict[str, int], key: str) -> str:
    rows = "".join(
        f'<tr><td>{esc(k)}</td><td class="n" data-key="{key}:{esc(k)}">{n}</td></tr>'
        for k, n in counts.items()
    )
    return f'<table class="counts"><tr><th>{esc(label)}</th><th class="n">{esc(what)}</th></tr>{rows}</table>'


def _codes_table(codes: dict[str, int], catalogue: Mapping[str, object]) -> str:
    rows = []
    for code, n in codes.items():
        spec = catalogue.get(code)
        title = getattr(spec, "title", "") if spec is not None else ""
        rows.append(
            f"<tr><td><code>{esc(code)}</code></td><td>{esc(title)}</td>"
            f'<td class="n" data-key="codes:{esc(code)}">{n}</td></tr>'
        )
    return (
        '<table class="counts"><tr><th>复核项</th><th>含义</th><th class="n">发现数</th></tr>'
        f"{''.join(rows)}</table>"
    )


def _form_section(r: FormReview, anchor: str) -> str:
    from ..review.render import _head

    out = [f'<section class="form" id="{anchor}"><h2>{esc(_where(r))}</h2>']
    out.extend(f'<p class="meta">{esc(line)}</p>' for line in _head(r))
    if r.findings:
        out.append(_findings_table(r.findings, r))
    else:
        out.append("<p>没有发现问题。</p>")
    out.append('<p class="noprint"><a href="#top">回到开头</a></p></section>')
    return "".join(out)


# ====================================================================== drafted report


def render_report_html(report: Report) -> str:
    """The drafted 自评报告 as a printable page; placeholders stand out in a dashed box."""
    out = ['<article class="report">']
    out.extend(f"<h1>{esc(line)}</h1>" for line in report.title)
    for b in report.blocks:
        if b.kind == "heading":
            level = min(6, b.level + 1)
            out.append(f"<h{level}>{esc(b.text)}</h{level}>")
        elif b.kind == "placeholder":
            out.append(f'<p class="placeholder"><strong>【待单位填写】</strong>{esc(b.text)}</p>')
        elif b.kind == "prompt":
            out.append(f'<p class="prompt">· {esc(b.text)}</p>')
        elif b.kind == "note":
            out.append(f'<p class="note">{esc(b.text)}</p>')
        else:
            out.append(f"<p>{esc(b.text)}</p>")
    out.append("</article>")
    return page("".join(report.title) or "绩效自评报告", "".join(out), css_class="report")
