"""JSON Schema validation of loaded documents, with every error located and in Chinese.

One :class:`jsonschema.Draft202012Validator` per schema, built once. The three schemas sit
in one :class:`referencing.Registry`, so a form's inline template (``$ref:
template.schema.json``) resolves offline. Every jsonschema error becomes a
:class:`~perfscore.errors.SchemaError` carrying the file, the 1-based line and column (of
the offending key for unknown keys, of the value otherwise, of the nearest ancestor for a
missing key), the indicator path and a message a finance-bureau reader can act on.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

# jsonschema ships no type information; types-jsonschema may or may not be installed.
import jsonschema  # type: ignore[import-untyped, unused-ignore]
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped, unused-ignore]
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from ..errors import SchemaError
from .resources import SCHEMA_NAMES, _shared_schema, schema_path
from .yaml_document import Document, JsonPath

__all__ = ["LEAF_FIELDS", "SCORING_FIELDS", "check_schemas", "culprits", "schema_ids", "validate"]

# Fields of a form's leaf entry (SCORING_FIELDS: those scoring reads). A form mapping holding any of them (other than "name") is a
# fixed leaf's entry, not a level of the tree; this mirrors `form_node` in form.schema.json.
SCORING_FIELDS: Final = (
    "name",
    "target",
    "actual",
    "weight",
    "reported",
    "note",
    "rule",
    "tier",
    "score",
    "applicable",
)
LEAF_FIELDS: Final = (
    *SCORING_FIELDS,
    # mid-year monitoring (perfscore monitor, 财预〔2019〕136号 监控表); ignored by scoring
    "progress",
    "expected",
    "causes",
    "likelihood",
    "measures",
    "schedule",
)
_LEAF_MARKERS: Final = frozenset(LEAF_FIELDS) - {"name"}

_TYPE_NOUNS: Final = {
    "string": "文字",
    "number": "数值",
    "integer": "整数",
    "object": "映射（键: 值）",
    "array": "列表",
    "boolean": "true 或 false",
    "null": "空值",
}
# The schemas phrase their own pattern messages as "应为<noun>，<examples>".
_PATTERN_MESSAGE: Final = re.compile(r"^应为(?P<noun>[^，,]+)")
_CUTOFF: Final = 0.6


def schema_ids() -> dict[str, str]:
    """``{"template": "<$id>", "form": ..., "result": ...}``."""
    return {name: str(_shared_schema(name)["$id"]) for name in SCHEMA_NAMES}


@functools.cache
def _registry() -> Registry[Any]:
    resources = [
        (str(schema["$id"]), DRAFT202012.create_resource(schema))
        for schema in (_shared_schema(name) for name in SCHEMA_NAMES)
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    return registry.crawl()


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    schema_path(name)  # refuses unknown names with a perfscore error
    return Draft202012Validator(_shared_schema(name), registry=_registry())


def check_schemas() -> None:
    """Check each shipped schema against the Draft 2020-12 meta-schema and its refs.

    Raises :class:`~perfscore.errors.SchemaError` naming the schema file if one is broken.
    """
    for name in SCHEMA_NAMES:
        schema = _shared_schema(name)
        try:
            Draft202012Validator.check_schema(schema)
            # Resolve every $ref once, so a dangling reference fails here, not mid-validation.
            resolver = _registry().resolver(base_uri=str(schema["$id"]))
            for ref in _refs(schema):
                resolver.lookup(ref)
        except (jsonschema.SchemaError, Unresolvable) as exc:
            raise SchemaError(
                f"模式文件“{name}.schema.json”本身有误：{exc}", file=str(schema_path(name))
            ) from exc


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def validate(doc: Document, schema: str) -> list[SchemaError]:
    """Every way ``doc`` departs from ``schema`` ("template", "form" or "result").

    Returns the errors sorted by line and column, without duplicates; an empty list means
    the document is valid.
    """
    validator = _validator(schema)
    errors: list[SchemaError] = list(_non_finite(doc, doc.data, ()))
    for error in validator.iter_errors(doc.data):
        errors.extend(_convert(doc, schema, error))
    return _sorted_unique(errors)


def culprits(doc: Document, schema: str) -> list[tuple[JsonPath, SchemaError]]:
    """Each schema problem paired with the JSON path of the value that causes it.

    Used by lenient reading (review), which drops that value, reports the problem as a
    finding and reads the rest. For an unknown key the path is the key's own path.
    """
    validator = _validator(schema)
    found: list[tuple[JsonPath, SchemaError]] = []
    for error in validator.iter_errors(doc.data):
        path: JsonPath = tuple(error.absolute_path)
        for converted in _convert(doc, schema, error):
            at = path
            if error.validator == "additionalProperties" and isinstance(converted.value, str):
                at = (*path, converted.value)
            found.append((at, converted))
    return found


# --------------------------------------------------------------------------- conversion


def _convert(doc: Document, schema_name: str, error: ValidationError) -> Iterator[SchemaError]:
    path: JsonPath = tuple(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance

    def make(
        message: str,
        at: JsonPath,
        *,
        key: bool = False,
        owner: JsonPath | None = None,
        **kwargs: Any,
    ) -> SchemaError:
        line, column = doc.key_locate(at) if key else doc.locate(at)
        return SchemaError(
            message,
            file=doc.file,
            line=line,
            column=column,
            indicator_path=_indicator_path(doc.data, schema_name, at if owner is None else owner),
            **kwargs,
        )

    label = _label(path)
    if keyword == "additionalProperties" and isinstance(instance, Mapping):
        allowed = list(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        for key in instance:
            if key in allowed or any(re.search(p, key) for p in patterns):
                continue
            yield make(
                f"未知的键“{key}”",
                (*path, key),
                key=True,
                value=key,
                expected=_one_of(allowed) if allowed else "不允许有其他键",
                hint=_suggest(key, allowed),
            )
    elif keyword == "required" and isinstance(instance, Mapping):
        for name in error.validator_value:
            if name not in instance:
                message = f"{label}缺少必填项“{name}”" if path else f"缺少必填项“{name}”"
                yield make(message, path, key=True)
    elif keyword == "type":
        unknown = _misspelt_leaf_field(schema_name, schema, path, instance)
        if unknown is not None:
            yield make(
                f"未知的键“{path[-1]}”",
                path,
                key=True,
                owner=path[:-1],
                value=path[-1],
                expected=_one_of(LEAF_FIELDS),
                hint=unknown,
            )
            return
        noun, expected = _expected(schema)
        hint = None
        if schema_name == "form" and _is_form_node(schema):
            hint = "固定指标写成映射，如 预算执行率: {reported: 10}；开放指标下写三级指标列表"
        yield make(
            f"{label}应为{noun}",
            path,
            value=_found(instance),
            expected=expected,
            hint=hint,
        )
    elif keyword == "pattern":
        noun, expected = _expected(schema)
        yield make(f"{label}不是有效的{noun}", path, value=instance, expected=expected)
    elif keyword == "enum":
        choices = [str(c) for c in error.validator_value]
        yield make(
            f"{label}取值无效",
            path,
            value=_found(instance),
            expected=_one_of(choices),
            hint=_suggest(str(instance), choices) if isinstance(instance, str) else None,
        )
    elif keyword == "const":
        yield make(
            f"{label}取值无效",
            path,
            value=_found(instance),
            expected=f"“{error.validator_value}”",
        )
    elif keyword == "minLength":
        yield make(f"{label}不能为空", path, value=instance, expected="非空的文字")
    elif keyword == "minItems":
        count = error.validator_value
        yield make(f"{label}至少要有 {count} 项", path, expected=f"至少 {count} 项的列表")
    else:  # keywords the shipped schemas do not use; keep jsonschema's own words
        yield make(f"{label}不符合要求：{error.message}", path, value=_found(instance))


def _label(path: JsonPath) -> str:
    """How a message names the value at ``path``: “weight”, “grades”的第 3 项, 文档."""
    if not path:
        return "文档"
    last = path[-1]
    if isinstance(last, int):
        parent = next((p for p in reversed(path) if isinstance(p, str)), None)
        return f"“{parent}”的第 {last + 1} 项" if parent else f"第 {last + 1} 项"
    return f"“{last}”"


def _expected(schema: Mapping[str, Any]) -> tuple[str, str]:
    """(short noun, full expectation) of a value schema, e.g. ("数值", "数值，如 10")."""
    message = schema.get("patternErrorMessage")
    if isinstance(message, str):
        match = _PATTERN_MESSAGE.match(message)
        if match:
            return match["noun"], message.removeprefix("应为")
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    if "pattern" in schema and "string" in types:
        types.remove("string")  # the string form is the pattern's; the noun says what it means
    noun = "或".join(_TYPE_NOUNS.get(t, t) for t in types) or "其他值"
    return noun, noun


def _found(value: Any) -> Any:
    """The offending value as an error shows it: scalars as written, containers by kind."""
    if isinstance(value, Mapping):
        return "映射"
    if isinstance(value, list):
        return "列表"
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _one_of(choices: Sequence[str]) -> str:
    return "、".join(choices) + " 之一"


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    # Swapped characters ("=>" for ">=") first: difflib rates those poorly on short words.
    close = [c for c in choices if sorted(c) == sorted(word)]
    close = close or difflib.get_close_matches(word, list(choices), n=1, cutoff=_CUTOFF)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f"您是不是要写“{close[0]}”？" if close else None


def _misspelt_leaf_field(
    schema_name: str, schema: Mapping[str, Any], path: JsonPath, instance: Any
) -> str | None:
    """Hint for ``预算执行率: {reportd: 10}`` in a form.

    Such a mapping holds no leaf field, so the schema takes it for a level of the tree and
    complains that ``10`` is not an indicator; the real mistake is the misspelt key.
    """
    if schema_name != "form" or not _is_form_node(schema) or path[:1] != ("indicators",):
        return None
    key = path[-1]
    if not isinstance(key, str) or key in LEAF_FIELDS or isinstance(instance, Mapping | list):
        return None
    return _suggest(key, LEAF_FIELDS)


def _is_form_node(schema: Mapping[str, Any]) -> bool:
    """Whether ``schema`` is the form's ``form_node`` (a tree level or a leaf list)."""
    return schema.get("type") == ["object", "array"]


