"""Where a batch's forms come from: files, folders, JSON Lines files and standard input.

:func:`iter_sources` expands what the user named into a lazy stream of :class:`FormSource`,
in a stable order, one per form; a JSON Lines record carries its text and line, and what
cannot be read (a folder with no form, an undecodable or over-long line) is a source with a
located ``problem`` rather than an exception, so the batch goes on. Public through
:mod:`perfscore.batch`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import attrs

from ..errors import LoadError, PerfscoreError
from .fsguard import WalkProblem, head, open_regular, shown_name, walk
from .yaml import open_error
from .yaml_document import DEFAULT_LIMITS

if TYPE_CHECKING:
    from .yaml_document import Limits

__all__ = [
    "JSONL_SUFFIXES",
    "SCORE_SUFFIXES",
    "STDIN",
    "FormSource",
    "iter_sources",
    "parse_record",
]

#: File endings read as JSON Lines (one form per line).
JSONL_SUFFIXES: Final = (".jsonl",)
#: File endings a folder is searched for by :func:`iter_sources` (``perfscore score``).
SCORE_SUFFIXES: Final = (".yaml", ".yml", ".json", ".jsonl")
_YAML_SUFFIXES: Final = (".yaml", ".yml")
_JSON_SUFFIXES: Final = (".json", ".jsonl")
#: Name of standard input in locations.
STDIN: Final = "<stdin>"
_TEMPLATE_LINE: Final = re.compile(r"^kind:\s*template\s*$", re.MULTILINE)


# ====================================================================== sources


@attrs.frozen(slots=True)
class FormSource:
    """Where one form comes from: a form file, or one record of a JSON Lines file.

    ``file`` is the path (``"<stdin>"`` for standard input); ``line`` the 1-based line of a
    JSON Lines record (None for a whole file); ``text`` the record's JSON text (None: read
    ``file``); ``problem`` why the record or file could not be read at all (too long, not
    UTF-8, a folder without forms), in which case there is nothing to score.
    """

    file: str
    line: int | None = None
    text: str | None = None
    problem: PerfscoreError | None = attrs.field(default=None, eq=False)

    @property
    def where(self) -> str:
        """``file:line`` for a JSON Lines record, ``file`` otherwise."""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def __reduce__(self) -> tuple[type[FormSource], tuple[Any, ...]]:
        # Sent to worker processes by the thousand: plain arguments pickle in about a third of
        # the time attrs' __getstate__/__setstate__ take (the parent's time is the workers').
        return (FormSource, (self.file, self.line, self.text, self.problem))


def iter_sources(
    inputs: Iterable[str | os.PathLike[str]],
    *,
    suffixes: Iterable[str] = SCORE_SUFFIXES,
    stdin: IO[bytes] | IO[str] | None = None,
    limits: Limits | None = None,
) -> Iterator[FormSource]:
    """The forms named by ``inputs``, lazily, in a stable order.

    * a file is one form, except a ``.jsonl`` file: one form per non-blank line, read as it is
      needed (a line longer than ``limits.max_bytes`` or not UTF-8 is a source with a
      ``problem``);
    * ``-`` is JSON Lines read from ``stdin`` (default: standard input);
    * a folder is searched recursively, in sorted order, for files ending in ``suffixes``;
      hidden files, Excel's ``~$`` lock files and templates (``kind: template``) are skipped,
      and so are ``.json``/``.jsonl`` files whose first record is not a form (results,
      reports); a folder without any form is a source with a ``problem``;
    * a path that does not exist is passed on (reading it reports 找不到文件).
    """
    wanted = tuple(s.lower() for s in suffixes)
    max_bytes = (limits or DEFAULT_LIMITS).max_bytes
    for item in inputs:
        name = os.fspath(item)
        if name == "-":
            stream = stdin if stdin is not None else _stdin()
            yield from _records(stream, STDIN, max_bytes)
        elif os.path.isdir(name):
            found = False
            for entry in walk(name):
                if isinstance(entry, WalkProblem):
                    if entry.folder or Path(entry.path).suffix.lower() in wanted:
                        found = True  # a folder not read, or a form file that is not regular
                        yield FormSource(entry.error.file or entry.path, problem=entry.error)
                elif _wanted(Path(entry), wanted, max_bytes):
                    found = True
                    yield from _file_sources(entry, max_bytes)
            if not found:
                shown = "、".join(wanted)
                yield FormSource(
                    name,
                    problem=LoadError(f"目录中没有表单文件（{shown}）", file=name, value=name),
                )
        else:
            yield from _file_sources(name, max_bytes)


def _stdin() -> IO[bytes] | IO[str]:
    if sys.stdin is None:  # started with standard input closed (`<&-`)
        raise LoadError(
            "标准输入已关闭，无法从 - 读取表单", file=STDIN, hint="请用管道或重定向提供输入"
        )
    buffer: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    return buffer if buffer is not None else sys.stdin


def _is_jsonl(path: str) -> bool:
    return path.lower().endswith(JSONL_SUFFIXES)


def _file_sources(path: str, max_bytes: int) -> Iterator[FormSource]:
    if not _is_jsonl(path):
        yield FormSource(path)
        return
    try:
        handle, _size = open_regular(path, shown_name(path))  # closed below, also when abandoned
    except LoadError as err:  # a device, FIFO or socket: never read
        yield FormSource(path, problem=err)
        return
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        yield FormSource(path, problem=open_error(shown_name(path), exc))
        return
    with handle:
        yield from _records(handle, path, max_bytes)


def _records(stream: IO[bytes] | IO[str], file: str, max_bytes: int) -> Iterator[FormSource]:
    """The non-blank lines of a JSON Lines stream, one at a time (bounded by ``max_bytes``)."""
    number = 0
    while True:
        try:
            raw = _bytes(stream.readline(max_bytes + 1))
        except OSError as exc:
            yield FormSource(file, number + 1, problem=open_error(file, exc))
            return
        if not raw:
            return
        number += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while True:  # skip the rest of the over-long line without keeping it
                more = _bytes(stream.readline(max_bytes + 1))
                if not more or more.endswith(b"\n"):
                    break
            problem = LoadError(
                f"这一行太长（超过 {max_bytes} 字节的上限）",
                file=file,
                line=number,
                hint="每行应是一份表单的 JSON；如确需读取更大的表单，请传入 limits=Limits(max_bytes=...)",
            )
            yield FormSource(file, number, problem=problem)
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield FormSource(file, number, problem=_decode_error(raw, file, number))
            continue
        if text and not text.isspace():
            yield FormSource(file, number, text)


def _bytes(raw: bytes | str) -> bytes:
    # a text stream (sys.stdin replaced by a StringIO) gives str: treat it as its UTF-8 bytes
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw


def _decode_error(raw: bytes, file: str, line: int) -> PerfscoreError:
    from .yaml import _decode

    try:
        _decode(raw, file)  # its messages name GBK/GB18030 and binary content
    except PerfscoreError as err:
        err.line = line
        return err
    return LoadError("这一行不是 UTF-8 编码", file=file, line=line, expected="UTF-8 编码")


def _wanted(path: Path, suffixes: tuple[str, ...], max_bytes: int) -> bool:
    suffix = path.suffix.lower()
    if suffix not in suffixes or path.name.startswith((".", "~$")) or not path.is_file():
        return False
    if suffix in _YAML_SUFFIXES:
        return not _yaml_template(path)
    if suffix in _JSON_SUFFIXES:
        return _json_forms(path, max_bytes)
    return True


def _yaml_template(path: Path) -> bool:
    # only the head is read: a huge file is reported by the reader, not loaded here
    text = head(path, 16_000).decode("utf-8", errors="replace")[:4000]
    return _TEMPLATE_LINE.search(text) is not None


def _json_forms(path: Path, max_bytes: int) -> bool:
    """Whether a JSON (Lines) file met in a folder holds forms: its first record is a form.

    Results, error records and review reports (no ``kind``) and templates are skipped; a file
    that cannot be read or parsed is kept, so that reading it reports why.
    """
    try:
        handle, size = open_regular(str(path), str(path))
        if size > max_bytes and path.suffix.lower() not in JSONL_SUFFIXES:
            handle.close()
            return True  # too large: reading it says so
        with handle:
            if path.suffix.lower() in JSONL_SUFFIXES:
                first = next(_records(handle, str(path), max_bytes), None)
                if first is None:
                    return False  # blank: nothing to score, nothing lost
                if first.text is None:
                    return True
                text = first.text
            else:
                text = handle.read(max_bytes + 1).decode("utf-8-sig")
        data = parse_record(text, file=str(path))
    except (OSError, ValueError, PerfscoreError):  # UnicodeDecodeError is a ValueError
        return True
    return data.get("kind") == "form"


# ====================================================================== JSON


def parse_record(text: str, *, file: str = STDIN, line: int | None = None) -> dict[str, Any]:
    """One form's JSON text as plain data, in the shape the YAML loader gives.

    Numbers stay text (``4073.53`` → ``"4073.53"``, never a float), ``NaN``/``Infinity`` and
    duplicate keys are refused, and the value must be an object. Raises LoadError located by
    ``file`` and line (``line`` is the record's line in its file) and, for syntax errors, the
    column. See :func:`perfscore.read.normalize.document_from_json`, which does the reading.
    """
    from .normalize import document_from_json

    data: dict[str, Any] = document_from_json(text, file, line=line or 1).data
    return data
