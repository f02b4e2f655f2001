"""``perfscore show``: a template as built, after any ``extends`` merge.

The text form lists the settings, every rule with its parameters, the inputs and computed
values, and the indicator tree with weights. For a template that extends another it first
says which base it extends and what it changes (read from the template's own file), so a
bureau can see at a glance what its variant does differently from the standard one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..build.model import Template, TemplateNode
from ..text.display import fmt
from ..text.frozen import thaw

__all__ = ["changes_from_base", "show_template"]

# Settings a variant may replace (its name, version and description show in the header).
_SETTINGS = {
    "total": "总分",
    "rounding": "取整方式",
    "grades": "等级",
    "over_achievement": "超额完成",
    "missing": "缺少完成值的处理",
    "not_applicable": "不适用指标的处理",
    "review": "复核规则",
    "indicators": "指标体系（整体替换）",
}
_BY_NAME = {"rules": "规则", "defaults": "默认规则", "inputs": "输入项", "computed": "计算项"}


def show_template(template: Template, fmt_name: str = "text") -> str:
    """The merged template as an indented tree (text), or its merged data (yaml/json)."""
    if fmt_name == "json":
        return json.dumps(thaw(template.data), ensure_ascii=False, indent=2) + "\n"
    if fmt_name == "yaml":
        return yaml.safe_dump(thaw(template.data), allow_unicode=True, sort_keys=False)
    lines = [
        f"{template.name}（{template.id}"
        + (f" {template.version}" if template.version else "")
        + "）"
    ]
    if template.description:
        lines.append(template.description)
    base = template.data.get("extends")
    if base:
        lines.append(f"继承：{base}（以下为合并后的结果）")
        changes = changes_from_base(template)
        if changes:
            lines.append("本模板的修改：")
            lines.extend(f"  - {c}" for c in changes)
    lines.append(
        f"总分 {fmt(template.total)}；保留 {template.rounding.places} 位小数（四舍五入），"
        f"总分取{'各项得分之和' if template.rounding.total == 'sum_of_rounded' else '未舍入之和再舍入'}"
    )
    lines.append("等级：" + "，".join(f"{g.name} ≥ {fmt(g.min)}" for g in template.grades))
    over = template.over_achievement
    if over.flag_at is not None:
        deduct = (
            f"，每超 {fmt(over.deduct_step * 100)}% 扣 {fmt(over.deduct_points)} 分"
            if over.deduct_step and over.deduct_points
            else "，不扣分"
        )
        lines.append(f"超额完成：完成值达到指标值的 {fmt(over.flag_at * 100)}% 时提示{deduct}")
    lines.append(
        f"缺少完成值：{ {'error': '报错', 'zero': '计 0 分并提示', 'not_applicable': '视为不适用'}.get(template.missing, template.missing) }；"
        f"不适用指标{'按总分折算其余指标' if template.rescale_not_applicable else '不折算'}"
    )
    if template.defaults:
        lines.append("默认规则：" + "，".join(f"{k} → {v}" for k, v in template.defaults.items()))
    if template.rules:
        lines.append("规则：")
        raw_rules = template.data.get("rules") or {}
        for name, rule in template.rules.items():
            raw = raw_rules.get(name)
            params = _params(raw) if isinstance(raw, Mapping) else ""
            line = f"  {name}: {rule.kind}" + (f"（{params}）" if params else "")
            if isinstance(raw, Mapping) and raw.get("description"):
                line += f" — {raw['description']}"
            lines.append(line)
    if template.inputs:
        lines.append(
            "输入项："
            + "、".join(
                f"{spec.name}（{spec.unit.symbol}）" if spec.unit is not None else spec.name
                for spec in template.inputs.values()
            )
        )
    if template.computed:
        lines.append("计算项：")
        lines.extend(
            f"  {c.name} = {c.formula.text}" + (f"（{c.unit.symbol}）" if c.unit else "")
            for c in template.computed.values()
        )
    lines.append("指标：")

    def walk(node: TemplateNode, depth: int) -> None:
        parts = [f"{'  ' * depth}- {node.name}"]
        if node.weight is not None:
            parts.append(f"{fmt(node.weight)} 分")
        elif node.children:
            parts.append("（分值由表单分配）")
        if node.open:
            parts.append("（由表单填写三级指标）")
        if node.rule is not None:
            parts.append(f"规则 {node.rule.label}")
        if node.target is not None:
            parts.append(f"指标值 {node.target}")
        if node.actual_from:
            parts.append(f"完成值取 {node.actual_from}")
        lines.append(" ".join(parts))
        for child in node.children:
            walk(child, depth + 1)

    for node in template.nodes:
        walk(node, 1)
    examples = len(template.examples)
    if examples:
        lines.append(f"样例：{examples} 个（perfscore check {template.id}）")
    return "\n".join(lines) + "\n"


def changes_from_base(template: Template) -> list[str]:
    """What a template that ``extends`` another sets itself, read from its own file.

    Empty when the template does not extend another or its file cannot be read.
    """
    own = _own_data(template)
    if not own or not own.get("extends"):
        return []
    out: list[str] = []
    for key, value in own.items():
        if key == "indicators" and isinstance(value, Sequence):
            tops = "、".join(
                f"{n.get('name')} {n.get('weight')} 分" if n.get("weight") else str(n.get("name"))
                for n in value
                if isinstance(n, Mapping)
            )
            out.append(f"{_SETTINGS[key]}（{key}）：一级指标 {tops}")
        elif key in _SETTINGS:
            out.append(f"{_SETTINGS[key]}（{key}）：{_brief(value)}")
        elif key in _BY_NAME and isinstance(value, Mapping):
            for name, entry in value.items():
                shown = _params(entry) if isinstance(entry, Mapping) else _brief(entry)
                out.append(f"{_BY_NAME[key]}“{name}”（{key}）：{shown}")
    for path, change in (own.get("patch") or {}).items():
        if isinstance(change, Mapping) and change.get("remove") is True:
            out.append(f"删除指标“{path}”")
        elif isinstance(change, Mapping):
            parts = []
            for k, v in change.items():
                if k == "children" and isinstance(v, Sequence):
                    names = "、".join(str(c.get("name")) for c in v if isinstance(c, Mapping))
                    parts.append(f"下级指标改为 {names}")
                else:
                    parts.append(f"{k}: {_brief(v)}")
            out.append(f"指标“{path}”：" + "，".join(parts))
    return out


def _own_data(template: Template) -> Mapping[str, Any] | None:
    file = template.file
    if not file or file.startswith("<") or not os.path.isfile(file):
        return None
    from ..errors import PerfscoreError
    from ..read.yaml import load_yaml

    try:
        data = load_yaml(Path(file)).data
    except PerfscoreError:
        return None
    return data if isinstance(data, Mapping) else None


def _params(raw: Mapping[str, Any]) -> str:
    """A rule's parameters on one line: ``direction: reverse，reverse: linear_to_double``."""
    parts: list[str] = []
    for key, value in raw.items():
        if key in ("kind", "description"):
            continue
        if key == "tiers" and isinstance(value, Sequence):
            parts.append(
                "；".join(
                    f"{t.get('name')} {t.get('range')}" for t in value if isinstance(t, Mapping)
                )
            )
        elif key == "bands" and isinstance(value, Sequence):
            parts.append(
                "；".join(
                    f"{b.get('range')} → {b.get('score')}" for b in value if isinstance(b, Mapping)
                )
            )
        else:
            parts.append(f"{key}: {_brief(value)}")
    return "，".join(parts)


def _brief(value: Any) -> str:
    if isinstance(value, Mapping):
        if "name" in value and "min" in value:
            return f"{value['name']} ≥ {value['min']}"
        return "{" + "，".join(f"{k}: {_brief(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        shown = [_brief(v) for v in value]
        text = "、".join(shown)
        return text if len(text) <= 120 else f"{len(value)} 项"
    return str(value)
