"""Qualitative answers (issue 13, bugs 1–5): negation, short words, partial completion, deadlines,
the shipped vocabularies, and unknown words as located findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.errors import PerfscoreError
from perfscore.read.resources import indicators_dir
from perfscore.rules.base import ScoreInput
from perfscore.rules.qualitative import NEGATORS, Match, Unmatched, candidates, match_answer
from perfscore.rules.registry import KINDS
from perfscore.rules.tiers import TiersParams
from perfscore.targets import parse_target
from perfscore.text.dates import met, read_deadline, read_point
from tests.helpers import score_leaf, template

SHIPPED = (
    "hunan/unit-self-evaluation",
    "hunan/project-self-evaluation",
    "mof/project-self-evaluation",
)


def _tiers(template_id: str) -> TiersParams:
    t = perfscore.load_template(str(indicators_dir() / f"{template_id}.yaml"))
    params = t.rules["三档"].params
    assert isinstance(params, TiersParams)
    return params


def _score(p: TiersParams, answer: str, target: str = "达成", weight: str = "10") -> Decimal | None:
    """The tier rule's score for ``answer``, or None when the answer cannot be put in a tier."""
    x = ScoreInput(
        weight=Decimal(weight),
        target=parse_target(target),
        actual=None,
        word=answer,
        items=None,
        given=None,
        tier=None,
        values={},
        named=lambda _n: None,
        budget={},
        places=2,
    )
    try:
        return KINDS["tiers"].score(p, x).raw
    except PerfscoreError:
        return None


def _tier(p: TiersParams, answer: str, target: str = "达成") -> str | None:
    score = _score(p, answer, target)
    if score is None:
        return None
    for t in p.tiers:
        low = t.range.low.base * 10 if t.range.low is not None else Decimal(0)
        high = t.range.high.base * 10 if t.range.high is not None else Decimal(10)
        if low <= score <= high:
            return t.name
    return None


HUNAN = _tiers("hunan/project-self-evaluation")

# ------------------------------------------------------------------ negation (bug 1)


@pytest.mark.parametrize(
    ("answer", "tier"),
    [
        ("按时足额发放", "达成"),
        ("未按时足额发放", "未达成"),  # 未 reaches 按时 and 足额
        ("未按时发放", "未达成"),
        ("未能按时完成", "未达成"),
        ("没有按时完成", "未达成"),
        ("尚未完成", "未达成"),
        ("未达到预期", None),  # 预期 alone is no tier word: a finding, not full marks
        ("不够及时", "未达成"),
        ("已完成，但未按时", "未达成"),  # the lowest of the clauses
        ("未下降", "未达成"),
        ("下降", "达成"),
        ("未建立", "未达成"),
        ("已建立", "达成"),
        ("未发生安全事故", "达成"),  # 未发生 is a word of its own
        ("发生安全事故", "未达成"),
        ("未发生安全事故，按时完成", "达成"),  # 未 of 未发生 does not reach 按时
        ("不断完善，按时完成", "达成"),  # 不断 is not a negation
        ("基本完成", "部分达成"),  # the longest word wins over 完成
        ("未全部完成", "部分达成"),  # 未全部完成 is listed: longer than 全部完成
    ],
)
def test_negation_and_longest_word(answer: str, tier: str | None) -> None:
    assert _tier(HUNAN, answer) == tier


def test_negated_lowest_word_decides_nothing() -> None:
    words = [["达成"], ["部分达成"], ["发生"]]
    found = match_answer("没有发生", words, ["达成", "部分达成", "未达成"], lowest=2)
    assert isinstance(found, Unmatched)
    assert "否定" in found.why and found.maybe == ("达成", "部分达成")


