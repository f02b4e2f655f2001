"""perfscore's benchmark: every figure a ratio to a baseline measured in the same run.

    python benchmarks/run.py                    # the whole set (a few minutes on 2 cores)
    python benchmarks/run.py --quick            # fewer forms and runs, no 100,000-form batch

Not part of the test suite: machines are noisy and shared, so speed is never asserted by a
test. Each figure is the median of ``--runs`` runs; runs of the engines being compared are
interleaved so that a busy moment of the machine falls on all of them alike.

Per form, on the synthetic system of ``synthetic.py`` (budget execution + 20 indicators):

* floor: the scoring written by hand (``floor.py``), plain Python and Decimal;
* perfscore: the system built once, then each form bound and evaluated with full results
  (explanations are rendered when read: a second line reads every one of them);
* perfscore batch: JSON Lines text in, JSON Lines results out (``perfscore.batch.score_jsonl``),
  against the floor doing the same (``json.loads`` → score → ``json.dumps``);
* ZEN: the GoRules ZEN engine on the same rules as a JDM decision model (``zen_rules.py``).

Then: cold start of ``perfscore score`` against importing its dependencies alone; building a
500-indicator template against ``yaml.safe_load`` of the same text; the peak memory of a batch
of 10,000 and of 100,000 forms (``perfscore score --format jsonl -``, in a child process).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import floor  # noqa: E402
import synthetic  # noqa: E402

import perfscore  # noqa: E402
from perfscore.batch import score_jsonl  # noqa: E402


def per_item(func: Callable[[], object], count: int) -> float:
    """Seconds per item of one call of ``func`` that handles ``count`` items."""
    gc.collect()
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) / count


def interleaved(cases: dict[str, Callable[[], object]], count: int, runs: int) -> dict[str, float]:
    """Median seconds per item of each case, the cases taking turns within every run."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, func in cases.items():
            times[name].append(per_item(func, count))
    return {name: statistics.median(values) for name, values in times.items()}


def check_agreement(template: perfscore.Template, forms: Sequence[dict[str, Any]]) -> int:
    """Forms where perfscore and the floor differ in any item, the total or the grade."""
    shape = floor.structure()
    differ = 0
    for data in forms:
        expected = floor.score(data, shape)
        result = perfscore.evaluate(perfscore.load_form(data, template=template))
        items = {leaf.name: leaf.score for leaf in result.leaves()}
        if (
            items != expected["items"]
            or result.total != expected["total"]
            or result.grade != expected["grade"]
        ):
            differ += 1
    return differ


def row(name: str, seconds: float, base: float) -> str:
    return f"  {name:44} {seconds * 1e6:10.1f} {1 / seconds:10.0f} {seconds / base:8.2f}×"


