"""Invoices (DESIGN §2 Invoices): numbering, snapshot, rendering, retry sweep, download.

Split out of services.py for length (STYLE §2.1); payments.services re-exports every
public name here, and other apps import them from there only.

Life of an invoice: settle_order() calls open_invoice() inside the pay transaction, which
also writes the render request to the outbox (delivered at least once to
render_requested_invoice_task); render_invoice() turns the snapshot into a PDF in
storage (pending -> ready, or -> failed); the beat sweep re-queues stale pending and
failed ones, so a lost message or a broker outage never leaves a paid order without one.
"""

import logging
import secrets
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import services as accounts_services
from outbox import services as outbox_services
from payments import pdf, tasks
from payments.models import Invoice, InvoiceCounter
from shop.common import metrics
from shop.common.errors import NotFoundError
from shop.common.lines import SaleLine, lines_total, seller_shares
from shop.common.transactions import joined

logger = logging.getLogger(__name__)

# The outbox topic of render requests; its consumer is render_requested_invoice_task (apps.py).
RENDER_REQUESTED = "payments.invoice_render_requested"

# A pending invoice whose task was queued longer ago than this is re-queued by the sweep.
RETRY_AFTER = timedelta(seconds=60)
SWEEP_BATCH_SIZE = 500


# --- Public data ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """What orders hands over when an order is paid: the invoice's immutable content."""

    order_id: int
    buyer_id: int
    lines: tuple[SaleLine, ...]
    paid_at: datetime

    @property
    def total(self) -> Decimal:
        return lines_total(self.lines)

    @property
    def seller_totals(self) -> dict[int, Decimal]:
        return seller_shares(self.lines)


@dataclass(frozen=True, slots=True)
class InvoiceStatus:
    order_id: int
    invoice_id: int
    number: str
    status: str  # pending | ready | failed


@dataclass(frozen=True, slots=True)
class OpenedInvoice:
    """What opening an invoice wrote and read: its status, and the usernames of the buyer
    and sellers it read for the snapshot (the pay answer shows them, issue 16)."""

    status: InvoiceStatus
    usernames: Mapping[int, str]


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """An invoice as its downloader sees it."""

    invoice_id: int
    order_id: int
    number: str
    status: str
    file_name: str

    @property
    def ready(self) -> bool:
        return self.status == Invoice.Status.READY and bool(self.file_name)

    @property
    def download_name(self) -> str:
        return f"{self.number}.pdf"


class InvoiceNotFound(NotFoundError):
    default_detail = "No invoice for this order."


class InvoiceRenderFailed(Exception):
    """Rendering or storing the PDF failed; the invoice is marked failed for a retry."""


# --- Opening (inside the pay transaction) --------------------------------------------


def open_invoice(*, draft: InvoiceDraft) -> OpenedInvoice:
    """Number and snapshot the invoice of a paid order (pending).

    Must run inside the pay transaction, after the wallets are locked: the per-year
    counter row is locked last (STYLE §2.5) and held until commit, which is what makes
    numbers gap-free (a rolled-back payment gives its number back). The render task is
    queued on commit. A second invoice for the same order violates the unique order_id,
    which rolls the whole payment back: the database's last guard against paying twice.
    """
    seller_ids = sorted(draft.seller_totals)
    accounts = accounts_services.get_accounts(user_ids={draft.buyer_id, *seller_ids})
    paid_at = timezone.localtime(draft.paid_at)
    with joined():
        sequence = _next_sequence(year=paid_at.year)
        number = f"INV-{paid_at.year}-{sequence:06d}"
        snapshot = _snapshot(draft=draft, number=number, accounts=accounts, seller_ids=seller_ids)
        invoice = Invoice.objects.create(
            order_id=draft.order_id,
            buyer_id=draft.buyer_id,
            year=paid_at.year,
            sequence=sequence,
            number=number,
            total=draft.total,
            paid_at=draft.paid_at,
            snapshot=snapshot,
            queued_at=timezone.now(),
        )
        request_render(invoice_id=invoice.pk)
    return OpenedInvoice(
        status=InvoiceStatus(order_id=draft.order_id, invoice_id=invoice.pk, number=number, status=invoice.status),
        usernames={user_id: account.username for user_id, account in accounts.items()},
    )