# --------------------------------------------------------------------------- indicator paths


def _indicator_path(data: Any, schema_name: str, path: JsonPath) -> tuple[str, ...]:
    """The indicator names along ``path``, e.g. ("产出指标", "数量指标", "法制宣传活动场次")."""
    if not isinstance(data, Mapping) or not path:
        return ()
    if schema_name == "template":
        return _tree_path(data, path, "indicators")
    if schema_name == "result":
        return _tree_path(data, path, "items")
    if path[0] == "template" and isinstance(data.get("template"), Mapping):
        return _tree_path(data["template"], path[1:], "indicators")
    if path[0] == "indicators":
        return _form_path(data.get("indicators"), path[1:])
    return ()


def _tree_path(data: Mapping[str, Any], path: JsonPath, top: str) -> tuple[str, ...]:
    """Names along ``top[i].children[j]...`` (template tree, result items)."""
    names: list[str] = []
    node: Any = data
    key = top
    for step, index in zip(path[::2], path[1::2], strict=False):
        children = node.get(key) if isinstance(node, Mapping) else None
        if step != key or not isinstance(index, int) or not isinstance(children, list):
            break
        if index >= len(children):
            break
        node = children[index]
        names.append(_entry_name(node, index))
        key = "children"
    return tuple(names)


def _form_path(node: Any, path: JsonPath) -> tuple[str, ...]:
    """Names along a form's ``indicators`` mapping: keys, then a listed leaf's ``name``."""
    names: list[str] = []
    for step in path:
        if isinstance(node, Mapping):
            if not isinstance(step, str) or step not in node or _is_leaf_entry(node):
                break
            names.append(step)
            node = node[step]
        elif isinstance(node, list):
            if isinstance(step, int) and step < len(node):
                names.append(_entry_name(node[step], step))
            break
        else:
            break
    return tuple(names)


