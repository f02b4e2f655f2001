"""Batch review and ``perfscore review``: summaries, formats, workbook, exit status."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from perfscore.cli import main
from perfscore.review import expand, review_batch
from perfscore.review.reports import UNSCORED
from perfscore.review.workbook import FILLS

ROOT = Path(__file__).resolve().parent.parent
SEED = str(ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml")
MESSY = ROOT / "examples" / "review"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The messy examples, the seed, a template file and a file that is no form at all."""
    target = tmp_path / "submitted"
    target.mkdir()
    for name in ("scores.yaml", "budget.yaml", "unknown-template.yaml", "messy-gbk.csv"):
        shutil.copy(MESSY / name, target / name)
    shutil.copy(SEED, target / "seed.yaml")
    (target / "junk.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (target / "template.yaml").write_text("kind: template\nid: x/y\n", encoding="utf-8")
    (target / "notes.txt").write_text("not a form", encoding="utf-8")
    return target


def test_expand_skips_templates_and_other_files(folder: Path) -> None:
    names = sorted(Path(p).name for p in expand([folder]))
    assert names == [
        "budget.yaml",
        "junk.xlsx",
        "messy-gbk.csv",
        "scores.yaml",
        "seed.yaml",
        "unknown-template.yaml",
    ]


def test_batch_summary(folder: Path) -> None:
    batch = review_batch([folder])
    summary = batch.summary()
    assert summary["forms"] == 6
    assert summary["grades"] == {"优": 3, "良": 1, UNSCORED: 2}
    assert list(summary["grades"])[-1] == UNSCORED
    order = [Path(r.file).name for r in batch.reviews]
    # errors first: forms that could not be scored, then by the points at stake
    assert set(order[:2]) == {"junk.xlsx", "unknown-template.yaml"}
    assert order[2:] == ["scores.yaml", "messy-gbk.csv", "seed.yaml", "budget.yaml"]
    assert batch.points_at_stake == sum((r.points_at_stake for r in batch.reviews), D(0))
    junk = next(r for r in batch.reviews if r.file.endswith("junk.xlsx"))
    assert junk.evaluation is None and junk.codes() == ["form_unreadable"]


def test_batch_survives_unexpected_errors(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from perfscore import review
    from perfscore.review import batch as _review_batch

    real = review.review_form

    def flaky(path: str, **options: object) -> review.FormReview:
        if path.endswith("budget.yaml"):
            raise RuntimeError("boom")
        return real(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(_review_batch, "review_form", flaky)
    batch = review.review_batch([folder])
    broken = next(r for r in batch.reviews if r.file.endswith("budget.yaml"))
    assert broken.codes() == ["form_unreadable"] and "boom" in broken.findings[0].message


def test_cli_seed_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", SEED)
    assert code == 1
    for words in ("255.76%", "255.74%", "群众满意度", "9.69", "0.70", "≧95%"):
        assert words in out
    assert "== 汇总 ==" not in out  # one form: no batch summary


def test_cli_fail_on_and_disable(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "review", SEED, "--fail-on", "never")[0] == 0
    budget = str(MESSY / "budget.yaml")
    errors = ["execution_rate_denominator", "budget_identity"]
    argv = ["review", budget, *[x for c in errors for x in ("--disable", c)]]
    assert run(capsys, *argv)[0] == 0  # only a warning left
    assert run(capsys, *argv, "--fail-on", "warning")[0] == 1
    code, out, _ = run(
        capsys, *argv, "--severity", "execution_rate_miscomputed=info", "--fail-on", "warning"
    )
    assert code == 0 and "[提示] execution_rate_miscomputed" in out
    code, out, _ = run(capsys, "review", SEED, "--tolerance", "reported_differs=1")
    assert "reported_differs" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--disable", "nope"],
        ["--tolerance", "reported_differs"],
        ["--severity", "unmet_full=fatal"],
        ["--format", "pdf"],
        ["--template", "no/such-template"],
    ],
)
def test_cli_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        code = main(["review", SEED, *argv])
        raise SystemExit(code)
    assert exc.value.code == 2


def test_cli_empty_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "review", str(tmp_path))
    assert code == 2 and "没有找到表单文件" in err


def test_cli_batch_formats(
    folder: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "review", str(folder))
    assert code == 1
    assert "== 汇总 ==" in out and "共 6 份表单" in out and UNSCORED in out
    code, out, _ = run(capsys, "review", str(folder), "--format", "markdown")
    assert out.startswith("# 复核报告") and "| 序号 | 文件 |" in out
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    code, out, _ = run(capsys, "review", str(folder), "--format", "json", "-o", str(report))
    assert out == ""
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"]["forms"] == 6
    assert len(data["forms"]) == 6
    gbk = next(f for f in data["forms"] if f["file"].endswith(".csv"))
    assert gbk["encoding"] == "gb18030"
    assert all(r["outcome"] != "lost" for r in gbk["rows"])


def test_cli_workbook(folder: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    book = tmp_path / "复核.xlsx"
    code, _, _ = run(capsys, "review", str(folder), "--xlsx", str(book))
    assert code == 1
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "汇总"
    assert len(wb.sheetnames) == 8  # 汇总, six forms, 发现 (issue 18.4)
    assert wb.sheetnames[-1] == "发现"
    seed = wb["seed"]
    rows = [[c.value for c in row] for row in seed.iter_rows()]
    header = next(r for r in rows if r and r[0] == "指标")
    assert header[3:7] == ["分值", "自评得分", "计算得分", "差异"]
    satisfaction = next(
        (i, r) for i, r in enumerate(seed.iter_rows(), 1) if str(r[0].value).endswith("群众满意度")
    )
    index, cells = satisfaction
    assert cells[4].value == 9 and float(cells[5].value) == pytest.approx(9.69)
    assert seed.cell(index, 1).fill.start_color.rgb.endswith(FILLS["error"])
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows()]
    assert any(r[1] and str(r[1]).endswith("junk.xlsx") and r[4] == UNSCORED for r in summary)


def test_progress_only_on_a_terminal(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, err = run(capsys, "review", str(folder))
    assert "复核 [" not in err  # captured stderr is not a terminal
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    _, _, err = run(capsys, "review", str(folder))
    assert "复核 [" in err
