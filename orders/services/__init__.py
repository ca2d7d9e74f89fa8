"""Public interface of orders: checkout, pay, cancel, expire, and order reads (DESIGN §2 LOMS).

Locks (STYLE §2.5), one global order for every path: the order row, then the items (by id,
inside catalogue.services), then the wallets (by id, inside payments.services). Every
status change re-reads the order under its row lock first, so pay/cancel/expire races
end with one winner and idempotent losers. Each transition writes a history row and,
after commit, publishes orders.events.order_transitioned and the business metrics.

Split by concern (STYLE: a module past ~400 lines becomes a package): `checkout`,
`lifecycle` (pay, cancel, expire), `transitions` (row lock, history, events), `parcels`
(fulfilment and buyer protection after payment), `reads`, `data` (dataclasses and
refusals). Other apps import from here only.
"""

from orders.constants import DisputeReason, OrderStatus, ParcelStatus

# The demo data of `make run`, here so the load_demo command (outside this app) reaches it
# through the public surface. orders.demo reads `services.x` only when called, so the
# import cycle is harmless (STYLE §2.7).
from orders.demo import load_demo_parcels
from orders.services.checkout import place_order
from orders.services.data import (
    CheckoutResult,
    DeadlinePassed,
    EmptyCart,
    ExpirySweep,
    HistoryEntry,
    InsufficientFunds,
    InvalidStatus,
    NotAllowed,
    OrderExpired,
    OrderNotFound,
    OrderSnapshot,
    OwnItem,
    PaidOrder,
    ParcelNotFound,
    ParcelSnapshot,
    ParcelSweep,
    SellerFulfilment,
)
from orders.services.lifecycle import cancel_order, expire_overdue_orders, pay_order
from orders.services.parcels import (
    cancel_parcel,
    confirm_parcel,
    dispute_parcel,
    get_parcel,
    get_parcel_for_user,
    get_parcels_of_orders,
    get_seller_fulfilment,
    get_unsettled_parcels_total,
    resolve_dispute,
    ship_parcel,
    sweep_parcel_deadlines,
)
from orders.services.reads import get_order_for_user, get_orders, snapshot_of

__all__ = [
    "OrderStatus",
    "ParcelStatus",
    "DisputeReason",
    "ParcelSnapshot",
    "SellerFulfilment",
    "ParcelSweep",
    "ParcelNotFound",
    "DeadlinePassed",
    "NotAllowed",
    "ship_parcel",
    "cancel_parcel",
    "confirm_parcel",
    "dispute_parcel",
    "resolve_dispute",
    "sweep_parcel_deadlines",
    "get_parcel",
    "get_parcel_for_user",
    "get_parcels_of_orders",
    "get_seller_fulfilment",
    "get_unsettled_parcels_total",
    "HistoryEntry",
    "OrderSnapshot",
    "CheckoutResult",
    "PaidOrder",
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
    "load_demo_parcels",
]
