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
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from shop.common.pagination import PageNumberPagination

COUNT_CACHE_MIN = 500


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        seconds = getattr(settings, "CATALOGUE_COUNT_CACHE_SECONDS", 30)
        query = getattr(self.object_list, "query", None)
        if not seconds or query is None:
            return super().count
        try:
            sql, params = query.sql_with_params()
        except EmptyResultSet:  # queryset.none(): nothing to count
            return 0
        key = "catalogue:count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        count = cache.get(key)
        if count is None:
            count = super().count
            if count >= COUNT_CACHE_MIN:
                cache.set(key, count, seconds)
        return count


class ItemPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator
