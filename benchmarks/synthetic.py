"""A deterministic synthetic indicator system and its forms, for the benchmark.

The template has budget execution (执行率, 10 points) and 20 third-level indicators: positive
(``≥495次``, ``≥96%``), reverse (``≤9.3万元``, ``≤30天``) and qualitative (``达成``,
``有效提升``); targets and actuals are text in every form, as units write them. The same
``random.Random(seed)`` always gives the same forms, so every engine scores the same input.

``template_text(leaves=N)`` also gives larger systems (the 500-indicator build figure).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

__all__ = ["LEAVES", "TEMPLATE_ID", "form", "forms", "jsonl", "leaves", "template_text"]

TEMPLATE_ID = "bench/synthetic"

#: (一级, 二级, 名称, 分值, kind, unit): kind is "count", "percent", "reverse" or "word".
LEAVES: tuple[tuple[str, str, str, int, str, str], ...] = (
    ("产出指标", "数量指标", "法制宣传活动场次", 4, "count", "次"),
    ("产出指标", "数量指标", "培训人次", 4, "count", "人次"),
    ("产出指标", "数量指标", "走访困难群众户数", 4, "count", "户"),
    ("产出指标", "数量指标", "道路维修里程", 4, "decimal", "公里"),
    ("产出指标", "数量指标", "新增就业岗位", 4, "count", "个"),
    ("产出指标", "质量指标", "验收合格率", 4, "percent", "%"),
    ("产出指标", "质量指标", "资料归档完整率", 4, "percent", "%"),
    ("产出指标", "质量指标", "项目质量达标", 4, "word", ""),
    ("产出指标", "时效指标", "项目按期完成率", 4, "percent", "%"),
    ("产出指标", "时效指标", "资金拨付时限", 4, "reverse", "天"),
    ("产出指标", "成本指标", "公用经费支出", 5, "reverse", "万元"),
    ("产出指标", "成本指标", "单位维修成本", 5, "reverse", "万元"),
    ("效益指标", "社会效益指标", "群众办事便利度", 5, "word", ""),
    ("效益指标", "社会效益指标", "民生改善程度", 5, "word", ""),
    ("效益指标", "社会效益指标", "受益群众人数", 5, "count", "人"),
    ("效益指标", "可持续影响指标", "长效管理机制", 5, "word", ""),
    ("效益指标", "可持续影响指标", "制度建设", 5, "word", ""),
    ("效益指标", "生态效益指标", "垃圾清运量超标", 5, "reverse", "吨"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", 5, "percent", "%"),
    ("满意度指标", "服务对象满意度指标", "企业满意度", 5, "percent", "%"),
)

_HEAD = """\
kind: template
id: {id}
version: "1"
name: 基准测试用合成指标体系（{n} 个三级指标）
total: {total}
rounding: {{places: 2, total: sum_of_rounded}}
grades:
  - {{name: 优, min: {a}}}
  - {{name: 良, min: {b}}}
  - {{name: 中, min: {c}}}
  - {{name: 差, min: 0}}
over_achievement: {{flag_at: 120%}}
missing: error
rules:
  执行率: {{kind: execution_rate, executed: 全年执行数, budget: 全年预算数, cap: 100%}}
  正向: {{kind: ratio, direction: positive}}
  反向: {{kind: ratio, direction: reverse, reverse: target_over_actual}}
  三档:
    kind: tiers
    pick: top
    same_word: 达成
    tiers:
      - {{name: 达成, range: "[80%, 100%]", words: [达成, 全部达成, 显著提升, 有效提升, 已建立, 健全]}}
      - {{name: 部分达成, range: "[60%, 80%)", words: [基本达成, 部分达成, 有所提升, 初步建立]}}
      - {{name: 未达成, range: "[0, 60%)", words: [未达成, 未建立, 无明显变化]}}
defaults: {{">=": 正向, ">": 正向, "<=": 反向, "<": 反向, 定性: 三档}}
indicators:
  - {{name: 预算执行率, weight: 10, rule: 执行率}}
