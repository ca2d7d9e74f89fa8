"""The outbox: publish in the changing transaction, relay with leases, deliver at least once."""

import threading
from datetime import timedelta

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import Message

TOPIC = "tests.something_happened"
handled: list[tuple[int, dict]] = []


@shared_task(name="outbox.tests.record_task")
def record_task(message_id: int, event_id: str, payload: dict) -> str:
    return services.deliver(message_id=message_id, handler=lambda: handled.append((message_id, payload)))


@shared_task(name="outbox.tests.poison_task")
def poison_task(message_id: int, event_id: str, payload: dict) -> str:
    def explode():
        raise ValueError("this consumer always fails")

    return services.deliver(message_id=message_id, handler=explode)


@pytest.fixture(autouse=True)
def consumers(monkeypatch):
    monkeypatch.setattr(services, "_subscribers", {TOPIC: []})
    services.subscribe(topic=TOPIC, consumer=record_task)
    handled.clear()
    yield
    handled.clear()


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


@pytest.mark.django_db
def test_publish_writes_one_row_per_consumer_in_the_callers_transaction(django_capture_on_commit_callbacks):
    services.subscribe(topic=TOPIC, consumer=poison_task)

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        event_id = services.publish(topic=TOPIC, payload={"order_id": 7}, key="order:7")

    rows = list(Message.objects.order_by("consumer").values_list("event_id", "consumer", "status", "key", "payload"))
    assert rows == [
        (event_id, "outbox.tests.poison_task", "pending", "order:7", {"order_id": 7}),
        (event_id, "outbox.tests.record_task", "pending", "order:7", {"order_id": 7}),
    ]
    assert [type(callback) for callback in callbacks] == [services._Nudge]
    assert handled == []


