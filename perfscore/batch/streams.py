"""Streaming batches: many forms in, one outcome per form out, in input order, in constant memory.

The user-facing description (examples, the JSON Lines record and error-record shapes, the memory
bound) is the docstring of the public module :mod:`perfscore.batch`, which re-exports the names
defined here; this module holds the score jobs, outcomes, summaries and the streams themselves.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ..build.args import module
from ..engine.pool import ordered_map, worker_count
from ..errors import InputTypeError, PerfscoreError, flatten, internal_error
from ..read.sources import (
    JSONL_SUFFIXES,
    SCORE_SUFFIXES,
    STDIN,
    FormSource,
    iter_sources,
    parse_record,
)

if TYPE_CHECKING:
    from ..build.library import TemplateLibrary
    from ..build.model import Template
    from ..core.result import Evaluation
    from ..engine.pool import Runner
    from ..read.yaml_document import Document, Limits
    from ..review.reports import FormReview

__all__ = [
    "JSONL_SUFFIXES",
    "SCORE_SUFFIXES",
    "FailedOutcome",
    "FormSource",
    "Outcome",
    "ScoreSummary",
    "ScoredOutcome",
    "error_line",
    "error_record",
    "iter_sources",
    "parse_record",
    "review_stream",
    "score_jsonl",
    "score_stream",
]

# ====================================================================== outcomes


@attrs.frozen
class Outcome:
    """What became of one form: its :class:`~perfscore.Evaluation`, or the errors that stopped it.

    ``file`` and ``line`` say where the form came from (``line``: its line in a JSON Lines
    file, else None). Exactly one of ``evaluation`` and ``errors`` is set.
    """

    file: str
    line: int | None = None
    evaluation: Evaluation | None = None
    errors: tuple[PerfscoreError, ...] = attrs.field(default=(), eq=False)

    @property
    def ok(self) -> bool:
        """Whether the form was scored."""
        return self.evaluation is not None

    @property
    def where(self) -> str:
        """``file:line`` for a JSON Lines record, ``file`` otherwise."""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def to_json_line(self) -> str:
        """The result (one line of JSON), or the error record (see :func:`error_record`)."""
        if self.evaluation is not None:
            return self.evaluation.to_json(indent=None)
        return error_line(self.errors, file=self.file, line=self.line)


@attrs.frozen
class ScoredOutcome(Outcome):
    """An :class:`Outcome` whose form was scored: ``ok`` is ``True``, ``evaluation`` is set.

    What :func:`score_stream` yields (with :class:`FailedOutcome`), so that a type checker
    narrows on ``if outcome.ok:`` and ``outcome.evaluation`` needs no ``None`` check there.
    """

    if TYPE_CHECKING:

        @property
        def evaluation(self) -> Evaluation: ...

    @property
    def ok(self) -> Literal[True]:
        return True


@attrs.frozen
class FailedOutcome(Outcome):
    """An :class:`Outcome` whose form could not be scored: ``ok`` is ``False``, ``errors`` say
    why and ``evaluation`` is None."""

    if TYPE_CHECKING:

        @property
        def evaluation(self) -> None: ...

    @property
    def ok(self) -> Literal[False]:
        return False


def error_record(
    errors: Iterable[PerfscoreError], *, file: str, line: int | None = None
) -> dict[str, Any]:
    """``{"file": …, "line": …, "errors": [PerfscoreError.to_dict(), …]}`` for one failed form.

    A :class:`~perfscore.errors.ValidationErrors` is listed as the errors it holds.
    """
    flat = [e for err in errors for e in flatten(err)]
    return {"file": file, "line": line, "errors": [e.to_dict() for e in flat]}


def error_line(errors: Iterable[PerfscoreError], *, file: str, line: int | None = None) -> str:
    """:func:`error_record` as one line of JSON (ending in a newline)."""
    return json.dumps(error_record(errors, file=file, line=line), ensure_ascii=False) + "\n"


@attrs.define
class ScoreSummary:
    """Counts over a stream of outcomes, kept as they come (nothing per form is stored)."""

    forms: int = 0
    scored: int = 0
    failed: int = 0
    grades: Counter[str] = attrs.field(factory=Counter)

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        self.record(outcome.ok, None if outcome.evaluation is None else outcome.evaluation.grade)

    def record(self, ok: bool, grade: str | None) -> None:
        """Count one form (scored or not) with its grade."""
        self.forms += 1
        if ok:
            self.scored += 1
            if grade is not None:
                self.grades[grade] += 1
        else:
            self.failed += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "forms": self.forms,
            "scored": self.scored,
            "failed": self.failed,
            "grades": dict(self.grades),
        }

    def text(self) -> str:
        """A one-line Chinese summary, e.g. ``共 3 份表单：计分 2 份（优 2），出错 1 份。``"""
        grades = "，".join(f"{g} {n}" for g, n in self.grades.items())
        scored = f"计分 {self.scored} 份" + (f"（{grades}）" if grades else "")
        return f"共 {self.forms} 份表单：{scored}，出错 {self.failed} 份。"


# ====================================================================== scoring


def _search(search_path: Iterable[str | os.PathLike[str]] | None) -> tuple[str, ...] | None:
    from ..build.args import search_dirs

    return search_dirs(search_path) or None


def _template(template: Template | None) -> Template | None:
    from ..build.args import template_arg

    return template_arg(template)


_TEMPLATES_KEPT = 256  # templates one batch job keeps by reference (a batch names a few)


class _ScoreJob:
    """Scores one source (in whichever process it runs); picklable, its caches are not sent.

    ``output``: ``outcome`` returns the :class:`Outcome`; ``jsonl``, ``text`` and ``markdown``
    return ``(ok, grade, rendered text)``, so that only text crosses process boundaries.
    ``encoded``: that text is made safe for the output (``for_format``) and encoded in UTF-8
    where it was made, for a writer of bytes (``perfscore score``).
    """

    def __init__(
        self,
        template: Template | None,
        search_path: tuple[str, ...] | None,
        limits: Limits | None,
        output: str = "outcome",
        width: int = 120,
        encoded: bool = False,
    ) -> None:
        self.template = template
        self.search_path = search_path
        self.limits = limits
        self.output = output
        self.width = width
        self.encoded = encoded
        self._templates: dict[tuple[str, str | None], Template] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_templates"] = {}  # each process resolves its own
        return state

    @property
    def library(self) -> TemplateLibrary:
        """This process's library for the search path (each template built once per process)."""
        library: TemplateLibrary = module(".build.args").search_library(self.search_path)
        return library

    def resolve(
        self, ref: str | Mapping[str, Any], doc: Document, at: tuple[str | int, ...]
    ) -> Template:
        """The library's resolver, asked once per template a batch names: every form of the
        batch is scored with the template as it was when first used (the library would look
        the file up, stat it and its bases again for each form: ~0.1 ms a form). A path is
        relative to its form, so it is kept per form file; failures are not kept."""
        if not isinstance(ref, str):
            return self.library.resolve(ref, doc, at)  # an inline template: the form's own
        key = (ref, doc.file if ref.endswith((".yaml", ".yml")) else None)
        found = self._templates.get(key)
        if found is None:
            found = self.library.resolve(ref, doc, at)
            if len(self._templates) < _TEMPLATES_KEPT:
                self._templates[key] = found
        return found

    def __call__(self, source: FormSource) -> Any:
        return self.finish(self.outcome(source))

    def finish(self, outcome: Outcome) -> Any:
        """The outcome as this job hands it out (see the class docstring)."""
        if self.output == "outcome":
            return outcome
        ev = outcome.evaluation
        return (outcome.ok, None if ev is None else ev.grade, self.packed(self.render(outcome)))

    def packed(self, text: str) -> str | bytes:
        """``text`` as it is handed out (see the class docstring)."""
        if not self.encoded:
            return text
        from ..render.safe_text import for_format

        # for_format leaves no surrogate in these formats: these are the bytes a UTF-8 text
        # stream would have written, made here so that the parent never decodes them.
        return for_format(text, self.output).encode("utf-8")

    def outcome(self, source: FormSource) -> ScoredOutcome | FailedOutcome:
        file, line = source.file, source.line
        if source.problem is not None:
            return FailedOutcome(file, line, errors=(source.problem,))
        if source.text is not None:
            text = source.text
            return self.scored(file, line, lambda: self.form_from_json(text, file, line))
        return self.scored(file, line, lambda: self.form_from_file(file))

    def outcome_of_data(self, data: Mapping[str, Any], file: str) -> ScoredOutcome | FailedOutcome:
        """The outcome for a form given as Python data (as :func:`perfscore.load_form` reads
        a mapping), named ``file``."""

        def form() -> Any:
            doc = module(".read.normalize").document_from_data(data, file, limits=self.limits)
            return module(".build.bind").build_form(doc, self.resolve, template=self.template)

        return self.scored(file, None, form)

    def scored(
        self, file: str, line: int | None, form: Callable[[], Any]
    ) -> ScoredOutcome | FailedOutcome:
        """Evaluate ``form()``; every failure becomes the outcome's errors."""
        evaluate = module(".engine.evaluate").evaluate
        try:
            return ScoredOutcome(file, line, evaluate(form()))
        except PerfscoreError as err:
            return FailedOutcome(file, line, errors=_located(err, file, line))
        except Exception as exc:  # a defect met on one form must not stop the batch
            return FailedOutcome(
                file, line, errors=(internal_error(exc, doing="计分", file=file, line=line),)
            )

    def form_from_json(self, text: str, file: str, line: int | None) -> Any:
        doc = module(".read.normalize").document_from_json(
            text, file, line=line or 1, limits=self.limits
        )
        return module(".build.bind").build_form(doc, self.resolve, template=self.template)

    def form_from_file(self, path: str) -> Any:
        # As load_form(path) reads it (a .json file too), with this process's template cache.
        from ..build.bind import build_form
        from ..build.load_any import TABULAR_SUFFIXES, Loaded, load_into
        from ..read.yaml import load_yaml
        from ..read.yaml_document import DEFAULT_LIMITS

        if Path(path).suffix.lower() in TABULAR_SUFFIXES:  # the one loader (issue 17)
            loaded = Loaded(file=path)
            load_into(loaded, path, self.template, self.library, lenient=False)
            return loaded.form
        doc = load_yaml(Path(path), file=path, limits=self.limits or DEFAULT_LIMITS)
        return build_form(doc, self.resolve, template=self.template)

    def render(self, outcome: Outcome) -> str:
        if self.output == "jsonl":
            return outcome.to_json_line()
        ev = outcome.evaluation
        if ev is not None:
            from ..render.evaluation import render

            text = render(ev, self.output, width=self.width)
            return text if self.output == "markdown" else f"■ {outcome.where}\n{text}"
        if self.output == "markdown":
            lines = [f"# ✗ {outcome.where}", ""]
            lines += [f"- {e.kind}：{e}" for e in _flat(outcome.errors)]
            return "\n".join(lines) + "\n"
        lines = [f"✗ {outcome.where}"]
        lines += [f"  {e.kind}：{e}" for e in _flat(outcome.errors)]
        return "\n".join(lines) + "\n"


