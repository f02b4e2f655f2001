"""Batch throughput on one machine: ``--jobs 1``, ``--jobs 2`` and a Dask ``LocalCluster``.

Each configuration scores the same JSON Lines file of synthetic forms with ``score_jsonl``
(the path of ``perfscore score --format jsonl``), writing every result line; the outputs are
checked to be byte-identical. Printed: forms per second, µs per form, the ratio to ``--jobs 1``
measured in the same run, and for Dask the fixed cost of starting the cluster (kept apart, since
a platform's cluster is already running).

    python benchmarks/dask_batch.py                  # 100,000 forms, 1 and 2 Dask workers
    python benchmarks/dask_batch.py --forms 20000    # quicker
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

import perfscore
from perfscore.batch import score_jsonl


def write_forms(path: Path, count: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for data in synthetic.forms(count, seed=seed):
            out.write(json.dumps(data, ensure_ascii=False) + "\n")


def timed(run: Callable[[], Iterator[str]]) -> tuple[float, str, int]:
    """Seconds, a digest of all output and the number of lines."""
    digest = hashlib.sha256()
    lines = 0
    start = time.perf_counter()
    for text in run():
        digest.update(text.encode("utf-8"))
        lines += 1
    return time.perf_counter() - start, digest.hexdigest(), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--workers", type=int, action="append", default=None)
    args = parser.parse_args()
    try:
        from distributed import Client, LocalCluster

        from perfscore.batch.dask_map import DaskRunner
    except ImportError:
        print("distributed 未安装：pip install -e '.[dask]'", file=sys.stderr)
        raise SystemExit(2) from None

    template = perfscore.loads_template(synthetic.template_text())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forms.jsonl"
        write_forms(path, args.forms, args.seed)

        def run(jobs: object) -> Callable[[], Iterator[str]]:
            def go() -> Iterator[str]:
                with path.open(encoding="utf-8") as lines:
                    yield from score_jsonl(lines, template=template, jobs=jobs)  # type: ignore[arg-type]

            return go

        results: list[tuple[str, float, str]] = []
        for jobs in (1, 2):
            seconds, digest, lines = timed(run(jobs))
            assert lines == args.forms, (jobs, lines)
            results.append((f"--jobs {jobs}", seconds, digest))
        for workers in args.workers or [1, 2]:
            start = time.perf_counter()
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            )
            client = Client(cluster)
            startup = time.perf_counter() - start
            try:
                seconds, digest, lines = timed(run(DaskRunner(client, chunk_size=64)))
                assert lines == args.forms, (workers, lines)
            finally:
                client.close()
                cluster.close()
            results.append(
                (f"Dask {workers} 个工作进程（启动 {startup:.1f} s 另计）", seconds, digest)
            )

    base = results[0][1]
    print(f"{args.forms} 份表单，JSON Lines 进、JSON Lines 出（score_jsonl）：")
    print(f"{'配置':<36}{'份/秒':>10}{'µs/份':>10}{'相对 --jobs 1':>14}")
    for name, seconds, digest in results:
        same = "" if digest == results[0][2] else "  ✗ 输出与 --jobs 1 不同"
        rate = args.forms / seconds
        print(
            f"{name:<36}{rate:>10.0f}{seconds / args.forms * 1e6:>10.1f}{base / seconds:>13.2f}×{same}"
        )


if __name__ == "__main__":
    main()
