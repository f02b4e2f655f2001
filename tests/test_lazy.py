"""Explanations rendered when read say the same whatever decimal context the reader has."""

from __future__ import annotations

import decimal
import pickle
from pathlib import Path

import perfscore
from perfscore.text.lazy import Text

SEED = Path(__file__).resolve().parent.parent / "examples" / "yueyanglou-2023" / "basic-data.yaml"
FORMS = sorted((Path(__file__).resolve().parent.parent / "examples").rglob("*.yaml"))


def _texts(result: perfscore.Evaluation) -> list[tuple[str, str | None, str | None]]:
    return [(x.explanation, x.target_canonical, x.actual_canonical) for x in result.leaves()]


def test_a_hostile_reading_context_changes_nothing() -> None:
    for path in (SEED, *FORMS):
        try:
            form = perfscore.load_form(path)
            expected = _texts(perfscore.evaluate(form))
        except perfscore.PerfscoreError:
            continue
        lazy = perfscore.evaluate(form)  # nothing read yet
        with decimal.localcontext() as ctx:
            ctx.prec = 3
            ctx.rounding = decimal.ROUND_FLOOR
            ctx.traps[decimal.Inexact] = True
            ctx.traps[decimal.Rounded] = True
            assert _texts(lazy) == expected, path


def test_text_is_its_string() -> None:
    calls: list[int] = []

    def render() -> str:
        calls.append(1)
        return "完成值 18次 达到指标值 ≥10次"

    text = Text(render)
    assert calls == []
    assert text == "完成值 18次 达到指标值 ≥10次" == str(text)
    assert hash(text) == hash("完成值 18次 达到指标值 ≥10次")
    assert str(text) and calls == [1]  # rendered once, then kept
    assert pickle.loads(pickle.dumps(text)) == "完成值 18次 达到指标值 ≥10次"
    assert repr(text) == repr("完成值 18次 达到指标值 ≥10次")
