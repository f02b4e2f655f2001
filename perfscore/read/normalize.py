"""Turn Python data from API callers into the same plain shape :func:`load_yaml` produces.

Callers of the Python API may pass mappings instead of YAML text. Downstream code expects
exactly what the strict YAML loader yields (dict with str keys, list, str, bool, None), so:

* ``int`` and finite ``Decimal`` become strings (``5`` → ``"5"``, ``Decimal("4073.53")`` →
  ``"4073.53"``; Decimals are written without an exponent, ``Decimal("1E+2")`` → ``"100"``);
* ``float`` is refused: a float cannot hold ``0.1`` or most amounts exactly, and silently
  turning ``0.1 + 0.2`` into ``"0.30000000000000004"`` would change scores. The message
  suggests the string or ``Decimal`` spelling;
* ``str``, ``bool`` and ``None`` are kept, tuples become lists, mappings become dicts whose
  keys are ``str`` (``int`` keys are turned into strings);
* anything else, nesting deeper than 50 levels and cycles are refused.

Every refusal is an :class:`~perfscore.errors.InputTypeError` whose hint names the JSON-style
path of the offending value, e.g. ``$.indicators.产出指标[0].weight``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from ..errors import InputTypeError, LoadError
from .yaml_document import DEFAULT_LIMITS, Document, Limits

__all__ = ["MAX_DEPTH", "document_from_data", "document_from_json", "normalize"]

#: Deepest nesting of mappings and lists accepted: the YAML loader's default.
MAX_DEPTH: Final = DEFAULT_LIMITS.max_depth
# Decimals whose plain notation would be longer than this keep str()'s exponent form.
_MAX_PLAIN_DIGITS: Final = 1000


def normalize(
    obj: Any, *, where: str = "", max_nodes: int | None = None, max_depth: int = MAX_DEPTH
) -> Any:
    """Return ``obj`` as plain YAML-shaped data (see the module docstring).

    ``where`` names the root in error messages (default ``$``), e.g. ``"actuals"`` gives
    paths like ``actuals.产出指标[0]``. ``max_nodes`` caps the number of values (keys
    included) and ``max_depth`` the nesting, as :class:`~perfscore.read.yaml_document.Limits` does for YAML;
    ``max_nodes=None`` for no cap.
    """
    return _Normalizer(max_nodes, max_depth).convert(obj, where or "$", 0)


def document_from_data(
    data: Any, file: str = "<data>", *, limits: Limits | None = None
) -> Document:
    """A :class:`Document` for Python data: normalized, with no source positions.

    The node and depth caps of ``limits`` (default :data:`~perfscore.read.yaml_document.DEFAULT_LIMITS`)
    apply, as for a YAML file; errors name ``file`` and, in their hint, the path of the value.
    """
    caps = limits or DEFAULT_LIMITS
    try:
        plain = _quick_copy(data, caps.max_nodes, caps.max_depth)
    except _Unusual:
        plain = None
    if plain is not None:
        return Document(data=plain, file=file, positions={}, key_positions={}, text="")
    try:
        plain = normalize(data, max_nodes=caps.max_nodes, max_depth=caps.max_depth)
    except InputTypeError as err:
        raise err.located(file=file) from None
    return Document(data=plain, file=file, positions={}, key_positions={}, text="")


class _Unusual(Exception):
    """Something :func:`_quick_copy` leaves to the full normalizer (which then says what)."""


def _quick_copy(data: Any, max_nodes: int, max_depth: int) -> Any:
    """``normalize(data)`` for the usual data (dicts with str keys, lists, str, int, finite
    Decimal, bool, None), in a third of the time; raises _Unusual for anything else, or for
    data at or past a limit, so the full normalizer decides and words the refusal."""
    count = [0]
    result = _copy(data, 0, max_depth, count)
    if count[0] > max_nodes:
        raise _Unusual
    return result


def _copy(obj: Any, depth: int, max_depth: int, count: list[int]) -> Any:
    # A module function with the count passed in (not a nested closure: a nested recursive
    # function is a reference cycle, which would keep every form alive until a collection).
    count[0] += 1
    kind = type(obj)
    if kind is str or obj is None or kind is bool:
        return obj
    if kind is dict:
        if depth >= max_depth:
            raise _Unusual
        out = {}
        for key, value in obj.items():
            if type(key) is not str:
                raise _Unusual
            if type(value) is str:
                count[0] += 2  # the key and its value, as the normalizer counts them
                out[key] = value
            else:
                count[0] += 1
                out[key] = _copy(value, depth + 1, max_depth, count)
        return out
    if kind is list or kind is tuple:
        if depth >= max_depth:
            raise _Unusual
        items = [
            item if type(item) is str else _copy(item, depth + 1, max_depth, count) for item in obj
        ]
        count[0] += sum(type(item) is str for item in obj)
        return items
    if kind is int and -(10**100) < obj < 10**100:
        return str(obj)
    if kind is Decimal and obj.is_finite():
        return _Normalizer().decimal(obj, "")
    raise _Unusual


def document_from_json(
    text: str, file: str = "<json>", *, line: int = 1, limits: Limits | None = None
) -> Document:
    """A :class:`Document` for one JSON object (a line of a JSON Lines batch).

    Numbers keep the text they were written with (``4073.53`` → ``"4073.53"``): JSON is never
    read through ``float``. ``NaN``/``Infinity``, duplicate keys, nesting or size beyond
    ``limits`` and malformed JSON raise :class:`~perfscore.errors.LoadError` naming ``file``,
    ``line`` and the column. Every later error about this object is located at ``line``
    (a JSON line has no finer positions; the indicator path says where inside it).
    """
    caps = limits or DEFAULT_LIMITS

    def fail(message: str, column: int | None = None, **kwargs: Any) -> LoadError:
        return LoadError(message, file=file, line=line, column=column, **kwargs)

    # A character is 1 to 4 bytes in UTF-8: encode only when the length cannot decide.
    if len(text) > caps.max_bytes or (
        4 * len(text) > caps.max_bytes
        and len(text.encode("utf-8", "surrogatepass")) > caps.max_bytes
    ):
        raise fail(f"这一行太长（超过 {caps.max_bytes} 字节的上限）", expected="较小的表单")
    try:
        data = json.loads(
            text,
            parse_int=str,
            parse_float=str,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as err:
        snippet = err.doc[max(0, err.pos - 20) : err.pos + 20].strip()
        raise LoadError(
            f"不是合法的 JSON：{_json_problem(err.msg)}",
            file=file,
            line=line + err.lineno - 1,
            column=err.colno,
            value=snippet or None,
            expected="一份表单的 JSON 对象（{…}），写法与 YAML 表单相同",
        ) from None
    except _JsonRefusal as refusal:
        raise fail(str(refusal), expected=refusal.expected) from None
    except RecursionError:
        raise fail(f"嵌套太深（超过 {caps.max_depth} 层的上限）") from None
    if ("\\u" in text or _SURROGATE.search(text)) and _has_surrogate(data):
        escape = _LONE_ESCAPE.search(text)
        raise fail(
            "含有不成对的代理字符（\\uD800–\\uDFFF 单独出现），不是有效的 Unicode 文字",
            column=None if escape is None else escape.start() + 1,
            value=None if escape is None else escape.group(),
            expected="成对的代理（\\uD83D\\uDE00）或直接写出的字符",
        )
    if not isinstance(data, dict):
        raise fail(
            f"这一行是 JSON {_JSON_TYPES.get(type(data), '单个值')}，不是表单",
            expected="一个 JSON 对象（{…}），写法与 YAML 表单相同",
        )
    if text.count("{") + text.count("[") > caps.max_depth:  # cheap test first: most are shallow
        _check_shape(data, caps, fail)
    return Document(data=data, file=file, positions={(): (line, 1)}, key_positions={}, text="")


_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_LONE_ESCAPE: Final = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _has_surrogate(data: Any) -> bool:
    """Whether a lone surrogate is in any key or string of ``data`` (iterative)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class _JsonRefusal(ValueError):
    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.expected = expected


