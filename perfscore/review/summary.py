"""Many reviews: a batch of reviews kept whole, and the streamed summary that keeps counts and the
most serious forms only.
"""

from __future__ import annotations

import heapq
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..core.findings import SEVERITY_RANK
from ..core.result import _dumps
from .reports import UNSCORED, ZERO

if TYPE_CHECKING:
    from .reports import FormReview

__all__ = ["BatchReview", "ReviewEntry", "ReviewSummary"]


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
