"""Read-only mappings for frozen model objects (a built Template hands out no mutable dict).

:class:`FrozenMap` is a :class:`~collections.abc.Mapping` over a private dict: no item
assignment, no ``update``/``pop``/``clear``, hashable when its values are; it compares equal
to a dict with the same items, pickles (a built template is sent to worker processes), and is
shown like a dict. :func:`freeze` turns nested plain data into FrozenMaps and :class:`FrozenList` tuples (equal to
the same list);
:func:`thaw` turns it back into dicts and lists (for JSON, YAML and template merging).
:class:`types.MappingProxyType` is not used because it does not pickle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

__all__ = ["FrozenList", "FrozenMap", "freeze", "freeze_map", "thaw"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """An immutable mapping (see the module docstring)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data or {}))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._data[key]  # type: ignore[no-any-return, attr-defined, unused-ignore]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)  # type: ignore[attr-defined, unused-ignore]

    def __len__(self) -> int:
        return len(self._data)  # type: ignore[attr-defined, unused-ignore]

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __hash__(self) -> int:
        if self._hash is None:  # type: ignore[attr-defined, unused-ignore]
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))  # type: ignore[attr-defined, unused-ignore]
        return self._hash  # type: ignore[no-any-return, attr-defined, unused-ignore]

    def __repr__(self) -> str:
        return repr(self._data)  # type: ignore[attr-defined, unused-ignore]

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._data,))  # type: ignore[attr-defined, unused-ignore]


class FrozenList(tuple[Any, ...]):
    """A list from template data, frozen: a tuple that compares equal to the same list."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return list(self) == other
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__


def freeze(value: Any) -> Any:
    """Nested dicts/lists (and Mappings/tuples) as FrozenMaps and tuples; other values as is."""
    if isinstance(value, Mapping):
        return FrozenMap({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return FrozenList(freeze(v) for v in value)
    return value


def freeze_map(value: Mapping[Any, Any] | None) -> FrozenMap[Any, Any]:
    """A mapping field's converter: a FrozenMap of ``value`` (nested values frozen too)."""
    if isinstance(value, FrozenMap):
        return value
    frozen: FrozenMap[Any, Any] = freeze(value or {})
    return frozen


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`: plain dicts and lists (new ones, safe to change)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    if isinstance(value, list):
        return [thaw(v) for v in value]
    return value
