"""Invoice downloads: API, pages, the htmx status fragment and the admin (DESIGN §2-§4)."""

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfReader

from payments import services
from payments.models import Invoice
from payments.tests.test_invoices import draft_for, pdf_text


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def paid(make_user, django_capture_on_commit_callbacks, media):
    """A paid order of 'buyer' from 'seller', its invoice rendered (on commit, eager Celery)."""
    buyer, seller = make_user("buyer"), make_user("seller")
    draft = draft_for(
        buyer,
        [(seller, "Walnut desk", 1, "240.00"), (seller, "Desk lamp", 2, "19.99")],
        paid_at=datetime(2026, 6, 2, 10, 0, tzinfo=UTC),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.settle_order(draft=draft)
    return buyer, seller, draft


@pytest.fixture
def pending(make_user, media):
    """A paid order whose invoice is still pending (the on-commit render never ran)."""
    buyer, seller = make_user("buyer"), make_user("seller")
    draft = draft_for(buyer, [(seller, "Walnut desk", 1, "240.00")])
    services.settle_order(draft=draft)
    return buyer, seller, draft


def api_url(order_id: int) -> str:
    return f"/api/v1/orders/{order_id}/invoice/"


# --- API -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_buyer_downloads_the_pdf(api_as, paid):
    buyer, _, draft = paid

    response = api_as(buyer).get(api_url(draft.order_id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="INV-2026-000001.pdf"'
    content = b"".join(response.streaming_content)
    text = pdf_text(content)
    assert "INV-2026-000001" in text
    assert "279.98 cr" in text
    assert "Walnut desk" in text and "Desk lamp" in text


@pytest.mark.django_db
def test_a_client_asking_for_pdf_gets_it_not_406(api_as, paid):
    buyer, _, draft = paid

    response = api_as(buyer).get(api_url(draft.order_id), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_moderators_may_download_any_invoice(api_as, paid, moderator):
    _, _, draft = paid

    response = api_as(moderator).get(api_url(draft.order_id))

    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages) == 1


@pytest.mark.django_db
def test_pending_and_failed_invoices_answer_202(api_as, pending):
    buyer, _, draft = pending
    client = api_as(buyer)

    assert client.get(api_url(draft.order_id)).status_code == 202
    assert client.get(api_url(draft.order_id)).json() == {"status": "pending"}
    Invoice.objects.update(status="failed")  # failed is retried by the sweep: still "pending" to the client
    assert client.get(api_url(draft.order_id)).json() == {"status": "pending"}


@pytest.mark.django_db
def test_someone_elses_invoice_is_404_even_for_its_seller(api_as, paid, make_user):
    _, seller, draft = paid
    stranger = make_user("stranger")

    for account in (seller, stranger):
        response = api_as(account).get(api_url(draft.order_id))
        assert response.status_code == 404
        assert response.json() == {"detail": "No invoice for this order.", "code": "not_found"}


@pytest.mark.django_db
def test_an_order_without_invoice_is_404(api_as, alice):
    response = api_as(alice).get(api_url(424242))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_invoice_api_needs_authentication(api_client, paid):
    _, _, draft = paid

    assert api_client.get(api_url(draft.order_id)).status_code == 401


@pytest.mark.django_db
def test_end_to_end_pay_through_the_api_gives_a_downloadable_invoice(
    api_as, make_user, make_item, django_capture_on_commit_callbacks, media
):
    buyer, seller = make_user("buyer"), make_user("seller")
    item_id = make_item(seller, title="Copper kettle", price="35.50", quantity=3)
    client = api_as(buyer)
    assert client.post("/api/v1/cart/lines/", {"item_id": item_id, "quantity": 2}).status_code == 201
    order = client.post("/api/v1/orders/").json()
    assert order["status"] == "awaiting_payment"
    assert client.get(api_url(order["id"])).status_code == 404  # not paid yet

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(f"/api/v1/orders/{order['id']}/pay/")

    assert paid.status_code == 200
    assert paid.json()["invoice"]["status"] in {"pending", "ready"}  # read before the on-commit render
    response = client.get(api_url(order["id"]))
    assert response.status_code == 200
    text = pdf_text(b"".join(response.streaming_content))
    invoice = Invoice.objects.get(order_id=order["id"])
    assert invoice.number in text
    assert "71.00 cr" in text
    assert "Copper kettle" in text
    assert services.get_wallet(user_id=buyer.user_id).balance == Decimal("929.00")
    assert client.get(f"/api/v1/orders/{order['id']}/").json()["invoice"]["status"] == "ready"


# --- Pages -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_download_page_serves_the_attachment(client_as, paid):
    buyer, _, draft = paid

    response = client_as(buyer).get(f"/orders/{draft.order_id}/invoice/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="INV-2026-000001.pdf"'


@pytest.mark.django_db
def test_download_page_while_pending_polls_for_the_link(client_as, pending):
    buyer, _, draft = pending

    response = client_as(buyer).get(f"/orders/{draft.order_id}/invoice/")

    assert response.status_code == 202
    html = response.content.decode()
    assert "Invoice: generating…" in html
    assert f'hx-get="/orders/{draft.order_id}/invoice/status/"' in html


@pytest.mark.django_db
def test_status_fragment_polls_every_two_seconds_while_pending(client_as, pending, django_assert_num_queries):
    buyer, _, draft = pending
    client = client_as(buyer)
    client.get(f"/orders/{draft.order_id}/invoice/status/")  # warm the session

    with django_assert_num_queries(3):  # session, user, invoice
        response = client.get(f"/orders/{draft.order_id}/invoice/status/")

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith('<div id="invoice-status"')
    assert f'hx-get="/orders/{draft.order_id}/invoice/status/"' in html
    assert 'hx-trigger="every 2s"' in html
    assert 'hx-swap="outerHTML"' in html
    assert "Invoice: generating…" in html
    assert "Download" not in html


@pytest.mark.django_db
def test_status_fragment_offers_the_download_when_ready(client_as, paid):
    buyer, _, draft = paid

    html = client_as(buyer).get(f"/orders/{draft.order_id}/invoice/status/").content.decode()

    assert f'href="/orders/{draft.order_id}/invoice/"' in html
    assert "Download invoice INV-2026-000001" in html
    assert "hx-trigger" not in html  # polling stops


@pytest.mark.django_db
def test_pages_hide_other_peoples_invoices_and_need_login(client, client_as, paid, make_user):
    _, seller, draft = paid

    for path in (f"/orders/{draft.order_id}/invoice/", f"/orders/{draft.order_id}/invoice/status/"):
        assert client.get(path).status_code == 302  # anonymous: to the login page
        assert client_as(seller).get(path).status_code == 404
        client.logout()


@pytest.mark.django_db
def test_download_page_refuses_post(client_as, paid):
    buyer, _, draft = paid

    assert client_as(buyer).post(f"/orders/{draft.order_id}/invoice/").status_code == 405


# --- Admin -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_moderators_list_invoices_and_rerender_them(client_as, paid, moderator, django_capture_on_commit_callbacks):
    client = client_as(moderator)
    invoice = Invoice.objects.get()
    old_name = invoice.pdf.name

    listing = client.get("/admin/payments/invoice/")
    assert listing.status_code == 200
    assert "INV-2026-000001" in listing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/payments/invoice/", {"action": "rerender", "_selected_action": [invoice.pk]}, follow=True
        )

    assert response.status_code == 200
    assert "1 invoice(s) queued for rendering." in response.content.decode()
    invoice = Invoice.objects.get()
    assert invoice.status == "ready"
    assert invoice.pdf.name != old_name
    assert invoice.attempts == 2


@pytest.mark.django_db
def test_invoices_admin_is_read_only(client_as, paid, moderator):
    client = client_as(moderator)
    invoice = Invoice.objects.get()

    assert client.get("/admin/payments/invoice/add/").status_code == 403
    assert client.post(f"/admin/payments/invoice/{invoice.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Invoice.objects.count() == 1


@pytest.mark.django_db
def test_moderators_group_has_the_view_invoice_right(moderator):
    user = get_user_model().objects.get(pk=moderator.user_id)

    assert user.has_perm("payments.view_invoice")
    assert not user.has_perm("payments.change_invoice")
