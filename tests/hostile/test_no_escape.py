"""Across every hostile case: only perfscore.errors escape, and the CLI stays calm.

* Each case, run through the API, raises an exception of a class defined in
  ``perfscore.errors`` (nothing else: no KeyError, TypeError, decimal.InvalidOperation …).
* Each file-based case, run through ``perfscore validate``, exits 1, prints its location
  (``file:line`` or the file, and the indicator path) and no traceback.
* Mutated forms (random byte edits of a valid one) never make ``validate`` raise.
* Usage errors exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfscore
from perfscore import errors
from perfscore.cli import main
from perfscore.errors import PerfscoreError, format_path

from ._support import SIMPLE_TEMPLATE, Case, form_text, ids, run_case
from .test_api_misuse import API_CASES
from .test_formulas_hostile import FORMULA_CASES
from .test_numbers_hostile import NUMBER_CASES
from .test_units_semantics_hostile import SEMANTIC_CASES
from .test_yaml_hostile import YAML_CASES

ALL_CASES: list[Case] = [
    *YAML_CASES,
    *NUMBER_CASES,
    *FORMULA_CASES,
    *SEMANTIC_CASES,
    *API_CASES,
]
FILE_CASES = [c for c in ALL_CASES if c.files and c.cli]
DOCUMENTED = tuple(getattr(errors, name) for name in errors.__all__ if name != "format_path")


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in ALL_CASES}) == len(ALL_CASES)


def test_enough_hostile_cases() -> None:
    assert len(ALL_CASES) >= 150


@pytest.mark.parametrize("case", ALL_CASES, ids=ids(ALL_CASES))
def test_only_documented_exceptions_escape(case: Case, tmp_path: Path) -> None:
    try:
        run_case(case, tmp_path)
    except Exception as exc:  # the point of the test: look at whatever escapes
        assert isinstance(exc, DOCUMENTED), f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
        assert type(exc).__module__ == "perfscore.errors"
    else:
        pytest.fail(f"{case.id}: nothing was raised")


@pytest.mark.parametrize("case", FILE_CASES, ids=ids(FILE_CASES))
def test_cli_validate_reports_each_hostile_file(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = case.write(tmp_path)
    code = main(["validate", str(entry)])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert "Traceback" not in out + err
    located = str(tmp_path / (case.located_file or case.entry))
    line = case.expected_line()
    where = f"{located}:{line}:" if line is not None else f"{located}: "
    assert where in err, err
    if case.path:
        assert format_path(case.path) in err, err


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.binary(max_size=4)),
        min_size=1,
        max_size=6,
    ),
    cut=st.integers(min_value=0, max_value=10_000),
)
def test_mutated_forms_never_raise(
    edits: list[tuple[int, bytes]], cut: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("mutated")
    (directory / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    raw = bytearray(
        form_text(
            "{name: 场次, target: ≥10次, actual: 18次, weight: 60}",
            "{name: 满意度, target: ≥90%, actual: 95%, weight: 40, reported: 40}",
            tail="inputs: {编制数: 10, 实际在职人数: 9}\nreported_total: 100\n",
        ).encode()
    )
    for offset, data in edits:
        at = offset % (len(raw) + 1)
        raw[at : at + len(data)] = data
    if cut % 3 == 0:  # a third of the examples are also truncated
        del raw[cut % (len(raw) + 1) + 1 :]
    (directory / "form.yaml").write_bytes(bytes(raw))
    problems = perfscore.validate(directory / "form.yaml")  # must not raise
    assert all(isinstance(p, PerfscoreError) for p in problems)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["score"],
        ["validate"],
        ["nonsense-command"],
        ["validate", "--format", "xml", "x.yaml"],
        ["score", "--no-such-option", "x.yaml"],
        ["schema", "no-such-schema"],
        ["score", "x.yaml", "--format", "pdf"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        code = main(argv)
        raise SystemExit(code)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err


def test_explain_unknown_indicator_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    form = tmp_path / "form.yaml"
    form.write_text(form_text("{name: 场次, target: ≥10次, actual: 18次, weight: 100}"), "utf-8")
    code = main(["explain", str(form), "场次数"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "您是不是要找“场次”" in err
