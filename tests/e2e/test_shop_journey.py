"""The whole purchase, in a real browser: sell with a picture, find, cart, checkout, pay, invoice, notifications."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalogue import services as catalogue_services
from tests.e2e.steps import list_item, nav, png_picture, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def other_listings(seller_id: int) -> None:
    """Two more listings of the seller: one matches the search but not the filters, one neither."""
    for title, category, price in [
        ("Plastic desk lamp", "furniture", "9.99"),
        ("Brass candle holder", "kitchen", "30.00"),
    ]:
        catalogue_services.create_item(
            seller_id=seller_id,
            title=title,
            description="",
            category_slug=category,
            price=Decimal(price),
            quantity=1,
            picture=None,
        )


def test_a_seller_lists_an_item_and_a_buyer_buys_it(make_page, categories, django_user_model):
    seller = make_page()
    sign_up(seller, "sam")
    item_id = list_item(
        seller,
        title="Brass desk lamp",
        price="45.50",
        quantity=3,
        category="Furniture",
        description="Heavy brass base, warm light.\nWorks perfectly.",
        picture=png_picture(),
    )
    picture = seller.get_by_role("img", name="Picture of Brass desk lamp")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") > 0
    expect(seller.get_by_text("45.50 cr", exact=True)).to_be_visible()
    expect(seller.get_by_text("Your listing", exact=True)).to_be_visible()
    other_listings(django_user_model.objects.get(username="sam").pk)

    # A second person finds it: a search from the home page, then filters.
    buyer = make_page()
    sign_up(buyer, "bea")
    buyer.get_by_role("searchbox", name="Search items").fill("lamp")
    buyer.get_by_role("button", name="Search").click()
    expect(buyer.get_by_text("2 items matching your search")).to_be_visible()
    filters = buyer.get_by_role("form", name="Filters")
    filters.get_by_label("Category").select_option(label="\u2003Furniture")
    filters.get_by_label("Min price").fill("20")
    filters.get_by_role("button", name="Apply").click()
    expect(buyer.get_by_text("1 item matching your search")).to_be_visible()
    expect(buyer.get_by_role("link", name="Plastic desk lamp")).to_have_count(0)
    buyer.get_by_role("link", name="Brass desk lamp").click()
    expect(buyer).to_have_url(re.compile(rf"/items/{item_id}/$"))
    expect(buyer.get_by_role("heading", name="Brass desk lamp")).to_be_visible()

    # Add to cart without leaving the page (htmx): a marker set on the page survives.
    buyer.evaluate("window.stillHere = true")
    buyer.get_by_role("button", name="Add to cart").click()
    expect(buyer.locator("#cart-feedback")).to_have_text("Added. Cart (1)")
    assert buyer.evaluate("window.stillHere") is True

    # The cart: change the quantity in place, the totals follow.
    nav(buyer, "Cart")
    expect(buyer.get_by_test_id("cart-total")).to_have_text("45.50 cr")
    buyer.evaluate("window.stillHere = true")
    buyer.get_by_label("Quantity of Brass desk lamp").fill("2")
    buyer.get_by_label("Quantity of Brass desk lamp").press("Tab")
    expect(buyer.get_by_test_id("cart-total")).to_have_text("91.00 cr")
    assert buyer.evaluate("window.stillHere") is True

    # Checkout reserves, then pay.
    buyer.get_by_role("button", name="Checkout").click()
    expect(buyer.get_by_text("Your items are reserved.")).to_be_visible()
    expect(buyer.get_by_role("heading", name=re.compile(r"Order #\d+"))).to_contain_text("Awaiting payment")
    expect(buyer.locator(".countdown")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    buyer.get_by_role("button", name="Pay 91.00 cr").click()
    expect(buyer.get_by_text("Paid. Thank you!")).to_be_visible()
    expect(buyer.get_by_role("heading", name=re.compile(r"Order #\d+"))).to_contain_text("Paid")
    order_id = int(re.search(r"/orders/(\d+)/", buyer.url).group(1))

    # The invoice appears on the page (htmx status fragment) and downloads as a PDF.
    download_link = buyer.get_by_role("link", name=re.compile(r"Download invoice INV-\d{4}-\d{6}"))
    expect(download_link).to_be_visible()
    with buyer.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r"INV-\d{4}-\d{6}\.pdf", download.suggested_filename), download.suggested_filename
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Money moved, stock followed.
    nav(buyer, "Wallet")
    expect(buyer.get_by_test_id("balance")).to_have_text("909.00 cr")

    # Notifications: the count in the menu, the list, and the seller's side.
    expect(buyer.get_by_test_id("unread-count")).to_have_text("2")
    nav(buyer, "Notifications")
    expect(buyer.get_by_text(f"Order #{order_id} is paid")).to_be_visible()
    expect(buyer.get_by_text(f"Order #{order_id} is waiting for payment")).to_be_visible()
    buyer.get_by_role("button", name="Mark all read").click()
    expect(buyer.get_by_text("Marked 2 notifications as read.")).to_be_visible()
    expect(buyer.get_by_test_id("unread-count")).to_be_hidden()

    seller.reload()
    expect(seller.get_by_test_id("unread-count")).to_have_text("1")
    nav(seller, "Notifications")
    sale = seller.get_by_role("listitem").filter(has_text=f"You sold 2 items in order #{order_id}")
    expect(sale).to_contain_text("bea paid for 2 × Brass desk lamp. 91.00 cr is held in escrow until delivery.")
    sale.get_by_role("button", name="View sales").click()
    # /sales/ is the fulfilment page: one card per parcel, its buyer in the heading.
    parcel = seller.get_by_test_id("parcel").filter(has_text="Brass desk lamp")
    expect(parcel).to_contain_text(f"Order #{order_id} for bea")
    expect(parcel.get_by_role("row").filter(has_text="Brass desk lamp")).to_contain_text("91.00 cr")
    nav(seller, "Wallet")
    # DESIGN §2 Fulfilment: the seller is paid when the parcel completes; until then it is held.
    expect(seller.get_by_test_id("balance")).to_have_text("1,000.00 cr")
    expect(seller.get_by_test_id("held")).to_contain_text("91.00 cr held in escrow")
    nav(seller, "Sell")
    row = seller.get_by_role("row").filter(has_text="Brass desk lamp")
    # Quantity 3 - 2 sold = 1 on hand, nothing reserved, 1 available, 2 sold.
    expect(row.get_by_role("cell")).to_have_text(
        ["Brass desk lampFurniture", "Active", "45.50 cr", "1", "0", "1", "2", re.compile(r"Edit\s+Withdraw")]
    )
