"""Cart services and API: add, change, remove, list with live data, flagged lines."""

from decimal import Decimal

import pytest

from cart import services
from cart.models import CartLine
from catalogue import services as catalogue_services

CART = "/api/v1/cart/"
LINES = "/api/v1/cart/lines/"

pytestmark = pytest.mark.django_db


def test_the_add_answer_is_the_cart_a_fresh_read_shows(set_item, api_as, alice, bob, make_item):
    # add_to_cart answers from the lines and items it read under the lock (no read after
    # the write): order, merged quantities and flagged lines must match a fresh read.
    lamp, chair = make_item(bob, title="Lamp", quantity=5), make_item(bob, title="Chair", quantity=2)
    client = api_as(alice)
    client.post(LINES, {"item_id": lamp})
    client.post(LINES, {"item_id": chair})
    set_item(chair, status="withdrawn")

    answer = client.post(LINES, {"item_id": lamp, "quantity": 2})

    assert answer.status_code == 201
    assert answer.json() == client.get(CART).json()
    assert [(line["item_id"], line["quantity"], line["problem"]) for line in answer.json()["lines"]] == [
        (lamp, 3, ""),
        (chair, 1, "item_unavailable"),
    ]


def test_add_lists_live_title_price_and_total(set_item, api_as, alice, bob, make_item):
    lamp = make_item(bob, title="Lamp", price="12.50", quantity=3)
    chair = make_item(bob, title="Chair", price="40.00", quantity=1)
    client = api_as(alice)

    assert client.post(LINES, {"item_id": lamp, "quantity": 2}).status_code == 201
    response = client.post(LINES, {"item_id": chair})

    assert response.status_code == 201
    assert response.json() == {
        "lines": [
            {
                "item_id": lamp,
                "title": "Lamp",
                "unit_price": "12.50",
                "quantity": 2,
                "line_total": "25.00",
                "available": 3,
                "is_available": True,
                "problem": "",
            },
            {
                "item_id": chair,
                "title": "Chair",
                "unit_price": "40.00",
                "quantity": 1,
                "line_total": "40.00",
                "available": 1,
                "is_available": True,
                "problem": "",
            },
        ],
        "total": "65.00",
        "item_count": 3,
    }
    set_item(lamp, title="Desk lamp", price=Decimal("11.00"))
    body = client.get(CART).json()
    assert (body["lines"][0]["title"], body["lines"][0]["unit_price"], body["total"]) == ("Desk lamp", "11.00", "62.00")


def test_adding_again_adds_to_the_line_within_available(alice, bob, make_item):
    lamp = make_item(bob, quantity=3)
    services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=2)

    cart = services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)

    assert [(line.item_id, line.quantity) for line in cart.lines] == [(lamp, 3)]
    with pytest.raises(catalogue_services.InsufficientStock):
        services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    assert CartLine.objects.get(user_id=alice.user_id).quantity == 3


@pytest.mark.parametrize(
    ("make_kwargs", "code", "status"),
    [
        ({"quantity": 1, "status": "withdrawn"}, "item_unavailable", 409),
        ({"quantity": 1, "status": "hidden"}, "item_unavailable", 409),
        ({"quantity": 0}, "insufficient_stock", 409),
    ],
)
def test_add_refuses_unavailable_items_and_changes_nothing(api_as, alice, bob, make_item, make_kwargs, code, status):
    item = make_item(bob, **make_kwargs)

    response = api_as(alice).post(LINES, {"item_id": item, "quantity": 1})

    assert response.status_code == status
    assert response.json()["code"] == code
    assert CartLine.objects.count() == 0


def test_add_refuses_own_item(api_as, alice, make_item):
    mine = make_item(alice)

    response = api_as(alice).post(LINES, {"item_id": mine})

    assert response.status_code == 409
    assert response.json() == {"detail": "You cannot buy your own item.", "code": "own_item"}
    assert CartLine.objects.count() == 0


def test_add_unknown_item_is_404(api_as, alice):
    response = api_as(alice).post(LINES, {"item_id": 999999})

    assert response.status_code == 404
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"item_id": "x"}, "item_id"),
        ({}, "item_id"),
        ({"item_id": 0}, "item_id"),
        ({"item_id": 2**70}, "item_id"),
        ({"item_id": 1, "quantity": 0}, "quantity"),
        ({"item_id": 1, "quantity": -3}, "quantity"),
        ({"item_id": 1, "quantity": 1000}, "quantity"),
        ({"item_id": 1, "quantity": "many"}, "quantity"),
    ],
)
def test_add_bad_input_is_400_naming_the_field(api_as, alice, payload, field):
    response = api_as(alice).post(LINES, payload)

    assert response.status_code == 400
    assert field in response.json()
    assert CartLine.objects.count() == 0


