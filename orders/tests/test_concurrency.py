"""Real threads on PostgreSQL (STYLE §2.9): races end with one winner, stock and money consistent."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cart import services as cart_services
from orders import services
from orders.models import Order, OrderHistory
from orders.tests.conftest import balance
from payments import services as payments_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _errors(results):
    return [r for r in results if isinstance(r, Exception)]


def test_thirty_buyers_racing_for_five_units_get_exactly_five_reservations(
    item_stock, make_user, make_item, concurrently, assert_money_invariants
):
    seller = make_user("seller")
    item = make_item(seller, price="10.00", quantity=5)
    buyers = [make_user(f"buyer{i}") for i in range(30)]
    for buyer in buyers:
        cart_services.add_to_cart(user_id=buyer.user_id, item_id=item, quantity=1)

    results = concurrently(lambda i: services.place_order(buyer_id=buyers[i].user_id).order, threads=30)

    assert _errors(results) == []
    assert Counter(order.status for order in results) == {"awaiting_payment": 5, "failed": 25}
    assert all(o.short_item_ids == (item,) for o in results if o.status == "failed")
    assert item_stock(item) == (5, 5)
    assert Order.objects.count() == 30
    assert sum(len(cart_services.get_cart(user_id=b.user_id).lines) for b in buyers) == 25  # losers keep carts
    assert_money_invariants()


def test_ten_concurrent_pays_of_one_order_charge_once(
    item_stock, make_user, make_item, concurrently, assert_money_invariants
):
    seller, buyer = make_user("seller"), make_user("buyer")
    item = make_item(seller, price="25.00", quantity=1)
    cart_services.add_to_cart(user_id=buyer.user_id, item_id=item, quantity=1)
    order = services.place_order(buyer_id=buyer.user_id).order

    results = concurrently(lambda i: services.pay_order(order_id=order.order_id, buyer_id=buyer.user_id), threads=10)

    assert _errors(results) == []
    assert {r.order.status for r in results} == {"paid"}
    assert sorted(r.replayed for r in results) == [False] + [True] * 9  # one payment, nine replays
    # Paid once: the buyer's money sits in escrow for the seller until the parcel settles.
    assert (balance(buyer), balance(seller)) == (Decimal("975.00"), Decimal("1000.00"))
    assert payments_services.get_held(seller_id=seller.user_id) == Decimal("25.00")
    assert [e.kind for e in payments_services.list_ledger(user_id=buyer.user_id)[:10]] == ["payment", "opening"]
    assert OrderHistory.objects.filter(order_id=order.order_id, to_status="paid").count() == 1
    assert item_stock(item) == (0, 0)
    assert_money_invariants()


def _orders_for_race(make_user, make_item, *, count: int, price: str = "10.00"):
    seller = make_user("seller")
    item = make_item(seller, price=price, quantity=count)
    buyers = [make_user(f"buyer{i}") for i in range(count)]
    orders = []
    for buyer in buyers:
        cart_services.add_to_cart(user_id=buyer.user_id, item_id=item, quantity=1)
        orders.append(services.place_order(buyer_id=buyer.user_id).order)
    return seller, item, buyers, orders


def _assert_one_winner_each(seller, item, buyers, orders, *, item_stock, loser_reason: str, count: int):
    statuses = dict(Order.objects.values_list("pk", "status"))
    paid = [o for o in orders if statuses[o.order_id] == "paid"]
    lost = [o for o in orders if statuses[o.order_id] == "cancelled"]
    assert len(paid) + len(lost) == count
    for order in lost:
        history = list(OrderHistory.objects.filter(order_id=order.order_id).values_list("to_status", "reason"))
        assert history[-1] == ("cancelled", loser_reason)
        assert "paid" not in [to for to, _ in history]
    buyer_by_id = {b.user_id: b for b in buyers}
    for order in paid:
        assert balance(buyer_by_id[order.buyer_id]) == Decimal("990.00")
    for order in lost:
        assert balance(buyer_by_id[order.buyer_id]) == Decimal("1000.00")
    assert balance(seller) == Decimal("1000.00")
    assert payments_services.get_held(seller_id=seller.user_id) == Decimal("10.00") * len(paid)
    assert item_stock(item) == (count - len(paid), 0)
    return paid, lost


def test_pay_racing_cancel_ends_with_one_winner(
    item_stock, make_user, make_item, concurrently, assert_money_invariants
):
    count = 8
    seller, item, buyers, orders = _orders_for_race(make_user, make_item, count=count)

    def act(i: int):
        order, buyer = orders[i // 2], buyers[i // 2]
        if i % 2:
            return services.cancel_order(order_id=order.order_id, actor_id=buyer.user_id)
        return services.pay_order(order_id=order.order_id, buyer_id=buyer.user_id)

    results = concurrently(act, threads=2 * count)

    assert [type(e) for e in _errors(results)] == [services.InvalidStatus] * count  # exactly one loser per order
    _assert_one_winner_each(
        seller, item, buyers, orders, item_stock=item_stock, loser_reason="cancelled_by_buyer", count=count
    )
    assert_money_invariants()


def test_pay_racing_expiry_ends_with_one_winner(
    item_stock, make_user, make_item, concurrently, assert_money_invariants
):
    count = 8
    seller, item, buyers, orders = _orders_for_race(make_user, make_item, count=count)
    # Pay's clock is before the deadline, the sweeper's after it: both may act, the row lock decides.
    Order.objects.update(expires_at=timezone.now() + timedelta(seconds=60))
    sweeper_now = timezone.now() + timedelta(seconds=120)

    def act(i: int):
        if i >= count:
            return services.expire_overdue_orders(now=sweeper_now)
        return services.pay_order(order_id=orders[i].order_id, buyer_id=buyers[i].user_id)

    results = concurrently(act, threads=count + 2)

    assert all(isinstance(e, services.InvalidStatus) for e in _errors(results))
    paid, lost = _assert_one_winner_each(
        seller, item, buyers, orders, item_stock=item_stock, loser_reason="payment_timeout", count=count
    )
    assert len(_errors(results)) == len([o for o in lost])  # every expired order refused its payment
    expired = sum(r.expired for r in results[count:])
    assert expired == len(lost)
    assert_money_invariants()


def test_concurrent_checkouts_with_one_idempotency_key_place_one_order(item_stock, make_user, make_item, concurrently):
    seller, buyer = make_user("seller"), make_user("buyer")
    item = make_item(seller, quantity=3)
    cart_services.add_to_cart(user_id=buyer.user_id, item_id=item, quantity=1)

    results = concurrently(
        lambda i: services.place_order(buyer_id=buyer.user_id, idempotency_key="double-click"), threads=6
    )

    assert _errors(results) == []
    assert len({r.order.order_id for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 5
    assert Order.objects.count() == 1
    assert item_stock(item) == (3, 1)


def test_expiry_sweep_locks_with_skip_locked(make_user, make_item):
    seller, buyer = make_user("seller"), make_user("buyer")
    cart_services.add_to_cart(user_id=buyer.user_id, item_id=make_item(seller), quantity=1)
    services.place_order(buyer_id=buyer.user_id)

    with CaptureQueriesContext(connection) as queries:
        services.expire_overdue_orders(now=timezone.now() + timedelta(days=1))

    sql = [q["sql"] for q in queries.captured_queries]
    lock_at = next(i for i, s in enumerate(sql) if "FOR UPDATE SKIP LOCKED" in s and '"orders_order"' in s)
    release_at = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "catalogue_item"'))
    assert lock_at < release_at
