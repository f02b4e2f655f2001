"""Writing output files atomically: an interrupted write leaves the previous file intact."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import PerfscoreError

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, fsync it, then rename over ``path``."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise PerfscoreError(f"无法写入输出文件：{exc.strerror}", file=str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PerfscoreError(f"无法写入输出文件：{exc.strerror}", file=str(path)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
