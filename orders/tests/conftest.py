"""Helpers for orders tests: orders are made through the real cart and checkout services."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from cart import services as cart_services
from orders import services
from orders.models import Order, OrderHistory
from payments import services as payments_services


@pytest.fixture
def checkout() -> Callable[..., services.OrderSnapshot]:
    """checkout(buyer, (item_id, qty), ...) fills the buyer's cart and places the order."""

    def place(buyer, *lines: tuple[int, int], key: str | None = None) -> services.OrderSnapshot:
        for item_id, quantity in lines:
            cart_services.add_to_cart(user_id=buyer.user_id, item_id=item_id, quantity=quantity)
        return services.place_order(buyer_id=buyer.user_id, idempotency_key=key).order

    return place


@pytest.fixture
def state() -> Callable[..., dict]:
    """Everything a refused action must leave alone: orders, history, stock, balances."""

    def snapshot(*, item_ids=(), user_ids=()) -> dict:
        from catalogue import services as catalogue_services

        items = catalogue_services.get_item_snapshots(item_ids=item_ids)
        return {
            "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "paid_at", "expires_at")),
            "history": OrderHistory.objects.count(),
            "available": {pk: snap.available for pk, snap in items.items()},
            "balances": {uid: payments_services.get_wallet(user_id=uid).balance for uid in user_ids},
        }

    return snapshot


def balance(user) -> Decimal:
    return payments_services.get_wallet(user_id=user.user_id).balance
