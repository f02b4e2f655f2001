"""How numbers are shown in explanations: exact when short, truncated with "…" when long."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from .numbers import quantize
from .quantity import Quantity

__all__ = ["fmt", "fmt_fixed", "fmt_q"]

# The fast paths below read the digits off ``str(value)``, which is plain positional notation
# (the same text as ``format(value, "f")``) unless it has an exponent ("E", or "e" under a
# context with ``capitals=0``); with one they take the general path. Cutting the digits of that
# text is exact and needs no context, so a caller's prec=3 or trapped Inexact changes nothing.


def fmt(value: Decimal, places: int = 4) -> str:
    """``Decimal('95.00')`` → ``95``; ``9.693877…`` → ``9.6938…`` (cut, never rounded, so the
    shown digits are all true; the explanation's rounding step shows the rounded value)."""
    if type(value) is Decimal and type(places) is int and places >= 0 and value.is_finite():
        text = str(value)
        if places != 4:
            return _cut(value, text, places)
        # the usual call: weights, targets and actuals recur, kept by their text
        found = _SHOWN.get(text)
        if found is None:
            found = _cut(value, text, 4)
            if len(text) <= 12 and len(_SHOWN) < 4096:  # bounded; long values rarely recur
                _SHOWN[text] = found
        return found
    if not value.is_finite():
        return str(value)
    return _fmt(value, places)


#: ``str(value)`` → ``fmt(value)``: the text of a Decimal is its exact value, a safe key
_SHOWN: dict[str, str] = {}


def _cut(value: Decimal, text: str, places: int) -> str:
    """``fmt`` from the digits of ``text`` (``str(value)``); the general path if it has an
    exponent."""
    if "E" in text or "e" in text:
        return _fmt(value, places)
    dot = text.find(".")
    if dot < 0:
        return "0" if text == "-0" else text
    end = dot + 1 + places
    shown = text[:end].rstrip("0").rstrip(".")
    if shown in ("-0", ""):
        shown = "0"
    return shown + "…" if text[end:].strip("0") else shown


def _fmt(value: Decimal, places: int) -> str:
    # Cut, not rounded, in perfscore's own context (quantize's): a caller's prec=3 or trapped
    # Inexact must not change (or break) what is shown.
    cut = quantize(value, places, rounding=ROUND_DOWN)
    text = _plain(cut)
    return text + "…" if cut != value else text


def fmt_fixed(value: Decimal, places: int) -> str:
    """Exactly ``places`` decimals, as printed in score columns (value already rounded)."""
    if type(value) is Decimal and type(places) is int and value.is_finite():
        text = str(value)  # a score already has its places: its own text, when plain
        if "E" not in text and "e" not in text:
            dot = text.find(".")
            if (len(text) - dot - 1 == places) if dot >= 0 else places == 0:
                return text
    return f"{quantize(value, places):f}" if value.is_finite() else str(value)


def fmt_q(quantity: Any) -> str:
    """A quantity as people write it: number then unit (``18次``, ``95%``).

    A computed value (``97.8666…%`` from a formula) is cut to four decimals like :func:`fmt`.
    """
    if type(quantity) is Quantity:  # the usual case: at most four decimals, shown as is
        text = str(quantity.value)
        if "E" not in text and "e" not in text:
            dot = text.find(".")
            if dot < 0 or len(text) - dot <= 5:
                unit = quantity.unit
                return text if unit is None else text + unit.symbol
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
