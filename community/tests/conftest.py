import pytest


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def phone(make_item, bob):
    """bob's active listing, 3 units at 100.00."""
    return make_item(bob, title="Phone", price="100.00", quantity=3)
