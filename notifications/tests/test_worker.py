"""With a real Celery worker on Redis: the event in, notifications and e-mails out.

The worker is another process, so its locmem outbox is out of reach: a notification's
`email_status == "sent"` and `emailed_at` are written only after the backend accepted
the message, which is the e-mail evidence read here. The message itself (addresses,
subject, lines, HTML part) is checked in test_events.py with the same services.
"""

import pytest

from notifications.models import Notification
from notifications.tests.factories import make_transition
from orders import events as orders_events

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_paid_order_event_reaches_buyer_and_sellers_through_the_worker(celery_worker, make_user, eventually):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    transition = make_transition(
        order_id=41,
        buyer_id=alice.user_id,
        lines=[(11, bob.user_id, "Desk lamp", 2, "12.50"), (12, carol.user_id, "Teapot", 1, "30.00")],
    )

    responses = orders_events.order_transitioned.send_robust(sender=None, transition=transition)

    assert [exc for _, exc in responses if isinstance(exc, Exception)] == []
    assert eventually(lambda: Notification.objects.filter(order_id=41, email_status="sent").count() == 3, timeout=60)
    rows = {n.recipient_id: n for n in Notification.objects.filter(order_id=41)}
    assert set(rows) == {alice.user_id, bob.user_id, carol.user_id}
    assert (rows[alice.user_id].kind, rows[alice.user_id].title) == ("order_status", "Order #41 is paid")
    assert (rows[bob.user_id].kind, rows[bob.user_id].title) == ("sale", "You sold 2 items in order #41")
    assert (rows[carol.user_id].kind, rows[carol.user_id].title) == ("sale", "You sold 1 item in order #41")
    assert all(n.emailed_at is not None and n.email_attempts == 1 for n in rows.values())
    assert all(n.read_at is None for n in rows.values())
