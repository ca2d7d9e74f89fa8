"""The ledger's primitives: wallets locked in id order, one transfer with both balance
changes. Private to payments (services, escrow and invoices build on it)."""

from collections.abc import Collection, Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from payments.models import Transfer, Wallet
from shop.common.errors import DomainError, NotFoundError


class InsufficientFunds(DomainError):
    code = "insufficient_funds"
    default_detail = "Your wallet balance is too low for this payment."


class WalletNotFound(NotFoundError):
    default_detail = "No such wallet."


def wallet_id_of(*, user_id: int) -> int:
    wallet_id = Wallet.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    if wallet_id is None:
        raise WalletNotFound()
    return wallet_id


def wallet_ids_of(*, user_ids: Collection[int]) -> dict[int, int]:
    """{user id: wallet id} in one query; raises WalletNotFound if one is missing."""
    found = dict(Wallet.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "pk"))
    if len(found) != len(set(user_ids)):
        raise WalletNotFound()
    return found


def treasury_id() -> int:
    treasury = Wallet.objects.filter(kind=Wallet.Kind.TREASURY).values_list("pk", flat=True).first()
    if treasury is not None:
        return treasury
    try:
        with transaction.atomic():
            return Wallet.objects.create(kind=Wallet.Kind.TREASURY).pk
    except IntegrityError:
        # Another process created it first; the partial unique index keeps one.
        return Wallet.objects.get(kind=Wallet.Kind.TREASURY).pk


def lock_wallets(wallet_ids: Iterable[int]) -> dict[int, Decimal]:
    """SELECT ... FOR UPDATE in id order; returns the balances read under the lock."""
    rows = Wallet.objects.select_for_update().filter(pk__in=list(wallet_ids)).order_by("pk")
    return {pk: balance for pk, balance in rows.values_list("pk", "balance")}


def move(
    *,
    source_id: int,
    destination_id: int,
    amount: Decimal,
    kind: str,
    reference: str = "",
    memo: str = "",
    actor_id: int | None = None,
) -> int:
    """Write one ledger line and both balance changes; must run inside a transaction.

    The debit is a conditional update, so even without a lock a user wallet can never
    go below zero; the CheckConstraint is the last guard.
    """
    debited = (
        Wallet.objects.filter(pk=source_id)
        .filter(Q(kind=Wallet.Kind.TREASURY) | Q(balance__gte=amount))
        .update(balance=F("balance") - amount)
    )
    if not debited:
        raise InsufficientFunds()
    Wallet.objects.filter(pk=destination_id).update(balance=F("balance") + amount)
    return Transfer.objects.create(
        source_id=source_id,
        destination_id=destination_id,
        amount=amount,
        kind=kind,
        reference=reference,
        memo=memo,
        actor_id=actor_id,
    ).pk
