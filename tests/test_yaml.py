"""Strict YAML loading (perfscore.read.yaml): every trap of PyYAML's YAML 1.1 is closed."""

from __future__ import annotations

import codecs
import contextlib
import pickle
import random
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfscore.errors import InputTypeError, LoadError, PerfscoreError
from perfscore.read import yaml_build as _yaml_build
from perfscore.read import yaml_document as _yaml_document
from perfscore.read.yaml import load_yaml
from perfscore.read.yaml_document import DEFAULT_LIMITS, Document, Limits


def load_error(source: Any, **kwargs: Any) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_yaml(source, **kwargs)
    return info.value


# --------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # YAML 1.1 booleans other than true/false stay words.
        ("no", "no"),
        ("No", "No"),
        ("NO", "NO"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        # Numbers stay exactly as written: no octal, sexagesimal, float or date parsing.
        ("012345", "012345"),
        ("1:20", "1:20"),
        ("4073.53", "4073.53"),
        ("0.1", "0.1"),
        ("5", "5"),
        ("-5", "-5"),
        ("+5", "+5"),
        ("1_000", "1_000"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("0b101", "0b101"),
        (".inf", ".inf"),
        ("-.inf", "-.inf"),
        (".nan", ".nan"),
        ("2023-01-01", "2023-01-01"),
        ("2023-01-01 12:00:00", "2023-01-01 12:00:00"),
        ("100%", "100%"),
        ("≥10次", "≥10次"),
        ("255.76%", "255.76%"),
        # Null and bool: only these plain spellings.
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("", None),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("tRuE", "tRuE"),
        ("nULL", "nULL"),
        # Quoted spellings are always text.
        ('"true"', "true"),
        ("'false'", "false"),
        ('"null"', "null"),
        ("'~'", "~"),
        ('""', ""),
        ("''", ""),
        ('"no"', "no"),
        ('"4073.53"', "4073.53"),
        # !!str is the one accepted tag.
        ("!!str true", "true"),
        ("!!str null", "null"),
        ("!!str", ""),
        ("!!str 012", "012"),
    ],
)
def test_scalars_stay_text_except_null_and_bool(written: str, expected: object) -> None:
    doc = load_yaml(f"v: {written}\n")
    assert doc.data == {"v": expected}
    assert type(doc.data["v"]) is type(expected)


def test_no_stays_no_in_lists_and_flow() -> None:
    doc = load_yaml("answers: [no, yes, off]\nmore:\n  - no\n  - ON\n")
    assert doc.data == {"answers": ["no", "yes", "off"], "more": ["no", "ON"]}


def test_block_scalars_and_multiline_plain() -> None:
    doc = load_yaml("a: |\n  第一行\n  第二行\nb: >\n  x\n  y\nc: one\n  two\n")
    assert doc.data == {"a": "第一行\n第二行\n", "b": "x y\n", "c": "one two"}


def test_block_scalar_true_is_text() -> None:
    assert load_yaml("a: |-\n  true\n").data == {"a": "true"}


def test_data_types_are_plain() -> None:
    doc = load_yaml("a: {b: [1, 2.5, ~, true]}\n")
    assert type(doc.data) is dict
    assert type(doc.data["a"]["b"]) is list
    assert doc.data == {"a": {"b": ["1", "2.5", None, True]}}


def test_key_order_is_kept() -> None:
    doc = load_yaml("z: 1\na: 2\nm: 3\n")
    assert list(doc.data) == ["z", "a", "m"]


def test_top_level_may_be_a_list_or_a_scalar() -> None:
    assert load_yaml("- a\n- b\n").data == ["a", "b"]
    assert load_yaml("hello\n").data == "hello"


# --------------------------------------------------------------------------- keys


def test_number_like_keys_are_strings() -> None:
    doc = load_yaml("1: a\n012: b\n2.50: c\n")
    assert doc.data == {"1": "a", "012": "b", "2.50": "c"}


@pytest.mark.parametrize("key", ["true", "False", "null", "~"])
def test_null_and_bool_keys_are_refused(key: str) -> None:
    err = load_error(f"a: 1\n{key}: x\n")
    assert (err.line, err.column) == (2, 1)
    assert "不能是空值或 true/false" in err.message
    assert err.hint is not None
    assert "引号" in err.hint


def test_empty_key_is_refused() -> None:
    for text in ("?\n: x\n", "{? : x}\n", "a:\n  ? \n  : x\n"):
        err = load_error(text)
        assert err.message == "键不能为空"


