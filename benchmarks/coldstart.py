"""Cold start: ``perfscore score <example>`` in a fresh process, against its dependencies alone.

    python benchmarks/coldstart.py [--runs 20]

Three commands, each started ``runs`` times as a fresh process, in turn (a, b, c, a, b, c, ...)
so they share the machine's noise:

(a) ``python -c "import yaml, jsonschema, simpleeval, attrs"``: the dependencies alone, the
    baseline (perfscore cannot start faster than the libraries it is built on);
(b) ``perfscore score examples/yueyanglou-2023/unit-self-evaluation.yaml``, the command the
    README shows, through the installed console script next to ``sys.executable`` when there
    is one, else ``python -c "from perfscore.cli import main; ..."`` (what that script runs;
    there is no ``perfscore/__main__.py``, so no ``python -m perfscore``);
(c) ``python -c pass``: the interpreter's own start-up, for reference.

Prints the medians in ms and the ratio (b)/(a); the goal is a ratio of at most 2.

Bytecode. By default the runs use a bytecode cache of their own (``PYTHONPYCACHEPREFIX`` set to
a temporary directory, filled by an untimed first run), as an installed perfscore has: every
module, perfscore's and its dependencies', is read from a ``.pyc``. ``--no-bytecode`` sets
``PYTHONDONTWRITEBYTECODE=1`` and no prefix instead, so a checkout without ``__pycache__``
compiles perfscore's modules from source on every start (the dependencies still use the
``.pyc`` files installed with them): that measures source size as much as import work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

__all__ = ["COMMANDS", "measure", "score_command"]

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
GOAL = 2.0


def score_command() -> list[str]:
    """The ``perfscore score`` command line: the console script if installed, else its code."""
    script = Path(sys.executable).with_name("perfscore")
    args = ["score", str(FORM)]
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), *args]
    code = f"import sys; from perfscore.cli import main; sys.exit(main({args!r}))"
    return [sys.executable, "-c", code]


#: name -> command line; (a), (b) and (c) of the module docstring.
COMMANDS: dict[str, list[str]] = {
    "deps": [sys.executable, "-c", "import yaml, jsonschema, simpleeval, attrs"],
    "score": score_command(),
    "python": [sys.executable, "-c", "pass"],
}


def _run(command: list[str], env: Mapping[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )
    return time.perf_counter() - start


def measure(runs: int = 20, *, bytecode: bool = True) -> dict[str, float]:
    """Median wall time in ms of each command in :data:`COMMANDS`, and ``ratio`` = score/deps.

    One untimed run of each first (to warm the file cache and the bytecode cache), then
    ``runs`` timed rounds, alternating the commands within each round. ``bytecode``: with a
    private bytecode cache (the default), or compiling perfscore from source each time (see
    the module docstring).
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPYCACHEPREFIX",)}
    cache = tempfile.mkdtemp(prefix="perfscore-coldstart-") if bytecode else None
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        for command in COMMANDS.values():
            _run(command, env)
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(runs):
            for name, command in COMMANDS.items():
                times[name].append(_run(command, env))
    finally:
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
    out = {name: statistics.median(values) * 1000 for name, values in times.items()}
    out["ratio"] = out["score"] / out["deps"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each (default 20)")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="no bytecode cache: compile perfscore from source on every start",
    )
    args = parser.parse_args(argv)
    result = measure(args.runs, bytecode=not args.no_bytecode)
    labels = {
        "deps": "(a) import yaml, jsonschema, simpleeval, attrs",
        "score": "(b) perfscore score " + str(FORM.relative_to(ROOT)),
        "python": "(c) python -c pass",
    }
    cache = "no bytecode cache" if args.no_bytecode else "bytecode cached"
    print(f"cold start, median of {args.runs} fresh processes each ({cache}):")
    for name, label in labels.items():
        print(f"  {label:<70} {result[name]:7.1f} ms")
    verdict = "ok" if result["ratio"] <= GOAL else "over the goal"
    print(f"  ratio (b)/(a) = {result['ratio']:.2f}  (goal ≤ {GOAL:g}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
