"""What every rule kind shares: its input, its outcome and the RuleKind record."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..errors import EvaluationError
from ..read.reader import Reader
from ..read.yaml_document import JsonPath
from ..text.lazy import Text
from ..text.quantity import Quantity
from ..text.target import Target

__all__ = ["Outcome", "RuleKind", "ScoreInput"]

ZERO = Decimal(0)
ONE = Decimal(1)


@attrs.define  # made for every leaf of every form: plain slots, no frozen set-up cost
class ScoreInput:
    """What a rule sees when it scores one leaf (rules only read it)."""

    weight: Decimal  # effective weight (after 不适用 rescaling)
    target: Target | None
    actual: Quantity | None  # the actual as a quantity, in the target's unit where it has one
    word: str | None  # the actual as text, for qualitative rules
    items: tuple[str, ...] | None  # checklist items present
    given: Decimal | None  # a score stated in the form (manual, tiers)
    tier: str | None  # a tier stated in the form
    values: Mapping[str, Decimal]  # inputs, computed values and budget figures, for formulas
    named: Callable[[str], Quantity | None]  # the same values as quantities in their units
    budget: Mapping[str, Quantity]
    places: int


@attrs.define  # one per leaf per form, as ScoreInput
class Outcome:
    """What a rule decided: the unrounded score and why (never changed once made)."""

    raw: Decimal
    line: str  # stable id of what fired: "met", "ratio", "tier:达成", "band:2", "cap" …
    explanation: str | Text  # Text: rendered only when read (see perfscore.text.lazy)
    met: bool | None = None
    ratio: Decimal | None = None
    arithmetic: bool = True  # whether the explanation ends in an expression to show "= x → y"
    #: The expression's own value when the rule limited it to get ``raw`` (2 × 2 = 4, but the
    #: weight is 3): the explanation shows both. None: the expression's value is ``raw``.
    value: Decimal | None = None
    flags: tuple[str, ...] = ()
    tier: str | None = None
    status: str | None = None  # overrides the status derived from the score (tiers)


Parser = Callable[[Mapping[str, Any], Reader, JsonPath, Sequence[str]], Any]
Scorer = Callable[[Any, ScoreInput], Outcome]


@attrs.frozen
class RuleKind:
    name: str
    title: str
    parse: Parser
    score: Scorer
    needs_actual: bool = True
    #: For rules that may score a named value instead of the actual (bands ``of``).
    reads: Callable[[Any], str | None] | None = None


def _fail(message: str, **kwargs: Any) -> EvaluationError:
    return EvaluationError(message, **kwargs)


def _need_quantity(x: ScoreInput, what: str) -> tuple[Quantity, Quantity]:
    if x.target is None or x.target.quantity is None:
        raise _fail(f"{what}需要定量的指标值", value=x.target, expected="如 ≥10次、≤90万元")
    if x.actual is None:
        raise _fail(f"{what}需要数值型的实际完成值", value=x.word, expected="如 18次、95%")
    return x.target.quantity, x.actual
