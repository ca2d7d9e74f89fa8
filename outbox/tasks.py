"""Thin Celery tasks of the outbox (STYLE §2.7)."""

from celery import shared_task
from django.conf import settings

from outbox import services


@shared_task(name="outbox.tasks.relay_outbox_task", ignore_result=True, soft_time_limit=50, time_limit=55)
def relay_outbox_task() -> int:
    """Relay due messages: nudged after each commit that published, and run by beat every
    OUTBOX_RELAY_SECONDS so nothing waits on a lost nudge. Goes on while batches come back
    full, up to a bound, so a backlog drains without waiting for the next beat."""
    dispatched = 0
    for _ in range(20):
        run = services.relay()
        dispatched += run.dispatched
        if run.broker_unavailable or run.claimed < settings.OUTBOX_BATCH_SIZE:
            break
    services.record_health()
    return dispatched
