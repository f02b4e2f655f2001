"""How numbers are shown in explanations: exact when short, truncated with "…" when long."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

__all__ = ["fmt", "fmt_fixed", "fmt_q"]


def fmt(value: Decimal, places: int = 4) -> str:
    """``Decimal('95.00')`` → ``95``; ``9.693877…`` → ``9.6938…`` (cut, never rounded, so the
    shown digits are all true; the explanation's rounding step shows the rounded value)."""
    if not value.is_finite():
        return str(value)
    cut = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    text = _plain(cut)
    return text + "…" if cut != value else text


def fmt_fixed(value: Decimal, places: int) -> str:
    """Exactly ``places`` decimals, as printed in score columns (value already rounded)."""
    return f"{value:.{places}f}"


def fmt_q(quantity: Any) -> str:
    """A quantity as people write it: number then unit (``18次``, ``95%``)."""
    return str(quantity)


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
