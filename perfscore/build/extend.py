"""Template extension: a template names its ``extends`` base and changes only what differs.

Merging rules (documented in the README, 模板继承):

- top-level settings (``total``, ``rounding``, ``grades``, ``over_achievement``, ``missing``,
  ``not_applicable``, ``review``, ``name``, ``version``, ``description``) replace the base's;
- ``rules``, ``defaults``, ``inputs`` and ``computed`` are merged by name (a child entry replaces
  the base's entry of the same name, others are kept);
- ``indicators`` given in full replaces the base's tree; ``patch`` changes nodes of the base
  tree in place, addressed by path (``产出指标/数量指标``): each entry's keys replace the node's,
  ``remove: true`` drops the node;
- ``examples`` are never inherited (a variant's expected scores differ).

The base is built and checked on its own first, so its errors point into its own file.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import BuildError
from ..read.yaml_document import Document
from ..text.frozen import thaw

if TYPE_CHECKING:
    from .model import Template

__all__ = ["MERGED_BY_NAME", "BaseResolver", "merge", "resolve_extends"]

MERGED_BY_NAME = ("rules", "defaults", "inputs", "computed")
NOT_INHERITED = ("examples", "extends", "patch", "id")
MAX_CHAIN = 10


class BaseResolver(Protocol):
    """What resolving ``extends`` needs of a template library (TemplateLibrary is one): the
    built base template for a reference made in ``doc`` at ``at``. A protocol, so that this
    module does not import the library that imports it."""

    def resolve(self, ref: str, doc: Document, at: tuple[str | int, ...]) -> Template: ...


# The templates whose bases are being resolved, outermost first: the library builds a base
# through resolve_extends again, so a cycle (a extends b extends a) shows up here.
_CHAIN: ContextVar[tuple[str, ...]] = ContextVar("perfscore_extends_chain", default=())


def resolve_extends(doc: Document, library: BaseResolver) -> Document:
    """``doc`` itself, or a new document whose data is the base merged with ``doc``."""
    data = doc.data
    if not isinstance(data, Mapping) or not data.get("extends"):
        return doc
    chain = _CHAIN.get()
    if doc.file in chain or len(chain) >= MAX_CHAIN:
        line, column = doc.locate(("extends",))
        cycle = doc.file in chain
        raise BuildError(
            "模板循环继承" if cycle else f"模板继承层级过多（超过 {MAX_CHAIN} 层）",
            file=doc.file,
            line=line,
            column=column,
            value=" → ".join((*chain, doc.file)),
            expected="每个模板的 extends 最终指向一个不再继承的基础模板",
        )
    ref = str(data["extends"])
    token = _CHAIN.set((*chain, doc.file))
    try:
        base_template = library.resolve(ref, doc, ("extends",))
    finally:
        _CHAIN.reset(token)
    merged = merge(thaw(base_template.data), data, doc)
    return Document(
        data=merged,
        file=doc.file,
        positions=doc.positions,
        key_positions=doc.key_positions,
        text=doc.text,
    )


def merge(base: Mapping[str, Any], child: Mapping[str, Any], doc: Document) -> dict[str, Any]:
    """The merged template data (see the module docstring)."""
    out: dict[str, Any] = {k: copy.deepcopy(v) for k, v in base.items() if k not in NOT_INHERITED}
    for key, value in child.items():
        if key in ("extends", "patch"):
            continue
        if key in MERGED_BY_NAME and isinstance(value, Mapping):
            merged = dict(out.get(key) or {})
            merged.update(copy.deepcopy(dict(value)))
            out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    out["extends"] = child["extends"]
    for path_text, change in (child.get("patch") or {}).items():
        _patch(out.setdefault("indicators", []), path_text, change, doc)
    return out


def _patch(tree: list[Any], path_text: str, change: Any, doc: Document) -> None:
    parts = [p.strip() for p in path_text.replace("›", "/").split("/") if p.strip()]
    siblings = tree
    for depth, name in enumerate(parts):
        node = next((n for n in siblings if isinstance(n, dict) and n.get("name") == name), None)
        if node is None:
            import difflib

            names = [str(n.get("name")) for n in siblings if isinstance(n, dict)]
            close = difflib.get_close_matches(name, names, n=1)
            line, column = doc.key_locate(("patch", path_text))
            raise BuildError(
                f"patch 路径“{path_text}”中的“{name}”在基础模板中不存在",
                file=doc.file,
                line=line,
                column=column,
                indicator_path=parts[: depth + 1],
                expected="、".join(names),
                hint=f"您是不是要写“{close[0]}”？" if close else None,
            )
        if depth == len(parts) - 1:
            if isinstance(change, Mapping) and change.get("remove") is True:
                siblings.remove(node)
            elif isinstance(change, Mapping):
                node.update(copy.deepcopy(dict(change)))
            return
        siblings = node.setdefault("children", [])
