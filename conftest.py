"""Fixtures shared by every app's tests (outside the root packages on purpose, STYLE §2.4)."""

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts import services as accounts_services
from shop.celery import app as celery_app

ROOT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: SQLite serialises writers and drops FOR UPDATE, so a pass proves nothing"
    )
    skip_redis = pytest.mark.skip(reason="needs REDIS_URL: a live worker needs a real broker")
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "worker" in item.keywords and not (settings.REDIS_URL and on_postgres):
            item.add_marker(skip_redis)


# --- Users and clients ----------------------------------------------------------------


@pytest.fixture
def make_user(db) -> Callable[..., accounts_services.AccountSummary]:
    """Register users through the real service, so each gets a wallet like in production."""
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, password: str = "a-Strong-pass-42", **kwargs):
        username = username or f"user{next(counter)}"
        return accounts_services.register_user(
            username=username, email=kwargs.get("email", f"{username}@example.com"), password=password
        )

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as(db) -> Callable[[accounts_services.AccountSummary], APIClient]:
    """An API client authenticated as the given account (session-less, forced auth)."""
    from django.contrib.auth import get_user_model

    def client_for(account) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=get_user_model().objects.get(pk=account.user_id))
        return client

    return client_for


@pytest.fixture
def client_as(db, client):
    """The Django test client logged in as the given account (for HTML pages)."""
    from django.contrib.auth import get_user_model

    def login(account):
        client.force_login(get_user_model().objects.get(pk=account.user_id))
        return client

    return login


# --- Concurrency ----------------------------------------------------------------------


def run_concurrently(fn: Callable[[int], object], *, threads: int) -> list[object]:
    """Run fn(i) in `threads` threads released together by a barrier (Oscar's pattern).

    Each thread closes its own database connection, so the test database can be dropped.
    Returns each thread's result, or the exception it raised.
    """
    barrier = threading.Barrier(threads)
    results: list[object] = [None] * threads

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = fn(index)
        except Exception as exc:  # collected for the test to assert on
            results[index] = exc
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    return results


@pytest.fixture
def concurrently():
    return run_concurrently


@pytest.fixture
def assert_money_invariants(db):
    """Balances equal ledger sums, none negative, and all balances sum to zero (treasury included)."""
    from payments import services as payments_services

    def check() -> None:
        audit = payments_services.audit_ledger()
        assert audit.mismatched_wallet_ids == ()
        assert audit.negative_wallet_ids == ()
        assert audit.total_balance == Decimal("0.00")

    return check


# --- A live Celery worker -------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process on Redis, reading the test database.

    Tasks go to a queue unique to this test, so parallel runs sharing one Redis never
    steal each other's messages. Eager mode is turned off for the test's duration.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    db_settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings_test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DATABASE_URL": _database_url(db_settings),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shop",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        _wait_for_worker(queue)
        yield process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _database_url(db: dict) -> str:
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _wait_for_worker(queue: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1)
        if replies:
            return
        time.sleep(0.5)
    raise RuntimeError("the Celery worker did not start in time")


def wait_until(predicate: Callable[[], bool], *, timeout: float = 30, interval: float = 0.2) -> bool:
    """Poll until predicate() is true or the timeout passes; returns the last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def eventually() -> Callable[..., bool]:
    return wait_until


# --- Catalogue items (for cart and orders tests) ----------------------------------------


@pytest.fixture
def make_item(db) -> Callable[..., int]:
    """Create an active listing for a seller and return its id.

    Until catalogue.services offers a create function, this writes the catalogue rows
    directly (conftest lies outside the import-linter root packages, STYLE §2.4).
    """
    from catalogue.models import Category, Item

    def make(seller, title: str = "Thing", price: str | Decimal = "10.00", quantity: int = 1, **fields) -> int:
        category, _ = Category.objects.get_or_create(slug="test-things", defaults={"name": "Things"})
        seller_id = getattr(seller, "user_id", seller)
        return Item.objects.create(
            seller_id=seller_id, category=category, title=title, price=Decimal(str(price)), quantity=quantity, **fields
        ).pk

    return make


@pytest.fixture
def moderator(make_user):
    """A staff user in the moderators group, as DESIGN §4 describes."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    account = make_user("mod")
    user = get_user_model().objects.get(pk=account.user_id)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    # get_or_create: a transactional test's flush removes the group its migration made.
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return account


@pytest.fixture
def set_item(db) -> Callable[..., None]:
    """Change an item's row the way its seller or a moderator would (title, price, quantity, status)."""
    from catalogue.models import Item

    def update(item_id: int, **fields) -> None:
        Item.objects.filter(pk=item_id).update(**fields)

    return update


@pytest.fixture
def item_stock(db) -> Callable[[int], tuple[int, int]]:
    """(quantity, reserved) of an item, for stock invariants in cart and orders tests."""
    from catalogue.models import Item

    def stock(item_id: int) -> tuple[int, int]:
        return Item.objects.filter(pk=item_id).values_list("quantity", "reserved").get()

    return stock


@pytest.fixture
def buy(db, make_item) -> Callable[..., dict]:
    """buy(buyer, seller, complete=True, ...) -> {"item", "order", "parcel"}: a real purchase
    through cart, checkout and pay; the seller ships and the buyer confirms unless
    `complete` is False (then the parcel waits for shipment)."""
    from cart import services as cart_services
    from orders import services as orders_services

    def purchase(buyer, seller, *, complete: bool = True, title: str = "Bought thing", price: str = "10.00") -> dict:
        item_id = make_item(seller, title=title, price=price, quantity=1)
        cart_services.add_to_cart(user_id=buyer.user_id, item_id=item_id, quantity=1)
        order_id = orders_services.place_order(buyer_id=buyer.user_id).order.order_id
        orders_services.pay_order(order_id=order_id, buyer_id=buyer.user_id)
        (parcel,) = orders_services.get_parcels_of_orders(order_ids=[order_id])[order_id]
        if complete:
            orders_services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=seller.user_id)
            orders_services.confirm_parcel(parcel_id=parcel.parcel_id, buyer_id=buyer.user_id)
        return {"item": item_id, "order": order_id, "parcel": parcel.parcel_id}

    return purchase
