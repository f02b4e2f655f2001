"""How numbers are shown in explanations: exact when short, truncated with "…" when long."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from .numbers import quantize

__all__ = ["fmt", "fmt_fixed", "fmt_q"]


def fmt(value: Decimal, places: int = 4) -> str:
    """``Decimal('95.00')`` → ``95``; ``9.693877…`` → ``9.6938…`` (cut, never rounded, so the
    shown digits are all true; the explanation's rounding step shows the rounded value)."""
    if not value.is_finite():
        return str(value)
    key = (value, places)  # equal values show alike (trailing zeros are dropped): cache them
    found = _SHOWN.get(key)
    if found is None:
        found = _fmt(value, places)
        if len(_SHOWN) < 8192:  # bounded; when full keep what is there
            _SHOWN[key] = found
    return found


_SHOWN: dict[tuple[Decimal, int], str] = {}


def _fmt(value: Decimal, places: int) -> str:
    # Cut, not rounded, in perfscore's own context (quantize's): a caller's prec=3 or trapped
    # Inexact must not change (or break) what is shown.
    cut = quantize(value, places, rounding=ROUND_DOWN)
    text = _plain(cut)
    return text + "…" if cut != value else text


def fmt_fixed(value: Decimal, places: int) -> str:
    """Exactly ``places`` decimals, as printed in score columns (value already rounded)."""
    return f"{quantize(value, places):f}" if value.is_finite() else str(value)


def fmt_q(quantity: Any) -> str:
    """A quantity as people write it: number then unit (``18次``, ``95%``).

    A computed value (``97.8666…%`` from a formula) is cut to four decimals like :func:`fmt`.
    """
    value = getattr(quantity, "value", None)
    if isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -4:
            unit = getattr(quantity, "unit", None)
            return fmt(value) + ("" if unit is None else str(unit.symbol))
    return str(quantity)


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
