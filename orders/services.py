"""Public interface of orders: checkout, pay, cancel, expire, and order reads (DESIGN §2 LOMS).

Locks (STYLE §2.5), one global order for every path: the order row, then the items (by id,
inside catalogue.services), then the wallets (by id, inside payments.services). Every
status change re-reads the order under its row lock first, so pay/cancel/expire races
end with one winner and idempotent losers. Each transition writes a history row and,
after commit, publishes orders.events.order_transitioned and the business metrics.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services as accounts_services
from cart import services as cart_services
from catalogue import services as catalogue_services
from orders import events
from orders.constants import (
    REASON_CANCELLED_BY_BUYER,
    REASON_CANCELLED_BY_MODERATOR,
    REASON_CHECKOUT,
    REASON_ITEM_UNAVAILABLE,
    REASON_OUT_OF_STOCK,
    REASON_PAID,
    REASON_PAYMENT_TIMEOUT,
    REASON_RESERVED,
    OrderStatus,
)
from orders.models import Order, OrderHistory, OrderLine
from payments import services as payments_services
from shop.common import metrics
from shop.common.errors import DomainError, InvalidInput, NotFoundError

logger = logging.getLogger(__name__)

__all__ = [
    "OrderStatus",
    "OrderLineSnapshot",
    "HistoryEntry",
    "OrderSnapshot",
    "CheckoutResult",
    "ExpirySweep",
    "OrderNotFound",
    "InvalidStatus",
    "OrderExpired",
    "EmptyCart",
    "OwnItem",
    "InsufficientFunds",
    "place_order",
    "pay_order",
    "cancel_order",
    "expire_overdue_orders",
    "get_order_for_user",
    "get_orders",
]

IDEMPOTENCY_KEY_MAX_LENGTH = 255

# Refusals other apps raise through us, re-exported so callers need only this module.
OwnItem = cart_services.OwnItem
InsufficientFunds = payments_services.InsufficientFunds


# --- Data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderLineSnapshot:
    item_id: int
    seller_id: int
    title: str
    unit_price: Decimal
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    from_status: str
    to_status: str
    reason: str
    actor_id: int | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    order_id: int
    buyer_id: int
    status: str
    total: Decimal
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    failure_code: str
    short_item_ids: tuple[int, ...]
    lines: tuple[OrderLineSnapshot, ...]
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    order: OrderSnapshot
    replayed: bool  # True when an Idempotency-Key matched an earlier checkout


@dataclass(frozen=True, slots=True)
class ExpirySweep:
    checked: int
    expired: int


# --- Errors ------------------------------------------------------------------------------


class OrderNotFound(NotFoundError):
    default_detail = "No such order."


class InvalidStatus(DomainError):
    code = "invalid_status"
    default_detail = "The order's status does not allow this."


class OrderExpired(DomainError):
    code = "order_expired"
    default_detail = "This order has expired: the time to pay ran out, so it can no longer be paid."


class EmptyCart(DomainError):
    code = "empty_cart"
    status_code = 400
    default_detail = "Your cart is empty."


# --- Checkout ----------------------------------------------------------------------------


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
        order_id = _checkout(buyer_id=buyer_id, key=key)
    except IntegrityError:
        # A concurrent request with the same key inserted its order first: we waited on
        # the unique index, and now return that order (the whole attempt rolled back).
        earlier = _order_id_for_key(buyer_id=buyer_id, key=key) if key is not None else None
        if earlier is None:
            raise
        return CheckoutResult(order=get_order_for_user(order_id=earlier, user_id=buyer_id), replayed=True)
    return CheckoutResult(order=get_order_for_user(order_id=order_id, user_id=buyer_id), replayed=False)


def _checkout(*, buyer_id: int, key: str | None) -> int:
    with transaction.atomic():
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
        _record(order, from_status="", reason=REASON_CHECKOUT, actor_id=buyer_id, at=now)

        failure: tuple[str, list[int]] | None = None
        try:
            with transaction.atomic():
                catalogue_services.reserve_items(lines=[(line.item_id, line.quantity) for line in cart_lines])
        except catalogue_services.InsufficientStock as exc:
            failure = (REASON_OUT_OF_STOCK, list(exc.short_item_ids))
        except catalogue_services.ItemUnavailable as exc:
            failure = (REASON_ITEM_UNAVAILABLE, list(exc.extra.get("item_ids", [])))
        except catalogue_services.ItemNotFound:
            failure = (REASON_ITEM_UNAVAILABLE, sorted(set(item_ids) - set(before)))

        # After a successful reservation this transaction holds the item locks, so the
        # snapshot is exactly what was reserved (a concurrent price edit waits for us).
        snapshots = catalogue_services.get_item_snapshots(item_ids=item_ids) if failure is None else before
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
            _transition(order, to=OrderStatus.FAILED, reason=failure[0], actor_id=buyer_id, lines=lines, at=decided_at)
            transaction.on_commit(metrics.record_reservation_failure)
        else:
            order.expires_at = decided_at + timedelta(seconds=settings.ORDER_PAYMENT_TIMEOUT_SECONDS)
            cart_services.clear_cart_lines(user_id=buyer_id, item_ids=item_ids)
            _transition(
                order,
                to=OrderStatus.AWAITING_PAYMENT,
                reason=REASON_RESERVED,
                actor_id=buyer_id,
                lines=lines,
                at=decided_at,
            )
        return order.pk


# --- Pay, cancel, expire -----------------------------------------------------------------


def pay_order(*, order_id: int, buyer_id: int) -> OrderSnapshot:
    """Pay an order from the buyer's wallet (DESIGN §2 Pay), in one transaction.

    Locks the order row and re-reads status and expires_at; then catalogue writes the
    reservations off (items locked by id) and payments settles (wallets locked by id):
    debit the buyer, credit each seller. Paying a paid order returns it and charges
    nothing. Raises OrderNotFound, InvalidStatus, OrderExpired, InsufficientFunds; on a
    refusal nothing changed. Own transaction.
    """
    with transaction.atomic():
        order = _lock_order(order_id=order_id, buyer_id=buyer_id)
        if order.status == OrderStatus.PAID:
            return get_order_for_user(order_id=order_id, user_id=buyer_id)
        if order.status != OrderStatus.AWAITING_PAYMENT:
            raise InvalidStatus(f"Only an order awaiting payment can be paid; this one is {order.status}.")
        now = timezone.now()
        if now >= order.expires_at:
            # Pay enforces the deadline itself: correctness never waits on the sweeper.
            raise OrderExpired()
        lines = list(order.lines.all())
        catalogue_services.write_off_items(lines=[(line.item_id, line.quantity) for line in lines])
        payments_services.settle_order(
            draft=payments_services.InvoiceDraft(
                order_id=order.pk,
                buyer_id=order.buyer_id,
                lines=tuple(payments_services.InvoiceLine(**_line_values(line)) for line in lines),
                paid_at=now,
            )
        )
        order.paid_at = now
        _transition(order, to=OrderStatus.PAID, reason=REASON_PAID, actor_id=buyer_id, lines=lines, at=now)
        transaction.on_commit(partial(metrics.record_payment, amount=order.total))
    return get_order_for_user(order_id=order_id, user_id=buyer_id)


def cancel_order(*, order_id: int, actor_id: int, as_moderator: bool = False) -> OrderSnapshot:
    """Cancel an order awaiting payment and release every reservation (DESIGN §2).

    The buyer cancels their own order; with `as_moderator` (admin) any order, if the
    actor is a moderator. Cancelling a cancelled order returns it unchanged. Locks the
    order row, then the items. Raises OrderNotFound, InvalidStatus. Own transaction.
    """
    if as_moderator and not accounts_services.is_moderator(user_id=actor_id):
        raise OrderNotFound()
    with transaction.atomic():
        order = _lock_order(order_id=order_id, buyer_id=None if as_moderator else actor_id)
        if order.status != OrderStatus.CANCELLED:
            if order.status != OrderStatus.AWAITING_PAYMENT:
                raise InvalidStatus(f"Only an order awaiting payment can be cancelled; this one is {order.status}.")
            lines = list(order.lines.all())
            catalogue_services.release_items(lines=[(line.item_id, line.quantity) for line in lines])
            reason = REASON_CANCELLED_BY_MODERATOR if as_moderator else REASON_CANCELLED_BY_BUYER
            _transition(order, to=OrderStatus.CANCELLED, reason=reason, actor_id=actor_id, lines=lines)
    return _snapshots([order_id])[order_id]


def expire_overdue_orders(*, now: datetime | None = None, batch_size: int | None = None) -> ExpirySweep:
    """Cancel orders still awaiting payment after their deadline (reason payment_timeout).

    Reads at most one batch of overdue ids, then cancels each in its own short
    transaction that locks the row with SKIP LOCKED (an order being paid right now is
    left to that payment) and re-checks status and deadline under the lock. Idempotent.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.ORDER_EXPIRY_BATCH_SIZE
    order_ids = list(
        Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    expired = sum(_expire_one(order_id=order_id, now=now) for order_id in order_ids)
    return ExpirySweep(checked=len(order_ids), expired=expired)


def _expire_one(*, order_id: int, now: datetime) -> bool:
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(skip_locked=True)
            .filter(pk=order_id, status=OrderStatus.AWAITING_PAYMENT, expires_at__lte=now)
            .first()
        )
        if order is None:
            return False  # paid, cancelled, or locked by a payment in flight
        lines = list(order.lines.all())
        catalogue_services.release_items(lines=[(line.item_id, line.quantity) for line in lines])
        _transition(order, to=OrderStatus.CANCELLED, reason=REASON_PAYMENT_TIMEOUT, actor_id=None, lines=lines)
        transaction.on_commit(metrics.record_expiry)
    return True


