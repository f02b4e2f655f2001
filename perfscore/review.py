"""Review (复核): what a finance bureau checks in submitted self-evaluation forms.

::

    from perfscore.review import review_form, review_batch

    r = review_form("examples/yueyanglou-2023/unit-self-evaluation.yaml")
    for f in r.findings:
        print(f.severity, f.code, f.message)

    batch = review_batch(["submitted/"])          # YAML, CSV and XLSX forms in a folder
    print(batch.summary()["grades"])

Each form is read leniently (a row or value that cannot be read becomes a finding; the rest is
still reviewed), scored with :func:`perfscore.evaluate` in lenient mode, and checked: reported
against computed scores, weights, totals, the printed execution rate, the budget identities,
targets and actuals as written. The finding codes, their Chinese titles and default severities
and tolerances are in :data:`perfscore._findings.CATALOGUE`; a template's ``review:`` block and
the keyword arguments here (``disable``, ``tolerances``, ``severities``) override them.
"""

from __future__ import annotations

import heapq
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from . import _review_extra
from ._evaluate import evaluate
from ._findings import ALIASES, CATALOGUE, SEVERITY_RANK, finding_from_error
from ._library import TemplateLibrary
from ._load_any import DEFAULT_TABULAR_TEMPLATE, TABULAR_SUFFIXES, Loaded, load_into
from ._numbers import local_context, parse_decimal, quantize
from ._sources import FormSource, iter_sources, parse_record
from ._text import fmt, fmt_fixed
from .errors import BuildError, InputTypeError, PerfscoreError, internal_error
from .model import Form, Leaf, Template
from .result import Evaluation, Finding, LeafResult, _dumps
from .targets import Quantity

if TYPE_CHECKING:
    from ._batch_pool import Runner

__all__ = [
    "DEFAULT_TABULAR_TEMPLATE",
    "FORM_SUFFIXES",
    "BatchReview",
    "CheckConfig",
    "FormReview",
    "Identity",
    "ReviewConfig",
    "ReviewEntry",
    "ReviewSummary",
    "ReviewedItem",
    "RowAccount",
    "check_options",
    "expand",
    "load_template_ref",
    "review_batch",
    "review_form",
    "review_source",
]

YAML_SUFFIXES: Final = (".yaml", ".yml")
JSON_SUFFIXES: Final = (".json", ".jsonl")
#: File endings a folder is searched for (``.jsonl``: JSON Lines, one form per line).
FORM_SUFFIXES: Final = (*YAML_SUFFIXES, *TABULAR_SUFFIXES, *JSON_SUFFIXES)
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
        from ._reader import suggest

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


@attrs.frozen
class BatchReview:
    """Reviews of many forms, most serious first; whole-file failures are form_unreadable."""

    reviews: tuple[FormReview, ...]

    @property
    def points_at_stake(self) -> Decimal:
        return sum((r.points_at_stake for r in self.reviews), ZERO)

    def reaches(self, level: str) -> bool:
        return any(r.reaches(level) for r in self.reviews)

    def summary(self) -> dict[str, Any]:
        """Counts by grade and by severity, the points at stake, and every form in order: the
        streamed :class:`ReviewSummary`, keeping all the forms (so its listing is complete)."""
        folded = ReviewSummary(top=len(self.reviews))
        for review in self.reviews:
            folded.add(review)
        summary = folded.summary()
        del summary["order_complete"], summary["order_limit"]  # always complete here
        return summary

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "forms": [r.to_dict() for r in self.reviews]}

    def to_json(self, *, indent: int | None = 2) -> str:
        return _dumps(self.to_dict(), indent=indent) + "\n"


@attrs.frozen
class ReviewEntry:
    """What a batch summary keeps of one form review: its row in the listing and its counts.

    Small and picklable (no findings, no evaluation), so that a streamed batch can summarise
    any number of forms, and a worker process can send it instead of the whole review.
    """

    file: str
    line: int | None
    unit: str | None
    total: Decimal | None
    reported_total: Decimal | None
    grade: str | None
    max_severity: str | None
    counts: tuple[tuple[str, int], ...]
    codes: tuple[tuple[str, int], ...]
    points_at_stake: Decimal
    places: int
    key: tuple[Any, ...]

    @classmethod
    def of(cls, review: FormReview) -> ReviewEntry:
        ev = review.evaluation
        return cls(
            file=review.file,
            line=review.line,
            unit=review.unit,
            total=None if ev is None else ev.total,
            reported_total=review.reported_total,
            grade=review.grade,
            max_severity=review.max_severity,
            counts=tuple(review.counts.items()),
            codes=tuple(sorted(Counter(f.code for f in review.findings).items())),
            points_at_stake=review.points_at_stake,
            places=2 if ev is None else ev.places,
            key=review.seriousness(),
        )

    @property
    def where(self) -> str:
        """``file:line`` for a JSON Lines record, ``file`` otherwise."""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def reaches(self, level: str) -> bool:
        """Whether a finding is at least as serious as ``level`` (``never`` → False)."""
        rank = SEVERITY_RANK.get(level)
        return rank is not None and SEVERITY_RANK.get(self.max_severity or "", 0) >= rank

    def to_dict(self) -> dict[str, Any]:
        """The form's entry in a summary's ``order``."""
        where: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            where["line"] = self.line
        return {
            **where,
            "unit": self.unit,
            "total": self.total,
            "reported_total": self.reported_total,
            "grade": self.grade or UNSCORED,
            "max_severity": self.max_severity,
            "counts": dict(self.counts),
            "points_at_stake": self.points_at_stake,
        }


