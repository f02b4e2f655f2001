"""Building: validated YAML documents → the frozen model of :mod:`perfscore.model`.

One pass over the whole document collects every problem (each with file:line:col and the
indicator path) and raises them together as :class:`~perfscore.errors.ValidationErrors`.
Checks made here, beyond the JSON Schema: weights sum exactly to their parent and the top level
to the total; sibling names are unique; referenced rules, inputs and computed values exist;
formulas parse against declared names; band and tier tables have no gaps or overlaps; target
and actual units are compatible.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import unicodedata
import weakref
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from . import _fastparse, _schema
from ._findings import finding_from_error
from ._formula import compile_formula
from ._numbers import in_local_context, parse_decimal
from ._quickcheck import plainly_valid_form
from ._reader import JsonPath, Reader, suggest
from ._rules import KINDS
from ._units import lookup_unit
from ._yaml import Document
from .errors import BuildError, PerfscoreError, SchemaError, UnitError, ValidationErrors
from .model import (
    Computed,
    Form,
    Grade,
    Group,
    InputSpec,
    Leaf,
    Node,
    OverAchievement,
    Position,
    Rounding,
    Rule,
    Template,
    TemplateNode,
)
from .result import Finding
from .targets import Actual, Quantity, Target, actual_syntax_error, parse_actual, parse_target

__all__ = ["TemplateResolver", "build_form", "build_template", "digest"]

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
        h.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
        h.update(b"\x00")
    return "sha256:" + h.hexdigest()


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
    from ._text import fmt

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


# ==================================================================== form


@in_local_context
def build_form(
    doc: Document,
    resolve: TemplateResolver,
    *,
    template: Template | None = None,
    lenient: bool = False,
) -> Form:
    """Bind a form document to its template (given, or resolved from ``template:``).

    Strict by default: every problem is collected and raised as ValidationErrors. With
    ``lenient=True`` (review) only a form that cannot be bound at all raises (no template, no
    ``indicators``); every other problem becomes a finding in ``Form.findings`` and the rest of
    the form is read: a leaf that cannot be read (target, actual, weight, rule) is kept with
    ``unreadable`` set (the evaluator scores it 0, status 缺失), values that do not follow the
    form format are dropped, unknown indicator names are named for each entry under them, and
    weights that do not add up are findings, not errors.
    """
    problems: list[Finding] = []
    broken: dict[JsonPath, str] = {}
    if lenient:
        if not plainly_valid_form(doc.data):  # a plainly valid form has nothing to drop
            doc, problems, broken = _sanitize(doc)
    elif not plainly_valid_form(doc.data):
        _raise(_schema.validate(doc, "form"), doc.file)
    data = doc.data
    if template is None:
        ref = data.get("template")
        template = resolve(ref if isinstance(ref, Mapping) else str(ref), doc, ("template",))
    r = Reader(doc)
    budget, budget_unit = _budget(data.get("budget") or {}, r)
    inputs = _inputs(data.get("inputs") or {}, template, r)
    binder = _Binder(template, r, lenient, broken)
    nodes = binder.nodes(template.nodes, data.get("indicators"), ("indicators",), ())
    top = sum((n.weight for n in nodes), ZERO)
    if nodes and top != template.total:
        mark = len(r.errors)
        r.fail(
            f"一级指标分值之和为 {_n(top)}，应等于总分 {_n(template.total)}",
            ("indicators",),
            value=_n(top),
            expected=_n(template.total),
        )
        binder.tag(mark, "weights_sum")
    reported_total = r.nonnegative(data.get("reported_total"), ("reported_total",), what="自评总分")
    if lenient:
        problems.extend(
            finding_from_error(binder.tags.get(i, "value_unreadable"), err)
            for i, err in enumerate(r.errors)
        )
    else:
        _raise(r.errors, doc.file)
    return Form(
        template=template,
        nodes=nodes,
        unit=_get(data, "unit"),
        year=_get(data, "year"),
        budget=budget,
        budget_unit=budget_unit,
        inputs=inputs,
        reported_total=reported_total,
        file=doc.file,
        # the template's own digest stands for its data: hashing it again per form is waste
        digest=digest(template.digest, data),
        data=data,
        findings=tuple(problems),
    )


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


_STAGE_FIELDS = ("progress", "expected", "causes", "likelihood", "measures", "schedule")


def _stage(e: Mapping[str, Any]) -> dict[str, Any]:
    """The monitoring fields of a leaf entry (read by perfscore monitor, not by scoring)."""
    return {k: e[k] for k in _STAGE_FIELDS if e.get(k) is not None}


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


# The rule a lenient leaf gets when its own cannot be determined; it is never applied.
_NO_RULE = Rule(kind="manual", params=None, name="（无法确定）")


class _Binder:
    """Walks the template tree and the form's ``indicators`` mapping side by side."""

    def __init__(
        self,
        template: Template,
        r: Reader,
        lenient: bool,
        broken: Mapping[JsonPath, str] | None = None,
    ) -> None:
        self.t = template
        self.r = r
        self.lenient = lenient
        #: Leaf entries the lenient sanitizer already reported as unscorable.
        self.broken = dict(broken or {})
        #: Finding code of r.errors[i] (lenient reading); untagged errors are value_unreadable.
        self.tags: dict[int, str] = {}

    def tag(self, mark: int, code: str) -> bool:
        """Give ``code`` to the errors recorded since ``mark``; True when there were any."""
        for i in range(mark, len(self.r.errors)):
            self.tags.setdefault(i, code)
        return len(self.r.errors) > mark

    def orphans(self, value: Any, at: JsonPath, path: tuple[str, ...], why: str) -> None:
        """Name every entry under a node that is not read (lenient: no row disappears)."""
        entries = 0
        stack: list[tuple[Any, JsonPath, tuple[str, ...]]] = [(value, at, path)]
        while stack:
            node, here, ipath = stack.pop()
            if isinstance(node, list):
                for i, item in reversed(list(enumerate(node))):
                    name = item.get("name") if isinstance(item, Mapping) else None
                    name = str(name) if name is not None else f"第{i + 1}项"
                    entries += 1
                    mark = len(self.r.errors)
                    self.r.fail(f"{why}，其下的“{name}”未计分", (*here, i), (*ipath, name))
                    self.tag(mark, "indicator_unknown")
            elif isinstance(node, Mapping) and not (_LEAF_FIELDS & set(node)):
                for key, item in reversed(list(node.items())):
                    stack.append((item, (*here, key), (*ipath, str(key))))
            elif isinstance(node, Mapping):
                entries += 1
                mark = len(self.r.errors)
                self.r.fail(f"{why}，“{ipath[-1]}”未计分", here, ipath)
                self.tag(mark, "indicator_unknown")
        if not entries:
            mark = len(self.r.errors)
            self.r.fail(why, at, path, key=True)
            self.tag(mark, "indicator_unknown")

    def nodes(
        self, tnodes: Sequence[TemplateNode], raw: Any, at: JsonPath, parent: tuple[str, ...]
    ) -> tuple[Node, ...]:
        raw = raw if type(raw) is dict or isinstance(raw, Mapping) else {}
        names = _names(self.t, tnodes)
        given: dict[str, tuple[str, Any]] = {}
        for key, value in raw.items():
            found = names.get(key)
            if found is None:
                if self.lenient:
                    hint = suggest(key, names)
                    why = f"模板中没有指标“{key}”" + (f"（{hint}）" if hint else "")
                    self.orphans(value, (*at, key), (*parent, key), why)
                    continue
                self.r.fail(
                    f"模板中没有指标“{key}”",
                    (*at, key),
                    (*parent, key),
                    key=True,
                    expected="、".join(x.name for x in tnodes),
                    hint=suggest(key, names),
                )
                continue
            if found.name in given:
                message = f"指标“{found.name}”填写了两次（“{given[found.name][0]}”与“{key}”）"
                if self.lenient:
                    self.orphans(value, (*at, key), (*parent, found.name), message)
                    continue
                self.r.fail(message, (*at, key), (*parent, found.name), key=True)
                continue
            given[found.name] = (key, value)
        out: list[Node] = []
        for t in tnodes:
            key, value = given.get(t.name, (t.name, None))
            here = (*at, key)
            if t.is_leaf:
                entry = value if type(value) is dict or isinstance(value, Mapping) else {}
                leaf = self.leaf(entry, here, parent, t)
                if leaf is not None:
                    out.append(leaf)
                continue
            if t.open:
                children: tuple[Node, ...] = self.open_leaves(value, here, t.path, t)
            else:
                if value is not None and not isinstance(value, Mapping):
                    message = f"“{t.name}”下应按下级指标名称分组填写"
                    if self.lenient:
                        self.orphans(value, here, t.path, message)
                    else:
                        self.r.fail(message, here, t.path, expected="以下级指标名称为键的映射")
                children = self.nodes(t.children, value, here, t.path)
            got = sum([c.weight for c in children], ZERO)
            if t.weight is not None and got != t.weight:
                mark = len(self.r.errors)
                self.r.fail(
                    f"“{t.name}”下各指标分值之和为 {_n(got)}，应等于 {_n(t.weight)}",
                    here,
                    t.path,
                    key=True,  # the group's own line, not its first child's
                    value=_n(got),
                    expected=_n(t.weight),
                )
                self.tag(mark, "weights_sum")
            out.append(
                Group(
                    name=t.name,
                    path=t.path,
                    weight=t.weight if t.weight is not None else got,
                    children=children,
                    position=_pos(self.r, here),
                )
            )
        return tuple(out)

    def open_leaves(
        self, raw: Any, at: JsonPath, parent: tuple[str, ...], t: TemplateNode
    ) -> tuple[Node, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            message = f"“{t.name}”下应列出三级指标（列表）"
            if self.lenient:
                self.orphans(raw, at, parent, message)
            else:
                self.r.fail(message, at, parent, expected="以 - 开头的列表")
            return ()
        leaves: list[Node] = []
        seen: set[str] = set()
        for i, entry in enumerate(raw):
            if not isinstance(entry, Mapping):
                continue
            name = str(entry.get("name"))
            if name in seen:
                mark = len(self.r.errors)
                self.r.fail(f"同一层级下指标名称“{name}”重复", (*at, i, "name"), (*parent, name))
                self.tag(mark, "value_unreadable")
            seen.add(name)
            leaf = self.leaf(entry, (*at, i), parent, None)
            if leaf is not None:
                leaves.append(leaf)
        return tuple(leaves)

    def leaf(
        self, e: Mapping[str, Any], at: JsonPath, parent: tuple[str, ...], t: TemplateNode | None
    ) -> Leaf | None:
        if not self.lenient:
            plain = self.plain_leaf(e, at, parent, t)
            if plain is not None:
                return plain
        r = self.r
        name = t.name if t is not None else str(e.get("name"))
        path = t.path if t is not None else (*parent, name)
        before = len(r.errors)
        broken = self.broken.get(at)
        mark = len(r.errors)
        weight = (
            r.nonnegative(e.get("weight"), (*at, "weight"), path)
            if e.get("weight") is not None
            else None
        )
        bad = self.tag(mark, "weight_missing")
        if t is not None and t.weight is not None:
            if weight is not None and weight != t.weight:
                mark = len(r.errors)
                r.fail(
                    f"分值 {_n(weight)} 与模板规定的 {_n(t.weight)} 不一致",
                    (*at, "weight"),
                    path,
                    value=_n(weight),
                    expected=_n(t.weight),
                )
                self.tag(mark, "weights_sum")
            weight = t.weight
        if weight is None:
            if before == len(r.errors) and broken is None:
                mark = len(r.errors)
                r.fail("缺少分值（weight）", at, path, expected="如 weight: 5")
                bad = self.tag(mark, "weight_missing") or bad
            weight = ZERO
            bad = bad or broken is not None
        target_raw = e.get("target")
        if t is not None and t.target is not None and target_raw is not None:
            mark = len(r.errors)
            r.fail(
                "模板已规定该指标的指标值，表单不能修改",
                (*at, "target"),
                path,
                value=target_raw,
                expected=str(t.target),
            )
            self.tag(mark, "value_unreadable")
        mark = len(r.errors)
        target = (
            t.target
            if t is not None and t.target is not None
            else _target(target_raw, r, (*at, "target"), path)
        )
        bad = self.tag(mark, "target_unreadable") or bad
        target_text = (
            str(target_raw)
            if target_raw is not None and not isinstance(target_raw, Mapping)
            else (None if target is None else str(target))
        )
        mark = len(r.errors)
        actual, actual_text, items = self.actual(e.get("actual"), target, r, (*at, "actual"), path)
        for i in range(mark, len(r.errors)):
            code = "unit_mismatch" if isinstance(r.errors[i], UnitError) else "actual_unreadable"
            self.tags.setdefault(i, code)
        bad = len(r.errors) > mark or bad
        mark = len(r.errors)
        rule = (
            _rule_ref(e.get("rule"), r, self.t.rules, (*at, "rule"), path)
            if e.get("rule") is not None
            else None
        )
        if rule is None and t is not None:
            rule = t.rule
        if rule is None and target is not None:
            rule = self.default_rule(target)
            if rule is None:
                r.fail(
                    f"模板没有为“{'定性' if target.op == 'qualitative' else target.op}”类指标规定默认计分规则",
                    (*at, "target"),
                    path,
                    expected="在模板 defaults 中补充，或在此指标写 rule",
                )
        bad = self.tag(mark, "rule_unknown") or bad
        if rule is None and e.get("rule") is None and target_raw is None and broken is None:
            mark = len(r.errors)
            r.fail(
                "缺少年度指标值，无法确定计分规则"
                if self.lenient
                else "无法确定计分规则：既没有指标值（target）也没有规则（rule）",
                at,
                path,
                expected="填写 target 或 rule",
            )
            bad = self.tag(mark, "target_missing") or bad
        applicable = e.get("applicable", True) is not False
        if not self.lenient and (len(r.errors) > before or rule is None):
            return None
        mark = len(r.errors)
        reported = r.nonnegative(e.get("reported"), (*at, "reported"), path, what="自评得分")
        given = r.nonnegative(e.get("score"), (*at, "score"), path, what="评分")
        self.tag(mark, "value_unreadable")
        unreadable: str | None = None
        if self.lenient and (bad or broken is not None or rule is None):
            if broken is not None:
                unreadable = broken
            elif len(r.errors) > before:
                unreadable = next(
                    (
                        r.errors[i].message
                        for i in range(before, len(r.errors))
                        if self.tags.get(i) not in ("weights_sum", "value_unreadable")
                    ),
                    "无法读取",
                )
            else:
                unreadable = "无法确定计分规则"
        return Leaf(
            name=name,
            path=path,
            weight=weight,
            rule=rule if rule is not None else _NO_RULE,
            target=target,
            target_text=target_text,
            actual=actual,
            actual_text=actual_text,
            actual_items=items,
            actual_from=t.actual_from if t is not None else None,
            reported=reported,
            given_score=given,
            tier=_get(e, "tier"),
            note=_get(e, "note"),
            applicable=applicable,
            position=_pos(r, at),
            unreadable=unreadable,
            stage=_stage(e),
        )

    def default_rule(self, target: Target) -> Rule | None:
        """The template's rule for targets of this kind (defaults: ``>=``, ``qualitative`` …)."""
        name = self.t.defaults.get(target.op)
        return self.t.rules.get(name) if name else None

    def plain_leaf(
        self, e: Mapping[str, Any], at: JsonPath, parent: tuple[str, ...], t: TemplateNode | None
    ) -> Leaf | None:
        """The usual entry (text target and actual; weight, reported, note) read without the
        general path's bookkeeping: the same Leaf :meth:`leaf` would build, or ``None`` for
        anything else (another field, a value that does not read, a missing rule), which the
        general path then reads and reports. ``tests/property/test_fast_paths.py`` checks both
        agree."""
        if not _PLAIN_FIELDS.issuperset(e.keys()):
            return None
        raw_weight = e.get("weight")
        if t is not None:
            if t.weight is None or raw_weight is not None:
                return None  # the general path compares a stated weight with the template's
            weight: Decimal | None = t.weight
        else:
            weight = _plain_number(raw_weight)
        if weight is None:
            return None
        target_raw = e.get("target")
        if t is not None and t.target is not None:
            if target_raw is not None:
                return None
            target = t.target
            target_text = str(target)
        elif type(target_raw) is str:
            try:
                target = _parse_target(target_raw)
            except PerfscoreError:
                return None
            target_text = target_raw
        else:
            return None
        actual_raw = e.get("actual")
        actual: Actual | None = None
        if type(actual_raw) is str:
            try:
                actual = _parse_actual(actual_raw, target)
            except PerfscoreError:
                return None
            if "unreadable" in actual.flags and target.is_quantitative:
                return None  # the general path says where the number goes wrong
        elif actual_raw is not None:
            return None
        rule = t.rule if t is not None else None
        if rule is None:
            rule = self.default_rule(target)
        if rule is None:
            return None
        reported_raw = e.get("reported")
        reported = None
        if reported_raw is not None:
            reported = _plain_number(reported_raw)
            if reported is None:
                return None
        note = e.get("note")
        name = t.name if t is not None else str(e.get("name"))
        return Leaf(
            name=name,
            path=t.path if t is not None else (*parent, name),
            weight=weight,
            rule=rule,
            target=target,
            target_text=target_text,
            actual=actual,
            actual_text=actual_raw,
            actual_from=t.actual_from if t is not None else None,
            reported=reported,
            note=None if note is None else str(note),
            position=_pos(self.r, at),
            stage=_stage(e),
        )

    def actual(
        self, raw: Any, target: Target | None, r: Reader, at: JsonPath, path: tuple[str, ...]
    ) -> tuple[Actual | None, str | None, tuple[str, ...] | None]:
        if raw is None:
            return None, None, None
        if isinstance(raw, list):
            return None, None, tuple(str(x) for x in raw)
        text = str(raw)
        try:
            actual = _parse_actual(text, target)
        except PerfscoreError as err:
            r.add(err, at, path)
            return None, text, None
        if (
            not self.lenient
            and "unreadable" in actual.flags
            and target is not None
            and target.is_quantitative
        ):
            # Looks like a number but is not one (1,2345次, 1e5): say where, not "not a number".
            problem = actual_syntax_error(text)
            if problem is not None:
                r.add(problem, at, path)
                return None, text, None
        return actual, text, None
