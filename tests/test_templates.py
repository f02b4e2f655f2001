"""The shipped templates in indicators/: valid, self-checking, documented, and their examples."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

import perfscore
from perfscore.build.library import default_library
from perfscore.cli import main
from perfscore.engine.evaluate import compute_values
from perfscore.model import Template, TemplateNode
from perfscore.read.yaml import load_yaml
from perfscore.testing.examples import check_template

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = ROOT / "indicators"
EXAMPLES = ROOT / "examples"
TEMPLATE_FILES = sorted(INDICATORS.rglob("*.yaml"))
TEMPLATE_IDS = [p.relative_to(INDICATORS).with_suffix("").as_posix() for p in TEMPLATE_FILES]

# Every template shipped by issue 4 (the list is checked against the directory).
SHIPPED = {
    "mof/project-self-evaluation",
    "mof/evaluation-framework",
    "mof/finance-evaluation-framework",
    "hunan/unit-self-evaluation",
    "hunan/project-self-evaluation",
    "hunan/unit-evaluation-basic-data",
    "variants/grades-80-70-60",
    "variants/reverse-linear",
    "variants/execution-20",
    "variants/sichuan-2023",
    # issue 14: the monitoring variant where only the budget light decides red
    "variants/monitoring-budget-red",
}

# One example form per template, with what `perfscore score` gives for it.
EXAMPLE_FORMS = {
    "yueyanglou-2023/unit-self-evaluation.yaml": ("hunan/unit-self-evaluation", "99.69", "优"),
    "yueyanglou-2023/basic-data.yaml": ("hunan/unit-evaluation-basic-data", "82.07", "良"),
    "mof-project/rural-road-maintenance-2023.yaml": ("mof/project-self-evaluation", "95.99", "优"),
    "hunan-project/operation-maintenance-2023.yaml": ("hunan/project-self-evaluation", "100", "优"),
    "mof-evaluation/health-checkup-2023.yaml": ("mof/evaluation-framework", "94.37", "优"),
    "mof-finance-evaluation/health-checkup-2023.yaml": (
        "mof/finance-evaluation-framework",
        "94.19",
        "优",
    ),
    "variants/grades-80-70-60.yaml": ("variants/grades-80-70-60", "78.48", "良"),
    "variants/reverse-linear.yaml": ("variants/reverse-linear", "98", "优"),
    "variants/execution-20.yaml": ("variants/execution-20", "96.5", "优"),
    "variants/sichuan-2023.yaml": ("variants/sichuan-2023", "96.9", "优"),
    "variants/monitoring-budget-red.yaml": ("variants/monitoring-budget-red", "99.81", "优"),
}


def load(ref: str) -> Template:
    lib = default_library()
    return lib.load(lib.find(ref))


# ------------------------------------------------------------------ every template


def test_the_shipped_templates_are_all_there() -> None:
    assert set(TEMPLATE_IDS) == SHIPPED


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=TEMPLATE_IDS)
def test_template_validates_and_builds(path: Path) -> None:
    assert perfscore.validate(path) == []
    template = perfscore.load_template(path)
    assert template.id == path.relative_to(INDICATORS).with_suffix("").as_posix()
    assert template.name and template.version


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=TEMPLATE_IDS)
def test_template_starts_with_schema_line_and_a_chinese_comment_block(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../schemas/template.schema.json"
    header = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        header.append(line)
    text = "\n".join(header)
    assert len(header) >= 8, "a comment block saying what the template follows"
    assert "依据" in text or "继承" in text
    assert "常改" in text, "what a bureau usually changes"


@pytest.mark.parametrize("ref", TEMPLATE_IDS)
def test_embedded_examples_pass(ref: str) -> None:
    outcomes = check_template(load(ref))
    failed = [o.report() for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("ref", TEMPLATE_IDS)
def test_at_least_five_examples_with_distinct_names(ref: str) -> None:
    examples = load(ref).examples
    assert len(examples) >= 5
    names = [e["name"] for e in examples]
    assert len(set(names)) == len(names)


def _statuses(template: Template) -> set[str]:
    found: set[str] = set()
    for example in template.examples:
        found.update((example["expect"].get("status") or {}).values())
        if "error" in example["expect"]:
            found.add("error")
    return found


@pytest.mark.parametrize(
    "ref",
    [
        "mof/project-self-evaluation",
        "hunan/unit-self-evaluation",
        "hunan/project-self-evaluation",
        "mof/evaluation-framework",
    ],
)
def test_examples_reach_the_edges(ref: str) -> None:
    """Met, partly met, not applicable and missing (or refused) all appear."""
    statuses = _statuses(load(ref))
    assert {"达成", "部分达成", "不适用"} <= statuses
    assert "缺失" in statuses or "error" in statuses


def test_check_command_passes_on_indicators(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(INDICATORS)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"共 {len(SHIPPED)} 个模板" in out


# ------------------------------------------------------------------ example forms


@pytest.mark.parametrize("name", sorted(EXAMPLE_FORMS))
def test_example_form_scores(name: str) -> None:
    ref, total, grade = EXAMPLE_FORMS[name]
    result = perfscore.score(EXAMPLES / name)
    assert result.template_id == ref
    assert result.total == D(total)
    assert result.grade == grade
    assert perfscore.validate(EXAMPLES / name) == []


def test_every_template_has_an_example_form() -> None:
    assert {ref for ref, _, _ in EXAMPLE_FORMS.values()} == SHIPPED


@pytest.mark.parametrize("name", sorted(EXAMPLE_FORMS))
def test_example_form_cli(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(EXAMPLES / name)]) == 0
    assert "总分" in capsys.readouterr().out


def test_seed_self_evaluation_still_scores_99_69() -> None:
    template = load("hunan/unit-self-evaluation")
    seed = load_yaml(EXAMPLES / "yueyanglou-2023" / "unit-self-evaluation.yaml").data
    embedded = template.examples[0]["form"]
    # the first embedded example is the seed form itself
    assert embedded["indicators"] == seed["indicators"]
    assert template.examples[0]["expect"]["total"] == "99.69"


# ------------------------------------------------------------------ the basic data table


@pytest.fixture(scope="module")
def basic_data() -> perfscore.Form:
    return perfscore.load_form(EXAMPLES / "yueyanglou-2023" / "basic-data.yaml")


def test_seed_basic_data_computed_values(basic_data: perfscore.Form) -> None:
    values, errors = compute_values(basic_data)
    assert errors == []
    assert values["在职人员控制率"] == 1  # 97 ÷ 97 = 100%
    assert values["三公经费变动率"] == -1  # (0 − 15.83) ÷ 15.83 = −100%
    assert values["公用经费控制率"] == D("176.16") / D("180")  # 97.87%
    assert values["政府采购执行率"] == D("512.38") / D("578.38")  # 88.59%
    assert values["预算完成率"] == 1
    assert values["预算控制率"] == D("2480.66") / D("1592.87")  # 155.74%
    assert values["楼堂馆所面积控制率"] == 0  # no project: full marks
    assert values["投资控制率"] == 0


def test_seed_basic_data_scores(basic_data: perfscore.Form) -> None:
    result = perfscore.evaluate(basic_data)
    assert result.total == D("82.07")
    assert result.grade == "良"
    assert result.find("预算控制率").score == 0
    assert result.find("在职人员控制率").status == "达成"
    assert result.find("三公经费管理").status == "不适用"
    assert result.find("公用经费控制率").actual_text == "97.8666…%"
    assert result.not_applicable_weight == 10


def test_seed_basic_data_has_no_personal_details() -> None:
    text = (EXAMPLES / "yueyanglou-2023" / "basic-data.yaml").read_text(encoding="utf-8")
    assert "填表人：" not in text and "电话：" not in text


def test_no_building_project_scores_full_and_blank_data_is_refused() -> None:
    template = load("hunan/unit-evaluation-basic-data")
    inputs = dict(template.examples[1]["form"]["inputs"])
    inputs.update({"楼堂馆所批复面积": "0", "楼堂馆所实际面积": "0"})
    form = _bind(
        template, {"inputs": inputs, "indicators": template.examples[1]["form"]["indicators"]}
    )
    assert perfscore.evaluate(form).find("楼堂馆所面积控制率").score == 5
    del inputs["楼堂馆所实际面积"]
    form = _bind(
        template, {"inputs": inputs, "indicators": template.examples[1]["form"]["indicators"]}
    )
    with pytest.raises(perfscore.errors.ValidationErrors) as info:
        perfscore.evaluate(form)
    message = str(info.value.errors[0])
    assert "缺少基础数据“楼堂馆所实际面积”，无法得出“楼堂馆所面积控制率”" in message
    assert "inputs" in message


def _bind(template: Template, form: Mapping[str, Any]) -> perfscore.Form:
    return perfscore.load_form({"kind": "form", "template": template.id, **form}, template=template)


# ------------------------------------------------------------------ variants


def _differing_keys(a: Mapping[str, Any], b: Mapping[str, Any]) -> set[str]:
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


OWN = {"id", "name", "version", "description", "extends", "examples"}


@pytest.mark.parametrize(
    ("variant", "base", "changed"),
    [
        ("variants/grades-80-70-60", "mof/project-self-evaluation", {"grades"}),
        ("variants/reverse-linear", "mof/project-self-evaluation", {"rules"}),
        ("variants/execution-20", "mof/project-self-evaluation", {"indicators"}),
        ("variants/sichuan-2023", "mof/project-self-evaluation", {"indicators"}),
        ("variants/monitoring-budget-red", "mof/project-self-evaluation", {"monitoring"}),
        ("hunan/project-self-evaluation", "mof/project-self-evaluation", {"rules"}),
        ("mof/finance-evaluation-framework", "mof/evaluation-framework", {"indicators"}),
    ],
)
def test_variants_change_only_what_they_say(variant: str, base: str, changed: set[str]) -> None:
    merged, original = load(variant).data, load(base).data
    assert merged["extends"] == base
    assert _differing_keys(merged, original) - OWN == changed


def test_grades_80_70_60() -> None:
    variant, mof = load("variants/grades-80-70-60"), load("mof/project-self-evaluation")
    assert variant.grade_for(D(75)) == "良"
    assert mof.grade_for(D(75)) == "中"
    assert variant.grade_for(D(80)) == "优"
    assert variant.grade_for(D("69.99")) == "中"
    assert variant.grade_for(D("59.99")) == mof.grade_for(D("59.99")) == "差"


def test_reverse_linear_changes_only_the_reverse_rule() -> None:
    variant, mof = load("variants/reverse-linear"), load("mof/project-self-evaluation")
    differing = _differing_keys(variant.data["rules"], mof.data["rules"])
    assert differing == {"反向"}
    form = {
        "budget": {"unit": "万元", "全年预算数": "100", "全年执行数": "100"},
        "indicators": {
            "产出指标": {
                "数量指标": [{"name": "任务", "target": "≥10个", "actual": "8个", "weight": "40"}],
                "成本指标": [
                    {"name": "成本", "target": "≤100万元", "actual": "120万元", "weight": "10"}
                ],
            },
            "效益指标": {
                "社会效益": [{"name": "效益", "target": "达成", "actual": "达成", "weight": "30"}]
            },
            "满意度指标": {
                "服务对象满意度": [
                    {"name": "满意度", "target": "≥90%", "actual": "95%", "weight": "10"}
                ]
            },
        },
    }
    linear = perfscore.evaluate(_bind(variant, form))
    ratio = perfscore.evaluate(_bind(mof, form))
    assert linear.find("成本").score == 8
    assert ratio.find("成本").score == D("8.33")
    assert linear.find("任务").score == ratio.find("任务").score == 32


def test_execution_20_weights() -> None:
    template = load("variants/execution-20")
    weights = {n.name: n.weight for n in template.nodes}
    assert weights == {"预算执行率": 20, "产出指标": 40, "效益指标": 40}
    benefit = next(n for n in template.nodes if n.name == "效益指标")
    assert "服务对象满意度指标" in [c.name for c in benefit.children]
    # the rule itself is inherited unchanged
    assert (
        template.data["rules"]["执行率"]
        == load("mof/project-self-evaluation").data["rules"]["执行率"]
    )


def test_sichuan_leaves_first_level_weights_to_the_form() -> None:
    template = load("variants/sichuan-2023")
    assert [(n.name, n.weight) for n in template.nodes] == [("预算执行率", 10), ("绩效指标", 90)]
    assert all(c.weight is None for c in template.nodes[1].children)


def _weights(nodes: tuple[TemplateNode, ...]) -> Iterator[tuple[tuple[str, ...], D | None]]:
    for node in nodes:
        yield node.path, node.weight
        yield from _weights(node.children)


def test_finance_framework_changes_only_weights() -> None:
    finance, dept = load("mof/finance-evaluation-framework"), load("mof/evaluation-framework")
    f, d = dict(_weights(finance.nodes)), dict(_weights(dept.nodes))
    assert f.keys() == d.keys()
    assert {k for k in f if f[k] != d[k]}  # weights differ …
    for a, b in zip(finance.walk(), dept.walk(), strict=True):  # … and nothing else
        assert a.name == b.name
        assert (a.target, a.actual_from, a.open) == (b.target, b.actual_from, b.open)
        if a.rule is not None or b.rule is not None:
            assert a.rule is not None and b.rule is not None
            assert (a.rule.label, a.rule.kind, a.rule.params) == (
                b.rule.label,
                b.rule.kind,
                b.rule.params,
            )
    top = {n.name: n.weight for n in finance.nodes}
    assert top == {"决策": 15, "过程": 15, "产出": 35, "效益": 35}
    assert sum(w for n, w in top.items() if n in ("产出", "效益")) >= 60  # 10号 第十九条


# ------------------------------------------------------------------ perfscore show


def test_show_prints_the_merged_variant(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "variants/grades-80-70-60"]) == 0
    out = capsys.readouterr().out
    assert "继承：mof/project-self-evaluation" in out
    assert "本模板的修改：" in out
    assert "等级（grades）：优 ≥ 80、良 ≥ 70、中 ≥ 60、差 ≥ 0" in out
    assert "等级：优 ≥ 80，良 ≥ 70，中 ≥ 60，差 ≥ 0" in out
    assert "- 产出指标 50 分" in out  # inherited tree, merged


def test_show_lists_rule_parameters_and_patches(capsys: pytest.CaptureFixture[str]) -> None:
    main(["show", "variants/reverse-linear"])
    out = capsys.readouterr().out
    assert "规则“反向”（rules）：direction: reverse，reverse: linear_to_double" in out
    assert "反向: ratio（direction: reverse，reverse: linear_to_double）" in out
    main(["show", "variants/execution-20"])
    out = capsys.readouterr().out
    assert "删除指标“满意度指标”" in out
    assert "- 预算执行率 20 分 规则 执行率" in out
    assert "满意度指标 10 分" not in out


def test_show_basic_data_template(capsys: pytest.CaptureFixture[str]) -> None:
    main(["show", "hunan/unit-evaluation-basic-data"])
    out = capsys.readouterr().out
    assert "编制数（人）" in out
    assert "在职人员控制率 = 实际在职人数 / 编制数（%）" in out
    assert "预算控制区间: bands（(-∞, 0%] → 100%" in out
    assert "样例：" in out


# ------------------------------------------------------------------ engine fixes made for the templates


def test_stated_scores_are_rescaled_with_their_weight() -> None:
    """A manual or tier score is in points of the form's weight: 不适用 rescales it too."""
    template = load("mof/evaluation-framework")
    form = dict(template.examples[0]["form"])
    indicators = {**form["indicators"]}
    indicators["产出"] = {
        "产出数量": [
            {"name": "体检人数", "target": "≥20000人", "actual": "20000人", "weight": "20"}
        ],
        "产出成本": [{"name": "成本", "target": "≤400元", "actual": "不适用", "weight": "10"}],
    }
    form["indicators"] = indicators
    result = perfscore.evaluate(_bind(template, form))
    allocation = result.find("资金分配合理性")
    assert allocation.effective_weight == D(4) * D(100) / D(90)
    assert allocation.score == D("4.44")  # 4 of 4, rescaled: still full marks
    assert allocation.status == "达成"


