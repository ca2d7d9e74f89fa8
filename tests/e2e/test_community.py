"""Trust between people in a real browser (issue 15): asking a seller a question and
the reply, favouriting with the heart (htmx, no reload), reviewing a completed parcel."""

import re

import pytest
from playwright.sync_api import expect

from orders import services as orders_services
from tests.e2e.steps import log_in, nav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shot(page, shots_dir, name: str) -> None:
    if shots_dir:
        page.screenshot(path=f"{shots_dir}/{name}.png", full_page=True)


def test_a_buyer_asks_and_the_seller_replies(make_page, lived_in_shop, make_user, shots_dir):
    make_user("carol")
    buyer, seller = make_page(), make_page()
    log_in(buyer, "carol")
    buyer.goto(f"/items/{lived_in_shop['kettle']}/")
    buyer.get_by_label("Your message").fill("Hello! Does the kettle whistle? <3")
    buyer.get_by_role("button", name="Send message").click()
    expect(buyer.get_by_text("Message sent: the seller has been told.")).to_be_visible()
    expect(buyer.get_by_text("Hello! Does the kettle whistle? <3")).to_be_visible()

    log_in(seller, "alice")
    seller.goto("/sell/")
    expect(seller.get_by_test_id("unread-messages")).to_have_text("1")  # loaded after the page
    nav(seller, "Messages")
    _shot(seller, shots_dir, "messages-inbox")
    seller.get_by_role("link", name=re.compile("Enamel kettle")).click()
    seller.get_by_label("Your message").fill("It does, loudly. See https://example.com/kettle")
    seller.get_by_role("button", name="Send").click()
    expect(seller.get_by_text("It does, loudly.")).to_be_visible()
    # Text only: the address is shown, never a link.
    expect(seller.get_by_role("link", name=re.compile("example.com"))).to_have_count(0)

    buyer.reload()
    expect(buyer.get_by_text("It does, loudly. See https://example.com/kettle")).to_be_visible()
    _shot(buyer, shots_dir, "conversation")
    nav(buyer, "Notifications")
    expect(buyer.get_by_text("New message from alice about “Enamel kettle”")).to_be_visible()


def test_favouriting_with_the_heart_updates_in_place(make_page, lived_in_shop, make_user, shots_dir):
    make_user("carol")
    page = make_page()
    log_in(page, "carol")
    page.goto("/items/?q=kettle")
    page.evaluate("window.stillHere = true")
    heart = page.locator(f"#heart-{lived_in_shop['kettle']}")
    expect(heart.locator(".heart-count")).to_have_text("0")

    heart.get_by_test_id("heart").click()

    expect(heart.get_by_test_id("heart")).to_have_attribute("aria-pressed", "true")
    expect(heart.locator(".heart-count")).to_have_text("1")
    assert page.evaluate("window.stillHere") is True  # no page load
    page.goto(f"/items/{lived_in_shop['kettle']}/")
    expect(page.get_by_text("1 person has this in their favourites")).to_be_visible()
    # The page is drawn for everyone alike; the viewer's hearts are marked just after.
    expect(page.locator(f"#heart-{lived_in_shop['kettle']}").get_by_test_id("heart")).to_have_attribute(
        "aria-pressed", "true"
    )
    _shot(page, shots_dir, "item-page")
    nav(page, "Favourites")
    expect(page.get_by_role("link", name=re.compile("Enamel kettle"))).to_be_visible()
    _shot(page, shots_dir, "favourites")


def test_a_buyer_reviews_a_completed_parcel(make_page, lived_in_shop, django_user_model, shots_dir):
    alice = django_user_model.objects.get(username="alice")
    bob = django_user_model.objects.get(username="bob")
    order_id = lived_in_shop["paid_order"]
    (parcel,) = orders_services.get_parcels_of_orders(order_ids=[order_id])[order_id]
    orders_services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=alice.pk)
    orders_services.confirm_parcel(parcel_id=parcel.parcel_id, buyer_id=bob.pk)

    page = make_page()
    log_in(page, "bob")
    page.goto(f"/orders/{order_id}/")
    page.get_by_role("link", name="Review alice").click()
    page.get_by_label("Your review (optional)").fill("<b>Shiny</b>")
    page.get_by_label("★★★★★", exact=True).check()
    page.get_by_role("button", name="Publish review").click()
    expect(page.get_by_text("Plain text only: remove the HTML tags.")).to_be_visible()
    page.get_by_label("Your review (optional)").fill("Heavy, warm light, very well packed.")
    page.get_by_role("button", name="Publish review").click()

    expect(page.get_by_text("Thank you: your review is published.")).to_be_visible()
    expect(page.get_by_test_id("seller-rating")).to_contain_text("★ 5.0")
    expect(page.get_by_text("Heavy, warm light, very well packed.")).to_be_visible()

    seller = make_page()
    log_in(seller, "alice")
    seller.goto("/sellers/alice/")
    seller.get_by_label("Reply publicly (once)").fill("Thank you, enjoy the lamp!")
    seller.get_by_role("button", name="Reply").click()
    expect(seller.get_by_text("Reply from alice: Thank you, enjoy the lamp!")).to_be_visible()
    _shot(seller, shots_dir, "seller-profile")
    seller.goto("/items/")
    expect(seller.get_by_role("link", name=re.compile(r"alice: seller profile, ★ 5\.0 \(1\)")).first).to_be_attached()
