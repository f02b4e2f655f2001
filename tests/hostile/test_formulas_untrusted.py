"""Formulas as untrusted input (issue 19, items 14-17, 22: templates can be embedded in forms).

A computation error is an error in review too; full-width twins of declared names are
refused; underflow and huge magnitudes are formula errors (no million-digit number written);
ordering computed values and writing the review workbook are linear; a raised
``Limits.max_depth`` cannot reach the interpreter's recursion limit; a value that uses a
broken one is not called a cycle.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import perfscore
from perfscore import cli
from perfscore.errors import BuildError, FormulaError, InputTypeError, PerfscoreError
from perfscore.read.yaml_document import MAX_DEPTH_CAP, Limits
from perfscore.review import review_form

from ._support import all_errors, expect

pytestmark = pytest.mark.timeout(120)

TEMPLATE = """\
kind: template
id: test/untrusted
name: 公式测试模板
total: 100
missing: {missing}
inputs:
  编制数: {{unit: 人}}
  实际在职人数: {{unit: 人}}
{extra_inputs}computed:
  在职人员控制率: {{formula: "{formula}", unit: "%"}}
{extra_computed}rules:
  反向: {{kind: ratio, direction: reverse}}
indicators:
  - {{name: 在职人员控制率, weight: 100, actual_from: 在职人员控制率, target: ≤100%, rule: 反向}}
