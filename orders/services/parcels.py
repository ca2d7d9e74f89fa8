"""Fulfilment and buyer protection (DESIGN §2): parcels from payment to settlement.

A paid order gets one parcel per seller; the buyer's money waits in a payments escrow
hold ("parcel:<id>") until the parcel settles:
completed releases it to the seller, refunded returns it (or part of it) to the buyer.

Every action locks the parcel row first (then items, then payments' hold and wallets:
the global lock order of STYLE §2.5), re-reads status and deadline under the lock, and
records the transition with the reason that names the action. So racing actions end with
one winner; the others get InvalidStatus (409 invalid_status), and an action repeated on
a parcel it already moved returns the parcel unchanged (idempotent 200).
"""

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from statistics import median

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum, prefetch_related_objects
from django.utils import timezone

from accounts import services as accounts_services
from catalogue import services as catalogue_services
from orders import events
from orders.constants import (
    REASON_AUTO_COMPLETED,
    REASON_CANCELLED_BY_SELLER,
    REASON_CONFIRMED,
    REASON_DISPUTED,
    REASON_NOT_SHIPPED,
    REASON_PARCEL_OPENED,
    REASON_REFUNDED_BY_MODERATOR,
    REASON_RELEASED_BY_MODERATOR,
    REASON_SHIPPED,
    DisputeReason,
    ParcelStatus,
)
from orders.models import Order, OrderLine, Parcel, ParcelHistory
from orders.services.data import (
    DeadlinePassed,
    HistoryEntry,
    InvalidStatus,
    NotAllowed,
    ParcelNotFound,
    ParcelSnapshot,
    ParcelSweep,
    SellerFulfilment,
)
from orders.services.reads import sale_line
from outbox import services as outbox_services
from payments import services as payments_services
from shop.common import metrics
from shop.common.errors import InvalidInput
from shop.common.lines import SaleLine, seller_shares
from shop.common.money import to_money
from shop.common.transactions import service_transaction

CARRIER_MAX = 50
TRACKING_MAX = 64
DISPUTE_MESSAGE_MAX = 2000
REASON_TEXT_MAX = 500
# Carrier names are words ("La Poste", "DHL Express", "Royal Mail 24"); tracking codes are
# letters, digits and dashes on every carrier we know. Anything else is a typo or an attack.
CARRIER_PATTERN = re.compile(r"[\w][\w .&'-]*", re.UNICODE)
TRACKING_PATTERN = re.compile(r"[A-Za-z0-9-]+")
ALLOWED = {CARRIER_PATTERN: "letters, digits, spaces and - . & '", TRACKING_PATTERN: "letters, digits and -"}

SWEEP_BATCH_SIZE = 200


# --- Opening (inside the pay transaction) -----------------------------------------------


def open_parcels(*, order: Order, lines: Sequence[SaleLine], at: datetime) -> list[ParcelSnapshot]:
    """Create one parcel per seller of a paid order; returns them as written.

    Runs inside pay_order's transaction, which asks payments for one escrow hold per
    parcel (`hold_requests`). One INSERT for all parcels and one for their history.
    """
    shares = seller_shares(lines)
    ship_by = at + timedelta(days=settings.PARCEL_SHIP_DAYS)
    parcels = Parcel.objects.bulk_create(
        Parcel(
            order=order,
            buyer_id=order.buyer_id,
            seller_id=seller_id,
            total=total,
            created_at=at,
            ship_by=ship_by,
            status_reason=REASON_PARCEL_OPENED,
        )
        for seller_id, total in shares.items()
    )
    opened = ParcelHistory.objects.bulk_create(
        ParcelHistory(
            parcel=parcel,
            from_status="",
            to_status=ParcelStatus.AWAITING_SHIPMENT,
            reason=REASON_PARCEL_OPENED,
            actor_id=order.buyer_id,
            occurred_at=at,
        )
        for parcel in parcels
    )
    return [
        _snapshot_of(parcel, lines=[line for line in lines if line.seller_id == parcel.seller_id], history=[entry])
        for parcel, entry in zip(parcels, opened, strict=True)
    ]


def hold_requests(parcels: Sequence[ParcelSnapshot]) -> list[payments_services.HoldRequest]:
    """The escrow hold of each parcel: its seller's share under "parcel:<id>"."""
    return [
        payments_services.HoldRequest(reference=parcel.hold_reference, seller_id=parcel.seller_id, amount=parcel.total)
        for parcel in parcels
    ]


# --- The seller's actions ----------------------------------------------------------------