def test_negated_answer_is_a_located_finding_in_review_and_an_error_in_score() -> None:
    leaf = {
        "name": "发放及时性",
        "target": "按时足额发放",
        "actual": "未按时足额发放",
        "weight": "100",
    }
    with pytest.raises(perfscore.ValidationErrors) as info:
        perfscore.evaluate(
            perfscore.load_form(
                {"kind": "form", "template": dict(template()), "indicators": {"指标": [leaf]}}
            )
        )
    assert "指标 › 发放及时性" in str(info.value)
    from perfscore.review import review_form

    r = review_form({"kind": "form", "template": dict(template()), "indicators": {"指标": [leaf]}})
    found = [f for f in r.findings if f.code == "unscorable"]
    assert found and found[0].path == ("指标", "发放及时性")
    assert (
        "可能属于：部分达成、未达成档" in found[0].message or "可能属于：未达成" in found[0].message
    )


# ------------------------------------------------------------------ short words (bug 2)


@pytest.mark.parametrize(
    ("answer", "tier"),
    [
        ("优", "达成"),
        ("良", "达成"),
        ("中", "部分达成"),
        ("差", "未达成"),
        ("是", "达成"),
        ("否", "未达成"),
        (" 优 ", "达成"),
        ("优。", "达成"),
        ("中等偏差", None),  # neither 中 nor 差 inside longer text
        ("是否验收待定", None),
        ("较差", "未达成"),  # a two-character word still matches inside
    ],
)
def test_short_words_only_as_whole_answers(answer: str, tier: str | None) -> None:
    assert _tier(HUNAN, answer) == tier


def test_whole_answer_length_is_a_template_option() -> None:
    words = [["达成", "完成"], ["部分"], ["差"]]
    names = ["达成", "部分达成", "未达成"]
    assert isinstance(
        match_answer("已完成", words, names, lowest=2, whole_answer_length=2), Unmatched
    )
    found = match_answer("已完成", words, names, lowest=2, whole_answer_length=1)
    assert isinstance(found, Match) and found.tier == 0


# ------------------------------------------------------------------ partial completion (bug 3)


@pytest.mark.parametrize(
    ("answer", "tier"),
    [
        ("完成80%", None),
        ("完成率为95%", None),
        ("80%完成", None),
        ("完成100%", "达成"),
        ("基本完成", "部分达成"),
        ("完成大部分", "部分达成"),
        ("大部分完成", "部分达成"),
        ("全部完成", "达成"),
    ],
)
def test_partial_completion_never_scores_as_complete(answer: str, tier: str | None) -> None:
    assert _tier(HUNAN, answer) == tier


def _ratio_rule(**extra: Any) -> dict[str, Any]:
    rule = dict(template()["rules"]["三档"])
    rule.update(extra)
    return rule


@pytest.mark.parametrize(
    ("answer", "score", "tier"),
    [
        ("完成80%", "8.00", "达成"),  # 80% lies in [80%, 100%]: bottom of 达成
        ("完成79.99%", "7.99", "部分达成"),
        ("完成率为65%", "6.50", "部分达成"),
        ("完成60%", "6.00", "部分达成"),
        ("完成30%", "3.00", "未达成"),
        ("完成0%", "0.00", "未达成"),
    ],
)
def test_percent_as_ratio(answer: str, score: str, tier: str) -> None:
    tmpl = template(rules={"三档": _ratio_rule(percent_as_ratio=True)})
    result = score_leaf(
        {"name": "x", "target": "达成", "actual": answer, "weight": "10"}, tmpl=tmpl
    )
    assert result.score == Decimal(score)
    assert result.tier == tier
    assert "按完成比例" in str(result.explanation)


def test_percent_without_option_is_an_error_naming_the_lower_tiers() -> None:
    with pytest.raises(perfscore.ValidationErrors) as info:
        score_leaf({"name": "x", "target": "达成", "actual": "完成80%", "weight": "10"})
    text = str(info.value)
    assert "80%" in text and "percent_as_ratio" in text and "部分达成、未达成" in text


# ------------------------------------------------------------------ deadlines (bug 4)


