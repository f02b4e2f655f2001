"""What target review (``perfscore targets``) and monitoring (``perfscore monitor``) share.

Both read a form the way ``perfscore review`` does (YAML, CSV/XLSX 申报表, a mapping; through
:func:`perfscore.review.batch._load`, leniently: what cannot be read becomes a finding), both take
their settings from a section of the template (``target_review:`` / ``monitoring:``), where
every check may be switched off or given another severity, and both report findings with the
same :class:`~perfscore.result.Finding` as review. Nothing here holds a number of the rules:
thresholds are read from the template.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..build.model import Form, Template
from ..core.findings import SEVERITIES, SEVERITY_RANK, FindingSpec
from ..core.result import Finding
from ..errors import BuildError, PerfscoreError
from ..text.numbers import parse_decimal

__all__ = [
    "Checks",
    "Loaded",
    "finding_key",
    "load_stage_form",
    "parse_share",
    "section",
    "whole_file",
]


def section(template: Template, key: str, what: str) -> Mapping[str, Any]:
    """The template's ``key:`` section; BuildError (located at the template) when absent."""
    raw = template.data.get(key)
    if not isinstance(raw, Mapping):
        raise BuildError(
            f"模板“{template.id}”没有 {key}: 部分，无法{what}",
            file=template.file,
            expected=f"在模板中写 {key}:（见 docs/{'monitoring' if key == 'monitoring' else 'target-review'}.md）",
        )
    return raw


def parse_share(value: Any, what: str, file: str | None = None) -> Decimal:
    """``80%`` → 0.8, ``0.8`` → 0.8, ``5‰`` → 0.005 (BuildError when unreadable)."""
    text = str(value).strip()
    try:
        if text.endswith(("%", "％")):
            return parse_decimal(text[:-1], what=what) / 100
        if text.endswith("‰"):
            return parse_decimal(text[:-1], what=what) / 1000
        return parse_decimal(text, what=what)
    except PerfscoreError as err:
        raise BuildError(
            f"{what}“{text}”无法识别", file=file, value=text, expected="如 80%、0.8"
        ) from err


@attrs.frozen
class Checks:
    """Which codes are on and at what severity: catalogue ← template ``checks:`` ← options."""

    catalogue: Mapping[str, FindingSpec]
    enabled: Mapping[str, bool]
    severity: Mapping[str, str]

    @classmethod
    def build(
        cls,
        catalogue: Mapping[str, FindingSpec],
        raw: Mapping[str, Any] | None,
        *,
        file: str | None = None,
        disable: Iterable[str] = (),
        severities: Mapping[str, str] | None = None,
    ) -> Checks:
        enabled = {code: True for code in catalogue}
        severity = {code: spec.severity for code, spec in catalogue.items()}
        given = dict((raw or {}).items())
        for code, item in given.items():
            _known(code, catalogue, file)
            if isinstance(item, Mapping):
                enabled[code] = item.get("enabled", True) is not False
                if item.get("severity") is not None:
                    severity[code] = _level(item["severity"], file)
        for code in disable:
            _known(code, catalogue, None)
            enabled[code] = False
        for code, level in (severities or {}).items():
            _known(code, catalogue, None)
            severity[code] = _level(level, None)
        return cls(catalogue, enabled, severity)

    def apply(self, finding: Finding) -> Finding | None:
        code = finding.code
        if code not in self.catalogue:
            return finding
        if not self.enabled[code]:
            return None
        level = self.severity[code]
        return finding if finding.severity == level else attrs.evolve(finding, severity=level)

    def on(self, code: str) -> bool:
        return self.enabled.get(code, True)


def _known(code: str, catalogue: Mapping[str, FindingSpec], file: str | None) -> None:
    if code not in catalogue:
        from ..read.reader import suggest

        raise BuildError(
            f"未知的检查项“{code}”",
            file=file,
            value=code,
            expected="、".join(catalogue),
            hint=suggest(code, catalogue),
        )


def _level(value: Any, file: str | None) -> str:
    if value not in SEVERITIES:
        raise BuildError(
            f"未知的严重程度“{value}”", file=file, value=value, expected="error、warning、info"
        )
    return str(value)


@attrs.define
class Loaded:
    """A form as read for one stage: the file, the built form (None when it could not be
    bound), the table it came from, and the findings of the reading."""

    file: str
    form: Form | None = None
    table: Any = None
    source: str = "yaml"
    problem: PerfscoreError | None = None
    head: Mapping[str, Any] = attrs.field(factory=dict)

    def reading_findings(self) -> list[Finding]:
        out: list[Finding] = []
        if self.form is not None:
            out.extend(self.form.findings)
        if self.table is not None:
            out.extend(self.table.problems)
        if self.table is not None:  # a spreadsheet's lines are rows
            out = [f if f.row is not None else attrs.evolve(f, row=f.line, line=None) for f in out]
        return out


def load_stage_form(
    source: str | os.PathLike[str] | Mapping[str, Any] | Form,
    *,
    template: Template | str | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    sheet: str | None = None,
    file: str | None = None,
) -> Loaded:
    """Read ``source`` as review reads it (never raises for bad input: ``problem`` says why)."""
    from ..build.args import search_library
    from .batch import _load, _name, load_template_ref
    from .reports import _Loaded

    lib = search_library(search_path)
    name = file if file is not None and isinstance(source, Mapping) else _name(source)
    loaded = _Loaded(file=name)
    out = Loaded(file=name)
    try:
        tmpl = load_template_ref(template, lib)
        _load(loaded, source, tmpl, lib, sheet)
    except PerfscoreError as err:
        out.problem = err
    out.form, out.table, out.source = loaded.form, loaded.table, loaded.source
    data = loaded.doc.data if loaded.doc is not None else None
    if isinstance(data, Mapping):
        out.head = data
    return out


def whole_file(code: str, err: PerfscoreError, file: str, doing: str) -> Finding:
    """The finding for a file that cannot be read or bound at all."""
    from ..core.findings import finding_from_error

    errors = getattr(err, "errors", None) or (err,)
    first = errors[0]
    message = f"整个文件无法{doing}：" + first.message
    if len(errors) > 1:
        message += f"（共 {len(errors)} 个问题）"
    finding = finding_from_error(code, first)
    return attrs.evolve(finding, severity="error", message=message, file=first.file or file)


def finding_key(f: Finding) -> tuple[Any, ...]:
    return (-SEVERITY_RANK.get(f.severity, 0), f.row or f.line or 0, f.path, f.code, f.message)
