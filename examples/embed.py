"""Embedding perfscore in an application: load, evaluate, read the items, serialise.

Run from the repository root:  python examples/embed.py
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import perfscore
from perfscore.errors import PerfscoreError

HERE = Path(__file__).resolve().parent


def main() -> None:
    # 1. A form on disk names its template by id; perfscore finds the shipped template.
    form = perfscore.load_form(HERE / "yueyanglou-2023" / "unit-self-evaluation.yaml")
    result = perfscore.evaluate(form)
    print(f"{result.unit}：总分 {result.total}，等级 {result.grade}")
    for item in result.leaves():
        if item.reported is not None and item.reported != item.score:
            print(f"  {' › '.join(item.path)}：自评 {item.reported}，计算 {item.score}")
            print(f"    {item.explanation}")

    # 2. Build the template once, then bind many forms given as plain mappings (e.g. from a
    #    database). Numbers are strings or Decimals: floats are refused, they cannot hold 0.1.
    template = form.template
    data = {
        "kind": "form",
        "template": template.id,
        "unit": "示例单位",
        "year": 2024,
        "budget": {"unit": "万元", "全年预算数": Decimal("200"), "全年执行数": "190"},
        "indicators": {
            "产出指标": {
                "数量指标": [
                    {"name": "培训场次", "target": "≥12场次", "actual": "12场次", "weight": 30},
                    {"name": "受训人数", "target": "≥500人", "actual": "450人", "weight": 20},
                ]
            },
            "效益指标": {
                "社会效益指标": [
                    {"name": "群众获得感", "target": "显著提升", "actual": "显著提升", "weight": 30}
                ]
            },
            "满意度指标": {
                "服务对象满意度指标": [
                    {"name": "学员满意度", "target": "≥90%", "actual": "93%", "weight": 10}
                ]
            },
        },
    }
    other = perfscore.evaluate(perfscore.load_form(data, template=template))
    print(f"{other.unit}：总分 {other.total}，等级 {other.grade}")
    trained = other.find("受训人数")  # a group or a leaf: narrow before reading leaf fields
    assert isinstance(trained, perfscore.LeafResult)
    print(trained.explanation)

    # 3. Every problem is a PerfscoreError with its location; ValidationErrors holds them all.
    data["indicators"]["产出指标"]["数量指标"][0]["weight"] = 0.1  # type: ignore[index]
    try:
        perfscore.load_form(data, template=template)
    except PerfscoreError as err:
        print(f"已拒绝：{err}")

    # 4. Serialise: stable JSON (schemas/result.schema.json), the same bytes for the same input.
    assert result.to_json() == perfscore.evaluate(form).to_json()
    print(result.to_json()[:60].replace("\n", " "), "…")


if __name__ == "__main__":
    main()
