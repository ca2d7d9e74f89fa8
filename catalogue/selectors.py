"""Reads for catalogue's own pages, API and admin (private: other apps use services)."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F, Q, QuerySet

from accounts import services as accounts_services
from catalogue.models import TREE_CACHE_KEY, Category, Item
from shop.common.pagination import MappedRows

ItemStatus = Item.Status
CONDITION_LABELS = dict(Item.Condition.choices)
MAX_QUERY_LENGTH = 200
SEARCH_CONFIG = "english"
# The last word of a search also matches as a prefix ("guit" finds guitar) from this length:
# shorter prefixes match a large share of all words and say little.
PREFIX_MIN_LENGTH = 3
_PLAIN_WORD = re.compile(r"[^\W_]+")  # letters and digits only: safe inside to_tsquery
# Searches matching at least SEARCH_CACHE_MIN items keep the ids of their first
# SEARCH_CACHE_ROWS results (ten pages of 24, twelve API pages of 20) for the browse cache
# time (CATALOGUE_COUNT_CACHE_SECONDS, like their count): ranking reads every match.
SEARCH_CACHE_MIN = 500
SEARCH_CACHE_ROWS = 240

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
    "favourite_count",
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
    "favourite_count",
    # The seller's rating aggregates (accounts' seller-stats row, a LEFT JOIN on the
    # seller's one-to-one): cards show "★ 4.6 (12)" without another query.
    "seller__seller_stats__rating_count",
    "seller__seller_stats__rating_sum",
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
    favourite_count: int = 0
    seller_rating_count: int = 0
    seller_rating_sum: int = 0

    @property
    def seller_rating(self) -> str:
        """ "★ 4.6 (12)", or "" before the seller's first rating."""
        return accounts_services.rating_label(count=self.seller_rating_count, total=self.seller_rating_sum)

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


class SearchRows(MappedRows):
    """Rows of a search whose first SEARCH_CACHE_ROWS ids are cached once it is known to
    match SEARCH_CACHE_MIN items or more (the paginator reports the count before slicing).

    Ranking reads the stored document of every match (one heap page each: about 3,800 for
    "guitar" over 100,000 items), however few rows a page shows. A cached page reads its
    24 rows by primary key, still through the search's filters, so prices, availability
    and withdrawals are live; only the order (and new listings) lag by up to the cache time.
    Either way a page costs one query. Uncached, the ranking runs in a subquery that reads
    only the ids (`id IN (... ORDER BY rank LIMIT 24)`), so the seller join and the wide
    columns are read for a page's rows, not for every match (about a third less time).
    """

    def __init__(self, rows, to_item, *, ids: QuerySet, key: tuple) -> None:
        """`rows`: the search's ItemRow columns; `ids`: the same search's ids, in the same order."""
        super().__init__(rows, to_item)
        self._ids = ids
        self._key = "catalogue:search:" + hashlib.sha256(repr(key).encode()).hexdigest()
        self._count: int | None = None

    def note_count(self, count: int) -> None:
        self._count = count

    def __getitem__(self, index):
        if (
            not isinstance(index, slice)
            or index.step is not None
            or (index.start or 0) < 0
            or index.stop is None
            or index.stop <= (index.start or 0)
        ):
            return super().__getitem__(index)
        seconds = getattr(settings, "CATALOGUE_COUNT_CACHE_SECONDS", 30)
        if not seconds or index.stop > SEARCH_CACHE_ROWS or self._count is None or self._count < SEARCH_CACHE_MIN:
            return [self._to_item(row) for row in self._ranked(index.start or 0, index.stop)]
        ids = cache.get(self._key)
        if ids is None:
            rows = self._ranked(0, SEARCH_CACHE_ROWS)
            cache.set(self._key, [row[0] for row in rows], seconds)
            return [self._to_item(row) for row in rows[index]]
        wanted = ids[index]
        if not wanted:
            return []
        found = {row[0]: row for row in self._rows.filter(pk__in=wanted).order_by()}
        return [self._to_item(found[pk]) for pk in wanted if pk in found]

    def _ranked(self, start: int, stop: int) -> list[tuple]:
        return list(self._rows.filter(pk__in=self._ids[start:stop]))


def as_rows(queryset: QuerySet[Item], *, tree: list[CategoryNode], search_key: tuple | None = None) -> MappedRows:
    """`queryset` read as ItemRows: sliceable and countable, for the paginators.

    `search_key` (what identifies a search and its order) lets a large search's first
    pages come from cached ids (SearchRows)."""
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
            favourites,
            rating_count,
            rating_sum,
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
            favourite_count=favourites,
            seller_rating_count=rating_count or 0,
            seller_rating_sum=rating_sum or 0,
        )

    if search_key is not None:
        rows, ids = queryset.values_list(*ROW_FIELDS), queryset.values_list("pk", flat=True)
        return SearchRows(rows, to_row, ids=ids, key=search_key)
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
    # seller__seller_stats: the rating shown beside the seller, in the same query.
    return Item.objects.select_related("seller", "seller__seller_stats", "category").filter(pk=item_id).first()


def seller_rating_counts(item: Item) -> tuple[int, int]:
    """(count, sum) of the ratings of an item_with_details' seller; (0, 0) before the first."""
    stats = getattr(item.seller, "seller_stats", None)
    return (stats.rating_count, stats.rating_sum) if stats else (0, 0)


def latest_items(*, limit: int = 12) -> list[ItemRow]:
    return as_rows(active_items().order_by("-created_at", "-id"), tree=category_tree())[:limit]


def search(queryset: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Full-text search with a `rank` on PostgreSQL; word-by-word contains-match elsewhere."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        # search_document is kept by a trigger (migration 0005) and GIN-indexed.
        query = search_query(text)
        return queryset.filter(search_document=query).annotate(rank=SearchRank(F("search_document"), query))
    words = text.split()[:10]
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(description__icontains=word)
    return queryset.filter(condition)


def search_query(text: str) -> SearchQuery:
    """Web-search syntax (quotes, -word, or), the last word also as a prefix while it is typed.

    "acoustic guit" is websearch_to_tsquery('acoustic') && to_tsquery('guit:*'): the
    prefix part takes only a plain word (letters and digits) of PREFIX_MIN_LENGTH or more
    that is not negated, quoted or after "or", so nothing a visitor types reaches
    to_tsquery's own syntax. The prefix is stemmed like the documents ("guitars" ->
    guitar:*); a partial word that runs past its stem ("acousti", stem "acoust") misses
    until the word is complete.
    """
    words = text.split()
    last = words[-1]
    before = words[-2].lower() if len(words) > 1 else ""
    if (
        len(last) < PREFIX_MIN_LENGTH
        or not _PLAIN_WORD.fullmatch(last)
        or last.lower() == "or"
        or before == "or"
        or text.count('"') % 2
    ):
        return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    prefix = SearchQuery(f"{last}:*", config=SEARCH_CONFIG, search_type="raw")
    head = " ".join(words[:-1])
    return SearchQuery(head, config=SEARCH_CONFIG, search_type="websearch") & prefix if head else prefix


def order(queryset: QuerySet[Item], ordering: str | None, *, searched: bool) -> QuerySet[Item]:
    """Explicit ordering first; else best match for a search; else newest. Always ends in id (stable pages)."""
    if not ordering and searched and connection.vendor == "postgresql":
        return queryset.order_by(F("rank").desc(), "-created_at", "-id")
    return queryset.order_by(*ORDERINGS[ordering or DEFAULT_ORDERING])