def test_quoted_bool_key_is_a_string() -> None:
    assert load_yaml('"true": x\n"null": y\n').data == {"true": "x", "null": "y"}


@pytest.mark.parametrize("text", ["? [a]\n: 1\n", "? {a: 1}\n: 1\n", "[a, b]: 1\n"])
def test_collection_keys_are_refused(text: str) -> None:
    err = load_error(text)
    assert "键必须是文字" in err.message
    assert err.line == 1


def test_merge_key_is_refused() -> None:
    err = load_error("base: {a: 1}\n<<: {b: 2}\n")
    assert "合并键" in err.message
    assert (err.line, err.column) == (2, 1)


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_yaml('"<<": x\n').data == {"<<": "x"}


# --------------------------------------------------------------------------- duplicates


def test_duplicate_keys_name_both_lines() -> None:
    text = "kind: form\nunit: 甲\nyear: '2023'\nbudget: {}\nindicators: {}\nnote: x\nunit: 乙\n"
    err = load_error(text, file="form.yaml")
    assert err.message == "键“unit”重复：第 2 行与第 7 行"
    assert (err.file, err.line, err.column) == ("form.yaml", 7, 1)
    assert err.value == "unit"
    assert str(err).startswith("form.yaml:7:1: 键“unit”重复：第 2 行与第 7 行")


def test_duplicate_keys_nested_and_in_flow() -> None:
    err = load_error("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert "键“b”重复：第 2 行与第 4 行" in err.message
    assert (err.line, err.column) == (4, 3)
    err = load_error("a: {x: 1, y: 2, x: 3}\n")
    assert "键“x”重复：第 1 行与第 1 行" in err.message
    assert (err.line, err.column) == (1, 17)


def test_duplicate_keys_after_quoting() -> None:
    err = load_error('1: a\n"1": b\n')
    assert "键“1”重复" in err.message


def test_same_key_in_different_mappings_is_fine() -> None:
    doc = load_yaml("a: {n: 1}\nb: {n: 2}\n")
    assert doc.data == {"a": {"n": "1"}, "b": {"n": "2"}}


# --------------------------------------------------------------------------- anchors


def test_anchor_is_refused() -> None:
    err = load_error("base: &b {weight: 5}\nother: x\n")
    assert "锚点" in err.message
    assert "&b" in err.message
    assert (err.line, err.column) == (1, 7)
    assert err.value == "&b"


def test_alias_is_refused_even_without_anchor() -> None:
    err = load_error("a: 1\nb: *x\n")
    assert "别名" in err.message
    assert "*x" in err.message
    assert (err.line, err.column) == (2, 4)


def test_anchor_and_alias_on_scalar_refused_at_anchor() -> None:
    err = load_error("a: &x 1\nb: *x\n")
    assert (err.line, err.column) == (1, 4)


@pytest.mark.timeout(30)
def test_billion_laughs_fails_fast() -> None:
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*lol{i - 1}"] * 9)
        lines.append(f"lol{i}: &lol{i} [{refs}]")
    text = "\n".join(lines) + "\n"
    start = time.perf_counter()
    err = load_error(text)
    assert time.perf_counter() - start < 1.0
    assert "锚点" in err.message
    assert err.line == 1


@pytest.mark.timeout(30)
def test_recursive_alias_is_refused() -> None:
    err = load_error("a: &a [*a]\n")
    assert "锚点" in err.message
    err = load_error("&a [*a]\n")
    assert err.line == 1


# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["echo pwned"]',
        "!!python/object/new:os.system [echo]",
        "!!python/name:os.system",
        "!!int 5",
        "!!float 1.5",
        "!!bool yes",
        "!!null ''",
        "!!binary aGVsbG8=",
        "!!timestamp 2023-01-01",
        "!custom x",
        "! x",
        "!!map {a: 1}",
        "!!seq [a]",
        "!!str [a]",
        "!<tag:yaml.org,2002:python/none> ''",
    ],
)
def test_explicit_tags_are_refused(value: str) -> None:
    err = load_error(f"a: 1\nb: {value}\n")
    assert "不允许使用 YAML 标签" in err.message
    assert (err.line, err.column) == (2, 4)


