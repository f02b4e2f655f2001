"""``perfscore score FOLDER --format csv|xlsx``: one row per form (issue 18.5)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from perfscore import cli
from perfscore.read.yaml import load_yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
PROJECT = ROOT / "examples" / "mof-project" / "rural-road-maintenance-2023.yaml"
HOSTILE = '=HYPERLINK("http://example.invalid","点此")'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    forms = tmp_path / "表单"
    forms.mkdir()
    (forms / "a-seed.yaml").write_bytes(SEED.read_bytes())
    (forms / "b-project.yaml").write_bytes(PROJECT.read_bytes())
    data = load_yaml(SEED).data
    data["unit"] = HOSTILE
    (forms / "c-hostile.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    (forms / "d-broken.yaml").write_text("kind: form\ntemplate: 没有这个模板\n", "utf-8")
    return forms


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_one_row_per_form(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "score", str(folder), "--format", "csv")
    assert code == 1  # one form failed
    assert not out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [Path(r["文件"]).name for r in rows] == [
        "a-seed.yaml",
        "b-project.yaml",
        "c-hostile.yaml",
        "d-broken.yaml",
    ]
    seed, project, hostile, broken = rows
    assert seed["单位"] == "岳阳楼区岳阳楼街道办事处" and seed["年度"] == "2023"
    assert seed["模板"] == "hunan/unit-self-evaluation"
    assert seed["总分"] == "99.69" and seed["等级"] == "优"
    # Each first-level score, named as in the template; the sum is the total.
    levels = ["预算执行率", "产出指标", "效益指标", "满意度指标"]
    assert sum(Decimal(seed[n]) for n in levels) == Decimal(seed["总分"])
    assert seed["错误"] == "0" and seed["错误说明"] == ""
    assert project["模板"] == "mof/project-self-evaluation"
    assert hostile["单位"] == "'" + HOSTILE  # neutralised, never a formula
    assert broken["总分"] == "" and int(broken["错误"]) >= 1
    assert "d-broken.yaml:1:1" in broken["错误说明"]  # located
    assert "共 4 份表单" in err


def test_csv_bom_on_stdout_and_in_files(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = _run(capsys, "score", str(folder), "--format", "csv", "--bom")
    assert out.startswith("\ufeff序号,文件")
    target = tmp_path / "结果.csv"
    _run(capsys, "score", str(folder), "--format", "csv", "-o", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    # --bom for one form's CSV on stdout too (without it, unchanged: no BOM).
    _, plain, _ = _run(capsys, "score", str(SEED), "--format", "csv")
    _, bom, _ = _run(capsys, "score", str(SEED), "--format", "csv", "--bom")
    assert not plain.startswith("\ufeff") and bom == "\ufeff" + plain


def test_xlsx_one_row_per_form(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "结果.xlsx"
    code, _, _ = _run(capsys, "score", str(folder), "--format", "xlsx", "-o", str(target))
    assert code == 1
    ws = load_workbook(target)["计分结果"]
    header = [c.value for c in ws[1]]
    assert header[:10] == [
        "序号",
        "文件",
        "行",
        "单位",
        "年度",
        "模板",
        "模板名称",
        "总分",
        "等级",
        "自评总分",
    ]
    assert header[-2:] == ["错误", "错误说明"]
    rows = [[c for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 4
    total = header.index("总分")
    assert rows[0][total].data_type == "n" and rows[0][total].number_format == "0.00"
    assert Decimal(str(rows[0][total].value)) == Decimal("99.69")
    unit = rows[2][header.index("单位")]
    assert (unit.value, unit.data_type) == (HOSTILE, "s")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert rows[3][total].value is None and rows[3][header.index("错误")].value >= 1


def test_xlsx_needs_an_output_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "score", str(folder), "--format", "xlsx")
    assert code == 2 and out == "" and "-o" in err


def test_one_form_as_xlsx_is_a_one_row_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "一份.xlsx"
    code, _, _ = _run(capsys, "score", str(SEED), "--format", "xlsx", "-o", str(target))
    assert code == 0
    ws = load_workbook(target).active
    assert ws.max_row == 2
