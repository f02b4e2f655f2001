"""Formulas: parsed once at build time under an allow-list, evaluated with simpleeval on Decimals.

What a formula may contain (everything else is refused when the template is built):

- numbers (turned into ``Decimal`` from their exact text), ``+ - * /`` (also ``× ÷``), unary minus,
  parentheses (also full-width ``（）``);
- comparisons and ``and / or / not``, and ``a if cond else b``;
- names of declared inputs, computed values and the rule's own names (``actual``, ``target``,
  ``weight`` …); a name that is not a Python identifier is written in braces: ``{2023年决算数}``;
- calls to ``min``, ``max``, ``abs``, ``clamp(x, lo, hi)``, ``round(x, places)`` (四舍五入).

No attributes, subscripts, lambdas, comprehensions, strings, ``**`` or assignments. Length and
nesting are capped before parsing (see :class:`FormulaLimits`), so a hostile formula cannot hang
the parser or exhaust the stack.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, DecimalException, InvalidOperation, Subnormal, Underflow
from typing import Any

import attrs

from ..errors import FormulaError, InputTypeError, TargetSyntaxError
from ..read.reader import suggest
from ..text.numbers import DECIMAL_CONTEXT, MAX_SIGNIFICANT_DIGITS, parse_decimal

__all__ = ["FUNCTIONS", "Formula", "FormulaLimits", "compile_formula", "formula_limits"]


def _positive(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputTypeError(
            f"FormulaLimits.{attribute.name} 必须是正整数", value=value, expected="正整数"
        )


@attrs.frozen
class FormulaLimits:
    """Caps checked before a formula is parsed: its length in characters, the nesting of its
    parentheses and the number of its syntax nodes. Change them for a block of code with
    :func:`formula_limits` (templates built inside it are checked against the new caps)."""

    max_length: int = attrs.field(default=2000, validator=_positive)
    max_depth: int = attrs.field(default=40, validator=_positive)
    max_nodes: int = attrs.field(default=500, validator=_positive)


DEFAULT_LIMITS = FormulaLimits()
_CURRENT: ContextVar[FormulaLimits] = ContextVar("perfscore_formula_limits", default=DEFAULT_LIMITS)


@contextmanager
def formula_limits(limits: FormulaLimits) -> Iterator[FormulaLimits]:
    """Use ``limits`` for every formula compiled in this block (this thread/task only).

    ``with perfscore.formula_limits(FormulaLimits(max_length=5000)): perfscore.load_form(...)``
    """
    if not isinstance(limits, FormulaLimits):
        raise InputTypeError(
            f"formula_limits 需要 FormulaLimits，而不是 {type(limits).__name__}",
            value=repr(limits)[:80],
            expected="perfscore.FormulaLimits(...)",
        )
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(value, high))


#: round(x, places): places must be a whole number in this range (a huge one would make
#: quantize build a number with that many digits).
ROUND_PLACES = range(0, 11)


def _round(value: Decimal, places: Decimal | int = 0) -> Decimal:
    from ..text.numbers import quantize

    if places != int(places) or int(places) not in ROUND_PLACES:
        raise FormulaError(
            f"round 的小数位数应为 0 到 {ROUND_PLACES[-1]} 的整数", value=str(places)
        )
    return quantize(value, int(places))


# How many arguments each function takes (min, max); checked when the formula is compiled.
_ARITY: Mapping[str, tuple[int, int]] = {
    "min": (2, 64),
    "max": (2, 64),
    "abs": (1, 1),
    "clamp": (3, 3),
    "round": (1, 2),
}


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "clamp": _clamp,
    "round": _round,
}

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
)

_OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.USub: lambda a: -a,
    ast.UAdd: lambda a: +a,
    ast.Not: lambda a: not a,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}

_NODE_WORDS = {
    ast.Attribute: "属性访问（.）",
    ast.Subscript: "下标（[]）",
    ast.Lambda: "lambda",
    ast.ListComp: "推导式",
    ast.SetComp: "推导式",
    ast.DictComp: "推导式",
    ast.GeneratorExp: "推导式",
    ast.Pow: "乘方（**）",
    ast.NamedExpr: "赋值（:=）",
    ast.JoinedStr: "字符串",
    ast.List: "列表",
    ast.Tuple: "元组",
    ast.Dict: "字典",
    ast.Set: "集合",
    ast.Starred: "星号展开",
    ast.keyword: "关键字参数",
    ast.Await: "await",
    ast.Yield: "yield",
}

# Spellings people type in Chinese editors, mapped to Python's.
_TRANSLATE = str.maketrans(
    {"×": "*", "÷": "/", "（": "(", "）": ")", "，": ",", "－": "-", "＋": "+"}
)
_BRACED = r"\{([^{}]+)\}"  # compiled (and cached by ``re``) when a formula is first read


@attrs.frozen(eq=False)
class Formula:
    """A formula parsed and checked once; evaluate it as often as needed (thread-safe)."""

    text: str
    names: frozenset[str]
    _tree: ast.expr = attrs.field(repr=False)
    _aliases: tuple[tuple[str, str], ...] = attrs.field(repr=False)

    def evaluate(self, values: Mapping[str, Decimal]) -> Decimal:
        """Evaluate with ``values`` for the names; raises FormulaError on any arithmetic failure."""
        names = dict(values)
        for alias, real in self._aliases:
            if real in names:
                names[alias] = names[real]
        from simpleeval import SimpleEval  # type: ignore[import-untyped]  # first formula only

        evaluator = SimpleEval(operators=_OPERATORS, functions=dict(FUNCTIONS), names=names)
        try:
            with _context():
                result = evaluator.eval(self.text, previously_parsed=self._tree)
        except FormulaError:
            raise
        except ZeroDivisionError as exc:
            raise FormulaError("公式计算时除数为 0", value=self.text) from exc
        except (DecimalException, ArithmeticError) as exc:
            kind = (
                "除数为 0"
                if "DivisionByZero" in type(exc).__name__ or _is_div0(exc)
                else "无法计算"
            )
            raise FormulaError(f"公式计算时{kind}", value=self.text) from exc
        except Exception as exc:  # simpleeval reports missing names etc. with its own classes
            raise FormulaError(f"公式无法计算：{exc}", value=self.text) from exc
        if isinstance(result, bool):
            return Decimal(int(result))
        if not isinstance(result, Decimal):
            result = Decimal(result)  # ints from min/max of int constants; never floats
        if not result.is_finite():
            raise FormulaError("公式结果不是有限数值", value=self.text)
        if result and not -MAX_SIGNIFICANT_DIGITS <= result.adjusted() <= MAX_SIGNIFICANT_DIGITS:
            # An underflow (1/B/B/B) or a huge value: written out, it could be a million digits.
            raise FormulaError(
                f"公式结果的数量级超出范围（约 10^{result.adjusted()}，"
                f"允许 10^-{MAX_SIGNIFICANT_DIGITS} 到 10^{MAX_SIGNIFICANT_DIGITS}），"
                "可能是下溢或上溢",
                value=self.text,
            )
        return result

    def __reduce__(self) -> tuple[Any, ...]:
        # AST objects pickle, but re-compiling keeps the pickle small and the checks honest.
        return (_recompile, (self.text, tuple(sorted(self.names))))


def _recompile(text: str, names: tuple[str, ...]) -> Formula:
    # It passed the caps in force when it was built; caps that always hold for this text.
    n = len(text) + 2
    return compile_formula(text, names, limits=FormulaLimits(max(n, 2000), max(n, 40), 4 * n + 500))


def _is_div0(exc: BaseException) -> bool:
    return isinstance(exc, InvalidOperation) and "division" in str(exc).lower()


def _context() -> Any:
    from decimal import localcontext

    return localcontext(_FORMULA_CONTEXT)


#: Formulas also trap underflow and subnormal results (a value too small to hold its digits).
_FORMULA_CONTEXT = DECIMAL_CONTEXT.copy()
_FORMULA_CONTEXT.traps[Underflow] = True
_FORMULA_CONTEXT.traps[Subnormal] = True


def compile_formula(
    text: str, allowed: Iterable[str], *, limits: FormulaLimits | None = None
) -> Formula:
    """Parse ``text`` once, checking it against the allow-list and the declared ``allowed`` names.

    ``limits`` defaults to the ones in force (:func:`formula_limits`, else the defaults).
    Raises :class:`FormulaError` (its ``value`` is the formula, its ``hint`` the close match of
    an undeclared name) for anything that is not allowed.
    """
    limits = _CURRENT.get() if limits is None else limits
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("公式为空", value=text, expected="如 实际在职人数 / 编制数 的算式")
    if len(text) > limits.max_length:
        raise FormulaError(
            f"公式过长（{len(text)} 个字符，上限 {limits.max_length}）",
            value=text,
            hint="上限可用 perfscore.formula_limits(FormulaLimits(max_length=...)) 调整",
        )
    allowed_set = frozenset(allowed)
    # Python folds identifiers to NFKC while parsing (ｘ → x): map the folded spelling back to
    # the declared name, and refuse a folded spelling two declared names share.
    # Only a formula that NFKC changes needs the map (built once for it, never per name).
    folded: dict[str, list[str]] = {}
    if not unicodedata.is_normalized("NFKC", text):
        for declared in sorted(allowed_set):
            folded.setdefault(unicodedata.normalize("NFKC", declared), []).append(declared)
    aliases: list[tuple[str, str]] = []

    def brace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        alias = f"ψ{len(aliases)}"
        aliases.append((alias, name))
        return alias

    source = re.sub(_BRACED, brace, text.translate(_TRANSLATE)).strip()
    depth = _paren_depth(source)
    if depth > limits.max_depth:
        raise FormulaError(f"公式括号嵌套过深（{depth} 层，上限 {limits.max_depth}）", value=text)
    try:
        module = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise FormulaError(f"公式语法错误：{getattr(exc, 'msg', exc)}", value=text) from exc
    except (RecursionError, MemoryError) as exc:
        raise FormulaError("公式嵌套过深，无法解析", value=text) from exc

    used: set[str] = set()
    alias_map = dict(aliases)
    # Two passes: forbidden constructs first, so that `max(x for x in …)` is refused for its
    # comprehension rather than for its number of arguments.
    for count, node in enumerate(ast.walk(module), 1):
        if count > limits.max_nodes:
            raise FormulaError(f"公式过于复杂（超过 {limits.max_nodes} 个节点）", value=text)
        if not isinstance(node, _ALLOWED_NODES):
            word = _NODE_WORDS.get(type(node), type(node).__name__)
            raise FormulaError(
                f"公式中不允许使用{word}",
                value=text,
                expected="四则运算、比较、min/max/abs/clamp/round 和已声明的名称",
            )
    for node in ast.walk(module):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError("公式中只允许数字常量", value=text)
            literal = ast.get_source_segment(source, node) or repr(node.value)
            try:
                # The same grammar and digit cap as numbers in forms: no 1e999999999.
                node.value = parse_decimal(literal.replace("_", ""))  # type: ignore[assignment]
            except TargetSyntaxError as exc:
                raise FormulaError(
                    f"无法识别的数字“{literal}”", value=text, hint=exc.message
                ) from None
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise FormulaError(
                    "公式中只能直接调用函数名（不能调用表达式的结果）",
                    value=text,
                    expected="min、max、abs、clamp、round 之一",
                )
            if node.func.id not in FUNCTIONS:
                name = node.func.id
                raise FormulaError(
                    f"公式中不允许调用“{name}”",
                    value=text,
                    expected="min、max、abs、clamp、round 之一",
                    hint=suggest(name, FUNCTIONS),
                )
            if node.keywords:
                raise FormulaError("公式中的函数不接受关键字参数", value=text)
            low, high = _ARITY[node.func.id]
            if not low <= len(node.args) <= high:
                wanted = f"{low}" if low == high else f"{low} 到 {high}"
                raise FormulaError(
                    f"函数“{node.func.id}”需要 {wanted} 个参数，实际为 {len(node.args)} 个",
                    value=text,
                )
            places = node.args[1] if node.func.id == "round" and len(node.args) == 2 else None
            if isinstance(places, ast.Constant) and (
                not isinstance(places.value, int) or places.value not in ROUND_PLACES
            ):
                raise FormulaError(
                    f"round 的小数位数应为 0 到 {ROUND_PLACES[-1]} 的整数",
                    value=text,
                )
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS and _is_called(module, node):
                continue
            real = alias_map.get(node.id, node.id)
            if node.id not in alias_map:
                same = folded.get(real, ())
                if len(same) > 1:
                    raise FormulaError(
                        f"公式中的名称无法区分：{'、'.join(f'“{n}”' for n in same)}"
                        "在公式里是同一个名称（全角与半角等写法经 NFKC 规范化后相同）",
                        value=text,
                        hint="请改用写法不同的名称，或在公式中用 {名称} 的形式写出",
                    )
                if same and same[0] != real:
                    real = same[0]
                    node.id = real  # evaluated with the declared spelling
            if real not in allowed_set:
                raise FormulaError(
                    f"公式中的名称“{real}”未声明",
                    value=text,
                    expected="已声明的输入项、计算项或规则变量",
                    hint=suggest(real, allowed_set),
                )
            used.add(real)
    return Formula(text=text, names=frozenset(used), tree=module.body, aliases=tuple(aliases))


def _is_called(module: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(module))


def _paren_depth(source: str) -> int:
    depth = best = 0
    for ch in source:
        if ch == "(":
            depth += 1
            best = max(best, depth)
        elif ch == ")":
            depth -= 1
    return best
