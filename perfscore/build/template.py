"""Building a template: validated YAML → the frozen Template (rules, grades, computed values, the
indicator tree).
"""

from __future__ import annotations

import functools
import hashlib
import json
import json.encoder
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from ..errors import BuildError, PerfscoreError, ValidationErrors
from ..read import schema as _schema
from ..read.reader import Reader, suggest
from ..read.yaml_document import Document, JsonPath
from ..rules.formula import compile_formula
from ..rules.registry import KINDS
from ..text import fastparse as _fastparse
from ..text.actual import parse_actual
from ..text.numbers import in_local_context
from ..text.quantity import Actual
from ..text.target import Target, parse_target
from ..text.units import lookup_unit
from .model import (
    Computed,
    Grade,
    InputSpec,
    OverAchievement,
    Position,
    Rounding,
    Rule,
    Template,
    TemplateNode,
)

__all__ = ["TemplateResolver", "build_template", "digest"]

ZERO = Decimal(0)
MISSING_POLICIES = ("error", "zero", "not_applicable")
# Keys of `defaults:` and the target directions/ops they stand for.
DEFAULT_KEYS = {
    ">=": ">=",
    "≥": ">=",
    ">": ">",
    "<=": "<=",
    "≤": "<=",
    "<": "<",
    "=": "=",
    "range": "range",
    "区间": "range",
    "定性": "qualitative",
    "qualitative": "qualitative",
}

#: Resolves a form's ``template:`` (an id or path, or an inline template mapping).
TemplateResolver = Callable[[str | Mapping[str, Any], Document, JsonPath], Template]


def digest(*documents: Any) -> str:
    """A content hash independent of mapping key order and of formatting."""
    h = hashlib.sha256()
    for data in documents:
        h.update(_canonical(data).encode())
        h.update(b"\x00")
    return "sha256:" + h.hexdigest()


def _canonical(data: Any) -> str:
    """``json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)``, calling the C
    encoder json.dumps ends in without the per-call encoder set-up (a form's digest is a
    fair share of binding it)."""
    if type(data) is str:  # a template's digest, standing for its data
        return str(json.encoder.encode_basestring(data))
    if _JSON_C is None or type(data) is not dict:
        return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return _c_join(_JSON_C, data)


def _c_join(make: Any, data: Any) -> str:
    # the arguments json.dumps passes: markers, default, encoder, indent, separators,
    # sort_keys, skipkeys, allow_nan
    encode = make({}, str, json.encoder.encode_basestring, None, ": ", ", ", True, False, True)
    return "".join(encode(data, 0))


def _c_encoder() -> Any:
    """json's C encoder, if this Python has one taking json.dumps's arguments as above."""
    found = getattr(json.encoder, "c_make_encoder", None)
    if found is None:
        return None
    sample = {"b": [1, "é", None, True], "a": {"z": "x", "y": Decimal("1.5")}}
    try:
        made = _c_join(found, sample)
    except TypeError:  # another signature: json.dumps it is
        return None
    expected = json.dumps(sample, sort_keys=True, ensure_ascii=False, default=str)
    return found if made == expected else None


_JSON_C: Any = _c_encoder()


# Forms of one batch repeat the same texts (≥95%, 100%, 达成, 未发生): parse each once.
# Parsed values are immutable, so sharing them is safe; failures are not cached (each form
# gets its own located error). The caches are bounded: once full they keep what they have
# (the common texts come early) rather than start again, which in a batch of mostly distinct
# numbers would throw the common ones away every few hundred forms.
_CACHE_SIZE: Final = 8192
_TARGETS: dict[str, Target] = {}
_ACTUALS: dict[tuple[str, str | None], Actual] = {}


def _parse_target(text: str) -> Target:
    found = _TARGETS.get(text)
    if found is None:
        found = _fastparse.target(text) or parse_target(text)
        if len(_TARGETS) < _CACHE_SIZE:
            _TARGETS[text] = found
    return found


def _parse_actual(text: str, target: Target | None) -> Actual:
    # An actual depends on its target only through the target's unit (a bare number takes it).
    reference = target.quantity if target is not None else None
    unit = reference.unit if reference is not None else None
    key = (text, None if unit is None else unit.symbol)
    found = _ACTUALS.get(key)
    if found is None:
        found = _fastparse.actual(text, target) or parse_actual(text, target)
        if len(_ACTUALS) < _CACHE_SIZE:
            _ACTUALS[key] = found
    return found


def _raise(errors: Sequence[PerfscoreError], file: str | None) -> None:
    if errors:
        ordered = sorted(errors, key=lambda e: (e.file or "", e.line or 0, e.column or 0))
        raise ValidationErrors(ordered, file=file)


