"""Business metrics (Prometheus), defined once here so every app records them alike.

Apps call the small functions below; they never build metric objects themselves.
"""

from decimal import Decimal

from prometheus_client import Counter, Gauge, Histogram

ORDER_TRANSITIONS = Counter("bazaar_order_transitions_total", "Order status transitions", ["from_status", "to_status"])
PARCEL_TRANSITIONS = Counter(
    "bazaar_parcel_transitions_total", "Parcel status transitions (fulfilment)", ["from_status", "to_status"]
)
PAYMENTS = Counter("bazaar_payments_total", "Orders paid")
PAYMENT_VOLUME = Counter("bazaar_payment_volume_credits_total", "Credits paid for orders")
RESERVATION_FAILURES = Counter("bazaar_reservation_failures_total", "Checkouts refused for lack of stock")
EXPIRY_CANCELLATIONS = Counter("bazaar_order_expiries_total", "Orders cancelled by the payment timeout")
INVOICE_RENDER_SECONDS = Histogram(
    "bazaar_invoice_render_seconds",
    "Time to render one invoice PDF",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
NOTIFICATIONS_SENT = Counter("bazaar_notifications_total", "Notifications delivered", ["channel", "outcome"])

# Recorded by shop.observability.celery_hooks in the worker (task_postrun), for every task.
CELERY_TASKS = Counter("bazaar_celery_tasks_total", "Celery tasks run, by final state", ["task", "state"])
CELERY_TASK_SECONDS = Histogram(
    "bazaar_celery_task_duration_seconds",
    "Time a Celery task ran, whatever its outcome",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def record_order_transition(*, from_status: str, to_status: str) -> None:
    ORDER_TRANSITIONS.labels(from_status=from_status, to_status=to_status).inc()


def record_parcel_transition(*, from_status: str, to_status: str) -> None:
    PARCEL_TRANSITIONS.labels(from_status=from_status, to_status=to_status).inc()


def record_payment(*, amount: Decimal) -> None:
    PAYMENTS.inc()
    PAYMENT_VOLUME.inc(float(amount))


def record_reservation_failure() -> None:
    RESERVATION_FAILURES.inc()


def record_expiry() -> None:
    EXPIRY_CANCELLATIONS.inc()


def observe_invoice_render(*, seconds: float) -> None:
    INVOICE_RENDER_SECONDS.observe(seconds)


def record_notification(*, channel: str, outcome: str) -> None:
    NOTIFICATIONS_SENT.labels(channel=channel, outcome=outcome).inc()


def record_celery_task(*, task: str, state: str, seconds: float) -> None:
    """state is Celery's: SUCCESS, FAILURE, RETRY (stored lower-case)."""
    CELERY_TASKS.labels(task=task, state=state.lower()).inc()
    CELERY_TASK_SECONDS.labels(task=task).observe(seconds)


# --- Outbox (DESIGN §2 Delivery of consequences) ---------------------------------------

OUTBOX_MESSAGES = Counter("bazaar_outbox_messages_total", "Outbox messages by outcome", ["topic", "outcome"])
# Set by the relay task in whichever worker ran it last: the latest reading is the truth.
OUTBOX_PENDING = Gauge("bazaar_outbox_pending", "Outbox messages not yet delivered", multiprocess_mode="mostrecent")
OUTBOX_DEAD = Gauge("bazaar_outbox_dead", "Outbox messages given up (retry in admin)", multiprocess_mode="mostrecent")
OUTBOX_OLDEST_PENDING_SECONDS = Gauge(
    "bazaar_outbox_oldest_pending_seconds",
    "Age of the oldest undelivered outbox message",
    multiprocess_mode="mostrecent",
)


def record_outbox(*, topic: str, outcome: str, count: int = 1) -> None:
    OUTBOX_MESSAGES.labels(topic=topic, outcome=outcome).inc(count)


def set_outbox_health(*, pending: int, dead: int, oldest_pending_seconds: float) -> None:
    OUTBOX_PENDING.set(pending)
    OUTBOX_DEAD.set(dead)
    OUTBOX_OLDEST_PENDING_SECONDS.set(oldest_pending_seconds)
