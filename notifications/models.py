from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One message to one user about one order event, shown in-app and sent by e-mail.

    Title, body and lines are snapshots taken when the event arrived, so the message
    reads the same later even if the order or the items change (STYLE §2.3: no FK to
    orders, only its id).
    """

    class Kind(models.TextChoices):
        ORDER_STATUS = "order_status", "Order status (buyer)"
        SALE = "sale", "Sale (seller)"
        PARCEL = "parcel", "Parcel (buyer)"
        PARCEL_SALE = "parcel_sale", "Parcel (seller)"
        MESSAGE = "message", "New message"
        FAVOURITE = "favourite", "Favourite item news"
        REVIEW = "review", "New review (seller)"

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (no address)"
        FAILED = "failed", "Failed after retries"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Community kinds (messages, favourites) concern no order: keyed by their event_id.
    order_id = models.BigIntegerField(db_index=True, null=True, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    # {"total": "12.50", "lines": [{"item_id", "title", "quantity", "unit_price", "line_total"}]};
    # community kinds: {"url": "/messages/12/"}
    payload = models.JSONField(default=dict, blank=True)
    # The outbox event this came from (DESIGN §2 Delivery): a redelivery finds it stored.
    event_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A retried or redelivered task must not notify anyone twice (STYLE §2.7).
            models.UniqueConstraint(
                fields=["recipient", "order_id", "status", "kind"],
                condition=Q(kind__in=["order_status", "sale"]),
                name="notifications_one_per_order_event",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "event_id"],
                condition=Q(event_id__isnull=False),
                name="notifications_one_per_outbox_event",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notifications_inbox"),
            # The bell's count on every page: a small partial index over unread rows only.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notifications_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (to user {self.recipient_id})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def url(self) -> str:
        # A seller cannot open the buyer's order (404, DESIGN §3); their side is /sales/.
        if self.kind in (self.Kind.SALE, self.Kind.PARCEL_SALE):
            return "/sales/"
        if self.order_id is None:
            return (self.payload or {}).get("url") or "/notifications/"
        return f"/orders/{self.order_id}/"
