"""The synthetic system's scoring as a GoRules ZEN decision (JDM), the benchmark's third column.

Two variants, chosen by ``parse`` in ``decision_model(n, parse)`` and ``make_decision(n, parse)``
(``score`` and ``score_many`` follow the decision's; the default is ``"zen"``):

* ``parse="zen"``: ZEN parses the text. The context is the form as it is; the graph is 表单 →
  指标清单 (expression: the leaves as a list with their weights, and the execution-rate item) →
  评分规则 (decision table, once per leaf: the rule from the target's comparator, the share of
  the weight from the actual word) → 得分计算 (expression, once per leaf: parse the numbers with
  ``startsWith``/``extract``/``number``, ratio, round to cents) → 汇总 (expression: total,
  scores by name) → 等级 (decision table) → 输出.
* ``parse="python"``: Python parses the text, ZEN applies the rules. ``prepare(form,
  "python")`` reads every target/actual with a precompiled regex (the floor's grammar) into,
  per leaf name, the comparator (``">="``/``"<="``) and target and actual as decimal strings
  (percent divided by 100), or the actual word; it counts in the variant's time. The graph is
  表单 → 指标清单 (expression: the leaves with the template's weights, the qualitative ones, the
  rate) → 定性档次 (decision table, once per qualitative leaf: word → share of the weight) →
  得分计算 (expression: every ratio in one ``map``, capped at the weight, rounded to cents; the
  word scores) → 汇总 → 等级 → 输出.

µs per form, measured in one run (zen-engine 2.1.3, the 2,000 forms of ``synthetic.forms``,
median of 7 runs interleaved zen/python/floor, two cores shared with other work; three such
runs agreed within 4 %):

==========================================================  ======  ======  ========
``score``: prepare + ``engine.evaluate`` + result to cents   wall    CPU     × floor
==========================================================  ======  ======  ========
``parse="zen"``                                              505     505     14.4
``parse="python"``                                           109     109     3.1
the floor (``floor.score``)                                  35.0    35.0    1
==========================================================  ======  ======  ========

Measured apart (so the parts add up to a little more), ``parse="python"`` spends about 30 µs
in ``prepare``, 77 in ``engine.evaluate`` (by ZEN's trace 指标清单 19, 定性档次 12, 得分计算
13, 汇总 9, 等级 2; the rest is taking the context in and the result out) and 12 converting
the result. Its graph differs from the zen variant's because a node in loop mode costs about
2 µs per item however little it does: the zen variant's graph with only the parsing moved to
Python (the same loop nodes over all 20 leaves, number strings in the context) takes about
150 µs a form. Numbers go in as decimal strings that ZEN's ``number`` reads exactly: a Python
float reaches ZEN through rust_decimal's ``from_f64``, which gave 25,000 random short
decimals back unchanged, but not by construction, and floats saved only about 8 µs a form.

Which call is fastest (zen-engine 2.1.3, 500 forms, µs/form wall / CPU, median of 5, on two
cores shared with other work, so ±20 %):

==============================================================  =============  ============
``engine.create_decision(json_text).evaluate(form)``             850-2400       840-1060
``engine.create_decision(ZenDecisionContent(text)).evaluate``    630-1600       620-780
``engine.evaluate(key, form)``, model in a static loader         505-520        505-515
  the same with the context as JSON text, or ``trace: False``    same           same
``engine.evaluate_batch([...])``                                  290-610        550-570
``engine.async_evaluate`` + ``asyncio.gather``                    ~580           ~580
==============================================================  =============  ============

``score`` uses ``engine.evaluate(key, …)``: it runs on the calling thread with expressions
compiled once. A decision made from a JSON string recompiles every expression on every call;
``ZenDecisionContent`` compiles once, but ``ZenDecision.evaluate`` hands each call to ZEN's
worker thread (one context switch per call: 80 µs CPU, 105-170 µs wall for a one-expression
graph that ``engine.evaluate`` runs in 4 µs). ``evaluate_batch`` (``score_many``) spreads a
batch over the worker threads: faster in wall time only when a second core is free, and 7 %
more CPU per form. ``async_evaluate`` gains nothing and, in 2.1.3, makes the interpreter
segfault at exit (exit code 139, every time), so it is not used.

Where the time goes (ZEN's trace, median per form): 得分计算 440 µs of 540, because ZEN builds
the regex of every ``extract``/``matches`` call afresh (``Regex::new`` per call, no cache):
13 µs for ``[0-9.]+``, 100 µs for the floor's grammar with Unicode ``\\d``/``\\s``, times 30
numbers a form. 评分规则 takes 60 µs, the rest under 30 µs. Hence ``parse="python"``, where
Python's ``re`` compiles the pattern once.

ZEN's numbers, checked against the floor (2,000 forms, both variants: every item, total and
grade agree):

* Decimal (rust_decimal: 96-bit integer, up to 28 decimal places): ``2/3`` is
  0.6666666666666666666666666667; ``1157/919`` keeps 29 significant digits where the floor's
  ``prec=28`` keeps 28, a difference that never reaches the cents here.
* ``round(x, 2)`` rounds half away from zero (not rust_decimal's default half-even), which is
  ``ROUND_HALF_UP`` for these non-negative scores: 339 of the 32,000 numeric items are
  half-cent ties where half-even would differ, and all agree.
* Results reach Python as floats, converted lossily (``1/3`` comes back as
  0.33333333333333337, not the nearest double), so items are rounded in the model and the
  total is the sum of the rounded items in the model; ``Decimal(str(x))`` then gives the cents.
* ``extract`` leaves out groups that took no part in the match, so optional groups shift the
  indices; string literals have no escapes; ``len`` counts UTF-8 bytes; identifiers are
  ASCII, so Chinese keys are read as ``indicators["产出指标"]``.

Run ``python benchmarks/zen_rules.py`` for both variants' agreement check and the µs/form
above (``--paths`` adds the table of calls, for ``parse="zen"``).
"""

