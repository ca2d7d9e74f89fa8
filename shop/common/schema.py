"""OpenAPI schema generation tuned to the one-view-per-operation style (STYLE §2.6)."""

from drf_spectacular.openapi import AutoSchema


class BazaarAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction) -> str:
        # Nested `InputSerializer`/`OutputSerializer` classes share names across views;
        # prefix the enclosing view so every component is unique ("RegisterApiInput").
        qualname = type(serializer).__qualname__
        if "." in qualname:
            outer, inner = qualname.rsplit(".", 1)
            return f"{outer.split('.')[-1]}{inner}"
        return super().get_serializer_name(serializer, direction)
