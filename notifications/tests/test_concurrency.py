"""Redelivered tasks racing each other, with real threads on PostgreSQL (STYLE §2.9)."""

import pytest
from django.core import mail

from notifications import services
from notifications.models import Notification
from notifications.tests.factories import make_transition
from outbox import services as outbox_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_event_handled_four_times_at_once_notifies_and_emails_each_person_once(
    make_user, concurrently, monkeypatch
):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    transition = make_transition(
        order_id=5,
        buyer_id=alice.user_id,
        lines=[(1, bob.user_id, "Desk lamp", 1, "12.50"), (2, carol.user_id, "Teapot", 1, "30.00")],
    )
    # No relay in the threads: eager apply_async flips a process-global Celery flag
    # without a lock. The e-mail requests stay in the outbox, where they are counted.
    monkeypatch.setattr(outbox_services, "nudge_relay", lambda: None)

    results = concurrently(lambda i: services.notify_order_transition(transition=transition), threads=4)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(Notification.objects.values_list("recipient_id", "kind")) == sorted(
        [(alice.user_id, "order_status"), (bob.user_id, "sale"), (carol.user_id, "sale")]
    )
    ids = set(Notification.objects.values_list("pk", flat=True))
    requests = outbox_services.list_messages(topic=services.EMAIL_REQUESTED)
    queued = [request.payload["notification_id"] for request in requests]
    assert sorted(queued) == sorted(ids)  # one request per notification, however many handled the event
    queued = queued * 2  # and a redelivery of each at the same time

    # Every queued e-mail task (duplicates included) delivered at once: one e-mail each.
    sends = concurrently(lambda i: services.send_notification_email(notification_id=queued[i]), threads=len(queued))

    assert [r for r in sends if isinstance(r, Exception)] == []
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com", "carol@example.com"]
    assert set(Notification.objects.values_list("email_status", "email_attempts")) == {("sent", 1)}


def test_four_deliveries_of_one_email_task_send_it_once(make_user, concurrently):
    alice = make_user("alice")
    notification = Notification.objects.create(
        recipient_id=alice.user_id, kind="order_status", order_id=9, status="paid", title="Order #9 is paid", body="x"
    )

    results = concurrently(lambda i: services.send_notification_email(notification_id=notification.pk), threads=4)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert "sent" in results
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("sent", 1)
