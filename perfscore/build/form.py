"""Reading a form document: build_form, sanitising leaf entries, budget and inputs."""

from __future__ import annotations

import copy
import re
import weakref
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from ..core.findings import finding_from_error
from ..core.result import Finding
from ..errors import PerfscoreError, SchemaError, UnitError, ValidationErrors
from ..read import schema as _schema
from ..read.reader import Reader, suggest
from ..read.yaml_document import Document, JsonPath
from ..text.numbers import parse_decimal
from ..text.quantity import Quantity
from ..text.units import lookup_unit
from .model import Template, TemplateNode
from .template import _CACHE_SIZE, _raise

__all__ = []

# A problem in one of the _BREAKING fields of a leaf entry makes the leaf unscorable.
_LEAF_FIELDS = frozenset(_schema.LEAF_FIELDS)
_BREAKING = frozenset({"name", "target", "actual", "weight", "rule", "*"})
_FIELD_CODES = {
    "target": "target_unreadable",
    "actual": "actual_unreadable",
    "weight": "weight_missing",
    "rule": "rule_unknown",
}
_SANITIZE_ROUNDS = 20


def _sanitize(doc: Document) -> tuple[Document, list[Finding], dict[JsonPath, str]]:
    """Drop every value the form schema refuses; one finding each (lenient reading).

    Returns the cleaned document (positions unchanged: values are removed or replaced, list
    items never shift), the findings, and the leaf entries made unscorable (path → reason).
    Raises ValidationErrors when the form cannot be read at all (wrong kind, no template, no
    indicators).
    """
    data = copy.deepcopy(doc.data)
    if not isinstance(data, dict):
        _raise(_schema.validate(doc, "form"), doc.file)
        raise ValidationErrors([SchemaError("文档应为映射", file=doc.file)], file=doc.file)
    findings: list[Finding] = []
    broken: dict[JsonPath, str] = {}
    current = doc
    for _ in range(_SANITIZE_ROUNDS):
        found = _schema.culprits(current, "form")
        if not found:
            break
        fatal = [
            e for p, e in found if not p or p[0] in ("kind", "template") or p == ("indicators",)
        ]
        if fatal:
            raise ValidationErrors(fatal, file=doc.file)
        changed = False
        for path, err in found:
            entry, field = _leaf_entry(path)
            code = (
                _FIELD_CODES.get(field, "value_unreadable")
                if entry is not None
                else "value_unreadable"
            )
            if _remove(data, path, entry, field):
                changed = True
                findings.append(finding_from_error(code, err))
                if entry is not None and field in _BREAKING:
                    broken.setdefault(entry, err.message)
        if not changed:
            raise ValidationErrors([e for _p, e in found], file=doc.file)
        current = Document(
            data=data,
            file=doc.file,
            positions=doc.positions,
            key_positions=doc.key_positions,
            text=doc.text,
        )
    else:
        _raise(_schema.validate(current, "form"), doc.file)
    return current, findings, broken


def _leaf_entry(path: JsonPath) -> tuple[JsonPath | None, str]:
    """(path of the leaf entry, field) for a problem inside ``indicators``; (None, "")."""
    if len(path) < 2 or path[0] != "indicators":
        return None, ""
    for k in range(2, len(path)):
        if isinstance(path[k], str) and path[k] in _LEAF_FIELDS:
            return path[:k], str(path[k])
    if isinstance(path[-1], int):
        return path, "*"
    return None, ""


def _remove(data: Any, path: JsonPath, entry: JsonPath | None, field: str) -> bool:
    """Remove the offending value; False when it is already gone (or cannot be removed)."""
    if entry is not None and field != "*":
        path = (*entry, field)
    parent: Any = data
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    if isinstance(parent, dict) and isinstance(last, str) and last in parent:
        del parent[last]
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        item = parent[last]
        name = item.get("name") if isinstance(item, dict) else None
        replacement = {
            "name": name if isinstance(name, str) and name.strip() else f"第{last + 1}项"
        }
        if item == replacement:
            return False
        # Keep the item (positions of later items must not shift), as a bare name.
        parent[last] = replacement
        return True
    return False


def _sub_document(doc: Document, prefix: JsonPath) -> Document:
    n = len(prefix)
    data: Any = doc.data
    for key in prefix:
        data = data[key]
    return Document(
        data=data,
        file=doc.file,
        positions={p[n:]: v for p, v in doc.positions.items() if p[:n] == prefix},
        key_positions={p[n:]: v for p, v in doc.key_positions.items() if p[:n] == prefix},
        text=doc.text,
    )