"""

FORM = """\
kind: form
template: template.yaml
inputs: {{编制数: {n}, 实际在职人数: 9}}
indicators: {{}}
"""


def write(
    directory: Path,
    formula: str = "实际在职人数 / 编制数",
    *,
    missing: str = "error",
    n: str = "10",
    extra_inputs: str = "",
    extra_computed: str = "",
) -> Path:
    (directory / "template.yaml").write_text(
        TEMPLATE.format(
            missing=missing,
            formula=formula,
            extra_inputs=extra_inputs,
            extra_computed=extra_computed,
        ),
        encoding="utf-8",
    )
    form = directory / "form.yaml"
    form.write_text(FORM.format(n=n), encoding="utf-8")
    return form


# ------------------------------------------------------------------ 14: review and errors


@pytest.mark.parametrize("missing", ["error", "zero"])
def test_review_reports_a_computation_error_as_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    form = write(tmp_path, n="0", missing=missing)  # 9 / 0
    with pytest.raises(PerfscoreError):
        perfscore.evaluate(perfscore.load_form(form))
    review = review_form(form)
    codes = {f.code: f for f in review.findings}
    assert "actual_missing" not in codes
    found = codes["unscorable"]
    assert found.severity == "error" and "计算错误" in found.message and "除数为 0" in found.message
    code = cli.main(["review", str(form), "--fail-on", "error", "--format", "json"])
    capsys.readouterr()
    assert code == 1


def test_dependent_of_a_failed_value_names_the_failure(tmp_path: Path) -> None:
    extra = '  派生率: {formula: "在职人员控制率 * 2", unit: "%"}\n'
    form = write(tmp_path, n="0", extra_computed=extra)
    text = (tmp_path / "template.yaml").read_text(encoding="utf-8")
    text = text.replace("actual_from: 在职人员控制率", "actual_from: 派生率")
    (tmp_path / "template.yaml").write_text(text, encoding="utf-8")
    review = review_form(form)
    found = [f for f in review.findings if f.code == "unscorable"]
    assert found and "在职人员控制率" in found[0].message and "循环" not in found[0].message


def test_dependent_of_a_broken_value_is_not_a_cycle(tmp_path: Path) -> None:
    extra = '  派生率: {formula: "在职人员控制率 * 2", unit: "%"}\n'
    form = write(tmp_path, formula="实际在职人数 / ", extra_computed=extra)
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(form)
    messages = [e.message for e in all_errors(info.value)]
    assert any("语法错误" in m for m in messages)
    assert not any("循环" in m for m in messages), messages


def test_a_real_cycle_is_still_a_cycle(tmp_path: Path) -> None:
    extra = '  甲: {formula: "乙 + 1"}\n  乙: {formula: "甲 + 1"}\n'
    form = write(tmp_path, extra_computed=extra)
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(form)
    assert any("循环引用：甲、乙" in e.message for e in all_errors(info.value))


# ------------------------------------------------------------------ 15: NFKC twins


def test_full_width_twin_of_a_declared_name_is_refused(tmp_path: Path) -> None:
    form = write(
        tmp_path,
        formula="ｘ / 编制数",
        extra_inputs="  x: {unit: 人}\n  ｘ: {unit: 人}\n",
    )
    with pytest.raises(PerfscoreError) as info:
        perfscore.load_form(form)
    errors = all_errors(info.value)
    twin = expect(info.value, BuildError, message="ｘ")
    assert "“x”" in twin.message
    assert any(isinstance(e, FormulaError) and "无法区分" in e.message for e in errors)


def test_full_width_name_alone_is_read_as_written(tmp_path: Path) -> None:
    """Declared only as ｘ, a formula writing ｘ reads ｘ (Python folds it to x when parsing)."""
    form = write(tmp_path, formula="ｘ / 编制数", extra_inputs="  ｘ: {unit: 人}\n")
    text = form.read_text(encoding="utf-8").replace("实际在职人数: 9", "实际在职人数: 9, ｘ: 5")
    form.write_text(text, encoding="utf-8")
    result = perfscore.evaluate(perfscore.load_form(form))
    leaf = next(iter(result.leaves()))
    assert leaf.actual_text is not None and "50" in str(leaf.actual_text)


# ------------------------------------------------------------------ 16: amplification


@pytest.mark.parametrize(
    "formula",
    [
        "实际在职人数 / 编制数 / 100000000000000000000 / 100000000000000000000 / 100000",
        "实际在职人数 * 100000000000000000000 * 100000000000000000000 * 100000",
    ],
)
def test_huge_or_tiny_result_is_a_formula_error(tmp_path: Path, formula: str) -> None:
    form = write(tmp_path, formula=formula)
    with pytest.raises(PerfscoreError) as info:
        perfscore.evaluate(perfscore.load_form(form))
    expect(info.value, FormulaError, message="数量级超出范围")


def test_chained_underflow_writes_no_giant_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = "*".join(["编制数"] * 100)
    extra = (
        f'  甲: {{formula: "{big}"}}\n'
        f'  乙: {{formula: "{"*".join(["甲"] * 100)}"}}\n'
        '  丙: {formula: "1 / 乙 / 乙 / 乙"}\n'
    )
    form = write(tmp_path, extra_computed=extra)
    text = (tmp_path / "template.yaml").read_text(encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        text.replace("actual_from: 在职人员控制率", "actual_from: 丙"), encoding="utf-8"
    )
    cli.main(["score", str(form), "--format", "json"])
    cli.main(["review", str(form), "--format", "json"])
    out, err = capsys.readouterr()
    assert len(out) + len(err) < 200_000
    assert "数量级超出范围" in out + err


# ------------------------------------------------------------------ 17: linear work


def _chain(count: int) -> str:
    lines = ['  v0: {formula: "编制数 + 1"}\n']
    # written last-first: a scan of every pending value per round was quadratic
    lines += [f'  v{i}: {{formula: "v{i - 1} + 1"}}\n' for i in range(1, count)]
    return "".join(reversed(lines))


def test_ten_thousand_chained_values_build_quickly(tmp_path: Path) -> None:
    write(tmp_path, extra_computed=_chain(10_000))
    started = time.perf_counter()
    template = perfscore.load_template(tmp_path / "template.yaml")
    elapsed = time.perf_counter() - started
    names = list(template.computed)
    assert names.index("v0") < names.index("v1") < names.index("v9999")
    assert elapsed < 30, elapsed


def test_max_depth_is_capped_below_the_recursion_limit() -> None:
    with pytest.raises(InputTypeError):
        Limits(max_depth=100_000)
    deep = "a: " + "[" * (MAX_DEPTH_CAP - 1) + "]" * (MAX_DEPTH_CAP - 1) + "\n"
    perfscore.load_yaml(deep, limits=Limits(max_depth=MAX_DEPTH_CAP))


def test_review_workbook_is_linear_in_rows(tmp_path: Path) -> None:
    from perfscore.review import review_batch
    from perfscore.review.workbook import workbook_bytes

    template = TEMPLATE.format(
        missing="zero", formula="实际在职人数 / 编制数", extra_inputs="", extra_computed=""
    ).replace(
        "  - {name: 在职人员控制率, weight: 100, actual_from: 在职人员控制率, target: ≤100%, rule: 反向}\n",
        "  - {name: 指标, open: true}\n",
    )
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")

    def timed(count: int) -> float:
        leaves = "".join(
            f"    - {{name: 场次{i}, target: ≥10次, actual: 18次, weight: 1}}\n"
            for i in range(count)
        )
        path = tmp_path / f"f{count}.yaml"
        path.write_text(
            "kind: form\ntemplate: template.yaml\nindicators:\n  指标:\n" + leaves, encoding="utf-8"
        )
        batch = review_batch([path])
        started = time.perf_counter()
        workbook_bytes(batch)
        return time.perf_counter() - started

    small, large = timed(500), timed(2000)
    assert large < 10 * small + 1.0, (small, large)  # quadratic would be ~16×


def test_record_json_is_one_line_per_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = write(tmp_path)
    cli.main(["score", str(form), "--format", "jsonl"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["total"] is not None
