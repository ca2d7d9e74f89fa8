"""Checkout: new, all-or-nothing reservation, awaiting_payment or failed (DESIGN §2)."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cart import services as cart_services
from catalogue import services as catalogue_services
from orders import events, services
from orders.models import Order

ORDERS = "/api/v1/orders/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def transitions():
    seen = []

    def listener(sender, transition, **kwargs):
        seen.append(transition)

    events.order_transitioned.connect(listener, dispatch_uid="test-listener")
    yield seen
    events.order_transitioned.disconnect(dispatch_uid="test-listener")


def _available(*item_ids):
    snaps = catalogue_services.get_item_snapshots(item_ids=item_ids)
    return [snaps[i].available for i in item_ids]


def test_checkout_reserves_everything_and_empties_the_cart(
    api_as, alice, bob, make_user, make_item, transitions, django_capture_on_commit_callbacks
):
    carol = make_user("carol")
    lamp = make_item(bob, title="Lamp", price="12.50", quantity=3)
    vase = make_item(carol, title="Vase", price="4.00", quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=2)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=vase, quantity=1)
    before = timezone.now()

    with django_capture_on_commit_callbacks() as callbacks:
        response = api_as(alice).post(ORDERS)
    assert transitions == []  # published only after commit
    for callback in callbacks:
        callback()

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "awaiting_payment"
    assert body["total"] == "29.00"
    assert body["failure"] is None
    assert body["invoice"] is None
    assert body["lines"] == [
        {"item_id": lamp, "seller_id": bob.user_id, "title": "Lamp", "unit_price": "12.50", "quantity": 2,
         "line_total": "25.00"},
        {"item_id": vase, "seller_id": carol.user_id, "title": "Vase", "unit_price": "4.00", "quantity": 1,
         "line_total": "4.00"},
    ]  # fmt: skip
    assert [(h["from_status"], h["to_status"], h["reason"], h["actor_id"]) for h in body["history"]] == [
        ("", "new", "checkout", alice.user_id),
        ("new", "awaiting_payment", "reserved", alice.user_id),
    ]
    order = Order.objects.get()
    assert before + timedelta(seconds=600) <= order.expires_at <= timezone.now() + timedelta(seconds=600)
    assert _available(lamp, vase) == [1, 0]
    assert cart_services.get_cart(user_id=alice.user_id).is_empty
    assert [(t.order_id, t.from_status, t.to_status, t.total) for t in transitions] == [
        (order.pk, "new", "awaiting_payment", Decimal("29.00"))
    ]
    assert transitions[0].seller_ids == (bob.user_id, carol.user_id)


def test_checkout_short_of_stock_fails_naming_the_items_and_keeps_the_cart(
    api_as, alice, bob, make_item, transitions, django_capture_on_commit_callbacks
):
    lamp = make_item(bob, title="Lamp", quantity=2)
    vase = make_item(bob, title="Vase", quantity=2)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=vase, quantity=2)
    catalogue_services.reserve_items(lines=[(vase, 1)])  # someone else got one first

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alice).post(ORDERS)

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "failed"
    assert body["failure"] == {"code": "insufficient_stock", "item_ids": [vase]}
    assert body["expires_at"] is None
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in body["history"]] == [
        ("", "new", "checkout"),
        ("new", "failed", "insufficient_stock"),
    ]
    assert _available(lamp, vase) == [2, 1]  # all or nothing: the lamp was not held either
    assert len(cart_services.get_cart(user_id=alice.user_id).lines) == 2
    assert [(t.from_status, t.to_status) for t in transitions] == [("new", "failed")]


@pytest.fixture
def vase_gone_short(alice, bob, make_item) -> tuple[int, int]:
    """Alice's cart: 1 lamp (2 in stock) and 2 vases, one of which someone else holds."""
    lamp, vase = make_item(bob, title="Lamp", quantity=2), make_item(bob, title="Vase", quantity=2)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=vase, quantity=2)
    catalogue_services.reserve_items(lines=[(vase, 1)])
    return lamp, vase


