"""A built template hands out no mutable dict; results of a batch narrow on ``ok`` (18.9)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import perfscore
from perfscore.batch import FailedOutcome, Outcome, ScoredOutcome, score_stream
from perfscore.text.frozen import FrozenList, FrozenMap, freeze, thaw

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"


@pytest.fixture(scope="module")
def template() -> perfscore.Template:
    return perfscore.load_form(SEED).template


def test_template_mappings_are_read_only(template: perfscore.Template) -> None:
    for mapping in (template.rules, template.defaults, template.inputs, template.data):
        assert isinstance(mapping, FrozenMap)
        with pytest.raises(TypeError):
            mapping["x"] = 1  # type: ignore[index]
        assert not hasattr(mapping, "update") and not hasattr(mapping, "pop")
    indicators = template.data["indicators"]
    assert isinstance(indicators, FrozenList)
    with pytest.raises(AttributeError):
        indicators.append({})
    with pytest.raises(TypeError):
        indicators[0]["name"] = "改名"
    with pytest.raises(AttributeError):
        template.rules._data = {}  # type: ignore[attr-defined]


def test_frozen_data_still_compares_dumps_and_pickles(template: perfscore.Template) -> None:
    plain = thaw(template.data)
    assert isinstance(plain, dict) and isinstance(plain["indicators"], list)
    assert template.data == plain and plain == template.data
    assert freeze([1, {"a": [2]}]) == [1, {"a": [2]}]
    back = pickle.loads(pickle.dumps(template))
    assert back.data == template.data and back.rules.keys() == template.rules.keys()
    assert hash(FrozenMap({"a": 1})) == hash(FrozenMap({"a": 1}))
    # The built template scores as before after the round trip.
    form = perfscore.load_form(SEED)
    rebound = perfscore.load_form(thaw(form.data), template=back)
    assert str(perfscore.evaluate(rebound).total) == "99.69"


def test_form_mappings_are_read_only() -> None:
    form = perfscore.load_form(SEED)
    with pytest.raises(TypeError):
        form.budget["全年执行数"] = None  # type: ignore[index]


def test_outcomes_are_scored_or_failed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: form\n", encoding="utf-8")
    outcomes = list(score_stream([SEED, bad]))
    scored, failed = outcomes
    assert isinstance(scored, ScoredOutcome) and isinstance(scored, Outcome)
    assert scored.ok is True and scored.evaluation is not None
    assert isinstance(failed, FailedOutcome) and failed.ok is False
    assert failed.evaluation is None and failed.errors
