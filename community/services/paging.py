"""MappedRows for rows that are turned into dataclasses a page at a time (one bulk read)."""

from collections.abc import Callable
from typing import Any


class BatchMappedRows:
    """Like shop.common.pagination.MappedRows, but the mapping takes the whole page, so it
    can fetch what the rows refer to in one query (cards of favourited items, names)."""

    def __init__(self, rows, to_items: Callable[[list], list[Any]]) -> None:
        self._rows = rows
        self._to_items = to_items

    def count(self) -> int:
        return self._rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._to_items(list(self._rows[index]))
        return self._to_items([self._rows[index]])[0]
