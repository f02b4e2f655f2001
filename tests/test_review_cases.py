"""Issue 17: review reads what a published table prints (cases in tests/data/review-cases/)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from perfscore.build.library import default_library
from perfscore.cli import main
from perfscore.core.findings import CATALOGUE
from perfscore.review import ReviewConfig, review_form

CASES_DIR = Path(__file__).parent / "data" / "review-cases"
ROOT = Path(__file__).parent.parent
PROJECT = "hunan/project-self-evaluation"

#: Every finding code each case gives (g3 and g4 are the scoring issue's: read, not asserted).
CASES: dict[str, Counter[str]] = {
    "g1-budget20.csv": Counter(
        {
            "weight_from_form": 1,
            "weights_sum": 1,
            "execution_rate_low_unexplained": 1,
            "template_guessed": 1,
        }
    ),
    "g2-rate0.csv": Counter(
        {
            "execution_rate_miscomputed": 1,
            "reported_differs": 1,
            "met_not_full": 1,
            "template_guessed": 1,
        }
    ),
    "g5-parent.csv": Counter(
        {"parent_row": 1, "parent_counted_twice": 1, "total_differs": 1, "template_guessed": 1}
    ),
    "g6-over.csv": Counter({"execution_over_budget": 1, "template_guessed": 1}),
    "g7-cap.csv": Counter(
        {"weights_sum": 1, "total_capped": 1, "total_differs": 1, "template_guessed": 1}
    ),
    "g8-noweight.csv": Counter(
        {
            "weight_from_form": 1,
            "weight_implied": 3,
            "weights_sum": 1,
            "reported_differs": 3,
            "score_above_weight": 2,
            "total_counts_over_score": 1,
            "met_not_full": 1,
            "over_achievement_unexplained": 1,
            "total_capped": 1,
            "total_differs": 1,
            "template_guessed": 1,
            "unit_missing": 1,  # 培训场次 “10”: a count written without its unit (issue 13)
        }
    ),
    "g10-formula.xlsx": Counter(
        {
            "formula_as_text": 1,
            "execution_rate_miscomputed": 1,
            "reported_differs": 1,
            "met_not_full": 1,
            "template_guessed": 1,
        }
    ),
    "x1-rate-empty.csv": Counter({"execution_rate_missing": 1, "template_guessed": 1}),
    "x2-zero-total.csv": Counter({"budget_total_from_parts": 1, "template_guessed": 1}),
    "x3-some-weights.csv": Counter(
        {
            "weight_missing": 1,
            "weights_sum": 1,
            "over_achievement_unexplained": 1,
            "percent_over_100": 1,
            "template_guessed": 1,
        }
    ),
    "g3-name.csv": Counter({"target_in_name": 1, "template_guessed": 1}),
    "g9-no-template.yaml": Counter(
        {"weights_sum": 2, "budget_score_missing": 1, "over_achievement_unexplained": 1}
    ),
    "x4-formula-weight.xlsx": Counter(
        {"formula_uncached": 1, "weight_implied": 1, "template_guessed": 1}
    ),
}
#: Options a case is reviewed with (g9 is the --template rescue).
OPTIONS: dict[str, dict[str, str]] = {"g9-no-template.yaml": {"template": PROJECT}}
#: Codes only the scorer emits (review reports missing_actual as actual_missing).
SCORE_ONLY = frozenset({"missing_actual"})


def codes(path: Path, **kw: object) -> Counter[str]:
    return Counter(f.code for f in review_form(path, **kw).findings)  # type: ignore[arg-type]


def one(path: Path, code: str, **kw: object):  # type: ignore[no-untyped-def]
    found = [f for f in review_form(path, **kw).findings if f.code == code]  # type: ignore[arg-type]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_codes(name: str) -> None:
    assert codes(CASES_DIR / name, **OPTIONS.get(name, {})) == CASES[name]


def test_g1_printed_budget_weight_wins() -> None:
    review = review_form(CASES_DIR / "g1-budget20.csv")
    f = one(CASES_DIR / "g1-budget20.csv", "weight_from_form")
    assert "20" in f.message and "10" in f.message and f.row == 5
    item = next(i for i in review.items if i.name == "预算执行率")
    assert item.weight == 20 and item.score == 10  # 50% of 20: the 10 reported is right
    assert "reported_differs" not in {c for i in review.items for c in i.codes}


def test_label_points_win(tmp_path: Path) -> None:
    text = (CASES_DIR / "g1-budget20.csv").read_text(encoding="utf-8")
    text = text.replace(",20,50%,10", ",10,50%,5").replace("产出指标,数量", "产出指标(40分),数量")
    path = tmp_path / "label.csv"
    path.write_text(text, encoding="utf-8")
    f = one(path, "weight_from_form")
    assert "产出指标" in f.message and "40" in f.message and f.row == 8


def test_goals_label_implies_budget(tmp_path: Path) -> None:
    text = (CASES_DIR / "g8-noweight.csv").read_text(encoding="utf-8")
    text = text.replace("年度资金总额,,100,100,20,100%,20", "年度资金总额,,100,100,,100%,20")
    text = text.replace("单位名称,示例单位", "单位名称,示例单位\n年度绩效目标（80分）,")
    path = tmp_path / "goals.csv"
    path.write_text(text, encoding="utf-8")
    f = one(path, "weight_from_form")
    assert "20" in f.message and "年度绩效目标" in f.message


def test_sichuan_table_is_rehomed(tmp_path: Path) -> None:
    lib = default_library()
    built = lib.load(lib.find("variants/sichuan-2023"))
    review = review_form(_plain_table(built, tmp_path))
    moved = [f for f in review.findings if f.code == "group_rehomed"]
    assert {f.path for f in moved} == {
        ("绩效指标", n) for n in ("产出指标", "效益指标", "满意度指标")
    }
    assert review.evaluation is not None and review.evaluation.total == 100


def test_g3_target_in_name_not_missing() -> None:
    f = one(CASES_DIR / "g3-name.csv", "target_in_name")
    assert f.row == 8 and "资金支付完成率100%" in f.message


def test_template_guess_said() -> None:
    f = one(CASES_DIR / "g1-budget20.csv", "template_guessed")
    assert f.message == "按项目支出绩效自评表模板复核（依据：表头含‘项目支出绩效自评表’）"
    assert review_form(CASES_DIR / "g1-budget20.csv").evaluation.template_id == PROJECT  # type: ignore[union-attr]
    unit = one(ROOT / "examples/review/messy-gbk.csv", "template_guessed")
    assert unit.message.startswith("按部门（单位）整体支出绩效自评表模板复核")


def test_guess_by_label(tmp_path: Path) -> None:
    text = (CASES_DIR / "g1-budget20.csv").read_text(encoding="utf-8")
    text = text.replace("项目支出绩效自评表\n", "绩效自评表\n项目名称,培训\n")
    path = tmp_path / "label.csv"
    path.write_text(text, encoding="utf-8")
    assert one(path, "template_guessed").message.endswith("（依据：表头含‘项目名称’）")


def test_given_template_is_not_guessed() -> None:
    assert "template_guessed" not in codes(CASES_DIR / "g1-budget20.csv", template=PROJECT)


def test_g9_template_rescues_yaml() -> None:
    path = CASES_DIR / "g9-no-template.yaml"
    review = review_form(path, template=PROJECT)
    assert review.evaluation is not None and review.evaluation.template_id == PROJECT
    assert codes(path) == Counter({"form_unreadable": 1})  # without --template: said


def test_g5_parent_not_counted() -> None:
    review = review_form(CASES_DIR / "g5-parent.csv")
    names = [i.name for i in review.items]
    assert "一、示范建设" not in names and "1、甲类示范" in names
    assert "weights_sum" not in {f.code for f in review.findings}
    row8 = next(r for r in review.rows if r.row == 8)
    assert row8.kind == "parent_sum"
    f = one(CASES_DIR / "g5-parent.csv", "parent_counted_twice")
    assert "130" in f.message and "100" in f.message and "30" in f.message


def test_parent_needs_matching_points(tmp_path: Path) -> None:
    text = (CASES_DIR / "g5-parent.csv").read_text(encoding="utf-8")
    path = tmp_path / "p.csv"
    path.write_text(text.replace("≥300亩,300亩,30,30", "≥300亩,300亩,25,25"), encoding="utf-8")
    assert "parent_row" not in codes(path)


def test_g7_cap_is_said() -> None:
    f = one(CASES_DIR / "g7-cap.csv", "total_capped")
    assert "110" in f.message and "100" in f.message


def test_g8_over_score_counted() -> None:
    f = one(CASES_DIR / "g8-noweight.csv", "total_counts_over_score")
    assert "107.1" in f.message and "7.1" in f.message
    review = review_form(CASES_DIR / "g8-noweight.csv")
    assert review.evaluation is not None
    assert [i.weight for i in review.items if i.name != "预算执行率"] == [50, 30, 10]


def test_g2_zero_rate_and_g6_over_budget() -> None:
    assert "100.00%" in one(CASES_DIR / "g2-rate0.csv", "execution_rate_miscomputed").message
    f = one(CASES_DIR / "g6-over.csv", "execution_over_budget")
    assert "105" in f.message and "未填写得分" in f.message


def test_g10_formula_text_is_a_target() -> None:
    review = review_form(CASES_DIR / "g10-formula.xlsx")
    item = next(i for i in review.items if i.name == "培训场次")
    assert item.target == "=10次" and "target_missing" not in item.codes
    f = one(CASES_DIR / "x4-formula-weight.xlsx", "formula_uncached")
    assert "公式没有计算结果，请在 Excel 中重新计算后保存" in f.message and f.row == 8


def test_repeats_collapse() -> None:
    f = one(CASES_DIR / "x3-some-weights.csv", "weight_missing")
    assert "共 3 项" in f.message and "第 9、10、11 行" in f.message


def test_every_code_can_be_disabled() -> None:
    ReviewConfig.build(None, disable=list(CATALOGUE))
    assert main(
        [
            "review",
            "--disable",
            "percent_over_100",
            "--disable",
            "missing_actual",
            str(CASES_DIR / "x3-some-weights.csv"),
        ]
    ) in (0, 1)
    assert "percent_over_100" not in codes(
        CASES_DIR / "x3-some-weights.csv", disable=["percent_over_100"]
    )


def _forms() -> list[Path]:
    out = []
    for p in sorted((ROOT / "examples").rglob("*")):
        if (
            p.suffix in (".yaml", ".yml") and "kind: form" in p.read_text(encoding="utf-8")
        ) or p.suffix in (".csv", ".xlsx"):
            out.append(p)
    return out + sorted(CASES_DIR.glob("*"))


def test_every_emitted_code_is_catalogued() -> None:
    from perfscore.text.numbers import local_context

    emitted: set[str] = set()
    for path in _forms():
        review = review_form(path, template=PROJECT if path.name.startswith("g9") else None)
        emitted |= {f.code for f in review.findings}
    for template in default_library().shipped_ids():
        built = default_library().load(default_library().find(template))
        emitted |= {f.code for f in review_form(_plain_table(built, Path("/tmp"))).findings}
        for example in built.examples:
            data = {"kind": "form", "template": template, **dict(example.get("form") or {})}
            review = review_form(data)
            emitted |= {f.code for f in review.findings}
            if review.evaluation is not None:
                with local_context():
                    emitted |= {f.code for f in review.evaluation.findings}
    assert emitted - set(CATALOGUE) == set()
    assert emitted >= {"missing_actual"} - SCORE_ONLY


def _plain_table(template, where: Path) -> Path:  # type: ignore[no-untyped-def]
    """A plainly laid-out three-level table of ``template``'s kind, one leaf per open group."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([template.name])
    w.writerow(["模板", template.id])
    w.writerow([])
    w.writerow(
        ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    )
    w.writerow(["年度资金总额", "100", "100", "100", "", "100%", ""])
    w.writerow([])
    w.writerow(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
    by_path = {n.path: n for n in template.walk()}
    opens = [n for n in template.walk() if n.open and len(n.path) >= 2]
    for i, node in enumerate(opens):
        # the nearest weighted ancestor shares its points among the open groups under it
        owner = next(
            by_path[node.path[:k]]
            for k in range(len(node.path) - 1, 0, -1)
            if by_path[node.path[:k]].weight is not None
        )
        share = [o for o in opens if o.path[: len(owner.path)] == owner.path]
        weight = owner.weight / len(share)  # type: ignore[operator]
        w.writerow([node.path[-2], node.name, f"{node.name}{i}", "≥10个", "10个", weight, ""])
    path = where / f"plain-{template.id.replace('/', '-')}.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("template", sorted(default_library().shipped_ids()))
def test_every_template_reads_a_plain_table(template: str, tmp_path: Path) -> None:
    lib = default_library()
    built = lib.load(lib.find(template))
    if not any(n.open for n in built.walk()):
        pytest.skip(f"{template} has no open groups: its leaves are fixed, not a three-level table")
    review = review_form(_plain_table(built, tmp_path))
    assert review.evaluation is not None
    unknown = [f for f in review.findings if f.code == "indicator_unknown"]
    assert len(unknown) < len(review.items) or not review.items, unknown
    assert not unknown, [f.message for f in unknown]


# ---------------------------------------------------------------- one loader (CLI)


@pytest.mark.parametrize("name", ["g1-budget20.csv", "g10-formula.xlsx"])
def test_score_explain_validate_read_tables(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CASES_DIR / name)
    assert main(["score", path]) in (0, 1)
    out = capsys.readouterr()
    assert "无法" not in out.err or "YAML" not in out.err
    assert main(["explain", path, "预算执行率"]) in (0, 1)
    assert main(["validate", path]) in (0, 1)


def test_score_reads_messy_xlsx(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(ROOT / "examples/review/messy-merged.xlsx")]) == 0
    assert "hunan/project-self-evaluation" in capsys.readouterr().out


