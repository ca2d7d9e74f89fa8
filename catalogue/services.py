"""Public interface of catalogue: item snapshots and the stock counters.

Stock rules (DESIGN §2 Items, STYLE §2.5): reserve / release / write-off take a list of
(item id, quantity) lines, lock the item rows in ascending id order, and change the
counters with conditional UPDATEs; all or nothing. They join the caller's transaction.
"""

import logging
import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from catalogue import demo, demo_pictures, events, selectors
from catalogue.models import Category, Item
from catalogue.pictures import prepare_picture
from outbox import services as outbox_services
from shop.common.errors import DomainError, InvalidInput, NotFoundError
from shop.common.money import InvalidAmount, to_money
from shop.common.transactions import joined

logger = logging.getLogger(__name__)

ItemStatus = Item.Status
ItemCondition = Item.Condition
StockLines = Iterable[tuple[int, int]]
# The card every list of items shows (browse, home, seller profiles, favourites).
ItemCard = selectors.ItemRow


@dataclass(frozen=True, slots=True)
class ItemSnapshot:
    item_id: int
    seller_id: int
    title: str
    unit_price: Decimal
    available: int
    status: str

    @property
    def is_active(self) -> bool:
        return self.status == ItemStatus.ACTIVE


class ItemNotFound(NotFoundError):
    default_detail = "No such item."


class ItemUnavailable(DomainError):
    code = "item_unavailable"
    default_detail = "This item is no longer for sale."


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    default_detail = "Not enough units of some items are available."

    def __init__(self, detail: str | None = None, *, short_item_ids: Collection[int] = ()) -> None:
        super().__init__(detail, short_item_ids=sorted(short_item_ids))
        self.short_item_ids = tuple(sorted(short_item_ids))


class InvalidItemStatus(DomainError):
    """The seller asked for a change the item's status does not allow (e.g. relisting a hidden item)."""

    code = "invalid_status"
    default_detail = "This item's status does not allow that."


class InvalidStockOperation(DomainError):
    """Releasing or writing off more than is reserved: a bug in the caller, never user input."""

    code = "invalid_stock_operation"


def get_item_snapshots(*, item_ids: Collection[int]) -> dict[int, ItemSnapshot]:
    """Live title, price, seller, availability and status of many items, in one query."""
    rows = Item.objects.filter(pk__in=list(item_ids)).values_list(
        "pk", "seller_id", "title", "price", "quantity", "reserved", "status"
    )
    return {
        pk: ItemSnapshot(
            item_id=pk, seller_id=seller_id, title=title, unit_price=price, available=quantity - reserved, status=status
        )
        for pk, seller_id, title, price, quantity, reserved, status in rows
    }


def reserve_items(*, lines: StockLines, seen: Mapping[int, ItemSnapshot] | None = None) -> dict[int, ItemSnapshot]:
    """Hold units for an order, all or nothing; returns the items as locked.

    Locks the items in id order, refuses withdrawn or hidden items (ItemUnavailable) and
    any line short of units (InsufficientStock naming every short item), then moves the
    units with conditional UPDATEs. `seen` is what the caller read a moment before
    without a lock: a line already short or unavailable there is refused without taking
    any lock, so the losers of a sold-out item do not queue behind its buyers (a stock
    that only grows later is no reason to wait). Joins the caller's transaction; a
    refusal is raised before any write and outside the joined block, so a caller that
    catches it goes on in its transaction without a savepoint.
    """
    wanted = _merge(lines)
    if seen is not None and (refusal := _refusal(wanted, {pk: (s.available, s.status) for pk, s in seen.items()})):
        raise refusal
    with joined():
        locked = _lock(wanted)
        # Raised after the block, not through it: an error leaving a joined block marks
        # the caller's whole transaction for rollback, and checkout goes on to record
        # the failed order.
        refusal = _refusal(
            wanted, {pk: (row["quantity"] - row["reserved"], row["status"]) for pk, row in locked.items()}
        )
        if refusal is None:
            for pk, qty in wanted.items():
                # Conditional even under the lock: the UPDATE itself never oversells. It cannot
                # miss after the checks above; if it did, earlier lines are already written, so
                # it fails the caller's whole transaction rather than refuse.
                updated = Item.objects.filter(pk=pk, quantity__gte=F("reserved") + qty).update(
                    reserved=F("reserved") + qty
                )
                if not updated:
                    raise InvalidStockOperation(f"item {pk} lost units while locked")
    if refusal is not None:
        raise refusal
    return {
        pk: ItemSnapshot(
            item_id=pk,
            seller_id=row["seller_id"],
            title=row["title"],
            unit_price=row["price"],
            available=row["quantity"] - row["reserved"] - wanted[pk],
            status=row["status"],
        )
        for pk, row in locked.items()
    }


