"""Reading a target or actual by its shape, for texts that differ only in their number.

Thousands of forms write ``≥919次``, ``≥1256人次``, ``≤25.6万元``: the same few shapes with
different numbers. The grammar of :mod:`perfscore.targets` reads the text around a number the
same way whatever the number is (the number is one token; its digits never change how the
comparator or the unit read). So the first text of a shape is read by the full grammar with
the number replaced by ``1``, and what it found (comparator, unit, flags; for an actual, the
unit taken from the target) is kept for the shape; a later text of that shape only needs its
number. Texts whose surroundings hold anything that could join the number (digits of any
script, ``.`` ``,`` ``+`` ``-`` ``e``) are left to the full grammar, as is every shape the
grammar reads as a word or refuses. ``tests/test_fastparse.py`` checks the answers are the
full grammar's, field for field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

import attrs

from ..errors import PerfscoreError
from .actual import parse_actual
from .numbers import fold
from .quantity import COMPARATORS, Actual, Quantity
from .target import Target, parse_target
from .units import Unit

__all__ = ["actual", "target"]

# One number (ASCII digits, an optional fraction), the text around it free of ASCII digits.
_SHAPE: Final = re.compile(r"([^0-9]*?)([0-9]{1,15}(?:\.[0-9]{1,15})?)([^0-9]*)")
# Characters that, folded, could be read as part of a number or a second one.
_JOINS: Final = re.compile(r"[\d.,+\-eE]")
_MAX_LENGTH: Final = 150  # well inside the grammar's own limit on a quantitative text
# Special actual texts (无, 不适用 …) hold no digit, so a text with a number is never one
# (tests/test_fastparse.py checks it).
_CACHE_SIZE: Final = 4096
_UNSEEN: Final[Any] = object()  # not in a shape cache (None there means "not a fast shape")

#: shape → (op, unit, flags), or None for a shape the full grammar must read
_TARGETS: dict[tuple[str, str], tuple[str, Unit | None, tuple[str, ...]] | None] = {}
#: (shape, unit of the target's reference) → (unit, comparator, flags), or None
_ACTUALS: dict[
    tuple[str, str, str | None], tuple[Unit | None, str | None, tuple[str, ...]] | None
] = {}


def _split(text: str) -> tuple[str, str, str] | None:
    if len(text) > _MAX_LENGTH:
        return None
    m = _SHAPE.fullmatch(text)
    if m is None:
        return None
    parts: tuple[str, str, str] = m.groups()  # type: ignore[assignment]
    return parts


def _joins(before: str, after: str) -> bool:
    """Whether the text around the number holds something that could join it. Asked once per
    shape: :func:`_learn` keeps the answer (None) with the shape."""
    return _JOINS.search(fold(before + after)) is not None


# Values the fast path makes are built without attrs' __init__: the number is the regex's
# ASCII digits (finite by construction), the unit and flags come from a shape the full grammar
# made, so the validators and converters have nothing to check. Used only while the classes
# have exactly these fields, in this order (checked at import; otherwise their own __init__).
_FIELDS: Final[dict[type, tuple[str, ...]]] = {
    Quantity: ("value", "unit"),
    Target: ("op", "value", "interval", "words", "source", "flags"),
    Actual: ("text", "kind", "quantity", "word", "comparator", "flags"),
}
_DIRECT: Final = all(
    tuple(f.name for f in attrs.fields(cls)) == names for cls, names in _FIELDS.items()
)
_new = object.__new__
_set = object.__setattr__


# Written out field by field, not looped over _FIELDS: a loop costs a microsecond a text.
def _quantity(value: Decimal, unit: Unit | None) -> Quantity:
    q = _new(Quantity)
    _set(q, "value", value)
    _set(q, "unit", unit)
    return q


def _target(op: str, value: Quantity, source: str, flags: tuple[str, ...]) -> Target:
    t = _new(Target)
    _set(t, "op", op)
    _set(t, "value", value)
    _set(t, "interval", None)
    _set(t, "words", ())
    _set(t, "source", source)
    _set(t, "flags", flags)
    return t


def _actual(
    text: str, quantity: Quantity, comparator: str | None, flags: tuple[str, ...]
) -> Actual:
    a = _new(Actual)
    _set(a, "text", text)
    _set(a, "kind", "quantity")
    _set(a, "quantity", quantity)
    _set(a, "word", None)
    _set(a, "comparator", comparator)
    _set(a, "flags", flags)
    return a


if not _DIRECT:  # the classes changed: their own constructors, validators and all

    def _quantity(value: Decimal, unit: Unit | None) -> Quantity:
        return Quantity(value, unit)

    def _target(op: str, value: Quantity, source: str, flags: tuple[str, ...]) -> Target:
        return Target(op, value=value, source=source, flags=flags)

    def _actual(
        text: str, quantity: Quantity, comparator: str | None, flags: tuple[str, ...]
    ) -> Actual:
        return Actual(text, "quantity", quantity=quantity, comparator=comparator, flags=flags)


def _learn(cache: dict[Any, Any], key: Any, sample: Callable[[], Any]) -> Any:
    """The shape for ``key``, not in ``cache`` yet, learnt from ``sample()`` (None when the
    sample does not read as wanted). Full, the cache keeps the shapes it saw first."""
    try:
        shape = sample()
    except PerfscoreError:
        shape = None
    if len(cache) < _CACHE_SIZE:
        cache[key] = shape
    return shape


def _target_shape(before: str, after: str) -> tuple[str, Unit | None, tuple[str, ...]] | None:
    if _joins(before, after):
        return None
    sample = parse_target(f"{before}1{after}")
    value = sample.value
    if sample.op in COMPARATORS and value is not None:
        return sample.op, value.unit, sample.flags
    return None


def _actual_shape(
    before: str, after: str, of: Target | None
) -> tuple[Unit | None, str | None, tuple[str, ...]] | None:
    if _joins(before, after):
        return None
    sample = parse_actual(f"{before}1{after}", of)
    q = sample.quantity
    if sample.kind == "quantity" and q is not None:
        return q.unit, sample.comparator, sample.flags
    return None


def target(text: str) -> Target | None:
    """``parse_target(text)`` when ``text`` has a known comparison shape, else ``None``."""
    parts = _split(text)
    if parts is None:
        return None
    before, number, after = parts
    key = (before, after)
    found = _TARGETS.get(key, _UNSEEN)  # looked up here: no lambda made when known
    if found is _UNSEEN:
        found = _learn(_TARGETS, key, lambda: _target_shape(before, after))
    if found is None:
        return None
    op, unit, flags = found
    return _target(op, _quantity(Decimal(number), unit), text, flags)


def actual(text: str, of: Target | None) -> Actual | None:
    """``parse_actual(text, of)`` when ``text`` has a known quantity shape, else ``None``."""
    parts = _split(text)
    if parts is None:
        return None
    before, number, after = parts
    reference = of.quantity if of is not None else None
    unit_of = reference.unit if reference is not None else None
    key = (before, after, None if unit_of is None else unit_of.symbol)
    found = _ACTUALS.get(key, _UNSEEN)
    if found is _UNSEEN:
        found = _learn(_ACTUALS, key, lambda: _actual_shape(before, after, of))
    if found is None:
        return None
    unit, comparator, flags = found
    return _actual(text, _quantity(Decimal(number), unit), comparator, flags)
