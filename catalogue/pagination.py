"""Pagination for browse: exact pages, with large counts briefly cached.

COUNT(*) over 100,000 matching rows costs more than the page itself (measured: about 10x
the 24-row page query on PostgreSQL), and a browse page asks for it on every request. A
count of at least COUNT_CACHE_MIN rows is kept CATALOGUE_COUNT_CACHE_SECONDS (default 30)
per distinct query, so "Page 1 of 4,167" may lag new listings by that long; small counts,
where a visitor would notice, are always exact. The rows themselves are never cached.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from shop.common.pagination import PageNumberPagination

COUNT_CACHE_MIN = 500


class CachedCountPaginator(Paginator):
    """`count_key`: what identifies the filtered set (BrowseFilters.matching_key); cheaper
    than compiling the SQL for a key, which costs as much as the count query's setup."""

    def __init__(self, object_list, per_page, *, count_key: tuple | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        seconds = getattr(settings, "CATALOGUE_COUNT_CACHE_SECONDS", 30)
        if not seconds or self.count_key is None:
            return super().count
        key = "catalogue:count:" + hashlib.sha256(repr(self.count_key).encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            count = super().count
            if count >= COUNT_CACHE_MIN:
                cache.set(key, count, seconds)
        # A large search caches its first pages' ids (catalogue.selectors.SearchRows).
        note_count = getattr(self.object_list, "note_count", None)
        if note_count is not None:
            note_count(count)
        return count


class ItemPagination(PageNumberPagination):
    """The API's pagination with the same count cache as the page."""

    def __init__(self, *, count_key: tuple | None = None):
        self.count_key = count_key

    def django_paginator_class(self, object_list, per_page):
        return CachedCountPaginator(object_list, per_page, count_key=self.count_key)
