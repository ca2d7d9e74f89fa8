"""The other ends of an order, in a real browser: the buyer cancels; the time to pay runs out."""

import re

import pytest
from playwright.sync_api import expect

from orders import tasks as orders_tasks
from tests.e2e.steps import log_in, nav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def reserve(page, item_id: int, quantity: int) -> int:
    """From the item page: add `quantity` to the cart and check out; returns the order id."""
    page.goto(f"/items/{item_id}/")
    page.get_by_label("Quantity", exact=True).fill(str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-feedback")).to_contain_text("Added.")
    nav(page, "Cart")
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_role("heading", name=re.compile(r"Order #\d+"))).to_contain_text("Awaiting payment")
    return int(re.search(r"/orders/(\d+)/", page.url).group(1))


def test_the_buyer_cancels_and_the_items_are_released(make_page, alice, bob, make_item, item_stock):
    item_id = make_item(alice, title="Wooden train set", price="24.00", quantity=2)
    page = make_page(width=390)
    log_in(page, "bob")

    order_id = reserve(page, item_id, 2)
    assert item_stock(item_id) == (2, 2)
    page.goto(f"/items/{item_id}/")
    expect(page.get_by_text("Sold out", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)

    page.goto(f"/orders/{order_id}/")
    page.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text("Order cancelled; the items were released.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Order #{order_id}")).to_contain_text("Cancelled")
    expect(page.get_by_role("button", name=re.compile("^Pay"))).to_have_count(0)
    expect(page.locator(".order-history li").last).to_contain_text("Awaiting payment → Cancelled")
    assert item_stock(item_id) == (2, 0)

    page.goto(f"/items/{item_id}/")
    expect(page.get_by_text("2 available", exact=True)).to_be_visible()
    nav(page, "Wallet")
    expect(page.get_by_test_id("balance")).to_have_text("1,000.00 cr")
    nav(page, "Notifications")
    expect(page.get_by_text(f"Order #{order_id} was cancelled")).to_be_visible()
    expect(page.get_by_text("Your order was cancelled because you cancelled it. Nothing was charged.")).to_be_visible()
    nav(page, "Orders")
    row = page.get_by_role("row").filter(has_text=f"#{order_id}")
    expect(row).to_contain_text("2 × Wooden train set")
    expect(row).to_contain_text("Cancelled")
    expect(row).to_contain_text("48.00 cr")


def test_an_unpaid_order_runs_out_of_time_and_shows_as_cancelled(
    make_page, settings, alice, bob, make_item, item_stock
):
    settings.ORDER_PAYMENT_TIMEOUT_SECONDS = 2
    item_id = make_item(alice, title="Chess set, wooden", price="35.00", quantity=1)
    page = make_page()
    log_in(page, "bob")
    order_id = reserve(page, item_id, 1)

    # The countdown (static/js/countdown.js) reaches zero in the open page.
    expect(page.locator(".countdown")).to_have_text("time is up", timeout=5_000)
    # Paying now is refused even before the sweep ran, and nothing is charged.
    with page.expect_response(f"**/orders/{order_id}/pay/") as refused:
        page.get_by_role("button", name="Pay 35.00 cr").click()
    assert refused.value.status == 409
    expect(page.get_by_role("alert")).to_contain_text("expired")
    assert item_stock(item_id) == (1, 1)

    orders_tasks.expire_overdue_orders_task.delay()  # the beat sweep; eager in tests

    page.goto(f"/orders/{order_id}/")
    expect(page.get_by_role("heading", name=f"Order #{order_id}")).to_contain_text("Cancelled")
    expect(page.locator(".order-history li").last).to_contain_text("payment timeout, by the system")
    assert item_stock(item_id) == (1, 0)
    nav(page, "Wallet")
    expect(page.get_by_test_id("balance")).to_have_text("1,000.00 cr")
    nav(page, "Notifications")
    expect(
        page.get_by_text("Your order was cancelled because it was not paid in time. Nothing was charged.")
    ).to_be_visible()
