"""Pay, cancel and expire: every transition and every refused one (409 with its code, nothing changed)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cart import services as cart_services
from catalogue import services as catalogue_services
from orders import events, services
from orders.models import Order, OrderHistory
from orders.tests.conftest import balance
from payments import services as payments_services

pytestmark = pytest.mark.django_db


def pay_url(order):
    return f"/api/v1/orders/{order.order_id}/pay/"


def cancel_url(order):
    return f"/api/v1/orders/{order.order_id}/cancel/"


@pytest.fixture
def transitions():
    seen = []

    def listener(sender, transition, **kwargs):
        seen.append((transition.from_status, transition.to_status, transition.reason))

    events.order_transitioned.connect(listener, dispatch_uid="test-transitions")
    yield seen
    events.order_transitioned.disconnect(dispatch_uid="test-transitions")


# --- Pay -------------------------------------------------------------------------------


def test_pay_debits_buyer_holds_each_sellers_share_in_escrow_and_writes_off(item_stock,
    api_as, alice, bob, make_user, make_item, checkout, assert_money_invariants, transitions,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    carol = make_user("carol")
    lamp = make_item(bob, price="12.50", quantity=3)
    vase = make_item(carol, price="4.00", quantity=2)
    order = checkout(alice, (lamp, 2), (vase, 1))

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alice).post(pay_url(order))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "paid"
    assert body["paid_at"] is not None
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in body["history"]][-1] == (
        "awaiting_payment",
        "paid",
        "paid",
    )
    # DESIGN §2 Fulfilment: sellers are paid when their parcel completes, not at payment.
    assert (balance(alice), balance(bob), balance(carol)) == (Decimal("971.00"), Decimal("1000.00"), Decimal("1000.00"))
    assert payments_services.get_held(seller_id=bob.user_id) == Decimal("25.00")
    assert payments_services.get_held(seller_id=carol.user_id) == Decimal("4.00")
    assert payments_services.get_escrow_balance() == Decimal("29.00")
    assert [(p["seller"], p["status"], p["total"]) for p in body["parcels"]] == [
        ("bob", "awaiting_shipment", "25.00"),
        ("carol", "awaiting_shipment", "4.00"),
    ]
    assert (item_stock(lamp), item_stock(vase)) == ((1, 0), (1, 0))
    assert transitions == [("awaiting_payment", "paid", "paid")]
    assert_money_invariants()


def test_paying_a_paid_order_again_returns_it_and_charges_nothing(api_as, alice, bob, make_item, checkout):
    order = checkout(alice, (make_item(bob, price="30.00"), 1))
    client = api_as(alice)
    first = client.post(pay_url(order))
    history = OrderHistory.objects.count()

    again = client.post(pay_url(order))

    assert again.status_code == 200
    assert again.json() == first.json()
    assert balance(alice) == Decimal("970.00")
    assert OrderHistory.objects.count() == history
    assert payments_services.list_ledger(user_id=alice.user_id).count() == 2  # opening + one payment


def test_pay_without_funds_is_409_and_changes_nothing(item_stock, api_as, alice, bob, make_item, checkout, state):
    lamp = make_item(bob, price="1000.01")
    order = checkout(alice, (lamp, 1))
    before = state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id])

    response = api_as(alice).post(pay_url(order))

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_funds"
    assert state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id]) == before
    assert item_stock(lamp) == (1, 1)


def test_pay_past_the_deadline_is_409_order_expired_and_changes_nothing(api_as, alice, bob, make_item, checkout, state):
    lamp = make_item(bob)
    order = checkout(alice, (lamp, 1))
    Order.objects.filter(pk=order.order_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id])

    response = api_as(alice).post(pay_url(order))

    assert response.status_code == 409
    assert response.json()["code"] == "order_expired"
    assert state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id]) == before


def test_pay_of_a_failed_or_cancelled_order_is_409_invalid_status(api_as, alice, bob, make_item, checkout, state):
    lamp = make_item(bob, quantity=1)
    cancelled = checkout(alice, (lamp, 1))
    services.cancel_order(order_id=cancelled.order_id, actor_id=alice.user_id)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1)
    catalogue_services.reserve_items(lines=[(lamp, 1)])  # someone else holds the lamp now
    failed = services.place_order(buyer_id=alice.user_id).order
    assert failed.status == "failed"
    before = state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id])

    for order in (cancelled, failed):
        response = api_as(alice).post(pay_url(order))
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_status"
    assert state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id]) == before


def test_someone_elses_order_is_404_for_every_action(api_as, alice, bob, make_user, make_item, checkout, state):
    carol = make_user("carol")
    lamp = make_item(carol)
    order = checkout(alice, (lamp, 1))
    before = state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id])
    client = api_as(bob)

    assert client.get(f"/api/v1/orders/{order.order_id}/").status_code == 404
    assert client.post(pay_url(order)).status_code == 404
    assert client.post(cancel_url(order)).status_code == 404
    assert client.post("/api/v1/orders/999999999999999999/pay/").status_code == 404
    assert state(item_ids=[lamp], user_ids=[alice.user_id, bob.user_id]) == before


@pytest.mark.postgres  # SQLite drops FOR UPDATE from the SQL
def test_pay_locks_the_order_before_items_and_wallets(alice, bob, make_item, checkout):
    order = checkout(alice, (make_item(bob), 1))

    with CaptureQueriesContext(connection) as queries:
        services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)

    sql = [q["sql"] for q in queries.captured_queries]
    order_lock = next(i for i, s in enumerate(sql) if s.startswith('SELECT "orders_order"') and "FOR UPDATE" in s)
    item_update = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "catalogue_item"'))
    wallet_update = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "payments_wallet"'))
    order_update = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "orders_order"'))
    item_lock = next(i for i, s in enumerate(sql) if s.startswith('SELECT "catalogue_item"') and "FOR UPDATE" in s)
    wallet_lock = next(i for i, s in enumerate(sql) if s.startswith('SELECT "payments_wallet"') and "FOR UPDATE" in s)
    assert order_lock < item_lock < item_update < wallet_lock < wallet_update < order_update


# --- Cancel ----------------------------------------------------------------------------


def test_buyer_cancel_releases_every_reservation(item_stock, api_as, alice, bob, make_item, checkout, transitions,
                                                 django_capture_on_commit_callbacks):  # fmt: skip
    lamp = make_item(bob, quantity=3)
    vase = make_item(bob, quantity=1)
    order = checkout(alice, (lamp, 2), (vase, 1))

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alice).post(cancel_url(order))

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["history"][-1]["reason"] == "cancelled_by_buyer"
    assert response.json()["history"][-1]["actor_id"] == alice.user_id
    assert (item_stock(lamp), item_stock(vase)) == ((3, 0), (1, 0))
    assert transitions == [("awaiting_payment", "cancelled", "cancelled_by_buyer")]
    assert balance(alice) == Decimal("1000.00")


def test_cancelling_again_returns_the_cancelled_order_unchanged(item_stock, api_as, alice, bob, make_item, checkout):
    lamp = make_item(bob, quantity=2)
    order = checkout(alice, (lamp, 1))
    client = api_as(alice)
    client.post(cancel_url(order))
    history = OrderHistory.objects.count()

    again = client.post(cancel_url(order))

    assert again.status_code == 200
    assert again.json()["status"] == "cancelled"
    assert OrderHistory.objects.count() == history
    assert item_stock(lamp) == (2, 0)


def test_cancel_of_a_paid_or_failed_order_is_409_invalid_status(api_as, alice, bob, make_item, checkout, state):
    lamp = make_item(bob, quantity=1)
    paid = checkout(alice, (lamp, 1))
    services.pay_order(order_id=paid.order_id, buyer_id=alice.user_id)
    vase = make_item(bob, quantity=1)
    cart_services.add_to_cart(user_id=alice.user_id, item_id=vase, quantity=1)
    catalogue_services.reserve_items(lines=[(vase, 1)])  # someone else holds the vase now
    failed = services.place_order(buyer_id=alice.user_id).order
    assert failed.status == "failed"
    before = state(item_ids=[lamp, vase], user_ids=[alice.user_id, bob.user_id])

    for order in (paid, failed):
        response = api_as(alice).post(cancel_url(order))
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_status"
    assert state(item_ids=[lamp, vase], user_ids=[alice.user_id, bob.user_id]) == before


def test_moderator_cancels_through_the_admin_action(item_stock, client, alice, bob, make_user, make_item, checkout):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    mod = make_user("mod")
    user = get_user_model().objects.get(pk=mod.user_id)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="moderators"))
    lamp = make_item(bob, quantity=2)
    order = checkout(alice, (lamp, 2))
    client.force_login(user)

    response = client.post(
        "/admin/orders/order/",
        {"action": "cancel_selected_orders", "_selected_action": [order.order_id]},
    )

    assert response.status_code == 302
    cancelled = services.get_order_for_user(order_id=order.order_id, user_id=alice.user_id)
    assert cancelled.status == "cancelled"
    assert (cancelled.history[-1].reason, cancelled.history[-1].actor_id) == ("cancelled_by_moderator", mod.user_id)
    assert item_stock(lamp) == (2, 0)
    assert client.get(f"/admin/orders/order/{order.order_id}/change/").status_code == 200


def test_non_moderator_cannot_cancel_as_moderator(alice, bob, make_item, checkout):
    order = checkout(alice, (make_item(bob), 1))

    with pytest.raises(services.OrderNotFound):
        services.cancel_order(order_id=order.order_id, actor_id=bob.user_id, as_moderator=True)
    assert services.get_order_for_user(order_id=order.order_id, user_id=alice.user_id).status == "awaiting_payment"


# --- Expiry ----------------------------------------------------------------------------


def test_expiry_cancels_only_overdue_unpaid_orders(item_stock, alice, bob, make_item, checkout, transitions,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    lamp, vase, cup = make_item(bob, quantity=2), make_item(bob), make_item(bob)
    overdue = checkout(alice, (lamp, 2))
    fresh = checkout(alice, (vase, 1))
    paid = checkout(alice, (cup, 1))
    services.pay_order(order_id=paid.order_id, buyer_id=alice.user_id)
    Order.objects.filter(pk__in=[overdue.order_id, paid.order_id]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        sweep = services.expire_overdue_orders()

    assert sweep == services.ExpirySweep(checked=1, expired=1)
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {overdue.order_id: "cancelled", fresh.order_id: "awaiting_payment", paid.order_id: "paid"}
    last = OrderHistory.objects.filter(order_id=overdue.order_id).last()
    assert (last.from_status, last.to_status, last.reason, last.actor_id) == (
        "awaiting_payment",
        "cancelled",
        "payment_timeout",
        None,
    )
    assert (item_stock(lamp), item_stock(vase), item_stock(cup)) == ((2, 0), (1, 1), (0, 0))
    assert transitions[-1] == ("awaiting_payment", "cancelled", "payment_timeout")
    assert services.expire_overdue_orders() == services.ExpirySweep(checked=0, expired=0)


def test_expiry_works_in_bounded_batches(item_stock, alice, bob, make_item, checkout):
    lamp = make_item(bob, quantity=5)
    orders = [checkout(alice, (lamp, 1)) for _ in range(5)]
    Order.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert services.expire_overdue_orders(batch_size=2) == services.ExpirySweep(checked=2, expired=2)
    assert services.expire_overdue_orders(batch_size=2) == services.ExpirySweep(checked=2, expired=2)
    assert services.expire_overdue_orders(batch_size=2) == services.ExpirySweep(checked=1, expired=1)
    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert item_stock(lamp) == (5, 0)
    assert len(orders) == 5


def test_expiry_task_runs_the_sweep_and_requeues_a_full_batch(item_stock, alice, bob, make_item, checkout, settings):
    from orders import tasks

    settings.ORDER_EXPIRY_BATCH_SIZE = 2
    lamp = make_item(bob, quantity=5)
    for _ in range(5):
        checkout(alice, (lamp, 1))
    Order.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    tasks.expire_overdue_orders_task.delay()  # eager in tests: the requeued batches run at once

    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert item_stock(lamp) == (5, 0)


# --- Metrics and the beat schedule -------------------------------------------------------


def test_business_metrics_are_recorded_after_commit(
    alice, bob, make_item, checkout, django_capture_on_commit_callbacks
):
    from prometheus_client import REGISTRY

    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    def snapshot():
        return (
            sample("bazaar_order_transitions_total", from_status="new", to_status="awaiting_payment"),
            sample("bazaar_order_transitions_total", from_status="awaiting_payment", to_status="paid"),
            sample("bazaar_payments_total"),
            sample("bazaar_payment_volume_credits_total"),
            sample("bazaar_reservation_failures_total"),
            sample("bazaar_order_expiries_total"),
        )

    before = snapshot()
    lamp, vase, cup = make_item(bob, price="12.50"), make_item(bob), make_item(bob)
    with django_capture_on_commit_callbacks(execute=True):
        paid = checkout(alice, (lamp, 1))
        services.pay_order(order_id=paid.order_id, buyer_id=alice.user_id)
        cart_services.add_to_cart(user_id=alice.user_id, item_id=vase, quantity=1)
        catalogue_services.reserve_items(lines=[(vase, 1)])  # someone else was faster
        assert services.place_order(buyer_id=alice.user_id).order.status == "failed"
        cart_services.remove_from_cart(user_id=alice.user_id, item_id=vase)
        overdue = checkout(alice, (cup, 1))
        Order.objects.filter(pk=overdue.order_id).update(expires_at=timezone.now() - timedelta(seconds=1))
        services.expire_overdue_orders()

    after = snapshot()
    assert [round(a - b, 2) for a, b in zip(after, before, strict=True)] == [2.0, 1.0, 1.0, 12.5, 1.0, 1.0]


def test_the_beat_schedule_names_the_registered_sweep_task(settings):
    from shop.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover every tasks.py
    entry = settings.CELERY_BEAT_SCHEDULE["expire-overdue-orders"]
    assert entry["task"] == "orders.tasks.expire_overdue_orders_task"
    assert entry["schedule"] == timedelta(seconds=settings.ORDER_EXPIRY_SWEEP_SECONDS)
    assert entry["task"] in app.tasks


def test_admin_action_skips_orders_it_may_not_cancel_and_says_so(client, alice, bob, make_user, make_item, checkout):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    mod = make_user("mod")
    user = get_user_model().objects.get(pk=mod.user_id)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="moderators"))
    paid = checkout(alice, (make_item(bob), 1))
    services.pay_order(order_id=paid.order_id, buyer_id=alice.user_id)
    waiting = checkout(alice, (make_item(bob), 1))
    client.force_login(user)

    response = client.post(
        "/admin/orders/order/",
        {"action": "cancel_selected_orders", "_selected_action": [paid.order_id, waiting.order_id]},
        follow=True,
    )

    body = response.content.decode()
    assert "Cancelled 1 order(s)" in body
    assert f"Not cancelled: #{paid.order_id}: Only an order awaiting payment can be cancelled" in body
    assert dict(Order.objects.values_list("pk", "status")) == {paid.order_id: "paid", waiting.order_id: "cancelled"}


def test_staff_without_moderator_rights_cannot_see_orders_in_admin(client, alice, bob, make_item, checkout):
    from django.contrib.auth import get_user_model

    order = checkout(alice, (make_item(bob), 1))
    user = get_user_model().objects.get(pk=bob.user_id)
    user.is_staff = True
    user.save()
    client.force_login(user)

    assert client.get("/admin/orders/order/").status_code == 403
    assert (
        client.post(
            "/admin/orders/order/", {"action": "cancel_selected_orders", "_selected_action": [order.order_id]}
        ).status_code
        == 403
    )
    assert Order.objects.get().status == "awaiting_payment"
