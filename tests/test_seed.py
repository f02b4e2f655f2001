"""The seed (附件2 of the 2023 Yueyanglou self-evaluation) is reproduced under the default rules."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import jsonschema
import pytest

import perfscore
from perfscore.read.resources import load_schema
from perfscore.result import Evaluation

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return perfscore.evaluate(perfscore.load_form(SEED))


def test_headline_scores(result: Evaluation) -> None:
    assert result.find("预算执行率").score == D("10.00")
    assert result.find("群众满意度").score == D("9.69")
    assert result.find("法制宣传活动场次").score == D("5.00")
    assert result.total == D("99.69")
    assert result.grade == "优"
    assert result.reported_total == D("99")


def test_every_leaf_is_explained(result: Evaluation) -> None:
    leaves = list(result.leaves())
    assert len(leaves) == 16  # 预算执行率 + the 15 third-level rows (环境质量提升 split in two)
    for leaf in leaves:
        assert leaf.explanation, leaf.path
        assert leaf.reported is not None


def test_subtotals_are_sums(result: Evaluation) -> None:
    for group in result.groups():
        assert group.score == sum((c.score for c in group.children), D(0))
    assert result.total == sum((item.score for item in result.items), D(0))


def test_satisfaction_explanation(result: Evaluation) -> None:
    leaf = result.find("群众满意度")
    assert leaf.explanation.endswith("95 ÷ 98 × 10 = 9.6938… → 9.69")
    assert "repeated_comparator" in leaf.flags


def test_execution_rate_uses_the_adjusted_budget(result: Evaluation) -> None:
    leaf = result.find("预算执行率")
    assert "4073.53 ÷ 4073.53 = 100%" in leaf.explanation


def test_over_achievements_are_flagged(result: Evaluation) -> None:
    flagged = {f.path[-1] for f in result.findings if f.code == "over_achievement"}
    assert flagged == {
        "法制宣传活动场次",
        "全年开展作风纪律督察、重点工作落实情况督察",
        "旧改项目推进个数",
    }


def test_json_validates_against_the_result_schema(result: Evaluation) -> None:
    data = json.loads(result.to_json())
    jsonschema.Draft202012Validator(load_schema("result")).validate(data)
    assert data["total"] == 99.69 or str(data["total"]) == "99.69"
    assert data["grade"] == "优"
    leaves = []

    def walk(node: dict) -> None:  # type: ignore[type-arg]
        if "children" in node:
            for child in node["children"]:
                walk(child)
        else:
            leaves.append(node)

    for item in data["items"]:
        walk(item)
    assert all({"path", "weight", "score", "reported"} <= leaf.keys() for leaf in leaves)


def test_json_is_byte_identical(result: Evaluation) -> None:
    again = perfscore.evaluate(perfscore.load_form(SEED))
    assert again.to_json() == result.to_json()


def test_decimals_are_written_exactly(result: Evaluation) -> None:
    text = result.to_json()
    assert '"total": 99.69' in text
    assert '"score": 9.69' in text


def test_built_form_is_picklable_and_reusable(result: Evaluation) -> None:
    import pickle

    form = perfscore.load_form(SEED)
    again = pickle.loads(pickle.dumps(form))
    assert perfscore.evaluate(again).to_json() == result.to_json()
    template = pickle.loads(pickle.dumps(form.template))
    assert perfscore.evaluate(perfscore.load_form(SEED, template=template)).total == result.total


def test_global_decimal_context_changes_nothing(result: Evaluation) -> None:
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        assert perfscore.evaluate(perfscore.load_form(SEED)).to_json() == result.to_json()


def test_form_evaluate_is_the_same_as_evaluate(result: Evaluation) -> None:
    assert perfscore.load_form(SEED).evaluate().to_json() == result.to_json()