def test_unsafe_tag_is_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    load_error(f'a: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert not marker.exists()


def test_only_loader_is_a_safe_loader_subclass() -> None:
    import yaml

    assert issubclass(_yaml_build._StrictLoader, yaml.SafeLoader)


# --------------------------------------------------------------------------- syntax


def test_tab_indentation_is_explained() -> None:
    err = load_error("budget:\n\t全年预算数: 5\n")
    assert (err.line, err.column) == (2, 1)
    assert "不允许用 Tab 缩进" in err.message
    # PyYAML's own words follow in parentheses.
    assert "（" in err.message
    assert "cannot start any token" in err.message
    assert err.message.endswith("）")


def test_tab_inside_a_line_is_explained() -> None:
    err = load_error("a:\tb\n")
    assert "Tab" in err.message


def test_tab_inside_quotes_is_fine() -> None:
    assert load_yaml('a: "x\ty"\n').data == {"a": "x\ty"}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('a: "abc\n', 2, "没有闭合"),
        ("a: [1, 2\n", 2, "方括号"),
        ("a: {x: 1\n", 2, "花括号"),
        ("a: 1\n  b: 2\n", 2, "“: ”"),
        ("a: b: c\n", 1, "“: ”"),
        ('a: "\\q"\n', 1, "转义"),
        ("- a\nb: 1\n", 2, "缩进"),
        ("x: @a\n", 1, "字符"),
    ],
)
def test_syntax_errors_are_located_and_explained(text: str, line: int, words: str) -> None:
    err = load_error(text, file="f.yaml")
    assert err.file == "f.yaml"
    assert err.line == line
    assert err.column is not None
    assert err.message.startswith("YAML 语法错误")
    assert words in err.message


def test_unclosed_quote_hint_points_at_the_opening() -> None:
    err = load_error('a: 1\nb: "abc\nc: 2\n')
    assert err.hint == "相关位置：第 2 行第 4 列"


FORM = """\
kind: form
template: hunan/unit-self-evaluation
unit: 岳阳楼区岳阳楼街道办事处
year: 2023
budget:
  unit: 万元
  年初预算数: 1592.87
  全年预算数: 4073.53
  执行率: 255.76%
  收入: {一般公共预算: 2490.44, 其他资金: 1583.09}
indicators:
  预算执行率: {reported: 10}
  产出指标:
    数量指标:
      - {name: 法制宣传活动场次, target: ≥10次, actual: 18次, weight: 5, reported: 5}
      - name: "质量"
        target: '100%'
        note: |
          偏差原因
reported_total: 99
"""


@pytest.mark.timeout(60)
def test_every_truncation_loads_or_raises_load_error() -> None:
    raw = FORM.encode("utf-8")
    for cut in range(len(raw)):
        with contextlib.suppress(LoadError):
            load_yaml(raw[:cut])


def test_truncated_in_the_middle_of_a_character() -> None:
    raw = "unit: 岳阳楼\n".encode()
    err = load_error(raw[:-3])
    assert "UTF-8" in err.message


def test_truncated_flow_mapping() -> None:
    err = load_error(FORM[: FORM.index("法制宣传") + 4])
    assert err.message.startswith("YAML 语法错误")


def test_control_character_is_located() -> None:
    err = load_error("a: 1\nb: x\x07y\n")
    assert (err.line, err.column) == (2, 5)
    assert "U+0007" in err.message


def test_nul_in_text_is_not_text() -> None:
    err = load_error("a: 1\n\x00")
    assert "不是文本文件" in err.message


# --------------------------------------------------------------------------- documents


@pytest.mark.parametrize(
    "text", ["", "\n\n", "   ", "# 只有注释\n# comment\n", "---\n", "--- \n...\n"]
)
def test_empty_file(text: str) -> None:
    err = load_error(text)
    assert "空文件" in err.message


def test_empty_bytes_and_bom_only() -> None:
    assert "空文件" in load_error(b"").message
    assert "空文件" in load_error(codecs.BOM_UTF8).message


def test_explicit_null_document_is_kept() -> None:
    assert load_yaml("~\n").data is None


def test_multiple_documents_are_refused() -> None:
    err = load_error("a: 1\n---\nb: 2\n")
    assert "只能有一个 YAML 文档" in err.message
    assert (err.line, err.column) == (2, 1)
    err = load_error("--- a\n--- b\n")
    assert err.line == 2


def test_document_markers_are_fine() -> None:
    assert load_yaml("---\na: 1\n...\n").data == {"a": "1"}
    assert load_yaml("%YAML 1.1\n---\na: 1\n").data == {"a": "1"}


# --------------------------------------------------------------------------- limits


@pytest.mark.timeout(30)
def test_ten_thousand_open_brackets() -> None:
    start = time.perf_counter()
    err = load_error("[" * 10_000)
    assert time.perf_counter() - start < 2.0
    assert "嵌套太深" in err.message
    assert (err.line, err.column) == (1, 51)


