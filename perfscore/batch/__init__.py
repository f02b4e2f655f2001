"""Batches: streams of forms scored or reviewed in order, in processes, with progress.

Imports: every stage up to review.

Streaming batches: many forms in, one outcome per form out, in input order, in constant memory.

::

    from perfscore.batch import iter_sources, score_jsonl, score_stream

    # files, folders (searched recursively), JSON Lines files and "-" (JSON Lines on stdin)
    for outcome in score_stream(iter_sources(["forms.jsonl", "submitted/"]), jobs=2):
        if outcome.ok:
            print(outcome.where, outcome.evaluation.total, outcome.evaluation.grade)
        else:
            for err in outcome.errors:
                print(err)

    # JSON Lines text in, JSON Lines text out: one result, or one error record, per form
    with open("forms.jsonl", encoding="utf-8") as lines:
        for out in score_jsonl(lines, file="forms.jsonl"):
            sys.stdout.write(out)

A JSON Lines record is one form as a JSON object, in the same shape as the YAML form (the
``kind: form`` mapping). Numbers in it are kept as their text, exactly as YAML values are
(``4073.53`` stays ``"4073.53"``, never a float); a line that is not JSON, or not an object,
becomes an error record located by file, line and column, and the batch goes on.

Memory does not grow with the number of forms: sources are read lazily (a ``.jsonl`` file line
by line), each template is built once per process, results are handed out as they are made and
never collected, and with ``jobs > 1`` at most a fixed number of chunks is read ahead (see
:func:`perfscore.engine.pool.ordered_map`). Summaries (:class:`ScoreSummary`) are counters.

Error record (one line of ``score_jsonl`` / ``perfscore score --format jsonl`` per failed form)::

    {"file": "forms.jsonl", "line": 7, "errors": [{"type": "SchemaError", "message": "…",
     "file": "forms.jsonl", "line": 7, "column": null, "indicator_path": […], "value": …,
     "expected": …, "hint": …}, …]}

``line`` is the line of the record in a JSON Lines file (``null`` for a form file); each entry
of ``errors`` is :meth:`perfscore.errors.PerfscoreError.to_dict`. A result line has no
``errors`` key (it is :meth:`perfscore.Evaluation.to_json` on one line).

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from ..read.sources import JSONL_SUFFIXES, SCORE_SUFFIXES, FormSource, iter_sources, parse_record
from .streams import (
    FailedOutcome,
    Outcome,
    ScoredOutcome,
    ScoreSummary,
    error_line,
    error_record,
    review_stream,
    score_jsonl,
    score_stream,
)

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
