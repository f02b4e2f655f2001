"""perfscore: budget performance evaluation (预算绩效评价) as declarative YAML, scored and explained.

The public API::

    import perfscore

    form = perfscore.load_form("examples/yueyanglou-2023/unit-self-evaluation.yaml")
    result = perfscore.evaluate(form)
    print(result.total, result.grade)
    for item in result.leaves():
        print(item.name, item.score, item.explanation)
    text = result.to_json()

``load_*`` take a path (``str`` or ``os.PathLike``) or a plain mapping; ``loads_*`` take YAML
text. Every problem is raised as a :class:`perfscore.errors.PerfscoreError` (usually
:class:`~perfscore.errors.ValidationErrors` holding all of them, each with its location).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any

from . import errors
from .build.args import module as _module
from .errors import PerfscoreError, ValidationErrors

if TYPE_CHECKING:
    from .build.library import TemplateLibrary
    from .build.model import Form, Template
    from .core.result import Evaluation, Finding, GroupResult, LeafResult
    from .engine.evaluate import evaluate
    from .read.yaml_document import Document, Limits
    from .rules.formula import FormulaLimits, formula_limits
    from .testing.examples import ExampleOutcome, check_template
    from .text.actual import parse_actual
    from .text.quantity import Actual, Quantity
    from .text.quantity_grammar import parse_quantity
    from .text.target import Target, parse_target

__version__ = "0.1.0"

#: Public names imported on first use (PEP 562), so ``import perfscore`` (and the CLI, which
#: imports it for ``__version__``) loads only what a command needs: name -> defining module.
_LAZY: dict[str, str] = {
    "Actual": ".text.quantity",
    "Document": ".read.yaml_document",
    "Evaluation": ".core.result",
    "ExampleOutcome": ".testing.examples",
    "Finding": ".core.result",
    "Form": ".build.model",
    "FormulaLimits": ".rules.formula",
    "GroupResult": ".core.result",
    "LeafResult": ".core.result",
    "Limits": ".read.yaml_document",
    "Quantity": ".text.quantity",
    "Target": ".text.target",
    "Template": ".build.model",
    "TemplateLibrary": ".build.library",
    "check_template": ".testing.examples",
    "evaluate": ".engine.evaluate",
    "formula_limits": ".rules.formula",
    "parse_actual": ".text.actual",
    "parse_quantity": ".text.quantity_grammar",
    "parse_target": ".text.target",
    # Not public (not in __all__), but importable from here before the imports became lazy.
    "build_form": ".build.bind",
    "default_library": ".build.library",
    "document_from_data": ".read.normalize",
    "load_yaml": ".read.yaml",
}

__all__ = [
    "Actual",
    "Document",
    "Evaluation",
    "ExampleOutcome",
    "Finding",
    "Form",
    "FormulaLimits",
    "GroupResult",
    "LeafResult",
    "Limits",
    "PerfscoreError",
    "Quantity",
    "Target",
    "Template",
    "TemplateLibrary",
    "ValidationErrors",
    "__version__",
    "check_template",
    "errors",
    "evaluate",
    "formula_limits",
    "load_form",
    "load_template",
    "loads_form",
    "loads_template",
    "parse_actual",
    "parse_quantity",
    "parse_target",
    "score",
    "validate",
]

Source = str | os.PathLike[str] | Mapping[str, Any]


def _document(source: Source | Document, *, file: str | None, limits: Limits | None) -> Document:
    yaml = _module(".read.yaml")
    if isinstance(source, yaml.Document):
        given: Document = source
        return given
    if isinstance(source, Mapping):
        document: Document = _module(".read.normalize").document_from_data(
            source, file=file or "<data>", limits=limits
        )
        return document
    if isinstance(source, str | os.PathLike):
        from pathlib import Path

        path = os.fspath(source)
        loaded: Document = yaml.load_yaml(
            Path(path), file=file or path, limits=limits or yaml.Limits()
        )
        return loaded
    from .errors import InputTypeError

    raise InputTypeError(
        f"不支持的输入类型 {type(source).__name__}",
        value=repr(source)[:80],
        expected="文件路径（str 或 Path）或映射（dict）",
    )


# Not called ``_library``: importing the submodule perfscore.build.library sets that attribute.
def _search_library(search_path: Iterable[str | os.PathLike[str]] | None) -> TemplateLibrary:
    library: TemplateLibrary = _module(".build.args").search_library(search_path)
    return library


def _template_arg(template: Template | None) -> Template | None:
    checked: Template | None = _module(".build.args").template_arg(template)
    return checked


def load_template(
    source: Source,
    *,
    file: str | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    limits: Limits | None = None,
) -> Template:
    """Build a template from a YAML file path or a plain mapping."""
    return _search_library(search_path).build(_document(source, file=file, limits=limits))


def loads_template(
    text: str,
    *,
    file: str = "<string>",
    search_path: Iterable[str | os.PathLike[str]] | None = None,
) -> Template:
    """Build a template from YAML text."""
    from .read.yaml import load_yaml

    return _search_library(search_path).build(load_yaml(text, file=file))


def load_form(
    source: Source | Document,
    *,
    template: Template | None = None,
    file: str | None = None,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
    limits: Limits | None = None,
) -> Form:
    """Load a form (YAML path or mapping) and bind it to its template.

    The template is ``template`` when given, else what the form's ``template:`` names: a shipped
    id, an id in ``search_path``, a path relative to the form, or an inline template.
    """
    lib = _search_library(search_path)
    template = _template_arg(template)
    document = _document(source, file=file, limits=limits)
    form: Form = _module(".build.bind").build_form(document, lib.resolve, template=template)
    return form


def loads_form(
    text: str,
    *,
    template: Template | None = None,
    file: str = "<string>",
    search_path: Iterable[str | os.PathLike[str]] | None = None,
) -> Form:
    """Load a form from YAML text."""
    from .build.bind import build_form
    from .read.yaml import load_yaml

    lib = _search_library(search_path)
    template = _template_arg(template)
    return build_form(load_yaml(text, file=file), lib.resolve, template=template)


def score(source: Source, **kwargs: Any) -> Evaluation:
    """``evaluate(load_form(source, **kwargs))``."""
    from .engine.evaluate import evaluate

    return evaluate(load_form(source, **kwargs))


def validate(
    source: Source,
    *,
    search_path: Iterable[str | os.PathLike[str]] | None = None,
) -> list[PerfscoreError]:
    """Every problem in a template or form file (empty when clean); never raises for bad input.

    A form is also evaluated, so values that cannot be scored are reported too.
    """
    from .build.bind import build_form
    from .engine.evaluate import evaluate

    try:
        doc = _document(source, file=None, limits=None)
        kind = doc.data.get("kind") if isinstance(doc.data, Mapping) else None
        if kind == "template":
            _search_library(search_path).build(doc)
        else:
            form = build_form(doc, _search_library(search_path).resolve)
            evaluate(form)
    except ValidationErrors as many:
        return list(many.errors)
    except PerfscoreError as one:
        return [one]
    return []


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562) and keep it, so later lookups are plain."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
