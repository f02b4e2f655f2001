"""Review (复核): findings on the seed, on the messy examples, lenient reading, configuration."""

from __future__ import annotations

import copy
import sys
import tempfile
from collections import Counter
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.build.bind import build_form
from perfscore.build.library import default_library
from perfscore.core.findings import CATALOGUE
from perfscore.errors import BuildError, ValidationErrors
from perfscore.read.normalize import document_from_data
from perfscore.read.table import read_table
from perfscore.review import FormReview, review_form
from tests.helpers import form as helper_form
from tests.helpers import template as helper_template
from tests.test_tabular import SEED_MERGES, seed_grid, tables, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
MESSY = ROOT / "examples" / "review"


def codes(review: FormReview) -> Counter[str]:
    return Counter(f.code for f in review.findings)


def one(review: FormReview, code: str) -> Any:
    found = [f for f in review.findings if f.code == code]
    assert len(found) == 1, (code, found)
    return found[0]


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed() -> FormReview:
    return review_form(SEED)


def test_seed_findings(seed: FormReview) -> None:
    assert codes(seed) == Counter(
        {
            "execution_rate_denominator": 1,
            "execution_rate_miscomputed": 1,
            "budget_identity": 1,
            "reported_differs": 1,
            "over_achievement_unexplained": 3,
            "actual_repeats_target": 1,
            "actual_has_comparator": 1,
            "total_differs": 1,
        }
    )
    assert seed.evaluation is not None
    assert seed.evaluation.total == D("99.69")
    assert seed.points_at_stake == D("0.69")
    assert seed.max_severity == "error"


def test_seed_execution_rate(seed: FormReview) -> None:
    wrong = one(seed, "execution_rate_denominator")
    assert "255.76%" in wrong.message and "年初预算数" in wrong.message
    assert dict(wrong.values)["按年初预算"] == "255.74%"
    assert dict(wrong.values)["按全年预算"] == "100.00%"
    assert wrong.line == 20  # the 执行率 line of the YAML file
    miscomputed = one(seed, "execution_rate_miscomputed")
    assert "4073.53 ÷ 1592.87 = 255.74%" in miscomputed.message


def test_seed_satisfaction_and_comparator(seed: FormReview) -> None:
    differs = one(seed, "reported_differs")
    assert differs.path[-1] == "群众满意度"
    assert dict(differs.values) == {"自评得分": "9", "计算得分": "9.69", "差额": "-0.69"}
    comparator = one(seed, "actual_has_comparator")
    assert comparator.path[-1] == "群众满意度" and "≧95%" in comparator.message
    # ≧100% = ≧100% is a repeated target, reported once (not also as a comparator)
    assert one(seed, "actual_repeats_target").path[-1] == "公共财政支出进度"


def test_seed_basic_spending_identity(seed: FormReview) -> None:
    identity = one(seed, "budget_identity")
    assert "人员经费 + 公用经费 = 1188.75 + 176.16 = 1364.91" in identity.message
    assert "基本支出 1365.61（差 0.70）" in identity.message
    assert dict(identity.values)["差额"] == "0.70"


def test_findings_sorted_by_severity_then_position(seed: FormReview) -> None:
    ranks = {"error": 0, "warning": 1, "info": 2}
    keys = [(ranks[f.severity], f.line or 0) for f in seed.findings]
    assert keys == sorted(keys)


def test_items_put_computed_beside_reported(seed: FormReview) -> None:
    item = next(i for i in seed.items if i.name == "群众满意度")
    assert (item.reported, item.score, item.difference) == (D(9), D("9.69"), D("-0.69"))
    assert "reported_differs" in item.codes and item.line == 68


# --------------------------------------------------------------------------- the messy examples

