from django.db import models
from django.db.models import Q


class Message(models.Model):
    """One event for one consumer, written in the transaction that caused it.

    A publish writes one row per subscribed consumer (a Celery task name), so each
    consumer's delivery succeeds, backs off or dies on its own. `event_id` is shared by
    the rows of one event: consumers store their effect under it, which makes a
    redelivery change nothing (DESIGN §2 Delivery of consequences).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead (gave up)"

    event_id = models.UUIDField()
    topic = models.CharField(max_length=100)
    key = models.CharField(max_length=200, blank=True)
    consumer = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The relay hands a pending row out only once this has passed: at once when published,
    # a lease while a consumer works on it, a backoff after a failure.
    available_at = models.DateTimeField()
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "consumer"], name="outbox_one_row_per_event_and_consumer"),
        ]
        indexes = [
            # The relay's claim: pending rows due now, oldest first; delivered rows drop out.
            models.Index(fields=["available_at", "id"], name="outbox_pending_due", condition=Q(status="pending")),
            models.Index(fields=["status", "topic"], name="outbox_status_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} → {self.consumer} ({self.status})"