def test_stated_not_applicable_is_not_called_missing() -> None:
    result = perfscore.score(EXAMPLES / "yueyanglou-2023" / "basic-data.yaml")
    leaf = result.find("三公经费管理")
    assert leaf.explanation.startswith("不适用")
    assert "缺少" not in leaf.explanation


def test_a_cycle_of_extends_is_one_located_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: template\nid: a\nextends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("kind: template\nid: b\nextends: a.yaml\n", encoding="utf-8")
    (err,) = perfscore.validate(tmp_path / "a.yaml")
    assert err.message == "模板循环继承"
    assert (Path(err.file or "").name, err.line, err.column) == ("a.yaml", 3, 10)
    assert [Path(f).name for f in str(err.value).split(" → ")] == ["a.yaml", "b.yaml", "a.yaml"]


def test_a_chain_of_more_than_ten_extends_is_refused(tmp_path: Path) -> None:
    for i in range(12):
        (tmp_path / f"t{i}.yaml").write_text(
            f"kind: template\nid: t{i}\nextends: t{i + 1}.yaml\n", encoding="utf-8"
        )
    (err,) = perfscore.validate(tmp_path / "t0.yaml")
    assert "超过 10 层" in err.message and Path(err.file or "").name == "t10.yaml"


def test_an_inline_template_may_extend_a_shipped_one() -> None:
    form = perfscore.load_form(
        {
            "kind": "form",
            "template": {
                "kind": "template",
                "id": "local/variant",
                "name": "本地变体",
                "extends": "mof/project-self-evaluation",
                "grades": [
                    {"name": "优", "min": "80"},
                    {"name": "良", "min": "70"},
                    {"name": "中", "min": "60"},
                    {"name": "差", "min": "0"},
                ],
            },
            "budget": {"全年预算数": "100", "全年执行数": "70"},
            "indicators": {
                "产出指标": {
                    "数量指标": [
                        {"name": "场次", "target": "≥10次", "actual": "9次", "weight": "50"}
                    ]
                },
                "效益指标": {
                    "社会效益指标": [
                        {"name": "出行", "target": "明显改善", "actual": "明显改善", "weight": "30"}
                    ]
                },
                "满意度指标": {
                    "服务对象满意度指标": [
                        {"name": "满意度", "target": "≥90%", "actual": "95%", "weight": "10"}
                    ]
                },
            },
        }
    )
    result = perfscore.evaluate(form)
    assert form.template.id == "local/variant"
    assert result.total == D("92.00") and result.grade == "优"  # 优 from 80 in the variant


