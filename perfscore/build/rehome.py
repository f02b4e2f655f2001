"""First-level groups of a table that sit deeper in the template (a wrapper level not printed).

A published three-level table always names the three levels nearest the indicators:
``产出指标 | 数量指标 | 培训场次``. Some templates put a level above those: Sichuan 2023 has
``绩效指标（90分） › 产出指标 › 数量指标``, the MOF evaluation framework ``效益 › 实施效益 ›
经济效益``. :func:`rehome` moves such a first-level group of the form under the template
groups it belongs to, with its positions, so that the table is bound as its template says
instead of every row being ``indicator_unknown``. A group is moved only when exactly one
template group of that name (or alias) exists below the first level; the move is said in a
``group_rehomed`` finding.

Stage: build (a step between reading a form and binding it to its template).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..core.findings import severity_of
from ..core.result import Finding
from ..read.yaml_document import Document, JsonPath
from .model import Template

__all__ = ["rehome"]


def _where(template: Template) -> dict[str, tuple[str, ...]]:
    """Group name (and alias) → its parents' path, for groups below the first level."""
    top = {n.name for n in template.nodes} | {a for n in template.nodes for a in n.aliases}
    seen: dict[str, list[tuple[str, ...]]] = {}
    for node in template.walk():
        if len(node.path) < 2 or node.is_leaf:
            continue
        for name in (node.name, *node.aliases):
            if name not in top:
                seen.setdefault(name, []).append(node.path[:-1])
    return {name: paths[0] for name, paths in seen.items() if len(set(paths)) == 1}


def _move(path: JsonPath, key: str, parents: tuple[str, ...]) -> JsonPath:
    if len(path) >= 2 and path[0] == "indicators" and path[1] == key:
        return ("indicators", *parents, *path[1:])
    return path


def rehome(
    template: Template, doc: Document, table: Any = None
) -> tuple[Document, Any, list[Finding]]:
    """``doc`` (and the TableRead ``table``) with deeper groups moved under their parents."""
    data = doc.data
    if not isinstance(data, Mapping) or not isinstance(data.get("indicators"), Mapping):
        return doc, table, []
    where = _where(template)
    top = {n.name for n in template.nodes} | {a for n in template.nodes for a in n.aliases}
    indicators: dict[str, Any] = dict(data["indicators"])
    positions = dict(doc.positions)
    keys = dict(doc.key_positions)
    findings: list[Finding] = []
    rows = None if table is None else list(table.rows)
    for key in list(indicators):
        if key in top or key not in where or not isinstance(indicators[key], Mapping):
            continue
        parents = where[key]
        node: dict[str, Any] = indicators
        for i, name in enumerate(parents):
            child = node.get(name)
            if not isinstance(child, dict):
                child = dict(child) if isinstance(child, Mapping) else {}
                node[name] = child
            here = ("indicators", *parents[: i + 1])
            positions.setdefault(here, positions.get(("indicators", key), (1, 1)))
            keys.setdefault(here, keys.get(("indicators", key), positions[here]))
            node = child
        if key in node:
            continue  # written both ways: leave it to the builder to report
        node[key] = indicators.pop(key)
        positions = {_move(p, key, parents): pos for p, pos in positions.items()}
        keys = {_move(p, key, parents): pos for p, pos in keys.items()}
        if rows is not None:
            rows = [
                attrs.evolve(r, paths=tuple(_move(p, key, parents) for p in r.paths)) for r in rows
            ]
        line = positions.get(("indicators", *parents, key), (None, None))[0]
        findings.append(
            Finding(
                code="group_rehomed",
                severity=severity_of("group_rehomed"),
                message=f"表中的一级指标“{key}”在模板中属于“{' › '.join(parents)}”之下，已按模板归入",
                path=(*parents, key),
                file=doc.file,
                line=line,
            )
        )
    if not findings:
        return doc, table, []
    new_doc = attrs.evolve(
        doc,
        data={**data, "indicators": indicators},
        positions=positions,
        key_positions=keys,
    )
    if table is not None:
        table = attrs.evolve(table, document=new_doc, rows=tuple(rows or ()))
    return new_doc, table, findings
