"""The command's standard streams and signals, when they are not what a terminal gives.

* :func:`guard_streams` replaces a closed standard output or error (``>&-``: ``sys.stdout``
  is None) with a stream whose writes raise ``OSError(EBADF)``, so the command reports one
  line instead of an ``AttributeError`` traceback;
* :func:`stdin_closed` tells whether ``-`` (standard input) is named while it is closed;
* :func:`on_signals` turns SIGTERM and SIGHUP into :class:`Terminated` (a KeyboardInterrupt)
  while a command runs, so an output being written is dropped (its temporary file removed)
  exactly as on Ctrl-C, and the exit status is 128 + the signal number (143, 129); every
  signal is also recorded, because Python swallows an exception raised inside a fork or
  finaliser callback (worker start-up): the next write raises it again (:func:`check`);
* :func:`stdout_failed` reports a failed write to standard output (disk full, closed) as one
  Chinese line on standard error.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

__all__ = ["Terminated", "check", "guard_streams", "on_signals", "stdin_closed", "stdout_failed"]


class Terminated(KeyboardInterrupt):
    """The run was ended by SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


class _Closed(io.TextIOBase):
    """Stands for a standard stream that was closed when the process started."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"{self._name} 已关闭")

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        return None


def guard_streams() -> None:
    if sys.stdout is None:
        sys.stdout = _Closed("标准输出")
    if sys.stderr is None:
        sys.stderr = _Closed("标准错误")


def stdin_closed(args: argparse.Namespace) -> bool:
    named: list[str] = [
        *(getattr(args, "forms", None) or ()),
        *([args.form] if isinstance(getattr(args, "form", None), str) else []),
    ]
    if "-" not in named:
        return False
    if sys.stdin is None:  # Python's own sign of a descriptor 0 closed at start (`<&-`)
        return True
    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError):  # an in-memory stream (tests, embedding): open
        return False
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


#: The signal received, kept: a raise inside a fork or finaliser callback is swallowed by
#: Python ("Exception ignored in …"), so writers also look here (:func:`check`).
_RECEIVED: list[int] = []


def _raise(signum: int, _frame: FrameType | None) -> None:
    _RECEIVED.append(signum)
    _stop(signum)


def _stop(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def check() -> None:
    """Raise :class:`Terminated` (KeyboardInterrupt for SIGINT) if a signal arrived while a
    command runs."""
    if _RECEIVED:
        _stop(_RECEIVED[0])


@contextlib.contextmanager
def on_signals() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        number = getattr(signal, name, None)
        if number is not None and (name != "SIGINT" or _default_sigint()):
            previous[number] = signal.signal(number, _raise)
    _RECEIVED.clear()
    hook = sys.unraisablehook

    def quiet(info: Any) -> None:  # a swallowed stop is not an error to print
        if not (_RECEIVED and isinstance(info.exc_value, KeyboardInterrupt)):
            hook(info)

    sys.unraisablehook = quiet
    try:
        yield
        check()  # a signal whose raise was swallowed still ends the run
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        sys.unraisablehook = hook
        _RECEIVED.clear()


def _default_sigint() -> bool:
    # Ctrl-C is taken over only where Python's own handler is in place (not when ignored).
    return signal.getsignal(signal.SIGINT) is signal.default_int_handler


_REASONS = {errno.ENOSPC: "磁盘空间不足", errno.EBADF: "标准输出已关闭", errno.EIO: "输入输出错误"}


def stdout_failed(exc: OSError) -> bool:
    """Say (on stderr, one line) that writing to standard output failed; False when ``exc``
    does not look like such a failure (the caller re-raises it)."""
    if exc.errno not in _REASONS and not isinstance(exc, io.UnsupportedOperation):
        return False
    reason = _REASONS.get(exc.errno or 0, str(exc))
    with contextlib.suppress(OSError, ValueError):
        print(f"perfscore: 无法写入标准输出：{reason}", file=sys.stderr)
    return True