from __future__ import annotations

import functools
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import floor
import synthetic
from synthetic import leaves

__all__ = [
    "Decision",
    "decision_model",
    "disagreements",
    "make_decision",
    "prepare",
    "score",
    "score_many",
    "time_per_form",
    "timings",
]

_CENT = Decimal("0.01")

#: The number in a target/actual text ("≥919次", "96.5%", "≤9.3万元"). The comparator is read
#: with ``startsWith`` and percent with ``endsWith``, and ``number`` rejects a malformed match,
#: so the pattern can stay this small: ZEN compiles the pattern of every ``extract`` call afresh
#: (no cache), and the compile time grows with the pattern (13 µs for this one, 100 µs for the
#: floor's full grammar with Unicode ``\d``/``\s``).
_NUMBER = "[0-9.]+"
_GOOD = ("达成", "全部达成", "显著提升", "有效提升", "已建立", "健全")
_PART = ("基本达成", "部分达成", "有所提升", "初步建立")
#: ``parse="python"``: the floor's grammar of a target/actual, compiled once (comparator,
#: number, unit); a target is numeric when it starts with a digit or one of _COMPARATORS.
_TEXT = re.compile(r"^(≥|≧|>=|≤|≦|<=)?\s*(\d+(?:\.\d+)?)\s*(%|[^\d\s]*)$")
_UPPER = frozenset(("≤", "≦", "<="))
_COMPARATORS = "≥≧>≤≦<"


def _str(text: str) -> str:
    """A ZEN string literal: ZEN's lexer takes the text between quotes as is (no escapes)."""
    if '"' in text:
        raise ValueError(f"no quote in a ZEN string literal: {text!r}")
    return f'"{text}"'


def _words(words: Iterable[str]) -> str:
    """A unary decision-table cell matching any of ``words``: ``"a", "b"``."""
    return ", ".join(_str(w) for w in words)