def engines(args: argparse.Namespace) -> None:
    print(f"== 每份表单（{args.forms} 份合成表单，{args.runs} 次取中位数） ==")
    template = perfscore.loads_template(synthetic.template_text())
    forms = list(synthetic.forms(args.forms, seed=args.seed))
    lines = [json.dumps(f, ensure_ascii=False) + "\n" for f in forms]
    shape = floor.structure()
    differ = check_agreement(template, forms)
    print(f"  perfscore 与 floor 逐项、总分、等级一致：{len(forms) - differ}/{len(forms)} 份")

    def perfscore_eval() -> None:
        for data in forms:
            perfscore.evaluate(perfscore.load_form(data, template=template))

    def perfscore_read_all() -> None:
        for data in forms:
            result = perfscore.evaluate(perfscore.load_form(data, template=template))
            for leaf in result.leaves():
                leaf.explanation  # noqa: B018 - rendering is the point
                leaf.target_canonical  # noqa: B018
                leaf.actual_canonical  # noqa: B018

    def floor_eval() -> None:
        for data in forms:
            floor.score(data, shape)

    def floor_lines() -> None:
        for line in lines:
            floor.score_line(line, shape)

    # What the floor would pay to write what perfscore writes: the same result line (explanations,
    # parsed texts, digest) as a ready-made dict through json's C encoder. A bound for a writer
    # of this output, not a scorer: nothing in it is computed.
    written = [json.loads(out) for out in score_jsonl(lines, template=template)]
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def floor_lines_same_output() -> None:
        for line, result in zip(lines, written, strict=True):
            floor.score(json.loads(line), shape)
            encode(result)

    def perfscore_lines() -> None:
        for _out in score_jsonl(lines, template=template):
            pass

    def perfscore_lines_2() -> None:
        for _out in score_jsonl(lines, template=template, jobs=2):
            pass

    # `perfscore score --format jsonl` as a user runs it, in this process (no start-up): the
    # template from a folder, the output to /dev/null, through the bytes path workers feed.
    folder = Path(tempfile.mkdtemp(prefix="perfscore-bench-"))
    (folder / "bench").mkdir()
    (folder / "bench" / "synthetic.yaml").write_text(synthetic.template_text(), encoding="utf-8")
    (folder / "forms.jsonl").write_text("".join(lines), encoding="utf-8")

    def cli_jsonl(jobs: int) -> Callable[[], object]:
        argv = ["score", str(folder / "forms.jsonl"), "--format", "jsonl", "--no-progress"]
        argv += ["-T", str(folder), "-o", os.devnull, "--jobs", str(jobs)]

        def run() -> None:
            from contextlib import redirect_stderr
            from io import StringIO

            from perfscore.cli import main as cli_main

            with redirect_stderr(StringIO()):  # the one-line summary
                cli_main(argv)

        return run

    cases: dict[str, Callable[[], object]] = {
        "floor": floor_eval,
        "perfscore": perfscore_eval,
        "perfscore, every explanation read": perfscore_read_all,
        "floor, JSON Lines in and out": floor_lines,
        "floor, writing perfscore's result line": floor_lines_same_output,
        "perfscore batch (score_jsonl)": perfscore_lines,
        "perfscore batch, jobs=2 (two processes)": perfscore_lines_2,
        "perfscore score --format jsonl (CLI)": cli_jsonl(1),
        "perfscore score --format jsonl --jobs 2": cli_jsonl(2),
    }
    bound = [perfscore.load_form(data, template=template) for data in forms]

    def perfscore_bound() -> None:
        for form in bound:
            perfscore.evaluate(form)

    cases["perfscore, evaluate() of bound forms"] = perfscore_bound
    zen_names = []
    try:
        import zen_rules

        for parse, title in (
            ("zen", "ZEN, parsing in the model"),
            ("python", "ZEN, parsing in Python"),
        ):
            decision = zen_rules.make_decision(parse=parse)
            differ = sum(
                zen_rules.score(decision, data)
                != ((e := floor.score(data, shape))["items"], e["total"], e["grade"])
                for data in forms
            )
            print(f"  {title} 与 floor 逐项、总分、等级一致：{len(forms) - differ}/{len(forms)} 份")

            def zen_eval(decision: Any = decision) -> None:
                for data in forms:
                    zen_rules.score(decision, data)

            cases[title] = zen_eval
            zen_names.append(title)
    except ImportError as exc:
        print(f"  ZEN：未测（{exc}）")
    median = interleaved(cases, len(forms), args.runs)
    base = median["floor"]
    line_base = median["floor, JSON Lines in and out"]
    print(f"  {'':44} {'µs/份':>10} {'份/秒':>10} {'倍数':>9}")
    for name in (
        "floor",
        "perfscore",
        "perfscore, every explanation read",
        "perfscore, evaluate() of bound forms",
        *zen_names,
    ):
        print(row(name, median[name], base))
    print("  -- 以 JSON Lines 文本进、出（倍数相对于 floor 同样读写 JSON）")
    print(row("floor, JSON Lines in and out", line_base, line_base))
    print(
        row(
            "floor, writing perfscore's result line",
            median["floor, writing perfscore's result line"],
            line_base,
        )
    )
    pairs = (
        ("perfscore batch (score_jsonl)", "perfscore batch, jobs=2 (two processes)"),
        ("perfscore score --format jsonl (CLI)", "perfscore score --format jsonl --jobs 2"),
    )
    for pair in pairs:
        for name in pair:
            print(row(name, median[name], line_base))
    same = median["floor, writing perfscore's result line"]
    print(
        "  score_jsonl 相对“floor 写出同样的结果行”："
        f"{median['perfscore batch (score_jsonl)'] / same:.2f}×"
    )
    for one, two in pairs:  # the figure issue 20 asks about, said outright
        print(f"  {two}：比 jobs=1 快 {median[one] / median[two]:.2f}×（同一次运行，中位数）")
    shutil.rmtree(folder, ignore_errors=True)


def cold_start(args: argparse.Namespace) -> None:
    import coldstart

    print(f"== 冷启动（{args.cold_runs} 次新进程取中位数） ==")
    figures = coldstart.measure(args.cold_runs)
    print(f"  python -c pass                               {figures['python']:9.1f} ms")
    print(f"  import yaml, jsonschema, simpleeval, attrs   {figures['deps']:9.1f} ms     1.00×")
    print(
        f"  perfscore score <示例表单>                    {figures['score']:9.1f} ms {figures['ratio']:8.2f}×"
    )


