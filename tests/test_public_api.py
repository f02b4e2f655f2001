"""The public API does not move (issue 12): every name below imports from the module it is listed
under, and each module's ``__all__`` still lists all of them.

The lists are copied from the modules as they were before the package was split into stage
subpackages. A name may be ADDED to a module (add it here too); a name that disappears or moves
is a breaking change for users, and this test says which.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PUBLIC: dict[str, list[str]] = {
    "perfscore": [
        "Actual", "Document", "Evaluation", "ExampleOutcome", "Finding", "Form", "FormulaLimits",
        "GroupResult", "LeafResult", "Limits", "PerfscoreError", "Quantity", "Target",
        "Template", "TemplateLibrary", "ValidationErrors", "__version__", "check_template",
        "errors", "evaluate", "formula_limits", "load_form", "load_template", "loads_form",
        "loads_template", "parse_actual", "parse_quantity", "parse_target", "score", "validate",
    ],
    "perfscore.review": [
        "DEFAULT_TABULAR_TEMPLATE", "FORM_SUFFIXES", "BatchReview", "CheckConfig", "FormReview",
        "Identity", "ReviewConfig", "ReviewEntry", "ReviewSummary", "ReviewedItem", "RowAccount",
        "check_options", "expand", "load_template_ref", "review_batch", "review_form",
        "review_source",
    ],
    "perfscore.batch": [
        "JSONL_SUFFIXES", "SCORE_SUFFIXES", "FormSource", "Outcome", "ScoreSummary",
        "error_line", "error_record", "iter_sources", "parse_record", "review_stream",
        "score_jsonl", "score_stream",
    ],
    "perfscore.strategies": [
        "FAMILIES", "QUALITATIVE_WORDS", "actuals", "comparators", "forms", "fullwidth",
        "numbers", "quantities", "targets", "units",
    ],
    "perfscore.targets": [
        "ACCEPTED_TARGETS", "COMPARATORS", "MISSING_TEXTS", "NOT_APPLICABLE_TEXTS", "OPS",
        "Actual", "Interval", "Quantity", "Target", "intervals_gap_or_overlap", "parse_actual",
        "parse_interval", "parse_number", "parse_quantity", "parse_target",
        "parse_target_parts", "same_family",
    ],
    "perfscore.errors": [
        "BuildError", "EvaluationError", "FormulaError", "InputTypeError", "LoadError",
        "PerfscoreError", "SchemaError", "TargetSyntaxError", "TemplateNotFoundError",
        "UnitError", "ValidationErrors", "flatten", "format_path", "internal_error",
    ],
    "perfscore.model": [
        "Computed", "Form", "Grade", "Group", "InputSpec", "Leaf", "Node", "OverAchievement",
        "Position", "Rounding", "Rule", "Template", "TemplateNode",
    ],
    "perfscore.result": [
        "STATUSES", "Evaluation", "Finding", "GroupResult", "LeafResult", "NodeResult",
    ],
    "perfscore.render": ["FORMATS", "render", "render_explain"],
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_every_public_name_imports(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in PUBLIC[module] if not hasattr(mod, name)]
    assert missing == [], f"{module} no longer has {missing}"
    dropped = [name for name in PUBLIC[module] if name not in mod.__all__]
    assert dropped == [], f"{module}.__all__ no longer lists {dropped} (names may only be added)"


def test_the_same_object_from_every_public_path() -> None:
    """A class re-exported by two public modules is one class (isinstance keeps working)."""
    import perfscore
    from perfscore import model, result, targets

    pass
    pass
    pass

    assert perfscore.Template is model.Template
    assert perfscore.Evaluation is result.Evaluation
    assert perfscore.Quantity is targets.Quantity
    assert perfscore.PerfscoreError is perfscore.errors.PerfscoreError


def test_command_entry_points() -> None:
    """``perfscore.cli:main`` (the installed script) and ``python -m perfscore``."""
    from perfscore.cli import main

    assert callable(main)
    done = subprocess.run(
        [sys.executable, "-m", "perfscore", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("perfscore ")
