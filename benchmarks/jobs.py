"""``--jobs 2`` against ``--jobs 1`` (issue 20): wall time, and where the CPU went.

    python benchmarks/jobs.py                          # 1,000 and 5,000 forms, 5 rounds
    python benchmarks/jobs.py --forms 2000 --runs 3

For each size, ``score_jsonl`` and ``perfscore score --format jsonl -o /dev/null`` (in this
process) run with one and with two processes, taking turns within every round. Printed: the
medians of wall time, of this process's CPU per form (with two processes every microsecond of
it is taken from a worker) and of the workers' CPU, and the speed-up jobs=2 / jobs=1 per round.

The machine is shared: a round is dropped when, during it, the machine's busy CPU time (from
``/proc/stat``) exceeds this process's and its children's by more than 8 % of the wall time,
and each round waits (at most 5 minutes) for a quiet second first. Not on Linux: no check.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

import perfscore  # noqa: E402
from perfscore.batch import score_jsonl  # noqa: E402
from perfscore.cli import main as cli_main  # noqa: E402


def busy() -> float | None:
    """Seconds of CPU the whole machine has been busy (None where /proc/stat is missing)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def wait_quiet(limit: float = 300) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        before = busy()
        time.sleep(1)
        after = busy()
        if before is None or after is None or after - before < 0.1:
            return


def measure(func: Callable[[], object]) -> dict[str, float]:
    gc.collect()
    machine, kids = busy(), os.times()
    cpu, start = time.process_time(), time.perf_counter()
    func()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    done = os.times()
    children = (done.children_user + done.children_system) - (
        kids.children_user + kids.children_system
    )
    after = busy()
    foreign = 0.0 if machine is None or after is None else (after - machine) - cpu - children
    return {"wall": wall, "parent": cpu, "children": children, "foreign": foreign}


def cases(count: int, seed: int, folder: Path) -> dict[tuple[str, int], Callable[[], object]]:
    template = perfscore.loads_template(synthetic.template_text())
    lines = [json.dumps(f, ensure_ascii=False) + "\n" for f in synthetic.forms(count, seed=seed)]
    (folder / "bench").mkdir(exist_ok=True)
    (folder / "bench" / "synthetic.yaml").write_text(synthetic.template_text(), encoding="utf-8")
    path = folder / f"forms-{count}.jsonl"
    path.write_text("".join(lines), encoding="utf-8")

    def api(jobs: int) -> Callable[[], object]:
        def run() -> None:
            for _line in score_jsonl(lines, template=template, jobs=jobs):
                pass

        return run

    def cli(jobs: int) -> Callable[[], object]:
        argv = ["score", str(path), "--format", "jsonl", "--no-progress", "-T", str(folder)]
        argv += ["-o", os.devnull, "--jobs", str(jobs)]

        def run() -> None:
            with contextlib.redirect_stderr(io.StringIO()):  # the one-line summary
                cli_main(argv)

        return run

    api(1)()  # the template built and the caches warm before anything is timed
    made: dict[tuple[str, int], Callable[[], object]] = {}
    for name, make in (("score_jsonl", api), ("perfscore score", cli)):
        for jobs in (1, 2):
            made[(name, jobs)] = make(jobs)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", default="1000,5000", help="逗号分隔的表单数（默认 1000,5000）")
    parser.add_argument("--runs", type=int, default=5, help="保留的轮数（默认 5）")
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()
    print(
        f"Python {sys.version.split()[0]}，{os.cpu_count()} 核，perfscore {perfscore.__version__}"
    )
    folder = Path(tempfile.mkdtemp(prefix="perfscore-jobs-"))
    try:
        for count in (int(n) for n in args.forms.split(",")):
            run_size(count, args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_size(count: int, args: argparse.Namespace, folder: Path) -> None:
    made = cases(count, args.seed, folder)
    kept: dict[tuple[str, int], list[dict[str, float]]] = {key: [] for key in made}
    dropped = 0
    while len(kept[next(iter(kept))]) < args.runs and dropped < 4 * args.runs:
        wait_quiet()
        round_ = {key: measure(func) for key, func in made.items()}
        if any(r["foreign"] > 0.08 * r["wall"] for r in round_.values()):
            dropped += 1
            continue
        for key, result in round_.items():
            kept[key].append(result)
    print(
        f"== {count} 份表单，{len(kept[next(iter(kept))])} 轮（另有 {dropped} 轮因机器上有其他负载而舍去） =="
    )
    print(f"  {'':28} {'墙钟 s':>8} {'父进程 µs/份':>12} {'工作进程 CPU s':>14} {'jobs=2 快':>10}")
    for name in ("score_jsonl", "perfscore score"):
        one, two = kept[(name, 1)], kept[(name, 2)]
        if not one:
            continue
        speed = statistics.median(a["wall"] / b["wall"] for a, b in zip(one, two, strict=True))
        for jobs, results in ((1, one), (2, two)):

            def median(field: str, results: list[dict[str, float]] = results) -> float:
                return statistics.median(r[field] for r in results)

            shown = f"{speed:.2f}×" if jobs == 2 else ""
            print(
                f"  {name + f', jobs={jobs}':28} {median('wall'):8.3f}"
                f" {median('parent') / count * 1e6:12.0f} {median('children'):14.2f} {shown:>10}"
            )


if __name__ == "__main__":
    main()