def _refusal(wanted: dict[int, int], stock: Mapping[int, tuple[int, str]]) -> DomainError | None:
    """The reservation rules: every item exists, is active, and has the units."""
    if set(wanted) - set(stock):
        return ItemNotFound()
    unavailable = sorted(pk for pk in wanted if stock[pk][1] != ItemStatus.ACTIVE)
    if unavailable:
        return ItemUnavailable(item_ids=unavailable)
    short = [pk for pk, qty in wanted.items() if stock[pk][0] < qty]
    if short:
        return InsufficientStock(short_item_ids=short)
    return None


def release_items(*, lines: StockLines) -> None:
    """Give back reserved units (order cancelled or expired). Joins the caller's transaction."""
    wanted = _merge(lines)
    with joined():
        _lock(wanted)
        for pk, qty in wanted.items():
            updated = Item.objects.filter(pk=pk, reserved__gte=qty).update(reserved=F("reserved") - qty)
            if not updated:
                raise InvalidStockOperation(f"item {pk} holds fewer than {qty} reserved units")


def write_off_items(*, lines: StockLines) -> None:
    """Turn reservations into sales (order paid): quantity and reserved both drop.

    Works for withdrawn and hidden items too: reservations already held may be paid.
    Joins the caller's transaction.
    """
    wanted = _merge(lines)
    with joined():
        _lock(wanted)
        for pk, qty in wanted.items():
            updated = Item.objects.filter(pk=pk, reserved__gte=qty).update(
                quantity=F("quantity") - qty, reserved=F("reserved") - qty, sold=F("sold") + qty
            )
            if not updated:
                raise InvalidStockOperation(f"item {pk} holds fewer than {qty} reserved units")


def restock_items(*, lines: StockLines) -> None:
    """Put sold units back on sale (a parcel refunded before it was shipped, DESIGN §2):
    quantity and the sold counter move back. Joins the caller's transaction; locks the
    items by id like every stock path."""
    wanted = _merge(lines)
    with joined():
        _lock(wanted)
        for pk, qty in wanted.items():
            Item.objects.filter(pk=pk).update(quantity=F("quantity") + qty, sold=Greatest(F("sold") - qty, 0))


def _merge(lines: StockLines) -> dict[int, int]:
    """Sum quantities per item, refuse non-positive ones, and sort by id (the lock order)."""
    merged: Counter[int] = Counter()
    for item_id, quantity in lines:
        if quantity <= 0:
            raise InvalidStockOperation(f"quantity must be positive, got {quantity}")
        merged[item_id] += quantity
    return dict(sorted(merged.items()))


def _lock(wanted: dict[int, int]) -> dict[int, dict]:
    rows = (
        Item.objects.select_for_update(of=("self",))
        .filter(pk__in=list(wanted))
        .order_by("pk")
        .values("pk", "quantity", "reserved", "status", "seller_id", "title", "price")
    )
    return {row["pk"]: row for row in rows}


# --- Listings: what sellers and moderators do --------------------------------------------

