"""Every main page at a phone's and a desktop's width: no sideways scrolling, a heading, no JS error.

With E2E_SCREENSHOTS=<dir> set, each page is also saved as <dir>/<page>-<width>.png; the
ones in docs/screenshots/ were made that way (see docs/ui.md).
"""

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (name, who is logged in, path); {lamp} and {paid_order} come from the lived_in_shop fixture.
PAGES = [
    ("home", "bob", "/"),
    ("browse", "bob", "/items/?ordering=price"),
    ("item", "bob", "/items/{lamp}/"),
    ("cart", "bob", "/cart/"),
    ("orders", "bob", "/orders/"),
    ("order-awaiting-payment", "bob", "/orders/{waiting_order}/"),
    ("order-paid", "bob", "/orders/{paid_order}/"),
    ("wallet", "bob", "/wallet/"),
    ("notifications", "bob", "/notifications/"),
    ("profile", "bob", "/accounts/profile/"),
    ("sell", "alice", "/sell/"),
    ("sell-new", "alice", "/sell/new/"),
    ("sales", "alice", "/sales/"),
    ("login", None, "/accounts/login/"),
    ("signup", None, "/accounts/signup/"),
]

# The pages kept in docs/screenshots/ (the README shows them); long pages are cut at 1,800 px.
SCREENSHOTS = {
    "home",
    "browse",
    "item",
    "cart",
    "order-awaiting-payment",
    "order-paid",
    "wallet",
    "notifications",
    "sell-new",
}
MAX_SHOT_HEIGHT = 1800


@pytest.mark.parametrize("width", [390, 1280])
def test_main_pages_fit_phone_and_desktop_widths(make_page, lived_in_shop, shots_dir, width):
    pages = {None: make_page(width=width, height=844 if width < 700 else 900)}
    for user in ("bob", "alice"):
        pages[user] = make_page(width=width, height=844 if width < 700 else 900)
        log_in(pages[user], user)

    for name, user, path in PAGES:
        page = pages[user]
        response = page.goto(path.format(**lived_in_shop))
        assert response.status == 200, (name, response.status)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        if name == "order-paid":
            expect(page.get_by_role("link", name="Download invoice INV-")).to_be_visible()
        if shots_dir and name in SCREENSHOTS:
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
            page.screenshot(
                path=os.path.join(shots_dir, f"{name}-{width}.png"),
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": height},
                animations="disabled",
            )
