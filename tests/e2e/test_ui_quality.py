"""UI quality in the browser: empty states, pagination, credits, errors beside fields, keyboard use."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import log_in, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CREDITS = re.compile(r"^\d{1,3}(,\d{3})*\.\d{2} cr$")


def focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, *, limit: int = 40) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(locator):
            return
    raise AssertionError(f"{locator} never got the focus after {limit} presses of Tab")


def test_a_newcomer_sees_helpful_empty_states(page):
    sign_up(page, "nell")
    expect(page.get_by_text("Nothing for sale yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Sell something")).to_be_visible()
    for path, text in [
        ("/cart/", "Your cart is empty. Browse items."),
        ("/orders/", "No orders yet."),
        ("/sales/", "Nothing sold yet."),
        ("/sell/", "You are not selling anything yet."),
        ("/notifications/", "No notifications yet. We will tell you here when your orders change or your items sell."),
        ("/items/?q=unicorn", "No items match. Try fewer filters."),
    ]:
        page.goto(path)
        expect(page.locator(".empty")).to_have_text(text)


def test_browse_pages_through_results_and_keeps_the_filters(page, lived_in_shop):
    page.goto("/items/?ordering=-price")
    expect(page.get_by_text("33 items", exact=True)).to_be_visible()
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1 of 2")
    cards = page.locator(".item-card")
    expect(cards).to_have_count(24)
    expect(cards.first.locator(".price")).to_have_text("1,234.50 cr")  # dearest first
    for price in cards.locator(".price").all_inner_texts():
        assert CREDITS.match(price), price

    pages.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"/items/\?ordering=-price&page=2$"))
    expect(pages).to_contain_text("Page 2 of 2")
    expect(cards).to_have_count(9)
    expect(page.get_by_label("Sort by")).to_have_value("-price")
    pages.get_by_role("link", name="← Previous").click()
    expect(pages).to_contain_text("Page 1 of 2")


def test_a_filter_not_understood_is_shown_beside_its_field_and_the_rest_still_apply(page, lived_in_shop):
    page.goto("/items/?q=lamp&price_min=cheap")
    expect(page.get_by_role("form", name="Filters").get_by_role("alert").first).to_have_text(
        "Some filters were not understood and are left out: fix them below."
    )
    expect(page.get_by_label("Min price")).to_have_accessible_description("Enter a number.")
    expect(page.get_by_text("1 item matching your search")).to_be_visible()
    expect(page.get_by_role("link", name="Brass desk lamp")).to_be_visible()


def test_the_sell_form_shows_each_error_beside_its_field(page, categories):
    sign_up(page, "sid")
    page.goto("/sell/new/")
    page.get_by_label("Price").fill("0")
    page.get_by_label("Quantity").fill("-1")
    with page.expect_response("**/sell/new/") as answer:
        page.get_by_role("button", name="Put on sale").click()
    assert answer.value.status == 400

    expect(page.locator("#id_title_error")).to_have_text("This field is required.")
    expect(page.locator("#id_category_error")).to_have_text("This field is required.")
    expect(page.locator("#id_price_error")).to_have_text("Ensure this value is greater than or equal to 0.01.")
    expect(page.locator("#id_quantity_error")).to_have_text("Ensure this value is greater than or equal to 0.")
    expect(page.locator(".field.has-error")).to_have_count(4)
    # The error (and the help) is the field's description, so a screen reader reads it with the field.
    expect(page.get_by_label("Title")).to_have_accessible_description("This field is required.")
    expect(page.get_by_label("Price")).to_have_accessible_description(
        "In credits. Ensure this value is greater than or equal to 0.01."
    )
    expect(page.get_by_label("Price")).to_have_value("0")  # what was typed stays
    page.goto("/sell/")
    expect(page.locator(".empty")).to_have_text("You are not selling anything yet.")


def test_a_keyboard_alone_can_open_the_phone_menu_and_add_to_the_cart(make_page, lived_in_shop):
    page = make_page(width=390, height=844)
    log_in(page, "bob")
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert focused(skip)
    assert skip.bounding_box()["x"] >= 0  # shown on screen when focused

    browse = page.get_by_role("navigation", name="Main").get_by_role("link", name="Browse")
    expect(browse).to_be_hidden()
    tab_to(page, page.get_by_role("checkbox", name="Show menu"))
    page.keyboard.press("Space")
    expect(browse).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(browse)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Browse items")).to_be_visible()

    page.goto(f"/items/{lived_in_shop['kettle']}/")
    tab_to(page, page.get_by_label("Quantity", exact=True))
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    assert focused(page.get_by_role("button", name="Add to cart"))
    page.keyboard.press("Enter")
    expect(page.locator("#cart-feedback")).to_have_text("Added. Cart (2)")
