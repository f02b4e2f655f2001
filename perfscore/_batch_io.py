"""Streamed output files written atomically: a temporary file beside the target, renamed at the end.

:func:`perfscore._io.atomic_write` needs the whole text at once; a batch writes line by line.
:class:`AtomicTextFile` writes to ``.<name>.<random>.tmp`` in the target's directory (hidden, so
a folder being read for forms skips it), fsyncs it and renames it over the target on
:meth:`~AtomicTextFile.commit`; on :meth:`~AtomicTextFile.abort` (or an exception inside
``with``) the temporary file is removed and the previous file is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TextIO

from ._io import _error, _mode

__all__ = ["AtomicTextFile", "StreamProgress"]


class AtomicTextFile:
    """A text file that replaces ``path`` only when everything was written (``with`` or commit)."""

    def __init__(self, path: str | os.PathLike[str], *, encoding: str = "utf-8") -> None:
        self.path = path
        self.target = Path(path)
        directory = self.target.parent if str(self.target.parent) else Path(".")
        try:
            fd, self.tmp = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".tmp", dir=directory
            )
        except OSError as exc:
            raise _error(path, exc) from exc
        self._handle: TextIO | None = os.fdopen(fd, "w", encoding=encoding, newline="")

    def write(self, text: str) -> None:
        handle = self._handle
        assert handle is not None, "written after commit or abort"
        try:
            handle.write(text)
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

    def __enter__(self) -> AtomicTextFile:
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


def _close_quietly(handle: TextIO) -> None:
    with contextlib.suppress(OSError):
        handle.close()


class StreamProgress:
    """``计分 1234 份 file:line`` on one line of stderr, only when stderr is a terminal.

    The total of a stream is unknown, so this counts; it redraws at most every 0.1 s.
    """

    def __init__(self, verb: str, enabled: bool = True) -> None:
        import sys
        import time

        self._clock = time.monotonic
        self._stream = sys.stderr
        self.verb = verb
        self.enabled = enabled and self._stream.isatty()
        self.count = 0
        self._shown_at = 0.0
        self._shown = False

    def step(self, where: str) -> None:
        self.count += 1
        if not self.enabled:
            return
        now = self._clock()
        if now - self._shown_at < 0.1:
            return
        self._shown_at = now
        name = where if len(where) <= 50 else "…" + where[-49:]
        self._stream.write(f"\r{self.verb} {self.count} 份 {name}".ljust(80))
        self._stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self._stream.write("\r" + " " * 80 + "\r")
            self._stream.flush()
            self._shown = False
