"""Chinese names for perfscore's internal identifiers, for Chinese output.

A result keeps stable English ids (``rule_kind`` ``ratio``, ``line`` ``met``, flag
``repeated_comparator``) so programs can match on them; text meant for people says what they
mean instead: ``比率计分``, ``达到指标值，得满分``, ``完成值写了比较符号（如“≧95%”）``.
An id not listed here is shown as it is (a new rule line should be added here).
"""

from __future__ import annotations

from typing import Final

__all__ = ["FLAG_NAMES", "LINE_NAMES", "flag_name", "kind_name", "line_name"]

#: What the rule line that fired means (``LeafResult.line``).
LINE_NAMES: Final = {
    "met": "达到指标值，得满分",
    "unmet": "未达到指标值",
    "cap": "执行率达到上限，得满分",
    "rate": "按执行率计分",
    "ratio": "未达到指标值，按完成比例计分",
    "zero_target": "指标值为 0，按是否为 0 计分",
    "nonpositive_target": "指标值不为正数，不能按比例计分",
    "reverse_ratio": "超过上限，按 指标值 ÷ 完成值 计分",
    "reverse_linear": "超过上限，按超出比例线性扣分",
    "reverse_linear_zero": "超过上限一倍及以上，得 0 分",
    "below_range": "低于区间下限，按比例计分",
    "above_range": "高于区间上限",
    "outside_range": "不在区间内",
    "deduct": "按超出量扣分",
    "floor": "扣分到最低分为止",
    "formula": "按公式计分",
    "manual": "人工评分",
    "missing": "缺少完成值",
    "unreadable": "完成值无法识别",
    "error": "无法计分",
    "not_applicable": "不适用",
}

#: What a result flag means (``LeafResult.flags``).
FLAG_NAMES: Final = {
    "over_achievement": "超额完成较多，请核实指标值是否设置过低",
    "percent_over_100": "百分比超过 100%",
    "repeated_comparator": "完成值写了比较符号（如“≧95%”），已按其中的数值计分",
    "unit_inherited": "完成值没有写单位，按指标值的单位计",
    "unreadable": "完成值无法识别",
    "unscorable": "无法计分",
    "missing": "缺少完成值",
    "score_outside_tier": "表中评分不在所属档次的分数范围内，未采用",
}


def kind_name(kind: str) -> str:
    """``ratio`` → ``比率计分`` (the rule kind's Chinese label)."""
    from ..rules.registry import KINDS

    rule = KINDS.get(kind)
    return rule.title if rule is not None else kind


def line_name(line: str) -> str:
    """``met`` → ``达到指标值，得满分``; ``tier:达成`` → ``“达成”档``; ``band:2`` → ``第 2 个区间``."""
    head, sep, rest = line.partition(":")
    if sep:
        if head == "tier":
            return f"“{rest}”档"
        if head == "band":
            return f"第 {rest} 个区间"
        if head == "items":
            return f"满足 {rest} 项"
    return LINE_NAMES.get(line, line)


def flag_name(flag: str) -> str:
    """``over_achievement`` → its Chinese sentence."""
    return FLAG_NAMES.get(flag, flag)
