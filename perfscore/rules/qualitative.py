"""Reading a qualitative answer (实际完成情况) against the tier words of a template.

Substring matching is wrong on real forms: ``未按时足额发放`` contains ``按时`` and ``足额``,
``未下降`` contains ``下降``, ``优秀率低`` contains ``优``. The matcher here:

1. **Whole answer first.** The answer (whitespace and surrounding punctuation removed) equal to
   a tier word picks that tier, whatever the word's length.
2. **Short words only as whole answers.** A word of at most ``whole_answer_length`` characters
   (template option, default 1: ``优`` ``良`` ``中`` ``差`` ``是`` ``否``) is never looked for
   inside a longer answer.
3. **Longest word wins where words overlap.** Occurrences are taken longest first and an
   occurrence overlapping one already taken is dropped: ``基本完成`` hides its ``完成``,
   ``未完成`` hides its ``完成``, ``未全部完成`` hides ``全部完成``.
4. **Negation.** An occurrence is *negated* when a negator (未 没有 无 不 尚未 未能 未达到 …)
   stands before it in the same clause (clauses end at ，；。！？ and at 但 而 且) and that
   negator is not itself part of a taken word (the 未 of ``未发生`` negates nothing after it)
   nor one of the fixed phrases that only look negative (不断 不仅 不低于 不少于 不超过 未来
   无误 …). A negated word of any tier but the lowest counts as the lowest tier; a negated word
   of the lowest tier (``未发生`` where only ``发生`` is listed) decides nothing — a negated
   phrase never gets a higher tier than the lowest.
5. **Several words:** the lowest tier among them (a reviewer reads ``已完成，但未按时`` as not
   met). Undecided occurrences are ignored when others decide.
6. **A completion percentage** (``完成80%``, ``完成率为95%``, ``80%完成``) below 100% means
   the work is not complete: with the template option ``percent_as_ratio`` the share is the
   score (80% of the weight, in the tier whose range holds 80%); without it the answer cannot be
   put in a tier (an error in ``score``, a finding in ``review``), never the top tier.

Nothing matched: :class:`Unmatched` with the tiers the answer could belong to, from the close
spellings of the tier words (``difflib``), so the message can say which tiers to choose from.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from decimal import Decimal

import attrs

from ..text.numbers import fold

__all__ = [
    "CLAUSE_BREAKS",
    "NEGATORS",
    "NOT_NEGATIONS",
    "Match",
    "Unmatched",
    "candidates",
    "completion_percent",
    "match_answer",
]

#: Words that negate what follows them in the same clause (longest first when matched).
NEGATORS: tuple[str, ...] = (
    "未达到",
    "未按",
    "尚未",
    "未能",
    "没有",
    "不能",
    "无法",
    "不够",
    "未",
    "没",
    "无",
    "不",
    "非",
)

#: Phrases that start with a negator but do not negate (comparators, adverbs, idioms).
NOT_NEGATIONS: tuple[str, ...] = (
    "不断",
    "不仅",
    "不但",
    "不错",
    "不低于",
    "不少于",
    "不小于",
    "不超过",
    "不高于",
    "不大于",
    "不多于",
    "不定期",
    "未来",
    "无误",
    "无偿",
    "无一",
    "毫无",
    "无不",
    "不折不扣",
    "非常",
    "无论",
    "不少",
)

#: Characters and words that end a clause (a negator's reach).
CLAUSE_BREAKS: tuple[str, ...] = (
    "，",
    ",",
    "；",
    ";",
    "。",
    "！",
    "!",
    "？",
    "?",
    "但",
    "而",
    "且",
)

_PUNCT = " \t\r\n，,；;。.！!？?、：:“”\"'‘’()（）【】[]"

#: ``完成80%`` ``完成率为95%`` ``完成进度达到60%`` ``80%完成`` — a completion share.
_PERCENT_RE = re.compile(
    r"(?:完成|达成|进度)(?:率|比例|进度)?(?:为|达|达到|了|约)?\s*(?P<a>\d+(?:\.\d+)?)\s*%"
    r"|(?P<b>\d+(?:\.\d+)?)\s*%\s*(?:完成|达成)"
)


@attrs.frozen
class Match:
    """The tier an answer belongs to and why (``why`` is the Chinese sentence's core)."""

    tier: int  # index into the tiers given
    why: str
    share: Decimal | None = None  # a completion percentage read as a share of the weight


@attrs.frozen
class Unmatched:
    """No tier: why, and the tiers the answer could belong to (by close spellings)."""

    why: str
    maybe: tuple[str, ...]  # tier names


def _clean(answer: str) -> str:
    return "".join(fold(answer).split())


def completion_percent(answer: str) -> Decimal | None:
    """The completion percentage written in an answer (``完成80%`` → 80), or None."""
    m = _PERCENT_RE.search(_clean(answer))
    if m is None:
        return None
    return Decimal(m["a"] or m["b"])


def _negator_before(text: str, start: int, taken: Sequence[tuple[int, int]]) -> str | None:
    """The negator standing before ``start`` in its clause, if any."""
    begin = 0
    for brk in CLAUSE_BREAKS:
        at = text.rfind(brk, 0, start)
        if at >= 0:
            begin = max(begin, at + len(brk))
    i = begin
    while i < start:
        if any(s <= i < e for s, e in taken):
            i += 1
            continue
        fixed = next((p for p in NOT_NEGATIONS if text.startswith(p, i)), None)
        if fixed is not None:
            i += len(fixed)
            continue
        neg = next((n for n in NEGATORS if text.startswith(n, i) and i + len(n) <= start), None)
        if neg is not None:
            return neg
        i += 1
    return None


def match_answer(
    answer: str,
    tiers: Sequence[Sequence[str]],
    names: Sequence[str],
    *,
    lowest: int,
    whole_answer_length: int = 1,
    percent_as_ratio: bool = False,
    ranges: Sequence[tuple[Decimal, Decimal]] = (),
) -> Match | Unmatched:
    """Put ``answer`` in one of ``tiers`` (each a list of words; ``names`` their names).

    ``lowest`` is the index of the lowest tier; ``ranges`` each tier's share range
    ``(low, high)`` for ``percent_as_ratio``.
    """
    text = _clean(answer)
    whole = text.strip(_PUNCT)
    percent = completion_percent(text)
    if percent is not None and percent < 100:
        share = percent / 100
        if percent_as_ratio and ranges:
            fits = [i for i, (lo, hi) in enumerate(ranges) if lo <= share <= hi]
            if fits:
                best = max(fits, key=lambda i: ranges[i][0])
                return Match(best, f"完成情况“{answer}”写明完成 {percent}%，按比例计", share=share)
        return Unmatched(
            f"完成情况“{answer}”写明只完成 {percent}%，未全部完成，"
            "模板未允许按比例计分（percent_as_ratio），无法判断档次",
            tuple(n for i, n in enumerate(names) if i != 0) or tuple(names),
        )
    wholes, inside = _prepared(tuple(tuple(ws) for ws in tiers), whole_answer_length)
    if whole in wholes:
        i, same = wholes[whole]
        return Match(i, f"完成情况“{answer}”含“{same}”")
    found: list[tuple[int, int, int, str]] = []  # (start, end, tier, word)
    for key, i, w in inside:
        at = text.find(key)
        while at >= 0:
            found.append((at, at + len(key), i, w))
            at = text.find(key, at + 1)
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: list[tuple[int, int, int, str]] = []
    for f in found:
        if all(f[1] <= t[0] or f[0] >= t[1] for t in taken):
            taken.append(f)
    if not taken:
        maybe = candidates(answer, tiers, names)
        if _negator_before(text, len(text), []) is not None and len(names) > 1:
            top = names[_order(ranges, len(tiers))[0]]  # a negated answer is not the top tier
            maybe = tuple(n for n in maybe if n != top) or tuple(n for n in names if n != top)
        return Unmatched(f"无法从完成情况“{answer}”判断档次", maybe)
    spans = [(s, e) for s, e, _i, _w in taken]
    decided: list[tuple[int, int, str]] = []  # (tier, length of the word, why)
    undecided: list[str] = []
    for start, end, tier, word in sorted(taken):
        neg = _negator_before(text, start, spans)
        if neg is None:
            decided.append((tier, end - start, f"含“{word}”"))
        elif tier != lowest:
            decided.append((lowest, end - start, f"含“{word}”，但前有否定词“{neg}”"))
        else:
            undecided.append(f"“{neg}…{word}”")
    if not decided:
        return Unmatched(
            f"完成情况“{answer}”中的{'、'.join(undecided)}是对“{names[lowest]}”档用词的否定，"
            "无法判断档次",
            tuple(n for i, n in enumerate(names) if i != lowest),
        )
    rank = {i: r for r, i in enumerate(_order(ranges, len(tiers)))}
    # the lowest tier; among its words the longest (the most specific), then the first
    tier, _length, why = max(decided, key=lambda d: (rank[d[0]], d[1]))
    return Match(tier, f"完成情况“{answer}”{why}")


@functools.lru_cache(maxsize=256)
def _prepared(
    tiers: tuple[tuple[str, ...], ...], whole_answer_length: int
) -> tuple[dict[str, tuple[int, str]], tuple[tuple[str, int, str], ...]]:
    """Per template (cached): whole-answer spellings → (tier, word), and the words looked for
    inside answers as (folded word, tier, word as written)."""
    wholes: dict[str, tuple[int, str]] = {}
    inside: list[tuple[str, int, str]] = []
    for i, words in enumerate(tiers):
        for w in words:
            key = _clean(w)
            if not key:
                continue
            wholes.setdefault(key.strip(_PUNCT), (i, w))
            if len(key) > whole_answer_length:
                inside.append((key, i, w))
    return wholes, tuple(inside)


def _order(ranges: Sequence[tuple[Decimal, Decimal]], n: int) -> list[int]:
    """Tier indices from the highest to the lowest (by range when known, else as listed)."""
    if len(ranges) == n:
        return sorted(range(n), key=lambda i: (-ranges[i][0], -ranges[i][1], i))
    return list(range(n))


def candidates(
    answer: str, tiers: Sequence[Sequence[str]], names: Sequence[str]
) -> tuple[str, ...]:
    """The tiers whose words are spelt close to ``answer`` (best first); all when none is."""
    text = _clean(answer)
    scored: dict[int, float] = {}
    for i, words in enumerate(tiers):
        for w in words:
            key = _clean(w)
            if not key:
                continue
            ratio = difflib.SequenceMatcher(None, text, key).ratio()
            shared = len(set(text) & set(key)) / len(set(key))
            best = max(ratio, shared if len(key) > 1 else 0.0)
            if best >= 0.5:
                scored[i] = max(scored.get(i, 0.0), best)
    if not scored:
        return tuple(names)
    return tuple(names[i] for i in sorted(scored, key=lambda i: (-scored[i], i)))