MAX_QUANTITY = 1_000_000
_UNSET = object()


def create_item(
    *,
    seller_id: int,
    title: str,
    category_slug: str,
    price: Decimal | str,
    quantity: int,
    description: str = "",
    condition: str = ItemCondition.GOOD,
    picture=None,
) -> ItemSnapshot:
    """Put a new listing on sale (status active).

    The picture, if any, must already be validated (catalogue.pictures.validate_picture);
    its thumbnail is made here. Raises InvalidInput naming the field for a bad title,
    category, price, quantity or condition. Runs in its own transaction.
    """
    fields = {
        "title": _clean_title(title),
        "description": description or "",
        "category_id": _category_id(category_slug),
        "price": _clean_price(price),
        "quantity": _clean_quantity(quantity),
        "condition": _clean_condition(condition),
    }
    item = Item(seller_id=seller_id, **fields)
    if picture is not None:
        _attach_picture(item, picture)
    with transaction.atomic():
        item.save()
    logger.info("item %s listed by seller %s", item.pk, seller_id)
    return _snapshot(item)


def update_item(
    *,
    item_id: int,
    seller_id: int,
    title: str | None = None,
    description: str | None = None,
    category_slug: str | None = None,
    price: Decimal | str | None = None,
    quantity: int | None = None,
    condition: str | None = None,
    picture=None,
    remove_picture: bool = False,
    status: str | None = None,
) -> ItemSnapshot:
    """Edit the seller's own listing; fields left None are unchanged.

    `status` may be "withdrawn" (take it off sale) or "active" (put a withdrawn item back);
    a hidden item's status is the moderators' (InvalidItemStatus).

    Locks the item row, so a concurrent reservation cannot slip between the check and the
    write: the quantity may not drop below the units reserved by unpaid orders (DESIGN §2),
    InvalidInput(field="quantity") otherwise. Someone else's item is ItemNotFound.
    Runs in its own transaction (or joins the caller's).
    """
    changes: dict = {}
    if title is not None:
        changes["title"] = _clean_title(title)
    if description is not None:
        changes["description"] = description
    if category_slug is not None:
        changes["category_id"] = _category_id(category_slug)
    if price is not None:
        changes["price"] = _clean_price(price)
    if quantity is not None:
        changes["quantity"] = _clean_quantity(quantity)
    if condition is not None:
        changes["condition"] = _clean_condition(condition)
    prepared = prepare_picture(picture) if picture is not None else None
    with transaction.atomic():
        item = _lock_own(item_id=item_id, seller_id=seller_id)
        if status is not None and status != item.status:
            if status not in (ItemStatus.ACTIVE, ItemStatus.WITHDRAWN):
                raise InvalidInput("Choose active or withdrawn.", field="status")
            if item.status == ItemStatus.HIDDEN:
                raise InvalidItemStatus("A moderator hid this item; it cannot be changed from here.")
            changes["status"] = status
        if "quantity" in changes and changes["quantity"] < item.reserved:
            raise InvalidInput(
                f"{item.reserved} units are reserved by unpaid orders: the quantity cannot be lower.",
                field="quantity",
            )
        before = (item.price, item.quantity - item.reserved)
        for name, value in changes.items():
            setattr(item, name, value)
        old_files = []
        if prepared is not None or remove_picture:
            old_files = [f.name for f in (item.picture, item.thumbnail) if f]
            item.picture, item.thumbnail = "", ""
        if prepared is not None:
            item.picture.save(prepared[0].name, prepared[0], save=False)
            item.thumbnail.save(prepared[1].name, prepared[1], save=False)
        item.save()
        if old_files:
            transaction.on_commit(partial(_delete_files, old_files))
        _publish_alerts(item, old_price=before[0], old_available=before[1])
    return _snapshot(item)