def test_explain_reads_one_record_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    form = {
        "kind": "form",
        "template": "mof/project-self-evaluation",
        "budget": {"unit": "万元", "年初预算数": "100", "全年预算数": "100", "全年执行数": "90"},
        "indicators": {
            "产出指标": {
                "数量指标": [{"name": "场次", "target": "≥10次", "actual": "10次", "weight": "50"}]
            },
            "效益指标": {
                "社会效益指标": [
                    {"name": "人数", "target": "≥10人", "actual": "10人", "weight": "30"}
                ]
            },
            "满意度指标": {
                "服务对象满意度指标": [
                    {"name": "满意度", "target": "≥90%", "actual": "95%", "weight": "10"}
                ]
            },
        },
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(form, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["explain", str(path), "预算执行率"]) == 0
    assert "90" in capsys.readouterr().out


def test_score_a_template_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(ROOT / "indicators/mof/project-self-evaluation.yaml")]) == 1
    err = capsys.readouterr().err
    assert "这是模板，请给出表单" in err and err.count("\n") <= 2


def test_missing_template_folder_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "-T", "/no/such/folder", str(ROOT / "examples/review/budget.yaml")]) == 2
    assert "模板目录不存在" in capsys.readouterr().err


# ---------------------------------------------------------------- examples/review/published