def build(args: argparse.Namespace) -> None:
    n = args.indicators
    print(f"== 构建 {n} 个三级指标的模板（{args.runs} 次取中位数） ==")
    text = synthetic.template_text(n)
    median = interleaved(
        {
            "yaml.safe_load": lambda: yaml.safe_load(text),
            "perfscore.loads_template": lambda: perfscore.loads_template(text),
        },
        1,
        args.runs,
    )
    base = median["yaml.safe_load"]
    for name, seconds in median.items():
        print(f"  {name:44} {seconds * 1e3:9.1f} ms {seconds / base:8.2f}×")


def peak_memory(count: int, folder: Path, seed: int) -> tuple[int, float]:
    """(peak RSS in KiB, seconds) of ``perfscore score --format jsonl -`` over ``count`` forms."""
    path = folder / f"forms-{count}.jsonl"
    template = folder / "bench-template.yaml"
    template.write_text(synthetic.template_text(), encoding="utf-8")
    with path.open("w", encoding="utf-8") as out:
        for data in synthetic.forms(count, seed=seed):
            data["template"] = str(template)
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
    # VmHWM, the peak of this process's own memory: ru_maxrss would also count the pages of
    # the (large) benchmark process it was forked from, which Linux carries across exec.
    code = (
        "import sys\n"
        "from perfscore.cli import main\n"
        "code = main(['score', '--format', 'jsonl', '-o', sys.argv[2], sys.argv[1]])\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        "print(status)\n"
        "sys.exit(code)\n"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(folder / "out.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"perfscore score 失败：{done.stderr[-2000:]}")
    path.unlink()
    return int(done.stdout.strip().splitlines()[-1]), seconds


def memory(args: argparse.Namespace) -> None:
    counts = [int(c) for c in args.memory.split(",") if c]
    if not counts:
        return
    print("== 批量计分的峰值内存（perfscore score --format jsonl，子进程） ==")
    with tempfile.TemporaryDirectory() as tmp:
        peaks = []
        for count in counts:
            kib, seconds = peak_memory(count, Path(tmp), args.seed)
            peaks.append(kib)
            print(f"  {count:>9,} 份  峰值 {kib / 1024:8.1f} MiB  用时 {seconds:7.1f} s")
    if len(peaks) > 1:
        print(f"  最多与最少份数的峰值之比：{peaks[-1] / peaks[0]:.3f}")


def properties(args: argparse.Namespace) -> None:
    """``perfscore check --properties indicators/`` in a child process: wall and CPU time."""
    examples = 20 if args.quick else 200
    print(f"== perfscore check --properties indicators/（每条 {examples} 例） ==")
    command = [sys.executable, "-m", "perfscore.cli", "check", "--properties"]
    command += ["--examples", str(examples), str(ROOT / "indicators")]
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    name = ""
    for line in done.stdout.splitlines():
        if line.startswith("模板 "):
            name = line.split("（", 1)[0][3:]
        elif line.startswith("  用时 "):
            print(f"  {name:44s} {line.strip()}")
    print(f"  合计：{wall:.1f} s（子进程 CPU {cpu:.1f} s），退出码 {done.returncode}")


def dask_batch(args: argparse.Namespace) -> None:
    """--jobs 1, --jobs 2 and a Dask LocalCluster of 1 and 2 workers (benchmarks/dask_batch.py)."""
    import subprocess

    forms = "100000" if not args.quick else "2000"
    subprocess.run(
        [sys.executable, str(Path(__file__).with_name("dask_batch.py")), "--forms", forms],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000, help="每轮的表单数（默认 2000）")
    parser.add_argument("--runs", type=int, default=7, help="取中位数的轮数（默认 7）")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--cold-runs", type=int, default=20)
    parser.add_argument("--indicators", type=int, default=500)
    parser.add_argument("--memory", default="10000,100000", help="逗号分隔的表单数")
    parser.add_argument("--quick", action="store_true", help="少量表单和轮数，用于试跑")
    parser.add_argument(
        "--only",
        choices=("engines", "cold", "build", "memory", "properties", "dask"),
        action="append",
        default=None,
    )
    args = parser.parse_args()
    if args.quick:
        args.forms, args.runs, args.cold_runs, args.memory = 300, 3, 5, "1000,3000"
    print(
        f"Python {sys.version.split()[0]}，{os.cpu_count()} 核，perfscore {perfscore.__version__}"
    )
    parts = args.only or ["engines", "cold", "build", "memory", "properties"]
    if "engines" in parts:
        engines(args)
    if "cold" in parts:
        cold_start(args)
    if "build" in parts:
        build(args)
    if "memory" in parts:
        memory(args)
    if "properties" in parts:
        properties(args)
    if "dask" in parts:  # only when asked: it needs the dask extra and scores 100,000 forms
        dask_batch(args)


if __name__ == "__main__":
    main()
