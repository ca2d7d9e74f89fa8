"""Parcel transitions reach buyer and seller through the outbox (eager Celery)."""

import pytest

from cart import services as cart_services
from notifications.models import Notification
from orders import services as orders_services

pytestmark = pytest.mark.django_db


def test_shipping_and_confirming_notify_the_parties(alice, bob, make_item, django_capture_on_commit_callbacks):
    # The consumer was once defined but never subscribed to the topic: publish dropped
    # every parcel event, so nobody heard of a shipment.
    item_id = make_item(bob, title="Lamp", price="5.00")
    cart_services.add_to_cart(user_id=alice.user_id, item_id=item_id, quantity=1)
    order = orders_services.place_order(buyer_id=alice.user_id).order
    orders_services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    parcel_id = orders_services.get_parcels_of_orders(order_ids=[order.order_id])[order.order_id][0].parcel_id

    with django_capture_on_commit_callbacks(execute=True):
        orders_services.ship_parcel(parcel_id=parcel_id, seller_id=bob.user_id, tracking_code="T-1")
    with django_capture_on_commit_callbacks(execute=True):
        orders_services.confirm_parcel(parcel_id=parcel_id, buyer_id=alice.user_id)

    parcel_titles = lambda user: list(  # noqa: E731
        Notification.objects.filter(recipient_id=user.user_id, kind__startswith="parcel")
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert parcel_titles(alice) == [
        f"Your parcel from bob (order #{order.order_id}) was shipped",
        f"Your parcel from bob (order #{order.order_id}) is completed",
    ]
    assert parcel_titles(bob) == [f"Your parcel for alice (order #{order.order_id}) is completed"]
