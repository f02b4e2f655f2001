"""Files: atomic output, files vanishing mid-batch, permissions, odd paths.

Guarantees asserted here: an output file is replaced whole or not at all (the previous file
survives any failure and no temporary file is left behind); a batch validation reports every
file it listed, including one that vanished before it was read; an unreadable file is a
located LoadError. Tests run as root in CI, where chmod does not block reads, so permission
errors are simulated by making ``open`` raise PermissionError (plus a real chmod test that runs
only when not root).
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

import perfscore
from perfscore import cli
from perfscore.build.library import TemplateLibrary
from perfscore.cli import score
from perfscore.errors import LoadError, PerfscoreError, TemplateNotFoundError
from perfscore.render.io import atomic_write

from ._support import SIMPLE_TEMPLATE, expect, form_text, line_of

GOOD = "{name: 场次, target: ≥10次, actual: 18次, weight: 100}"
FORM = form_text(GOOD)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_pair(directory: Path, form: str = FORM, name: str = "form.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (directory / name).write_text(form, encoding="utf-8")
    return directory / name


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# ----------------------------------------------------------------- atomic output


def _fail_replace(*_: object) -> None:
    raise OSError(errno.EXDEV, "Invalid cross-device link")


def _fail_fsync(_fd: int) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _interrupt_fsync(_fd: int) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("target", "replacement", "message"),
    [
        ("replace", _fail_replace, "原有文件未改动"),
        ("fsync", _fail_fsync, "磁盘空间不足"),
    ],
)
def test_failed_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, replacement: Any, message: str
) -> None:
    out = tmp_path / "result.json"
    out.write_text("previous", encoding="utf-8")
    monkeypatch.setattr(os, target, replacement)
    with pytest.raises(PerfscoreError) as info:
        atomic_write(out, b"new content")
    assert type(info.value) is PerfscoreError
    assert info.value.file == str(out)
    assert message in info.value.message
    assert out.read_text(encoding="utf-8") == "previous"
    assert leftovers(tmp_path) == []


def test_cli_failed_write_exits_1_and_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    form = write_pair(tmp_path)
    out = tmp_path / "result.json"
    out.write_text("previous", encoding="utf-8")
    monkeypatch.setattr(os, "replace", _fail_replace)
    code, _, err = run(capsys, "score", str(form), "--format", "json", "-o", str(out))
    assert code == 1
    assert f"{out}: 无法写入输出文件" in err
    assert "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "previous"
    assert leftovers(tmp_path) == []


def test_interrupted_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C in the middle of writing: exit 130, the old file intact, no temporary file."""
    form = write_pair(tmp_path)
    out = tmp_path / "result.json"
    out.write_text("previous", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", _interrupt_fsync)
    code, _, err = run(capsys, "score", str(form), "-o", str(out))
    assert code == 130
    assert "已中断" in err
    assert out.read_text(encoding="utf-8") == "previous"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing/dir/result.json", "目录不存在"), ("a-directory", "这是一个目录")],
)
def test_output_to_an_impossible_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, message: str
) -> None:
    form = write_pair(tmp_path)
    (tmp_path / "a-directory").mkdir()
    out = tmp_path / where
    code, _, err = run(capsys, "score", str(form), "-o", str(out))
    assert code == 1
    assert f"{out}: 无法写入输出文件：{message}" in err
    assert "Traceback" not in err
    assert (tmp_path / "a-directory").is_dir()
    assert leftovers(tmp_path) == []