def ship_parcel(*, parcel_id: int, seller_id: int, carrier: str = "", tracking_code: str = "") -> ParcelSnapshot:
    """Mark a parcel shipped, before its ship-by deadline; starts the confirm-by clock.

    Raises ParcelNotFound, NotAllowed (not the seller), InvalidStatus, DeadlinePassed,
    InvalidInput (carrier or tracking code). Own transaction.
    """
    carrier = _clean_code(carrier, field="carrier", pattern=CARRIER_PATTERN, limit=CARRIER_MAX)
    tracking_code = _clean_code(tracking_code, field="tracking_code", pattern=TRACKING_PATTERN, limit=TRACKING_MAX)
    with service_transaction():
        parcel = _lock(parcel_id, user_id=seller_id, role="seller")
        if _already(parcel, ParcelStatus.SHIPPED, REASON_SHIPPED):
            return _snapshot_of(parcel)
        _require(parcel, ParcelStatus.AWAITING_SHIPMENT)
        now = timezone.now()
        if now > parcel.ship_by:
            raise DeadlinePassed("The ship-by date has passed; the buyer is being refunded.")
        parcel.carrier, parcel.tracking_code = carrier, tracking_code
        parcel.shipped_at = now
        parcel.confirm_by = now + timedelta(days=settings.PARCEL_CONFIRM_DAYS)
        _transition(parcel, to=ParcelStatus.SHIPPED, reason=REASON_SHIPPED, actor_id=seller_id, at=now)
    return _snapshot_of(parcel)


def cancel_parcel(*, parcel_id: int, actor_id: int, reason: str = "", as_moderator: bool = False) -> ParcelSnapshot:
    """The seller (or a moderator) cancels a parcel not yet shipped: full refund, stock back.

    Raises ParcelNotFound, NotAllowed, InvalidStatus. Own transaction.
    """
    reason_text = _clean_text(reason, field="reason", limit=REASON_TEXT_MAX, required=False)
    with service_transaction():
        parcel = _lock(parcel_id, user_id=actor_id, role="moderator" if as_moderator else "seller")
        if _already(parcel, ParcelStatus.REFUNDED, REASON_CANCELLED_BY_SELLER):
            return _snapshot_of(parcel)
        _require(parcel, ParcelStatus.AWAITING_SHIPMENT)
        _refund(
            parcel,
            amount=parcel.total,
            restock=True,
            reason=REASON_CANCELLED_BY_SELLER,
            note=reason_text or "Cancelled by the seller before shipping",
            actor_id=actor_id,
        )
    return _snapshot_of(parcel)


# --- The buyer's actions -----------------------------------------------------------------


def confirm_parcel(*, parcel_id: int, buyer_id: int) -> ParcelSnapshot:
    """The buyer has the item: the parcel completes and escrow pays the seller.

    Raises ParcelNotFound, NotAllowed (not the buyer), InvalidStatus. Own transaction.
    """
    with service_transaction():
        parcel = _lock(parcel_id, user_id=buyer_id, role="buyer")
        if _already(parcel, ParcelStatus.COMPLETED, REASON_CONFIRMED):
            return _snapshot_of(parcel)
        _require(parcel, ParcelStatus.SHIPPED)
        _complete(parcel, reason=REASON_CONFIRMED, actor_id=buyer_id)
    return _snapshot_of(parcel)


def dispute_parcel(*, parcel_id: int, buyer_id: int, reason: str, message: str) -> ParcelSnapshot:
    """The buyer reports a problem with a shipped parcel, before its confirm-by date.

    Escrow keeps the money until a moderator resolves it. Raises ParcelNotFound,
    NotAllowed, InvalidStatus, DeadlinePassed, InvalidInput. Own transaction.
    """
    if reason not in DisputeReason.values:
        raise InvalidInput(f"Choose one of: {', '.join(DisputeReason.values)}.", field="reason")
    message = _clean_text(message, field="message", limit=DISPUTE_MESSAGE_MAX, required=True)
    with service_transaction():
        parcel = _lock(parcel_id, user_id=buyer_id, role="buyer")
        if _already(parcel, ParcelStatus.DISPUTED, REASON_DISPUTED):
            return _snapshot_of(parcel)
        _require(parcel, ParcelStatus.SHIPPED)
        now = timezone.now()
        if now > parcel.confirm_by:
            raise DeadlinePassed("The time to report a problem with this parcel has passed.")
        parcel.dispute_reason, parcel.dispute_message, parcel.disputed_at = reason, message, now
        _transition(parcel, to=ParcelStatus.DISPUTED, reason=REASON_DISPUTED, actor_id=buyer_id, at=now)
    return _snapshot_of(parcel)


