"""The numbers of a drafted report (``report.figures`` of a template) and template errors.

A figure is read from the form's ``budget`` or the basic-data form's ``inputs``, or computed
from other figures (``sum``, ``difference``, ``ratio``), in Decimal, rounded half up only when
shown. ``check`` names the form's own typed figure: when the two differ as shown, the report
uses the computed one and says so (:meth:`Figures.checks`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..build.model import Form
from ..errors import BuildError, PerfscoreError
from ..text.display import fmt_fixed
from ..text.numbers import quantize
from ..text.quantity import Quantity

__all__ = ["FIELD", "Figure", "Figures", "Where", "fill"]

#: A ``{name}`` field in a sentence.
FIELD = re.compile(r"\{([^{}]+)\}")


@attrs.frozen
class Figure:
    name: str
    value: Decimal | None
    percent: bool = False
    typed: Decimal | None = None  # the form's own figure, when the template says to check it
    typed_name: str | None = None
    how: str = ""
    unit: str | None = None  # shown after the number; None: the form's money unit
    places: int | None = None


# ====================================================================== figures


class Figures:
    def __init__(
        self,
        spec: Mapping[str, Any],
        form: Form,
        basic: Form | None,
        where: Where,
    ) -> None:
        self.spec, self.form, self.basic, self.where = spec, form, basic, where
        self.unit = form.budget_unit
        self.places = int(str(spec.get("places", 2))) if isinstance(spec, Mapping) else 2
        self.done: dict[str, Figure] = {}
        self._busy: set[str] = set()

    def money(self, q: Quantity) -> Decimal:
        if self.unit is not None and q.unit is not None and q.unit.family == self.unit.family:
            return q.to(self.unit).value
        return q.value

    def budget(self, key: str) -> Decimal | None:
        q = self.form.budget.get(key)
        return None if q is None else self.money(q)

    def input(self, key: str) -> Decimal | None:
        if self.basic is not None and key in self.basic.inputs:
            return self.money(self.basic.inputs[key])
        q = self.form.inputs.get(key)
        return None if q is None else self.money(q)

    def get(self, name: str) -> Figure:
        found = self.done.get(name)
        if found is not None:
            return found
        figures = self.spec.get("figures") or {}
        if name not in figures:
            # a budget row used directly: {全年执行数}
            value = self.budget(name)
            if value is None:
                self.where.fail(f"报告中的“{{{name}}}”不是已定义的数字", ("report", "figures"))
            figure = Figure(name, value, how=f"表单 budget.{name}")
            self.done[name] = figure
            return figure
        if name in self._busy:
            self.where.fail(f"数字“{name}”的计算引用了自身", ("report", "figures", name))
            return Figure(name, None)
        self._busy.add(name)
        try:
            figure = self._compute(name, figures[name])
        finally:
            self._busy.discard(name)
        self.done[name] = figure
        return figure

    def _compute(self, name: str, spec: Mapping[str, Any]) -> Figure:
        value: Decimal | None = None
        percent = False
        how = ""
        if "sum" in spec:
            parts = [self.get(str(p)) for p in spec["sum"]]
            if all(p.value is not None for p in parts):
                value = sum((p.value for p in parts if p.value is not None), Decimal(0))
            how = " + ".join(p.name for p in parts)
        elif "difference" in spec:
            a, b = (self.get(str(p)) for p in spec["difference"])
            if a.value is not None and b.value is not None:
                value = a.value - b.value
            how = f"{a.name} − {b.name}"
        elif "ratio" in spec:
            a, b = (self.get(str(p)) for p in spec["ratio"])
            percent = True
            if a.value is not None and b.value is not None and b.value != 0:
                value = a.value / b.value
            how = f"{a.name} ÷ {b.name}"
        else:
            for source in ("budget", "input"):
                key = spec.get(source)
                if key is None:
                    continue
                value = self.budget(str(key)) if source == "budget" else self.input(str(key))
                if value is not None:
                    how = ("表单 budget." if source == "budget" else "基础数据表 ") + str(key)
                    break
        typed: Decimal | None = None
        check = spec.get("check")
        if check is not None:
            q = self.form.budget.get(str(check))
            if q is not None:
                typed = q.base if percent else self.money(q)
        places = spec.get("places")
        return Figure(
            name,
            value,
            percent,
            typed,
            None if check is None else str(check),
            how,
            None if spec.get("unit") is None else str(spec["unit"]),
            None if places is None else int(str(places)),
        )

    def show(self, figure: Figure) -> str:
        if figure.value is None:
            return f"【待填：{figure.name}】"
        places = self.places if figure.places is None else figure.places
        if figure.percent:
            return f"{fmt_fixed(quantize(figure.value * 100, places), places)}%"
        unit = (
            figure.unit
            if figure.unit is not None
            else ""
            if self.unit is None
            else self.unit.symbol
        )
        return fmt_fixed(quantize(figure.value, places), places) + unit

    def checks(self, wording: Mapping[str, Any]) -> Iterator[str]:
        """A note for each checked figure that differs from what the form typed."""
        text = str(
            wording.get(
                "check", "表中“{typed_name}”填 {typed}，按 {how} 计算为 {value}，本报告采用计算值。"
            )
        )
        declared = self.spec.get("figures") or {}
        for name, spec in declared.items():
            if isinstance(spec, Mapping) and "check" in spec:
                self.get(name)
        for figure in self.done.values():
            if figure.typed is None or figure.value is None:
                continue
            shown = self.show(figure)
            typed = attrs.evolve(figure, value=figure.typed)
            if self.show(typed) != shown:
                spec = declared.get(figure.name)
                own = spec.get("check_text") if isinstance(spec, Mapping) else None
                gap = attrs.evolve(figure, value=abs(figure.value - figure.typed))
                yield fill(
                    text if own is None else str(own),
                    {
                        "name": figure.name,
                        "typed_name": (figure.typed_name or figure.name).rsplit(".", 1)[-1],
                        "typed": self.show(typed),
                        "how": figure.how,
                        "value": shown,
                        "gap": self.show(gap),
                    },
                )


class Where:
    """Collects the template's report errors, located in the template file where possible."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.errors: list[PerfscoreError] = []
        self._doc: Any = None

    def fail(self, message: str, path: Sequence[str | int]) -> None:
        line = column = None
        if self.file:
            try:
                if self._doc is None:
                    from pathlib import Path

                    from ..read.yaml import load_yaml

                    self._doc = load_yaml(Path(self.file))
                line, column = self._doc.locate(path)
            except (PerfscoreError, OSError):
                pass
        self.errors.append(
            BuildError(
                message,
                file=self.file,
                line=line,
                column=column,
                indicator_path=[str(p) for p in path],
            )
        )


def fill(text: str, values: Mapping[str, str], missing: Any = None) -> str:
    def one(m: re.Match[str]) -> str:
        key = m.group(1)
        if key in values:
            return values[key]
        if missing is not None:
            return str(missing(key))
        return m.group(0)

    return FIELD.sub(one, text)