# --- Reads -------------------------------------------------------------------------------


def get_order_for_user(*, order_id: int, user_id: int) -> OrderSnapshot:
    """One of the user's orders with lines and history; someone else's is OrderNotFound."""
    found = _snapshots([order_id], buyer_id=user_id)
    if order_id not in found:
        raise OrderNotFound()
    return found[order_id]


def get_orders(*, order_ids: Sequence[int]) -> dict[int, OrderSnapshot]:
    """Many orders by id (for other apps' moderators screens and tasks), three queries."""
    return _snapshots(order_ids)


# --- Internals ---------------------------------------------------------------------------


def _read_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise InvalidInput(f"Use 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} printable characters.", field="Idempotency-Key")
    return key


def _order_id_for_key(*, buyer_id: int, key: str) -> int | None:
    return Order.objects.filter(buyer_id=buyer_id, idempotency_key=key).values_list("pk", flat=True).first()


def _lock_order(*, order_id: int, buyer_id: int | None) -> Order:
    """SELECT ... FOR UPDATE on the order row (the first lock of every path)."""
    orders = Order.objects.select_for_update(of=("self",)).filter(pk=order_id)
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    order = orders.first()
    if order is None:
        raise OrderNotFound()
    return order


def _record(order: Order, *, from_status: str, reason: str, actor_id: int | None, at: datetime) -> None:
    OrderHistory.objects.create(
        order=order, from_status=from_status, to_status=order.status, reason=reason, actor_id=actor_id, occurred_at=at
    )


