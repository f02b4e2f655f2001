"""Scoring and review on Dask (and, through pandas, on Spark): the same results as one process.

Install the extra first: ``pip install 'perfscore[dask]'``. ::

    import dask.bag as db
    from distributed import Client, LocalCluster
    import perfscore.dask as psd

    client = Client(LocalCluster(n_workers=2))
    forms = db.read_text("forms-*.jsonl")              # one JSON form per line
    results = psd.score_bag(forms, output="jsonl")     # a bag of result / error-record lines
    reviews = psd.review_bag(forms)                    # a bag of FormReview
    summary = psd.review_summary(reviews).compute()    # a ReviewSummary, reduced in parallel

    frame = psd.score_dataframe(ddf, column="form")    # dask or pandas DataFrame in and out

A bag element is one form: a JSON object as text (a line of a JSON Lines file), a mapping in
the shape of a ``kind: form`` YAML file, or a :class:`~perfscore.batch.FormSource` (which
keeps its file and line; ``db.from_sequence(iter_sources(paths))``). Errors never raise: a
form that cannot be read or scored becomes its error record (``output="jsonl"``) or an
:class:`~perfscore.batch.Outcome` with ``errors``, at its place in the bag.

The built template goes to each worker once, as one task of the graph that every partition
depends on, and each partition is scored by the same job as ``perfscore score``. The review
summary is a tree reduction of partial :class:`~perfscore.review.ReviewSummary` objects, each
form keyed by its position ``(partition, index)``, so counts and the ordered listing of the
most serious forms equal those of :func:`perfscore.review.review_batch` on the same forms in
the same order.

For the command line, ``perfscore score|review SOURCES --dask local`` (or ``--dask
tcp://host:8786``, also written ``--scheduler tcp://host:8786``) runs the same streamed batch
on Dask through :class:`DaskRunner`; the output is byte-identical to ``--jobs 1``.

Spark: :class:`FrameScorer` is a ``mapInPandas`` function::

    df.mapInPandas(psd.FrameScorer(column="form"), schema=psd.SPARK_SCHEMA)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .batch.dask_map import DaskRunner, dask_missing, open_runner
from .errors import InputTypeError, PerfscoreError, internal_error
from .read.sources import FormSource

if TYPE_CHECKING:
    import os

    from .batch.streams import Outcome
    from .build.model import Template
    from .review.reports import FormReview
    from .review.summary import ReviewSummary

__all__ = [
    "COLUMNS",
    "SPARK_SCHEMA",
    "DaskRunner",
    "FrameScorer",
    "open_runner",
    "review_bag",
    "review_summary",
    "score_bag",
    "score_dataframe",
]

#: The columns of :func:`score_dataframe` and :class:`FrameScorer`, in order. Amounts are
#: decimal texts (``"99.69"``), never floats; ``result`` is the result JSON on one line,
#: ``error`` the error record (both as :func:`perfscore.batch.error_record`), one of them null.
COLUMNS = (
    "unit",
    "year",
    "template",
    "total",
    "grade",
    "errors",
    "warnings",
    "infos",
    "points_at_stake",
    "result",
    "error",
)

#: The Spark schema of :class:`FrameScorer`'s output (a DDL string for ``mapInPandas``).
SPARK_SCHEMA = (
    "unit string, year string, template string, total string, grade string, errors long, "
    "warnings long, infos long, points_at_stake string, result string, error string"
)

OUTPUTS = ("outcome", "jsonl")


def _bag_module() -> Any:
    try:
        import dask.bag
    except ImportError as exc:
        raise dask_missing(exc) from None
    return dask.bag


def _score_job(
    template: Template | None,
    search_path: Iterable[str | os.PathLike[str]] | None,
    output: str,
) -> Any:
    from .batch.streams import _ScoreJob, _search, _template

    if output not in OUTPUTS:
        raise InputTypeError(
            f"output 应为 {'、'.join(OUTPUTS)} 之一，而不是 {output!r}",
            value=repr(output)[:80],
            expected="、".join(OUTPUTS),
        )
    return _ScoreJob(_template(template), _search(search_path), None, output=output)


def _source(item: Any, name: str) -> FormSource | Mapping[str, Any]:
    """A bag element as the job takes it: a FormSource, or a mapping kept as data."""
    if isinstance(item, FormSource):
        return item
    if isinstance(item, str | bytes):
        text = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
        return FormSource(name, None, text.lstrip("\ufeff"))
    if isinstance(item, Mapping):
        return item
    problem = InputTypeError(
        f"Dask 数据集中的元素应为表单（JSON 文本、映射或 FormSource），而不是 {type(item).__name__}",
        value=repr(item)[:80],
        expected="JSON 文本、dict 或 FormSource",
    )
    return FormSource(name, None, problem=problem.located(file=name))


def _score_one(job: Any, item: Any, name: str) -> Any:
    source = _source(item, name)
    if isinstance(source, FormSource):
        return job(source)
    return job.finish(job.outcome_of_data(source, name))


def _score_partition(items: Iterable[Any], job: Any, name: str) -> list[Any]:
    scored = [_score_one(job, item, name) for item in items]
    return scored if job.output == "outcome" else [text for _ok, _grade, text in scored]


def score_bag(
    bag: Any,
    *,
    template: Template | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    output: str = "outcome",
    name: str = "<bag>",
) -> Any:
    """Score every form of a ``dask.bag.Bag``: a bag of :class:`~perfscore.batch.Outcome`
    (``output="outcome"``) or of JSON Lines text (``"jsonl"``: each result or error record on
    one line ending in a newline, as ``perfscore score --format jsonl`` writes it).

    ``template`` (a built Template) replaces each form's own; otherwise templates are found by
    id in ``search_path`` and the shipped templates, built once per worker. ``name`` is the
    file named in results and errors of elements without one.
    """
    _bag_module()
    from dask import delayed

    job = _score_job(template, search_path, output)
    shared = delayed(job, pure=False)  # one task: every partition depends on the same copy
    return bag.map_partitions(_score_partition, shared, name)


def _review_one(item: Any, name: str, options: Mapping[str, Any]) -> FormReview:
    from .review.batch import _whole_file, review_form, review_source
    from .review.reports import FormReview

    source = _source(item, name)
    if isinstance(source, FormSource):
        return review_source(source, **options)
    try:
        return review_form(source, file=name, **options)
    except PerfscoreError:
        raise  # a bad override: the caller's mistake (checked before the graph runs)
    except Exception as exc:  # a defect met on one form must not stop the batch
        internal = internal_error(exc, doing="复核", file=name)
        return FormReview(file=name, evaluation=None, findings=(_whole_file(internal, name),))


def _review_partition(
    items: Iterable[Any], options: Mapping[str, Any], name: str
) -> list[FormReview]:
    return [_review_one(item, name, options) for item in items]


def review_bag(bag: Any, *, name: str = "<bag>", **options: Any) -> Any:
    """Review every form of a bag: a bag of :class:`~perfscore.review.FormReview`, in order.

    ``options`` are those of :func:`perfscore.review.review_form` (``template``,
    ``search_path``, ``disable``, ``tolerances``, ``severities``), checked here, before
    anything runs. Summarise with :func:`review_summary`.
    """
    _bag_module()
    from dask import delayed

    from .review.batch import check_options

    check_options(options)
    # As for score_bag: a template given in the options is one node of the graph, not a copy
    # in every partition's task.
    return bag.map_partitions(_review_partition, delayed(dict(options), pure=False), name)


def _partial_summary(part: Iterable[Any], index: int, top: int) -> ReviewSummary:
    from .review.summary import ReviewSummary

    summary = ReviewSummary(top=top)
    for position, review in enumerate(part):
        summary.add(review, order=(index, position))
    return summary


def _merge(parts: list[ReviewSummary]) -> ReviewSummary:
    first, *rest = parts
    for other in rest:
        first.merge(other)
    return first


def review_summary(reviews: Any, *, top: int = 50, split_every: int = 8) -> Any:
    """The :class:`~perfscore.review.ReviewSummary` of a bag of reviews (of
    :func:`review_bag`), as a ``dask.delayed`` value: a partial summary per partition,
    merged ``split_every`` at a time. ``.compute()`` gives figures and ordering equal to one
    summary of the same reviews in bag order."""
    _bag_module()
    from dask import delayed

    level = [
        delayed(_partial_summary)(part, index, top)
        for index, part in enumerate(reviews.to_delayed())
    ]
    if not level:
        from .review.summary import ReviewSummary

        return delayed(ReviewSummary)(top=top)
    step = max(2, split_every)
    while len(level) > 1:
        level = [delayed(_merge)(level[i : i + step]) for i in range(0, len(level), step)]
    return level[0]


# ====================================================================== data frames


class FrameScorer:
    """Scores the forms in one column of pandas frames: a function for ``DataFrame.map``
    of partitions, and for Spark's ``mapInPandas`` (it takes and yields frames).

    Each row's ``column`` holds one form (JSON text or a mapping); the output has
    :data:`COLUMNS`, one row per input row, in order. ``findings`` also reviews each form, for
    the counts by severity and the points at stake (otherwise those are 0 and null).
    """

    def __init__(
        self,
        *,
        column: str = "form",
        template: Template | None = None,
        search_path: Iterable[str | os.PathLike[str]] | None = None,
        findings: bool = True,
        name: str = "<frame>",
        **options: Any,
    ) -> None:
        from .review.batch import check_options

        self.column = column
        self.job = _score_job(template, search_path, "outcome")
        self.findings = findings
        self.name = name
        self.options = dict(options)
        if template is not None:
            self.options.setdefault("template", self.job.template)
        if search_path is not None:
            self.options.setdefault("search_path", self.job.search_path)
        check_options(self.options)

    def row(self, item: Any) -> tuple[Any, ...]:
        """The output row for one form."""
        outcome: Outcome = _score_one(self.job, item, self.name)
        ev = outcome.evaluation
        counts: dict[str, int] = {}
        stake: str | None = None
        if self.findings:
            review = _review_one(item, self.name, self.options)
            counts = dict(review.counts)
            stake = str(review.points_at_stake)
        error = None if outcome.ok else outcome.to_json_line().rstrip("\n")
        return (
            None if ev is None else ev.unit,
            None if ev is None else ev.year,
            None if ev is None else ev.template_id,
            None if ev is None else str(ev.total),
            None if ev is None else ev.grade,
            counts.get("error", 0),
            counts.get("warning", 0),
            counts.get("info", 0),
            stake,
            None if ev is None else ev.to_json(indent=None),
            error,
        )

    def frame(self, frame: Any) -> Any:
        """One pandas frame in, the result frame out (same index)."""
        import pandas as pd

        if self.column not in frame.columns:
            raise InputTypeError(
                f"数据表中没有列“{self.column}”",
                value=self.column,
                expected="、".join(str(c) for c in frame.columns),
            )
        rows = [self.row(item) for item in frame[self.column]]
        # Built column by column with explicit dtypes, so that null stays None (not NaN) and
        # Spark's Arrow conversion sees strings and integers only.
        columns = {
            name: pd.Series([row[i] for row in rows], index=frame.index, dtype=_DTYPES[name])
            for i, name in enumerate(COLUMNS)
        }
        return pd.DataFrame(columns, index=frame.index)

    def __call__(self, frames: Iterable[Any]) -> Iterator[Any]:
        for frame in frames:
            yield self.frame(frame)


_DTYPES = {
    name: ("int64" if name in ("errors", "warnings", "infos") else "object") for name in COLUMNS
}


def score_dataframe(
    df: Any,
    *,
    column: str = "form",
    template: Template | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    findings: bool = True,
    **options: Any,
) -> Any:
    """Score a DataFrame with one form per row (in ``column``): a frame of :data:`COLUMNS`.

    A pandas frame gives a pandas frame; a dask frame a dask frame (lazy, one task per
    partition, the scorer shipped once). ``findings`` and ``options`` as for
    :class:`FrameScorer`.
    """
    scorer = FrameScorer(
        column=column, template=template, search_path=search_path, findings=findings, **options
    )
    if hasattr(df, "map_partitions"):
        import pandas as pd
        from dask import delayed

        meta = pd.DataFrame({name: pd.Series(dtype=_DTYPES[name]) for name in COLUMNS})
        shared = delayed(scorer, pure=False)
        return df.map_partitions(_frame_partition, shared, meta=meta)
    return scorer.frame(df)


def _frame_partition(frame: Any, scorer: FrameScorer) -> Any:
    return scorer.frame(frame)
