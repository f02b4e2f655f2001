"""The progress line redraws in place at the terminal's width and is erased (issue 18.6).

Run on a real pseudo-terminal of a chosen width: the bytes written to it are replayed on a
one-line screen model (carriage return goes to column 0, every character takes its display
width), which must never reach the last column and must be blank at the end.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from perfscore.batch.progress import Progress, terminal_columns
from perfscore.text.width import cut_left, display_width

ROOT = Path(__file__).resolve().parent.parent


def test_display_width_of_zero_width_and_wide_characters() -> None:
    assert display_width("a\u200bb") == 2  # zero width space
    assert display_width("\u200c\u200d\u2060\ufeff\u00ad") == 0
    assert display_width("e\u0301") == 1  # combining accent
    assert display_width("岳阳楼") == 6
    assert display_width("ＡＢ") == 4  # full-width
    assert display_width("\x1b") == 0


def test_cut_left_keeps_the_end_within_the_width() -> None:
    text = "/很长的/目录/岳阳楼区岳阳楼街道办事处.yaml"
    for width in range(1, 50):
        cut = cut_left(text, width)
        assert display_width(cut) <= width
        assert text.endswith(cut.lstrip("…"))
    assert cut_left("abc", 3) == "abc"
    assert cut_left("abc", 0) == ""


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _screen(written: str, columns: int) -> str:
    """Replay ``written`` on a one-line screen; fail if it would wrap."""
    line: dict[int, str] = {}
    col = 0
    for ch in written:
        if ch == "\r":
            col = 0
            continue
        assert ch != "\n", "the progress line must not start new lines"
        w = display_width(ch)
        line[col] = ch
        for k in range(1, w):
            line[col + k] = ""  # the right half of a wide character
        col += w
        assert col <= columns - 1, f"reached column {col} of {columns}: {written!r}"
    return "".join(line.get(i, " ") for i in range(max(line, default=-1) + 1))


@pytest.mark.parametrize("columns", [20, 40, 80])
def test_progress_fits_and_is_erased(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = _Tty()
    progress = Progress("复核", stream=out)
    progress._clock = iter(range(0, 10_000)).__next__  # type: ignore[assignment]  # no throttle
    names = [
        "a.yaml",
        "/很/长/的/路径/岳阳楼区岳阳楼街道办事处\u200b自评表.xlsx",
        "b\x1b[2J.csv",
        "c",
    ]
    for i, name in enumerate(names, 1):
        progress(i, len(names), name)
        if i < len(names):
            shown = _screen(out.getvalue(), columns).rstrip()
            assert shown.startswith("复核 ") and f"{i}/{len(names)}" in shown
            assert (" [" in shown) == (columns >= 40)  # the bar goes on a narrow terminal
    assert _screen(out.getvalue(), columns).strip() == ""
    assert "\x1b" not in out.getvalue()


def test_stream_progress_counts_and_erases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    out = _Tty()
    progress = Progress("计分", stream=out)
    progress._clock = iter(range(0, 10_000)).__next__  # type: ignore[assignment]
    for _ in range(12):
        progress.step("表单/岳阳楼区岳阳楼街道办事处.yaml")
    assert _screen(out.getvalue(), 30).rstrip().startswith("计分 12 份 …")
    progress.done()
    assert _screen(out.getvalue(), 30).strip() == ""


def test_not_a_terminal_draws_nothing() -> None:
    out = io.StringIO()
    progress = Progress("复核", stream=out)
    progress(1, 2, "a")
    progress.step("b")
    progress.done()
    assert out.getvalue() == ""


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("columns", [36, 100])
def test_review_on_a_real_pseudo_terminal(columns: int, tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios
    import tty

    folder = tmp_path / "很长的文件夹名称用来测试截断"
    folder.mkdir()
    seed = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
    for i in range(6):
        (folder / f"岳阳楼区岳阳楼街道办事处第{i}份自评表.yaml").write_bytes(seed.read_bytes())
    master, slave = pty.openpty()
    tty.setraw(slave)  # no newline translation: what the program writes is what is read
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    with os.fdopen(os.dup(slave), "w") as stream:
        assert terminal_columns(stream) == columns
    for command in ("review", "score"):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from perfscore.cli import main; sys.exit(main())",
                command,
                str(folder),
                *(["--fail-on", "never"] if command == "review" else []),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, command
        written = _drain(master)
        written = re.sub(r"共 \d+ 份表单[^\r\n]*\n$", "", written)  # score's summary line
        assert _screen(written, columns).strip() == "", (command, written)
        if command == "review":  # a total is known: the bar is drawn at least once
            assert "复核 [" in written
    os.close(master)
    os.close(slave)


def _drain(fd: int) -> str:
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except (BlockingIOError, OSError):
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8")