def _publish_alerts(item: Item, *, old_price: Decimal, old_available: int) -> None:
    """Tell the item's watchers (favourites) of a lower price or a restock, in this transaction.

    One event per change; the consumer notifies each watcher once per event (issue 15).
    """
    if item.status != ItemStatus.ACTIVE:
        return
    kinds = []
    if item.price < old_price:
        kinds.append(events.PRICE_DROP)
    if old_available <= 0 < item.available:
        kinds.append(events.BACK_IN_STOCK)
    for kind in kinds:
        alert = events.ItemAlert(
            item_id=item.pk,
            seller_id=item.seller_id,
            kind=kind,
            title=item.title,
            old_price=old_price,
            new_price=item.price,
            available=item.available,
        )
        outbox_services.publish(topic=events.ITEM_ALERT, payload=alert.to_json(), key=f"item:{item.pk}")


def withdraw_item(*, item_id: int, seller_id: int) -> ItemSnapshot:
    """Take the seller's listing off sale (status withdrawn); idempotent.

    Reservations already held stay payable (DESIGN §2). A hidden item stays hidden:
    InvalidItemStatus. Someone else's item is ItemNotFound. Locks the item row.
    """
    return _set_own_status(item_id=item_id, seller_id=seller_id, to=ItemStatus.WITHDRAWN)


def relist_item(*, item_id: int, seller_id: int) -> ItemSnapshot:
    """Put a withdrawn listing back on sale; idempotent. A hidden item cannot be relisted (InvalidItemStatus)."""
    return _set_own_status(item_id=item_id, seller_id=seller_id, to=ItemStatus.ACTIVE)


def hide_items(*, item_ids: Collection[int], actor_id: int) -> int:
    """A moderator hides active items from everyone but their sellers; returns how many changed.

    One conditional UPDATE: items already hidden or withdrawn are left as they are.
    """
    changed = Item.objects.filter(pk__in=list(item_ids), status=ItemStatus.ACTIVE).update(status=ItemStatus.HIDDEN)
    logger.info("moderator %s hid %s items", actor_id, changed)
    return changed


def unhide_items(*, item_ids: Collection[int], actor_id: int) -> int:
    """A moderator puts hidden items back on sale; returns how many changed."""
    changed = Item.objects.filter(pk__in=list(item_ids), status=ItemStatus.HIDDEN).update(status=ItemStatus.ACTIVE)
    logger.info("moderator %s unhid %s items", actor_id, changed)
    return changed


# --- Favourite counter and cards (for community) -------------------------------------------


def count_favourite(*, item_id: int, delta: int) -> None:
    """Move an item's favourite counter by +1 or -1 with one conditional F() UPDATE.

    Joins the caller's transaction (the favourite's), so the counter and the favourites
    change together. Never goes below zero.
    """
    if delta not in (1, -1):
        raise InvalidStockOperation("a favourite counts one at a time")
    rows = Item.objects.filter(pk=item_id)
    if delta < 0:
        rows = rows.filter(favourite_count__gte=1)
    rows.update(favourite_count=F("favourite_count") + delta)


def get_favourite_counts(*, item_ids: Collection[int]) -> dict[int, int]:
    """How many people favourited each item, in one query."""
    return dict(Item.objects.filter(pk__in=list(item_ids)).values_list("pk", "favourite_count"))


def get_item_cards(*, item_ids: Collection[int], active_only: bool = True) -> dict[int, ItemCard]:
    """Browse cards of many items (one query), keyed by id; inactive ones left out unless asked."""
    rows = Item.objects.filter(pk__in=list(item_ids))
    if active_only:
        rows = rows.filter(status=ItemStatus.ACTIVE)
    cards = selectors.as_rows(rows.order_by("pk"), tree=selectors.category_tree())
    return {card.id: card for card in cards[: len(item_ids)]}


