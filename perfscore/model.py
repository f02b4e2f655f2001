"""The built indicator system: a template, and a form bound to its template.

Everything here is produced by :func:`perfscore.load_template` / :func:`perfscore.load_form`
after validation; all numbers are ``Decimal``, all targets parsed, all formulas compiled.
Instances are frozen (no attribute can be reassigned), picklable and safe to share between
threads. The mappings they hold (``inputs``, ``budget``, ``review``, ``data`` …) are read-only
(:class:`perfscore.text.frozen.FrozenMap`, equal to a dict of the same items; lists become
tuples): a built template hands out nothing that can be changed.

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from .build.model import (
    Computed,
    Form,
    Grade,
    Group,
    InputSpec,
    Leaf,
    Node,
    OverAchievement,
    Position,
    Rounding,
    Rule,
    Template,
    TemplateNode,
)

__all__ = [
    "Computed",
    "Form",
    "Grade",
    "Group",
    "InputSpec",
    "Leaf",
    "Node",
    "OverAchievement",
    "Position",
    "Rounding",
    "Rule",
    "Template",
    "TemplateNode",
]
