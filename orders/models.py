from django.conf import settings
from django.db import models
from django.db.models import F, Q

from orders.constants import DisputeReason, OrderStatus, ParcelStatus
from shop.common.money import MoneyField


class Order(models.Model):
    """A buyer's order (the LOMS of DESIGN §2).

    Status only changes in orders.services, under the row lock, with a history row
    for each transition. `expires_at` is set when the order reaches awaiting_payment.
    """

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.NEW)
    total = MoneyField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Why a checkout failed, and which items were short or unavailable (DESIGN §2).
    failure_code = models.CharField(max_length=32, blank=True)
    short_item_ids = models.JSONField(default=list, blank=True)
    # The optional Idempotency-Key of the checkout request: one order per (buyer, key).
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="orders_buyer_recent"),
            # The expiry sweep reads only unpaid orders, oldest deadline first.
            models.Index(
                fields=["expires_at"], name="orders_awaiting_expiry", condition=Q(status=OrderStatus.AWAITING_PAYMENT)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"],
                name="orders_one_order_per_idempotency_key",
                condition=Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.AWAITING_PAYMENT) | Q(expires_at__isnull=False),
                name="orders_awaiting_payment_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.PAID) | Q(paid_at__isnull=False), name="orders_paid_has_paid_at"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_total_non_negative"),
        ]

    def __str__(self) -> str:
        return f"Order #{self.pk}"


class OrderLine(models.Model):
    """A line with the title, unit price and seller snapshotted at checkout (STYLE §2.3)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    item_id = models.BigIntegerField(db_index=True)
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    unit_price = MoneyField()
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["seller", "order"], name="orders_line_seller")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orders_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="orders_line_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity


class OrderHistory(models.Model):
    """One row per transition: from, to, when, why, who (None: the system)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    reason = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name_plural = "order history"
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=F("to_status")), name="orders_history_changes_status")
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


# --- Fulfilment (DESIGN §2 Fulfilment and buyer protection) ----------------------------


class Parcel(models.Model):
    """One seller's lines of a paid order: shipped, received, disputed, settled.

    Its lines are the order's lines of this seller (unique per order and seller), its
    money is a payments escrow hold referenced as "parcel:<id>". Status changes only in
    orders.services.parcels, under the row lock, with a history row each.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parcels")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ParcelStatus.choices, default=ParcelStatus.AWAITING_SHIPMENT)
    # The reason of the last transition: tells a repeated action from a conflicting one.
    status_reason = models.CharField(max_length=32, blank=True)
    total = MoneyField()
    created_at = models.DateTimeField()
    ship_by = models.DateTimeField()
    carrier = models.CharField(max_length=50, blank=True)
    tracking_code = models.CharField(max_length=64, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    confirm_by = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.CharField(max_length=20, choices=DisputeReason.choices, blank=True)
    dispute_message = models.TextField(blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refunded_amount = MoneyField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"], name="orders_parcel_buyer_recent"),
            models.Index(fields=["seller", "status", "-created_at"], name="orders_parcel_seller_status"),
            # The deadline sweeps read only the parcels they may act on, oldest deadline first.
            models.Index(
                fields=["ship_by"], name="orders_parcel_ship_due", condition=Q(status=ParcelStatus.AWAITING_SHIPMENT)
            ),
            models.Index(
                fields=["confirm_by"], name="orders_parcel_confirm_due", condition=Q(status=ParcelStatus.SHIPPED)
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order", "seller"], name="orders_one_parcel_per_seller"),
            models.CheckConstraint(condition=Q(total__gt=0), name="orders_parcel_total_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("total")),
                name="orders_parcel_refund_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(status=ParcelStatus.SHIPPED) | Q(shipped_at__isnull=False, confirm_by__isnull=False),
                name="orders_shipped_parcel_has_dates",
            ),
        ]
        permissions = [("resolve_dispute", "Can resolve parcel disputes")]

    def __str__(self) -> str:
        return f"Parcel #{self.pk} of order #{self.order_id}"

    @property
    def hold_reference(self) -> str:
        return f"parcel:{self.pk}"


class ParcelHistory(models.Model):
    """One row per parcel transition: from, to, when, why, who (None: the system)."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=ParcelStatus.choices)
    reason = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name_plural = "parcel history"

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class Dispute(Parcel):
    """Parcels a buyer disputed, as moderators see them in admin (DESIGN §4)."""

    class Meta:
        proxy = True
        verbose_name = "dispute"
