"""Regenerate the two README screenshots (run from the repository root, Chromium installed):

    python docs/images/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from perfscore.cli import main  # noqa: E402
from tests.browser import open_page  # noqa: E402

SEED = "examples/yueyanglou-2023/unit-self-evaluation.yaml"  # relative: shown on the page
os.chdir(ROOT)
OUT = ROOT / "docs" / "images"

with tempfile.TemporaryDirectory() as tmp:
    score, review = Path(tmp) / "score.html", Path(tmp) / "review.html"
    main(["score", SEED, "--format", "html", "-o", str(score)])
    main(["review", "examples/review", "--html", str(review), "-o", str(Path(tmp) / "r.txt")])
    open_page(score, OUT / "score-html.png", width=1000, height=760, scale=0.75)
    open_page(review, OUT / "review-html.png", width=1000, height=760, scale=0.75)
print("written", *(p.name for p in OUT.glob("*.png")))
