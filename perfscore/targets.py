"""Targets (年度指标值) and actual values (实际完成值), as people write them.

Reading
=======

Text is first *folded* one character to one character (full-width ``＞＝``, ``％``, ``１２``,
``（含）``, ``～`` and look-alikes ``≧ ≦ ⩾ ⩽ ﹦`` become ``>=``, ``%``, ``12``, ``(含)``, ``~``,
``≥``, ``≤``, ``=``), so positions in error messages are positions in what the user wrote.
Whitespace between the parts is ignored (``300 公里``, ``≥ 10 次``).

A target is one of::

    comparison  = [prefix] quantity [suffix [qualifier]]     ≥10次  不低于95%  10次以上(含)
    range       = quantity sep quantity                       90%-100%  90%～100%  90%至100%
    interval    = ("[" | "(") end "," end ("]" | ")")         [80%, 100%]  (0, 10%]  (30%, +∞)
    quantity    = number [unit]                               4073.53万元  98%  150万  0
    qualitative = anything else                               出台  未发生  每月15日前足额发放

- prefix (longest spelling wins, so 不超过 is ≤ while 超过 is >):
  ``>=`` ≥ ≧ ⩾ ＞＝ 大于等于 大于或等于 不低于 不少于 不小于;
  ``<=`` ≤ ≦ ⩽ 小于等于 小于或等于 不高于 不超过 不大于 不多于;
  ``=`` = == ＝ ﹦ 等于; ``>`` > ＞ 大于 高于 超过 多于; ``<`` < ＜ 小于 低于 少于 不满 不足.
- suffix (Chinese legal reading: 以上/以下/以内 include the number, 以外 excludes it):
  以上 及以上 或以上 → ``>=``; 以下 及以下 或以下 以内 之内 → ``<=``; 以外 → ``>``.
- qualifier after a suffix: ``(含)`` / ``(含本数)`` make it inclusive, ``(不含)`` /
  ``(不含本数)`` exclusive: ``100%以下(含)`` is ≤100%, ``100%以下(不含)`` is <100%.
- a quantity with no comparator means ``=`` (``100%`` → ``=100%``, flag ``implicit_equal``).
- sep: ``-`` ``~`` ``～`` ``—`` ``–`` 至 到. A range includes both ends.
- interval ends: a quantity, or ``-∞`` (low) / ``+∞`` ``∞`` (high); an infinite end is open.
  In a range or interval, an end written without a unit takes the other end's unit
  (``90-100%`` is ``[90%, 100%]``, ``(0, 10%]`` is ``(0%, 10%]``).

Qualitative text or a malformed target: the boundary
----------------------------------------------------

Text that reads under the grammar above is a quantitative target. Text that does not read is a
*malformed* target (:class:`~perfscore.errors.TargetSyntaxError`, with a caret under the
problem and the accepted spellings) when it shows quantitative intent, and otherwise a
*qualitative* target whose word is the text as written (stripped). Quantitative intent means,
after folding and stripping:

1. the text starts with a comparison symbol ``≥ ≤ > < =`` (in any spelling listed above); or
2. it ends with ``(含)`` / ``(不含)`` that does not follow 以上/以下/以内/以外; or
3. once a leading word comparator (不低于 …) and a trailing suffix/qualifier (以上, (含) …) are
   removed, what is left contains a digit or ``∞`` and consists only of digits, whitespace,
   the characters ``+ - . , % ‰ ~ ∞ [ ] ( ) / e E — –``, 至 到, and characters that occur
   in unit spellings (元 万 次 人 天 公 里 m k …, see ``_units.UNIT_CHARACTERS``): a number
   with something unit-like after it.

So ``≥``, ``≥abc%``, ``≥1,2,3次``, ``≥12%%``, ``>=<5``, ``12,34``, ``1e5``, ``90-``,
``[1, 2``, ``不低于12%%``, ``10次(含)``, ``90%-100次`` and ``18人天`` (人天 is not a known
unit) are errors, while ``出台``, ``年``, ``未发生``, ``下降100%``, ``100%完成``,
``2023年完成全部既定目标``, ``每月15日前足额发放``, ``12个月内完成``, ``不低于上年`` and
``不低于90%的水平`` are qualitative (they contain words that are neither numbers nor units).
Qualitative targets whose text contains digits carry the flag ``numeric_text`` so a reviewer
can look at them. Known limit: a word comparator followed by a number that happens to read as
a quantity is taken as one (``高于2022年`` is ``>2022年``).

Canonical form
==============

``str(target)`` is canonical and reads back to an equal target (``parse_target(str(t)) == t``):
``≥10次``, ``>92%``, ``≤4073.53万元``, ``=100%``, ranges always in interval notation
``[90%, 100%]`` (the only notation that can show open ends), qualitative targets as their word.
Numbers keep the digits as written (``100.0%`` stays ``100.0%``); unit aliases take their
canonical symbol (``百分比`` → ``%``, ``km`` → ``公里``, ``㎡`` → ``平方米``). A multi-word
qualitative target (only from :meth:`Target.from_mapping`) prints its words joined by ``、``,
which reads back as one word.

Actuals
=======

:func:`parse_actual` never raises for text it cannot read as a quantity: such text is a word
(``下降100%``, ``较大改善``). It only raises :class:`~perfscore.errors.UnitError` for a
readable quantity in a unit that cannot be compared with the target's (``18个`` against
``≥10次``). Special strings (compared after folding, stripping, removing inner whitespace and
lower-casing Latin letters):

- missing (``is_missing``): ``None``, empty/whitespace, ``-`` ``--`` ``---`` ``—`` ``——``
  ``–`` ``－``, 无数据 暂无数据 暂无 未填 未填报;
- not applicable (``is_not_applicable``): 不适用 不涉及 无此项 ``/`` ``／`` ``N/A`` ``NA``.

``无`` is *not* missing: it is a legitimate answer (no accidents happened) and stays a word.

Flags on an actual: ``repeated_comparator`` (written with a comparator, ``≧95%``: the number is
used), ``unit_inherited`` (a bare number, or one with only 万/亿, took the target's unit),
``unreadable`` (looked like a quantity but could not be read; kept as a word).

Comparing
=========

:class:`Quantity` compares exactly across units of one family (``1亿元 == 10000万元``) and
raises :class:`~perfscore.errors.UnitError` across families (``<`` etc.; ``==`` is simply
False). :meth:`Target.is_met` and :meth:`Interval.contains` are more forgiving in one way only:
a number written without a unit is read in the unit of the other side (target ``≥10`` met by
``12次``; band ``[0, 0]`` against ``0%``), and a number with only 万/亿 takes the matching
unit of that family (``150万`` against 万元 is 150万元).

This public module re-exports names defined in the stage subpackages (see CONTRIBUTING.md).
"""

from __future__ import annotations

from .text.actual import parse_actual
from .text.quantity import (
    ACCEPTED_TARGETS,
    COMPARATORS,
    MISSING_TEXTS,
    NOT_APPLICABLE_TEXTS,
    OPS,
    Actual,
    Interval,
    Quantity,
    intervals_gap_or_overlap,
    same_family,
)
from .text.quantity_grammar import parse_interval, parse_number, parse_quantity
from .text.target import Target, parse_target, parse_target_parts

__all__ = [
    "ACCEPTED_TARGETS",
    "COMPARATORS",
    "MISSING_TEXTS",
    "NOT_APPLICABLE_TEXTS",
    "OPS",
    "Actual",
    "Interval",
    "Quantity",
    "Target",
    "intervals_gap_or_overlap",
    "parse_actual",
    "parse_interval",
    "parse_number",
    "parse_quantity",
    "parse_target",
    "parse_target_parts",
    "same_family",
]
