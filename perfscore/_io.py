"""Writing output files atomically: an interrupted write leaves the previous file intact."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from .errors import PerfscoreError

__all__ = ["atomic_write"]


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
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _error(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
