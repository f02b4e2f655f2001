"""Engine bugs the properties found, pinned as plain examples."""

from __future__ import annotations

from decimal import Decimal

from ..helpers import evaluate, form


def test_rescaled_items_add_up_to_the_capped_total() -> None:
    # 不适用 2 of 100: the other weights scale by 100/98 (13 → 13.2653…, 72 → 73.4693…).
    # Rounded one by one, full marks gave 13.27 + 13.27 + 73.47 = 100.01 while the total was
    # capped at 100: the items no longer summed to the total. The step rounding added is now
    # given back by the item rounding raised most.
    leaves = [
        {"name": f"指标{i}", "target": "≥1次", "actual": "1次", "weight": w}
        for i, w in enumerate(("13", "13", "72"), 1)
    ]
    leaves.append({"name": "不适用项", "target": "≥1次", "actual": "不适用", "weight": "2"})
    result = evaluate(form(leaves))
    scores = {leaf.name: leaf.score for leaf in result.leaves()}
    assert sum(scores.values(), Decimal(0)) == result.total == Decimal(100)
    assert scores == {
        "指标1": Decimal("13.26"),
        "指标2": Decimal("13.27"),
        "指标3": Decimal("73.47"),
        "不适用项": Decimal(0),
    }
    assert "舍去 0.01 分" in result.find("指标1").explanation  # type: ignore[union-attr]
    assert result.find("指标").score == Decimal(100)  # the subtotal follows


def test_no_give_back_below_the_total() -> None:
    leaves = [
        {"name": "指标1", "target": "≥2次", "actual": "1次", "weight": "13"},
        {"name": "指标2", "target": "≥1次", "actual": "1次", "weight": "85"},
        {"name": "不适用项", "target": "≥1次", "actual": "不适用", "weight": "2"},
    ]
    result = evaluate(form(leaves))
    assert all("舍去" not in leaf.explanation for leaf in result.leaves())
    assert result.total == sum((leaf.score for leaf in result.leaves()), Decimal(0))


def test_inline_rule_in_defaults_builds() -> None:
    # The schema allows a rule mapping as a default ({">=": {kind: ratio}}); the builder looked
    # it up as a rule name and raised TypeError (unhashable dict) instead of building it.
    import perfscore

    from ..helpers import template

    data = template()
    data["defaults"][">="] = {"kind": "threshold"}
    built = perfscore.load_template(data)
    assert built.rules[built.defaults[">="]].kind == "threshold"
    result = evaluate(
        form([{"name": "达标", "target": "≥10次", "actual": "9次", "weight": "10"}], tmpl=data)
    )
    assert result.find("达标").score == Decimal(0)  # type: ignore[union-attr]


def test_raw_total_does_not_depend_on_the_order_of_indicators() -> None:
    # Rescaled raw scores carry 28 digits; summed at 28 digits the last digit of raw_total (and
    # so the JSON) changed when the indicators were listed in another order.
    import decimal

    from perfscore.engine.leaf_result import _exact_sum
    from perfscore.text.numbers import DECIMAL_CONTEXT

    weights = ["5.88", "7.77", "3.3", "3.3", "3.3"]
    leaves = [
        {"name": f"指标{i}", "target": "≥3次", "actual": "1次", "weight": w}
        for i, w in enumerate(weights)
    ]
    leaves.append({"name": "不适用项", "target": "≥1次", "actual": "不适用", "weight": "2.04"})
    raws = [leaf.raw_score for leaf in evaluate(form(leaves)).leaves()]
    with decimal.localcontext(DECIMAL_CONTEXT):
        naive = (sum(raws, Decimal(0)), sum(reversed(raws), Decimal(0)))
        exact = (_exact_sum(raws), _exact_sum(reversed(raws)))
    assert naive[0] != naive[1]  # what the engine used to do
    assert exact[0] == exact[1]
    assert evaluate(form(leaves)).raw_total == exact[0]