# --- Moderators --------------------------------------------------------------------------


def resolve_dispute(
    *, parcel_id: int, moderator_id: int, outcome: str, amount: Decimal | str | None = None
) -> ParcelSnapshot:
    """A moderator settles a disputed parcel: `release` pays the seller, `refund` returns
    `amount` (default: the whole total; 0 < amount <= total) to the buyer and any
    remainder to the seller, with a credit note.

    Raises NotAllowed (not a moderator), ParcelNotFound, InvalidStatus, InvalidInput.
    Own transaction.
    """
    if outcome not in ("release", "refund"):
        raise InvalidInput("The outcome is either release or refund.", field="outcome")
    with service_transaction():
        parcel = _lock(parcel_id, user_id=moderator_id, role="moderator")
        if outcome == "release":
            if _already(parcel, ParcelStatus.COMPLETED, REASON_RELEASED_BY_MODERATOR):
                return _snapshot_of(parcel)
            _require(parcel, ParcelStatus.DISPUTED)
            _complete(parcel, reason=REASON_RELEASED_BY_MODERATOR, actor_id=moderator_id)
        else:
            if _already(parcel, ParcelStatus.REFUNDED, REASON_REFUNDED_BY_MODERATOR):
                return _snapshot_of(parcel)
            _require(parcel, ParcelStatus.DISPUTED)
            refund = parcel.total if amount in (None, "") else _read_refund(amount, total=parcel.total)
            _refund(
                parcel,
                amount=refund,
                restock=False,  # the item was shipped: it is not back on the shelf
                reason=REASON_REFUNDED_BY_MODERATOR,
                note=f"Dispute resolved by a moderator ({parcel.get_dispute_reason_display().lower()})",
                actor_id=moderator_id,
            )
    return _snapshot_of(parcel)


def _read_refund(value, *, total: Decimal) -> Decimal:
    amount = payments_services.read_amount(value)
    if amount > total:
        raise InvalidInput(f"A refund may be at most the parcel's total, {total}.", field="amount")
    return amount


# --- Deadlines (the beat sweep) ----------------------------------------------------------


def sweep_parcel_deadlines(*, now: datetime | None = None, batch_size: int | None = None) -> ParcelSweep:
    """Refund parcels not shipped by their ship-by date (stock back) and complete shipped
    parcels nobody disputed by their confirm-by date (seller paid).

    Reads a bounded batch of due ids, then settles each in its own short transaction
    that locks the row with SKIP LOCKED (a parcel a person is acting on right now is
    left to them) and re-checks status and deadline under the lock. Idempotent.
    """
    now = now or timezone.now()
    batch_size = batch_size or SWEEP_BATCH_SIZE
    unshipped = Parcel.objects.filter(status=ParcelStatus.AWAITING_SHIPMENT, ship_by__lt=now).order_by("ship_by")
    unconfirmed = Parcel.objects.filter(status=ParcelStatus.SHIPPED, confirm_by__lt=now).order_by("confirm_by")
    refunded = sum(
        _settle_overdue(parcel_id, now=now) for parcel_id in unshipped.values_list("pk", flat=True)[:batch_size]
    )
    completed = sum(
        _settle_overdue(parcel_id, now=now) for parcel_id in unconfirmed.values_list("pk", flat=True)[:batch_size]
    )
    return ParcelSweep(refunded=refunded, completed=completed)


def _settle_overdue(parcel_id: int, *, now: datetime) -> bool:
    with service_transaction():
        parcel = Parcel.objects.select_for_update(skip_locked=True).filter(pk=parcel_id).first()
        if parcel is None:
            return False
        if parcel.status == ParcelStatus.AWAITING_SHIPMENT and parcel.ship_by < now:
            _refund(
                parcel,
                amount=parcel.total,
                restock=True,
                reason=REASON_NOT_SHIPPED,
                note="Not shipped in time",
                actor_id=None,
            )
            return True
        if parcel.status == ParcelStatus.SHIPPED and parcel.confirm_by < now:
            _complete(parcel, reason=REASON_AUTO_COMPLETED, actor_id=None)
            return True
    return False


# --- Reads --------------------------------------------------------------------------------


def get_parcel(*, parcel_id: int) -> ParcelSnapshot:
    """Any parcel (for other apps' checks: reviews need a completed one). ParcelNotFound."""
    found = parcel_snapshots(Parcel.objects.filter(pk=parcel_id))
    if not found:
        raise ParcelNotFound()
    return found[0]


