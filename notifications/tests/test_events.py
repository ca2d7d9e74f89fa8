"""Order events in, notifications and e-mails out (eager Celery, events through the real outbox)."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import services
from notifications.models import Notification
from notifications.tests import backends
from notifications.tests.factories import make_transition
from orders import events as orders_events
from outbox import services as outbox_services


@pytest.fixture
def carol(make_user):
    return make_user("carol")


def send(transition, capture):
    """Publish the transition as orders does, in a transaction; commit runs the relay."""
    with capture(execute=True), transaction.atomic():
        outbox_services.publish(topic=orders_events.ORDER_TRANSITIONED, payload=transition.to_json())


def relay_later(*, seconds: float):
    """One relay run as if `seconds` had passed: backoffs and leases come due."""
    return outbox_services.relay(now=timezone.now() + timedelta(seconds=seconds))


def paid_order(alice, bob, carol, order_id=7):
    return make_transition(
        order_id=order_id,
        buyer_id=alice.user_id,
        lines=[
            (11, bob.user_id, "Desk lamp", 2, "12.50"),
            (12, carol.user_id, "Teapot", 1, "30.00"),
            (13, bob.user_id, "Bookend", 1, "4.25"),
        ],
    )


@pytest.mark.django_db
def test_paid_order_notifies_buyer_and_each_seller_once_with_what_sold(
    alice, bob, carol, django_capture_on_commit_callbacks
):
    send(paid_order(alice, bob, carol), django_capture_on_commit_callbacks)

    rows = {n.recipient_id: n for n in Notification.objects.filter(order_id=7).order_by("pk")}
    assert Notification.objects.count() == 3
    buyer, bob_sale, carol_sale = rows[alice.user_id], rows[bob.user_id], rows[carol.user_id]
    assert (buyer.kind, buyer.status, buyer.from_status) == ("order_status", "paid", "awaiting_payment")
    assert buyer.title == "Order #7 is paid"
    assert buyer.body == "You paid 59.25 cr for 4 items. The sellers have been told."
    assert buyer.payload["total"] == "59.25"
    assert [line["item_id"] for line in buyer.payload["lines"]] == [11, 12, 13]
    assert (bob_sale.kind, bob_sale.status) == ("sale", "paid")
    assert bob_sale.title == "You sold 3 items in order #7"
    assert bob_sale.body == "alice paid for 2 × Desk lamp, 1 × Bookend. 29.25 cr is held in escrow until delivery."
    assert bob_sale.payload == {
        "total": "29.25",
        "lines": [
            {
                "item_id": 11,
                "seller_id": bob.user_id,
                "title": "Desk lamp",
                "quantity": 2,
                "unit_price": "12.50",
                "line_total": "25.00",
            },
            {
                "item_id": 13,
                "seller_id": bob.user_id,
                "title": "Bookend",
                "quantity": 1,
                "unit_price": "4.25",
                "line_total": "4.25",
            },
        ],
    }
    assert carol_sale.title == "You sold 1 item in order #7"
    assert carol_sale.body == "alice paid for 1 × Teapot. 30.00 cr is held in escrow until delivery."
    assert {n.email_status for n in rows.values()} == {"sent"}
    assert all(n.emailed_at is not None and n.email_attempts == 1 for n in rows.values())

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert set(by_recipient) == {"alice@example.com", "bob@example.com", "carol@example.com"}
    bob_mail = by_recipient["bob@example.com"]
    assert bob_mail.subject == "[Bazaar] You sold 3 items in order #7"
    assert bob_mail.from_email == "Bazaar <noreply@bazaar.example>"
    assert "Hello bob," in bob_mail.body
    assert "2 × Desk lamp at 12.50 cr: 25.00 cr" in bob_mail.body
    assert "1 × Bookend at 4.25 cr: 4.25 cr" in bob_mail.body
    assert "Teapot" not in bob_mail.body
    assert "Total: 29.25 cr" in bob_mail.body
    assert "See your sales: /sales/" in bob_mail.body
    html, mimetype = bob_mail.alternatives[0]
    assert mimetype == "text/html"
    assert "<td>Desk lamp</td>" in html and "Teapot" not in html
    assert "See your order: /orders/7/" in by_recipient["alice@example.com"].body


@pytest.mark.django_db
def test_email_links_start_with_the_site_url(alice, bob, carol, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://shop.example/"

    send(paid_order(alice, bob, carol), django_capture_on_commit_callbacks)

    alice_mail = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert "See your order: https://shop.example/orders/7/" in alice_mail.body
    assert 'href="https://shop.example/notifications/"' in alice_mail.alternatives[0][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("from_status", "to_status", "reason", "actor", "title", "body"),
    [
        ("", "new", "", "buyer", "Order #7 placed", "We received your order of 2 items for 25.00 cr."),
        (
            "new",
            "awaiting_payment",
            "",
            "buyer",
            "Order #7 is waiting for payment",
            "We reserved 2 items for you. Pay 25.00 cr from your wallet before the reservation expires.",
        ),
        (
            "new",
            "failed",
            "insufficient_stock",
            "buyer",
            "Order #7 could not be placed",
            "Some items were no longer available in the quantity you asked for. Nothing was charged and your "
            "cart was kept.",
        ),
        (
            "new",
            "failed",
            "item_unavailable",
            "buyer",
            "Order #7 could not be placed",
            "Some items are no longer for sale. Nothing was charged and your cart was kept.",
        ),
        (
            "awaiting_payment",
            "cancelled",
            "payment_timeout",
            None,
            "Order #7 was cancelled",
            "Your order was cancelled because it was not paid in time. Nothing was charged.",
        ),
        (
            "awaiting_payment",
            "cancelled",
            "",
            "buyer",
            "Order #7 was cancelled",
            "Your order was cancelled because you cancelled it. Nothing was charged.",
        ),
        (
            "awaiting_payment",
            "cancelled",
            "",
            "moderator",
            "Order #7 was cancelled",
            "Your order was cancelled because a moderator cancelled it. Nothing was charged.",
        ),
    ],
)
def test_every_other_transition_notifies_only_the_buyer(
    alice, bob, make_user, django_capture_on_commit_callbacks, from_status, to_status, reason, actor, title, body
):
    actor_id = {"buyer": alice.user_id, "moderator": make_user("mod").user_id, None: None}[actor]
    transition = make_transition(
        buyer_id=alice.user_id,
        lines=[(11, bob.user_id, "Desk lamp", 2, "12.50")],
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor_id=actor_id,
    )

    send(transition, django_capture_on_commit_callbacks)

    notification = Notification.objects.get()
    assert (notification.recipient_id, notification.kind, notification.status) == (
        alice.user_id,
        "order_status",
        to_status,
    )
    assert (notification.title, notification.body, notification.reason) == (title, body, reason)
    assert [(m.to, m.subject) for m in mail.outbox] == [(["alice@example.com"], f"[Bazaar] {title}")]


@pytest.mark.django_db
def test_a_redelivered_event_adds_no_notification_and_no_email(alice, bob, carol, django_capture_on_commit_callbacks):
    transition = paid_order(alice, bob, carol)
    send(transition, django_capture_on_commit_callbacks)
    before = list(Notification.objects.order_by("pk").values_list("pk", "emailed_at"))

    # The same event handled again (a lease ran out while the consumer worked).
    assert services.notify_order_transition(transition=transition) == ()
    assert list(Notification.objects.order_by("pk").values_list("pk", "emailed_at")) == before
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_transition_survives_the_json_round_trip(alice, bob, carol):
    transition = paid_order(alice, bob, carol)

    assert orders_events.OrderTransition.from_json(transition.to_json()) == transition


@pytest.mark.django_db
def test_a_failing_mail_server_never_affects_the_event_and_keeps_the_notifications(
    alice, bob, carol, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "notifications.tests.backends.DownBackend"
    backends.calls["count"] = 0

    send(paid_order(alice, bob, carol), django_capture_on_commit_callbacks)

    notifications = list(Notification.objects.all())
    assert len(notifications) == 3
    assert backends.calls["count"] == 3
    # The outbox keeps each e-mail request for a retry after its backoff.
    emails = outbox_services.list_messages(topic=services.EMAIL_REQUESTED)
    assert [(m.status, m.attempts) for m in emails] == [("pending", 1)] * 3
    for notification in notifications:
        assert (notification.email_status, notification.emailed_at, notification.email_attempts) == ("pending", None, 1)
        assert notification.email_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_email_is_retried_with_backoff_then_given_up(alice, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_MAX_ATTEMPTS = attempts = 4
    settings.EMAIL_BACKEND = "notifications.tests.backends.DownBackend"
    backends.calls["count"] = 0
    with django_capture_on_commit_callbacks(execute=True):
        notification_id = services.notify_order_transition(
            transition=make_transition(buyer_id=alice.user_id, to_status="awaiting_payment", from_status="new")
        )[0]
    [request] = outbox_services.list_messages(topic=services.EMAIL_REQUESTED)
    assert (request.status, request.attempts) == ("pending", 1)

    # Not due before its backoff; then once per run until the last attempt.
    assert outbox_services.relay().claimed == 0
    for _ in range(attempts - 1):
        relay_later(seconds=settings.OUTBOX_BACKOFF_MAX_SECONDS)

    [request] = outbox_services.list_messages(topic=services.EMAIL_REQUESTED)
    assert (request.status, request.attempts) == ("dead", attempts)
    assert request.last_error.startswith("EmailDeliveryFailed")
    assert relay_later(seconds=3600).claimed == 0
    assert backends.calls["count"] == attempts
    notification = Notification.objects.get(pk=notification_id)
    assert (notification.email_status, notification.emailed_at, notification.email_attempts) == (
        "failed",
        None,
        attempts,
    )
    assert notification.read_at is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_mail_server_back_after_a_failure_sends_once(alice, settings):
    notification_id = services.notify_order_transition(
        transition=make_transition(buyer_id=alice.user_id, to_status="awaiting_payment", from_status="new")
    )[0]
    settings.EMAIL_BACKEND = "notifications.tests.backends.DownBackend"
    with pytest.raises(services.EmailDeliveryFailed):
        services.send_notification_email(notification_id=notification_id)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert services.send_notification_email(notification_id=notification_id) == "sent"
    assert services.send_notification_email(notification_id=notification_id) == "sent"

    notification = Notification.objects.get(pk=notification_id)
    assert (notification.email_status, notification.email_attempts, notification.email_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_recipient_without_an_address_is_skipped(alice):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=alice.user_id).update(email="")
    notification_id = services.notify_order_transition(
        transition=make_transition(buyer_id=alice.user_id, to_status="awaiting_payment", from_status="new")
    )[0]

    assert services.send_notification_email(notification_id=notification_id) == "skipped"
    assert Notification.objects.get(pk=notification_id).email_status == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_broker_outage_never_raises_and_loses_nothing(
    alice, bob, carol, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(outbox_services.tasks.relay_outbox_task, "apply_async", broker_down)
    with caplog.at_level(logging.WARNING, logger="outbox.services"):
        send(paid_order(alice, bob, carol), django_capture_on_commit_callbacks)

    assert Notification.objects.count() == 0
    assert "could not nudge the outbox relay" in caplog.text
    assert [m.status for m in outbox_services.list_messages()] == ["pending"]

    # The broker is back: beat's relay run delivers what waited.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_services.relay()
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_notifications_consumer_is_subscribed_once():
    from django.apps import apps

    apps.get_app_config("notifications").ready()

    assert outbox_services.subscribers(topic=orders_events.ORDER_TRANSITIONED) == (
        "notifications.tasks.notify_order_transition_task",
    )


@pytest.mark.django_db
def test_occurred_at_is_kept_in_the_json(alice):
    data = make_transition(buyer_id=alice.user_id).to_json()

    assert data["occurred_at"] == datetime(2026, 5, 4, 12, 30, tzinfo=UTC).isoformat()
    assert data["total"] == "0.00"
