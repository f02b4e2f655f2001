"""What a review returns: its configuration, the reviewed items and rows, and a form's review."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from ..build.load_any import Loaded
from ..build.model import Form, Template
from ..core.findings import ALIASES, CATALOGUE, SEVERITY_RANK
from ..core.result import Evaluation, Finding, _dumps
from ..errors import BuildError, PerfscoreError
from ..text.numbers import parse_decimal

__all__ = ["CheckConfig", "FormReview", "Identity", "ReviewConfig", "ReviewedItem", "RowAccount"]

ZERO: Final = Decimal(0)

Source = str | os.PathLike[str] | Form | Mapping[str, Any]


# ====================================================================== configuration


@attrs.frozen
class CheckConfig:
    """How one finding code is reported: on or off, severity, tolerance (None: not used)."""

    enabled: bool
    severity: str
    tolerance: Decimal | None


@attrs.frozen
class Identity:
    """A budget identity: the figure ``total`` equals the sum of ``parts``.

    Names are the form's budget names joined by dots (``支出.基本支出``); ``*`` in a part
    stands for every name at that level (``收入.*``, ``资金来源.*.全年预算数``). Explicit parts
    must all be filled in for the identity to be checked; a wildcard needs at least one match.
    """

    name: str
    total: str
    parts: tuple[str, ...]
    tolerance: Decimal | None = None


@attrs.frozen
class ReviewConfig:
    """The review settings in force: catalogue defaults ← template ``review:`` ← overrides."""

    checks: Mapping[str, CheckConfig]
    identities: tuple[Identity, ...] = ()
    opening: str = "年初预算数"
    printed_rate: str = "执行率"

    @classmethod
    def build(
        cls,
        template: Template | None = None,
        *,
        disable: Iterable[str] = (),
        tolerances: Mapping[str, Decimal | str | int] | None = None,
        severities: Mapping[str, str] | None = None,
    ) -> ReviewConfig:
        """Defaults from the catalogue, then the template's ``review:`` block, then overrides.

        Raises BuildError for an unknown code, severity or an unreadable tolerance.
        """
        raw: Mapping[str, Any] = template.review if template is not None else {}
        where = template.file if template is not None else None
        checks: dict[str, CheckConfig] = {
            code: CheckConfig(True, spec.severity, spec.tolerance)
            for code, spec in CATALOGUE.items()
        }
        for code, given in (raw.get("checks") or {}).items():
            _known(code, where)
            item: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
            old = checks[code]
            checks[code] = CheckConfig(
                enabled=item.get("enabled", True) is not False,
                severity=_severity(item.get("severity", old.severity), where),
                tolerance=old.tolerance
                if item.get("tolerance") is None
                else _tolerance(item.get("tolerance"), where),
            )
        for code in disable:
            _known(code, None)
            for each in (code, ALIASES.get(code)):
                if each is not None:
                    checks[each] = attrs.evolve(checks[each], enabled=False)
        for code, value in (tolerances or {}).items():
            _known(code, None)
            checks[code] = attrs.evolve(checks[code], tolerance=_tolerance(value, None))
        for code, level in (severities or {}).items():
            _known(code, None)
            checks[code] = attrs.evolve(checks[code], severity=_severity(level, None))
        identities = tuple(
            Identity(
                name=str(item.get("name")),
                total=str(item.get("total")),
                parts=tuple(str(p) for p in item.get("parts") or ()),
                tolerance=_tolerance(item.get("tolerance"), where),
            )
            for item in raw.get("identities") or ()
            if isinstance(item, Mapping)
        )
        rate = raw.get("execution_rate") or {}
        return cls(
            checks=checks,
            identities=identities,
            opening=str(rate.get("opening", "年初预算数")),
            printed_rate=str(rate.get("printed", "执行率")),
        )

    def enabled(self, code: str) -> bool:
        check = self.checks.get(code)
        return check is None or check.enabled

    def tolerance(self, code: str) -> Decimal:
        check = self.checks.get(code)
        return check.tolerance if check is not None and check.tolerance is not None else ZERO

    def apply(self, finding: Finding) -> Finding | None:
        """``finding`` with the configured severity, or None when its code is switched off."""
        check = self.checks.get(finding.code)
        if check is None:
            return finding
        if not check.enabled:
            return None
        return (
            finding
            if finding.severity == check.severity
            else attrs.evolve(finding, severity=check.severity)
        )


def _known(code: str, file: str | None) -> None:
    if code not in CATALOGUE:
        from ..read.reader import suggest

        raise BuildError(
            f"未知的复核项“{code}”",
            file=file,
            value=code,
            expected="、".join(CATALOGUE),
            hint=suggest(code, CATALOGUE),
        )


def _severity(value: Any, file: str | None) -> str:
    if value not in SEVERITY_RANK:
        raise BuildError(
            f"未知的严重程度“{value}”", file=file, value=value, expected="error、warning 或 info"
        )
    return str(value)


def _tolerance(value: Any, file: str | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            text = str(value).strip()
            number = parse_decimal(text.rstrip("%％"))
            if text.endswith(("%", "％")):
                number = number / 100
        except PerfscoreError as err:
            raise BuildError(
                f"容差“{value}”不是数值", file=file, value=value, expected="≥ 0 的数，如 0.01"
            ) from err
    if number < 0:
        raise BuildError(f"容差“{value}”不能为负数", file=file, value=value, expected="≥ 0 的数")
    return number


# ====================================================================== results


@attrs.frozen
class ReviewedItem:
    """One third-level indicator as reviewed: reported beside computed, and its finding codes."""

    path: tuple[str, ...]
    name: str
    weight: Decimal
    reported: Decimal | None
    score: Decimal
    status: str
    explanation: str
    target: str | None = None
    actual: str | None = None
    note: str | None = None
    line: int | None = None
    row: int | None = None
    codes: tuple[str, ...] = ()

    @property
    def difference(self) -> Decimal | None:
        """reported − computed (None when nothing was reported)."""
        return None if self.reported is None else self.reported - self.score

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": list(self.path),
            "name": self.name,
            "weight": self.weight,
            "reported": self.reported,
            "score": self.score,
            "difference": self.difference,
            "status": self.status,
            "target": self.target,
            "actual": self.actual,
            "note": self.note,
            "line": self.line,
            "row": self.row,
            "codes": list(self.codes),
            "explanation": self.explanation,
        }


@attrs.frozen
class RowAccount:
    """What became of one row of a CSV/XLSX form.

    ``outcome``: ``scored`` (an indicator that was scored), ``finding`` (named in a finding,
    not scored), ``scored+finding``, ``recognised`` (header, budget, breakdown, subtotal,
    total, blank or note rows: read, nothing to score), or ``lost`` (never expected).
    """

    row: int
    kind: str
    outcome: str
    codes: tuple[str, ...] = ()
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "kind": self.kind, "outcome": self.outcome}
        if self.codes:
            data["codes"] = list(self.codes)
        if self.reason:
            data["reason"] = self.reason
        return data


@attrs.frozen
class FormReview:
    """The review of one form: the evaluation (None when not scorable at all) and findings."""

    file: str
    evaluation: Evaluation | None
    findings: tuple[Finding, ...]
    items: tuple[ReviewedItem, ...] = ()
    rows: tuple[RowAccount, ...] = ()
    encoding: str | None = None
    source: str = "yaml"  # yaml | csv | xlsx | data | form
    unit: str | None = None
    year: str | None = None
    reported_total: Decimal | None = None
    #: The form's line in a JSON Lines file (None for a form file).
    line: int | None = None

    @property
    def max_severity(self) -> str | None:
        """The most serious severity among the findings (None when there are none)."""
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: SEVERITY_RANK.get(s, 0))

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings by severity (every severity present as a key)."""
        counter = Counter(f.severity for f in self.findings)
        return {s: counter.get(s, 0) for s in ("error", "warning", "info")}

    @property
    def points_at_stake(self) -> Decimal:
        """Σ |reported − computed| over the items; |reported total − total| when no item is."""
        stake = sum((abs(d) for i in self.items if (d := i.difference) is not None), ZERO)
        if (
            not any(i.reported is not None for i in self.items)
            and self.reported_total is not None
            and self.evaluation is not None
        ):
            stake = abs(self.reported_total - self.evaluation.total)
        return stake

    @property
    def grade(self) -> str | None:
        return None if self.evaluation is None else self.evaluation.grade

    def codes(self) -> list[str]:
        """The finding codes, sorted, without repeats."""
        return sorted({f.code for f in self.findings})

    def reaches(self, level: str) -> bool:
        """Whether any finding is at least as serious as ``level`` (``never`` → False)."""
        rank = SEVERITY_RANK.get(level)
        return rank is not None and any(
            SEVERITY_RANK.get(f.severity, 0) >= rank for f in self.findings
        )

    def seriousness(self) -> tuple[Any, ...]:
        """Sort key, most serious first: worst severity, then a form that could not be scored
        at all, then the points at stake, then the number of errors and warnings."""
        return (
            -SEVERITY_RANK.get(self.max_severity or "", 0),
            self.evaluation is not None,
            -self.points_at_stake,
            -self.counts["error"],
            -self.counts["warning"],
            self.file,
            self.line or 0,
        )

    def to_dict(self) -> dict[str, Any]:
        ev = self.evaluation
        where: dict[str, Any] = {"file": self.file}
        if self.line is not None:  # a JSON Lines record
            where["line"] = self.line
        return {
            **where,
            "source": self.source,
            "encoding": self.encoding,
            "unit": self.unit,
            "year": self.year,
            "template": None if ev is None else ev.template_id,
            "total": None if ev is None else ev.total,
            "grade": None if ev is None else ev.grade,
            "reported_total": self.reported_total,
            "points_at_stake": self.points_at_stake,
            "max_severity": self.max_severity,
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.findings],
            "items": [i.to_dict() for i in self.items],
            "rows": [r.to_dict() for r in self.rows],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return _dumps(self.to_dict(), indent=indent) + "\n"


#: The grade shown for a form that could not be scored at all.
UNSCORED: Final = "无法计分"


# ====================================================================== loading


_Loaded = Loaded


def _at_row(finding: Finding, tabular: bool) -> Finding:
    """A tabular document's lines are spreadsheet rows: say so."""
    if not tabular or finding.row is not None:
        return finding
    return attrs.evolve(finding, row=finding.line, line=None)


def _finding_key(f: Finding) -> tuple[Any, ...]:
    return (-SEVERITY_RANK.get(f.severity, 0), f.row or f.line or 0, f.path, f.code, f.message)
