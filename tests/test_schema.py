"""The JSON Schemas and the located, Chinese errors perfscore.read.schema makes of them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from perfscore.errors import SchemaError
from perfscore.read.resources import SCHEMA_NAMES, indicators_dir, load_schema, schemas_dir
from perfscore.read.schema import check_schemas, schema_ids, validate
from perfscore.read.yaml import load_yaml
from perfscore.read.yaml_document import Document

CHINESE = re.compile(r"[\u4e00-\u9fff]")

TEMPLATE = """\
# yaml-language-server: $schema=../schemas/template.schema.json
kind: template
id: hunan/unit-self-evaluation
version: "2023.1"
name: 部门（单位）整体支出绩效自评表
description: 测试用模板
total: 100
rounding: {places: 2, total: sum_of_rounded}
grades:
  - {name: 优, min: 90}
  - {name: 良, min: 80}
  - {name: 中, min: 60}
  - {name: 差, min: 0}
over_achievement: {flag_at: 120%, deduct: {step: 10%, points: 1}}
missing: zero
not_applicable: {rescale: true}
inputs:
  编制数: {unit: 人, title: 编制数}
  实际在职人数: {unit: 人}
computed:
  在职人员控制率: {formula: 实际在职人数 / 编制数, unit: "%"}
rules:
  执行率: {kind: execution_rate, executed: 全年执行数, budget: 全年预算数, cap: 100%}
  正向: {kind: ratio}
  反向: {kind: ratio, reverse: target_over_actual}
  达标: {kind: threshold, else: 0}
  三档:
    kind: tiers
    pick: top
    same_word: 达成
    tiers:
      - {name: 达成, range: "[80%, 100%]", words: [达成, 已完成, 出台]}
      - {name: 部分达成, range: "[60%, 80%)", words: [部分达成]}
      - {name: 未达成, range: "[0, 60%)", words: [未达成]}
  控制率:
    kind: bands
    of: actual
    bands:
      - {range: "[0, 0]", score: 100%}
      - {range: "(0, 10%]", score: 80%}
      - {range: "(10%, 1000%]", score: 0}
  清单: {kind: checklist, items: [制度健全, 公开透明], points: 1, mode: add}
  公式: {kind: formula, formula: "min(actual / target, 1) * weight"}
  人工: {kind: manual, range: "[0, 100%]"}
defaults: {">=": 正向, ">": 正向, "<=": 反向, "<": 反向, "=": 正向, range: 正向, 定性: 三档}
indicators:
  - {name: 预算执行率, weight: 10, rule: 执行率}
  - name: 产出指标
    weight: 50
    children:
      - {name: 数量指标, open: true}
      - {name: 质量指标, open: true}
  - name: 效益指标
    weight: 30
    children:
      - {name: 社会效益指标, aliases: [社会效益], open: true}
  - name: 满意度指标
    weight: 6
    children:
      - {name: 服务对象满意度, weight: 6, target: {op: ">=", value: 95%}, rule: 正向}
  - name: 在职人员控制率
    weight: 4
    actual_from: 在职人员控制率
    target: ≤100%
    rule: {kind: deduction, limit: 100%, side: above, step: 1%, points: 0.2, floor: 0}
review: {}
examples:
  - name: 满分
    form: {indicators: {}}
    expect: {items: {预算执行率: 10}, total: 100, grade: 优}
"""

FORM = """\
# yaml-language-server: $schema=../../schemas/form.schema.json
kind: form
template: hunan/unit-self-evaluation
unit: 岳阳楼区岳阳楼街道办事处
year: 2023
budget:
  unit: 万元
  年初预算数: 1592.87
  全年预算数: 4073.53
  全年执行数: 4073.53万元
  执行率: 255.76%
  收入: {一般公共预算: 2490.44, 其他资金: 1583.09}
  支出: {基本支出: 1365.61, 项目支出: 2707.92}
inputs: {编制数: 97, 实际在职人数: 97人}
indicators:
  预算执行率: {reported: 10}
  产出指标:
    数量指标:
      - {name: 法制宣传活动场次, target: ≥10次, actual: 18次, weight: 5, reported: 5}
      - name: 出台制度
        target: {words: [出台]}
        actual: 出台
        weight: 5
        reported: 4.5
        tier: 达成
        note: 无
  效益指标:
    社会效益:
      - {name: 群众满意度, target: ≧98%, actual: ≧95%, weight: 10, reported: 9, applicable: true}
