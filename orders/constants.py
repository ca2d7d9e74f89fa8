from django.db import models


class OrderStatus(models.TextChoices):
    NEW = "new", "New"
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# Reasons recorded on transitions (history and events).
REASON_CHECKOUT = "checkout"
REASON_RESERVED = "reserved"
REASON_OUT_OF_STOCK = "insufficient_stock"
REASON_ITEM_UNAVAILABLE = "item_unavailable"
REASON_PAID = "paid"
REASON_CANCELLED_BY_BUYER = "cancelled_by_buyer"
REASON_CANCELLED_BY_MODERATOR = "cancelled_by_moderator"
REASON_PAYMENT_TIMEOUT = "payment_timeout"


class ParcelStatus(models.TextChoices):
    """One seller's share of a paid order, from shipment to settlement (DESIGN §2 Fulfilment)."""

    AWAITING_SHIPMENT = "awaiting_shipment", "Awaiting shipment"
    SHIPPED = "shipped", "Shipped"
    DISPUTED = "disputed", "Disputed"
    COMPLETED = "completed", "Completed"
    REFUNDED = "refunded", "Refunded"


SETTLED_PARCEL_STATUSES = (ParcelStatus.COMPLETED, ParcelStatus.REFUNDED)


class DisputeReason(models.TextChoices):
    NOT_RECEIVED = "not_received", "The item never arrived"
    NOT_AS_DESCRIBED = "not_as_described", "The item is not as described"
    DAMAGED = "damaged", "The item arrived damaged"
    OTHER = "other", "Something else"


# Reasons recorded on parcel transitions; each names the action, so repeating that same
# action is recognised (idempotent 200) while a different one is a conflict (409).
REASON_PARCEL_OPENED = "paid"
REASON_SHIPPED = "shipped"
REASON_CANCELLED_BY_SELLER = "cancelled_by_seller"
REASON_NOT_SHIPPED = "not_shipped"
REASON_CONFIRMED = "confirmed"
REASON_AUTO_COMPLETED = "auto"
REASON_DISPUTED = "disputed"
REASON_RELEASED_BY_MODERATOR = "released_by_moderator"
REASON_REFUNDED_BY_MODERATOR = "refunded_by_moderator"
