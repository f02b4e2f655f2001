"""An order-keeping map over a Dask cluster, with the same contract as ``ordered_map``.

:class:`DaskRunner` is what ``jobs=`` takes when a batch should run on Dask instead of local
processes: :func:`perfscore.engine.pool.ordered_map` hands the work to its
:meth:`~DaskRunner.ordered_map`. The job (a built template and its caches) is sent to every
worker once, by ``Client.scatter(..., broadcast=True)``; only chunks of items (raw JSON lines,
paths) and results travel afterwards. At most ``window`` chunks are in flight, so the input is
read lazily and memory does not grow with it, and results come back in input order.

A worker that dies mid-chunk is Dask's business: the scheduler reruns the chunk elsewhere (up
to ``distributed.scheduler.allowed-failures`` times), so the output stays complete and in
order. Dask is an optional dependency (``pip install 'perfscore[dask]'``); importing this
module does not import it.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from ..errors import PerfscoreError

__all__ = ["DaskRunner", "RunnerUnavailable", "dask_missing", "open_runner"]

T = TypeVar("T")
R = TypeVar("R")

LOCAL = "local"


class RunnerUnavailable(PerfscoreError):
    """Dask is not installed, or the scheduler cannot be reached: nothing was run."""


def dask_missing(exc: ImportError) -> RunnerUnavailable:
    """The error for a Dask path used without the extra installed."""
    return RunnerUnavailable(
        f"未安装 Dask（{exc.name or exc}）：请先运行 pip install 'perfscore[dask]'",
        expected="已安装 dask 与 distributed",
    )


def _run_chunk(job: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [job(item) for item in items]


class DaskRunner:
    """Runs batch jobs on a ``distributed.Client``; pass it as ``jobs=`` to any batch function.

    ``chunk_size`` items go out per task (default 64: a Dask task costs about a millisecond
    to schedule, so chunks are larger than a local pool's) and at most ``window`` tasks are in
    flight (default: two per worker thread of the cluster).
    """

    def __init__(self, client: Any, *, chunk_size: int | None = 64, window: int | None = None):
        self.client = client
        self.chunk_size = chunk_size
        self.window = window

    def __repr__(self) -> str:
        return f"DaskRunner({self.client!r})"

    def slots(self) -> int:
        """Worker threads in the cluster now (at least 1)."""
        info = self.client.scheduler_info()
        threads = sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())
        return max(1, threads)

    def ordered_map(
        self,
        job: Callable[[T], R],
        items: Iterable[T],
        *,
        chunk_size: int = 16,
        window: int | None = None,
    ) -> Iterator[R]:
        """``job(item)`` for every item, in input order, on the cluster."""
        size = max(1, self.chunk_size or chunk_size)
        in_flight = max(1, self.window or window or 2 * self.slots())
        # One copy of the job per worker, sent before any chunk: not once per task.
        shipped = self.client.scatter(job, broadcast=True, hash=False)
        iterator = iter(items)
        pending: deque[Any] = deque()

        def submit() -> bool:
            chunk = list(islice(iterator, size))
            if not chunk:
                return False
            # pure=False: two equal chunks (the same line twice) are still two tasks.
            pending.append(self.client.submit(_run_chunk, shipped, chunk, pure=False))
            return True

        try:
            for _ in range(in_flight):
                if not submit():
                    break
            while pending:
                future = pending.popleft()
                try:
                    results: list[R] = future.result()
                except Exception as exc:  # the cluster gave up on this chunk
                    raise PerfscoreError(
                        f"Dask 集群未能完成一批表单（{type(exc).__name__}：{exc}），批处理未完成；"
                        "可改用 --jobs 1 重试"
                    ) from None
                submit()  # refill first, so the workers stay busy while results are handed out
                yield from results
        finally:
            for future in pending:
                future.cancel()


@contextlib.contextmanager
def open_runner(where: str, *, workers: int = 2) -> Iterator[DaskRunner]:
    """A runner for ``--dask``: ``local`` starts a ``LocalCluster`` of ``workers`` processes
    on this machine (closed on exit); anything else is a scheduler address (``tcp://…:8786``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise dask_missing(exc) from None
    if where == LOCAL:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=50,  # logging.CRITICAL: the batch output is the only output
        )
        client = Client(cluster)
        try:
            yield DaskRunner(client)
        finally:
            client.close()
            cluster.close()
        return
    try:
        client = Client(where, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise RunnerUnavailable(
            f"无法连接 Dask 调度器 {where}：{exc}",
            value=where,
            expected="运行中的调度器地址，如 tcp://主机:8786，或 local",
        ) from None
    try:
        yield DaskRunner(client)
    finally:
        client.close()
