"""Where perfscore's data files are: the JSON Schemas and the shipped templates.

A wheel carries them inside the package (``perfscore/_data/schemas`` and
``perfscore/_data/indicators``, see ``force-include`` in pyproject.toml); a checkout keeps
them at the top of the repository (``<repo>/schemas``, ``<repo>/indicators``). The installed
location wins, so an installed perfscore never reads a stray checkout next to it.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any, Final

from ..errors import PerfscoreError

__all__ = ["SCHEMA_NAMES", "indicators_dir", "load_schema", "schema_path", "schemas_dir"]

#: The schemas perfscore ships, by short name.
SCHEMA_NAMES: Final = ("template", "form", "result")

#: The perfscore package directory, counted up from this module's dotted name, so that it stays
#: right wherever in the package this module lives (perfscore.read.resources, perfscore.read.resources).
_PACKAGE: Final = Path(__file__).resolve().parents[__name__.count(".") - 1]


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise PerfscoreError(
        f"找不到 perfscore 的数据目录“{name}”，安装可能不完整",
        value=str(_PACKAGE / "_data" / name),
        hint="请重新安装 perfscore",
    )


@functools.cache
def schemas_dir() -> Path:
    """The directory holding ``template.schema.json``, ``form.schema.json``, …."""
    return _data_dir("schemas")


@functools.cache
def indicators_dir() -> Path:
    """The directory holding the shipped templates (``indicators/<id>.yaml``)."""
    return _data_dir("indicators")


def schema_path(name: str) -> Path:
    """Path of the schema called ``name`` (one of :data:`SCHEMA_NAMES`)."""
    if name not in SCHEMA_NAMES:
        raise PerfscoreError(
            f"没有名为“{name}”的模式",
            value=name,
            expected="、".join(SCHEMA_NAMES) + "之一",
        )
    return schemas_dir() / f"{name}.schema.json"


@functools.cache
def _load(name: str) -> dict[str, Any]:
    path = schema_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PerfscoreError(
            f"无法读取模式文件（{exc}）", file=str(path), hint="请重新安装 perfscore"
        ) from exc
    if not isinstance(data, dict):
        raise PerfscoreError("模式文件的顶层不是 JSON 对象", file=str(path))
    return data


def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``name`` (template, form or result).

    Read once and cached; each call returns a fresh deep copy, so callers may change it.
    """
    return copy.deepcopy(_load(name))


def _shared_schema(name: str) -> dict[str, Any]:
    """The cached schema itself, for perfscore's own read-only use (validators, registry)."""
    return _load(name)