def _starts(*prefixes: str) -> str:
    """A unary cell: the text starts with one of ``prefixes`` (no regex: ZEN compiles each
    ``matches``/``extract`` pattern afresh on every call, 10-100 µs each)."""
    return " or ".join(f"startsWith($, {_str(p)})" for p in prefixes)


def _number(field: str) -> str:
    """ZEN expression: the number in text ``field`` (percent divided by 100, as the floor does)."""
    return f'number(extract({field}, {_str(_NUMBER)})[0]) / (endsWith({field}, "%") ? 100 : 1)'


def _node(
    id_: str, name: str, type_: str, x: int, content: dict[str, Any] | None = None
) -> dict[str, Any]:
    node: dict[str, Any] = {"id": id_, "name": name, "type": type_, "position": {"x": x, "y": 0}}
    if content is not None:
        node["content"] = content
    return node


def _table(
    inputs: list[tuple[str, str]],
    outputs: list[str],
    rules: list[tuple[list[str], list[str]]],
    **transform: Any,
) -> dict[str, Any]:
    """Decision-table content: inputs are (label, field), rules are (input cells, output cells)."""
    in_ids = [f"in{i}" for i in range(len(inputs))]
    out_ids = [f"out{i}" for i in range(len(outputs))]
    return {
        "hitPolicy": "first",
        "inputs": [
            {"id": i, "name": label, "field": field}
            for i, (label, field) in zip(in_ids, inputs, strict=True)
        ],
        "outputs": [
            {"id": o, "name": field, "field": field}
            for o, field in zip(out_ids, outputs, strict=True)
        ],
        "rules": [
            {
                "_id": f"r{n}",
                **dict(zip(in_ids, cells, strict=True)),
                **dict(zip(out_ids, outs, strict=True)),
            }
            for n, (cells, outs) in enumerate(rules)
        ],
        **transform,
    }


def _expressions(pairs: list[tuple[str, str]], **transform: Any) -> dict[str, Any]:
    return {
        "expressions": [{"id": f"e{i}", "key": k, "value": v} for i, (k, v) in enumerate(pairs)],
        **transform,
    }


_Leaves = list[tuple[str, str, str, Decimal, str, str]]


def _rate() -> tuple[str, str]:
    """The execution-rate item, from the budget's number strings (no regex: ``number``)."""
    executed, budget = 'number(budget["全年执行数"])', 'number(budget["全年预算数"])'
    # round(x, 2) rounds half away from zero: ROUND_HALF_UP for these non-negative scores.
    return "rate", f"round(min([{executed} / {budget}, 1]) * 10, 2)"


def _by_name(items: _Leaves, score: Callable[[int, str], str]) -> tuple[str, str]:
    """Scores keyed by indicator name, the shape of the other engines' results."""
    pairs = ", ".join(
        f"{_str(name)}: {score(i, name)}" for i, (*_, name, _w, _k, _u) in enumerate(items)
    )
    return "scores", f'{{"预算执行率": rate, {pairs}}}'


