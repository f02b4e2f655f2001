"""Strict YAML loading: text, bytes or a file in; plain data and source positions out.

PyYAML speaks YAML 1.1, which turns ``no`` into False, ``012345`` into an octal number,
``1:20`` into 80 and ``4073.53`` into a float, lets duplicate keys overwrite each other
silently, and expands anchors/aliases (a few hundred bytes can become billions of nodes).
None of that is wanted in a budget form, so this module uses PyYAML only for scanning,
parsing and composing (through :class:`_StrictLoader`, a ``yaml.SafeLoader`` subclass) and
builds the Python data itself from the node tree. (A clean document is parsed by libyaml when
PyYAML has it, which is many times faster, and composed under the same rules; anything the
two parsers might read differently goes the pure-Python way. See "fast path" below.)

* Every scalar stays text exactly as written, except a *plain* (unquoted) ``null``, ``Null``,
  ``NULL``, ``~`` or empty value, which becomes ``None``, and a plain ``true``/``True``/``TRUE``/
  ``false``/``False``/``FALSE``, which becomes a bool. ``yes``/``no``/``on``/``off``, numbers,
  times and dates stay strings; numbers are converted to ``Decimal`` downstream.
* Mapping keys are scalars and become strings; a null or bool key, a collection key, the merge
  key ``<<`` and duplicate keys (the message names both lines) are errors.
* Anchors (``&a``) and aliases (``*a``) are refused where they appear, before the composer
  resolves them, which also defeats "billion laughs" and recursive aliases.
* Explicit tags are refused, with one exception: ``!!str`` on a scalar is accepted (it only
  says "this is text", which every scalar already is; on a plain ``!!str true`` it keeps the
  word as text). Everything else (``!!python/object/apply:...``, ``!!int``, ``!foo``, ``!``)
  is an error.
* Exactly one document per file; an empty file (or one with only comments) is an error.

Encodings. UTF-8 with or without a BOM is read as is. UTF-16 and UTF-32 are decoded only when
they start with a BOM (then they are unambiguous). A file with NUL bytes or many control bytes
is "not a text file". Other bytes that are not UTF-8 are refused: if they decode as GB18030 and
contain Chinese, the message says the file looks GBK/GB18030-encoded (the default of Chinese
Windows) and how to re-save it as UTF-8; otherwise it names the first bad byte's offset and
line. Guessing an encoding silently could mis-read amounts, so nothing is guessed.

Limits (:class:`Limits`): by default at most 2 MB (2_000_000 bytes), 50 levels of nesting
and 200_000 nodes. Pass another ``Limits`` to change them. Lines and columns are 1-based and
count characters (code points), as PyYAML does; ``\\r\\n`` is one line break.
"""

from __future__ import annotations

import codecs
import os
import re
from typing import TYPE_CHECKING, Final

import yaml

from ..errors import InputTypeError, LoadError
from .yaml_build import _Builder, _line_col, _StrictLoader, _syntax_error
from .yaml_document import (
    _BINARY_MIN_CONTROLS,
    _CJK,
    _CONTROL_BYTES,
    _NON_PRINTABLE,
    DEFAULT_LIMITS,
    Document,
    Limits,
)
from .yaml_fast import _compose_single, _parse_fast

if TYPE_CHECKING:
    from .yaml_document import JsonPath, Position

__all__ = ["load_yaml", "open_error"]


