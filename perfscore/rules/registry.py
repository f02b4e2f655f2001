"""The rule kinds: a registry of small functions, one pair (parse, score) per kind.

Modelled on jsonschema's ``_keywords``: each kind reads its parameters once at build time
(``parse``, all numbers as ``Decimal``, errors located by the caller's :class:`Reader`) and scores
one leaf at evaluation time (``score``), returning an :class:`Outcome` that says which line of
the rule fired and shows the arithmetic. No number here is a default of the domain: every
threshold, step and share comes from the template.
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import RuleKind
from .execution import _parse_execution, _score_execution
from .judged import (
    _parse_checklist,
    _parse_deduction,
    _parse_formula,
    _parse_manual,
    _score_checklist,
    _score_deduction,
    _score_formula,
    _score_manual,
)
from .ratio import _parse_ratio, _parse_threshold, _score_ratio, _score_threshold
from .tiers import _parse_bands, _parse_tiers, _score_bands, _score_tiers

__all__ = ["KINDS"]

KINDS: Mapping[str, RuleKind] = {
    k.name: k
    for k in (
        RuleKind(
            "execution_rate", "预算执行率", _parse_execution, _score_execution, needs_actual=False
        ),
        RuleKind("ratio", "比率计分", _parse_ratio, _score_ratio),
        RuleKind("threshold", "达标计分", _parse_threshold, _score_threshold),
        RuleKind("tiers", "定性分档", _parse_tiers, _score_tiers),
        RuleKind(
            "bands",
            "区间计分",
            _parse_bands,
            _score_bands,
            reads=lambda p: None if p.of == "actual" else p.of,
        ),
        RuleKind("deduction", "超限扣分", _parse_deduction, _score_deduction),
        RuleKind("checklist", "检查清单", _parse_checklist, _score_checklist),
        RuleKind("formula", "公式计分", _parse_formula, _score_formula, needs_actual=False),
        RuleKind("manual", "人工评分", _parse_manual, _score_manual, needs_actual=False),
    )
}
