"""``perfscore check --properties``: shipped templates pass, the broken examples are caught with
a minimal counterexample that re-runs with ``perfscore score``."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

import perfscore
from perfscore.cli import main
from perfscore.errors import ValidationErrors

from .support import ROOT

BROKEN = ROOT / "examples" / "properties"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--properties", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _untimed(run_result: tuple[int, str]) -> tuple[int, str]:
    code, out = run_result
    return code, re.sub(r"\n  用时 [0-9.]+ 秒（CPU [0-9.]+ 秒）", "", out)


def counterexamples(output: str, title: str) -> list[str]:
    """The YAML forms printed under the ✗ line of property ``title``."""
    section = output.split(f"✗ {title}", 1)[1]
    section = re.split(r"\n  [✓✗] ", section, maxsplit=1)[0]
    forms, current = [], None
    for line in section.splitlines():
        if "perfscore score" in line:
            current = []
            forms.append(current)
        elif current is not None and line.startswith(" " * 8):
            current.append(line[8:])
        elif current is not None and line.strip():
            current = None
    return ["\n".join(lines) + "\n" for lines in forms]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # counterexamples name templates by path relative to here


def test_shipped_templates_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "indicators/", "--examples", "5")
    assert code == 0, out
    assert "✗" not in out
    assert "全部成立" in out


def test_band_table_that_stops_at_30_percent(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "examples/properties/bands-gap.yaml", "--examples", "60")
    assert code == 1
    assert "✗ 档次与区间覆盖取值范围，无空隙、无重叠" in out
    assert "30.01%" in out
    [form] = counterexamples(out, "档次与区间覆盖取值范围，无空隙、无重叠")
    assert "template: examples/properties/bands-gap.yaml" in form
    with pytest.raises(ValidationErrors, match="不在任何计分区间内"):
        perfscore.score(perfscore.loads_form(form).data)  # type: ignore[arg-type]
    assert "✗ 每份合法表单都能计分" in out  # generated forms hit the gap too


def test_band_table_with_an_inner_gap_is_a_build_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "examples/properties/bands-internal-gap.yaml")
    assert code == 1
    assert "模板无法构建" in out
    assert "bands-internal-gap.yaml:19" in out and "10% 与 20% 之间有空隙" in out


def test_reverse_formula_is_caught_by_monotonicity(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "examples/properties/reverse-formula.yaml", "--examples", "60")
    assert code == 1
    title = "正向指标完成值越高得分不降，反向指标完成值越高得分不升"
    assert f"✗ {title}" in out
    lower, higher = (
        perfscore.evaluate(perfscore.loads_form(f)) for f in counterexamples(out, title)
    )
    path = ("公用经费支出",)
    assert lower.find(path).raw_score < higher.find(path).raw_score  # type: ignore[union-attr]
    assert out.count("✗") == 1


def test_checklist_that_cannot_reach_full_marks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "examples/properties/checklist-short.yaml", "--examples", "60")
    assert code == 1
    assert "✗ 每个指标都能得满分" in out
    [form] = counterexamples(out, "每个指标都能得满分")
    item = perfscore.evaluate(perfscore.loads_form(form)).find("“三公”经费管理")
    assert item.score == Decimal(4) and item.weight == Decimal(5)


def test_runs_are_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(
        capsys, "examples/properties/checklist-short.yaml", "--examples", "10", "--seed", "7"
    )
    second = run(
        capsys, "examples/properties/checklist-short.yaml", "--examples", "10", "--seed", "7"
    )
    # the same but for the time each template took (a line of its own)
    assert _untimed(first) == _untimed(second)


def test_example_database_only_when_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(str(tmp_path))
    code, _ = run(capsys, str(BROKEN / "checklist-short.yaml"), "--examples", "10")
    assert code == 1
    assert not list(__import__("pathlib").Path(str(tmp_path)).rglob("*"))
    db = __import__("pathlib").Path(str(tmp_path)) / "db"
    run(capsys, str(BROKEN / "checklist-short.yaml"), "--examples", "10", "--database", str(db))
    assert db.is_dir()


@pytest.mark.parametrize(
    "args",
    [
        ["no/such-template"],
        ["examples/properties/bands-gap.yaml", "--examples", "0"],
        ["examples/yueyanglou-2023/unit-self-evaluation.yaml"],  # a form, not a template
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, _ = run(capsys, *args)
    assert code == 2


def test_user_guide_example_runs_under_pytest() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(BROKEN / "test_my_template.py"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_hypothesis_stays_optional() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import perfscore, perfscore.cli\n"
        "from perfscore.cli import main\n"
        "raise SystemExit(main(['check', '--properties', 'indicators/']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "perfscore[properties]" in done.stderr


def test_properties_checked_together_each_report_their_own_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One shared hypothesis run checks every form property; when one fails, the others are
    checked again without it, so a second failing property is still found and a holding one
    still passes."""
    from perfscore.testing import properties as _properties
    from perfscore.testing.properties import Failure, _Checker

    seen: dict[str, int] = {"total": 0}

    def failing(message: str) -> object:
        def make(self: object) -> object:
            return lambda data, *rest: Failure(message, (data,))

        return make

    def counting(self: object) -> object:
        def check(data: object, *rest: object) -> None:
            seen["total"] += 1

        return check

    monkeypatch.setattr(_Checker, "item_range", failing("范围"))
    monkeypatch.setattr(_Checker, "monotone", failing("单调"))
    monkeypatch.setattr(_Checker, "total", counting)
    template = perfscore.load_template(ROOT / "indicators" / "variants" / "execution-20.yaml")
    checker = _Checker(template, 20, 0, None)
    found = checker.run_form_properties(list(_properties.FORM_PROPERTIES))
    assert found["item_range"] is not None and found["item_range"].message == "范围"
    assert found["monotone"] is not None and found["monotone"].message == "单调"
    assert {k for k, v in found.items() if v is None} == {
        "scorable",
        "total",
        "full_marks",
        "permutation",
    }
    assert seen["total"] >= 20  # the last run, without the two failures, saw every example