def _zen_nodes(items: _Leaves) -> list[dict[str, Any]]:
    """parse="zen": 指标清单 → 评分规则 (table, loop) → 得分计算 (expressions, loop) → 汇总."""
    entries = []
    for top, mid, name, weight, _kind, _unit in items:
        path = f"indicators[{_str(top)}][{_str(mid)}][{_str(name)}]"
        entries.append(
            f"{{name: {_str(name)}, weight: {weight}, "
            f"target: {path}.target, actual: {path}.actual}}"
        )
    flatten = _expressions([("items", "[" + ", ".join(entries) + "]"), _rate()])
    per_leaf = {"executionMode": "loop", "inputField": "items", "outputPath": "items"}
    rules = _table(
        [("目标值", "target"), ("实际值", "actual")],
        ["rule", "share", "less"],
        [
            ([_starts(">=", "≥", "≧"), ""], ['"正向"', "1", "0"]),
            ([_starts("<=", "≤", "≦"), ""], ['"反向"', "1", "0"]),
            (["", _words(_GOOD)], ['"定性"', "1", "0"]),
            # [60%, 80%) tops at 80% less one cent (perfscore's top of a half-open tier).
            (["", _words(_PART)], ['"定性"', "0.8", "0.01"]),
            (["", ""], ['"定性"', "0.6", "0.01"]),
        ],
        passThrough=True,
        **per_leaf,
    )
    ratio = _expressions(
        [
            # Qualitative leaves have no numbers: the ternary short-circuits.
            ("goal", f'rule == "定性" ? null : {_number("target")}'),
            ("value", f'rule == "定性" ? null : {_number("actual")}'),
            (
                "score",
                "round("
                'rule == "正向" ? ($.value >= $.goal ? weight : $.value / $.goal * weight) : '
                'rule == "反向" ? ($.value <= $.goal ? weight : $.goal / $.value * weight) : '
                "weight * share - less, 2)",
            ),
        ],
        passThrough=True,
        **per_leaf,
    )
    summary = _expressions(
        [
            ("total", "rate + sum(map(items, #.score))"),
            _by_name(items, lambda i, _name: f"items[{i}].score"),
        ]
    )
    return [
        _node("flatten", "指标清单", "expressionNode", 200, flatten),
        _node("rules", "评分规则", "decisionTableNode", 400, rules),
        _node("ratio", "得分计算", "expressionNode", 600, ratio),
        _node("summary", "汇总", "expressionNode", 800, summary),
    ]


def _python_nodes(items: _Leaves) -> list[dict[str, Any]]:
    """parse="python": 指标清单 → 定性档次 (table, loop over the qualitative leaves only)
    → 得分计算 (expressions: every ratio in one ``map``) → 汇总.

    A node in loop mode costs about 2 µs per item however little it does, so the per-leaf
    arithmetic is one ``map`` over the list and the table only sees the leaves with a word.
    """
    fields = ("cmp", "goal", "value", "word")
    entries = []
    for *_, name, weight, _kind, _unit in items:
        leaf = f"leaves[{_str(name)}]"  # prepare's parsed leaf
        parsed = ", ".join(f"{k}: {leaf}.{k}" for k in fields)
        entries.append(f"{{name: {_str(name)}, weight: {weight}, {parsed}}}")
    flatten = _expressions(
        [
            ("items", "[" + ", ".join(entries) + "]"),
            # The form decides (the floor's rule): no comparator means a qualitative leaf.
            ("words", "filter($.items, #.cmp == null)"),
            _rate(),
        ]
    )
    shares = _table(
        [("实际值", "word")],
        ["share", "less"],
        [
            ([_words(_GOOD)], ["1", "0"]),
            # [60%, 80%) tops at 80% less one cent (perfscore's top of a half-open tier).
            ([_words(_PART)], ["0.8", "0.01"]),
            ([""], ["0.6", "0.01"]),
        ],
        passThrough=True,
        executionMode="loop",
        inputField="words",
        outputPath="words",
    )
    goal, value = "number(#.goal)", "number(#.value)"
    ratio = _expressions(
        [
            # ">=" is 正向 (actual over target), "<=" is 反向 (target over actual), capped at
            # the weight; null for a qualitative leaf.
            (
                "ratios",
                "map(items, #.cmp == null ? null : round("
                f'#.cmp == "<=" ? ({value} <= {goal} ? #.weight : {goal} / {value} * #.weight)'
                f" : ({value} >= {goal} ? #.weight : {value} / {goal} * #.weight), 2))",
            ),
            ("shares", "map(words, {name: #.name, score: round(#.weight * #.share - #.less, 2)})"),
        ],
        passThrough=True,
    )

    def by_name(i: int, name: str) -> str:
        # Where the leaf is in ``shares`` depends on the form: looked up only when qualitative.
        return f"ratios[{i}] ?? filter(shares, #.name == {_str(name)})[0].score"

    summary = _expressions(
        [
            ("total", "rate + sum(filter(ratios, # != null)) + sum(map(shares, #.score))"),
            _by_name(items, by_name),
        ]
    )
    return [
        _node("flatten", "指标清单", "expressionNode", 200, flatten),
        _node("shares", "定性档次", "decisionTableNode", 400, shares),
        _node("ratio", "得分计算", "expressionNode", 600, ratio),
        _node("summary", "汇总", "expressionNode", 800, summary),
    ]


