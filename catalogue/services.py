"""Public interface of catalogue: item snapshots and the stock counters.

Stock rules (DESIGN §2 Items, STYLE §2.5): reserve / release / write-off take a list of
(item id, quantity) lines, lock the item rows in ascending id order, and change the
counters with conditional UPDATEs; all or nothing. They join the caller's transaction.
"""

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from catalogue.models import Item
from shop.common.errors import DomainError, NotFoundError

ItemStatus = Item.Status
StockLines = Iterable[tuple[int, int]]


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


def reserve_items(*, lines: StockLines) -> None:
    """Hold units for an order, all or nothing.

    Locks the items in id order, refuses withdrawn or hidden items (ItemUnavailable) and
    any line short of units (InsufficientStock naming every short item), then moves the
    units with conditional UPDATEs. Joins the caller's transaction; on a refusal nothing changed.
    """
    wanted = _merge(lines)
    with transaction.atomic():
        locked = _lock(wanted)
        missing = set(wanted) - set(locked)
        if missing:
            raise ItemNotFound()
        unavailable = sorted(pk for pk, item in locked.items() if item["status"] != ItemStatus.ACTIVE)
        if unavailable:
            raise ItemUnavailable(item_ids=unavailable)
        short = [pk for pk, qty in wanted.items() if locked[pk]["quantity"] - locked[pk]["reserved"] < qty]
        if short:
            raise InsufficientStock(short_item_ids=short)
        for pk, qty in wanted.items():
            # Conditional even under the lock: the UPDATE itself never oversells.
            updated = Item.objects.filter(pk=pk, quantity__gte=F("reserved") + qty).update(reserved=F("reserved") + qty)
            if not updated:
                raise InsufficientStock(short_item_ids=[pk])


def release_items(*, lines: StockLines) -> None:
    """Give back reserved units (order cancelled or expired). Joins the caller's transaction."""
    wanted = _merge(lines)
    with transaction.atomic():
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
    with transaction.atomic():
        _lock(wanted)
        for pk, qty in wanted.items():
            updated = Item.objects.filter(pk=pk, reserved__gte=qty).update(
                quantity=F("quantity") - qty, reserved=F("reserved") - qty, sold=F("sold") + qty
            )
            if not updated:
                raise InvalidStockOperation(f"item {pk} holds fewer than {qty} reserved units")


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
        .values("pk", "quantity", "reserved", "status")
    )
    return {row["pk"]: row for row in rows}
