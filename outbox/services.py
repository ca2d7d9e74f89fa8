"""Public interface of the outbox: publish an event inside a transaction, relay it after.

The consequences of a commit (notifications, e-mails, invoices, credit notes...) are rows
written in the committing transaction itself, so they exist exactly when the change does
(DESIGN §2 Delivery of consequences). The relay hands each due row to its consumer, a
Celery task; the consumer runs an idempotent handler through `deliver`, which marks the
row delivered, or schedules a retry with backoff, or parks it as dead after
OUTBOX_MAX_ATTEMPTS. Delivery is at least once; consumers store their effect under the
event id, so a second delivery changes nothing.

Who consumes what is declared in each consumer app's AppConfig.ready() with `subscribe`,
so publishers never import their consumers (the layers of .importlinter hold).
"""

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from outbox import tasks
from outbox.models import Message
from shop.common import metrics
from shop.common.transactions import joined

logger = logging.getLogger(__name__)

MessageStatus = Message.Status

_subscribers: dict[str, list[str]] = {}
_tasks: dict[str, Task] = {}


@dataclass(frozen=True, slots=True)
class RelayRun:
    claimed: int
    dispatched: int
    broker_unavailable: bool


@dataclass(frozen=True, slots=True)
class MessageSummary:
    message_id: int
    event_id: uuid.UUID
    topic: str
    consumer: str
    key: str
    payload: dict
    status: str
    attempts: int
    last_error: str


@dataclass(frozen=True, slots=True)
class OutboxHealth:
    pending: int
    dead: int
    oldest_pending_age: timedelta | None


# --- Wiring ------------------------------------------------------------------------------


def subscribe(*, topic: str, consumer: Task) -> None:
    """Deliver every later event of `topic` to the Celery task `consumer`.

    Called from AppConfig.ready() of the consuming app, in every process (web, worker,
    beat), so a publish anywhere writes a row for each consumer. The task object, not
    only its name, is kept: the web process never autodiscovers tasks, and a name alone
    would make the relay bypass eager mode (send_task). Idempotent.
    """
    _tasks[consumer.name] = consumer
    consumers = _subscribers.setdefault(topic, [])
    if consumer.name not in consumers:
        consumers.append(consumer.name)


def subscribers(*, topic: str) -> tuple[str, ...]:
    return tuple(_subscribers.get(topic, ()))


# --- Publishing (inside the changing transaction) ----------------------------------------


def publish(*, topic: str, payload: Mapping[str, Any], key: str = "") -> uuid.UUID:
    """Record an event for every consumer of `topic`, in the caller's transaction.

    One INSERT whatever the number of consumers. Returns the event id, which consumers
    use as their idempotency key. After commit the relay is nudged, so the usual latency
    is one task hop; if the broker is away, beat's relay run finds the rows later.
    Joins the caller's transaction (its own when there is none). Never queues anything
    for a rolled-back change.
    """
    event_id = uuid.uuid4()
    consumers = _subscribers.get(topic, ())
    if not consumers:
        return event_id
    now = timezone.now()
    with joined():
        Message.objects.bulk_create(
            Message(
                event_id=event_id,
                topic=topic,
                key=key[:200],
                consumer=consumer,
                payload=dict(payload),
                available_at=now,
                created_at=now,
            )
            for consumer in consumers
        )
        _nudge_after_commit()
    metrics.record_outbox(topic=topic, outcome="published", count=len(consumers))
    return event_id


class _Nudge:
    """An after-commit nudge. The nudges of one transaction share one flag, so the first
    to run sends and the others do nothing: one broker round trip per commit however
    many events it publishes (pay publishes two)."""

    __slots__ = ("sent",)

    def __init__(self, sent: list[bool]) -> None:
        self.sent = sent

    def __call__(self) -> None:
        if not self.sent[0]:
            self.sent[0] = True
            nudge_relay()


def _nudge_after_commit() -> None:
    # Each publish registers its own callback (a savepoint rolled back drops only its own),
    # sharing the flag of a nudge still waiting in this transaction. Tests run callbacks
    # inside their transaction and keep them listed: a sent flag starts a new one.
    pending = transaction.get_connection().run_on_commit
    waiting = next((cb.sent for _, cb, _ in pending if isinstance(cb, _Nudge) and not cb.sent[0]), None)
    transaction.on_commit(_Nudge(waiting or [False]))


def nudge_relay() -> None:
    """Ask a worker to relay now (after commit). Never raises: the rows are committed and
    beat's periodic relay delivers them if this message is lost."""
    try:
        # One attempt: with the broker away a request must not wait on reconnects for a
        # nudge that beat's relay run makes up for anyway. Measured with Redis stopped:
        # this fails in under 0.1 s; `.delay()` takes 0.6 s, and `retry=False` 6 s (kombu
        # then waits out the connection's own retries).
        tasks.relay_outbox_task.apply_async(retry_policy={"max_retries": 0})
    except Exception:  # broker away: kombu and redis raise several types
        metrics.record_outbox(topic="", outcome="nudge_failed")
        logger.warning("could not nudge the outbox relay; beat's run will deliver", exc_info=True)


# --- Relaying ----------------------------------------------------------------------------