def decision_model(n: int = 20, parse: str = "zen") -> dict[str, Any]:
    """The JDM graph scoring one form of the ``n``-leaf synthetic system.

    ``parse="zen"`` (the context is the form; the model parses the text with ``startsWith``,
    ``extract``, ``number``):

    表单 → 指标清单 (expression: the template's leaves as a list, and the execution-rate item)
         → 评分规则 (decision table, per leaf: rule from the target's comparator; share of the
           weight from the actual word for qualitative leaves)
         → 得分计算 (expression, per leaf: parse numbers, ratio, round to cents)
         → 汇总 (expression: total) → 等级 (decision table) → 输出

    ``parse="python"`` (the context is ``prepare(form, "python")``: per leaf the comparator,
    target and actual as decimal strings, or the word):

    表单 → 指标清单 (expression: the leaves with their weights, the qualitative ones, the rate)
         → 定性档次 (decision table, per qualitative leaf: share of the weight from the word)
         → 得分计算 (expression: ratios of all numeric leaves, rounded to cents; word scores)
         → 汇总 (expression: total) → 等级 (decision table) → 输出

    Grade limits follow the template (0.9/0.8/0.6 of the full score), the floor's fixed 90/80/60
    only at n = 20. With ``parse="zen"`` a target with no comparator falls to the qualitative
    rows, where the floor would score it as positive (``prepare(form, "python")`` follows the
    floor); synthetic forms never have one.
    """
    if parse not in _PREPARE:
        raise ValueError(f"parse must be one of {sorted(_PREPARE)}: {parse!r}")
    items = leaves(n)
    full = Decimal(10) + sum((w for *_, w, _k, _u in items), Decimal(0))
    grade = _table(
        [("总分", "total")],
        ["grade"],
        [
            ([f">= {full * Decimal('0.9')}"], ['"优"']),
            ([f">= {full * Decimal('0.8')}"], ['"良"']),
            ([f">= {full * Decimal('0.6')}"], ['"中"']),
            ([""], ['"差"']),
        ],
        passThrough=True,
    )
    nodes = [
        _node("form", "表单", "inputNode", 0),
        *(_zen_nodes(items) if parse == "zen" else _python_nodes(items)),
        _node("grade", "等级", "decisionTableNode", 1000, grade),
        _node("result", "输出", "outputNode", 1200),
    ]
    edges = [
        {"id": f"{a}-{b}", "sourceId": a, "targetId": b, "type": "edge"}
        for a, b in zip([n["id"] for n in nodes], [n["id"] for n in nodes[1:]], strict=False)
    ]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def _as_is(form: dict[str, Any]) -> dict[str, Any]:
    return form


def _number_text(text: str) -> tuple[str | None, str]:
    """(comparator or None, the number as an ASCII decimal string, percent divided by 100)."""
    match = _TEXT.match(text)
    if match is None:
        raise ValueError(f"not a number: {text!r}")
    comparator, number, unit = match.groups()
    if unit == "%":
        number = str(Decimal(number).scaleb(-2))  # only the exponent moves: exact
    elif not number.isascii():  # other Unicode digits, which ``\d`` and Decimal take
        number = str(Decimal(number))
    return comparator, number


def _parse_leaves(form: dict[str, Any]) -> dict[str, Any]:
    """The budget as is, and every leaf of the form by name: comparator, target and actual as
    decimal strings (percent divided by 100), or the actual word of a qualitative leaf."""
    parsed: dict[str, dict[str, str | None]] = {}
    for mids in form["indicators"].values():
        for names in mids.values():
            for name, entry in names.items():
                target, actual = entry["target"], entry["actual"]
                if target[0].isdigit() or target[0] in _COMPARATORS:  # the floor's test
                    comparator, goal = _number_text(target)
                    parsed[name] = {
                        "cmp": "<=" if comparator in _UPPER else ">=",
                        "goal": goal,
                        "value": _number_text(actual)[1],
                        "word": None,
                    }
                else:
                    parsed[name] = {"cmp": None, "goal": None, "value": None, "word": actual}
    return {"budget": form["budget"], "leaves": parsed}


