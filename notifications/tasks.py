"""Thin Celery tasks: take plain data, call one service, own the retry policy (STYLE §2.7)."""

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from notifications import services

logger = logging.getLogger(__name__)

EMAIL_MAX_RETRIES = 5
EMAIL_BACKOFF_SECONDS = 30
EMAIL_BACKOFF_MAX_SECONDS = 30 * 60


# Any error (a database restart, a lost connection) is retried with backoff: the service
# is idempotent, so a retry after a partial run adds nothing twice.
@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def notify_order_transition_task(self, transition: dict) -> list[int]:
    """Store the notifications of one order transition (idempotent, so retries are safe)."""
    # The e-mails follow on the queue this event came in on, so a deployment that routes
    # notifications to their own queue (or a test worker on a private one) keeps them together.
    queue = (self.request.delivery_info or {}).get("routing_key")
    ids = services.notify_order_transition(transition=services.transition_from_json(transition), email_queue=queue)
    return list(ids)


@shared_task(bind=True, acks_late=True, max_retries=EMAIL_MAX_RETRIES)
def send_notification_email_task(self, notification_id: int) -> str:
    """E-mail one notification; on a backend failure retry with exponential backoff and
    jitter, and after the last retry mark it failed (it stays readable in-app)."""
    try:
        return services.send_notification_email(notification_id=notification_id)
    except services.EmailDeliveryFailed as exc:
        if self.request.retries >= self.max_retries:
            logger.warning("giving up e-mailing notification %s: %s", notification_id, exc)
            services.mark_email_failed(notification_id=notification_id)
            return services.EmailStatus.FAILED
        countdown = get_exponential_backoff_interval(
            factor=EMAIL_BACKOFF_SECONDS,
            retries=self.request.retries,
            maximum=EMAIL_BACKOFF_MAX_SECONDS,
            full_jitter=True,
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
