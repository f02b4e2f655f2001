"""The narrative self-evaluation report (绩效自评报告, 附件4) drafted from a scored form.

The outline, the headings and every sentence come from the template's ``report:`` section
(see ``schemas/template.schema.json``); this module only fills them in:

- ``figures`` are the numbers the sentences use, each read from the form's ``budget``, from
  the basic-data form's ``inputs``, or computed from other figures (``sum``, ``difference``,
  ``ratio``). A figure that is computed and also typed on the form (``check``) is written as
  computed, and the difference is listed in the report's 数据核对 notes;
- a section's ``paragraphs`` are sentences with ``{名称}`` fields, lists over budget rows
  (``each``), the form's goals (``goals``) or the performance results (``performance``);
- ``placeholder`` sections are for the unit to write, and list ``prompts`` from the findings.

The result is a plain :class:`Report` (headings and paragraphs), rendered by
:func:`render_markdown`, :func:`perfscore._html_report.render_report_html` or
:mod:`perfscore.report.docx`. Numbers are Decimals throughout, rounded half up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..build.model import Form
from ..core.result import Evaluation, GroupResult, LeafResult
from ..errors import BuildError, ValidationErrors
from ..text.display import fmt, fmt_fixed
from ..text.numbers import in_local_context, quantize
from .figures import FIELD as _FIELD
from .figures import Figure, Figures, Where, fill

__all__ = ["Block", "Report", "build_report", "render_markdown"]

#: Block kinds: a heading (with its level), a paragraph, a placeholder the unit must replace,
#: a prompt under a placeholder, a note (数据核对).
KINDS = ("heading", "paragraph", "placeholder", "prompt", "note")


@attrs.frozen
class Block:
    kind: str
    text: str
    level: int = 0


@attrs.frozen
class Report:
    """A drafted report: its title lines and its blocks, in order."""

    title: tuple[str, ...]
    blocks: tuple[Block, ...]
    unit: str | None = None
    year: str | None = None

    def headings(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "heading"]

    def text(self) -> str:
        """All the text, one block a line (for tests and search)."""
        return "\n".join([*self.title, *(b.text for b in self.blocks)])


# ====================================================================== building


def _score(value: Decimal, places: int) -> str:
    return fmt_fixed(value, places)


@in_local_context
def build_report(evaluation: Evaluation, form: Form, basic: Form | None = None) -> Report:
    """Draft the report of ``form`` (scored as ``evaluation``) from its template's ``report:``.

    ``basic`` is the basic-data form (基础数据表), whose inputs ``input:`` figures read.
    Raises :class:`~perfscore.errors.ValidationErrors` when the template has no report
    section or refers to figures it does not define.
    """
    template = form.template
    spec = template.data.get("report") if isinstance(template.data, Mapping) else None
    where = Where(template.file)
    if not isinstance(spec, Mapping):
        raise ValidationErrors(
            [
                BuildError(
                    f"模板“{template.id}”没有 report 部分，无法起草自评报告",
                    file=template.file,
                    hint="在模板中加 report: {title: …, sections: […]}，见 docs/reports.md",
                )
            ],
            file=template.file,
        )
    figures = Figures(spec, form, basic, where)
    builder = _Builder(spec, evaluation, form, figures, where)
    blocks = list(builder.sections(spec.get("sections") or [], 1, ("report", "sections")))
    notes = list(figures.checks(spec.get("wording") or {}))
    if notes:
        blocks.append(Block("heading", str(spec.get("checks_heading", "数据核对说明")), 1))
        blocks.extend(Block("note", n) for n in notes)
    if where.errors:
        raise ValidationErrors(where.errors, file=template.file)
    title = tuple(fill(str(t), builder.common) for t in _lines(spec.get("title", "")))
    return Report(title, tuple(blocks), unit=form.unit, year=form.year)


def _lines(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)] if value else []


class _Builder:
    def __init__(
        self,
        spec: Mapping[str, Any],
        ev: Evaluation,
        form: Form,
        figures: Figures,
        where: Where,
    ) -> None:
        self.spec, self.ev, self.form, self.figures, self.where = spec, ev, form, figures, where
        self.wording: Mapping[str, Any] = spec.get("wording") or {}
        self.common = {
            "unit": form.unit or "【单位名称】",
            "year": form.year or "【年度】",
            "total": _score(ev.total, ev.places),
            "grade": ev.grade,
            "weight": fmt(ev.total_weight),
            "template": form.template.name,
        }

    def text(self, text: str, at: Sequence[str | int]) -> str:
        """``text`` with the common fields and the declared figures filled in."""
        figures = self.spec.get("figures") or {}

        def missing(key: str) -> str:
            if key not in figures:
                self.where.fail(
                    f"报告中的“{{{key}}}”不是已定义的数字（report.figures），"
                    f"可用的字段：{'、'.join([*self.common, *figures])}",
                    at,
                )
                return "{" + key + "}"
            return self.figures.show(self.figures.get(key))

        return fill(text, self.common, missing)

    def context(self, text: str, values: Mapping[str, str], at: Sequence[str | int]) -> str:
        """``text`` filled from ``values`` (a list item's fields); an unknown field is an error."""

        def missing(key: str) -> str:
            self.where.fail(f"报告中的“{{{key}}}”在这里不可用，可用的字段：{'、'.join(values)}", at)
            return "{" + key + "}"

        return fill(text, values, missing)

    def sections(
        self, sections: Sequence[Any], level: int, at: tuple[str | int, ...]
    ) -> Iterator[Block]:
        for i, section in enumerate(sections):
            here = (*at, i)
            if not isinstance(section, Mapping):
                continue
            yield Block("heading", self.text(str(section.get("heading", "")), here), level)
            for j, para in enumerate(section.get("paragraphs") or []):
                yield from self.paragraph(para, (*here, "paragraphs", j))
            if "placeholder" in section:
                yield Block("placeholder", self.text(str(section["placeholder"]), here))
                for prompt in self.prompts(section.get("prompts") or []):
                    yield Block("prompt", prompt)
            yield from self.sections(section.get("sections") or [], level + 1, (*here, "sections"))

    def paragraph(self, para: Any, at: tuple[str | int, ...]) -> Iterator[Block]:
        if isinstance(para, str):
            yield Block("paragraph", self.text(para, at))
            return
        if not isinstance(para, Mapping):
            return
        if "when" in para:
            figure = self.figures.get(str(para["when"]))
            shown = {
                k: self.text(str(para[k]), (*at, k)) for k in ("text", "otherwise") if para.get(k)
            }
            chosen = shown.get("text" if figure.value else "otherwise")
            if chosen:
                yield Block("paragraph", chosen)
        elif "each" in para:
            yield from self.each(para, at)
        elif "goals" in para:
            goals = [g for g in self.form.data.get("goals") or [] if isinstance(g, Mapping)]
            if not goals and para.get("none"):
                yield Block("placeholder", str(para["none"]))
            for g in goals:
                values = {k: str(g.get(k) or "") for k in ("target", "result")}
                yield Block(
                    "paragraph",
                    self.context(str(para["goals"]), {**self.common, **values}, (*at, "goals")),
                )
        elif "performance" in para:
            yield from self.performance(para["performance"], at)

    def each(self, para: Mapping[str, Any], at: tuple[str | int, ...]) -> Iterator[Block]:
        pattern = str(para["each"])
        rx = re.compile("^" + r"([^.]+)".join(re.escape(x) for x in pattern.split("*")) + "$")
        whole = self.figures.get(str(para["share_of"])) if para.get("share_of") else None
        parts: list[str] = []
        for key, q in self.form.budget.items():
            m = rx.match(key)
            if m is None:
                continue
            amount = self.figures.money(q)
            values = {
                **self.common,
                "name": "·".join(m.groups()),
                "amount": self.figures.show(Figure(key, amount)),
                "share": "【待填：占比】",
            }
            if whole is not None and whole.value:
                values["share"] = self.figures.show(Figure(key, amount / whole.value, True))
            parts.append(
                self.context(str(para.get("text", "{name}{amount}")), values, (*at, "text"))
            )
        if not parts:
            if para.get("none"):
                yield Block("paragraph", self.text(str(para["none"]), at))
            return
        before = self.text(str(para.get("before", "")), at)
        after = self.text(str(para.get("after", "")), at)
        yield Block("paragraph", before + str(para.get("join", "；")).join(parts) + after)

    # ------------------------------------------------------------ performance

    def unmet(self) -> list[LeafResult]:
        return [
            leaf
            for leaf in self.ev.leaves()
            if leaf.status not in ("达成", "不适用") or leaf.score < leaf.effective_weight
        ]

    def over(self) -> list[LeafResult]:
        return [leaf for leaf in self.ev.leaves() if "over_achievement" in leaf.flags]

    def leaf_values(self, leaf: LeafResult) -> dict[str, str]:
        places = self.ev.places
        ratio = "" if leaf.ratio is None else f"{fmt_fixed(quantize(leaf.ratio * 100, 2), 2)}%"
        lost = leaf.effective_weight - leaf.score
        target, actual = leaf.target_text, leaf.actual_text
        if leaf.rule_kind == "execution_rate" and leaf.ratio is not None:
            target, actual = target or "100%", actual or ratio
        w = self.wording
        if ratio:
            deviation = fill(
                str(w.get("deviation_ratio", "完成值为指标值的{ratio}")), {"ratio": ratio}
            )
        else:
            deviation = fill(
                str(w.get("deviation_tier", "属“{status}”档")), {"status": leaf.status}
            )
        return {
            **self.common,
            "name": leaf.name,
            "path": " › ".join(leaf.path),
            "target": target or "（未填）",
            "actual": actual or "（未填）",
            "deviation": deviation,
            "score": _score(leaf.score, places),
            "weight": fmt(leaf.effective_weight),
            "lost": _score(lost, places),
            "ratio": ratio or leaf.status,
            "status": leaf.status,
            "reason": leaf.note or str(self.wording.get("no_reason", "【未说明偏差原因】")),
            "flag_at": self.flag_at(),
        }

    def flag_at(self) -> str:
        at = self.form.template.over_achievement.flag_at
        return "" if at is None else f"{fmt(at * 100)}%"

    def check_fields(self, text: str, allowed: Sequence[str], at: Sequence[str | int]) -> None:
        for key in _FIELD.findall(text):
            if key not in allowed:
                self.where.fail(
                    f"报告中的“{{{key}}}”在这里不可用，可用的字段：{'、'.join(allowed)}", at
                )

    def performance(self, spec: Any, at: tuple[str | int, ...]) -> Iterator[Block]:
        if not isinstance(spec, Mapping):
            return
        at = (*at, "performance")
        for key in ("unmet", "over"):
            if spec.get(key):
                self.check_fields(str(spec[key]), LEAF_FIELDS, (*at, key))
        if spec.get("level1"):
            self.check_fields(str(spec["level1"]), ("name", "score", "weight"), (*at, "level1"))
        if spec.get("over_before"):
            self.check_fields(str(spec["over_before"]), ("flag_at",), (*at, "over_before"))
        for key, value in self.wording.items():
            if key.startswith("prompt_") and key != "prompt_finding":
                self.check_fields(str(value), LEAF_FIELDS, ("report", "wording", key))
        places = self.ev.places
        if spec.get("total"):
            yield Block("paragraph", self.text(str(spec["total"]), at))
        if spec.get("level1"):
            parts = [
                fill(
                    str(spec["level1"]),
                    {
                        "name": node.name,
                        "score": _score(node.score, places),
                        "weight": fmt(
                            node.weight if isinstance(node, GroupResult) else node.effective_weight
                        ),
                    },
                )
                for node in self.ev.items
            ]
            joined = str(spec.get("join", "；")).join(parts)
            yield Block(
                "paragraph", self.text(str(spec.get("level1_before", "")), at) + joined + "。"
            )
        unmet = self.unmet()
        if unmet and spec.get("unmet"):
            if spec.get("unmet_before"):
                yield Block("paragraph", self.text(str(spec["unmet_before"]), at))
            for leaf in unmet:
                yield Block("paragraph", fill(str(spec["unmet"]), self.leaf_values(leaf)))
        elif not unmet and spec.get("all_met"):
            yield Block("paragraph", self.text(str(spec["all_met"]), at))
        over = self.over()
        if over and spec.get("over"):
            if spec.get("over_before"):
                yield Block(
                    "paragraph", fill(str(spec["over_before"]), {"flag_at": self.flag_at()})
                )
            for leaf in over:
                yield Block("paragraph", fill(str(spec["over"]), self.leaf_values(leaf)))

    # ------------------------------------------------------------ prompts

    def prompts(self, kinds: Sequence[Any]) -> Iterator[str]:
        w = self.wording
        for kind in kinds:
            if kind == "unmet":
                for leaf in self.unmet():
                    text = w.get("prompt_unmet" if leaf.note else "prompt_unmet_no_reason")
                    if text:
                        yield fill(str(text), self.leaf_values(leaf))
            elif kind == "over":
                for leaf in self.over():
                    key = "prompt_over" if leaf.note else "prompt_over_no_reason"
                    if w.get(key):
                        yield fill(str(w[key]), self.leaf_values(leaf))
            elif kind == "findings":
                text = str(w.get("prompt_finding", "{message}"))
                for f in self.ev.findings:
                    if f.code == "over_achievement" and "over" in kinds:
                        continue  # already prompted, with the indicator's name
                    if f.severity in ("error", "warning"):
                        where = f.path[-1] if f.path else ""
                        yield fill(text, {"message": f.message, "code": f.code, "name": where})
            elif kind == "checks":
                yield from self.figures.checks(w)


#: The fields of a sentence about one indicator (unmet, over, prompts).
LEAF_FIELDS: tuple[str, ...] = (
    "unit",
    "year",
    "total",
    "grade",
    "template",
    "name",
    "path",
    "target",
    "actual",
    "deviation",
    "score",
    "weight",
    "lost",
    "ratio",
    "status",
    "reason",
    "flag_at",
)


# ====================================================================== Markdown


def render_markdown(report: Report) -> str:
    """The report as Markdown: headings as #, placeholders as quoted, marked blocks."""
    out: list[str] = []
    if report.title:
        out.extend(["# " + _md(" ".join(report.title)), ""])
    for b in report.blocks:
        if b.kind == "heading":
            out.extend(["#" * min(6, b.level + 1) + " " + _md(b.text), ""])
        elif b.kind == "placeholder":
            out.extend([f"> **【待单位填写】** {_md(b.text)}", ""])
        elif b.kind == "prompt":
            out.append(f"> - {_md(b.text)}")
        elif b.kind == "note":
            out.append(f"- {_md(b.text)}")
        else:
            out.extend([_md(b.text), ""])
    text = "\n".join(out)
    text = re.sub(r"(> - [^\n]*\n)(?!> - )", r"\1\n", text + "\n")
    text = re.sub(r"(\n- [^\n]*\n)(?![-\n])", r"\1\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    from .html_text import clean

    return _MD_SPECIAL.sub(r"\\\1", clean(text))