PUBLISHED = ROOT / "examples" / "review" / "published"


def _expected() -> dict[str, dict[str, object]]:
    import yaml

    data = yaml.safe_load((PUBLISHED / "expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", sorted(_expected()))
def test_published_examples(name: str) -> None:
    expected = _expected()[name]
    assert codes(PUBLISHED / name) == Counter(expected["codes"])  # type: ignore[arg-type]
    planted = {str(p).rsplit("→", 1)[-1].strip() for p in expected["planted"]}  # type: ignore[attr-defined]
    assert planted <= set(codes(PUBLISHED / name))


def test_published_folder_is_all_listed() -> None:
    assert {p.name for p in PUBLISHED.glob("*.csv")} == set(_expected())


def test_clean_forms_have_no_false_alarm() -> None:
    """Clean examples: no warning or error that my issue's checks add (measured: zero)."""
    clean = [
        PUBLISHED / "project-clean.csv",
        PUBLISHED / "sichuan-table.csv",
        ROOT / "examples/mof-evaluation/health-checkup-2023.yaml",
        ROOT / "examples/mof-finance-evaluation/health-checkup-2023.yaml",
        ROOT / "examples/variants/execution-20.yaml",
        ROOT / "examples/variants/reverse-linear.yaml",
        ROOT / "examples/variants/sichuan-2023.yaml",
        ROOT / "examples/hunan-project/operation-maintenance-2023.yaml",
    ]
    for path in clean:
        alarms = [f for f in review_form(path).findings if f.severity != "info"]
        assert alarms == [], (path, alarms)


# ---------------------------------------------------------------- boundaries


def _table(tmp_path: Path, budget: str, rows: list[str], name: str = "t.csv") -> Path:
    head = (
        "项目支出绩效自评表\n单位名称,示例单位\n\n"
        "项目资金（万元）,年初预算数,全年预算数,全年执行数,分值,执行率,得分\n"
        f"{budget}\n\n"
        "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分,偏差原因分析及改进措施\n"
    )
    path = tmp_path / name
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_implied_shares_round_and_add_up(tmp_path: Path) -> None:
    rows = [
        "产出指标,数量指标,甲,≥1次,1次,,",
        "产出指标,数量指标,乙,≥1次,1次,,",
        "产出指标,质量指标,丙,≥1次,1次,,",
        "效益指标,社会效益指标,丁,≥1人,1人,30,",
        "满意度指标,服务对象满意度指标,戊,≥90%,95%,10,",
    ]
    review = review_form(_table(tmp_path, "年度资金总额,100,100,100,10,100%,10", rows))
    weights = [i.weight for i in review.items if i.name in "甲乙丙"]
    assert [str(w) for w in weights] == ["16.67", "16.67", "16.66"] and sum(weights) == 50
    f = one(review.file and Path(review.file), "weight_implied")  # type: ignore[arg-type]
    assert "共 3 项" in f.message and "最后一项 16.66 分" in f.message


def test_two_repeats_stay_apart_three_collapse(tmp_path: Path) -> None:
    def rows(n: int) -> list[str]:
        out = ["产出指标,数量指标,有分值,≥1次,1次,20,20"]
        out += [f"产出指标,数量指标,无分值{i},≥1次,1次,,10" for i in range(n)]
        return out

    two = Counter(f.code for f in review_form(_table(tmp_path, "", rows(2), "two.csv")).findings)
    three = Counter(
        f.code for f in review_form(_table(tmp_path, "", rows(3), "three.csv")).findings
    )
    assert two["weight_missing"] == 2 and three["weight_missing"] == 1


@pytest.mark.parametrize(("executed", "expected"), [("100", 0), ("100.01", 1)])
def test_over_budget_boundary(tmp_path: Path, executed: str, expected: int) -> None:
    rows = [
        "产出指标,数量指标,培训场次,≥10次,10次,50,50,",
        "效益指标,社会效益指标,受益人数,≥100人,100人,30,30,",
        "满意度指标,服务对象满意度指标,满意度,≥90%,95%,10,10,",
    ]
    path = _table(tmp_path, f"年度资金总额,100,100,{executed},10,,10", rows)
    assert codes(path)["execution_over_budget"] == expected


def test_batch_score_reads_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["score", str(PUBLISHED / "project-clean.csv"), str(CASES_DIR / "g2-rate0.csv")])
    out = capsys.readouterr().out
    assert code == 0 and out.count('"total": 100') == 2


def test_validate_checks_every_jsonl_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {
        "kind": "form",
        "template": "mof/project-self-evaluation",
        "budget": {"unit": "万元", "年初预算数": "100", "全年预算数": "100", "全年执行数": "90"},
        "indicators": {
            "产出指标": {
                "数量指标": [{"name": "场次", "target": "≥10次", "actual": "10次", "weight": "50"}]
            },
            "效益指标": {
                "社会效益指标": [
                    {"name": "人数", "target": "≥10人", "actual": "10人", "weight": "30"}
                ]
            },
            "满意度指标": {
                "服务对象满意度指标": [
                    {"name": "满", "target": "≥90%", "actual": "95%", "weight": "10"}
                ]
            },
        },
    }
    bad = json.loads(json.dumps(good))
    bad["indicators"]["产出指标"]["数量指标"][0]["weight"] = "40"
    path = tmp_path / "two.jsonl"
    lines = [json.dumps(x, ensure_ascii=False) for x in (good, bad)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "two.jsonl:2:" in err and "two.jsonl:1:" not in err
