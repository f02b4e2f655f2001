"""``perfscore check`` for the earlier stages of the year: examples whose ``expect`` holds
``monitor:`` (lights of :func:`perfscore.review.monitor.monitor_form`) or ``targets:`` (findings and
conclusion of :func:`perfscore.review.target_review.review_targets`).

::

    expect:
      monitor: {month: 7, lights: {预算执行: green, 养护里程: red}, project: red,
                findings: [cause_missing], absent: [measures_missing]}
      targets: {findings: [cost_as_minimum], absent: [target_vague], grade: 退回修改}

The example's form is bound leniently (as the commands read forms), so a form without
``actual`` is fine here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ..build.bind import build_form
from ..build.model import Template
from ..errors import TemplateNotFoundError, format_path
from ..read.yaml_document import Document, JsonPath

__all__ = ["STAGE_KEYS", "Mismatch", "stage_mismatches"]

STAGE_KEYS = ("monitor", "targets")


@attrs.frozen
class Mismatch:
    """One checked value that differs: what it is, what was expected, what was computed."""

    what: str
    expected: str
    computed: str

    def __str__(self) -> str:
        return f"{self.what}：预期 {self.expected}，计算得 {self.computed}"


def _no_resolver(
    ref: str | Mapping[str, Any], doc: Document, at: JsonPath
) -> Template:  # pragma: no cover
    raise TemplateNotFoundError("样例表单已绑定模板，不应再查找模板", value=str(ref))


def stage_mismatches(
    template: Template, form_doc: Document, expect: Mapping[str, Any]
) -> list[Mismatch]:
    """Every difference between the example's stage results and ``expect``."""
    form = build_form(form_doc, _no_resolver, template=template, lenient=True)
    out: list[Mismatch] = []
    if isinstance(expect.get("monitor"), Mapping):
        out.extend(_monitor(form, expect["monitor"]))
    if isinstance(expect.get("targets"), Mapping):
        out.extend(_targets(form, expect["targets"]))
    return out


def _codes(
    what: str, present: list[str], want: Any, absent: Any, messages: list[str]
) -> Iterator[Mismatch]:
    shown = "、".join(dict.fromkeys(present)) or "（无）"
    for code in want or ():
        if str(code) not in present:
            yield Mismatch(f"{what}应有 {code}", str(code), shown)
    for code in absent or ():
        if str(code) in present:
            found = next((m for m in messages if m.startswith(f"{code}：")), str(code))
            yield Mismatch(f"{what}不应有 {code}", "（无）", found)


def _monitor(form: Any, expect: Mapping[str, Any]) -> Iterator[Mismatch]:
    from ..review.monitor import monitor_form

    report = monitor_form(form, month=int(str(expect.get("month"))))
    lights = {x.name: x for x in report.lights}
    paths = {format_path(x.path): x for x in report.lights}
    if report.budget is not None:
        lights[report.budget.name] = report.budget
    for key, want in (expect.get("lights") or {}).items():
        name = str(key).replace("/", " › ")
        x = paths.get(name) or lights.get(str(key))
        got = None if x is None else x.light
        if (None if want is None else str(want)) != got:
            yield Mismatch(
                f"{key} 的灯",
                "（不亮灯）" if want is None else str(want),
                "（不亮灯）" if got is None else f"{got}：{x.sentence if x else ''}",
            )
    if expect.get("project") is not None and str(expect["project"]) != report.project_light:
        yield Mismatch(
            "项目灯", str(expect["project"]), f"{report.project_light}：{report.project_sentence}"
        )
    present = [f.code for f in report.findings]
    messages = [f"{f.code}：{f.message}" for f in report.findings]
    yield from _codes("监控发现", present, expect.get("findings"), expect.get("absent"), messages)


def _targets(form: Any, expect: Mapping[str, Any]) -> Iterator[Mismatch]:
    from ..review.target_review import review_targets

    report = review_targets(form)
    present = [f.code for f in report.findings]
    messages = [f"{f.code}：{f.message}" for f in report.findings]
    yield from _codes("审核发现", present, expect.get("findings"), expect.get("absent"), messages)
    if expect.get("grade") is not None and str(expect["grade"]) != report.grade:
        yield Mismatch("审核结论", str(expect["grade"]), str(report.grade))