def _as_sources(
    items: Iterable[FormSource | str | os.PathLike[str]], suffixes: Iterable[str]
) -> Iterator[FormSource]:
    """Sources as given; a path (file, folder, ``.jsonl``, ``-``) expanded by iter_sources."""
    for item in items:
        if isinstance(item, FormSource):
            yield item
        elif isinstance(item, str | os.PathLike):
            yield from iter_sources([item], suffixes=suffixes)
        else:
            raise InputTypeError(
                f"批处理的输入应为 FormSource 或路径，而不是 {type(item).__name__}",
                value=repr(item)[:80],
                expected="iter_sources(...) 给出的 FormSource，或文件、目录路径",
            )


def _flat(errors: Iterable[PerfscoreError]) -> list[PerfscoreError]:
    return [e for err in errors for e in flatten(err)]


def _located(err: PerfscoreError, file: str, line: int | None) -> tuple[PerfscoreError, ...]:
    """The errors of one form; those about a JSON Lines record without a line get its line."""
    found = flatten(err)
    if line is not None:
        for e in found:
            if e.line is None and e.file in (None, file):
                e.located(file=file, line=line)
    return found


def score_stream(
    sources: Iterable[FormSource | str | os.PathLike[str]],
    *,
    template: Template | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    jobs: int | Runner = 1,
    chunk_size: int = 16,
    limits: Limits | None = None,
) -> Iterator[ScoredOutcome | FailedOutcome]:
    """Score every source (see :func:`iter_sources`; a path is expanded as it does), yielding
    an :class:`Outcome` per form.

    Outcomes come in input order, as soon as each is ready; none is kept. ``template`` (a built
    Template) replaces each form's own ``template:``; otherwise templates are found by id in
    ``search_path`` and the shipped templates, and each is built once per process. ``jobs``
    processes score the forms (``0``: one per CPU); with more than one, chunks of
    ``chunk_size`` sources (the raw lines or paths) are sent out, at most ``2 × jobs`` chunks
    ahead of the one being handed out. Never raises for bad input: a form that cannot be read
    or scored is an outcome with ``errors``.
    """
    job = _ScoreJob(_template(template), _search(search_path), limits)
    items = _as_sources(sources, SCORE_SUFFIXES)
    return ordered_map(job, items, jobs=worker_count(jobs), chunk_size=chunk_size)