def list_seller_cards(*, seller_id: int):
    """A seller's active listings as browse cards, newest first: a lazily paged MappedRows."""
    rows = selectors.active_items().filter(seller_id=seller_id).order_by("-created_at", "-id")
    return selectors.as_rows(rows, tree=selectors.category_tree())


def count_active_listings(*, seller_id: int) -> int:
    return selectors.active_items().filter(seller_id=seller_id).count()


def load_demo_catalogue(
    *, seller_ids: Collection[int], items: int = 300, seed: int = 2026, pictures: bool = False
) -> int:
    """Create the demo category tree (once) and `items` realistic listings spread over the sellers.

    Used by `load_demo` (a few hundred items, `pictures` drawn for each: about 15 ms an
    item) and the browse benchmark (100,000, no pictures); bulk inserts in batches, so
    either stays quick. Returns the number of items created.
    """
    categories = demo.ensure_categories(Category)
    rows = demo.generate_items(seller_ids=list(seller_ids), categories=categories, count=items, seed=seed)
    created = 0
    for start in range(0, len(rows), 2000):
        batch = [Item(**row) for row in rows[start : start + 2000]]
        if pictures:
            for offset, item in enumerate(batch):
                _attach_demo_picture(item, seed=seed * 100_000 + start + offset)
        with transaction.atomic():
            Item.objects.bulk_create(batch)
        created += len(batch)
    return created


def _attach_demo_picture(item: Item, *, seed: int) -> None:
    rng = random.Random(seed)
    colour = demo_pictures.colour_of(f"{item.title} {item.description}", rng)
    data = demo_pictures.draw_picture(category_slug=item.category.slug, colour=colour, seed=seed)
    _attach_picture(item, ContentFile(data, name="demo.jpg"))


def _set_own_status(*, item_id: int, seller_id: int, to: str) -> ItemSnapshot:
    with transaction.atomic():
        item = _lock_own(item_id=item_id, seller_id=seller_id)
        if item.status == ItemStatus.HIDDEN:
            raise InvalidItemStatus("A moderator hid this item; it cannot be changed from here.")
        if item.status != to:
            item.status = to
            item.save(update_fields=["status", "updated_at"])
    return _snapshot(item)


def _lock_own(*, item_id: int, seller_id: int) -> Item:
    item = Item.objects.select_for_update(of=("self",)).filter(pk=item_id, seller_id=seller_id).first()
    if item is None:
        raise ItemNotFound()
    return item


def _attach_picture(item: Item, picture) -> None:
    original, thumbnail = prepare_picture(picture)
    item.picture.save(original.name, original, save=False)
    item.thumbnail.save(thumbnail.name, thumbnail, save=False)


def _delete_files(names: list[str]) -> None:
    storage = Item._meta.get_field("picture").storage
    for name in names:
        storage.delete(name)


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Give the item a title.", field="title")
    if len(title) > 200:
        raise InvalidInput("Keep the title to 200 characters.", field="title")
    return title


def _clean_price(price: Decimal | str) -> Decimal:
    try:
        amount = to_money(price)
    except InvalidAmount as exc:
        raise InvalidInput("Enter a price in credits, like 12.50.", field="price") from exc
    if amount <= 0:
        raise InvalidInput("The price must be more than zero.", field="price")
    return amount


def _clean_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"Enter a whole number of units from 0 to {MAX_QUANTITY:,}.", field="quantity")
    return quantity


def _clean_condition(condition: str) -> str:
    if condition not in ItemCondition.values:
        raise InvalidInput("Choose new, like_new, good or fair.", field="condition")
    return condition


def _category_id(slug: str) -> int:
    category_id = Category.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if category_id is None:
        raise InvalidInput("Choose one of the categories.", field="category")
    return category_id


def _snapshot(item: Item) -> ItemSnapshot:
    return ItemSnapshot(
        item_id=item.pk,
        seller_id=item.seller_id,
        title=item.title,
        unit_price=item.price,
        available=item.quantity - item.reserved,
        status=item.status,
    )
