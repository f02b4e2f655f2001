"""Reading the file system without being trapped by it.

* :func:`open_regular` opens a file for reading only when it is a regular file: a symlink to
  ``/dev/zero`` or ``/dev/urandom``, a FIFO without a writer, a socket or a directory is refused
  with a located :class:`~perfscore.errors.LoadError` before a single byte is read (a FIFO is
  opened without blocking, so it cannot hang the open itself). The size is taken with
  ``fstat`` so callers can refuse a huge file before reading it.
* :func:`walk` lists a folder iteratively (no recursion, so a folder nested 1,500 deep is not a
  ``RecursionError``), in the order ``sorted(Path(root).rglob("*"))`` gives, with a depth
  limit; symbolic links to folders are followed once (a link back to a folder already being
  walked is a loop and is reported); a sub-folder that cannot be listed, a loop, a folder too
  deep and a non-regular file are reported as :class:`WalkProblem` entries, never skipped
  silently and never raised.
* :func:`head` reads only the first bytes of a file (to peek at ``kind: template``).
* :func:`shown_name` is a path as text that can always be printed and encoded (a file name
  that is not valid UTF-8 keeps its bytes as ``\\xNN`` escapes).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import IO, Final

import attrs

from ..errors import LoadError

__all__ = [
    "MAX_FOLDER_DEPTH",
    "WalkProblem",
    "head",
    "open_regular",
    "shown_name",
    "walk",
]

#: How deep a folder given as input may be searched (levels below it).
MAX_FOLDER_DEPTH: Final = 64

_KINDS: Final = (
    (stat.S_ISCHR, "字符设备"),
    (stat.S_ISBLK, "块设备"),
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISSOCK, "套接字"),
    (stat.S_ISDIR, "目录"),
)


def shown_name(path: str | bytes) -> str:
    """``path`` as printable, encodable text: undecodable bytes become ``\\xNN``."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "特殊文件"


def not_regular(name: str, mode: int) -> LoadError:
    """The error for an input that is not a regular file (``mode`` from ``stat``)."""
    kind = _kind(mode)
    if stat.S_ISDIR(mode):
        return LoadError("这是一个目录，不是文件", file=name, value=name)
    return LoadError(
        f"不是普通文件（{kind}），不读取",
        file=name,
        value=name,
        expected="普通文件",
        hint="设备、管道和套接字可能永远读不完；要从管道读取 JSON Lines，请用 - 表示标准输入",
    )


def open_regular(path: str | bytes, name: str) -> tuple[IO[bytes], int]:
    """Open ``path`` for reading if it is a regular file; returns the handle and its size.

    Raises OSError/ValueError as ``open`` does (for the caller's own wording) and LoadError
    for anything that is not a regular file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(name, info.st_mode)
        os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return handle, info.st_size


def head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first ``size`` bytes of a regular file (b"" when it cannot be read)."""
    try:
        handle, _ = open_regular(os.fspath(path), os.fspath(path))
    except (OSError, ValueError, LoadError):
        return b""
    with handle:
        try:
            return handle.read(size)
        except OSError:
            return b""


@attrs.frozen
class WalkProblem:
    """Something met in a folder that is not a file to read: why, as a located LoadError."""

    path: str
    error: LoadError
    #: True for a folder that was not entered (unreadable, too deep, a loop).
    folder: bool = True
    #: ``unreadable``, ``loop``, ``deep`` (folders) or ``special`` (a non-regular file).
    reason: str = "unreadable"


def _listing(path: str) -> list[os.DirEntry[str]]:
    with os.scandir(path) as entries:
        return sorted(entries, key=lambda e: e.name)


def walk(root: str, *, max_depth: int = MAX_FOLDER_DEPTH) -> Iterator[str | WalkProblem]:
    """Every regular file below ``root`` (a path string), or a :class:`WalkProblem`.

    The order is that of ``sorted(Path(root).rglob("*"))`` (a folder's entries sorted by name,
    a sub-folder's content right after its name). Files that are not regular (devices, FIFOs,
    sockets, links to them) are problems; broken links are passed on as files (reading them
    says the file does not exist).
    """
    try:
        info = os.stat(root)
    except OSError as exc:
        yield WalkProblem(root, _folder_error(root, exc))
        return
    # Folders entered so far: a link to one of them again is a loop (or a second way to the
    # same files), never walked twice.
    visited: set[tuple[int, int]] = set()
    # A stack of (listing iterator, depth, the folder's identity); iterative on purpose.
    try:
        first = _listing(root)
    except OSError as exc:
        yield WalkProblem(root, _folder_error(root, exc))
        return
    visited.add((info.st_dev, info.st_ino))
    stack: list[tuple[Iterator[os.DirEntry[str]], int]] = [(iter(first), 1)]
    while stack:
        entries, depth = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = entry.path
        try:
            is_dir = entry.is_dir()  # follows a symbolic link
        except OSError:
            is_dir = False
        if is_dir:
            try:
                sub = os.stat(path)
            except OSError as exc:
                yield WalkProblem(path, _folder_error(path, exc))
                continue
            key = (sub.st_dev, sub.st_ino)
            if key in visited:
                yield WalkProblem(
                    path,
                    LoadError(
                        "符号链接指向已读取过的目录（可能是循环），不再重复进入",
                        file=shown_name(path),
                        value=shown_name(os.path.realpath(path)),
                    ),
                    reason="loop",
                )
                continue
            if depth >= max_depth:
                yield WalkProblem(
                    path,
                    LoadError(
                        f"目录层级太深（超过 {max_depth} 层），不再进入",
                        file=shown_name(path),
                        value=depth + 1,
                        expected=f"不超过 {max_depth} 层的子目录",
                    ),
                    reason="deep",
                )
                continue
            try:
                listing = _listing(path)
            except OSError as exc:
                yield WalkProblem(path, _folder_error(path, exc))
                continue
            visited.add(key)
            stack.append((iter(listing), depth + 1))
            continue
        try:
            mode = os.stat(path).st_mode
        except OSError:
            yield path  # a broken link or a file gone meanwhile: reading it says why
            continue
        if stat.S_ISREG(mode):
            yield path
        else:
            yield WalkProblem(
                path, not_regular(shown_name(path), mode), folder=False, reason="special"
            )


def _folder_error(path: str, exc: OSError) -> LoadError:
    if isinstance(exc, PermissionError):
        message = "没有读取这个文件夹的权限，其中的文件未被读取"
    elif isinstance(exc, FileNotFoundError):
        message = "找不到文件夹：文件夹不存在或在读取时被删除"
    else:
        message = f"无法读取文件夹（{exc.strerror or exc}），其中的文件未被读取"
    return LoadError(message, file=shown_name(path), value=shown_name(path))
