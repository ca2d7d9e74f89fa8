"""Statements per step of a purchase (issue 16: held by tests, written in docs/benchmarks.md).

Each step is one request; the counts include everything the request runs, the
transaction's own BEGIN/COMMIT excepted (Django does not log them). A new feature that
adds a statement to the purchase path must change these numbers on purpose.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# In this test each step's own transaction is a SAVEPOINT/RELEASE pair inside the test's; in
# production those two are its BEGIN/COMMIT instead.
ADD, CHECKOUT, PAY = 5, 12, 21


def _run(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return response, [q["sql"] for q in captured.captured_queries]


def test_a_purchase_runs_a_bounded_number_of_statements_per_step(api_as, alice, bob, make_item):
    item = make_item(bob, price="10.00", quantity=50)
    client = api_as(alice)
    client.get("/api/v1/cart/")  # a first request warms caches (category tree, content types)
    # A first purchase creates what exists once per year or shard (invoice counter, escrow
    # wallet): measure the steady state after it.
    client.post("/api/v1/cart/lines/", {"item_id": item, "quantity": 1}, format="json")
    first = client.post("/api/v1/orders/").json()["id"]
    client.post(f"/api/v1/orders/{first}/pay/")

    added, add_sql = _run(lambda: client.post("/api/v1/cart/lines/", {"item_id": item, "quantity": 1}, format="json"))
    placed, checkout_sql = _run(lambda: client.post("/api/v1/orders/"))
    paid, pay_sql = _run(lambda: client.post(f"/api/v1/orders/{placed.json()['id']}/pay/"))

    assert (added.status_code, placed.status_code, paid.status_code) == (201, 201, 200)
    print({"add": len(add_sql), "checkout": len(checkout_sql), "pay": len(pay_sql)})
    assert len(add_sql) <= ADD
    assert len(checkout_sql) <= CHECKOUT
    assert len(pay_sql) <= PAY
    # Joined services add no savepoints inside the pay transaction (shop.common.transactions):
    # the only one is the test's own transaction around the service's.
    assert sum(sql.startswith("SAVEPOINT") for sql in pay_sql) == 1


def test_the_pay_answer_built_from_what_was_written_equals_a_fresh_read(api_as, alice, bob, make_user, make_item):
    # Two sellers: two parcels, each with its own line, history and username.
    carol = make_user("carol")
    lamp, mug = make_item(bob, price="12.50", quantity=5), make_item(carol, price="4.00", quantity=5)
    client = api_as(alice)
    for item, quantity in ((lamp, 2), (mug, 1)):
        client.post("/api/v1/cart/lines/", {"item_id": item, "quantity": quantity}, format="json")
    order_id = client.post("/api/v1/orders/").json()["id"]

    paid = client.post(f"/api/v1/orders/{order_id}/pay/")
    replayed = client.post(f"/api/v1/orders/{order_id}/pay/")
    read = client.get(f"/api/v1/orders/{order_id}/")

    assert paid.status_code == replayed.status_code == read.status_code == 200
    assert [(p["seller"], len(p["lines"]), p["status"]) for p in paid.json()["parcels"]] == [
        ("bob", 1, "awaiting_shipment"),
        ("carol", 1, "awaiting_shipment"),
    ]
    assert paid.json()["invoice"]["number"].startswith("INV-")
    assert paid.json() == read.json() == replayed.json()