_PREPARE: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "zen": _as_is,
    "python": _parse_leaves,
}


def prepare(form: dict[str, Any], parse: str = "zen") -> dict[str, Any]:
    """ZEN's input context. ``parse="zen"``: the form as it is, the model parses the text.
    ``parse="python"``: the budget as is, and per leaf name the comparator (``">="``/``"<="``),
    target and actual as decimal strings (percent divided by 100; ZEN's ``number`` reads them
    exactly), or for a qualitative leaf the actual word."""
    return _PREPARE[parse](form)


@dataclass(frozen=True)
class Decision:
    """A ZEN engine holding the compiled model under ``key``, the item names in order, and
    where the text is parsed (``"zen"``: in the model; ``"python"``: in ``prepare``)."""

    engine: Any  # zen.ZenEngine (zen-engine is optional, so not imported at module level)
    key: str
    names: tuple[str, ...]
    parse: str = "zen"


def make_decision(n: int = 20, parse: str = "zen") -> Decision:
    """Build once: the engine with the model in a static loader, compiled on first use.

    ``engine.evaluate(key, …)`` with a static loader runs on the calling thread with the
    model's expressions compiled once; ``engine.create_decision(...).evaluate`` hands every call
    to ZEN's worker thread (a context switch per form) and, given the model as a string,
    recompiles every expression on every call. See the module docstring for the numbers.
    """
    try:
        import zen
    except ImportError as exc:  # a benchmark-only dependency
        raise ImportError("the ZEN comparison needs zen-engine: pip install zen-engine") from exc
    model = decision_model(n, parse)
    key = f"synthetic-{n}-{parse}"
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {key: model}}})
    names = ("预算执行率", *(name for _t, _m, name, *_ in leaves(n)))
    return Decision(engine, key, names, parse)


Scores = tuple[dict[str, Decimal], Decimal, str]


def _cents(x: float | int) -> Decimal:
    # ZEN computes in decimals but hands Python floats; the model already rounded to cents, so
    # str() of the nearest double gives the cents back and quantize only fixes the exponent.
    return Decimal(str(x)).quantize(_CENT)


def _scores(decision: Decision, result: dict[str, Any]) -> Scores:
    by_name = result["scores"]
    items = {name: _cents(by_name[name]) for name in decision.names}
    return items, _cents(result["total"]), result["grade"]


def score(decision: Decision, form: dict[str, Any]) -> Scores:
    """(item scores by name incl. 预算执行率, total, grade) for one form: ``prepare`` for the
    decision's ``parse``, ``engine.evaluate``, and the result back to ``Decimal``."""
    response = decision.engine.evaluate(decision.key, _PREPARE[decision.parse](form))
    return _scores(decision, response["result"])


def score_many(decision: Decision, forms: Iterable[dict[str, Any]]) -> list[Scores]:
    """Many forms in one ``evaluate_batch`` call: ZEN spreads them over its worker threads, so
    it only beats a loop of ``score`` when a second core is free (more CPU per form)."""
    prep = _PREPARE[decision.parse]
    requests = [{"key": decision.key, "context": prep(form)} for form in forms]
    out = []
    for response in decision.engine.evaluate_batch(requests):
        if not response.get("success"):
            raise RuntimeError(response.get("error"))
        out.append(_scores(decision, response["data"]["result"]))
    return out


def time_per_form(decision: Decision, forms: Sequence[dict[str, Any]], repeat: int = 5) -> float:
    """Median over ``repeat`` runs of seconds per form for ``score`` (after one warm-up form)."""
    score(decision, forms[0])
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for form in forms:
            score(decision, form)
        runs.append((time.perf_counter() - start) / len(forms))
    return statistics.median(runs)


