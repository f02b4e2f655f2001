"""Reviewing many forms: review_form, review_batch, review_source, and loading what a review reads
(forms, tables, template references).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from ..build.library import TemplateLibrary
from ..build.load_any import TABULAR_SUFFIXES, load_into
from ..build.model import Form, Template
from ..core.findings import finding_from_error
from ..core.result import Finding
from ..engine.evaluate import evaluate
from ..errors import BuildError, InputTypeError, PerfscoreError, internal_error
from ..read.sources import FormSource, iter_sources, parse_record
from ..text.numbers import local_context
from .reports import FormReview, ReviewConfig, RowAccount, _at_row, _finding_key, _Loaded
from .reviewer import _Reviewer
from .summary import BatchReview

if TYPE_CHECKING:
    from ..engine.pool import Runner
    from .reports import Source

__all__ = [
    "FORM_SUFFIXES",
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
    from ..build.args import search_library

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
    from ..engine.pool import ordered_map, worker_count

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
    from ..build.args import search_dirs

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
    from ..read.fsguard import WalkProblem, walk
    from ..read.sources import _wanted
    from ..read.yaml_document import DEFAULT_LIMITS

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