def test_errors_of_a_referenced_template_say_which_form_line_used_it(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "kind: template\nid: bad\nname: 坏\ntotal: 100\nindicators:\n  - {name: A, weight: 50}\n",
        encoding="utf-8",
    )
    form = tmp_path / "f.yaml"
    form.write_text("kind: form\ntemplate: bad.yaml\nindicators: {}\n", encoding="utf-8")
    (err,) = perfscore.validate(form)
    assert Path(err.file or "").name == "bad.yaml"
    assert err.hint == f"模板由 {form} 第 2 行引用"


def test_an_edited_template_is_rebuilt_and_cached_once(tmp_path: Path) -> None:
    import os

    from perfscore.build.library import TemplateLibrary

    path = tmp_path / "t.yaml"
    text = "kind: template\nid: t\nname: 甲\ntotal: 10\nindicators:\n  - {name: A, weight: 10, rule: r}\nrules:\n  r: {kind: manual}\n"
    lib = TemplateLibrary()
    for i, name in enumerate(("甲", "乙", "丙")):
        path.write_text(text.replace("甲", name), encoding="utf-8")
        os.utime(path, ns=(i * 10**9, i * 10**9))
        assert lib.load(path).name == name
        assert lib.load(path) is lib.load(path)  # cached until the file changes
    assert len(lib._cache) == 1


def test_a_child_template_is_rebuilt_when_its_base_changes(tmp_path: Path) -> None:
    import os

    from perfscore.build.library import TemplateLibrary

    base = tmp_path / "base.yaml"
    child = tmp_path / "child.yaml"
    text = "kind: template\nid: base\nname: 基础\ntotal: 10\nindicators:\n  - {name: A, weight: 10, rule: r}\nrules:\n  r: {kind: manual}\ngrades:\n  - {name: 好, min: 5}\n  - {name: 差, min: 0}\n"
    child.write_text(
        "kind: template\nid: child\nname: 变体\nextends: base.yaml\n", encoding="utf-8"
    )
    lib = TemplateLibrary()
    for i, grade in enumerate(("好", "优")):
        base.write_text(text.replace("name: 好", f"name: {grade}"), encoding="utf-8")
        os.utime(base, ns=(i * 10**9, i * 10**9))
        assert lib.load(child).grades[0].name == grade