def test_change_quantity_and_remove(api_as, alice, bob, make_item):
    lamp = make_item(bob, price="5.00", quantity=4)
    client = api_as(alice)
    client.post(LINES, {"item_id": lamp})

    changed = client.patch(f"{LINES}{lamp}/", {"quantity": 4})
    too_many = client.patch(f"{LINES}{lamp}/", {"quantity": 5})
    zero = client.patch(f"{LINES}{lamp}/", {"quantity": 0})

    assert changed.status_code == 200
    assert changed.json()["total"] == "20.00"
    assert too_many.status_code == 409
    assert too_many.json()["code"] == "insufficient_stock"
    assert zero.status_code == 400
    assert "quantity" in zero.json()
    assert CartLine.objects.get().quantity == 4
    assert client.delete(f"{LINES}{lamp}/").status_code == 204
    assert client.get(CART).json() == {"lines": [], "total": "0.00", "item_count": 0}
    assert client.delete(f"{LINES}{lamp}/").status_code == 404


def test_other_users_cart_lines_are_404_and_untouched(api_as, alice, bob, make_user, make_item):
    carol = make_user("carol")
    lamp = make_item(carol, quantity=2)
    services.add_to_cart(user_id=bob.user_id, item_id=lamp, quantity=1)

    assert api_as(alice).patch(f"{LINES}{lamp}/", {"quantity": 2}).status_code == 404
    assert api_as(alice).delete(f"{LINES}{lamp}/").status_code == 404
    assert api_as(alice).get(CART).json()["lines"] == []
    assert CartLine.objects.get(user_id=bob.user_id).quantity == 1


def test_lines_that_became_unavailable_are_flagged_and_left_out_of_total(set_item, api_as, alice, bob, make_item):
    lamp = make_item(bob, title="Lamp", price="10.00", quantity=2)
    chair = make_item(bob, title="Chair", price="30.00", quantity=2)
    vase = make_item(bob, title="Vase", price="7.00", quantity=1)
    for item_id, quantity in ((lamp, 2), (chair, 1), (vase, 1)):
        services.add_to_cart(user_id=alice.user_id, item_id=item_id, quantity=quantity)
    set_item(lamp, quantity=1)  # the seller sold one elsewhere
    set_item(chair, status="withdrawn")

    body = api_as(alice).get(CART).json()

    assert [(line["title"], line["is_available"], line["problem"], line["available"]) for line in body["lines"]] == [
        ("Lamp", False, "insufficient_stock", 1),
        ("Chair", False, "item_unavailable", 2),
        ("Vase", True, "", 1),
    ]
    assert body["total"] == "7.00"


def test_cart_needs_authentication(api_client):
    assert api_client.get(CART).status_code == 401
    assert api_client.post(LINES, {"item_id": 1}).status_code == 401


def test_cart_api_query_count_is_constant(api_as, alice, bob, make_item, django_assert_num_queries):
    client = api_as(alice)
    services.add_to_cart(user_id=alice.user_id, item_id=make_item(bob), quantity=1)
    with django_assert_num_queries(2):  # cart lines, item snapshots
        client.get(CART)
    for _ in range(5):
        services.add_to_cart(user_id=alice.user_id, item_id=make_item(bob), quantity=1)

    with django_assert_num_queries(2):
        assert len(client.get(CART).json()["lines"]) == 6


def test_merge_caps_to_available_and_skips_own_and_unavailable(alice, bob, make_item):
    lamp = make_item(bob, quantity=2)
    gone = make_item(bob, status="withdrawn")
    mine = make_item(alice)
    ok = make_item(bob, quantity=5)
    services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)

    left_out = services.merge_into_cart(user_id=alice.user_id, lines={lamp: 5, gone: 1, mine: 1, ok: 2})

    assert sorted(left_out) == sorted([lamp, gone, mine])
    assert dict(CartLine.objects.filter(user_id=alice.user_id).values_list("item_id", "quantity")) == {lamp: 2, ok: 2}
