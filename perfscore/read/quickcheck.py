"""A fast, conservative check that a form is valid, to skip jsonschema on clean forms.

Running the JSON Schema validator costs several times more than binding and scoring a form.
Most forms are plain: strings, ``null`` and nested mappings in the shape of
``form.schema.json``. :func:`plainly_valid_form` answers ``True`` only when every value is of
a shape it can decide exactly as the schema does (same patterns, read from the schema
itself); anything else (an inline template, a structured target or rule, an unexpected type)
answers ``False`` and the caller runs the full validator, which then reports every problem
with its location. A ``True`` is therefore never wrong; a ``False`` only costs time.
``tests/property/test_fast_paths.py`` checks the implication against the validator on
generated and mutated forms.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, Final

from .resources import _shared_schema
from .schema import LEAF_FIELDS

__all__ = ["plain_pattern", "plainly_valid_form", "plainly_valid_indicators"]

_MARKERS: Final = frozenset(LEAF_FIELDS) - {"name"}


@functools.cache
def _patterns() -> dict[str, Callable[[str], Any]]:
    schema = _shared_schema("form")
    defs = schema["$defs"]
    leaf = defs["leaf"]["properties"]

    def search(pattern: str) -> Callable[[str], Any]:
        return re.compile(pattern).search  # jsonschema's `pattern` is re.search

    return {
        "year": search(schema["properties"]["year"]["pattern"]),
        "number": search(defs["number"]["pattern"]),
        "quantity": search(defs["quantity"]["pattern"]),
        "budget_entry": search(defs["budget_entry"]["pattern"]),
        "reported": search(leaf["reported"]["pattern"]),
    }


def plain_pattern(name: str) -> Callable[[str], Any]:
    """The schema's pattern ``name`` (``number``, ``reported`` …) as this check applies it."""
    return _patterns()[name]


@functools.cache
def _money_units() -> frozenset[str]:
    return frozenset(_shared_schema("form")["$defs"]["budget_group"]["properties"]["unit"]["enum"])


def plainly_valid_form(data: Any, *, indicators: bool = True) -> bool:
    """``True`` only if ``data`` (normalized: str/bool/None/dict/list) is a valid form.

    ``indicators=False`` leaves the ``indicators`` value out (the plain binder, which checks
    it as it reads it, then says whether :func:`plainly_valid_indicators` holds); the answer
    with it is this answer and :func:`plainly_valid_indicators`'s."""
    if type(data) is not dict or not {"kind", "template", "indicators"} <= data.keys():
        return False
    p = _patterns()
    for key, value in data.items():
        if key == "kind":
            ok = value == "form"
        elif key in {"template", "unit"}:
            ok = type(value) is str and len(value) >= 1
        elif key == "indicators":
            ok = not indicators or plainly_valid_indicators(value)
        elif key == "budget":
            ok = _budget(value, p, top=True)
        elif key == "year":
            ok = type(value) is str and p["year"](value) is not None
        elif key == "reported_total":
            ok = type(value) is str and p["number"](value) is not None
        elif key == "inputs":
            ok = type(value) is dict and all(
                v is None or (type(v) is str and p["quantity"](v) is not None)
                for v in value.values()
            )
        elif key == "goals":
            ok = type(value) is list and all(
                type(g) is dict
                and g.keys() <= {"target", "result"}
                and all(type(x) is str for x in g.values())
                for g in value
            )
        elif key == "$schema":
            ok = type(value) is str
        else:
            return False
        if not ok:
            return False
    return True


def plainly_valid_indicators(value: Any) -> bool:
    """The ``indicators`` part of :func:`plainly_valid_form`."""
    p = _patterns()
    return type(value) is dict and all(_node(v, p) for v in value.values())


def _budget(value: Any, p: dict[str, Callable[[str], Any]], *, top: bool = False) -> bool:
    if type(value) is not dict:
        # a budget entry may be a string, null or a nested group; the top must be a mapping
        return not top and (
            value is None or (type(value) is str and p["budget_entry"](value) is not None)
        )
    for key, item in value.items():
        if key == "unit":
            if type(item) is not str or item not in _money_units():
                return False
        elif not _budget(item, p):
            return False
    return True


def _node(value: Any, p: dict[str, Callable[[str], Any]]) -> bool:
    if type(value) is list:
        return all(type(item) is dict and "name" in item and _leaf(item, p) for item in value)
    if type(value) is not dict:
        return False
    if _MARKERS.isdisjoint(value.keys()):
        return all(_node(v, p) for v in value.values())
    return _leaf(value, p)


def _leaf(entry: dict[str, Any], p: dict[str, Callable[[str], Any]]) -> bool:
    for key, value in entry.items():
        if key in ("name", "tier", "rule"):
            ok = type(value) is str and len(value) >= 1  # a rule given as a mapping: full check
        elif key == "target":
            ok = type(value) is str  # a structured target: full check
        elif key == "actual":
            ok = (
                value is None
                or type(value) is str
                or (type(value) is list and all(type(x) is str for x in value))
            )
        elif key in ("weight", "score"):
            ok = type(value) is str and p["number"](value) is not None
        elif key == "reported":
            ok = value is None or (type(value) is str and p["reported"](value) is not None)
        elif key == "note":
            ok = value is None or type(value) is str
        elif key == "applicable":
            ok = type(value) is bool
        else:
            return False
        if not ok:
            return False
    return True
