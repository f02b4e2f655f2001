"""``perfscore check``: run the ``examples:`` embedded in templates, like a conformance suite.

Each example is ``{name, description?, form, expect}``. ``form`` is a form mapping without
``kind`` and ``template`` (the runner binds it to the template it sits in); ``expect`` holds
what scoring must give: ``items`` (scores by indicator name or ``a/b/c`` path), ``total``,
``grade``, ``status`` (leaf statuses), ``flags`` (flags a leaf must carry), or ``error`` (a
fragment of the message when the example must be refused); or ``monitor`` / ``targets`` for the
earlier stages of the year (see :mod:`perfscore.testing.stage_check`). Every example is scored independently; a failure shows expected
against computed for each mismatch, an invalid example form shows its located errors
(file:line inside the template). Only :mod:`perfscore.errors` exceptions are expected from
the engine; anything else is reported as an internal error of that example, never raised.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from ..build.bind import build_form
from ..build.form import _sub_document
from ..build.model import Template
from ..core.result import Evaluation, LeafResult, NodeResult
from ..engine.evaluate import evaluate
from ..errors import PerfscoreError, TemplateNotFoundError, flatten, format_path
from ..read.yaml import load_yaml
from ..read.yaml_document import Document, JsonPath
from ..text.display import fmt
from ..text.numbers import parse_decimal

if TYPE_CHECKING:
    from ..build.library import TemplateLibrary

from .stage_check import Mismatch, _no_resolver, stage_mismatches

__all__ = ["ExampleOutcome", "Mismatch", "check_template", "run_examples"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@attrs.frozen
class ExampleOutcome:
    """The result of one embedded example."""

    template: str  # the template id
    name: str
    passed: bool
    mismatches: tuple[Mismatch, ...] = ()
    errors: tuple[PerfscoreError, ...] = ()  # why the example could not be run or was refused
    problem: str | None = None  # a one-line reason when there is no mismatch to show
    file: str | None = None
    line: int | None = None

    @property
    def title(self) -> str:
        return f"{self.template} › {self.name}"

    @property
    def location(self) -> str:
        if self.file is None:
            return ""
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def report(self) -> str:
        """``✓ 模板 › 用例`` or ``✗ 模板 › 用例（file:line）`` with the differences below it."""
        if self.passed:
            return f"✓ {self.title}"
        where = f"（{self.location}）" if self.location else ""
        lines = [f"✗ {self.title}{where}"]
        if self.problem:
            lines.append(f"    {self.problem}")
        lines.extend(f"    {m}" for m in self.mismatches)
        for err in self.errors:
            lines.extend("    " + part for part in f"{err.kind}：{err}".splitlines())
        return "\n".join(lines)


# ------------------------------------------------------------------ library API


def check_template(template: Template, *, document: Document | None = None) -> list[ExampleOutcome]:
    """Run every example of ``template``; one :class:`ExampleOutcome` per example.

    ``document`` is the template's own YAML document, for positions; when omitted it is read
    again from ``template.file`` if that is a file (examples are never inherited, so they always
    sit in the template's own file).
    """
    from ..text.frozen import thaw

    examples = thaw(template.data.get("examples")) or []
    doc = document if document is not None else _source_document(template)
    if doc is not None and (
        not isinstance(doc.data, Mapping) or doc.data.get("examples") != examples
    ):
        doc = None  # the file changed since the template was built: no positions
    return [_run_one(template, example, i, doc) for i, example in enumerate(examples)]


def _source_document(template: Template) -> Document | None:
    file = template.file
    if not file or file.startswith("<") or not os.path.isfile(file):
        return None
    try:
        return load_yaml(Path(file))
    except PerfscoreError:
        return None


def _run_one(template: Template, example: Any, index: int, doc: Document | None) -> ExampleOutcome:
    at: JsonPath = ("examples", index)
    line = doc.locate(at)[0] if doc is not None else None
    name = str(example.get("name")) if isinstance(example, Mapping) else f"第 {index + 1} 个样例"
    base = ExampleOutcome(
        template=template.id, name=name, passed=False, file=template.file, line=line
    )
    try:
        return _run_checked(template, example, at, doc, base)
    except PerfscoreError as err:  # the expectations themselves are malformed
        return attrs.evolve(base, errors=flatten(err))
    except Exception as exc:  # never let an engine bug escape the runner
        return attrs.evolve(base, problem=f"内部错误（请报告此问题）：{type(exc).__name__}: {exc}")


def _run_checked(
    template: Template,
    example: Any,
    at: JsonPath,
    doc: Document | None,
    base: ExampleOutcome,
) -> ExampleOutcome:
    form_raw = example.get("form") if isinstance(example, Mapping) else None
    expect = example.get("expect") if isinstance(example, Mapping) else None
    if not isinstance(form_raw, Mapping) or not isinstance(expect, Mapping):
        return attrs.evolve(base, problem="样例应写 name、form（表单）和 expect（预期结果）")
    for key in ("template", "kind"):
        if key in form_raw and not (key == "kind" and form_raw[key] == "form"):
            err = PerfscoreError(
                f"样例表单不写 {key}：perfscore check 自动把它绑定到所在模板",
                file=template.file,
                line=_line(doc, (*at, "form", key), key=True),
                value=form_raw[key],
            )
            return attrs.evolve(base, errors=(err,))
    if expect.get("monitor") is not None or expect.get("targets") is not None:
        found = stage_mismatches(template, _form_document(template, form_raw, at, doc), expect)
        return attrs.evolve(base, passed=not found, mismatches=tuple(found))
    if not any(
        expect.get(k) is not None for k in ("items", "total", "grade", "status", "flags", "error")
    ):
        return attrs.evolve(
            base,
            problem="样例没有写任何预期结果（expect 中写 items、total、grade、status、flags 或 error）",
        )
    form_doc = _form_document(template, form_raw, at, doc)
    wanted_error = expect.get("error")
    try:
        result = evaluate(build_form(form_doc, _no_resolver, template=template))
    except PerfscoreError as err:
        errors = flatten(err)
        if wanted_error is None:
            return attrs.evolve(base, problem="样例表单无法计分：", errors=errors)
        text = "\n".join(str(e) for e in errors)
        if str(wanted_error) in text:
            return attrs.evolve(base, passed=True)
        return attrs.evolve(
            base,
            mismatches=(Mismatch("错误信息", f"含“{wanted_error}”", text.replace("\n", "；")),),
        )
    if wanted_error is not None:
        return attrs.evolve(
            base,
            mismatches=(
                Mismatch(
                    "结果",
                    f"被拒绝（错误信息含“{wanted_error}”）",
                    f"计分成功，总分 {fmt(result.total)}",
                ),
            ),
        )
    mismatches = list(_compare(result, expect, template, doc, at))
    return attrs.evolve(base, passed=not mismatches, mismatches=tuple(mismatches))


def _form_document(
    template: Template, form_raw: Mapping[str, Any], at: JsonPath, doc: Document | None
) -> Document:
    """The example's form as a document of its own, positions kept from the template file."""
    data = {"kind": "form", "template": template.id, **form_raw}
    if doc is None:
        return Document(data=data, file=template.file or "<template>")
    sub = _sub_document(doc, (*at, "form"))
    return attrs.evolve(sub, data=data)


def _line(doc: Document | None, path: JsonPath, *, key: bool = False) -> int | None:
    if doc is None:
        return None
    return (doc.key_locate(path) if key else doc.locate(path))[0]


def _number(
    value: Any, what: str, template: Template, doc: Document | None, at: JsonPath
) -> Decimal:
    try:
        return parse_decimal(str(value), what=what)
    except PerfscoreError as err:
        raise err.located(file=template.file, line=_line(doc, at)) from None


def _compare(
    result: Evaluation,
    expect: Mapping[str, Any],
    template: Template,
    doc: Document | None,
    at: JsonPath,
) -> Iterator[Mismatch]:
    where: JsonPath = (*at, "expect")
    for key, value in (expect.get("items") or {}).items():
        want = _number(value, f"“{key}”的预期得分", template, doc, (*where, "items", key))
        node = _find(result, str(key))
        if node is None:
            yield Mismatch(str(key), fmt(want), _not_found(result, str(key)))
        elif node.score != want:
            yield Mismatch(format_path(node.path), fmt(want), fmt(node.score))
    if expect.get("total") is not None:
        want = _number(expect["total"], "预期总分", template, doc, (*where, "total"))
        if result.total != want:
            yield Mismatch("总分", fmt(want), fmt(result.total))
    if expect.get("grade") is not None and str(expect["grade"]) != result.grade:
        yield Mismatch("等级", str(expect["grade"]), result.grade)
    for key, value in (expect.get("status") or {}).items():
        node = _find(result, str(key))
        if node is None:
            yield Mismatch(f"{key} 的状态", str(value), _not_found(result, str(key)))
        elif not isinstance(node, LeafResult):
            yield Mismatch(f"{key} 的状态", str(value), "（分组没有状态，请写三级指标）")
        elif node.status != str(value):
            yield Mismatch(f"{format_path(node.path)} 的状态", str(value), node.status)
    for key, wanted in (expect.get("flags") or {}).items():
        node = _find(result, str(key))
        shown = "、".join(str(f) for f in wanted)
        if not isinstance(node, LeafResult):
            found = _not_found(result, str(key)) if node is None else "（分组没有提示标记）"
            yield Mismatch(f"{key} 的提示", shown, found)
        elif not set(map(str, wanted)) <= set(node.flags):
            yield Mismatch(
                f"{format_path(node.path)} 的提示", shown, "、".join(node.flags) or "（无）"
            )


def _find(result: Evaluation, key: str) -> NodeResult | None:
    parts = tuple(p.strip() for p in key.replace("›", "/").split("/") if p.strip())
    try:
        return result.find(parts if len(parts) > 1 else key.strip())
    except KeyError:
        return None


def _not_found(result: Evaluation, key: str) -> str:
    try:
        result.find(key.strip())
    except KeyError as exc:
        return f"（{exc.args[0]}）"
    return "（找不到该指标）"  # pragma: no cover - only reached for a path that does not exist


# ------------------------------------------------------------------ command line


def run_examples(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """``perfscore check PATH...``: 0 when every example passes, 1 otherwise, 2 usage error."""
    stream = out if out is not None else sys.stdout
    try:
        return _run(args, stream)
    except PerfscoreError as err:
        print(f"{err.kind}：{err}", file=stream)
        return EXIT_FAILED
    except Exception as exc:  # never let a non-perfscore exception escape
        print(f"内部错误（请报告此问题）：{type(exc).__name__}: {exc}", file=stream)
        return EXIT_FAILED


def template_files(args: argparse.Namespace) -> tuple[TemplateLibrary, list[Path]] | int:
    """The library and template files ``perfscore check`` was given (with or without
    ``--properties``), or EXIT_USAGE after saying on stderr what is wrong."""
    from ..build.library import collect_templates

    paths: Sequence[str] = list(getattr(args, "paths", None) or ())
    extra: list[str] = list(getattr(args, "templates", None) or ())
    if not paths:
        print("perfscore check：请给出模板文件、模板编号或目录", file=sys.stderr)
        return EXIT_USAGE
    try:
        return collect_templates(paths, extra)
    except TemplateNotFoundError as err:
        print(f"perfscore check：{err.detail()}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace, stream: TextIO) -> int:
    found = template_files(args)
    if isinstance(found, int):
        return found
    library, files = found
    passed = failed = broken = templates = 0
    for path in files:
        try:
            doc = load_yaml(path)
        except PerfscoreError as err:
            print(f"✗ {path}：无法读取\n    {err.kind}：{err}", file=stream)
            broken += 1
            continue
        templates += 1
        try:
            template = library.build(doc)
        except PerfscoreError as err:
            print(f"✗ {path}：模板未通过校验", file=stream)
            for e in flatten(err):
                print(f"    {e.kind}：{e}", file=stream)
            broken += 1
            continue
        outcomes = check_template(template, document=doc)
        if not outcomes:
            print(f"- {template.id}：没有样例（examples）", file=stream)
        for outcome in outcomes:
            print(outcome.report(), file=stream)
            if outcome.passed:
                passed += 1
            else:
                failed += 1
    summary = f"共 {templates} 个模板，{passed + failed} 个样例：通过 {passed} 个，失败 {failed} 个"
    if broken:
        summary += f"；{broken} 个文件无法读取或未通过校验"
    print(summary + "。", file=stream)
    return EXIT_OK if not failed and not broken else EXIT_FAILED
