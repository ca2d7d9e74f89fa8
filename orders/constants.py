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
