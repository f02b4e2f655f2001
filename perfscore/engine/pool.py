"""An order-keeping map over worker processes with a bounded read-ahead.

``multiprocessing.Pool.imap`` (and ``Executor.map``) read their whole input before handing out
work, so a stream of a million forms would sit in memory. :func:`ordered_map` instead keeps at
most ``window`` chunks of ``chunk_size`` items in flight: it reads the next chunk only when the
oldest one has come back, and yields results in the order the items were read.

The function applied is a picklable callable (a "job") installed once in every worker by the
pool's initializer, so its expensive state (a built template, a template cache) is made once
per process; only the items (lines of text, paths) and the results cross process boundaries.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol, TypeVar

import attrs

from ..errors import InputTypeError, PerfscoreError

__all__ = ["Runner", "max_workers", "ordered_map", "worker_count"]

T = TypeVar("T")
R = TypeVar("R")

#: The job installed in this worker process (None in the parent).
_JOB: Callable[[Any], Any] | None = None


class Runner(Protocol):
    """Something other than local processes that runs a batch (``jobs=`` takes one), such as
    :class:`perfscore.batch.dask_map.DaskRunner`: the same order-keeping, bounded map elsewhere."""

    def ordered_map(
        self,
        job: Callable[[T], R],
        items: Iterable[T],
        *,
        chunk_size: int = 16,
        window: int | None = None,
    ) -> Iterator[R]: ...


#: Workers per CPU at most: more only costs memory (``--jobs 100000`` once ran a machine out).
WORKERS_PER_CPU = 4


def max_workers() -> int:
    """The largest number of worker processes allowed: 4 × the number of CPUs."""
    return WORKERS_PER_CPU * (os.cpu_count() or 1)


def worker_count(jobs: int | Runner) -> int | Runner:
    """``jobs`` as a number of processes: ``0`` means one per CPU; negative or more than
    :func:`max_workers` is refused. A :class:`Runner` is passed through."""
    if hasattr(jobs, "ordered_map") and not isinstance(jobs, int):
        return jobs
    if isinstance(jobs, bool) or not isinstance(jobs, int):
        raise InputTypeError(
            f"jobs 应为整数，而不是 {type(jobs).__name__}", value=repr(jobs)[:80], expected="≥ 0"
        )
    if jobs < 0:
        raise InputTypeError(
            f"jobs 不能为负数（{jobs}）", value=jobs, expected="≥ 1 的进程数，或 0（每个 CPU 一个）"
        )
    if jobs > max_workers():
        raise InputTypeError(
            f"jobs 太大（{str(jobs)[:20]}）：最多 {max_workers()} 个进程（CPU 数的 4 倍）",
            value=str(jobs)[:20],
            expected=f"0 到 {max_workers()}",
        )
    return jobs or (os.cpu_count() or 1)


def _watch_parent(parent: int) -> None:
    """In a worker: exit as soon as the parent process is gone (SIGKILL leaves no chance to
    stop the pool; without this the workers would wait on their queue forever)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _install(job: Callable[[Any], Any], parent: int) -> None:
    global _JOB  # noqa: PLW0603 - one job per worker process, set once by the initializer
    # Ctrl-C reaches the whole process group: the parent stops the pool, workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's SIGTERM/SIGHUP handlers are inherited by fork: a worker just ends.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _JOB = job


def _run_chunk(items: list[Any]) -> list[Any]:
    job = _JOB
    assert job is not None, "worker started without a job"
    return [job(item) for item in items]


#: A chunk is closed early once the texts it carries (JSON Lines records) reach this many
#: characters, so that large chunks of small records do not mean large chunks of large ones:
#: what is read ahead stays about ``window`` × this, whatever the records' size.
CHUNK_TEXT = 1 << 20
#: What a form file (a source without text, read by the worker) counts for against
#: CHUNK_TEXT: at most 16 files go in a chunk, so that a folder's forms, of any size, are
#: still shared out evenly however large ``chunk_size`` is.
FILE_TEXT = CHUNK_TEXT // 16


def _weight(item: object) -> int:
    text = getattr(item, "text", "")
    if text is None:
        return FILE_TEXT
    return len(text) if isinstance(text, str) else 0


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while True:
        chunk: list[T] = []
        held = 0
        for item in iterator:
            chunk.append(item)
            held += _weight(item)
            if len(chunk) >= size or held >= CHUNK_TEXT:
                break
        if not chunk:
            return
        yield chunk


def ordered_map(
    job: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int | Runner = 1,
    chunk_size: int = 16,
    window: int | None = None,
) -> Iterator[R]:
    """``job(item)`` for every item, in input order, in ``jobs`` processes (1: in this one),
    or on the :class:`Runner` given as ``jobs``.

    With several processes, at most ``window`` (default ``2 × jobs``) chunks of ``chunk_size``
    items are read ahead and in flight at any time, so memory does not grow with the input; a
    chunk of sources is closed early at :data:`CHUNK_TEXT` characters of JSON Lines text, or
    16 form files.
    ``job`` must be picklable and should not raise (turn failures into results): an exception
    escaping it stops the map. When a worker process dies, the items in flight that are
    :class:`~perfscore.read.sources.FormSource` are handed to ``job`` as sources with a
    ``problem`` (so each becomes an error record) and the map goes on in a new pool; other
    items raise PerfscoreError. Workers exit when this process is gone.
    """
    processes = worker_count(jobs)
    if not isinstance(processes, int):
        yield from processes.ordered_map(job, items, chunk_size=chunk_size, window=window)
        return
    if processes == 1:
        for item in items:
            yield job(item)
        return
    size = max(1, chunk_size)
    in_flight = max(1, window if window is not None else 2 * processes)
    chunks = _chunks(items, size)

    first = list(islice(chunks, in_flight))
    if not first:
        return
    # Never more workers than chunks of work (a fork pool starts all its workers at once).
    workers = min(processes, len(first))

    def start() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers, initializer=_install, initargs=(job, os.getpid())
        )

    pool = start()
    pending: deque[tuple[Future[list[R]], list[T]]] = deque()
    try:
        for chunk in first:
            pending.append((pool.submit(_run_chunk, chunk), chunk))
        while pending:
            future, chunk = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool as exc:
                # A worker died (the OOM killer, a signal): every form in flight is reported
                # as an error where it came from, and a new pool goes on with the rest.
                lost = [chunk, *(c for _f, c in pending)]
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for item in (i for c in lost for i in c):
                    yield job(_lost(item, exc))
                pool = start()
                for more in islice(chunks, in_flight):
                    pending.append((pool.submit(_run_chunk, more), more))
                continue
            # Refill before handing results out, so the workers stay busy meanwhile.
            for more in islice(chunks, 1):
                pending.append((pool.submit(_run_chunk, more), more))
            yield from results
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM, the consumer stopping): the workers are stopped
        # now. A pool interrupted while starting may never send them its stop sentinel, and
        # Python's exit then waits for them forever.
        _stop(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    try:
        pool.shutdown(wait=False, cancel_futures=True)
    finally:
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join(timeout=5)


def _lost(item: Any, exc: BaseException) -> Any:
    """The item whose worker died, as a source that reports it (not read again)."""
    from ..read.sources import FormSource

    error = PerfscoreError(
        "计算进程意外退出（可能因内存不足被系统终止），这份表单未处理；可改用 --jobs 1 重试",
        value=str(exc)[:200],
    )
    if isinstance(item, FormSource):
        error.file = item.file
        error.line = item.line
        return attrs.evolve(item, problem=error)
    raise error from None
