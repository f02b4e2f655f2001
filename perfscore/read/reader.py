"""Reading typed values out of a loaded document, collecting every problem with its location.

The builder reads a whole template or form in one pass and reports all problems at once; this
helper keeps that bookkeeping (where a value was written, which indicator it belongs to) out of
the builder's logic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..errors import BuildError, PerfscoreError
from ..text.numbers import parse_decimal
from ..text.quantity import Quantity
from ..text.quantity_grammar import parse_quantity
from .yaml_document import Document, JsonPath

__all__ = ["JsonPath", "Reader", "suggest"]


def suggest(name: str, choices: Iterable[str]) -> str | None:
    """``您是不是要写“…”？`` for the closest of ``choices``, or None."""
    import difflib  # only when a name is wrong

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return f"您是不是要写“{close[0]}”？" if close else None


class Reader:
    """Typed access to ``doc`` that records located errors instead of stopping at the first."""

    def __init__(self, doc: Document, names: Iterable[str] = ()) -> None:
        self.doc = doc
        self.errors: list[PerfscoreError] = []
        #: Names formulas may use (declared inputs and computed values).
        self.names: tuple[str, ...] = tuple(names)
        #: Named rules that failed to build (already reported; references stay quiet).
        self.broken_rules: frozenset[str] = frozenset()

    def locate(
        self, err: PerfscoreError, path: JsonPath, ipath: Sequence[str] = (), *, key: bool = False
    ) -> PerfscoreError:
        line, column = self.doc.key_locate(path) if key else self.doc.locate(path)
        return err.located(file=self.doc.file, line=line, column=column, indicator_path=ipath)

    def fail(
        self,
        message: str,
        path: JsonPath,
        ipath: Sequence[str] = (),
        *,
        key: bool = False,
        cls: type[PerfscoreError] = BuildError,
        **kwargs: Any,
    ) -> None:
        self.errors.append(self.locate(cls(message, **kwargs), path, ipath, key=key))

    def add(self, err: PerfscoreError, path: JsonPath, ipath: Sequence[str] = ()) -> None:
        self.errors.append(self.locate(err, path, ipath))

    def position(self, path: JsonPath) -> tuple[str, int | None, int | None]:
        line, column = self.doc.locate(path)
        return self.doc.file, line, column

    def decimal(
        self, value: Any, path: JsonPath, ipath: Sequence[str] = (), *, what: str = "数值"
    ) -> Decimal | None:
        if value is None:
            return None
        try:
            return parse_decimal(str(value), what=what)
        except PerfscoreError as err:
            self.add(err, path, ipath)
            return None

    def nonnegative(
        self, value: Any, path: JsonPath, ipath: Sequence[str] = (), *, what: str = "分值"
    ) -> Decimal | None:
        number = self.decimal(value, path, ipath, what=what)
        if number is not None and number < 0:
            self.fail(f"{what}不能为负数", path, ipath, value=value, expected="≥ 0 的数")
            return None
        return number

    def quantity(
        self, value: Any, path: JsonPath, ipath: Sequence[str] = (), *, what: str = "数值"
    ) -> Quantity | None:
        if value is None:
            return None
        try:
            return parse_quantity(str(value))
        except PerfscoreError as err:
            self.add(err, path, ipath)
            return None

    def share(
        self, value: Any, path: JsonPath, ipath: Sequence[str] = (), *, what: str = "比例"
    ) -> Decimal | None:
        """A proportion written ``120%``, ``1.2`` or ``1200‰``, returned as a fraction."""
        quantity = self.quantity(value, path, ipath, what=what)
        if quantity is None:
            return None
        if quantity.unit is not None and quantity.unit.family != "ratio":
            self.fail(
                f"{what}应写成百分比或小数",
                path,
                ipath,
                value=value,
                expected="如 120% 或 1.2",
            )
            return None
        return quantity.base
