"""Thin Celery tasks (STYLE §2.7): take ids, call one service, own the retry policy."""

from celery import shared_task
from django.conf import settings

from orders import services


@shared_task(name="orders.tasks.expire_overdue_orders_task", ignore_result=True)
def expire_overdue_orders_task() -> int:
    """The beat sweep (every ORDER_EXPIRY_SWEEP_SECONDS): cancel one bounded batch of overdue orders.

    A full batch that was all expired means more may wait: queue the next batch now
    rather than a whole sweep interval later. Safe to run twice at once (SKIP LOCKED).
    """
    sweep = services.expire_overdue_orders()
    if sweep.expired and sweep.expired >= settings.ORDER_EXPIRY_BATCH_SIZE:
        expire_overdue_orders_task.delay()
    return sweep.expired


@shared_task(name="orders.tasks.sweep_parcel_deadlines_task", ignore_result=True, soft_time_limit=50, time_limit=55)
def sweep_parcel_deadlines_task() -> int:
    """The beat sweep (every PARCEL_SWEEP_SECONDS): refund parcels not shipped in time and
    complete shipped ones nobody disputed. Each action also checks its own deadline, so
    correctness never waits on this (DESIGN §2 Fulfilment)."""
    sweep = services.sweep_parcel_deadlines()
    return sweep.refunded + sweep.completed
