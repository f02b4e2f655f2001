"""Small builders for tests: a one-leaf (or few-leaf) standalone form around a rule; the
benchmarks' modules (the synthetic system and the floor) for tests that use them."""

from __future__ import annotations

import contextlib
import copy
import importlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import perfscore
from perfscore.result import Evaluation, LeafResult

BASE_TEMPLATE: dict[str, Any] = {
    "kind": "template",
    "id": "test/simple",
    "name": "测试模板",
    "total": "100",
    "rounding": {"places": "2"},
    "rules": {
        "正向": {"kind": "ratio", "direction": "positive"},
        "反向": {"kind": "ratio", "direction": "reverse", "reverse": "target_over_actual"},
        "反向线性": {"kind": "ratio", "direction": "reverse", "reverse": "linear_to_double"},
        "等值": {"kind": "ratio", "direction": "equal"},
        "三档": {
            "kind": "tiers",
            "pick": "top",
            "tiers": [
                {"name": "达成", "range": "[80%, 100%]", "words": ["达成", "已完成", "未发生"]},
                {"name": "部分达成", "range": "[60%, 80%)", "words": ["部分达成", "基本完成"]},
                {"name": "未达成", "range": "[0, 60%)", "words": ["未达成", "未完成"]},
            ],
        },
    },
    "defaults": {
        ">=": "正向",
        ">": "正向",
        "<=": "反向",
        "<": "反向",
        "=": "等值",
        "range": "正向",
        "定性": "三档",
    },
    "indicators": [{"name": "指标", "open": True}],
}


def template(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE_TEMPLATE)
    for key, value in changes.items():
        if key == "rules":
            data["rules"].update(value)
        else:
            data[key] = value
    return data


def form(
    leaves: Sequence[Mapping[str, Any]],
    *,
    tmpl: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A standalone form whose leaves sit under the one open node; weights padded to 100."""
    leaves = [dict(leaf) for leaf in leaves]
    total = sum(Decimal(str(leaf.get("weight", "0"))) for leaf in leaves)
    if total < 100:
        leaves.append(
            {"name": "补足", "target": "≥1次", "actual": "1次", "weight": str(100 - total)}
        )
    data: dict[str, Any] = {
        "kind": "form",
        "template": dict(tmpl or template()),
        "indicators": {"指标": leaves},
    }
    data.update(extra)
    return data


def score_leaf(
    leaf: Mapping[str, Any], *, tmpl: Mapping[str, Any] | None = None, **extra: Any
) -> LeafResult:
    """Evaluate a single leaf (with padding) and return its result."""
    result = perfscore.evaluate(perfscore.load_form(form([leaf], tmpl=tmpl, **extra)))
    return next(item for item in result.leaves() if item.name == leaf["name"])


def evaluate(data: Mapping[str, Any]) -> Evaluation:
    return perfscore.evaluate(perfscore.load_form(data))


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@contextlib.contextmanager
def benchmark_modules(*names: str) -> Iterator[tuple[ModuleType, ...]]:
    """``benchmarks/<name>.py`` imported (``synthetic``, ``floor``), the folder on sys.path
    only meanwhile."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield tuple(importlib.import_module(name) for name in names)
    finally:
        sys.path.remove(str(BENCHMARKS))
