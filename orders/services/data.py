"""The dataclasses and refusals of orders' public interface (re-exported by orders.services)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from cart import services as cart_services
from payments import services as payments_services
from shop.common.errors import DomainError, NotFoundError
from shop.common.lines import SaleLine


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    from_status: str
    to_status: str
    reason: str
    actor_id: int | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class OrderSnapshot:
    order_id: int
    buyer_id: int
    status: str
    total: Decimal
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    failure_code: str
    short_item_ids: tuple[int, ...]
    lines: tuple[SaleLine, ...]
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True, slots=True)
class ParcelSnapshot:
    """One seller's share of a paid order as every reader sees it (DESIGN §2 Fulfilment)."""

    parcel_id: int
    order_id: int
    buyer_id: int
    seller_id: int
    status: str
    status_reason: str
    total: Decimal
    lines: tuple[SaleLine, ...]
    created_at: datetime
    ship_by: datetime
    carrier: str
    tracking_code: str
    shipped_at: datetime | None
    confirm_by: datetime | None
    dispute_reason: str
    dispute_message: str
    disputed_at: datetime | None
    completed_at: datetime | None
    refunded_at: datetime | None
    refunded_amount: Decimal
    history: tuple[HistoryEntry, ...]

    @property
    def hold_reference(self) -> str:
        return f"parcel:{self.parcel_id}"

    @property
    def settled(self) -> bool:
        return self.status in ("completed", "refunded")


@dataclass(frozen=True, slots=True)
class PaidOrder:
    """pay_order's answer. A payment hands back the parcels and invoice it wrote and the
    usernames it read, so its caller answers without reading them back (issue 16); a
    replay (the order was already paid) wrote nothing and leaves them to the caller."""

    order: OrderSnapshot
    replayed: bool
    parcels: tuple[ParcelSnapshot, ...] = ()
    invoice: payments_services.InvoiceStatus | None = None
    usernames: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SellerFulfilment:
    completed_sales: int
    median_ship_seconds: float | None


@dataclass(frozen=True, slots=True)
class ParcelSweep:
    refunded: int
    completed: int


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    order: OrderSnapshot
    replayed: bool  # True when an Idempotency-Key matched an earlier checkout


@dataclass(frozen=True, slots=True)
class ExpirySweep:
    checked: int
    expired: int


# --- Errors ------------------------------------------------------------------------------


class OrderNotFound(NotFoundError):
    default_detail = "No such order."


class InvalidStatus(DomainError):
    code = "invalid_status"
    default_detail = "The order's status does not allow this."


class ParcelNotFound(NotFoundError):
    default_detail = "No such parcel."


class DeadlinePassed(DomainError):
    code = "deadline_passed"
    default_detail = "The deadline for this action has passed."


class NotAllowed(DomainError):
    """The user may see the parcel but this action is the other party's (or a moderator's)."""

    code = "not_allowed"
    status_code = 403
    default_detail = "You are not allowed to do this."


class OrderExpired(DomainError):
    code = "order_expired"
    default_detail = "This order has expired: the time to pay ran out, so it can no longer be paid."


class EmptyCart(DomainError):
    code = "empty_cart"
    status_code = 400
    default_detail = "Your cart is empty."


# Refusals other apps raise through us, re-exported so callers need only orders.services.
OwnItem = cart_services.OwnItem
InsufficientFunds = payments_services.InsufficientFunds
