"""``perfscore targets FORM...``: 绩效目标审核 (target review before the budget is approved).

Exit status as ``perfscore review``: 0 when no finding reaches ``--fail-on`` (default
``error``), 1 otherwise, 2 on usage errors. The parser needs only the standard library.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(add: Callable[[str, Callable[[argparse.Namespace], int], str], Any]) -> None:
    """Register the command with ``perfscore.cli``'s ``add(name, func, help)``."""
    from .stage import add_stage_arguments

    p = add(
        "targets",
        run,
        "绩效目标审核：检查申报表中绩效目标的完整性、可衡量性和适当性（不看完成值和得分）",
    )
    add_stage_arguments(p, example_code="target_vague")


def run(args: argparse.Namespace) -> int:
    from ..review.target_review import targets_source
    from ..review.target_review_render import render_targets, targets_workbook
    from ..review.target_review_rules import TARGET_CATALOGUE
    from .stage import run_stage

    return run_stage(
        args,
        command="targets",
        verb="审核",
        catalogue=TARGET_CATALOGUE,
        one=targets_source,
        render=render_targets,
        workbook=targets_workbook,
        options={},
    )
