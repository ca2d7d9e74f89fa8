"""The whole path through the real orders services: checkout, pay, cancel, expire (eager Celery)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from cart import services as cart_services
from notifications.models import Notification
from notifications.tests import backends
from orders import services as orders_services
from payments import services as payments_services


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def place(django_capture_on_commit_callbacks):
    """place(buyer, (item_id, qty), ...): fill the cart and check out, running on-commit work."""

    def checkout(buyer, *lines):
        with django_capture_on_commit_callbacks(execute=True):
            for item_id, quantity in lines:
                cart_services.add_to_cart(user_id=buyer.user_id, item_id=item_id, quantity=quantity)
            return orders_services.place_order(buyer_id=buyer.user_id).order

    return checkout


def inbox(user) -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(recipient_id=user.user_id).order_by("pk").values_list("kind", "status", "title")
    )


@pytest.mark.django_db
def test_checkout_and_pay_notify_the_buyer_twice_and_each_seller_once(
    alice, bob, carol, make_item, place, django_capture_on_commit_callbacks
):
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=5)
    bookend = make_item(bob, title="Bookend", price="4.25", quantity=2)
    teapot = make_item(carol, title="Teapot", price="30.00", quantity=1)
    order = place(alice, (lamp, 2), (teapot, 1), (bookend, 1))

    with django_capture_on_commit_callbacks(execute=True):
        paid = orders_services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)

    n = order.order_id
    assert paid.order.status == "paid"
    assert inbox(alice) == [
        ("order_status", "awaiting_payment", f"Order #{n} is waiting for payment"),
        ("order_status", "paid", f"Order #{n} is paid"),
    ]
    assert inbox(bob) == [("sale", "paid", f"You sold 3 items in order #{n}")]
    assert inbox(carol) == [("sale", "paid", f"You sold 1 item in order #{n}")]
    bob_sale = Notification.objects.get(recipient_id=bob.user_id)
    assert bob_sale.body == "alice paid for 2 × Desk lamp, 1 × Bookend. 29.25 cr is held in escrow until delivery."
    assert bob_sale.payload["total"] == "29.25"
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("alice@example.com", f"[Bazaar] Order #{n} is paid"),
        ("alice@example.com", f"[Bazaar] Order #{n} is waiting for payment"),
        ("bob@example.com", f"[Bazaar] You sold 3 items in order #{n}"),
        ("carol@example.com", f"[Bazaar] You sold 1 item in order #{n}"),
    ]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_short_checkout_tells_the_buyer_it_failed(alice, bob, carol, make_item, place):
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    place(carol, (lamp, 1))  # carol reserves the last one first

    order = place(alice)

    assert order.status == "failed"
    assert inbox(alice) == [("order_status", "failed", f"Order #{order.order_id} could not be placed")]
    assert Notification.objects.get(recipient_id=alice.user_id).body == (
        "Some items were no longer available in the quantity you asked for. Nothing was charged and your cart was kept."
    )
    assert inbox(bob) == []
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "carol@example.com"]


@pytest.mark.django_db
def test_cancel_by_the_buyer_and_by_a_moderator(
    alice, bob, moderator, make_item, place, django_capture_on_commit_callbacks
):
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=5)
    first = place(alice, (lamp, 1))
    second = place(alice, (lamp, 1))

    with django_capture_on_commit_callbacks(execute=True):
        orders_services.cancel_order(order_id=first.order_id, actor_id=alice.user_id)
        orders_services.cancel_order(order_id=second.order_id, actor_id=moderator.user_id, as_moderator=True)

    cancelled = dict(
        Notification.objects.filter(recipient_id=alice.user_id, status="cancelled").values_list("order_id", "body")
    )
    assert cancelled == {
        first.order_id: "Your order was cancelled because you cancelled it. Nothing was charged.",
        second.order_id: "Your order was cancelled because a moderator cancelled it. Nothing was charged.",
    }
    assert inbox(bob) == []


@pytest.mark.django_db
def test_the_payment_timeout_tells_the_buyer(alice, bob, make_item, place, django_capture_on_commit_callbacks):
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=5)
    order = place(alice, (lamp, 1))

    with django_capture_on_commit_callbacks(execute=True):
        orders_services.expire_overdue_orders(now=timezone.now() + timedelta(days=1))

    expired = Notification.objects.get(recipient_id=alice.user_id, status="cancelled")
    assert (expired.order_id, expired.reason) == (order.order_id, "payment_timeout")
    assert expired.body == "Your order was cancelled because it was not paid in time. Nothing was charged."


@pytest.mark.django_db
def test_a_broken_mail_server_never_affects_the_payment(
    alice, bob, make_item, place, settings, django_capture_on_commit_callbacks, assert_money_invariants
):
    settings.EMAIL_BACKEND = "notifications.tests.backends.DownBackend"
    backends.calls["count"] = 0
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=5)
    order = place(alice, (lamp, 2))

    with django_capture_on_commit_callbacks(execute=True):
        paid = orders_services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)

    assert paid.order.status == "paid"
    assert payments_services.get_wallet(user_id=alice.user_id).balance == Decimal("975.00")
    assert payments_services.get_wallet(user_id=bob.user_id).balance == Decimal("1000.00")
    assert payments_services.get_held(seller_id=bob.user_id) == Decimal("25.00")
    assert_money_invariants()
    assert inbox(bob) == [("sale", "paid", f"You sold 2 items in order #{order.order_id}")]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}
    assert backends.calls["count"] == 3
    assert mail.outbox == []
