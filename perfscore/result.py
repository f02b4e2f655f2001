"""The result of evaluating a form: an immutable tree mirroring the indicator tree.

Every leaf says which rule and which line of it fired, the numbers, the score before and after
rounding, a status, flags and one Chinese sentence with the arithmetic. ``to_dict()`` gives the
JSON shape documented by ``schemas/result.schema.json``; ``to_json()`` is byte-identical for
identical input.

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from .core.result import STATUSES, Evaluation, Finding, GroupResult, LeafResult, NodeResult

__all__ = ["STATUSES", "Evaluation", "Finding", "GroupResult", "LeafResult", "NodeResult"]
