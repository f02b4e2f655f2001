"""Writing output files atomically: an interrupted write leaves the previous file intact.

:func:`atomic_write` writes a whole text at once; :class:`AtomicFile` is the same done line
by line (a batch's output stream).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..errors import PerfscoreError
from .streams import check as check_signals

__all__ = ["AtomicFile", "Stdout", "atomic_write", "output_stream"]


# The usual reasons, said in Chinese; anything else keeps the system's own words.
_REASONS = {
    errno.ENOENT: "目录不存在",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EISDIR: "这是一个目录",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "文件系统只读",
    errno.ENAMETOOLONG: "文件名太长",
}


def _error(path: str | os.PathLike[str], exc: OSError) -> PerfscoreError:
    reason = _REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    return PerfscoreError(
        f"无法写入输出文件：{reason}（原有文件未改动）", file=os.fspath(path), value=str(exc)
    )


def _mode(target: Path) -> int:
    """The mode the file would have had if written plainly (mkstemp makes it 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename over ``path``.

    An existing file keeps its permissions; a new one gets the usual ones (umask). On any
    failure the temporary file is removed and the previous ``path`` is left as it was.
    """
    with AtomicFile(path, binary=True) as handle:
        handle.write(data)


class AtomicFile:
    """A file that replaces ``path`` only when everything was written (``with`` or commit).

    Written to ``.<name>.<pid>.<random>.tmp`` beside the target (hidden, so a folder being
    read for forms skips it), fsynced and renamed over the target on :meth:`commit`; on
    :meth:`abort` (or an exception inside ``with``) the temporary file is removed and the
    previous file is left as it was. Text by default (for streams written line by line);
    ``binary=True`` takes bytes.

    What ``path`` is decides how it is written: a symbolic link is followed and its target
    replaced (the link stays); an existing file keeps its mode and, where permitted, its owner;
    a file with several hard links is rewritten in place once everything is written (so the
    links stay one file); a device, FIFO or ``/dev/stdout`` is written directly (never
    replaced); a directory is refused. Temporary files left by a killed earlier run (whose
    process is gone) are removed on the next write to the same path.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, encoding: str = "utf-8", binary: bool = False
    ) -> None:
        self.path = path
        self.target = Path(path)
        self._direct = False
        self._in_place = False
        try:
            info: os.stat_result | None = os.stat(path)  # follows links (/dev/stdout too)
        except OSError:
            info = None
        if info is not None and stat.S_ISREG(info.st_mode) and os.path.islink(path):
            self.target = Path(os.path.realpath(path))  # replace the link's target, keep it
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise _error(path, IsADirectoryError(errno.EISDIR, "Is a directory", str(path)))
        if info is not None and not stat.S_ISREG(info.st_mode):
            self._direct = True  # a device, FIFO, terminal or pipe: write straight into it
            try:
                handle = open(path, "wb" if binary else "w", **_text(binary, encoding))  # noqa: SIM115
            except OSError as exc:
                raise _error(path, exc) from exc
            self.tmp = ""
            self._handle: IO[Any] | None = handle
            return
        self._in_place = info is not None and info.st_nlink > 1
        directory = self.target.parent if str(self.target.parent) else Path(".")
        _remove_stale(directory, self.target.name)
        try:
            fd, self.tmp = tempfile.mkstemp(
                prefix=f".{self.target.name}.{os.getpid()}.", suffix=".tmp", dir=directory
            )
        except OSError as exc:
            raise _error(path, exc) from exc
        self._handle = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="")
        )

    def write(self, data: Any) -> None:
        handle = self._handle
        assert handle is not None, "written after commit or abort"
        try:
            check_signals()  # SIGTERM/SIGHUP: the temporary file goes, as on Ctrl-C
        except BaseException:
            self.abort()
            raise
        try:
            handle.write(data)
        except OSError as exc:
            self.abort()
            raise _error(self.path, exc) from exc

    def binary(self) -> bool:
        """Whether :meth:`write_bytes` may be used: the file is written in UTF-8 with no
        newline translation, so UTF-8 bytes are exactly what writing the text would write.
        What was written as text so far is flushed first."""
        handle = self._handle
        if handle is None or not _utf8_text(handle, translated=self._direct and os.linesep != "\n"):
            return False
        handle.flush()
        return True

    def write_bytes(self, data: bytes) -> None:
        """Write UTF-8 ``data`` under the text layer (after :meth:`binary` said yes)."""
        handle = self._handle
        assert handle is not None, "written after commit or abort"
        try:
            check_signals()
        except BaseException:
            self.abort()
            raise
        try:
            _write_all(getattr(handle, "buffer", handle), data)
        except OSError as exc:
            self.abort()
            raise _error(self.path, exc) from exc

    def commit(self) -> None:
        """Flush, fsync and rename over the target (keeping an existing file's mode)."""
        handle = self._handle
        if handle is None:
            return
        try:
            check_signals()
        except BaseException:
            self.abort()
            raise
        self._handle = None
        if self._direct:
            try:
                handle.close()
            except OSError as exc:
                raise _error(self.path, exc) from exc
            return
        try:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            if self._in_place:
                _copy_into(self.tmp, self.target)
                Path(self.tmp).unlink(missing_ok=True)
                return
            os.chmod(self.tmp, _mode(self.target))
            _keep_owner(self.tmp, self.target)
            os.replace(self.tmp, self.target)
        except OSError as exc:
            _close_quietly(handle)
            Path(self.tmp).unlink(missing_ok=True)
            raise _error(self.path, exc) from exc
        except BaseException:
            _close_quietly(handle)
            Path(self.tmp).unlink(missing_ok=True)
            raise

    def abort(self) -> None:
        """Drop what was written; the target is untouched."""
        handle, self._handle = self._handle, None
        if handle is not None:
            _close_quietly(handle)
        if self.tmp:
            Path(self.tmp).unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


