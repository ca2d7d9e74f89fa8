"""Public interface of notifications: in-app messages and e-mail about order events.

Orders writes an outbox message on every transition, in the transition's transaction;
the outbox delivers it at least once to `notify_order_transition_task` (subscribed in
apps.py), which calls `notify_order_transition`: it stores the messages idempotently and,
in the same transaction, publishes one e-mail request per new message, delivered to
`send_notification_email_task`. E-mail runs in its own task and its own transaction, so a
failing mail server never touches an order (DESIGN §2 Notifications and Delivery).
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import services as accounts_services
from catalogue import events as catalogue_events
from community import events as community_events
from community import services as community_services
from notifications import messages
from notifications.models import Notification
from orders import events as orders_events
from outbox import services as outbox_services
from shop.common import metrics
from shop.common.errors import NotFoundError
from shop.common.lines import SaleLine, lines_from_json, lines_to_json
from shop.common.money import to_money
from shop.common.pagination import MappedRows

logger = logging.getLogger(__name__)

NotificationKind = Notification.Kind
EmailStatus = Notification.EmailStatus

PAID = messages.PAID

# The outbox topic of e-mail requests; its consumer is send_notification_email_task (apps.py).
EMAIL_REQUESTED = "notifications.email_requested"

# A hung mail server must not hold a notification row lock for long (see send_notification_email).
DEFAULT_EMAIL_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True)
class NotificationSummary:
    notification_id: int
    kind: str
    order_id: int | None
    status: str
    title: str
    body: str
    url: str
    total: Decimal | None
    lines: tuple[SaleLine, ...]
    created_at: datetime
    read_at: datetime | None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationNotFound(NotFoundError):
    default_detail = "No such notification."


class EmailDeliveryFailed(Exception):
    """The e-mail backend refused or failed one send; the task retries with backoff."""


# --- Creating notifications -----------------------------------------------------------


def notify_order_transition(*, transition: orders_events.OrderTransition) -> tuple[int, ...]:
    """Store the buyer's notification of this transition and, on `paid`, one per seller.

    Idempotent: one notification per (recipient, order, status, kind), enforced by a unique
    constraint, so a redelivered event adds nothing. The e-mail of each notification it
    creates is requested through the outbox in the same transaction (exactly once in
    effect). Returns the ids of the notifications created. Runs in its own transaction.
    """
    buyer_title, buyer_body = messages.buyer_message(transition)
    drafts = [
        {
            "recipient_id": transition.buyer_id,
            "kind": NotificationKind.ORDER_STATUS,
            "title": buyer_title,
            "body": buyer_body,
            "payload": _payload(transition.lines, total=transition.total),
        }
    ]
    if transition.to_status == PAID and transition.lines:
        buyer = accounts_services.get_accounts(user_ids=[transition.buyer_id]).get(transition.buyer_id)
        buyer_name = buyer.username if buyer else "A buyer"
        for seller_id in transition.seller_ids:
            sold = tuple(line for line in transition.lines if line.seller_id == seller_id)
            title, body = messages.seller_message(transition, sold, buyer_name=buyer_name)
            drafts.append(
                {
                    "recipient_id": seller_id,
                    "kind": NotificationKind.SALE,
                    "title": title,
                    "body": body,
                    "payload": _payload(sold, total=sum((line.line_total for line in sold), Decimal("0.00"))),
                }
            )

    with transaction.atomic():
        ids = []
        for draft in drafts:
            notification, created = Notification.objects.get_or_create(
                recipient_id=draft["recipient_id"],
                order_id=transition.order_id,
                status=transition.to_status,
                kind=draft["kind"],
                defaults={
                    "from_status": transition.from_status or "",
                    "reason": transition.reason or "",
                    "title": draft["title"],
                    "body": draft["body"],
                    "payload": draft["payload"],
                },
            )
            if created:
                ids.append(notification.pk)
                request_email(notification_id=notification.pk)
                transaction.on_commit(partial(metrics.record_notification, channel="in_app", outcome="created"))
    return tuple(ids)


def notify_parcel_transition(*, transition: orders_events.ParcelTransition, event_id: str) -> tuple[int, ...]:
    """Tell the buyer and/or the seller what a parcel transition means for them.

    Idempotent by the outbox event id (one notification per recipient, kind and event),
    so a redelivery adds nothing; each new notification's e-mail is requested in the
    same transaction. Returns the ids created. Runs in its own transaction.
    """
    accounts = accounts_services.get_accounts(user_ids=[transition.buyer_id, transition.seller_id])
    names = {user_id: account.username for user_id, account in accounts.items()}
    texts = messages.parcel_messages(
        transition,
        seller_name=names.get(transition.seller_id, "the seller"),
        buyer_name=names.get(transition.buyer_id, "the buyer"),
    )
    parties = {
        "buyer": (transition.buyer_id, NotificationKind.PARCEL),
        "seller": (transition.seller_id, NotificationKind.PARCEL_SALE),
    }
    ids = []
    with transaction.atomic():
        for party, (title, body) in texts.items():
            recipient_id, kind = parties[party]
            notification, created = Notification.objects.get_or_create(
                recipient_id=recipient_id,
                kind=kind,
                event_id=event_id,
                defaults={
                    "order_id": transition.order_id,
                    "from_status": transition.from_status,
                    "status": transition.to_status,
                    "reason": transition.reason,
                    "title": title,
                    "body": body,
                    "payload": {
                        **_payload(transition.lines, total=transition.total),
                        "parcel_id": transition.parcel_id,
                    },
                },
            )
            if created:
                ids.append(notification.pk)
                request_email(notification_id=notification.pk)
                transaction.on_commit(partial(metrics.record_notification, channel="in_app", outcome="created"))
    return tuple(ids)


def notify_message_posted(*, event_id: str, message: community_events.MessagePosted) -> tuple[int, ...]:
    """Tell the other side of a conversation about a new message, in-app and by e-mail.

    Idempotent: one notification per (recipient, kind, event id), so a redelivered event
    adds nothing. Runs in its own transaction.
    """
    title, body = messages.message_notice(message)
    return _notify_once(
        event_id=event_id,
        recipient_ids=[message.recipient_id],
        kind=NotificationKind.MESSAGE,
        title=title,
        body=body,
        url=message.url,
    )


def notify_review_posted(*, event_id: str, review: community_events.ReviewPosted) -> tuple[int, ...]:
    """Tell a seller about a new review, in-app and by e-mail, once per event. Runs in its
    own transaction."""
    title, body = messages.review_notice(review)
    return _notify_once(
        event_id=event_id,
        recipient_ids=[review.seller_id],
        kind=NotificationKind.REVIEW,
        title=title,
        body=body,
        url=review.url,
    )


def notify_item_alert(*, event_id: str, alert: catalogue_events.ItemAlert) -> tuple[int, ...]:
    """Tell everyone who favourited an item that it got cheaper or is back in stock,
    each once per change (the event). Runs in its own transaction."""
    watchers = [
        user_id
        for user_id in community_services.list_favouriting_user_ids(item_id=alert.item_id)
        if user_id != alert.seller_id
    ]
    title, body = messages.item_alert_notice(alert)
    return _notify_once(
        event_id=event_id,
        recipient_ids=watchers,
        kind=NotificationKind.FAVOURITE,
        title=title,
        body=body,
        url=f"/items/{alert.item_id}/",
    )


def _notify_once(*, event_id: str, recipient_ids, kind: str, title: str, body: str, url: str) -> tuple[int, ...]:
    ids = []
    with transaction.atomic():
        for recipient_id in recipient_ids:
            notification, created = Notification.objects.get_or_create(
                recipient_id=recipient_id,
                kind=kind,
                event_id=event_id,
                defaults={"title": title[:200], "body": body, "payload": {"url": url}},
            )
            if created:
                ids.append(notification.pk)
                request_email(notification_id=notification.pk)
                transaction.on_commit(partial(metrics.record_notification, channel="in_app", outcome="created"))
    return tuple(ids)


def request_email(*, notification_id: int) -> None:
    """Ask for a notification's e-mail through the outbox; inside the creating transaction."""
    outbox_services.publish(
        topic=EMAIL_REQUESTED, payload={"notification_id": notification_id}, key=f"notification:{notification_id}"
    )


