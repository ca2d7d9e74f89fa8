"""The shared world of the security tests: Alice's things, Bob, Carol the seller."""

from dataclasses import dataclass

import pytest

from cart import services as cart_services
from notifications import services as notifications_services
from orders import services as orders_services
from payments import services as payments_services

SECRET_TITLE = "Alice-only-lamp-7f3a"


@dataclass(frozen=True)
class World:
    alice: object
    bob: object
    carol: object
    alice_item: int
    carol_item: int
    cart_item: int
    paid_order: int
    open_order: int
    notification: int
    parcel: int = 0  # the paid order's parcel (Carol's chair, not yet shipped)

    @property
    def member_pages(self) -> list[str]:
        """Every page a signed-in member opens, with Alice's own things in the paths."""
        return [
            "/",
            "/items/",
            f"/items/{self.carol_item}/",
            "/sell/",
            "/sell/new/",
            f"/sell/{self.alice_item}/edit/",
            "/cart/",
            "/orders/",
            f"/orders/{self.open_order}/",
            f"/orders/{self.paid_order}/",
            "/sales/",
            "/wallet/",
            "/notifications/",
            "/accounts/profile/",
        ]


@pytest.fixture
def world(make_user, make_item, django_capture_on_commit_callbacks) -> World:
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    alice_item = make_item(alice, title=SECRET_TITLE, price="30.00", quantity=4)
    carol_item = make_item(carol, title="Carol's chair", price="20.00", quantity=5)
    other_item = make_item(carol, title="Carol's table", price="15.00", quantity=5)
    with django_capture_on_commit_callbacks(execute=True):
        cart_services.add_to_cart(user_id=alice.user_id, item_id=carol_item, quantity=1)
        paid = orders_services.place_order(buyer_id=alice.user_id).order.order_id
        orders_services.pay_order(order_id=paid, buyer_id=alice.user_id)
        cart_services.add_to_cart(user_id=alice.user_id, item_id=carol_item, quantity=1)
        open_order = orders_services.place_order(buyer_id=alice.user_id).order.order_id
        cart_services.add_to_cart(user_id=alice.user_id, item_id=other_item, quantity=2)
    notification = notifications_services.list_notifications(user_id=alice.user_id)[0].notification_id
    parcel = orders_services.get_parcels_of_orders(order_ids=[paid])[paid][0].parcel_id
    return World(alice, bob, carol, alice_item, carol_item, other_item, paid, open_order, notification, parcel)


def alice_state(world: World) -> dict:
    """Everything Bob might try to change of Alice's: compared before and after."""
    orders = orders_services.get_orders(order_ids=[world.paid_order, world.open_order])
    notifications = notifications_services.list_notifications(user_id=world.alice.user_id)
    return {
        "orders": {pk: (o.status, len(o.history)) for pk, o in orders.items()},
        "cart": [(line.item_id, line.quantity) for line in cart_services.get_cart(user_id=world.alice.user_id).lines],
        "wallet": payments_services.get_wallet(user_id=world.alice.user_id).balance,
        "notifications": [(n.notification_id, n.is_read) for n in notifications[:50]],
        "item": _item(world.alice_item),
        "parcel": _parcel(world.parcel),
    }


def _parcel(parcel_id: int) -> tuple:
    parcel = orders_services.get_parcel(parcel_id=parcel_id)
    return (parcel.status, parcel.carrier, parcel.tracking_code, parcel.refunded_amount, len(parcel.history))


def _item(item_id: int) -> tuple:
    from catalogue.models import Item

    item = Item.objects.get(pk=item_id)
    return (item.title, item.price, item.quantity, item.status, item.description)