def _pos(r: Reader, path: JsonPath) -> Position:
    if not r.doc.positions:  # data from Python: no line to give, the same Position each time
        return _unplaced(r.doc.file)
    file, line, column = r.position(path)
    return Position(file, line, column)


@functools.lru_cache(maxsize=64)
def _unplaced(file: str | None) -> Position:
    return Position(file)


# ==================================================================== template


@in_local_context
def build_template(doc: Document, *, validate: bool = True) -> Template:
    """Build a template from a loaded document; raises ValidationErrors with every problem."""
    if validate:
        _raise(_schema.validate(doc, "template"), doc.file)
    data = doc.data
    inputs_raw = data.get("inputs") or {}
    computed_raw = data.get("computed") or {}
    r = Reader(doc, names=[*inputs_raw, *computed_raw])
    total = r.nonnegative(data.get("total", "100"), ("total",), what="总分") or Decimal(100)
    rounding = _rounding(data.get("rounding") or {}, r)
    grades = _grades(data.get("grades"), r, total)
    over = _over(data.get("over_achievement") or {}, r)
    missing = str(data.get("missing", "zero"))
    na = data.get("not_applicable") or {}
    inputs = {
        name: InputSpec(name=name, unit=_unit(spec, r, ("inputs", name)), title=_get(spec, "title"))
        for name, spec in inputs_raw.items()
    }
    computed = _computed(computed_raw, inputs, r)
    rules: dict[str, Rule] = {}
    for name, raw in (data.get("rules") or {}).items():
        rule = _inline_rule(raw, r, ("rules", name), (), name=name)
        if rule is not None:
            rules[name] = rule
    # Rules that failed to build are reported once, where they are defined, not at every use.
    broken = frozenset(data.get("rules") or ()) - rules.keys()
    r.broken_rules = broken
    defaults: dict[str, str] = {}
    for key, name in (data.get("defaults") or {}).items():
        op = DEFAULT_KEYS.get(key)
        if op is None:
            r.fail(
                f"默认规则的键“{key}”无法识别",
                ("defaults", key),
                key=True,
                expected="、".join(DEFAULT_KEYS),
                hint=suggest(key, DEFAULT_KEYS),
            )
        elif isinstance(name, Mapping):
            # the schema allows an inline rule here: register it under a name of its own
            label = f"默认（{key}）"
            rule = _inline_rule(name, r, ("defaults", key), (), name=label)
            if rule is not None:
                rules[label] = rule
                defaults[op] = label
        elif name in broken:
            pass  # the rule itself is already reported where it is defined
        elif name not in rules:
            r.fail(
                f"默认规则“{name}”未在 rules 中定义",
                ("defaults", key),
                hint=suggest(str(name), rules),
                value=name,
            )
        else:
            defaults[op] = str(name)
    # Declared names, not only the computed values that built: a broken formula is reported
    # once, at the formula, not again at every actual_from that names it.
    nodes = _template_nodes(
        data.get("indicators") or [], r, rules, ("indicators",), (), {*inputs, *computed_raw}
    )
    weights = [n.weight for n in nodes]
    if nodes and all(w is not None for w in weights):
        top = sum((w for w in weights if w is not None), ZERO)
        if top != total:
            r.fail(
                f"一级指标分值之和为 {_n(top)}，应等于总分 {_n(total)}",
                ("indicators",),
                value=_n(top),
                expected=_n(total),
            )
    _raise(r.errors, doc.file)
    return Template(
        id=str(data.get("id")),
        name=str(data.get("name", data.get("id"))),
        version=None if data.get("version") is None else str(data.get("version")),
        description=_get(data, "description"),
        total=total,
        rounding=rounding,
        grades=grades,
        over_achievement=over,
        missing=missing,
        rescale_not_applicable=na.get("rescale", True) is not False,
        inputs=inputs,
        computed=computed,
        rules=rules,
        defaults=defaults,
        nodes=nodes,
        review=dict(data.get("review") or {}),
        examples=tuple(data.get("examples") or ()),
        file=doc.file,
        digest=digest(data),
        data=data,
    )


def _get(mapping: Any, key: str) -> str | None:
    if isinstance(mapping, Mapping) and mapping.get(key) is not None:
        return str(mapping[key])
    return None


def _n(value: Decimal) -> str:
    from ..text.display import fmt

    return fmt(value)


def _unit(spec: Any, r: Reader, at: JsonPath) -> Any:
    text = _get(spec, "unit")
    if text is None:
        return None
    unit = lookup_unit(text)
    if unit is None:
        r.fail(
            f"无法识别的单位“{text}”",
            (*at, "unit"),
            value=text,
            expected="元、万元、%、次、个、人、米、平方米、天等",
        )
    return unit


