"""Weights the form prints win over the template's defaults, and weights a form only implies.

Published forms print weights in three places besides the 分值 column:

* the budget block's 分值 (``年度资金总额 … 分值 20``): the weight of the budget-execution leaf;
* a first-level label (``产出指标(70分)``, kept by the reader in ``TableRead.label_points``);
* a head label over all target blocks (``年度绩效目标（80分）``): the budget leaf then has the
  rest of the total (100 − 80 = 20) unless the budget block prints its own 分值.

:func:`printed_weights` returns the template with those weights put in (the form is then
scored and checked against what it prints, never silently rescored out of the template's
number) and one ``weight_from_form`` finding per weight that differs from the template.

A form without a weight column (every leaf of a first-level block without 分值) has its
weights implied by the block's total: :func:`implied_leaf_weights` gives one leaf the whole
block, several leaves equal shares (to the template's places, the last leaf taking the
rounding rest), and says so in one ``weight_implied`` finding per block, instead of one
``weight_missing`` per row.

Stage: build (a step between reading a form and binding it to its template).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs

from ..core.findings import severity_of
from ..core.result import Finding
from ..read.yaml_document import Document
from ..text.display import fmt
from .model import Template, TemplateNode
from .template import digest

__all__ = ["implied_leaf_weights", "printed_weights"]

_POINTS: Final = re.compile(r"[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]")
_GOALS: Final = re.compile(r"(?:绩效目标|绩效指标)[^()（）]{0,8}[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分")


def _number(text: Any) -> Decimal | None:
    if text is None:
        return None
    norm = unicodedata.normalize("NFKC", str(text)).strip().removesuffix("分")
    try:
        value = Decimal(norm)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _budget_node(template: Template) -> TemplateNode | None:
    for node in template.nodes:
        if node.is_leaf and node.rule is not None and node.rule.kind == "execution_rate":
            return node
    return None


def _top(template: Template, name: str) -> TemplateNode | None:
    for node in template.nodes:
        if name == node.name or name in node.aliases:
            return node
    return None


def printed_weights(
    template: Template,
    doc: Document,
    label_points: Mapping[str, tuple[str, int, int]] | None = None,
    head_text: Iterable[str] = (),
) -> tuple[Template, list[Finding]]:
    """``template`` with the weights ``doc`` prints, and a finding for each that differs."""
    data = doc.data if isinstance(doc.data, Mapping) else {}
    changed: dict[str, Decimal] = {}
    findings: list[Finding] = []

    def differs(node: TemplateNode, value: Decimal, where: str, line: int | None) -> None:
        if node.weight is None or value == node.weight or node.name in changed:
            return
        changed[node.name] = value
        findings.append(
            Finding(
                code="weight_from_form",
                severity=severity_of("weight_from_form"),
                message=f"表中{where}印出“{node.name}”的分值为 {fmt(value)}，"
                f"与模板规定的 {fmt(node.weight)} 不同：按表中的 {fmt(value)} 分复核",
                path=(node.name,),
                values=(("模板分值", fmt(node.weight)), ("表中分值", fmt(value))),
                file=doc.file,
                line=line,
            )
        )

    budget = data.get("budget")
    node = _budget_node(template)
    printed = _number(budget.get("分值")) if isinstance(budget, Mapping) else None
    if node is not None and printed is not None:
        differs(node, printed, "资金情况", doc.locate(("budget", "分值"))[0])
    for name, (text, row, _col) in (label_points or {}).items():
        m = _POINTS.search(unicodedata.normalize("NFKC", text))
        top = _top(template, name)
        if m is not None and top is not None:
            differs(top, Decimal(m.group(1)), f"一级指标名称“{name}{text}”", row)
    if node is not None and printed is None:
        for text in head_text:
            g = _GOALS.search(unicodedata.normalize("NFKC", text))
            if g is not None:
                rest = template.total - Decimal(g.group(1))
                if rest >= 0:
                    differs(node, rest, f"“{text}”（总分 {fmt(template.total)} 减去此数）", None)
                break
    if not changed:
        return template, findings
    nodes = tuple(
        attrs.evolve(n, weight=changed[n.name]) if n.name in changed else n for n in template.nodes
    )
    weights = {k: str(v) for k, v in changed.items()}
    return attrs.evolve(template, nodes=nodes, digest=digest(template.digest, weights)), findings


def implied_leaf_weights(template: Template, doc: Document) -> tuple[Document, list[Finding]]:
    """``doc`` with weights given to the leaves of blocks that print none, and the findings."""
    data = doc.data
    if not isinstance(data, Mapping) or not isinstance(data.get("indicators"), Mapping):
        return doc, []
    indicators = dict(data["indicators"])
    places = template.rounding.places
    findings: list[Finding] = []
    for key, block in list(indicators.items()):
        node = _top(template, str(key))
        if node is None or node.is_leaf or node.weight is None or not isinstance(block, Mapping):
            continue
        leaves: list[tuple[str, int, Mapping[str, Any]]] = []
        for sub, items in block.items():
            if isinstance(items, list):
                leaves.extend(
                    (str(sub), i, e) for i, e in enumerate(items) if isinstance(e, Mapping)
                )
        if not leaves or any(e.get("weight") not in (None, "") for _s, _i, e in leaves):
            continue
        share = (node.weight / len(leaves)).quantize(Decimal(1).scaleb(-places))
        weights = [share] * len(leaves)
        weights[-1] = node.weight - share * (len(leaves) - 1)
        new_block = {s: list(v) if isinstance(v, list) else v for s, v in block.items()}
        rows: list[str] = []
        for (sub, i, entry), w in zip(leaves, weights, strict=True):
            new_block[sub][i] = {**entry, "weight": format(w.normalize(), "f")}
            line = doc.locate(("indicators", key, sub, i))[0]
            if line is not None:
                rows.append(str(line))
        indicators[key] = new_block
        how = (
            "一项，即为该项分值"
            if len(leaves) == 1
            else f"共 {len(leaves)} 项，平均分配，每项 {fmt(share)} 分"
            + ("" if weights[-1] == share else f"（最后一项 {fmt(weights[-1])} 分）")
        )
        findings.append(
            Finding(
                code="weight_implied",
                severity=severity_of("weight_implied"),
                message=f"表中没有填写“{node.name}”下各指标的分值：按该级分值 "
                f"{fmt(node.weight)} 推定（{how}），并据此复核得分"
                + (f"；涉及第 {'、'.join(rows)} 行" if rows else ""),
                path=(node.name,),
                values=(("推定分值", fmt(share)), ("该级分值", fmt(node.weight))),
                file=doc.file,
                line=doc.locate(("indicators", key))[0],
            )
        )
    if not findings:
        return doc, []
    return attrs.evolve(doc, data={**data, "indicators": indicators}), findings
