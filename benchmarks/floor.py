"""The floor: the synthetic system's scoring written by hand, in plain Python and ``Decimal``.

No validation, no explanation, no generality: the least work that gives the same scores (to
the cent) as perfscore on the synthetic forms. Everything perfscore does beyond this is what
the ratio in the benchmark measures.
"""

from __future__ import annotations

import decimal
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from synthetic import leaves

__all__ = ["score", "score_line"]

_CONTEXT = decimal.Context(prec=28, rounding=ROUND_HALF_UP)
_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)
_NUMBER = re.compile(r"^(≥|≧|>=|≤|≦|<=)?\s*(\d+(?:\.\d+)?)\s*(%|[^\d\s]*)$")
_UPPER = {"≤", "≦", "<="}
#: Tier of each word and the share of the weight it gets (pick: top; [60%, 80%) tops at 80%
#: less one cent of the weight, which is what perfscore's top of a half-open tier means).
_GOOD = frozenset(("达成", "全部达成", "显著提升", "有效提升", "已建立", "健全"))
_PART = frozenset(("基本达成", "部分达成", "有所提升", "初步建立"))
_GRADES = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"))


def _number(text: str) -> tuple[bool, Decimal]:
    match = _NUMBER.match(text)
    if match is None:
        raise ValueError(text)
    value = Decimal(match[2])
    if match[3] == "%":
        value /= _HUNDRED
    return match[1] in _UPPER, value


def score(data: dict[str, Any], structure: list[tuple[str, str, str, Decimal]]) -> dict[str, Any]:
    """{"items": {name: score}, "total": …, "grade": …} for one form."""
    with decimal.localcontext(_CONTEXT):
        budget = data["budget"]
        rate = Decimal(budget["全年执行数"]) / Decimal(budget["全年预算数"])
        items = {"预算执行率": (min(rate, _ONE) * 10).quantize(_CENT)}
        indicators = data["indicators"]
        for top, mid, name, weight in structure:
            entry = indicators[top][mid][name]
            target, actual = entry["target"], entry["actual"]
            if target[0].isdigit() or target[0] in "≥≧>≤≦<":
                upper, goal = _number(target)
                _, value = _number(actual)
                if upper:
                    raw = weight if value <= goal else goal / value * weight
                else:
                    raw = weight if value >= goal else value / goal * weight
            elif actual in _GOOD:
                raw = weight
            elif actual in _PART:
                raw = weight * Decimal("0.8") - _CENT
            else:
                raw = weight * Decimal("0.6") - _CENT
            items[name] = raw.quantize(_CENT)
        total = sum(items.values(), _ZERO)
        grade = next((g for limit, g in _GRADES if total >= limit), "差")
    return {"unit": data["unit"], "items": items, "total": total, "grade": grade}


def structure(n: int = 20) -> list[tuple[str, str, str, Decimal]]:
    return [(top, mid, name, weight) for top, mid, name, weight, _k, _u in leaves(n)]


def score_line(line: str, shape: list[tuple[str, str, str, Decimal]]) -> str:
    """A JSON line in, a JSON line of scores out."""
    result = score(json.loads(line), shape)
    result["items"] = {k: str(v) for k, v in result["items"].items()}
    result["total"] = str(result["total"])
    return json.dumps(result, ensure_ascii=False) + "\n"
