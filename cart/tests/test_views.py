"""The /cart/ page, add-to-cart from item pages, and the session cart merged at login."""

import pytest

from cart import services
from cart.models import CartLine

pytestmark = pytest.mark.django_db


def test_visitor_session_cart_is_merged_at_login(client, alice, bob, make_item):
    lamp = make_item(bob, title="Lamp", price="8.00", quantity=3)
    chair = make_item(bob, title="Chair", quantity=1)
    services.add_to_cart(user_id=alice.user_id, item_id=chair, quantity=1)

    assert client.post("/cart/add/", {"item_id": lamp, "quantity": 2}).status_code == 302
    page = client.get("/cart/")
    assert "Lamp" in page.content.decode()
    assert "Log in to check out" in page.content.decode()
    assert CartLine.objects.filter(user_id=alice.user_id).count() == 1

    response = client.post("/accounts/login/", {"username": "alice", "password": "a-Strong-pass-42"})

    assert response.status_code == 302
    assert dict(CartLine.objects.filter(user_id=alice.user_id).values_list("item_id", "quantity")) == {
        chair: 1,
        lamp: 2,
    }
    assert "cart" not in client.session


def test_cart_page_shows_lines_total_and_flags(set_item, client_as, alice, bob, make_item):
    lamp = make_item(bob, title="Lamp", price="8.00", quantity=3)
    services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=2)
    set_item(lamp, status="hidden")

    body = client_as(alice).get("/cart/").content.decode()

    assert "Lamp" in body
    assert "No longer for sale" in body
    assert 'data-testid="cart-total">0.00 cr<' in body


def test_add_refusal_on_the_page_is_an_error_not_a_500(client_as, alice, make_item):
    mine = make_item(alice)
    client = client_as(alice)

    own = client.post("/cart/add/", {"item_id": mine})
    bad = client.post("/cart/add/", {"item_id": "abc"})
    missing = client.post("/cart/add/", {"item_id": 424242})

    assert (own.status_code, bad.status_code, missing.status_code) == (409, 400, 404)
    assert "You cannot buy your own item." in own.content.decode()
    assert CartLine.objects.count() == 0


def test_htmx_add_answers_a_fragment(client_as, alice, bob, make_item):
    lamp = make_item(bob, quantity=2)

    response = client_as(alice).post("/cart/add/", {"item_id": lamp, "quantity": 2}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Cart (2)" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_htmx_quantity_change_and_remove_return_the_cart(client_as, alice, bob, make_item):
    lamp = make_item(bob, title="Lamp", price="3.00", quantity=5)
    services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    client = client_as(alice)

    changed = client.post(f"/cart/lines/{lamp}/", {"quantity": 4}, HTTP_HX_REQUEST="true")
    refused = client.post(f"/cart/lines/{lamp}/", {"quantity": 6}, HTTP_HX_REQUEST="true")

    assert 'data-testid="cart-total">12.00 cr<' in changed.content.decode()
    assert "Only 5 of" in refused.content.decode()
    assert CartLine.objects.get().quantity == 4
    removed = client.post(f"/cart/lines/{lamp}/", {"remove": "1"})
    assert removed.status_code == 302
    assert CartLine.objects.count() == 0


def test_cart_page_query_count_is_constant(client_as, alice, bob, make_item, django_assert_num_queries):
    client = client_as(alice)
    services.add_to_cart(user_id=alice.user_id, item_id=make_item(bob), quantity=1)
    client.get("/cart/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/cart/")
    for _ in range(6):
        services.add_to_cart(user_id=alice.user_id, item_id=make_item(bob), quantity=1)

    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/cart/")


def test_visitor_can_change_and_remove_session_lines(client, bob, make_item):
    lamp = make_item(bob, title="Lamp", price="2.00", quantity=3)
    client.post("/cart/add/", {"item_id": lamp, "quantity": 1})

    changed = client.post(f"/cart/lines/{lamp}/", {"quantity": 3}, HTTP_HX_REQUEST="true")
    too_many = client.post(f"/cart/lines/{lamp}/", {"quantity": 4})

    assert 'data-testid="cart-total">6.00 cr<' in changed.content.decode()
    assert too_many.status_code == 409
    assert client.session["cart"] == {str(lamp): 3}
    assert client.post(f"/cart/lines/{lamp}/", {"remove": "1"}).status_code == 302
    assert client.session["cart"] == {}
    assert client.post(f"/cart/lines/{lamp}/", {"remove": "1"}).status_code == 404
