"""Real threads on PostgreSQL (STYLE §2.9): SQLite serialises writers, so a pass there proves nothing."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalogue import services
from catalogue.models import Item

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_many_buyers_race_for_the_last_units_and_never_oversell(alice, item_of, concurrently):
    scarce = item_of(alice, quantity=5)
    plenty = item_of(alice, quantity=100)

    def buy(index: int):
        # Half the threads take lines in the reverse order: the service sorts by id, so no deadlock.
        lines = [(scarce.pk, 1), (plenty.pk, 2)] if index % 2 else [(plenty.pk, 2), (scarce.pk, 1)]
        services.reserve_items(lines=lines)
        return "ok"

    results = concurrently(buy, threads=16)

    winners = [r for r in results if r == "ok"]
    losers = [r for r in results if isinstance(r, services.InsufficientStock)]
    assert (len(winners), len(losers)) == (5, 11)
    assert all(r.short_item_ids == (scarce.pk,) for r in losers)
    assert Item.objects.get(pk=scarce.pk).reserved == 5
    # All or nothing: the losers' lines on the plentiful item were rolled back too.
    assert Item.objects.get(pk=plenty.pk).reserved == 10


def test_reserve_release_and_write_off_race_and_counters_stay_exact(alice, item_of, concurrently):
    item = item_of(alice, quantity=20, reserved=10)

    def work(index: int):
        kind = index % 3
        if kind == 0:
            services.reserve_items(lines=[(item.pk, 1)])
        elif kind == 1:
            services.release_items(lines=[(item.pk, 1)])
        else:
            services.write_off_items(lines=[(item.pk, 1)])
        return kind

    results = concurrently(work, threads=12)

    assert sorted(results) == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    item.refresh_from_db()
    # +4 reserved, -4 released, -4 written off.
    assert (item.quantity, item.reserved, item.sold) == (16, 6, 4)


def test_seller_lowering_quantity_races_a_reservation_safely(alice, item_of, concurrently):
    item = item_of(alice, quantity=3)

    def act(index: int):
        if index == 0:
            return services.update_item(item_id=item.pk, seller_id=alice.user_id, quantity=1)
        return services.reserve_items(lines=[(item.pk, 2)])

    results = concurrently(act, threads=2)

    item.refresh_from_db()
    assert 0 <= item.reserved <= item.quantity
    # Either the edit went first (then the reservation was short) or the reservation did
    # (then the edit was refused): never both.
    assert (item.quantity, item.reserved) in {(1, 0), (3, 2)}
    assert sum(isinstance(r, Exception) for r in results) == 1


def test_rows_are_locked_in_id_order_before_any_update(alice, item_of):
    first, second = item_of(alice, quantity=3), item_of(alice, quantity=3)

    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        services.reserve_items(lines=[(second.pk, 1), (first.pk, 1)])

    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s)
    updates = [i for i, s in enumerate(sql) if s.startswith("UPDATE")]
    # values() orders by position: column 1 is the id.
    assert sql[lock].startswith('SELECT "catalogue_item"."id"') and "ORDER BY 1 ASC" in sql[lock]
    assert updates and lock < min(updates)
    assert [
        f'"catalogue_item"."id" = {pk}' in sql[i] for i, pk in zip(updates, [first.pk, second.pk], strict=True)
    ] == [
        True,
        True,
    ]
