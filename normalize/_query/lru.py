"""A small least-recently-used map: linking caches keys, cards and word corrections."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """At most `size` entries; the least recently read or written goes first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._data[key] = value
        self._data.move_to_end(key)
        if len(self._data) > self._size:
            self._data.popitem(last=False)
        return value

    def put_all(self, items: Mapping[K, V]) -> None:
        """`put` each entry of `items`, in order, without a call per entry."""
        data = self._data
        data.update(items)
        for key in items:
            data.move_to_end(key)
        while len(data) > self._size:
            data.popitem(last=False)

    def get_all(self, keys: Iterable[K]) -> dict[K, V]:
        """`get` of each of `keys`, without a call per key: those cached, with their values."""
        data = self._data
        found = {}
        for key in keys:
            value = data.get(key)
            if value is not None:
                data.move_to_end(key)
                found[key] = value
        return found
