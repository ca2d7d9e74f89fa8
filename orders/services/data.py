"""The dataclasses and refusals of orders' public interface (re-exported by orders.services)."""

from dataclasses import dataclass
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