def get_parcel_for_user(*, parcel_id: int, user_id: int) -> ParcelSnapshot:
    """A parcel for its buyer, its seller or a moderator; ParcelNotFound for anyone else."""
    parcel = get_parcel(parcel_id=parcel_id)
    if user_id not in (parcel.buyer_id, parcel.seller_id) and not accounts_services.is_moderator(user_id=user_id):
        raise ParcelNotFound()
    return parcel


def parcel_snapshots(parcels) -> list[ParcelSnapshot]:
    """Parcels (a queryset or list) as snapshots, in their order, with lines and history:
    three queries whatever their number."""
    parcels = list(parcels)
    if not parcels:
        return []
    # Also for a list (a paginated page): a queryset's prefetch would be lost on it.
    prefetch_related_objects(parcels, "history")
    lines: dict[tuple[int, int], list[SaleLine]] = {}
    for line in OrderLine.objects.filter(order_id__in={p.order_id for p in parcels}).order_by("pk"):
        lines.setdefault((line.order_id, line.seller_id), []).append(sale_line(line))
    return [_snapshot_of(parcel, lines=lines.get((parcel.order_id, parcel.seller_id), [])) for parcel in parcels]


def get_parcels_of_orders(*, order_ids: Sequence[int]) -> dict[int, list[ParcelSnapshot]]:
    """{order id: its parcels} in three queries (orders' pages and API)."""
    by_order: dict[int, list[ParcelSnapshot]] = {order_id: [] for order_id in order_ids}
    for parcel in parcel_snapshots(Parcel.objects.filter(order_id__in=list(order_ids)).order_by("pk")):
        by_order[parcel.order_id].append(parcel)
    return by_order


def get_seller_fulfilment(*, seller_ids: Sequence[int]) -> dict[int, SellerFulfilment]:
    """Completed sales and the median ship delay per seller (seller profiles)."""
    completed = dict(
        Parcel.objects.filter(seller_id__in=list(seller_ids), status=ParcelStatus.COMPLETED)
        .values("seller_id")
        .annotate(n=Count("pk"))
        .values_list("seller_id", "n")
    )
    delays: dict[int, list[float]] = {}
    shipped = Parcel.objects.filter(seller_id__in=list(seller_ids), shipped_at__isnull=False)
    for seller_id, created_at, shipped_at in shipped.values_list("seller_id", "created_at", "shipped_at"):
        delays.setdefault(seller_id, []).append((shipped_at - created_at).total_seconds())
    return {
        seller_id: SellerFulfilment(
            completed_sales=completed.get(seller_id, 0),
            median_ship_seconds=median(delays[seller_id]) if seller_id in delays else None,
        )
        for seller_id in seller_ids
    }


def get_unsettled_parcels_total() -> Decimal:
    """What escrow must hold: the totals of parcels not yet completed or refunded."""
    unsettled = Parcel.objects.exclude(status__in=[ParcelStatus.COMPLETED, ParcelStatus.REFUNDED])
    return to_money(unsettled.aggregate(s=Sum("total"))["s"] or 0)


# --- Internals ---------------------------------------------------------------------------


def _lock(parcel_id: int, *, user_id: int, role: str) -> Parcel:
    """Lock the parcel row and check who acts: its buyer, its seller, or a moderator.

    Someone with no part in the parcel gets ParcelNotFound (404: nothing leaks); the
    other party, or a non-moderator resolving, gets NotAllowed (403).
    """
    parcel = Parcel.objects.select_for_update().filter(pk=parcel_id).first()
    is_moderator = role == "moderator" and accounts_services.is_moderator(user_id=user_id)
    if parcel is None or (user_id not in (parcel.buyer_id, parcel.seller_id) and not is_moderator):
        raise ParcelNotFound()
    if role == "moderator" and not is_moderator:
        raise NotAllowed("Only a moderator can do this.")
    if role == "seller" and parcel.seller_id != user_id:
        raise NotAllowed("Only the seller can do this.")
    if role == "buyer" and parcel.buyer_id != user_id:
        raise NotAllowed("Only the buyer can do this.")
    return parcel


def _already(parcel: Parcel, status: str, reason: str) -> bool:
    return parcel.status == status and parcel.status_reason == reason


def _require(parcel: Parcel, status: str) -> None:
    if parcel.status != status:
        now, needed = parcel.get_status_display().lower(), ParcelStatus(status).label.lower()
        raise InvalidStatus(f"This parcel is {now}; that needs it {needed}.", status=parcel.status)