def _payload(lines, *, total: Decimal) -> dict[str, Any]:
    return {"total": str(to_money(total)), "lines": lines_to_json(lines)}


# --- E-mail ---------------------------------------------------------------------------


def send_notification_email(*, notification_id: int) -> str:
    """E-mail one notification to its recipient at most once; returns its e-mail status.

    Locks the notification row (skip_locked) for the send, so two deliveries of the same
    task cannot both send; the other returns at once. The connection gets a timeout so the
    lock is short even when the mail server hangs. Raises EmailDeliveryFailed after
    recording the attempt when the backend fails; the task owns the retries.
    Runs in its own transaction.
    """
    failure: Exception | None = None
    with transaction.atomic():
        notification = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
        if notification is None:
            # Unknown, or another worker is sending it right now.
            return Notification.objects.filter(pk=notification_id).values_list("email_status", flat=True).first() or ""
        if notification.email_status != EmailStatus.PENDING:
            return notification.email_status
        account = accounts_services.get_accounts(user_ids=[notification.recipient_id]).get(notification.recipient_id)
        if account is None or not account.email:
            notification.email_status = EmailStatus.SKIPPED
            notification.save(update_fields=["email_status"])
            metrics.record_notification(channel="email", outcome="skipped")
            return notification.email_status
        notification.email_attempts = F("email_attempts") + 1
        try:
            sent = _build_email(notification, account).send()
            if sent != 1:
                raise EmailDeliveryFailed("the e-mail backend sent nothing")
        except (OSError, EmailDeliveryFailed) as exc:  # smtplib.SMTPException is an OSError
            failure = exc
            notification.email_error = f"{type(exc).__name__}: {exc}"[:255]
            notification.save(update_fields=["email_attempts", "email_error"])
        else:
            notification.email_status = EmailStatus.SENT
            notification.emailed_at = timezone.now()
            notification.email_error = ""
            notification.save(update_fields=["email_attempts", "email_status", "emailed_at", "email_error"])
    if failure is not None:
        metrics.record_notification(channel="email", outcome="error")
        raise EmailDeliveryFailed(str(failure)) from failure
    metrics.record_notification(channel="email", outcome="sent")
    return EmailStatus.SENT