class Stdout:
    """``-o`` not given: write to standard output (same interface as AtomicFile)."""

    def write(self, text: str) -> None:
        sys.stdout.write(text)  # looked up at call time: tests and callers swap sys.stdout

    def binary(self) -> bool:
        """Whether :meth:`write_bytes` may be used: standard output is a UTF-8 text stream
        over a binary one, without newline translation (what ``perfscore`` makes it; not a
        StringIO a test put there). What was written as text so far is flushed first."""
        stream = sys.stdout
        if not _utf8_text(stream, translated=os.linesep != "\n"):
            return False
        stream.flush()
        return True

    def write_bytes(self, data: bytes) -> None:
        """Write UTF-8 ``data`` to standard output's binary stream (after :meth:`binary`)."""
        stream = sys.stdout
        _write_all(stream.buffer, data)
        if getattr(stream, "line_buffering", False):  # a terminal sees each result at once
            stream.buffer.flush()

    def __enter__(self) -> Stdout:
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


def output_stream(output: str | None) -> Stdout | AtomicFile:
    """Where a command's stream goes (``-o``): stdout, or a file replaced atomically once
    everything is written. Shared by ``perfscore score`` and ``perfscore review``."""
    if output is None or output == "-":
        return Stdout()
    return AtomicFile(output)


def _utf8_text(stream: Any, *, translated: bool) -> bool:
    """Whether ``stream`` is a UTF-8 text stream with a binary ``buffer`` under it, whose
    newlines are written as they are (``translated``: the platform's would not be)."""
    buffer = getattr(stream, "buffer", None)
    if translated or not isinstance(buffer, io.BufferedIOBase | io.RawIOBase):
        return False
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return encoding == "utf8"


def _write_all(target: Any, data: bytes) -> None:
    """``target.write(data)``, whole: an unbuffered stream (``python -u``, PYTHONUNBUFFERED)
    may take part of it, as the text layer above it would not have."""
    if not isinstance(target, io.RawIOBase):
        target.write(data)
        return
    view = memoryview(data)
    while view:
        written = target.write(view)
        if written is None:  # a non-blocking descriptor that is full, as text would say
            raise BlockingIOError(errno.EAGAIN, "输出暂时无法写入")
        view = view[written:]


def _close_quietly(handle: IO[Any]) -> None:
    with contextlib.suppress(OSError):
        handle.close()


def _text(binary: bool, encoding: str) -> dict[str, Any]:
    return {} if binary else {"encoding": encoding, "newline": ""}


def _keep_owner(tmp: str, target: Path) -> None:
    """Give the new file the old one's owner and group, where this process may."""
    try:
        info = target.stat()
    except OSError:
        return
    if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(tmp, info.st_uid, info.st_gid)


def _copy_into(tmp: str, target: Path) -> None:
    """Rewrite ``target`` in place with ``tmp``'s content (hard links stay one file)."""
    with open(tmp, "rb") as source, open(target, "r+b") as out:
        out.truncate(0)
        while block := source.read(1 << 20):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())


def _remove_stale(directory: Path, name: str) -> None:
    """Remove ``.<name>.<pid>.*.tmp`` files whose writing process no longer exists."""
    prefix = f".{name}."
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
            continue
        pid_text = entry.name[len(prefix) :].split(".", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True