def _complete(parcel: Parcel, *, reason: str, actor_id: int | None) -> None:
    payments_services.release_hold(reference=parcel.hold_reference, actor_id=actor_id)
    now = timezone.now()
    parcel.completed_at = now
    _transition(parcel, to=ParcelStatus.COMPLETED, reason=reason, actor_id=actor_id, at=now)


def _refund(parcel: Parcel, *, amount: Decimal, restock: bool, reason: str, note: str, actor_id: int | None) -> None:
    lines = _lines(parcel)
    if restock:
        catalogue_services.restock_items(lines=[(line.item_id, line.quantity) for line in lines])
    payments_services.refund_hold(
        reference=parcel.hold_reference, amount=amount, actor_id=actor_id, reason=note, lines=lines
    )
    now = timezone.now()
    parcel.refunded_at, parcel.refunded_amount = now, amount
    _transition(parcel, to=ParcelStatus.REFUNDED, reason=reason, actor_id=actor_id, at=now, lines=lines)


def _lines(parcel: Parcel) -> list[SaleLine]:
    return [sale_line(line) for line in OrderLine.objects.filter(order_id=parcel.order_id, seller_id=parcel.seller_id)]


def _transition(
    parcel: Parcel, *, to: str, reason: str, actor_id: int | None, at: datetime, lines: Sequence[SaleLine] | None = None
) -> None:
    """Move the (locked) parcel, record it, and publish it through the outbox."""
    from_status = parcel.status
    parcel.status, parcel.status_reason = to, reason
    parcel.save()
    ParcelHistory.objects.create(
        parcel=parcel, from_status=from_status, to_status=to, reason=reason, actor_id=actor_id, occurred_at=at
    )
    event = events.ParcelTransition(
        parcel_id=parcel.pk,
        order_id=parcel.order_id,
        buyer_id=parcel.buyer_id,
        seller_id=parcel.seller_id,
        from_status=from_status,
        to_status=to,
        reason=reason,
        actor_id=actor_id,
        occurred_at=at,
        total=parcel.total,
        refunded_amount=parcel.refunded_amount,
        carrier=parcel.carrier,
        tracking_code=parcel.tracking_code,
        lines=tuple(lines if lines is not None else _lines(parcel)),
    )
    outbox_services.publish(topic=events.PARCEL_TRANSITIONED, payload=event.to_json(), key=f"parcel:{parcel.pk}:{to}")
    transaction.on_commit(partial(metrics.record_parcel_transition, from_status=from_status, to_status=to))


def _snapshot_of(
    parcel: Parcel, *, lines: Sequence[SaleLine] | None = None, history: Sequence[ParcelHistory] | None = None
) -> ParcelSnapshot:
    return ParcelSnapshot(
        parcel_id=parcel.pk,
        order_id=parcel.order_id,
        buyer_id=parcel.buyer_id,
        seller_id=parcel.seller_id,
        status=parcel.status,
        status_reason=parcel.status_reason,
        total=parcel.total,
        lines=tuple(lines if lines is not None else _lines(parcel)),
        created_at=parcel.created_at,
        ship_by=parcel.ship_by,
        carrier=parcel.carrier,
        tracking_code=parcel.tracking_code,
        shipped_at=parcel.shipped_at,
        confirm_by=parcel.confirm_by,
        dispute_reason=parcel.dispute_reason,
        dispute_message=parcel.dispute_message,
        disputed_at=parcel.disputed_at,
        completed_at=parcel.completed_at,
        refunded_at=parcel.refunded_at,
        refunded_amount=parcel.refunded_amount,
        history=tuple(
            HistoryEntry(h.from_status, h.to_status, h.reason, h.actor_id, h.occurred_at)
            for h in (parcel.history.all() if history is None else history)
        ),
    )


def _clean_code(value, *, field: str, pattern: re.Pattern, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not isinstance(value, str):
        raise InvalidInput("Enter text.", field=field)
    if not value:
        return ""
    if len(value) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=field)
    if not pattern.fullmatch(value):
        raise InvalidInput(f"Use {ALLOWED[pattern]} only.", field=field)
    return value


def _clean_text(value, *, field: str, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("Enter text.", field=field)
    value = value.strip()
    if "\x00" in value:
        raise InvalidInput("The text contains a NUL character.", field=field)
    if required and not value:
        raise InvalidInput("This field is required.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=field)
    return value
