"""Parcel events in, notifications out: who hears what about fulfilment (DESIGN §2)."""

from decimal import Decimal

import pytest
from django.core import mail

from cart import services as cart_services
from notifications import services
from orders import events as orders_events
from orders import services as orders_services
from outbox import services as outbox_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(alice, bob, make_item, django_capture_on_commit_callbacks):
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=3)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        order = orders_services.place_order(buyer_id=alice.user_id).order
        paid = orders_services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    return orders_services.get_parcels_of_orders(order_ids=[paid.order.order_id])[paid.order.order_id][0]


def titles(user) -> list[str]:
    return [n.title for n in services.list_notifications(user_id=user.user_id)]


def test_buyer_and_seller_hear_what_each_parcel_step_means_for_them_once(
    alice, bob, moderator, parcel, django_capture_on_commit_callbacks
):
    order = f"(order #{parcel.order_id})"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        orders_services.ship_parcel(
            parcel_id=parcel.parcel_id, seller_id=bob.user_id, carrier="DHL", tracking_code="D-1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        orders_services.dispute_parcel(
            parcel_id=parcel.parcel_id, buyer_id=alice.user_id, reason="damaged", message="x"
        )
    with django_capture_on_commit_callbacks(execute=True):
        orders_services.resolve_dispute(
            parcel_id=parcel.parcel_id, moderator_id=moderator.user_id, outcome="refund", amount=Decimal("5.00")
        )

    assert titles(alice)[:3] == [
        f"Your parcel from bob {order} was refunded",
        f"Your parcel from bob {order}: problem reported",
        f"Your parcel from bob {order} was shipped",
    ]
    assert titles(bob)[:2] == [
        f"Your parcel for alice {order} was refunded",
        f"Your parcel for alice {order}: the buyer reported a problem",
    ]
    shipped = services.list_notifications(user_id=alice.user_id)[2]
    assert (
        shipped.body == "bob shipped 2 items with DHL, tracking code D-1. Confirm when it arrives, or report a problem."
    )
    refunded = services.list_notifications(user_id=alice.user_id)[0]
    assert refunded.body == "5.00 cr went back to your wallet because a moderator decided on the dispute."
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com"] * 3 + ["bob@example.com"] * 2


def test_a_redelivered_parcel_event_notifies_nobody_twice(alice, bob, parcel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        orders_services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=bob.user_id)
    [event] = outbox_services.list_messages(topic=orders_events.PARCEL_TRANSITIONED)
    before = titles(alice)

    again = services.notify_parcel_transition(
        transition=orders_events.ParcelTransition.from_json(event.payload), event_id=str(event.event_id)
    )

    assert again == ()
    assert titles(alice) == before
