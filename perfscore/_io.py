"""Writing output files atomically: an interrupted write leaves the previous file intact.

:func:`atomic_write` writes a whole text at once; :class:`AtomicFile` is the same done line
by line (a batch's output stream).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .errors import PerfscoreError

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

    Written to ``.<name>.<random>.tmp`` beside the target (hidden, so a folder being read for
    forms skips it), fsynced and renamed over the target on :meth:`commit`; on :meth:`abort`
    (or an exception inside ``with``) the temporary file is removed and the previous file is
    left as it was. Text by default (for streams written line by line); ``binary=True`` takes
    bytes.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, encoding: str = "utf-8", binary: bool = False
    ) -> None:
        self.path = path
        self.target = Path(path)
        directory = self.target.parent if str(self.target.parent) else Path(".")
        try:
            fd, self.tmp = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".tmp", dir=directory
            )
        except OSError as exc:
            raise _error(path, exc) from exc
        self._handle: IO[Any] | None = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="")
        )

    def write(self, data: Any) -> None:
        handle = self._handle
        assert handle is not None, "written after commit or abort"
        try:
            handle.write(data)
        except OSError as exc:
            self.abort()
            raise _error(self.path, exc) from exc

    def commit(self) -> None:
        """Flush, fsync and rename over the target (keeping an existing file's mode)."""
        handle = self._handle
        if handle is None:
            return
        self._handle = None
        try:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.chmod(self.tmp, _mode(self.target))
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


def _close_quietly(handle: IO[Any]) -> None:
    with contextlib.suppress(OSError):
        handle.close()