@pytest.mark.timeout(30)
def test_deep_flow_mappings() -> None:
    err = load_error("{a: " * 10_000)
    assert "嵌套太深" in err.message


def _nested_block(levels: int) -> str:
    return (
        "".join("  " * i + f"k{i}:\n" for i in range(levels - 1)) + "  " * (levels - 1) + "k: v\n"
    )


def test_depth_limit_boundary() -> None:
    assert load_yaml("[" * 50 + "]" * 50).data is not None
    err = load_error("[" * 51 + "]" * 51)
    assert "嵌套太深（超过 50 层的上限）" in err.message
    load_yaml(_nested_block(50))
    err = load_error(_nested_block(51))
    assert err.line == 51


def test_depth_limit_can_be_raised_and_lowered() -> None:
    load_yaml(_nested_block(60), limits=Limits(max_depth=60))
    err = load_error("a: {b: [c]}\n", limits=Limits(max_depth=2))
    assert (err.line, err.column) == (1, 8)


@pytest.mark.timeout(30)
def test_recursion_error_never_escapes() -> None:
    # The depth cap cannot be lifted near the interpreter's limit any more (issue 19, 17):
    # asking for it is refused, and the highest allowed cap still ends in a located error.
    with pytest.raises(InputTypeError):
        Limits(max_depth=10**9)
    depth = 20_000
    err = load_error(
        "[" * depth + "]" * depth, limits=Limits(max_depth=_yaml_document.MAX_DEPTH_CAP)
    )
    assert "嵌套太深" in err.message


def test_memory_error_never_escapes(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(_yaml_build._Builder, "build", boom)
    err = load_error("a: 1\n")
    assert "内存不足" in err.message


def test_node_limit() -> None:
    text = "[" + ",".join(["1"] * 20) + "]"
    err = load_error(text, limits=Limits(max_nodes=10))
    assert "值太多" in err.message
    assert load_yaml(text, limits=Limits(max_nodes=21)).data == ["1"] * 20


@pytest.mark.timeout(60)
def test_default_node_limit() -> None:
    text = "[" + "1," * 200_001 + "]"  # about 400 KB: under the size cap
    err = load_error(text)
    assert "超过 200000 个的上限" in err.message


def test_size_limit_text_and_bytes() -> None:
    limits = Limits(max_bytes=100)
    ok = "a: " + "x" * 96 + "\n"  # exactly 100 bytes
    assert load_yaml(ok, limits=limits).data == {"a": "x" * 96}
    err = load_error(ok + "#", limits=limits)
    assert "文件太大" in err.message
    assert err.value == "101 字节"
    # The cap counts UTF-8 bytes, not characters.
    err = load_error("a: " + "岳" * 40 + "\n", limits=limits)
    assert "文件太大" in err.message
    err = load_error((ok + "#").encode(), limits=limits)
    assert "文件太大" in err.message


@pytest.mark.timeout(30)
def test_default_size_limit_is_two_megabytes(tmp_path: Path) -> None:
    assert Limits(max_bytes=2_000_000, max_depth=50, max_nodes=200_000) == DEFAULT_LIMITS
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * 2_000_000 + b"\n")
    err = load_error(big)
    assert "文件太大（超过 2000000 字节的上限）" in err.message
    assert err.file == str(big)
    assert err.value == "2000003 字节"  # the size from stat, before reading (issue 19, 3)


def test_limits_validate() -> None:
    with pytest.raises(InputTypeError):
        Limits(max_bytes=0)
    with pytest.raises(InputTypeError):
        Limits(max_depth=True)
    with pytest.raises(InputTypeError):
        load_yaml("a: 1", limits={"max_bytes": 5})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- encodings

CHINESE = "kind: form\nyear: '2023'\nunit: 岳阳楼区\n"


def test_utf8_bytes() -> None:
    assert load_yaml(CHINESE.encode()).data["unit"] == "岳阳楼区"


def test_utf8_bom_is_dropped_and_positions_unchanged() -> None:
    doc = load_yaml(codecs.BOM_UTF8 + CHINESE.encode())
    assert doc.data["unit"] == "岳阳楼区"
    assert doc.text == CHINESE
    assert doc.key_positions[("kind",)] == (1, 1)
    assert doc.positions[("unit",)] == (3, 7)
    assert load_yaml("\ufeff" + CHINESE).text == CHINESE


_BOM_FOR = {
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}


@pytest.mark.parametrize(
    "codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
def test_utf16_and_utf32_with_bom(codec: str) -> None:
    # "utf-16"/"utf-32" write a BOM themselves; the -le/-be codecs do not.
    raw = _BOM_FOR.get(codec, b"") + CHINESE.encode(codec)
    doc = load_yaml(raw)
    assert doc.data == {"kind": "form", "year": "2023", "unit": "岳阳楼区"}
    assert doc.positions[("unit",)] == (3, 7)
    assert doc.text == CHINESE


def test_utf16_without_bom_is_not_text() -> None:
    err = load_error(CHINESE.encode("utf-16-le"))
    assert "不是文本文件" in err.message
    assert err.hint is not None
    assert "UTF-16" in err.hint


def test_broken_utf16_after_bom() -> None:
    err = load_error(codecs.BOM_UTF16_LE + b"a\x00:")  # odd length
    assert "UTF-16" in err.message


def test_gbk_bytes_are_recognised() -> None:
    err = load_error(CHINESE.encode("gbk"), file="gbk.yaml")
    assert err.message == (
        "文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码（中文 Windows 常见），"
        "请用“另存为 UTF-8”保存后重试"
    )
    assert (err.file, err.line, err.column) == ("gbk.yaml", 3, 7)


def test_gb18030_bytes_are_recognised(tmp_path: Path) -> None:
    path = tmp_path / "表.yaml"
    path.write_bytes("单位: 岳阳楼街道办事处\n".encode("gb18030"))
    err = load_error(path)
    assert "GBK/GB18030" in err.message
    assert err.file == str(path)
    assert (err.line, err.column) == (1, 1)


def test_other_non_utf8_names_the_byte() -> None:
    err = load_error(b"name: ok\nplace: caf\xe9\n")
    assert "文件不是 UTF-8 编码：第 19 字节（第 2 行）0xE9" in err.message
    assert (err.line, err.column) == (2, 11)


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100),
        b"PK\x03\x04\x14\x00\x06\x00",  # an .xlsx is a zip file
        random.Random(0).randbytes(4096),
        b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20,
    ],
)
def test_binary_garbage_is_not_text(raw: bytes) -> None:
    err = load_error(raw)
    assert "不是文本文件" in err.message


# --------------------------------------------------------------------------- sources


def test_file_names() -> None:
    assert load_yaml("a: 1").file == "<string>"
    assert load_yaml(b"a: 1").file == "<bytes>"
    assert load_yaml("a: 1", file="x.yaml").file == "x.yaml"
    assert load_error("a: [", file="x.yaml").file == "x.yaml"
    assert load_error("a: [").file == "<string>"


