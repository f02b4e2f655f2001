"""Shared machinery of the hostile-input suite.

A :class:`Case` is one hostile input: the files it writes, what is done with them (load a
template, load and score a form, or run a callable) and the error expected: its EXACT class
(``type(err) is cls``, not a subclass) and its location: a file and a line (the line given as
a number, or as a marker string whose first occurrence in the file gives the line), and/or an
indicator path. Every list of cases is also run by ``test_no_escape.py`` (no exception outside
``perfscore.errors`` escapes) and, when it is file-based, through ``perfscore validate``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import perfscore
from perfscore.errors import PerfscoreError, ValidationErrors

__all__ = [
    "FORM_HEAD",
    "SIMPLE_TEMPLATE",
    "Case",
    "all_errors",
    "check_case",
    "expect",
    "form_text",
    "ids",
    "leaf_line",
    "line_of",
    "run_case",
    "with_template",
]

#: A small template with one open group (no fixed weight) and the usual rules, and one
#: declared input and computed value. Forms reference it as ``template: template.yaml``.
SIMPLE_TEMPLATE = """\
kind: template
id: test/hostile
name: 对抗测试模板
total: 100
missing: zero
inputs:
  编制数: {unit: 人}
  实际在职人数: {unit: 人}
computed:
  在职人员控制率: {formula: 实际在职人数 / 编制数, unit: "%"}
rules:
  正向: {kind: ratio, direction: positive}
  反向: {kind: ratio, direction: reverse, reverse: target_over_actual}
  等值: {kind: ratio, direction: equal}
  三档:
    kind: tiers
    pick: top
    tiers:
      - {name: 达成, range: "[80%, 100%]", words: [达成, 已完成]}
      - {name: 部分达成, range: "[60%, 80%)", words: [部分达成]}
      - {name: 未达成, range: "[0, 60%)", words: [未达成]}
defaults: {">=": 正向, ">": 正向, "<=": 反向, "<": 反向, "=": 等值, range: 正向, 定性: 三档}
indicators:
  - {name: 指标, open: true}
"""

FORM_HEAD = """\
kind: form
template: template.yaml
unit: 测试单位
year: 2023
indicators:
  指标:
"""


def form_text(*leaves: str, head: str = FORM_HEAD, tail: str = "") -> str:
    """A form whose leaves (flow mappings, one a line) sit under the open group ``指标``."""
    body = "".join(f"    - {leaf}\n" for leaf in leaves)
    return head + body + tail


def leaf_line(index: int = 0, head: str = FORM_HEAD) -> int:
    """The 1-based line of leaf ``index`` written by :func:`form_text`."""
    return head.count("\n") + 1 + index


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first occurrence of ``marker`` in ``text``."""
    index = text.index(marker)
    return text.count("\n", 0, index) + 1


def all_errors(err: PerfscoreError) -> list[PerfscoreError]:
    """The errors inside a ValidationErrors, or the error itself."""
    return list(err.errors) if isinstance(err, ValidationErrors) else [err]


def _describe(errors: Iterable[PerfscoreError]) -> str:
    return "\n".join(
        f"  {type(e).__name__} file={e.file} line={e.line} path={e.indicator_path}: {e.message}"
        for e in errors
    )


def expect(
    err: PerfscoreError,
    cls: type[PerfscoreError],
    *,
    file: str | None = None,
    line: int | None = None,
    path: Sequence[str] | None = None,
    message: str | None = None,
    no_line: bool = False,
) -> PerfscoreError:
    """The error in ``err`` of exactly class ``cls`` at this location; fails otherwise.

    ``file`` is compared by its last part (the name written in the case), ``line`` exactly,
    ``path`` as the indicator path, ``message`` as a substring of the message (or hint).
    ``no_line`` demands that the error has no line (file-level problems: size, encoding).
    """
    errors = all_errors(err)
    for e in errors:
        if type(e) is not cls:
            continue
        if file is not None and (e.file is None or Path(e.file).name != Path(file).name):
            continue
        if line is not None and e.line != line:
            continue
        if no_line and e.line is not None:
            continue
        if path is not None and e.indicator_path != tuple(path):
            continue
        if message is not None and message not in f"{e.message} {e.hint or ''}":
            continue
        return e
    wanted = f"{cls.__name__} file={file} line={line} path={path} message={message!r}"
    raise AssertionError(f"expected {wanted}; got:\n{_describe(errors)}")


Action = Callable[[Path], Any]


@dataclass(frozen=True)
class Case:
    """One hostile input and the located error it must give.

    ``files`` maps names to contents (str is written as UTF-8, bytes as is); ``entry`` is the
    file the action reads; ``action`` is ``"form"`` (load and score a form), ``"template"``
    (build a template) or a callable taking the directory. ``line`` is an int or a marker
    string looked up in ``files[file or entry]``. At least one of ``line``/``path``/``no_line``
    must be given, so that every case asserts a location.
    """

    id: str
    error: type[PerfscoreError]
    files: dict[str, str | bytes] = field(default_factory=dict)
    entry: str = "form.yaml"
    action: str | Action = "form"
    file: str | None = None
    line: int | str | None = None
    path: tuple[str, ...] | None = None
    message: str | None = None
    no_line: bool = False
    #: Also run the entry file through ``perfscore validate`` (file cases only).
    cli: bool = True

    def __post_init__(self) -> None:
        if self.line is None and self.path is None and not self.no_line:
            raise ValueError(f"case {self.id} asserts no location")

    @property
    def located_file(self) -> str | None:
        if not self.files and callable(self.action):
            return self.file
        return self.file or self.entry

    def write(self, directory: Path) -> Path:
        for name, content in self.files.items():
            target = directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_bytes(content.encode("utf-8"))
        return directory / self.entry

    def expected_line(self) -> int | None:
        if isinstance(self.line, str):
            name = self.located_file
            assert name is not None, self.id
            content = self.files[name]
            text = content if isinstance(content, str) else content.decode("utf-8", "replace")
            return line_of(text, self.line)
        return self.line


def with_template(form: str, template: str = SIMPLE_TEMPLATE) -> dict[str, str | bytes]:
    """Files for a form (``form.yaml``) beside the simple template (``template.yaml``)."""
    return {"template.yaml": template, "form.yaml": form}


def run_case(case: Case, directory: Path) -> Any:
    """Do what the case does; returns its result or raises what it raises."""
    entry = case.write(directory)
    if callable(case.action):
        return case.action(directory)
    if case.action == "template":
        return perfscore.load_template(entry)
    if case.action == "form":
        return perfscore.evaluate(perfscore.load_form(entry))
    raise AssertionError(f"unknown action {case.action}")  # pragma: no cover


def check_case(case: Case, directory: Path) -> PerfscoreError:
    """Run the case and assert its located error; returns the error found."""
    try:
        result = run_case(case, directory)
    except PerfscoreError as err:
        located = case.located_file
        return expect(
            err,
            case.error,
            file=None if located is None else str(directory / located),
            line=case.expected_line(),
            path=case.path,
            message=case.message,
            no_line=case.no_line,
        )
    raise AssertionError(f"{case.id}: no error raised; got {result!r:.200}")


def ids(cases: Sequence[Case]) -> list[str]:
    return [c.id for c in cases]
