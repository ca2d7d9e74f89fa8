"""Moderators resolve disputes in Django admin through orders.services.resolve_dispute."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from orders import services
from orders.tests.conftest import balance
from payments import services as payments_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed(alice, bob, make_item, checkout):
    """alice paid 20.00 to bob, bob shipped, alice reported the item damaged."""
    order = checkout(alice, (make_item(bob, title="Glass vase", price="10.00", quantity=2), 2))
    services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    parcel = services.get_parcels_of_orders(order_ids=[order.order_id])[order.order_id][0]
    services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=bob.user_id)
    services.dispute_parcel(
        parcel_id=parcel.parcel_id, buyer_id=alice.user_id, reason="damaged", message="Broken in two pieces."
    )
    return parcel


def _state(parcel, alice, bob):
    snapshot = services.get_parcel(parcel_id=parcel.parcel_id)
    return snapshot.status, snapshot.refunded_amount, balance(alice), balance(bob)


def test_disputes_list_shows_reason_and_message_and_only_disputed_parcels(
    client_as, moderator, disputed, alice, bob, make_item, checkout
):
    other = checkout(alice, (make_item(bob, title="Not disputed"), 1))
    services.pay_order(order_id=other.order_id, buyer_id=alice.user_id)

    body = client_as(moderator).get("/admin/orders/dispute/").content.decode()

    assert "Broken in two pieces." in body and "The item arrived damaged" in body
    assert f"/admin/orders/parcel/{disputed.parcel_id}/refund/" in body
    assert "1 dispute" in body
    change = client_as(moderator).get(f"/admin/orders/dispute/{disputed.parcel_id}/change/").content.decode()
    assert "2 × Glass vase" in change and "disputed" in change


def test_release_action_pays_the_seller(client_as, moderator, disputed, alice, bob, assert_money_invariants):
    before = balance(bob)

    response = client_as(moderator).post(
        "/admin/orders/dispute/", {"action": "release_to_seller", "_selected_action": [disputed.parcel_id]}, follow=True
    )

    assert f"Released to the seller: parcel #{disputed.parcel_id}." in response.content.decode()
    assert services.get_parcel(parcel_id=disputed.parcel_id).status == "completed"
    assert balance(bob) - before == Decimal("20.00")
    history = services.get_parcel(parcel_id=disputed.parcel_id).history[-1]
    assert (history.reason, history.actor_id) == ("released_by_moderator", moderator.user_id)
    assert_money_invariants()


def test_refund_in_full_action_refunds_with_a_credit_note_and_a_second_run_is_refused(
    client_as, moderator, disputed, alice, bob, assert_money_invariants
):
    before = balance(alice)
    client = client_as(moderator)
    data = {"action": "refund_in_full", "_selected_action": [disputed.parcel_id]}

    client.post("/admin/orders/parcel/", data)
    again = client.post("/admin/orders/parcel/", {**data, "action": "release_to_seller"}, follow=True)

    assert services.get_parcel(parcel_id=disputed.parcel_id).refunded_amount == Decimal("20.00")
    assert balance(alice) - before == Decimal("20.00")
    assert payments_services.get_credit_note_numbers(references=[disputed.hold_reference])
    assert "Not resolved: #" in again.content.decode() and "that needs it disputed" in again.content.decode()
    assert services.get_parcel(parcel_id=disputed.parcel_id).status == "refunded"
    assert_money_invariants()


def test_refund_page_refunds_part_and_pays_the_rest_to_the_seller(
    client_as, moderator, disputed, alice, bob, assert_money_invariants
):
    alice_before, bob_before = balance(alice), balance(bob)
    client = client_as(moderator)
    page = client.get(f"/admin/orders/parcel/{disputed.parcel_id}/refund/")
    assert page.status_code == 200 and "Broken in two pieces." in page.content.decode()

    response = client.post(f"/admin/orders/parcel/{disputed.parcel_id}/refund/", {"amount": "7.50"})

    assert response.status_code == 302
    assert _state(disputed, alice, bob) == (
        "refunded",
        Decimal("7.50"),
        alice_before + Decimal("7.50"),
        bob_before + Decimal("12.50"),
    )
    assert_money_invariants()


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "20.01", "12.345", "1e400", ""])
def test_refund_page_refuses_bad_amounts_as_form_errors(client_as, moderator, disputed, alice, bob, amount):
    before = _state(disputed, alice, bob)

    response = client_as(moderator).post(f"/admin/orders/parcel/{disputed.parcel_id}/refund/", {"amount": amount})

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert _state(disputed, alice, bob) == before


def test_refund_page_of_a_parcel_not_disputed_is_a_form_error(client_as, moderator, disputed, alice, bob):
    services.resolve_dispute(parcel_id=disputed.parcel_id, moderator_id=moderator.user_id, outcome="release")
    before = _state(disputed, alice, bob)

    response = client_as(moderator).post(f"/admin/orders/parcel/{disputed.parcel_id}/refund/", {"amount": "5"})

    assert response.status_code == 400
    assert "This parcel is completed; that needs it disputed." in response.content.decode()
    assert _state(disputed, alice, bob) == before
    assert client_as(moderator).get("/admin/orders/parcel/999999/refund/").status_code == 404


def test_parcels_are_read_only_and_staff_outside_the_moderators_group_cannot_resolve(
    client_as, moderator, disputed, alice, bob, make_user
):
    before = _state(disputed, alice, bob)
    change = client_as(moderator).post(
        f"/admin/orders/parcel/{disputed.parcel_id}/change/", {"status": "completed", "total": "1"}
    )
    assert change.status_code == 403

    staff = make_user("staff")
    get_user_model().objects.filter(pk=staff.user_id).update(is_staff=True)
    client = client_as(staff)
    assert client.post(f"/admin/orders/parcel/{disputed.parcel_id}/refund/", {"amount": "5"}).status_code == 403
    assert client.get("/admin/orders/dispute/").status_code == 403
    assert _state(disputed, alice, bob) == before
