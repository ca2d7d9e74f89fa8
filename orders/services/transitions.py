"""The order row lock and the status transition every path ends with (STYLE §2.5)."""

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from orders import events
from orders.models import Order, OrderHistory, OrderLine
from orders.services.data import OrderNotFound
from orders.services.reads import sale_line
from outbox import services as outbox_services
from shop.common import metrics

logger = logging.getLogger("orders.services")


def lock_order(*, order_id: int, buyer_id: int | None) -> Order:
    """SELECT ... FOR UPDATE on the order row (the first lock of every path)."""
    orders = Order.objects.select_for_update(of=("self",)).filter(pk=order_id)
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    order = orders.first()
    if order is None:
        raise OrderNotFound()
    return order


def transition(
    order: Order,
    *,
    to: str,
    reason: str,
    actor_id: int | None,
    lines: Sequence[OrderLine],
    at: datetime | None = None,
    preceded_by: Sequence[OrderHistory] = (),
) -> OrderHistory:
    """Move the (locked) order to `to`, record it, and publish it after commit; returns
    the history row, so a caller can answer without reading the history again.
    `preceded_by`: unsaved history rows of earlier steps, written with this one."""
    at = at or timezone.now()
    from_status = order.status
    order.status = to
    order.save()
    entry = OrderHistory(
        order=order, from_status=from_status, to_status=to, reason=reason, actor_id=actor_id, occurred_at=at
    )
    OrderHistory.objects.bulk_create([*preceded_by, entry])
    event = events.OrderTransition(
        order_id=order.pk,
        buyer_id=order.buyer_id,
        from_status=from_status,
        to_status=to,
        reason=reason,
        actor_id=actor_id,
        occurred_at=at,
        total=order.total,
        lines=tuple(sale_line(line) for line in lines),
    )
    # The outbox row commits with the transition, so its consumers (notifications) can
    # never miss it; the signal serves in-process listeners after commit.
    outbox_services.publish(topic=events.ORDER_TRANSITIONED, payload=event.to_json(), key=f"order:{order.pk}:{to}")
    transaction.on_commit(partial(_publish, event))
    return entry


def _publish(event: events.OrderTransition) -> None:
    metrics.record_order_transition(from_status=event.from_status, to_status=event.to_status)
    for receiver, outcome in events.order_transitioned.send_robust(sender=Order, transition=event):
        if isinstance(outcome, Exception):
            # A listener's failure never undoes the committed transition (STYLE §2.3).
            logger.error(
                "order_transitioned listener %r failed for order %s", receiver, event.order_id, exc_info=outcome
            )
