"""``perfscore monitor FORM... --month 7``: 绩效运行监控 (mid-year monitoring, 财预〔2019〕136号).

Exit status as ``perfscore review``: 0 when no finding reaches ``--fail-on`` (default
``error``) and, with ``--fail-light LIGHT``, no project's light is that light or worse; 1
otherwise; 2 on usage errors (a month outside 1–12 too). The parser needs only the standard
library.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

__all__ = ["add_parser", "run"]


def _month(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--month 应为 1–12 的整数，而不是“{text}”") from None
    if not 1 <= value <= 12:
        raise argparse.ArgumentTypeError(f"--month 应为 1–12，而不是 {value}")
    return value


def add_parser(add: Callable[[str, Callable[[argparse.Namespace], int], str], Any]) -> None:
    """Register the command with ``perfscore.cli``'s ``add(name, func, help)``."""
    from .stage import add_stage_arguments

    p = add(
        "monitor",
        run,
        "绩效运行监控：按截至某月的完成值和预算执行数亮红、黄、绿、蓝灯（不看实际完成值和得分）",
    )
    p.add_argument(
        "--month", "-m", type=_month, required=True, metavar="M", help="监控截至的月份（1–12）"
    )
    p.add_argument(
        "--fail-light",
        metavar="LIGHT",
        help="有项目灯为该灯或更差时退出码为 1（灯的代码见模板 monitoring.order，如 red）",
    )
    add_stage_arguments(p, example_code="cause_missing")


def run(args: argparse.Namespace) -> int:
    from ..review.monitor import MonitorReport, monitor_source
    from ..review.monitor_render import monitor_workbook, render_monitor
    from ..review.monitor_rules import MONITOR_CATALOGUE
    from .stage import run_stage

    fail_light = args.fail_light

    def fails(report: MonitorReport) -> bool:
        if fail_light is None or fail_light not in report.order or report.project_light is None:
            return False
        return report.order.index(report.project_light) <= report.order.index(fail_light)

    return run_stage(
        args,
        command="monitor",
        verb="监控",
        catalogue=MONITOR_CATALOGUE,
        one=monitor_source,
        render=render_monitor,
        workbook=monitor_workbook,
        options={"month": args.month},
        fails=fails,
    )