def test_output_keeps_usual_permissions(tmp_path: Path) -> None:
    """A new file gets the umask's mode (not mkstemp's 0600); a replaced one keeps its own."""
    new = tmp_path / "new.json"
    umask = os.umask(0o022)
    try:
        atomic_write(new, b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    old = tmp_path / "old.json"
    old.write_bytes(b"previous")
    old.chmod(0o640)
    atomic_write(old, b"x")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    assert old.read_bytes() == b"x"


# ----------------------------------------------------------------- batches


def test_file_vanishing_between_listing_and_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every listed file is reported: the vanished one as a located LoadError, the rest ✓."""
    batch = tmp_path / "batch"
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        write_pair(batch, name=name)
    (batch / "template.yaml").unlink()
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        path = batch / name
        path.write_text(FORM.replace("template.yaml", "../template.yaml"), encoding="utf-8")
    listed = score._expand

    def expand_then_vanish(paths: list[str]) -> list[str]:
        files = listed(paths)
        (batch / "b.yaml").unlink()
        return files

    monkeypatch.setattr(score, "_expand", expand_then_vanish)
    code, out, err = run(capsys, "validate", str(batch), "--format", "json")
    assert code == 1
    report = {Path(entry["file"]).name: entry["errors"] for entry in json.loads(out)}
    assert sorted(report) == ["a.yaml", "b.yaml", "c.yaml"]
    assert report["a.yaml"] == report["c.yaml"] == []
    (vanished,) = report["b.yaml"]
    assert vanished["type"] == "LoadError"
    assert vanished["file"] == str(batch / "b.yaml")
    assert "找不到文件" in vanished["message"]
    assert "Traceback" not in err


def test_template_changed_during_a_batch_is_reread(tmp_path: Path) -> None:
    """The template cache is keyed by modification time and size: an edit is picked up."""
    path = tmp_path / "template.yaml"
    path.write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    library = TemplateLibrary()
    first = library.load(path)
    path.write_text(SIMPLE_TEMPLATE.replace("对抗测试模板", "改过的模板"), encoding="utf-8")
    second = library.load(path)
    assert (first.name, second.name) == ("对抗测试模板", "改过的模板")


def test_validate_an_empty_directory_is_not_a_silent_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "空 目录"
    empty.mkdir()
    code, _, err = run(capsys, "validate", str(empty))
    assert code == 1
    assert f"{empty}: 目录中没有 .yaml/.yml 文件" in err


def test_validate_skips_a_directory_named_like_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_pair(tmp_path)
    (tmp_path / "not-a-file.yaml").mkdir()
    code, out, _ = run(capsys, "validate", str(tmp_path), "--format", "json")
    names = sorted(Path(e["file"]).name for e in json.loads(out))
    assert names == ["form.yaml", "template.yaml"]
    assert code == 0


# ----------------------------------------------------------------- permissions and odd paths


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_open = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | os.PathLike) and Path(file) == denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    real_os_open = os.open

    def os_guarded(file: Any, *args: Any, **kwargs: Any) -> Any:  # inputs are opened this way
        if isinstance(file, str | os.PathLike) and Path(file) == denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_guarded)


def test_unreadable_form_is_a_located_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    form = write_pair(tmp_path)
    _deny(monkeypatch, form)
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(form)
    expect(info.value, LoadError, file=str(form), no_line=True, message="没有读取这个文件的权限")
    code, _, err = run(capsys, "validate", str(form))
    assert code == 1
    assert f"{form}: 没有读取这个文件的权限" in err


def test_unreadable_template_is_reported_at_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The error names the template file (no line of the form pinned on it); its hint names
    the form's line that refers to it."""
    form = write_pair(tmp_path)
    _deny(monkeypatch, tmp_path / "template.yaml")
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(form)
    err = expect(info.value, LoadError, file=str(tmp_path / "template.yaml"), no_line=True)
    assert err.hint == f"模板由 {form} 第 {line_of(FORM, 'template:')} 行引用"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_chmod_000_form(tmp_path: Path) -> None:  # pragma: no cover - not run as root
    form = write_pair(tmp_path)
    form.chmod(0)
    try:
        with pytest.raises(PerfscoreError) as info:
            perfscore.load_form(form)
        expect(info.value, LoadError, file=str(form), no_line=True, message="权限")
    finally:
        form.chmod(0o644)


def test_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    (tmp_path / "form.yaml").mkdir()
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(tmp_path / "form.yaml")
    expect(info.value, LoadError, file="form.yaml", no_line=True, message="这是一个目录")


def test_template_reference_to_a_directory(tmp_path: Path) -> None:
    form = write_pair(tmp_path, FORM.replace("template.yaml", "templates.yaml"))
    (tmp_path / "templates.yaml").mkdir()
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(form)
    expect(info.value, TemplateNotFoundError, file=str(form), line=line_of(FORM, "template:"))


@pytest.mark.parametrize(
    ("name", "message"),
    [("bad\x00name.yaml", "无法读取文件"), ("长" * 300 + ".yaml", "无法读取文件")],
)
def test_impossible_paths(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(str(tmp_path / name))
    expect(info.value, LoadError, no_line=True, message=message)


def test_chinese_and_spaces_in_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Paths with Chinese characters and spaces: read, referenced, written and located."""
    folder = tmp_path / "岳阳 楼区" / "2023 年度"
    folder.mkdir(parents=True)
    (folder / "自评 模板.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    form = folder / "自评 表.yaml"
    form.write_text(FORM.replace("template.yaml", "自评 模板.yaml"), encoding="utf-8")
    out = tmp_path / "输出 目录" / "结果 文件.json"
    out.parent.mkdir()
    code, _, _ = run(capsys, "score", str(form), "--format", "json", "-o", str(out))
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["form"]["file"] == str(form)
    bad = folder / "坏 表.yaml"
    bad.write_text(form.read_text(encoding="utf-8").replace("weight: 100", "weight: -1"), "utf-8")
    code, out, err = run(capsys, "validate", str(folder))
    assert code == 1
    assert f"{bad}:{line_of(FORM, '{name: 场次')}:" in err
    assert f"✓ {form}" in out
