"""The file system as an attacker or an unlucky operator leaves it (issue 19, items 2-4, 19, 20).

Special files (devices, FIFOs) are refused before any byte is read, and skipped with a record
in folders; a huge sparse file is refused from its size alone; a folder nested 1,500 deep is
walked without recursion, up to a depth limit; link loops and unreadable sub-folders are
records, never silent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import perfscore
from perfscore import cli
from perfscore.batch import iter_sources
from perfscore.errors import LoadError
from perfscore.read.fsguard import MAX_FOLDER_DEPTH, WalkProblem, walk
from perfscore.review import review_batch

from ._support import SIMPLE_TEMPLATE, expect, form_text

pytestmark = pytest.mark.timeout(30)

FORM = form_text("{name: 场次, target: ≥10次, actual: 18次, weight: 100}")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (folder / "form.yaml").write_text(FORM, encoding="utf-8")
    return folder


def _records(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    code = cli.main(list(argv))
    out, _err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def _file_of(record: dict[str, object]) -> str:
    if "file" in record:
        return str(record["file"])
    form = record["form"]
    assert isinstance(form, dict)
    return str(form["file"])


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("name", ["form.yaml", "forms.jsonl", "form.json"])
def test_link_to_device_is_refused(tmp_path: Path, device: str, name: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} missing")
    link = tmp_path / name
    link.symlink_to(device)
    with pytest.raises(LoadError) as info:
        perfscore.load_form(link)
    expect(info.value, LoadError, file=name, no_line=True, message="不是普通文件")


def test_fifo_without_writer_does_not_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "form.yaml"
    os.mkfifo(fifo)
    with pytest.raises(LoadError) as info:
        perfscore.load_form(fifo)
    expect(info.value, LoadError, file="form.yaml", message="命名管道")
    code, records = _records(capsys, "score", str(fifo), "--format", "jsonl")
    assert code == 1
    assert "不是普通文件" in records[0]["errors"][0]["message"]  # type: ignore[index]


def test_fifo_table_does_not_hang(tmp_path: Path) -> None:
    from perfscore.read.table import read_table

    fifo = tmp_path / "form.csv"
    os.mkfifo(fifo)
    with pytest.raises(LoadError) as info:
        read_table(fifo)
    expect(info.value, LoadError, file="form.csv", message="命名管道")


def test_special_files_in_a_folder_are_records_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    (folder / "zero.jsonl").symlink_to("/dev/zero")
    (folder / "random.yaml").symlink_to("/dev/urandom")
    os.mkfifo(folder / "pipe.yaml")
    os.mkfifo(folder / "pipe.txt")  # not a form suffix: not a form, not a record
    code, records = _records(capsys, "score", str(folder))
    assert code == 1
    by_file = {Path(_file_of(r)).name: r for r in records}
    assert set(by_file) == {"zero.jsonl", "random.yaml", "pipe.yaml", "form.yaml"}
    for name in ("zero.jsonl", "random.yaml", "pipe.yaml"):
        assert "不是普通文件" in by_file[name]["errors"][0]["message"]  # type: ignore[index]
    assert by_file["form.yaml"]["total"] == 100
    batch = review_batch([folder])
    names = {Path(r.file).name for r in batch.reviews}
    assert {"zero.jsonl", "random.yaml", "pipe.yaml", "form.yaml"} <= names


def test_huge_sparse_file_is_refused_from_its_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    with (folder / "big.yaml").open("wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: costs no disk
    (folder / "big.csv").write_bytes(b"")
    with (folder / "big.csv").open("wb") as handle:
        handle.truncate(2**31)
    with pytest.raises(LoadError) as info:
        perfscore.load_form(folder / "big.yaml")
    expect(info.value, LoadError, file="big.yaml", no_line=True, message="文件太大")
    code, records = _records(capsys, "score", str(folder))
    assert code == 1
    assert any("文件太大" in json.dumps(r, ensure_ascii=False) for r in records)
    from perfscore.read.table import read_table

    with pytest.raises(LoadError) as info:
        read_table(folder / "big.csv")
    expect(info.value, LoadError, file="big.csv", message="文件太大")
    batch = review_batch([folder])
    assert {Path(r.file).name for r in batch.reviews} >= {"big.yaml", "big.csv", "form.yaml"}


def _deep(root: Path, levels: int) -> Path:
    # mkdir relative to a directory fd: an absolute path 1,500 levels deep is over PATH_MAX
    here = os.open(root, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d", dir_fd=here)
            nxt = os.open("d", os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = nxt
        fd = os.open("form.yaml", os.O_WRONLY | os.O_CREAT, dir_fd=here)
        os.write(fd, FORM.encode())
        os.close(fd)
    finally:
        os.close(here)
    return root


def _remove_deep(root: Path) -> None:
    """Remove a deep chain of ``d`` folders bottom-up (shutil.rmtree recurses, and fails)."""
    fds = [os.open(root, os.O_RDONLY)]
    try:
        while True:
            try:
                fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
            except FileNotFoundError:
                break
        while fds:
            here = fds.pop()
            for name in os.listdir(here):
                if name == "d":
                    os.rmdir(name, dir_fd=here)
                else:
                    os.unlink(name, dir_fd=here)
            os.close(here)
    finally:
        for fd in fds:
            os.close(fd)


def test_folder_1500_deep_is_a_record_not_a_recursion_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "deep"
    root.mkdir()
    try:
        _deep(root, 1500)
        _check_deep(root, capsys)
    finally:
        _remove_deep(root)


def _check_deep(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = list(walk(str(root)))
    assert len(entries) == 1
    problem = entries[0]
    assert isinstance(problem, WalkProblem) and problem.reason == "deep"
    assert str(MAX_FOLDER_DEPTH) in problem.error.message
    code, records = _records(capsys, "score", str(root))
    assert code == 1 and "目录层级太深" in json.dumps(records, ensure_ascii=False)
    code = cli.main(["validate", str(root)])
    assert code == 1
    assert "目录层级太深" in capsys.readouterr().err
    from perfscore.build.library import TemplateLibrary

    assert TemplateLibrary([root]).shipped_ids()  # the shipped ones; the deep folder is no error


def test_link_loop_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..")
    sources = list(iter_sources([folder]))
    assert [Path(s.file).name for s in sources if s.problem is None] == ["form.yaml"]
    loops = [s for s in sources if s.problem is not None]
    assert len(loops) == 1 and "循环" in loops[0].problem.message  # type: ignore[union-attr]
    batch = review_batch([folder])
    read = [Path(r.file).name for r in batch.reviews if r.file.endswith(".yaml")]
    assert read == ["form.yaml"]  # read once
    assert any(r.file.endswith("up") and "循环" in r.findings[0].message for r in batch.reviews)


def test_unreadable_sub_folder_is_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    locked = folder / "locked"
    locked.mkdir()
    (locked / "hidden-form.yaml").write_text(FORM, encoding="utf-8")
    real = os.scandir

    def scandir(path: str) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    sources = list(iter_sources([folder]))
    problems = [s.problem for s in sources if s.problem is not None]
    assert len(problems) == 1
    expect(problems[0], LoadError, file="locked", message="没有读取这个文件夹的权限")
    batch = review_batch([folder])
    assert any(
        r.file.endswith("locked") and r.findings and r.findings[0].severity == "error"
        for r in batch.reviews
    )
    code = cli.main(["validate", str(folder)])
    assert code == 1 and "没有读取这个文件夹的权限" in capsys.readouterr().err


def test_peek_reads_only_the_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder's YAML files are peeked at for ``kind: template`` by their head only."""
    from perfscore.read import fsguard as _fsguard

    folder = _folder(tmp_path)
    with (folder / "big.yaml").open("wb") as handle:
        handle.write(b"kind: form\n")
        handle.truncate(3 * 2**30)
    sizes: list[int] = []
    real = _fsguard.head

    def spy(path: os.PathLike[str], size: int) -> bytes:
        sizes.append(size)
        return real(path, size)

    monkeypatch.setattr(_fsguard, "head", spy)
    monkeypatch.setattr("perfscore.read.sources.head", spy)
    sources = list(iter_sources([folder]))
    assert {Path(s.file).name for s in sources} == {"big.yaml", "form.yaml"}
    assert sizes and max(sizes) <= 64_000
