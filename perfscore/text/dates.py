"""Deadline targets (时效指标): ``9月前``, ``7月底前``, ``每月15日前``, ``年底前完成``, quarters.

A time target of a 时效指标 is written as a date and a deadline marker, an actual as a date::

    deadline = ["每月"] [year "年"] point marker [what]        9月前  2023年7月底前完成
    point    = month ["月" [day "日"|"号"] | 上旬 中旬 下旬 底 末]  三季度末  年底  上半年
    marker   = 前 以前 之前 内 以内 之内 底前 末前 截止 (or 底/末 alone)
    actual   = anything containing a point                       7月  8月15日完成  三季度

Months and quarters may be written in Arabic or Chinese numerals (``九月``, ``第三季度``).
A point is the *latest* day it can mean (``7月`` = 7月31日, ``三季度`` = 9月30日, ``年底`` =
12月31日, ``上旬`` = 10日, ``中旬`` = 20日): an actual written as a month is read as late as it
can be, so the reading never gives more than the actual says.

``前`` (by): inclusive by default — ``9月前`` is met in September, ``每月15日前`` on the 15th —
as deadlines in notices are read; a template sets ``deadline_before: exclusive`` for the strict
reading (``9月前`` = before 1 September, ``15日前`` = by the 14th). ``底前`` ``末前`` ``内``
always include the named month. The years are compared only when both sides give one. A
recurring target (``每月15日前``) compares the day of the month only.
"""

from __future__ import annotations

import functools
import re

import attrs

from .numbers import fold

__all__ = ["Deadline", "Point", "met", "read_deadline", "read_point"]

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_NUM = r"(?:\d{1,2}|十[一二]?|[一二两三四五六七八九])"
_POINT = (
    r"(?:(?P<year>\d{4})年(?:度)?)?"
    r"(?:"
    rf"(?P<month>{_NUM})月份?(?:(?P<day>\d{{1,2}})[日号]|(?P<part>上旬|中旬|下旬|底|末|中))?"
    rf"|第?(?P<quarter>[1-4一二三四])季度(?P<qend>末|底)?"
    r"|(?P<half>上半年|下半年|年中|年底|年末|年内|全年|本年度?|当年)"
    r")"
)
_POINT_RE = re.compile(_POINT)
_DEADLINE_RE = re.compile(
    r"(?:截至|截止到?|在|于)?(?P<every>每月|每季度?)?"
    + _POINT
    + r"(?P<marker>以前|之前|前|以内|之内|内|截止)?(?P<what>[^\d]*)"
)


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_CN[text[1]] if len(text) > 1 else 0)
    return _CN[text]


@attrs.frozen
class Point:
    """A date as (year, month, day); month/day None for a recurring target's missing parts."""

    year: int | None
    month: int | None
    day: int
    #: whether the text named a whole month/quarter/year (``前`` then can include it)
    whole: bool

    def key(self, *, with_year: bool) -> tuple[int, int, int]:
        return ((self.year or 0) if with_year else 0, self.month or 0, self.day)

    def __str__(self) -> str:
        y = f"{self.year}年" if self.year else ""
        m = f"{self.month}月" if self.month else ""
        return f"{y}{m}{self.day}日"


@attrs.frozen
class Deadline:
    """A time target: the point it names, whether ``前`` excludes it, whether it recurs."""

    point: Point
    before: bool  # written with 前/以前/之前 (not 底前/末前/内)
    every_month: bool
    text: str


def _point(m: re.Match[str]) -> Point | None:
    year = int(m["year"]) if m["year"] else None
    if m["month"]:
        month = _number(m["month"])
        if not 1 <= month <= 12:
            return None
        if m["day"]:
            day = int(m["day"])
            return Point(year, month, day, whole=False) if 1 <= day <= 31 else None
        part = m["part"]
        day = {"上旬": 10, "中旬": 20, "中": 20}.get(part or "", 31)
        return Point(year, month, day, whole=part in (None, "底", "末"))
    if m["quarter"]:
        return Point(year, 3 * _number(m["quarter"]), 31, whole=True)
    half = m["half"]
    if half:
        return Point(year, 6 if half in ("上半年", "年中") else 12, 31, whole=True)
    return None


def _day_only(text: str) -> re.Match[str] | None:
    return re.search(r"(?P<day>\d{1,2})[日号]", text)


@functools.lru_cache(maxsize=1024)  # the same targets recur on every form of a batch
def read_deadline(text: str) -> Deadline | None:
    """A deadline target, or None when the text is not one (then it is an ordinary word)."""
    s = "".join(fold(text).split())
    every = s.startswith("每月")
    if every:
        m = re.fullmatch(
            r"每月(?P<day>\d{1,2})[日号](?P<marker>以前|之前|前|内)?(?P<what>[^\d]*)", s
        )
        if m is None or not 1 <= int(m["day"]) <= 31:
            return None
        day = Point(None, None, int(m["day"]), whole=False)
        return Deadline(day, m["marker"] in ("以前", "之前", "前"), True, text)
    m = _DEADLINE_RE.fullmatch(s)
    if m is None or m["every"]:
        return None  # not a deadline, or a recurring one other than 每月 (每季度: not read)
    marker = m["marker"]
    closing = m["part"] in ("底", "末") or m["qend"] or m["half"] in ("年底", "年末", "年内")
    if marker is None and not closing and "完成" not in (m["what"] or ""):
        return None  # 7月 alone is a month, not a deadline
    point = _point(m)
    if point is None:
        return None
    before = marker in ("以前", "之前", "前") and not closing
    return Deadline(point, before, False, text)


def read_point(text: str, *, every_month: bool = False) -> Point | None:
    """The (latest) date an actual names, anywhere in its text (``8月15日完成`` → 8月15日)."""
    s = "".join(fold(text).split())
    m = _POINT_RE.search(s)
    if m is not None:
        return _point(m)
    if every_month:
        d = _day_only(s)
        if d is not None and 1 <= int(d["day"]) <= 31:
            return Point(None, None, int(d["day"]), whole=False)
    return None


def met(deadline: Deadline, actual: Point, *, exclusive: bool = False) -> bool:
    """Whether ``actual`` is on or before ``deadline`` (``exclusive``: 前 excludes the point)."""
    t = deadline.point
    if deadline.every_month:
        return actual.day < t.day if (exclusive and deadline.before) else actual.day <= t.day
    with_year = t.year is not None and actual.year is not None
    a, b = actual.key(with_year=with_year), t.key(with_year=with_year)
    if exclusive and deadline.before:
        if t.whole:  # 9月前: before 1 September
            return a[:2] < b[:2]
        return a < b
    return a <= b