def mark_email_failed(*, notification_id: int) -> None:
    """Give up e-mailing a notification after the task's last retry (it stays in-app)."""
    updated = Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.FAILED
    )
    if updated:
        metrics.record_notification(channel="email", outcome="failed")


def _build_email(notification: Notification, account: accounts_services.AccountSummary) -> EmailMultiAlternatives:
    site = settings.SITE_URL.rstrip("/")
    context = {
        "notification": notification,
        "summary": _summary(notification),
        "account": account,
        "link": f"{site}{notification.url}",
        "notifications_link": f"{site}/notifications/",
    }
    message = EmailMultiAlternatives(
        subject=f"[Bazaar] {notification.title}",
        body=render_to_string("notifications/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[account.email],
        connection=get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT_SECONDS),
    )
    message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
    return message


# --- Reading and marking read ---------------------------------------------------------


def list_notifications(*, user_id: int, unread_only: bool = False) -> MappedRows:
    """The user's notifications, newest first, evaluated lazily so callers paginate in SQL."""
    rows = Notification.objects.filter(recipient_id=user_id).order_by("-created_at", "-pk")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return MappedRows(rows, _summary)


def get_unread_count(*, user_id: int) -> int:
    """How many of the user's notifications are unread: one COUNT on a partial index."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def get_notification(*, user_id: int, notification_id: int) -> NotificationSummary:
    """One of the user's notifications; raises NotificationNotFound for anyone else's."""
    notification = Notification.objects.filter(pk=notification_id, recipient_id=user_id).first()
    if notification is None:
        raise NotificationNotFound()
    return _summary(notification)


def mark_read(*, user_id: int, notification_id: int) -> NotificationSummary:
    """Mark one of the user's notifications read (idempotent: keeps the first read time).

    Raises NotificationNotFound for an unknown id or someone else's notification.
    """
    Notification.objects.filter(pk=notification_id, recipient_id=user_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return get_notification(user_id=user_id, notification_id=notification_id)


def mark_all_read(*, user_id: int) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).update(read_at=timezone.now())


def _summary(notification: Notification) -> NotificationSummary:
    payload = notification.payload or {}
    return NotificationSummary(
        notification_id=notification.pk,
        kind=notification.kind,
        order_id=notification.order_id,
        status=notification.status,
        title=notification.title,
        body=notification.body,
        url=notification.url,
        total=to_money(payload["total"]) if payload.get("total") is not None else None,
        lines=lines_from_json(payload.get("lines", ())),
        created_at=notification.created_at,
        read_at=notification.read_at,
    )
