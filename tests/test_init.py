"""``perfscore init``: starter files that validate and find their schema anywhere (18.10)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

import perfscore
from perfscore import cli
from perfscore.cli.init import reorder
from perfscore.read.resources import schema_path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(
    str(p.relative_to(ROOT / "indicators").with_suffix(""))
    for p in (ROOT / "indicators").rglob("*.yaml")
)


def _schema_line(text: str) -> Path:
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=file://")
    return Path(unquote(urlparse(first.split("=", 1)[1]).path))


@pytest.mark.parametrize("template", TEMPLATES)
def test_form_starter_validates_for_every_shipped_template(
    template: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "深" / "层" / "目录" / "表单.yaml"
    target.parent.mkdir(parents=True)
    assert cli.main(["init", "form", "--template", template, str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    schema = _schema_line(text)
    assert schema.is_file() and schema == Path(schema_path("form")).resolve()
    assert perfscore.validate(target) == []
    assert cli.main(["score", str(target)]) == 0
    capsys.readouterr()


def test_template_starter_validates(tmp_path: Path) -> None:
    target = tmp_path / "我的模板.yaml"
    assert cli.main(["init", "template", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert _schema_line(text) == Path(schema_path("template")).resolve()
    assert perfscore.validate(target) == []


def test_init_never_overwrites_and_writes_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "已有.yaml"
    target.write_text("原有内容", encoding="utf-8")
    assert cli.main(["init", "form", str(target)]) == 2
    assert target.read_text(encoding="utf-8") == "原有内容"
    assert "未覆盖" in capsys.readouterr().err
    assert cli.main(["init", "form", "--schema-url", "https://example.invalid/f.json"]) == 0
    assert capsys.readouterr().out.startswith(
        "# yaml-language-server: $schema=https://example.invalid/f.json\n"
    )
    assert cli.main(["init", "form", "--template", "没有/这个"]) == 2
    assert "模板" in capsys.readouterr().err


def test_file_may_follow_the_options() -> None:
    assert reorder(["init", "form", "--template", "x/y", "f.yaml"]) == [
        "init",
        "form",
        "f.yaml",
        "--template",
        "x/y",
    ]
    assert reorder(["score", "a", "--format", "csv"]) == ["score", "a", "--format", "csv"]


def test_vscode_settings_map_patterns_to_installed_schemas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["init", "vscode"]) == 0
    settings = json.loads(capsys.readouterr().out)["yaml.schemas"]
    paths = {Path(unquote(urlparse(uri).path)).name: pats for uri, pats in settings.items()}
    assert "*.perfscore.yaml" in paths["form.schema.json"]
    assert "*.template.yaml" in paths["template.schema.json"]
    for uri in settings:
        assert Path(unquote(urlparse(uri).path)).is_file()


def _refusing(node: object) -> list[str]:
    """errorMessage of every object schema that refuses unknown keys."""
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            found.append(node.get("errorMessage", ""))
        for value in node.values():
            found.extend(_refusing(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_refusing(value))
    return found


def test_unknown_key_messages_are_chinese() -> None:
    for name in ("form", "template"):
        found = _refusing(json.loads(Path(schema_path(name)).read_text(encoding="utf-8")))
        assert found and all("不认识这个键" in m for m in found), name
