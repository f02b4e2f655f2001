"""One way from a source to a form, for ``score``, ``explain``, ``validate`` and ``review``.

:func:`load_into` reads a YAML/JSON form file, a one-record JSON Lines file, a CSV/TSV/XLSX
table, a mapping or a built :class:`~perfscore.model.Form`, and binds it to its template:

1. read the source into a document (tables through :func:`perfscore.read.table.read_table`,
   then :func:`perfscore.read.table_layout.fix_layout` for parent rows, formula cells and a
   budget total of zeros);
2. the template: the caller's (``--template``; it also rescues a YAML form without
   ``template:``), else the form's ``template:``, else the table's 模板 cell, else the
   template the table's head names (:func:`perfscore.read.template_guess.guess_template`,
   stated in a ``template_guessed`` finding);
3. the weights the form prints win over the template's (``weight_from_form``), and blocks
   without any weight get weights implied by their totals (``weight_implied``);
4. bind (``lenient`` for review: what cannot be read becomes a finding).

A template file given where a form is expected is an error saying so (这是模板，请给出表单).
What was read stays in the :class:`Loaded` when a later step fails.

Stage: read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from ..core.findings import severity_of
from ..core.result import Finding
from ..errors import InputTypeError, LoadError, PerfscoreError
from ..read.yaml import load_yaml
from ..read.yaml_document import Document
from .bind import build_form
from .library import TemplateLibrary
from .model import Form, Template

__all__ = [
    "DEFAULT_TABULAR_TEMPLATE",
    "TABULAR_SUFFIXES",
    "Loaded",
    "load_form_any",
    "load_into",
    "not_a_form",
    "problems_of",
]

#: The template a CSV/XLSX form is scored against when nothing names or suggests one.
DEFAULT_TABULAR_TEMPLATE: Final = "hunan/unit-self-evaluation"
TABULAR_SUFFIXES: Final = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".et", ".ods")


@attrs.define
class Loaded:
    """What was read from one source, step by step."""

    file: str
    form: Form | None = None
    doc: Document | None = None
    table: Any = None  # perfscore.read.table_cells.TableRead
    source: str = "yaml"
    #: Findings of the reading itself (template guessed, weights printed or implied, layouts).
    notes: list[Finding] = attrs.field(factory=list)
    #: (分值, reported 得分) of parent rows taken out of the indicators.
    parents: list[tuple[Decimal, Any]] = attrs.field(factory=list)

    @property
    def encoding(self) -> str | None:
        return None if self.table is None else self.table.encoding


def not_a_form(file: str, data: Any) -> PerfscoreError:
    """The error for a source that is a template (or no mapping at all) where a form is due."""
    if isinstance(data, Mapping) and data.get("kind") == "template":
        return LoadError(
            "这是模板，请给出表单",
            file=file,
            expected="kind: form 的表单（或 CSV/XLSX 自评表）",
            hint="用 perfscore check 核对模板的样例，用 perfscore show 查看模板",
        )
    return LoadError("这不是表单文件", file=file, expected="kind: form 的表单")


def _read_json(file: str) -> Document:
    from ..read.normalize import document_from_data
    from ..read.sources import iter_sources, parse_record

    records = list(iter_sources([file], suffixes=(".json", ".jsonl")))
    if len(records) != 1:
        raise LoadError(
            f"文件含 {len(records)} 份表单，这里只能读取一份",
            file=file,
            hint="多份表单请用 perfscore score 或 perfscore review 批量处理",
        )
    record = records[0]
    if record.problem is not None:
        raise record.problem
    # a plain .json file is one record
    text = Path(file).read_text(encoding="utf-8-sig") if record.text is None else record.text
    return document_from_data(parse_record(text, file=file, line=record.line), file=file)


def load_into(
    loaded: Loaded,
    source: Any,
    tmpl: Template | None,
    lib: TemplateLibrary,
    sheet: str | None = None,
    *,
    lenient: bool = True,
) -> None:
    """Fill ``loaded`` (see the module docstring); raises PerfscoreError when it cannot."""
    file = loaded.file
    if isinstance(source, Form):
        loaded.form, loaded.source = source, "form"
        return
    guessed = None
    if isinstance(source, Mapping):
        from ..read.normalize import document_from_data

        loaded.doc, loaded.source = document_from_data(source, file=file), "data"
    elif isinstance(source, str | os.PathLike):
        suffix = Path(file).suffix.lower()
        if suffix in TABULAR_SUFFIXES or suffix == ".txt":
            from ..read.table import read_table
            from ..read.table_layout import fix_layout

            table = read_table(file, template=None if tmpl is None else tmpl.id, sheet=sheet)
            table, notes, parents = fix_layout(table)
            loaded.table, loaded.parents = table, parents
            loaded.notes.extend(notes)
            loaded.source = "csv" if suffix in (".csv", ".tsv", ".txt") else "xlsx"
            doc = table.document
            if not doc.data.get("template"):
                from ..read.template_guess import guess_template

                guessed = guess_template(
                    table.head_text, DEFAULT_TABULAR_TEMPLATE, "部门（单位）整体支出绩效自评表"
                )
                doc = attrs.evolve(doc, data={**doc.data, "template": guessed.template})
            loaded.doc = doc
        elif suffix == ".jsonl":
            loaded.doc = _read_json(file)
        else:
            loaded.doc = load_yaml(Path(file), file=file)
    else:
        raise InputTypeError(
            f"不支持的输入类型 {type(source).__name__}",
            value=repr(source)[:80],
            expected="文件路径、映射（dict）或 Form",
        )
    data = loaded.doc.data
    if not isinstance(data, Mapping) or data.get("kind") == "template":
        raise not_a_form(file, data)
    if tmpl is not None and not data.get("template"):
        loaded.doc = attrs.evolve(loaded.doc, data={**data, "template": tmpl.id})
    if guessed is not None:
        loaded.notes.append(
            Finding(
                code="template_guessed",
                severity=severity_of("template_guessed"),
                message=guessed.reason,
                values=(("模板", guessed.template),),
                file=file,
            )
        )
    template = tmpl if tmpl is not None else _resolve(loaded.doc, lib)
    if template is not None:
        from ..build.rehome import rehome
        from ..build.weights_implied import implied_leaf_weights, printed_weights

        loaded.doc, loaded.table, notes = rehome(template, loaded.doc, loaded.table)
        loaded.notes.extend(notes)
        table = loaded.table
        template, notes = printed_weights(
            template,
            loaded.doc,
            None if table is None else table.label_points,
            () if table is None else table.head_text,
        )
        loaded.notes.extend(notes)
        loaded.doc, notes = implied_leaf_weights(template, loaded.doc)
        loaded.notes.extend(notes)
    loaded.form = build_form(loaded.doc, lib.resolve, template=template, lenient=lenient)


def _resolve(doc: Document, lib: TemplateLibrary) -> Template | None:
    """The form's template, or None to let the builder report what is wrong with the ref."""
    ref = doc.data.get("template") if isinstance(doc.data, Mapping) else None
    if not isinstance(ref, str | Mapping) or not ref:
        return None
    try:
        return lib.resolve(ref, doc, ("template",))
    except PerfscoreError:
        return None


