"""/metrics after real flows: business, HTTP, database and Celery metrics (issue 7, part 1/6)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from celery import shared_task
from django.core import mail
from django.urls import resolve
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from cart import services as cart_services
from orders import services as orders_services
from shop.common import metrics

pytestmark = pytest.mark.django_db

PAYMENTS_TASK = "payments.tasks.render_requested_invoice_task"


def scrape(client) -> dict[tuple[str, frozenset], float]:
    """GET /metrics and index every sample by (name, labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def delta(before: dict, after: dict, name: str, **labels) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


def total(samples: dict, name: str, **labels) -> float:
    """Sum of `name` over every label set that includes `labels`."""
    wanted = set(labels.items())
    return sum(value for (sample, labelset), value in samples.items() if sample == name and wanted <= labelset)


def transition(before, after, from_status, to_status) -> float:
    return delta(before, after, "bazaar_order_transitions_total", from_status=from_status, to_status=to_status)


def test_a_purchase_shows_up_on_metrics(client, api_as, alice, bob, make_item, django_capture_on_commit_callbacks):
    lamp = make_item(bob, title="Lamp", price="12.50", quantity=3)
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alice).post("/api/v1/cart/lines/", {"item_id": lamp, "quantity": 2})
        assert response.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        order = api_as(alice).post("/api/v1/orders/").json()
    assert order["status"] == "awaiting_payment"
    with django_capture_on_commit_callbacks(execute=True):
        paid = api_as(alice).post(f"/api/v1/orders/{order['id']}/pay/")
    assert paid.status_code == 200
    assert paid.json()["status"] == "paid"
    after = scrape(client)
    pay_view = resolve(f"/api/v1/orders/{order['id']}/pay/").view_name

    # Business metrics (shop.common.metrics, recorded by orders, payments, notifications).
    assert transition(before, after, "new", "awaiting_payment") == 1
    assert transition(before, after, "awaiting_payment", "paid") == 1
    assert delta(before, after, "bazaar_payments_total") == 1
    assert delta(before, after, "bazaar_payment_volume_credits_total") == 25.0
    assert delta(before, after, "bazaar_invoice_render_seconds_count") == 1
    assert delta(before, after, "bazaar_invoice_render_seconds_sum") > 0
    assert delta(before, after, "bazaar_reservation_failures_total") == 0
    notifications = sum(api_as(user).get("/api/v1/notifications/").json()["count"] for user in (alice, bob))
    assert notifications > 0
    assert delta(before, after, "bazaar_notifications_total", channel="in_app", outcome="created") == notifications
    assert delta(before, after, "bazaar_notifications_total", channel="email", outcome="sent") == len(mail.outbox)
    # Celery task metrics (eager here; a live worker records the same through the same signals).
    assert delta(before, after, "bazaar_celery_tasks_total", task=PAYMENTS_TASK, state="success") == 1
    assert delta(before, after, "bazaar_celery_task_duration_seconds_count", task=PAYMENTS_TASK) == 1
    # django-prometheus: requests by view, latency, database.
    assert (
        delta(
            before,
            after,
            "django_http_responses_total_by_status_view_method_total",
            status="200",
            view=pay_view,
            method="POST",
        )
        == 1
    )
    assert (
        delta(
            before,
            after,
            "django_http_requests_latency_seconds_by_view_method_count",
            view=pay_view,
            method="POST",
        )
        == 1
    )
    assert total(after, "django_db_execute_total") > total(before, "django_db_execute_total")


def test_a_checkout_short_of_stock_counts_a_reservation_failure(
    client, alice, bob, make_user, make_item, django_capture_on_commit_callbacks
):
    carol = make_user("carol")
    vase = make_item(bob, title="Vase", price="4.00", quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=vase, quantity=1)
    cart_services.add_to_cart(user_id=carol.user_id, item_id=vase, quantity=1)
    orders_services.place_order(buyer_id=carol.user_id)  # takes the only vase
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        result = orders_services.place_order(buyer_id=alice.user_id)

    after = scrape(client)
    assert result.order.status == "failed"
    assert delta(before, after, "bazaar_reservation_failures_total") == 1
    assert transition(before, after, "new", "failed") == 1
    assert transition(before, after, "new", "awaiting_payment") == 0


def test_an_expired_order_counts_an_expiry(client, alice, bob, make_item, django_capture_on_commit_callbacks):
    clock = make_item(bob, title="Clock", price="7.00", quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=clock, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        order = orders_services.place_order(buyer_id=alice.user_id).order
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        orders_services.expire_overdue_orders(now=timezone.now() + timedelta(days=1))

    after = scrape(client)
    assert orders_services.get_order_for_user(order_id=order.order_id, user_id=alice.user_id).status == "cancelled"
    assert delta(before, after, "bazaar_order_expiries_total") == 1
    assert transition(before, after, "awaiting_payment", "cancelled") == 1
    assert delta(before, after, "bazaar_payments_total") == 0


@shared_task
def explode_task() -> None:
    raise RuntimeError("boom")


def test_a_failing_task_counts_as_a_failure_with_its_duration(client):
    before = scrape(client)

    with pytest.raises(RuntimeError, match="boom"):
        explode_task.delay()

    after = scrape(client)
    task = "shop.tests.test_metrics.explode_task"
    assert delta(before, after, "bazaar_celery_tasks_total", task=task, state="failure") == 1
    assert delta(before, after, "bazaar_celery_tasks_total", task=task, state="success") == 0
    assert delta(before, after, "bazaar_celery_task_duration_seconds_count", task=task) == 1


def test_metrics_lists_every_business_metric_even_before_any_event(client):
    names = {name for name, _ in scrape(client)}
    assert {
        "bazaar_payments_total",
        "bazaar_payment_volume_credits_total",
        "bazaar_reservation_failures_total",
        "bazaar_order_expiries_total",
        "bazaar_invoice_render_seconds_count",
    } <= names


def test_money_volume_is_recorded_to_the_cent(client):
    before = scrape(client)
    metrics.record_payment(amount=Decimal("0.10"))
    metrics.record_payment(amount=Decimal("0.20"))
    after = scrape(client)
    assert delta(before, after, "bazaar_payments_total") == 2
    assert round(delta(before, after, "bazaar_payment_volume_credits_total"), 2) == 0.30
