"""The shape cache (perfscore.text.fastparse) answers exactly as the full grammar, or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from perfscore import strategies
from perfscore.errors import PerfscoreError
from perfscore.targets import Actual, Target, parse_actual, parse_target
from perfscore.text import fastparse as _fastparse

# Characters around a number that matter to the grammar: comparators, units, multipliers,
# suffixes, full-width digits and separators, signs, exponent letters, spaces.
PIECES = [
    *list("≥≧≤≦><=＞＜＝ \u3000%％‰万亿元次个人天吨公里以上下内含不()（）.,，．＋+-−eE１２３０"),
    "人次",
    "万元",
    "以上",
    "以下",
    "不低于",
    "及以上",
    "(含)",
    "km",
    "m2",
    "平方米",
]
AROUND = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
NUMBER = st.from_regex(r"[0-9]{1,16}(\.[0-9]{1,16})?", fullmatch=True)
TEXTS = st.one_of(
    st.builds(lambda a, n, b: f"{a}{n}{b}", AROUND, NUMBER, AROUND),
    strategies.targets(),
    st.text(max_size=12),
)


def _same(fast: Target | Actual, full: Target | Actual) -> None:
    assert fast == full
    assert str(fast) == str(full)
    assert fast.flags == full.flags
    if isinstance(fast, Target):
        assert isinstance(full, Target)
        assert (fast.op, fast.source, fast.words) == (full.op, full.source, full.words)
    else:
        assert isinstance(full, Actual)
        assert (fast.text, fast.kind, fast.comparator, fast.word) == (
            full.text,
            full.kind,
            full.comparator,
            full.word,
        )
        assert fast.quantity is not None and full.quantity is not None
        assert fast.quantity.unit == full.quantity.unit
        assert fast.quantity.value.as_tuple() == full.quantity.value.as_tuple()


def _full(func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except PerfscoreError as err:
        return err


@settings(max_examples=1500)
@given(TEXTS)
@example("≥919次")
@example("≥１9次")
@example("5次以上")
@example("≥5e3次")
@example("≥1,000次")
@example("-5次")
def test_targets_read_as_the_grammar_reads_them(text: str) -> None:
    for _ in range(2):  # the first call learns the shape, the second uses it
        fast = _fastparse.target(text)
        if fast is None:
            continue
        full = _full(parse_target, text)
        assert not isinstance(full, PerfscoreError), (text, full)
        _same(fast, full)
        assert fast.value is not None
        assert fast.value.value.as_tuple() == full.value.value.as_tuple()


REFERENCES = [None, "≥919次", "≤25.6万元", "≥95%", "≥10", "≥1.5亿元", "达成", "[80%, 100%]"]


@settings(max_examples=1500)
@given(TEXTS, st.sampled_from(REFERENCES))
@example("1157", "≥919次")
@example("95%", "≥919次")
@example("≥1157次", "≥919次")
@example("１157次", "≥919次")
def test_actuals_read_as_the_grammar_reads_them(text: str, reference: str | None) -> None:
    target = None if reference is None else parse_target(reference)
    for _ in range(2):
        fast = _fastparse.actual(text, target)
        if fast is None:
            continue
        full = _full(parse_actual, text, target)
        assert not isinstance(full, PerfscoreError), (text, reference, full)
        _same(fast, full)


@pytest.mark.parametrize(
    "text", ["≥1,000次", "≥９19次", "≥5e3次", "1.2.3次", "达成", "≥-5次", "第3季度完成"]
)
def test_texts_the_shape_cannot_decide_go_to_the_grammar(text: str) -> None:
    assert _fastparse.target(text) is None


def test_no_special_actual_text_holds_a_digit() -> None:
    """_fastparse reads a text with a number without asking whether it is 无/不适用 …."""
    from perfscore.targets import MISSING_TEXTS, NOT_APPLICABLE_TEXTS

    assert not any(c.isdigit() for text in MISSING_TEXTS | NOT_APPLICABLE_TEXTS for c in text)


def test_values_built_directly_are_the_classes_own() -> None:
    """The fast path builds Target/Actual/Quantity without attrs' __init__ (issue 20): what it
    builds compares, hashes, reprs, pickles and evolves as the constructors' values do."""
    import pickle

    import attrs

    assert _fastparse._DIRECT  # the classes have the fields the direct build sets
    for text, actual_text in (
        ("≥975人次", "1037人次"),
        ("≤255.64万元", "324.66万元"),
        ("≧98%", "88.1%"),
    ):
        fast = _fastparse.target(text)
        full = parse_target(text)
        assert fast is not None and fast == full and hash(fast) == hash(full)
        assert repr(fast) == repr(full)
        assert pickle.loads(pickle.dumps(fast)) == full
        assert attrs.evolve(fast, source="x") == attrs.evolve(full, source="x")
        assert attrs.asdict(fast) == attrs.asdict(full)
        got = _fastparse.actual(actual_text, fast)
        want = parse_actual(actual_text, full)
        assert got is not None and got == want and hash(got) == hash(want)
        assert repr(got) == repr(want) and attrs.asdict(got) == attrs.asdict(want)
        assert pickle.loads(pickle.dumps(got)) == want
        assert got.quantity is not None and want.quantity is not None
        assert repr(got.quantity) == repr(want.quantity)
