"""A batch's progress line on the terminal (atomic output files are in perfscore.render.io).

One implementation for ``score`` and ``review``, streamed or not: the line is redrawn in place
(carriage return, then spaces over whatever is left of the previous drawing, no ANSI codes, so
it works in every terminal), fitted to the terminal's real width by display width (a Chinese
character takes two columns, U+200B none), at most every 0.1 s, and erased when done. It is
drawn only when stderr is a terminal.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from ..render.safe_cells import terminal_text
from ..text.width import cut_left, display_width

__all__ = ["Progress", "StreamProgress", "terminal_columns"]

_BAR = 24
_INTERVAL = 0.1
_NAME_ROOM = 12  # columns kept for the file name before the bar is shortened


def terminal_columns(stream: TextIO, default: int = 80) -> int:
    """Columns of the terminal ``stream`` writes to (``COLUMNS`` wins, as for shutil)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return os.get_terminal_size(stream.fileno()).columns or default
    except (AttributeError, OSError, ValueError):
        return default


class Progress:
    """``复核 [####....] 3/10 file`` (a known total) or ``计分 1234 份 file`` on stderr.

    Call :meth:`step` per form of a stream, or the object itself as ``(done, total, file)``
    (the ``progress`` callback of :func:`perfscore.review.review_batch`); :meth:`done` erases
    the line.
    """

    def __init__(self, verb: str, enabled: bool = True, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._clock = time.monotonic
        self.verb = verb
        try:
            tty = self._stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        self.enabled = enabled and tty
        self.count = 0
        self._shown_at = -1.0
        self._drawn = 0  # display width of what is on the line now

    # A stream: count forms.
    def step(self, where: str) -> None:
        self.count += 1
        self._draw(f"{self.verb} {self.count} 份", where, final=False)

    # A known total: review_batch's callback.
    def __call__(self, done: int, total: int, file: str) -> None:
        self.count = done
        if total <= 1:
            return
        # The bar shrinks on a narrow terminal (leaving room for the file name), and goes.
        count = f"{done}/{total}"
        room = terminal_columns(self._stream) - 1
        bar = min(_BAR, room - display_width(self.verb) - len(count) - 5 - _NAME_ROOM)
        if bar >= 5:
            filled = bar * done // total
            head = f"{self.verb} [{'#' * filled}{'.' * (bar - filled)}] {count}"
        else:
            head = f"{self.verb} {count}"
        self._draw(head, file, final=done == total)
        if done == total:
            self.done()

    def _draw(self, head: str, where: str, *, final: bool) -> None:
        if not self.enabled:
            return
        now = self._clock()
        if not final and now - self._shown_at < _INTERVAL:
            return
        self._shown_at = now
        room = terminal_columns(self._stream) - 1  # never the last column: no wrap
        line = cut_left(head, room)
        rest = room - display_width(line) - 1
        name = terminal_text(where)
        if name and rest >= 2:
            line += " " + cut_left(name, rest)
        width = display_width(line)
        self._stream.write("\r" + line + " " * max(0, self._drawn - width))
        if self._drawn > width:
            self._stream.write("\r" + line)
        self._stream.flush()
        self._drawn = width

    def done(self) -> None:
        """Erase the line (nothing when nothing was drawn)."""
        if self._drawn:
            self._stream.write("\r" + " " * self._drawn + "\r")
            self._stream.flush()
            self._drawn = 0


#: The name the stream commands used (a count, no total).
StreamProgress = Progress
