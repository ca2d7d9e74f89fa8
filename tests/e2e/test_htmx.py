"""The htmx parts update in place: the unread count, the invoice status, the cart."""

import pytest
from playwright.sync_api import expect

from orders import services as orders_services
from outbox import services as outbox_services
from tests.e2e.steps import log_in, nav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_unread_count_refreshes_itself(make_page, lived_in_shop, django_user_model):
    page = make_page()
    page.clock.install()  # the bell polls every 30 s: let the test move time on
    log_in(page, "alice")
    page.goto("/sell/")
    bell = page.get_by_test_id("unread-count")
    expect(bell).to_have_text("1")  # the sale of the lamp
    page.evaluate("window.stillHere = true")

    bob = django_user_model.objects.get(username="bob")
    orders_services.pay_order(order_id=lived_in_shop["waiting_order"], buyer_id=bob.pk)
    page.clock.run_for(31_000)

    expect(bell).to_have_text("2")
    expect(bell).to_have_attribute("aria-label", "2 unread")
    assert page.evaluate("window.stillHere") is True


def test_the_invoice_link_appears_when_the_invoice_is_ready(make_page, lived_in_shop, monkeypatch):
    # The broker is unreachable: the relay's nudge after the payment is lost, and the
    # render request waits in the outbox.
    monkeypatch.setattr(outbox_services, "nudge_relay", lambda: None)
    page = make_page()
    log_in(page, "bob")
    page.goto(f"/orders/{lived_in_shop['waiting_order']}/")
    page.get_by_role("button", name="Pay 36.00 cr").click()
    expect(page.get_by_text("Paid. Thank you!")).to_be_visible()
    status = page.locator("#invoice-status")
    expect(status).to_have_text("Invoice: generating…")
    page.evaluate("window.stillHere = true")

    monkeypatch.undo()  # the broker is back; beat's relay run delivers the render request
    assert outbox_services.relay().dispatched >= 1

    expect(page.get_by_role("link", name="Download invoice INV-")).to_be_visible(timeout=6_000)
    assert page.evaluate("window.stillHere") is True


def test_removing_the_last_cart_line_shows_the_empty_cart_in_place(make_page, lived_in_shop):
    page = make_page(width=390, height=844)
    log_in(page, "bob")
    nav(page, "Cart")
    expect(page.get_by_test_id("cart-total")).to_have_text("22.00 cr")
    page.evaluate("window.stillHere = true")
    page.get_by_role("button", name="Remove").click()
    expect(page.locator(".empty")).to_have_text("Your cart is empty. Browse items.")
    assert page.evaluate("window.stillHere") is True
