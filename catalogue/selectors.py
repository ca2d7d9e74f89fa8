"""Reads for catalogue's own pages, API and admin (private: other apps use services)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F, Q, QuerySet

from catalogue.models import TREE_CACHE_KEY, Category, Item
from shop.common.pagination import MappedRows

ItemStatus = Item.Status
CONDITION_LABELS = dict(Item.Condition.choices)
MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = "english"

# Columns a list row needs (no description: it is the bulk of a row and lists do not show it).
LIST_FIELDS = (
    "id",
    "title",
    "price",
    "quantity",
    "reserved",
    "sold",
    "status",
    "condition",
    "thumbnail",
    "created_at",
    "seller_id",
    "seller__username",
    "category_id",
    "category__name",
    "category__slug",
)
# Columns of a browse row (ItemRow): one join, for the seller's name; the category comes
# from the cached tree. Rows rather than model instances: building 48 instances (items
# and sellers) cost more than the SQL query of a page.
ROW_FIELDS = (
    "id",
    "title",
    "price",
    "quantity",
    "reserved",
    "status",
    "condition",
    "thumbnail",
    "created_at",
    "seller_id",
    "seller__username",
    "category_id",
)
ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "title": ("title", "id"),
}
DEFAULT_ORDERING = "-created_at"
# Category.save/delete clear it; the timeout only bounds changes made behind the ORM's back.
TREE_CACHE_SECONDS = 300


@dataclass(frozen=True)
class CategoryNode:
    id: int
    slug: str
    name: str
    children: tuple["CategoryNode", ...] = field(default=())

    @property
    def subtree_ids(self) -> list[int]:
        return [self.id, *(child.id for child in self.children)]


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item as browse lists show it."""

    id: int
    title: str
    price: Decimal
    available: int
    status: str
    condition: str  # an Item.Condition value
    thumbnail: str  # storage name; "" without a picture
    created_at: datetime
    seller_id: int
    seller_username: str
    category: CategoryNode

    @property
    def condition_label(self) -> str:
        return CONDITION_LABELS[self.condition]

    @property
    def thumbnail_url(self) -> str | None:
        return default_storage.url(self.thumbnail) if self.thumbnail else None


def category_tree() -> list[CategoryNode]:
    """The two-level tree in display order: one query, then cached until a category changes."""
    tree = cache.get(TREE_CACHE_KEY)
    return tree if tree is not None else refresh_category_tree()


def refresh_category_tree() -> list[CategoryNode]:
    tree = _load_category_tree()
    cache.set(TREE_CACHE_KEY, tree, TREE_CACHE_SECONDS)
    return tree


def _load_category_tree() -> list[CategoryNode]:
    rows = list(Category.objects.order_by("position", "name").values("id", "slug", "name", "parent_id"))
    children: dict[int, list[CategoryNode]] = {}
    for row in rows:
        if row["parent_id"] is not None:
            node = CategoryNode(id=row["id"], slug=row["slug"], name=row["name"])
            children.setdefault(row["parent_id"], []).append(node)
    return [
        CategoryNode(id=row["id"], slug=row["slug"], name=row["name"], children=tuple(children.get(row["id"], ())))
        for row in rows
        if row["parent_id"] is None
    ]


def categories_by_slug(tree: list[CategoryNode]) -> dict[str, CategoryNode]:
    nodes = {}
    for top in tree:
        nodes[top.slug] = top
        for child in top.children:
            nodes[child.slug] = child
    return nodes


def categories_by_id(tree: list[CategoryNode]) -> dict[int, CategoryNode]:
    return {node.id: node for node in categories_by_slug(tree).values()}


def active_items() -> QuerySet[Item]:
    return Item.objects.filter(status=ItemStatus.ACTIVE)


def as_rows(queryset: QuerySet[Item], *, tree: list[CategoryNode]) -> MappedRows:
    """`queryset` read as ItemRows: sliceable and countable, for the paginators."""
    categories = categories_by_id(tree)

    def to_row(values: tuple) -> ItemRow:
        (
            pk,
            title,
            price,
            quantity,
            reserved,
            status,
            condition,
            thumbnail,
            created_at,
            seller_id,
            seller,
            category_id,
        ) = values
        if category_id not in categories:
            # A category newer than this process's cached tree (a local-memory cache is
            # not cleared by another process's save): read the tree again, once.
            categories.update(categories_by_id(refresh_category_tree()))
        return ItemRow(
            id=pk,
            title=title,
            price=price,
            available=quantity - reserved,
            status=status,
            condition=condition,
            thumbnail=thumbnail,
            created_at=created_at,
            seller_id=seller_id,
            seller_username=seller,
            category=categories[category_id],
        )

    return MappedRows(queryset.values_list(*ROW_FIELDS), to_row)


def sellers_items(*, seller_id: int) -> QuerySet[Item]:
    """Every listing of one seller, any status, newest first."""
    return (
        Item.objects.filter(seller_id=seller_id)
        .select_related("seller", "category")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")
    )


def item_with_details(*, item_id: int) -> Item | None:
    return Item.objects.select_related("seller", "category").filter(pk=item_id).first()


def latest_items(*, limit: int = 12) -> list[ItemRow]:
    return as_rows(active_items().order_by("-created_at", "-id"), tree=category_tree())[:limit]


def search(queryset: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Full-text search with a `rank` on PostgreSQL; word-by-word contains-match elsewhere."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        # search_document is kept by a trigger (migration 0005) and GIN-indexed.
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_document=query).annotate(rank=SearchRank(F("search_document"), query))
    words = text.split()[:10]
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(description__icontains=word)
    return queryset.filter(condition)


def order(queryset: QuerySet[Item], ordering: str | None, *, searched: bool) -> QuerySet[Item]:
    """Explicit ordering first; else best match for a search; else newest. Always ends in id (stable pages)."""
    if not ordering and searched and connection.vendor == "postgresql":
        return queryset.order_by(F("rank").desc(), "-created_at", "-id")
    return queryset.order_by(*ORDERINGS[ordering or DEFAULT_ORDERING])
