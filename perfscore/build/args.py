"""Checking the arguments the public functions share (``search_path``, ``template``).

One place, so that ``perfscore.load_form`` and ``perfscore.batch`` refuse the same mistakes
with the same words, and share one template library (one template cache) per search path.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import InputTypeError

if TYPE_CHECKING:
    from .library import TemplateLibrary
    from .model import Template

__all__ = ["module", "search_dirs", "search_library", "template_arg"]

_MODULES: dict[str, ModuleType] = {}


def module(name: str) -> ModuleType:
    """The perfscore submodule ``name`` (``"._build"``), imported on first use and then kept:
    an import statement in a function called once per form costs more than the work around
    it, and importing at the top would slow every command's start."""
    found = _MODULES.get(name)
    if found is None:
        found = _MODULES[name] = importlib.import_module(name, "perfscore")
    return found


def search_dirs(search_path: Iterable[str | os.PathLike[str]] | None) -> tuple[str, ...] | None:
    """The directories of ``search_path`` as absolute paths (``None`` when not given)."""
    if search_path is None:
        return None
    # A lone str is iterable too: it would silently become one directory per character.
    if isinstance(search_path, str | bytes | os.PathLike) or not isinstance(search_path, Iterable):
        raise InputTypeError(
            f"search_path 应为目录的列表，而不是 {type(search_path).__name__}",
            value=repr(search_path)[:80],
            expected='目录路径的列表，如 ["my-templates"]',
        )
    dirs = list(search_path)
    for item in dirs:
        if not isinstance(item, str | os.PathLike):
            raise InputTypeError(
                f"search_path 中的目录应为 str 或 Path，而不是 {type(item).__name__}",
                value=repr(item)[:80],
                expected="str 或 os.PathLike",
            )
    return tuple(os.path.abspath(os.fspath(d)) for d in dirs)


def search_library(search_path: Iterable[str | os.PathLike[str]] | None) -> TemplateLibrary:
    """The library for ``search_path``: the shipped templates only when it is ``None``."""
    dirs = search_dirs(search_path)
    if dirs is None:
        return _default_library()()
    return _library_for(dirs)


# Imported on first use (cold start), then kept: an import statement in a function called for
# every form of a batch costs more than the work around it.
@functools.cache
def _default_library() -> Callable[[], TemplateLibrary]:
    from .library import default_library

    return default_library


@functools.cache
def _template_type() -> type[Template]:
    from .model import Template

    return Template


@functools.lru_cache(maxsize=32)
def _library_for(dirs: tuple[str, ...]) -> TemplateLibrary:
    """One library (and so one template cache) per search path: a batch of load_form calls
    with the same search_path builds each template once (the cache checks file times)."""
    from .library import TemplateLibrary

    return TemplateLibrary(dirs)


def template_arg(template: Template | None) -> Template | None:
    """``template`` when it is a built Template or None; InputTypeError otherwise."""
    if template is None or isinstance(template, _template_type()):
        return template
    raise InputTypeError(
        f"template 参数应为已读取的模板（Template），而不是 {type(template).__name__}",
        value=repr(template)[:80],
        expected="perfscore.load_template(...) 的结果，或不传（按表单的 template: 查找）",
    )
