"""Every main page at a phone's and a desktop's width: no sideways scrolling, a heading, readable
buttons, no template syntax leaking into the text, no JS error.

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

# WCAG contrast of each visible button's text against its own background (both solid here).
LOW_CONTRAST_BUTTONS = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const linear = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (rgb) => rgb.map(linear).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  return [...document.querySelectorAll(".button")].filter((el) => el.offsetParent !== null).map((el) => {
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
    return [el.textContent.trim(), (a + 0.05) / (b + 0.05)];
  }).filter(([, ratio]) => ratio < 4.5).map(([text, ratio]) => `${text}: ${ratio.toFixed(2)}`);
}"""

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
        assert page.evaluate(LOW_CONTRAST_BUTTONS) == [], f"{name}: buttons whose text is hard to read"
        text = page.locator("body").inner_text()
        assert not any(mark in text for mark in ("{#", "{%", "{{", "#}")), f"{name} shows template syntax"
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
