"""The expiry sweep with a real Celery worker on Redis and a short payment timeout."""

import time

import pytest

from cart import services as cart_services
from orders import services, tasks
from orders.models import Order, OrderHistory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_live_worker_cancels_an_overdue_order_and_releases_stock(
    make_user, make_item, item_stock, celery_worker, eventually, settings
):
    settings.ORDER_PAYMENT_TIMEOUT_SECONDS = 1
    seller, buyer = make_user("seller"), make_user("buyer")
    overdue_item, fresh_item = make_item(seller, quantity=2), make_item(seller)
    cart_services.add_to_cart(user_id=buyer.user_id, item_id=overdue_item, quantity=2)
    overdue = services.place_order(buyer_id=buyer.user_id).order
    time.sleep(1.2)
    settings.ORDER_PAYMENT_TIMEOUT_SECONDS = 600
    cart_services.add_to_cart(user_id=buyer.user_id, item_id=fresh_item, quantity=1)
    fresh = services.place_order(buyer_id=buyer.user_id).order

    tasks.expire_overdue_orders_task.delay()

    assert eventually(lambda: Order.objects.get(pk=overdue.order_id).status == "cancelled", timeout=30)
    last = OrderHistory.objects.filter(order_id=overdue.order_id).last()
    assert (last.reason, last.actor_id) == ("payment_timeout", None)
    assert item_stock(overdue_item) == (2, 0)
    assert Order.objects.get(pk=fresh.order_id).status == "awaiting_payment"
    assert item_stock(fresh_item) == (1, 1)
    # Pay refuses an overdue order by itself, without waiting for the sweeper.
    Order.objects.filter(pk=fresh.order_id).update(expires_at=overdue.expires_at)
    with pytest.raises(services.OrderExpired):
        services.pay_order(order_id=fresh.order_id, buyer_id=buyer.user_id)
