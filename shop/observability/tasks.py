"""A diagnostic task: checks the whole path web -> broker -> worker -> logs -> traces.

    celery -A shop call shop.observability.tasks.ping_task

Its log line (and its span, when tracing is on) carries the request id of whoever queued
it; the tests queue it from a request to prove the id crosses into the worker.
"""

import logging

from celery import shared_task

from shop.observability import context

logger = logging.getLogger(__name__)


@shared_task
def ping_task() -> str | None:
    """Log "pong" and return the request id this task runs under (None if none)."""
    logger.info("pong")
    return context.current().request_id
