"""Real threads on PostgreSQL: concurrent adds of one item never exceed what is available."""

import pytest

from cart import services
from cart.models import CartLine
from catalogue import services as catalogue_services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_concurrent_adds_of_one_unit_stop_at_the_five_available(alice, bob, make_item, concurrently):
    lamp = make_item(bob, quantity=5)

    results = concurrently(lambda i: services.add_to_cart(user_id=alice.user_id, item_id=lamp, quantity=1), threads=10)

    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 5
    assert all(isinstance(r, catalogue_services.InsufficientStock) for r in refused)
    assert list(CartLine.objects.filter(user_id=alice.user_id).values_list("item_id", "quantity")) == [(lamp, 5)]