def _is_leaf_entry(node: Mapping[str, Any]) -> bool:
    return any(key in node for key in _LEAF_MARKERS)


def _entry_name(entry: Any, index: int) -> str:
    name = entry.get("name") if isinstance(entry, Mapping) else None
    return name if isinstance(name, str) and name else f"第 {index + 1} 项"


# --------------------------------------------------------------------------- helpers


def _non_finite(doc: Document, value: Any, path: JsonPath) -> Iterator[SchemaError]:
    # Loaded YAML holds no floats; Python API data is normalised first. Still, NaN passes
    # `maximum` and friends, so a non-finite number must never reach the validator unseen.
    if isinstance(value, float) and not math.isfinite(value):
        line, column = doc.locate(path)
        yield SchemaError(
            f"{_label(path)}不是有限的数值",
            file=doc.file,
            line=line,
            column=column,
            value=str(value),
            expected="有限的数值",
        )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _non_finite(doc, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(doc, item, (*path, index))


def _sorted_unique(errors: list[SchemaError]) -> list[SchemaError]:
    seen: set[tuple[Any, ...]] = set()
    unique: list[SchemaError] = []
    for err in errors:
        key = (err.line, err.column, err.message, err.indicator_path, str(err.value))
        if key not in seen:
            seen.add(key)
            unique.append(err)
    unique.sort(key=lambda e: (e.line is None, e.line or 0, e.column or 0, e.message))
    return unique
