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

import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol, TypeVar

from .errors import InputTypeError, PerfscoreError

__all__ = ["Runner", "ordered_map", "worker_count"]

T = TypeVar("T")
R = TypeVar("R")

#: The job installed in this worker process (None in the parent).
_JOB: Callable[[Any], Any] | None = None


class Runner(Protocol):
    """Something other than local processes that runs a batch (``jobs=`` takes one), such as
    :class:`perfscore._dask_map.DaskRunner`: the same order-keeping, bounded map elsewhere."""

    def ordered_map(
        self,
        job: Callable[[T], R],
        items: Iterable[T],
        *,
        chunk_size: int = 16,
        window: int | None = None,
    ) -> Iterator[R]: ...


def worker_count(jobs: int | Runner) -> int | Runner:
    """``jobs`` as a number of processes: ``0`` means one per CPU; negative is refused.
    A :class:`Runner` is passed through."""
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
    return jobs or (os.cpu_count() or 1)


def _install(job: Callable[[Any], Any]) -> None:
    global _JOB  # noqa: PLW0603 - one job per worker process, set once by the initializer
    # Ctrl-C reaches the whole process group: the parent stops the pool, workers stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _JOB = job


def _run_chunk(items: list[Any]) -> list[Any]:
    job = _JOB
    assert job is not None, "worker started without a job"
    return [job(item) for item in items]


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
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
    items are read ahead and in flight at any time, so memory does not grow with the input.
    ``job`` must be picklable and should not raise (turn failures into results): an exception
    escaping it stops the map. A worker process that dies raises PerfscoreError.
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
    pool = ProcessPoolExecutor(max_workers=processes, initializer=_install, initargs=(job,))
    pending: deque[Future[list[R]]] = deque()
    try:
        for chunk in islice(chunks, in_flight):
            pending.append(pool.submit(_run_chunk, chunk))
        while pending:
            try:
                results = pending.popleft().result()
            except BrokenProcessPool as exc:
                raise PerfscoreError(
                    f"计算进程意外退出（{exc}），批处理未完成；可改用 --jobs 1 重试"
                ) from None
            # Refill before handing results out, so the workers stay busy meanwhile.
            for chunk in islice(chunks, 1):
                pending.append(pool.submit(_run_chunk, chunk))
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
