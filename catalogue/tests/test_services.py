from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from catalogue import services
from catalogue.models import Category, Item
from shop.common.errors import InvalidInput


def counters(*items):
    return [
        tuple(Item.objects.filter(pk=i.pk).values_list("quantity", "reserved", "sold", "status").get()) for i in items
    ]


# --- Snapshots ---------------------------------------------------------------------------


def test_snapshots_many_items_in_one_query(alice, bob, item_of, django_assert_num_queries):
    a = item_of(alice, title="Lamp", price=Decimal("12.50"), quantity=3, reserved=1)
    b = item_of(bob, title="Desk", quantity=2, status="withdrawn")

    with django_assert_num_queries(1):
        snapshots = services.get_item_snapshots(item_ids=[a.pk, b.pk, 999_999])

    assert snapshots == {
        a.pk: services.ItemSnapshot(
            item_id=a.pk,
            seller_id=alice.user_id,
            title="Lamp",
            unit_price=Decimal("12.50"),
            available=2,
            status="active",
        ),
        b.pk: services.ItemSnapshot(
            item_id=b.pk,
            seller_id=bob.user_id,
            title="Desk",
            unit_price=Decimal("10.00"),
            available=2,
            status="withdrawn",
        ),
    }
    assert snapshots[a.pk].is_active and not snapshots[b.pk].is_active


# --- Reserve / release / write off ------------------------------------------------------------


def test_reserve_holds_units_on_every_line(alice, item_of):
    a, b = item_of(alice, quantity=3), item_of(alice, quantity=2)

    services.reserve_items(lines=[(b.pk, 2), (a.pk, 1), (a.pk, 1)])

    assert counters(a, b) == [(3, 2, 0, "active"), (2, 2, 0, "active")]


def test_reserve_is_all_or_nothing_and_names_every_short_item(alice, item_of):
    a, b, c = item_of(alice, quantity=3), item_of(alice, quantity=1, reserved=1), item_of(alice, quantity=2)

    with pytest.raises(services.InsufficientStock) as refused:
        services.reserve_items(lines=[(a.pk, 2), (b.pk, 1), (c.pk, 3)])

    assert refused.value.short_item_ids == (b.pk, c.pk)
    assert refused.value.code == "insufficient_stock"
    assert counters(a, b, c) == [(3, 0, 0, "active"), (1, 1, 0, "active"), (2, 0, 0, "active")]


@pytest.mark.parametrize("status", ["withdrawn", "hidden"])
def test_reserve_refuses_items_not_on_sale(alice, item_of, status):
    a, b = item_of(alice, quantity=3), item_of(alice, quantity=3, status=status)

    with pytest.raises(services.ItemUnavailable):
        services.reserve_items(lines=[(a.pk, 1), (b.pk, 1)])

    assert counters(a, b) == [(3, 0, 0, "active"), (3, 0, 0, status)]


def test_reserve_unknown_item_is_not_found_and_changes_nothing(alice, item_of):
    a = item_of(alice, quantity=3)

    with pytest.raises(services.ItemNotFound):
        services.reserve_items(lines=[(a.pk, 1), (a.pk + 1000, 1)])

    assert counters(a) == [(3, 0, 0, "active")]


@pytest.mark.parametrize("quantity", [0, -1])
def test_stock_operations_refuse_non_positive_quantities(alice, item_of, quantity):
    a = item_of(alice, quantity=3, reserved=1)

    for operation in (services.reserve_items, services.release_items, services.write_off_items):
        with pytest.raises(services.InvalidStockOperation):
            operation(lines=[(a.pk, quantity)])

    assert counters(a) == [(3, 1, 0, "active")]


def test_release_gives_units_back(alice, item_of):
    a, b = item_of(alice, quantity=3, reserved=2), item_of(alice, quantity=1, reserved=1)

    services.release_items(lines=[(a.pk, 2), (b.pk, 1)])

    assert counters(a, b) == [(3, 0, 0, "active"), (1, 0, 0, "active")]


def test_release_more_than_reserved_is_refused_all_or_nothing(alice, item_of):
    a, b = item_of(alice, quantity=3, reserved=2), item_of(alice, quantity=3, reserved=1)

    with pytest.raises(services.InvalidStockOperation):
        services.release_items(lines=[(a.pk, 2), (b.pk, 2)])

    assert counters(a, b) == [(3, 2, 0, "active"), (3, 1, 0, "active")]


def test_write_off_turns_reservations_into_sales_even_when_withdrawn(alice, item_of):
    a, b = item_of(alice, quantity=3, reserved=2), item_of(alice, quantity=2, reserved=1, status="withdrawn")

    services.write_off_items(lines=[(a.pk, 2), (b.pk, 1)])

    assert counters(a, b) == [(1, 0, 2, "active"), (1, 0, 1, "withdrawn")]


def test_write_off_more_than_reserved_is_refused_all_or_nothing(alice, item_of):
    a, b = item_of(alice, quantity=3, reserved=2), item_of(alice, quantity=3, reserved=0)

    with pytest.raises(services.InvalidStockOperation):
        services.write_off_items(lines=[(a.pk, 1), (b.pk, 1)])

    assert counters(a, b) == [(3, 2, 0, "active"), (3, 0, 0, "active")]


