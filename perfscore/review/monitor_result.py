"""What mid-year monitoring gives for one project: its lights and findings (see
:mod:`perfscore.review.monitor`, which makes them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ..core.result import Finding, _dumps

__all__ = ["Light", "MonitorReport"]


@attrs.frozen
class Light:
    """One light: the budget's (``path == ()``) or an indicator's, with its sentence."""

    name: str
    path: tuple[str, ...]
    light: str | None
    light_name: str
    sentence: str
    ratio: Decimal | None = None
    progress: str | None = None
    target: str | None = None
    expected: str | None = None
    causes: tuple[str, ...] = ()
    likelihood: str | None = None
    measures: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "path": list(self.path),
            "light": self.light,
            "light_name": self.light_name,
            "sentence": self.sentence,
        }
        for key in ("ratio", "progress", "target", "expected", "likelihood", "measures", "line"):
            value = getattr(self, key)
            if value is not None:
                out[key] = str(value) if isinstance(value, Decimal) else value
        if self.causes:
            out["causes"] = list(self.causes)
        return out


@attrs.frozen
class MonitorReport:
    """The monitoring of one form."""

    file: str
    month: int
    unit: str | None = None
    year: str | None = None
    template: str | None = None
    budget: Light | None = None
    lights: tuple[Light, ...] = ()
    project_light: str | None = None
    project_light_name: str = "—"
    project_sentence: str = ""
    findings: tuple[Finding, ...] = ()
    order: tuple[str, ...] = ()
    line: int | None = None

    def reaches(self, level: str) -> bool:
        from ..core.findings import SEVERITY_RANK

        if level == "never":
            return False
        need = SEVERITY_RANK[level]
        return any(SEVERITY_RANK.get(f.severity, 0) >= need for f in self.findings)

    def counts(self) -> dict[str, int]:
        out = {light: 0 for light in self.order}
        for x in (self.budget, *self.lights):
            if x is not None and x.light is not None:
                out[x.light] = out.get(x.light, 0) + 1
        return out

    def seriousness(self) -> tuple[Any, ...]:
        rank = self.order.index(self.project_light) if self.project_light in self.order else 99
        return (rank, self.file, self.line or 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            **({"line": self.line} if self.line is not None else {}),
            "unit": self.unit,
            "year": self.year,
            "template": self.template,
            "month": self.month,
            "project_light": self.project_light,
            "project_light_name": self.project_light_name,
            "project_sentence": self.project_sentence,
            "budget": None if self.budget is None else self.budget.to_dict(),
            "lights": [x.to_dict() for x in self.lights],
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return _dumps(self.to_dict(), indent=indent)
