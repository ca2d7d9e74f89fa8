"""Public interface of payments: wallets, the ledger, transfers, top-ups and invoices.

Every movement of credits is a Transfer between two wallets, written in the same
transaction as the two balance updates, so each balance always equals its ledger sum.
Lock order (STYLE §2.5): wallets are always locked in ascending id order.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum

from payments import escrow, invoices, ledger
from payments.escrow import (  # noqa: F401 - re-exported: the public escrow surface
    CREDIT_NOTE_RENDER_REQUESTED,
    CreditNoteDocument,
    CreditNoteNotFound,
    HoldAlreadySettled,
    HoldNotFound,
    HoldRequest,
    HoldSettlement,
    HoldStatus,
    get_credit_note,
    get_credit_note_numbers,
    get_escrow_balance,
    get_held,
    get_held_total,
    open_credit_note_pdf,
    refund_hold,
    release_hold,
    render_credit_note,
)
from payments.invoices import (  # noqa: F401 - re-exported: the public invoice surface
    InvoiceDocument,
    InvoiceDraft,
    InvoiceNotFound,
    InvoiceRenderFailed,
    InvoiceStatus,
    get_invoice_for_user,
    get_invoice_statuses,
    open_invoice_pdf,
    render_invoice,
    rerender_invoices,
    retry_pending_invoices,
)
from payments.ledger import InsufficientFunds, WalletNotFound
from payments.models import Transfer, Wallet
from shop.common.errors import InvalidInput
from shop.common.money import InvalidAmount, to_money
from shop.common.pagination import MappedRows
from shop.common.transactions import joined

TransferKind = Transfer.Kind


@dataclass(frozen=True, slots=True)
class WalletSummary:
    wallet_id: int
    user_id: int | None
    balance: Decimal
    # Credits in escrow for the user's unsettled parcels as a seller: read only by
    # get_wallet_overview (the wallet page and API), so other reads stay one query.
    held: Decimal = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A transfer as seen from one wallet: amount is negative when credits left it."""

    transfer_id: int
    kind: str
    amount: Decimal
    counterparty_user_id: int | None
    reference: str
    memo: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TransferReceipt:
    transfer_ids: tuple[int, ...]
    payer_balance: Decimal


# --- Wallets -------------------------------------------------------------------------


def open_wallet(*, user_id: int) -> WalletSummary:
    """Open a user's wallet with WALLET_OPENING_BALANCE from the treasury.

    Joins the caller's transaction (accounts creates the user in it). Idempotent.
    """
    treasury_id = ledger.treasury_id()
    with joined():
        wallet, created = Wallet.objects.get_or_create(user_id=user_id, defaults={"kind": Wallet.Kind.USER})
        opening = to_money(settings.WALLET_OPENING_BALANCE)
        if not created:
            return WalletSummary(wallet_id=wallet.pk, user_id=user_id, balance=wallet.balance)
        if opening > 0:
            ledger.move(
                source_id=treasury_id,
                destination_id=wallet.pk,
                amount=opening,
                kind=TransferKind.OPENING,
                memo="Welcome credit",
            )
    return WalletSummary(wallet_id=wallet.pk, user_id=user_id, balance=max(opening, Decimal("0.00")))


def get_wallet(*, user_id: int) -> WalletSummary:
    """The user's wallet; raises WalletNotFound."""
    wallet = Wallet.objects.filter(user_id=user_id).values("pk", "balance").first()
    if wallet is None:
        raise WalletNotFound()
    return WalletSummary(wallet_id=wallet["pk"], user_id=user_id, balance=wallet["balance"])


def get_wallet_overview(*, user_id: int) -> WalletSummary:
    """The user's wallet with `held` (DESIGN §3 wallet); raises WalletNotFound."""
    wallet = get_wallet(user_id=user_id)
    return WalletSummary(wallet.wallet_id, user_id, wallet.balance, held=get_held(seller_id=user_id))


def list_ledger(*, user_id: int, limit: int | None = None) -> MappedRows:
    """The user's ledger, newest first, as a lazily evaluated queryset of dicts.

    Returned lazily so the API and pages can paginate it in the database.
    """
    wallet = get_wallet(user_id=user_id)
    rows = (
        Transfer.objects.filter(Q(source_id=wallet.wallet_id) | Q(destination_id=wallet.wallet_id))
        .order_by("-created_at", "-pk")
        .values(
            "pk",
            "kind",
            "amount",
            "reference",
            "memo",
            "created_at",
            "source_id",
            "destination_id",
            "source__user_id",
            "destination__user_id",
        )
    )
    return MappedRows(rows[:limit] if limit else rows, partial(_ledger_entry, wallet_id=wallet.wallet_id))