def _refuse_constant(name: str) -> Any:
    raise _JsonRefusal(f"不接受 {name}：请写出具体数字", "有限的数值")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _JsonRefusal(f"键“{key}”重复出现", "每个键只出现一次")
            seen.add(key)
    return data


_JSON_TYPES: Final = {list: "数组", str: "字符串", bool: "true/false", type(None): "null"}
_JSON_PROBLEMS: Final = (
    ("Expecting value", "此处应为一个值"),
    ("Expecting property name enclosed in double quotes", "此处应为用双引号括起来的键"),
    ("Expecting ',' delimiter", "此处缺少逗号"),
    ("Expecting ':' delimiter", "此处缺少冒号"),
    ("Unterminated string starting at", "字符串没有结束（缺少右双引号）"),
    ("Invalid control character at", "字符串中有控制字符（如未转义的 Tab）"),
    ("Invalid \\escape", "无效的转义字符"),
    ("Invalid \\uXXXX escape", "无效的 \\u 转义"),
    ("Extra data", "JSON 之后还有多余的内容（一行只能有一个对象）"),
)


def _json_problem(msg: str) -> str:
    return next((chinese for english, chinese in _JSON_PROBLEMS if msg.startswith(english)), msg)


def _check_shape(data: Any, caps: Limits, fail: Callable[..., LoadError]) -> None:
    """Depth and node caps, as :class:`Limits` sets them for YAML (iterative: no recursion)."""
    nodes = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > caps.max_depth:
            raise fail(f"嵌套太深（超过 {caps.max_depth} 层的上限）")
        if isinstance(node, dict):
            nodes += len(node)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
        if nodes > caps.max_nodes:
            raise fail(f"数据里的值太多（超过 {caps.max_nodes} 个的上限）")