def test_database_refuses_reserved_above_quantity_or_below_zero(alice, item_of):
    a = item_of(alice, quantity=2, reserved=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=a.pk).update(reserved=F("reserved") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=a.pk).update(quantity=1)
    assert counters(a) == [(2, 2, 0, "active")]


# --- Listings ----------------------------------------------------------------------------------


def test_create_item_is_active_and_in_the_chosen_category(alice, tree):
    snapshot = services.create_item(
        seller_id=alice.user_id,
        title="  <b>Radio</b>  ",
        description="Works <script>alert(1)</script>",
        category_slug="audio",
        price="25.5",
        quantity=2,
    )

    item = Item.objects.get(pk=snapshot.item_id)
    assert (item.title, item.description, item.category.slug, item.price, item.quantity, item.status) == (
        "<b>Radio</b>",
        "Works <script>alert(1)</script>",
        "audio",
        Decimal("25.50"),
        2,
        "active",
    )
    assert snapshot.available == 2 and snapshot.seller_id == alice.user_id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"category_slug": "nope"}, "category"),
        ({"price": "0"}, "price"),
        ({"price": "abc"}, "price"),
        ({"quantity": -1}, "quantity"),
    ],
)
def test_create_item_refuses_bad_fields(alice, tree, changes, field):
    fields = {"title": "Radio", "category_slug": "audio", "price": "5", "quantity": 1, **changes}

    with pytest.raises(InvalidInput) as refused:
        services.create_item(seller_id=alice.user_id, **fields)

    assert refused.value.field == field
    assert Item.objects.count() == 0


def test_seller_cannot_set_quantity_below_reserved(alice, item_of):
    a = item_of(alice, quantity=5, reserved=3, title="Old")

    with pytest.raises(InvalidInput) as refused:
        services.update_item(item_id=a.pk, seller_id=alice.user_id, quantity=2, title="New")

    assert refused.value.field == "quantity"
    assert "3 units are reserved" in refused.value.detail
    a.refresh_from_db()
    assert (a.quantity, a.reserved, a.title) == (5, 3, "Old")
    services.update_item(item_id=a.pk, seller_id=alice.user_id, quantity=3)
    assert counters(a) == [(3, 3, 0, "active")]


def test_other_sellers_item_cannot_be_changed(alice, bob, item_of):
    a = item_of(alice, quantity=5, title="Mine")

    for call in (
        lambda: services.update_item(item_id=a.pk, seller_id=bob.user_id, title="Stolen"),
        lambda: services.withdraw_item(item_id=a.pk, seller_id=bob.user_id),
        lambda: services.relist_item(item_id=a.pk, seller_id=bob.user_id),
    ):
        with pytest.raises(services.ItemNotFound):
            call()

    assert Item.objects.filter(pk=a.pk).values_list("title", "status").get() == ("Mine", "active")


def test_withdraw_and_relist_are_idempotent(alice, item_of):
    a = item_of(alice)

    assert services.withdraw_item(item_id=a.pk, seller_id=alice.user_id).status == "withdrawn"
    assert services.withdraw_item(item_id=a.pk, seller_id=alice.user_id).status == "withdrawn"
    assert services.relist_item(item_id=a.pk, seller_id=alice.user_id).status == "active"
    assert services.relist_item(item_id=a.pk, seller_id=alice.user_id).status == "active"


def test_seller_cannot_withdraw_or_relist_a_hidden_item(alice, item_of):
    a = item_of(alice, status="hidden")

    with pytest.raises(services.InvalidItemStatus) as refused:
        services.relist_item(item_id=a.pk, seller_id=alice.user_id)
    with pytest.raises(services.InvalidItemStatus):
        services.update_item(item_id=a.pk, seller_id=alice.user_id, status="withdrawn")

    assert refused.value.code == "invalid_status"
    assert counters(a)[0][3] == "hidden"


def test_hide_and_unhide_change_only_matching_statuses(alice, moderator, item_of):
    active, withdrawn, hidden = item_of(alice), item_of(alice, status="withdrawn"), item_of(alice, status="hidden")
    ids = [active.pk, withdrawn.pk, hidden.pk]

    assert services.hide_items(item_ids=ids, actor_id=moderator.user_id) == 1
    assert [c[3] for c in counters(active, withdrawn, hidden)] == ["hidden", "withdrawn", "hidden"]
    assert services.unhide_items(item_ids=ids, actor_id=moderator.user_id) == 2
    assert [c[3] for c in counters(active, withdrawn, hidden)] == ["active", "withdrawn", "active"]


def test_demo_catalogue_is_realistic_and_spread_over_sellers(alice, bob):
    created = services.load_demo_catalogue(seller_ids=[alice.user_id, bob.user_id], items=300)

    assert created == 300
    assert Category.objects.filter(parent__isnull=True).count() == 10
    assert Category.objects.filter(parent__isnull=False).count() == 26
    assert Item.objects.filter(seller_id=alice.user_id).count() == 150
    assert Item.objects.filter(seller_id=bob.user_id).count() == 150
    assert Item.objects.filter(price__lte=0).count() == 0
    assert Item.objects.values("category").distinct().count() == 26
    # Running it again adds items but never duplicates the tree.
    services.load_demo_catalogue(seller_ids=[alice.user_id], items=10)
    assert Category.objects.count() == 36
