"""Order lists, detail, sales: API and pages, constant query counts, 404 for others."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cart import services as cart_services
from orders import services
from orders.models import Order

pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_order_list_filters_by_status(api_as, alice, bob, make_item, checkout):
    paid = checkout(alice, (make_item(bob), 1))
    services.pay_order(order_id=paid.order_id, buyer_id=alice.user_id)
    waiting = checkout(alice, (make_item(bob), 1))
    checkout(bob, (make_item(alice), 1))  # not alice's
    client = api_as(alice)

    everything = client.get("/api/v1/orders/").json()
    only_paid = client.get("/api/v1/orders/?status=paid").json()
    bad = client.get("/api/v1/orders/?status=shipped")

    assert everything["count"] == 2
    assert [o["id"] for o in everything["results"]] == [waiting.order_id, paid.order_id]
    assert [o["id"] for o in only_paid["results"]] == [paid.order_id]
    assert bad.status_code == 400
    assert "status" in bad.json()


def test_order_list_api_query_count_is_constant(api_as, alice, bob, make_item, checkout, django_assert_num_queries):
    client = api_as(alice)
    checkout(alice, (make_item(bob), 1))
    one = _queries(lambda: client.get("/api/v1/orders/"))
    for _ in range(5):
        checkout(alice, (make_item(bob), 1), (make_item(bob), 1))

    with django_assert_num_queries(one):
        assert client.get("/api/v1/orders/").json()["count"] == 6


def test_sales_lists_my_sold_lines_only(api_as, alice, bob, make_user, make_item, checkout):
    carol = make_user("carol")
    lamp = make_item(bob, title="Lamp", price="9.00", quantity=3)
    vase = make_item(carol, title="Vase")
    order = checkout(alice, (lamp, 2), (vase, 1))
    services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    checkout(alice, (lamp, 1))  # reserved, not sold

    body = api_as(bob).get("/api/v1/sales/").json()

    assert body["count"] == 1
    row = body["results"][0]
    assert {k: row[k] for k in ("order_id", "item_id", "title", "quantity", "unit_price", "line_total", "buyer")} == {
        "order_id": order.order_id,
        "item_id": lamp,
        "title": "Lamp",
        "quantity": 2,
        "unit_price": "9.00",
        "line_total": "18.00",
        "buyer": "alice",
    }


def test_sales_api_query_count_is_constant(api_as, alice, bob, make_item, checkout, django_assert_num_queries):
    client = api_as(bob)
    order = checkout(alice, (make_item(bob), 1))
    services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    one = _queries(lambda: client.get("/api/v1/sales/"))
    for _ in range(4):
        order = checkout(alice, (make_item(bob), 1))
        services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)

    with django_assert_num_queries(one):
        assert client.get("/api/v1/sales/").json()["count"] == 5


def test_orders_api_needs_authentication(api_client):
    assert api_client.get("/api/v1/orders/").status_code == 401
    assert api_client.post("/api/v1/orders/").status_code == 401
    assert api_client.get("/api/v1/sales/").status_code == 401


# --- Pages -----------------------------------------------------------------------------


def test_checkout_page_flow_reserves_and_shows_the_countdown(client_as, alice, bob, make_item):
    lamp = make_item(bob, title="Lamp", price="7.00", quantity=2)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=2)
    client = client_as(alice)

    response = client.post("/orders/checkout/", {"idempotency_key": "page-key-1"})
    retry = client.post("/orders/checkout/", {"idempotency_key": "page-key-1"})

    order = Order.objects.get()
    assert response.status_code == retry.status_code == 302
    assert response["Location"] == retry["Location"] == f"/orders/{order.pk}/"
    body = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'class="countdown"' in body
    assert f'action="/orders/{order.pk}/pay/"' in body
    assert f'action="/orders/{order.pk}/cancel/"' in body
    assert "Awaiting payment" in body
    assert "invoice-status" not in body


def test_pay_and_cancel_from_the_page(client_as, alice, bob, make_item, checkout):
    client = client_as(alice)
    to_pay = checkout(alice, (make_item(bob, price="5.00"), 1))
    to_cancel = checkout(alice, (make_item(bob), 1))

    assert client.post(f"/orders/{to_pay.order_id}/pay/").status_code == 302
    assert client.post(f"/orders/{to_cancel.order_id}/cancel/").status_code == 302

    paid_page = client.get(f"/orders/{to_pay.order_id}/").content.decode()
    assert (
        f'<div id="invoice-status" hx-get="/orders/{to_pay.order_id}/invoice/status/" hx-trigger="load" '
        'hx-swap="outerHTML">Invoice: generating…</div>'
    ) in paid_page
    assert "Paid" in paid_page
    assert "Cancelled" in client.get(f"/orders/{to_cancel.order_id}/").content.decode()
    refused = client.post(f"/orders/{to_cancel.order_id}/pay/")
    assert refused.status_code == 409
    assert "Only an order awaiting payment can be paid" in refused.content.decode()


def test_pay_page_refusals_are_errors_not_500s(client_as, alice, bob, make_item, checkout):
    client = client_as(alice)
    expensive = checkout(alice, (make_item(bob, price="5000.00"), 1))
    overdue = checkout(alice, (make_item(bob), 1))
    Order.objects.filter(pk=overdue.order_id).update(expires_at=timezone.now() - timedelta(seconds=5))

    poor = client.post(f"/orders/{expensive.order_id}/pay/")
    late = client.post(f"/orders/{overdue.order_id}/pay/")

    assert poor.status_code == late.status_code == 409
    assert "balance is too low" in poor.content.decode()
    assert "This order has expired" in late.content.decode()
    assert set(Order.objects.values_list("status", flat=True)) == {"awaiting_payment"}


def test_failed_checkout_page_names_short_items(client_as, alice, bob, make_item):
    from catalogue import services as catalogue_services

    lamp = make_item(bob, quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    catalogue_services.reserve_items(lines=[(lamp, 1)])
    client = client_as(alice)

    response = client.post("/orders/checkout/", follow=True)

    body = response.content.decode()
    assert "This checkout failed" in body
    assert f'href="/items/{lamp}/">#{lamp}</a>' in body
    assert len(cart_services.get_cart(user_id=alice.user_id).lines) == 1


def test_empty_cart_checkout_page_goes_back_to_the_cart(client_as, alice):
    response = client_as(alice).post("/orders/checkout/", follow=True)

    assert response.redirect_chain == [("/cart/", 302)]
    assert "Your cart is empty." in response.content.decode()


def test_other_users_order_pages_are_404(client_as, alice, bob, make_item, checkout):
    order = checkout(alice, (make_item(bob), 1))
    client = client_as(bob)

    assert client.get(f"/orders/{order.order_id}/").status_code == 404
    assert client.post(f"/orders/{order.order_id}/pay/").status_code == 404
    assert client.post(f"/orders/{order.order_id}/cancel/").status_code == 404
    assert Order.objects.get().status == "awaiting_payment"


def test_orders_page_filters_and_keeps_a_constant_query_count(
    client_as, alice, bob, make_item, checkout, django_assert_num_queries
):
    client = client_as(alice)
    paid = checkout(alice, (make_item(bob, title="Paid thing"), 1))
    services.pay_order(order_id=paid.order_id, buyer_id=alice.user_id)
    checkout(alice, (make_item(bob, title="Waiting thing"), 1))
    one = _queries(lambda: client.get("/orders/"))
    for _ in range(5):
        checkout(alice, (make_item(bob), 1))

    with django_assert_num_queries(one):
        client.get("/orders/")
    filtered = client.get("/orders/?status=paid").content.decode()
    assert "Paid thing" in filtered
    assert "Waiting thing" not in filtered
    assert client.get("/orders/?status=nonsense").status_code == 400


def test_sales_page_lists_sold_lines(client_as, alice, bob, make_item, checkout, django_assert_num_queries):
    order = checkout(alice, (make_item(bob, title="Lamp", price="3.00"), 1))
    services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    client = client_as(bob)
    one = _queries(lambda: client.get("/sales/"))
    for _ in range(3):
        order = checkout(alice, (make_item(bob), 1))
        services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)

    with django_assert_num_queries(one):
        body = client.get("/sales/").content.decode()
    assert "Lamp" in body
    assert "alice" in body


def test_pages_need_login(client):
    for url in ("/orders/", "/orders/1/", "/sales/"):
        assert client.get(url).status_code == 302
