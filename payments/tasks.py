"""Thin Celery tasks for invoices (STYLE §2.7): take ids, call one service, own the retry policy."""

from functools import partial

from celery import shared_task

from outbox import services as outbox_services
from payments import services


# acks_late: a worker killed mid-render leaves the message to be redelivered.
# autoretry_for=(Exception,): the service has already recorded the failure on the
# invoice (status failed), so any error is worth another try with backoff; once the
# retries are spent, the beat sweep below keeps re-queueing it (DESIGN §2).
@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def render_invoice_task(invoice_id: int) -> str:
    return services.render_invoice(invoice_id=invoice_id)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def retry_pending_invoices_task() -> int:
    return services.retry_pending_invoices()


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def render_requested_invoice_task(message_id: int, event_id: str, payload: dict) -> str:
    """The outbox consumer of render requests: the outbox owns retries (render_invoice is
    idempotent and marks a failed render failed, which the sweep above also retries)."""
    return outbox_services.deliver(
        message_id=message_id, handler=partial(services.render_invoice, invoice_id=int(payload["invoice_id"]))
    )


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def render_requested_credit_note_task(message_id: int, event_id: str, payload: dict) -> str:
    """The outbox consumer of credit note renders (idempotent, retried by the outbox)."""
    return outbox_services.deliver(
        message_id=message_id,
        handler=partial(services.render_credit_note, credit_note_id=int(payload["credit_note_id"])),
    )
