"""Orders as their public dataclasses: the reads, and the mapping every path shares."""

from collections.abc import Sequence

from orders.models import Order, OrderLine
from orders.services.data import HistoryEntry, OrderNotFound, OrderSnapshot
from shop.common.lines import SaleLine


def get_order_for_user(*, order_id: int, user_id: int) -> OrderSnapshot:
    """One of the user's orders with lines and history; someone else's is OrderNotFound."""
    found = snapshots([order_id], buyer_id=user_id)
    if order_id not in found:
        raise OrderNotFound()
    return found[order_id]


def get_orders(*, order_ids: Sequence[int]) -> dict[int, OrderSnapshot]:
    """Many orders by id (for other apps' moderators screens and tasks), three queries."""
    return snapshots(order_ids)


def snapshots(order_ids: Sequence[int], *, buyer_id: int | None = None) -> dict[int, OrderSnapshot]:
    orders = Order.objects.filter(pk__in=list(order_ids)).prefetch_related("lines", "history")
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    return {order.pk: snapshot_of(order) for order in orders}


def snapshot_of(order: Order, *, lines=None, history=None) -> OrderSnapshot:
    """An order as its public dataclass: with prefetched lines and history, or with the
    ones a write already holds (so a write answers without reading the order again)."""
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
        lines=tuple(sale_line(line) for line in (order.lines.all() if lines is None else lines)),
        history=tuple(
            HistoryEntry(
                from_status=h.from_status,
                to_status=h.to_status,
                reason=h.reason,
                actor_id=h.actor_id,
                occurred_at=h.occurred_at,
            )
            for h in (order.history.all() if history is None else history)
        ),
    )


def sale_line(line: OrderLine) -> SaleLine:
    """An order line as the value type every app shares (shop.common.lines)."""
    return SaleLine(
        item_id=line.item_id,
        seller_id=line.seller_id,
        title=line.title,
        quantity=line.quantity,
        unit_price=line.unit_price,
    )
