"""Reading actual values (实际完成值) as people write them, against a target."""

from __future__ import annotations

from decimal import Decimal

from ..errors import InputTypeError, TargetSyntaxError, UnitError
from .numbers import fold, to_decimal
from .quantity import (
    COMPARATORS,
    MISSING_TEXTS,
    NOT_APPLICABLE_TEXTS,
    Actual,
    _adopt,
    _fmt,
    _Problem,
    _special_key,
)
from .target import Target, _read
from .units import FAMILY_NUMBER, incompatible

__all__ = ["parse_actual"]


def parse_actual(text: str | None, target: Target | None = None) -> Actual:
    """Read an actual value; a bare number takes the target's unit (see the module docstring).

    Never raises for unreadable text (it becomes a word). Raises UnitError when a readable
    quantity's unit cannot be compared with the target's, and InputTypeError for non-text
    (ints and Decimals are accepted as their ``str``; floats are refused).
    """
    if text is None:
        return Actual(None, "missing")
    if not isinstance(text, str):
        if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
            text = _fmt(to_decimal(text))
        else:
            to_decimal(text, what="实际完成值")  # raises the right InputTypeError
            raise AssertionError  # pragma: no cover
    if target is not None and not isinstance(target, Target):
        raise InputTypeError(
            f"target 应为 Target，实际为 {type(target).__name__}", value=target, expected="Target"
        )
    key = _special_key(text)
    if key in MISSING_TEXTS:
        return Actual(text, "missing")
    if key in NOT_APPLICABLE_TEXTS:
        return Actual(text, "not_applicable")
    folded = fold(text)
    try:
        reading = _read(folded)
    except _Problem:
        return Actual(text, "word", word=text.strip(), flags=("unreadable",))
    if reading is None or reading.op not in COMPARATORS:
        return Actual(text, "word", word=text.strip())
    assert reading.value is not None
    q = reading.value
    flags: list[str] = []
    comparator = None
    if "implicit_equal" not in reading.flags:
        comparator = reading.op
        flags.append("repeated_comparator")
    reference = target.quantity if target is not None else None
    if reference is not None:
        try:
            adopted = _adopt(q, reference)
            if reference.family not in (FAMILY_NUMBER, adopted.family):
                raise incompatible(adopted.unit, reference.unit, value=text)
        except UnitError as err:
            err.message = f"实际完成值“{text.strip()}”与指标值“{target}”{err.message}"
            err.value = text
            raise
        if adopted.unit != q.unit:
            flags.append("unit_inherited")
            q = adopted
    return Actual(text, "quantity", quantity=q, comparator=comparator, flags=tuple(flags))


def actual_syntax_error(text: str) -> TargetSyntaxError | None:
    """Why an actual flagged ``unreadable`` does not read as a quantity (caret), else None."""
    try:
        _read(fold(text))
    except _Problem as problem:
        return problem.error(text, what="实际完成值")
    return None