def _rounding(raw: Mapping[str, Any], r: Reader) -> Rounding:
    places = r.decimal(raw.get("places", "2"), ("rounding", "places"), what="保留小数位数")
    if places is None or places != places.to_integral_value() or not 0 <= places <= 6:
        if places is not None:
            r.fail(
                "保留小数位数应为 0 到 6 的整数", ("rounding", "places"), value=raw.get("places")
            )
        places = Decimal(2)
    total = str(raw.get("total", "sum_of_rounded"))
    return Rounding(places=int(places), total=total)


def _grades(raw: Any, r: Reader, total: Decimal) -> tuple[Grade, ...]:
    if not raw:
        return (
            Grade("优", Decimal(90)),
            Grade("良", Decimal(80)),
            Grade("中", Decimal(60)),
            Grade("差", ZERO),
        )
    grades: list[Grade] = []
    for i, item in enumerate(raw):
        low = r.nonnegative(item.get("min"), ("grades", i, "min"), what="等级下限")
        if low is not None:
            if low > total:
                r.fail(f"等级下限 {_n(low)} 超过总分 {_n(total)}", ("grades", i, "min"))
            grades.append(Grade(str(item.get("name")), low))
    names = [g.name for g in grades]
    if len(set(names)) != len(names):
        r.fail("等级名称重复", ("grades",), value="、".join(names))
    ordered = sorted(grades, key=lambda g: g.min, reverse=True)
    if len({g.min for g in grades}) != len(grades):
        r.fail("两个等级的下限相同", ("grades",))
    if ordered and ordered[-1].min != 0:
        r.fail(
            "最低等级的下限应为 0，否则低分没有等级",
            ("grades",),
            value=_n(ordered[-1].min),
            expected="0",
        )
    return tuple(ordered)


def _over(raw: Mapping[str, Any], r: Reader) -> OverAchievement:
    flag_at = r.share(
        raw.get("flag_at", "120%"), ("over_achievement", "flag_at"), what="超额完成提示线"
    )
    deduct = raw.get("deduct") or {}
    step = points = None
    if deduct:
        step = r.share(deduct.get("step"), ("over_achievement", "deduct", "step"), what="扣分步长")
        points = r.nonnegative(
            deduct.get("points"), ("over_achievement", "deduct", "points"), what="每步扣分"
        )
        if step is not None and step <= 0:
            r.fail("扣分步长应大于 0", ("over_achievement", "deduct", "step"))
            step = None
    if raw.get("flag_at", "") is None:
        flag_at = None
    return OverAchievement(flag_at=flag_at, deduct_step=step, deduct_points=points)


def _computed(
    raw: Mapping[str, Any], inputs: Mapping[str, InputSpec], r: Reader
) -> dict[str, Computed]:
    names = [*inputs, *raw]
    seen: dict[str, str] = {}
    for name in names:  # ｘ and x are one name to a formula: refuse the second, as written
        key = unicodedata.normalize("NFKC", str(name))
        if key in seen and seen[key] != name:
            where = ("computed", name) if name in raw else ("inputs", name)
            r.fail(
                f"名称“{name}”与“{seen[key]}”只有全角/半角等写法不同，公式中无法区分",
                where,
                (name,),
                key=True,
                cls=BuildError,
            )
        seen.setdefault(key, name)
    allowed = frozenset(names)  # once: compile_formula keeps a frozenset as it is
    built: dict[str, Computed] = {}
    for name, spec in raw.items():
        if name in inputs:
            r.fail(f"计算项“{name}”与输入项重名", ("computed", name), key=True)
            continue
        try:
            formula = compile_formula(str(_get(spec, "formula")), allowed)
        except PerfscoreError as err:
            r.add(err, ("computed", name, "formula"), (name,))
            continue
        if name in formula.names:
            r.fail(
                f"计算项“{name}”的公式引用了它自己",
                ("computed", name, "formula"),
                (name,),
                cls=BuildError,
            )
            continue
        built[name] = Computed(
            name, formula, _unit(spec, r, ("computed", name)), _pos(r, ("computed", name))
        )
    return _dependency_order(built, r)


def _dependency_order(built: dict[str, Computed], r: Reader) -> dict[str, Computed]:
    """``built`` in dependency order: rounds of the values whose dependencies are all known,
    each round in the order written (a topological sort with in-degree counts: linear, where
    rescanning every pending value each round was quadratic: 10,000 chained values took 95 s).
    A value that uses one that failed to build is not a cycle (that value's error is given);
    what is left over is a cycle, an error naming its members."""
    index = {name: i for i, name in enumerate(built)}
    waiting = {n: sum(1 for d in c.formula.names if d in built) for n, c in built.items()}
    users: dict[str, list[str]] = {}
    for n, c in built.items():
        for d in c.formula.names:
            if d in built:
                users.setdefault(d, []).append(n)
    ordered: dict[str, Computed] = {}
    ready = [n for n, count in waiting.items() if count == 0]
    while ready:
        following: list[str] = []
        for n in ready:
            ordered[n] = built[n]
            for user in users.get(n, ()):
                waiting[user] -= 1
                if waiting[user] == 0:
                    following.append(user)
        ready = sorted(following, key=index.__getitem__)
    if len(ordered) < len(built):
        pending = [n for n in built if n not in ordered]
        first = pending[0]
        r.fail(
            f"计算项之间存在循环引用：{'、'.join(pending)}",
            ("computed", first, "formula"),
            (first,),
        )
    return ordered


