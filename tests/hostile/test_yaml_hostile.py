"""Hostile YAML: alias bombs, tags, duplicates, tabs, nesting, size, encodings, truncation.

Every case names the exact error class and where it points (file and line; file only for
problems of the whole file such as its size or encoding).
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

import perfscore
from perfscore.errors import LoadError, SchemaError
from perfscore.read.yaml_document import Limits

from ._support import SIMPLE_TEMPLATE, Case, check_case, form_text, ids, leaf_line, with_template

GOOD_LEAF = "{name: 场次, target: ≥10次, actual: 18次, weight: 100}"
GOOD_FORM = form_text(GOOD_LEAF)
LEAF = leaf_line(0)
TOP = "kind: form\ntemplate: template.yaml\n"


def form_case(id: str, text: str, error: type = LoadError, **kw: object) -> Case:
    return Case(id=id, error=error, files=with_template(text), **kw)  # type: ignore[arg-type]


def bytes_case(id: str, raw: bytes, **kw: object) -> Case:
    files: dict[str, str | bytes] = {"template.yaml": SIMPLE_TEMPLATE, "form.yaml": raw}
    return Case(id=id, error=LoadError, files=files, **kw)  # type: ignore[arg-type]


def template_case(id: str, text: str, error: type = LoadError, **kw: object) -> Case:
    return Case(
        id=id,
        error=error,
        files={"template.yaml": text},
        entry="template.yaml",
        action="template",
        **kw,  # type: ignore[arg-type]
    )


def _laughs(levels: int = 9) -> str:
    lines = [TOP.rstrip("\n"), 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\nindicators: {}\n"


def _deep_flow(levels: int) -> str:
    return form_text(f"{{name: 深, note: {'[' * levels}1{']' * levels}, weight: 100}}")


def _deep_block(levels: int) -> str:
    lines = [TOP + "indicators:"]
    for i in range(levels):
        lines.append("  " * (i + 1) + f"k{i}:")
    lines.append("  " * (levels + 1) + "v")
    return "\n".join(lines) + "\n"


def _dup_template_rule() -> str:
    return SIMPLE_TEMPLATE.replace(
        "  正向: {kind: ratio, direction: positive}\n",
        "  正向: {kind: ratio, direction: positive}\n  正向: {kind: ratio, direction: reverse}\n",
    )


GBK_FORM = GOOD_FORM.encode("gbk")
TRUNCATED = GOOD_FORM[: GOOD_FORM.index("actual")]
TRUNC_QUOTE = form_text('{name: "场次, weight: 100}')
TRUNC_UTF8 = GOOD_FORM.encode("utf-8")[: GOOD_FORM.encode("utf-8").index("场".encode()) + 1]
RNG = random.Random(7)
GARBAGE = bytes(RNG.randrange(256) for _ in range(4096)) + b"\x00"

YAML_CASES: list[Case] = [
    # ------------------------------------------------------------- anchors and aliases
    form_case("billion-laughs", _laughs(), line="&a", message="锚点"),
    form_case("billion-laughs-deep", _laughs(20), line="&a", message="锚点"),
    form_case("recursive-alias", TOP + "indicators: &x [*x]\n", line="&x", message="锚点"),
    form_case("self-alias-mapping", TOP + "indicators: &m {a: *m}\n", line="&m"),
    form_case("undefined-alias", TOP + "unit: *nowhere\nindicators: {}\n", line="*nowhere"),
    form_case(
        "alias-in-leaf",
        form_text("{name: &n 场次, target: ≥10次, actual: 18次, weight: 100}", "{name: *n}"),
        line="&n",
    ),
    form_case(
        "merge-key",
        form_text("{<<: {weight: 100}, name: 场次, target: ≥10次, actual: 18次}"),
        line=LEAF,
        message="合并键",
    ),
    template_case(
        "anchor-in-template-rules",
        SIMPLE_TEMPLATE.replace("正向: {kind", "正向: &r {kind"),
        line="&r",
        message="锚点",
    ),
    # ------------------------------------------------------------- duplicate keys
    form_case("duplicate-top-key", GOOD_FORM + "kind: form\n", line=GOOD_FORM.count("\n") + 1),
    form_case(
        "duplicate-key-in-leaf",
        form_text("{name: 场次, weight: 50, target: ≥10次, actual: 18次, weight: 100}"),
        line=LEAF,
        message="键“weight”重复",
    ),
    form_case(
        "duplicate-group-key",
        GOOD_FORM + "  指标:\n    - " + GOOD_LEAF + "\n",
        line=GOOD_FORM.count("\n") + 1,
        message="第 6 行与第 8 行",
    ),
    form_case(
        "duplicate-key-quoted-vs-plain",
        GOOD_FORM + '"unit": 另一个单位\n',
        line=GOOD_FORM.count("\n") + 1,
        message="键“unit”重复",
    ),
    template_case(
        "duplicate-rule-in-template", _dup_template_rule(), line="正向: {kind: ratio, direction: r"
    ),
    # ------------------------------------------------------------- tags
    form_case(
        "tag-python-apply-os-system",
        form_text(
            '{name: 场次, note: !!python/object/apply:os.system ["touch pwned"], weight: 100}'
        ),
        line=LEAF,
        message="标签",
    ),
    form_case(
        "tag-python-object-new",
        TOP + "unit: !!python/object/new:os.system [ls]\nindicators: {}\n",
        line="!!python",
    ),
    form_case(
        "tag-python-name", TOP + "unit: !!python/name:os.system\nindicators: {}\n", line="!!python"
    ),
    form_case(
        "tag-verbatim",
        TOP + "unit: !<tag:yaml.org,2002:python/object/apply:os.system> [ls]\nindicators: {}\n",
        line="!<",
    ),
    form_case(
        "tag-custom-handle",
        "%TAG !e! tag:example.com,2000:\n---\n" + TOP + "unit: !e!x y\nindicators: {}\n",
        line="!e!x",
    ),
    form_case("tag-binary", TOP + "unit: !!binary aGVsbG8=\nindicators: {}\n", line="!!binary"),
    form_case("tag-int", form_text("{name: 场次, weight: !!int 100}"), line=LEAF, message="!!int"),
    form_case("tag-float", form_text("{name: 场次, weight: !!float 1e2}"), line=LEAF),
    form_case("tag-local-include", TOP + "indicators: !include other.yaml\n", line="!include"),
    form_case("tag-on-mapping", TOP + "indicators: !!map {}\n", line="!!map"),
    # ------------------------------------------------------------- tabs
    form_case("tab-indent-leaf", GOOD_FORM.replace("    - {", "\t- {"), line=LEAF, message="Tab"),
    form_case("tab-indent-key", TOP + "budget:\n\tunit: 万元\nindicators: {}\n", line=4),
    form_case("tab-after-colon", TOP + "unit:\t单位\nindicators: {}\n", line=3, message="Tab"),
    # ------------------------------------------------------------- nesting and size
    form_case("deep-flow-nesting", _deep_flow(60), line=LEAF, message="嵌套太深"),
    form_case("deep-block-nesting", _deep_block(60), message="嵌套太深", line="k49:"),
    form_case("open-brackets-100k", TOP + "unit: " + "[" * 100_000 + "\n", line=3),
    form_case(
        "oversize-form",
        GOOD_FORM + "#" * 2_000_001 + "\n",
        no_line=True,
        message="文件太大",
    ),
    Case(
        id="oversize-template-via-form",
        error=LoadError,
        files=with_template(GOOD_FORM, SIMPLE_TEMPLATE + "#" * 2_000_001 + "\n"),
        file="template.yaml",
        no_line=True,
        message="文件太大",
    ),
    Case(
        id="too-many-nodes",
        error=LoadError,
        files=with_template(TOP + "unit: [" + "0," * 2000 + "0]\nindicators: {}\n"),
        action=lambda d: perfscore.load_form(d / "form.yaml", limits=Limits(max_nodes=1000)),
        file="form.yaml",
        line=3,
        message="值太多",
        cli=False,
    ),
    # ------------------------------------------------------------- not text
    bytes_case("binary-garbage", GARBAGE, no_line=True, message="不是文本文件"),
    bytes_case("xlsx-zip", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), no_line=True),
    bytes_case("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), no_line=True),
    bytes_case("nul-in-text", GOOD_FORM.encode().replace(b"unit:", b"unit:\x00"), no_line=True),
    bytes_case("control-chars-dense", bytes(range(1, 9)) * 200 + GOOD_FORM.encode(), no_line=True),
    form_case("bell-char", TOP + "unit: 单位\x07\nindicators: {}\n", line=3, message="U+0007"),
    form_case("del-char", TOP + "unit: 单位\x7f\nindicators: {}\n", line=3, message="U+007F"),
    form_case("c1-control", TOP + "unit: 单位\x80\nindicators: {}\n", line=3, message="U+0080"),
    # ------------------------------------------------------------- truncated
    form_case("truncated-flow-mapping", TRUNCATED, line=LEAF, message="意外结束"),
    form_case("truncated-quoted", TRUNC_QUOTE, line=LEAF + 1, message="引号"),
    bytes_case("truncated-utf8-char", TRUNC_UTF8, line=LEAF, message="UTF-8"),
    bytes_case(
        "truncated-utf16",
        codecs.BOM_UTF16_LE + GOOD_FORM.encode("utf-16-le")[:-1],
        no_line=True,
        message="UTF-16",
    ),
    form_case("truncated-after-key", TOP + "indicators:\n  指标:\n    - {name", line=5),
    # ------------------------------------------------------------- encodings
    bytes_case("gbk-form", GBK_FORM, line=3, message="GBK"),
    bytes_case("gb18030-form", ("# 𠀀\n" + GOOD_FORM).encode("gb18030"), line=1, message="GBK"),
    bytes_case("latin1-bytes", (TOP + "unit: caf\xe9\nindicators: {}\n").encode("latin-1"), line=3),
    bytes_case("overlong-utf8", TOP.encode() + b"unit: \xc0\xaf\nindicators: {}\n", line=3),
    bytes_case("utf16-no-bom", GOOD_FORM.encode("utf-16-le"), no_line=True, message="UTF-16"),
    bytes_case(
        "utf16-bom-duplicate-key",
        codecs.BOM_UTF16_LE + (GOOD_FORM + "kind: form\n").encode("utf-16-le"),
        line=GOOD_FORM.count("\n") + 1,
        message="重复",
    ),
    bytes_case(
        "utf16be-bom-duplicate-key",
        codecs.BOM_UTF16_BE + (GOOD_FORM + "year: 2024\n").encode("utf-16-be"),
        line=GOOD_FORM.count("\n") + 1,
        message="重复",
    ),
    bytes_case(
        "utf32-bom-tab",
        codecs.BOM_UTF32_LE + GOOD_FORM.replace("    - {", "\t- {").encode("utf-32-le"),
        line=LEAF,
        message="Tab",
    ),
    bytes_case(
        "utf8-bom-duplicate-key",
        codecs.BOM_UTF8 + (GOOD_FORM + "kind: form\n").encode(),
        line=GOOD_FORM.count("\n") + 1,
    ),
    bytes_case(
        "crlf-duplicate-key",
        (GOOD_FORM + "kind: form\n").replace("\n", "\r\n").encode(),
        line=GOOD_FORM.count("\n") + 1,
    ),
    bytes_case(
        "cr-only-duplicate-key",
        (GOOD_FORM + "kind: form\n").replace("\n", "\r").encode(),
        line=GOOD_FORM.count("\n") + 1,
    ),
    form_case("line-separator-duplicate", "kind: form\u2028kind: form\n", line=2),
    # ------------------------------------------------------------- empty and many documents
    bytes_case("empty-file", b"", no_line=True, message="空文件"),
    bytes_case("bom-only", codecs.BOM_UTF8, no_line=True, message="空文件"),
    form_case("comments-only", "# 只有注释\n# 没有内容\n", no_line=True, message="空文件"),
    form_case("whitespace-only", "\n\n   \n\n", no_line=True, message="空文件"),
    form_case("document-marker-only", "---\n", line=2, message="空文件"),
    form_case("two-documents", GOOD_FORM + "---\n" + GOOD_FORM, line="---", message="第二个文档"),
    form_case(
        "document-end-then-more",
        GOOD_FORM + "...\nkind: form\n",
        line=GOOD_FORM.count("\n") + 2,
        message="YAML",
    ),
    form_case("yaml-2-directive", "%YAML 2.0\n---\n" + GOOD_FORM, line=1),
    form_case("scalar-root", "就是一句话\n", error=SchemaError, line=1),
    form_case("list-root", "- kind: form\n", error=SchemaError, line=1),
    form_case("null-root", "~\n", error=SchemaError, line=1),
    # ------------------------------------------------------------- syntax
    form_case(
        "unclosed-flow-mapping",
        form_text("{name: 场次, weight: 100", GOOD_LEAF),
        line=LEAF + 1,
    ),
    form_case("unclosed-flow-list", TOP + "unit: [a, b\nindicators: {}\n", line=4),
    form_case("colon-in-value", TOP + "unit: 甲: 乙\nindicators: {}\n", line=3, message="加引号"),
    form_case("bad-indentation", GOOD_FORM + "   year: 2023\n", line=GOOD_FORM.count("\n") + 1),
    form_case("null-key", GOOD_FORM + "~: 1\n", line=GOOD_FORM.count("\n") + 1, message="空值"),
    form_case("bool-key", GOOD_FORM + "true: 1\n", line=GOOD_FORM.count("\n") + 1),
    form_case("complex-key", GOOD_FORM + "? [a, b]\n: 1\n", line=GOOD_FORM.count("\n") + 1),
    form_case("bad-escape", TOP + 'unit: "a\\qb"\nindicators: {}\n', line=3, message="转义"),
]


@pytest.mark.parametrize("case", YAML_CASES, ids=ids(YAML_CASES))
def test_yaml_case(case: Case, tmp_path: Path) -> None:
    check_case(case, tmp_path)


def test_unsafe_tag_runs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refused tag is never constructed: the command it names has not run."""
    monkeypatch.chdir(tmp_path)
    case = next(c for c in YAML_CASES if c.id == "tag-python-apply-os-system")
    check_case(case, tmp_path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("utf-8-bom", codecs.BOM_UTF8 + GOOD_FORM.encode()),
        ("utf-16-le-bom", codecs.BOM_UTF16_LE + GOOD_FORM.encode("utf-16-le")),
        ("utf-16-be-bom", codecs.BOM_UTF16_BE + GOOD_FORM.encode("utf-16-be")),
        ("utf-32-le-bom", codecs.BOM_UTF32_LE + GOOD_FORM.encode("utf-32-le")),
        ("crlf", GOOD_FORM.replace("\n", "\r\n").encode()),
    ],
)
def test_unambiguous_encodings_score_the_same(name: str, raw: bytes, tmp_path: Path) -> None:
    """A BOM (UTF-8/16/32) or CRLF endings change nothing: same total, same items."""
    (tmp_path / "template.yaml").write_text(SIMPLE_TEMPLATE, encoding="utf-8")
    (tmp_path / "plain.yaml").write_text(GOOD_FORM, encoding="utf-8")
    (tmp_path / "form.yaml").write_bytes(raw)
    plain = perfscore.score(tmp_path / "plain.yaml").to_json()
    other = perfscore.score(tmp_path / "form.yaml").to_json()
    assert plain.replace("plain.yaml", "form.yaml") == other
