"""Public interface of cart: the buyer's cart, read with live catalogue data.

Rules (DESIGN §2 Cart): an item can be added only if it is active, not the buyer's own,
and the cart's quantity for it stays within what is available. Lines are shown with the
live title and price; lines whose item was withdrawn, hidden or sold out are flagged,
never silently dropped, so the buyer sees why checkout would fail.
"""

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from cart.models import CartLine
from catalogue import services as catalogue_services
from shop.common.errors import DomainError, InvalidInput, NotFoundError

MAX_LINE_QUANTITY = 999

# Why a line cannot be bought right now (empty string: it can).
PROBLEM_UNAVAILABLE = "item_unavailable"
PROBLEM_SHORT = "insufficient_stock"
PROBLEM_REMOVED = "item_removed"


@dataclass(frozen=True, slots=True)
class CartLineView:
    item_id: int
    seller_id: int | None
    title: str
    unit_price: Decimal | None
    quantity: int
    available: int
    problem: str = ""

    @property
    def is_available(self) -> bool:
        return not self.problem

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price or Decimal("0.00")) * self.quantity


@dataclass(frozen=True, slots=True)
class CartView:
    lines: tuple[CartLineView, ...]

    @property
    def total(self) -> Decimal:
        """What checkout would charge today: the lines that can be bought, at live prices."""
        return sum((line.line_total for line in self.lines if line.is_available), Decimal("0.00"))

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_problems(self) -> bool:
        return any(line.problem for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    item_id: int
    quantity: int


class OwnItem(DomainError):
    code = "own_item"
    default_detail = "You cannot buy your own item."


class CartLineNotFound(NotFoundError):
    default_detail = "This item is not in your cart."


# --- Reading ---------------------------------------------------------------------------


def get_cart(*, user_id: int) -> CartView:
    """The user's cart with live catalogue data: two queries however many lines."""
    rows = CartLine.objects.filter(user_id=user_id).order_by("added_at", "pk").values_list("item_id", "quantity")
    return preview_cart(lines=dict(rows))


def preview_cart(*, lines: Mapping[int, int]) -> CartView:
    """A cart view for (item id -> quantity) pairs, e.g. an anonymous visitor's session cart."""
    snapshots = catalogue_services.get_item_snapshots(item_ids=list(lines)) if lines else {}
    return CartView(lines=tuple(_line_view(item_id, qty, snapshots.get(item_id)) for item_id, qty in lines.items()))


def check_can_add(*, item_id: int, quantity: int, buyer_id: int | None) -> catalogue_services.ItemSnapshot:
    """Check that `quantity` units in total of an item may sit in a cart (DESIGN §2 Cart).

    Raises InvalidInput (quantity), ItemNotFound, OwnItem, ItemUnavailable, InsufficientStock.
    `buyer_id` is None for an anonymous visitor (their own items cannot be known yet).
    """
    _check_quantity(quantity)
    snapshot = catalogue_services.get_item_snapshots(item_ids=[item_id]).get(item_id)
    return _check_snapshot_can_add(snapshot, quantity=quantity, buyer_id=buyer_id)


def _check_snapshot_can_add(
    snapshot: catalogue_services.ItemSnapshot | None, *, quantity: int, buyer_id: int | None
) -> catalogue_services.ItemSnapshot:
    if snapshot is None:
        raise catalogue_services.ItemNotFound()
    if buyer_id is not None and snapshot.seller_id == buyer_id:
        raise OwnItem()
    if not snapshot.is_active:
        raise catalogue_services.ItemUnavailable()
    if quantity > snapshot.available:
        raise catalogue_services.InsufficientStock(
            f"Only {snapshot.available} of “{snapshot.title}” available.", short_item_ids=[snapshot.item_id]
        )
    return snapshot


# --- Writing ---------------------------------------------------------------------------


def add_to_cart(*, user_id: int, item_id: int, quantity: int = 1) -> CartView:
    """Add units of an item to the cart (adding to the line if the item is already there);
    returns the cart.

    Locks the user's lines, so two concurrent adds cannot both pass the availability
    check with a stale quantity, and answers with the lines and items it read for the
    check (three statements, no read after the write). Own transaction.
    Raises InvalidInput, ItemNotFound, OwnItem, ItemUnavailable, InsufficientStock.
    """
    _check_quantity(quantity)
    for attempt in range(2):
        try:
            with transaction.atomic():
                lines = dict(
                    CartLine.objects.select_for_update()
                    .filter(user_id=user_id)
                    .order_by("added_at", "pk")
                    .values_list("item_id", "quantity")
                )
                total = quantity + lines.get(item_id, 0)
                snapshots = catalogue_services.get_item_snapshots(item_ids=list({*lines, item_id}))
                _check_quantity(total)
                _check_snapshot_can_add(snapshots.get(item_id), quantity=total, buyer_id=user_id)
                if item_id in lines:
                    CartLine.objects.filter(user_id=user_id, item_id=item_id).update(quantity=total)
                else:
                    CartLine.objects.create(user_id=user_id, item_id=item_id, quantity=total)
                lines[item_id] = total
            break
        except IntegrityError:
            # A concurrent add created the line first: retry once, now updating it.
            if attempt:
                raise
    return CartView(lines=tuple(_line_view(pk, qty, snapshots.get(pk)) for pk, qty in lines.items()))


def set_cart_quantity(*, user_id: int, item_id: int, quantity: int) -> CartView:
    """Change a line's quantity. Own transaction, locks the line.

    Raises CartLineNotFound, InvalidInput, ItemNotFound, OwnItem, ItemUnavailable, InsufficientStock.
    """
    _check_quantity(quantity)
    with transaction.atomic():
        line = CartLine.objects.select_for_update().filter(user_id=user_id, item_id=item_id).first()
        if line is None:
            raise CartLineNotFound()
        check_can_add(item_id=item_id, quantity=quantity, buyer_id=user_id)
        CartLine.objects.filter(pk=line.pk).update(quantity=quantity)
    return get_cart(user_id=user_id)


def remove_from_cart(*, user_id: int, item_id: int) -> CartView:
    """Remove a line; raises CartLineNotFound if the item is not in the cart."""
    deleted, _ = CartLine.objects.filter(user_id=user_id, item_id=item_id).delete()
    if not deleted:
        raise CartLineNotFound()
    return get_cart(user_id=user_id)


def merge_into_cart(*, user_id: int, lines: Mapping[int, int]) -> tuple[int, ...]:
    """Merge an anonymous session cart into the user's cart after they log in.

    Each line is added as far as the rules allow: quantities are capped to what is
    available, the user's own items and unavailable items are left out. Never raises for
    a refused line; returns the ids of the items that could not be merged in full.
    """
    left_out = []
    for item_id, quantity in lines.items():
        try:
            add_to_cart(user_id=user_id, item_id=item_id, quantity=quantity)
            continue
        except catalogue_services.InsufficientStock:
            pass
        except DomainError:
            left_out.append(item_id)
            continue
        # Short: top the line up to what is available instead.
        snapshot = catalogue_services.get_item_snapshots(item_ids=[item_id]).get(item_id)
        current = CartLine.objects.filter(user_id=user_id, item_id=item_id).values_list("quantity", flat=True).first()
        room = (snapshot.available if snapshot else 0) - (current or 0)
        if room > 0:
            with contextlib.suppress(DomainError):  # the item changed again meanwhile: leave it out
                add_to_cart(user_id=user_id, item_id=item_id, quantity=room)
        left_out.append(item_id)
    return tuple(left_out)


# --- For orders (checkout) ---------------------------------------------------------------


def lock_cart_lines(*, user_id: int) -> tuple[CheckoutLine, ...]:
    """The cart's lines, locked (in id order) until the caller's transaction ends.

    Must run inside the caller's transaction (orders.place_order): a concurrent change of
    quantity waits for the checkout, so what is reserved is exactly what is cleared.
    """
    rows = (
        CartLine.objects.select_for_update().filter(user_id=user_id).order_by("pk").values_list("item_id", "quantity")
    )
    return tuple(CheckoutLine(item_id=item_id, quantity=quantity) for item_id, quantity in rows)


def clear_cart_lines(*, user_id: int, item_ids: list[int]) -> None:
    """Remove the checked-out lines. Joins the caller's transaction."""
    CartLine.objects.filter(user_id=user_id, item_id__in=item_ids).delete()


# --- Internals -------------------------------------------------------------------------


def _check_quantity(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidInput(f"Enter a whole number from 1 to {MAX_LINE_QUANTITY}.", field="quantity")


def _line_view(item_id: int, quantity: int, snapshot: catalogue_services.ItemSnapshot | None) -> CartLineView:
    if snapshot is None:
        return CartLineView(
            item_id=item_id,
            seller_id=None,
            title="(item removed)",
            unit_price=None,
            quantity=quantity,
            available=0,
            problem=PROBLEM_REMOVED,
        )
    if not snapshot.is_active:
        problem = PROBLEM_UNAVAILABLE
    elif quantity > snapshot.available:
        problem = PROBLEM_SHORT
    else:
        problem = ""
    return CartLineView(
        item_id=item_id,
        seller_id=snapshot.seller_id,
        title=snapshot.title,
        unit_price=snapshot.unit_price,
        quantity=quantity,
        available=max(snapshot.available, 0),
        problem=problem,
    )
