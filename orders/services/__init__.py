"""Public interface of orders: checkout, pay, cancel, expire, and order reads (DESIGN §2 LOMS).

Locks (STYLE §2.5), one global order for every path: the order row, then the items (by id,
inside catalogue.services), then the wallets (by id, inside payments.services). Every
status change re-reads the order under its row lock first, so pay/cancel/expire races
end with one winner and idempotent losers. Each transition writes a history row and,
after commit, publishes orders.events.order_transitioned and the business metrics.

Split by concern (STYLE: a module past ~400 lines becomes a package): `checkout`,
`lifecycle` (pay, cancel, expire), `transitions` (row lock, history, events), `reads`,
`data` (dataclasses and refusals). Other apps import from here only.
"""

from orders.constants import OrderStatus
from orders.services.checkout import place_order
from orders.services.data import (
    CheckoutResult,
    EmptyCart,
    ExpirySweep,
    HistoryEntry,
    InsufficientFunds,
    InvalidStatus,
    OrderExpired,
    OrderNotFound,
    OrderSnapshot,
    OwnItem,
)
from orders.services.lifecycle import cancel_order, expire_overdue_orders, pay_order
from orders.services.reads import get_order_for_user, get_orders, snapshot_of

__all__ = [
    "OrderStatus",
    "HistoryEntry",
    "OrderSnapshot",
    "CheckoutResult",
    "ExpirySweep",
    "OrderNotFound",
    "InvalidStatus",
    "OrderExpired",
    "EmptyCart",
    "OwnItem",
    "InsufficientFunds",
    "place_order",
    "pay_order",
    "cancel_order",
    "expire_overdue_orders",
    "get_order_for_user",
    "get_orders",
    "snapshot_of",
]