def relay(*, batch_size: int | None = None, now: datetime | None = None) -> RelayRun:
    """Hand one batch of due messages to their consumers.

    Claims rows with FOR UPDATE SKIP LOCKED and leases them (available_at moves
    OUTBOX_LEASE_SECONDS ahead) in the same transaction, so two relays never hand out one
    row at the same time; a consumer that dies leaves its row to come due again when the
    lease ends. On SQLite (no SKIP LOCKED) transactions begin IMMEDIATE (settings), so a
    second relay waits for the first's commit and then sees the rows leased: one relay at
    a time. A broker outage gives the unsent rows back without counting an attempt.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    with transaction.atomic():
        claimed = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, available_at__lte=now)
            .order_by("available_at", "pk")
            .values_list("pk", "event_id", "topic", "consumer", "payload")[:batch_size]
        )
        if not claimed:
            return RelayRun(claimed=0, dispatched=0, broker_unavailable=False)
        ids = [row[0] for row in claimed]
        lease_end = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        # Leased before dispatch: an eager consumer (tests, the embedded profile) may
        # finish inside this loop and must find its attempt already counted.
        Message.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, available_at=lease_end)
        dispatched = 0
        for message_id, event_id, topic, consumer, payload in claimed:
            try:
                _consumer_task(consumer).apply_async(
                    kwargs={"message_id": message_id, "event_id": str(event_id), "payload": payload}
                )
            except Exception:  # broker away: give the rest back, uncounted
                unsent = ids[dispatched:]
                Message.objects.filter(pk__in=unsent).update(
                    attempts=F("attempts") - 1,
                    available_at=now + timedelta(seconds=settings.OUTBOX_BROKER_RETRY_SECONDS),
                )
                metrics.record_outbox(topic="", outcome="broker_unavailable", count=len(unsent))
                logger.warning("outbox relay: broker unavailable, %d messages wait", len(unsent), exc_info=True)
                return RelayRun(claimed=len(claimed), dispatched=dispatched, broker_unavailable=True)
            dispatched += 1
            metrics.record_outbox(topic=topic, outcome="dispatched")
    return RelayRun(claimed=len(claimed), dispatched=dispatched, broker_unavailable=False)


def _consumer_task(name: str) -> Task:
    # A row written before a consumer was renamed or removed still names a task: send it
    # by name, and the worker's registry decides.
    return _tasks.get(name) or current_app.signature(name).type or current_app.tasks[name]


# --- Consuming (inside the consumer's Celery task) ---------------------------------------


def deliver(*, message_id: int, handler: Callable[[], object]) -> str:
    """Run a consumer's idempotent handler for one message and record the outcome.

    Returns the message's status afterwards: delivered; pending (failed, retried after a
    backoff); dead (failed OUTBOX_MAX_ATTEMPTS times: parked for a moderator to retry in
    admin, without holding up other messages). A message no longer pending (delivered by
    an earlier dispatch, or dead) is left alone. Never raises for a handler's error: the
    outbox, not Celery, owns the retries.
    """
    message = Message.objects.filter(pk=message_id).values("status", "topic").first()
    if message is None or message["status"] != MessageStatus.PENDING:
        return message["status"] if message else ""
    try:
        handler()
    except Exception as exc:
        logger.warning("outbox consumer failed for message %s", message_id, exc_info=True)
        return _record_failure(message_id=message_id, topic=message["topic"], error=exc)
    Message.objects.filter(pk=message_id, status=MessageStatus.PENDING).update(
        status=MessageStatus.DELIVERED, delivered_at=timezone.now(), last_error=""
    )
    metrics.record_outbox(topic=message["topic"], outcome="delivered")
    return MessageStatus.DELIVERED


def _record_failure(*, message_id: int, topic: str, error: Exception) -> str:
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, status=MessageStatus.PENDING).first()
        if message is None:
            return ""
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = MessageStatus.DEAD
        else:
            message.available_at = timezone.now() + backoff(attempts=message.attempts)
        message.save(update_fields=["last_error", "status", "available_at"])
    metrics.record_outbox(topic=topic, outcome="dead" if message.status == MessageStatus.DEAD else "failed")
    return message.status


def backoff(*, attempts: int) -> timedelta:
    """Exponential: OUTBOX_BACKOFF_SECONDS × 2^(attempts-1), capped at OUTBOX_BACKOFF_MAX_SECONDS."""
    seconds = settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


# --- Operating ---------------------------------------------------------------------------


def retry_messages(*, message_ids) -> int:
    """Put dead (or stuck) messages back to pending, due now, attempts reset (admin action)."""
    updated = (
        Message.objects.filter(pk__in=list(message_ids))
        .exclude(status=MessageStatus.DELIVERED)
        .update(status=MessageStatus.PENDING, attempts=0, available_at=timezone.now(), last_error="")
    )
    if updated:
        transaction.on_commit(nudge_relay)
    return updated


def record_health() -> OutboxHealth:
    """Publish the health figures as gauges (/metrics), after each relay task."""
    health = get_health()
    metrics.set_outbox_health(
        pending=health.pending,
        dead=health.dead,
        oldest_pending_seconds=health.oldest_pending_age.total_seconds() if health.oldest_pending_age else 0.0,
    )
    return health


def list_messages(*, topic: str | None = None, status: str | None = None) -> list[MessageSummary]:
    """Messages, oldest first, optionally of one topic or status (operators and tests)."""
    messages = Message.objects.order_by("pk")
    if topic:
        messages = messages.filter(topic=topic)
    if status:
        messages = messages.filter(status=status)
    fields = ("pk", "event_id", "topic", "consumer", "key", "payload", "status", "attempts", "last_error")
    return [MessageSummary(*row) for row in messages.values_list(*fields)]


def get_health(*, now: datetime | None = None) -> OutboxHealth:
    """What an operator watches: undelivered and dead counts, the oldest undelivered age."""
    now = now or timezone.now()
    pending = Message.objects.filter(status=MessageStatus.PENDING)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    return OutboxHealth(
        pending=pending.count(),
        dead=Message.objects.filter(status=MessageStatus.DEAD).count(),
        oldest_pending_age=(now - oldest) if oldest else None,
    )