class _Normalizer:
    def __init__(self, max_nodes: int | None = None, max_depth: int = MAX_DEPTH) -> None:
        # ids of the containers on the current path: seeing one again means a cycle.
        self.active: set[int] = set()
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.count = 0

    def convert(self, obj: Any, path: str, depth: int) -> Any:
        self.count += 1
        if self.max_nodes is not None and self.count > self.max_nodes:
            raise self.refuse(
                f"数据里的值太多（超过 {self.max_nodes} 个的上限）",
                None,
                path,
                extra="如确需处理更大的数据，请传入 limits=Limits(max_nodes=...)",
            )
        if obj is None or isinstance(obj, bool):
            return obj
        if isinstance(obj, str):
            return str.__str__(obj)  # a plain str even for subclasses
        if isinstance(obj, int):
            try:
                return str(int(obj))
            except ValueError as exc:  # more digits than int→str allows
                raise self.refuse(
                    "整数位数太多", obj, path, expected="不超过 4300 位的整数"
                ) from exc
        if isinstance(obj, Decimal):
            return self.decimal(obj, path)
        if isinstance(obj, float):
            raise self.float_error(obj, path)
        if isinstance(obj, Mapping):
            return self.nested(obj, path, depth, self.mapping)
        if isinstance(obj, list | tuple):
            return self.nested(obj, path, depth, self.sequence)
        kind = type(obj).__name__
        hint = None
        if isinstance(obj, bytes | bytearray):
            hint = "请先解码成 str"
        elif isinstance(obj, set | frozenset):
            hint = "集合没有顺序，请改用 list"
        raise self.refuse(
            f"不接受 {kind} 类型的值",
            obj,
            path,
            expected="str、int、Decimal、bool、None、list、tuple 或 dict",
            extra=hint,
        )

    def nested(
        self, obj: Any, path: str, depth: int, convert: Callable[[Any, str, int], Any]
    ) -> Any:
        if id(obj) in self.active:
            raise self.refuse("数据里有循环引用（容器包含了它自己）", None, path)
        if depth >= self.max_depth:
            raise self.refuse(
                f"嵌套太深（超过 {self.max_depth} 层的上限）",
                None,
                path,
                expected=f"不超过 {self.max_depth} 层",
            )
        self.active.add(id(obj))
        try:
            return convert(obj, path, depth + 1)
        finally:
            self.active.discard(id(obj))

    def mapping(self, obj: Mapping[Any, Any], path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for raw_key, value in obj.items():
            if isinstance(raw_key, str):
                key = str.__str__(raw_key)
                self.count += 1  # keys count as values, as in YAML
            elif isinstance(raw_key, int) and not isinstance(raw_key, bool):
                key = self.convert(raw_key, path, depth)
            else:
                raise self.refuse(
                    f"映射的键必须是 str，不能是 {type(raw_key).__name__}",
                    raw_key,
                    path,
                    expected="str 或 int",
                )
            if key in result:
                raise self.refuse(f"键“{key}”重复（转成文字后与另一个键相同）", raw_key, path)
            result[key] = self.convert(value, _child(path, key), depth)
        return result

    def sequence(self, obj: list[Any] | tuple[Any, ...], path: str, depth: int) -> list[Any]:
        return [self.convert(item, f"{path}[{i}]", depth) for i, item in enumerate(obj)]

    def decimal(self, value: Decimal, path: str) -> str:
        if not value.is_finite():
            raise self.refuse(
                f"不接受非有限的数值 {value}",
                value,
                path,
                expected="有限的数值",
            )
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)  # finite
        if abs(exponent) + len(value.as_tuple().digits) > _MAX_PLAIN_DIGITS:
            return str(value)
        return format(value, "f")

    def float_error(self, value: float, path: str) -> InputTypeError:
        text = repr(value)
        if not math.isfinite(value):
            message = f"不接受浮点数 {text}（浮点数无法精确表示金额和分数，也不接受非有限数值）"
        else:
            # The shortest decimal that round-trips, without an exponent: 1e+20 → 100000…
            plain = format(Decimal(text), "f")
            message = (
                f"不接受浮点数 {text}（浮点数无法精确表示金额和分数），"
                f'请写成字符串 "{plain}" 或 Decimal("{plain}")'
            )
        return self.refuse(message, value, path, expected="str 或 Decimal")

    def refuse(
        self,
        message: str,
        value: Any,
        path: str,
        *,
        expected: str | None = None,
        extra: str | None = None,
    ) -> InputTypeError:
        hint = f"位置：{path}"
        if extra:
            hint = f"{hint}；{extra}"
        return InputTypeError(message, value=value, expected=expected, hint=hint)


def _child(path: str, key: str) -> str:
    if key.isidentifier():
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'
