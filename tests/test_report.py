"""``perfscore report``: the 附件4 narrative report, drafted from the scored form.

The seed's figures must come out as the seed prints them where the seed is right, and
corrected where it is wrong (see the module docstring of ``examples/yueyanglou-2023``):

right in the seed (kept): 整体支出 4073.53, 一般公共预算收入 2490.44, 其他资金收入 1583.09,
项目支出 2707.92, 人员经费 1188.75, 公用经费 176.16, 三公经费 0.00, 业务工作经费 2706.26 =
99.94%, 运行维护经费 1.66 = 0.06%;
wrong in the seed (corrected): 基本支出 1365.61 → 1188.75 + 176.16 = 1364.91; the printed
执行率 255.76% (执行数 ÷ 年初预算数, itself miscomputed) → 执行数 ÷ 全年预算数 = 100.00%;
自评总分 99 → 99.69 (群众满意度 9 → 9.69).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import perfscore
from perfscore.cli import main
from perfscore.errors import PerfscoreError
from perfscore.report.report import Block, Report, build_report, render_markdown

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
BASIC = ROOT / "examples" / "yueyanglou-2023" / "basic-data.yaml"
MOF = ROOT / "examples" / "mof-project" / "rural-road-maintenance-2023.yaml"
HUNAN = ROOT / "indicators" / "hunan" / "unit-self-evaluation.yaml"

#: The outline of the seed's 附件4 (its headings 一 to 十, as the unit wrote them).
SEED_OUTLINE = [
    "一、单位基本情况",
    "二、一般公共预算支出情况",
    "（一）基本支出情况",
    "（二）项目支出情况",
    "三、政府性基金预算支出情况",
    "四、国有资本经营预算支出情况",
    "五、社会保险基金预算支出情况",
    "六、部门整体支出绩效情况",
    "七、存在的问题及原因分析",
    "八、下一步改进措施",
    "九、部门整体支出绩效自评结果拟应用和公开情况",
    "十、其他需要说明的情况",
]


def draft(form_file: Path = SEED, basic: Path | None = BASIC) -> Report:
    form = perfscore.load_form(form_file)
    basic_form = perfscore.load_form(basic) if basic is not None else None
    return build_report(perfscore.evaluate(form), form, basic_form)


@pytest.fixture(scope="module")
def seed() -> Report:
    return draft()


def test_the_outline_is_the_seeds(seed: Report) -> None:
    assert seed.title == ("2023年度岳阳楼区岳阳楼街道办事处", "单位整体支出绩效自评报告")
    assert seed.headings()[: len(SEED_OUTLINE)] == SEED_OUTLINE
    assert seed.headings()[-1] == "数据核对说明"


@pytest.mark.parametrize(
    "figure",
    [
        "一般公共预算整体支出4073.53万元",
        "一般公共预算收入2490.44万元",
        "其他资金收入1583.09万元",
        "项目支出2707.92万元",
        "人员经费支出1188.75万元",
        "公用经费支出176.16万元",
        "三公经费支出0.00万元",
        "业务工作经费2706.26万元，占总项目支出的99.94%",
        "运行维护经费1.66万元，占总项目支出的0.06%",
        "本单位无政府性基金预算支出。",
    ],
)
def test_figures_the_seed_got_right_come_out_as_in_the_seed(seed: Report, figure: str) -> None:
    assert figure in seed.text()


def test_figures_the_seed_got_wrong_are_corrected_and_said(seed: Report) -> None:
    text = seed.text()
    # 基本支出 = 人员经费 + 公用经费, not the 1365.61 the seed typed
    assert "基本支出1364.91万元" in text and "基本支出1365.61万元" not in text
    # execution rate against the adjusted budget (全年预算数), not the opening one
    assert "预算执行率100.00%" in text and "255.7" not in _body(seed)
    notes = [b.text for b in seed.blocks if b.kind == "note"]
    assert any("1365.61" in n and "1364.91" in n for n in notes)
    assert any("255.76%" in n and "100.00%" in n for n in notes)
    assert any("4072.83" in n and "0.70" in n for n in notes)  # the seed's 0.70 gap, located
    # shares of the whole: computed, each with two decimals
    assert "基本支出1364.91万元，占33.51%" in text and "项目支出2707.92万元，占66.48%" in text


def _body(report: Report) -> str:
    return "\n".join(b.text for b in report.blocks if b.kind == "paragraph")


def test_the_performance_paragraph(seed: Report) -> None:
    text = _body(seed)
    assert "自评得分99.69分（满分100分），自评等级为“优”" in text
    assert (
        "预算执行率得10.00分（分值10分）；产出指标得50.00分（分值50分）；效益指标得30.00分" in text
    )
    assert "满意度指标得9.69分（分值10分）" in text
    # the one indicator not fully met, with its deviation, and no reason given on the form
    assert re.search(
        r"“群众满意度”指标值≧98%，完成值≧95%，完成值为指标值的96\.94%，得9\.69分.*少0\.31分", text
    )
    assert "偏差原因：【未说明偏差原因，请补充】" in text
    # the over-achieved ones, at the template's 120% (18/10, 24/15, 47/20)
    for name, ratio in (("法制宣传活动场次", "180.00%"), ("旧改项目推进个数", "235.00%")):
        assert f"“{name}”指标值" in text and f"为指标值的{ratio}" in text
    assert "完成值达到指标值120%以上" in text
    assert "“财政收入总量”指标值" not in text  # met exactly: neither unmet nor over


def test_placeholders_prompt_with_the_findings(seed: Report) -> None:
    blocks = list(seed.blocks)
    at = blocks.index(Block("heading", "七、存在的问题及原因分析", 1))
    assert blocks[at + 1].kind == "placeholder"
    prompts = []
    for b in blocks[at + 2 :]:
        if b.kind != "prompt":
            break
        prompts.append(b.text)
    assert any("群众满意度" in p and "未说明偏差原因" in p for p in prompts)
    assert any("旧改项目推进个数" in p and "120%" in p for p in prompts)
    assert any("≧95%" in p for p in prompts)  # the evaluator's finding on the repeated comparator
    assert any("1364.91" in p for p in prompts)
    assert sum(b.kind == "placeholder" for b in blocks) >= 5


def test_without_the_basic_data_form_the_missing_figure_is_marked() -> None:
    report = draft(basic=None)
    assert "三公经费支出【待填：三公经费】" in report.text()
    assert "核定编制" not in report.text()  # the staff sentence needs the basic data


def test_the_execution_rate_uses_the_adjusted_budget_in_the_mof_template() -> None:
    report = draft(MOF, None)
    text = report.text()
    assert "预算执行率95.00%" in text  # 494 ÷ 520, not 494 ÷ 500 = 98.80%
    assert "98.80%" not in text
    assert "调整20.00万元" in text
    assert (
        "当年财政拨款440.00万元，占89.07%；上年结转资金46.00万元，占9.31%；其他资金8.00万元，占1.62%"
        in text
    )
    assert "属“部分达成”档" in text  # a qualitative deviation is its tier
    assert "偏差原因：两条线路因汛期顺延至次年 1 月完成" in text
    assert report.headings()[0] == "一、项目基本情况"


def _variant(tmp_path: Path, text: str) -> Path:
    template = tmp_path / "variant.yaml"
    template.write_text(text, encoding="utf-8")
    form = tmp_path / "form.yaml"
    form.write_text(
        SEED.read_text(encoding="utf-8").replace(
            "template: hunan/unit-self-evaluation", "template: ./variant.yaml"
        ),
        encoding="utf-8",
    )
    return form


def test_headings_and_wording_come_from_the_template(tmp_path: Path) -> None:
    text = HUNAN.read_text(encoding="utf-8")
    changed = (
        text.replace("id: hunan/unit-self-evaluation", "id: test/report-variant")
        .replace("heading: 七、存在的问题及原因分析", "heading: 七、问题与原因")
        .replace("{year}年基本支出{基本支出}", "本年基本支出合计{基本支出}")
        .replace("over_achievement: {flag_at: 120%}", "over_achievement: {flag_at: 200%}")
    )
    report = draft(_variant(tmp_path, changed), None)
    assert "七、问题与原因" in report.headings()
    assert "本年基本支出合计1364.91万元" in report.text()
    assert "完成值达到指标值200%以上" in report.text()
    over = _body(report).split("完成值达到指标值200%以上")[1]
    assert "旧改项目推进个数" in over and "法制宣传活动场次" not in over  # 235% only


def test_an_unknown_figure_is_a_located_template_error(tmp_path: Path) -> None:
    text = (
        HUNAN.read_text(encoding="utf-8")
        # in the branch this form does not take (it has no such spending): still an error
        .replace("本单位社会保险基金预算支出{社会保险基金预算支出}。", "本单位{社保支出}。")
        .replace("，少{lost}分）", "，少{丢分}分）")
    )
    with pytest.raises(PerfscoreError) as info:
        draft(_variant(tmp_path, text), None)
    errors = perfscore.errors.flatten(info.value)
    for name in ("社保支出", "丢分"):
        hits = [e for e in errors if name in e.message]
        assert hits and all(e.line is not None and "variant.yaml" in (e.file or "") for e in hits)
        assert "可用的字段" in hits[0].message


def test_a_template_without_report_section_says_so() -> None:
    form = perfscore.load_form(ROOT / "examples" / "mof-evaluation" / "health-checkup-2023.yaml")
    with pytest.raises(PerfscoreError, match="没有 report 部分"):
        build_report(perfscore.evaluate(form), form)


def test_markdown_escapes_what_came_from_the_form() -> None:
    report = Report(
        ("<script>alert(1)</script>",), (Block("paragraph", "a*b* [x](javascript:alert(1)) \x07"),)
    )
    md = render_markdown(report)
    assert "<script>" not in md and "\\<script\\>" in md
    assert "\\[x\\](javascript:alert(1))" in md and "\x07" not in md


def test_cli_writes_markdown_html_and_docx(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for suffix in ("md", "html", "docx"):
        out = tmp_path / f"报告.{suffix}"
        assert main(["report", str(SEED), "--basic-data", str(BASIC), "-o", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert "# 2023年度" in (tmp_path / "报告.md").read_text(encoding="utf-8")
    assert (tmp_path / "报告.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["report", str(SEED), "--format", "docx"]) == 2
    assert "docx" in capsys.readouterr().err


def test_the_docx_reopens_with_government_document_styles(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx", reason="python-docx（perfscore[docx]）未安装")
    from docx.oxml.ns import qn

    out = tmp_path / "报告.docx"
    assert main(["report", str(SEED), "--basic-data", str(BASIC), "-o", str(out)]) == 0
    document = docx.Document(str(out))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert paragraphs[0] == ("Title", "2023年度岳阳楼区岳阳楼街道办事处")
    headings = [t for s, t in paragraphs if s == "Heading 1"]
    assert headings[:3] == [
        "一、单位基本情况",
        "二、一般公共预算支出情况",
        "三、政府性基金预算支出情况",
    ]
    assert ("Heading 2", "（一）基本支出情况") in paragraphs
    assert any("基本支出1364.91万元" in t for _s, t in paragraphs)
    placeholders = [p for p in document.paragraphs if p.text.startswith("【待单位填写】")]
    assert placeholders and all(
        r.font.highlight_color is not None for p in placeholders for r in p.runs
    )
    fonts = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "黑体"
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_hostile_names_in_the_report_page_and_document(tmp_path: Path) -> None:
    from perfscore.report.html import esc, render_report_html

    from .test_html import HOSTILE_NAME, HOSTILE_NOTE, HOSTILE_UNIT, assert_inert, hostile_form

    report = draft(hostile_form(tmp_path), None)
    page = render_report_html(report)
    assert_inert(page)
    assert esc(HOSTILE_UNIT) in page and esc(HOSTILE_NAME) in page and esc(HOSTILE_NOTE) in page
    docx = pytest.importorskip("docx", reason="python-docx（perfscore[docx]）未安装")
    from perfscore.report.docx import report_docx_bytes

    bell = Report(
        ("甲\x07乙",), (Block("paragraph", "控制\x00字符\x1b"), *report.blocks), unit="单位\x07"
    )
    out = tmp_path / "x.docx"
    out.write_bytes(report_docx_bytes(bell))
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert texts[0] == "甲乙" and "控制字符" in texts and any(HOSTILE_NAME in t for t in texts)


@pytest.mark.parametrize(
    "example",
    [
        "hunan-project/operation-maintenance-2023.yaml",
        "mof-project/rural-road-maintenance-2023.yaml",
        "variants/execution-20.yaml",
        "variants/grades-80-70-60.yaml",
        "variants/reverse-linear.yaml",
        "variants/sichuan-2023.yaml",
    ],
)
def test_every_shipped_example_with_a_report_outline_drafts(example: str) -> None:
    """Templates that extend mof/project-self-evaluation inherit its outline."""
    form = perfscore.load_form(ROOT / "examples" / example)
    if "report" not in form.template.data:
        pytest.skip(f"{form.template.id} 没有 report 部分")
    ev = perfscore.evaluate(form)
    report = build_report(ev, form)
    text = report.text()
    assert f"得分{ev.total:.2f}分" in text and f"“{ev.grade}”" in text
    assert "{" not in text and "}" not in text  # every field filled
    assert report.headings()[0] == "一、项目基本情况"
