"""The ``perfscore`` command: one module per command, each exposing its parser and
``cmd_*``/``run`` function; ``perfscore.cli:main`` is the entry point.

Imports: everything (command modules import what they use inside the command, so ``perfscore
score`` stays fast to start).

The ``perfscore`` command.

Exit status: 0 success, 1 invalid input (or findings at the chosen severity), 2 usage errors.
Messages about the user's data are in Chinese; option names are English.

Only the standard library pieces argument parsing needs and :mod:`perfscore.errors` are
imported here: each command imports what it uses, so ``perfscore score FORM`` in a fresh
process loads neither the review, the spreadsheet reader nor hypothesis.

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["build_parser", "main"]
