"""The demo's parcels: one in every fulfilment state, money conserved."""

import pytest

from catalogue import services as catalogue_services
from orders import services
from orders.models import Parcel
from payments import services as payments_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories():
    catalogue_services.load_demo_catalogue(seller_ids=[], items=0)


def test_demo_parcels_cover_every_state(alice, bob, moderator, categories, assert_money_invariants):
    made = services.load_demo_parcels(buyer_id=bob.user_id, seller_id=alice.user_id, moderator_id=moderator.user_id)

    states = sorted(Parcel.objects.values_list("status", flat=True))
    assert made == 5
    assert states == sorted(services.ParcelStatus.values)
    refunded = Parcel.objects.get(status="refunded")
    assert payments_services.get_credit_note_numbers(references=[refunded.hold_reference])
    assert payments_services.get_escrow_balance() == services.get_unsettled_parcels_total()
    assert_money_invariants()
