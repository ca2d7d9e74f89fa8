"""Fulfilment in a real browser (DESIGN §2): pay → ship from /sales/ → confirm → the
seller is paid; and a dispute that a moderator refunds in the admin, with the credit
note PDF downloaded by the buyer. With E2E_SCREENSHOTS set, the new pages are saved."""

import io
import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from cart import services as cart_services
from orders import services as orders_services
from payments import services as payments_services
from tests.e2e.steps import PASSWORD, log_in, nav

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_SHOT_HEIGHT = 1800


def shoot(page, shots_dir, name: str) -> None:
    if not shots_dir:
        return
    page.evaluate("window.scrollTo(0, 0)")  # the sticky menu is drawn where the page was scrolled
    width = page.viewport_size["width"]
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
    page.screenshot(
        path=os.path.join(shots_dir, f"{name}-{width}.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
        animations="disabled",
    )


def balance(page) -> Decimal:
    return Decimal(page.get_by_test_id("balance").inner_text().removesuffix(" cr").replace(",", ""))


def paid_order(buyer, *lines) -> int:
    for item_id, quantity in lines:
        cart_services.add_to_cart(user_id=buyer.user_id, item_id=item_id, quantity=quantity)
    order_id = orders_services.place_order(buyer_id=buyer.user_id).order.order_id
    orders_services.pay_order(order_id=order_id, buyer_id=buyer.user_id)
    return order_id


def parcel_of(order_id: int, seller) -> int:
    parcels = orders_services.get_parcels_of_orders(order_ids=[order_id])[order_id]
    return next(p.parcel_id for p in parcels if p.seller_id == seller.user_id)


def test_pay_ship_confirm_and_the_seller_is_paid(make_page, alice, bob, make_user, make_item, shots_dir):
    carol = make_user("carol")
    lamp = make_item(alice, title="Brass desk lamp", price="34.50", quantity=2)
    vase = make_item(carol, title="Blue glass vase", price="12.00")
    cart_services.add_to_cart(user_id=bob.user_id, item_id=lamp, quantity=2)
    cart_services.add_to_cart(user_id=bob.user_id, item_id=vase, quantity=1)

    buyer = make_page()
    log_in(buyer, "bob")
    nav(buyer, "Cart")
    buyer.get_by_role("button", name="Checkout").click()
    buyer.get_by_role("button", name=re.compile("^Pay")).click()
    expect(buyer.get_by_text("Paid. Thank you!")).to_be_visible()
    order_id = int(re.search(r"/orders/(\d+)/", buyer.url).group(1))
    expect(buyer.get_by_test_id("parcel-summary")).to_contain_text("0 of 2 parcels received.")
    lamp_parcel = buyer.locator(f"#parcel-{parcel_of(order_id, alice)}")
    expect(lamp_parcel).to_contain_text("Parcel from alice")
    expect(lamp_parcel).to_contain_text("Awaiting shipment")
    expect(lamp_parcel).to_contain_text("Ship by")
    expect(lamp_parcel.get_by_test_id("parcel-total")).to_have_text("69.00 cr")

    seller = make_page()
    log_in(seller, "alice")
    nav(seller, "Wallet")
    before = balance(seller)
    expect(seller.get_by_test_id("held")).to_contain_text("69.00 cr held in escrow")
    shoot(seller, shots_dir, "wallet-held")
    nav(seller, "Sales")
    expect(seller.get_by_role("heading", name="To ship")).to_be_visible()
    card = seller.locator(f"#parcel-{parcel_of(order_id, alice)}")
    expect(card).to_contain_text("Brass desk lamp")
    card.get_by_label("Carrier").fill("La Poste")
    card.get_by_label("Tracking code").fill("LP-2026-0042")
    card.get_by_role("button", name="Mark as shipped").click()
    expect(seller.get_by_text("Marked as shipped. You are paid when the buyer has it.")).to_be_visible()
    expect(seller.get_by_role("heading", name="Shipped", exact=True)).to_be_visible()

    buyer.reload()
    lamp_parcel = buyer.locator(f"#parcel-{parcel_of(order_id, alice)}")
    expect(lamp_parcel).to_contain_text("Shipped")
    expect(lamp_parcel.get_by_test_id("tracking")).to_have_text("LP-2026-0042")
    expect(lamp_parcel).to_contain_text("Confirm by")
    lamp_parcel.get_by_role("button", name="I received it").click()
    expect(buyer.get_by_text("Thank you! The seller is paid.")).to_be_visible()
    expect(buyer.get_by_test_id("parcel-summary")).to_contain_text("1 of 2 parcels received.")
    expect(buyer.locator(f"#parcel-{parcel_of(order_id, alice)}")).to_contain_text("Completed")

    nav(seller, "Wallet")
    assert balance(seller) - before == Decimal("69.00")
    expect(seller.get_by_test_id("held")).to_have_count(0)


def test_dispute_refunded_by_a_moderator_and_the_credit_note_downloaded(
    make_page, moderator, alice, bob, make_user, make_item, shots_dir
):
    carol = make_user("carol")
    jacket = make_item(alice, title="Vintage rain jacket", price="40.00")
    kettle = make_item(alice, title="Enamel kettle", price="18.00", quantity=3)
    chair = make_item(carol, title="Folding chair", price="25.00")
    order_id = paid_order(bob, (jacket, 1), (chair, 1))
    jacket_parcel = parcel_of(order_id, alice)
    orders_services.ship_parcel(parcel_id=jacket_parcel, seller_id=alice.user_id, carrier="DHL", tracking_code="JD-77")
    orders_services.ship_parcel(parcel_id=parcel_of(order_id, carol), seller_id=carol.user_id)
    # alice's /sales/ also has a parcel to ship and a completed one, for the screenshot.
    paid_order(bob, (kettle, 2))
    done = paid_order(bob, (kettle, 1))
    orders_services.ship_parcel(parcel_id=parcel_of(done, alice), seller_id=alice.user_id)
    orders_services.confirm_parcel(parcel_id=parcel_of(done, alice), buyer_id=bob.user_id)

    buyer = make_page()
    log_in(buyer, "bob")
    buyer.goto(f"/orders/{order_id}/")
    card = buyer.locator(f"#parcel-{jacket_parcel}")
    card.get_by_text("Report a problem").click()
    card.get_by_label("What went wrong").select_option(label="The item is not as described")
    card.get_by_label("Tell us more").fill("The listing said waterproof; it leaks at every seam.")
    card.get_by_role("button", name="Send to a moderator").click()
    expect(buyer.get_by_text("Problem reported.")).to_be_visible()
    expect(buyer.locator(f"#parcel-{jacket_parcel}")).to_contain_text("Disputed")

    admin = make_page()
    admin.goto("/admin/")
    admin.get_by_label("Username").fill("mod")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Disputes", exact=True).click()
    row = admin.get_by_role("row").filter(has_text="it leaks at every seam")
    expect(row).to_contain_text("The item is not as described")
    shoot(admin, shots_dir, "admin-disputes")
    row.get_by_role("link", name="Refund…").click()
    admin.get_by_label("Amount").fill("30.00")
    admin.get_by_role("button", name="Refund").click()
    expect(admin.get_by_text(f"Parcel #{jacket_parcel}: 30.00 refunded to the buyer.")).to_be_visible()

    buyer.reload()
    card = buyer.locator(f"#parcel-{jacket_parcel}")
    expect(card).to_contain_text("Refunded")
    expect(card.get_by_test_id("refunded")).to_contain_text("30.00 cr")
    expect(buyer.get_by_test_id("parcel-summary")).to_contain_text("0 of 2 parcels received, 1 refunded.")
    link = card.get_by_role("link", name=re.compile(r"CN-\d{4}-\d{6}"))
    with buyer.expect_download() as info:
        link.click()
    download = info.value
    assert re.fullmatch(r"CN-\d{4}-\d{6}\.pdf", download.suggested_filename), download.suggested_filename
    with open(download.path(), "rb") as pdf:
        data = pdf.read()
    assert data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "CN-" in text and "30.00" in text
    shoot(buyer, shots_dir, "order-parcels")

    seller = make_page()
    log_in(seller, "alice")
    nav(seller, "Sales")
    expect(seller.get_by_role("heading", name="To ship")).to_be_visible()
    expect(seller.get_by_role("heading", name="Refunded", exact=True)).to_be_visible()
    shoot(seller, shots_dir, "sales")
    assert payments_services.audit_ledger().consistent
