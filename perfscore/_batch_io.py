"""A batch's progress line on the terminal (atomic output files are in perfscore._io)."""

from __future__ import annotations

__all__ = ["StreamProgress"]


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
        from ._safe_text import visible

        name = visible(where if len(where) <= 50 else "…" + where[-49:])  # a file name as shown
        self._stream.write(f"\r{self.verb} {self.count} 份 {name}".ljust(80))
        self._stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self._stream.write("\r" + " " * 80 + "\r")
            self._stream.flush()
            self._shown = False
