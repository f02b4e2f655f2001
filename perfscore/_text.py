"""How numbers are shown in explanations: exact when short, truncated with "…" when long."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from ._numbers import DECIMAL_CONTEXT

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
    # perfscore's own context, not the caller's: a global prec=3 or trapped Inexact must not
    # change (or break) what is shown.
    step = _STEPS.get(places)
    if step is not None and value.adjusted() + places + 3 <= DECIMAL_CONTEXT.prec:
        cut = value.quantize(step, rounding=ROUND_DOWN, context=DECIMAL_CONTEXT)
    else:
        with localcontext(DECIMAL_CONTEXT) as ctx:
            ctx.prec = max(ctx.prec, value.adjusted() + places + 3)
            cut = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    text = _plain(cut)
    return text + "…" if cut != value else text


_STEPS = {places: Decimal(1).scaleb(-places) for places in range(9)}


def fmt_fixed(value: Decimal, places: int) -> str:
    """Exactly ``places`` decimals, as printed in score columns (value already rounded)."""
    step = _STEPS.get(places)
    if (
        step is not None
        and value.is_finite()
        and value.adjusted() + places + 3 <= DECIMAL_CONTEXT.prec
    ):
        return f"{value.quantize(step, rounding=ROUND_HALF_UP, context=DECIMAL_CONTEXT):f}"
    with localcontext(DECIMAL_CONTEXT):
        return f"{value:.{places}f}"


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