def score_jsonl(
    lines: Iterable[str],
    *,
    template: Template | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    file: str = STDIN,
    jobs: int | Runner = 1,
    limits: Limits | None = None,
) -> Iterator[str]:
    """JSON Lines of forms in, JSON Lines out: for each non-blank line, in order, the result
    (:meth:`~perfscore.Evaluation.to_json` on one line) or an error record (see
    :func:`error_record`); every output line ends with a newline.

    ``file`` names the input in results and errors; line numbers count every input line,
    blank ones included. ``template``, ``search_path`` and ``jobs`` as for
    :func:`score_stream`. Never raises for bad input.
    """
    job = _ScoreJob(_template(template), _search(search_path), limits, output="jsonl")
    rendered = ordered_map(
        job, _line_sources(lines, file), jobs=worker_count(jobs), chunk_size=JSONL_CHUNK
    )
    return (text for _ok, _grade, text in rendered)


#: Records sent to a worker at a time (at most :data:`~perfscore.engine.pool.CHUNK_TEXT`
#: characters of them; form files 16 at a time): each chunk costs the parent about a
#: millisecond of executor bookkeeping, a third of its time per form with 16-record chunks.
JSONL_CHUNK = 64


def _line_sources(lines: Iterable[str], file: str) -> Iterator[FormSource]:
    # Each line is read (and refused when too long) by document_from_json in the worker.
    for number, line in enumerate(lines, 1):
        if not line or line.isspace():
            continue
        text = line[1:] if number == 1 and line.startswith("\ufeff") else line
        yield FormSource(file, number, text)


