"""Building: validated YAML documents → the frozen model of :mod:`perfscore.model`.

One pass over the whole document collects every problem (each with file:line:col and the
indicator path) and raises them together as :class:`~perfscore.errors.ValidationErrors`.
Checks made here, beyond the JSON Schema: weights sum exactly to their parent and the top level
to the total; sibling names are unique; referenced rules, inputs and computed values exist;
formulas parse against declared names; band and tier tables have no gaps or overlaps; target
and actual units are compatible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from ..core.findings import finding_from_error
from ..core.result import Finding
from ..errors import PerfscoreError, UnitError
from ..read import schema as _schema
from ..read.quickcheck import plainly_valid_form, plainly_valid_indicators
from ..read.reader import Reader, suggest
from ..read.yaml_document import Document, JsonPath
from ..text.actual import actual_syntax_error
from ..text.frozen import FrozenMap
from ..text.lazy import Text
from ..text.numbers import in_local_context
from ..text.quantity import Actual
from ..text.target import Target
from .form import _LEAF_FIELDS, _PLAIN_FIELDS, _budget, _inputs, _names, _plain_number, _sanitize
from .model import Form, Group, Leaf, Node, Rule, Template, TemplateNode
from .plain import bind_plain
from .template import (
    ZERO,
    _get,
    _n,
    _parse_actual,
    _parse_target,
    _pos,
    _raise,
    _rule_ref,
    _target,
    digest,
)

if TYPE_CHECKING:
    from .template import TemplateResolver

__all__ = ["build_form"]

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
    # Strict: ``indicators`` is checked by the plain binder as it reads them; only when it
    # steps aside does the quick check read them (and, when that fails, the schema).
    unchecked = False
    if lenient:
        if not plainly_valid_form(doc.data):  # a plainly valid form has nothing to drop
            doc, problems, broken = _sanitize(doc)
    elif not plainly_valid_form(doc.data, indicators=False):
        _raise(_schema.validate(doc, "form"), doc.file)
    else:
        unchecked = True
    data = doc.data
    if template is None:
        ref = data.get("template")
        try:
            template = resolve(ref if isinstance(ref, Mapping) else str(ref), doc, ("template",))
        except PerfscoreError:
            if unchecked:  # the schema's errors come first, as when it was checked first
                _check_indicators(doc)
            raise
    r = Reader(doc)
    budget, budget_unit = _budget(data.get("budget") or {}, r)
    inputs = _inputs(data.get("inputs") or {}, template, r)
    binder = _Binder(template, r, lenient, broken)
    # The plain path reads only what the form supplies; anything else goes the general way.
    bound = None if lenient else bind_plain(template, data.get("indicators"), r)
    nodes: tuple[Node, ...]
    if bound is not None:
        # its weights add up and its indicators are plainly valid; Form.nodes makes the tree
        nodes = cast("tuple[Node, ...]", bound)
    else:
        if unchecked:
            _check_indicators(doc)
        nodes = binder.nodes(template.nodes, data.get("indicators"), ("indicators",), ())
        top = sum((n.weight for n in nodes), ZERO)
    if bound is None and nodes and top != template.total:
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
        # read-only as the converter makes them (the values are Quantities: nothing to freeze)
        budget=FrozenMap(budget),
        budget_unit=budget_unit,
        inputs=FrozenMap(inputs),
        reported_total=reported_total,
        file=doc.file,
        # the template's own digest stands for its data: hashing it again per form is waste;
        # hashed when first read (Form.digest), as most batch forms are scored, never asked
        digest=cast("str", _deferred_digest(template.digest, data)),  # Form.digest makes the str
        data=data,
        findings=tuple(problems),
    )


def _deferred_digest(template_digest: str, data: Mapping[str, Any]) -> Text:
    # a module function: the closure holds the two values only, never the Form; hashed in
    # perfscore's context, as when it was hashed at once (str of a Decimal reads the context)
    return Text(lambda: _hash(template_digest, data))


_hash = in_local_context(digest)


def _check_indicators(doc: Document) -> None:
    """Raise the schema's errors unless the form's ``indicators`` are plainly valid."""
    if not plainly_valid_indicators(doc.data.get("indicators")):
        _raise(_schema.validate(doc, "form"), doc.file)


_STAGE_FIELDS = ("progress", "expected", "causes", "likelihood", "measures", "schedule")
_STAGE_SET = frozenset(_STAGE_FIELDS)


def _stage(e: Mapping[str, Any]) -> dict[str, Any]:
    """The monitoring fields of a leaf entry (read by perfscore monitor, not by scoring)."""
    if _STAGE_SET.isdisjoint(e):  # most entries: none
        return {}
    return {k: e[k] for k in _STAGE_FIELDS if e.get(k) is not None}


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