def _ledger_entry(row: dict, *, wallet_id: int) -> LedgerEntry:
    outgoing = row["source_id"] == wallet_id
    return LedgerEntry(
        transfer_id=row["pk"],
        kind=row["kind"],
        amount=-row["amount"] if outgoing else row["amount"],
        counterparty_user_id=row["destination__user_id"] if outgoing else row["source__user_id"],
        reference=row["reference"],
        memo=row["memo"],
        created_at=row["created_at"],
    )


# --- Movements ----------------------------------------------------------------------


def read_amount(value, *, field: str = "amount", maximum: Decimal | None = None) -> Decimal:
    """Validate a user-supplied amount: a positive number of credits with at most 2 places."""
    try:
        amount = to_money(value)
    except InvalidAmount as exc:
        raise InvalidInput("Enter an amount of credits, such as 25.00.", field=field) from exc
    if Decimal(str(value)).as_tuple().exponent < -2:
        raise InvalidInput("Use at most two decimal places.", field=field)
    if amount <= 0:
        raise InvalidInput("The amount must be greater than zero.", field=field)
    if maximum is not None and amount > maximum:
        raise InvalidInput(f"The amount may be at most {maximum}.", field=field)
    return amount


def top_up(*, user_id: int, amount: Decimal) -> WalletSummary:
    """Credit a user's wallet from the treasury: 0 < amount <= 10000 (DESIGN §2).

    Own transaction; locks treasury and wallet in id order. Raises InvalidInput, WalletNotFound.
    """
    amount = read_amount(amount, maximum=settings.WALLET_TOP_UP_MAX)
    wallet = get_wallet(user_id=user_id)
    treasury_id = ledger.treasury_id()
    with transaction.atomic():
        balances = ledger.lock_wallets([treasury_id, wallet.wallet_id])
        ledger.move(
            source_id=treasury_id,
            destination_id=wallet.wallet_id,
            amount=amount,
            kind=TransferKind.TOP_UP,
            memo="Top-up",
            actor_id=user_id,
        )
    # The balance read under the lock plus what moved: no second read.
    return WalletSummary(wallet_id=wallet.wallet_id, user_id=user_id, balance=balances[wallet.wallet_id] + amount)


def transfer(
    *,
    payer_id: int,
    payees: Mapping[int, Decimal],
    kind: str = TransferKind.PAYMENT,
    reference: str = "",
    memo: str = "",
    actor_id: int | None = None,
) -> TransferReceipt:
    """Move credits from one user's wallet to several users' wallets, all or nothing.

    Locks every wallet involved in ascending id order (so concurrent transfers cannot
    deadlock), then re-checks the payer's balance under the lock. Joins the caller's
    transaction when there is one (orders pays inside its own).
    Raises InsufficientFunds, WalletNotFound, InvalidInput.
    """
    amounts = {payee_id: read_amount(value) for payee_id, value in payees.items() if payee_id != payer_id}
    if not amounts:
        raise InvalidInput("Nothing to transfer.", field="amount")
    wallet_ids = dict(Wallet.objects.filter(user_id__in=[payer_id, *amounts]).values_list("user_id", "pk"))
    if len(wallet_ids) != len(amounts) + 1:
        raise WalletNotFound()
    total = sum(amounts.values(), Decimal("0.00"))
    with joined():
        locked = ledger.lock_wallets(wallet_ids.values())
        if locked[wallet_ids[payer_id]] < total:
            raise InsufficientFunds(balance=str(locked[wallet_ids[payer_id]]), required=str(total))
        transfer_ids = tuple(
            ledger.move(
                source_id=wallet_ids[payer_id],
                destination_id=wallet_ids[payee_id],
                amount=amount,
                kind=kind,
                reference=reference,
                memo=memo,
                actor_id=actor_id,
            )
            for payee_id, amount in sorted(amounts.items())
        )
    return TransferReceipt(transfer_ids=transfer_ids, payer_balance=locked[wallet_ids[payer_id]] - total)


