"""Sign up, log out and in again, top up the wallet: in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import PASSWORD, sign_up

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_top_up_and_log_in_again(page):
    sign_up(page, "nora")

    page.get_by_role("link", name="Wallet").click()
    expect(page.get_by_test_id("balance")).to_have_text("1,000.00 cr")
    page.get_by_label("Amount").fill("250")
    page.get_by_role("button", name="Add credits").click()
    expect(page.get_by_test_id("balance")).to_have_text("1,250.00 cr")
    expect(page.get_by_role("cell", name="Top-up")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="nora")).to_be_visible()


def test_bad_input_shows_errors_beside_the_fields(page):
    sign_up(page, "omar")
    page.goto("/wallet/")

    page.get_by_label("Amount").fill("-5")
    page.get_by_role("button", name="Add credits").click()

    expect(page.locator(".field.has-error .errors")).to_have_text("The amount must be greater than zero.")
    expect(page.get_by_test_id("balance")).to_have_text("1,000.00 cr")

    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("omar")
    page.get_by_label("Email").fill("other@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_username_error")).to_contain_text("already exists")
    expect(page.locator("#id_password1_error")).to_have_text(re.compile("too short"))


@pytest.mark.parametrize("width", [390, 1280])
def test_home_is_usable_at_phone_and_desktop_widths(make_page, width):
    page = make_page(width=width)
    page.goto("/")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width < 700:
        expect(page.get_by_role("link", name="Browse")).to_be_hidden()
        page.locator("label.nav-burger").click()
    expect(page.get_by_role("link", name="Browse")).to_be_visible()