# An amount in ASCII digits with an optional fraction: the grammar reads it as Decimal(text).
_PLAIN_AMOUNT: Final = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?").fullmatch


def _budget(raw: Mapping[str, Any], r: Reader) -> tuple[dict[str, Quantity], Any]:
    unit = lookup_unit(str(raw["unit"])) if raw.get("unit") is not None else None
    if raw.get("unit") is not None and unit is None:
        r.fail(
            f"无法识别的金额单位“{raw['unit']}”",
            ("budget", "unit"),
            value=raw["unit"],
            expected="元、万元或亿元",
        )
    figures: dict[str, Quantity] = {}
    _budget_figures(raw, ("budget",), "", r, unit, figures)
    return figures, unit


def _budget_figures(
    mapping: Mapping[str, Any],
    at: JsonPath,
    prefix: str,
    r: Reader,
    unit: Any,
    figures: dict[str, Quantity],
) -> None:
    # A module function, not a nested one: a nested recursive function is a reference cycle
    # that keeps each form's document alive until the garbage collector runs.
    for key, value in mapping.items():
        if at == ("budget",) and key == "unit":
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _budget_figures(value, (*at, key), f"{name}.", r, unit, figures)
            continue
        if type(value) is str and _PLAIN_AMOUNT(value) is not None:
            # 32221.81 as most forms write it: what r.quantity reads, without the grammar
            bare = unit is None or key.endswith("率")
            figures[name] = Quantity(Decimal(value), None if bare else unit)
            continue
        if value is None or str(value).strip() in ("", "/", "-", "—"):
            continue
        q = r.quantity(value, (*at, key), (), what=name)
        if q is None:
            continue
        if q.unit is None and unit is not None and not key.endswith("率"):
            q = Quantity(q.value, unit)
        figures[name] = q


def _inputs(raw: Mapping[str, Any], template: Template, r: Reader) -> dict[str, Quantity]:
    values: dict[str, Quantity] = {}
    for name, value in raw.items():
        spec = template.inputs.get(name)
        if spec is None:
            r.fail(
                f"模板未声明输入项“{name}”",
                ("inputs", name),
                key=True,
                expected="、".join(template.inputs) or "（模板没有输入项）",
                hint=suggest(name, template.inputs),
            )
            continue
        if value is None or str(value).strip() == "":
            continue
        q = r.quantity(value, ("inputs", name), (name,), what=name)
        if q is None:
            continue
        if q.unit is None:
            q = Quantity(q.value, spec.unit)
        elif spec.unit is not None and q.unit.family != spec.unit.family:
            r.fail(
                f"输入项“{name}”的单位“{q.unit.symbol}”与模板规定的“{spec.unit.symbol}”不一致",
                ("inputs", name),
                (name,),
                cls=UnitError,
                value=value,
            )
            continue
        values[name] = q
    return values


# The names (and aliases) of each level of a template, made once per template, not per form.
_NAMES: weakref.WeakKeyDictionary[Template, dict[int, dict[str, TemplateNode]]] = (
    weakref.WeakKeyDictionary()
)


def _names(template: Template, tnodes: Sequence[TemplateNode]) -> dict[str, TemplateNode]:
    levels = _NAMES.get(template)
    if levels is None:
        levels = _NAMES[template] = {}
    names = levels.get(id(tnodes))  # the level's tuple lives as long as the template
    if names is None:
        names = levels[id(tnodes)] = {alias: t for t in tnodes for alias in (t.name, *t.aliases)}
    return names


# Fields :meth:`_Binder.plain_leaf` reads itself; an entry with any other goes the general way.
_PLAIN_FIELDS: Final = frozenset({"name", "target", "actual", "weight", "reported", "note"})
_NUMBERS: dict[str, Decimal] = {}


def _plain_number(raw: Any) -> Decimal | None:
    """A nonnegative number written as text (cached, as for targets); None if it does not read."""
    if type(raw) is not str:
        return None
    found = _NUMBERS.get(raw)
    if found is None:
        try:
            found = parse_decimal(raw)
        except PerfscoreError:
            return None
        if found < 0:
            return None
        if len(_NUMBERS) < _CACHE_SIZE:
            _NUMBERS[raw] = found
    return found
