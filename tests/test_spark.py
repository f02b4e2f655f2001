"""The Dask frame scorer used from PySpark, as a data platform team would: ``mapInPandas``.

Needs Java (17+) and the ``spark`` extra. Outside CI the test is skipped, with the reason, when
either is missing; in CI (``CI`` set) a missing part fails the test instead.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}（CI 中应已安装）")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _missing("未找到 Java：PySpark 需要 Java 17 或更高版本")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _missing("未安装 pyspark（pip install 'perfscore[spark]'）")
    # The Python workers must be this interpreter (with perfscore, pandas and pyarrow).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("perfscore-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()


def test_map_in_pandas_gives_the_one_process_rows(spark: Any) -> None:
    import pandas as pd

    import perfscore.dask as psd
    from perfscore.read.yaml import load_yaml

    seed = json.dumps(load_yaml(SEED).data, ensure_ascii=False)
    forms = [seed, "{broken", seed.replace("岳阳楼区岳阳楼街道办事处", "某街道")]
    frame = pd.DataFrame({"id": [1, 2, 3], "form": forms})
    expected = psd.score_dataframe(frame[["form"]])
    df = spark.createDataFrame(frame).repartition(2, "id").sortWithinPartitions("id")
    out = df.select("form").mapInPandas(psd.FrameScorer(column="form"), schema=psd.SPARK_SCHEMA)
    rows = sorted(out.collect(), key=lambda r: (r["unit"] or "", r["error"] or ""))
    assert len(rows) == 3
    by_unit = {r["unit"]: r for r in rows}
    assert by_unit["岳阳楼区岳阳楼街道办事处"]["total"] == "99.69"
    assert by_unit["某街道"]["grade"] == "优"
    broken = by_unit[None]
    assert json.loads(broken["error"])["errors"][0]["type"] == "LoadError"
    assert broken["errors"] == 1
    want = expected[expected["unit"] == "某街道"].iloc[0]
    got = by_unit["某街道"]
    for column in psd.COLUMNS:
        assert got[column] == want[column], column
    assert json.loads(got["result"], parse_float=Decimal)["total"] == Decimal("99.69")