"""


def leaves(n: int = 20) -> list[tuple[str, str, str, Decimal, str, str]]:
    """``n`` leaves: the 20 above, repeated under numbered second-level groups when n > 20."""
    out: list[tuple[str, str, str, Decimal, str, str]] = []
    for i in range(n):
        top, mid, name, weight, kind, unit = LEAVES[i % len(LEAVES)]
        round_ = i // len(LEAVES)
        if round_:
            mid, name = f"{mid}{round_ + 1}", f"{name}{round_ + 1}"
        out.append((top, mid, name, Decimal(weight), kind, unit))
    return out


def template_text(n: int = 20) -> str:
    """The template as YAML text (weights: execution 10, the rest as listed, summed)."""
    items = leaves(n)
    total = Decimal(10) + sum((w for *_, w, _k, _u in items), Decimal(0))
    text = _HEAD.format(
        id=TEMPLATE_ID if n == 20 else f"{TEMPLATE_ID}-{n}",
        n=n,
        total=total,
        a=total * Decimal("0.9"),
        b=total * Decimal("0.8"),
        c=total * Decimal("0.6"),
    )
    tops: dict[str, dict[str, list[tuple[str, Decimal]]]] = {}
    for top, mid, name, weight, _kind, _unit in items:
        tops.setdefault(top, {}).setdefault(mid, []).append((name, weight))
    lines = [text.rstrip("\n")]
    for top, mids in tops.items():
        weight = sum((w for leaves_ in mids.values() for _n, w in leaves_), Decimal(0))
        lines.append(f"  - name: {top}\n    weight: {weight}\n    children:")
        for mid, leaves_ in mids.items():
            lines.append(f"      - name: {mid}\n        children:")
            lines.extend(f"          - {{name: {name}, weight: {w}}}" for name, w in leaves_)
    return "\n".join(lines) + "\n"


_GOOD = ("达成", "全部达成", "显著提升", "有效提升", "已建立", "健全")
_PART = ("基本达成", "部分达成", "有所提升", "初步建立")
_BAD = ("未达成", "无明显变化")
_TARGET_WORDS = ("达成", "有效提升", "显著提升", "健全")


def _pair(rng: random.Random, kind: str, unit: str) -> tuple[str, str]:
    """(target, actual) text for one indicator of ``kind``."""
    if kind == "count":
        target = rng.randint(5, 2000)
        actual = max(0, round(target * rng.uniform(0.5, 1.4)))
        comparator = rng.choice(("≥", "≥", "≥", "≧", ">="))
        return f"{comparator}{target}{unit}", f"{actual}{unit}"
    if kind == "decimal":
        target = Decimal(rng.randint(100, 9000)) / 10
        actual = (target * Decimal(rng.uniform(0.5, 1.4)).quantize(Decimal("0.01"))).quantize(
            Decimal("0.1")
        )
        return f"≥{target}{unit}", f"{actual}{unit}"
    if kind == "percent":
        target = rng.choice((80, 85, 90, 95, 98, 100))
        actual = Decimal(rng.randint(600, 1000)) / 10
        return f"≥{target}%", f"{actual}%"
    if kind == "reverse":
        if unit == "天":
            target = rng.randint(5, 60)
            actual = max(1, round(target * rng.uniform(0.6, 1.5)))
            return f"≤{target}{unit}", f"{actual}{unit}"
        target_d = Decimal(rng.randint(10, 50000)) / 100
        actual_d = (target_d * Decimal(str(round(rng.uniform(0.6, 1.5), 2)))).quantize(
            Decimal("0.01")
        )
        return f"≤{target_d}{unit}", f"{actual_d}{unit}"
    # qualitative
    roll = rng.random()
    actual_word = rng.choice(_GOOD if roll < 0.7 else _PART if roll < 0.9 else _BAD)
    return rng.choice(_TARGET_WORDS), actual_word


def form(rng: random.Random, index: int, n: int = 20) -> dict[str, Any]:
    """One form as plain data (the JSON shape a budget system would send)."""
    budget = Decimal(rng.randint(10_000, 5_000_000)) / 100
    executed = (budget * Decimal(str(round(rng.uniform(0.7, 1.05), 4)))).quantize(Decimal("0.01"))
    indicators: dict[str, Any] = {}
    for top, mid, name, _weight, kind, unit in leaves(n):
        target, actual = _pair(rng, kind, unit)
        indicators.setdefault(top, {}).setdefault(mid, {})[name] = {
            "target": target,
            "actual": actual,
        }
    return {
        "kind": "form",
        "template": TEMPLATE_ID if n == 20 else f"{TEMPLATE_ID}-{n}",
        "unit": f"合成单位{index:06d}",
        "year": 2023,
        "budget": {"unit": "万元", "全年预算数": str(budget), "全年执行数": str(executed)},
        "indicators": indicators,
    }


def forms(count: int, *, seed: int = 2023, n: int = 20) -> Iterator[dict[str, Any]]:
    """``count`` forms, the same ones for the same seed."""
    rng = random.Random(seed)
    for i in range(count):
        yield form(rng, i, n)


def jsonl(count: int, *, seed: int = 2023) -> Iterator[str]:
    """The forms as JSON Lines (one line each, newline included)."""
    for data in forms(count, seed=seed):
        yield json.dumps(data, ensure_ascii=False) + "\n"
