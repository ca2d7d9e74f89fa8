"""ship_parcel's carrier and tracking code checks (the service the page and the API share)."""

import pytest

from orders import services
from shop.common.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel_id(alice, bob, make_item, checkout):
    order = checkout(alice, (make_item(bob, price="5.00"), 1))
    services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    return services.get_parcels_of_orders(order_ids=[order.order_id])[order.order_id][0].parcel_id


def test_ship_keeps_a_valid_carrier_and_tracking_code(parcel_id, bob):
    parcel = services.ship_parcel(
        parcel_id=parcel_id, seller_id=bob.user_id, carrier=" La Poste ", tracking_code="AB-12"
    )

    assert (parcel.status, parcel.carrier, parcel.tracking_code) == ("shipped", "La Poste", "AB-12")


@pytest.mark.parametrize(
    ("carrier", "tracking_code", "field"),
    [("<script>", "", "carrier"), ("", "AB 12", "tracking_code"), ("", "X" * 10_000, "tracking_code")],
)
def test_ship_refuses_bad_codes_by_field_and_changes_nothing(parcel_id, bob, carrier, tracking_code, field):
    with pytest.raises(InvalidInput) as refused:
        services.ship_parcel(parcel_id=parcel_id, seller_id=bob.user_id, carrier=carrier, tracking_code=tracking_code)

    assert refused.value.field == field
    assert services.get_parcel(parcel_id=parcel_id).status == "awaiting_shipment"
