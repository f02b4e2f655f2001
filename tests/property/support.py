"""Shared strategies, templates and helpers of the property suite."""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

import perfscore
from perfscore import strategies as ps
from perfscore.model import Template
from perfscore.result import Evaluation

from ..helpers import template as base_template

ROOT = Path(__file__).resolve().parents[2]
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "thorough"


def scaled(thorough: int, ci: int | None = None) -> settings:
    """This test's number of examples: ``thorough`` under the thorough profile, else ``ci``
    (default: the profile's own)."""
    if THOROUGH:
        return settings(max_examples=thorough)
    return settings() if ci is None else settings(max_examples=ci)


#: Every rule kind, named, so that generated open leaves use each of them.
ALL_RULES: dict[str, Any] = {
    "执行率": {"kind": "execution_rate", "cap": "100%"},
    "达标": {"kind": "threshold"},
    "控制率": {
        "kind": "bands",
        "bands": [
            {"range": "[0, 0]", "score": "100%"},
            {"range": "(0, 10%]", "score": "80%"},
            {"range": "(10%, 20%]", "score": "60%"},
            {"range": "(20%, 30%]", "score": "40%"},
            {"range": "(30%, +∞)", "score": "0"},
        ],
    },
    "人员控制": {
        "kind": "deduction",
        "limit": "100%",
        "side": "above",
        "step": "1%",
        "points": "0.5",
    },
    "完成率扣分": {
        "kind": "deduction",
        "limit": "100%",
        "side": "below",
        "step": "5%",
        "points": "2",
        "partial": "ceil",
    },
    "清单": {
        "kind": "checklist",
        "items": ["制度", "台账", "公开"],
        "points": "1",
        "mode": "deduct",
    },
    "公式": {"kind": "formula", "formula": "min(actual / target, 1) * weight"},
    "人工": {"kind": "manual", "range": "[0, 100%]"},
}


@cache
def all_rules_template() -> Template:
    """The test template of tests/helpers.py with every rule kind, and a fixed computed leaf."""
    data = base_template(rules=ALL_RULES)
    data["id"] = "test/all-rules"
    data["inputs"] = {"编制数": {"unit": "人"}, "实际在职人数": {"unit": "人"}}
    data["computed"] = {"在职人员控制率": {"formula": "实际在职人数 / 编制数", "unit": "%"}}
    data["indicators"] = [
        {"name": "预算执行率", "weight": "10", "rule": "执行率"},
        {
            "name": "在职人员控制率",
            "weight": "4",
            "actual_from": "在职人员控制率",
            "rule": "人员控制",
        },
        {
            "name": "产出指标",
            "weight": "56",
            "children": [{"name": "数量指标", "open": True}, {"name": "质量指标", "open": True}],
        },
        {
            "name": "效益指标",
            "children": [{"name": "社会效益指标", "aliases": ["社会效益"], "open": True}],
        },
    ]
    return perfscore.load_template(data)


@cache
def shipped_templates() -> tuple[Template, ...]:
    lib = perfscore.TemplateLibrary()
    return tuple(lib.load(lib.find(ref)) for ref in lib.shipped_ids())


def templates() -> st.SearchStrategy[Template]:
    """The test template and every shipped one."""
    return st.sampled_from((all_rules_template(), *shipped_templates()))


@st.composite
def template_and_form(draw: Any) -> tuple[Template, dict[str, Any]]:
    t = draw(templates())
    return t, draw(ps.forms(t, not_applicable=draw(st.booleans())))


def score(t: Template, data: Mapping[str, Any]) -> Evaluation:
    return perfscore.evaluate(perfscore.load_form(data, template=t))


def leaf_form(leaf: Mapping[str, Any], t: Template | None = None) -> dict[str, Any]:
    """A form for the all-rules template with ``leaf`` in 数量指标 and padding elsewhere."""
    weight = Decimal(str(leaf.get("weight", "10")))
    pad = {"name": "补足", "target": "≥1次", "actual": "1次", "weight": str(56 - weight)}
    return {
        "kind": "form",
        "template": "test/all-rules",
        "budget": {"全年预算数": "100", "全年执行数": "100"},
        "inputs": {"编制数": "10", "实际在职人数": "10"},
        "indicators": {
            "产出指标": {"数量指标": [dict(leaf)], "质量指标": [pad]},
            "效益指标": {
                "社会效益指标": [
                    {"name": "补足", "target": "≥1次", "actual": "1次", "weight": "30"}
                ]
            },
        },
    }


def score_one(leaf: Mapping[str, Any]) -> Any:
    """The result of one leaf (weight default 10) scored in the all-rules template."""
    result = score(all_rules_template(), leaf_form(leaf))
    return result.find(("产出指标", "数量指标", str(leaf["name"])))
