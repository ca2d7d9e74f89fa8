"""With a real Celery worker on Redis: the event in, notifications and e-mails out.

The worker is another process, so its locmem outbox is out of reach: a notification's
`email_status == "sent"` and `emailed_at` are written only after the backend accepted
the message, which is the e-mail evidence read here. The message itself (addresses,
subject, lines, HTML part) is checked in test_events.py with the same services.
"""

import pytest
from django.db import transaction

from cart import services as cart_services
from notifications.models import Notification
from notifications.tests.factories import make_transition
from orders import events as orders_events
from orders import services as orders_services
from outbox import services as outbox_services

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def publish(transition) -> None:
    with transaction.atomic():
        outbox_services.publish(topic=orders_events.ORDER_TRANSITIONED, payload=transition.to_json())


def test_a_paid_order_event_reaches_buyer_and_sellers_through_the_worker(celery_worker, make_user, eventually):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    transition = make_transition(
        order_id=41,
        buyer_id=alice.user_id,
        lines=[(11, bob.user_id, "Desk lamp", 2, "12.50"), (12, carol.user_id, "Teapot", 1, "30.00")],
    )

    publish(transition)

    assert eventually(lambda: Notification.objects.filter(order_id=41, email_status="sent").count() == 3, timeout=60)
    rows = {n.recipient_id: n for n in Notification.objects.filter(order_id=41)}
    assert set(rows) == {alice.user_id, bob.user_id, carol.user_id}
    assert (rows[alice.user_id].kind, rows[alice.user_id].title) == ("order_status", "Order #41 is paid")
    assert (rows[bob.user_id].kind, rows[bob.user_id].title) == ("sale", "You sold 2 items in order #41")
    assert (rows[carol.user_id].kind, rows[carol.user_id].title) == ("sale", "You sold 1 item in order #41")
    assert all(n.emailed_at is not None and n.email_attempts == 1 for n in rows.values())
    assert all(n.read_at is None for n in rows.values())


def test_checkout_and_pay_through_orders_notify_and_email_everyone_through_the_worker(
    celery_worker, make_user, make_item, eventually
):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=5)
    teapot = make_item(carol, title="Teapot", price="30.00", quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=2)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=teapot, quantity=1)

    order = orders_services.place_order(buyer_id=alice.user_id).order
    paid = orders_services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)

    n = order.order_id
    assert paid.order.status == "paid"
    assert eventually(lambda: Notification.objects.filter(order_id=n, email_status="sent").count() == 4, timeout=60)
    assert sorted(
        Notification.objects.filter(order_id=n).values_list("recipient_id", "kind", "status", "title")
    ) == sorted(
        [
            (alice.user_id, "order_status", "awaiting_payment", f"Order #{n} is waiting for payment"),
            (alice.user_id, "order_status", "paid", f"Order #{n} is paid"),
            (bob.user_id, "sale", "paid", f"You sold 2 items in order #{n}"),
            (carol.user_id, "sale", "paid", f"You sold 1 item in order #{n}"),
        ]
    )
    assert Notification.objects.get(recipient_id=bob.user_id).payload["lines"] == [
        {
            "item_id": lamp,
            "seller_id": bob.user_id,
            "title": "Desk lamp",
            "quantity": 2,
            "unit_price": "12.50",
            "line_total": "25.00",
        }
    ]
    assert Notification.objects.filter(order_id=n, emailed_at__isnull=True).count() == 0


def test_another_users_notification_is_404_with_the_worker_running(celery_worker, make_user, api_as, eventually):
    alice, bob = make_user("alice"), make_user("bob")
    publish(make_transition(order_id=42, buyer_id=alice.user_id, to_status="new", from_status=""))
    assert eventually(lambda: Notification.objects.filter(order_id=42, email_status="sent").exists(), timeout=60)
    notification = Notification.objects.get(order_id=42)

    assert api_as(bob).post(f"/api/v1/notifications/{notification.pk}/read/").status_code == 404
    assert api_as(bob).get("/api/v1/notifications/").json()["count"] == 0
    assert Notification.objects.get(pk=notification.pk).read_at is None
    assert api_as(alice).post(f"/api/v1/notifications/{notification.pk}/read/").json()["is_read"] is True
