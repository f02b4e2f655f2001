"""The exceptions perfscore raises, and nothing else.

Every error carries where it happened and what was wrong as attributes, not only in its
message, so an application can show them its own way::

    file            the file name ("<string>" for text passed in directly), or None
    line, column    1-based position in that file, or None
    indicator_path  the indicator's path, e.g. ("产出指标", "数量指标", "法制宣传活动场次")
    value           the offending value, as found
    expected        what was expected (a short Chinese phrase), or None
    hint            a suggestion, e.g. the close match of a misspelt name, or None

All of them subclass :class:`PerfscoreError`, which subclasses :class:`ValueError`.
Where several problems are found at once, :class:`ValidationErrors` carries them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "BuildError",
    "EvaluationError",
    "FormulaError",
    "InputTypeError",
    "LoadError",
    "PerfscoreError",
    "SchemaError",
    "TargetSyntaxError",
    "TemplateNotFoundError",
    "UnitError",
    "ValidationErrors",
    "flatten",
    "format_path",
    "internal_error",
]

PATH_SEPARATOR = " › "


def format_path(path: Sequence[str]) -> str:
    """Join an indicator path the way messages show it: ``产出指标 › 数量指标 › 场次``."""
    return PATH_SEPARATOR.join(str(p) for p in path)


class PerfscoreError(ValueError):
    """Base class of every error perfscore raises through its public API."""

    #: Short Chinese name of the error kind, shown before the message.
    kind = "错误"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        indicator_path: Sequence[str] = (),
        value: Any = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.indicator_path: tuple[str, ...] = tuple(indicator_path)
        self.value = value
        self.expected = expected
        self.hint = hint

    # Errors are created deep down and located on the way up; these helpers keep that cheap.
    def located(
        self,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        indicator_path: Sequence[str] | None = None,
    ) -> PerfscoreError:
        """Fill in location attributes that are still unknown; returns ``self``."""
        if self.file is None and file is not None:
            self.file = file
        if self.line is None and line is not None:
            self.line = line
            self.column = column
        if not self.indicator_path and indicator_path:
            self.indicator_path = tuple(indicator_path)
        return self

    @property
    def location(self) -> str:
        """``file:line:col`` (as much of it as is known), or an empty string."""
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def detail(self) -> str:
        """The message with the expected/found values and the hint, without location."""
        text = self.message
        if self.expected is not None:
            found = "" if self.value is None else f"，实际为“{_short(self.value)}”"
            text += f"（应为{self.expected}{found}）"
        if self.hint:
            text += f"。{self.hint}"
        return text

    def __str__(self) -> str:
        head = self.location
        if self.indicator_path:
            head = (
                f"{head}: {format_path(self.indicator_path)}"
                if head
                else format_path(self.indicator_path)
            )
        return f"{head}: {self.detail()}" if head else self.detail()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (used by ``--format json`` of validate and review)."""
        return {
            "type": type(self).__name__,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "indicator_path": list(self.indicator_path),
            "value": None if self.value is None else _short(self.value),
            "expected": self.expected,
            "hint": self.hint,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not pickle by default; errors cross process pools.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[PerfscoreError], message: str, state: dict[str, Any]) -> PerfscoreError:
    err = cls.__new__(cls)
    ValueError.__init__(err, message)
    err.__dict__.update(state)
    return err


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LoadError(PerfscoreError):
    """A file could not be read as strict YAML: encoding, size, syntax, anchors, duplicates."""

    kind = "读取错误"


class SchemaError(PerfscoreError):
    """The document does not follow the JSON Schema (wrong key, wrong type, missing field)."""

    kind = "格式错误"


class TargetSyntaxError(PerfscoreError):
    """A target or value string cannot be read.

    ``text`` is the string and ``span`` the (start, end) character range of the problem;
    ``str()`` shows the string with a caret under it and lists the accepted spellings.
    """

    kind = "指标值无法识别"

    def __init__(
        self,
        message: str,
        *,
        text: str = "",
        span: tuple[int, int] = (0, 0),
        accepted: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("value", text)
        super().__init__(message, **kwargs)
        self.text = text
        self.span = span
        self.accepted = accepted

    def caret(self) -> str:
        """Two lines: the text, and ``~~~^`` under the problem (wide characters count 2)."""
        from .text.width import display_width

        start, end = self.span
        pad = display_width(self.text[:start])
        width = max(1, display_width(self.text[start:end]))
        return f"    {self.text}\n    {' ' * pad}{'~' * (width - 1)}^"

    def detail(self) -> str:
        text = super().detail()
        if self.text:
            text += "\n" + self.caret()
        if self.accepted:
            text += f"\n    可用写法：{self.accepted}"
        return text


class UnitError(PerfscoreError):
    """Two values in different unit families were compared (元 against 次, % against 个)."""

    kind = "单位不一致"


class BuildError(PerfscoreError):
    """The indicator system is inconsistent: weights, names, rules, bands, references."""

    kind = "指标体系错误"


class FormulaError(BuildError):
    """A formula is not allowed, cannot be parsed, or failed when evaluated."""

    kind = "公式错误"


class EvaluationError(PerfscoreError):
    """Scoring could not be completed (e.g. a missing actual under the ``error`` policy)."""

    kind = "计分错误"


class TemplateNotFoundError(PerfscoreError, LookupError):
    """A form names a template that is neither a shipped id nor an existing file."""

    kind = "找不到模板"


class InputTypeError(PerfscoreError, TypeError):
    """The Python API was given a value of a type it does not accept (e.g. a float score)."""

    kind = "参数类型错误"


class ValidationErrors(PerfscoreError):
    """Several problems found at once; ``errors`` holds each of them, in document order."""

    kind = "校验未通过"

    def __init__(self, errors: Iterable[PerfscoreError], *, file: str | None = None) -> None:
        self.errors: tuple[PerfscoreError, ...] = tuple(errors)
        count = len(self.errors)
        super().__init__(f"发现 {count} 个问题", file=file)

    def __str__(self) -> str:
        lines = [f"{self.message}："]
        lines.extend(f"  {i}. {err}" for i, err in enumerate(self.errors, 1))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["errors"] = [e.to_dict() for e in self.errors]
        return data


def flatten(err: PerfscoreError) -> tuple[PerfscoreError, ...]:
    """The single errors of ``err``: its ``errors`` for :class:`ValidationErrors`, else itself."""
    return err.errors if isinstance(err, ValidationErrors) else (err,)


def internal_error(
    exc: BaseException, *, doing: str, file: str | None, line: int | None = None
) -> PerfscoreError:
    """A program defect met while ``doing`` (计分, 复核) one form of a batch, as an error of that
    form: the batch goes on, and the reader learns it is not their form's fault."""
    return PerfscoreError(
        f"{doing}时出现内部错误（{type(exc).__name__}：{exc}）",
        file=file,
        line=line,
        hint="这不是表单填写的问题，而是程序缺陷；请把这份表单和本条信息发给技术支持",
    )
