"""OpenAPI schema generation tuned to the one-view-per-operation style (STYLE §2.6)."""

import functools
import inspect

from drf_spectacular.openapi import AutoSchema

from shop.common.pagination import PageNumberPagination


class BazaarAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction) -> str:
        # Nested `InputSerializer`/`OutputSerializer` classes share names across views;
        # prefix the enclosing view so every component is unique ("RegisterApiInput").
        qualname = type(serializer).__qualname__
        if "." in qualname:
            outer, inner = qualname.rsplit(".", 1)
            return f"{outer.split('.')[-1]}{inner}"
        return super().get_serializer_name(serializer, direction)

    def _get_paginator(self):
        # Our list endpoints are plain APIViews that paginate by hand (STYLE §2.6), so
        # drf-spectacular cannot see it and documented a bare array where the API answers
        # {"count", "next", "previous", "results"} (DESIGN §3; found by schemathesis,
        # tests/fuzz). A GET handler answering through get_paginated_response is a page.
        paginator = super()._get_paginator()
        if paginator is None and self.method == "GET" and _answers_with_a_page(type(self.view)):
            paginator = PageNumberPagination()
        return paginator


@functools.cache
def _answers_with_a_page(view_class: type) -> bool:
    handler = getattr(view_class, "get", None)
    try:
        return handler is not None and "get_paginated_response" in inspect.getsource(handler)
    except (OSError, TypeError):  # no source (compiled, generated): keep the default
        return False
