"""``perfscore init form|template [--template ID] [FILE]``: a starter file an editor checks.

The first line maps the file to perfscore's JSON Schema for yaml-language-server (VS Code's
YAML extension, and other editors using it). The schema is the one of the installed perfscore,
named by its absolute ``file://`` address, so the line resolves wherever the new file is (the
checkout's relative ``../../schemas/…`` only works inside the checkout); ``--schema-url URL``
writes another address instead (e.g. a published copy).

- ``init form --template ID``: the template's structure with one placeholder third-level
  indicator under every open group (its weight the group's, so the file validates as written),
  ``{}`` for the indicators the template scores itself, and the budget figures its rules read.
- ``init template``: a small complete template (extends nothing), with the keys most templates
  change, each commented.
- ``init vscode``: the ``yaml.schemas`` block for VS Code's ``settings.json`` mapping
  ``*.form.yaml``/``*.perfscore.yaml`` and ``*.template.yaml`` to the installed schemas (so
  files need no ``$schema`` line).

An existing FILE is never overwritten (exit 2); without FILE the text goes to stdout.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from decimal import ROUND_DOWN, Decimal
from typing import Any

__all__ = [
    "add_parser",
    "reorder",
    "run",
    "starter_form",
    "starter_template",
    "vscode_settings",
]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_parser(add: Any) -> None:
    """Register ``init`` through cli.build_parser's ``add`` helper."""
    p = add("init", run, "生成起步用的表单或模板文件（首行关联 JSON Schema，编辑器可校验与补全）")
    p.add_argument(
        "kind",
        choices=("form", "template", "vscode"),
        help="form：表单；template：模板；vscode：VS Code 的 settings.json 片段（把 *.form.yaml、"
        "*.perfscore.yaml 和 *.template.yaml 关联到 schema）",
    )
    p.add_argument(
        "file", nargs="?", metavar="FILE", help="写入的文件（已存在则不覆盖）；省略时输出到标准输出"
    )
    p.add_argument(
        "--template",
        metavar="ID",
        default="hunan/unit-self-evaluation",
        help="表单所用的模板编号或模板文件（默认 hunan/unit-self-evaluation）",
    )
    p.add_argument(
        "--schema-url", metavar="URL", help="$schema 指向的地址（默认为已安装的 schema 文件）"
    )


#: Options of ``init`` that take a value (their value is not a positional).
_VALUED = ("--template", "-T", "--templates", "--schema-url")


def reorder(argv: list[str]) -> list[str]:
    """``init form --template ID FILE`` as ``init form FILE --template ID``: argparse gives an
    optional positional its value before the options, so FILE after them is refused."""
    if not argv or argv[0] != "init":
        return argv
    positionals: list[str] = []
    options: list[str] = []
    rest = iter(argv[1:])
    for token in rest:
        if token == "--":
            positionals.extend(rest)
            break
        if token.startswith("-") and token != "-":
            options.append(token)
            if token in _VALUED:
                options.append(next(rest, ""))
            continue
        positionals.append(token)
    return ["init", *positionals, *options]


def schema_address(name: str) -> str:
    """The installed schema ``name`` (form/template) as a ``file://`` URI."""
    from pathlib import Path

    from ..read.resources import schema_path

    return Path(schema_path(name)).resolve().as_uri()


