"""Finding and caching templates: by id among the shipped ones, or by path beside a form.

A form's ``template:`` is either a path ending in ``.yaml``/``.yml`` (relative to the form's own
file) or a template id such as ``hunan/unit-self-evaluation``, looked up as ``<id>.yaml`` in the
directories given by the caller, then in the shipped ``indicators/``. Built templates are
cached by file and modification time, so a batch of forms builds each template once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ..errors import PerfscoreError, TemplateNotFoundError
from ..read.reader import suggest
from ..read.resources import indicators_dir
from ..read.yaml import load_yaml, open_error
from ..read.yaml_document import DEFAULT_LIMITS, Document, Limits
from .extend import resolve_extends
from .form import _sub_document
from .model import Template
from .template import build_template

__all__ = ["TemplateLibrary", "collect_templates", "default_library"]


#: A template file as it was read: (resolved path, modification time in ns, size).
_Version = tuple[str, int, int]
# The base files loaded while a template is being built (extends), so that its cache entry
# can tell when one of them changes.
_BUILDING: ContextVar[list[_Version] | None] = ContextVar("perfscore_building", default=None)


def _note(here: _Version, bases: Iterable[_Version]) -> None:
    """Tell the build that loaded this file (if any) that it depends on it and its bases."""
    outer = _BUILDING.get()
    if outer is not None:
        outer.append(here)
        outer.extend(bases)


def _unchanged(version: _Version) -> bool:
    path, mtime, size = version
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return (stat.st_mtime_ns, stat.st_size) == (mtime, size)


class TemplateLibrary:
    """Resolves template references and caches built templates (thread-safe)."""

    def __init__(
        self, search_path: Iterable[str | os.PathLike[str]] = (), *, limits: Limits | None = None
    ) -> None:
        self.search_path = [Path(p) for p in search_path]
        self.limits = limits
        #: resolved path → (its version, the versions of the bases it extends, the template):
        #: one entry per file, so a template edited many times is not kept once per edit.
        self._cache: dict[str, tuple[_Version, tuple[_Version, ...], Template]] = {}
        self._lock = threading.Lock()

    def directories(self) -> list[Path]:
        return [*self.search_path, indicators_dir()]

    def shipped_ids(self) -> list[str]:
        """Ids of every template found in the search path (``<dir>/<id>.yaml``)."""
        ids: list[str] = []
        for base in self.directories():
            if base.is_dir():
                ids.extend(
                    p.relative_to(base).with_suffix("").as_posix() for p in _yaml_files(base)
                )
        return sorted(set(ids))

    def find(self, ref: str, *, relative_to: str | None = None) -> Path:
        """The file for a template reference; TemplateNotFoundError with a close match otherwise."""
        if ref.endswith((".yaml", ".yml")):
            base = (
                Path(relative_to).parent
                if relative_to and not relative_to.startswith("<")
                else Path.cwd()
            )
            path = (base / ref) if not Path(ref).is_absolute() else Path(ref)
            if path.is_file():
                return path
            raise TemplateNotFoundError(
                f"找不到模板文件“{ref}”", value=ref, expected=f"相对于表单所在目录 {base} 的路径"
            )
        for base in self.directories():
            path = base / f"{ref}.yaml"
            if path.is_file():
                return path
        raise TemplateNotFoundError(
            f"找不到编号为“{ref}”的模板",
            value=ref,
            expected="indicators/ 下的模板编号，或以 .yaml 结尾的模板文件路径",
            hint=suggest(ref, self.shipped_ids()),
        )

    def load(self, path: str | os.PathLike[str]) -> Template:
        """Build (or take from the cache) the template in ``path``.

        A cached template is used while its file, and every base file it extends, is
        unchanged (same modification time and size).
        """
        p = Path(path)
        try:
            stat = p.stat()
        except (OSError, ValueError) as exc:
            reason = open_error(str(path), exc).message
            raise TemplateNotFoundError(f"无法读取模板文件：{reason}", file=str(path)) from exc
        here: _Version = (str(p.resolve()), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(here[0])
        if cached is not None and cached[0] == here and all(map(_unchanged, cached[1])):
            _note(here, cached[1])
            return cached[2]
        bases: list[_Version] = []
        token = _BUILDING.set(bases)  # the bases this build loads note themselves here
        try:
            template = self.build(load_yaml(p, limits=self.limits or DEFAULT_LIMITS))
        finally:
            _BUILDING.reset(token)
        with self._lock:
            self._cache[here[0]] = (here, tuple(bases), template)
        _note(here, bases)
        return template

    def build(self, doc: Document) -> Template:
        """Build a template document, merging it onto its base when it ``extends`` one."""
        return build_template(resolve_extends(doc, self))

    def resolve(
        self, ref: str | Mapping[str, Any], doc: Document, at: tuple[str | int, ...]
    ) -> Template:
        """The resolver :func:`build_form` calls for a form's ``template:``: an id, a path, or an
        inline template (built as a template file is, its ``extends`` included)."""
        if isinstance(ref, Mapping):
            return self.build(_sub_document(doc, at))
        try:
            template = self.load(self.find(ref, relative_to=doc.file))
        except PerfscoreError as err:
            line, column = doc.locate(at)
            if err.file is not None and err.file != doc.file:
                # A problem of the template file itself: the form's line would be misplaced there;
                # each error (ValidationErrors prints its errors, not its own hint) says who used it.
                if line is not None:
                    for each in getattr(err, "errors", None) or (err,):
                        if each.hint is None:
                            each.hint = f"模板由 {doc.file} 第 {line} 行引用"
                raise err from None
            raise err.located(file=doc.file, line=line, column=column) from None
        if not ref.endswith((".yaml", ".yml")) and template.id != ref:
            line, column = doc.locate(at)
            raise TemplateNotFoundError(
                f"模板文件中的 id 为“{template.id}”，与引用的“{ref}”不一致",
                file=doc.file,
                line=line,
                column=column,
                value=ref,
            )
        return template


_default = TemplateLibrary()


def default_library() -> TemplateLibrary:
    """The library used when none is given: shipped templates only."""
    return _default


def collect_templates(
    paths: Sequence[str], search_path: Sequence[str | os.PathLike[str]] = ()
) -> tuple[TemplateLibrary, list[Path]]:
    """Template files named by path, id or directory, each once, in the order given.

    Directories are searched recursively and their forms skipped; they are also searched by id,
    so templates in a directory can extend each other. A file that cannot be read counts as a
    template (the caller reports why it does not build). Raises TemplateNotFoundError for an
    unknown id or file, a file named explicitly that is not a template, or when nothing is found.
    """
    dirs = [p for p in paths if os.path.isdir(p)]
    library = TemplateLibrary([*search_path, *dirs])
    found: dict[Path, Path] = {}
    for p in paths:
        if os.path.isdir(p):
            for f in _yaml_files(Path(p), (".yaml", ".yml")):
                if _is_template(f):
                    found.setdefault(f.resolve(), f)
        elif os.path.isfile(p):
            if not _is_template(Path(p)):
                raise TemplateNotFoundError(f"“{p}”不是模板文件（kind: template）", file=p)
            found.setdefault(Path(p).resolve(), Path(p))
        else:
            path = library.find(p)
            found.setdefault(path.resolve(), path)
    if not found:
        raise TemplateNotFoundError("没有找到模板文件（kind: template）")
    return library, list(found.values())


def _is_template(path: Path) -> bool:
    try:
        data = load_yaml(path).data
    except PerfscoreError:
        return True
    return isinstance(data, Mapping) and data.get("kind") == "template"


def _yaml_files(base: Path, suffixes: tuple[str, ...] = (".yaml",)) -> list[Path]:
    """Regular files ending in ``suffixes`` below ``base``, sorted as ``rglob`` sorts them;
    walked iteratively with a depth limit (a folder 1,500 deep is no RecursionError)."""
    from ..read.fsguard import walk

    return [Path(f) for f in walk(str(base)) if isinstance(f, str) and f.endswith(suffixes)]