def test_a_line_found_short_only_under_the_lock_still_records_the_failed_order(
    monkeypatch, api_as, alice, vase_gone_short
):
    # The unlocked read sees enough units; the read under the lock does not. The refusal
    # then comes from inside reserve_items, and checkout has no savepoint around it.
    lamp, vase = vase_gone_short
    read = catalogue_services.get_item_snapshots
    monkeypatch.setattr(
        catalogue_services,
        "get_item_snapshots",
        lambda item_ids: {pk: dataclasses.replace(s, available=2) for pk, s in read(item_ids=item_ids).items()},
    )

    response = api_as(alice).post(ORDERS)

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["failure"]["item_ids"]) == ("failed", [vase])
    assert Order.objects.get().status == "failed"
    monkeypatch.setattr(catalogue_services, "get_item_snapshots", read)
    assert _available(lamp, vase) == [2, 1]
    assert len(cart_services.get_cart(user_id=alice.user_id).lines) == 2


def test_an_update_missing_units_under_the_lock_rolls_the_whole_checkout_back(
    monkeypatch, api_as, alice, vase_gone_short
):
    # Cannot happen while the lock holds; if the checks were ever wrong, the lamp's
    # reservation, written first, must not survive the vase's failed UPDATE.
    lamp, vase = vase_gone_short
    monkeypatch.setattr(catalogue_services, "_refusal", lambda wanted, stock: None)

    response = api_as(alice).post(ORDERS)

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_stock_operation"
    assert not Order.objects.exists()
    assert _available(lamp, vase) == [2, 1]
    assert len(cart_services.get_cart(user_id=alice.user_id).lines) == 2


def test_checkout_of_a_withdrawn_item_fails_as_unavailable(set_item, api_as, alice, bob, make_item):
    lamp = make_item(bob, quantity=2)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    set_item(lamp, status="withdrawn")

    body = api_as(alice).post(ORDERS).json()

    assert body["status"] == "failed"
    assert body["failure"] == {"code": "item_unavailable", "item_ids": [lamp]}
    assert _available(lamp) == [2]


def test_empty_cart_checkout_is_400_and_creates_nothing(api_as, alice):
    response = api_as(alice).post(ORDERS)

    assert response.status_code == 400
    assert response.json() == {"detail": "Your cart is empty.", "code": "empty_cart"}
    assert Order.objects.count() == 0


def test_own_item_in_cart_is_refused_and_creates_nothing(api_as, alice, bob, make_item, set_item):
    mine = make_item(bob, quantity=2)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=mine, quantity=1)
    set_item(mine, seller_id=alice.user_id)  # the listing changed hands after it was added

    response = api_as(alice).post(ORDERS)

    assert response.status_code == 409
    assert response.json()["code"] == "own_item"
    assert Order.objects.count() == 0
    assert _available(mine) == [2]
    assert len(cart_services.get_cart(user_id=alice.user_id).lines) == 1


def test_idempotency_key_returns_the_same_order(api_as, alice, bob, make_item):
    lamp = make_item(bob, quantity=5)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    client = api_as(alice)

    first = client.post(ORDERS, HTTP_IDEMPOTENCY_KEY="k-1")
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    retry = client.post(ORDERS, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert _available(lamp) == [4]
    assert (
        cart_services.get_cart(user_id=alice.user_id).lines[0].quantity == 1
    )  # the retry did not check out the new line
    assert client.post(ORDERS, HTTP_IDEMPOTENCY_KEY="k-2").json()["id"] != first.json()["id"]


def test_idempotency_keys_are_per_buyer(api_as, alice, bob, make_user, make_item):
    carol = make_user("carol")
    lamp = make_item(carol, quantity=5)
    for buyer in (alice, bob):
        cart_services.add_to_cart(user_id=buyer.user_id, item_id=lamp, quantity=1)

    ids = {api_as(buyer).post(ORDERS, HTTP_IDEMPOTENCY_KEY="same").json()["id"] for buyer in (alice, bob)}

    assert len(ids) == 2


@pytest.mark.parametrize("key", ["x" * 256, "   ", "bad\x07key"])
def test_bad_idempotency_key_is_400(api_as, alice, bob, make_item, key):
    cart_services.add_to_cart(user_id=alice.user_id, item_id=make_item(bob), quantity=1)

    response = api_as(alice).post(ORDERS, HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert Order.objects.count() == 0


def test_lines_keep_their_snapshot_when_the_item_changes(set_item, alice, bob, make_item, checkout):
    lamp = make_item(bob, title="Lamp", price="10.00", quantity=2)
    order = checkout(alice, (lamp, 1))
    set_item(lamp, title="Old lamp", price=Decimal("99.00"))

    line = services.get_order_for_user(order_id=order.order_id, user_id=alice.user_id).lines[0]
    assert (line.title, line.unit_price, line.seller_id) == ("Lamp", Decimal("10.00"), bob.user_id)
