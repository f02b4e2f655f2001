"""``perfscore check --properties`` as a command: which templates, how failures are reported, the
exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import PerfscoreError, flatten
from ..read.yaml import load_yaml
from .properties import PROPERTIES, check_properties

if TYPE_CHECKING:
    from .properties import Failure

__all__ = ["run_properties"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


# ====================================================================== running


def run_properties(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """``perfscore check --properties TEMPLATE...``: 0 all hold, 1 a failure, 2 usage error."""
    stream = out if out is not None else sys.stdout
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        print(
            "perfscore check --properties 需要 hypothesis：pip install 'perfscore[properties]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    examples = int(getattr(args, "examples", 200) or 0)
    if examples < 1:
        print("perfscore check：--examples 应为正整数", file=sys.stderr)
        return EXIT_USAGE
    found = _template_files(args)
    if isinstance(found, int):
        return found
    files, _library = found
    # one process per CPU by default (0: the same), never more than there are templates
    jobs = getattr(args, "jobs", None) or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(files)))
    from ..engine.pool import ordered_map

    failed = 0
    job = _TemplateJob(args, examples)
    try:
        for text, count in ordered_map(job, files, jobs=jobs, chunk_size=1, window=jobs):
            stream.write(text)
            stream.flush()
            failed += count
    except PerfscoreError as err:  # a worker process died
        print(f"perfscore check：{err}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"共 {len(files)} 个模板、{len(PROPERTIES)} 条性质，每条 {examples} 例："
        + ("全部成立" if not failed else f"{failed} 项不成立"),
        file=stream,
    )
    return EXIT_FAILED if failed else EXIT_OK


class _TemplateJob:
    """Check one template's properties and give back (what to print, failures): picklable,
    so that several templates are checked at once in worker processes (``--jobs``)."""

    def __init__(self, args: argparse.Namespace, examples: int) -> None:
        self.args = args
        self.examples = examples
        self.library: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"args": self.args, "examples": self.examples}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.args, self.examples, self.library = state["args"], state["examples"], None

    def __call__(self, item: tuple[Path, str]) -> tuple[str, int]:
        import io

        path, ref = item
        if self.library is None:
            found = _template_files(self.args)
            assert not isinstance(found, int), "the templates were found by the parent"
            self.library = found[1]
        stream = io.StringIO()
        failed = 0
        print(f"模板 {ref}（{path}）", file=stream)
        try:
            template = self.library.build(load_yaml(path))
        except PerfscoreError as err:
            print("  ✗ 模板无法构建，性质检验未运行：", file=stream)
            for e in flatten(err):
                print(f"      {e.kind}：{e}", file=stream)
            return stream.getvalue(), 1
        started, cpu = time.perf_counter(), time.process_time()
        results = check_properties(
            template,
            examples=self.examples,
            seed=int(getattr(self.args, "seed", 0) or 0),
            database=getattr(self.args, "database", None),
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        for prop, failure in results:
            if failure is None:
                print(f"  ✓ {prop.title}", file=stream)
                continue
            failed += 1
            print(f"  ✗ {prop.title}", file=stream)
            _report(failure, ref, stream)
        print(f"  用时 {elapsed:.1f} 秒（CPU {cpu:.1f} 秒）", file=stream)
        return stream.getvalue(), failed


def _template_files(args: argparse.Namespace) -> tuple[list[tuple[Path, str]], Any] | int:
    from .examples import template_files

    found = template_files(args)
    if isinstance(found, int):
        return found
    library, files = found
    return [(f, _reference(f, library)) for f in files], library


def _reference(path: Path, library: Any) -> str:
    """The id when ``perfscore score`` finds the template by it, else the path as given."""
    try:
        data = load_yaml(path).data
        ref = str(data.get("id")) if isinstance(data, Mapping) else ""
        if ref and library.find(ref).resolve() == path.resolve():
            from ..build.library import default_library

            if default_library().find(ref).resolve() == path.resolve():
                return ref
    except (PerfscoreError, OSError):
        pass
    return str(path)


def _report(failure: Failure, ref: str, stream: TextIO) -> None:
    import yaml

    for line in failure.message.splitlines():
        print(f"      {line}", file=stream)
    for i, form in enumerate(failure.forms):
        data = dict(form)
        data["template"] = ref
        caption = failure.captions[i] if i < len(failure.captions) else "最小反例"
        name = "反例.yaml" if len(failure.forms) == 1 else f"反例{i + 1}.yaml"
        print(
            f"      {caption}（保存为 {name}，在当前目录运行 perfscore score {name}）：",
            file=stream,
        )
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        for line in text.splitlines():
            print(f"        {line}", file=stream)