def _inline_rule(
    raw: Any, r: Reader, at: JsonPath, ip: Sequence[str], *, name: str | None = None
) -> Rule | None:
    if not isinstance(raw, Mapping):
        return None
    kind = str(raw.get("kind"))
    spec = KINDS.get(kind)
    if spec is None:
        r.fail(
            f"未知的计分规则类型“{kind}”",
            (*at, "kind"),
            ip,
            value=kind,
            expected="、".join(KINDS),
            hint=suggest(kind, KINDS),
        )
        return None
    before = len(r.errors)
    params = spec.parse(raw, r, at, ip)
    if len(r.errors) > before or params is None:
        return None
    return Rule(kind=kind, params=params, name=name, position=_pos(r, at))


def _rule_ref(
    raw: Any, r: Reader, rules: Mapping[str, Rule], at: JsonPath, ip: Sequence[str]
) -> Rule | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        rule = rules.get(raw)
        if rule is None and raw not in r.broken_rules:
            r.fail(
                f"计分规则“{raw}”未在模板 rules 中定义",
                at,
                ip,
                value=raw,
                expected="、".join(rules) or "先在 rules 中定义",
                hint=suggest(raw, rules),
            )
        return rule
    return _inline_rule(raw, r, at, ip)


def _target(raw: Any, r: Reader, at: JsonPath, ip: Sequence[str]) -> Target | None:
    if raw is None:
        return None
    try:
        if isinstance(raw, Mapping):
            return Target.from_mapping(raw)
        return _parse_target(str(raw))
    except PerfscoreError as err:
        r.add(err, at, ip)
        return None


def _template_nodes(
    items: Sequence[Any],
    r: Reader,
    rules: Mapping[str, Rule],
    at: JsonPath,
    parent: tuple[str, ...],
    values: set[str],
) -> tuple[TemplateNode, ...]:
    nodes: list[TemplateNode] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(items):
        here = (*at, i)
        name = str(raw.get("name"))
        path = (*parent, name)
        for alias in (name, *(raw.get("aliases") or ())):
            if alias in seen:
                r.fail(f"同一层级下指标名称“{alias}”重复", (*here, "name"), path)
            seen[alias] = i
        weight = r.nonnegative(raw.get("weight"), (*here, "weight"), path)
        children = _template_nodes(
            raw.get("children") or [], r, rules, (*here, "children"), path, values
        )
        is_open = bool(raw.get("open", False))
        if children and is_open:
            r.fail("同一指标不能既列出下级指标又设为 open", (*here, "open"), path)
        actual_from = _get(raw, "actual_from")
        if actual_from is not None and actual_from not in values:
            r.fail(
                f"actual_from 引用的“{actual_from}”未在 inputs 或 computed 中声明",
                (*here, "actual_from"),
                path,
                value=actual_from,
                hint=suggest(actual_from, values),
            )
        weights = [c.weight for c in children]
        if weight is not None and children and all(w is not None for w in weights):
            got = sum((w for w in weights if w is not None), ZERO)
            if got != weight:
                r.fail(
                    f"下级指标分值之和为 {_n(got)}，应等于本级分值 {_n(weight)}",
                    (*here, "weight"),
                    path,
                    value=_n(got),
                    expected=_n(weight),
                )
        elif weight is not None and children:
            # Some children weighted, some not: the weighted ones alone must not exceed it.
            got = sum((w for w in weights if w is not None), ZERO)
            if got > weight:
                r.fail(
                    f"已规定分值的下级指标之和为 {_n(got)}，超过本级分值 {_n(weight)}",
                    (*here, "weight"),
                    path,
                    value=_n(got),
                    expected=f"不超过 {_n(weight)}",
                )
        nodes.append(
            TemplateNode(
                name=name,
                path=path,
                weight=weight,
                children=children,
                open=is_open,
                aliases=tuple(str(a) for a in raw.get("aliases") or ()),
                rule=_rule_ref(raw.get("rule"), r, rules, (*here, "rule"), path),
                target=_target(raw.get("target"), r, (*here, "target"), path),
                actual_from=actual_from,
                description=_get(raw, "description"),
                position=_pos(r, here),
            )
        )
    return tuple(nodes)