EXPECTED: dict[str, Counter[str]] = {
    "scores.yaml": Counter(
        {
            "reported_differs": 4,
            "score_above_weight": 1,
            "met_not_full": 1,
            "unmet_full": 2,
            "score_outside_tier": 1,
            "over_achievement_unexplained": 1,
            "over_achievement": 1,
            "reported_total_sum": 1,
            "total_differs": 1,
        }
    ),
    "budget.yaml": Counter(
        {"execution_rate_denominator": 1, "execution_rate_miscomputed": 1, "budget_identity": 1}
    ),
    "low-execution.yaml": Counter({"execution_rate_low_unexplained": 1}),
    "targets.yaml": Counter(
        {
            "weights_sum": 1,
            "target_in_name": 1,
            "actual_missing": 1,
            "actual_unreadable": 1,
            "unit_mismatch": 1,
            "target_unreadable": 1,
            "actual_repeats_target": 1,
            "target_missing": 1,
            "weight_missing": 1,
            "rule_unknown": 1,
            "unscorable": 1,
            "indicator_unknown": 1,
            "not_applicable": 1,
            "actual_has_comparator": 1,
        }
    ),
    "unknown-template.yaml": Counter({"form_unreadable": 1}),
    "messy-gbk.csv": Counter(
        {
            "weights_sum": 1,
            "reported_differs": 1,
            "unmet_full": 1,
            "weight_missing": 1,
            "row_unreadable": 1,
            "indicator_unknown": 1,
            "value_unreadable": 1,
            "total_differs": 1,
            "template_guessed": 1,  # issue 17: the guessed template is said
        }
    ),
    "messy-merged.xlsx": Counter(
        {
            "template_guessed": 1,  # issue 17: a project form, reviewed as one
            "total_counts_over_score": 1,  # the 12 on a 10-point budget item is in the total
            "budget_identity": 2,
            "reported_differs": 1,
            "score_above_weight": 1,
            "unmet_full": 1,
            "execution_rate_miscomputed": 1,
            "total_differs": 1,
        }
    ),
    # issue 19 item 18: the visible sheet is read, the hidden older copy is named
    "messy-hidden-sheet.xlsx": Counter(
        {
            "template_guessed": 1,  # as messy-merged.xlsx, whose visible copy it holds
            "total_counts_over_score": 1,
            "budget_identity": 2,
            "reported_differs": 1,
            "score_above_weight": 1,
            "unmet_full": 1,
            "execution_rate_miscomputed": 1,
            "total_differs": 1,
            "sheet_read": 1,
        }
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_messy_example_findings(name: str) -> None:
    assert codes(review_form(MESSY / name)) == EXPECTED[name]


def test_examples_together_trigger_every_code() -> None:
    from tests.test_published_examples import EXPECTED as PUBLISHED
    from tests.test_review_cases import CASES, SCORE_ONLY, _expected

    seen = {code for expected in (*EXPECTED.values(), *PUBLISHED.values()) for code in expected}
    seen |= {code for expected in CASES.values() for code in expected}
    seen |= {code for e in _expected().values() for code in e["codes"]}  # type: ignore[attr-defined]
    assert seen | SCORE_ONLY == set(CATALOGUE)


def test_scores_example_details() -> None:
    review = review_form(MESSY / "scores.yaml")
    above = one(review, "score_above_weight")
    assert above.path[-1] == "培训场次" and dict(above.values)["自评得分"] == "12"
    assert one(review, "met_not_full").path[-1] == "走访户数"
    assert one(review, "score_outside_tier").path[-1] == "整改完成情况"
    assert {f.path[-1] for f in review.findings if f.code == "unmet_full"} == {
        "新增就业人数",
        "整改完成情况",
    }
    assert one(review, "over_achievement").path[-1] == "宣传覆盖户数"
    assert one(review, "over_achievement").severity == "info"
    total = one(review, "reported_total_sum")
    assert dict(total.values)["各项之和"] == "99.5"


def test_budget_example_details() -> None:
    review = review_form(MESSY / "budget.yaml")
    assert "960 ÷ 800" in one(review, "execution_rate_denominator").message
    assert "960 ÷ 800 = 120.0%" in one(review, "execution_rate_miscomputed").message
    identity = one(review, "budget_identity")
    assert identity.path == ("资金情况", "收入合计")
    assert "一般公共预算 + 其他资金 = 700 + 250 = 950" in identity.message


def test_targets_example_every_leaf_still_scored() -> None:
    review = review_form(MESSY / "targets.yaml")
    assert review.evaluation is not None
    by_name = {i.name: i for i in review.items}
    assert by_name["民生改善程度"].score == D("22.22")  # rescaled: 不适用 drops 10 points
    assert by_name["信息报送篇数"].status == "缺失"
    assert by_name["档案整理"].status == "缺失"
    assert "咨询受理件数" not in by_name  # under an unknown 二级指标: a finding, not a score
    unknown = one(review, "indicator_unknown")
    assert unknown.path == ("产出指标", "服务指标", "咨询受理件数")


def test_tabular_examples_rows_accounted() -> None:
    csv_review = review_form(MESSY / "messy-gbk.csv")
    assert csv_review.encoding == "gb18030"
    outcomes = {r.row: (r.kind, r.outcome) for r in csv_review.rows}
    assert outcomes[12] == ("breakdown", "recognised")
    assert outcomes[14] == ("parent_sum", "recognised")
    assert outcomes[16] == ("indicator", "finding")  # weight 五分
    assert outcomes[17] == ("unreadable", "finding")
    assert all(r.outcome != "lost" for r in csv_review.rows)
    xlsx = review_form(MESSY / "messy-merged.xlsx")
    assert xlsx.encoding is None
    # synonyms (权重, 自评得分, 完成值) and split target columns: every leaf row scored
    assert [r.outcome for r in xlsx.rows if r.kind == "indicator"] == ["scored"] * 5


def test_generated_tables_match_the_script(tmp_path: Path) -> None:
    sys.path.insert(0, str(MESSY))
    try:
        import make_messy
    finally:
        sys.path.remove(str(MESSY))
    make_messy.main(["make_messy.py", str(tmp_path)])
    for name in ("messy-gbk.csv", "messy-merged.xlsx"):
        fresh, committed = read_table(tmp_path / name), read_table(MESSY / name)
        assert fresh.document.data == committed.document.data
        assert [(r.row, r.kind) for r in fresh.rows] == [(r.row, r.kind) for r in committed.rows]


# --------------------------------------------------------------------------- tabular seed


@pytest.mark.parametrize(("encoding", "detected"), [("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_seed_csv_encodings(tmp_path: Path, encoding: str, detected: str) -> None:
    review = review_form(write_csv(tmp_path / "seed.csv", seed_grid(), encoding=encoding))
    assert review.encoding == detected
    assert review.source == "csv"
    yaml_codes = codes(review_form(SEED))
    del yaml_codes["budget_identity"]  # 人员经费/公用经费 are not in 附件2
    yaml_codes["template_guessed"] = 1  # a table says which template it was reviewed with
    assert codes(review) == yaml_codes
    differs = one(review, "reported_differs")
    assert differs.row is not None and differs.line is None


def test_seed_xlsx_with_merged_cells(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "seed.xlsx", seed_grid(), merges=SEED_MERGES)
    review = review_form(path)
    assert review.source == "xlsx"
    assert review.evaluation is not None and review.evaluation.total == D("99.69")
    assert one(review, "execution_rate_denominator").row == 4
    assert all(r.outcome != "lost" for r in review.rows)
    assert sum(r.outcome == "scored" for r in review.rows) == 10  # 15 leaves, 5 with findings


def test_tabular_template_option(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "seed.csv", seed_grid())
    review = review_form(path, template="hunan/unit-self-evaluation")
    assert review.evaluation is not None
    assert review.evaluation.template_id == "hunan/unit-self-evaluation"


# --------------------------------------------------------------------------- configuration


def test_overrides_disable_tolerance_severity(seed: FormReview) -> None:
    review = review_form(
        SEED,
        disable=["over_achievement_unexplained"],
        tolerances={"reported_differs": "1"},
        severities={"budget_identity": "info"},
    )
    got = codes(review)
    assert "over_achievement_unexplained" not in got
    assert "reported_differs" not in got  # 0.69 is within 1
    assert one(review, "budget_identity").severity == "info"


def test_unknown_override_code_is_refused() -> None:
    with pytest.raises(BuildError, match="未知的复核项"):
        review_form(SEED, disable=["no_such_check"])
    with pytest.raises(BuildError, match="严重程度"):
        review_form(SEED, severities={"unmet_full": "fatal"})


def _with_template_review(review_block: dict[str, Any]) -> dict[str, Any]:
    tmpl = helper_template(review=review_block)
    return helper_form(
        [{"name": "场次", "target": "≥10次", "actual": "5次", "weight": "50", "reported": "50"}],
        tmpl=tmpl,
        budget={"unit": "万元", "全年预算数": "100", "收入": {"甲": "60", "乙": "30"}},
    )


def test_template_review_block_configures_checks() -> None:
    data = _with_template_review({})
    assert {"unmet_full", "reported_differs"} <= set(codes(review_form(data)))
    data = _with_template_review(
        {
            "checks": {
                "unmet_full": {"enabled": False},
                "reported_differs": {"severity": "info", "tolerance": "30"},
            },
            "identities": [{"name": "收入", "total": "全年预算数", "parts": ["收入.*"]}],
        }
    )
    review = review_form(data)
    assert "unmet_full" not in codes(review) and "reported_differs" not in codes(review)
    identity = one(review, "budget_identity")
    assert "甲 + 乙 = 60 + 30 = 90" in identity.message
    data["template"]["review"]["identities"][0]["tolerance"] = "10"
    assert "budget_identity" not in codes(review_form(data))


def test_template_review_block_follows_the_schema() -> None:
    bad = helper_template(review={"checks": {"no_such_check": {"enabled": False}}})
    with pytest.raises(ValidationErrors):
        perfscore.load_template(bad)


# --------------------------------------------------------------------------- lenient building


def _leaves(*leaves: dict[str, Any]) -> dict[str, Any]:
    return helper_form(list(leaves))


def test_strict_build_still_raises() -> None:
    data = _leaves({"name": "坏", "target": "≥abc", "actual": "1次", "weight": "10"})
    with pytest.raises(ValidationErrors):
        perfscore.load_form(data)


def test_lenient_build_keeps_unreadable_leaves() -> None:
    data = _leaves(
        {"name": "坏", "target": "≥abc", "actual": "1次", "weight": "10", "reported": "10"},
        {"name": "好", "target": "≥10次", "actual": "10次", "weight": "10"},
    )
    doc = document_from_data(data)
    form = build_form(doc, default_library().resolve, lenient=True)
    bad = next(leaf for leaf in form.leaves() if leaf.name == "坏")
    assert bad.unreadable is not None
    assert [f.code for f in form.findings] == ["target_unreadable"]
    result = perfscore.evaluate(form, lenient=True)
    assert result.find("坏").status == "缺失" and result.find("坏").score == 0
    assert result.find("好").score == D("10.00")


def test_lenient_weights_sum_is_a_finding() -> None:
    data = _leaves({"name": "甲", "target": "≥1次", "actual": "1次", "weight": "10"})
    data["indicators"]["指标"].pop()  # drop the padding: weights now sum to 10, not 100
    review = review_form(data)
    assert codes(review)["weights_sum"] == 1
    assert review.evaluation is not None


def test_schema_problems_become_findings(tmp_path: Path) -> None:
    data = _leaves(
        {"name": "甲", "target": "≥1次", "actual": {"x": "1"}, "weight": "10", "acutal": "1次"},
        {"name": "乙", "target": "≥1次", "actual": "1次", "weight": "10", "reported": "九分"},
    )
    data["indicators"]["指标"].append("不是映射")
    review = review_form(data)
    got = codes(review)
    assert got["actual_unreadable"] == 1
    assert got["value_unreadable"] == 3  # acutal, 九分, the bare string entry
    assert review.evaluation is not None
    names = {i.name for i in review.items}
    assert {"甲", "乙", "第4项"} <= names


def test_not_a_form_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("kind: template\nid: x\n", encoding="utf-8")
    review = review_form(path)
    assert review.evaluation is None
    assert codes(review) == Counter({"form_unreadable": 1})
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: form\n  bad: [\n", encoding="utf-8")
    assert codes(review_form(broken)) == Counter({"form_unreadable": 1})


def test_form_object_and_mapping_sources() -> None:
    form = perfscore.load_form(SEED)
    review = review_form(form)
    assert review.source == "form"
    assert codes(review)["reported_differs"] == 1
    data = copy.deepcopy(perfscore.read.yaml.load_yaml(SEED).data)
    assert codes(review_form(data))["budget_identity"] == 1


def test_execution_rate_miscomputed_against_the_adjusted_budget() -> None:
    data = helper_form(
        [{"name": "甲", "target": "≥1次", "actual": "1次", "weight": "90"}],
        tmpl=helper_template(
            rules={"执行率": {"kind": "execution_rate"}},
            indicators=[
                {"name": "预算执行率", "weight": "10", "rule": "执行率"},
                {"name": "指标", "open": True},
            ],
        ),
        budget={"年初预算数": "50", "全年预算数": "100", "全年执行数": "90", "执行率": "91%"},
    )
    data["indicators"]["指标"].pop()
    review = review_form(data)
    assert set(codes(review)) == {"execution_rate_miscomputed"}
    assert "90 ÷ 100 = 90%" in one(review, "execution_rate_miscomputed").message


# --------------------------------------------------------------------------- property


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.booleans())
def test_property_every_row_is_scored_or_named(table: tuple[Any, Any], xlsx: bool) -> None:
    grid, _header = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("p.xlsx" if xlsx else "p.csv")
        path = write_xlsx(path, grid) if xlsx else write_csv(path, grid)
        review = review_form(path)
    if review.evaluation is None:  # no indicator header at all: the whole file is a finding
        assert codes(review)["form_unreadable"] == 1
        return
    assert review.rows, "a tabular review accounts for its rows"
    for account in review.rows:
        assert account.outcome != "lost", account
        if account.kind == "unreadable":
            assert "row_unreadable" in account.codes
    scored = {r.row for r in review.rows if r.outcome.startswith("scored")}
    assert scored == {i.row for i in review.items if i.row in scored}


def test_each_entry_under_an_unknown_indicator_is_named() -> None:
    from perfscore.review import review_form

    data = {
        "kind": "form",
        "template": "hunan/unit-self-evaluation",
        "budget": {"全年预算数": "100", "全年执行数": "100"},
        "indicators": {
            "产出指标X": {
                "数量指标": {
                    "场次": {"target": "≥10次", "actual": "12次", "weight": "5"},
                    "人次": {"target": "≥20人次", "actual": "22人次", "weight": "5"},
                }
            }
        },
    }
    review = review_form(data)
    unknown = [f for f in review.findings if f.code == "indicator_unknown"]
    assert sorted(f.path[-1] for f in unknown) == ["人次", "场次"]
    assert all(f"“{f.path[-1]}”未计分" in f.message for f in unknown)


def test_a_callers_mistake_is_an_error_before_any_form_is_read() -> None:
    from perfscore.errors import InputTypeError
    from perfscore.review import review_batch

    seed = str(Path(__file__).resolve().parent.parent / "examples" / "yueyanglou-2023")
    for jobs in (1, 2):
        with pytest.raises(InputTypeError):
            review_batch([seed], jobs=jobs, nonsense=1)
        with pytest.raises(InputTypeError):
            review_batch([seed], jobs=jobs, search_path="indicators")


def test_a_folder_without_forms_is_reported_not_skipped(tmp_path: Path) -> None:
    from perfscore.review import review_batch

    (tmp_path / "空").mkdir()
    batch = review_batch([tmp_path / "空"])
    (review,) = batch.reviews
    assert [f.code for f in review.findings] == ["form_unreadable"]
    assert "目录中没有表单文件" in review.findings[0].message
