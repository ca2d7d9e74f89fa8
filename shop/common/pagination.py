"""Pagination shared by every list endpoint (DESIGN §3: page, page_size max 100)."""

from collections.abc import Callable
from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        # DESIGN §3 wants bad input answered with 400; DRF's default is a 404 for a
        # page number out of range or not a number.
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [str(exc.detail)]}) from exc


class MappedRows:
    """A queryset seen through a row -> dataclass function.

    Sliceable and countable, so Django's and DRF's paginators page it in the database,
    while services still hand out frozen dataclasses, never model rows (STYLE §2.2).
    """

    def __init__(self, rows, to_item: Callable[[Any], Any]) -> None:
        self._rows = rows
        self._to_item = to_item

    def count(self) -> int:
        return self._rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._to_item(row) for row in self._rows[index]]
        return self._to_item(self._rows[index])