def load_yaml(
    source: str | bytes | os.PathLike[str],
    *,
    file: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Load one strict YAML document.

    ``source`` is YAML text (``str``; the file name defaults to ``"<string>"``), the raw
    content of a file (``bytes``; default name ``"<bytes>"``), or a path to read (the name is
    the path as given). ``file`` overrides the name shown in errors and kept in the Document.
    Raises :class:`~perfscore.errors.LoadError` for anything that is not a strict, single,
    well-formed YAML document within ``limits``; :class:`~perfscore.errors.InputTypeError`
    for a ``source`` of another type.
    """
    if not isinstance(limits, Limits):
        raise InputTypeError(
            f"limits 必须是 Limits，而不是 {type(limits).__name__}",
            value=limits,
            expected="perfscore.read.yaml_document.Limits",
        )
    if isinstance(source, str):
        name = "<string>" if file is None else file
        try:
            size = len(source.encode("utf-8", "surrogatepass"))
        except UnicodeError:  # pragma: no cover - surrogatepass encodes every str
            size = len(source) * 4
        _check_size(size, limits, name)
        text = source[1:] if source.startswith("\ufeff") else source
    elif isinstance(source, bytes | bytearray | memoryview):
        name = "<bytes>" if file is None else file
        raw = bytes(source)
        _check_size(len(raw), limits, name)
        text = _decode(raw, name)
    elif isinstance(source, os.PathLike):
        path = os.fspath(source)
        shown = path if isinstance(path, str) else os.fsdecode(path)
        name = shown if file is None else file
        raw = _read(path, name, limits)
        text = _decode(raw, name)
    else:
        raise InputTypeError(
            "load_yaml 需要 YAML 文本（str）、文件内容（bytes）或路径，"
            f"而不是 {type(source).__name__}",
            file=file,
            value=source,
            expected="str、bytes 或 os.PathLike",
        )
    return _parse(text, name, limits)


# --------------------------------------------------------------------------- reading


def _check_size(size: int, limits: Limits, name: str, *, exact: bool = True) -> None:
    if size > limits.max_bytes:
        raise LoadError(
            f"文件太大（超过 {limits.max_bytes} 字节的上限）",
            file=name,
            value=f"{size} 字节" if exact else f"超过 {limits.max_bytes} 字节",
            hint="如确需读取更大的文件，请传入 limits=Limits(max_bytes=...)",
        )


def open_error(name: str, exc: OSError | ValueError) -> LoadError:
    """Why the file ``name`` could not be opened or read, for people (ValueError: a NUL in
    the path). Every reader of files (YAML, JSON Lines, CSV/XLSX) says it the same way."""
    if isinstance(exc, FileNotFoundError):
        message = "找不到文件：文件不存在或路径有误"
    elif isinstance(exc, IsADirectoryError):
        message = "这是一个目录，不是文件"
    elif isinstance(exc, PermissionError):
        message = "没有读取这个文件的权限"
    else:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        message = f"无法读取文件（{detail}）"
    return LoadError(message, file=name, value=name)


def _read(path: str | bytes, name: str, limits: Limits) -> bytes:
    from .fsguard import open_regular

    try:
        # Only a regular file is read (a device or FIFO could never end), its size checked
        # before reading; one byte more than allowed tells "too big" if it grew meanwhile.
        handle, size = open_regular(path, name)
        with handle:
            _check_size(size, limits, name)
            raw = handle.read(limits.max_bytes + 1)
    except LoadError:  # not a regular file, or too large: already said
        raise
    except (OSError, ValueError) as exc:  # ValueError: embedded NUL in the path
        raise open_error(name, exc) from exc
    # Only max_bytes + 1 bytes were read, so the real size is unknown.
    _check_size(len(raw), limits, name, exact=False)
    return raw


_BOMS: Final = (
    # UTF-32 first: its little-endian BOM begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def _decode(raw: bytes, name: str) -> str:
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            body = raw[len(bom) :]
            try:
                return body.decode(codec)
            except UnicodeDecodeError as exc:
                offset = exc.start + len(bom)
                raise LoadError(
                    f"文件以 {label} 的 BOM 开头，但第 {offset} 字节处的内容不是有效的 {label}",
                    file=name,
                    value=raw[offset : offset + 4].hex(" ").upper(),
                    hint="文件可能已损坏或被截断；请用文本编辑器另存为 UTF-8 后重试",
                ) from exc
    if _looks_binary(raw):
        raise LoadError(
            "不是文本文件（含有 NUL 等二进制字节）",
            file=name,
            expected="UTF-8 编码的 YAML 文本",
            hint="请确认选对了文件；Excel（.xlsx）等文件需要先转换。"
            "如果这是没有 BOM 的 UTF-16 文本，请另存为 UTF-8",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    prefix = raw[:bad].decode("utf-8")  # valid up to the first bad byte by definition
    line, column = _line_col(prefix, len(prefix))
    try:
        as_gb = raw.decode("gb18030")
    except UnicodeDecodeError:
        as_gb = ""
    if re.search(_CJK, as_gb):
        raise LoadError(
            "文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码（中文 Windows 常见），"
            "请用“另存为 UTF-8”保存后重试",
            file=name,
            line=line,
            column=column,
            value=raw[bad : bad + 2].hex(" ").upper(),
            expected="UTF-8 编码",
            hint="记事本：文件 › 另存为 › 编码选 UTF-8；WPS/VS Code 在右下角切换编码后保存",
        )
    raise LoadError(
        f"文件不是 UTF-8 编码：第 {bad} 字节（第 {line} 行）0x{raw[bad]:02X} 不是有效的 UTF-8",
        file=name,
        line=line,
        column=column,
        value=raw[bad : bad + 4].hex(" ").upper(),
        expected="UTF-8 编码",
        hint="请用文本编辑器把文件另存为 UTF-8 后重试",
    )


def _looks_binary(raw: bytes) -> bool:
    if b"\x00" in raw:
        return True
    controls = len(raw) - len(raw.translate(None, _CONTROL_BYTES))
    if controls == 0:
        return False
    # A stray control character in a text file gets a located error from the parser instead
    # (the count floor keeps one stray character in a short file from looking binary).
    if controls >= _BINARY_MIN_CONTROLS and controls * 100 > len(raw):
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _parse(text: str, name: str, limits: Limits) -> Document:
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line, column = _line_col(text, bad.start())
        char = bad.group()
        if char == "\x00":
            raise LoadError("不是文本文件（含有 NUL 字符）", file=name, line=line, column=column)
        raise LoadError(
            f"文件里有不允许的字符 U+{ord(char):04X}（控制字符或无效字符）",
            file=name,
            line=line,
            column=column,
            value=repr(char),
            hint="请删除这个字符；如果整个文件都是乱码，它可能不是文本文件",
        )
    fast = _parse_fast(text, name, limits)
    return fast if fast is not None else _parse_pure(text, name, limits)


def _parse_pure(text: str, name: str, limits: Limits) -> Document:
    """Read ``text`` (already checked for non-printable characters) with :class:`_StrictLoader`.

    This path defines what a file means and how every error is worded; :func:`_parse_fast`
    only takes a shortcut to the same Document.
    """
    try:
        loader = _StrictLoader(text, file=name, limits=limits)
        try:
            root = _compose_single(loader, name)
            positions: dict[JsonPath, Position] = {}
            key_positions: dict[JsonPath, Position] = {}
            data = _Builder(name, loader.explicit_str, positions, key_positions).build(root)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, name, text) from exc
    except yaml.YAMLError as exc:
        raise LoadError(f"YAML 读取失败（{exc}）", file=name) from exc
    except RecursionError as exc:
        raise LoadError("嵌套太深，无法读取", file=name) from exc
    except MemoryError as exc:
        raise LoadError("文件太大，内存不足，无法读取", file=name) from exc
    return Document(
        data=data, file=name, positions=positions, key_positions=key_positions, text=text
    )