def request_render(*, invoice_id: int) -> None:
    """Ask for an invoice's PDF through the outbox, inside the transaction that opened or
    reset it: the request commits with the invoice, so a broker outage cannot lose it."""
    outbox_services.publish(topic=RENDER_REQUESTED, payload={"invoice_id": invoice_id}, key=f"invoice:{invoice_id}")


def _next_sequence(*, year: int) -> int:
    """Take the year's next number: one UPDATE … RETURNING, whose row lock (held until
    commit) is what keeps the numbers gap-free; the last lock of the pay transaction."""
    number = _increment(year)
    if number is None:
        # First invoice of the year: ON CONFLICT DO NOTHING lets concurrent first payers
        # meet on one row (the loser waits for the winner's commit, then increments it).
        InvoiceCounter.objects.bulk_create([InvoiceCounter(year=year)], ignore_conflicts=True)
        number = _increment(year)
    return number


def _increment(year: int) -> int | None:
    table = InvoiceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number", [year]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _snapshot(*, draft: InvoiceDraft, number: str, accounts: dict, seller_ids: list[int]) -> dict:
    """Everything the PDF shows, frozen at payment time (amounts as strings: JSON, no floats)."""

    def party(user_id: int) -> dict:
        account = accounts.get(user_id)
        if account is None:
            return {"user_id": user_id, "username": f"user {user_id}", "email": "", "name": f"user {user_id}"}
        full_name = f"{account.first_name} {account.last_name}".strip()
        return {
            "user_id": user_id,
            "username": account.username,
            "email": account.email,
            "name": full_name or account.username,
        }

    seller_totals = draft.seller_totals
    sellers = [{**party(seller_id), "total": str(seller_totals[seller_id])} for seller_id in seller_ids]
    usernames = {seller["user_id"]: seller["username"] for seller in sellers}
    return {
        "number": number,
        "order_id": draft.order_id,
        "paid_at": draft.paid_at.isoformat(),
        "buyer": party(draft.buyer_id),
        "sellers": sellers,
        "lines": [{**line.to_json(), "seller_username": usernames[line.seller_id]} for line in draft.lines],
        "total": str(draft.total),
    }


def _enqueue_render(invoice_id: int) -> None:
    try:
        tasks.render_invoice_task.delay(invoice_id)
    except Exception:
        # Broker down or unreachable (kombu/redis raise several types): the payment is
        # committed and must not turn into an error; the invoice stays pending and the
        # beat sweep re-queues it (DESIGN §2: a broker outage never loses an invoice).
        logger.warning("could not queue the render of invoice %s; the retry sweep will", invoice_id, exc_info=True)


# --- Rendering (the Celery task's work) -----------------------------------------------


def render_invoice(*, invoice_id: int) -> str:
    """Render an invoice's PDF into storage; returns the status it ends in.

    Idempotent: an invoice already ready with its file present is left alone. Own
    transaction; the invoice row is locked with SKIP LOCKED while rendering, so a
    duplicate task (sweep plus original) skips instead of rendering twice.
    Raises InvoiceRenderFailed after marking the invoice failed, for the task to retry.
    """
    return render_document(
        model=Invoice,
        document_id=invoice_id,
        render=pdf.render_invoice_pdf,
        folder="invoices",
        observe=metrics.observe_invoice_render,
    )


