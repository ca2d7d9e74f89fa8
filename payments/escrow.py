"""Escrow (DESIGN §2 Fulfilment and buyer protection): holds, releases, refunds, credit notes.

Split out of services.py for length; payments.services re-exports the public names.

Paying moves the buyer's money into an escrow wallet with one hold per seller (orders
calls it a parcel). Settling a hold moves its amount out exactly once: all of it to the
seller (release), or the refund to the buyer and any remainder to the seller (refund),
with a gap-free credit note CN-YYYY-NNNNNN whose PDF is rendered through the outbox like
an invoice. Escrow's balance always equals the sum of held amounts (audit_ledger checks).

Lock order (STYLE §2.5), after the caller's own rows (order, parcel, items): the hold
row, then wallets by id, then the credit note counter.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from accounts import services as accounts_services
from outbox import services as outbox_services
from payments import ledger, pdf
from payments.invoices import render_document
from payments.models import CreditNote, CreditNoteCounter, Hold, Transfer, Wallet
from shop.common.errors import DomainError, InvalidInput, NotFoundError
from shop.common.lines import SaleLine, lines_to_json
from shop.common.transactions import joined

ZERO = Decimal("0.00")

# The outbox topic of credit note renders; its consumer is render_requested_credit_note_task.
CREDIT_NOTE_RENDER_REQUESTED = "payments.credit_note_render_requested"

HoldStatus = Hold.Status


@dataclass(frozen=True, slots=True)
class HoldRequest:
    """What orders asks escrow to hold for one seller when an order is paid."""

    reference: str
    seller_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class HoldSettlement:
    reference: str
    status: str
    released: Decimal
    refunded: Decimal
    credit_note_id: int | None
    credit_note_number: str


@dataclass(frozen=True, slots=True)
class CreditNoteDocument:
    credit_note_id: int
    number: str
    status: str
    amount: Decimal
    file_name: str

    @property
    def ready(self) -> bool:
        return self.status == CreditNote.Status.READY and bool(self.file_name)

    @property
    def download_name(self) -> str:
        return f"{self.number}.pdf"


class HoldNotFound(NotFoundError):
    default_detail = "No such escrow hold."


class HoldAlreadySettled(DomainError):
    code = "invalid_status"
    default_detail = "This payment was already settled."


class CreditNoteNotFound(NotFoundError):
    default_detail = "No credit note for this parcel."


# --- Holding (inside the pay transaction) -----------------------------------------------


def hold_payment(*, order_id: int, buyer_id: int, holds: Sequence[HoldRequest]) -> tuple[int, Decimal]:
    """Move the order's total from the buyer into escrow and record one hold per seller.

    Must run inside the pay transaction, after the order and items are locked: locks
    the buyer's wallet and the order's escrow shard in id order, then re-checks the
    balance. Returns (transfer id, the buyer's balance afterwards) — read under the lock,
    so callers need not read the wallet again. Raises InsufficientFunds (nothing changed).
    """
    total = sum((hold.amount for hold in holds), ZERO)
    shard = order_id % settings.ESCROW_SHARDS
    with joined():
        # One statement finds and locks both rows, in id order (no lookups first).
        rows = _lock_buyer_and_escrow(buyer_id=buyer_id, shard=shard)
        if not any(user_id is None for _, user_id, _ in rows):
            open_escrow_shards()
            rows = _lock_buyer_and_escrow(buyer_id=buyer_id, shard=shard)
        buyer_wallet_id, buyer_balance = next((pk, bal) for pk, user_id, bal in rows if user_id == buyer_id)
        escrow_id = next(pk for pk, user_id, _ in rows if user_id is None)
        if buyer_balance < total:
            raise ledger.InsufficientFunds(balance=str(buyer_balance), required=str(total))
        transfer_id = ledger.move(
            source_id=buyer_wallet_id,
            destination_id=escrow_id,
            amount=total,
            kind=Transfer.Kind.PAYMENT,
            reference=f"order:{order_id}",
            memo=f"Order #{order_id} (held in escrow)",
            actor_id=buyer_id,
        )
        Hold.objects.bulk_create(
            Hold(
                reference=hold.reference,
                order_id=order_id,
                escrow_id=escrow_id,
                buyer_id=buyer_id,
                seller_id=hold.seller_id,
                amount=hold.amount,
            )
            for hold in holds
        )
    return transfer_id, buyer_balance - total


def _lock_buyer_and_escrow(*, buyer_id: int, shard: int) -> list[tuple[int, int | None, Decimal]]:
    wallets = Wallet.objects.select_for_update().filter(Q(user_id=buyer_id) | Q(kind=Wallet.Kind.ESCROW, shard=shard))
    rows = list(wallets.order_by("pk").values_list("pk", "user_id", "balance"))
    if not any(user_id == buyer_id for _, user_id, _ in rows):
        raise ledger.WalletNotFound()
    return rows


def open_escrow_shards() -> None:
    """Create the ESCROW_SHARDS escrow wallets that do not exist yet, all at once (the
    first payment of a new database, or after the setting grew). ON CONFLICT DO NOTHING
    lets concurrent first payments meet on the same rows."""
    Wallet.objects.bulk_create(
        [Wallet(kind=Wallet.Kind.ESCROW, shard=shard) for shard in range(settings.ESCROW_SHARDS)],
        ignore_conflicts=True,
    )


# --- Settling ---------------------------------------------------------------------------


def release_hold(*, reference: str, actor_id: int | None) -> HoldSettlement:
    """Pay a held share out to its seller (the parcel completed).

    Joins the caller's transaction. Locks the hold, then escrow and the seller's wallet.
    Raises HoldNotFound, HoldAlreadySettled (nothing moves twice).
    """
    with joined():
        hold = _lock_held(reference)
        _pay_out(hold, to_user_id=hold.seller_id, amount=hold.amount, kind=Transfer.Kind.RELEASE, actor_id=actor_id)
        _settle(hold, status=HoldStatus.RELEASED, refunded=ZERO)
    return HoldSettlement(reference, HoldStatus.RELEASED, hold.amount, ZERO, None, "")


def refund_hold(
    *, reference: str, amount: Decimal, actor_id: int | None, reason: str, lines: Sequence[SaleLine] = ()
) -> HoldSettlement:
    """Refund `amount` (0 < amount <= the hold) to the buyer; the rest goes to the seller.

    Issues a gap-free credit note in the same transaction and requests its PDF through
    the outbox. Joins the caller's transaction. Lock order: hold, wallets by id, credit
    note counter. Raises HoldNotFound, HoldAlreadySettled, InvalidInput (amount).
    """
    with joined():
        hold = _lock_held(reference)
        if not ZERO < amount <= hold.amount:
            raise InvalidInput(f"A refund must be more than 0 and at most {hold.amount}.", field="amount")
        remainder = hold.amount - amount
        ledger.lock_wallets([hold.escrow_id, *ledger.wallet_ids_of(user_ids=[hold.buyer_id, hold.seller_id]).values()])
        _pay_out(
            hold, to_user_id=hold.buyer_id, amount=amount, kind=Transfer.Kind.REFUND, actor_id=actor_id, locked=True
        )
        if remainder:
            _pay_out(
                hold,
                to_user_id=hold.seller_id,
                amount=remainder,
                kind=Transfer.Kind.RELEASE,
                actor_id=actor_id,
                locked=True,
            )
        _settle(hold, status=HoldStatus.REFUNDED, refunded=amount)
        note = _open_credit_note(hold=hold, amount=amount, reason=reason, lines=lines)
    return HoldSettlement(reference, HoldStatus.REFUNDED, remainder, amount, note.pk, note.number)


def _lock_held(reference: str) -> Hold:
    hold = Hold.objects.select_for_update().filter(reference=reference).first()
    if hold is None:
        raise HoldNotFound()
    if hold.status != HoldStatus.HELD:
        raise HoldAlreadySettled()
    return hold


def _pay_out(hold: Hold, *, to_user_id: int, amount: Decimal, kind: str, actor_id, locked: bool = False) -> int:
    destination_id = ledger.wallet_id_of(user_id=to_user_id)
    if not locked:
        ledger.lock_wallets([hold.escrow_id, destination_id])
    return ledger.move(
        source_id=hold.escrow_id,
        destination_id=destination_id,
        amount=amount,
        kind=kind,
        reference=hold.reference,
        memo=f"Order #{hold.order_id}: {'refund' if kind == Transfer.Kind.REFUND else 'released from escrow'}",
        actor_id=actor_id,
    )


def _settle(hold: Hold, *, status: str, refunded: Decimal) -> None:
    hold.status = status
    hold.refunded_amount = refunded
    hold.settled_at = timezone.now()
    hold.save(update_fields=["status", "refunded_amount", "settled_at"])


# --- Credit notes -----------------------------------------------------------------------


def _open_credit_note(*, hold: Hold, amount: Decimal, reason: str, lines: Sequence[SaleLine]) -> CreditNote:
    now = timezone.localtime()
    counter = CreditNoteCounter.objects.select_for_update().filter(year=now.year).first()
    if counter is None:
        CreditNoteCounter.objects.bulk_create([CreditNoteCounter(year=now.year)], ignore_conflicts=True)
        counter = CreditNoteCounter.objects.select_for_update().get(year=now.year)
    CreditNoteCounter.objects.filter(year=now.year).update(last_number=F("last_number") + 1)
    sequence = counter.last_number + 1
    number = f"CN-{now.year}-{sequence:06d}"
    accounts = accounts_services.get_accounts(user_ids={hold.buyer_id, hold.seller_id})
    note = CreditNote.objects.create(
        hold=hold,
        order_id=hold.order_id,
        buyer_id=hold.buyer_id,
        year=now.year,
        sequence=sequence,
        number=number,
        amount=amount,
        snapshot={
            "number": number,
            "order_id": hold.order_id,
            "reference": hold.reference,
            "issued_at": now.isoformat(),
            "buyer": _party(accounts, hold.buyer_id),
            "seller": _party(accounts, hold.seller_id),
            "lines": lines_to_json(lines),
            "held": str(hold.amount),
            "amount": str(amount),
            "reason": reason,
        },
    )
    outbox_services.publish(
        topic=CREDIT_NOTE_RENDER_REQUESTED, payload={"credit_note_id": note.pk}, key=f"credit_note:{note.pk}"
    )
    return note


def _party(accounts: dict, user_id: int) -> dict:
    account = accounts.get(user_id)
    name = account.username if account else f"user {user_id}"
    return {"user_id": user_id, "username": name, "email": account.email if account else ""}


def render_credit_note(*, credit_note_id: int) -> str:
    """Render a credit note's PDF (idempotent, like render_invoice). Raises InvoiceRenderFailed."""
    return render_document(
        model=CreditNote, document_id=credit_note_id, render=pdf.render_credit_note_pdf, folder="credit-notes"
    )


def get_credit_note(*, reference: str, user_id: int) -> CreditNoteDocument:
    """The credit note of a refunded hold, for its buyer or a moderator (404 to others)."""
    row = (
        CreditNote.objects.filter(hold__reference=reference)
        .values("pk", "buyer_id", "number", "status", "amount", "pdf")
        .first()
    )
    if row is None or (row["buyer_id"] != user_id and not accounts_services.is_moderator(user_id=user_id)):
        raise CreditNoteNotFound()
    return CreditNoteDocument(row["pk"], row["number"], row["status"], row["amount"], row["pdf"])


def open_credit_note_pdf(*, document: CreditNoteDocument) -> File | None:
    """The stored PDF of a ready credit note, opened for reading (the caller closes it);
    None while it is pending, or when its file vanished (a render is requested again)."""
    if not document.ready:
        return None
    try:
        return default_storage.open(document.file_name, "rb")
    except FileNotFoundError:
        with transaction.atomic():
            CreditNote.objects.filter(pk=document.credit_note_id).update(status=CreditNote.Status.PENDING)
            outbox_services.publish(
                topic=CREDIT_NOTE_RENDER_REQUESTED,
                payload={"credit_note_id": document.credit_note_id},
                key=f"credit_note:{document.credit_note_id}",
            )
        return None


def get_credit_note_numbers(*, references: Collection[str]) -> dict[str, str]:
    """Credit note numbers by hold reference, one query (for parcel lists)."""
    return dict(
        CreditNote.objects.filter(hold__reference__in=list(references)).values_list("hold__reference", "number")
    )


# --- Reading ----------------------------------------------------------------------------


def get_held(*, seller_id: int) -> Decimal:
    """Credits held in escrow for the seller's unsettled parcels (the wallet's `held`)."""
    return Hold.objects.filter(seller_id=seller_id, status=HoldStatus.HELD).aggregate(s=Sum("amount"))["s"] or ZERO


def get_escrow_balance() -> Decimal:
    return Wallet.objects.filter(kind=Wallet.Kind.ESCROW).aggregate(s=Sum("balance"))["s"] or ZERO


def get_held_total() -> Decimal:
    return Hold.objects.filter(status=HoldStatus.HELD).aggregate(s=Sum("amount"))["s"] or ZERO
