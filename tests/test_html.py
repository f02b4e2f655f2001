"""HTML pages of ``score --format html`` and ``review --html``: self-contained, escaped, and
the same numbers as the JSON. The browser tests (tests/test_browser.py) render them."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

import perfscore
from perfscore.cli import main
from perfscore.report.html import (
    SEVERITY_COLOURS,
    clean,
    esc,
    render_review_html,
    render_score_html,
)
from perfscore.review import review_batch

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"
REVIEW = ROOT / "examples" / "review"

HOSTILE_UNIT = "<script>alert('unit')</script>"
HOSTILE_NAME = '"><img src=x onerror=alert(1)>'
HOSTILE_NOTE = "javascript:alert(document.cookie)"


def hostile_form(tmp_path: Path) -> Path:
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("unit: 岳阳楼区岳阳楼街道办事处", f'unit: "{HOSTILE_UNIT}"')
    text = text.replace(
        "{name: 群众满意度, target: ≧98%, actual: ≧95%, weight: 10, reported: 9}",
        f"{{name: '{HOSTILE_NAME}', target: ≧98%, actual: ≧95%, weight: 10, reported: 9, note: '{HOSTILE_NOTE}'}}",
    )
    text = text.replace(
        "{name: 法制宣传活动场次,", "{name: '<a href=\"javascript:alert(2)\">场次</a>',"
    )
    out = tmp_path / "hostile.yaml"
    out.write_text(text, encoding="utf-8")
    return out


def data_keys(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-key="([^"]+)">([^<]*)<', page))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert(page: str) -> None:
    """Nothing that runs or fetches: no such element, no handler, only in-page links."""
    parser = _Tags()
    parser.feed(page)
    active = {
        "script",
        "img",
        "iframe",
        "object",
        "embed",
        "link",
        "base",
        "form",
        "input",
        "video",
        "audio",
    }
    for tag, attrs in parser.tags:
        assert tag not in active, (tag, attrs)
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "xlink:href"):
                assert (value or "").startswith("#"), (tag, value)
            assert "url(" not in (value or "").lower()
    assert "@import" not in page and "url(" not in page.split("</style>", maxsplit=1)[0]
    assert "Content-Security-Policy\" content=\"default-src 'none'" in page


def test_clean_and_esc() -> None:
    assert clean("a\x00b\x07c\u202ed\ttab\nline\x9f") == "abcd\ttab\nline"
    assert esc('<b title="x">&') == "&lt;b title=&quot;x&quot;&gt;&amp;"
    assert esc("'") == "&#x27;"


def test_score_page_has_the_tree_the_chart_and_the_jsons_numbers() -> None:
    ev = perfscore.evaluate(perfscore.load_form(SEED))
    page = render_score_html(ev)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    data = json.loads(ev.to_json())
    keys = data_keys(page)
    assert Decimal(keys["total"]) == Decimal(str(data["total"]))
    assert keys["grade"] == data["grade"] and Decimal(keys["reported_total"]) == Decimal(
        str(data["reported_total"])
    )
    leaves = list(ev.leaves())
    assert page.count("<details>") == len(leaves)
    for leaf in leaves:
        assert esc(leaf.explanation) in page
    for group in ev.groups():  # subtotals
        assert f">{esc(group.name)}</td>" in page
    assert page.count("<svg") == 1 and "各一级指标的得分与分值" in page
    assert "微软雅黑" in page and "SimSun" in page and "@page{size:A4" in page
    assert_inert(page)


def test_score_page_escapes_hostile_names(tmp_path: Path) -> None:
    form = hostile_form(tmp_path)
    out = tmp_path / "x.html"
    assert main(["score", str(form), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert_inert(page)
    assert esc(HOSTILE_UNIT) in page and esc(HOSTILE_NAME) in page
    assert esc(HOSTILE_NOTE) in page  # shown as text, never as a link


def test_review_page_summary_equals_the_json(tmp_path: Path) -> None:
    html_file, json_file = tmp_path / "复核.html", tmp_path / "复核.json"
    code = main(
        ["review", str(REVIEW), "--format", "json", "-o", str(json_file), "--html", str(html_file)]
    )
    assert code == 1  # the examples have errors
    summary = json.loads(json_file.read_text(encoding="utf-8"))["summary"]
    page = html_file.read_text(encoding="utf-8")
    keys = data_keys(page)
    assert int(keys["forms"]) == summary["forms"]
    for severity in ("error", "warning", "info"):
        assert int(keys[severity]) == summary["findings"][severity]
    assert Decimal(keys["points_at_stake"]) == Decimal(str(summary["points_at_stake"]))
    assert {k[7:]: int(v) for k, v in keys.items() if k.startswith("grades:")} == summary["grades"]
    assert {k[6:]: int(v) for k, v in keys.items() if k.startswith("codes:")} == summary["codes"]
    # every form has a section, linked from the listing and from the points-at-stake chart
    anchors = re.findall(r'<section class="form" id="(form-\d+)">', page)
    assert len(anchors) == summary["forms"]
    for anchor in anchors:
        assert page.count(f'href="#{anchor}"') >= 1
    assert page.count("<svg") == 3
    # each code's bar has the colour of its most serious finding in this batch
    forms = json.loads(json_file.read_text(encoding="utf-8"))["forms"]
    rank = {"info": 1, "warning": 2, "error": 3}
    worst: dict[str, str] = {}
    for entry in forms:
        for f in entry["findings"]:
            if rank[f["severity"]] > rank.get(worst.get(f["code"], ""), 0):
                worst[f["code"]] = f["severity"]
    bars = dict(
        re.findall(
            r"<g><title>([a-z_]+)：[^<]*</title><text[^>]*>[^<]*</text><rect [^>]*fill=\"(#[0-9a-f]+)\"",
            page,
        )
    )
    assert bars and all(colour == SEVERITY_COLOURS[worst[code]] for code, colour in bars.items())
    assert 'class="sev sev-error"' in page and 'class="sev sev-warning"' in page
    assert_inert(page)


def test_review_page_escapes_hostile_names(tmp_path: Path) -> None:
    batch = review_batch([hostile_form(tmp_path)])
    page = render_review_html(batch)
    assert_inert(page)
    assert esc(HOSTILE_UNIT) in page and esc(HOSTILE_NAME) in page


def test_review_html_is_refused_for_a_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["review", "--format", "jsonl", str(SEED), "--html", str(tmp_path / "x.html")])
    assert code == 2 and "--html" in capsys.readouterr().err
