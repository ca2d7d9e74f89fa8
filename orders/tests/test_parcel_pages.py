"""The parcel pages: the buyer's order page (confirm, report a problem), the seller's
/sales/ (ship, cancel), refusals as form errors (4xx, nothing changed), constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders import services
from orders.models import Parcel
from orders.tests.conftest import balance

pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def _paid(checkout, buyer, *lines):
    order = checkout(buyer, *lines)
    services.pay_order(order_id=order.order_id, buyer_id=buyer.user_id)
    return order.order_id, services.get_parcels_of_orders(order_ids=[order.order_id])[order.order_id]


@pytest.fixture
def parcel(alice, bob, make_item, checkout):
    """alice paid 2 × 12.50 to bob: one parcel awaiting shipment."""
    order_id, parcels = _paid(checkout, alice, (make_item(bob, title="Brass lamp", price="12.50", quantity=3), 2))
    return parcels[0]


def _status(parcel_id: int) -> str:
    return services.get_parcel(parcel_id=parcel_id).status


# --- The buyer's order page ---------------------------------------------------------------


def test_order_page_shows_each_parcel_with_summary_deadlines_and_no_actions_before_shipping(
    client_as, alice, bob, make_user, make_item, checkout
):
    carol = make_user("carol")
    order_id, parcels = _paid(
        checkout, alice, (make_item(bob, title="Lamp", price="3.00"), 1), (make_item(carol, title="Vase"), 1)
    )
    services.ship_parcel(parcel_id=parcels[0].parcel_id, seller_id=bob.user_id, carrier="DHL", tracking_code="TR-77")
    services.confirm_parcel(parcel_id=parcels[0].parcel_id, buyer_id=alice.user_id)

    body = client_as(alice).get(f"/orders/{order_id}/").content.decode()

    assert "1 of 2 parcels received." in body
    assert 'Parcel from <a href="/sellers/bob/">bob</a>' in body
    assert 'Parcel from <a href="/sellers/carol/">carol</a>' in body
    assert "TR-77" in body and "with DHL" in body
    assert "Ship by" in body and "Waiting for carol to ship it." in body
    assert "I received it" not in body  # nothing is shipped-and-unconfirmed


def test_buyer_confirms_from_the_order_page_and_the_seller_is_paid(client_as, alice, bob, parcel):
    services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=bob.user_id, tracking_code="AB-1")
    client = client_as(alice)
    page = client.get(f"/orders/{parcel.order_id}/").content.decode()
    assert "I received it" in page and "Report a problem" in page and "Confirm by" in page
    before = balance(bob)

    response = client.post(f"/parcels/{parcel.parcel_id}/confirm/", follow=True)

    assert response.redirect_chain == [(f"/orders/{parcel.order_id}/#parcel-{parcel.parcel_id}", 302)]
    assert "Thank you! The seller is paid." in response.content.decode()
    assert "1 of 1 parcel received." in response.content.decode()
    assert _status(parcel.parcel_id) == "completed"
    assert balance(bob) - before == parcel.total


def test_buyer_reports_a_problem_with_a_reason_and_message(client_as, alice, bob, parcel):
    services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=bob.user_id)
    prefix = f"dispute-{parcel.parcel_id}"

    response = client_as(alice).post(
        f"/parcels/{parcel.parcel_id}/dispute/",
        {f"{prefix}-reason": "damaged", f"{prefix}-message": "The shade is cracked."},
        follow=True,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "The item arrived damaged" in body and "The shade is cracked." in body
    snapshot = services.get_parcel(parcel_id=parcel.parcel_id)
    assert (snapshot.status, snapshot.dispute_reason, snapshot.dispute_message) == (
        "disputed",
        "damaged",
        "The shade is cracked.",
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "This field is required."),
        ({"reason": "lost_in_space", "message": "x"}, "Select a valid choice."),
        ({"reason": "other", "message": "x" * 2001}, "at most 2000 characters"),
        ({"reason": "other", "message": "   "}, "This field is required."),
    ],
)
def test_bad_dispute_form_is_a_400_beside_the_field_and_changes_nothing(client_as, alice, bob, parcel, data, error):
    services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=bob.user_id)
    prefix = f"dispute-{parcel.parcel_id}"

    response = client_as(alice).post(
        f"/parcels/{parcel.parcel_id}/dispute/", {f"{prefix}-{k}": v for k, v in data.items()}
    )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert _status(parcel.parcel_id) == "shipped"


def test_confirm_before_shipping_is_a_409_on_the_order_page(client_as, alice, parcel):
    response = client_as(alice).post(f"/parcels/{parcel.parcel_id}/confirm/")

    assert response.status_code == 409
    assert "This parcel is awaiting shipment; that needs it shipped." in response.content.decode()
    assert _status(parcel.parcel_id) == "awaiting_shipment"


def test_dispute_after_the_confirm_by_date_is_a_409(client_as, alice, bob, parcel):
    services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=bob.user_id)
    Parcel.objects.filter(pk=parcel.parcel_id).update(confirm_by=timezone.now() - timedelta(minutes=1))
    prefix = f"dispute-{parcel.parcel_id}"

    response = client_as(alice).post(
        f"/parcels/{parcel.parcel_id}/dispute/", {f"{prefix}-reason": "not_received", f"{prefix}-message": "Nothing."}
    )

    assert response.status_code == 409
    assert "The time to report a problem with this parcel has passed." in response.content.decode()
    assert _status(parcel.parcel_id) == "shipped"


def test_order_page_query_count_is_constant_in_the_number_of_parcels(
    client_as, alice, make_user, make_item, checkout, django_assert_num_queries
):
    sellers = [make_user(f"seller{i}") for i in range(4)]
    one_id, one = _paid(checkout, alice, (make_item(sellers[0]), 1))
    many_id, many = _paid(checkout, alice, *((make_item(seller), 1) for seller in sellers))
    for parcels in (one, many):
        services.ship_parcel(parcel_id=parcels[0].parcel_id, seller_id=parcels[0].seller_id)
    client = client_as(alice)
    expected = _queries(lambda: client.get(f"/orders/{one_id}/"))

    with django_assert_num_queries(expected):
        body = client.get(f"/orders/{many_id}/").content.decode()
    assert "0 of 4 parcels received." in body


def test_others_cannot_act_on_a_parcel(client_as, alice, bob, make_user, parcel):
    services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=bob.user_id)
    eve = make_user("eve")

    assert client_as(eve).post(f"/parcels/{parcel.parcel_id}/confirm/").status_code == 404
    assert client_as(eve).post("/parcels/999999/confirm/").status_code == 404
    # The seller sees the parcel but confirming is the buyer's: 403 on the seller's own page.
    refused = client_as(bob).post(f"/parcels/{parcel.parcel_id}/confirm/")
    assert refused.status_code == 403
    assert "Only the buyer can do this." in refused.content.decode()
    assert _status(parcel.parcel_id) == "shipped"


def test_parcel_actions_keep_csrf(alice, parcel):
    client = Client(enforce_csrf_checks=True)
    client.force_login(__import__("django.contrib.auth").contrib.auth.get_user_model().objects.get(pk=alice.user_id))

    assert client.post(f"/parcels/{parcel.parcel_id}/confirm/").status_code == 403
    assert client.get(f"/parcels/{parcel.parcel_id}/confirm/").status_code in (403, 405)


# --- The seller's /sales/ --------------------------------------------------------------------


def test_sales_page_lists_parcels_to_ship_first_with_their_lines(
    client_as, alice, bob, make_item, checkout, django_assert_num_queries
):
    _, shipped = _paid(checkout, alice, (make_item(bob, title="Old radio"), 1))
    services.ship_parcel(parcel_id=shipped[0].parcel_id, seller_id=bob.user_id, tracking_code="R-1")
    _, waiting = _paid(checkout, alice, (make_item(bob, title="Teapot", price="7.00", quantity=2), 2))

    body = client_as(bob).get("/sales/").content.decode()

    assert body.index("To ship") < body.index("Teapot") < body.index("Old radio")
    assert "Ship by" in body and "Mark as shipped" in body and "Cancel this parcel" in body
    assert "Order #" in body and "for alice" in body and "14.00" in body
    assert "To ship (1)" in body and "Shipped (1)" in body
    only_shipped = client_as(bob).get("/sales/?status=shipped").content.decode()
    assert "Old radio" in only_shipped and "Teapot" not in only_shipped
    assert client_as(bob).get("/sales/?status=nonsense").status_code == 400


def test_seller_ships_from_sales_with_carrier_and_tracking(client_as, bob, parcel):
    prefix = f"ship-{parcel.parcel_id}"

    response = client_as(bob).post(
        f"/parcels/{parcel.parcel_id}/ship/", {f"{prefix}-carrier": "La Poste", f"{prefix}-tracking_code": "LP-123"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/sales/#parcel-{parcel.parcel_id}"
    snapshot = services.get_parcel(parcel_id=parcel.parcel_id)
    assert (snapshot.status, snapshot.carrier, snapshot.tracking_code) == ("shipped", "La Poste", "LP-123")


def test_seller_ships_without_carrier_or_tracking(client_as, bob, parcel):
    assert client_as(bob).post(f"/parcels/{parcel.parcel_id}/ship/").status_code == 302
    assert _status(parcel.parcel_id) == "shipped"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"tracking_code": "AB 12<script>"}, "Use letters, digits and - only."),
        ({"carrier": "<b>"}, "Use letters, digits, spaces and - . &amp; &#x27; only."),
        ({"tracking_code": "X" * 10_000}, "at most 64 characters"),
    ],
)
def test_bad_ship_input_is_a_400_beside_the_field_and_nothing_ships(client_as, bob, parcel, data, error):
    prefix = f"ship-{parcel.parcel_id}"

    response = client_as(bob).post(f"/parcels/{parcel.parcel_id}/ship/", {f"{prefix}-{k}": v for k, v in data.items()})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert _status(parcel.parcel_id) == "awaiting_shipment"


def test_shipping_after_the_ship_by_date_is_a_409(client_as, bob, parcel):
    Parcel.objects.filter(pk=parcel.parcel_id).update(ship_by=timezone.now() - timedelta(minutes=1))

    response = client_as(bob).post(f"/parcels/{parcel.parcel_id}/ship/")

    assert response.status_code == 409
    assert "The ship-by date has passed" in response.content.decode()
    assert _status(parcel.parcel_id) == "awaiting_shipment"


def test_buyer_cannot_ship_and_seller_cannot_ship_twice_differently(client_as, alice, bob, parcel):
    refused = client_as(alice).post(f"/parcels/{parcel.parcel_id}/ship/")
    assert refused.status_code == 403
    assert "Only the seller can do this." in refused.content.decode()
    assert _status(parcel.parcel_id) == "awaiting_shipment"


def test_seller_cancels_with_a_reason_and_the_buyer_is_refunded(client_as, alice, bob, parcel, item_stock):
    before = balance(alice)
    prefix = f"cancel-{parcel.parcel_id}"

    response = client_as(bob).post(f"/parcels/{parcel.parcel_id}/cancel/", {f"{prefix}-reason": "Broke it"})

    assert response.status_code == 302
    snapshot = services.get_parcel(parcel_id=parcel.parcel_id)
    assert (snapshot.status, snapshot.refunded_amount) == ("refunded", parcel.total)
    assert balance(alice) - before == parcel.total
    assert item_stock(parcel.lines[0].item_id) == (3, 0)
    body = client_as(bob).get("/sales/?status=refunded").content.decode()
    assert "CN-" in body and "credit-note" not in body  # the number, but the download is the buyer's


def test_sales_page_query_count_is_constant(client_as, alice, bob, make_item, checkout, django_assert_num_queries):
    _, first = _paid(checkout, alice, (make_item(bob), 1))
    services.cancel_parcel(parcel_id=first[0].parcel_id, actor_id=bob.user_id)
    _, second = _paid(checkout, alice, (make_item(bob), 1))
    services.ship_parcel(parcel_id=second[0].parcel_id, seller_id=bob.user_id)
    client = client_as(bob)
    expected = _queries(lambda: client.get("/sales/"))
    for _ in range(4):
        _, more = _paid(checkout, alice, (make_item(bob), 1), (make_item(bob, quantity=2), 2))
        services.ship_parcel(parcel_id=more[0].parcel_id, seller_id=bob.user_id)
        _, refunded = _paid(checkout, alice, (make_item(bob), 1))
        services.cancel_parcel(parcel_id=refunded[0].parcel_id, actor_id=bob.user_id)
    _paid(checkout, alice, (make_item(bob), 1))

    with django_assert_num_queries(expected + 0):
        client.get("/sales/")


def test_parcels_api_query_count_is_constant(api_as, alice, bob, make_item, checkout, django_assert_num_queries):
    # parcel_snapshots() once prefetched history only for querysets, and the API passes
    # it a paginated page (a list): one more query per parcel.
    _paid(checkout, alice, (make_item(bob), 1))
    client = api_as(bob)
    expected = _queries(lambda: client.get("/api/v1/parcels/?role=seller"))
    for _ in range(3):
        _paid(checkout, alice, (make_item(bob), 1))

    with django_assert_num_queries(expected):
        assert client.get("/api/v1/parcels/?role=seller").json()["count"] == 4


# --- The credit note page (payments' view, a refunded parcel's) ------------------------------


def test_buyer_downloads_the_credit_note_pdf_from_the_order_page(
    client_as, api_as, alice, bob, make_user, parcel, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_parcel(parcel_id=parcel.parcel_id, actor_id=bob.user_id, reason="Out of stock")
    client = client_as(alice)
    page = client.get(f"/orders/{parcel.order_id}/").content.decode()
    assert f'href="/parcels/{parcel.parcel_id}/credit-note/"' in page
    assert "0 of 1 parcel received, 1 refunded." in page

    response = client.get(f"/parcels/{parcel.parcel_id}/credit-note/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "CN-" in response["Content-Disposition"]
    # The seller and strangers get a 404, like other people's invoices.
    assert client_as(bob).get(f"/parcels/{parcel.parcel_id}/credit-note/").status_code == 404
    eve = make_user("eve")
    assert client_as(eve).get(f"/parcels/{parcel.parcel_id}/credit-note/").status_code == 404
    for someone, expected in ((alice, 200), (bob, 404), (eve, 404)):
        assert api_as(someone).get(f"/api/v1/parcels/{parcel.parcel_id}/credit-note/").status_code == expected


def test_credit_note_page_is_a_202_while_the_pdf_is_generated(client_as, alice, bob, parcel):
    services.cancel_parcel(parcel_id=parcel.parcel_id, actor_id=bob.user_id)  # no on-commit: never rendered
    client = client_as(alice)

    response = client.get(f"/parcels/{parcel.parcel_id}/credit-note/")

    assert response.status_code == 202
    assert "is being generated" in response.content.decode()
    fragment = client.get(f"/parcels/{parcel.parcel_id}/credit-note/status/").content.decode()
    assert "Credit note: generating…" in fragment


def test_no_credit_note_before_a_refund(client_as, alice, parcel):
    assert client_as(alice).get(f"/parcels/{parcel.parcel_id}/credit-note/").status_code == 404