def test_path_sources(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(FORM, encoding="utf-8")
    doc = load_yaml(path)
    assert doc.file == str(path)
    assert doc.text == FORM
    assert doc.data["budget"]["全年预算数"] == "4073.53"
    assert load_yaml(path, file="shown.yaml").file == "shown.yaml"


def test_path_problems(tmp_path: Path) -> None:
    err = load_error(tmp_path / "missing.yaml")
    assert "找不到文件" in err.message
    assert err.file == str(tmp_path / "missing.yaml")
    err = load_error(tmp_path)
    assert "目录" in err.message


def test_other_source_types_are_refused() -> None:
    with pytest.raises(InputTypeError) as info:
        load_yaml(123)  # type: ignore[arg-type]
    assert "int" in info.value.message
    with pytest.raises(InputTypeError):
        load_yaml({"a": 1})  # type: ignore[arg-type]


def test_bytearray_and_memoryview() -> None:
    assert load_yaml(bytearray(b"a: 1")).data == {"a": "1"}  # type: ignore[arg-type]
    assert load_yaml(memoryview(b"a: 1")).data == {"a": "1"}  # type: ignore[arg-type]


# --------------------------------------------------------------------------- positions


def test_value_and_key_positions_are_exact() -> None:
    doc = load_yaml(FORM, file="form.yaml")
    p, k = doc.positions, doc.key_positions
    assert p[()] == (1, 1)
    assert k[("kind",)] == (1, 1)
    assert p[("kind",)] == (1, 7)
    assert k[("budget",)] == (5, 1)
    assert p[("budget",)] == (6, 3)  # a block mapping starts at its first key
    assert k[("budget", "全年预算数")] == (8, 3)
    assert p[("budget", "全年预算数")] == (8, 10)
    assert p[("budget", "收入")] == (10, 7)
    assert k[("budget", "收入", "其他资金")] == (10, 25)
    assert p[("budget", "收入", "其他资金")] == (10, 31)
    leaves = ("indicators", "产出指标", "数量指标")
    assert p[leaves] == (15, 7)
    assert p[(*leaves, 0)] == (15, 9)
    assert k[(*leaves, 0, "actual")] == (15, 40)
    assert p[(*leaves, 0, "actual")] == (15, 48)
    assert p[(*leaves, 1)] == (16, 9)
    assert p[(*leaves, 1, "name")] == (16, 15)
    assert p[(*leaves, 1, "note")] == (18, 15)
    assert doc.data[leaves[0]][leaves[1]][leaves[2]][1]["note"] == "偏差原因\n"
    assert k[("reported_total",)] == (20, 1)
    # Indexes have no key position.
    assert (*leaves, 0) not in k


def test_empty_value_position() -> None:
    doc = load_yaml("a:\nb: 1\n")
    assert doc.data == {"a": None, "b": "1"}
    assert doc.positions[("a",)] == (1, 3)


def test_crlf_counts_as_one_line_break() -> None:
    doc = load_yaml("a: 1\r\nb: 2\r\n")
    assert doc.positions[("b",)] == (2, 4)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    doc = load_yaml(FORM)
    assert doc.locate(("budget", "全年预算数")) == (8, 10)
    assert doc.locate(["budget", "全年执行数"]) == (6, 3)  # missing key → its mapping
    assert doc.locate(("budget", "收入", "x", 3)) == (10, 7)
    assert doc.locate(("nope", "deeper")) == (1, 1)
    assert doc.locate(()) == (1, 1)
    assert doc.key_locate(("budget", "全年预算数")) == (8, 3)
    assert doc.key_locate(("budget", "全年执行数")) == (6, 3)
    assert doc.key_locate(("indicators", "产出指标", "数量指标", 0)) == (15, 9)


def test_locate_without_positions() -> None:
    doc = Document(data={"a": "1"}, file="<data>", positions={}, key_positions={})
    assert doc.locate(("a",)) == (None, None)
    assert doc.key_locate(("a",)) == (None, None)


def test_document_is_picklable_frozen_and_hashable() -> None:
    doc = load_yaml(FORM, file="form.yaml")
    again = pickle.loads(pickle.dumps(doc))
    assert again == doc
    assert again.positions == doc.positions
    assert again.locate(("budget", "全年执行数")) == (6, 3)
    assert hash(again) == hash(doc)
    with pytest.raises(AttributeError):
        doc.file = "x"  # type: ignore[misc]


def test_load_error_is_picklable_and_a_value_error() -> None:
    err = load_error("a: 1\na: 2\n", file="f.yaml")
    again = pickle.loads(pickle.dumps(err))
    assert isinstance(again, LoadError)
    assert (again.file, again.line, again.column, again.message) == (
        err.file,
        err.line,
        err.column,
        err.message,
    )


# --------------------------------------------------------------------------- fuzz

YAMLISH = st.text(alphabet="ab1.:- \n\t[]{}&*!|>?,#'\"%@`~\\岳\r\ufeff\x85", max_size=60)


def _only_load_error(source: str | bytes) -> None:
    try:
        doc = load_yaml(source)
    except LoadError as err:
        assert type(err) is LoadError
        assert err.message
        str(err)
        return
    except PerfscoreError as err:  # pragma: no cover - would be a bug
        raise AssertionError(f"unexpected {type(err).__name__}: {err}") from err
    _assert_plain(doc.data)
    assert () in doc.positions


def _assert_plain(value: object) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str
            _assert_plain(item)
    elif isinstance(value, list):
        for item in value:
            _assert_plain(item)
    else:
        assert value is None or type(value) in (str, bool)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_loads_or_raises_load_error(text: str) -> None:
    _only_load_error(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_yamlish_text_loads_or_raises_load_error(text: str) -> None:
    _only_load_error(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary())
def test_any_bytes_load_or_raise_load_error(raw: bytes) -> None:
    _only_load_error(raw)


@settings(max_examples=200, deadline=None)
@given(YAMLISH.map(lambda s: s.encode("utf-8")), st.sampled_from(["utf-8", "utf-16", "gbk"]))
def test_reencoded_text_loads_or_raises_load_error(raw: bytes, codec: str) -> None:
    try:
        data = raw.decode("utf-8").encode(codec)
    except UnicodeError:
        return
    _only_load_error(data)