class _LessSerious:
    """Heap key: the heap's smallest item is the least serious form kept (popped first)."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key

    def __lt__(self, other: _LessSerious) -> bool:
        return self.key > other.key


@attrs.define
class ReviewSummary:
    """A batch summary built form by form, in memory that does not grow with the batch.

    The counts (forms, grades, findings by severity and code, points at stake) are running
    totals; the listing keeps only the ``top`` most serious forms (a bounded heap), so
    :meth:`summary` says whether ``order`` is complete. Add a :class:`FormReview` or the
    :class:`ReviewEntry` a worker process made of one.
    """

    top: int = 50
    forms: int = 0
    grades: Counter[str] = attrs.field(factory=Counter)
    findings: Counter[str] = attrs.field(factory=Counter)
    codes: Counter[str] = attrs.field(factory=Counter)
    points_at_stake: Decimal = ZERO
    worst: int = 0
    best_total: dict[str, Decimal] = attrs.field(factory=dict)
    _heap: list[tuple[_LessSerious, ReviewEntry]] = attrs.field(factory=list)
    _seen: int = 0

    def add(
        self, review: FormReview | ReviewEntry, *, order: tuple[int, ...] | None = None
    ) -> ReviewEntry:
        """Count one form; returns its entry.

        ``order`` places the form in the input among equally serious ones (default: the order
        of the calls). Summaries of parts of one batch, each given the form's position in the
        whole input (e.g. ``(part, index)``), :meth:`merge` into the summary of the batch.
        """
        entry = review if isinstance(review, ReviewEntry) else ReviewEntry.of(review)
        self.forms += 1
        grade = entry.grade or UNSCORED
        self.grades[grade] += 1
        if entry.grade is not None and entry.total is not None:
            best = self.best_total.get(grade)
            if best is None or entry.total > best:
                self.best_total[grade] = entry.total
        for severity, count in entry.counts:
            self.findings[severity] += count
        for code, count in entry.codes:
            self.codes[code] += count
        self.points_at_stake += entry.points_at_stake
        self.worst = max(self.worst, SEVERITY_RANK.get(entry.max_severity or "", 0))
        if self.top > 0:
            self._seen += 1
            self._keep((_LessSerious((*entry.key, *(order or (self._seen,)))), entry))
        return entry

    def _keep(self, item: tuple[_LessSerious, ReviewEntry]) -> None:
        if len(self._heap) < self.top:
            heapq.heappush(self._heap, item)
        else:
            heapq.heappushpop(self._heap, item)

    def merge(self, other: ReviewSummary) -> ReviewSummary:
        """Add the counts and the kept forms of ``other`` (a summary of another part of the
        batch) to this one, and return it: a reduction step, for summaries made in parallel.
        The result equals one summary of both parts when each form's ``order`` was given."""
        self.forms += other.forms
        self.grades.update(other.grades)
        self.findings.update(other.findings)
        self.codes.update(other.codes)
        self.points_at_stake += other.points_at_stake
        self.worst = max(self.worst, other.worst)
        for grade, total in other.best_total.items():
            best = self.best_total.get(grade)
            if best is None or total > best:
                self.best_total[grade] = total
        if self.top > 0:
            for item in other._heap:
                self._keep(item)
        self._seen += other._seen
        return self

    def reaches(self, level: str) -> bool:
        """Whether any form had a finding at least as serious as ``level``."""
        rank = SEVERITY_RANK.get(level)
        return rank is not None and self.worst >= rank

    def most_serious(self) -> list[ReviewEntry]:
        """The kept forms (at most ``top``), most serious first."""
        return [entry for _key, entry in sorted(self._heap, key=lambda kv: kv[0].key)]

    @property
    def complete(self) -> bool:
        """Whether :meth:`most_serious` lists every form."""
        return self.forms <= max(self.top, 0)

    def summary(self) -> dict[str, Any]:
        """The shape of :meth:`BatchReview.summary`; ``order`` lists the ``top`` most serious
        forms (``order_complete`` false when some were left out, ``order_limit`` = ``top``)."""

        def grade_key(item: tuple[str, int]) -> tuple[Decimal, str]:
            best = self.best_total.get(item[0])
            return (-best if best is not None else Decimal(1), item[0])

        return {
            "forms": self.forms,
            "grades": dict(sorted(self.grades.items(), key=grade_key)),
            "findings": {s: self.findings.get(s, 0) for s in ("error", "warning", "info")},
            "codes": dict(sorted(self.codes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "points_at_stake": self.points_at_stake,
            "order": [entry.to_dict() for entry in self.most_serious()],
            "order_complete": self.complete,
            "order_limit": self.top,
        }


# ====================================================================== entry points


def review_form(
    source: Source,
    *,
    template: Template | str | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    sheet: str | None = None,
    disable: Iterable[str] = (),
    tolerances: Mapping[str, Decimal | str | int] | None = None,
    severities: Mapping[str, str] | None = None,
    file: str | None = None,
) -> FormReview:
    """Review one form: a YAML/CSV/XLSX path, a plain mapping, or a built :class:`Form`.

    ``template`` (a Template, a shipped id or a template file) replaces the form's own; a
    CSV/XLSX form without one uses the 模板 cell of the sheet, else
    :data:`DEFAULT_TABULAR_TEMPLATE`. ``file`` names a mapping in the review and its findings
    (default ``<data>``). Never raises for bad input: a file that cannot be read
    or bound at all gives a review with ``evaluation=None`` and a ``form_unreadable`` finding.
    Raises BuildError for an unknown code or severity in the overrides (a caller's mistake).
    """
    disable = tuple(disable)
    ReviewConfig.build(None, disable=disable, tolerances=tolerances, severities=severities)
    from ._args import search_library

    lib = search_library(search_path)  # one per search path: a batch builds each template once
    file = file if file is not None and isinstance(source, Mapping) else _name(source)
    loaded = _Loaded(file=file)
    try:
        tmpl = load_template_ref(template, lib)
        _load(loaded, source, tmpl, lib, sheet)
        form = loaded.form
        assert form is not None
        config = ReviewConfig.build(
            form.template, disable=disable, tolerances=tolerances, severities=severities
        )
        with local_context():
            evaluation = evaluate(form, lenient=True)
    except PerfscoreError as err:
        return _unreadable(loaded, err, disable, tolerances, severities)
    return _Reviewer(form, evaluation, loaded, config).run()


def review_batch(
    paths: Iterable[str | os.PathLike[str]],
    *,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int | Runner = 1,
    **options: Any,
) -> BatchReview:
    """Review every form in ``paths`` (files, and folders searched for :data:`FORM_SUFFIXES`).

    ``options`` are those of :func:`review_form`. A file that fails entirely is in the result
    with a ``form_unreadable`` finding; template files met in a folder are skipped. A JSON
    Lines file (``.jsonl``, or ``-`` for standard input) gives one review per line.
    ``progress(done, total, file)`` is called before each file. ``jobs`` processes review the
    forms (``0``: one per CPU; a :class:`~perfscore.dask.DaskRunner` runs them on Dask). Every review is kept (they are sorted by seriousness); for
    batches too large for that, stream them with :func:`perfscore.batch.review_stream` and
    :class:`ReviewSummary`.
    """
    from ._batch_pool import ordered_map, worker_count

    given = list(paths)
    files = expand(given)
    processes = worker_count(jobs)

    def sources() -> Iterator[FormSource]:
        last: str | None = None
        done = -1
        # the paths as given: a folder's walk also yields what was not read (a link loop)
        for source in iter_sources(given, suffixes=FORM_SUFFIXES):
            if source.file != last:
                last, done = source.file, done + 1
                if progress is not None:
                    progress(done, len(files), source.file)
            yield source

    check_options(options)  # a caller's mistake is an error now, not a finding on every form
    if not isinstance(processes, int) or processes > 1:
        results: Iterable[FormReview] = ordered_map(
            _ReviewJob(options), sources(), jobs=processes, chunk_size=4
        )
    else:
        results = (review_source(source, **options) for source in sources())
    reviews = list(results)
    if progress is not None:
        progress(len(files), len(files), "")
    return BatchReview(tuple(sorted(reviews, key=FormReview.seriousness)))


class _ReviewJob:
    """Reviews one source in whichever process it runs: picklable, it carries the options only.
    Used by :func:`review_batch` and :func:`perfscore.batch.review_stream`."""

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.options = dict(options)

    def __call__(self, source: FormSource) -> FormReview:
        return review_source(source, **self.options)


def review_source(source: FormSource, **options: Any) -> FormReview:
    """Review one source of :func:`perfscore.batch.iter_sources`: a form file, or a record of
    a JSON Lines file (the review's ``line`` is set). ``options`` as for :func:`review_form`.

    Never raises for bad input (a record that is not JSON is a ``form_unreadable`` finding);
    raises BuildError for a bad override, as :func:`review_form` does.
    """
    file, line = source.file, source.line
    try:
        if source.problem is not None:
            review = _unreadable_with(file, source.problem, options)
        elif source.text is None:
            review = review_form(file, **options)
        else:
            try:
                data = parse_record(source.text, file=file, line=line)
            except PerfscoreError as bad:
                review = _unreadable_with(file, bad, options)
            else:
                review = review_form(data, file=file, **options)
    except BuildError:
        raise  # a bad override: the caller's mistake, not the file's
    except Exception as exc:  # a defect met on one file must not stop the batch
        internal = internal_error(exc, doing="复核", file=file, line=line)
        review = FormReview(file=file, evaluation=None, findings=(_whole_file(internal, file),))
    return review if line is None else attrs.evolve(review, line=line)


_OPTIONS: Final = frozenset(
    ("template", "search_path", "sheet", "disable", "tolerances", "severities")
)


def check_options(options: Mapping[str, Any]) -> None:
    """Refuse options :func:`review_form` does not take, and bad overrides (BuildError)."""
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise InputTypeError(
            f"未知的复核参数：{'、'.join(unknown)}",
            value=unknown[0],
            expected="、".join(sorted(_OPTIONS)),
        )
    from ._args import search_dirs

    search_dirs(options.get("search_path"))  # a lone str is refused, as load_form does
    ReviewConfig.build(
        None,
        disable=options.get("disable") or (),
        tolerances=options.get("tolerances"),
        severities=options.get("severities"),
    )


def _unreadable_with(file: str, err: PerfscoreError, options: Mapping[str, Any]) -> FormReview:
    return _unreadable(
        _Loaded(file=file),
        err,
        tuple(options.get("disable") or ()),
        options.get("tolerances"),
        options.get("severities"),
    )


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Files as given, and the form files inside folders (sorted; templates skipped).

    In a folder, ``.json``/``.jsonl`` files are taken only when their first record is a form
    (``"kind": "form"``), so written results and reports are not read back as forms.
    """
    from ._fsguard import WalkProblem, walk
    from ._sources import _wanted
    from ._yaml import DEFAULT_LIMITS

    out: list[str] = []
    for p in paths:
        path = Path(p)
        if os.fspath(p) != "-" and path.is_dir():
            found = [
                entry.path if isinstance(entry, WalkProblem) else entry
                for entry in walk(os.fspath(p))
                # an unreadable folder or a non-regular form file: reading it reports why
                # (a link loop is not listed: walking it again would read its forms twice)
                if (isinstance(entry, WalkProblem) and _listed(entry))
                or (
                    isinstance(entry, str)
                    and _wanted(Path(entry), FORM_SUFFIXES, DEFAULT_LIMITS.max_bytes)
                )
            ]
            out.extend(found or [os.fspath(p)])  # an empty folder stays: reading it says so
        else:
            out.append(os.fspath(p))
    return out


def _listed(problem: Any) -> bool:
    if problem.reason == "special":
        return bool(problem.path.lower().endswith(FORM_SUFFIXES))
    return bool(problem.reason != "loop")


# ====================================================================== loading


_Loaded = Loaded


def _name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source) if isinstance(os.fspath(source), str) else os.fsdecode(source)
    if isinstance(source, Form):
        return source.file or "<form>"
    return "<data>"


def load_template_ref(template: Template | str | None, lib: TemplateLibrary) -> Template | None:
    """A Template as given, or the one a shipped id or a template file names."""
    if template is None or isinstance(template, Template):
        return template
    if not isinstance(template, str):
        raise InputTypeError(
            f"template 应为模板编号、模板文件路径或 Template，而不是 {type(template).__name__}",
            value=template,
        )
    path = Path(template)
    return lib.load(path if path.is_file() else lib.find(template))


def _load(
    loaded: _Loaded, source: Source, tmpl: Template | None, lib: TemplateLibrary, sheet: str | None
) -> None:
    """Fill ``loaded`` step by step (what was read stays there when a later step fails)."""
    load_into(loaded, source, tmpl, lib, sheet, lenient=True)


def _whole_file(err: PerfscoreError, file: str) -> Finding:
    errors = getattr(err, "errors", None) or (err,)
    first = errors[0]
    message = "整个文件无法复核：" + first.message
    if len(errors) > 1:
        message += f"（共 {len(errors)} 个问题）"
    finding = finding_from_error("form_unreadable", first)
    return attrs.evolve(finding, message=message, file=first.file or file)


def _unreadable(
    loaded: _Loaded,
    err: PerfscoreError,
    disable: Sequence[str],
    tolerances: Mapping[str, Any] | None,
    severities: Mapping[str, str] | None,
) -> FormReview:
    config = ReviewConfig.build(None, disable=disable, tolerances=tolerances, severities=severities)
    findings: list[Finding] = [_whole_file(err, loaded.file)]
    rows: tuple[RowAccount, ...] = ()
    if loaded.table is not None:
        findings.extend(loaded.table.problems)
        rows = tuple(
            RowAccount(rec.row, rec.kind, "finding", ("form_unreadable",), rec.reason)
            for rec in loaded.table.rows
        )
    tabular = loaded.table is not None
    kept = [f for f in (config.apply(_at_row(f, tabular)) for f in findings) if f is not None]
    data = loaded.doc.data if loaded.doc is not None else None
    head = data if isinstance(data, Mapping) else {}
    return FormReview(
        unit=None if head.get("unit") is None else str(head["unit"]),
        year=None if head.get("year") is None else str(head["year"]),
        file=loaded.file,
        evaluation=None,
        findings=tuple(sorted(kept, key=_finding_key)),
        rows=rows,
        encoding=loaded.encoding,
        source=loaded.source,
    )


def _at_row(finding: Finding, tabular: bool) -> Finding:
    """A tabular document's lines are spreadsheet rows: say so."""
    if not tabular or finding.row is not None:
        return finding
    return attrs.evolve(finding, row=finding.line, line=None)


def _finding_key(f: Finding) -> tuple[Any, ...]:
    return (-SEVERITY_RANK.get(f.severity, 0), f.row or f.line or 0, f.path, f.code, f.message)


# ====================================================================== the checks

_COMPARATOR_IN_NAME: Final = re.compile(r"[≥≧>＞≤≦<＜=＝]\s*[0-9０-９]|[0-9０-９]\s*[%％‰]")
_LEAF_CODES: Final = {"missing_actual": "actual_missing"}


def _squeeze(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


class _Reviewer:
    def __init__(
        self, form: Form, evaluation: Evaluation, loaded: _Loaded, config: ReviewConfig
    ) -> None:
        self.form = form
        self.ev = evaluation
        self.loaded = loaded
        self.config = config
        self.findings: list[Finding] = []
        self.tabular = loaded.table is not None
        self.pairs: list[tuple[Leaf, LeafResult]] = list(
            zip(form.leaves(), evaluation.leaves(), strict=True)
        )

    # ---------------------------------------------------------------- helpers

    def add(
        self,
        code: str,
        message: str,
        *,
        leaf: Leaf | None = None,
        at: tuple[str | int, ...] | None = None,
        path: tuple[str, ...] = (),
        **values: Any,
    ) -> None:
        line = None
        if leaf is not None:
            line, path = leaf.position.line, leaf.path
        elif at is not None and self.loaded.doc is not None:
            line = self.loaded.doc.locate(at)[0]
        self.findings.append(
            Finding(
                code=code,
                severity=CATALOGUE[code].severity,
                message=message,
                path=path,
                values=tuple(sorted((k, _show(v)) for k, v in values.items())),
                file=self.form.file or self.loaded.file,
                line=line,
            )
        )

    # ---------------------------------------------------------------- run

    def run(self) -> FormReview:
        self.findings.extend(self.loaded.notes)
        self.findings.extend(self.form.findings)
        if self.loaded.table is not None:
            self.findings.extend(self.loaded.table.problems)
        repeats = self.leaves()
        self.from_evaluation(repeats)
        self.totals()
        self.execution_rate()
        self.execution_low()
        self.identities()
        _review_extra.budget_block(self)
        _review_extra.totals(self)
        from ._review_form_checks import run_form_checks

        run_form_checks(self)
        kept = [
            f
            for f in (self.config.apply(_at_row(f, self.tabular)) for f in self.findings)
            if f is not None
        ]
        findings = tuple(sorted(_unique(kept), key=_finding_key))
        items = self.items(findings)
        rows = self.rows(findings, items)
        form = self.form
        return FormReview(
            file=self.loaded.file if self.loaded.source != "form" else (form.file or "<form>"),
            evaluation=self.ev,
            findings=tuple(_review_extra.collapse(findings)),
            items=items,
            rows=rows,
            encoding=self.loaded.encoding,
            source=self.loaded.source,
            unit=form.unit,
            year=form.year,
            reported_total=form.reported_total,
        )

    def items(self, findings: Sequence[Finding]) -> tuple[ReviewedItem, ...]:
        """One entry per leaf, with the codes of the findings located on it."""
        out: list[ReviewedItem] = []
        # findings by place, once: scanning them all for every leaf was quadratic
        by_place: dict[tuple[tuple[str, ...], int | None], dict[str, None]] = {}
        for f in findings:
            by_place.setdefault((f.path, f.row or f.line), {})[f.code] = None
        for leaf, res in self.pairs:
            line = leaf.position.line
            codes = tuple(by_place.get((leaf.path, line), ()))
            out.append(
                ReviewedItem(
                    path=leaf.path,
                    name=leaf.name,
                    weight=leaf.weight,
                    reported=leaf.reported,
                    score=res.score,
                    status=res.status,
                    explanation=res.explanation,
                    target=res.target_text,
                    actual=res.actual_text,
                    note=leaf.note,
                    line=None if self.tabular else line,
                    row=line if self.tabular else None,
                    codes=codes,
                )
            )
        return tuple(out)

    def rows(
        self, findings: Sequence[Finding], items: Sequence[ReviewedItem]
    ) -> tuple[RowAccount, ...]:
        table = self.loaded.table
        if table is None:
            return ()
        scored = {leaf.position.line for leaf, _r in self.pairs if leaf.unreadable is None}
        by_row: dict[int, list[str]] = {}
        for f in findings:
            if f.row is not None:
                by_row.setdefault(f.row, []).append(f.code)
        accounts: list[RowAccount] = []
        for rec in table.rows:
            codes = tuple(dict.fromkeys(by_row.get(rec.row, ())))
            if rec.kind in ("indicator", "unreadable"):
                if rec.row in scored:
                    outcome = "scored+finding" if codes else "scored"
                elif codes:
                    outcome = "finding"
                else:
                    outcome = "lost"
            else:
                outcome = "recognised"
            accounts.append(RowAccount(rec.row, rec.kind, outcome, codes, rec.reason))
        return tuple(accounts)

    # ---------------------------------------------------------------- leaves

    def leaves(self) -> set[tuple[tuple[str, ...], int | None]]:
        """Per-leaf checks; returns the leaves whose actual only repeats the target."""
        repeats: set[tuple[tuple[str, ...], int | None]] = set()
        c = self.config
        for leaf, res in self.pairs:
            self.text_checks(leaf, repeats)
            reported = leaf.reported
            if leaf.unreadable is not None or reported is None or res.status == "不适用":
                continue
            weight = res.effective_weight if res.effective_weight else leaf.weight
            over = reported - weight
            if over > c.tolerance("score_above_weight"):
                self.add(
                    "score_above_weight",
                    f"自评得分 {fmt(reported)} 超过分值 {fmt(weight)}",
                    leaf=leaf,
                    自评得分=reported,
                    分值=weight,
                )
            diff = reported - res.score
            in_tier = self.within_tier(leaf, res, reported)
            if abs(diff) > c.tolerance("reported_differs") and not in_tier:
                self.add(
                    "reported_differs",
                    f"自评 {fmt(reported)} 分，按规则应得 {fmt(res.score)} 分，"
                    f"{'多' if diff > 0 else '少'}计 {fmt(abs(diff))} 分",
                    leaf=leaf,
                    自评得分=reported,
                    计算得分=res.score,
                    差额=diff,
                )
            if in_tier is False:
                self.add(
                    "score_outside_tier",
                    f"自评得分 {fmt(reported)} 不在“{res.tier}”档的分数范围内",
                    leaf=leaf,
                    自评得分=reported,
                    档次=res.tier or "",
                )
            if (
                res.status == "达成"
                and weight - reported > c.tolerance("met_not_full")
                and not (leaf.note or "").strip()
            ):
                self.add(
                    "met_not_full",
                    f"已达成指标值，自评却只得 {fmt(reported)} 分（满分 {fmt(weight)}），"
                    "且未填写偏差原因",
                    leaf=leaf,
                    自评得分=reported,
                    分值=weight,
                )
            if res.status in ("部分达成", "未达成") and reported >= weight > 0:
                self.add(
                    "unmet_full",
                    f"{res.status}（{res.explanation}），自评却得满分 {fmt(reported)}",
                    leaf=leaf,
                    自评得分=reported,
                    计算得分=res.score,
                )
        return repeats

    def within_tier(self, leaf: Leaf, res: LeafResult, reported: Decimal) -> bool | None:
        """For a tiered (qualitative) leaf: whether ``reported`` lies in its tier's range."""
        if leaf.rule.kind != "tiers" or res.tier is None:
            return None
        from ._rules import _bounds

        tier = next((t for t in leaf.rule.params.tiers if t.name == res.tier), None)
        if tier is None:
            return None
        low, high = _bounds(tier.range, res.effective_weight, self.ev.places)
        return bool(low <= reported <= high)

    def text_checks(self, leaf: Leaf, repeats: set[tuple[tuple[str, ...], int | None]]) -> None:
        target = leaf.target
        name = _squeeze(leaf.name)
        target_text = _squeeze(leaf.target_text)
        suffix = f"({target_text})"  # NFKC folds （） to ()
        if self.tabular and target_text and name.endswith(suffix):
            # the reader names two same-named rows 名称（年度指标值）; that is not the unit's doing
            name = name[: -len(suffix)]
        if target is None and not target_text and _COMPARATOR_IN_NAME.search(name):
            # one cause, one finding: the empty target cell is this, not a target_missing
            self.findings[:] = [
                f
                for f in self.findings
                if not (
                    f.code == "target_missing"
                    and (f.path, f.line) == (leaf.path, leaf.position.line)
                )
            ]
            self.add(
                "target_in_name",
                f"指标名称“{leaf.name}”里写了指标值，“年度指标值”栏却是空的：请把指标值填在该栏",
                leaf=leaf,
                名称=leaf.name,
            )
        if target is not None and (
            _COMPARATOR_IN_NAME.search(name)
            or (len(target_text) >= 2 and target.is_quantitative and target_text in name)
            or (len(target_text) >= 4 and target_text in name)
        ):
            self.add(
                "target_in_name",
                f"指标名称“{leaf.name}”里写了指标值，指标值应单独填在“年度指标值”栏",
                leaf=leaf,
                名称=leaf.name,
                指标值=leaf.target_text or "",
            )
        actual = leaf.actual
        if (
            actual is not None
            and target is not None
            and target.is_quantitative
            and actual.comparator is not None
            and _squeeze(leaf.actual_text) == target_text
        ):
            repeats.add((leaf.path, leaf.position.line))
            self.add(
                "actual_repeats_target",
                f"实际完成值“{leaf.actual_text}”只是照抄了指标值，没有写出实际完成的数值",
                leaf=leaf,
                指标值=leaf.target_text or "",
                实际完成值=leaf.actual_text or "",
            )

    def from_evaluation(self, repeats: set[tuple[tuple[str, ...], int | None]]) -> None:
        leaves = {(leaf.path, leaf.position.line): leaf for leaf, _r in self.pairs}
        for found in self.ev.findings:
            f = found
            leaf = leaves.get((f.path, f.line))
            code = _LEAF_CODES.get(f.code, f.code)
            if leaf is not None:
                if code == "over_achievement" and not (leaf.note or "").strip():
                    code = "over_achievement_unexplained"
                    f = attrs.evolve(f, message=f.message + "；“偏差原因分析及改进措施”未填写")
                elif code == "actual_has_comparator" and (f.path, f.line) in repeats:
                    continue
                elif code == "unscorable" and _actual_unreadable(leaf):
                    code = "actual_unreadable"
            values = tuple(
                ("完成比例", _ratio_text(v)) if k == "ratio" else (k, v) for k, v in f.values
            )
            self.findings.append(
                attrs.evolve(f, code=code, severity=_severity_default(code), values=values)
            )

    # ---------------------------------------------------------------- form level

    def totals(self) -> None:
        form, c = self.form, self.config
        reported_total = form.reported_total
        if reported_total is None:
            return
        reported = [leaf.reported for leaf, _r in self.pairs]
        if reported and all(r is not None for r in reported):
            total = sum((r for r in reported if r is not None), ZERO)
            if abs(total - reported_total) > c.tolerance("reported_total_sum"):
                self.add(
                    "reported_total_sum",
                    f"自评总分 {fmt(reported_total)} 不等于各项自评得分之和 {fmt(total)}",
                    at=("reported_total",),
                    path=("总分",),
                    自评总分=reported_total,
                    各项之和=total,
                    差额=reported_total - total,
                )
        diff = reported_total - self.ev.total
        if abs(diff) > c.tolerance("total_differs"):
            self.add(
                "total_differs",
                f"自评总分 {fmt(reported_total)}，按规则计算为 {fmt(self.ev.total)}，"
                f"差 {fmt(diff)} 分",
                at=("reported_total",),
                path=("总分",),
                自评总分=reported_total,
                计算总分=self.ev.total,
                差额=diff,
            )

    def execution_rate(self) -> None:
        budget, c = self.form.budget, self.config
        printed = budget.get(c.printed_rate)
        params = _execution_params(self.form)
        if printed is None or params is None:
            return
        executed = budget.get(params.executed)
        adjusted = budget.get(params.budget)
        opening = budget.get(c.opening)
        if executed is None or printed.value == 0:
            return
        at = ("budget", *c.printed_rate.split("."))
        factor = printed.base / printed.value if printed.value else Decimal(1)
        places = _places(printed.value)
        p = printed.base

        def rate(denominator: Quantity | None) -> Decimal | None:
            if denominator is None or denominator.base <= 0:
                return None
            return executed.base / denominator.base

        r_adjusted, r_opening = rate(adjusted), rate(opening)
        near = c.tolerance("execution_rate_denominator")
        used, used_name, used_q = r_adjusted, params.budget, adjusted
        if (
            r_opening is not None
            and abs(p - r_opening) <= near
            and (r_adjusted is None or abs(p - r_adjusted) > near)
        ):
            used, used_name, used_q = r_opening, c.opening, opening
            assert opening is not None
            self.add(
                "execution_rate_denominator",
                f"印出的执行率 {printed} 是 {params.executed} ÷ {c.opening}"
                f"（{fmt(executed.value)} ÷ {fmt(opening.value)}），"
                f"应为 {params.executed} ÷ {params.budget}"
                + (
                    f"（{fmt(executed.value)} ÷ {fmt(adjusted.value)} = {_percent(r_adjusted)}）"
                    if adjusted is not None and r_adjusted is not None
                    else ""
                ),
                at=at,
                path=("预算执行率",),
                印出执行率=str(printed),
                按年初预算=_percent(r_opening),
                按全年预算="" if r_adjusted is None else _percent(r_adjusted),
            )
        if used is None or used_q is None:
            return
        shown = quantize(used / factor, places) * factor
        if abs(shown - p) > c.tolerance("execution_rate_miscomputed"):
            self.add(
                "execution_rate_miscomputed",
                f"印出的执行率 {printed} 算错了：{params.executed} ÷ {used_name} = "
                f"{fmt(executed.value)} ÷ {fmt(used_q.value)} = {_percent(used, places)}",
                at=at,
                path=("预算执行率",),
                印出执行率=str(printed),
                应为=_percent(used, places),
                分母=used_name,
            )

    def execution_low(self) -> None:
        """A low execution rate (against the adjusted budget) needs a stated reason."""
        floor = self.config.tolerance("execution_rate_low_unexplained")
        for leaf, res in self.pairs:
            if leaf.rule.kind != "execution_rate" or res.ratio is None or leaf.note:
                continue
            if res.ratio < floor:
                self.add(
                    "execution_rate_low_unexplained",
                    f"预算执行率 {_percent(res.ratio)} 低于 {_percent(floor)}，"
                    "“偏差原因分析及改进措施”未填写，请说明执行偏低的原因",
                    leaf=leaf,
                    执行率=_percent(res.ratio),
                    要求=_percent(floor),
                )

    def identities(self) -> None:
        budget = self.form.budget
        for ident in self.config.identities:
            total = budget.get(ident.total)
            if total is None:
                continue
            parts: list[tuple[str, Quantity]] = []
            complete = True
            for pattern in ident.parts:
                if "*" in pattern:
                    rx = re.compile(
                        "^" + r"([^.]+)".join(re.escape(x) for x in pattern.split("*")) + "$"
                    )
                    for n, q in budget.items():
                        m = rx.match(n)
                        if m is not None:  # shown by the name the * stands for
                            parts.append(("·".join(m.groups()), q))
                elif pattern in budget:
                    parts.append((pattern, budget[pattern]))
                else:
                    complete = False
            if not parts or not complete:
                continue
            try:
                amounts = [_in_unit(q, total) for _n, q in parts]
            except PerfscoreError:
                continue
            got = sum(amounts, ZERO)
            diff = total.value - got
            tolerance = (
                ident.tolerance
                if ident.tolerance is not None
                else self.config.tolerance("budget_identity")
            )
            if abs(diff) <= tolerance:
                continue
            places = max(_places(a) for a in (total.value, *amounts))

            def money(x: Decimal, places: int = places) -> str:
                return fmt_fixed(x, places)

            names = " + ".join(_last(n) for n, _q in parts)
            sums = " + ".join(money(a) for a in amounts)
            self.add(
                "budget_identity",
                f"{ident.name}：{names} = {sums} = {money(got)}，"
                f"不等于{_last(ident.total)} {money(total.value)}（差 {money(abs(diff))}）",
                at=("budget", *ident.total.split(".")),
                path=("资金情况", ident.name),
                合计=money(total.value),
                各项之和=money(got),
                差额=money(diff),
            )


def _execution_params(form: Form) -> Any:
    for leaf in form.leaves():
        if leaf.rule.kind == "execution_rate":
            return leaf.rule.params
    return None


def _actual_unreadable(leaf: Leaf) -> bool:
    actual = leaf.actual
    if actual is None:
        return False
    if "unreadable" in actual.flags:
        return True
    return actual.kind == "word" and leaf.target is not None and leaf.target.is_quantitative


def _severity_default(code: str) -> str:
    spec = CATALOGUE.get(code)
    return spec.severity if spec is not None else "warning"


def _in_unit(q: Quantity, total: Quantity) -> Decimal:
    if q.unit is None or total.unit is None or q.unit == total.unit:
        return q.value
    return q.to(total.unit).value


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _percent(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return ""
    return f"{quantize(value * 100, places):.{places}f}%"


def _ratio_text(text: str) -> str:
    """The evaluator's ratio ("1.8", or cut short as "1.2345…") as a percentage."""
    try:
        value = parse_decimal(text.rstrip("…"))
    except PerfscoreError:
        return text
    return _percent(value) + ("…" if text.endswith("…") else "")


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.code, f.path, f.line, f.row, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