def adjust_wallet(*, user_id: int, amount: Decimal, memo: str, actor_id: int) -> WalletSummary:
    """A moderator's correction: a ledger transfer between the treasury and the user.

    A positive amount credits the user, a negative one debits them (never below zero).
    Raises InsufficientFunds, InvalidInput, WalletNotFound.
    """
    signed = to_money(amount)
    if signed == 0:
        raise InvalidInput("An adjustment cannot be zero.", field="amount")
    if not memo.strip():
        raise InvalidInput("Say why the wallet is adjusted.", field="memo")
    wallet = get_wallet(user_id=user_id)
    treasury_id = ledger.treasury_id()
    with transaction.atomic():
        locked = ledger.lock_wallets([wallet.wallet_id, treasury_id])
        if signed < 0 and locked[wallet.wallet_id] < -signed:
            raise InsufficientFunds("The wallet holds less than the debit.")
        source, destination = (treasury_id, wallet.wallet_id) if signed > 0 else (wallet.wallet_id, treasury_id)
        ledger.move(
            source_id=source,
            destination_id=destination,
            amount=abs(signed),
            kind=TransferKind.ADJUSTMENT,
            memo=memo.strip(),
            actor_id=actor_id,
        )
    return WalletSummary(wallet_id=wallet.wallet_id, user_id=user_id, balance=locked[wallet.wallet_id] + signed)


# --- Orders --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settlement:
    """What paying an order wrote (and the parties' usernames it read), so the caller can
    answer without reading them back."""

    transfer_ids: tuple[int, ...]
    buyer_balance: Decimal
    invoice: InvoiceStatus
    usernames: Mapping[int, str]

    @property
    def invoice_id(self) -> int:
        return self.invoice.invoice_id


def settle_order(*, draft: InvoiceDraft, holds: Sequence[HoldRequest] = ()) -> Settlement:
    """Pay an order: move the buyer's money into escrow, one hold per seller, open the invoice.

    `holds` names each seller's share (orders: one per parcel); without it each seller's
    lines' total is held under "order:<id>:seller:<id>". Must run inside the caller's
    transaction (orders.pay_order), after the order row and the items are locked:
    wallets are locked next, in id order, the invoice counter last. Raises
    InsufficientFunds (nothing changed). Called outside a transaction (tests, scripts) it
    still commits or rolls back as one.
    """
    holds = holds or [
        HoldRequest(reference=f"order:{draft.order_id}:seller:{seller_id}", seller_id=seller_id, amount=amount)
        for seller_id, amount in draft.seller_totals.items()
    ]
    with joined():
        transfer_id, buyer_balance = escrow.hold_payment(order_id=draft.order_id, buyer_id=draft.buyer_id, holds=holds)
        invoice = invoices.open_invoice(draft=draft)
    return Settlement(
        transfer_ids=(transfer_id,), buyer_balance=buyer_balance, invoice=invoice.status, usernames=invoice.usernames
    )


# --- Audit ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerAudit:
    total_balance: Decimal
    wallets_checked: int
    mismatched_wallet_ids: tuple[int, ...]
    negative_wallet_ids: tuple[int, ...]
    escrow_balance: Decimal = Decimal("0.00")
    held_total: Decimal = Decimal("0.00")

    @property
    def consistent(self) -> bool:
        return (
            self.total_balance == 0
            and not self.mismatched_wallet_ids
            and not self.negative_wallet_ids
            and self.escrow_balance == self.held_total
        )


def audit_ledger() -> LedgerAudit:
    """Check the money invariants: balances equal ledger sums, none negative, sum zero,
    and escrow holds exactly the shares not yet settled."""
    incoming = dict(
        Transfer.objects.values("destination_id").annotate(s=Sum("amount")).values_list("destination_id", "s")
    )
    outgoing = dict(Transfer.objects.values("source_id").annotate(s=Sum("amount")).values_list("source_id", "s"))
    wallets = list(Wallet.objects.values_list("pk", "kind", "balance"))
    zero = Decimal("0.00")
    mismatched = tuple(pk for pk, _, bal in wallets if bal != incoming.get(pk, zero) - outgoing.get(pk, zero))
    negative = tuple(pk for pk, kind, bal in wallets if kind != Wallet.Kind.TREASURY and bal < 0)
    return LedgerAudit(
        total_balance=sum((bal for _, _, bal in wallets), zero),
        wallets_checked=len(wallets),
        mismatched_wallet_ids=mismatched,
        negative_wallet_ids=negative,
        escrow_balance=sum((bal for _, kind, bal in wallets if kind == Wallet.Kind.ESCROW), zero),
        held_total=get_held_total(),
    )
