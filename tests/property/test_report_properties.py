"""Properties of the drafted report's figures: for any budget, every number the report writes
is the arithmetic of the form's figures (Decimal, half up), never a typed total."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import perfscore
from perfscore.read.yaml import load_yaml
from perfscore.report.report import build_report

SEED = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "yueyanglou-2023"
    / "unit-self-evaluation.yaml"
)
BASE: dict[str, Any] = load_yaml(SEED).data

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


def q2(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


@given(
    staff=money,
    public=money,
    item1=money,
    item2=money,
    typed_basic=money,
    adjusted=money,
    executed=money,
)
def test_figures_are_computed_from_their_parts(
    staff: Decimal,
    public: Decimal,
    item1: Decimal,
    item2: Decimal,
    typed_basic: Decimal,
    adjusted: Decimal,
    executed: Decimal,
) -> None:
    data = copy.deepcopy(BASE)
    budget = data["budget"]
    budget["全年预算数"], budget["全年执行数"] = str(adjusted), str(executed)
    budget.pop("执行率")
    spending = budget["支出"]
    spending.update(
        {
            "基本支出": str(typed_basic),
            "项目支出": str(item1 + item2),
            "人员经费": str(staff),
            "公用经费": str(public),
            "项目支出明细": {"甲经费": str(item1), "乙经费": str(item2)},
        }
    )
    form = perfscore.load_form(data)
    text = build_report(perfscore.evaluate(form), form).text()
    basic = staff + public
    assert f"基本支出{q2(basic)}万元，占{q2(basic / executed * 100)}%" in text
    assert f"预算执行率{q2(executed / adjusted * 100)}%（全年执行数 ÷ 全年预算数）" in text
    projects = item1 + item2
    assert f"甲经费{q2(item1)}万元，占总项目支出的{q2(item1 / projects * 100)}%" in text
    assert f"乙经费{q2(item2)}万元，占总项目支出的{q2(item2 / projects * 100)}%" in text
    noted = f"表中“基本支出”填 {q2(typed_basic)}万元" in text
    assert noted == (q2(typed_basic) != q2(basic))  # a note exactly when the typed one differs