def _transition(
    order: Order,
    *,
    to: str,
    reason: str,
    actor_id: int | None,
    lines: Sequence[OrderLine],
    at: datetime | None = None,
) -> None:
    """Move the (locked) order to `to`, record it, and publish it after commit."""
    at = at or timezone.now()
    from_status = order.status
    order.status = to
    order.save()
    _record(order, from_status=from_status, reason=reason, actor_id=actor_id, at=at)
    transition = events.OrderTransition(
        order_id=order.pk,
        buyer_id=order.buyer_id,
        from_status=from_status,
        to_status=to,
        reason=reason,
        actor_id=actor_id,
        occurred_at=at,
        total=order.total,
        lines=tuple(events.TransitionLine(**_line_values(line)) for line in lines),
    )
    transaction.on_commit(partial(_publish, transition))


def _publish(transition: events.OrderTransition) -> None:
    metrics.record_order_transition(from_status=transition.from_status, to_status=transition.to_status)
    for receiver, outcome in events.order_transitioned.send_robust(sender=Order, transition=transition):
        if isinstance(outcome, Exception):
            # A listener's failure never undoes the committed transition (STYLE §2.3).
            logger.error(
                "order_transitioned listener %r failed for order %s", receiver, transition.order_id, exc_info=outcome
            )


def _snapshots(order_ids: Sequence[int], *, buyer_id: int | None = None) -> dict[int, OrderSnapshot]:
    orders = Order.objects.filter(pk__in=list(order_ids)).prefetch_related("lines", "history")
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    return {order.pk: snapshot_of(order) for order in orders}


def snapshot_of(order: Order) -> OrderSnapshot:
    """An order (with prefetched lines and history) as its public dataclass."""
    return OrderSnapshot(
        order_id=order.pk,
        buyer_id=order.buyer_id,
        status=order.status,
        total=order.total,
        created_at=order.created_at,
        expires_at=order.expires_at,
        paid_at=order.paid_at,
        failure_code=order.failure_code,
        short_item_ids=tuple(order.short_item_ids),
        lines=tuple(OrderLineSnapshot(**_line_values(line)) for line in order.lines.all()),
        history=tuple(
            HistoryEntry(
                from_status=h.from_status,
                to_status=h.to_status,
                reason=h.reason,
                actor_id=h.actor_id,
                occurred_at=h.occurred_at,
            )
            for h in order.history.all()
        ),
    )


def _line_values(line: OrderLine) -> dict:
    """An order line's snapshot fields, as the line dataclasses of orders, its events and
    payments' invoice draft all spell them."""
    return {
        "item_id": line.item_id,
        "seller_id": line.seller_id,
        "title": line.title,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
    }
