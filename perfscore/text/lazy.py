"""Text built on first use: explanations cost nothing until somebody reads them.

A batch of forms makes thousands of explanation sentences that a program reading only the
scores never looks at. The rules met on every form (execution rate, ratio, tiers) and the
evaluator's own sentence return ``Text(lambda: f"…")`` instead of the string (the rarer rules
still build theirs at once; both are accepted); the sentence is rendered once, when first read,
then kept. It compares, hashes and pickles as its
text. A render function only formats numbers computed beforehand (``perfscore.text.display`` formats
in perfscore's own decimal context): it does no arithmetic, which would run in whatever decimal
context the reader happens to have.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Text", "text"]


class Text:
    """A string rendered on first use (``str(t)``)."""

    __slots__ = ("_render", "_value")

    def __init__(self, render: Callable[[], str]) -> None:
        self._render: Callable[[], str] | None = render
        self._value: str | None = None

    def __str__(self) -> str:
        value = self._value
        if value is None:
            render = self._render
            assert render is not None
            value = self._value = render()
            self._render = None  # let go of the numbers it was built from
        return value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text | str):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return repr(str(self))

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))  # pickles as the plain text (closures cannot be pickled)


def text(value: str | Text | None) -> str | None:
    """``value`` as a plain string (``None`` stays ``None``)."""
    return None if value is None else str(value)
