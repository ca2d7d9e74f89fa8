"""Checkout: a cart becomes an order, reserved all-or-nothing (DESIGN §2)."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cart import services as cart_services
from catalogue import services as catalogue_services
from orders.constants import REASON_CHECKOUT, REASON_ITEM_UNAVAILABLE, REASON_OUT_OF_STOCK, REASON_RESERVED, OrderStatus
from orders.models import Order, OrderHistory, OrderLine
from orders.services.data import CheckoutResult, EmptyCart, OrderSnapshot, OwnItem
from orders.services.reads import get_order_for_user, snapshot_of
from orders.services.transitions import transition
from shop.common import metrics
from shop.common.errors import InvalidInput
from shop.common.transactions import service_transaction

IDEMPOTENCY_KEY_MAX_LENGTH = 255


def place_order(*, buyer_id: int, idempotency_key: str | None = None) -> CheckoutResult:
    """Checkout the buyer's cart: new, then all-or-nothing reservation (DESIGN §2).

    Ends `awaiting_payment` (cart emptied, `expires_at` set) or `failed` naming the short
    items (cart kept). One transaction: cart lines locked, then items in id order by
    catalogue.reserve_items. With an idempotency key, a retry (even a concurrent one)
    returns the first order. Raises InvalidInput (key), EmptyCart, OwnItem.
    """
    key = _read_idempotency_key(idempotency_key)
    if key is not None:
        earlier = _order_id_for_key(buyer_id=buyer_id, key=key)
        if earlier is not None:
            return CheckoutResult(order=get_order_for_user(order_id=earlier, user_id=buyer_id), replayed=True)
    try:
        placed = _checkout(buyer_id=buyer_id, key=key)
    except IntegrityError:
        # A concurrent request with the same key inserted its order first: we waited on
        # the unique index, and now return that order (the whole attempt rolled back).
        earlier = _order_id_for_key(buyer_id=buyer_id, key=key) if key is not None else None
        if earlier is None:
            raise
        return CheckoutResult(order=get_order_for_user(order_id=earlier, user_id=buyer_id), replayed=True)
    return CheckoutResult(order=placed, replayed=False)


def _checkout(*, buyer_id: int, key: str | None) -> OrderSnapshot:
    """The checkout transaction; answers with the order it wrote, read from nothing."""
    with service_transaction():
        now = timezone.now()
        # The order row comes first so a concurrent retry with the same key blocks on the
        # unique index here, before it touches the cart.
        order = Order.objects.create(buyer_id=buyer_id, status=OrderStatus.NEW, idempotency_key=key)
        cart_lines = cart_services.lock_cart_lines(user_id=buyer_id)
        if not cart_lines:
            raise EmptyCart()
        item_ids = [line.item_id for line in cart_lines]
        before = catalogue_services.get_item_snapshots(item_ids=item_ids)
        own = sorted(i for i in item_ids if i in before and before[i].seller_id == buyer_id)
        if own:
            raise OwnItem(item_ids=own)
        # Written with the decision's row below: one INSERT for both.
        placed = OrderHistory(
            order=order,
            from_status="",
            to_status=OrderStatus.NEW,
            reason=REASON_CHECKOUT,
            actor_id=buyer_id,
            occurred_at=now,
        )

        failure: tuple[str, list[int]] | None = None
        reserved: dict = {}
        try:
            # No savepoint: reserve_items refuses before its first write.
            reserved = catalogue_services.reserve_items(
                lines=[(line.item_id, line.quantity) for line in cart_lines], seen=before
            )
        except catalogue_services.InsufficientStock as exc:
            failure = (REASON_OUT_OF_STOCK, list(exc.short_item_ids))
        except catalogue_services.ItemUnavailable as exc:
            failure = (REASON_ITEM_UNAVAILABLE, list(exc.extra.get("item_ids", [])))
        except catalogue_services.ItemNotFound:
            failure = (REASON_ITEM_UNAVAILABLE, sorted(set(item_ids) - set(before)))

        # After a successful reservation this transaction holds the item locks, and the
        # items as locked are exactly what was reserved (a concurrent price edit waits).
        snapshots = reserved if failure is None else before
        lines = OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                item_id=line.item_id,
                seller_id=snapshots[line.item_id].seller_id,
                title=snapshots[line.item_id].title,
                unit_price=snapshots[line.item_id].unit_price,
                quantity=line.quantity,
            )
            for line in cart_lines
            if line.item_id in snapshots
        )
        order.total = sum((line.line_total for line in lines), Decimal("0.00"))
        # Read the clock again: on a hot item the reservation may have waited for locks,
        # and the buyer's time to pay starts when the units are actually held.
        decided_at = timezone.now()
        if failure is not None:
            order.failure_code, order.short_item_ids = failure
            decided = transition(
                order,
                to=OrderStatus.FAILED,
                reason=failure[0],
                actor_id=buyer_id,
                lines=lines,
                at=decided_at,
                preceded_by=[placed],
            )
            transaction.on_commit(metrics.record_reservation_failure)
        else:
            order.expires_at = decided_at + timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT_SECONDS)
            cart_services.clear_cart_lines(user_id=buyer_id, item_ids=item_ids)
            decided = transition(
                order,
                to=OrderStatus.AWAITING_PAYMENT,
                reason=REASON_RESERVED,
                actor_id=buyer_id,
                lines=lines,
                at=decided_at,
                preceded_by=[placed],
            )
        return snapshot_of(order, lines=lines, history=[placed, decided])


def _read_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise InvalidInput(f"Use 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters.", field="Idempotency-Key")
    return key


def _order_id_for_key(*, buyer_id: int, key: str) -> int | None:
    return Order.objects.filter(buyer_id=buyer_id, idempotency_key=key).values_list("pk", flat=True).first()
