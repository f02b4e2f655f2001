"""examples/embed.py is documentation: it must keep running."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

import perfscore

ROOT = Path(__file__).resolve().parent.parent


def test_embed_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "embed.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "总分 99.69，等级 优" in out
    assert "已拒绝" in out


def test_public_names_exist() -> None:
    for name in perfscore.__all__:
        assert hasattr(perfscore, name), name