reported_total: 99
"""


def load(text: str) -> Document:
    return load_yaml(text, file="t.yaml")


def errors_of(text: str, schema: str) -> list[SchemaError]:
    return validate(load(text), schema)


def position_of(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def where(err: SchemaError) -> tuple[int | None, int | None]:
    return err.line, err.column


# --------------------------------------------------------------------------- the schemas


def test_schemas_are_valid_draft_2020_12() -> None:
    check_schemas()
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_check_schemas_reports_a_dangling_ref(monkeypatch: pytest.MonkeyPatch) -> None:
    from perfscore.read import schema as _schema

    broken = load_schema("form")
    broken["properties"]["unit"]["$ref"] = "#/$defs/nowhere"
    real = _schema._shared_schema
    monkeypatch.setattr(
        _schema, "_shared_schema", lambda name: broken if name == "form" else real(name)
    )
    _schema._registry.cache_clear()
    try:
        with pytest.raises(SchemaError, match=r"form\.schema\.json"):
            check_schemas()
    finally:
        _schema._registry.cache_clear()


def test_schema_ids_are_stable_and_match_files() -> None:
    ids = schema_ids()
    assert ids == {
        name: f"https://perfscore.invalid/schemas/{name}.schema.json" for name in SCHEMA_NAMES
    }
    for name in SCHEMA_NAMES:
        path = schemas_dir() / f"{name}.schema.json"
        assert json.loads(path.read_text(encoding="utf-8"))["$id"] == ids[name]


def test_resource_dirs_found_from_checkout() -> None:
    assert (schemas_dir() / "form.schema.json").is_file()
    assert indicators_dir().is_dir()
    assert indicators_dir().name == "indicators"


def test_installed_data_dir_wins_over_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from perfscore.read import resources as _resources

    package = tmp_path / "site-packages" / "perfscore"
    (package / "_data" / "schemas").mkdir(parents=True)
    (tmp_path / "site-packages" / "schemas").mkdir()
    monkeypatch.setattr(_resources, "_PACKAGE", package)
    assert _resources._data_dir("schemas") == package / "_data" / "schemas"
    (package / "_data" / "schemas").rmdir()
    assert _resources._data_dir("schemas") == tmp_path / "site-packages" / "schemas"
    with pytest.raises(ValueError, match="找不到 perfscore 的数据目录"):
        _resources._data_dir("indicators")


def test_load_schema_returns_an_independent_copy() -> None:
    first = load_schema("form")
    first["title"] = "changed"
    assert load_schema("form")["title"] != "changed"


def test_load_schema_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="没有名为"):
        load_schema("nope")


def _property_entries(schema: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    yield f"{where}/properties/{name}", sub
            yield from _property_entries(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _property_entries(item, f"{where}/{index}")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_property_has_a_chinese_title_and_description(name: str) -> None:
    entries = list(_property_entries(load_schema(name)))
    assert len(entries) > 10
    for where_, sub in entries:
        # A property used only in an `if` test (e.g. {kind: {const: ratio}}) is not shown
        # to editors; everything else must explain itself.
        if "/if/" in where_:
            continue
        assert CHINESE.search(sub.get("title", "")), f"{name}: {where_} lacks a Chinese title"
        assert CHINESE.search(sub.get("description", "")), (
            f"{name}: {where_} lacks a Chinese description"
        )


@pytest.mark.parametrize("name", ["template", "form"])
def test_structural_objects_refuse_unknown_keys(name: str) -> None:
    schema = load_schema(name)
    defs = schema["$defs"]
    assert schema["additionalProperties"] is False
    for key in ("node", "grade", "tier", "band", "rule_ratio") if name == "template" else ("leaf",):
        assert defs[key]["additionalProperties"] is False, key


def test_rule_kinds_dispatch_with_if_then_not_one_of() -> None:
    rule = load_schema("template")["$defs"]["rule"]
    for name in SCHEMA_NAMES:
        assert "oneOf" not in json.dumps(load_schema(name))
    kinds = rule["properties"]["kind"]["enum"]
    assert kinds == [
        "execution_rate",
        "ratio",
        "threshold",
        "tiers",
        "bands",
        "deduction",
        "checklist",
        "formula",
        "manual",
    ]
    assert [branch["if"]["properties"]["kind"]["const"] for branch in rule["allOf"]] == kinds


def test_no_float_multiple_of() -> None:
    for name in SCHEMA_NAMES:
        assert "multipleOf" not in json.dumps(load_schema(name))


# --------------------------------------------------------------------------- valid documents


def test_full_template_validates() -> None:
    assert errors_of(TEMPLATE, "template") == []


def test_full_form_validates() -> None:
    assert errors_of(FORM, "form") == []


def test_minimal_documents_validate() -> None:
    template = "kind: template\nid: a/b\nname: 模板\nindicators: [{name: 指标, weight: 100}]\n"
    form = "kind: form\ntemplate: a/b\nindicators: {指标: {actual: 1}}\n"
    assert errors_of(template, "template") == []
    assert errors_of(form, "form") == []


def test_extends_makes_indicators_optional() -> None:
    assert errors_of("kind: template\nid: a/b\nname: 模板\nextends: mof/x\n", "template") == []
    [err] = errors_of("kind: template\nid: a/b\nname: 模板\n", "template")
    assert err.message == "缺少必填项“indicators”"


def test_extending_template_may_patch_nodes() -> None:
    text = (
        "kind: template\nid: a/child\nextends: a/base\n"
        "defaults: {≥: 正向, 区间: 正向}\n"
        "patch:\n"
        "  产出指标/数量指标: {weight: 20}\n"
        "  满意度指标: {remove: true}\n"
    )
    assert errors_of(text, "template") == []
    [err] = errors_of(text.replace("{remove: true}", "{remvoe: true}"), "template")
    assert err.hint == "您是不是要写“remove”？"


def test_numbers_may_arrive_as_json_numbers() -> None:
    # Python API / YAML 1.2 editors: ints and Decimals are numbers, not strings.
    data = {
        "kind": "form",
        "template": "a/b",
        "year": 2023,
        "budget": {"全年预算数": 4073.53},
        "indicators": {"指标": [{"name": "场次", "weight": 5, "reported": 4.5, "actual": 18}]},
        "reported_total": 99,
    }
    assert validate(Document(data=data, file="<data>"), "form") == []


def test_inline_template_validates_through_ref() -> None:
    inline = FORM.replace(
        "template: hunan/unit-self-evaluation",
        "template:\n"
        "  kind: template\n"
        "  id: inline/test\n"
        "  name: 内联模板\n"
        "  indicators:\n"
        "    - {name: 产出指标, weight: 100, children: [{name: 数量指标, open: true}]}\n",
    )
    assert errors_of(inline, "form") == []

    bad = inline.replace("weight: 100, children", "weigth: 100, children")
    [err] = errors_of(bad, "form")
    assert err.message == "未知的键“weigth”"
    assert err.hint == "您是不是要写“weight”？"
    assert where(err) == position_of(bad, "weigth")
    assert err.indicator_path == ("产出指标",)


# --------------------------------------------------------------------------- errors


def test_misspelt_key_suggests_and_points_at_the_key() -> None:
    text = TEMPLATE.replace("{name: 预算执行率, weight: 10", "{name: 预算执行率, wieght: 10")
    [err] = errors_of(text, "template")
    assert isinstance(err, SchemaError)
    assert err.message == "未知的键“wieght”"
    assert err.hint == "您是不是要写“weight”？"
    assert err.value == "wieght"
    assert err.expected is not None and "weight" in err.expected
    assert err.file == "t.yaml"
    assert where(err) == position_of(text, "wieght")
    assert err.indicator_path == ("预算执行率",)
    assert "未知的键“wieght”" in str(err) and "您是不是要写“weight”？" in str(err)


def test_misspelt_top_level_key_in_block_mapping() -> None:
    text = TEMPLATE.replace("rounding:", "roundng:")
    [err] = errors_of(text, "template")
    assert err.hint == "您是不是要写“rounding”？"
    assert where(err) == (8, 1)


def test_misspelt_rule_parameter_is_checked_per_kind() -> None:
    text = TEMPLATE.replace("反向: {kind: ratio, reverse:", "反向: {kind: ratio, revers:")
    [err] = errors_of(text, "template")
    assert err.message == "未知的键“revers”"
    assert err.hint == "您是不是要写“reverse”？"
    assert where(err) == position_of(text, "revers:")


def test_wrong_kind_lists_the_kinds_and_suggests() -> None:
    text = TEMPLATE.replace("正向: {kind: ratio}", "正向: {kind: ratoi}")
    [err] = errors_of(text, "template")
    assert err.message == "“kind”取值无效"
    assert err.value == "ratoi"
    assert err.expected is not None
    assert err.expected.startswith("execution_rate、ratio、threshold")
    assert err.hint == "您是不是要写“ratio”？"
    assert where(err) == position_of(text, "ratoi")


def test_inline_rule_kind_in_tree_has_indicator_path() -> None:
    text = TEMPLATE.replace("{kind: deduction, limit", "{kind: deduct, limit")
    [err] = errors_of(text, "template")
    assert err.hint == "您是不是要写“deduction”？"
    assert err.indicator_path == ("在职人员控制率",)


def test_swapped_comparator_is_suggested() -> None:
    text = TEMPLATE.replace('{op: ">=", value: 95%}', '{op: "=>", value: 95%}')
    [err] = errors_of(text, "template")
    assert err.hint == "您是不是要写“>=”？"
    assert err.indicator_path == ("满意度指标", "服务对象满意度")


def test_number_written_in_words() -> None:
    text = TEMPLATE.replace(
        "  - name: 产出指标\n    weight: 50", "  - name: 产出指标\n    weight: 五"
    )
    [err] = errors_of(text, "template")
    assert err.message == "“weight”不是有效的数值"
    assert err.value == "五"
    assert err.expected == "数值，如 10、4073.53"
    assert where(err) == position_of(text, "五")
    assert str(err) == (
        f"t.yaml:{err.line}:{err.column}: 产出指标: "
        "“weight”不是有效的数值（应为数值，如 10、4073.53，实际为“五”）"
    )


@pytest.mark.parametrize("weight", ["１０", "1,000", "4073.53", "-1", "10 "])
def test_loose_number_spellings_pass(weight: str) -> None:
    text = (
        f'kind: template\nid: a/b\nname: 模板\nindicators: [{{name: 指标, weight: "{weight}"}}]\n'
    )
    assert errors_of(text, "template") == []


def test_wrong_type() -> None:
    text = TEMPLATE.replace("weight: 50\n", "weight: [50]\n")
    [err] = errors_of(text, "template")
    assert err.message == "“weight”应为数值"
    assert err.value == "列表"
    assert err.indicator_path == ("产出指标",)

    text = TEMPLATE.replace("not_applicable: {rescale: true}", "not_applicable: {rescale: 是}")
    [err] = errors_of(text, "template")
    assert err.message == "“rescale”应为true 或 false"
    assert err.value == "是"


def test_missing_required_points_at_the_owner() -> None:
    text = TEMPLATE.replace("  - {name: 良, min: 80}", "  - {name: 良}")
    [err] = errors_of(text, "template")
    assert err.message == "“grades”的第 2 项缺少必填项“min”"
    assert where(err) == position_of(text, "{name: 良}")


def test_missing_name_of_a_child() -> None:
    text = TEMPLATE.replace("{name: 质量指标, open: true}", "{open: true}")
    [err] = errors_of(text, "template")
    assert err.message == "“children”的第 2 项缺少必填项“name”"
    assert err.indicator_path == ("产出指标", "第 2 项")


def test_missing_kind_does_not_fire_every_branch() -> None:
    text = TEMPLATE.replace("正向: {kind: ratio}", "正向: {direction: auto}")
    [err] = errors_of(text, "template")
    assert err.message == "“正向”缺少必填项“kind”"
    assert where(err) == position_of(text, "正向: {direction")


def test_form_given_to_template_schema() -> None:
    errors = errors_of(FORM, "template")
    assert any(e.message == "“kind”取值无效" and e.expected == "“template”" for e in errors)


def test_many_errors_at_once_sorted_and_unique() -> None:
    text = (
        TEMPLATE.replace("wieght", "weight")
        .replace("{name: 预算执行率, weight: 10", "{name: 预算执行率, wieght: 10")
        .replace("正向: {kind: ratio}", "正向: {kind: ratoi}")
        .replace("  - {name: 良, min: 80}", "  - {name: 良}")
        .replace("missing: zero", "missing: zeroo")
        .replace("places: 2", "places: 二")
    )
    errors = errors_of(text, "template")
    assert len(errors) == 5
    positions = [where(e) for e in errors]
    assert positions == sorted(positions)  # type: ignore[type-var]
    assert len({(e.line, e.column, e.message) for e in errors}) == 5
    missing = next(e for e in errors if e.value == "zeroo")
    assert missing.hint == "您是不是要写“zero”？"


def test_form_error_deep_in_the_tree_has_indicator_path() -> None:
    text = FORM.replace(
        "target: ≥10次, actual: 18次, weight: 5,", "target: ≥10次, actual: 18次, weight: 五,"
    )
    [err] = errors_of(text, "form")
    assert err.indicator_path == ("产出指标", "数量指标", "法制宣传活动场次")
    assert where(err) == position_of(text, "五")
    assert str(err).startswith(
        f"t.yaml:{err.line}:{err.column}: 产出指标 › 数量指标 › 法制宣传活动场次: "
    )


def test_form_unknown_field_in_listed_leaf() -> None:
    text = FORM.replace("        note: 无", "        notes: 无")
    [err] = errors_of(text, "form")
    assert err.message == "未知的键“notes”"
    assert err.hint == "您是不是要写“note”？"
    assert err.indicator_path == ("产出指标", "数量指标", "出台制度")
    assert where(err) == position_of(text, "notes")


def test_form_misspelt_field_of_fixed_leaf() -> None:
    # {reportd: 10} holds no leaf field, so the schema sees a tree level; say what is meant.
    text = FORM.replace("预算执行率: {reported: 10}", "预算执行率: {reportd: 10}")
    [err] = errors_of(text, "form")
    assert err.message == "未知的键“reportd”"
    assert err.hint == "您是不是要写“reported”？"
    assert err.indicator_path == ("预算执行率",)
    assert where(err) == position_of(text, "reportd")


def test_form_scalar_where_an_indicator_belongs() -> None:
    text = FORM.replace("预算执行率: {reported: 10}", "预算执行率: 10")
    [err] = errors_of(text, "form")
    assert err.message == "“预算执行率”应为映射（键: 值）或列表"
    assert err.hint is not None and "reported" in err.hint


def test_form_bad_structured_target_and_budget() -> None:
    text = FORM.replace("target: {words: [出台]}", "target: {words: []}").replace(
        "其他资金: 1583.09", "其他资金: 一千"
    )
    errors = errors_of(text, "form")
    assert [e.message for e in errors] == ["“其他资金”不是有效的金额", "“words”至少要有 1 项"]
    assert errors[1].indicator_path == ("产出指标", "数量指标", "出台制度")


def test_year_and_template_id_patterns() -> None:
    errors = errors_of(FORM.replace("year: 2023", "year: 二〇二三"), "form")
    assert [e.message for e in errors] == ["“year”不是有效的年份"]
    errors = errors_of(
        TEMPLATE.replace("id: hunan/unit-self-evaluation", "id: Hunan/单位"), "template"
    )
    assert [e.message for e in errors] == ["“id”不是有效的编号"]


def test_python_data_has_no_positions() -> None:
    doc = Document(
        data={"kind": "form", "template": "a/b", "indicators": {}, "x": 1}, file="<data>"
    )
    [err] = validate(doc, "form")
    assert err.message == "未知的键“x”"
    assert (err.file, err.line, err.column) == ("<data>", None, None)


def test_non_finite_numbers_are_refused() -> None:
    doc = Document(
        data={"kind": "form", "template": "a/b", "indicators": {}, "reported_total": float("nan")},
        file="<data>",
    )
    messages = [e.message for e in validate(doc, "form")]
    assert "“reported_total”不是有限的数值" in messages


def test_root_that_is_not_a_mapping() -> None:
    [err] = errors_of("- a\n- b\n", "template")
    assert err.message == "文档应为映射（键: 值）"
    assert where(err) == (1, 1)


# --------------------------------------------------------------------------- shipped files

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    [*REPO.glob("indicators/**/*.yaml"), *REPO.glob("examples/**/*.yaml")],
)


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(REPO)) for p in SHIPPED])
def test_shipped_yaml_follows_its_schema(path: Path) -> None:
    doc = load_yaml(path)
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    if kind not in ("template", "form"):
        pytest.skip("not a template or form")
    assert [str(e) for e in validate(doc, kind)] == []


# --------------------------------------------------------------------------- result schema

# In the shape Evaluation.to_dict() writes (checked below against a real result too).
LEAF_RESULT = {
    "path": ["产出指标", "场次"],
    "name": "场次",
    "weight": 5,
    "effective_weight": 5,
    "target": {"text": "≥10次", "parsed": "≥10次"},
    "actual": {"text": "18次", "parsed": "18次"},
    "rule": {"name": "正向", "kind": "ratio"},
    "line": "met",
    "ratio": 1.8,
    "raw_score": 5,
    "score": 5,
    "status": "达成",
    "tier": None,
    "flags": ["over_achievement"],
    "reported": 5,
    "note": None,
    "explanation": "完成值 18次 达到指标值 ≥10次，得满分 5",
}


def result(**changes: Any) -> dict[str, Any]:
    leaf = {**LEAF_RESULT, **changes}
    return {
        "template": {"id": "a/b", "name": "模板", "version": "1"},
        "form": {"unit": "单位", "year": "2023", "file": None},
        "digest": "sha256:0",
        "weight": 100,
        "total": 5,
        "raw_total": 5,
        "grade": "差",
        "reported_total": None,
        "not_applicable_weight": 0,
        "places": 2,
        "items": [
            {
                "path": ["产出指标"],
                "name": "产出指标",
                "weight": 5,
                "score": 5,
                "reported": None,
                "children": [leaf],
            }
        ],
        "findings": [
            {"code": "over_achievement", "severity": "warning", "message": "说明", "path": []}
        ],
    }


def test_every_field_of_a_real_result_is_described() -> None:
    """The schema lists exactly what results hold: no field undescribed, none left over."""
    import perfscore

    for path in sorted((REPO / "examples").rglob("*.yaml")):
        try:
            data = json.loads(perfscore.score(path).to_json())
        except perfscore.PerfscoreError:
            continue
        assert validate(Document(data=data, file=str(path)), "result") == [], path


def test_result_schema_accepts_a_result() -> None:
    assert validate(Document(data=result(), file="<result>"), "result") == []


def test_result_schema_requires_leaf_fields() -> None:
    data = result()
    del data["items"][0]["children"][0]["reported"]
    del data["total"]
    errors = validate(Document(data=data, file="<result>"), "result")
    assert {e.message for e in errors} == {
        "缺少必填项“total”",
        "“children”的第 1 项缺少必填项“reported”",
    }
    leaf_error = next(e for e in errors if "reported" in e.message)
    assert leaf_error.indicator_path == ("产出指标", "场次")


def test_result_numbers_are_json_numbers() -> None:
    errors = validate(Document(data=result(reported="5"), file="<result>"), "result")
    assert [e.message for e in errors] == ["“reported”应为数值或空值"]


# --------------------------------------------------------------------------- robustness

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=6),
    st.sampled_from(["kind", "template", "form", "name", "weight", "10", "ratio"]),
)
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "kind",
                    "indicators",
                    "name",
                    "weight",
                    "children",
                    "rule",
                    "template",
                    "x",
                    "产出指标",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(data=_data, schema=st.sampled_from(SCHEMA_NAMES))
def test_only_schema_errors_and_in_order(data: Any, schema: str) -> None:
    errors = validate(Document(data=data, file="<data>"), schema)
    assert all(isinstance(e, SchemaError) for e in errors)
    assert all(e.message and CHINESE.search(e.message) for e in errors)
    assert all(e.file == "<data>" and e.line is None for e in errors)


def test_checked_in_schema_files_are_formatted_json() -> None:
    for name in SCHEMA_NAMES:
        path = Path(schemas_dir()) / f"{name}.schema.json"
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