def timings(
    forms: Sequence[dict[str, Any]], repeat: int = 7, n: int = 20
) -> dict[str, tuple[float, float]]:
    """µs/form (wall, CPU of this process), median of ``repeat`` runs over ``forms``, for ZEN
    with each ``parse`` (``score``: prepare, evaluate, convert) and the floor. The runs are
    interleaved (zen, python, floor, zen, …) so a slow spell of a shared machine hits all."""
    shape = floor.structure(n)
    runs: dict[str, Callable[[dict[str, Any]], object]] = {
        f"zen, parse={parse}": functools.partial(score, make_decision(n, parse))
        for parse in _PREPARE
    }
    runs["floor"] = functools.partial(floor.score, structure=shape)
    for run in runs.values():
        run(forms[0])  # warm-up: ZEN compiles the model on first use
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            for form in forms:
                run(form)
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {
        name: (
            statistics.median(walls[name]) / len(forms) * 1e6,
            statistics.median(cpus[name]) / len(forms) * 1e6,
        )
        for name in runs
    }


def disagreements(decision: Decision, forms: Iterable[dict[str, Any]]) -> list[str]:
    """Where ZEN and the floor differ (item, total or grade), one line each."""
    shape = floor.structure(len(decision.names) - 1)
    out = []
    for form in forms:
        items, total, grade = score(decision, form)
        want = floor.score(form, shape)
        got = {"items": items, "total": total, "grade": grade}
        for field in ("items", "total", "grade"):
            if got[field] != want[field]:
                out.append(f"{form['unit']} {field}: zen {got[field]} floor {want[field]}")
    return out


def compare_paths(
    forms: Sequence[dict[str, Any]], repeat: int = 5
) -> dict[str, tuple[float, float]]:
    """µs/form (wall, CPU of this process) for each way the Python binding can evaluate."""
    import zen

    decision = make_decision()
    engine, key = decision.engine, decision.key
    text = json.dumps(decision_model(), ensure_ascii=False)
    from_text = engine.create_decision(text)
    compiled = engine.create_decision(zen.ZenDecisionContent(text))

    paths = {
        "create_decision(json).evaluate": lambda: [from_text.evaluate(f) for f in forms],
        "create_decision(ZenDecisionContent).evaluate": lambda: [
            compiled.evaluate(f) for f in forms
        ],
        "engine.evaluate(key), static loader": lambda: [engine.evaluate(key, f) for f in forms],
        "  the same, context as JSON text": lambda: [
            engine.evaluate(key, json.dumps(f, ensure_ascii=False)) for f in forms
        ],
        "engine.evaluate_batch": lambda: engine.evaluate_batch(
            [{"key": key, "context": f} for f in forms]
        ),
    }
    out = {}
    for name, run in paths.items():
        run()
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        out[name] = (
            statistics.median(walls) / len(forms) * 1e6,
            statistics.median(cpus) / len(forms) * 1e6,
        )
    return out


def main() -> None:
    forms = list(synthetic.forms(2000))
    for parse in _PREPARE:
        bad = disagreements(make_decision(parse=parse), forms)
        print(
            f"parse={parse}: agreement with the floor on {len(forms)} forms: {len(bad)} differences"
        )
        for line in bad[:10]:
            print("  " + line)
    measured = timings(forms)
    floor_wall, floor_cpu = measured["floor"]
    for name, (wall, cpu) in measured.items():
        print(
            f"{name:17} wall {wall:7.1f} µs/form ({wall / floor_wall:4.1f}× floor)"
            f"  cpu {cpu:7.1f} µs/form ({cpu / floor_cpu:4.1f}× floor)"
        )
    if "--paths" in sys.argv:
        for name, (wall, cpu) in compare_paths(forms[:500]).items():
            print(f"{name:46} wall {wall:7.1f} µs/form  cpu {cpu:7.1f} µs/form")


if __name__ == "__main__":
    main()
