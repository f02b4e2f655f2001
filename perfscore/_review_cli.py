"""``perfscore review``: placeholder until the review module lands (issue 5)."""

from __future__ import annotations

import argparse

__all__ = ["add_review_arguments", "run_review"]


def add_review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("forms", nargs="+", metavar="FORM")


def run_review(args: argparse.Namespace) -> int:
    raise SystemExit("perfscore review 尚未实现")