def load_form_any(
    source: str | os.PathLike[str],
    *,
    template: Template | None = None,
    search_path: Any = None,
    sheet: str | None = None,
) -> Form:
    """A form from any source the CLI accepts, bound strictly (raises on every problem).

    A template file is refused with 这是模板，请给出表单 (one error, not one per field).
    """
    from .args import search_library

    file = os.fspath(source)
    loaded = Loaded(file=file if isinstance(file, str) else os.fsdecode(file))
    load_into(loaded, source, template, search_library(search_path), sheet, lenient=False)
    assert loaded.form is not None
    return loaded.form


def problems_of(source: str, *, search_path: Any = None) -> list[PerfscoreError]:
    """Every problem of a form read through the one loader (empty when clean); never raises
    for bad input."""
    from ..engine.evaluate import evaluate
    from ..text.numbers import local_context

    if Path(source).suffix.lower() == ".jsonl":
        return _jsonl_problems(source, search_path)
    try:
        form = load_form_any(source, search_path=search_path)
        with local_context():
            evaluate(form)
    except PerfscoreError as err:
        return list(getattr(err, "errors", None) or (err,))
    return []


def _jsonl_problems(source: str, search_path: Any) -> list[PerfscoreError]:
    """Every problem of every record of a JSON Lines file, each located at its line."""
    from ..engine.evaluate import evaluate
    from ..read.normalize import document_from_data
    from ..read.sources import iter_sources, parse_record
    from ..text.numbers import local_context
    from .args import search_library

    lib = search_library(search_path)
    out: list[PerfscoreError] = []
    for record in iter_sources([source], suffixes=(".jsonl",)):
        try:
            if record.problem is not None:
                raise record.problem
            text = record.text if record.text is not None else ""
            data = parse_record(text, file=source, line=record.line)
            loaded = Loaded(file=source)
            doc = document_from_data(data, file=source)
            if data.get("kind") == "template":
                raise not_a_form(source, data)
            loaded.form = build_form(doc, lib.resolve, lenient=False)
            with local_context():
                evaluate(loaded.form)
        except PerfscoreError as err:
            for each in getattr(err, "errors", None) or (err,):
                if each.line is None:
                    each.line = record.line
                out.append(each)
    return out
