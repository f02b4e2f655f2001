"""``perfscore show``: a template as built, after any ``extends`` merge."""

from __future__ import annotations

import json

import yaml

from ._text import fmt
from .model import Template, TemplateNode

__all__ = ["show_template"]


def show_template(template: Template, fmt_name: str = "text") -> str:
    """The merged template as an indented tree (text), or its merged data (yaml/json)."""
    if fmt_name == "json":
        return json.dumps(template.data, ensure_ascii=False, indent=2) + "\n"
    if fmt_name == "yaml":
        return yaml.safe_dump(dict(template.data), allow_unicode=True, sort_keys=False)
    lines = [
        f"{template.name}（{template.id}"
        + (f" {template.version}" if template.version else "")
        + "）"
    ]
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
        lines.extend(f"  {name}: {rule.kind}" for name, rule in template.rules.items())
    if template.inputs:
        lines.append("输入项：" + "、".join(template.inputs))
    if template.computed:
        lines.append("计算项：")
        lines.extend(f"  {c.name} = {c.formula.text}" for c in template.computed.values())
    lines.append("指标：")

    def walk(node: TemplateNode, depth: int) -> None:
        parts = [f"{'  ' * depth}- {node.name}"]
        if node.weight is not None:
            parts.append(f"{fmt(node.weight)} 分")
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
    return "\n".join(lines) + "\n"
