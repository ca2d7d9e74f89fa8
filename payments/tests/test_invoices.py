"""Invoices: numbering, snapshot, rendering, retries (DESIGN §2 Invoices).

settle_order is driven directly with InvoiceDrafts built here (orders builds them in
production); users come from the real sign-up service, transfers are real.
"""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils import timezone
from kombu.exceptions import OperationalError
from pypdf import PdfReader

from accounts import services as accounts_services
from outbox import services as outbox_services
from payments import pdf, services, tasks
from payments.models import Invoice, InvoiceCounter, Transfer
from shop.common.lines import SaleLine

_order_ids = count(1000)


def draft_for(buyer, lines, *, order_id: int | None = None, paid_at: datetime | None = None):
    """An InvoiceDraft: lines are (seller, title, quantity, unit price) tuples."""
    return services.InvoiceDraft(
        order_id=order_id or next(_order_ids),
        buyer_id=buyer.user_id,
        lines=tuple(
            SaleLine(
                item_id=index + 1, seller_id=seller.user_id, title=title, quantity=quantity, unit_price=Decimal(price)
            )
            for index, (seller, title, quantity, price) in enumerate(lines)
        ),
        paid_at=paid_at or timezone.now(),
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def invoice_pdf_bytes(invoice_id: int) -> bytes:
    with default_storage.open(Invoice.objects.get(pk=invoice_id).pdf.name, "rb") as handle:
        return handle.read()


# --- Opening ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_settle_order_opens_a_pending_invoice_with_an_immutable_snapshot(make_user, assert_money_invariants):
    buyer, bob, carol = make_user("buyer"), make_user("bob"), make_user("carol")
    paid_at = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
    draft = draft_for(
        buyer,
        [(bob, "Brass lamp", 2, "12.50"), (carol, "Oak stool", 1, "40.00"), (bob, "Lamp shade", 1, "5.25")],
        order_id=77,
        paid_at=paid_at,
    )

    settlement = services.settle_order(draft=draft)

    invoice = Invoice.objects.get()
    assert settlement.invoice_id == invoice.pk
    assert settlement.buyer_balance == Decimal("929.75")
    assert (invoice.number, invoice.year, invoice.sequence) == ("INV-2026-000001", 2026, 1)
    assert (invoice.order_id, invoice.buyer_id, invoice.total, invoice.paid_at) == (
        77,
        buyer.user_id,
        Decimal("70.25"),
        paid_at,
    )
    assert invoice.status == "pending"  # rendered on commit, which this test does not run
    assert invoice.snapshot == {
        "number": "INV-2026-000001",
        "order_id": 77,
        "paid_at": "2026-03-14T15:09:26+00:00",
        "buyer": {"user_id": buyer.user_id, "username": "buyer", "email": "buyer@example.com", "name": "buyer"},
        "sellers": [
            {"user_id": bob.user_id, "username": "bob", "email": "bob@example.com", "name": "bob", "total": "30.25"},
            {
                "user_id": carol.user_id,
                "username": "carol",
                "email": "carol@example.com",
                "name": "carol",
                "total": "40.00",
            },
        ],
        "lines": [
            {
                "item_id": 1,
                "seller_id": bob.user_id,
                "seller_username": "bob",
                "title": "Brass lamp",
                "quantity": 2,
                "unit_price": "12.50",
                "line_total": "25.00",
            },
            {
                "item_id": 2,
                "seller_id": carol.user_id,
                "seller_username": "carol",
                "title": "Oak stool",
                "quantity": 1,
                "unit_price": "40.00",
                "line_total": "40.00",
            },
            {
                "item_id": 3,
                "seller_id": bob.user_id,
                "seller_username": "bob",
                "title": "Lamp shade",
                "quantity": 1,
                "unit_price": "5.25",
                "line_total": "5.25",
            },
        ],
        "total": "70.25",
    }
    assert InvoiceCounter.objects.get(year=2026).last_number == 1
    assert_money_invariants()


@pytest.mark.django_db
def test_snapshot_does_not_follow_later_profile_changes(make_user):
    buyer, bob = make_user("buyer"), make_user("bob")
    services.settle_order(draft=draft_for(buyer, [(bob, "Kettle", 1, "9.00")]))

    accounts_services.update_profile(user_id=buyer.user_id, email="new@example.com", first_name="Bea")

    assert Invoice.objects.get().snapshot["buyer"]["email"] == "buyer@example.com"
    assert Invoice.objects.get().snapshot["buyer"]["name"] == "buyer"


@pytest.mark.django_db
def test_an_invoice_row_refuses_to_be_changed_or_deleted(make_user):
    buyer, bob = make_user("buyer"), make_user("bob")
    services.settle_order(draft=draft_for(buyer, [(bob, "Kettle", 1, "9.00")]))
    invoice = Invoice.objects.get()

    invoice.total = Decimal("1.00")
    with pytest.raises(ValueError, match="immutable"):
        invoice.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        invoice.delete()

    assert Invoice.objects.get().total == Decimal("9.00")


@pytest.mark.django_db
def test_numbers_follow_each_other_and_restart_each_year(make_user):
    buyer, bob = make_user("buyer"), make_user("bob")
    dates = [datetime(2025, 12, 31, 23, 59, tzinfo=UTC), *[datetime(2026, 1, 1, 0, n, tzinfo=UTC) for n in range(3)]]

    for paid_at in dates:
        services.settle_order(draft=draft_for(buyer, [(bob, "Spoon", 1, "1.00")], paid_at=paid_at))

    assert list(Invoice.objects.order_by("pk").values_list("number", flat=True)) == [
        "INV-2025-000001",
        "INV-2026-000001",
        "INV-2026-000002",
        "INV-2026-000003",
    ]
    assert dict(InvoiceCounter.objects.values_list("year", "last_number")) == {2025: 1, 2026: 3}


@pytest.mark.django_db
def test_a_refused_payment_takes_no_number_and_changes_nothing(make_user, assert_money_invariants):
    buyer, bob = make_user("buyer"), make_user("bob")
    services.settle_order(draft=draft_for(buyer, [(bob, "Chair", 1, "100.00")]))
    transfers_before = Transfer.objects.count()

    with pytest.raises(services.InsufficientFunds):
        services.settle_order(draft=draft_for(buyer, [(bob, "Piano", 1, "5000.00")]))
    services.settle_order(draft=draft_for(buyer, [(bob, "Table", 1, "50.00")]))

    assert list(Invoice.objects.order_by("pk").values_list("sequence", flat=True)) == [1, 2]
    assert Transfer.objects.count() == transfers_before + 1
    assert services.get_wallet(user_id=buyer.user_id).balance == Decimal("850.00")
    assert_money_invariants()


@pytest.mark.django_db
def test_a_second_settlement_of_the_same_order_is_refused_whole(make_user, assert_money_invariants):
    buyer, bob = make_user("buyer"), make_user("bob")
    draft = draft_for(buyer, [(bob, "Chair", 1, "100.00")])
    services.settle_order(draft=draft)

    with pytest.raises(IntegrityError):
        services.settle_order(draft=draft)

    assert services.get_wallet(user_id=buyer.user_id).balance == Decimal("900.00")
    assert Invoice.objects.count() == 1
    assert InvoiceCounter.objects.get().last_number == 1
    assert_money_invariants()


# --- Rendering -------------------------------------------------------------------------


@pytest.mark.django_db
def test_on_commit_renders_a_pdf_holding_number_total_and_titles(
    make_user, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buyer, bob, carol = make_user("buyer"), make_user("bob"), make_user("carol")
    services.top_up(user_id=buyer.user_id, amount=Decimal("1000"))
    draft = draft_for(
        buyer,
        [(bob, "Brass lamp", 2, "612.50"), (carol, "Oak stool", 1, "40.00"), (bob, "Tea & <biscuits>", 3, "1.10")],
        paid_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        settlement = services.settle_order(draft=draft)

    assert len(callbacks) == 1
    invoice = Invoice.objects.get(pk=settlement.invoice_id)
    assert invoice.status == "ready"
    assert invoice.attempts == 1
    assert invoice.render_seconds > 0
    assert invoice.pdf.name.startswith("invoices/2026/INV-2026-000001-")
    assert (tmp_path / invoice.pdf.name).is_file()
    content = invoice_pdf_bytes(invoice.pk)
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4 portrait, in points
    assert round(float(reader.pages[0].mediabox.height)) == 842
    text = pdf_text(content)
    for expected in (
        "INV-2026-000001",
        "1,268.30 cr",  # the total, as the shop writes credits
        "Brass lamp",
        "Oak stool",
        "Tea & <biscuits>",
        "612.50 cr",
        "1,225.00 cr",
        f"Order #{draft.order_id}",
        "1 May 2026",
        "buyer@example.com",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_a_long_invoice_flows_onto_numbered_pages(make_user, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buyer, bob = make_user("buyer"), make_user("bob")
    lines = [(bob, f"Postcard number {n}", 1, "0.50") for n in range(80)]

    with django_capture_on_commit_callbacks(execute=True):
        settlement = services.settle_order(draft=draft_for(buyer, lines))

    reader = PdfReader(io.BytesIO(invoice_pdf_bytes(settlement.invoice_id)))
    assert len(reader.pages) >= 2
    assert "Page 2" in reader.pages[1].extract_text()
    assert "Postcard number 79" in pdf_text(invoice_pdf_bytes(settlement.invoice_id))


@pytest.mark.django_db
def test_render_is_idempotent_once_ready(make_user, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buyer, bob = make_user("buyer"), make_user("bob")
    with django_capture_on_commit_callbacks(execute=True):
        settlement = services.settle_order(draft=draft_for(buyer, [(bob, "Kettle", 1, "9.00")]))
    before = Invoice.objects.values("pdf", "attempts", "rendered_at").get(pk=settlement.invoice_id)

    assert tasks.render_invoice_task.delay(settlement.invoice_id).get() == "ready"

    assert Invoice.objects.values("pdf", "attempts", "rendered_at").get(pk=settlement.invoice_id) == before
    assert len(list((tmp_path / "invoices" / str(timezone.now().year)).iterdir())) == 1


@pytest.mark.django_db
def test_a_failed_render_is_marked_failed_then_the_sweep_recovers_it(
    make_user, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    buyer, bob = make_user("buyer"), make_user("bob")
    real_render = pdf.render_invoice_pdf

    def broken(**kwargs):
        raise pdf.PdfRenderError("xhtml2pdf reported 1 error(s)")

    monkeypatch.setattr(pdf, "render_invoice_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        settlement = services.settle_order(draft=draft_for(buyer, [(bob, "Kettle", 1, "9.00")]))

    invoice = Invoice.objects.get(pk=settlement.invoice_id)
    assert invoice.status == "failed"
    # Eager Celery raises the task's Retry instead of replaying it (the on-commit guard
    # logs it), so one attempt is recorded here; the sweep below is the safety net.
    assert invoice.attempts == 1
    assert invoice.last_error == "PdfRenderError: xhtml2pdf reported 1 error(s)"
    assert invoice.pdf.name == ""
    assert services.get_wallet(user_id=buyer.user_id).balance == Decimal("991.00")  # the payment stands

    monkeypatch.setattr(pdf, "render_invoice_pdf", real_render)
    assert services.retry_pending_invoices() == 1

    invoice = Invoice.objects.get(pk=settlement.invoice_id)
    assert (invoice.status, invoice.attempts, invoice.last_error) == ("ready", 2, "")
    assert "INV-" in pdf_text(invoice_pdf_bytes(invoice.pk))


@pytest.mark.django_db
def test_broker_down_at_payment_leaves_it_pending_until_the_sweep(
    make_user, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    buyer, bob = make_user("buyer"), make_user("bob")

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(outbox_services.tasks.relay_outbox_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        settlement = services.settle_order(draft=draft_for(buyer, [(bob, "Kettle", 1, "9.00")]))
    monkeypatch.undo()

    assert Invoice.objects.get(pk=settlement.invoice_id).status == "pending"
    # The render request committed with the payment and waits in the outbox for the relay.
    [request] = outbox_services.list_messages(topic="payments.invoice_render_requested")
    assert (request.status, request.payload) == ("pending", {"invoice_id": settlement.invoice_id})
    assert services.retry_pending_invoices() == 0  # queued under a minute ago: not yet stale

    assert services.retry_pending_invoices(now=timezone.now() + timedelta(seconds=61)) == 1

    assert Invoice.objects.get(pk=settlement.invoice_id).status == "ready"


@pytest.mark.django_db
def test_the_sweep_leaves_ready_and_freshly_queued_invoices_alone(make_user, django_capture_on_commit_callbacks):
    buyer, bob = make_user("buyer"), make_user("bob")
    with django_capture_on_commit_callbacks(execute=True):
        services.settle_order(draft=draft_for(buyer, [(bob, "Kettle", 1, "9.00")]))  # ready
    services.settle_order(draft=draft_for(buyer, [(bob, "Cup", 1, "2.00")]))  # pending, just queued
    stale = draft_for(buyer, [(bob, "Jug", 1, "3.00")])
    stale_id = services.settle_order(draft=stale).invoice_id
    Invoice.objects.filter(pk=stale_id).update(queued_at=timezone.now() - timedelta(minutes=5))

    assert tasks.retry_pending_invoices_task.delay().get() == 1

    assert Invoice.objects.get(pk=stale_id).status == "ready"
    assert sorted(Invoice.objects.values_list("status", flat=True)) == ["pending", "ready", "ready"]


@pytest.mark.django_db
def test_rerender_replaces_the_file_from_the_same_snapshot(
    make_user, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buyer, bob = make_user("buyer"), make_user("bob")
    with django_capture_on_commit_callbacks(execute=True):
        invoice_id = services.settle_order(draft=draft_for(buyer, [(bob, "Kettle", 1, "9.00")])).invoice_id
    old_name = Invoice.objects.get(pk=invoice_id).pdf.name

    with django_capture_on_commit_callbacks(execute=True):
        assert services.rerender_invoices(invoice_ids=[invoice_id, 999_999]) == 1

    invoice = Invoice.objects.get(pk=invoice_id)
    assert invoice.status == "ready"
    assert invoice.pdf.name != old_name
    assert not default_storage.exists(old_name)
    assert "Kettle" in pdf_text(invoice_pdf_bytes(invoice_id))


@pytest.mark.django_db
def test_a_lost_file_is_rendered_again_on_download(make_user, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buyer, bob = make_user("buyer"), make_user("bob")
    with django_capture_on_commit_callbacks(execute=True):
        draft = draft_for(buyer, [(bob, "Kettle", 1, "9.00")])
        services.settle_order(draft=draft)
    default_storage.delete(Invoice.objects.get().pdf.name)
    document = services.get_invoice_for_user(order_id=draft.order_id, user_id=buyer.user_id)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.open_invoice_pdf(document=document) is None

    document = services.get_invoice_for_user(order_id=draft.order_id, user_id=buyer.user_id)
    with services.open_invoice_pdf(document=document) as handle:
        assert handle.read().startswith(b"%PDF-")


@pytest.mark.django_db
def test_unknown_invoice_id_is_skipped_by_the_task():
    assert tasks.render_invoice_task.delay(123_456).get() == "skipped"


# --- Reading ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_invoice_statuses_for_many_orders_in_one_query(make_user, django_assert_num_queries):
    buyer, bob = make_user("buyer"), make_user("bob")
    drafts = [draft_for(buyer, [(bob, f"Thing {n}", 1, "1.00")]) for n in range(3)]
    ids = [services.settle_order(draft=d).invoice_id for d in drafts]
    Invoice.objects.filter(pk=ids[1]).update(status="ready")

    with django_assert_num_queries(1):
        statuses = services.get_invoice_statuses(order_ids=[d.order_id for d in drafts] + [5])

    year = timezone.now().year
    assert statuses == {
        drafts[0].order_id: services.InvoiceStatus(drafts[0].order_id, ids[0], f"INV-{year}-000001", "pending"),
        drafts[1].order_id: services.InvoiceStatus(drafts[1].order_id, ids[1], f"INV-{year}-000002", "ready"),
        drafts[2].order_id: services.InvoiceStatus(drafts[2].order_id, ids[2], f"INV-{year}-000003", "pending"),
    }


@pytest.mark.django_db
def test_only_the_buyer_and_moderators_may_read_an_invoice(make_user, moderator):
    buyer, bob = make_user("buyer"), make_user("bob")
    draft = draft_for(buyer, [(bob, "Kettle", 1, "9.00")])
    services.settle_order(draft=draft)

    assert services.get_invoice_for_user(order_id=draft.order_id, user_id=buyer.user_id).order_id == draft.order_id
    assert services.get_invoice_for_user(order_id=draft.order_id, user_id=moderator.user_id).status == "pending"
    with pytest.raises(services.InvoiceNotFound):
        services.get_invoice_for_user(order_id=draft.order_id, user_id=bob.user_id)  # the seller is not the buyer
    with pytest.raises(services.InvoiceNotFound):
        services.get_invoice_for_user(order_id=draft.order_id + 1, user_id=buyer.user_id)
