"""Thin Celery tasks: outbox consumers that call one service each (STYLE §2.7).

The outbox owns delivery and retries (outbox.services.deliver): a task records its
outcome on the message instead of raising, so a poison event ends dead without holding up
the others, and a redelivery finds the effect already stored.
"""

import logging
from functools import partial

from celery import shared_task

from catalogue import events as catalogue_events
from community import events as community_events
from notifications import services
from orders import events as orders_events
from outbox import services as outbox_services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def notify_order_transition_task(message_id: int, event_id: str, payload: dict) -> str:
    """Store the notifications of one order transition (outbox topic orders.order_transitioned)."""
    transition = orders_events.OrderTransition.from_json(payload)
    return outbox_services.deliver(
        message_id=message_id, handler=partial(services.notify_order_transition, transition=transition)
    )


@shared_task(acks_late=True)
def notify_parcel_transition_task(message_id: int, event_id: str, payload: dict) -> str:
    """Tell buyer and seller about a parcel transition (outbox topic orders.parcel_transitioned)."""
    transition = orders_events.ParcelTransition.from_json(payload)
    return outbox_services.deliver(
        message_id=message_id,
        handler=partial(services.notify_parcel_transition, transition=transition, event_id=event_id),
    )


@shared_task(acks_late=True)
def send_notification_email_task(message_id: int, event_id: str, payload: dict) -> str:
    """E-mail one notification; the outbox retries a failing mail server with backoff, and
    when it gives up the notification is marked failed (it stays readable in-app)."""
    notification_id = int(payload["notification_id"])
    status = outbox_services.deliver(
        message_id=message_id, handler=partial(services.send_notification_email, notification_id=notification_id)
    )
    if status == outbox_services.MessageStatus.DEAD:
        logger.warning("giving up e-mailing notification %s", notification_id)
        services.mark_email_failed(notification_id=notification_id)
    return status


@shared_task(acks_late=True)
def notify_message_posted_task(message_id: int, event_id: str, payload: dict) -> str:
    """Tell the other side of a conversation about a new message (outbox topic community.message_posted)."""
    message = community_events.MessagePosted.from_json(payload)
    return outbox_services.deliver(
        message_id=message_id,
        handler=partial(services.notify_message_posted, event_id=event_id, message=message),
    )


@shared_task(acks_late=True)
def notify_review_posted_task(message_id: int, event_id: str, payload: dict) -> str:
    """Tell a seller about a new review of them (outbox topic community.review_posted)."""
    review = community_events.ReviewPosted.from_json(payload)
    return outbox_services.deliver(
        message_id=message_id,
        handler=partial(services.notify_review_posted, event_id=event_id, review=review),
    )


@shared_task(acks_late=True)
def notify_item_alert_task(message_id: int, event_id: str, payload: dict) -> str:
    """Tell an item's favouriting users of a price drop or a restock (outbox topic catalogue.item_alert)."""
    alert = catalogue_events.ItemAlert.from_json(payload)
    return outbox_services.deliver(
        message_id=message_id, handler=partial(services.notify_item_alert, event_id=event_id, alert=alert)
    )
