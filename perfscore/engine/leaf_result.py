"""From a rule's outcome to a leaf's result: the explanation, exact sums and the rounding give-back
that keeps the total within its maximum.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal

from ..text.quantity import Quantity
from .plan import LeafData
from .storage import Row

__all__ = []

ZERO = Decimal(0)


def _exact_sum(values: Iterable[Decimal]) -> Decimal:
    """The sum of ``values`` rounded once to the context precision.

    Rescaled raw scores carry 28 digits; adding them at 28 digits rounds after every step, so
    the last digit of the total depended on the order of the indicators.
    """
    with decimal.localcontext() as ctx:
        ctx.prec = 1000
        total = sum(values, ZERO)
    return +total


def _give_back(
    leaves: tuple[LeafData, ...], rows: list[Row], excess: Decimal, step: Decimal
) -> None:
    """Take ``excess`` off the items that rounding raised most, one step each (rows changed in
    place; the group subtotals are sums of the rows)."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i][2] - rows[i][3], i))
    cut = {leaves[i].path for i in order[: int(excess / step)] if rows[i][3] > rows[i][2]}
    for i, leaf in enumerate(leaves):
        if leaf.path in cut:
            r = rows[i]
            rows[i] = (*r[:3], r[3] - step, *r[4:13], True)


_ONE_IN: dict[str, Decimal | None] = {}  # unit symbol → the value that makes one whole (100 for %)


def _above_one(q: Quantity) -> bool:
    """``q.base > 1`` for a share (98% → 0.98), compared in the quantity's own unit."""
    unit = q.unit
    assert unit is not None
    if unit.symbol not in _ONE_IN:
        whole = 1 / unit.ratio
        _ONE_IN[unit.symbol] = Decimal(whole.numerator) if whole.denominator == 1 else None
    whole_value = _ONE_IN[unit.symbol]
    return q.value > whole_value if whole_value is not None else q.base > 1


def _in_unit_of(actual: Quantity, target: Quantity) -> Quantity:
    """The actual expressed in the target's unit (so the arithmetic shows like-for-like)."""
    if (
        actual.unit is target.unit
        or actual.unit is None
        or target.unit is None
        or actual.unit == target.unit
    ):
        return actual
    return actual.to(target.unit)


def _actual_text(leaf: LeafData) -> str | None:
    return leaf.actual_text if leaf.actual_items is None else "、".join(leaf.actual_items)