def _score_rendered(
    sources: Iterable[FormSource],
    fmt: str,
    *,
    template: Template | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    jobs: int | Runner = 1,
    width: int = 120,
    limits: Limits | None = None,
    encoded: bool = False,
) -> Iterator[tuple[bool, str | None, Any]]:
    """``(scored, grade, text)`` per form, in order: the form rendered as ``fmt`` (``jsonl``,
    ``text`` or ``markdown``) by the process that scored it. What ``perfscore score`` streams.

    ``encoded``: the text is ``for_format(text, fmt)`` in UTF-8 bytes, made where the form was
    scored, so that the parent only writes it (no decoding, no second pass for unsafe text).
    """
    job = _ScoreJob(
        _template(template), _search(search_path), limits, output=fmt, width=width, encoded=encoded
    )
    rendered: Iterator[tuple[bool, str | None, Any]] = ordered_map(
        job, sources, jobs=worker_count(jobs), chunk_size=JSONL_CHUNK
    )
    return rendered


# ====================================================================== review


class _RenderedReview:
    """Reviews one source and renders it as ``output`` (``jsonl``, ``text``, ``markdown``) in
    the process that reviewed it: returns ``(ReviewEntry, text)``, so only text crosses process
    boundaries. The review modules are imported here, not at the top: ``perfscore score``
    imports this module and must not load the review machinery (tests/test_coldstart.py)."""

    def __init__(self, options: Mapping[str, Any], output: str) -> None:
        self.options = dict(options)
        self.output = output

    def __call__(self, source: FormSource) -> tuple[Any, str]:
        from ..review.batch import review_source
        from ..review.render import render_form
        from ..review.summary import ReviewEntry

        review = review_source(source, **self.options)
        return ReviewEntry.of(review), render_form(review, self.output)


def review_stream(
    sources: Iterable[FormSource | str | os.PathLike[str]],
    *,
    jobs: int | Runner = 1,
    chunk_size: int = 4,
    **options: Any,
) -> Iterator[FormReview]:
    """Review every source, yielding a :class:`~perfscore.review.FormReview` per form, in order.

    Sources as for :func:`score_stream` (a folder path is searched for
    :data:`perfscore.review.FORM_SUFFIXES`: CSV and XLSX too). ``options`` are those of
    :func:`perfscore.review.review_form` (``template``,
    ``search_path``, ``sheet``, ``disable``, ``tolerances``, ``severities``). A record of a JSON
    Lines file has its ``line`` set. Accumulate a summary with
    :class:`perfscore.review.ReviewSummary` instead of keeping the reviews.
    """
    from ..review.batch import FORM_SUFFIXES, _ReviewJob, check_options  # lazy: see _RenderedReview

    check_options(options)
    items = _as_sources(sources, FORM_SUFFIXES)
    reviews: Iterator[FormReview] = ordered_map(
        _ReviewJob(options), items, jobs=worker_count(jobs), chunk_size=chunk_size
    )
    return reviews


def _review_rendered(
    sources: Iterable[FormSource], fmt: str, *, jobs: int | Runner = 1, **options: Any
) -> Iterator[tuple[Any, str]]:
    """``(ReviewEntry, text)`` per form, in order, rendered as ``fmt`` where it was reviewed."""
    from ..review.batch import check_options  # lazy: see _RenderedReview

    check_options(options)
    result: Iterator[tuple[Any, str]] = ordered_map(
        _RenderedReview(options, fmt), sources, jobs=worker_count(jobs), chunk_size=4
    )
    return result
