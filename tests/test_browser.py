"""The HTML pages rendered in a real browser (headless Chromium, see tests/browser.py).

Checked: the page loads with no console message, no script error, no network request and no
element that could run or fetch anything; the summary numbers shown equal the JSON report's;
it prints to A4. Screenshots of the seed's scoring page and of a review of examples/review/
are written to build/artefacts/ (git-ignored; ``PERFSCORE_ARTEFACTS`` to change it).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfscore.cli import main

from .browser import artefacts, chromium, open_page
from .test_html import HOSTILE_NAME, HOSTILE_UNIT, REVIEW, SEED, hostile_form

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module", autouse=True)
def _chromium() -> None:
    chromium()


def assert_quiet(found: dict[str, Any]) -> None:
    assert found["console"] == [], found["console"]
    assert found["exceptions"] == [], found["exceptions"]
    assert found["log_errors"] == [], found["log_errors"]
    assert found["requests"] == [], found["requests"]
    assert found["active"] == [] and found["handlers"] == [] and found["links"] == []


def test_the_seeds_scoring_page(tmp_path: Path) -> None:
    page, data = tmp_path / "score.html", tmp_path / "score.json"
    assert main(["score", str(SEED), "--format", "html", "-o", str(page)]) == 0
    assert main(["score", str(SEED), "--format", "json", "-o", str(data)]) == 0
    result = json.loads(data.read_text(encoding="utf-8"))
    pdf = tmp_path / "score.pdf"
    found = open_page(page, artefacts() / "score-seed.png", height=1400, pdf=pdf)
    assert_quiet(found)
    keys = found["keys"]
    assert Decimal(keys["total"]) == Decimal(str(result["total"]))
    assert keys["grade"] == result["grade"]
    assert Decimal(keys["reported_total"]) == Decimal(str(result["reported_total"]))
    assert found["details"] == 16 and found["svgs"] == 1  # one per leaf, 预算执行率 too
    assert "群众满意度" in found["text"] and "99.69" in found["text"]
    assert found["width"] <= 1100  # nothing wider than the window
    printed = pdf.read_bytes()
    assert printed.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", printed)
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)  # A4


def test_a_review_of_the_examples(tmp_path: Path) -> None:
    page, data = tmp_path / "复核.html", tmp_path / "复核.json"
    main(["review", str(REVIEW), "--format", "json", "-o", str(data), "--html", str(page)])
    summary = json.loads(data.read_text(encoding="utf-8"))["summary"]
    found = open_page(page, artefacts() / "review-examples.png", height=1400)
    assert_quiet(found)
    keys = found["keys"]
    assert int(keys["forms"]) == summary["forms"]
    assert {s: int(keys[s]) for s in ("error", "warning", "info")} == summary["findings"]
    assert Decimal(keys["points_at_stake"]) == Decimal(str(summary["points_at_stake"]))
    assert {k[7:]: int(v) for k, v in keys.items() if k.startswith("grades:")} == summary["grades"]
    assert {k[6:]: int(v) for k, v in keys.items() if k.startswith("codes:")} == summary["codes"]
    assert found["svgs"] == 3


def test_hostile_names_are_shown_as_text(tmp_path: Path) -> None:
    form = hostile_form(tmp_path)
    page = tmp_path / "hostile.html"
    assert main(["score", str(form), "--format", "html", "-o", str(page)]) == 0
    found = open_page(page)
    assert_quiet(found)
    assert HOSTILE_UNIT in found["text"] and HOSTILE_NAME in found["text"]
    review = tmp_path / "hostile-review.html"
    main(["review", str(form), "--html", str(review)])
    found = open_page(review)
    assert_quiet(found)
    assert HOSTILE_UNIT in found["text"]


def test_the_drafted_report_page(tmp_path: Path) -> None:
    page = tmp_path / "报告.html"
    basic = SEED.parent / "basic-data.yaml"
    assert main(["report", str(SEED), "--basic-data", str(basic), "-o", str(page)]) == 0
    found = open_page(page, artefacts() / "report-seed.png", height=1400)
    assert_quiet(found)
    assert "基本支出1364.91万元" in found["text"] and "【待单位填写】" in found["text"]
