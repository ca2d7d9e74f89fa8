from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from notifications.models import Notification
from orders import events as orders_events
from shop.common.lines import SaleLine


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = Notification.Kind.ORDER_STATUS
    order_id = factory.Sequence(lambda n: 1000 + n)
    from_status = "awaiting_payment"
    status = "paid"
    title = factory.LazyAttribute(lambda o: f"Order #{o.order_id} is paid")
    body = "You paid 10.00 cr for 1 item. The sellers have been told."
    payload = factory.LazyFunction(
        lambda: {
            "total": "10.00",
            "lines": [{"item_id": 1, "title": "Lamp", "quantity": 1, "unit_price": "10.00", "line_total": "10.00"}],
        }
    )


def make_transition(
    *,
    order_id: int = 7,
    buyer_id: int,
    lines: list[tuple[int, int, str, int, str]] = (),
    from_status: str = "awaiting_payment",
    to_status: str = "paid",
    reason: str = "",
    actor_id: int | None = None,
) -> orders_events.OrderTransition:
    """An OrderTransition as orders publishes it; lines are (item_id, seller_id, title, quantity, unit_price)."""
    built = tuple(
        SaleLine(item_id=item_id, seller_id=seller_id, title=title, quantity=quantity, unit_price=Decimal(price))
        for item_id, seller_id, title, quantity, price in lines
    )
    return orders_events.OrderTransition(
        order_id=order_id,
        buyer_id=buyer_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor_id=actor_id,
        occurred_at=datetime(2026, 5, 4, 12, 30, tzinfo=UTC),
        total=sum((line.line_total for line in built), Decimal("0.00")),
        lines=built,
    )


def make_inbox(user_id: int, *, count: int, read: int = 0) -> list[Notification]:
    """`count` notifications, one minute apart, the oldest `read` of them already read."""
    now = timezone.now()
    made = []
    for i in range(count):
        n = NotificationFactory(recipient_id=user_id, read_at=now if i < read else None)
        Notification.objects.filter(pk=n.pk).update(created_at=now - timedelta(minutes=count - i))
        made.append(n)
    return made
