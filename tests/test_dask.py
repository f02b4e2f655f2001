"""perfscore on a real Dask cluster: a ``distributed.LocalCluster`` of two worker processes.

Results must equal the single-process ones byte for byte, in input order, with bad forms as
located error records at their place, a worker killed mid-run retried by Dask, and the review
summary (a tree reduction of partial summaries) equal to the one-process summary.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfscore
from perfscore.batch import review_stream, score_jsonl
from perfscore.review import ReviewSummary

from .helpers import benchmark_modules

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"


def _need(module: str) -> ModuleType:
    """The module, or a skip outside CI (in CI the extra is installed: a missing one fails)."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{module} 未安装（pip install 'perfscore[dask]'）；CI 中此测试不会跳过")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    distributed = _need("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def synthetic() -> Iterator[ModuleType]:
    with benchmark_modules("synthetic") as (module,):
        yield module


def _lines(synthetic: ModuleType, count: int, *, bad_every: int = 0) -> list[str]:
    """``count`` JSON forms; with ``bad_every``, every n-th one is broken in a different way."""
    out = []
    broken = ["{not json", '{"kind": "form", "year": 2023}', "[1, 2]"]
    for i, data in enumerate(synthetic.forms(count, seed=11)):
        if bad_every and i % bad_every == bad_every - 1:
            out.append(broken[(i // bad_every) % len(broken)])
        else:
            out.append(json.dumps(data, ensure_ascii=False))
    return out


@pytest.fixture(scope="module")
def template(synthetic: ModuleType) -> perfscore.Template:
    return perfscore.loads_template(synthetic.template_text())


def test_score_bag_equals_one_process_byte_for_byte(
    client: Any, synthetic: ModuleType, template: perfscore.Template, tmp_path: Path
) -> None:
    db = _need("dask.bag")
    import perfscore.dask as psd
    from perfscore.batch import iter_sources

    jsonl = tmp_path / "forms.jsonl"
    jsonl.write_text("".join(line + "\n" for line in _lines(synthetic, 120, bad_every=17)))
    with jsonl.open(encoding="utf-8") as lines:
        expected = list(score_jsonl(lines, template=template, file=str(jsonl)))
    bag = db.from_sequence(list(iter_sources([str(jsonl)])), npartitions=7)
    got = psd.score_bag(bag, template=template, output="jsonl").compute()
    assert got == expected
    assert sum("errors" in json.loads(x) and "template" not in json.loads(x) for x in got) == 7


def test_bare_json_texts_score_alike(
    client: Any, synthetic: ModuleType, template: perfscore.Template
) -> None:
    db = _need("dask.bag")
    import perfscore.dask as psd

    lines = _lines(synthetic, 30, bad_every=7)
    expected = list(score_jsonl([line + "\n" for line in lines], template=template))
    got = psd.score_bag(db.from_sequence(lines, npartitions=3), template=template).compute()
    assert [o.ok for o in got] == ["errors" not in json.loads(x) for x in expected]
    for outcome, want in zip(got, expected, strict=True):
        if outcome.ok:
            assert outcome.evaluation.total == json.loads(want, parse_float=Decimal)["total"]
        else:  # located in the element itself: file <bag>, the element's own line
            assert outcome.file == "<bag>" and outcome.errors


def test_the_template_goes_to_each_worker_once(
    client: Any, synthetic: ModuleType, template: perfscore.Template
) -> None:
    import pickle

    db = _need("dask.bag")
    import perfscore.dask as psd

    bag = db.from_sequence(_lines(synthetic, 40), npartitions=8)
    graph = dict(psd.score_bag(bag, template=template).__dask_graph__())
    size = len(pickle.dumps(template))
    tasks = {k: len(pickle.dumps(v)) for k, v in graph.items() if "from_sequence" not in str(k)}
    # One node holds the job with its built template; the eight partition tasks refer to it.
    assert sorted(n >= size for n in tasks.values()) == [False] * 8 + [True]


def test_sources_keep_their_file_and_line(client: Any, tmp_path: Path) -> None:
    db = _need("dask.bag")
    import perfscore.dask as psd
    from perfscore.batch import iter_sources

    jsonl = tmp_path / "forms.jsonl"
    seed = json.dumps(_seed_data(), ensure_ascii=False)
    jsonl.write_text(f"{seed}\n\n{{broken\n{seed}\n", encoding="utf-8")
    sources = list(iter_sources([str(jsonl), str(SEED)]))
    expected = list(
        score_jsonl(jsonl.read_text(encoding="utf-8").splitlines(True), file=str(jsonl))
    )
    got = psd.score_bag(db.from_sequence(sources, npartitions=2), output="jsonl").compute()
    assert got[:3] == expected
    assert json.loads(got[1])["line"] == 3
    assert json.loads(got[3])["form"]["unit"] == "岳阳楼区岳阳楼街道办事处"


def _seed_data() -> dict[str, Any]:
    from perfscore.read.yaml import load_yaml

    data: dict[str, Any] = load_yaml(SEED).data
    return data


def test_mappings_and_unknown_elements(client: Any) -> None:
    db = _need("dask.bag")
    import perfscore.dask as psd

    seed = _seed_data()
    outcomes = psd.score_bag(db.from_sequence([seed, 42, seed], npartitions=2)).compute()
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[0].evaluation.total == perfscore.score(SEED).total
    assert "元素应为表单" in str(outcomes[1].errors[0])
    with pytest.raises(perfscore.errors.InputTypeError):
        psd.score_bag(db.from_sequence([seed]), output="pdf")


def test_a_killed_worker_is_retried_and_nothing_is_lost(
    client: Any, synthetic: ModuleType, template: perfscore.Template
) -> None:
    import perfscore.dask as psd

    lines = [line + "\n" for line in _lines(synthetic, 400, bad_every=50)]
    expected = list(score_jsonl(lines, template=template))
    runner = psd.DaskRunner(client, chunk_size=5, window=4)
    pids = list(client.run(os.getpid).values())
    got: list[str] = []

    def kill_soon() -> None:
        while len(got) < 40:
            time.sleep(0.01)
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_soon, daemon=True)
    killer.start()
    for text in score_jsonl(lines, template=template, jobs=runner):
        got.append(text)
    killer.join(timeout=30)
    assert got == expected
    new_pids = list(client.run(os.getpid).values())
    assert pids[0] not in new_pids  # the nanny started a new worker in its place


def test_review_summary_is_the_one_process_summary(client: Any) -> None:
    db = _need("dask.bag")
    import perfscore.dask as psd
    from perfscore.batch import iter_sources
    from perfscore.review import FORM_SUFFIXES

    folder = ROOT / "examples"
    sources = list(iter_sources([str(folder)], suffixes=FORM_SUFFIXES))
    for top in (50, 3):
        expected = ReviewSummary(top=top)
        for review in review_stream(sources):
            expected.add(review)
        reviews = psd.review_bag(db.from_sequence(sources, npartitions=5))
        got = psd.review_summary(reviews, top=top, split_every=2).compute()
        assert _dumps(got.summary()) == _dumps(expected.summary())
    # review_batch's counts agree too (it keeps every form rather than the top ones).
    batch = perfscore.review.review_batch([str(folder)])
    whole = psd.review_summary(psd.review_bag(db.from_sequence(sources, npartitions=3))).compute()
    assert whole.forms == len(batch.reviews)
    assert _dumps(whole.summary()["codes"]) == _dumps(batch.summary()["codes"])


def test_review_bag_checks_options_before_running() -> None:
    db = _need("dask.bag")
    import perfscore.dask as psd

    with pytest.raises(perfscore.errors.BuildError):
        psd.review_bag(db.from_sequence([{}]), disable=["no_such_code"])


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=False)


def test_score_dataframe_pandas_and_dask_agree(client: Any) -> None:
    pd = _need("pandas")
    dd = _need("dask.dataframe")
    import perfscore.dask as psd

    seed = json.dumps(_seed_data(), ensure_ascii=False)
    frame = pd.DataFrame({"form": [seed, "{broken", seed.replace("岳阳楼区", "某区")]})
    local = psd.score_dataframe(frame)
    assert list(local.columns) == list(psd.COLUMNS)
    assert local["total"].tolist() == ["99.69", None, "99.69"]
    assert local["grade"].tolist() == ["优", None, "优"]
    assert local["error"][0] is None and json.loads(local["error"][1])["errors"]
    assert local["errors"].tolist()[1] == 1  # form_unreadable, at its row
    assert json.loads(local["result"][0], parse_float=Decimal)["total"] == Decimal("99.69")
    distributed = psd.score_dataframe(dd.from_pandas(frame, npartitions=2)).compute()
    pd.testing.assert_frame_equal(distributed, local)


def test_cli_dask_local_is_byte_identical_to_jobs_1(tmp_path: Path) -> None:
    _need("distributed")
    forms = tmp_path / "forms"
    forms.mkdir()
    for name in ("a", "b", "c"):
        (forms / f"{name}.yaml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (forms / "bad.yaml").write_text("kind: form\n", encoding="utf-8")

    def run(*extra: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "perfscore.cli", *extra, "--no-progress"],
            capture_output=True,
            check=False,
            cwd=ROOT,
            timeout=240,
        )

    for command in (["score", str(forms), "--format", "jsonl"], ["review", str(forms)]):
        one = run(*command)
        dask = run(*command, "--dask", "local")
        assert dask.stdout == one.stdout and one.stdout
        assert dask.returncode == one.returncode
    bad = run("score", str(forms), "--scheduler", "tcp://127.0.0.1:9")
    assert bad.returncode == 2
    assert "无法连接 Dask 调度器" in bad.stderr.decode()


# ------------------------------------------------------------- merge, without a cluster


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=6), top=st.integers(0, 8))
def test_merged_partial_summaries_equal_one_summary(cuts: list[int], top: int) -> None:
    entries = _ENTRIES
    expected = ReviewSummary(top=top)
    for e in entries:
        expected.add(e)
    bounds = sorted({0, len(entries), *(c % (len(entries) + 1) for c in cuts)})
    parts = []
    for index, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        part = ReviewSummary(top=top)
        for position, e in enumerate(entries[lo:hi]):
            part.add(e, order=(index, position))
        parts.append(part)
    merged = ReviewSummary(top=top)
    for part in parts:
        merged.merge(part)
    assert _dumps(merged.summary()) == _dumps(expected.summary())
    assert merged.reaches("error") == expected.reaches("error")


def _entries() -> list[Any]:
    from perfscore.review import ReviewEntry, review_form

    seed = _seed_data()
    reviews = [review_form(SEED)]
    for i, total in enumerate(("80", "95", "70", "99")):
        data = {**seed, "unit": f"单位{i}", "reported_total": total}
        reviews.append(review_form(data))
    reviews.append(review_form({"kind": "form"}))
    # Repeats make equally serious forms, whose order only the position decides.
    return [ReviewEntry.of(r) for r in reviews * 5]


_ENTRIES = _entries()
