"""Signals, worker processes, standard streams and output targets (issue 19, items 5-9).

Each run is a real ``perfscore`` process (``python -m perfscore.cli``) under a time limit and
an address-space limit, so a hang or a runaway is a failure, never a wait.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfscore import cli
from perfscore.engine.pool import max_workers, worker_count
from perfscore.errors import InputTypeError, PerfscoreError
from perfscore.render.io import AtomicFile, atomic_write

from ._support import SIMPLE_TEMPLATE, form_text

pytestmark = [
    pytest.mark.timeout(90),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and devices"),
]

FORM = form_text("{name: 场次, target: ≥10次, actual: 18次, weight: 100}")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def perfscore(*argv: str, cwd: Path, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "perfscore.cli", *argv],
        cwd=cwd,
        text=True,
        preexec_fn=_limit,  # noqa: PLW1509 - a resource limit only, no threads yet
        **kwargs,  # type: ignore[call-overload]
    )


def big_jsonl(directory: Path, forms: int = 4000) -> Path:
    (directory / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    record = {
        "kind": "form",
        "template": "template.yaml",
        "unit": "测试单位",
        "year": 2023,
        "indicators": {
            "指标": [{"name": "场次", "target": "≥10次", "actual": "18次", "weight": 100}]
        },
    }
    line = json.dumps(record, ensure_ascii=False)
    path = directory / "big.jsonl"
    path.write_text((line + "\n") * forms, encoding="utf-8")
    return path


def _wait_for(predicate: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# ------------------------------------------------------------------ 5: signals


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_signal_during_a_batch_removes_the_temporary_file(
    tmp_path: Path, signum: int, code: int, jobs: str
) -> None:
    big_jsonl(tmp_path)
    (tmp_path / "res.jsonl").write_text("previous\n", encoding="utf-8")
    proc = perfscore(
        "score",
        "big.jsonl",
        "-o",
        "res.jsonl",
        "--jobs",
        jobs,
        "--no-progress",
        cwd=tmp_path,
        stderr=subprocess.PIPE,
    )
    _wait_for(lambda: temps(tmp_path) or proc.poll() is not None)
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert temps(tmp_path) == []
    assert (tmp_path / "res.jsonl").read_text(encoding="utf-8") == "previous\n"
    assert "Traceback" not in err
    assert (signal.Signals(signum).name if signum != signal.SIGINT else "已中断") in err


def test_stale_temporary_file_of_a_killed_run_is_removed(tmp_path: Path) -> None:
    big_jsonl(tmp_path)
    proc = perfscore("score", "big.jsonl", "-o", "res.jsonl", cwd=tmp_path, stderr=subprocess.PIPE)
    _wait_for(lambda: temps(tmp_path) or proc.poll() is not None)
    proc.kill()
    proc.communicate(timeout=30)
    assert temps(tmp_path)  # SIGKILL leaves it: nothing can run
    atomic_write(tmp_path / "res.jsonl", b"new\n")
    assert temps(tmp_path) == []
    # the temp of a live writer is never touched
    live = tmp_path / f".res.jsonl.{os.getpid()}.abc.tmp"
    live.write_text("x")
    atomic_write(tmp_path / "res.jsonl", b"again\n")
    assert live.exists()


# ------------------------------------------------------------------ 6: workers


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_workers_die_with_their_parent(tmp_path: Path, signum: int) -> None:
    big_jsonl(tmp_path, forms=20000)
    proc = perfscore(
        "score",
        "big.jsonl",
        "-o",
        "res.jsonl",
        "--jobs",
        "2",
        "--no-progress",
        cwd=tmp_path,
        stderr=subprocess.PIPE,
    )
    _wait_for(lambda: len(_children(proc.pid)) >= 2 or proc.poll() is not None)
    workers = _children(proc.pid)
    assert workers, "no worker started"
    proc.send_signal(signum)
    proc.communicate(timeout=30)  # the parent never waits forever
    _wait_for(lambda: not any(_alive(w) for w in workers), seconds=15)


def test_killed_worker_is_reported_as_error_records(tmp_path: Path) -> None:
    """A worker killed (as by the OOM killer) costs the forms it held, each a located error
    record; the batch goes on and every input line has its output line."""
    from perfscore.engine.pool import ordered_map

    big_jsonl(tmp_path, forms=40)
    results = list(ordered_map(_killer, list(_sources(tmp_path)), jobs=2, chunk_size=4))
    assert len(results) == 40
    lost = [r for r in results if r.startswith("lost:")]
    assert lost and all("计算进程意外退出" in r for r in lost)
    assert any(r.startswith("ok:") for r in results)


def _sources(directory: Path) -> list[object]:
    from perfscore.batch import iter_sources

    return list(iter_sources([directory / "big.jsonl"]))


def _killer(source: object) -> str:
    """A job that kills its own worker on line 7 (SIGKILL, as the OOM killer does)."""
    from perfscore.read.sources import FormSource

    assert isinstance(source, FormSource)
    if source.problem is not None:
        return f"lost:{source.line}:{source.problem.message}"
    if source.line == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return f"ok:{source.line}"


# ------------------------------------------------------------------ 7: --jobs


@pytest.mark.parametrize("jobs", ["100000", "99999999999", str(max_workers() + 1)])
def test_jobs_is_bounded_with_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    form = tmp_path / "form.yaml"
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    form.write_text(FORM, encoding="utf-8")
    for command in ("score", "review"):
        with pytest.raises(SystemExit) as info:
            cli.main([command, str(form), "--jobs", jobs])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert "--jobs 太大" in err and "Traceback" not in err
    with pytest.raises(InputTypeError):
        worker_count(int(jobs))
    assert worker_count(max_workers()) == max_workers()


# ------------------------------------------------------------------ 8: streams


def _run(argv: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfscore.cli", *argv],
        cwd=cwd,
        text=True,
        capture_output="stdout" not in kwargs and "stdin" not in kwargs,
        timeout=60,
        check=False,
        preexec_fn=_limit,
        **kwargs,  # type: ignore[call-overload]
    )


def _closed(fd: int) -> object:
    def close() -> None:
        _limit()
        os.close(fd)

    return close


@pytest.mark.parametrize("command", ["score", "review"])
def test_closed_stdin_is_a_usage_error(tmp_path: Path, command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "perfscore.cli", command, "-"],
        cwd=tmp_path,
        text=True,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        preexec_fn=_closed(0),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "标准输入已关闭" in done.stderr


@pytest.mark.parametrize("command", ["score", "review"])
def test_closed_stdout_is_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (tmp_path / "form.yaml").write_text(FORM, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "perfscore.cli", command, "form.yaml"],
        cwd=tmp_path,
        text=True,
        stderr=subprocess.PIPE,
        preexec_fn=_closed(1),
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "标准输出已关闭" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["score", "form.yaml"], ["review", "form.yaml"], ["score", "."]])
def test_disk_full_on_stdout_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (tmp_path / "form.yaml").write_text(FORM, encoding="utf-8")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "perfscore.cli", *argv],
            cwd=tmp_path,
            text=True,
            stderr=subprocess.PIPE,
            stdout=full,
            preexec_fn=_limit,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert "磁盘空间不足" in done.stderr and "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr


# ------------------------------------------------------------------ 9: output targets


def test_symlink_output_replaces_its_target_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_hard_link_output_stays_one_file(tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    first.write_text("old", encoding="utf-8")
    second = tmp_path / "b.json"
    os.link(first, second)
    atomic_write(first, b"new")
    assert second.read_text(encoding="utf-8") == "new"
    assert first.stat().st_ino == second.stat().st_ino
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_fifo_output_is_written_into(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    atomic_write(fifo, b"through the pipe\n")
    out, _ = reader.communicate(timeout=30)
    assert out == b"through the pipe\n"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_device_output_is_written_into_not_replaced(tmp_path: Path) -> None:
    before = os.stat("/dev/null")
    atomic_write("/dev/null", b"discarded")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert not [p for p in Path("/dev").glob(".null.*.tmp")]


def test_dev_stdout_output_goes_to_stdout(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (tmp_path / "form.yaml").write_text(FORM, encoding="utf-8")
    # a /dev/stdout-style link of our own: the shared /dev/stdout may have been replaced by
    # a regular file by an old version run as root (the very bug of issue 19, item 9)
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    done = _run(["score", "form.yaml", "--format", "json", "-o", str(link)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 100


def test_directory_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PerfscoreError) as info:
        AtomicFile(tmp_path)
    assert "这是一个目录" in info.value.message


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_owner_and_mode_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "owned.json"
    out.write_text("old", encoding="utf-8")
    os.chown(out, 12345, 23456)
    out.chmod(0o640)
    atomic_write(out, b"new")
    info = out.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (12345, 23456, 0o640)


def test_never_more_workers_than_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from perfscore.engine import pool as _batch_pool

    sizes: list[int] = []

    class Spy(ProcessPoolExecutor):
        def __init__(self, max_workers: int, **kwargs: object) -> None:
            sizes.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_batch_pool, "ProcessPoolExecutor", Spy)
    out = list(_batch_pool.ordered_map(abs, [-1, -2, -3], jobs=max_workers(), chunk_size=1))
    assert out == [1, 2, 3]
    assert sizes == [3]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_worker_killed_mid_batch_costs_only_its_forms(tmp_path: Path) -> None:
    """SIGKILL of one worker (what the OOM killer does) while ``score --jobs 2`` runs: the
    run ends, every input line has an output line, the lost forms are located error records."""
    forms = 3000
    big_jsonl(tmp_path, forms=forms)
    proc = perfscore(
        "score",
        "big.jsonl",
        "-o",
        "res.jsonl",
        "--jobs",
        "2",
        "--no-progress",
        cwd=tmp_path,
        stderr=subprocess.PIPE,
    )
    _wait_for(lambda: len(_children(proc.pid)) >= 2 or proc.poll() is not None)
    workers = _children(proc.pid)
    assert workers, "no worker started"
    os.kill(workers[0], signal.SIGKILL)
    _out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    lines = (tmp_path / "res.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == forms
    records = [json.loads(line) for line in lines]
    lost = [r for r in records if "errors" in r]
    if proc.returncode == 0:  # the worker had finished its share before the kill landed
        assert not lost
        return
    assert proc.returncode == 1 and lost
    for record in lost:
        assert record["file"] == "big.jsonl" and isinstance(record["line"], int)
        assert "计算进程意外退出" in record["errors"][0]["message"]
    assert sorted(r["line"] for r in lost) == sorted({r["line"] for r in lost})