@pytest.mark.parametrize(
    ("target", "actual", "on_time"),
    [
        ("9月前", "7月", True),
        ("9月前", "9月", True),  # inclusive by default
        ("9月前", "10月", False),
        ("九月前完成", "8月", True),
        ("7月底前", "7月31日", True),
        ("7月底前", "8月1日", False),
        ("7月底前", "8月15日完成", False),
        ("每月15日前", "每月15日", True),
        ("每月15日前足额发放", "每月10日前发放", True),
        ("每月15日前足额发放", "每月20日发放", False),
        ("年底前完成", "12月", True),
        ("年底前完成", "11月20日完成", True),
        ("2023年12月31日前", "2024年1月", False),
        ("2023年12月31日前", "2023年11月", True),
        ("三季度前完成", "第三季度", True),
        ("第一季度末前", "4月", False),
        ("上半年完成", "6月30日", True),
        ("上半年完成", "7月", False),
        ("7月15日前", "7月", False),  # a month alone is read as its last day
    ],
)
def test_deadline_grammar(target: str, actual: str, on_time: bool) -> None:
    deadline = read_deadline(target)
    assert deadline is not None, target
    point = read_point(actual, every_month=deadline.every_month)
    assert point is not None, actual
    assert met(deadline, point) is on_time


@pytest.mark.parametrize(
    ("target", "actual", "on_time"),
    [("9月前", "9月", False), ("9月前", "8月31日", True), ("15日前", "x", None)],
)
def test_deadline_exclusive(target: str, actual: str, on_time: bool | None) -> None:
    deadline = read_deadline(target)
    if on_time is None:
        assert deadline is None
        return
    assert deadline is not None
    point = read_point(actual)
    assert point is not None
    assert met(deadline, point, exclusive=True) is on_time


@pytest.mark.parametrize(
    "text", ["7月", "出台", "2023年完成全部既定目标", "12个月内完成", "13月前"]
)
def test_not_a_deadline(text: str) -> None:
    assert read_deadline(text) is None


@pytest.mark.parametrize(
    ("target", "actual", "score"),
    [
        ("9月前", "7月", "10.00"),
        ("9月前", "10月", "5.99"),
        ("每月15日前足额发放", "按时", "10.00"),  # no date: read as words
        ("每月15日前足额发放", "未按时发放", "5.99"),
        ("7月底前", "8月15日完成", "5.99"),
    ],
)
def test_deadline_scores_with_shipped_template(target: str, actual: str, score: str) -> None:
    assert _score(HUNAN, actual, target) == Decimal(score)


def test_deadline_unmet_and_before_are_template_options() -> None:
    tmpl = template(
        rules={"三档": _ratio_rule(deadline_unmet="部分达成", deadline_before="exclusive")}
    )
    late = score_leaf({"name": "x", "target": "9月前", "actual": "9月", "weight": "10"}, tmpl=tmpl)
    assert late.score == Decimal("7.99") and late.tier == "部分达成"
    assert "晚于时限" in str(late.explanation)
    early = score_leaf({"name": "x", "target": "9月前", "actual": "8月", "weight": "10"}, tmpl=tmpl)
    assert early.score == Decimal("10.00")


def test_deadline_unmet_must_name_a_tier() -> None:
    tmpl = template(rules={"三档": _ratio_rule(deadline_unmet="部分")})
    with pytest.raises(perfscore.ValidationErrors) as info:
        score_leaf({"name": "x", "target": "9月前", "actual": "8月", "weight": "10"}, tmpl=tmpl)
    assert "deadline_unmet" in str(info.value) and "部分达成" in str(info.value)


# ------------------------------------------------------------------ vocabulary (bug 5)

PUBLISHED = {
    # words seen in published self-evaluation forms, with the tier a reviewer puts them in
    "达成预期指标": "达成",
    "已建立": "达成",
    "建立健全": "达成",
    "有效": "达成",
    "达标": "达成",
    "规范": "达成",
    "按期": "达成",
    "按期完成": "达成",
    "及时、足额": "达成",
    "效果明显": "达成",
    "符合相关规定": "达成",
    "严格执行相关制度规定": "达成",
    "已落实": "达成",
    "基本达标": "部分达成",
    "基本规范": "部分达成",
    "未达标": "未达成",
    "不规范": "未达成",
    "未落实": "未达成",
    "逾期": "未达成",
    "效果不明显": "未达成",
    "制度已完善": "达成",
    "设备运行正常": "达成",
    "基本正常运行": "部分达成",  # 基本正常 overlaps 正常运行 and comes first
    "管理不完善": "未达成",
    "制度不健全": "未达成",
}