def render_document(*, model, document_id: int, render, folder: str, observe=None) -> str:
    """Render a stored document (an invoice or a credit note: the same rendering columns)
    from its snapshot into storage; see render_invoice for the guarantees."""
    error: Exception | None = None
    with transaction.atomic():
        document = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=document_id)
            .only("pk", "number", "year", "status", "pdf", "snapshot")
            .first()
        )
        if document is None:
            return "skipped"  # unknown id, or another worker is rendering it right now
        if document.status == Invoice.Status.READY and document.pdf.name and default_storage.exists(document.pdf.name):
            return document.status
        started = time.perf_counter()
        try:
            content = render(snapshot=document.snapshot)
            if document.pdf.name:
                default_storage.delete(document.pdf.name)
            name = default_storage.save(_file_name(document, folder=folder), ContentFile(content))
        except Exception as exc:
            # Anything (template, xhtml2pdf, storage, the soft time limit) ends the same
            # way: recorded as failed, then re-raised for the task's retry policy.
            error = exc
            model.objects.filter(pk=document_id).update(
                status=Invoice.Status.FAILED,
                attempts=F("attempts") + 1,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
        else:
            seconds = time.perf_counter() - started
            model.objects.filter(pk=document_id).update(
                status=Invoice.Status.READY,
                pdf=name,
                attempts=F("attempts") + 1,
                last_error="",
                render_seconds=seconds,
                rendered_at=timezone.now(),
            )
            if observe:
                observe(seconds=seconds)
    if error is not None:
        raise InvoiceRenderFailed(f"{model.__name__.lower()} {document_id}: {error}") from error
    return Invoice.Status.READY


def _file_name(document, *, folder: str) -> str:
    # A random part keeps the path unguessable should the media folder ever be served
    # (Django serves MEDIA_URL in DEBUG); downloads go through the authorised views.
    return f"{folder}/{document.year}/{document.number}-{secrets.token_hex(8)}.pdf"


def retry_pending_invoices(*, now: datetime | None = None) -> int:
    """Re-queue failed invoices and pending ones queued over a minute ago; returns how many.

    The beat sweep (INVOICE_RETRY_SWEEP_SECONDS). Bounded per run; the oldest go first.
    """
    now = now or timezone.now()
    stale = now - RETRY_AFTER
    invoice_ids = list(
        Invoice.objects.filter(Q(status=Invoice.Status.FAILED) | Q(status=Invoice.Status.PENDING, queued_at__lt=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
    )
    if not invoice_ids:
        return 0
    Invoice.objects.filter(pk__in=invoice_ids).update(queued_at=now)
    for invoice_id in invoice_ids:
        _enqueue_render(invoice_id)
    return len(invoice_ids)


def rerender_invoices(*, invoice_ids: Collection[int]) -> int:
    """Render invoices again from their unchanged snapshots (moderators' admin action).

    Marks them pending (downloads answer "pending" meanwhile) and queues each on
    commit; the old file is replaced by the task. Returns how many were queued.
    """
    with transaction.atomic():
        ids = list(Invoice.objects.filter(pk__in=invoice_ids).order_by("pk").values_list("pk", flat=True))
        Invoice.objects.filter(pk__in=ids).update(status=Invoice.Status.PENDING, queued_at=timezone.now())
        for invoice_id in ids:
            request_render(invoice_id=invoice_id)
    return len(ids)


# --- Reading --------------------------------------------------------------------------


def get_invoice_statuses(*, order_ids: Collection[int]) -> dict[int, InvoiceStatus]:
    """Invoice number and status for many orders in one query, keyed by order id.

    Orders without an invoice (not paid) are absent.
    """
    rows = Invoice.objects.filter(order_id__in=list(order_ids)).values_list("order_id", "pk", "number", "status")
    return {
        order_id: InvoiceStatus(order_id=order_id, invoice_id=pk, number=number, status=status)
        for order_id, pk, number, status in rows
    }


def get_invoice_for_user(*, order_id: int, user_id: int) -> InvoiceDocument:
    """The invoice of an order, for its buyer or a moderator (DESIGN §2: nobody else).

    Authorised against the invoice's own buyer snapshot. Raises InvoiceNotFound when the
    order has no invoice or the user may not see it (404, never 403: DESIGN §3).
    """
    row = (
        Invoice.objects.filter(order_id=order_id)
        .values("pk", "order_id", "buyer_id", "number", "status", "pdf")
        .first()
    )
    if row is None:
        raise InvoiceNotFound()
    if row["buyer_id"] != user_id and not accounts_services.is_moderator(user_id=user_id):
        raise InvoiceNotFound()
    return InvoiceDocument(
        invoice_id=row["pk"], order_id=row["order_id"], number=row["number"], status=row["status"], file_name=row["pdf"]
    )


def open_invoice_pdf(*, document: InvoiceDocument) -> File | None:
    """The stored PDF of a ready invoice, opened for reading; the caller closes it.

    If the file has vanished from storage, the invoice goes back to pending, a render is
    queued, and None is returned (the caller answers "pending").
    """
    if not document.ready:
        return None
    try:
        return default_storage.open(document.file_name, "rb")
    except FileNotFoundError:
        logger.warning("invoice %s lost its file %s; rendering it again", document.number, document.file_name)
        rerender_invoices(invoice_ids=[document.invoice_id])
        return None