@pytest.fixture
def nudges(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(services, "nudge_relay", lambda: sent.append(1))
    return sent


@pytest.mark.django_db
def test_a_transaction_publishing_several_events_nudges_the_relay_once(django_capture_on_commit_callbacks, nudges):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.publish(topic=TOPIC, payload={"order_id": 7})
        services.publish(topic=TOPIC, payload={"invoice_id": 3})
    assert (Message.objects.count(), len(nudges)) == (2, 1)

    # The next transaction nudges again.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.publish(topic=TOPIC, payload={"order_id": 8})
    assert (Message.objects.count(), len(nudges)) == (3, 2)


@pytest.mark.django_db
def test_a_savepoint_rolled_back_with_its_nudge_leaves_the_later_events_theirs(
    django_capture_on_commit_callbacks, nudges
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.publish(topic=TOPIC, payload={"order_id": 7})
            raise RuntimeError("this part failed")
        services.publish(topic=TOPIC, payload={"order_id": 8})

    assert list(Message.objects.values_list("payload", flat=True)) == [{"order_id": 8}]
    assert len(nudges) == 1


@pytest.mark.django_db
def test_a_rolled_back_savepoint_keeps_the_nudge_of_the_events_before_it(django_capture_on_commit_callbacks, nudges):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.publish(topic=TOPIC, payload={"order_id": 7})
        with transaction.atomic():
            services.publish(topic=TOPIC, payload={"order_id": 8})
        with pytest.raises(RuntimeError), transaction.atomic():
            services.publish(topic=TOPIC, payload={"order_id": 9})
            raise RuntimeError("this part failed")

    assert list(Message.objects.order_by("pk").values_list("payload", flat=True)) == [{"order_id": 7}, {"order_id": 8}]
    assert len(nudges) == 1


@pytest.mark.django_db
def test_a_rolled_back_change_publishes_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.publish(topic=TOPIC, payload={"order_id": 8})
        raise RuntimeError("the change failed")

    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_a_topic_nobody_consumes_writes_nothing():
    services.publish(topic="tests.nobody_listens", payload={})

    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_the_nudge_after_commit_delivers_once_and_a_second_relay_finds_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.publish(topic=TOPIC, payload={"n": 1})

    message = Message.objects.get()
    assert (message.status, message.attempts, message.last_error) == ("delivered", 1, "")
    assert message.delivered_at is not None
    assert handled == [(message.pk, {"n": 1})]
    assert services.relay(now=later(3600)).claimed == 0
    assert len(handled) == 1


@pytest.mark.django_db
def test_a_lease_that_ran_out_hands_the_message_out_again_and_the_consumer_sees_it_twice(monkeypatch):
    sent: list[int] = []

    class Lost:  # the worker took the message and died before answering
        @staticmethod
        def apply_async(kwargs):
            sent.append(kwargs["message_id"])

    services.publish(topic=TOPIC, payload={"n": 2})
    monkeypatch.setattr(services, "_consumer_task", lambda name: Lost)
    assert services.relay().dispatched == 1
    assert services.relay(now=later(60)).claimed == 0  # leased: nobody else gets it
    monkeypatch.undo()

    run = services.relay(now=later(services.settings.OUTBOX_LEASE_SECONDS + 1))

    message = Message.objects.get()
    assert run.dispatched == 1
    assert (message.status, message.attempts) == ("delivered", 2)
    assert sent == [message.pk] and handled == [(message.pk, {"n": 2})]


@pytest.mark.django_db
def test_a_poison_event_ends_dead_after_max_attempts_without_holding_up_the_others(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    services.subscribe(topic=TOPIC, consumer=poison_task)
    for n in range(3):
        services.publish(topic=TOPIC, payload={"n": n})

    runs = [services.relay(now=later(hours)) for hours in (0, 3600, 7200, 10800)]

    poison = Message.objects.filter(consumer="outbox.tests.poison_task")
    assert sorted(poison.values_list("status", "attempts")) == [("dead", 3)] * 3
    assert set(poison.values_list("last_error", flat=True)) == {"ValueError: this consumer always fails"}
    assert sorted(payload["n"] for _, payload in handled) == [0, 1, 2]  # delivered at the first run
    assert [run.dispatched for run in runs] == [6, 3, 3, 0]
    assert services.get_health().dead == 3

    assert services.retry_messages(message_ids=poison.values_list("pk", flat=True)) == 3
    assert sorted(poison.values_list("status", "attempts")) == [("pending", 0)] * 3


@pytest.mark.django_db
def test_backoff_doubles_and_is_capped(settings):
    settings.OUTBOX_BACKOFF_SECONDS, settings.OUTBOX_BACKOFF_MAX_SECONDS = 5, 60

    assert [services.backoff(attempts=n).total_seconds() for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 40, 60]


@pytest.mark.django_db
def test_a_broker_outage_gives_the_batch_back_uncounted(monkeypatch):
    class BrokerDown:
        @staticmethod
        def apply_async(kwargs):
            raise ConnectionRefusedError("broker away")

    services.publish(topic=TOPIC, payload={"n": 3})
    monkeypatch.setattr(services, "_consumer_task", lambda name: BrokerDown)

    run = services.relay()

    message = Message.objects.get()
    assert (run.claimed, run.dispatched, run.broker_unavailable) == (1, 0, True)
    assert (message.status, message.attempts) == ("pending", 0)
    monkeypatch.undo()
    assert services.relay(now=later(services.settings.OUTBOX_BROKER_RETRY_SECONDS + 1)).dispatched == 1
    assert Message.objects.get().status == "delivered"


@pytest.mark.django_db
def test_health_reports_the_oldest_undelivered_message():
    now = timezone.now()
    services.publish(topic=TOPIC, payload={})
    Message.objects.update(created_at=now - timedelta(seconds=90))

    health = services.get_health(now=now)

    assert (health.pending, health.dead, health.oldest_pending_age) == (1, 0, timedelta(seconds=90))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_relays_racing_over_a_thousand_events_hand_each_out_once(monkeypatch, concurrently, settings):
    settings.OUTBOX_BATCH_SIZE = 50
    monkeypatch.setattr(services, "nudge_relay", lambda: None)  # only the two relays below
    with transaction.atomic():
        for n in range(1000):
            services.publish(topic=TOPIC, payload={"n": n})
    dispatched: list[int] = []
    lock = threading.Lock()

    class Recorder:  # what the broker would receive, from both relays
        @staticmethod
        def apply_async(kwargs):
            with lock:
                dispatched.append(kwargs["message_id"])

    monkeypatch.setattr(services, "_consumer_task", lambda name: Recorder)

    def drain(_):
        while services.relay().claimed:
            pass

    results = concurrently(drain, threads=2)

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(dispatched) == 1000
    assert len(set(dispatched)) == 1000
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_admin_lists_dead_messages_and_retries_them(admin_client, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    services.subscribe(topic=TOPIC, consumer=poison_task)
    services.publish(topic=TOPIC, payload={"n": 9})
    services.relay()
    dead = Message.objects.get(consumer="outbox.tests.poison_task")
    assert dead.status == "dead"

    listing = admin_client.get("/admin/outbox/message/?status__exact=dead")
    retried = admin_client.post(
        "/admin/outbox/message/", {"action": "retry", "_selected_action": [dead.pk]}, follow=True
    )

    assert listing.status_code == 200
    assert "outbox.tests.poison_task" in listing.content.decode()
    assert retried.status_code == 200
    assert "1 message(s) queued again." in retried.content.decode()
    dead.refresh_from_db()
    assert (dead.status, dead.attempts, dead.last_error) == ("pending", 0, "")
