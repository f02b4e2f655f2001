"""Output of a score: text, Markdown, CSV, JSON, the template view (``perfscore show``) and atomic
file writing. (Later: HTML, DOCX.)

Imports: text, core, read, rules, build, engine.

Rendering an :class:`~perfscore.result.Evaluation`: text table, Markdown, CSV, JSON, explain.

The text table aligns Chinese characters (two columns each) and fits the terminal's width by
shortening the free-text columns; CSV is UTF-8 with a BOM so Excel opens it correctly.

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from .evaluation import FORMATS, render, render_explain

__all__ = ["FORMATS", "render", "render_explain"]
