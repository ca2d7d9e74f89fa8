"""A moderator hides an item in the admin; shoppers no longer see it, its seller still does."""

import pytest
from playwright.sync_api import expect

from tests.e2e.steps import PASSWORD, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_moderator_hides_an_item_in_the_admin(make_page, moderator, alice, make_item, item_stock):
    hidden_id = make_item(alice, title="Counterfeit watch", price="99.00")
    make_item(alice, title="Honest watch", price="80.00")

    admin = make_page()
    admin.goto("/admin/")
    admin.get_by_label("Username").fill("mod")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Items", exact=True).click()
    row = admin.get_by_role("row").filter(has_text="Counterfeit watch")
    row.get_by_role("checkbox").check()
    admin.locator("select[name=action]").select_option(label="Hide selected items")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("1 item(s) hidden; 0 were not active.")).to_be_visible()
    expect(admin.get_by_role("row").filter(has_text="Counterfeit watch")).to_contain_text("Hidden")

    shopper = make_page()
    shopper.goto("/items/")
    expect(shopper.get_by_text("1 item", exact=True)).to_be_visible()
    expect(shopper.get_by_role("link", name="Honest watch")).to_be_visible()
    expect(shopper.get_by_role("link", name="Counterfeit watch")).to_have_count(0)
    assert shopper.goto(f"/items/{hidden_id}/").status == 404

    seller = make_page()
    log_in(seller, "alice")
    seller.goto("/sell/")
    expect(seller.get_by_role("row").filter(has_text="Counterfeit watch")).to_contain_text("Hidden")
    seller.goto(f"/items/{hidden_id}/")
    expect(seller.get_by_role("heading", name="Counterfeit watch")).to_be_visible()
    expect(seller.get_by_text("Hidden by a moderator", exact=True)).to_be_visible()