@pytest.mark.parametrize("template_id", SHIPPED)
@pytest.mark.parametrize(("word", "tier"), sorted(PUBLISHED.items()))
def test_shipped_templates_cover_published_words(template_id: str, word: str, tier: str) -> None:
    assert _tier(_tiers(template_id), word) == tier


def test_unknown_word_names_the_tiers_it_could_belong_to() -> None:
    words = [list(t.words) for t in HUNAN.tiers]
    names = [t.name for t in HUNAN.tiers]
    assert candidates("已建成投用", words, names)[0] == "达成"
    assert candidates("基本合格", words, names)[0] in ("部分达成", "达成")
    with pytest.raises(perfscore.ValidationErrors) as info:
        score_leaf({"name": "x", "target": "达成", "actual": "已经实现", "weight": "10"})
    assert "可能属于" in str(info.value)


def test_unknown_word_is_a_located_review_finding() -> None:
    from perfscore.review import review_form

    data = perfscore.load_form(
        {
            "kind": "form",
            "template": dict(template()),
            "indicators": {
                "指标": [
                    {"name": "制度建设", "target": "出台", "actual": "推进中", "weight": "100"},
                ]
            },
        }
    )
    r = review_form(data)
    found = [f for f in r.findings if f.code == "unscorable"]
    assert found and found[0].path == ("指标", "制度建设") and "推进中" in found[0].message


# ------------------------------------------------------------------ properties

_WORDS = sorted({w for tid in SHIPPED for t in _tiers(tid).tiers for w in t.words})


def _hides_negator(p: TiersParams, negated: str) -> bool:
    """Whether ``negated`` (a negator + a tier word) contains a listed word that starts with the
    negator itself (未 + 发生 = 未发生, a top word): then the listed word decides, by design."""
    return any(
        w in negated and w[0] in "未没无不尚非" for t in p.tiers for w in t.words if len(w) > 1
    )


@settings(max_examples=300, deadline=None)
@given(
    template_id=st.sampled_from(SHIPPED),
    word=st.sampled_from(_WORDS),
    negator=st.sampled_from(NEGATORS),
    before=st.sampled_from(["", "全年", "项目"]),
    after=st.sampled_from(["", "发放", "工作"]),
)
def test_negating_a_tier_word_never_raises_the_score(
    template_id: str, word: str, negator: str, before: str, after: str
) -> None:
    p = _tiers(template_id)
    plain = _score(p, f"{before}{word}{after}")
    negated_text = f"{before}{negator}{word}{after}"
    if _hides_negator(p, f"{negator}{word}"):
        return
    negated = _score(p, negated_text)
    if negated is None:
        return  # unplaced: a finding, never a score
    assert plain is None or negated <= plain, (negated_text, negated, plain)
    assert negated < Decimal(10) or plain is None


@settings(max_examples=200, deadline=None)
@given(
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    deadline_month=st.integers(1, 12),
    closing=st.sampled_from(["前", "底前", "末前"]),
)
def test_deadline_met_iff_not_later(
    month: int, day: int, deadline_month: int, closing: str
) -> None:
    deadline = read_deadline(f"{deadline_month}月{closing}")
    assert deadline is not None
    point = read_point(f"{month}月{day}日完成")
    assert point is not None
    assert met(deadline, point) is (month <= deadline_month)
    # an actual never meets a deadline that an earlier actual misses
    if not met(deadline, point) and month > 1:
        later = read_point(f"{month}月")
        assert later is not None and not met(deadline, later)


@settings(max_examples=200, deadline=None)
@given(percent=st.integers(0, 99), word=st.sampled_from(["完成", "完成率为", "完成进度"]))
def test_completion_below_100_never_gets_the_top_score(percent: int, word: str) -> None:
    for tid in SHIPPED:
        score = _score(_tiers(tid), f"{word}{percent}%")
        assert score is None or score < Decimal(10)