def _q(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def starter_form(template: Any, *, schema: str, year: int | None = None) -> str:
    """A form for ``template`` (a built Template) that validates as written."""
    from ..text.display import fmt

    year = year or _dt.date.today().year - 1
    lines = [
        f"# yaml-language-server: $schema={schema}",
        f"# {template.name}（{template.id}）起步表单：把占位内容换成本单位的内容。",
        "# 校验：perfscore validate 本文件    计分：perfscore score 本文件",
        "kind: form",
        f"template: {template.id}",
        "unit: 单位名称",
        f"year: {year}",
    ]
    budget = _budget_keys(template)
    if budget:
        lines.append("budget:")
        lines.append("  unit: 万元")
        lines.extend(f"  {key}: 100  # 请填写" for key in budget)
    inputs = list(template.inputs)
    if inputs:
        lines.append("inputs:  # 基础数据")
        lines.extend(f"  {key}: 1  # 请填写" for key in inputs)
    lines.append("indicators:")

    def walk(nodes: Any, depth: int, weight: Decimal | None) -> None:
        pad = "  " * depth
        shares = _shares(nodes, weight)
        for node, share in zip(nodes, shares, strict=True):
            if node.open:
                lines.append(f"{pad}{node.name}:")
                lines.append(
                    f"{pad}  - {{name: 指标名称, target: ≥10次, actual: 10次, weight: {fmt(share)}}}"
                    "  # 可写多项，分值之和为本组分值"
                )
            elif node.children:
                lines.append(f"{pad}{node.name}:")
                walk(node.children, depth + 1, node.weight)
            else:
                lines.append(f"{pad}{node.name}: {_fixed_leaf(node)}")

    walk(template.nodes, 1, template.total)
    return "\n".join(lines) + "\n"


def _fixed_leaf(node: Any) -> str:
    """A template-defined indicator: what the unit still gives (a manual score, an actual)."""
    from ..rules.registry import KINDS

    kind = node.rule.kind if node.rule is not None else None
    if kind == "manual":
        return "{score: 0}  # 请填写人工评分"
    if kind == "checklist":
        items = ", ".join(_q(item) for item in node.rule.params.items)
        return f"{{actual: [{items}]}}  # 只列出已具备的要点"
    spec = KINDS.get(kind) if kind is not None else None
    if spec is not None and spec.needs_actual and node.actual_from is None:
        if node.target is not None:
            return f"{{actual: {_q(str(node.target))}}}  # 请填写实际完成值"
        return "{actual: 达成}  # 请填写实际完成值"
    return "{}  # 由模板计分；可加 reported: 自评得分"


def _shares(nodes: Any, weight: Decimal | None) -> list[Decimal]:
    """Each node's weight; nodes without one share what the others leave of ``weight``
    (in hundredths, the remainder on the last), so the placeholders add up."""
    given = [node.weight for node in nodes]
    free = [i for i, w in enumerate(given) if w is None]
    out = [w if w is not None else Decimal(0) for w in given]
    if free:
        left = (weight or Decimal(len(free) * 10)) - sum(out, Decimal(0))
        each = (left / len(free)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        for i in free:
            out[i] = each
        out[free[-1]] = left - each * (len(free) - 1)
    return out


def _budget_keys(template: Any) -> list[str]:
    """The budget figures the template's rules read (execution rate: budget and spending)."""
    keys: list[str] = []
    for node in template.walk():
        rule = node.rule
        params = getattr(rule, "params", None)
        for attr in ("budget", "executed"):
            value = getattr(params, attr, None)
            if isinstance(value, str) and value not in keys:
                keys.append(value)
    return keys


#: File name patterns mapped to each schema by :func:`vscode_settings`.
VSCODE_PATTERNS = {
    "form": ["*.form.yaml", "*.perfscore.yaml", "**/forms/*.yaml"],
    "template": ["*.template.yaml", "**/indicators/**/*.yaml"],
}


def vscode_settings() -> str:
    """The ``yaml.schemas`` entry for VS Code's settings.json (YAML extension by Red Hat)."""
    import json

    schemas = {schema_address(name): patterns for name, patterns in VSCODE_PATTERNS.items()}
    return json.dumps({"yaml.schemas": schemas}, ensure_ascii=False, indent=2) + "\n"


def starter_template(*, schema: str) -> str:
    """A small complete template."""
    return f"""# yaml-language-server: $schema={schema}
# 起步模板：指标体系、计分规则与等级。校验：perfscore validate 本文件；样例：perfscore check 本文件
kind: template
id: my-bureau/self-evaluation          # 模板编号：表单用 template: 引用
name: 项目支出绩效自评表（示例）
total: 100
rounding: {{places: 2, mode: half_up}}
grades:                                # 由高到低
  - {{name: 优, min: 90}}
  - {{name: 良, min: 80}}
  - {{name: 中, min: 60}}
  - {{name: 差, min: 0}}
rules:
  正向: {{kind: ratio, direction: positive}}
  反向: {{kind: ratio, direction: reverse, reverse: target_over_actual}}
defaults: {{">=": 正向, ">": 正向, "<=": 反向, "<": 反向, "=": 正向}}
indicators:
  - name: 产出指标
    weight: 60
    children:
      - {{name: 数量指标, weight: 30, open: true}}   # open：三级指标由单位填写
      - {{name: 质量指标, weight: 30, open: true}}
  - name: 效益指标
    weight: 30
    children:
      - {{name: 社会效益指标, weight: 30, open: true}}
  - name: 满意度指标
    weight: 10
    children:
      - {{name: 服务对象满意度指标, weight: 10, open: true}}
"""


def run(args: argparse.Namespace) -> int:
    import os

    from ..errors import PerfscoreError
    from ..render.io import atomic_write

    try:
        if args.kind == "form":
            from ..build.args import search_library
            from ..review.batch import load_template_ref

            lib = search_library(list(args.templates) if args.templates else None)
            template = load_template_ref(args.template, lib)
            text = starter_form(template, schema=args.schema_url or schema_address("form"))
        elif args.kind == "vscode":
            text = vscode_settings()
        else:
            text = starter_template(schema=args.schema_url or schema_address("template"))
    except PerfscoreError as exc:
        print(f"perfscore init: 模板无法使用：{exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.file is None or args.file == "-":
        sys.stdout.write(text)
        return EXIT_OK
    if os.path.exists(args.file):
        print(f"perfscore init: 文件已存在，未覆盖：{args.file}", file=sys.stderr)
        return EXIT_USAGE
    atomic_write(args.file, text.encode("utf-8"))
    print(f"已写入 {args.file}", file=sys.stderr)
    return EXIT_OK
