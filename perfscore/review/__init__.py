"""Review (复核): the reviewer and its checks, the review summary, the review renderers and the XLSX
workbook. The finding catalogue is ``core.findings``.

Imports: every stage up to render.

Review (复核): what a finance bureau checks in submitted self-evaluation forms.

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
and tolerances are in :data:`perfscore.core.findings.CATALOGUE`; a template's ``review:`` block and
the keyword arguments here (``disable``, ``tolerances``, ``severities``) override them.

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from ..build.load_any import DEFAULT_TABULAR_TEMPLATE
from .batch import (
    FORM_SUFFIXES,
    check_options,
    expand,
    load_template_ref,
    review_batch,
    review_form,
    review_source,
)
from .reports import CheckConfig, FormReview, Identity, ReviewConfig, ReviewedItem, RowAccount
from .summary import BatchReview, ReviewEntry, ReviewSummary

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
