"""A live Celery worker on Redis renders invoices, even after a broker outage at payment time."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from kombu import Connection, pools
from pypdf import PdfReader

from payments import services
from payments.models import Invoice
from payments.tests.test_invoices import draft_for, pdf_text
from shop.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def status_of(invoice_id: int) -> str:
    return Invoice.objects.get(pk=invoice_id).status


def test_the_live_worker_renders_the_invoice_queued_on_commit(celery_worker, make_user, eventually):
    buyer, seller = make_user("buyer"), make_user("seller")

    settlement = services.settle_order(draft=draft_for(buyer, [(seller, "Mantel clock", 1, "120.00")]))

    assert eventually(lambda: status_of(settlement.invoice_id) == "ready", timeout=30)
    invoice = Invoice.objects.get(pk=settlement.invoice_id)
    assert invoice.attempts == 1
    with default_storage.open(invoice.pdf.name, "rb") as handle:
        content = handle.read()
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    text = pdf_text(content)
    assert invoice.number in text
    assert "120.00 cr" in text
    assert "Mantel clock" in text


def test_a_broker_outage_at_payment_is_healed_by_the_sweep(celery_worker, make_user, eventually, monkeypatch):
    buyer, seller = make_user("buyer"), make_user("seller")
    # Point this process's producers at a broker that refuses connections, as if Redis
    # were down when the payment committed.
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", pools.producers[Connection(UNREACHABLE_BROKER)])

    settlement = services.settle_order(draft=draft_for(buyer, [(seller, "Mantel clock", 1, "120.00")]))

    monkeypatch.undo()  # the broker is back
    assert status_of(settlement.invoice_id) == "pending"  # the payment committed, no task went out
    assert services.get_wallet(user_id=buyer.user_id).balance == 880
    assert not eventually(lambda: status_of(settlement.invoice_id) != "pending", timeout=2)

    # The beat sweep's work, a minute later: re-queue it; the live worker renders it.
    assert services.retry_pending_invoices(now=timezone.now() + timedelta(seconds=90)) == 1

    assert eventually(lambda: status_of(settlement.invoice_id) == "ready", timeout=30)
    with default_storage.open(Invoice.objects.get(pk=settlement.invoice_id).pdf.name, "rb") as handle:
        assert "Mantel clock" in pdf_text(handle.read())


def worker_backends() -> set[int]:
    """Process ids of the other PostgreSQL sessions on the test database: the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_the_worker_renders_on_one_database_connection(celery_worker, make_user, eventually):
    # A new PostgreSQL connection per task cost about 6 ms of each ~35 ms invoice.
    buyer, seller = make_user("buyer"), make_user("seller")
    first = services.settle_order(draft=draft_for(buyer, [(seller, "Mantel clock", 1, "120.00")]))
    assert eventually(lambda: status_of(first.invoice_id) == "ready", timeout=30)
    after_first = worker_backends()

    second = services.settle_order(draft=draft_for(buyer, [(seller, "Barometer", 1, "80.00")]))
    assert eventually(lambda: status_of(second.invoice_id) == "ready", timeout=30)

    assert len(after_first) == 1
    assert worker_backends() == after_first
