"""The browse filters of DESIGN §3, read once for the /items/ page and GET items/.

Strict: a value that is not understood is an error naming its parameter (400 in the API,
a message beside the field on the page), never silently ignored. Read by hand rather than
through a django-filter FilterSet: building and validating the FilterSet's form cost a
fifth of the browse page (docs/benchmarks.md) for seven plain parameters.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from accounts import services as accounts_services
from catalogue import selectors
from catalogue.models import Item
from catalogue.selectors import MAX_QUERY_LENGTH, ORDERINGS, CategoryNode
from shop.common.pagination import MappedRows

MAX_SELLER_LENGTH = 150
# One `condition` value: a condition or a comma list of them (all four spelled out: 28).
MAX_CONDITION_LENGTH = 100
CONDITIONS = tuple(Item.Condition.values)  # the canonical order of BrowseFilters.condition
ORDERING_CHOICES = [
    ("-created_at", "Newest first"),
    ("price", "Price: low to high"),
    ("-price", "Price: high to low"),
    ("title", "Title: A to Z"),
]

# Prices as the money columns hold them: 12 digits before the point, 2 after, no sign.
_PRICE = re.compile(r"[0-9]{1,12}(?:\.[0-9]{0,2})?|\.[0-9]{1,2}")
_DIGITS = re.compile(r"[0-9]+\.?[0-9]*|\.[0-9]+")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True, slots=True)
class BrowseFilters:
    """What a visitor asked for, every value already checked; empty fields filter nothing."""

    q: str = ""
    category: CategoryNode | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    seller: str = ""
    in_stock: bool = False
    ordering: str = ""
    condition: tuple[str, ...] = ()  # Item.Condition values in CONDITIONS order; () = any

    @property
    def matching_key(self) -> tuple:
        """Identifies the set of matching items (the ordering does not change it)."""
        category = self.category.slug if self.category else ""
        return (self.q, category, self.price_min, self.price_max, self.seller.lower(), self.in_stock, self.condition)


FILTER_NAMES = tuple(field.name for field in fields(BrowseFilters))


@dataclass(frozen=True, slots=True)
class Found:
    filters: BrowseFilters
    errors: dict[str, list[str]]
    rows: MappedRows  # ItemRows, paged and counted in the database
    tree: list[CategoryNode]


def find_items(params: Mapping[str, str]) -> Found:
    """The active items `params` ask for (the page and the API). Nothing is queried until
    the rows are counted or sliced; parameters in error are left out (see read_filters)."""
    tree = selectors.category_tree()
    filters, errors = read_filters(params, categories=selectors.categories_by_slug(tree))
    search_key = (filters.matching_key, filters.ordering) if filters.q else None
    rows = selectors.as_rows(matching_items(filters), tree=tree, search_key=search_key)
    return Found(filters=filters, errors=errors, rows=rows, tree=tree)


def read_filters(
    params: Mapping[str, str], *, categories: Mapping[str, CategoryNode]
) -> tuple[BrowseFilters, dict[str, list[str]]]:
    """The filters in `params`, and an error list per parameter that could not be read.

    A parameter in error is left out of the filters, so a page can still apply the others.
    `categories`: the category nodes by slug (selectors.categories_by_slug).
    `condition` may be repeated (a QueryDict's getlist) and each value may be a comma list.
    """
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for name, read in _READERS.items():
        raw = params.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = read(raw, categories)
        except ValueError as exc:
            errors[name] = [str(exc)]
    getlist = getattr(params, "getlist", None)
    raw_conditions = getlist("condition") if getlist else [params.get("condition") or ""]
    try:
        chosen = _conditions(raw_conditions)
    except ValueError as exc:
        errors["condition"] = [str(exc)]
    else:
        if chosen:
            values["condition"] = chosen
    return BrowseFilters(**values), errors


def _text(raw: str, max_length: int) -> str:
    if "\x00" in raw:
        raise ValueError("Null characters are not allowed.")
    if len(raw) > max_length:
        raise ValueError(f"Use at most {max_length} characters (this has {len(raw):,}).")
    return raw.strip()


def _price(raw: str, categories) -> Decimal:
    text = raw.strip()
    if _PRICE.fullmatch(text):
        return Decimal(text)
    if text.startswith("-") and _PRICE.fullmatch(text[1:]):
        raise ValueError("Enter a price of 0 or more.")
    if _DIGITS.fullmatch(text):
        whole, _, places = text.partition(".")
        if len(places) > 2:
            raise ValueError("Use at most 2 decimal places.")
        raise ValueError("Enter a price below 1,000,000,000,000.")
    raise ValueError("Enter a number.")


def _category(raw: str, categories: Mapping[str, CategoryNode]) -> CategoryNode:
    node = categories.get(raw.strip())
    if node is None:
        raise ValueError(f"No category “{raw[:80]}”: use a slug from the categories list.")
    return node


def _in_stock(raw: str, categories) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("Use true or false.")


def _conditions(raws: list[str]) -> tuple[str, ...]:
    chosen = set()
    for raw in raws:
        for part in _text(raw, MAX_CONDITION_LENGTH).split(","):
            part = part.strip()
            if part and part not in CONDITIONS:
                raise ValueError(f"Unknown condition “{part[:40]}”: use new, like_new, good or fair.")
            chosen.add(part)
    return tuple(condition for condition in CONDITIONS if condition in chosen)


def _ordering(raw: str, categories) -> str:
    if raw not in ORDERINGS:
        raise ValueError(f"Order by one of: {', '.join(ORDERINGS)}.")
    return raw


_READERS = {
    "q": lambda raw, categories: _text(raw, MAX_QUERY_LENGTH),
    "category": _category,
    "price_min": _price,
    "price_max": _price,
    "seller": lambda raw, categories: _text(raw, MAX_SELLER_LENGTH),
    "in_stock": _in_stock,
    "ordering": _ordering,
}


def matching_items(filters: BrowseFilters) -> QuerySet[Item]:
    """Active items matching `filters`, in the order asked for (DESIGN §3)."""
    # One filter() call: each call clones the query, which showed in the page's profile.
    conditions = Q()
    if filters.category is not None:
        # A top category includes its subcategories; the ids come from the cached tree.
        conditions &= Q(category_id__in=filters.category.subtree_ids)
    if filters.price_min is not None:
        conditions &= Q(price__gte=filters.price_min)
    if filters.price_max is not None:
        conditions &= Q(price__lte=filters.price_max)
    if filters.seller:
        seller_id = accounts_services.find_user_id(username=filters.seller)
        if seller_id is None:
            return selectors.active_items().none()
        conditions &= Q(seller_id=seller_id)
    if filters.in_stock:
        conditions &= Q(quantity__gt=F("reserved"))
    if filters.condition and len(filters.condition) < len(CONDITIONS):
        conditions &= Q(condition__in=filters.condition)
    items = selectors.active_items().filter(conditions)
    if filters.q:
        items = selectors.search(items, filters.q)
    return selectors.order(items, filters.ordering, searched=bool(filters.q))
