"""After checkout: pay, cancel and the expiry of unpaid orders (DESIGN §2)."""

from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import services as accounts_services
from catalogue import services as catalogue_services
from orders.constants import (
    REASON_CANCELLED_BY_BUYER,
    REASON_CANCELLED_BY_MODERATOR,
    REASON_PAID,
    REASON_PAYMENT_TIMEOUT,
    OrderStatus,
)
from orders.models import Order
from orders.services import parcels
from orders.services.data import ExpirySweep, InvalidStatus, OrderExpired, OrderNotFound, OrderSnapshot, PaidOrder
from orders.services.reads import get_order_for_user, sale_line, snapshot_of, snapshots
from orders.services.transitions import lock_order, transition
from payments import services as payments_services
from shop.common import metrics
from shop.common.transactions import service_transaction


def pay_order(*, order_id: int, buyer_id: int) -> PaidOrder:
    """Pay an order from the buyer's wallet (DESIGN §2 Pay), in one transaction.

    Locks the order row and re-reads status and expires_at; then catalogue writes the
    reservations off (items locked by id), one parcel per seller is opened, and payments
    moves the total from the buyer into escrow (wallets locked by id) with one hold per
    parcel, then opens the invoice; returns the order with the parcels and invoice it
    wrote. Paying a paid order returns it (`replayed`) and charges nothing. Raises
    OrderNotFound, InvalidStatus, OrderExpired, InsufficientFunds; on a refusal nothing
    changed. Own transaction.
    """
    with service_transaction():
        order = lock_order(order_id=order_id, buyer_id=buyer_id)
        if order.status == OrderStatus.PAID:
            return PaidOrder(order=get_order_for_user(order_id=order_id, user_id=buyer_id), replayed=True)
        if order.status != OrderStatus.AWAITING_PAYMENT:
            raise InvalidStatus(f"Only an order awaiting payment can be paid; this one is {order.status}.")
        now = timezone.now()
        if now >= order.expires_at:
            # Pay enforces the deadline itself: correctness never waits on the sweeper.
            raise OrderExpired()
        lines = list(order.lines.all())
        sold = [sale_line(line) for line in lines]
        catalogue_services.write_off_items(lines=[(line.item_id, line.quantity) for line in sold])
        # The money goes into escrow, one hold per parcel (DESIGN §2 Fulfilment).
        opened = parcels.open_parcels(order=order, lines=sold, at=now)
        settlement = payments_services.settle_order(
            draft=payments_services.InvoiceDraft(
                order_id=order.pk, buyer_id=order.buyer_id, lines=tuple(sold), paid_at=now
            ),
            holds=parcels.hold_requests(opened),
        )
        order.paid_at = now
        transition(order, to=OrderStatus.PAID, reason=REASON_PAID, actor_id=buyer_id, lines=lines, at=now)
        transaction.on_commit(partial(metrics.record_payment, amount=order.total))
        # The order, its lines, parcels and invoice are in hand: only the history is read.
        return PaidOrder(
            order=snapshot_of(order, lines=lines, history=list(order.history.all())),
            replayed=False,
            parcels=tuple(opened),
            invoice=settlement.invoice,
            usernames=settlement.usernames,
        )


def cancel_order(*, order_id: int, actor_id: int, as_moderator: bool = False) -> OrderSnapshot:
    """Cancel an order awaiting payment and release every reservation (DESIGN §2).

    The buyer cancels their own order; with `as_moderator` (admin) any order, if the
    actor is a moderator. Cancelling a cancelled order returns it unchanged. Locks the
    order row, then the items. Raises OrderNotFound, InvalidStatus. Own transaction.
    """
    if as_moderator and not accounts_services.is_moderator(user_id=actor_id):
        raise OrderNotFound()
    with service_transaction():
        order = lock_order(order_id=order_id, buyer_id=None if as_moderator else actor_id)
        if order.status != OrderStatus.CANCELLED:
            if order.status != OrderStatus.AWAITING_PAYMENT:
                raise InvalidStatus(f"Only an order awaiting payment can be cancelled; this one is {order.status}.")
            lines = list(order.lines.all())
            catalogue_services.release_items(lines=[(line.item_id, line.quantity) for line in lines])
            reason = REASON_CANCELLED_BY_MODERATOR if as_moderator else REASON_CANCELLED_BY_BUYER
            transition(order, to=OrderStatus.CANCELLED, reason=reason, actor_id=actor_id, lines=lines)
            return snapshot_of(order, lines=lines, history=list(order.history.all()))
    return snapshots([order_id])[order_id]


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
    with service_transaction():
        order = (
            Order.objects.select_for_update(skip_locked=True)
            .filter(pk=order_id, status=OrderStatus.AWAITING_PAYMENT, expires_at__lte=now)
            .first()
        )
        if order is None:
            return False  # paid, cancelled, or locked by a payment in flight
        lines = list(order.lines.all())
        catalogue_services.release_items(lines=[(line.item_id, line.quantity) for line in lines])
        transition(order, to=OrderStatus.CANCELLED, reason=REASON_PAYMENT_TIMEOUT, actor_id=None, lines=lines)
        transaction.on_commit(metrics.record_expiry)
    return True
