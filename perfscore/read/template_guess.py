"""Which shipped template a CSV/XLSX form is of, when neither the caller nor the sheet says.

A published table says what it is in its head: the title (``项目支出绩效自评表``,
``部门（单位）整体支出绩效自评表``) and the labels of its head block (a project form has
``项目名称`` / ``主管部门`` / ``实施单位`` and a ``项目资金`` budget block; a whole-unit form has
``预算单位名称`` and ``年度预算申请``). :func:`guess_template` looks for those words, in the
order of :data:`SIGNS` (titles first, then labels), and returns the template and the reason,
which review states in its report: ``按项目支出绩效自评表模板复核（依据：表头含‘项目名称’）``.

Stage: read (it only looks at the text the reader kept).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

import attrs

__all__ = ["SIGNS", "TemplateGuess", "guess_template"]


@attrs.frozen
class TemplateGuess:
    """``template`` the id to use; ``form_name`` what the form is; ``sign`` the words that told."""

    template: str
    form_name: str
    sign: str | None

    @property
    def reason(self) -> str:
        """The sentence review shows."""
        why = f"表头含‘{self.sign}’" if self.sign else "表头没有能识别表式的文字，按默认"
        return f"按{self.form_name}模板复核（依据：{why}）"


#: (words, template id, form name), strongest first: a title beats a label.
SIGNS: Final[tuple[tuple[str, str, str], ...]] = (
    ("项目支出绩效自评表", "hunan/project-self-evaluation", "项目支出绩效自评表"),
    ("整体支出绩效自评表", "hunan/unit-self-evaluation", "部门（单位）整体支出绩效自评表"),
    ("整体支出", "hunan/unit-self-evaluation", "部门（单位）整体支出绩效自评表"),
    ("项目名称", "hunan/project-self-evaluation", "项目支出绩效自评表"),
    ("项目支出名称", "hunan/project-self-evaluation", "项目支出绩效自评表"),
    ("项目资金", "hunan/project-self-evaluation", "项目支出绩效自评表"),
    ("主管部门", "hunan/project-self-evaluation", "项目支出绩效自评表"),
    ("实施单位", "hunan/project-self-evaluation", "项目支出绩效自评表"),
    ("预算单位名称", "hunan/unit-self-evaluation", "部门（单位）整体支出绩效自评表"),
    ("年度预算申请", "hunan/unit-self-evaluation", "部门（单位）整体支出绩效自评表"),
)

_SPACE: Final = re.compile(r"\s+")


def _norm(text: str) -> str:
    # NFKC folds （） to (); the words in SIGNS have none, so matching is unaffected
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def guess_template(head_text: Iterable[str], default: str, default_name: str) -> TemplateGuess:
    """The template for a table whose head cells are ``head_text`` (``default`` when no sign)."""
    texts = [_norm(t) for t in head_text]
    for words, template, name in SIGNS:
        key = _norm(words)
        if any(key in t for t in texts):
            return TemplateGuess(template, name, words)
    return TemplateGuess(default, default_name, None)
